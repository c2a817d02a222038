//! Raw HTTP/1.1 over TCP: a request sent byte for byte as written, and one
//! response read back (its head, then its `Content-Length` body), for the
//! tests that must send what an HTTP client would refuse to (no `Host`, two
//! `Origin`s, oversized heads) or watch the connection itself.

use crate::STEP;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTP/1.1 response as read off the socket.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The head (status line and header lines), lower-cased.
    pub head: String,
    /// The header lines: names lower-cased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body, `Content-Length` bytes of it (lossily decoded).
    pub body: String,
}

impl RawResponse {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The length of the first whole response in `bytes` (its head and
/// `Content-Length` body; none means an empty body), if it is all there.
pub fn whole_response_len(bytes: &[u8]) -> Option<usize> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(Some(0), |v| v.trim().parse::<usize>().ok())?;
    let total = end + 4 + length;
    (bytes.len() >= total).then_some(total)
}

/// Reads one response from `stream`; `None` when the connection ends (or
/// fails) first. Each read waits at most [`STEP`].
pub async fn read_response(stream: &mut TcpStream) -> Option<RawResponse> {
    let mut buf = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some(total) = whole_response_len(&buf) {
            return Some(parse(&buf[..total]));
        }
        let n = tokio::time::timeout(STEP, stream.read(&mut chunk))
            .await
            .expect("a response in time")
            .ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Sends `request` as is on a new connection and reads one response.
pub async fn exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    read_response(&mut stream)
        .await
        .expect("a response before the connection ended")
}

fn parse(bytes: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").expect("a whole head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    RawResponse {
        status,
        head: head.to_ascii_lowercase(),
        headers,
        body: body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_whole_once_its_body_is_there() {
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        assert_eq!(whole_response_len(&response[..response.len() - 1]), None);
        assert_eq!(whole_response_len(response), Some(response.len()));
        let pipelined = [&response[..], b"HTTP/1.1"].concat();
        assert_eq!(whole_response_len(&pipelined), Some(response.len()));
        assert_eq!(
            whole_response_len(b"HTTP/1.1 204 No Content\r\n\r\n"),
            Some(27)
        );
        let parsed = parse(response);
        assert_eq!((parsed.status, parsed.body.as_str()), (200, "ok"));
        assert_eq!(parsed.header("content-length"), Some("2"));
    }
}
