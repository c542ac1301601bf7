use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use app::model::role::Role;
use app::storage::accounts::tokens;
use app::storage::accounts::users::{self, NewUser};
use app::storage::{Database, DatabaseSettings};
use clap::Parser;
use server::config::Config;
use server::{Application, StartupError};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A database of its own for one test, dropped when the test ends.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
    server_url: String,
}

static NEXT_DATABASE: AtomicU32 = AtomicU32::new(0);

fn server_url() -> String {
    std::env::var("DATABASE_URL").expect(
        "DATABASE_URL must point at a PostgreSQL server for these tests; `./dev test` sets it up",
    )
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{database}?{query}"),
        None => format!("{prefix}/{database}"),
    }
}

impl TestDatabase {
    /// A name for a database that does not exist yet.
    pub fn unique_name() -> String {
        let n = NEXT_DATABASE.fetch_add(1, Ordering::Relaxed);
        format!("watchpost_test_{}_{n}", std::process::id())
    }

    pub async fn create() -> TestDatabase {
        let database = TestDatabase::named(TestDatabase::unique_name());
        database.create_now().await;
        database
    }

    /// The handle without creating the database, for tests of a late database.
    pub fn named(name: String) -> TestDatabase {
        let server_url = server_url();
        let url = with_database(&server_url, &name);
        TestDatabase {
            name,
            url,
            server_url,
        }
    }

    pub async fn create_now(&self) {
        let mut connection = PgConnection::connect(&self.server_url)
            .await
            .expect("connect to the test server");
        connection
            // Names come from `unique_name`, never from outside input.
            .execute(AssertSqlSafe(format!("create database {}", self.name)))
            .await
            .expect("create the test database");
    }

    pub async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url)
            .await
            .expect("connect to the test database")
    }

    /// Spans stored so far; an error until migrations made the table.
    pub async fn span_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("select count(*) from spans")
            .fetch_one(&mut self.connect().await)
            .await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs outside async; a short-lived runtime on its own thread
        // removes the database so test runs leave nothing behind.
        let server_url = self.server_url.clone();
        let statement = format!("drop database if exists {} with (force)", self.name);
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut connection = PgConnection::connect(&server_url).await?;
                connection.execute(AssertSqlSafe(statement)).await?;
                Ok::<_, sqlx::Error>(())
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
    }
}

/// A running server and a client for it.
pub struct TestApp {
    pub address: SocketAddr,
    pub otlp_http_address: SocketAddr,
    pub otlp_grpc_address: SocketAddr,
    /// Signed in as an admin (an API token) after `spawn_app`; anonymous
    /// after `spawn_app_with` until `sign_in_as_admin`.
    pub client: reqwest::Client,
    /// Never signed in.
    pub anonymous: reqwest::Client,
    pub database: Option<TestDatabase>,
    database_url: String,
    /// The first-run setup link, once the server has issued it.
    pub first_run_link: tokio::sync::watch::Receiver<Option<String>>,
    cancel: CancellationToken,
    server: JoinHandle<Result<(), StartupError>>,
}

pub fn config_for(database_url: &str) -> Config {
    config_with(database_url, &[])
}

/// The test configuration plus some extra flags.
pub fn config_with(database_url: &str, extra: &[&str]) -> Config {
    let base = [
        "watchpost",
        "--listen",
        "127.0.0.1:0",
        "--otlp-http-listen",
        "127.0.0.1:0",
        "--otlp-grpc-listen",
        "127.0.0.1:0",
        "--database-url",
        database_url,
        "--database-acquire-timeout",
        "1s",
        "--database-retry-max",
        "200ms",
        "--shutdown-timeout",
        "5s",
    ];
    // Tests evaluate alerts themselves, at the times they choose, unless
    // they ask for the server's own loop.
    let alerts: &[&str] = if extra.contains(&"--alert-interval") {
        &[]
    } else {
        &["--alert-interval", "1h"]
    };
    let args = base.iter().chain(alerts).chain(extra).copied();
    Config::try_parse_from(args).expect("test configuration parses")
}

/// The server on a fresh database, ready, with an admin's client.
pub async fn spawn_app() -> TestApp {
    spawn_app_with_flags(&[]).await
}

/// [`spawn_app`] with some extra flags.
pub async fn spawn_app_with_flags(extra: &[&str]) -> TestApp {
    let database = TestDatabase::create().await;
    let mut app = spawn_app_with(config_with(&database.url, extra)).await;
    app.database = Some(database);
    app.wait_until_ready(Duration::from_secs(20)).await;
    app.sign_in_as_admin().await;
    app
}

/// A client that sends `token` as its bearer token on every request.
pub fn client_with_token(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {token}").parse().unwrap();
    headers.insert(reqwest::header::AUTHORIZATION, value);
    reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .default_headers(headers)
        .build()
        .unwrap()
}

// Generous, for two dozen servers sharing two cores. Pages that never
// finished were once a bug here, not load: see `http::app_routes`.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn spawn_app_with(config: Config) -> TestApp {
    let database_url = config.database.settings().url;
    let application = Application::build(config).await.expect("server builds");
    let address = application.address();
    let otlp_http_address = application.otlp_http_address();
    let otlp_grpc_address = application.otlp_grpc_address();
    let first_run_link = application.first_run_link();
    let cancel = CancellationToken::new();
    let server = tokio::spawn(application.run_until_cancelled(cancel.clone()));
    let anonymous = reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .build()
        .unwrap();
    TestApp {
        address,
        otlp_http_address,
        otlp_grpc_address,
        client: anonymous.clone(),
        anonymous,
        database: None,
        database_url,
        first_run_link,
        cancel,
        server,
    }
}

impl TestApp {
    /// Makes `app.client` an admin's (through an API token). The database
    /// must be migrated (`wait_until_ready`).
    pub async fn sign_in_as_admin(&mut self) {
        let (_, token) = self.user_with_token("admin", Role::Admin).await;
        self.client = client_with_token(&token);
    }

    /// A new user with `role` (password [`TEST_PASSWORD`]) and an API token
    /// of theirs: the user's id and the token.
    pub async fn user_with_token(&self, username: &str, role: Role) -> (i64, String) {
        let db = self.db();
        let user = NewUser {
            username: username.to_owned(),
            display_name: format!("{username} (test)"),
            password_hash: test_password_hash().await,
            role,
        };
        let id = users::create(&db, &user).await.expect("test user created");
        let made = server::accounts::api_token::mint("wpt_").unwrap();
        tokens::create(&db, id, "test", &made.prefix, &made.hash)
            .await
            .expect("test token created");
        db.close().await;
        (id, made.secret)
    }

    /// A handle on this server's database, for setting up and checking.
    pub fn db(&self) -> Database {
        Database::connect_lazy(&DatabaseSettings {
            url: self.database_url.clone(),
            max_connections: 2,
            acquire_timeout: Duration::from_secs(10),
        })
        .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches the server")
    }

    /// GET `path`, which must answer 200 with JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        response.json().await.expect("a JSON answer")
    }

    /// POST `body` as JSON to `path`: the status, and the JSON answer
    /// (`Null` when there is none).
    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .expect("request reaches the server");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// Waits until `/readyz` says 200 (migrations run in the background).
    pub async fn wait_until_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let status = self.get("/readyz").await.status();
            if status == 200 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not ready after {within:?}; last status {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Asks the server to stop, as SIGTERM would, and waits for it.
    pub async fn shutdown(self) -> Result<(), StartupError> {
        self.cancel.cancel();
        tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("server stops within 10s")
            .expect("server task does not panic")
    }
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://u@h:1/a", "b"),
        "postgres://u@h:1/b"
    );
    assert_eq!(
        with_database("postgres://u:p@h/a?sslmode=disable", "b"),
        "postgres://u:p@h/b?sslmode=disable"
    );
}

/// The password of every user `user_with_token` makes.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// Hashed once per test process: argon2id is slow in a debug build.
async fn test_password_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async {
        server::accounts::password::hash(TEST_PASSWORD.to_owned())
            .await
            .unwrap()
    })
    .await
    .clone()
}
