//! Every row of DEMO.md's HTTP table, over a real socket.
#![allow(clippy::unwrap_used)]

mod common;

use common::{problem, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_request_ids() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    let res = c.get(s.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!generated.is_empty());
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));

    // A valid client id is kept and becomes the problem's instance.
    let res = c
        .get(s.url("/nope"))
        .header("x-request-id", "client-id_1.2")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "client-id_1.2");
    let body = problem(res, 404).await;
    assert_eq!(body["instance"], "client-id_1.2");
    assert_eq!(body["detail"], "no resource at /nope");

    // An invalid one is replaced.
    for bad in ["has space", &"a".repeat(129), "<script>"] {
        let res = c
            .get(s.url("/health"))
            .header("x-request-id", bad)
            .send()
            .await
            .unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(id, bad);
        assert!(id.len() <= 128 && !id.is_empty());
    }
}

#[tokio::test]
async fn sessions() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    let res = c
        .post(s.url("/session"))
        .json(&json!({"user": "alice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("wf_session="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert_eq!(c.get(s.url("/notes")).send().await.unwrap().status(), 200);

    let res = c
        .post(s.url("/session"))
        .body(r#"{"user":"bob"}"#)
        .send()
        .await
        .unwrap();
    assert!(problem(res, 415).await["detail"]
        .as_str()
        .unwrap()
        .contains("application/json"));
    let res = c
        .post(s.url("/session"))
        .header("content-type", "application/json")
        .body(r#"{"user":"#)
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    for bad in [
        json!({"user": "Bob!"}),
        json!({"user": ""}),
        json!({"user": 5}),
        json!({}),
        json!({"user": "a".repeat(33)}),
    ] {
        let res = c.post(s.url("/session")).json(&bad).send().await.unwrap();
        let body = problem(res, 422).await;
        assert_eq!(body["errors"][0]["pointer"], "#/user", "{bad}");
    }

    // Signing out ends the session on the server, not only in the browser.
    let cookie = s.session_cookie("frank").await;
    let raw = reqwest::Client::new();
    let res = raw
        .get(s.url("/notes"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = raw
        .delete(s.url("/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = raw
        .get(s.url("/notes"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    problem(res, 401).await;

    let res = c.delete(s.url("/session")).send().await.unwrap();
    assert_eq!(res.status(), 204);
    let res = c.get(s.url("/notes")).send().await.unwrap();
    problem(res, 401).await;
}

#[tokio::test]
async fn notes_need_a_session() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    for (method, path) in [
        ("GET", "/notes"),
        ("POST", "/notes"),
        ("GET", "/notes/1"),
        ("DELETE", "/notes/1"),
    ] {
        let res = c
            .request(method.parse().unwrap(), s.url(path))
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap();
        assert!(
            res.headers().contains_key("www-authenticate"),
            "{method} {path}"
        );
        problem(res, 401).await;
    }
}

#[tokio::test]
async fn create_read_list_delete() {
    let s = TestServer::start().await;
    let alice = s.signed_in("alice").await;
    let bob = s.signed_in("bob").await;

    let res = alice
        .post(s.url("/notes"))
        .json(&json!({"title": "Hello", "body": "world"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["x-ratelimit-remaining"], "59");
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let note: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/notes/{}", note["id"]));
    assert_eq!(note["owner"], "alice");
    assert_eq!(note["title"], "Hello");
    assert_eq!(note["body"], "world");
    let created = note["created_at"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );

    // body is optional.
    let res = alice
        .post(s.url("/notes"))
        .json(&json!({"title": "Empty"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.json::<Value>().await.unwrap()["body"], "");

    // Anyone signed in reads any note.
    let res = bob.get(s.url(&location)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), note);
    let list: Vec<Value> = bob
        .get(s.url("/notes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2);

    // Same title, same user: 409. Another user may reuse it.
    let res = alice
        .post(s.url("/notes"))
        .json(&json!({"title": "Hello"}))
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("x-ratelimit-remaining"));
    problem(res, 409).await;
    let res = bob
        .post(s.url("/notes"))
        .json(&json!({"title": "Hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // Only the owner deletes.
    let res = bob.delete(s.url(&location)).send().await.unwrap();
    problem(res, 403).await;
    let res = alice.delete(s.url(&location)).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.headers().contains_key("x-ratelimit-remaining"));
    let res = alice.get(s.url(&location)).send().await.unwrap();
    assert_eq!(
        problem(res, 404).await["detail"],
        format!("note {} does not exist", note["id"])
    );
    let res = alice.delete(s.url(&location)).send().await.unwrap();
    problem(res, 404).await;
    let res = alice.get(s.url("/notes/abc")).send().await.unwrap();
    assert!(problem(res, 400).await["detail"]
        .as_str()
        .unwrap()
        .contains("abc"));
}

#[tokio::test]
async fn validation_lists_every_bad_field() {
    let s = TestServer::start().await;
    let c = s.signed_in("carol").await;
    let res = c
        .post(s.url("/notes"))
        .json(&json!({"title": "", "body": "x".repeat(10_001)}))
        .send()
        .await
        .unwrap();
    let body = problem(res, 422).await;
    assert_eq!(
        body["errors"],
        json!([
            {"pointer": "#/title", "detail": "must not be empty"},
            {"pointer": "#/body", "detail": "must be at most 10000 characters"}
        ])
    );
    let res = c
        .post(s.url("/notes"))
        .json(&json!({"title": "t".repeat(201)}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 422).await["errors"][0]["pointer"], "#/title");
    // Characters, not bytes: 200 three-byte characters are fine.
    let res = c
        .post(s.url("/notes"))
        .json(&json!({"title": "€".repeat(200)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // Refused writes do not count.
    let res = c
        .post(s.url("/notes"))
        .json(&json!({"title": "ok"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-ratelimit-remaining"], "58");
}

#[tokio::test]
async fn body_limit_is_64_kib() {
    let s = TestServer::start().await;
    let c = s.signed_in("dave").await;
    let big = json!({"title": "big", "body": "x".repeat(70 * 1024)});
    let res = c.post(s.url("/notes")).json(&big).send().await.unwrap();
    assert!(problem(res, 413).await["detail"]
        .as_str()
        .unwrap()
        .contains("65536"));
}

#[tokio::test]
async fn rate_limit_shares_one_budget() {
    let mut config = wirefault_demo::Config::for_tests();
    config.rate_limit = "2/3600".parse().unwrap();
    let s = TestServer::start_with(config).await;
    let c = s.signed_in("erin").await;
    for (i, left) in ["1", "0"].iter().enumerate() {
        let res = c
            .post(s.url("/notes"))
            .json(&json!({"title": format!("n{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        assert_eq!(res.headers()["x-ratelimit-remaining"], *left);
    }
    let res = c
        .post(s.url("/notes"))
        .json(&json!({"title": "n3"}))
        .send()
        .await
        .unwrap();
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    assert_eq!(res.headers()["x-ratelimit-remaining"], "0");
    problem(res, 429).await;
    let res = c.delete(s.url("/notes/1")).send().await.unwrap();
    problem(res, 429).await;
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    problem(
        c.get(s.url("/definitely/not/here")).send().await.unwrap(),
        404,
    )
    .await;
    for (method, path, allow) in [
        ("PUT", "/notes", "GET,HEAD,POST"),
        ("POST", "/health", "GET,HEAD"),
        ("PATCH", "/notes/1", "GET,HEAD,DELETE"),
    ] {
        let res = c
            .request(method.parse().unwrap(), s.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
        problem(res, 405).await;
    }
}

#[tokio::test]
async fn debug_routes() {
    let s = TestServer::start().await;
    let c = TestServer::client();
    let res = c.get(s.url("/debug/panic")).send().await.unwrap();
    let body = problem(res, 500).await.to_string();
    for leak in ["panic", "secret", "debug.rs", "/home"] {
        assert!(!body.contains(leak), "{leak} in {body}");
    }
    let res = c.get(s.url("/debug/unavailable")).send().await.unwrap();
    assert_eq!(res.headers()["retry-after"], "30");
    problem(res, 503).await;
    let res = c.get(s.url("/debug/bad-gateway")).send().await.unwrap();
    let body = problem(res, 502).await.to_string();
    assert!(
        !body.contains("10.0.0.7") && !body.contains("refused"),
        "{body}"
    );
}

#[tokio::test]
async fn debug_routes_are_off_by_default() {
    let mut config = wirefault_demo::Config::for_tests();
    config.fault_routes = false;
    let s = TestServer::start_with(config).await;
    let c = TestServer::client();
    for path in ["/debug/panic", "/debug/unavailable", "/debug/bad-gateway"] {
        problem(c.get(s.url(path)).send().await.unwrap(), 404).await;
    }
}
