//! The error layer over a real socket: responses a route made by hand
//! (plain text, empty) come out as problem+json with the headers their
//! class needs, and a 5xx body never reaches the client.
#![allow(clippy::unwrap_used)]

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use tower::Layer;
use wirefault::axum::{ProblemLayer, RequestIdLayer};

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn hand_made_errors_become_problems() {
    let routes = Router::new()
        .route(
            "/down",
            get(|| async { (StatusCode::SERVICE_UNAVAILABLE, "db down at 10.0.0.1:5432") }),
        )
        .route("/who", get(|| async { StatusCode::UNAUTHORIZED }))
        .route(
            "/teapot",
            get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }),
        )
        .route(
            "/storage",
            get(|| async { (StatusCode::INSUFFICIENT_STORAGE, "/var is full") }),
        );
    // The pieces alone, composed by hand: the request id outside the
    // problem rewrite, around the whole router.
    let app = RequestIdLayer::new().layer(ProblemLayer::new().layer(routes));
    let base = serve(Router::new().fallback_service(app)).await;
    let client = reqwest::Client::new();

    let res = client.get(format!("{base}/down")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers().contains_key("retry-after"));
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("10.0.0.1") && !body.contains("db down"),
        "{body}"
    );

    let res = client.get(format!("{base}/who")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("www-authenticate"));

    let res = client.get(format!("{base}/teapot")).send().await.unwrap();
    assert_eq!(res.status(), 418);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], 418);
    assert_eq!(body["detail"], "short and stout");

    let res = client.get(format!("{base}/storage")).send().await.unwrap();
    assert_eq!(res.status(), 507);
    let body = res.text().await.unwrap();
    assert!(!body.contains("/var"), "{body}");
}
