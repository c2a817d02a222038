//! The rule table: every check the auditor makes, with a stable id.
//!
//! The long documentation of each rule (why, and how to fix it in axum,
//! FastAPI and Express) lives in `docs/rules.md` at the repository root, one
//! `## ID` section per rule, embedded here so `wirefault explain ID` works
//! offline.

use std::fmt;

/// The full rule documentation, embedded at build time. `rules.md` in the
/// crate is a symbolic link to `docs/rules.md` (the one source), so the
/// published crate carries the text (`cargo package` copies a link's target).
pub(crate) const RULES_MD: &str = include_str!("../rules.md");

/// How bad a finding is; ordered, so `--fail-on` can compare. The model
/// is written at the top of `docs/rules.md`: error for a security hole or
/// behaviour the protocol forbids, warning when a client or browser gets
/// less than the spec promises, info for recommendations beyond the specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    /// A recommendation beyond the specs.
    Info,
    /// A client or a browser gets less than the spec promises.
    Warning,
    /// A security hole, or behaviour the protocol forbids.
    Error,
}

impl Severity {
    /// The lowercase name used in every report format.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One row of the table.
#[derive(Debug)]
pub(crate) struct Rule {
    /// Stable id, e.g. `WF-HTTP-001`.
    pub(crate) id: &'static str,
    /// Highest severity; a finding may be rated lower by the context its
    /// probe saw (see [`crate::finding::Finding::rated`]).
    pub(crate) severity: Severity,
    /// One line.
    pub(crate) title: &'static str,
    /// One line: what to change.
    pub(crate) fix: &'static str,
}

macro_rules! rules {
    ($($konst:ident = $id:literal, $sev:ident, $title:literal, $fix:literal;)*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $title)]
            pub(crate) const $konst: &Rule = &Rule { id: $id, severity: Severity::$sev, title: $title, fix: $fix };
        )*
        /// Every rule, in documentation order.
        pub(crate) const ALL: &[&Rule] = &[$($konst),*];
    };
}

rules! {
    HTTP_UNKNOWN_PATH = "WF-HTTP-001", Error, "Unknown path not answered 404",
        "route unknown paths to a 404 fallback (no catch-all 200, no redirect, no 5xx)";
    HTTP_WRONG_METHOD = "WF-HTTP-002", Warning, "Wrong method not answered 405",
        "answer a method the route does not support with 405 and an Allow header";
    HTTP_405_NO_ALLOW = "WF-HTTP-003", Warning, "405 without an Allow header",
        "list the route's methods in Allow on every 405 (RFC 9110 15.5.6)";
    HTTP_BODY_5XX = "WF-HTTP-004", Error, "Malformed or invalid input answered 5xx",
        "validate bodies and parameters; answer 400 (malformed) or 422 (invalid) with problem details";
    HTTP_BODY_2XX = "WF-HTTP-005", Error, "Malformed or invalid body answered 2xx",
        "reject a body that does not parse or does not match the schema with 400/422";
    HTTP_ERROR_NO_BODY = "WF-HTTP-006", Warning, "Error response without a body",
        "give every 4xx/5xx an application/problem+json body (RFC 9457)";
    HTTP_ERROR_NOT_TYPED = "WF-HTTP-007", Warning, "Error body not machine-readable",
        "answer errors as application/problem+json with type, title and status";
    HTTP_5XX_LEAK = "WF-HTTP-008", Error, "5xx body leaks internals",
        "log the error chain server-side; send a generic title and a request id";
    HTTP_401_NO_CHALLENGE = "WF-HTTP-009", Warning, "401 without WWW-Authenticate",
        "send WWW-Authenticate with every 401 (RFC 9110 11.6.1), or use 403";
    HTTP_NO_RETRY_AFTER = "WF-HTTP-010", Warning, "429 or 503 without Retry-After",
        "tell clients when to retry: Retry-After on every 429 and 503";
    HTTP_AUTH_2XX = "WF-HTTP-011", Error, "Protected operation answered 2xx without a valid credential",
        "check the credential on every protected route before the handler runs; answer 401 or 403";
    HTTP_CRASH = "WF-HTTP-012", Error, "Request crashed the service",
        "catch errors in every handler and answer bad input with 4xx; never let one request end the process";
    CORS_WILDCARD_CREDENTIALS = "WF-CORS-001", Error, "Wildcard origin with credentials",
        "list the allowed origins exactly; never combine `*` with Allow-Credentials";
    CORS_REFLECT_ANY = "WF-CORS-002", Error, "Any origin reflected with credentials",
        "match Origin against an exact allowlist instead of echoing it";
    CORS_NULL_ORIGIN = "WF-CORS-003", Error, "null origin allowed with credentials",
        "never allow the `null` origin (sandboxed iframes, file: pages send it)";
    CORS_SLOPPY_MATCH = "WF-CORS-004", Error, "Sloppy origin matching",
        "compare whole origins (scheme, host, port), not prefixes, suffixes or regexes";
    CORS_NO_VARY = "WF-CORS-005", Warning, "Origin-dependent CORS answer without Vary: Origin",
        "add `Vary: Origin` to every response whose CORS headers depend on Origin";
    CORS_PREFLIGHT_WILDCARD = "WF-CORS-006", Warning, "Wildcard CORS list with credentials",
        "list methods, headers and exposed headers explicitly when credentials are allowed";
    CORS_UNEXPOSED_HEADER = "WF-CORS-007", Warning, "Custom header not exposed to the browser",
        "add the header to Access-Control-Expose-Headers";
    WS_FOREIGN_ORIGIN = "WF-WS-001", Error, "WebSocket handshake from a foreign origin accepted",
        "check Origin against the CORS allowlist and answer 403 before the upgrade";
    WS_DROPPED = "WF-WS-002", Error, "Bad input answered by a dropped connection (1006)",
        "end the session with a close frame (1007/1003/1009/1008) and a short reason";
    WS_NO_CLOSE = "WF-WS-003", Warning, "Bad input answered by no close",
        "close the session on a message it cannot take, within a bounded time";
    WS_BAD_CLOSE_CODE = "WF-WS-004", Error, "Invalid or reserved close code",
        "close with 1000-1003, 1007-1013 or 3000-4999, always with a code";
    WS_LONG_REASON = "WF-WS-005", Error, "Close reason over 123 bytes",
        "cut close reasons to 123 UTF-8 bytes on a character boundary";
    WS_REASON_LEAK = "WF-WS-006", Error, "Close reason leaks internals",
        "send a generic reason for server errors; log the details";
    WS_HTTP_AFTER_UPGRADE = "WF-WS-007", Error, "HTTP error sent after the upgrade",
        "after the upgrade, report errors with a close frame, not an HTTP response";
    WS_NO_CLOSE_ANSWER = "WF-WS-008", Warning, "Close frame not answered with a close frame",
        "answer the client's close frame with a close frame before closing TCP (RFC 6455 §5.5.1)";
}

/// The rule with this id, case-insensitively.
pub(crate) fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// The `## ID` section of `docs/rules.md` for this rule.
pub(crate) fn docs(rule: &Rule) -> Option<&'static str> {
    let heading = format!("## {}", rule.id);
    let start = RULES_MD.find(&heading)?;
    let rest = &RULES_MD[start..];
    let end = rest[heading.len()..]
        .find("\n## ")
        .map_or(rest.len(), |i| i + heading.len() + 1);
    Some(rest[..end].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(a.id.starts_with("WF-"), "{}", a.id);
            for b in &ALL[i + 1..] {
                assert_ne!(a.id, b.id);
            }
        }
    }

    #[test]
    fn every_rule_has_a_section_with_its_title() {
        for rule in ALL {
            let section = docs(rule).unwrap_or_else(|| panic!("no section for {}", rule.id));
            let first = section.lines().next().unwrap_or_default();
            assert_eq!(first, format!("## {}: {}", rule.id, rule.title));
            // The rule's highest severity comes first on its `Severity:` line.
            let stated = section
                .split("Severity: ")
                .nth(1)
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_alphabetic()).next());
            assert_eq!(stated, Some(rule.severity.as_str()), "{}", rule.id);
            assert!(section.contains("axum"), "{}", rule.id);
            assert!(section.contains("FastAPI"), "{}", rule.id);
            assert!(section.contains("Express"), "{}", rule.id);
        }
    }

    #[test]
    fn every_section_names_a_rule() {
        for line in RULES_MD.lines().filter(|l| l.starts_with("## WF-")) {
            let id = line
                .trim_start_matches("## ")
                .split(':')
                .next()
                .unwrap_or_default();
            assert!(find(id).is_some(), "section {id} has no rule");
        }
    }

    #[test]
    fn the_severity_model_heads_the_docs() {
        let model = RULES_MD.find("## Severity").unwrap_or(usize::MAX);
        let first_rule = RULES_MD.find("## WF-").unwrap_or(0);
        assert!(model < first_rule);
        for word in ["**error**", "**warning**", "**info**"] {
            assert!(RULES_MD[model..first_rule].contains(word), "{word}");
        }
    }

    #[test]
    fn find_ignores_case() {
        assert_eq!(find("wf-http-001").map(|r| r.id), Some("WF-HTTP-001"));
        assert!(find("WF-NOPE-1").is_none());
    }
}
