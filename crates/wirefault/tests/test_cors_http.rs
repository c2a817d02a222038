//! The CORS layer over a real socket: an axum server on 127.0.0.1:0 and a
//! reqwest client sending preflights and actual requests from allowed,
//! foreign and `null` origins.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use reqwest::header::{HeaderMap, VARY};
use reqwest::{Method, StatusCode};
use wirefault::cors::CorsPolicy;
use wirefault::headers::HeaderRegistry;

const APP: &str = "https://app.example.com";
const TENANT: &str = "https://acme.tenants.example.com";

fn policy() -> CorsPolicy {
    let registry = HeaderRegistry::new().with("X-Request-Id").unwrap();
    CorsPolicy::builder()
        .allow_origin(APP)
        .allow_origin_patterns(["https://*.tenants.example.com"])
        .allow_methods(["GET", "POST", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_registry(&registry)
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap()
}

async fn serve(policy: &CorsPolicy) -> SocketAddr {
    let app = Router::new()
        .route(
            "/notes",
            get(|| async { ([("x-request-id", "req-1"), ("x-internal", "1")], "[]") })
                .delete(|| async { StatusCode::NO_CONTENT }),
        )
        .layer(wirefault::axum::CorsPolicyLayer::new(policy));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn preflight(addr: SocketAddr, origin: &str) -> reqwest::Response {
    client()
        .request(Method::OPTIONS, format!("http://{addr}/notes"))
        .header("origin", origin)
        .header("access-control-request-method", "DELETE")
        .header(
            "access-control-request-headers",
            "content-type,authorization",
        )
        .send()
        .await
        .unwrap()
}

async fn actual(addr: SocketAddr, origin: Option<&str>) -> reqwest::Response {
    let mut req = client().get(format!("http://{addr}/notes"));
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req.send().await.unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// Every `Access-Control-*` header of a response.
fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .map(|k| k.to_string())
        .collect()
}

fn varies_on_origin(headers: &HeaderMap) -> bool {
    headers
        .get_all(VARY)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("origin"))
}

#[tokio::test]
async fn preflight_from_allowed_origin_lists_everything_explicitly() {
    let addr = serve(&policy()).await;
    for origin in [APP, TENANT] {
        let res = preflight(addr, origin).await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(header(h, "access-control-allow-origin"), Some(origin));
        assert_eq!(header(h, "access-control-allow-credentials"), Some("true"));
        assert_eq!(
            header(h, "access-control-allow-methods"),
            Some("GET,POST,DELETE")
        );
        assert_eq!(
            header(h, "access-control-allow-headers"),
            Some("content-type,authorization")
        );
        assert_eq!(header(h, "access-control-max-age"), Some("600"));
        assert!(varies_on_origin(h), "{h:?}");
        for (name, value) in h {
            if name.as_str().starts_with("access-control-") {
                assert!(!value.to_str().unwrap().contains('*'), "{name}: {value:?}");
            }
        }
    }
}

#[tokio::test]
async fn actual_request_from_allowed_origin_exposes_registered_headers() {
    let addr = serve(&policy()).await;
    let res = actual(addr, Some(APP)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(header(h, "access-control-allow-origin"), Some(APP));
    assert_eq!(header(h, "access-control-allow-credentials"), Some("true"));
    assert_eq!(
        header(h, "access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(header(h, "access-control-allow-methods"), None);
    assert!(varies_on_origin(h), "{h:?}");
    assert_eq!(res.text().await.unwrap(), "[]");
}

#[tokio::test]
async fn foreign_null_and_look_alike_origins_get_no_cors_header() {
    let addr = serve(&policy()).await;
    for origin in [
        "https://evil.example",
        "null",
        "https://app.example.com.evil.net",
        "https://evil-app.example.com",
        "https://app.example.com@evil.net",
        "http://app.example.com",
        "https://tenants.example.com",
        "https://acme.tenants.example.com.evil.net",
    ] {
        let res = preflight(addr, origin).await;
        assert_eq!(
            cors_headers(res.headers()),
            Vec::<String>::new(),
            "preflight {origin}"
        );
        assert!(varies_on_origin(res.headers()), "preflight {origin}");

        let res = actual(addr, Some(origin)).await;
        assert_eq!(res.status(), StatusCode::OK, "{origin}");
        assert_eq!(
            cors_headers(res.headers()),
            Vec::<String>::new(),
            "actual {origin}"
        );
        assert!(varies_on_origin(res.headers()), "actual {origin}");
    }
}

#[tokio::test]
async fn request_without_origin_gets_no_cors_header() {
    let addr = serve(&policy()).await;
    let res = actual(addr, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(cors_headers(res.headers()), Vec::<String>::new());
}

#[tokio::test]
async fn public_policy_answers_star_without_credentials() {
    let policy = CorsPolicy::builder()
        .allow_any_origin()
        .allow_methods(["GET"])
        .build()
        .unwrap();
    let addr = serve(&policy).await;
    let res = actual(addr, Some("https://anyone.example")).await;
    let h = res.headers();
    assert_eq!(header(h, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(h, "access-control-allow-credentials"), None);
    // Without `Origin` the answer has no CORS header at all, so even `*`
    // varies on `Origin` (a cache must not serve one for the other).
    assert!(varies_on_origin(h));
    let res = actual(addr, None).await;
    assert_eq!(header(res.headers(), "access-control-allow-origin"), None);
    assert!(varies_on_origin(res.headers()));

    let res = preflight(addr, "null").await;
    assert_eq!(
        header(res.headers(), "access-control-allow-origin"),
        Some("*")
    );
    assert_eq!(
        header(res.headers(), "access-control-allow-methods"),
        Some("GET")
    );
}
