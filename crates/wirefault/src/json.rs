//! Reading a JSON request body into a type, with failures as [`Fault`]s
//! that point at the offending field.

use crate::fault::Fault;
use crate::pointer::Pointer;
use serde::de::DeserializeOwned;

/// Parses `bytes` as JSON into `T`.
///
/// - Malformed JSON (bad syntax, truncated, not UTF-8) is a 400 whose
///   detail names the line and column.
/// - Well-formed JSON of the wrong shape (a wrong type, a missing field) is
///   a 422 with one field error whose pointer names the field.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Note { title: String }
/// let fault = wirefault::from_json_slice::<Note>(br#"{"title": 7}"#).unwrap_err();
/// assert_eq!(fault.status().as_u16(), 422);
/// assert_eq!(fault.errors()[0].pointer, "#/title");
/// let fault = wirefault::from_json_slice::<Note>(br#"{"title": "#).unwrap_err();
/// assert_eq!(fault.status().as_u16(), 400);
/// ```
pub fn from_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Fault> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = Pointer::from(err.path());
        json_fault(err.into_inner(), path)
    })?;
    de.end().map_err(|err| json_fault(err, Pointer::root()))?;
    Ok(value)
}

/// The fault for a serde_json error at `path`.
pub fn json_fault(err: serde_json::Error, path: Pointer) -> Fault {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            Fault::bad_request(format!("the body is not valid JSON: {err}"))
        }
        Category::Data => {
            let message = strip_position(&err.to_string());
            // serde reports a missing field at its parent; point at the field.
            let pointer = match missing_field_name(&message) {
                Some(name) => path.key(name),
                None => path,
            };
            Fault::unprocessable().field(pointer, message)
        }
    }
}

/// "missing field `title`" -> "title".
fn missing_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// serde_json appends " at line 1 column 12"; a pointer says where better.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Note {
        title: String,
        tags: Vec<u8>,
    }

    #[test]
    fn missing_field_points_at_it() {
        let f = from_json_slice::<Note>(br#"{"tags": []}"#).unwrap_err();
        assert_eq!(f.errors()[0].pointer, "#/title");
        assert_eq!(f.errors()[0].detail, "missing field `title`");
    }

    #[test]
    fn nested_type_error_points_into_arrays() {
        let f = from_json_slice::<Note>(br#"{"title": "a", "tags": [1, "x"]}"#).unwrap_err();
        assert_eq!(f.status(), 422);
        assert_eq!(f.errors()[0].pointer, "#/tags/1");
    }

    #[test]
    fn syntax_errors_are_400() {
        for body in [
            &b"{"[..],
            b"",
            b"nope",
            b"{\"title\": \"\xff\"}",
            b"{} trailing",
        ] {
            let f = from_json_slice::<serde_json::Value>(body).unwrap_err();
            assert_eq!(f.status(), 400, "{body:?}");
            assert!(f.detail_str().unwrap().contains("not valid JSON"));
        }
    }
}
