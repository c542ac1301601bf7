//! The declarative checks file: loaded at start (a bad file stops the
//! start), reloaded on SIGHUP (a bad file keeps the checks), its checks
//! marked `file` and closed to API edits.
//!
//! Only `a_server_started_with_a_checks_file_…` starts a server with a
//! checks file, because it raises a real SIGHUP that every such server in
//! this process would answer; the other tests call `reload` directly.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use app::model::check::CheckSource;
use reqwest::Method;
use serde_json::{Value, json};
use server::StartupError;
use server::health::checks_file::{self, ChecksFileError};

use crate::checks_api::send;
use crate::checks_storage::http_spec;
use crate::helpers::{TestApp, TestDatabase, config_with, spawn_app_with};
use crate::storage::migrated_database;

/// A checks file of its own for one test, removed when the test ends.
struct TempFile(PathBuf);

impl TempFile {
    fn new(test: &str, text: &str) -> TempFile {
        let name = format!("watchpost-{}-{test}.toml", std::process::id());
        let file = TempFile(std::env::temp_dir().join(name));
        file.write(text);
        file
    }

    fn write(&self, text: &str) {
        std::fs::write(&self.0, text).expect("write the checks file");
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn tcp_entry(name: &str, interval: &str) -> String {
    format!(
        "[[check]]\nname = \"{name}\"\nservice = \"orders\"\ntype = \"tcp\"\n\
         target = \"127.0.0.1:9\"\ninterval = \"{interval}\"\n\n"
    )
}

/// The checks as the API lists them, by name: (source, interval).
async fn listed(app: &TestApp) -> Vec<(String, String, String)> {
    let (status, list) = send(app, Method::GET, "/api/v1/checks", None).await;
    assert_eq!(status, 200, "{list}");
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| (text(&c["name"]), text(&c["source"]), text(&c["interval"])))
        .collect()
}

/// Polls the list until `done` says yes; the file is applied in the background.
async fn wait_for_list(
    app: &TestApp,
    done: impl Fn(&[(String, String, String)]) -> bool,
) -> Vec<(String, String, String)> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = listed(app).await;
        if done(&list) {
            return list;
        }
        assert!(Instant::now() < deadline, "list never matched: {list:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn entry<'a>(
    list: &'a [(String, String, String)],
    name: &str,
) -> Option<&'a (String, String, String)> {
    list.iter().find(|(n, _, _)| n == name)
}

#[tokio::test]
async fn a_server_started_with_a_checks_file_registers_and_reloads_its_checks() {
    let database = TestDatabase::create().await;
    let db = migrated_database(&database).await;
    db.create_check(
        &http_spec("by hand", "http://127.0.0.1:9/"),
        CheckSource::Ui,
    )
    .await
    .unwrap();
    let file = TempFile::new(
        "startup",
        &[
            tcp_entry("orders db", "30s"),
            tcp_entry("orders cache", "30s"),
            tcp_entry("by hand", "30s"),
        ]
        .concat(),
    );
    let path = file.path().to_str().unwrap();
    let mut app = spawn_app_with(config_with(&database.url, &["--checks-file", path])).await;
    app.wait_until_ready(Duration::from_secs(30)).await;
    app.sign_in_as_admin().await;

    let list = wait_for_list(&app, |list| list.len() == 3).await;
    let by_hand = entry(&list, "by hand").unwrap();
    assert_eq!(by_hand.1, "ui", "a ui check keeps its name: {list:?}");
    assert_eq!(entry(&list, "orders db").unwrap().1, "file");
    assert_eq!(entry(&list, "orders cache").unwrap().1, "file");

    // File checks change only with the file.
    let (_, checks) = send(&app, Method::GET, "/api/v1/checks", None).await;
    let id = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "orders db")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path_of = format!("/api/v1/checks/{id}");
    let edit =
        json!({"name": "orders db", "service": "orders", "type": "tcp", "target": "127.0.0.1:9"});
    let (status, body) = send(&app, Method::PUT, &path_of, Some(edit)).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(send(&app, Method::DELETE, &path_of, None).await.0, 409);

    // A real SIGHUP. Listening first installs tokio's process-wide handler,
    // so the signal cannot end the test process whatever the server's job
    // has reached.
    let mut hangups =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).unwrap();
    file.write(&[tcp_entry("orders db", "45s"), tcp_entry("payments", "30s")].concat());
    let sent = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    hangups.recv().await;
    let list = wait_for_list(&app, |list| {
        entry(list, "payments").is_some() && entry(list, "orders cache").is_none()
    })
    .await;
    assert_eq!(entry(&list, "orders db").unwrap().2, "45s");
    assert_eq!(entry(&list, "by hand").unwrap().1, "ui");
    app.shutdown().await.unwrap();
    db.close().await;
}

#[tokio::test]
async fn reloading_adds_updates_and_removes_and_a_bad_file_keeps_the_checks() {
    let database = TestDatabase::create().await;
    let db = migrated_database(&database).await;
    let file = TempFile::new(
        "reload",
        &[tcp_entry("a", "10s"), tcp_entry("b", "10s")].concat(),
    );
    let report = checks_file::reload(&db, file.path()).await.unwrap();
    assert_eq!((report.added, report.updated, report.removed), (2, 0, 0));

    file.write(&[tcp_entry("a", "20s"), tcp_entry("c", "10s")].concat());
    let report = checks_file::reload(&db, file.path()).await.unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.removed,
            report.unchanged
        ),
        (1, 1, 1, 0)
    );
    let names_and_intervals = async || {
        let checks = db.checks().await.unwrap();
        assert!(checks.iter().all(|c| c.source == CheckSource::File));
        checks
            .into_iter()
            .map(|c| (c.spec.name, c.spec.interval_ms))
            .collect::<Vec<_>>()
    };
    let good = vec![("a".to_owned(), 20_000), ("c".to_owned(), 10_000)];
    assert_eq!(names_and_intervals().await, good);

    // One bad entry among good ones: nothing applies, not even the good ones.
    file.write(&[tcp_entry("a", "500ms"), tcp_entry("d", "10s")].concat());
    let error = checks_file::reload(&db, file.path()).await.unwrap_err();
    assert!(
        matches!(error, ChecksFileError::Invalid { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .ends_with("check 1 (\"a\"): interval: must be at least 1s"),
        "{error}"
    );
    assert_eq!(names_and_intervals().await, good);

    file.write("[[check]\nname = \"a\"\n");
    let error = checks_file::reload(&db, file.path()).await.unwrap_err();
    assert!(error.to_string().contains("line 1, column"), "{error}");
    assert_eq!(names_and_intervals().await, good);

    let gone = file.path().with_extension("gone");
    let error = checks_file::reload(&db, &gone).await.unwrap_err();
    assert!(matches!(error, ChecksFileError::Read { .. }), "{error:?}");
    assert_eq!(names_and_intervals().await, good);

    // An empty file is valid: no file checks.
    file.write("");
    assert_eq!(
        checks_file::reload(&db, file.path()).await.unwrap().removed,
        2
    );
    db.close().await;
}

#[tokio::test]
async fn a_bad_checks_file_stops_the_server_from_starting() {
    let file = TempFile::new(
        "bad-start",
        &[tcp_entry("ok", "10s"), tcp_entry("orders health", "0s")].concat(),
    );
    let path = file.path().to_str().unwrap();
    // The file is read before anything else, so no database is needed.
    let config = config_with(
        "postgres://nobody@127.0.0.1:1/none",
        &["--checks-file", path],
    );
    let Err(error) = server::Application::build(config).await else {
        panic!("a server with a bad checks file started");
    };
    assert!(matches!(error, StartupError::ChecksFile(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("checks file {path}: check 2 (\"orders health\"): interval: must be at least 1s")
    );
}
