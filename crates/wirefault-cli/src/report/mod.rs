//! Report formats.

mod human;
mod json;
mod junit;
mod sarif;

use crate::cli::Format;
use crate::finding::{Audit, Baseline};
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

/// Count of findings per severity (known baseline findings included).
pub(crate) fn count(audit: &Audit, severity: Severity) -> usize {
    audit.findings().filter(|f| f.severity == severity).count()
}

/// Count of findings already in the baseline.
pub(crate) fn known(audit: &Audit) -> usize {
    audit
        .findings
        .iter()
        .filter(|(_, state)| *state == Baseline::Known)
        .count()
}

/// The word for a baseline state, if a baseline was given.
pub(crate) fn baseline_word(state: Baseline) -> Option<&'static str> {
    match state {
        Baseline::None => None,
        Baseline::New => Some("new"),
        Baseline::Known => Some("known"),
    }
}
