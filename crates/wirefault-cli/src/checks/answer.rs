//! The checks every HTTP answer gets: its error body (WF-HTTP-006/007),
//! a 5xx's leaks (WF-HTTP-008) and the headers its status requires
//! (WF-HTTP-003/009/010). A refused WebSocket handshake's body and
//! challenge are never shown to a page, so they are only noted there.

use crate::finding::{Exchange, Finding};
use crate::model::style::Reach;
use crate::model::Model;
use crate::rules::{self, Severity};

/// Judges one answer, from a request that got as far as `reach`.
pub(crate) fn check(exchange: &Exchange, reach: Reach, model: &Model) -> Vec<Finding> {
    let mut findings: Vec<Finding> = super::error_body::check(exchange, reach, model)
        .into_iter()
        .chain(super::leak::check(exchange))
        .chain(super::required_headers::check(exchange))
        .collect();
    let handshake = exchange
        .request
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("upgrade") && v.eq_ignore_ascii_case("websocket"));
    if handshake {
        // The page sees only a failed socket, not the body nor a 401's
        // challenge (the `ws` README refuses with a bare `HTTP/1.1 401
        // Unauthorized`). Leaks and Retry-After keep their rating.
        let shown_to_no_page = [
            rules::HTTP_ERROR_NO_BODY.id,
            rules::HTTP_ERROR_NOT_TYPED.id,
            rules::HTTP_401_NO_CHALLENGE.id,
        ];
        for finding in &mut findings {
            if shown_to_no_page.contains(&finding.rule.id) {
                finding.severity = Severity::Info;
                finding.context = Some(
                    "a refused WebSocket handshake: the browser never shows its body or headers"
                        .into(),
                );
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::{exchange, ids, rated, PROBLEM, PROBLEM_CT};

    fn upgrade(mut e: Exchange) -> Exchange {
        e.request
            .headers
            .push(("Upgrade".into(), "websocket".into()));
        e
    }

    /// The `ws` README refuses a handshake with a bare `HTTP/1.1 401
    /// Unauthorized`: no page ever sees a challenge there. A plain request's
    /// 401 still needs one, and a refused handshake's leak is still an error.
    #[test]
    fn refused_websocket_handshake_is_a_recommendation() {
        let model = Model::default();
        let bare = upgrade(exchange(401, &[], ""));
        assert_eq!(
            rated(&check(&bare, Reach::Router, &model)),
            [
                ("WF-HTTP-006", Severity::Info),
                ("WF-HTTP-009", Severity::Info)
            ]
        );
        let plain = exchange(401, &[PROBLEM_CT], PROBLEM);
        assert_eq!(ids(&check(&plain, Reach::Router, &model)), ["WF-HTTP-009"]);
        let leak = upgrade(exchange(500, &[], "Traceback (most recent call last):"));
        assert_eq!(ids(&check(&leak, Reach::Router, &model)), ["WF-HTTP-008"]);
    }
}
