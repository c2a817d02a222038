//! An axum echo socket, its handler as axum's `WebSocketUpgrade` docs
//! write it: every message is sent back, and the handler returns when the
//! client is gone.
//!
//! Planted mistake (default): the client's `Message::Close` is sent back
//! like any message. tungstenite has queued the answering close frame on
//! reading it, and refuses the send (`SendAfterClosing`); the handler
//! returns and drops the connection with the answer unsent, so the client
//! sees 1006 for a session it closed normally (RFC 6455 §5.5.1). Found by
//! WF-WS-008. Correct (`--answer-close`): on `Message::Close` the loop reads
//! on; that read sends the queued answer and ends the stream.
//!
//! Run: axum_echo_close PORT [--answer-close]

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::any;
use axum::Router;

async fn handler(ws: WebSocketUpgrade) -> Response {
    let answer_close = std::env::args().any(|a| a == "--answer-close");
    ws.on_upgrade(move |socket| handle_socket(socket, answer_close))
}

async fn handle_socket(mut socket: WebSocket, answer_close: bool) {
    while let Some(msg) = socket.recv().await {
        let Ok(msg) = msg else {
            // The client disconnected.
            return;
        };
        if answer_close && matches!(msg, Message::Close(_)) {
            continue;
        }
        if socket.send(msg).await.is_err() {
            // The client disconnected.
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    let port = std::env::args().nth(1).unwrap_or_else(|| "3000".into());
    let app = Router::new().route("/ws", any(handler));
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
