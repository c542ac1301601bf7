//! The check registry and results against a real database: claims are
//! exclusive, damping follows the thresholds, changes become events, and
//! rollups count every result.

use std::collections::BTreeMap;

use app::model::check::{CheckSource, CheckSpec, CheckState, CheckType, ProbeResult};
use app::storage::StorageError;
use app::storage::checks::CheckOutcome;

use crate::helpers::TestDatabase;
use crate::storage::migrated_database;

pub fn http_spec(name: &str, url: &str) -> CheckSpec {
    CheckSpec {
        name: name.to_owned(),
        service: "orders".to_owned(),
        check_type: CheckType::Http,
        target: url.to_owned(),
        method: "GET".to_owned(),
        interval_ms: 1_000,
        timeout_ms: 500,
        expected_status: Vec::new(),
        headers: BTreeMap::new(),
        conditions: Vec::new(),
        failure_threshold: 2,
        success_threshold: 1,
        paused: false,
        labels: BTreeMap::from([("team".to_owned(), "core".to_owned())]),
        public: false,
    }
}

fn result(state: CheckState) -> ProbeResult {
    ProbeResult {
        state,
        latency_ms: 12.5,
        http_status: Some(if state == CheckState::Healthy {
            200
        } else {
            503
        }),
        reason: (state != CheckState::Healthy).then(|| "status 503 not in 2xx".to_owned()),
        dependencies: Vec::new(),
        version: None,
    }
}

#[tokio::test]
async fn checks_are_claimed_once_damped_and_counted() {
    let database = TestDatabase::create().await;
    let db = migrated_database(&database).await;
    // An hour apart, so the run after the first is never inside the
    // claims' lookahead (with a 1 s interval it sometimes was).
    let spec = CheckSpec {
        interval_ms: 3_600_000,
        ..http_spec("orders-health", "http://127.0.0.1:1/health")
    };
    let id = db.create_check(&spec, CheckSource::Api).await.unwrap();
    assert!(matches!(
        db.create_check(&spec, CheckSource::Api).await,
        Err(StorageError::NameTaken)
    ));

    // Due within one interval (the first run is spread over it); two
    // claimers at once get it once.
    let (a, b) = tokio::join!(
        db.claim_due_checks(3_600_100, 10),
        db.claim_due_checks(3_600_100, 10)
    );
    let claimed: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].spec, spec);
    assert!(
        db.claim_due_checks(0, 10).await.unwrap().is_empty(),
        "next run is an interval on"
    );

    let now_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    let states = [
        CheckState::Healthy,
        CheckState::Unhealthy,
        CheckState::Healthy,
        CheckState::Unhealthy,
        CheckState::Unhealthy,
    ];
    for (i, state) in states.into_iter().enumerate() {
        let outcome = CheckOutcome {
            check_id: id,
            at_ns: now_ns + i as i64 * 1_000_000_000,
            result: result(state),
        };
        db.write_check_results(&[outcome]).await.unwrap();
    }
    let record = db.check(id).await.unwrap().unwrap();
    assert_eq!(record.state, CheckState::Unhealthy, "two bad in a row");
    assert_eq!(record.last_result.unwrap().http_status, Some(503));

    let events = db.check_events(id, 10).await.unwrap();
    let changes: Vec<_> = events.iter().map(|e| (e.from, e.to)).collect();
    assert_eq!(
        changes,
        [
            (CheckState::Healthy, CheckState::Unhealthy),
            (CheckState::Pending, CheckState::Healthy)
        ]
    );
    assert_eq!(events[0].reason.as_deref(), Some("status 503 not in 2xx"));

    let results = db.check_results(id, 0, 100).await.unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[0].state, CheckState::Unhealthy);
    let hour_ns = 3_600_000_000_000;
    let start = now_ns - now_ns.rem_euclid(hour_ns) - hour_ns;
    let slots = db
        .check_uptime_slots(&[id], start, hour_ns, 3)
        .await
        .unwrap();
    let total: u64 = slots[&id].iter().map(|u| u.total).sum();
    let healthy: u64 = slots[&id].iter().map(|u| u.healthy).sum();
    assert_eq!((total, healthy), (5, 2));
    let [p50, _, _] = db.check_latency_percentiles(id, 0).await.unwrap().unwrap();
    assert!((p50 - 12.5).abs() < 1e-6);

    // Paused checks are not claimed; deleting removes events and rollups.
    assert!(db.set_check_paused(id, true).await.unwrap());
    assert!(db.check(id).await.unwrap().unwrap().spec.paused);
    assert!(db.claim_due_checks(60_000, 10).await.unwrap().is_empty());
    assert!(db.delete_check(id).await.unwrap());
    assert!(db.check(id).await.unwrap().is_none());
    assert!(!db.delete_check(id).await.unwrap());
    db.close().await;
}

#[tokio::test]
async fn file_checks_are_synced_without_touching_others() {
    let database = TestDatabase::create().await;
    let db = migrated_database(&database).await;
    db.create_check(&http_spec("by-hand", "http://a/"), CheckSource::Ui)
        .await
        .unwrap();
    let file = [
        http_spec("from-file", "http://b/"),
        http_spec("by-hand", "http://c/"),
    ];
    let report = db.sync_file_checks(&file).await.unwrap();
    assert_eq!((report.added, report.updated, report.removed), (1, 0, 0));
    assert_eq!(report.refused, ["by-hand"]);
    // Two replicas loading the same file at once: one adds, one finds it.
    let grown = [file[0].clone(), http_spec("also-from-file", "http://d/")];
    let (a, b) = tokio::join!(db.sync_file_checks(&grown), db.sync_file_checks(&grown));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.added + b.added, a.unchanged + b.unchanged), (1, 3));

    let mut changed = http_spec("from-file", "http://b/v2");
    changed.interval_ms = 5_000;
    let report = db.sync_file_checks(&[changed]).await.unwrap();
    assert_eq!((report.added, report.updated, report.removed), (0, 1, 1));
    assert_eq!(db.sync_file_checks(&[]).await.unwrap().removed, 1);
    let names: Vec<String> = db
        .checks()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.spec.name)
        .collect();
    assert_eq!(names, ["by-hand"]);
    db.close().await;
}

#[tokio::test]
async fn a_pause_by_hand_survives_reloads_until_the_file_changes_it() {
    let database = TestDatabase::create().await;
    let db = migrated_database(&database).await;
    let file = [http_spec("from-file", "http://b/")];
    db.sync_file_checks(&file).await.unwrap();
    let id = db.checks().await.unwrap()[0].id;
    let paused = |db: &app::storage::Database| {
        let db = db.clone();
        async move { db.check(id).await.unwrap().unwrap().spec.paused }
    };

    // Paused during maintenance: reloading the same file keeps it paused,
    // and so does an edit of another setting.
    db.set_check_paused(id, true).await.unwrap();
    assert_eq!(db.sync_file_checks(&file).await.unwrap().unchanged, 1);
    assert!(paused(&db).await);
    let mut edited = file[0].clone();
    edited.timeout_ms = 1_000;
    assert_eq!(
        db.sync_file_checks(&[edited.clone()])
            .await
            .unwrap()
            .updated,
        1
    );
    assert!(paused(&db).await);
    assert_eq!(db.check(id).await.unwrap().unwrap().spec.timeout_ms, 1_000);

    // The file saying otherwise wins: paused there, then resumed there.
    edited.paused = true;
    db.sync_file_checks(&[edited.clone()]).await.unwrap();
    db.set_check_paused(id, false).await.unwrap();
    db.sync_file_checks(&[edited.clone()]).await.unwrap();
    assert!(!paused(&db).await, "a resume by hand stands too");
    edited.paused = false;
    db.set_check_paused(id, true).await.unwrap();
    db.sync_file_checks(&[edited]).await.unwrap();
    assert!(!paused(&db).await, "the file changed paused to false");
    db.close().await;
}

#[tokio::test]
async fn uptime_bars_and_periods_count_results_where_they_fell() {
    let database = TestDatabase::create().await;
    let db = migrated_database(&database).await;
    let id = db
        .create_check(&http_spec("bars", "http://a/"), CheckSource::Api)
        .await
        .unwrap();
    let hour = 3_600_000_000_000_i64;
    let now = chrono::Utc::now().timestamp_nanos_opt().unwrap();
    // Hours ago: 1 healthy and 1 unhealthy just now, 1 healthy 3 days ago,
    // 1 unhealthy 20 days ago, 1 healthy 40 days ago (outside 30 days).
    let written = [
        (0, CheckState::Healthy),
        (0, CheckState::Unhealthy),
        (72, CheckState::Healthy),
        (480, CheckState::Unhealthy),
        (960, CheckState::Healthy),
    ];
    let outcomes: Vec<CheckOutcome> = written
        .iter()
        .enumerate()
        .map(|(i, (hours_ago, state))| CheckOutcome {
            check_id: id,
            at_ns: now - hours_ago * hour - i as i64 * 1_000_000,
            result: result(*state),
        })
        .collect();
    db.write_check_results(&outcomes).await.unwrap();

    let periods = db.check_uptime_periods(&[id], now).await.unwrap()[&id];
    let counts = periods.map(|p| (p.total, p.healthy));
    assert_eq!(counts, [(2, 1), (3, 2), (4, 2)]);

    // The last 90 minutes in 90 one-minute slots: raw results, the newest
    // two in the last slot, nothing else.
    let bars = db
        .check_uptime_bars(&[id], now - 90 * 60_000_000_000, now + 1, 90)
        .await
        .unwrap();
    let bar = &bars[&id];
    assert_eq!(bar.len(), 90);
    assert_eq!((bar[89].total, bar[89].unhealthy), (2, 1));
    assert_eq!(bar.iter().map(|u| u.total).sum::<u64>(), 2);
    assert_eq!(bar[89].worst(), Some(CheckState::Unhealthy));

    // 90 days in 90 daily slots: from the hourly rollups, all five.
    let day = 24 * hour;
    let bars = db
        .check_uptime_bars(&[id], now - 90 * day, now, 90)
        .await
        .unwrap();
    let totals: Vec<u64> = bars[&id].iter().map(|u| u.total).collect();
    assert_eq!(totals.iter().sum::<u64>(), 5);
    assert_eq!(
        totals[89], 2,
        "today's slot holds the newest two: {totals:?}"
    );
    db.close().await;
}
