//! The attacks the accounts issue names, and the account features around
//! them: CSRF, revoked tokens, disabled users, the audit trail, secrets in
//! logs, a database that cannot answer, user management, sessions.

use std::time::Duration;

use app::model::role::Role;
use app::storage::accounts::users;
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::Value;

use crate::access::no_redirects;
use crate::helpers::{
    TEST_PASSWORD, TestApp, TestDatabase, client_with_token, config_with, spawn_app, spawn_app_with,
};

/// Logs in with a password; the session cookie as a Cookie header.
async fn session_of(app: &TestApp, username: &str) -> String {
    let answer = no_redirects(None)
        .post(app.url("/login"))
        .header("origin", format!("http://{}", app.address))
        .form(&[
            ("username", username),
            ("password", TEST_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let set_cookie = answer.headers()["set-cookie"].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn pause(app: &TestApp, cookie: &str, headers: &[(&str, String)]) -> StatusCode {
    let mut request = no_redirects(None)
        .post(app.url("/rpc/pause_check"))
        .header(COOKIE, cookie)
        .form(&[("id", "999999"), ("paused", "true")]);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn cross_site_requests_with_a_cookie_are_refused() {
    let app = spawn_app().await;
    app.user_with_token("csrf-responder", Role::Responder).await;
    let cookie = session_of(&app, "csrf-responder").await;
    let own = format!("http://{}", app.address);

    let evil = [("origin", "https://evil.example".to_owned())];
    assert_eq!(pause(&app, &cookie, &evil).await, StatusCode::FORBIDDEN);
    let cross = [("sec-fetch-site", "cross-site".to_owned())];
    assert_eq!(pause(&app, &cookie, &cross).await, StatusCode::FORBIDDEN);
    // The same request from Watchpost's own page goes through (to a 404-ish
    // answer: no check 999999), and so does one from no browser at all.
    let same = [
        ("origin", own.clone()),
        ("sec-fetch-site", "same-origin".to_owned()),
    ];
    for headers in [&same[..], &[]] {
        let status = pause(&app, &cookie, headers).await;
        assert!(
            status != StatusCode::FORBIDDEN && status.as_u16() != 401,
            "{status}"
        );
    }

    // A forged login (into the attacker's account) is refused too.
    let forged = no_redirects(None)
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "csrf-responder"), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn revoked_tokens_and_disabled_users_are_locked_out_at_once() {
    let app = spawn_app().await;
    let (_, token) = app.user_with_token("leaver", Role::Admin).await;
    let cookie = session_of(&app, "leaver").await;
    let with_token = client_with_token(&token);
    let checks = app.url("/api/v1/checks");
    assert_eq!(with_token.get(&checks).send().await.unwrap().status(), 200);

    // A second token, made on the profile page's server function, then revoked.
    let (status, made) = call(&app, &cookie, "create_my_token", &[("name", "laptop")]).await;
    assert_eq!(status, 200);
    let second: String = serde_json::from_str(&made).unwrap();
    assert!(second.starts_with("wpt_"));
    let second_client = client_with_token(&second);
    assert_eq!(
        second_client.get(&checks).send().await.unwrap().status(),
        200
    );
    let (_, listed_text) = call(&app, &cookie, "my_tokens", &[]).await;
    let listed: Value = serde_json::from_str(&listed_text).unwrap();
    assert!(!listed_text.contains(&second), "a token is shown once only");
    let laptop = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "laptop")
        .unwrap();
    let id = laptop["id"].as_i64().unwrap().to_string();
    let (status, _) = call(&app, &cookie, "revoke_my_token", &[("id", id.as_str())]).await;
    assert_eq!(status, 200);
    assert_eq!(
        second_client.get(&checks).send().await.unwrap().status(),
        401
    );

    // Disabling the user ends the session and the remaining token.
    let db = app.db();
    assert!(users::set_disabled(&db, "leaver", true).await.unwrap());
    db.close().await;
    assert_eq!(with_token.get(&checks).send().await.unwrap().status(), 401);
    let page = no_redirects(None)
        .get(app.url("/services"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "back to the login page"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_from_where_for_admins_only() {
    let app = spawn_app().await;
    app.user_with_token("auditor", Role::Admin).await;
    let (_, viewer_token) = app.user_with_token("onlooker", Role::Viewer).await;
    let cookie = session_of(&app, "auditor").await;
    // A failed login, a change through the API, a refused attempt.
    let failed = no_redirects(None)
        .post(app.url("/login"))
        .form(&[("username", "auditor"), ("password", "wrong password!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), StatusCode::SEE_OTHER);
    let created = app
        .client
        .post(app.url("/api/v1/ingest-keys"))
        .json(&serde_json::json!({ "name": "audited" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let viewer = client_with_token(&viewer_token);
    let refused = viewer
        .post(app.url("/rpc/delete_check"))
        .form(&[("id", "1")])
        .send()
        .await;
    assert_eq!(refused.unwrap().status(), StatusCode::FORBIDDEN);

    let (_, log) = call(&app, &cookie, "audit_log", &[("action", "")]).await;
    let log: Value = serde_json::from_str(&log).unwrap();
    let records = log.as_array().unwrap();
    let find = |action: &str| {
        records
            .iter()
            .find(|r| r["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {log}"))
    };
    let login = find("login");
    assert_eq!(login["actor"], "auditor");
    assert_eq!(login["address"], "127.0.0.1");
    assert_eq!(find("login.failed")["target"], "auditor");
    assert_eq!(find("ingest_key.create")["target"], "audited");
    assert_eq!(find("ingest_key.create")["actor"], "admin");
    assert_eq!(find("forbidden")["actor"], "onlooker");
    assert_eq!(find("forbidden")["target"], "delete_check");
    assert!(!log.to_string().contains(TEST_PASSWORD));
    assert!(!log.to_string().contains("wrong password"));

    // Viewers do not read it.
    let denied = viewer
        .post(app.url("/rpc/audit_log"))
        .form(&[("action", "")])
        .send()
        .await;
    assert_eq!(denied.unwrap().status(), StatusCode::FORBIDDEN);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_can_require_a_signed_in_user() {
    let database = TestDatabase::create().await;
    let mut app = spawn_app_with(config_with(&database.url, &["--metrics-auth"])).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    let anonymous = app.anonymous.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    app.sign_in_as_admin().await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::OK);
    // Liveness and readiness stay public.
    let healthz = app.anonymous.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), StatusCode::OK);
    app.shutdown().await.unwrap();
}

/// Posts a server function form as `cookie`'s session, from the page's own
/// origin; the status and the body.
async fn call(app: &TestApp, cookie: &str, endpoint: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = no_redirects(None)
        .post(app.url(&format!("/rpc/{endpoint}")))
        .header(COOKIE, cookie)
        .header("origin", format!("http://{}", app.address))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn admins_manage_users_but_not_themselves() {
    let app = spawn_app().await;
    app.user_with_token("boss", Role::Admin).await;
    let boss = session_of(&app, "boss").await;
    let form = |username: &'static str, password: &'static str| {
        [
            ("form[username]", username),
            ("form[display_name]", "New Person"),
            ("form[role]", "viewer"),
            ("form[password]", password),
        ]
    };
    let (status, body) = call(&app, &boss, "create_user", &form("newbie", "short")).await;
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("password") && body.contains("12"), "{body}");
    let (status, body) = call(&app, &boss, "create_user", &form("newbie", TEST_PASSWORD)).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = call(&app, &boss, "create_user", &form("NEWBIE", TEST_PASSWORD)).await;
    assert!(
        body.contains("username") && body.contains("another user"),
        "{body}"
    );
    assert!(!body.contains(TEST_PASSWORD));

    let newbie = session_of(&app, "newbie").await;
    let (status, _) = call(&app, &newbie, "users", &[]).await;
    assert_eq!(status, 403, "a viewer does not list users");
    let (status, body) = call(&app, &boss, "users", &[]).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("\"newbie\"") && !body.contains("argon2"),
        "{body}"
    );

    // Promoted: the next request already has the role.
    let promote = [("username", "newbie"), ("role", "responder")];
    assert_eq!(call(&app, &boss, "update_user", &promote).await.0, 200);
    let (_, who) = call(&app, &newbie, "whoami", &[]).await;
    assert!(who.contains("\"responder\""), "{who}");
    // Not yourself.
    let (status, body) = call(
        &app,
        &boss,
        "update_user",
        &[("username", "boss"), ("disabled", "true")],
    )
    .await;
    assert_eq!(status, 500);
    assert!(body.contains("ask another admin"), "{body}");
    // Disabled: out at once.
    let disable = [("username", "newbie"), ("disabled", "true")];
    assert_eq!(call(&app, &boss, "update_user", &disable).await.0, 200);
    let (_, who) = call(&app, &newbie, "whoami", &[]).await;
    assert_eq!(who, "null");

    let (_, log) = call(&app, &boss, "audit_log", &[("action", "user.")]).await;
    for action in ["user.create", "user.role", "user.disable"] {
        assert!(
            log.contains(&format!("\"action\":\"{action}\"")),
            "{action}: {log}"
        );
    }
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn logging_out_everywhere_else_keeps_only_this_session() {
    let app = spawn_app().await;
    app.user_with_token("traveller", Role::Viewer).await;
    let laptop = session_of(&app, "traveller").await;
    let phone = session_of(&app, "traveller").await;
    let (status, ended) = call(&app, &laptop, "end_other_sessions", &[]).await;
    assert_eq!((status, ended.as_str()), (200, "1"));
    assert_eq!(call(&app, &phone, "whoami", &[]).await.1, "null");
    assert!(
        call(&app, &laptop, "whoami", &[])
            .await
            .1
            .contains("traveller")
    );
    // Before anyone has an account the login page says how to make one;
    // here someone has.
    assert_eq!(call(&app, &laptop, "setup_pending", &[]).await.1, "false");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn passwords_tokens_and_cookies_never_reach_the_logs() {
    let captured = crate::log_capture::Captured::default();
    let _guard = captured.install();
    let app = spawn_app().await;
    app.user_with_token("quiet", Role::Viewer).await;
    let cookie = session_of(&app, "quiet").await;
    let wrong = "hunter2hunter2hunter2";
    let refused = no_redirects(None)
        .post(app.url("/login"))
        .form(&[("username", "quiet"), ("password", wrong)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::SEE_OTHER);
    let (status, token) = call(&app, &cookie, "create_my_token", &[("name", "logs")]).await;
    assert_eq!(status, 200);
    let token: String = serde_json::from_str(&token).unwrap();
    let checks = client_with_token(&token)
        .get(app.url("/api/v1/checks"))
        .send()
        .await;
    assert_eq!(checks.unwrap().status(), 200);
    let logout = no_redirects(None)
        .post(app.url("/logout"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    app.shutdown().await.unwrap();

    let log = captured.text();
    assert!(
        log.contains("logged in") && log.contains("login failed"),
        "captured: {log}"
    );
    for secret in [
        TEST_PASSWORD,
        wrong,
        &token["wpt_".len()..],
        cookie.split('=').nth(1).unwrap(),
    ] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
}

/// When the database cannot say whose session or token it is, protected
/// routes answer 503 (retry), never treat the request as someone else.
#[tokio::test]
async fn a_database_that_cannot_say_who_is_asking_gets_503() {
    let database = TestDatabase::create().await;
    let (proxy, through_proxy) = crate::outage::proxied(&database).await;
    let mut app = spawn_app_with(crate::helpers::config_for(&through_proxy)).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;
    assert_eq!(app.get("/api/v1/checks").await.status(), StatusCode::OK);

    proxy.take_down();
    let api = app.get("/api/v1/checks").await;
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(api.headers().contains_key("retry-after"));
    let page = app.client.get(app.url("/services")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    let rpc = app
        .client
        .post(app.url("/rpc/services_overview"))
        .send()
        .await
        .unwrap();
    assert_eq!(rpc.status(), StatusCode::SERVICE_UNAVAILABLE);
    // No credentials: nothing to look up, so no 503 to hide behind.
    let anonymous = app
        .anonymous
        .get(app.url("/api/v1/checks"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    proxy.bring_up();
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..100 {
        status = app.get("/api/v1/checks").await.status();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, StatusCode::OK, "back once the database is");
    app.shutdown().await.unwrap();
}
