//! gRPC checks: one `grpc.health.v1.Health/Check` for the whole server (empty
//! service name) over plaintext HTTP/2. The call goes through hyper-util's
//! client with [`TcpConnector`] underneath, which the server already builds
//! for reqwest and axum, rather than tonic's `channel` transport and its
//! load-balancing stack, which a one-shot probe does not need.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use tonic::codegen::http::Uri;
use tonic::codegen::http::uri::PathAndQuery;
use tonic_prost::ProstCodec;

use super::connect::{ConnectError, connect_tcp};
use super::error_chain::{describe_chain, find_cause};
use super::finding::Finding;
use super::grpc_health_proto::{
    HEALTH_CHECK_PATH, HealthCheckRequest, HealthCheckResponse, ServingStatus,
};

/// The HTTP/2 client gRPC checks share.
pub type GrpcHttpClient = Client<TcpConnector, tonic::body::Body>;

pub fn grpc_http_client() -> GrpcHttpClient {
    Client::builder(TokioExecutor::new())
        .http2_only(true)
        // As for HTTP checks: connect afresh each probe.
        .pool_max_idle_per_host(0)
        .build(TcpConnector)
}

pub async fn probe_grpc(client: &GrpcHttpClient, target: &str) -> Finding {
    let origin = match format!("http://{target}").parse::<Uri>() {
        Ok(origin) if origin.port().is_some() => origin,
        _ => {
            let reason = format!("invalid target {target:?}: expected host:port");
            return Finding::unreachable(reason);
        }
    };
    let mut grpc = tonic::client::Grpc::with_origin(client.clone(), origin);
    if let Err(error) = grpc.ready().await {
        return Finding::unreachable(describe_chain(&error));
    }
    let request = tonic::Request::new(HealthCheckRequest::default());
    let path = PathAndQuery::from_static(HEALTH_CHECK_PATH);
    let codec = ProstCodec::<HealthCheckRequest, HealthCheckResponse>::default();
    match grpc.unary(request, path, codec).await {
        Ok(response) => finding_from_serving_status(response.into_inner().status),
        Err(status) => finding_from_error_status(&status),
    }
}

fn finding_from_serving_status(status: i32) -> Finding {
    match ServingStatus::try_from(status) {
        Ok(ServingStatus::Serving) => Finding::healthy(),
        Ok(other) => Finding::unhealthy(format!("gRPC health is {}", other.proto_name())),
        Err(_) => Finding::unhealthy(format!("gRPC health is an unknown status {status}")),
    }
}

/// A status made from a failed connection (it carries the transport error
/// as its source) is unreachable; one the server sent is unhealthy.
fn finding_from_error_status(status: &tonic::Status) -> Finding {
    if let Some(connect) = find_cause::<ConnectError>(status) {
        return Finding::unreachable(connect.to_string());
    }
    if let Some(transport) = find_cause::<hyper_util::client::legacy::Error>(status) {
        let chain = describe_chain(transport);
        return if transport.is_connect() {
            Finding::unreachable(chain)
        } else {
            Finding::unhealthy(format!("gRPC transport error: {chain}"))
        };
    }
    match status.message() {
        "" => Finding::unhealthy(format!("gRPC error {:?}", status.code())),
        message => Finding::unhealthy(format!("gRPC error {:?}: {message}", status.code())),
    }
}

/// Connects the gRPC client through [`connect_tcp`], so its DNS and connect
/// failures read like those of TCP checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpConnector;

impl tower_service::Service<Uri> for TcpConnector {
    type Response = TokioIo<TcpStream>;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, ConnectError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ConnectError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(async move {
            let invalid = || ConnectError::InvalidTarget {
                target: uri.to_string(),
            };
            let host = uri.host().ok_or_else(invalid)?;
            // `Uri::host` keeps the brackets of an IPv6 literal.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = uri.port_u16().ok_or_else(invalid)?;
            let stream = connect_tcp(host, port).await?;
            Ok(TokioIo::new(stream))
        })
    }
}
