//! WF-HTTP-011 (and WF-HTTP-004, WF-HTTP-009) on the credential probes: a
//! protected operation without a credential and with a bogus one, each
//! answer weighed against the other answers of the same operation (the
//! model's `credentials`). The first answer is judged, before any
//! redirect: a redirect to a sign-in page is a refusal.
//!
//! - A bogus credential answered 2xx where none was refused: error, the
//!   service checks credentials and lets one it never issued through.
//! - No credential answered 2xx on an operation the document protects:
//!   info when a bogus credential is refused (optional authentication: the
//!   document should list `{}`); warning otherwise (the check is missing,
//!   or the operation is public and the document should say
//!   `security: []`: only the document says it is protected).
//! - A 5xx that reproduces: the client's mistake blamed on the server.
//! - A 401 whose challenge names another scheme than the document's `http`
//!   scheme: info.

use crate::finding::Finding;
use crate::model::Model;
use crate::probe::observe::{Observation, Probe};
use crate::rules::{self, Severity};

const EXPECTED: &str = "HTTP 401 with a WWW-Authenticate challenge, or 403";

/// Judges the answer to one credential probe.
pub(crate) fn check(observation: &Observation, model: &Model) -> Option<Finding> {
    let Probe::Credential(attempt) = &observation.probe else {
        return None;
    };
    let exchange = observation.first()?;
    let answer = exchange.received.http()?;
    let status = answer.status;
    let success = |s: u16| (200..300).contains(&s);
    let answers = &model.credentials;
    let crash = || {
        super::reproduce::rate(
            Finding::new(
                rules::HTTP_BODY_5XX,
                exchange,
                format!("a request {} was answered HTTP {status}", attempt.what),
                EXPECTED,
            ),
            observation,
        )
    };
    if !attempt.bogus {
        // Without the document's word, the answer without credentials is
        // the evidence of protection, not a finding.
        if !attempt.declared {
            return None;
        }
        if status >= 500 {
            return Some(crash());
        }
        if !success(status) {
            return None;
        }
        let finding = Finding::new(
            rules::HTTP_AUTH_2XX,
            exchange,
            format!(
                "an operation the OpenAPI document protects was answered HTTP {status} \
                 without a credential"
            ),
            EXPECTED,
        );
        return Some(if answers.bogus_refused(&attempt.operation) {
            finding.rated(
                Severity::Info,
                "a bogus credential is refused: optional authentication; the document \
                 should list `{}` among the operation's security requirements",
            )
        } else {
            finding.rated(
                Severity::Warning,
                "only the document says the operation is protected: its check is \
                 missing, or it is public and its document should say `security: []`",
            )
        });
    }
    let without = answers.without(&attempt.operation)?;
    let refused = !success(without) && without < 500;
    if success(status) && refused {
        let why = if attempt.declared {
            "the OpenAPI document protects this operation"
        } else {
            "the request without the audit's credentials"
        };
        return Some(Finding::new(
            rules::HTTP_AUTH_2XX,
            exchange,
            format!(
                "a request {} was answered HTTP {status}; without a credential, HTTP \
                 {without} ({why})",
                attempt.what
            ),
            EXPECTED,
        ));
    }
    if status >= 500 {
        return Some(crash());
    }
    let challenge = answer.header("www-authenticate").unwrap_or("");
    let other_scheme = status == 401
        && !attempt.challenges.is_empty()
        && !challenge.is_empty()
        && !names_scheme(challenge, &attempt.challenges);
    other_scheme.then(|| {
        Finding::new(
            rules::HTTP_401_NO_CHALLENGE,
            exchange,
            format!(
                "the 401's challenge `{challenge}` does not name the {} scheme",
                attempt.challenges.join(" or ")
            ),
            "a WWW-Authenticate challenge naming the scheme the document declares",
        )
        .rated(
            Severity::Info,
            "a challenge is there; a client following it may try another scheme",
        )
    })
}

/// `true` when a `WWW-Authenticate` value holds a challenge for one of
/// `schemes`: a list item whose first token is not an `auth-param`.
fn names_scheme(challenge: &str, schemes: &[String]) -> bool {
    challenge.split(',').any(|part| {
        let token = part.split_whitespace().next().unwrap_or("");
        !token.contains('=') && schemes.iter().any(|s| token.eq_ignore_ascii_case(s))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, observed, PROBLEM_CT};
    use crate::finding::Exchange;
    use crate::probe::credentials::{attempts, Attempt};
    use crate::probe::security::{Carrier, Scheme};

    const UNAUTHORIZED: &str = r#"{"type":"about:blank","title":"Unauthorized","status":401}"#;

    /// The two attempts on a `bearer`-protected operation (declared), or
    /// on one the audit's own `Authorization` reached (not declared).
    fn pair(declared: bool) -> (Attempt, Attempt) {
        let requirement = declared.then(|| {
            vec![vec![Scheme {
                name: "b".into(),
                carrier: Carrier::Authorization("bearer".into()),
            }]]
        });
        let user = [(
            "Authorization".to_owned(),
            crate::cli::Secret("Bearer real".into()),
        )];
        let mut got = attempts(&requirement, &user);
        for a in &mut got {
            a.operation = "GET http://127.0.0.1:3000/".into();
        }
        let bogus = got.pop().unwrap();
        (got.pop().unwrap(), bogus)
    }

    /// The rule and severity of each attempt's finding, judged with the
    /// model learned from both answers (`again`: the 5xx resent).
    fn judge(
        declared: bool,
        without: &Exchange,
        bogus: &Exchange,
    ) -> [Option<(&'static str, Severity)>; 2] {
        let (none, fake) = pair(declared);
        let again = |e: &Exchange| {
            e.received
                .http()
                .filter(|a| a.status >= 500)
                .map(|_| e.clone())
        };
        let observations = [
            observed(
                Probe::Credential(Box::new(none)),
                without.clone(),
                again(without),
            ),
            observed(
                Probe::Credential(Box::new(fake)),
                bogus.clone(),
                again(bogus),
            ),
        ];
        let model = Model::learn(Vec::new(), &observations);
        observations
            .each_ref()
            .map(|o| check(o, &model).map(|f| (f.rule.id, f.severity)))
    }

    #[test]
    fn judged_by_the_other_answers_of_the_operation() {
        let challenged = exchange(
            401,
            &[PROBLEM_CT, ("www-authenticate", "Bearer")],
            UNAUTHORIZED,
        );
        let ok = exchange(200, &[PROBLEM_CT], "[]");
        let crash = exchange(500, &[PROBLEM_CT], UNAUTHORIZED);
        let error = |id| Some((id, Severity::Error));
        // Refused both ways: nothing.
        assert_eq!(judge(true, &challenged, &challenged), [None, None]);
        assert_eq!(
            judge(
                true,
                &exchange(403, &[PROBLEM_CT], UNAUTHORIZED),
                &challenged
            ),
            [None, None]
        );
        // Refused without, let in with a bogus one: error, with or without
        // the document's word.
        assert_eq!(judge(true, &challenged, &ok), [None, error("WF-HTTP-011")]);
        assert_eq!(judge(false, &challenged, &ok), [None, error("WF-HTTP-011")]);
        // A redirect to a sign-in page is a refusal.
        let sign_in = exchange(302, &[("location", "/login")], "");
        assert_eq!(judge(true, &sign_in, &ok), [None, error("WF-HTTP-011")]);
        // Let in without: only the document says it is protected...
        assert_eq!(
            judge(true, &ok, &ok),
            [Some(("WF-HTTP-011", Severity::Warning)), None]
        );
        // ... and a bogus credential refused: optional authentication.
        assert_eq!(
            judge(true, &ok, &challenged),
            [Some(("WF-HTTP-011", Severity::Info)), None]
        );
        // Without the document: the answer without is evidence only.
        assert_eq!(judge(false, &ok, &ok), [None, None]);
        assert_eq!(judge(false, &crash, &challenged), [None, None]);
        // A 5xx that reproduces: the client's mistake blamed on the server.
        assert_eq!(
            judge(false, &challenged, &crash),
            [None, error("WF-HTTP-004")]
        );
        assert_eq!(
            judge(true, &crash, &challenged),
            [error("WF-HTTP-004"), None]
        );
    }

    #[test]
    fn a_challenge_for_another_scheme_is_noted() {
        let challenged = exchange(
            401,
            &[PROBLEM_CT, ("www-authenticate", "Bearer")],
            UNAUTHORIZED,
        );
        let basic = exchange(
            401,
            &[PROBLEM_CT, ("www-authenticate", "Basic realm=\"a, b\"")],
            UNAUTHORIZED,
        );
        assert_eq!(
            judge(true, &challenged, &basic),
            [None, Some(("WF-HTTP-009", Severity::Info))]
        );
        let both = exchange(
            401,
            &[
                PROBLEM_CT,
                (
                    "www-authenticate",
                    "Basic realm=x, bearer error=\"invalid_token\"",
                ),
            ],
            UNAUTHORIZED,
        );
        assert_eq!(judge(true, &challenged, &both), [None, None]);
        // No challenge at all is the answer check's WF-HTTP-009.
        let bare = exchange(401, &[PROBLEM_CT], UNAUTHORIZED);
        assert_eq!(judge(true, &challenged, &bare), [None, None]);
    }
}
