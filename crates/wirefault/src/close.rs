//! WebSocket close codes and close reasons.

use std::fmt;

/// A WebSocket close code that an endpoint may send
/// ([RFC 6455 §7.4](https://www.rfc-editor.org/rfc/rfc6455#section-7.4)).
///
/// Opaque: a value comes from the constants below or from the checked
/// [`CloseCode::new`], so a `CloseCode` is always sendable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CloseCode(u16);

/// The rule, stated once: whether an endpoint may put `code` in a close
/// frame it sends, *and* common peers accept it.
///
/// 1005, 1006 and 1015 must never be sent (RFC 6455 §7.4.1); 1004 is
/// reserved; 1014 is registered but tungstenite and Autobahn reject it;
/// 1016–2999 are unassigned; 3000–4999 are for libraries and apps.
pub(crate) const fn is_sendable_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1013 | 3000..=4999)
}

impl CloseCode {
    /// 1000: normal closure ([RFC 6455 §7.4.1](https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1)).
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: protocol error.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a type of data the endpoint cannot accept (binary when only text is).
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1007: data inconsistent with the message type (non-UTF-8 text, malformed payload).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message that violates the endpoint's policy; the generic client-fault code.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server met an unexpected condition; the generic server-fault code.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting
    /// ([IANA registry](https://www.iana.org/assignments/websocket/websocket.xhtml#close-code-number)).
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later (overload, rate limit)
    /// ([IANA registry](https://www.iana.org/assignments/websocket/websocket.xhtml#close-code-number)).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);

    /// The code `code`, if an endpoint may send it ([`CloseCode::is_sendable`]):
    /// `None` for 1004–1006, 1014–2999, 1015 and anything outside 1000–4999.
    ///
    /// ```
    /// use wirefault::CloseCode;
    /// assert_eq!(CloseCode::new(4404).map(CloseCode::as_u16), Some(4404));
    /// assert!(CloseCode::new(1006).is_none());
    /// ```
    pub const fn new(code: u16) -> Option<CloseCode> {
        if is_sendable_code(code) {
            Some(CloseCode(code))
        } else {
            None
        }
    }

    /// The numeric code.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// Whether an endpoint may put this code in a close frame it sends,
    /// *and* common peers accept it ([`crate::spec::close_code_is_sendable`]).
    /// Every `CloseCode` is, since [`CloseCode::new`] checks it.
    pub const fn is_sendable(self) -> bool {
        is_sendable_code(self.0)
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> u16 {
        code.0
    }
}

/// Which column of the mapping table a service closes sessions with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum CloseCodes {
    /// Registered codes only: 1008 for client faults and 1011 for server
    /// faults where no exact code exists.
    #[default]
    Standard,
    /// 4000 + HTTP status where no exact code exists (the graphql-ws
    /// convention), so a client can tell 4401 from 4404.
    HttpMirror,
}

impl std::str::FromStr for CloseCodes {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "standard" => Ok(CloseCodes::Standard),
            "mirror" | "http-mirror" => Ok(CloseCodes::HttpMirror),
            other => Err(format!(
                "unknown close-code mode {other:?}: expected \"standard\" or \"mirror\""
            )),
        }
    }
}

/// The longest close reason, in bytes: a control frame's payload is at
/// most 125 bytes, two of which hold the code (RFC 6455 §5.5), and
/// browsers refuse to send more than 123.
pub const MAX_REASON_BYTES: usize = 123;

/// Cuts `reason` to at most [`MAX_REASON_BYTES`] bytes, on a UTF-8
/// character boundary, so the result is always a prefix of the input.
///
/// ```
/// let long = "é".repeat(100); // 200 bytes
/// let cut = wirefault::truncate_reason(&long);
/// assert_eq!(cut.len(), 122);
/// assert!(long.starts_with(cut));
/// ```
pub fn truncate_reason(reason: &str) -> &str {
    if reason.len() <= MAX_REASON_BYTES {
        return reason;
    }
    let mut end = MAX_REASON_BYTES;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    &reason[..end]
}

/// A close frame to send: a sendable code and a reason of at most 123 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    code: CloseCode,
    reason: String,
}

impl Close {
    /// A close frame; the reason is truncated to 123 bytes.
    pub fn new(code: CloseCode, reason: &str) -> Close {
        Close {
            code,
            reason: truncate_reason(reason).to_owned(),
        }
    }

    /// 1001, for a graceful shutdown.
    pub fn going_away() -> Close {
        Close::new(CloseCode::GOING_AWAY, "server shutting down")
    }

    /// 1000, a normal end of the session.
    pub fn normal() -> Close {
        Close::new(CloseCode::NORMAL, "")
    }

    /// The code.
    pub fn code(&self) -> CloseCode {
        self.code
    }

    /// The reason (at most 123 bytes).
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reserved_codes_are_not_sendable() {
        for code in [0, 999, 1004, 1005, 1006, 1014, 1015, 1016, 2999, 5000] {
            assert_eq!(CloseCode::new(code), None, "{code}");
        }
        for code in [
            1000, 1001, 1003, 1007, 1008, 1009, 1011, 1012, 1013, 3000, 4999,
        ] {
            assert_eq!(CloseCode::new(code).map(CloseCode::as_u16), Some(code));
        }
    }

    #[test]
    fn the_constants_are_sendable() {
        for code in [
            CloseCode::NORMAL,
            CloseCode::GOING_AWAY,
            CloseCode::PROTOCOL_ERROR,
            CloseCode::UNSUPPORTED_DATA,
            CloseCode::INVALID_PAYLOAD,
            CloseCode::POLICY_VIOLATION,
            CloseCode::MESSAGE_TOO_BIG,
            CloseCode::MANDATORY_EXTENSION,
            CloseCode::INTERNAL_ERROR,
            CloseCode::SERVICE_RESTART,
            CloseCode::TRY_AGAIN_LATER,
        ] {
            assert!(code.is_sendable(), "{code}");
        }
    }

    #[test]
    fn truncation_keeps_short_reasons() {
        assert_eq!(truncate_reason("bye"), "bye");
        let exact = "a".repeat(123);
        assert_eq!(truncate_reason(&exact), exact);
        assert_eq!(truncate_reason(&"a".repeat(124)).len(), 123);
        // A 4-byte character straddling the limit is dropped whole.
        let s = format!("{}😀", "a".repeat(121));
        assert_eq!(truncate_reason(&s), "a".repeat(121));
    }
}
