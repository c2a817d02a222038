//! Variants of a valid WebSocket sample message (`--ws-message`): the
//! messages with one thing wrong that find handlers which trust their
//! input: the list of [`super::jsonvariants`] (`null`, `{}`, a field of the
//! wrong type, a field removed, an unknown field) on every leaf, and two of
//! the WebSocket's own (a quote in a string field, one oversized value).

use serde_json::Value;

use super::jsonvariants::{self, at_mut, path_name, Step};
use super::ws::OVERSIZED;

/// Most variants of one sample message sent.
pub(crate) const MAX_VARIANTS: usize = 24;
/// Most fields of a sample message varied.
const MAX_FIELDS: usize = 12;
/// The text put in each string field of a sample: a quote, a backslash and
/// a path, what a handler that builds SQL, shell or file names trips on.
pub(crate) const QUOTED: &str = "wirefault's \"probe\" \\ ../../etc/passwd";

/// One variant: what is wrong in it, and the message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    /// What was changed, e.g. "the field `symbol` removed".
    pub(crate) description: String,
    /// The JSON text to send.
    pub(crate) text: String,
}

/// The leaves of a document (strings, numbers, booleans), depth first, at
/// most [`MAX_FIELDS`], with their paths.
fn leaves(value: &Value) -> Vec<(Vec<Step>, Value)> {
    fn walk(value: &Value, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Value)>) {
        if out.len() >= MAX_FIELDS || path.len() > 4 {
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    path.push(Step::Field(key.clone()));
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate().take(4) {
                    path.push(Step::Item(i));
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Null => {}
            leaf => out.push((path.clone(), leaf.clone())),
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// Variants of a valid sample, most telling first, at most
/// [`MAX_VARIANTS`], each as a description and the message text; also how
/// many were built before the cap.
pub(crate) fn variants(sample: &Value) -> (Vec<Variant>, usize) {
    let fields = leaves(sample);
    let mut built: Vec<(String, Value)> = Vec::new();
    for (path, leaf) in &fields {
        if leaf.is_string() {
            let mut copy = sample.clone();
            if let Some(slot) = at_mut(&mut copy, path) {
                *slot = Value::String(QUOTED.into());
            }
            built.push((
                format!(
                    "the field `{}` with a quote, a backslash and a path",
                    path_name(path)
                ),
                copy,
            ));
        }
    }
    let paths: Vec<Vec<Step>> = fields.iter().map(|(path, _)| path.clone()).collect();
    built.extend(
        jsonvariants::variants(sample, &paths)
            .into_iter()
            .map(|v| (v.description, v.value)),
    );
    built.retain(|(_, v)| v != sample);
    let big = Value::String("a".repeat(OVERSIZED));
    let oversized = match fields.iter().find(|(_, v)| v.is_string()) {
        Some((path, _)) => {
            let mut copy = sample.clone();
            if let Some(slot) = at_mut(&mut copy, path) {
                *slot = big;
            }
            Some((
                format!("the field `{}` of {OVERSIZED} bytes", path_name(path)),
                copy,
            ))
        }
        None => match sample {
            Value::Object(map) => {
                let mut copy = map.clone();
                copy.insert("wirefault_padding".into(), big);
                Some((format!("a field of {OVERSIZED} bytes"), Value::Object(copy)))
            }
            _ => None,
        },
    };
    // The oversized value goes before the cap can cut it.
    if let Some(oversized) = oversized {
        let at = built.len().min(MAX_VARIANTS - 1);
        built.insert(at, oversized);
    }
    let total = built.len();
    let variants = built
        .into_iter()
        .take(MAX_VARIANTS)
        .map(|(description, value)| Variant {
            description,
            text: value.to_string(),
        })
        .collect();
    (variants, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_of_a_sample() {
        let sample = serde_json::json!({"op": "quote", "symbol": "ACME", "qty": 3});
        let (messages, total) = variants(&sample);
        assert_eq!(total, messages.len());
        let texts: Vec<Value> = messages
            .iter()
            .map(|m| serde_json::from_str(&m.text).unwrap_or(Value::Null))
            .collect();
        assert!(texts.contains(&serde_json::json!({"op": "quote", "symbol": QUOTED, "qty": 3})));
        assert!(texts.contains(&serde_json::json!({"op": "quote", "qty": 3})));
        assert!(texts.contains(
            &serde_json::json!({"op": "quote", "symbol": "ACME", "qty": "wirefault-wrong-type"})
        ));
        assert!(texts.contains(&serde_json::json!({"op": "quote", "symbol": 12345, "qty": 3})));
        assert!(texts.contains(&serde_json::json!({})));
        assert!(texts.contains(&Value::Null));
        assert!(texts
            .iter()
            .any(|t| t.get(jsonvariants::UNKNOWN_FIELD).is_some()));
        assert!(messages
            .iter()
            .any(|m| m.text.len() > OVERSIZED && m.description.contains("bytes")));
        assert!(!texts.contains(&sample));
    }

    #[test]
    fn variants_are_capped() {
        let mut map = serde_json::Map::new();
        for i in 0..30 {
            map.insert(format!("f{i}"), Value::String("x".into()));
        }
        let (messages, total) = variants(&Value::Object(map));
        assert_eq!(messages.len(), MAX_VARIANTS);
        assert!(total > MAX_VARIANTS);
        assert!(messages.iter().any(|m| m.text.len() > OVERSIZED));
    }
}
