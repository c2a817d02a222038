//! WF-HTTP-001 on a path that cannot exist. What HTTP says first: 404 and
//! 410 are right, and so is any answer about the path (426 with `Upgrade`
//! from a WebSocket-only server, 405 with `Allow` for a templated route of
//! another method), or one that comes before routing (401, 403, 429,
//! 503). Redirects are followed and judged where they land. Then
//! evidence: a 5xx that reproduces, or a 2xx whose body says the request
//! failed, is a mistake; a catch-all page or answer is only noted, and so
//! is a route that uses the segment (`/{name}`).

use crate::finding::{Exchange, Finding, HttpAnswer};
use crate::model::shape::{self, Shape};
use crate::model::Model;
use crate::probe::http::{UNKNOWN_PATH, UNKNOWN_PATH_2};
use crate::probe::observe::Observation;
use crate::rules::{self, Severity};

/// Judges the base URL's unknown path, against the model's other unknown
/// paths.
pub(crate) fn check(observation: &Observation, model: &Model) -> Option<Finding> {
    let exchange = observation.answer()?;
    let answer = exchange.received.http()?;
    let finding = |observed: String| {
        Finding::new(
            rules::HTTP_UNKNOWN_PATH,
            exchange,
            observed,
            "HTTP 404 with a problem+json body",
        )
    };
    let landed = landed(observation);
    match answer.status {
        404 | 410 | 401 | 403 | 429 | 503 => None,
        426 if answer.header("upgrade").is_some() => None,
        405 => None,
        300..=399 => Some(
            finding(format!(
                "an unknown path was answered HTTP {}",
                answer.status
            ))
            .rated(
                Severity::Info,
                "a redirect the auditor does not follow (another host, or more than 3 hops)",
            ),
        ),
        400..=499 => Some(
            finding(format!(
                "an unknown path was answered HTTP {}",
                answer.status
            ))
            .rated(
                Severity::Info,
                "a client error: the client is told the request failed, though 404 says best why",
            ),
        ),
        500..=599 => Some(super::reproduce::rate(
            finding(format!(
                "an unknown path{landed} was answered HTTP {}",
                answer.status
            )),
            observation,
        )),
        _ => success(exchange, answer, model, &landed).map(|(observed, rating)| {
            let finding = finding(observed);
            match rating {
                Some((severity, why)) => finding.rated(severity, why),
                None => finding,
            }
        }),
    }
}

/// ", after redirects to URL" when the chain was followed.
fn landed(observation: &Observation) -> String {
    match (observation.chain.len(), observation.answer()) {
        (n, Some(last)) if n > 1 => format!(" (redirected to {})", last.request.url),
        _ => String::new(),
    }
}

type Judged = (String, Option<(Severity, String)>);

/// A 2xx for an unknown path: the observation and its rating (`None`: the
/// rule's own severity), or nothing when the route uses the segment.
fn success(
    exchange: &Exchange,
    answer: &HttpAnswer,
    model: &Model,
    landed: &str,
) -> Option<Judged> {
    let other = model
        .unknown
        .iter()
        .find(|e| e.request.method == "GET" && e.request.url != exchange.request.url);
    let uses_segment = other.and_then(|e| e.received.http()).is_some_and(|b| {
        (200..300).contains(&b.status)
            && answer.body != b.body
            && answer.body.contains(UNKNOWN_PATH)
            && b.body.contains(UNKNOWN_PATH_2)
    });
    if uses_segment {
        return None;
    }
    let observed = format!(
        "an unknown path{landed} was answered HTTP {}",
        answer.status
    );
    if shape::says_it_failed(&answer.body) {
        return Some((format!("{observed} with a body that says it failed"), None));
    }
    let api = model.api_unknown.as_ref();
    let api_answer = api.and_then(|e| e.received.http());
    if let (Some(api), Some(api_answer)) = (api, api_answer) {
        if (200..300).contains(&api_answer.status) {
            return Some((
                observed,
                Some((
                    Severity::Warning,
                    format!(
                        "the API's own unknown path {} is answered HTTP {} too: a client of the \
                         API is told a mistyped call succeeded",
                        api.request.url, api_answer.status
                    ),
                )),
            ));
        }
        if shape::of(answer) == Shape::Page {
            return Some((
                observed,
                Some((
                    Severity::Info,
                    format!(
                        "a page served outside the API (a single-page app's fallback for its \
                         client-side routes); the API's unknown path {} is answered HTTP {}",
                        api.request.url, api_answer.status
                    ),
                )),
            ));
        }
    }
    Some((
        observed,
        Some((
            Severity::Info,
            "a catch-all answer (a home page, a fallback route): nothing in it says the request \
             failed"
                .to_owned(),
        )),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, exchange_at, observed, rated, PROBLEM, PROBLEM_CT};
    use crate::probe::observe::Probe;

    fn at(exchange: Exchange) -> Observation {
        observed(Probe::UnknownPath, exchange, None)
    }

    fn judge(e: Exchange, model: &Model) -> Vec<(&'static str, Severity)> {
        rated(&check(&at(e), model).into_iter().collect::<Vec<_>>())
    }

    #[test]
    fn answers_about_the_path_are_right() {
        let model = Model::default();
        assert!(judge(exchange(404, &[PROBLEM_CT], PROBLEM), &model).is_empty());
        assert!(judge(exchange(429, &[("retry-after", "1")], ""), &model).is_empty());
        let ws_only = exchange(426, &[("upgrade", "websocket")], "Upgrade Required");
        assert!(judge(ws_only, &model).is_empty());
        assert!(judge(exchange(405, &[("allow", "POST")], ""), &model).is_empty());
    }

    /// A 301 that adds a slash lands on a page that takes any name: the
    /// landing is judged, and a greeting is no failure.
    #[test]
    fn redirects_are_judged_where_they_land() {
        let model = Model::default();
        let mut chain = at(exchange(301, &[("location", "/x/")], ""));
        chain.chain.push(exchange(404, &[], ""));
        assert!(check(&chain, &model).is_none());
        let mut home = at(exchange(301, &[("location", "/x/")], ""));
        home.chain.push(exchange(
            200,
            &[("content-type", "text/html")],
            "<p>Hello x</p>",
        ));
        let finding = check(&home, &model).unwrap();
        assert_eq!(finding.severity, Severity::Info);
        assert!(finding.observed.contains("redirected"));
        let away = exchange(302, &[("location", "https://login.example/")], "");
        assert_eq!(judge(away, &model), [("WF-HTTP-001", Severity::Info)]);
    }

    #[test]
    fn a_catch_all_is_info_unless_it_says_it_failed() {
        let model = Model::default();
        let page = exchange(200, &[("content-type", "text/html")], "<html>home</html>");
        assert_eq!(judge(page, &model), [("WF-HTTP-001", Severity::Info)]);
        let lie = exchange(
            200,
            &[("content-type", "application/json")],
            r#"{"error":"not found"}"#,
        );
        assert_eq!(judge(lie, &model), [("WF-HTTP-001", Severity::Error)]);
    }

    #[test]
    fn a_5xx_must_reproduce() {
        let model = Model::default();
        let crash = exchange(500, &[], "");
        let again = observed(Probe::UnknownPath, crash.clone(), Some(crash.clone()));
        assert_eq!(check(&again, &model).unwrap().severity, Severity::Error);
        let once = observed(Probe::UnknownPath, crash, Some(exchange(404, &[], "")));
        assert_eq!(check(&once, &model).unwrap().severity, Severity::Info);
    }

    /// A `/{name}` greeting uses the segment: not a fallback.
    #[test]
    fn a_route_that_uses_the_segment_is_not_a_fallback() {
        let hello = |path: &str| {
            exchange_at(
                "GET",
                &format!("/{path}"),
                200,
                &[],
                &format!("Hello {path}"),
            )
        };
        let model = Model {
            unknown: vec![hello(UNKNOWN_PATH), hello(UNKNOWN_PATH_2)],
            ..Model::default()
        };
        assert!(check(&at(hello(UNKNOWN_PATH)), &model).is_none());
    }

    /// A single-page app's page outside the API, whose own unknown paths
    /// are 404: info. The same 200 over the API: a warning.
    #[test]
    fn a_page_over_the_api_is_a_warning() {
        let html = ("content-type", "text/html; charset=utf-8");
        let spa = exchange(200, &[html], "<!doctype html><div id=root></div>");
        let json = ("content-type", "application/json");
        let api_404 = exchange_at("GET", "/api/x", 404, &[json], r#"{"message":"Not found"}"#);
        let outside = Model {
            api_unknown: Some(api_404),
            ..Model::default()
        };
        let finding = check(&at(spa.clone()), &outside).unwrap();
        assert_eq!(finding.severity, Severity::Info);
        assert!(finding.context.unwrap().contains("single-page"));
        let over = Model {
            api_unknown: Some(exchange_at(
                "GET",
                "/api/x",
                200,
                &[html],
                "<!doctype html>",
            )),
            ..Model::default()
        };
        assert_eq!(judge(spa, &over), [("WF-HTTP-001", Severity::Warning)]);
    }
}
