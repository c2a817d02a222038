//! WF-HTTP-004 and -005 on a malformed or invalid body: 4xx expected. A
//! 5xx that reproduces is the input's fault; a 2xx is wrong only when the
//! schema (or JSON itself) makes the body invalid.

use crate::finding::Finding;
use crate::probe::observe::{Observation, Probe};
use crate::rules;

/// Judges the answer to a bad body.
pub(crate) fn check(observation: &Observation) -> Option<Finding> {
    let Probe::BadBody(body) = &observation.probe else {
        return None;
    };
    let exchange = observation.answer()?;
    let answer = exchange.received.http()?;
    let what = &body.what;
    let expected = "HTTP 400 (malformed) or 422 (invalid), with problem+json details";
    if answer.status >= 500 {
        Some(super::reproduce::rate(
            Finding::new(
                rules::HTTP_BODY_5XX,
                exchange,
                format!("{what} was answered HTTP {}", answer.status),
                expected,
            ),
            observation,
        ))
    } else if body.invalid && (200..300).contains(&answer.status) {
        Some(Finding::new(
            rules::HTTP_BODY_2XX,
            exchange,
            format!("{what} was accepted with HTTP {}", answer.status),
            expected,
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, observed, PROBLEM, PROBLEM_CT};
    use crate::probe::http::{BadBody, MALFORMED_JSON};
    use crate::rules::Severity;

    #[test]
    fn bad_body() {
        let body = BadBody {
            what: "a body that is not JSON".into(),
            text: MALFORMED_JSON.into(),
            invalid: true,
        };
        let judge = |b: &BadBody, e, again| {
            check(&observed(Probe::BadBody(b.clone()), e, again)).map(|f| (f.rule.id, f.severity))
        };
        assert_eq!(
            judge(&body, exchange(400, &[PROBLEM_CT], PROBLEM), None),
            None
        );
        let crash = exchange(500, &[PROBLEM_CT], PROBLEM);
        assert_eq!(
            judge(&body, crash.clone(), Some(crash.clone())),
            Some(("WF-HTTP-004", Severity::Error))
        );
        assert_eq!(
            judge(&body, crash, Some(exchange(400, &[], ""))),
            Some(("WF-HTTP-004", Severity::Info))
        );
        assert_eq!(
            judge(&body, exchange(201, &[], "{}"), None),
            Some(("WF-HTTP-005", Severity::Error))
        );
        let unsure = BadBody {
            invalid: false,
            ..body
        };
        assert_eq!(judge(&unsure, exchange(201, &[], "{}"), None), None);
    }
}
