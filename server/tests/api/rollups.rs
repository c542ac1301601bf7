//! RED rollups: written with the spans, merged without losing counts, and
//! read back as the figures the Services page shows.

use std::time::Duration;

use app::storage::{Database, DatabaseSettings};
use prost::Message;

use crate::helpers::TestApp;
use crate::ingest_http::{PROTOBUF, full_request, now_ns, post, ready_app};

pub fn database_of(app: &TestApp) -> Database {
    Database::connect_lazy(&DatabaseSettings {
        url: app.database.as_ref().unwrap().url.clone(),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(5),
    })
    .unwrap()
}

async fn rollup_rows(db: &Database) -> i64 {
    let (rows,): (i64,) = sqlx::query_as("select count(*) from span_rollups")
        .fetch_one(db.pool())
        .await
        .unwrap();
    rows
}

#[tokio::test]
async fn rollups_count_every_stored_span_before_and_after_merging() {
    let app = ready_app().await;
    let db = database_of(&app);
    let start = now_ns() - 120_000_000_000;
    for _ in 0..3 {
        let body = full_request(start).encode_to_vec();
        assert_eq!(post(&app, true, PROTOBUF, false, body).await.status(), 200);
    }
    let (from, to) = ((start - 600_000_000_000) as i64, now_ns() as i64);
    // One row per request and operation (server and client span), unless
    // the server's own merge job has already run in between.
    let rows = rollup_rows(&db).await;
    assert!((2..=6).contains(&rows), "{rows} rows");
    let before = db.service_red(from, to, 10).await.unwrap();

    let merged = db.merge_rollups(0).await.unwrap();
    assert!(
        merged == 0 || merged as i64 == rows,
        "{merged} of {rows} merged"
    );
    assert_eq!(
        rollup_rows(&db).await,
        2,
        "one row per operation and minute"
    );
    let after = db.service_red(from, to, 10).await.unwrap();
    assert_eq!(before, after, "merging changes no figure");

    let checkout = &after[0];
    assert_eq!(checkout.name, "checkout");
    // Requests are the service's server spans: three, all failed.
    assert_eq!(checkout.figures.requests, 3);
    assert_eq!(checkout.figures.errors, 3);
    assert_eq!(checkout.requests_per_bucket.iter().sum::<u64>(), 3);
    let p95 = checkout.figures.p95_ns.unwrap() as f64;
    assert!(
        (p95 / 1_234_567.0 - 1.0).abs() <= 0.01,
        "p95 {p95} within 1 %"
    );

    let (total, operations) = db.operation_red("checkout", from, to).await.unwrap();
    assert_eq!(total.requests, 3);
    let names: Vec<&str> = operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["POST /orders", "SELECT orders"]);
    assert_eq!(operations[1].figures.errors, 0);

    // Old rollups go with retention.
    assert_eq!(db.drop_rollups_before(to).await.unwrap(), 2);
    assert!(db.service_red(from, to, 10).await.unwrap().is_empty());
    db.close().await;
}
