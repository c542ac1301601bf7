//! The two messages of `grpc.health.v1.Health/Check`, written by hand (from
//! grpc/grpc-proto `health.proto`) so the server needs neither a build script
//! nor the tonic-health crate for one call.

/// The method path on the wire.
pub const HEALTH_CHECK_PATH: &str = "/grpc.health.v1.Health/Check";

#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct HealthCheckRequest {
    /// Empty asks about the server as a whole.
    #[prost(string, tag = "1")]
    pub service: String,
}

#[derive(Clone, PartialEq, Eq, Hash, prost::Message)]
pub struct HealthCheckResponse {
    #[prost(enumeration = "ServingStatus", tag = "1")]
    pub status: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ServingStatus {
    Unknown = 0,
    Serving = 1,
    NotServing = 2,
    /// Only from the streaming `Watch`, but a server may send it anyway.
    ServiceUnknown = 3,
}

impl ServingStatus {
    /// The name as the proto spells it, for reasons.
    pub fn proto_name(self) -> &'static str {
        match self {
            ServingStatus::Unknown => "UNKNOWN",
            ServingStatus::Serving => "SERVING",
            ServingStatus::NotServing => "NOT_SERVING",
            ServingStatus::ServiceUnknown => "SERVICE_UNKNOWN",
        }
    }
}
