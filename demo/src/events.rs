//! Server-Sent Events: `GET /events` streams note events to a signed-in
//! user; `GET /debug/events-fail` (with `--fault-routes`) shows how a
//! failure in the middle of a stream reaches the client.

use crate::model::{NoteEvent, User};
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::Event;
use futures_util::{stream, StreamExt};
use wirefault::axum::ws::broadcast_events;
use wirefault::axum::FaultSse;
use wirefault::Fault;

/// `GET /events`: `event: created` with the note as data, `event: deleted`
/// with `{"id", "owner"}`, for every note of every user (any signed-in
/// user can read any note).
///
/// Without a session: 401 before the stream. A client that falls so far
/// behind that events were dropped gets `event: error` (503) and the end
/// of the stream, so it reconnects and reloads instead of silently missing
/// notes. The stream ends on graceful shutdown.
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
