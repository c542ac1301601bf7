//! OTLP/JSON decoding of trace export requests (`POST /v1/traces` with
//! `Content-Type: application/json`).
//!
//! Implements the JSON mapping of the OTLP 1.x specification
//! (<https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding>): the proto3 JSON
//! mapping, except that trace and span ids are hex strings instead of base64.
//!
//! The body is deserialized straight into the prost message types through serde visitors,
//! without building a `serde_json::Value` tree. Every decoder knows the JSON path it is
//! decoding (`resourceSpans[0].scopeSpans[1].spans[3].traceId`), so an error can say where in
//! the request the problem is.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::marker::PhantomData;
use std::num::IntErrorKind;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

/// How deeply `arrayValue`/`kvlistValue` attribute values may nest. A kvlist level costs four
/// JSON nesting levels and serde_json refuses input nested deeper than 128 levels, so this
/// limit keeps our clearer error ahead of serde_json's generic "recursion limit exceeded".
pub const MAX_ANY_VALUE_DEPTH: usize = 24;

/// Why a request body could not be decoded. The Display text is meant for a 400 response.
#[derive(Debug, thiserror::Error)]
pub enum OtlpJsonError {
    #[error("request body is empty")]
    EmptyBody,
    /// The body is not well-formed JSON (including invalid UTF-8 and trailing garbage).
    #[error("invalid JSON at line {line} column {column}: {message}")]
    Syntax {
        message: String,
        line: usize,
        column: usize,
    },
    /// Well-formed JSON that does not fit the OTLP message; `path` is empty for the top level.
    #[error("invalid OTLP/JSON{}: {message}", at_path(.path))]
    Invalid { path: String, message: String },
}

fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" at {path}")
    }
}

/// Decodes an OTLP/JSON `ExportTraceServiceRequest`.
///
/// Ids are hex-decoded but their lengths are not checked: rejecting spans with malformed ids
/// is left to validation, which can report them as a partial success.
pub fn decode_trace_request(body: &[u8]) -> Result<ExportTraceServiceRequest, OtlpJsonError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(OtlpJsonError::EmptyBody);
    }
    let failure = OnceCell::new();
    let root = Cx {
        path: &Path::Root,
        failure: &failure,
        depth: 0,
    };
    let mut json = serde_json::Deserializer::from_slice(body);
    let decoded = Decode(MessageShape::<ExportTraceServiceRequest>(root, PhantomData))
        .deserialize(&mut json)
        .and_then(|request| json.end().map(|()| request));
    match decoded {
        Ok(Some(request)) => Ok(request),
        Ok(None) => Err(OtlpJsonError::Invalid {
            path: String::new(),
            message: "expected a JSON object, got null".to_owned(),
        }),
        Err(error) => Err(to_otlp_error(
            &error,
            failure.into_inner().unwrap_or_default(),
        )),
    }
}

fn to_otlp_error(error: &serde_json::Error, path: String) -> OtlpJsonError {
    // serde_json appends the position to its messages; we report it separately or not at all.
    let full = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&position).unwrap_or(&full).to_owned();
    match error.classify() {
        Category::Data => OtlpJsonError::Invalid { path, message },
        Category::Syntax | Category::Eof | Category::Io => OtlpJsonError::Syntax {
            message,
            line: error.line(),
            column: error.column(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding context: JSON path, error location and nesting depth.

/// A JSON path as a linked list through the decoders' stack frames: free to build, and only
/// turned into text when an error needs it.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, key) => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

/// What every decoder carries along.
#[derive(Clone, Copy)]
struct Cx<'a> {
    path: &'a Path<'a>,
    /// Path of the innermost decoder that failed. Errors travel outwards through every
    /// enclosing decoder, so the first one to record its path is the most precise.
    failure: &'a OnceCell<String>,
    /// Number of `arrayValue`/`kvlistValue` levels around the current value.
    depth: usize,
}

impl Cx<'_> {
    fn at<'b>(self, path: &'b Path<'b>) -> Cx<'b>
    where
        Self: 'b,
    {
        Cx { path, ..self }
    }

    fn record<E>(self, error: E) -> E {
        self.failure.get_or_init(|| self.path.to_string());
        error
    }
}

// ---------------------------------------------------------------------------------------------
// Shapes: what one JSON value decodes into.

/// One JSON value as serde_json reports it. Strings are borrowed from the body unless they
/// contain escapes. Objects and arrays are only named here, for error messages: a shape that
/// accepts them reads their contents in `Shape::object`/`Shape::array`.
enum Json<'de> {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Str(Cow<'de, str>),
    Object,
    Array,
}

impl Json<'_> {
    /// The message for a value of the wrong JSON type.
    fn wrong_type(&self, expected: &str) -> String {
        let found = match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Unsigned(_) | Json::Signed(_) | Json::Float(_) => "a number",
            Json::Str(_) => "a string",
            Json::Object => "an object",
            Json::Array => "an array",
        };
        format!("expected {expected}, got {found}")
    }
}

/// The target of one JSON value. `Decode` hands it every JSON value; objects and arrays go to
/// `object`/`array` when the shape overrides them, and are rejected by `value` otherwise.
trait Shape<'de>: Sized {
    type Value;

    fn value<E: de::Error>(self, value: Json<'de>) -> Result<Self::Value, E>;

    fn object<A: MapAccess<'de>>(self, _map: A) -> Result<Self::Value, A::Error> {
        self.value(Json::Object)
    }

    fn array<A: SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        self.value(Json::Array)
    }
}

/// Adapts a `Shape` to serde: it is both the seed and the visitor.
struct Decode<S>(S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for Decode<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: Shape<'de>> Visitor<'de> for Decode<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Value, E> {
        self.0.value(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<S::Value, E> {
        self.0.value(Json::Bool(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<S::Value, E> {
        self.0.value(Json::Unsigned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<S::Value, E> {
        self.0.value(Json::Signed(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<S::Value, E> {
        self.0.value(Json::Float(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<S::Value, E> {
        self.0.value(Json::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<S::Value, E> {
        self.0.value(Json::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        self.0.object(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Value, A::Error> {
        self.0.array(seq)
    }
}

/// Converts a non-null JSON value to a field's type, or explains why it cannot.
type Convert<T> = for<'s> fn(Json<'s>) -> Result<T, String>;

/// A scalar field. `null` decodes to `None`, which the caller reads as default or "not set".
struct ScalarShape<T>(Convert<T>);

impl<'de, T> Shape<'de> for ScalarShape<T> {
    type Value = Option<T>;

    fn value<E: de::Error>(self, value: Json<'de>) -> Result<Option<T>, E> {
        match value {
            Json::Null => Ok(None),
            value => (self.0)(value).map(Some).map_err(E::custom),
        }
    }
}

/// A message field. `null` means "not set".
struct MessageShape<'a, M>(Cx<'a>, PhantomData<M>);

impl<'de, M: Message> Shape<'de> for MessageShape<'_, M> {
    type Value = Option<M>;

    fn value<E: de::Error>(self, value: Json<'de>) -> Result<Option<M>, E> {
        match value {
            Json::Null => Ok(None),
            other => Err(E::custom(other.wrong_type("a JSON object"))),
        }
    }

    fn object<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<M>, A::Error> {
        let cx = self.0;
        let mut message = M::default();
        while let Some(Key(key)) = map.next_key().map_err(|e| cx.record(e))? {
            let path = Path::Key(cx.path, &key);
            let cx = cx.at(&path);
            let name = camel_case(&key);
            let field = Field {
                name: &name,
                map: &mut map,
                cx,
            };
            message.read(field).map_err(|e| cx.record(e))?;
        }
        Ok(Some(message))
    }
}

/// A repeated message field. `null` means empty.
struct ListShape<'a, M>(Cx<'a>, PhantomData<M>);

impl<'de, M: Message> Shape<'de> for ListShape<'_, M> {
    type Value = Vec<M>;

    fn value<E: de::Error>(self, value: Json<'de>) -> Result<Vec<M>, E> {
        match value {
            Json::Null => Ok(Vec::new()),
            other => Err(E::custom(other.wrong_type("a JSON array"))),
        }
    }

    fn array<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<M>, A::Error> {
        let mut items = Vec::new();
        loop {
            let path = Path::Index(self.0.path, items.len());
            let cx = self.0.at(&path);
            let item = seq.next_element_seed(Decode(MessageShape::<M>(cx, PhantomData)));
            match item.map_err(|e| cx.record(e))? {
                Some(Some(item)) => items.push(item),
                // proto3 JSON has no way to express a missing element.
                Some(None) => {
                    return Err(cx.record(de::Error::custom("list items must not be null")));
                }
                None => return Ok(items),
            }
        }
    }
}

/// An object key, borrowed from the body unless it contains escapes.
#[derive(serde::Deserialize)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// proto3 JSON parsers must accept the proto field names (`trace_id`) as well as the JSON
/// names (`traceId`); converting the former lets each message match on one spelling.
fn camel_case(key: &str) -> Cow<'_, str> {
    if !key.contains('_') {
        return Cow::Borrowed(key);
    }
    let mut words = key.split('_');
    let mut name = words.next().unwrap_or_default().to_owned();
    for word in words {
        let mut chars = word.chars();
        name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        name.push_str(chars.as_str());
    }
    Cow::Owned(name)
}

// ---------------------------------------------------------------------------------------------
// Messages.

/// A protobuf message decoded from a JSON object, one field at a time.
trait Message: Default {
    /// Decodes one field into `self`. Unknown fields must be skipped.
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error>;
}

/// One member of a JSON object that is being decoded into a message.
struct Field<'f, A> {
    /// The key; a snake_case proto name is already turned into its lowerCamelCase JSON name.
    name: &'f str,
    map: &'f mut A,
    cx: Cx<'f>,
}

impl<'de, A: MapAccess<'de>> Field<'_, A> {
    fn decode<S: Shape<'de>>(self, shape: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(Decode(shape))
    }

    /// A scalar field; `null` means the default value.
    fn scalar<T: Default>(self, convert: Convert<T>) -> Result<T, A::Error> {
        Ok(self.decode(ScalarShape(convert))?.unwrap_or_default())
    }

    /// A member of a oneof; `null` means "not set".
    fn oneof<T>(self, convert: Convert<T>) -> Result<Option<T>, A::Error> {
        self.decode(ScalarShape(convert))
    }

    fn message<M: Message>(self) -> Result<Option<M>, A::Error> {
        let cx = self.cx;
        self.decode(MessageShape(cx, PhantomData))
    }

    fn list<M: Message>(self) -> Result<Vec<M>, A::Error> {
        let cx = self.cx;
        self.decode(ListShape(cx, PhantomData))
    }

    fn skip(self) -> Result<(), A::Error> {
        self.map.next_value::<IgnoredAny>().map(|_| ())
    }

    /// The same field, one `arrayValue`/`kvlistValue` level deeper.
    fn nested(self) -> Result<Self, A::Error> {
        if self.cx.depth >= MAX_ANY_VALUE_DEPTH {
            return Err(de::Error::custom(format!(
                "attribute values are nested more than {MAX_ANY_VALUE_DEPTH} levels deep"
            )));
        }
        let depth = self.cx.depth + 1;
        Ok(Field {
            cx: Cx { depth, ..self.cx },
            ..self
        })
    }
}

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

impl Message for KeyValue {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "key" => self.key = field.scalar(string)?,
            "value" => self.value = field.message()?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for AnyValue {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        let value = match field.name {
            "stringValue" => field.oneof(string)?.map(Value::StringValue),
            "boolValue" => field.oneof(boolean)?.map(Value::BoolValue),
            "intValue" => field.oneof(int64)?.map(Value::IntValue),
            "doubleValue" => field.oneof(double)?.map(Value::DoubleValue),
            "bytesValue" => field.oneof(base64_bytes)?.map(Value::BytesValue),
            "arrayValue" => field.nested()?.message()?.map(Value::ArrayValue),
            "kvlistValue" => field.nested()?.message()?.map(Value::KvlistValue),
            // Includes `stringValueStrindex`, which only the profiling signal uses.
            _ => return field.skip(),
        };
        // proto3 JSON: at most one member of a oneof may be present.
        if let Some(value) = value
            && self.value.replace(value).is_some()
        {
            return Err(de::Error::custom(
                "AnyValue must have exactly one value field, found another",
            ));
        }
        Ok(())
    }
}

impl Message for ArrayValue {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "values" => self.values = field.list()?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

impl Message for KeyValueList {
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error> {
        match field.name {
            "values" => self.values = field.list()?,
            _ => field.skip()?,
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Scalar conversions (`Convert` functions). `null` never reaches them.

fn string(value: Json<'_>) -> Result<String, String> {
    match value {
        Json::Str(text) => Ok(text.into_owned()),
        other => Err(other.wrong_type("a string")),
    }
}

fn boolean(value: Json<'_>) -> Result<bool, String> {
    match value {
        Json::Bool(flag) => Ok(flag),
        other => Err(other.wrong_type("true or false")),
    }
}

/// Trace and span ids: hex, not base64, in OTLP/JSON. Lengths are checked by validation.
fn hex_bytes(value: Json<'_>) -> Result<Vec<u8>, String> {
    match value {
        Json::Str(text) => decode_hex(&text),
        other => Err(other.wrong_type("a hex string")),
    }
}

fn base64_bytes(value: Json<'_>) -> Result<Vec<u8>, String> {
    match value {
        Json::Str(text) => decode_base64(&text),
        other => Err(other.wrong_type("a base64 string")),
    }
}

fn uint32(value: Json<'_>) -> Result<u32, String> {
    integer(value, "uint32")
}

fn uint64(value: Json<'_>) -> Result<u64, String> {
    integer(value, "uint64")
}

fn int64(value: Json<'_>) -> Result<i64, String> {
    integer(value, "int64")
}

fn span_kind(value: Json<'_>) -> Result<i32, String> {
    enumeration(value, "span kind", |name| {
        SpanKind::from_str_name(name).map(|kind| kind as i32)
    })
}

fn status_code(value: Json<'_>) -> Result<i32, String> {
    enumeration(value, "status code", |name| {
        StatusCode::from_str_name(name).map(|code| code as i32)
    })
}

/// An integer from a JSON number or, as proto3 JSON allows, a decimal string. Producers send
/// 64-bit values as strings because JSON numbers lose precision above 2^53.
fn integer<T: TryFrom<i128>>(value: Json<'_>, type_name: &str) -> Result<T, String> {
    let out_of_range = |text: &dyn fmt::Display| format!("{text} is out of range for {type_name}");
    match value {
        Json::Unsigned(v) => T::try_from(i128::from(v)).map_err(|_| out_of_range(&v)),
        Json::Signed(v) => T::try_from(i128::from(v)).map_err(|_| out_of_range(&v)),
        Json::Float(v) if v.fract() != 0.0 => Err(format!("expected an integer, got {v}")),
        // An integral float: `1e3`, or a number too long for u64. `as` saturates, so values
        // beyond i128 still fail the range check.
        Json::Float(v) => T::try_from(v as i128).map_err(|_| out_of_range(&v)),
        Json::Str(text) => match text.parse::<i128>() {
            Ok(wide) => T::try_from(wide).map_err(|_| out_of_range(&format_args!("{text:?}"))),
            Err(e)
                if matches!(
                    e.kind(),
                    IntErrorKind::PosOverflow | IntErrorKind::NegOverflow
                ) =>
            {
                Err(out_of_range(&format_args!("{text:?}")))
            }
            Err(_) => Err(format!("expected an integer, got {text:?}")),
        },
        other => Err(other.wrong_type("an integer")),
    }
}

/// A double from a JSON number or a string: "NaN", "Infinity" and "-Infinity" are how proto3
/// JSON spells the values JSON numbers cannot express.
fn double(value: Json<'_>) -> Result<f64, String> {
    match value {
        Json::Unsigned(v) => Ok(v as f64),
        Json::Signed(v) => Ok(v as f64),
        Json::Float(v) => Ok(v),
        Json::Str(text) => match text.as_ref() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            // Rust would also parse "inf" and "nan", which proto3 JSON does not allow.
            other => other
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got {other:?}"
                    )
                }),
        },
        other => Err(other.wrong_type("a number")),
    }
}

/// An enum given by number (unknown numbers are kept, as proto3 enums are open) or by name.
fn enumeration(
    value: Json<'_>,
    enum_name: &str,
    from_name: fn(&str) -> Option<i32>,
) -> Result<i32, String> {
    match value {
        Json::Str(name) => from_name(&name).ok_or_else(|| format!("unknown {enum_name} {name:?}")),
        number => integer(number, "int32"),
    }
}

/// Decodes hex digits of either case, of any even length.
fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
    if let Some((position, c)) = text.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!(
            "invalid hex character {c:?} at position {position}"
        ));
    }
    if !text.len().is_multiple_of(2) {
        let digits = text.len();
        return Err(format!(
            "hex string must have an even number of digits, got {digits}"
        ));
    }
    let pairs = text.as_bytes().chunks_exact(2);
    Ok(pairs
        .map(|pair| (hex_digit(pair[0]) << 4) | hex_digit(pair[1]))
        .collect())
}

/// Value of an ASCII hex digit; `decode_hex` has already rejected anything else.
fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Producers differ on padding, so accept base64 with or without it.
const LENIENT_PADDING: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT_PADDING);
const BASE64_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT_PADDING);

fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    // The URL-safe alphabet only swaps '+' and '/' for '-' and '_'.
    let engine = if text.contains(['-', '_']) {
        &BASE64_URL_SAFE
    } else {
        &BASE64_STANDARD
    };
    engine
        .decode(text)
        .map_err(|e| format!("invalid base64: {e}"))
}

#[cfg(test)]
#[path = "otlp_json_tests.rs"]
mod tests;
