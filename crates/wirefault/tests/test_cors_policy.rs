//! Building, validating and loading CORS policies.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use http::{HeaderName, Method};
use wirefault::cors::{AllowList, CorsConfigErrorKind, CorsPolicy, CorsPolicyBuilder};

fn build_err(b: CorsPolicyBuilder) -> wirefault::CorsConfigError {
    b.build().unwrap_err()
}

#[test]
fn each_non_origin_is_refused_with_key_value_and_reason() {
    let cases = [
        ("https://a.com/x", "it has a path"),
        ("https://a.com/", "it has a trailing slash"),
        ("a.com", "it has no scheme"),
        ("https://user@a.com", "it has userinfo"),
        ("https://a.com:99999", "its port is not a number"),
        ("https://a.com:", "its port is not a number"),
        ("https://a.com?x", "it has a query"),
        ("https://a.com#x", "it has a fragment"),
    ];
    for (value, reason) in cases {
        let e = build_err(CorsPolicy::builder().allow_origins(["https://ok.com", value]));
        assert_eq!(e.key(), "allow_origins[1]");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "allow_origins[1]: {value:?} is not an origin: {reason}"
            )),
            "{text}"
        );
    }
}

#[test]
fn credentials_refuse_wildcards_mirror_and_null() {
    let creds = || CorsPolicy::builder().allow_credentials(true);
    let e = build_err(creds().allow_any_origin());
    assert!(e.is_unsafe_with_credentials());
    assert_eq!(
        e.kind(),
        &CorsConfigErrorKind::WildcardWithCredentials { what: "origins" }
    );
    for b in [
        creds().allow_origin("https://a.com").allow_methods(["*"]),
        creds().allow_origin("https://a.com").allow_headers(["*"]),
        creds().allow_origin("https://a.com").expose_headers(["*"]),
        creds().mirror_request_origin(true),
        creds().allow_origin("null"),
    ] {
        assert!(build_err(b).is_unsafe_with_credentials());
    }
    // The same values are fine without credentials.
    for b in [
        CorsPolicy::builder()
            .allow_any_origin()
            .allow_methods(["*"]),
        CorsPolicy::builder().mirror_request_origin(true),
        CorsPolicy::builder().allow_origin("null"),
    ] {
        b.build().unwrap();
    }
}

#[test]
fn origins_compare_normalized() {
    let p = CorsPolicy::builder()
        .allow_origins([
            "https://App.Example.com:443",
            "http://localhost:3000",
            "https://bücher.example",
        ])
        .build()
        .unwrap();
    assert!(p.allows_origin("https://app.example.com"));
    assert!(p.allows_origin("HTTPS://APP.EXAMPLE.COM"));
    assert!(p.allows_origin("http://localhost:3000"));
    assert!(!p.allows_origin("http://localhost:3001"));
    assert!(!p.allows_origin("http://localhost"));
    assert!(p.allows_origin("https://xn--bcher-kva.example"));
    assert!(!p.allows_origin("https://bucher.example"));
}

/// Browsers send serialized origins, which are visible ASCII: any other
/// byte makes the value foreign before it is parsed, so no IDNA mapping
/// turns it into a listed origin, whatever the rule.
#[test]
fn origins_with_bytes_outside_visible_ascii_are_foreign() {
    let listed = CorsPolicy::builder()
        .allow_origins(["https://allowed.example", "https://bücher.example"])
        .allow_credentials(true)
        .build()
        .unwrap();
    let mirror = CorsPolicy::builder()
        .mirror_request_origin(true)
        .build()
        .unwrap();
    let any = CorsPolicy::builder().allow_origins(["*"]).build().unwrap();
    for value in [
        "https://\u{ff41}llowed.example",
        "https://allowed.example\u{feff}",
        "https://allowed\u{3002}example",
        "https://bücher.example",
        "https://allowed.example ",
        "https://allowed.example\t",
    ] {
        for policy in [&listed, &mirror, &any] {
            assert!(!policy.allows_origin(value), "{value:?} by {policy:?}");
        }
    }
    assert!(listed.allows_origin("https://allowed.example"));
    assert!(listed.allows_origin("https://xn--bcher-kva.example"));
    assert!(mirror.allows_origin("https://anything.example"));
}

#[test]
fn subdomain_patterns_are_opt_in_and_exclude_the_apex() {
    let p = CorsPolicy::builder()
        .allow_origin("https://example.com")
        .build()
        .unwrap();
    assert!(!p.allows_origin("https://a.example.com"));

    let p = CorsPolicy::builder()
        .allow_origin_patterns(["https://*.example.com"])
        .build()
        .unwrap();
    assert!(p.allows_origin("https://a.example.com"));
    assert!(p.allows_origin("https://deep.a.example.com"));
    assert!(!p.allows_origin("https://example.com"));
    assert!(!p.allows_origin("https://evil-example.com"));
    assert!(!p.allows_origin("https://example.com.evil.net"));
    assert!(!p.allows_origin("http://a.example.com"));
}

#[test]
fn ten_thousand_tenants() {
    let origins: Vec<String> = (0..10_000)
        .map(|i| format!("https://tenant{i}.example.net"))
        .collect();
    let p = CorsPolicy::builder()
        .allow_origins(origins)
        .allow_origin_patterns((0..10_000).map(|i| format!("https://*.t{i}.example.org")))
        .build()
        .unwrap();
    assert!(p.allows_origin("https://tenant0.example.net"));
    assert!(p.allows_origin("https://tenant9999.example.net"));
    assert!(p.allows_origin("https://x.t9999.example.org"));
    assert!(!p.allows_origin("https://tenant10000.example.net"));
    assert!(!p.allows_origin("https://t9999.example.org"));
}

#[test]
fn policy_reports_its_lists() {
    let p = CorsPolicy::builder()
        .allow_origin("https://a.com")
        .allow_methods([Method::GET, Method::DELETE])
        .allow_headers(["X-Custom"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(90))
        .build()
        .unwrap();
    assert_eq!(
        p.allowed_methods(),
        &AllowList::Only(vec![Method::GET, Method::DELETE])
    );
    assert!(p
        .allowed_headers()
        .contains(&HeaderName::from_static("x-custom")));
    assert!(p.exposes(&HeaderName::from_static("x-request-id")));
    assert!(p.exposes(&http::header::CONTENT_TYPE));
    assert!(!p.exposes(&HeaderName::from_static("x-other")));
    assert_eq!(p.max_age(), Some(Duration::from_secs(90)));
    assert!(!p.allows_credentials());
}

#[cfg(feature = "toml")]
mod toml_files {
    use wirefault::cors::OriginError;

    use super::*;

    #[test]
    fn loads_a_full_policy() {
        let p = CorsPolicy::from_toml_str(
            r#"
            allow_origins = ["https://app.example.com"]
            allow_origin_patterns = ["https://*.tenants.example.com"]
            allow_methods = ["GET", "POST"]
            allow_headers = ["content-type"]
            expose_headers = ["x-request-id"]
            allow_credentials = true
            max_age = 600
            "#,
        )
        .unwrap();
        assert!(p.allows_origin("https://a.tenants.example.com"));
        assert!(p.allows_credentials());
        assert_eq!(p.max_age(), Some(Duration::from_secs(600)));
    }

    #[test]
    fn errors_name_the_key() {
        let e = CorsPolicy::from_toml_str(
            r#"allow_origins = ["https://a.com", "https://b.com", "https://a.com/x"]"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"allow_origins[2]: "https://a.com/x" is not an origin: it has a path"#
        );
        assert_eq!(
            e.kind(),
            &CorsConfigErrorKind::NotAnOrigin {
                value: "https://a.com/x".into(),
                reason: OriginError::HasPath
            }
        );

        let e = CorsPolicy::from_toml_str(
            r#"
            allow_origins = ["*"]
            allow_credentials = true
            "#,
        )
        .unwrap_err();
        assert_eq!(e.key(), "allow_origins[0]");

        let e = CorsPolicy::from_toml_str(r#"allow_origin = ["https://a.com"]"#).unwrap_err();
        assert!(
            e.to_string().contains("unknown field `allow_origin`"),
            "{e}"
        );

        let e = CorsPolicy::from_toml_str("allow_credentials = \"yes\"").unwrap_err();
        assert!(e.to_string().contains("allow_credentials"), "{e}");
    }
}

#[test]
fn env_loading_names_the_variable() {
    let e = CorsPolicyBuilder::from_vars(
        "WIREFAULT_CORS",
        [
            (
                "WIREFAULT_CORS_ALLOW_ORIGINS",
                "https://a.com,https://b.com,https://a.com/x",
            ),
            ("WIREFAULT_CORS_ALLOW_CREDENTIALS", "true"),
        ],
    )
    .unwrap()
    .build()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"WIREFAULT_CORS_ALLOW_ORIGINS[2]: "https://a.com/x" is not an origin: it has a path"#
    );

    let e = CorsPolicyBuilder::from_vars("WIREFAULT_CORS", [("WIREFAULT_CORS_MAX_AGE", "10m")])
        .unwrap_err();
    assert_eq!(e.key(), "WIREFAULT_CORS_MAX_AGE");
}

#[test]
fn env_loading_reads_the_process_environment() {
    // A prefix no other test uses, so setting variables here is race-free.
    std::env::set_var("WFTEST_ENV_CORS_ALLOW_ORIGINS", "https://env.example");
    std::env::set_var("WFTEST_ENV_CORS_ALLOW_METHODS", "GET,PATCH");
    let p = CorsPolicy::from_env("WFTEST_ENV_CORS").unwrap();
    assert!(p.allows_origin("https://env.example"));
    assert!(p.allowed_methods().contains(&Method::PATCH));

    std::env::set_var("WFTEST_ENV_CORS_ALLOW_ORIGINZ", "https://env.example");
    let e = CorsPolicy::from_env("WFTEST_ENV_CORS").unwrap_err();
    assert_eq!(e.key(), "WFTEST_ENV_CORS_ALLOW_ORIGINZ");
    std::env::remove_var("WFTEST_ENV_CORS_ALLOW_ORIGINZ");
}
