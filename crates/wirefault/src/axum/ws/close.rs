//! The closing handshake (RFC 6455 §7.1.2), bounded in time.

use crate::Close;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt;
use std::time::Duration;
use tokio::time::{timeout_at, Instant};

/// How a closing handshake we started ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// The peer answered with its own close frame.
    Acknowledged,
    /// The peer closed the connection, or it broke, without a close frame.
    Dropped,
    /// The peer did not answer within the bound; we cut it off.
    TimedOut,
}

/// The frame for a [`Close`]: its code and its (already truncated) reason.
pub(crate) fn close_message(close: &Close) -> Message {
    Message::Close(Some(CloseFrame {
        code: close.code().as_u16(),
        reason: close.reason().into(),
    }))
}

/// Sends `close`, then reads (and drops) whatever the peer still sends
/// until its close frame arrives, within `bound` in all. The socket is
/// dropped on return, so the server closes the TCP connection first, as
/// RFC 6455 §7.1.1 recommends, and a silent peer holds neither a task nor
/// a socket past the bound.
pub(crate) async fn close_handshake(
    mut socket: WebSocket,
    close: &Close,
    bound: Duration,
) -> Closed {
    let deadline = Instant::now() + bound;
    match timeout_at(deadline, socket.send(close_message(close))).await {
        Ok(Ok(())) => {}
        Ok(Err(_)) => return Closed::Dropped,
        Err(_) => return Closed::TimedOut,
    }
    loop {
        match timeout_at(deadline, socket.recv()).await {
            Ok(Some(Ok(Message::Close(_)))) => {
                // tungstenite queued nothing to send for a reply to our
                // close; flushing ends its state machine cleanly.
                let _ = timeout_at(deadline, socket.flush()).await;
                return Closed::Acknowledged;
            }
            // Messages sent before the peer saw our close: dropped, as the
            // session is over.
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return Closed::Dropped,
            Err(_) => return Closed::TimedOut,
        }
    }
}
