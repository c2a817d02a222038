//! Each kind of malformed input gets a 4xx with a descriptive detail:
//! never a 5xx, never a 2xx.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn assert_client_error(res: reqwest::Response, what: &str) {
    let status = res.status().as_u16();
    assert!((400..500).contains(&status), "{what}: got {status}");
    assert_eq!(
        res.headers()["content-type"],
        "application/problem+json",
        "{what}"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    let detail = body["detail"].as_str().unwrap_or_default();
    let described = detail.len() > 10 || body["errors"].as_array().is_some_and(|e| !e.is_empty());
    assert!(described, "{what}: detail not descriptive: {body}");
}

#[tokio::test]
async fn malformed_requests_get_descriptive_4xx() {
    let s = TestServer::start().await;
    let c = s.signed_in("mallory").await;
    let json = "application/json";
    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("bad JSON", Some(json), b"{title: nope}".to_vec()),
        (
            "wrong content type",
            Some("text/plain"),
            br#"{"title":"a"}"#.to_vec(),
        ),
        ("no content type", None, br#"{"title":"a"}"#.to_vec()),
        ("truncated JSON", Some(json), br#"{"title": "abc"#.to_vec()),
        ("empty body", Some(json), Vec::new()),
        (
            "non-UTF-8 body",
            Some(json),
            b"{\"title\": \"\xff\xfe\"}".to_vec(),
        ),
        (
            "wrong field types",
            Some(json),
            br#"{"title": 12, "body": []}"#.to_vec(),
        ),
        ("missing fields", Some(json), br#"{}"#.to_vec()),
        ("not an object", Some(json), br#"[1, 2]"#.to_vec()),
        ("over the limit", Some(json), vec![b' '; 65 * 1024]),
    ];
    for (what, content_type, body) in cases {
        let mut req = c.post(s.url("/notes")).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        assert_client_error(req.send().await.unwrap(), what).await;
    }
    assert_client_error(
        c.get(s.url("/notes/not-a-number")).send().await.unwrap(),
        "bad path parameter",
    )
    .await;
    assert_client_error(
        c.get(s.url("/notes/99999999999999999999"))
            .send()
            .await
            .unwrap(),
        "out-of-range id",
    )
    .await;
    let big = "x".repeat(20 * 1024);
    let res = c
        .get(s.url("/health"))
        .header("x-padding", big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 431);
    assert_client_error(res, "oversized header").await;
}

/// A body shorter than its Content-Length, then the client stops sending.
#[tokio::test]
async fn body_shorter_than_its_length() {
    let s = TestServer::start().await;
    let cookie = s.session_cookie("trudy").await;
    let mut tcp = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    let req = format!(
        "POST /notes HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"title\":"
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    tcp.shutdown().await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let status: u16 = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    // hyper may close without an answer when the peer is gone; if it
    // answers, it is a client error.
    assert!(
        answer.is_empty() || (400..500).contains(&status),
        "{answer}"
    );
    // And the server still serves.
    let res = TestServer::client()
        .get(s.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
