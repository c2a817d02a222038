//! Server-Sent Events probes (`--sse PATH`): what an event stream answers
//! a client it serves, a client without credentials, and a client that
//! resumes from an event id the server never sent.
//!
//! Each stream is read for a bounded window (at most [`MAX_WINDOW`], less
//! than the probe timeout) and at most [`MAX_STREAM_BYTES`]: a stream still
//! open when the window ends is fine, and what it sent is judged. The rules
//! are pure functions of what was read; see `docs/rules.md` (WF-SSE-*).

use std::time::Duration;

use reqwest::Url;
use tokio::time::Instant;

use super::http::{self, describe};
use super::{leak, Ctx};
use crate::finding::{Exchange, Finding, HttpAnswer, Received, SentRequest};
use crate::rules;

/// The `Last-Event-ID` of the resume probe: an id no server sent.
pub(crate) const BOGUS_LAST_EVENT_ID: &str = "wirefault-probe-no-such-event";
/// Longest a stream is read.
const MAX_WINDOW: Duration = Duration::from_secs(3);
/// Most bytes of a stream read.
const MAX_STREAM_BYTES: usize = 64 * 1024;
/// The media type of an event stream (HTML Living Standard, 9.2).
const EVENT_STREAM: &str = "text/event-stream";

/// How a stream read ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// Still open when the window (or the byte cap) ended.
    Open,
    /// The server ended the body cleanly.
    Closed,
    /// The connection broke in the middle of the body (reset, truncated
    /// chunked encoding, ...).
    Dropped(String),
}

/// One event as the browser's parser would dispatch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    /// The `event:` field, `message` when none.
    pub(crate) name: String,
    /// The `data:` lines joined with `\n`.
    pub(crate) data: String,
}

/// What one stream probe saw.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    /// The request and the answer (its body: the bytes read, lossily).
    pub(crate) exchange: Exchange,
    /// The events in the bytes read.
    pub(crate) events: Vec<Event>,
    /// How the read ended (meaningful for a 2xx answer only).
    pub(crate) end: End,
}

impl Stream {
    fn answer(&self) -> Option<&HttpAnswer> {
        self.exchange.received.http()
    }

    /// A 2xx answer with `Content-Type: text/event-stream`.
    pub(crate) fn is_event_stream(&self) -> bool {
        self.answer().is_some_and(|a| {
            (200..300).contains(&a.status)
                && a.header("content-type")
                    .is_some_and(|t| media_type(t) == EVENT_STREAM)
        })
    }
}

/// The media type of a `Content-Type` value, lowercase, without parameters.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Probes one SSE path: with the user's credentials, without any, and with
/// a bogus `Last-Event-ID`; then judges them.
pub(crate) async fn audit(ctx: &Ctx, url: &Url) -> Vec<Finding> {
    let served = open(ctx, url, true, &[]).await;
    let anonymous = if ctx.auth.is_empty() {
        None
    } else {
        Some(open(ctx, url, false, &[]).await)
    };
    let resumed = open(
        ctx,
        url,
        true,
        &[("Last-Event-ID".to_owned(), BOGUS_LAST_EVENT_ID.to_owned())],
    )
    .await;
    judge(&served, anonymous.as_ref(), &resumed)
}

/// Reads one stream for the bounded window; never fails.
async fn open(ctx: &Ctx, url: &Url, with_auth: bool, extra: &[(String, String)]) -> Stream {
    let user_agent = concat!("wirefault/", env!("CARGO_PKG_VERSION"));
    let mut shown = vec![
        ("User-Agent".to_owned(), user_agent.to_owned()),
        ("Accept".to_owned(), EVENT_STREAM.to_owned()),
        ("Cache-Control".to_owned(), "no-cache".to_owned()),
    ];
    shown.extend(extra.iter().cloned());
    let mut builder = ctx.client.get(url.clone());
    for (name, value) in &shown {
        builder = builder.header(name.as_str(), value.as_str());
    }
    if with_auth {
        shown.extend(ctx.shown_auth());
        for (name, value) in &ctx.auth {
            builder = builder.header(name.as_str(), value.0.as_str());
        }
    }
    let request = SentRequest {
        method: "GET".to_owned(),
        url: url.to_string(),
        headers: shown,
        body: None,
    };
    ctx.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // The window ends before the client's own timeout, so a stream still
    // open is seen as open, not as a failed request.
    let window = (ctx.timeout.mul_f64(0.75)).min(MAX_WINDOW);
    let deadline = Instant::now() + window;
    let mut response = match tokio::time::timeout_at(deadline, builder.send()).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => return nothing(request, End::Dropped(describe(&e))),
        Err(_) => return nothing(request, End::Open),
    };
    let status = response.status().as_u16();
    let headers = http::header_pairs(response.headers());
    let mut bytes = Vec::new();
    let end = loop {
        if bytes.len() >= MAX_STREAM_BYTES {
            break End::Open;
        }
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => break End::Open,
            Ok(Ok(Some(chunk))) => bytes.extend_from_slice(&chunk),
            Ok(Ok(None)) => break End::Closed,
            Ok(Err(e)) => break End::Dropped(describe(&e)),
        }
    };
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Stream {
        events: parse(&body),
        exchange: Exchange {
            request,
            received: Received::Http(HttpAnswer {
                status,
                headers,
                body,
            }),
        },
        end,
    }
}

/// A probe that got no HTTP answer: `end` is `Open` when none came within
/// the window, `Dropped` when the connection failed or closed first.
fn nothing(request: SentRequest, end: End) -> Stream {
    let error = match &end {
        End::Dropped(why) => why.clone(),
        _ => "no answer within the read window".to_owned(),
    };
    Stream {
        exchange: Exchange {
            request,
            received: Received::Nothing { error },
        },
        events: Vec::new(),
        end,
    }
}

/// The events in a stream's text, by the HTML standard's parsing rules
/// (9.2.6): hand-written because the text is already whole here, and the
/// rules fit in a few lines; an event not ended by a blank line is not
/// dispatched.
pub(crate) fn parse(text: &str) -> Vec<Event> {
    let mut events = Vec::new();
    let mut name = String::new();
    // The data buffer: each `data:` value followed by `\n`.
    let mut data = String::new();
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = normalized.split('\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            // The last piece has no line ending: not a whole line.
            break;
        }
        if line.is_empty() {
            if let Some(joined) = data.strip_suffix('\n') {
                let name = if name.is_empty() { "message" } else { &name };
                events.push(Event {
                    name: name.to_owned(),
                    data: joined.to_owned(),
                });
            }
            name.clear();
            data.clear();
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => value.clone_into(&mut name),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            _ => {}
        }
    }
    events
}

/// Does this event report a failure? Its type names an error, or its data
/// is a JSON object with an `error` member.
fn is_error_event(event: &Event) -> bool {
    event.name.to_ascii_lowercase().contains("error")
        || serde_json::from_str::<serde_json::Value>(&event.data)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.contains_key("error")))
            .unwrap_or(false)
}

/// The rules, on the three streams of one path.
pub(crate) fn judge(served: &Stream, anonymous: Option<&Stream>, resumed: &Stream) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(answer) = served.answer() {
        if (200..300).contains(&answer.status) && !served.is_event_stream() {
            findings.push(Finding::new(
                rules::SSE_NOT_EVENT_STREAM,
                &served.exchange,
                format!(
                    "a stream request answered {} with Content-Type {}",
                    answer.status,
                    answer.header("content-type").unwrap_or("(none)")
                ),
                "Content-Type: text/event-stream (EventSource refuses anything else)",
            ));
        }
    }
    let failures = anonymous
        .map(|s| (s, "without credentials"))
        .into_iter()
        .chain([(resumed, "with an unknown Last-Event-ID")]);
    for (stream, how) in failures {
        if !stream.is_event_stream() {
            continue;
        }
        if let Some(event) = stream.events.iter().find(|e| is_error_event(e)) {
            findings.push(Finding::new(
                rules::SSE_FAILURE_AS_EVENT,
                &stream.exchange,
                format!(
                    "a request {how} answered 200 text/event-stream, then an `{}` event",
                    event.name
                ),
                "an HTTP error (401/403 without credentials, 400 for a bad Last-Event-ID) before the stream starts",
            ));
        } else if stream.events.is_empty()
            && stream.end == End::Closed
            && served.is_event_stream()
            && (served.end == End::Open || !served.events.is_empty())
        {
            findings.push(Finding::new(
                rules::SSE_FAILURE_AS_EVENT,
                &stream.exchange,
                format!("a request {how} answered 200 text/event-stream, then closed with no event"),
                "an HTTP error (401/403 without credentials, 400 for a bad Last-Event-ID) before the stream starts",
            ));
        }
    }
    let all = [Some(served), anonymous, Some(resumed)];
    for stream in all.into_iter().flatten() {
        if let Some((event, marker)) = stream
            .events
            .iter()
            .find_map(|e| leak::find(&e.data).map(|m| (e, m)))
        {
            findings.push(Finding::new(
                rules::SSE_EVENT_LEAK,
                &stream.exchange,
                format!(
                    "the `{}` event's data shows internals ({marker})",
                    event.name
                ),
                "a generic message in the event; the details in the server's log",
            ));
        }
        let no_answer = stream.answer().is_none();
        if let (End::Dropped(why), true) = (&stream.end, stream.is_event_stream() || no_answer) {
            let observed = if no_answer {
                format!("the connection closed with no answer at all: {why}")
            } else {
                format!(
                    "the stream broke off after {} event(s), with no event saying why: {why}",
                    stream.events.len()
                )
            };
            findings.push(Finding::new(
                rules::SSE_SILENT_DROP,
                &stream.exchange,
                observed,
                "an event that says the stream ends and why, then a clean end of the body",
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn stream(status: u16, content_type: &str, body: &str, end: End) -> Stream {
        Stream {
            exchange: Exchange {
                request: SentRequest {
                    method: "GET".into(),
                    url: "http://127.0.0.1/events".into(),
                    headers: vec![],
                    body: None,
                },
                received: Received::Http(HttpAnswer {
                    status,
                    headers: vec![("content-type".into(), content_type.into())],
                    body: body.into(),
                }),
            },
            events: parse(body),
            end,
        }
    }

    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn parses_events_as_browsers_do() {
        let events =
            parse(": hi\nevent: tick\ndata: 1\ndata: 2\n\ndata:x\r\n\r\nevent: lost\ndata: y\n");
        assert_eq!(
            events,
            vec![
                Event {
                    name: "tick".into(),
                    data: "1\n2".into()
                },
                Event {
                    name: "message".into(),
                    data: "x".into()
                },
            ]
        );
        assert!(parse("event: e\n\n").is_empty());
    }

    #[test]
    fn a_live_stream_and_http_errors_are_fine() {
        let served = stream(
            200,
            "text/event-stream; charset=utf-8",
            "data: 1\n\n",
            End::Open,
        );
        let anonymous = stream(401, "application/json", "{}", End::Closed);
        let resumed = stream(400, "application/json", "{}", End::Closed);
        assert!(judge(&served, Some(&anonymous), &resumed).is_empty());
        assert!(judge(&served, None, &served).is_empty());
    }

    #[test]
    fn failures_inside_a_200_stream_are_found() {
        let served = stream(200, EVENT_STREAM, "data: 1\n\n", End::Open);
        let anonymous = stream(
            200,
            EVENT_STREAM,
            "event: error\ndata: unauthorized\n\n",
            End::Closed,
        );
        let resumed = stream(200, EVENT_STREAM, "", End::Closed);
        assert_eq!(
            ids(&judge(&served, Some(&anonymous), &resumed)),
            ["WF-SSE-002", "WF-SSE-002"]
        );
        let json_error = stream(
            200,
            EVENT_STREAM,
            "data: {\"error\":\"no\"}\n\n",
            End::Closed,
        );
        assert_eq!(ids(&judge(&served, None, &json_error)), ["WF-SSE-002"]);
    }

    #[test]
    fn a_finished_finite_stream_is_not_a_failure() {
        let served = stream(200, EVENT_STREAM, "data: 1\n\n", End::Closed);
        let resumed = stream(200, EVENT_STREAM, "data: 1\n\n", End::Closed);
        assert!(judge(&served, None, &resumed).is_empty());
    }

    #[test]
    fn leaks_drops_and_wrong_types_are_found() {
        let served = stream(200, "text/plain", "data: 1\n\n", End::Open);
        assert_eq!(ids(&judge(&served, None, &served.clone())), ["WF-SSE-001"]);
        let ok = stream(200, EVENT_STREAM, "data: 1\n\n", End::Open);
        let leaky = stream(
            200,
            EVENT_STREAM,
            "event: fail\ndata: Traceback (most recent call last)\n\n",
            End::Dropped("connection reset".into()),
        );
        assert_eq!(ids(&judge(&ok, None, &leaky)), ["WF-SSE-003", "WF-SSE-004"]);
        let request = ok.exchange.request.clone();
        let reset = nothing(request.clone(), End::Dropped("connection reset".into()));
        assert_eq!(ids(&judge(&ok, None, &reset)), ["WF-SSE-004"]);
        assert!(judge(&ok, None, &nothing(request, End::Open)).is_empty());
    }
}
