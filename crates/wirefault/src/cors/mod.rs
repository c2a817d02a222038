//! CORS policies, validated when built, matched in constant time.
//!
//! ```
//! use wirefault::cors::CorsPolicy;
//!
//! let policy = CorsPolicy::builder()
//!     .allow_origins(["https://app.example.com"])
//!     .allow_origin_patterns(["https://*.tenants.example.com"])
//!     .allow_methods(["GET", "POST"])
//!     .allow_credentials(true)
//!     .build()?;
//!
//! assert!(policy.allows_origin("https://acme.tenants.example.com"));
//! assert!(!policy.allows_origin("https://evil-tenants.example.com"));
//! # Ok::<(), wirefault::cors::CorsConfigError>(())
//! ```
//!
//! Details:
//! - A policy is validated by [`CorsPolicyBuilder::build`], which returns a
//!   [`CorsConfigError`] naming the key and the reason, never panics: `*`
//!   anywhere with credentials, reflecting the origin with credentials,
//!   `null` with credentials, and strings that are not origins (a path, a
//!   trailing slash, no scheme, userinfo, a bad port, a query) are refused.
//! - Origins compare as browsers serialize them: case-insensitive hosts,
//!   default ports dropped, internationalized names in punycode. A
//!   trailing dot makes a different host, as it does for browsers. A
//!   request's `Origin` with any byte outside visible ASCII is foreign
//!   (no browser sends one), over HTTP and WebSocket alike.
//! - Subdomain patterns (`https://*.example.com`) are opt-in, match on a
//!   label boundary at any depth, and never match the apex.
//! - Matching is a hash lookup per origin plus one per label of the
//!   request's host for patterns: 10,000 tenant origins cost the same as
//!   ten.
//! - Policies load from TOML (feature `toml`) or environment variables.
//! - [`CorsPolicy::check_websocket_origin`] applies the same allowlist to
//!   WebSocket handshakes, which browsers do not protect with CORS.
//! - [`CorsPolicyBuilder::grpc_web`] serves gRPC-Web: its request headers
//!   allowed, its status headers always exposed.
//! - The `axum` feature enforces a policy over HTTP
//!   (`wirefault::axum::WirefaultLayer::cors`, or `CorsPolicyLayer` alone).

mod builder;
mod config;
mod error;
mod grpc_web;
mod matcher;
mod origin;
mod pattern;
mod policy;
mod websocket;

pub use builder::CorsPolicyBuilder;
pub use config::CorsConfig;
pub use error::{CorsConfigError, CorsConfigErrorKind};
pub use grpc_web::{GRPC_WEB_REQUEST_HEADERS, GRPC_WEB_RESPONSE_HEADERS};
pub use origin::{Origin, OriginError};
pub use pattern::{OriginPattern, PatternError};
pub use policy::{AllowList, CorsPolicy};
#[cfg(feature = "axum")]
pub(crate) use websocket::check_origin_header;
pub use websocket::OriginRejected;
