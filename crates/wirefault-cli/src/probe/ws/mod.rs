//! WebSocket probes of one endpoint, in three parts: [`learn`] what the
//! endpoint is, [`send`] each probe on a fresh session, [`judge`] how each
//! session went, one rule in one place. The handshake probes (a foreign
//! origin, a credential in the query) are in [`handshake`].
//!
//! The order: the handshake probes; a session that sends nothing (does the
//! server greet, or keep sending unasked, and in JSON?) and ends with the
//! auditor's close frame (WF-WS-008: is it answered?); one session per
//! sample message (`--ws-message`), or, without one, a short probe text (is
//! text answered?). Then each bad input (text that is not JSON, 64 KiB + 1
//! and 1 MiB + 1 bytes of text) and each variant of a JSON sample
//! ([`super::wsvariants`]), alone and again after the first sample in the
//! same session (so a protocol with a join or subscribe step is reached);
//! the binary message last, alone and after the sample, so a text handler
//! that crashes on it cannot change the sessions before. One session at a
//! time, so that findings do not depend on what another probe did on a
//! server with shared state (a chat that broadcasts to every client).
//!
//! "No close" (WF-WS-003) is judged only where silence means something: an
//! answer counts as an answer; bad input on an endpoint known to answer
//! (the probe text or a sample was answered) or to speak JSON; a variant
//! only where its sample was answered; never on a server that keeps sending
//! unasked (a clock), whose messages cannot be told from answers. A
//! greeting is let through before each probe, not taken for an answer.
//!
//! "HTTP error after the upgrade" (WF-WS-007) is reported when it reaches the
//! wire: bytes that start with `HTTP/` where a frame should be, or a data
//! message that is an HTTP status line or an HTTP-style error object
//! followed by the end of the stream without a close frame. A framework that
//! swallows the HTTP response and drops the TCP connection (Starlette with
//! `raise HTTPException` after `accept()`) shows only the drop: WF-WS-002.

mod handshake;
mod judge;
mod learn;
mod send;

use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;

use super::wsclient;
use super::wsvariants::{self, MAX_VARIANTS};
use super::Ctx;
use crate::finding::{Exchange, Outcome, Skipped};
use crate::model::cookies::SetCookie;
use crate::rules;
use learn::{is_json_document, Profile};
pub(crate) use send::OVERSIZED;
use send::{BadInput, Kind, Message, Refusal, Script};

/// The rules judged from the sessions after the upgrade.
const SESSION_RULES: [&str; 7] = [
    "WF-WS-002",
    "WF-WS-003",
    "WF-WS-004",
    "WF-WS-005",
    "WF-WS-006",
    "WF-WS-007",
    "WF-WS-008",
];

/// A WebSocket endpoint to audit.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Its URL (http or https).
    pub(crate) url: Url,
    /// Valid messages for it (`--ws-message`, any text), in order.
    pub(crate) samples: Vec<String>,
    /// The subprotocol to ask for (`--ws-protocol`).
    pub(crate) protocol: Option<String>,
}

/// Audits one endpoint: learns what it is, then sends the bad inputs and
/// the samples' variants, each on a fresh connection, one session at a time.
/// `set_cookies`: the `Set-Cookie`s the audit saw on the HTTP answers
/// before (what limits the audit's cookie in browsers, WF-WS-001).
pub(crate) async fn audit(ctx: &Ctx, endpoint: &Endpoint, set_cookies: &[SetCookie]) -> Outcome {
    let mut outcome = Outcome::default();
    let url = endpoint.url.to_string();
    // Servers that push or greet do it at once; a second is plenty.
    let idle = (ctx.timeout / 4).min(Duration::from_secs(1));

    outcome.extend(handshake::foreign_origin(ctx, endpoint, set_cookies).await);
    outcome.extend(handshake::token_probes(ctx, endpoint).await);
    let watch = match send::watch(ctx, endpoint, idle).await {
        Ok(watch) => watch,
        Err(refusal) => {
            let reason = match refusal {
                Refusal::Http(exchange) => {
                    let status = exchange.received.http().map_or(0, |a| a.status);
                    outcome
                        .findings
                        .extend(super::http::judge_answer(&exchange));
                    format!(
                        "the handshake from the trusted origin was refused with HTTP {status} \
                         (pass the credentials it needs with --cookie or -H, or check the path)"
                    )
                }
                Refusal::Failed(why) => format!("no WebSocket session: {why}"),
            };
            outcome.skipped.push(Skipped {
                rules: SESSION_RULES.to_vec(),
                target: url,
                reason,
            });
            return outcome;
        }
    };
    match judge::closing(&watch) {
        Ok(findings) => outcome.findings.extend(findings),
        Err(why) => outcome.skipped.push(Skipped {
            rules: vec![rules::WS_NO_CLOSE_ANSWER.id],
            target: url.clone(),
            reason: why,
        }),
    }
    let mut profile = Profile::from_watch(&watch);
    let samples: Vec<Message> = endpoint
        .samples
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Message::text(
                text.clone(),
                format!("text (sample {}): {}", i + 1, crate::finding::shorten(text)),
                Kind::Sample(i),
            )
        })
        .collect();
    if endpoint.samples.iter().any(|s| is_json_document(s)) {
        profile.json = Some("a sample message given with --ws-message is JSON".into());
    }
    let probe = Message::text(
        send::PROBE_TEXT.to_owned(),
        format!("text: {}", send::PROBE_TEXT),
        Kind::Probe,
    );

    let mut run = Run {
        ctx,
        endpoint,
        outcome,
        not_judged: Vec::new(),
        failed: Vec::new(),
        last_opened: Some(watch.exchange.clone()),
        sent: 0,
        silent_found: false,
        stopped: false,
    };
    // What answers are: the samples, or without one a short text.
    let valid: Vec<&Message> = if samples.is_empty() {
        vec![&probe]
    } else {
        samples.iter().collect()
    };
    for message in &valid {
        let script = Script {
            message: Some(message),
            greeting: profile.greeting,
            ..Script::default()
        };
        if let Some(session) = run.session(script, &profile, ctx.timeout).await {
            let closed = matches!(session.end, send::End::Event(wsclient::Event::Close(_)));
            profile.answered(&message.kind, session.received > 0 && !closed);
            if closed && !matches!(message.kind, Kind::Probe) {
                run.not_judged.push(format!(
                    "{} was answered by a close: is it valid? Its variants are judged by \
                     how they end only",
                    message.description
                ));
            }
        }
        if run.stopped {
            return run.finish(0);
        }
    }

    // Bad input and variants, alone and after the first sample.
    let bad = bad_messages(endpoint, &mut run.outcome.caps);
    let context = samples.first();
    let context_answered = profile.samples.first() == Some(&Some(true));
    // After a vanished oversized message: a valid message that was answered
    // on its own session (the last sample: after a join, the next one).
    let follow_up = match samples.last() {
        Some(last) => profile
            .samples
            .get(samples.len() - 1)
            .is_some_and(|a| *a == Some(true))
            .then_some(last),
        None => profile.answers.is_some().then_some(&probe),
    };
    // Each message alone, and again after the first sample (if any).
    let contexts: Vec<Option<&Message>> = std::iter::once(None).chain(context.map(Some)).collect();
    let base = Script {
        context_answered,
        follow_up,
        greeting: profile.greeting,
        ..Script::default()
    };
    let scripts: Vec<Script> = contexts
        .iter()
        .flat_map(|c| bad.iter().map(|m| base.with(*c, m)))
        .collect();
    // The binary message goes last: a text handler that crashes on it can
    // leave a broken client in a chat's list, which changes how later
    // sessions end.
    let binary = BadInput::Binary.message();
    let last: Vec<Script> = contexts.iter().map(|c| base.with(*c, &binary)).collect();
    let budget = phase_two_budget(ctx.timeout);
    let budget_end = Instant::now() + budget;
    let total = scripts.len() + last.len();
    let mut ran = 0;
    for script in &scripts {
        if Instant::now() >= budget_end || run.stopped {
            break;
        }
        run.judged(*script, &profile).await;
        ran += 1;
    }
    if ran < scripts.len() && !run.stopped {
        run.outcome.caps.push(format!(
            "{url}: {ran} of {} WebSocket sessions run within the endpoint's budget of {:.0}s \
             (the binary message's sessions run after it)",
            scripts.len(),
            budget.as_secs_f64()
        ));
    }
    // The binary sessions run even past the budget: two, each bounded.
    for script in &last {
        if run.stopped {
            break;
        }
        run.judged(*script, &profile).await;
        ran += 1;
    }
    run.finish(total - ran)
}

/// The bad inputs, then the variants of each JSON sample (at most
/// [`MAX_VARIANTS`] each; a cut is noted in `caps`).
fn bad_messages(endpoint: &Endpoint, caps: &mut Vec<String>) -> Vec<Message> {
    let mut bad: Vec<Message> = [
        BadInput::MalformedText,
        BadInput::Oversized(send::OVERSIZED_SMALL),
        BadInput::Oversized(OVERSIZED),
    ]
    .iter()
    .map(|b| b.message())
    .collect();
    for (i, text) in endpoint.samples.iter().enumerate() {
        let value = match serde_json::from_str::<Value>(text) {
            Ok(value @ (Value::Object(_) | Value::Array(_))) => value,
            _ => continue,
        };
        let (variants, built) = wsvariants::variants(&value);
        if built > variants.len() {
            caps.push(format!(
                "{}: {built} variants of sample {} built, {} sent (at most {MAX_VARIANTS})",
                endpoint.url,
                i + 1,
                variants.len()
            ));
        }
        bad.extend(variants.into_iter().map(|v| {
            let shown = crate::finding::shorten(&v.text);
            let description = format!(
                "text (variant of sample {}) {}: {shown}",
                i + 1,
                v.description
            );
            Message::text(v.text, description, Kind::Variant(i))
        }));
    }
    bad
}

/// The state of one endpoint's sessions.
struct Run<'a> {
    ctx: &'a Ctx,
    endpoint: &'a Endpoint,
    outcome: Outcome,
    /// Why silences were not judged.
    not_judged: Vec<String>,
    /// Sessions that did not open, why.
    failed: Vec<String>,
    /// The last session that opened: when the next one cannot even
    /// connect, what it sent took the service down.
    last_opened: Option<Exchange>,
    /// Sessions sent that sent a message.
    sent: usize,
    /// A silence was found: the next ones are the same root cause, a short
    /// wait shows them.
    silent_found: bool,
    /// The service stopped accepting connections.
    stopped: bool,
}

impl Run<'_> {
    /// Runs one session and judges it; `None` when it did not open.
    async fn session(
        &mut self,
        script: Script<'_>,
        profile: &Profile,
        wait: Duration,
    ) -> Option<send::Session> {
        let ctx = self.ctx;
        let result = send::run(ctx, self.endpoint, script, wait).await;
        let description = script.message.map_or("", |m| m.description.as_str());
        let sequence = self.sent;
        self.sent += 1;
        match result {
            Ok(session) => {
                let (mut findings, note) = judge::session(&session, profile);
                for finding in &mut findings {
                    finding.sequence = Some(sequence);
                }
                self.silent_found |= findings.iter().any(|f| f.rule.id == rules::WS_NO_CLOSE.id);
                self.outcome.findings.extend(findings);
                self.not_judged.extend(note);
                self.last_opened = Some(session.exchange.clone());
                Some(session)
            }
            Err(Refusal::Http(exchange)) => {
                self.failed.push(format!(
                    "({description}) the handshake was refused with HTTP {}",
                    exchange.received.http().map_or(0, |a| a.status)
                ));
                None
            }
            Err(Refusal::Failed(why)) => {
                self.failed
                    .push(format!("({description}) no session: {why}"));
                // Only a refused or reset connection shows the service went
                // down; a timeout may be a loaded machine.
                if why != wsclient::HANDSHAKE_TIMED_OUT {
                    if let Some(exchange) = self.last_opened.take() {
                        let mut finding = judge::service_went_down(&exchange, &why);
                        finding.sequence = Some(sequence);
                        self.outcome.findings.push(finding);
                        self.stopped = true;
                    }
                }
                None
            }
        }
    }

    /// A bad-input session, waiting as long as its silence needs.
    async fn judged(&mut self, script: Script<'_>, profile: &Profile) {
        let judged = script
            .message
            .is_some_and(|m| profile.silence(&m.kind).is_ok());
        let wait = session_wait(self.ctx.timeout, judged, self.silent_found);
        self.session(script, profile, wait).await;
    }

    /// The outcome, with what was not run or not judged.
    fn finish(mut self, not_run: usize) -> Outcome {
        let url = self.endpoint.url.to_string();
        if self.stopped && not_run > 0 {
            self.failed.push(format!(
                "{not_run} more sessions not run: the service stopped accepting connections"
            ));
        }
        if !self.failed.is_empty() {
            self.outcome.skipped.push(Skipped {
                rules: SESSION_RULES.to_vec(),
                target: url.clone(),
                reason: format!(
                    "{} sessions did not open: {}",
                    self.failed.len(),
                    self.failed.join("; ")
                ),
            });
        }
        self.not_judged.sort();
        self.not_judged.dedup();
        for reason in self.not_judged {
            self.outcome.skipped.push(Skipped {
                rules: vec!["WF-WS-003"],
                target: url.clone(),
                reason,
            });
        }
        self.outcome
    }
}

/// The time the bad-input sessions of one endpoint may take together
/// (the binary message's run after it): the timeout and 8 s more. A correct
/// server answers or closes each session in milliseconds; a silent one
/// spends the timeout once, then 300 ms a session.
fn phase_two_budget(timeout: Duration) -> Duration {
    timeout + Duration::from_secs(8)
}

/// How long a session waits after its message for a close: the timeout
/// when its silence is judged; 300 ms once a silence was found (more of it
/// is the same root cause, and a close or a drop comes at once); a quarter
/// of the timeout (at most a second) when only a close or a drop is looked
/// for.
fn session_wait(timeout: Duration, silence_judged: bool, silent_found: bool) -> Duration {
    match (silence_judged, silent_found) {
        (true, false) => timeout,
        (true, true) => timeout.min(Duration::from_millis(300)),
        (false, _) => (timeout / 4).min(Duration::from_secs(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_bounded() {
        let five = Duration::from_secs(5);
        assert_eq!(session_wait(five, true, false), five);
        assert_eq!(session_wait(five, true, true), Duration::from_millis(300));
        assert_eq!(session_wait(five, false, false), Duration::from_secs(1));
        assert_eq!(
            session_wait(Duration::from_secs(2), false, true),
            Duration::from_millis(500)
        );
        assert_eq!(phase_two_budget(five), Duration::from_secs(13));
    }
}
