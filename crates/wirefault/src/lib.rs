//! One error value, rendered with the right mechanism on every wire.
//!
//! Each protocol reports failure its own way: HTTP with a status and a
//! problem+json body ([RFC 9457]), a WebSocket with a close frame, gRPC with
//! a status in trailers, Server-Sent Events with an error event and the end
//! of the stream. A [`Fault`] describes the failure once; its [`Kind`] picks
//! the rendering on each wire from one [mapping table](TABLE).
//!
//! ```
//! use wirefault::{CloseCodes, Fault, Problem};
//!
//! let fault = Fault::not_found("note 42 does not exist");
//!
//! // Over HTTP: a 404 with a problem details body.
//! let problem = Problem::from_fault(&fault, Some("req-1"));
//! assert_eq!(problem.status, 404);
//! assert_eq!(problem.detail.as_deref(), Some("note 42 does not exist"));
//!
//! // On a WebSocket: a close frame with a code and a short reason.
//! let close = fault.close(CloseCodes::HttpMirror);
//! assert_eq!(close.code().as_u16(), 4404);
//!
//! // Over gRPC: NOT_FOUND.
//! assert_eq!(fault.kind().grpc_code().name(), "NOT_FOUND");
//!
//! // A server error never shows its internals.
//! let fault = Fault::internal().detail("SELECT failed: disk I/O error");
//! let body = Problem::from_fault(&fault, Some("req-2")).to_json();
//! assert!(!body.contains("SELECT"));
//! ```
//!
//! Details:
//! - The `axum` feature renders faults as responses, rewrites every error
//!   response a service makes into problem+json, and runs WebSocket
//!   sessions that always end with the right close code.
//! - The `utoipa` feature documents each operation's failures in an
//!   OpenAPI document from the same table (the `openapi` module).
//! - The `tonic` feature turns a fault into a `tonic::Status` with rich
//!   error details, and back.
//!
//! [RFC 9457]: https://www.rfc-editor.org/rfc/rfc9457

#![warn(missing_docs)]

mod close;
pub mod cors;
mod fault;
mod grpc;
pub mod headers;
mod json;
mod kind;
#[cfg(feature = "utoipa")]
pub mod openapi;
mod pointer;
mod problem;
mod public;
pub mod spec;

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "tonic")]
pub mod tonic;

pub use close::{truncate_reason, Close, CloseCode, CloseCodes, MAX_REASON_BYTES};
pub use cors::{CorsConfigError, CorsPolicy, OriginRejected};
pub use fault::{Fault, FieldError, FieldPointer, DEFAULT_RETRY_AFTER};
pub use grpc::GrpcCode;
pub use headers::HeaderRegistry;
pub use json::{from_json_slice, json_fault};
pub use kind::{GrpcBack, Kind, Mapping, TABLE};
pub use pointer::Pointer;
pub use problem::{Problem, PROBLEM_JSON};
pub use public::{PublicFault, GENERIC_SERVER_DETAIL};

/// The README's example, compiled and run as a doctest.
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
