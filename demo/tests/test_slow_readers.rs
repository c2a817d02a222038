//! The write bound over real sockets: SSE subscribers and WebSocket
//! clients that never read while note events pile up are dropped soon
//! after the write timeout (1 s here), and `/health` answers while they
//! hold their connections.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::timeout;
use wirefault_demo::model::{Note, NoteEvent};
use wirefault_demo::Config;

const PLAYGROUND: &str = "http://127.0.0.1:3001";

/// The service with `write_timeout`, on a listener whose accepted
/// sockets have small send buffers: otherwise Linux lets each grow to
/// 4 MiB, and 300 clients that read nothing would pin over 1 GiB of
/// kernel memory before the server sees a full socket.
async fn start(write_timeout: Duration) -> TestServer {
    let mut config = Config::for_tests();
    config.serve = config.serve.write_timeout(write_timeout);
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_send_buffer_size(8 * 1024).unwrap();
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    TestServer::start_on(socket.listen(1024).unwrap(), config).await
}

/// A client socket with a small receive buffer, so a client that reads
/// nothing is full after a few events.
async fn small_socket(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    timeout(Duration::from_secs(5), socket.connect(addr))
        .await
        .unwrap()
        .unwrap()
}

/// Sends `request` and reads up to the end of the response head.
async fn open(addr: SocketAddr, request: String) -> TcpStream {
    let mut stream = small_socket(addr).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut buf = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed before the response head");
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(
        head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.1 101"),
        "{head}"
    );
    stream
}

async fn sse_subscriber(addr: SocketAddr, cookie: &str) -> TcpStream {
    open(
        addr,
        format!("GET /events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"),
    )
    .await
}

async fn ws_client(addr: SocketAddr, cookie: &str) -> TcpStream {
    open(
        addr,
        format!(
            "GET /ws HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nOrigin: {PLAYGROUND}\r\n\
             Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ),
    )
    .await
}

/// 150 events of `kib` KiB each (fewer than the broadcast keeps, so no
/// client falls behind it: only the write bound can end their streams).
fn pile_up(server: &TestServer, kib: usize) {
    for id in 0..150 {
        let note = Note {
            id,
            owner: "alice".into(),
            title: format!("note {id}"),
            body: "x".repeat(kib * 1024),
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        let _ = server
            .state
            .events
            .send(NoteEvent::Created { note, origin: None });
    }
}

/// Waits until no SSE stream or WebSocket session is left (each holds a
/// broadcast receiver and a task token until its connection is gone);
/// returns how long that took, or `None` after `bound`.
async fn all_gone(server: &TestServer, bound: Duration) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < bound {
        if server.state.events.receiver_count() == 0 && server.state.tasks.is_empty() {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// The server closed `stream`: what it had queued, then the end (or a
/// reset), within a bound, while a live stream would go on.
async fn closed_by_server(mut stream: TcpStream) -> bool {
    let mut buf = vec![0_u8; 64 * 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    timeout(Duration::from_secs(5), read_all).await.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sse_subscriber_and_a_ws_client_that_never_read_are_dropped() {
    let server = start(Duration::from_secs(1)).await;
    let cookie = server.session_cookie("alice").await;
    let sse = sse_subscriber(server.addr, &cookie).await;
    let ws = ws_client(server.addr, &cookie).await;
    assert_eq!(server.state.events.receiver_count(), 2);
    pile_up(&server, 16);
    let took = all_gone(&server, Duration::from_secs(5)).await;
    assert!(
        took.is_some_and(|t| t <= Duration::from_secs(2)),
        "still connected after the events piled up: {took:?}"
    );
    assert!(closed_by_server(sse).await);
    assert!(closed_by_server(ws).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_300_clients_read_nothing() {
    // 3 s, so that /health is asked once the pile-up has been written
    // (300 streams rendered in a debug build on a busy machine) and
    // before the bound drops the clients.
    let server = start(Duration::from_secs(3)).await;
    let cookie = server.session_cookie("alice").await;
    let mut clients = Vec::new();
    for i in 0..300 {
        let client = if i % 2 == 0 {
            sse_subscriber(server.addr, &cookie).await
        } else {
            ws_client(server.addr, &cookie).await
        };
        clients.push(client);
    }
    assert_eq!(server.state.events.receiver_count(), 300);
    pile_up(&server, 4);
    let health = TestServer::client();
    let mut connected_at_first_answer = None;
    for _ in 0..5 {
        let started = Instant::now();
        let res = health.get(server.url("/health")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        // The first one competes with the pile-up being written.
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        connected_at_first_answer.get_or_insert(server.state.events.receiver_count());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The first answer came while (nearly) all of them were connected.
    assert!(
        connected_at_first_answer.is_some_and(|n| n >= 290),
        "{connected_at_first_answer:?}"
    );
    let took = all_gone(&server, Duration::from_secs(10)).await;
    assert!(
        took.is_some_and(|t| t <= Duration::from_secs(6)),
        "still connected: {took:?}"
    );
    drop(clients);
}
