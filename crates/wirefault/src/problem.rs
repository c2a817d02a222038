//! Problem details ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)):
//! the body of every HTTP error response.

use crate::fault::Fault;
use crate::kind::Kind;
use crate::pointer::Pointer;
use http::StatusCode;
use serde::{Deserialize, Serialize};

/// The media type of a problem details document.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The `detail` every server error shows instead of its own.
pub const GENERIC_SERVER_DETAIL: &str =
    "The server could not complete this request. Quote the request id when you report it.";

/// Members a problem always writes itself; an extension by one of these
/// names is dropped rather than written twice.
const RESERVED: &[&str] = &[
    "type",
    "title",
    "status",
    "detail",
    "instance",
    "errors",
    "request_id",
];

/// A borrowed view of a fault as a problem document (see [`Problem::render`]).
struct ProblemRef<'a> {
    fault: &'a Fault,
    request_id: Option<&'a str>,
}

impl serde::Serialize for ProblemRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let fault = self.fault;
        let server = fault.is_server_error();
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", fault.type_uri_str().unwrap_or("about:blank"))?;
        map.serialize_entry("title", fault.title_str())?;
        map.serialize_entry("status", &fault.status().as_u16())?;
        let detail = if server {
            Some(GENERIC_SERVER_DETAIL)
        } else {
            fault.detail_str()
        };
        if let Some(detail) = detail {
            map.serialize_entry("detail", detail)?;
        }
        if let Some(instance) = fault.instance_str().or(self.request_id) {
            map.serialize_entry("instance", instance)?;
        }
        if !server && !fault.errors().is_empty() {
            map.serialize_entry("errors", fault.errors())?;
        }
        if !server {
            for (key, value) in fault.extensions() {
                if !RESERVED.contains(&key.as_str()) {
                    map.serialize_entry(key, value)?;
                }
            }
        }
        if let Some(id) = self.request_id {
            map.serialize_entry("request_id", id)?;
        }
        map.end()
    }
}

/// One invalid field of a request: where (a JSON pointer in URI fragment
/// form, `#/title`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Where the problem is: `#` and an RFC 6901 pointer.
    pub pointer: String,
    /// What is wrong with that field.
    pub detail: String,
}

impl FieldError {
    /// A field error at `pointer`.
    pub fn new(pointer: Pointer, detail: impl Into<String>) -> FieldError {
        FieldError {
            pointer: pointer.to_uri_fragment(),
            detail: detail.into(),
        }
    }
}

/// A problem details document, as sent.
///
/// Build one from a [`Fault`] with [`Problem::from_fault`]: a server error
/// shows only a generic title and detail, the instance and the request id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// The problem type URI (`about:blank` unless the fault set one).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    /// The occurrence: the request id unless the fault set one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub instance: Option<String>,
    /// The invalid fields, one entry each.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldError>,
    /// Extension members.
    #[serde(flatten)]
    pub extensions: serde_json::Map<String, serde_json::Value>,
}

impl Problem {
    /// The problem for `fault`, as a client may see it. `request_id`, when
    /// known, becomes the `instance` (unless the fault set one) and the
    /// `request_id` extension.
    pub fn from_fault(fault: &Fault, request_id: Option<&str>) -> Problem {
        let server = fault.is_server_error();
        let mut extensions = serde_json::Map::new();
        if !server {
            extensions = fault
                .extensions()
                .iter()
                .filter(|(key, _)| !RESERVED.contains(&key.as_str()))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
        }
        if let Some(id) = request_id {
            extensions.insert("request_id".into(), id.into());
        }
        Problem {
            type_uri: fault.type_uri_str().unwrap_or("about:blank").to_owned(),
            title: fault.title_str().to_owned(),
            status: fault.status().as_u16(),
            detail: if server {
                Some(GENERIC_SERVER_DETAIL.to_owned())
            } else {
                fault.detail_str().map(str::to_owned)
            },
            instance: fault
                .instance_str()
                .map(str::to_owned)
                .or_else(|| request_id.map(str::to_owned)),
            errors: if server {
                Vec::new()
            } else {
                fault.errors().to_vec()
            },
            extensions,
        }
    }

    /// The JSON document for `fault`, as [`Problem::from_fault`] then
    /// [`Problem::to_json`] would write it, without building the owned
    /// `Problem` first (no string is copied): the path every error
    /// response takes.
    pub fn render(fault: &Fault, request_id: Option<&str>) -> String {
        serde_json::to_string(&ProblemRef { fault, request_id }).unwrap_or_else(|_| {
            format!(
                r#"{{"type":"about:blank","title":"Error","status":{}}}"#,
                fault.status().as_u16()
            )
        })
    }

    /// A problem for a status that has no [`Kind`] in the table (a 418, a
    /// 507): the status is kept, with its reason phrase as title.
    pub fn for_status(
        status: StatusCode,
        detail: Option<String>,
        request_id: Option<&str>,
    ) -> Problem {
        let fault = Fault::new(Kind::from_status_or_generic(status));
        let mut problem = Problem::from_fault(&fault, request_id);
        problem.status = status.as_u16();
        problem.title = status.canonical_reason().unwrap_or("Error").to_owned();
        if !status.is_server_error() {
            problem.detail = detail;
        }
        problem
    }

    /// The JSON document.
    pub fn to_json(&self) -> String {
        // A map of strings and JSON values always serializes.
        serde_json::to_string(self).unwrap_or_else(|_| {
            format!(
                r#"{{"type":"about:blank","title":"Error","status":{}}}"#,
                self.status
            )
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn client_problem_has_every_member() {
        let fault = Fault::unprocessable()
            .field("/title", "must not be empty")
            .field(Pointer::root().key("a/b"), "bad")
            .extension("hint", "see docs")
            .type_uri("https://example.com/probs/invalid");
        let v: serde_json::Value =
            serde_json::from_str(&Problem::from_fault(&fault, Some("r1")).to_json()).unwrap();
        assert_eq!(
            v,
            json!({
                "type": "https://example.com/probs/invalid",
                "title": "Unprocessable Content",
                "status": 422,
                "detail": "the request has invalid fields",
                "instance": "r1",
                "request_id": "r1",
                "hint": "see docs",
                "errors": [
                    {"pointer": "#/title", "detail": "must not be empty"},
                    {"pointer": "#/a~1b", "detail": "bad"}
                ]
            })
        );
    }

    #[test]
    fn server_problem_hides_everything() {
        let fault = Fault::internal_from(std::io::Error::other("/etc/secret: SQL syntax"))
            .detail("panicked at src/db.rs:12")
            .title("Database exploded")
            .extension("query", "SELECT 1")
            .field("/x", "y");
        let body = Problem::from_fault(&fault, Some("abc")).to_json();
        for leak in [
            "secret", "SQL", "panicked", "db.rs", "exploded", "SELECT", "/x",
        ] {
            assert!(!body.contains(leak), "{leak} leaked: {body}");
        }
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["title"], "Internal Server Error");
        assert_eq!(v["status"], 500);
        assert_eq!(v["instance"], "abc");
    }

    #[test]
    fn render_matches_the_owned_problem() {
        let faults = [
            Fault::unprocessable()
                .field("/title", "must not be empty")
                .extension("hint", "see docs")
                .extension("status", 999)
                .extension("request_id", "spoofed"),
            Fault::not_found("note 1 does not exist").instance("/notes/1"),
            Fault::internal()
                .detail("secret")
                .extension("query", "SELECT"),
            Fault::rate_limited(std::time::Duration::from_secs(1)),
        ];
        for fault in &faults {
            for id in [None, Some("r-1")] {
                let fast: serde_json::Value =
                    serde_json::from_str(&Problem::render(fault, id)).unwrap();
                let owned: serde_json::Value =
                    serde_json::from_str(&Problem::from_fault(fault, id).to_json()).unwrap();
                assert_eq!(fast, owned, "{fault:?}");
            }
        }
        let body = Problem::render(&faults[0], Some("r-1"));
        assert_eq!(body.matches("\"status\"").count(), 1, "{body}");
        assert!(!body.contains("spoofed") && !body.contains("999"), "{body}");
    }

    #[test]
    fn unknown_status_keeps_its_code() {
        let p = Problem::for_status(
            StatusCode::IM_A_TEAPOT,
            Some("short and stout".into()),
            None,
        );
        assert_eq!(p.status, 418);
        assert_eq!(p.title, "I'm a teapot");
        assert_eq!(p.detail.as_deref(), Some("short and stout"));
        let p = Problem::for_status(
            StatusCode::INSUFFICIENT_STORAGE,
            Some("disk /dev/sda".into()),
            None,
        );
        assert_eq!(p.status, 507);
        assert_eq!(p.detail.as_deref(), Some(GENERIC_SERVER_DETAIL));
    }
}
