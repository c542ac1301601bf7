//! Writing spans: the catalogue rows they point at, then the spans
//! themselves with one binary COPY per batch.

mod catalogue;
mod copy;
mod rollup_merge;
mod rollup_rows;

pub use catalogue::Catalogue;
use rollup_rows::RollupRows;
pub use rollup_rows::minute_of;

use crate::model::attributes::Attribute;
use crate::model::span::{SpanKind, StatusCode};

use super::partitions::Partitioned;
use super::{Database, StorageError};

/// What a resource says about its service, for the catalogue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceIdentity {
    pub name: String,
    pub namespace: Option<String>,
    pub version: Option<String>,
    pub environment: Option<String>,
    pub sdk_name: Option<String>,
    pub sdk_language: Option<String>,
    pub sdk_version: Option<String>,
}

/// A resource, stored once however many spans share it.
#[derive(Debug, Clone)]
pub struct NewResource {
    /// A hash of the contents: equal resources get equal ids on any replica.
    pub id: i64,
    pub service: ServiceIdentity,
    pub attributes: Vec<u8>,
    pub dropped_attributes_count: u32,
    pub schema_url: String,
}

#[derive(Debug, Clone)]
pub struct NewScope {
    pub id: i64,
    pub name: String,
    pub version: String,
    pub attributes: Vec<u8>,
    pub dropped_attributes_count: u32,
    pub schema_url: String,
}

/// One validated span, ready to store. Events and links arrive encoded
/// (`storage::codec`); attributes are encoded at write time, when their keys
/// have ids.
#[derive(Debug, Clone)]
pub struct NewSpan {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    pub parent_span_id: Option<[u8; 8]>,
    pub trace_state: String,
    pub flags: u32,
    pub name: String,
    pub kind: SpanKind,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub status_code: StatusCode,
    pub status_message: String,
    pub attributes: Vec<Attribute>,
    pub events: Option<Vec<u8>>,
    pub links: Option<Vec<u8>>,
    pub dropped_attributes_count: u32,
    pub dropped_events_count: u32,
    pub dropped_links_count: u32,
    /// Index into [`SpanBatch::resources`].
    pub resource: usize,
    /// Index into [`SpanBatch::scopes`].
    pub scope: usize,
}

/// A batch encoded in PostgreSQL's binary COPY format, ready to send.
pub struct EncodedSpans {
    rows: Vec<u8>,
    rollups: RollupRows,
    pub count: usize,
}

/// Spans from one or more export requests, written together.
#[derive(Debug, Clone, Default)]
pub struct SpanBatch {
    pub resources: Vec<NewResource>,
    pub scopes: Vec<NewScope>,
    pub spans: Vec<NewSpan>,
}

impl SpanBatch {
    /// Appends another batch, re-pointing its spans at the merged lists.
    pub fn append(&mut self, other: SpanBatch) {
        let (resource_offset, scope_offset) = (self.resources.len(), self.scopes.len());
        self.resources.extend(other.resources);
        self.scopes.extend(other.scopes);
        self.spans.extend(other.spans.into_iter().map(|mut span| {
            span.resource += resource_offset;
            span.scope += scope_offset;
            span
        }));
    }
}

impl Database {
    /// Stores a batch. When this returns `Ok`, every span is committed.
    pub async fn write_spans(&self, batch: SpanBatch) -> Result<(), StorageError> {
        let encoded = self.prepare_spans(batch).await?;
        self.copy_spans(&encoded).await
    }

    /// Everything before the COPY: catalogue rows, partitions, and the
    /// encoded payload. Split out so the benchmark can time the COPY alone.
    pub async fn prepare_spans(&self, batch: SpanBatch) -> Result<EncodedSpans, StorageError> {
        let count = batch.spans.len();
        if count == 0 {
            return Ok(EncodedSpans {
                rows: Vec::new(),
                rollups: RollupRows::default(),
                count,
            });
        }
        let resolved = self.catalogue().resolve(self.pool(), &batch).await?;
        let known = &self.catalogue().partitions;
        crate::storage::partitions::ensure_for(
            self.pool(),
            Partitioned::Spans,
            known,
            batch.spans.iter().map(|s| s.start_ns),
        )
        .await?;
        // Encoding tens of thousands of rows is CPU work: off the async threads.
        let (rows, rollups) = tokio::task::spawn_blocking(move || {
            let rollups = RollupRows::from_batch(&batch, &resolved.operation_ids);
            (copy::encode_rows(&batch, &resolved), rollups)
        })
        .await
        .map_err(|_| StorageError::Query(sqlx::Error::WorkerCrashed))?;
        Ok(EncodedSpans {
            rows,
            rollups,
            count,
        })
    }

    /// One binary COPY, and the batch's rollup rows, in one transaction: the
    /// RED figures never count a span that is not stored, or miss one that is.
    pub async fn copy_spans(&self, encoded: &EncodedSpans) -> Result<(), StorageError> {
        if encoded.count == 0 {
            return Ok(());
        }
        let mut transaction = self.pool().begin().await?;
        copy::send_rows(&mut transaction, &encoded.rows).await?;
        encoded.rollups.insert(&mut transaction).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Only the COPY of span rows, without their rollups: the benchmark's
    /// baseline, "what PostgreSQL alone can take".
    pub async fn copy_span_rows_only(&self, encoded: &EncodedSpans) -> Result<(), StorageError> {
        let mut transaction = self.pool().begin().await?;
        copy::send_rows(&mut transaction, &encoded.rows).await?;
        transaction.commit().await?;
        Ok(())
    }

    /// The interned attribute keys by id, for reading span attributes.
    pub async fn attribute_key_names(
        &self,
    ) -> Result<std::collections::HashMap<u32, String>, StorageError> {
        let rows: Vec<(i32, String)> = sqlx::query_as("select id, key from attribute_keys")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().map(|(id, key)| (id as u32, key)).collect())
    }
}
