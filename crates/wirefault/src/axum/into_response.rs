//! `IntoResponse` for [`Fault`]: problem+json with the headers its kind needs.

use super::request_id::RequestId;
use crate::{Fault, Problem, PublicFault, PROBLEM_JSON};
use axum::response::{IntoResponse, Response};
use http::header::{HeaderValue, CONTENT_TYPE};

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let body = RequestId::with_current(|request_id| {
            Problem::render_public(PublicFault::logged(&self, request_id))
        });
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        self.write_headers(headers);
        response
    }
}
