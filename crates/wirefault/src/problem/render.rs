//! The problem+json document of a [`PublicFault`], written by hand.
//!
//! Every 4xx and 5xx the layer rewrites takes this path. Through serde's
//! map serializer, serde_json escapes each key and each string byte by
//! byte, with three buffer writes per string, and the buffer grows twice:
//! about 3,000 instructions of a 404's 21,600 (BENCHMARKS.md). Here the
//! keys are constants, a string with nothing to escape is copied whole,
//! and serde_json still writes every string that needs escaping and every
//! value it alone knows the shape of (the field errors, the extensions).
//! `tests::matches_serde` holds the two writers to the same document.

use super::RESERVED;
use crate::public::PublicFault;

/// The document for `public`, in the member order of [`super::Problem`].
pub(super) fn render(public: &PublicFault<'_>) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(r#"{"type":"#);
    push_str(&mut out, public.type_uri());
    out.push_str(r#","title":"#);
    push_str(&mut out, public.title());
    out.push_str(r#","status":"#);
    out.push_str(public.status().as_str());
    if let Some(detail) = public.detail() {
        out.push_str(r#","detail":"#);
        push_str(&mut out, detail);
    }
    if let Some(instance) = public.instance() {
        out.push_str(r#","instance":"#);
        push_str(&mut out, instance);
    }
    let errors = public.errors();
    if !errors.is_empty() {
        out.push_str(r#","errors":"#);
        push_json(&mut out, &errors);
    }
    for (key, value) in public.extensions() {
        if !RESERVED.contains(&key.as_str()) {
            out.push(',');
            push_str(&mut out, key);
            out.push(':');
            push_json(&mut out, value);
        }
    }
    if let Some(id) = public.request_id() {
        out.push_str(r#","request_id":"#);
        push_str(&mut out, id);
    }
    out.push('}');
    out
}

/// Appends `value` as a JSON string. JSON requires escaping only `"`,
/// `\` and control characters below U+0020, which is all serde_json
/// escapes; a string with none of them is its own JSON text once quoted.
fn push_str(out: &mut String, value: &str) {
    // No early exit, so the compiler can check many bytes at once.
    let plain = value.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20 && b != b'"' && b != b'\\')
    });
    if plain {
        out.push('"');
        out.push_str(value);
        out.push('"');
    } else {
        push_json(out, value);
    }
}

/// Appends serde_json's text for `value`.
fn push_json<T: serde::Serialize + ?Sized>(out: &mut String, value: &T) {
    match serde_json::to_string(value) {
        Ok(json) => out.push_str(&json),
        // Strings, field errors and JSON values always serialize.
        Err(_) => out.push_str("null"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Fault;

    /// What serde's map serializer writes for the same view, member by
    /// member and byte by byte.
    fn serde_document(public: &PublicFault<'_>) -> String {
        let mut map = serde_json::Map::new();
        map.insert("type".into(), public.type_uri().into());
        map.insert("title".into(), public.title().into());
        map.insert("status".into(), public.status().as_u16().into());
        if let Some(detail) = public.detail() {
            map.insert("detail".into(), detail.into());
        }
        if let Some(instance) = public.instance() {
            map.insert("instance".into(), instance.into());
        }
        if !public.errors().is_empty() {
            map.insert(
                "errors".into(),
                serde_json::to_value(public.errors()).unwrap(),
            );
        }
        for (key, value) in public.extensions() {
            if !RESERVED.contains(&key.as_str()) {
                map.insert(key.clone(), value.clone());
            }
        }
        if let Some(id) = public.request_id() {
            map.insert("request_id".into(), id.into());
        }
        serde_json::to_string(&map).unwrap()
    }

    #[test]
    fn matches_serde() {
        let awkward = "quote \" backslash \\ newline \n tab \t nul \0 del \u{7f} é 😀 </script>";
        let faults = [
            Fault::new(crate::Kind::NotFound),
            Fault::not_found("no resource at /no/such/path"),
            Fault::bad_request(awkward),
            Fault::unprocessable()
                .field("/title", awkward)
                .field("/a~1b", "bad")
                .extension("hint", awkward)
                .extension("n", 3)
                .extension("status", 999)
                .type_uri("https://example.com/probs/\"x\"")
                .instance("urn:x:\u{1}"),
            Fault::internal().detail("secret \" detail"),
            Fault::rate_limited(std::time::Duration::from_secs(3)),
        ];
        for fault in &faults {
            for id in [None, Some("r-1"), Some("a\"b")] {
                let public = PublicFault::new(fault, id);
                let ours = render(&public);
                // serde_json::Map sorts its keys: compare as values, then the
                // bytes of each member.
                let theirs: serde_json::Value =
                    serde_json::from_str(&serde_document(&public)).unwrap();
                let parsed: serde_json::Value = serde_json::from_str(&ours).unwrap();
                assert_eq!(parsed, theirs, "{ours}");
                // Containers are serde_json's own text; scalars are ours.
                let scalars = theirs
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(_, value)| !value.is_object() && !value.is_array());
                for (key, value) in scalars {
                    let member = format!("{}:{}", serde_json::to_string(key).unwrap(), value);
                    assert!(ours.contains(&member), "{member} in {ours}");
                }
            }
        }
    }

    #[test]
    fn control_characters_and_quotes_are_escaped() {
        let mut out = String::new();
        push_str(&mut out, "a\"b\\c\nd\u{1f}e");
        assert_eq!(out, r#""a\"b\\c\nd\u001fe""#);
        let mut out = String::new();
        push_str(&mut out, "plain é /");
        assert_eq!(out, r#""plain é /""#);
    }
}
