//! A WebSocket peer that reads nothing, over real sockets: once a send
//! has waited the send timeout, the session is closed with 1008, which a
//! peer that reads again receives after what was queued, and a peer that
//! never reads again is dropped at the close timeout.
#![allow(clippy::unwrap_used)]

use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use wirefault::axum::ws::{Session, SessionHandler, Sessions, WsConfig, WsHandshake};
use wirefault::Fault;

const SEND_TIMEOUT: Duration = Duration::from_millis(300);
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Sends every event it is given, as text.
struct Flood;

impl SessionHandler<String> for Flood {
    async fn on_message(
        &mut self,
        _session: &mut Session,
        _message: wirefault::axum::ws::Incoming,
    ) -> Result<(), Fault> {
        Ok(())
    }

    async fn on_event(&mut self, session: &mut Session, event: String) -> Result<(), Fault> {
        session.send_text(event).await
    }
}

/// A session that is sent 16 KiB messages without end.
async fn flood(config: WsConfig, handshake: WsHandshake) -> Result<Response, Fault> {
    let events = futures_util::stream::repeat("x".repeat(16 * 1024));
    Ok(handshake.accept(config)?.run_with_events(Flood, events))
}

/// `axum::serve` (no write bound of its own: only the session's), on a
/// listener whose sockets have small send buffers, so a peer that reads
/// nothing fills them at once.
async fn serve(sessions: &Sessions) -> SocketAddr {
    let config = WsConfig::new()
        .send_timeout(SEND_TIMEOUT)
        .close_timeout(CLOSE_TIMEOUT)
        .sessions(sessions);
    let router = Router::new().route(
        "/ws",
        get(move |handshake: WsHandshake| flood(config.clone(), handshake)),
    );
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_send_buffer_size(8 * 1024).unwrap();
    socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
    let listener = socket.listen(64).unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

/// A client with a small receive buffer.
async fn connect(addr: SocketAddr) -> tokio_tungstenite::WebSocketStream<TcpStream> {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(addr).await.unwrap();
    let (client, _) = tokio::time::timeout(
        Duration::from_secs(5),
        tokio_tungstenite::client_async(format!("ws://{addr}/ws"), stream),
    )
    .await
    .unwrap()
    .unwrap();
    client
}

#[tokio::test]
async fn a_peer_that_reads_again_gets_1008_after_what_was_queued() {
    let sessions = Sessions::new();
    let addr = serve(&sessions).await;
    let mut client = connect(addr).await;
    // Read nothing for well past the send timeout.
    tokio::time::sleep(SEND_TIMEOUT * 3).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut messages = 0;
    let close = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, client.next()).await.unwrap() {
            Some(Ok(Message::Text(_))) => messages += 1,
            Some(Ok(Message::Close(frame))) => break frame.unwrap(),
            other => panic!("after {messages} messages: {other:?}"),
        }
    };
    assert!(messages > 0);
    assert_eq!(u16::from(close.code), 1008);
    assert!(close.reason.contains("read nothing"), "{}", close.reason);
}

#[tokio::test]
async fn a_peer_that_never_reads_is_dropped_at_the_close_timeout() {
    let sessions = Sessions::new();
    let addr = serve(&sessions).await;
    let _client = connect(addr).await;
    let start = Instant::now();
    while sessions.open() == 0 && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sessions.open(), 1);
    while sessions.open() > 0 && start.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = start.elapsed();
    assert_eq!(sessions.open(), 0, "still open after {took:?}");
    let bound = SEND_TIMEOUT + CLOSE_TIMEOUT;
    assert!(
        took >= bound && took < bound + Duration::from_secs(2),
        "{took:?}"
    );
}
