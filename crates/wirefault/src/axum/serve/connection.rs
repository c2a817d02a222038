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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
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

/// What a connection is doing: requests whose response has not been
/// written out yet, and since when none has been.
#[derive(Debug)]
struct Activity {
    in_flight: AtomicUsize,
    idle_since: Mutex<Instant>,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            in_flight: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
        }
    }

    /// `Some(since)` when no request is in flight.
    fn idle_since(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        Some(
            *self
                .idle_since
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
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
        let mut since = self
            .0
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *since = Instant::now();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

pin_project_lite::pin_project! {
    /// A response body that keeps its request in flight until it ends.
    struct Tracked {
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

/// The application, per connection: adds `ConnectInfo<SocketAddr>` and
/// keeps the connection's activity.
#[derive(Clone)]
struct Service<S> {
    router: S,
    remote: SocketAddr,
    activity: Arc<Activity>,
    max_headers: usize,
}

impl<S> tower::Service<Request<Incoming>> for Service<S>
where
    S: super::App,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.router.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Incoming>) -> Self::Future {
        if let Some(refusal) = super::early::too_many_headers(&request, self.max_headers) {
            return Box::pin(std::future::ready(Ok(refusal)));
        }
        request.extensions_mut().insert(ConnectInfo(self.remote));
        let in_flight = self.activity.begin();
        let call = tower::Service::call(&mut self.router, request.map(Body::new));
        Box::pin(async move {
            let response = call.await?;
            Ok(response.map(|inner| {
                Body::new(Tracked {
                    inner,
                    in_flight: Some(in_flight),
                })
            }))
        })
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

/// Serves one connection until it ends. It closes gracefully once it has
/// had no request in flight for the idle timeout (or the header-read
/// timeout, if shorter: a connection that has not sent a request yet may
/// still be in hyper-util's protocol sniffing, which no hyper timer
/// covers) or when `signals.graceful` fires; a connection told to close that still has none in flight after
/// the header-read timeout (a peer that neither sends nor closes) is
/// dropped, and so is every connection when `signals.cut` fires.
pub(super) async fn serve_connection<S: super::App>(
    io: Counted,
    remote: SocketAddr,
    router: S,
    builder: Arc<Builder<TokioExecutor>>,
    config: ServeConfig,
    signals: Signals,
) {
    let activity = Arc::new(Activity::new());
    let service = TowerToHyperService::new(Service {
        router,
        remote,
        activity: Arc::clone(&activity),
        max_headers: config.max_headers,
    });
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    let idle_limit = config.idle_timeout.min(config.header_read_timeout);
    let mut closing: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let wake = match (closing, activity.idle_since()) {
            (None, Some(since)) => since + idle_limit,
            (Some(at), Some(_)) => at + config.header_read_timeout,
            // A request is in flight: look again later.
            (None, None) => now + idle_limit,
            (Some(_), None) => now + config.header_read_timeout,
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
                let now = Instant::now();
                match (closing, activity.idle_since()) {
                    (None, Some(since)) if now >= since + idle_limit => {
                        tracing::debug!(%remote, "idle connection closed");
                        conn.as_mut().graceful_shutdown();
                        closing = Some(now);
                    }
                    (Some(at), Some(_)) if now >= at + config.header_read_timeout => {
                        tracing::debug!(%remote, "connection did not close; dropped");
                        return;
                    }
                    _ => {}
                }
            }
        }
    }
}
