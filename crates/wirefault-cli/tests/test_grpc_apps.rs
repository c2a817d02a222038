//! The gRPC sample services: Python grpcio with grpcio-reflection, Node
//! @grpc/grpc-js with @grpc/reflection and grpc-go with its reflection
//! (real processes from `tests/apps`; the Go one built from Debian's
//! packages into `target/sample-apps`),
//! each audited by the real binary with `--grpc`; discovery is the
//! auditor's own reflection client (v1alpha for grpcio, v1 for grpc-js).
//!
//! The correct service has no finding at warning or above; each planted
//! mistake is found by its rule and no other at warning or above.
//!
//! Needs `python3` with `tests/apps/python/grpc_requirements.txt` and
//! `node` with the packages of `tests/apps/node/grpc_apps`, and the Go
//! service built (`scripts/install-test-deps.sh`); the tests fail, not skip, when they
//! are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::collections::BTreeSet;

use fixtures::apps::{apps_dir, start, App};
use fixtures::audit_at_warning;

fn grpcio(script: &str) -> App {
    start(&apps_dir("python"), "python3", &[script, "{port}"], &[])
}

/// Audits with `--grpc`; asserts the rules at warning or above and the
/// exit code.
fn assert_grpc(port: u16, extra: &[&str], expected: &[&str]) -> serde_json::Value {
    let url = format!("http://127.0.0.1:{port}/");
    let mut args = vec!["--grpc"];
    args.extend_from_slice(extra);
    let (ids, code, report) = audit_at_warning(&url, &args);
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(ids, expected, "{report:#}");
    assert_eq!(code, i32::from(!expected.is_empty()), "{report:#}");
    report
}

fn notes(report: &serde_json::Value) -> String {
    report["notes"].to_string()
}

#[test]
fn grpcio_notes_service_is_clean_and_discovered_by_reflection() {
    let app = grpcio("grpc_python_notes.py");
    let report = assert_grpc(app.port, &[], &[]);
    assert!(
        notes(&report).contains("samples.notes.v1.Notes"),
        "{report:#}"
    );
    // The edge messages went to every method, and the unknown method too.
    assert!(report["requests"].as_u64().unwrap() >= 8, "{report:#}");
    // INVALID_ARGUMENT without BadRequest is info, not a warning.
    let infos: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(infos, ["WF-GRPC-006"], "{report:#}");
}

#[test]
fn grpcio_exception_escaping_a_handler_is_unknown() {
    let app = grpcio("grpc_python_unhandled.py");
    let report = assert_grpc(app.port, &[], &["WF-GRPC-001"]);
    assert!(report.to_string().contains("GetNote"), "{report:#}");
}

#[test]
fn grpcio_traceback_in_grpc_message_is_a_leak() {
    let app = grpcio("grpc_python_traceback.py");
    assert_grpc(app.port, &[], &["WF-GRPC-003"]);
}

fn grpc_js(script: &str) -> App {
    start(
        &apps_dir("node/grpc_apps"),
        "node",
        &[script, "{port}"],
        &[],
    )
}

#[test]
fn grpc_js_notes_service_is_clean() {
    let app = grpc_js("grpc_js_notes.js");
    let report = assert_grpc(app.port, &[], &[]);
    assert!(
        notes(&report).contains("grpc.reflection.v1.ServerReflection"),
        "{report:#}"
    );
}

#[test]
fn grpc_js_plain_error_is_unknown() {
    let app = grpc_js("grpc_js_plain_error.js");
    assert_grpc(app.port, &[], &["WF-GRPC-001"]);
}

/// `tests/apps/go/grpc_apps/notes`, built by install-test-deps.sh.
fn grpc_go(mode: &[&str]) -> App {
    let binary = format!(
        "{}/../../target/sample-apps/go/grpc_apps/notes",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut args = vec!["{port}"];
    args.extend_from_slice(mode);
    start(&apps_dir("go/grpc_apps/notes"), &binary, &args, &[])
}

#[test]
fn grpc_go_notes_service_is_clean() {
    let app = grpc_go(&[]);
    let report = assert_grpc(app.port, &[], &[]);
    assert!(
        notes(&report).contains("samples.notes.v1.Notes"),
        "{report:#}"
    );
}

#[test]
fn grpc_go_plain_error_is_unknown() {
    let app = grpc_go(&["plain-error"]);
    assert_grpc(app.port, &[], &["WF-GRPC-001"]);
}

#[test]
fn an_http_service_without_reflection_is_not_judged_as_grpc() {
    let app = start(
        &apps_dir("python"),
        "python3",
        &["-m", "http.server", "{port}", "--bind", "127.0.0.1"],
        &[],
    );
    let (_, _, report) = audit_at_warning(&format!("http://127.0.0.1:{}/", app.port), &[]);
    assert!(!notes(&report).contains("gRPC"), "{report:#}");
    assert!(!report.to_string().contains("WF-GRPC"), "{report:#}");
}
