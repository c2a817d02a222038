//! Runs the probes of one audit, bounded in count, concurrency and time.
//!
//! 1. `GET` the base URL (is it there at all?) and find the OpenAPI document
//!    (`--openapi`, or the usual places on the target).
//! 2. `GET` two unknown paths, the `--ws` paths, the document's and
//!    `--path`'s `GET` paths (parameters filled) and the base page's
//!    same-host links.
//! 3. Everything else at once: wrong and unsupported methods, missing
//!    resources and wrong-typed parameters, bad bodies and body variants
//!    (of bodies given, or built from the schema), credentials (none and
//!    bogus) on protected operations, CORS on each API path, WebSocket
//!    probes.
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

use crate::checks;
use crate::cli::{AuditArgs, BodyArg, Secret};
use crate::filter::Filter;
use crate::finding::{self, Audit, Exchange, Finding, Outcome, Received, Skipped};
use crate::model::{cookies, Model};
use crate::probe::http::BadBody;
use crate::probe::observe::{observe, Observation, Probe};
use crate::probe::openapi::{self, Document, Location, Operation, Param};
use crate::probe::{body, cors, credentials, discover, grpc, http, liveness, sample, sse, ws, Ctx};
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
/// Most operations that get the credential probes.
const MAX_CREDENTIAL_OPS: usize = 20;
/// Most `--sse` paths probed.
const MAX_SSE_PATHS: usize = 10;
/// Most paths that get the CORS probes.
const MAX_CORS_PATHS: usize = 5;

type Task<'a> = Pin<Box<dyn Future<Output = Done> + Send + 'a>>;

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
        client_cert: args.client_cert.as_deref(),
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
        has_client_cert: args.client_cert.is_some(),
        origin: trusted.first().map(|(o, _)| o.clone()),
        timeout,
        tls,
        sent: std::sync::atomic::AtomicUsize::new(0),
        liveness: liveness::Liveness::default(),
    };
    let mut notes = Vec::new();
    let mut caps = Vec::new();
    if args.insecure {
        notes.push("TLS certificates were not checked (--insecure)".to_owned());
    }
    let concurrency = usize::from(args.concurrency);
    let bar = progress_bar();

    // Phase 1: is it there at all? And which endpoints does it have?
    let first = observe(&ctx, Probe::Known, "GET", &base, None).await;
    if let Some(Received::Nothing { error }) = first.first().map(|e| &e.received) {
        // A gRPC-only server speaks no HTTP/1.1: with --grpc, only the
        // gRPC probes run.
        let grpc = match args.grpc {
            true => grpc::audit(&ctx, true, &trusted, concurrency).await,
            false => grpc::Report::default(),
        };
        bar.finish_and_clear();
        if grpc.notes.is_empty() {
            anyhow::bail!("cannot reach {base}: {error}");
        }
        notes.extend(grpc.notes);
        notes.push(format!(
            "{base} did not answer HTTP/1.1 ({error}); only the gRPC probes ran"
        ));
        let mut outcome = grpc.outcome;
        if let Some(death) = ctx.liveness.death() {
            outcome.findings.push(checks::crash::check(&death));
        }
        return Ok(finish(&ctx, args, &filter, outcome, notes));
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
    let declared = document.responses;
    let ops = document.ops;
    let user_ops = user_paths(&args.paths, &mut caps);
    let links = match first.answer() {
        Some(exchange) => discover::links(&base, exchange),
        None => Vec::new(),
    };
    if links.len() > discover::MAX_LINKS {
        caps.push(format!(
            "the base page links {} same-host paths; the first {} were probed",
            links.len(),
            discover::MAX_LINKS
        ));
    }

    // Phase 2: the baseline the model learns from: unknown paths, the
    // WebSocket paths, the API's GET paths and the base page's links.
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
    // The wrong method on the unknown path too: a router without 405
    // answers it as it answers the wrong method on a path it has.
    let unknown_url = ctx.relative_url(http::UNKNOWN_PATH);
    let mut baseline: Vec<(Probe, &str, Url)> = vec![
        (Probe::UnknownPath, "GET", unknown_url.clone()),
        (
            Probe::OtherUnknownPath,
            "GET",
            ctx.relative_url(http::UNKNOWN_PATH_2),
        ),
        (Probe::OtherUnknownPath, http::WRONG_METHOD, unknown_url),
    ];
    baseline.extend(api_unknown_url.map(|u| (Probe::ApiUnknownPath, "GET", u)));
    baseline.extend(gets.into_iter().map(|u| (Probe::Known, "GET", u)));
    bar.set_length((1 + baseline.len()) as u64);
    bar.inc(1);
    let ctx_ref = &ctx;
    let mut observations: Vec<Observation> =
        stream::iter(baseline.into_iter().map(|(probe, method, url)| async move {
            observe(ctx_ref, probe, method, &url, None).await
        }))
        .buffered(concurrency)
        .inspect(|_| bar.inc(1))
        .collect()
        .await;
    observations.insert(0, first);
    // The cookies the target set so far: what limits the audit's cookie in
    // browsers, for the WebSocket handshake probes.
    let set_cookies = cookies::seen(&observations);
    let mut known: Vec<Url> = observations
        .iter()
        .filter(|o| matches!(o.probe, Probe::Known))
        .filter_map(|o| o.first())
        .filter(|e| is_known(e))
        .filter_map(|e| Url::parse(&e.request.url).ok())
        .collect();
    known.sort();
    known.dedup();

    // Phase 3: the probes that send input, in parallel; then the bodies,
    // one at a time, so that a body that kills the service is the only
    // request on the wire when it dies.
    let mut tasks: Vec<Task<'_>> = Vec::new();
    for url in &known {
        let url = url.clone();
        tasks.push(Box::pin(async move {
            Done::Observed(
                observe(ctx_ref, Probe::WrongMethod, http::WRONG_METHOD, &url, None).await,
            )
        }));
    }
    let all_ops: Vec<Operation> = ops.iter().chain(&user_ops).cloned().collect();
    parameter_probes(ctx_ref, &all_ops, &mut tasks, &mut caps);
    method_probes(ctx_ref, &ops, args.allow_destructive, &mut tasks, &mut caps);
    credential_probes(
        ctx_ref,
        &all_ops,
        args.allow_destructive,
        &mut tasks,
        &mut caps,
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
            let cors_rules = rules_of("WF-CORS-");
            Done::Judged(
                guarded(
                    ctx_ref,
                    &url,
                    cors_rules,
                    cors::run(ctx_ref, &url, trusted_ref),
                )
                .await,
            )
        }));
    }
    // Each event stream: its own probes, and CORS on its headers.
    for url in capped(&args.sse, MAX_SSE_PATHS, "--sse paths", &mut caps)
        .iter()
        .map(|p| ctx.path_url(p))
    {
        let cors_url = url.clone();
        tasks.push(Box::pin(async move {
            let sse_rules = rules_of("WF-SSE-");
            Done::Judged(guarded(ctx_ref, &url, sse_rules, sse::audit(ctx_ref, &url)).await)
        }));
        tasks.push(Box::pin(async move {
            let cors_rules = rules_of("WF-CORS-");
            let cors = cors::run_keeping(ctx_ref, &cors_url, trusted_ref, 0);
            Done::Judged(guarded(ctx_ref, &cors_url, cors_rules, cors).await)
        }));
    }
    // Each endpoint runs its own sessions, bounded (see `ws`).
    let set_cookies = &set_cookies;
    for endpoint in &endpoints {
        tasks.push(Box::pin(async move {
            let ws_rules = rules_of("WF-WS-");
            Done::Judged(
                guarded(
                    ctx_ref,
                    &endpoint.url,
                    ws_rules,
                    ws::audit(ctx_ref, endpoint, set_cookies),
                )
                .await,
            )
        }));
    }
    let mut bodies: Vec<Task<'_>> = Vec::new();
    body_probes(
        ctx_ref,
        &all_ops,
        &args.bodies,
        args.allow_destructive,
        &mut bodies,
        &mut caps,
        &mut notes,
    );
    bar.inc_length((tasks.len() + bodies.len()) as u64);
    // gRPC runs beside the other probes (its own calls, bounded; see `grpc`).
    let (mut done, grpc): (Vec<Done>, _) = futures_util::join!(
        stream::iter(tasks)
            .buffer_unordered(concurrency)
            .inspect(|_| bar.inc(1))
            .collect(),
        grpc::audit(ctx_ref, args.grpc, trusted_ref, concurrency),
    );
    notes.extend(grpc.notes);
    done.extend(
        stream::iter(bodies)
            .buffered(1)
            .inspect(|_| bar.inc(1))
            .collect::<Vec<Done>>()
            .await,
    );
    bar.finish_and_clear();

    // Judge: learn the model from every answer, then each rule reads it.
    let mut outcome = Outcome::default();
    for part in done {
        match part {
            Done::Observed(observation) => observations.push(observation),
            Done::ObservedAll(all) => observations.extend(all),
            Done::Judged(judged) => outcome.extend(judged),
        }
    }
    let model = Model::learn(declared, &observations);
    for observation in &observations {
        if observation.not_run {
            outcome.skipped.extend(not_run(observation));
        } else {
            outcome.findings.extend(checks::judge(observation, &model));
        }
    }
    if let Some(death) = ctx.liveness.death() {
        outcome.findings.push(checks::crash::check(&death));
    }
    outcome.caps.splice(0..0, caps);
    outcome
        .findings
        .retain(|f| !(f.rule.id.starts_with("WF-HTTP-") && grpc::is_grpc_answer(&f.received)));
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

/// What a phase-3 task gives: an observation (or several, judged
/// together) to judge with the model, or findings its probe judged itself
/// (CORS, WebSocket).
enum Done {
    Observed(Observation),
    ObservedAll(Vec<Observation>),
    Judged(Outcome),
}

/// `true` when a `GET` answer shows the path exists.
fn is_known(exchange: &Exchange) -> bool {
    exchange
        .received
        .http()
        .is_some_and(|a| a.status != 404 && a.status != 405 && a.status != 410)
}

/// The ids of the rules whose id starts with `prefix`.
fn rules_of(prefix: &str) -> Vec<&'static str> {
    crate::rules::ALL
        .iter()
        .map(|r| r.id)
        .filter(|id| id.starts_with(prefix))
        .collect()
}

/// Runs a probe that judges itself, unless the target had stopped: then
/// its rules are listed as not run at `url` (and as partly run when it
/// stopped while the probe ran).
async fn guarded<T: Into<Outcome>>(
    ctx: &Ctx,
    url: &Url,
    rules: Vec<&'static str>,
    probe: impl Future<Output = T>,
) -> Outcome {
    if ctx.liveness.is_dead() {
        return Outcome {
            skipped: vec![Skipped {
                rules,
                target: url.to_string(),
                reason: liveness::NOT_RUN.to_owned(),
            }],
            ..Outcome::default()
        };
    }
    let mut outcome: Outcome = probe.await.into();
    if ctx.liveness.is_dead() {
        outcome.skipped.push(Skipped {
            rules,
            target: url.to_string(),
            reason: format!("partly {}", liveness::NOT_RUN),
        });
    }
    outcome
}

/// The "not run" entry of a probe not sent.
fn not_run(observation: &Observation) -> Option<Skipped> {
    let request = &observation.first()?.request;
    let sent = request
        .body
        .as_deref()
        .map(|b| format!(" (body {})", finding::shorten(b)))
        .unwrap_or_default();
    Some(Skipped {
        rules: observation.probe.rules(),
        target: request.url.clone(),
        reason: format!(
            "{} {}{sent}: {}",
            request.method,
            request.url,
            liveness::NOT_RUN
        ),
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
        let samples = args
            .ws_messages
            .iter()
            .filter(|m| m.path == path)
            .map(|m| m.sample.clone())
            .collect();
        endpoints.push(ws::Endpoint {
            url: ctx.path_url(path),
            samples,
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
            security: None,
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
        // The same operation with its example values, when it has them all:
        // the answer for an existing value, to compare a miss with.
        let found = params
            .iter()
            .all(|p| p.example.is_some())
            .then(|| ctx.path_url(&op.concrete_path()).to_string());
        // One round per value a parameter of unknown type tries (a number,
        // then text); a typed one has the same value in each.
        let rounds = params.iter().map(|p| p.missing_values().len()).max();
        for round in 0..rounds.unwrap_or(0) {
            if params.iter().all(Param::is_enum) {
                break;
            }
            let miss = |p: &Param| {
                let values = p.missing_values();
                values[round.min(values.len() - 1)].clone()
            };
            let found = found.clone();
            let values: Vec<String> = params.iter().filter(|p| !p.is_enum()).map(miss).collect();
            let url = ctx.path_url(&op.path_with(&|p: &Param| {
                if p.location == Location::Query || p.is_enum() {
                    p.fill()
                } else {
                    miss(p)
                }
            }));
            tasks.push(Box::pin(async move {
                let probe = Probe::MissingResource { values, found };
                Done::Observed(observe(ctx, probe, "GET", &url, None).await)
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
            let probe = Probe::WrongType {
                param: param.name.clone(),
            };
            tasks.push(Box::pin(async move {
                Done::Observed(observe(ctx, probe, "GET", &url, None).await)
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
            Done::Observed(observe(ctx, Probe::WrongMethod, &method, &url, None).await)
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
    // `{}` is both a bad body and a variant: sent once.
    let mut seen = BTreeSet::new();
    let mut send = |method: String, url: Url, bad: BadBody| {
        if !seen.insert((method.clone(), url.to_string(), bad.text.clone())) {
            return;
        }
        tasks.push(Box::pin(async move {
            let sent = Some(("application/json", bad.text.clone()));
            Done::Observed(observe(ctx, Probe::BadBody(bad), &method, &url, sent).await)
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
    let mut built = Vec::new();
    for op in ops {
        let given = bodies
            .iter()
            .any(|b| b.method == op.method && b.path == op.path);
        if given {
            continue;
        }
        if let Some((json, from_schema)) = valid_body(op) {
            if from_schema && allowed(&op.method) {
                built.push(format!("{} {}{}", op.method, op.prefix, op.path));
            }
            valid.push((
                op.method.clone(),
                ctx.path_url(&op.concrete_path()),
                json,
                op.body_schema.clone(),
            ));
        }
    }
    if !built.is_empty() {
        notes.push(format!(
            "request bodies built from the schema (the document gives no example): {}",
            built.join(", ")
        ));
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

/// A valid body for `op`: the document's example, else one built from its
/// schema (`true`), else none.
fn valid_body(op: &Operation) -> Option<(serde_json::Value, bool)> {
    match (&op.body_example, &op.body_schema) {
        (Some(example), _) => Some((example.clone(), false)),
        (None, Some(schema)) => Some((sample::valid_value(schema), true)),
        (None, None) => None,
    }
}

/// Each protected operation (the document's word, or, with `-H`/`--cookie`
/// values, any operation) without its credential and with a bogus one
/// (see [`credentials`]). `GET` only; `POST`, `PUT` and `PATCH` too with
/// `--allow-destructive`, with a valid body; never `DELETE`.
fn credential_probes<'a>(
    ctx: &'a Ctx,
    ops: &[Operation],
    allow_destructive: bool,
    tasks: &mut Vec<Task<'a>>,
    caps: &mut Vec<String>,
) {
    let user_credentials = ctx.auth.iter().any(|(n, _)| credentials::is_credential(n));
    let mut seen = BTreeSet::new();
    let chosen: Vec<&Operation> = ops
        .iter()
        .filter(|o| o.method == "GET" || (allow_destructive && o.method != "DELETE"))
        .filter(|o| o.security.is_some() || user_credentials)
        .filter(|o| seen.insert((o.method.clone(), o.concrete_path())))
        .collect();
    for op in capped(&chosen, MAX_CREDENTIAL_OPS, "credential probes", caps) {
        let url = ctx.path_url(&op.concrete_path());
        let body = (op.method != "GET")
            .then(|| valid_body(op).map(|(json, _)| json.to_string()))
            .flatten();
        let method = op.method.clone();
        let requirement = op.security.clone();
        tasks.push(Box::pin(async move {
            Done::ObservedAll(credentials::run(ctx, &method, &url, &requirement, body).await)
        }));
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
