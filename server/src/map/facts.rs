//! What edge derivation needs from each span, taken from a batch before it
//! is written: client and producer spans are callers, server and consumer
//! spans are callees, keyed by the span they answer.

use std::sync::Arc;

use app::model::map::NodeRef;
use app::model::span::{SpanKind, StatusCode};
use app::storage::codec::Reader;
use app::storage::spans::SpanBatch;

use app::model::peer::peer_of;

/// A span in a trace: (trace id, span id).
pub type SpanKey = ([u8; 16], [u8; 8]);

/// A client or producer span: a call out of `service`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallerFact {
    pub key: SpanKey,
    pub service: Arc<str>,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub asynchronous: bool,
    /// Who the span says it calls, for when no callee span ever arrives.
    pub peer: Option<NodeRef>,
}

/// A server or consumer span, waiting for the caller span it answers.
#[derive(Debug, Clone, PartialEq)]
pub struct CalleeFact {
    /// The caller's span: the parent, or for a consumer also a link.
    pub caller: SpanKey,
    pub service: Arc<str>,
    pub duration_ns: i64,
    pub error: bool,
    pub asynchronous: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub callers: Vec<CallerFact>,
    pub callees: Vec<CalleeFact>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        self.callers.is_empty() && self.callees.is_empty()
    }
}

/// The facts of every span in `batch` that can make an edge.
pub fn facts_of(batch: &SpanBatch) -> Facts {
    let services: Vec<Arc<str>> = batch
        .resources
        .iter()
        .map(|r| Arc::from(r.service.name.as_str()))
        .collect();
    let mut facts = Facts::default();
    for span in &batch.spans {
        let service = &services[span.resource];
        let error = span.status_code == StatusCode::Error;
        match span.kind {
            SpanKind::Client | SpanKind::Producer => facts.callers.push(CallerFact {
                key: (span.trace_id, span.span_id),
                service: service.clone(),
                start_ns: span.start_ns,
                duration_ns: span.duration_ns,
                error,
                asynchronous: span.kind == SpanKind::Producer,
                peer: peer_of(&span.attributes),
            }),
            SpanKind::Server | SpanKind::Consumer => {
                let asynchronous = span.kind == SpanKind::Consumer;
                let mut callee = |caller: SpanKey| {
                    facts.callees.push(CalleeFact {
                        caller,
                        service: service.clone(),
                        duration_ns: span.duration_ns,
                        error,
                        asynchronous,
                    })
                };
                if let Some(parent) = span.parent_span_id {
                    callee((span.trace_id, parent));
                }
                // A consumer that received a batch links to each producer.
                if asynchronous {
                    for link in links_of(span.links.as_deref()) {
                        callee(link);
                    }
                }
            }
            SpanKind::Internal | SpanKind::Unspecified => {}
        }
    }
    facts
}

/// The spans an encoded link list points at.
fn links_of(encoded: Option<&[u8]>) -> Vec<SpanKey> {
    let Some(encoded) = encoded else {
        return Vec::new();
    };
    Reader::new(encoded)
        .links()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|link| {
            let trace: [u8; 16] = link.trace_id.as_slice().try_into().ok()?;
            let span: [u8; 8] = link.span_id.as_slice().try_into().ok()?;
            Some((trace, span))
        })
        .collect()
}
