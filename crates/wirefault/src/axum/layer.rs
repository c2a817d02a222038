//! [`WirefaultLayer`]: request id, framing checks, CORS, body limit,
//! timeout, panic capture and the problem rewrite, in one layer and one
//! future, in the one order that is right.
//!
//! One future instead of a stack of tower-http layers: each of those
//! would add its own future and its own per-request state (tower-http's
//! request id goes into the extensions, `CatchPanic` boxes every body,
//! `Cors` matches the origin twice), and the order between them is easy
//! to get wrong. Here, on a success, the request id header is the only
//! allocation; the error rewrite is boxed, and only for a response that
//! needs it.

use super::cors::{CorsRules, ExposureCheckLayer, OriginVerdict};
use super::current::{self, RequestContext};
use super::framing::FramingRules;
use super::problem_layer::{body_limit_detail, Guarded};
use super::request_id::RequestIdRule;
use crate::cors::CorsPolicy;
use crate::{CloseCodes, Fault};
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::header::{HeaderName, CONTENT_LENGTH};
use pin_project_lite::pin_project;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;
use tower::{Layer, Service};

/// The wirefault stack as one layer.
///
/// For every request, outermost first:
/// 1. the request id: the client's valid `X-Request-Id` (or a new UUID
///    v4), echoed on every response, in every problem body and on every
///    line wirefault logs, and [`RequestId::current`](super::RequestId::current)
///    anywhere inside (add it to your log format for your own lines: the
///    reference service's `demo/src/log.rs` does; the layer makes no span);
/// 2. framing: 400 for an HTTP/1.1 request without `Host` or any request
///    with two, 431 for a header section over the limit;
/// 3. CORS (with [`cors`](Self::cors)): the origin is matched once; a
///    preflight is answered here; every response, errors included, gets
///    the CORS headers an allowed origin needs, and a refused one (or a
///    request with two `Origin`s) gets none;
/// 4. the body limit (with [`body_limit`](Self::body_limit)): 413 for a
///    declared length over it, a limited body otherwise;
/// 5. the timeout (with [`timeout`](Self::timeout)): 408;
/// 6. panic capture: a 500 that shows nothing of the panic;
/// 7. the problem rewrite: every error response that is not
///    problem+json yet becomes one (see [`ProblemLayer`](super::ProblemLayer)).
///
/// Put it around the whole router with [`Layer::layer`] (not
/// `Router::layer`, which wraps each route and clones boxed services per
/// request); the result serves with `axum::serve` directly.
///
/// ```
/// use axum::{routing::get, Router};
/// use std::time::Duration;
/// use tower::Layer;
/// use wirefault::axum::WirefaultLayer;
///
/// let routes = Router::new().route("/health", get(|| async { "ok" }));
/// let app = WirefaultLayer::new()
///     .body_limit(64 * 1024)
///     .timeout(Duration::from_secs(30))
///     .layer(routes);
/// # async {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// axum::serve(listener, app).await?;
/// # Ok::<(), std::io::Error>(()) };
/// ```
#[derive(Debug, Clone, Default)]
pub struct WirefaultLayer {
    config: LayerConfig,
}

#[derive(Debug, Clone, Default)]
struct LayerConfig {
    request_id: RequestIdRule,
    framing: FramingRules,
    cors: Option<Arc<CorsRules>>,
    exposure: Option<ExposureCheckLayer>,
    body_limit: Option<usize>,
    timeout: Option<Duration>,
    close_codes: Option<CloseCodes>,
}

impl WirefaultLayer {
    /// Request ids (`X-Request-Id`, a client's valid id kept), framing
    /// checks with a 16 KiB header limit, panic capture and the problem
    /// rewrite; no CORS, no body limit beyond axum's own, no timeout.
    pub fn new() -> WirefaultLayer {
        WirefaultLayer::default()
    }

    /// CORS from a validated policy. In debug builds, also warns about
    /// response headers scripts cannot read because the policy does not
    /// expose them ([`ExposureCheckLayer`]).
    pub fn cors(mut self, policy: &CorsPolicy) -> WirefaultLayer {
        self.config.cors = Some(Arc::new(CorsRules::new(policy)));
        self.config.exposure = cfg!(debug_assertions).then(|| ExposureCheckLayer::new(policy));
        self
    }

    /// The largest request body, in bytes: a declared `Content-Length`
    /// over it gets 413 before any handler runs; a chunked body is cut
    /// there (the extractor answers 413). axum's extractors have their own
    /// 2 MiB default; for a larger limit, also set
    /// `axum::extract::DefaultBodyLimit` on the routes.
    pub fn body_limit(mut self, bytes: usize) -> WirefaultLayer {
        self.config.body_limit = Some(bytes);
        self
    }

    /// How long a response may take (from the first time its handler
    /// waits) before the request gets 408.
    pub fn timeout(mut self, timeout: Duration) -> WirefaultLayer {
        self.config.timeout = Some(timeout);
        self
    }

    /// The request id header (`X-Request-Id` by default), and whether a
    /// client's valid id is kept (`true` by default) or every request
    /// gets a new one.
    pub fn request_id(mut self, header: HeaderName, trust_client: bool) -> WirefaultLayer {
        self.config.request_id = RequestIdRule {
            header,
            trust_client,
        };
        self
    }

    /// The largest header section (names and values) answered normally
    /// (16 KiB by default); larger ones get 431.
    pub fn max_header_bytes(mut self, bytes: usize) -> WirefaultLayer {
        self.config.framing.max_header_bytes = bytes;
        self
    }

    /// The close codes WebSocket sessions opened inside this layer use
    /// when their [`WsConfig`](super::ws::WsConfig) does not choose.
    pub fn close_codes(mut self, codes: CloseCodes) -> WirefaultLayer {
        self.config.close_codes = Some(codes);
        self
    }
}

/// What the OpenAPI document reads of the layer
/// (`wirefault::openapi::LayerResponses::from`).
#[cfg(feature = "utoipa")]
impl WirefaultLayer {
    pub(crate) fn request_id_header(&self) -> &HeaderName {
        &self.config.request_id.header
    }

    pub(crate) fn get_body_limit(&self) -> Option<usize> {
        self.config.body_limit
    }

    pub(crate) fn get_timeout(&self) -> Option<Duration> {
        self.config.timeout
    }
}

impl<S> Layer<S> for WirefaultLayer {
    type Service = WirefaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        WirefaultService {
            inner,
            config: Arc::new(self.config.clone()),
        }
    }
}

/// The service of [`WirefaultLayer`].
#[derive(Debug, Clone)]
pub struct WirefaultService<S> {
    inner: S,
    // Shared: the service is cloned for every connection and request.
    config: Arc<LayerConfig>,
}

impl<S, B> WirefaultService<S>
where
    S: Service<Request, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    /// Everything before the handler, the inner service's `call`
    /// included; the caller lends the request's context around it.
    fn start(
        &mut self,
        mut req: Request,
        verdict: Option<&OriginVerdict>,
        preflight: bool,
    ) -> Guarded<S::Future> {
        let config = &self.config;
        if let Err(fault) = config.framing.check(&req) {
            return Guarded::ready(fault.into_response());
        }
        if let (Some(cors), Some(verdict), true) = (&config.cors, verdict, preflight) {
            return Guarded::ready(cors.preflight(verdict));
        }
        if let Some(limit) = config.body_limit {
            let declared = req
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            match declared {
                Some(length) if length > limit as u64 => {
                    let fault = Fault::payload_too_large(body_limit_detail(Some(limit)));
                    return Guarded::ready(fault.into_response());
                }
                // hyper holds a body to its declared length: no limit needed.
                Some(_) => {}
                None if http_body::Body::is_end_stream(req.body()) => {}
                // Chunked: cut at the limit (a boxed body, only here).
                None => {
                    req = req.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
                }
            }
        }
        Guarded::start(&mut self.inner, req, config.body_limit)
    }
}

impl<S, B> Service<Request> for WirefaultService<S>
where
    S: Service<Request, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = WirefaultFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        // No span: the id is in the request's context, where
        // `RequestId::current()` reads it, and wirefault's own log lines
        // name it. A span made at `info` for every request cost about a
        // tenth of a small request's CPU, for requests that mostly log
        // nothing; a log format adds the id to other lines (docs/DESIGN.md).
        let request_id = self.config.request_id.assign(req.headers_mut());
        let mut context = Some(RequestContext {
            request_id,
            close_codes: self.config.close_codes,
        });
        let verdict = self
            .config
            .cors
            .as_ref()
            .map(|cors| cors.verdict(req.headers()));
        let preflight = verdict.is_some() && CorsRules::is_preflight(&req);
        // Lent for the inner `call` too: `RequestId::current()` works in any
        // service inside, not only in futures.
        let guarded = current::lend(&mut context, || {
            self.start(req, verdict.as_ref(), preflight)
        });
        WirefaultFuture {
            guarded,
            sleep: None,
            context,
            verdict,
            preflight,
            config: self.config.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`WirefaultService`].
    pub struct WirefaultFuture<F> {
        #[pin]
        guarded: Guarded<F>,
        // Made the first time the handler waits: a handler that answers
        // at once never touches the timer.
        #[pin]
        sleep: Option<Sleep>,
        context: Option<RequestContext>,
        verdict: Option<OriginVerdict>,
        preflight: bool,
        config: Arc<LayerConfig>,
    }
}

impl<F> std::fmt::Debug for WirefaultFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WirefaultFuture").finish_non_exhaustive()
    }
}

impl<F, B> Future for WirefaultFuture<F>
where
    F: Future<Output = Result<http::Response<B>, Infallible>>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let (mut guarded, mut sleep, timeout) = (this.guarded, this.sleep, this.config.timeout);
        let polled = current::lend(this.context, || {
            if let Poll::Ready(Ok(response)) = guarded.as_mut().poll(cx) {
                return Poll::Ready(response);
            }
            let Some(timeout) = timeout else {
                return Poll::Pending;
            };
            if sleep.is_none() {
                sleep.set(Some(tokio::time::sleep(timeout)));
            }
            match sleep.as_mut().as_pin_mut().map(|sleep| sleep.poll(cx)) {
                Some(Poll::Ready(())) => Poll::Ready(
                    Fault::request_timeout()
                        .detail(format!(
                            "the request was not completed within {} s",
                            timeout.as_secs_f64()
                        ))
                        .into_response(),
                ),
                _ => Poll::Pending,
            }
        });
        let mut response = ready!(polled);
        let config = &**this.config;
        if let (Some(cors), Some(verdict)) = (&config.cors, this.verdict.as_ref()) {
            cors.finish(verdict, *this.preflight, response.headers_mut());
        }
        if let Some(context) = this.context.take() {
            response
                .headers_mut()
                .insert(config.request_id.header.clone(), context.request_id);
        }
        if let Some(exposure) = &config.exposure {
            exposure.check(response.headers());
        }
        Poll::Ready(Ok(response))
    }
}

/// `axum::serve(listener, app)` takes the layered router as it takes a
/// `Router`: each connection gets a clone (two reference counts).
impl<S, L> Service<axum::serve::IncomingStream<'_, L>> for WirefaultService<S>
where
    S: Clone,
    L: axum::serve::Listener,
{
    type Response = Self;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _stream: axum::serve::IncomingStream<'_, L>) -> Self::Future {
        std::future::ready(Ok(self.clone()))
    }
}
