//! A Server-Sent Events endpoint in the document: `text/event-stream`,
//! each event's data schema, and the `error` event that ends a failed
//! stream.
//!
//! The content's `schema` describes one event, as OpenAPI 3.2's
//! `itemSchema` does (and as tools read `schema` of an event stream in a
//! 3.0 / 3.1 document): an object with the `event` name and the `data`
//! text, whose JSON is described by `contentSchema` (JSON Schema 2020-12).

use super::problem_schema::PROBLEM_SCHEMA;
use serde_json::Value;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::{Content, Ref, RefOr};

/// The media type of an event stream.
pub const EVENT_STREAM: &str = "text/event-stream";

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

    /// `{"event": name, "data": JSON text of the data schema}`.
    fn schema(&self) -> ObjectBuilder {
        let mut data = ObjectBuilder::new()
            .schema_type(Type::String)
            .content_media_type("application/json")
            .build();
        // utoipa 6's schema object has no `contentSchema` (JSON Schema
        // 2020-12 §8.5); its flattened extensions write it as is.
        let mut content_schema = Extensions::default();
        content_schema.insert("contentSchema".into(), self.data.clone());
        data.extensions = Some(content_schema);
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(self.description.clone()))
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([self.name.clone()])),
            )
            .required("event")
            .property("data", data)
            .required("data")
    }
}

/// The `200` of an SSE endpoint: `text/event-stream` whose schema is one
/// of `events`, or the `error` event, always listed: its data is a
/// `Problem`, and it is the stream's last event
/// (`wirefault::axum::FaultSse` sends it for the first fault).
///
/// ```
/// use utoipa::openapi::schema::{ObjectBuilder, Type};
/// use wirefault::openapi::{sse_response, SseEvent};
///
/// let ping = SseEvent::new("ping", "still alive", ObjectBuilder::new().schema_type(Type::Object));
/// let json = serde_json::to_value(sse_response("note events", [ping])).unwrap();
/// let events = &json["content"]["text/event-stream"]["schema"]["oneOf"];
/// assert_eq!(events[0]["properties"]["event"]["enum"][0], "ping");
/// assert_eq!(events[1]["properties"]["event"]["enum"][0], "error");
/// assert_eq!(
///     events[1]["properties"]["data"]["contentSchema"]["$ref"],
///     "#/components/schemas/Problem"
/// );
/// ```
pub fn sse_response(description: &str, events: impl IntoIterator<Item = SseEvent>) -> Response {
    let error = SseEvent::new(
        crate::spec::SSE_ERROR_EVENT,
        "The stream failed: the problem (a server error shows only its generic title and \
         the request id). It is the last event; the stream ends after it.",
        Ref::from_schema_name(PROBLEM_SCHEMA),
    );
    let one_of = events
        .into_iter()
        .chain([error])
        .fold(OneOfBuilder::new(), |one_of, event| {
            one_of.item(event.schema())
        })
        .description(Some("One event of the stream."));
    let mut response = Response::new(description);
    response.content.insert(
        EVENT_STREAM.to_owned(),
        RefOr::T(Content::new(Some(one_of))),
    );
    response
}
