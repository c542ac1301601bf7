//! TCP checks.

use super::targets::serve_raw;
use super::*;

#[tokio::test]
async fn listening_port_is_healthy() {
    let addr = serve_raw(b"hello\r\n").await;
    let result = probe(&spec(CheckType::Tcp, addr.to_string(), 500)).await;
    assert_verdict(&result, CheckState::Healthy, "");
    assert_eq!(result.http_status, None);
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    let target = format!("127.0.0.1:{}", closed_port().await);
    let result = probe(&spec(CheckType::Tcp, target, 500)).await;
    assert_verdict(&result, CheckState::Unreachable, "connection refused");
}

#[tokio::test]
async fn localhost_name_resolves_and_connects() {
    let addr = serve_raw(b"").await;
    let target = format!("localhost:{}", addr.port());
    assert_verdict(
        &probe(&spec(CheckType::Tcp, target, 500)).await,
        CheckState::Healthy,
        "",
    );
}

#[tokio::test]
async fn unresolvable_host_and_bad_targets_are_unreachable() {
    let dns = probe(&spec(CheckType::Tcp, "nohost.invalid:80", 500)).await;
    assert_verdict(
        &dns,
        CheckState::Unreachable,
        "DNS lookup failed for nohost.invalid",
    );
    let no_port = probe(&spec(CheckType::Tcp, "localhost", 500)).await;
    assert_verdict(&no_port, CheckState::Unreachable, "expected host:port");
}
