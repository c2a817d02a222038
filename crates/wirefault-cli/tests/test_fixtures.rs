//! Each broken axum fixture is found by exactly its rule; the correct one by none.
#![allow(clippy::unwrap_used)]

mod fixtures;

use fixtures::{app, audit_ids, data, serve, Fault, TRUSTED};

/// A valid message for the fixtures' socket (it answers any JSON).
const SAMPLE: &str = r#"/ws={"op":"ping","id":"a1","n":1}"#;

fn check(fault: Fault, path: &str, expected: &[&str]) {
    check_with(fault, path, expected, &[]);
}

fn check_with(fault: Fault, path: &str, expected: &[&str], extra: &[&str]) {
    let addr = serve(app(fault));
    let url = format!("http://{addr}{path}");
    let openapi = data("openapi.json");
    let mut args = vec!["--origin", TRUSTED, "--ws", "/ws", "--openapi", &openapi];
    // The sample teaches the probe the socket speaks JSON (WF-WS-003).
    if format!("{fault:?}").starts_with("Ws") {
        args.extend(["--ws-message", SAMPLE]);
    }
    args.extend_from_slice(extra);
    let (code, ids, report) = audit_ids(&url, &args);
    let expected: std::collections::BTreeSet<String> =
        expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(
        ids,
        expected,
        "{fault:?}: {}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(code, if expected.is_empty() { 0 } else { 1 }, "{fault:?}");
}

macro_rules! fixture {
    ($($name:ident: $fault:ident, $path:literal => [$($id:literal),*];)*) => {
        $(
            #[test]
            fn $name() {
                check(Fault::$fault, $path, &[$($id),*]);
            }
        )*
    };
}

fixture! {
    correct_service_has_no_finding: Correct, "/" => [];
    unknown_path_answered_200: UnknownPath200, "/" => ["WF-HTTP-001"];
    any_method_accepted: AnyMethod, "/" => ["WF-HTTP-002"];
    method_not_allowed_without_allow: NoAllow, "/" => ["WF-HTTP-003"];
    bad_body_answered_500: Body500, "/" => ["WF-HTTP-004"];
    bad_body_answered_200: Body200, "/" => ["WF-HTTP-005"];
    errors_without_body: EmptyError, "/" => ["WF-HTTP-006"];
    errors_as_text: TextError, "/" => ["WF-HTTP-007"];
    panic_in_500_body: Leak500, "/boom" => ["WF-HTTP-008"];
    unauthorized_without_challenge: NoChallenge, "/private" => ["WF-HTTP-009"];
    too_many_requests_without_retry_after: NoRetryAfter, "/busy" => ["WF-HTTP-010"];
    cors_star_with_credentials: CorsStar, "/" => ["WF-CORS-001"];
    cors_mirror_with_credentials: CorsMirror, "/" => ["WF-CORS-002"];
    cors_null_with_credentials: CorsNull, "/" => ["WF-CORS-003"];
    cors_prefix_match: CorsPrefix, "/" => ["WF-CORS-004"];
    cors_without_vary: CorsNoVary, "/" => ["WF-CORS-005"];
    cors_preflight_wildcard: CorsPreflightWildcard, "/" => ["WF-CORS-006"];
    cors_header_not_exposed: CorsUnexposed, "/" => ["WF-CORS-007"];
    ws_dropped: WsDrop, "/" => ["WF-WS-002"];
    ws_no_close: WsNoClose, "/" => ["WF-WS-003"];
    ws_reserved_close_code: WsBadCode, "/" => ["WF-WS-004"];
    ws_long_reason: WsLongReason, "/" => ["WF-WS-005"];
    ws_leaky_reason: WsLeakReason, "/" => ["WF-WS-006"];
    ws_http_after_upgrade: WsHttpAfterUpgrade, "/" => ["WF-WS-007"];
    ws_close_not_answered: WsCloseNotAnswered, "/" => ["WF-WS-008"];
}

/// A cookie-authenticated socket that accepts any origin: cross-site
/// WebSocket hijacking, an error.
#[test]
fn ws_any_origin_with_a_cookie_is_an_error() {
    check_with(
        Fault::WsAnyOrigin,
        "/",
        &["WF-WS-001"],
        &["--cookie", "sid=1"],
    );
}

/// The same socket audited without credentials: an anonymous socket, info
/// with its context, and the audit passes.
#[test]
fn ws_any_origin_without_credentials_is_info() {
    let addr = serve(app(Fault::WsAnyOrigin));
    let url = format!("http://{addr}/");
    let (code, ids, report) = audit_ids(&url, &["--origin", TRUSTED, "--ws", "/ws"]);
    assert_eq!(
        ids.into_iter().collect::<Vec<_>>(),
        ["WF-WS-001"],
        "{report:#}"
    );
    assert_eq!(code, 0, "{report:#}");
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "info");
    assert!(
        finding["context"].as_str().unwrap().contains("anonymous"),
        "{finding:#}"
    );
}
