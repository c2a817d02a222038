//! Client for `scripts/bench-ws.sh`: opens N concurrent WebSocket sessions
//! on the reference service's `/ws`, sends one `{"op":"ping"}` on each and
//! waits for the pong; then sends SIGTERM to the service and measures how
//! long it takes until every session has its close frame, and which code
//! each got (all must be 1001). Also reports the service's peak memory
//! (VmHWM from /proc/PID/status, read until the process is gone).
//!
//! `bench_ws ADDR PID COOKIE [SESSIONS]`; exits 1 when a session failed or
//! did not get 1001.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::{SinkExt, StreamExt};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Close(u16),
    CloseWithoutCode,
    Eof,
    Error(String),
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, pid, cookie, rest @ ..] = args.as_slice() else {
        eprintln!("usage: bench_ws ADDR PID COOKIE [SESSIONS]");
        std::process::exit(2);
    };
    let pid: u32 = pid.parse().expect("PID");
    let sessions: usize = rest
        .first()
        .map_or(10_000, |n| n.parse().expect("SESSIONS"));
    let url = format!("ws://{addr}/ws");

    let ready = Arc::new(AtomicUsize::new(0));
    let all_ready = Arc::new(Notify::new());
    let opening = Arc::new(Semaphore::new(256));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let (url, cookie) = (url.clone(), cookie.clone());
        let (ready, all_ready, opening) = (ready.clone(), all_ready.clone(), opening.clone());
        tasks.push(tokio::spawn(async move {
            let fail = |what: String| {
                if ready.fetch_add(1, Ordering::SeqCst) + 1 == sessions {
                    all_ready.notify_one();
                }
                (End::Error(what), None)
            };
            let permit = opening.acquire().await.unwrap();
            let mut request = url.into_client_request().unwrap();
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
            let mut ws = match tokio_tungstenite::connect_async(request).await {
                Ok((ws, _)) => ws,
                Err(e) => return fail(format!("connect: {e}")),
            };
            if let Err(e) = ws.send(Message::text(r#"{"op":"ping"}"#)).await {
                return fail(format!("send: {e}"));
            }
            match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) if t.contains("pong") => {}
                other => return fail(format!("no pong: {other:?}")),
            }
            drop(permit);
            if ready.fetch_add(1, Ordering::SeqCst) + 1 == sessions {
                all_ready.notify_one();
            }
            // Wait for the server's close.
            let end = loop {
                match tokio::time::timeout(Duration::from_secs(60), ws.next()).await {
                    Err(_) => break End::Error("no close within 60 s".into()),
                    Ok(None) => break End::Eof,
                    Ok(Some(Err(e))) => break End::Error(e.to_string()),
                    Ok(Some(Ok(Message::Close(Some(f))))) => break End::Close(u16::from(f.code)),
                    Ok(Some(Ok(Message::Close(None)))) => break End::CloseWithoutCode,
                    Ok(Some(Ok(_))) => continue,
                }
            };
            (end, Some(Instant::now()))
        }));
    }
    all_ready.notified().await;
    let opened = start.elapsed();
    let hwm_open = vm_hwm_kib(pid);
    println!(
        "{sessions} sessions opened and pinged in {opened:.2?}; server VmHWM {} KiB",
        hwm_open.map_or("?".into(), |k| k.to_string())
    );

    // Graceful shutdown.
    let killed = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -TERM {pid}");
    let watcher = tokio::spawn(async move {
        let mut peak = hwm_open.unwrap_or(0);
        while let Some(k) = vm_hwm_kib(pid) {
            peak = peak.max(k);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        (peak, killed.elapsed())
    });

    let mut ends: BTreeMap<End, usize> = BTreeMap::new();
    let mut last_close = killed;
    for task in tasks {
        let (end, at) = task.await.unwrap();
        if let Some(at) = at {
            last_close = last_close.max(at);
        }
        *ends.entry(end).or_default() += 1;
    }
    let (peak, exited) = watcher.await.unwrap();
    println!(
        "SIGTERM -> all sessions closed in {:.2?}; process gone after {exited:.2?}",
        last_close - killed
    );
    println!(
        "server peak memory (VmHWM): {peak} KiB ({:.1} MiB)",
        peak as f64 / 1024.0
    );
    let mut ok = true;
    for (end, n) in &ends {
        println!("  {n:>6} x {end:?}");
        ok &= *end == End::Close(1001);
    }
    if !ok {
        println!("FAIL: not every session got 1001");
        std::process::exit(1);
    }
    println!("OK: all {sessions} sessions got 1001");
}
