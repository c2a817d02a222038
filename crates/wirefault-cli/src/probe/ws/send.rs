//! What the WebSocket probes send, and how one session runs: the handshake
//! from the trusted origin, the greeting let through, an optional valid
//! message first (the sample, so a protocol with a join step is reached),
//! the message under test, an optional valid message after a silence, and
//! everything the server sent until the session's end or its deadline.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::Endpoint;
use crate::finding::{Exchange, Received, SentRequest};
use crate::probe::wsclient::{self, Event, Handshake, Sent};
use crate::probe::{http, Ctx};

/// The large oversized message: 1 MiB and one byte.
pub(crate) const OVERSIZED: usize = 1024 * 1024 + 1;
/// The small oversized message: 64 KiB and one byte, just over a common
/// library default (Python `websockets` before 1 MiB, many chat examples).
pub(crate) const OVERSIZED_SMALL: usize = 64 * 1024 + 1;
/// The short text sent to learn whether an endpoint answers text.
pub(crate) const PROBE_TEXT: &str = "wirefault probe";
/// The payload of the binary message.
const BINARY_PAYLOAD: &[u8] = b"wirefault binary";
/// The close frame's reason in the closing-handshake probe.
pub(crate) const CLOSE_REASON: &str = "wirefault: done";
/// Most messages shown in a transcript.
const SHOWN_MESSAGES: usize = 12;
/// Most messages kept for judging (HTTP-style errors).
const KEPT_MESSAGES: usize = 64;
/// A close or a drop that follows an answer comes at once.
const GRACE: Duration = Duration::from_millis(100);

/// A message a session cannot take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadInput {
    /// Text that is not JSON.
    MalformedText,
    /// A binary frame.
    Binary,
    /// A text message of this many bytes.
    Oversized(usize),
}

impl BadInput {
    /// The message to send.
    pub(crate) fn message(self) -> Message {
        let (opcode, payload, description) = match self {
            BadInput::MalformedText => (
                wsclient::TEXT,
                http::MALFORMED_JSON.as_bytes().to_vec(),
                format!("text: {}", http::MALFORMED_JSON),
            ),
            // Valid UTF-8 and not JSON: the frame type is the one thing
            // wrong, so a server that decodes binary as text is judged by
            // what it does with text that is not JSON.
            BadInput::Binary => (
                wsclient::BINARY,
                BINARY_PAYLOAD.to_vec(),
                format!("binary: {} bytes", BINARY_PAYLOAD.len()),
            ),
            BadInput::Oversized(size) => (
                wsclient::TEXT,
                vec![b'a'; size],
                format!("text: {size} bytes of `a`"),
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
pub(crate) enum Kind {
    /// [`PROBE_TEXT`]: does the endpoint answer text?
    Probe,
    /// The user's sample with this index.
    Sample(usize),
    /// A message the endpoint should refuse.
    Bad(BadInput),
    /// A variant of the sample with this index.
    Variant(usize),
}

/// One message to send.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// Frame opcode.
    pub(crate) opcode: u8,
    /// Frame payload.
    pub(crate) payload: Vec<u8>,
    /// For the report.
    pub(crate) description: String,
    /// What it is.
    pub(crate) kind: Kind,
}

impl Message {
    /// A text message.
    pub(crate) fn text(text: String, description: String, kind: Kind) -> Self {
        Message {
            opcode: wsclient::TEXT,
            payload: text.into_bytes(),
            description,
            kind,
        }
    }
}

/// What one session sends, in order, on a fresh connection.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Script<'a> {
    /// A valid message first (the sample), its answer awaited.
    pub(crate) context: Option<&'a Message>,
    /// The context message was answered on its own session: wait for its
    /// answer (else only a moment, for a join the server does not answer).
    pub(crate) context_answered: bool,
    /// The message under test (`None`: the session only watches).
    pub(crate) message: Option<&'a Message>,
    /// A valid message sent when the one under test got no answer at all:
    /// does the endpoint still answer?
    pub(crate) follow_up: Option<&'a Message>,
    /// Messages the server greets every client with: let through before
    /// anything is sent, so they are not taken for an answer.
    pub(crate) greeting: usize,
}

impl<'a> Script<'a> {
    /// This script for `message`, after `context`; the follow-up is kept
    /// only after an oversized message.
    pub(crate) fn with(self, context: Option<&'a Message>, message: &'a Message) -> Self {
        let oversized = matches!(message.kind, Kind::Bad(BadInput::Oversized(_)));
        Script {
            context,
            message: Some(message),
            follow_up: self.follow_up.filter(|_| oversized),
            ..self
        }
    }
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum End {
    /// A close frame, a drop, HTTP bytes or an invalid frame.
    Event(Event),
    /// Still open at the deadline.
    Open,
    /// The server did not read the message.
    NotRead(String),
    /// The session ended during the greeting, before anything was sent.
    Before(Box<Event>),
}

/// One session after the upgrade.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The handshake and the transcript.
    pub(crate) exchange: Exchange,
    /// How it ended.
    pub(crate) end: End,
    /// Text messages received after the message under test, the first
    /// [`KEPT_MESSAGES`].
    pub(crate) messages: Vec<String>,
    /// Messages received after the message under test (text and binary).
    pub(crate) received: usize,
    /// What was sent (`None`: nothing, the session only watched).
    pub(crate) kind: Option<Kind>,
    /// The message under test came after a valid one.
    pub(crate) in_context: bool,
    /// Whether the follow-up message was answered, when it was sent.
    pub(crate) still_answers: Option<bool>,
}

/// A handshake that did not upgrade.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// An HTTP answer other than 101.
    Http(Exchange),
    /// No usable answer.
    Failed(String),
}

/// Header list: name, value.
type Headers = Vec<(String, String)>;

/// Which credentials a handshake carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// The `--cookie` and `-H` values.
    Given,
    /// None.
    Without,
}

/// The headers to send, and the same with credentials redacted for the report.
fn handshake_headers(
    ctx: &Ctx,
    endpoint: &Endpoint,
    origin: Option<&str>,
    credentials: Credentials,
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
    if credentials == Credentials::Given {
        sent.extend(ctx.auth.iter().map(|(n, v)| (n.clone(), v.0.clone())));
        shown.extend(ctx.shown_auth());
    }
    (sent, shown)
}

/// Opens a session to `url`; counts the handshake as a request sent.
pub(crate) async fn open(
    ctx: &Ctx,
    endpoint: &Endpoint,
    url: &reqwest::Url,
    origin: Option<&str>,
    credentials: Credentials,
) -> (SentRequest, Handshake) {
    let (sent, shown) = handshake_headers(ctx, endpoint, origin, credentials);
    let request = SentRequest {
        method: "GET".into(),
        url: url.to_string(),
        headers: shown,
        body: None,
    };
    ctx.sent.fetch_add(1, Ordering::Relaxed);
    let handshake = wsclient::connect(url, &sent, ctx.timeout, &ctx.tls).await;
    (request, handshake)
}

/// A session from the trusted origin, upgraded, or why not.
async fn upgraded(
    ctx: &Ctx,
    endpoint: &Endpoint,
) -> Result<(SentRequest, wsclient::Conn), Refusal> {
    let (request, handshake) = open(
        ctx,
        endpoint,
        &endpoint.url,
        ctx.origin.as_deref(),
        Credentials::Given,
    )
    .await;
    match handshake {
        Handshake::Upgraded(conn) => Ok((request, conn)),
        Handshake::Refused(answer) => Err(Refusal::Http(Exchange {
            request,
            received: Received::Http(answer),
        })),
        Handshake::Failed(why) => Err(Refusal::Failed(why)),
    }
}

/// What a watching session saw.
#[derive(Debug, Clone)]
pub(crate) struct Watch {
    /// The handshake and the transcript.
    pub(crate) exchange: Exchange,
    /// The first text message, if any.
    pub(crate) first_text: Option<String>,
    /// Messages that came within [`BURST`] of the first: a greeting.
    pub(crate) burst: usize,
    /// A message came later than that: the server keeps sending unasked.
    pub(crate) keeps_sending: bool,
    /// How the auditor's close frame was answered, or how the session
    /// ended before it could be sent.
    pub(crate) closing: Closing,
}

/// Messages this close together after the first are one greeting.
pub(crate) const BURST: Duration = Duration::from_millis(250);

/// The answer to the auditor's close frame (RFC 6455 §5.5.1).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Closing {
    /// The server ended the session before the auditor sent its close.
    EndedFirst(Event),
    /// What came after the close frame: a close frame (its payload), a
    /// drop, or nothing ([`Event::Timeout`]).
    Answer(Event),
}

/// Watches a session that sends nothing: messages within `idle`, and once
/// one came, until the timeout after it (a greeting is one burst, a feed
/// sends again), then sends a close frame and waits, at most the timeout,
/// for the close frame back.
pub(crate) async fn watch(
    ctx: &Ctx,
    endpoint: &Endpoint,
    idle: Duration,
) -> Result<Watch, Refusal> {
    let (mut request, mut conn) = upgraded(ctx, endpoint).await?;
    let start = Instant::now();
    let mut deadline = start + idle;
    let mut transcript = Vec::new();
    let (mut first_at, mut first_text) = (None, None);
    let (mut burst, mut received, mut keeps_sending) = (0, 0usize, false);
    let ended = loop {
        let event = conn.next_event(deadline).await;
        let shown = match &event {
            Event::Text(text) => {
                first_text.get_or_insert_with(|| text.clone());
                format!("← text: {}", crate::finding::shorten(text))
            }
            Event::Binary(n) => format!("← binary: {n} bytes"),
            Event::Elided(n) => format!("← {n} more messages"),
            Event::Timeout => break None,
            other => break Some(other.clone()),
        };
        received += 1;
        let now = Instant::now();
        let first = *first_at.get_or_insert(now);
        if now.duration_since(first) <= BURST {
            burst += 1;
        } else {
            keeps_sending = true;
        }
        // After a first message, watch as long as a judged silence lasts
        // (the timeout): a feed slower than the greeting window shows here,
        // so its next message is not taken for an answer later.
        deadline = if keeps_sending {
            deadline.min(now)
        } else {
            deadline
                .max(first + ctx.timeout)
                .min(start + idle + ctx.timeout)
        };
        if received <= SHOWN_MESSAGES {
            transcript.push(shown);
        }
    };
    let closing = match ended {
        Some(event) => {
            transcript.push(describe_end(&End::Event(event.clone()), idle, received));
            Closing::EndedFirst(event)
        }
        None => {
            request.body = Some(format!(
                "after the upgrade, nothing for {:.1}s, then a close frame (1000 {CLOSE_REASON:?})",
                idle.as_secs_f64()
            ));
            let mut payload = 1000u16.to_be_bytes().to_vec();
            payload.extend_from_slice(CLOSE_REASON.as_bytes());
            transcript.push(format!("→ close 1000 {CLOSE_REASON:?}"));
            let answer = conn.send_close(&payload, ctx.timeout).await;
            transcript.push(match &answer {
                Event::Timeout => format!(
                    "… no close frame back within {:.1}s",
                    ctx.timeout.as_secs_f64()
                ),
                other => describe_end(&End::Event(other.clone()), ctx.timeout, 0),
            });
            Closing::Answer(answer)
        }
    };
    if received > SHOWN_MESSAGES {
        transcript.push(format!(
            "… {} more messages before the close",
            received - SHOWN_MESSAGES
        ));
    }
    Ok(Watch {
        exchange: Exchange {
            request,
            received: Received::WebSocket { transcript },
        },
        first_text,
        burst,
        keeps_sending,
        closing,
    })
}

/// What the reader collected in one phase of a session.
#[derive(Debug, Default)]
struct Read {
    texts: Vec<String>,
    received: usize,
}

/// Reads until the end of the session or `deadline`; after `answers`
/// messages the deadline shrinks to [`GRACE`] (`0`: never), as a close or a
/// drop that follows an answer comes at once. Returns the end, if any.
async fn read(
    conn: &mut wsclient::Conn,
    mut deadline: Instant,
    answers: usize,
    label: &str,
    transcript: &mut Vec<String>,
    got: &mut Read,
) -> Option<Event> {
    let start_count = got.received;
    loop {
        let event = conn.next_event(deadline).await;
        let shown = match &event {
            Event::Text(text) => {
                if got.texts.len() < KEPT_MESSAGES {
                    got.texts.push(text.clone());
                }
                format!("←{label} text: {}", crate::finding::shorten(text))
            }
            Event::Binary(n) => format!("←{label} binary: {n} bytes"),
            Event::Elided(n) => {
                got.received += n.saturating_sub(1);
                format!("←{label} {n} more messages while writing, counted but not kept")
            }
            Event::Timeout => return None,
            other => return Some(other.clone()),
        };
        got.received += 1;
        if transcript.len() < SHOWN_MESSAGES + 4 {
            transcript.push(shown);
        }
        if answers > 0 && got.received - start_count >= answers {
            deadline = deadline.min(Instant::now() + GRACE);
        }
    }
}

/// Sends one message; the end of the session when it could not.
async fn send(
    conn: &mut wsclient::Conn,
    message: &Message,
    timeout: Duration,
    transcript: &mut Vec<String>,
) -> Option<End> {
    transcript.push(format!("→ {}", message.description));
    match conn
        .send(message.opcode, &message.payload, Instant::now() + timeout)
        .await
    {
        Sent::Whole => None,
        Sent::PeerEnded { written } => {
            transcript.push(format!(
                "(the peer ended the session after {written} bytes of the message were sent)"
            ));
            None
        }
        Sent::Failed(why) => {
            transcript.push(format!("(sending stopped: {why})"));
            Some(End::NotRead(why))
        }
    }
}

/// One session from the trusted origin running `script`: reads until the
/// close, the end of the stream, or `wait` after the message under test.
pub(crate) async fn run(
    ctx: &Ctx,
    endpoint: &Endpoint,
    script: Script<'_>,
    wait: Duration,
) -> Result<Session, Refusal> {
    let (mut request, mut conn) = upgraded(ctx, endpoint).await?;
    let short = (ctx.timeout / 4).min(Duration::from_secs(1));
    let mut transcript = Vec::new();
    let mut ignored = Read::default();
    let mut end = None;
    let mut kind = script.message.map(|m| m.kind.clone());
    if script.greeting > 0 {
        let deadline = Instant::now() + short;
        end = read(
            &mut conn,
            deadline,
            script.greeting,
            " (greeting)",
            &mut transcript,
            &mut ignored,
        )
        .await
        .map(|event| End::Before(Box::new(event)));
    }
    let described = match (script.context, script.message) {
        (Some(context), Some(message)) => format!(
            "after the upgrade, {}; then {}",
            context.description, message.description
        ),
        (None, Some(message)) => format!("after the upgrade, {}", message.description),
        _ => "after the upgrade, nothing".to_owned(),
    };
    request.body = Some(described);
    if let (None, Some(context)) = (&end, script.context) {
        end = send(&mut conn, context, ctx.timeout, &mut transcript).await;
        if end.is_none() {
            let settle = if script.context_answered {
                short
            } else {
                short.min(Duration::from_millis(200))
            };
            let deadline = Instant::now() + settle;
            end = read(&mut conn, deadline, 1, "", &mut transcript, &mut ignored)
                .await
                .map(End::Event);
        }
        if end.is_some() {
            // The valid message itself ended the session: judged as its own.
            kind = Some(context.kind.clone());
        }
    }
    let mut got = Read::default();
    if let (None, Some(message)) = (&end, script.message) {
        end = send(&mut conn, message, ctx.timeout, &mut transcript).await;
    }
    if end.is_none() {
        let answers = usize::from(script.message.is_some());
        let deadline = Instant::now() + wait;
        end = read(&mut conn, deadline, answers, "", &mut transcript, &mut got)
            .await
            .map(End::Event);
    }
    let mut still_answers = None;
    if let (None, 0, Some(follow_up)) = (&end, got.received, script.follow_up) {
        let mut after = Read::default();
        let mut ended = send(&mut conn, follow_up, ctx.timeout, &mut transcript).await;
        if ended.is_none() {
            let deadline = Instant::now() + wait;
            ended = read(&mut conn, deadline, 1, "", &mut transcript, &mut after)
                .await
                .map(End::Event);
        }
        still_answers = Some(after.received > 0);
        if let Some(End::Event(event)) = &ended {
            transcript.push(describe_end(&End::Event(event.clone()), wait, 0));
        }
    }
    let end = end.unwrap_or(End::Open);
    match &end {
        End::Event(Event::Close(_)) => {
            // Answer the server's close; it has ended, nothing to wait for.
            conn.close(Duration::from_millis(100)).await;
        }
        End::Event(_) => {}
        End::Before(_) => {}
        End::Open | End::NotRead(_) => {
            conn.close(ctx.timeout.min(Duration::from_millis(500)))
                .await;
        }
    }
    transcript.push(describe_end(&end, wait, got.received));
    Ok(Session {
        exchange: Exchange {
            request,
            received: Received::WebSocket { transcript },
        },
        end,
        messages: got.texts,
        received: got.received,
        kind,
        in_context: script.context.is_some() && script.message.is_some(),
        still_answers,
    })
}

/// The last line of a transcript: how the session ended.
pub(crate) fn describe_end(end: &End, wait: Duration, received: usize) -> String {
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
        End::Before(event) => format!(
            "(ended during the greeting, before the message was sent) {}",
            describe_end(&End::Event((**event).clone()), wait, received)
        ),
    }
}

/// A close frame's code and reason, when it has a code.
pub(crate) fn close_parts(payload: &[u8]) -> Option<(u16, &[u8])> {
    (payload.len() >= 2).then(|| (u16::from_be_bytes([payload[0], payload[1]]), &payload[2..]))
}
