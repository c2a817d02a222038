//! WF-HTTP-001 on a `GET` whose path parameters name nothing. A 5xx that
//! reproduces is a mistake. A 2xx is one only with evidence that the
//! lookup failed: a body that says so, a 404 the document declares for the
//! operation, or an answer that is the existing value's answer emptied
//! out. Without it, the route may be a search or a computation that
//! answers any value, and the 2xx is only noted.

use crate::finding::{Exchange, Finding};
use crate::model::{shape, Model};
use crate::probe::observe::{Observation, Probe};
use crate::rules::{self, Severity};

/// Judges the answer to a missing resource.
pub(crate) fn check(observation: &Observation, model: &Model) -> Option<Finding> {
    let Probe::MissingResource { values, found } = &observation.probe else {
        return None;
    };
    let exchange = observation.answer()?;
    let answer = exchange.received.http()?;
    let finding = Finding::new(
        rules::HTTP_UNKNOWN_PATH,
        exchange,
        format!(
            "a resource that does not exist ({}) was answered HTTP {}",
            values.join(", "),
            answer.status
        ),
        "HTTP 404 (or 410) with a problem+json body",
    );
    if answer.status >= 500 {
        return Some(super::reproduce::rate(finding, observation));
    }
    if !(200..300).contains(&answer.status)
        || values.iter().any(|v| answer.body.contains(v.as_str()))
    {
        return None;
    }
    let found = found.as_deref().and_then(|url| model.found_at(url));
    Some(match evidence(exchange, model, found) {
        Some(why) => finding.rated(rules::HTTP_UNKNOWN_PATH.severity, why),
        None if shape::is_json_list(&answer.body) => finding.rated(
            Severity::Info,
            "the answer is a list: a search or filter by this value finds nothing, which is not \
             an error; if the path names a parent resource, 404 would tell clients it does not \
             exist",
        ),
        None => finding.rated(
            Severity::Info,
            "no evidence the lookup failed: the route may compute or search from any value",
        ),
    })
}

/// Why the 2xx is a failure the service hid, if anything shows it.
fn evidence(exchange: &Exchange, model: &Model, found: Option<&Exchange>) -> Option<String> {
    let answer = exchange.received.http()?;
    if shape::says_it_failed(&answer.body) {
        return Some("the body says the lookup failed".to_owned());
    }
    let path = reqwest::Url::parse(&exchange.request.url).ok()?;
    let declared = crate::model::declared::find(&model.declared, "GET", path.path(), 404)
        .filter(|d| d.status == "404");
    if let Some(declared) = declared {
        return Some(format!(
            "the OpenAPI document declares 404 for GET {}",
            declared.path
        ));
    }
    let found = found?;
    let existing = found
        .received
        .http()
        .filter(|a| (200..300).contains(&a.status))?;
    shape::is_emptied(&existing.body, &answer.body).then(|| {
        format!(
            "the answer is the existing value's answer ({}) emptied out",
            found.request.url
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, exchange_at, observed, PROBLEM, PROBLEM_CT};
    use crate::model::declared::Declared;

    const MISS: &str = "/items/2147483647";

    fn probe(found: Option<&str>) -> Probe {
        Probe::MissingResource {
            values: vec!["2147483647".into()],
            found: found.map(|p| format!("http://127.0.0.1:3000{p}")),
        }
    }

    fn rating(e: Exchange, model: &Model, found: Option<&str>) -> Option<Severity> {
        check(&observed(probe(found), e, None), model).map(|f| f.severity)
    }

    fn at(status: u16, body: &str) -> Exchange {
        exchange_at(
            "GET",
            MISS,
            status,
            &[("content-type", "application/json")],
            body,
        )
    }

    #[test]
    fn without_evidence_a_2xx_is_info() {
        let model = Model::default();
        // A route that computes from any two numbers, a search, an empty object.
        assert_eq!(
            rating(at(200, r#"{"sum":7}"#), &model, None),
            Some(Severity::Info)
        );
        assert_eq!(rating(at(200, "[]"), &model, None), Some(Severity::Info));
        assert_eq!(rating(at(200, "{}"), &model, None), Some(Severity::Info));
        assert_eq!(rating(at(200, r#"{"id":2147483647}"#), &model, None), None);
        assert_eq!(rating(at(404, r#"{"detail":"x"}"#), &model, None), None);
    }

    #[test]
    fn evidence_makes_it_an_error() {
        let model = Model::default();
        let said = at(200, r#"{"success":false,"message":"Item not found"}"#);
        assert_eq!(rating(said, &model, None), Some(Severity::Error));
        let declared = Model {
            declared: vec![Declared {
                method: "GET".into(),
                path: "/items/{id}".into(),
                status: "404".into(),
                media: vec![],
            }],
            ..Model::default()
        };
        assert_eq!(
            rating(at(200, "{}"), &declared, None),
            Some(Severity::Error)
        );
        let existing = Model {
            found: vec![exchange_at(
                "GET",
                "/items/1",
                200,
                &[],
                r#"{"id":1,"name":"a"}"#,
            )],
            ..Model::default()
        };
        assert_eq!(
            rating(at(200, "null"), &existing, Some("/items/1")),
            Some(Severity::Error)
        );
        assert_eq!(
            rating(
                at(200, r#"{"id":3,"name":"b"}"#),
                &existing,
                Some("/items/1")
            ),
            Some(Severity::Info)
        );
    }

    #[test]
    fn a_5xx_must_reproduce() {
        let model = Model::default();
        let crash = exchange(500, &[PROBLEM_CT], PROBLEM);
        let again = observed(probe(None), crash.clone(), Some(crash.clone()));
        assert_eq!(check(&again, &model).unwrap().severity, Severity::Error);
        let once = observed(probe(None), crash, Some(exchange(404, &[], "")));
        assert_eq!(check(&once, &model).unwrap().severity, Severity::Info);
    }
}
