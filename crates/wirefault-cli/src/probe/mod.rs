//! The probes, grouped by protocol, and what they share.

pub(crate) mod cors;
pub(crate) mod http;
pub(crate) mod leak;
pub(crate) mod openapi;
pub(crate) mod ws;
pub(crate) mod wsclient;

use std::time::Duration;

use reqwest::Url;

/// Shown instead of a credential in reports.
pub(crate) const REDACTED: &str = "<redacted>";
/// Sent on CORS probes when the user gave no cookie, so that a server that
/// only misbehaves on credentialed requests (Starlette) shows it.
pub(crate) const PROBE_COOKIE: &str = "wirefault_probe=1";
/// An origin no service should trust.
pub(crate) const FOREIGN_ORIGIN: &str = "https://wirefault-foreign.example";

/// Everything a probe needs to know about the run.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// HTTP client: no redirects, no proxy, bounded by `timeout`.
    pub(crate) client: reqwest::Client,
    /// The target's base URL.
    pub(crate) base: Url,
    /// Headers from `--header` and `--cookie` (values are credentials).
    pub(crate) auth: Vec<(String, crate::cli::Secret)>,
    /// `true` when `auth` has a cookie.
    pub(crate) has_cookie: bool,
    /// The trusted origin (`--origin`), normalized.
    pub(crate) origin: Option<String>,
    /// Per-probe time limit.
    pub(crate) timeout: Duration,
}

impl Ctx {
    /// The base URL joined with a relative path (`/x` replaces the path).
    pub(crate) fn url(&self, path: &str) -> Url {
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    /// Headers for the report: user headers with their values redacted.
    pub(crate) fn shown_auth(&self) -> Vec<(String, String)> {
        self.auth
            .iter()
            .map(|(n, _)| (n.clone(), REDACTED.to_owned()))
            .collect()
    }
}

/// A URL as `host:port` for a Host header.
pub(crate) fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or("localhost");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}
