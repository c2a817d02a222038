//! Sending HTTP probes, and what they send: the unknown paths, the wrong
//! method, the bad bodies. Nothing here judges an answer (see `checks`).
//!
//! The wrong-method probe sends `TRACE`: it is a safe method (RFC 9110
//! 9.3.8), so it changes nothing even on a server that does implement it,
//! unlike `POST`, and it is not one of the destructive methods (`PUT`,
//! `PATCH`, `DELETE`) either. It goes to paths known to answer `GET`: the
//! base URL and the `--ws` paths when their `GET` is not 404/405, and the
//! OpenAPI document's parameter-free `GET` paths. A 405 must carry `Allow`;
//! 501 (method not implemented by the server at all, RFC 9110 15.6.2) is also
//! correct; 401/403 are not judged, as authentication may run before routing.

use reqwest::{Method, Url};

use super::{openapi::Operation, Ctx};
use crate::finding::{Exchange, HttpAnswer, Received, SentRequest, BODY_LIMIT};

/// The checks every answer gets, for the probes that judge where they send
/// (a refused WebSocket handshake).
pub(crate) use crate::checks::judge_answer;

/// The path segment used for the unknown-path probe, joined to the base URL.
pub(crate) const UNKNOWN_PATH: &str = "wirefault-probe-no-such-path";
/// A JSON body cut in the middle: not JSON.
pub(crate) const MALFORMED_JSON: &str = "{\"wirefault\": ";
/// The method of the wrong-method probe.
pub(crate) const WRONG_METHOD: &str = "TRACE";
/// A second unknown segment: a fallback answers it with the same document
/// as [`UNKNOWN_PATH`], a route that uses the segment does not.
pub(crate) const UNKNOWN_PATH_2: &str = "wirefault-probe-other-missing-path";
/// The `Accept` header of every probe, unless the user sets one.
pub(crate) const API_ACCEPT: &str = "application/json";

/// Sends one request and records the exchange, keeping at most
/// [`BODY_LIMIT`] bytes of the answer; never fails. Nothing is sent once
/// the target stopped accepting connections (see [`super::liveness`]).
pub(crate) async fn send(
    ctx: &Ctx,
    method: &str,
    url: &Url,
    extra: &[(String, String)],
    body: Option<(&str, String)>,
) -> Exchange {
    send_keeping(ctx, method, url, extra, body, BODY_LIMIT).await
}

/// [`send`], keeping at most `limit` bytes of the answer (an OpenAPI
/// document is bigger than an error body).
pub(crate) async fn send_keeping(
    ctx: &Ctx,
    method: &str,
    url: &Url,
    extra: &[(String, String)],
    body: Option<(&str, String)>,
    limit: usize,
) -> Exchange {
    send_as(ctx, &ctx.auth, method, url, extra, body, limit).await
}

/// [`send_keeping`] with `auth` (shown redacted) in place of the user's
/// `--header` and `--cookie` values: the credential probes leave some out.
pub(crate) async fn send_as(
    ctx: &Ctx,
    auth: &[(String, crate::cli::Secret)],
    method: &str,
    url: &Url,
    extra: &[(String, String)],
    body: Option<(&str, String)>,
    limit: usize,
) -> Exchange {
    let user_agent = concat!("wirefault/", env!("CARGO_PKG_VERSION"));
    let mut shown = vec![("User-Agent".to_owned(), user_agent.to_owned())];
    // Probes ask for JSON, as an API client does; the probe's own or the
    // user's Accept wins.
    let has_accept = extra
        .iter()
        .map(|(n, _)| n)
        .chain(auth.iter().map(|(n, _)| n))
        .any(|n| n.eq_ignore_ascii_case("accept"));
    if !has_accept {
        shown.push(("Accept".to_owned(), API_ACCEPT.to_owned()));
    }
    // The user's Accept wins over the probe's own too.
    let user_accept = auth.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept"));
    let extra: Vec<&(String, String)> = extra
        .iter()
        .filter(|(n, _)| !(user_accept && n.eq_ignore_ascii_case("accept")))
        .collect();
    shown.extend(extra.iter().map(|h| (*h).clone()));
    shown.extend(
        auth.iter()
            .map(|(n, _)| (n.clone(), super::REDACTED.to_owned())),
    );
    let method_value = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    let mut builder = ctx
        .client
        .request(method_value, url.clone())
        .header("user-agent", user_agent);
    if !has_accept {
        builder = builder.header("accept", API_ACCEPT);
    }
    for (name, value) in extra {
        builder = builder.header(name.as_str(), value.as_str());
    }
    for (name, value) in auth {
        builder = builder.header(name.as_str(), value.0.as_str());
    }
    let mut shown_body = None;
    if let Some((content_type, text)) = body {
        shown.push(("Content-Type".to_owned(), content_type.to_owned()));
        builder = builder
            .header("content-type", content_type)
            .body(text.clone());
        shown_body = Some(text);
    }
    let request = SentRequest {
        method: method.to_owned(),
        url: url.to_string(),
        headers: shown,
        body: shown_body,
    };
    if ctx.liveness.is_dead() {
        return super::liveness::not_run_exchange(request);
    }
    let order = ctx.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    match receive(builder, limit).await {
        Ok(answer) => {
            let exchange = Exchange {
                request,
                received: Received::Http(answer),
            };
            ctx.liveness.answered(order, &exchange);
            exchange
        }
        Err((error, at_connect)) => {
            let exchange = Exchange {
                request,
                received: Received::Nothing { error },
            };
            let gone = super::liveness::is_refused(url, ctx.timeout).await;
            ctx.liveness.failed(order, &exchange, at_connect, gone);
            exchange
        }
    }
}

/// The answer, or why there is none and whether it failed at connect time.
async fn receive(
    builder: reqwest::RequestBuilder,
    limit: usize,
) -> Result<HttpAnswer, (String, bool)> {
    let mut response = builder
        .send()
        .await
        .map_err(|e| (describe(&e), e.is_connect()))?;
    let status = response.status().as_u16();
    let headers = header_pairs(response.headers());
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                return Err((
                    format!("HTTP {status}, then the body failed: {}", describe(&e)),
                    false,
                ))
            }
        }
    }
    bytes.truncate(limit);
    Ok(HttpAnswer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// Headers as (lowercase name, lossily decoded value) pairs, in order.
pub(crate) fn header_pairs(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// An error with its chain of causes, one line.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A body that must be refused: what it is, and the text.
#[derive(Debug, Clone)]
pub(crate) struct BadBody {
    /// What is wrong with it, e.g. "a body that is not JSON".
    pub(crate) what: String,
    /// The JSON text sent.
    pub(crate) text: String,
    /// `true` when the schema (or JSON itself) makes it invalid, so a 2xx is
    /// wrong; `false` when only a 5xx can be judged (no schema to say).
    pub(crate) invalid: bool,
}

/// The bad bodies every operation with a JSON body gets: malformed JSON,
/// and JSON of the wrong shape when the schema says enough.
pub(crate) fn bad_bodies(op: &Operation) -> Vec<BadBody> {
    let mut bodies = vec![BadBody {
        what: "a body that is not JSON".to_owned(),
        text: MALFORMED_JSON.to_owned(),
        invalid: true,
    }];
    if let Some(text) = op.invalid_body() {
        bodies.push(BadBody {
            what: "JSON that does not match the schema".to_owned(),
            text,
            invalid: true,
        });
    }
    bodies
}
