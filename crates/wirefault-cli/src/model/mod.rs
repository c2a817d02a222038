//! A model of the target, learned before anything is judged: what its
//! OpenAPI document declares, how it answers the baseline probes (unknown
//! paths, real resources) and its own error style. The checks read it as
//! evidence; none of them sends anything.

pub(crate) mod cookies;
pub(crate) mod credentials;
pub(crate) mod declared;
pub(crate) mod shape;
pub(crate) mod style;

use crate::finding::Exchange;
use crate::probe::observe::{Observation, Probe};
use credentials::CredentialAnswers;
use declared::Declared;
use style::ErrorStyle;

/// What the audit knows about the target.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    /// The responses the document declares, per operation.
    pub(crate) declared: Vec<Declared>,
    /// Its error answers at paths it has.
    pub(crate) style: ErrorStyle,
    /// Its answers to unknown paths: the base URL's two, then the API's.
    pub(crate) unknown: Vec<Exchange>,
    /// Its answer to the API's own unknown path (under the paths' shared
    /// prefix), when there is one.
    pub(crate) api_unknown: Option<Exchange>,
    /// Its answers to `GET`s of paths it has, for comparing a miss with.
    pub(crate) found: Vec<Exchange>,
    /// Its answers to protected operations without and with bogus
    /// credentials.
    pub(crate) credentials: CredentialAnswers,
}

impl Model {
    /// Learns from the document's declared responses and every answer.
    pub(crate) fn learn(declared: Vec<Declared>, observations: &[Observation]) -> Model {
        let mut model = Model {
            declared,
            ..Model::default()
        };
        for observation in observations {
            if let Probe::Credential(attempt) = &observation.probe {
                model.credentials.learn(attempt, observation);
            }
            let Some(exchange) = observation.answer() else {
                continue;
            };
            match &observation.probe {
                Probe::UnknownPath | Probe::OtherUnknownPath => {
                    model.unknown.push(exchange.clone());
                }
                Probe::ApiUnknownPath => model.api_unknown = Some(exchange.clone()),
                Probe::Known => model.found.push(exchange.clone()),
                _ => {}
            }
            model.style.learn(exchange, style::reach(observation));
        }
        model
    }

    /// The answer to a `GET` of `url`, if one was sent.
    pub(crate) fn found_at(&self, url: &str) -> Option<&Exchange> {
        self.found.iter().find(|e| e.request.url == url)
    }

    /// The response the document declares for this exchange's operation
    /// and status.
    pub(crate) fn declared_for(&self, exchange: &Exchange) -> Option<&Declared> {
        let answer = exchange.received.http()?;
        let path = reqwest::Url::parse(&exchange.request.url).ok()?;
        declared::find(
            &self.declared,
            &exchange.request.method,
            path.path(),
            answer.status,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange_at, observed};

    #[test]
    fn learns_each_answer_for_what_it_is() {
        let json = ("content-type", "application/json");
        let observations = [
            observed(
                Probe::UnknownPath,
                exchange_at("GET", "/x", 404, &[], "no"),
                None,
            ),
            observed(
                Probe::ApiUnknownPath,
                exchange_at("GET", "/api/x", 404, &[], ""),
                None,
            ),
            observed(
                Probe::Known,
                exchange_at("GET", "/a/1", 200, &[json], "{}"),
                None,
            ),
            observed(
                Probe::WrongType { param: "id".into() },
                exchange_at("GET", "/a/x", 422, &[json], r#"{"detail":"x"}"#),
                None,
            ),
        ];
        let model = Model::learn(Vec::new(), &observations);
        assert_eq!(model.unknown.len(), 1);
        assert!(model.api_unknown.is_some());
        assert!(model.found_at("http://127.0.0.1:3000/a/1").is_some());
        // Only the handler's error teaches the style.
        assert_eq!(model.style.samples.len(), 1);
        assert_eq!(model.style.samples[0].status, 422);
    }
}
