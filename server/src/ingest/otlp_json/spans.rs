//! The trace messages, from the request down to spans, events and links: which JSON member
//! goes to which field, and how each field's value is decoded.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::InstrumentationScope;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use serde::de::MapAccess;

use super::message::{Field, Message};
use super::scalars::{hex_bytes, span_kind, status_code, string, uint32, uint64};

impl Message for ExportTraceServiceRequest {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "resourceSpans" => self.resource_spans = field.list()?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for ResourceSpans {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "resource" => self.resource = field.message()?,
            "scopeSpans" => self.scope_spans = field.list()?,
            "schemaUrl" => self.schema_url = field.scalar(string)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

/// `entityRefs` (in development in OTLP) is skipped like any unknown field.
impl Message for Resource {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "attributes" => self.attributes = field.list()?,
            "droppedAttributesCount" => self.dropped_attributes_count = field.scalar(uint32)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for ScopeSpans {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "scope" => self.scope = field.message()?,
            "spans" => self.spans = field.list()?,
            "schemaUrl" => self.schema_url = field.scalar(string)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for InstrumentationScope {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "name" => self.name = field.scalar(string)?,
            "version" => self.version = field.scalar(string)?,
            "attributes" => self.attributes = field.list()?,
            "droppedAttributesCount" => self.dropped_attributes_count = field.scalar(uint32)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for Span {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "traceId" => self.trace_id = field.scalar(hex_bytes)?,
            "spanId" => self.span_id = field.scalar(hex_bytes)?,
            "traceState" => self.trace_state = field.scalar(string)?,
            "parentSpanId" => self.parent_span_id = field.scalar(hex_bytes)?,
            "flags" => self.flags = field.scalar(uint32)?,
            "name" => self.name = field.scalar(string)?,
            "kind" => self.kind = field.scalar(span_kind)?,
            "startTimeUnixNano" => self.start_time_unix_nano = field.scalar(uint64)?,
            "endTimeUnixNano" => self.end_time_unix_nano = field.scalar(uint64)?,
            "attributes" => self.attributes = field.list()?,
            "droppedAttributesCount" => self.dropped_attributes_count = field.scalar(uint32)?,
            "events" => self.events = field.list()?,
            "droppedEventsCount" => self.dropped_events_count = field.scalar(uint32)?,
            "links" => self.links = field.list()?,
            "droppedLinksCount" => self.dropped_links_count = field.scalar(uint32)?,
            "status" => self.status = field.message()?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for Event {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "timeUnixNano" => self.time_unix_nano = field.scalar(uint64)?,
            "name" => self.name = field.scalar(string)?,
            "attributes" => self.attributes = field.list()?,
            "droppedAttributesCount" => self.dropped_attributes_count = field.scalar(uint32)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for Link {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "traceId" => self.trace_id = field.scalar(hex_bytes)?,
            "spanId" => self.span_id = field.scalar(hex_bytes)?,
            "traceState" => self.trace_state = field.scalar(string)?,
            "attributes" => self.attributes = field.list()?,
            "droppedAttributesCount" => self.dropped_attributes_count = field.scalar(uint32)?,
            "flags" => self.flags = field.scalar(uint32)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for Status {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "message" => self.message = field.scalar(string)?,
            "code" => self.code = field.scalar(status_code)?,
            _ => field.skip()?,
        }
        Ok(())
    }
}
