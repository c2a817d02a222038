//! A text echo on actix-ws, written as its README's handler is, with a
//! 64 KiB frame limit (`MessageStream::max_frame_size`).
//!
//! Planted mistake (default): the README loop `while let Some(Ok(msg))`
//! ends on the overflow error like on any other, then
//! `session.close(None)` sends a close frame without a status code: the
//! client sees 1005, not 1009, and no reason. Found by WF-WS-004.
//! Correct (`--close-1009`): an overflow closes with 1009 and a reason, and
//! the client's close frame is echoed.
//!
//! Run: actix_echo_limit PORT [--close-1009]

use actix_web::{web, App, HttpRequest, HttpServer, Responder};
use actix_ws::{CloseCode, CloseReason, Message, ProtocolError};

async fn ws(req: HttpRequest, body: web::Payload) -> actix_web::Result<impl Responder> {
    let (response, mut session, msg_stream) = actix_ws::handle(&req, body)?;
    let mut msg_stream = msg_stream.max_frame_size(64 * 1024);
    let correct = std::env::args().any(|a| a == "--close-1009");

    actix_web::rt::spawn(async move {
        let mut reason = None;
        loop {
            let msg = match msg_stream.recv().await {
                Some(Ok(msg)) => msg,
                Some(Err(ProtocolError::Overflow)) if correct => {
                    reason = Some(CloseReason {
                        code: CloseCode::Size,
                        description: Some("message too big".into()),
                    });
                    break;
                }
                _ => break,
            };
            match msg {
                Message::Ping(bytes) => {
                    if session.pong(&bytes).await.is_err() {
                        return;
                    }
                }
                Message::Text(text) => {
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Message::Binary(bytes) => {
                    if session.binary(bytes).await.is_err() {
                        return;
                    }
                }
                Message::Close(close) if correct => {
                    reason = close;
                    break;
                }
                _ => break,
            }
        }
        let _ = session.close(reason).await;
    });

    Ok(response)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    HttpServer::new(|| App::new().route("/ws", web::get().to(ws)))
        .workers(1)
        .bind(("127.0.0.1", port))?
        .run()
        .await
}
