//! The HTTP phase of a WebSocket session: every refusal is an HTTP answer
//! (problem+json), sent before the upgrade.
//!
//! axum's own `WebSocketUpgrade` extractor rejects with text/plain and
//! statuses that do not follow RFC 6455 §4.4 (a plain GET gets 400, another
//! version 400 with no `Sec-WebSocket-Version`), and it rejects before the
//! handler can check the origin or the session. [`WsHandshake`] therefore
//! never rejects: it records what the request asked for, and the handler
//! decides the order of the checks (origin, then credentials, then
//! [`WsHandshake::accept`] for the upgrade headers).

use super::config::{Sessions, WsConfig};
use super::{Accepted, OriginCheck};
use crate::axum::RequestId;
use crate::{Fault, Kind};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::FromRequestParts;
use http::header::{
    HeaderValue, CONNECTION, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION,
    UPGRADE,
};
use http::request::Parts;
use http::{HeaderMap, Method, Version};
use std::convert::Infallible;

/// The WebSocket protocol version this server speaks (RFC 6455 §4.1).
const WEBSOCKET_VERSION: &str = "13";

/// An extractor for the handshake phase of a WebSocket endpoint.
///
/// It never rejects. The handler runs its checks in the order it wants,
/// each answering HTTP with problem+json, and only then
/// [accepts](WsHandshake::accept) the upgrade:
///
/// 1. [`check_origin`](WsHandshake::check_origin): 403 for a foreign
///    `Origin` (browsers apply no CORS to WebSockets).
/// 2. the application's own authentication: 401.
/// 3. [`accept`](WsHandshake::accept): 426 with `Upgrade: websocket` for a
///    request that asks for no WebSocket upgrade, 426 with
///    `Sec-WebSocket-Version: 13` for another protocol version, 400 for
///    any other malformed upgrade request.
///
/// See [the module docs](super) for a whole endpoint.
#[derive(Debug)]
pub struct WsHandshake {
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, Fault>,
}

impl<S> FromRequestParts<S> for WsHandshake
where
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let upgrade = match check_upgrade(&parts.method, parts.version, &parts.headers) {
            Ok(()) => WebSocketUpgrade::from_request_parts(parts, state)
                .await
                .map_err(|rejection| {
                    // Only reachable when our checks passed and axum's did
                    // not: no upgrade state (HTTP/1.0, a test without a
                    // connection) or an HTTP/2 detail.
                    let status = rejection.status();
                    let text = rejection.body_text();
                    match status.as_u16() {
                        426 => Fault::upgrade_required("websocket").detail(text),
                        405 => Fault::method_not_allowed([Method::GET]),
                        _ => Fault::bad_request(text),
                    }
                }),
            Err(fault) => Err(fault),
        };
        Ok(WsHandshake {
            headers: parts.headers.clone(),
            upgrade,
        })
    }
}

impl WsHandshake {
    /// The request's headers (for cookies, authorization, subprotocols).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The subprotocols the client offered in `Sec-WebSocket-Protocol`,
    /// in its order (empty when it offered none).
    pub fn requested_protocols(&self) -> impl Iterator<Item = &str> {
        self.headers
            .get_all(SEC_WEBSOCKET_PROTOCOL)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    /// Checks the request's `Origin` with `check`: a refusal is a 403
    /// answered before the upgrade, so a page from another site cannot
    /// ride the user's cookies into a session (cross-site WebSocket
    /// hijacking).
    ///
    /// # Errors
    ///
    /// The check's fault (a 403 for [`AllowOrigin`](super::AllowOrigin)).
    pub fn check_origin(&self, check: &(impl OriginCheck + ?Sized)) -> Result<(), Fault> {
        check.check_origin(&self.headers)
    }

    /// Accepts the upgrade if the request is a well-formed WebSocket
    /// handshake, ending the HTTP phase. Run the session with
    /// [`Accepted::run`].
    ///
    /// # Errors
    ///
    /// A fault to answer over HTTP: 426 + `Upgrade: websocket` when the
    /// request asks for no WebSocket upgrade; 426 +
    /// `Sec-WebSocket-Version: 13` for another version (RFC 6455 §4.4);
    /// 400 for a missing `Connection: upgrade`, a missing version, a
    /// missing or malformed `Sec-WebSocket-Key`; 405 for a method other
    /// than GET.
    pub fn accept(self, mut config: WsConfig) -> Result<Accepted, Fault> {
        let upgrade = self.upgrade?;
        if !config.codes_chosen {
            if let Some(codes) = crate::axum::current::with(|ctx| ctx.and_then(|c| c.close_codes)) {
                config.codes = codes;
            }
        }
        let upgrade = upgrade
            .max_message_size(config.max_message_bytes)
            // Frames are read whole before the message limit is checked, so
            // the stream stays in step after a too-big message and the
            // closing handshake can still complete. Bigger frames still
            // fail (with the same 1009), only less gracefully.
            .max_frame_size(config.get_max_frame_bytes())
            .protocols(config.protocols.clone())
            .read_buffer_size(config.buffer_bytes)
            .write_buffer_size(config.buffer_bytes);
        let ticket = config.sessions.as_ref().map(Sessions::ticket);
        Ok(Accepted {
            upgrade,
            config,
            request_id: RequestId::current().map(|id| id.0),
            ticket,
        })
    }
}

/// The upgrade checks of RFC 6455 §4.2.1, as faults to answer over HTTP.
pub(crate) fn check_upgrade(
    method: &Method,
    version: Version,
    headers: &HeaderMap,
) -> Result<(), Fault> {
    if version > Version::HTTP_11 {
        // HTTP/2 extended CONNECT (RFC 8441): axum's extractor checks it.
        return Ok(());
    }
    if method != Method::GET {
        return Err(Fault::method_not_allowed([Method::GET]));
    }
    if !header_has_token(headers, &UPGRADE, "websocket") {
        return Err(Fault::upgrade_required("websocket"));
    }
    if !header_has_token(headers, &CONNECTION, "upgrade") {
        return Err(Fault::bad_request(
            "a WebSocket handshake needs `Connection: Upgrade`",
        ));
    }
    let versions: Vec<&HeaderValue> = headers.get_all(SEC_WEBSOCKET_VERSION).iter().collect();
    match versions.as_slice() {
        [] => {
            return Err(Fault::bad_request(
                "a WebSocket handshake needs `Sec-WebSocket-Version: 13`",
            ))
        }
        [one] if one.as_bytes().trim_ascii() == WEBSOCKET_VERSION.as_bytes() => {}
        _ => {
            return Err(Fault::new(Kind::UpgradeRequired)
                .detail("this server speaks WebSocket version 13 only (RFC 6455)")
                .header(UPGRADE, HeaderValue::from_static("websocket"))
                .header(
                    SEC_WEBSOCKET_VERSION,
                    HeaderValue::from_static(WEBSOCKET_VERSION),
                ))
        }
    }
    let keys: Vec<&HeaderValue> = headers.get_all(SEC_WEBSOCKET_KEY).iter().collect();
    match keys.as_slice() {
        [] => Err(Fault::bad_request(
            "a WebSocket handshake needs a `Sec-WebSocket-Key`",
        )),
        [key] if is_valid_key(key.as_bytes()) => Ok(()),
        _ => Err(Fault::bad_request(
            "`Sec-WebSocket-Key` must be one base64-encoded 16-byte value",
        )),
    }
}

/// Whether a comma-separated header holds `token` (case-insensitive).
fn header_has_token(headers: &HeaderMap, name: &http::header::HeaderName, token: &str) -> bool {
    headers.get_all(name).iter().any(|value| {
        value
            .as_bytes()
            .split(|&b| b == b',')
            .any(|part| part.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
    })
}

/// A base64-encoded 16-byte nonce: 22 base64 characters and `==`.
fn is_valid_key(key: &[u8]) -> bool {
    key.len() == 24
        && key.ends_with(b"==")
        && key[..22]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    const GOOD: [(&str, &str); 4] = [
        ("upgrade", "websocket"),
        ("connection", "keep-alive, Upgrade"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];

    fn status(pairs: &[(&'static str, &'static str)]) -> u16 {
        match check_upgrade(&Method::GET, Version::HTTP_11, &headers(pairs)) {
            Ok(()) => 101,
            Err(fault) => fault.status().as_u16(),
        }
    }

    #[test]
    fn a_good_handshake_passes() {
        assert_eq!(status(&GOOD), 101);
    }

    #[test]
    fn a_plain_get_needs_an_upgrade() {
        let fault = check_upgrade(&Method::GET, Version::HTTP_11, &HeaderMap::new()).unwrap_err();
        assert_eq!(fault.status(), 426);
        assert_eq!(fault.http_headers()[UPGRADE], "websocket");
        assert_eq!(
            status(&[("upgrade", "h2c"), ("connection", "upgrade")]),
            426
        );
    }

    #[test]
    fn another_version_gets_426_naming_13() {
        let mut pairs = GOOD;
        pairs[2] = ("sec-websocket-version", "8");
        let fault = check_upgrade(&Method::GET, Version::HTTP_11, &headers(&pairs)).unwrap_err();
        assert_eq!(fault.status(), 426);
        assert_eq!(fault.http_headers()[SEC_WEBSOCKET_VERSION], "13");
        assert_eq!(fault.http_headers()[UPGRADE], "websocket");
    }

    #[tokio::test]
    async fn requested_protocols_are_read_in_the_clients_order() {
        let request = http::Request::get("/ws")
            .header(SEC_WEBSOCKET_PROTOCOL, "b.v2, a.v1")
            .header(SEC_WEBSOCKET_PROTOCOL, " ,c")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        let handshake = WsHandshake::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        let offered: Vec<&str> = handshake.requested_protocols().collect();
        assert_eq!(offered, ["b.v2", "a.v1", "c"]);
    }

    #[test]
    fn other_malformed_handshakes_get_400() {
        assert_eq!(status(&[GOOD[0], GOOD[2], GOOD[3]]), 400); // no Connection
        assert_eq!(status(&[GOOD[0], GOOD[1], GOOD[3]]), 400); // no version
        assert_eq!(status(&[GOOD[0], GOOD[1], GOOD[2]]), 400); // no key
        let mut pairs = GOOD;
        pairs[3] = ("sec-websocket-key", "short");
        assert_eq!(status(&pairs), 400);
        let fault = check_upgrade(&Method::POST, Version::HTTP_11, &headers(&GOOD)).unwrap_err();
        assert_eq!(fault.status(), 405);
    }
}
