//! The database goes away in the middle of a stream of exports and comes
//! back. A TCP proxy between Watchpost and PostgreSQL plays the outage: it
//! cuts every connection and refuses new ones, which is what the server sees
//! when PostgreSQL stops, while the test's own PostgreSQL keeps running.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};
use prost::Message;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{TestDatabase, config_for, spawn_app_with, with_database};
use crate::ingest_http::{full_request, now_ns};

/// Forwards to `upstream` while up; when taken down, drops every open
/// connection and closes new ones at once.
pub struct Proxy {
    address: SocketAddr,
    up: Arc<AtomicBool>,
    generation: watch::Sender<u64>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let (generation, _) = watch::channel(0u64);
        let accepting = up.clone();
        let cuts = generation.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accepting.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let mut cut = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy {
            address,
            up,
            generation,
        }
    }

    pub fn take_down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn bring_up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A proxy in front of the test PostgreSQL, and `database`'s URL through it.
pub async fn proxied(database: &TestDatabase) -> (Proxy, String) {
    let upstream: SocketAddr = {
        let url = std::env::var("DATABASE_URL").unwrap();
        let host_port = url.split('@').nth(1).unwrap().split('/').next().unwrap();
        tokio::net::lookup_host(host_port)
            .await
            .unwrap()
            .next()
            .unwrap()
    };
    let proxy = Proxy::start(upstream).await;
    let through_proxy = with_database(
        &format!("postgres://postgres@{}/x", proxy.address),
        &database.name,
    );
    (proxy, through_proxy)
}

/// A request with two spans whose span ids encode `n`, so each acknowledged
/// request can be looked up afterwards.
fn numbered_request(n: u32) -> ExportTraceServiceRequest {
    let mut request = full_request(now_ns() - 1_000_000);
    let ResourceSpans { scope_spans, .. } = &mut request.resource_spans[0];
    let ScopeSpans { spans, .. } = &mut scope_spans[0];
    for (i, span) in spans.iter_mut().enumerate() {
        let mut id = [0u8; 8];
        id[..4].copy_from_slice(&n.to_be_bytes());
        id[7] = i as u8 + 1;
        span.span_id = id.to_vec();
        span.parent_span_id.clear();
    }
    request
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_spans_survive_a_database_outage() {
    let database = TestDatabase::create().await;
    let (proxy, through_proxy) = proxied(&database).await;
    let app = spawn_app_with(config_for(&through_proxy)).await;
    app.wait_until_ready(Duration::from_secs(20)).await;

    let url = format!("http://{}/v1/traces", app.otlp_http_address);
    let mut acknowledged = Vec::new();
    let mut retryable = 0;
    for n in 0..120u32 {
        if n == 40 {
            proxy.take_down();
        }
        if n == 80 {
            proxy.bring_up();
        }
        let response = app
            .client
            .post(&url)
            .header("content-type", "application/x-protobuf")
            .body(numbered_request(n).encode_to_vec())
            .send()
            .await
            .expect("the server keeps answering");
        match response.status().as_u16() {
            200 => acknowledged.push(n),
            503 | 429 => {
                assert!(response.headers().contains_key("retry-after"));
                retryable += 1;
            }
            other => panic!("request {n}: unexpected status {other}"),
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    assert!(retryable > 0, "the outage was noticed");
    assert!(
        acknowledged.iter().any(|n| *n >= 80),
        "ingest recovered after the outage"
    );
    assert!(acknowledged.iter().any(|n| *n < 40));

    // Every acknowledged request's spans are stored (checked directly, not
    // through the proxy).
    let mut db = database.connect().await;
    let stored: Vec<i64> = sqlx::query_scalar("select span_id from spans")
        .fetch_all(&mut db)
        .await
        .unwrap();
    for n in &acknowledged {
        for i in 1..=2u8 {
            let mut id = [0u8; 8];
            id[..4].copy_from_slice(&n.to_be_bytes());
            id[7] = i;
            assert!(
                stored.contains(&i64::from_be_bytes(id)),
                "request {n} span {i} was acknowledged but is missing"
            );
        }
    }
    // Still the same process, still healthy.
    assert_eq!(app.get("/healthz").await.status(), 200);
    assert_eq!(app.get("/readyz").await.status(), 200);
    app.shutdown().await.unwrap();
}
