//! `watchpost check-bench`: registers many HTTP checks against targets the
//! benchmark serves itself, runs the server's own scheduler, prober and
//! result writer on them, and prints how late probes start, the CPU used
//! and the rows written. The first interval is a ramp (first runs are
//! spread over one interval) and is left out of every figure.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use app::duration::HumanDuration;
use app::model::check::CheckSource;
use app::model::check_input::CheckInput;
use app::storage::query::WriteActivity;
use app::storage::{Database, DatabaseSettings};
use tokio_util::sync::CancellationToken;

use super::check_targets::Targets;
use super::usage;
use crate::health::probe::Prober;
use crate::health::{SchedulerSettings, SchedulerStats, scheduler};

/// The goal for the 99th percentile of start lag.
const LAG_P99_TARGET_MS: f64 = 100.0;

#[derive(Debug, Clone, clap::Args)]
pub struct CheckBenchArgs {
    /// The database to use (migrated first); best a fresh one.
    #[arg(long = "database-url", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// HTTP checks to register.
    #[arg(long, default_value_t = 1000)]
    pub checks: usize,
    /// Every check's interval.
    #[arg(long, default_value = "10s")]
    pub interval: HumanDuration,
    /// The measured window, after a ramp of one interval.
    #[arg(long, default_value = "3m")]
    pub duration: HumanDuration,
    /// Probes running at once, at most (the server's `--check-concurrency`).
    #[arg(long, default_value_t = SchedulerSettings::default().concurrency)]
    pub concurrency: usize,
}

/// Counters at one instant; the figures are differences of two.
struct Snapshot {
    at: Instant,
    at_ns: i64,
    runs: u64,
    written: u64,
    dropped: u64,
    cpu: Duration,
    targets_cpu: Duration,
    db: WriteActivity,
}

impl Snapshot {
    async fn take(
        stats: &SchedulerStats,
        targets: &Targets,
        db: &Database,
    ) -> Result<Self, String> {
        Ok(Snapshot {
            at: Instant::now(),
            at_ns: crate::ingest::export::now_ns(),
            runs: stats.runs.load(Ordering::Relaxed),
            written: stats.results_written.load(Ordering::Relaxed),
            dropped: stats.results_dropped.load(Ordering::Relaxed),
            cpu: usage::process_cpu()?,
            targets_cpu: targets.cpu().await?,
            db: db.write_activity().await.map_err(|e| e.to_string())?,
        })
    }
}

pub async fn run(args: CheckBenchArgs) -> Result<(), String> {
    let interval = args.interval.0;
    if interval < Duration::from_secs(1) || args.duration.0 < interval {
        return Err(
            "the interval must be at least 1s and the duration at least one interval".into(),
        );
    }
    let db = Database::connect_lazy(&DatabaseSettings {
        url: args.database_url.clone(),
        max_connections: 8,
        acquire_timeout: Duration::from_secs(30),
    })
    .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let targets = Targets::start()?;
    register(&db, &args, &targets).await?;
    println!(
        "{} HTTP checks every {} against 127.0.0.1:{}; ramp {}, then measuring for {}",
        args.checks,
        args.interval,
        targets.addr.port(),
        args.interval,
        args.duration
    );

    let stats = Arc::new(SchedulerStats::default());
    let cancel = CancellationToken::new();
    // An error below returns early; the scheduler stops then too.
    let _stop_on_return = cancel.clone().drop_guard();
    let prober = Prober::new().map_err(|e| e.to_string())?;
    let settings = SchedulerSettings {
        concurrency: args.concurrency,
        ..SchedulerSettings::default()
    };
    let scheduler = tokio::spawn(scheduler::run(
        db.clone(),
        prober,
        settings,
        stats.clone(),
        cancel.clone(),
    ));

    tokio::time::sleep(interval).await;
    stats.reset_lag();
    let start = Snapshot::take(&stats, &targets, &db).await?;
    tokio::time::sleep(args.duration.0).await;
    let end = Snapshot::take(&stats, &targets, &db).await?;
    let lag = stats.lag_ms();

    cancel.cancel();
    scheduler.await.map_err(|e| e.to_string())?;
    let rows = db
        .check_result_count(start.at_ns, end.at_ns)
        .await
        .map_err(|e| e.to_string())?;
    let peak_rss = usage::peak_rss_bytes()?;
    targets.stop();

    report(&Report {
        args: &args,
        start: &start,
        end: &end,
        lag,
        rows,
        peak_rss,
    });
    // After the figures above, so these reads do not count in them.
    let interval_ns = i64::try_from(interval.as_nanos()).unwrap_or(i64::MAX);
    super::check_page_reads::report(&db, start.at_ns, end.at_ns, interval_ns).await?;
    db.close().await;
    Ok(())
}

/// One check per target path, `/health/{n}`, with the server's defaults
/// otherwise (timeout, thresholds); validated as any API check would be.
async fn register(db: &Database, args: &CheckBenchArgs, targets: &Targets) -> Result<(), String> {
    let started = Instant::now();
    for n in 0..args.checks {
        let input = CheckInput {
            name: format!("bench-{n:05}"),
            service: format!("bench-service-{:02}", n % 40),
            check_type: "http".to_owned(),
            url: Some(format!("http://{}/health/{n}", targets.addr)),
            interval: Some(format!("{}ms", args.interval.0.as_millis())),
            ..CheckInput::default()
        };
        let spec = input
            .validate()
            .map_err(|errors| format!("bench check rejected: {errors:?}"))?;
        db.create_check(&spec, CheckSource::Api)
            .await
            .map_err(|e| e.to_string())?;
    }
    tracing::debug!(checks = args.checks, elapsed = ?started.elapsed(), "bench checks registered");
    Ok(())
}

struct Report<'a> {
    args: &'a CheckBenchArgs,
    start: &'a Snapshot,
    end: &'a Snapshot,
    lag: Option<(f64, f64)>,
    rows: i64,
    peak_rss: u64,
}

fn report(r: &Report) {
    let window = r.end.at - r.start.at;
    let seconds = window.as_secs_f64();
    let per_minute = |n: f64| n * 60.0 / seconds;
    let interval = r.args.interval.0.as_secs_f64();
    let expected = r.args.checks as f64 * seconds / interval;
    let runs = r.end.runs - r.start.runs;
    println!("measured window                {seconds:>10.1} s");
    match r.lag {
        Some((p50, p99)) => {
            let verdict = if p99 < LAG_P99_TARGET_MS {
                "met"
            } else {
                "MISSED"
            };
            println!(
                "scheduling lag                 p50 {p50:.1} ms, p99 {p99:.1} ms \
                 (target p99 < {LAG_P99_TARGET_MS:.0} ms: {verdict})"
            );
        }
        None => println!("scheduling lag                 no probe started in the window"),
    }
    println!(
        "probes run                     {runs:>10} (expected {expected:.0}: {:.1} %)",
        runs as f64 * 100.0 / expected
    );
    println!(
        "results written                {:>10} (counter); dropped {}",
        r.end.written - r.start.written,
        r.end.dropped - r.start.dropped
    );
    println!(
        "rows in check_results          {:>10} ({:.0} rows/min)",
        r.rows,
        per_minute(r.rows as f64)
    );
    let cpu = (r.end.cpu - r.start.cpu).as_secs_f64();
    let targets = (r.end.targets_cpu - r.start.targets_cpu).as_secs_f64();
    let share = |s: f64| s * 100.0 / seconds;
    println!(
        "CPU, whole process             {cpu:>10.2} s ({:.1} % of one core)",
        share(cpu)
    );
    println!(
        "  of which the bench targets   {targets:>10.2} s ({:.1} %)",
        share(targets)
    );
    println!(
        "  scheduler, probes, writer    {:>10.2} s ({:.1} %)",
        cpu - targets,
        share(cpu - targets)
    );
    println!(
        "peak RSS                       {:>10.1} MB",
        r.peak_rss as f64 / 1e6
    );
    let db = |end: i64, start: i64| per_minute((end - start) as f64);
    println!(
        "PostgreSQL, this database      {:.0} commits/min, {:.0} rows inserted/min, {:.0} rows updated/min",
        db(r.end.db.commits, r.start.db.commits),
        db(r.end.db.inserted, r.start.db.inserted),
        db(r.end.db.updated, r.start.db.updated)
    );
}
