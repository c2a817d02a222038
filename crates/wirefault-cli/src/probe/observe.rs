//! One probe's request and what HTTP itself says to do next, sent but
//! never judged: same-host redirects are followed (at most
//! [`MAX_REDIRECTS`]), a 406 the auditor's own `Accept: application/json`
//! caused is asked again with `Accept: */*`, and a 5xx is sent once more
//! to see whether it reproduces.

use reqwest::Url;

use super::credentials::Attempt;
use super::http::{self, BadBody, API_ACCEPT};
use super::Ctx;
use crate::cli::Secret;
use crate::finding::Exchange;
use crate::rules;

/// Most redirects followed from one probe.
pub(crate) const MAX_REDIRECTS: usize = 3;

/// What a probe asks, so that its answer can be judged for it.
#[derive(Debug, Clone)]
pub(crate) enum Probe {
    /// A `GET` of a path the service has: the base URL, the document's
    /// and `--path`'s paths, the base page's links, the `--ws` paths.
    Known,
    /// A `GET` of a path that cannot exist, under the base URL.
    UnknownPath,
    /// Evidence only: a second unknown path under the base URL.
    OtherUnknownPath,
    /// Evidence only: an unknown path under the API's shared prefix.
    ApiUnknownPath,
    /// A method the path does not support.
    WrongMethod,
    /// A `GET` whose path parameters name nothing; `found` is the URL of
    /// the same operation with its example values, when it was probed.
    MissingResource {
        /// The values that name nothing.
        values: Vec<String>,
        /// The URL of an existing value's answer.
        found: Option<String>,
    },
    /// A parameter with a value of the wrong type.
    WrongType {
        /// Its name.
        param: String,
    },
    /// A body that must be refused (or, not `invalid`, only not crash).
    BadBody(BadBody),
    /// A protected operation without a credential, or with a bogus one.
    Credential(Box<Attempt>),
}

impl Probe {
    /// The rules this probe's answer is judged by, for "not run" lists.
    pub(crate) fn rules(&self) -> Vec<&'static str> {
        let common = [
            rules::HTTP_ERROR_NO_BODY.id,
            rules::HTTP_ERROR_NOT_TYPED.id,
            rules::HTTP_5XX_LEAK.id,
        ];
        let own: &[&'static str] = match self {
            Probe::Known => &[],
            Probe::UnknownPath | Probe::MissingResource { .. } => &[rules::HTTP_UNKNOWN_PATH.id],
            Probe::OtherUnknownPath | Probe::ApiUnknownPath => return Vec::new(),
            Probe::WrongMethod => &[rules::HTTP_WRONG_METHOD.id, rules::HTTP_405_NO_ALLOW.id],
            Probe::WrongType { .. } => &[rules::HTTP_BODY_5XX.id],
            Probe::BadBody(_) => &[rules::HTTP_BODY_5XX.id, rules::HTTP_BODY_2XX.id],
            Probe::Credential(_) => &[
                rules::HTTP_AUTH_2XX.id,
                rules::HTTP_BODY_5XX.id,
                rules::HTTP_401_NO_CHALLENGE.id,
            ],
        };
        own.iter().copied().chain(common).collect()
    }
}

/// A probe, its requests and their answers.
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    /// What was asked.
    pub(crate) probe: Probe,
    /// The request as first sent, then the ones HTTP asked for: each
    /// same-host redirect, and the re-ask of a 406. The last one is judged.
    pub(crate) chain: Vec<Exchange>,
    /// The last request sent once more, after a 5xx.
    pub(crate) again: Option<Exchange>,
    /// Not sent: the target had stopped before (the chain holds the
    /// request that was not sent).
    pub(crate) not_run: bool,
}

impl Observation {
    /// The exchange judged: where the redirects landed.
    pub(crate) fn answer(&self) -> Option<&Exchange> {
        if self.not_run {
            None
        } else {
            self.chain.last()
        }
    }

    /// The first request and its answer.
    pub(crate) fn first(&self) -> Option<&Exchange> {
        self.chain.first()
    }

    /// An observation of one exchange, with nothing followed.
    #[cfg(test)]
    pub(crate) fn of(probe: Probe, exchange: Exchange) -> Observation {
        Observation {
            probe,
            chain: vec![exchange],
            again: None,
            not_run: false,
        }
    }
}

/// Sends a probe and what HTTP asks to send after it.
pub(crate) async fn observe(
    ctx: &Ctx,
    probe: Probe,
    method: &str,
    url: &Url,
    body: Option<(&str, String)>,
) -> Observation {
    observe_as(ctx, &ctx.auth, &[], probe, method, url, body).await
}

/// [`observe`] with `auth` in place of the user's `-H`/`--cookie` values
/// and `headers` added (the credential probes').
pub(crate) async fn observe_as(
    ctx: &Ctx,
    auth: &[(String, Secret)],
    headers: &[(String, String)],
    probe: Probe,
    method: &str,
    url: &Url,
    body: Option<(&str, String)>,
) -> Observation {
    let mut method = method.to_owned();
    let mut url = url.clone();
    let mut body = body.map(|(t, b)| (t.to_owned(), b));
    let mut extra: Vec<(String, String)> = headers.to_vec();
    let mut chain = vec![send(ctx, auth, &method, &url, &extra, &body).await];
    if chain.iter().any(super::liveness::was_not_run) {
        return Observation {
            probe,
            chain,
            again: None,
            not_run: true,
        };
    }
    let mut redirects = 0;
    let mut reasked = false;
    while let Some(last) = chain.last() {
        let status = last.received.http().map_or(0, |a| a.status);
        let next = same_host_redirect(last, &url).filter(|_| redirects < MAX_REDIRECTS);
        if let Some(next) = next {
            redirects += 1;
            // 307 and 308 repeat the request as it was; the others become GET.
            if !matches!(status, 307 | 308) {
                method = "GET".to_owned();
                body = None;
            }
            url = next;
        } else if status == 406 && !reasked && asked_for_json(last) {
            reasked = true;
            extra.push(("Accept".to_owned(), "*/*".to_owned()));
        } else {
            break;
        }
        chain.push(send(ctx, auth, &method, &url, &extra, &body).await);
    }
    let failed = chain
        .last()
        .and_then(|e| e.received.http())
        .is_some_and(|a| a.status >= 500);
    let mut again = None;
    // Twice at most: a server may close the connection after its 5xx
    // without saying so, and the first resend then finds it closed.
    for _ in 0..2 {
        if !failed || ctx.liveness.is_dead() {
            break;
        }
        let exchange = send(ctx, auth, &method, &url, &extra, &body).await;
        let answered = exchange.received.http().is_some();
        again = Some(exchange);
        if answered {
            break;
        }
    }
    Observation {
        probe,
        chain,
        again,
        not_run: false,
    }
}

/// `true` when the request carried the auditor's own `Accept:
/// application/json` (not one the user gave).
fn asked_for_json(exchange: &Exchange) -> bool {
    exchange
        .request
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("accept") && v == API_ACCEPT)
}

/// [`http::send_as`] with owned parts.
async fn send(
    ctx: &Ctx,
    auth: &[(String, Secret)],
    method: &str,
    url: &Url,
    extra: &[(String, String)],
    body: &Option<(String, String)>,
) -> Exchange {
    let body = body.as_ref().map(|(t, b)| (t.as_str(), b.clone()));
    http::send_as(
        ctx,
        auth,
        method,
        url,
        extra,
        body,
        crate::finding::BODY_LIMIT,
    )
    .await
}

/// Where a 3xx answer sends the client, when it is the same scheme, host
/// and port as `from` (a redirect elsewhere is not followed).
fn same_host_redirect(exchange: &Exchange, from: &Url) -> Option<Url> {
    let answer = exchange.received.http()?;
    if !(300..400).contains(&answer.status) {
        return None;
    }
    let next = from.join(answer.header("location")?).ok()?;
    (next.scheme() == from.scheme()
        && next.host_str() == from.host_str()
        && next.port_or_known_default() == from.port_or_known_default())
    .then_some(next)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::checks::testing::exchange;

    #[test]
    fn only_same_host_redirects_are_followed() {
        let from = Url::parse("http://127.0.0.1:3000/a").unwrap();
        let to = |location: &str| {
            same_host_redirect(&exchange(301, &[("location", location)], ""), &from)
                .map(|u| u.to_string())
        };
        assert_eq!(to("/a/").as_deref(), Some("http://127.0.0.1:3000/a/"));
        assert_eq!(to("b").as_deref(), Some("http://127.0.0.1:3000/b"));
        assert_eq!(to("http://127.0.0.1:4000/a"), None);
        assert_eq!(to("https://example.com/"), None);
        assert_eq!(
            same_host_redirect(&exchange(200, &[("location", "/x")], ""), &from),
            None
        );
    }
}
