//! [`Json`]: a JSON body extractor whose failures are [`Fault`]s.

use crate::{from_json_slice, Fault};
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Reads a JSON request body into `T`, or answers with a problem:
/// 415 when the content type is not JSON or names a charset other than
/// UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is UTF-8), 400 when the body is not valid
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
        match json_media_type(req.headers()) {
            JsonType::Utf8 => {}
            JsonType::NotJson => {
                return Err(Fault::unsupported_media_type(
                    "expected a JSON body: send `Content-Type: application/json`",
                ))
            }
            JsonType::OtherCharset => {
                return Err(Fault::unsupported_media_type(
                    "JSON bodies must be UTF-8 (RFC 8259 §8.1): send no charset, or charset=utf-8",
                ))
            }
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

/// What the request's content type says about a JSON body.
#[derive(Debug, PartialEq, Eq)]
enum JsonType {
    /// `application/json` or `application/*+json`, UTF-8 (no charset, or
    /// `charset=utf-8`).
    Utf8,
    /// JSON with another charset.
    OtherCharset,
    /// Not JSON.
    NotJson,
}

/// Reads the content type: `application/json` or `application/*+json`,
/// and its `charset` parameter if any.
fn json_media_type(headers: &http::HeaderMap) -> JsonType {
    let Some(value) = headers.get(http::header::CONTENT_TYPE) else {
        return JsonType::NotJson;
    };
    let Ok(value) = value.to_str() else {
        return JsonType::NotJson;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or("").trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return JsonType::NotJson;
    };
    // Compared without allocating: this runs on every JSON request.
    let is_json = kind.eq_ignore_ascii_case("application")
        && (subtype.eq_ignore_ascii_case("json")
            || (subtype.len() > 5
                && subtype
                    .get(subtype.len() - 5..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case("+json"))));
    if !is_json {
        return JsonType::NotJson;
    }
    for parameter in parts {
        let Some((name, charset)) = parameter.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("charset") {
            continue;
        }
        let charset = charset.trim().trim_matches('"');
        if !charset.eq_ignore_ascii_case("utf-8") {
            return JsonType::OtherCharset;
        }
    }
    JsonType::Utf8
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::{json_media_type, JsonType};

    fn check(value: &str) -> bool {
        media_type(value) == JsonType::Utf8
    }

    fn media_type(value: &str) -> JsonType {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            value
                .parse()
                .unwrap_or_else(|_| http::HeaderValue::from_static("x")),
        );
        json_media_type(&headers)
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
            assert_eq!(media_type(no), JsonType::NotJson, "{no}");
        }
    }

    #[test]
    fn json_charsets() {
        for yes in [
            "application/json; charset=utf-8",
            "application/json;charset=\"UTF-8\"",
            "application/json; foo=bar",
        ] {
            assert_eq!(media_type(yes), JsonType::Utf8, "{yes}");
        }
        for other in [
            "application/json; charset=utf-16",
            "application/json; charset=iso-8859-1",
            "application/problem+json; Charset=UTF-32",
            "application/json; charset=",
        ] {
            assert_eq!(media_type(other), JsonType::OtherCharset, "{other}");
        }
    }
}
