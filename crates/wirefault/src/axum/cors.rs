//! CORS for axum, from a validated [`CorsPolicy`].
//!
//! Written by hand rather than with tower-http's `CorsLayer`, for four
//! things it cannot do:
//! - match the origin once per request: its origin predicate and its
//!   credentials predicate each run the match, and a refused origin would
//!   need a third pass to take back what it added;
//! - send nothing to a refused origin: it sends `Access-Control-Allow-Methods`,
//!   `-Allow-Headers` and `-Max-Age` on every `OPTIONS` answer and
//!   `-Expose-Headers` on every other answer, whatever the origin;
//! - treat a request with more than one `Origin` as foreign (it reads the
//!   first one), as the WebSocket check does;
//! - answer a preflight after the layer's framing checks (header limit),
//!   since the preflight answer is made here, inside the layer.
//!
//! The header values are built once, from the policy, when the layer is.
//! [`ExposureCheckLayer`] warns, in debug builds, about response headers
//! scripts cannot read because the policy does not expose them.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::cors::{AllowList, CorsPolicy};
use crate::headers::is_exempt_from_exposure;

/// What the request's `Origin` is to the policy, decided once.
#[derive(Debug, Clone)]
pub(crate) enum OriginVerdict {
    /// No `Origin`: not a cross-origin browser request.
    Absent,
    /// Allowed: the `Access-Control-Allow-Origin` value to send.
    Allowed(HeaderValue),
    /// Refused, or more than one `Origin` (a request has at most one).
    Refused,
}

/// A policy's CORS answers, as header values built once.
#[derive(Debug)]
pub(crate) struct CorsRules {
    policy: CorsPolicy,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
    expose_headers: Option<HeaderValue>,
    max_age: Option<HeaderValue>,
}

/// The `Vary` every response gets: what a cached answer depends on.
const VARY_VALUE: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);
const STAR: HeaderValue = HeaderValue::from_static("*");
const TRUE: HeaderValue = HeaderValue::from_static("true");

fn joined<T: AsRef<str>>(list: &AllowList<T>) -> Option<HeaderValue> {
    match list {
        AllowList::Any => Some(STAR),
        AllowList::Only(items) if items.is_empty() => None,
        AllowList::Only(items) => {
            let text = items
                .iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(",");
            // Methods and header names are tokens: always a valid value.
            HeaderValue::from_str(&text).ok()
        }
    }
}

impl CorsRules {
    pub(crate) fn new(policy: &CorsPolicy) -> CorsRules {
        CorsRules {
            policy: policy.clone(),
            allow_methods: joined(policy.allowed_methods()),
            allow_headers: joined(policy.allowed_headers()),
            expose_headers: joined(policy.exposed_headers()),
            max_age: policy.max_age().map(|age| HeaderValue::from(age.as_secs())),
        }
    }

    /// Matches the request's origin: the one match of the request.
    pub(crate) fn verdict(&self, headers: &HeaderMap) -> OriginVerdict {
        let mut origins = headers.get_all(ORIGIN).iter();
        match (origins.next(), origins.next()) {
            (None, _) => OriginVerdict::Absent,
            (Some(origin), None) if self.policy.allows_origin(origin.as_bytes()) => {
                if self.policy.allows_any_origin() {
                    OriginVerdict::Allowed(STAR)
                } else {
                    // Shares the request's bytes: no allocation.
                    OriginVerdict::Allowed(origin.clone())
                }
            }
            _ => OriginVerdict::Refused,
        }
    }

    /// Whether the request is a CORS preflight (`OPTIONS` with
    /// `Access-Control-Request-Method`).
    pub(crate) fn is_preflight<B>(req: &Request<B>) -> bool {
        req.method() == Method::OPTIONS && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The answer to a preflight: 200 with no body; the policy's lists
    /// only for an allowed origin. [`finish`](Self::finish) adds the rest.
    pub(crate) fn preflight<B: Default>(&self, verdict: &OriginVerdict) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::OK;
        if let OriginVerdict::Allowed(_) = verdict {
            let headers = response.headers_mut();
            if let Some(v) = &self.allow_methods {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v.clone());
            }
            if let Some(v) = &self.allow_headers {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v.clone());
            }
            if let Some(v) = &self.max_age {
                headers.insert(ACCESS_CONTROL_MAX_AGE, v.clone());
            }
        }
        response
    }

    /// Adds the CORS headers to any response (errors included): `Vary`
    /// always; the origin, credentials and exposed headers for an allowed
    /// origin only.
    pub(crate) fn finish(&self, verdict: &OriginVerdict, preflight: bool, headers: &mut HeaderMap) {
        headers.append(VARY, VARY_VALUE);
        let OriginVerdict::Allowed(origin) = verdict else {
            return;
        };
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        if self.policy.allows_credentials() {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        if !preflight {
            if let Some(v) = &self.expose_headers {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, v.clone());
            }
        }
    }
}

/// CORS alone, from a validated policy: preflights answered here, the
/// `Access-Control-*` headers on every other response for an allowed
/// origin, and none at all for a refused one (any status).
///
/// [`WirefaultLayer::cors`](super::WirefaultLayer::cors) does this inside
/// the one layer; use this one only to compose your own stack.
///
/// The policy was validated when it was built, so this cannot fail.
///
/// ```
/// use axum::{routing::get, Router};
/// use wirefault::axum::CorsPolicyLayer;
/// use wirefault::cors::CorsPolicy;
///
/// let policy = CorsPolicy::builder()
///     .allow_origin("https://app.example.com")
///     .allow_methods(["GET", "POST"])
///     .allow_credentials(true)
///     .build()?;
/// let app: Router = Router::new()
///     .route("/notes", get(|| async { "[]" }))
///     .layer(CorsPolicyLayer::new(&policy));
/// # Ok::<(), wirefault::cors::CorsConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CorsPolicyLayer {
    // Shared: axum clones a route's service for every request.
    rules: Arc<CorsRules>,
}

impl CorsPolicyLayer {
    /// The layer for `policy`.
    pub fn new(policy: &CorsPolicy) -> CorsPolicyLayer {
        CorsPolicyLayer {
            rules: Arc::new(CorsRules::new(policy)),
        }
    }
}

impl<S> Layer<S> for CorsPolicyLayer {
    type Service = CorsPolicyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CorsPolicyService {
            inner,
            rules: self.rules.clone(),
        }
    }
}

/// The service of [`CorsPolicyLayer`].
#[derive(Debug, Clone)]
pub struct CorsPolicyService<S> {
    inner: S,
    rules: Arc<CorsRules>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CorsPolicyService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = CorsPolicyFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let verdict = self.rules.verdict(req.headers());
        if CorsRules::is_preflight(&req) {
            let mut response = self.rules.preflight(&verdict);
            self.rules.finish(&verdict, true, response.headers_mut());
            return CorsPolicyFuture {
                inner: None,
                ready: Some(response),
                verdict,
                rules: self.rules.clone(),
            };
        }
        CorsPolicyFuture {
            inner: Some(self.inner.call(req)),
            ready: None,
            verdict,
            rules: self.rules.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`CorsPolicyService`].
    pub struct CorsPolicyFuture<F, B> {
        #[pin]
        inner: Option<F>,
        ready: Option<Response<B>>,
        verdict: OriginVerdict,
        rules: Arc<CorsRules>,
    }
}

impl<F, B> fmt::Debug for CorsPolicyFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsPolicyFuture")
            .field("verdict", &self.verdict)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for CorsPolicyFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Some(response) = this.ready.take() {
            return Poll::Ready(Ok(response));
        }
        let Some(inner) = this.inner.as_pin_mut() else {
            // Polled again after it finished: a caller's bug; pending
            // forever is the safe answer.
            return Poll::Pending;
        };
        let mut response = ready!(inner.poll(cx))?;
        this.rules
            .finish(this.verdict, false, response.headers_mut());
        Poll::Ready(Ok(response))
    }
}

/// In debug builds, warns (`tracing::warn!`, once per header name) about
/// each response header that scripts on another origin cannot read: not
/// CORS-safelisted, not exposed by the policy, and not one of the headers
/// meant for the browser itself
/// ([`BROWSER_ONLY_RESPONSE_HEADERS`](crate::headers::BROWSER_ONLY_RESPONSE_HEADERS)).
/// In release builds it passes responses through untouched, so it can
/// stay in the stack.
///
/// Put it outside the handlers whose headers it should see, e.g.
/// `.layer(ExposureCheckLayer::new(&policy))` next to the CORS layer.
#[derive(Clone)]
pub struct ExposureCheckLayer {
    state: Arc<ExposureState>,
}

struct ExposureState {
    policy: CorsPolicy,
    warned: Mutex<HashSet<HeaderName>>,
}

impl ExposureCheckLayer {
    /// Checks responses against what `policy` exposes.
    pub fn new(policy: &CorsPolicy) -> Self {
        Self {
            state: Arc::new(ExposureState {
                policy: policy.clone(),
                warned: Mutex::new(HashSet::new()),
            }),
        }
    }
}

impl ExposureCheckLayer {
    /// Warns about the headers of one response (debug builds only).
    pub(crate) fn check(&self, headers: &HeaderMap) {
        if cfg!(debug_assertions) {
            self.state.check(headers);
        }
    }
}

impl fmt::Debug for ExposureCheckLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExposureCheckLayer")
            .field("exposed", self.state.policy.exposed_headers())
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for ExposureCheckLayer {
    type Service = ExposureCheckService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ExposureCheckService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of [`ExposureCheckLayer`].
#[derive(Debug, Clone)]
pub struct ExposureCheckService<S> {
    inner: S,
    layer: ExposureCheckLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ExposureCheckService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ExposureCheckFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        ExposureCheckFuture {
            inner: self.inner.call(req),
            layer: self.layer.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`ExposureCheckService`].
    pub struct ExposureCheckFuture<F> {
        #[pin]
        inner: F,
        layer: ExposureCheckLayer,
    }
}

impl<F> fmt::Debug for ExposureCheckFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExposureCheckFuture")
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ExposureCheckFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        this.layer.check(response.headers());
        Poll::Ready(Ok(response))
    }
}

impl ExposureState {
    fn check(&self, headers: &HeaderMap) {
        for name in headers.keys() {
            if is_exempt_from_exposure(name) || self.policy.exposes(name) {
                continue;
            }
            let first_time = {
                let mut warned = self
                    .warned
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                // A name is cloned (allocated, if custom) the first time only.
                !warned.contains(name) && warned.insert(name.clone())
            };
            if first_time {
                tracing::warn!(
                    header = %name,
                    "response header `{name}` is not exposed by the CORS policy: scripts on \
                     other origins cannot read it; declare it in the HeaderRegistry \
                     (CorsPolicyBuilder::expose_registry) or add it to expose_headers"
                );
            }
        }
    }
}
