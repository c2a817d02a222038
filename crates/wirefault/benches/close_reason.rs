//! Truncating a WebSocket close reason to 123 bytes on a character
//! boundary (`wirefault::truncate_reason`): a short reason (returned as
//! is), one of exactly 123 bytes, and 4 KiB of multi-byte text.
//!
//! `cargo bench -p wirefault --bench close_reason`
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use wirefault::{truncate_reason, MAX_REASON_BYTES};

fn truncate(c: &mut Criterion) {
    let short = "title already exists".to_owned();
    let exact = "x".repeat(MAX_REASON_BYTES);
    // 4 KiB of 1-, 2-, 3- and 4-byte characters: 10 bytes a round.
    let multi: String = "aé€😀".repeat(4096 / 10);
    for (name, input) in [
        ("short", &short),
        ("123_bytes", &exact),
        ("4KiB_multibyte", &multi),
    ] {
        let out = truncate_reason(input);
        assert!(out.len() <= MAX_REASON_BYTES && input.starts_with(out));
        c.bench_function(&format!("close_reason/{name}"), |b| {
            b.iter(|| truncate_reason(black_box(input.as_str())).len())
        });
    }
}

criterion_group!(benches, truncate);
criterion_main!(benches);
