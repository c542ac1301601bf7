//! Query parameters of Jaeger's HTTP query API v1, so that Grafana's Jaeger
//! data source and the Jaeger UI work against Watchpost unchanged. The rules
//! mirror jaeger-query's `query_parser.go` and `http_handler.go` (v1.60
//! `cmd/query/app/`; v2 `cmd/jaeger/internal/extension/jaegerquery/internal/`
//! before upstream #9260 removed v1 search): parameter names, "empty means
//! absent", first value wins, and error texts such as
//! `unable to parse param 'minDuration': time: invalid duration "abc"`.
//!
//! Deliberate differences, each noted where implemented: `limit` defaults
//! to 20 (not 100) and is capped at 1500; `lookback` is honoured when
//! `start` is absent; `start > end`, negative limits and negative durations
//! are rejected; `tags` values may be numbers or booleans; an unknown
//! `spanKind` is rejected instead of matching nothing.

use std::fmt::Display;
use std::num::IntErrorKind;

use serde_json::Value;

/// Raw query pairs in request order; repeated keys allowed.
type Pairs = [(String, String)];
type Parsed<T> = Result<T, ParamError>;

const NANOS_PER_MICRO: i64 = 1_000;
const NANOS_PER_MILLI: i64 = 1_000_000;

/// Traces returned when `limit` is absent or 0. Jaeger's default is 100, but
/// the UI and Grafana always send a limit; 20 keeps ad-hoc calls cheap.
const DEFAULT_LIMIT: usize = 20;
/// Upper bound on `limit`, so one request cannot ask for the whole store.
const MAX_LIMIT: usize = 1500;
/// Jaeger's `defaultTraceQueryLookbackDuration`: when `start` is absent the
/// search covers the two days before `end`.
const DEFAULT_TRACE_LOOKBACK_NS: i64 = 48 * 3_600_000_000_000;
/// Jaeger's `defaultDependencyLookbackDuration`.
const DEPENDENCY_LOOKBACK_NS: i64 = 24 * 3_600_000_000_000;

/// A parameter that could not be used; `parameter` names it for the 400 body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    pub parameter: &'static str,
    pub message: String,
}

impl ParamError {
    fn new(parameter: &'static str, message: String) -> Self {
        Self { parameter, message }
    }

    /// Jaeger's `newParseError` wording.
    fn unparsable(parameter: &'static str, detail: impl Display) -> Self {
        let message = format!("unable to parse param '{parameter}': {detail}");
        Self::new(parameter, message)
    }

    fn required(parameter: &'static str) -> Self {
        Self::new(parameter, format!("parameter '{parameter}' is required"))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraceQuery {
    pub service: Option<String>,
    pub operation: Option<String>,
    /// From repeated `tag=k:v`, then `tags` JSON objects. A repeated key keeps
    /// its first position and last value, like Jaeger's map (`tags` wins).
    pub tags: Vec<(String, String)>,
    pub min_duration_ns: Option<i64>,
    pub max_duration_ns: Option<i64>,
    pub start_ns: i64,
    pub end_ns: i64,
    /// 20 when absent or 0; capped at 1500 (`MAX_LIMIT`) rather than rejected.
    pub limit: usize,
    pub trace_ids: Vec<[u8; 16]>,
}

/// Parses `/api/traces` parameters. `start`/`end` are unix microseconds;
/// `now_ns` is injected so tests are deterministic.
pub fn parse_trace_query(
    pairs: &[(String, String)],
    now_ns: i64,
) -> Result<TraceQuery, ParamError> {
    let end_ns = parse_unix_time(pairs, "end", NANOS_PER_MICRO)?.unwrap_or(now_ns);
    let start_ns = match parse_unix_time(pairs, "start", NANOS_PER_MICRO)? {
        Some(start) => start,
        None => end_ns.saturating_sub(trace_lookback(pairs)?),
    };
    let trace_ids: Parsed<Vec<_>> = all(pairs, "traceID").map(parse_trace_id).collect();
    let query = TraceQuery {
        service: first(pairs, "service").map(str::to_owned),
        operation: first(pairs, "operation").map(str::to_owned),
        tags: parse_tags(pairs)?,
        limit: parse_limit(pairs)?,
        min_duration_ns: parse_duration_param(pairs, "minDuration")?,
        max_duration_ns: parse_duration_param(pairs, "maxDuration")?,
        trace_ids: trace_ids?,
        start_ns,
        end_ns,
    };
    validate_trace_query(&query)?;
    Ok(query)
}

/// A trace ID in Jaeger's hex form: 1 to 32 hex digits of either case read
/// as a 128-bit number, so short (64-bit era) IDs are left-padded with zeros.
/// Messages follow Jaeger's `cannot parse traceID param: ...`, which wraps
/// `model.TraceIDFromString` and Go's `strconv.ParseUint`.
pub fn parse_trace_id(text: &str) -> Result<[u8; 16], ParamError> {
    let detail = if text.len() > 32 {
        format!("TraceID cannot be longer than 32 hex characters: {text}")
    } else if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("strconv.ParseUint: parsing {text:?}: invalid syntax")
    } else {
        let digits = text.chars().filter_map(|c| c.to_digit(16));
        let value = digits.fold(0u128, |acc, digit| (acc << 4) | u128::from(digit));
        return Ok(value.to_be_bytes());
    };
    let message = format!("cannot parse traceID param: {detail}");
    Err(ParamError::new("traceID", message))
}

pub use app::go_duration::parse_go_duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependenciesQuery {
    pub end_ns: i64,
    pub lookback_ns: i64,
}

/// Parses `/api/dependencies`: `endTs` and `lookback` are integer milliseconds,
/// defaulting like Jaeger to now and 24 h. Jaeger accepts zero and negative
/// values; we reject them because they describe an empty or inverted range.
pub fn parse_dependencies_query(
    pairs: &[(String, String)],
    now_ns: i64,
) -> Result<DependenciesQuery, ParamError> {
    let end_ns = parse_positive_millis(pairs, "endTs", now_ns)?;
    let lookback_ns = parse_positive_millis(pairs, "lookback", DEPENDENCY_LOOKBACK_NS)?;
    Ok(DependenciesQuery {
        end_ns,
        lookback_ns,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationsQuery {
    pub service: String,
    pub span_kind: Option<SpanKindFilter>,
}

/// The `spanKind` filter of `/api/operations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKindFilter {
    Server,
    Client,
    Producer,
    Consumer,
    Internal,
    Unspecified,
}

impl SpanKindFilter {
    /// Jaeger's lower-case name, as accepted in `spanKind`. Operation listings
    /// render an unspecified kind as `""` (`jptrace.SpanKindToString`), so
    /// callers writing operation JSON must map `Unspecified` to `""`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Client => "client",
            Self::Producer => "producer",
            Self::Consumer => "consumer",
            Self::Internal => "internal",
            Self::Unspecified => "unspecified",
        }
    }

    /// Case-insensitive like Jaeger's `jptrace.StringToSpanKind`.
    fn from_param(text: &str) -> Option<Self> {
        use SpanKindFilter::*;
        let all = [Server, Client, Producer, Consumer, Internal, Unspecified];
        let named = |kind: &Self| kind.as_str().eq_ignore_ascii_case(text);
        all.into_iter().find(named)
    }
}

/// Parses `/api/operations`; `service` is required. Jaeger passes an unknown
/// `spanKind` to storage, where it matches nothing; we reject it with the
/// metrics API's wording so that a typo is visible.
pub fn parse_operations_query(pairs: &[(String, String)]) -> Result<OperationsQuery, ParamError> {
    let service = first(pairs, "service").ok_or_else(|| ParamError::required("service"))?;
    let span_kind = first(pairs, "spanKind").map(parse_span_kind).transpose()?;
    Ok(OperationsQuery {
        service: service.to_owned(),
        span_kind,
    })
}

fn parse_span_kind(text: &str) -> Parsed<SpanKindFilter> {
    SpanKindFilter::from_param(text).ok_or_else(|| {
        ParamError::unparsable("spanKind", format!("unsupported span kind: '{text}'"))
    })
}

/// First value of `name`, treating an empty value as absent, like Go's
/// `r.URL.Query().Get(name) == ""` checks in jaeger-query.
fn first<'a>(pairs: &'a Pairs, name: &str) -> Option<&'a str> {
    let (_, value) = pairs.iter().find(|(key, _)| key == name)?;
    Some(value.as_str()).filter(|value| !value.is_empty())
}

/// Every value of a repeated parameter, in order.
fn all<'a>(pairs: &'a Pairs, name: &'a str) -> impl Iterator<Item = &'a str> {
    let named = move |(key, value): &'a (String, String)| (key == name).then_some(value.as_str());
    pairs.iter().filter_map(named)
}

/// An integer as Go's `strconv.ParseInt(text, 10, 64)` reads it and words errors.
fn parse_go_int(text: &str) -> Result<i64, String> {
    text.parse::<i64>().map_err(|error| {
        let reason = match error.kind() {
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "value out of range",
            _ => "invalid syntax",
        };
        format!("strconv.ParseInt: parsing {text:?}: {reason}")
    })
}

/// An integer count of `unit` nanoseconds since the epoch, in nanoseconds.
fn parse_unix_time(pairs: &Pairs, name: &'static str, unit: i64) -> Parsed<Option<i64>> {
    let Some(text) = first(pairs, name) else {
        return Ok(None);
    };
    let value = parse_go_int(text).map_err(|detail| ParamError::unparsable(name, detail))?;
    let out_of_range = || ParamError::unparsable(name, format!("time {text} is out of range"));
    value.checked_mul(unit).map(Some).ok_or_else(out_of_range)
}

/// Millisecond parameter of the dependencies API, which must be positive.
fn parse_positive_millis(pairs: &Pairs, name: &'static str, default: i64) -> Parsed<i64> {
    match parse_unix_time(pairs, name, NANOS_PER_MILLI)? {
        None => Ok(default),
        Some(nanos) if nanos > 0 => Ok(nanos),
        Some(nanos) => {
            let millis = nanos / NANOS_PER_MILLI;
            let detail = format!("must be a positive integer, got {millis}");
            Err(ParamError::unparsable(name, detail))
        }
    }
}

/// Window before `end` searched when `start` is absent. Jaeger itself
/// ignores the UI's `lookback` (the UI also sends `start`), so honouring it
/// only matters for hand-written queries; `custom` means "use start/end".
fn trace_lookback(pairs: &Pairs) -> Parsed<i64> {
    match first(pairs, "lookback") {
        None | Some("custom") => Ok(DEFAULT_TRACE_LOOKBACK_NS),
        Some(text) => app::go_duration::parse_duration_with_days(text)
            .map_err(|detail| ParamError::unparsable("lookback", detail)),
    }
}

/// `minDuration`/`maxDuration`. Zero means "no bound", as in Jaeger, whose
/// storage and min/max check both treat a zero duration as unset.
fn parse_duration_param(pairs: &Pairs, name: &'static str) -> Parsed<Option<i64>> {
    let Some(text) = first(pairs, name) else {
        return Ok(None);
    };
    let nanos = parse_go_duration(text).map_err(|detail| ParamError::unparsable(name, detail))?;
    Ok(Some(nanos).filter(|nanos| *nanos != 0))
}

/// `limit`: absent or 0 means the default; negative is an error (Jaeger
/// passes it on to storage); large values are capped at `MAX_LIMIT`.
fn parse_limit(pairs: &Pairs) -> Parsed<usize> {
    let Some(text) = first(pairs, "limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    let value = parse_go_int(text).map_err(|detail| ParamError::unparsable("limit", detail))?;
    match usize::try_from(value) {
        Ok(0) => Ok(DEFAULT_LIMIT),
        Ok(limit) => Ok(limit.min(MAX_LIMIT)),
        Err(_) => {
            let detail = format!("must be a non-negative integer, got {text:?}");
            Err(ParamError::unparsable("limit", detail))
        }
    }
}

/// Collects `tag=k:v` (split at the first ':', as Jaeger's split-and-rejoin
/// does) and then every `tags` JSON object.
fn parse_tags(pairs: &Pairs) -> Parsed<Vec<(String, String)>> {
    let mut tags = Vec::new();
    for tag in all(pairs, "tag") {
        let (key, value) = tag.split_once(':').ok_or_else(|| {
            let detail = format!("expecting key:value, received: {tag}");
            ParamError::new("tag", format!("malformed 'tag' parameter, {detail}"))
        })?;
        upsert(&mut tags, key.to_owned(), value.to_owned());
    }
    for json in all(pairs, "tags") {
        for (key, value) in parse_json_tags(json)? {
            upsert(&mut tags, key, value);
        }
    }
    Ok(tags)
}

/// A `tags` object. Jaeger decodes into `map[string]string`; we also accept
/// numbers and booleans (Grafana users type `{"http.status_code": 500}`)
/// but reject null, arrays and nested objects, which have no tag meaning.
fn parse_json_tags(json: &str) -> Parsed<Vec<(String, String)>> {
    let malformed = |detail: &dyn Display| {
        let message = format!("malformed 'tags' parameter, cannot unmarshal JSON: {detail}");
        ParamError::new("tags", message)
    };
    let object: serde_json::Map<String, Value> =
        serde_json::from_str(json).map_err(|error| malformed(&error))?;
    let scalar = |(key, value): (String, Value)| match value {
        Value::String(text) => Ok((key, text)),
        Value::Number(number) => Ok((key, number.to_string())),
        Value::Bool(flag) => Ok((key, flag.to_string())),
        other => {
            let detail =
                format!("value of {key:?} must be a string, number or boolean, got {other}");
            Err(malformed(&detail))
        }
    };
    object.into_iter().map(scalar).collect()
}

/// Map semantics with a stable order: a repeated key keeps its first
/// position and takes the newest value.
fn upsert(tags: &mut Vec<(String, String)>, key: String, value: String) {
    match tags.iter_mut().find(|(existing, _)| *existing == key) {
        Some(slot) => slot.1 = value,
        None => tags.push((key, value)),
    }
}

/// Jaeger's `errMaxDurationGreaterThanMin` text.
const MAX_BELOW_MIN: &str = "'maxDuration' should be greater than 'minDuration'";
const START_AFTER_END: &str = "'start' should not be later than 'end'";

/// Cross-parameter rules. `service` may only be omitted when trace IDs are
/// given (Jaeger before RFC 0013 made this storage-dependent).
fn validate_trace_query(query: &TraceQuery) -> Parsed<()> {
    if query.service.is_none() && query.trace_ids.is_empty() {
        return Err(ParamError::required("service"));
    }
    if let (Some(min), Some(max)) = (query.min_duration_ns, query.max_duration_ns)
        && max < min
    {
        return Err(ParamError::new("maxDuration", MAX_BELOW_MIN.into()));
    }
    if query.start_ns > query.end_ns {
        return Err(ParamError::new("start", START_AFTER_END.into()));
    }
    Ok(())
}

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
