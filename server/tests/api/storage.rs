use app::storage::{Database, DatabaseSettings, Readiness, expected_schema_version};

use crate::helpers::TestDatabase;

fn settings(url: &str) -> DatabaseSettings {
    DatabaseSettings {
        url: url.to_owned(),
        max_connections: 2,
        acquire_timeout: std::time::Duration::from_secs(2),
    }
}

#[tokio::test]
async fn a_fresh_database_is_pending_until_migrated() {
    let test_db = TestDatabase::create().await;
    let db = Database::connect_lazy(&settings(&test_db.url)).unwrap();

    match db.readiness().await {
        Readiness::MigrationsPending {
            applied: None,
            expected,
        } => assert_eq!(expected, expected_schema_version()),
        other => panic!("expected pending migrations, got {other:?}"),
    }
    db.migrate().await.unwrap();
    assert!(matches!(db.readiness().await, Readiness::Ready));
    assert_eq!(
        db.applied_schema_version().await.unwrap(),
        Some(expected_schema_version())
    );

    // Migrating again (a second replica starting) changes nothing.
    db.migrate().await.unwrap();
    assert!(matches!(db.readiness().await, Readiness::Ready));
    db.close().await;
}

#[tokio::test]
async fn an_unreachable_database_is_reported_as_such() {
    let db = Database::connect_lazy(&settings("postgres://x@127.0.0.1:1/x")).unwrap();
    assert!(matches!(
        db.readiness().await,
        Readiness::Unreachable(app::storage::StorageError::Unavailable(_))
    ));
}

#[tokio::test]
async fn concurrent_migrations_from_two_replicas_both_succeed() {
    let test_db = TestDatabase::create().await;
    let first = Database::connect_lazy(&settings(&test_db.url)).unwrap();
    let second = Database::connect_lazy(&settings(&test_db.url)).unwrap();
    let (a, b) = tokio::join!(first.migrate(), second.migrate());
    a.unwrap();
    b.unwrap();
    let mut connection = test_db.connect().await;
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations")
        .fetch_one(&mut connection)
        .await
        .unwrap();
    assert_eq!(applied, app::storage::MIGRATOR.iter().count() as i64);
}

/// A migrated database for storage-level tests.
pub async fn migrated_database(test_db: &TestDatabase) -> Database {
    let db = Database::connect_lazy(&settings(&test_db.url)).unwrap();
    db.migrate().await.unwrap();
    db
}
