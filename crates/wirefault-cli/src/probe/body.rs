//! Invalid JSON bodies built from a valid one (`--body`, the document's
//! request example, or a body built from its schema): `null`, `{}`, a field
//! of the wrong type, a required field removed, an unknown field (the list
//! of [`super::jsonvariants`], on the body's top-level fields). The valid
//! body itself is never sent.
//!
//! [`variants`] is the whole API: a valid JSON value (and its schema, when
//! known) in, the bodies to send out, each saying whether a 2xx for it is
//! wrong.
//!
//! A variant is "invalid" (a 2xx for it is WF-HTTP-005) only when the schema
//! says so: without a schema the auditor cannot tell a lenient service from
//! a wrong one, and only a 5xx is judged.

use serde_json::Value;

use super::http::BadBody;
use super::jsonvariants::{self, Change, Step};
use super::openapi::schema_type;

/// Most variants built from one valid body.
pub(crate) const MAX_VARIANTS: usize = 10;

/// The variants of `valid` (its top-level fields varied), judged against
/// `schema` when there is one.
pub(crate) fn variants(valid: &Value, schema: Option<&Value>) -> Vec<BadBody> {
    let required: Vec<&str> = schema
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let properties = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    let fields: Vec<Vec<Step>> = valid
        .as_object()
        .map(|m| m.keys().map(|k| vec![Step::Field(k.clone())]).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for variant in jsonvariants::variants(valid, &fields) {
        let invalid = match &variant.change {
            Change::Null => schema.is_some_and(|s| {
                schema_type(s).is_some()
                    && !type_allows(s, "null")
                    && s.get("nullable") != Some(&Value::Bool(true))
            }),
            // What a form sends when nothing was filled in.
            Change::EmptyObject => !required.is_empty(),
            Change::WrongType(path) => {
                let name = top_level(path);
                let field_schema = properties.and_then(|p| p.get(name));
                let wrong = variant.value.get(name).unwrap_or(&Value::Null);
                field_schema.is_some_and(|s| schema_type(s).is_some() && !matches_type(s, wrong))
            }
            Change::Removed(path) => {
                let is_required = required.contains(&top_level(path));
                // Without a schema every field is tried: only a 5xx is judged.
                if schema.is_some() && !is_required {
                    continue;
                }
                is_required
            }
            Change::UnknownField => {
                schema.is_some_and(|s| s.get("additionalProperties") == Some(&Value::Bool(false)))
            }
        };
        out.push(BadBody {
            what: variant.description,
            text: variant.value.to_string(),
            invalid,
        });
    }
    // One field, required: its "removed" variant is `{}` again.
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|b| seen.insert(b.text.clone()));
    out.truncate(MAX_VARIANTS);
    out
}

/// The name of a top-level field's path.
fn top_level(path: &[Step]) -> &str {
    match path {
        [Step::Field(name)] => name,
        _ => "",
    }
}

fn type_allows(schema: &Value, ty: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == ty,
        Some(Value::Array(list)) => list.iter().any(|t| t.as_str() == Some(ty)),
        _ => true,
    }
}

/// `true` when the schema's type admits the value (any type listed in 3.1).
fn matches_type(schema: &Value, value: &Value) -> bool {
    let fits = |ty: &str| match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    };
    match schema.get("type") {
        Some(Value::String(t)) => fits(t),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(fits),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(v: &[BadBody]) -> Vec<(String, bool)> {
        v.iter().map(|b| (b.text.clone(), b.invalid)).collect()
    }

    #[test]
    fn variants_with_a_schema() {
        let schema = json!({
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "price": {"type": ["number", "null"]}},
            "additionalProperties": false
        });
        let got = summary(&variants(
            &json!({"name": "a", "price": 1.5}),
            Some(&schema),
        ));
        assert_eq!(
            got,
            [
                ("null".to_owned(), true),
                ("{}".to_owned(), true),
                (r#"{"name":12345,"price":1.5}"#.to_owned(), true),
                (
                    r#"{"name":"a","price":"wirefault-wrong-type"}"#.to_owned(),
                    true
                ),
                (r#"{"price":1.5}"#.to_owned(), true),
                (
                    r#"{"name":"a","price":1.5,"wirefault_unknown_field":"wirefault"}"#.to_owned(),
                    true
                ),
            ]
        );
    }

    #[test]
    fn without_a_schema_only_5xx_is_judged() {
        let got = variants(&json!({"name": "a"}), None);
        // null, {}, the wrong type, the unknown field ("missing" is `{}`).
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|b| !b.invalid));
        assert_eq!(got[1].text, "{}");
        assert_eq!(variants(&json!([1]), None).len(), 1);
    }
}
