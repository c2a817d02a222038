//! Three servers for `scripts/bench-load.sh`, serving the same routes as
//! the reference service's hot paths:
//!
//! - `bare`: plain axum, tower-http's `CorsLayer` with `AllowOrigin::list`
//!   around the whole router, a hand-written 422 JSON body, axum's empty
//!   404 (the floor);
//! - `wirefault`: the same router inside one `WirefaultLayer` with the
//!   same origin list, faults as problem+json;
//! - `tower-http`: what a user would assemble instead, by hand from
//!   tower-http: `SetRequestId` + `PropagateRequestId` (UUID v4),
//!   `CatchPanic` with a problem+json handler, `CorsLayer` with the same
//!   list, a problem+json fallback and JSON rejections mapped to
//!   problem+json, around the whole router.
//!
//! Routes: `GET /health` (200), any unknown path (404), `POST /notes`
//! (`{"title": 1–200 chars, "body": string ≤ 10000}`: 422 with one error
//! per bad field; 201 otherwise, nothing stored), and CORS preflights for
//! the origin `http://127.0.0.1:3001`.
//!
//! A fourth, `plain` (axum without CORS: preflights get 405), shows what
//! tower-http's `CorsLayer` costs the `bare` server. A fifth,
//! `wirefault-serve`, is `wirefault` served by `wirefault::axum::serve`
//! instead of `axum::serve`, for `scripts/bench-serve.sh`: what the
//! bounded server costs per request.
//!
//! All log as the reference service does: `tracing_subscriber::fmt` with
//! `RUST_LOG` (default `info`), so the log level costs them alike.
//!
//! `cargo run --release -p wirefault-demo --example bench_servers -- BARE_ADDR WIREFAULT_ADDR TOWER_HTTP_ADDR PLAIN_ADDR [WIREFAULT_SERVE_ADDR]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::extract::rejection::JsonRejection;
use axum::http;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, IntoMakeService};
use axum::Router;
use serde_json::{json, Value};
use std::any::Any;
use tower::util::MapResponse;
use tower::{Layer, ServiceBuilder};
use tower_http::catch_panic::{CatchPanic, CatchPanicLayer};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestId, PropagateRequestIdLayer, SetRequestId, SetRequestIdLayer,
};
use wirefault::axum::WirefaultLayer;
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

/// 201 with the note, or its field errors as a JSON array (hand-written,
/// as a user without wirefault would).
fn checked(input: Value) -> Result<Response, Value> {
    let errors = check(&input);
    if errors.is_empty() {
        return Ok((StatusCode::CREATED, axum::Json(input)).into_response());
    }
    Err(errors
        .iter()
        .map(|(p, d)| json!({ "pointer": p, "detail": d }))
        .collect())
}

async fn bare_create(axum::Json(input): axum::Json<Value>) -> axum::response::Response {
    match checked(input) {
        Ok(created) => created,
        Err(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({ "title": "invalid note", "errors": errors })),
        )
            .into_response(),
    }
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

/// A problem+json response, as a user of plain tower-http would write it.
fn problem(status: StatusCode, detail: &str, errors: Option<Value>) -> Response {
    let mut body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(errors) = errors {
        body["errors"] = errors;
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

async fn th_create(input: Result<axum::Json<Value>, JsonRejection>) -> Response {
    let input = match input {
        Ok(axum::Json(input)) => input,
        Err(rejection) => return problem(rejection.status(), &rejection.body_text(), None),
    };
    match checked(input) {
        Ok(created) => created,
        Err(errors) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the note has invalid fields",
            Some(errors),
        ),
    }
}

async fn th_not_found(uri: Uri) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        &format!("no resource at {}", uri.path()),
        None,
    )
}

fn th_panic(_: Box<dyn Any + Send>) -> Response {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the server failed to handle the request",
        None,
    )
}

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list([HeaderValue::from_static(ORIGIN)]))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            axum::http::header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .allow_credentials(true)
}

/// Plain axum, CORS around the whole router (not `Router::layer`, which
/// would wrap and clone each route per request): the floor.
fn bare() -> Cors<Router> {
    cors().layer(
        Router::new()
            .route("/health", get(health))
            .route("/notes", post(bare_create)),
    )
}

/// Plain axum without CORS at all (preflights get 405): the floor for
/// the other routes, to see what tower-http's `CorsLayer` costs `bare`.
fn plain() -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/notes", post(bare_create))
}

/// The hand-assembled stack, outermost first, around the whole router
/// (its best placement).
fn tower_http() -> TowerHttpStack {
    let x_request_id = HeaderName::from_static("x-request-id");
    let routes = Router::new()
        .route("/health", get(health))
        .route("/notes", post(th_create))
        .fallback(th_not_found);
    ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(
            x_request_id.clone(),
            MakeRequestUuid,
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(cors())
        .layer(CatchPanicLayer::custom(
            th_panic as fn(Box<dyn Any + Send>) -> Response,
        ))
        .service(routes)
}

type TowerHttpStack = SetRequestId<
    PropagateRequestId<Cors<CatchPanic<Router, fn(Box<dyn Any + Send>) -> Response>>>,
    MakeRequestUuid,
>;

fn wirefault() -> wirefault::axum::WirefaultService<Router> {
    let policy = CorsPolicy::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["GET", "POST", "DELETE"])
        .allow_headers(["content-type", "x-request-id"])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .build()
        .unwrap();
    let routes = Router::new()
        .route("/health", get(health))
        .route("/notes", post(wf_create));
    WirefaultLayer::new().cors(&policy).layer(routes)
}

/// Maps a response body to axum's.
type ToAxumBody<B> = fn(http::Response<B>) -> Response;

/// A tower-http stack for `axum::serve`: its response bodies mapped to
/// axum's body (as `Router::layer` would).
fn served<S, B>(service: S) -> IntoMakeService<MapResponse<S, ToAxumBody<B>>>
where
    S: tower::Service<axum::extract::Request, Response = http::Response<B>>,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let to_axum: ToAxumBody<B> = |r| r.map(axum::body::Body::new);
    axum::ServiceExt::<axum::extract::Request>::into_make_service(tower::ServiceExt::<
        axum::extract::Request,
    >::map_response(
        service, to_axum
    ))
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let mut args = std::env::args().skip(1);
    let bare_addr = args.next().unwrap_or_else(|| "127.0.0.1:3101".into());
    let wf_addr = args.next().unwrap_or_else(|| "127.0.0.1:3102".into());
    let th_addr = args.next().unwrap_or_else(|| "127.0.0.1:3104".into());
    let plain_addr = args.next().unwrap_or_else(|| "127.0.0.1:3105".into());
    let bare_listener = tokio::net::TcpListener::bind(&bare_addr).await.unwrap();
    let wf_listener = tokio::net::TcpListener::bind(&wf_addr).await.unwrap();
    let th_listener = tokio::net::TcpListener::bind(&th_addr).await.unwrap();
    let plain_listener = tokio::net::TcpListener::bind(&plain_addr).await.unwrap();
    tokio::spawn(async move { axum::serve(plain_listener, plain()).await });
    if let Some(addr) = args.next() {
        let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
        println!("wirefault-serve on {addr}");
        tokio::spawn(async move { wirefault::axum::serve(listener, wirefault()).await });
    }
    println!(
        "bare on {bare_addr}, wirefault on {wf_addr}, tower-http on {th_addr}, plain on {plain_addr}"
    );
    let bare = tokio::spawn(async move { axum::serve(bare_listener, served(bare())).await });
    let wf = tokio::spawn(async move { axum::serve(wf_listener, wirefault()).await });
    let th = tokio::spawn(async move { axum::serve(th_listener, served(tower_http())).await });
    let (a, b, c) = tokio::join!(bare, wf, th);
    a.unwrap().unwrap();
    b.unwrap().unwrap();
    c.unwrap().unwrap();
}
