//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export`
//! and `...metrics.v1.MetricsService/Export`, gzip accepted, over h2c on
//! the OTLP gRPC port.
//!
//! The service is wired by hand instead of with the generated server
//! because the generated one decodes with tonic-prost, which answers an
//! undecodable message with INTERNAL; OTLP wants INVALID_ARGUMENT, which
//! tells exporters not to retry.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tonic::codec::{
    Codec, CompressionEncoding, DecodeBuf, Decoder, EnabledCompressionEncodings, EncodeBuf, Encoder,
};
use tonic::codegen::{BoxFuture, Service, http};
use tonic::server::{Grpc, UnaryService};
use tonic::{Request, Response, Status};

use super::export::export_traces;
use super::metrics::export_metrics;
use crate::startup::ServerState;

const TRACES_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const METRICS_PATH: &str = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

/// The gRPC routes, ready for `axum::serve`.
pub fn router(state: ServerState) -> axum::Router {
    let max_message = state.ingest.max_decompressed;
    let server = OtlpServer {
        state: Arc::new(state),
        max_message,
    };
    axum::Router::new()
        .route_service(
            "/opentelemetry.proto.collector.trace.v1.TraceService/{*method}",
            server.clone(),
        )
        .route_service(
            "/opentelemetry.proto.collector.metrics.v1.MetricsService/{*method}",
            server,
        )
        .fallback(|| async {
            Status::unimplemented("no such service here").into_http::<axum::body::Body>()
        })
}

/// Both OTLP services; `call` tells them apart by path.
#[derive(Clone)]
struct OtlpServer {
    state: Arc<ServerState>,
    /// Tonic enforces the decoded size; beyond it the call fails with
    /// RESOURCE_EXHAUSTED, as an oversized HTTP body gets 413.
    max_message: usize,
}

impl<B> Service<http::Request<B>> for OtlpServer
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
            let path = request.uri().path();
            if path != TRACES_PATH && path != METRICS_PATH {
                return Ok(Status::unimplemented(
                    "only TraceService/Export and MetricsService/Export are served here",
                )
                .into_http());
            }
            // Before the message is read: an unknown caller costs no decoding.
            let authorization = request.headers().get(http::header::AUTHORIZATION);
            if let Err(error) = server.state.ingest_keys.authorize(authorization) {
                return Ok(Status::new(error.grpc_code(), error.to_string()).into_http());
            }
            let mut gzip = EnabledCompressionEncodings::default();
            gzip.enable(CompressionEncoding::Gzip);
            if request.uri().path() == METRICS_PATH {
                let mut grpc = Grpc::new(OtlpCodec::<ExportMetricsServiceRequest, _>::new())
                    .apply_compression_config(gzip, gzip)
                    .apply_max_message_size_config(Some(server.max_message), None);
                return Ok(grpc.unary(ExportMetrics(server.state), request).await);
            }
            let mut grpc = Grpc::new(OtlpCodec::<ExportTraceServiceRequest, _>::new())
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

/// One MetricsService Export call.
struct ExportMetrics(Arc<ServerState>);

impl UnaryService<ExportMetricsServiceRequest> for ExportMetrics {
    type Response = ExportMetricsServiceResponse;
    type Future = BoxFuture<Response<Self::Response>, Status>;

    fn call(&mut self, request: Request<ExportMetricsServiceRequest>) -> Self::Future {
        let state = self.0.clone();
        Box::pin(async move {
            let request = request.into_inner();
            match export_metrics(&state, move || Ok(request)).await {
                Ok(summary) => Ok(Response::new(ExportMetricsServiceResponse {
                    partial_success: summary.partial_success(),
                })),
                Err(error) => Err(Status::new(error.grpc_code(), error.to_string())),
            }
        })
    }
}

/// Protobuf both ways; a message that does not decode is INVALID_ARGUMENT.
struct OtlpCodec<Req, Resp>(PhantomData<fn() -> (Req, Resp)>);

impl<Req, Resp> OtlpCodec<Req, Resp> {
    fn new() -> Self {
        OtlpCodec(PhantomData)
    }
}

impl<Req, Resp> Codec for OtlpCodec<Req, Resp>
where
    Req: Message + Default + Send + 'static,
    Resp: Message + Send + 'static,
{
    type Encode = Resp;
    type Decode = Req;
    type Encoder = ResponseEncoder<Resp>;
    type Decoder = RequestDecoder<Req>;

    fn encoder(&mut self) -> Self::Encoder {
        ResponseEncoder(PhantomData)
    }

    fn decoder(&mut self) -> Self::Decoder {
        RequestDecoder(PhantomData)
    }
}

struct RequestDecoder<Req>(PhantomData<fn() -> Req>);

impl<Req: Message + Default + Send + 'static> Decoder for RequestDecoder<Req> {
    type Item = Req;
    type Error = Status;

    fn decode(&mut self, buffer: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Status> {
        Req::decode(buffer)
            .map(Some)
            .map_err(|error| Status::invalid_argument(format!("invalid OTLP protobuf: {error}")))
    }
}

struct ResponseEncoder<Resp>(PhantomData<fn() -> Resp>);

impl<Resp: Message + Send + 'static> Encoder for ResponseEncoder<Resp> {
    type Item = Resp;
    type Error = Status;

    fn encode(&mut self, item: Self::Item, buffer: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(buffer)
            .map_err(|error| Status::internal(format!("encoding the response: {error}")))
    }
}
