//! OTLP/gRPC with a real tonic client over a real socket.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::ingest_http::{full_request, now_ns};

async fn client(app: &TestApp) -> TraceServiceClient<Channel> {
    let channel = Channel::from_shared(format!("http://{}", app.otlp_grpc_address))
        .unwrap()
        .connect()
        .await
        .expect("grpc connects");
    TraceServiceClient::new(channel)
}

async fn stored_spans(app: &TestApp) -> i64 {
    app.database.as_ref().unwrap().span_count().await.unwrap()
}

#[tokio::test]
async fn export_over_grpc_plain_and_gzip() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;

    let mut plain = client(&app).await;
    let response = plain
        .export(full_request(now_ns() - 1_000_000))
        .await
        .expect("export succeeds");
    assert_eq!(response.into_inner().partial_success, None);

    let mut gzip = client(&app)
        .await
        .send_compressed(CompressionEncoding::Gzip);
    let mut request = full_request(now_ns() - 1_000_000);
    request.resource_spans[0].scope_spans[0].spans[0].trace_id[0] = 0xee;
    request.resource_spans[0].scope_spans[0].spans[1].trace_id[0] = 0xee;
    gzip.export(request).await.expect("gzip export succeeds");

    assert_eq!(stored_spans(&app).await, 4);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn grpc_reports_partial_success() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    let mut request = full_request(now_ns() - 1_000_000);
    request.resource_spans[0].scope_spans[0].spans[0].end_time_unix_nano = 1;
    let response = client(&app)
        .await
        .export(request)
        .await
        .unwrap()
        .into_inner();
    let partial = response.partial_success.expect("partial success");
    assert_eq!(partial.rejected_spans, 1);
    assert!(
        partial.error_message.contains("is before start time"),
        "{}",
        partial.error_message
    );
    assert_eq!(stored_spans(&app).await, 1);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn grpc_says_unavailable_while_the_database_is_down() {
    let app = spawn_app_with(crate::helpers::config_for("postgres://x@127.0.0.1:1/x")).await;
    let status = client(&app)
        .await
        .export(full_request(now_ns()))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unavailable);
    app.shutdown().await.unwrap();
}

/// Sends raw bytes as the Export message, to check how garbage is answered.
struct RawBytesCodec;

impl tonic::codec::Codec for RawBytesCodec {
    type Encode = Vec<u8>;
    type Decode = ExportTraceServiceResponse;
    type Encoder = RawEncoder;
    type Decoder = ResponseDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        RawEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        ResponseDecoder
    }
}

struct RawEncoder;

impl tonic::codec::Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(
        &mut self,
        item: Vec<u8>,
        buffer: &mut tonic::codec::EncodeBuf<'_>,
    ) -> Result<(), tonic::Status> {
        prost::bytes::BufMut::put_slice(buffer, &item);
        Ok(())
    }
}

struct ResponseDecoder;

impl tonic::codec::Decoder for ResponseDecoder {
    type Item = ExportTraceServiceResponse;
    type Error = tonic::Status;

    fn decode(
        &mut self,
        buffer: &mut tonic::codec::DecodeBuf<'_>,
    ) -> Result<Option<Self::Item>, tonic::Status> {
        use prost::Message;
        ExportTraceServiceResponse::decode(buffer)
            .map(Some)
            .map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

#[tokio::test]
async fn undecodable_messages_are_invalid_argument() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    let channel = Channel::from_shared(format!("http://{}", app.otlp_grpc_address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let path = tonic::codegen::http::uri::PathAndQuery::from_static(
        "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    );
    let status = grpc
        .unary(
            tonic::Request::new(vec![0xff, 0xff, 0xff, 0xff]),
            path,
            RawBytesCodec,
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(
        status.message().starts_with("invalid OTLP protobuf"),
        "{}",
        status.message()
    );
    app.shutdown().await.unwrap();
}
