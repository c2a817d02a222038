//! The tonic integration: [`Fault`](crate::Fault) ⇄ [`tonic::Status`].
//!
//! - `From<Fault> for Status` (and [`FaultStatus`], to name the service's
//!   error domain and the request id): the code from the mapping table,
//!   a message that shows no internals for server faults, and rich error
//!   details (`ErrorInfo`, `BadRequest`, `RetryInfo`, `RequestInfo`) in
//!   `grpc-status-details-bin`, following [AIP-193].
//! - `From<Status> for Fault` (and [`Upstream`]): how a gateway passes an
//!   upstream's failure on: 502/503/504 for what the upstream failed at,
//!   client codes kept only when the gateway forwards its client's input.
//! - [`field_path`] and [`pointer_from_field_path`]: JSON pointers
//!   (`#/a/b/0`) to gRPC field paths (`a.b[0]`) and back.
//!
//! ```
//! use wirefault::Fault;
//!
//! async fn get_note(id: i64) -> Result<String, tonic::Status> {
//!     let note = lookup(id).ok_or_else(|| Fault::not_found(format!("note {id} does not exist")))?;
//!     Ok(note)
//! }
//! # fn lookup(_: i64) -> Option<String> { None }
//! ```
//!
//! [AIP-193]: https://google.aip.dev/193

mod field_path;
mod from_status;
mod status;

pub use field_path::{field_path, pointer_from_field_path};
pub use from_status::Upstream;
pub use status::{FaultStatus, DEFAULT_DOMAIN, HTTP_STATUS_KEY};
