//! WebSocket probes: the foreign-origin handshake, and bad input after the
//! upgrade (malformed text, a binary message, an oversized message), each on
//! its own connection, judged by how the session ends.
//!
//! "HTTP error after the upgrade" (WF-WS-007) is reported when it reaches the
//! wire: bytes that start with `HTTP/` where a frame should be, or a data
//! message that is an HTTP status line or an HTTP-style error object
//! (`{"detail": ...}` alone, or a `status`/`status_code` of 400 or more)
//! followed by the end of the stream without a close frame. A framework that
//! swallows the HTTP response and drops the TCP connection (Starlette with
//! `raise HTTPException` after `accept()`) shows only the drop: that is
//! WF-WS-002, whose documentation names this cause.

use std::time::Instant;

use reqwest::Url;

use super::wsclient::{self, Event, Handshake};
use super::{http, Ctx, FOREIGN_ORIGIN};
use crate::finding::{Exchange, Finding, Received, SentRequest};
use crate::rules;
use wirefault::spec;

/// Size of the oversized message: 1 MiB and one byte.
pub(crate) const OVERSIZED: usize = 1024 * 1024 + 1;

/// A message a session cannot take.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BadInput {
    /// Text that is not JSON.
    MalformedText,
    /// A binary frame.
    Binary,
    /// A text message of [`OVERSIZED`] bytes.
    Oversized,
}

impl BadInput {
    /// All of them, in probe order.
    pub(crate) const ALL: [BadInput; 3] = [
        BadInput::MalformedText,
        BadInput::Binary,
        BadInput::Oversized,
    ];

    fn frame(self) -> (u8, Vec<u8>, String) {
        match self {
            BadInput::MalformedText => (
                wsclient::TEXT,
                http::MALFORMED_JSON.as_bytes().to_vec(),
                format!("text: {}", http::MALFORMED_JSON),
            ),
            BadInput::Binary => (
                wsclient::BINARY,
                vec![0x00, 0xFF, 0xFE, 0x80],
                "binary: 4 bytes".to_owned(),
            ),
            BadInput::Oversized => (
                wsclient::TEXT,
                vec![b'a'; OVERSIZED],
                format!("text: {OVERSIZED} bytes of `a`"),
            ),
        }
    }
}

/// Header list: name, value.
type Headers = Vec<(String, String)>;

/// The headers to send, and the same with credentials redacted for the report.
fn handshake_headers(ctx: &Ctx, origin: Option<&str>) -> (Headers, Headers) {
    let mut sent = Vec::new();
    let mut shown = vec![
        ("Upgrade".to_owned(), "websocket".to_owned()),
        ("Sec-WebSocket-Version".to_owned(), "13".to_owned()),
    ];
    if let Some(origin) = origin {
        sent.push(("Origin".to_owned(), origin.to_owned()));
        shown.push(("Origin".to_owned(), origin.to_owned()));
    }
    sent.extend(ctx.auth.iter().map(|(n, v)| (n.clone(), v.0.clone())));
    shown.extend(ctx.shown_auth());
    (sent, shown)
}

/// Handshake from [`FOREIGN_ORIGIN`]: must be refused before the upgrade.
pub(crate) async fn foreign_origin(ctx: &Ctx, url: &Url) -> Vec<Finding> {
    let (sent, shown) = handshake_headers(ctx, Some(FOREIGN_ORIGIN));
    let request = SentRequest {
        method: "GET".into(),
        url: url.to_string(),
        headers: shown,
        body: None,
    };
    match wsclient::connect(url, &sent, ctx.timeout, &ctx.tls).await {
        Handshake::Upgraded(mut conn) => {
            conn.close(ctx.timeout).await;
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
            )]
        }
        Handshake::Refused(answer) => http::judge_answer(&Exchange {
            request,
            received: Received::Http(answer),
        }),
        Handshake::Failed(why) => {
            eprintln!("wirefault: warning: no WebSocket probe of {url}: {why}");
            Vec::new()
        }
    }
}

/// One bad input on a fresh session from the trusted origin (or none).
pub(crate) async fn bad_input(ctx: &Ctx, url: &Url, input: BadInput) -> Vec<Finding> {
    let (sent, shown) = handshake_headers(ctx, ctx.origin.as_deref());
    let (opcode, payload, description) = input.frame();
    let mut request = SentRequest {
        method: "GET".into(),
        url: url.to_string(),
        headers: shown,
        body: None,
    };
    let mut conn = match wsclient::connect(url, &sent, ctx.timeout, &ctx.tls).await {
        Handshake::Upgraded(conn) => conn,
        Handshake::Refused(answer) => {
            return http::judge_answer(&Exchange {
                request,
                received: Received::Http(answer),
            });
        }
        Handshake::Failed(why) => {
            eprintln!("wirefault: warning: no WebSocket probe of {url} ({description}): {why}");
            return Vec::new();
        }
    };
    request.body = Some(format!("after the upgrade, {description}"));
    let mut transcript = Vec::new();
    if let Err(e) = conn.send(opcode, &payload, ctx.timeout).await {
        transcript.push(format!("(sending stopped: {e})"));
    }
    let deadline = Instant::now() + ctx.timeout;
    let mut messages = Vec::new();
    let end = loop {
        match conn.next_event(deadline).await {
            Event::Text(text) => {
                transcript.push(format!("← text: {}", crate::finding::shorten(&text)));
                messages.push(text);
                if messages.len() >= 16 {
                    break Event::Timeout;
                }
            }
            Event::Binary(n) => transcript.push(format!("← binary: {n} bytes")),
            end => break end,
        }
    };
    if let Event::Close(_) = end {
        conn.close(ctx.timeout).await;
    }
    transcript.push(describe_end(&end, ctx));
    let exchange = Exchange {
        request,
        received: Received::WebSocket { transcript },
    };
    judge_end(&exchange, &end, &messages)
}

fn describe_end(end: &Event, ctx: &Ctx) -> String {
    match end {
        Event::Close(payload) => match close_parts(payload) {
            Some((code, reason)) => {
                format!(
                    "← close {code} {:?} ({} bytes)",
                    String::from_utf8_lossy(reason),
                    reason.len()
                )
            }
            None => format!("← close frame with a {}-byte payload", payload.len()),
        },
        Event::RawHttp(text) => format!(
            "← raw HTTP after the upgrade: {}",
            crate::finding::shorten(text)
        ),
        Event::Eof => "← end of stream without a close frame (the client sees 1006)".into(),
        Event::Error(e) => format!("← connection error without a close frame (1006): {e}"),
        Event::Invalid(why) => format!("← not a valid frame: {why}"),
        Event::Timeout => format!("… no close within {:.1}s", ctx.timeout.as_secs_f64()),
        Event::Text(_) | Event::Binary(_) => String::new(),
    }
}

fn close_parts(payload: &[u8]) -> Option<(u16, &[u8])> {
    (payload.len() >= 2).then(|| (u16::from_be_bytes([payload[0], payload[1]]), &payload[2..]))
}

/// Judges how a session ended after bad input.
pub(crate) fn judge_end(exchange: &Exchange, end: &Event, messages: &[String]) -> Vec<Finding> {
    let finding = |rule, observed: String, expected: &str| {
        vec![Finding::new(rule, exchange, observed, expected)]
    };
    let close_expected =
        "a close frame with a fitting code (1007, 1003, 1009, 1008) and a short reason";
    match end {
        Event::Close(payload) => judge_close(exchange, payload),
        Event::RawHttp(text) => finding(
            rules::WS_HTTP_AFTER_UPGRADE,
            format!(
                "an HTTP response was written on the upgraded connection: {}",
                first_line(text)
            ),
            close_expected,
        ),
        Event::Eof | Event::Error(_) | Event::Invalid(_) => {
            if let Some(message) = messages.iter().find(|m| looks_like_http_error(m)) {
                finding(
                    rules::WS_HTTP_AFTER_UPGRADE,
                    format!("an HTTP-style error was sent as a message, then the connection dropped: {}", first_line(message)),
                    close_expected,
                )
            } else {
                finding(
                    rules::WS_DROPPED,
                    "the connection ended without a close frame (the client sees 1006, no reason)"
                        .into(),
                    close_expected,
                )
            }
        }
        Event::Timeout => finding(
            rules::WS_NO_CLOSE,
            "the session stayed open: no close frame within the timeout".into(),
            close_expected,
        ),
        Event::Text(_) | Event::Binary(_) => Vec::new(),
    }
}

fn judge_close(exchange: &Exchange, payload: &[u8]) -> Vec<Finding> {
    let expected_code = "a code in 1000-1003, 1007-1013 or 3000-4999";
    let Some((code, reason)) = close_parts(payload) else {
        let observed = if payload.is_empty() {
            "a close frame without a status code (the client sees 1005)".to_owned()
        } else {
            "a close frame with a 1-byte payload (not a code)".to_owned()
        };
        return vec![Finding::new(
            rules::WS_BAD_CLOSE_CODE,
            exchange,
            observed,
            expected_code,
        )];
    };
    let mut findings = Vec::new();
    if !spec::close_code_is_sendable(code) {
        findings.push(Finding::new(
            rules::WS_BAD_CLOSE_CODE,
            exchange,
            format!("close code {code} is reserved or outside the valid ranges"),
            expected_code,
        ));
    }
    let text = match std::str::from_utf8(reason) {
        Ok(text) => text,
        Err(_) => {
            findings.push(Finding::new(
                rules::WS_BAD_CLOSE_CODE,
                exchange,
                "the close reason is not valid UTF-8",
                "a UTF-8 reason of at most 123 bytes",
            ));
            return findings;
        }
    };
    if reason.len() > spec::MAX_REASON_BYTES {
        findings.push(Finding::new(
            rules::WS_LONG_REASON,
            exchange,
            format!(
                "the close reason is {} bytes (a control frame of {} bytes)",
                reason.len(),
                reason.len() + 2
            ),
            "a reason of at most 123 UTF-8 bytes",
        ));
    }
    if let Some(marker) = super::leak::find(text) {
        findings.push(Finding::new(
            rules::WS_REASON_LEAK,
            exchange,
            format!("the close reason shows internals: {marker}"),
            "a generic reason; the details in the server log",
        ));
    }
    findings
}

fn first_line(text: &str) -> String {
    crate::finding::shorten(text.lines().next().unwrap_or(""))
}

/// An HTTP status line, or an HTTP-style error object.
pub(crate) fn looks_like_http_error(message: &str) -> bool {
    let trimmed = message.trim_start();
    if trimmed.starts_with("HTTP/1.") || trimmed.starts_with("HTTP/2") {
        return true;
    }
    let Ok(serde_json::Value::Object(object)) = serde_json::from_str::<serde_json::Value>(trimmed)
    else {
        return false;
    };
    let status = ["status", "status_code", "statusCode"]
        .iter()
        .filter_map(|k| object.get(*k).and_then(serde_json::Value::as_u64))
        .any(|s| (400..600).contains(&s));
    status || (object.len() == 1 && object.contains_key("detail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange() -> Exchange {
        Exchange {
            request: SentRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/ws".into(),
                headers: vec![],
                body: None,
            },
            received: Received::WebSocket { transcript: vec![] },
        }
    }

    fn close(code: u16, reason: &str) -> Event {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_bytes());
        Event::Close(payload)
    }

    fn ids(end: Event, messages: &[&str]) -> Vec<&'static str> {
        let messages: Vec<String> = messages.iter().map(|m| (*m).to_owned()).collect();
        judge_end(&exchange(), &end, &messages)
            .iter()
            .map(|f| f.rule.id)
            .collect()
    }

    #[test]
    fn close_codes() {
        for code in [
            1000, 1003, 1007, 1008, 1009, 1011, 1012, 1013, 3000, 4400, 4999,
        ] {
            assert!(spec::close_code_is_sendable(code), "{code}");
        }
        for code in [
            0,
            999,
            1004,
            1005,
            1006,
            1014,
            1015,
            1016,
            2999,
            5000,
            u16::MAX,
        ] {
            assert!(!spec::close_code_is_sendable(code), "{code}");
        }
    }

    #[test]
    fn session_ends() {
        assert!(ids(close(1007, "malformed JSON"), &[]).is_empty());
        assert_eq!(ids(close(1006, "x"), &[]), ["WF-WS-004"]);
        assert_eq!(ids(Event::Close(vec![]), &[]), ["WF-WS-004"]);
        assert_eq!(ids(Event::Close(vec![3]), &[]), ["WF-WS-004"]);
        assert_eq!(
            ids(Event::Close(vec![0x03, 0xF0, 0xFF]), &[]),
            ["WF-WS-004"]
        );
        assert_eq!(ids(close(1008, &"é".repeat(62)), &[]), ["WF-WS-005"]);
        assert!(ids(close(1008, &"a".repeat(123)), &[]).is_empty());
        assert_eq!(
            ids(close(1011, "panicked at src/ws.rs:3:1"), &[]),
            ["WF-WS-006"]
        );
        assert_eq!(ids(Event::Eof, &[]), ["WF-WS-002"]);
        assert_eq!(
            ids(Event::Error("reset".into()), &["{\"event\":\"x\"}"]),
            ["WF-WS-002"]
        );
        assert_eq!(ids(Event::Eof, &[r#"{"detail":"bad"}"#]), ["WF-WS-007"]);
        assert_eq!(
            ids(Event::RawHttp("HTTP/1.1 500 Internal".into()), &[]),
            ["WF-WS-007"]
        );
        assert_eq!(ids(Event::Timeout, &[]), ["WF-WS-003"]);
    }

    #[test]
    fn http_errors_in_messages() {
        assert!(looks_like_http_error("HTTP/1.1 400 Bad Request"));
        assert!(looks_like_http_error(r#"{"status": 500, "title": "x"}"#));
        assert!(looks_like_http_error(r#"{"detail": [{"loc": 1}]}"#));
        assert!(!looks_like_http_error(
            r#"{"event":"error","problem":{"status":409}}"#
        ));
        assert!(!looks_like_http_error("hello"));
    }
}
