//! Every bad parameter of the Jaeger API gets a 400 whose error names it.

use serde_json::Value;

use crate::ingest_http::ready_app;

#[tokio::test]
async fn every_bad_parameter_is_a_400_naming_it() {
    let app = ready_app().await;
    let cases = [
        ("/api/traces", "service"),
        ("/api/traces?service=a&minDuration=abc", "minDuration"),
        ("/api/traces?service=a&maxDuration=1parsec", "maxDuration"),
        (
            "/api/traces?service=a&minDuration=2s&maxDuration=1s",
            "maxDuration",
        ),
        ("/api/traces?service=a&start=yesterday", "start"),
        ("/api/traces?service=a&end=soon", "end"),
        ("/api/traces?service=a&start=20&end=10", "start"),
        ("/api/traces?service=a&limit=many", "limit"),
        ("/api/traces?service=a&limit=-1", "limit"),
        ("/api/traces?service=a&tags=%5B1%5D", "tags"),
        ("/api/traces?service=a&tags=%7Bbroken", "tags"),
        ("/api/traces?service=a&tag=novalue", "tag"),
        ("/api/traces?service=a&lookback=forever", "lookback"),
        ("/api/traces?traceID=xyz", "traceID"),
        ("/api/traces/xyz", "traceID"),
        ("/api/operations", "service"),
        ("/api/operations?service=a&spanKind=sideways", "spanKind"),
        ("/api/dependencies?endTs=later", "endTs"),
        ("/api/dependencies?lookback=-5", "lookback"),
    ];
    for (path, parameter) in cases {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        let message = body["errors"][0]["msg"].as_str().unwrap_or_default();
        assert!(
            message.contains(parameter),
            "{path}: {message:?} should name {parameter}"
        );
        assert_eq!(body["errors"][0]["code"], 400, "{path}");
        assert_eq!(body["data"], Value::Null, "{path}");
    }
}
