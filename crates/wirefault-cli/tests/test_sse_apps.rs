//! The Server-Sent Events sample apps: FastAPI with sse-starlette and
//! Express (real processes from `tests/apps`), and axum (served here, the
//! way axum's `sse` example writes it), each audited by the real binary with
//! `--sse`.
//!
//! Correct apps have no finding at warning or above; each planted mistake
//! is found by its rule and no other at warning or above.
//!
//! Needs `python3` with `tests/fastapi/requirements.txt` and
//! `tests/apps/python/sse_requirements.txt`, and `node` with the packages of
//! `tests/apps/node/sse_apps` (`scripts/install-test-deps.sh`); the tests
//! fail, not skip, when they are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use fixtures::apps::{apps_dir, start, uvicorn, App};
use fixtures::audit_at_warning;
use futures_util::stream::{self, Stream, StreamExt as _};

const TOKEN: &str = "Authorization: Bearer secret";

/// Audits one SSE path with the token and a trusted origin; asserts the
/// rules found at warning or above and the exit code.
fn assert_sse(port: u16, path: &str, expected: &[&str]) -> serde_json::Value {
    let url = format!("http://127.0.0.1:{port}/");
    let args = [
        "--sse",
        path,
        "-H",
        TOKEN,
        "--origin",
        "https://app.example.com",
    ];
    let (ids, code, report) = audit_at_warning(&url, &args);
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(ids, expected, "{report:#}");
    assert_eq!(code, i32::from(!expected.is_empty()), "{report:#}");
    report
}

fn fastapi(module: &str) -> App {
    uvicorn(module, &[])
}

fn express(script: &str) -> App {
    start(&apps_dir("node/sse_apps"), "node", &[script, "{port}"], &[])
}

#[test]
fn fastapi_feed_that_refuses_before_the_stream_is_clean() {
    let app = fastapi("sse_fastapi_feed");
    let report = assert_sse(app.port, "/prices", &[]);
    // Three stream probes and the CORS probes went to the path.
    assert!(report["requests"].as_u64().unwrap() >= 3, "{report:#}");
}

#[test]
fn fastapi_error_event_for_a_missing_token_is_found() {
    let app = fastapi("sse_fastapi_error_event");
    assert_sse(app.port, "/notifications", &["WF-SSE-002"]);
}

#[test]
fn fastapi_resume_that_raises_inside_the_stream_is_a_silent_drop() {
    let app = fastapi("sse_fastapi_resume_crash");
    assert_sse(app.port, "/log", &["WF-SSE-004"]);
}

#[test]
fn fastapi_traceback_in_an_event_is_found() {
    let app = fastapi("sse_fastapi_leaky_error");
    assert_sse(app.port, "/jobs/progress", &["WF-SSE-003"]);
}

#[test]
fn express_feed_is_clean() {
    let app = express("sse_express_feed.js");
    assert_sse(app.port, "/events", &[]);
}

#[test]
fn express_error_event_and_reflected_origin_are_found() {
    let app = express("sse_express_error_event.js");
    assert_sse(app.port, "/events", &["WF-SSE-002", "WF-CORS-002"]);
}

/// Serves `router`, with a problem+json 404 for other paths, on a free
/// loopback port from a runtime of its own.
fn serve(router: Router) -> SocketAddr {
    let router = router.fallback(|| async {
        (
            StatusCode::NOT_FOUND,
            [("content-type", "application/problem+json")],
            r#"{"type":"about:blank","title":"Not Found","status":404}"#,
        )
    });
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    addr
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .is_some_and(|v| v == "Bearer secret")
}

/// Ticks from `start`, one every 200 ms, forever.
fn ticks(start: u64) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(start, |n| async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        Some((
            Ok(Event::default().id(n.to_string()).data(n.to_string())),
            n + 1,
        ))
    })
}

/// axum's `sse` example with the checks before the stream: 401 without the
/// token, 400 for a Last-Event-ID that is not a number.
async fn axum_feed(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [("www-authenticate", "Bearer")],
            "invalid token",
        )
            .into_response();
    }
    let start = match headers.get("last-event-id").map(|v| v.to_str()) {
        None => 0,
        Some(Ok(id)) => match id.parse::<u64>() {
            Ok(id) => id + 1,
            Err(_) => return (StatusCode::BAD_REQUEST, "bad Last-Event-ID").into_response(),
        },
        Some(Err(_)) => return (StatusCode::BAD_REQUEST, "bad Last-Event-ID").into_response(),
    };
    Sse::new(ticks(start))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The same feed resuming inside the stream: a Last-Event-ID that is not a
/// number ends the stream with an `Err` item, which axum turns into a
/// broken body, with no event saying why.
async fn axum_resume_err(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return (StatusCode::UNAUTHORIZED, [("www-authenticate", "Bearer")]).into_response();
    }
    let last = headers
        .get("last-event-id")
        .map(|v| v.to_str().unwrap_or_default().to_owned());
    let hello = stream::once(async { Ok::<_, std::io::Error>(Event::default().data("hello")) });
    let rest = stream::once(async move {
        // The store is read first.
        tokio::time::sleep(Duration::from_millis(100)).await;
        match last.map(|id| id.parse::<u64>()) {
            Some(Err(e)) => Err(std::io::Error::other(e)),
            _ => Ok(Event::default().data("0")),
        }
    })
    .chain(stream::pending());
    Sse::new(hello.chain(rest)).into_response()
}

/// A hand-rolled stream with the wrong media type.
async fn axum_plain_stream(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return (StatusCode::UNAUTHORIZED, [("www-authenticate", "Bearer")]).into_response();
    }
    let body =
        axum::body::Body::from_stream(ticks(0).map(|_| Ok::<_, Infallible>("data: tick\n\n")));
    ([("content-type", "text/plain")], body).into_response()
}

#[test]
fn axum_feed_is_clean() {
    let addr = serve(Router::new().route("/feed", get(axum_feed)));
    assert_sse(addr.port(), "/feed", &[]);
}

#[test]
fn axum_err_item_inside_the_stream_is_a_silent_drop() {
    let addr = serve(Router::new().route("/feed", get(axum_resume_err)));
    assert_sse(addr.port(), "/feed", &["WF-SSE-004"]);
}

#[test]
fn axum_stream_without_the_event_stream_type_is_found() {
    let addr = serve(Router::new().route("/feed", get(axum_plain_stream)));
    assert_sse(addr.port(), "/feed", &["WF-SSE-001"]);
}
