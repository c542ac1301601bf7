//! OTLP trace ingest: one path behind both transports.
//!
//! ```text
//! body ─ decode (gzip, protobuf | JSON) ─ convert (validate, limits) ─ pipeline ─ COPY ─ answer
//! ```
//!
//! Each transport first asks `auth` whether the request's ingest key is
//! good, before reading the body.
//!
//! Decoding and conversion run off the async runtime. The answer is sent
//! only after the spans are committed, so an acknowledged span is never lost.

pub mod auth;
pub mod convert;
pub mod decode;
pub mod error;
pub mod export;
pub mod grpc;
pub mod http;
pub mod metrics;
pub mod otlp_json;
pub mod pipeline;

pub use convert::{ConvertedRequest, IngestLimits};
pub use error::IngestError;
pub use pipeline::{IngestPipeline, PipelineSettings};

use std::time::Duration;

use crate::config::IngestConfig;

/// Request-level limits for the transports.
#[derive(Debug, Clone)]
pub struct IngestSettings {
    pub max_body: usize,
    pub max_decompressed: usize,
    pub limits: IngestLimits,
}

/// How far ahead of the server's clock a span may start.
const MAX_FUTURE: Duration = Duration::from_secs(24 * 3600);

impl IngestSettings {
    pub fn from_config(config: &IngestConfig) -> IngestSettings {
        IngestSettings {
            max_body: config.max_body.as_usize(),
            max_decompressed: config.max_decompressed.as_usize(),
            limits: IngestLimits {
                max_attributes_per_span: config.max_attributes_per_span,
                max_attribute_value_length: config.max_attribute_value_length.as_usize(),
                retention: config.retention.0,
                max_future: MAX_FUTURE,
            },
        }
    }
}

impl PipelineSettings {
    pub fn from_config(config: &IngestConfig) -> PipelineSettings {
        PipelineSettings {
            queue_spans: config.queue_spans,
            batch_spans: config.batch_spans,
            writers: config.writers,
        }
    }
}
