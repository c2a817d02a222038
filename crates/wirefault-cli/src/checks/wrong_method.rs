//! WF-HTTP-002 on a method the path does not support (`TRACE` on a path
//! known to answer `GET`, or a method the document does not list). 405
//! (its `Allow` is WF-HTTP-003's), 501, and what may come before routing
//! (400, 401, 403) are right; a 406 to the auditor's own `Accept` was
//! already asked again with `Accept: */*`. A 404 that is the service's own
//! answer for an unknown path comes from a router without 405 and is only
//! noted; so is a handler that ignores the method, unless its 2xx says the
//! request failed. A 5xx that reproduces stays.

use reqwest::Url;

use crate::finding::{Exchange, Finding, HttpAnswer};
use crate::model::{shape, Model};
use crate::probe::observe::Observation;
use crate::rules::{self, Severity};

/// Judges the answer to a method the path does not support.
pub(crate) fn check(observation: &Observation, model: &Model) -> Option<Finding> {
    let exchange = observation.answer()?;
    let answer = exchange.received.http()?;
    let method = &exchange.request.method;
    let finding = Finding::new(
        rules::HTTP_WRONG_METHOD,
        exchange,
        format!(
            "{method} on a path that does not support it was answered HTTP {}",
            answer.status
        ),
        "HTTP 405 with an Allow header",
    );
    match answer.status {
        405 | 501 | 400 | 401 | 403 | 406 | 429 | 503 => None,
        404 => {
            let not_found = model.unknown.iter().chain(&model.api_unknown);
            let own = not_found.clone().any(|other| same_answer(exchange, other));
            Some(if own {
                finding.rated(
                    Severity::Info,
                    "the service's own answer for an unknown path: its router has no 405, and \
                     the client is told plainly",
                )
            } else {
                finding
            })
        }
        200..=299 if shape::says_it_failed(&answer.body) => Some(finding.rated(
            Severity::Warning,
            "a 2xx whose body says the request failed",
        )),
        200..=399 => Some(finding.rated(
            Severity::Info,
            "the handler answers whatever the method: debatable, and nothing failed",
        )),
        500..=599 => Some(super::reproduce::rate(finding, observation)),
        _ => None,
    }
}

/// `true` when two answers are the same but for the request's path and
/// method (`Cannot TRACE /notes` and `Cannot GET /missing`; `{"error": "Not
/// found", "path": ...}`): the same status, media type and body.
fn same_answer(a: &Exchange, b: &Exchange) -> bool {
    let (Some(x), Some(y)) = (a.received.http(), b.received.http()) else {
        return false;
    };
    // The body's words with what the request named (its path, its
    // method) left out: `<pre>Cannot TRACE /</pre>` and `<pre>Cannot GET
    // /missing</pre>` are the same words.
    let generic = |exchange: &Exchange, answer: &HttpAnswer| {
        let path = Url::parse(&exchange.request.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default();
        let method = &exchange.request.method;
        answer
            .body
            .split(|c: char| c.is_whitespace() || "<>\"'{}:,()[]".contains(c))
            .filter(|word| !word.is_empty() && *word != path && word != method)
            .map(str::to_owned)
            .collect::<Vec<String>>()
    };
    x.status == y.status && shape::media(x) == shape::media(y) && generic(a, x) == generic(b, y)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, exchange_at, observed, rated, PROBLEM, PROBLEM_CT};
    use crate::probe::observe::Probe;

    fn judge(e: Exchange, model: &Model) -> Vec<(&'static str, Severity)> {
        rated(
            &check(&observed(Probe::WrongMethod, e, None), model)
                .into_iter()
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn wrong_method() {
        let model = Model::default();
        let ct = PROBLEM_CT;
        assert!(judge(exchange(405, &[ct, ("allow", "GET")], PROBLEM), &model).is_empty());
        assert!(judge(exchange(501, &[ct], PROBLEM), &model).is_empty());
        assert_eq!(
            judge(exchange(404, &[ct], PROBLEM), &model),
            [("WF-HTTP-002", Severity::Warning)]
        );
    }

    /// A handler that ignores the method is debatable at most; one whose
    /// 2xx says the call failed misleads its client.
    #[test]
    fn a_handler_that_ignores_the_method_is_info() {
        let model = Model::default();
        assert_eq!(
            judge(exchange(200, &[], "ok"), &model),
            [("WF-HTTP-002", Severity::Info)]
        );
        let lie = exchange(
            200,
            &[("content-type", "application/json")],
            r#"{"error":"bad method"}"#,
        );
        assert_eq!(judge(lie, &model), [("WF-HTTP-002", Severity::Warning)]);
        let crash = exchange(500, &[], "");
        let again = observed(Probe::WrongMethod, crash.clone(), Some(crash));
        assert_eq!(check(&again, &model).unwrap().severity, Severity::Warning);
    }

    /// A router without 405 answers a known path's other method with the
    /// app's own 404: the same answer as for an unknown path is info, one
    /// that differs is a warning.
    #[test]
    fn own_not_found_answer_for_a_wrong_method_is_info() {
        let json = ("content-type", "application/json; charset=utf-8");
        let html = ("content-type", "text/html; charset=utf-8");
        let fixed = |m: &str, p: &str| exchange_at(m, p, 404, &[json], r#"{"error":"Not found"}"#);
        let echo = |m: &str, p: &str| {
            let body = format!(r#"{{"error":"no route {m} {p}"}}"#);
            exchange_at(m, p, 404, &[json], &body)
        };
        // At the root, the path `/` is a word of its own.
        let page = |m: &str, p: &str| {
            exchange_at(m, p, 404, &[html], &format!("<pre>Cannot {m} {p}</pre>"))
        };
        let unknown = "/wirefault-probe-no-such-path";
        for (answer, path) in [
            (&fixed as &dyn Fn(&str, &str) -> Exchange, "/api/todos"),
            (&echo, "/api/todos"),
            (&page, "/"),
        ] {
            let model = Model {
                unknown: vec![answer("GET", unknown)],
                ..Model::default()
            };
            assert_eq!(
                judge(answer("TRACE", path), &model),
                [("WF-HTTP-002", Severity::Info)],
                "{path}"
            );
            let other = exchange_at("TRACE", path, 404, &[json], r#"{"error":"method"}"#);
            assert_eq!(judge(other, &model), [("WF-HTTP-002", Severity::Warning)]);
        }
    }
}
