//! Loading a policy from TOML or from environment variables.
//!
//! Both end in a [`CorsPolicyBuilder`], so the application can still add
//! values (its [`HeaderRegistry`](crate::headers::HeaderRegistry)) before
//! [`build`](CorsPolicyBuilder::build) validates everything. Errors name
//! the TOML key or the environment variable that holds the bad value.

use std::time::Duration;

use serde::Deserialize;

use super::builder::{CorsPolicyBuilder, Labels};
use super::error::{CorsConfigError, CorsConfigErrorKind};
use super::policy::CorsPolicy;

/// A CORS policy as written in a configuration file, before validation.
///
/// Deserialize it as the `[cors]` table of a larger configuration, then
/// turn it into a builder with [`CorsPolicyBuilder::from`]. Unknown keys
/// are refused.
///
/// ```toml
/// allow_origins = ["https://app.example.com", "http://localhost:3000"]
/// allow_origin_patterns = ["https://*.tenants.example.com"]
/// allow_methods = ["GET", "POST", "DELETE"]
/// allow_headers = ["content-type", "authorization"]
/// expose_headers = ["x-request-id"]
/// allow_credentials = true
/// max_age = 600 # seconds
/// grpc_web = true # gRPC-Web's headers allowed, its status headers exposed
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Exact origins, `"*"` or `"null"`.
    pub allow_origins: Vec<String>,
    /// Subdomain patterns such as `https://*.example.com`.
    pub allow_origin_patterns: Vec<String>,
    /// Reflect any request origin (never with credentials).
    pub mirror_request_origin: bool,
    /// Methods a preflight may ask for, or `"*"`.
    pub allow_methods: Vec<String>,
    /// Request headers a preflight may ask for, or `"*"`.
    pub allow_headers: Vec<String>,
    /// Response headers scripts may read, or `"*"`.
    pub expose_headers: Vec<String>,
    /// Allow cookies and HTTP authentication.
    pub allow_credentials: bool,
    /// Preflight cache lifetime in seconds.
    pub max_age: Option<u64>,
    /// Serve gRPC-Web ([`CorsPolicyBuilder::grpc_web`]).
    pub grpc_web: bool,
}

impl From<CorsConfig> for CorsPolicyBuilder {
    fn from(c: CorsConfig) -> Self {
        let mut b = CorsPolicy::builder()
            .allow_origins(c.allow_origins)
            .allow_origin_patterns(c.allow_origin_patterns)
            .mirror_request_origin(c.mirror_request_origin)
            .allow_methods(c.allow_methods)
            .allow_headers(c.allow_headers)
            .expose_headers(c.expose_headers)
            .allow_credentials(c.allow_credentials);
        b.max_age = c.max_age.map(Duration::from_secs);
        b.grpc_web = c.grpc_web;
        b
    }
}

const VARS: [&str; 9] = [
    "ALLOW_ORIGINS",
    "ALLOW_ORIGIN_PATTERNS",
    "MIRROR_REQUEST_ORIGIN",
    "ALLOW_METHODS",
    "ALLOW_HEADERS",
    "EXPOSE_HEADERS",
    "ALLOW_CREDENTIALS",
    "MAX_AGE",
    "GRPC_WEB",
];

impl CorsPolicyBuilder {
    /// Reads a policy from a TOML document (the keys of [`CorsConfig`]).
    ///
    /// ```
    /// use wirefault::cors::CorsPolicyBuilder;
    ///
    /// let err = CorsPolicyBuilder::from_toml_str(r#"
    ///     allow_origins = ["https://a.com", "https://b.com", "https://a.com/x"]
    /// "#)?.build().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"allow_origins[2]: "https://a.com/x" is not an origin: it has a path"#,
    /// );
    /// # Ok::<(), wirefault::cors::CorsConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`CorsConfigError`] with the parser's message (line, column,
    /// key) when the document does not parse, has an unknown key or a
    /// value of the wrong type. Values are validated by
    /// [`build`](Self::build).
    #[cfg(feature = "toml")]
    pub fn from_toml_str(document: &str) -> Result<Self, CorsConfigError> {
        let config: CorsConfig = toml::from_str(document).map_err(|e| {
            CorsConfigError::new(
                "toml",
                CorsConfigErrorKind::Toml {
                    message: e.to_string().trim_end().to_owned(),
                },
            )
        })?;
        Ok(config.into())
    }

    /// Reads a policy from the process environment: with prefix
    /// `WIREFAULT_CORS`, the variables are `WIREFAULT_CORS_ALLOW_ORIGINS`,
    /// `_ALLOW_ORIGIN_PATTERNS`, `_ALLOW_METHODS`, `_ALLOW_HEADERS`,
    /// `_EXPOSE_HEADERS` (comma-separated lists), `_ALLOW_CREDENTIALS`,
    /// `_MIRROR_REQUEST_ORIGIN`, `_GRPC_WEB` (`true`/`false`/`1`/`0`) and
    /// `_MAX_AGE` (seconds). Unset variables keep their defaults.
    ///
    /// The prefix is reserved: any other variable that starts with it is
    /// refused as a likely typo.
    ///
    /// # Errors
    ///
    /// A [`CorsConfigError`] naming the variable: an unknown one, a value
    /// that is not UTF-8, a bad boolean or number. List entries are
    /// validated by [`build`](Self::build), with keys like
    /// `WIREFAULT_CORS_ALLOW_ORIGINS[2]`.
    pub fn from_env(prefix: &str) -> Result<Self, CorsConfigError> {
        let prefix = prefix.trim_end_matches('_');
        let mut vars = Vec::new();
        for (key, value) in std::env::vars_os() {
            let Some(key) = key.to_str() else { continue };
            if !key.starts_with(prefix) {
                continue;
            }
            let value = value.into_string().map_err(|_| {
                CorsConfigError::new(
                    key,
                    CorsConfigErrorKind::InvalidValue {
                        value: "<not UTF-8>".into(),
                        expected: "UTF-8 text",
                    },
                )
            })?;
            vars.push((key.to_owned(), value));
        }
        Self::from_vars(prefix, vars)
    }

    /// Like [`from_env`](Self::from_env), from given `(name, value)` pairs
    /// instead of the process environment (for tests and other sources).
    ///
    /// ```
    /// use wirefault::cors::CorsPolicyBuilder;
    ///
    /// let policy = CorsPolicyBuilder::from_vars("APP_CORS", [
    ///     ("APP_CORS_ALLOW_ORIGINS", "https://a.com, https://b.com"),
    ///     ("APP_CORS_ALLOW_CREDENTIALS", "true"),
    /// ])?.build()?;
    /// assert!(policy.allows_origin("https://b.com"));
    ///
    /// let err = CorsPolicyBuilder::from_vars("APP_CORS", [
    ///     ("APP_CORS_ALLOW_ORIGINS", "https://a.com,https://b.com/"),
    /// ])?.build().unwrap_err();
    /// assert_eq!(err.key(), "APP_CORS_ALLOW_ORIGINS[1]");
    /// # Ok::<(), wirefault::cors::CorsConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_vars<I, K, V>(prefix: &str, vars: I) -> Result<Self, CorsConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let prefix = prefix.trim_end_matches('_');
        let name = |var: &str| format!("{prefix}_{var}");
        let mut b = CorsPolicy::builder();
        b.labels = Labels {
            allow_origins: name("ALLOW_ORIGINS"),
            allow_origin_patterns: name("ALLOW_ORIGIN_PATTERNS"),
            mirror_request_origin: name("MIRROR_REQUEST_ORIGIN"),
            allow_methods: name("ALLOW_METHODS"),
            allow_headers: name("ALLOW_HEADERS"),
            expose_headers: name("EXPOSE_HEADERS"),
        };
        for (key, value) in vars {
            let (key, value) = (key.as_ref(), value.as_ref());
            let Some(var) = key
                .strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('_'))
            else {
                continue;
            };
            match var {
                "ALLOW_ORIGINS" => b.origins.extend(split_list(value)),
                "ALLOW_ORIGIN_PATTERNS" => b.patterns.extend(split_list(value)),
                "ALLOW_METHODS" => b.methods.extend(split_list(value)),
                "ALLOW_HEADERS" => b.allow_headers.extend(split_list(value)),
                "EXPOSE_HEADERS" => b.expose_headers.extend(split_list(value)),
                "MIRROR_REQUEST_ORIGIN" => b.mirror = parse_bool(key, value)?,
                "ALLOW_CREDENTIALS" => b.credentials = parse_bool(key, value)?,
                "GRPC_WEB" => b.grpc_web = parse_bool(key, value)?,
                "MAX_AGE" => {
                    let secs = value.trim().parse::<u64>().map_err(|_| {
                        CorsConfigError::new(
                            key,
                            CorsConfigErrorKind::InvalidValue {
                                value: value.to_owned(),
                                expected: "a whole number of seconds",
                            },
                        )
                    })?;
                    b.max_age = Some(Duration::from_secs(secs));
                }
                _ => {
                    return Err(CorsConfigError::new(
                        key,
                        CorsConfigErrorKind::UnknownKey {
                            expected: VARS.map(name).join(", "),
                        },
                    ))
                }
            }
        }
        Ok(b)
    }
}

impl CorsPolicy {
    /// Reads and validates a policy from a TOML document; see
    /// [`CorsPolicyBuilder::from_toml_str`].
    ///
    /// # Errors
    ///
    /// A [`CorsConfigError`] naming the key and the reason.
    #[cfg(feature = "toml")]
    pub fn from_toml_str(document: &str) -> Result<Self, CorsConfigError> {
        CorsPolicyBuilder::from_toml_str(document)?.build()
    }

    /// Reads and validates a policy from the environment; see
    /// [`CorsPolicyBuilder::from_env`].
    ///
    /// # Errors
    ///
    /// A [`CorsConfigError`] naming the variable and the reason.
    pub fn from_env(prefix: &str) -> Result<Self, CorsConfigError> {
        CorsPolicyBuilder::from_env(prefix)?.build()
    }
}

/// Comma-separated, blanks trimmed, empty entries skipped (so a trailing
/// comma is harmless).
fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_bool(key: &str, value: &str) -> Result<bool, CorsConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(CorsConfigError::new(
            key,
            CorsConfigErrorKind::InvalidValue {
                value: value.to_owned(),
                expected: "true or false",
            },
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn env_vars_fill_the_builder() {
        let p = CorsPolicyBuilder::from_vars(
            "WF_",
            [
                ("WF_ALLOW_ORIGINS", " https://a.com ,https://b.com,"),
                ("WF_ALLOW_ORIGIN_PATTERNS", "https://*.t.example.com"),
                ("WF_ALLOW_METHODS", "GET,PUT"),
                ("WF_ALLOW_HEADERS", "content-type"),
                ("WF_EXPOSE_HEADERS", "x-request-id"),
                ("WF_ALLOW_CREDENTIALS", "1"),
                ("WF_MAX_AGE", "60"),
                ("OTHER", "x"),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
        assert!(p.allows_origin("https://b.com"));
        assert!(p.allows_origin("https://x.t.example.com"));
        assert!(p.allows_credentials());
        assert_eq!(p.max_age(), Some(Duration::from_secs(60)));
    }

    #[test]
    fn env_errors_name_the_variable() {
        let e =
            CorsPolicyBuilder::from_vars("WF", [("WF_ALLOW_ORIGIN", "https://a.com")]).unwrap_err();
        assert_eq!(e.key(), "WF_ALLOW_ORIGIN");
        assert!(e.to_string().contains("WF_ALLOW_ORIGINS"), "{e}");
        let e = CorsPolicyBuilder::from_vars("WF", [("WF_ALLOW_CREDENTIALS", "sure")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "WF_ALLOW_CREDENTIALS: \"sure\" is not valid: expected true or false"
        );
        let e = CorsPolicyBuilder::from_vars("WF", [("WF_MAX_AGE", "-1")]).unwrap_err();
        assert_eq!(e.key(), "WF_MAX_AGE");
        let e = CorsPolicyBuilder::from_vars(
            "WF",
            [("WF_ALLOW_ORIGINS", "*"), ("WF_ALLOW_CREDENTIALS", "true")],
        )
        .unwrap()
        .build()
        .unwrap_err();
        assert_eq!(e.key(), "WF_ALLOW_ORIGINS[0]");
        let e = CorsPolicyBuilder::from_vars(
            "WF",
            [
                ("WF_MIRROR_REQUEST_ORIGIN", "true"),
                ("WF_ALLOW_CREDENTIALS", "true"),
            ],
        )
        .unwrap()
        .build()
        .unwrap_err();
        assert_eq!(e.key(), "WF_MIRROR_REQUEST_ORIGIN");
    }
}
