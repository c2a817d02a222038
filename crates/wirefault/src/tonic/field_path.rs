//! JSON pointers (`#/a/b/0`) to gRPC field paths (`a.b[0]`), and back.

use crate::Pointer;

/// The gRPC field path (`BadRequest.FieldViolation.field`) for a field
/// error's JSON pointer.
///
/// Takes a pointer in URI fragment form (`#/a/b`, as [`FieldError`]
/// holds it) or plain form (`/a/b`), and writes each reference token as
/// [google/rpc/error_details.proto] describes field paths:
/// - a member name that is a proto identifier (`[A-Za-z_][A-Za-z0-9_]*`)
///   becomes a dot-separated segment: `#/author/name` → `author.name`;
/// - an array index (digits, no leading zero) becomes a 0-based subscript:
///   `#/tags/0` → `tags[0]`;
/// - any other member name (a map key with a dot, a space, a slash) becomes
///   a quoted subscript, JSON string syntax: `#/labels/a.b` →
///   `labels["a.b"]`;
/// - the whole document (`#` or `""`) is the empty path.
///
/// `~0`/`~1` escapes and the fragment's percent-encoding are undone first;
/// a token that is not valid UTF-8 after decoding is kept as written.
///
/// ```
/// use wirefault::tonic::field_path;
/// assert_eq!(field_path("#/title"), "title");
/// assert_eq!(field_path("#/author/emails/1/address"), "author.emails[1].address");
/// assert_eq!(field_path("#/labels/a~1b"), r#"labels["a/b"]"#);
/// ```
///
/// [`FieldError`]: crate::FieldError
/// [google/rpc/error_details.proto]: https://github.com/googleapis/googleapis/blob/master/google/rpc/error_details.proto
pub fn field_path(pointer: &str) -> String {
    let pointer = pointer.strip_prefix('#').map_or_else(
        || pointer.to_owned(),
        |fragment| percent_decode(fragment).unwrap_or_else(|| fragment.to_owned()),
    );
    let mut out = String::new();
    if pointer.is_empty() {
        return out;
    }
    // A pointer that does not start with `/` is not RFC 6901; take it as
    // one member name, as `Pointer::parse` does.
    let body = pointer.strip_prefix('/').unwrap_or(&pointer);
    for token in body.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        if is_index(&token) {
            out.push('[');
            out.push_str(&token);
            out.push(']');
        } else if is_identifier(&token) {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push('[');
            out.push_str(&quote(&token));
            out.push(']');
        }
    }
    out
}

/// The JSON pointer for a gRPC field path: the inverse of [`field_path`]
/// for the paths it writes (`a.b[0]["k.x"]` → `/a/b/0/k.x`).
///
/// An unterminated subscript or quote is taken literally to the end, so
/// any string a peer sends gives some pointer, never an error.
///
/// ```
/// use wirefault::tonic::pointer_from_field_path;
/// assert_eq!(pointer_from_field_path("author.emails[1].address").as_str(), "/author/emails/1/address");
/// ```
pub fn pointer_from_field_path(path: &str) -> Pointer {
    let mut pointer = Pointer::root();
    let mut chars = path.chars().peekable();
    let mut name = String::new();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !name.is_empty() {
                    pointer = pointer.key(&std::mem::take(&mut name));
                }
            }
            '[' => {
                if !name.is_empty() {
                    pointer = pointer.key(&std::mem::take(&mut name));
                }
                if chars.peek() == Some(&'"') {
                    // A quoted key: read a JSON string up to its closing quote.
                    let mut raw = String::from('"');
                    chars.next();
                    let mut escaped = false;
                    for c in chars.by_ref() {
                        raw.push(c);
                        if escaped {
                            escaped = false;
                        } else if c == '\\' {
                            escaped = true;
                        } else if c == '"' {
                            break;
                        }
                    }
                    let key = serde_json::from_str::<String>(&raw)
                        .unwrap_or_else(|_| raw.trim_matches('"').to_owned());
                    pointer = pointer.key(&key);
                    if chars.peek() == Some(&']') {
                        chars.next();
                    }
                } else {
                    let mut index = String::new();
                    for c in chars.by_ref() {
                        if c == ']' {
                            break;
                        }
                        index.push(c);
                    }
                    pointer = pointer.key(&index);
                }
            }
            c => name.push(c),
        }
    }
    if !name.is_empty() {
        pointer = pointer.key(&name);
    }
    pointer
}

fn is_index(token: &str) -> bool {
    !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'))
}

fn is_identifier(token: &str) -> bool {
    let mut bytes = token.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn quote(token: &str) -> String {
    // Serializing a string cannot fail.
    serde_json::to_string(token).unwrap_or_else(|_| format!("\"{token}\""))
}

/// Undoes `%XX` escapes; `None` when an escape is malformed or the result
/// is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_become_field_paths() {
        let cases = [
            ("#", ""),
            ("", ""),
            ("#/title", "title"),
            ("/title", "title"),
            ("#/a/b", "a.b"),
            ("#/tags/0", "tags[0]"),
            ("#/tags/01", "tags[\"01\"]"),
            ("#/items/3/name", "items[3].name"),
            ("#/0", "[0]"),
            ("#/a~1b", "[\"a/b\"]"),
            ("#/m~0n", "[\"m~n\"]"),
            ("#/labels/a.b", "labels[\"a.b\"]"),
            ("#/x%20y", "[\"x y\"]"),
            ("#/%C3%A9t%C3%A9", "[\"été\"]"),
            ("#/bad%zz", "[\"bad%zz\"]"),
            ("title", "title"),
        ];
        for (pointer, path) in cases {
            assert_eq!(field_path(pointer), path, "{pointer}");
        }
    }

    #[test]
    fn field_paths_become_pointers() {
        for (pointer, path) in [
            ("", ""),
            ("/title", "title"),
            ("/a/b", "a.b"),
            ("/tags/0", "tags[0]"),
            ("/items/3/name", "items[3].name"),
            ("/a~1b", "[\"a/b\"]"),
            ("/labels/a.b/c", "labels[\"a.b\"].c"),
            ("/q/x\"y", r#"q["x\"y"]"#),
        ] {
            assert_eq!(pointer_from_field_path(path).as_str(), pointer, "{path}");
        }
    }

    #[test]
    fn every_pointer_round_trips() {
        let pointers = [
            Pointer::root().key("title"),
            Pointer::root().key("a").index(0).key("b c"),
            Pointer::root().key("x/y").key("~").index(12),
            Pointer::root().key("été").key("k.v"),
        ];
        for p in pointers {
            let path = field_path(&p.to_uri_fragment());
            assert_eq!(pointer_from_field_path(&path), p, "{path}");
        }
    }

    #[test]
    fn malformed_paths_give_some_pointer() {
        for path in ["[", "[\"", "a[\"b", "a[1", "]]", "..", "a..b"] {
            let _ = pointer_from_field_path(path);
        }
        assert_eq!(pointer_from_field_path("a..b").as_str(), "/a/b");
    }
}
