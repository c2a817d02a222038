//! The session phase: the handler contract and the [`Session`] handle.
//!
//! After the upgrade there is no HTTP response left to send: a handler can
//! only send messages through its [`Session`] and return
//! `Result<(), Fault>`; the runner turns an `Err` into a close frame.

use super::config::WsConfig;
use crate::{Close, CloseCode, CloseCodes, Fault, Kind, Problem, PublicFault};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A data message from the peer, of a type the session
/// [accepts](super::Accept).
///
/// WebSocket has two kinds of data message (RFC 6455 §5.6), so a `match`
/// needs no other arm. Text arrives as the bytes read off the socket,
/// already checked as UTF-8, without a copy; [`Utf8Bytes`] derefs to
/// `&str`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A text message (valid UTF-8: the runner checks).
    Text(Utf8Bytes),
    /// A binary message.
    Binary(Bytes),
}

impl Incoming {
    /// The message's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Incoming::Text(text) => text.as_bytes(),
            Incoming::Binary(bytes) => bytes,
        }
    }

    /// The text of a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Incoming::Text(text) => Some(text.as_str()),
            Incoming::Binary(_) => None,
        }
    }

    /// The text of a text message, owned, without a copy.
    pub fn into_text(self) -> Option<Utf8Bytes> {
        match self {
            Incoming::Text(text) => Some(text),
            Incoming::Binary(_) => None,
        }
    }

    /// The message's bytes (a text message's UTF-8), owned, without a copy.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Incoming::Text(text) => Bytes::from(text),
            Incoming::Binary(bytes) => bytes,
        }
    }

    /// Parses the message as JSON into `T`.
    ///
    /// # Errors
    ///
    /// As [`from_json_slice`](crate::from_json_slice): malformed JSON is a
    /// `BadRequest` (1007, mirror 4400), a well-formed message of the
    /// wrong shape an `Unprocessable` (1008, mirror 4422) naming the field.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Fault> {
        crate::from_json_slice(self.as_bytes())
    }
}

/// What a WebSocket session does with each message (and each event from
/// the outside, when the session was [run with
/// events](super::Accepted::run_with_events)).
///
/// Both methods return `Result<(), Fault>`, never an HTTP response:
/// - `Ok(())`: the session goes on (unless [`Session::end`] was called).
/// - `Err(fault)`: the session ends with `fault`'s close frame (its code
///   from the mapping table, a reason of at most 123 bytes, generic for a
///   server fault, which is logged with its source chain).
/// - A recoverable failure is answered with [`Session::send_error`] and
///   `Ok(())`.
/// - A panic closes the session with 1011; it is logged, and other
///   sessions go on.
///
/// `E` is the type of outside events; it defaults to
/// [`Infallible`](std::convert::Infallible) for sessions without any.
pub trait SessionHandler<E = std::convert::Infallible>: Send + 'static {
    /// Handles one data message from the peer.
    fn on_message(
        &mut self,
        session: &mut Session,
        message: Incoming,
    ) -> impl Future<Output = Result<(), Fault>> + Send;

    /// Handles one outside event (a broadcast, a notification). The
    /// default ignores it.
    fn on_event(
        &mut self,
        session: &mut Session,
        event: E,
    ) -> impl Future<Output = Result<(), Fault>> + Send {
        let _ = (session, event);
        std::future::ready(Ok(()))
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The handler's side of an open session: it can send messages and error
/// events, and ask for a normal end. It cannot send an HTTP response.
#[derive(Debug)]
pub struct Session {
    pub(crate) socket: WebSocket,
    id: u64,
    codes: CloseCodes,
    request_id: Option<String>,
    send_timeout: Duration,
    pub(crate) end: Option<Close>,
    pub(crate) broken: bool,
    /// A send waited the send timeout: the peer reads nothing.
    pub(crate) stalled: bool,
}

impl Session {
    pub(crate) fn new(socket: WebSocket, config: &WsConfig, request_id: Option<String>) -> Session {
        Session {
            socket,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            codes: config.codes,
            request_id,
            send_timeout: config.send_timeout,
            end: None,
            broken: false,
            stalled: false,
        }
    }

    /// This session's id, unique in the process (for instance to skip the
    /// session's own events in a broadcast).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The id of the HTTP request that opened the session, when it ran
    /// inside a [`WirefaultLayer`](crate::axum::WirefaultLayer) (or a
    /// [`RequestIdLayer`](crate::axum::RequestIdLayer)).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The close-code mode of this session.
    pub fn close_codes(&self) -> CloseCodes {
        self.codes
    }

    /// The subprotocol agreed in the handshake
    /// ([`WsConfig::protocols`](super::WsConfig::protocols)), if any.
    pub fn protocol(&self) -> Option<&str> {
        self.socket.protocol().and_then(|p| p.to_str().ok())
    }

    /// Sends a text message (a `String`, a `&str`, or the [`Utf8Bytes`]
    /// of an [`Incoming::Text`], which is sent without a copy).
    ///
    /// # Errors
    ///
    /// A `ClientClosed` fault when the peer is gone or did not read within
    /// the send timeout; return it (`?`) to end the session.
    pub async fn send_text(&mut self, text: impl Into<Utf8Bytes>) -> Result<(), Fault> {
        self.send(Message::Text(text.into())).await
    }

    /// Sends a binary message.
    ///
    /// # Errors
    ///
    /// As [`send_text`](Session::send_text).
    pub async fn send_binary(&mut self, bytes: impl Into<Bytes>) -> Result<(), Fault> {
        self.send(Message::Binary(bytes.into())).await
    }

    /// Sends `value` as a JSON text message.
    ///
    /// # Errors
    ///
    /// An `Internal` fault if `value` does not serialize; otherwise as
    /// [`send_text`](Session::send_text).
    pub async fn send_json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Fault> {
        let text = serde_json::to_string(value).map_err(Fault::internal_from)?;
        self.send_text(text).await
    }

    /// Answers a request that failed on application grounds, and lets the
    /// session go on: sends `{"event":"error","problem":{...}}` with the
    /// fault's problem details (a server fault shows only the generic
    /// title and the request id) and logs the fault.
    ///
    /// # Errors
    ///
    /// As [`send_text`](Session::send_text).
    pub async fn send_error(&mut self, fault: &Fault) -> Result<(), Fault> {
        let public = PublicFault::logged(fault, self.request_id.as_deref());
        // The problem is already JSON: splice it in rather than convert.
        let problem = Problem::render_public(public);
        self.send_text(format!(r#"{{"event":"error","problem":{problem}}}"#))
            .await
    }

    /// Ends the session normally (1000) once the current handler call
    /// returns `Ok(())`.
    pub fn end(&mut self) {
        self.end = Some(Close::normal());
    }

    /// Ends the session with an application close code (4000–4999, the
    /// range RFC 6455 §7.4.2 leaves to applications) once the current
    /// handler call returns `Ok(())`. The reason is cut to 123 bytes on a
    /// character boundary.
    ///
    /// # Errors
    ///
    /// An `Internal` fault (a bug in the handler, closed with 1011 if
    /// returned) for a code outside 4000–4999; registered codes come from
    /// the mapping table through a returned [`Fault`].
    pub fn close(&mut self, code: u16, reason: &str) -> Result<(), Fault> {
        match CloseCode::new(code) {
            Some(code) if (4000..=4999).contains(&code.as_u16()) => {
                self.end = Some(Close::new(code, reason));
                Ok(())
            }
            _ => Err(Fault::internal().detail(format!(
                "close code {code} is not an application code (4000-4999)"
            ))),
        }
    }

    pub(crate) async fn send(&mut self, message: Message) -> Result<(), Fault> {
        if self.broken {
            return Err(gone("the connection is closed"));
        }
        if self.stalled {
            return Err(self.stall());
        }
        match tokio::time::timeout(self.send_timeout, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => {
                self.broken = true;
                Err(gone("the connection is closed").with_source(err))
            }
            Err(_) => {
                self.stalled = true;
                Err(self.stall())
            }
        }
    }

    /// The fault of a peer that read nothing for the send timeout: the
    /// session ends with its close (1008, mirror 4408) if it can be written.
    pub(crate) fn stall(&self) -> Fault {
        Fault::request_timeout().detail(format!(
            "the peer read nothing for {} ms",
            self.send_timeout.as_millis()
        ))
    }
}

fn gone(detail: &str) -> Fault {
    Fault::new(Kind::ClientClosed).detail(detail)
}
