//! WebSocket: a client that reads JSON messages and the server's close
//! frame, and raw HTTP requests for the handshake (through [`crate::http`]).

use crate::STEP;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use wirefault::spec::MAX_REASON_BYTES;

/// A connected WebSocket client.
pub type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to `url` with `headers`, asserting a 101.
pub async fn connect(url: &str, headers: &[(&'static str, &str)]) -> Client {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let (client, response) = tokio::time::timeout(STEP, tokio_tungstenite::connect_async(request))
        .await
        .expect("the handshake in time")
        .unwrap();
    assert_eq!(response.status(), 101);
    client
}

/// Sends a text message.
pub async fn send_text(client: &mut Client, text: impl Into<String>) {
    let text: String = text.into();
    client.send(Message::text(text)).await.unwrap();
}

/// The next message, within [`STEP`]; panics naming `expected` when
/// none comes, the stream ends or it fails.
async fn next_message(client: &mut Client, expected: &str) -> Message {
    match tokio::time::timeout(STEP, client.next()).await {
        Ok(Some(Ok(message))) => message,
        Ok(Some(Err(err))) => panic!("{expected}: the connection failed: {err}"),
        Ok(None) => panic!("{expected}: the stream ended"),
        Err(_) => panic!("{expected}: nothing came in time"),
    }
}

/// The next data message, as JSON (pings and pongs skipped).
pub async fn next_json(client: &mut Client) -> serde_json::Value {
    loop {
        match next_message(client, "a text message").await {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

/// Reads to the server's close frame; asserts a reason within the limit
/// and a clean end after it (no reset, no 1006). Returns code and reason.
pub async fn closed(client: &mut Client) -> (u16, String) {
    let (code, reason) = loop {
        match next_message(client, "a close frame").await {
            Message::Close(Some(frame)) => break (u16::from(frame.code), frame.reason.to_string()),
            Message::Close(None) => panic!("a close frame without a code"),
            _ => {}
        }
    };
    assert!(
        reason.len() <= MAX_REASON_BYTES,
        "reason of {} bytes: {reason:?}",
        reason.len()
    );
    // The client answered the close; the server then ends the connection.
    let end = tokio::time::timeout(STEP, client.next())
        .await
        .expect("the connection ends in time");
    assert!(end.is_none(), "expected a clean end, got {end:?}");
    (code, reason)
}

/// Sends `GET {path}` with the extra header lines `head` (each ending in
/// `\r\n`) over a raw connection; returns the status, the lower-cased
/// head and the body (read to its `Content-Length`, bounded by [`STEP`]).
pub async fn raw_get(addr: SocketAddr, path: &str, head: &str) -> (u16, String, String) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{head}\r\n");
    let response = crate::http::exchange(addr, request.as_bytes()).await;
    (response.status, response.head, response.body)
}
