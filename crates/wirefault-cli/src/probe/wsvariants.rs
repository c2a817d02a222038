//! Variants of a valid WebSocket sample message (`--ws-message`): the
//! messages with one thing wrong that find handlers which trust their
//! input (a quote in a string field, a field missing, a number where a
//! string was, `null`, an unknown field, one oversized value).

use serde_json::Value;

use super::ws::OVERSIZED;

/// Most variants of one sample message sent.
pub(crate) const MAX_VARIANTS: usize = 24;
/// Most fields of a sample message varied.
const MAX_FIELDS: usize = 12;
/// The text put in each string field of a sample: a quote, a backslash and
/// a path, what a handler that builds SQL, shell or file names trips on.
pub(crate) const QUOTED: &str = "wirefault's \"probe\" \\ ../../etc/passwd";
/// The field added to a sample object.
const UNKNOWN_FIELD: &str = "wirefault_unknown";

/// One variant: what is wrong in it, and the message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Variant {
    /// What was changed, e.g. "`symbol` removed".
    pub(crate) description: String,
    /// The JSON text to send.
    pub(crate) text: String,
}

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Item(usize),
}

fn path_name(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(name) if out.is_empty() => out.push_str(name),
            Step::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Item(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn at_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut here = value;
    for step in path {
        here = match step {
            Step::Field(name) => here.get_mut(name.as_str())?,
            Step::Item(i) => here.get_mut(*i)?,
        };
    }
    Some(here)
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
    let mut built: Vec<(String, Value)> = Vec::new();
    let fields = leaves(sample);
    for (path, leaf) in &fields {
        let name = path_name(path);
        let mut with = |description: String, new: Option<Value>| {
            let mut copy = sample.clone();
            match new {
                Some(new) => {
                    if let Some(slot) = at_mut(&mut copy, path) {
                        *slot = new;
                    }
                }
                None => {
                    let (last, parent) = match path.split_last() {
                        Some(split) => split,
                        None => return,
                    };
                    match (at_mut(&mut copy, parent), last) {
                        (Some(Value::Object(map)), Step::Field(key)) => {
                            map.remove(key);
                        }
                        _ => return,
                    }
                }
            }
            built.push((description, copy));
        };
        match leaf {
            Value::String(_) => {
                with(
                    format!("`{name}` with a quote, a backslash and a path"),
                    Some(Value::String(QUOTED.into())),
                );
                with(format!("`{name}` removed"), None);
                with(format!("`{name}` as a number"), Some(Value::from(1)));
            }
            Value::Number(n) => {
                with(format!("`{name}` removed"), None);
                with(
                    format!("`{name}` as a string"),
                    Some(Value::String(n.to_string())),
                );
            }
            _ => with(format!("`{name}` removed"), None),
        }
    }
    built.retain(|(_, v)| v != sample);
    built.push(("null".into(), Value::Null));
    if let Value::Object(map) = sample {
        let mut copy = map.clone();
        copy.insert(UNKNOWN_FIELD.into(), Value::Bool(true));
        built.push((
            format!("an unknown field `{UNKNOWN_FIELD}`"),
            Value::Object(copy),
        ));
    }
    let big = Value::String("a".repeat(OVERSIZED));
    let oversized = match fields.iter().find(|(_, v)| v.is_string()) {
        Some((path, _)) => {
            let mut copy = sample.clone();
            if let Some(slot) = at_mut(&mut copy, path) {
                *slot = big;
            }
            Some((format!("`{}` of {OVERSIZED} bytes", path_name(path)), copy))
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
        assert!(texts.contains(&serde_json::json!({"op": "quote", "symbol": "ACME", "qty": "3"})));
        assert!(texts.contains(&serde_json::json!({"op": "quote", "symbol": 1, "qty": 3})));
        assert!(texts.contains(&Value::Null));
        assert!(texts.iter().any(|t| t.get(UNKNOWN_FIELD).is_some()));
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
