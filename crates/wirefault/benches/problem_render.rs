//! Rendering a problem response: a 422 fault with three field errors and a
//! 500, from `Fault` to the `application/problem+json` body
//! (`Problem::from_fault(..).to_json()`, and the borrowed `Problem::render`
//! every error response uses), with a request id.
//!
//! `cargo bench -p wirefault --bench problem_render`
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use wirefault::{Fault, Problem};

const REQUEST_ID: &str = "0b3c6a1e-6f0c-4a4e-9d1b-5f0d2c8e7a11";

fn unprocessable() -> Fault {
    Fault::unprocessable()
        .detail("the note has 3 invalid fields")
        .field("#/title", "must be 1 to 200 characters")
        .field("#/body", "must be at most 10000 characters")
        .field("#/tags/2", "must be one of: work, home, later")
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("problem_render");
    let f422 = unprocessable();
    let f500 = Fault::internal_from(std::io::Error::other("disk on fire at /var/lib/db"));
    group.bench_function("422_three_fields", |b| {
        b.iter(|| Problem::from_fault(black_box(&f422), Some(REQUEST_ID)).to_json())
    });
    group.bench_function("422_three_fields_render", |b| {
        b.iter(|| Problem::render(black_box(&f422), Some(REQUEST_ID)))
    });
    group.bench_function("500_render", |b| {
        b.iter(|| Problem::render(black_box(&f500), Some(REQUEST_ID)))
    });
    group.bench_function("500", |b| {
        b.iter(|| Problem::from_fault(black_box(&f500), Some(REQUEST_ID)).to_json())
    });
    // Building the fault too, as a handler does on every failing request.
    group.bench_function("422_three_fields_with_construction", |b| {
        b.iter(|| Problem::from_fault(&black_box(unprocessable()), Some(REQUEST_ID)).to_json())
    });
    group.finish();

    // Sanity: what is measured is what a client gets.
    let body: serde_json::Value =
        serde_json::from_str(&Problem::from_fault(&f422, Some(REQUEST_ID)).to_json()).unwrap();
    assert_eq!(body["status"], 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3);
    let body = Problem::from_fault(&f500, Some(REQUEST_ID)).to_json();
    assert!(!body.contains("disk on fire"), "{body}");
}

criterion_group!(benches, render);
criterion_main!(benches);
