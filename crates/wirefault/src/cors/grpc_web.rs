//! gRPC-Web through CORS: the request headers a browser's gRPC-Web client
//! sends, and the response headers its script must read.
//!
//! A gRPC-Web error usually comes as a trailers-only answer: `grpc-status`,
//! `grpc-message` and `grpc-status-details-bin` are plain response headers,
//! and a browser hides them from the script unless
//! `Access-Control-Expose-Headers` names them. The client then sees every
//! failure as `UNKNOWN` with no message (grpc/grpc-web#61, #518, #1319).
//! [`CorsPolicyBuilder::grpc_web`] makes that mistake impossible: the
//! headers are exposed when the policy is built, whatever else it lists.

use std::borrow::Cow;

use super::builder::CorsPolicyBuilder;
use crate::headers::HeaderRegistry;

/// The request headers a gRPC-Web client sends besides the safelisted
/// ones: its `content-type` (`application/grpc-web+proto` is not a
/// safelisted type), `x-grpc-web`, `x-user-agent` and `grpc-timeout`
/// ([gRPC-Web protocol](https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md)).
pub const GRPC_WEB_REQUEST_HEADERS: [&str; 4] =
    ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"];

/// The response headers a gRPC-Web client must read: the status, its
/// message and its rich details.
pub const GRPC_WEB_RESPONSE_HEADERS: [&str; 3] =
    ["grpc-status", "grpc-message", "grpc-status-details-bin"];

impl HeaderRegistry {
    /// The gRPC status headers ([`GRPC_WEB_RESPONSE_HEADERS`]), declared
    /// as standard headers: what [`CorsPolicyBuilder::grpc_web`] exposes.
    pub fn grpc_web() -> HeaderRegistry {
        let mut registry = HeaderRegistry::new();
        for name in GRPC_WEB_RESPONSE_HEADERS {
            // Valid, distinct, neither safelisted nor forbidden: cannot fail.
            let _ = registry.register_standard(name);
        }
        registry
    }
}

impl CorsPolicyBuilder {
    /// Serves gRPC-Web: preflights allow [`GRPC_WEB_REQUEST_HEADERS`], and
    /// responses expose [`GRPC_WEB_RESPONSE_HEADERS`] (through
    /// [`HeaderRegistry::grpc_web`]). Both are added when the policy is
    /// built, so no later call can drop them; a list that is `*` already
    /// covers them and stays `*`.
    ///
    /// ```
    /// use http::HeaderName;
    /// use wirefault::cors::CorsPolicy;
    ///
    /// let policy = CorsPolicy::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_credentials(true)
    ///     .grpc_web()
    ///     .expose_headers(["x-request-id"])
    ///     .build()?;
    /// for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
    ///     assert!(policy.exposes(&HeaderName::from_static(name)));
    /// }
    /// assert!(policy.allowed_headers().contains(&HeaderName::from_static("x-grpc-web")));
    /// # Ok::<(), wirefault::cors::CorsConfigError>(())
    /// ```
    pub fn grpc_web(mut self) -> Self {
        self.grpc_web = true;
        self
    }

    /// The request headers to allow, with gRPC-Web's when it is served.
    pub(crate) fn allow_headers_with_grpc_web(&self) -> Cow<'_, [String]> {
        self.with_grpc_web(&self.allow_headers, GRPC_WEB_REQUEST_HEADERS)
    }

    /// The response headers to expose, with gRPC-Web's when it is served.
    pub(crate) fn expose_headers_with_grpc_web(&self) -> Cow<'_, [String]> {
        let registry = HeaderRegistry::grpc_web();
        self.with_grpc_web(
            &self.expose_headers,
            registry.names().map(|name| name.as_str()),
        )
    }

    fn with_grpc_web<'a, I>(&self, list: &'a [String], extra: I) -> Cow<'a, [String]>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        if !self.grpc_web || list.iter().any(|v| v == "*") {
            return Cow::Borrowed(list);
        }
        let mut list = list.to_vec();
        list.extend(extra.into_iter().map(|name| name.as_ref().to_owned()));
        Cow::Owned(list)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use http::HeaderName;

    use crate::cors::{AllowList, CorsPolicy};

    use super::*;

    fn names(list: &AllowList<HeaderName>) -> Vec<&str> {
        match list {
            AllowList::Any => vec!["*"],
            AllowList::Only(names) => names.iter().map(HeaderName::as_str).collect(),
        }
    }

    #[test]
    fn exposes_the_status_headers_whatever_else_is_listed() {
        let policy = CorsPolicy::builder()
            .allow_origin("https://app.example.com")
            .allow_credentials(true)
            .expose_headers(["x-request-id", "grpc-status"])
            .grpc_web()
            .allow_headers(["content-type"])
            .build()
            .unwrap();
        assert_eq!(
            names(policy.exposed_headers()),
            [
                "x-request-id",
                "grpc-status",
                "grpc-message",
                "grpc-status-details-bin"
            ],
            "listed once each, the user's first"
        );
        assert_eq!(
            names(policy.allowed_headers()),
            ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"]
        );
    }

    #[test]
    fn without_grpc_web_nothing_is_added() {
        let policy = CorsPolicy::builder()
            .allow_origin("https://app.example.com")
            .build()
            .unwrap();
        assert!(!policy.exposes(&HeaderName::from_static("grpc-status")));
        assert_eq!(names(policy.allowed_headers()), Vec::<&str>::new());
    }

    #[test]
    fn a_wildcard_stays_a_wildcard() {
        let policy = CorsPolicy::builder()
            .allow_any_origin()
            .allow_headers(["*"])
            .expose_headers(["*"])
            .grpc_web()
            .build()
            .unwrap();
        assert_eq!(policy.exposed_headers(), &AllowList::Any);
        assert_eq!(policy.allowed_headers(), &AllowList::Any);
        assert!(policy.exposes(&HeaderName::from_static("grpc-message")));
    }

    #[test]
    fn configuration_turns_it_on() {
        let from_vars = CorsPolicyBuilder::from_vars(
            "WF",
            [
                ("WF_ALLOW_ORIGINS", "https://app.example.com"),
                ("WF_GRPC_WEB", "true"),
            ],
        )
        .unwrap()
        .build()
        .unwrap();
        assert!(from_vars.exposes(&HeaderName::from_static("grpc-status")));
        let off = CorsPolicyBuilder::from_vars("WF", [("WF_GRPC_WEB", "0")])
            .unwrap()
            .build()
            .unwrap();
        assert!(!off.exposes(&HeaderName::from_static("grpc-status")));
        let err = CorsPolicyBuilder::from_vars("WF", [("WF_GRPC_WEB", "yes please")]).unwrap_err();
        assert_eq!(err.key(), "WF_GRPC_WEB");
    }

    #[cfg(feature = "toml")]
    #[test]
    fn the_toml_key_turns_it_on() {
        let policy = CorsPolicy::from_toml_str(
            r#"
            allow_origins = ["https://app.example.com"]
            allow_credentials = true
            grpc_web = true
            "#,
        )
        .unwrap();
        assert!(policy.exposes(&HeaderName::from_static("grpc-status-details-bin")));
    }

    #[test]
    fn the_registry_holds_the_response_headers() {
        let registry = HeaderRegistry::grpc_web();
        let listed: Vec<_> = registry.names().map(HeaderName::as_str).collect();
        assert_eq!(listed, GRPC_WEB_RESPONSE_HEADERS);
    }
}
