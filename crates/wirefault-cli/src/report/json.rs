//! The JSON report: one document, stable field names.

use serde_json::{json, Value};

use crate::finding::{Audit, Baseline, Finding};
use crate::rules::Severity;

/// One finding as JSON.
pub(crate) fn finding(f: &Finding, state: Baseline) -> Value {
    let mut value = json!({
        "rule": f.rule.id,
        "severity": f.severity,
        "title": f.rule.title,
        "observed": f.observed,
        "expected": f.expected,
        "fix": f.rule.fix,
        "request": f.request,
        "response": f.received,
        "also_seen": f.also,
    });
    if let Some(context) = &f.context {
        value["context"] = json!(context);
    }
    if let Some(word) = super::baseline_word(state) {
        value["baseline"] = json!(word);
    }
    value
}

/// Renders the JSON report.
pub(crate) fn render(audit: &Audit) -> String {
    let doc = json!({
        "tool": {"name": "wirefault", "version": env!("CARGO_PKG_VERSION")},
        "target": audit.target,
        "requests": audit.requests,
        "notes": audit.notes,
        "summary": {
            "error": super::count(audit, Severity::Error),
            "warning": super::count(audit, Severity::Warning),
            "info": super::count(audit, Severity::Info),
            "known": super::known(audit),
            "filtered": audit.filtered,
        },
        "findings": audit.findings.iter().map(|(f, s)| finding(f, *s)).collect::<Vec<_>>(),
        "skipped": audit.skipped,
        "caps": audit.caps,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
