//! Scalar conversions (`Convert` functions): one JSON value to one field value, or a message
//! saying why not. `null` never reaches them; the caller has already read it as "not set".

use std::fmt;
use std::num::IntErrorKind;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;

use super::shape::Json;

pub(super) fn string(value: Json<'_>) -> Result<String, String> {
    match value {
        Json::Str(text) => Ok(text.into_owned()),
        other => Err(other.wrong_type("a string")),
    }
}

pub(super) fn boolean(value: Json<'_>) -> Result<bool, String> {
    match value {
        Json::Bool(flag) => Ok(flag),
        other => Err(other.wrong_type("true or false")),
    }
}

/// Trace and span ids: hex, not base64, in OTLP/JSON. Lengths are checked by validation.
pub(super) fn hex_bytes(value: Json<'_>) -> Result<Vec<u8>, String> {
    match value {
        Json::Str(text) => decode_hex(&text),
        other => Err(other.wrong_type("a hex string")),
    }
}

pub(super) fn base64_bytes(value: Json<'_>) -> Result<Vec<u8>, String> {
    match value {
        Json::Str(text) => decode_base64(&text),
        other => Err(other.wrong_type("a base64 string")),
    }
}

pub(super) fn uint32(value: Json<'_>) -> Result<u32, String> {
    integer(value, "uint32")
}

pub(super) fn uint64(value: Json<'_>) -> Result<u64, String> {
    integer(value, "uint64")
}

pub(super) fn int64(value: Json<'_>) -> Result<i64, String> {
    integer(value, "int64")
}

pub(super) fn span_kind(value: Json<'_>) -> Result<i32, String> {
    enumeration(value, "span kind", |name| {
        SpanKind::from_str_name(name).map(|kind| kind as i32)
    })
}

pub(super) fn status_code(value: Json<'_>) -> Result<i32, String> {
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
pub(super) fn double(value: Json<'_>) -> Result<f64, String> {
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
pub(super) fn decode_hex(text: &str) -> Result<Vec<u8>, String> {
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
