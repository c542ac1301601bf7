//! Parsing and validation of the checks file, and the messages people see.

use app::model::check::{CheckType, StatusRange};

use super::*;

fn path() -> &'static Path {
    Path::new("/etc/watchpost/checks.toml")
}

fn error_text(text: &str) -> String {
    parse(path(), text).unwrap_err().to_string()
}

#[test]
fn checks_parse_with_the_json_api_field_names() {
    let text = r#"
        [[check]]
        name = "orders health"
        service = "orders"
        type = "http"
        url = "http://orders:8080/healthz"
        method = "head"
        interval = "15s"
        timeout = "2s"
        expected_status = [200, "3xx"]
        failure_threshold = 2
        paused = true
        headers = { Authorization = "Bearer t" }
        labels = { team = "orders" }

        [[check.conditions]]
        json_path = "$.status"
        equals = "UP"

        [[check]]
        name = "orders db"
        service = "orders"
        type = "tcp"
        target = "orders-db:5432"
    "#;
    let specs = parse(path(), text).unwrap();
    assert_eq!(specs.len(), 2);
    let http = &specs[0];
    assert_eq!(
        (http.name.as_str(), http.method.as_str()),
        ("orders health", "HEAD")
    );
    assert_eq!((http.interval_ms, http.timeout_ms), (15_000, 2_000));
    assert_eq!(
        http.expected_status,
        [
            StatusRange { from: 200, to: 200 },
            StatusRange { from: 300, to: 399 }
        ]
    );
    assert_eq!(http.failure_threshold, 2);
    assert!(http.paused);
    assert_eq!(http.headers["Authorization"], "Bearer t");
    assert_eq!(http.labels["team"], "orders");
    assert_eq!(http.conditions.len(), 1);
    assert_eq!(specs[1].check_type, CheckType::Tcp);
    assert_eq!(specs[1].target, "orders-db:5432");
}

#[test]
fn an_empty_file_has_no_checks() {
    assert!(parse(path(), "").unwrap().is_empty());
    assert!(parse(path(), "# nothing yet\n").unwrap().is_empty());
}

#[test]
fn validation_errors_name_the_file_the_entry_and_the_field() {
    let text = r#"
        [[check]]
        name = "fine"
        service = "orders"
        type = "tcp"
        target = "db:5432"

        [[check]]
        name = "orders health"
        service = "orders"
        type = "http"
        url = "http://orders/healthz"
        interval = "500ms"
    "#;
    assert_eq!(
        error_text(text),
        "checks file /etc/watchpost/checks.toml: check 2 (\"orders health\"): \
         interval: must be at least 1s"
    );
}

#[test]
fn every_problem_is_reported_at_once_even_without_a_name() {
    let text = r#"
        [[check]]
        type = "tcp"
        target = "db"

        [[check]]
        name = "b"
        service = "s"
        type = "ftp"
    "#;
    let Err(ChecksFileError::Invalid { problems, .. }) = parse(path(), text) else {
        panic!("expected validation problems");
    };
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("check 1: name: ")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("check 1: service: ")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("check 1: target: ")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("check 2 (\"b\"): type: ")),
        "{texts:?}"
    );
}

#[test]
fn duplicate_names_are_an_error() {
    let entry = r#"
        [[check]]
        name = "twice"
        service = "s"
        type = "tcp"
        target = "db:5432"
    "#;
    let text = entry.repeat(3);
    let Err(ChecksFileError::Invalid { problems, .. }) = parse(path(), &text) else {
        panic!("expected a duplicate-name problem");
    };
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "check 2 (\"twice\"): name: already used by check 1",
            "check 3 (\"twice\"): name: already used by check 1"
        ]
    );
}

#[test]
fn toml_errors_name_the_line_and_column() {
    let text = "[[check]]\nname = \"a\"\nservice = orders\n";
    let message = error_text(text);
    assert!(
        message.starts_with("checks file /etc/watchpost/checks.toml: line 3, column 11: "),
        "{message}"
    );
    assert!(!message.contains('\n'), "one line for the logs: {message}");
}

#[test]
fn unknown_fields_and_tables_are_refused_where_they_are() {
    let message = error_text("[[check]]\nname = \"a\"\nintervall = \"10s\"\n");
    assert!(message.contains("line 3, column 1: "), "{message}");
    assert!(message.contains("unknown field `intervall`"), "{message}");

    let message = error_text("[[checks]]\nname = \"a\"\n");
    assert!(message.contains("line 1"), "{message}");
    assert!(message.contains("unknown field `checks`"), "{message}");

    let message = error_text("[[check]]\nfailure_threshold = \"three\"\n");
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn a_missing_file_is_a_read_error() {
    let error = load(Path::new("/nonexistent/watchpost-checks.toml")).unwrap_err();
    assert!(matches!(error, ChecksFileError::Read { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("checks file /nonexistent/watchpost-checks.toml: cannot read it: "),
        "{error}"
    );
}

#[test]
fn positions_count_lines_and_characters_from_one() {
    assert_eq!(line_column("abc", 0), (1, 1));
    assert_eq!(line_column("a\nbc", 3), (2, 2));
    assert_eq!(line_column("é\né x", 5), (2, 2));
    assert_eq!(line_column("ab", 10), (1, 3));
}

#[test]
fn the_readme_example_is_a_valid_checks_file() {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("```toml\n")
        .expect("a toml example in the readme")
        + 8;
    let length = readme[start..].find("```").expect("the example ends");
    let specs = parse(path(), &readme[start..start + length]).unwrap();
    assert_eq!(specs.len(), 2);
}
