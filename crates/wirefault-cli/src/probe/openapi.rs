//! Reads the endpoints of an OpenAPI 3 document (JSON) and their JSON bodies.

use std::path::Path;

use anyhow::Context as _;
use serde_json::Value;

/// Most operations read from one document: every probe is bounded.
pub(crate) const MAX_OPERATIONS: usize = 50;

/// One operation of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operation {
    /// Uppercase method.
    pub(crate) method: String,
    /// Path template, e.g. `/notes/{id}`.
    pub(crate) path: String,
    /// The `application/json` request body schema (`$ref` resolved), if any.
    pub(crate) body_schema: Option<Value>,
    /// The path of `servers[0].url` (e.g. `/api`), without a trailing `/`.
    pub(crate) prefix: String,
}

impl Operation {
    /// `true` when the path has no `{param}`.
    pub(crate) fn is_plain(&self) -> bool {
        !self.path.contains('{')
    }

    /// The path with each `{param}` replaced by `1`, after the servers' path prefix.
    pub(crate) fn concrete_path(&self) -> String {
        let mut out = self.prefix.clone();
        let mut in_param = false;
        for c in self.path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    out.push('1');
                }
                '}' => in_param = false,
                c if !in_param => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// Well-formed JSON that the schema refuses, when the schema says enough.
    pub(crate) fn invalid_body(&self) -> Option<String> {
        let schema = self.body_schema.as_ref()?;
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty());
        let ty = schema.get("type").and_then(Value::as_str);
        if required {
            Some("{}".to_owned())
        } else if ty == Some("object") || schema.get("properties").is_some() {
            Some("[]".to_owned())
        } else if ty == Some("array") {
            Some("{}".to_owned())
        } else {
            None
        }
    }
}

/// Reads a document from a file.
pub(crate) fn load(path: &Path) -> anyhow::Result<Vec<Operation>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the OpenAPI document {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not JSON (only JSON OpenAPI documents are read; convert YAML first)",
            path.display()
        )
    })?;
    parse(&doc).with_context(|| format!("{} is not an OpenAPI document", path.display()))
}

/// Reads the operations of a parsed document.
pub(crate) fn parse(doc: &Value) -> anyhow::Result<Vec<Operation>> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .context("no `paths` object")?;
    let prefix = server_prefix(doc);
    let mut ops = Vec::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let body_schema = op
                .pointer("/requestBody/content/application~1json/schema")
                .map(|schema| resolve(doc, schema));
            ops.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                body_schema,
                prefix: prefix.clone(),
            });
            if ops.len() >= MAX_OPERATIONS {
                return Ok(ops);
            }
        }
    }
    Ok(ops)
}

/// The path part of `servers[0].url`: `/api` for `/api/` or `https://x/api`.
fn server_prefix(doc: &Value) -> String {
    let Some(url) = doc.pointer("/servers/0/url").and_then(Value::as_str) else {
        return String::new();
    };
    let path = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("", |j| &url[i + 3 + j..]),
        None => url,
    };
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    if path.is_empty() || path.contains('{') {
        String::new()
    } else {
        format!("/{}", path.trim_start_matches('/'))
    }
}

/// Follows one local `$ref` (`#/components/schemas/X`).
fn resolve(doc: &Value, schema: &Value) -> Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) if reference.starts_with('#') => doc
            .pointer(&reference[1..])
            .cloned()
            .unwrap_or_else(|| schema.clone()),
        _ => schema.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reads_operations_and_bodies() {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "paths": {
                "/notes": {
                    "get": {},
                    "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/New"}}}}}
                },
                "/notes/{id}": {"delete": {}, "parameters": []}
            },
            "components": {"schemas": {"New": {"type": "object", "required": ["title"]}}}
        });
        let ops = parse(&doc).unwrap();
        assert_eq!(ops.len(), 3);
        let post = ops.iter().find(|o| o.method == "POST").unwrap();
        assert_eq!(post.invalid_body().as_deref(), Some("{}"));
        let delete = ops.iter().find(|o| o.method == "DELETE").unwrap();
        assert_eq!(delete.concrete_path(), "/notes/1");
        assert!(!delete.is_plain());
    }

    #[test]
    fn invalid_bodies_follow_the_schema() {
        let op = |schema: Value| Operation {
            method: "POST".into(),
            path: "/x".into(),
            body_schema: Some(schema),
            prefix: String::new(),
        };
        assert_eq!(
            op(serde_json::json!({"type": "object"}))
                .invalid_body()
                .as_deref(),
            Some("[]")
        );
        assert_eq!(
            op(serde_json::json!({"type": "array"}))
                .invalid_body()
                .as_deref(),
            Some("{}")
        );
        assert_eq!(
            op(serde_json::json!({"type": "string"})).invalid_body(),
            None
        );
    }

    #[test]
    fn servers_prefix_the_paths() {
        for (server, expected) in [
            ("/api/", "/api/x"),
            ("https://h.example/v1", "/v1/x"),
            ("https://h.example", "/x"),
            ("/", "/x"),
        ] {
            let doc =
                serde_json::json!({"servers": [{"url": server}], "paths": {"/x": {"get": {}}}});
            assert_eq!(
                parse(&doc).unwrap()[0].concrete_path(),
                expected,
                "{server}"
            );
        }
    }

    #[test]
    fn not_a_document() {
        assert!(parse(&serde_json::json!([1])).is_err());
    }
}
