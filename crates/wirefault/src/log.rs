//! Where a fault is rendered, it is logged: once, with the request id.

use crate::Fault;

/// Logs a fault where it is rendered: a server error at error level with
/// its whole source chain, a client error at debug level.
pub(crate) fn log_fault(fault: &Fault, request_id: Option<&str>) {
    let request_id = request_id.unwrap_or("-");
    if fault.is_server_error() {
        tracing::error!(request_id, kind = %fault.kind(), error = %fault.report(), "server error");
    } else {
        tracing::debug!(request_id, kind = %fault.kind(), error = %fault.report(), "client error");
    }
}
