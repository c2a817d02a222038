//! The error a CORS policy is refused with.

use super::origin::OriginError;
use super::pattern::PatternError;

/// A CORS policy that was refused: the key that holds the bad value and
/// why.
///
/// The key is the builder's field name with an index
/// (`allow_origins[2]`), the TOML key, or the environment variable
/// (`WIREFAULT_CORS_ALLOW_ORIGINS[2]`), so the message points at the
/// line to fix:
///
/// ```text
/// allow_origins[2]: "https://a.com/x" is not an origin: it has a path
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {kind}")]
pub struct CorsConfigError {
    key: String,
    kind: CorsConfigErrorKind,
}

impl CorsConfigError {
    pub(crate) fn new(key: impl Into<String>, kind: CorsConfigErrorKind) -> Self {
        Self {
            key: key.into(),
            kind,
        }
    }

    /// The key that holds the bad value, e.g. `allow_origins[2]`.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Why the value was refused.
    pub fn kind(&self) -> &CorsConfigErrorKind {
        &self.kind
    }

    /// Whether the policy was refused because credentials were combined
    /// with a wildcard, a mirrored origin or the `null` origin.
    pub fn is_unsafe_with_credentials(&self) -> bool {
        matches!(
            self.kind,
            CorsConfigErrorKind::WildcardWithCredentials { .. }
                | CorsConfigErrorKind::MirrorWithCredentials
                | CorsConfigErrorKind::NullWithCredentials
        )
    }
}

/// Why a CORS policy value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorsConfigErrorKind {
    /// An entry of `allow_origins` is not `scheme://host[:port]`.
    #[error("{value:?} is not an origin: {reason}")]
    NotAnOrigin {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: OriginError,
    },
    /// An entry of `allow_origin_patterns` is not `scheme://*.suffix`.
    #[error("{value:?} is not a subdomain pattern: {reason}")]
    NotAPattern {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: PatternError,
    },
    /// An entry of `allow_methods` is not a method a browser can send.
    #[error("{value:?} is not a usable method: {reason}")]
    InvalidMethod {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An entry of `allow_headers` or `expose_headers` is not a header
    /// name.
    #[error("{value:?} is not a header name: {reason}")]
    InvalidHeaderName {
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `*` together with credentials: browsers read `*` literally on a
    /// credentialed request, so it would silently allow nothing (headers,
    /// methods) or is refused outright (origins).
    #[error(
        "\"*\" cannot be used when credentials are allowed: on a credentialed request browsers \
         do not treat `*` as a wildcard for {what} \
         (https://fetch.spec.whatwg.org/#cors-protocol-and-credentials); list them explicitly"
    )]
    WildcardWithCredentials {
        /// Which list: "origins", "methods", "request headers" or
        /// "exposed headers".
        what: &'static str,
    },
    /// Reflecting the request's `Origin` with credentials lets every site
    /// read credentialed responses.
    #[error(
        "reflecting the request's origin cannot be combined with allow_credentials: \
         any site could then read responses made with the user's cookies"
    )]
    MirrorWithCredentials,
    /// Reflecting the request's `Origin` and an allowlist at once.
    #[error("reflecting the request's origin cannot be combined with an allowlist ({value:?})")]
    MirrorWithList {
        /// The first allowlist entry.
        value: String,
    },
    /// `null` with credentials: sandboxed iframes, `data:` documents and
    /// some redirects send `null`, so any site can produce it.
    #[error(
        "the \"null\" origin cannot be allowed with credentials: any site can send `Origin: null` \
         from a sandboxed iframe"
    )]
    NullWithCredentials,
    /// `*` next to explicit entries in the same list.
    #[error("\"*\" already allows everything; remove {value:?} or the \"*\"")]
    WildcardWithOthers {
        /// The first explicit entry next to the `*`.
        value: String,
    },
    /// A scalar value (boolean, number) that does not parse.
    #[error("{value:?} is not valid: expected {expected}")]
    InvalidValue {
        /// The value as given.
        value: String,
        /// What the key accepts.
        expected: &'static str,
    },
    /// An environment variable under the policy's prefix that the policy
    /// does not know (likely a typo).
    #[error("unknown variable; expected one of {expected}")]
    UnknownKey {
        /// The known keys, comma-separated.
        expected: String,
    },
    /// The TOML document does not parse or has a field of the wrong type.
    #[error("{message}")]
    Toml {
        /// The TOML parser's message, with line and column.
        message: String,
    },
}
