//! The axum / tower integration.
//!
//! - [`Fault`](crate::Fault) implements `IntoResponse`: a problem+json
//!   response with the headers its kind needs.
//! - [`ProblemLayer`] turns every error response below it (extractor
//!   rejections, fallback 404, 405, 408, 413, panics) into problem+json,
//!   with the request id as the problem's `instance`.
//! - [`cors_layer`] builds tower-http's `CorsLayer` from a validated
//!   [`CorsPolicy`](crate::CorsPolicy); [`ExposureCheckLayer`] warns in debug
//!   builds about response headers scripts cannot read.
//! - [`Json`] reads a JSON body with failures that point at the field.
//! - [`FaultSse`] serves Server-Sent Events whose failures end the stream
//!   with an `event: error` carrying the problem JSON.
//! - [`serve`] serves a `Router` with bounds on header reads, idleness,
//!   open connections and the shutdown drain.
//! - [`ws`] runs WebSocket sessions that always end with the right close
//!   code.

mod cors;
mod into_response;
mod json;
mod problem_layer;
mod request_id;
mod serve;
mod sse;
pub mod ws;

pub use cors::{
    cors_layer, CorsPolicyFuture, CorsPolicyLayer, CorsPolicyService, ExposureCheckFuture,
    ExposureCheckLayer, ExposureCheckService,
};
pub use json::Json;
pub use problem_layer::{ProblemLayer, ProblemService};
pub use request_id::{
    around, error_layer, error_layers, request_id_layer, request_id_layers, ErrorLayer,
    MakeRequestUuidV4, RequestId, RequestIdLayer, REQUEST_ID,
};
pub use serve::{serve, Drained, Serve, ServeConfig};
pub use sse::{problem_event, FaultSse, ERROR_EVENT};
