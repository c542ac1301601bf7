//! The key cache: the active key hashes in memory, so checking a key costs
//! a hash and a set lookup, never a database round trip.
//!
//! A job reloads the set every [`REFRESH_EVERY`], so a key revoked on any
//! replica (or with the CLI) is refused everywhere within seconds; the
//! replica that revokes through the API drops it at once. The same job
//! writes the keys' last-used times in one statement per round.
//!
//! Until the first load succeeds the cache knows no key, and a request that
//! presents one gets 503 / UNAVAILABLE (retryable): exporters retry, so no
//! span is lost, and none is taken unchecked. After that, a failed reload
//! keeps the last set: the database being down must not stop ingest from
//! exporters that were allowed a moment ago.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use app::storage::{Database, StorageError};
use axum::http::HeaderValue;
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::key::{self, KeyHash};
use crate::ingest::IngestError;

/// How often each replica reloads the active keys: the longest a
/// revocation elsewhere takes to reach it.
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// Until the first load succeeds (migrations may still be running), retry
/// sooner so a starting server accepts keys quickly.
const FIRST_LOAD_RETRY: Duration = Duration::from_millis(250);

/// Cheap to clone; `off` when keys are not required.
#[derive(Clone)]
pub struct KeyCache {
    inner: Option<Arc<Inner>>,
}

#[derive(Default)]
struct Inner {
    /// `None` until the first load.
    active: RwLock<Option<HashSet<KeyHash>>>,
    /// Keys used since the last flush, with the latest time.
    used: Mutex<HashMap<KeyHash, DateTime<Utc>>>,
    /// Held across a reload's query and swap, and by the API's own changes,
    /// so a reload that read the table just before a key was created or
    /// revoked here cannot undo that change.
    update: tokio::sync::Mutex<()>,
}

impl KeyCache {
    /// A cache that lets every request through: keys are off.
    pub fn off() -> KeyCache {
        KeyCache { inner: None }
    }

    /// A cache that requires keys; empty until the first load.
    pub fn required() -> KeyCache {
        KeyCache {
            inner: Some(Arc::default()),
        }
    }

    pub fn is_required(&self) -> bool {
        self.inner.is_some()
    }

    /// Whether a request with this `Authorization` header may send spans.
    /// The errors never contain the header.
    pub fn authorize(&self, authorization: Option<&HeaderValue>) -> Result<(), IngestError> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        let presented = authorization
            .and_then(bearer_token)
            .ok_or(IngestError::MissingKey)?;
        // A set lookup, not a constant-time compare: what timing could
        // reveal is about the SHA-256 of the caller's own guess, which says
        // nothing about any stored key.
        let hash = key::hash(presented);
        let known = match &*inner.active.read().unwrap_or_else(PoisonError::into_inner) {
            None => return Err(IngestError::KeysNotLoaded),
            Some(active) => active.contains(&hash),
        };
        if !known {
            return Err(IngestError::UnknownKey);
        }
        inner
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(hash, Utc::now());
        Ok(())
    }

    /// A key created on this server works here at once.
    pub async fn added(&self, hash: KeyHash) {
        self.change(|active| {
            active.insert(hash);
        })
        .await;
    }

    /// A key revoked on this server is refused here at once.
    pub async fn revoked(&self, hash: KeyHash) {
        self.change(|active| {
            active.remove(&hash);
        })
        .await;
    }

    async fn change(&self, edit: impl FnOnce(&mut HashSet<KeyHash>)) {
        let Some(inner) = &self.inner else { return };
        let _update = inner.update.lock().await;
        // Before the first load there is nothing to edit; the load will
        // read the change from the table.
        if let Some(active) = &mut *inner.active.write().unwrap_or_else(PoisonError::into_inner) {
            edit(active);
        }
    }

    /// One round: reload the active keys, then write the last-used times.
    /// Returns how many keys are active.
    pub async fn refresh_once(&self, db: &Database) -> Result<usize, StorageError> {
        let Some(inner) = &self.inner else {
            return Ok(0);
        };
        let count = {
            let _update = inner.update.lock().await;
            let loaded: HashSet<KeyHash> = db
                .active_ingest_key_hashes()
                .await?
                .into_iter()
                .filter_map(|hash| KeyHash::try_from(hash.as_slice()).ok())
                .collect();
            let count = loaded.len();
            *inner.active.write().unwrap_or_else(PoisonError::into_inner) = Some(loaded);
            count
        };
        self.flush_last_used(db).await?;
        Ok(count)
    }

    /// Writes the last-used times collected since the last flush; on
    /// failure they are kept for the next one.
    pub async fn flush_last_used(&self, db: &Database) -> Result<(), StorageError> {
        let Some(inner) = &self.inner else {
            return Ok(());
        };
        let used = std::mem::take(&mut *inner.used.lock().unwrap_or_else(PoisonError::into_inner));
        if used.is_empty() {
            return Ok(());
        }
        let batch: Vec<(Vec<u8>, DateTime<Utc>)> =
            used.iter().map(|(hash, at)| (hash.to_vec(), *at)).collect();
        if let Err(error) = db.touch_ingest_keys(&batch).await {
            let mut pending = inner.used.lock().unwrap_or_else(PoisonError::into_inner);
            for (hash, at) in used {
                let latest = pending.entry(hash).or_insert(at);
                *latest = (*latest).max(at);
            }
            return Err(error);
        }
        Ok(())
    }

    fn loaded(&self) -> bool {
        self.inner.as_ref().is_some_and(|inner| {
            inner
                .active
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some()
        })
    }
}

/// The token of `Bearer <token>` (the scheme in any case, as RFC 7235 has it).
fn bearer_token(value: &HeaderValue) -> Option<&str> {
    let (scheme, token) = value.to_str().ok()?.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Keeps the cache in step with the table until `cancel`, then writes the
/// last-used times one more time. `changed` wakes it early: a key made or
/// revoked on this server's UI.
pub async fn run(
    cache: KeyCache,
    db: Database,
    changed: std::sync::Arc<tokio::sync::Notify>,
    cancel: CancellationToken,
) {
    if !cache.is_required() {
        return;
    }
    let mut failing = false;
    loop {
        match cache.refresh_once(&db).await {
            Ok(active) => {
                if failing {
                    tracing::info!(active, "ingest keys reloaded");
                }
                failing = false;
            }
            // Before the first load the table may not exist yet
            // (migrations run in the background): not worth a warning.
            Err(error) if !cache.loaded() => {
                tracing::debug!(error = %error, "ingest keys not loaded yet")
            }
            Err(error) => {
                if !failing {
                    tracing::warn!(error = %error, "ingest keys not reloaded; keeping the last set");
                }
                failing = true;
            }
        }
        let pause = if cache.loaded() {
            REFRESH_EVERY
        } else {
            FIRST_LOAD_RETRY
        };
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
            () = changed.notified() => {}
        }
    }
    if let Err(error) = cache.flush_last_used(&db).await {
        tracing::debug!(error = %error, "ingest key last-used times not written at shutdown");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(value: &str) -> HeaderValue {
        HeaderValue::from_str(value).unwrap()
    }

    #[test]
    fn bearer_tokens_are_read_as_sdks_send_them() {
        assert_eq!(bearer_token(&header("Bearer wpk_abc")), Some("wpk_abc"));
        assert_eq!(bearer_token(&header("bearer  wpk_abc ")), Some("wpk_abc"));
        assert_eq!(bearer_token(&header("Basic d3BrX2FiYw==")), None);
        assert_eq!(bearer_token(&header("Bearer ")), None);
        assert_eq!(bearer_token(&header("wpk_abc")), None);
    }

    #[test]
    fn refusals_map_to_401_and_not_loaded_to_a_retry() {
        for error in [IngestError::MissingKey, IngestError::UnknownKey] {
            assert_eq!(error.http_status(), 401);
            assert_eq!(error.grpc_code(), tonic::Code::Unauthenticated);
            assert!(!error.is_retryable());
        }
        let error = IngestError::KeysNotLoaded;
        assert_eq!(error.http_status(), 503);
        assert_eq!(error.grpc_code(), tonic::Code::Unavailable);
        assert!(error.is_retryable());
    }

    #[tokio::test]
    async fn off_lets_everything_through_and_required_checks() {
        assert!(KeyCache::off().authorize(None).is_ok());

        let cache = KeyCache::required();
        assert_eq!(cache.authorize(None), Err(IngestError::MissingKey));
        let good = key::NewKey::generate().unwrap();
        let bearer = header(&format!("Bearer {}", good.key));
        // Nothing loaded yet: retry later rather than guess.
        assert_eq!(
            cache.authorize(Some(&bearer)),
            Err(IngestError::KeysNotLoaded)
        );

        *cache.inner.as_ref().unwrap().active.write().unwrap() = Some(HashSet::new());
        assert_eq!(cache.authorize(Some(&bearer)), Err(IngestError::UnknownKey));
        cache.added(good.hash).await;
        assert_eq!(cache.authorize(Some(&bearer)), Ok(()));
        assert!(
            cache
                .inner
                .as_ref()
                .unwrap()
                .used
                .lock()
                .unwrap()
                .contains_key(&good.hash),
            "the use is recorded for the next flush"
        );
        cache.revoked(good.hash).await;
        assert_eq!(cache.authorize(Some(&bearer)), Err(IngestError::UnknownKey));
    }
}
