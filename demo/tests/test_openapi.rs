//! The served document (`GET /openapi.json`) against the service, over a
//! real socket: for each row of docs/DEMO.md, every status the row lists
//! is documented for that operation, and a request that provokes it gets
//! it, as documented: the content type, the body's schema (the `Problem`
//! for errors) and every header the document marks required.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestServer;
use serde_json::{json, Value};
use std::time::Duration;
use wirefault_demo::rate_limit::Rate;
use wirefault_demo::Config;

const DEMO_MD: &str = include_str!("../../docs/DEMO.md");

/// The write budget of the service under test: small, to reach 429.
const WRITES: u32 = 5;

/// One row of DEMO.md's HTTP table that names an operation.
#[derive(Debug)]
struct Row {
    method: String,
    path: String,
    statuses: Vec<u16>,
}

/// The table's rows whose first cell is `` `METHOD /path` ``, with every
/// three-digit status of their success and failure cells.
fn rows() -> Vec<Row> {
    DEMO_MD
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let [_, request, success, failures, _] = cells[..] else {
                return None;
            };
            let operation = request.strip_prefix('`')?.split('`').next()?;
            let (method, path) = operation.split_once(' ')?;
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&method) {
                return None;
            }
            let path = path.split_whitespace().next()?;
            let statuses = format!("{success} {failures}")
                .split(|c: char| !c.is_ascii_digit())
                .filter(|token| token.len() == 3)
                .filter_map(|token| token.parse().ok())
                .filter(|status| (100..600).contains(status))
                .collect();
            Some(Row {
                method: method.to_owned(),
                path: path.to_owned(),
                statuses,
            })
        })
        .collect()
}

/// A client whose requests reach the service without a session.
fn anonymous() -> reqwest::Client {
    TestServer::client()
}

/// A new user's signed-in client (each recipe starts with a full budget).
async fn fresh(server: &TestServer) -> reqwest::Client {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    server.signed_in(&format!("user_{n}")).await
}

/// Creates a note as `client` and returns its id.
async fn note(server: &TestServer, client: &reqwest::Client, title: &str) -> i64 {
    let res = client
        .post(server.url("/notes"))
        .json(&json!({"title": title}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// The document `server` serves.
async fn document(server: &TestServer) -> Value {
    let res = anonymous()
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// A request that makes the service answer `status` on `method path`.
/// A row of DEMO.md without a recipe fails the test: add one here.
async fn provoke(server: &TestServer, method: &str, path: &str, status: u16) -> reqwest::Response {
    let json = |client: reqwest::Client, url: &str, body: &str| {
        client
            .post(server.url(url))
            .header("content-type", "application/json")
            .body(body.to_owned())
    };
    let request = match (method, path, status) {
        ("GET", "/health", 200) => anonymous().get(server.url("/health")),
        ("GET", "/openapi.json", 200) => anonymous().get(server.url("/openapi.json")),
        ("POST", "/session", 201) => json(anonymous(), "/session", r#"{"user":"alice"}"#),
        ("POST", "/session", 415) => anonymous()
            .post(server.url("/session"))
            .header("content-type", "text/plain")
            .body("user=alice"),
        ("POST", "/session", 400) => json(anonymous(), "/session", r#"{"user":"#),
        ("POST", "/session", 422) => json(anonymous(), "/session", r#"{"user":"Not Valid!"}"#),
        ("DELETE", "/session", 204) => fresh(server).await.delete(server.url("/session")),
        ("GET", "/notes", 200) => fresh(server).await.get(server.url("/notes")),
        ("GET" | "POST", "/notes", 401) => anonymous()
            .request(method.parse().unwrap(), server.url("/notes"))
            .json(&json!({"title": "t"})),
        ("POST", "/notes", 201) => json(
            fresh(server).await,
            "/notes",
            r#"{"title":"a","body":null}"#,
        ),
        ("POST", "/notes", 415) => fresh(server)
            .await
            .post(server.url("/notes"))
            .header("content-type", "text/plain")
            .body("title=a"),
        ("POST", "/notes", 400) => json(fresh(server).await, "/notes", "{"),
        ("POST", "/notes", 422) => json(fresh(server).await, "/notes", r#"{"title":""}"#),
        ("POST", "/notes", 413) => {
            let body = json!({"title": "big", "body": "x".repeat(70 * 1024)}).to_string();
            json(fresh(server).await, "/notes", &body)
        }
        ("POST", "/notes", 409) => {
            let client = fresh(server).await;
            note(server, &client, "taken").await;
            json(client, "/notes", r#"{"title":"taken"}"#)
        }
        ("POST", "/notes", 429) => {
            let client = fresh(server).await;
            for i in 0..WRITES {
                note(server, &client, &format!("n{i}")).await;
            }
            json(client, "/notes", r#"{"title":"one too many"}"#)
        }
        ("GET" | "DELETE", "/notes/{id}", _) => {
            let owner = fresh(server).await;
            let id = note(server, &owner, "mine").await;
            let (client, target) = match status {
                200 | 204 => (owner, id.to_string()),
                401 => (anonymous(), id.to_string()),
                400 => (owner, "abc".to_owned()),
                403 => (fresh(server).await, id.to_string()),
                404 => (owner, "9223372036854775807".to_owned()),
                _ => panic!("no recipe for {method} {path} {status}"),
            };
            client.request(
                method.parse().unwrap(),
                server.url(&format!("/notes/{target}")),
            )
        }
        ("GET", "/debug/panic", 500) => anonymous().get(server.url("/debug/panic")),
        ("GET", "/debug/unavailable", 503) => anonymous().get(server.url("/debug/unavailable")),
        ("GET", "/debug/bad-gateway", 502) => anonymous().get(server.url("/debug/bad-gateway")),
        _ => panic!("no recipe for {method} {path} {status}: add one to test_openapi.rs"),
    };
    request.send().await.unwrap()
}

/// `schema` (from the document) as a validator: its `#/components/...`
/// references resolve against the document's components.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let root = json!({ "allOf": [schema], "components": doc["components"] });
    jsonschema::draft202012::new(&root).unwrap()
}

/// Follows a `$ref` into the document, if `value` is one.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(pointer) => doc.pointer(pointer.trim_start_matches('#')).unwrap(),
        None => value,
    }
}

/// Asserts that `res` is the documented answer `status` of `method path`.
async fn check(doc: &Value, method: &str, path: &str, status: u16, res: reqwest::Response) {
    let what = format!("{method} {path} {status}");
    assert_eq!(res.status().as_u16(), status, "{what}");
    let operation = &doc["paths"][path][method.to_lowercase()];
    assert!(operation.is_object(), "{what}: not in the document");
    let documented = &operation["responses"][status.to_string()];
    assert!(documented.is_object(), "{what}: status not documented");
    for (name, header) in documented["headers"].as_object().into_iter().flatten() {
        if resolve(doc, header)["required"] == true {
            assert!(
                res.headers().contains_key(name.as_str()),
                "{what}: no {name}"
            );
        }
    }
    let content = documented["content"].as_object();
    let Some(content) = content else {
        assert!(res.bytes().await.unwrap().is_empty(), "{what}: a body");
        return;
    };
    let media = res.headers()["content-type"].to_str().unwrap().to_owned();
    let media = media.split(';').next().unwrap().trim();
    let schema = &content
        .get(media)
        .unwrap_or_else(|| panic!("{what}: {media} not documented"))["schema"];
    let body: Value = res.json().await.unwrap();
    let validator = validator(doc, schema);
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{what}: {body} does not fit: {errors:?}");
    if status >= 400 {
        assert_eq!(media, wirefault::PROBLEM_JSON, "{what}");
        assert_eq!(body["status"], status, "{what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_md_row_is_documented_and_answered_as_documented() {
    let mut config = Config::for_tests();
    config.rate_limit = Rate {
        writes: WRITES,
        per: Duration::from_secs(60),
    };
    let server = TestServer::start_with(config).await;
    let doc = document(&server).await;
    let rows = rows();
    assert!(rows.len() >= 10, "DEMO.md's table: {rows:?}");
    let mut checked = 0;
    for row in &rows {
        assert!(!row.statuses.is_empty(), "{row:?}");
        for &status in &row.statuses {
            let res = provoke(&server, &row.method, &row.path, status).await;
            check(&doc, &row.method, &row.path, status, res).await;
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked} answers checked");
    // And the other way: every HTTP operation of the document is a row
    // (the WebSocket and the event stream are DEMO.md's own sections).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = method.to_uppercase();
            let listed = rows.iter().any(|r| r.method == method && &r.path == path);
            assert!(
                listed || ["/ws", "/events", "/debug/events-fail"].contains(&path.as_str()),
                "{method} {path} is not in DEMO.md's table"
            );
        }
    }
}

/// The WebSocket's and the event stream's HTTP answers (DEMO.md's prose,
/// not its table), and the close codes documented for the WebSocket.
#[tokio::test]
async fn the_websocket_and_sse_answers_are_documented() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    let signed_in = server.signed_in("ws_user").await;
    let upgrade = |client: &reqwest::Client| {
        client
            .get(server.url("/ws"))
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
    };
    let cases = [
        (426, signed_in.get(server.url("/ws"))),
        (
            401,
            upgrade(&anonymous()).header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ),
        (
            403,
            upgrade(&signed_in).header("origin", "https://evil.example"),
        ),
        (400, upgrade(&signed_in)),
    ];
    for (status, request) in cases {
        check(&doc, "GET", "/ws", status, request.send().await.unwrap()).await;
    }
    let res = anonymous().get(server.url("/events")).send().await.unwrap();
    check(&doc, "GET", "/events", 401, res).await;

    let description = doc["info"]["description"].as_str().unwrap();
    assert!(
        description.contains("the `standard` column"),
        "{description}"
    );
    let closes = &doc["paths"]["/ws"]["get"]["responses"]["101"]["x-websocket-close-codes"];
    let standard: Vec<u64> = closes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["standard"].as_u64().unwrap())
        .collect();
    // DEMO.md: 1007 malformed JSON, 1003 binary, 1009 too big, 1008
    // unknown op, 1013 rate limit, 1011 panic.
    for code in [1007, 1003, 1009, 1008, 1013, 1011] {
        assert!(standard.contains(&code), "{code} in {closes}");
    }
    let events =
        &doc["paths"]["/events"]["get"]["responses"]["200"]["content"]["text/event-stream"];
    let names: Vec<&str> = events["schema"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["properties"]["event"]["enum"][0].as_str().unwrap())
        .collect();
    assert_eq!(names, ["created", "deleted", "error"]);
}

/// The contract's promises about the document itself.
#[tokio::test]
async fn sessions_ids_and_bodies_are_documented_as_the_service_has_them() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    assert_eq!(
        doc["components"]["securitySchemes"]["session"],
        json!({"type": "apiKey", "in": "cookie", "name": "wf_session",
               "description": "Set by POST /session; HttpOnly, SameSite=Lax."})
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/notes") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            assert_eq!(
                operation["security"],
                json!([{"session": []}]),
                "{method} {path}"
            );
            assert!(operation["responses"]["401"].is_object(), "{method} {path}");
        }
    }
    assert_eq!(
        doc["components"]["schemas"]["Note"]["properties"]["id"]["format"],
        "int64"
    );
    let id = &doc["paths"]["/notes/{id}"]["get"]["parameters"][0];
    assert_eq!(
        (&id["name"], &id["schema"]["format"]),
        (&json!("id"), &json!("int64"))
    );
    let body = &doc["components"]["schemas"]["NewNote"]["properties"]["body"];
    assert_eq!(
        body["type"],
        json!(["string", "null"]),
        "null counts as absent"
    );
    // Without --fault-routes there are no /debug operations, and /debug/*
    // says why it is 404.
    let mut config = Config::for_tests();
    config.fault_routes = false;
    let plain = TestServer::start_with(config).await;
    let doc = document(&plain).await;
    assert!(doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .all(|p| !p.starts_with("/debug")));
    let res = reqwest::get(plain.url("/debug/panic")).await.unwrap();
    let problem = common::problem(res, 404).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("--fault-routes"),
        "{problem}"
    );
}
