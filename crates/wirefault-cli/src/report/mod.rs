//! Report formats.

mod human;
mod json;
mod junit;
mod sarif;

use crate::cli::Format;
use crate::finding::Audit;
use crate::rules::Severity;

/// Renders the audit in the chosen format.
pub(crate) fn render(audit: &Audit, format: Format) -> String {
    match format {
        Format::Human => human::render(audit),
        Format::Json => json::render(audit),
        Format::Sarif => sarif::render(audit),
        Format::Junit => junit::render(audit),
    }
}

/// Count of findings per severity.
pub(crate) fn count(audit: &Audit, severity: Severity) -> usize {
    audit
        .findings
        .iter()
        .filter(|f| f.rule.severity == severity)
        .count()
}
