//! [`WsConfig`] (limits and modes of a session) and [`Sessions`] (the open
//! sessions of a server, for graceful shutdown).

use crate::CloseCodes;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::task_tracker::TaskTrackerToken;
use tokio_util::task::TaskTracker;

/// Which data frames a session takes; the other type closes it with 1003
/// (RFC 6455 §7.4.1: "a type of data it cannot accept").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accept {
    /// Text messages only (the default).
    #[default]
    Text,
    /// Binary messages only.
    Binary,
    /// Both.
    Any,
}

/// The longest wait a session takes: "forever" (`Duration::MAX`) would
/// overflow `Instant` arithmetic, so waits are capped at a year.
const MAX_WAIT: Duration = Duration::from_secs(365 * 24 * 3600);

fn bounded(wait: Duration) -> Duration {
    wait.min(MAX_WAIT)
}

/// The limits and modes of a WebSocket session.
///
/// ```
/// use std::time::Duration;
/// use wirefault::axum::ws::{Accept, WsConfig};
/// use wirefault::CloseCodes;
///
/// let config = WsConfig::new()
///     .close_codes(CloseCodes::HttpMirror)
///     .accept(Accept::Text)
///     .max_message_bytes(64 * 1024)
///     .idle_timeout(Duration::from_secs(60))
///     .rate_limit(20, Duration::from_secs(10));
/// assert_eq!(config.get_close_codes(), CloseCodes::HttpMirror);
/// ```
#[derive(Debug, Clone)]
pub struct WsConfig {
    pub(crate) codes: CloseCodes,
    // Whether `close_codes` was called; if not, the layer's default
    // (`WirefaultLayer::close_codes`) applies when the session opens.
    pub(crate) codes_chosen: bool,
    pub(crate) accept: Accept,
    pub(crate) max_message_bytes: usize,
    pub(crate) max_frame_bytes: Option<usize>,
    pub(crate) protocols: Vec<String>,
    pub(crate) buffer_bytes: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) ping_interval: Option<Duration>,
    pub(crate) close_timeout: Duration,
    pub(crate) send_timeout: Duration,
    pub(crate) rate_limit: Option<(u32, Duration)>,
    pub(crate) sessions: Option<Sessions>,
}

impl Default for WsConfig {
    fn default() -> Self {
        WsConfig::new()
    }
}

impl WsConfig {
    /// Standard close codes, text only, 64 KiB messages (frames up to four
    /// messages), no subprotocol, 8 KiB socket
    /// buffers, 60 s idle timeout
    /// (pings every 30 s), 5 s for the closing handshake, 10 s per send, no
    /// rate limit, no shutdown signal.
    pub fn new() -> WsConfig {
        WsConfig {
            codes: CloseCodes::Standard,
            codes_chosen: false,
            accept: Accept::Text,
            max_message_bytes: 64 * 1024,
            max_frame_bytes: None,
            protocols: Vec::new(),
            buffer_bytes: 8 * 1024,
            idle_timeout: Duration::from_secs(60),
            ping_interval: None,
            close_timeout: Duration::from_secs(5),
            send_timeout: Duration::from_secs(10),
            rate_limit: None,
            sessions: None,
        }
    }

    /// Which column of the mapping table close codes come from; without
    /// it, the [`WirefaultLayer::close_codes`](crate::axum::WirefaultLayer::close_codes)
    /// of the layer the session opens in, else standard codes.
    pub fn close_codes(mut self, codes: CloseCodes) -> WsConfig {
        self.codes = codes;
        self.codes_chosen = true;
        self
    }

    /// The close-code mode.
    pub fn get_close_codes(&self) -> CloseCodes {
        self.codes
    }

    /// Which data frames the session takes (the other type closes with 1003).
    pub fn accept(mut self, accept: Accept) -> WsConfig {
        self.accept = accept;
        self
    }

    /// The largest message, in bytes; a bigger one closes the session with
    /// 1009 ("message too big", RFC 6455 §7.4.1).
    pub fn max_message_bytes(mut self, bytes: usize) -> WsConfig {
        self.max_message_bytes = bytes.max(1);
        self
    }

    /// The read and write buffer of each session's socket. tungstenite
    /// allocates its read buffer up front (128 KiB by default), which is
    /// what 10,000 idle sessions mostly cost; messages larger than the
    /// buffer still arrive whole.
    pub fn buffer_bytes(mut self, bytes: usize) -> WsConfig {
        self.buffer_bytes = bytes.max(1024);
        self
    }

    /// The largest frame, in bytes (default: four times the message
    /// limit). A frame is read whole before the message limit is checked,
    /// so this bounds the memory one frame can take; a frame over the
    /// message limit but within this one still closes the session with a
    /// clean 1009, while a bigger one breaks the stream (also 1009, but the
    /// closing handshake may not complete).
    pub fn max_frame_bytes(mut self, bytes: usize) -> WsConfig {
        self.max_frame_bytes = Some(bytes.max(1));
        self
    }

    /// The frame limit in force.
    pub fn get_max_frame_bytes(&self) -> usize {
        self.max_frame_bytes
            .unwrap_or(self.max_message_bytes.saturating_mul(4))
    }

    /// The subprotocols this endpoint speaks, in order of preference. The
    /// handshake picks the first one the client offered in
    /// `Sec-WebSocket-Protocol` and answers it; when the client offered
    /// none of them, the answer names none (a browser then fails the
    /// connection; [`WsHandshake::requested_protocols`](super::WsHandshake::requested_protocols)
    /// lets a handler refuse over HTTP instead). The session reads the
    /// choice with [`Session::protocol`](super::Session::protocol).
    pub fn protocols<I, P>(mut self, protocols: I) -> WsConfig
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// How long the peer may stay silent (no frame at all, pongs included)
    /// before the session is closed. The server pings at half this period
    /// unless [`ping_interval`](WsConfig::ping_interval) says otherwise,
    /// so a live peer always has a pong to send.
    ///
    /// The close code is the mapping table's `RequestTimeout` row: 1008
    /// (4408 with mirror codes). RFC 6455 §7.4.1 has no timeout code;
    /// 1008 is its generic code for a peer that breaks the endpoint's
    /// policy "when there is no other more suitable status code", and a
    /// silent peer is the client's doing: not 1011 (the server did not
    /// fail), not 1001 (the server is not going away), not 1000 (the
    /// session did not fulfil its purpose).
    pub fn idle_timeout(mut self, timeout: Duration) -> WsConfig {
        self.idle_timeout = bounded(timeout.max(Duration::from_millis(1)));
        self
    }

    /// How often the server pings an idle peer (default: half the idle
    /// timeout).
    pub fn ping_interval(mut self, interval: Duration) -> WsConfig {
        self.ping_interval = Some(bounded(interval.max(Duration::from_millis(1))));
        self
    }

    pub(crate) fn get_ping_interval(&self) -> Duration {
        self.ping_interval
            .unwrap_or(self.idle_timeout / 2)
            .max(Duration::from_millis(1))
    }

    /// How long the runner waits, after sending its close frame, for the
    /// peer's close before it drops the connection.
    pub fn close_timeout(mut self, timeout: Duration) -> WsConfig {
        self.close_timeout = bounded(timeout);
        self
    }

    /// How long one send may wait for a peer that does not read; past it
    /// the session is closed with the mapping table's `RequestTimeout`
    /// code (1008, mirror 4408), or dropped if even the close frame cannot
    /// be written within the close timeout. Under
    /// [`serve`](crate::axum::serve), the server's
    /// [write timeout](crate::axum::ServeConfig::write_timeout) bounds the
    /// socket as well: set both to the same value.
    pub fn send_timeout(mut self, timeout: Duration) -> WsConfig {
        self.send_timeout = bounded(timeout);
        self
    }

    /// At most `messages` data messages per `per`, per session (a token
    /// bucket: bursts up to `messages`, refilled evenly); one more closes
    /// the session with 1013 (4429 with mirror codes).
    pub fn rate_limit(mut self, messages: u32, per: Duration) -> WsConfig {
        self.rate_limit = Some((messages.max(1), per));
        self
    }

    /// Registers sessions in `sessions`, so a graceful shutdown closes
    /// them with 1001 and can wait for them.
    pub fn sessions(mut self, sessions: &Sessions) -> WsConfig {
        self.sessions = Some(sessions.clone());
        self
    }
}

/// The open WebSocket sessions of a server, for a graceful shutdown.
///
/// A WebSocket outlives the HTTP request that opened it, so `axum::serve`'s
/// graceful shutdown neither signals nor waits for it. Give every
/// [`WsConfig`] the same `Sessions`, then, once the server has stopped
/// accepting connections, call [`Sessions::shutdown`]: every open session
/// gets 1001 ("going away") and ends its closing handshake within its
/// close timeout.
///
/// ```
/// # async fn demo() {
/// use std::time::Duration;
/// use wirefault::axum::ws::Sessions;
///
/// let sessions = Sessions::new();
/// // ... serve, with `WsConfig::new().sessions(&sessions)` on each endpoint ...
/// let all_closed = sessions.shutdown(Duration::from_secs(10)).await;
/// assert!(all_closed);
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    token: CancellationToken,
    tracker: TaskTracker,
}

impl Sessions {
    /// No sessions yet, with a shutdown signal of its own.
    pub fn new() -> Sessions {
        Sessions::default()
    }

    /// Sessions that close when `token` is cancelled (the server's own
    /// shutdown signal).
    pub fn with_token(token: CancellationToken) -> Sessions {
        Sessions {
            token,
            tracker: TaskTracker::new(),
        }
    }

    /// Sessions that close when `token` is cancelled and register in
    /// `tracker`, when the server already has both (a tracker that SSE
    /// streams and other long-lived tasks share).
    pub fn from_parts(token: CancellationToken, tracker: TaskTracker) -> Sessions {
        Sessions { token, tracker }
    }

    /// The shutdown signal.
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }

    /// How many sessions are open (accepted handshakes whose session has
    /// not ended yet; with [`from_parts`](Sessions::from_parts), every task
    /// of the tracker).
    pub fn open(&self) -> usize {
        self.tracker.len()
    }

    /// Signals every session to close with 1001, and waits at most `bound`
    /// for them to end. Returns whether all ended in time.
    ///
    /// Sessions accepted after this call close with 1001 right away.
    pub async fn shutdown(&self, bound: std::time::Duration) -> bool {
        self.token.cancel();
        self.tracker.close();
        tokio::time::timeout(bound, self.tracker.wait())
            .await
            .is_ok()
    }

    pub(crate) fn ticket(&self) -> TaskTrackerToken {
        self.tracker.token()
    }
}
