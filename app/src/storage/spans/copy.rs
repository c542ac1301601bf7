//! Binary COPY of spans: the fastest way into PostgreSQL, and one round trip
//! per batch however many spans it holds.

use sqlx::{PgConnection, Postgres, Transaction};

use super::SpanBatch;
use super::catalogue::Resolved;
use crate::storage::{StorageError, codec};

const COPY_SPANS: &str = "copy spans (start_ns, duration_ns, span_id, parent_span_id, resource_id, \
    scope_id, operation_id, flags, status_code, trace_id, status_message, trace_state, attributes, \
    events, links, dropped_attributes_count, dropped_events_count, dropped_links_count) \
    from stdin (format binary)";
const COLUMNS: i16 = 18;

/// Send the buffer to the server in pieces of about this size.
const CHUNK_BYTES: usize = 1 << 20;

/// The whole COPY payload for a batch: header, one tuple per span, trailer.
pub(super) fn encode_rows(batch: &SpanBatch, resolved: &Resolved) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(batch.spans.len() * 256 + 64);
    buffer.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buffer.extend_from_slice(&0i32.to_be_bytes()); // flags
    buffer.extend_from_slice(&0i32.to_be_bytes()); // header extension length
    let key_id = |key: &str| resolved.keys.get(key).copied();
    let mut attributes = Vec::with_capacity(512);
    for (span, operation_id) in batch.spans.iter().zip(&resolved.operation_ids) {
        attributes.clear();
        codec::encode_attributes_with(&span.attributes, &mut attributes, key_id);
        let mut row = Row(&mut buffer);
        row.fields(COLUMNS);
        row.int8(span.start_ns);
        row.int8(span.duration_ns);
        row.int8(i64::from_be_bytes(span.span_id));
        row.optional_int8(span.parent_span_id.map(i64::from_be_bytes));
        row.int8(batch.resources[span.resource].id);
        row.int8(batch.scopes[span.scope].id);
        row.int4(*operation_id);
        row.int4(span.flags as i32);
        row.int2(span.status_code as i16);
        row.bytes(&span.trace_id);
        row.optional_text(&span.status_message);
        row.optional_text(&span.trace_state);
        row.bytes(&attributes);
        row.optional_bytes(span.events.as_deref());
        row.optional_bytes(span.links.as_deref());
        row.optional_count(span.dropped_attributes_count);
        row.optional_count(span.dropped_events_count);
        row.optional_count(span.dropped_links_count);
    }
    buffer.extend_from_slice(&(-1i16).to_be_bytes()); // trailer
    buffer
}

/// Streams an encoded payload into `spans` inside the caller's transaction.
pub(super) async fn send_rows(
    transaction: &mut Transaction<'_, Postgres>,
    rows: &[u8],
) -> Result<(), StorageError> {
    let connection: &mut PgConnection = transaction;
    let mut copy = connection.copy_in_raw(COPY_SPANS).await?;
    for chunk in rows.chunks(CHUNK_BYTES) {
        copy.send(chunk).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// Appends one tuple in PostgreSQL's binary COPY format.
struct Row<'a>(&'a mut Vec<u8>);

impl Row<'_> {
    fn fields(&mut self, count: i16) {
        self.0.extend_from_slice(&count.to_be_bytes());
    }

    fn field(&mut self, bytes: &[u8]) {
        self.0
            .extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        self.0.extend_from_slice(bytes);
    }

    fn null(&mut self) {
        self.0.extend_from_slice(&(-1i32).to_be_bytes());
    }

    fn int8(&mut self, value: i64) {
        self.field(&value.to_be_bytes());
    }

    fn int4(&mut self, value: i32) {
        self.field(&value.to_be_bytes());
    }

    fn int2(&mut self, value: i16) {
        self.field(&value.to_be_bytes());
    }

    fn bytes(&mut self, value: &[u8]) {
        self.field(value);
    }

    fn optional_int8(&mut self, value: Option<i64>) {
        match value {
            Some(value) => self.int8(value),
            None => self.null(),
        }
    }

    /// Empty text is stored as null: it is the common case and costs nothing.
    fn optional_text(&mut self, value: &str) {
        if value.is_empty() {
            self.null()
        } else {
            self.field(value.as_bytes())
        }
    }

    fn optional_bytes(&mut self, value: Option<&[u8]>) {
        match value {
            Some(value) => self.field(value),
            None => self.null(),
        }
    }

    /// Dropped counts are almost always zero, stored as null.
    fn optional_count(&mut self, value: u32) {
        if value == 0 {
            self.null()
        } else {
            self.int4(value.min(i32::MAX as u32) as i32)
        }
    }
}
