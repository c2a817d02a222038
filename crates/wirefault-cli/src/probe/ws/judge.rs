//! The judgement of each WebSocket rule, in one place each: pure functions
//! from what a session showed (and what was learned about the endpoint) to
//! findings.

use serde_json::Value;

use super::learn::Profile;
use super::send::{close_parts, BadInput, Closing, End, Kind, Session, Watch};
use crate::finding::{Exchange, Finding};
use crate::model::cookies::SameSite;
use crate::probe::wsclient::Event;
use crate::rules::{self, Severity};
use wirefault::spec;

/// Judges how a session ended: findings, and why a silence was not judged
/// (WF-WS-002 to WF-WS-007).
pub(crate) fn session(session: &Session, profile: &Profile) -> (Vec<Finding>, Option<String>) {
    let kind = session.kind.clone().unwrap_or(Kind::Probe);
    let exchange = &session.exchange;
    let close_expected =
        "a close frame with a fitting code (1007, 1003, 1009, 1008) and a short reason";
    let one = |rule, observed: String| vec![Finding::new(rule, exchange, observed, close_expected)];
    match &session.end {
        End::Event(Event::Close(payload)) => (close(exchange, payload), None),
        End::Event(Event::RawHttp(text)) => (
            one(
                rules::WS_HTTP_AFTER_UPGRADE,
                format!(
                    "an HTTP response was written on the upgraded connection: {}",
                    first_line(text)
                ),
            ),
            None,
        ),
        // The auditor stopped reading (a frame or message past its own
        // limit, or bytes it cannot parse): how the server would have ended
        // the session is unknown, so it is not judged.
        End::Event(Event::Invalid(why)) => (
            Vec::new(),
            Some(format!("not judged: the auditor stopped reading at {why}")),
        ),
        End::Event(_) => {
            if let Some(message) = session.messages.iter().find(|m| looks_like_http_error(m)) {
                let observed = format!(
                    "an HTTP-style error was sent as a message, then the connection dropped: {}",
                    first_line(message)
                );
                return (one(rules::WS_HTTP_AFTER_UPGRADE, observed), None);
            }
            let observed = if session.in_context {
                "after a valid message, the bad one ended the connection without a close \
                 frame (the client sees 1006, no reason)"
            } else {
                "the connection ended without a close frame (the client sees 1006, no reason)"
            };
            let finding = Finding::new(rules::WS_DROPPED, exchange, observed, close_expected);
            let finding = match drop_rating(&kind) {
                Some((severity, context)) => finding.rated(severity, context),
                None => finding,
            };
            (vec![finding], None)
        }
        End::Open if session.received > 0 && !profile.feed => (Vec::new(), None),
        // A valid message: an open session is what it should get.
        End::Open if matches!(kind, Kind::Sample(_) | Kind::Probe) => (Vec::new(), None),
        End::Open => match profile.silence(&kind) {
            Ok(context) => (vec![silence(session, &kind, context)], None),
            Err(why) => (
                Vec::new(),
                Some(format!("sessions left open were not judged: {why}")),
            ),
        },
        End::Before(_) => (
            Vec::new(),
            Some("a session ended during the greeting, before its message was sent".into()),
        ),
        End::NotRead(why) => (
            Vec::new(),
            Some(format!(
                "a message was not taken ({why}): a server that never reads is not judged"
            )),
        ),
    }
}

/// WF-WS-003 for a session that stayed silent after bad input.
fn silence(session: &Session, kind: &Kind, context: String) -> Finding {
    let mut observed =
        "the session stayed open: no answer and no close frame within the timeout".to_owned();
    let mut expected =
        "a close frame with a fitting code (1007, 1003, 1009, 1008), or an answer".to_owned();
    if let Kind::Bad(BadInput::Oversized(size)) = kind {
        observed = format!("the {size}-byte message vanished: no answer and no close frame");
        expected = "a close frame with 1009 (message too big) and a short reason".to_owned();
    }
    match session.still_answers {
        Some(true) => observed.push_str("; a valid message sent after it was answered"),
        Some(false) => observed.push_str(
            "; a valid message sent after it got no answer either: the endpoint stopped \
             answering for the rest of the session",
        ),
        None => {}
    }
    Finding::new(rules::WS_NO_CLOSE, &session.exchange, observed, expected)
        .rated(rules::WS_NO_CLOSE.severity, context)
}

/// A drop after the binary message is a warning, not an error: the fix is
/// a 1003 close (RFC 6455 §7.4.1, "a type of data it cannot accept"), and
/// the session was ended either way.
fn drop_rating(kind: &Kind) -> Option<(Severity, &'static str)> {
    (*kind == Kind::Bad(BadInput::Binary)).then_some((
        Severity::Warning,
        "a binary message to an endpoint that does not take binary: close it with 1003 \
         (unsupported data), as a browser page or a buggy client may send one",
    ))
}

/// WF-WS-004 to WF-WS-006: the close frame a session ended with.
pub(crate) fn close(exchange: &Exchange, payload: &[u8]) -> Vec<Finding> {
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
                format!("a UTF-8 reason of at most {} bytes", spec::MAX_REASON_BYTES),
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
            format!("a reason of at most {} UTF-8 bytes", spec::MAX_REASON_BYTES),
        ));
    }
    if let Some(marker) = crate::probe::leak::find(text) {
        findings.push(Finding::new(
            rules::WS_REASON_LEAK,
            exchange,
            format!("the close reason shows internals: {marker}"),
            "a generic reason; the details in the server log",
        ));
    }
    findings
}

/// WF-WS-008: the auditor's close frame must be answered with a close
/// frame (RFC 6455 §5.5.1); the frame that comes back is judged as any
/// other close. `Err` says why it was not judged.
pub(crate) fn closing(watch: &Watch) -> Result<Vec<Finding>, String> {
    let expected = "a close frame back (RFC 6455 §5.5.1), then the end of the connection";
    let exchange = &watch.exchange;
    match &watch.closing {
        // An answer without a code is valid (RFC 6455 §5.5.1: echoing the
        // code is what endpoints "typically" do, not a must).
        Closing::Answer(Event::Close(payload)) if payload.is_empty() => Ok(Vec::new()),
        Closing::Answer(Event::Close(payload)) => Ok(close(exchange, payload)),
        Closing::Answer(Event::Timeout) => Ok(vec![Finding::new(
            rules::WS_NO_CLOSE_ANSWER,
            exchange,
            "the server did not answer the client's close frame within the timeout",
            expected,
        )]),
        // Werkzeug writes its HTTP response once the flask-sock handler
        // returns (flask-sock#20, #70: browsers fail with "Invalid frame
        // header"): the close frame, if it follows, is not what the client
        // reads first.
        Closing::Answer(Event::RawHttp(text)) => Ok(vec![Finding::new(
            rules::WS_NO_CLOSE_ANSWER,
            exchange,
            format!(
                "HTTP bytes came back where the close frame should be ({}): a client fails \
                 the connection (\"invalid frame header\", 1006) instead of closing it",
                first_line(text)
            ),
            expected,
        )]),
        Closing::Answer(Event::Invalid(why)) => {
            Err(format!("the auditor stopped reading the answer at {why}"))
        }
        Closing::Answer(_) => Ok(vec![Finding::new(
            rules::WS_NO_CLOSE_ANSWER,
            exchange,
            "the server dropped the TCP connection on the client's close frame, without a \
             close frame back (the client sees 1006)",
            expected,
        )]),
        Closing::EndedFirst(_) => {
            Err("the server ended the session before the auditor sent its close frame".to_owned())
        }
    }
}

/// WF-WS-002 for a session after which the service accepted no more
/// connections: the next handshake failed, after this one had opened. A
/// correct server keeps serving other clients whatever one of them sent;
/// this is the drop of every session at once (a process that crashed, such
/// as a Node `ws` server without an `error` listener).
pub(crate) fn service_went_down(exchange: &Exchange, next: &str) -> Finding {
    Finding::new(
        rules::WS_DROPPED,
        exchange,
        format!(
            "after this session the service accepted no more connections (the next \
             handshake: {next}): the server crashed or stopped listening"
        ),
        "a close frame for this client, and the service still serving the next one",
    )
}

/// A credential a browser adds to a WebSocket handshake by itself, from
/// any page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ambient {
    /// Cookies (`--cookie`, `-H Cookie`), by name.
    Cookie(Vec<SentCookie>),
    /// HTTP Basic (`-H 'Authorization: Basic …'`).
    Basic,
    /// A TLS client certificate (`--client-cert`).
    ClientCert,
}

/// A cookie the audit sent, with its `SameSite` when the audit saw the
/// target's `Set-Cookie` for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SentCookie {
    /// Its name.
    pub(crate) name: String,
    /// `None`: no `Set-Cookie` of this name was seen.
    pub(crate) same_site: Option<SameSite>,
}

/// What a browser does with a cookie of this `SameSite` on a cross-site
/// WebSocket handshake.
fn same_site_limit(same_site: SameSite) -> &'static str {
    match same_site {
        SameSite::Strict | SameSite::Lax => {
            "browsers do not send it on a cross-site WebSocket handshake, so only \
             same-site origins (sibling subdomains) can use it"
        }
        SameSite::None => "any site's page can use it",
        SameSite::Unset => {
            "Lax by default in Chrome, sent cross-site in browsers that do not default to Lax"
        }
    }
}

fn same_site_attribute(same_site: SameSite) -> &'static str {
    match same_site {
        SameSite::Strict => "SameSite=Strict",
        SameSite::Lax => "SameSite=Lax",
        SameSite::None => "SameSite=None",
        SameSite::Unset => "no SameSite attribute",
    }
}

impl Ambient {
    fn name(&self) -> String {
        match self {
            Ambient::Cookie(cookies) => match cookies.as_slice() {
                [] => "the cookie".into(),
                [one] => format!("the cookie `{}`", one.name),
                many => format!(
                    "the cookies {}",
                    many.iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
            Ambient::Basic => "the HTTP Basic credentials".into(),
            Ambient::ClientCert => "the client certificate".into(),
        }
    }

    /// What limits it in browsers: for a cookie, its `SameSite` as the
    /// target set it, when the audit saw the `Set-Cookie`.
    fn limits(&self) -> String {
        match self {
            Ambient::Cookie(cookies) if cookies.iter().any(|c| c.same_site.is_some()) => cookies
                .iter()
                .map(|c| match c.same_site {
                    Some(s) => format!(
                        "`{}` was set with {}: {}",
                        c.name,
                        same_site_attribute(s),
                        same_site_limit(s)
                    ),
                    None => format!("no Set-Cookie of `{}` was seen", c.name),
                })
                .collect::<Vec<_>>()
                .join("; "),
            Ambient::Cookie(_) => "a browser sends it from any page unless it is SameSite=Lax or \
                                   Strict (then only from pages of the same site; the audit saw \
                                   no Set-Cookie of it)"
                .into(),
            Ambient::Basic => "a browser that has cached them for this host sends them from any \
                               page, except where the HTTP-auth cache is partitioned by \
                               top-level site (in Chrome only behind a flag)"
                .into(),
            Ambient::ClientCert => "a browser that holds it presents it on the TLS handshake to \
                                    this host, whichever page opens the socket (after asking the \
                                    user at most once)"
                .into(),
        }
    }
}

/// The severity of an accepted foreign origin (WF-WS-001): an error when
/// the socket authenticates with a credential the browser sends by itself
/// (cross-site WebSocket hijacking), otherwise info, with the context said.
/// `refused_without`: was the handshake refused without the credentials
/// (`None`: not tried or no answer)?
pub(crate) fn foreign_origin_rating(
    ambient: Option<Ambient>,
    refused_without: Option<bool>,
) -> (Severity, String) {
    match (ambient, refused_without) {
        (Some(a), Some(true)) => (
            Severity::Error,
            format!(
                "{}-authenticated socket: refused without {}, accepted with it; {}",
                match a {
                    Ambient::Cookie(_) => "cookie",
                    Ambient::Basic => "Basic",
                    Ambient::ClientCert => "certificate",
                },
                a.name(),
                a.limits()
            ),
        ),
        (Some(a), Some(false)) => (
            Severity::Error,
            format!(
                "the audit sent {}, and {}; accepted without it too: if the session never \
                 reads it, the socket is anonymous (info: audit it without them)",
                a.name(),
                a.limits()
            ),
        ),
        (Some(a), None) => (
            Severity::Error,
            format!("the audit sent {}, and {}", a.name(), a.limits()),
        ),
        (None, Some(true)) => (
            Severity::Info,
            "the socket needs the -H credentials (a bearer token or an API key), which a page \
             on another site cannot add to a WebSocket handshake"
                .into(),
        ),
        (None, _) => (
            Severity::Info,
            "anonymous socket: no cookie or Basic credentials were given (pass --cookie if it \
             authenticates with cookies, which makes this an error)"
                .into(),
        ),
    }
}

/// How a handshake with a wrong or missing query token went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenAnswer {
    /// Refused before the upgrade with this status.
    Refused(u16),
    /// Upgraded, then this event (a close, a drop, HTTP bytes), or
    /// [`Event::Timeout`] when the session stayed open.
    Upgraded(Event),
}

/// Judges a handshake with a bogus or missing credential in the query:
/// the right answer is a refusal before the upgrade (401/403). 101 then
/// HTTP bytes is WF-WS-007; 101 then a close is info (the client learns
/// little, but the session ends). `Err` says why nothing was found.
pub(crate) fn token(
    exchange: &Exchange,
    what: &str,
    answer: &TokenAnswer,
) -> Result<Finding, String> {
    let expected = "HTTP 401 or 403 before the upgrade";
    match answer {
        TokenAnswer::Refused(_) => Err(String::new()),
        TokenAnswer::Upgraded(Event::RawHttp(text)) => Ok(Finding::new(
            rules::WS_HTTP_AFTER_UPGRADE,
            exchange,
            format!(
                "with {what}, the handshake was accepted (101), then an HTTP response was \
                 written on the upgraded connection: {}",
                first_line(text)
            ),
            expected,
        )),
        TokenAnswer::Upgraded(Event::Close(payload)) => {
            let code =
                close_parts(payload).map_or_else(|| "no code".to_owned(), |(c, _)| c.to_string());
            Ok(Finding::new(
                rules::WS_HTTP_AFTER_UPGRADE,
                exchange,
                format!("with {what}, the handshake was accepted (101), then closed ({code})"),
                expected,
            )
            .rated(
                Severity::Info,
                "the credential is checked after the upgrade: a browser client sees only the close \
                 code, not why; a refusal before the upgrade is clearer",
            ))
        }
        TokenAnswer::Upgraded(Event::Timeout) => Err(format!(
            "with {what}, the handshake was accepted and the session stayed open: the parameter \
             may be optional (not judged)"
        )),
        TokenAnswer::Upgraded(_) => Ok(Finding::new(
            rules::WS_DROPPED,
            exchange,
            format!(
                "with {what}, the handshake was accepted (101), then the connection dropped \
                 without a close frame (1006)"
            ),
            expected,
        )
        .rated(
            Severity::Warning,
            "the credential is checked after the upgrade, and the session is dropped",
        )),
    }
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
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(trimmed) else {
        return false;
    };
    let status = ["status", "status_code", "statusCode"]
        .iter()
        .filter_map(|k| object.get(*k).and_then(Value::as_u64))
        .any(|s| (400..600).contains(&s));
    status || (object.len() == 1 && object.contains_key("detail"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Received, SentRequest};

    const TEXT: Kind = Kind::Bad(BadInput::MalformedText);

    fn exchange() -> Exchange {
        Exchange {
            request: SentRequest {
                method: "GET".into(),
                url: "http://127.0.0.1/ws".into(),
                headers: vec![],
                body: Some("after the upgrade, ...".into()),
            },
            received: Received::WebSocket { transcript: vec![] },
        }
    }

    fn session_of(end: End, received: usize, messages: &[&str], kind: Kind) -> Session {
        Session {
            exchange: exchange(),
            end,
            messages: messages.iter().map(|m| (*m).to_owned()).collect(),
            received,
            kind: Some(kind),
            in_context: false,
            still_answers: None,
        }
    }

    fn close_end(code: u16, reason: &str) -> End {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_bytes());
        End::Event(Event::Close(payload))
    }

    fn json_profile() -> Profile {
        Profile {
            json: Some("test".into()),
            ..Profile::default()
        }
    }

    fn ids(end: End, messages: &[&str]) -> Vec<&'static str> {
        let s = session_of(end, messages.len(), messages, TEXT);
        session(&s, &json_profile())
            .0
            .iter()
            .map(|f| f.rule.id)
            .collect()
    }

    #[test]
    fn session_ends() {
        assert!(ids(close_end(1007, "malformed JSON"), &[]).is_empty());
        assert_eq!(ids(close_end(1006, "x"), &[]), ["WF-WS-004"]);
        assert_eq!(ids(End::Event(Event::Close(vec![])), &[]), ["WF-WS-004"]);
        assert_eq!(ids(End::Event(Event::Close(vec![3])), &[]), ["WF-WS-004"]);
        assert_eq!(
            ids(End::Event(Event::Close(vec![0x03, 0xF0, 0xFF])), &[]),
            ["WF-WS-004"]
        );
        assert_eq!(ids(close_end(1008, &"é".repeat(62)), &[]), ["WF-WS-005"]);
        assert!(ids(close_end(1008, &"a".repeat(123)), &[]).is_empty());
        assert_eq!(
            ids(close_end(1011, "panicked at src/ws.rs:3:1"), &[]),
            ["WF-WS-006"]
        );
        assert_eq!(ids(End::Event(Event::Eof), &[]), ["WF-WS-002"]);
        assert_eq!(
            ids(
                End::Event(Event::Error("reset".into())),
                &["{\"event\":\"x\"}"]
            ),
            ["WF-WS-002"]
        );
        assert_eq!(
            ids(End::Event(Event::Eof), &[r#"{"detail":"bad"}"#]),
            ["WF-WS-007"]
        );
        assert_eq!(
            ids(
                End::Event(Event::RawHttp("HTTP/1.1 500 Internal".into())),
                &[]
            ),
            ["WF-WS-007"]
        );
        assert_eq!(ids(End::Open, &[]), ["WF-WS-003"]);
    }

    #[test]
    fn a_drop_after_binary_is_a_warning_whose_fix_is_1003() {
        let binary = Kind::Bad(BadInput::Binary);
        let dropped = session_of(End::Event(Event::Eof), 0, &[], binary.clone());
        let found = session(&dropped, &Profile::default()).0;
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].context.as_deref().unwrap_or("").contains("1003"));
        let text = session_of(End::Event(Event::Eof), 0, &[], TEXT);
        assert_eq!(
            session(&text, &json_profile()).0[0].severity,
            Severity::Error
        );
        // 1003 is the right answer.
        let refused = session_of(close_end(1003, "text only"), 0, &[], binary);
        assert!(session(&refused, &Profile::default()).0.is_empty());
    }

    #[test]
    fn an_answer_is_not_a_missing_close() {
        assert!(ids(End::Open, &["Message text was: {"]).is_empty());
    }

    #[test]
    fn a_vanished_oversized_message_says_whether_answers_go_on() {
        let mut answering = Profile::default();
        answering.answered(&Kind::Probe, true);
        let mut quiet = session_of(End::Open, 0, &[], Kind::Bad(BadInput::Oversized(65537)));
        quiet.still_answers = Some(false);
        let found = session(&quiet, &answering).0;
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert!(found[0].observed.contains("stopped answering"));
        assert!(found[0].expected.contains("1009"));
        // Unknown protocol: not judged.
        let (none, note) = session(&quiet, &Profile::default());
        assert!(none.is_empty() && note.is_some());
    }

    #[test]
    fn silence_is_judged_only_where_it_means_something() {
        let quiet = session_of(End::Open, 0, &[], TEXT);
        // Unknown protocol: a plain-text chat that answers nobody is fine.
        let (findings, note) = session(&quiet, &Profile::default());
        assert!(findings.is_empty() && note.is_some());
        // A server that keeps sending unasked.
        let feed = Profile {
            feed: true,
            ..json_profile()
        };
        let pushed = session_of(End::Open, 40, &["12:00:01"], TEXT);
        let (findings, note) = session(&pushed, &feed);
        assert!(findings.is_empty() && note.is_some());
        // ...but a feed that closes with 1007 is judged by its close.
        let closed = session_of(close_end(1007, "bad"), 40, &["12:00:01"], TEXT);
        assert!(session(&closed, &feed).0.is_empty());
        // A variant is judged only if its sample was answered.
        let variant = session_of(End::Open, 0, &[], Kind::Variant(0));
        assert!(session(&variant, &json_profile()).0.is_empty());
        let mut answering = json_profile();
        answering.answered(&Kind::Sample(0), true);
        assert_eq!(session(&variant, &answering).0.len(), 1);
        // Not read at all: not a failure.
        let unread = session_of(End::NotRead("stalled".into()), 0, &[], TEXT);
        assert!(session(&unread, &json_profile()).0.is_empty());
        // Ended before the message was sent: nothing to judge it by.
        let early = session_of(End::Before(Box::new(Event::Eof)), 0, &[], TEXT);
        let (findings, note) = session(&early, &json_profile());
        assert!(findings.is_empty() && note.is_some());
    }

    fn watched(closing: Closing) -> Watch {
        Watch {
            exchange: exchange(),
            first_text: None,
            burst: 0,
            keeps_sending: false,
            closing,
        }
    }

    #[test]
    fn the_close_frame_must_be_answered() {
        let rule = |c| {
            closing(&watched(c))
                .map(|f| f.iter().map(|f| f.rule.id).collect::<Vec<_>>())
                .map_err(|_| ())
        };
        assert_eq!(
            rule(Closing::Answer(Event::Close(vec![3, 232]))),
            Ok(vec![])
        );
        assert_eq!(rule(Closing::Answer(Event::Close(vec![]))), Ok(vec![]));
        assert_eq!(
            rule(Closing::Answer(Event::Close(vec![3]))),
            Ok(vec!["WF-WS-004"])
        );
        assert_eq!(rule(Closing::Answer(Event::Eof)), Ok(vec!["WF-WS-008"]));
        assert_eq!(
            rule(Closing::Answer(Event::Error("reset".into()))),
            Ok(vec!["WF-WS-008"])
        );
        assert_eq!(rule(Closing::Answer(Event::Timeout)), Ok(vec!["WF-WS-008"]));
        assert_eq!(
            rule(Closing::Answer(Event::RawHttp("HTTP/1.1 200 OK".into()))),
            Ok(vec!["WF-WS-008"])
        );
        assert!(rule(Closing::EndedFirst(Event::Eof)).is_err());
        let found = closing(&watched(Closing::Answer(Event::Eof))).unwrap_or_default();
        assert_eq!(found[0].severity, Severity::Warning);
    }

    #[test]
    fn ambient_credentials_make_a_foreign_origin_an_error() {
        let sid = |same_site| {
            Ambient::Cookie(vec![SentCookie {
                name: "sid".into(),
                same_site,
            }])
        };
        for a in [sid(None), Ambient::Basic, Ambient::ClientCert] {
            for refused in [Some(true), Some(false), None] {
                assert_eq!(
                    foreign_origin_rating(Some(a.clone()), refused).0,
                    Severity::Error
                );
            }
        }
        let (_, basic) = foreign_origin_rating(Some(Ambient::Basic), Some(true));
        assert!(basic.contains("Basic") && basic.contains("partitioned"));
        let (_, cookie) = foreign_origin_rating(Some(sid(None)), None);
        assert!(
            cookie.contains("the cookie `sid`") && cookie.contains("unless it is SameSite=Lax"),
            "{cookie}"
        );
        assert_eq!(foreign_origin_rating(None, None).0, Severity::Info);
        assert_eq!(foreign_origin_rating(None, Some(true)).0, Severity::Info);
    }

    #[test]
    fn a_seen_same_site_names_what_limits_the_cookie() {
        let rated = |cookies: Vec<(&str, Option<SameSite>)>| {
            let cookies = cookies
                .into_iter()
                .map(|(name, same_site)| SentCookie {
                    name: name.into(),
                    same_site,
                })
                .collect();
            let (severity, context) =
                foreign_origin_rating(Some(Ambient::Cookie(cookies)), Some(true));
            // Only the context changes: the severity stays an error.
            assert_eq!(severity, Severity::Error);
            context
        };
        for (same_site, attribute) in [(SameSite::Strict, "Strict"), (SameSite::Lax, "Lax")] {
            let context = rated(vec![("sid", Some(same_site))]);
            assert_eq!(
                context,
                format!(
                    "cookie-authenticated socket: refused without the cookie `sid`, accepted \
                     with it; `sid` was set with SameSite={attribute}: browsers do not send it \
                     on a cross-site WebSocket handshake, so only same-site origins (sibling \
                     subdomains) can use it"
                )
            );
        }
        let none = rated(vec![("sid", Some(SameSite::None))]);
        assert!(
            none.ends_with("`sid` was set with SameSite=None: any site's page can use it"),
            "{none}"
        );
        let unset = rated(vec![("sid", Some(SameSite::Unset))]);
        assert!(
            unset.ends_with(
                "`sid` was set with no SameSite attribute: Lax by default in Chrome, sent \
                 cross-site in browsers that do not default to Lax"
            ),
            "{unset}"
        );
        let two = rated(vec![("a", Some(SameSite::Lax)), ("b", None)]);
        assert!(two.contains("the cookies `a`, `b`"), "{two}");
        assert!(two.ends_with("no Set-Cookie of `b` was seen"), "{two}");
    }

    #[test]
    fn tokens_checked_after_the_upgrade() {
        let judge = |a| token(&exchange(), "a bogus `token`", &a);
        assert!(judge(TokenAnswer::Refused(401)).is_err());
        let raw = judge(TokenAnswer::Upgraded(Event::RawHttp(
            "HTTP/1.1 401 Unauthorized".into(),
        )))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((raw.rule.id, raw.severity), ("WF-WS-007", Severity::Error));
        let closed = judge(TokenAnswer::Upgraded(Event::Close(vec![0x0F, 0xA0])))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(closed.severity, Severity::Info);
        assert!(closed.observed.contains("4000"));
        assert!(judge(TokenAnswer::Upgraded(Event::Timeout)).is_err());
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
