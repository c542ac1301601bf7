//! Targets the tests probe: an axum app with one route per behaviour, and raw
//! TCP servers for what axum will not do (garbage, an endless body).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Serves `router` on a fresh port (HTTP/1 and h2c) until the test ends.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    addr
}

/// The app behind the HTTP tests.
pub async fn serve_app() -> SocketAddr {
    serve(app()).await
}

fn app() -> Router {
    Router::new()
        .route("/healthz", get(|| async { axum::Json(healthy_body()) }))
        .route("/degraded", get(|| async { axum::Json(degraded_body()) }))
        .route("/down", get(down))
        .route("/teapot", get(|| async { StatusCode::IM_A_TEAPOT }))
        .route("/json", get(|| async { axum::Json(plain_json()) }))
        .route("/garbage", get(|| async { "{\"status\": up, oops" }))
        .route("/echo", get(echo_token))
        .route("/loop", get(|| async { Redirect::temporary("/loop") }))
        .route("/hop", get(|| async { Redirect::temporary("/healthz") }))
        .route("/slow", get(|| sleep_then_ok(Duration::from_secs(3))))
        .route(
            "/slowish",
            get(|| sleep_then_ok(Duration::from_millis(150))),
        )
}

fn healthy_body() -> serde_json::Value {
    json!({
        "status": "ok",
        "version": "1.2.3",
        "dependencies": [{"name": "db", "status": "up"}]
    })
}

fn degraded_body() -> serde_json::Value {
    json!({
        "status": "degraded",
        "version": "1.2.3",
        "dependencies": {"db": {"status": "down"}, "cache": {"status": "up"}}
    })
}

fn plain_json() -> serde_json::Value {
    json!({"state": "running", "count": 3, "build": {"version": "2.4.1", "tags": ["stable", "eu"]}})
}

async fn down() -> impl IntoResponse {
    let body = json!({"status": "down", "dependencies": {"db": {"status": "down"}}});
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body))
}

async fn echo_token(headers: HeaderMap) -> String {
    let token = headers.get("x-probe-token").and_then(|v| v.to_str().ok());
    format!("token={}", token.unwrap_or("none"))
}

async fn sleep_then_ok(pause: Duration) -> &'static str {
    tokio::time::sleep(pause).await;
    "ok"
}

/// A TCP server that answers every connection with `reply` at once, as a
/// non-HTTP service sends its banner, then holds it open for a while.
pub async fn serve_raw(reply: &'static [u8]) -> SocketAddr {
    serve_raw_after(false, reply).await
}

/// Like [`serve_raw`], but reads the request head before sending `reply`.
pub async fn serve_raw_http(reply: &'static [u8]) -> SocketAddr {
    serve_raw_after(true, reply).await
}

async fn serve_raw_after(wait_for_request: bool, reply: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                if wait_for_request && read_request_head(&mut stream).await.is_err() {
                    return;
                }
                let _ = stream.write_all(reply).await;
                tokio::time::sleep(Duration::from_secs(3)).await;
            });
        }
    });
    addr
}

/// Bytes the endless server sends at most per connection: far past the cap,
/// yet bounded so the test stops by itself even if the client never does.
const ENDLESS_LIMIT_BYTES: u64 = 256 * 1024 * 1024;

/// An HTTP server whose body never ends (no length, never closed), counting
/// what it managed to send before the client hung up.
pub async fn serve_endless_body() -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        // Answering before the request arrives would confuse the client.
        if read_request_head(&mut stream).await.is_err() {
            return;
        }
        let head = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n";
        if stream.write_all(head).await.is_err() {
            return;
        }
        let chunk = vec![b'x'; 64 * 1024];
        while counter.load(Ordering::Relaxed) < ENDLESS_LIMIT_BYTES {
            if stream.write_all(&chunk).await.is_err() {
                break;
            }
            counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
    });
    (addr, sent)
}

/// Reads until the blank line that ends a request head.
async fn read_request_head(stream: &mut TcpStream) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buffer[..read]);
    }
    Ok(())
}
