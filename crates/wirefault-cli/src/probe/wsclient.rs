//! A minimal raw WebSocket client (RFC 6455) for probing.
//!
//! A regular client library validates and normalizes what the peer sends:
//! tungstenite refuses reserved close codes, control frames over 125 bytes
//! and bytes that are not frames, and turns them into one generic error.
//! The auditor needs to see exactly those, so it speaks the protocol itself:
//! the handshake over a plain or TLS stream ([`crate::net`]), masked frames
//! out, and raw frames in.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt, ReadHalf, WriteHalf};

use crate::net::{self, Stream};

use crate::finding::{HttpAnswer, BODY_LIMIT};

/// Why a handshake failed when the server did not answer in time: a slow
/// or busy server, unlike a refused or reset connection, is no proof that
/// it went down.
pub(crate) const HANDSHAKE_TIMED_OUT: &str = "the handshake timed out";

/// Largest frame payload (or fragmented message) read; a bigger one ends
/// the session as invalid.
const MAX_FRAME: u64 = 2 * 1024 * 1024;
/// Unread messages kept while the probe writes (see [`Conn::send`]).
const MAX_PENDING: usize = 1024;
/// Bytes of unread text kept while the probe writes.
const MAX_PENDING_BYTES: usize = 8 * 1024 * 1024;
/// Size of the pieces a large frame is written in.
const WRITE_PIECE: usize = 64 * 1024;
/// Largest response head read.
const MAX_HEAD: usize = 16 * 1024;

/// Frame opcodes used here.
pub(crate) const TEXT: u8 = 0x1;
/// Binary frame.
pub(crate) const BINARY: u8 = 0x2;
const CONTINUATION: u8 = 0x0;
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
    /// This many more messages arrived while the probe was writing and its
    /// buffer of unread messages was full: counted, not kept.
    Elided(usize),
}

/// An upgraded connection.
#[derive(Debug)]
pub(crate) struct Conn {
    /// Read side of the stream (split, so reading and writing can wait
    /// together, plain or TLS).
    reader: ReadHalf<Stream>,
    /// Write side of the stream.
    writer: WriteHalf<Stream>,
    /// Bytes read and not parsed yet.
    buf: Vec<u8>,
    /// Events parsed and not handed out yet (at most [`MAX_PENDING`]
    /// messages and [`MAX_PENDING_BYTES`] of text; more are counted).
    pending: VecDeque<Event>,
    /// Bytes of text in `pending`.
    pending_bytes: usize,
    /// A message being assembled from fragments: opcode and data so far.
    partial: Option<(u8, Vec<u8>)>,
    /// The payload of the latest ping not answered yet (RFC 6455 §5.5.3:
    /// answering the most recent one is enough, so a flood takes no memory).
    pong: Option<Vec<u8>>,
    /// The close frame or the end of the stream was seen.
    ended: bool,
}

/// Opens `url` (an http or https URL) with the WebSocket handshake and
/// extra headers; TLS with `tls` for https.
pub(crate) async fn connect(
    url: &Url,
    headers: &[(String, String)],
    timeout: Duration,
    tls: &Arc<rustls::ClientConfig>,
) -> Handshake {
    match tokio::time::timeout(timeout, connect_inner(url, headers, timeout, tls)).await {
        Ok(result) => result,
        Err(_) => Handshake::Failed(HANDSHAKE_TIMED_OUT.into()),
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
        return Handshake::Upgraded(Conn::new(stream, rest));
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

/// One step of parsing the bytes read so far.
#[derive(Debug, PartialEq)]
enum Parsed {
    /// More bytes are needed.
    Incomplete,
    /// A whole frame, and how many bytes it took.
    Frame {
        fin: bool,
        opcode: u8,
        payload: Vec<u8>,
        used: usize,
    },
    /// The bytes end the session (not a frame, or HTTP).
    End(Event),
}

/// Parses one frame from the start of `buf`, without consuming it.
fn parse_frame(buf: &[u8]) -> Parsed {
    // `H` (0x48) has a reserved bit set: it never starts a valid frame.
    if buf.first() == Some(&b'H') {
        if buf.len() < 5 {
            return if b"HTTP/".starts_with(buf) {
                Parsed::Incomplete
            } else {
                Parsed::End(Event::Invalid(
                    "reserved bits set in frame byte 0x48".into(),
                ))
            };
        }
        if buf.starts_with(b"HTTP/") {
            let shown = &buf[..buf.len().min(4096)];
            return Parsed::End(Event::RawHttp(String::from_utf8_lossy(shown).into_owned()));
        }
    }
    if buf.len() < 2 {
        return Parsed::Incomplete;
    }
    let (b0, b1) = (buf[0], buf[1]);
    if b0 & 0x70 != 0 {
        return Parsed::End(Event::Invalid(format!(
            "reserved bits set in frame byte 0x{b0:02x}"
        )));
    }
    let opcode = b0 & 0x0F;
    if !matches!(opcode, CONTINUATION | TEXT | BINARY | CLOSE | PING | PONG) {
        return Parsed::End(Event::Invalid(format!("unknown opcode 0x{opcode:x}")));
    }
    let fin = b0 & 0x80 != 0;
    if opcode >= CLOSE && !fin {
        return Parsed::End(Event::Invalid("a fragmented control frame".into()));
    }
    let (len, mut at) = match b1 & 0x7F {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Parsed::Incomplete,
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(b);
                (u64::from_be_bytes(bytes), 10)
            }
            None => return Parsed::Incomplete,
        },
        n => (u64::from(n), 2),
    };
    if len > MAX_FRAME {
        return Parsed::End(Event::Invalid(format!("a frame of {len} bytes")));
    }
    if matches!(opcode, PING | PONG) && len > 125 {
        // RFC 6455 §5.5. (An oversized close frame is read: its reason's
        // length is what WF-WS-005 judges.)
        return Parsed::End(Event::Invalid(format!(
            "a control frame of {len} bytes (at most 125)"
        )));
    }
    let len = len as usize;
    let mut key = None;
    if b1 & 0x80 != 0 {
        let Some(k) = buf.get(at..at + 4) else {
            return Parsed::Incomplete;
        };
        key = Some([k[0], k[1], k[2], k[3]]);
        at += 4;
    }
    let Some(body) = buf.get(at..at + len) else {
        return Parsed::Incomplete;
    };
    let mut payload = body.to_vec();
    if let Some(key) = key {
        payload
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b ^= key[i % 4]);
    }
    Parsed::Frame {
        fin,
        opcode,
        payload,
        used: at + len,
    }
}

/// How sending a message went.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Sent {
    /// The whole frame was written.
    Whole,
    /// The peer ended the session before it was all written (its close
    /// frame or the end of the stream is the next event).
    PeerEnded {
        /// Bytes written before.
        written: usize,
    },
    /// Writing stalled until the deadline: the peer does not read.
    Failed(String),
}

impl Conn {
    fn new(stream: Stream, buf: Vec<u8>) -> Self {
        let (reader, writer) = tokio::io::split(stream);
        Conn {
            reader,
            writer,
            buf,
            pending: VecDeque::new(),
            pending_bytes: 0,
            partial: None,
            pong: None,
            ended: false,
        }
    }

    /// Sends one whole message frame, reading (and keeping) whatever the
    /// peer sends meanwhile: a server that speaks first or pushes is not
    /// mistaken for one that refused the message, and the message is not
    /// cut short. Writing stops only when the peer ends the session (its
    /// close frame, typically 1009, is then the next event) or stops reading
    /// until `deadline`.
    pub(crate) async fn send(&mut self, opcode: u8, payload: &[u8], deadline: Instant) -> Sent {
        let frame = encode_frame(opcode, payload);
        let mut written = 0;
        while written < frame.len() {
            if self.ended {
                return Sent::PeerEnded { written };
            }
            let piece = &frame[written..frame.len().min(written + WRITE_PIECE)];
            let mut chunk = [0u8; 16 * 1024];
            let (reader, writer) = (&mut self.reader, &mut self.writer);
            // Reads first: a close frame that has arrived stops the writing
            // before more bytes provoke a reset that could discard it.
            tokio::select! {
                biased;
                result = reader.read(&mut chunk) => match result {
                    Ok(0) => self.end(Event::Eof),
                    Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                    Err(e) => self.end(Event::Error(e.to_string())),
                },
                result = writer.write(piece) => match result {
                    Ok(0) => return Sent::Failed("the connection accepts no more bytes".into()),
                    Ok(n) => written += n,
                    Err(e) => {
                        // A reset while writing: what the peer sent before it
                        // (a close frame) comes first, else the drop itself.
                        self.drain(Duration::from_millis(100)).await;
                        self.absorb();
                        self.end(Event::Error(e.to_string()));
                        return Sent::PeerEnded { written };
                    }
                },
                () = tokio::time::sleep_until(deadline.into()) => {
                    return Sent::Failed(format!(
                        "the peer stopped reading after {written} of {} bytes",
                        frame.len()
                    ));
                }
            }
            self.absorb();
        }
        Sent::Whole
    }

    /// Ends the session with a normal close (1000) and, unless the peer
    /// already closed, waits up to `timeout` for its close frame, so the
    /// server sees a clean end (a chat then stops sending to this client
    /// before the connection goes). Best effort.
    pub(crate) async fn close(&mut self, timeout: Duration) {
        if !self.ended {
            self.send_close(&1000u16.to_be_bytes(), timeout).await;
        }
    }

    /// Sends a close frame with `payload` (code and reason) and reads, at
    /// most `timeout`, past any messages still coming, until the session
    /// ends: the peer's close frame ([`Event::Close`]), a drop, or
    /// [`Event::Timeout`] (no answer, RFC 6455 §5.5.1 wants one).
    pub(crate) async fn send_close(&mut self, payload: &[u8], timeout: Duration) -> Event {
        let deadline = Instant::now() + timeout;
        let frame = encode_frame(CLOSE, payload);
        match tokio::time::timeout(timeout, self.writer.write_all(&frame)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Event::Error(e.to_string()),
            Err(_) => return Event::Timeout,
        }
        loop {
            match self.next_event(deadline).await {
                Event::Text(_) | Event::Binary(_) | Event::Elided(_) => {}
                other => return other,
            }
        }
    }

    /// Reads what is already there, for at most `wait`, parsing as it goes
    /// (so the buffer holds at most one frame, and messages their bound).
    async fn drain(&mut self, wait: Duration) {
        let deadline = Instant::now() + wait;
        let mut chunk = [0u8; 16 * 1024];
        while let Ok(Ok(n)) =
            tokio::time::timeout_at(deadline.into(), self.reader.read(&mut chunk)).await
        {
            if n == 0 || self.ended {
                break;
            }
            self.buf.extend_from_slice(&chunk[..n]);
            self.absorb();
        }
    }

    fn end(&mut self, event: Event) {
        if !self.ended {
            self.pending.push_back(event);
            self.ended = true;
        }
    }

    /// Turns the bytes read so far into events: messages (fragments joined),
    /// pings remembered for an answer, the close frame or the end.
    fn absorb(&mut self) {
        while !self.ended {
            match parse_frame(&self.buf) {
                Parsed::Incomplete => return,
                Parsed::End(event) => {
                    self.buf.clear();
                    self.end(event);
                }
                Parsed::Frame {
                    fin,
                    opcode,
                    payload,
                    used,
                } => {
                    self.buf.drain(..used);
                    self.frame(fin, opcode, payload);
                }
            }
        }
    }

    fn frame(&mut self, fin: bool, opcode: u8, payload: Vec<u8>) {
        match opcode {
            PING => self.pong = Some(payload),
            PONG => {}
            CLOSE => self.end(Event::Close(payload)),
            CONTINUATION => match self.partial.take() {
                None => self.end(Event::Invalid(
                    "a continuation frame without a message".into(),
                )),
                Some((kind, mut data)) => {
                    data.extend_from_slice(&payload);
                    if data.len() as u64 > MAX_FRAME {
                        self.end(Event::Invalid(format!("a message of {} bytes", data.len())));
                    } else if fin {
                        self.message(kind, data);
                    } else {
                        self.partial = Some((kind, data));
                    }
                }
            },
            _ if self.partial.is_some() => {
                self.end(Event::Invalid(
                    "a new message inside a fragmented one".into(),
                ));
            }
            _ if fin => self.message(opcode, payload),
            _ => self.partial = Some((opcode, payload)),
        }
    }

    fn message(&mut self, opcode: u8, data: Vec<u8>) {
        // Messages pile up only while the probe writes a large message to
        // a peer that pushes (`send` reads meanwhile, no one takes them
        // yet): past the bounds they are counted, not kept.
        let full = self.pending.len() >= MAX_PENDING
            || self.pending_bytes + data.len() > MAX_PENDING_BYTES;
        if full {
            match self.pending.back_mut() {
                Some(Event::Elided(n)) => *n += 1,
                _ => self.pending.push_back(Event::Elided(1)),
            }
            return;
        }
        let event = if opcode == TEXT {
            self.pending_bytes += data.len();
            Event::Text(String::from_utf8_lossy(&data).into_owned())
        } else {
            Event::Binary(data.len())
        };
        self.pending.push_back(event);
    }

    /// The next message or end of the session, answering pings on the way.
    /// Reads until `deadline`; there is no cap on the number of messages.
    pub(crate) async fn next_event(&mut self, deadline: Instant) -> Event {
        loop {
            self.absorb();
            if let Some(payload) = self.pong.take() {
                let frame = encode_frame(PONG, &payload);
                let left = deadline.saturating_duration_since(Instant::now());
                let _ = tokio::time::timeout(left, self.writer.write_all(&frame)).await;
            }
            if let Some(event) = self.pending.pop_front() {
                if let Event::Text(text) = &event {
                    self.pending_bytes = self.pending_bytes.saturating_sub(text.len());
                }
                return event;
            }
            if self.ended {
                return Event::Eof;
            }
            // An HTTP response where frames belong: read a little more of it.
            let http = self.buf.starts_with(b"HTTP/") || self.buf == b"HT" || self.buf == b"HTT";
            let until = if http {
                deadline.min(Instant::now() + Duration::from_millis(300))
            } else {
                deadline
            };
            let mut chunk = vec![0u8; 16 * 1024];
            let left = until.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.reader.read(&mut chunk)).await {
                Err(_) if http => {
                    let text = String::from_utf8_lossy(&self.buf).into_owned();
                    self.end(Event::RawHttp(text));
                }
                Err(_) => return Event::Timeout,
                Ok(Ok(0)) if http => {
                    let text = String::from_utf8_lossy(&self.buf).into_owned();
                    self.end(Event::RawHttp(text));
                }
                Ok(Ok(0)) => self.end(Event::Eof),
                Ok(Ok(n)) => self.buf.extend_from_slice(&chunk[..n]),
                Ok(Err(e)) => self.end(Event::Error(e.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    use tokio_tungstenite::tungstenite::Message as WsMessage;

    fn server_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(u8::from(fin) << 7) | opcode, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn parses_frames_and_what_is_not_one() {
        assert_eq!(parse_frame(b""), Parsed::Incomplete);
        assert_eq!(parse_frame(b"HT"), Parsed::Incomplete);
        assert!(matches!(
            parse_frame(b"HTTP/1.1 400 Bad Request\r\n"),
            Parsed::End(Event::RawHttp(_))
        ));
        assert!(matches!(
            parse_frame(b"Hello"),
            Parsed::End(Event::Invalid(_))
        ));
        assert!(matches!(
            parse_frame(&[0xC1, 0]),
            Parsed::End(Event::Invalid(_))
        ));
        assert!(matches!(
            parse_frame(&[0x83, 0]),
            Parsed::End(Event::Invalid(_))
        ));
        // A fragmented ping is not allowed.
        assert!(matches!(
            parse_frame(&[0x09, 0]),
            Parsed::End(Event::Invalid(_))
        ));
        // A control frame over 125 bytes is not allowed (RFC 6455 §5.5).
        let mut big_ping = vec![0x89, 126, 0, 200];
        big_ping.extend_from_slice(&[0; 200]);
        assert!(matches!(
            parse_frame(&big_ping),
            Parsed::End(Event::Invalid(_))
        ));
        let frame = server_frame(true, TEXT, b"hi");
        assert_eq!(parse_frame(&frame[..3]), Parsed::Incomplete);
        assert_eq!(
            parse_frame(&frame),
            Parsed::Frame {
                fin: true,
                opcode: TEXT,
                payload: b"hi".to_vec(),
                used: 4
            }
        );
        // Masked frames are unmasked.
        let masked = encode_frame(BINARY, b"abc");
        assert!(matches!(
            parse_frame(&masked),
            Parsed::Frame { payload, .. } if payload == b"abc"
        ));
    }

    /// A tungstenite server on 127.0.0.1 that runs `script` on the first
    /// connection; the URL to reach it.
    async fn serve<F, Fut>(script: F) -> Url
    where
        F: FnOnce(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Fut
            + Send
            + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
            script(ws).await;
        });
        Url::parse(&format!("http://{addr}/ws")).unwrap()
    }

    async fn upgraded(url: &Url) -> Conn {
        let tls = crate::tls::client_config(&crate::tls::TlsOptions::default()).unwrap();
        match connect(url, &[], Duration::from_secs(5), &tls).await {
            Handshake::Upgraded(conn) => conn,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn fragments_are_joined_and_pings_answered() {
        let url = serve(|mut ws| async move {
            let frames = [
                Frame::message(b"frag".to_vec(), OpCode::Data(Data::Text), false),
                Frame::ping(b"p".to_vec()),
                Frame::message(b"ment".to_vec(), OpCode::Data(Data::Continue), true),
            ];
            for frame in frames {
                ws.send(WsMessage::Frame(frame)).await.unwrap();
            }
            // The pong comes back before the close.
            while let Some(Ok(message)) = ws.next().await {
                if let WsMessage::Pong(payload) = message {
                    ws.send(WsMessage::text(format!("pong {}", payload.len())))
                        .await
                        .unwrap();
                }
            }
        })
        .await;
        let mut conn = upgraded(&url).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        assert_eq!(
            conn.next_event(deadline).await,
            Event::Text("fragment".into())
        );
        assert_eq!(
            conn.next_event(deadline).await,
            Event::Text("pong 1".into())
        );
    }

    /// The server speaks first and pushes while we write 1 MiB: the
    /// message still goes out whole, and nothing it sent is lost.
    #[tokio::test]
    async fn a_large_message_is_sent_whole_when_the_server_speaks_first() {
        let url = serve(|mut ws| async move {
            ws.send(WsMessage::text("hello")).await.unwrap();
            while let Some(Ok(message)) = ws.next().await {
                if let WsMessage::Text(text) = message {
                    ws.send(WsMessage::text(format!("got {}", text.len())))
                        .await
                        .unwrap();
                    return;
                }
            }
        })
        .await;
        let mut conn = upgraded(&url).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        // Let the greeting arrive before writing.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let big = vec![b'a'; 1024 * 1024 + 1];
        assert_eq!(conn.send(TEXT, &big, deadline).await, Sent::Whole);
        assert_eq!(conn.next_event(deadline).await, Event::Text("hello".into()));
        assert_eq!(
            conn.next_event(deadline).await,
            Event::Text("got 1048577".into())
        );
    }

    /// A server that pushes thousands of messages while we write: the
    /// first ones are kept, the rest counted, memory stays bounded.
    #[tokio::test]
    async fn messages_pushed_while_writing_are_kept_up_to_a_bound() {
        const PUSHED: usize = 3000;
        let url = serve(|mut ws| async move {
            for i in 0..PUSHED {
                ws.send(WsMessage::text(format!("push {i}"))).await.unwrap();
            }
            while let Some(Ok(message)) = ws.next().await {
                if let WsMessage::Text(_) = message {
                    ws.close(None).await.unwrap();
                    return;
                }
            }
        })
        .await;
        let mut conn = upgraded(&url).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        // Let the pushes arrive: `send` reads them all while writing.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let big = vec![b'a'; 1024 * 1024 + 1];
        assert_eq!(conn.send(TEXT, &big, deadline).await, Sent::Whole);
        let (mut kept, mut counted) = (0, 0);
        loop {
            match conn.next_event(deadline).await {
                Event::Text(text) => {
                    assert_eq!(text, format!("push {kept}"));
                    kept += 1;
                }
                Event::Elided(n) => counted += n,
                Event::Close(_) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(kept + counted, PUSHED);
        assert_eq!(kept, MAX_PENDING);
    }

    /// A server that refuses a message after its first bytes: the send
    /// stops, and its close frame is the next event, not lost to the reset
    /// that follows when it drops the rest unread.
    #[tokio::test]
    async fn a_close_while_sending_stops_the_send() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                stream.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            let head = String::from_utf8(head).unwrap();
            let key = head
                .lines()
                .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
                .unwrap();
            let accept =
                tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
            let answer = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            );
            stream.write_all(answer.as_bytes()).await.unwrap();
            let mut some = vec![0u8; 64 * 1024];
            stream.read_exact(&mut some).await.unwrap();
            let mut close = vec![0x88, 9];
            close.extend_from_slice(&1009u16.to_be_bytes());
            close.extend_from_slice(b"too big");
            stream.write_all(&close).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            // Dropped with unread data: a reset.
        });
        let url = Url::parse(&format!("http://{addr}/ws")).unwrap();
        let mut conn = upgraded(&url).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        let big = vec![b'a'; 16 * 1024 * 1024];
        let sent = conn.send(TEXT, &big, deadline).await;
        assert!(matches!(sent, Sent::PeerEnded { .. }), "{sent:?}");
        match conn.next_event(deadline).await {
            Event::Close(payload) => assert_eq!(&payload[..2], &1009u16.to_be_bytes()),
            other => panic!("{other:?}"),
        }
    }

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
