//! Server-Sent Events: `GET /events` streams note events to a signed-in
//! user; `GET /debug/events-fail` (with `--fault-routes`) shows how a
//! failure in the middle of a stream reaches the client.

use crate::model::{Note, NoteEvent, User};
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::Event;
use futures_util::{stream, StreamExt};
use std::collections::BTreeMap;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, PartialSchema, ToSchema};
use wirefault::axum::ws::broadcast_events;
use wirefault::axum::FaultSse;
use wirefault::openapi::{responses, sse_response, SseEvent};
use wirefault::{Fault, Kind};

/// The answers of `GET /events`: 401 before the stream, else the stream
/// of `created` / `deleted` events, ended by `error` when it fails.
#[derive(Debug)]
pub struct EventsResponses;

impl IntoResponses for EventsResponses {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let created = SseEvent::new(
            "created",
            "A note was created.",
            Ref::from_schema_name(Note::name()),
        );
        let deleted = SseEvent::new(
            "deleted",
            "A note was deleted.",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("id", i64::schema())
                .required("id")
                .property("owner", String::schema())
                .required("owner"),
        );
        let mut answers = responses(&[Kind::Unauthenticated]);
        let stream = sse_response(
            "Note events. A client that falls behind gets `error` (503) and the end.",
            [created, deleted],
        );
        answers.insert("200".into(), RefOr::T(stream));
        answers
    }
}

/// The answers of `GET /debug/events-fail`: `ping`, then `error` (500).
#[derive(Debug)]
pub struct EventsFailResponses;

impl IntoResponses for EventsFailResponses {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let ping = SseEvent::new(
            "ping",
            "Data `{}`.",
            ObjectBuilder::new().schema_type(Type::Object),
        );
        let stream = sse_response("`ping`, then `error` (a 500), then the end.", [ping]);
        BTreeMap::from([("200".into(), RefOr::T(stream))])
    }
}

/// `GET /events`: `event: created` with the note as data, `event: deleted`
/// with `{"id", "owner"}`, for every note of every user (any signed-in
/// user can read any note).
///
/// Without a session: 401 before the stream. A client that falls so far
/// behind that events were dropped gets `event: error` (503) and the end
/// of the stream, so it reconnects and reloads instead of silently missing
/// notes. The stream ends on graceful shutdown.
#[utoipa::path(
    get,
    path = "/events",
    tag = "notes",
    security(("session" = [])),
    responses(EventsResponses),
)]
pub async fn events(State(state): State<AppState>, _user: User) -> FaultSse {
    // The same lag handling as WebSocket sessions (`STREAM_LAGGED`, 503).
    let items =
        broadcast_events(state.events.subscribe()).map(|event| event.and_then(|e| render(&e)));
    // The tracker token lives in the closure, so as long as the stream:
    // `main` waits, bounded, until every stream has ended.
    let token = state.tasks.token();
    let items = items.inspect(move |_| {
        let _ = &token;
    });
    FaultSse::new(items).until(state.shutdown.clone().cancelled_owned())
}

/// The SSE event for a note event.
fn render(event: &NoteEvent) -> Result<Event, Fault> {
    let event = match event {
        NoteEvent::Created { note, .. } => Event::default().event("created").json_data(note),
        NoteEvent::Deleted { id, owner } => Event::default()
            .event("deleted")
            .json_data(serde_json::json!({ "id": id, "owner": owner })),
    };
    event.map_err(Fault::internal_from)
}

/// `GET /debug/events-fail` (no session needed): `event: ping` with `{}`,
/// then a server failure mid-stream: `event: error` with a 500 problem
/// (generic title, no internals), then the end of the stream.
#[utoipa::path(
    get,
    path = "/debug/events-fail",
    tag = "debug",
    responses(EventsFailResponses)
)]
pub async fn events_fail(State(state): State<AppState>) -> FaultSse {
    let items = stream::iter([
        Ok(Event::default().event("ping").data("{}")),
        Err(Fault::internal_from(std::io::Error::other(
            "debug: the event feed at /var/lib/wirefault/feed.sock broke",
        ))
        .detail("reading the event feed failed (debug route)")),
    ]);
    FaultSse::new(items).until(state.shutdown.clone().cancelled_owned())
}
