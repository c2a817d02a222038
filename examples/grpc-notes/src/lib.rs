//! A small gRPC notes service whose handlers fail with [`wirefault::Fault`]s,
//! and a gateway in front of it that passes the upstream's failures on.
//!
//! Each handler does its work in a function returning `Result<_, Fault>`
//! and converts a failure once, at the edge, with [`FAULTS`]: the gRPC code
//! from wirefault's mapping table, a message that shows no internals for a
//! server failure, and rich error details (`ErrorInfo`, `BadRequest`,
//! `RetryInfo`, `RequestInfo`) a client decodes with
//! `tonic_types::StatusExt::get_error_details`.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:50051").await?;
//! wirefault_grpc_example::serve(listener, std::future::pending()).await?;
//! # Ok(()) }
//! ```

mod gateway;
mod notes;

/// The code generated from `proto/notes.proto` at build time.
#[allow(missing_docs, missing_debug_implementations, unreachable_pub)]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("wirefault.example.notes.v1");
}

pub use gateway::{GatewayService, UPSTREAM_TIMEOUT};
pub use notes::{NotesService, MAX_BODY_CHARS, MAX_TITLE_CHARS};

use std::future::Future;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use wirefault::tonic::FaultStatus;

/// The `ErrorInfo.domain` of this service's errors.
pub const DOMAIN: &str = "notes.wirefault.example";

/// Turns this service's faults into statuses.
pub const FAULTS: FaultStatus = FaultStatus::new(DOMAIN);

/// The request id metadata key, read from callers and sent upstream.
pub const REQUEST_ID: &str = "x-request-id";

/// The request's id: the caller's `x-request-id` when it is 1 to 128 of
/// `[A-Za-z0-9._-]`, else a new one.
pub fn request_id<T>(request: &tonic::Request<T>) -> String {
    request
        .metadata()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|id| {
            (1..=128).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned)
}

/// Serves the notes service on `listener` until `shutdown` completes.
///
/// # Errors
///
/// When the transport fails.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    tonic::transport::Server::builder()
        .add_service(pb::notes_server::NotesServer::new(NotesService::default()))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await
}

/// Serves the gateway on `listener`, in front of the notes service at
/// `upstream` (`http://host:port`), until `shutdown` completes.
///
/// # Errors
///
/// When `upstream` is not a valid URI, or the transport fails.
pub async fn serve_gateway(
    listener: TcpListener,
    upstream: String,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let gateway = GatewayService::new(upstream)?;
    tonic::transport::Server::builder()
        .add_service(pb::gateway_server::GatewayServer::new(gateway))
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), shutdown)
        .await?;
    Ok(())
}
