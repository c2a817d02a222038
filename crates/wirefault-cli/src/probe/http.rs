//! HTTP probes: unknown path, wrong method, bad bodies, and the checks every
//! error response gets (body, machine-readable type, leaks, required headers).
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
use crate::finding::{Exchange, Finding, HttpAnswer, Received, SentRequest, BODY_LIMIT};
use crate::rules::{self, Severity};

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
/// [`BODY_LIMIT`] bytes of the answer; never fails.
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
    let user_agent = concat!("wirefault/", env!("CARGO_PKG_VERSION"));
    let mut shown = vec![("User-Agent".to_owned(), user_agent.to_owned())];
    // Probes ask for JSON, as an API client does; the probe's own or the
    // user's Accept wins.
    let has_accept = extra
        .iter()
        .map(|(n, _)| n)
        .chain(ctx.auth.iter().map(|(n, _)| n))
        .any(|n| n.eq_ignore_ascii_case("accept"));
    if !has_accept {
        shown.push(("Accept".to_owned(), API_ACCEPT.to_owned()));
    }
    // The user's Accept wins over the probe's own too.
    let user_accept = ctx
        .auth
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("accept"));
    let extra: Vec<&(String, String)> = extra
        .iter()
        .filter(|(n, _)| !(user_accept && n.eq_ignore_ascii_case("accept")))
        .collect();
    shown.extend(extra.iter().map(|h| (*h).clone()));
    shown.extend(ctx.shown_auth());
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
    for (name, value) in &ctx.auth {
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
    ctx.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let received = match receive(builder, limit).await {
        Ok(answer) => Received::Http(answer),
        Err(error) => Received::Nothing { error },
    };
    Exchange { request, received }
}

async fn receive(builder: reqwest::RequestBuilder, limit: usize) -> Result<HttpAnswer, String> {
    let mut response = builder.send().await.map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let headers = header_pairs(response.headers());
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => {
                return Err(format!(
                    "HTTP {status}, then the body failed: {}",
                    describe(&e)
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

/// `true` when a `GET` answer shows the path exists.
pub(crate) fn is_known(exchange: &Exchange) -> bool {
    exchange
        .received
        .http()
        .is_some_and(|a| a.status != 404 && a.status != 405 && a.status != 410)
}

/// The checks every HTTP answer gets: error bodies, leaks, required headers.
pub(crate) fn judge_answer(exchange: &Exchange) -> Vec<Finding> {
    let Some(answer) = exchange.received.http() else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    let status = answer.status;
    // A refused WebSocket handshake's body never reaches a browser script.
    let handshake = exchange
        .request
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("upgrade") && v.eq_ignore_ascii_case("websocket"));
    if status >= 400 {
        if answer.body.trim().is_empty() {
            findings.push(Finding::new(
                rules::HTTP_ERROR_NO_BODY,
                exchange,
                format!("HTTP {status} with an empty body"),
                "an application/problem+json body saying what went wrong",
            ));
        } else {
            findings.extend(judge_error_body(exchange, answer));
        }
    }
    if status >= 500 {
        if let Some(marker) = super::leak::find(&answer.body) {
            findings.push(Finding::new(
                rules::HTTP_5XX_LEAK,
                exchange,
                format!("HTTP {status} body shows internals: {marker}"),
                "a generic title and a request id; the details in the server log",
            ));
        }
    }
    // The headers each status requires, as the core states them.
    let required = reqwest::StatusCode::from_u16(status)
        .map(wirefault::spec::required_headers)
        .unwrap_or_default();
    for name in required {
        if answer.header(name.as_str()).is_some() {
            continue;
        }
        use reqwest::header::{ALLOW, RETRY_AFTER, WWW_AUTHENTICATE};
        let (rule, expected) = if name == WWW_AUTHENTICATE {
            (
                rules::HTTP_401_NO_CHALLENGE,
                "WWW-Authenticate naming the scheme, e.g. `Bearer` or `Cookie realm=\"api\"`",
            )
        } else if name == RETRY_AFTER {
            (
                rules::HTTP_NO_RETRY_AFTER,
                "Retry-After: <seconds> (or an HTTP date)",
            )
        } else if name == ALLOW {
            (
                rules::HTTP_405_NO_ALLOW,
                "Allow listing the methods the path supports, e.g. `Allow: GET, HEAD`",
            )
        } else {
            // 426 is never probed for; no rule judges `Upgrade`.
            continue;
        };
        findings.push(Finding::new(
            rule,
            exchange,
            format!("HTTP {status} without {}", header_title(name.as_str())),
            expected,
        ));
    }
    if handshake {
        // A recommendation there: the page sees only a failed socket, not
        // the body nor a 401's challenge (the `ws` README refuses with a
        // bare `HTTP/1.1 401 Unauthorized`; a token in the query has no
        // HTTP scheme to name). Leaks and Retry-After keep their rating.
        let shown_to_no_page = [
            rules::HTTP_ERROR_NO_BODY.id,
            rules::HTTP_ERROR_NOT_TYPED.id,
            rules::HTTP_401_NO_CHALLENGE.id,
        ];
        for finding in &mut findings {
            if shown_to_no_page.contains(&finding.rule.id) {
                finding.severity = Severity::Info;
                finding.context = Some(
                    "a refused WebSocket handshake: the browser never shows its body or headers"
                        .into(),
                );
            }
        }
    }
    findings
}

/// WF-HTTP-007 on an error body that is not empty, rated by what the body
/// is for: an API's text is a warning; a page for people, a framework's
/// stock reason phrase, and JSON that is not problem+json are info.
fn judge_error_body(exchange: &Exchange, answer: &HttpAnswer) -> Option<Finding> {
    let expected = "application/problem+json (or JSON) with a type, status or code field";
    match machine_readable(answer) {
        Readable::Problem => None,
        Readable::Json => Some(
            Finding::new(
                rules::HTTP_ERROR_NOT_TYPED,
                exchange,
                "the JSON error body is not application/problem+json",
                "application/problem+json (RFC 9457) with type, title and status",
            )
            .rated(
                Severity::Info,
                "descriptive JSON (such as FastAPI's {\"detail\": ...}): programs can read it",
            ),
        ),
        Readable::No(why) => {
            let finding = Finding::new(rules::HTTP_ERROR_NOT_TYPED, exchange, why, expected);
            Some(match body_kind(answer) {
                BodyKind::Api => finding,
                BodyKind::Page => finding.rated(
                    Severity::Info,
                    "HTML answered to Accept: application/json: a page for people, not an API",
                ),
                BodyKind::PlainDefault => finding.rated(
                    Severity::Info,
                    "the framework's stock plain-text answer (the reason phrase)",
                ),
            })
        }
    }
}

/// `www-authenticate` as `WWW-Authenticate`, for messages.
fn header_title(name: &str) -> String {
    match name {
        "www-authenticate" => "WWW-Authenticate".to_owned(),
        _ => name
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

/// What an error body is for, as far as WF-HTTP-007 is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// Meant for programs: judged.
    Api,
    /// HTML answered to `Accept: application/json`: a page for people.
    Page,
    /// A framework's stock plain-text answer (`Not Found`, `Internal Server
    /// Error`): the reason phrase, nothing more to read.
    PlainDefault,
}

/// Tells an API error body from a page and a framework's plain default.
pub(crate) fn body_kind(answer: &HttpAnswer) -> BodyKind {
    let content_type = answer
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("text/html") || content_type.starts_with("application/xhtml") {
        return BodyKind::Page;
    }
    let text = answer.body.trim();
    let reason = reqwest::StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let stock = text.eq_ignore_ascii_case(reason)
        || (answer.status == 404 && text.eq_ignore_ascii_case("404 page not found"))
        || text.starts_with("Cannot ") && text.len() < 200 && !text.contains('\n');
    if content_type.starts_with("text/plain") && stock {
        BodyKind::PlainDefault
    } else {
        BodyKind::Api
    }
}

/// How readable an error body is for a program.
#[derive(Debug, PartialEq, Eq)]
enum Readable {
    /// Problem details (RFC 9457), JSON or XML.
    Problem,
    /// A JSON object with a descriptive field, not problem details.
    Json,
    /// Not machine-readable, and why (naming no status, so one cause reads
    /// the same on every path).
    No(String),
}

/// Judges an error body's format.
fn machine_readable(answer: &HttpAnswer) -> Readable {
    let content_type = answer
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    if !(essence == "application/json" || essence.ends_with("+json")) {
        if essence == "application/problem+xml" {
            return Readable::Problem;
        }
        let shown = if essence.is_empty() {
            "no content type".to_owned()
        } else {
            essence
        };
        return Readable::No(format!("the error body is {shown}, not JSON"));
    }
    let value: serde_json::Value = match serde_json::from_str(&answer.body) {
        Ok(value) => value,
        Err(e) => {
            return Readable::No(format!(
                "the body is labelled {essence} but does not parse: {e}"
            ))
        }
    };
    let Some(object) = value.as_object() else {
        return Readable::No("the JSON body is not an object".to_owned());
    };
    // Descriptive JSON counts: FastAPI's `{"detail": ...}` is what the
    // framework documents, and a program can read it.
    if !DESCRIPTIVE_FIELDS.iter().any(|k| object.contains_key(*k)) {
        Readable::No(format!(
            "the JSON error body has none of the fields {}",
            DESCRIPTIVE_FIELDS.join(", ")
        ))
    } else if essence == wirefault::spec::PROBLEM_JSON {
        Readable::Problem
    } else {
        Readable::Json
    }
}

/// Fields that make a JSON error body readable by a program.
const DESCRIPTIVE_FIELDS: &[&str] = &[
    "type", "status", "code", "error", "errors", "detail", "message", "title",
];

/// `GET` on two paths that cannot exist: 404 (or 410) expected.
///
/// A 2xx is a catch-all only when it does not use the segment: a fallback
/// serves the same document whatever the path, while a `/{name}` route
/// (a greeting) answers each path with its own segment in it.
///
/// `api_unknown` is the answer to an unknown path under the API's prefix
/// (`/api/wirefault-probe-no-such-path`), when the API paths share one: a
/// page served for unknown paths outside the API while the API answers 404
/// is a single-page app's fallback for its client-side routes, rated info.
pub(crate) fn judge_unknown_path(
    first: &Exchange,
    second: &Exchange,
    api_unknown: Option<&Exchange>,
) -> Vec<Finding> {
    let mut findings = judge_answer(first);
    let (Some(a), Some(b)) = (first.received.http(), second.received.http()) else {
        return findings;
    };
    // 429 and 503 say the service is throttling or down, not how it
    // routes (their own headers are judged by `judge_answer`).
    if matches!(a.status, 404 | 410 | 401 | 403 | 429 | 503) {
        return findings;
    }
    let uses_segment = (200..300).contains(&a.status)
        && (200..300).contains(&b.status)
        && a.body != b.body
        && a.body.contains(UNKNOWN_PATH)
        && b.body.contains(UNKNOWN_PATH_2);
    if !uses_segment {
        let same = if a.status == b.status && a.body == b.body {
            " (the same answer for another unknown path)"
        } else {
            ""
        };
        let finding = Finding::new(
            rules::HTTP_UNKNOWN_PATH,
            first,
            format!("an unknown path was answered HTTP {}{same}", a.status),
            "HTTP 404 with a problem+json body",
        );
        let api_404 = api_unknown
            .and_then(|e| e.received.http())
            .filter(|api| matches!(api.status, 404 | 410 | 401 | 403));
        let page = (200..300).contains(&a.status) && body_kind(a) == BodyKind::Page;
        findings.push(match (page, api_404, api_unknown) {
            (true, Some(api), Some(api_exchange)) => finding.rated(
                Severity::Info,
                format!(
                    "a page served outside the API (a single-page app's fallback for its \
                     client-side routes); the API's unknown path {} is answered HTTP {}",
                    api_exchange.request.url, api.status
                ),
            ),
            _ => finding,
        });
    }
    findings
}

/// `GET` with path parameters that name nothing: 404 or 410 expected,
/// never 2xx (unless the answer uses the value: a route that takes any
/// name) nor 5xx.
pub(crate) fn judge_missing_resource(exchange: &Exchange, values: &[String]) -> Vec<Finding> {
    let mut findings = judge_answer(exchange);
    let Some(answer) = exchange.received.http() else {
        return findings;
    };
    let echoed = values.iter().any(|v| answer.body.contains(v.as_str()));
    let success = (200..300).contains(&answer.status);
    if answer.status >= 500 || (success && !echoed) {
        let finding = Finding::new(
            rules::HTTP_UNKNOWN_PATH,
            exchange,
            format!(
                "a resource that does not exist ({}) was answered HTTP {}",
                values.join(", "),
                answer.status
            ),
            "HTTP 404 (or 410) with a problem+json body",
        );
        // A JSON list is a collection: a search or a filter by the
        // parameter (`/search/{q}`, `/tags/{tag}/posts`), for which "no
        // match" is an empty list, not a missing resource.
        findings.push(if success && is_json_list(&answer.body) {
            finding.rated(
                Severity::Info,
                concat!(
                    "the answer is a list: a search or filter by this value finds nothing, ",
                    "which is not an error; if the path names a parent resource, 404 would ",
                    "tell clients it does not exist"
                ),
            )
        } else {
            finding
        });
    }
    findings
}

/// Whether `body` is a JSON list: an array, or a page of one (an object
/// holding an empty array beside scalars only, `{"items":[],"total":0}`).
fn is_json_list(body: &str) -> bool {
    use serde_json::Value;
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(_)) => true,
        Ok(Value::Object(members)) => {
            members
                .values()
                .any(|v| v.as_array().is_some_and(Vec::is_empty))
                && members.values().all(|v| match v {
                    Value::Array(items) => items.is_empty(),
                    Value::Object(_) => false,
                    _ => true,
                })
        }
        _ => false,
    }
}

/// A path or query parameter of the wrong type: 400, 404 or 422 expected,
/// never 5xx.
pub(crate) fn judge_wrong_type(exchange: &Exchange, param: &str) -> Vec<Finding> {
    let mut findings = judge_answer(exchange);
    if let Some(answer) = exchange.received.http() {
        if answer.status >= 500 {
            findings.push(Finding::new(
                rules::HTTP_BODY_5XX,
                exchange,
                format!(
                    "the parameter `{param}` with a value of the wrong type was answered HTTP {}",
                    answer.status
                ),
                "HTTP 400, 404 or 422 with problem+json details",
            ));
        }
    }
    findings
}

/// A method the path does not support (`TRACE` on a path known to answer
/// `GET`, or one the document does not list): 405 with `Allow` expected.
///
/// `not_found` are the service's answers to unknown paths (at the root, and
/// under the API's prefix): a 404 that is the same answer as one of them
/// (the path and the method aside) comes from a router
/// without 405 (Express, whose own 404 handler answers every unmatched
/// method and path), and is rated info, like the framework's stock page.
pub(crate) fn judge_wrong_method(exchange: &Exchange, not_found: &[&Exchange]) -> Vec<Finding> {
    let mut findings = judge_answer(exchange);
    let Some(answer) = exchange.received.http() else {
        return findings;
    };
    match answer.status {
        // A 405 without `Allow` is reported by `judge_answer`; 400, 401 and
        // 403 may come from middleware that runs before routing.
        405 | 501 | 400 | 401 | 403 => {}
        status => {
            let finding = Finding::new(
                rules::HTTP_WRONG_METHOD,
                exchange,
                format!(
                    "{} on a path that does not support it was answered HTTP {status}",
                    exchange.request.method
                ),
                "HTTP 405 with an Allow header",
            );
            // A framework without 405 support (Express) answers with its
            // stock 404 page: less than the spec, but nothing a client is
            // misled by.
            let stock_404 = status == 404 && body_kind(answer) != BodyKind::Api;
            let own_404 =
                status == 404 && not_found.iter().any(|other| same_answer(exchange, other));
            findings.push(if stock_404 {
                finding.rated(
                    Severity::Info,
                    "the framework's stock 404 page: it has no 405 for a known path",
                )
            } else if own_404 {
                finding.rated(
                    Severity::Info,
                    "the service's own answer for an unknown path: its router has no 405 \
                     (as Express), and the client is told plainly",
                )
            } else {
                finding
            });
        }
    }
    findings
}

/// `true` when two answers are the same but for the request's path and
/// method (`Cannot TRACE /notes` and `Cannot GET /missing`; `{"error": "Not
/// found", "path": ...}`): the same status, media type and body.
fn same_answer(a: &Exchange, b: &Exchange) -> bool {
    let (Some(x), Some(y)) = (a.received.http(), b.received.http()) else {
        return false;
    };
    let media = |answer: &HttpAnswer| {
        let value = answer.header("content-type").unwrap_or("");
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    // The body with what the request named left out.
    let generic = |exchange: &Exchange, answer: &HttpAnswer| {
        let path = Url::parse(&exchange.request.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default();
        let mut body = answer.body.trim().to_owned();
        if path.len() > 1 {
            body = body.replace(&path, "{path}");
        }
        body.replace(&exchange.request.method, "{method}")
    };
    x.status == y.status && media(x) == media(y) && generic(a, x) == generic(b, y)
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

/// A malformed or invalid body: 4xx expected.
pub(crate) fn judge_bad_body(exchange: &Exchange, body: &BadBody) -> Vec<Finding> {
    let mut findings = judge_answer(exchange);
    let Some(answer) = exchange.received.http() else {
        return findings;
    };
    let what = &body.what;
    let expected = "HTTP 400 (malformed) or 422 (invalid), with problem+json details";
    if answer.status >= 500 {
        findings.push(Finding::new(
            rules::HTTP_BODY_5XX,
            exchange,
            format!("{what} was answered HTTP {}", answer.status),
            expected,
        ));
    } else if body.invalid && (200..300).contains(&answer.status) {
        findings.push(Finding::new(
            rules::HTTP_BODY_2XX,
            exchange,
            format!("{what} was accepted with HTTP {}", answer.status),
            expected,
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn exchange(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            request: SentRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/".into(),
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

    /// The rules found at warning or above.
    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f.severity > Severity::Info)
            .map(|f| f.rule.id)
            .collect()
    }

    /// Every finding with its severity.
    fn rated(findings: &[Finding]) -> Vec<(&str, Severity)> {
        findings.iter().map(|f| (f.rule.id, f.severity)).collect()
    }

    const PROBLEM: &str = r#"{"type":"about:blank","title":"Not Found","status":404}"#;

    #[test]
    fn problem_json_error_is_fine() {
        let e = exchange(
            404,
            &[("content-type", "application/problem+json")],
            PROBLEM,
        );
        assert!(judge_unknown_path(&e, &e, None).is_empty());
    }

    #[test]
    fn throttled_unknown_path_is_not_a_routing_mistake() {
        let ct = ("content-type", "application/problem+json");
        let e = exchange(429, &[ct, ("retry-after", "1")], PROBLEM);
        assert!(judge_unknown_path(&e, &e, None).is_empty());
        let e = exchange(503, &[ct, ("retry-after", "1")], PROBLEM);
        assert!(judge_unknown_path(&e, &e, None).is_empty());
    }

    #[test]
    fn error_bodies() {
        assert_eq!(ids(&judge_answer(&exchange(400, &[], ""))), ["WF-HTTP-006"]);
        assert_eq!(
            ids(&judge_answer(&exchange(
                400,
                &[("content-type", "text/plain")],
                "bad"
            ))),
            ["WF-HTTP-007"]
        );
        let detail_only = exchange(
            404,
            &[("content-type", "application/json")],
            r#"{"detail":"Not Found"}"#,
        );
        assert_eq!(
            rated(&judge_answer(&detail_only)),
            [("WF-HTTP-007", Severity::Info)]
        );
        let no_field = exchange(
            404,
            &[("content-type", "application/json")],
            r#"{"ok":false}"#,
        );
        assert_eq!(ids(&judge_answer(&no_field)), ["WF-HTTP-007"]);
        // Pages and plain framework defaults are not API error bodies.
        let page = exchange(404, &[("content-type", "text/html")], "<h1>Not Found</h1>");
        assert_eq!(body_kind(page.received.http().unwrap()), BodyKind::Page);
        let infos = |e: &Exchange| {
            judge_answer(e)
                .iter()
                .map(|f| (f.rule.id, f.severity))
                .collect::<Vec<_>>()
        };
        assert_eq!(infos(&page), [("WF-HTTP-007", Severity::Info)]);
        let plain = exchange(
            500,
            &[("content-type", "text/plain")],
            "Internal Server Error",
        );
        assert_eq!(
            body_kind(plain.received.http().unwrap()),
            BodyKind::PlainDefault
        );
        assert_eq!(infos(&plain), [("WF-HTTP-007", Severity::Info)]);
        let broken = exchange(404, &[("content-type", "application/json")], "{");
        assert_eq!(ids(&judge_answer(&broken)), ["WF-HTTP-007"]);
        let code = exchange(
            404,
            &[("content-type", "application/json; charset=utf-8")],
            r#"{"code":"x"}"#,
        );
        assert_eq!(
            rated(&judge_answer(&code)),
            [("WF-HTTP-007", Severity::Info)]
        );
    }

    #[test]
    fn required_headers() {
        let ct = ("content-type", "application/problem+json");
        assert_eq!(
            ids(&judge_answer(&exchange(401, &[ct], PROBLEM))),
            ["WF-HTTP-009"]
        );
        assert!(judge_answer(&exchange(
            401,
            &[ct, ("www-authenticate", "Bearer")],
            PROBLEM
        ))
        .is_empty());
        assert_eq!(
            ids(&judge_answer(&exchange(429, &[ct], PROBLEM))),
            ["WF-HTTP-010"]
        );
        assert_eq!(
            ids(&judge_answer(&exchange(503, &[ct], PROBLEM))),
            ["WF-HTTP-010"]
        );
        assert!(judge_answer(&exchange(503, &[ct, ("retry-after", "5")], PROBLEM)).is_empty());
    }

    #[test]
    fn leaks_only_judged_on_5xx() {
        let ct = ("content-type", "application/json");
        let body = r#"{"status":500,"detail":"panicked at src/main.rs:3:5"}"#;
        assert_eq!(
            ids(&judge_answer(&exchange(500, &[ct], body))),
            ["WF-HTTP-008"]
        );
        assert!(ids(&judge_answer(&exchange(400, &[ct], body))).is_empty());
    }

    /// The wrong-method judge, with no unknown-path answer to compare.
    fn wrong(exchange: &Exchange) -> Vec<Finding> {
        judge_wrong_method(exchange, &[])
    }

    #[test]
    fn wrong_method() {
        let ct = ("content-type", "application/problem+json");
        assert!(wrong(&exchange(405, &[ct, ("allow", "GET")], PROBLEM)).is_empty());
        assert!(wrong(&exchange(501, &[ct], PROBLEM)).is_empty());
        assert_eq!(ids(&wrong(&exchange(405, &[ct], PROBLEM))), ["WF-HTTP-003"]);
        assert_eq!(ids(&wrong(&exchange(200, &[], "ok"))), ["WF-HTTP-002"]);
        assert_eq!(ids(&wrong(&exchange(404, &[ct], PROBLEM))), ["WF-HTTP-002"]);
    }

    /// Express answers a known path's other method with the app's own 404
    /// handler: the same answer as for an unknown path is info; a 404 that
    /// differs (a fallback only over the method) stays a warning.
    #[test]
    fn own_not_found_answer_for_a_wrong_method_is_info() {
        let ct = ("content-type", "application/json; charset=utf-8");
        let at = |method: &str, path: &str, body: &str| {
            let mut e = exchange(404, &[ct], body);
            e.request.method = method.into();
            e.request.url = format!("http://127.0.0.1:3000{path}");
            e
        };
        let unknown = at(
            "GET",
            "/wirefault-probe-no-such-path",
            r#"{"error":"Not found"}"#,
        );
        let trace = at("TRACE", "/api/todos", r#"{"error":"Not found"}"#);
        assert!(ids(&judge_wrong_method(&trace, &[&unknown])).is_empty());
        let echo = |m: &str, p: &str| at(m, p, &format!(r#"{{"error":"no route {m} {p}"}}"#));
        let (unknown, trace) = (
            echo("GET", "/wirefault-probe-no-such-path"),
            echo("TRACE", "/api/todos"),
        );
        assert!(ids(&judge_wrong_method(&trace, &[&unknown])).is_empty());
        let other = at("TRACE", "/api/todos", r#"{"error":"method"}"#);
        assert_eq!(
            ids(&judge_wrong_method(&other, &[&unknown])),
            ["WF-HTTP-002"]
        );
        assert_eq!(ids(&judge_wrong_method(&trace, &[])), ["WF-HTTP-002"]);
    }

    #[test]
    fn unknown_path() {
        let spa = exchange(200, &[], "<html>");
        assert_eq!(ids(&judge_unknown_path(&spa, &spa, None)), ["WF-HTTP-001"]);
        let redirect = exchange(302, &[("location", "/")], "");
        assert_eq!(
            ids(&judge_unknown_path(&redirect, &redirect, None)),
            ["WF-HTTP-001"]
        );
        // A `/{name}` greeting uses the segment: not a fallback.
        let hello = |name: &str| exchange(200, &[], &format!("Hello {name}"));
        assert!(judge_unknown_path(&hello(UNKNOWN_PATH), &hello(UNKNOWN_PATH_2), None).is_empty());
        let not_found = exchange(
            404,
            &[("content-type", "application/json")],
            r#"{"detail":"Not Found"}"#,
        );
        assert!(ids(&judge_unknown_path(&not_found, &not_found, None)).is_empty());
    }

    /// A single-page app's `index.html` for unknown paths outside the API,
    /// whose own unknown paths are 404: info. The same page over the API,
    /// or without a known API, stays an error; so does a non-page answer.
    #[test]
    fn page_fallback_outside_the_api_is_info() {
        let html = ("content-type", "text/html; charset=utf-8");
        let spa = exchange(200, &[html], "<!doctype html><div id=root></div>");
        let json = ("content-type", "application/json");
        let api_404 = exchange(404, &[json], r#"{"message":"Not found"}"#);
        let finding = judge_unknown_path(&spa, &spa, Some(&api_404));
        assert_eq!(rated(&finding), [("WF-HTTP-001", Severity::Info)]);
        assert!(finding[0].context.as_ref().unwrap().contains("single-page"));
        assert_eq!(
            ids(&judge_unknown_path(&spa, &spa, Some(&spa))),
            ["WF-HTTP-001"]
        );
        assert_eq!(ids(&judge_unknown_path(&spa, &spa, None)), ["WF-HTTP-001"]);
        let text = exchange(200, &[("content-type", "text/plain")], "ok");
        assert_eq!(
            ids(&judge_unknown_path(&text, &text, Some(&api_404))),
            ["WF-HTTP-001"]
        );
    }

    #[test]
    fn missing_resource_and_wrong_type() {
        let values = ["2147483647".to_owned()];
        let ct = ("content-type", "application/json");
        let gone = exchange(404, &[ct], r#"{"detail":"Item not found"}"#);
        assert!(ids(&judge_missing_resource(&gone, &values)).is_empty());
        let crash = exchange(
            500,
            &[("content-type", "application/problem+json")],
            PROBLEM,
        );
        assert_eq!(
            ids(&judge_missing_resource(&crash, &values)),
            ["WF-HTTP-001"]
        );
        let empty = exchange(200, &[ct], "{}");
        assert_eq!(
            ids(&judge_missing_resource(&empty, &values)),
            ["WF-HTTP-001"]
        );
        // A list: a search that finds nothing, not a missing resource.
        let list = exchange(200, &[ct], "[]");
        let found = judge_missing_resource(&list, &values);
        assert!(ids(&found).is_empty());
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].rule.id, found[0].severity),
            ("WF-HTTP-001", Severity::Info)
        );
        let page = exchange(200, &[ct], r#"{"items":[],"total":0,"next":null}"#);
        assert!(ids(&judge_missing_resource(&page, &values)).is_empty());
        let record = exchange(200, &[ct], r#"{"name":null,"tags":[],"owner":{}}"#);
        assert_eq!(
            ids(&judge_missing_resource(&record, &values)),
            ["WF-HTTP-001"]
        );
        let echo = exchange(200, &[ct], r#"{"id":2147483647}"#);
        assert!(judge_missing_resource(&echo, &values).is_empty());
        let invalid = exchange(422, &[ct], r#"{"detail":[]}"#);
        assert!(ids(&judge_wrong_type(&invalid, "id")).is_empty());
        assert_eq!(ids(&judge_wrong_type(&crash, "id")), ["WF-HTTP-004"]);
    }

    #[test]
    fn refused_websocket_handshake_body_is_a_recommendation() {
        let mut refused = exchange(403, &[], "");
        refused
            .request
            .headers
            .push(("Upgrade".into(), "websocket".into()));
        let findings = judge_answer(&refused);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule.id, "WF-HTTP-006");
        assert_eq!(findings[0].severity, Severity::Info);
        assert!(findings[0].context.is_some());
    }

    /// The `ws` README refuses a handshake with a bare `HTTP/1.1 401
    /// Unauthorized`: no page ever sees a challenge there. A plain request's
    /// 401 still needs one, and a refused handshake's leak is still an error.
    #[test]
    fn refused_websocket_handshake_challenge_is_a_recommendation() {
        let upgrade = |mut e: Exchange| {
            e.request
                .headers
                .push(("Upgrade".into(), "websocket".into()));
            e
        };
        let bare = upgrade(exchange(401, &[], ""));
        assert_eq!(
            rated(&judge_answer(&bare)),
            [
                ("WF-HTTP-006", Severity::Info),
                ("WF-HTTP-009", Severity::Info)
            ]
        );
        let plain = exchange(
            401,
            &[("content-type", "application/problem+json")],
            PROBLEM,
        );
        assert_eq!(ids(&judge_answer(&plain)), ["WF-HTTP-009"]);
        let leak = upgrade(exchange(500, &[], "Traceback (most recent call last):"));
        assert_eq!(ids(&judge_answer(&leak)), ["WF-HTTP-008"]);
    }

    #[test]
    fn bad_body() {
        let ct = ("content-type", "application/problem+json");
        let body = BadBody {
            what: "a body that is not JSON".into(),
            text: MALFORMED_JSON.into(),
            invalid: true,
        };
        assert!(judge_bad_body(&exchange(400, &[ct], PROBLEM), &body).is_empty());
        assert_eq!(
            ids(&judge_bad_body(&exchange(500, &[ct], PROBLEM), &body)),
            ["WF-HTTP-004"]
        );
        assert_eq!(
            ids(&judge_bad_body(&exchange(201, &[], "{}"), &body)),
            ["WF-HTTP-005"]
        );
        let unsure = BadBody {
            invalid: false,
            ..body
        };
        assert!(judge_bad_body(&exchange(201, &[], "{}"), &unsure).is_empty());
    }
}
