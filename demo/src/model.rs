//! The service's model types: notes, note events and signed-in users,
//! shared by the HTTP, SSE and WebSocket handlers and the state.

use serde::Serialize;

/// A note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Note {
    /// Its id.
    pub id: i64,
    /// Who wrote it.
    pub owner: String,
    /// Its title, unique per owner.
    pub title: String,
    /// Its text.
    pub body: String,
    /// When it was written (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl Note {
    /// A note from a row of `COLUMNS` (id, owner, title, body, created_at).
    pub(crate) fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Note> {
        Ok(Note {
            id: row.get(0)?,
            owner: row.get(1)?,
            title: row.get(2)?,
            body: row.get(3)?,
            created_at: row.get(4)?,
        })
    }
}

/// What happened to a note, for SSE streams and WebSocket sessions.
#[derive(Debug, Clone)]
pub enum NoteEvent {
    /// A note was created; `origin` is the WebSocket session that created
    /// it (that session already got its answer), `None` for HTTP.
    Created {
        /// The new note.
        note: Note,
        /// The creating WebSocket session, if any.
        origin: Option<u64>,
    },
    /// A note was deleted.
    Deleted {
        /// Its id.
        id: i64,
        /// Its owner.
        owner: String,
    },
}

/// A signed-in user; extracting it answers 401 when there is none.
#[derive(Debug, Clone)]
pub struct User {
    /// The user name.
    pub name: String,
    /// The session token (the rate limit's key).
    pub token: String,
}
