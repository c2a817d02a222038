//! The service's OpenAPI document, generated from the handlers'
//! `#[utoipa::path]` annotations and wirefault's table, served at
//! `GET /openapi.json`.

use crate::config::Config;
use crate::session::COOKIE;
use crate::state::AppState;
use crate::{app, debug, events, model, notes, session, ws};
use axum::extract::State;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use wirefault::openapi::LayerResponses;
use wirefault::CloseCodes;

/// The routes every configuration serves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "wirefault-demo",
        description = "The wirefault reference service (docs/DEMO.md). Every error is \
            application/problem+json; every response carries X-Request-Id.",
    ),
    paths(
        app::health,
        serve,
        session::sign_in,
        session::sign_out,
        notes::list,
        notes::create,
        notes::read,
        notes::delete,
        events::events,
        ws::handler,
    ),
    components(schemas(model::Note)),
    modifiers(&SessionCookie),
)]
struct Api;

/// The `/debug/*` routes, served with `--fault-routes` only.
#[derive(OpenApi)]
#[openapi(paths(
    debug::panic,
    debug::unavailable,
    debug::bad_gateway,
    events::events_fail
))]
struct DebugApi;

/// The session cookie as a security scheme named `session`.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            COOKIE,
            "Set by POST /session; HttpOnly, SameSite=Lax.",
        )));
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("session", scheme);
    }
}

/// The document for the service as `config` runs it: the `/debug/*`
/// routes only with `--fault-routes`, the close-code column in use, and what
/// wirefault's layer, as [`app::layer`] configures it, answers on every
/// operation.
pub fn document(config: &Config) -> utoipa::openapi::OpenApi {
    let mut doc = Api::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let column = match config.ws_close_codes {
        CloseCodes::Standard => "standard",
        CloseCodes::HttpMirror => "http_mirror",
    };
    let description = doc.info.description.get_or_insert_with(String::new);
    description.push_str(&format!(
        " This instance closes WebSocket sessions with the `{column}` column of \
         `x-websocket-close-codes`."
    ));
    if config.fault_routes {
        doc.merge(DebugApi::openapi());
    }
    LayerResponses::from(&app::layer(config)).modify(&mut doc);
    doc
}

/// `GET /openapi.json`: this document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "openapi_json",
    responses((status = 200, description = "This OpenAPI document.", content_type = "application/json", body = Object)),
)]
pub async fn serve(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        state.openapi.clone(),
    )
}
