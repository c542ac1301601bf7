//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`,
//! gzip accepted, over h2c on the OTLP gRPC port.
//!
//! The service is wired by hand instead of with the generated server
//! because the generated one decodes with tonic-prost, which answers an
//! undecodable message with INTERNAL; OTLP wants INVALID_ARGUMENT, which
//! tells exporters not to retry.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tonic::codec::{
    Codec, CompressionEncoding, DecodeBuf, Decoder, EnabledCompressionEncodings, EncodeBuf, Encoder,
};
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::{Request, Response, Status};

use super::export::export_traces;
use crate::startup::ServerState;

const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/// The gRPC routes, ready for `axum::serve`.
pub fn router(state: ServerState) -> axum::Router {
    let max_message = state.ingest.max_decompressed;
    tonic::service::Routes::new(TraceServiceServer {
        state: Arc::new(state),
        max_message,
    })
    .into_axum_router()
}

#[derive(Clone)]
struct TraceServiceServer {
    state: Arc<ServerState>,
    /// Tonic enforces the decoded size; beyond it the call fails with
    /// RESOURCE_EXHAUSTED, as an oversized HTTP body gets 413.
    max_message: usize,
}

impl NamedService for TraceServiceServer {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
}

impl<B> Service<http::Request<B>> for TraceServiceServer
where
    B: tonic::codegen::Body + Send + 'static,
    B::Error: Into<tonic::codegen::StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let server = self.clone();
        Box::pin(async move {
            if request.uri().path() != EXPORT_PATH {
                return Ok(
                    Status::unimplemented("only TraceService/Export is served here").into_http(),
                );
            }
            // Before the message is read: an unknown caller costs no decoding.
            let authorization = request.headers().get(http::header::AUTHORIZATION);
            if let Err(error) = server.state.ingest_keys.authorize(authorization) {
                return Ok(Status::new(error.grpc_code(), error.to_string()).into_http());
            }
            let mut gzip = EnabledCompressionEncodings::default();
            gzip.enable(CompressionEncoding::Gzip);
            let mut grpc = Grpc::new(OtlpCodec)
                .apply_compression_config(gzip, gzip)
                .apply_max_message_size_config(Some(server.max_message), None);
            Ok(grpc.unary(Export(server.state), request).await)
        })
    }
}

/// One Export call.
struct Export(Arc<ServerState>);

impl UnaryService<ExportTraceServiceRequest> for Export {
    type Response = ExportTraceServiceResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;

    fn call(&mut self, request: Request<ExportTraceServiceRequest>) -> Self::Future {
        let state = self.0.clone();
        Box::pin(async move {
            let request = request.into_inner();
            match export_traces(&state, move || Ok(request)).await {
                Ok(summary) => Ok(Response::new(ExportTraceServiceResponse {
                    partial_success: summary.partial_success(),
                })),
                Err(error) => Err(Status::new(error.grpc_code(), error.to_string())),
            }
        })
    }
}

/// Protobuf both ways; a message that does not decode is INVALID_ARGUMENT.
struct OtlpCodec;

impl Codec for OtlpCodec {
    type Encode = ExportTraceServiceResponse;
    type Decode = ExportTraceServiceRequest;
    type Encoder = ResponseEncoder;
    type Decoder = RequestDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        ResponseEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        RequestDecoder
    }
}

struct RequestDecoder;

impl Decoder for RequestDecoder {
    type Item = ExportTraceServiceRequest;
    type Error = Status;

    fn decode(&mut self, buffer: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        ExportTraceServiceRequest::decode(buffer)
            .map(Some)
            .map_err(|error| Status::invalid_argument(format!("invalid OTLP protobuf: {error}")))
    }
}

struct ResponseEncoder;

impl Encoder for ResponseEncoder {
    type Item = ExportTraceServiceResponse;
    type Error = Status;

    fn encode(&mut self, item: Self::Item, buffer: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(buffer)
            .map_err(|error| Status::internal(format!("encoding the response: {error}")))
    }
}
