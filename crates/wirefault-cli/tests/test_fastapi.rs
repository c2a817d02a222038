//! Real FastAPI apps under uvicorn, audited by the real binary.
//!
//! Needs `python3` with the packages of `tests/fastapi/requirements.txt`;
//! the tests fail (they do not skip) when they are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fixtures::{audit_ids, TRUSTED};

/// A uvicorn process, killed when dropped.
struct Uvicorn {
    child: Child,
    port: u16,
}

impl Drop for Uvicorn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(module: &str) -> Uvicorn {
    let port = free_port();
    let dir = format!("{}/tests/fastapi", env!("CARGO_MANIFEST_DIR"));
    let child = Command::new("python3")
        .args([
            "-m",
            "uvicorn",
            &format!("{module}:app"),
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 (install it and tests/fastapi/requirements.txt): {e}")
        });
    let mut server = Uvicorn { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut stderr) = server.child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
            }
            panic!("uvicorn {module} exited with {status} (pip install -r tests/fastapi/requirements.txt):\n{err}");
        }
        assert!(
            Instant::now() < deadline,
            "uvicorn {module} did not listen on port {port} within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
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
