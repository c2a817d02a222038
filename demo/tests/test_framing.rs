//! Strict request framing over raw TCP against the reference service:
//! `Host` (RFC 9112 §3.2), more than one `Origin` (CORS and the WebSocket
//! check alike), the header limit on preflights, and JSON charsets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use wirefault_test_helpers::http::{exchange, RawResponse};

const ALLOWED: &str = "http://127.0.0.1:3001";

/// What these tests ask of a response.
trait Framing {
    fn has_cors(&self) -> bool;
    fn problem(&self) -> serde_json::Value;
}

impl Framing for RawResponse {
    fn has_cors(&self) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.starts_with("access-control-allow-"))
    }

    fn problem(&self) -> serde_json::Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        assert!(self.header("x-request-id").is_some());
        let body: serde_json::Value = serde_json::from_str(&self.body).unwrap();
        assert_eq!(body["status"], self.status);
        body
    }
}

#[tokio::test]
async fn http11_needs_exactly_one_host() {
    let server = TestServer::start().await;
    let no_host = exchange(
        server.addr,
        b"GET /health HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(no_host.status, 400);
    let body = no_host.problem();
    assert!(body["detail"].as_str().unwrap().contains("Host"), "{body}");

    let two_hosts = exchange(
        server.addr,
        b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(two_hosts.status, 400);
    two_hosts.problem();

    // The same host twice is still two Host lines.
    let same_twice = exchange(
        server.addr,
        b"GET /health HTTP/1.1\r\nHost: a\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(same_twice.status, 400);

    // HTTP/1.0 has no Host requirement.
    let old = exchange(server.addr, b"GET /health HTTP/1.0\r\n\r\n").await;
    assert_eq!(old.status, 200);

    let one = exchange(
        server.addr,
        b"GET /health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body, r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn two_origins_are_foreign_for_cors_and_websocket() {
    let server = TestServer::start().await;
    // The allowed origin alone is granted, over HTTP and for a preflight.
    let get = |origins: &str| {
        format!("GET /health HTTP/1.1\r\nHost: x\r\n{origins}Connection: close\r\n\r\n")
    };
    let one = exchange(
        server.addr,
        get(&format!("Origin: {ALLOWED}\r\n")).as_bytes(),
    )
    .await;
    assert_eq!(one.status, 200);
    assert_eq!(one.header("access-control-allow-origin"), Some(ALLOWED));

    let two = get(&format!(
        "Origin: {ALLOWED}\r\nOrigin: https://evil.example\r\n"
    ));
    let two = exchange(server.addr, two.as_bytes()).await;
    assert_eq!(two.status, 200);
    assert!(!two.has_cors(), "{:?}", two.headers);

    let preflight = |origins: &str| {
        format!(
            "OPTIONS /notes HTTP/1.1\r\nHost: x\r\n{origins}Access-Control-Request-Method: POST\r\n\
             Connection: close\r\n\r\n"
        )
    };
    let granted = exchange(
        server.addr,
        preflight(&format!("Origin: {ALLOWED}\r\n")).as_bytes(),
    )
    .await;
    assert_eq!(granted.header("access-control-allow-origin"), Some(ALLOWED));
    let doubled = preflight(&format!("Origin: {ALLOWED}\r\nOrigin: {ALLOWED}\r\n"));
    let doubled = exchange(server.addr, doubled.as_bytes()).await;
    assert!(!doubled.has_cors(), "{:?}", doubled.headers);

    // The WebSocket check refuses the same request.
    let cookie = server.session_cookie("framing").await;
    let upgrade = format!(
        "GET /ws HTTP/1.1\r\nHost: x\r\nOrigin: {ALLOWED}\r\nOrigin: https://evil.example\r\n\
         Cookie: {cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    let refused = exchange(server.addr, upgrade.as_bytes()).await;
    assert_eq!(refused.status, 403);
    refused.problem();
}

#[tokio::test]
async fn a_preflight_meets_the_header_limit() {
    let server = TestServer::start().await;
    let long = "a".repeat(60 * 1024);
    for method in ["OPTIONS", "GET"] {
        let request = format!(
            "{method} /notes HTTP/1.1\r\nHost: x\r\nOrigin: http://{long}.example\r\n\
             Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n"
        );
        let res = exchange(server.addr, request.as_bytes()).await;
        assert_eq!(res.status, 431, "{method}");
        res.problem();
        assert!(!res.has_cors(), "{method}: {:?}", res.headers);
    }
}

#[tokio::test]
async fn json_must_be_utf8() {
    let server = TestServer::start().await;
    let client = TestServer::client();
    for (content_type, status) in [
        ("application/json; charset=utf-16", 415),
        ("application/json; charset=iso-8859-1", 415),
        ("application/json; charset=UTF-8", 201),
        ("application/json", 201),
    ] {
        let res = client
            .post(server.url("/session"))
            .header("content-type", content_type)
            .body(r#"{"user":"charset"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{content_type}");
        if status == 415 {
            let body = common::problem(res, 415).await;
            assert!(body["detail"].as_str().unwrap().contains("UTF-8"), "{body}");
        }
    }
}
