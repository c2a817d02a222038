//! An axum API for a browser front end that took tower-http's
//! `CorsLayer::very_permissive()` to "get CORS working": it mirrors any
//! origin with credentials, a mistake its maintainers would fix
//! (WF-CORS-002).
//!
//! Run: axum_cors_mirror PORT

use axum::routing::get;
use axum::{Json, Router};
use tower_http::cors::CorsLayer;

#[tokio::main]
async fn main() {
    let port = std::env::args()
        .nth(1)
        .expect("usage: axum_cors_mirror PORT");
    let app = Router::new()
        .route("/", get(|| async { "wallet api" }))
        .route(
            "/api/wallet",
            get(|| async { Json(serde_json::json!({"owner": "ada", "balance": 42})) }),
        )
        .layer(CorsLayer::very_permissive());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
