//! Finds what to probe: the OpenAPI document (a file, a URL, or looked for
//! on the target) and the same-host links of the base URL's HTML page.

use anyhow::Context as _;
use futures_util::future::join_all;
use reqwest::Url;

use super::openapi::{self, Document, DISCOVERY_PATHS};
use super::{http, Ctx};
use crate::finding::Exchange;

/// Most links of the base page probed.
pub(crate) const MAX_LINKS: usize = 20;
/// Most bytes of an OpenAPI document read from the network.
const MAX_DOCUMENT: usize = 8 * 1024 * 1024;
/// Most `href`s read from one page.
const MAX_HREFS: usize = 500;

/// A document and where it came from.
#[derive(Debug)]
pub(crate) struct Found {
    /// The operations.
    pub(crate) document: Document,
    /// `--openapi FILE`, the URL, or the discovered path.
    pub(crate) source: String,
}

/// `true` when `--openapi` names an http(s) URL rather than a file.
pub(crate) fn is_url(arg: &str) -> bool {
    arg.starts_with("http://") || arg.starts_with("https://")
}

/// Reads `--openapi FILE`.
pub(crate) fn load_file(path: &str) -> anyhow::Result<Found> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the OpenAPI document {path}"))?;
    parsed(path, &text)
}

/// Fetches `--openapi URL`, with the target's host guard, TLS settings and
/// credentials.
pub(crate) async fn load_url(ctx: &Ctx, arg: &str, allow_remote: bool) -> anyhow::Result<Found> {
    let url = crate::target::parse(arg, allow_remote)?;
    let exchange =
        http::send_keeping(ctx, "GET", &url, &document_accept(), None, MAX_DOCUMENT).await;
    match exchange.received.http() {
        Some(answer) if (200..300).contains(&answer.status) => parsed(arg, &answer.body),
        Some(answer) => anyhow::bail!("--openapi {arg}: HTTP {}", answer.status),
        None => anyhow::bail!("--openapi {arg}: {}", exchange.received.render()),
    }
}

fn parsed(source: &str, text: &str) -> anyhow::Result<Found> {
    let document = openapi::parse_text(text)
        .with_context(|| format!("{source} is not an OpenAPI document"))?;
    Ok(Found {
        document,
        source: source.to_owned(),
    })
}

/// Asks the target for a document at each of [`DISCOVERY_PATHS`] at once
/// (one request each, bounded by the probe timeout) and keeps the first, in
/// that order, that is one.
pub(crate) async fn find(ctx: &Ctx) -> Option<Found> {
    let urls: Vec<Url> = DISCOVERY_PATHS.iter().map(|p| ctx.path_url(p)).collect();
    let accept = document_accept();
    let answers = join_all(
        urls.iter()
            .map(|u| http::send_keeping(ctx, "GET", u, &accept, None, MAX_DOCUMENT)),
    )
    .await;
    DISCOVERY_PATHS
        .iter()
        .zip(&answers)
        .find_map(|(path, exchange)| {
            let answer = exchange.received.http()?;
            if !(200..300).contains(&answer.status) {
                return None;
            }
            // Parsed once: checked for its shape, then read.
            let value = openapi::read_value(&answer.body).ok()?;
            if !openapi::looks_like_document(&value) {
                return None;
            }
            let document = openapi::parse(&value).ok()?;
            Some(Found {
                document,
                source: (*path).to_owned(),
            })
        })
}

fn document_accept() -> Vec<(String, String)> {
    vec![(
        "Accept".to_owned(),
        "application/json, application/yaml;q=0.9, */*;q=0.1".to_owned(),
    )]
}

/// Whether a link's path looks like one that signs out or deletes: the
/// links are fetched with the audit's credentials, and following such a
/// link could end the session the rest of the audit relies on.
fn ends_a_session(path: &str) -> bool {
    let path = path.to_ascii_lowercase();
    [
        "logout", "log-out", "signout", "sign-out", "sign_out", "log_out", "delete", "remove",
    ]
    .iter()
    .any(|word| path.contains(word))
}

/// The same-host paths linked from an HTML answer, in page order, without
/// repeats, at most `MAX_HREFS` read. Returns them all; the caller caps.
/// Links that look like signing out or deleting are left out.
pub(crate) fn links(base: &Url, exchange: &Exchange) -> Vec<String> {
    let Some(answer) = exchange.received.http() else {
        return Vec::new();
    };
    if !answer
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("text/html"))
    {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for href in hrefs(&answer.body).into_iter().take(MAX_HREFS) {
        let Ok(url) = base.join(&href) else { continue };
        let same_host = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        if !same_host || ends_a_session(url.path()) {
            continue;
        }
        let mut path = url.path().to_owned();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        if !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// The values of `href` attributes in HTML text.
///
/// Written by hand: only `href="..."`, `href='...'` and bare `href=x` are
/// needed, and a full HTML parser (html5ever) would be the biggest
/// dependency of the auditor for it.
fn hrefs(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("href") {
        let start = from + i + 4;
        from = start;
        let rest = html[start..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            Some(_) => rest
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
            None => "",
        };
        let value = value.trim().replace("&amp;", "&");
        let skip = value.is_empty()
            || value.starts_with('#')
            || ["javascript:", "mailto:", "data:", "tel:"]
                .iter()
                .any(|s| value.to_ascii_lowercase().starts_with(s));
        if !skip {
            out.push(value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::finding::{HttpAnswer, Received, SentRequest};

    fn page(body: &str) -> Exchange {
        Exchange {
            request: SentRequest {
                method: "GET".into(),
                url: "http://127.0.0.1:3000/".into(),
                headers: vec![],
                body: None,
            },
            received: Received::Http(HttpAnswer {
                status: 200,
                headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
                body: body.into(),
            }),
        }
    }

    #[test]
    fn same_host_links_only() {
        let base = Url::parse("http://127.0.0.1:3000/").unwrap();
        let html = r##"<a href="/404">x</a> <A HREF='500?x=1&amp;y=2'>y</A>
            <a href=http://127.0.0.1:3000/next>n</a> <a href="https://other.example/">o</a>
            <a href="http://127.0.0.1:4000/">p</a> <a href="#top">t</a>
            <a href="mailto:a@b">m</a> <a href="/404">again</a> <link href="/style.css">"##;
        assert_eq!(
            links(&base, &page(html)),
            ["/404", "/500?x=1&y=2", "/next", "/style.css"]
        );
    }

    #[test]
    fn sign_out_and_delete_links_are_not_followed() {
        let base = Url::parse("http://127.0.0.1:3000/").unwrap();
        let html = r#"<a href="/logout">out</a> <a href="/account/Delete?id=1">d</a>
            <a href="/auth/sign-out">s</a> <a href="/about">a</a>"#;
        assert_eq!(links(&base, &page(html)), ["/about"]);
    }

    #[test]
    fn only_html_is_read() {
        let base = Url::parse("http://127.0.0.1:3000/").unwrap();
        let mut json = page(r#"{"href": "/x"}"#);
        if let Received::Http(a) = &mut json.received {
            a.headers = vec![("content-type".into(), "application/json".into())];
        }
        assert!(links(&base, &json).is_empty());
    }
}
