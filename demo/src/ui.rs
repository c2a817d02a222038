//! The playground page, served on its own origin.
//!
//! The page calls the API on the host name it was loaded from (so a page
//! from `localhost` calls `localhost`, and the session cookie stays
//! same-site) and on the API's port, which it reads from `/config.js`.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

const INDEX_HTML: &str = include_str!("../ui/index.html");
const APP_JS: &str = include_str!("../ui/app.js");
const GRPC_WEB_JS: &str = include_str!("../ui/grpc_web.js");
const JS: &str = "text/javascript; charset=utf-8";

/// The page's router; `api_port` is the port the API listens on.
pub fn router(api_port: u16) -> Router {
    let config_js = format!("window.WIREFAULT_API_PORT = {api_port};\n");
    Router::new()
        .route("/", get(|| async { Html(INDEX_HTML) }))
        .route(
            "/app.js",
            get(|| async { ([(header::CONTENT_TYPE, JS)], APP_JS).into_response() }),
        )
        .route(
            "/grpc_web.js",
            get(|| async { ([(header::CONTENT_TYPE, JS)], GRPC_WEB_JS).into_response() }),
        )
        .route(
            "/config.js",
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, JS),
                        (header::CACHE_CONTROL, "no-store"),
                    ],
                    config_js,
                )
                    .into_response()
            }),
        )
}
