//! Ingest keys end to end: both OTLP transports refuse missing, wrong and
//! revoked keys; a revocation made only in the database (the CLI, another
//! replica) reaches the server within seconds; keys never show up in list
//! answers or in the logs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Parser;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use prost::Message;
use serde_json::{Value, json};
use server::cli::{Cli, Command};
use server::ingest::auth::REFRESH_EVERY;
use tonic::transport::Channel;

use crate::helpers::{TestApp, TestDatabase, config_with, spawn_app_with};
use crate::ingest_http::{PROTOBUF, full_request, now_ns};
use crate::log_capture::Captured;

async fn spawn_with_keys() -> TestApp {
    let database = TestDatabase::create().await;
    let mut app = spawn_app_with(config_with(&database.url, &["--ingest-auth", "required"])).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;
    app
}

/// Sends one small trace over OTLP/HTTP to `address`.
async fn post_traces(app: &TestApp, address: SocketAddr, key: Option<&str>) -> reqwest::Response {
    // Not the admin's client: its API token is not an ingest key.
    let mut request = app
        .anonymous
        .post(format!("http://{address}/v1/traces"))
        .header("content-type", PROTOBUF)
        .body(full_request(now_ns() - 1_000_000).encode_to_vec());
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("request reaches the server")
}

/// One Export over OTLP/gRPC; the status code it got.
async fn export_grpc(app: &TestApp, key: Option<&str>) -> tonic::Code {
    let channel = Channel::from_shared(format!("http://{}", app.otlp_grpc_address))
        .unwrap()
        .connect()
        .await
        .expect("grpc connects");
    let mut request = tonic::Request::new(full_request(now_ns() - 1_000_000));
    if let Some(key) = key {
        request
            .metadata_mut()
            .insert("authorization", format!("Bearer {key}").parse().unwrap());
    }
    match TraceServiceClient::new(channel).export(request).await {
        Ok(_) => tonic::Code::Ok,
        Err(status) => status.code(),
    }
}

pub async fn create_key(app: &TestApp, name: &str) -> String {
    let response = app
        .client
        .post(app.url("/api/v1/ingest-keys"))
        .json(&json!({ "name": name }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], name);
    let key = body["key"].as_str().expect("the key, this once").to_owned();
    assert!(key.starts_with(body["prefix"].as_str().unwrap()), "{body}");
    key
}

async fn list_text(app: &TestApp) -> String {
    let response = app.get("/api/v1/ingest-keys").await;
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// Polls OTLP/HTTP with `key` until it gets `status`; how long that took.
async fn until_http_status(app: &TestApp, key: &str, status: u16, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let got = post_traces(app, app.otlp_http_address, Some(key))
            .await
            .status();
        if got == status {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "still {got} after {within:?}, expected {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn cli(database_url: &str, args: &[&str]) -> Result<String, String> {
    let argv = ["watchpost", "key"]
        .iter()
        .chain(args)
        .copied()
        .chain(["--database-url", database_url]);
    let Some(Command::Key(args)) = Cli::try_parse_from(argv).unwrap().command else {
        panic!("not a key command");
    };
    server::ingest::auth::cli::run(args)
        .await
        .map_err(|error| error.to_string())
}

#[tokio::test]
async fn both_transports_need_a_good_key() {
    let app = spawn_with_keys().await;

    let missing = post_traces(&app, app.otlp_http_address, None).await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        post_traces(&app, app.address, None).await.status(),
        401,
        "the main port's /v1/traces is guarded too"
    );
    assert_eq!(export_grpc(&app, None).await, tonic::Code::Unauthenticated);

    let key = create_key(&app, "checkout").await;
    // The cache may still be on its first load: 503 until then, never 401.
    until_http_status(&app, &key, 200, Duration::from_secs(10)).await;
    assert_eq!(
        post_traces(&app, app.address, Some(&key)).await.status(),
        200
    );
    assert_eq!(export_grpc(&app, Some(&key)).await, tonic::Code::Ok);

    let wrong = format!("{}x", &key[..key.len() - 1]);
    let refused = post_traces(&app, app.otlp_http_address, Some(&wrong)).await;
    assert_eq!(refused.status(), 401);
    let text = refused.text().await.unwrap();
    assert!(!text.contains(&wrong), "the answer does not echo the key");
    assert_eq!(
        export_grpc(&app, Some(&wrong)).await,
        tonic::Code::Unauthenticated
    );

    // Last use is written in the background, within a refresh or two.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let keys: Value = serde_json::from_str(&list_text(&app).await).unwrap();
        if keys[0]["last_used_at"].is_string() {
            break;
        }
        assert!(Instant::now() < deadline, "last use never recorded: {keys}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let listed = list_text(&app).await;
    assert!(!listed.contains(&key), "the list never shows a key");
    assert!(!listed.contains("hash"), "{listed}");

    // Revoked here: refused here at once.
    let revoked = app
        .client
        .post(app.url("/api/v1/ingest-keys/checkout/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    let revoked = revoked.text().await.unwrap();
    assert!(!revoked.contains(&key), "{revoked}");
    assert!(revoked.contains("\"revoked_at\":\""), "{revoked}");
    assert_eq!(
        post_traces(&app, app.otlp_http_address, Some(&key))
            .await
            .status(),
        401
    );
    assert_eq!(
        export_grpc(&app, Some(&key)).await,
        tonic::Code::Unauthenticated
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_made_and_revoked_elsewhere_reach_the_server_within_seconds() {
    let app = spawn_with_keys().await;
    let url = app.database.as_ref().unwrap().url.clone();

    // The CLI writes only the database, as another replica would.
    let key = cli(&url, &["create", "--name", "batch-jobs"])
        .await
        .unwrap();
    let key = key.trim();
    assert!(key.starts_with("wpk_"), "{key}");
    until_http_status(&app, key, 200, Duration::from_secs(10)).await;

    let listed = cli(&url, &["list"]).await.unwrap();
    assert!(
        listed.contains("batch-jobs") && !listed.contains(key),
        "{listed}"
    );
    assert_eq!(
        cli(&url, &["create", "--name", "batch-jobs"]).await,
        Err("an ingest key called \"batch-jobs\" already exists".to_owned())
    );

    cli(&url, &["revoke", "batch-jobs"]).await.unwrap();
    let took = until_http_status(&app, key, 401, Duration::from_secs(10)).await;
    assert!(
        took <= REFRESH_EVERY + Duration::from_secs(2),
        "revocation took {took:?}"
    );
    assert_eq!(
        export_grpc(&app, Some(key)).await,
        tonic::Code::Unauthenticated
    );
    assert!(cli(&url, &["revoke", "nobody"]).await.is_err());
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_made_and_revoked_in_the_ui_work_on_this_server_at_once() {
    let app = spawn_with_keys().await;
    let rpc = |endpoint: &'static str, name: &'static str| {
        app.client
            .post(app.url(&format!("/rpc/{endpoint}")))
            .form(&[("name", name)])
            .send()
    };
    let made = rpc("create_ingest_key", "from-the-ui").await.unwrap();
    assert_eq!(made.status(), 200);
    let key: String = made.json().await.unwrap();
    // Well inside the cache's periodic refresh: the UI wakes it.
    let within = REFRESH_EVERY / 2;
    until_http_status(&app, &key, 200, within).await;
    let revoked = rpc("revoke_ingest_key", "from-the-ui").await.unwrap();
    assert_eq!(revoked.status(), 200);
    until_http_status(&app, &key, 401, within).await;
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_api_checks_names() {
    let app = spawn_with_keys().await;
    create_key(&app, "web").await;
    for body in [json!({ "name": "web" }), json!({ "name": "no spaces" })] {
        let response = app
            .client
            .post(app.url("/api/v1/ingest-keys"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{body}");
    }
    let missing = app
        .client
        .post(app.url("/api/v1/ingest-keys/nobody/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn keys_never_reach_the_logs() {
    let captured = Captured::default();
    let _guard = captured.install();

    let app = spawn_with_keys().await;
    let key = create_key(&app, "logged").await;
    until_http_status(&app, &key, 200, Duration::from_secs(10)).await;
    assert_eq!(export_grpc(&app, Some(&key)).await, tonic::Code::Ok);
    let wrong = format!("{key}x");
    assert_eq!(
        post_traces(&app, app.otlp_http_address, Some(&wrong))
            .await
            .status(),
        401
    );
    list_text(&app).await;
    let revoked = app
        .client
        .post(app.url("/api/v1/ingest-keys/logged/revoke"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    app.shutdown().await.unwrap();

    let log = captured.text();
    assert!(
        log.contains("ingest key created"),
        "the log was captured: {} bytes: {}",
        log.len(),
        &log[..log.len().min(1500)]
    );
    let secret = &key["wpk_".len()..];
    assert!(!log.contains(secret), "a key reached the log");
}

#[tokio::test]
async fn keys_cannot_be_switched_off_on_a_public_address() {
    let config = server::config::Config::try_parse_from([
        "watchpost",
        "--listen",
        "0.0.0.0:0",
        "--ingest-auth",
        "off",
        "--database-url",
        "postgres://x@127.0.0.1:1/x",
    ])
    .unwrap();
    let Err(error) = server::Application::build(config).await else {
        panic!("a public server without keys must not start");
    };
    assert!(
        matches!(error, server::StartupError::IngestAuth(_)),
        "{error}"
    );
}
