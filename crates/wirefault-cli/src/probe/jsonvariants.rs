//! Invalid JSON values built from a valid one, one thing wrong in each:
//! `null`, `{}`, a field with a value of the wrong type, a field removed,
//! an unknown field. The one list of variants, with their names, that the
//! HTTP body probes ([`super::body`]) and the WebSocket message probes
//! ([`super::wsvariants`]) send, each in its own framing and with its own
//! judgement of which ones matter.

use serde_json::Value;

/// The name of the unknown field added.
pub(crate) const UNKNOWN_FIELD: &str = "wirefault_unknown_field";

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object's member.
    Field(String),
    /// An array's item.
    Item(usize),
}

/// What is wrong in a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Change {
    /// The whole value is `null`.
    Null,
    /// The whole value is `{}`.
    EmptyObject,
    /// The field at this path holds a value of another type.
    WrongType(Vec<Step>),
    /// The field at this path is removed.
    Removed(Vec<Step>),
    /// A field [`UNKNOWN_FIELD`] is added.
    UnknownField,
}

/// One variant: what is wrong, its name, and the value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonVariant {
    /// What is wrong in it.
    pub(crate) change: Change,
    /// Its name in reports, e.g. "the field `symbol` removed".
    pub(crate) description: String,
    /// The invalid value.
    pub(crate) value: Value,
}

/// The variants of `valid` that vary the fields at `fields` (paths into
/// it), in this order: `null`; for an object, `{}`; each field with a value
/// of the wrong type; each field removed (object members only); for an
/// object, an unknown field added. A variant equal to `valid` is left out.
pub(crate) fn variants(valid: &Value, fields: &[Vec<Step>]) -> Vec<JsonVariant> {
    let mut out = vec![JsonVariant {
        change: Change::Null,
        description: "null".into(),
        value: Value::Null,
    }];
    if valid.is_object() {
        out.push(JsonVariant {
            change: Change::EmptyObject,
            description: "an empty object".into(),
            value: Value::Object(serde_json::Map::new()),
        });
    }
    for path in fields {
        let mut copy = valid.clone();
        let Some(slot) = at_mut(&mut copy, path) else {
            continue;
        };
        let wrong = wrong_type(slot);
        let description = format!("the field `{}` as {}", path_name(path), kind(&wrong));
        *slot = wrong;
        out.push(JsonVariant {
            change: Change::WrongType(path.clone()),
            description,
            value: copy,
        });
    }
    for path in fields {
        let mut copy = valid.clone();
        let Some((Step::Field(key), parent)) = path.split_last() else {
            continue;
        };
        let Some(Value::Object(map)) = at_mut(&mut copy, parent) else {
            continue;
        };
        if map.remove(key).is_none() {
            continue;
        }
        out.push(JsonVariant {
            change: Change::Removed(path.clone()),
            description: format!("the field `{}` removed", path_name(path)),
            value: copy,
        });
    }
    if let Value::Object(map) = valid {
        let mut copy = map.clone();
        copy.insert(UNKNOWN_FIELD.into(), Value::String("wirefault".into()));
        out.push(JsonVariant {
            change: Change::UnknownField,
            description: format!("an unknown field `{UNKNOWN_FIELD}`"),
            value: Value::Object(copy),
        });
    }
    out.retain(|v| v.value != *valid);
    out
}

/// A path as `a.b[0].c`.
pub(crate) fn path_name(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(name) if out.is_empty() => out.push_str(name),
            Step::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Item(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The value at `path`, if it is there.
pub(crate) fn at_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut here = value;
    for step in path {
        here = match step {
            Step::Field(name) => here.get_mut(name.as_str())?,
            Step::Item(i) => here.get_mut(*i)?,
        };
    }
    Some(here)
}

/// A value of another JSON type: a number for text, text for anything else.
fn wrong_type(value: &Value) -> Value {
    match value {
        Value::String(_) => Value::from(12345),
        _ => Value::String("wirefault-wrong-type".into()),
    }
}

/// A value's JSON type, as said in a sentence.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(name: &str) -> Vec<Step> {
        vec![Step::Field(name.into())]
    }

    #[test]
    fn one_thing_wrong_in_each_in_order() {
        let valid = json!({"a": "x", "n": {"b": 2}});
        let nested = vec![Step::Field("n".into()), Step::Field("b".into())];
        let got: Vec<(String, String)> = variants(&valid, &[field("a"), nested])
            .into_iter()
            .map(|v| (v.description, v.value.to_string()))
            .collect();
        let want = [
            ("null", "null"),
            ("an empty object", "{}"),
            ("the field `a` as a number", r#"{"a":12345,"n":{"b":2}}"#),
            (
                "the field `n.b` as text",
                r#"{"a":"x","n":{"b":"wirefault-wrong-type"}}"#,
            ),
            ("the field `a` removed", r#"{"n":{"b":2}}"#),
            ("the field `n.b` removed", r#"{"a":"x","n":{}}"#),
            (
                "an unknown field `wirefault_unknown_field`",
                r#"{"a":"x","n":{"b":2},"wirefault_unknown_field":"wirefault"}"#,
            ),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(d, v)| ((*d).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn not_an_object() {
        let got = variants(&json!([1, 2]), &[vec![Step::Item(0)]]);
        let values: Vec<String> = got.iter().map(|v| v.value.to_string()).collect();
        // An array item gets the wrong type, but is not removed.
        assert_eq!(values, ["null", r#"["wirefault-wrong-type",2]"#]);
        assert_eq!(variants(&Value::Null, &[]).len(), 0);
        assert_eq!(
            path_name(&[Step::Item(1), Step::Field("x".into())]),
            "[1].x"
        );
    }
}
