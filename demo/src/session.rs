//! Cookie sessions: `POST /session` signs in, `DELETE /session` signs out.

use crate::model::User;
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::OptionalExtension;
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use wirefault::axum::Json;
use wirefault::Fault;

/// The session cookie's name.
pub const COOKIE: &str = "wf_session";

/// The session token from the `Cookie` header(s), if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|token| !token.is_empty() && token.len() <= 64)
}

/// The signed-in user for these request headers: `None` without a valid
/// session cookie.
pub async fn session_user(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, Fault> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    if let Some(name) = state.sessions.get(&token) {
        return Ok(Some(User { name, token }));
    }
    let key = token.clone();
    let name: Option<String> = state
        .db
        .call(move |c| {
            c.query_row("SELECT user FROM sessions WHERE token = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
        })
        .await?;
    Ok(name.map(|name| {
        state.sessions.insert(token.clone(), name.clone());
        User { name, token }
    }))
}

/// The 401 for a request without a session.
pub fn unauthenticated() -> Fault {
    Fault::unauthenticated(
        "sign in first: POST /session with {\"user\": \"name\"} sets the wf_session cookie",
    )
    .challenge(HeaderValue::from_static(
        "Cookie realm=\"wirefault-demo\", cookie-name=\"wf_session\"",
    ))
}

impl FromRequestParts<AppState> for User {
    type Rejection = Fault;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<User, Fault> {
        session_user(state, &parts.headers)
            .await?
            .ok_or_else(unauthenticated)
    }
}

/// What [`valid_user`] accepts, for the OpenAPI document.
pub const USER_PATTERN: &str = "^[a-z0-9_]{1,32}$";

/// The body `POST /session` reads: `{"user": "alice"}` (documentation;
/// [`sign_in`] checks it).
#[derive(Debug)]
pub struct SignIn;

impl utoipa::PartialSchema for SignIn {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "user",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(USER_PATTERN)),
            )
            .required("user")
            .into()
    }
}

impl utoipa::ToSchema for SignIn {}

/// The answer to a sign-in: `{"user": "alice"}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    /// Who is signed in.
    #[schema(pattern = "^[a-z0-9_]{1,32}$")]
    pub user: String,
}

wirefault::fault_responses! {
    /// How signing in fails besides the layers' answers: an invalid user.
    pub struct SignInFaults = [Unprocessable];
}

/// Whether `user` is 1 to 32 of `[a-z0-9_]`.
fn valid_user(user: &str) -> bool {
    (1..=32).contains(&user.len())
        && user
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `POST /session {"user": "alice"}`: 201 and the session cookie.
#[utoipa::path(
    post,
    path = "/session",
    tag = "session",
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in.", body = SignedIn,
            headers(("set-cookie" = String, description = "`wf_session=…; HttpOnly; SameSite=Lax; Path=/`"))),
        SignInFaults,
    ),
)]
pub async fn sign_in(
    State(state): State<AppState>,
    Json(input): Json<Value>,
) -> Result<Response, Fault> {
    let user = match input.get("user") {
        Some(Value::String(user)) if valid_user(user) => user.clone(),
        Some(Value::String(_)) => {
            return Err(Fault::unprocessable()
                .field("/user", "must be 1 to 32 characters of a-z, 0-9 and _"))
        }
        Some(_) => return Err(Fault::unprocessable().field("/user", "must be a string")),
        None if !input.is_object() => {
            return Err(Fault::unprocessable().field("", "the body must be a JSON object"))
        }
        None => return Err(Fault::unprocessable().field("/user", "is required")),
    };
    let token = uuid::Uuid::new_v4().simple().to_string();
    let (t, u) = (token.clone(), user.clone());
    state
        .db
        .call(move |c| c.execute("INSERT INTO sessions (token, user) VALUES (?1, ?2)", [t, u]))
        .await?;
    state.sessions.insert(token.clone(), user.clone());
    let cookie = format!("{COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/");
    let cookie = HeaderValue::from_str(&cookie).map_err(Fault::internal_from)?;
    Ok((
        StatusCode::CREATED,
        [(header::SET_COOKIE, cookie)],
        axum::Json(SignedIn { user }),
    )
        .into_response())
}

/// `DELETE /session`: 204, the session ends and the cookie is cleared.
#[utoipa::path(
    delete,
    path = "/session",
    tag = "session",
    responses(
        (status = 204, description = "Signed out (also without a session).",
            headers(("set-cookie" = String, description = "Clears `wf_session`."))),
    ),
)]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, Fault> {
    if let Some(token) = session_token(&headers) {
        state.sessions.remove(&token);
        state
            .db
            .call(move |c| c.execute("DELETE FROM sessions WHERE token = ?1", [token]))
            .await?;
    }
    let clear = HeaderValue::from_static("wf_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cookie_parsing() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; wf_session=abc ; b=2"),
        );
        assert_eq!(session_token(&h).as_deref(), Some("abc"));
        h.insert(header::COOKIE, HeaderValue::from_static("wf_session="));
        assert_eq!(session_token(&h), None);
    }

    #[test]
    fn user_names() {
        assert!(valid_user("alice_01"));
        for bad in ["", "Alice", "a-b", "é", &"a".repeat(33)] {
            assert!(!valid_user(bad), "{bad}");
        }
    }

    /// The documented pattern is the one `valid_user` checks.
    #[test]
    fn the_documented_pattern_is_the_check() {
        let schema = serde_json::to_value(<SignIn as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["properties"]["user"]["pattern"], USER_PATTERN);
        let signed_in =
            serde_json::to_value(<SignedIn as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(signed_in["properties"]["user"]["pattern"], USER_PATTERN);
        // USER_PATTERN is `^[a-z0-9_]{1,32}$`: the same set, byte by byte.
        for b in 0u8..=127 {
            let one = (b as char).to_string();
            let in_pattern = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
            assert_eq!(valid_user(&one), in_pattern, "{b}");
        }
        assert!(valid_user(&"a".repeat(32)) && !valid_user(&"a".repeat(33)));
    }
}
