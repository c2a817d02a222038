//! `wirefault.demo.v1.Notes`: each method calls the function its HTTP
//! route calls (crate::notes) and turns the fault into a status once.

use super::{current_request_id, fail, pb, status};
use crate::model::{Note, NoteEvent, User};
use crate::notes::{self, RATE_LIMIT_REMAINING_NAME};
use crate::session::{session_user, unauthenticated};
use crate::state::AppState;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use tonic::metadata::MetadataValue;
use tonic::{Request, Response, Status};
use wirefault::axum::ws::broadcast_events;
use wirefault::Fault;

/// The signed-in user for the request's `cookie` metadata, as over HTTP.
async fn user<T>(state: &AppState, request: &Request<T>) -> Result<User, Status> {
    let headers = request.metadata().clone().into_headers();
    session_user(state, &headers)
        .await
        .map_err(fail)?
        .ok_or_else(|| fail(unauthenticated()))
}

/// `x-ratelimit-remaining`, as the HTTP answers carry it.
fn with_remaining<T>(result: Result<T, Fault>, remaining: u32) -> Result<Response<T>, Status> {
    let value = MetadataValue::from(remaining);
    match result {
        Ok(message) => {
            let mut response = Response::new(message);
            response
                .metadata_mut()
                .insert(RATE_LIMIT_REMAINING_NAME, value);
            Ok(response)
        }
        Err(fault) => {
            let mut status = fail(fault);
            status
                .metadata_mut()
                .insert(RATE_LIMIT_REMAINING_NAME, value);
            Err(status)
        }
    }
}

impl From<Note> for pb::Note {
    fn from(note: Note) -> pb::Note {
        pb::Note {
            id: note.id,
            owner: note.owner,
            title: note.title,
            body: note.body,
            created_at: note.created_at,
        }
    }
}

impl From<NoteEvent> for pb::NoteEvent {
    fn from(event: NoteEvent) -> pb::NoteEvent {
        let event = match event {
            NoteEvent::Created { note, .. } => pb::note_event::Event::Created(note.into()),
            NoteEvent::Deleted { id, owner } => {
                pb::note_event::Event::Deleted(pb::Deleted { id, owner })
            }
        };
        pb::NoteEvent { event: Some(event) }
    }
}

/// `wirefault.demo.v1.Notes`.
#[derive(Debug, Clone)]
pub struct NotesService {
    state: AppState,
}

impl NotesService {
    /// The service on the shared state.
    pub fn new(state: AppState) -> NotesService {
        NotesService { state }
    }
}

/// The stream `WatchNotes` answers with.
pub type NoteEvents = Pin<Box<dyn Stream<Item = Result<pb::NoteEvent, Status>> + Send>>;

#[tonic::async_trait]
impl pb::notes_server::Notes for NotesService {
    async fn create_note(
        &self,
        request: Request<pb::CreateNoteRequest>,
    ) -> Result<Response<pb::Note>, Status> {
        let user = user(&self.state, &request).await?;
        let input = request.into_inner();
        let (remaining, result) = notes::within_budget(&self.state, &user, async {
            let (title, body) = notes::check_fields(Ok(&input.title), Ok(&input.body))?;
            notes::insert_note(&self.state, &user.name, title, body, None).await
        })
        .await;
        with_remaining(result.map(pb::Note::from), remaining)
    }

    async fn get_note(
        &self,
        request: Request<pb::GetNoteRequest>,
    ) -> Result<Response<pb::Note>, Status> {
        user(&self.state, &request).await?;
        let note = notes::find(&self.state, request.get_ref().id)
            .await
            .map_err(fail)?;
        Ok(Response::new(note.into()))
    }

    async fn list_notes(
        &self,
        request: Request<pb::ListNotesRequest>,
    ) -> Result<Response<pb::ListNotesResponse>, Status> {
        user(&self.state, &request).await?;
        let notes = notes::list_notes(&self.state).await.map_err(fail)?;
        Ok(Response::new(pb::ListNotesResponse {
            notes: notes.into_iter().map(Into::into).collect(),
        }))
    }

    async fn delete_note(
        &self,
        request: Request<pb::DeleteNoteRequest>,
    ) -> Result<Response<pb::DeleteNoteResponse>, Status> {
        let user = user(&self.state, &request).await?;
        let id = request.get_ref().id;
        let (remaining, result) = notes::within_budget(&self.state, &user, async {
            notes::delete_note(&self.state, &user, id).await
        })
        .await;
        with_remaining(result.map(|()| pb::DeleteNoteResponse {}), remaining)
    }

    type WatchNotesStream = NoteEvents;

    async fn watch_notes(
        &self,
        request: Request<pb::WatchNotesRequest>,
    ) -> Result<Response<NoteEvents>, Status> {
        user(&self.state, &request).await?;
        // The stream is polled outside the request's context: keep its id.
        let request_id = current_request_id();
        // The tracker token lives as long as the stream: a shutdown waits,
        // bounded, until every stream has ended (as for SSE).
        let token = self.state.tasks.token();
        let events = broadcast_events(self.state.events.subscribe())
            .map(move |event| {
                let _ = &token;
                event
                    .map(pb::NoteEvent::from)
                    .map_err(|fault| status(&fault, request_id.as_deref()))
            })
            .take_until(self.state.shutdown.clone().cancelled_owned());
        Ok(Response::new(Box::pin(events)))
    }
}
