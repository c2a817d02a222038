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
use wirefault::cors::CorsPolicy;

/// Shared state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The validated configuration.
    pub config: Arc<Config>,
    /// This instance's OpenAPI document, as served (JSON).
    pub openapi: axum::body::Bytes,
    /// Signed-in sessions, in front of the database.
    pub sessions: SessionCache,
    /// The CORS policy, also the WebSocket handshake's Origin allowlist.
    /// Shared: axum clones the state for every request, and a policy's
    /// clone copies its lists.
    pub cors: Arc<CorsPolicy>,
    /// The write budget per session, shared by HTTP and WebSocket.
    pub limiter: RateLimiter,
    /// Note events, fanned out to SSE streams and WebSocket sessions.
    pub events: broadcast::Sender<NoteEvent>,
    /// Cancelled when the server starts its graceful shutdown.
    pub shutdown: CancellationToken,
    /// Long-lived tasks (WebSocket sessions, SSE streams) spawned on their
    /// behalf register here; `main` waits for them, bounded, on shutdown.
    pub tasks: TaskTracker,
}
