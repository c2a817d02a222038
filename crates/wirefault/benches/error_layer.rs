//! The cost of wirefault's layers on an axum `Router`: the same router
//! bare, and `around` one stack of `request_id_layer()` and
//! `error_layer(ProblemLayer::new())`, called in-process with `tower::ServiceExt::oneshot`
//! for a success route (`GET /health`) and a 404 (an unknown path).
//!
//! `cargo bench -p wirefault --features axum --bench error_layer` prints
//! criterion's figures, then a `ratio = wrapped / bare` line per route.
#![allow(clippy::unwrap_used, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use wirefault::axum::{
    around, error_layer, error_layers, request_id_layer, request_id_layers, ProblemLayer,
};
use wirefault::Fault;

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

fn bare() -> Router {
    Router::new().route("/health", get(health))
}

async fn not_found() -> Fault {
    Fault::not_found("no resource here")
}

fn wrapped() -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .fallback(not_found);
    let stack = tower::ServiceBuilder::new()
        .layer(request_id_layer())
        .layer(error_layer(ProblemLayer::new()));
    around(routes, stack)
}

/// A no-op layer: what any `Router::layer` call costs (axum boxes and
/// clones each layered route per request), the floor for the others.
fn noop_layer() -> Router {
    Router::new()
        .route("/health", get(health))
        .fallback(not_found)
        .layer(tower::util::MapRequestLayer::new(|r: Request<Body>| r))
}

/// `around` with a layer that does nothing: the cost of the extra router.
fn around_noop() -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .fallback(not_found);
    around(routes, tower::layer::util::Identity::new())
}

/// Only the request-id layers, to see what each half costs.
fn request_id_only() -> Router {
    request_id_layers(
        Router::new()
            .route("/health", get(health))
            .fallback(not_found),
    )
}

/// Only the error layers.
fn errors_only() -> Router {
    let routes = Router::new()
        .route("/health", get(health))
        .fallback(not_found);
    error_layers(routes, ProblemLayer::new())
}

fn request(path: &str) -> Request<Body> {
    Request::builder().uri(path).body(Body::empty()).unwrap()
}

/// One call, the body read to the end as a client would.
async fn call(router: &Router, path: &str) -> StatusCode {
    let res = router.clone().oneshot(request(path)).await.unwrap();
    let status = res.status();
    axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    status
}

fn layers(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let routers = [
        ("bare", bare()),
        ("wirefault", wrapped()),
        ("request-id-only", request_id_only()),
        ("errors-only", errors_only()),
        ("noop-layer", noop_layer()),
        ("around-noop", around_noop()),
    ];
    for (path, status) in [
        ("/health", StatusCode::OK),
        ("/missing", StatusCode::NOT_FOUND),
    ] {
        let mut group = c.benchmark_group(format!("error_layer{path}"));
        for (name, router) in &routers {
            assert_eq!(rt.block_on(call(router, path)), status, "{name} {path}");
            group.bench_function(*name, |b| b.iter(|| rt.block_on(call(router, path))));
        }
        group.finish();
    }

    // A plain timing loop for the ratio, so the output states it directly.
    let time = |router: &Router, path: &str| {
        let n = 20_000;
        rt.block_on(async {
            for _ in 0..1000 {
                call(router, path).await;
            }
            let start = Instant::now();
            for _ in 0..n {
                call(router, path).await;
            }
            start.elapsed() / n
        })
    };
    for path in ["/health", "/missing"] {
        let bare_t: Duration = time(&routers[0].1, path);
        let wrapped_t = time(&routers[1].1, path);
        println!(
            "ratio {path}: wirefault {wrapped_t:?} / bare {bare_t:?} = {:.2}",
            wrapped_t.as_secs_f64() / bare_t.as_secs_f64()
        );
    }
}

criterion_group!(benches, layers);
criterion_main!(benches);
