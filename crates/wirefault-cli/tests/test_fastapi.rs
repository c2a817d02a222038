//! Real FastAPI apps under uvicorn, audited by the real binary.
//!
//! Needs `python3` with the packages of `tests/fastapi/requirements.txt`;
//! the tests fail (they do not skip) when they are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use fixtures::apps::{uvicorn_in, App};
use fixtures::{audit_ids, TRUSTED};

/// `uvicorn MODULE:app` from `tests/fastapi`.
fn start(module: &str) -> App {
    uvicorn_in(
        &format!("{}/tests/fastapi", env!("CARGO_MANIFEST_DIR")),
        module,
        &[],
    )
}

fn check(module: &str, path: &str, expected: &[&str]) {
    let server = start(module);
    let url = format!("http://127.0.0.1:{}{path}", server.port);
    let (code, ids, report) = audit_ids(&url, &["--origin", TRUSTED, "--ws", "/ws"]);
    let expected: std::collections::BTreeSet<String> =
        expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        ids,
        expected,
        "{module}: {}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(code, if expected.is_empty() { 0 } else { 1 }, "{module}");
}

#[test]
fn correct_fastapi_app_has_no_finding() {
    check("correct", "/", &[]);
}

/// Starlette reflects any origin, with credentials, for `["*"]` + credentials.
#[test]
fn cors_wildcard_with_credentials_reflects_any_origin() {
    check("cors_wildcard_credentials", "/", &["WF-CORS-002"]);
}

/// `raise HTTPException` after `accept()`: the connection is dropped (1006).
#[test]
fn http_exception_in_websocket_drops_the_connection() {
    check("ws_http_exception", "/", &["WF-WS-002"]);
}

/// `debug=True`: a text/plain traceback as the 500 body.
#[test]
fn debug_traceback_leaks_internals() {
    check("traceback_leak", "/report", &["WF-HTTP-007", "WF-HTTP-008"]);
}
