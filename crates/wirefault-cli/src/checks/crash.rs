//! WF-HTTP-012: the service stopped accepting connections during the
//! audit. The request on the wire when it did is the input that crashed
//! it; everything after it was not run (the report lists it).

use crate::finding::Finding;
use crate::probe::liveness::Death;
use crate::rules;

/// The finding for a target that died.
pub(crate) fn check(death: &Death) -> Finding {
    let how = if death.unanswered {
        "lost its connection without an answer"
    } else {
        "was the last one answered"
    };
    let others = match death.also_in_flight {
        0 => String::new(),
        n => format!(" ({n} other request(s) were on the wire at the same moment)"),
    };
    Finding::new(
        rules::HTTP_CRASH,
        &death.culprit,
        format!("this request {how}, and the service refused every connection after it{others}"),
        "an error answer (4xx for bad input) while the service keeps running",
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::exchange;
    use crate::rules::Severity;

    #[test]
    fn a_death_is_an_error_on_its_request() {
        let death = Death {
            culprit: exchange(500, &[], ""),
            unanswered: true,
            also_in_flight: 2,
        };
        let finding = check(&death);
        assert_eq!(
            (finding.rule.id, finding.severity),
            ("WF-HTTP-012", Severity::Error)
        );
        assert!(finding.observed.contains("2 other request(s)"));
    }
}
