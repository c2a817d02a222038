//! DEMO.md, "WebSocket GET /ws": every row over a real socket, in both
//! close-code modes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestServer;
use futures_util::SinkExt;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use wirefault::CloseCodes;
use wirefault_demo::Config;
use wirefault_test_helpers::ws::{self, closed, next_json, Client};

const PLAYGROUND: &str = "http://127.0.0.1:3001";

async fn start(codes: CloseCodes) -> TestServer {
    let mut config = Config::for_tests();
    config.ws_close_codes = codes;
    TestServer::start_with(config).await
}

async fn connect(server: &TestServer, cookie: &str) -> Client {
    ws::connect(
        &format!("ws://{}/ws", server.addr),
        &[("cookie", cookie), ("origin", PLAYGROUND)],
    )
    .await
}

async fn send(client: &mut Client, value: serde_json::Value) {
    ws::send_text(client, value.to_string()).await;
}

fn modes() -> [CloseCodes; 2] {
    [CloseCodes::Standard, CloseCodes::HttpMirror]
}

fn code(codes: CloseCodes, standard: u16, mirror: u16) -> u16 {
    match codes {
        CloseCodes::Standard => standard,
        CloseCodes::HttpMirror => mirror,
    }
}

// ---- before the upgrade ----------------------------------------------------

/// One raw request to /ws; returns status, lower-cased head and body.
async fn raw_get(server: &TestServer, headers: &str) -> (u16, String, String) {
    ws::raw_get(server.addr, "/ws", headers).await
}

#[tokio::test]
async fn handshake_refusals_in_the_contract_order() {
    let server = start(CloseCodes::Standard).await;
    let cookie = format!("Cookie: {}\r\n", server.session_cookie("alice").await);
    let upgrade = "Connection: Upgrade\r\nUpgrade: websocket\r\n";
    let v13 = "Sec-WebSocket-Version: 13\r\n";
    let key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    let good = format!("{upgrade}{v13}{key}");
    let cases = [
        // 403 for a foreign Origin comes first, session or not.
        (
            format!("Origin: http://evil.example\r\n{cookie}{good}"),
            403,
            None,
        ),
        (format!("Origin: http://evil.example\r\n{good}"), 403, None),
        // 401 without a session, even with a good upgrade.
        (format!("Origin: {PLAYGROUND}\r\n{good}"), 401, None),
        // 426 + Upgrade for a plain GET.
        (cookie.clone(), 426, Some("upgrade: websocket")),
        // 426 + Sec-WebSocket-Version: 13 for another version.
        (
            format!("{cookie}{upgrade}Sec-WebSocket-Version: 8\r\n{key}"),
            426,
            Some("sec-websocket-version: 13"),
        ),
        // 400 without a key.
        (format!("{cookie}{upgrade}{v13}"), 400, None),
    ];
    for (headers, status, header) in cases {
        let (got, head, body) = raw_get(&server, &headers).await;
        assert_eq!(got, status, "{headers}\n{body}");
        assert!(
            head.contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(head.contains("x-request-id:"), "{head}");
        if let Some(header) = header {
            assert!(head.contains(header), "{head}");
        }
        let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(problem["status"], status);
    }
    // No Origin (not a browser) with a session: upgraded.
    let (got, _, _) = raw_get(&server, &format!("{cookie}{good}")).await;
    assert_eq!(got, 101);
}

// ---- after the upgrade -----------------------------------------------------

#[tokio::test]
async fn ping_create_broadcast_and_recoverable_errors() {
    for codes in modes() {
        let server = start(codes).await;
        let alice = server.session_cookie("alice").await;
        let bob = server.session_cookie("bob").await;
        let mut a = connect(&server, &alice).await;
        let mut b = connect(&server, &bob).await;

        send(&mut a, serde_json::json!({"op": "ping"})).await;
        assert_eq!(
            next_json(&mut a).await,
            serde_json::json!({"event": "pong"})
        );

        send(
            &mut a,
            serde_json::json!({"op": "create", "title": "groceries", "body": "milk"}),
        )
        .await;
        let created = next_json(&mut a).await;
        assert_eq!(created["event"], "created");
        assert_eq!(created["note"]["title"], "groceries");
        assert_eq!(created["note"]["owner"], "alice");
        // Every other session gets the same event.
        assert_eq!(next_json(&mut b).await, created);

        // A well-formed create that fails: an error event, the session goes on.
        send(
            &mut a,
            serde_json::json!({"op": "create", "title": "groceries"}),
        )
        .await;
        let error = next_json(&mut a).await;
        assert_eq!(error["event"], "error");
        assert_eq!(error["problem"]["status"], 409);
        send(&mut a, serde_json::json!({"op": "create", "title": ""})).await;
        let error = next_json(&mut a).await;
        assert_eq!(error["problem"]["status"], 422);
        assert_eq!(error["problem"]["errors"][0]["pointer"], "#/title");
        send(&mut a, serde_json::json!({"op": "ping"})).await;
        assert_eq!(next_json(&mut a).await["event"], "pong");

        // The creating session got its note once (a second copy would have
        // come before the 409 above), and it exists over HTTP too.
        let notes: serde_json::Value = TestServer::client()
            .get(server.url("/notes"))
            .header("cookie", &alice)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(notes.as_array().unwrap().len(), 1);
    }
}

async fn close_after(codes: CloseCodes, message: Message) -> (u16, String) {
    let server = start(codes).await;
    let cookie = server.session_cookie("alice").await;
    let mut client = connect(&server, &cookie).await;
    client.send(message).await.unwrap();
    closed(&mut client).await
}

#[tokio::test]
async fn fatal_messages_close_with_the_contract_codes() {
    for codes in modes() {
        let cases = [
            (Message::text("{\"op\": "), code(codes, 1007, 4400)),
            (Message::binary(vec![0_u8, 1, 2]), 1003),
            (
                Message::text(format!(
                    "{{\"op\":\"create\",\"title\":\"{}\"}}",
                    "a".repeat(64 * 1024)
                )),
                1009,
            ),
            (Message::text(r#"{"op":"dance"}"#), code(codes, 1008, 4422)),
            (
                Message::text(r#"{"title":"no op"}"#),
                code(codes, 1008, 4422),
            ),
        ];
        for (message, want) in cases {
            let shown: String = format!("{message:?}").chars().take(60).collect();
            let (got, reason) = close_after(codes, message).await;
            assert_eq!(got, want, "{codes:?} {shown}: {reason}");
        }
    }
}

#[tokio::test]
async fn debug_panic_closes_with_1011_and_no_internals() {
    for codes in modes() {
        let (got, reason) = close_after(codes, Message::text(r#"{"op":"debug_panic"}"#)).await;
        assert_eq!(got, 1011);
        assert_eq!(reason, "Internal Server Error");
    }
    // Without --fault-routes it is just an unknown op.
    let mut config = Config::for_tests();
    config.fault_routes = false;
    let server = TestServer::start_with(config).await;
    let cookie = server.session_cookie("alice").await;
    let mut client = connect(&server, &cookie).await;
    client
        .send(Message::text(r#"{"op":"debug_panic"}"#))
        .await
        .unwrap();
    assert_eq!(closed(&mut client).await.0, 1008);
}

#[tokio::test]
async fn a_panicking_session_does_not_disturb_another() {
    let server = start(CloseCodes::Standard).await;
    let cookie = server.session_cookie("alice").await;
    let mut doomed = connect(&server, &cookie).await;
    let mut other = connect(&server, &cookie).await;
    doomed
        .send(Message::text(r#"{"op":"debug_panic"}"#))
        .await
        .unwrap();
    assert_eq!(closed(&mut doomed).await.0, 1011);
    send(&mut other, serde_json::json!({"op": "ping"})).await;
    assert_eq!(next_json(&mut other).await["event"], "pong");
    let health = TestServer::client()
        .get(server.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn the_write_budget_is_shared_with_http_and_closes_with_1013() {
    for codes in modes() {
        let mut config = Config::for_tests();
        config.ws_close_codes = codes;
        config.rate_limit = "3/60".parse().unwrap();
        let server = TestServer::start_with(config).await;
        let cookie = server.session_cookie("alice").await;

        // One write over HTTP.
        let res = TestServer::client()
            .post(server.url("/notes"))
            .header("cookie", &cookie)
            .json(&serde_json::json!({"title": "over http"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);

        let mut client = connect(&server, &cookie).await;
        // A refused write does not count.
        send(
            &mut client,
            serde_json::json!({"op": "create", "title": ""}),
        )
        .await;
        assert_eq!(next_json(&mut client).await["event"], "error");
        for title in ["one", "two"] {
            send(
                &mut client,
                serde_json::json!({"op": "create", "title": title}),
            )
            .await;
            assert_eq!(next_json(&mut client).await["event"], "created");
        }
        send(
            &mut client,
            serde_json::json!({"op": "create", "title": "three"}),
        )
        .await;
        let (got, reason) = closed(&mut client).await;
        assert_eq!(got, code(codes, 1013, 4429), "{reason}");
    }
}

#[tokio::test]
async fn shutdown_closes_every_session_with_1001() {
    let server = start(CloseCodes::Standard).await;
    let cookie = server.session_cookie("alice").await;
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(connect(&server, &cookie).await);
    }
    send(&mut clients[0], serde_json::json!({"op": "ping"})).await;
    assert_eq!(next_json(&mut clients[0]).await["event"], "pong");

    let started = Instant::now();
    let readers: Vec<_> = clients
        .into_iter()
        .map(|mut c| tokio::spawn(async move { closed(&mut c).await }))
        .collect();
    server.state.shutdown.cancel();
    for reader in readers {
        assert_eq!(reader.await.unwrap().0, 1001);
    }
    server.state.tasks.close();
    tokio::time::timeout(Duration::from_secs(5), server.state.tasks.wait())
        .await
        .expect("every session task ended");
    assert!(started.elapsed() < Duration::from_secs(5));
}
