//! The state every handler shares.

use crate::config::Config;
use crate::db::Db;
use crate::notes::Note;
use crate::rate_limit::RateLimiter;
use std::sync::Arc;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use wirefault::cors::CorsPolicy;

/// What happened to a note, for SSE streams and WebSocket sessions.
#[derive(Debug, Clone)]
pub enum NoteEvent {
    /// A note was created; `origin` is the WebSocket session that created
    /// it (that session already got its answer), `None` for HTTP.
    Created {
        /// The new note.
        note: Note,
        /// The creating WebSocket session, if any.
        origin: Option<u64>,
    },
    /// A note was deleted.
    Deleted {
        /// Its id.
        id: i64,
        /// Its owner.
        owner: String,
    },
}

/// Shared state.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Signed-in sessions, in front of the database.
    pub sessions: crate::session::SessionCache,
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
}
