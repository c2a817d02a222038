//! WF-HTTP-003, -009 and -010: the headers a status requires (`Allow` on
//! 405, `WWW-Authenticate` on 401, `Retry-After` on 429 and 503), as the
//! core's `wirefault::spec::required_headers` states them.

use reqwest::header::{ALLOW, RETRY_AFTER, WWW_AUTHENTICATE};

use crate::finding::{Exchange, Finding};
use crate::rules;

/// Judges an answer's headers against its status.
pub(crate) fn check(exchange: &Exchange) -> Vec<Finding> {
    let Some(answer) = exchange.received.http() else {
        return Vec::new();
    };
    let required = reqwest::StatusCode::from_u16(answer.status)
        .map(wirefault::spec::required_headers)
        .unwrap_or_default();
    let mut findings = Vec::new();
    for name in required {
        if answer.header(name.as_str()).is_some() {
            continue;
        }
        let (rule, title, expected) = if name == WWW_AUTHENTICATE {
            (
                rules::HTTP_401_NO_CHALLENGE,
                "WWW-Authenticate",
                "WWW-Authenticate naming the scheme, e.g. `Bearer` or `Cookie realm=\"api\"`",
            )
        } else if name == RETRY_AFTER {
            (
                rules::HTTP_NO_RETRY_AFTER,
                "Retry-After",
                "Retry-After: <seconds> (or an HTTP date)",
            )
        } else if name == ALLOW {
            (
                rules::HTTP_405_NO_ALLOW,
                "Allow",
                "Allow listing the methods the path supports, e.g. `Allow: GET, HEAD`",
            )
        } else {
            // 426 is never probed for; no rule judges `Upgrade`.
            continue;
        };
        findings.push(Finding::new(
            rule,
            exchange,
            format!("HTTP {} without {title}", answer.status),
            expected,
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, ids, PROBLEM, PROBLEM_CT};

    #[test]
    fn required_headers() {
        let ct = PROBLEM_CT;
        assert_eq!(ids(&check(&exchange(401, &[ct], PROBLEM))), ["WF-HTTP-009"]);
        assert!(check(&exchange(
            401,
            &[ct, ("www-authenticate", "Bearer")],
            PROBLEM
        ))
        .is_empty());
        assert_eq!(ids(&check(&exchange(429, &[ct], PROBLEM))), ["WF-HTTP-010"]);
        assert_eq!(ids(&check(&exchange(503, &[ct], PROBLEM))), ["WF-HTTP-010"]);
        assert!(check(&exchange(503, &[ct, ("retry-after", "5")], PROBLEM)).is_empty());
        assert_eq!(ids(&check(&exchange(405, &[ct], PROBLEM))), ["WF-HTTP-003"]);
        assert!(check(&exchange(405, &[ct, ("allow", "GET")], PROBLEM)).is_empty());
    }
}
