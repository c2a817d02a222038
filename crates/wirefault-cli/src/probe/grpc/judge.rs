//! The gRPC and gRPC-Web rules, as pure functions of what a call saw.

use prost::Message as _;
use tonic_types::pb;

use super::wire::{code_name, Call, End, Status};
use crate::finding::{Finding, HttpAnswer};
use crate::probe::leak;
use crate::rules;

const UNKNOWN: i32 = 2;
const INVALID_ARGUMENT: i32 = 3;
const UNIMPLEMENTED: i32 = 12;
const BAD_REQUEST_TYPE: &str = "type.googleapis.com/google.rpc.BadRequest";

/// The rules every call gets: a status at all, UNKNOWN, leaks, details.
/// `unknown_method` is set for the call to a method that does not exist.
pub(crate) fn judge_call(call: &Call, unknown_method: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(status) = &call.status else {
        if let End::Broken(why) = &call.end {
            findings.push(Finding::new(
                rules::GRPC_NO_STATUS,
                &call.exchange,
                format!("the call ended with no grpc-status: {why}"),
                "every call ends with grpc-status (in the trailers, or trailers-only)",
            ));
        } else if call.end == End::Complete && call.answer().is_some() {
            let http_status = call.answer().map_or(0, |a| a.status);
            findings.push(Finding::new(
                rules::GRPC_NO_STATUS,
                &call.exchange,
                format!("HTTP {http_status}, then the body ended with no grpc-status"),
                "every call ends with grpc-status (in the trailers, or trailers-only)",
            ));
        }
        return findings;
    };
    let code = match &status.code {
        Ok(code) => *code,
        Err(raw) => {
            findings.push(Finding::new(
                rules::GRPC_NO_STATUS,
                &call.exchange,
                format!("grpc-status {raw:?} is not a status code"),
                "grpc-status: a decimal code from the status-code table",
            ));
            return findings;
        }
    };
    if unknown_method {
        if code != UNIMPLEMENTED {
            findings.push(Finding::new(
                rules::GRPC_UNKNOWN_METHOD,
                &call.exchange,
                format!("a method that does not exist answered {}", shown(code)),
                "UNIMPLEMENTED (12) for a method the service does not have",
            ));
        }
    } else if code == UNKNOWN {
        findings.push(Finding::new(
            rules::GRPC_UNKNOWN,
            &call.exchange,
            "a well-formed request answered UNKNOWN (2)",
            "a status that names the failure (INVALID_ARGUMENT, NOT_FOUND, ...) or INTERNAL with a generic message",
        ));
    }
    let details = status
        .details
        .as_deref()
        .and_then(|d| pb::Status::decode(d).ok());
    let details_text = status
        .details
        .as_deref()
        .map(|d| String::from_utf8_lossy(d).into_owned())
        .unwrap_or_default();
    if let Some(marker) = leak::find(&status.message).or_else(|| leak::find(&details_text)) {
        findings.push(Finding::new(
            rules::GRPC_LEAK,
            &call.exchange,
            format!(
                "{} shows internals ({marker})",
                where_leaked(status, &marker)
            ),
            "a generic grpc-message; the details in the server's log",
        ));
    }
    if let Some(details) = &details {
        if details.code != code {
            findings.push(Finding::new(
                rules::GRPC_DETAILS_MISMATCH,
                &call.exchange,
                format!(
                    "grpc-status {} but grpc-status-details-bin says {}",
                    shown(code),
                    shown(details.code)
                ),
                "the same code in grpc-status and in the google.rpc.Status details",
            ));
        }
    }
    if code == INVALID_ARGUMENT
        && !details
            .as_ref()
            .is_some_and(|d| d.details.iter().any(|a| a.type_url == BAD_REQUEST_TYPE))
    {
        findings.push(Finding::new(
            rules::GRPC_NO_BAD_REQUEST,
            &call.exchange,
            "INVALID_ARGUMENT with no google.rpc.BadRequest in the details",
            "a BadRequest detail with one field violation per invalid field (AIP-193)",
        ));
    }
    findings
}

fn where_leaked(status: &Status, marker: &str) -> &'static str {
    if leak::find(&status.message).as_deref() == Some(marker) {
        "grpc-message"
    } else {
        "grpc-status-details-bin"
    }
}

fn shown(code: i32) -> String {
    format!("{} ({code})", code_name(code))
}

/// gRPC-Web to the trusted origin: an error answer whose status is in the
/// HTTP headers (trailers-only) must expose `grpc-status` and
/// `grpc-message`, or the page reads no failure at all.
pub(crate) fn judge_web_exposure(call: &Call, origin: &str) -> Vec<Finding> {
    let (Some(answer), Some(status)) = (call.answer(), &call.status) else {
        return Vec::new();
    };
    if !status.in_headers || !grants(answer, origin) {
        return Vec::new();
    }
    let exposed = answer
        .header_list("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let credentials = answer
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let listed = |name: &str| {
        exposed
            .split(',')
            .any(|t| t.trim() == name || (t.trim() == "*" && !credentials))
    };
    let hidden: Vec<&str> = ["grpc-status", "grpc-message"]
        .into_iter()
        .filter(|n| !listed(n))
        .collect();
    if hidden.is_empty() {
        return Vec::new();
    }
    vec![Finding::new(
        rules::GRPCWEB_UNEXPOSED,
        &call.exchange,
        format!(
            "an error answered in the headers, with {} not in Access-Control-Expose-Headers",
            hidden.join(" and ")
        ),
        "Access-Control-Expose-Headers: grpc-status, grpc-message, grpc-status-details-bin",
    )]
}

/// Does this answer grant `origin`?
fn grants(answer: &HttpAnswer, origin: &str) -> bool {
    answer
        .header("access-control-allow-origin")
        .is_some_and(|v| v.trim() == "*" || v.trim().eq_ignore_ascii_case(origin))
}

/// The headers a gRPC-Web client sends, asked for on the preflight.
pub(crate) const WEB_REQUEST_HEADERS: &[&str] =
    &["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"];

/// The preflight from the trusted origin grants POST and the gRPC-Web
/// request headers.
pub(crate) fn judge_web_preflight(
    preflight: &crate::finding::Exchange,
    origin: &str,
) -> Vec<Finding> {
    let Some(answer) = preflight.received.http() else {
        return Vec::new();
    };
    if !grants(answer, origin) {
        return vec![Finding::new(
            rules::GRPCWEB_PREFLIGHT,
            preflight,
            format!("the preflight from the trusted origin {origin} was not granted"),
            "Access-Control-Allow-Origin for the trusted origin, with the gRPC-Web headers allowed",
        )];
    }
    let allowed = answer
        .header_list("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let credentials = answer
        .header("access-control-allow-credentials")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let missing: Vec<&str> = WEB_REQUEST_HEADERS
        .iter()
        .copied()
        .filter(|h| {
            !allowed
                .split(',')
                .any(|t| t.trim() == *h || (t.trim() == "*" && !credentials))
        })
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    vec![Finding::new(
        rules::GRPCWEB_PREFLIGHT,
        preflight,
        format!(
            "the preflight does not allow {} (Access-Control-Allow-Headers: {allowed})",
            missing.join(", ")
        ),
        "Access-Control-Allow-Headers: content-type, x-grpc-web, x-user-agent, grpc-timeout",
    )]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::finding::{Exchange, Received, SentRequest};

    fn call(status: Option<Status>, end: End, headers: &[(&str, &str)]) -> Call {
        Call {
            exchange: Exchange {
                request: SentRequest {
                    method: "POST".into(),
                    url: "http://127.0.0.1/p.S/M".into(),
                    headers: vec![],
                    body: Some("{}".into()),
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
            messages: Vec::new(),
            status,
            end,
        }
    }

    fn status(code: i32, message: &str, details: Option<pb::Status>) -> Option<Status> {
        Some(Status {
            code: Ok(code),
            message: message.into(),
            details: details.map(|d| d.encode_to_vec()),
            in_headers: true,
        })
    }

    fn ids(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.rule.id).collect()
    }

    #[test]
    fn statuses_are_judged_by_the_severity_model() {
        let ok = call(status(5, "note not found", None), End::Complete, &[]);
        assert!(judge_call(&ok, false).is_empty());
        let internal = call(
            status(13, "error parsing request proto", None),
            End::Complete,
            &[],
        );
        assert!(judge_call(&internal, false).is_empty());
        let unknown = call(
            status(
                2,
                "Exception calling application: list index out of range",
                None,
            ),
            End::Complete,
            &[],
        );
        assert_eq!(ids(&judge_call(&unknown, false)), ["WF-GRPC-001"]);
        let leak = call(
            status(13, "Traceback (most recent call last):", None),
            End::Complete,
            &[],
        );
        assert_eq!(ids(&judge_call(&leak, false)), ["WF-GRPC-003"]);
        let dropped = call(None, End::Broken("stream reset".into()), &[]);
        assert_eq!(ids(&judge_call(&dropped, false)), ["WF-GRPC-002"]);
        let open = call(None, End::Open, &[]);
        assert!(judge_call(&open, false).is_empty());
        let not_unimplemented = call(status(5, "no", None), End::Complete, &[]);
        assert_eq!(ids(&judge_call(&not_unimplemented, true)), ["WF-GRPC-004"]);
        let unimplemented = call(status(12, "", None), End::Complete, &[]);
        assert!(judge_call(&unimplemented, true).is_empty());
    }

    #[test]
    fn details_are_judged() {
        let mismatch = pb::Status {
            code: 5,
            message: "x".into(),
            details: vec![],
        };
        let c = call(status(3, "bad", Some(mismatch)), End::Complete, &[]);
        assert_eq!(ids(&judge_call(&c, false)), ["WF-GRPC-005", "WF-GRPC-006"]);
        let bad_request = pb::Status {
            code: 3,
            message: "bad".into(),
            details: vec![prost_types::Any {
                type_url: BAD_REQUEST_TYPE.into(),
                value: vec![],
            }],
        };
        let c = call(status(3, "bad", Some(bad_request)), End::Complete, &[]);
        assert!(judge_call(&c, false).is_empty());
    }

    #[test]
    fn web_exposure_and_preflight() {
        let origin = "https://app.example.com";
        let hidden = call(
            status(12, "", None),
            End::Complete,
            &[("access-control-allow-origin", origin)],
        );
        assert_eq!(
            ids(&judge_web_exposure(&hidden, origin)),
            ["WF-GRPCWEB-001"]
        );
        let exposed = call(
            status(12, "", None),
            End::Complete,
            &[
                ("access-control-allow-origin", origin),
                ("access-control-expose-headers", "grpc-status,grpc-message"),
            ],
        );
        assert!(judge_web_exposure(&exposed, origin).is_empty());
        let preflight = call(
            None,
            End::Complete,
            &[
                ("access-control-allow-origin", origin),
                ("access-control-allow-headers", "content-type"),
            ],
        );
        assert_eq!(
            ids(&judge_web_preflight(&preflight.exchange, origin)),
            ["WF-GRPCWEB-002"]
        );
    }
}
