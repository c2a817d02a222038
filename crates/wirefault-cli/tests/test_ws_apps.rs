//! The WebSocket sample-app corpus: small FastAPI, Starlette, flask-sock and
//! Express + ws apps written the way their docs write them, each run as a
//! real server and audited by the real binary.
//!
//! Correct apps have no finding at warning or above; each planted mistake
//! is found by its rule and no other at warning or above, and the ones that
//! hide behind a valid message only with `--ws-message`. (FastAPI's
//! `raise HTTPException` after `accept()` is in `test_fastapi.rs`.)
//!
//! Needs `python3` with `tests/fastapi/requirements.txt` and
//! `tests/apps/python/ws_requirements.txt`, and `node` with the packages of
//! `tests/apps/node/ws_apps` (`scripts/install-test-deps.sh`); the tests
//! fail, not skip, when they are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::collections::BTreeSet;

use fixtures::apps::{apps_dir, start, uvicorn, App};
use fixtures::{assert_app_rules, audit_at_warning};

/// Audits the app; asserts the rules at warning or above; the report.
fn assert_ws(app: &App, args: &[&str], expected: &[&str]) -> serde_json::Value {
    assert_app_rules(app.port, args, expected)
}

/// Asserts that every WF-WS-002 in the report is a warning about the
/// binary message: a `receive_text()` handler that dies on binary frames
/// (FastAPI raises `KeyError('text')`, uvicorn drops TCP). The fix is a
/// 1003 close (issue 20: RFC 6455 §7.4.1).
fn only_the_binary_drop(report: &serde_json::Value) {
    let drops: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "WF-WS-002")
        .collect();
    assert!(!drops.is_empty(), "{report:#}");
    for drop in drops {
        assert_eq!(drop["severity"], "warning", "{drop:#}");
        assert!(
            drop["request"]["body"].as_str().unwrap().contains("binary"),
            "{drop:#}"
        );
    }
}

/// FastAPI's tutorial echo: correct for text, but `receive_text()` dies on
/// a binary frame (a drop, a warning whose fix is 1003).
#[test]
fn fastapi_echo_drops_on_binary() {
    let app = uvicorn("ws_fastapi_echo", &[]);
    let report = assert_ws(&app, &["--ws", "/ws"], &["WF-WS-002"]);
    only_the_binary_drop(&report);
    // Anonymous: the foreign origin is worth knowing, not a failure.
    let foreign = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "WF-WS-001")
        .unwrap();
    assert_eq!(foreign["severity"], "info");
    assert!(foreign["context"].as_str().unwrap().contains("anonymous"));
}

/// A chat broadcasts to every client: sessions run one at a time, so two
/// audits of one process find the same rules (including at info). Its
/// `receive_text()` dies on a binary frame (the last session).
#[test]
fn fastapi_plain_text_chat_drops_on_binary_and_audits_the_same_twice() {
    let app = uvicorn("ws_fastapi_chat", &[]);
    let every = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["rule"].to_string(), f["severity"].to_string()))
            .collect()
    };
    let first = assert_ws(&app, &["--ws", "/ws/1"], &["WF-WS-002"]);
    only_the_binary_drop(&first);
    let second = assert_ws(&app, &["--ws", "/ws/1"], &["WF-WS-002"]);
    // The first audit's binary message left a dead client in the chat's
    // list (only `WebSocketDisconnect` removes one), so in the second every
    // broadcast fails too: the same rules, and now also at error.
    let rules = |report: &serde_json::Value| -> BTreeSet<String> {
        every(report).into_iter().map(|(rule, _)| rule).collect()
    };
    assert_eq!(rules(&first), rules(&second), "{first:#}\n{second:#}");
}

#[test]
fn push_only_clock_is_clean_and_says_what_it_did_not_judge() {
    let app = uvicorn("ws_fastapi_clock", &[]);
    let report = assert_ws(&app, &["--ws", "/clock"], &[]);
    let skipped = report["skipped"].to_string();
    assert!(skipped.contains("pushes"), "{report:#}");
}

#[test]
fn fast_pusher_that_closes_with_1007_is_clean() {
    let app = uvicorn("ws_fastapi_fast_pusher", &[]);
    assert_ws(&app, &["--ws", "/feed"], &[]);
    assert_ws(
        &app,
        &["--ws-message", r#"/feed={"subscribe":"ticks"}"#],
        &[],
    );
}

#[test]
fn starlette_json_endpoint_is_clean() {
    let app = uvicorn("ws_starlette_json", &[]);
    assert_ws(&app, &["--ws", "/ws"], &[]);
    assert_ws(&app, &["--ws-message", r#"/ws={"op":"ping","n":1}"#], &[]);
}

fn node(script: &str) -> App {
    start(&apps_dir("node/ws_apps"), "node", &[script, "{port}"], &[])
}

/// flask-sock's echo on Werkzeug: its messages are right, but when the
/// client closes, Werkzeug writes `HTTP/1.1 200 OK` on the upgraded
/// connection, racing the close frame's answer (flask-sock#20 and #70, both
/// labelled bugs: browsers fail with "Invalid frame header"). When the HTTP
/// bytes come first it is WF-WS-008; when the close frame wins, nothing.
#[test]
fn flask_sock_echo_is_clean_unless_http_beats_the_close_answer() {
    let app = start(
        &apps_dir("python"),
        "python3",
        &["ws_flask_sock_echo.py", "{port}"],
        &[],
    );
    let url = format!("http://127.0.0.1:{}/", app.port);
    let (ids, _, report) = audit_at_warning(&url, &["--ws", "/echo"]);
    if !ids.is_empty() {
        assert_eq!(ids, BTreeSet::from(["WF-WS-008".to_owned()]), "{report:#}");
        assert!(
            report["findings"].to_string().contains("HTTP/1.1 200 OK"),
            "{report:#}"
        );
    }
}

#[test]
fn express_ws_echo_is_clean() {
    let app = node("ws_express_echo.js");
    assert_ws(&app, &["--ws", "/echo"], &[]);
}

/// An SQL error in the close reason, only for a field with a quote: found
/// with a sample message, and not without one.
#[test]
fn sql_error_in_close_reason_needs_a_sample() {
    let app = uvicorn("ws_fastapi_sql_reason", &[]);
    assert_ws(&app, &["--ws", "/quotes"], &[]);
    let report = assert_ws(
        &app,
        &["--ws-message", r#"/quotes={"symbol":"ACME"}"#],
        &["WF-WS-006"],
    );
    assert!(report.to_string().contains("syntax error"), "{report:#}");
}

/// A drop when a field is missing: found with a sample message only.
#[test]
fn drop_on_missing_field_needs_a_sample() {
    let app = uvicorn("ws_fastapi_drop_missing", &[]);
    let report = assert_ws(&app, &["--ws", "/orders"], &["WF-WS-002"]);
    only_the_binary_drop(&report);
    let report = assert_ws(
        &app,
        &["--ws-message", r#"/orders={"symbol":"ACME","qty":3}"#],
        &["WF-WS-002"],
    );
    assert!(report.to_string().contains("removed"), "{report:#}");
}

/// `ws.terminate()` on a message that is not JSON.
#[test]
fn express_terminate_is_a_drop() {
    let app = node("ws_express_terminate.js");
    assert_ws(
        &app,
        &["--ws-message", r#"/ws={"op":"ping"}"#],
        &["WF-WS-002"],
    );
}

/// A `ws` server without an `error` listener: the oversized message (over
/// its `maxPayload` of 64 KiB) is closed with 1009, then the process exits. The next handshake fails, and
/// the session before it is reported; the sessions left are not run.
#[test]
fn node_ws_server_that_crashes_is_a_drop() {
    let app = node("ws_node_no_error_listener.js");
    let sample = r#"/live?token=t0k3n={"type":"subscribe","channel":"prices"}"#;
    let report = assert_ws(&app, &["--ws-message", sample], &["WF-WS-002"]);
    let drop = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "WF-WS-002")
        .unwrap();
    assert!(
        drop["observed"]
            .as_str()
            .unwrap()
            .contains("no more connections")
            && drop["request"]["body"]
                .as_str()
                .unwrap()
                .contains("65537 bytes"),
        "{report:#}"
    );
    assert!(
        report["skipped"].to_string().contains("not run"),
        "{report:#}"
    );
}

/// A socket that speaks only its subprotocol: without `--ws-protocol` the
/// handshake is refused and the report says which probes did not run; with
/// it, the sessions run, and the sample's variants get answers or closes.
#[test]
fn subprotocol_socket_needs_ws_protocol() {
    let app = uvicorn("ws_fastapi_subprotocol", &[]);
    let sample = r#"/notes={"title":"groceries","pinned":false}"#;
    let report = assert_ws(&app, &["--ws-message", sample], &[]);
    let skipped = report["skipped"].to_string();
    assert!(
        skipped.contains("refused") && skipped.contains("WF-WS-002"),
        "{report:#}"
    );
    let report = assert_ws(
        &app,
        &["--ws-message", sample, "--ws-protocol", "notes.v1"],
        &[],
    );
    assert!(
        !report["skipped"].to_string().contains("refused"),
        "{report:#}"
    );
    assert!(report["requests"].as_u64().unwrap() > 15, "{report:#}");
}

/// A socket that authenticates with the session cookie and accepts any
/// origin: an error given the cookie (refused without it, accepted with it
/// from a foreign origin), its context naming the cookie's SameSite=Lax from
/// the page's Set-Cookie; without the cookie its probes are reported as not
/// run.
#[test]
fn cookie_socket_accepting_any_origin_is_an_error() {
    let app = uvicorn("ws_fastapi_cookie_session", &[]);
    let report = assert_ws(
        &app,
        &["--ws", "/notifications", "--cookie", "session=s3cret"],
        &["WF-WS-001", "WF-WS-002"],
    );
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "WF-WS-001")
        .unwrap();
    assert_eq!(finding["severity"], "error");
    assert!(
        finding["context"]
            .as_str()
            .unwrap()
            .contains("refused without the cookie `session`"),
        "{finding:#}"
    );
    // The page at / set it SameSite=Lax: the context says what that limits.
    assert!(
        finding["context"].as_str().unwrap().contains(
            "`session` was set with SameSite=Lax: browsers do not send it on a cross-site \
             WebSocket handshake, so only same-site origins (sibling subdomains) can use it"
        ),
        "{finding:#}"
    );
    let report = assert_ws(&app, &["--ws", "/notifications"], &[]);
    assert!(
        report["skipped"].to_string().contains("refused"),
        "{report:#}"
    );
}
