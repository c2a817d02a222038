//! A greeting and echo service in the style of actix-web's getting-started
//! page: `#[get]`/`#[post]` handlers, `web::Path`, `web::Json`, an `App`
//! in an `HttpServer`; actix-web's stock answers (an empty 404, a
//! plain-text 400 for a body that does not parse).
//!
//! Correct: no finding at warning or above is expected.
//! Run: actix_hello PORT

use actix_web::{get, post, web, App, HttpResponse, HttpServer, Responder};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Message {
    text: String,
}

#[get("/")]
async fn hello() -> impl Responder {
    HttpResponse::Ok().body("Hello world!")
}

#[get("/hello/{name}")]
async fn greet(name: web::Path<String>) -> impl Responder {
    format!("Hello {name}!")
}

#[post("/echo")]
async fn echo(message: web::Json<Message>) -> impl Responder {
    web::Json(message.into_inner())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: actix_hello PORT");
    HttpServer::new(|| App::new().service(hello).service(greet).service(echo))
        .workers(1)
        .bind(("127.0.0.1", port))?
        .run()
        .await
}
