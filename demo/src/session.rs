//! Cookie sessions: `POST /session` signs in, `DELETE /session` signs out.

use crate::model::User;
use crate::state::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::OptionalExtension;
use serde_json::Value;
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

/// Whether `user` is 1 to 32 of `[a-z0-9_]`.
fn valid_user(user: &str) -> bool {
    (1..=32).contains(&user.len())
        && user
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `POST /session {"user": "alice"}`: 201 and the session cookie.
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
        axum::Json(serde_json::json!({ "user": user })),
    )
        .into_response())
}

/// `DELETE /session`: 204, the session ends and the cookie is cleared.
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
}
