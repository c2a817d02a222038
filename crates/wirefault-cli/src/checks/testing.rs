//! Exchanges and observations built by hand, for the checks' unit tests.

use crate::finding::{Exchange, Finding, HttpAnswer, Received, SentRequest};
use crate::probe::observe::{Observation, Probe};
use crate::rules::Severity;

/// A `GET http://127.0.0.1/` answered with `status`, `headers` and `body`.
pub(crate) fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
    exchange_at("GET", "/", status, headers, body)
}

/// `METHOD http://127.0.0.1:3000PATH` answered with `status`, `headers`
/// and `body`.
pub(crate) fn exchange_at(
    method: &str,
    path: &str,
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> Exchange {
    Exchange {
        request: SentRequest {
            method: method.into(),
            url: format!("http://127.0.0.1:3000{path}"),
            headers: vec![],
            body: None,
        },
        received: Received::Http(HttpAnswer {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
        }),
    }
}

/// An observation of one exchange; a 5xx is sent again with `again`.
pub(crate) fn observed(probe: Probe, exchange: Exchange, again: Option<Exchange>) -> Observation {
    let mut observation = Observation::of(probe, exchange);
    observation.again = again;
    observation
}

/// The rules found at warning or above.
pub(crate) fn ids(findings: &[Finding]) -> Vec<&'static str> {
    findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .map(|f| f.rule.id)
        .collect()
}

/// Every finding with its severity.
pub(crate) fn rated(findings: &[Finding]) -> Vec<(&'static str, Severity)> {
    findings.iter().map(|f| (f.rule.id, f.severity)).collect()
}

/// A problem+json content type and body for `status`.
pub(crate) const PROBLEM_CT: (&str, &str) = ("content-type", "application/problem+json");

/// A problem+json body.
pub(crate) const PROBLEM: &str = r#"{"type":"about:blank","title":"Not Found","status":404}"#;
