use std::time::Duration;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_section_is_rendered_on_the_server() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;

    for (path, heading) in [
        ("/", "Services"),
        ("/services", "Services"),
        ("/services/checkout", "checkout"),
        ("/traces", "Traces"),
        (
            "/traces/4bf92f3577b34da6a3ce929d0e0e4736",
            "Trace 4bf92f3577b34da6a3ce929d0e0e4736",
        ),
        ("/map", "Service map"),
        ("/health", "Health"),
        ("/health/new", "Add a health check"),
        ("/health/payments-http", "No such health check"),
        ("/status", "Service status"),
        ("/alerts", "Alerts"),
        ("/send-data", "Send data"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        // Leptos adds hydration markers (`<!>`) after dynamic text.
        assert!(html.contains(&format!("<h1>{heading}<")), "{path}: {html}");
        // Health checks and the status page are not about sending OTLP.
        if !path.starts_with("/health") && path != "/status" {
            assert!(
                html.contains("OTEL_EXPORTER_OTLP_ENDPOINT"),
                "{path} explains how to send data"
            );
        }
        assert!(
            html.contains("/pkg/watchpost.js"),
            "{path} loads the client bundle"
        );
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_paths_are_404_pages() {
    let app = spawn_app().await;
    let response = app.get("/definitely/not/here").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn path_parameters_are_escaped_in_the_html() {
    let app = spawn_app().await;
    let html = app
        .get("/services/%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    // In the page body as escaped text, in the document title defused.
    assert!(
        html.contains("<h1>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<title>‹/title›‹script›alert(1)‹/script› · Watchpost</title>"),
        "{html}"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_instance_status_server_function_reports_the_database() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    let response = app
        .client
        .post(app.url("/rpc/instance_status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let status: serde_json::Value = response.json().await.unwrap();
    assert_eq!(status["database"], "Ready");
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    app.shutdown().await.unwrap();
}
