//! `ws-echo ADDR`: a WebSocket echo server at `ws://ADDR/`, built only on
//! wirefault's public API. Text and binary messages up to 32 MiB come back
//! as they arrived. It is what `scripts/autobahn.sh` runs Autobahn|Testsuite
//! against; it prints `listening on ws://HOST:PORT/` once it accepts (so
//! `ADDR` may have port 0) and exits 0 on SIGINT or SIGTERM.
//!
//! It checks no `Origin`: an echo carries no credentials, so a page from
//! any site may use it.

use axum::response::Response;
use axum::routing::get;
use axum::Router;
use std::process::ExitCode;
use std::time::Duration;
use tower::Layer;
use wirefault::axum::ws::{
    Accept, Incoming, Session, SessionHandler, Sessions, WsConfig, WsHandshake,
};
use wirefault::axum::{serve, ServeConfig, WirefaultLayer};
use wirefault::Fault;

/// The largest message: Autobahn's section 9 sends up to 16 MiB.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Sends every message back as it arrived (text without a copy).
struct Echo;

impl SessionHandler for Echo {
    async fn on_message(&mut self, session: &mut Session, message: Incoming) -> Result<(), Fault> {
        match message {
            Incoming::Text(text) => session.send_text(text).await,
            Incoming::Binary(bytes) => session.send_binary(bytes).await,
        }
    }
}

async fn echo(
    axum::extract::State(config): axum::extract::State<WsConfig>,
    handshake: WsHandshake,
) -> Result<Response, Fault> {
    Ok(handshake.accept(config)?.run(Echo))
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let mut args = std::env::args().skip(1);
    let (Some(addr), None) = (args.next(), args.next()) else {
        eprintln!("usage: ws-echo ADDR   (for example 127.0.0.1:9001)");
        return ExitCode::from(2);
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("ws-echo: cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let sessions = Sessions::new();
    let config = WsConfig::new()
        .accept(Accept::Any)
        .max_message_bytes(MAX_MESSAGE_BYTES)
        // One whole message per frame at most (section 9 sends 16 MiB frames).
        .max_frame_bytes(MAX_MESSAGE_BYTES)
        .buffer_bytes(128 * 1024)
        .idle_timeout(Duration::from_secs(60))
        .sessions(&sessions);
    // Errors outside the socket (a 404, a 405) as problem+json too.
    let app = WirefaultLayer::new().layer(Router::new().route("/", get(echo)).with_state(config));
    match listener.local_addr() {
        Ok(local) => println!("listening on ws://{local}/"),
        Err(err) => {
            eprintln!("ws-echo: {err}");
            return ExitCode::FAILURE;
        }
    }
    let token = sessions.token().clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        token.cancel();
    });
    let shutdown = sessions.token().clone();
    serve(listener, app)
        .config(ServeConfig::new())
        .sessions(&sessions)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
