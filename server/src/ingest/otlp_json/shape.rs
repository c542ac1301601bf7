//! Shapes: what one JSON value decodes into. serde_json reports each value to a visitor;
//! `Decode` turns those calls into a `Json` value (or an object/array to read) for a `Shape`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// One JSON value as serde_json reports it. Strings are borrowed from the body unless they
/// contain escapes. Objects and arrays are only named here, for error messages: a shape that
/// accepts them reads their contents in `Shape::object`/`Shape::array`.
pub(super) enum Json<'de> {
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
    pub(super) fn wrong_type(&self, expected: &str) -> String {
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
pub(super) trait Shape<'de>: Sized {
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
pub(super) struct Decode<S>(pub(super) S);

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
pub(super) type Convert<T> = for<'s> fn(Json<'s>) -> Result<T, String>;

/// A scalar field. `null` decodes to `None`, which the caller reads as default or "not set".
pub(super) struct ScalarShape<T>(pub(super) Convert<T>);

impl<'de, T> Shape<'de> for ScalarShape<T> {
    type Value = Option<T>;

    fn value<E: de::Error>(self, value: Json<'de>) -> Result<Option<T>, E> {
        match value {
            Json::Null => Ok(None),
            value => (self.0)(value).map(Some).map_err(E::custom),
        }
    }
}
