//! [`ProblemLayer`]: every error response becomes problem+json, so no route
//! can forget.
//!
//! Written by hand because no tower-http middleware rewrites error bodies:
//! axum's rejections, its fallback 404 and 405, tower-http's 408 and 413
//! all answer text/plain or an empty body.

use super::request_id::{RequestId, REQUEST_ID};
use crate::{Fault, Kind, Problem, PublicFault, PROBLEM_JSON};
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::BodyExt;
use std::any::Any;
use std::convert::Infallible;
use std::task::{Context, Poll};
use tower::{Layer, Service};
use tracing::Instrument;

/// How much of a non-problem error body is read to reuse as the detail.
const MAX_ERROR_BODY: usize = 8 * 1024;
/// How much of that text becomes the detail.
const MAX_DETAIL_CHARS: usize = 500;

/// Turns every error response below it into `application/problem+json`,
/// with the request id as `instance`, and runs the request inside a
/// tracing span that carries the request id.
///
/// - A response that already is problem+json passes untouched.
/// - A success (status below 400) passes untouched and unbuffered.
/// - A 4xx keeps its status and headers (`Allow` on a 405); its text body,
///   when it has one, becomes the detail; an empty one gets a detail that
///   names the request (`no route for GET /nope`).
/// - A 5xx body is logged and replaced by a generic one.
/// - A request whose header section is larger than the limit gets a 431.
#[derive(Debug, Clone, Copy)]
pub struct ProblemLayer {
    body_limit: Option<usize>,
    max_header_bytes: usize,
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
            max_header_bytes: 16 * 1024,
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
        self.max_header_bytes = bytes;
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
    S: Service<Request, Response = http::Response<B>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // Take the service that was driven to readiness; leave a clone.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = self.config;
        let request_id = req
            .headers()
            .get(&REQUEST_ID)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("-"));
        let method = req.method().clone();
        let uri = req.uri().clone();
        // Debug level: error logs carry the request id themselves, so the
        // span costs nothing unless someone asks for debug traces.
        let span =
            tracing::debug_span!("request", request_id = ?request_id, %method, path = %uri.path());
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        Box::pin(
            RequestId::scope(request_id.clone(), async move {
                if header_bytes > config.max_header_bytes {
                    return Ok(Fault::headers_too_large(format!(
                        "the request headers take {header_bytes} bytes; the limit is {}",
                        config.max_header_bytes
                    ))
                    .into_response());
                }
                let response = inner.call(req).await?.map(Body::new);
                if response.status().as_u16() < 400 {
                    return Ok(response);
                }
                let request_id = request_id.to_str().unwrap_or("-");
                // Boxed: the rewrite is rare, and its state would otherwise
                // make every request's future larger (and slower to move).
                Ok(Box::pin(rewrite(response, &config, &method, &uri, request_id)).await)
            })
            .instrument(span),
        )
    }
}

fn is_problem(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

async fn rewrite(
    response: Response,
    config: &ProblemLayer,
    method: &Method,
    uri: &Uri,
    request_id: &str,
) -> Response {
    let status = response.status();
    if is_problem(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = read_text(&parts.headers, body).await;
    let kind = Kind::from_status(status);
    if let Some(kind) = kind {
        // Headers the kind needs (Retry-After on 429/503, WWW-Authenticate
        // on 401), unless the response already has them.
        for (name, value) in Fault::new(kind).http_headers() {
            if let Some(name) = name {
                parts.headers.entry(name).or_insert(value);
            }
        }
    }
    let body = if status.is_server_error() {
        // The original body may hold internals: it goes to the log only,
        // and the client gets the generic problem.
        tracing::error!(request_id, status = status.as_u16(), body = %text.as_deref().unwrap_or(""), "error response rewritten");
        Problem::for_status(status, None, Some(request_id)).to_json()
    } else {
        // A configured body limit says more than tower-http's
        // "length limit exceeded".
        let text = text
            .filter(|_| !(status == StatusCode::PAYLOAD_TOO_LARGE && config.body_limit.is_some()));
        let detail = match text.filter(|t| !t.trim().is_empty()) {
            Some(text) => shorten(text.trim()),
            None => default_detail(status, &parts.headers, config, method, uri),
        };
        match kind {
            Some(kind) => {
                let fault = Fault::new(kind).detail(detail);
                Problem::render_public(PublicFault::logged(&fault, Some(request_id)))
            }
            None => Problem::for_status(status, Some(detail), Some(request_id)).to_json(),
        }
    };
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(http::header::TRANSFER_ENCODING);
    Response::from_parts(parts, Body::from(body))
}

/// Reads a textual error body, bounded; binary or oversized bodies give
/// `None`.
async fn read_text(headers: &HeaderMap, body: Body) -> Option<String> {
    let is_text = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/") || v.contains("json"));
    if !is_text {
        return None;
    }
    let limited = http_body_util::Limited::new(body, MAX_ERROR_BODY);
    let bytes = limited.collect().await.ok()?.to_bytes();
    String::from_utf8(bytes.to_vec()).ok()
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

fn default_detail(
    status: StatusCode,
    headers: &HeaderMap,
    config: &ProblemLayer,
    method: &Method,
    uri: &Uri,
) -> String {
    let path = uri.path();
    match status {
        StatusCode::NOT_FOUND => format!("no resource at {path}"),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allow = headers
                .get(http::header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if allow.is_empty() {
                // Under `Router::layer` (not `around`), axum adds `Allow`
                // outside this layer.
                format!("{method} is not allowed on {path}; the Allow header lists the methods it supports")
            } else {
                format!("{method} is not allowed on {path}; allowed: {allow}")
            }
        }
        StatusCode::REQUEST_TIMEOUT => "the request was not completed in time".to_owned(),
        StatusCode::PAYLOAD_TOO_LARGE => match config.body_limit {
            Some(limit) => format!("the request body is larger than the limit of {limit} bytes"),
            None => "the request body is larger than this endpoint accepts".to_owned(),
        },
        other => format!(
            "{} {} for {method} {path}",
            other.as_u16(),
            other.canonical_reason().unwrap_or("error")
        ),
    }
}

/// The response to a caught panic: a 500 that shows nothing of the panic.
/// The panic message goes to the log (inside the request's span).
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "non-string panic payload".to_owned()
    };
    Fault::internal()
        .detail(format!("handler panicked: {message}"))
        .into_response()
}
