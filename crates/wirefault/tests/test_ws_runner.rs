//! The WebSocket session runner over a real socket: a small axum app on
//! 127.0.0.1 and a real client (tokio-tungstenite), or a raw TCP one where
//! the test needs a misbehaving peer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;
use tower::Layer;
use wirefault::axum::ws::{
    broadcast_events, AllowOrigin, Incoming, Session, SessionHandler, Sessions, WsConfig,
    WsHandshake,
};
use wirefault::axum::WirefaultLayer;
use wirefault::{CloseCodes, Fault};
use wirefault_test_helpers::ws::{self, closed, next_json, Client};

const CLOSE_TIMEOUT: Duration = Duration::from_millis(600);
const ALLOWED: &str = "http://app.example";

#[derive(Clone)]
struct App {
    config: WsConfig,
    events: broadcast::Sender<String>,
}

/// The test endpoint's handler: one op per behaviour under test.
struct Handler {
    events: broadcast::Sender<String>,
}

#[derive(serde::Deserialize)]
struct Request {
    op: String,
}

impl SessionHandler<Result<String, Fault>> for Handler {
    async fn on_message(&mut self, session: &mut Session, message: Incoming) -> Result<(), Fault> {
        let request: Request = message.json()?;
        match request.op.as_str() {
            "ping" => {
                session
                    .send_json(&serde_json::json!({"event": "pong"}))
                    .await
            }
            "fail" => {
                let fault = Fault::conflict("a note with this title exists");
                session.send_error(&fault).await
            }
            "shout" => {
                let _ = self.events.send(format!("from {}", session.id()));
                session.send_text("sent").await
            }
            "end" => {
                session.end();
                Ok(())
            }
            "internal" => {
                Err(Fault::internal().detail("SELECT * FROM secrets: disk /var/db on fire"))
            }
            "panic" => panic!("secret panic text /etc/passwd"),
            "long" => Err(Fault::conflict("é".repeat(300))),
            other => Err(Fault::unprocessable().detail(format!("unknown op {other:?}"))),
        }
    }

    async fn on_event(
        &mut self,
        session: &mut Session,
        event: Result<String, Fault>,
    ) -> Result<(), Fault> {
        let event = event?;
        session
            .send_json(&serde_json::json!({"event": "shout", "text": event}))
            .await
    }
}

async fn endpoint(State(app): State<App>, handshake: WsHandshake) -> Result<Response, Fault> {
    handshake.check_origin(&AllowOrigin::new(|origin| origin == ALLOWED))?;
    if !handshake.headers().contains_key("x-user") {
        return Err(Fault::unauthenticated("sign in first"));
    }
    let events = broadcast_events(app.events.subscribe());
    let handler = Handler { events: app.events };
    Ok(handshake
        .accept(app.config)?
        .run_with_events(handler, events))
}

struct Server {
    addr: SocketAddr,
    sessions: Sessions,
    stopped: tokio::task::JoinHandle<()>,
}

async fn serve(config: WsConfig) -> Server {
    let sessions = Sessions::new();
    let config = config.sessions(&sessions);
    let (events, _) = broadcast::channel(64);
    let router = Router::new()
        .route("/ws", get(endpoint))
        .with_state(App { config, events });
    let router = WirefaultLayer::new().layer(router);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let token = sessions.token().clone();
    let stopped = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(token.cancelled_owned())
            .await
            .unwrap();
    });
    Server {
        addr,
        sessions,
        stopped,
    }
}

fn config(codes: CloseCodes) -> WsConfig {
    WsConfig::new()
        .close_codes(codes)
        .max_message_bytes(1024)
        .rate_limit(20, Duration::from_secs(60))
        .close_timeout(CLOSE_TIMEOUT)
}

async fn connect(addr: SocketAddr) -> Client {
    ws::connect(
        &format!("ws://{addr}/ws"),
        &[("origin", ALLOWED), ("x-user", "alice")],
    )
    .await
}

async fn send(client: &mut Client, text: &str) {
    ws::send_text(client, text).await;
}

fn both_modes() -> [(CloseCodes, bool); 2] {
    [
        (CloseCodes::Standard, false),
        (CloseCodes::HttpMirror, true),
    ]
}

// ---- handshake phase -------------------------------------------------------

/// Sends a raw `GET /ws`; returns status, lower-cased head, body.
async fn raw_http(addr: SocketAddr, head: &str) -> (u16, String, String) {
    ws::raw_get(addr, "/ws", head).await
}

const UPGRADE: &str = "Connection: Upgrade\r\nUpgrade: websocket\r\n";
const KEY: &str = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

#[tokio::test]
async fn handshake_refusals_are_problem_json_in_order() {
    let server = serve(config(CloseCodes::Standard)).await;
    let user = "X-User: alice\r\n";
    let v13 = "Sec-WebSocket-Version: 13\r\n";
    let cases = [
        // A foreign origin comes first, even without credentials.
        (
            format!("Origin: http://evil.example\r\n{UPGRADE}{v13}{KEY}"),
            403,
            None,
        ),
        // No credentials, even with a good upgrade.
        (
            format!("Origin: {ALLOWED}\r\n{UPGRADE}{v13}{KEY}"),
            401,
            None,
        ),
        // A plain GET.
        (
            format!("{user}Connection: close\r\n"),
            426,
            Some("upgrade: websocket"),
        ),
        // Another version.
        (
            format!("{user}{UPGRADE}Sec-WebSocket-Version: 8\r\n{KEY}"),
            426,
            Some("sec-websocket-version: 13"),
        ),
        // No key.
        (format!("{user}{UPGRADE}{v13}"), 400, None),
    ];
    for (head, status, header) in cases {
        let (got, head_out, body) = raw_http(server.addr, &head).await;
        assert_eq!(got, status, "{head}\n{body}");
        assert!(
            head_out.contains("content-type: application/problem+json"),
            "{head_out}"
        );
        if let Some(header) = header {
            assert!(head_out.contains(header), "{head_out}");
        }
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["status"], status);
    }
    let (status, _, _) = raw_http(
        server.addr,
        &format!("Origin: {ALLOWED}\r\n{user}{UPGRADE}{v13}{KEY}"),
    )
    .await;
    assert_eq!(status, 101);
}

// ---- session phase ---------------------------------------------------------

#[tokio::test]
async fn messages_errors_and_broadcasts() {
    let server = serve(config(CloseCodes::Standard)).await;
    let mut a = connect(server.addr).await;
    let mut b = connect(server.addr).await;
    send(&mut a, r#"{"op":"ping"}"#).await;
    assert_eq!(
        next_json(&mut a).await,
        serde_json::json!({"event": "pong"})
    );

    // Recoverable: an error event with the problem, and the session goes on.
    send(&mut a, r#"{"op":"fail"}"#).await;
    let error = next_json(&mut a).await;
    assert_eq!(error["event"], "error");
    assert_eq!(error["problem"]["status"], 409);
    assert_eq!(error["problem"]["detail"], "a note with this title exists");
    send(&mut a, r#"{"op":"ping"}"#).await;
    assert_eq!(next_json(&mut a).await["event"], "pong");

    // An outside event reaches every session.
    send(&mut a, r#"{"op":"shout"}"#).await;
    assert_eq!(next_json(&mut b).await["event"], "shout");

    // A normal end.
    send(&mut b, r#"{"op":"end"}"#).await;
    assert_eq!(closed(&mut b).await.0, 1000);
}

async fn close_code_for(codes: CloseCodes, message: Message) -> (u16, String) {
    let server = serve(config(codes)).await;
    let mut client = connect(server.addr).await;
    client.send(message).await.unwrap();
    closed(&mut client).await
}

#[tokio::test]
async fn fatal_messages_close_with_the_table_code_in_both_modes() {
    for (codes, mirror) in both_modes() {
        let pick = |standard: u16, mirrored: u16| if mirror { mirrored } else { standard };
        let cases: Vec<(Message, u16)> = vec![
            (Message::text("{not json"), pick(1007, 4400)),
            (Message::text(r#"{"op":"dance"}"#), pick(1008, 4422)),
            (Message::text(r#"{"nope":1}"#), pick(1008, 4422)),
            (Message::binary(vec![1, 2, 3]), 1003),
            (Message::text("x".repeat(1025)), 1009),
            (Message::text(r#"{"op":"internal"}"#), 1011),
            (Message::text(r#"{"op":"panic"}"#), 1011),
            (Message::text(r#"{"op":"long"}"#), pick(1008, 4409)),
        ];
        for (message, want) in cases {
            let shown = format!("{message:?}");
            let (code, reason) = close_code_for(codes, message).await;
            assert_eq!(code, want, "{codes:?} {shown}: {reason}");
            assert!(
                !reason.contains("SELECT") && !reason.contains("secret"),
                "{reason}"
            );
        }
    }
}

#[tokio::test]
async fn server_faults_close_with_a_generic_reason() {
    let (code, reason) =
        close_code_for(CloseCodes::Standard, Message::text(r#"{"op":"internal"}"#)).await;
    assert_eq!((code, reason.as_str()), (1011, "Internal Server Error"));
    let (code, reason) =
        close_code_for(CloseCodes::Standard, Message::text(r#"{"op":"panic"}"#)).await;
    assert_eq!((code, reason.as_str()), (1011, "Internal Server Error"));
}

#[tokio::test]
async fn a_long_reason_is_cut_on_a_char_boundary() {
    let (code, reason) =
        close_code_for(CloseCodes::Standard, Message::text(r#"{"op":"long"}"#)).await;
    assert_eq!(code, 1008);
    assert_eq!(reason, "é".repeat(61)); // 122 bytes: the 62nd would straddle 123
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007_in_both_modes() {
    for (codes, _) in both_modes() {
        let frame = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
        let (code, _) = close_code_for(codes, Message::Frame(frame)).await;
        assert_eq!(code, 1007, "{codes:?}");
    }
}

#[tokio::test]
async fn the_rate_limit_closes_with_1013_or_4429() {
    for (codes, mirror) in both_modes() {
        let server = serve(config(codes).rate_limit(3, Duration::from_secs(60))).await;
        let mut client = connect(server.addr).await;
        for _ in 0..3 {
            send(&mut client, r#"{"op":"ping"}"#).await;
            assert_eq!(next_json(&mut client).await["event"], "pong");
        }
        send(&mut client, r#"{"op":"ping"}"#).await;
        let (code, _) = closed(&mut client).await;
        assert_eq!(code, if mirror { 4429 } else { 1013 });
    }
}

#[tokio::test]
async fn a_panic_closes_only_its_own_session() {
    let server = serve(config(CloseCodes::Standard)).await;
    let mut doomed = connect(server.addr).await;
    let mut other = connect(server.addr).await;
    send(&mut doomed, r#"{"op":"panic"}"#).await;
    assert_eq!(closed(&mut doomed).await.0, 1011);
    for _ in 0..3 {
        send(&mut other, r#"{"op":"ping"}"#).await;
        assert_eq!(next_json(&mut other).await["event"], "pong");
    }
    // And the server still accepts new sessions.
    let mut fresh = connect(server.addr).await;
    send(&mut fresh, r#"{"op":"ping"}"#).await;
    assert_eq!(next_json(&mut fresh).await["event"], "pong");
}

#[tokio::test]
async fn an_idle_peer_is_closed_and_a_live_one_is_not() {
    for (codes, mirror) in both_modes() {
        let idle = Duration::from_millis(300);
        let server = serve(config(codes).idle_timeout(idle)).await;

        // A silent one (it reads nothing, so it sends no pong) is closed.
        let mut silent = connect(server.addr).await;
        tokio::time::sleep(idle * 2).await;
        let (code, _) = closed(&mut silent).await;
        assert_eq!(code, if mirror { 4408 } else { 1008 });

        // A live client reads, so it answers the server's pings.
        let mut live = connect(server.addr).await;
        let mut pings = 0;
        let until = tokio::time::Instant::now() + idle * 3;
        while let Ok(message) = tokio::time::timeout_at(until, live.next()).await {
            match message {
                Some(Ok(Message::Ping(_))) => pings += 1,
                other => panic!("the live session ended: {other:?}"),
            }
        }
        assert!(pings >= 2, "{pings} pings");

        send(&mut live, r#"{"op":"ping"}"#).await;
        assert_eq!(next_json(&mut live).await["event"], "pong");
    }
}

#[tokio::test]
async fn graceful_shutdown_sends_1001_to_all_200_sessions() {
    let started = Instant::now();
    let server = serve(config(CloseCodes::Standard)).await;
    let mut clients = Vec::new();
    for _ in 0..200 {
        clients.push(connect(server.addr).await);
    }
    // Every session is open and served.
    send(&mut clients[199], r#"{"op":"ping"}"#).await;
    assert_eq!(next_json(&mut clients[199]).await["event"], "pong");
    assert_eq!(server.sessions.open(), 200);
    let opened = started.elapsed();

    let shutdown_started = Instant::now();
    let readers: Vec<_> = clients
        .into_iter()
        .map(|mut client| tokio::spawn(async move { closed(&mut client).await }))
        .collect();
    let sessions = server.sessions.clone();
    let all_ended = tokio::spawn(async move { sessions.shutdown(Duration::from_secs(5)).await });
    for reader in readers {
        let (code, reason) = reader.await.unwrap();
        assert_eq!(code, 1001, "{reason}");
    }
    assert!(
        all_ended.await.unwrap(),
        "sessions still open after the bound"
    );
    assert_eq!(server.sessions.open(), 0);
    tokio::time::timeout(Duration::from_secs(5), server.stopped)
        .await
        .unwrap()
        .unwrap();
    let shutdown = shutdown_started.elapsed();
    eprintln!("200 sessions: opened in {opened:?}, all closed with 1001 in {shutdown:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

// ---- a peer that never answers ---------------------------------------------

/// Completes the handshake over raw TCP; returns the stream after the 101.
async fn raw_session(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nX-User: alice\r\n{UPGRADE}\
         Sec-WebSocket-Version: 13\r\n{KEY}\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1);
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"));
    stream
}

/// A masked client frame.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![0x80 | opcode, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

#[tokio::test]
async fn a_peer_that_never_answers_the_close_is_cut_off_within_the_bound() {
    let server = serve(config(CloseCodes::Standard)).await;
    let mut stream = raw_session(server.addr).await;
    // A binary message: the server closes with 1003 and waits for our close.
    stream.write_all(&client_frame(0x2, b"\x01")).await.unwrap();
    let sent = Instant::now();
    // We never answer; read (and ignore) until the server drops us.
    let mut received = Vec::new();
    let mut chunk = [0_u8; 256];
    let eof = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    let waited = sent.elapsed();
    assert!(eof.is_ok(), "the server kept the silent peer's socket open");
    // The close frame came first: opcode 0x8, code 1003.
    assert_eq!(received[0], 0x88, "{received:?}");
    assert_eq!(u16::from_be_bytes([received[2], received[3]]), 1003);
    assert!(
        waited >= CLOSE_TIMEOUT - Duration::from_millis(50),
        "{waited:?}"
    );
    assert!(
        waited < CLOSE_TIMEOUT + Duration::from_secs(1),
        "{waited:?}"
    );
    eprintln!("silent peer dropped after {waited:?} (bound {CLOSE_TIMEOUT:?})");
    // The session's task is over too.
    let mut open = server.sessions.open();
    for _ in 0..50 {
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        open = server.sessions.open();
    }
    assert_eq!(open, 0);
}

#[tokio::test]
async fn a_peer_that_answers_the_close_is_released_at_once() {
    let server = serve(config(CloseCodes::Standard)).await;
    let mut stream = raw_session(server.addr).await;
    stream.write_all(&client_frame(0x2, b"\x01")).await.unwrap();
    let sent = Instant::now();
    let mut frame = [0_u8; 4];
    stream.read_exact(&mut frame).await.unwrap();
    assert_eq!(frame[0], 0x88);
    let mut rest = vec![0_u8; usize::from(frame[1]) - 2];
    stream.read_exact(&mut rest).await.unwrap();
    stream
        .write_all(&client_frame(0x8, &frame[2..4]))
        .await
        .unwrap();
    let mut tail = [0_u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut tail))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 0, "expected EOF");
    assert!(sent.elapsed() < CLOSE_TIMEOUT, "{:?}", sent.elapsed());
}

/// RFC 6455 §5.5.1: the client's close frame is answered with a close
/// frame (tungstenite queues it; the runner sends it), then the server
/// ends the connection.
#[tokio::test]
async fn a_close_from_the_peer_is_answered_with_a_close_frame() {
    let server = serve(config(CloseCodes::Standard)).await;
    let mut stream = raw_session(server.addr).await;
    let mut payload = 1000_u16.to_be_bytes().to_vec();
    payload.extend_from_slice(b"bye");
    stream
        .write_all(&client_frame(0x8, &payload))
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0_u8; 64];
    tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(received.first(), Some(&0x88), "{received:?}");
    assert_eq!(u16::from_be_bytes([received[2], received[3]]), 1000);
}
