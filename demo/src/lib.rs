//! The wirefault reference service: a small notes API over HTTP, WebSocket,
//! Server-Sent Events, gRPC and gRPC-Web, built only on wirefault's public
//! API.
//!
//! Its contract is `docs/DEMO.md`. Start it in a test:
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let config = wirefault_demo::Config::for_tests();
//! let state = wirefault_demo::AppState::open(config).await?;
//! let router = wirefault_demo::app(state);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! // The bounded server `main` uses (header-read and idle timeouts, a
//! // connection cap, a bounded drain).
//! wirefault::axum::serve(listener, router).await;
//! # Ok(()) }
//! ```

pub mod app;
pub mod config;
pub mod db;
pub mod debug;
pub mod events;
pub mod grpc;
pub mod log;
pub mod model;
pub mod notes;
pub mod openapi;
pub mod rate_limit;
pub mod session;
pub mod session_cache;
pub mod state;
pub mod ui;
pub mod ws;

pub use app::{api_server, app};
pub use config::Config;
pub use model::NoteEvent;
pub use state::{AppState, Shared};
