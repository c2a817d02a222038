//! Checks on the request head that hyper leaves to the application:
//! exactly one `Host` (RFC 9112 §3.2) and a bounded header section.
//!
//! hyper accepts an HTTP/1.1 request without `Host` and passes several
//! `Host` lines through; it bounds the number of headers but not their
//! total size below its read buffer. Both answers are made here, before
//! CORS, so a preflight meets the same limit as any request.

use crate::Fault;
use http::header::HOST;
use http::{Request, Version};

/// The framing rules of a layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FramingRules {
    /// The largest header section (names and values) answered normally.
    pub(crate) max_header_bytes: usize,
}

impl Default for FramingRules {
    fn default() -> Self {
        FramingRules {
            max_header_bytes: 16 * 1024,
        }
    }
}

impl FramingRules {
    /// `Err` with the fault to answer: 400 for a missing `Host` in
    /// HTTP/1.1 or more than one `Host` in any version, 431 for a header
    /// section over the limit.
    pub(crate) fn check<B>(&self, req: &Request<B>) -> Result<(), Fault> {
        let mut hosts = req.headers().get_all(HOST).iter();
        match (hosts.next(), hosts.next()) {
            (Some(_), Some(_)) => {
                return Err(Fault::bad_request(
                    "the request has more than one Host header (RFC 9112 §3.2)",
                ))
            }
            (None, _) if req.version() == Version::HTTP_11 => {
                return Err(Fault::bad_request(
                    "an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)",
                ))
            }
            _ => {}
        }
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        if header_bytes > self.max_header_bytes {
            return Err(Fault::headers_too_large(format!(
                "the request headers take {header_bytes} bytes; the limit is {}",
                self.max_header_bytes
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(version: Version, hosts: &[&'static str]) -> Request<()> {
        let mut req = Request::new(());
        *req.version_mut() = version;
        for host in hosts {
            req.headers_mut()
                .append(HOST, http::HeaderValue::from_static(host));
        }
        req
    }

    #[test]
    fn exactly_one_host() {
        let rules = FramingRules::default();
        assert!(rules.check(&request(Version::HTTP_11, &["a"])).is_ok());
        assert!(rules.check(&request(Version::HTTP_10, &[])).is_ok());
        assert!(rules.check(&request(Version::HTTP_2, &[])).is_ok());
        for bad in [
            request(Version::HTTP_11, &[]),
            request(Version::HTTP_11, &["a", "a"]),
            request(Version::HTTP_10, &["a", "b"]),
        ] {
            assert_eq!(rules.check(&bad).map_err(|f| f.status().as_u16()), Err(400));
        }
    }

    #[test]
    fn header_section_bounded() {
        let rules = FramingRules {
            max_header_bytes: 10,
        };
        let mut req = request(Version::HTTP_11, &["a"]);
        req.headers_mut()
            .insert("x-long", http::HeaderValue::from_static("0123456789"));
        assert_eq!(rules.check(&req).map_err(|f| f.status().as_u16()), Err(431));
    }
}
