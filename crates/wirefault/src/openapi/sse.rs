//! A Server-Sent Events endpoint in the document: `text/event-stream`,
//! each event's data schema, and the error event that ends a failed stream.

use super::problem_schema::PROBLEM_SCHEMA;
use serde_json::{json, Map, Value};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{Content, Ref, RefOr};

/// The media type of an event stream.
pub const EVENT_STREAM: &str = "text/event-stream";

/// The extension of the `text/event-stream` content that lists the events.
pub const SSE_EVENTS_EXTENSION: &str = "x-sse-events";

/// The name of the event that ends a failed stream
/// (`wirefault::axum::ERROR_EVENT`, which needs the `axum` feature).
const ERROR_EVENT: &str = "error";

/// One kind of event a stream sends: its `event:` name, what it means,
/// and the schema of its `data:` (a JSON text).
#[derive(Debug, Clone)]
pub struct SseEvent {
    name: String,
    description: String,
    /// The data's schema, as JSON (utoipa's schema types are not `Debug`).
    data: Value,
}

impl SseEvent {
    /// An event named `name` whose data is JSON of `data`'s schema.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        data: impl Into<RefOr<Schema>>,
    ) -> SseEvent {
        SseEvent {
            name: name.into(),
            description: description.into(),
            // A schema always serializes; `null` (any data) would be the fallback.
            data: serde_json::to_value(data.into()).unwrap_or_default(),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "description": self.description,
            "contentMediaType": "application/json",
            "data": self.data,
        })
    }
}

/// The `200` of an SSE endpoint: `text/event-stream`, with the extension
/// [`SSE_EVENTS_EXTENSION`] mapping each event name to its description and
/// data schema. The `error` event is always listed: its data is a
/// `Problem`, and it is the stream's last event
/// ([`FaultSse`](crate::axum::FaultSse) sends it for the first fault).
///
/// ```
/// use utoipa::openapi::schema::{ObjectBuilder, Type};
/// use wirefault::openapi::{sse_response, SseEvent};
///
/// let ping = SseEvent::new("ping", "still alive", ObjectBuilder::new().schema_type(Type::Object));
/// let json = serde_json::to_value(sse_response("note events", [ping])).unwrap();
/// let events = &json["content"]["text/event-stream"]["x-sse-events"];
/// assert_eq!(events["error"]["data"]["$ref"], "#/components/schemas/Problem");
/// assert!(events["ping"].is_object());
/// ```
pub fn sse_response(description: &str, events: impl IntoIterator<Item = SseEvent>) -> Response {
    let error = SseEvent::new(
        ERROR_EVENT,
        "The stream failed: the problem (a server error shows only its generic title and \
         the request id). It is the last event; the stream ends after it.",
        Ref::from_schema_name(PROBLEM_SCHEMA),
    );
    let listed: Map<String, Value> = events
        .into_iter()
        .chain([error])
        .map(|event| (event.name.clone(), event.to_json()))
        .collect();
    let mut extensions = Extensions::default();
    extensions.insert(SSE_EVENTS_EXTENSION.to_owned(), Value::Object(listed));
    let mut content = Content::new(Some(
        ObjectBuilder::new().schema_type(Type::String).description(Some(
            "An event stream: `event:` and `data:` lines per event (see the extension).",
        )),
    ));
    content.extensions = Some(extensions);
    let mut response = Response::new(description);
    response
        .content
        .insert(EVENT_STREAM.to_owned(), RefOr::T(content));
    response
}

#[cfg(all(test, feature = "axum"))]
mod tests {
    #[test]
    fn the_error_event_is_the_one_fault_sse_sends() {
        assert_eq!(super::ERROR_EVENT, crate::axum::ERROR_EVENT);
    }
}
