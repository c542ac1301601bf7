//! `watchpost query-bench`: fills a database with the loadgen's spans
//! (unique traces, spread over a window) and times the queries the pages
//! and the Jaeger API make, server side, straight on the storage layer;
//! then one alert evaluation cycle with 1,000 rules (`alert_bench`).

use std::time::{Duration, Instant};

use app::storage::query::TraceSearch;
use app::storage::spans::SpanBatch;
use app::storage::{Database, DatabaseSettings};
use tokio::task::JoinSet;

use super::fleet::Fleet;
use crate::ingest::convert::{IngestLimits, convert};
use crate::map::facts::facts_of;
use crate::map::{EdgeTracker, MatcherSettings};

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;

#[derive(Debug, Clone, clap::Args)]
pub struct QueryBenchArgs {
    /// The database to fill and query (migrated first).
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Spans to load first; 0 queries what is already there.
    #[arg(long, default_value_t = 10_000_000)]
    pub spans: usize,
    /// Span start times are spread evenly over this window before now.
    #[arg(long, default_value = "24h")]
    pub spread: app::duration::HumanDuration,
    /// Timed runs of each query.
    #[arg(long, default_value_t = 200)]
    pub iterations: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub async fn run(args: QueryBenchArgs) -> Result<(), String> {
    let db = Database::connect_lazy(&DatabaseSettings {
        url: args.database_url.clone(),
        max_connections: 6,
        acquire_timeout: Duration::from_secs(60),
    })
    .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    if args.spans > 0 {
        let started = Instant::now();
        load(&db, &args).await?;
        println!(
            "loaded {} spans over {} in {:.1}s",
            args.spans,
            args.spread,
            started.elapsed().as_secs_f64()
        );
    }
    db.merge_rollups(0).await.map_err(|e| e.to_string())?;
    db.analyze().await.map_err(|e| e.to_string())?;
    time_queries(&db, args.iterations).await?;
    // One evaluation cycle over the same data (issue 8's figure).
    super::alert_bench::run(&db, args.iterations.min(50)).await?;
    db.close().await;
    Ok(())
}

/// Two writers, each generating and writing its half, as the server's
/// two ingest writers would.
async fn load(db: &Database, args: &QueryBenchArgs) -> Result<(), String> {
    const WRITERS: usize = 2;
    const BATCH: usize = 20_000;
    let now = crate::ingest::export::now_ns();
    let spread = args.spread.0.as_nanos() as i64;
    // Edges are derived as the server does, so the map has data too.
    let edges = EdgeTracker::new(MatcherSettings::default());
    let mut writers = JoinSet::new();
    for writer in 0..WRITERS {
        let db = db.clone();
        let edges = edges.clone();
        let share = args.spans / WRITERS;
        let seed = args.seed.wrapping_mul(100).wrapping_add(writer as u64);
        writers.spawn(async move {
            let limits = IngestLimits {
                max_attributes_per_span: 128,
                max_attribute_value_length: 8192,
                retention: Duration::from_secs(30 * 86_400),
                max_future: Duration::from_secs(86_400),
            };
            let mut fleet = Fleet::new(seed);
            let mut written = 0;
            let mut batches: u32 = 0;
            while written < share {
                let mut batch = SpanBatch::default();
                while batch.spans.len() < BATCH {
                    // Evenly over the window, oldest first.
                    let done = (written + batch.spans.len()) as f64 / share as f64;
                    let at = now - spread + (spread as f64 * done) as i64;
                    let converted = convert(fleet.request(500, at as u64), &limits, now);
                    batch.append(converted.batch);
                }
                written += batch.spans.len();
                let facts = facts_of(&batch);
                db.write_spans(batch).await.map_err(|e| e.to_string())?;
                edges.observe(facts);
                batches += 1;
                // Now and then, as the server's job does every few seconds.
                if batches.is_multiple_of(25) {
                    edges.flush(&db).await.map_err(|e| e.to_string())?;
                }
            }
            Ok::<_, String>(())
        });
    }
    while let Some(result) = writers.join_next().await {
        result.map_err(|e| e.to_string())??;
    }
    edges.flush(db).await.map_err(|e| e.to_string())?;
    db.merge_edge_rollups(0).await.map_err(|e| e.to_string())?;
    Ok(())
}

/// Runs `query` `iterations` times; prints p50, p95 and p99.
async fn time<F, Fut>(label: &str, iterations: usize, mut query: F) -> Result<(), String>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<usize, String>>,
{
    let mut timings = Vec::with_capacity(iterations);
    let mut results = 0;
    for iteration in 0..iterations {
        let started = Instant::now();
        results += query(iteration).await?;
        timings.push(started.elapsed());
    }
    timings.sort_unstable();
    let at = |q: f64| timings[((timings.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label:<48} p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms   ({} results in {iterations} runs)",
        ms(at(0.50)),
        ms(at(0.95)),
        ms(at(0.99)),
        results
    );
    Ok(())
}

async fn time_queries(db: &Database, iterations: usize) -> Result<(), String> {
    let now = crate::ingest::export::now_ns();
    let hour_ago = now - NANOS_PER_HOUR;
    let services = db
        .service_red(hour_ago, now, 30)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{} spans stored; {} services in the last hour",
        db.span_count().await.map_err(|e| e.to_string())?,
        services.len()
    );
    let ids = db
        .sample_trace_ids(iterations)
        .await
        .map_err(|e| e.to_string())?;
    if ids.is_empty() || services.is_empty() {
        return Err("no spans to query; load some with --spans".to_owned());
    }

    time("trace by id", iterations, |i| {
        let id = ids[i % ids.len()];
        async move {
            let trace = db.load_trace(id).await.map_err(|e| e.to_string())?;
            Ok(trace.map_or(0, |t| t.spans.len()))
        }
    })
    .await?;

    // A duration that about 5 % of each service's requests exceed.
    time(
        "search: service + last hour + minDuration (p95)",
        iterations,
        |i| {
            let service = &services[i % services.len()];
            let search = TraceSearch {
                service: Some(service.name.clone()),
                min_duration_ns: service.figures.p95_ns,
                start_ns: hour_ago,
                end_ns: now,
                limit: 20,
                ..TraceSearch::default()
            };
            async move {
                let ids = db
                    .find_trace_ids(&search)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(ids.len())
            }
        },
    )
    .await?;

    time(
        "Services page data, last hour",
        iterations,
        |_| async move {
            let rows = db
                .service_red(hour_ago, now, 30)
                .await
                .map_err(|e| e.to_string())?;
            Ok(rows.len())
        },
    )
    .await?;

    time("Service map data, last hour", iterations, |_| async move {
        let services = db
            .service_red(hour_ago, now, 1)
            .await
            .map_err(|e| e.to_string())?;
        let edges = db.edges(hour_ago, now).await.map_err(|e| e.to_string())?;
        let namespaces = db.service_namespaces().await.map_err(|e| e.to_string())?;
        Ok(services.len() + edges.len() + namespaces.len())
    })
    .await?;

    time(
        "Services page data, last 24 hours",
        iterations.min(50),
        |_| async move {
            let rows = db
                .service_red(now - 24 * NANOS_PER_HOUR, now, 30)
                .await
                .map_err(|e| e.to_string())?;
            Ok(rows.len())
        },
    )
    .await
}
