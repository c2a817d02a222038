//! The rules of the wires, stated once: the library enforces them and
//! `wirefault audit` checks running services against them, so the two
//! sides cannot disagree.
//!
//! ```
//! use http::StatusCode;
//! use wirefault::spec;
//!
//! assert!(spec::close_code_is_sendable(4404));
//! assert!(!spec::close_code_is_sendable(1006));
//! assert_eq!(spec::MAX_REASON_BYTES, 123);
//! assert_eq!(spec::required_headers(StatusCode::TOO_MANY_REQUESTS), [http::header::RETRY_AFTER]);
//! assert!(spec::is_browser_only_header("x-frame-options"));
//! assert!(spec::needs_exposing("ETag") && spec::needs_exposing("x-request-id"));
//! assert!(!spec::needs_exposing("content-type") && !spec::needs_exposing("x-accel-buffering"));
//! assert_eq!(spec::Origin::parse("https://App.Example.com:443").unwrap().as_str(), "https://app.example.com");
//! ```

use http::header::HeaderName;
use http::StatusCode;

pub use crate::close::MAX_REASON_BYTES;
pub use crate::cors::{Origin, OriginError};
pub use crate::headers::{BROWSER_ONLY_RESPONSE_HEADERS, CORS_SAFELISTED_RESPONSE_HEADERS};
pub use crate::problem::PROBLEM_JSON;

/// The request-id header: every response carries it, every problem names
/// its value.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's request id is kept when it matches this (1 to 128 of
/// `[A-Za-z0-9._-]`, so it cannot inject text into logs or problem
/// bodies); see [`is_valid_request_id`].
pub const REQUEST_ID_PATTERN: &str = "^[A-Za-z0-9._-]{1,128}$";

/// Whether `id` matches [`REQUEST_ID_PATTERN`].
pub fn is_valid_request_id(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The event name of the error event that ends a failed Server-Sent
/// Events stream.
pub const SSE_ERROR_EVENT: &str = "error";

/// Whether an endpoint may put `code` in a close frame it sends, and
/// common peers accept it (see [`crate::CloseCode::is_sendable`]).
pub const fn close_code_is_sendable(code: u16) -> bool {
    crate::close::is_sendable_code(code)
}

/// The headers an HTTP response with `status` must carry besides
/// `Content-Type` (RFC 9110 §15): `WWW-Authenticate` on 401, `Allow` on
/// 405, `Upgrade` on 426, `Retry-After` on 429 and 503 (a SHOULD in
/// RFC 6585 and RFC 9110, which wirefault always honours). Read from the
/// mapping table's required-headers column; none for a status the table
/// does not list.
pub fn required_headers(status: StatusCode) -> &'static [HeaderName] {
    crate::Kind::from_status(status).map_or(&[], crate::Kind::required_headers)
}

/// Whether `name` (any case) is a response header that only the browser
/// or an intermediary reads, never a page's script, so it needs no
/// `Access-Control-Expose-Headers` entry.
pub fn is_browser_only_header(name: &str) -> bool {
    BROWSER_ONLY_RESPONSE_HEADERS
        .iter()
        .any(|(h, _)| h.eq_ignore_ascii_case(name))
}

/// Whether a script on another origin can read response header `name`
/// (any case) only when it is listed in `Access-Control-Expose-Headers`:
/// it is not CORS-safelisted ([`CORS_SAFELISTED_RESPONSE_HEADERS`]), not
/// part of the CORS protocol (`Access-Control-*`), and not one that only
/// the browser, the connection or an intermediary reads
/// ([`BROWSER_ONLY_RESPONSE_HEADERS`]: `Date`, `X-Frame-Options`,
/// `X-Accel-Buffering`...). The one predicate behind the debug exposure
/// check and `wirefault audit`'s WF-CORS-007.
pub fn needs_exposing(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !(lower.starts_with("access-control-")
        || CORS_SAFELISTED_RESPONSE_HEADERS
            .iter()
            .any(|h| h.as_str() == lower)
        || is_browser_only_header(&lower))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_needs_exposing() {
        for name in ["ETag", "Location", "Retry-After", "Link", "x-request-id"] {
            assert!(needs_exposing(name), "{name}");
        }
        for name in [
            "Content-Type",
            "cache-control",
            "Access-Control-Allow-Origin",
            "Date",
            "X-Frame-Options",
            "X-Accel-Buffering",
            "set-cookie",
        ] {
            assert!(!needs_exposing(name), "{name}");
        }
    }

    #[test]
    fn required_headers_match_what_faults_send() {
        for kind in crate::Kind::ALL {
            // 405 and 426 need their constructor's argument.
            let fault = match kind {
                crate::Kind::MethodNotAllowed => {
                    crate::Fault::method_not_allowed([http::Method::GET])
                }
                crate::Kind::UpgradeRequired => crate::Fault::upgrade_required("websocket"),
                _ => crate::Fault::new(*kind),
            };
            let sent = fault.http_headers();
            for name in required_headers(kind.status()) {
                assert!(sent.contains_key(name), "{kind:?} lacks {name}");
            }
        }
    }
}
