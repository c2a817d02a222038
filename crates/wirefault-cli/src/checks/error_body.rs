//! WF-HTTP-006 (empty error body) and WF-HTTP-007 (not machine-readable),
//! rated by evidence: no spec asks for an error body, so a warning needs
//! the service's own promise: its document declares a JSON body for that
//! operation and status, its other errors of the same kind carry JSON, or
//! its own `Content-Type` says JSON and the body does not parse. Without
//! one, the body is how this service answers errors, and only noted. An
//! HTML page answered to `Accept: application/json` is a page for people
//! (a router's stock page beside an API's JSON errors): only the document
//! makes it a broken promise.

use crate::finding::{Exchange, Finding};
use crate::model::shape::{self, Shape};
use crate::model::style::{self, Reach};
use crate::model::Model;
use crate::rules::{self, Severity};

/// Judges an error answer's body, from a request that got as far as
/// `reach`; `None` for a success or a problem body.
pub(crate) fn check(exchange: &Exchange, reach: Reach, model: &Model) -> Option<Finding> {
    let answer = exchange.received.http()?;
    if answer.status < 400 {
        return None;
    }
    let shape = shape::of(answer);
    let (rule, observed, expected) = match shape {
        Shape::Problem => return None,
        Shape::Empty => (
            rules::HTTP_ERROR_NO_BODY,
            format!("HTTP {} with an empty body", answer.status),
            "an application/problem+json body saying what went wrong",
        ),
        Shape::Json => (
            rules::HTTP_ERROR_NOT_TYPED,
            "the JSON error body is not application/problem+json".to_owned(),
            "application/problem+json (RFC 9457) with type, title and status",
        ),
        other => (
            rules::HTTP_ERROR_NOT_TYPED,
            format!("the error body is {}", other.describe()),
            "application/problem+json (or JSON) with a type, status or code field",
        ),
    };
    let finding = Finding::new(rule, exchange, observed, expected);
    if shape == Shape::Json {
        return Some(finding.rated(
            Severity::Info,
            "descriptive JSON (such as {\"detail\": ...}): programs can read it",
        ));
    }
    if let Some(declared) = model.declared_for(exchange).filter(|d| d.has_json()) {
        return Some(finding.rated(
            Severity::Warning,
            format!(
                "the OpenAPI document declares {} for HTTP {} (`{}`) of {} {}",
                declared.media.join(", "),
                answer.status,
                declared.status,
                declared.method,
                declared.path
            ),
        ));
    }
    if answer.status == 426 {
        return Some(finding.rated(
            Severity::Info,
            "426 Upgrade Required: the answer is the upgrade it asks for, not the body",
        ));
    }
    if shape == Shape::Page {
        return Some(finding.rated(
            Severity::Info,
            "HTML answered to Accept: application/json: a page for people",
        ));
    }
    if let Some(sibling) = model.style.readable_sibling(exchange, reach) {
        return Some(finding.rated(
            Severity::Warning,
            format!(
                "the service's other errors carry {}: HTTP {} at {}",
                sibling.shape.describe(),
                sibling.status,
                sibling.place
            ),
        ));
    }
    if shape == Shape::BrokenJson {
        return Some(finding.rated(
            Severity::Warning,
            format!("its own Content-Type says {}", shape::media(answer)),
        ));
    }
    Some(finding.rated(
        Severity::Info,
        format!(
            "no evidence of a broken promise: no other {} error of this service, and no \
             document, says more than this (no spec asks for an error body)",
            kind_name(answer.status)
        ),
    ))
}

fn kind_name(status: u16) -> &'static str {
    match style::kind(status) {
        400 => "refused-input",
        401 => "refused-credentials",
        404 => "not-found",
        500 => "server",
        405 => "wrong-method",
        _ => "such",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, exchange_at, PROBLEM, PROBLEM_CT};
    use crate::model::declared::Declared;

    fn rating(exchange: &Exchange, model: &Model) -> Option<(&'static str, Severity)> {
        check(exchange, Reach::Handler, model).map(|f| (f.rule.id, f.severity))
    }

    #[test]
    fn without_evidence_a_stock_body_is_info() {
        let model = Model::default();
        let info = |e: &Exchange| rating(e, &model);
        assert_eq!(
            info(&exchange(404, &[], "")),
            Some(("WF-HTTP-006", Severity::Info))
        );
        let text = exchange(
            405,
            &[("content-type", "text/plain")],
            "405 Method Not Allowed",
        );
        assert_eq!(info(&text), Some(("WF-HTTP-007", Severity::Info)));
        let page = exchange(404, &[("content-type", "text/html")], "<h1>Not Found</h1>");
        assert_eq!(info(&page), Some(("WF-HTTP-007", Severity::Info)));
        let detail = exchange(
            404,
            &[("content-type", "application/json")],
            r#"{"detail":"x"}"#,
        );
        assert_eq!(info(&detail), Some(("WF-HTTP-007", Severity::Info)));
        let upgrade = exchange(426, &[("content-type", "text/plain")], "Upgrade Required");
        assert_eq!(info(&upgrade), Some(("WF-HTTP-007", Severity::Info)));
        assert_eq!(info(&exchange(404, &[PROBLEM_CT], PROBLEM)), None);
        assert_eq!(info(&exchange(200, &[], "")), None);
    }

    #[test]
    fn labelled_json_that_does_not_parse_is_a_warning() {
        let broken = exchange(404, &[("content-type", "application/json")], "{");
        assert_eq!(
            rating(&broken, &Model::default()),
            Some(("WF-HTTP-007", Severity::Warning))
        );
    }

    /// The issue's own example: every refused input carries JSON, except
    /// one empty 400.
    #[test]
    fn one_empty_error_among_json_ones_broke_the_style() {
        let mut model = Model::default();
        let json = ("content-type", "application/json");
        model.style.learn(
            &exchange_at("POST", "/items", 422, &[json], r#"{"detail":[]}"#),
            Reach::Handler,
        );
        let empty = exchange_at("POST", "/items", 400, &[], "");
        let finding = check(&empty, Reach::Handler, &model).unwrap();
        assert_eq!(finding.severity, Severity::Warning);
        assert!(finding.context.unwrap().contains("HTTP 422 at POST /items"));
        // A page is for people, whatever the API's own errors look like.
        let page = exchange_at(
            "POST",
            "/items",
            400,
            &[("content-type", "text/html")],
            "<p>x</p>",
        );
        assert_eq!(rating(&page, &model), Some(("WF-HTTP-007", Severity::Info)));
        // Another handler's error too; a router's answer (an unknown
        // path) is the framework's, and never evidence.
        let gone = exchange_at("GET", "/items/9", 404, &[], "");
        assert_eq!(
            rating(&gone, &model),
            Some(("WF-HTTP-006", Severity::Warning))
        );
        let stock = exchange_at("GET", "/nope", 404, &[], "404 page not found");
        let router = check(&stock, Reach::Router, &model).map(|f| f.severity);
        assert_eq!(router, Some(Severity::Info));
    }

    #[test]
    fn a_declared_json_body_is_a_promise() {
        let model = Model {
            declared: vec![Declared {
                method: "GET".into(),
                path: "/items/{id}".into(),
                status: "404".into(),
                media: vec!["application/json".into()],
            }],
            ..Model::default()
        };
        let text = exchange_at(
            "GET",
            "/items/9",
            404,
            &[("content-type", "text/plain")],
            "no",
        );
        assert_eq!(
            rating(&text, &model),
            Some(("WF-HTTP-007", Severity::Warning))
        );
        let elsewhere = exchange_at(
            "GET",
            "/other",
            404,
            &[("content-type", "text/plain")],
            "no",
        );
        assert_eq!(
            rating(&elsewhere, &model),
            Some(("WF-HTTP-007", Severity::Info))
        );
    }
}
