//! What an answer's body is, read from its media type and text alone: the
//! vocabulary the error-style model and the checks share.

use serde_json::Value;

use crate::finding::HttpAnswer;

/// Fields that make a JSON error body readable by a program.
pub(crate) const DESCRIPTIVE_FIELDS: &[&str] = &[
    "type", "status", "code", "error", "errors", "detail", "message", "title",
];

/// The shape of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shape {
    /// No bytes (or only whitespace).
    Empty,
    /// Text that is neither HTML nor JSON.
    Text,
    /// An HTML (or XHTML) page: meant for people.
    Page,
    /// Labelled JSON that does not parse.
    BrokenJson,
    /// JSON that is not an object, or an object with none of the
    /// [`DESCRIPTIVE_FIELDS`].
    JsonWithoutField,
    /// A JSON object with a descriptive field (`{"detail": ...}`).
    Json,
    /// Problem details (RFC 9457), JSON or XML.
    Problem,
}

impl Shape {
    /// `true` when a program can read what went wrong from it.
    pub(crate) fn is_readable(self) -> bool {
        matches!(self, Shape::Json | Shape::Problem)
    }

    /// A few words for reports.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Shape::Empty => "an empty body",
            Shape::Text => "a text body",
            Shape::Page => "an HTML page",
            Shape::BrokenJson => "labelled JSON that does not parse",
            Shape::JsonWithoutField => "JSON without a descriptive field",
            Shape::Json => "a JSON error object",
            Shape::Problem => "problem details",
        }
    }
}

/// The media type's essence, lowercase (`application/json`).
pub(crate) fn media(answer: &HttpAnswer) -> String {
    answer
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `true` for `application/json` and `*+json`.
pub(crate) fn is_json_media(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

/// Reads the shape of an answer's body.
pub(crate) fn of(answer: &HttpAnswer) -> Shape {
    let essence = media(answer);
    if answer.body.trim().is_empty() {
        return Shape::Empty;
    }
    if essence == "application/problem+xml" {
        return Shape::Problem;
    }
    if essence.starts_with("text/html") || essence.starts_with("application/xhtml") {
        return Shape::Page;
    }
    if !is_json_media(&essence) {
        return Shape::Text;
    }
    let object = match serde_json::from_str::<Value>(&answer.body) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Shape::JsonWithoutField,
        Err(_) => return Shape::BrokenJson,
    };
    if !DESCRIPTIVE_FIELDS.iter().any(|k| object.contains_key(*k)) {
        Shape::JsonWithoutField
    } else if essence == wirefault::spec::PROBLEM_JSON {
        Shape::Problem
    } else {
        Shape::Json
    }
}

/// `true` when a body says, in words a program or a person reads, that
/// the request failed: `{"error": ...}`, `{"errors": [...]}`,
/// `{"success": false}` / `{"ok": false}`, or a "not found" message. The
/// evidence that a 2xx lied about its outcome.
pub(crate) fn says_it_failed(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    let not_found = lower.contains("not found") || lower.contains("does not exist");
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(object)) => {
            let flag_false = ["success", "ok"]
                .iter()
                .any(|k| object.get(*k) == Some(&Value::Bool(false)));
            let error = match object.get("error") {
                None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                Some(Value::String(s)) => !s.is_empty(),
                Some(_) => true,
            };
            let errors = object
                .get("errors")
                .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()) || e.is_object());
            let message = ["message", "detail", "msg", "status"].iter().any(|k| {
                object.get(*k).and_then(Value::as_str).is_some_and(|s| {
                    let s = s.to_ascii_lowercase();
                    s.contains("not found") || s.contains("does not exist")
                })
            });
            flag_false || error || errors || message
        }
        Ok(_) => false,
        // Text: a short message that says so.
        Err(_) => not_found && body.len() < 2000,
    }
}

/// Whether `body` is a JSON list: an array, or a page of one (an object
/// holding an empty array beside scalars only, `{"items":[],"total":0}`).
pub(crate) fn is_json_list(body: &str) -> bool {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(_)) => true,
        Ok(Value::Object(members)) => {
            members
                .values()
                .any(|v| v.as_array().is_some_and(Vec::is_empty))
                && members.values().all(|v| match v {
                    Value::Array(items) => items.is_empty(),
                    Value::Object(_) => false,
                    _ => true,
                })
        }
        _ => false,
    }
}

/// `true` when `miss` looks like `found` emptied out, the way a lookup
/// that finds nothing answers: `null`, `{}`, an empty body, or the same
/// keys with every value null or empty, where `found` held values.
pub(crate) fn is_emptied(found: &str, miss: &str) -> bool {
    let Ok(Value::Object(found)) = serde_json::from_str::<Value>(found) else {
        return false;
    };
    if found.values().all(is_blank) {
        return false;
    }
    if miss.trim().is_empty() {
        return true;
    }
    match serde_json::from_str::<Value>(miss) {
        Ok(Value::Null) => true,
        Ok(Value::Object(miss)) => {
            miss.is_empty()
                || (miss.keys().all(|k| found.contains_key(k)) && miss.values().all(is_blank))
        }
        _ => false,
    }
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn answer(content_type: &str, body: &str) -> HttpAnswer {
        HttpAnswer {
            status: 404,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    #[test]
    fn shapes() {
        assert_eq!(of(&answer("", " ")), Shape::Empty);
        assert_eq!(of(&answer("text/plain", "Not Found")), Shape::Text);
        assert_eq!(of(&answer("text/html", "<h1>x</h1>")), Shape::Page);
        assert_eq!(of(&answer("application/json", "{")), Shape::BrokenJson);
        assert_eq!(
            of(&answer("application/json", "[]")),
            Shape::JsonWithoutField
        );
        assert_eq!(
            of(&answer("application/json", r#"{"ok":false}"#)),
            Shape::JsonWithoutField
        );
        assert_eq!(
            of(&answer(
                "application/json; charset=utf-8",
                r#"{"detail":"x"}"#
            )),
            Shape::Json
        );
        assert_eq!(
            of(&answer("application/problem+json", r#"{"title":"x"}"#)),
            Shape::Problem
        );
        assert_eq!(
            of(&answer("application/problem+xml", "<p/>")),
            Shape::Problem
        );
    }

    #[test]
    fn failure_words() {
        assert!(says_it_failed(r#"{"error":"no such item"}"#));
        assert!(says_it_failed(r#"{"success":false,"data":null}"#));
        assert!(says_it_failed(r#"{"message":"Item not found"}"#));
        assert!(says_it_failed("User 7 not found"));
        assert!(!says_it_failed(r#"{"error":null,"result":3}"#));
        assert!(!says_it_failed(r#"{"sum":5}"#));
        assert!(!says_it_failed("<html>home</html>"));
    }

    #[test]
    fn emptied_answers() {
        let found = r#"{"id":1,"name":"a","tags":["x"]}"#;
        assert!(is_emptied(found, "null"));
        assert!(is_emptied(found, "{}"));
        assert!(is_emptied(found, ""));
        assert!(is_emptied(found, r#"{"id":null,"name":"","tags":[]}"#));
        assert!(!is_emptied(found, r#"{"id":2,"name":"b","tags":[]}"#));
        assert!(!is_emptied(r#"{"sum":null}"#, "{}"));
        assert!(!is_emptied("[1]", "{}"));
    }

    #[test]
    fn lists() {
        assert!(is_json_list("[]"));
        assert!(is_json_list(r#"{"items":[],"total":0,"next":null}"#));
        assert!(!is_json_list(r#"{"name":null,"tags":[],"owner":{}}"#));
        assert!(!is_json_list("{}"));
    }
}
