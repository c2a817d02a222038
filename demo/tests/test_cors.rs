//! CORS of the reference service over a real socket: credentials for the
//! configured origins only, exposed custom headers, explicit preflights,
//! and nothing at all for a foreign or `null` origin.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;

const ALLOWED: &str = "http://127.0.0.1:3001";

/// The `Access-Control-Allow-*` headers of a response.
fn allow_headers(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-allow"))
        .map(|k| k.to_string())
        .collect()
}

#[tokio::test]
async fn allowed_origin_gets_credentials_and_exposed_headers() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    let res = c
        .get(s.url("/health"))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], ALLOWED);
    assert_eq!(h["access-control-allow-credentials"], "true");
    let exposed = h["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("x-request-id") && exposed.contains("x-ratelimit-remaining"),
        "{exposed}"
    );
    assert!(h.get_all("vary").iter().any(|v| v
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("origin")));
    // Error responses carry CORS headers too, so the page can read them.
    let res = c
        .get(s.url("/nope"))
        .header("origin", ALLOWED)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["access-control-allow-origin"], ALLOWED);
}

#[tokio::test]
async fn preflight_lists_methods_and_headers_explicitly() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    let res = c
        .request(reqwest::Method::OPTIONS, s.url("/notes"))
        .header("origin", "http://localhost:3001")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let h = res.headers();
    assert_eq!(h["access-control-allow-origin"], "http://localhost:3001");
    assert_eq!(h["access-control-allow-credentials"], "true");
    let methods = h["access-control-allow-methods"].to_str().unwrap();
    let headers = h["access-control-allow-headers"].to_str().unwrap();
    assert!(
        !methods.contains('*') && methods.contains("POST") && methods.contains("DELETE"),
        "{methods}"
    );
    assert!(
        !headers.contains('*') && headers.contains("content-type"),
        "{headers}"
    );
    assert!(h.contains_key("x-request-id"));
}

#[tokio::test]
async fn foreign_and_null_origins_get_no_cors_headers() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    for origin in [
        "http://evil.example",
        "null",
        "http://127.0.0.1:3001.evil.net",
        "http://127.0.0.1:30011",
        "https://127.0.0.1:3001",
    ] {
        let res = c
            .get(s.url("/health"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        let leaked = allow_headers(&res);
        assert!(leaked.is_empty(), "{origin}: {leaked:?}");
        let res = c
            .request(reqwest::Method::OPTIONS, s.url("/notes"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        let leaked = allow_headers(&res);
        assert!(leaked.is_empty(), "preflight {origin}: {leaked:?}");
    }
}

#[test]
fn an_origin_with_a_path_stops_start_up_naming_it() {
    let mut config = wirefault_demo::Config::for_tests();
    config.allow_origins = vec!["http://127.0.0.1:3001/app".into()];
    let err = config.cors_policy().unwrap_err().to_string();
    assert!(
        err.contains("--allow-origin") && err.contains("http://127.0.0.1:3001/app"),
        "{err}"
    );
}

/// Spellings of `https://allowed.example` that IDNA maps onto it but no
/// browser sends (an origin is serialized in visible ASCII): a fullwidth
/// "a", a trailing byte order mark, an ideographic full stop for the dot.
const MAPPED_SPELLINGS: [&str; 3] = [
    "https://\u{ff41}llowed.example",
    "https://allowed.example\u{feff}",
    "https://allowed\u{3002}example",
];

#[tokio::test]
async fn origins_with_bytes_outside_visible_ascii_are_foreign_everywhere() {
    let mut config = wirefault_demo::Config::for_tests();
    config.allow_origins = vec!["https://allowed.example".into()];
    let s = TestServer::start_with(config).await;
    let c = TestServer::client();
    let cookie = s.session_cookie("alice").await;
    for origin in std::iter::once("https://allowed.example").chain(MAPPED_SPELLINGS) {
        let allowed = origin.is_ascii();
        let value = reqwest::header::HeaderValue::from_bytes(origin.as_bytes()).unwrap();
        // A credentialed request.
        let res = c
            .get(s.url("/notes"))
            .header("cookie", &cookie)
            .header("origin", value.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(!allow_headers(&res).is_empty(), allowed, "{origin:?}");
        // A preflight.
        let res = c
            .request(reqwest::Method::OPTIONS, s.url("/notes"))
            .header("origin", value)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(!allow_headers(&res).is_empty(), allowed, "{origin:?}");
        // A WebSocket handshake: the Origin check (403) comes before the
        // session check (401, no cookie here).
        let head = format!(
            "Origin: {origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
             Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        );
        let (status, _, _) = wirefault_test_helpers::ws::raw_get(s.addr, "/ws", &head).await;
        assert_eq!(status, if allowed { 401 } else { 403 }, "{origin:?}");
    }
}
