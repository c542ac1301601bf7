//! Accounts, part 1: first-run setup, login and logout, session cookies,
//! rate limiting and disabled users, against the real server and database.
//! Nothing is refused to anonymous users yet; these tests check who the
//! server thinks is asking.

use std::time::Duration;

use app::model::role::Role;
use app::storage::accounts::users::{self, NewUser};
use app::storage::{Database, DatabaseSettings};
use reqwest::header::{COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::Value;

use crate::helpers::{TestApp, TestDatabase, config_with, spawn_app_with};

const PASSWORD: &str = "correct horse battery staple";

/// A server on a fresh database, ready (migrated), and a client that does
/// not follow redirects, so each answer can be looked at.
async fn accounts_app(extra: &[&str]) -> (TestApp, reqwest::Client, Database) {
    let database = TestDatabase::create().await;
    let mut app = spawn_app_with(config_with(&database.url, extra)).await;
    let db = Database::connect_lazy(&DatabaseSettings {
        url: database.url.clone(),
        max_connections: 2,
        acquire_timeout: Duration::from_secs(5),
    })
    .unwrap();
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(30)).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    (app, client, db)
}

async fn add_user(db: &Database, username: &str, display_name: &str) {
    let password_hash = server::accounts::password::hash(PASSWORD.to_owned())
        .await
        .unwrap();
    let user = NewUser {
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        password_hash,
        role: Role::Responder,
    };
    users::create(db, &user).await.unwrap();
}

/// What the server answered, with the body read and checked for passwords.
struct Answer {
    status: u16,
    location: Option<String>,
    set_cookie: Option<String>,
    retry_after: Option<String>,
    body: String,
}

async fn answer(response: reqwest::Response) -> Answer {
    let header = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let (location, set_cookie, retry_after) =
        (header(LOCATION), header(SET_COOKIE), header(RETRY_AFTER));
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    assert!(!body.contains(PASSWORD), "a password in a response: {body}");
    assert!(!body.contains("$argon2"), "a password hash in a response");
    Answer {
        status,
        location,
        set_cookie,
        retry_after,
        body,
    }
}

async fn login(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
    next: &str,
    cookie: Option<&str>,
) -> Answer {
    let mut request = client.post(app.url("/login")).form(&[
        ("username", username),
        ("password", password),
        ("next", next),
    ]);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    answer(request.send().await.unwrap()).await
}

/// `watchpost_session=...` from a Set-Cookie header, as a Cookie header.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

/// Who the server says is signed in, through the header's server function.
async fn whoami(app: &TestApp, client: &reqwest::Client, cookie: Option<&str>) -> Value {
    let mut request = client.post(app.url("/rpc/whoami"));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    let answer = answer(request.send().await.unwrap()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

#[tokio::test]
async fn first_run_setup_creates_an_admin_once_and_logs_them_in() {
    let (mut app, client, _db) = accounts_app(&[]).await;
    let link = tokio::time::timeout(
        Duration::from_secs(30),
        app.first_run_link.wait_for(Option::is_some),
    )
    .await
    .expect("a setup link within 30 s")
    .unwrap()
    .clone()
    .unwrap();
    let (_, token) = link.split_once("/setup?token=").unwrap();
    assert!(
        link.starts_with(&format!("http://{}", app.address)),
        "{link}"
    );
    let token = token.to_owned();
    // The login page's hint: nobody has an account yet.
    let pending = answer(
        client
            .post(app.url("/rpc/setup_pending"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((pending.status, pending.body.as_str()), (200, "true"));

    let wrong = answer(
        client
            .get(app.url("/setup?token=nope"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(wrong.status, 404);
    let form = answer(
        client
            .get(app.url(&format!("/setup?token={token}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("Create the first admin"),
        "{}",
        form.body
    );

    let setup = |password: &'static str, repeat: &'static str| {
        client.post(app.url("/setup")).form(&[
            ("token", token.as_str()),
            ("username", "root"),
            ("display_name", "Ada Admin"),
            ("password", password),
            ("password_repeat", repeat),
        ])
    };
    let short = answer(setup("too short", "too short").send().await.unwrap()).await;
    assert_eq!(short.status, 303);
    assert!(short.location.unwrap().ends_with("&error=short"));
    assert!(short.set_cookie.is_none());

    let created = answer(setup(PASSWORD, PASSWORD).send().await.unwrap()).await;
    assert_eq!(created.status, 303, "{}", created.body);
    // Nothing has reported yet: the next step is sending data.
    assert_eq!(created.location.as_deref(), Some("/send-data"));
    let cookie = cookie_pair(&created.set_cookie.unwrap());
    let me = whoami(&app, &client, Some(&cookie)).await;
    assert_eq!(me["username"], "root");
    assert_eq!(me["display_name"], "Ada Admin");
    assert_eq!(me["role"], "admin");

    // Single use: the link and the form are gone for good.
    let again = answer(
        client
            .get(app.url(&format!("/setup?token={token}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, 410);
    let replay = answer(setup(PASSWORD, PASSWORD).send().await.unwrap()).await;
    assert_eq!(replay.status, 410);
    assert!(replay.set_cookie.is_none());

    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn login_issues_a_fresh_cookie_and_logout_ends_the_session() {
    let (app, client, db) = accounts_app(&[]).await;
    add_user(&db, "grace", "Grace Hopper").await;

    // A cookie planted before login (right shape, unknown to the server).
    let planted = format!("watchpost_session={}", "A".repeat(43));
    assert_eq!(whoami(&app, &client, Some(&planted)).await, Value::Null);
    let ok = login(
        &app,
        &client,
        "Grace",
        PASSWORD,
        "/traces?range=1h",
        Some(&planted),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/traces?range=1h"));
    let set_cookie = ok.set_cookie.unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let cookie = cookie_pair(&set_cookie);
    assert_ne!(cookie, planted, "no session fixation");
    assert_eq!(whoami(&app, &client, Some(&planted)).await, Value::Null);
    assert_eq!(
        whoami(&app, &client, Some(&cookie)).await["display_name"],
        "Grace Hopper"
    );

    // The page's header names the user, server-rendered.
    let page = answer(
        client
            .get(app.url("/services"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.body.contains("Grace Hopper"), "{}", page.body);
    assert!(page.body.contains("action=\"/logout\""));
    // Without the cookie, the page sends you to log in and back.
    let anonymous = answer(client.get(app.url("/services")).send().await.unwrap()).await;
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.location.as_deref(), Some("/login?next=/services"));
    assert!(!anonymous.body.contains("Grace Hopper"));

    // Only local paths are followed after login.
    let second = login(&app, &client, "grace", PASSWORD, "//evil.example/", None).await;
    assert_eq!(second.location.as_deref(), Some("/services"));
    let second_cookie = cookie_pair(&second.set_cookie.unwrap());
    assert_ne!(second_cookie, cookie, "a new session at every login");

    let out = answer(
        client
            .post(app.url("/logout"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, 303);
    assert!(out.set_cookie.unwrap().contains("Max-Age=0"));
    // Replaying the old cookie is anonymous: the session ended server-side.
    assert_eq!(whoami(&app, &client, Some(&cookie)).await, Value::Null);
    // The other session is untouched.
    assert_eq!(
        whoami(&app, &client, Some(&second_cookie)).await["username"],
        "grace"
    );

    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn failed_logins_say_nothing_about_the_user_and_are_rate_limited() {
    let (app, client, db) = accounts_app(&[]).await;
    add_user(&db, "linus", "Linus").await;

    let wrong = login(&app, &client, "linus", "not the password", "/map", None).await;
    let unknown = login(&app, &client, "nobody", "not the password", "/map", None).await;
    assert_eq!(wrong.status, 303);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.location, unknown.location);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.location.as_deref(), Some("/login?failed=1&next=/map"));
    assert!(wrong.set_cookie.is_none() && unknown.set_cookie.is_none());
    let page = answer(
        client
            .get(app.url("/login?failed=1&next=/map"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.body.contains("wrong username or password"),
        "{}",
        page.body
    );

    // Ten failures per username in the window; then even the right
    // password is refused until the window ends.
    for _ in 0..9 {
        let failed = login(&app, &client, "LINUS", "still wrong", "/", None).await;
        assert_eq!(failed.status, 303);
    }
    let limited = login(&app, &client, "linus", PASSWORD, "/", None).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    let retry_after: u64 = limited.retry_after.unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert!(limited.set_cookie.is_none());

    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_disabled_user_is_locked_out_at_once() {
    let (app, client, db) = accounts_app(&["--secure-cookies"]).await;
    add_user(&db, "mallory", "Mallory").await;
    let ok = login(&app, &client, "mallory", PASSWORD, "/", None).await;
    let set_cookie = ok.set_cookie.unwrap();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
    let cookie = cookie_pair(&set_cookie);
    assert_eq!(
        whoami(&app, &client, Some(&cookie)).await["username"],
        "mallory"
    );

    assert!(users::set_disabled(&db, "mallory", true).await.unwrap());
    assert_eq!(whoami(&app, &client, Some(&cookie)).await, Value::Null);
    let again = login(&app, &client, "mallory", PASSWORD, "/", None).await;
    assert_eq!(again.status, 303);
    assert!(again.location.unwrap().starts_with("/login?failed=1"));
    assert!(again.set_cookie.is_none());

    // Enabled again: new logins work, the old session stays ended.
    assert!(users::set_disabled(&db, "mallory", false).await.unwrap());
    assert_eq!(whoami(&app, &client, Some(&cookie)).await, Value::Null);
    let back = login(&app, &client, "mallory", PASSWORD, "/", None).await;
    assert!(back.set_cookie.is_some());

    app.shutdown().await.unwrap();
}

/// Runs one statement on the session behind `cookie`.
async fn on_session(db: &Database, cookie: &str, statement: &str) {
    let token = cookie.split_once('=').unwrap().1;
    let hash = server::accounts::session::hash_token(token);
    sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(&hash[..])
        .execute(db.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn sessions_end_when_idle_or_too_old_and_ended_ones_are_swept() {
    let (app, client, db) = accounts_app(&["--session-idle", "1h", "--session-max", "2h"]).await;
    add_user(&db, "ken", "Ken").await;
    let mut cookies = Vec::new();
    for _ in 0..4 {
        let ok = login(&app, &client, "ken", PASSWORD, "/", None).await;
        cookies.push(cookie_pair(&ok.set_cookie.unwrap()));
    }
    let [active, idle, old, revoked] = &cookies[..] else {
        unreachable!()
    };

    // Used 50 minutes ago: still live, and the use is recorded.
    on_session(
        &db,
        active,
        "update sessions set last_seen_at = now() - interval '50 minutes' where token_hash = $1",
    )
    .await;
    assert_eq!(whoami(&app, &client, Some(active)).await["username"], "ken");
    let stale: bool = sqlx::query_scalar(
        "select bool_or(last_seen_at < now() - interval '1 minute') from sessions where revoked_at is null and expires_at > now()",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(!stale, "last-seen refreshed once it was over a minute old");

    on_session(
        &db,
        idle,
        "update sessions set last_seen_at = now() - interval '61 minutes' where token_hash = $1",
    )
    .await;
    assert_eq!(whoami(&app, &client, Some(idle)).await, Value::Null);
    on_session(
        &db,
        old,
        "update sessions set expires_at = now() - interval '1 second' where token_hash = $1",
    )
    .await;
    assert_eq!(whoami(&app, &client, Some(old)).await, Value::Null);

    on_session(
        &db,
        revoked,
        "update sessions set revoked_at = now() - interval '2 days' where token_hash = $1",
    )
    .await;
    assert_eq!(
        app::storage::accounts::sessions::delete_ended(&db)
            .await
            .unwrap(),
        1
    );
    assert_eq!(whoami(&app, &client, Some(active)).await["username"], "ken");
    app.shutdown().await.unwrap();
}
