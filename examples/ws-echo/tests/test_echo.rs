//! The `ws-echo` binary over a real socket: it echoes text and binary,
//! large messages included, and closes sessions with 1001 on SIGTERM.
#![allow(clippy::unwrap_used)]

use futures_util::{SinkExt, StreamExt};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn echoes_text_and_binary_then_goes_away_with_1001() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ws-echo"))
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = tx.send(url.to_owned());
            }
        }
    });
    let url = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    let (mut client, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap();
    let big_text = "ü".repeat(4 << 20); // 8 MiB
    let big_binary: Vec<u8> = (0..16_000_000_u32).map(|i| (i % 251) as u8).collect();
    for message in [
        Message::text("hello"),
        Message::binary(vec![0_u8, 1, 2, 255]),
        Message::text(big_text),
        Message::binary(big_binary),
    ] {
        client.send(message.clone()).await.unwrap();
        let echoed = tokio::time::timeout(Duration::from_secs(20), client.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(echoed == message, "echo differs ({} bytes)", message.len());
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let close = tokio::time::timeout(Duration::from_secs(5), client.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match close {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("expected a close frame, got {other:?}"),
    }
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "ws-echo did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}
