//! `truncate_reason`: the result is a prefix of the input, at most 123
//! bytes, and only shorter than the input when the input is over 123.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirefault::{truncate_reason, MAX_REASON_BYTES};

fuzz_target!(|input: &str| {
    let out = truncate_reason(input);
    assert!(MAX_REASON_BYTES == 123);
    assert!(out.len() <= MAX_REASON_BYTES, "{} bytes", out.len());
    assert!(input.starts_with(out));
    if input.len() <= MAX_REASON_BYTES {
        assert_eq!(out, input);
    } else {
        // The longest prefix that fits: at most 3 bytes of a cut character.
        assert!(
            out.len() + 3 >= MAX_REASON_BYTES,
            "{} of {}",
            out.len(),
            input.len()
        );
    }
});
