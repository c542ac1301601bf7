//! `watchpost copy-baseline`: the physical limit the ingest benchmark is
//! compared with. The loadgen's spans are converted and encoded first
//! (untimed); then only the binary COPY into the same tables and indexes is
//! timed, with as many connections as the server has span writers.

use std::time::{Duration, Instant};

use app::storage::spans::SpanBatch;
use app::storage::{Database, DatabaseSettings};
use tokio::task::JoinSet;

use super::fleet::Fleet;
use crate::ingest::convert::{IngestLimits, convert};

#[derive(Debug, Clone, clap::Args)]
pub struct CopyBaselineArgs {
    /// The database to write into (migrated first).
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Spans to write.
    #[arg(long, default_value_t = 400_000)]
    pub spans: usize,
    /// Spans per COPY, as the server's `--ingest-batch-spans`.
    #[arg(long, default_value_t = 20_000)]
    pub batch: usize,
    /// Concurrent COPYs, as the server's `--ingest-writers`.
    #[arg(long, default_value_t = 2)]
    pub writers: usize,
    /// Spans per generated request, as the loadgen's `--batch`.
    #[arg(long, default_value_t = 500)]
    pub request_spans: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub struct BaselineSummary {
    pub spans: usize,
    pub elapsed: Duration,
}

pub async fn run(args: CopyBaselineArgs) -> Result<BaselineSummary, String> {
    let db = Database::connect_lazy(&DatabaseSettings {
        url: args.database_url.clone(),
        max_connections: args.writers as u32 + 2,
        acquire_timeout: Duration::from_secs(30),
    })
    .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;

    let limits = IngestLimits {
        max_attributes_per_span: 128,
        max_attribute_value_length: 8192,
        retention: Duration::from_secs(7 * 86_400),
        max_future: Duration::from_secs(86_400),
    };
    let mut fleet = Fleet::new(args.seed);
    let now_ns = crate::ingest::export::now_ns();
    let mut prepared = Vec::new();
    let mut batch = SpanBatch::default();
    let mut total = 0;
    while total < args.spans {
        let converted = convert(
            fleet.request(args.request_spans, now_ns as u64),
            &limits,
            now_ns,
        );
        total += converted.batch.spans.len();
        batch.append(converted.batch);
        if batch.spans.len() >= args.batch || total >= args.spans {
            let full = std::mem::take(&mut batch);
            prepared.push(db.prepare_spans(full).await.map_err(|e| e.to_string())?);
        }
    }

    let started = Instant::now();
    let mut writers = JoinSet::new();
    let chunk = prepared.len().div_ceil(args.writers.max(1)).max(1);
    let mut chunks = Vec::new();
    while !prepared.is_empty() {
        let rest = prepared.split_off(chunk.min(prepared.len()));
        chunks.push(std::mem::replace(&mut prepared, rest));
    }
    for chunk in chunks {
        let db = db.clone();
        writers.spawn(async move {
            for encoded in &chunk {
                db.copy_span_rows_only(encoded)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        });
    }
    while let Some(result) = writers.join_next().await {
        result.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed();
    db.close().await;
    Ok(BaselineSummary {
        spans: total,
        elapsed,
    })
}
