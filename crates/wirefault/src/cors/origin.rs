//! One origin: `scheme://host[:port]`, parsed strictly and normalized.
//!
//! Normalization follows what browsers put in the `Origin` header
//! ([RFC 6454 §6.1], [WHATWG URL serializer]): lower-case scheme and host,
//! internationalized names in their ASCII (punycode) form, and no port when
//! it is the scheme's default (`https://a.com:443` is `https://a.com`).
//!
//! [RFC 6454 §6.1]: https://www.rfc-editor.org/rfc/rfc6454#section-6.1
//! [WHATWG URL serializer]: https://url.spec.whatwg.org/#concept-url-origin

use std::borrow::Cow;
use std::fmt;
use std::net::Ipv6Addr;

/// Why a string is not an origin.
///
/// The `Display` text completes the sentence "`value` is not an origin: …".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    /// No `scheme://` (e.g. `example.com` or `localhost:3000`).
    #[error("it has no scheme (write e.g. `https://example.com`)")]
    MissingScheme,
    /// The scheme has characters a scheme cannot have.
    #[error("its scheme is not valid")]
    InvalidScheme,
    /// Something after the host, like `/app`.
    #[error("it has a path")]
    HasPath,
    /// `https://a.com/`: browsers never send the slash, so it never matches.
    #[error("it has a trailing slash")]
    TrailingSlash,
    /// A `?query`.
    #[error("it has a query")]
    HasQuery,
    /// A `#fragment`.
    #[error("it has a fragment")]
    HasFragment,
    /// `user:pass@` before the host.
    #[error("it has userinfo (`user@`)")]
    HasUserinfo,
    /// A port that is empty, not a number, 0, or over 65535.
    #[error("its port is not a number from 1 to 65535")]
    BadPort,
    /// Nothing between `://` and the port.
    #[error("it has no host")]
    EmptyHost,
    /// A host with characters or labels no domain name or IP address has.
    #[error("its host is not a valid domain name or IP address")]
    InvalidHost,
    /// A `*`: only allowed as the first label of a subdomain pattern.
    #[error("it has a `*` (subdomain patterns such as `https://*.example.com` go in `allow_origin_patterns`)")]
    Wildcard,
    /// The opaque origin `null`, which has no scheme, host or port.
    #[error("it is the opaque origin `null`")]
    Null,
}

/// A validated, normalized origin.
///
/// ```
/// use wirefault::cors::Origin;
///
/// let origin = Origin::parse("HTTPS://Example.COM:443")?;
/// assert_eq!(origin.as_str(), "https://example.com");
///
/// let origin = Origin::parse("https://bücher.example")?;
/// assert_eq!(origin.as_str(), "https://xn--bcher-kva.example");
///
/// assert!(Origin::parse("https://example.com/").is_err());
/// # Ok::<(), wirefault::cors::OriginError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    serialized: Box<str>,
    scheme_len: usize,
    host_len: usize,
    port: Option<u16>,
}

impl Origin {
    /// Parses and normalizes `scheme://host[:port]`.
    ///
    /// # Errors
    ///
    /// An [`OriginError`] when the string is not exactly an origin: a path,
    /// a trailing slash, a query or fragment, userinfo, a missing scheme, a
    /// bad port, an invalid host, a `*`, or `null`.
    pub fn parse(input: &str) -> Result<Self, OriginError> {
        let parts = Parts::parse(input)?;
        let serialized = parts.serialize();
        Ok(Self {
            scheme_len: parts.scheme.len(),
            host_len: parts.host.len(),
            port: parts.port,
            serialized: serialized.into_owned().into_boxed_str(),
        })
    }

    /// The normalized form, as a browser sends it in `Origin`.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// The lower-case scheme, e.g. `https`.
    pub fn scheme(&self) -> &str {
        &self.serialized[..self.scheme_len]
    }

    /// The lower-case ASCII host (IPv6 addresses keep their brackets).
    pub fn host(&self) -> &str {
        let start = self.scheme_len + 3;
        &self.serialized[start..start + self.host_len]
    }

    /// The port, or `None` when it is the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialized)
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Origin").field(&self.serialized).finish()
    }
}

impl std::str::FromStr for Origin {
    type Err = OriginError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The pieces of an origin, borrowed from the input when it is already in
/// normal form, so the request path does not allocate for browser origins.
#[derive(Debug)]
pub(crate) struct Parts<'a> {
    pub(crate) scheme: Cow<'a, str>,
    pub(crate) host: Cow<'a, str>,
    /// `None` for the scheme's default port.
    pub(crate) port: Option<u16>,
    /// The input is exactly the serialization of these parts.
    pub(crate) canonical: bool,
    input: &'a str,
}

impl<'a> Parts<'a> {
    pub(crate) fn parse(input: &'a str) -> Result<Self, OriginError> {
        if input == "null" {
            return Err(OriginError::Null);
        }
        let Some((scheme, rest)) = input.split_once("://") else {
            return Err(OriginError::MissingScheme);
        };
        let scheme = parse_scheme(scheme)?;
        let mut canonical = matches!(scheme, Cow::Borrowed(_));

        // The authority ends at the first `/`, `?`, `#` (or `\`, which URL
        // parsers read as `/` for http and https).
        if let Some(pos) = rest.find(['/', '\\', '?', '#']) {
            return Err(match rest.as_bytes()[pos] {
                b'?' => OriginError::HasQuery,
                b'#' => OriginError::HasFragment,
                _ if pos + 1 == rest.len() => OriginError::TrailingSlash,
                _ => OriginError::HasPath,
            });
        }
        if rest.contains('@') {
            return Err(OriginError::HasUserinfo);
        }
        if rest.contains('*') {
            return Err(OriginError::Wildcard);
        }

        let (host_str, port_str) = split_host_port(rest)?;
        let host = if host_str.starts_with('[') {
            parse_ipv6(host_str)?
        } else {
            parse_domain(host_str)?
        };
        canonical &= matches!(host, Cow::Borrowed(_));

        let port = match port_str {
            None => None,
            Some(p) => {
                let number = parse_port(p)?;
                if default_port(&scheme) == Some(number) {
                    canonical = false;
                    None
                } else {
                    // `:0443` is 443 written oddly.
                    canonical &= !p.starts_with('0');
                    Some(number)
                }
            }
        };

        Ok(Self {
            scheme,
            host,
            port,
            canonical,
            input,
        })
    }

    /// `scheme://host[:port]`, borrowed when the input already was that.
    pub(crate) fn serialize(&self) -> Cow<'a, str> {
        if self.canonical {
            return Cow::Borrowed(self.input);
        }
        let mut out = String::with_capacity(self.input.len());
        out.push_str(&self.scheme);
        out.push_str("://");
        out.push_str(&self.host);
        if let Some(port) = self.port {
            out.push(':');
            out.push_str(&port.to_string());
        }
        Cow::Owned(out)
    }
}

/// Whether an `Origin` header value is made only of visible ASCII
/// (`!` to `~`), as every serialized origin is ([RFC 6454 §6.2]: IDNs in
/// punycode). Any other byte makes the value foreign, checked before any
/// parsing, so no IDNA mapping can turn a malformed value (a fullwidth
/// letter, a BOM, an ideographic full stop) into an allowed origin.
///
/// [RFC 6454 §6.2]: https://www.rfc-editor.org/rfc/rfc6454#section-6.2
pub(crate) fn is_visible_ascii(value: &[u8]) -> bool {
    value.iter().all(|b| matches!(b, b'!'..=b'~'))
}

/// The default port of the schemes browsers send in `Origin`.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

fn parse_scheme(scheme: &str) -> Result<Cow<'_, str>, OriginError> {
    let bytes = scheme.as_bytes();
    let Some(first) = bytes.first() else {
        return Err(OriginError::MissingScheme);
    };
    if !first.is_ascii_alphabetic()
        || !bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return Err(OriginError::InvalidScheme);
    }
    if bytes.iter().any(u8::is_ascii_uppercase) {
        Ok(Cow::Owned(scheme.to_ascii_lowercase()))
    } else {
        Ok(Cow::Borrowed(scheme))
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), OriginError> {
    if authority.starts_with('[') {
        let Some(end) = authority.find(']') else {
            return Err(OriginError::InvalidHost);
        };
        let (host, after) = authority.split_at(end + 1);
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(OriginError::InvalidHost),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((authority, None)),
    }
}

fn parse_port(port: &str) -> Result<u16, OriginError> {
    if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OriginError::BadPort);
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(OriginError::BadPort),
        Ok(n) => Ok(n),
    }
}

fn parse_ipv6(host: &str) -> Result<Cow<'_, str>, OriginError> {
    let inner = &host[1..host.len() - 1];
    let addr: Ipv6Addr = inner.parse().map_err(|_| OriginError::InvalidHost)?;
    let normal = addr.to_string();
    if normal == inner {
        Ok(Cow::Borrowed(host))
    } else {
        Ok(Cow::Owned(format!("[{normal}]")))
    }
}

fn parse_domain(host: &str) -> Result<Cow<'_, str>, OriginError> {
    if host.is_empty() {
        return Err(OriginError::EmptyHost);
    }
    let needs_idna = !host.is_ascii()
        || host
            .split('.')
            .any(|label| label.get(..4).is_some_and(is_ace));
    let host: Cow<'_, str> = if needs_idna {
        // UTS #46 processing, as browsers do: maps case, checks punycode.
        match idna::domain_to_ascii(host) {
            Ok(ascii) => Cow::Owned(ascii),
            Err(_) => return Err(OriginError::InvalidHost),
        }
    } else if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    };
    check_ascii_host(&host)?;
    Ok(host)
}

fn is_ace(prefix: &str) -> bool {
    prefix.eq_ignore_ascii_case("xn--")
}

/// Letters, digits, `-` and `_`, in non-empty labels; one trailing dot
/// (the fully qualified form, a different host for browsers) is allowed.
fn check_ascii_host(host: &str) -> Result<(), OriginError> {
    let body = host.strip_suffix('.').unwrap_or(host);
    if body.is_empty() {
        return Err(OriginError::InvalidHost);
    }
    for label in body.split('.') {
        if label.is_empty()
            || label.len() > 63
            || !label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(OriginError::InvalidHost);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn norm(s: &str) -> String {
        Origin::parse(s).unwrap().as_str().to_owned()
    }

    #[test]
    fn normalizes_case_default_ports_and_idna() {
        assert_eq!(norm("https://a.com"), "https://a.com");
        assert_eq!(norm("HTTPS://A.Com"), "https://a.com");
        assert_eq!(norm("https://a.com:443"), "https://a.com");
        assert_eq!(norm("http://a.com:80"), "http://a.com");
        assert_eq!(norm("http://a.com:443"), "http://a.com:443");
        assert_eq!(norm("https://a.com:08443"), "https://a.com:8443");
        assert_eq!(
            norm("https://Bücher.example"),
            "https://xn--bcher-kva.example"
        );
        assert_eq!(
            norm("https://XN--BCHER-KVA.example"),
            "https://xn--bcher-kva.example"
        );
        assert_eq!(norm("http://[::1]:3000"), "http://[::1]:3000");
        assert_eq!(norm("http://[0:0::1]"), "http://[::1]");
        assert_eq!(norm("http://localhost:3000"), "http://localhost:3000");
        assert_eq!(norm("tauri://localhost"), "tauri://localhost");
        assert_eq!(norm("https://a.com."), "https://a.com.");
    }

    #[test]
    fn canonical_input_is_borrowed() {
        let parts = Parts::parse("https://a.com:8443").unwrap();
        assert!(parts.canonical);
        assert!(matches!(parts.serialize(), Cow::Borrowed(_)));
        assert!(!Parts::parse("https://a.com:443").unwrap().canonical);
        assert!(!Parts::parse("https://A.com").unwrap().canonical);
    }

    #[test]
    fn refuses_what_is_not_an_origin() {
        use OriginError::*;
        let cases = [
            ("https://a.com/x", HasPath),
            ("https://a.com/", TrailingSlash),
            ("https://a.com\\x", HasPath),
            ("a.com", MissingScheme),
            ("localhost:3000", MissingScheme),
            ("://a.com", MissingScheme),
            ("1https://a.com", InvalidScheme),
            ("https://u:p@a.com", HasUserinfo),
            ("https://a.com@evil.net", HasUserinfo),
            ("https://a.com:", BadPort),
            ("https://a.com:0", BadPort),
            ("https://a.com:65536", BadPort),
            ("https://a.com:12ab", BadPort),
            ("https://a.com?x=1", HasQuery),
            ("https://a.com#top", HasFragment),
            ("https://", EmptyHost),
            ("https://a..com", InvalidHost),
            ("https://a com", InvalidHost),
            ("https://a%2ecom", InvalidHost),
            ("https://[::1", InvalidHost),
            ("https://[zz]", InvalidHost),
            ("https://*.a.com", Wildcard),
            ("null", Null),
        ];
        for (input, expected) in cases {
            assert_eq!(Origin::parse(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn accessors() {
        let o = Origin::parse("https://A.com:8443").unwrap();
        assert_eq!(o.scheme(), "https");
        assert_eq!(o.host(), "a.com");
        assert_eq!(o.port(), Some(8443));
        assert_eq!(o.to_string(), "https://a.com:8443");
    }
}
