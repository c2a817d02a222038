//! Server-Sent Events: a body read block by block.

use crate::STEP;

/// One SSE block: its `event`, its joined `data` lines, its comments.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Block {
    /// The `event:` field.
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: Option<String>,
    /// The comment lines (`: ...`).
    pub comments: Vec<String>,
}

/// Parses one block (the text between two blank lines) as the SSE spec
/// reads it: `field: value`, one space after the colon dropped.
pub fn parse_block(raw: &str) -> Block {
    let mut block = Block::default();
    for line in raw.lines().filter(|l| !l.is_empty()) {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "" => block.comments.push(value.to_owned()),
            "event" => block.event = Some(value.to_owned()),
            "data" => match &mut block.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => block.data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    block
}

/// Reads an SSE body block by block, each read bounded by [`STEP`].
#[derive(Debug)]
pub struct Reader {
    response: reqwest::Response,
    // Bytes, not text: a chunk may end inside a UTF-8 character.
    buffer: Vec<u8>,
}

impl Reader {
    /// Reads `response`, after asserting it is a 200 `text/event-stream`.
    pub fn new(response: reqwest::Response) -> Reader {
        assert_eq!(response.status(), 200, "status of {}", response.url());
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Reader {
            response,
            buffer: Vec::new(),
        }
    }

    /// Sends `request` (bounded by [`STEP`]) and reads its body.
    pub async fn open(request: reqwest::RequestBuilder) -> Reader {
        let response = tokio::time::timeout(STEP, request.send())
            .await
            .expect("the server answered in time")
            .expect("the request failed");
        Reader::new(response)
    }

    /// The response's headers.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        self.response.headers()
    }

    /// The next block, or `None` when the body ended.
    pub async fn next(&mut self) -> Option<Block> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let raw: Vec<u8> = self.buffer.drain(..end + 2).collect();
                return Some(parse_block(std::str::from_utf8(&raw).unwrap()));
            }
            let chunk = tokio::time::timeout(STEP, self.response.chunk())
                .await
                .expect("the server sent nothing in time")
                .expect("the body failed");
            match chunk {
                Some(bytes) => self.buffer.extend_from_slice(&bytes),
                None => {
                    let left = String::from_utf8_lossy(&self.buffer);
                    assert!(left.trim().is_empty(), "left over: {left:?}");
                    return None;
                }
            }
        }
    }

    /// The next block with an event or data (comments skipped; at most 100).
    pub async fn next_event(&mut self) -> Option<Block> {
        for _ in 0..100 {
            let block = self.next().await?;
            if block.event.is_some() || block.data.is_some() {
                return Some(block);
            }
        }
        panic!("only comments");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_join_data_lines_and_keep_comments() {
        let block = parse_block(": keep-alive\nevent: error\ndata: {\"a\":\ndata:1}\n\n");
        assert_eq!(block.event.as_deref(), Some("error"));
        assert_eq!(block.data.as_deref(), Some("{\"a\":\n1}"));
        assert_eq!(block.comments, ["keep-alive"]);
    }
}
