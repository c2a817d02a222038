//! `examples/ws-echo` (wirefault's session runner, the server Autobahn
//! checks) passes the auditor: no finding at warning or above, the closing
//! handshake included. Its only finding is the anonymous socket's foreign
//! origin, at info: an echo carries no credentials.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The ws-echo process, killed when dropped.
struct Echo(Child);

impl Drop for Echo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds `ws-echo` (a workspace member: a no-op when `cargo test
/// --workspace` built it) and starts it on a free port; its address.
fn start_echo() -> (Echo, String) {
    // This test runs from target/<profile>/deps: build ws-echo there.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "-q", "-p", "ws-echo"]);
    if profile_dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.status().unwrap();
    assert!(status.success(), "cargo build -p ws-echo: {status}");
    let bin = profile_dir.join("ws-echo");
    let mut child = Command::new(&bin)
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ws://")
        .and_then(|a| a.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    (Echo(child), addr)
}

#[test]
fn ws_echo_has_no_findings_and_answers_the_close_frame() {
    let (_echo, addr) = start_echo();
    let output = Command::new(env!("CARGO_BIN_EXE_wirefault"))
        .args(["audit", &format!("http://{addr}/"), "--ws", "/"])
        .args(["--format", "json", "--fail-on", "warning", "--timeout", "3"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(output.status.success(), "{report:#}");
    let findings: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(findings, [("WF-WS-001", "info")], "{report:#}");
    let skipped = report["skipped"].to_string();
    assert!(!skipped.contains("WF-WS-008"), "{report:#}");
}
