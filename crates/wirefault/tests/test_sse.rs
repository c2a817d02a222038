//! Server-Sent Events over a real socket: events arrive, a fault becomes
//! one `event: error` with problem JSON and ends the stream, idle streams
//! get keep-alive comments, and shutdown ends open streams.
#![allow(clippy::unwrap_used)]

use axum::response::sse::{Event, KeepAlive};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;
use tower::Layer;
use wirefault::axum::{FaultSse, WirefaultLayer, WirefaultService};
use wirefault::{Fault, Problem};
use wirefault_test_helpers::sse::Reader;
use wirefault_test_helpers::STEP;

fn app() -> WirefaultService<Router> {
    let router = Router::new()
        .route(
            "/server-fault",
            get(|| async {
                let items = stream::iter([
                    Ok(Event::default().event("ping").data("{}")),
                    Ok(Event::default().event("note").data("{\"id\":1}")),
                    Err(Fault::internal_from(std::io::Error::other(
                        "disk /var/db/secret.sqlite on fire",
                    ))
                    .detail("SELECT * FROM notes failed")),
                    Ok(Event::default().event("never").data("sent")),
                ]);
                FaultSse::new(items)
            }),
        )
        .route(
            "/client-fault",
            get(|| async {
                let items = stream::iter([Err::<Event, _>(
                    Fault::not_found("the feed was deleted").extension("feed", 7),
                )]);
                FaultSse::new(items)
            }),
        )
        .route(
            "/unauthenticated",
            get(|| async {
                let signed_in = false;
                if !signed_in {
                    return Err(Fault::unauthenticated("sign in to follow events"));
                }
                Ok(FaultSse::new(stream::empty()))
            }),
        )
        .route(
            "/idle",
            get(|| async {
                FaultSse::new(stream::pending()).keep_alive(
                    KeepAlive::new()
                        .interval(Duration::from_millis(50))
                        .text("keep-alive"),
                )
            }),
        )
        .route(
            "/ends",
            get(|| async {
                FaultSse::new(stream::iter([Ok(Event::default().data("only"))])).no_keep_alive()
            }),
        );
    WirefaultLayer::new().layer(router)
}

async fn serve(app: WirefaultService<Router>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn open(addr: SocketAddr, path: &str) -> Reader {
    Reader::open(
        reqwest::Client::new()
            .get(format!("http://{addr}{path}"))
            .header("x-request-id", "req-sse-1"),
    )
    .await
}

#[tokio::test]
async fn a_server_fault_is_an_error_event_then_the_end() {
    let addr = serve(app()).await;
    let mut reader = open(addr, "/server-fault").await;

    let ping = reader.next_event().await.unwrap();
    assert_eq!(ping.event.as_deref(), Some("ping"));
    assert_eq!(ping.data.as_deref(), Some("{}"));
    let note = reader.next_event().await.unwrap();
    assert_eq!(note.event.as_deref(), Some("note"));

    let error = reader.next_event().await.unwrap();
    assert_eq!(error.event.as_deref(), Some("error"));
    let data = error.data.unwrap();
    let problem: Problem = serde_json::from_str(&data).unwrap();
    assert_eq!(problem.status, 500);
    assert_eq!(problem.title, "Internal Server Error");
    assert_eq!(problem.instance.as_deref(), Some("req-sse-1"));
    assert_eq!(problem.extensions["request_id"], "req-sse-1");
    for leak in ["secret", "fire", "SELECT", "/var"] {
        assert!(!data.contains(leak), "{leak} leaked: {data}");
    }

    // The stream ends: nothing after the error event.
    assert_eq!(reader.next().await, None);
}

#[tokio::test]
async fn a_client_fault_shows_its_detail() {
    let addr = serve(app()).await;
    let mut reader = open(addr, "/client-fault").await;
    let error = reader.next_event().await.unwrap();
    assert_eq!(error.event.as_deref(), Some("error"));
    let problem: Problem = serde_json::from_str(&error.data.unwrap()).unwrap();
    assert_eq!(problem.status, 404);
    assert_eq!(problem.detail.as_deref(), Some("the feed was deleted"));
    assert_eq!(problem.extensions["feed"], 7);
    assert_eq!(reader.next().await, None);
}

#[tokio::test]
async fn a_fault_before_the_stream_is_a_problem_response() {
    let addr = serve(app()).await;
    let response = reqwest::get(format!("http://{addr}/unauthenticated"))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert!(response.headers().contains_key("www-authenticate"));
    let problem: Problem = response.json().await.unwrap();
    assert_eq!(problem.status, 401);
    assert_eq!(problem.detail.as_deref(), Some("sign in to follow events"));
}

#[tokio::test]
async fn idle_streams_get_keep_alive_comments() {
    let addr = serve(app()).await;
    let mut reader = open(addr, "/idle").await;
    for _ in 0..3 {
        let block = reader.next().await.unwrap();
        assert_eq!(block.comments, ["keep-alive"]);
        assert_eq!(block.event, None);
    }
}

#[tokio::test]
async fn a_stream_that_runs_out_ends_the_body() {
    let addr = serve(app()).await;
    let mut reader = open(addr, "/ends").await;
    assert_eq!(
        reader.next_event().await.unwrap().data.as_deref(),
        Some("only")
    );
    assert_eq!(reader.next().await, None);
}

/// With `until(shutdown)`, graceful shutdown ends open streams, so the
/// server stops instead of waiting for the clients to leave.
#[tokio::test]
async fn graceful_shutdown_ends_open_streams() {
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let stop = futures_util::future::FutureExt::shared(async move {
        let _ = stop_rx.await;
    });
    let for_streams = stop.clone();
    let router = Router::new().route(
        "/follow",
        get(move || {
            let stop = for_streams.clone();
            async move {
                let ticks = stream::iter(0..)
                    .then(|i| async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(Event::default().event("tick").data(i.to_string()))
                    })
                    .boxed();
                FaultSse::new(ticks).until(stop)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(stop)
            .await
    });

    let mut first = open(addr, "/follow").await;
    let mut second = open(addr, "/follow").await;
    for reader in [&mut first, &mut second] {
        assert_eq!(
            reader.next_event().await.unwrap().event.as_deref(),
            Some("tick")
        );
    }

    stop_tx.send(()).unwrap();
    for reader in [&mut first, &mut second] {
        let mut ended = false;
        for _ in 0..1000 {
            match reader.next().await {
                Some(block) => assert_eq!(block.event.as_deref(), Some("tick")),
                None => {
                    ended = true;
                    break;
                }
            }
        }
        assert!(ended, "the stream did not end");
    }
    tokio::time::timeout(STEP, server)
        .await
        .expect("the server did not stop")
        .unwrap()
        .unwrap();
}
