//! The service's own error style, learned from the answers it gave during
//! the audit: when its other answers of one kind of error carry JSON, one
//! that does not has broken the service's own contract.

use reqwest::Url;

use super::shape::{self, Shape};
use crate::finding::Exchange;

/// One error answer seen at a path the service has.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// `METHOD URL`.
    pub(crate) place: String,
    /// Its status.
    pub(crate) status: u16,
    /// Its body's shape.
    pub(crate) shape: Shape,
}

/// The error answers seen, by kind of error.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorStyle {
    /// Every error answer from a path the service has.
    pub(crate) samples: Vec<Sample>,
}

/// Errors a client handles alike: refused input (400, 409, 413, 415,
/// 422), refused credentials (401, 403), absence (404, 410), server
/// failures (5xx); any other status is its own kind.
pub(crate) fn kind(status: u16) -> u16 {
    match status {
        400 | 409 | 413 | 415 | 422 => 400,
        401 | 403 => 401,
        404 | 410 => 404,
        500..=599 => 500,
        other => other,
    }
}

impl ErrorStyle {
    /// Adds an answer, when it is an error.
    pub(crate) fn learn(&mut self, exchange: &Exchange) {
        let Some(answer) = exchange.received.http() else {
            return;
        };
        if answer.status < 400 {
            return;
        }
        self.samples.push(Sample {
            place: place(exchange),
            status: answer.status,
            shape: shape::of(answer),
        });
    }

    /// Another answer of the same kind of error that a program can read,
    /// when `exchange`'s cannot: the service's own evidence that this one
    /// broke its style.
    pub(crate) fn readable_sibling(&self, exchange: &Exchange) -> Option<&Sample> {
        let answer = exchange.received.http()?;
        // The answer judged is never its own sibling: it is not readable.
        self.samples
            .iter()
            .find(|s| s.shape.is_readable() && kind(s.status) == kind(answer.status))
    }
}

/// `METHOD path` of a request, for messages and comparisons.
pub(crate) fn place(exchange: &Exchange) -> String {
    let path = Url::parse(&exchange.request.url)
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        })
        .unwrap_or_else(|_| exchange.request.url.clone());
    format!("{} {path}", exchange.request.method)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::exchange_at;

    #[test]
    fn a_readable_sibling_of_the_same_kind_is_evidence() {
        let mut style = ErrorStyle::default();
        let json = ("content-type", "application/json");
        let readable = exchange_at("POST", "/items", 422, &[json], r#"{"detail":"bad"}"#);
        let empty = exchange_at("POST", "/items", 400, &[], "");
        let gone = exchange_at("GET", "/items/9", 404, &[], "");
        style.learn(&readable);
        style.learn(&empty);
        style.learn(&gone);
        assert_eq!(style.readable_sibling(&empty).map(|s| s.status), Some(422));
        // A 404 is another kind of error: no evidence.
        assert!(style.readable_sibling(&gone).is_none());
    }
}
