//! Notes: list, create, read, delete.

use crate::db::is_unique_violation;
use crate::model::{Note, NoteEvent, User};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::OptionalExtension;
use serde_json::Value;
use std::error::Error as _;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use wirefault::axum::Json;
use wirefault::Fault;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest body, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;
/// The header that tells how many writes are left.
pub const RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

const COLUMNS: &str = "id, owner, title, body, created_at";

/// The body `POST /notes` reads (documentation; [`validate`] checks it):
/// `title` 1 to [`MAX_TITLE_CHARS`] characters, `body` at most
/// [`MAX_BODY_CHARS`], optional, and `null` counts as absent (a client
/// that writes an empty optional field as `null` is understood).
#[derive(Debug)]
pub struct NewNote;

impl utoipa::PartialSchema for NewNote {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "title",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(MAX_TITLE_CHARS)),
            )
            .required("title")
            .property(
                "body",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .max_length(Some(MAX_BODY_CHARS))
                    .description(Some("Default empty; `null` counts as absent.")),
            )
            .into()
    }
}

impl utoipa::ToSchema for NewNote {}

wirefault::fault_responses! {
    /// How reading notes fails besides the layers' answers.
    pub struct ReadFaults = [Unauthenticated];
}

wirefault::fault_responses! {
    /// How creating a note fails besides the layers' answers.
    pub struct CreateFaults = [Unauthenticated, Unprocessable, Conflict, RateLimited];
}

wirefault::fault_responses! {
    /// How deleting a note fails besides the layers' answers.
    pub struct DeleteFaults = [Unauthenticated, PermissionDenied, RateLimited];
}

/// Checks a note's fields: one error per bad field.
pub fn validate(input: &Value) -> Result<(String, String), Fault> {
    let Some(object) = input.as_object() else {
        return Err(Fault::unprocessable().field("", "the body must be a JSON object"));
    };
    let mut fault = Fault::unprocessable();
    let mut bad = false;
    let title = match object.get("title") {
        Some(Value::String(t)) if t.chars().count() > MAX_TITLE_CHARS => {
            bad = true;
            fault = fault.field(
                "/title",
                format!("must be at most {MAX_TITLE_CHARS} characters"),
            );
            String::new()
        }
        Some(Value::String(t)) if t.is_empty() => {
            bad = true;
            fault = fault.field("/title", "must not be empty");
            String::new()
        }
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            bad = true;
            fault = fault.field("/title", "must be a string");
            String::new()
        }
        None => {
            bad = true;
            fault = fault.field("/title", "is required");
            String::new()
        }
    };
    let body = match object.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(b)) if b.chars().count() > MAX_BODY_CHARS => {
            bad = true;
            fault = fault.field(
                "/body",
                format!("must be at most {MAX_BODY_CHARS} characters"),
            );
            String::new()
        }
        Some(Value::String(b)) => b.clone(),
        Some(_) => {
            bad = true;
            fault = fault.field("/body", "must be a string");
            String::new()
        }
    };
    if bad {
        Err(fault)
    } else {
        Ok((title, body))
    }
}

/// Validates and stores a note for `owner`, then announces it. `origin` is
/// the WebSocket session that asked, if any.
pub async fn create_note(
    state: &AppState,
    owner: &str,
    input: &Value,
    origin: Option<u64>,
) -> Result<Note, Fault> {
    let (title, body) = validate(input)?;
    let owner_ = owner.to_owned();
    let title_ = title.clone();
    let note = state
        .db
        .call(move |c| {
            c.query_row(
                &format!("INSERT INTO notes (owner, title, body) VALUES (?1, ?2, ?3) RETURNING {COLUMNS}"),
                [owner_, title_, body],
                Note::from_row,
            )
        })
        .await
        .map_err(|fault| match fault.source().and_then(|s| s.downcast_ref::<rusqlite::Error>()) {
            Some(err) if is_unique_violation(err) => Fault::conflict(format!("you already have a note titled {title:?}"))
                .reason("TITLE_TAKEN")
                .field("/title", "must be unique among your notes"),
            _ => fault,
        })?;
    // No subscriber is fine: nobody is listening.
    let _ = state.events.send(NoteEvent::Created {
        note: note.clone(),
        origin,
    });
    Ok(note)
}

fn remaining_header(remaining: u32) -> [(HeaderName, HeaderValue); 1] {
    [(RATE_LIMIT_REMAINING, HeaderValue::from(remaining))]
}

/// Runs a write within `user`'s budget: a refused write is given back, and
/// the answer, success or not, says how many writes are left.
async fn budgeted<F>(state: &AppState, user: &User, write: F) -> Response
where
    F: std::future::Future<Output = Result<Response, Fault>>,
{
    let remaining = match state.limiter.check(&user.token) {
        Ok(remaining) => remaining,
        Err(fault) => return (remaining_header(0), fault).into_response(),
    };
    match write.await {
        Ok(response) => (remaining_header(remaining), response).into_response(),
        Err(fault) => {
            state.limiter.refund(&user.token);
            let left = state.limiter.remaining(&user.token);
            (remaining_header(left), fault).into_response()
        }
    }
}

/// `GET /notes`.
#[utoipa::path(
    get,
    path = "/notes",
    tag = "notes",
    security(("session" = [])),
    responses((status = 200, description = "Every note, oldest first.", body = Vec<Note>), ReadFaults),
)]
pub async fn list(State(state): State<AppState>, _user: User) -> Result<Json<Vec<Note>>, Fault> {
    let notes = state
        .db
        .call(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM notes ORDER BY id"))?;
            let rows = stmt.query_map([], Note::from_row)?;
            rows.collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(notes))
}

/// `POST /notes`.
#[utoipa::path(
    post,
    path = "/notes",
    tag = "notes",
    security(("session" = [])),
    request_body = NewNote,
    responses(
        (status = 201, description = "Created.", body = Note, headers(
            ("location" = String, description = "`/notes/{id}`"),
            ("x-ratelimit-remaining" = u32, description = "Writes left in this session's budget."),
        )),
        CreateFaults,
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    user: User,
    Json(input): Json<Value>,
) -> Response {
    budgeted(&state, &user, async {
        let note = create_note(&state, &user.name, &input, None).await?;
        let location =
            HeaderValue::from_str(&format!("/notes/{}", note.id)).map_err(Fault::internal_from)?;
        Ok((
            StatusCode::CREATED,
            [(header::LOCATION, location)],
            Json(note),
        )
            .into_response())
    })
    .await
}

async fn find(state: &AppState, id: i64) -> Result<Note, Fault> {
    state
        .db
        .call(move |c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM notes WHERE id = ?1"),
                [id],
                Note::from_row,
            )
            .optional()
        })
        .await?
        .ok_or_else(|| Fault::not_found(format!("note {id} does not exist")))
}

/// `GET /notes/{id}`.
#[utoipa::path(
    get,
    path = "/notes/{id}",
    tag = "notes",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The note's id.")),
    responses((status = 200, description = "The note.", body = Note), ReadFaults),
)]
pub async fn read(
    State(state): State<AppState>,
    _user: User,
    Path(id): Path<i64>,
) -> Result<Json<Note>, Fault> {
    find(&state, id).await.map(Json)
}

/// `DELETE /notes/{id}`: only the owner may.
#[utoipa::path(
    delete,
    path = "/notes/{id}",
    tag = "notes",
    security(("session" = [])),
    params(("id" = i64, Path, description = "The note's id.")),
    responses(
        (status = 204, description = "Deleted.", headers(
            ("x-ratelimit-remaining" = u32, description = "Writes left in this session's budget."),
        )),
        DeleteFaults,
    ),
)]
pub async fn delete(State(state): State<AppState>, user: User, Path(id): Path<i64>) -> Response {
    budgeted(&state, &user, async {
        let note = find(&state, id).await?;
        if note.owner != user.name {
            return Err(Fault::permission_denied(format!(
                "note {id} belongs to another user; only its owner may delete it"
            )));
        }
        state
            .db
            .call(move |c| c.execute("DELETE FROM notes WHERE id = ?1", [id]))
            .await?;
        let _ = state.events.send(NoteEvent::Deleted {
            id,
            owner: note.owner,
        });
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_reports_every_field() {
        let f = validate(&json!({"title": "", "body": 5})).unwrap_err();
        let pointers: Vec<_> = f.errors().iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["#/title", "#/body"]);
        let f = validate(&json!({"body": "x".repeat(10_001)})).unwrap_err();
        assert_eq!(f.errors().len(), 2);
        assert!(
            validate(&json!({"title": "é".repeat(200)})).is_ok(),
            "limits count characters"
        );
        assert!(validate(&json!({"title": "a".repeat(201)})).is_err());
        assert!(validate(&json!([1])).is_err());
    }
}
