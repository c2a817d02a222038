//! The readable report.

use std::fmt::Write as _;

use crate::finding::Audit;
use crate::rules::Severity;

fn indent(text: &str, label: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let head = if i == 0 {
            format!("  {label:<10}")
        } else {
            " ".repeat(12)
        };
        let _ = writeln!(out, "{head}{line}");
    }
    out
}

/// Renders the human report.
pub(crate) fn render(audit: &Audit) -> String {
    let mut out = String::new();
    let n = audit.findings.len();
    let _ = writeln!(
        out,
        "wirefault audit {}: {} probes, {} finding{} ({} error, {} warning, {} info)",
        audit.target,
        audit.probes,
        n,
        if n == 1 { "" } else { "s" },
        super::count(audit, Severity::Error),
        super::count(audit, Severity::Warning),
        super::count(audit, Severity::Info),
    );
    for note in &audit.notes {
        let _ = writeln!(out, "note: {note}");
    }
    for f in &audit.findings {
        let _ = writeln!(
            out,
            "\n{:<7} {}  {}",
            f.rule.severity.as_str().to_uppercase(),
            f.rule.id,
            f.rule.title
        );
        out.push_str(&indent(&f.request.render(), "sent"));
        out.push_str(&indent(&f.received.render(), "received"));
        out.push_str(&indent(&f.observed, "wrong"));
        out.push_str(&indent(&f.expected, "expected"));
        out.push_str(&indent(
            &format!("{} (wirefault explain {})", f.rule.fix, f.rule.id),
            "fix",
        ));
    }
    if n == 0 {
        out.push_str("\nno findings\n");
    }
    out
}
