//! The playground page, served on its own origin.

use axum::response::Html;
use axum::routing::get;
use axum::Router;

/// The page's router.
pub fn router() -> Router {
    Router::new().route(
        "/",
        get(|| async { Html(include_str!("../ui/index.html")) }),
    )
}
