//! `/debug/*`: routes that fail on purpose (with `--fault-routes`), so a
//! browser, a test or the auditor can see each failure rendered.

use std::time::Duration;
use wirefault::Fault;

/// `GET /debug/panic`: the handler panics; the client gets a 500 that
/// shows nothing of it.
pub async fn panic() -> &'static str {
    panic!("debug panic: the secret is in /home/app/src/debug.rs");
}

/// `GET /debug/unavailable`: 503 with `Retry-After`.
pub async fn unavailable() -> Fault {
    Fault::unavailable(Duration::from_secs(30)).detail("maintenance window (debug route)")
}

/// `GET /debug/bad-gateway`: 502; the upstream's error goes to the log only.
pub async fn bad_gateway() -> Fault {
    Fault::bad_gateway().with_source(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "upstream 10.0.0.7:5432 refused the connection",
    ))
}
