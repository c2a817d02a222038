//! The builder that collects a policy's values and validates them.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, Method};

use super::error::{CorsConfigError, CorsConfigErrorKind};
use super::matcher::OriginMatcher;
use super::origin::Origin;
use super::pattern::OriginPattern;
use super::policy::{AllowList, CorsPolicy, OriginRule};
use crate::headers::HeaderRegistry;

/// Field names used in error keys; the environment loader swaps in its
/// variable names.
#[derive(Debug, Clone)]
pub(crate) struct Labels {
    pub(crate) allow_origins: String,
    pub(crate) allow_origin_patterns: String,
    pub(crate) mirror_request_origin: String,
    pub(crate) allow_methods: String,
    pub(crate) allow_headers: String,
    pub(crate) expose_headers: String,
}

impl Default for Labels {
    fn default() -> Self {
        Self {
            allow_origins: "allow_origins".into(),
            allow_origin_patterns: "allow_origin_patterns".into(),
            mirror_request_origin: "mirror_request_origin".into(),
            allow_methods: "allow_methods".into(),
            allow_headers: "allow_headers".into(),
            expose_headers: "expose_headers".into(),
        }
    }
}

/// Collects a policy's values; [`build`](Self::build) validates them all.
///
/// Every list method appends, so values can come from several places
/// (a config file, a [`HeaderRegistry`], code). `"*"` in a list means
/// "any" and must be the list's only entry.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CorsPolicyBuilder {
    pub(crate) origins: Vec<String>,
    pub(crate) patterns: Vec<String>,
    pub(crate) mirror: bool,
    pub(crate) methods: Vec<String>,
    pub(crate) allow_headers: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
    pub(crate) credentials: bool,
    pub(crate) max_age: Option<Duration>,
    pub(crate) labels: Labels,
    /// Set by [`grpc_web`](Self::grpc_web).
    pub(crate) grpc_web: bool,
}

impl CorsPolicy {
    /// Starts an empty policy: no origin allowed, no credentials.
    pub fn builder() -> CorsPolicyBuilder {
        CorsPolicyBuilder::default()
    }
}

impl CorsPolicyBuilder {
    /// Allows one exact origin, `scheme://host[:port]`, or `"*"` for any,
    /// or `"null"` for the opaque origin (never with credentials).
    ///
    /// See [`Access-Control-Allow-Origin`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.origins.push(origin.into());
        self
    }

    /// Allows exact origins; see [`allow_origin`](Self::allow_origin).
    pub fn allow_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Allows any origin (`Access-Control-Allow-Origin: *`); refused with
    /// credentials.
    ///
    /// See [`Access-Control-Allow-Origin`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin#directives
    pub fn allow_any_origin(self) -> Self {
        self.allow_origin("*")
    }

    /// Allows the subdomains of a host: `https://*.example.com` matches
    /// `https://a.example.com` and `https://a.b.example.com` on a label
    /// boundary, with the same scheme and port. The apex
    /// (`https://example.com`) does not match: list it with
    /// [`allow_origin`](Self::allow_origin) if it should.
    pub fn allow_origin_patterns<I>(mut self, patterns: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.patterns.extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Reflects any request's origin back. Equivalent to `*` for browsers
    /// without credentials, and refused with credentials (it would let any
    /// site read the user's data). Prefer an allowlist.
    ///
    /// See [`Access-Control-Allow-Origin`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin
    pub fn mirror_request_origin(mut self, mirror: bool) -> Self {
        self.mirror = mirror;
        self
    }

    /// Methods a preflight may ask for (`"*"` for any, refused with
    /// credentials). Accepts `http::Method`s or strings; `get`, `post`
    /// and the other methods browsers normalize are upper-cased. With no
    /// methods, only the CORS-safelisted `GET`, `HEAD` and `POST` work.
    ///
    /// See [`Access-Control-Allow-Methods`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Methods
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.methods
            .extend(methods.into_iter().map(|m| m.as_ref().to_owned()));
        self
    }

    /// Request headers a preflight may ask for (`"*"` for any, refused
    /// with credentials; note that `*` never covers `Authorization`).
    ///
    /// See [`Access-Control-Allow-Headers`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.allow_headers
            .extend(headers.into_iter().map(|h| h.as_ref().to_owned()));
        self
    }

    /// Response headers scripts may read beyond the safelisted ones
    /// (`"*"` for any, refused with credentials).
    ///
    /// See [`Access-Control-Expose-Headers`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Expose-Headers
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.expose_headers
            .extend(headers.into_iter().map(|h| h.as_ref().to_owned()));
        self
    }

    /// Exposes every header declared in `registry`, so the browser can
    /// read each custom header the application sends.
    ///
    /// See [`Access-Control-Expose-Headers`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Expose-Headers
    pub fn expose_registry(self, registry: &HeaderRegistry) -> Self {
        self.expose_headers(registry.names().map(HeaderName::as_str))
    }

    /// Allows credentialed requests (cookies, TLS client certificates,
    /// HTTP authentication). Refused together with any wildcard, a
    /// mirrored origin, or the `null` origin.
    ///
    /// See [`Access-Control-Allow-Credentials`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long a browser may cache the preflight answer (whole seconds;
    /// browsers cap it, Chromium at 2 hours, Firefox at 24).
    ///
    /// See [`Access-Control-Max-Age`][mdn].
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Validates every value and builds the policy.
    ///
    /// # Errors
    ///
    /// A [`CorsConfigError`] naming the first bad key (`allow_origins[2]`)
    /// and why: a string that is not an origin or pattern, a bad method
    /// or header name, `*` next to other entries, or an unsafe combination
    /// with credentials (any `*`, a mirrored origin, `null`).
    pub fn build(&self) -> Result<CorsPolicy, CorsConfigError> {
        let origins = self.build_origins()?;
        let methods = build_list(
            &self.methods,
            &self.labels.allow_methods,
            self.credentials,
            "methods",
            parse_method,
        )?;
        let allow_headers = build_list(
            &self.allow_headers_with_grpc_web(),
            &self.labels.allow_headers,
            self.credentials,
            "request headers",
            parse_header_name,
        )?;
        let expose_headers = build_list(
            &self.expose_headers_with_grpc_web(),
            &self.labels.expose_headers,
            self.credentials,
            "exposed headers",
            parse_header_name,
        )?;
        Ok(CorsPolicy {
            origins,
            methods,
            allow_headers,
            expose_headers,
            credentials: self.credentials,
            max_age: self.max_age,
        })
    }

    fn build_origins(&self) -> Result<OriginRule, CorsConfigError> {
        let labels = &self.labels;
        if self.mirror {
            if self.credentials {
                return Err(CorsConfigError::new(
                    &labels.mirror_request_origin,
                    CorsConfigErrorKind::MirrorWithCredentials,
                ));
            }
            if let Some(value) = self.origins.first().or(self.patterns.first()) {
                return Err(CorsConfigError::new(
                    &labels.mirror_request_origin,
                    CorsConfigErrorKind::MirrorWithList {
                        value: value.clone(),
                    },
                ));
            }
            return Ok(OriginRule::Mirror);
        }

        let mut matcher = OriginMatcher::default();
        let mut any = None;
        for (i, value) in self.origins.iter().enumerate() {
            let key = || format!("{}[{i}]", labels.allow_origins);
            match value.as_str() {
                "*" => {
                    if self.credentials {
                        return Err(CorsConfigError::new(
                            key(),
                            CorsConfigErrorKind::WildcardWithCredentials { what: "origins" },
                        ));
                    }
                    any.get_or_insert(i);
                }
                "null" => {
                    if self.credentials {
                        return Err(CorsConfigError::new(
                            key(),
                            CorsConfigErrorKind::NullWithCredentials,
                        ));
                    }
                    matcher.allow_null();
                }
                _ => {
                    let origin = Origin::parse(value).map_err(|reason| {
                        CorsConfigError::new(
                            key(),
                            CorsConfigErrorKind::NotAnOrigin {
                                value: value.clone(),
                                reason,
                            },
                        )
                    })?;
                    matcher.insert_exact(&origin);
                }
            }
        }
        for (i, value) in self.patterns.iter().enumerate() {
            let pattern = OriginPattern::parse(value).map_err(|reason| {
                CorsConfigError::new(
                    format!("{}[{i}]", labels.allow_origin_patterns),
                    CorsConfigErrorKind::NotAPattern {
                        value: value.clone(),
                        reason,
                    },
                )
            })?;
            matcher.insert_pattern(&pattern);
        }
        if let Some(star) = any {
            let other = self
                .origins
                .iter()
                .find(|v| *v != "*")
                .or(self.patterns.first());
            if let Some(value) = other {
                return Err(CorsConfigError::new(
                    format!("{}[{star}]", labels.allow_origins),
                    CorsConfigErrorKind::WildcardWithOthers {
                        value: value.clone(),
                    },
                ));
            }
            return Ok(OriginRule::Any);
        }
        Ok(OriginRule::List(Arc::new(matcher)))
    }
}

fn build_list<T: PartialEq>(
    values: &[String],
    label: &str,
    credentials: bool,
    what: &'static str,
    parse: fn(&str) -> Result<T, CorsConfigErrorKind>,
) -> Result<AllowList<T>, CorsConfigError> {
    let mut out = Vec::with_capacity(values.len());
    let mut star = None;
    for (i, value) in values.iter().enumerate() {
        let key = || format!("{label}[{i}]");
        if value == "*" {
            if credentials {
                return Err(CorsConfigError::new(
                    key(),
                    CorsConfigErrorKind::WildcardWithCredentials { what },
                ));
            }
            star.get_or_insert(i);
            continue;
        }
        let item = parse(value).map_err(|kind| CorsConfigError::new(key(), kind))?;
        if !out.contains(&item) {
            out.push(item);
        }
    }
    match star {
        None => Ok(AllowList::Only(out)),
        Some(i) => match values.iter().find(|v| *v != "*") {
            Some(value) => Err(CorsConfigError::new(
                format!("{label}[{i}]"),
                CorsConfigErrorKind::WildcardWithOthers {
                    value: value.clone(),
                },
            )),
            None => Ok(AllowList::Any),
        },
    }
}

fn parse_method(value: &str) -> Result<Method, CorsConfigErrorKind> {
    let invalid = |reason| CorsConfigErrorKind::InvalidMethod {
        value: value.to_owned(),
        reason,
    };
    // Fetch upper-cases these six, so `get` from a script is sent as `GET`
    // (https://fetch.spec.whatwg.org/#concept-method-normalize).
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    // Fetch refuses to send these (https://fetch.spec.whatwg.org/#forbidden-method).
    const FORBIDDEN: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];
    if FORBIDDEN.iter().any(|f| f.eq_ignore_ascii_case(value)) {
        return Err(invalid(
            "browsers never send it (a forbidden method in Fetch)",
        ));
    }
    let normal = NORMALIZED
        .iter()
        .find(|n| n.eq_ignore_ascii_case(value))
        .copied()
        .unwrap_or(value);
    if normal.is_empty() {
        return Err(invalid("it is empty"));
    }
    Method::from_bytes(normal.as_bytes())
        .map_err(|_| invalid("it has a character not allowed in a method (RFC 9110 token)"))
}

fn parse_header_name(value: &str) -> Result<HeaderName, CorsConfigErrorKind> {
    crate::headers::parse_header_name(value).map_err(|reason| {
        CorsConfigErrorKind::InvalidHeaderName {
            value: value.to_owned(),
            reason,
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn err(b: CorsPolicyBuilder) -> String {
        b.build().unwrap_err().to_string()
    }

    #[test]
    fn error_names_key_value_and_reason() {
        let b = CorsPolicy::builder().allow_origins([
            "https://a.com",
            "https://b.com",
            "https://a.com/x",
        ]);
        assert_eq!(
            err(b),
            "allow_origins[2]: \"https://a.com/x\" is not an origin: it has a path"
        );
    }

    #[test]
    fn credentials_refuse_every_wildcard() {
        let base = || CorsPolicy::builder().allow_credentials(true);
        for (b, key) in [
            (base().allow_any_origin(), "allow_origins[0]"),
            (
                base()
                    .allow_origin("https://a.com")
                    .allow_methods(["GET", "*"]),
                "allow_methods[1]",
            ),
            (
                base().allow_origin("https://a.com").allow_headers(["*"]),
                "allow_headers[0]",
            ),
            (
                base().allow_origin("https://a.com").expose_headers(["*"]),
                "expose_headers[0]",
            ),
        ] {
            let e = b.build().unwrap_err();
            assert_eq!(e.key(), key);
            assert!(e.is_unsafe_with_credentials(), "{e}");
        }
        let e = base().mirror_request_origin(true).build().unwrap_err();
        assert_eq!(e.kind(), &CorsConfigErrorKind::MirrorWithCredentials);
        let e = base()
            .allow_origins(["https://a.com", "null"])
            .build()
            .unwrap_err();
        assert_eq!(e.key(), "allow_origins[1]");
        assert_eq!(e.kind(), &CorsConfigErrorKind::NullWithCredentials);
    }

    #[test]
    fn wildcards_without_credentials_are_fine_alone() {
        let p = CorsPolicy::builder()
            .allow_any_origin()
            .allow_methods(["*"])
            .allow_headers(["*"])
            .expose_headers(["*"])
            .build()
            .unwrap();
        assert!(p.allows_any_origin());
        assert_eq!(p.allowed_methods(), &AllowList::Any);
        let e = CorsPolicy::builder()
            .allow_origins(["*", "https://a.com"])
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("remove \"https://a.com\""), "{e}");
        let e = CorsPolicy::builder()
            .allow_headers(["x-a", "*"])
            .build()
            .unwrap_err();
        assert_eq!(e.key(), "allow_headers[1]");
    }

    #[test]
    fn methods_and_headers() {
        let p = CorsPolicy::builder()
            .allow_methods(["get", "PATCH", "post", "GET"])
            .allow_headers(["Content-Type"])
            .build()
            .unwrap();
        assert_eq!(
            p.allowed_methods(),
            &AllowList::Only(vec![Method::GET, Method::PATCH, Method::POST])
        );
        assert!(p.allowed_headers().contains(&http::header::CONTENT_TYPE));
        let e = CorsPolicy::builder()
            .allow_methods(["TRACE"])
            .build()
            .unwrap_err();
        assert!(
            e.to_string().starts_with("allow_methods[0]: \"TRACE\""),
            "{e}"
        );
        let e = CorsPolicy::builder()
            .allow_headers(["x a"])
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("is not a header name"), "{e}");
        let e = CorsPolicy::builder()
            .expose_headers([""])
            .build()
            .unwrap_err();
        assert_eq!(e.key(), "expose_headers[0]");
    }

    #[test]
    fn mirror_without_credentials() {
        let p = CorsPolicy::builder()
            .mirror_request_origin(true)
            .build()
            .unwrap();
        assert!(p.mirrors_request_origin());
        assert!(p.allows_origin("https://anything.example"));
        let e = CorsPolicy::builder()
            .mirror_request_origin(true)
            .allow_origin("https://a.com")
            .build()
            .unwrap_err();
        assert_eq!(e.key(), "mirror_request_origin");
    }

    #[test]
    fn patterns_errors_name_their_key() {
        let e = CorsPolicy::builder()
            .allow_origin_patterns(["https://*.ok.com", "https://*.com"])
            .build()
            .unwrap_err();
        assert_eq!(e.key(), "allow_origin_patterns[1]");
        let e = CorsPolicy::builder()
            .allow_origin("https://*.a.com")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("allow_origin_patterns"), "{e}");
    }
}
