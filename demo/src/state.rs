//! The state every handler shares.

use crate::config::Config;
use crate::db::Db;
use crate::model::NoteEvent;
use crate::rate_limit::RateLimiter;
use crate::session_cache::SessionCache;
use std::sync::Arc;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use wirefault::axum::ws::Sessions;
use wirefault::cors::CorsPolicy;

/// Shared state: a handle, cheap to clone. axum clones the state for
/// every request (even for a handler that does not extract it), and a
/// struct of handles would cost an atomic increment and decrement per
/// field, and two mutex locks for the `CancellationToken`, every time.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Wraps the shared parts.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Shared {
    /// The database.
    pub db: Db,
    /// The validated configuration.
    pub config: Config,
    /// This instance's OpenAPI document, as served (JSON).
    pub openapi: axum::body::Bytes,
    /// Signed-in sessions, in front of the database.
    pub sessions: SessionCache,
    /// The CORS policy, also the WebSocket handshake's Origin allowlist.
    pub cors: CorsPolicy,
    /// The write budget per session, shared by HTTP and WebSocket.
    pub limiter: RateLimiter,
    /// Note events, fanned out to SSE streams and WebSocket sessions.
    pub events: broadcast::Sender<NoteEvent>,
    /// Cancelled when the server starts its graceful shutdown.
    pub shutdown: CancellationToken,
    /// Long-lived tasks (WebSocket sessions, SSE streams) spawned on their
    /// behalf register here; `main` waits for them, bounded, on shutdown.
    pub tasks: TaskTracker,
    /// The WebSocket sessions, on `shutdown` and `tasks`: the server's
    /// drain sends them 1001 and waits for them.
    pub ws_sessions: Sessions,
}
