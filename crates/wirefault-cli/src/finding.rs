//! What a probe sent, what came back, and the findings judged from it.

use serde::Serialize;

use crate::rules::Rule;

/// Most bytes of a response body kept for judging and reporting.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;
/// Most characters of a body shown in a report.
const SHOWN_BODY: usize = 600;

/// A request as sent (secrets redacted).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SentRequest {
    /// HTTP method (`GET` for a WebSocket handshake).
    pub(crate) method: String,
    /// Absolute URL.
    pub(crate) url: String,
    /// Headers sent, with `Cookie` and `Authorization` values redacted.
    pub(crate) headers: Vec<(String, String)>,
    /// Body, or WebSocket messages sent after the upgrade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<String>,
}

impl SentRequest {
    /// A request line plus headers plus body, for the human report.
    pub(crate) fn render(&self) -> String {
        let mut out = format!("{} {}", self.method, self.url);
        for (name, value) in &self.headers {
            out.push_str(&format!("\n{name}: {value}"));
        }
        if let Some(body) = &self.body {
            out.push_str("\n\n");
            out.push_str(&shorten(body));
        }
        out
    }
}

/// An HTTP answer (to a request or to a refused WebSocket handshake).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HttpAnswer {
    /// Status code.
    pub(crate) status: u16,
    /// Headers, names lowercase, in order.
    pub(crate) headers: Vec<(String, String)>,
    /// The body, lossily decoded, at most [`BODY_LIMIT`] bytes.
    pub(crate) body: String,
}

impl HttpAnswer {
    /// The first value of a header, by lowercase name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header joined with `, ` (lists may be split).
    pub(crate) fn header_list(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// `true` when a comma-separated header contains `token` (case-insensitive).
    pub(crate) fn list_contains(&self, name: &str, token: &str) -> bool {
        self.header_list(name)
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }

    /// Status line, content type and a shortened body.
    pub(crate) fn render(&self) -> String {
        let mut out = format!("HTTP {}", self.status);
        for (name, value) in &self.headers {
            if SHOWN_HEADERS.contains(&name.as_str()) || name.starts_with("access-control-") {
                out.push_str(&format!("\n{name}: {value}"));
            }
        }
        if !self.body.is_empty() {
            out.push_str("\n\n");
            out.push_str(&shorten(&self.body));
        }
        out
    }
}

const SHOWN_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "allow",
    "location",
    "retry-after",
    "www-authenticate",
    "vary",
    "upgrade",
];

/// What came back.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Received {
    /// An HTTP response.
    Http(HttpAnswer),
    /// A WebSocket session after a 101: what was seen, in order.
    WebSocket {
        /// One line per event (message, close frame, end of stream).
        transcript: Vec<String>,
    },
    /// No answer (connection refused, timeout...).
    Nothing {
        /// Why.
        error: String,
    },
}

impl Received {
    /// Text for the human report.
    pub(crate) fn render(&self) -> String {
        match self {
            Received::Http(answer) => answer.render(),
            Received::WebSocket { transcript } => {
                let mut out = String::from("HTTP 101 (upgraded)");
                for line in transcript {
                    out.push('\n');
                    out.push_str(line);
                }
                out
            }
            Received::Nothing { error } => format!("no answer: {error}"),
        }
    }

    /// The HTTP answer, if any.
    pub(crate) fn http(&self) -> Option<&HttpAnswer> {
        match self {
            Received::Http(answer) => Some(answer),
            _ => None,
        }
    }
}

/// One request and its answer.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    /// Sent.
    pub(crate) request: SentRequest,
    /// Came back.
    pub(crate) received: Received,
}

/// One violation of one rule.
#[derive(Debug, Clone)]
pub(crate) struct Finding {
    /// The rule broken.
    pub(crate) rule: &'static Rule,
    /// The request that showed it.
    pub(crate) request: SentRequest,
    /// What came back.
    pub(crate) received: Received,
    /// What was wrong with it, one line.
    pub(crate) observed: String,
    /// What a correct service does, one line.
    pub(crate) expected: String,
}

impl Finding {
    /// A finding about an exchange.
    pub(crate) fn new(
        rule: &'static Rule,
        exchange: &Exchange,
        observed: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            request: exchange.request.clone(),
            received: exchange.received.clone(),
            observed: observed.into(),
            expected: expected.into(),
        }
    }
}

/// The result of a whole audit.
#[derive(Debug)]
pub(crate) struct Audit {
    /// The target URL.
    pub(crate) target: String,
    /// Number of probes run.
    pub(crate) probes: usize,
    /// What the reader must know to weigh the findings: where the OpenAPI
    /// document came from, TLS checks turned off, caps that cut probes.
    pub(crate) notes: Vec<String>,
    /// Findings, sorted by rule id then URL.
    pub(crate) findings: Vec<Finding>,
}

/// Cuts long text for display, on a character boundary.
pub(crate) fn shorten(text: &str) -> String {
    if text.chars().count() <= SHOWN_BODY {
        return text.to_owned();
    }
    let cut: String = text.chars().take(SHOWN_BODY).collect();
    format!("{cut}… ({} bytes in all)", text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_on_char_boundary() {
        let long = "é".repeat(SHOWN_BODY + 10);
        let short = shorten(&long);
        assert!(short.starts_with(&"é".repeat(SHOWN_BODY)));
        assert!(short.contains("bytes in all"));
        assert_eq!(shorten("abc"), "abc");
    }

    #[test]
    fn header_lists_join_repeated_headers() {
        let answer = HttpAnswer {
            status: 200,
            headers: vec![
                ("vary".into(), "Accept".into()),
                ("vary".into(), "origin".into()),
            ],
            body: String::new(),
        };
        assert!(answer.list_contains("vary", "Origin"));
        assert!(!answer.list_contains("vary", "Cookie"));
    }
}
