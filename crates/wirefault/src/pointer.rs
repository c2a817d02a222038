//! JSON pointers ([RFC 6901](https://www.rfc-editor.org/rfc/rfc6901)) to
//! the offending field of a request body.

use std::fmt;

/// A JSON pointer, built from unescaped reference tokens.
///
/// ```
/// use wirefault::Pointer;
/// let p = Pointer::root().key("a/b").key("m~n").index(2);
/// assert_eq!(p.as_str(), "/a~1b/m~0n/2");
/// assert_eq!(p.to_uri_fragment(), "#/a~1b/m~0n/2");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Pointer(String);

impl Pointer {
    /// The pointer to the whole document (`""`).
    pub fn root() -> Pointer {
        Pointer(String::new())
    }

    /// Appends an object member name, escaping `~` as `~0` and `/` as `~1`.
    pub fn key(mut self, name: &str) -> Pointer {
        self.0.push('/');
        for c in name.chars() {
            match c {
                '~' => self.0.push_str("~0"),
                '/' => self.0.push_str("~1"),
                c => self.0.push(c),
            }
        }
        self
    }

    /// Appends an array index.
    pub fn index(mut self, index: usize) -> Pointer {
        self.0.push('/');
        self.0.push_str(&index.to_string());
        self
    }

    /// Takes an already escaped pointer (`/title`, `/tags/0`) as it is.
    ///
    /// A string that does not start with `/` is taken as one member name.
    pub fn parse(pointer: &str) -> Pointer {
        if pointer.is_empty() || pointer.starts_with('/') {
            Pointer(pointer.to_owned())
        } else {
            Pointer::root().key(pointer)
        }
    }

    /// The pointer's JSON string form (`/a~1b`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URI fragment form (RFC 6901 §6), as RFC 9457's examples write
    /// pointers: `#` then the pointer, with characters a fragment cannot
    /// hold percent-encoded as UTF-8.
    pub fn to_uri_fragment(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + 1);
        out.push('#');
        for b in self.0.bytes() {
            let keep = b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'.'
                        | b'_'
                        | b'~'
                        | b'!'
                        | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                        | b':'
                        | b'@'
                        | b'/'
                        | b'?'
                );
            if keep {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&serde_path_to_error::Path> for Pointer {
    fn from(path: &serde_path_to_error::Path) -> Pointer {
        use serde_path_to_error::Segment;
        path.iter()
            .fold(Pointer::root(), |p, segment| match segment {
                Segment::Seq { index } => p.index(*index),
                Segment::Map { key } => p.key(key),
                Segment::Enum { variant } => p.key(variant),
                Segment::Unknown => p,
            })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tilde_before_slash() {
        // "~1" as a name must become "~01", not "/".
        assert_eq!(Pointer::root().key("~1").as_str(), "/~01");
        assert_eq!(Pointer::root().key("a/b").as_str(), "/a~1b");
        assert_eq!(Pointer::root().key("").as_str(), "/");
    }

    #[test]
    fn fragment_form_percent_encodes() {
        let p = Pointer::root().key("c%d").key("e^f").key("g h").key("é");
        assert_eq!(p.to_uri_fragment(), "#/c%25d/e%5Ef/g%20h/%C3%A9");
        assert_eq!(Pointer::root().to_uri_fragment(), "#");
    }

    #[test]
    fn parse_accepts_pointers_and_bare_names() {
        assert_eq!(Pointer::parse("/title").as_str(), "/title");
        assert_eq!(Pointer::parse("title").as_str(), "/title");
        assert_eq!(Pointer::parse("").as_str(), "");
    }
}
