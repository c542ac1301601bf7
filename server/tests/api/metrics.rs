use std::time::Duration;

use crate::helpers::spawn_app;

#[tokio::test]
async fn metrics_are_prometheus_text_with_our_own_counters() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    assert_eq!(app.get("/no/such/page").await.status(), 404);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.unwrap();

    assert!(
        text.contains("# TYPE watchpost_http_responses_total counter"),
        "{text}"
    );
    assert!(text.contains("watchpost_database_ready 1\n"), "{text}");
    assert!(text.contains(&format!(
        "watchpost_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    )));
    let count = |class: &str| -> u64 {
        let prefix = format!("watchpost_http_responses_total{{code=\"{class}\"}} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap()
            .parse()
            .unwrap()
    };
    // wait_until_ready got at least one 200 (and maybe some 503s); then one 404.
    assert!(count("2xx") >= 1, "{text}");
    assert_eq!(count("4xx"), 1, "{text}");
    app.shutdown().await.unwrap();
}
