//! Who may do what: the role matrix over every route, server function and
//! page, read from the server itself. The attacks are in `access_attacks`.

use app::auth::{Access, rpc_access};
use app::model::role::Role;
use reqwest::header::LOCATION;
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, spawn_app};

/// A concrete path for a route pattern: parameters become harmless values
/// (ids nothing has, names nothing has).
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|part| match part {
            "{trace_id}" => "4bf92f3577b34da6a3ce929d0e0e4736",
            part if part.starts_with('{') => "999999",
            part => part,
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Caller {
    label: &'static str,
    role: Option<Role>,
    client: reqwest::Client,
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    let mut callers = vec![Caller {
        label: "anonymous",
        role: None,
        client: no_redirects(None),
    }];
    for (label, role) in [
        ("viewer", Role::Viewer),
        ("responder", Role::Responder),
        ("admin", Role::Admin),
    ] {
        let (_, token) = app.user_with_token(&format!("matrix-{label}"), role).await;
        callers.push(Caller {
            label,
            role: Some(role),
            client: no_redirects(Some(&token)),
        });
    }
    callers
}

pub fn no_redirects(token: Option<&str>) -> reqwest::Client {
    match token {
        Some(token) => {
            let mut headers = reqwest::header::HeaderMap::new();
            let value = format!("Bearer {token}").parse().unwrap();
            headers.insert(reqwest::header::AUTHORIZATION, value);
            reqwest::Client::builder()
                .redirect(Policy::none())
                .default_headers(headers)
                .build()
                .unwrap()
        }
        None => reqwest::Client::builder()
            .redirect(Policy::none())
            .build()
            .unwrap(),
    }
}

/// What `access` says `caller` must get: `None` for "let through" (any
/// answer but 401 and 403), or the refusal.
fn expected(access: Access, caller: Option<Role>) -> Option<StatusCode> {
    match (access, caller) {
        (Access::Public, _) => None,
        (Access::Signed(_), None) => Some(StatusCode::UNAUTHORIZED),
        (Access::Signed(needed), Some(role)) if role < needed => Some(StatusCode::FORBIDDEN),
        (Access::Signed(_), Some(_)) => None,
    }
}

fn judge(what: &str, caller: &Caller, want: Option<StatusCode>, got: StatusCode) {
    match want {
        Some(refusal) => assert_eq!(got, refusal, "{what} as {}", caller.label),
        None => assert!(
            got != StatusCode::UNAUTHORIZED && got != StatusCode::FORBIDDEN,
            "{what} as {} was refused: {got}",
            caller.label
        ),
    }
}

/// Every JSON route, from the table the router is built from.
#[tokio::test]
async fn every_api_route_refuses_anonymous_users_and_too_low_roles() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let routes = server::http::api_routes(false);
    assert!(
        routes.len() > 15,
        "the table is the router: {}",
        routes.len()
    );
    let mut refused_below = 0;
    for route in &routes {
        // The login forms and OTLP have their own rules and tests.
        if matches!(route.path, "/login" | "/logout" | "/setup" | "/v1/traces") {
            assert_eq!(route.access, Access::Public);
            continue;
        }
        let path = concrete(route.path);
        for caller in &callers {
            let request = caller
                .client
                .request(route.method.clone(), app.url(&path))
                .header("content-type", "application/json")
                .body("{}");
            let status = request.send().await.unwrap().status();
            let want = expected(route.access, caller.role);
            if want == Some(StatusCode::FORBIDDEN) {
                refused_below += 1;
            }
            judge(&format!("{} {path}", route.method), caller, want, status);
        }
    }
    // Viewers below responders and admins, responders below admins.
    assert!(refused_below >= 10, "{refused_below}");
    app.shutdown().await.unwrap();
}

/// Every registered server function, from the server-function registry:
/// one without a rule would fail here, and is refused to all meanwhile.
#[tokio::test]
async fn every_server_function_has_a_rule_and_keeps_to_it() {
    let app = spawn_app().await;
    let callers = callers(&app).await;
    let functions: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(functions.len() > 20, "{functions:?}");
    for (path, method) in functions {
        let endpoint = path
            .strip_prefix("/rpc/")
            .expect("server functions live under /rpc");
        let access = rpc_access(endpoint)
            .unwrap_or_else(|| panic!("{endpoint} has no rule in app::auth::rpc_access"));
        for caller in &callers {
            let request = caller
                .client
                .request(
                    Method::from_bytes(method.as_str().as_bytes()).unwrap(),
                    app.url(path),
                )
                .header("content-type", "application/x-www-form-urlencoded")
                .body("");
            let status = request.send().await.unwrap().status();
            judge(endpoint, caller, expected(access, caller.role), status);
        }
    }
    app.shutdown().await.unwrap();
}

/// Every page, from the app's route list: anonymous visitors are sent to
/// log in, except on the login, setup and status pages.
#[tokio::test]
async fn every_page_but_login_setup_and_status_needs_a_signed_in_user() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("page-viewer", Role::Viewer).await;
    let viewer = no_redirects(Some(&token));
    let anonymous = no_redirects(None);
    let pages = server::http::page_paths();
    assert!(pages.len() >= 10, "{pages:?}");
    for pattern in pages {
        let path = concrete(&pattern);
        let answer = anonymous.get(app.url(&path)).send().await.unwrap();
        if pattern == "/login" {
            // The way back is in the form itself, so it works without
            // the bundle (a login right after a failed one, say).
            let login = anonymous
                .get(app.url("/login?next=/traces%3Frange%3D6h"))
                .send();
            let html = login.await.unwrap().text().await.unwrap();
            assert!(
                html.contains(r#"name="next" value="/traces?range=6h""#),
                "{html}"
            );
        }
        if ["/login", "/setup", "/status"].contains(&pattern.as_str()) {
            assert_ne!(answer.status(), StatusCode::SEE_OTHER, "{path}");
            continue;
        }
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{path}");
        let location = answer.headers()[LOCATION].to_str().unwrap().to_owned();
        assert!(location.starts_with("/login?next="), "{path}: {location}");
        let signed_in = viewer.get(app.url(&path)).send().await.unwrap();
        assert_eq!(signed_in.status(), StatusCode::OK, "{path} as a viewer");
    }
    app.shutdown().await.unwrap();
}
