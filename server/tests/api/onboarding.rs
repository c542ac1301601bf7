//! The Send data page's server functions: endpoints as the reader's browser
//! reaches them, and services first seen since the page was opened.

use std::time::{Duration, Instant};

use app::model::site::{NewServices, SiteEndpoints};
use clap::Parser;
use prost::Message;

use crate::helpers::{TestApp, TestDatabase, spawn_app, spawn_app_with, spawn_app_with_flags};
use crate::ingest_http::{PROTOBUF, post};

/// One span of `service`, over OTLP/HTTP.
async fn send_span(app: &TestApp, service: &str) {
    let request = crate::alerts::requests(service, 1, 0, 1);
    let response = post(app, true, PROTOBUF, false, request.encode_to_vec()).await;
    assert_eq!(response.status(), 200);
}

async fn new_services(app: &TestApp, since_us: Option<i64>) -> NewServices {
    let form: Vec<(&str, String)> = since_us
        .map(|us| vec![("since_us", us.to_string())])
        .unwrap_or_default();
    let response = app
        .client
        .post(app.url("/rpc/new_services"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn site_endpoints(app: &TestApp, host: &str) -> SiteEndpoints {
    let response = app
        .client
        .post(app.url("/rpc/site_endpoints"))
        .header("host", host)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn only_services_first_seen_after_the_watch_began_count_as_new() {
    let app = spawn_app().await;
    send_span(&app, "already-here").await;
    let db = app.db();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !db
        .service_names()
        .await
        .unwrap()
        .contains(&"already-here".to_owned())
    {
        assert!(Instant::now() < deadline, "the first span was not stored");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let start = new_services(&app, None).await;
    assert_eq!(start.earlier, 1, "{start:?}");
    assert!(start.arrived.is_empty(), "{start:?}");

    // More spans of a known service are not a new service.
    send_span(&app, "already-here").await;
    send_span(&app, "newcomer").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let seen = loop {
        let seen = new_services(&app, Some(start.since_us)).await;
        if !seen.arrived.is_empty() || Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(seen.arrived, ["newcomer"], "{seen:?}");
    assert_eq!(seen.earlier, 1);
    assert_eq!(seen.since_us, start.since_us, "the watch keeps its start");

    // A start from before everything names every service, oldest first.
    let all = db
        .services_first_seen_after(chrono::DateTime::from_timestamp(0, 0), 10)
        .await
        .unwrap();
    assert_eq!(all.arrived, ["already-here", "newcomer"]);
    assert_eq!(all.earlier, 0);
    db.close().await;
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn loopback_listeners_are_shown_as_bound_and_need_no_key() {
    let app = spawn_app().await;
    let site = site_endpoints(&app, "watchpost.example:3000").await;
    assert_eq!(
        site.otlp_http,
        format!("http://127.0.0.1:{}", app.otlp_http_address.port())
    );
    assert_eq!(
        site.otlp_grpc,
        format!("http://127.0.0.1:{}", app.otlp_grpc_address.port())
    );
    assert!(!site.ingest_key_required);
    assert!(!site.demo);

    // The page and the empty states show the same, rendered on the server.
    for path in ["/send-data", "/services"] {
        let html = app.get(path).await.text().await.unwrap();
        assert!(html.contains(&site.otlp_http), "{path}: {html}");
        for default in ["127.0.0.1:4317<", "127.0.0.1:4318<"] {
            assert!(!html.contains(default), "{path} names a default port");
        }
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn listeners_on_every_interface_take_the_host_the_reader_used() {
    let database = TestDatabase::create().await;
    let config = server::config::Config::try_parse_from([
        "watchpost",
        "--listen",
        "127.0.0.1:0",
        "--otlp-http-listen",
        "0.0.0.0:0",
        "--otlp-grpc-listen",
        "0.0.0.0:0",
        "--database-url",
        &database.url,
        "--alert-interval",
        "1h",
    ])
    .unwrap();
    let mut app = spawn_app_with(config).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;

    let site = site_endpoints(&app, "Watchpost.Example:3000").await;
    assert_eq!(
        site.otlp_http,
        format!("http://watchpost.example:{}", app.otlp_http_address.port())
    );
    assert_eq!(
        site.otlp_grpc,
        format!("http://watchpost.example:{}", app.otlp_grpc_address.port())
    );
    // Reachable from elsewhere, so keys are on (`--ingest-auth auto`).
    assert!(site.ingest_key_required);
    // A Host that is not a plain name never reaches the page.
    let odd = site_endpoints(&app, "<img src=x>").await;
    assert!(odd.otlp_http.starts_with("http://localhost:"), "{odd:?}");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn public_urls_given_by_the_operator_are_shown_as_is() {
    let app = spawn_app_with_flags(&[
        "--otlp-http-public-url",
        "https://otel.example.com/ingest/",
        "--otlp-grpc-public-url",
        "https://otel-grpc.example.com:443",
    ])
    .await;
    let site = site_endpoints(&app, "10.1.2.3:3000").await;
    assert_eq!(site.otlp_http, "https://otel.example.com/ingest");
    assert_eq!(site.otlp_grpc, "https://otel-grpc.example.com:443");
    let html = app.get("/send-data").await.text().await.unwrap();
    assert!(
        html.contains("OTEL_EXPORTER_OTLP_ENDPOINT=https://otel.example.com/ingest"),
        "{html}"
    );
    app.shutdown().await.unwrap();

    // A URL that would break the snippets stops the server at the start,
    // saying why.
    let refused = server::config::Config::try_parse_from([
        "watchpost",
        "--otlp-grpc-public-url",
        "https://otel.example.com/grpc",
    ])
    .unwrap_err()
    .to_string();
    assert!(refused.contains("host and port"), "{refused}");
}
