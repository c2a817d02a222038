//! The `Origin` check of a WebSocket handshake.
//!
//! Browsers apply no CORS to WebSockets: any page can open a socket to any
//! server, and the handshake carries the user's cookies. The only defence
//! against cross-site WebSocket hijacking is the server checking `Origin`
//! before it upgrades ([RFC 6455 §10.2]). This check uses the same
//! allowlist as CORS, so the two cannot drift apart.
//!
//! [RFC 6455 §10.2]: https://www.rfc-editor.org/rfc/rfc6455#section-10.2

use http::{header::ORIGIN, HeaderMap, StatusCode};

use super::origin::is_visible_ascii;
use super::policy::CorsPolicy;

/// A WebSocket handshake refused because of its `Origin`.
///
/// Answer it with [`status`](Self::status) (403) before the upgrade.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the origin {origin:?} may not open a WebSocket here")]
pub struct OriginRejected {
    origin: String,
}

impl OriginRejected {
    /// The refused `Origin` value (lossy UTF-8; several values joined by
    /// `, ` when the request had more than one `Origin` header).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The status to answer with: `403 Forbidden`.
    pub fn status(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }
}

/// The 403 for a refused handshake, naming the origin.
impl From<OriginRejected> for crate::Fault {
    fn from(rejected: OriginRejected) -> crate::Fault {
        crate::Fault::permission_denied(format!(
            "origin {} may not open a WebSocket session here",
            rejected.origin
        ))
    }
}

impl CorsPolicy {
    /// Checks a WebSocket handshake's `Origin` against the policy's
    /// allowlist.
    ///
    /// - No `Origin` header: allowed. Browsers always send one, so the
    ///   client is not a browser, and origin checks cannot protect
    ///   against it anyway (authenticate it instead).
    /// - An allowed origin: allowed.
    /// - Anything else, `null` included unless listed, or more than one
    ///   `Origin` header: refused.
    ///
    /// A policy that allows any origin (`*`) or mirrors it allows every
    /// handshake too: when the socket authenticates with cookies, list the
    /// origins instead.
    ///
    /// ```
    /// use http::{header::ORIGIN, HeaderMap, HeaderValue};
    /// use wirefault::cors::CorsPolicy;
    ///
    /// let policy = CorsPolicy::builder().allow_origin("https://app.example.com").build()?;
    /// let mut headers = HeaderMap::new();
    /// assert!(policy.check_websocket_origin(&headers).is_ok());
    ///
    /// headers.insert(ORIGIN, HeaderValue::from_static("https://evil.example"));
    /// let rejected = policy.check_websocket_origin(&headers).unwrap_err();
    /// assert_eq!(rejected.status(), 403);
    /// # Ok::<(), wirefault::cors::CorsConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`OriginRejected`] when the handshake must be refused with 403.
    pub fn check_websocket_origin(&self, headers: &HeaderMap) -> Result<(), OriginRejected> {
        check_origin_header(headers, |origin| self.allows_origin(origin))
    }
}

/// The handshake's `Origin` rule, stated once for every allowlist: no
/// `Origin` header passes (not a browser), exactly one passes when it is
/// visible ASCII and `allowed` accepts its bytes, anything else (several
/// headers, any other byte, a refused value) is refused.
pub(crate) fn check_origin_header(
    headers: &HeaderMap,
    allowed: impl Fn(&[u8]) -> bool,
) -> Result<(), OriginRejected> {
    let mut values = headers.get_all(ORIGIN).iter();
    let Some(first) = values.next() else {
        return Ok(());
    };
    let more: Vec<_> = values.collect();
    if more.is_empty() && is_visible_ascii(first.as_bytes()) && allowed(first.as_bytes()) {
        return Ok(());
    }
    let origin = std::iter::once(first)
        .chain(more)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    Err(OriginRejected { origin })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use http::HeaderValue;

    use super::*;

    fn headers(origins: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for o in origins {
            h.append(ORIGIN, HeaderValue::from_bytes(o).unwrap());
        }
        h
    }

    #[test]
    fn checks_like_cors() {
        let p = CorsPolicy::builder()
            .allow_origin("https://app.example.com")
            .allow_origin_patterns(["https://*.t.example.com"])
            .allow_credentials(true)
            .build()
            .unwrap();
        assert!(p.check_websocket_origin(&headers(&[])).is_ok());
        assert!(p
            .check_websocket_origin(&headers(&[b"https://app.example.com"]))
            .is_ok());
        assert!(p
            .check_websocket_origin(&headers(&[b"https://x.t.example.com"]))
            .is_ok());
        for bad in [
            &b"null"[..],
            b"https://evil.example",
            b"https://app.example.com.evil.net",
            b"https://t.example.com",
            b"",
            b"https://app.example.com\xff",
            "https://\u{ff41}pp.example.com".as_bytes(),
            "https://app.example.com\u{feff}".as_bytes(),
            "https://app\u{3002}example.com".as_bytes(),
        ] {
            let e = p.check_websocket_origin(&headers(&[bad])).unwrap_err();
            assert_eq!(e.status(), StatusCode::FORBIDDEN);
        }
        let e = p
            .check_websocket_origin(&headers(&[
                b"https://app.example.com",
                b"https://evil.example",
            ]))
            .unwrap_err();
        assert_eq!(e.origin(), "https://app.example.com, https://evil.example");
    }

    #[test]
    fn null_when_listed_without_credentials() {
        let p = CorsPolicy::builder().allow_origin("null").build().unwrap();
        assert!(p.check_websocket_origin(&headers(&[b"null"])).is_ok());
    }
}
