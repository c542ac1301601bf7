//! Services, operations, resources and scopes: the small tables spans point
//! at. Ids already known are cached per process so a steady stream of spans
//! costs no catalogue queries beyond bumping `last_seen`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::{ServiceIdentity, SpanBatch};
use crate::storage::StorageError;

/// A bound on each cache, so a flood of distinct span names cannot grow
/// memory without limit; past it the cache starts over.
const CACHE_LIMIT: usize = 100_000;

/// Most attribute keys interned. Keys are few in real fleets (the semantic
/// conventions plus some custom ones); past this, a sender inventing keys
/// gets them stored inline instead of growing the dictionary forever.
const KEY_LIMIT: usize = 10_000;

/// Longer keys are stored inline: they are not conventions.
const MAX_INTERNED_KEY_LEN: usize = 128;

/// Faster than std's SipHash on the per-span lookups, and still seeded per
/// process, so clients cannot aim collisions at it.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

/// Operation ids by (service, kind), then by name: a span's name is looked
/// up as a `&str`, without a copy per span.
#[derive(Debug, Default)]
struct OperationCache {
    ids: FastMap<(i32, i16), FastMap<String, i32>>,
    len: usize,
}

impl OperationCache {
    fn get(&self, service: i32, kind: i16, name: &str) -> Option<i32> {
        self.ids
            .get(&(service, kind))
            .and_then(|names| names.get(name))
            .copied()
    }
}

/// How stale `services.last_seen` may get. Within this, a batch of known
/// services with unchanged identities skips the services upsert: one round
/// trip and one row update per service saved on almost every batch.
const LAST_SEEN_RESOLUTION: Duration = Duration::from_secs(10);

/// A service as last written: its identity, id, and when `last_seen` was
/// last bumped.
#[derive(Debug)]
struct KnownService {
    identity: ServiceIdentity,
    id: i32,
    bumped: Instant,
}

#[derive(Debug, Default)]
pub struct Catalogue {
    services: Mutex<FastMap<String, KnownService>>,
    operations: Mutex<OperationCache>,
    resources: Mutex<HashSet<i64>>,
    scopes: Mutex<HashSet<i64>>,
    /// Interned attribute keys; replaced whole when keys are added, so
    /// encoders read a snapshot without holding a lock.
    keys: RwLock<Arc<FastMap<String, u32>>>,
    /// Days whose span partition this process has made sure of.
    /// Partitions (of any table) known to exist.
    pub(crate) partitions:
        Mutex<HashSet<(crate::storage::partitions::Partitioned, chrono::NaiveDate)>>,
    /// Metric streams this process has stored (their ids are content
    /// hashes, so knowing one means it is in the table).
    pub(crate) metric_streams: Mutex<HashSet<i64>>,
}

/// Database ids for one batch: operations in span order, and the keys.
pub(super) struct Resolved {
    pub operation_ids: Vec<i32>,
    pub keys: Arc<FastMap<String, u32>>,
}

impl Catalogue {
    pub(super) async fn resolve(
        &self,
        pool: &PgPool,
        batch: &SpanBatch,
    ) -> Result<Resolved, StorageError> {
        let service_ids = match self.known_services(batch) {
            Some(ids) => ids,
            None => {
                let ids = upsert_services(pool, batch).await?;
                self.remember_services(batch, &ids);
                ids
            }
        };
        let resource_service: Vec<i32> = batch
            .resources
            .iter()
            .map(|r| service_ids[&r.service.name])
            .collect();
        self.insert_resources(pool, batch, &resource_service)
            .await?;
        self.insert_scopes(pool, batch).await?;

        self.resolve_operations(pool, batch, &resource_service)
            .await?;
        let operation_ids = {
            let cache = self.operations.lock().expect("catalogue lock");
            batch
                .spans
                .iter()
                .map(|span| {
                    cache
                        .get(
                            resource_service[span.resource],
                            span.kind as i16,
                            &span.name,
                        )
                        .expect("resolve_operations cached every operation of the batch")
                })
                .collect()
        };
        let keys = self.resolve_keys(pool, batch).await?;
        Ok(Resolved {
            operation_ids,
            keys,
        })
    }

    /// The ids of the batch's services when every one is known, unchanged,
    /// and was bumped recently; `None` means "upsert them".
    fn known_services(&self, batch: &SpanBatch) -> Option<HashMap<String, i32>> {
        let known = self.services.lock().expect("catalogue lock");
        batch
            .resources
            .iter()
            .map(|resource| {
                let service = known.get(&resource.service.name)?;
                let fresh = service.identity == resource.service
                    && service.bumped.elapsed() < LAST_SEEN_RESOLUTION;
                fresh.then(|| (resource.service.name.clone(), service.id))
            })
            .collect()
    }

    fn remember_services(&self, batch: &SpanBatch, ids: &HashMap<String, i32>) {
        let mut known = self.services.lock().expect("catalogue lock");
        if known.len() > CACHE_LIMIT {
            known.clear();
        }
        let now = Instant::now();
        for resource in &batch.resources {
            if let Some(&id) = ids.get(&resource.service.name) {
                known.insert(
                    resource.service.name.clone(),
                    KnownService {
                        identity: resource.service.clone(),
                        id,
                        bumped: now,
                    },
                );
            }
        }
    }

    async fn resolve_keys(
        &self,
        pool: &PgPool,
        batch: &SpanBatch,
    ) -> Result<Arc<FastMap<String, u32>>, StorageError> {
        let current = self.keys.read().expect("catalogue lock").clone();
        let room = KEY_LIMIT.saturating_sub(current.len());
        let mut missing: Vec<&str> = batch
            .spans
            .iter()
            .flat_map(|span| span.attributes.iter().map(|a| a.key.as_str()))
            .filter(|key| key.len() <= MAX_INTERNED_KEY_LEN && !current.contains_key(*key))
            .collect::<FastSet<_>>()
            .into_iter()
            .collect();
        if missing.is_empty() || room == 0 {
            return Ok(current);
        }
        missing.sort_unstable();
        missing.truncate(room);
        sqlx::query("insert into attribute_keys (key) select unnest($1::text[]) order by 1 on conflict do nothing")
            .bind(&missing)
            .execute(pool)
            .await?;
        let rows: Vec<(i32, String)> =
            sqlx::query_as("select id, key from attribute_keys where key = any($1)")
                .bind(&missing)
                .fetch_all(pool)
                .await?;
        let mut keys = self.keys.write().expect("catalogue lock");
        let mut next = FastMap::clone(&keys);
        next.extend(rows.into_iter().map(|(id, key)| (key, id as u32)));
        *keys = Arc::new(next);
        Ok(keys.clone())
    }

    async fn resolve_operations(
        &self,
        pool: &PgPool,
        batch: &SpanBatch,
        resource_service: &[i32],
    ) -> Result<(), StorageError> {
        let missing: Vec<(i32, &str, i16)> = {
            let cache = self.operations.lock().expect("catalogue lock");
            let mut seen = FastSet::default();
            batch
                .spans
                .iter()
                .map(|span| {
                    (
                        resource_service[span.resource],
                        span.name.as_str(),
                        span.kind as i16,
                    )
                })
                .filter(|&(service, name, kind)| cache.get(service, kind, name).is_none())
                .filter(|key| seen.insert(*key))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let services: Vec<i32> = missing.iter().map(|k| k.0).collect();
        let names: Vec<&str> = missing.iter().map(|k| k.1).collect();
        let kinds: Vec<i16> = missing.iter().map(|k| k.2).collect();
        sqlx::query(
            "insert into operations (service_id, name, kind)
             select * from unnest($1::int4[], $2::text[], $3::int2[])
             order by 1, 2, 3
             on conflict do nothing",
        )
        .bind(&services)
        .bind(&names)
        .bind(&kinds)
        .execute(pool)
        .await?;
        let rows: Vec<(i32, i32, String, i16)> = sqlx::query_as(
            "select o.id, o.service_id, o.name, o.kind
             from operations o
             join unnest($1::int4[], $2::text[], $3::int2[]) as wanted (service_id, name, kind)
               using (service_id, name, kind)",
        )
        .bind(&services)
        .bind(&names)
        .bind(&kinds)
        .fetch_all(pool)
        .await?;
        let mut cache = self.operations.lock().expect("catalogue lock");
        if cache.len + rows.len() > CACHE_LIMIT {
            *cache = OperationCache::default();
        }
        for (id, service_id, name, kind) in rows {
            cache
                .ids
                .entry((service_id, kind))
                .or_default()
                .insert(name, id);
            cache.len += 1;
        }
        Ok(())
    }

    async fn insert_resources(
        &self,
        pool: &PgPool,
        batch: &SpanBatch,
        resource_service: &[i32],
    ) -> Result<(), StorageError> {
        let new = unseen(&self.resources, batch.resources.iter().map(|r| r.id));
        if new.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = new.iter().map(|&i| batch.resources[i].id).collect();
        let services: Vec<i32> = new.iter().map(|&i| resource_service[i]).collect();
        let attributes: Vec<&[u8]> = new
            .iter()
            .map(|&i| batch.resources[i].attributes.as_slice())
            .collect();
        let dropped: Vec<i32> = new
            .iter()
            .map(|&i| clamp_count(batch.resources[i].dropped_attributes_count))
            .collect();
        let schema_urls: Vec<&str> = new
            .iter()
            .map(|&i| batch.resources[i].schema_url.as_str())
            .collect();
        sqlx::query(
            "insert into resources (id, service_id, attributes, dropped_attributes_count, schema_url)
             select * from unnest($1::int8[], $2::int4[], $3::bytea[], $4::int4[], $5::text[])
             order by 1
             on conflict do nothing",
        )
        .bind(&ids)
        .bind(&services)
        .bind(&attributes)
        .bind(&dropped)
        .bind(&schema_urls)
        .execute(pool)
        .await?;
        remember(&self.resources, ids);
        Ok(())
    }

    async fn insert_scopes(&self, pool: &PgPool, batch: &SpanBatch) -> Result<(), StorageError> {
        let new = unseen(&self.scopes, batch.scopes.iter().map(|s| s.id));
        if new.is_empty() {
            return Ok(());
        }
        let scope = |i: &usize| &batch.scopes[*i];
        let ids: Vec<i64> = new.iter().map(|i| scope(i).id).collect();
        let names: Vec<&str> = new.iter().map(|i| scope(i).name.as_str()).collect();
        let versions: Vec<&str> = new.iter().map(|i| scope(i).version.as_str()).collect();
        let attributes: Vec<&[u8]> = new.iter().map(|i| scope(i).attributes.as_slice()).collect();
        let dropped: Vec<i32> = new
            .iter()
            .map(|i| clamp_count(scope(i).dropped_attributes_count))
            .collect();
        let schema_urls: Vec<&str> = new.iter().map(|i| scope(i).schema_url.as_str()).collect();
        sqlx::query(
            "insert into scopes (id, name, version, attributes, dropped_attributes_count, schema_url)
             select * from unnest($1::int8[], $2::text[], $3::text[], $4::bytea[], $5::int4[], $6::text[])
             order by 1
             on conflict do nothing",
        )
        .bind(&ids)
        .bind(&names)
        .bind(&versions)
        .bind(&attributes)
        .bind(&dropped)
        .bind(&schema_urls)
        .execute(pool)
        .await?;
        remember(&self.scopes, ids);
        Ok(())
    }
}

/// Positions of the ids not yet known to `known`, each id once.
fn unseen(known: &Mutex<HashSet<i64>>, ids: impl Iterator<Item = i64>) -> Vec<usize> {
    let known = known.lock().expect("catalogue lock");
    let mut seen = HashSet::new();
    ids.enumerate()
        .filter(|(_, id)| !known.contains(id) && seen.insert(*id))
        .map(|(i, _)| i)
        .collect()
}

fn remember(set: &Mutex<HashSet<i64>>, ids: Vec<i64>) {
    let mut set = set.lock().expect("catalogue lock");
    if set.len() + ids.len() > CACHE_LIMIT {
        set.clear();
    }
    set.extend(ids);
}

fn clamp_count(count: u32) -> i32 {
    count.min(i32::MAX as u32) as i32
}

/// Creates or refreshes the services of a batch and returns their ids.
///
/// Rows are locked in name order, so concurrent writers cannot deadlock.
async fn upsert_services(
    pool: &PgPool,
    batch: &SpanBatch,
) -> Result<HashMap<String, i32>, StorageError> {
    let mut services: Vec<&ServiceIdentity> = batch.resources.iter().map(|r| &r.service).collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    services.dedup_by(|a, b| a.name == b.name);
    let column = |f: fn(&ServiceIdentity) -> Option<&str>| -> Vec<Option<&str>> {
        services.iter().map(|s| f(s)).collect()
    };
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let rows: Vec<(i32, String)> = sqlx::query_as(
        "insert into services as s
             (name, namespace, version, environment, sdk_name, sdk_language, sdk_version, first_seen, last_seen)
         select name, namespace, version, environment, sdk_name, sdk_language, sdk_version, now(), now()
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
              as t (name, namespace, version, environment, sdk_name, sdk_language, sdk_version)
         on conflict (name) do update set
             namespace = coalesce(excluded.namespace, s.namespace),
             version = coalesce(excluded.version, s.version),
             environment = coalesce(excluded.environment, s.environment),
             sdk_name = coalesce(excluded.sdk_name, s.sdk_name),
             sdk_language = coalesce(excluded.sdk_language, s.sdk_language),
             sdk_version = coalesce(excluded.sdk_version, s.sdk_version),
             last_seen = greatest(s.last_seen, excluded.last_seen)
         returning id, name",
    )
    .bind(&names)
    .bind(column(|s| s.namespace.as_deref()))
    .bind(column(|s| s.version.as_deref()))
    .bind(column(|s| s.environment.as_deref()))
    .bind(column(|s| s.sdk_name.as_deref()))
    .bind(column(|s| s.sdk_language.as_deref()))
    .bind(column(|s| s.sdk_version.as_deref()))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id, name)| (name, id)).collect())
}
