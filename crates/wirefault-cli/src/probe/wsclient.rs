//! A minimal raw WebSocket client (RFC 6455) for probing.
//!
//! A regular client library validates and normalizes what the peer sends:
//! tungstenite refuses reserved close codes, control frames over 125 bytes
//! and bytes that are not frames, and turns them into one generic error.
//! The auditor needs to see exactly those, so it speaks the protocol itself:
//! the handshake over a plain or TLS stream, masked frames out, and raw frames
//! in. `wss://` through the auditor's TLS configuration ([`crate::net`]).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use reqwest::Url;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::net::{self, Stream};

use crate::finding::{HttpAnswer, BODY_LIMIT};

/// Largest frame payload read; a bigger frame ends the session as invalid.
const MAX_FRAME: u64 = 2 * 1024 * 1024;
/// Size of the pieces a large frame is written in.
const WRITE_PIECE: usize = 64 * 1024;
/// Largest response head read.
const MAX_HEAD: usize = 16 * 1024;

/// Frame opcodes used here.
pub(crate) const TEXT: u8 = 0x1;
/// Binary frame.
pub(crate) const BINARY: u8 = 0x2;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// The result of an opening handshake.
#[derive(Debug)]
pub(crate) enum Handshake {
    /// 101: the connection is a WebSocket now.
    Upgraded(Conn),
    /// Any other HTTP answer.
    Refused(HttpAnswer),
    /// No usable answer.
    Failed(String),
}

/// What the peer did next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// A text message (lossily decoded).
    Text(String),
    /// A binary message of this many bytes.
    Binary(usize),
    /// A close frame with its raw payload (code + reason).
    Close(Vec<u8>),
    /// Bytes that start like an HTTP response where a frame should be.
    RawHttp(String),
    /// The TCP stream ended without a close frame.
    Eof,
    /// A read error (e.g. connection reset).
    Error(String),
    /// Not a valid frame.
    Invalid(String),
    /// Nothing more within the time limit.
    Timeout,
}

/// An upgraded connection.
#[derive(Debug)]
pub(crate) struct Conn {
    stream: Stream,
    buf: Vec<u8>,
}

/// Opens `url` (an http or https URL) with the WebSocket handshake and extra headers.
pub(crate) async fn connect(
    url: &Url,
    headers: &[(String, String)],
    timeout: Duration,
    tls: &Arc<rustls::ClientConfig>,
) -> Handshake {
    match tokio::time::timeout(timeout, connect_inner(url, headers, timeout, tls)).await {
        Ok(result) => result,
        Err(_) => Handshake::Failed("the handshake timed out".into()),
    }
}

async fn connect_inner(
    url: &Url,
    headers: &[(String, String)],
    timeout: Duration,
    tls: &Arc<rustls::ClientConfig>,
) -> Handshake {
    let mut stream = match net::connect(url, tls).await {
        Ok(s) => s,
        Err(e) => return Handshake::Failed(e),
    };
    let key = tokio_tungstenite::tungstenite::handshake::client::generate_key();
    let mut path = url.path().to_owned();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n",
        super::host_port(url)
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    if let Err(e) = stream.write_all(head.as_bytes()).await {
        return Handshake::Failed(format!("write: {e}"));
    }
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return Handshake::Failed("the response head is too large".into());
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) => return Handshake::Failed("the connection closed before a response".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Handshake::Failed(format!("read: {e}")),
        }
    };
    let mut parsed_headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut parsed_headers);
    let status = match response.parse(&buf[..head_end]) {
        Ok(httparse::Status::Complete(_)) => response.code.unwrap_or(0),
        _ => return Handshake::Failed("the response is not HTTP".into()),
    };
    let headers: Vec<(String, String)> = response
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_ascii_lowercase(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let rest = buf[head_end..].to_vec();
    if status == 101 {
        return Handshake::Upgraded(Conn { stream, buf: rest });
    }
    let body = read_body(&mut stream, rest, &headers, timeout).await;
    Handshake::Refused(HttpAnswer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

async fn read_body(
    stream: &mut Stream,
    mut body: Vec<u8>,
    headers: &[(String, String)],
    timeout: Duration,
) -> Vec<u8> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let length = header("content-length").and_then(|v| v.trim().parse::<usize>().ok());
    let chunked =
        header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let deadline = Instant::now() + timeout;
    loop {
        let done = match length {
            Some(len) => body.len() >= len,
            None if chunked => find(&body, b"0\r\n\r\n").is_some(),
            None => false,
        };
        if done || body.len() >= BODY_LIMIT {
            break;
        }
        let mut chunk = [0u8; 4096];
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => body.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    if let Some(len) = length {
        body.truncate(len.min(BODY_LIMIT));
    }
    if chunked {
        dechunk(&body)
    } else {
        body
    }
}

/// Decodes a chunked body, as far as it is well-formed.
fn dechunk(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(line_end) = find(rest, b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_owned();
        let Ok(size) = usize::from_str_radix(&size_text, 16) else {
            break;
        };
        let start = line_end + 2;
        // The size is the peer's: compare without adding, so a huge one
        // cannot overflow.
        if size == 0 || size > rest.len().saturating_sub(start) {
            break;
        }
        out.extend_from_slice(&rest[start..start + size]);
        rest = rest
            .get(start + size..)
            .and_then(|r| r.get(2..))
            .unwrap_or(&[]);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn mask_key() -> [u8; 4] {
    static COUNTER: AtomicU32 = AtomicU32::new(0x9E37_79B9);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(0x6D2B_79F5, Ordering::Relaxed) ^ nanos.rotate_left(13);
    n.to_le_bytes()
}

/// A masked client frame with FIN set.
pub(crate) fn encode_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    out.push(0x80 | opcode);
    let len = payload.len();
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if let Ok(len16) = u16::try_from(len) {
        out.push(0x80 | 126);
        out.extend_from_slice(&len16.to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    let key = mask_key();
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out
}

impl Conn {
    /// Sends one frame; errors are returned as text (the peer may have gone).
    ///
    /// A large frame is written in pieces, and writing stops as soon as the
    /// peer sends anything (typically its close frame, 1009) or stops
    /// reading: a server that refuses a message after its first bytes must
    /// not have its close frame lost to a reset while we are still writing.
    pub(crate) async fn send(
        &mut self,
        opcode: u8,
        payload: &[u8],
        timeout: Duration,
    ) -> Result<(), String> {
        let frame = encode_frame(opcode, payload);
        let deadline = Instant::now() + timeout;
        for piece in frame.chunks(WRITE_PIECE) {
            let mut incoming = [0u8; 4096];
            // One poll: whatever the peer already sent, without waiting
            // (plain or TLS alike).
            match self.stream.read(&mut incoming).now_or_never() {
                Some(Ok(0)) => {
                    return Err("the peer closed the connection while we were sending".into())
                }
                Some(Ok(n)) => {
                    self.buf.extend_from_slice(&incoming[..n]);
                    return Err("the peer answered before the message was fully sent".into());
                }
                None => {}
                Some(Err(e)) => return Err(e.to_string()),
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.stream.write_all(piece)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err("the peer stopped reading".into()),
            }
        }
        Ok(())
    }

    /// Answers a close frame with a normal close (1000).
    pub(crate) async fn close(&mut self, timeout: Duration) {
        let _ = self.send(CLOSE, &1000u16.to_be_bytes(), timeout).await;
    }

    async fn fill(&mut self, n: usize, deadline: Instant) -> Result<(), Event> {
        while self.buf.len() < n {
            let mut chunk = vec![0u8; 16 * 1024];
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.stream.read(&mut chunk)).await {
                Err(_) => return Err(Event::Timeout),
                Ok(Ok(0)) => return Err(Event::Eof),
                Ok(Ok(read)) => self.buf.extend_from_slice(&chunk[..read]),
                Ok(Err(e)) => return Err(Event::Error(e.to_string())),
            }
        }
        Ok(())
    }

    /// The next message or end of the session, answering pings on the way.
    pub(crate) async fn next_event(&mut self, deadline: Instant) -> Event {
        loop {
            match self.next_frame(deadline).await {
                Ok((PING, payload)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let _ = self.send(PONG, &payload, left).await;
                }
                Ok((PONG, _)) => {}
                Ok((CLOSE, payload)) => return Event::Close(payload),
                Ok((TEXT, payload)) => {
                    return Event::Text(String::from_utf8_lossy(&payload).into_owned())
                }
                Ok((_, payload)) => return Event::Binary(payload.len()),
                Err(event) => return event,
            }
        }
    }

    async fn next_frame(&mut self, deadline: Instant) -> Result<(u8, Vec<u8>), Event> {
        self.fill(2, deadline).await?;
        if self.buf.starts_with(b"HT") {
            let _ = self.fill(5, deadline).await;
            if self.buf.starts_with(b"HTTP/") {
                let short = Instant::now() + Duration::from_millis(300);
                let _ = self.fill(4096, short.min(deadline)).await;
                let text =
                    String::from_utf8_lossy(&self.buf[..self.buf.len().min(4096)]).into_owned();
                return Err(Event::RawHttp(text));
            }
        }
        let (b0, b1) = (self.buf[0], self.buf[1]);
        if b0 & 0x70 != 0 {
            return Err(Event::Invalid(format!(
                "reserved bits set in frame byte 0x{b0:02x}"
            )));
        }
        let opcode = b0 & 0x0F;
        if !matches!(opcode, 0x0 | TEXT | BINARY | CLOSE | PING | PONG) {
            return Err(Event::Invalid(format!("unknown opcode 0x{opcode:x}")));
        }
        let masked = b1 & 0x80 != 0;
        let (len, mut at) = match b1 & 0x7F {
            126 => {
                self.fill(4, deadline).await?;
                (u64::from(u16::from_be_bytes([self.buf[2], self.buf[3]])), 4)
            }
            127 => {
                self.fill(10, deadline).await?;
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(&self.buf[2..10]);
                (u64::from_be_bytes(bytes), 10)
            }
            n => (u64::from(n), 2),
        };
        if len > MAX_FRAME {
            return Err(Event::Invalid(format!("a frame of {len} bytes")));
        }
        let len = len as usize;
        let mut key = None;
        if masked {
            self.fill(at + 4, deadline).await?;
            key = Some([
                self.buf[at],
                self.buf[at + 1],
                self.buf[at + 2],
                self.buf[at + 3],
            ]);
            at += 4;
        }
        self.fill(at + len, deadline).await?;
        let mut payload: Vec<u8> = self.buf[at..at + len].to_vec();
        if let Some(key) = key {
            payload
                .iter_mut()
                .enumerate()
                .for_each(|(i, b)| *b ^= key[i % 4]);
        }
        self.buf.drain(..at + len);
        Ok((opcode, payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunk_survives_hostile_sizes() {
        assert_eq!(dechunk(b"ffffffffffffffff\r\nab\r\n0\r\n\r\n"), b"");
        assert_eq!(dechunk(b"2\r\nab\r\n0\r\n\r\n"), b"ab");
        assert_eq!(dechunk(b"3\r\nab"), b"");
    }

    #[test]
    fn frames_are_masked_with_the_right_length() {
        let small = encode_frame(TEXT, b"hi");
        assert_eq!(small[0], 0x81);
        assert_eq!(small[1], 0x80 | 2);
        assert_eq!(small.len(), 2 + 4 + 2);
        let medium = encode_frame(BINARY, &[0; 300]);
        assert_eq!(medium[1], 0x80 | 126);
        assert_eq!(u16::from_be_bytes([medium[2], medium[3]]), 300);
        let large = encode_frame(TEXT, &[0; 70_000]);
        assert_eq!(large[1], 0x80 | 127);
        assert_eq!(large.len(), 2 + 8 + 4 + 70_000);
    }

    #[test]
    fn dechunk_reads_well_formed_chunks() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"), b"abcde");
        assert_eq!(dechunk(b"zz\r\n"), b"");
        assert_eq!(dechunk(b"10\r\nshort"), b"");
    }
}
