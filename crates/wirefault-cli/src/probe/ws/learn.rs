//! What the probes learn about an endpoint before judging it: does the
//! server greet or keep sending unasked, does it speak JSON, does it answer
//! text or the user's samples. Silence after bad input is judged only where
//! this says it means something.

use serde_json::Value;

use super::send::{Kind, Watch};

/// What the learning sessions showed about the endpoint.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Profile {
    /// The server keeps sending without being asked (a clock, a feed):
    /// its messages cannot be told from answers.
    pub(crate) feed: bool,
    /// Messages the server greets each client with, right after the
    /// handshake (let through before each probe).
    pub(crate) greeting: usize,
    /// Why the endpoint is known to speak JSON, if it is.
    pub(crate) json: Option<String>,
    /// Why the endpoint is known to answer text, if it is (a short probe
    /// text, or a sample, was answered).
    pub(crate) answers: Option<String>,
    /// For each sample: was it answered (`None`: its session did not run)?
    pub(crate) samples: Vec<Option<bool>>,
}

impl Profile {
    /// What a watching session shows: a greeting (one burst right after
    /// the handshake) or a feed (messages later than that), and JSON.
    pub(crate) fn from_watch(watch: &Watch) -> Self {
        let json = watch
            .first_text
            .as_deref()
            .is_some_and(is_json_document)
            .then(|| "the server's first message is JSON".to_owned());
        Profile {
            feed: watch.keeps_sending,
            greeting: if watch.keeps_sending { 0 } else { watch.burst },
            json,
            ..Profile::default()
        }
    }

    /// Notes how a valid message (the probe text or a sample) was received.
    pub(crate) fn answered(&mut self, kind: &Kind, answered: bool) {
        if let Kind::Sample(i) = kind {
            if self.samples.len() <= *i {
                self.samples.resize(i + 1, None);
            }
            self.samples[*i] = Some(answered);
        }
        if answered && self.answers.is_none() {
            self.answers = Some(match kind {
                Kind::Probe => "the endpoint answered a short text message".to_owned(),
                _ => "the endpoint answered the valid sample message".to_owned(),
            });
        }
    }

    /// Some sample was sent, and none was answered.
    fn samples_unanswered(&self) -> bool {
        self.samples.iter().any(Option::is_some) && !self.samples.contains(&Some(true))
    }

    /// Why silence after this message is a finding (`Ok`, the context), or
    /// why it cannot be judged (`Err`).
    pub(crate) fn silence(&self, kind: &Kind) -> Result<String, String> {
        if self.feed {
            return Err(
                "the server pushes messages unasked (a feed), so answers cannot be told apart"
                    .into(),
            );
        }
        match kind {
            Kind::Probe | Kind::Sample(_) => Err("a valid message may need no answer".into()),
            // A protocol that does not answer even a valid message owes no
            // answer to a bad one.
            Kind::Bad(_) if self.samples_unanswered() => {
                Err("the valid sample message got no answer either".into())
            }
            Kind::Bad(_) => match (&self.json, &self.answers) {
                (_, Some(why)) => Ok(why.clone()),
                (Some(why), None) => Ok(format!("a JSON protocol ({why})")),
                (None, None) => Err("the endpoint answered neither a short text nor a sample \
                     (give one with --ws-message PATH=TEXT)"
                    .into()),
            },
            Kind::Variant(i) if self.samples.get(*i) == Some(&Some(true)) => {
                Ok("the endpoint answered the valid sample message".into())
            }
            Kind::Variant(_) => Err("the valid sample message got no answer either".into()),
        }
    }
}

/// A JSON object or array (what a JSON protocol sends).
pub(crate) fn is_json_document(text: &str) -> bool {
    matches!(
        serde_json::from_str::<Value>(text),
        Ok(Value::Object(_) | Value::Array(_))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Exchange, Received, SentRequest};
    use crate::probe::ws::send::{BadInput, Closing};
    use crate::probe::wsclient::Event;

    fn watch(first: Option<&str>, burst: usize, keeps_sending: bool) -> Watch {
        Watch {
            exchange: Exchange {
                request: SentRequest {
                    method: "GET".into(),
                    url: "http://127.0.0.1/ws".into(),
                    headers: vec![],
                    body: None,
                },
                received: Received::WebSocket { transcript: vec![] },
            },
            first_text: first.map(str::to_owned),
            burst,
            keeps_sending,
            closing: Closing::Answer(Event::Timeout),
        }
    }

    const BAD: Kind = Kind::Bad(BadInput::MalformedText);

    #[test]
    fn a_greeting_is_not_a_feed() {
        let greeted = Profile::from_watch(&watch(Some("Welcome!"), 1, false));
        assert!(!greeted.feed);
        assert_eq!(greeted.greeting, 1);
        let clock = Profile::from_watch(&watch(Some(r#"{"now":1}"#), 3, true));
        assert!(clock.feed && clock.greeting == 0 && clock.json.is_some());
        assert!(clock.silence(&BAD).is_err());
    }

    #[test]
    fn an_answered_text_makes_silence_count() {
        let mut text = Profile::default();
        assert!(text.silence(&BAD).is_err());
        text.answered(&Kind::Probe, true);
        assert!(text.silence(&BAD).is_ok_and(|c| c.contains("short text")));
        assert!(text.silence(&Kind::Bad(BadInput::Oversized(65537))).is_ok());
        assert!(text.silence(&Kind::Probe).is_err());
    }

    #[test]
    fn samples_decide_for_their_variants() {
        let mut p = Profile {
            json: Some("sample".into()),
            ..Profile::default()
        };
        p.answered(&Kind::Sample(0), false);
        p.answered(&Kind::Sample(1), true);
        assert!(p.silence(&Kind::Variant(0)).is_err());
        assert!(p.silence(&Kind::Variant(1)).is_ok());
        assert!(p.silence(&BAD).is_ok());
        let mut silent = Profile {
            json: Some("sample".into()),
            ..Profile::default()
        };
        silent.answered(&Kind::Sample(0), false);
        assert!(silent.silence(&BAD).is_err());
        assert!(silent.silence(&Kind::Sample(0)).is_err());
    }
}
