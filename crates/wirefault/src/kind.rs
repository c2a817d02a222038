//! [`Kind`]: the semantic class of a failure, and the mapping table that
//! renders each class on every wire.

use crate::close::{CloseCode, CloseCodes};
use crate::grpc::GrpcCode;
use http::header::HeaderName;
use http::StatusCode;

/// The RFC 9110 section of a status code.
macro_rules! rfc9110 {
    ($section:literal) => {
        concat!("https://www.rfc-editor.org/rfc/rfc9110#section-", $section)
    };
}

/// The mapping table, written once: each row declares a [`Kind`] variant
/// (its doc, its name) and how it is rendered on every wire. The macro
/// generates the enum, [`TABLE`] and [`Kind::ALL`] from the same rows, so
/// a new kind is one row (and one line of `docs/DESIGN.md`, which a test
/// compares with this table).
///
/// A row: `Variant = status "Title", "code", ws STANDARD / MIRROR,
/// grpc Code, headers [REQUIRED, ...], back [codes read back as this
/// kind], spec "link";`. The status and both close codes are checked at
/// compile time (a valid status, sendable close codes).
macro_rules! kinds {
    ($(
        $(#[doc = $doc:literal])*
        $kind:ident = $status:literal $title:literal, $code:literal,
            ws $ws:literal / $mirror:literal, grpc $grpc:ident,
            headers [$($header:ident),*], back [$($back:ident),*] $(+ $violations:ident)?,
            spec $spec:expr;
    )*) => {
        /// The semantic class of a failure, independent of any protocol.
        ///
        /// Like gRPC's canonical codes or [`std::io::ErrorKind`], a `Kind` says
        /// *what went wrong*; each protocol renders it with its own mechanism,
        /// read from one table ([`Kind::mapping`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Kind {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!(
                    "HTTP ", stringify!($status), " ", $title,
                    $(", with `", stringify!($header), "`",)*
                    "; WebSocket close ", stringify!($ws), " (", stringify!($mirror),
                    " with `HttpMirror`); gRPC `", stringify!($grpc), "` ([spec](", $spec, "))."
                )]
                $kind,
            )*
        }

        /// The mapping table: one row per [`Kind`], in declaration order.
        ///
        /// This is the single source every integration reads.
        pub const TABLE: &[Mapping] = &[
            $( Mapping {
                kind: Kind::$kind,
                status: status($status),
                title: $title,
                code: $code,
                ws_standard: close_code($ws),
                ws_mirror: close_code($mirror),
                grpc: GrpcCode::$grpc,
                required_headers: &[$(http::header::$header),*],
                grpc_back: GrpcBack {
                    codes: &[$(GrpcCode::$back),*],
                    needs_violations: kinds!(@flag $($violations)?),
                },
                spec: $spec,
                server_error: $status >= 500,
            }, )*
        ];

        impl Kind {
            /// Every kind, in table order.
            pub const ALL: &'static [Kind] = &[ $( Kind::$kind, )* ];
        }
    };
    (@flag violations) => { true };
    (@flag) => { false };
}

/// A status from a row, checked at compile time.
const fn status(code: u16) -> StatusCode {
    match StatusCode::from_u16(code) {
        Ok(status) => status,
        Err(_) => panic!("the mapping table holds an invalid HTTP status"),
    }
}

/// A close code from a row, checked at compile time.
const fn close_code(code: u16) -> CloseCode {
    match CloseCode::new(code) {
        Some(code) => code,
        None => panic!("the mapping table holds a close code that must not be sent"),
    }
}

/// One row of the mapping table: how a [`Kind`] is rendered on each wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// The class this row renders.
    pub kind: Kind,
    /// The HTTP status code ([RFC 9110 §15](https://www.rfc-editor.org/rfc/rfc9110#section-15)).
    pub status: StatusCode,
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
    /// The headers an HTTP response with this status must carry besides
    /// `Content-Type`: `WWW-Authenticate` on 401, `Allow` on 405,
    /// `Upgrade` on 426, `Retry-After` on 429 and 503.
    pub required_headers: &'static [HeaderName],
    /// The gRPC codes that come back as this kind when a service passes
    /// its client's input through to an upstream (the table read backwards;
    /// see `wirefault::tonic::Upstream`).
    pub grpc_back: GrpcBack,
    /// Where the status is defined.
    pub spec: &'static str,
    /// Whether the failure is the server's (5xx): its details never leave
    /// the process.
    pub server_error: bool,
}

/// The gRPC codes read back as a row's kind (see [`Mapping::grpc_back`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrpcBack {
    /// The codes.
    pub codes: &'static [GrpcCode],
    /// Whether the row is chosen only for a status with field violations
    /// (`INVALID_ARGUMENT` with `BadRequest` details is a 422).
    pub needs_violations: bool,
}

// Rationale for each WebSocket column (see DESIGN.md): a code from
// RFC 6455 §7.4.1 or IANA is used only where its definition fits exactly;
// otherwise 1008 (policy violation) for client-caused failures and 1011
// for server-caused ones. Kinds that only exist before the upgrade
// (405, 426, 431) still get a sendable code, in case a handler returns
// one after it. BadGateway closes with 1011, not 1014: tungstenite answers
// a received 1014 with 1002, and Autobahn does not list it as valid.
kinds! {
    /// The request is malformed (syntax).
    BadRequest = 400 "Bad Request", "bad_request", ws 1007 / 4400, grpc InvalidArgument,
        headers [], back [InvalidArgument, OutOfRange], spec rfc9110!("15.5.1");
    /// No valid credentials.
    Unauthenticated = 401 "Unauthorized", "unauthenticated", ws 1008 / 4401, grpc Unauthenticated,
        headers [WWW_AUTHENTICATE], back [Unauthenticated], spec rfc9110!("15.5.2");
    /// Authenticated, but not allowed.
    PermissionDenied = 403 "Forbidden", "permission_denied", ws 1008 / 4403, grpc PermissionDenied,
        headers [], back [PermissionDenied], spec rfc9110!("15.5.4");
    /// The resource does not exist.
    NotFound = 404 "Not Found", "not_found", ws 1008 / 4404, grpc NotFound,
        headers [], back [NotFound], spec rfc9110!("15.5.5");
    /// The method is not supported by the resource.
    MethodNotAllowed = 405 "Method Not Allowed", "method_not_allowed", ws 1008 / 4405, grpc Unimplemented,
        headers [ALLOW], back [], spec rfc9110!("15.5.6");
    /// No representation matches the request's `Accept`.
    NotAcceptable = 406 "Not Acceptable", "not_acceptable", ws 1003 / 4406, grpc InvalidArgument,
        headers [], back [], spec rfc9110!("15.5.7");
    /// The client was too slow to send its request.
    RequestTimeout = 408 "Request Timeout", "request_timeout", ws 1008 / 4408, grpc DeadlineExceeded,
        headers [], back [], spec rfc9110!("15.5.9");
    /// The request conflicts with the resource's state.
    Conflict = 409 "Conflict", "conflict", ws 1008 / 4409, grpc AlreadyExists,
        headers [], back [AlreadyExists, Aborted], spec rfc9110!("15.5.10");
    /// The resource existed and is gone for good.
    Gone = 410 "Gone", "gone", ws 1008 / 4410, grpc NotFound,
        headers [], back [], spec rfc9110!("15.5.11");
    /// A precondition of the request does not hold.
    PreconditionFailed = 412 "Precondition Failed", "precondition_failed", ws 1008 / 4412, grpc FailedPrecondition,
        headers [], back [FailedPrecondition], spec rfc9110!("15.5.13");
    /// The request content is larger than accepted.
    PayloadTooLarge = 413 "Content Too Large", "payload_too_large", ws 1009 / 1009, grpc ResourceExhausted,
        headers [], back [], spec rfc9110!("15.5.14");
    /// The request content's media type is not accepted.
    UnsupportedMediaType = 415 "Unsupported Media Type", "unsupported_media_type", ws 1003 / 1003, grpc InvalidArgument,
        headers [], back [], spec rfc9110!("15.5.16");
    /// A protocol upgrade is required (a WebSocket endpoint reached
    /// without the upgrade).
    UpgradeRequired = 426 "Upgrade Required", "upgrade_required", ws 1008 / 4426, grpc FailedPrecondition,
        headers [UPGRADE], back [], spec rfc9110!("15.5.22");
    /// The request is well-formed but invalid.
    Unprocessable = 422 "Unprocessable Content", "unprocessable", ws 1008 / 4422, grpc InvalidArgument,
        headers [], back [InvalidArgument] + violations, spec rfc9110!("15.5.21");
    /// The client sent too many requests.
    RateLimited = 429 "Too Many Requests", "rate_limited", ws 1013 / 4429, grpc ResourceExhausted,
        headers [RETRY_AFTER], back [ResourceExhausted], spec "https://www.rfc-editor.org/rfc/rfc6585#section-4";
    /// The request's header section is too large.
    HeadersTooLarge = 431 "Request Header Fields Too Large", "headers_too_large", ws 1009 / 4431, grpc ResourceExhausted,
        headers [], back [], spec "https://www.rfc-editor.org/rfc/rfc6585#section-5";
    /// The client went away before the answer (logged, never sent; nginx's
    /// code).
    ClientClosed = 499 "Client Closed Request", "client_closed", ws 1001 / 1001, grpc Cancelled,
        headers [], back [], spec "https://nginx.org/en/docs/http/ngx_http_log_module.html";
    /// The server failed.
    Internal = 500 "Internal Server Error", "internal", ws 1011 / 1011, grpc Internal,
        headers [], back [], spec rfc9110!("15.6.1");
    /// The server does not implement the operation.
    NotImplemented = 501 "Not Implemented", "not_implemented", ws 1011 / 4501, grpc Unimplemented,
        headers [], back [Unimplemented], spec rfc9110!("15.6.2");
    /// An upstream answered badly.
    BadGateway = 502 "Bad Gateway", "bad_gateway", ws 1011 / 4502, grpc Unavailable,
        headers [], back [], spec rfc9110!("15.6.3");
    /// The service is temporarily unavailable.
    Unavailable = 503 "Service Unavailable", "unavailable", ws 1013 / 1013, grpc Unavailable,
        headers [RETRY_AFTER], back [], spec rfc9110!("15.6.4");
    /// An upstream did not answer in time.
    GatewayTimeout = 504 "Gateway Timeout", "gateway_timeout", ws 1011 / 4504, grpc DeadlineExceeded,
        headers [], back [], spec rfc9110!("15.6.5");
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
        self.mapping().status
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

    /// The headers an HTTP response of this kind must carry besides
    /// `Content-Type` (the table's required-headers column).
    pub fn required_headers(self) -> &'static [HeaderName] {
        self.mapping().required_headers
    }

    /// Where this kind's status is defined.
    pub fn spec(self) -> &'static str {
        self.mapping().spec
    }

    /// The kind a gRPC `code` from an upstream comes back as when a service
    /// passes its client's input through (the table's `grpc_back` column):
    /// a row that asks for field violations wins when the status has some.
    /// `None` when no row reads the code back.
    pub fn from_grpc_back(code: GrpcCode, has_violations: bool) -> Option<Kind> {
        let mut plain = None;
        for row in TABLE {
            if !row.grpc_back.codes.contains(&code) {
                continue;
            }
            if !row.grpc_back.needs_violations {
                plain = plain.or(Some(row.kind));
            } else if has_violations {
                return Some(row.kind);
            }
        }
        plain
    }

    /// The kind whose HTTP status is `status`, if the table has one.
    pub fn from_status(status: StatusCode) -> Option<Kind> {
        TABLE
            .iter()
            .find(|row| row.status == status)
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
            let status = row.status;
            assert_eq!(Kind::from_status(status), Some(row.kind));
            if let Some(reason) = status.canonical_reason() {
                // RFC 9110 renamed 413 and 422; `http` keeps the old names.
                if ![413, 422].contains(&row.status.as_u16()) {
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

    #[test]
    fn each_grpc_code_reads_back_as_at_most_one_kind() {
        for code in (0..=16).map(GrpcCode::from_i32) {
            for violations in [false, true] {
                let rows = TABLE
                    .iter()
                    .filter(|r| {
                        r.grpc_back.codes.contains(&code)
                            && r.grpc_back.needs_violations == violations
                    })
                    .count();
                assert!(rows <= 1, "{code:?} is read back by {rows} rows");
            }
        }
        assert_eq!(
            Kind::from_grpc_back(GrpcCode::InvalidArgument, true),
            Some(Kind::Unprocessable)
        );
        assert_eq!(
            Kind::from_grpc_back(GrpcCode::InvalidArgument, false),
            Some(Kind::BadRequest)
        );
        assert_eq!(
            Kind::from_grpc_back(GrpcCode::NotFound, true),
            Some(Kind::NotFound)
        );
        assert_eq!(Kind::from_grpc_back(GrpcCode::Internal, false), None);
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
