//! The service's log lines: tracing-subscriber's format, with the id of
//! the request being served added to every line a request produces.
//!
//! The id comes from the request's context
//! ([`RequestId::current`](wirefault::axum::RequestId::current)), read
//! only when a line is written. A request that logs nothing pays nothing
//! for it, where a span per request would be built, its fields formatted,
//! on every request at `info`.

use std::fmt;
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::{DefaultFields, Writer};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::EnvFilter;
use wirefault::axum::RequestId;

/// Logs to stderr at `RUST_LOG` (default `info`), each line inside a
/// request with its `request_id`.
pub fn init() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .fmt_fields(WithRequestId::default())
        .init();
}

/// The default field format, then ` request_id=…` when the fields are
/// written inside a request and do not name one themselves (wirefault's
/// own lines do).
#[derive(Debug, Default)]
pub struct WithRequestId(DefaultFields);

impl<'writer> FormatFields<'writer> for WithRequestId {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut named = NamesRequestId(false);
        fields.record(&mut named);
        self.0.format_fields(writer.by_ref(), fields)?;
        match RequestId::current() {
            Some(RequestId(id)) if !named.0 => write!(writer, " request_id={id}"),
            _ => Ok(()),
        }
    }
}

/// Whether the fields include one named `request_id`.
struct NamesRequestId(bool);

impl Visit for NamesRequestId {
    fn record_debug(&mut self, field: &Field, _value: &dyn fmt::Debug) {
        self.0 |= field.name() == "request_id";
    }
}
