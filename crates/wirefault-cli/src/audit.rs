//! Runs the probes of one audit, bounded in count, concurrency and time.
//!
//! 1. `GET` the base URL (is it there at all?) and find the OpenAPI document
//!    (`--openapi`, or the usual places on the target).
//! 2. `GET` two unknown paths, the `--ws` paths, the document's and
//!    `--path`'s `GET` paths (parameters filled) and the base page's
//!    same-host links.
//! 3. Everything else at once: wrong and unsupported methods, missing
//!    resources and wrong-typed parameters, bad bodies and body variants,
//!    CORS on each API path, WebSocket probes.
//!
//! Every list is capped; a cap that cuts something is said in the report.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::IsTerminal as _;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context as _;
use futures_util::stream::{self, StreamExt as _};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Url;

use crate::cli::{AuditArgs, BodyArg, Secret};
use crate::filter::Filter;
use crate::finding::{self, Audit, Exchange, Finding, Outcome, Received};
use crate::probe::http::BadBody;
use crate::probe::openapi::{self, Document, Location, Operation, Param};
use crate::probe::{body, cors, discover, grpc, http, sse, ws, Ctx};
use crate::tls::{self, TlsOptions};

/// Most `GET` paths from the OpenAPI document and `--path` probed.
const MAX_GET_PATHS: usize = 20;
/// Most `--ws` paths probed.
const MAX_WS_PATHS: usize = 10;
/// Most `--path` values read.
const MAX_USER_PATHS: usize = 20;
/// Most paths whose parameters get the missing-resource and wrong-type probes.
const MAX_PARAM_PATHS: usize = 20;
/// Most wrong-typed parameters tried on one path.
const MAX_WRONG_TYPES: usize = 3;
/// Most unsupported-method requests.
const MAX_METHOD_PROBES: usize = 30;
/// Most valid bodies (from `--body` and the document) varied.
const MAX_BODIES: usize = 10;
/// Most `--sse` paths probed.
const MAX_SSE_PATHS: usize = 10;
/// Most paths that get the CORS probes.
const MAX_CORS_PATHS: usize = 5;

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
    let trusted: Vec<(String, Url)> = args
        .origin
        .iter()
        .map(|raw| cors::parse_origin(raw))
        .collect::<anyhow::Result<_>>()?;
    // A document file is read before anything is sent: a typo fails fast.
    let file_document = match &args.openapi {
        Some(arg) if !discover::is_url(arg) => Some(discover::load_file(arg)?),
        _ => None,
    };
    let timeout = Duration::from_secs_f64(args.timeout);
    let tls = tls::client_config(&TlsOptions {
        ca_cert: args.ca_cert.as_deref(),
        insecure: args.insecure,
    })?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls((*tls).clone())
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .build()
        .context("cannot build the HTTP client")?;
    let ctx = Ctx {
        client,
        base: base.clone(),
        auth: credentials(args),
        has_cookie: !args.cookies.is_empty()
            || args
                .headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("cookie")),
        origin: trusted.first().map(|(o, _)| o.clone()),
        timeout,
        tls,
        sent: std::sync::atomic::AtomicUsize::new(0),
    };
    let mut notes = Vec::new();
    let mut caps = Vec::new();
    if args.insecure {
        notes.push("TLS certificates were not checked (--insecure)".to_owned());
    }
    let concurrency = usize::from(args.concurrency);
    let bar = progress_bar();

    // Phase 1: is it there at all? And which endpoints does it have?
    let first = http::send(&ctx, "GET", &base, &[], None).await;
    if let Received::Nothing { error } = &first.received {
        // A gRPC-only server speaks no HTTP/1.1: with --grpc, only the
        // gRPC probes run.
        let grpc = match args.grpc {
            true => grpc::audit(&ctx, true, &trusted, concurrency).await,
            false => grpc::Report::default(),
        };
        bar.finish_and_clear();
        let Some(note) = grpc.note else {
            anyhow::bail!("cannot reach {base}: {error}");
        };
        notes.push(note);
        notes.push(format!(
            "{base} did not answer HTTP/1.1 ({error}); only the gRPC probes ran"
        ));
        return Ok(finish(&ctx, args, &filter, grpc.outcome, notes));
    }
    let document = match (&args.openapi, file_document) {
        (_, Some(found)) => {
            notes.push(format!("OpenAPI document: {}", found.source));
            found.document
        }
        (Some(arg), None) => {
            let found = discover::load_url(&ctx, arg, args.allow_remote).await?;
            notes.push(format!("OpenAPI document: {}", found.source));
            found.document
        }
        (None, None) => match discover::find(&ctx).await {
            Some(found) => {
                notes.push(format!(
                    "OpenAPI document found on the target at {}",
                    found.source
                ));
                found.document
            }
            None => Document::default(),
        },
    };
    if document.total > document.ops.len() {
        caps.push(format!(
            "the OpenAPI document has {} operations; the first {} were probed",
            document.total,
            document.ops.len()
        ));
    }
    let ops = document.ops;
    let user_ops = user_paths(&args.paths, &mut caps);
    let links = discover::links(&base, &first);
    if links.len() > discover::MAX_LINKS {
        caps.push(format!(
            "the base page links {} same-host paths; the first {} were probed",
            links.len(),
            discover::MAX_LINKS
        ));
    }

    // Phase 2: GET the unknown paths, the WebSocket paths, the API's GET
    // paths and the base page's links.
    let endpoints = ws_endpoints(&ctx, args, &mut caps)?;
    let ws_paths: Vec<Url> = endpoints.iter().map(|e| e.url.clone()).collect();
    // A path whose parameters all have an example names a real resource;
    // one with a parameter that does not is the missing-resource probe's.
    let api_gets: Vec<Url> = {
        let all: Vec<Url> = dedup_urls(
            ops.iter()
                .chain(&user_ops)
                .filter(|o| o.method == "GET")
                .filter(|o| o.path_params().iter().all(|p| p.example.is_some()))
                .map(|o| ctx.path_url(&o.concrete_path())),
        );
        capped(&all, MAX_GET_PATHS, "API GET paths", &mut caps)
    };
    let link_urls: Vec<Url> = links
        .iter()
        .take(discover::MAX_LINKS)
        .map(|p| ctx.path_url(p))
        .collect();
    let gets = dedup_urls(
        ws_paths
            .iter()
            .chain(&api_gets)
            .chain(&link_urls)
            .filter(|u| **u != base)
            .cloned(),
    );
    bar.set_length((3 + gets.len()) as u64);
    bar.inc(1);
    let ctx_ref = &ctx;
    let mut known: Vec<Url> = Vec::new();
    if http::is_known(&first) {
        known.push(base.clone());
    }
    let mut findings = http::judge_answer(&first);
    let unknown_urls = [http::UNKNOWN_PATH, http::UNKNOWN_PATH_2].map(|s| ctx.relative_url(s));
    // The API's own unknown path, when its paths share a prefix the base
    // URL is not already under: tells a page fallback outside the API (a
    // single-page app) from one over it.
    let api_unknown_url = api_prefix(
        ops.iter()
            .chain(&user_ops)
            .map(|o| ctx.path_url(&o.concrete_path()).path().to_owned()),
    )
    .filter(|prefix| !base.path().starts_with(prefix.as_str()))
    .map(|prefix| ctx.path_url(&format!("{prefix}/{}", http::UNKNOWN_PATH)));
    let (unknown, unknown_2, api_unknown) = futures_util::join!(
        http::send(ctx_ref, "GET", &unknown_urls[0], &[], None),
        http::send(ctx_ref, "GET", &unknown_urls[1], &[], None),
        async {
            match &api_unknown_url {
                Some(url) => Some(http::send(ctx_ref, "GET", url, &[], None).await),
                None => None,
            }
        },
    );
    findings.extend(http::judge_unknown_path(
        &unknown,
        &unknown_2,
        api_unknown.as_ref(),
    ));
    bar.inc(2);
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
    let not_found: Vec<&Exchange> = std::iter::once(&unknown).chain(&api_unknown).collect();
    let not_found = &not_found[..];
    let mut tasks: Vec<Task<'_>> = Vec::new();
    for url in &known {
        let url = url.clone();
        tasks.push(Box::pin(async move {
            http::judge_wrong_method(
                &http::send(ctx_ref, http::WRONG_METHOD, &url, &[], None).await,
                not_found,
            )
            .into()
        }));
    }
    let all_ops: Vec<Operation> = ops.iter().chain(&user_ops).cloned().collect();
    parameter_probes(ctx_ref, &all_ops, &mut tasks, &mut caps);
    method_probes(
        ctx_ref,
        &ops,
        args.allow_destructive,
        not_found,
        &mut tasks,
        &mut caps,
    );
    body_probes(
        ctx_ref,
        &all_ops,
        &args.bodies,
        args.allow_destructive,
        &mut tasks,
        &mut caps,
        &mut notes,
    );
    let cors_paths: Vec<Url> = {
        let api: BTreeSet<&Url> = api_gets.iter().collect();
        let mut paths = vec![base.clone()];
        paths.extend(known.iter().filter(|u| api.contains(u)).cloned());
        capped(&dedup_urls(paths), MAX_CORS_PATHS, "CORS paths", &mut caps)
    };
    let trusted_ref = &trusted;
    for url in cors_paths {
        tasks.push(Box::pin(async move {
            cors::run(ctx_ref, &url, trusted_ref).await.into()
        }));
    }
    // Each event stream: its own probes, and CORS on its headers.
    for url in capped(&args.sse, MAX_SSE_PATHS, "--sse paths", &mut caps)
        .iter()
        .map(|p| ctx.path_url(p))
    {
        let cors_url = url.clone();
        tasks.push(Box::pin(
            async move { sse::audit(ctx_ref, &url).await.into() },
        ));
        tasks.push(Box::pin(async move {
            cors::run_keeping(ctx_ref, &cors_url, trusted_ref, 0)
                .await
                .into()
        }));
    }
    // Each endpoint runs its own sessions, bounded (see `ws`).
    for endpoint in &endpoints {
        tasks.push(Box::pin(ws::audit(ctx_ref, endpoint)));
    }
    bar.inc_length(tasks.len() as u64);
    let (rest, grpc): (Vec<Outcome>, _) = futures_util::join!(
        stream::iter(tasks)
            .buffer_unordered(concurrency)
            .inspect(|_| bar.inc(1))
            .collect(),
        grpc::audit(ctx_ref, args.grpc, trusted_ref, concurrency),
    );
    notes.extend(grpc.note);
    bar.finish_and_clear();
    let mut outcome = Outcome::from(findings);
    outcome.caps = caps;
    for part in rest {
        outcome.extend(part);
    }
    outcome.extend(grpc.outcome);
    Ok(finish(&ctx, args, &filter, outcome, notes))
}

/// The report: the findings filtered, grouped and set against the baseline.
fn finish(
    ctx: &Ctx,
    args: &AuditArgs,
    filter: &Filter,
    mut outcome: Outcome,
    notes: Vec<String>,
) -> Audit {
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
    outcome
        .skipped
        .sort_by(|a, b| (&a.target, &a.reason).cmp(&(&b.target, &b.reason)));
    Audit {
        target: ctx.base.to_string(),
        requests: ctx.sent.load(std::sync::atomic::Ordering::Relaxed),
        findings,
        skipped: outcome.skipped,
        caps: outcome.caps,
        notes,
        filtered,
        fail_on: args.fail_on,
    }
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

/// `--header` and `--cookie`, as sent on every probe.
fn credentials(args: &AuditArgs) -> Vec<(String, Secret)> {
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
    auth
}

/// `--path` values as `GET` operations with untyped parameters.
fn user_paths(paths: &[String], caps: &mut Vec<String>) -> Vec<Operation> {
    capped(paths, MAX_USER_PATHS, "--path values", caps)
        .into_iter()
        .map(|path| Operation {
            method: "GET".to_owned(),
            params: openapi::template_names(&path)
                .iter()
                .map(|n| Param::untyped(n))
                .collect(),
            path,
            body_schema: None,
            body_example: None,
            prefix: String::new(),
        })
        .collect()
}

/// The first `max` items; a line in the report's caps when that cuts some.
fn capped<T: Clone>(items: &[T], max: usize, what: &str, caps: &mut Vec<String>) -> Vec<T> {
    if items.len() > max {
        caps.push(format!(
            "{} {what}; the first {max} were probed",
            items.len()
        ));
    }
    items.iter().take(max).cloned().collect()
}

/// URLs in first-seen order, without repeats.
fn dedup_urls(urls: impl IntoIterator<Item = Url>) -> Vec<Url> {
    let mut seen = BTreeSet::new();
    urls.into_iter()
        .filter(|u| seen.insert(u.to_string()))
        .collect()
}

/// For each `GET` path with parameters: the missing resource (every path
/// parameter names nothing) and each typed parameter given a value of
/// another type. Only `GET`: both are safe to send anywhere.
fn parameter_probes<'a>(
    ctx: &'a Ctx,
    ops: &[Operation],
    tasks: &mut Vec<Task<'a>>,
    caps: &mut Vec<String>,
) {
    let templated: Vec<&Operation> = ops
        .iter()
        .filter(|o| o.method == "GET" && !o.path_params().is_empty())
        .collect();
    for op in capped(
        &templated,
        MAX_PARAM_PATHS,
        "GET paths with parameters",
        caps,
    ) {
        let params = op.path_params();
        if params.iter().any(|p| !p.is_enum()) {
            let values: Vec<String> = params
                .iter()
                .filter(|p| !p.is_enum())
                .map(Param::missing_value)
                .collect();
            let url = ctx.path_url(&op.path_with(&|p: &Param| {
                if p.location == Location::Query || p.is_enum() {
                    p.fill()
                } else {
                    p.missing_value()
                }
            }));
            tasks.push(Box::pin(async move {
                http::judge_missing_resource(
                    &http::send(ctx, "GET", &url, &[], None).await,
                    &values,
                )
                .into()
            }));
        }
        let typed = op
            .params
            .iter()
            .filter(|p| p.wrong_type_value().is_some())
            .take(MAX_WRONG_TYPES);
        for param in typed {
            let Some(wrong) = param.wrong_type_value() else {
                continue;
            };
            let mut path = op.path_with(&|p: &Param| {
                if p.location == param.location && p.name == param.name {
                    wrong.to_owned()
                } else {
                    p.fill()
                }
            });
            if param.location == Location::Query && !param.required {
                path.push(if path.contains('?') { '&' } else { '?' });
                path.push_str(&format!("{}={wrong}", param.name));
            }
            let url = ctx.path_url(&path);
            let name = param.name.clone();
            tasks.push(Box::pin(async move {
                http::judge_wrong_type(&http::send(ctx, "GET", &url, &[], None).await, &name).into()
            }));
        }
    }
}

/// The first path segment every API path shares (`/api` for `/api/todos`
/// and `/api/users/{id}`), when each has more below it and the segment is
/// not a parameter. `None` for an API at the root, or none known.
fn api_prefix(paths: impl Iterator<Item = String>) -> Option<String> {
    let mut prefix: Option<String> = None;
    for path in paths {
        let mut segments = path.trim_start_matches('/').splitn(2, '/');
        let first = segments.next().unwrap_or("");
        let below = segments.next().unwrap_or("");
        if first.is_empty() || below.is_empty() || first.contains(['{', '%']) {
            return None;
        }
        match &prefix {
            Some(p) if p[1..] != *first => return None,
            Some(_) => {}
            None => prefix = Some(format!("/{first}")),
        }
    }
    prefix
}

/// Each method the document does not list for a path, sent to it: 405 with
/// `Allow` expected. `POST` always (the body probes send it too), `PUT` and
/// `PATCH` only with `--allow-destructive`, `DELETE` never. Only the
/// document's paths: a `--path` has no list of methods.
fn method_probes<'a>(
    ctx: &'a Ctx,
    ops: &[Operation],
    allow_destructive: bool,
    not_found: &'a [&'a Exchange],
    tasks: &mut Vec<Task<'a>>,
    caps: &mut Vec<String>,
) {
    let mut by_path: BTreeMap<String, (BTreeSet<&str>, &Operation)> = BTreeMap::new();
    for op in ops {
        by_path
            .entry(format!("{}{}", op.prefix, op.path))
            .or_insert_with(|| (BTreeSet::new(), op))
            .0
            .insert(op.method.as_str());
    }
    let candidates: Vec<(String, Url)> = by_path
        .values()
        .flat_map(|(methods, op)| {
            let url = ctx.path_url(&op.concrete_path());
            ["POST", "PUT", "PATCH"]
                .into_iter()
                .filter(|m| !methods.contains(m))
                .filter(|m| *m == "POST" || allow_destructive)
                .map(move |m| (m.to_owned(), url.clone()))
        })
        .collect();
    for (method, url) in capped(
        &candidates,
        MAX_METHOD_PROBES,
        "unsupported-method probes",
        caps,
    ) {
        tasks.push(Box::pin(async move {
            http::judge_wrong_method(&http::send(ctx, &method, &url, &[], None).await, not_found)
                .into()
        }));
    }
}

/// Bad bodies: malformed JSON and schema-shaped mistakes for each operation
/// with a JSON body, and variants of each valid body (`--body`, or the
/// document's example). `POST` always; `PUT`/`PATCH` only with
/// `--allow-destructive`; never `DELETE`, and never the valid body itself.
fn body_probes<'a>(
    ctx: &'a Ctx,
    ops: &[Operation],
    bodies: &[BodyArg],
    allow_destructive: bool,
    tasks: &mut Vec<Task<'a>>,
    caps: &mut Vec<String>,
    notes: &mut Vec<String>,
) {
    let allowed = |m: &str| m == "POST" || (allow_destructive && matches!(m, "PUT" | "PATCH"));
    let mut send = |method: String, url: Url, bad: BadBody| {
        tasks.push(Box::pin(async move {
            let sent = Some(("application/json", bad.text.clone()));
            http::judge_bad_body(&http::send(ctx, &method, &url, &[], sent).await, &bad).into()
        }) as Task<'a>);
    };
    for op in ops.iter().filter(|o| allowed(&o.method)) {
        if op.body_schema.is_none() {
            continue;
        }
        let url = ctx.path_url(&op.concrete_path());
        for bad in http::bad_bodies(op) {
            send(op.method.clone(), url.clone(), bad);
        }
    }
    // Valid bodies: the user's first, then the document's examples.
    let mut valid: Vec<(String, Url, serde_json::Value, Option<serde_json::Value>)> = Vec::new();
    for arg in bodies {
        let op = ops.iter().find(|o| {
            o.method == arg.method
                && (o.path == arg.path || format!("{}{}", o.prefix, o.path) == arg.path)
        });
        let path = match op {
            Some(op) => op.concrete_path(),
            None => openapi::fill_template(&arg.path, &|n| Param::untyped(n).fill()),
        };
        valid.push((
            arg.method.clone(),
            ctx.path_url(&path),
            arg.json.clone(),
            op.and_then(|o| o.body_schema.clone()),
        ));
    }
    for op in ops {
        let given = bodies
            .iter()
            .any(|b| b.method == op.method && b.path == op.path);
        if let (Some(example), false) = (&op.body_example, given) {
            valid.push((
                op.method.clone(),
                ctx.path_url(&op.concrete_path()),
                example.clone(),
                op.body_schema.clone(),
            ));
        }
    }
    let skipped = valid.iter().filter(|(m, ..)| !allowed(m)).count();
    if skipped > 0 {
        notes.push(format!(
            "{skipped} PUT/PATCH body sample(s) not sent (no --allow-destructive)"
        ));
    }
    let valid: Vec<_> = valid.into_iter().filter(|(m, ..)| allowed(m)).collect();
    for (method, url, json, schema) in capped(&valid, MAX_BODIES, "valid bodies", caps) {
        for bad in body::variants(&json, schema.as_ref()) {
            send(method.clone(), url.clone(), bad);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(paths: &[&str]) -> Option<String> {
        api_prefix(paths.iter().map(|p| (*p).to_owned()))
    }

    #[test]
    fn api_prefix_is_the_shared_first_segment() {
        assert_eq!(prefix(&["/api/todos", "/api/users/1"]), Some("/api".into()));
        assert_eq!(prefix(&["/api/todos", "/v1/users"]), None);
        assert_eq!(prefix(&["/api/todos", "/"]), None);
        assert_eq!(prefix(&["/todos"]), None);
        assert_eq!(prefix(&["/{tenant}/todos"]), None);
        assert_eq!(prefix(&[]), None);
    }
}
