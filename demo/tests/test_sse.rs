//! `GET /events` and `GET /debug/events-fail` over a real socket, read by
//! a streaming HTTP client.
#![allow(clippy::unwrap_used)]

mod common;

use common::{problem, TestServer};
use serde_json::{json, Value};
use wirefault_test_helpers::sse::Reader;
use wirefault_test_helpers::STEP;

#[tokio::test]
async fn events_need_a_session_before_the_stream() {
    let s = TestServer::start().await;
    let res = TestServer::client()
        .get(s.url("/events"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("www-authenticate"));
    problem(res, 401).await;
}

#[tokio::test]
async fn created_and_deleted_notes_arrive_as_events() {
    let s = TestServer::start().await;
    let follower = s.signed_in("bob").await;
    let mut reader = Reader::open(follower.get(s.url("/events"))).await;

    let alice = s.signed_in("alice").await;
    let res = alice
        .post(s.url("/notes"))
        .json(&json!({"title": "streamed", "body": "over SSE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();

    let event = reader.next_event().await.unwrap();
    assert_eq!(event.event.as_deref(), Some("created"));
    let note: Value = serde_json::from_str(&event.data.unwrap()).unwrap();
    assert_eq!(note, created);
    assert_eq!(note["title"], "streamed");
    assert_eq!(note["owner"], "alice");

    let id = created["id"].as_i64().unwrap();
    let res = alice
        .delete(s.url(&format!("/notes/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let event = reader.next_event().await.unwrap();
    assert_eq!(event.event.as_deref(), Some("deleted"));
    let data: Value = serde_json::from_str(&event.data.unwrap()).unwrap();
    assert_eq!(data, json!({"id": id, "owner": "alice"}));
}

#[tokio::test]
async fn events_fail_sends_ping_then_a_problem_then_ends() {
    let s = TestServer::start().await;
    let client = TestServer::client();
    let mut reader = Reader::open(client.get(s.url("/debug/events-fail"))).await;
    let request_id = reader.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();

    let ping = reader.next_event().await.unwrap();
    assert_eq!(ping.event.as_deref(), Some("ping"));
    assert_eq!(ping.data.as_deref(), Some("{}"));

    let error = reader.next_event().await.unwrap();
    assert_eq!(error.event.as_deref(), Some("error"));
    let data = error.data.unwrap();
    let problem: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(problem["status"], 500);
    assert_eq!(problem["title"], "Internal Server Error");
    assert_eq!(problem["type"], "about:blank");
    assert_eq!(problem["instance"], request_id.as_str());
    for leak in ["feed.sock", "/var/lib", "broke", "debug route"] {
        assert!(!data.contains(leak), "{leak} leaked: {data}");
    }

    assert_eq!(
        reader.next().await,
        None,
        "the stream goes on after the error"
    );
}

#[tokio::test]
async fn events_fail_is_off_without_fault_routes() {
    let mut config = wirefault_demo::Config::for_tests();
    config.fault_routes = false;
    let s = TestServer::start_with(config).await;
    let res = TestServer::client()
        .get(s.url("/debug/events-fail"))
        .send()
        .await
        .unwrap();
    problem(res, 404).await;
}

#[tokio::test]
async fn shutdown_ends_open_streams() {
    let s = TestServer::start().await;
    let client = s.signed_in("carol").await;
    let mut reader = Reader::open(client.get(s.url("/events"))).await;

    s.state.shutdown.cancel();
    let mut ended = false;
    for _ in 0..100 {
        if reader.next().await.is_none() {
            ended = true;
            break;
        }
    }
    assert!(ended, "the stream did not end on shutdown");
    tokio::time::timeout(STEP, s.handle)
        .await
        .expect("the server did not stop")
        .unwrap();
}
