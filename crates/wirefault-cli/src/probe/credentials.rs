//! Credential probes: a protected operation sent without its credential,
//! and with a bogus one. 401 (with a challenge) or 403 is expected; a 2xx
//! lets anyone in, a 5xx blames the server for the client's mistake (the
//! judgement, by the evidence: [`crate::checks::credentials`]).
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

use super::observe::{observe_as, Observation, Probe};
use super::security::{Carrier, Requirement, Scheme};
use super::Ctx;
use crate::cli::Secret;

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
    /// `true` when the OpenAPI document says the operation is protected.
    pub(crate) declared: bool,
    /// `METHOD URL` of the operation, without a bogus query parameter: the
    /// attempts on one operation are judged together.
    pub(crate) operation: String,
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
        declared: requirement.is_some(),
        operation: String::new(),
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
        declared: true,
        operation: String::new(),
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
        declared: false,
        operation: String::new(),
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

/// Sends the attempts for one operation: without a credential first,
/// then the bogus ones, only when the operation is declared protected or
/// the request without credentials was refused with 401 or 403. `body` is
/// the JSON body of a `POST`/`PUT`/`PATCH`. Judged in
/// [`crate::checks::credentials`].
pub(crate) async fn run(
    ctx: &Ctx,
    method: &str,
    url: &Url,
    requirement: &Requirement,
    body: Option<String>,
) -> Vec<Observation> {
    let operation = format!("{method} {url}");
    let mut observations = Vec::new();
    for mut attempt in attempts(requirement, &ctx.auth) {
        if let Some(without) = observations.first() {
            let refused = first_status(without).is_some_and(|s| matches!(s, 401 | 403));
            if !(attempt.declared || refused) {
                break;
            }
        }
        attempt.operation.clone_from(&operation);
        let mut target = url.clone();
        if !attempt.query.is_empty() {
            target.query_pairs_mut().extend_pairs(&attempt.query);
        }
        let sent = body.clone().map(|text| ("application/json", text));
        let (kept, headers) = (attempt.kept.clone(), attempt.headers.clone());
        let probe = Probe::Credential(Box::new(attempt));
        let observation = observe_as(ctx, &kept, &headers, probe, method, &target, sent).await;
        let stop = observation.not_run;
        observations.push(observation);
        if stop {
            break;
        }
    }
    observations
}

/// The status of an observation's first answer (before any redirect: a
/// redirect to a sign-in page is a refusal).
pub(crate) fn first_status(observation: &Observation) -> Option<u16> {
    observation.first()?.received.http().map(|a| a.status)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
}
