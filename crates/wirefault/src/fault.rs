//! [`Fault`]: one error value for every wire.

use crate::kind::Kind;
use crate::pointer::Pointer;
use http::header::{HeaderName, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, StatusCode};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

type Source = Box<dyn StdError + Send + Sync + 'static>;

/// A failure, described once and rendered with the right mechanism on each
/// wire: problem+json over HTTP, a close frame on a WebSocket, a status
/// over gRPC, an error event over SSE.
///
/// ```
/// use wirefault::{Fault, Kind};
/// let fault = Fault::unprocessable()
///     .field("/title", "must not be empty")
///     .field("/body", "must be at most 10000 characters");
/// assert_eq!(fault.kind(), Kind::Unprocessable);
/// assert_eq!(fault.status().as_u16(), 422);
/// assert_eq!(fault.errors().len(), 2);
/// ```
///
/// The `source` error is for logs only: it is never serialized, and a
/// server-caused fault (5xx) shows neither its detail nor its source on
/// the wire.
pub struct Fault {
    // Boxed: a `Result<T, Fault>` stays one pointer wide on the error side.
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    title: Option<Cow<'static, str>>,
    detail: Option<String>,
    type_uri: Option<String>,
    instance: Option<String>,
    reason: Option<Cow<'static, str>>,
    extensions: serde_json::Map<String, serde_json::Value>,
    errors: Vec<FieldError>,
    retry_after: Option<Duration>,
    headers: HeaderMap,
    source: Option<Source>,
}

/// Retry-After sent on 429 and 503 when the fault names none.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

impl Fault {
    /// A fault of the given kind, with no detail yet.
    pub fn new(kind: Kind) -> Fault {
        Fault {
            inner: Box::new(Inner {
                kind,
                title: None,
                detail: None,
                type_uri: None,
                instance: None,
                reason: None,
                extensions: serde_json::Map::new(),
                errors: Vec::new(),
                retry_after: None,
                headers: HeaderMap::new(),
                source: None,
            }),
        }
    }

    fn with_detail(kind: Kind, detail: impl Into<String>) -> Fault {
        Fault::new(kind).detail(detail)
    }

    /// 400: the request is malformed; say what and where.
    pub fn bad_request(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::BadRequest, detail)
    }

    /// 401: no valid credentials. `WWW-Authenticate` defaults to `Bearer`;
    /// set another challenge with [`Fault::challenge`].
    pub fn unauthenticated(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::Unauthenticated, detail)
    }

    /// 403: authenticated, but not allowed.
    pub fn permission_denied(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::PermissionDenied, detail)
    }

    /// 404: the resource does not exist.
    pub fn not_found(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::NotFound, detail)
    }

    /// 405, with `Allow` listing the methods the resource supports.
    pub fn method_not_allowed(allowed: impl IntoIterator<Item = Method>) -> Fault {
        let allowed: Vec<String> = allowed.into_iter().map(|m| m.to_string()).collect();
        let list = allowed.join(", ");
        let fault = Fault::with_detail(
            Kind::MethodNotAllowed,
            format!("this resource supports only: {list}"),
        );
        match HeaderValue::from_str(&list) {
            Ok(value) => fault.header(http::header::ALLOW, value),
            Err(_) => fault,
        }
    }

    /// 406: no representation matches the request's `Accept`.
    pub fn not_acceptable(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::NotAcceptable, detail)
    }

    /// 408: the client took too long to send its request.
    pub fn request_timeout() -> Fault {
        Fault::with_detail(Kind::RequestTimeout, "the request was not received in time")
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::Conflict, detail)
    }

    /// 410: the resource is gone for good.
    pub fn gone(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::Gone, detail)
    }

    /// 412: a precondition does not hold.
    pub fn precondition_failed(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::PreconditionFailed, detail)
    }

    /// 413: the content is larger than accepted.
    pub fn payload_too_large(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::PayloadTooLarge, detail)
    }

    /// 415: the content's media type is not accepted.
    pub fn unsupported_media_type(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::UnsupportedMediaType, detail)
    }

    /// 426, with `Upgrade: {protocol}` (RFC 9110 §15.5.22 requires it).
    pub fn upgrade_required(protocol: &'static str) -> Fault {
        Fault::with_detail(
            Kind::UpgradeRequired,
            format!("this endpoint only speaks {protocol}: send an upgrade request"),
        )
        .header(http::header::UPGRADE, HeaderValue::from_static(protocol))
    }

    /// 422: well-formed but invalid; add one [`Fault::field`] per bad field.
    pub fn unprocessable() -> Fault {
        Fault::with_detail(Kind::Unprocessable, "the request has invalid fields")
    }

    /// 429, with `Retry-After`.
    pub fn rate_limited(retry_after: Duration) -> Fault {
        Fault::with_detail(Kind::RateLimited, "too many requests: slow down")
            .retry_after(retry_after)
    }

    /// 431: the request's header section is too large.
    pub fn headers_too_large(detail: impl Into<String>) -> Fault {
        Fault::with_detail(Kind::HeadersTooLarge, detail)
    }

    /// A 500. Attach the cause with [`Fault::with_source`]; it is logged and
    /// never sent.
    pub fn internal() -> Fault {
        Fault::new(Kind::Internal)
    }

    /// 500 caused by `source` (logged, never sent).
    pub fn internal_from(source: impl Into<Source>) -> Fault {
        Fault::internal().with_source(source)
    }

    /// A 501.
    pub fn not_implemented() -> Fault {
        Fault::new(Kind::NotImplemented)
    }

    /// 502: an upstream answered badly.
    pub fn bad_gateway() -> Fault {
        Fault::new(Kind::BadGateway)
    }

    /// 503, with `Retry-After`.
    pub fn unavailable(retry_after: Duration) -> Fault {
        Fault::new(Kind::Unavailable).retry_after(retry_after)
    }

    /// 504: an upstream did not answer in time.
    pub fn gateway_timeout() -> Fault {
        Fault::new(Kind::GatewayTimeout)
    }

    /// Sets the human-readable explanation of this occurrence
    /// (RFC 9457 `detail`). Hidden on the wire for server errors.
    pub fn detail(mut self, detail: impl Into<String>) -> Fault {
        self.inner.detail = Some(detail.into());
        self
    }

    /// Overrides the title (RFC 9457 `title`; default: the status's reason
    /// phrase). Ignored for server errors, which always use the generic one.
    pub fn title(mut self, title: impl Into<Cow<'static, str>>) -> Fault {
        self.inner.title = Some(title.into());
        self
    }

    /// Sets the problem type URI (RFC 9457 `type`; default `about:blank`).
    pub fn type_uri(mut self, uri: impl Into<String>) -> Fault {
        self.inner.type_uri = Some(uri.into());
        self
    }

    /// Sets the occurrence URI (RFC 9457 `instance`; the error layer uses
    /// the request id when none is set).
    pub fn instance(mut self, uri: impl Into<String>) -> Fault {
        self.inner.instance = Some(uri.into());
        self
    }

    /// Sets the machine-readable reason (UPPER_SNAKE_CASE, e.g.
    /// `TITLE_TAKEN`), used as gRPC `ErrorInfo.reason`. Defaults to the
    /// kind's code in upper case.
    pub fn reason(mut self, reason: impl Into<Cow<'static, str>>) -> Fault {
        self.inner.reason = Some(reason.into());
        self
    }

    /// Adds a problem extension member (client errors only on the wire).
    pub fn extension(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Fault {
        self.inner.extensions.insert(key.into(), value.into());
        self
    }

    /// Adds a field error: `pointer` is a JSON pointer (`/title`, or a bare
    /// member name) to the offending field, `detail` says what is wrong.
    pub fn field(mut self, pointer: impl Into<FieldPointer>, detail: impl Into<String>) -> Fault {
        self.inner
            .errors
            .push(FieldError::new(pointer.into().0, detail));
        self
    }

    /// Sets how long the client should wait before retrying (`Retry-After`).
    pub fn retry_after(mut self, after: Duration) -> Fault {
        self.inner.retry_after = Some(after);
        self
    }

    /// Sets the `WWW-Authenticate` challenge of a 401.
    pub fn challenge(self, challenge: HeaderValue) -> Fault {
        self.header(http::header::WWW_AUTHENTICATE, challenge)
    }

    /// Adds a response header (HTTP only).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Fault {
        self.inner.headers.insert(name, value);
        self
    }

    /// Attaches the underlying error: logged with its whole chain, never
    /// serialized.
    pub fn with_source(mut self, source: impl Into<Source>) -> Fault {
        self.inner.source = Some(source.into());
        self
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.inner.kind
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.kind.status()
    }

    /// Whether this is a server-caused fault, whose details stay private.
    pub fn is_server_error(&self) -> bool {
        self.inner.kind.is_server_error()
    }

    /// The title set with [`Fault::title`], shown or not.
    pub(crate) fn title_override(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }

    /// The detail, as set (private for server errors).
    pub fn detail_str(&self) -> Option<&str> {
        self.inner.detail.as_deref()
    }

    /// The type URI, if one was set.
    pub fn type_uri_str(&self) -> Option<&str> {
        self.inner.type_uri.as_deref()
    }

    /// The instance URI, if one was set.
    pub fn instance_str(&self) -> Option<&str> {
        self.inner.instance.as_deref()
    }

    /// The machine-readable reason (UPPER_SNAKE_CASE).
    pub fn reason_str(&self) -> Cow<'static, str> {
        match &self.inner.reason {
            Some(reason) => reason.clone(),
            None => Cow::Owned(self.inner.kind.code().to_ascii_uppercase()),
        }
    }

    /// The extension members.
    pub fn extensions(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.inner.extensions
    }

    /// The field errors.
    pub fn errors(&self) -> &[FieldError] {
        &self.inner.errors
    }

    /// The retry delay, set or implied by the kind (the kinds whose row
    /// requires `Retry-After`, 429 and 503, always carry one).
    pub fn retry_after_duration(&self) -> Option<Duration> {
        if self.inner.kind.required_headers().contains(&RETRY_AFTER) {
            Some(self.inner.retry_after.unwrap_or(DEFAULT_RETRY_AFTER))
        } else {
            self.inner.retry_after
        }
    }

    /// The extra headers set on this fault.
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.headers
    }

    /// Every header the HTTP response must carry besides `Content-Type`:
    /// the extra headers, `Retry-After` when the fault has a retry delay
    /// (always on the kinds whose row requires it, 429 and 503), and a
    /// default for each other header the row requires that the fault does
    /// not set (`WWW-Authenticate: Bearer` on 401). `Allow` and `Upgrade`
    /// come from their constructors.
    pub fn http_headers(&self) -> HeaderMap {
        let mut headers = self.inner.headers.clone();
        if let Some(after) = self.retry_after_duration() {
            // Round up: "Retry-After: 0" would invite an immediate retry.
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            headers.insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        for name in self.inner.kind.required_headers() {
            if *name == WWW_AUTHENTICATE && !headers.contains_key(name) {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
        }
        headers
    }

    /// Writes [`http_headers`](Self::http_headers) into a response's
    /// `headers`, leaving alone a header the response already has.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        // One value per name (`Fault::header` replaces): the iterator
        // names each.
        for (name, value) in self.http_headers() {
            if let Some(name) = name {
                headers.entry(name).or_insert(value);
            }
        }
    }

    /// The fault and its whole source chain on one line, for logs.
    pub fn report(&self) -> String {
        let mut out = format!(
            "{} ({})",
            self.inner.kind.title(),
            self.inner.kind.status().as_u16()
        );
        if let Some(detail) = &self.inner.detail {
            out.push_str(": ");
            out.push_str(detail);
        }
        let mut source: Option<&(dyn StdError + 'static)> =
            self.inner.source.as_deref().map(|s| s as _);
        while let Some(err) = source {
            out.push_str(": ");
            out.push_str(&err.to_string());
            source = err.source();
        }
        out
    }
}

/// One invalid field of a request: where (a JSON pointer in URI fragment
/// form, `#/title`) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Where the problem is: `#` and an RFC 6901 pointer.
    pub pointer: String,
    /// What is wrong with that field.
    pub detail: String,
}

impl FieldError {
    /// A field error at `pointer`.
    pub fn new(pointer: Pointer, detail: impl Into<String>) -> FieldError {
        FieldError {
            pointer: pointer.to_uri_fragment(),
            detail: detail.into(),
        }
    }
}

/// A JSON pointer given to [`Fault::field`]: a [`Pointer`], or a string
/// taken as an escaped pointer (`/title`) or a bare member name (`title`).
#[derive(Debug, Clone)]
pub struct FieldPointer(Pointer);

impl From<Pointer> for FieldPointer {
    fn from(p: Pointer) -> Self {
        FieldPointer(p)
    }
}

impl From<&str> for FieldPointer {
    fn from(s: &str) -> Self {
        FieldPointer(Pointer::parse(s))
    }
}

impl From<String> for FieldPointer {
    fn from(s: String) -> Self {
        FieldPointer(Pointer::parse(&s))
    }
}

impl fmt::Debug for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fault")
            .field("kind", &self.inner.kind)
            .field("title", &self.inner.title)
            .field("detail", &self.inner.detail)
            .field("type_uri", &self.inner.type_uri)
            .field("errors", &self.inner.errors)
            .field("retry_after", &self.inner.retry_after)
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.detail {
            Some(detail) => write!(f, "{}: {detail}", self.inner.kind.title()),
            None => f.write_str(self.inner.kind.title()),
        }
    }
}

impl StdError for Fault {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_deref().map(|s| s as _)
    }
}

impl From<Kind> for Fault {
    fn from(kind: Kind) -> Fault {
        Fault::new(kind)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::close::{CloseCode, CloseCodes};

    #[test]
    fn write_headers_adds_what_is_missing_and_keeps_the_rest() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("60"));
        Fault::rate_limited(Duration::from_secs(2))
            .header(
                HeaderName::from_static("x-limit"),
                HeaderValue::from_static("5"),
            )
            .write_headers(&mut headers);
        assert_eq!(headers[RETRY_AFTER], "60");
        assert_eq!(headers["x-limit"], "5");
        assert_eq!(headers.len(), 2);
    }

    #[test]
    fn constructors_pick_their_kind() {
        assert_eq!(Fault::not_found("note 42 does not exist").status(), 404);
        assert_eq!(Fault::rate_limited(Duration::from_secs(3)).status(), 429);
        assert_eq!(Fault::internal().status(), 500);
    }

    #[test]
    fn required_headers_are_set() {
        let h = Fault::rate_limited(Duration::from_millis(1500)).http_headers();
        assert_eq!(h[http::header::RETRY_AFTER], "2");
        let h = Fault::unavailable(Duration::ZERO).http_headers();
        assert_eq!(h[http::header::RETRY_AFTER], "1");
        let h = Fault::new(Kind::Unavailable).http_headers();
        assert_eq!(h[http::header::RETRY_AFTER], "5");
        let h = Fault::unauthenticated("sign in").http_headers();
        assert_eq!(h[http::header::WWW_AUTHENTICATE], "Bearer");
        let h = Fault::method_not_allowed([Method::GET, Method::HEAD]).http_headers();
        assert_eq!(h[http::header::ALLOW], "GET, HEAD");
        let h = Fault::upgrade_required("websocket").http_headers();
        assert_eq!(h[http::header::UPGRADE], "websocket");
    }

    #[test]
    fn server_faults_close_with_a_generic_reason() {
        let f = Fault::internal().detail("SELECT * FROM secrets failed");
        let close = f.close(CloseCodes::Standard);
        assert_eq!(close.code(), CloseCode::INTERNAL_ERROR);
        assert_eq!(close.reason(), "Internal Server Error");
        let f = Fault::not_found("note 7 does not exist");
        assert_eq!(f.close(CloseCodes::HttpMirror).code().as_u16(), 4404);
        assert_eq!(
            f.close(CloseCodes::Standard).reason(),
            "note 7 does not exist"
        );
    }

    #[test]
    fn report_has_the_whole_chain() {
        let io = std::io::Error::other("disk on fire");
        let f = Fault::internal_from(io).detail("saving note");
        assert_eq!(
            f.report(),
            "Internal Server Error (500): saving note: disk on fire"
        );
        assert!(f.source().is_some());
    }

    #[test]
    fn reason_defaults_to_the_kind_code() {
        assert_eq!(Fault::conflict("x").reason_str(), "CONFLICT");
        assert_eq!(
            Fault::conflict("x").reason("TITLE_TAKEN").reason_str(),
            "TITLE_TAKEN"
        );
    }
}
