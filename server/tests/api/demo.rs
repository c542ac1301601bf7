//! `watchpost demo`: the simulated fleet reports over the server's own OTLP
//! listeners, serves real health endpoints that the server checks, and
//! keeps to a database of its own.

use std::time::{Duration, Instant};

use serde_json::Value;
use server::demo::DemoConfig;
use server::demo::database::prepare;

use crate::helpers::{TestDatabase, config_with, spawn_app_with};

fn demo_config(database_url: Option<String>) -> DemoConfig {
    DemoConfig {
        enabled: true,
        cycle: app::duration::HumanDuration(Duration::from_secs(40)),
        retention: app::duration::HumanDuration(Duration::from_secs(86_400)),
        database_url,
    }
}

/// Polls `probe` every 500 ms until it gives a value, for at most `within`.
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    within: Duration,
    what: &str,
    mut probe: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn the_demo_fleet_reports_checks_itself_and_goes_through_its_incidents() {
    let database = TestDatabase::create().await;
    let config = config_with(&database.url, &["--demo", "--demo-cycle", "40s"]);
    let url = prepare(
        &demo_config(Some(database.url.clone())),
        &config.database.settings(),
    )
    .await
    .expect("an empty database is fine for the demo");
    assert_eq!(url, database.url);
    let mut app = spawn_app_with(config).await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;

    // Seven services over gRPC, HTTP/protobuf and HTTP/JSON, each labelled.
    let services = eventually(Duration::from_secs(20), "seven services", || async {
        let services = app.get_json("/api/services").await["data"].clone();
        (services.as_array()?.len() == 7).then_some(services)
    })
    .await;
    for name in ["api-gateway", "notification-service", "database-service"] {
        assert!(
            services.as_array().unwrap().iter().any(|s| s == name),
            "{services}"
        );
    }
    let traces = app
        .get_json("/api/traces?service=api-gateway&limit=5&lookback=1h")
        .await;
    let processes: Vec<&Value> = traces["data"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["processes"].as_object().unwrap().values())
        .collect();
    assert!(processes.len() >= 3, "{traces}");
    for process in processes {
        let environment = process["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == "deployment.environment");
        assert_eq!(environment.unwrap()["value"], "demo", "{process}");
    }

    // A check per service, read-only, against real endpoints that answer.
    let checks = app.get_json("/api/v1/checks").await;
    let checks = checks.as_array().unwrap();
    assert_eq!(checks.len(), 7, "{checks:?}");
    assert!(checks.iter().all(|c| c["source"] == "demo"));
    let id = checks[0]["id"].as_i64().unwrap();
    let edit = app
        .client
        .delete(app.url(&format!("/api/v1/checks/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 409, "demo checks are not edited by hand");

    // Rules tuned to the cycle, and the p95 rule added.
    let rules = app.get_json("/api/v1/rules").await;
    let rules = rules.as_array().unwrap();
    let rule = |name: &str| rules.iter().find(|r| r["name"] == name).cloned().unwrap();
    assert_eq!(rule("High error rate")["window_secs"], 60);
    assert_eq!(rule("Order latency p95")["statistic"], "p95");

    // The database incident (from 10 s to 18 s of the 40 s cycle): its
    // endpoint stops answering, and its callers report it down.
    let (database_result, caller_result) = eventually(
        Duration::from_secs(45),
        "the database incident in the checks",
        || async {
            let checks = app.get_json("/api/v1/checks").await;
            let result = |name: &str| {
                checks
                    .as_array()?
                    .iter()
                    .find(|c| c["service"] == name)?
                    .get("last_result")
                    .cloned()
            };
            let database = result("database-service")?;
            let caller = result("order-service")?;
            let down = database["state"] == "unreachable" || database["state"] == "unhealthy";
            let degraded = caller["state"] == "degraded";
            (down && degraded).then_some((database, caller))
        },
    )
    .await;
    assert!(
        database_result["reason"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{database_result}"
    );
    let dependencies = caller_result["dependencies"].as_array().unwrap();
    assert!(
        dependencies
            .iter()
            .any(|d| d["name"] == "database-service" && d["state"] != "healthy"),
        "{caller_result}"
    );

    // Memory gauges arrive, the leak included.
    let memory: f64 = eventually(Duration::from_secs(30), "the leak past 80 %", || async {
        sqlx::query_scalar::<_, f64>(
            "select max(p.value) from metric_points p join metric_streams s on s.id = p.stream_id \
             where s.service = 'notification-service' and s.name = 'process.memory.utilization'",
        )
        .fetch_optional(&mut database.connect().await)
        .await
        .ok()
        .flatten()
        .filter(|memory| *memory > 0.8)
    })
    .await;
    assert!(memory > 0.8, "the leak passes 80 %: {memory}");
    app.shutdown()
        .await
        .expect("the demo stops with the server");
}

#[tokio::test]
async fn where_ingest_keys_are_required_the_demo_makes_its_own_and_retires_the_last() {
    let database = TestDatabase::create().await;
    let flags = ["--demo", "--demo-cycle", "4m", "--ingest-auth", "required"];
    let spans = || async { database.span_count().await.unwrap_or(0) };
    let mut admin: Option<reqwest::Client> = None;
    for run in 1..=2 {
        let before = spans().await;
        let mut app = spawn_app_with(config_with(&database.url, &flags)).await;
        app.wait_until_ready(Duration::from_secs(20)).await;
        // The same admin (an API token) on the second start.
        match &admin {
            Some(client) => app.client = client.clone(),
            None => {
                app.sign_in_as_admin().await;
                admin = Some(app.client.clone());
            }
        }
        // Spans get in only with the key the demo made for itself.
        eventually(
            Duration::from_secs(20),
            &format!("the fleet's spans, run {run}"),
            || async { (spans().await > before + 50).then_some(()) },
        )
        .await;
        let (_, keys) = fleet_state(&app).await;
        assert_eq!(keys.len(), run, "{keys:?}");
        let active = keys.iter().filter(|(_, active)| *active).count();
        assert_eq!(active, 1, "one key in use, the last one revoked: {keys:?}");
        app.shutdown().await.unwrap();
        // Key names carry the second they were made.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
}

#[tokio::test]
async fn replicas_on_one_database_run_one_fleet_and_the_next_takes_over() {
    let database = TestDatabase::create().await;
    let flags = ["--demo", "--demo-cycle", "4m", "--ingest-auth", "required"];
    let spans = || async { database.span_count().await.unwrap_or(0) };
    let mut first = spawn_app_with(config_with(&database.url, &flags)).await;
    first.wait_until_ready(Duration::from_secs(20)).await;
    first.sign_in_as_admin().await;
    let (first_targets, first_keys) =
        eventually(Duration::from_secs(20), "the first fleet", || async {
            let state = fleet_state(&first).await;
            (state.0.len() == 7 && spans().await > 50).then_some(state)
        })
        .await;
    assert_eq!(first_keys.len(), 1, "{first_keys:?}");

    // A second replica waits: it neither moves the checks to its own
    // endpoints nor revokes the first one's key, and spans keep coming.
    let mut second = spawn_app_with(config_with(&database.url, &flags)).await;
    second.wait_until_ready(Duration::from_secs(20)).await;
    second.client = first.client.clone();
    tokio::time::sleep(Duration::from_secs(8)).await;
    let before = spans().await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        spans().await > before,
        "the first fleet still gets its spans in"
    );
    assert_eq!(
        fleet_state(&second).await,
        (first_targets.clone(), first_keys)
    );

    // When the first stops, the second takes over with its own endpoints
    // and key, the first's key revoked.
    first.shutdown().await.unwrap();
    let (targets, keys) = eventually(Duration::from_secs(20), "the takeover", || async {
        let state = fleet_state(&second).await;
        (state.0.len() == 7 && state.0 != first_targets && state.1.len() == 2).then_some(state)
    })
    .await;
    assert!(
        targets.iter().all(|t| t.starts_with("http://127.0.0.1:")),
        "{targets:?}"
    );
    assert_eq!(
        keys.iter().filter(|(_, active)| *active).count(),
        1,
        "{keys:?}"
    );
    let before = spans().await;
    eventually(
        Duration::from_secs(10),
        "the second fleet's spans",
        || async { (spans().await > before + 20).then_some(()) },
    )
    .await;
    second.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_demo_keeps_to_a_database_of_its_own() {
    // By default: the server's database with `_demo` appended, made for it.
    let server = TestDatabase::create().await;
    let own = TestDatabase::named(format!("{}_demo", server.name));
    let config = config_with(&server.url, &[]);
    let url = prepare(&demo_config(None), &config.database.settings())
        .await
        .expect("the demo makes its database");
    assert_eq!(url, own.url);
    let marked: bool =
        sqlx::query_scalar("select exists (select 1 from settings where key = 'demo_fleet')")
            .fetch_one(&mut own.connect().await)
            .await
            .unwrap();
    assert!(marked);

    // A database with real services in it is refused, with the way out.
    let mut app = spawn_app_with(config).await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;
    assert!(!page_has_demo_badge(&app).await, "real data is not badged");
    send_real_span(&app).await;
    let refused = prepare(
        &demo_config(Some(server.url.clone())),
        &app_settings(&server.url),
    )
    .await
    .expect_err("a database with real data is refused");
    let message = refused.to_string();
    assert!(message.contains("not the demo's"), "{message}");
    assert!(message.contains("--demo-database-url"), "{message}");
    app.shutdown().await.unwrap();

    // A server started without --demo on the demo's database still says
    // whose data it shows.
    let mut on_demo_data = spawn_app_with(config_with(&own.url, &[])).await;
    on_demo_data.wait_until_ready(Duration::from_secs(20)).await;
    on_demo_data.sign_in_as_admin().await;
    eventually(Duration::from_secs(10), "the demo badge", || async {
        page_has_demo_badge(&on_demo_data).await.then_some(())
    })
    .await;
    on_demo_data.shutdown().await.unwrap();
}

async fn page_has_demo_badge(app: &crate::helpers::TestApp) -> bool {
    let response = app.client.get(app.url("/services")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response
        .text()
        .await
        .unwrap()
        .contains("data-testid=\"demo-badge\"")
}

/// One span of a real service, "checkout".
async fn send_real_span(app: &crate::helpers::TestApp) {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use opentelemetry_proto::tonic::trace::v1::Span;
    use prost::Message;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let span = Span {
        trace_id: vec![7; 16],
        span_id: vec![7; 8],
        name: "GET /cart".into(),
        kind: 2,
        start_time_unix_nano: now - 5_000_000,
        end_time_unix_nano: now,
        ..Default::default()
    };
    let request = ExportTraceServiceRequest {
        resource_spans: vec![crate::otlp_build::resource_spans("checkout", vec![span])],
    };
    crate::alerts::send(app, "/v1/traces", request.encode_to_vec()).await;
}

fn app_settings(url: &str) -> app::storage::DatabaseSettings {
    config_with(url, &[]).database.settings()
}

/// Each check's URL (a health endpoint, on the loopback ports of the
/// replica running the fleet), sorted, and the demo's ingest keys as
/// (name, active).
async fn fleet_state(app: &crate::helpers::TestApp) -> (Vec<String>, Vec<(String, bool)>) {
    let checks = app.get_json("/api/v1/checks").await;
    let mut targets: Vec<String> = checks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["url"].as_str().unwrap().to_owned())
        .collect();
    targets.sort();
    let keys = app.get_json("/api/v1/ingest-keys").await;
    let keys = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_owned(),
                k["revoked_at"].is_null(),
            )
        })
        .filter(|(name, _)| name.starts_with("demo-fleet-"))
        .collect();
    (targets, keys)
}
