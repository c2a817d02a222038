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

/// Audits the app with the planted mistake, expecting `expected`, then
/// its correct version, expecting nothing; returns the first report.
fn mistake_then_fix(
    mistake: App,
    fixed: impl FnOnce() -> App,
    args: &[&str],
    expected: &[&str],
) -> serde_json::Value {
    let report = audit(&mistake, args, expected);
    drop(mistake);
    audit(&fixed(), args, &[]);
    report
}

/// Asserts that the report's WF-WS-008 says TCP was dropped on close.
fn assert_dropped_on_close(report: &serde_json::Value) {
    let closing = findings(report, "WF-WS-008");
    assert!(
        closing[0]["observed"]
            .as_str()
            .unwrap()
            .contains("dropped the TCP connection"),
        "{report:#}"
    );
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

/// For apps that serve only a socket: their plain HTTP answers (the 426 of
/// `websockets` on every path, the empty 404 and 405 of bare axum and
/// actix-web routers) are the HTTP rules' to judge, in the HTTP corpus;
/// this corpus judges the WebSocket rules.
const WS_ONLY: [&str; 8] = [
    "--ignore",
    "WF-HTTP-001",
    "--ignore",
    "WF-HTTP-003",
    "--ignore",
    "WF-HTTP-006",
    "--ignore",
    "WF-HTTP-007",
];

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
    let args = [&["--ws", "/"][..], &WS_ONLY].concat();
    let report = mistake_then_fix(
        python("ws_websockets_echo_limit.py", &[]),
        || python("ws_websockets_echo_limit.py", &["--correct"]),
        &args,
        &["WF-WS-003"],
    );
    let silence = findings(&report, "WF-WS-003");
    let text = format!("{silence:?}");
    assert!(
        text.contains("65537-byte message vanished")
            && text.contains("1009")
            && text.contains("sent after it was answered"),
        "{report:#}"
    );
}

/// A chat that greets each client once: a greeting, not a feed, so the
/// silence after a message that is not JSON is judged (the greeting is
/// JSON).
#[test]
fn websockets_greeting_chat_that_ignores_bad_json() {
    let args = [&["--ws", "/"][..], &WS_ONLY].concat();
    let report = mistake_then_fix(
        python("ws_websockets_greeting_chat.py", &[]),
        || python("ws_websockets_greeting_chat.py", &["--correct"]),
        &args,
        &["WF-WS-003"],
    );
    assert!(
        !report["skipped"].to_string().contains("pushes"),
        "{report:#}"
    );
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
    let report = mistake_then_fix(
        node("ws_node_token_after_upgrade.js", &[]),
        || node("ws_node_token_after_upgrade.js", &["--check-first"]),
        &["--ws", "/live?token=s3cret"],
        &["WF-WS-007"],
    );
    let raw = findings(&report, "WF-WS-007");
    let text = format!("{raw:?}");
    assert!(
        text.contains("a bogus `token`") && text.contains("no `token`"),
        "{report:#}"
    );
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
    let report = mistake_then_fix(
        go("close_logger", &[]),
        || go("close_logger", &["-answer-close"]),
        &["--ws", "/echo"],
        &["WF-WS-008"],
    );
    assert_dropped_on_close(&report);
}

/// Starts a binary of `tests/apps/rust/ws_apps`, built by
/// `scripts/install-test-deps.sh` into `target/sample-apps`.
fn rust(name: &str, extra: &[&str]) -> App {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = root.join("target/sample-apps/debug").join(name);
    assert!(
        bin.exists(),
        "{} is not built (run scripts/install-test-deps.sh)",
        bin.display()
    );
    let mut args = vec!["{port}"];
    args.extend_from_slice(extra);
    start(&apps_dir("rust/ws_apps"), bin.to_str().unwrap(), &args, &[])
}

/// An axum echo written as axum's docs write it sends the client's close
/// frame back: tungstenite refuses, the handler returns, and the answer it
/// queued is never sent (the client sees 1006).
#[test]
fn axum_echo_that_sends_the_close_back() {
    let args = [&["--ws", "/ws"][..], &WS_ONLY].concat();
    let report = mistake_then_fix(
        rust("axum_echo_close", &[]),
        || rust("axum_echo_close", &["--answer-close"]),
        &args,
        &["WF-WS-008"],
    );
    assert_dropped_on_close(&report);
}

/// An actix-ws echo whose frame limit ends the README loop like any error:
/// the oversized message gets a close frame without a code (1005).
#[test]
fn actix_ws_echo_that_closes_oversized_without_a_code() {
    let args = [&["--ws", "/ws"][..], &WS_ONLY].concat();
    let report = mistake_then_fix(
        rust("actix_echo_limit", &[]),
        || rust("actix_echo_limit", &["--close-1009"]),
        &args,
        &["WF-WS-004"],
    );
    for close in findings(&report, "WF-WS-004") {
        let body = close["request"]["body"].as_str().unwrap();
        assert!(body.contains("bytes of `a`"), "{close:#}");
    }
}

/// Two message types of one protocol: the SQL error in the close reason is
/// reachable only through the second type, so only a second sample for the
/// same path finds it.
#[test]
fn fastapi_second_message_type_leaks_sql_in_the_close_reason() {
    let app = uvicorn("ws_fastapi_typed_messages", &[]);
    let quote = r#"/market={"type":"quote","symbol":"ACME"}"#;
    let history = r#"/market={"type":"history","symbol":"ACME"}"#;
    audit(&app, &["--ws-message", quote], &[]);
    let report = audit(
        &app,
        &["--ws-message", quote, "--ws-message", history],
        &["WF-WS-006"],
    );
    let leak = findings(&report, "WF-WS-006");
    let body = leak[0]["request"]["body"].as_str().unwrap();
    assert!(body.contains("variant of sample 2"), "{report:#}");
}
