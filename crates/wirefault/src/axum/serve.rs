//! [`serve`]: an HTTP server for a `Router` (bare, or wrapped in
//! `WirefaultLayer`) that slow and hostile clients cannot hold open.
//!
//! `axum::serve` offers no header-read timeout, no idle timeout, no cap on
//! connections, and its graceful shutdown waits for every connection
//! without a bound: one client that sends half a request head keeps the
//! process alive forever. It exposes none of hyper's connection settings,
//! so this server drives hyper-util's connection builder itself (HTTP/1.1
//! and HTTP/2, with upgrades) and adds what hyper has no setting for: the
//! cap, accept back-pressure, the idle timeout and a bounded drain.

mod connection;
mod early;
mod watchdog;

use super::ws::Sessions;
use axum::body::Body;
use axum::response::Response;
use connection::{serve_connection, Counted};
use http::Request;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::{sleep, timeout_at, Instant};
use tokio_util::task::{AbortOnDropHandle, TaskTracker};
use watchdog::{Order, Watchdog};

/// The bounds of a [`serve`]d server.
///
/// ```
/// use std::time::Duration;
/// use wirefault::axum::ServeConfig;
///
/// let config = ServeConfig::new()
///     .header_read_timeout(Duration::from_secs(5))
///     .idle_timeout(Duration::from_secs(30))
///     .write_timeout(Duration::from_secs(20))
///     .max_connections(1024)
///     .drain_timeout(Duration::from_secs(15));
/// assert_eq!(config.get_max_connections(), 1024);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ServeConfig {
    pub(crate) header_read_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) drain_timeout: Duration,
    pub(crate) max_headers: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig::new()
    }
}

/// The longest bound taken: "forever" would overflow `Instant` arithmetic.
const MAX_BOUND: Duration = Duration::from_secs(365 * 24 * 3600);

fn bounded(wait: Duration) -> Duration {
    wait.clamp(Duration::from_millis(1), MAX_BOUND)
}

impl ServeConfig {
    /// 10 s to read a request head, 5 s of keep-alive idleness, 30 s
    /// without write progress, 10,000 open connections, 10 s to drain on
    /// shutdown, 100 header fields.
    pub fn new() -> ServeConfig {
        ServeConfig {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            drain_timeout: Duration::from_secs(10),
            max_headers: 100,
        }
    }

    /// How long a client may take to send a whole request head, from the
    /// moment the connection waits for one (it opened, or its last
    /// response ended); past it the connection is closed. It runs between
    /// keep-alive requests too, so it also bounds keep-alive idleness.
    pub fn header_read_timeout(mut self, timeout: Duration) -> ServeConfig {
        self.header_read_timeout = bounded(timeout);
        self
    }

    /// How long a connection may stay open with no request in flight
    /// before it is closed (a response still streaming counts as in
    /// flight). A connection waiting for a request is also waiting for a
    /// request head, so the shorter of this and the header-read timeout
    /// wins.
    pub fn idle_timeout(mut self, timeout: Duration) -> ServeConfig {
        self.idle_timeout = bounded(timeout);
        self
    }

    /// How long a connection's socket may refuse writes (the peer reads
    /// nothing, and the kernel's buffers are full) before the connection
    /// is dropped: a response still streaming (SSE) included, and a
    /// WebSocket upgraded from it, whose next write then fails. A slow
    /// peer that reads something keeps its connection; one that stopped
    /// reading holds its slot and its buffers for this long at most.
    pub fn write_timeout(mut self, timeout: Duration) -> ServeConfig {
        self.write_timeout = bounded(timeout);
        self
    }

    /// The write timeout.
    pub fn get_write_timeout(&self) -> Duration {
        self.write_timeout
    }

    /// The most connections open at once, upgraded WebSockets included.
    /// At the cap the server stops accepting; new clients wait in the
    /// kernel's listen queue until a connection closes.
    pub fn max_connections(mut self, connections: usize) -> ServeConfig {
        self.max_connections = connections.clamp(1, Semaphore::MAX_PERMITS);
        self
    }

    /// The cap on open connections.
    pub fn get_max_connections(&self) -> usize {
        self.max_connections
    }

    /// The most header fields a request may have (default 100). A head
    /// with more gets 431: problem+json with a request id up to 100
    /// fields, and above that hyper's own empty 431, which cannot be
    /// hooked (docs/DESIGN.md). A limit above 100 makes hyper parse every
    /// head into heap arrays of that size, which costs CPU on every
    /// request (about 1 µs at 400 fields; BENCHMARKS.md).
    pub fn max_headers(mut self, fields: usize) -> ServeConfig {
        self.max_headers = fields.clamp(1, 10_000);
        self
    }

    /// The header-read timeout.
    pub fn get_header_read_timeout(&self) -> Duration {
        self.header_read_timeout
    }

    /// The idle timeout.
    pub fn get_idle_timeout(&self) -> Duration {
        self.idle_timeout
    }

    /// The drain bound.
    pub fn get_drain_timeout(&self) -> Duration {
        self.drain_timeout
    }

    /// How long a graceful shutdown waits for requests in flight and
    /// WebSocket sessions to finish before it closes what is left.
    pub fn drain_timeout(mut self, timeout: Duration) -> ServeConfig {
        self.drain_timeout = bounded(timeout);
        self
    }
}

/// How a server's graceful shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    /// Connections still open at the drain bound, closed by force.
    pub connections_cut: usize,
    /// WebSocket sessions still open at the drain bound (each has been
    /// sent 1001; their tasks end with the runtime).
    pub sessions_left: usize,
}

/// Serves `router` on `listener` with the bounds of [`ServeConfig`] (its
/// defaults unless [`config`](Serve::config) says otherwise), until the
/// [graceful shutdown](Serve::with_graceful_shutdown) signal.
///
/// Shutdown: the listener closes at once; WebSocket sessions registered
/// with [`sessions`](Serve::sessions) are sent 1001; requests in flight
/// finish; after the drain bound whatever is left is closed and the
/// future returns.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// use axum::{routing::get, Router};
/// use wirefault::axum::{serve, ServeConfig};
/// use wirefault::axum::ws::Sessions;
///
/// let sessions = Sessions::new(); // given to each endpoint's WsConfig
/// let app = Router::new().route("/health", get(|| async { "ok" }));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
/// let drained = serve(listener, app)
///     .config(ServeConfig::new().max_connections(4096))
///     .sessions(&sessions)
///     .with_graceful_shutdown(async { let _ = tokio::signal::ctrl_c().await; })
///     .await;
/// assert_eq!(drained.connections_cut, 0);
/// # Ok(()) }
/// ```
pub fn serve<S: App>(listener: TcpListener, router: S) -> Serve<S> {
    Serve {
        listener,
        router,
        config: ServeConfig::new(),
        sessions: Vec::new(),
        connect_info: false,
        signal: Box::pin(std::future::pending()),
    }
}

/// What [`serve`] runs: a `Router`, or a `Router` wrapped in a layer such as
/// `WirefaultLayer` — any cloneable service from requests to responses
/// that never fails.
pub trait App:
    tower::Service<Request<Body>, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + 'static
{
}

impl<S> App for S where
    S: tower::Service<
            Request<Body>,
            Response = Response,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// A server being configured; `.await` it to run it. See [`serve`].
#[must_use = "a server does nothing until it is awaited"]
pub struct Serve<S = axum::Router> {
    listener: TcpListener,
    router: S,
    config: ServeConfig,
    sessions: Vec<Sessions>,
    connect_info: bool,
    signal: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl<S> std::fmt::Debug for Serve<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: App> Serve<S> {
    /// The server's bounds.
    pub fn config(mut self, config: ServeConfig) -> Serve<S> {
        self.config = config;
        self
    }

    /// WebSocket sessions to close with 1001, and wait for, on shutdown.
    pub fn sessions(mut self, sessions: &Sessions) -> Serve<S> {
        self.sessions.push(sessions.clone());
        self
    }

    /// Gives each request the client's address as
    /// `axum::extract::ConnectInfo<SocketAddr>`, as
    /// `Router::into_make_service_with_connect_info::<SocketAddr>()` does
    /// for `axum::serve`. Off by default: the extension costs every
    /// request a map insert (about 2 % of a small request's CPU).
    pub fn connect_info(mut self) -> Serve<S> {
        self.connect_info = true;
        self
    }

    /// The signal that starts the graceful shutdown.
    pub fn with_graceful_shutdown<F>(mut self, signal: F) -> Serve<S>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.signal = Box::pin(signal);
        self
    }

    async fn run(self) -> Drained {
        let Serve {
            listener,
            router,
            config,
            sessions,
            connect_info,
            mut signal,
        } = self;
        let mut builder = Builder::new(TokioExecutor::new());
        // No hyper header-read timer: the connection task bounds head
        // reads itself (see `serve_connection`), at no cost per request.
        // hyper's `header_read_timeout` defaults to 30 s, but only once a
        // timer is set, and none is.
        if let Some(cap) = early::hyper_max_headers(config.max_headers) {
            builder.http1().max_headers(cap);
        }
        builder
            .http2()
            .timer(TokioTimer::new())
            // WebSockets over HTTP/2 (RFC 8441), as axum::serve enables.
            .enable_connect_protocol();
        let builder = Arc::new(builder);
        let slots = Arc::new(Semaphore::new(config.max_connections));
        let connections = TaskTracker::new();
        let watchdog = Watchdog::new();
        // A connection waiting for a request is also waiting for a
        // request head: the shorter bound wins.
        let idle_limit = config.idle_timeout.min(config.header_read_timeout);
        // Stops with the server, even one dropped before it returns.
        let _bounds = AbortOnDropHandle::new(tokio::spawn(
            Arc::clone(&watchdog).run(idle_limit, config.write_timeout),
        ));
        let mut backoff = Backoff::new();
        loop {
            // Back-pressure: at the cap, accept nothing until a slot frees.
            let permit = tokio::select! {
                biased;
                () = &mut signal => break,
                permit = Arc::clone(&slots).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break, // never closed
                },
            };
            let accepted = tokio::select! {
                biased;
                () = &mut signal => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, remote) = match accepted {
                Ok(accepted) => accepted,
                Err(err) if is_per_connection(&err) => continue,
                Err(err) => {
                    // Out of file descriptors or memory: retrying at once
                    // would spin. Wait, longer each time, for connections
                    // to close.
                    let wait = backoff.next(&err);
                    tokio::select! {
                        biased;
                        () = &mut signal => break,
                        () = sleep(wait) => continue,
                    }
                }
            };
            backoff.recovered();
            // Small responses go out at once, not after a delayed ACK.
            let _ = stream.set_nodelay(true);
            connections.spawn(serve_connection(
                Counted::new(stream, permit, watchdog.register()),
                remote,
                connect_info,
                router.clone(),
                Arc::clone(&builder),
                config.max_headers,
            ));
        }
        drop(listener);
        drain(config, &connections, &watchdog, &sessions).await
    }
}

impl<S: App> IntoFuture for Serve<S> {
    type Output = Drained;
    type IntoFuture = Pin<Box<dyn Future<Output = Drained> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

/// The graceful shutdown, after the listener has closed.
async fn drain(
    config: ServeConfig,
    connections: &TaskTracker,
    watchdog: &Watchdog,
    sessions: &[Sessions],
) -> Drained {
    let deadline = Instant::now() + config.drain_timeout;
    tracing::info!(
        open = connections.len(),
        bound_ms = config.drain_timeout.as_millis() as u64,
        "no longer accepting; draining"
    );
    watchdog.give_all(Order::Close);
    connections.close();
    let sessions_done = async {
        for group in sessions {
            let left = deadline.saturating_duration_since(Instant::now());
            group.shutdown(left).await;
        }
    };
    let _ = tokio::join!(timeout_at(deadline, connections.wait()), sessions_done);
    let connections_cut = connections.len();
    if connections_cut > 0 {
        tracing::warn!(
            connections_cut,
            "connections still open at the drain bound; closing them"
        );
        watchdog.give_all(Order::Drop);
        // Each task returns at once on `cut`; this wait is a formality.
        let _ = tokio::time::timeout(Duration::from_secs(1), connections.wait()).await;
    }
    let sessions_left = sessions.iter().map(Sessions::open).sum();
    if sessions_left > 0 {
        tracing::warn!(
            sessions_left,
            "WebSocket sessions still open at the drain bound"
        );
    }
    Drained {
        connections_cut,
        sessions_left,
    }
}

/// Accept errors that concern one connection only (it was reset before we
/// took it): the next accept may succeed at once.
fn is_per_connection(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// The wait after an accept error that is not about one connection
/// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): 10 ms, doubling up to 1 s.
/// The first error of a streak is a warning; the rest are counted and
/// reported when accepting works again, so the log does not fill.
#[derive(Debug)]
struct Backoff {
    wait: Duration,
    errors: u64,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    fn new() -> Backoff {
        Backoff {
            wait: Backoff::FIRST,
            errors: 0,
        }
    }

    fn next(&mut self, err: &io::Error) -> Duration {
        if self.errors == 0 {
            tracing::warn!(error = %err, "accept failed; backing off until connections close");
        }
        self.errors += 1;
        let wait = self.wait;
        self.wait = (self.wait * 2).min(Backoff::MAX);
        wait
    }

    fn recovered(&mut self) {
        if self.errors > 0 {
            tracing::info!(failed_accepts = self.errors, "accepting again");
        }
        *self = Backoff::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_second_and_resets() {
        let err = io::Error::other("EMFILE");
        let mut backoff = Backoff::new();
        let waits: Vec<Duration> = (0..10).map(|_| backoff.next(&err)).collect();
        assert_eq!(waits[0], Duration::from_millis(10));
        assert_eq!(waits[1], Duration::from_millis(20));
        assert_eq!(waits[9], Duration::from_secs(1));
        backoff.recovered();
        assert_eq!(backoff.next(&err), Duration::from_millis(10));
    }

    #[test]
    fn bounds_are_clamped() {
        let config = ServeConfig::new()
            .max_connections(0)
            .drain_timeout(Duration::MAX)
            .header_read_timeout(Duration::ZERO);
        assert_eq!(config.max_connections, 1);
        assert_eq!(config.drain_timeout, MAX_BOUND);
        assert_eq!(config.header_read_timeout, Duration::from_millis(1));
    }

    #[test]
    fn resets_are_per_connection_but_emfile_is_not() {
        assert!(is_per_connection(&io::Error::from(
            io::ErrorKind::ConnectionAborted
        )));
        // EMFILE (24 on Linux and macOS).
        assert!(!is_per_connection(&io::Error::from_raw_os_error(24)));
    }
}
