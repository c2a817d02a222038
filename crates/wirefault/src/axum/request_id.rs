//! `X-Request-Id`: kept when the client sent a valid one, made otherwise,
//! and echoed on every response (tower-http's request-id layers).

use axum::extract::Request;
use axum::Router;
use http::header::{HeaderName, HeaderValue};
use tower::util::MapRequestLayer;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

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

/// Wraps `router` so every request has an `X-Request-Id` (the client's
/// when valid, else a new UUID) and every response echoes it. Apply it
/// last, so it is outermost and covers CORS preflights too.
///
/// tower-http's `SetRequestId` keeps any id the client sent; the small
/// synchronous map in front of it drops ids that are not
/// [valid](RequestId::is_valid). The three layers are applied as one
/// (`Router::layer` boxes each layer it is given).
pub fn request_id_layers<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(
        ServiceBuilder::new()
            .layer(MapRequestLayer::new(drop_invalid_request_id))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}

/// Wraps `router` in the error stack: panics are caught (tower-http's
/// `CatchPanic`) and become a 500 whose body shows nothing of the panic,
/// and [`ProblemLayer`] turns every error response into problem+json.
pub fn error_layers<S>(router: Router<S>, problems: ProblemLayer) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(
        ServiceBuilder::new()
            .layer(problems)
            .layer(CatchPanicLayer::custom(panic_response)),
    )
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
