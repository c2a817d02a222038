//! JUnit XML: one test suite, one test case per rule; a rule with findings
//! fails, with every finding in the failure text.

use std::fmt::Write as _;

use crate::finding::{Audit, Baseline, Finding};
use crate::rules;

/// Escapes text for XML content and attributes; drops characters XML 1.0 forbids.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// One finding as text.
fn describe(f: &Finding) -> String {
    let mut text = format!(
        "{} {}\nsent: {}\nreceived: {}\nwrong: {}\nexpected: {}\nfix: {}\n",
        f.request.method,
        f.request.url,
        f.request.render(),
        f.received.render(),
        f.observed,
        f.expected,
        f.rule.fix
    );
    if let Some(context) = &f.context {
        let _ = writeln!(text, "context: {context}");
    }
    for place in &f.also {
        let _ = writeln!(text, "also seen: {}", place.render());
    }
    text.push('\n');
    text
}

/// Renders the JUnit report: a rule with findings that count for the exit
/// code (at or above `--fail-on`, not in the `--baseline`) fails; its other
/// findings go to the test case's output; a rule none of whose probes could
/// run is skipped.
pub(crate) fn render(audit: &Audit) -> String {
    let counted = |id: &str| {
        audit
            .findings
            .iter()
            .filter(|(f, state)| f.rule.id == id && audit.counts(f, *state))
            .map(|(f, _)| f)
            .collect::<Vec<_>>()
    };
    let others = |id: &str| {
        audit
            .findings
            .iter()
            .filter(|(f, state)| f.rule.id == id && !audit.counts(f, *state))
            .map(|(f, state)| {
                let known = if *state == Baseline::Known {
                    " (in the baseline)"
                } else {
                    ""
                };
                format!("{}{known}: {}", f.severity, describe(f))
            })
            .collect::<String>()
    };
    let skipped_reasons = |id: &str| {
        audit
            .skipped
            .iter()
            .filter(|s| s.rules.contains(&id))
            .map(|s| format!("{}: {}", s.target, s.reason))
            .collect::<Vec<_>>()
    };
    let failures = rules::ALL
        .iter()
        .filter(|r| !counted(r.id).is_empty())
        .count();
    let skipped = rules::ALL
        .iter()
        .filter(|r| counted(r.id).is_empty() && !skipped_reasons(r.id).is_empty())
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"wirefault\" tests=\"{0}\" failures=\"{1}\" skipped=\"{3}\">\n  <testsuite name=\"wirefault audit {2}\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" skipped=\"{3}\">",
        rules::ALL.len(),
        failures,
        escape(&audit.target),
        skipped,
    );
    for rule in rules::ALL {
        let found = counted(rule.id);
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}: {}\"",
            escape(rule.id.split('-').nth(1).unwrap_or("wirefault")),
            rule.id,
            escape(rule.title)
        );
        let other = others(rule.id);
        let output = if other.is_empty() {
            String::new()
        } else {
            format!("      <system-out>{}</system-out>\n", escape(&other))
        };
        if found.is_empty() {
            let reasons = skipped_reasons(rule.id);
            if reasons.is_empty() && output.is_empty() {
                out.push_str("/>\n");
            } else if reasons.is_empty() {
                let _ = write!(out, ">\n{output}    </testcase>\n");
            } else {
                let _ = write!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n{output}    </testcase>\n",
                    escape(&reasons.join("; "))
                );
            }
            continue;
        }
        let text: String = found.iter().map(|f| describe(f)).collect();
        let worst = found
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(rule.severity);
        let _ = write!(
            out,
            ">\n      <failure type=\"{}\" message=\"{} finding(s), severity {}\">{}</failure>\n{output}    </testcase>\n",
            rule.id,
            found.len(),
            worst,
            escape(&text)
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{0}b\nc"), "a\u{FFFD}b\nc");
    }
}
