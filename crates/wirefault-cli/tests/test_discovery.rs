//! How the auditor learns what to probe, over real sockets: the `Accept`
//! header it sends, the OpenAPI document from a URL or found on the target,
//! `--path` with placeholders and a query, the base page's links and the
//! caps printed when they cut something, and the unknown-path probe telling
//! a route that uses its segment from a fallback.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::sync::{Arc, Mutex};

use axum::extract::{Path, Request};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use fixtures::{audit_ids, serve};

/// Requests seen by a server: method, path and query, `Accept`.
type Seen = Arc<Mutex<Vec<(String, String, String)>>>;

fn recorded(router: Router) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let router = router.layer(middleware::from_fn(move |req: Request, next: Next| {
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default();
        log.lock()
            .unwrap()
            .push((req.method().to_string(), target, accept));
        next.run(req)
    }));
    (format!("http://{}/", serve(router)), seen)
}

fn json(body: serde_json::Value) -> Response {
    axum::Json(body).into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/problem+json")],
        r#"{"type":"about:blank","title":"Not Found","status":404}"#,
    )
        .into_response()
}

fn api() -> Router {
    Router::new()
        .route("/", get(|| async { json(serde_json::json!({"ok": true})) }))
        .fallback(|| async { not_found() })
}

#[test]
fn probes_ask_for_json_unless_the_user_sets_accept() {
    // The gRPC reflection question every audit asks is no HTTP API request:
    // it asks for application/grpc, whatever the user's Accept.
    let http_only = |seen: &std::sync::Mutex<Vec<(String, String, String)>>| -> Vec<_> {
        seen.lock()
            .unwrap()
            .iter()
            .filter(|(_, target, accept)| {
                !(target.starts_with("/grpc.reflection.") && accept == "application/grpc")
            })
            .cloned()
            .collect()
    };
    let (url, seen) = recorded(api());
    audit_ids(&url, &[]);
    let all = http_only(&seen);
    assert!(all.len() > 5);
    assert!(
        all.iter()
            .all(|(_, _, a)| a.starts_with("application/json")),
        "{all:?}"
    );

    let (url, seen) = recorded(api());
    audit_ids(&url, &["-H", "Accept: text/html"]);
    let all = http_only(&seen);
    assert!(all.iter().all(|(_, _, a)| a == "text/html"), "{all:?}");
}

const YAML_DOC: &str = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things/{thing_id}:
    get:
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: ok}
"#;

/// A `/things/{id}` route that crashes on an id it does not know.
fn things() -> Router {
    api().route(
        "/things/{id}",
        get(|Path(id): Path<String>| async move {
            match id.as_str() {
                "1" => json(serde_json::json!({"id": 1})),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
            }
        }),
    )
}

#[test]
fn openapi_document_from_a_url() {
    // Bigger than an error body: a document is read whole (to 8 MiB).
    let big = format!("{YAML_DOC}x-padding: '{}'\n", "p".repeat(200 * 1024));
    let router = things().route("/docs/api.yaml", get(move || async move { big }));
    let (url, seen) = recorded(router);
    let doc = format!("{url}docs/api.yaml");
    let (code, ids, report) = audit_ids(&url, &["--openapi", &doc]);
    assert!(ids.contains("WF-HTTP-001"), "{report:#}");
    assert_eq!(code, 1);
    assert!(
        report["notes"].to_string().contains("docs/api.yaml"),
        "{report:#}"
    );
    let all = seen.lock().unwrap().clone();
    assert!(
        all.iter()
            .any(|(m, p, _)| m == "GET" && p == "/things/2147483647"),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|(_, p, _)| p == "/things/wirefault-not-a-number"),
        "{all:?}"
    );
}

#[test]
fn the_first_document_found_on_the_target_is_used_and_named() {
    let router = things()
        .route("/openapi.yaml", get(|| async { YAML_DOC }))
        .route(
            "/swagger.json",
            get(|| async {
                json(serde_json::json!({"swagger": "2.0", "paths": {"/other": {"get": {}}}}))
            }),
        );
    let (url, seen) = recorded(router);
    let (_, ids, report) = audit_ids(&url, &[]);
    assert!(ids.contains("WF-HTTP-001"), "{report:#}");
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("/openapi.yaml") && !notes.contains("swagger"),
        "{report:#}"
    );
    let all = seen.lock().unwrap().clone();
    assert!(!all.iter().any(|(_, p, _)| p == "/other"), "{all:?}");
    // Without a document nothing leads to /things.
    let (url, seen) = recorded(things());
    let (_, ids, report) = audit_ids(&url, &[]);
    assert!(!ids.contains("WF-HTTP-001"), "{report:#}");
    assert!(!seen
        .lock()
        .unwrap()
        .iter()
        .any(|(_, p, _)| p.starts_with("/things")));
}

#[test]
fn path_placeholders_and_query_are_filled() {
    let (url, seen) = recorded(things());
    let (_, ids, report) = audit_ids(&url, &["--path", "/things/{id}?verbose=1"]);
    assert!(ids.contains("WF-HTTP-001"), "{report:#}");
    let all = seen.lock().unwrap().clone();
    assert!(
        all.iter()
            .any(|(_, p, _)| p == "/things/wirefault-missing?verbose=1"),
        "{all:?}"
    );
}

#[test]
fn links_are_probed_and_the_cap_is_printed() {
    let page: String = (0..25)
        .map(|i| format!("<a href=\"/page/{i}\">{i}</a>"))
        .collect();
    let router = Router::new()
        .route(
            "/",
            get(move || {
                let page = page.clone();
                async move { Html(format!("<html><body><a href=\"https://elsewhere.example/\">x</a>{page}</body></html>")) }
            }),
        )
        .route(
            "/page/{n}",
            get(|Path(n): Path<u32>| async move { Html(format!("<p>page {n}</p>")) }),
        )
        .fallback(|| async { not_found() });
    let (url, seen) = recorded(router);
    let (_, _, report) = audit_ids(&url, &[]);
    let caps = report["caps"].to_string();
    assert!(caps.contains("25 same-host paths"), "{report:#}");
    let pages: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, p, _)| m == "GET" && p.starts_with("/page/"))
        .map(|(_, p, _)| p.clone())
        .collect();
    assert_eq!(pages.len(), 20, "{pages:?}");
    assert!(pages.contains(&"/page/0".to_owned()) && !pages.contains(&"/page/24".to_owned()));
}

#[test]
fn a_route_that_uses_its_segment_is_not_a_fallback() {
    let greeting = Router::new()
        .route(
            "/{name}",
            get(|Path(name): Path<String>| async move {
                json(serde_json::json!({"message": format!("Hello {name}")}))
            }),
        )
        .route(
            "/",
            get(|| async { json(serde_json::json!({"message": "Hello"})) }),
        );
    let (url, _) = recorded(greeting);
    let (_, ids, report) = audit_ids(&url, &[]);
    assert!(!ids.contains("WF-HTTP-001"), "{report:#}");

    let spa = Router::new()
        .route("/", get(|| async { Html("<html>app</html>") }))
        .fallback(|| async { Html("<html>app</html>") });
    let (url, _) = recorded(spa);
    let (_, ids, report) = audit_ids(&url, &[]);
    assert!(ids.contains("WF-HTTP-001"), "{report:#}");
}

#[test]
fn a_bad_document_argument_fails_before_probing() {
    let (url, seen) = recorded(api());
    let out = fixtures::wirefault(&["audit", &url, "--openapi", "/nonexistent/openapi.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(seen.lock().unwrap().is_empty());

    // A document on another host gets the target's guard.
    let out = fixtures::wirefault(&[
        "audit",
        &url,
        "--openapi",
        "https://docs.wirefault-remote.example/openapi.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--allow-remote"), "{stderr}");
}

const ORDERS_DOC: &str = r##"{
  "openapi": "3.0.3",
  "info": {"title": "orders", "version": "1"},
  "paths": {
    "/orders": {
      "post": {
        "requestBody": {"$ref": "#/components/requestBodies/Order"},
        "responses": {"201": {"description": "created"}}
      }
    }
  },
  "components": {
    "requestBodies": {
      "Order": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Order"},
        "example": {"item": "bread", "quantity": 2}
      }}}
    },
    "schemas": {
      "Order": {"type": "object", "required": ["item"],
        "properties": {"item": {"type": "string"}, "quantity": {"type": "integer"}}}
    }
  }
}"##;

/// The document's request example is a valid body: its variants find a
/// handler that trusts a field's type, without `--body`.
#[test]
fn the_documents_request_example_gives_body_variants() {
    let router = api()
        .route(
            "/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], ORDERS_DOC) }),
        )
        .route(
            "/orders",
            axum::routing::post(|body: axum::body::Bytes| async move {
                let order: serde_json::Value = match serde_json::from_slice(&body) {
                    Ok(order) => order,
                    Err(_) => return (StatusCode::BAD_REQUEST, "{}").into_response(),
                };
                // A missing `item` is refused; the planted mistake: a
                // present one is trusted to be a string.
                match order.get("item") {
                    None => (StatusCode::UNPROCESSABLE_ENTITY, "{}").into_response(),
                    Some(item) if item.is_string() => (StatusCode::CREATED, "{}").into_response(),
                    Some(_) => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
                }
            }),
        );
    let (url, seen) = recorded(router);
    let (_, ids, report) = audit_ids(&url, &[]);
    assert!(ids.contains("WF-HTTP-004"), "{report:#}");
    let posts = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, p, _)| m == "POST" && p == "/orders")
        .count();
    // Malformed, `{}`, and the example's variants (never the example).
    assert!(posts >= 6, "{posts}");
}
