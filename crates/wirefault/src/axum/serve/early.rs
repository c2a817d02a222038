//! Refusals the server answers before the router, in problem+json with a
//! request id, for the limits hyper would otherwise enforce itself with an
//! empty body (see docs/DESIGN.md, "hyper's own error responses").
//!
//! hyper answers a request head over its header-count cap with a bare 431
//! written inside its connection state machine, with no hook. Its cap is
//! 100 fields unless set; set higher, hyper parses every head into two
//! heap arrays of that many entries (about 1 µs of CPU per request at
//! 400, BENCHMARKS.md). So the server leaves hyper's cap at 100 and
//! raises it only to a configured limit above 100; a configured limit
//! below 100 is enforced here, and heads between it and 100 fields get
//! problem+json. Heads beyond hyper's cap get hyper's bare answer.

use crate::axum::request_id::RequestIdRule;
use crate::axum::REQUEST_ID;
use crate::{Fault, Problem, PublicFault, PROBLEM_JSON};
use axum::body::Body;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{Request, Response};

/// hyper's header-count cap when it parses heads with none set.
pub(super) const HYPER_DEFAULT_MAX_HEADERS: usize = 100;

/// The header-count cap to set on hyper for a configured limit of
/// `max_headers`: none (hyper's own 100, parsed on the stack) unless the
/// limit is higher.
pub(super) fn hyper_max_headers(max_headers: usize) -> Option<usize> {
    (max_headers > HYPER_DEFAULT_MAX_HEADERS).then_some(max_headers)
}

/// The problem+json answer for a request with more than `max_headers`
/// header fields, if it has that many.
pub(super) fn too_many_headers<B>(
    request: &mut Request<B>,
    max_headers: usize,
) -> Option<Response<Body>> {
    let count = request.headers().len();
    if count <= max_headers {
        return None;
    }
    let fault = Fault::headers_too_large(format!(
        "the request has {count} header fields; at most {max_headers} are accepted"
    ));
    // The server's own id rule (the layer's may differ; it has not run).
    let id = RequestIdRule::default().assign(request.headers_mut());
    Some(render(&fault, id))
}

fn render(fault: &Fault, id: HeaderValue) -> Response<Body> {
    let body = Problem::render_public(PublicFault::logged(fault, id.to_str().ok()));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = fault.status();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.insert(REQUEST_ID, id);
    fault.write_headers(headers);
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(headers: usize, id: Option<&'static str>) -> Request<()> {
        let mut builder = Request::builder();
        for i in 0..headers {
            builder = builder.header(format!("x-h{i}"), "v");
        }
        if let Some(id) = id {
            builder = builder.header("x-request-id", id);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn hypers_cap_is_set_only_above_its_default() {
        assert_eq!(hyper_max_headers(50), None);
        assert_eq!(hyper_max_headers(100), None);
        assert_eq!(hyper_max_headers(101), Some(101));
    }

    #[test]
    fn at_the_limit_passes_over_it_is_431_problem_json() {
        assert!(too_many_headers(&mut request(100, None), 100).is_none());
        let response = too_many_headers(&mut request(101, None), 100).unwrap();
        assert_eq!(response.status(), 431);
        assert_eq!(response.headers()[CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(response.headers()[REQUEST_ID].len(), 36);
    }

    #[test]
    fn a_valid_client_id_is_kept_an_invalid_one_replaced() {
        let response = too_many_headers(&mut request(100, Some("abc-1")), 50).unwrap();
        assert_eq!(response.headers()[REQUEST_ID], "abc-1");
        let response = too_many_headers(&mut request(100, Some("a b")), 50).unwrap();
        assert_ne!(response.headers()[REQUEST_ID], "a b");
    }
}
