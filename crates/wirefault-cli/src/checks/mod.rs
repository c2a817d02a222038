//! The rules as pure functions of what a probe observed and the model of
//! the target: each file states one rule (or one family of answers) and
//! its unit tests. Nothing here sends a request.
//!
//! A new rule is a new file and a line in [`judge`]; a new piece of
//! evidence is a field of [`Model`] read where it matters.

pub(crate) mod answer;
pub(crate) mod bad_body;
pub(crate) mod crash;
pub(crate) mod credentials;
pub(crate) mod error_body;
pub(crate) mod leak;
pub(crate) mod missing_resource;
pub(crate) mod reproduce;
pub(crate) mod required_headers;
pub(crate) mod unknown_path;
pub(crate) mod wrong_method;
pub(crate) mod wrong_type;

#[cfg(test)]
pub(crate) mod testing;

use crate::finding::{Exchange, Finding};
use crate::model::Model;
use crate::probe::observe::{Observation, Probe};

/// Every finding one observation shows, judged against the model.
pub(crate) fn judge(observation: &Observation, model: &Model) -> Vec<Finding> {
    let Some(exchange) = observation.answer() else {
        return Vec::new();
    };
    let mut findings = match &observation.probe {
        // Evidence for other checks only.
        Probe::OtherUnknownPath | Probe::ApiUnknownPath => return Vec::new(),
        _ => answer::check(exchange, crate::model::style::reach(observation), model),
    };
    findings.extend(match &observation.probe {
        Probe::UnknownPath => unknown_path::check(observation, model),
        Probe::WrongMethod => wrong_method::check(observation, model),
        Probe::MissingResource { .. } => missing_resource::check(observation, model),
        Probe::WrongType { .. } => wrong_type::check(observation),
        Probe::BadBody(_) => bad_body::check(observation),
        Probe::Credential(_) => credentials::check(observation, model),
        Probe::Known | Probe::OtherUnknownPath | Probe::ApiUnknownPath => None,
    });
    findings
}

/// The checks every answer gets, with no model to weigh them against (a
/// refused WebSocket handshake, judged where it is sent).
pub(crate) fn judge_answer(exchange: &Exchange) -> Vec<Finding> {
    answer::check(
        exchange,
        crate::model::style::Reach::Router,
        &Model::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{exchange, observed};

    /// Evidence-only probes are never judged; a probe not run has nothing
    /// to judge.
    #[test]
    fn only_judged_probes_are_judged() {
        let empty = || exchange(500, &[], "");
        let model = Model::default();
        assert!(judge(&observed(Probe::OtherUnknownPath, empty(), None), &model).is_empty());
        assert!(judge(&observed(Probe::ApiUnknownPath, empty(), None), &model).is_empty());
        assert!(!judge(&observed(Probe::UnknownPath, empty(), None), &model).is_empty());
        let mut not_run = observed(Probe::UnknownPath, empty(), None);
        not_run.not_run = true;
        assert!(judge(&not_run, &model).is_empty());
    }
}
