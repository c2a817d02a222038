//! How the target answered its protected operations without a credential
//! and with bogus ones: the credential checks weigh each answer against
//! the others of the same operation.

use crate::probe::credentials::{first_status, Attempt};
use crate::probe::observe::Observation;

/// One credential probe's first answer (before any redirect).
#[derive(Debug, Clone)]
pub(crate) struct CredentialAnswer {
    /// `METHOD URL` of the operation.
    pub(crate) operation: String,
    /// `true` for a bogus credential, `false` for none.
    pub(crate) bogus: bool,
    /// The status.
    pub(crate) status: u16,
}

/// Every credential probe's answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct CredentialAnswers {
    /// In the order learned.
    pub(crate) answers: Vec<CredentialAnswer>,
}

impl CredentialAnswers {
    /// Records the answer to one attempt.
    pub(crate) fn learn(&mut self, attempt: &Attempt, observation: &Observation) {
        if let Some(status) = first_status(observation) {
            self.answers.push(CredentialAnswer {
                operation: attempt.operation.clone(),
                bogus: attempt.bogus,
                status,
            });
        }
    }

    /// The status of the request without a credential on `operation`.
    pub(crate) fn without(&self, operation: &str) -> Option<u16> {
        self.answers
            .iter()
            .find(|a| a.operation == operation && !a.bogus)
            .map(|a| a.status)
    }

    /// `true` when a bogus credential on `operation` was refused (401, 403).
    pub(crate) fn bogus_refused(&self, operation: &str) -> bool {
        self.answers
            .iter()
            .any(|a| a.operation == operation && a.bogus && matches!(a.status, 401 | 403))
    }
}
