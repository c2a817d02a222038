//! [`PublicFault`]: what of a fault leaves the process, decided once.

use crate::close::{Close, CloseCodes};
use crate::fault::{Fault, FieldError};
use crate::kind::Kind;
use http::StatusCode;
use std::borrow::Cow;
use std::time::Duration;

/// The `detail` every server error shows instead of its own.
pub const GENERIC_SERVER_DETAIL: &str =
    "The server could not complete this request. Quote the request id when you report it.";

/// The part of a [`Fault`] a client may see, with the request id: every
/// wire renders from this view (the problem+json body, the WebSocket close
/// reason, the SSE error event, the gRPC status), so the rule of what
/// leaves the process is stated here only:
///
/// - a client fault (4xx) shows its title, detail, field errors and
///   extensions;
/// - a server fault (5xx) shows the generic title of its status,
///   [`GENERIC_SERVER_DETAIL`] and the request id: never its detail, its
///   title override, its field errors, its extensions or its source.
///
/// [`PublicFault::logged`] is where a fault is logged when it is rendered
/// on a wire: once per rendering, a server fault at error level with its
/// whole source chain, a client fault at debug level.
///
/// ```
/// use wirefault::{Fault, PublicFault};
///
/// let fault = Fault::internal().detail("SELECT failed").extension("query", "SELECT 1");
/// let public = PublicFault::new(&fault, Some("req-1"));
/// assert_eq!(public.title(), "Internal Server Error");
/// assert_eq!(public.message(), "Internal Server Error");
/// assert!(public.errors().is_empty() && public.extensions().next().is_none());
/// assert_eq!(public.request_id(), Some("req-1"));
///
/// let fault = Fault::not_found("note 7 does not exist");
/// assert_eq!(PublicFault::new(&fault, None).message(), "note 7 does not exist");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PublicFault<'a> {
    fault: &'a Fault,
    request_id: Option<&'a str>,
    // Read once: every accessor asks.
    server: bool,
    // The fault's own, or the status it is answered with (`with_status`).
    status: StatusCode,
}

impl<'a> PublicFault<'a> {
    /// The view of `fault` for a client; `request_id`, when known, is shown
    /// with it. Logs nothing (see [`PublicFault::logged`]).
    pub fn new(fault: &'a Fault, request_id: Option<&'a str>) -> PublicFault<'a> {
        PublicFault {
            fault,
            request_id,
            server: fault.is_server_error(),
            status: fault.status(),
        }
    }

    /// The view of `fault` answered with `status`, when the status has no
    /// row of its own (a 418, a 507) and `fault` is of the generic kind
    /// for its class: the status is kept, with its reason phrase as title.
    pub(crate) fn with_status(
        fault: &'a Fault,
        status: StatusCode,
        request_id: Option<&'a str>,
    ) -> PublicFault<'a> {
        PublicFault {
            fault,
            request_id,
            server: fault.is_server_error() || status.is_server_error(),
            status,
        }
    }

    /// The view of `fault` for a client, logging the fault: the one place a
    /// rendered fault is logged. A wire integration calls this once per
    /// fault it sends. (Logging uses `tracing`, which comes with the `axum`
    /// and `tonic` features; without them nothing is logged.)
    pub fn logged(fault: &'a Fault, request_id: Option<&'a str>) -> PublicFault<'a> {
        #[cfg(any(feature = "axum", feature = "tonic"))]
        {
            let id = request_id.unwrap_or("-");
            if fault.is_server_error() {
                tracing::error!(request_id = id, kind = %fault.kind(), error = %fault.report(), "server error");
            } else {
                tracing::debug!(request_id = id, kind = %fault.kind(), error = %fault.report(), "client error");
            }
        }
        PublicFault::new(fault, request_id)
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.fault.kind()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the fault is the server's (5xx), so shows nothing of itself.
    pub fn is_server_error(&self) -> bool {
        self.server
    }

    /// The problem type URI (`about:blank` unless the fault set one).
    pub fn type_uri(&self) -> &'a str {
        self.fault.type_uri_str().unwrap_or("about:blank")
    }

    /// The title: the fault's own for a client fault, else the status's
    /// reason phrase.
    pub fn title(&self) -> &'a str {
        match self.fault.title_override() {
            Some(title) if !self.server => title,
            _ if self.status != self.kind().status() => {
                self.status.canonical_reason().unwrap_or("Error")
            }
            _ => self.kind().title(),
        }
    }

    /// The detail: the fault's for a client fault, [`GENERIC_SERVER_DETAIL`]
    /// for a server fault.
    pub fn detail(&self) -> Option<&'a str> {
        if self.server {
            Some(GENERIC_SERVER_DETAIL)
        } else {
            self.fault.detail_str()
        }
    }

    /// One short line for wires with room for one (a close reason, a gRPC
    /// message): the detail of a client fault, else the title.
    pub fn message(&self) -> &'a str {
        match self.fault.detail_str() {
            Some(detail) if !self.server => detail,
            _ => self.title(),
        }
    }

    /// The occurrence: the fault's instance URI, else the request id.
    pub fn instance(&self) -> Option<&'a str> {
        self.fault.instance_str().or(self.request_id)
    }

    /// The request id shown with the fault.
    pub fn request_id(&self) -> Option<&'a str> {
        self.request_id
    }

    /// The field errors (none for a server fault).
    pub fn errors(&self) -> &'a [FieldError] {
        if self.server {
            &[]
        } else {
            self.fault.errors()
        }
    }

    /// The extension members (none for a server fault).
    pub fn extensions(&self) -> impl Iterator<Item = (&'a String, &'a serde_json::Value)> {
        let shown = if self.server {
            None
        } else {
            Some(self.fault.extensions())
        };
        shown.into_iter().flatten()
    }

    /// The machine-readable reason (UPPER_SNAKE_CASE).
    pub fn reason(&self) -> Cow<'static, str> {
        self.fault.reason_str()
    }

    /// How long the client should wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        self.fault.retry_after_duration()
    }

    /// The close frame for a WebSocket session: the kind's code in the
    /// given mode and [`PublicFault::message`], cut to 123 bytes.
    pub fn close(&self, codes: CloseCodes) -> Close {
        Close::new(self.kind().close_code(codes), self.message())
    }
}

impl Fault {
    /// The title as the client sees it ([`PublicFault::title`]).
    pub fn title_str(&self) -> &str {
        PublicFault::new(self, None).title()
    }

    /// The close frame for a WebSocket session: the kind's code in the
    /// given mode and a reason of at most 123 bytes (the detail for client
    /// faults, the generic title for server faults; see
    /// [`PublicFault::close`]). Logs nothing.
    pub fn close(&self, codes: CloseCodes) -> Close {
        PublicFault::new(self, None).close(codes)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn server_faults_show_only_the_generic_parts() {
        let fault = Fault::internal_from(std::io::Error::other("disk"))
            .detail("SELECT failed")
            .title("Database exploded")
            .extension("query", "SELECT 1")
            .field("/x", "y")
            .instance("/jobs/1");
        let public = PublicFault::new(&fault, Some("r1"));
        assert_eq!(public.title(), "Internal Server Error");
        assert_eq!(public.detail(), Some(GENERIC_SERVER_DETAIL));
        assert_eq!(public.message(), "Internal Server Error");
        assert!(public.errors().is_empty());
        assert_eq!(public.extensions().count(), 0);
        assert_eq!(public.instance(), Some("/jobs/1"));
        assert_eq!(public.request_id(), Some("r1"));
    }

    #[test]
    fn client_faults_show_what_they_say() {
        let fault = Fault::conflict("title taken")
            .title("Duplicate")
            .extension("title", "hello")
            .field("/title", "taken");
        let public = PublicFault::new(&fault, None);
        assert_eq!(public.title(), "Duplicate");
        assert_eq!(public.detail(), Some("title taken"));
        assert_eq!(public.message(), "title taken");
        assert_eq!(public.errors().len(), 1);
        assert_eq!(public.extensions().count(), 1);
        assert_eq!(public.instance(), None);
        let bare = Fault::new(Kind::Conflict);
        assert_eq!(PublicFault::new(&bare, None).message(), "Conflict");
    }
}
