//! The router: every route of the contract, inside wirefault's layers.

use crate::config::Config;
use crate::db::Db;
use crate::rate_limit::RateLimiter;
use crate::state::{AppState, Shared};
use crate::{debug, events, grpc, notes, openapi, session, ws};
use axum::routing::get;
use axum::{Json, Router};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::util::BoxCloneSyncService;
use tower::Layer;
use wirefault::axum::ws::Sessions;
use wirefault::axum::{serve, Serve, WirefaultLayer, WirefaultService};

/// The largest request body, in bytes.
pub const BODY_LIMIT: usize = 64 * 1024;
/// How long a request may take before it gets a 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl AppState {
    /// Opens the database and sets up the shared state.
    pub async fn open(config: Config) -> anyhow::Result<AppState> {
        let db = Db::open(&config.db)
            .map_err(|e| anyhow::anyhow!("cannot open the database {:?}: {e}", config.db))?;
        let cors = config.cors_policy()?;
        let (events, _) = broadcast::channel(256);
        // The document depends only on the configuration: written once
        // here, not on every `GET /openapi.json`.
        let openapi = serde_json::to_vec(&openapi::document(&config))
            .map_err(|e| anyhow::anyhow!("cannot write the OpenAPI document: {e}"))?;
        let (shutdown, tasks) = (CancellationToken::new(), TaskTracker::new());
        Ok(AppState::new(Shared {
            db,
            openapi: openapi.into(),
            sessions: Default::default(),
            cors,
            limiter: RateLimiter::new(config.rate_limit),
            config,
            events,
            ws_sessions: Sessions::from_parts(shutdown.clone(), tasks.clone()),
            shutdown,
            tasks,
        }))
    }
}

/// `GET /health`.
#[utoipa::path(
    get,
    path = "/health",
    tag = "meta",
    responses((status = 200, description = "Up.", body = Object, example = json!({"status": "ok"}))),
)]
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// The API: its router inside wirefault's layer (request ids, CORS, the
/// body limit, the timeout, panics and every error as problem+json; an
/// unknown path is the router's empty 404, which the layer turns into
/// "no resource at …"). gRPC and gRPC-Web requests (`application/grpc*`)
/// go to [`grpc::service`] inside the same layer.
pub fn app(state: AppState) -> WirefaultService<Router> {
    let mut routes = Router::new()
        .route("/health", get(health))
        .route(
            "/session",
            axum::routing::post(session::sign_in).delete(session::sign_out),
        )
        .route("/notes", get(notes::list).post(notes::create))
        .route("/notes/{id}", get(notes::read).delete(notes::delete))
        .route("/events", get(events::events))
        .route("/ws", get(ws::handler))
        .route("/openapi.json", get(openapi::serve));
    if state.config.fault_routes {
        routes = routes
            .route("/debug/panic", get(debug::panic))
            .route("/debug/unavailable", get(debug::unavailable))
            .route("/debug/bad-gateway", get(debug::bad_gateway))
            .route("/debug/events-fail", get(events::events_fail));
    } else {
        routes = routes.route("/debug/{*rest}", get(debug::off));
    }
    let layer = layer(&state.config).cors(&state.cors);
    let grpc = grpc::service(&state);
    let http = BoxCloneSyncService::new(routes.with_state(state));
    layer.layer(Router::new().fallback_service(grpc::by_content_type(http, grpc)))
}

/// wirefault's layer as the API runs it, CORS aside: the body limit, the
/// timeout, the close codes. The OpenAPI document is read from it.
pub fn layer(config: &Config) -> WirefaultLayer {
    WirefaultLayer::new()
        .body_limit(BODY_LIMIT)
        .timeout(REQUEST_TIMEOUT)
        .close_codes(config.ws_close_codes)
}

/// The API server: [`app`] on `listener` with the configured bounds. It
/// drains when the state's shutdown token is cancelled; WebSocket sessions
/// and SSE streams share that token and the state's task tracker, so the
/// drain sends them 1001 (or ends them) and waits for them.
pub fn api_server(listener: TcpListener, state: AppState) -> Serve<WirefaultService<Router>> {
    serve(listener, app(state.clone()))
        .config(state.config.serve)
        .sessions(&state.ws_sessions)
        .with_graceful_shutdown(state.shutdown.clone().cancelled_owned())
}
