//! An items API in actix-web that answers a missing item 200 with
//! `{"error": "item not found"}`, a mistake its maintainers would fix
//! (WF-HTTP-001: a client reads the 200 as the item). Its other errors are
//! JSON too.
//!
//! Run: actix_items PORT

use actix_web::{get, web, App, HttpResponse, HttpServer, Responder};
use serde_json::json;

#[get("/items")]
async fn list() -> impl Responder {
    HttpResponse::Ok().json(json!([{"id": 1, "name": "spoon"}]))
}

#[get("/items/{id}")]
async fn show(id: web::Path<u32>) -> impl Responder {
    match id.into_inner() {
        1 => HttpResponse::Ok().json(json!({"id": 1, "name": "spoon"})),
        _ => HttpResponse::Ok().json(json!({"error": "item not found"})),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("usage: actix_items PORT");
    HttpServer::new(|| {
        App::new()
            .service(list)
            .service(show)
            .default_service(web::to(|| async {
                HttpResponse::NotFound().json(json!({"error": "not found"}))
            }))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
