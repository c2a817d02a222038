//! CORS for axum: tower-http's `CorsLayer`, configured from a validated
//! [`CorsPolicy`], plus the two things it cannot do.
//!
//! What tower-http does (enforcement): `Access-Control-Allow-Origin` from
//! [`AllowOrigin::predicate`] calling the policy's constant-time matcher,
//! explicit method, header and exposed-header lists, credentials, max-age,
//! short-circuiting preflights, and `Vary: origin,
//! access-control-request-method, access-control-request-headers` on every
//! response, preflight or not. The list is set explicitly: tower-http 0.7
//! leaves `Origin` out for `*`, but [`CorsPolicyService`] answers with or
//! without CORS headers depending on `Origin`, so every answer varies on it.
//!
//! What is written here, and why:
//! - tower-http sends `Access-Control-Allow-Methods`, `-Allow-Headers`,
//!   `-Max-Age` on every `OPTIONS` answer and `-Expose-Headers` on every
//!   other answer, whatever the origin. [`CorsPolicyService`] removes all
//!   `Access-Control-*` headers when the request's `Origin` is absent or
//!   not allowed, so a refused origin learns nothing about the policy.
//! - [`ExposureCheckLayer`] warns, in debug builds, about response headers
//!   scripts cannot read because the policy does not expose them.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};

use http::header::ORIGIN;
use http::{HeaderMap, HeaderName, Request, Response};
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tower_http::cors::{
    AllowCredentials, AllowHeaders, AllowMethods, AllowOrigin, Cors, ExposeHeaders,
};

use crate::cors::{AllowList, CorsPolicy};
use crate::headers::is_exempt_from_exposure;

/// Builds the CORS layer for `policy`.
///
/// The policy was validated when it was built, so this cannot fail and
/// never panics (tower-http's own checks would only panic on combinations
/// the policy already refused).
///
/// ```
/// use axum::{routing::get, Router};
/// use wirefault::cors::CorsPolicy;
///
/// let policy = CorsPolicy::builder()
///     .allow_origin("https://app.example.com")
///     .allow_methods(["GET", "POST"])
///     .allow_credentials(true)
///     .build()?;
/// let app: Router = Router::new()
///     .route("/notes", get(|| async { "[]" }))
///     .layer(wirefault::axum::cors_layer(&policy));
/// # Ok::<(), wirefault::cors::CorsConfigError>(())
/// ```
pub fn cors_layer(policy: &CorsPolicy) -> CorsPolicyLayer {
    CorsPolicyLayer {
        inner: tower_http_layer(policy),
        policy: Arc::new(policy.clone()),
    }
}

fn tower_http_layer(policy: &CorsPolicy) -> tower_http::cors::CorsLayer {
    let allow = {
        let policy = policy.clone();
        move |origin: &http::HeaderValue, _: &http::request::Parts| policy.allows_origin(origin)
    };
    let origin = if policy.allows_any_origin() {
        AllowOrigin::any()
    } else if policy.mirrors_request_origin() {
        AllowOrigin::mirror_request()
    } else {
        AllowOrigin::predicate(allow.clone())
    };
    let mut layer = tower_http::cors::CorsLayer::new()
        .vary(tower_http::cors::preflight_request_headers().collect::<Vec<_>>())
        .allow_origin(origin)
        .allow_methods(match policy.allowed_methods() {
            AllowList::Any => AllowMethods::any(),
            AllowList::Only(methods) => AllowMethods::list(methods.iter().cloned()),
        })
        .allow_headers(match policy.allowed_headers() {
            AllowList::Any => AllowHeaders::any(),
            AllowList::Only(names) => AllowHeaders::list(names.iter().cloned()),
        })
        .expose_headers(match policy.exposed_headers() {
            AllowList::Any => ExposeHeaders::any(),
            AllowList::Only(names) => ExposeHeaders::list(names.iter().cloned()),
        });
    if policy.allows_credentials() {
        // `allow_credentials(true)` would send `Access-Control-Allow-Credentials:
        // true` on every response, refused origins included; the predicate
        // form sends it only next to an allowed origin. (tower-http skips
        // its wildcard checks for a predicate; the policy already made
        // them.)
        layer = layer.allow_credentials(AllowCredentials::predicate(allow));
    }
    if let Some(max_age) = policy.max_age() {
        layer = layer.max_age(max_age);
    }
    layer
}

/// The layer [`cors_layer`] returns: tower-http's `CorsLayer` built from a
/// policy, which also removes every `Access-Control-*` header from answers
/// to refused origins.
#[derive(Debug, Clone)]
pub struct CorsPolicyLayer {
    inner: tower_http::cors::CorsLayer,
    // Shared: axum clones a route's service for every request.
    policy: Arc<CorsPolicy>,
}

impl CorsPolicyLayer {
    /// tower-http's layer alone, without the removal of `Access-Control-*`
    /// headers for refused origins (it then answers every `OPTIONS` with
    /// the allowed methods and headers).
    pub fn into_tower_http(self) -> tower_http::cors::CorsLayer {
        self.inner
    }
}

impl<S> Layer<S> for CorsPolicyLayer {
    type Service = CorsPolicyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CorsPolicyService {
            inner: self.inner.layer(inner),
            policy: self.policy.clone(),
        }
    }
}

/// The service of [`CorsPolicyLayer`].
#[derive(Debug, Clone)]
pub struct CorsPolicyService<S> {
    inner: Cors<S>,
    policy: Arc<CorsPolicy>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CorsPolicyService<S>
where
    Cors<S>: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = <Cors<S> as Service<Request<ReqBody>>>::Error;
    type Future = CorsPolicyFuture<<Cors<S> as Service<Request<ReqBody>>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        let allowed = req
            .headers()
            .get(ORIGIN)
            .is_some_and(|origin| self.policy.allows_origin(origin));
        CorsPolicyFuture {
            inner: self.inner.call(req),
            strip: !allowed,
        }
    }
}

pin_project! {
    /// The response future of [`CorsPolicyService`].
    pub struct CorsPolicyFuture<F> {
        #[pin]
        inner: F,
        strip: bool,
    }
}

impl<F> fmt::Debug for CorsPolicyFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsPolicyFuture")
            .field("strip", &self.strip)
            .finish_non_exhaustive()
    }
}

impl<F, B, E> Future for CorsPolicyFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if *this.strip {
            remove_cors_headers(response.headers_mut());
        }
        Poll::Ready(Ok(response))
    }
}

fn remove_cors_headers(headers: &mut HeaderMap) {
    let names: Vec<HeaderName> = headers
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        headers.remove(name);
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
        if cfg!(debug_assertions) {
            this.layer.state.check(response.headers());
        }
        Poll::Ready(Ok(response))
    }
}

impl ExposureState {
    fn check(&self, headers: &HeaderMap) {
        for name in headers.keys() {
            if is_exempt_from_exposure(name) || self.policy.exposes(name) {
                continue;
            }
            let first_time = self
                .warned
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(name.clone());
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
