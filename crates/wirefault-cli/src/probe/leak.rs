//! Does a text show server internals? Tracebacks, panic messages, source
//! paths with line numbers, file system paths, SQL and database errors.

/// Literal markers, matched case-sensitively.
const MARKERS: &[&str] = &[
    "Traceback (most recent call last)",
    "panicked at",
    "stack backtrace",
    "RUST_BACKTRACE",
    "called `Option::unwrap()`",
    "called `Result::unwrap()`",
    "File \"/",
    "\", line ",
    "at Object.<anonymous>",
    "node_modules/",
    "Exception in thread",
    "java.lang.",
    "site-packages/",
    "/home/",
    "/root/",
    "/usr/lib/",
    "/usr/local/lib/",
    "/var/www/",
    "C:\\",
    "SQLSTATE",
    "syntax error at or near",
    "You have an error in your SQL syntax",
    "sqlite3.",
    "SqliteError",
    "psycopg",
    "UNIQUE constraint failed",
    "unrecognized token: ",
    "no such table",
    "duplicate key value violates",
    "error returned from database",
    "SELECT * FROM",
    "INSERT INTO ",
];

/// Source extensions recognised in `file.ext:LINE`.
const SOURCE_EXTS: &[&str] = &[
    ".rs:", ".py:", ".go:", ".js:", ".ts:", ".java:", ".rb:", ".php:", ".cs:",
];

/// The first marker of internals found in `text`, if any.
pub(crate) fn find(text: &str) -> Option<String> {
    if let Some(marker) = MARKERS.iter().find(|m| text.contains(*m)) {
        return Some((*marker).to_owned());
    }
    // SQLite: `near "x": syntax error`.
    if let Some(at) = text.find("\": syntax error") {
        if text[..at].contains("near \"") {
            return Some("an SQLite syntax error (`near \"…\": syntax error`)".to_owned());
        }
    }
    for ext in SOURCE_EXTS {
        let mut rest = text;
        while let Some(i) = rest.find(ext) {
            let after = &rest[i + ext.len()..];
            if after.starts_with(|c: char| c.is_ascii_digit()) {
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                return Some(format!("a source location (`{ext}{digits}`)"));
            }
            rest = after;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_common_internals() {
        for text in [
            "Traceback (most recent call last):\n  File \"/app/main.py\", line 3",
            "thread 'tokio-runtime-worker' panicked at src/main.rs:10:5:",
            "error at src/db.rs:42",
            "Error: boom\n    at Object.<anonymous> (/srv/app.js:3:9)",
            "ERROR: syntax error at or near \"FROM\" SQLSTATE 42601",
            "UNIQUE constraint failed: notes.title",
            "query failed: near \"s\": syntax error",
            "open /home/alice/secrets.txt: no such file",
        ] {
            assert!(find(text).is_some(), "{text}");
        }
    }

    #[test]
    fn ordinary_errors_are_not_leaks() {
        for text in [
            r#"{"type":"about:blank","title":"Internal Server Error","status":500,"instance":"/notes/1"}"#,
            "Service Unavailable",
            r#"{"title":"Bad Gateway","status":502,"request_id":"a.rs:x"}"#,
            "",
            "malformed JSON: syntax error at position 3",
        ] {
            assert_eq!(find(text), None, "{text}");
        }
    }
}
