//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`,
//! gzip accepted, over h2c on the OTLP gRPC port.

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status};

use super::export::export_traces;
use crate::startup::ServerState;

pub struct OtlpTraceService {
    state: ServerState,
}

#[tonic::async_trait]
impl TraceService for OtlpTraceService {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let request = request.into_inner();
        match export_traces(&self.state, move || Ok(request)).await {
            Ok(summary) => Ok(Response::new(ExportTraceServiceResponse {
                partial_success: summary.partial_success(),
            })),
            Err(error) => Err(Status::new(error.grpc_code(), error.to_string())),
        }
    }
}

/// The gRPC routes, ready for `axum::serve`.
pub fn router(state: ServerState) -> axum::Router {
    // Tonic enforces the decoded size; beyond it the call fails with
    // RESOURCE_EXHAUSTED, like an oversized HTTP body gets 413.
    let max_message = state.ingest.max_decompressed;
    let service = TraceServiceServer::new(OtlpTraceService { state })
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(max_message);
    tonic::service::Routes::new(service).into_axum_router()
}
