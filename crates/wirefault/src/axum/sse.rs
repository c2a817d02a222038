//! Server-Sent Events whose failures are [`Fault`]s.
//!
//! An SSE response has two phases, like a WebSocket. Before the stream
//! starts, a failure is an ordinary HTTP problem response: return
//! `Result<FaultSse<_>, Fault>` from the handler. Once the `200` and its
//! `text/event-stream` header are sent, the status cannot change: a
//! failure becomes one `event: error` whose data is the problem JSON, and
//! the stream ends.

use super::request_id::RequestId;
use crate::{Fault, Problem, PublicFault};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The event name of the error event that ends a failed stream.
pub const ERROR_EVENT: &str = crate::spec::SSE_ERROR_EVENT;

/// An SSE response from a stream of `Result<Event, Fault>`.
///
/// - `Ok(event)` is sent as it is.
/// - The first `Err(fault)` is sent as `event: error` with the fault's
///   problem JSON as data ([`problem_event`]): a server fault shows only
///   its generic title and the request id, and is logged with its source
///   chain. Then the stream ends; later items are never polled.
/// - Idle streams get a keep-alive comment (axum's [`KeepAlive`], every 15
///   seconds by default), so proxies do not time them out.
/// - [`FaultSse::until`] ends the stream when a signal fires, such as the
///   server's graceful shutdown: without it an open stream keeps its
///   connection, and the server, alive.
///
/// The request id is read when the `FaultSse` is built, in the handler
/// (inside [`WirefaultLayer`](super::WirefaultLayer)): the body is polled
/// later, outside the layer's future.
///
/// ```
/// use axum::response::sse::Event;
/// use axum::{routing::get, Router};
/// use futures_util::stream;
/// use wirefault::axum::FaultSse;
/// use wirefault::Fault;
///
/// async fn events(signed_in: bool) -> Result<FaultSse, Fault> {
///     if !signed_in {
///         // Before the stream: an HTTP 401 problem response.
///         return Err(Fault::unauthenticated("sign in first"));
///     }
///     let items = stream::iter([
///         Ok(Event::default().event("ping").data("{}")),
///         // During the stream: `event: error` with the problem JSON, then the end.
///         Err(Fault::internal().detail("the feed broke")),
///     ]);
///     // With a tokio-util `CancellationToken`: `.until(token.cancelled_owned())`.
///     Ok(FaultSse::new(items).until(shutdown_signal()))
/// }
/// # async fn shutdown_signal() {}
///
/// let app: Router = Router::new().route("/events", get(|| events(true)));
/// ```
#[must_use = "a FaultSse does nothing unless returned as a response"]
pub struct FaultSse {
    stream: BoxStream<'static, Result<Event, Fault>>,
    keep_alive: Option<KeepAlive>,
    until: Option<BoxFuture<'static, ()>>,
    request_id: Option<String>,
}

impl FaultSse {
    /// Events from `stream`, with the default keep-alive and the current
    /// request id.
    pub fn new<S>(stream: S) -> FaultSse
    where
        S: Stream<Item = Result<Event, Fault>> + Send + 'static,
    {
        FaultSse {
            stream: stream.boxed(),
            keep_alive: Some(KeepAlive::default()),
            until: None,
            request_id: RequestId::current().map(|id| id.0),
        }
    }

    /// Sets the keep-alive comments (axum's [`KeepAlive`]: interval and
    /// text).
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> FaultSse {
        self.keep_alive = Some(keep_alive);
        self
    }

    /// Sends no keep-alive comments.
    pub fn no_keep_alive(mut self) -> FaultSse {
        self.keep_alive = None;
        self
    }

    /// Ends the stream, cleanly, when `signal` completes: pass the
    /// server's shutdown signal (`token.cancelled_owned()` of a
    /// `CancellationToken`) so graceful shutdown does not wait forever on
    /// open streams.
    pub fn until(mut self, signal: impl Future<Output = ()> + Send + 'static) -> FaultSse {
        self.until = Some(Box::pin(signal));
        self
    }

    /// Sets the request id shown in error events (by default, the one of
    /// the request being served when the `FaultSse` was built).
    pub fn request_id(mut self, id: impl Into<String>) -> FaultSse {
        self.request_id = Some(id.into());
        self
    }
}

impl IntoResponse for FaultSse {
    fn into_response(self) -> Response {
        let events = FaultEvents {
            stream: Some(self.stream),
            until: self.until,
            request_id: self.request_id,
        };
        match self.keep_alive {
            Some(keep_alive) => Sse::new(events).keep_alive(keep_alive).into_response(),
            None => Sse::new(events).into_response(),
        }
    }
}

impl fmt::Debug for FaultSse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultSse")
            .field("keep_alive", &self.keep_alive.is_some())
            .field("until", &self.until.is_some())
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}

/// The event for a fault in the middle of a stream: `event: error`, and
/// the problem JSON ([`Problem::from_fault`]) on one `data:` line.
///
/// ```
/// use wirefault::axum::problem_event;
/// use wirefault::Fault;
/// let event = problem_event(&Fault::not_found("the feed is gone"), Some("req-1"));
/// # let _ = event;
/// ```
pub fn problem_event(fault: &Fault, request_id: Option<&str>) -> Event {
    public_event(PublicFault::new(fault, request_id))
}

/// The error event for a fault's public view.
fn public_event(public: PublicFault<'_>) -> Event {
    Event::default()
        .event(ERROR_EVENT)
        .data(Problem::render_public(public))
}

/// The stream behind a [`FaultSse`]: events until the first fault (sent as
/// an error event), the end of the source, or the `until` signal.
struct FaultEvents {
    stream: Option<BoxStream<'static, Result<Event, Fault>>>,
    until: Option<BoxFuture<'static, ()>>,
    request_id: Option<String>,
}

impl Stream for FaultEvents {
    type Item = Result<Event, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let Some(stream) = this.stream.as_mut() else {
            return Poll::Ready(None);
        };
        if let Some(until) = this.until.as_mut() {
            if until.as_mut().poll(cx).is_ready() {
                this.stream = None;
                this.until = None;
                return Poll::Ready(None);
            }
        }
        match stream.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(event))) => Poll::Ready(Some(Ok(event))),
            Poll::Ready(Some(Err(fault))) => {
                this.stream = None;
                this.until = None;
                let request_id = this.request_id.as_deref();
                let public = PublicFault::logged(&fault, request_id);
                Poll::Ready(Some(Ok(public_event(public))))
            }
            Poll::Ready(None) => {
                this.stream = None;
                this.until = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl fmt::Debug for FaultEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultEvents")
            .field("ended", &self.stream.is_none())
            .field("request_id", &self.request_id)
            .finish_non_exhaustive()
    }
}
