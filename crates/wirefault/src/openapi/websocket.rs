//! A WebSocket endpoint in the document: its handshake answers as
//! responses, and the close codes its failures produce in an extension.

use super::kind_response::{required_header, responses};
use crate::{CloseCodes, Kind, MAX_REASON_BYTES};
use http::header;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::response::Response;
use utoipa::openapi::RefOr;

/// The extension of the `101` response that lists the close codes.
pub const CLOSE_CODES_EXTENSION: &str = "x-websocket-close-codes";

/// The close code each of `closes` ends a session with, from the mapping
/// table, one entry per kind:
/// `{"kind", "status", "title", "standard", "http_mirror"}` (the code with
/// [`CloseCodes::Standard`] and with [`CloseCodes::HttpMirror`]).
///
/// ```
/// use wirefault::{openapi, Kind};
///
/// let codes = openapi::close_codes(&[Kind::BadRequest]);
/// assert_eq!(codes[0]["standard"], 1007);
/// assert_eq!(codes[0]["http_mirror"], 4400);
/// ```
pub fn close_codes(closes: &[Kind]) -> Value {
    closes
        .iter()
        .map(|kind| {
            json!({
                "kind": kind.code(),
                "status": kind.status().as_u16(),
                "title": kind.title(),
                "standard": kind.close_code(CloseCodes::Standard).as_u16(),
                "http_mirror": kind.close_code(CloseCodes::HttpMirror).as_u16(),
            })
        })
        .collect()
}

/// The responses of a WebSocket endpoint (`GET` with the upgrade):
///
/// - `101 Switching Protocols` with `Upgrade`, `Connection` and
///   `Sec-WebSocket-Accept`, and the extension
///   [`CLOSE_CODES_EXTENSION`] listing [`close_codes`] for `closes`, the
///   kinds a session can end with;
/// - one problem response per kind of `handshake`, the HTTP answers before
///   the upgrade (typically 400, 401, 403, 426), as [`super::response`].
///
/// ```
/// use wirefault::{openapi, Kind};
///
/// let answers = openapi::websocket_responses(
///     &[Kind::Unauthenticated, Kind::UpgradeRequired],
///     &[Kind::BadRequest, Kind::RateLimited],
/// );
/// let json = serde_json::to_value(&answers).unwrap();
/// assert_eq!(json["426"]["headers"]["upgrade"]["required"], true);
/// assert_eq!(json["101"]["x-websocket-close-codes"][1]["standard"], 1013);
/// ```
pub fn websocket_responses(
    handshake: &[Kind],
    closes: &[Kind],
) -> BTreeMap<String, RefOr<Response>> {
    let mut answers = responses(handshake);
    answers.insert("101".to_owned(), RefOr::T(switching_protocols(closes)));
    answers
}

fn switching_protocols(closes: &[Kind]) -> Response {
    let mut response = Response::new(format!(
        "Switching Protocols: the WebSocket session starts. A failure ends it with a \
         close frame: the failing kind's code (`{CLOSE_CODES_EXTENSION}`: the `standard` \
         column, or `http_mirror` when the service runs with HTTP-mirror close codes) \
         and a reason of at most {MAX_REASON_BYTES} bytes."
    ));
    let headers = [
        (header::UPGRADE, "`websocket`."),
        (header::CONNECTION, "`upgrade`."),
        (
            header::SEC_WEBSOCKET_ACCEPT,
            "the key's proof (RFC 6455 §4.2.2).",
        ),
    ];
    for (name, description) in headers {
        response.headers.insert(
            name.as_str().to_owned(),
            RefOr::T(required_header(description)),
        );
    }
    let mut extensions = Extensions::default();
    extensions.insert(CLOSE_CODES_EXTENSION.to_owned(), close_codes(closes));
    response.extensions = Some(extensions);
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_come_from_the_table() {
        let codes = close_codes(Kind::ALL);
        for (kind, entry) in Kind::ALL.iter().zip(codes.as_array().unwrap()) {
            assert_eq!(entry["kind"], kind.code());
            assert_eq!(
                entry["standard"],
                kind.close_code(CloseCodes::Standard).as_u16()
            );
            assert_eq!(
                entry["http_mirror"],
                kind.close_code(CloseCodes::HttpMirror).as_u16()
            );
        }
    }
}
