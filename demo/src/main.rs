//! `wirefault-demo`: serves the reference service (API and playground page)
//! until SIGINT or SIGTERM, then shuts down gracefully within the drain
//! bound (`--drain-timeout`).

use clap::Parser;
use std::future::IntoFuture;
use std::process::ExitCode;
use wirefault::axum::serve;
use wirefault_demo::config::{Args, Config};
use wirefault_demo::{api_server, ui, AppState};

#[tokio::main]
async fn main() -> ExitCode {
    wirefault_demo::log::init();
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
    let (addr, ui_addr, bounds) = (config.addr, config.ui_addr, config.serve);
    let state = AppState::open(config).await?;
    let api = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on --addr {addr}: {e}"))?;
    let api_port = api.local_addr()?.port();
    tracing::info!("API on http://{}", api.local_addr()?);
    let shutdown = state.shutdown.clone();
    let api_server = api_server(api, state);
    let ui_server = match ui_addr {
        Some(ui_addr) => {
            let listener = tokio::net::TcpListener::bind(ui_addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on --ui-addr {ui_addr}: {e}"))?;
            tracing::info!("playground on http://{}", listener.local_addr()?);
            Some(
                serve(listener, ui::router(api_port))
                    .config(bounds)
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
    // Each server drains within its bound and then returns, whatever its
    // clients do; what was left is logged by the server.
    match ui_server {
        Some(ui_server) => {
            tokio::join!(api_server.into_future(), ui_server.into_future());
        }
        None => {
            api_server.await;
        }
    }
    tracing::info!("stopped");
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
