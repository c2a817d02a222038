//! A valid JSON value built from a schema, for a request body the document
//! gives no example of: its required properties (all of them when none is
//! required), each of its type, within its `enum`, `const`, `format`,
//! length and range bounds, to a bounded depth.
//!
//! Hand-written: the schema-faker crates generate random values (a probe
//! must send the same body on every run) and follow remote `$ref`s; the
//! document's local ones are already inlined (`openapi::inline`).

use serde_json::{Map, Value};

use super::openapi::schema_type;

/// Deepest nesting built: below it an object is `{}` and an array `[]`.
const MAX_DEPTH: usize = 6;
/// Most properties given to one object.
const MAX_PROPERTIES: usize = 20;
/// The text of a string with no format.
const TEXT: &str = "wirefault";

/// A value `schema` accepts, as far as the auditor can tell.
pub(crate) fn valid_value(schema: &Value) -> Value {
    build(schema, 0)
}

fn build(schema: &Value, depth: usize) -> Value {
    if let Some(given) = given(schema) {
        return given;
    }
    // `allOf`: every part at once; `oneOf`/`anyOf`: the first that is not `null`.
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        let mut other = None;
        for part in parts {
            match build(part, depth) {
                Value::Object(fields) => merged.extend(fields),
                value => other = other.or(Some(value)),
            }
        }
        return match other {
            Some(value) if merged.is_empty() => value,
            _ => object(schema, depth, merged),
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|list| list.iter().find(|s| s.get("type") != Some(&"null".into())))
        {
            return build(first, depth);
        }
    }
    match schema_type(schema) {
        Some("object") => object(schema, depth, Map::new()),
        Some("array") => array(schema, depth),
        Some("integer") => Value::from(number(schema, 1.0).ceil() as i64),
        Some("number") => Value::from(number(schema, 1.5)),
        Some("boolean") => Value::Bool(true),
        Some("null") => Value::Null,
        _ => Value::String(string(schema)),
    }
}

/// A value the schema names itself: `const`, `example`, `examples[0]`, the
/// first `enum` value, `default`.
fn given(schema: &Value) -> Option<Value> {
    schema
        .get("const")
        .or_else(|| schema.get("example"))
        .or_else(|| schema.get("examples").and_then(|e| e.as_array()?.first()))
        .or_else(|| schema.get("enum").and_then(|e| e.as_array()?.first()))
        .or_else(|| schema.get("default"))
        .cloned()
}

/// `base`'s fields plus the schema's required properties (all of them
/// when it requires none), at most [`MAX_PROPERTIES`].
fn object(schema: &Value, depth: usize, mut fields: Map<String, Value>) -> Value {
    if depth >= MAX_DEPTH {
        return Value::Object(fields);
    }
    let properties = schema.get("properties").and_then(Value::as_object);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let names: Vec<&str> = if required.is_empty() {
        properties
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    } else {
        required
    };
    let empty = Value::Object(Map::new());
    for name in names.into_iter().take(MAX_PROPERTIES) {
        let property = properties.and_then(|p| p.get(name)).unwrap_or(&empty);
        fields.insert(name.to_owned(), build(property, depth + 1));
    }
    Value::Object(fields)
}

/// As many items as `minItems` asks (at least one, at most three).
fn array(schema: &Value, depth: usize) -> Value {
    if depth >= MAX_DEPTH {
        return Value::Array(Vec::new());
    }
    let count = schema
        .get("minItems")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .clamp(1, 3);
    let empty = Value::Object(Map::new());
    let items = schema.get("items").unwrap_or(&empty);
    let item = build(items, depth + 1);
    // `uniqueItems`: one item is unique.
    let count = if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
        1
    } else {
        count
    };
    Value::Array(vec![item; count as usize])
}

/// `preferred`, moved inside `minimum`/`maximum` (exclusive ones too) and
/// onto a `multipleOf`.
fn number(schema: &Value, preferred: f64) -> f64 {
    let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
    // 3.0 writes `exclusiveMinimum: true` beside `minimum`; 3.1 a number.
    let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    let mut value = preferred;
    if let Some(min) = bound("minimum") {
        value = value.max(if exclusive("exclusiveMinimum") {
            min + 1.0
        } else {
            min
        });
    }
    if let Some(min) = bound("exclusiveMinimum") {
        value = value.max(min + 1.0);
    }
    if let Some(step) = bound("multipleOf").filter(|s| *s > 0.0) {
        value = (value / step).ceil() * step;
    }
    if let Some(max) = bound("maximum") {
        value = value.min(if exclusive("exclusiveMaximum") {
            max - 1.0
        } else {
            max
        });
    }
    if let Some(max) = bound("exclusiveMaximum") {
        value = value.min(max - 1.0);
    }
    value
}

/// Text of the schema's `format`, cut or padded to its length bounds.
fn string(schema: &Value) -> String {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let text = match format {
        "date" => "2024-01-01",
        "date-time" => "2024-01-01T00:00:00Z",
        "time" => "00:00:00Z",
        "email" | "idn-email" => "wirefault@example.com",
        "uuid" => "00000000-0000-4000-8000-000000000000",
        "uri" | "url" | "iri" => "https://example.com/",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        // Base64 of "wirefault".
        "byte" => "d2lyZWZhdWx0",
        _ => TEXT,
    };
    let mut text = text.to_owned();
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
    let max = schema.get("maxLength").and_then(Value::as_u64);
    // Padding or cutting a format's value breaks it; only plain text is.
    if format.is_empty() || format == "password" {
        while (text.chars().count() as u64) < min.min(1024) {
            text.push('x');
        }
        if let Some(max) = max {
            text = text.chars().take(max as usize).collect();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_properties_of_their_type() {
        let schema = json!({
            "type": "object",
            "required": ["name", "price", "tags", "kind", "owner"],
            "properties": {
                "name": {"type": "string"},
                "price": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "count": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string", "format": "email"}},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "owner": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
            }
        });
        assert_eq!(
            valid_value(&schema),
            json!({
                "name": "wirefault",
                "price": 1.0,
                "tags": ["wirefault@example.com"],
                "kind": "a",
                "owner": {"id": "00000000-0000-4000-8000-000000000000"}
            })
        );
    }

    #[test]
    fn bounds_and_formats_are_kept() {
        let text = json!({"type": "string", "minLength": 12, "maxLength": 14});
        assert_eq!(valid_value(&text), json!("wirefaultxxx"));
        assert_eq!(
            valid_value(&json!({"type": "string", "maxLength": 3})),
            json!("wir")
        );
        let int = json!({"type": "integer", "minimum": 10, "multipleOf": 4});
        assert_eq!(valid_value(&int), json!(12));
        let old = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 5});
        assert_eq!(valid_value(&old), json!(1));
        assert_eq!(
            valid_value(&json!({"type": ["string", "null"], "format": "date"})),
            json!("2024-01-01")
        );
        assert_eq!(valid_value(&json!({"const": 7})), json!(7));
        let set = json!({"type": "array", "minItems": 3, "uniqueItems": true, "items": {"type": "integer"}});
        assert_eq!(valid_value(&set), json!([1]));
    }

    #[test]
    fn compositions_and_no_required() {
        let all = json!({"allOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "boolean"}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}
        ]});
        assert_eq!(valid_value(&all), json!({"a": true, "b": 1}));
        let one = json!({"anyOf": [{"type": "null"}, {"type": "integer"}]});
        assert_eq!(valid_value(&one), json!(1));
        // Nothing required: every property is given, so each can be varied.
        let open = json!({"properties": {"x": {"type": "string"}, "y": {}}});
        assert_eq!(
            valid_value(&open),
            json!({"x": "wirefault", "y": "wirefault"})
        );
    }

    #[test]
    fn recursion_stops_at_the_depth_bound() {
        // A tree whose children are trees, inlined deeper than the bound.
        let mut tree =
            json!({"type": "object", "required": ["c"], "properties": {"c": {"type": "integer"}}});
        for _ in 0..20 {
            tree = json!({"type": "object", "required": ["c"], "properties": {"c": tree}});
        }
        let mut value = &valid_value(&tree);
        let mut depth = 0;
        while let Some(inner) = value.get("c") {
            value = inner;
            depth += 1;
        }
        assert_eq!(depth, MAX_DEPTH);
        assert_eq!(value, &json!({}));
    }
}
