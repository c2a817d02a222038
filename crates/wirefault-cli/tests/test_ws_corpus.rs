//! The WebSocket corpus of issue 20: small apps on Python `websockets`,
//! FastAPI, Node `ws`, Go `gorilla/websocket`, axum and actix-ws, each
//! written the way its library's docs write one, each with one planted
//! mistake and a correct version (a flag or a sibling file), run as a real
//! server and audited by the real binary with the flags its user would
//! know. Each case states the rules expected at warning or above.
//!
//! Needs what `scripts/install-test-deps.sh` installs (Python packages,
//! `tests/apps/node/ws_apps`, Debian's Go and gorilla/websocket) and, for
//! the Rust apps, a build of `tests/apps/rust/ws_apps`; a missing piece
//! fails the test, it does not skip.
#![allow(clippy::unwrap_used)]

mod fixtures;

use fixtures::apps::{apps_dir, start, uvicorn, App};
use fixtures::assert_app_rules;

/// Audits the app; asserts the rules at warning or above; the report.
fn audit(app: &App, args: &[&str], expected: &[&str]) -> serde_json::Value {
    assert_app_rules(app.port, args, expected)
}

/// The findings of one rule.
fn findings<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// `websockets` is a WebSocket-only server: it answers every plain HTTP
/// request, on any path, with 426 and a text body. The HTTP rules judge
/// that (WF-HTTP-001, WF-HTTP-007); this corpus judges the WebSocket ones.
const WS_ONLY: [&str; 4] = ["--ignore", "WF-HTTP-001", "--ignore", "WF-HTTP-007"];

fn python(script: &str, extra: &[&str]) -> App {
    let mut args = vec![script, "{port}"];
    args.extend_from_slice(extra);
    start(&apps_dir("python"), "python3", &args, &[])
}

fn node(script: &str, extra: &[&str]) -> App {
    let mut args = vec![script, "{port}"];
    args.extend_from_slice(extra);
    start(&apps_dir("node/ws_apps"), "node", &args, &[])
}

/// A text echo that throws away messages over 64 KiB: silence where the
/// endpoint is known to answer text (the probe text was echoed), and the
/// echo goes on afterwards.
#[test]
fn websockets_echo_that_drops_oversized_messages_silently() {
    let app = python("ws_websockets_echo_limit.py", &[]);
    let args = [&["--ws", "/"][..], &WS_ONLY].concat();
    let report = audit(&app, &args, &["WF-WS-003"]);
    let silence = findings(&report, "WF-WS-003");
    let text = format!("{silence:?}");
    assert!(
        text.contains("65537-byte message vanished")
            && text.contains("1009")
            && text.contains("sent after it was answered"),
        "{report:#}"
    );
    let app = python("ws_websockets_echo_limit.py", &["--correct"]);
    audit(&app, &args, &[]);
}

/// A chat that greets each client once: a greeting, not a feed, so the
/// silence after a message that is not JSON is judged (the greeting is
/// JSON).
#[test]
fn websockets_greeting_chat_that_ignores_bad_json() {
    let app = python("ws_websockets_greeting_chat.py", &[]);
    let args = [&["--ws", "/"][..], &WS_ONLY].concat();
    let report = audit(&app, &args, &["WF-WS-003"]);
    assert!(
        !report["skipped"].to_string().contains("pushes"),
        "{report:#}"
    );
    let app = python("ws_websockets_greeting_chat.py", &["--correct"]);
    audit(&app, &args, &[]);
}

/// A join-first FastAPI chat whose `receive_text()` dies on binary, found
/// alone and after the join.
#[test]
fn fastapi_join_chat_drops_on_binary_after_the_join() {
    let app = uvicorn("ws_fastapi_join_chat", &[]);
    let report = audit(&app, &["--ws-message", "/chat=alice"], &["WF-WS-002"]);
    let drops = findings(&report, "WF-WS-002");
    assert!(
        drops.iter().all(|d| d["severity"] == "warning"),
        "{report:#}"
    );
    assert!(
        drops.iter().any(|d| {
            let body = d["request"]["body"].as_str().unwrap();
            body.contains("alice") && body.contains("then binary")
        }),
        "{report:#}"
    );
    let app = uvicorn("ws_fastapi_join_chat_correct", &[]);
    audit(&app, &["--ws-message", "/chat=alice"], &[]);
}

/// A Basic-authenticated socket that accepts any Origin: cached Basic
/// credentials are sent by the browser from any page, so it is an error.
#[test]
fn node_basic_auth_socket_accepting_foreign_origins() {
    let basic = "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==";
    let app = node("ws_node_basic_auth.js", &[]);
    let report = audit(&app, &["--ws", "/notes", "-H", basic], &["WF-WS-001"]);
    let foreign = findings(&report, "WF-WS-001");
    assert_eq!(foreign[0]["severity"], "error", "{report:#}");
    let context = foreign[0]["context"].as_str().unwrap();
    assert!(
        context.contains("Basic") && context.contains("refused without"),
        "{context}"
    );
    let app = node("ws_node_basic_auth.js", &["--check-origin"]);
    let report = audit(&app, &["--ws", "/notes", "-H", basic], &[]);
    assert!(findings(&report, "WF-WS-001").is_empty(), "{report:#}");
}

/// A token checked after the upgrade, refused with HTTP bytes written on
/// the upgraded socket: WF-WS-007 for a bogus token and for none.
#[test]
fn node_token_checked_after_the_upgrade() {
    let app = node("ws_node_token_after_upgrade.js", &[]);
    let report = audit(&app, &["--ws", "/live?token=s3cret"], &["WF-WS-007"]);
    let raw = findings(&report, "WF-WS-007");
    let text = format!("{raw:?}");
    assert!(
        text.contains("a bogus `token`") && text.contains("no `token`"),
        "{report:#}"
    );
    let app = node("ws_node_token_after_upgrade.js", &["--check-first"]);
    audit(&app, &["--ws", "/live?token=s3cret"], &[]);
}

/// A join-first chat that ignores bad JSON after the join: only bad input
/// sent after the join message reaches it.
#[test]
fn node_join_chat_ignores_bad_json_after_the_join() {
    let join = [
        "--ws-message",
        "/chat=alice",
        "--ws-message",
        r#"/chat={"text":"hi"}"#,
    ];
    let app = node("ws_node_join_chat.js", &[]);
    audit(&app, &["--ws", "/chat"], &[]);
    let report = audit(&app, &join, &["WF-WS-003"]);
    for silence in findings(&report, "WF-WS-003") {
        let body = silence["request"]["body"].as_str().unwrap();
        assert!(body.contains("alice; then"), "{silence:#}");
    }
    let app = node("ws_node_join_chat.js", &["--correct"]);
    audit(&app, &join, &[]);
}

/// Builds `tests/apps/go/ws_apps/NAME` with Debian's Go and gorilla
/// packages (GOPATH mode, offline) and starts it on a free port.
fn go(name: &str, extra: &[&str]) -> App {
    let dir = apps_dir(&format!("go/ws_apps/{name}"));
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("go");
    let bin = out.join(name);
    let status = std::process::Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(&dir)
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOCACHE", out.join("cache"))
        .status()
        .unwrap_or_else(|e| panic!("cannot run go (run scripts/install-test-deps.sh): {e}"));
    assert!(status.success(), "go build {name}: {status}");
    let mut args = vec!["-addr", "127.0.0.1:{port}"];
    args.extend_from_slice(extra);
    start(&dir, bin.to_str().unwrap(), &args, &[])
}

/// A gorilla echo whose close handler only logs: the client's close frame
/// is not answered, and TCP is dropped.
#[test]
fn gorilla_echo_that_drops_tcp_on_close() {
    let app = go("close_logger", &[]);
    let report = audit(&app, &["--ws", "/echo"], &["WF-WS-008"]);
    let closing = findings(&report, "WF-WS-008");
    assert!(
        closing[0]["observed"]
            .as_str()
            .unwrap()
            .contains("dropped the TCP connection"),
        "{report:#}"
    );
    let app = go("close_logger", &["-answer-close"]);
    audit(&app, &["--ws", "/echo"], &[]);
}
