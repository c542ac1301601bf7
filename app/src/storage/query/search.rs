//! Trace search: the traces with a span that matches service, operation,
//! tags and duration in a time window, most recent first.
//!
//! Candidate spans come from the (operation, start) index, newest first, one
//! ordered index scan per operation, in pages; tags are matched in Rust on
//! the decoded attributes. A search stops at `limit` traces or after
//! [`MAX_SCANNED_SPANS`] candidates, so a needle in a haystack costs a
//! bounded amount of work.

use std::collections::{HashMap, HashSet};

use sqlx::FromRow;

use super::catalogue::OperationRef;
use crate::model::attributes::Attribute;
use crate::model::span::{SpanKind, StatusCode};
use crate::storage::codec;
use crate::storage::{Database, StorageError};

/// Candidate spans read per round trip.
const PAGE: i64 = 2_000;
/// Candidates examined at most, per search.
pub const MAX_SCANNED_SPANS: usize = 200_000;

/// What to look for. Times are unix nanoseconds, `[start, end]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceSearch {
    /// `None` searches every service.
    pub service: Option<String>,
    pub operation: Option<String>,
    /// All must match the same span: its attributes, its resource's, an
    /// event's, or the tags Jaeger derives (`error`, `span.kind`,
    /// `otel.status_code`, `otel.status_description`).
    pub tags: Vec<(String, String)>,
    pub min_duration_ns: Option<i64>,
    pub max_duration_ns: Option<i64>,
    pub start_ns: i64,
    pub end_ns: i64,
    pub limit: usize,
    /// Only spans whose status is error.
    pub errors_only: bool,
}

#[derive(FromRow)]
struct Candidate {
    trace_id: Vec<u8>,
    span_id: i64,
    start_ns: i64,
    operation_id: i32,
    status_code: i16,
    status_message: Option<String>,
    resource_id: i64,
    attributes: Option<Vec<u8>>,
    events: Option<Vec<u8>>,
}

const CANDIDATES: &str = "select s.trace_id, s.span_id, s.start_ns, s.operation_id, \
    s.status_code, s.status_message, s.resource_id, \
    case when $8 then s.attributes end as attributes, case when $8 then s.events end as events \
    from unnest($1::int4[]) as op(id) cross join lateral ( \
      select * from spans s where s.operation_id = op.id \
        and s.start_ns >= $2 and s.start_ns <= $3 and (s.start_ns, s.span_id) < ($3, $4) \
        and s.duration_ns >= $5 and s.duration_ns <= $6 and (not $9 or s.status_code = 2) \
      order by s.start_ns desc, s.span_id desc limit $7) s \
    order by s.start_ns desc, s.span_id desc limit $7";

impl Database {
    /// Trace ids, most recent matching span first, at most `search.limit`.
    pub async fn find_trace_ids(
        &self,
        search: &TraceSearch,
    ) -> Result<Vec<[u8; 16]>, StorageError> {
        let operations = self.operations_for(search).await?;
        if operations.is_empty() || search.limit == 0 || search.start_ns > search.end_ns {
            return Ok(Vec::new());
        }
        let kinds: HashMap<i32, SpanKind> = operations.iter().map(|o| (o.id, o.kind)).collect();
        let operation_ids: Vec<i32> = operations.iter().map(|o| o.id).collect();
        let matcher = TagMatcher::new(self, &search.tags).await?;
        let mut found: Vec<[u8; 16]> = Vec::new();
        let mut seen: HashSet<[u8; 16]> = HashSet::new();
        // The cursor walks back from the window's end: (start, span id).
        let mut cursor = (search.end_ns, i64::MAX);
        let mut scanned = 0;
        loop {
            let page: Vec<Candidate> = sqlx::query_as(CANDIDATES)
                .bind(&operation_ids)
                .bind(search.start_ns)
                .bind(cursor.0)
                .bind(cursor.1)
                .bind(search.min_duration_ns.unwrap_or(0))
                .bind(search.max_duration_ns.unwrap_or(i64::MAX))
                .bind(PAGE)
                .bind(matcher.is_some())
                .bind(search.errors_only)
                .fetch_all(self.pool())
                .await?;
            scanned += page.len();
            for candidate in &page {
                let Ok(trace_id) = <[u8; 16]>::try_from(candidate.trace_id.as_slice()) else {
                    continue;
                };
                if seen.contains(&trace_id) {
                    continue;
                }
                let kind = kinds
                    .get(&candidate.operation_id)
                    .copied()
                    .unwrap_or(SpanKind::Unspecified);
                let matches = match &matcher {
                    Some(matcher) => matcher.matches(self, candidate, kind).await?,
                    None => true,
                };
                if matches {
                    seen.insert(trace_id);
                    found.push(trace_id);
                    if found.len() >= search.limit {
                        return Ok(found);
                    }
                }
            }
            match page.last() {
                Some(last) if page.len() as i64 == PAGE && scanned < MAX_SCANNED_SPANS => {
                    cursor = (last.start_ns, last.span_id);
                }
                _ => return Ok(found),
            }
        }
    }

    /// The traces of a service's longest spans in [start, end], longest
    /// first, one scan of the (operation, duration) index per operation.
    pub async fn slowest_trace_ids(
        &self,
        service: &str,
        start_ns: i64,
        end_ns: i64,
        limit: usize,
    ) -> Result<Vec<[u8; 16]>, StorageError> {
        let operations: Vec<i32> = self
            .operations_of(service, None)
            .await?
            .iter()
            .map(|o| o.id)
            .collect();
        // Several of the longest spans may share a trace: read a few extra.
        let rows: Vec<(Vec<u8>,)> = sqlx::query_as(
            "select s.trace_id from unnest($1::int4[]) as op(id) cross join lateral ( \
               select trace_id, duration_ns from spans where operation_id = op.id \
                 and start_ns >= $2 and start_ns <= $3 order by duration_ns desc limit $4) s \
             order by s.duration_ns desc limit $4",
        )
        .bind(&operations)
        .bind(start_ns)
        .bind(end_ns)
        .bind((limit * 4) as i64)
        .fetch_all(self.pool())
        .await?;
        let mut seen = HashSet::new();
        Ok(rows
            .into_iter()
            .filter_map(|(id,)| <[u8; 16]>::try_from(id.as_slice()).ok())
            .filter(|id| seen.insert(*id))
            .take(limit)
            .collect())
    }

    async fn operations_for(
        &self,
        search: &TraceSearch,
    ) -> Result<Vec<OperationRef>, StorageError> {
        let operations = match &search.service {
            Some(service) => self.operations_of(service, None).await?,
            None => self.all_operations().await?,
        };
        Ok(match &search.operation {
            Some(name) => operations.into_iter().filter(|o| &o.name == name).collect(),
            None => operations,
        })
    }
}

/// Matches `key=value` tags against a candidate span.
struct TagMatcher {
    tags: Vec<(String, String)>,
    keys: super::key_names::KeyMap,
    resources: std::sync::Mutex<HashMap<i64, Vec<Attribute>>>,
}

impl TagMatcher {
    async fn new(db: &Database, tags: &[(String, String)]) -> Result<Option<Self>, StorageError> {
        if tags.is_empty() {
            return Ok(None);
        }
        Ok(Some(TagMatcher {
            tags: tags.to_vec(),
            keys: db.key_names().reload(db.pool()).await?,
            resources: Default::default(),
        }))
    }

    async fn matches(
        &self,
        db: &Database,
        candidate: &Candidate,
        kind: SpanKind,
    ) -> Result<bool, StorageError> {
        let key_name = |id: u32| self.keys.get(&id).cloned();
        // Unreadable blobs (an id interned after the search began) simply
        // do not match; they are never worth failing a search over.
        let attributes = candidate
            .attributes
            .as_deref()
            .and_then(|bytes| codec::decode_attributes_with(bytes, &key_name).ok())
            .unwrap_or_default();
        let events = candidate
            .events
            .as_deref()
            .and_then(|bytes| codec::Reader::new(bytes).events(0).ok())
            .unwrap_or_default();
        let resource = self.resource_attributes(db, candidate.resource_id).await?;
        let status = StatusCode::from_i32(i32::from(candidate.status_code));
        Ok(self.tags.iter().all(|(key, value)| {
            derived_tag(key, kind, status, candidate.status_message.as_deref())
                .is_some_and(|derived| derived == *value)
                || has(&attributes, key, value)
                || has(&resource, key, value)
                || events.iter().any(|e| has(&e.attributes, key, value))
        }))
    }

    async fn resource_attributes(
        &self,
        db: &Database,
        id: i64,
    ) -> Result<Vec<Attribute>, StorageError> {
        if let Some(found) = self.resources.lock().expect("resources").get(&id) {
            return Ok(found.clone());
        }
        let bytes: Option<(Vec<u8>,)> =
            sqlx::query_as("select attributes from resources where id = $1")
                .bind(id)
                .fetch_optional(db.pool())
                .await?;
        let attributes = bytes
            .and_then(|(bytes,)| codec::decode_attributes(&bytes).ok())
            .unwrap_or_default();
        self.resources
            .lock()
            .expect("resources")
            .insert(id, attributes.clone());
        Ok(attributes)
    }
}

fn has(attributes: &[Attribute], key: &str, value: &str) -> bool {
    attributes
        .iter()
        .any(|a| a.key == key && a.value.to_text() == value)
}

/// The tags Jaeger derives from OTLP span fields, by key.
pub fn derived_tag(
    key: &str,
    kind: SpanKind,
    status: StatusCode,
    status_message: Option<&str>,
) -> Option<String> {
    match key {
        "span.kind" => kind.otel_name().map(str::to_owned),
        "otel.status_code" => status.otel_name().map(str::to_owned),
        "error" => (status == StatusCode::Error).then(|| "true".to_owned()),
        "otel.status_description" => status_message.filter(|m| !m.is_empty()).map(str::to_owned),
        _ => None,
    }
}
