//! The response to a caught panic.

use crate::Fault;
use axum::response::{IntoResponse, Response};
use std::any::Any;

/// A 500 that shows nothing of the panic; the panic message goes to the
/// log, with the request id.
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "non-string panic payload".to_owned()
    };
    Fault::internal()
        .detail(format!("handler panicked: {message}"))
        .into_response()
}
