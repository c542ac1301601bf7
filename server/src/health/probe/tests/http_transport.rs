//! HTTP checks when the target misbehaves below HTTP: too slow, endless,
//! absent, unresolvable, not TLS, not HTTP, or a bad spec.

use std::sync::atomic::Ordering;

use super::targets::{serve_app, serve_endless_body, serve_raw, serve_raw_http};
use super::*;

#[tokio::test]
async fn slow_target_times_out_on_time() {
    let addr = serve_app().await;
    let mut spec = http_spec(addr, "/slow");
    spec.timeout_ms = 300;
    let started = Instant::now();
    let result = probe(&spec).await;
    assert_verdict(&result, CheckState::Unreachable, "timed out after 300 ms");
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(result.latency_ms >= 300.0, "{result:?}");
}

#[tokio::test]
async fn endless_body_is_cut_at_the_cap() {
    let (addr, sent) = serve_endless_body().await;
    let mut spec = http_spec(addr, "/");
    spec.conditions = vec![Condition::BodyContains("never there".to_owned())];
    let result = probe(&spec).await;
    assert_verdict(&result, CheckState::Unhealthy, "(body cut at 1 MiB)");
    assert_eq!(result.http_status, Some(200));
    assert!(
        result.latency_ms < 900.0,
        "stopped by the cap, not the timeout"
    );

    // The server stops once the probe hangs up: the body was not drained.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent_mib = sent.load(Ordering::Relaxed) / (1024 * 1024);
    assert!(sent_mib < 64, "server sent {sent_mib} MiB");
}

#[tokio::test]
async fn endless_body_without_body_conditions_is_healthy() {
    let (addr, _sent) = serve_endless_body().await;
    let result = probe(&http_spec(addr, "/")).await;
    assert_verdict(&result, CheckState::Healthy, "");
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    let port = closed_port().await;
    let spec = spec(CheckType::Http, format!("http://127.0.0.1:{port}/"), 1000);
    assert_verdict(
        &probe(&spec).await,
        CheckState::Unreachable,
        "connection refused",
    );
}

#[tokio::test]
async fn unresolvable_host_is_unreachable() {
    let spec = spec(CheckType::Http, "http://nohost.invalid/healthz", 1000);
    let result = probe(&spec).await;
    assert_verdict(
        &result,
        CheckState::Unreachable,
        "DNS lookup failed for nohost.invalid",
    );
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_a_tls_error() {
    let addr = serve_app().await;
    let spec = spec(CheckType::Http, format!("https://{addr}/healthz"), 1000);
    let result = probe(&spec).await;
    assert_verdict(&result, CheckState::Unreachable, "TLS error: ");
}

#[tokio::test]
async fn garbage_instead_of_http_fails_without_hanging() {
    let addr = serve_raw(b"SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n").await;
    let result = probe(&http_spec(addr, "/")).await;
    assert_ne!(result.state, CheckState::Healthy, "{result:?}");
    assert!(!reason(&result).is_empty(), "{result:?}");
}

#[tokio::test]
async fn silent_listener_times_out() {
    let addr = serve_raw(b"").await;
    let mut spec = http_spec(addr, "/");
    spec.timeout_ms = 300;
    assert_verdict(
        &probe(&spec).await,
        CheckState::Unreachable,
        "timed out after 300 ms",
    );
}

#[tokio::test]
async fn stalled_body_times_out_keeping_the_status() {
    let addr = serve_raw_http(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten..").await;
    let mut spec = http_spec(addr, "/");
    spec.timeout_ms = 300;
    let result = probe(&spec).await;
    assert_verdict(
        &result,
        CheckState::Unreachable,
        "timed out after 300 ms reading the body",
    );
    assert_eq!(result.http_status, Some(200));
}

#[tokio::test]
async fn bad_specs_are_reported_not_sent() {
    let addr = serve_app().await;
    let mut bad_header = http_spec(addr, "/healthz");
    bad_header
        .headers
        .insert("bad header".to_owned(), "x".to_owned());
    let mut bad_method = http_spec(addr, "/healthz");
    bad_method.method = "GE T".to_owned();
    let bad_url = spec(CheckType::Http, "not a url", 1000);
    let bad_scheme = spec(CheckType::Http, "ftp://example.com/", 1000);
    for spec in [bad_header, bad_method, bad_url, bad_scheme] {
        assert_verdict(
            &probe(&spec).await,
            CheckState::Unreachable,
            "invalid check: ",
        );
    }
}
