use serde::{Deserialize, Serialize};

/// An attribute value with its OpenTelemetry type kept: `"200"` and `200` are
/// different things to the person debugging, so they stay different here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum AttributeValue {
    /// An AnyValue with no value set.
    Empty,
    String(String),
    Bool(bool),
    Int(i64),
    Double(f64),
    Bytes(Vec<u8>),
    Array(Vec<AttributeValue>),
    KvList(Vec<Attribute>),
}

/// One key and its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub key: String,
    pub value: AttributeValue,
}

impl Attribute {
    pub fn new(key: impl Into<String>, value: AttributeValue) -> Attribute {
        Attribute {
            key: key.into(),
            value,
        }
    }
}

/// Finds a string attribute by key, e.g. `service.name` on a resource.
pub fn find_str<'a>(attributes: &'a [Attribute], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| match &a.value {
            AttributeValue::String(s) => Some(s.as_str()),
            _ => None,
        })
}
