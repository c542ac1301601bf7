//! `watchpost loadgen`: sends a simulated fleet's traces to a Watchpost over
//! OTLP/HTTP (protobuf or JSON) or OTLP/gRPC, and reports what was accepted.

mod alert_bench;
pub mod check_bench;
mod check_page_reads;
mod check_targets;
pub mod copy_baseline;
pub mod fleet;
pub mod json;
pub mod query_bench;
pub mod send;
mod usage;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use app::duration::HumanDuration;
use clap::ValueEnum;
use tokio::task::JoinSet;

use self::fleet::Fleet;
use self::send::Sender;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    #[value(name = "http/protobuf")]
    HttpProtobuf,
    #[value(name = "http/json")]
    HttpJson,
    #[value(name = "grpc")]
    Grpc,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LoadgenArgs {
    /// OTLP endpoint: the OTLP/HTTP base URL, or the gRPC address.
    /// Defaults to 127.0.0.1:4318 for HTTP and 127.0.0.1:4317 for gRPC.
    #[arg(long)]
    pub endpoint: Option<String>,
    #[arg(long, value_enum, default_value_t = Protocol::HttpProtobuf)]
    pub protocol: Protocol,
    /// Ingest key sent as `Authorization: Bearer`, for servers that want one.
    #[arg(long, env = "WATCHPOST_INGEST_KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Spans per second to aim for; 0 sends as fast as the server takes them.
    #[arg(long, default_value_t = 0)]
    pub rate: u64,
    /// How long to send.
    #[arg(long, default_value = "30s")]
    pub duration: HumanDuration,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Spans per request (whole traces, so a request may hold a few more).
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
    /// Seed of the simulated fleet, for repeatable runs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print no progress line, only the summary.
    #[arg(long)]
    pub quiet: bool,
}

/// Distinct requests each sender prepares before the clock starts, so the
/// measurement is of the server, not of generating spans.
const PREPARED_REQUESTS: usize = 16;

#[derive(Debug, Default)]
struct Counters {
    spans_accepted: AtomicU64,
    spans_rejected: AtomicU64,
    requests_ok: AtomicU64,
    requests_failed: AtomicU64,
}

/// What a run achieved.
#[derive(Debug, Clone)]
pub struct Summary {
    pub spans_accepted: u64,
    pub spans_rejected: u64,
    pub requests_ok: u64,
    pub requests_failed: u64,
    pub elapsed: Duration,
    pub latency_p50: Duration,
    pub latency_p99: Duration,
    pub first_error: Option<String>,
}

impl Summary {
    pub fn spans_per_second(&self) -> f64 {
        self.spans_accepted as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

pub async fn run(args: LoadgenArgs) -> Result<Summary, String> {
    let endpoint = args
        .endpoint
        .clone()
        .unwrap_or_else(|| match args.protocol {
            Protocol::Grpc => "http://127.0.0.1:4317".to_owned(),
            _ => "http://127.0.0.1:4318".to_owned(),
        });
    let counters = Arc::new(Counters::default());
    let duration = args.duration.0;
    let per_sender_rate = args.rate as f64 / args.concurrency.max(1) as f64;
    let started = Instant::now();
    let deadline = started + duration;
    let mut senders = JoinSet::new();
    for worker in 0..args.concurrency.max(1) {
        let sender = Sender::connect(args.protocol, &endpoint, args.key.as_deref()).await?;
        let mut fleet = Fleet::new(args.seed.wrapping_mul(1000).wrapping_add(worker as u64));
        let now_ns = app_now_ns();
        let requests: Vec<_> = (0..PREPARED_REQUESTS)
            .map(|_| sender.prepare(fleet.request(args.batch, now_ns)))
            .collect();
        let counters = counters.clone();
        senders.spawn(async move {
            send_until(sender, requests, deadline, per_sender_rate, counters).await
        });
    }
    let progress =
        (!args.quiet).then(|| tokio::spawn(show_progress(counters.clone(), started, deadline)));

    let mut latencies = Vec::new();
    let mut first_error = None;
    while let Some(result) = senders.join_next().await {
        if let Ok((mut worker_latencies, error)) = result {
            latencies.append(&mut worker_latencies);
            first_error = first_error.or(error);
        }
    }
    if let Some(progress) = progress {
        progress.abort();
        eprintln!();
    }
    latencies.sort_unstable();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Summary {
        spans_accepted: counters.spans_accepted.load(Ordering::Relaxed),
        spans_rejected: counters.spans_rejected.load(Ordering::Relaxed),
        requests_ok: counters.requests_ok.load(Ordering::Relaxed),
        requests_failed: counters.requests_failed.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        latency_p50: percentile(0.50),
        latency_p99: percentile(0.99),
        first_error,
    })
}

async fn send_until(
    sender: Sender,
    requests: Vec<send::Prepared>,
    deadline: Instant,
    rate: f64,
    counters: Arc<Counters>,
) -> (Vec<Duration>, Option<String>) {
    let mut latencies = Vec::new();
    let mut first_error = None;
    let started = Instant::now();
    let mut sent_spans = 0u64;
    for request in requests.iter().cycle() {
        if Instant::now() >= deadline {
            break;
        }
        if rate > 0.0 {
            // Pace: wait until the time at which this many spans are due.
            let due = started + Duration::from_secs_f64(sent_spans as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        let begun = Instant::now();
        match sender.send(request).await {
            Ok(rejected) => {
                latencies.push(begun.elapsed());
                counters.requests_ok.fetch_add(1, Ordering::Relaxed);
                counters
                    .spans_accepted
                    .fetch_add(request.spans - rejected, Ordering::Relaxed);
                counters
                    .spans_rejected
                    .fetch_add(rejected, Ordering::Relaxed);
            }
            Err(error) => {
                counters.requests_failed.fetch_add(1, Ordering::Relaxed);
                first_error.get_or_insert(error);
                // Back off a little, as an exporter would.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        sent_spans += request.spans;
    }
    (latencies, first_error)
}

async fn show_progress(counters: Arc<Counters>, started: Instant, deadline: Instant) {
    let mut last = 0;
    let mut interval = tokio::time::interval(Duration::from_secs(1));
    interval.tick().await;
    loop {
        interval.tick().await;
        let accepted = counters.spans_accepted.load(Ordering::Relaxed);
        let left = deadline.saturating_duration_since(Instant::now()).as_secs();
        eprint!(
            "\r{:>4}s  {:>9} spans/s  {:>11} accepted  {:>5} failed requests  {left}s left   ",
            started.elapsed().as_secs(),
            accepted - last,
            accepted,
            counters.requests_failed.load(Ordering::Relaxed),
        );
        last = accepted;
    }
}

fn app_now_ns() -> u64 {
    crate::ingest::export::now_ns() as u64
}

/// The report printed at the end of a run.
pub fn report(summary: &Summary, args: &LoadgenArgs) -> String {
    let mut text = format!(
        "{} spans accepted in {:.1}s over {:?}: {:.0} spans/s\n\
         requests: {} ok, {} failed; spans rejected: {}\n\
         latency per request ({} spans): p50 {:.1} ms, p99 {:.1} ms",
        summary.spans_accepted,
        summary.elapsed.as_secs_f64(),
        args.protocol,
        summary.spans_per_second(),
        summary.requests_ok,
        summary.requests_failed,
        summary.spans_rejected,
        args.batch,
        summary.latency_p50.as_secs_f64() * 1e3,
        summary.latency_p99.as_secs_f64() * 1e3,
    );
    if let Some(error) = &summary.first_error {
        text.push_str(&format!("\nfirst error: {error}"));
    }
    text
}
