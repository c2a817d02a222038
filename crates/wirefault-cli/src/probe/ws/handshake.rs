//! Probes of the opening handshake: a foreign `Origin` (WF-WS-001), and a
//! credential in the query string replaced by a bogus value or left out.

use std::time::{Duration, Instant};

use super::judge::{self, Ambient, SentCookie, TokenAnswer};
use super::send::{open, Credentials};
use super::Endpoint;
use crate::finding::{Exchange, Finding, Outcome, Received, Skipped};
use crate::model::cookies::{self, SetCookie};
use crate::probe::wsclient::{Event, Handshake};
use crate::probe::{http, Ctx, FOREIGN_ORIGIN};
use crate::rules;

/// Query parameters named like a credential.
const TOKEN_PARAMS: [&str; 7] = [
    "token",
    "access_token",
    "api_key",
    "key",
    "auth",
    "jwt",
    "ticket",
];
/// The value put in their place.
const BOGUS_TOKEN: &str = "wirefault-bogus-token";

/// The credential given to the audit that a browser sends by itself, if any:
/// its cookies, each with the `SameSite` of the target's `Set-Cookie` of
/// that name in `set_cookies`.
fn ambient(ctx: &Ctx, set_cookies: &[SetCookie]) -> Option<Ambient> {
    if ctx.has_cookie {
        let sent = ctx
            .auth
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, value)| cookies::names(&value.0))
            .map(|name| SentCookie {
                same_site: set_cookies
                    .iter()
                    .find(|c| c.name == name)
                    .map(|c| c.same_site),
                name,
            })
            .collect();
        return Some(Ambient::Cookie(sent));
    }
    let basic = ctx
        .auth
        .iter()
        .any(|(name, value)| {
            name.eq_ignore_ascii_case("authorization")
                && value
                    .0
                    .trim_start()
                    .get(..6)
                    .is_some_and(|s| s.eq_ignore_ascii_case("basic "))
        })
        .then_some(Ambient::Basic);
    basic.or(ctx.has_client_cert.then_some(Ambient::ClientCert))
}

/// Handshake from [`FOREIGN_ORIGIN`]: must be refused before the upgrade
/// when the socket authenticates with credentials the browser sends by
/// itself (cookies, HTTP Basic, a client certificate). Rated by what the
/// audit could see. (The handshake without credentials still presents the
/// client certificate: it is part of the TLS setup of every probe.)
/// `set_cookies`: the `Set-Cookie`s the audit saw on the HTTP answers.
pub(crate) async fn foreign_origin(
    ctx: &Ctx,
    endpoint: &Endpoint,
    set_cookies: &[SetCookie],
) -> Outcome {
    let url = &endpoint.url;
    let (request, handshake) =
        open(ctx, endpoint, url, Some(FOREIGN_ORIGIN), Credentials::Given).await;
    match handshake {
        Handshake::Upgraded(mut conn) => {
            conn.close(ctx.timeout.min(Duration::from_millis(500)))
                .await;
        }
        Handshake::Refused(answer) => {
            return http::judge_answer(&Exchange {
                request,
                received: Received::Http(answer),
            })
            .into();
        }
        Handshake::Failed(why) => {
            return Outcome {
                skipped: vec![Skipped {
                    rules: vec![rules::WS_FOREIGN_ORIGIN.id],
                    target: url.to_string(),
                    reason: format!("the foreign-origin handshake failed: {why}"),
                }],
                ..Outcome::default()
            };
        }
    }
    // Does the socket need the credentials the audit was given?
    let refused_without = if ctx.auth.is_empty() {
        None
    } else {
        let (_, bare) = open(
            ctx,
            endpoint,
            url,
            Some(FOREIGN_ORIGIN),
            Credentials::Without,
        )
        .await;
        match bare {
            Handshake::Upgraded(mut conn) => {
                conn.close(ctx.timeout.min(Duration::from_millis(500)))
                    .await;
                Some(false)
            }
            Handshake::Refused(_) => Some(true),
            // No answer at all (a timeout, a reset): unknown.
            Handshake::Failed(_) => None,
        }
    };
    let (severity, context) =
        judge::foreign_origin_rating(ambient(ctx, set_cookies), refused_without);
    let exchange = Exchange {
        request,
        received: Received::WebSocket {
            transcript: vec!["upgraded for a foreign origin".into()],
        },
    };
    vec![Finding::new(
        rules::WS_FOREIGN_ORIGIN,
        &exchange,
        format!("the handshake with Origin: {FOREIGN_ORIGIN} was accepted (101)"),
        "HTTP 403 before the upgrade for an origin not in the allowlist",
    )
    .rated(severity, context)]
    .into()
}

/// The URL's query parameters named like a credential.
fn token_params(url: &reqwest::Url) -> Vec<String> {
    let mut names: Vec<String> = url
        .query_pairs()
        .map(|(name, _)| name.into_owned())
        .filter(|name| TOKEN_PARAMS.contains(&name.to_ascii_lowercase().as_str()))
        .collect();
    names.dedup();
    names
}

/// `url` with the parameter `name` set to `value`, or removed (`None`).
fn with_param(url: &reqwest::Url, name: &str, value: Option<&str>) -> reqwest::Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(n, _)| n != name)
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let mut out = url.clone();
    out.set_query(None);
    {
        let mut query = out.query_pairs_mut();
        for (n, v) in &pairs {
            query.append_pair(n, v);
        }
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    if out.query() == Some("") {
        out.set_query(None);
    }
    out
}

/// For each query parameter named like a credential: the handshake with a
/// bogus value, and without it. The right answer is a refusal before the
/// upgrade; what happens after a 101 is judged ([`judge::token`]).
pub(crate) async fn token_probes(ctx: &Ctx, endpoint: &Endpoint) -> Outcome {
    let mut outcome = Outcome::default();
    let wait = (ctx.timeout / 4).min(Duration::from_secs(1));
    for name in token_params(&endpoint.url) {
        let tries = [
            (
                with_param(&endpoint.url, &name, Some(BOGUS_TOKEN)),
                format!("a bogus `{name}`"),
            ),
            (
                with_param(&endpoint.url, &name, None),
                format!("no `{name}`"),
            ),
        ];
        for (url, what) in tries {
            let (request, handshake) = open(
                ctx,
                endpoint,
                &url,
                ctx.origin.as_deref(),
                Credentials::Given,
            )
            .await;
            let (answer, transcript) = match handshake {
                Handshake::Refused(answer) => (TokenAnswer::Refused(answer.status), Vec::new()),
                Handshake::Failed(_) => continue,
                Handshake::Upgraded(mut conn) => {
                    let deadline = Instant::now() + wait;
                    let mut transcript = Vec::new();
                    let event = loop {
                        match conn.next_event(deadline).await {
                            Event::Text(text) => transcript
                                .push(format!("← text: {}", crate::finding::shorten(&text))),
                            Event::Binary(n) => transcript.push(format!("← binary: {n} bytes")),
                            Event::Elided(_) => {}
                            other => break other,
                        }
                    };
                    let end = super::send::End::Event(event.clone());
                    transcript.push(super::send::describe_end(&end, wait, 0));
                    conn.close(Duration::from_millis(200)).await;
                    (TokenAnswer::Upgraded(event), transcript)
                }
            };
            let exchange = Exchange {
                request,
                received: Received::WebSocket { transcript },
            };
            match judge::token(&exchange, &what, &answer) {
                Ok(finding) => outcome.findings.push(finding),
                Err(why) if why.is_empty() => {}
                Err(why) => outcome.skipped.push(Skipped {
                    rules: vec![rules::WS_HTTP_AFTER_UPGRADE.id],
                    target: url.to_string(),
                    reason: why,
                }),
            }
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn credential_params_are_found_and_replaced() {
        let url = reqwest::Url::parse("http://h/live?room=a&Token=t0k3n").unwrap();
        assert_eq!(token_params(&url), ["Token"]);
        assert_eq!(
            with_param(&url, "Token", Some(BOGUS_TOKEN)).as_str(),
            "http://h/live?room=a&Token=wirefault-bogus-token"
        );
        assert_eq!(
            with_param(&url, "Token", None).as_str(),
            "http://h/live?room=a"
        );
        let only = reqwest::Url::parse("http://h/ws?jwt=x").unwrap();
        assert_eq!(with_param(&only, "jwt", None).as_str(), "http://h/ws");
        assert!(token_params(&reqwest::Url::parse("http://h/ws?room=1").unwrap()).is_empty());
    }
}
