//! [`Fault`] → [`tonic::Status`], with rich error details (AIP-193).

use super::field_path::field_path;
use crate::{Fault, PublicFault};
use std::borrow::Cow;
use std::collections::HashMap;
use tonic::{Code, Status};
use tonic_types::{
    BadRequest, ErrorDetail, ErrorInfo, FieldViolation, RequestInfo, RetryInfo, StatusExt,
};

/// The `ErrorInfo.domain` used by `From<Fault> for Status`: the crate's
/// name. A service should name its own domain with [`FaultStatus`].
pub const DEFAULT_DOMAIN: &str = "wirefault";

/// The `ErrorInfo.metadata` key that carries the fault's HTTP status
/// (`"404"`), so a wirefault peer can tell 400 from 422 or 415, which
/// share `INVALID_ARGUMENT`.
pub const HTTP_STATUS_KEY: &str = "httpStatus";

/// Turns [`Fault`]s into [`tonic::Status`]es for one service's domain.
///
/// The status has:
/// - the code from the mapping table ([`Kind::grpc_code`]);
/// - the message: the fault's detail (else its title) for a client fault,
///   the generic title (`Internal Server Error`) for a server fault;
/// - in `grpc-status-details-bin`, following [AIP-193]:
///   - exactly one `ErrorInfo`: `reason` is [`Fault::reason_str`]
///     (UPPER_SNAKE_CASE), `domain` is this converter's, `metadata` holds
///     [`HTTP_STATUS_KEY`] and, for a client fault, the extension members
///     whose values are strings, numbers or booleans;
///   - `BadRequest` with one field violation per [`Fault::errors`] entry
///     (client faults only), each pointer turned into a field path by
///     [`field_path`](super::field_path) (`#/author/name` → `author.name`);
///   - `RetryInfo` when the fault has a retry delay (always on 429/503);
///   - `RequestInfo` when a request id is known: the one given, else the
///     fault's [`instance`](Fault::instance_str).
///
/// A server fault shows nothing else: no detail, no extensions, no field
/// errors, never its source. The fault is logged where it is converted, a
/// server fault at error level with its whole source chain.
///
/// ```
/// use tonic::Code;
/// use tonic_types::StatusExt;
/// use wirefault::tonic::FaultStatus;
/// use wirefault::Fault;
///
/// const NOTES: FaultStatus = FaultStatus::new("notes.example.com");
///
/// let fault = Fault::unprocessable().field("/title", "must not be empty");
/// let status = NOTES.status(&fault, Some("req-7"));
/// assert_eq!(status.code(), Code::InvalidArgument);
/// assert_eq!(status.message(), "the request has invalid fields");
///
/// let details = status.get_error_details();
/// let info = details.error_info().unwrap();
/// assert_eq!(info.reason, "UNPROCESSABLE");
/// assert_eq!(info.domain, "notes.example.com");
/// let violation = &details.bad_request().unwrap().field_violations[0];
/// assert_eq!(violation.field, "title");
/// assert_eq!(details.request_info().unwrap().request_id, "req-7");
///
/// // A server fault keeps its internals to itself.
/// let status: tonic::Status = Fault::internal().detail("SELECT failed").into();
/// assert_eq!(status.code(), Code::Internal);
/// assert_eq!(status.message(), "Internal Server Error");
/// ```
///
/// [`Kind::grpc_code`]: crate::Kind::grpc_code
/// [AIP-193]: https://google.aip.dev/193
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultStatus {
    domain: Cow<'static, str>,
}

impl Default for FaultStatus {
    fn default() -> Self {
        FaultStatus::new(DEFAULT_DOMAIN)
    }
}

impl FaultStatus {
    /// A converter whose `ErrorInfo.domain` is `domain`: by AIP-193, the
    /// service's registered name (`pubsub.googleapis.com`), or a
    /// fully-qualified name of the infrastructure that raised the error.
    pub const fn new(domain: &'static str) -> FaultStatus {
        FaultStatus {
            domain: Cow::Borrowed(domain),
        }
    }

    /// A converter with a domain known only at run time.
    pub fn with_domain(domain: impl Into<String>) -> FaultStatus {
        FaultStatus {
            domain: Cow::Owned(domain.into()),
        }
    }

    /// The `ErrorInfo.domain`.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The status for `fault`. `request_id` (else the fault's instance)
    /// goes into `RequestInfo` and the log line.
    pub fn status(&self, fault: &Fault, request_id: Option<&str>) -> Status {
        let public = PublicFault::logged(fault, request_id.or(fault.instance_str()));
        let code = Code::from_i32(public.kind().grpc_code().as_i32());

        let mut metadata = HashMap::new();
        for (key, value) in public.extensions() {
            let value = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            metadata.insert(key.clone(), value);
        }
        metadata.insert(
            HTTP_STATUS_KEY.to_owned(),
            public.status().as_u16().to_string(),
        );

        let mut details: Vec<ErrorDetail> =
            vec![ErrorInfo::new(public.reason(), self.domain.as_ref(), metadata).into()];
        if !public.errors().is_empty() {
            let violations: Vec<FieldViolation> = public
                .errors()
                .iter()
                .map(|e| FieldViolation::new(field_path(&e.pointer), e.detail.clone()))
                .collect();
            details.push(BadRequest::new(violations).into());
        }
        if let Some(after) = public.retry_after() {
            details.push(RetryInfo::new(Some(after)).into());
        }
        if let Some(id) = public.request_id() {
            details.push(RequestInfo::new(id, "").into());
        }
        Status::with_error_details_vec(code, public.message(), details)
    }
}

impl From<Fault> for Status {
    /// [`FaultStatus::default`]'s status: [`DEFAULT_DOMAIN`], the request
    /// id from the fault's instance.
    fn from(fault: Fault) -> Status {
        FaultStatus::default().status(&fault, None)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{Kind, TABLE};
    use std::time::Duration;

    #[test]
    fn every_kind_gets_the_table_code() {
        for row in TABLE {
            let status = Status::from(Fault::new(row.kind));
            assert_eq!(status.code() as i32, row.grpc.as_i32(), "{:?}", row.kind);
            let details = status.get_error_details();
            let info = details.error_info().unwrap();
            assert_eq!(info.reason, row.code.to_ascii_uppercase());
            assert_eq!(info.domain, DEFAULT_DOMAIN);
            assert_eq!(
                info.metadata[HTTP_STATUS_KEY],
                row.status.as_u16().to_string()
            );
        }
    }

    #[test]
    fn exactly_one_error_info() {
        let fault = Fault::conflict("title taken")
            .reason("TITLE_TAKEN")
            .extension("title", "hello")
            .extension("count", 3)
            .extension("nested", serde_json::json!({"a": 1}));
        let status = FaultStatus::with_domain("notes.test").status(&fault, None);
        let all = status.get_error_details_vec();
        let infos: Vec<_> = all
            .iter()
            .filter_map(|d| match d {
                ErrorDetail::ErrorInfo(info) => Some(info),
                _ => None,
            })
            .collect();
        assert_eq!(infos.len(), 1);
        let info = infos[0];
        assert_eq!(info.reason, "TITLE_TAKEN");
        assert_eq!(info.domain, "notes.test");
        assert_eq!(info.metadata["title"], "hello");
        assert_eq!(info.metadata["count"], "3");
        assert!(!info.metadata.contains_key("nested"));
        assert_eq!(status.code(), Code::AlreadyExists);
        assert_eq!(status.message(), "title taken");
    }

    #[test]
    fn retry_and_request_info() {
        let fault = Fault::rate_limited(Duration::from_secs(7)).instance("req-1");
        let details = Status::from(fault).get_error_details();
        assert_eq!(
            details.retry_info().unwrap().retry_delay,
            Some(Duration::from_secs(7))
        );
        assert_eq!(details.request_info().unwrap().request_id, "req-1");

        let fault = Fault::new(Kind::Unavailable);
        let status = FaultStatus::default().status(&fault, Some("explicit"));
        let details = status.get_error_details();
        assert_eq!(
            details.retry_info().unwrap().retry_delay,
            Some(crate::DEFAULT_RETRY_AFTER)
        );
        assert_eq!(details.request_info().unwrap().request_id, "explicit");

        let details = Status::from(Fault::not_found("x")).get_error_details();
        assert!(details.retry_info().is_none());
        assert!(details.request_info().is_none());
    }

    #[test]
    fn server_faults_show_no_internals() {
        let fault = Fault::internal_from(std::io::Error::other("/etc/secret: SQL"))
            .detail("panicked at src/db.rs")
            .title("Database exploded")
            .extension("query", "SELECT 1")
            .field("/x", "y");
        let status = Status::from(fault);
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "Internal Server Error");
        let details = status.get_error_details();
        assert!(details.bad_request().is_none());
        let info = details.error_info().unwrap();
        assert_eq!(info.metadata.len(), 1);
        let raw = String::from_utf8_lossy(status.details()).into_owned();
        for leak in ["secret", "SQL", "panicked", "db.rs", "exploded", "SELECT"] {
            assert!(!raw.contains(leak), "{leak} leaked");
            assert!(!status.message().contains(leak), "{leak} leaked");
        }
        assert!(std::error::Error::source(&status).is_none());
    }

    #[test]
    fn field_errors_become_violations() {
        let fault = Fault::unprocessable()
            .field("/title", "must not be empty")
            .field(crate::Pointer::root().key("tags").index(2), "too long");
        let details = Status::from(fault).get_error_details();
        let v = &details.bad_request().unwrap().field_violations;
        assert_eq!(v.len(), 2);
        assert_eq!(
            (v[0].field.as_str(), v[0].description.as_str()),
            ("title", "must not be empty")
        );
        assert_eq!(v[1].field, "tags[2]");
    }
}
