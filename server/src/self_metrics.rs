//! Watchpost's own metrics, served on `/metrics` in the Prometheus text
//! format. Plain atomics keep the hot path free of locks and dependencies;
//! later capabilities add their counters here.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;

use crate::health::SchedulerStats;
use crate::ingest::IngestPipeline;
use crate::map::EdgeTracker;

const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

pub struct SelfMetrics {
    started_at_seconds: f64,
    http_responses: [AtomicU64; 5],
}

/// The database's state at scrape time.
pub struct DatabaseSnapshot {
    pub ready: bool,
    pub connections: u32,
    pub idle_connections: usize,
}

impl Default for SelfMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl SelfMetrics {
    pub fn new() -> SelfMetrics {
        let started_at_seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs_f64())
            .unwrap_or_default();
        SelfMetrics {
            started_at_seconds,
            http_responses: Default::default(),
        }
    }

    pub fn record_http_response(&self, status: StatusCode) {
        let class = usize::from(status.as_u16() / 100).clamp(1, 5) - 1;
        self.http_responses[class].fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(
        &self,
        database: &DatabaseSnapshot,
        ingest: &IngestPipeline,
        edges: &EdgeTracker,
        checks: &SchedulerStats,
    ) -> String {
        let mut out = PrometheusText::default();
        out.family(
            "watchpost_build_info",
            "gauge",
            "Build of the running server.",
        );
        out.sample(
            "watchpost_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1.0,
        );
        out.family(
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since the Unix epoch.",
        );
        out.sample("process_start_time_seconds", &[], self.started_at_seconds);

        out.family(
            "watchpost_http_responses_total",
            "counter",
            "HTTP responses sent, by status class.",
        );
        for (class, counter) in STATUS_CLASSES.iter().zip(&self.http_responses) {
            out.sample(
                "watchpost_http_responses_total",
                &[("code", class)],
                counter.load(Ordering::Relaxed) as f64,
            );
        }

        out.family(
            "watchpost_database_ready",
            "gauge",
            "1 when the database answers and is migrated.",
        );
        out.sample(
            "watchpost_database_ready",
            &[],
            f64::from(u8::from(database.ready)),
        );
        out.family(
            "watchpost_database_connections",
            "gauge",
            "Open database connections, by state.",
        );
        let busy = (database.connections as usize).saturating_sub(database.idle_connections);
        out.sample(
            "watchpost_database_connections",
            &[("state", "busy")],
            busy as f64,
        );
        out.sample(
            "watchpost_database_connections",
            &[("state", "idle")],
            database.idle_connections as f64,
        );
        render_ingest(&mut out, ingest);
        render_edges(&mut out, edges);
        render_checks(&mut out, checks);
        out.0
    }
}

fn render_ingest(out: &mut PrometheusText, ingest: &IngestPipeline) {
    let stats = &ingest.stats;
    let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed) as f64;
    let counters = [
        (
            "watchpost_ingest_spans_accepted_total",
            "Spans committed to the database.",
            &stats.spans_accepted,
        ),
        (
            "watchpost_ingest_spans_rejected_total",
            "Spans rejected as invalid (partial success).",
            &stats.spans_rejected,
        ),
        (
            "watchpost_ingest_values_truncated_total",
            "Attribute values cut to the length limit.",
            &stats.values_truncated,
        ),
        (
            "watchpost_ingest_request_bytes_total",
            "OTLP request bytes received, as sent.",
            &stats.request_bytes,
        ),
        (
            "watchpost_ingest_requests_refused_total",
            "Requests refused because the queue was full.",
            &stats.requests_refused_overload,
        ),
        (
            "watchpost_ingest_batches_total",
            "Span batches written.",
            &stats.batches_written,
        ),
        (
            "watchpost_ingest_batch_spans_total",
            "Spans in the batches written (divide by batches for the mean size).",
            &stats.batch_spans_total,
        ),
        (
            "watchpost_ingest_write_failures_total",
            "Batches the database did not take.",
            &stats.write_failures,
        ),
    ];
    for (name, help, counter) in counters {
        out.family(name, "counter", help);
        out.sample(name, &[], load(counter));
    }
    out.family(
        "watchpost_ingest_write_seconds_total",
        "counter",
        "Time spent writing span batches.",
    );
    out.sample(
        "watchpost_ingest_write_seconds_total",
        &[],
        load(&stats.write_seconds_total_micros) / 1e6,
    );
    out.family(
        "watchpost_ingest_queue_spans",
        "gauge",
        "Spans queued or being written now.",
    );
    out.sample(
        "watchpost_ingest_queue_spans",
        &[],
        ingest.queued_spans() as f64,
    );
}

/// How the health-check scheduler keeps up.
fn render_checks(out: &mut PrometheusText, checks: &SchedulerStats) {
    let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed) as f64;
    for (name, help, counter) in [
        (
            "watchpost_check_runs_total",
            "Health-check probes run.",
            &checks.runs,
        ),
        (
            "watchpost_check_results_written_total",
            "Health-check results stored.",
            &checks.results_written,
        ),
        (
            "watchpost_check_results_dropped_total",
            "Health-check results lost (database down past the backlog, or shutdown).",
            &checks.results_dropped,
        ),
    ] {
        out.family(name, "counter", help);
        out.sample(name, &[], load(counter));
    }
    if let Some((p50, p99)) = checks.lag_ms() {
        let name = "watchpost_check_start_lag_seconds";
        out.family(
            name,
            "summary",
            "How late probes start after their due time.",
        );
        out.sample(name, &[("quantile", "0.5")], p50 / 1000.0);
        out.sample(name, &[("quantile", "0.99")], p99 / 1000.0);
    }
}

/// How edge derivation resolved the client and server spans it saw.
fn render_edges(out: &mut PrometheusText, edges: &EdgeTracker) {
    let (counts, pending, shared_pending) = edges.snapshot();
    let name = "watchpost_map_spans_total";
    out.family(
        name,
        "counter",
        "Caller and callee spans seen by service-map edge derivation, by outcome.",
    );
    for (outcome, value) in [
        ("matched", counts.matched),
        ("virtual", counts.virtual_calls),
        ("caller_unmatched", counts.unmatched_callers),
        ("callee_unmatched", counts.unmatched_callees),
        ("dropped_full", counts.dropped_full),
        ("shared", counts.shared),
    ] {
        out.sample(name, &[("outcome", outcome)], value as f64);
    }
    out.family(
        "watchpost_map_pending_spans",
        "gauge",
        "Spans waiting for their caller or callee.",
    );
    out.sample("watchpost_map_pending_spans", &[], pending as f64);
    out.family(
        "watchpost_map_shared_pending_spans",
        "gauge",
        "Spans shared with the other replicas through the database, still unpaired.",
    );
    out.sample(
        "watchpost_map_shared_pending_spans",
        &[],
        shared_pending as f64,
    );
}

/// A writer for the text exposition format.
#[derive(Default)]
struct PrometheusText(String);

impl PrometheusText {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} {kind}");
    }

    /// Label values here are our own constants, so they need no escaping.
    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.0.push_str(name);
        if !labels.is_empty() {
            let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
            let _ = write!(self.0, "{{{}}}", labels.join(","));
        }
        let _ = writeln!(self.0, " {value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle_pipeline() -> IngestPipeline {
        let settings = app::storage::DatabaseSettings {
            url: "postgres://x@127.0.0.1:1/x".into(),
            max_connections: 1,
            acquire_timeout: std::time::Duration::from_millis(10),
        };
        let db = app::storage::Database::connect_lazy(&settings).unwrap();
        let pipeline_settings = crate::ingest::PipelineSettings {
            queue_spans: 10,
            batch_spans: 10,
            writers: 1,
        };
        let tracker = tokio_util::task::TaskTracker::new();
        IngestPipeline::start(
            db,
            pipeline_settings,
            &tracker,
            tokio_util::sync::CancellationToken::new(),
            crate::map::EdgeTracker::new(crate::map::MatcherSettings::default()),
        )
    }

    #[tokio::test]
    async fn renders_counters_by_status_class() {
        let metrics = SelfMetrics::new();
        metrics.record_http_response(StatusCode::OK);
        metrics.record_http_response(StatusCode::CREATED);
        metrics.record_http_response(StatusCode::SERVICE_UNAVAILABLE);
        let text = metrics.render(
            &DatabaseSnapshot {
                ready: true,
                connections: 3,
                idle_connections: 1,
            },
            &idle_pipeline(),
            &crate::map::EdgeTracker::new(crate::map::MatcherSettings::default()),
            &SchedulerStats::default(),
        );
        assert!(
            text.contains("watchpost_http_responses_total{code=\"2xx\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("watchpost_http_responses_total{code=\"5xx\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("watchpost_database_ready 1\n"), "{text}");
        assert!(
            text.contains("watchpost_map_spans_total{outcome=\"matched\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("watchpost_database_connections{state=\"busy\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE watchpost_http_responses_total counter\n"),
            "{text}"
        );
    }
}
