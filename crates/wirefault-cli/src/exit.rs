//! Exit codes, documented in `wirefault --help` and `docs/rules.md`.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | no finding at or above `--fail-on` |
//! | 1 | at least one finding at or above `--fail-on` |
//! | 2 | usage error, refused or unreachable target, unreadable OpenAPI file |

use std::process::ExitCode;

/// No finding at or above `--fail-on`.
pub(crate) const CLEAN: u8 = 0;
/// Findings at or above `--fail-on`.
pub(crate) const FINDINGS: u8 = 1;
/// Usage or target error.
pub(crate) const USAGE: u8 = 2;

/// Prints an error with its causes and a hint, and returns exit code 2.
pub(crate) fn report_error(error: &anyhow::Error) -> ExitCode {
    eprintln!("wirefault: error: {error}");
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
    if let Some(crate::target::TargetError::Remote(_)) = error.downcast_ref() {
        eprintln!("  hint: pass --allow-remote if you own this service");
    }
    ExitCode::from(USAGE)
}
