//! A compact binary form for attributes, events and links.
//!
//! A span carries 5–15 attributes; as jsonb they would cost more than the
//! rest of the row together. This encoding keeps every OpenTelemetry type
//! (so an int stays an int) at a fraction of the size:
//!
//! ```text
//! attributes := count:varint (key value)*
//! key        := (len << 1 | 1):varint bytes     an inline key
//!             | (id << 1):varint                 a key from attribute_keys (reserved)
//! value      := tag:u8 payload
//!   0 empty | 1 string len bytes | 2 false | 3 true | 4 int zigzag-varint
//!   5 double f64-le | 6 bytes len bytes | 7 array count value* | 8 kvlist attributes
//! ```
//!
//! Events are `count (time-offset:zigzag name dropped:varint attributes)*`,
//! with times relative to the span start; links are
//! `count (trace-id span-id trace-state flags dropped attributes)*`.
//!
//! The top-level keys of span attributes are interned (`attribute_keys`)
//! and written as ids; other keys, and keys past the dictionary's size
//! limit, are written inline.

use crate::model::attributes::{Attribute, AttributeValue};
use crate::model::span::{SpanEvent, SpanLink};

/// Why stored bytes could not be read back; means corruption or a bug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("encoded value ends early")]
    Truncated,
    #[error("unknown value tag {0}")]
    UnknownTag(u8),
    #[error("attribute key id {0} is not in the dictionary")]
    UnknownKey(u64),
    #[error("attribute text is not UTF-8")]
    NotUtf8,
    #[error("attributes nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("{0} has the wrong length")]
    WrongLength(&'static str),
    #[error("{0} is not the JSON it should be")]
    BadJson(&'static str),
}

/// Nesting limit for arrays and kvlists, on both sides, so hostile input
/// cannot exhaust the stack.
pub const MAX_DEPTH: usize = 32;

const EMPTY: u8 = 0;
const STRING: u8 = 1;
const FALSE: u8 = 2;
const TRUE: u8 = 3;
const INT: u8 = 4;
const DOUBLE: u8 = 5;
const BYTES: u8 = 6;
const ARRAY: u8 = 7;
const KVLIST: u8 = 8;

/// Attributes with inline keys.
pub fn encode_attributes(attributes: &[Attribute], out: &mut Vec<u8>) {
    encode_attributes_with(attributes, out, |_| None);
}

/// Attributes whose keys are written as ids where `key_id` knows one.
pub fn encode_attributes_with(
    attributes: &[Attribute],
    out: &mut Vec<u8>,
    key_id: impl Fn(&str) -> Option<u32>,
) {
    put_varint(out, attributes.len() as u64);
    for attribute in attributes {
        match key_id(&attribute.key) {
            Some(id) => put_varint(out, u64::from(id) << 1),
            None => {
                put_varint(out, ((attribute.key.len() as u64) << 1) | 1);
                out.extend_from_slice(attribute.key.as_bytes());
            }
        }
        encode_value(&attribute.value, out, 0);
    }
}

fn encode_value(value: &AttributeValue, out: &mut Vec<u8>, depth: usize) {
    // Ingest truncates deeper values before they get here; this keeps the
    // encoder total anyway.
    if depth >= MAX_DEPTH {
        out.push(EMPTY);
        return;
    }
    match value {
        AttributeValue::Empty => out.push(EMPTY),
        AttributeValue::String(s) => {
            out.push(STRING);
            put_bytes(out, s.as_bytes());
        }
        AttributeValue::Bool(false) => out.push(FALSE),
        AttributeValue::Bool(true) => out.push(TRUE),
        AttributeValue::Int(i) => {
            out.push(INT);
            put_zigzag(out, *i);
        }
        AttributeValue::Double(d) => {
            out.push(DOUBLE);
            out.extend_from_slice(&d.to_le_bytes());
        }
        AttributeValue::Bytes(b) => {
            out.push(BYTES);
            put_bytes(out, b);
        }
        AttributeValue::Array(values) => {
            out.push(ARRAY);
            put_varint(out, values.len() as u64);
            for value in values {
                encode_value(value, out, depth + 1);
            }
        }
        AttributeValue::KvList(entries) => {
            out.push(KVLIST);
            put_varint(out, entries.len() as u64);
            for entry in entries {
                put_varint(out, ((entry.key.len() as u64) << 1) | 1);
                out.extend_from_slice(entry.key.as_bytes());
                encode_value(&entry.value, out, depth + 1);
            }
        }
    }
}

/// Events with their times relative to `span_start_ns` (small numbers).
pub fn encode_events(events: &[SpanEvent], span_start_ns: i64, out: &mut Vec<u8>) {
    put_varint(out, events.len() as u64);
    for event in events {
        put_zigzag(out, event.time_ns.wrapping_sub(span_start_ns));
        put_bytes(out, event.name.as_bytes());
        put_varint(out, u64::from(event.dropped_attributes_count));
        encode_attributes(&event.attributes, out);
    }
}

pub fn encode_links(links: &[SpanLink], out: &mut Vec<u8>) {
    put_varint(out, links.len() as u64);
    for link in links {
        put_bytes(out, &link.trace_id);
        put_bytes(out, &link.span_id);
        put_bytes(out, link.trace_state.as_bytes());
        put_varint(out, u64::from(link.flags));
        put_varint(out, u64::from(link.dropped_attributes_count));
        encode_attributes(&link.attributes, out);
    }
}

fn put_zigzag(out: &mut Vec<u8>, value: i64) {
    put_varint(out, ((value << 1) ^ (value >> 63)) as u64);
}

pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Reads what the encoders above wrote.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn varint(&mut self) -> Result<u64, CodecError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.bytes.split_first().ok_or(CodecError::Truncated)?;
            self.bytes = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(CodecError::Truncated)
    }

    fn zigzag(&mut self) -> Result<i64, CodecError> {
        let zigzag = self.varint()?;
        Ok(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
    }

    fn count(&mut self) -> Result<u32, CodecError> {
        u32::try_from(self.varint()?).map_err(|_| CodecError::Truncated)
    }

    pub fn events(&mut self, span_start_ns: i64) -> Result<Vec<SpanEvent>, CodecError> {
        let count = self.varint()? as usize;
        let mut events = Vec::with_capacity(count.min(self.bytes.len() / 4));
        for _ in 0..count {
            let time_ns = span_start_ns.wrapping_add(self.zigzag()?);
            let name = self.string()?;
            let dropped_attributes_count = self.count()?;
            let attributes = self.attributes()?;
            events.push(SpanEvent {
                time_ns,
                name,
                attributes,
                dropped_attributes_count,
            });
        }
        Ok(events)
    }

    pub fn links(&mut self) -> Result<Vec<SpanLink>, CodecError> {
        let count = self.varint()? as usize;
        let mut links = Vec::with_capacity(count.min(self.bytes.len() / 6));
        for _ in 0..count {
            let trace_id = self.bytes()?.to_vec();
            let span_id = self.bytes()?.to_vec();
            let trace_state = self.string()?;
            let flags = self.count()?;
            let dropped_attributes_count = self.count()?;
            let attributes = self.attributes()?;
            links.push(SpanLink {
                trace_id,
                span_id,
                trace_state,
                flags,
                attributes,
                dropped_attributes_count,
            });
        }
        Ok(links)
    }

    pub fn take(&mut self, len: usize) -> Result<&'a [u8], CodecError> {
        if self.bytes.len() < len {
            return Err(CodecError::Truncated);
        }
        let (head, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(head)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let len = self.varint()? as usize;
        self.take(len)
    }

    pub fn string(&mut self) -> Result<String, CodecError> {
        let bytes = self.bytes()?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::NotUtf8)
    }

    /// Attributes whose keys are all inline.
    pub fn attributes(&mut self) -> Result<Vec<Attribute>, CodecError> {
        self.attributes_with(&|_| None)
    }

    /// Attributes whose interned keys `key` resolves.
    pub fn attributes_with(
        &mut self,
        key: &dyn Fn(u32) -> Option<String>,
    ) -> Result<Vec<Attribute>, CodecError> {
        self.key_values(0, key)
    }

    fn key_values(
        &mut self,
        depth: usize,
        interned: &dyn Fn(u32) -> Option<String>,
    ) -> Result<Vec<Attribute>, CodecError> {
        let count = self.varint()? as usize;
        // Never trust a count for allocation: each entry takes at least 2 bytes.
        let mut attributes = Vec::with_capacity(count.min(self.bytes.len() / 2));
        for _ in 0..count {
            let key = self.key(interned)?;
            let value = self.value(depth)?;
            attributes.push(Attribute { key, value });
        }
        Ok(attributes)
    }

    fn key(&mut self, interned: &dyn Fn(u32) -> Option<String>) -> Result<String, CodecError> {
        let reference = self.varint()?;
        if reference & 1 == 0 {
            let id = reference >> 1;
            return u32::try_from(id)
                .ok()
                .and_then(interned)
                .ok_or(CodecError::UnknownKey(id));
        }
        let bytes = self.take((reference >> 1) as usize)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::NotUtf8)
    }

    fn value(&mut self, depth: usize) -> Result<AttributeValue, CodecError> {
        if depth >= MAX_DEPTH {
            return Err(CodecError::TooDeep);
        }
        let (&tag, rest) = self.bytes.split_first().ok_or(CodecError::Truncated)?;
        self.bytes = rest;
        Ok(match tag {
            EMPTY => AttributeValue::Empty,
            STRING => AttributeValue::String(self.string()?),
            FALSE => AttributeValue::Bool(false),
            TRUE => AttributeValue::Bool(true),
            INT => AttributeValue::Int(self.zigzag()?),
            DOUBLE => {
                let raw: [u8; 8] = self
                    .take(8)?
                    .try_into()
                    .map_err(|_| CodecError::Truncated)?;
                AttributeValue::Double(f64::from_le_bytes(raw))
            }
            BYTES => AttributeValue::Bytes(self.bytes()?.to_vec()),
            ARRAY => {
                let count = self.varint()? as usize;
                let mut values = Vec::with_capacity(count.min(self.bytes.len()));
                for _ in 0..count {
                    values.push(self.value(depth + 1)?);
                }
                AttributeValue::Array(values)
            }
            KVLIST => AttributeValue::KvList(self.key_values(depth + 1, &|_| None)?),
            other => return Err(CodecError::UnknownTag(other)),
        })
    }
}

pub fn decode_attributes(bytes: &[u8]) -> Result<Vec<Attribute>, CodecError> {
    Reader::new(bytes).attributes()
}

/// Span attributes, whose top-level keys may be interned.
pub fn decode_attributes_with(
    bytes: &[u8],
    key: &dyn Fn(u32) -> Option<String>,
) -> Result<Vec<Attribute>, CodecError> {
    Reader::new(bytes).attributes_with(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_type() -> Vec<Attribute> {
        vec![
            Attribute::new("http.request.method", AttributeValue::String("GET".into())),
            Attribute::new("error", AttributeValue::Bool(true)),
            Attribute::new("cached", AttributeValue::Bool(false)),
            Attribute::new("http.response.status_code", AttributeValue::Int(200)),
            Attribute::new("negative", AttributeValue::Int(i64::MIN)),
            Attribute::new("ratio", AttributeValue::Double(0.25)),
            Attribute::new("blob", AttributeValue::Bytes(vec![0, 255, 7])),
            Attribute::new("nothing", AttributeValue::Empty),
            Attribute::new(
                "nested",
                AttributeValue::Array(vec![
                    AttributeValue::Int(1),
                    AttributeValue::KvList(vec![Attribute::new(
                        "inner",
                        AttributeValue::String("ü".into()),
                    )]),
                ]),
            ),
        ]
    }

    #[test]
    fn every_type_round_trips() {
        let mut bytes = Vec::new();
        encode_attributes(&every_type(), &mut bytes);
        assert_eq!(decode_attributes(&bytes).unwrap(), every_type());
    }

    #[test]
    fn events_and_links_round_trip() {
        let events = vec![SpanEvent {
            time_ns: 1_000_000_500,
            name: "exception".into(),
            attributes: every_type(),
            dropped_attributes_count: 2,
        }];
        let links = vec![SpanLink {
            trace_id: vec![7; 16],
            span_id: vec![9; 8],
            trace_state: "vendor=1".into(),
            flags: 1,
            attributes: every_type(),
            dropped_attributes_count: 0,
        }];
        let mut bytes = Vec::new();
        encode_events(&events, 1_000_000_000, &mut bytes);
        assert_eq!(Reader::new(&bytes).events(1_000_000_000).unwrap(), events);
        bytes.clear();
        encode_links(&links, &mut bytes);
        assert_eq!(Reader::new(&bytes).links().unwrap(), links);
    }

    #[test]
    fn is_much_smaller_than_json() {
        let attributes = every_type();
        let mut bytes = Vec::new();
        encode_attributes(&attributes, &mut bytes);
        let json = serde_json::to_vec(&attributes).unwrap();
        assert!(
            bytes.len() * 2 < json.len(),
            "{} vs {}",
            bytes.len(),
            json.len()
        );
    }

    #[test]
    fn interned_keys_round_trip_and_shrink_the_encoding() {
        let ids = ["http.request.method", "error"];
        let id_of = |key: &str| ids.iter().position(|k| *k == key).map(|i| i as u32 + 1);
        let key_of = |id: u32| ids.get(id as usize - 1).map(|k| k.to_string());
        let (mut inline, mut interned) = (Vec::new(), Vec::new());
        encode_attributes(&every_type(), &mut inline);
        encode_attributes_with(&every_type(), &mut interned, id_of);
        assert_eq!(
            decode_attributes_with(&interned, &key_of).unwrap(),
            every_type()
        );
        assert_eq!(
            inline.len() - interned.len(),
            "http.request.method".len() + "error".len()
        );
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let mut bytes = Vec::new();
        encode_attributes(&every_type(), &mut bytes);
        for cut in 0..bytes.len() {
            assert!(decode_attributes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(
            decode_attributes(&[1, 3, b'k', 99]),
            Err(CodecError::UnknownTag(99))
        );
        assert_eq!(decode_attributes(&[1, 4]), Err(CodecError::UnknownKey(2)));
        // A huge claimed count must not allocate before failing.
        assert_eq!(
            decode_attributes(&[0xff, 0xff, 0xff, 0xff, 0x0f]),
            Err(CodecError::Truncated)
        );
    }
}
