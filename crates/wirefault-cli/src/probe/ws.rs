//! WebSocket probes of one endpoint, in two phases.
//!
//! First the probe learns what the endpoint is: one session that sends
//! nothing (does the server push or greet, and in JSON?), one that sends the
//! user's sample message (`--ws-message`; is it answered?), and the
//! foreign-origin handshake (WF-WS-001). Then it sends each bad input (text
//! that is not JSON, an oversized message, and for a JSON endpoint a binary
//! message) and each variant of the sample ([`super::wsvariants`]), every
//! one on a fresh connection, one at a time, and judges how each session
//! ends: its close frame (code, reason length, leaks), a drop (1006), HTTP
//! bytes after the upgrade, or no close at all.
//!
//! "No close" (WF-WS-003) is judged only where it means something: an answer
//! counts as an answer; text that is not JSON is bad input only for an
//! endpoint known to speak JSON; a variant of the sample only where the
//! sample itself was answered; and never on a server that pushes without
//! being asked (a clock), whose messages cannot be told from answers. Each
//! session reads until its close or its deadline, with no cap on messages.
//!
//! "HTTP error after the upgrade" (WF-WS-007) is reported when it reaches the
//! wire: bytes that start with `HTTP/` where a frame should be, or a data
//! message that is an HTTP status line or an HTTP-style error object
//! (`{"detail": ...}` alone, or a `status`/`status_code` of 400 or more)
//! followed by the end of the stream without a close frame. A framework that
//! swallows the HTTP response and drops the TCP connection (Starlette with
//! `raise HTTPException` after `accept()`) shows only the drop: that is
//! WF-WS-002, whose documentation names this cause.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;

use super::wsclient::{self, Event, Handshake, Sent};
use super::wsvariants::{self, MAX_VARIANTS};
use super::{http, Ctx, FOREIGN_ORIGIN};
use crate::finding::{Exchange, Finding, Outcome, Received, SentRequest, Skipped};
use crate::rules::{self, Severity};
use wirefault::spec;

/// Size of the oversized message: 1 MiB and one byte.
pub(crate) const OVERSIZED: usize = 1024 * 1024 + 1;
/// Most messages shown in a transcript.
const SHOWN_MESSAGES: usize = 12;
/// Most messages kept for judging (HTTP-style errors).
const KEPT_MESSAGES: usize = 64;

/// The rules judged from the sessions after the upgrade.
const SESSION_RULES: [&str; 6] = [
    "WF-WS-002",
    "WF-WS-003",
    "WF-WS-004",
    "WF-WS-005",
    "WF-WS-006",
    "WF-WS-007",
];

/// A WebSocket endpoint to audit.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Its URL (http or https).
    pub(crate) url: Url,
    /// A valid message for it (`--ws-message`).
    pub(crate) sample: Option<Value>,
    /// The subprotocol to ask for (`--ws-protocol`).
    pub(crate) protocol: Option<String>,
}

/// A message a session cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadInput {
    /// Text that is not JSON.
    MalformedText,
    /// A binary frame.
    Binary,
    /// A text message of [`OVERSIZED`] bytes.
    Oversized,
}

impl BadInput {
    fn message(self) -> Message {
        let (opcode, payload, description) = match self {
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
        };
        Message {
            opcode,
            payload,
            description,
            kind: Kind::Bad(self),
        }
    }
}

/// What a message is, for judging the silence after it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Sample,
    Bad(BadInput),
    Variant,
}

/// One message to send on a fresh session.
#[derive(Debug, Clone)]
struct Message {
    opcode: u8,
    payload: Vec<u8>,
    description: String,
    kind: Kind,
}

impl Message {
    fn text(text: String, description: String, kind: Kind) -> Self {
        Message {
            opcode: wsclient::TEXT,
            payload: text.into_bytes(),
            description,
            kind,
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq)]
enum End {
    /// A close frame, a drop, HTTP bytes or an invalid frame.
    Event(Event),
    /// Still open at the deadline.
    Open,
    /// The server did not read the message.
    NotRead(String),
}

/// One session after the upgrade.
#[derive(Debug, Clone)]
struct Session {
    exchange: Exchange,
    end: End,
    /// Messages received (text), the first [`KEPT_MESSAGES`].
    messages: Vec<String>,
    /// Messages received in all (text and binary).
    received: usize,
    /// What was sent (`None`: nothing, the session only watched).
    kind: Option<Kind>,
}

/// A handshake that did not upgrade.
enum Refusal {
    /// An HTTP answer other than 101.
    Http(Exchange),
    /// No usable answer.
    Failed(String),
}

/// What phase one learned about the endpoint.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Profile {
    /// The server sent messages without being asked.
    pushes: bool,
    /// Why the endpoint is known to speak JSON, if it is.
    json: Option<String>,
    /// The sample message was sent (and the session read).
    sampled: bool,
    /// The sample message was answered.
    answers_sample: bool,
}

impl Profile {
    /// Why silence after this message is a finding (`Ok`, the context), or
    /// why it cannot be judged (`Err`).
    fn silence(&self, kind: &Kind) -> Result<String, String> {
        if self.pushes {
            return Err(
                "the server pushes messages unasked, so answers cannot be told apart".into(),
            );
        }
        match kind {
            Kind::Sample => Err("the sample message may need no answer".into()),
            // A protocol that does not answer even a valid message owes no
            // answer to a bad one.
            Kind::Bad(_) if self.sampled && !self.answers_sample => {
                Err("the valid sample message got no answer either".into())
            }
            Kind::Bad(_) => match &self.json {
                Some(why) => Ok(format!("a JSON protocol ({why})")),
                None => Err(
                    "the endpoint's protocol is unknown (give a sample with --ws-message PATH=JSON)"
                        .into(),
                ),
            },
            Kind::Variant if self.answers_sample => {
                Ok("the endpoint answered the valid sample message".into())
            }
            Kind::Variant => Err("the valid sample message got no answer either".into()),
        }
    }
}

/// Header list: name, value.
type Headers = Vec<(String, String)>;

/// The headers to send, and the same with credentials redacted for the report.
fn handshake_headers(
    ctx: &Ctx,
    endpoint: &Endpoint,
    origin: Option<&str>,
    credentials: bool,
) -> (Headers, Headers) {
    let mut sent = Vec::new();
    let mut shown = vec![
        ("Upgrade".to_owned(), "websocket".to_owned()),
        ("Sec-WebSocket-Version".to_owned(), "13".to_owned()),
    ];
    if let Some(origin) = origin {
        sent.push(("Origin".to_owned(), origin.to_owned()));
        shown.push(("Origin".to_owned(), origin.to_owned()));
    }
    if let Some(protocol) = &endpoint.protocol {
        sent.push(("Sec-WebSocket-Protocol".to_owned(), protocol.clone()));
        shown.push(("Sec-WebSocket-Protocol".to_owned(), protocol.clone()));
    }
    if credentials {
        sent.extend(ctx.auth.iter().map(|(n, v)| (n.clone(), v.0.clone())));
        shown.extend(ctx.shown_auth());
    }
    (sent, shown)
}

/// Opens a session; counts the handshake as a request sent.
async fn open(
    ctx: &Ctx,
    endpoint: &Endpoint,
    origin: Option<&str>,
    credentials: bool,
) -> (SentRequest, Handshake) {
    let (sent, shown) = handshake_headers(ctx, endpoint, origin, credentials);
    let request = SentRequest {
        method: "GET".into(),
        url: endpoint.url.to_string(),
        headers: shown,
        body: None,
    };
    ctx.sent.fetch_add(1, Ordering::Relaxed);
    let handshake = wsclient::connect(&endpoint.url, &sent, ctx.timeout, &ctx.tls).await;
    (request, handshake)
}

/// Audits one endpoint: learns what it is, then sends the bad inputs and
/// the sample's variants, each on a fresh connection, one session at a
/// time, so that findings do not depend on what another probe did on a
/// server with shared state (a chat that broadcasts to every client).
pub(crate) async fn audit(ctx: &Ctx, endpoint: &Endpoint) -> Outcome {
    let mut outcome = Outcome::default();
    let url = endpoint.url.to_string();
    // Servers that push or greet do it at once; a second is plenty.
    let idle = (ctx.timeout / 4).min(Duration::from_secs(1));
    let sample = endpoint.sample.as_ref().map(|value| {
        Message::text(
            value.to_string(),
            format!("text (the sample): {value}"),
            Kind::Sample,
        )
    });

    // Phase one: what is it? One session at a time, so that a server
    // that broadcasts (a chat) does not show one probe's traffic to another.
    let foreign = foreign_origin(ctx, endpoint).await;
    let learned = session(ctx, endpoint, None, idle).await;
    let sampled = match (&sample, &learned) {
        (Some(message), Ok(_)) => Some(session(ctx, endpoint, Some(message), ctx.timeout).await),
        _ => None,
    };
    outcome.extend(foreign);
    let learned = match learned {
        Ok(session) => session,
        Err(refusal) => {
            let reason = match refusal {
                Refusal::Http(exchange) => {
                    let status = exchange.received.http().map_or(0, |a| a.status);
                    outcome.findings.extend(http::judge_answer(&exchange));
                    format!(
                        "the handshake from the trusted origin was refused with HTTP {status} \
                         (pass the credentials it needs with --cookie or -H, or check the path)"
                    )
                }
                Refusal::Failed(why) => format!("no WebSocket session: {why}"),
            };
            outcome.skipped.push(Skipped {
                rules: SESSION_RULES.to_vec(),
                target: url,
                reason,
            });
            return outcome;
        }
    };
    let mut profile = Profile {
        pushes: learned.received > 0,
        ..Profile::default()
    };
    if endpoint.sample.is_some() {
        profile.json = Some("the sample message given with --ws-message".into());
    } else if learned
        .messages
        .first()
        .is_some_and(|m| is_json_document(m))
    {
        profile.json = Some("the server's first message is JSON".into());
    }
    let mut not_judged: Vec<String> = Vec::new();
    // The last session that opened: when the next one cannot even connect,
    // what it sent took the service down.
    let mut last_opened = Some(learned.exchange.clone());
    if let Some(sampled) = sampled {
        match sampled {
            Ok(session) => {
                last_opened = Some(session.exchange.clone());
                profile.sampled = true;
                profile.answers_sample = session.received > 0;
                if let End::Event(Event::Close(payload)) = &session.end {
                    let (code, reason) = close_parts(payload).unwrap_or((1005, &[]));
                    outcome.skipped.push(Skipped {
                        rules: vec!["WF-WS-003"],
                        target: url.clone(),
                        reason: format!(
                            "the sample message was answered by close {code} {:?}: is it valid? \
                             Its variants are judged by how they end only",
                            String::from_utf8_lossy(reason)
                        ),
                    });
                    profile.answers_sample = false;
                }
                let (mut findings, note) = judge(&session, &profile);
                for finding in &mut findings {
                    finding.sequence = Some(0);
                }
                outcome.findings.extend(findings);
                not_judged.extend(note);
            }
            Err(refusal) => {
                let why = match refusal {
                    Refusal::Http(exchange) => {
                        format!("HTTP {}", exchange.received.http().map_or(0, |a| a.status))
                    }
                    Refusal::Failed(why) => why,
                };
                outcome.skipped.push(Skipped {
                    rules: SESSION_RULES.to_vec(),
                    target: url.clone(),
                    reason: format!("the session for the sample message did not open: {why}"),
                });
            }
        }
    }

    // Phase two: bad inputs and variants, each on a fresh connection.
    // The binary message goes last, and only to an endpoint known to speak
    // JSON: a text handler that crashes on it can leave a broken client in
    // a chat's list, which changes how later sessions (and later audits)
    // end, and clients of a text protocol never send binary anyway.
    let mut messages: Vec<Message> = [BadInput::MalformedText, BadInput::Oversized]
        .iter()
        .map(|b| b.message())
        .collect();
    if let Some(value) = &endpoint.sample {
        let (variants, built) = wsvariants::variants(value);
        if built > variants.len() {
            outcome.caps.push(format!(
                "{url}: {built} variants of the sample built, {} sent (at most {MAX_VARIANTS})",
                variants.len()
            ));
        }
        messages.extend(variants.into_iter().map(|v| {
            let shown = crate::finding::shorten(&v.text);
            Message::text(
                v.text,
                format!("text (variant) {}: {shown}", v.description),
                Kind::Variant,
            )
        }));
    }
    if profile.json.is_some() {
        messages.push(BadInput::Binary.message());
    }
    // One session at a time, within the endpoint's budget. Once a silence
    // has been found, the next ones are the same root cause: a short wait
    // shows them.
    let budget_end = Instant::now() + phase_two_budget(ctx.timeout);
    let mut silent_found = false;
    let mut failed = Vec::new();
    let mut sent = 0;
    for message in &messages {
        if Instant::now() >= budget_end {
            break;
        }
        let wait = session_wait(
            ctx.timeout,
            profile.silence(&message.kind).is_ok(),
            silent_found,
        );
        let mut judged = judged_session(ctx, endpoint, message, &profile, wait).await;
        sent += 1;
        // In the order sent (the sample's session is 0): the first drop of
        // a chat that a crash left broken is shown first, not its aftermath.
        for finding in &mut judged.findings {
            finding.sequence = Some(sent);
        }
        silent_found |= judged
            .findings
            .iter()
            .any(|f| f.rule.id == rules::WS_NO_CLOSE.id);
        outcome.findings.extend(judged.findings);
        not_judged.extend(judged.note);
        if let Some(exchange) = judged.opened {
            last_opened = Some(exchange);
        }
        if let Some(failure) = judged.failure {
            failed.push(failure.text);
            let gone = failure.no_connection.zip(last_opened.take());
            if let Some((why, exchange)) = gone {
                let mut finding = service_went_down(&exchange, &why);
                finding.sequence = Some(sent);
                outcome.findings.push(finding);
                // Every later session would fail the same way, each after
                // its own wait: stop here, and say what was not run.
                let rest = messages.len() - sent;
                if rest > 0 {
                    failed.push(format!(
                        "{rest} more sessions not run: the service stopped accepting connections"
                    ));
                }
                break;
            }
        }
    }
    if sent < messages.len() && Instant::now() >= budget_end {
        outcome.caps.push(format!(
            "{url}: {sent} of {} WebSocket sessions run within the endpoint's budget of {:.0}s",
            messages.len(),
            phase_two_budget(ctx.timeout).as_secs_f64()
        ));
    }
    if !failed.is_empty() {
        outcome.skipped.push(Skipped {
            rules: SESSION_RULES.to_vec(),
            target: url.clone(),
            reason: format!(
                "{} of {} sessions did not open: {}",
                failed.len(),
                messages.len(),
                failed.join("; ")
            ),
        });
    }
    not_judged.sort();
    not_judged.dedup();
    for reason in not_judged {
        outcome.skipped.push(Skipped {
            rules: vec!["WF-WS-003"],
            target: url.clone(),
            reason,
        });
    }
    outcome
}

/// A drop after a binary message is worth knowing, not a failure: clients
/// of a text protocol (the binary message goes to JSON endpoints only)
/// never send binary, and frameworks that decode text (Starlette's
/// `encoding = "json"`) drop on bytes that are not UTF-8.
fn binary_drop_rating(kind: &Kind) -> Option<(Severity, &'static str)> {
    (*kind == Kind::Bad(BadInput::Binary)).then_some((
        Severity::Info,
        "a binary message to a JSON text protocol, whose clients do not send binary \
         (1003 would tell one that does)",
    ))
}

/// A phase-two session, judged.
struct Judged {
    /// What it showed.
    findings: Vec<Finding>,
    /// Why its silence was not judged.
    note: Option<String>,
    /// The session as sent and seen, when it opened.
    opened: Option<Exchange>,
    /// Why it did not open.
    failure: Option<Failure>,
}

/// Why a session did not open.
struct Failure {
    /// For the report.
    text: String,
    /// Why, when there was no HTTP answer at all (the connection was
    /// refused, reset or timed out), not an HTTP refusal.
    no_connection: Option<String>,
}

/// WF-WS-002 for a session after which the service accepted no more
/// connections: the next handshake failed, after this one had opened. A
/// correct server keeps serving other clients whatever one of them sent;
/// this is the drop of every session at once (a process that crashed, such
/// as a Node `ws` server without an `error` listener).
fn service_went_down(exchange: &Exchange, next: &str) -> Finding {
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

/// The time all phase-two sessions of one endpoint may take together: the
/// timeout and 4 s more. A correct server answers or closes each session in
/// milliseconds; a silent one spends the timeout once, then 300 ms a session.
fn phase_two_budget(timeout: Duration) -> Duration {
    timeout + Duration::from_secs(4)
}

/// How long a session waits after its message for a close: the timeout
/// when its silence is judged; 300 ms once a silence was found (more of it
/// is the same root cause, and a close or a drop comes at once); a quarter
/// of the timeout (at most a second) when only a close or a drop is looked
/// for.
fn session_wait(timeout: Duration, silence_judged: bool, silent_found: bool) -> Duration {
    match (silence_judged, silent_found) {
        (true, false) => timeout,
        (true, true) => timeout.min(Duration::from_millis(300)),
        (false, _) => (timeout / 4).min(Duration::from_secs(1)),
    }
}

/// One phase-two session, judged with what phase one learned.
async fn judged_session(
    ctx: &Ctx,
    endpoint: &Endpoint,
    message: &Message,
    profile: &Profile,
    wait: Duration,
) -> Judged {
    let failed = |text: String, no_connection: Option<String>| Judged {
        findings: Vec::new(),
        note: None,
        opened: None,
        failure: Some(Failure {
            text,
            no_connection,
        }),
    };
    match session(ctx, endpoint, Some(message), wait).await {
        Ok(session) => {
            let (findings, note) = judge(&session, profile);
            Judged {
                findings,
                note,
                opened: Some(session.exchange),
                failure: None,
            }
        }
        Err(Refusal::Http(exchange)) => failed(
            format!(
                "({}) the handshake was refused with HTTP {}",
                message.description,
                exchange.received.http().map_or(0, |a| a.status)
            ),
            None,
        ),
        Err(Refusal::Failed(why)) => {
            // Only a refused or reset connection shows the service went
            // down; a timeout may be a loaded machine.
            let gone = (why != wsclient::HANDSHAKE_TIMED_OUT).then(|| why.clone());
            failed(format!("({}) no session: {why}", message.description), gone)
        }
    }
}

/// A JSON object or array (what a JSON protocol sends).
fn is_json_document(text: &str) -> bool {
    matches!(
        serde_json::from_str::<Value>(text),
        Ok(Value::Object(_) | Value::Array(_))
    )
}

/// Handshake from [`FOREIGN_ORIGIN`]: must be refused before the upgrade
/// when the socket authenticates with credentials the browser sends by
/// itself (cookies). Rated by what the audit could see.
async fn foreign_origin(ctx: &Ctx, endpoint: &Endpoint) -> Outcome {
    let (request, handshake) = open(ctx, endpoint, Some(FOREIGN_ORIGIN), true).await;
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
                    target: endpoint.url.to_string(),
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
        let (_, bare) = open(ctx, endpoint, Some(FOREIGN_ORIGIN), false).await;
        Some(match bare {
            Handshake::Upgraded(mut conn) => {
                conn.close(ctx.timeout.min(Duration::from_millis(500)))
                    .await;
                Some(false)
            }
            Handshake::Refused(_) => Some(true),
            // No answer at all (a timeout, a reset): unknown.
            Handshake::Failed(_) => None,
        })
        .flatten()
    };
    let (severity, context) = foreign_origin_rating(ctx.has_cookie, refused_without);
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

/// The severity of an accepted foreign origin: an error when the socket
/// authenticates with cookies (cross-site WebSocket hijacking), otherwise
/// less, with the context said.
fn foreign_origin_rating(cookie: bool, refused_without: Option<bool>) -> (Severity, String) {
    match (cookie, refused_without) {
        (true, Some(true)) => (
            Severity::Error,
            "cookie-authenticated socket: refused without the cookie, accepted with it, and a \
             browser sends the cookie from any page"
                .into(),
        ),
        (true, Some(false)) => (
            Severity::Error,
            "the audit's cookie was sent, as a browser sends it from any page; accepted without \
             it too: if the session never reads the cookie, the socket is anonymous (info: \
             audit it without --cookie)"
                .into(),
        ),
        (true, None) => (
            Severity::Error,
            "the audit's cookie was sent, as a browser sends it from any page".into(),
        ),
        (false, Some(true)) => (
            Severity::Info,
            "the socket needs the -H credentials, which a page on another site cannot add to a \
             WebSocket handshake"
                .into(),
        ),
        (false, _) => (
            Severity::Info,
            "anonymous socket: no cookie was given (pass --cookie if it authenticates with \
             cookies, which makes this an error)"
                .into(),
        ),
    }
}

/// One session from the trusted origin (or none): sends `message` (or
/// nothing, to watch for pushes for `wait`), then reads until the close, the
/// end of the stream, or `wait` after the message was sent. After the first
/// answer it reads a little longer, for a close or a drop that follows.
async fn session(
    ctx: &Ctx,
    endpoint: &Endpoint,
    message: Option<&Message>,
    wait: Duration,
) -> Result<Session, Refusal> {
    let (mut request, handshake) = open(ctx, endpoint, ctx.origin.as_deref(), true).await;
    let mut conn = match handshake {
        Handshake::Upgraded(conn) => conn,
        Handshake::Refused(answer) => {
            return Err(Refusal::Http(Exchange {
                request,
                received: Received::Http(answer),
            }))
        }
        Handshake::Failed(why) => return Err(Refusal::Failed(why)),
    };
    let mut transcript = Vec::new();
    let mut end = None;
    if let Some(message) = message {
        request.body = Some(format!("after the upgrade, {}", message.description));
        let deadline = Instant::now() + ctx.timeout;
        match conn.send(message.opcode, &message.payload, deadline).await {
            Sent::Whole => {}
            Sent::PeerEnded { written } => transcript.push(format!(
                "(the peer ended the session after {written} bytes of the message were sent)"
            )),
            Sent::Failed(why) => {
                transcript.push(format!("(sending stopped: {why})"));
                end = Some(End::NotRead(why));
            }
        }
    }
    // A close or a drop that follows an answer comes at once.
    let grace = ctx.timeout.min(Duration::from_millis(100));
    let mut deadline = Instant::now() + wait;
    let mut messages = Vec::new();
    let mut received = 0usize;
    let end = match end {
        Some(end) => end,
        None => loop {
            let event = conn.next_event(deadline).await;
            let shown = match &event {
                Event::Text(text) => {
                    if messages.len() < KEPT_MESSAGES {
                        messages.push(text.clone());
                    }
                    format!("← text: {}", crate::finding::shorten(text))
                }
                Event::Binary(n) => format!("← binary: {n} bytes"),
                Event::Elided(n) => {
                    received += n.saturating_sub(1);
                    format!("← {n} more messages while writing, counted but not kept")
                }
                Event::Timeout => break End::Open,
                other => break End::Event(other.clone()),
            };
            received += 1;
            if received <= SHOWN_MESSAGES {
                transcript.push(shown);
            }
            if received == 1 && message.is_some() {
                deadline = deadline.min(Instant::now() + grace);
            }
        },
    };
    if received > SHOWN_MESSAGES {
        transcript.push(format!(
            "… {} more messages",
            received.saturating_sub(SHOWN_MESSAGES)
        ));
    }
    if !matches!(end, End::Event(_)) {
        conn.close(ctx.timeout.min(Duration::from_millis(500)))
            .await;
    } else if matches!(end, End::Event(Event::Close(_))) {
        // Answer the server's close; it has ended, nothing to wait for.
        conn.close(Duration::from_millis(100)).await;
    }
    transcript.push(describe_end(&end, wait, received));
    Ok(Session {
        exchange: Exchange {
            request,
            received: Received::WebSocket { transcript },
        },
        end,
        messages,
        received,
        kind: message.map(|m| m.kind.clone()),
    })
}

fn describe_end(end: &End, wait: Duration, received: usize) -> String {
    match end {
        End::Event(Event::Close(payload)) => match close_parts(payload) {
            Some((code, reason)) => format!(
                "← close {code} {:?} ({} bytes)",
                String::from_utf8_lossy(reason),
                reason.len()
            ),
            None => format!("← close frame with a {}-byte payload", payload.len()),
        },
        End::Event(Event::RawHttp(text)) => format!(
            "← raw HTTP after the upgrade: {}",
            crate::finding::shorten(text)
        ),
        End::Event(Event::Eof) => {
            "← end of stream without a close frame (the client sees 1006)".into()
        }
        End::Event(Event::Error(e)) => {
            format!("← connection error without a close frame (1006): {e}")
        }
        End::Event(Event::Invalid(why)) => format!("← not a valid frame: {why}"),
        End::Event(_) | End::Open if received > 0 => {
            "… still open after the answer (left by the auditor)".into()
        }
        End::Event(_) | End::Open => format!("… no close within {:.1}s", wait.as_secs_f64()),
        End::NotRead(why) => format!("… the server did not take the message: {why}"),
    }
}

fn close_parts(payload: &[u8]) -> Option<(u16, &[u8])> {
    (payload.len() >= 2).then(|| (u16::from_be_bytes([payload[0], payload[1]]), &payload[2..]))
}

/// Judges how a session ended: findings, and why a silence was not judged.
fn judge(session: &Session, profile: &Profile) -> (Vec<Finding>, Option<String>) {
    let kind = session.kind.clone().unwrap_or(Kind::Sample);
    let exchange = &session.exchange;
    let close_expected =
        "a close frame with a fitting code (1007, 1003, 1009, 1008) and a short reason";
    let one = |rule, observed: String| vec![Finding::new(rule, exchange, observed, close_expected)];
    match &session.end {
        End::Event(Event::Close(payload)) => (judge_close(exchange, payload), None),
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
                (
                    one(
                        rules::WS_HTTP_AFTER_UPGRADE,
                        format!(
                            "an HTTP-style error was sent as a message, then the connection \
                             dropped: {}",
                            first_line(message)
                        ),
                    ),
                    None,
                )
            } else {
                let mut findings = one(
                    rules::WS_DROPPED,
                    "the connection ended without a close frame (the client sees 1006, no reason)"
                        .into(),
                );
                if let Some((severity, context)) = binary_drop_rating(&kind) {
                    findings = findings
                        .into_iter()
                        .map(|f| f.rated(severity, context))
                        .collect();
                }
                (findings, None)
            }
        }
        End::Open if session.received > 0 && !profile.pushes => (Vec::new(), None),
        // The sample is valid: an open session is what it should get.
        End::Open if kind == Kind::Sample => (Vec::new(), None),
        End::Open => match profile.silence(&kind) {
            Ok(context) => (
                vec![Finding::new(
                    rules::WS_NO_CLOSE,
                    exchange,
                    "the session stayed open: no answer and no close frame within the timeout",
                    "a close frame with a fitting code (1007, 1003, 1009, 1008), or an answer",
                )
                .rated(rules::WS_NO_CLOSE.severity, context)],
                None,
            ),
            Err(why) => (
                Vec::new(),
                Some(format!("sessions left open were not judged: {why}")),
            ),
        },
        End::NotRead(why) => (
            Vec::new(),
            Some(format!(
                "a message was not taken ({why}): a server that never reads is not judged"
            )),
        ),
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

    const TEXT: Kind = Kind::Bad(BadInput::MalformedText);

    fn session(end: End, received: usize, messages: &[&str], kind: Kind) -> Session {
        Session {
            exchange: Exchange {
                request: SentRequest {
                    method: "GET".into(),
                    url: "http://127.0.0.1/ws".into(),
                    headers: vec![],
                    body: Some("after the upgrade, ...".into()),
                },
                received: Received::WebSocket { transcript: vec![] },
            },
            end,
            messages: messages.iter().map(|m| (*m).to_owned()).collect(),
            received,
            kind: Some(kind),
        }
    }

    fn close(code: u16, reason: &str) -> End {
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
        let s = session(end, messages.len(), messages, TEXT);
        judge(&s, &json_profile())
            .0
            .iter()
            .map(|f| f.rule.id)
            .collect()
    }

    #[test]
    fn session_ends() {
        assert!(ids(close(1007, "malformed JSON"), &[]).is_empty());
        assert_eq!(ids(close(1006, "x"), &[]), ["WF-WS-004"]);
        assert_eq!(ids(End::Event(Event::Close(vec![])), &[]), ["WF-WS-004"]);
        assert_eq!(ids(End::Event(Event::Close(vec![3])), &[]), ["WF-WS-004"]);
        assert_eq!(
            ids(End::Event(Event::Close(vec![0x03, 0xF0, 0xFF])), &[]),
            ["WF-WS-004"]
        );
        assert_eq!(ids(close(1008, &"é".repeat(62)), &[]), ["WF-WS-005"]);
        assert!(ids(close(1008, &"a".repeat(123)), &[]).is_empty());
        assert_eq!(
            ids(close(1011, "panicked at src/ws.rs:3:1"), &[]),
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
    fn a_drop_after_binary_is_info() {
        let binary = Kind::Bad(BadInput::Binary);
        let dropped = session(End::Event(Event::Eof), 0, &[], binary);
        let found = judge(&dropped, &json_profile()).0;
        assert_eq!(found[0].severity, Severity::Info);
        assert!(found[0].context.as_deref().unwrap_or("").contains("JSON"));
        let text = session(End::Event(Event::Eof), 0, &[], TEXT);
        assert_eq!(judge(&text, &json_profile()).0[0].severity, Severity::Error);
    }

    #[test]
    fn an_answer_is_not_a_missing_close() {
        assert!(ids(End::Open, &["Message text was: {"]).is_empty());
    }

    #[test]
    fn silence_is_judged_only_where_it_means_something() {
        let text = TEXT;
        let quiet = session(End::Open, 0, &[], text.clone());
        // Unknown protocol: plain-text chat that answers nobody is fine.
        let (findings, note) = judge(&quiet, &Profile::default());
        assert!(findings.is_empty() && note.is_some());
        // A server that pushes unasked.
        let pusher = Profile {
            pushes: true,
            ..json_profile()
        };
        let pushed = session(End::Open, 40, &["12:00:01"], text.clone());
        let (findings, note) = judge(&pushed, &pusher);
        assert!(findings.is_empty() && note.is_some());
        // ...but a pusher that closes with 1007 is judged by its close.
        let closed = session(close(1007, "bad"), 40, &["12:00:01"], text.clone());
        assert!(judge(&closed, &pusher).0.is_empty());
        // A variant is judged only if the sample was answered.
        let variant = session(End::Open, 0, &[], Kind::Variant);
        assert!(judge(&variant, &json_profile()).0.is_empty());
        let answering = Profile {
            answers_sample: true,
            ..json_profile()
        };
        assert_eq!(judge(&variant, &answering).0.len(), 1);
        // Bad input is not owed an answer the valid sample did not get.
        let bad = session(End::Open, 0, &[], Kind::Bad(BadInput::MalformedText));
        assert_eq!(judge(&bad, &json_profile()).0.len(), 1);
        let silent = Profile {
            sampled: true,
            ..json_profile()
        };
        assert!(judge(&bad, &silent).0.is_empty());
        // Not read at all: not a failure.
        let unread = session(End::NotRead("stalled".into()), 0, &[], text);
        assert!(judge(&unread, &json_profile()).0.is_empty());
    }

    #[test]
    fn waits_are_bounded() {
        let five = Duration::from_secs(5);
        assert_eq!(session_wait(five, true, false), five);
        assert_eq!(session_wait(five, true, true), Duration::from_millis(300));
        assert_eq!(session_wait(five, false, false), Duration::from_secs(1));
        assert_eq!(
            session_wait(Duration::from_secs(2), false, true),
            Duration::from_millis(500)
        );
        assert_eq!(phase_two_budget(five), Duration::from_secs(9));
    }

    #[test]
    fn foreign_origin_is_an_error_only_with_cookies() {
        assert_eq!(foreign_origin_rating(true, Some(true)).0, Severity::Error);
        assert_eq!(foreign_origin_rating(true, Some(false)).0, Severity::Error);
        assert_eq!(foreign_origin_rating(false, None).0, Severity::Info);
        assert_eq!(foreign_origin_rating(false, Some(true)).0, Severity::Info);
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
