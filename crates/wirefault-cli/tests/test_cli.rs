//! The command line: report formats, exit codes, the target guard, rules.
#![allow(clippy::unwrap_used)]

mod fixtures;

use fixtures::{app, data, serve, wirefault, Fault, TRUSTED};

fn audit(fault: Fault, format: &str, extra: &[&str]) -> std::process::Output {
    let addr = serve(app(fault));
    let url = format!("http://{addr}/");
    let openapi = data("openapi.json");
    let mut args = vec![
        "audit",
        &url,
        "--format",
        format,
        "--timeout",
        "2",
        "--origin",
        TRUSTED,
        "--ws",
        "/ws",
        "--openapi",
        &openapi,
    ];
    args.extend_from_slice(extra);
    wirefault(&args)
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(data("sarif-2.1.0-rtm.5.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft4::new(&schema).unwrap()
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let validator = sarif_validator();
    for fault in [
        Fault::Correct,
        Fault::CorsMirror,
        Fault::WsLongReason,
        Fault::EmptyError,
        Fault::WsBadCode,
    ] {
        let out = audit(fault, "sarif", &[]);
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{fault:?}: {errors:#?}");
        assert_eq!(log["version"], "2.1.0");
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.is_empty(), fault == Fault::Correct, "{fault:?}");
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(
                log["runs"][0]["tool"]["driver"]["rules"][index]["id"],
                result["ruleId"]
            );
        }
    }
}

#[test]
fn the_schema_catches_a_broken_log() {
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]});
    assert!(!sarif_validator().is_valid(&broken));
}

#[test]
fn junit_output_parses_with_one_case_per_rule() {
    let out = audit(Fault::CorsNull, "junit", &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let rules = wirefault(&["rules"]);
    assert_eq!(
        cases.len(),
        String::from_utf8_lossy(&rules.stdout).lines().count()
    );
    let failed: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].starts_with("WF-CORS-003"), "{failed:?}");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("failures"), Some("1"));
}

#[test]
fn human_report_on_a_pipe_has_no_progress_bar() {
    let out = audit(Fault::NoChallenge, "human", &[]);
    assert_eq!(out.status.code(), Some(0), "the base path answers 200 here");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("no findings"), "{text}");
}

#[test]
fn fail_on_compares_severities() {
    // WF-CORS-007 is a warning.
    assert_eq!(
        audit(Fault::CorsUnexposed, "json", &["--fail-on", "error"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        audit(Fault::CorsUnexposed, "json", &["--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        audit(Fault::CorsUnexposed, "json", &["--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn remote_targets_are_refused_without_sending_anything() {
    for url in ["http://192.0.2.1/", "https://example.com/"] {
        let out = wirefault(&["audit", url]);
        assert_eq!(out.status.code(), Some(2), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--allow-remote"), "{err}");
    }
}

#[test]
fn usage_and_target_errors_exit_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("http://127.0.0.1:{port}/");
    for args in [
        vec!["audit", closed.as_str(), "--timeout", "1"],
        vec!["audit", "not a url"],
        vec![
            "audit",
            "http://127.0.0.1:1/",
            "--origin",
            "https://a.com/path",
        ],
        vec![
            "audit",
            "http://127.0.0.1:1/",
            "--openapi",
            "/nonexistent/openapi.json",
        ],
        vec!["audit", "http://127.0.0.1:1/", "--format", "xml"],
        vec!["explain", "WF-NOPE-999"],
    ] {
        let out = wirefault(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn rules_and_explain() {
    let out = wirefault(&["rules"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("WF-HTTP-001") && l.contains("error")),
        "{text}"
    );
    let out = wirefault(&["explain", "wf-ws-005"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("## WF-WS-005: Close reason over 123 bytes"),
        "{text}"
    );
    assert!(text.contains("FastAPI") && text.contains("Express") && text.contains("axum"));
    assert!(!text.contains("## WF-WS-006"));
}

/// Serves a router that records the method of every request.
fn recording_server() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) {
    use axum::extract::Request;
    use axum::middleware::{self, Next};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = app(Fault::Correct).layer(middleware::from_fn(move |req: Request, next: Next| {
        log.lock().unwrap().push(req.method().to_string());
        next.run(req)
    }));
    (serve(router), seen)
}

#[test]
fn destructive_methods_only_with_allow_destructive() {
    let openapi = data("openapi-destructive.json");
    let (addr, seen) = recording_server();
    let url = format!("http://{addr}/");
    let out = wirefault(&[
        "audit",
        &url,
        "--format",
        "json",
        "--timeout",
        "2",
        "--openapi",
        &openapi,
    ]);
    assert!(out.status.code().is_some_and(|c| c <= 1));
    let methods = seen.lock().unwrap().clone();
    assert!(methods.iter().any(|m| m == "POST"), "{methods:?}");
    assert!(
        methods
            .iter()
            .all(|m| !matches!(m.as_str(), "PUT" | "PATCH" | "DELETE")),
        "{methods:?}"
    );

    let (addr, seen) = recording_server();
    let url = format!("http://{addr}/");
    let out = wirefault(&[
        "audit",
        &url,
        "--format",
        "json",
        "--timeout",
        "2",
        "--openapi",
        &openapi,
        "--allow-destructive",
    ]);
    assert!(out.status.code().is_some_and(|c| c <= 1));
    let methods = seen.lock().unwrap().clone();
    assert!(
        methods.iter().any(|m| m == "PUT") && methods.iter().any(|m| m == "PATCH"),
        "{methods:?}"
    );
    assert!(methods.iter().all(|m| m != "DELETE"), "{methods:?}");
}

/// Runs an audit of a fixture with JSON output; returns exit code and report.
fn audit_json(fault: Fault, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = audit(fault, "json", extra);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

/// The rules found at warning or above (info findings count for nothing).
fn rules_found(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    ids.dedup();
    ids
}

/// The `TextError` fixture audited with `extra`: exit 1 with WF-HTTP-007
/// alone, or exit 0 with nothing.
fn text_error_finds(extra: &[&str], found: bool) -> serde_json::Value {
    let (code, report) = audit_json(Fault::TextError, extra);
    let expected: Vec<String> = if found {
        vec!["WF-HTTP-007".to_owned()]
    } else {
        Vec::new()
    };
    assert_eq!(
        (code, rules_found(&report)),
        (i32::from(found), expected),
        "{extra:?}: {report:#}"
    );
    report
}

#[test]
fn ignore_leaves_out_a_rule_everywhere_or_on_one_path() {
    let report = text_error_finds(&[], true);
    // One finding for one root cause, the other places listed under it.
    let also = report["findings"][0]["also_seen"].as_array().unwrap();
    assert!(!also.is_empty(), "{report:#}");

    let report = text_error_finds(&["--ignore", "WF-HTTP-007"], false);
    assert!(report["summary"]["filtered"].as_u64().unwrap() > 0);
    // On paths it was not seen on: still found.
    text_error_finds(&["--ignore", "WF-HTTP-007:/nowhere/*"], true);
}

#[test]
fn only_keeps_the_named_rules() {
    text_error_finds(&["--only", "WF-HTTP-001"], false);
    text_error_finds(&["--only", "wf-http-007"], true);
}

#[test]
fn baseline_findings_do_not_count_new_ones_do() {
    let dir = std::env::temp_dir().join(format!("wirefault-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join("old.json");
    let (_, report) = audit_json(Fault::TextError, &[]);
    std::fs::write(&old, report.to_string()).unwrap();
    let old_arg = old.to_str().unwrap();

    // Another server (another port), same debts: known, exit 0.
    let (code, report) = audit_json(Fault::TextError, &["--baseline", old_arg]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["findings"][0]["baseline"], "known");
    let findings = report["findings"].as_array().unwrap().len();
    assert_eq!(report["summary"]["known"], findings as u64, "{report:#}");

    // A new debt on top of a clean baseline: new, exit 1.
    let clean = dir.join("clean.json");
    let (_, report) = audit_json(Fault::Correct, &[]);
    std::fs::write(&clean, report.to_string()).unwrap();
    let (code, report) = audit_json(Fault::TextError, &["--baseline", clean.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["findings"][0]["baseline"], "new");

    // Not a report: a usage error.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "[]").unwrap();
    let out = audit(
        Fault::Correct,
        "json",
        &["--baseline", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A refused handshake: the WebSocket probes that could not run are said so
/// in every format, and the header counts the requests sent.
#[test]
fn probes_that_could_not_run_are_reported_in_every_format() {
    let extra = ["--ws", "/no-such-socket"];
    let (code, report) = audit_json(Fault::Correct, &extra);
    assert_eq!(code, 0, "{report:#}");
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("refused")
                && s["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|r| r == "WF-WS-002")),
        "{report:#}"
    );
    assert!(report["requests"].as_u64().unwrap() >= 10, "{report:#}");

    let out = audit(Fault::Correct, "human", &extra);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("not checked:") && text.contains("refused"),
        "{text}"
    );
    assert!(text.contains("requests sent"), "{text}");

    let out = audit(Fault::Correct, "junit", &extra);
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let skipped: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert!(skipped.iter().any(|n| n.starts_with("WF-WS-002")), "{text}");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(
        suite.attribute("skipped"),
        Some(skipped.len().to_string().as_str())
    );

    let out = audit(Fault::Correct, "sarif", &extra);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(sarif_validator().is_valid(&log));
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["associatedRule"]["id"] == "WF-WS-002"),
        "{log:#}"
    );
}

/// More `--ws` paths than the cap: the cut is printed.
#[test]
fn the_ws_path_cap_is_reported() {
    let paths: Vec<String> = (0..12).map(|i| format!("/ws{i}")).collect();
    let mut extra = Vec::new();
    for path in &paths {
        extra.push("--ws");
        extra.push(path.as_str());
    }
    let (_, report) = audit_json(Fault::Correct, &extra);
    let caps = report["caps"].to_string();
    assert!(
        caps.contains("13 WebSocket paths given, the first 10 probed"),
        "{report:#}"
    );
}

/// JUnit fails a rule only for findings that count for the exit code; an
/// info finding (an anonymous socket) is in the case's output, not a failure.
#[test]
fn junit_fails_only_what_counts() {
    let addr = serve(app(Fault::WsAnyOrigin));
    let url = format!("http://{addr}/");
    let out = wirefault(&[
        "audit",
        &url,
        "--format",
        "junit",
        "--timeout",
        "2",
        "--origin",
        TRUSTED,
        "--ws",
        "/ws",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let case = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase") && n.attribute("name").unwrap().starts_with("WF-WS-001")
        })
        .unwrap();
    assert!(
        !case.children().any(|n| n.has_tag_name("failure")),
        "{text}"
    );
    let output = case
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .unwrap_or_default();
    assert!(
        output.starts_with("info") && output.contains("anonymous"),
        "{text}"
    );
}
