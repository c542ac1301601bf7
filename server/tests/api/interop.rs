//! Interoperability with exporters nobody here wrote: the official
//! OpenTelemetry SDKs for Python (from PyPI) and JavaScript (from npm) send
//! spans over every protocol they support, and the spans arrive complete.
//!
//! `./dev test` installs both SDKs: the Python one in `.watchpost/venv`
//! (its interpreter in WATCHPOST_INTEROP_PYTHON), the JavaScript one in
//! `end2end/node_modules`.

use std::path::PathBuf;
use std::time::Duration;

use app::model::attributes::AttributeValue;
use app::storage::codec::{self, Reader};
use sqlx::Row;

use crate::helpers::{TestApp, TestDatabase, config_with, spawn_app, spawn_app_with};
use crate::ingest_http::span_attributes;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs an exporter script against `app` and insists it succeeded.
async fn run_exporter(app: &TestApp, program: &str, script: &str, run_id: &str) {
    let output = exporter_output(app, program, script, run_id, &[]).await;
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs an exporter script against `app`, with some extra environment.
async fn exporter_output(
    app: &TestApp,
    program: &str,
    script: &str,
    run_id: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut command = std::process::Command::new(program);
    command
        .arg(repo_root().join(script))
        .env(
            "WATCHPOST_OTLP_HTTP",
            format!("http://{}", app.otlp_http_address),
        )
        .env(
            "WATCHPOST_OTLP_GRPC",
            format!("http://{}", app.otlp_grpc_address),
        )
        .env("INTEROP_RUN_ID", run_id)
        .envs(env.iter().copied());
    let what = format!("{program} {script}");
    // The server runs on this test's runtime: wait for the exporter off it.
    tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"))
}

/// Checks the two spans one SDK sent for `service`.
async fn assert_spans_complete(app: &TestApp, service: &str, run_id: &str) {
    let mut db = app.database.as_ref().unwrap().connect().await;
    let rows = sqlx::query(
        "select s.*, o.name, o.kind, r.attributes as resource_attributes, sc.name as scope_name,
                sc.version as scope_version
         from spans s
         join operations o on o.id = s.operation_id
         join services sv on sv.id = o.service_id
         join resources r on r.id = s.resource_id
         join scopes sc on sc.id = s.scope_id
         where sv.name = $1
         order by o.kind",
    )
    .bind(service)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "{service}: two spans");
    let (server, client) = (&rows[0], &rows[1]);

    assert_eq!(server.get::<String, _>("name"), "GET /interop", "{service}");
    assert_eq!(server.get::<i16, _>("kind"), 2, "{service}: SERVER");
    assert_eq!(server.get::<i16, _>("status_code"), 2, "{service}: ERROR");
    assert_eq!(
        server.get::<Option<String>, _>("status_message").as_deref(),
        Some("boom")
    );
    assert_eq!(
        server.get::<Option<i64>, _>("parent_span_id"),
        None,
        "{service}: root"
    );
    assert_eq!(server.get::<String, _>("scope_name"), "interop");
    assert_eq!(server.get::<String, _>("scope_version"), "1.0.0");

    let attributes = span_attributes(app, server.get("attributes")).await;
    let value = |key: &str| {
        attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
    };
    assert_eq!(
        value("http.request.method"),
        Some(AttributeValue::String("GET".into())),
        "{service}"
    );
    assert_eq!(
        value("http.response.status_code"),
        Some(AttributeValue::Int(200)),
        "{service}"
    );
    assert_eq!(
        value("interop.flag"),
        Some(AttributeValue::Bool(true)),
        "{service}"
    );
    assert_eq!(
        value("interop.ratio"),
        Some(AttributeValue::Double(0.5)),
        "{service}"
    );
    assert_eq!(
        value("interop.tags"),
        Some(AttributeValue::Array(vec![
            AttributeValue::String("a".into()),
            AttributeValue::String("b".into())
        ])),
        "{service}"
    );
    let start: i64 = server.get("start_ns");
    let events = Reader::new(
        server
            .get::<Option<&[u8]>, _>("events")
            .expect("events stored"),
    )
    .events(start)
    .unwrap();
    assert_eq!(events[0].name, "exception");
    assert_eq!(
        events[0].attributes[0].value,
        AttributeValue::String("boom".into())
    );

    let resource = codec::decode_attributes(server.get("resource_attributes")).unwrap();
    assert!(
        resource
            .iter()
            .any(|a| a.key == "interop.run" && a.value == AttributeValue::String(run_id.into())),
        "{service}: resource attributes kept"
    );

    assert_eq!(client.get::<String, _>("name"), "SELECT interop");
    assert_eq!(client.get::<i16, _>("kind"), 3, "{service}: CLIENT");
    assert_eq!(
        client.get::<Option<i64>, _>("parent_span_id"),
        Some(server.get::<i64, _>("span_id"))
    );
    assert_eq!(
        client.get::<Vec<u8>, _>("trace_id"),
        server.get::<Vec<u8>, _>("trace_id")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_exports_over_http_protobuf_and_grpc() {
    let python = std::env::var("WATCHPOST_INTEROP_PYTHON")
        .expect("WATCHPOST_INTEROP_PYTHON must name a Python with the OpenTelemetry SDK; `./dev test` sets it");
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    run_exporter(&app, &python, "end2end/interop/python_export.py", "py-run").await;
    for protocol in ["http-protobuf", "grpc"] {
        assert_spans_complete(&app, &format!("interop-python-{protocol}"), "py-run").await;
    }
    app.shutdown().await.unwrap();
}

/// The stock way to send a key: `OTEL_EXPORTER_OTLP_HEADERS`, its value
/// percent-encoded as the specification has it, over both protocols.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_sends_an_ingest_key_from_its_environment() {
    let python = std::env::var("WATCHPOST_INTEROP_PYTHON")
        .expect("WATCHPOST_INTEROP_PYTHON must name a Python with the OpenTelemetry SDK; `./dev test` sets it");
    let database = TestDatabase::create().await;
    let mut app = spawn_app_with(config_with(&database.url, &["--ingest-auth", "required"])).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;
    let script = "end2end/interop/python_export.py";

    let refused = exporter_output(&app, &python, script, "py-nokey", &[]).await;
    assert!(!refused.status.success(), "no key, no export");

    let key = crate::ingest_keys::create_key(&app, "python").await;
    let headers = format!("Authorization=Bearer%20{key}");
    let env = [("OTEL_EXPORTER_OTLP_HEADERS", headers.as_str())];
    // A fresh server may still be loading its keys (503, retried by the
    // SDK); give it a few tries rather than depend on the SDK's back-off.
    let mut output = exporter_output(&app, &python, script, "py-key", &env).await;
    for _ in 0..5 {
        if output.status.success() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        output = exporter_output(&app, &python, script, "py-key", &env).await;
    }
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_javascript_sdk_exports_over_http_json_http_protobuf_and_grpc() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    run_exporter(&app, "node", "end2end/interop/js_export.mjs", "js-run").await;
    for protocol in ["http-json", "http-protobuf", "grpc"] {
        assert_spans_complete(&app, &format!("interop-js-{protocol}"), "js-run").await;
    }
    app.shutdown().await.unwrap();
}
