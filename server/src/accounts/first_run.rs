//! First run: while no user exists, a one-time link to create the first admin.
//!
//! Each start that finds no user stores a new token's hash and logs the
//! link once. Earlier unused tokens stay valid until the first user exists
//! (then all are deleted), so every replica's link works and a restart
//! does not break a link someone is about to open.

use std::net::SocketAddr;

use app::storage::Database;
use app::storage::accounts::{setup, users};
use tokio::sync::watch;

use super::session::new_token;

/// Issues and logs the setup link if there are no users; publishes it on
/// `link` for tests. Runs once, after migrations.
pub async fn run(db: Database, address: SocketAddr, link: watch::Sender<Option<String>>) {
    match users::any_exists(&db).await {
        Ok(true) => return,
        Ok(false) => {}
        Err(error) => {
            tracing::warn!(error = %error, "cannot tell whether this is a first run");
            return;
        }
    }
    let (token, hash) = new_token();
    match setup::add_token(&db, &hash).await {
        Ok(true) => {
            let url = format!("http://{address}/setup?token={token}");
            // The one place a secret is logged: an operator needs the link,
            // and it stops working once the first admin exists.
            tracing::info!("first run: create the first admin at {url}");
            link.send_replace(Some(url));
        }
        Ok(false) => {}
        Err(error) => tracing::warn!(error = %error, "first-run setup link not created"),
    }
}
