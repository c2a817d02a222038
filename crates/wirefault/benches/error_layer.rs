//! The in-process cost of wirefault's layer on an axum `Router`: the same
//! routes bare, inside one `WirefaultLayer`, and inside the same behaviour
//! assembled by hand from tower-http (`SetRequestId` +
//! `PropagateRequestId`, `CatchPanic` with a problem+json handler, a
//! problem+json fallback), called with `tower::ServiceExt::oneshot` for a
//! success (`GET /health`) and an unknown path; the response body is read
//! to the end, as a client would.
//!
//! `cargo bench -p wirefault --features axum --bench error_layer` prints
//! criterion's figures, then a `ratio` line per route and stack.
#![allow(clippy::unwrap_used, missing_docs)]

use axum::body::Body;
use axum::http::{header, HeaderName, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use criterion::{criterion_group, criterion_main, Criterion};
use std::any::Any;
use std::convert::Infallible;
use std::time::{Duration, Instant};
use tower::{Layer, Service, ServiceExt};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use wirefault::axum::WirefaultLayer;

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

fn bare() -> Router {
    Router::new().route("/health", get(health))
}

fn problem(status: StatusCode, detail: String) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

async fn th_not_found(uri: Uri) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        format!("no resource at {}", uri.path()),
    )
}

fn th_panic(_: Box<dyn Any + Send>) -> Response {
    problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error".into())
}

/// What a user would assemble from tower-http instead, around the whole
/// router (its best placement; `Router::layer` would wrap each route).
fn tower_http() -> impl Service<Request<Body>, Response = Response, Error = Infallible> + Clone {
    let x_request_id = HeaderName::from_static("x-request-id");
    let routes = Router::new()
        .route("/health", get(health))
        .fallback(th_not_found);
    tower::ServiceBuilder::new()
        .map_response(|r: axum::http::Response<_>| r.map(Body::new))
        .layer(SetRequestIdLayer::new(
            x_request_id.clone(),
            MakeRequestUuid,
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(CatchPanicLayer::custom(
            th_panic as fn(Box<dyn Any + Send>) -> Response,
        ))
        .service(routes)
}

fn wirefault() -> wirefault::axum::WirefaultService<Router> {
    WirefaultLayer::new().layer(bare())
}

fn request(path: &'static str) -> Request<Body> {
    // A static URI: its clones share the bytes, as the clones of a URI
    // hyper parsed do (a URI parsed from a `&str` would allocate on its
    // first clone, which no server pays).
    Request::builder()
        .uri(Uri::from_static(path))
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap()
}

/// One call, the body read to the end as a client would.
async fn call<S>(service: &S, path: &'static str) -> StatusCode
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
{
    let res = service.clone().oneshot(request(path)).await.unwrap();
    let status = res.status();
    axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    status
}

/// `ERROR_LAYER_CALLS=STACK:PATH:N` (stack `bare`, `wirefault` or
/// `tower-http`) makes N calls and exits: run it under
/// `valgrind --tool=callgrind` with two values of N; the difference in
/// instructions over the difference in N is the cost of one request,
/// stable on a busy machine where wall-clock time is not.
fn calls_only(spec: &str) {
    let mut parts = spec.split(':');
    let (stack, path, n) = (
        parts.next().unwrap_or("bare"),
        parts.next().unwrap_or("/health"),
        parts
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(1000),
    );
    let path: &'static str = if path == "/health" {
        "/health"
    } else {
        "/missing"
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (bare, wirefault, tower_http) = (bare(), wirefault(), tower_http());
    rt.block_on(async {
        for _ in 0..n {
            match stack {
                "wirefault" => call(&wirefault, path).await,
                "tower-http" => call(&tower_http, path).await,
                _ => call(&bare, path).await,
            };
        }
    });
}

fn layers(c: &mut Criterion) {
    if let Ok(spec) = std::env::var("ERROR_LAYER_CALLS") {
        calls_only(&spec);
        std::process::exit(0);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let (bare, wirefault, tower_http) = (bare(), wirefault(), tower_http());
    for (path, status) in [
        ("/health", StatusCode::OK),
        ("/missing", StatusCode::NOT_FOUND),
    ] {
        let mut group = c.benchmark_group(format!("error_layer{path}"));
        assert_eq!(rt.block_on(call(&bare, path)), status);
        assert_eq!(rt.block_on(call(&wirefault, path)), status);
        assert_eq!(rt.block_on(call(&tower_http, path)), status);
        group.bench_function("bare", |b| b.iter(|| rt.block_on(call(&bare, path))));
        group.bench_function("wirefault", |b| {
            b.iter(|| rt.block_on(call(&wirefault, path)))
        });
        group.bench_function("tower-http", |b| {
            b.iter(|| rt.block_on(call(&tower_http, path)))
        });
        group.finish();
    }

    // A plain timing loop for the ratios, so the output states them.
    fn time<S>(rt: &tokio::runtime::Runtime, service: &S, path: &'static str) -> Duration
    where
        S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone,
    {
        let n = 20_000;
        rt.block_on(async {
            for _ in 0..1000 {
                call(service, path).await;
            }
            let start = Instant::now();
            for _ in 0..n {
                call(service, path).await;
            }
            start.elapsed() / n
        })
    }
    for path in ["/health", "/missing"] {
        let bare_t = time(&rt, &bare, path);
        let wf_t = time(&rt, &wirefault, path);
        let th_t = time(&rt, &tower_http, path);
        println!(
            "ratio {path}: bare {bare_t:?}, wirefault {wf_t:?} ({:.2}x bare's time), \
             tower-http {th_t:?} ({:.2}x bare's time)",
            wf_t.as_secs_f64() / bare_t.as_secs_f64(),
            th_t.as_secs_f64() / bare_t.as_secs_f64(),
        );
    }
}

criterion_group!(benches, layers);
criterion_main!(benches);
