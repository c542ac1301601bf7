//! Whole traces by id: every span, with its resource and scope.

use std::collections::HashMap;

use sqlx::FromRow;

use super::key_names::KeyMap;
use crate::model::span::{SpanKind, StatusCode};
use crate::model::trace::{Trace, TraceResource, TraceScope, TraceSpan};
use crate::storage::codec::{self, CodecError};
use crate::storage::{Database, StorageError};

/// A span row as stored, before its blobs are decoded.
#[derive(FromRow)]
struct SpanRow {
    trace_id: Vec<u8>,
    span_id: i64,
    parent_span_id: Option<i64>,
    name: String,
    kind: i16,
    start_ns: i64,
    duration_ns: i64,
    status_code: i16,
    status_message: Option<String>,
    trace_state: Option<String>,
    flags: i32,
    attributes: Vec<u8>,
    events: Option<Vec<u8>>,
    links: Option<Vec<u8>>,
    dropped_attributes_count: Option<i32>,
    dropped_events_count: Option<i32>,
    dropped_links_count: Option<i32>,
    resource_id: i64,
    scope_id: i64,
}

const SPANS_OF_TRACES: &str = "select s.trace_id, s.span_id, s.parent_span_id, o.name, o.kind, \
    s.start_ns, s.duration_ns, s.status_code, s.status_message, s.trace_state, s.flags, \
    s.attributes, s.events, s.links, s.dropped_attributes_count, s.dropped_events_count, \
    s.dropped_links_count, s.resource_id, s.scope_id \
    from spans s join operations o on o.id = s.operation_id \
    where s.trace_id = any($1) order by s.trace_id, s.start_ns, s.span_id";

impl Database {
    /// One trace, or `None` when no span of it is stored.
    pub async fn load_trace(&self, trace_id: [u8; 16]) -> Result<Option<Trace>, StorageError> {
        Ok(self.load_traces(&[trace_id]).await?.pop())
    }

    /// The stored traces among `ids`, in the order asked; unknown ids are
    /// left out.
    pub async fn load_traces(&self, ids: &[[u8; 16]]) -> Result<Vec<Trace>, StorageError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let id_params: Vec<&[u8]> = ids.iter().map(|id| id.as_slice()).collect();
        let rows: Vec<SpanRow> = sqlx::query_as(SPANS_OF_TRACES)
            .bind(&id_params)
            .fetch_all(self.pool())
            .await?;
        let resources = self.load_resources(&rows).await?;
        let scopes = self.load_scopes(&rows).await?;
        let keys = self.key_names().current(self.pool()).await?;
        let traces = match assemble(ids, &rows, &resources, &scopes, &keys) {
            Err(CodecError::UnknownKey(_)) => {
                // A key interned after our copy of the dictionary was read.
                let keys = self.key_names().reload(self.pool()).await?;
                assemble(ids, &rows, &resources, &scopes, &keys)
            }
            other => other,
        };
        traces.map_err(StorageError::Corrupt)
    }

    async fn load_resources(
        &self,
        rows: &[SpanRow],
    ) -> Result<HashMap<i64, TraceResource>, StorageError> {
        let ids = distinct(rows.iter().map(|row| row.resource_id));
        let found: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
            "select r.id, s.name, r.attributes from resources r \
             join services s on s.id = r.service_id where r.id = any($1)",
        )
        .bind(&ids)
        .fetch_all(self.pool())
        .await?;
        found
            .into_iter()
            .map(|(id, service, attributes)| {
                let attributes = codec::decode_attributes(&attributes)?;
                Ok((
                    id,
                    TraceResource {
                        id,
                        service,
                        attributes,
                    },
                ))
            })
            .collect::<Result<_, CodecError>>()
            .map_err(StorageError::Corrupt)
    }

    async fn load_scopes(
        &self,
        rows: &[SpanRow],
    ) -> Result<HashMap<i64, TraceScope>, StorageError> {
        let ids = distinct(rows.iter().map(|row| row.scope_id));
        let found: Vec<(i64, String, String, Vec<u8>)> =
            sqlx::query_as("select id, name, version, attributes from scopes where id = any($1)")
                .bind(&ids)
                .fetch_all(self.pool())
                .await?;
        found
            .into_iter()
            .map(|(id, name, version, attributes)| {
                let attributes = codec::decode_attributes(&attributes)?;
                Ok((
                    id,
                    TraceScope {
                        id,
                        name,
                        version,
                        attributes,
                    },
                ))
            })
            .collect::<Result<_, CodecError>>()
            .map_err(StorageError::Corrupt)
    }
}

fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Groups decoded spans into traces, each with only its own resources and
/// scopes, in the order the ids were asked for.
fn assemble(
    ids: &[[u8; 16]],
    rows: &[SpanRow],
    resources: &HashMap<i64, TraceResource>,
    scopes: &HashMap<i64, TraceScope>,
    keys: &KeyMap,
) -> Result<Vec<Trace>, CodecError> {
    let mut by_id: HashMap<[u8; 16], Trace> = HashMap::new();
    let mut resource_index: HashMap<([u8; 16], i64), usize> = HashMap::new();
    let mut scope_index: HashMap<([u8; 16], i64), usize> = HashMap::new();
    let key_name = |id: u32| keys.get(&id).cloned();
    for row in rows {
        let Ok(trace_id) = <[u8; 16]>::try_from(row.trace_id.as_slice()) else {
            continue;
        };
        let trace = by_id.entry(trace_id).or_insert_with(|| Trace {
            trace_id,
            spans: Vec::new(),
            resources: Vec::new(),
            scopes: Vec::new(),
        });
        let resource = *resource_index
            .entry((trace_id, row.resource_id))
            .or_insert_with(|| {
                trace
                    .resources
                    .push(
                        resources
                            .get(&row.resource_id)
                            .cloned()
                            .unwrap_or(TraceResource {
                                id: row.resource_id,
                                service: String::new(),
                                attributes: Vec::new(),
                            }),
                    );
                trace.resources.len() - 1
            });
        let scope = *scope_index
            .entry((trace_id, row.scope_id))
            .or_insert_with(|| {
                trace
                    .scopes
                    .push(scopes.get(&row.scope_id).cloned().unwrap_or(TraceScope {
                        id: row.scope_id,
                        name: String::new(),
                        version: String::new(),
                        attributes: Vec::new(),
                    }));
                trace.scopes.len() - 1
            });
        trace
            .spans
            .push(decode_span(row, resource, scope, &key_name)?);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

fn decode_span(
    row: &SpanRow,
    resource: usize,
    scope: usize,
    key_name: &dyn Fn(u32) -> Option<String>,
) -> Result<TraceSpan, CodecError> {
    let count = |value: Option<i32>| value.unwrap_or(0).max(0) as u32;
    Ok(TraceSpan {
        span_id: row.span_id as u64,
        parent_span_id: row.parent_span_id.map(|id| id as u64),
        name: row.name.clone(),
        kind: SpanKind::from_i32(i32::from(row.kind)),
        start_ns: row.start_ns,
        duration_ns: row.duration_ns,
        status_code: StatusCode::from_i32(i32::from(row.status_code)),
        status_message: row.status_message.clone().unwrap_or_default(),
        trace_state: row.trace_state.clone().unwrap_or_default(),
        flags: row.flags as u32,
        attributes: codec::decode_attributes_with(&row.attributes, key_name)?,
        events: match &row.events {
            Some(bytes) => codec::Reader::new(bytes).events(row.start_ns)?,
            None => Vec::new(),
        },
        links: match &row.links {
            Some(bytes) => codec::Reader::new(bytes).links()?,
            None => Vec::new(),
        },
        dropped_attributes_count: count(row.dropped_attributes_count),
        dropped_events_count: count(row.dropped_events_count),
        dropped_links_count: count(row.dropped_links_count),
        resource,
        scope,
    })
}

impl Database {
    /// Up to `count` trace ids picked at random from the stored spans, for
    /// benchmarks that must not always ask for the same (cached) trace.
    pub async fn sample_trace_ids(&self, count: usize) -> Result<Vec<[u8; 16]>, StorageError> {
        let rows: Vec<(Vec<u8>,)> =
            sqlx::query_as("select distinct trace_id from spans tablesample system (0.5) limit $1")
                .bind(count as i64)
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id,)| <[u8; 16]>::try_from(id.as_slice()).ok())
            .collect())
    }
}
