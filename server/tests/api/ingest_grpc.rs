//! OTLP/gRPC with a real tonic client over a real socket.

use std::time::Duration;

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
    let mut db = app.database.as_ref().unwrap().connect().await;
    sqlx::query_scalar("select count(*) from spans")
        .fetch_one(&mut db)
        .await
        .unwrap()
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
