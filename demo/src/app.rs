//! The router: every route of the contract, inside wirefault's layers.

use crate::config::Config;
use crate::db::Db;
use crate::rate_limit::RateLimiter;
use crate::state::AppState;
use crate::{debug, events, notes, openapi, session, ws};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use wirefault::axum::{
    around, cors_layer, error_layer, request_id_layer, ExposureCheckLayer, ProblemLayer,
};
use wirefault::Fault;

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
        Ok(AppState {
            db,
            sessions: Default::default(),
            cors,
            limiter: RateLimiter::new(config.rate_limit),
            config: Arc::new(config),
            events,
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        })
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

async fn not_found(uri: Uri) -> Fault {
    Fault::not_found(format!("no resource at {}", uri.path()))
}

/// The API's router.
pub fn app(state: AppState) -> Router {
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
    let routes = routes.fallback(not_found).with_state(state.clone());
    // One stack around the whole router (`around`), outermost first.
    let stack = ServiceBuilder::new()
        .layer(request_id_layer())
        .layer(cors_layer(&state.cors))
        .layer(ExposureCheckLayer::new(&state.cors))
        .layer(error_layer(ProblemLayer::new().body_limit(BODY_LIMIT)))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    around(routes, stack)
}
