//! The playground in a real browser: headless Chromium (driven by
//! `tests/browser/cors.mjs` through playwright-core) loads the page from an
//! allowed origin and a foreign page from an origin that is not allowed,
//! both on 127.0.0.1, so the session cookie is same-site and is sent.
//! The allowed page signs in, creates a note and reads the JSON and the
//! exposed `X-Request-Id`, and reads gRPC-Web statuses, messages and
//! details; the foreign page's credentialed reads (gRPC-Web included) fail
//! with a network error, and its cookie-bearing writes change nothing, which this
//! test checks on the server afterwards.
//!
//! Needs node, `tests/browser/node_modules/playwright-core` and
//! `/usr/bin/chromium`; it fails (never skips) without them:
//! run `bash scripts/install-test-deps.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, Response};
use axum::routing::get;
use axum::Router;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use wirefault_demo::{app, ui, AppState, Config};

const CHROMIUM: &str = "/usr/bin/chromium";
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);
const INSTALL: &str = "run `bash scripts/install-test-deps.sh` (from the workspace root)";

/// A request the API saw: method, path, `Origin`, whether it carried the
/// session cookie, and the status it got.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    origin: Option<String>,
    content_type: Option<String>,
    cookie: bool,
    status: u16,
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Fails with the install hint when node, playwright-core or Chromium is
/// missing.
fn require_deps() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|o| o.status.success()),
        "node is missing ({node:?}); {INSTALL}"
    );
    let pw = browser_dir().join("node_modules/playwright-core/package.json");
    assert!(
        pw.is_file(),
        "the npm package playwright-core is missing ({} not found); {INSTALL}",
        pw.display()
    );
    assert!(
        Path::new(CHROMIUM).is_file(),
        "Chromium is missing ({CHROMIUM} not found); {INSTALL}"
    );
}

fn serve(listener: TcpListener, router: Router) {
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
}

/// Runs the browser script with a timeout; returns (success, stdout, stderr).
fn run_script(args: &[String], screenshot: &Path) -> (bool, String, String) {
    let script = browser_dir().join("cors.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .args(args)
        .current_dir(browser_dir())
        .env("WF_SCREENSHOT", screenshot)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}; {INSTALL}", script.display()));
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    match status {
        Some(status) => (status.success(), out, err),
        None => (
            false,
            out,
            format!("timed out after {SCRIPT_TIMEOUT:?}\n{err}"),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playground_works_cross_origin_and_a_foreign_page_gets_nothing() {
    require_deps();

    // The page's listener first, so the API can allow its origin.
    let ui_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ui_url = format!("http://{}", ui_listener.local_addr().unwrap());
    let foreign_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let foreign_url = format!("http://{}", foreign_listener.local_addr().unwrap());
    let api_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_addr = api_listener.local_addr().unwrap();
    let api_url = format!("http://{api_addr}");

    let mut config = Config::for_tests();
    config.allow_origins = vec![ui_url.clone()];
    let state = AppState::open(config).await.unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let record = {
        let seen = seen.clone();
        move |req: Request, next: Next| {
            let seen = seen.clone();
            async move {
                let mut entry = {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    };
                    Seen {
                        method: req.method().to_string(),
                        path: req.uri().path().to_owned(),
                        origin: header("origin"),
                        content_type: header("content-type"),
                        cookie: header("cookie").is_some_and(|c| c.contains("wf_session=")),
                        status: 0,
                    }
                };
                let res: Response = next.run(req).await;
                entry.status = res.status().as_u16();
                seen.lock().unwrap().push(entry);
                res
            }
        }
    };
    serve(
        api_listener,
        Router::new()
            .fallback_service(app(state.clone()))
            .layer(axum::middleware::from_fn(record)),
    );
    serve(ui_listener, ui::router(api_addr.port()));
    serve(
        foreign_listener,
        Router::new().route(
            "/",
            get(|| async {
                Html("<!doctype html><title>foreign</title><h1>A page the API does not allow</h1>")
            }),
        ),
    );

    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let screenshot = target.join("playground.png");
    let args = vec![
        format!("{ui_url}/"),
        format!("{foreign_url}/"),
        api_url.clone(),
    ];
    let started = Instant::now();
    let (ok, out, err) = tokio::task::spawn_blocking(move || run_script(&args, &screenshot))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        ok,
        "the browser script failed after {elapsed:?}\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    let result: serde_json::Value = out
        .lines()
        .find_map(|l| l.strip_prefix("WF_RESULT "))
        .map(|j| serde_json::from_str(j).unwrap())
        .unwrap_or_else(|| panic!("no WF_RESULT line\n{out}\n{err}"));

    // The allowed page read the JSON and the exposed header.
    assert_eq!(result["allowed"]["create"]["status"], 201, "{result}");
    assert!(result["allowed"]["create"]["requestId"].is_string());
    let created = result["allowedCreated"].as_u64().unwrap();

    // The server: only the allowed page's notes exist.
    let checker = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = checker
        .post(format!("{api_url}/session"))
        .json(&serde_json::json!({ "user": "checker" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let notes: Vec<serde_json::Value> = checker
        .get(format!("{api_url}/notes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = notes.iter().filter_map(|n| n["title"].as_str()).collect();
    assert_eq!(
        notes.len() as u64,
        created,
        "notes on the server: {titles:?}"
    );
    assert!(
        !titles.iter().any(|t| t.contains("foreign")),
        "a foreign write got through: {titles:?}"
    );

    // The foreign writes did reach the server with the session cookie and
    // were refused; the JSON POST never left the browser (its preflight got
    // no CORS headers).
    let seen = seen.lock().unwrap().clone();
    let foreign: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.origin.as_deref() == Some(foreign_url.as_str()))
        .collect();
    let writes: Vec<&&Seen> = foreign
        .iter()
        .filter(|s| s.method == "POST" && s.path == "/notes")
        .collect();
    assert!(
        writes.len() >= 2 && writes.iter().all(|s| s.cookie),
        "the foreign page's writes should arrive with the cookie: {foreign:#?}"
    );
    assert!(
        writes.iter().all(|s| !(200..300).contains(&s.status)),
        "a foreign write succeeded: {foreign:#?}"
    );
    assert!(
        !writes.iter().any(|s| s
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/json"))),
        "the foreign JSON POST should be stopped by its preflight: {foreign:#?}"
    );
    assert!(
        foreign
            .iter()
            .any(|s| s.method == "OPTIONS" && s.path == "/notes"),
        "the foreign JSON POST should have sent a preflight: {foreign:#?}"
    );
    // The foreign gRPC-Web call stopped at its preflight, which got no
    // grant; the allowed page's calls reached the gRPC side.
    let grpc_path = "/wirefault.demo.v1.Notes/GetNote";
    let foreign_grpc: Vec<&&Seen> = foreign.iter().filter(|s| s.path == grpc_path).collect();
    assert!(
        !foreign_grpc.is_empty() && foreign_grpc.iter().all(|s| s.method == "OPTIONS"),
        "the foreign gRPC-Web call should stop at its preflight: {foreign_grpc:#?}"
    );
    assert!(
        seen.iter().any(|s| s.path == grpc_path
            && s.method == "POST"
            && s.origin.as_deref() == Some(ui_url.as_str())
            && s.cookie),
        "the playground's gRPC-Web call should reach the API with the cookie"
    );
    assert_eq!(
        result["page"]["grpcWeb"]["invalid"]["grpcStatus"], 3,
        "{result}"
    );
    eprintln!(
        "browser script took {elapsed:?}; page log: {}; WebSocket closes: {}",
        result["page"]["log"], result["page"]["wsCloses"]
    );
    state.shutdown.cancel();
}
