//! Credential probes: a protected operation sent without its credential,
//! and with a bogus one. 401 (with a challenge) or 403 is expected; a 2xx
//! lets anyone in (rated by the evidence, see [`judge`]), a 5xx blames the
//! server for the client's mistake.
//!
//! An operation is protected when the OpenAPI document says so (its
//! `security`, see [`super::security`]), or, when the user gave credentials
//! (`-H`, `--cookie`), when the answer without them is 401 or 403: then a
//! bogus copy of them must be refused too. Without the document's word,
//! an operation that answers 2xx without credentials is public, and its
//! bogus probe is not sent.
//!
//! "Without the credential" leaves out every `-H` and `--cookie` value but
//! content negotiation (`Accept*`, `Content-Type`, `User-Agent`, `Origin`).
//! Bogus credentials are shown in the report; the user's never are.

use reqwest::Url;

use super::http;
use super::security::{Carrier, Requirement, Scheme};
use super::Ctx;
use crate::cli::Secret;
use crate::finding::{Exchange, Finding, Outcome, BODY_LIMIT};
use crate::rules::{self, Severity};

/// The value of every bogus credential.
pub(crate) const BOGUS: &str = "wirefault-bogus-credential";
/// `wirefault:bogus-credential` in Base64, the bogus `Basic` credential.
const BOGUS_BASIC: &str = "d2lyZWZhdWx0OmJvZ3VzLWNyZWRlbnRpYWw=";
/// Most alternatives of one requirement given a bogus credential.
const MAX_ALTERNATIVES: usize = 3;

/// One request of the probe: the user's credentials it keeps, and the
/// bogus ones it adds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Attempt {
    /// For the report: "without a credential", "with a bogus `X-API-Key`".
    pub(crate) what: String,
    /// The user's `-H`/`--cookie` values still sent (not credentials).
    pub(crate) kept: Vec<(String, Secret)>,
    /// Bogus headers added (shown in the report).
    pub(crate) headers: Vec<(String, String)>,
    /// Bogus query parameters added.
    pub(crate) query: Vec<(String, String)>,
    /// `true` for a bogus credential, `false` for none at all.
    pub(crate) bogus: bool,
    /// The `http` auth schemes a 401's challenge should name (`Bearer`).
    pub(crate) challenges: Vec<String>,
}

/// `true` for a user header that may carry a credential (every one but
/// content negotiation and the client's name).
pub(crate) fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    !(name.starts_with("accept")
        || name.starts_with("content-")
        || name == "user-agent"
        || name == "origin")
}

/// The user's values that are not credentials.
fn without_credentials(user: &[(String, Secret)]) -> Vec<(String, Secret)> {
    user.iter()
        .filter(|(n, _)| !is_credential(n))
        .cloned()
        .collect()
}

/// The requests for one operation needing `requirement`, given the user's
/// `-H`/`--cookie` values: without any credential first, then a bogus
/// credential for each alternative the document allows (at most
/// [`MAX_ALTERNATIVES`]), or, without the document's word, a bogus copy of
/// the user's own credentials. Empty when there is nothing to probe.
pub(crate) fn attempts(requirement: &Requirement, user: &[(String, Secret)]) -> Vec<Attempt> {
    let kept = without_credentials(user);
    let user_has_credentials = user.iter().any(|(n, _)| is_credential(n));
    if requirement.is_none() && !user_has_credentials {
        return Vec::new();
    }
    let mut out = vec![Attempt {
        what: "without a credential".to_owned(),
        kept: kept.clone(),
        headers: Vec::new(),
        query: Vec::new(),
        bogus: false,
        challenges: Vec::new(),
    }];
    match requirement {
        Some(alternatives) => {
            for alternative in alternatives.iter().take(MAX_ALTERNATIVES) {
                out.push(bogus_for(alternative, &kept));
            }
        }
        None => out.push(bogus_copy(user, &kept)),
    }
    out
}

/// A bogus credential for each scheme of one alternative.
fn bogus_for(alternative: &[Scheme], kept: &[(String, Secret)]) -> Attempt {
    let mut headers = Vec::new();
    let mut query = Vec::new();
    let mut cookies = Vec::new();
    let mut challenges = Vec::new();
    let mut named = Vec::new();
    for scheme in alternative {
        match &scheme.carrier {
            Carrier::Header(name) => {
                headers.push((name.clone(), BOGUS.to_owned()));
                named.push(format!("`{name}` header"));
            }
            Carrier::Query(name) => {
                query.push((name.clone(), BOGUS.to_owned()));
                named.push(format!("`{name}` query parameter"));
            }
            Carrier::Cookie(name) => {
                cookies.push(format!("{name}={BOGUS}"));
                named.push(format!("`{name}` cookie"));
            }
            Carrier::Authorization(auth) => {
                let value = if auth.eq_ignore_ascii_case("basic") {
                    format!("Basic {BOGUS_BASIC}")
                } else {
                    format!("{} {BOGUS}", title(auth))
                };
                headers.push(("Authorization".to_owned(), value));
                challenges.push(title(auth));
                named.push(format!("`{}` credential", title(auth)));
            }
        }
    }
    if !cookies.is_empty() {
        headers.push(("Cookie".to_owned(), cookies.join("; ")));
    }
    let schemes: Vec<&str> = alternative.iter().map(|s| s.name.as_str()).collect();
    Attempt {
        what: format!(
            "with a bogus {} (security scheme {})",
            named.join(" and "),
            schemes.join(" + ")
        ),
        kept: kept.to_vec(),
        headers,
        query,
        bogus: true,
        challenges,
    }
}

/// The user's credentials with their values made bogus: the auth scheme
/// of `Authorization` and the names of cookies kept.
fn bogus_copy(user: &[(String, Secret)], kept: &[(String, Secret)]) -> Attempt {
    let headers: Vec<(String, String)> = user
        .iter()
        .filter(|(n, _)| is_credential(n))
        .map(|(name, value)| {
            let bogus = if name.eq_ignore_ascii_case("cookie") {
                value
                    .0
                    .split(';')
                    .filter_map(|pair| pair.split_once('=').map(|(n, _)| n.trim()))
                    .map(|n| format!("{n}={BOGUS}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            } else if name.eq_ignore_ascii_case("authorization") {
                match value.0.split_once(' ') {
                    Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => {
                        format!("{scheme} {BOGUS_BASIC}")
                    }
                    Some((scheme, _)) => format!("{scheme} {BOGUS}"),
                    None => BOGUS.to_owned(),
                }
            } else {
                BOGUS.to_owned()
            };
            (name.clone(), bogus)
        })
        .collect();
    let names: Vec<String> = headers.iter().map(|(n, _)| format!("`{n}`")).collect();
    // The scheme of the user's `Authorization`, which a 401 should name.
    let challenges = user
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .filter_map(|(_, v)| v.0.split_once(' ').map(|(scheme, _)| title(scheme)))
        .collect();
    Attempt {
        what: format!("with a bogus copy of the audit's {}", names.join(" and ")),
        kept: kept.to_vec(),
        headers,
        query: Vec::new(),
        bogus: true,
        challenges,
    }
}

/// `bearer` as `Bearer`.
fn title(scheme: &str) -> String {
    let mut chars = scheme.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Judges one operation's answers: `none` to the request without a
/// credential, `bogus` to each bogus one (sent only when the operation is
/// `declared` protected by the document, or `none` was refused with 401 or
/// 403).
///
/// - A bogus credential answered 2xx where none was refused: error, the
///   service checks credentials and lets a bogus one through.
/// - No credential answered 2xx on an operation the document protects:
///   info when a bogus credential is refused (optional authentication, the
///   document should list `{}`); warning otherwise (the check is missing,
///   or the operation is public and the document should say
///   `security: []`: only the document says it is protected).
/// - A 5xx on an operation known to be protected: the client's mistake
///   blamed on the server (WF-HTTP-004).
pub(crate) fn judge(
    none: &Exchange,
    bogus: &[(Attempt, Exchange)],
    declared: bool,
) -> Vec<Finding> {
    let mut findings = http::judge_answer(none);
    for (_, exchange) in bogus {
        findings.extend(http::judge_answer(exchange));
    }
    let Some(without) = none.received.http() else {
        return findings;
    };
    let status = |e: &Exchange| e.received.http().map(|a| a.status);
    let success = |s: Option<u16>| s.is_some_and(|s| (200..300).contains(&s));
    let expected = "HTTP 401 with a WWW-Authenticate challenge, or 403";
    let refused = !success(Some(without.status)) && without.status < 500;
    if declared && success(Some(without.status)) {
        let bogus_refused = bogus
            .iter()
            .any(|(_, e)| status(e).is_some_and(|s| matches!(s, 401 | 403)));
        let finding = Finding::new(
            rules::HTTP_AUTH_2XX,
            none,
            format!(
                "an operation the OpenAPI document protects was answered HTTP {} \
                 without a credential",
                without.status
            ),
            expected,
        );
        findings.push(if bogus_refused {
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
    if declared && without.status >= 500 {
        findings.push(Finding::new(
            rules::HTTP_BODY_5XX,
            none,
            format!(
                "a request without a credential was answered HTTP {}",
                without.status
            ),
            expected,
        ));
    }
    for (attempt, exchange) in bogus {
        let Some(answer) = exchange.received.http() else {
            continue;
        };
        let what = &attempt.what;
        if success(Some(answer.status)) && refused {
            let why = if declared {
                "the OpenAPI document protects this operation"
            } else {
                "the request without the audit's credentials"
            };
            findings.push(Finding::new(
                rules::HTTP_AUTH_2XX,
                exchange,
                format!(
                    "a request {what} was answered HTTP {}; without a credential, HTTP {} \
                     ({why})",
                    answer.status, without.status
                ),
                expected,
            ));
        } else if answer.status >= 500 {
            findings.push(Finding::new(
                rules::HTTP_BODY_5XX,
                exchange,
                format!("a request {what} was answered HTTP {}", answer.status),
                expected,
            ));
        } else if answer.status == 401 && !attempt.challenges.is_empty() {
            let challenge = answer.header("www-authenticate").unwrap_or("");
            if !challenge.is_empty() && !names_scheme(challenge, &attempt.challenges) {
                findings.push(
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
                    ),
                );
            }
        }
    }
    findings
}

/// `true` when a `WWW-Authenticate` value holds a challenge for one of
/// `schemes`: a list item whose first token is not an `auth-param`.
fn names_scheme(challenge: &str, schemes: &[String]) -> bool {
    challenge.split(',').any(|part| {
        let token = part.split_whitespace().next().unwrap_or("");
        !token.contains('=') && schemes.iter().any(|s| token.eq_ignore_ascii_case(s))
    })
}

/// Sends the attempts for one operation and judges them (see [`judge`]):
/// the bogus ones only when the operation is declared protected, or the
/// request without credentials was refused with 401 or 403. `body` is the
/// JSON body of a `POST`/`PUT`/`PATCH`.
pub(crate) async fn run(
    ctx: &Ctx,
    method: &str,
    url: &Url,
    requirement: &Requirement,
    body: Option<String>,
) -> Outcome {
    let declared = requirement.is_some();
    let mut attempts = attempts(requirement, &ctx.auth).into_iter();
    let Some(without) = attempts.next() else {
        return Outcome::default();
    };
    let send = |attempt: &Attempt| {
        let mut target = url.clone();
        if !attempt.query.is_empty() {
            target.query_pairs_mut().extend_pairs(&attempt.query);
        }
        let sent = body.clone().map(|text| ("application/json", text));
        let kept = attempt.kept.clone();
        let headers = attempt.headers.clone();
        async move { http::send_as(ctx, &kept, method, &target, &headers, sent, BODY_LIMIT).await }
    };
    let none = send(&without).await;
    let refused = none
        .received
        .http()
        .is_some_and(|a| matches!(a.status, 401 | 403));
    let mut bogus = Vec::new();
    if declared || refused {
        for attempt in attempts {
            let exchange = send(&attempt).await;
            bogus.push((attempt, exchange));
        }
    }
    judge(&none, &bogus, declared).into()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::finding::{HttpAnswer, Received, SentRequest};

    fn scheme(name: &str, carrier: Carrier) -> Scheme {
        Scheme {
            name: name.into(),
            carrier,
        }
    }

    fn user(pairs: &[(&str, &str)]) -> Vec<(String, Secret)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), Secret((*v).to_owned())))
            .collect()
    }

    fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            request: SentRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/items".into(),
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

    /// The rules found, with their severity.
    fn rated(findings: &[Finding]) -> Vec<(&str, Severity)> {
        findings.iter().map(|f| (f.rule.id, f.severity)).collect()
    }

    #[test]
    fn a_bogus_credential_per_alternative() {
        let requirement = Some(vec![
            vec![scheme("key", Carrier::Header("X-API-Key".into()))],
            vec![
                scheme("q", Carrier::Query("api_key".into())),
                scheme("sid", Carrier::Cookie("sid".into())),
                scheme("basic", Carrier::Authorization("basic".into())),
            ],
        ]);
        let given = user(&[("Authorization", "Bearer real"), ("Accept", "text/csv")]);
        let got = attempts(&requirement, &given);
        assert_eq!(got.len(), 3);
        // Without: the user's credential left out, Accept kept.
        assert!(!got[0].bogus && got[0].headers.is_empty());
        assert_eq!(got[0].kept, user(&[("Accept", "text/csv")]));
        assert_eq!(got[1].headers, [("X-API-Key".into(), BOGUS.into())]);
        assert_eq!(got[2].query, [("api_key".into(), BOGUS.into())]);
        assert_eq!(
            got[2].headers,
            [
                ("Authorization".into(), format!("Basic {BOGUS_BASIC}")),
                ("Cookie".into(), format!("sid={BOGUS}")),
            ]
        );
        assert_eq!(got[2].challenges, ["Basic"]);
        assert!(got[2].what.contains("q + sid + basic"), "{}", got[2].what);
    }

    #[test]
    fn without_the_documents_word_the_users_credentials_are_copied() {
        assert!(attempts(&None, &[]).is_empty());
        assert!(attempts(&None, &user(&[("Accept", "x")])).is_empty());
        let given = user(&[
            ("Authorization", "Token abc"),
            ("Cookie", "a=1; b=2"),
            ("X-API-Key", "k"),
        ]);
        let got = attempts(&None, &given);
        assert_eq!(got.len(), 2);
        assert!(got[0].kept.is_empty());
        assert_eq!(
            got[1].headers,
            [
                ("Authorization".into(), format!("Token {BOGUS}")),
                ("Cookie".into(), format!("a={BOGUS}; b={BOGUS}")),
                ("X-API-Key".into(), BOGUS.into()),
            ]
        );
        assert_eq!(got[1].challenges, ["Token"]);
    }

    #[test]
    fn judgement() {
        let bearer = attempts(
            &Some(vec![vec![scheme(
                "b",
                Carrier::Authorization("bearer".into()),
            )]]),
            &[],
        );
        let bogus = &bearer[1];
        let ct = ("content-type", "application/problem+json");
        let body = r#"{"type":"about:blank","title":"Unauthorized","status":401}"#;
        let challenged = exchange(401, &[ct, ("www-authenticate", "Bearer")], body);
        let ok = exchange(200, &[ct], "[]");
        let crash = exchange(500, &[ct], body);
        let with = |e: &Exchange| vec![(bogus.clone(), e.clone())];
        // Refused both ways: nothing.
        assert!(judge(&challenged, &with(&challenged), true).is_empty());
        assert!(judge(&exchange(403, &[ct], body), &with(&challenged), true).is_empty());
        // Refused without, let in with a bogus one: error, with or without
        // the document's word.
        assert_eq!(
            rated(&judge(&challenged, &with(&ok), true)),
            [("WF-HTTP-011", Severity::Error)]
        );
        assert_eq!(
            rated(&judge(&challenged, &with(&ok), false)),
            [("WF-HTTP-011", Severity::Error)]
        );
        // Let in without: only the document says it is protected.
        assert_eq!(
            rated(&judge(&ok, &with(&ok), true)),
            [("WF-HTTP-011", Severity::Warning)]
        );
        // ... and a bogus credential refused: optional authentication.
        assert_eq!(
            rated(&judge(&ok, &with(&challenged), true)),
            [("WF-HTTP-011", Severity::Info)]
        );
        // Without the document: public.
        assert!(judge(&ok, &[], false).is_empty());
        assert!(judge(&crash, &[], false).is_empty());
        // 5xx: the client's mistake blamed on the server.
        assert_eq!(
            rated(&judge(&challenged, &with(&crash), false)),
            [("WF-HTTP-004", Severity::Error)]
        );
        assert_eq!(
            rated(&judge(&crash, &with(&challenged), true)),
            [("WF-HTTP-004", Severity::Error)]
        );
        // 401 without a challenge is WF-HTTP-009; with another scheme's, info.
        let bare = exchange(401, &[ct], body);
        assert_eq!(
            rated(&judge(&bare, &[], true)),
            [("WF-HTTP-009", Severity::Warning)]
        );
        let basic = exchange(
            401,
            &[ct, ("www-authenticate", "Basic realm=\"a, b\"")],
            body,
        );
        assert_eq!(
            rated(&judge(&challenged, &with(&basic), true)),
            [("WF-HTTP-009", Severity::Info)]
        );
        let both = exchange(
            401,
            &[
                ct,
                (
                    "www-authenticate",
                    "Basic realm=x, bearer error=\"invalid_token\"",
                ),
            ],
            body,
        );
        assert!(judge(&challenged, &with(&both), true).is_empty());
        // 404 and other refusals are not judged here.
        let gone = exchange(404, &[ct], body);
        assert!(judge(&gone, &with(&gone), true).is_empty());
    }
}
