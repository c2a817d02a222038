//! Well-formed request messages built from a method's input descriptor:
//! the empty message, then each singular field at an edge (empty string,
//! zero, -1, a very long string, an empty nested message). Messages that
//! encode to the same bytes (a proto3 zero is not sent at all) are sent
//! once.

use prost::Message as _;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor, Value};

/// Characters of the very long string.
pub(crate) const LONG_STRING: usize = 16 * 1024;

/// One message to send, with how the report shows it.
#[derive(Debug, Clone)]
pub(crate) struct Edge {
    /// The serialized message.
    pub(crate) bytes: Vec<u8>,
    /// e.g. `{}` or `{name: "" }`.
    pub(crate) shown: String,
}

/// The edge values of one field's kind, with how each is shown.
fn values(field: &FieldDescriptor) -> Vec<(Value, String)> {
    let long = || "x".repeat(LONG_STRING);
    match field.kind() {
        Kind::String => vec![
            (Value::String(String::new()), "\"\"".into()),
            (Value::String(long()), format!("\"x\" * {LONG_STRING}")),
        ],
        Kind::Bytes => vec![
            (Value::Bytes(Default::default()), "b\"\"".into()),
            (
                Value::Bytes(long().into_bytes().into()),
                format!("b\"x\" * {LONG_STRING}"),
            ),
        ],
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            vec![(Value::I32(0), "0".into()), (Value::I32(-1), "-1".into())]
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            vec![(Value::I64(0), "0".into()), (Value::I64(-1), "-1".into())]
        }
        Kind::Uint32 | Kind::Fixed32 => vec![(Value::U32(0), "0".into())],
        Kind::Uint64 | Kind::Fixed64 => vec![(Value::U64(0), "0".into())],
        Kind::Float => vec![
            (Value::F32(0.0), "0".into()),
            (Value::F32(-1.0), "-1".into()),
        ],
        Kind::Double => vec![
            (Value::F64(0.0), "0".into()),
            (Value::F64(-1.0), "-1".into()),
        ],
        Kind::Bool => vec![(Value::Bool(false), "false".into())],
        Kind::Enum(_) => vec![(Value::EnumNumber(0), "0".into())],
        Kind::Message(nested) => vec![(Value::Message(DynamicMessage::new(nested)), "{}".into())],
    }
}

/// The empty message first, then one message per field and edge value, at
/// most `max`, without repeats.
pub(crate) fn edges(input: &MessageDescriptor, max: usize) -> Vec<Edge> {
    let mut out = vec![Edge {
        bytes: Vec::new(),
        shown: "{}".into(),
    }];
    for field in input.fields().filter(|f| !f.is_list() && !f.is_map()) {
        for (value, shown) in values(&field) {
            if out.len() >= max {
                return out;
            }
            let mut message = DynamicMessage::new(input.clone());
            message.set_field(&field, value);
            let bytes = message.encode_to_vec();
            if !out.iter().any(|e| e.bytes == bytes) {
                out.push(Edge {
                    bytes,
                    shown: format!("{{{}: {shown}}}", field.name()),
                });
            }
        }
    }
    out
}
