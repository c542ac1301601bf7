//! Decoding a JSON object into a protobuf message. The generic part lives here: walking the
//! object, tracking the path of each member, and accepting both spellings of field names.
//! Each message type only says, in its `Message::read`, how to decode each of its fields.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess};

use super::MAX_ANY_VALUE_DEPTH;
use super::context::{Cx, Path};
use super::shape::{Convert, Decode, Json, ScalarShape, Shape};

/// A protobuf message decoded from a JSON object, one field at a time.
pub(super) trait Message: Default {
    /// Decodes one field into `self`. Unknown fields must be skipped.
    fn read<'de, A: MapAccess<'de>>(&mut self, field: Field<'_, A>) -> Result<(), A::Error>;
}

/// A message field. `null` means "not set".
pub(super) struct MessageShape<'a, M>(Cx<'a>, PhantomData<M>);

impl<'a, M> MessageShape<'a, M> {
    pub(super) fn new(cx: Cx<'a>) -> Self {
        MessageShape(cx, PhantomData)
    }
}

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
            let item = seq.next_element_seed(Decode(MessageShape::<M>::new(cx)));
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

/// One member of a JSON object that is being decoded into a message.
pub(super) struct Field<'f, A> {
    /// The key; a snake_case proto name is already turned into its lowerCamelCase JSON name.
    pub(super) name: &'f str,
    map: &'f mut A,
    cx: Cx<'f>,
}

impl<'de, A: MapAccess<'de>> Field<'_, A> {
    fn decode<S: Shape<'de>>(self, shape: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(Decode(shape))
    }

    /// A scalar field; `null` means the default value.
    pub(super) fn scalar<T: Default>(self, convert: Convert<T>) -> Result<T, A::Error> {
        Ok(self.decode(ScalarShape(convert))?.unwrap_or_default())
    }

    /// A member of a oneof; `null` means "not set".
    pub(super) fn oneof<T>(self, convert: Convert<T>) -> Result<Option<T>, A::Error> {
        self.decode(ScalarShape(convert))
    }

    pub(super) fn message<M: Message>(self) -> Result<Option<M>, A::Error> {
        let cx = self.cx;
        self.decode(MessageShape::new(cx))
    }

    pub(super) fn list<M: Message>(self) -> Result<Vec<M>, A::Error> {
        let cx = self.cx;
        self.decode(ListShape(cx, PhantomData))
    }

    pub(super) fn skip(self) -> Result<(), A::Error> {
        self.map.next_value::<IgnoredAny>().map(|_| ())
    }

    /// The same field, one `arrayValue`/`kvlistValue` level deeper.
    pub(super) fn nested(self) -> Result<Self, A::Error> {
        if self.cx.depth >= MAX_ANY_VALUE_DEPTH {
            return Err(de::Error::custom(format!(
                "attribute values are nested more than {MAX_ANY_VALUE_DEPTH} levels deep"
            )));
        }
        Ok(Field {
            cx: self.cx.nested(),
            ..self
        })
    }
}
