//! What a probe sent, what came back, and the findings judged from it.

use serde::Serialize;

use crate::rules::{Rule, Severity};

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
    /// How bad it is here: the rule's severity, or one chosen by the
    /// context the probe saw (see `docs/rules.md`, "Severity").
    pub(crate) severity: Severity,
    /// The context that chose the severity, one line (e.g. "no cookie was
    /// sent: an anonymous socket").
    pub(crate) context: Option<String>,
    /// The request that showed it.
    pub(crate) request: SentRequest,
    /// What came back.
    pub(crate) received: Received,
    /// What was wrong with it, one line.
    pub(crate) observed: String,
    /// What a correct service does, one line.
    pub(crate) expected: String,
    /// The other places the same root cause was seen (filled by [`group`]).
    pub(crate) also: Vec<Place>,
    /// Where its probe came in a sequence sent one at a time (a WebSocket
    /// endpoint's sessions), so that [`group`] shows the first occurrence
    /// first: on a server with shared state, a later drop may only be the
    /// aftermath of the first. `None` for probes sent at once.
    pub(crate) sequence: Option<usize>,
}

impl Finding {
    /// A finding about an exchange, at the rule's severity.
    pub(crate) fn new(
        rule: &'static Rule,
        exchange: &Exchange,
        observed: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            context: None,
            request: exchange.request.clone(),
            received: exchange.received.clone(),
            observed: observed.into(),
            expected: expected.into(),
            also: Vec::new(),
            sequence: None,
        }
    }

    /// The same finding rated by the context the probe saw.
    #[must_use]
    pub(crate) fn rated(mut self, severity: Severity, context: impl Into<String>) -> Self {
        self.severity = severity;
        self.context = Some(context.into());
        self
    }

    /// Where this finding was seen first.
    pub(crate) fn place(&self) -> Place {
        Place {
            method: self.request.method.clone(),
            url: self.request.url.clone(),
            sent: self.request.body.as_deref().map(shorten_line),
            observed: self.observed.clone(),
        }
    }

    /// Every place it was seen: the first, then the others.
    pub(crate) fn places(&self) -> impl Iterator<Item = Place> + '_ {
        std::iter::once(self.place()).chain(self.also.iter().cloned())
    }

    /// The root cause: the rule, the severity, and the observation with its
    /// numbers (status codes, sizes, close codes) left out, so one default
    /// error format seen on a 404 and on a 405 is one finding.
    fn cause(&self) -> (&'static str, Severity, String) {
        let mut shape = String::with_capacity(self.observed.len());
        let mut in_number = false;
        for c in self.observed.chars() {
            if c.is_ascii_digit() {
                if !in_number {
                    shape.push('#');
                }
                in_number = true;
            } else {
                in_number = false;
                shape.push(c);
            }
        }
        (self.rule.id, self.severity, shape)
    }
}

/// One place a finding was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) struct Place {
    /// HTTP method (`GET` for a WebSocket handshake).
    pub(crate) method: String,
    /// Absolute URL.
    pub(crate) url: String,
    /// What was sent there, shortened (body or WebSocket message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sent: Option<String>,
    /// What was wrong there.
    pub(crate) observed: String,
}

impl Place {
    /// One line for reports: `GET http://h/x (sent: ...): observed`.
    pub(crate) fn render(&self) -> String {
        match &self.sent {
            Some(sent) => format!("{} {} ({sent}): {}", self.method, self.url, self.observed),
            None => format!("{} {}: {}", self.method, self.url, self.observed),
        }
    }
}

/// One finding per rule and root cause: sorts, drops exact repeats, and
/// lists the other places of a cause under its first finding.
pub(crate) fn group(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (
            a.rule.id,
            &a.request.url,
            &a.request.method,
            a.sequence,
            &a.request.body,
            &a.observed,
        )
            .cmp(&(
                b.rule.id,
                &b.request.url,
                &b.request.method,
                b.sequence,
                &b.request.body,
                &b.observed,
            ))
    });
    let mut out: Vec<Finding> = Vec::new();
    for finding in findings {
        let cause = finding.cause();
        match out.iter_mut().find(|f| f.cause() == cause) {
            Some(first) => {
                let place = finding.place();
                if place != first.place() && !first.also.contains(&place) {
                    first.also.push(place);
                }
            }
            None => out.push(finding),
        }
    }
    out.sort_by(|a, b| (b.severity, a.rule.id).cmp(&(a.severity, b.rule.id)));
    out
}

/// A probe that could not run, or a judgement that could not be made.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Skipped {
    /// The rules that went unchecked there.
    pub(crate) rules: Vec<&'static str>,
    /// Where (a URL).
    pub(crate) target: String,
    /// Why, one line.
    pub(crate) reason: String,
}

/// What a group of probes produced.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Findings.
    pub(crate) findings: Vec<Finding>,
    /// Probes that could not run, and why.
    pub(crate) skipped: Vec<Skipped>,
    /// Limits that cut something, one line each.
    pub(crate) caps: Vec<String>,
}

impl From<Vec<Finding>> for Outcome {
    fn from(findings: Vec<Finding>) -> Self {
        Outcome {
            findings,
            ..Outcome::default()
        }
    }
}

impl Outcome {
    /// Adds another outcome to this one.
    pub(crate) fn extend(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.skipped.extend(other.skipped);
        self.caps.extend(other.caps);
    }
}

/// Whether a finding counts for the exit code, after `--baseline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Baseline {
    /// No baseline was given.
    None,
    /// Not in the baseline: counts.
    New,
    /// Already in the baseline: reported, does not count.
    Known,
}

/// The result of a whole audit.
#[derive(Debug)]
pub(crate) struct Audit {
    /// The target URL.
    pub(crate) target: String,
    /// Requests and WebSocket handshakes actually sent.
    pub(crate) requests: usize,
    /// Findings, one per rule and root cause, most severe first, each with
    /// its baseline state.
    pub(crate) findings: Vec<(Finding, Baseline)>,
    /// Probes that could not run, and why.
    pub(crate) skipped: Vec<Skipped>,
    /// Limits that cut something.
    pub(crate) caps: Vec<String>,
    /// What the reader must know to weigh the findings: where the OpenAPI
    /// document came from, TLS certificates not checked.
    pub(crate) notes: Vec<String>,
    /// Findings left out by `--ignore` and `--only`.
    pub(crate) filtered: usize,
    /// `--fail-on`: the least severity that counts.
    pub(crate) fail_on: Severity,
}

impl Audit {
    /// The findings alone.
    pub(crate) fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().map(|(f, _)| f)
    }

    /// `true` when a finding counts for the exit code: at or above
    /// `--fail-on`, and not known from `--baseline`.
    pub(crate) fn counts(&self, finding: &Finding, state: Baseline) -> bool {
        state != Baseline::Known && finding.severity >= self.fail_on
    }

    /// `true` when any finding counts: the audit fails.
    pub(crate) fn failing(&self) -> bool {
        self.findings.iter().any(|(f, s)| self.counts(f, *s))
    }
}

/// One line, shortened, for lists of places.
fn shorten_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= 120 {
        return line.to_owned();
    }
    let cut: String = line.chars().take(120).collect();
    format!("{cut}…")
}

/// A finding about a `GET` of `url` that got no answer, for tests.
#[cfg(test)]
pub(crate) fn test_finding(rule: &'static Rule, url: &str, observed: &str) -> Finding {
    let exchange = Exchange {
        request: SentRequest {
            method: "GET".into(),
            url: url.into(),
            headers: vec![],
            body: None,
        },
        received: Received::Nothing { error: "x".into() },
    };
    Finding::new(rule, &exchange, observed, "expected")
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

    /// Sessions sent one at a time are grouped in the order sent: the
    /// first drop is the finding, the drops it caused are listed under it
    /// (a chat whose crashed client breaks every later broadcast).
    #[test]
    fn sequential_probes_group_in_the_order_sent() {
        let at = |body: &str, sequence: usize| {
            let mut f = test_finding(crate::rules::WS_DROPPED, "http://h/ws", "dropped");
            f.request.body = Some(body.into());
            f.sequence = Some(sequence);
            f
        };
        let grouped = group(vec![
            at("text (variant) `a` as a number", 3),
            at("text: {\"wirefault\": ", 1),
        ]);
        assert_eq!(grouped.len(), 1);
        assert_eq!(
            grouped[0].request.body.as_deref(),
            Some("text: {\"wirefault\": ")
        );
        assert_eq!(grouped[0].also.len(), 1);
    }

    #[test]
    fn one_finding_per_rule_and_root_cause() {
        use crate::rules;
        let finding = test_finding;
        let grouped = group(vec![
            finding(
                rules::HTTP_ERROR_NOT_TYPED,
                "http://h/b",
                "HTTP 405: text/plain",
            ),
            finding(
                rules::HTTP_ERROR_NOT_TYPED,
                "http://h/a",
                "HTTP 404: text/plain",
            ),
            finding(
                rules::HTTP_ERROR_NOT_TYPED,
                "http://h/a",
                "HTTP 404: text/plain",
            ),
            finding(
                rules::HTTP_ERROR_NOT_TYPED,
                "http://h/c",
                "HTTP 404: no content type",
            ),
            finding(
                rules::HTTP_401_NO_CHALLENGE,
                "http://h/a",
                "HTTP 401 without it",
            ),
            finding(rules::HTTP_BODY_5XX, "http://h/p", "HTTP 500"),
            finding(rules::WS_FOREIGN_ORIGIN, "http://h/ws", "accepted")
                .rated(Severity::Info, "anonymous"),
        ]);
        let summary: Vec<(&str, &str, usize)> = grouped
            .iter()
            .map(|f| (f.rule.id, f.request.url.as_str(), f.also.len()))
            .collect();
        // Most severe first; the 404 and the 405 of one format are one
        // finding, a different observation is another; exact repeats go.
        assert_eq!(
            summary,
            [
                ("WF-HTTP-004", "http://h/p", 0),
                ("WF-HTTP-007", "http://h/a", 1),
                ("WF-HTTP-007", "http://h/c", 0),
                ("WF-HTTP-009", "http://h/a", 0),
                ("WF-WS-001", "http://h/ws", 0),
            ]
        );
        assert_eq!(grouped[1].also[0].url, "http://h/b");
        assert_eq!(grouped[4].severity, Severity::Info);
        assert_eq!(grouped[4].context.as_deref(), Some("anonymous"));
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
