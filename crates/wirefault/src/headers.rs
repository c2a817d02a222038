//! The custom-header registry: declare each custom response header once.
//!
//! ```
//! use wirefault::cors::CorsPolicy;
//! use wirefault::headers::HeaderRegistry;
//!
//! let mut registry = HeaderRegistry::new();
//! let request_id = registry.register("X-Request-Id")?;
//! registry.register("X-RateLimit-Remaining")?;
//! // A header from a published standard keeps its name, without `X-`.
//! registry.register_standard("RateLimit-Policy")?;
//!
//! let policy = CorsPolicy::builder()
//!     .allow_origin("https://app.example.com")
//!     .expose_registry(&registry)
//!     .build()?;
//! assert!(policy.exposes(&request_id));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Details:
//! - [`HeaderRegistry::register`] wants the `X-` prefix: a custom header
//!   that is not standardized is easy to tell apart that way. Headers that
//!   follow a published standard go through
//!   [`HeaderRegistry::register_standard`], since [RFC 6648] advises
//!   standards against the prefix.
//! - Invalid names, duplicates, CORS-safelisted names (already readable)
//!   and `Set-Cookie` (never readable) are errors, not panics.
//! - [`CorsPolicyBuilder::expose_registry`] puts every declared name in
//!   `Access-Control-Expose-Headers`, so a declared header is always
//!   readable by the browser.
//! - With the `axum` feature, debug builds can warn about response headers
//!   a script could not read (`wirefault::axum::ExposureCheckLayer`).
//!
//! [RFC 6648]: https://www.rfc-editor.org/rfc/rfc6648
//! [`CorsPolicyBuilder::expose_registry`]: crate::cors::CorsPolicyBuilder::expose_registry

use http::header::{self, HeaderName};

/// Why a header could not be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderRegistryError {
    /// Not a valid header name (RFC 9110 token).
    #[error("{name:?} is not a header name: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A custom header without the `X-` prefix.
    #[error(
        "custom header {name:?} does not start with `X-`; if it follows a published standard \
         (RFC 6648 discourages the prefix there), use `register_standard`"
    )]
    MissingXPrefix {
        /// The name as given.
        name: String,
    },
    /// Registered twice.
    #[error("{name:?} is already registered")]
    Duplicate {
        /// The name as given.
        name: String,
    },
    /// A CORS-safelisted header, which browsers already expose.
    #[error("{name:?} is CORS-safelisted: browsers already let scripts read it")]
    Safelisted {
        /// The name as given.
        name: String,
    },
    /// `Set-Cookie`, which browsers never let scripts read.
    #[error("{name:?} can never be read by scripts, exposed or not")]
    NeverExposed {
        /// The name as given.
        name: String,
    },
}

/// The application's custom response headers, declared once.
///
/// See the [module docs](self) for an example.
#[derive(Debug, Clone, Default)]
pub struct HeaderRegistry {
    names: Vec<HeaderName>,
}

impl HeaderRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a custom header, which must start with `X-`, and returns
    /// its name for use in responses.
    ///
    /// # Errors
    ///
    /// [`HeaderRegistryError`] for an invalid or duplicate name, a name
    /// without `X-`, a safelisted name or `Set-Cookie`.
    pub fn register(&mut self, name: &str) -> Result<HeaderName, HeaderRegistryError> {
        let header = parse(name)?;
        let bare = header.as_str().strip_prefix("x-").unwrap_or_default();
        if bare.is_empty() {
            return Err(HeaderRegistryError::MissingXPrefix { name: name.into() });
        }
        self.insert(name, header)
    }

    /// Declares a header defined by a published standard (for example
    /// `RateLimit-Policy`), which keeps its name without `X-`.
    ///
    /// # Errors
    ///
    /// [`HeaderRegistryError`] for an invalid or duplicate name, a
    /// safelisted name or `Set-Cookie`.
    pub fn register_standard(&mut self, name: &str) -> Result<HeaderName, HeaderRegistryError> {
        let header = parse(name)?;
        self.insert(name, header)
    }

    /// [`register`](Self::register), for chaining.
    ///
    /// # Errors
    ///
    /// As [`register`](Self::register).
    pub fn with(mut self, name: &str) -> Result<Self, HeaderRegistryError> {
        self.register(name)?;
        Ok(self)
    }

    /// [`register_standard`](Self::register_standard), for chaining.
    ///
    /// # Errors
    ///
    /// As [`register_standard`](Self::register_standard).
    pub fn with_standard(mut self, name: &str) -> Result<Self, HeaderRegistryError> {
        self.register_standard(name)?;
        Ok(self)
    }

    /// The declared names, lower-case, in declaration order.
    pub fn names(&self) -> impl Iterator<Item = &HeaderName> {
        self.names.iter()
    }

    /// Whether `name` is declared.
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.names.contains(name)
    }

    /// How many headers are declared.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no header is declared.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn insert(
        &mut self,
        name: &str,
        header: HeaderName,
    ) -> Result<HeaderName, HeaderRegistryError> {
        if is_cors_safelisted_response_header(&header) {
            return Err(HeaderRegistryError::Safelisted { name: name.into() });
        }
        if header == header::SET_COOKIE || header.as_str() == "set-cookie2" {
            return Err(HeaderRegistryError::NeverExposed { name: name.into() });
        }
        if self.contains(&header) {
            return Err(HeaderRegistryError::Duplicate { name: name.into() });
        }
        self.names.push(header.clone());
        Ok(header)
    }
}

fn parse(name: &str) -> Result<HeaderName, HeaderRegistryError> {
    parse_header_name(name).map_err(|reason| HeaderRegistryError::InvalidName {
        name: name.into(),
        reason,
    })
}

/// A header name from configuration or code, or why it is not one: the
/// one check behind the registry and the CORS builder.
pub(crate) fn parse_header_name(name: &str) -> Result<HeaderName, &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| "it has a character not allowed in a header name (RFC 9110 token)")
}

/// The CORS-safelisted response header names, which scripts can always
/// read ([Fetch][spec], [MDN][mdn]).
///
/// [spec]: https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
/// [mdn]: https://developer.mozilla.org/en-US/docs/Glossary/CORS-safelisted_response_header
pub const CORS_SAFELISTED_RESPONSE_HEADERS: [HeaderName; 7] = [
    header::CACHE_CONTROL,
    header::CONTENT_LANGUAGE,
    header::CONTENT_LENGTH,
    header::CONTENT_TYPE,
    header::EXPIRES,
    header::LAST_MODIFIED,
    header::PRAGMA,
];

/// Whether scripts can read `name` without it being exposed.
pub fn is_cors_safelisted_response_header(name: &HeaderName) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADERS.contains(name)
}

/// Response headers that are meant for the browser, the connection or an
/// intermediary (a proxy, a CDN), not for scripts, so they need no
/// exposing (see [`crate::spec::needs_exposing`]). Each entry says why.
/// Anything else not safelisted (custom `X-*` headers above all, but also
/// `ETag`, `Location`, `Retry-After`, `Link`) needs exposing, since
/// scripts do read those.
pub const BROWSER_ONLY_RESPONSE_HEADERS: &[(&str, &str)] = &[
    // Forbidden response header names: never readable by scripts.
    ("set-cookie", "forbidden response header (Fetch)"),
    ("set-cookie2", "forbidden response header (Fetch)"),
    // Connection management, consumed by the HTTP stack (RFC 9110 §7.6.1, RFC 9112).
    ("connection", "hop-by-hop"),
    ("keep-alive", "hop-by-hop"),
    ("proxy-connection", "hop-by-hop"),
    ("transfer-encoding", "hop-by-hop"),
    ("trailer", "hop-by-hop"),
    ("upgrade", "hop-by-hop"),
    ("alt-svc", "protocol negotiation (RFC 7838)"),
    // Instructions to a proxy or CDN in front of the service, which it
    // reads (and usually strips); a script has no use for them.
    (
        "x-accel-buffering",
        "proxy instruction (nginx: response buffering)",
    ),
    (
        "x-accel-redirect",
        "proxy instruction (nginx: internal redirect)",
    ),
    (
        "x-accel-expires",
        "proxy instruction (nginx: cache lifetime)",
    ),
    (
        "x-accel-limit-rate",
        "proxy instruction (nginx: rate limit)",
    ),
    ("x-accel-charset", "proxy instruction (nginx: charset)"),
    ("surrogate-control", "CDN instruction (Edge Architecture)"),
    ("cdn-cache-control", "CDN instruction (RFC 9213)"),
    // The WebSocket handshake's answer, read by the browser's WebSocket
    // implementation, never by fetch (RFC 6455 §4.2.2).
    ("sec-websocket-accept", "WebSocket handshake (RFC 6455)"),
    ("sec-websocket-protocol", "WebSocket handshake (RFC 6455)"),
    ("sec-websocket-extensions", "WebSocket handshake (RFC 6455)"),
    ("sec-websocket-version", "WebSocket handshake (RFC 6455)"),
    (
        "content-encoding",
        "decoded by the browser before scripts see the body",
    ),
    // Message metadata for caches and intermediaries.
    ("date", "message metadata (RFC 9110 §6.6.1)"),
    ("server", "software identification (RFC 9110 §10.2.4)"),
    ("x-powered-by", "software identification"),
    ("vary", "cache key (RFC 9110 §12.5.5)"),
    ("age", "cache metadata (RFC 9111 §5.1)"),
    ("via", "proxy metadata (RFC 9110 §7.6.3)"),
    (
        "accept-ranges",
        "used by the browser's media and download code",
    ),
    // Security and reporting policies the browser enforces itself.
    ("strict-transport-security", "browser policy"),
    ("content-security-policy", "browser policy"),
    ("content-security-policy-report-only", "browser policy"),
    ("cross-origin-opener-policy", "browser policy"),
    ("cross-origin-embedder-policy", "browser policy"),
    ("cross-origin-resource-policy", "browser policy"),
    ("origin-agent-cluster", "browser policy"),
    ("permissions-policy", "browser policy"),
    ("referrer-policy", "browser policy"),
    ("x-content-type-options", "browser policy"),
    ("x-frame-options", "browser policy"),
    ("x-xss-protection", "browser policy"),
    ("x-dns-prefetch-control", "browser policy"),
    ("x-permitted-cross-domain-policies", "browser policy"),
    (
        "x-download-options",
        "browser policy (Internet Explorer downloads)",
    ),
    (
        "x-ua-compatible",
        "browser instruction (Internet Explorer document mode)",
    ),
    ("x-robots-tag", "crawler instruction, read by robots"),
    ("clear-site-data", "browser instruction"),
    ("nel", "browser reporting"),
    ("report-to", "browser reporting"),
    ("reporting-endpoints", "browser reporting"),
    (
        "timing-allow-origin",
        "gates resource timing, not header reads",
    ),
    (
        "server-timing",
        "read through the Performance API, gated by Timing-Allow-Origin",
    ),
];

/// Whether the debug exposure check should stay quiet about `name`: the
/// negation of [`crate::spec::needs_exposing`], the one predicate.
pub fn is_exempt_from_exposure(name: &HeaderName) -> bool {
    !crate::spec::needs_exposing(name.as_str())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn exempt_list_is_lower_case_and_sane() {
        for (name, _) in BROWSER_ONLY_RESPONSE_HEADERS {
            assert_eq!(
                HeaderName::from_bytes(name.as_bytes()).unwrap().as_str(),
                *name
            );
        }
        assert!(is_exempt_from_exposure(&header::DATE));
        assert!(is_exempt_from_exposure(
            &header::ACCESS_CONTROL_ALLOW_ORIGIN
        ));
        assert!(is_exempt_from_exposure(&header::CONTENT_TYPE));
        assert!(!is_exempt_from_exposure(&HeaderName::from_static(
            "x-request-id"
        )));
        assert!(!is_exempt_from_exposure(&header::ETAG));
    }
}
