//! The malformed-traffic battery: raw bytes over a real socket.
//!
//! Truncated requests, bad chunked encoding, invalid header bytes,
//! oversized headers, a slow client and invalid WebSocket frames. Each
//! case must end in a 4xx or a close (EOF or a close frame), never a 5xx
//! and never a hang (every read is bounded); afterwards the server still
//! answers `GET /health` with 200, and its log has no "panicked" line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Captured, TestServer};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use wirefault_test_helpers::http::whole_response_len;

/// The longest any single case may wait for the server.
const READ_BOUND: Duration = Duration::from_secs(3);

/// The process-wide log: the tracing output and every panic message.
fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let writer = log.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .init();
        // Panics in server tasks go to the panic hook, not to tracing:
        // record them in the same buffer.
        let panics = log.clone();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The server's tasks run on the runtime's workers; a failed
            // assertion on a test's own thread is not the server's panic.
            let name = std::thread::current().name().map(str::to_owned);
            if name.is_none_or(|n| n.starts_with("tokio")) {
                let _ = writeln!(panics.clone(), "panicked: {info}");
            }
            previous(info);
        }));
        log
    })
}

fn assert_no_panic_logged() {
    let logged = log().text();
    if let Some(line) = logged.lines().find(|l| l.contains("panicked")) {
        panic!("the server log has a panic: {line}");
    }
}

/// What the server did with one raw exchange.
#[derive(Debug)]
enum Outcome {
    /// An HTTP response with this status.
    Status(u16),
    /// The connection closed without a response.
    Closed,
}

/// Reads until EOF, a connection reset or (for `http`) one whole
/// response, bounded by `READ_BOUND`.
async fn read_answer(stream: &mut TcpStream, http: bool, what: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = Instant::now() + READ_BOUND;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match timeout(left, stream.read(&mut buf)).await {
            Err(_) => panic!(
                "{what}: the server neither answered nor closed within {READ_BOUND:?} (got {:?})",
                String::from_utf8_lossy(&out)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => return out,
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if http && whole_response_len(&out).is_some() {
                    return out;
                }
            }
        }
    }
}

fn status_of(response: &[u8]) -> Outcome {
    if response.is_empty() {
        return Outcome::Closed;
    }
    let text = String::from_utf8_lossy(response);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    Outcome::Status(status)
}

/// Sends `request`, optionally half-closes, and reads the outcome.
async fn exchange(addr: SocketAddr, request: &[u8], half_close: bool, what: &str) -> Outcome {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // The server may refuse and close before it has read it all.
    let _ = stream.write_all(request).await;
    if half_close {
        let _ = stream.shutdown().await;
    }
    status_of(&read_answer(&mut stream, true, what).await)
}

/// A 4xx or a close; never a 5xx, never a 2xx/3xx for malformed input.
fn assert_refused(outcome: &Outcome, what: &str) {
    match outcome {
        Outcome::Closed => {}
        Outcome::Status(s) => assert!((400..500).contains(s), "{what}: got {s}"),
    }
}

async fn assert_healthy(addr: SocketAddr) {
    let req = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    match exchange(addr, req, false, "health check").await {
        Outcome::Status(200) => {}
        other => panic!("GET /health afterwards: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_http_gets_4xx_or_close() {
    log();
    let s = TestServer::start().await;
    let big = "a".repeat(100 * 1024);
    let many: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        (
            "headers cut mid-line, then EOF",
            b"GET /health HTTP/1.1\r\nHost: x\r\nAccept: appl".to_vec(),
            true,
        ),
        (
            "request line cut, then EOF",
            b"GET /hea".to_vec(),
            true,
        ),
        (
            "chunked: invalid chunk size",
            b"POST /session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n".to_vec(),
            false,
        ),
        (
            "chunked: missing CRLF after the data",
            b"POST /session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n".to_vec(),
            false,
        ),
        (
            "chunked: body cut, then EOF",
            b"POST /session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"us".to_vec(),
            true,
        ),
        (
            "NUL in a header name",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX-Bad\0Name: v\r\n\r\n".to_vec(),
            false,
        ),
        (
            "NUL in a header value",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n".to_vec(),
            false,
        ),
        (
            "bare CR in a header",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n".to_vec(),
            false,
        ),
        (
            "non-token character in a header name",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX(Bad): v\r\n\r\n".to_vec(),
            false,
        ),
        (
            "space before the colon",
            b"GET /health HTTP/1.1\r\nHost: x\r\nX-Bad : v\r\n\r\n".to_vec(),
            false,
        ),
        (
            "100 KiB header value",
            format!("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n").into_bytes(),
            false,
        ),
        (
            "200 headers",
            format!("GET /health HTTP/1.1\r\nHost: x\r\n{many}\r\n").into_bytes(),
            false,
        ),
        (
            "garbage request line",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
            false,
        ),
        (
            "content-length and chunked together",
            b"POST /session HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(),
            false,
        ),
        (
            "invalid content-length",
            b"POST /session HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n".to_vec(),
            false,
        ),
    ];
    for (what, request, half_close) in &cases {
        let outcome = exchange(s.addr, request, *half_close, what).await;
        assert_refused(&outcome, what);
        eprintln!("{what}: {outcome:?}");
        assert_healthy(s.addr).await;
    }
    // The oversized ones are refused with a status, not just dropped.
    for what in ["100 KiB header value", "200 headers"] {
        let (_, request, _) = cases.iter().find(|c| c.0 == what).unwrap();
        let outcome = exchange(s.addr, request, false, what).await;
        assert!(
            matches!(outcome, Outcome::Status(400 | 431)),
            "{what}: {outcome:?}"
        );
    }
    assert_no_panic_logged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_blocks_no_one() {
    log();
    let s = TestServer::start().await;
    let request = b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut slow = TcpStream::connect(s.addr).await.unwrap();
    slow.set_nodelay(true).unwrap();
    // One byte every 100 ms for a second; meanwhile others are served.
    for byte in &request[..10] {
        slow.write_all(&[*byte]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        if *byte == b'G' {
            assert_healthy(s.addr).await;
        }
    }
    assert_healthy(s.addr).await;
    slow.write_all(&request[10..]).await.unwrap();
    let outcome = status_of(&read_answer(&mut slow, true, "slow client").await);
    assert!(
        matches!(outcome, Outcome::Status(200 | 408)),
        "slow client: {outcome:?}"
    );

    // A slow client that gives up half-way leaves no trace.
    let mut quitter = TcpStream::connect(s.addr).await.unwrap();
    for byte in &request[..5] {
        quitter.write_all(&[*byte]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(quitter);
    assert_healthy(s.addr).await;
    assert_no_panic_logged();
}

// --- WebSocket -----------------------------------------------------------

const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A client frame: `first` is FIN/RSV/opcode; masked unless `masked` is false.
fn frame(first: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    assert!(payload.len() < 126);
    let mut out = vec![first];
    if masked {
        out.push(0x80 | payload.len() as u8);
        out.extend_from_slice(&MASK);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    } else {
        out.push(payload.len() as u8);
        out.extend_from_slice(payload);
    }
    out
}

/// Opens `/ws` by hand and checks the 101.
async fn ws_open(s: &TestServer, cookie: &str) -> TcpStream {
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let handshake = format!(
        "GET /ws HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Cookie: {cookie}\r\n\r\n",
        s.addr
    );
    stream.write_all(handshake.as_bytes()).await.unwrap();
    // Read the response head only: frames may follow it.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = timeout(READ_BOUND, stream.read(&mut byte))
            .await
            .expect("the handshake response within the bound")
            .unwrap();
        assert!(n == 1, "EOF during the handshake: {head:?}");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    assert!(head.starts_with("HTTP/1.1 101"), "handshake: {head}");
    assert!(
        head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "Sec-WebSocket-Accept: {head}"
    );
    stream
}

/// The close code of the first close frame in `bytes` (server frames are
/// unmasked), skipping any other frames before it.
fn close_code(mut bytes: &[u8]) -> Option<Option<u16>> {
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let (len, start) = match bytes[1] & 0x7f {
            126 if bytes.len() >= 4 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => return None,
            n => (n as usize, 2),
        };
        let payload = bytes.get(start..start + len)?;
        if opcode == 0x8 {
            return Some(
                (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]])),
            );
        }
        bytes = &bytes[start + len..];
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_websocket_frames_close_with_1002() {
    log();
    let s = TestServer::start().await;
    let cookie = s.session_cookie("frames").await;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "unmasked client frame",
            frame(0x81, b"{\"op\":\"ping\"}", false),
        ),
        ("reserved opcode 0x3", frame(0x83, b"", true)),
        ("RSV1 set without an extension", frame(0xc1, b"{}", true)),
        ("fragmented ping (FIN=0)", frame(0x09, b"", true)),
        ("close with a 1-byte payload", frame(0x88, &[0x03], true)),
        (
            "close with code 1005",
            frame(0x88, &1005u16.to_be_bytes(), true),
        ),
        (
            "close with code 999",
            frame(0x88, &999u16.to_be_bytes(), true),
        ),
        (
            "ping payload over 125 bytes",
            [
                vec![0x89, 0x80 | 126, 0x00, 0xc8],
                MASK.to_vec(),
                vec![0; 200],
            ]
            .concat(),
        ),
    ];
    for (what, bytes) in &cases {
        let mut ws = ws_open(&s, &cookie).await;
        let _ = ws.write_all(bytes).await;
        let answer = read_answer(&mut ws, false, what).await;
        let code = close_code(&answer);
        eprintln!("{what}: close frame {code:?}");
        match code {
            // Closed the TCP connection without a close frame: acceptable.
            None => {}
            Some(Some(1002)) => {}
            Some(other) => panic!("{what}: expected close 1002, got {other:?}"),
        }
        assert_healthy(s.addr).await;
    }
    // Invalid UTF-8 in a close reason is invalid data: 1007 (RFC 6455 §7.4.1).
    let mut ws = ws_open(&s, &cookie).await;
    let _ = ws
        .write_all(&frame(0x88, &[0x03, 0xe8, 0xff, 0xfe], true))
        .await;
    let answer = read_answer(&mut ws, false, "close reason not UTF-8").await;
    let code = close_code(&answer);
    assert!(
        matches!(code, None | Some(Some(1002 | 1007))),
        "close reason not UTF-8: {code:?}"
    );
    assert_healthy(s.addr).await;
    assert_no_panic_logged();
}
