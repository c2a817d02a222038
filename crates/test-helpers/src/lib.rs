//! Test clients shared by the tests of `wirefault` and of the reference
//! service (`wirefault-demo`), as axum keeps its `test_helpers`: real
//! clients over real sockets, every wait bounded.
//!
//! - [`http`]: sends raw HTTP/1.1 bytes and reads one response back.
//! - [`sse`]: reads a `text/event-stream` body block by block.
//! - [`ws`]: connects a WebSocket client, reads JSON messages and the
//!   server's close frame, and sends raw HTTP requests for the handshake.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod http;
pub mod sse;
pub mod ws;

/// How long any single read of a test client may wait.
pub const STEP: std::time::Duration = std::time::Duration::from_secs(5);
