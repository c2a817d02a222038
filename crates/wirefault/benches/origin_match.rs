//! Origin matching with 10 and 10,000 allowed origins: wirefault's hash
//! matcher against tower-http's `AllowOrigin::list` (a linear scan).
//!
//! Two measurements, both honest about what runs in production:
//! - `match/*`: the matching step alone (`CorsPolicy::allows_origin` against
//!   `Vec<HeaderValue>::contains`, which is what `AllowOrigin::list` does).
//! - `layer/*`: a tower-http `Cors` service wrapping a trivial service,
//!   called with a request that carries an `Origin` header; once with
//!   `AllowOrigin::list(..)`, once with `AllowOrigin::predicate` calling the
//!   policy, and, with the `axum` feature, wirefault's own
//!   `CorsPolicyLayer` (the origin matched once per request).
//!
//! `cargo bench -p wirefault --bench origin_match` prints criterion's
//! figures, then `ratio = …` lines from a plain timing loop.
#![allow(clippy::unwrap_used, missing_docs)]

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion};
use futures_util::FutureExt;
use http::header::ORIGIN;
use http::{HeaderValue, Request, Response};
use tower::{service_fn, Layer, Service};
use tower_http::cors::{AllowOrigin, CorsLayer};
use wirefault::cors::CorsPolicy;

const SIZES: [usize; 2] = [10, 10_000];

fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://tenant{i}.example.com"))
        .collect()
}

/// The last listed origin (the worst case for a scan) and a foreign one.
fn probes(n: usize) -> [(&'static str, HeaderValue); 2] {
    [
        (
            "last",
            HeaderValue::from_str(&format!("https://tenant{}.example.com", n - 1)).unwrap(),
        ),
        (
            "foreign",
            HeaderValue::from_static("https://evil.example.net"),
        ),
    ]
}

fn policy(n: usize) -> CorsPolicy {
    CorsPolicy::builder()
        .allow_origins(origins(n))
        .allow_methods(["GET"])
        .build()
        .unwrap()
}

fn list(n: usize) -> Vec<HeaderValue> {
    origins(n)
        .iter()
        .map(|o| HeaderValue::from_str(o).unwrap())
        .collect()
}

type Inner =
    tower::util::ServiceFn<fn(Request<()>) -> std::future::Ready<Result<Response<()>, Infallible>>>;

fn inner() -> Inner {
    service_fn(|_req: Request<()>| std::future::ready(Ok(Response::new(()))))
}

fn request(origin: &HeaderValue) -> Request<()> {
    Request::builder()
        .uri("/notes")
        .header(ORIGIN, origin.clone())
        .body(())
        .unwrap()
}

/// Calls the service once; the trivial inner service is always ready.
fn call<S>(svc: &mut S, req: Request<()>) -> bool
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let res = svc.call(req).now_or_never().unwrap().unwrap();
    res.headers().contains_key("access-control-allow-origin")
}

fn tower_http_list(n: usize) -> tower_http::cors::Cors<Inner> {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list(n)))
        .allow_methods([http::Method::GET])
        .layer(inner())
}

fn tower_http_with_policy(n: usize) -> tower_http::cors::Cors<Inner> {
    let policy = policy(n);
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |o, _| policy.allows_origin(o)))
        .allow_methods([http::Method::GET])
        .layer(inner())
}

fn bench_match(c: &mut Criterion) {
    let mut group = c.benchmark_group("match");
    for n in SIZES {
        let policy = policy(n);
        let list = list(n);
        for (probe, origin) in probes(n) {
            let id = format!("{n}/{probe}");
            group.bench_with_input(BenchmarkId::new("wirefault", &id), &origin, |b, o| {
                b.iter(|| policy.allows_origin(black_box(o)))
            });
            group.bench_with_input(BenchmarkId::new("tower_http_list", &id), &origin, |b, o| {
                b.iter(|| list.contains(black_box(o)))
            });
        }
    }
    group.finish();
}

fn bench_layer(c: &mut Criterion) {
    let mut group = c.benchmark_group("layer");
    for n in SIZES {
        let mut ours = tower_http_with_policy(n);
        let mut theirs = tower_http_list(n);
        #[cfg(feature = "axum")]
        let mut full = wirefault::axum::CorsPolicyLayer::new(&policy(n)).layer(inner());
        for (probe, origin) in probes(n) {
            let id = format!("{n}/{probe}");
            let expected = probe == "last";
            assert_eq!(call(&mut ours, request(&origin)), expected);
            assert_eq!(call(&mut theirs, request(&origin)), expected);
            group.bench_with_input(
                BenchmarkId::new("wirefault_predicate", &id),
                &origin,
                |b, o| b.iter_batched(|| request(o), |r| call(&mut ours, r), BatchSize::SmallInput),
            );
            group.bench_with_input(BenchmarkId::new("tower_http_list", &id), &origin, |b, o| {
                b.iter_batched(
                    || request(o),
                    |r| call(&mut theirs, r),
                    BatchSize::SmallInput,
                )
            });
            #[cfg(feature = "axum")]
            group.bench_with_input(
                BenchmarkId::new("wirefault_cors_layer", &id),
                &origin,
                |b, o| b.iter_batched(|| request(o), |r| call(&mut full, r), BatchSize::SmallInput),
            );
        }
    }
    group.finish();
}

/// Mean time per call over `iters` calls, requests built outside the timer.
fn time_layer<S>(svc: &mut S, origin: &HeaderValue, iters: usize) -> Duration
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let requests: Vec<_> = (0..iters).map(|_| request(origin)).collect();
    let start = Instant::now();
    for r in requests {
        black_box(call(svc, r));
    }
    start.elapsed() / iters as u32
}

fn print_ratios() {
    println!("\nlayer call, mean of a plain timing loop (tower-http list / wirefault):");
    for n in SIZES {
        let mut ours = tower_http_with_policy(n);
        let mut theirs = tower_http_list(n);
        for (probe, origin) in probes(n) {
            // Warm up, then measure.
            time_layer(&mut ours, &origin, 1_000);
            time_layer(&mut theirs, &origin, 1_000);
            let iters = if n > 1_000 { 20_000 } else { 200_000 };
            let a = time_layer(&mut ours, &origin, iters);
            let b = time_layer(&mut theirs, &origin, iters);
            println!(
                "{n:>6} origins, {probe:<7}: wirefault {a:>10.2?}  tower-http {b:>10.2?}  ratio = {:.1}",
                b.as_secs_f64() / a.as_secs_f64()
            );
        }
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_match(&mut c);
    bench_layer(&mut c);
    c.final_summary();
    // `cargo bench` passes `--bench`; `cargo test` runs each bench once
    // in test mode, where the timing loop would only slow things down.
    if std::env::args().any(|a| a == "--bench") {
        print_ratios();
    }
}
