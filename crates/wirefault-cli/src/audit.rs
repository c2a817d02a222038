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
use crate::filter::Filter;
use crate::finding::{self, Audit, Exchange, Finding, Outcome, Received};
use crate::probe::{cors, http, openapi, ws, Ctx};

/// Most plain `GET` paths from the OpenAPI document probed.
const MAX_GET_PATHS: usize = 20;
/// Most `--ws` paths probed.
const MAX_WS_PATHS: usize = 10;

type Task<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// Runs the audit described by the arguments.
pub(crate) async fn run(args: &AuditArgs) -> anyhow::Result<Audit> {
    let base = crate::target::parse(&args.url, args.allow_remote)?;
    let filter = Filter {
        only: args.only.iter().map(|r| r.id).collect(),
        ignore: args.ignore.clone(),
        baseline: match &args.baseline {
            Some(path) => Some(crate::filter::load_baseline(path)?),
            None => None,
        },
    };
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
        sent: std::sync::atomic::AtomicUsize::new(0),
    };
    let concurrency = usize::from(args.concurrency);
    let mut caps = Vec::new();
    let endpoints = ws_endpoints(&ctx, args, &mut caps)?;
    let ws_paths: Vec<Url> = endpoints.iter().map(|e| e.url.clone()).collect();
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
            .into()
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
                    .into()
            }));
        }
    }
    let trusted_url = trusted.as_ref().map(|(_, u)| u);
    let base_ref = &base;
    tasks.push(Box::pin(async move {
        cors::run(ctx_ref, base_ref, trusted_url).await.into()
    }));
    // Each endpoint runs its own sessions, bounded (see `ws`).
    for endpoint in &endpoints {
        tasks.push(Box::pin(ws::audit(ctx_ref, endpoint)));
    }
    bar.inc_length(tasks.len() as u64);
    let rest: Vec<Outcome> = stream::iter(tasks)
        .buffer_unordered(concurrency)
        .inspect(|_| bar.inc(1))
        .collect()
        .await;
    bar.finish_and_clear();
    let mut outcome = Outcome::from(findings);
    outcome.caps = caps;
    for part in rest {
        outcome.extend(part);
    }
    let before = outcome.findings.len();
    let kept: Vec<Finding> = outcome
        .findings
        .into_iter()
        .filter(|f| filter.keeps(f))
        .collect();
    let filtered = before - kept.len();
    let findings = finding::group(kept)
        .into_iter()
        .map(|f| {
            let state = filter.baseline_state(&f);
            (f, state)
        })
        .collect();
    outcome.skipped.sort_by(|a, b| (&a.target, &a.reason).cmp(&(&b.target, &b.reason)));
    Ok(Audit {
        target: base.to_string(),
        requests: ctx.sent.load(std::sync::atomic::Ordering::Relaxed),
        findings,
        skipped: outcome.skipped,
        caps: outcome.caps,
        filtered,
    })
}

/// The WebSocket endpoints: `--ws` paths and `--ws-message` paths, at most
/// [`MAX_WS_PATHS`] (a cut is reported).
fn ws_endpoints(
    ctx: &Ctx,
    args: &AuditArgs,
    caps: &mut Vec<String>,
) -> anyhow::Result<Vec<ws::Endpoint>> {
    let mut paths: Vec<&str> = Vec::new();
    for path in args
        .ws
        .iter()
        .map(String::as_str)
        .chain(args.ws_messages.iter().map(|m| m.path.as_str()))
    {
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    if paths.len() > MAX_WS_PATHS {
        caps.push(format!(
            "--ws: {} WebSocket paths given, the first {MAX_WS_PATHS} probed",
            paths.len()
        ));
    }
    let mut endpoints = Vec::new();
    for path in paths.into_iter().take(MAX_WS_PATHS) {
        let mut samples = args.ws_messages.iter().filter(|m| m.path == path);
        let sample = samples.next().map(|m| m.sample.clone());
        if samples.next().is_some() {
            anyhow::bail!("--ws-message: one sample per path ({path} has more)");
        }
        endpoints.push(ws::Endpoint {
            url: ctx.path_url(path),
            sample,
            protocol: args.ws_protocol.clone(),
        });
    }
    Ok(endpoints)
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
