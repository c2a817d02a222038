//! Close reasons: any input gives valid UTF-8 of at most 123 bytes that is
//! a prefix of the input, cut no shorter than it must be.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use wirefault::{truncate_reason, Close, CloseCode, CloseCodes, Fault, MAX_REASON_BYTES};

/// Strings around the limit, mixing 1- to 4-byte characters.
fn reasons() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zé€😀\u{0}-\u{7f}]{0,200}",
        "\\PC{100,140}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn truncated_reason_is_a_short_utf8_prefix(input in reasons()) {
        let cut = truncate_reason(&input);
        prop_assert!(cut.len() <= MAX_REASON_BYTES);
        prop_assert!(input.starts_with(cut));
        prop_assert!(std::str::from_utf8(cut.as_bytes()).is_ok());
        if input.len() <= MAX_REASON_BYTES {
            prop_assert_eq!(cut, input.as_str());
        } else {
            // Only the character straddling the limit is dropped.
            prop_assert!(cut.len() > MAX_REASON_BYTES - 4);
            prop_assert!(!input.is_char_boundary(MAX_REASON_BYTES) || cut.len() == MAX_REASON_BYTES);
        }
    }

    #[test]
    fn every_close_frame_reason_fits(input in reasons(), code in 0_u16..6000) {
        let Some(code) = CloseCode::new(code) else {
            prop_assert!(!wirefault::spec::close_code_is_sendable(code));
            return Ok(());
        };
        let close = Close::new(code, &input);
        prop_assert!(close.reason().len() <= MAX_REASON_BYTES);
        prop_assert!(input.starts_with(close.reason()));
        prop_assert!(close.code().is_sendable());
        for codes in [CloseCodes::Standard, CloseCodes::HttpMirror] {
            let close = Fault::conflict(input.clone()).close(codes);
            prop_assert!(close.reason().len() <= MAX_REASON_BYTES);
            prop_assert!(input.starts_with(close.reason()));
        }
    }
}
