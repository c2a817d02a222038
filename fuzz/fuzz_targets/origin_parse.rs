//! `Origin::parse` on arbitrary UTF-8: never panics, and what it accepts
//! is normalized for good (parsing the normal form gives the same origin).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirefault::cors::Origin;

fuzz_target!(|input: &str| {
    if let Ok(origin) = Origin::parse(input) {
        let again = Origin::parse(origin.as_str())
            .unwrap_or_else(|e| panic!("{input:?} -> {origin} does not parse again: {e}"));
        assert_eq!(origin, again, "{input:?}");
        assert!(origin.as_str().starts_with(origin.scheme()));
        assert!(origin.as_str().contains(origin.host()));
    }
});
