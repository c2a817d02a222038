//! A notes service in axum that keeps each note in a file, with three
//! mistakes its maintainers would fix:
//! - a note that does not exist is a failed file read answered 500
//!   (WF-HTTP-001: a missing resource is 404);
//! - that 500 names the file and the OS error (WF-HTTP-008);
//! - the create handler parses with `serde_json::from_slice(..).unwrap()`
//!   behind `CatchPanicLayer`: a body of the wrong shape is a 500
//!   (WF-HTTP-004).
//!
//! Run: axum_notes_files PORT

use std::path::PathBuf;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;

#[derive(Deserialize)]
struct NewNote {
    name: String,
    text: String,
}

fn notes_dir() -> PathBuf {
    std::env::temp_dir().join("wirefault-sample-notes")
}

async fn read_note(Path(name): Path<String>) -> Result<String, (StatusCode, String)> {
    let path = notes_dir().join(format!("{name}.md"));
    tokio::fs::read_to_string(&path).await.map_err(|err| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("could not read {}: {err}", path.display()),
        )
    })
}

async fn create_note(body: Bytes) -> (StatusCode, Json<serde_json::Value>) {
    let note: NewNote = serde_json::from_slice(&body).unwrap();
    let path = notes_dir().join(format!("{}.md", note.name.replace(['/', '.'], "_")));
    let _ = tokio::fs::write(&path, note.text).await;
    (
        StatusCode::CREATED,
        Json(serde_json::json!({"name": note.name})),
    )
}

#[tokio::main]
async fn main() {
    let port = std::env::args()
        .nth(1)
        .expect("usage: axum_notes_files PORT");
    let dir = notes_dir();
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("welcome.md"), "# Welcome\n");
    let app = Router::new()
        .route("/", get(|| async { "notes: /notes/{name}" }))
        .route("/notes", post(create_note))
        .route("/notes/{name}", get(read_note))
        .layer(CatchPanicLayer::new());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
