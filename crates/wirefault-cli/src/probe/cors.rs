//! CORS probes on one path, judged together; the audit runs them on each
//! API path it knows.
//!
//! Requests carry the user's cookie, or [`PROBE_COOKIE`] when none was given,
//! as a browser's credentialed request would: some servers (Starlette) only
//! reflect the origin when a cookie is present. Sent: a simple `GET` from a
//! foreign origin, from `null`, from each trusted origin (`--origin`) and from
//! look-alikes of each, and a preflight (`OPTIONS` with
//! `Access-Control-Request-Method: POST`) from the first trusted origin (or
//! the foreign one without `--origin`).
//!
//! One cause gives one finding: a server that reflects any origin is reported
//! once (WF-CORS-002), not again for `null` or each look-alike.

use reqwest::Url;

use super::{http, Ctx, FOREIGN_ORIGIN, PROBE_COOKIE};
use crate::finding::{Exchange, Finding, HttpAnswer, BODY_LIMIT};
use crate::rules::{self, Severity};
use wirefault::spec;

/// Origins built from a trusted one that no correct matcher allows.
///
/// - the trusted host as a prefix of a foreign domain (`app.example.com.evil`);
/// - a foreign name ending in the trusted one's parent domain without a dot
///   (`wirefault-evilexample.com`): a sibling subdomain such as
///   `x.example.com` is not used, since a policy may trust every subdomain
///   (`/\.example\.com$/`) on purpose;
/// - userinfo tricks (`app.example.com@evil`).
///
/// The `http://` twin of an `https://` origin is not one: an explicit list
/// may hold both, and the auditor cannot tell that from a matcher.
pub(crate) fn look_alikes(trusted: &Url) -> Vec<String> {
    let scheme = trusted.scheme();
    let host = trusted.host_str().unwrap_or("localhost");
    let port = trusted.port().map(|p| format!(":{p}")).unwrap_or_default();
    let parent = match trusted.host() {
        Some(url::Host::Domain(name)) => match name.split_once('.') {
            Some((_, rest)) if rest.contains('.') => rest,
            _ => name,
        },
        _ => host,
    };
    vec![
        format!("{scheme}://{host}.wirefault-evil.example{port}"),
        format!("{scheme}://wirefault-evil{parent}{port}"),
        format!("{scheme}://{host}{port}@wirefault-evil.example"),
    ]
}

/// Parses and normalizes `--origin` with the core's origin parser (the one
/// the CORS layer matches with); the auditor speaks http(s) only.
pub(crate) fn parse_origin(raw: &str) -> anyhow::Result<(String, Url)> {
    let origin = spec::Origin::parse(raw)
        .map_err(|e| anyhow::anyhow!("--origin {raw} is not an origin: {e}"))?;
    if !matches!(origin.scheme(), "http" | "https") {
        anyhow::bail!("--origin {raw}: the auditor probes http:// and https:// origins only");
    }
    let url = Url::parse(origin.as_str()).map_err(|e| anyhow::anyhow!("--origin {raw}: {e}"))?;
    Ok((origin.as_str().to_owned(), url))
}

/// Standard response fields that need exposing (see
/// [`spec::needs_exposing`]) but that the browser itself acts on: its
/// cache revalidates with `ETag`, it follows `Location`, reads `Link`
/// preloads, `Content-Disposition` downloads. A script reads them only
/// sometimes, so an unexposed one is noted, not warned about.
const ACTED_ON_BY_THE_BROWSER: &[&str] = &[
    "etag",
    "location",
    "link",
    "content-disposition",
    "content-range",
    "retry-after",
    "allow",
    "www-authenticate",
];

struct Probe {
    origin: String,
    exchange: Exchange,
}

impl Probe {
    fn answer(&self) -> Option<&HttpAnswer> {
        self.exchange.received.http()
    }
    fn acao(&self) -> Option<&str> {
        self.answer()
            .and_then(|a| a.header("access-control-allow-origin"))
            .map(str::trim)
    }
    fn allows_origin(&self) -> bool {
        self.acao()
            .is_some_and(|v| v.eq_ignore_ascii_case(&self.origin))
    }
    fn credentials(&self) -> bool {
        self.answer()
            .and_then(|a| a.header("access-control-allow-credentials"))
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }
}

async fn simple(
    ctx: &Ctx,
    url: &Url,
    origin: &str,
    extra: &[(String, String)],
    limit: usize,
) -> Probe {
    let mut headers = vec![("Origin".to_owned(), origin.to_owned())];
    if !ctx.has_cookie {
        headers.push(("Cookie".to_owned(), PROBE_COOKIE.to_owned()));
    }
    headers.extend(extra.iter().cloned());
    let method = if extra.is_empty() { "GET" } else { "OPTIONS" };
    Probe {
        origin: origin.to_owned(),
        exchange: http::send_keeping(ctx, method, url, &headers, None, limit).await,
    }
}

/// Runs the CORS probes against `url` and judges them.
pub(crate) async fn run(ctx: &Ctx, url: &Url, trusted: &[(String, Url)]) -> Vec<Finding> {
    run_keeping(ctx, url, trusted, BODY_LIMIT).await
}

/// [`run`], reading at most `limit` bytes of each answer's body: 0 for a
/// stream that never ends (SSE), whose CORS answer is all in its headers.
pub(crate) async fn run_keeping(
    ctx: &Ctx,
    url: &Url,
    trusted: &[(String, Url)],
    limit: usize,
) -> Vec<Finding> {
    let foreign = simple(ctx, url, FOREIGN_ORIGIN, &[], limit).await;
    let null = simple(ctx, url, "null", &[], limit).await;
    let mut trusted_probes = Vec::new();
    let mut alikes = Vec::new();
    for (origin, parsed) in trusted {
        trusted_probes.push(simple(ctx, url, origin, &[], limit).await);
        for alike in look_alikes(parsed) {
            if !trusted.iter().any(|(o, _)| *o == alike) {
                alikes.push(simple(ctx, url, &alike, &[], limit).await);
            }
        }
    }
    let preflight_origin = trusted.first().map_or(FOREIGN_ORIGIN, |(o, _)| o.as_str());
    let preflight_headers = [
        (
            "Access-Control-Request-Method".to_owned(),
            "POST".to_owned(),
        ),
        (
            "Access-Control-Request-Headers".to_owned(),
            "content-type".to_owned(),
        ),
    ];
    let preflight = simple(ctx, url, preflight_origin, &preflight_headers, limit).await;
    judge(&foreign, &null, &trusted_probes, &alikes, &preflight)
}

fn judge(
    foreign: &Probe,
    null: &Probe,
    trusted: &[Probe],
    alikes: &[Probe],
    preflight: &Probe,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let simple: Vec<&Probe> = [foreign, null]
        .into_iter()
        .chain(trusted.iter())
        .chain(alikes.iter())
        .collect();

    if let Some(p) = simple
        .iter()
        .chain([&preflight])
        .find(|p| p.acao() == Some("*") && p.credentials())
    {
        findings.push(Finding::new(
            rules::CORS_WILDCARD_CREDENTIALS,
            &p.exchange,
            "Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true",
            "an exact origin from the allowlist (browsers refuse `*` with credentials)",
        ));
    }
    let reflects_any = foreign.allows_origin();
    if reflects_any && foreign.credentials() {
        findings.push(Finding::new(
            rules::CORS_REFLECT_ANY,
            &foreign.exchange,
            format!("the foreign origin {FOREIGN_ORIGIN} was allowed, with credentials"),
            "no Access-Control-Allow-* headers for an origin outside the allowlist",
        ));
    }
    if !reflects_any && null.allows_origin() && null.credentials() {
        findings.push(Finding::new(
            rules::CORS_NULL_ORIGIN,
            &null.exchange,
            "Origin: null was allowed, with credentials",
            "no Access-Control-Allow-* headers for the null origin",
        ));
    }
    if !reflects_any {
        for alike in alikes.iter().filter(|p| p.allows_origin()) {
            let finding = Finding::new(
                rules::CORS_SLOPPY_MATCH,
                &alike.exchange,
                format!("the look-alike origin {} was allowed", alike.origin),
                "exact origin matching: scheme, host and port",
            );
            // Without credentials a look-alike reads only what anyone can.
            findings.push(if alike.credentials() {
                finding.rated(
                    Severity::Error,
                    "with credentials: the look-alike reads the user's data",
                )
            } else {
                finding.rated(
                    Severity::Warning,
                    "without credentials: anonymous reads only",
                )
            });
        }
    }
    // Fetch §3.2.5: a static Access-Control-Allow-Origin, sent alike to
    // every origin, needs no `Vary: Origin` (tower-http 0.7's exact-origin
    // `CorsLayer` answers so). Only an answer that changes with the Origin
    // does.
    let first_acao = simple.first().and_then(|p| p.acao());
    let static_acao = simple.iter().all(|p| p.acao() == first_acao);
    let no_vary = simple.iter().filter(|_| !static_acao).find(|p| {
        p.acao().is_some_and(|v| v != "*")
            && p.answer().is_some_and(|a| {
                !a.list_contains("vary", "origin") && !a.list_contains("vary", "*")
            })
    });
    if let Some(p) = no_vary {
        findings.push(Finding::new(
            rules::CORS_NO_VARY,
            &p.exchange,
            format!(
                "Access-Control-Allow-Origin: {} without Vary: Origin",
                p.acao().unwrap_or_default()
            ),
            "Vary: Origin, so caches do not serve one origin's answer to another",
        ));
    }
    let wildcard = |p: &Probe, name: &str| p.answer().is_some_and(|a| a.list_contains(name, "*"));
    let wild_preflight = preflight.credentials()
        && (wildcard(preflight, "access-control-allow-methods")
            || wildcard(preflight, "access-control-allow-headers"));
    let wild_simple = simple
        .iter()
        .find(|p| p.credentials() && wildcard(p, "access-control-expose-headers"));
    if wild_preflight {
        findings.push(Finding::new(
            rules::CORS_PREFLIGHT_WILDCARD,
            &preflight.exchange,
            "a preflight answer with `*` in Allow-Methods or Allow-Headers, with credentials",
            "the methods and headers listed by name",
        ));
    } else if let Some(p) = wild_simple {
        findings.push(Finding::new(
            rules::CORS_PREFLIGHT_WILDCARD,
            &p.exchange,
            "Access-Control-Expose-Headers: * with credentials (browsers expose nothing then)",
            "the exposed headers listed by name",
        ));
    }
    let allowed = trusted.iter().chain([foreign]).find(|p| {
        p.acao()
            .is_some_and(|v| v == "*" || v.eq_ignore_ascii_case(&p.origin))
    });
    if let Some(p) = allowed {
        if let Some(answer) = p.answer() {
            let exposed = answer
                .header_list("access-control-expose-headers")
                .unwrap_or_default()
                .to_ascii_lowercase();
            let all_exposed = !p.credentials() && exposed.split(',').any(|t| t.trim() == "*");
            let mut hidden: Vec<&str> = answer
                .headers
                .iter()
                .map(|(n, _)| n.as_str())
                .filter(|n| spec::needs_exposing(n))
                .filter(|n| !all_exposed && !exposed.split(',').any(|t| t.trim() == *n))
                .collect();
            hidden.dedup();
            // A header the service made up is there for its clients; a
            // standard field the browser acts on by itself (the cache
            // revalidates with ETag) is read by a script only sometimes.
            let (standard, own): (Vec<&str>, Vec<&str>) = hidden
                .into_iter()
                .partition(|n| ACTED_ON_BY_THE_BROWSER.contains(n));
            for (names, rating) in [
                (own, None),
                (
                    standard,
                    Some(
                        "a standard field the browser acts on by itself; expose it if a script \
                         of yours reads it",
                    ),
                ),
            ] {
                if names.is_empty() {
                    continue;
                }
                let finding = Finding::new(
                    rules::CORS_UNEXPOSED_HEADER,
                    &p.exchange,
                    format!(
                        "{} sent but not in Access-Control-Expose-Headers",
                        names.join(", ")
                    ),
                    format!("Access-Control-Expose-Headers: {}", names.join(", ")),
                );
                findings.push(match rating {
                    Some(why) => finding.rated(Severity::Info, why),
                    None => finding,
                });
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::finding::{Received, SentRequest};

    fn probe(origin: &str, headers: &[(&str, &str)]) -> Probe {
        Probe {
            origin: origin.to_owned(),
            exchange: Exchange {
                request: SentRequest {
                    method: "GET".into(),
                    url: "http://127.0.0.1/".into(),
                    headers: vec![],
                    body: None,
                },
                received: Received::Http(HttpAnswer {
                    status: 200,
                    headers: headers
                        .iter()
                        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                        .collect(),
                    body: String::new(),
                }),
            },
        }
    }

    const TRUSTED: &str = "https://app.example.com";

    fn run(
        trusted: &[(&str, &str)],
        foreign: &[(&str, &str)],
        alike: &[(&str, &str)],
        pre: &[(&str, &str)],
    ) -> Vec<&'static str> {
        let f = probe(FOREIGN_ORIGIN, foreign);
        let n = probe("null", foreign);
        let t = probe(TRUSTED, trusted);
        let a = vec![probe(
            "https://app.example.com.wirefault-evil.example",
            alike,
        )];
        let p = probe(TRUSTED, pre);
        let mut ids: Vec<_> = judge(&f, &n, &[t], &a, &p)
            .iter()
            .map(|f| f.rule.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn correct_policy_has_no_finding() {
        let ok = [
            ("access-control-allow-origin", TRUSTED),
            ("access-control-allow-credentials", "true"),
            ("vary", "origin, access-control-request-method"),
            ("access-control-expose-headers", "x-request-id"),
            ("x-request-id", "1"),
        ];
        let pre = [
            ("access-control-allow-origin", TRUSTED),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET,POST"),
        ];
        assert!(run(&ok, &[("vary", "origin")], &[], &pre).is_empty());
    }

    #[test]
    fn each_mistake() {
        let star = [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-credentials", "true"),
        ];
        assert_eq!(run(&star, &star, &star, &[]), ["WF-CORS-001"]);
        let creds = ("access-control-allow-credentials", "true");
        let trusted = [
            ("access-control-allow-origin", TRUSTED),
            creds,
            ("vary", "Origin"),
        ];
        let alike = [
            (
                "access-control-allow-origin",
                "https://app.example.com.wirefault-evil.example",
            ),
            creds,
            ("vary", "Origin"),
        ];
        assert_eq!(run(&trusted, &[], &alike, &[]), ["WF-CORS-004"]);
        let no_vary = [("access-control-allow-origin", TRUSTED), creds];
        assert_eq!(run(&no_vary, &[], &[], &[]), ["WF-CORS-005"]);
        // The same single origin for everyone (a static answer): no Vary needed.
        let fixed = [("access-control-allow-origin", TRUSTED)];
        assert!(run(&fixed, &fixed, &fixed, &[]).is_empty());
        let pre = [
            ("access-control-allow-origin", TRUSTED),
            creds,
            ("access-control-allow-methods", "*"),
        ];
        assert_eq!(run(&trusted, &[], &[], &pre), ["WF-CORS-006"]);
        let hidden = [
            ("access-control-allow-origin", TRUSTED),
            creds,
            ("vary", "Origin"),
            ("x-request-id", "1"),
            ("x-frame-options", "DENY"),
        ];
        assert_eq!(run(&hidden, &[], &[], &[]), ["WF-CORS-007"]);
    }

    /// One predicate with the core: `ETag` needs exposing too, but the
    /// browser acts on it by itself, so it is only noted; a proxy's
    /// `X-Accel-Buffering` needs no exposing at all.
    #[test]
    fn standard_and_proxy_headers() {
        let allowed = |extra: (&'static str, &'static str)| {
            let headers = [
                ("access-control-allow-origin", TRUSTED),
                ("vary", "Origin"),
                extra,
            ];
            let t = probe(TRUSTED, &headers);
            let f = probe(FOREIGN_ORIGIN, &[]);
            let n = probe("null", &[]);
            judge(&f, &n, &[t], &[], &probe(TRUSTED, &[]))
                .iter()
                .map(|f| (f.rule.id, f.severity))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            allowed(("etag", "W/\"1\"")),
            [("WF-CORS-007", Severity::Info)]
        );
        assert!(allowed(("x-accel-buffering", "no")).is_empty());
        assert_eq!(
            allowed(("ratelimit-remaining", "9")),
            [("WF-CORS-007", Severity::Warning)]
        );
    }

    #[test]
    fn look_alikes_of_an_https_origin() {
        let (origin, url) = parse_origin("https://App.Example.com").unwrap();
        assert_eq!(origin, "https://app.example.com");
        let alikes = look_alikes(&url);
        assert!(alikes.contains(&"https://app.example.com.wirefault-evil.example".to_owned()));
        assert!(alikes.contains(&"https://wirefault-evilexample.com".to_owned()));
        assert!(!alikes.iter().any(|a| a.starts_with("http://")));
        // No look-alike is a subdomain of the trusted one's parent domain: a
        // policy that trusts every subdomain is not sloppy.
        let (_, sub) = parse_origin("https://app.example2.com").unwrap();
        let subdomain = |o: &String| {
            let host = Url::parse(o).unwrap().host_str().unwrap_or("").to_owned();
            host.ends_with(".example2.com")
        };
        assert!(!look_alikes(&sub).iter().any(subdomain));
        let (_, http) = parse_origin("http://127.0.0.1:3001").unwrap();
        assert!(look_alikes(&http).iter().all(|o| o.starts_with("http://")));
        assert!(parse_origin("https://a.com/path").is_err());
        assert!(parse_origin("a.com").is_err());
    }
}
