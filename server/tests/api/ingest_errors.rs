//! OTLP/HTTP when things are not fine: invalid spans, bad requests, a full
//! queue, an unreachable database.

use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use tokio::net::TcpListener;

use crate::helpers::{config_with, spawn_app_with};
use crate::ingest_http::{PROTOBUF, full_request, json_request, now_ns, post, ready_app};

#[tokio::test]
async fn bad_spans_are_reported_and_good_ones_stored() {
    let app = ready_app().await;
    let mut request = full_request(now_ns() - 1_000_000);
    let spans = &mut request.resource_spans[0].scope_spans[0].spans;
    spans[1].span_id = vec![1, 2, 3];
    let response = post(&app, true, PROTOBUF, false, request.encode_to_vec()).await;
    assert_eq!(response.status(), 200);
    let body = ExportTraceServiceResponse::decode(response.bytes().await.unwrap()).unwrap();
    let partial = body.partial_success.expect("partial success reported");
    assert_eq!(partial.rejected_spans, 1);
    assert_eq!(
        partial.error_message,
        "1 span rejected: resourceSpans[0].scopeSpans[0].spans[1]: span id must be 8 bytes, got 3"
    );

    let stored = app.database.as_ref().unwrap().span_count().await.unwrap();
    assert_eq!(stored, 1);

    // The JSON answer carries the count as an OTLP/JSON int64 string.
    let json = json_request(now_ns()).replace("EEE19B7EC3C1B174", "00");
    let response = post(&app, true, "application/json", false, json.into_bytes()).await;
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["partialSuccess"]["rejectedSpans"], "1");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn malformed_oversized_and_unsupported_requests_get_clear_errors() {
    let database = crate::helpers::TestDatabase::create().await;
    let app = spawn_app_with(config_with(&database.url, &["--ingest-max-body", "1KiB"])).await;
    app.wait_until_ready(Duration::from_secs(20)).await;

    let garbage = post(
        &app,
        true,
        PROTOBUF,
        false,
        b"\xff\xff\xff not protobuf".to_vec(),
    )
    .await;
    assert_eq!(garbage.status(), 400);
    let body: serde_json::Value = post(&app, true, "application/json", false, b"[1,2]".to_vec())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 3, "InvalidArgument");
    assert!(
        body["message"].as_str().unwrap().contains("OTLP/JSON"),
        "{body}"
    );

    let too_big = post(&app, true, PROTOBUF, false, vec![0; 4096]).await;
    assert_eq!(too_big.status(), 413);

    let wrong_type = post(&app, true, "text/plain", false, b"hello".to_vec()).await;
    assert_eq!(wrong_type.status(), 415);

    let wrong_encoding = app
        .client
        .post(format!("http://{}/v1/traces", app.otlp_http_address))
        .header("content-type", PROTOBUF)
        .header("content-encoding", "br")
        .body(vec![1, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_encoding.status(), 415);
    app.shutdown().await.unwrap();
    drop(database);
}

#[tokio::test]
async fn an_unreachable_database_is_a_retryable_503() {
    let app = spawn_app_with(crate::helpers::config_for("postgres://x@127.0.0.1:1/x")).await;
    let request = full_request(now_ns());
    let response = post(&app, true, PROTOBUF, false, request.encode_to_vec()).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    app.shutdown().await.unwrap();
}

/// A PostgreSQL that accepts connections and never answers: writes hang
/// until the pool's acquire timeout.
async fn silent_database() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("postgres://x@{address}/x")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_is_refused_with_429_and_retry_after() {
    // Room for three spans; each request carries two.
    let app = spawn_app_with(config_with(
        &silent_database().await,
        &["--ingest-queue-spans", "3"],
    ))
    .await;
    let first = {
        let (client, url) = (
            app.client.clone(),
            format!("http://{}/v1/traces", app.otlp_http_address),
        );
        let body = full_request(now_ns()).encode_to_vec();
        tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", PROTOBUF)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    let second = post(
        &app,
        true,
        PROTOBUF,
        false,
        full_request(now_ns()).encode_to_vec(),
    )
    .await;
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()["retry-after"], "2");
    // The first is answered once its write gives up: retryable, not lost silently.
    assert_eq!(first.await.unwrap(), 503);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("watchpost_ingest_requests_refused_total 1\n"),
        "{metrics}"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn accepted_spans_are_counted_on_metrics() {
    let app = ready_app().await;
    let response = post(
        &app,
        true,
        PROTOBUF,
        false,
        full_request(now_ns() - 1000).encode_to_vec(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("watchpost_ingest_spans_accepted_total 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("watchpost_ingest_batches_total 1\n"),
        "{metrics}"
    );
    app.shutdown().await.unwrap();
}
