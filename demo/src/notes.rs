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
pub const RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static(RATE_LIMIT_REMAINING_NAME);
/// [`RATE_LIMIT_REMAINING`]'s name, also the gRPC metadata key.
pub const RATE_LIMIT_REMAINING_NAME: &str = "x-ratelimit-remaining";

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

/// Checks a JSON note's fields: one error per bad field.
pub fn validate(input: &Value) -> Result<(String, String), Fault> {
    let Some(object) = input.as_object() else {
        return Err(Fault::unprocessable().field("", "the body must be a JSON object"));
    };
    let title = match object.get("title") {
        Some(Value::String(t)) => Ok(t.as_str()),
        Some(_) => Err("must be a string"),
        None => Err("is required"),
    };
    let body = match object.get("body") {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(b)) => Ok(b.as_str()),
        Some(_) => Err("must be a string"),
    };
    check_fields(title, body)
}

/// Checks a note's title and body, already read as strings or refused
/// with a reason (a JSON title that is not a string): one error per bad
/// field. The rules of every wire.
pub fn check_fields(
    title: Result<&str, &'static str>,
    body: Result<&str, &'static str>,
) -> Result<(String, String), Fault> {
    let too_long = |max: usize| format!("must be at most {max} characters");
    let title = title
        .map_err(String::from)
        .and_then(|t| match t.chars().count() {
            0 => Err("must not be empty".to_owned()),
            n if n > MAX_TITLE_CHARS => Err(too_long(MAX_TITLE_CHARS)),
            _ => Ok(t),
        });
    let body = body.map_err(String::from).and_then(|b| {
        if b.chars().count() > MAX_BODY_CHARS {
            Err(too_long(MAX_BODY_CHARS))
        } else {
            Ok(b)
        }
    });
    match (title, body) {
        (Ok(title), Ok(body)) => Ok((title.to_owned(), body.to_owned())),
        (title, body) => {
            let mut fault = Fault::unprocessable();
            if let Err(reason) = title {
                fault = fault.field("/title", reason);
            }
            if let Err(reason) = body {
                fault = fault.field("/body", reason);
            }
            Err(fault)
        }
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
    insert_note(state, owner, title, body, origin).await
}

/// Stores a checked note for `owner` (see [`check_fields`]), then
/// announces it. A title `owner` already used is a 409 `TITLE_TAKEN`.
pub async fn insert_note(
    state: &AppState,
    owner: &str,
    title: String,
    body: String,
    origin: Option<u64>,
) -> Result<Note, Fault> {
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

/// Every note, oldest first.
pub async fn list_notes(state: &AppState) -> Result<Vec<Note>, Fault> {
    state
        .db
        .call(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM notes ORDER BY id"))?;
            let rows = stmt.query_map([], Note::from_row)?;
            rows.collect::<Result<Vec<_>, _>>()
        })
        .await
}

/// Runs a write within `user`'s budget: a write refused after the check
/// is given back. Also returns how many writes are left, success or not.
pub async fn within_budget<T, F>(state: &AppState, user: &User, write: F) -> (u32, Result<T, Fault>)
where
    F: std::future::Future<Output = Result<T, Fault>>,
{
    let remaining = match state.limiter.check(&user.token) {
        Ok(remaining) => remaining,
        Err(fault) => return (0, Err(fault)),
    };
    match write.await {
        Ok(value) => (remaining, Ok(value)),
        Err(fault) => {
            state.limiter.refund(&user.token);
            (state.limiter.remaining(&user.token), Err(fault))
        }
    }
}

fn remaining_header(remaining: u32) -> [(HeaderName, HeaderValue); 1] {
    [(RATE_LIMIT_REMAINING, HeaderValue::from(remaining))]
}

/// [`within_budget`] for HTTP: the answer, success or not, says how many
/// writes are left (`x-ratelimit-remaining`).
async fn budgeted<F>(state: &AppState, user: &User, write: F) -> Response
where
    F: std::future::Future<Output = Result<Response, Fault>>,
{
    let (remaining, result) = within_budget(state, user, write).await;
    (remaining_header(remaining), result).into_response()
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
    list_notes(&state).await.map(Json)
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

/// The note `id`, or a 404.
pub async fn find(state: &AppState, id: i64) -> Result<Note, Fault> {
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
        delete_note(&state, &user, id).await?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}

/// Deletes note `id` if `user` owns it (else a 403), then announces it.
pub async fn delete_note(state: &AppState, user: &User, id: i64) -> Result<(), Fault> {
    let note = find(state, id).await?;
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
    Ok(())
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
