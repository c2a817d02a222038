//! The reference service passes its own auditor with zero findings, with
//! and without a session, with the OpenAPI document it serves
//! (`GET /openapi.json`) and its WebSocket.
#![allow(clippy::unwrap_used)]

use std::process::Command;

const TRUSTED: &str = "http://127.0.0.1:3001";

async fn start_demo() -> std::net::SocketAddr {
    let mut config = wirefault_demo::Config::for_tests();
    config.allow_origins = vec![TRUSTED.into()];
    let state = wirefault_demo::AppState::open(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, wirefault_demo::app(state))
            .await
            .unwrap();
    });
    addr
}

/// The document the service serves, saved where the auditor reads it.
async fn served_document(addr: std::net::SocketAddr) -> std::path::PathBuf {
    let doc = reqwest::get(format!("http://{addr}/openapi.json"))
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let path = std::env::temp_dir().join(format!("wirefault-demo-openapi-{}.json", addr.port()));
    std::fs::write(&path, doc).unwrap();
    path
}

fn audit(
    addr: std::net::SocketAddr,
    openapi: &std::path::Path,
    extra: &[String],
) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_wirefault"))
        .arg("audit")
        .arg(format!("http://{addr}/"))
        .args(["--origin", TRUSTED, "--ws", "/ws", "--openapi"])
        .arg(openapi)
        .args(["--format", "json", "--fail-on", "info", "--timeout", "3"])
        .args(extra)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(
        output.status.success(),
        "exit {:?}: {report:#}",
        output.status
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_service_has_no_findings() {
    let addr = start_demo().await;
    let openapi = served_document(addr).await;
    let doc = openapi.clone();
    let report = tokio::task::spawn_blocking(move || audit(addr, &doc, &[]))
        .await
        .unwrap();
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    assert!(report["requests"].as_u64().unwrap() > 5);

    let res = reqwest::Client::new()
        .post(format!("http://{addr}/session"))
        .json(&serde_json::json!({"user": "auditor"}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let doc = openapi.clone();
    let report = tokio::task::spawn_blocking(move || audit(addr, &doc, &["--cookie".into(), pair]))
        .await
        .unwrap();
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
    // With the session the socket opens: the closing handshake was judged
    // (the session runner answers the auditor's close frame), not skipped.
    assert!(
        !report["skipped"].to_string().contains("WF-WS-008"),
        "{report:#}"
    );
    let _ = std::fs::remove_file(openapi);
}
