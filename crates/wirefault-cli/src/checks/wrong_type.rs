//! WF-HTTP-004 on a path or query parameter of the wrong type: 400, 404
//! or 422 expected; a 5xx that reproduces is the input's fault.

use crate::finding::Finding;
use crate::probe::observe::{Observation, Probe};
use crate::rules;

/// Judges the answer to a parameter of the wrong type.
pub(crate) fn check(observation: &Observation) -> Option<Finding> {
    let Probe::WrongType { param } = &observation.probe else {
        return None;
    };
    let exchange = observation.answer()?;
    let answer = exchange.received.http()?;
    (answer.status >= 500).then(|| {
        super::reproduce::rate(
            Finding::new(
                rules::HTTP_BODY_5XX,
                exchange,
                format!(
                    "the parameter `{param}` with a value of the wrong type was answered HTTP {}",
                    answer.status
                ),
                "HTTP 400, 404 or 422 with problem+json details",
            ),
            observation,
        )
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, observed, PROBLEM, PROBLEM_CT};
    use crate::rules::Severity;

    #[test]
    fn only_a_reproduced_5xx_is_an_error() {
        let probe = || Probe::WrongType { param: "id".into() };
        let invalid = exchange(
            422,
            &[("content-type", "application/json")],
            r#"{"detail":[]}"#,
        );
        assert!(check(&observed(probe(), invalid, None)).is_none());
        let crash = exchange(500, &[PROBLEM_CT], PROBLEM);
        let again = observed(probe(), crash.clone(), Some(crash.clone()));
        assert_eq!(check(&again).unwrap().severity, Severity::Error);
        let once = observed(probe(), crash, Some(exchange(422, &[], "")));
        assert_eq!(check(&once).unwrap().severity, Severity::Info);
    }
}
