//! WebSocket sessions that always end with the right close code.
//!
//! A session has two phases, and the types keep them apart:
//!
//! 1. **Handshake** ([`WsHandshake`]): still HTTP. Every refusal is a
//!    problem+json response: 403 for a foreign `Origin`
//!    ([`WsHandshake::check_origin`] with the service's
//!    [`CorsPolicy`](crate::cors::CorsPolicy) or an [`AllowOrigin`]), 401 from the application's own
//!    check, 426 / 400 for a bad upgrade request ([`WsHandshake::accept`]).
//! 2. **Session** ([`Accepted::run`]): a [`SessionHandler`] gets each
//!    message with a [`Session`] handle that can send messages and error
//!    events only, and returns `Result<(), Fault>`. An `Err` becomes a
//!    close frame from the [mapping table](crate::TABLE); an HTTP error
//!    after the upgrade cannot be written.
//!
//! An echo endpoint that takes text and binary messages up to 1 MiB, and
//! a client that talks to it:
//!
//! ```
//! use axum::{response::Response, routing::get, Router};
//! use std::time::Duration;
//! use wirefault::axum::ws::{Accept, AllowOrigin, Incoming, Session, SessionHandler, WsConfig, WsHandshake};
//! use wirefault::Fault;
//!
//! struct Echo;
//!
//! impl SessionHandler for Echo {
//!     async fn on_message(&mut self, session: &mut Session, message: Incoming) -> Result<(), Fault> {
//!         // The text is the bytes read off the socket: sent back without a copy.
//!         match message {
//!             Incoming::Text(text) => session.send_text(text).await,
//!             Incoming::Binary(bytes) => session.send_binary(bytes).await,
//!         }
//!     }
//! }
//!
//! async fn echo(handshake: WsHandshake) -> Result<Response, Fault> {
//!     // A foreign page gets 403 before the upgrade.
//!     handshake.check_origin(&AllowOrigin::new(|origin| origin == "https://app.example"))?;
//!     // The defaults take text only, up to 64 KiB: say what this endpoint takes.
//!     let config = WsConfig::new()
//!         .accept(Accept::Any)
//!         .max_message_bytes(1024 * 1024)
//!         .idle_timeout(Duration::from_secs(60));
//!     Ok(handshake.accept(config)?.run(Echo))
//! }
//!
//! let app: Router = Router::new().route("/echo", get(echo));
//! # tokio::runtime::Runtime::new().unwrap().block_on(async move {
//! # use futures_util::{SinkExt, StreamExt};
//! # use tokio_tungstenite::tungstenite::Message;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
//! let url = format!("ws://{}/echo", listener.local_addr().unwrap());
//! tokio::spawn(async move { wirefault::axum::serve(listener, app).await });
//!
//! let (mut client, _) = tokio_tungstenite::connect_async(url).await.unwrap();
//! client.send(Message::text("héllo")).await.unwrap();
//! assert_eq!(client.next().await.unwrap().unwrap(), Message::text("héllo"));
//! let big = vec![7_u8; 512 * 1024];
//! client.send(Message::binary(big.clone())).await.unwrap();
//! assert_eq!(client.next().await.unwrap().unwrap(), Message::binary(big));
//! # });
//! ```
//!
//! A handler of JSON requests, whose failures end the session with the
//! mapping table's close code or answer with an error event:
//!
//! ```
//! use axum::{extract::State, response::Response, routing::get, Router};
//! use wirefault::axum::ws::{AllowOrigin, Incoming, Session, SessionHandler, WsConfig, WsHandshake};
//! use wirefault::Fault;
//!
//! #[derive(serde::Deserialize)]
//! struct Request { op: String }
//!
//! struct Ops;
//!
//! impl SessionHandler for Ops {
//!     async fn on_message(&mut self, session: &mut Session, message: Incoming) -> Result<(), Fault> {
//!         // Malformed JSON ends the session with 1007, a wrong shape with 1008.
//!         let request: Request = message.json()?;
//!         match request.op.as_str() {
//!             "ping" => session.send_json(&serde_json::json!({"event": "pong"})).await,
//!             // Recoverable: an error event, and the session goes on.
//!             "find" => session.send_error(&Fault::not_found("nothing here")).await,
//!             // An application close code of its own (4000-4999).
//!             "bye" => session.close(4000, "bye"),
//!             // Fatal: the session ends with 1008 and this reason.
//!             other => Err(Fault::unprocessable().detail(format!("unknown op {other:?}"))),
//!         }
//!     }
//! }
//!
//! async fn ws(State(config): State<WsConfig>, handshake: WsHandshake) -> Result<Response, Fault> {
//!     handshake.check_origin(&AllowOrigin::new(|origin| origin == "https://app.example"))?;
//!     // ... authenticate from handshake.headers(), or return a 401 Fault ...
//!     Ok(handshake.accept(config)?.run(Ops))
//! }
//!
//! let config = WsConfig::new().protocols(["ops.v1"]);
//! let app: Router = Router::new().route("/ws", get(ws)).with_state(config);
//! ```
//!
//! Details:
//! - Limits ([`WsConfig`]): message and frame size (1009), frame type (1003),
//!   invalid UTF-8 (1007, the reason says where), a per-session rate
//!   limit (1013, mirror 4429),
//!   an idle timeout with pings (1008, mirror 4408; see
//!   [`WsConfig::idle_timeout`]).
//! - Subprotocols: [`WsConfig::protocols`] lists those the endpoint speaks;
//!   the handshake answers the first the client offered, and
//!   [`Session::protocol`] tells the handler.
//! - [`Session::close`] ends a session with an application code
//!   (4000–4999); [`Session::end`] with 1000.
//! - A panic in a handler closes its session with 1011 and is logged.
//! - The runner completes the closing handshake: it sends its close frame,
//!   waits at most [`WsConfig::close_timeout`] for the peer's, then drops
//!   the connection.
//! - [`Sessions`]: a graceful shutdown sends 1001 to every open session
//!   and waits, bounded, for them to end.
//! - Outside events (a broadcast) reach the handler's
//!   [`on_event`](SessionHandler::on_event) through
//!   [`Accepted::run_with_events`]; [`broadcast_events`] adapts a
//!   `tokio::sync::broadcast::Receiver`.

// `Fault` is the crate's one error value, returned as is on purpose; its
// size is the core's concern, not this module's.
#![allow(clippy::result_large_err)]

mod close;
mod config;
mod handshake;
mod runner;
mod session;

pub use axum::extract::ws::Utf8Bytes;
pub use config::{Accept, Sessions, WsConfig};
pub use handshake::WsHandshake;
pub use session::{Incoming, Session, SessionHandler};

use crate::Fault;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use http::HeaderMap;
use std::fmt;
use tokio::sync::broadcast;
use tokio_util::task::task_tracker::TaskTrackerToken;

/// The `Origin` check of a WebSocket handshake (browsers apply no CORS to
/// WebSockets, so the server must refuse foreign pages itself).
///
/// Implemented for [`CorsPolicy`](crate::cors::CorsPolicy) (the CORS
/// allowlist), for [`AllowOrigin`] and for closures
/// `Fn(&HeaderMap) -> Result<(), Fault>`.
pub trait OriginCheck {
    /// `Ok(())` when the request may open a session.
    ///
    /// # Errors
    ///
    /// The fault to answer with, a 403 for a foreign origin.
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Fault>;
}

impl<F> OriginCheck for F
where
    F: Fn(&HeaderMap) -> Result<(), Fault>,
{
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Fault> {
        self(headers)
    }
}

/// The CORS allowlist, applied to the handshake: see
/// [`CorsPolicy::check_websocket_origin`](crate::cors::CorsPolicy::check_websocket_origin).
/// A refusal is a 403 naming the origin.
impl OriginCheck for crate::cors::CorsPolicy {
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Fault> {
        self.check_websocket_origin(headers).map_err(Fault::from)
    }
}

/// An [`OriginCheck`] from a predicate on the origin's text.
///
/// A request without `Origin` (not from a browser) passes; one `Origin`
/// passes when the predicate allows it; anything else (a foreign origin,
/// several `Origin` headers, one with a byte outside visible ASCII, as no
/// serialized origin has) is a 403 without asking the predicate.
///
/// ```
/// use http::HeaderMap;
/// use wirefault::axum::ws::{AllowOrigin, OriginCheck};
///
/// let check = AllowOrigin::new(|origin| origin == "https://app.example");
/// let mut headers = HeaderMap::new();
/// assert!(check.check_origin(&headers).is_ok());
/// headers.insert("origin", "https://evil.example".parse().unwrap());
/// assert_eq!(check.check_origin(&headers).unwrap_err().status(), 403);
/// let accept_all = AllowOrigin::new(|_| true);
/// let non_ascii = http::HeaderValue::from_bytes("https://é.example".as_bytes()).unwrap();
/// headers.insert("origin", non_ascii);
/// assert_eq!(accept_all.check_origin(&headers).unwrap_err().status(), 403);
/// ```
pub struct AllowOrigin<F>(F);

impl<F> AllowOrigin<F>
where
    F: Fn(&str) -> bool,
{
    /// The check that allows the origins `allowed` accepts.
    pub fn new(allowed: F) -> AllowOrigin<F> {
        AllowOrigin(allowed)
    }
}

impl<F> fmt::Debug for AllowOrigin<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllowOrigin").finish_non_exhaustive()
    }
}

impl<F> OriginCheck for AllowOrigin<F>
where
    F: Fn(&str) -> bool,
{
    fn check_origin(&self, headers: &HeaderMap) -> Result<(), Fault> {
        crate::cors::check_origin_header(headers, |origin| {
            // Visible ASCII, checked by `check_origin_header`: always UTF-8.
            std::str::from_utf8(origin).is_ok_and(|origin| (self.0)(origin))
        })
        .map_err(Fault::from)
    }
}

/// An accepted handshake: the end of the HTTP phase. Its only way
/// forward is to run a session; the response it gives back is the 101
/// that starts it.
pub struct Accepted {
    upgrade: WebSocketUpgrade,
    config: WsConfig,
    request_id: Option<String>,
    ticket: Option<TaskTrackerToken>,
}

impl fmt::Debug for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accepted")
            .field("config", &self.config)
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

impl Accepted {
    /// The subprotocol the handshake agreed on
    /// ([`WsConfig::protocols`]), answered in `Sec-WebSocket-Protocol`.
    pub fn protocol(&self) -> Option<&str> {
        self.upgrade
            .selected_protocol()
            .and_then(|p| p.to_str().ok())
    }

    /// Upgrades the connection and runs `handler` until the session ends.
    /// Return the response from the endpoint.
    pub fn run<H>(self, handler: H) -> Response
    where
        H: SessionHandler,
    {
        self.run_with_events(handler, futures_util::stream::pending())
    }

    /// As [`run`](Accepted::run), and hands each item of `events` to the
    /// handler's [`on_event`](SessionHandler::on_event) (a broadcast to
    /// every session, a notification for this user).
    pub fn run_with_events<E, H, S>(self, handler: H, events: S) -> Response
    where
        E: Send + 'static,
        H: SessionHandler<E>,
        S: Stream<Item = E> + Send + 'static,
    {
        let Accepted {
            upgrade,
            config,
            request_id,
            ticket,
        } = self;
        let events: BoxStream<'static, E> = events.boxed();
        upgrade.on_upgrade(move |socket| async move {
            runner::run(socket, config, request_id, handler, events).await;
            drop(ticket);
        })
    }
}

/// A stream of a broadcast channel's values, for
/// [`Accepted::run_with_events`]. A session too slow to keep up gets one
/// `Err`: a 503 fault (`STREAM_LAGGED`, close code 1013 "try again
/// later") that the handler returns with `?`, so the client reconnects and
/// refetches instead of silently missing values, as an SSE stream does.
/// The stream ends when the channel closes.
pub fn broadcast_events<T>(
    receiver: broadcast::Receiver<T>,
) -> impl Stream<Item = Result<T, Fault>> + Send
where
    T: Clone + Send + 'static,
{
    futures_util::stream::unfold(Some(receiver), |receiver| async move {
        let mut receiver = receiver?;
        match receiver.recv().await {
            Ok(value) => Some((Ok(value), Some(receiver))),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                let fault = Fault::unavailable(std::time::Duration::from_secs(1))
                    .reason("STREAM_LAGGED")
                    .detail(format!(
                        "this session fell {missed} events behind; reconnect"
                    ));
                // One error, then the end.
                Some((Err(fault), None))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[tokio::test]
    async fn a_lagging_receiver_gets_one_fault_then_the_end() {
        let (tx, rx) = broadcast::channel(2);
        let events = broadcast_events(rx);
        for i in 0..5 {
            tx.send(i).unwrap();
        }
        let got: Vec<_> = events.collect().await;
        assert_eq!(got.len(), 1, "{got:?}");
        let fault = got.into_iter().next().unwrap().unwrap_err();
        assert_eq!(fault.status(), 503);
        assert_eq!(fault.reason_str(), "STREAM_LAGGED");
        assert_eq!(
            fault.close(crate::CloseCodes::Standard).code().as_u16(),
            1013
        );
    }

    #[tokio::test]
    async fn values_arrive_until_the_channel_closes() {
        let (tx, rx) = broadcast::channel(8);
        let events = broadcast_events(rx);
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        drop(tx);
        let got: Vec<i32> = events.map(|e| e.unwrap()).collect().await;
        assert_eq!(got, [1, 2]);
    }
}
