//! [`Kind`]: the semantic class of a failure, and the mapping table that
//! renders each class on every wire.

use crate::close::{CloseCode, CloseCodes};
use crate::grpc::GrpcCode;
use http::StatusCode;

/// The semantic class of a failure, independent of any protocol.
///
/// Like gRPC's canonical codes or [`std::io::ErrorKind`], a `Kind` says
/// *what went wrong*; each protocol renders it with its own mechanism,
/// read from one table ([`Kind::mapping`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// The request is malformed (syntax): HTTP 400.
    BadRequest,
    /// No valid credentials: HTTP 401 with `WWW-Authenticate`.
    Unauthenticated,
    /// Authenticated, but not allowed: HTTP 403.
    PermissionDenied,
    /// The resource does not exist: HTTP 404.
    NotFound,
    /// The method is not supported by the resource: HTTP 405 with `Allow`.
    MethodNotAllowed,
    /// No representation matches the request's `Accept`: HTTP 406.
    NotAcceptable,
    /// The client was too slow to send its request: HTTP 408.
    RequestTimeout,
    /// The request conflicts with the resource's state: HTTP 409.
    Conflict,
    /// The resource existed and is gone for good: HTTP 410.
    Gone,
    /// A precondition of the request does not hold: HTTP 412.
    PreconditionFailed,
    /// The request content is larger than accepted: HTTP 413.
    PayloadTooLarge,
    /// The request content's media type is not accepted: HTTP 415.
    UnsupportedMediaType,
    /// A protocol upgrade is required: HTTP 426 with `Upgrade`
    /// (a WebSocket endpoint reached without the upgrade).
    UpgradeRequired,
    /// The request is well-formed but invalid: HTTP 422.
    Unprocessable,
    /// The client sent too many requests: HTTP 429 with `Retry-After`.
    RateLimited,
    /// The request's header section is too large: HTTP 431.
    HeadersTooLarge,
    /// The client went away before the answer (logged, never sent): 499.
    ClientClosed,
    /// The server failed: HTTP 500.
    Internal,
    /// The server does not implement the operation: HTTP 501.
    NotImplemented,
    /// An upstream answered badly: HTTP 502.
    BadGateway,
    /// The service is temporarily unavailable: HTTP 503 with `Retry-After`.
    Unavailable,
    /// An upstream did not answer in time: HTTP 504.
    GatewayTimeout,
}

/// One row of the mapping table: how a [`Kind`] is rendered on each wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// The class this row renders.
    pub kind: Kind,
    /// The HTTP status code ([RFC 9110 §15](https://www.rfc-editor.org/rfc/rfc9110#section-15)).
    pub status: u16,
    /// The problem title: the status's reason phrase.
    pub title: &'static str,
    /// A stable snake_case name, used as a machine-readable code.
    pub code: &'static str,
    /// WebSocket close code with the standard codes
    /// ([RFC 6455 §7.4.1](https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1)
    /// and the IANA registry).
    pub ws_standard: CloseCode,
    /// WebSocket close code with [`CloseCodes::HttpMirror`]: 4000 + status
    /// where no standard code fits exactly.
    pub ws_mirror: CloseCode,
    /// The gRPC status code
    /// ([google/rpc/code.proto](https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto)).
    pub grpc: GrpcCode,
    /// Whether the failure is the server's (5xx): its details never leave
    /// the process.
    pub server_error: bool,
}

macro_rules! table {
    ($( $kind:ident => $status:literal, $title:literal, $code:literal, $ws:expr, $mirror:expr, $grpc:ident; )*) => {
        /// The mapping table: one row per [`Kind`], in declaration order.
        ///
        /// This is the single source every integration reads.
        pub const TABLE: &[Mapping] = &[
            $( Mapping {
                kind: Kind::$kind,
                status: $status,
                title: $title,
                code: $code,
                ws_standard: $ws,
                ws_mirror: $mirror,
                grpc: GrpcCode::$grpc,
                server_error: $status >= 500,
            }, )*
        ];

        impl Kind {
            /// Every kind, in table order.
            pub const ALL: &'static [Kind] = &[ $( Kind::$kind, )* ];
        }
    };
}

// Rationale for each WebSocket column (see DESIGN.md): a code from
// RFC 6455 §7.4.1 or IANA is used only where its definition fits exactly;
// otherwise 1008 (policy violation) for client-caused failures and 1011
// for server-caused ones. Kinds that only exist before the upgrade
// (405, 426, 431) still get a sendable code, in case a handler returns
// one after it. BadGateway closes with 1011, not 1014: tungstenite answers
// a received 1014 with 1002, and Autobahn does not list it as valid.
table! {
    BadRequest => 400, "Bad Request", "bad_request", CloseCode::INVALID_PAYLOAD, CloseCode(4400), InvalidArgument;
    Unauthenticated => 401, "Unauthorized", "unauthenticated", CloseCode::POLICY_VIOLATION, CloseCode(4401), Unauthenticated;
    PermissionDenied => 403, "Forbidden", "permission_denied", CloseCode::POLICY_VIOLATION, CloseCode(4403), PermissionDenied;
    NotFound => 404, "Not Found", "not_found", CloseCode::POLICY_VIOLATION, CloseCode(4404), NotFound;
    MethodNotAllowed => 405, "Method Not Allowed", "method_not_allowed", CloseCode::POLICY_VIOLATION, CloseCode(4405), Unimplemented;
    NotAcceptable => 406, "Not Acceptable", "not_acceptable", CloseCode::UNSUPPORTED_DATA, CloseCode(4406), InvalidArgument;
    RequestTimeout => 408, "Request Timeout", "request_timeout", CloseCode::POLICY_VIOLATION, CloseCode(4408), DeadlineExceeded;
    Conflict => 409, "Conflict", "conflict", CloseCode::POLICY_VIOLATION, CloseCode(4409), AlreadyExists;
    Gone => 410, "Gone", "gone", CloseCode::POLICY_VIOLATION, CloseCode(4410), NotFound;
    PreconditionFailed => 412, "Precondition Failed", "precondition_failed", CloseCode::POLICY_VIOLATION, CloseCode(4412), FailedPrecondition;
    PayloadTooLarge => 413, "Content Too Large", "payload_too_large", CloseCode::MESSAGE_TOO_BIG, CloseCode::MESSAGE_TOO_BIG, ResourceExhausted;
    UnsupportedMediaType => 415, "Unsupported Media Type", "unsupported_media_type", CloseCode::UNSUPPORTED_DATA, CloseCode::UNSUPPORTED_DATA, InvalidArgument;
    UpgradeRequired => 426, "Upgrade Required", "upgrade_required", CloseCode::POLICY_VIOLATION, CloseCode(4426), FailedPrecondition;
    Unprocessable => 422, "Unprocessable Content", "unprocessable", CloseCode::POLICY_VIOLATION, CloseCode(4422), InvalidArgument;
    RateLimited => 429, "Too Many Requests", "rate_limited", CloseCode::TRY_AGAIN_LATER, CloseCode(4429), ResourceExhausted;
    HeadersTooLarge => 431, "Request Header Fields Too Large", "headers_too_large", CloseCode::MESSAGE_TOO_BIG, CloseCode(4431), ResourceExhausted;
    ClientClosed => 499, "Client Closed Request", "client_closed", CloseCode::GOING_AWAY, CloseCode::GOING_AWAY, Cancelled;
    Internal => 500, "Internal Server Error", "internal", CloseCode::INTERNAL_ERROR, CloseCode::INTERNAL_ERROR, Internal;
    NotImplemented => 501, "Not Implemented", "not_implemented", CloseCode::INTERNAL_ERROR, CloseCode(4501), Unimplemented;
    BadGateway => 502, "Bad Gateway", "bad_gateway", CloseCode::INTERNAL_ERROR, CloseCode(4502), Unavailable;
    Unavailable => 503, "Service Unavailable", "unavailable", CloseCode::TRY_AGAIN_LATER, CloseCode::TRY_AGAIN_LATER, Unavailable;
    GatewayTimeout => 504, "Gateway Timeout", "gateway_timeout", CloseCode::INTERNAL_ERROR, CloseCode(4504), DeadlineExceeded;
}

impl Kind {
    /// This kind's row of the mapping table.
    pub fn mapping(self) -> &'static Mapping {
        // The table is declared in the enum's order, so the discriminant
        // is the index; a unit test checks it for every row.
        &TABLE[self as usize]
    }

    /// The HTTP status code.
    pub fn status(self) -> StatusCode {
        // Every status in the table is a valid three-digit code.
        StatusCode::from_u16(self.mapping().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The default problem title (the status's reason phrase).
    pub fn title(self) -> &'static str {
        self.mapping().title
    }

    /// A stable snake_case name (`not_found`), for logs and error codes.
    pub fn code(self) -> &'static str {
        self.mapping().code
    }

    /// The WebSocket close code in the given mode.
    pub fn close_code(self, codes: CloseCodes) -> CloseCode {
        match codes {
            CloseCodes::Standard => self.mapping().ws_standard,
            CloseCodes::HttpMirror => self.mapping().ws_mirror,
        }
    }

    /// The gRPC status code.
    pub fn grpc_code(self) -> GrpcCode {
        self.mapping().grpc
    }

    /// Whether this is a server-caused failure (5xx).
    pub fn is_server_error(self) -> bool {
        self.mapping().server_error
    }

    /// The kind whose HTTP status is `status`, if the table has one.
    pub fn from_status(status: StatusCode) -> Option<Kind> {
        TABLE
            .iter()
            .find(|row| row.status == status.as_u16())
            .map(|row| row.kind)
    }

    /// The kind to use for a status the table does not list: the table's
    /// row when there is one, else the generic client or server failure.
    pub fn from_status_or_generic(status: StatusCode) -> Kind {
        Kind::from_status(status).unwrap_or(if status.is_server_error() {
            Kind::Internal
        } else {
            Kind::BadRequest
        })
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order() {
        assert_eq!(TABLE.len(), Kind::ALL.len());
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(row.kind as usize, i, "row {i} is {:?}", row.kind);
            assert_eq!(Kind::ALL[i], row.kind);
        }
    }

    #[test]
    fn statuses_are_unique_and_match_reason_phrases() {
        for row in TABLE {
            let status = StatusCode::from_u16(row.status).unwrap();
            assert_eq!(Kind::from_status(status), Some(row.kind));
            if let Some(reason) = status.canonical_reason() {
                // RFC 9110 renamed 413 and 422; `http` keeps the old names.
                if ![413, 422].contains(&row.status) {
                    assert_eq!(reason, row.title, "{:?}", row.kind);
                }
            }
            assert_eq!(row.server_error, status.is_server_error());
        }
    }

    #[test]
    fn every_close_code_is_sendable() {
        for row in TABLE {
            assert!(row.ws_standard.is_sendable(), "{:?}", row.kind);
            assert!(row.ws_mirror.is_sendable(), "{:?}", row.kind);
            assert!(
                row.ws_standard.as_u16() < 3000,
                "standard column uses registered codes only: {:?}",
                row.kind
            );
        }
    }

    /// Each row, as DESIGN.md's table states it (with 426 and 431 added).
    #[test]
    fn every_row_matches_the_design_table() {
        use GrpcCode as G;
        let expected: &[(Kind, u16, u16, u16, GrpcCode)] = &[
            (Kind::BadRequest, 400, 1007, 4400, G::InvalidArgument),
            (Kind::Unauthenticated, 401, 1008, 4401, G::Unauthenticated),
            (Kind::PermissionDenied, 403, 1008, 4403, G::PermissionDenied),
            (Kind::NotFound, 404, 1008, 4404, G::NotFound),
            (Kind::MethodNotAllowed, 405, 1008, 4405, G::Unimplemented),
            (Kind::NotAcceptable, 406, 1003, 4406, G::InvalidArgument),
            (Kind::RequestTimeout, 408, 1008, 4408, G::DeadlineExceeded),
            (Kind::Conflict, 409, 1008, 4409, G::AlreadyExists),
            (Kind::Gone, 410, 1008, 4410, G::NotFound),
            (
                Kind::PreconditionFailed,
                412,
                1008,
                4412,
                G::FailedPrecondition,
            ),
            (Kind::PayloadTooLarge, 413, 1009, 1009, G::ResourceExhausted),
            (
                Kind::UnsupportedMediaType,
                415,
                1003,
                1003,
                G::InvalidArgument,
            ),
            (
                Kind::UpgradeRequired,
                426,
                1008,
                4426,
                G::FailedPrecondition,
            ),
            (Kind::Unprocessable, 422, 1008, 4422, G::InvalidArgument),
            (Kind::RateLimited, 429, 1013, 4429, G::ResourceExhausted),
            (Kind::HeadersTooLarge, 431, 1009, 4431, G::ResourceExhausted),
            (Kind::ClientClosed, 499, 1001, 1001, G::Cancelled),
            (Kind::Internal, 500, 1011, 1011, G::Internal),
            (Kind::NotImplemented, 501, 1011, 4501, G::Unimplemented),
            (Kind::BadGateway, 502, 1011, 4502, G::Unavailable),
            (Kind::Unavailable, 503, 1013, 1013, G::Unavailable),
            (Kind::GatewayTimeout, 504, 1011, 4504, G::DeadlineExceeded),
        ];
        assert_eq!(expected.len(), TABLE.len());
        for &(kind, status, std, mirror, grpc) in expected {
            assert_eq!(kind.status().as_u16(), status, "{kind:?}");
            assert_eq!(
                kind.close_code(CloseCodes::Standard).as_u16(),
                std,
                "{kind:?}"
            );
            assert_eq!(
                kind.close_code(CloseCodes::HttpMirror).as_u16(),
                mirror,
                "{kind:?}"
            );
            assert_eq!(kind.grpc_code(), grpc, "{kind:?}");
        }
    }

    #[test]
    fn unknown_statuses_fall_back_by_class() {
        assert_eq!(
            Kind::from_status_or_generic(StatusCode::IM_A_TEAPOT),
            Kind::BadRequest
        );
        assert_eq!(
            Kind::from_status_or_generic(StatusCode::INSUFFICIENT_STORAGE),
            Kind::Internal
        );
    }
}
