//! `/debug/*`: routes that fail on purpose (with `--fault-routes`), so a
//! browser, a test or the auditor can see each failure rendered.

use axum::http::Uri;
use std::time::Duration;
use wirefault::Fault;

wirefault::fault_responses! {
    /// `GET /debug/unavailable`'s answer.
    pub struct UnavailableResponses = [Unavailable];
}

wirefault::fault_responses! {
    /// `GET /debug/bad-gateway`'s answer.
    pub struct BadGatewayResponses = [BadGateway];
}

/// `GET /debug/panic`: the handler panics; the client gets a 500 that
/// shows nothing of it.
#[utoipa::path(get, path = "/debug/panic", tag = "debug", responses())]
pub async fn panic() -> &'static str {
    panic!("debug panic: the secret is in /home/app/src/debug.rs");
}

/// `GET /debug/unavailable`: 503 with `Retry-After`.
#[utoipa::path(
    get,
    path = "/debug/unavailable",
    tag = "debug",
    responses(UnavailableResponses)
)]
pub async fn unavailable() -> Fault {
    Fault::unavailable(Duration::from_secs(30)).detail("maintenance window (debug route)")
}

/// `GET /debug/bad-gateway`: 502; the upstream's error goes to the log only.
#[utoipa::path(
    get,
    path = "/debug/bad-gateway",
    tag = "debug",
    responses(BadGatewayResponses)
)]
pub async fn bad_gateway() -> Fault {
    Fault::bad_gateway().with_source(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "upstream 10.0.0.7:5432 refused the connection",
    ))
}

/// `/debug/*` when the service runs without `--fault-routes`: a 404 that
/// says how to turn them on.
pub async fn off(uri: Uri) -> Fault {
    Fault::not_found(format!(
        "no resource at {}: the /debug routes are off; start wirefault-demo with --fault-routes",
        uri.path()
    ))
}
