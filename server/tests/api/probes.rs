use std::time::Duration;

use crate::helpers::{TestDatabase, config_for, spawn_app, spawn_app_with};

#[tokio::test]
async fn readyz_turns_ready_once_the_database_is_migrated() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;

    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn healthz_is_up_and_readyz_says_why_not_while_the_database_is_unreachable() {
    // Nothing listens on port 1: the server must still start and answer.
    let app = spawn_app_with(config_for("postgres://watchpost@127.0.0.1:1/watchpost")).await;

    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    // The icon too, to anyone: browsers ask for it beside plain-text
    // answers, and a 404 there is an error in their console.
    let icon = app
        .anonymous
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.headers()["retry-after"], "5");
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    assert_eq!(body["error"]["message"], "database unreachable");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_server_keeps_retrying_until_its_database_appears() {
    let database = TestDatabase::named(TestDatabase::unique_name());
    let app = spawn_app_with(config_for(&database.url)).await;

    // The database does not exist yet: not ready, but serving.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.get("/readyz").await.status(), 503);
    assert_eq!(app.get("/healthz").await.status(), 200);

    database.create_now().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.shutdown().await.unwrap();
    drop(database);
}
