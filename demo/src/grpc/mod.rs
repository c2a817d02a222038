//! The notes over gRPC and gRPC-Web (`wirefault.demo.v1.Notes`), on the
//! API port: each method calls the function its HTTP route calls, and the
//! fault it returns becomes a status once, with AIP-193 details.
//!
//! - The session is the HTTP session cookie, read from `cookie` metadata.
//! - gRPC-Web (tonic-web) shares the service; the CORS policy exposes the
//!   status headers to the trusted origins (`CorsPolicyBuilder::grpc_web`).
//! - A panic in a handler is `INTERNAL` with the generic message; the
//!   panic goes to the log only.
//! - Reflection (v1 and v1alpha) lists the services, so `grpcurl` and
//!   `wirefault audit` find them.

mod debug;
mod notes;

pub use debug::DebugService;
pub use notes::{NoteEvents, NotesService};

use crate::app::BODY_LIMIT;
use crate::state::AppState;
use axum::body::Body;
use axum::http::header;
use std::any::Any;
use std::convert::Infallible;
use tonic::service::Routes;
use tonic::Status;
use tower::util::BoxCloneSyncService;
use tower::{ServiceBuilder, ServiceExt};
use tower_http::catch_panic::CatchPanicLayer;
use wirefault::axum::RequestId;
use wirefault::tonic::FaultStatus;
use wirefault::Fault;

/// The code generated from `proto/wirefault/demo/v1/*.proto` at build time.
#[allow(missing_docs, missing_debug_implementations, unreachable_pub)]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("wirefault.demo.v1");
}

/// The descriptors of every proto the service compiles, for reflection.
pub const DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("demo_descriptor");

/// The `ErrorInfo.domain` of the service's errors.
pub const DOMAIN: &str = "wirefault-demo";

/// Turns the service's faults into statuses.
pub const FAULTS: FaultStatus = FaultStatus::new(DOMAIN);

/// The notes service's full name.
pub const NOTES_SERVICE: &str = "wirefault.demo.v1.Notes";

/// The largest message a method reads: a request whose message is larger
/// gets tonic's own `OUT_OF_RANGE` at the message's frame header (5
/// bytes), before the body limit would cut the body mid-message.
pub const MAX_MESSAGE_BYTES: usize = BODY_LIMIT - 5;

/// A side of the API port, as one service for the router.
pub type PortService =
    BoxCloneSyncService<axum::extract::Request, axum::response::Response, Infallible>;

/// The API port's service: gRPC and gRPC-Web requests to `grpc`, every
/// other request to `http`.
pub fn by_content_type(http: PortService, grpc: PortService) -> PortService {
    BoxCloneSyncService::new(tower::service_fn(move |req: axum::extract::Request| {
        let side = if is_grpc(&req) { &grpc } else { &http };
        side.clone().oneshot(req)
    }))
}

/// Whether a request is gRPC or gRPC-Web (`application/grpc*`), for the
/// gRPC side of the port.
pub fn is_grpc(req: &axum::extract::Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.as_bytes().get(..16))
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"application/grpc"))
}

/// The gRPC side of the API port: the notes (and, with `--fault-routes`,
/// the debug service), reflection, gRPC-Web, panics as `INTERNAL`.
pub fn service(state: &AppState) -> PortService {
    let notes = pb::notes_server::NotesServer::new(NotesService::new(state.clone()))
        .max_decoding_message_size(MAX_MESSAGE_BYTES);
    let mut routes = Routes::new(notes);
    if state.config.fault_routes {
        routes = routes.add_service(pb::debug_server::DebugServer::new(DebugService));
    }
    match reflection(state.config.fault_routes) {
        Ok((v1, v1alpha)) => routes = routes.add_service(v1).add_service(v1alpha),
        // The descriptors are compiled in (a test builds them): this is a
        // build mistake, not something a client or the config can cause.
        Err(err) => tracing::error!("gRPC reflection is off: {err}"),
    }
    let service = ServiceBuilder::new()
        .map_response(|response: axum::http::Response<tonic::body::Body>| response.map(Body::new))
        .layer(tonic_web::GrpcWebLayer::new())
        .layer(CatchPanicLayer::custom(panic_status))
        .service(routes.prepare());
    BoxCloneSyncService::new(service)
}

/// The reflection services (v1 and v1alpha), listing the notes, the
/// reflection itself and, with `debug`, the debug service.
#[allow(clippy::type_complexity)]
fn reflection(
    debug: bool,
) -> Result<
    (
        tonic_reflection::server::v1::ServerReflectionServer<
            impl tonic_reflection::server::v1::ServerReflection,
        >,
        tonic_reflection::server::v1alpha::ServerReflectionServer<
            impl tonic_reflection::server::v1alpha::ServerReflection,
        >,
    ),
    tonic_reflection::server::Error,
> {
    let builder = |reflection: &str| {
        let mut builder = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(DESCRIPTOR_SET)
            .with_service_name(NOTES_SERVICE)
            .with_service_name(reflection);
        if debug {
            builder = builder.with_service_name("wirefault.demo.v1.Debug");
        }
        builder
    };
    Ok((
        builder("grpc.reflection.v1.ServerReflection").build_v1()?,
        builder("grpc.reflection.v1alpha.ServerReflection").build_v1alpha()?,
    ))
}

/// The status for a panic: `INTERNAL`, the generic message; what panicked
/// goes to the log with the request id.
fn panic_status(panic: Box<dyn Any + Send + 'static>) -> axum::http::Response<tonic::body::Body> {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    let fault = Fault::internal_from(std::io::Error::other(format!("handler panicked: {what}")));
    let (parts, ()) = status(&fault, current_request_id().as_deref())
        .into_http::<()>()
        .into_parts();
    axum::http::Response::from_parts(parts, tonic::body::Body::empty())
}

pub(crate) fn current_request_id() -> Option<String> {
    RequestId::current().map(|id| id.0)
}

/// `fault` as a status, with the request id in `RequestInfo`.
pub(crate) fn status(fault: &Fault, request_id: Option<&str>) -> Status {
    FAULTS.status(fault, request_id)
}

/// The handler's fault as a status for this request.
pub(crate) fn fail(fault: Fault) -> Status {
    status(&fault, current_request_id().as_deref())
}
