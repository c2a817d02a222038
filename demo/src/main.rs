//! `wirefault-demo`: serves the reference service (API and playground page)
//! until SIGINT or SIGTERM, then shuts down gracefully.

use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use wirefault_demo::config::{Args, Config};
use wirefault_demo::{app, ui, AppState};

/// How long open sessions and streams get to close on shutdown.
const DRAIN: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = match Config::from_args(Args::parse()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("wirefault-demo: {err}");
            return ExitCode::from(2);
        }
    };
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("wirefault-demo: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> anyhow::Result<()> {
    let (addr, ui_addr) = (config.addr, config.ui_addr);
    let state = AppState::open(config).await?;
    let api = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on --addr {addr}: {e}"))?;
    let api_port = api.local_addr()?.port();
    tracing::info!("API on http://{}", api.local_addr()?);
    let shutdown = state.shutdown.clone();
    let api_server = axum::serve(api, app(state.clone()))
        .with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let ui_server = match ui_addr {
        Some(ui_addr) => {
            let listener = tokio::net::TcpListener::bind(ui_addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on --ui-addr {ui_addr}: {e}"))?;
            tracing::info!("playground on http://{}", listener.local_addr()?);
            Some(
                axum::serve(listener, ui::router(api_port))
                    .with_graceful_shutdown(shutdown.clone().cancelled_owned()),
            )
        }
        None => None,
    };
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    match ui_server {
        Some(ui_server) => {
            let (a, b) = tokio::join!(async { api_server.await }, async { ui_server.await });
            a?;
            b?;
        }
        None => api_server.await?,
    }
    state.tasks.close();
    if tokio::time::timeout(DRAIN, state.tasks.wait())
        .await
        .is_err()
    {
        tracing::warn!("some sessions did not close within {DRAIN:?}");
    }
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
