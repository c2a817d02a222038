//! The JSON report: one document, stable field names.

use serde_json::{json, Value};

use crate::finding::{Audit, Finding};
use crate::rules::Severity;

/// One finding as JSON.
pub(crate) fn finding(f: &Finding) -> Value {
    json!({
        "rule": f.rule.id,
        "severity": f.rule.severity,
        "title": f.rule.title,
        "observed": f.observed,
        "expected": f.expected,
        "fix": f.rule.fix,
        "request": f.request,
        "response": f.received,
    })
}

/// Renders the JSON report.
pub(crate) fn render(audit: &Audit) -> String {
    let doc = json!({
        "tool": {"name": "wirefault", "version": env!("CARGO_PKG_VERSION")},
        "target": audit.target,
        "probes": audit.probes,
        "notes": audit.notes,
        "summary": {
            "error": super::count(audit, Severity::Error),
            "warning": super::count(audit, Severity::Warning),
            "info": super::count(audit, Severity::Info),
        },
        "findings": audit.findings.iter().map(finding).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
