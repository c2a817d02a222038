//! A model of the target, learned before anything is judged: what its
//! OpenAPI document declares, how it answers the baseline probes (unknown
//! paths, real resources) and its own error style. The checks read it as
//! evidence; none of them sends anything.

pub(crate) mod declared;
pub(crate) mod shape;
pub(crate) mod style;

use crate::finding::Exchange;
use crate::probe::observe::{Observation, Probe};
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
}

impl Model {
    /// Learns from the document's declared responses and every answer.
    pub(crate) fn learn(declared: Vec<Declared>, observations: &[Observation]) -> Model {
        let mut model = Model {
            declared,
            ..Model::default()
        };
        for observation in observations {
            let Some(exchange) = observation.answer() else {
                continue;
            };
            match &observation.probe {
                Probe::UnknownPath | Probe::OtherUnknownPath => {
                    model.unknown.push(exchange.clone());
                }
                Probe::ApiUnknownPath => model.api_unknown = Some(exchange.clone()),
                Probe::Known => {
                    model.found.push(exchange.clone());
                    model.style.learn(exchange);
                }
                _ => model.style.learn(exchange),
            }
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
