use super::*;

fn form(name: &str, target: &str) -> CheckForm {
    CheckForm {
        name: name.to_owned(),
        service: "orders".to_owned(),
        target: target.to_owned(),
        ..CheckForm::default()
    }
}

fn messages(errors: &[FieldError]) -> Vec<(&str, &str)> {
    errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect()
}

#[test]
fn the_defaults_make_a_valid_http_check() {
    let spec = form("orders health", "http://orders:8080/health")
        .validate()
        .unwrap();
    assert_eq!(spec.check_type, CheckType::Http);
    assert_eq!(spec.interval_ms, 10_000);
    assert_eq!(spec.timeout_ms, 5_000);
    assert_eq!(spec.failure_threshold, 3);
    assert_eq!(spec.method, "GET");
}

#[test]
fn an_existing_check_round_trips_through_the_form() {
    let mut original = form("orders health", "https://orders/health");
    original.headers = "Authorization: Bearer x\nX-Env: prod".to_owned();
    original.labels = "team=core\ntier=1".to_owned();
    original.conditions = "$.status == healthy\nresponse_time < 250ms".to_owned();
    original.expected_status = "200, 204".to_owned();
    original.public = true;
    let spec = original.validate().unwrap();
    let again = CheckForm::from_spec(&spec).validate().unwrap();
    assert_eq!(again, spec);
    assert!(again.public);
    assert_eq!(again.headers.len(), 2);
}

#[test]
fn messages_land_under_the_form_fields() {
    let mut bad = form("", "ftp://orders");
    bad.interval = "100ms".to_owned();
    bad.failure_threshold = "three".to_owned();
    bad.labels = "no separator".to_owned();
    let errors = bad.validate().unwrap_err();
    let fields: Vec<&str> = messages(&errors).iter().map(|(f, _)| *f).collect();
    for expected in ["name", "target", "interval", "failure_threshold", "labels"] {
        assert!(
            fields.contains(&expected),
            "{expected} missing in {fields:?}"
        );
    }
    // One message per field: the text area's own, not a second one.
    let labels = errors.iter().filter(|e| e.field == "labels").count();
    assert_eq!(labels, 1);
}

#[test]
fn tcp_checks_take_host_and_port_and_ignore_the_http_defaults() {
    let mut tcp = form("db port", "db:5432");
    tcp.check_type = "tcp".to_owned();
    let spec = tcp.validate().unwrap();
    assert_eq!(spec.check_type, CheckType::Tcp);
    assert_eq!(spec.target, "db:5432");
    assert!(spec.expected_status.is_empty());

    tcp.target = "http://db:5432".to_owned();
    let errors = tcp.validate().unwrap_err();
    assert!(errors.iter().any(|e| e.field == "target"), "{errors:?}");
}

#[test]
fn a_timeout_over_the_interval_is_refused_next_to_the_timeout() {
    let mut slow = form("slow", "http://slow/health");
    slow.interval = "2s".to_owned();
    slow.timeout = "5s".to_owned();
    let errors = slow.validate().unwrap_err();
    assert_eq!(messages(&errors)[0].0, "timeout");
}
