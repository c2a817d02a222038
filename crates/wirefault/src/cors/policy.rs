//! The validated policy.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, Method};

use super::matcher::OriginMatcher;
use super::origin::is_visible_ascii;

/// Either everything (`*`) or an explicit list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowList<T> {
    /// `*`: any value (only valid without credentials).
    Any,
    /// Exactly these values, in the order given, without duplicates.
    Only(Vec<T>),
}

impl<T: PartialEq> AllowList<T> {
    /// Whether `value` is covered.
    pub fn contains(&self, value: &T) -> bool {
        match self {
            Self::Any => true,
            Self::Only(list) => list.contains(value),
        }
    }
}

/// Which origins a policy allows.
#[derive(Debug, Clone)]
pub(crate) enum OriginRule {
    /// `Access-Control-Allow-Origin: *`.
    Any,
    /// Echo any request origin (only valid without credentials).
    Mirror,
    /// Exact origins, patterns and perhaps `null`.
    List(Arc<OriginMatcher>),
}

/// A validated CORS policy.
///
/// Built with [`CorsPolicy::builder`], or loaded from the environment
/// ([`from_env`](crate::cors::CorsPolicyBuilder::from_env)) or, with the
/// `toml` feature, from TOML (`CorsPolicyBuilder::from_toml_str`). A
/// policy that exists is safe to serve: unsafe combinations were refused
/// when it was built.
///
/// ```
/// use std::time::Duration;
/// use wirefault::cors::CorsPolicy;
///
/// let policy = CorsPolicy::builder()
///     .allow_origins(["https://app.example.com", "http://localhost:3000"])
///     .allow_origin_patterns(["https://*.tenants.example.com"])
///     .allow_methods(["GET", "POST", "DELETE"])
///     .allow_headers(["content-type", "authorization"])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()?;
///
/// assert!(policy.allows_origin("https://APP.example.com:443"));
/// assert!(policy.allows_origin("https://acme.tenants.example.com"));
/// assert!(!policy.allows_origin("https://tenants.example.com"));
/// assert!(!policy.allows_origin("https://app.example.com.evil.net"));
///
/// // Credentials and a wildcard: refused when built, not at the first request.
/// let err = CorsPolicy::builder()
///     .allow_origins(["*"])
///     .allow_credentials(true)
///     .build()
///     .unwrap_err();
/// assert_eq!(err.key(), "allow_origins[0]");
/// # Ok::<(), wirefault::cors::CorsConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct CorsPolicy {
    pub(crate) origins: OriginRule,
    pub(crate) methods: AllowList<Method>,
    pub(crate) allow_headers: AllowList<HeaderName>,
    pub(crate) expose_headers: AllowList<HeaderName>,
    pub(crate) credentials: bool,
    pub(crate) max_age: Option<Duration>,
}

impl CorsPolicy {
    /// Whether a request with this `Origin` header value may read the
    /// response. Takes the raw header bytes (`&str`, `&[u8]` or a
    /// `HeaderValue`); anything that is not an origin is refused, and so
    /// is any value with a byte outside visible ASCII, whatever the rule
    /// (no browser sends one).
    pub fn allows_origin(&self, origin: impl AsRef<[u8]>) -> bool {
        let origin = origin.as_ref();
        if !is_visible_ascii(origin) {
            return false;
        }
        match &self.origins {
            OriginRule::Any | OriginRule::Mirror => true,
            OriginRule::List(matcher) => matcher.allows(origin),
        }
    }

    /// Whether the policy answers `*` for origins.
    pub fn allows_any_origin(&self) -> bool {
        matches!(self.origins, OriginRule::Any)
    }

    /// Whether the policy reflects any request origin.
    pub fn mirrors_request_origin(&self) -> bool {
        matches!(self.origins, OriginRule::Mirror)
    }

    /// The methods a preflight may ask for.
    pub fn allowed_methods(&self) -> &AllowList<Method> {
        &self.methods
    }

    /// The request headers a preflight may ask for.
    pub fn allowed_headers(&self) -> &AllowList<HeaderName> {
        &self.allow_headers
    }

    /// The response headers the browser lets scripts read, beyond the
    /// safelisted ones.
    pub fn exposed_headers(&self) -> &AllowList<HeaderName> {
        &self.expose_headers
    }

    /// Whether `name` is readable by scripts: exposed by the policy or
    /// CORS-safelisted.
    pub fn exposes(&self, name: &HeaderName) -> bool {
        crate::headers::is_cors_safelisted_response_header(name)
            || self.expose_headers.contains(name)
    }

    /// Whether credentialed requests (cookies, HTTP auth) are allowed.
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// How long a browser may cache a preflight answer.
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }
}
