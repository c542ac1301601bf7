use std::time::Duration;

use crate::helpers::spawn_app;

#[tokio::test]
async fn cancelling_stops_the_server_and_frees_its_port() {
    let app = spawn_app().await;
    app.wait_until_ready(Duration::from_secs(20)).await;
    let address = app.address;

    app.shutdown().await.expect("clean shutdown");

    let refused = tokio::net::TcpStream::connect(address).await;
    assert!(
        refused.is_err(),
        "nothing listens on {address} after shutdown"
    );
}

#[tokio::test]
async fn shutdown_is_prompt_even_while_the_database_is_unreachable() {
    // The migration job is sleeping between retries; it must not hold shutdown up.
    let app =
        crate::helpers::spawn_app_with(crate::helpers::config_for("postgres://x@127.0.0.1:1/x"))
            .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    app.shutdown().await.expect("clean shutdown");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
}
