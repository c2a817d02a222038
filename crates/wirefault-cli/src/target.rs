//! The target URL and the guard that keeps the auditor off other people's hosts.
//!
//! Allowed without `--allow-remote`:
//! - loopback: `127.0.0.0/8`, `::1`, the name `localhost` and `*.localhost`
//!   (RFC 6761 reserves them for loopback);
//! - private test hosts given by address: RFC 1918 (`10/8`, `172.16/12`,
//!   `192.168/16`) and IPv6 unique-local `fc00::/7`, the ranges test
//!   containers and network namespaces use.
//!
//! Any other host name is refused even when it resolves to a private
//! address: the guard does not trust DNS, which can change between the check
//! and the probes.

use std::net::{IpAddr, Ipv6Addr};

use reqwest::Url;

/// Why a target was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TargetError {
    /// Not a URL, or not http/https.
    Invalid(String),
    /// A host that needs `--allow-remote`.
    Remote(String),
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetError::Invalid(why) => write!(f, "invalid target URL: {why}"),
            TargetError::Remote(host) => write!(
                f,
                "refusing to audit {host}: only loopback and private test hosts are audited \
                 without --allow-remote"
            ),
        }
    }
}

impl std::error::Error for TargetError {}

/// Parses the target URL and applies the host guard.
pub(crate) fn parse(raw: &str, allow_remote: bool) -> Result<Url, TargetError> {
    let url = Url::parse(raw).map_err(|e| TargetError::Invalid(format!("{raw}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::Invalid(format!(
            "{raw}: the scheme must be http or https"
        )));
    }
    let host = match url.host() {
        Some(host) => host,
        None => return Err(TargetError::Invalid(format!("{raw}: no host"))),
    };
    if allow_remote {
        return Ok(url);
    }
    let allowed = match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        url::Host::Ipv4(ip) => is_test_host(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => is_test_host(IpAddr::V6(ip)),
    };
    if allowed {
        Ok(url)
    } else {
        Err(TargetError::Remote(host.to_string()))
    }
}

/// Loopback or private (RFC 1918, IPv6 unique-local).
fn is_test_host(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_test_host(IpAddr::V4(v4));
            }
            v6 == Ipv6Addr::LOCALHOST || (v6.segments()[0] & 0xfe00) == 0xfc00
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_private_hosts_are_allowed() {
        for url in [
            "http://127.0.0.1:3000/",
            "http://127.8.9.10/",
            "http://[::1]:8080/",
            "http://localhost:1/",
            "http://LOCALHOST./x",
            "http://api.localhost/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(parse(url, false).is_ok(), "{url}");
        }
    }

    #[test]
    fn public_hosts_need_allow_remote() {
        for url in [
            "http://8.8.8.8/",
            "http://172.32.0.1/",
            "https://example.com/",
            "http://localhost.example.com/",
            "http://[2001:db8::1]/",
        ] {
            assert!(
                matches!(parse(url, false), Err(TargetError::Remote(_))),
                "{url}"
            );
            assert!(parse(url, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn bad_urls_are_refused() {
        for url in ["", "127.0.0.1:3000", "ftp://127.0.0.1/", "http://"] {
            assert!(
                matches!(parse(url, true), Err(TargetError::Invalid(_))),
                "{url}"
            );
        }
    }
}
