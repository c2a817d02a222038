//! [`Json`]: a JSON body extractor whose failures are [`Fault`]s.

use crate::{from_json_slice, Fault};
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads a JSON request body into `T`, or answers with a problem:
/// 415 when the content type is not JSON, 400 when the body is not valid
/// JSON (with line and column), 422 when it has the wrong shape (with a
/// pointer to the field), 413 when it is over the body limit.
///
/// As a response, it serializes `T` like `axum::Json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Fault;

    async fn from_request(req: Request, state: &S) -> Result<Self, Fault> {
        if !is_json(req.headers()) {
            return Err(Fault::unsupported_media_type(
                "expected a JSON body: send `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            let detail = rejection.body_text();
            match crate::Kind::from_status(status) {
                Some(kind) if !kind.is_server_error() => Fault::new(kind).detail(detail),
                _ => Fault::bad_request(format!("the body could not be read: {detail}")),
            }
        })?;
        from_json_slice(&bytes).map(Json)
    }
}

/// Whether the content type is `application/json` or `application/*+json`.
fn is_json(headers: &http::HeaderMap) -> bool {
    let Some(value) = headers.get(http::header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    // Compared without allocating: this runs on every JSON request.
    kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || (subtype.len() > 5
                && subtype
                    .get(subtype.len() - 5..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case("+json"))))
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    fn check(value: &str) -> bool {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            value
                .parse()
                .unwrap_or_else(|_| http::HeaderValue::from_static("x")),
        );
        is_json(&headers)
    }

    #[test]
    fn json_media_types() {
        for yes in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/problem+json",
            "application/vnd.a+JSON",
        ] {
            assert!(check(yes), "{yes}");
        }
        for no in [
            "text/plain",
            "application/jsonx",
            "json",
            "application/",
            "text/json",
            "application/+jsonp",
            "é/json",
        ] {
            assert!(!check(no), "{no}");
        }
    }
}
