//! Origin matching in constant time with respect to the allowlist's size.
//!
//! Exact origins sit in a hash set of their normal form. Patterns sit in a
//! hash map from host suffix to the (scheme, port) pairs allowed for it; a
//! request host is checked at each of its label boundaries, so the work is
//! bounded by the number of labels in the request's host, never by the
//! number of patterns.

use std::collections::{HashMap, HashSet};

use super::origin::{Origin, Parts};
use super::pattern::OriginPattern;

/// The (scheme, port) pairs allowed under one pattern suffix.
type Tails = Vec<(Box<str>, Option<u16>)>;

/// The allowlist of a [`CorsPolicy`](super::CorsPolicy).
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginMatcher {
    exact: HashSet<Box<str>>,
    /// suffix host -> allowed (scheme, port) pairs.
    patterns: HashMap<Box<str>, Tails>,
    allow_null: bool,
}

impl OriginMatcher {
    pub(crate) fn insert_exact(&mut self, origin: &Origin) {
        self.exact.insert(origin.as_str().into());
    }

    pub(crate) fn insert_pattern(&mut self, pattern: &OriginPattern) {
        let tails = self.patterns.entry(pattern.suffix().into()).or_default();
        let tail = (Box::from(pattern.scheme()), pattern.port());
        if !tails.contains(&tail) {
            tails.push(tail);
        }
    }

    pub(crate) fn allow_null(&mut self) {
        self.allow_null = true;
    }

    /// Whether an `Origin` header value is on the list.
    pub(crate) fn allows(&self, origin: &[u8]) -> bool {
        let Ok(origin) = std::str::from_utf8(origin) else {
            return false;
        };
        if origin == "null" {
            return self.allow_null;
        }
        // Browsers send origins in normal form: one hash lookup, no parsing.
        if self.exact.contains(origin) {
            return true;
        }
        if self.patterns.is_empty() && surely_canonical_or_invalid(origin) {
            return false;
        }
        let Ok(parts) = Parts::parse(origin) else {
            return false;
        };
        if !parts.canonical && self.exact.contains(parts.serialize().as_ref()) {
            return true;
        }
        self.matches_pattern(&parts)
    }

    fn matches_pattern(&self, parts: &Parts<'_>) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let host: &str = &parts.host;
        // Every proper suffix that starts right after a dot, with at least
        // one label before it: `a.b.example.com` tries `b.example.com`,
        // `example.com`, `com`.
        for (dot, _) in host.match_indices('.') {
            if dot == 0 {
                continue;
            }
            let suffix = &host[dot + 1..];
            if let Some(tails) = self.patterns.get(suffix) {
                if tails
                    .iter()
                    .any(|(scheme, port)| **scheme == *parts.scheme && *port == parts.port)
                {
                    return true;
                }
            }
        }
        false
    }
}

/// Whether `origin` is either already in normal form or not an origin at
/// all, so a miss in the exact set is final. Normalization only changes
/// upper-case letters, non-ASCII names, default ports (`:443`, `:80`),
/// ports with leading zeros (`:0443`) and IPv6 addresses (`[`), so a string
/// without any of those needs no parsing to be refused.
fn surely_canonical_or_invalid(origin: &str) -> bool {
    origin.bytes().all(|b| {
        b.is_ascii_lowercase()
            || b.is_ascii_digit()
            || matches!(b, b'.' | b'-' | b'_' | b':' | b'/')
    }) && !origin.ends_with(":443")
        && !origin.ends_with(":80")
        && !origin.contains(":0")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn matcher(exact: &[&str], patterns: &[&str]) -> OriginMatcher {
        let mut m = OriginMatcher::default();
        for e in exact {
            m.insert_exact(&Origin::parse(e).unwrap());
        }
        for p in patterns {
            m.insert_pattern(&OriginPattern::parse(p).unwrap());
        }
        m
    }

    #[test]
    fn exact_origins() {
        let m = matcher(&["https://trusted.com", "http://localhost:3000"], &[]);
        assert!(m.allows(b"https://trusted.com"));
        assert!(m.allows(b"https://TRUSTED.com:443"));
        assert!(m.allows(b"http://localhost:3000"));
        for bad in [
            "http://trusted.com",
            "https://trusted.com:8443",
            "https://trusted.com.",
            "https://trusted.com.evil.net",
            "https://eviltrusted.com",
            "https://trusted.com@evil.net",
            "https://a.trusted.com",
            "https://trusted.com/",
            "null",
            "",
            "http://localhost:3001",
        ] {
            assert!(!m.allows(bad.as_bytes()), "{bad}");
        }
        assert!(!m.allows(b"https://trusted.\xffcom"));
        assert!(m.allows(b"https://trusted.com:0443"));
        assert!(m.allows(b"HTTPS://trusted.com"));
        let m = matcher(&["http://[::1]:3000", "http://a.com:443"], &[]);
        assert!(m.allows(b"http://[0::1]:3000"));
        assert!(m.allows(b"http://a.com:443"));
    }

    #[test]
    fn patterns_match_on_label_boundaries_only() {
        let m = matcher(&[], &["https://*.example.com", "http://*.dev.test:8080"]);
        assert!(m.allows(b"https://a.example.com"));
        assert!(m.allows(b"https://a.b.example.com"));
        assert!(m.allows(b"https://A.Example.com:443"));
        assert!(m.allows(b"http://x.dev.test:8080"));
        for bad in [
            "https://example.com",
            "https://evil-example.com",
            "https://evilexample.com",
            "https://example.com.evil.net",
            "https://a.example.com.evil.net",
            "http://a.example.com",
            "https://a.example.com:8443",
            "https://a.example.com.",
            "https://.example.com",
            "http://x.dev.test",
            "https://a.example.com@evil.net",
        ] {
            assert!(!m.allows(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn null_only_when_listed() {
        let mut m = matcher(&["https://a.com"], &[]);
        assert!(!m.allows(b"null"));
        m.allow_null();
        assert!(m.allows(b"null"));
        assert!(!m.allows(b"NULL"));
    }
}
