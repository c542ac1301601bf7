//! From request bytes to an `ExportTraceServiceRequest`: content type,
//! gzip with a cap on the inflated size, then protobuf or OTLP/JSON.

use std::io::Read;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use super::IngestError;
use super::otlp_json;

/// The two OTLP/HTTP encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    /// Reads `Content-Type`, ignoring parameters such as `charset`.
    pub fn from_content_type(content_type: Option<&str>) -> Result<Encoding, IngestError> {
        let raw = content_type.unwrap_or("");
        let essence = raw
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Ok(Encoding::Protobuf),
            "application/json" => Ok(Encoding::Json),
            _ => Err(IngestError::UnsupportedContentType(raw.to_owned())),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// Whether the body is gzip-compressed, from `Content-Encoding`.
pub fn is_gzip(content_encoding: Option<&str>) -> Result<bool, IngestError> {
    match content_encoding
        .map(|v| v.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("identity") => Ok(false),
        Some("gzip") | Some("x-gzip") => Ok(true),
        Some(other) => Err(IngestError::UnsupportedEncoding(other.to_owned())),
    }
}

/// Inflates gzip, refusing to produce more than `limit` bytes: a small
/// compressed body must not be able to exhaust memory.
pub fn gunzip(body: &[u8], limit: usize) -> Result<Vec<u8>, IngestError> {
    let mut inflated = Vec::with_capacity(body.len().saturating_mul(4).min(limit));
    let mut decoder = flate2::read::MultiGzDecoder::new(body).take(limit as u64 + 1);
    decoder
        .read_to_end(&mut inflated)
        .map_err(|error| IngestError::Malformed(format!("invalid gzip body: {error}")))?;
    if inflated.len() > limit {
        return Err(IngestError::DecompressedTooLarge { limit });
    }
    Ok(inflated)
}

pub fn decode_request(
    bytes: &[u8],
    encoding: Encoding,
) -> Result<ExportTraceServiceRequest, IngestError> {
    match encoding {
        Encoding::Protobuf => ExportTraceServiceRequest::decode(bytes)
            .map_err(|error| IngestError::Malformed(format!("invalid OTLP protobuf: {error}"))),
        Encoding::Json => otlp_json::decode_trace_request(bytes)
            .map_err(|error| IngestError::Malformed(error.to_string())),
    }
}

/// A metrics export request. OTLP/JSON goes through opentelemetry-proto's
/// serde mapping (camelCase names, int64 as strings, enums as numbers).
pub fn decode_metrics(
    bytes: &[u8],
    encoding: Encoding,
) -> Result<ExportMetricsServiceRequest, IngestError> {
    match encoding {
        Encoding::Protobuf => ExportMetricsServiceRequest::decode(bytes)
            .map_err(|error| IngestError::Malformed(format!("invalid OTLP protobuf: {error}"))),
        Encoding::Json => serde_json::from_slice(bytes)
            .map_err(|error| IngestError::Malformed(format!("invalid OTLP/JSON: {error}"))),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn content_types_and_encodings() {
        assert_eq!(
            Encoding::from_content_type(Some("application/x-protobuf")),
            Ok(Encoding::Protobuf)
        );
        assert_eq!(
            Encoding::from_content_type(Some("Application/JSON; charset=utf-8")),
            Ok(Encoding::Json)
        );
        assert!(matches!(
            Encoding::from_content_type(Some("text/plain")),
            Err(IngestError::UnsupportedContentType(_))
        ));
        assert!(matches!(
            Encoding::from_content_type(None),
            Err(IngestError::UnsupportedContentType(_))
        ));
        assert_eq!(is_gzip(Some("GZIP")), Ok(true));
        assert_eq!(is_gzip(None), Ok(false));
        assert!(is_gzip(Some("br")).is_err());
    }

    #[test]
    fn gunzip_caps_the_inflated_size() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![b'a'; 100_000]).unwrap();
        let compressed = encoder.finish().unwrap();
        assert_eq!(gunzip(&compressed, 100_000).unwrap().len(), 100_000);
        assert_eq!(
            gunzip(&compressed, 99_999),
            Err(IngestError::DecompressedTooLarge { limit: 99_999 })
        );
        assert!(matches!(
            gunzip(b"not gzip", 10),
            Err(IngestError::Malformed(_))
        ));
    }
}
