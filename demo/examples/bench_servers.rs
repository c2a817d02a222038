//! Two servers for `scripts/bench-load.sh`, serving the same routes as the
//! reference service's hot paths:
//!
//! - `bare`: plain axum, tower-http's `CorsLayer` with `AllowOrigin::list`,
//!   a hand-written 422 JSON body;
//! - `wirefault`: the same router `around` one stack of
//!   `request_id_layer()`, `cors_layer(&policy)` and
//!   `error_layer(ProblemLayer)`, faults as problem+json.
//!
//! Routes: `GET /health` (200), any unknown path (404), `POST /notes`
//! (`{"title": 1–200 chars, "body": string ≤ 10000}`: 422 with one error
//! per bad field; 201 otherwise, nothing stored), and CORS preflights for
//! the origin `http://127.0.0.1:3001`.
//!
//! `cargo run --release -p wirefault-demo --example bench_servers -- BARE_ADDR WIREFAULT_ADDR`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};
use wirefault::axum::{around, cors_layer, error_layer, request_id_layer, ProblemLayer};
use wirefault::{CorsPolicy, Fault};

const ORIGIN: &str = "http://127.0.0.1:3001";

async fn health() -> axum::Json<Value> {
    axum::Json(json!({ "status": "ok" }))
}

/// The field errors of a note, as (pointer, detail).
fn check(input: &Value) -> Vec<(&'static str, &'static str)> {
    let mut errors = Vec::new();
    match input.get("title").and_then(Value::as_str) {
        Some(t) if (1..=200).contains(&t.chars().count()) => {}
        _ => errors.push(("#/title", "must be a string of 1 to 200 characters")),
    }
    match input.get("body") {
        None => {}
        Some(Value::String(b)) if b.chars().count() <= 10_000 => {}
        _ => errors.push(("#/body", "must be a string of at most 10000 characters")),
    }
    errors
}

async fn bare_create(axum::Json(input): axum::Json<Value>) -> axum::response::Response {
    let errors = check(&input);
    if errors.is_empty() {
        return (StatusCode::CREATED, axum::Json(input)).into_response();
    }
    let errors: Vec<Value> = errors
        .iter()
        .map(|(p, d)| json!({ "pointer": p, "detail": d }))
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({ "title": "invalid note", "errors": errors })),
    )
        .into_response()
}

async fn wf_create(
    wirefault::axum::Json(input): wirefault::axum::Json<Value>,
) -> Result<impl IntoResponse, Fault> {
    let errors = check(&input);
    if errors.is_empty() {
        return Ok((StatusCode::CREATED, axum::Json(input)));
    }
    let mut fault = Fault::unprocessable().detail("the note has invalid fields");
    for (pointer, detail) in errors {
        fault = fault.field(pointer, detail);
    }
    Err(fault)
}

async fn wf_not_found(uri: axum::http::Uri) -> Fault {
    Fault::not_found(format!("no resource at {}", uri.path()))
}

fn bare() -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list([HeaderValue::from_static(ORIGIN)]))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderName::from_static("x-request-id"),
        ])
        .allow_credentials(true);
    Router::new()
        .route("/health", get(health))
        .route("/notes", post(bare_create))
        .layer(cors)
}

fn wirefault() -> Router {
    let policy = CorsPolicy::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["GET", "POST", "DELETE"])
        .allow_headers(["content-type", "x-request-id"])
        .allow_credentials(true)
        .build()
        .unwrap();
    let routes = Router::new()
        .route("/health", get(health))
        .route("/notes", post(wf_create))
        .fallback(wf_not_found);
    let stack = tower::ServiceBuilder::new()
        .layer(request_id_layer())
        .layer(cors_layer(&policy))
        .layer(error_layer(ProblemLayer::new()));
    around(routes, stack)
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let bare_addr = args.next().unwrap_or_else(|| "127.0.0.1:3101".into());
    let wf_addr = args.next().unwrap_or_else(|| "127.0.0.1:3102".into());
    let bare_listener = tokio::net::TcpListener::bind(&bare_addr).await.unwrap();
    let wf_listener = tokio::net::TcpListener::bind(&wf_addr).await.unwrap();
    println!("bare on {bare_addr}, wirefault on {wf_addr}");
    let bare = tokio::spawn(async move { axum::serve(bare_listener, bare()).await });
    let wf = tokio::spawn(async move { axum::serve(wf_listener, wirefault()).await });
    let (a, b) = tokio::join!(bare, wf);
    a.unwrap().unwrap();
    b.unwrap().unwrap();
}
