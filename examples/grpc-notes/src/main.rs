//! Runs the example notes service: `wirefault-grpc-example [ADDR]`
//! (default `127.0.0.1:50051`), until Ctrl-C.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:50051".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(%addr, "serving wirefault.example.notes.v1.Notes");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match wirefault_grpc_example::serve(listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("the server failed: {e}");
            ExitCode::FAILURE
        }
    }
}
