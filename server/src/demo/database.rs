//! The demo's own database. Simulated services must never mix silently with
//! real ones: the demo uses a database of its own (by default the server's
//! with `_demo` appended), marks it, and refuses an unmarked database that
//! already holds services or checks.

use app::storage::{Database, DatabaseSettings};

use super::{DemoConfig, DemoError};

/// `url` with `_demo` appended to its database name; the name alone too.
pub fn demo_database_url(url: &str) -> Result<(String, String), DemoError> {
    let name = format!("{}_demo", parse(url)?.name);
    Ok((with_database(url, &name)?, name))
}

/// A PostgreSQL URL cut around its database name.
struct UrlParts<'a> {
    /// Up to the `/` before the name.
    server: &'a str,
    name: &'a str,
    query: Option<&'a str>,
}

fn parse(url: &str) -> Result<UrlParts<'_>, DemoError> {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let refuse = || {
        DemoError::Database(format!(
            "cannot tell the database name in the database URL; pass --demo-database-url \
             (it ends {:?})",
            base.rsplit('/').next().unwrap_or_default()
        ))
    };
    let (server, name) = base.rsplit_once('/').ok_or_else(refuse)?;
    if name.is_empty() || !server.contains("://") || server.ends_with('/') {
        return Err(refuse());
    }
    Ok(UrlParts {
        server,
        name,
        query,
    })
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> Result<String, DemoError> {
    let parts = parse(url)?;
    Ok(match parts.query {
        Some(query) => format!("{}/{name}?{query}", parts.server),
        None => format!("{}/{name}", parts.server),
    })
}

/// The URL the demo's server should use: the given one, or the derived
/// one, created on the same PostgreSQL server if it is missing. Migrates
/// it, checks it holds no real data, and marks it as the demo's.
pub async fn prepare(config: &DemoConfig, server: &DatabaseSettings) -> Result<String, DemoError> {
    let url = match &config.database_url {
        Some(url) => url.clone(),
        None => {
            let (url, name) = demo_database_url(&server.url)?;
            let created = create(&server.url, &name).await?;
            if created {
                tracing::info!(database = %name, "created the demo database");
            }
            url
        }
    };
    let db = Database::connect_lazy(&DatabaseSettings {
        url: url.clone(),
        ..server.clone()
    })?;
    let checked = check_and_mark(&db).await;
    db.close().await;
    checked.map(|()| url)
}

/// Creates `name` through the server's own database, or, when that does
/// not exist yet either, through the `postgres` database every server has.
async fn create(server_url: &str, name: &str) -> Result<bool, DemoError> {
    use app::storage::demo::create_database_if_missing;
    let first = create_database_if_missing(server_url, name).await;
    let outcome = match first {
        Err(_) => {
            let maintenance = with_database(server_url, "postgres")?;
            create_database_if_missing(&maintenance, name)
                .await
                .or(first)
        }
        ok => ok,
    };
    outcome.map_err(|error| {
        DemoError::Database(format!(
            "cannot create the demo database {name}: {error}; create it, or pass \
             --demo-database-url"
        ))
    })
}

async fn check_and_mark(db: &Database) -> Result<(), DemoError> {
    db.migrate().await?;
    if !db.is_demo_database().await? {
        let foreign = db.foreign_data().await?;
        if !foreign.is_empty() {
            return Err(DemoError::Database(format!(
                "the demo database already holds {} services and {} health checks that are not \
                 the demo's; the demo keeps to a database of its own, so pass \
                 --demo-database-url with an empty one",
                foreign.services, foreign.checks
            )));
        }
        db.mark_demo_database().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_database_is_the_servers_with_demo_appended() {
        assert_eq!(
            demo_database_url("postgres://postgres@127.0.0.1:54329/watchpost").unwrap(),
            (
                "postgres://postgres@127.0.0.1:54329/watchpost_demo".to_owned(),
                "watchpost_demo".to_owned()
            )
        );
        assert_eq!(
            demo_database_url("postgres://u:p@db/shop?sslmode=require")
                .unwrap()
                .0,
            "postgres://u:p@db/shop_demo?sslmode=require"
        );
        assert!(demo_database_url("postgres://db").is_err());
        assert!(demo_database_url("postgres://db/").is_err());
    }
}
