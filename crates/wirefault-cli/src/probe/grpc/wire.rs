//! One gRPC or gRPC-Web call, seen as the peer sent it: the HTTP status and
//! headers, each length-prefixed message, the trailers (HTTP/2 trailers, a
//! gRPC-Web trailer frame, or the headers of a trailers-only answer), and
//! how the body ended.
//!
//! Calls go over reqwest (HTTP/2 with prior knowledge for gRPC, HTTP/1.1
//! for gRPC-Web) rather than a generated tonic client: the auditor has no
//! generated code, and it must see what tonic's client hides, whether
//! `grpc-status` came at all and how the stream ended. Only the framing
//! (a flag byte and a 4-byte length per message; gRPC-Web's trailer frame)
//! is written here.

use std::time::Duration;

use base64::Engine as _;
use bytes::{Buf as _, Bytes, BytesMut};
use http_body_util::BodyExt as _;
use reqwest::Url;
use tokio::time::Instant;

use crate::finding::{Exchange, HttpAnswer, Received, SentRequest};
use crate::probe::{http, liveness, Ctx};

/// The protocol of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// gRPC over HTTP/2.
    Grpc,
    /// gRPC-Web (binary) over HTTP/1.1, as a browser sends it.
    GrpcWeb,
}

/// The status a call ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    /// `grpc-status`, as sent (a number, or text that is not one).
    pub(crate) code: Result<i32, String>,
    /// `grpc-message`, percent-decoded.
    pub(crate) message: String,
    /// `grpc-status-details-bin`, base64-decoded.
    pub(crate) details: Option<Vec<u8>>,
    /// `true` when the status came in the response headers (a trailers-only
    /// answer): a gRPC-Web page reads it only when CORS exposes it.
    pub(crate) in_headers: bool,
}

/// How the call's body ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// The body ended cleanly.
    Complete,
    /// Still open when the wait ended or enough messages came (a stream).
    Open,
    /// The stream was reset or the connection broke (or never answered).
    Broken(String),
}

/// What one call saw.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The request and the answer, for reports.
    pub(crate) exchange: Exchange,
    /// The messages received (payloads without framing).
    pub(crate) messages: Vec<Bytes>,
    /// The status, if one came.
    pub(crate) status: Option<Status>,
    /// How the body ended.
    pub(crate) end: End,
}

impl Call {
    /// The HTTP answer, if one came.
    pub(crate) fn answer(&self) -> Option<&HttpAnswer> {
        self.exchange.received.http()
    }
}

/// The canonical name of a gRPC status code.
pub(crate) fn code_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "a code outside the table",
    }
}

/// The client for gRPC calls: HTTP/2 with prior knowledge, the run's TLS
/// settings, no redirects, no proxy.
pub(crate) fn grpc_client(ctx: &Ctx) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .use_preconfigured_tls((*ctx.tls).clone())
        .http2_prior_knowledge()
        // A long grpc-message (one that repeats a long request field) must
        // be read, not refused by the client as too large.
        .http2_max_header_list_size(MAX_HEADER_LIST)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(ctx.timeout)
        .build()
}

/// Largest header list (and trailer list) read: 1 MiB.
const MAX_HEADER_LIST: u32 = 1024 * 1024;

/// What to send on one call.
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    /// `/package.Service/Method`.
    pub(crate) path: &'a str,
    /// The serialized request message.
    pub(crate) message: &'a [u8],
    /// The message as shown in reports.
    pub(crate) shown: String,
    /// Extra headers (an `Origin` for gRPC-Web).
    pub(crate) extra: Vec<(String, String)>,
    /// Stop reading after this many messages (1 for a stream's first).
    pub(crate) max_messages: usize,
    /// How long to wait for the whole call.
    pub(crate) wait: Duration,
}

/// Sends one call and reads its answer within `request.wait`; never fails.
pub(crate) async fn call(
    ctx: &Ctx,
    client: &reqwest::Client,
    wire: Wire,
    request: &Request<'_>,
) -> Call {
    let url: Url = ctx.path_url(request.path);
    let mut headers: Vec<(String, String)> = match wire {
        Wire::Grpc => vec![
            ("content-type".into(), "application/grpc".into()),
            ("accept".into(), "application/grpc".into()),
            ("te".into(), "trailers".into()),
        ],
        Wire::GrpcWeb => vec![
            ("content-type".into(), "application/grpc-web+proto".into()),
            ("x-grpc-web".into(), "1".into()),
            ("accept".into(), "application/grpc-web+proto".into()),
        ],
    };
    headers.push((
        "user-agent".into(),
        concat!("wirefault/", env!("CARGO_PKG_VERSION")).into(),
    ));
    headers.extend(request.extra.iter().cloned());
    let mut builder = client.post(url.clone());
    for (name, value) in &headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    // The user's headers go as metadata, except those that would change
    // the gRPC framing the call is made of.
    let framing = |n: &str| {
        ["accept", "content-type", "te"]
            .iter()
            .any(|f| n.eq_ignore_ascii_case(f))
    };
    for (name, value) in ctx.auth.iter().filter(|(n, _)| !framing(n)) {
        builder = builder.header(name.as_str(), value.0.as_str());
    }
    headers.extend(ctx.shown_auth().into_iter().filter(|(n, _)| !framing(n)));
    let mut framed = Vec::with_capacity(request.message.len() + 5);
    framed.push(0);
    framed.extend_from_slice(
        &u32::try_from(request.message.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    framed.extend_from_slice(request.message);
    let sent = SentRequest {
        method: "POST".into(),
        url: url.to_string(),
        headers,
        body: Some(request.shown.clone()),
    };
    // Nothing more is sent to a service that stopped (see `liveness`).
    if ctx.liveness.is_dead() {
        return failed(sent, End::Open);
    }
    let order = ctx.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let deadline = Instant::now() + request.wait;
    let call = match tokio::time::timeout_at(deadline, builder.body(framed).send()).await {
        Ok(Ok(response)) => read(sent, response, wire, request.max_messages, deadline).await,
        Ok(Err(e)) if e.is_timeout() => failed(sent, End::Open),
        Ok(Err(e)) => failed(sent, End::Broken(http::describe(&e))),
        Err(_) => failed(sent, End::Open),
    };
    // A broken call to a target that then refuses connections is the
    // service dying: the audit reports it once (WF-HTTP-012).
    if let End::Broken(_) = call.end {
        let gone = liveness::is_refused(&url, ctx.timeout).await;
        ctx.liveness
            .failed(order, &call.exchange, call.answer().is_none(), gone);
    } else if call.answer().is_some() {
        ctx.liveness.answered(order, &call.exchange);
    }
    call
}

fn failed(request: SentRequest, end: End) -> Call {
    let error = match &end {
        End::Broken(why) => why.clone(),
        _ => "no answer in time".to_owned(),
    };
    Call {
        exchange: Exchange {
            request,
            received: Received::Nothing { error },
        },
        messages: Vec::new(),
        status: None,
        end,
    }
}

/// Most bytes of messages kept from one call.
const MAX_READ: usize = 4 * 1024 * 1024;

async fn read(
    request: SentRequest,
    response: reqwest::Response,
    wire: Wire,
    max_messages: usize,
    deadline: Instant,
) -> Call {
    let status_code = response.status().as_u16();
    let mut headers = http::header_pairs(response.headers());
    let mut status = status_from(&headers, true);
    let response: ::http::Response<reqwest::Body> = response.into();
    let mut body = response.into_body();
    let mut buffer = BytesMut::new();
    let mut messages = Vec::new();
    let mut read_bytes = 0usize;
    let end = loop {
        if messages.len() >= max_messages && status.is_none() {
            break End::Open;
        }
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => break End::Open,
            Ok(None) => break End::Complete,
            Ok(Some(Err(e))) if e.is_timeout() => break End::Open,
            Ok(Some(Err(e))) => break End::Broken(http::describe(&e)),
            Ok(Some(Ok(frame))) => frame,
        };
        let frame = match frame.into_data() {
            Ok(data) => {
                read_bytes += data.len();
                buffer.extend_from_slice(&data);
                while let Some((flag, payload)) = next_message(&mut buffer) {
                    if wire == Wire::GrpcWeb && flag & 0x80 != 0 {
                        let trailers = web_trailers(&payload);
                        status = status.or_else(|| status_from(&trailers, false));
                        headers.extend(trailers);
                    } else if messages.len() < max_messages {
                        messages.push(payload);
                    }
                }
                if read_bytes > MAX_READ {
                    break End::Open;
                }
                continue;
            }
            Err(frame) => frame,
        };
        if let Ok(trailers) = frame.into_trailers() {
            let trailers = http::header_pairs(&trailers);
            status = status.or_else(|| status_from(&trailers, false));
            headers.extend(trailers);
        }
    };
    let summary = match &status {
        Some(s) => format!(
            "{} message(s), then grpc-status {} grpc-message {:?}",
            messages.len(),
            match &s.code {
                Ok(code) => format!("{code} ({})", code_name(*code)),
                Err(raw) => format!("{raw:?}"),
            },
            s.message
        ),
        None => format!("{} message(s), no grpc-status", messages.len()),
    };
    Call {
        exchange: Exchange {
            request,
            received: Received::Http(HttpAnswer {
                status: status_code,
                headers,
                body: summary,
            }),
        },
        messages,
        status,
        end,
    }
}

/// Takes one whole length-prefixed message off the front of `buffer`.
fn next_message(buffer: &mut BytesMut) -> Option<(u8, Bytes)> {
    if buffer.len() < 5 {
        return None;
    }
    let len = u32::from_be_bytes([buffer[1], buffer[2], buffer[3], buffer[4]]) as usize;
    if buffer.len() < 5 + len {
        return None;
    }
    let flag = buffer[0];
    buffer.advance(5);
    Some((flag, buffer.split_to(len).freeze()))
}

/// The `name: value` lines of a gRPC-Web trailer frame.
fn web_trailers(payload: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(payload)
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect()
}

/// The status in these headers or trailers, if `grpc-status` is there.
fn status_from(headers: &[(String, String)], in_headers: bool) -> Option<Status> {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let raw = get("grpc-status")?;
    Some(Status {
        code: raw.trim().parse::<i32>().map_err(|_| raw.to_owned()),
        message: percent_decode(get("grpc-message").unwrap_or_default()),
        details: get("grpc-status-details-bin").and_then(|v| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(v.trim().trim_end_matches('='))
                .ok()
        }),
        in_headers,
    })
}

/// `grpc-message` is percent-encoded UTF-8 (gRPC over HTTP/2, "Responses");
/// a bad escape is kept as is.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(((hex(h).unwrap_or(0) << 4) | hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn frames_and_trailers_are_read() {
        let mut buffer = BytesMut::from(&[0u8, 0, 0, 0, 2, 8, 1, 0x80, 0, 0, 0][..]);
        assert_eq!(
            next_message(&mut buffer),
            Some((0, Bytes::from_static(&[8, 1])))
        );
        assert_eq!(next_message(&mut buffer), None);
        let trailers = web_trailers(b"grpc-status: 5\r\ngrpc-message: no%20note\r\n");
        let status = status_from(&trailers, false).unwrap();
        assert_eq!(status.code, Ok(5));
        assert_eq!(status.message, "no note");
        assert_eq!(percent_decode("a%zz%e2%82%ac"), "a%zz€");
    }
}
