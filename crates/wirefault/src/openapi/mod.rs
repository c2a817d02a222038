//! OpenAPI documents (utoipa) whose error responses come from the mapping
//! table: the `utoipa` feature.
//!
//! - [`Problem`](crate::Problem) implements `utoipa::ToSchema`: the
//!   `Problem` component (RFC 9457's members, `errors[]`, `request_id`).
//! - A handler declares the kinds it fails with in its own
//!   `#[utoipa::path]`: `responses(..., NoteFaults)` with a type made by
//!   [`fault_responses!`](crate::fault_responses), or by hand with
//!   [`responses`]. Each kind is a response with its status,
//!   `application/problem+json`, the `Problem` schema and the headers
//!   [`spec::required_headers`](crate::spec::required_headers) lists.
//! - [`LayerResponses`], a `utoipa::Modify`, adds what the layers answer
//!   on every operation (400/413/415 for a JSON body, 404 for a path
//!   parameter, 500, `X-Request-Id`) and the `Problem` component; made
//!   from a `WirefaultLayer` (`LayerResponses::from(&layer)`), it reads the
//!   layer's request id header, body limit, timeout and framing checks.
//! - [`websocket_responses`] documents a WebSocket endpoint: the handshake
//!   answers, and in `x-websocket-close-codes` the close code of each
//!   failure; [`sse_response`] documents an event stream, each event's data and the `error`
//!   event.
//!
//! ```
//! use utoipa::{Modify, OpenApi};
//! use wirefault::openapi::LayerResponses;
//!
//! wirefault::fault_responses! {
//!     /// How reading a note fails, besides what the layers answer.
//!     pub struct ReadNoteFaults = [Unauthenticated];
//! }
//!
//! #[utoipa::path(
//!     get,
//!     path = "/notes/{id}",
//!     params(("id" = i64, Path, description = "the note's id")),
//!     responses((status = 200, description = "the note"), ReadNoteFaults),
//! )]
//! async fn read_note() {}
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(read_note))]
//! struct ApiDoc;
//!
//! let mut doc = ApiDoc::openapi();
//! LayerResponses::new().modify(&mut doc);
//! let doc = serde_json::to_value(doc).unwrap();
//! let responses = &doc["paths"]["/notes/{id}"]["get"]["responses"];
//! assert_eq!(responses["401"]["headers"]["www-authenticate"]["required"], true);
//! assert_eq!(responses["404"]["content"]["application/problem+json"]["schema"]["$ref"],
//!            "#/components/schemas/Problem");
//! for status in ["200", "400", "401", "404", "500"] {
//!     assert!(responses[status].is_object(), "{status}");
//! }
//! ```

mod kind_response;
mod layer_responses;
mod problem_schema;
mod sse;
mod websocket;

pub use kind_response::{response, responses};
pub use layer_responses::LayerResponses;
pub use problem_schema::PROBLEM_SCHEMA;
pub use sse::{sse_response, SseEvent, EVENT_STREAM};
pub use websocket::{close_codes, websocket_responses, CLOSE_CODES_EXTENSION};

/// The `utoipa` the macros below expand to, so a user's version cannot differ.
#[doc(hidden)]
pub use utoipa as __utoipa;

/// Declares a type implementing `utoipa::IntoResponses` from a list of
/// [`Kind`](crate::Kind)s, for a handler's `#[utoipa::path(responses(...))]`.
///
/// - `struct Name = [Kind, ...];` — one problem response per kind
///   ([`responses`]).
/// - `struct Name = websocket { handshake: [Kind, ...], closes: [Kind, ...] };`
///   — a WebSocket endpoint ([`websocket_responses`]).
///
/// ```
/// use utoipa::IntoResponses;
///
/// wirefault::fault_responses! {
///     /// How creating a note fails.
///     pub struct CreateNoteFaults = [Conflict, RateLimited];
/// }
/// wirefault::fault_responses! {
///     /// The notes WebSocket.
///     pub struct NotesSocket = websocket {
///         handshake: [Unauthenticated, UpgradeRequired],
///         closes: [BadRequest],
///     };
/// }
///
/// assert_eq!(CreateNoteFaults::responses().keys().collect::<Vec<_>>(), ["409", "429"]);
/// assert_eq!(NotesSocket::responses().keys().collect::<Vec<_>>(), ["101", "401", "426"]);
/// ```
#[macro_export]
macro_rules! fault_responses {
    ($(#[$meta:meta])* $vis:vis struct $name:ident = [$($kind:ident),* $(,)?];) => {
        $crate::fault_responses!(@type $(#[$meta])* $vis $name,
            $crate::openapi::responses(&[$($crate::Kind::$kind),*]));
    };
    ($(#[$meta:meta])* $vis:vis struct $name:ident = websocket {
        handshake: [$($handshake:ident),* $(,)?],
        closes: [$($close:ident),* $(,)?] $(,)?
    };) => {
        $crate::fault_responses!(@type $(#[$meta])* $vis $name,
            $crate::openapi::websocket_responses(
                &[$($crate::Kind::$handshake),*],
                &[$($crate::Kind::$close),*],
            ));
    };
    (@type $(#[$meta:meta])* $vis:vis $name:ident, $responses:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        $vis struct $name;

        impl $crate::openapi::__utoipa::IntoResponses for $name {
            fn responses() -> ::std::collections::BTreeMap<
                ::std::string::String,
                $crate::openapi::__utoipa::openapi::RefOr<
                    $crate::openapi::__utoipa::openapi::response::Response,
                >,
            > {
                $responses
            }
        }
    };
}
