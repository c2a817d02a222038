//! Problem details ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)):
//! the body of every HTTP error response.

use crate::fault::{Fault, FieldError};
use crate::kind::Kind;
use crate::public::PublicFault;
use http::StatusCode;
use serde::{Deserialize, Serialize};

mod render;

/// The media type of a problem details document.
pub const PROBLEM_JSON: &str = "application/problem+json";

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
        Problem::from_public(&PublicFault::new(fault, request_id))
    }

    /// The problem for a fault's public view.
    pub fn from_public(public: &PublicFault<'_>) -> Problem {
        let mut extensions: serde_json::Map<String, serde_json::Value> = public
            .extensions()
            .filter(|(key, _)| !RESERVED.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        if let Some(id) = public.request_id() {
            extensions.insert("request_id".into(), id.into());
        }
        Problem {
            type_uri: public.type_uri().to_owned(),
            title: public.title().to_owned(),
            status: public.status().as_u16(),
            detail: public.detail().map(str::to_owned),
            instance: public.instance().map(str::to_owned),
            errors: public.errors().to_vec(),
            extensions,
        }
    }

    /// The JSON document for `fault`, as [`Problem::from_fault`] then
    /// [`Problem::to_json`] would write it, without building the owned
    /// `Problem` first (no string is copied): the path every error
    /// response takes.
    pub fn render(fault: &Fault, request_id: Option<&str>) -> String {
        Problem::render_public(PublicFault::new(fault, request_id))
    }

    /// The JSON document for a fault's public view (see [`Problem::render`]).
    pub fn render_public(public: PublicFault<'_>) -> String {
        render::render(&public)
    }

    /// A problem for a status that has no [`Kind`] in the table (a 418, a
    /// 507): the status is kept, with its reason phrase as title; what a
    /// server error shows is [`PublicFault`]'s rule.
    pub fn for_status(
        status: StatusCode,
        detail: Option<String>,
        request_id: Option<&str>,
    ) -> Problem {
        let fault = status_fault(status, detail);
        Problem::from_public(&PublicFault::with_status(&fault, status, request_id))
    }

    /// The JSON document of [`Problem::for_status`], written as
    /// [`Problem::render`] writes a fault's.
    #[cfg(feature = "axum")]
    pub(crate) fn render_for_status(
        status: StatusCode,
        detail: Option<String>,
        request_id: Option<&str>,
    ) -> String {
        let fault = status_fault(status, detail);
        render::render(&PublicFault::with_status(&fault, status, request_id))
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

/// The fault a status stands for: its row's kind, else the generic kind
/// of its class.
fn status_fault(status: StatusCode, detail: Option<String>) -> Fault {
    let fault = Fault::new(Kind::from_status_or_generic(status));
    match detail {
        Some(detail) => fault.detail(detail),
        None => fault,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::pointer::Pointer;
    use crate::public::GENERIC_SERVER_DETAIL;
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

    #[cfg(feature = "axum")]
    #[test]
    fn the_fast_writer_writes_what_for_status_builds() {
        for status in [418, 507, 500, 404, 431, 599] {
            let status = StatusCode::from_u16(status).unwrap();
            for (detail, id) in [(None, None), (Some("why \"so\""), Some("r-1"))] {
                let detail = detail.map(str::to_owned);
                let fast = Problem::render_for_status(status, detail.clone(), id);
                let owned = Problem::for_status(status, detail, id).to_json();
                let fast: serde_json::Value = serde_json::from_str(&fast).unwrap();
                let owned: serde_json::Value = serde_json::from_str(&owned).unwrap();
                assert_eq!(fast, owned);
                assert_eq!(fast["status"], status.as_u16());
            }
        }
    }
}
