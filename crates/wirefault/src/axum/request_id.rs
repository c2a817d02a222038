//! `X-Request-Id`: kept when the client sent a valid one (if trusted),
//! made otherwise, echoed on every response, and readable anywhere inside
//! the layer with [`RequestId::current`].
//!
//! Written by hand rather than with tower-http's `SetRequestId` and
//! `PropagateRequestId`: those store the id in the request's extensions
//! (two allocations per request) and keep any id the client sent, valid
//! or not; here the id lives in the request header and in the layer's
//! future only.

use super::current::{self, RequestContext};
use http::header::{Entry, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tower::{Layer, Service};

/// The request id header.
pub const REQUEST_ID: HeaderName = crate::spec::REQUEST_ID;

/// The id of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of the request this task is serving: anywhere inside a
    /// [`WirefaultLayer`](super::WirefaultLayer) or a [`RequestIdLayer`]
    /// (handlers, extractors, `IntoResponse`), `None` elsewhere (for
    /// example in a task the handler spawned).
    pub fn current() -> Option<RequestId> {
        current::with(|ctx| {
            ctx.and_then(|ctx| ctx.request_id.to_str().ok())
                .map(|id| RequestId(id.to_owned()))
        })
    }

    /// Whether `id` is acceptable from a client: 1 to 128 characters of
    /// `[A-Za-z0-9._-]`. Anything else is replaced, so a client cannot
    /// inject text into logs or problem bodies.
    pub fn is_valid(id: &[u8]) -> bool {
        crate::spec::is_valid_request_id(id)
    }

    /// Calls `f` with the current request id, borrowed (no allocation).
    pub(crate) fn with_current<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
        current::with(|ctx| f(ctx.and_then(|ctx| ctx.request_id.to_str().ok())))
    }
}

/// How request ids are read and made: the header's name, and whether a
/// client's valid id is kept.
#[derive(Debug, Clone)]
pub(crate) struct RequestIdRule {
    pub(crate) header: HeaderName,
    pub(crate) trust_client: bool,
}

impl Default for RequestIdRule {
    fn default() -> Self {
        RequestIdRule {
            header: REQUEST_ID,
            trust_client: true,
        }
    }
}

impl RequestIdRule {
    /// The request's id: the client's single valid one when trusted, else
    /// a new UUID v4, which is written into the request's headers (so
    /// handlers read it there too). Two ids from the client: neither is
    /// trusted.
    pub(crate) fn assign(&self, headers: &mut HeaderMap) -> HeaderValue {
        // One lookup (`entry`): hashing a custom header name is most of
        // what this costs.
        match headers.entry(&self.header) {
            Entry::Occupied(mut entry) => {
                let mut ids = entry.iter();
                if let (Some(one), None) = (ids.next(), ids.next()) {
                    if self.trust_client && RequestId::is_valid(one.as_bytes()) {
                        // A clone shares the bytes hyper read: no allocation.
                        return one.clone();
                    }
                }
                let id = new_uuid();
                // Replaces every value the client sent.
                entry.insert(id.clone());
                id
            }
            Entry::Vacant(entry) => {
                let id = new_uuid();
                entry.insert(id.clone());
                id
            }
        }
    }
}

/// A UUID v4, made straight into a header value: one allocation, whose
/// clones (request header, response header) share it. (`from_bytes`
/// would copy into a buffer that its first clone copies again.)
pub(crate) fn new_uuid() -> HeaderValue {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
    HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(buf))
        // A hyphenated UUID is always a valid header value.
        .unwrap_or_else(|_| HeaderValue::from_static("-"))
}

/// Sets the request id alone: keeps the client's valid `X-Request-Id`
/// (or makes a UUID v4), echoes it on the response, and makes it
/// [`RequestId::current`] while the inner service runs.
///
/// [`WirefaultLayer`](super::WirefaultLayer) does this and the rest; use
/// this one only to compose your own stack.
#[derive(Debug, Clone, Default)]
pub struct RequestIdLayer {
    rule: RequestIdRule,
}

impl RequestIdLayer {
    /// `X-Request-Id`, client ids trusted when valid.
    pub fn new() -> RequestIdLayer {
        RequestIdLayer::default()
    }

    /// Another header name.
    pub fn header(mut self, name: HeaderName) -> RequestIdLayer {
        self.rule.header = name;
        self
    }

    /// Whether a client's valid id is kept (`true` by default); `false`
    /// makes a new id for every request.
    pub fn trust_client(mut self, trust: bool) -> RequestIdLayer {
        self.rule.trust_client = trust;
        self
    }
}

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestIdService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestIdService {
            inner,
            rule: self.rule.clone(),
        }
    }
}

/// The service of [`RequestIdLayer`].
#[derive(Debug, Clone)]
pub struct RequestIdService<S> {
    inner: S,
    rule: RequestIdRule,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestIdService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = RequestIdFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let id = self.rule.assign(req.headers_mut());
        let mut context = Some(RequestContext {
            request_id: id,
            close_codes: None,
        });
        let inner = current::lend(&mut context, || self.inner.call(req));
        RequestIdFuture {
            inner,
            context,
            header: self.rule.header.clone(),
        }
    }
}

pin_project! {
    /// The response future of [`RequestIdService`].
    pub struct RequestIdFuture<F> {
        #[pin]
        inner: F,
        context: Option<RequestContext>,
        header: HeaderName,
    }
}

impl<F> std::fmt::Debug for RequestIdFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestIdFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for RequestIdFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        let mut response = ready!(current::lend(this.context, || inner.poll(cx)))?;
        if let Some(context) = this.context.take() {
            response
                .headers_mut()
                .insert(this.header.clone(), context.request_id);
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn request_id_validation() {
        assert!(RequestId::is_valid(b"abc-123_x.y"));
        assert!(RequestId::is_valid(&[b'a'; 128]));
        assert!(!RequestId::is_valid(&[b'a'; 129]));
        assert!(!RequestId::is_valid(b""));
        assert!(!RequestId::is_valid(b"a b"));
        assert!(!RequestId::is_valid(b"<script>"));
        assert!(!RequestId::is_valid("é".as_bytes()));
    }

    #[test]
    fn client_ids_kept_only_when_valid_and_single() {
        let rule = RequestIdRule::default();
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("abc"));
        assert_eq!(rule.assign(&mut headers), "abc");

        headers.append(REQUEST_ID, HeaderValue::from_static("def"));
        let made = rule.assign(&mut headers);
        assert_eq!(made.len(), 36);
        assert_eq!(headers.get_all(REQUEST_ID).iter().count(), 1);

        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("a b"));
        assert_ne!(rule.assign(&mut headers), "a b");

        let untrusting = RequestIdRule {
            trust_client: false,
            ..RequestIdRule::default()
        };
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("abc"));
        assert_ne!(untrusting.assign(&mut headers), "abc");
    }
}
