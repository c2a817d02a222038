//! [`tonic::Status`] from an upstream service → [`Fault`], for gateways.

use super::field_path::pointer_from_field_path;
use super::status::HTTP_STATUS_KEY;
use crate::{Fault, GrpcCode, Kind};
use std::fmt;
use tonic::Status;
use tonic_types::{ErrorDetail, StatusExt};

/// How a service that called another one (a gateway, a backend for a
/// frontend) reads the upstream's failure.
///
/// From the caller's point of view, most upstream failures are its own
/// server failures: its client did nothing wrong when the upstream broke,
/// or when the caller itself sent the upstream a bad request. So by
/// default ([`Upstream::new`], and `From<Status> for Fault`):
///
/// | upstream code | fault |
/// |---|---|
/// | `DEADLINE_EXCEEDED` | 504 Gateway Timeout |
/// | `UNAVAILABLE`, `RESOURCE_EXHAUSTED` with `RetryInfo` | 503 Service Unavailable, `Retry-After` from the `RetryInfo` |
/// | `UNAVAILABLE`, `RESOURCE_EXHAUSTED` without `RetryInfo` | 502 Bad Gateway |
/// | `CANCELLED` made by tonic's client when the call hit its timeout (`tonic::TimeoutExpired` in the source chain) | 504 Gateway Timeout |
/// | any other `CANCELLED` | 499 Client Closed (the caller cancelled the call, because its own client went away) |
/// | any other code, client-side ones (`INVALID_ARGUMENT`, `NOT_FOUND`, `UNAUTHENTICATED`, ...) included | 502 Bad Gateway |
///
/// A client-side code from the upstream means the caller built a bad
/// request, or holds bad credentials: the caller's bug, a 502. A 503 is
/// used only when the upstream said when to retry, since a 503 promises
/// that retrying later can work; without that word it is a 502.
///
/// When the caller passes its client's input through unchanged (a proxy
/// whose request *is* the client's), a client-side code is the client's
/// fault: [`Upstream::pass_through`] keeps it:
///
/// | upstream code | fault |
/// |---|---|
/// | `INVALID_ARGUMENT`, `OUT_OF_RANGE` | 400, or 422 when it has `BadRequest` violations, or the kind named by `ErrorInfo.metadata["httpStatus"]` when that kind has the same code |
/// | `NOT_FOUND` | 404 (410 by `httpStatus`) |
/// | `ALREADY_EXISTS`, `ABORTED` | 409 |
/// | `PERMISSION_DENIED` | 403 |
/// | `UNAUTHENTICATED` | 401 |
/// | `FAILED_PRECONDITION` | 412 (426 by `httpStatus`) |
/// | `RESOURCE_EXHAUSTED` | 429, `Retry-After` from `RetryInfo` (413/431 by `httpStatus`) |
/// | `UNIMPLEMENTED` | 501 (405 by `httpStatus`) |
/// | server-side codes | as in the first table |
///
/// and carries the message as the detail, the `BadRequest` violations as
/// field errors (field paths turned back into JSON pointers by
/// [`pointer_from_field_path`](super::pointer_from_field_path)) and the
/// `ErrorInfo` reason.
///
/// Nothing of a server-side failure reaches the caller's client: the
/// upstream's code, message and request id are only in the fault's source
/// (logged, never sent).
///
/// ```
/// use tonic::Status;
/// use wirefault::tonic::Upstream;
/// use wirefault::{Fault, Kind};
///
/// let fault: Fault = Status::not_found("no such shelf").into();
/// assert_eq!(fault.kind(), Kind::BadGateway);
///
/// let fault = Upstream::pass_through().fault(&Status::not_found("no such shelf"));
/// assert_eq!(fault.kind(), Kind::NotFound);
/// assert_eq!(fault.detail_str(), Some("no such shelf"));
///
/// let fault: Fault = Status::deadline_exceeded("slow").into();
/// assert_eq!(fault.kind(), Kind::GatewayTimeout);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upstream {
    pass_through: bool,
}

impl Upstream {
    /// The gateway reading: client-side codes from the upstream are the
    /// caller's own bug (502).
    pub const fn new() -> Upstream {
        Upstream {
            pass_through: false,
        }
    }

    /// The pass-through reading: the caller forwarded its client's input,
    /// so a client-side code from the upstream is the client's.
    pub const fn pass_through() -> Upstream {
        Upstream { pass_through: true }
    }

    /// Whether client-side codes are kept.
    pub const fn is_pass_through(&self) -> bool {
        self.pass_through
    }

    /// The fault for a status an upstream answered with.
    pub fn fault(&self, status: &Status) -> Fault {
        // Details are peer input: undecodable ones are ignored.
        let details = status.get_error_details_vec();
        let mut retry_after = None;
        let mut error_info = None;
        let mut violations = Vec::new();
        let mut upstream_request_id = None;
        for detail in &details {
            match detail {
                ErrorDetail::RetryInfo(info) => retry_after = retry_after.or(info.retry_delay),
                ErrorDetail::ErrorInfo(info) => {
                    error_info.get_or_insert(info);
                }
                ErrorDetail::BadRequest(bad) => violations.extend(bad.field_violations.iter()),
                ErrorDetail::RequestInfo(info) => {
                    upstream_request_id.get_or_insert(info.request_id.as_str());
                }
                _ => {}
            }
        }
        let code = GrpcCode::from_i32(status.code() as i32);
        let has_retry = details
            .iter()
            .any(|d| matches!(d, ErrorDetail::RetryInfo(_)));

        let kind = if code == GrpcCode::Cancelled && timed_out(status) {
            // tonic's own client-side timeout reports CANCELLED with
            // `TimeoutExpired` as the source: the upstream was too slow.
            Some(Kind::GatewayTimeout)
        } else {
            server_side_kind(code, has_retry)
        };
        let kind = kind.unwrap_or_else(|| {
            if !self.pass_through {
                return match code {
                    GrpcCode::ResourceExhausted if has_retry => Kind::Unavailable,
                    _ => Kind::BadGateway,
                };
            }
            let named = error_info
                .and_then(|info| info.metadata.get(HTTP_STATUS_KEY))
                .and_then(|s| s.parse::<u16>().ok())
                .and_then(|s| http::StatusCode::from_u16(s).ok())
                .and_then(Kind::from_status)
                .filter(|k| k.grpc_code() == code && !k.is_server_error());
            named.unwrap_or_else(|| client_kind(code, !violations.is_empty()))
        });

        let source = UpstreamError {
            code,
            message: truncate(status.message(), 1024),
            request_id: upstream_request_id.map(|id| truncate(id, 128)),
        };
        let mut fault = Fault::new(kind).with_source(source);
        if let Some(after) = retry_after {
            fault = fault.retry_after(after);
        }
        if !kind.is_server_error() && kind != Kind::ClientClosed {
            if !status.message().is_empty() {
                fault = fault.detail(status.message());
            }
            if let Some(info) = error_info.filter(|i| is_reason(&i.reason)) {
                fault = fault.reason(info.reason.clone());
            }
            for v in violations {
                fault = fault.field(pointer_from_field_path(&v.field), v.description.clone());
            }
        }
        fault
    }
}

impl From<Status> for Fault {
    /// [`Upstream::new`]'s reading: the gateway's point of view.
    fn from(status: Status) -> Fault {
        Upstream::new().fault(&status)
    }
}

/// Whether the status was made by tonic's client for a call that hit its
/// timeout (a status received over the wire has no source).
fn timed_out(status: &Status) -> bool {
    let mut source = std::error::Error::source(status);
    while let Some(err) = source {
        if err.is::<tonic::TimeoutExpired>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The kind for codes that mean the same in both readings; `None` for the
/// client-side codes.
fn server_side_kind(code: GrpcCode, has_retry: bool) -> Option<Kind> {
    Some(match code {
        GrpcCode::DeadlineExceeded => Kind::GatewayTimeout,
        GrpcCode::Cancelled => Kind::ClientClosed,
        GrpcCode::Unavailable if has_retry => Kind::Unavailable,
        GrpcCode::Unavailable => Kind::BadGateway,
        GrpcCode::Ok | GrpcCode::Unknown | GrpcCode::Internal | GrpcCode::DataLoss => {
            Kind::BadGateway
        }
        _ => return None,
    })
}

/// The kind for a client-side code in the pass-through reading: the
/// mapping table read backwards ([`Kind::from_grpc_back`]), else 502.
fn client_kind(code: GrpcCode, has_violations: bool) -> Kind {
    Kind::from_grpc_back(code, has_violations).unwrap_or(Kind::BadGateway)
}

/// Whether a peer's reason is UPPER_SNAKE_CASE and short (AIP-193:
/// `[A-Z][A-Z0-9_]+[A-Z0-9]`, at most 63 characters).
fn is_reason(reason: &str) -> bool {
    let b = reason.as_bytes();
    (2..=63).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
        && b.last() != Some(&b'_')
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

/// The upstream's answer, kept as the fault's source for the logs.
#[derive(Debug)]
struct UpstreamError {
    code: GrpcCode,
    message: String,
    request_id: Option<String>,
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "upstream answered {}", self.code.name())?;
        if !self.message.is_empty() {
            write!(f, " {:?}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (upstream request id {id:?})")?;
        }
        Ok(())
    }
}

impl std::error::Error for UpstreamError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Problem, TABLE};
    use std::error::Error as _;
    use std::time::Duration;
    use tonic::Code;
    use tonic_types::{ErrorDetails, RetryInfo};

    fn all_codes() -> impl Iterator<Item = GrpcCode> {
        GrpcCode::ALL.iter().copied()
    }

    fn status(code: GrpcCode, message: &str) -> Status {
        Status::new(Code::from_i32(code.as_i32()), message)
    }

    /// Pass-through: every client kind comes back as itself, so its gRPC
    /// code survives; every server kind comes back as a server failure.
    #[test]
    fn the_way_back_agrees_with_the_table() {
        for row in TABLE {
            let sent = Status::from(Fault::new(row.kind).detail("d"));
            let back = Upstream::pass_through().fault(&sent);
            if row.server_error {
                assert!(back.is_server_error(), "{:?} → {:?}", row.kind, back.kind());
            } else if let Some(kind) = server_side_kind(row.grpc, false) {
                // 499 → CANCELLED → 499; 408 → DEADLINE_EXCEEDED, which
                // from an upstream is the upstream's timeout: 504.
                assert_eq!(back.kind(), kind, "{:?}", row.kind);
            } else {
                assert_eq!(back.kind(), row.kind);
                assert_eq!(back.kind().grpc_code(), row.grpc);
                assert_eq!(back.detail_str(), Some("d"));
            }
            // The gateway reading: nothing the upstream's client did is
            // blamed on this service's client.
            let back = Upstream::new().fault(&sent);
            assert!(
                back.is_server_error() || back.kind() == Kind::ClientClosed,
                "{:?} → {:?}",
                row.kind,
                back.kind()
            );
        }
    }

    /// Without wirefault's metadata, a client-side code comes back as a
    /// kind whose table code is that code.
    #[test]
    fn bare_codes_keep_their_code_in_pass_through() {
        for code in all_codes() {
            let kind = Upstream::pass_through().fault(&status(code, "m")).kind();
            if server_side_kind(code, false).is_none() {
                // OUT_OF_RANGE and ABORTED have no row of their own: they
                // come back as 400 and 409.
                let expected = match code {
                    GrpcCode::OutOfRange => GrpcCode::InvalidArgument,
                    GrpcCode::Aborted => GrpcCode::AlreadyExists,
                    code => code,
                };
                assert_eq!(kind.grpc_code(), expected, "{code:?} → {kind:?}");
                assert!(!kind.is_server_error() || kind == Kind::NotImplemented);
            }
            let kind = Upstream::new().fault(&status(code, "m")).kind();
            assert!(
                kind.is_server_error() || kind == Kind::ClientClosed,
                "{code:?}"
            );
        }
    }

    #[test]
    fn gateway_reading() {
        let cases = [
            (GrpcCode::Unavailable, Kind::BadGateway),
            (GrpcCode::DeadlineExceeded, Kind::GatewayTimeout),
            (GrpcCode::Internal, Kind::BadGateway),
            (GrpcCode::Unknown, Kind::BadGateway),
            (GrpcCode::DataLoss, Kind::BadGateway),
            (GrpcCode::InvalidArgument, Kind::BadGateway),
            (GrpcCode::Unauthenticated, Kind::BadGateway),
            (GrpcCode::ResourceExhausted, Kind::BadGateway),
            (GrpcCode::Cancelled, Kind::ClientClosed),
            (GrpcCode::Ok, Kind::BadGateway),
        ];
        for (code, kind) in cases {
            assert_eq!(Fault::from(status(code, "x")).kind(), kind, "{code:?}");
        }
    }

    #[test]
    fn retry_info_makes_a_503() {
        for code in [Code::Unavailable, Code::ResourceExhausted] {
            let sent = Status::with_error_details(
                code,
                "busy",
                ErrorDetails::with_retry_info(Some(Duration::from_secs(9))),
            );
            let fault = Fault::from(sent);
            assert_eq!(fault.kind(), Kind::Unavailable);
            assert_eq!(fault.retry_after_duration(), Some(Duration::from_secs(9)));
        }
        let sent = Status::with_error_details_vec(
            Code::ResourceExhausted,
            "slow down",
            [RetryInfo::new(Some(Duration::from_secs(2))).into()],
        );
        let fault = Upstream::pass_through().fault(&sent);
        assert_eq!(fault.kind(), Kind::RateLimited);
        assert_eq!(fault.retry_after_duration(), Some(Duration::from_secs(2)));
    }

    #[test]
    fn violations_and_reason_come_back() {
        let sent = Status::from(
            Fault::unprocessable()
                .reason("TITLE_EMPTY")
                .field("/title", "must not be empty")
                .field("/tags/1", "too long"),
        );
        let fault = Upstream::pass_through().fault(&sent);
        assert_eq!(fault.kind(), Kind::Unprocessable);
        assert_eq!(fault.reason_str(), "TITLE_EMPTY");
        let errors = fault.errors();
        assert_eq!(errors[0].pointer, "#/title");
        assert_eq!(errors[1].pointer, "#/tags/1");
        assert_eq!(errors[1].detail, "too long");

        // A peer's odd reason is not taken.
        let sent = Status::with_error_details(
            Code::InvalidArgument,
            "bad",
            ErrorDetails::with_error_info("not a reason\n", "d", std::collections::HashMap::new()),
        );
        let fault = Upstream::pass_through().fault(&sent);
        assert_eq!(fault.kind(), Kind::BadRequest);
        assert_eq!(fault.reason_str(), "BAD_REQUEST");
    }

    #[test]
    fn upstream_internals_never_leak() {
        let sent = Status::internal("db at 10.0.0.7 refused: password wrong");
        for reading in [Upstream::new(), Upstream::pass_through()] {
            let fault = reading.fault(&sent);
            assert_eq!(fault.kind(), Kind::BadGateway);
            let body = Problem::from_fault(&fault, Some("r")).to_json();
            assert!(!body.contains("10.0.0.7"), "{body}");
            let again = Status::from(fault);
            assert!(!again.message().contains("10.0.0.7"));
            assert!(!String::from_utf8_lossy(again.details()).contains("10.0.0.7"));
        }
        // ... but the logs have it.
        let fault = Fault::from(sent);
        assert!(fault.source().is_some());
        assert!(fault.report().contains("10.0.0.7"), "{}", fault.report());
    }

    #[test]
    fn tonic_client_timeouts_are_gateway_timeouts() {
        let mut status = Status::cancelled("Timeout expired");
        status.set_source(std::sync::Arc::new(tonic::TimeoutExpired(())));
        assert_eq!(Fault::from(status).kind(), Kind::GatewayTimeout);
        assert_eq!(
            Fault::from(Status::cancelled("Timeout expired")).kind(),
            Kind::ClientClosed
        );
    }

    #[test]
    fn garbage_details_are_ignored() {
        let sent = Status::with_details(Code::NotFound, "gone", vec![0xff, 0x00, 0x13].into());
        let fault = Upstream::pass_through().fault(&sent);
        assert_eq!(fault.kind(), Kind::NotFound);
    }
}
