use std::time::Duration;

use app::storage::partitions::{self, Partitioned};
use app::storage::{Database, DatabaseSettings};
use chrono::{NaiveDate, TimeZone, Utc};
use server::jobs::partitions::maintain_once;

use crate::helpers::TestDatabase;

#[tokio::test]
async fn retention_drops_whole_old_partitions_and_creates_days_ahead() {
    let test_db = TestDatabase::create().await;
    let db = Database::connect_lazy(&DatabaseSettings {
        url: test_db.url.clone(),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(5),
    })
    .unwrap();
    db.migrate().await.unwrap();

    // Partitions for 10 days up to "now" = 2026-03-10 12:00 UTC.
    let now = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap();
    let ten_days_ago = Utc.with_ymd_and_hms(2026, 2, 28, 12, 0, 0).unwrap();
    partitions::ensure_ahead(db.pool(), Partitioned::Spans, ten_days_ago, 10)
        .await
        .unwrap();

    let dropped = maintain_once(&db, now, Duration::from_secs(7 * 86_400))
        .await
        .unwrap();

    let day = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    // Kept from 2026-03-03 12:00: the partition of 03-03 still holds
    // spans inside the window, so only 02-28 .. 03-02 go.
    assert_eq!(dropped, vec![day(28, 2), day(1, 3), day(2, 3)]);
    let remaining = partitions::list(db.pool(), Partitioned::Spans)
        .await
        .unwrap();
    assert_eq!(remaining.first(), Some(&day(3, 3)));
    // Today and two days ahead exist.
    assert_eq!(remaining.last(), Some(&day(12, 3)));
    assert_eq!(remaining.len(), 10);
    db.close().await;
}
