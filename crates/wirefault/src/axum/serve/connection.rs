//! One accepted connection: its socket (which holds a slot of the
//! connection cap for as long as it is open, upgrades included), what it is
//! doing (requests in flight, idle since when), and the task that drives
//! it until it ends, idles out, or is told to close.

use super::ServeConfig;
use axum::body::Body;
use axum::extract::ConnectInfo;
use bytes::Bytes;
use http::{Request, Response};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

pin_project_lite::pin_project! {
    /// A socket that holds one slot of the connection cap until it is
    /// dropped. hyper moves the socket into the upgraded stream on a
    /// WebSocket upgrade, so an open session keeps its slot too.
    pub(super) struct Counted {
        #[pin]
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
    }
}

impl Counted {
    pub(super) fn new(stream: TcpStream, permit: OwnedSemaphorePermit) -> Counted {
        Counted { stream, permit }
    }
}

impl AsyncRead for Counted {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        self.project().stream.poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.project().stream.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().stream.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.project().stream.poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.project().stream.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// What a connection is doing: how many requests have a response not yet
/// written out, and since when none has. Atomics, not a lock: HTTP/2
/// streams end on other tasks.
#[derive(Debug)]
struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// Nanoseconds from `start` to the moment the last request ended.
    idle_since: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
        }
    }

    /// `Some(since)` when no request is in flight.
    fn idle_since(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let nanos = self.idle_since.load(Ordering::Acquire);
        Some(self.start + Duration::from_nanos(nanos))
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(self))
    }
}

/// One request in flight, until its response body is done (or dropped),
/// so a long stream (SSE) counts as activity, not as idleness.
#[derive(Debug)]
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        // Saturates after 584 years of uptime.
        let nanos = u64::try_from(activity.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        activity.idle_since.fetch_max(nanos, Ordering::AcqRel);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request in flight until it ends.
    /// hyper takes it as it is: re-boxing it into an axum `Body` would
    /// cost an allocation per request.
    pub(super) struct Tracked {
        #[pin]
        inner: Body,
        in_flight: Option<InFlight>,
    }
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.project();
        let frame = this.inner.poll_frame(cx);
        if let Poll::Ready(None) = frame {
            this.in_flight.take();
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The application, per connection: keeps the connection's activity and,
/// when asked, adds `ConnectInfo<SocketAddr>`.
#[derive(Clone)]
struct Service<S> {
    router: S,
    /// The client's address, when requests are to carry it.
    connect_info: Option<SocketAddr>,
    activity: Arc<Activity>,
    max_headers: usize,
}

impl<S> tower::Service<Request<Incoming>> for Service<S>
where
    S: super::App,
{
    type Response = Response<Tracked>;
    type Error = Infallible;
    type Future = Call<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.router.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Incoming>) -> Self::Future {
        if let Some(refusal) = super::early::too_many_headers(&request, self.max_headers) {
            return Call::Refused {
                response: Some(refusal),
            };
        }
        if let Some(remote) = self.connect_info {
            request.extensions_mut().insert(ConnectInfo(remote));
        }
        let in_flight = Some(self.activity.begin());
        let routed = tower::Service::call(&mut self.router, request.map(Body::new));
        Call::Routed { routed, in_flight }
    }
}

pin_project_lite::pin_project! {
    /// The future of one request: the router's (no box per request), or a
    /// refusal the server made before routing.
    #[project = CallProj]
    pub(super) enum Call<F> {
        Routed { #[pin] routed: F, in_flight: Option<InFlight> },
        Refused { response: Option<Response<Body>> },
    }
}

impl<F> Future for Call<F>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Tracked>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (response, in_flight) = match self.project() {
            CallProj::Routed { routed, in_flight } => {
                let Ok(response) = std::task::ready!(routed.poll(cx));
                (response, in_flight.take())
            }
            CallProj::Refused { response } => match response.take() {
                Some(response) => (response, None),
                // Polled after it completed; cannot happen in hyper.
                None => return Poll::Pending,
            },
        };
        Poll::Ready(Ok(response.map(|inner| Tracked { inner, in_flight })))
    }
}

/// The signals a connection obeys.
#[derive(Debug, Clone)]
pub(super) struct Signals {
    /// Finish the request in flight, then close.
    pub(super) graceful: CancellationToken,
    /// Close now (the drain bound has passed).
    pub(super) cut: CancellationToken,
}

/// How long a connection told to close (idle, or draining) may take to do
/// so before it is dropped, once nothing is in flight: enough to write an
/// HTTP/2 GOAWAY or finish a close on a live socket.
const CLOSE_GRACE: Duration = Duration::from_millis(200);

/// Serves one connection until it ends. Once it has had no request in
/// flight for the idle timeout (or the header-read timeout, if shorter) it
/// is told to close gracefully: an idle HTTP/1 connection closes, HTTP/2
/// says GOAWAY, a connection still in hyper-util's protocol sniffing ends.
/// One told to close (idle, or by `signals.graceful`) that has not closed
/// once that bound and [`CLOSE_GRACE`] have passed, with nothing in
/// flight (a peer in the middle of a request head), is dropped; every
/// connection is dropped when `signals.cut` fires.
///
/// This is also the header-read timeout: a connection waiting for a head
/// has no request in flight. hyper's own timer would cover HTTP/1 only,
/// and it allocates and registers a timer for every request head
/// (about 0.5 µs of CPU per request, BENCHMARKS.md); this loop wakes only
/// at the bounds.
pub(super) async fn serve_connection<S: super::App>(
    io: Counted,
    remote: SocketAddr,
    connect_info: bool,
    router: S,
    builder: Arc<Builder<TokioExecutor>>,
    config: ServeConfig,
    signals: Signals,
) {
    let activity = Arc::new(Activity::new());
    let service = TowerToHyperService::new(Service {
        router,
        connect_info: connect_info.then_some(remote),
        activity: Arc::clone(&activity),
        max_headers: config.max_headers,
    });
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    let idle_limit = config.idle_timeout.min(config.header_read_timeout);
    let mut closing: Option<Instant> = None;
    loop {
        let idle = activity.idle_since();
        let wake = match (idle, closing) {
            (Some(since), None) => since + idle_limit,
            (Some(since), Some(at)) => (since + idle_limit).max(at + CLOSE_GRACE),
            // A request is in flight: look again later.
            (None, _) => Instant::now() + idle_limit,
        };
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!(%remote, error = %err, "connection ended with an error");
                }
                return;
            }
            () = signals.cut.cancelled() => {
                tracing::debug!(%remote, "connection cut at the drain bound");
                return;
            }
            () = signals.graceful.cancelled(), if closing.is_none() => {
                conn.as_mut().graceful_shutdown();
                closing = Some(Instant::now());
            }
            () = sleep_until(wake) => {
                // A request in flight, or one that came and went since:
                // nothing to do but look again.
                if idle.is_none() || activity.idle_since() != idle {
                    continue;
                }
                if closing.is_some() {
                    tracing::debug!(%remote, "told to close, still open with nothing in flight; dropped");
                    return;
                }
                tracing::debug!(%remote, "idle connection closed");
                conn.as_mut().graceful_shutdown();
                closing = Some(Instant::now());
            }
        }
    }
}
