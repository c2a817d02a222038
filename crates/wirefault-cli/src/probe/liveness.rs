//! Whether the target is still there. A request that gets no answer is
//! followed by a plain TCP connect: refused means the service stopped, and
//! the request that was on the wire when it did is the one that killed it.
//! From then on nothing more is sent; what was left is listed as not run.

use std::sync::Mutex;

use reqwest::Url;

use crate::finding::{Exchange, Received};

/// The wait before a lost request's target is checked.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(50);

/// The error text of a probe not sent because the target had stopped.
pub(crate) const NOT_RUN: &str = "not run: the service had stopped accepting connections";

/// What the audit saw of the target's life.
#[derive(Debug, Default)]
pub(crate) struct Liveness {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The target refused a connection after answering before.
    dead: bool,
    /// Answers and lost connections seen so far: the moment of each.
    events: usize,
    /// Requests that lost their connection without an answer: the order
    /// sent, the exchange, and the moment it was seen.
    lost: Vec<(usize, Exchange, usize)>,
    /// The last request answered, by the order sent.
    last_answered: Option<(usize, Exchange)>,
    /// The moment of the last answer.
    last_answer_event: usize,
}

/// How the target died, for the report.
#[derive(Debug, Clone)]
pub(crate) struct Death {
    /// The request that was on the wire when it stopped (or, when none
    /// was, the last one answered).
    pub(crate) culprit: Exchange,
    /// `true` when the culprit got no answer itself.
    pub(crate) unanswered: bool,
    /// The other requests on the wire at that moment.
    pub(crate) also_in_flight: usize,
}

impl Liveness {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `true` once the target stopped accepting connections.
    pub(crate) fn is_dead(&self) -> bool {
        self.lock().dead
    }

    /// Records an answered request.
    pub(crate) fn answered(&self, order: usize, exchange: &Exchange) {
        let mut state = self.lock();
        state.events += 1;
        state.last_answer_event = state.events;
        if state.last_answered.as_ref().is_none_or(|(o, _)| *o < order) {
            state.last_answered = Some((order, exchange.clone()));
        }
    }

    /// Records a request that got no answer: lost after it connected, or
    /// refused `at_connect`; `gone` says whether a fresh connection to the
    /// target was refused right after (then it is dead).
    pub(crate) fn failed(&self, order: usize, exchange: &Exchange, at_connect: bool, gone: bool) {
        let mut state = self.lock();
        state.events += 1;
        if !at_connect {
            let moment = state.events;
            state.lost.push((order, exchange.clone(), moment));
        }
        if gone {
            state.dead = true;
        }
    }

    /// How the target died, if it did: of the requests that lost their
    /// connection after the last answer (an earlier loss, a pooled
    /// connection the server had closed, was followed by answers), the
    /// first sent; else the last one answered.
    pub(crate) fn death(&self) -> Option<Death> {
        let state = self.lock();
        if !state.dead {
            return None;
        }
        let mut lost: Vec<&(usize, Exchange, usize)> = state
            .lost
            .iter()
            .filter(|(_, _, moment)| *moment > state.last_answer_event)
            .collect();
        lost.sort_by_key(|(order, ..)| *order);
        if let Some((_, first, _)) = lost.first() {
            return Some(Death {
                culprit: first.clone(),
                unanswered: true,
                also_in_flight: lost.len() - 1,
            });
        }
        state.last_answered.as_ref().map(|(_, e)| Death {
            culprit: e.clone(),
            unanswered: false,
            also_in_flight: 0,
        })
    }
}

/// `true` when a fresh TCP connection to the URL's host is refused (the
/// process behind it is gone); a timeout or success is not. Tried after
/// [`SETTLE`], so that a process that dropped a connection on its way out
/// has closed its listening socket too.
pub(crate) async fn is_refused(url: &Url, timeout: std::time::Duration) -> bool {
    tokio::time::sleep(SETTLE).await;
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let Some(port) = url.port_or_known_default() else {
        return false;
    };
    match tokio::time::timeout(
        timeout,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Err(e)) => e.kind() == std::io::ErrorKind::ConnectionRefused,
        _ => false,
    }
}

/// `true` for the exchange of a request not sent.
pub(crate) fn was_not_run(exchange: &Exchange) -> bool {
    matches!(&exchange.received, Received::Nothing { error } if error == NOT_RUN)
}

/// An exchange for a request not sent.
pub(crate) fn not_run_exchange(request: crate::finding::SentRequest) -> Exchange {
    Exchange {
        request,
        received: Received::Nothing {
            error: NOT_RUN.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::finding::SentRequest;

    fn at(url: &str) -> Exchange {
        not_run_exchange(SentRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![],
            body: None,
        })
    }

    #[test]
    fn the_first_lost_request_is_the_culprit() {
        let live = Liveness::default();
        live.answered(0, &at("http://h/a"));
        // Lost, then answers came: not a death.
        live.failed(1, &at("http://h/pooled"), false, false);
        live.answered(2, &at("http://h/b"));
        assert!(!live.is_dead());
        // Lost while the process was on its way out (the check still
        // connected), then lost with the target gone, then refused.
        live.failed(4, &at("http://h/late"), false, true);
        live.failed(3, &at("http://h/crash"), false, false);
        live.failed(5, &at("http://h/refused"), true, true);
        let death = live.death().unwrap();
        assert_eq!(death.culprit.request.url, "http://h/crash");
        assert!(death.unanswered);
        assert_eq!(death.also_in_flight, 1);
    }

    #[test]
    fn without_a_lost_request_the_last_answered_is_blamed() {
        let live = Liveness::default();
        live.answered(1, &at("http://h/b"));
        live.answered(0, &at("http://h/a"));
        assert!(live.death().is_none());
        live.failed(2, &at("http://h/x"), true, true);
        let death = live.death().unwrap();
        assert_eq!(death.culprit.request.url, "http://h/b");
        assert!(!death.unanswered);
    }
}
