//! Runs the probes of one audit, bounded in count, concurrency and time.

use std::future::Future;
use std::io::IsTerminal as _;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context as _;
use futures_util::stream::{self, StreamExt as _};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Url;

use crate::cli::{AuditArgs, Secret};
use crate::finding::{Audit, Exchange, Finding, Received};
use crate::probe::{cors, http, openapi, ws, Ctx};

/// Most plain `GET` paths from the OpenAPI document probed.
const MAX_GET_PATHS: usize = 20;
/// Most `--ws` paths probed.
const MAX_WS_PATHS: usize = 10;

type Task<'a> = Pin<Box<dyn Future<Output = Vec<Finding>> + Send + 'a>>;

/// Runs the audit described by the arguments.
pub(crate) async fn run(args: &AuditArgs) -> anyhow::Result<Audit> {
    let base = crate::target::parse(&args.url, args.allow_remote)?;
    let trusted = match &args.origin {
        Some(raw) => Some(cors::parse_origin(raw)?),
        None => None,
    };
    let ops = match &args.openapi {
        Some(path) => openapi::load(path)?,
        None => Vec::new(),
    };
    let timeout = Duration::from_secs_f64(args.timeout);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .build()
        .context("cannot build the HTTP client")?;
    let mut auth: Vec<(String, Secret)> = args
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    if !args.cookies.is_empty() {
        let joined = args
            .cookies
            .iter()
            .map(|c| c.0.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        auth.push(("Cookie".to_owned(), Secret(joined)));
    }
    let has_cookie = auth.iter().any(|(n, _)| n.eq_ignore_ascii_case("cookie"));
    let ctx = Ctx {
        client,
        base: base.clone(),
        auth,
        has_cookie,
        origin: trusted.as_ref().map(|(o, _)| o.clone()),
        timeout,
    };
    let concurrency = usize::from(args.concurrency);
    let ws_paths: Vec<Url> = args
        .ws
        .iter()
        .take(MAX_WS_PATHS)
        .map(|p| ctx.path_url(p))
        .collect();
    let get_paths: Vec<Url> = ops
        .iter()
        .filter(|o| o.method == "GET" && o.is_plain())
        .take(MAX_GET_PATHS)
        .map(|o| ctx.path_url(&o.concrete_path()))
        .collect();
    let bar = progress_bar();

    // Phase 1: is it there at all?
    let first = http::send(&ctx, "GET", &base, &[], None).await;
    if let Received::Nothing { error } = &first.received {
        bar.finish_and_clear();
        anyhow::bail!("cannot reach {base}: {error}");
    }
    let mut probes = 1;

    // Phase 2: GET the unknown path, the WebSocket paths and the OpenAPI paths.
    let unknown = ctx.relative_url(http::UNKNOWN_PATH);
    let mut gets: Vec<Url> = ws_paths.clone();
    gets.extend(get_paths.iter().filter(|u| **u != base).cloned());
    // A path both a WebSocket and in the OpenAPI document is sent once.
    gets.sort();
    gets.dedup();
    bar.set_length((2 + gets.len()) as u64);
    bar.inc(1);
    let ctx_ref = &ctx;
    let mut known: Vec<Url> = Vec::new();
    if http::is_known(&first) {
        known.push(base.clone());
    }
    let mut findings = http::judge_answer(&first);
    let unknown_exchange = http::send(ctx_ref, "GET", &unknown, &[], None).await;
    findings.extend(http::judge_unknown_path(&unknown_exchange));
    bar.inc(1);
    let answers: Vec<Exchange> = stream::iter(
        gets.iter()
            .map(|url| http::send(ctx_ref, "GET", url, &[], None)),
    )
    .buffer_unordered(concurrency)
    .inspect(|_| bar.inc(1))
    .collect()
    .await;
    probes += 1 + answers.len();
    for answer in &answers {
        findings.extend(http::judge_answer(answer));
        if http::is_known(answer) {
            if let Ok(url) = Url::parse(&answer.request.url) {
                known.push(url);
            }
        }
    }
    known.sort();
    known.dedup();

    // Phase 3: everything else, in parallel.
    let mut tasks: Vec<Task<'_>> = Vec::new();
    for url in known {
        tasks.push(Box::pin(async move {
            http::judge_wrong_method(
                &http::send(ctx_ref, http::WRONG_METHOD, &url, &[], None).await,
            )
        }));
    }
    for op in &ops {
        let allowed = op.method == "POST"
            || (args.allow_destructive && matches!(op.method.as_str(), "PUT" | "PATCH"));
        if !allowed || op.body_schema.is_none() {
            continue;
        }
        let url = ctx.path_url(&op.concrete_path());
        for body in http::bad_bodies(op) {
            let url = url.clone();
            let method = op.method.clone();
            tasks.push(Box::pin(async move {
                let sent = Some(("application/json", body.text.clone()));
                http::judge_bad_body(&http::send(ctx_ref, &method, &url, &[], sent).await, &body)
            }));
        }
    }
    let trusted_url = trusted.as_ref().map(|(_, u)| u);
    let base_ref = &base;
    tasks.push(Box::pin(async move {
        cors::run(ctx_ref, base_ref, trusted_url).await
    }));
    for url in &ws_paths {
        tasks.push(Box::pin(ws::foreign_origin(ctx_ref, url)));
        for input in ws::BadInput::ALL {
            tasks.push(Box::pin(ws::bad_input(ctx_ref, url, input)));
        }
    }
    probes += tasks.len();
    bar.inc_length(tasks.len() as u64);
    let rest: Vec<Vec<Finding>> = stream::iter(tasks)
        .buffer_unordered(concurrency)
        .inspect(|_| bar.inc(1))
        .collect()
        .await;
    bar.finish_and_clear();
    findings.extend(rest.into_iter().flatten());
    Ok(Audit {
        target: base.to_string(),
        probes,
        findings: dedup(findings),
    })
}

/// Sorts by rule id, URL and observation, and drops repeats.
fn dedup(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (
            a.rule.id,
            &a.request.url,
            &a.request.method,
            &a.request.body,
            &a.observed,
        )
            .cmp(&(
                b.rule.id,
                &b.request.url,
                &b.request.method,
                &b.request.body,
                &b.observed,
            ))
    });
    findings.dedup_by(|a, b| {
        a.rule.id == b.rule.id
            && a.request.url == b.request.url
            && a.request.method == b.request.method
            && a.request.body == b.request.body
            && a.observed == b.observed
    });
    findings
}

/// A progress bar on a terminal; hidden when stderr is not one.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(1);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} probing [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
