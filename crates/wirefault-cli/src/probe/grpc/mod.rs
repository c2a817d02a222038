//! gRPC and gRPC-Web probes: services found by reflection, each method
//! called with well-formed edge messages, an unknown method, and, with
//! `--origin`, the same over gRPC-Web with its CORS.

pub(crate) mod edges;
pub(crate) mod judge;
pub(crate) mod reflect;
pub(crate) mod wire;

use std::time::Duration;

use futures_util::stream::{self, StreamExt as _};
use prost_reflect::MethodDescriptor;

use self::wire::{Call, Wire};
use super::{cors, http, Ctx};
use crate::finding::{Outcome, Received, Skipped};
use crate::rules;

/// Most methods called.
const MAX_METHODS: usize = 20;
/// Most messages sent to one method.
const MAX_EDGES: usize = 12;
/// The method name of the unknown-method probe.
pub(crate) const UNKNOWN_METHOD: &str = "WirefaultProbeNoSuchMethod";
/// Most messages read from a stream that stays open.
const MAX_STREAM_MESSAGES: usize = 100;
/// Longest a stream is read, for its status (a stream still open then is
/// fine).
const MAX_STREAM_WAIT: Duration = Duration::from_secs(3);

/// What the gRPC probes found, and a line for the report's notes.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Findings, skipped probes and caps.
    pub(crate) outcome: Outcome,
    /// What reflection found, when it answered, and whether gRPC-Web
    /// answered.
    pub(crate) notes: Vec<String>,
}

/// Runs the gRPC probes. `asked` (`--grpc`) reports a target without
/// reflection as not checked; without it such a target is left alone.
pub(crate) async fn audit(
    ctx: &Ctx,
    asked: bool,
    trusted: &[(String, reqwest::Url)],
    concurrency: usize,
) -> Report {
    let mut report = Report::default();
    let grpc_rules = || {
        vec![
            rules::GRPC_UNKNOWN.id,
            rules::GRPC_NO_STATUS.id,
            rules::GRPC_LEAK.id,
            rules::GRPC_UNKNOWN_METHOD.id,
        ]
    };
    let skip = |reason: String| Skipped {
        rules: grpc_rules(),
        target: ctx.base.to_string(),
        reason,
    };
    let client = match wire::grpc_client(ctx) {
        Ok(client) => client,
        Err(e) => {
            if asked {
                report
                    .outcome
                    .skipped
                    .push(skip(format!("no gRPC client: {e}")));
            }
            return report;
        }
    };
    let found = match reflect::discover(ctx, &client).await {
        Ok(found) => found,
        Err(why) => {
            if asked {
                report.outcome.skipped.push(skip(format!(
                    "gRPC server reflection did not answer: {why}"
                )));
            }
            return report;
        }
    };
    report.notes.push(format!(
        "gRPC services found by reflection ({}): {}",
        found.reflection,
        if found.services.is_empty() {
            "none".to_owned()
        } else {
            found.services.join(", ")
        }
    ));
    for (service, why) in &found.undescribed {
        report.outcome.skipped.push(skip(format!(
            "{service} was not described by reflection: {why}"
        )));
    }
    let methods: Vec<MethodDescriptor> = found
        .services
        .iter()
        .filter_map(|s| found.pool.get_service_by_name(s))
        .flat_map(|s| s.methods().collect::<Vec<_>>())
        .collect();
    if methods.len() > MAX_METHODS {
        report.outcome.caps.push(format!(
            "{} gRPC methods; the first {MAX_METHODS} were called",
            methods.len()
        ));
    }
    let methods: Vec<MethodDescriptor> = methods.into_iter().take(MAX_METHODS).collect();

    // Every method with each edge message, over gRPC.
    let mut planned: Vec<(String, edges::Edge, bool)> = Vec::new();
    for method in &methods {
        for edge in edges::edges(&method.input(), MAX_EDGES) {
            planned.push((path(method), edge, method.is_server_streaming()));
        }
    }
    let client_ref = &client;
    let calls: Vec<Call> = stream::iter(planned.iter().map(|(path, edge, streaming)| async move {
        wire::call(
            ctx,
            client_ref,
            Wire::Grpc,
            &request(ctx, path, edge, *streaming, Vec::new()),
        )
        .await
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    for call in &calls {
        report
            .outcome
            .findings
            .extend(judge::judge_call(call, false));
    }
    let Some(first_service) = found.services.first() else {
        return report;
    };
    let unknown_path = format!("/{first_service}/{UNKNOWN_METHOD}");
    let empty = edges::Edge {
        bytes: Vec::new(),
        shown: "{}".into(),
    };
    let unknown = wire::call(
        ctx,
        &client,
        Wire::Grpc,
        &request(ctx, &unknown_path, &empty, false, Vec::new()),
    )
    .await;
    report
        .outcome
        .findings
        .extend(judge::judge_call(&unknown, true));

    // gRPC-Web, from the trusted origin, when the target speaks it.
    let Some((origin, _)) = trusted.first() else {
        return report;
    };
    let from = |o: &str| vec![("origin".to_owned(), o.to_owned())];
    let web_unknown = wire::call(
        ctx,
        &ctx.client,
        Wire::GrpcWeb,
        &request(ctx, &unknown_path, &empty, false, from(origin)),
    )
    .await;
    let speaks_web = web_unknown.answer().is_some_and(|a| {
        a.header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/grpc-web"))
    });
    if !speaks_web {
        return report;
    }
    report.notes.push(format!(
        "gRPC-Web answered from {origin}: its CORS was probed"
    ));
    report
        .outcome
        .findings
        .extend(judge::judge_call(&web_unknown, true));
    report
        .outcome
        .findings
        .extend(judge::judge_web_exposure(&web_unknown, origin));
    let url = ctx.path_url(&unknown_path);
    let preflight = http::send(
        ctx,
        "OPTIONS",
        &url,
        &[
            ("Origin".to_owned(), origin.clone()),
            (
                "Access-Control-Request-Method".to_owned(),
                "POST".to_owned(),
            ),
            (
                "Access-Control-Request-Headers".to_owned(),
                judge::WEB_REQUEST_HEADERS.join(","),
            ),
        ],
        None,
    )
    .await;
    report
        .outcome
        .findings
        .extend(judge::judge_web_preflight(&preflight, origin));
    // A foreign origin gets nothing: the CORS rules, on a gRPC-Web path.
    report
        .outcome
        .findings
        .extend(cors::run_keeping(ctx, &url, trusted, 0).await);
    // Over gRPC-Web: each method's empty message, and a server stream's
    // edge messages too (a failing stream must still end with a trailer
    // frame); a status on every call.
    let web_planned: Vec<&(String, edges::Edge, bool)> = planned
        .iter()
        .filter(|(_, edge, streaming)| *streaming || edge.bytes.is_empty())
        .collect();
    let web_calls: Vec<Call> =
        stream::iter(web_planned.into_iter().map(|(path, edge, streaming)| {
            let extra = from(origin);
            async move {
                wire::call(
                    ctx,
                    &ctx.client,
                    Wire::GrpcWeb,
                    &request(ctx, path, edge, *streaming, extra),
                )
                .await
            }
        }))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for call in &web_calls {
        report
            .outcome
            .findings
            .extend(judge::judge_call(call, false));
        report
            .outcome
            .findings
            .extend(judge::judge_web_exposure(call, origin));
    }
    report
}

/// An answer in gRPC framing (`application/grpc`, `application/grpc-web`):
/// a gRPC server's answer to a path it does not serve (tonic answers any
/// path `200` with `grpc-status: 12`). The gRPC rules judge those, not
/// the HTTP ones.
pub(crate) fn is_grpc_answer(received: &Received) -> bool {
    received
        .http()
        .and_then(|a| a.header("content-type"))
        .is_some_and(|t| {
            t.trim()
                .to_ascii_lowercase()
                .starts_with("application/grpc")
        })
}

/// `/package.Service/Method`.
fn path(method: &MethodDescriptor) -> String {
    format!("/{}/{}", method.parent_service().full_name(), method.name())
}

/// One call: a unary one waits for its status within the timeout; a server
/// stream is read for its status for at most [`MAX_STREAM_WAIT`] or
/// [`MAX_STREAM_MESSAGES`].
fn request<'a>(
    ctx: &Ctx,
    path: &'a str,
    edge: &'a edges::Edge,
    streaming: bool,
    extra: Vec<(String, String)>,
) -> wire::Request<'a> {
    wire::Request {
        path,
        message: &edge.bytes,
        shown: edge.shown.clone(),
        extra,
        max_messages: if streaming {
            MAX_STREAM_MESSAGES
        } else {
            usize::MAX
        },
        // Within the client's own timeout, which would end the call as
        // a failure rather than as a wait that ran out.
        wait: if streaming {
            ctx.timeout.mul_f64(0.75).min(MAX_STREAM_WAIT)
        } else {
            ctx.timeout.mul_f64(0.9)
        },
    }
}
