//! Attribute keys and values: `KeyValue` and the `AnyValue` oneof, whose `arrayValue` and
//! `kvlistValue` members nest further values (up to `MAX_ANY_VALUE_DEPTH` levels).

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue, KeyValue, KeyValueList};
use serde::de::{self, MapAccess};

use super::message::{Field, Message};
use super::scalars::{base64_bytes, boolean, double, int64, string};

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
