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

const STEP: Duration = Duration::from_secs(5);

/// One parsed SSE block: `event`, the joined `data` lines, and comments.
#[derive(Debug, Default, Clone, PartialEq)]
struct Block {
    event: Option<String>,
    data: Option<String>,
    comments: Vec<String>,
}

/// Reads an SSE body block by block, each read bounded in time.
struct Reader {
    response: reqwest::Response,
    buffer: String,
}

impl Reader {
    /// The next block, or `None` when the body ended.
    async fn next(&mut self) -> Option<Block> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let raw: String = self.buffer.drain(..end + 2).collect();
                return Some(parse_block(&raw));
            }
            let chunk = tokio::time::timeout(STEP, self.response.chunk())
                .await
                .expect("the server sent nothing in time")
                .expect("the body failed");
            match chunk {
                Some(bytes) => self.buffer.push_str(std::str::from_utf8(&bytes).unwrap()),
                None => {
                    assert!(
                        self.buffer.trim().is_empty(),
                        "left over: {:?}",
                        self.buffer
                    );
                    return None;
                }
            }
        }
    }

    /// The next block that is not only comments.
    async fn next_event(&mut self) -> Option<Block> {
        for _ in 0..100 {
            let block = self.next().await?;
            if block.event.is_some() || block.data.is_some() {
                return Some(block);
            }
        }
        panic!("only comments");
    }
}

fn parse_block(raw: &str) -> Block {
    let mut block = Block::default();
    for line in raw.lines().filter(|l| !l.is_empty()) {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "" => block.comments.push(value.to_owned()),
            "event" => block.event = Some(value.to_owned()),
            "data" => match &mut block.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => block.data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    block
}

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
    let response = tokio::time::timeout(
        STEP,
        reqwest::Client::new()
            .get(format!("http://{addr}{path}"))
            .header("x-request-id", "req-sse-1")
            .send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    Reader {
        response,
        buffer: String::new(),
    }
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
