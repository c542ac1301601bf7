//! `/api/v1/checks`: the registry over JSON, with one validation rule set
//! and every error named.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::ingest_http::ready_app;

/// One JSON API request: the status and the body (null if not JSON).
pub async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn field_names(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn checks_are_created_read_updated_paused_and_deleted() {
    let app = ready_app().await;
    use reqwest::Method;
    let body = json!({
        "name": "orders health", "service": "orders", "type": "http",
        "url": "http://127.0.0.1:9/health", "interval": "30s", "timeout": "2s",
        "expected_status": [200, "3xx"], "headers": {"X-Probe": "watchpost"},
        "conditions": [{"json_path": "$.status", "equals": "healthy"}],
        "labels": {"team": "core"}
    });
    let (status, created) = send(&app, Method::POST, "/api/v1/checks", Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["state"], "pending");
    assert_eq!(created["source"], "api");
    assert_eq!(created["interval"], "30s");
    assert_eq!(created["expected_status"], json!([200, "3xx"]));
    assert_eq!(created["failure_threshold"], 3, "defaults are filled in");
    assert_eq!(created["dependencies"], json!([]));

    let (status, again) = send(&app, Method::POST, "/api/v1/checks", Some(body)).await;
    assert_eq!(
        (status, field_names(&again)),
        (422, vec!["name".to_owned()])
    );

    let (status, list) = send(&app, Method::GET, "/api/v1/checks", None).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);

    let path = format!("/api/v1/checks/{id}");
    let edit =
        json!({"name": "orders tcp", "service": "orders", "type": "tcp", "target": "127.0.0.1:9"});
    let (status, updated) = send(&app, Method::PUT, &path, Some(edit)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["type"], "tcp");
    assert_eq!(updated["target"], "127.0.0.1:9");

    let (status, paused) = send(&app, Method::POST, &format!("{path}/pause"), None).await;
    assert_eq!((status, &paused["paused"]), (200, &json!(true)));
    let (_, resumed) = send(&app, Method::POST, &format!("{path}/resume"), None).await;
    assert_eq!(resumed["paused"], json!(false));

    assert_eq!(send(&app, Method::DELETE, &path, None).await.0, 204);
    let (status, missing) = send(&app, Method::GET, &path, None).await;
    assert_eq!(
        (status, &missing["error"]["code"]),
        (404, &json!("not_found"))
    );
    assert_eq!(send(&app, Method::DELETE, &path, None).await.0, 404);
}

#[tokio::test]
async fn bad_checks_are_refused_with_every_field_named() {
    let app = ready_app().await;
    use reqwest::Method;
    let (status, body) = send(
        &app,
        Method::POST,
        "/api/v1/checks",
        Some(json!({"name": "", "service": "s", "type": "http", "url": "ftp://x/", "interval": "500ms", "timeout": "1s"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let fields = field_names(&body);
    for field in ["name", "url", "interval"] {
        assert!(fields.contains(&field.to_owned()), "{field} in {fields:?}");
    }
    let messages = body["error"]["fields"].to_string();
    assert!(messages.contains("unknown scheme"), "{messages}");

    let (status, body) = send(
        &app,
        Method::POST,
        "/api/v1/checks",
        Some(json!({"name": "n", "service": "s", "type": "http", "url": "http://x/", "interval": "10s", "timeout": "20s"})),
    )
    .await;
    assert_eq!(
        (status, field_names(&body)),
        (422, vec!["timeout".to_owned()])
    );

    // Not JSON of the right shape: 400, with serde's message.
    let (status, body) = send(
        &app,
        Method::POST,
        "/api/v1/checks",
        Some(json!({"nmae": "typo"})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("nmae"),
        "{body}"
    );
}
