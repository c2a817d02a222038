//! The service's log lines, over a real socket: a line written while a
//! request is served carries that request's id; a request that logs
//! nothing writes nothing; a line outside any request has no id.
#![allow(clippy::unwrap_used)]

mod common;

use axum::routing::get;
use axum::Router;
use common::Captured;
use tower::Layer;
use wirefault::axum::WirefaultLayer;
use wirefault_demo::log::WithRequestId;

fn lines(log: &Captured) -> Vec<String> {
    log.text().lines().map(str::to_owned).collect()
}

#[test]
fn a_line_inside_a_request_carries_its_id() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .fmt_fields(WithRequestId::default())
        .with_writer(move || writer.clone())
        .finish();
    // One thread: the subscriber is this thread's, and so are the server's
    // tasks.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        runtime.block_on(async {
            let routes = Router::new()
                .route(
                    "/hello",
                    get(|| async {
                        tracing::info!(user = "alice", "said hello");
                        "hi"
                    }),
                )
                .route("/quiet", get(|| async { "shh" }));
            let app = WirefaultLayer::new().layer(routes);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move { wirefault::axum::serve(listener, app).await });
            tracing::info!("outside any request");
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap();
            let quiet = client
                .get(format!("http://{addr}/quiet"))
                .send()
                .await
                .unwrap();
            assert_eq!(quiet.status(), 200);
            assert_eq!(lines(&log).len(), 1, "{:?}", lines(&log));
            let hello = client
                .get(format!("http://{addr}/hello"))
                .send()
                .await
                .unwrap();
            let id = hello.headers()["x-request-id"].to_str().unwrap().to_owned();
            let lines = lines(&log);
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert!(!lines[0].contains("request_id"), "{}", lines[0]);
            assert!(
                lines[1].contains("said hello")
                    && lines[1].contains("user=\"alice\"")
                    && lines[1].ends_with(&format!(" request_id={id}")),
                "{}",
                lines[1]
            );
        });
    });
}
