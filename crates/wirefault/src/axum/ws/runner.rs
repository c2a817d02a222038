//! The session runner: the reading loop, the limits, the handler calls,
//! and the one place a session ends (with a close frame, or because the
//! peer is gone).

use super::close::{close_handshake, Closed};
use super::config::{Accept, WsConfig};
use super::session::{Incoming, Session, SessionHandler};
use crate::{Close, CloseCode, Fault, PublicFault};
use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// How a session ends.
enum End {
    /// We close, with this frame.
    Close(Close),
    /// The peer sent its close frame; tungstenite queued the echo.
    PeerClosed,
    /// The connection is gone; nothing can be sent.
    Gone,
}

/// One thing that happened, picked by the loop's `select!`.
enum Step<E> {
    Shutdown,
    Idle,
    Ping,
    Frame(Option<Result<Message, axum::Error>>),
    Event(Option<E>),
}

/// Runs one session to its end.
pub(crate) async fn run<E, H>(
    socket: WebSocket,
    config: WsConfig,
    request_id: Option<String>,
    handler: H,
    events: BoxStream<'static, E>,
) where
    E: Send + 'static,
    H: SessionHandler<E>,
{
    let session = Session::new(socket, &config, request_id);
    let span = tracing::debug_span!(
        "ws_session",
        session = session.id(),
        request_id = session.request_id().unwrap_or("-")
    );
    drive(session, config, handler, events)
        .instrument(span)
        .await;
}

async fn drive<E, H>(
    mut session: Session,
    config: WsConfig,
    mut handler: H,
    events: BoxStream<'static, E>,
) where
    E: Send + 'static,
    H: SessionHandler<E>,
{
    let shutdown = match &config.sessions {
        Some(sessions) => sessions.token().clone(),
        None => CancellationToken::new(),
    };
    let mut events = Some(events);
    let mut bucket = config.rate_limit.map(|(n, per)| Bucket::new(n, per));
    // One timer for the whole session, pushed back on every frame.
    let idle = tokio::time::sleep(config.idle_timeout);
    tokio::pin!(idle);
    let ping_every = config.get_ping_interval();
    let mut ping = tokio::time::interval_at(Instant::now() + ping_every, ping_every);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);

    let end = loop {
        let step = tokio::select! {
            // Order matters: a frame already queued counts before the idle
            // deadline is judged, and a busy broadcast cannot starve pings.
            biased;
            () = shutdown.cancelled() => Step::Shutdown,
            frame = session.socket.recv() => Step::Frame(frame),
            _ = ping.tick() => Step::Ping,
            () = &mut idle => Step::Idle,
            event = next_event(&mut events) => Step::Event(event),
        };
        let end = match step {
            Step::Shutdown => Some(End::Close(Close::going_away())),
            Step::Idle => {
                let fault = Fault::request_timeout().detail(format!(
                    "no frame from the peer for {} ms; pings went unanswered",
                    config.idle_timeout.as_millis()
                ));
                let public = PublicFault::logged(&fault, session.request_id());
                Some(End::Close(public.close(config.codes)))
            }
            Step::Ping => match session.send(Message::Ping(Default::default())).await {
                Ok(()) => None,
                Err(fault) if session.stalled => Some(End::Close(fault.close(config.codes))),
                Err(_) => Some(End::Gone),
            },
            Step::Event(None) => {
                events = None;
                None
            }
            Step::Event(Some(event)) => {
                let call = handler.on_event(&mut session, event);
                let outcome = guard(call, &shutdown, config.close_timeout).await;
                settle(outcome, &mut session, &config)
            }
            Step::Frame(frame) => {
                let message = match frame {
                    None => Err(End::Gone),
                    Some(Err(err)) => Err(read_error(err, &config)),
                    Some(Ok(message)) => {
                        idle.as_mut().reset(Instant::now() + config.idle_timeout);
                        take(message, &config, &mut bucket)
                    }
                };
                match message {
                    Ok(None) => None,
                    Ok(Some(incoming)) => {
                        let call = handler.on_message(&mut session, incoming);
                        let outcome = guard(call, &shutdown, config.close_timeout).await;
                        settle(outcome, &mut session, &config)
                    }
                    Err(end) => Some(end),
                }
            }
        };
        if let Some(end) = end {
            break end;
        }
    };

    match end {
        End::Close(close) if !session.broken => {
            let closed = close_handshake(session.socket, &close, config.close_timeout).await;
            match closed {
                Closed::TimedOut => tracing::debug!(
                    code = close.code().as_u16(),
                    "the peer did not answer the close frame in time; connection dropped"
                ),
                Closed::Acknowledged | Closed::Dropped => {
                    tracing::debug!(code = close.code().as_u16(), ?closed, "session closed")
                }
            }
        }
        End::PeerClosed => {
            // Send the echo tungstenite queued, then drop the connection.
            let _ = tokio::time::timeout(
                config.close_timeout,
                futures_util::SinkExt::flush(&mut session.socket),
            )
            .await;
            tracing::debug!("the peer closed the session");
        }
        End::Close(_) | End::Gone => tracing::debug!("the connection is gone"),
    }
}

/// The next outside event; pending forever once the stream has ended.
async fn next_event<E>(events: &mut Option<BoxStream<'static, E>>) -> Option<E> {
    match events {
        Some(stream) => stream.next().await,
        None => std::future::pending().await,
    }
}

/// Checks a message against the session's limits: `Ok(None)` for control
/// frames (tungstenite answers pings itself), `Ok(Some(_))` for a message
/// to hand to the handler, `Err(_)` to end the session.
fn take(
    message: Message,
    config: &WsConfig,
    bucket: &mut Option<Bucket>,
) -> Result<Option<Incoming>, End> {
    let incoming = match message {
        Message::Ping(_) | Message::Pong(_) => return Ok(None),
        Message::Close(_) => return Err(End::PeerClosed),
        Message::Text(text) => Incoming::Text(text),
        Message::Binary(bytes) => Incoming::Binary(bytes),
    };
    let refused = match (&incoming, config.accept) {
        (Incoming::Binary(_), Accept::Text) => Some("this session takes text messages only"),
        (Incoming::Text(_), Accept::Binary) => Some("this session takes binary messages only"),
        _ => None,
    };
    if let Some(detail) = refused {
        return Err(End::Close(
            Fault::unsupported_media_type(detail).close(config.codes),
        ));
    }
    if let Some(bucket) = bucket {
        if let Err(wait) = bucket.take(Instant::now()) {
            let fault = Fault::rate_limited(wait).detail(format!(
                "too many messages: retry in {} ms",
                wait.as_millis().max(1)
            ));
            return Err(End::Close(fault.close(config.codes)));
        }
    }
    Ok(Some(incoming))
}

/// Maps a read error to the end of the session. Errors the peer caused
/// with a message get the RFC 6455 code that fits exactly (in both code
/// modes: these are protocol-level, not application classes); a broken
/// connection ends without a close frame.
fn read_error(err: axum::Error, config: &WsConfig) -> End {
    let Ok(err) = err.into_inner().downcast::<tungstenite::Error>() else {
        return End::Gone;
    };
    match *err {
        tungstenite::Error::Capacity(tungstenite::error::CapacityError::MessageTooLong {
            ..
        }) => {
            let fault = Fault::payload_too_large(format!(
                "a message may be at most {} bytes",
                config.max_message_bytes
            ));
            End::Close(fault.close(config.codes))
        }
        tungstenite::Error::Utf8(detail) => {
            End::Close(Close::new(CloseCode::INVALID_PAYLOAD, utf8_reason(&detail)))
        }
        tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        ) => End::Gone,
        tungstenite::Error::Protocol(err) => End::Close(Close::new(
            CloseCode::PROTOCOL_ERROR,
            &format!("protocol error: {err}"),
        )),
        _ => End::Gone,
    }
}

/// The 1007 reason for invalid UTF-8, saying where it was as far as
/// tungstenite tells. A fragmented text message is checked as it arrives
/// and reported in tungstenite's own words ("incomplete string", or the
/// bad bytes); a whole text frame and a close frame's reason are both
/// checked with `str::from_utf8`, and reported alike (std's `Utf8Error`,
/// "invalid utf-8 sequence …" / "incomplete utf-8 byte sequence …"), so
/// those two cannot be told apart here (see docs/DESIGN.md).
fn utf8_reason(detail: &str) -> &'static str {
    let from_std = detail.starts_with("invalid utf-8 sequence")
        || detail.starts_with("incomplete utf-8 byte sequence");
    if from_std {
        "invalid UTF-8 in a text message or in a close frame's reason"
    } else {
        "invalid UTF-8 in a fragmented text message"
    }
}

/// Awaits a handler call, catching a panic. On shutdown the call gets
/// `grace` more to finish; `None` when it did not.
async fn guard<F>(
    call: F,
    shutdown: &CancellationToken,
    grace: Duration,
) -> Option<std::thread::Result<Result<(), Fault>>>
where
    F: Future<Output = Result<(), Fault>>,
{
    let call = AssertUnwindSafe(call).catch_unwind();
    tokio::pin!(call);
    tokio::select! {
        outcome = &mut call => Some(outcome),
        () = shutdown.cancelled() => tokio::time::timeout(grace, call).await.ok(),
    }
}

/// What a handler call means for the session.
fn settle(
    outcome: Option<std::thread::Result<Result<(), Fault>>>,
    session: &mut Session,
    config: &WsConfig,
) -> Option<End> {
    match outcome {
        None => Some(End::Close(Close::going_away())),
        Some(Ok(Ok(()))) if session.broken => Some(End::Gone),
        // The handler let a stalled send go: the session still ends.
        Some(Ok(Ok(()))) if session.stalled => {
            Some(End::Close(session.stall().close(config.codes)))
        }
        Some(Ok(Ok(()))) => session.end.take().map(End::Close),
        Some(Ok(Err(fault))) => {
            let public = PublicFault::logged(&fault, session.request_id());
            if session.broken {
                Some(End::Gone)
            } else {
                Some(End::Close(public.close(config.codes)))
            }
        }
        Some(Err(panic)) => {
            tracing::error!(
                request_id = session.request_id().unwrap_or("-"),
                panic = panic_message(panic.as_ref()),
                "WebSocket session handler panicked; session closed with 1011"
            );
            Some(End::Close(Fault::internal().close(config.codes)))
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(a panic payload that is not text)"
    }
}

/// A token bucket: `capacity` messages at once, refilled at
/// `capacity / per`.
#[derive(Debug)]
struct Bucket {
    capacity: f64,
    tokens: f64,
    refill_per_sec: f64,
    last: Instant,
}

impl Bucket {
    fn new(capacity: u32, per: Duration) -> Bucket {
        let capacity = f64::from(capacity);
        let secs = per.as_secs_f64().max(f64::EPSILON);
        Bucket {
            capacity,
            tokens: capacity,
            refill_per_sec: capacity / secs,
            last: Instant::now(),
        }
    }

    /// Takes one token, or says how long until one is available.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.refill_per_sec).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.refill_per_sec;
            Err(Duration::try_from_secs_f64(wait).unwrap_or(Duration::from_secs(1)))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_refills() {
        let start = Instant::now();
        let mut bucket = Bucket::new(3, Duration::from_secs(3));
        for _ in 0..3 {
            assert!(bucket.take(start).is_ok());
        }
        let wait = bucket.take(start).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900));
        assert!(bucket.take(start + Duration::from_secs(1)).is_ok());
        assert!(bucket.take(start + Duration::from_secs(1)).is_err());
    }

    #[test]
    // The point is the error text std gives for these bytes.
    #[allow(invalid_from_utf8)]
    fn utf8_reasons_say_where_they_can() {
        let whole = std::str::from_utf8(b"ab\xff").unwrap_err().to_string();
        assert!(utf8_reason(&whole).contains("close frame's reason"));
        let cut = std::str::from_utf8(b"ab\xe2\x82").unwrap_err().to_string();
        assert!(utf8_reason(&cut).contains("close frame's reason"));
        assert_eq!(
            utf8_reason("incomplete string: ..."),
            "invalid UTF-8 in a fragmented text message"
        );
        assert_eq!(
            utf8_reason("\u{fffd}"),
            "invalid UTF-8 in a fragmented text message"
        );
    }

    #[test]
    fn panic_messages_are_read() {
        let p: Box<dyn Any + Send> = Box::new("boom");
        assert_eq!(panic_message(p.as_ref()), "boom");
        let p: Box<dyn Any + Send> = Box::new(String::from("bang"));
        assert_eq!(panic_message(p.as_ref()), "bang");
        let p: Box<dyn Any + Send> = Box::new(7_u8);
        assert!(panic_message(p.as_ref()).contains("not text"));
    }
}
