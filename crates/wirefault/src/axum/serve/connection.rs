//! One accepted connection: its socket (which holds a slot of the
//! connection cap and its place in the watchdog for as long as it is
//! open, upgrades included, and notes when writes stop going through),
//! the service that counts its requests in flight, and the task that
//! drives it until it ends or the watchdog (`watchdog.rs`) tells it to
//! close.

use super::watchdog::{InFlight, Order, Registration, Watch};
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
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

pin_project_lite::pin_project! {
    /// A socket that holds one slot of the connection cap, and its watch,
    /// until it is dropped. hyper moves the socket into the upgraded
    /// stream on a WebSocket upgrade, so an open session keeps its slot
    /// and its write bound too.
    pub(super) struct Counted {
        #[pin]
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
        registration: Registration,
        // The last write found the socket full (told to the watch).
        blocked: bool,
    }
}

impl Counted {
    pub(super) fn new(
        stream: TcpStream,
        permit: OwnedSemaphorePermit,
        registration: Registration,
    ) -> Counted {
        Counted {
            stream,
            permit,
            registration,
            blocked: false,
        }
    }

    fn watch(&self) -> Arc<Watch> {
        Arc::clone(self.registration.watch())
    }
}

/// Tells the watch when writes stop and start going through again, and
/// fails a write once the socket has been full for the write timeout.
fn track<T>(
    watch: &Watch,
    blocked: &mut bool,
    cx: &Context<'_>,
    written: Poll<std::io::Result<T>>,
) -> Poll<std::io::Result<T>> {
    match written {
        Poll::Pending if watch.write_blocked(cx, blocked) => Poll::Ready(Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "the peer read nothing for the write timeout",
        ))),
        Poll::Pending => Poll::Pending,
        Poll::Ready(result) => {
            if *blocked {
                *blocked = false;
                watch.write_progressed();
            }
            Poll::Ready(result)
        }
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
        let this = self.project();
        let written = this.stream.poll_write(cx, buf);
        track(this.registration.watch(), this.blocked, cx, written)
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
        let this = self.project();
        let written = this.stream.poll_write_vectored(cx, bufs);
        track(this.registration.watch(), this.blocked, cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
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

/// The application, per connection: counts its requests in flight and,
/// when asked, adds `ConnectInfo<SocketAddr>`.
#[derive(Clone)]
struct Service<S> {
    router: S,
    /// The client's address, when requests are to carry it.
    connect_info: Option<SocketAddr>,
    watch: Arc<Watch>,
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
        if let Some(refusal) = super::early::too_many_headers(&mut request, self.max_headers) {
            return Call::Refused {
                response: Some(refusal),
            };
        }
        if let Some(remote) = self.connect_info {
            request.extensions_mut().insert(ConnectInfo(remote));
        }
        let in_flight = Some(self.watch.begin());
        let connect = request.method() == http::Method::CONNECT;
        let routed = tower::Service::call(&mut self.router, request.map(Body::new));
        Call::Routed {
            routed,
            in_flight,
            connect,
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of one request: the router's (no box per request), or a
    /// refusal the server made before routing.
    #[project = CallProj]
    pub(super) enum Call<F> {
        Routed { #[pin] routed: F, in_flight: Option<InFlight>, connect: bool },
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
            CallProj::Routed {
                routed,
                in_flight,
                connect,
            } => {
                let Ok(response) = std::task::ready!(routed.poll(cx));
                let in_flight = in_flight.take();
                // An HTTP/2 CONNECT answered 2xx (a WebSocket over HTTP/2,
                // RFC 8441) becomes a stream hyper hands to the handler:
                // it outlives the response body, and nothing tells the
                // server when it ends. Its connection is never idle again
                // (the drain still closes it).
                if let (true, true, Some(in_flight)) =
                    (*connect, response.status().is_success(), &in_flight)
                {
                    in_flight.hold_connection();
                }
                (response, in_flight)
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

/// Serves one connection until it ends, or until the watchdog's order:
/// `Close` starts hyper's graceful shutdown (an idle HTTP/1 connection
/// closes, HTTP/2 says GOAWAY, a connection still in hyper-util's protocol
/// sniffing ends, a request in flight finishes first); `Drop` ends it at
/// once.
pub(super) async fn serve_connection<S: super::App>(
    io: Counted,
    remote: SocketAddr,
    connect_info: bool,
    router: S,
    builder: Arc<Builder<TokioExecutor>>,
    max_headers: usize,
) {
    let watch = io.watch();
    let service = TowerToHyperService::new(Service {
        router,
        connect_info: connect_info.then_some(remote),
        watch: Arc::clone(&watch),
        max_headers,
    });
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut closing = false;
    let ended = std::future::poll_fn(|cx| loop {
        if let Poll::Ready(result) = conn.as_mut().poll(cx) {
            return Poll::Ready(result.err());
        }
        match watch.order(cx) {
            Order::Serve => return Poll::Pending,
            Order::Close if closing => return Poll::Pending,
            Order::Close => {
                // hyper acts on it when next polled: poll again.
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            Order::Drop => {
                tracing::debug!(%remote, "connection dropped by the watchdog or the drain");
                return Poll::Ready(None);
            }
        }
    })
    .await;
    if let Some(err) = ended {
        tracing::debug!(%remote, error = %err, "connection ended with an error");
    }
}
