//! `GET /ws`: notes over a WebSocket.
//!
//! Before the upgrade (HTTP, problem+json): 403 for a foreign `Origin`
//! (the CORS allowlist), 401 without a session, then 426 / 400 for a bad
//! upgrade request. After it, text messages of JSON:
//!
//! - `{"op":"ping"}` → `{"event":"pong"}`
//! - `{"op":"create","title":…,"body":…}` → `{"event":"created","note":…}`,
//!   and the same event to every other open session. A create that fails
//!   on its merits (invalid fields, a title taken) is answered with
//!   `{"event":"error","problem":…}` and the session goes on.
//! - `{"op":"debug_panic"}` (with `--fault-routes`) panics: 1011.
//!
//! Everything else ends the session with the mapping table's close code:
//! malformed JSON 1007 (mirror 4400), an unknown `op` 1008 (4422), a
//! binary message 1003, over 64 KiB 1009, over the write budget (shared
//! with HTTP) 1013 (4429), shutdown 1001.

use crate::model::{NoteEvent, User};
use crate::notes::create_note;
use crate::session::{session_user, unauthenticated};
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};
use wirefault::axum::ws::{
    broadcast_events, Incoming, Session, SessionHandler, WsConfig, WsHandshake,
};
use wirefault::Fault;

/// The largest message a session takes, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

wirefault::fault_responses! {
    /// The answers of `GET /ws`: before the upgrade, 403 (a foreign
    /// `Origin`), 401, 426 and 400 (a bad upgrade request); after it, the
    /// close codes of malformed JSON (400), a binary message (415), a
    /// message over 64 KiB (413), an unknown `op` (422), the write budget
    /// (429), a failure of the server (500) and a session that fell behind
    /// the broadcast (503).
    pub struct WsResponses = websocket {
        handshake: [BadRequest, Unauthenticated, PermissionDenied, UpgradeRequired],
        closes: [BadRequest, UnsupportedMediaType, PayloadTooLarge, Unprocessable, RateLimited, Internal, Unavailable],
    };
}

/// `GET /ws`: the handshake checks, in the contract's order, then the
/// session.
#[utoipa::path(
    get,
    path = "/ws",
    tag = "notes",
    description = "A WebSocket (RFC 6455), opened with the opening handshake's headers \
        (`Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Key`, \
        `Sec-WebSocket-Version: 13`): a plain GET is answered 426. Messages are JSON \
        text: `{\"op\":\"ping\"}` and `{\"op\":\"create\",\"title\":…,\"body\":…}` \
        (docs/DEMO.md). A failure closes the session with the code listed in the 101's \
        `x-websocket-close-codes`; shutdown closes with 1001.",
    operation_id = "websocket",
    security(("session" = [])),
    responses(WsResponses),
)]
pub async fn handler(
    State(state): State<AppState>,
    handshake: WsHandshake,
) -> Result<Response, Fault> {
    handshake.check_origin(&state.cors)?;
    // The write budget is per session cookie (`user.token`), as over HTTP.
    let user = session_user(&state, handshake.headers())
        .await?
        .ok_or_else(unauthenticated)?;
    // Close codes: the layer's (`app`), from the configuration.
    // A peer that reads nothing for the write timeout: 1008, or dropped.
    let config = WsConfig::new()
        .max_message_bytes(MAX_MESSAGE_BYTES)
        .send_timeout(state.config.serve.get_write_timeout())
        .sessions(&state.ws_sessions);
    let events = broadcast_events(state.events.subscribe());
    let accepted = handshake.accept(config)?;
    Ok(accepted.run_with_events(Notes { state, user }, events))
}

/// One session of a signed-in user.
struct Notes {
    state: AppState,
    user: User,
}

impl Notes {
    async fn create(&self, session: &mut Session, input: &Value) -> Result<(), Fault> {
        // Over the budget ends the session; a refused write is given back.
        self.state.limiter.check(&self.user.token)?;
        match create_note(&self.state, &self.user.name, input, Some(session.id())).await {
            Ok(note) => {
                session
                    .send_json(&json!({"event": "created", "note": note}))
                    .await
            }
            Err(fault) => {
                self.state.limiter.refund(&self.user.token);
                session.send_error(&fault).await
            }
        }
    }
}

impl SessionHandler<Result<NoteEvent, Fault>> for Notes {
    async fn on_message(&mut self, session: &mut Session, message: Incoming) -> Result<(), Fault> {
        let request: Value = message.json()?;
        match request.get("op").and_then(Value::as_str) {
            Some("ping") => session.send_json(&json!({"event": "pong"})).await,
            Some("create") => self.create(session, &request).await,
            Some("debug_panic") if self.state.config.fault_routes => {
                panic!(
                    "debug_panic: a bug in the session handler of {}",
                    self.user.name
                )
            }
            Some(op) => Err(Fault::unprocessable()
                .detail(format!("unknown op {op:?}: expected ping or create"))
                .field("/op", "must be \"ping\" or \"create\"")),
            None => Err(Fault::unprocessable()
                .detail("a message needs an \"op\": ping or create")
                .field("/op", "is required, a string")),
        }
    }

    async fn on_event(
        &mut self,
        session: &mut Session,
        event: Result<NoteEvent, Fault>,
    ) -> Result<(), Fault> {
        // Fell behind the broadcast: 1013, the client reconnects.
        match event? {
            // The creating session already has its answer.
            NoteEvent::Created { origin, .. } if origin == Some(session.id()) => Ok(()),
            NoteEvent::Created { note, .. } => {
                session
                    .send_json(&json!({"event": "created", "note": note}))
                    .await
            }
            NoteEvent::Deleted { .. } => Ok(()),
        }
    }
}
