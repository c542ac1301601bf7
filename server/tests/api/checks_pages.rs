//! What the Health pages and the public status page read and change,
//! through their server functions and the rendered HTML: the form's save
//! obeys the API's rules, the status page shows only what was chosen, and
//! services without checks are suggested with a URL taken from their spans.

use reqwest::Method;
use serde_json::{Value, json};

use crate::checks_api::send;
use crate::helpers::TestApp;
use crate::ingest_http::{now_ns, post, ready_app};

/// Calls a server function the way the browser does (URL-encoded form).
async fn call(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/rpc/{endpoint}")))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The check form's fields as the browser sends them.
fn form_fields<'a>(name: &'a str, target: &'a str, interval: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[name]", name),
        ("form[service]", "orders"),
        ("form[check_type]", "http"),
        ("form[target]", target),
        ("form[method]", "GET"),
        ("form[interval]", interval),
        ("form[timeout]", "1s"),
        ("form[expected_status]", "2xx"),
        ("form[headers]", ""),
        ("form[conditions]", "$.status == healthy"),
        ("form[failure_threshold]", "3"),
        ("form[success_threshold]", "1"),
        ("form[labels]", "team=core"),
        ("form[paused]", "true"),
        ("form[public]", "false"),
    ]
}

#[tokio::test]
async fn the_form_saves_with_the_api_rules_and_names_bad_fields() {
    let app = ready_app().await;

    let (status, body) = call(&app, "save_check", &form_fields("", "ftp://x", "100ms")).await;
    assert_eq!(
        status, 500,
        "server functions answer errors with 500: {body}"
    );
    let fields: Vec<&str> = body["InvalidInput"]
        .as_array()
        .unwrap_or_else(|| panic!("field errors expected: {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "target", "interval"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }

    let good = form_fields("orders health", "http://127.0.0.1:9/health", "10s");
    let (status, id) = call(&app, "save_check", &good).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_i64().unwrap();
    let (_, check) = send(&app, Method::GET, &format!("/api/v1/checks/{id}"), None).await;
    assert_eq!(check["source"], "ui");
    assert_eq!(check["labels"]["team"], "core");
    assert_eq!(check["conditions"][0]["json_path"], "$.status");
    assert_eq!(check["paused"], true);

    // The same name again is refused next to the name field.
    let (_, body) = call(&app, "save_check", &good).await;
    assert_eq!(body["InvalidInput"][0]["field"], "name", "{body}");

    // The check's page renders its settings.
    let html = app
        .get(&format!("/health/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("orders health"));
    assert!(html.contains("http://127.0.0.1:9/health"));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_status_page_shows_only_the_chosen_checks_and_nothing_else() {
    let app = ready_app().await;
    for (name, public) in [("Public API", true), ("Internal ledger", false)] {
        let check = json!({
            "name": name, "service": "secret-service-name", "type": "http",
            "url": "http://secret-host.internal:8080/health", "public": public,
            "labels": {"owner": "secret-team"}, "paused": true,
        });
        let (status, body) = send(&app, Method::POST, "/api/v1/checks", Some(check)).await;
        assert_eq!(status, 201, "{body}");
    }

    let (status, page) = call(&app, "status_page", &[]).await;
    assert_eq!(status, 200);
    let checks = page["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 1, "{page}");
    assert_eq!(checks[0]["name"], "Public API");
    assert_eq!(checks[0]["days"]["slots"].as_array().unwrap().len(), 90);

    let html = app.get("/status").await.text().await.unwrap();
    assert!(html.contains("Public API"), "{html}");
    for secret in [
        "Internal ledger",
        "secret-host",
        "secret-service-name",
        "secret-team",
    ] {
        assert!(!page.to_string().contains(secret), "{secret} in {page}");
        assert!(
            !html.contains(secret),
            "{secret} leaks into the status page"
        );
    }
    // No navigation into the app from the public page.
    assert!(!html.contains("class=\"topbar\""));
    app.shutdown().await.unwrap();
}

/// A server span of `service` that says where it listens.
fn served_span(service: &str, start: u64) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"{service}"}}}}]}},
        "scopeSpans":[{{"spans":[{{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
        "name":"GET /invoices","kind":2,"startTimeUnixNano":"{start}","endTimeUnixNano":"{end}",
        "attributes":[{{"key":"server.address","value":{{"stringValue":"{service}.internal"}}}},
                      {{"key":"server.port","value":{{"intValue":"8443"}}}},
                      {{"key":"url.scheme","value":{{"stringValue":"https"}}}}]}}]}}]}}]}}"#,
        end = start + 1_000_000
    )
}

#[tokio::test]
async fn services_without_a_check_are_suggested_with_the_url_they_serve() {
    let app = ready_app().await;
    let start = now_ns() - 60_000_000_000;
    for service in ["billing", "orders"] {
        let body = served_span(service, start).into_bytes();
        let response = post(&app, true, "application/json", false, body).await;
        assert_eq!(response.status(), 200);
    }
    let check = json!({"name": "orders health", "service": "orders", "type": "tcp",
                       "target": "127.0.0.1:9", "paused": true});
    send(&app, Method::POST, "/api/v1/checks", Some(check)).await;

    let (status, suggestions) = call(&app, "check_suggestions", &[("window", "range=1h")]).await;
    assert_eq!(status, 200, "{suggestions}");
    assert_eq!(
        suggestions,
        json!([{"service": "billing", "url": "https://billing.internal:8443/health"}])
    );
    let (status, overview) = call(&app, "health_overview", &[("window", "range=1h")]).await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["checks"][0]["name"], "orders health");
    assert_eq!(
        overview["checks"][0]["bar"]["slots"]
            .as_array()
            .unwrap()
            .len(),
        90
    );
    app.shutdown().await.unwrap();
}
