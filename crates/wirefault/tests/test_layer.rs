//! `WirefaultLayer` over a real socket: the request id everywhere inside,
//! CORS headers on every error (panic, 404, 408, 413), successes passed
//! through untouched.
#![allow(clippy::unwrap_used)]

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::time::Duration;
use tower::Layer;
use wirefault::axum::{RequestId, WirefaultLayer, WirefaultService};
use wirefault::cors::CorsPolicy;
use wirefault::Fault;

const ALLOWED: &str = "https://app.example";

async fn boom() -> &'static str {
    panic!("secret panic text")
}

fn routes() -> Router {
    Router::new()
        .route(
            "/id",
            get(|| async { RequestId::current().map(|id| id.0).unwrap_or_default() }),
        )
        .route(
            "/raw",
            get(|| async { ([("content-type", "text/x-raw")], "raw bytes, untouched") }),
        )
        .route(
            "/fault",
            get(|| async { Err::<(), _>(Fault::conflict("taken")) }),
        )
        .route("/panic", get(boom))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                "late"
            }),
        )
        .route(
            "/upload",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/avatar",
            post(|| async { (StatusCode::PAYLOAD_TOO_LARGE, "an avatar is at most 1 MB") }),
        )
}

fn layer() -> WirefaultLayer {
    let policy = CorsPolicy::builder()
        .allow_origin(ALLOWED)
        .allow_methods(["GET", "POST"])
        .allow_credentials(true)
        .build()
        .unwrap();
    WirefaultLayer::new()
        .cors(&policy)
        .body_limit(1024)
        .timeout(Duration::from_millis(300))
}

async fn serve(app: WirefaultService<Router>) -> SocketAddr {
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

#[tokio::test]
async fn request_id_is_current_inside_and_on_every_response() {
    let addr = serve(layer().layer(routes())).await;
    let client = client();

    let res = client
        .get(format!("http://{addr}/id"))
        .send()
        .await
        .unwrap();
    let header = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(header.len(), 36, "a UUID: {header}");
    assert_eq!(res.text().await.unwrap(), header);

    let res = client
        .get(format!("http://{addr}/id"))
        .header("x-request-id", "client-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-id-1");
    assert_eq!(res.text().await.unwrap(), "client-id-1");

    let res = client
        .get(format!("http://{addr}/fault"))
        .header("x-request-id", "client-id-2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["instance"], "client-id-2", "{body}");

    // Another header, client ids not trusted.
    let strict = layer()
        .request_id(axum::http::HeaderName::from_static("x-trace"), false)
        .layer(routes());
    let addr = serve(strict).await;
    let res = client
        .get(format!("http://{addr}/id"))
        .header("x-trace", "client-id-3")
        .send()
        .await
        .unwrap();
    let made = res.headers()["x-trace"].to_str().unwrap().to_owned();
    assert_ne!(made, "client-id-3");
    assert!(!res.headers().contains_key("x-request-id"));
    assert_eq!(res.text().await.unwrap(), made);
}

/// The id as a service inside the layer saw it in its `call`.
#[derive(Clone)]
struct SeenInCall(Option<RequestId>);

#[tokio::test]
async fn request_id_is_current_in_an_inner_services_call_too() {
    // The layer straight around a service whose `call` reads the id
    // (`MapRequest` runs its closure in `call`, before any future is
    // polled), not around a `Router`, which defers its routes' `call`s.
    let routes = Router::new().route(
        "/seen",
        get(|seen: axum::Extension<SeenInCall>| async move {
            seen.0 .0.map(|id| id.0).unwrap_or_default()
        }),
    );
    let inner = tower::util::MapRequest::new(routes, |mut req: axum::extract::Request| {
        req.extensions_mut()
            .insert(SeenInCall(RequestId::current()));
        req
    });
    let app = axum::ServiceExt::<axum::extract::Request>::into_make_service(layer().layer(inner));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let res = client()
        .get(format!("http://{addr}/seen"))
        .header("x-request-id", "client-id-4")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "client-id-4");
}

#[tokio::test]
async fn every_error_carries_cors_and_the_request_id() {
    let addr = serve(layer().layer(routes())).await;
    let client = client();
    let cases = [
        ("/panic", None, 500),
        ("/nowhere", None, 404),
        ("/slow", None, 408),
        ("/upload", Some(vec![b'x'; 4096]), 413),
    ];
    for (path, body, status) in cases {
        let req = match body {
            Some(body) => client.post(format!("http://{addr}{path}")).body(body),
            None => client.get(format!("http://{addr}{path}")),
        };
        let res = req.header("origin", ALLOWED).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{path}");
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            ALLOWED,
            "{path}"
        );
        assert_eq!(res.headers()["access-control-allow-credentials"], "true");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], status, "{path}");
        assert_eq!(body["instance"], id.as_str(), "{path}: {body}");
        assert!(!body.to_string().contains("secret"), "{body}");
    }

    // A chunked body over the limit: cut at the limit, 413.
    let chunks = futures_util::stream::iter(
        (0..8).map(|_| Ok::<_, std::io::Error>(Bytes::from(vec![b'y'; 512]))),
    );
    let res = client
        .post(format!("http://{addr}/upload"))
        .header("origin", ALLOWED)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["access-control-allow-origin"], ALLOWED);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["detail"], "the request body is larger than the limit of 1024 bytes",
        "{body}"
    );
    // A handler's own 413 keeps its words.
    let res = client
        .post(format!("http://{addr}/avatar"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["detail"], "an avatar is at most 1 MB", "{body}");

    // A refused origin gets no CORS header, on errors either.
    let res = client
        .get(format!("http://{addr}/nowhere"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res
        .headers()
        .keys()
        .all(|name| !name.as_str().starts_with("access-control-")));
}

#[tokio::test]
async fn successes_pass_untouched() {
    let addr = serve(layer().layer(routes())).await;
    let res = client()
        .get(format!("http://{addr}/raw"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/x-raw");
    assert_eq!(res.text().await.unwrap(), "raw bytes, untouched");

    let res = client()
        .post(format!("http://{addr}/upload"))
        .body(vec![b'x'; 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "1024");
}
