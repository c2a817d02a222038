//! Subdomain patterns: `https://*.example.com`.
//!
//! A pattern matches an origin with the same scheme and port whose host
//! ends with `.` + the pattern's suffix, on a label boundary, at any depth:
//! `https://*.example.com` matches `https://a.example.com` and
//! `https://a.b.example.com`, never `https://evil-example.com`,
//! `https://example.com.evil.net`, nor the apex `https://example.com` itself
//! (list the apex as an exact origin when it should be allowed too).

use std::fmt;

use super::origin::{Origin, OriginError};

/// Why a string is not a subdomain pattern.
///
/// The `Display` text completes the sentence "`value` is not a subdomain
/// pattern: …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// It does not start with `scheme://*.`.
    #[error("it does not start with `scheme://*.` (e.g. `https://*.example.com`)")]
    NoLeadingWildcard,
    /// What follows `*.` is not a valid origin.
    #[error("{0}")]
    Origin(OriginError),
    /// The suffix is a single label (`*.com`): it would match whole
    /// top-level domains.
    #[error("its suffix has a single label, which would match a whole top-level domain")]
    TooBroad,
    /// The suffix is an IP address, which has no subdomains.
    #[error("its suffix is an IP address, which has no subdomains")]
    IpAddress,
}

/// A validated subdomain pattern.
///
/// ```
/// use wirefault::cors::OriginPattern;
///
/// let pattern = OriginPattern::parse("https://*.Example.com:443")?;
/// assert_eq!(pattern.to_string(), "https://*.example.com");
/// assert_eq!(pattern.suffix(), "example.com");
/// # Ok::<(), wirefault::cors::PatternError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OriginPattern {
    /// The origin the pattern would be without `*.`.
    base: Origin,
}

impl OriginPattern {
    /// Parses `scheme://*.suffix[:port]`.
    ///
    /// # Errors
    ///
    /// A [`PatternError`] when the `*.` is missing or not the first label,
    /// when the rest is not an origin, when the suffix is a single label
    /// (`https://*.com`) or an IP address.
    pub fn parse(input: &str) -> Result<Self, PatternError> {
        let Some((scheme, rest)) = input.split_once("://") else {
            return Err(PatternError::Origin(OriginError::MissingScheme));
        };
        let Some(suffix) = rest.strip_prefix("*.") else {
            return Err(PatternError::NoLeadingWildcard);
        };
        let base = Origin::parse(&format!("{scheme}://{suffix}")).map_err(|e| match e {
            OriginError::Wildcard => PatternError::NoLeadingWildcard,
            other => PatternError::Origin(other),
        })?;
        let host = base.host();
        if host.starts_with('[') {
            return Err(PatternError::IpAddress);
        }
        let body = host.strip_suffix('.').unwrap_or(host);
        let Some((_, last)) = body.rsplit_once('.') else {
            return Err(PatternError::TooBroad);
        };
        if last.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PatternError::IpAddress);
        }
        Ok(Self { base })
    }

    /// The lower-case scheme.
    pub fn scheme(&self) -> &str {
        self.base.scheme()
    }

    /// The host suffix after `*.`, lower-case ASCII.
    pub fn suffix(&self) -> &str {
        self.base.host()
    }

    /// The port, `None` for the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.base.port()
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://*.{}", self.scheme(), self.suffix())?;
        if let Some(port) = self.port() {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OriginPattern")
            .field(&self.to_string())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn parses_and_normalizes() {
        let p = OriginPattern::parse("HTTPS://*.Example.COM:443").unwrap();
        assert_eq!(p.to_string(), "https://*.example.com");
        let p = OriginPattern::parse("http://*.dev.local:8080").unwrap();
        assert_eq!(p.port(), Some(8080));
        let p = OriginPattern::parse("https://*.bücher.example").unwrap();
        assert_eq!(p.suffix(), "xn--bcher-kva.example");
    }

    #[test]
    fn refuses_bad_patterns() {
        use PatternError::*;
        let cases = [
            ("https://example.com", NoLeadingWildcard),
            ("https://*example.com", NoLeadingWildcard),
            ("https://a.*.example.com", NoLeadingWildcard),
            ("https://*.*.example.com", NoLeadingWildcard),
            ("https://*.com", TooBroad),
            ("https://*.com.", TooBroad),
            ("https://*.0.0.1", IpAddress),
            ("https://*.[::1]", IpAddress),
            ("*.example.com", Origin(OriginError::MissingScheme)),
            ("https://*.example.com/", Origin(OriginError::TrailingSlash)),
            ("https://*.example.com:0", Origin(OriginError::BadPort)),
        ];
        for (input, expected) in cases {
            assert_eq!(OriginPattern::parse(input), Err(expected), "{input}");
        }
    }
}
