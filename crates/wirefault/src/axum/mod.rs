//! The axum / tower integration.
//!
//! - [`WirefaultLayer`]: the one layer to put around a router: request
//!   ids, framing checks, CORS, body limit, timeout, panic capture, and
//!   every error response (extractor rejections, fallback 404, 405, 408,
//!   413, panics) as problem+json with the request id as `instance`.
//! - Its pieces, for people who compose their own stacks:
//!   [`RequestIdLayer`], [`CorsPolicyLayer`], [`ProblemLayer`];
//!   [`ExposureCheckLayer`] warns in debug builds about response headers
//!   scripts cannot read.
//! - [`Fault`](crate::Fault) implements `IntoResponse`: a problem+json
//!   response with the headers its kind needs.
//! - [`Json`] reads a JSON body with failures that point at the field.
//! - [`FaultSse`] serves Server-Sent Events whose failures end the stream
//!   with an `event: error` carrying the problem JSON.
//! - [`serve`] serves a `Router` with bounds on header reads, idleness,
//!   open connections and the shutdown drain.
//! - [`ws`] runs WebSocket sessions that always end with the right close
//!   code.

mod cors;
mod current;
mod framing;
mod into_response;
mod json;
mod layer;
mod panic;
mod problem_layer;
mod request_id;
mod serve;
mod sse;
pub mod ws;

pub use cors::{
    CorsPolicyFuture, CorsPolicyLayer, CorsPolicyService, ExposureCheckFuture, ExposureCheckLayer,
    ExposureCheckService,
};
pub use json::Json;
pub use layer::{WirefaultFuture, WirefaultLayer, WirefaultService};
pub use problem_layer::{Guarded, ProblemLayer, ProblemService};
pub use request_id::{RequestId, RequestIdFuture, RequestIdLayer, RequestIdService, REQUEST_ID};
pub use serve::{serve, App, Drained, Serve, ServeConfig};
pub use sse::{problem_event, FaultSse, ERROR_EVENT};
