//! `IntoResponse` for [`Fault`]: problem+json with the headers its kind needs.

use super::request_id::RequestId;
use crate::{Fault, Problem, PROBLEM_JSON};
use axum::response::{IntoResponse, Response};
use http::header::{HeaderValue, CONTENT_TYPE};

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let body = RequestId::with_current(|request_id| {
            log_fault(&self, request_id);
            Problem::render(&self, request_id)
        });
        let mut response = (self.status(), body).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        for (name, value) in self.http_headers() {
            if let Some(name) = name {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// Logs a fault where it is rendered: a server error at error level with
/// its whole source chain (inside [`ProblemLayer`](super::ProblemLayer)'s
/// span, so with the request id); a client error at debug level.
pub(crate) fn log_fault(fault: &Fault, request_id: Option<&str>) {
    let request_id = request_id.unwrap_or("-");
    if fault.is_server_error() {
        tracing::error!(request_id, kind = %fault.kind(), error = %fault.report(), "server error");
    } else {
        tracing::debug!(request_id, kind = %fault.kind(), error = %fault.report(), "client error");
    }
}
