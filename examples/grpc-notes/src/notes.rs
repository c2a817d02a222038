//! The notes service: in memory, with the failures a real one has.

use crate::pb::{self, notes_server::Notes};
use crate::{request_id, FAULTS};
use std::sync::Mutex;
use std::time::Duration;
use tonic::{Request, Response, Status};
use wirefault::Fault;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;

/// The notes service, holding its notes in memory.
#[derive(Debug, Default)]
pub struct NotesService {
    notes: Mutex<Vec<pb::Note>>,
}

impl NotesService {
    fn create(&self, input: pb::CreateNoteRequest) -> Result<pb::Note, Fault> {
        let mut invalid = Fault::unprocessable();
        let title_chars = input.title.chars().count();
        if input.title.trim().is_empty() {
            invalid = invalid.field("/title", "must not be empty");
        } else if title_chars > MAX_TITLE_CHARS {
            invalid = invalid.field(
                "/title",
                format!("must be at most {MAX_TITLE_CHARS} characters, not {title_chars}"),
            );
        }
        let body_chars = input.body.chars().count();
        if body_chars > MAX_BODY_CHARS {
            invalid = invalid.field(
                "/body",
                format!("must be at most {MAX_BODY_CHARS} characters, not {body_chars}"),
            );
        }
        if !invalid.errors().is_empty() {
            return Err(invalid);
        }

        let mut notes = self.notes()?;
        if notes.iter().any(|n| n.title == input.title) {
            return Err(
                Fault::conflict(format!("a note titled {:?} exists", input.title))
                    .reason("TITLE_TAKEN")
                    .field("/title", "must be unique"),
            );
        }
        let note = pb::Note {
            id: i64::try_from(notes.len()).unwrap_or(i64::MAX - 1) + 1,
            title: input.title,
            body: input.body,
        };
        notes.push(note.clone());
        Ok(note)
    }

    fn get(&self, id: i64) -> Result<pb::Note, Fault> {
        self.notes()?
            .iter()
            .find(|n| n.id == id)
            .cloned()
            .ok_or_else(|| Fault::not_found(format!("note {id} does not exist")))
    }

    fn fail(&self, kind: &str) -> Result<pb::FailReply, Fault> {
        Err(match kind {
            "internal" => Fault::internal_from(std::io::Error::other(
                "connection to db at 10.1.2.3:5432 refused: password authentication failed",
            ))
            .detail("SELECT * FROM notes failed"),
            "unavailable" => {
                Fault::unavailable(Duration::from_secs(30)).detail("maintenance window until 03:00")
            }
            "rate_limited" => Fault::rate_limited(Duration::from_secs(2)),
            other => {
                let shown: String = other.chars().take(64).collect();
                Fault::bad_request(format!("unknown failure kind {shown:?}"))
                    .field("/kind", "must be internal, unavailable or rate_limited")
            }
        })
    }

    fn notes(&self) -> Result<std::sync::MutexGuard<'_, Vec<pb::Note>>, Fault> {
        self.notes
            .lock()
            .map_err(|_| Fault::internal().detail("the notes lock is poisoned"))
    }
}

#[tonic::async_trait]
impl Notes for NotesService {
    async fn create_note(
        &self,
        request: Request<pb::CreateNoteRequest>,
    ) -> Result<Response<pb::Note>, Status> {
        let id = request_id(&request);
        self.create(request.into_inner())
            .map(Response::new)
            .map_err(|fault| FAULTS.status(&fault, Some(&id)))
    }

    async fn get_note(
        &self,
        request: Request<pb::GetNoteRequest>,
    ) -> Result<Response<pb::Note>, Status> {
        let id = request_id(&request);
        self.get(request.get_ref().id)
            .map(Response::new)
            .map_err(|fault| FAULTS.status(&fault, Some(&id)))
    }

    async fn fail(
        &self,
        request: Request<pb::FailRequest>,
    ) -> Result<Response<pb::FailReply>, Status> {
        let id = request_id(&request);
        self.fail(&request.get_ref().kind)
            .map(Response::new)
            .map_err(|fault| FAULTS.status(&fault, Some(&id)))
    }
}
