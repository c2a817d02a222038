//! Problem rendering from arbitrary strings (detail, title, field pointer,
//! field detail, request id): `to_json` always gives JSON that parses back
//! with the same values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirefault::{Fault, Problem};

fuzz_target!(|input: (String, String, String, String, String)| {
    let (detail, title, pointer, field_detail, request_id) = input;
    let fault = Fault::unprocessable()
        .detail(detail.clone())
        .title(title.clone())
        .field(pointer.as_str(), field_detail.clone());
    let json = Problem::from_fault(&fault, Some(&request_id)).to_json();
    let body: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("not JSON ({e}): {json}"));
    assert_eq!(body["status"], 422, "{json}");
    assert_eq!(body["detail"], detail.as_str(), "{json}");
    assert_eq!(body["title"], title.as_str(), "{json}");
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{json}");
    assert_eq!(errors[0]["detail"], field_detail.as_str(), "{json}");
    assert!(errors[0]["pointer"].is_string(), "{json}");

    // A server error renders as JSON too, and shows none of the detail.
    let fault = Fault::internal().detail(detail.clone());
    let json = Problem::from_fault(&fault, Some(&request_id)).to_json();
    let body: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("not JSON ({e}): {json}"));
    assert_eq!(body["status"], 500, "{json}");
});
