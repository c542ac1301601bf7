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

impl AttributeValue {
    /// The value as one line of text, the way Jaeger shows it: bytes in
    /// base64, arrays and maps as JSON. Tag search compares against this.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        self.write_text(&mut text, false);
        text
    }

    fn write_text(&self, out: &mut String, nested: bool) {
        match self {
            AttributeValue::Empty if nested => out.push_str("null"),
            AttributeValue::Empty => {}
            AttributeValue::String(s) if nested => write_json_string(out, s),
            AttributeValue::String(s) => out.push_str(s),
            AttributeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            AttributeValue::Int(i) => out.push_str(&i.to_string()),
            AttributeValue::Double(d) => out.push_str(&d.to_string()),
            AttributeValue::Bytes(b) if nested => write_json_string(out, &base64(b)),
            AttributeValue::Bytes(b) => out.push_str(&base64(b)),
            AttributeValue::Array(values) => {
                out.push('[');
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    value.write_text(out, true);
                }
                out.push(']');
            }
            AttributeValue::KvList(entries) => {
                out.push('{');
                for (index, entry) in entries.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_json_string(out, &entry.key);
                    out.push(':');
                    entry.value.write_text(out, true);
                }
                out.push('}');
            }
        }
    }
}

fn write_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Standard base64 with padding, as Jaeger writes binary tag values.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for position in 0..4 {
            if position <= chunk.len() {
                text.push(ALPHABET[((n >> (18 - 6 * position)) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_text_like_jaeger_shows_them() {
        assert_eq!(AttributeValue::String("a\"b".into()).to_text(), "a\"b");
        assert_eq!(AttributeValue::Int(-3).to_text(), "-3");
        assert_eq!(AttributeValue::Double(0.25).to_text(), "0.25");
        assert_eq!(AttributeValue::Bool(true).to_text(), "true");
        assert_eq!(AttributeValue::Bytes(b"hi!".to_vec()).to_text(), "aGkh");
        let nested = AttributeValue::Array(vec![
            AttributeValue::String("x\"".into()),
            AttributeValue::Int(1),
            AttributeValue::KvList(vec![Attribute::new("k", AttributeValue::Empty)]),
        ]);
        assert_eq!(nested.to_text(), r#"["x\"",1,{"k":null}]"#);
    }

    #[test]
    fn base64_pads_like_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }
}
