//! The custom-header registry, its link to the CORS policy, and the debug
//! exposure warning over a real socket.
#![allow(clippy::unwrap_used)]

use http::HeaderName;
use wirefault::cors::{AllowList, CorsPolicy};
use wirefault::headers::{HeaderRegistry, HeaderRegistryError};

#[test]
fn custom_headers_need_the_x_prefix() {
    let mut r = HeaderRegistry::new();
    let id = r.register("X-Request-Id").unwrap();
    assert_eq!(id.as_str(), "x-request-id");
    r.register("x-ratelimit-remaining").unwrap();

    let e = r.register("Request-Id").unwrap_err();
    assert_eq!(
        e,
        HeaderRegistryError::MissingXPrefix {
            name: "Request-Id".into()
        }
    );
    assert!(e.to_string().contains("register_standard"), "{e}");
    assert!(matches!(
        r.register("X-"),
        Err(HeaderRegistryError::MissingXPrefix { .. })
    ));
    // A header from a published standard opts out (RFC 6648).
    let policy = r.register_standard("RateLimit-Policy").unwrap();
    assert_eq!(policy.as_str(), "ratelimit-policy");
    assert_eq!(r.len(), 3);
}

#[test]
fn bad_names_are_errors_not_panics() {
    let mut r = HeaderRegistry::new();
    r.register("X-Request-Id").unwrap();
    for (name, expected) in [
        ("", "InvalidName"),
        ("X Bad", "InvalidName"),
        ("X-Bad:", "InvalidName"),
        ("X-Ünicode", "InvalidName"),
        ("x-request-id", "Duplicate"),
        ("X-REQUEST-ID", "Duplicate"),
    ] {
        let e = r.register(name).unwrap_err();
        assert!(format!("{e:?}").starts_with(expected), "{name}: {e:?}");
    }
    assert!(matches!(
        r.register_standard("Content-Type"),
        Err(HeaderRegistryError::Safelisted { .. })
    ));
    assert!(matches!(
        r.register_standard("Set-Cookie"),
        Err(HeaderRegistryError::NeverExposed { .. })
    ));
    assert_eq!(r.len(), 1);
}

#[test]
fn registry_feeds_expose_headers() {
    let registry = HeaderRegistry::new()
        .with("X-Request-Id")
        .unwrap()
        .with("X-RateLimit-Remaining")
        .unwrap()
        .with_standard("RateLimit-Policy")
        .unwrap();
    let policy = CorsPolicy::builder()
        .allow_origin("https://app.example.com")
        .expose_headers(["x-request-id", "etag"])
        .expose_registry(&registry)
        .allow_credentials(true)
        .build()
        .unwrap();
    let AllowList::Only(exposed) = policy.exposed_headers() else {
        panic!("expected an explicit list");
    };
    let names: Vec<&str> = exposed.iter().map(HeaderName::as_str).collect();
    assert_eq!(
        names,
        [
            "x-request-id",
            "etag",
            "x-ratelimit-remaining",
            "ratelimit-policy"
        ]
    );
    for name in registry.names() {
        assert!(policy.exposes(name), "{name}");
    }
}

#[cfg(feature = "axum")]
mod exposure_check {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use axum::routing::get;
    use axum::Router;
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    // A current-thread runtime: the server task runs on this thread, where
    // the capturing subscriber is the default.
    #[tokio::test(flavor = "current_thread")]
    async fn warns_once_about_each_header_scripts_cannot_read() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let registry = HeaderRegistry::new().with("X-Request-Id").unwrap();
        let policy = CorsPolicy::builder()
            .allow_origin("https://app.example.com")
            .expose_registry(&registry)
            .allow_credentials(true)
            .build()
            .unwrap();
        let app = Router::new()
            .route(
                "/notes",
                get(|| async {
                    (
                        [
                            ("x-request-id", "req-1"),
                            ("x-secret-quota", "5"),
                            ("etag", "\"v1\""),
                            ("cache-control", "no-store"),
                            ("strict-transport-security", "max-age=60"),
                        ],
                        "[]",
                    )
                }),
            )
            .layer(wirefault::axum::ExposureCheckLayer::new(&policy))
            .layer(wirefault::axum::CorsPolicyLayer::new(&policy));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        for _ in 0..2 {
            let res = client
                .get(format!("http://{addr}/notes"))
                .header("origin", "https://app.example.com")
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.headers()["access-control-expose-headers"],
                "x-request-id"
            );
        }

        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        if cfg!(debug_assertions) {
            assert_eq!(log.matches("`x-secret-quota`").count(), 1, "{log}");
            assert_eq!(log.matches("`etag`").count(), 1, "{log}");
            assert!(log.contains("WARN"), "{log}");
            for quiet in [
                "x-request-id",
                "cache-control",
                "content-type",
                "date",
                "strict-transport-security",
                "vary",
                "access-control",
            ] {
                assert!(!log.contains(&format!("`{quiet}")), "{quiet}: {log}");
            }
        } else {
            assert_eq!(log, "");
        }
    }
}
