//! The readable report.

use std::fmt::Write as _;

use crate::finding::{Audit, Baseline};
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
    let _ = write!(
        out,
        "wirefault audit {}: {} request{} sent, {} finding{} ({} error, {} warning, {} info)",
        audit.target,
        audit.requests,
        if audit.requests == 1 { "" } else { "s" },
        n,
        if n == 1 { "" } else { "s" },
        super::count(audit, Severity::Error),
        super::count(audit, Severity::Warning),
        super::count(audit, Severity::Info),
    );
    let known = super::known(audit);
    if known > 0 {
        let _ = write!(out, ", {known} in the baseline");
    }
    if audit.filtered > 0 {
        let _ = write!(out, ", {} left out by --only/--ignore", audit.filtered);
    }
    out.push('\n');
    for note in &audit.notes {
        let _ = writeln!(out, "note: {note}");
    }
    for (f, state) in &audit.findings {
        let mark = if *state == Baseline::Known {
            "  (in the baseline)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "\n{:<7} {}  {}{mark}",
            f.severity.as_str().to_uppercase(),
            f.rule.id,
            f.rule.title
        );
        out.push_str(&indent(&f.request.render(), "sent"));
        out.push_str(&indent(&f.received.render(), "received"));
        out.push_str(&indent(&f.observed, "wrong"));
        out.push_str(&indent(&f.expected, "expected"));
        if let Some(context) = &f.context {
            out.push_str(&indent(context, "context"));
        }
        if !f.also.is_empty() {
            let places: Vec<String> = f.also.iter().map(|p| p.render()).collect();
            out.push_str(&indent(&places.join("\n"), "also seen"));
        }
        out.push_str(&indent(
            &format!("{} (wirefault explain {})", f.rule.fix, f.rule.id),
            "fix",
        ));
    }
    if n == 0 {
        out.push_str("\nno findings\n");
    }
    if !audit.skipped.is_empty() {
        out.push_str("\nnot checked:\n");
        for s in &audit.skipped {
            let _ = writeln!(out, "  {} {}: {}", s.target, s.rules.join(", "), s.reason);
        }
    }
    if !audit.caps.is_empty() {
        out.push_str("\nlimits reached:\n");
        for cap in &audit.caps {
            let _ = writeln!(out, "  {cap}");
        }
    }
    out
}
