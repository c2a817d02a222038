//! A todos service in the style of axum's `todos` example: a `Router` with
//! `get(..).post(..)`, `Path<u64>`, `Json<T>` extractors, shared state in an
//! `Arc<RwLock<..>>`, `StatusCode::NOT_FOUND` for a missing todo, and
//! axum's stock answers (an empty 404 for an unknown path, an empty 405 with
//! `Allow`, plain-text extractor rejections).
//!
//! Correct: no finding at warning or above is expected.
//! Run: axum_todos PORT

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize)]
struct Todo {
    id: u64,
    text: String,
    completed: bool,
}

#[derive(Deserialize)]
struct CreateTodo {
    text: String,
}

type Db = Arc<RwLock<HashMap<u64, Todo>>>;

async fn list(State(db): State<Db>) -> Json<Vec<Todo>> {
    Json(db.read().expect("lock").values().cloned().collect())
}

async fn create(State(db): State<Db>, Json(input): Json<CreateTodo>) -> (StatusCode, Json<Todo>) {
    let mut db = db.write().expect("lock");
    let todo = Todo {
        id: db.len() as u64 + 1,
        text: input.text,
        completed: false,
    };
    db.insert(todo.id, todo.clone());
    (StatusCode::CREATED, Json(todo))
}

async fn show(Path(id): Path<u64>, State(db): State<Db>) -> Result<Json<Todo>, StatusCode> {
    db.read()
        .expect("lock")
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}

#[tokio::main]
async fn main() {
    let port = std::env::args().nth(1).expect("usage: axum_todos PORT");
    let db: Db = Arc::default();
    db.write().expect("lock").insert(
        1,
        Todo {
            id: 1,
            text: "try axum".into(),
            completed: false,
        },
    );
    let app = Router::new()
        .route("/todos", get(list).post(create))
        .route("/todos/{id}", get(show))
        .with_state(db);
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
        .await
        .expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
