//! Interned attribute key names by id, for decoding span attributes.
//!
//! Keys are only ever added, so a cached copy stays right; it is reloaded
//! when a span mentions an id the copy does not know yet.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sqlx::PgPool;

use crate::storage::StorageError;

pub type KeyMap = Arc<HashMap<u32, String>>;

#[derive(Debug, Default)]
pub struct KeyNames {
    names: RwLock<KeyMap>,
}

impl KeyNames {
    /// The cached names, loaded once if never loaded.
    pub async fn current(&self, pool: &PgPool) -> Result<KeyMap, StorageError> {
        let current = self.snapshot();
        if current.is_empty() {
            return self.reload(pool).await;
        }
        Ok(current)
    }

    /// The id of a key, for matching encoded attributes without decoding.
    pub async fn id_of(&self, pool: &PgPool, key: &str) -> Result<Option<u32>, StorageError> {
        let find = |names: &KeyMap| names.iter().find(|(_, k)| *k == key).map(|(id, _)| *id);
        if let Some(id) = find(&self.snapshot()) {
            return Ok(Some(id));
        }
        Ok(find(&self.reload(pool).await?))
    }

    fn snapshot(&self) -> KeyMap {
        self.names.read().expect("key names lock").clone()
    }

    /// Reads every name again; for when a span mentions an unknown id.
    pub async fn reload(&self, pool: &PgPool) -> Result<KeyMap, StorageError> {
        let rows: Vec<(i32, String)> = sqlx::query_as("select id, key from attribute_keys")
            .fetch_all(pool)
            .await?;
        let names: KeyMap = Arc::new(rows.into_iter().map(|(id, k)| (id as u32, k)).collect());
        *self.names.write().expect("key names lock") = names.clone();
        Ok(names)
    }
}
