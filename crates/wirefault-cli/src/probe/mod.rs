//! The probes, grouped by protocol, and what they share.

pub(crate) mod body;
pub(crate) mod cors;
pub(crate) mod credentials;
pub(crate) mod discover;
pub(crate) mod grpc;
pub(crate) mod http;
pub(crate) mod jsonvariants;
pub(crate) mod leak;
pub(crate) mod liveness;
pub(crate) mod observe;
pub(crate) mod openapi;
pub(crate) mod sample;
pub(crate) mod security;
pub(crate) mod sse;
pub(crate) mod ws;
pub(crate) mod wsclient;
pub(crate) mod wsvariants;

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
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
    /// `true` when a client certificate is presented (`--client-cert`).
    pub(crate) has_client_cert: bool,
    /// The first trusted origin (`--origin`), normalized.
    pub(crate) origin: Option<String>,
    /// Per-probe time limit.
    pub(crate) timeout: Duration,
    /// TLS settings for probes that open their own connections.
    pub(crate) tls: Arc<rustls::ClientConfig>,
    /// Requests and WebSocket handshakes sent so far.
    pub(crate) sent: AtomicUsize,
    /// Whether the target still accepts connections.
    pub(crate) liveness: liveness::Liveness,
}

impl Ctx {
    /// A fixed segment relative to the base URL (`http://h/api/` + `x` is
    /// `http://h/api/x`; `http://h/api` + `x` is `http://h/x`, as in HTML).
    pub(crate) fn relative_url(&self, segment: &str) -> Url {
        self.base
            .join(segment)
            .unwrap_or_else(|_| self.base.clone())
    }

    /// An absolute path (and query) on the target's host: never another host,
    /// whatever the path holds (`//evil.example/x` stays on the target).
    pub(crate) fn path_url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let (path, query) = path
            .split_once('?')
            .map_or((path, None), |(p, q)| (p, Some(q)));
        url.set_path(&format!("/{}", path.trim_start_matches('/')));
        url.set_query(query);
        url.set_fragment(None);
        url
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ctx(base: &str) -> Ctx {
        Ctx {
            client: reqwest::Client::new(),
            base: Url::parse(base).unwrap(),
            auth: Vec::new(),
            has_cookie: false,
            has_client_cert: false,
            origin: None,
            timeout: Duration::from_secs(1),
            tls: crate::tls::client_config(&crate::tls::TlsOptions::default()).unwrap(),
            sent: AtomicUsize::new(0),
            liveness: liveness::Liveness::default(),
        }
    }

    #[test]
    fn paths_stay_on_the_target_host() {
        let c = ctx("http://127.0.0.1:3000/api/report?x=1");
        assert_eq!(c.path_url("/ws").as_str(), "http://127.0.0.1:3000/ws");
        assert_eq!(
            c.path_url("//evil.example/x").as_str(),
            "http://127.0.0.1:3000/evil.example/x"
        );
        assert_eq!(c.path_url("/a?b=1").as_str(), "http://127.0.0.1:3000/a?b=1");
        assert_eq!(
            c.relative_url("probe").as_str(),
            "http://127.0.0.1:3000/api/probe"
        );
    }
}
