//! The service's own error style, learned from the answers it gave during
//! the audit: when its handlers' other errors, or its other answers of the
//! same kind of error, carry JSON, one that does not has broken the
//! service's own contract. A router's answer for a path it does not have
//! is the framework's, not the service's: it neither teaches nor breaks
//! the style.

use reqwest::Url;

use super::shape::{self, Shape};
use crate::finding::Exchange;
use crate::probe::observe::{Observation, Probe};

/// How far a request got into the service: whose error style its answer
/// shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// No route: an unknown path, a path that answered 404, 405 or 410
    /// to `GET`, a method answered 404, 405 or 501 (the router's or the
    /// framework's own answer).
    Router,
    /// A route, not its handler: a method the route does not have,
    /// answered by something else than the router (middleware).
    Route,
    /// A handler: a resource it looks up, a parameter or body it reads,
    /// a page it serves.
    Handler,
}

/// How far an observation's request got.
pub(crate) fn reach(observation: &Observation) -> Reach {
    let status = observation
        .answer()
        .and_then(|e| e.received.http())
        .map_or(0, |a| a.status);
    match &observation.probe {
        Probe::UnknownPath | Probe::OtherUnknownPath | Probe::ApiUnknownPath => Reach::Router,
        Probe::Known if matches!(status, 404 | 405 | 410) => Reach::Router,
        // No route for the method: the router answers (404 from one
        // without 405).
        Probe::WrongMethod if matches!(status, 404 | 405 | 501) => Reach::Router,
        Probe::WrongMethod => Reach::Route,
        _ => Reach::Handler,
    }
}

/// One error answer seen at a path the service has.
#[derive(Debug, Clone)]
pub(crate) struct Sample {
    /// `METHOD URL`.
    pub(crate) place: String,
    /// Its status.
    pub(crate) status: u16,
    /// Its body's shape.
    pub(crate) shape: Shape,
    /// How far its request got.
    pub(crate) reach: Reach,
}

/// The error answers seen, by kind of error.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorStyle {
    /// Every error answer from a route the service has.
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
    /// Adds an answer, when it is an error from a route.
    pub(crate) fn learn(&mut self, exchange: &Exchange, reach: Reach) {
        let Some(answer) = exchange.received.http() else {
            return;
        };
        if answer.status < 400 || reach == Reach::Router {
            return;
        }
        self.samples.push(Sample {
            place: place(exchange),
            status: answer.status,
            shape: shape::of(answer),
            reach,
        });
    }

    /// An error answer a program can read, when `exchange`'s cannot: one
    /// of the same kind of error from a route, or, for a handler's answer,
    /// any other handler's. The service's own evidence that this one broke
    /// its style; never for a router's answer.
    pub(crate) fn readable_sibling(&self, exchange: &Exchange, reach: Reach) -> Option<&Sample> {
        let answer = exchange.received.http()?;
        if reach == Reach::Router {
            return None;
        }
        // The answer judged is never its own sibling: it is not readable.
        self.samples.iter().find(|s| {
            s.shape.is_readable()
                && (kind(s.status) == kind(answer.status)
                    || (reach == Reach::Handler && s.reach == Reach::Handler))
        })
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
    fn a_readable_sibling_is_evidence() {
        let mut style = ErrorStyle::default();
        let json = ("content-type", "application/json");
        let readable = exchange_at("GET", "/items/9", 404, &[json], r#"{"detail":"no"}"#);
        let empty = exchange_at("POST", "/items", 400, &[], "");
        let stock = exchange_at("GET", "/missing", 404, &[], "404 page not found");
        let method = exchange_at("TRACE", "/items", 405, &[], "Method Not Allowed");
        style.learn(&readable, Reach::Handler);
        style.learn(&stock, Reach::Router);
        assert_eq!(style.samples.len(), 1, "a router's answer teaches nothing");
        // Another handler's readable error is evidence for a handler's.
        assert_eq!(
            style
                .readable_sibling(&empty, Reach::Handler)
                .map(|s| s.status),
            Some(404)
        );
        // Not for a router's answer, nor for another kind at a route.
        assert!(style.readable_sibling(&stock, Reach::Router).is_none());
        assert!(style.readable_sibling(&method, Reach::Route).is_none());
    }
}
