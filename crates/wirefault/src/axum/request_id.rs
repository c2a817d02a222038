//! `X-Request-Id`: kept when the client sent a valid one, made otherwise,
//! and echoed on every response (tower-http's request-id layers).

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::header::{HeaderName, HeaderValue};
use std::any::Any;
use std::convert::Infallible;
use tower::layer::util::{Identity, Stack};
use tower::util::MapRequestLayer;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, SetRequestIdLayer};

use super::problem_layer::{panic_response, ProblemLayer};

/// The request id header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    // A header value, not a String: cloning it per request costs no
    // allocation; it becomes a String only when a fault is rendered.
    static CURRENT: HeaderValue;
}

/// The id of the request being served, inside [`ProblemLayer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of the request this task is serving, if it runs inside a
    /// [`ProblemLayer`].
    pub fn current() -> Option<RequestId> {
        CURRENT
            .try_with(|id| id.to_str().ok().map(|id| RequestId(id.to_owned())))
            .ok()
            .flatten()
    }

    /// Whether `id` is acceptable from a client: 1 to 128 characters of
    /// `[A-Za-z0-9._-]`. Anything else is replaced, so a client cannot
    /// inject text into logs or problem bodies.
    pub fn is_valid(id: &[u8]) -> bool {
        (1..=128).contains(&id.len())
            && id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    }

    /// Calls `f` with the current request id, borrowed (a header value
    /// clone shares its bytes: no allocation).
    pub(crate) fn with_current<R>(f: impl FnOnce(Option<&str>) -> R) -> R {
        let id = CURRENT.try_with(HeaderValue::clone).ok();
        f(id.as_ref().and_then(|id| id.to_str().ok()))
    }

    pub(crate) async fn scope<F: std::future::Future>(id: HeaderValue, f: F) -> F::Output {
        CURRENT.scope(id, f).await
    }
}

fn drop_invalid_request_id(mut req: Request) -> Request {
    let mut ids = req.headers().get_all(&REQUEST_ID).iter();
    let valid = match (ids.next(), ids.next()) {
        (None, _) => true,
        (Some(one), None) => RequestId::is_valid(one.as_bytes()),
        // Two ids: neither is trusted.
        (Some(_), Some(_)) => false,
    };
    if !valid {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

/// Makes a UUID v4 request id straight into a header value (tower-http's
/// `MakeRequestUuid` goes through a `String` first).
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeRequestUuidV4;

impl MakeRequestId for MakeRequestUuidV4 {
    fn make_request_id<B>(
        &mut self,
        _: &http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let id = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
        HeaderValue::from_str(id)
            .ok()
            .map(tower_http::request_id::RequestId::new)
    }
}

/// The request-id layers as one layer: drop an invalid client id, set one
/// when missing (tower-http's `SetRequestId`, UUID v4), echo it on the
/// response (`PropagateRequestId`). Outermost, so CORS preflights get it.
pub type RequestIdLayer = Stack<
    PropagateRequestIdLayer,
    Stack<
        SetRequestIdLayer<MakeRequestUuidV4>,
        Stack<MapRequestLayer<fn(Request) -> Request>, Identity>,
    >,
>;

/// The error layers as one layer: [`ProblemLayer`] outside tower-http's
/// `CatchPanic`, whose 500 shows nothing of the panic.
pub type ErrorLayer =
    Stack<CatchPanicLayer<fn(Box<dyn Any + Send>) -> Response>, Stack<ProblemLayer, Identity>>;

/// The [`RequestIdLayer`], for a `tower::ServiceBuilder`.
///
/// tower-http's `SetRequestId` keeps any id the client sent; the small
/// synchronous map in front of it drops ids that are not
/// [valid](RequestId::is_valid).
pub fn request_id_layer() -> RequestIdLayer {
    ServiceBuilder::new()
        .layer(MapRequestLayer::new(
            drop_invalid_request_id as fn(Request) -> Request,
        ))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuidV4))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .into_inner()
}

/// The [`ErrorLayer`], for a `tower::ServiceBuilder`.
pub fn error_layer(problems: ProblemLayer) -> ErrorLayer {
    ServiceBuilder::new()
        .layer(problems)
        .layer(CatchPanicLayer::custom(
            panic_response as fn(Box<dyn Any + Send>) -> Response,
        ))
        .into_inner()
}

/// Puts `layer` around the whole of `router`, 404s and 405s included.
///
/// Unlike `Router::layer`, which wraps every route and boxes the stack
/// again each time (each request then clones the boxes one inside the
/// other), the router becomes one service inside the layer.
pub fn around<L>(router: Router, layer: L) -> Router
where
    L: Layer<Router>,
    L::Service: Service<Request, Error = Infallible> + Clone + Send + Sync + 'static,
    <L::Service as Service<Request>>::Response: IntoResponse,
    <L::Service as Service<Request>>::Future: Send + 'static,
{
    Router::new().fallback_service(layer.layer(router))
}

/// Wraps `router` so every request has an `X-Request-Id` (the client's
/// when valid, else a new UUID) and every response echoes it. Apply it
/// last, so it is outermost and covers CORS preflights too.
pub fn request_id_layers(router: Router) -> Router {
    around(router, request_id_layer())
}

/// Wraps `router` in the error stack: panics are caught (tower-http's
/// `CatchPanic`) and become a 500 whose body shows nothing of the panic,
/// and [`ProblemLayer`] turns every error response into problem+json.
pub fn error_layers(router: Router, problems: ProblemLayer) -> Router {
    around(router, error_layer(problems))
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
}
