//! A 5xx is blamed on the input only when the same request, sent once
//! more, fails again; one that does not reproduce is an intermittent
//! failure (a flaky dependency, a demo that fails every third call) and is
//! only noted.

use crate::finding::Finding;
use crate::probe::observe::Observation;
use crate::rules::Severity;

/// `true` when the observation's 5xx came back when sent again.
pub(crate) fn reproduced(observation: &Observation) -> bool {
    observation
        .again
        .as_ref()
        .and_then(|e| e.received.http())
        .is_some_and(|a| a.status >= 500)
}

/// The finding as it stands when the 5xx reproduced; rated info as an
/// intermittent 5xx when it did not.
pub(crate) fn rate(finding: Finding, observation: &Observation) -> Finding {
    if reproduced(observation) {
        return finding;
    }
    let again = observation.again.as_ref().map_or_else(
        || "was not sent again".to_owned(),
        |e| match e.received.http() {
            Some(a) => format!("answered HTTP {} when sent again", a.status),
            None => "got no answer when sent again".to_owned(),
        },
    );
    finding.rated(
        Severity::Info,
        format!("intermittent 5xx: the same request {again}, so the input did not cause it"),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, observed};
    use crate::probe::observe::Probe;

    #[test]
    fn only_a_repeated_5xx_keeps_its_rating() {
        let crash = exchange(500, &[], "");
        let finding = || Finding::new(crate::rules::HTTP_BODY_5XX, &crash, "HTTP 500", "4xx");
        let again = observed(Probe::Known, crash.clone(), Some(exchange(502, &[], "")));
        assert_eq!(rate(finding(), &again).severity, Severity::Error);
        let flaky = observed(Probe::Known, crash.clone(), Some(exchange(200, &[], "ok")));
        let rated = rate(finding(), &flaky);
        assert_eq!(rated.severity, Severity::Info);
        assert!(rated.context.unwrap().contains("intermittent 5xx"));
        let unsent = observed(Probe::Known, crash.clone(), None);
        assert_eq!(rate(finding(), &unsent).severity, Severity::Info);
    }
}
