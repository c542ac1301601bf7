//! The demo fleet's main loop: once a second, a second's worth of requests
//! as each service's own OTLP export (over gRPC, HTTP/protobuf or
//! HTTP/JSON, as a mixed fleet would send), and every few seconds each
//! service's gauges.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use app::storage::Database;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use prost::Message;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::scenario::{Conditions, Scenario};
use super::traces::{SERVICES, TraceMaker};
use super::{DemoError, health, setup, telemetry};
use crate::loadgen::Protocol;
use crate::loadgen::fleet::Rng;
use crate::loadgen::send::Sender;

/// Requests entering at the gateway each second.
const TRACES_PER_SECOND: usize = 4;
/// Seconds between metric exports (an SDK's default is 60; the demo's
/// memory leak needs a finer line).
const METRICS_EVERY_SECS: u64 = 5;

/// Where the fleet sends.
#[derive(Clone)]
pub struct Targets {
    pub otlp_http: SocketAddr,
    pub otlp_grpc: SocketAddr,
    /// `Bearer` key, when the server wants one.
    pub key: Option<String>,
}

/// The protocol each service exports with: all three of Watchpost's.
fn protocol_of(service: &str) -> Protocol {
    match service {
        "api-gateway" | "user-service" => Protocol::Grpc,
        "notification-service" => Protocol::HttpJson,
        _ => Protocol::HttpProtobuf,
    }
}

/// Starts the health endpoints, registers their checks and the rules, then
/// sends until `cancel`.
pub async fn run(
    db: Database,
    targets: Targets,
    scenario: Scenario,
    cancel: CancellationToken,
) -> Result<(), DemoError> {
    let (conditions_tx, conditions) = watch::channel(scenario.at(Duration::ZERO));
    let endpoints = TaskTracker::new();
    let mut checks = Vec::new();
    for service in SERVICES {
        let address = health::serve(service, conditions.clone(), &endpoints, cancel.clone())
            .await
            .map_err(|error| {
                DemoError::Setup(format!("cannot serve {service}'s health: {error}"))
            })?;
        checks.push(setup::check_spec(service, address)?);
    }
    setup::register(&db, &checks).await?;
    let mut senders = BTreeMap::new();
    for service in SERVICES {
        let protocol = protocol_of(service);
        let endpoint = match protocol {
            Protocol::Grpc => format!("http://{}", targets.otlp_grpc),
            _ => format!("http://{}", targets.otlp_http),
        };
        let sender = Sender::connect(protocol, &endpoint, targets.key.as_deref())
            .await
            .map_err(DemoError::Setup)?;
        senders.insert(service, sender);
    }
    let metrics = MetricSender {
        client: reqwest::Client::new(),
        url: format!("http://{}/v1/metrics", targets.otlp_http),
        authorization: targets.key.as_ref().map(|key| format!("Bearer {key}")),
    };
    tracing::info!(
        cycle = %app::duration::HumanDuration(scenario.cycle()),
        "demo fleet running: 7 services, incidents every cycle"
    );
    let mut traces = TraceMaker::new(now_ns());
    let mut rng = Rng::new(now_ns() ^ 0x5eed);
    let started = Instant::now();
    let mut previous = Duration::ZERO;
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut trouble = Trouble::default();
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            () = cancel.cancelled() => break,
        }
        let elapsed = started.elapsed();
        for (incident, started) in scenario.changes(previous, elapsed) {
            let what = incident.describe();
            if started {
                tracing::info!("demo incident begins: {what}");
            } else {
                tracing::info!("demo incident over: {what}");
            }
        }
        previous = elapsed;
        let now = scenario.at(elapsed);
        conditions_tx.send_replace(now);
        // One after another: seven small requests on loopback.
        let mut first_error = None;
        for (service, spans) in spans_by_service(&mut traces, &now) {
            let sender = &senders[service];
            let prepared = sender.prepare(telemetry::span_export(service, spans));
            first_error = first_error.or(sender.send(&prepared).await.err());
        }
        if elapsed.as_secs().is_multiple_of(METRICS_EVERY_SECS) {
            let stamp = now_ns();
            for service in SERVICES {
                let export = telemetry::metric_export(service, &now, &mut rng, stamp);
                first_error = first_error.or(metrics.send(&export).await.err());
            }
        }
        // A send cut off by the server shutting down is no trouble.
        if cancel.is_cancelled() {
            break;
        }
        trouble.note(first_error);
    }
    endpoints.close();
    endpoints.wait().await;
    Ok(())
}

/// One second of traces, grouped into each service's export.
fn spans_by_service(
    traces: &mut TraceMaker,
    conditions: &Conditions,
) -> BTreeMap<&'static str, Vec<opentelemetry_proto::tonic::trace::v1::Span>> {
    let now = now_ns();
    let mut by_service: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for _ in 0..TRACES_PER_SECOND {
        for (service, span) in traces.trace(conditions, now) {
            by_service.entry(service).or_default().push(span);
        }
    }
    by_service
}

struct MetricSender {
    client: reqwest::Client,
    url: String,
    authorization: Option<String>,
}

impl MetricSender {
    async fn send(&self, export: &ExportMetricsServiceRequest) -> Result<(), String> {
        let mut post = self
            .client
            .post(&self.url)
            .header("content-type", "application/x-protobuf")
            .body(export.encode_to_vec());
        if let Some(authorization) = &self.authorization {
            post = post.header("authorization", authorization);
        }
        let response = post.send().await.map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("metrics: HTTP {}", response.status()))
        }
    }
}

/// Failed sends, logged when they start and when they stop rather than
/// every second: a busy server answering 429 is not worth a flood.
#[derive(Default)]
struct Trouble {
    failing: bool,
}

impl Trouble {
    /// One tick's outcome: its first error, if any.
    fn note(&mut self, error: Option<String>) {
        match (error, self.failing) {
            (Some(error), false) => {
                tracing::warn!(error, "the demo fleet cannot send; it keeps trying");
                self.failing = true;
            }
            (None, true) => {
                tracing::info!("the demo fleet sends again");
                self.failing = false;
            }
            _ => {}
        }
    }
}

fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
