//! [`ProblemLayer`]: every error response becomes problem+json, so no route
//! can forget, and a panic becomes a 500 that shows nothing of it.
//!
//! Written by hand because no tower-http middleware rewrites error bodies:
//! axum's rejections, its fallback 404 and 405 all answer text/plain or an
//! empty body. Panics are caught here too, instead of with tower-http's
//! `CatchPanic`, which boxes every response body (an allocation per
//! request); `catch_unwind` around each poll costs nothing until a panic.

use super::framing::FramingRules;
use super::panic::panic_response;
use super::request_id::RequestId;
use crate::{Fault, Kind, Problem, PublicFault, PROBLEM_JSON};
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::BodyExt;
use pin_project_lite::pin_project;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// How much of a non-problem error body is read to reuse as the detail.
const MAX_ERROR_BODY: usize = 8 * 1024;
/// How much of that text becomes the detail.
const MAX_DETAIL_CHARS: usize = 500;

/// Error rewrite and panic capture alone: every error response below it
/// becomes `application/problem+json` with the request id as `instance`,
/// a panic becomes a 500 that shows nothing of it, and a malformed
/// request head (no `Host` in HTTP/1.1, two `Host`s, a header section
/// over the limit) gets its 400 or 431 before any handler runs.
///
/// [`WirefaultLayer`](super::WirefaultLayer) does this and the rest; use
/// this one only to compose your own stack (the request id comes from a
/// [`RequestIdLayer`](super::RequestIdLayer) outside it).
///
/// - A response that already is problem+json passes untouched.
/// - A success (status below 400) passes untouched and unbuffered.
/// - A 4xx keeps its status and headers (`Allow` on a 405); its text body,
///   when it has one, becomes the detail; an empty one gets a detail that
///   names the request (`no resource at /nope`).
/// - A 5xx body is logged and replaced by a generic one.
#[derive(Debug, Clone, Copy)]
pub struct ProblemLayer {
    pub(crate) body_limit: Option<usize>,
    pub(crate) framing: FramingRules,
}

impl Default for ProblemLayer {
    fn default() -> Self {
        ProblemLayer::new()
    }
}

impl ProblemLayer {
    /// The layer with a 16 KiB header limit.
    pub fn new() -> ProblemLayer {
        ProblemLayer {
            body_limit: None,
            framing: FramingRules::default(),
        }
    }

    /// Names the body limit in 413 details.
    pub fn body_limit(mut self, bytes: usize) -> ProblemLayer {
        self.body_limit = Some(bytes);
        self
    }

    /// The largest header section (names and values) answered normally;
    /// larger ones get 431.
    pub fn max_header_bytes(mut self, bytes: usize) -> ProblemLayer {
        self.framing.max_header_bytes = bytes;
        self
    }
}

impl<S> Layer<S> for ProblemLayer {
    type Service = ProblemService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ProblemService {
            inner,
            config: *self,
        }
    }
}

/// The service made by [`ProblemLayer`].
#[derive(Debug, Clone)]
pub struct ProblemService<S> {
    inner: S,
    config: ProblemLayer,
}

impl<S, B> Service<Request> for ProblemService<S>
where
    S: Service<Request, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if let Err(fault) = self.config.framing.check(&req) {
            return Guarded::ready(fault.into_response());
        }
        Guarded::start(&mut self.inner, req, self.config.body_limit)
    }
}

/// What the rewrite needs to know about the request.
struct RequestLine {
    method: Method,
    uri: Uri,
    body_limit: Option<usize>,
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // The inner service's future.
        Running {
            #[pin]
            inner: F,
            line: Option<RequestLine>,
        },
        // The rewrite of an error response (rare: boxed).
        Rewriting { rewrite: BoxFuture<'static, Response> },
        // A response made before or instead of the inner one.
        Ready { response: Option<Response> },
    }
}

pin_project! {
    /// The response future of [`ProblemService`]: the inner future with
    /// panics caught, then the error rewrite, boxed, only for a response
    /// that needs it.
    pub struct Guarded<F> {
        #[pin]
        state: State<F>,
    }
}

impl<F> std::fmt::Debug for Guarded<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded").finish_non_exhaustive()
    }
}

impl<F> Guarded<F> {
    /// A future that answers `response`.
    pub(crate) fn ready(response: Response) -> Guarded<F> {
        Guarded {
            state: State::Ready {
                response: Some(response),
            },
        }
    }
}

impl<F, B> Guarded<F>
where
    F: Future<Output = Result<http::Response<B>, Infallible>>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    /// Calls `inner`, a panic in the call included (its 500 rendered
    /// with the current context, if any).
    pub(crate) fn start<S>(inner: &mut S, req: Request, body_limit: Option<usize>) -> Guarded<F>
    where
        S: Service<Request, Future = F>,
    {
        let line = RequestLine {
            // Clones share the bytes hyper read: no allocation.
            method: req.method().clone(),
            uri: req.uri().clone(),
            body_limit,
        };
        match catch_unwind(AssertUnwindSafe(|| inner.call(req))) {
            Ok(inner) => Guarded {
                state: State::Running {
                    inner,
                    line: Some(line),
                },
            },
            Err(panic) => Guarded::ready(panic_response(panic)),
        }
    }
}

impl<F, B> Future for Guarded<F>
where
    F: Future<Output = Result<http::Response<B>, Infallible>>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Running { inner, line } => {
                    let response = match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Ok(response))) => response.map(Body::new),
                        Ok(Poll::Ready(Err(never))) => match never {},
                        Err(panic) => panic_response(panic),
                    };
                    let next = match line.take() {
                        // An empty body (axum's 404 and 405): rewritten
                        // here, without reading or boxing anything.
                        Some(line)
                            if needs_rewrite(&response)
                                && http_body::Body::size_hint(response.body()).exact()
                                    == Some(0) =>
                        {
                            let (parts, _) = response.into_parts();
                            State::Ready {
                                response: Some(rewritten(parts, None, line)),
                            }
                        }
                        Some(line) if needs_rewrite(&response) => State::Rewriting {
                            rewrite: Box::pin(rewrite(response, line)),
                        },
                        _ => State::Ready {
                            response: Some(response),
                        },
                    };
                    state.set(next);
                }
                StateProj::Rewriting { rewrite } => {
                    return rewrite.as_mut().poll(cx).map(Ok);
                }
                StateProj::Ready { response } => {
                    return match response.take() {
                        Some(response) => Poll::Ready(Ok(response)),
                        // Polled after it finished: a caller's bug.
                        None => Poll::Pending,
                    };
                }
            }
        }
    }
}

/// Whether the response is an error that is not problem+json yet.
fn needs_rewrite(response: &Response) -> bool {
    response.status().as_u16() >= 400 && !is_problem(response.headers())
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Reads the error's text body (bounded), then rewrites it.
async fn rewrite(response: Response, line: RequestLine) -> Response {
    let (parts, body) = response.into_parts();
    let text = read_text(&parts.headers, body).await;
    rewritten(parts, text, line)
}

/// The problem+json response for an error with `text` as its body (if
/// any).
fn rewritten(
    mut parts: http::response::Parts,
    text: Option<String>,
    line: RequestLine,
) -> Response {
    let status = parts.status;
    let kind = Kind::from_status(status);
    // Headers the status needs (Retry-After on 429/503, WWW-Authenticate
    // on 401), unless the response already has them; most statuses need
    // none, and then no fault is built for them.
    if let Some(kind) = kind.filter(|kind| !kind.required_headers().is_empty()) {
        Fault::new(kind).write_headers(&mut parts.headers);
    }
    let body = RequestId::with_current(|request_id| {
        let request_id = request_id.unwrap_or("-");
        if status.is_server_error() {
            // The original body may hold internals: it goes to the log
            // only, and the client gets the generic problem.
            tracing::error!(request_id, status = status.as_u16(), body = %text.as_deref().unwrap_or(""), "error response rewritten");
            Problem::render_for_status(status, None, Some(request_id))
        } else {
            // A configured body limit says more than the limiter's
            // "length limit exceeded" (a handler's own 413 text stays).
            let text = text.filter(|text| {
                !(status == StatusCode::PAYLOAD_TOO_LARGE
                    && line.body_limit.is_some()
                    && text.contains("length limit exceeded"))
            });
            let detail = match text.filter(|t| !t.trim().is_empty()) {
                Some(text) => shorten(text.trim()),
                None => default_detail(status, &parts.headers, &line),
            };
            match kind {
                Some(kind) => {
                    let fault = Fault::new(kind).detail(detail);
                    Problem::render_public(PublicFault::logged(&fault, Some(request_id)))
                }
                None => Problem::render_for_status(status, Some(detail), Some(request_id)),
            }
        }
    });
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(http::header::TRANSFER_ENCODING);
    Response::from_parts(parts, Body::from(body))
}

/// The longest wait for an error body being rewritten.
const ERROR_BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads a textual error body, bounded in size and time; binary, oversized
/// or stalled bodies give `None`.
async fn read_text(headers: &HeaderMap, body: Body) -> Option<String> {
    let is_text = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/") || v.contains("json"));
    if !is_text {
        return None;
    }
    let limited = http_body_util::Limited::new(body, MAX_ERROR_BODY);
    // Bounded in time too: an error body that streams and stalls must not
    // hold the request (the layer's timeout may be off).
    let collected = tokio::time::timeout(ERROR_BODY_READ_TIMEOUT, limited.collect())
        .await
        .ok()?
        .ok()?;
    String::from_utf8(Vec::from(collected.to_bytes())).ok()
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

fn default_detail(status: StatusCode, headers: &HeaderMap, line: &RequestLine) -> String {
    let (method, path) = (&line.method, line.uri.path());
    match status {
        StatusCode::NOT_FOUND => format!("no resource at {path}"),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = headers
                .get(http::header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if allow.is_empty() {
                format!("{method} is not allowed on {path}; the Allow header lists the methods it supports")
            } else {
                format!("{method} is not allowed on {path}; allowed: {allow}")
            }
        }
        StatusCode::REQUEST_TIMEOUT => "the request was not completed in time".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => body_limit_detail(line.body_limit),
        other => format!(
            "{} {} for {method} {path}",
            other.as_u16(),
            other.canonical_reason().unwrap_or("error")
        ),
    }
}

/// The detail of a 413.
pub(crate) fn body_limit_detail(limit: Option<usize>) -> String {
    match limit {
        Some(limit) => format!("the request body is larger than the limit of {limit} bytes"),
        None => "the request body is larger than this endpoint accepts".to_owned(),
    }
}
