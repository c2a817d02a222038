//! The reference service passes its own auditor with zero findings, with
//! and without a session, with its OpenAPI document and its WebSocket.
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

fn audit(addr: std::net::SocketAddr, extra: &[String]) -> serde_json::Value {
    let openapi = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/openapi.json");
    let output = Command::new(env!("CARGO_BIN_EXE_wirefault"))
        .arg("audit")
        .arg(format!("http://{addr}/"))
        .args(["--origin", TRUSTED, "--ws", "/ws", "--openapi", openapi])
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
    let report = tokio::task::spawn_blocking(move || audit(addr, &[]))
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
    let report = tokio::task::spawn_blocking(move || audit(addr, &["--cookie".into(), pair]))
        .await
        .unwrap();
    assert_eq!(report["findings"], serde_json::json!([]), "{report:#}");
}
