//! The WebSocket API as an application uses it, over real sockets served
//! by `wirefault::axum::serve`: an echo of text and binary, subprotocol
//! negotiation, application close codes, the frame limit, and 1007
//! reasons that say where the invalid UTF-8 was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use wirefault::axum::ws::{Accept, Incoming, Session, SessionHandler, WsConfig, WsHandshake};
use wirefault::Fault;

/// Echoes every message; `protocol?` answers the agreed subprotocol;
/// `close N REASON` ends the session with code N.
struct Echo;

impl SessionHandler for Echo {
    async fn on_message(&mut self, session: &mut Session, message: Incoming) -> Result<(), Fault> {
        if let Some(text) = message.as_text() {
            if text == "protocol?" {
                let answer = session.protocol().unwrap_or("none").to_owned();
                return session.send_text(answer).await;
            }
            if let Some(rest) = text.strip_prefix("close ") {
                let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
                return session.close(code.parse().unwrap_or(0), reason);
            }
        }
        match message {
            Incoming::Text(text) => session.send_text(text).await,
            Incoming::Binary(bytes) => session.send_binary(bytes).await,
        }
    }
}

async fn endpoint(
    State(config): State<WsConfig>,
    handshake: WsHandshake,
) -> Result<Response, Fault> {
    Ok(handshake.accept(config)?.run(Echo))
}

async fn start(config: WsConfig) -> SocketAddr {
    let router = Router::new().route("/", get(endpoint)).with_state(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { wirefault::axum::serve(listener, router).await });
    addr
}

fn any(config: WsConfig) -> WsConfig {
    config
        .accept(Accept::Any)
        .close_timeout(Duration::from_millis(500))
}

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next(client: &mut Client) -> Message {
    tokio::time::timeout(Duration::from_secs(5), client.next())
        .await
        .expect("a message in time")
        .expect("the stream is open")
        .expect("no error")
}

async fn close_of(client: &mut Client) -> (u16, String) {
    loop {
        if let Message::Close(Some(frame)) = next(client).await {
            return (u16::from(frame.code), frame.reason.to_string());
        }
    }
}

#[tokio::test]
async fn text_and_binary_echo_including_large_messages() {
    let addr = start(any(WsConfig::new().max_message_bytes(4 << 20))).await;
    let (mut client, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .unwrap();
    for text in ["", "héllo", &"x".repeat(2 << 20)] {
        client.send(Message::text(text)).await.unwrap();
        assert_eq!(next(&mut client).await, Message::text(text));
    }
    let bytes: Vec<u8> = (0..3_000_000_u32).map(|i| i as u8).collect();
    client.send(Message::binary(bytes.clone())).await.unwrap();
    assert_eq!(next(&mut client).await, Message::binary(bytes));
}

#[tokio::test]
async fn incoming_gives_its_text_and_bytes_without_a_copy() {
    let text = Incoming::Text("héllo".into());
    let bytes = text.clone().into_bytes();
    assert_eq!(&bytes[..], "héllo".as_bytes());
    assert_eq!(text.clone().into_text().unwrap().as_str(), "héllo");
    let binary = Incoming::Binary(bytes::Bytes::from_static(b"\x00\x01"));
    assert!(binary.clone().into_text().is_none());
    let owned = binary.clone().into_bytes();
    // The same allocation, not a copy.
    assert_eq!(owned.as_ptr(), binary.as_bytes().as_ptr());
}

#[tokio::test]
async fn the_first_offered_protocol_we_speak_is_answered() {
    let addr = start(any(WsConfig::new().protocols(["notes.v2", "notes.v1"]))).await;
    let cases: [(Option<&str>, Option<&str>); 4] = [
        (Some("notes.v1, notes.v2"), Some("notes.v2")),
        (Some("other, notes.v1"), Some("notes.v1")),
        (Some("other"), None),
        (None, None),
    ];
    for (offered, expected) in cases {
        let mut request = format!("ws://{addr}/").into_client_request().unwrap();
        if let Some(offered) = offered {
            request
                .headers_mut()
                .insert("sec-websocket-protocol", offered.parse().unwrap());
        }
        let result = tokio_tungstenite::connect_async(request).await;
        let (mut client, response) = match (result, expected) {
            (Ok(pair), _) => pair,
            // tungstenite, like a browser, fails a handshake that does not
            // answer one of the protocols it offered.
            (Err(_), None) if offered.is_some() => continue,
            (Err(err), _) => panic!("{offered:?}: {err}"),
        };
        let answered = response
            .headers()
            .get("sec-websocket-protocol")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(answered.as_deref(), expected, "{offered:?}");
        client.send(Message::text("protocol?")).await.unwrap();
        assert_eq!(
            next(&mut client).await,
            Message::text(expected.unwrap_or("none")),
            "{offered:?}"
        );
    }
}

#[tokio::test]
async fn a_handler_closes_with_its_own_application_code() {
    let addr = start(any(WsConfig::new())).await;
    let (mut client, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
        .await
        .unwrap();
    let reason = "é".repeat(100);
    client
        .send(Message::text(format!("close 4321 {reason}")))
        .await
        .unwrap();
    let (code, got) = close_of(&mut client).await;
    assert_eq!(code, 4321);
    assert_eq!(got, "é".repeat(61), "cut to 122 bytes on a char boundary");

    // A registered code is not the handler's to send: a bug, 1011.
    for code in ["1000", "3000", "5000", "nope"] {
        let (mut client, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/"))
            .await
            .unwrap();
        client
            .send(Message::text(format!("close {code} x")))
            .await
            .unwrap();
        assert_eq!(close_of(&mut client).await.0, 1011, "{code}");
    }
}

// ---- raw frames -------------------------------------------------------------

async fn raw_session(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
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

/// A masked client frame (payload under 64 KiB).
fn frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x12, 0x34, 0x56, 0x78];
    let mut frame = vec![if fin { 0x80 } else { 0 } | opcode];
    if payload.len() < 126 {
        frame.push(0x80 | payload.len() as u8);
    } else {
        frame.push(0x80 | 126);
        frame.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    }
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Sends `frames`, then reads the server's close frame: code and reason.
async fn server_close_after(addr: SocketAddr, frames: &[Vec<u8>]) -> (u16, String) {
    let mut stream = raw_session(addr).await;
    for f in frames {
        stream.write_all(f).await.unwrap();
    }
    let read = async {
        loop {
            let mut head = [0_u8; 2];
            stream.read_exact(&mut head).await.unwrap();
            let len = usize::from(head[1] & 0x7f);
            assert!(len < 126, "a server control frame");
            let mut payload = vec![0_u8; len];
            stream.read_exact(&mut payload).await.unwrap();
            if head[0] & 0x0f == 0x8 {
                let code = u16::from_be_bytes([payload[0], payload[1]]);
                return (code, String::from_utf8(payload[2..].to_vec()).unwrap());
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("a close frame in time")
}

#[tokio::test]
async fn invalid_utf8_closes_with_1007_saying_where() {
    let addr = start(any(WsConfig::new())).await;
    let (code, reason) = server_close_after(addr, &[frame(true, 0x1, b"ok\xff")]).await;
    assert_eq!(code, 1007);
    assert!(reason.contains("text message"), "{reason}");
    let fragments = [frame(false, 0x1, b"ok"), frame(true, 0x0, b"\xff\xfe")];
    let (code, reason) = server_close_after(addr, &fragments).await;
    assert_eq!(
        (code, reason.as_str()),
        (1007, "invalid UTF-8 in a fragmented text message")
    );
    // Autobahn 7.5.1: a close frame whose reason is not UTF-8.
    let (code, reason) = server_close_after(addr, &[frame(true, 0x8, b"\x03\xe8ok\xff")]).await;
    assert_eq!(code, 1007);
    assert!(reason.contains("close frame's reason"), "{reason}");
}

#[tokio::test]
async fn the_frame_limit_is_configurable() {
    // Messages up to 1000 bytes, but no frame over 100: a 200-byte
    // message in one frame closes with 1009; in 50-byte frames it passes.
    let addr = start(any(WsConfig::new()
        .max_message_bytes(1000)
        .max_frame_bytes(100)))
    .await;
    assert_eq!(
        WsConfig::new()
            .max_message_bytes(1000)
            .get_max_frame_bytes(),
        4000
    );
    let payload = [b'a'; 200];
    let (code, _) = server_close_after(addr, &[frame(true, 0x2, &payload)]).await;
    assert_eq!(code, 1009);
    let mut stream = raw_session(addr).await;
    for (i, chunk) in payload.chunks(50).enumerate() {
        let opcode = if i == 0 { 0x2 } else { 0x0 };
        stream
            .write_all(&frame(i == 3, opcode, chunk))
            .await
            .unwrap();
    }
    let mut head = [0_u8; 4];
    tokio::time::timeout(Duration::from_secs(5), stream.read_exact(&mut head))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(head[0], 0x82, "a whole binary frame back");
    assert_eq!(head[1], 126);
    assert_eq!(u16::from_be_bytes([head[2], head[3]]), 200);
}
