//! The responses an OpenAPI document declares for each operation: the
//! service's written promise of what each status carries.

use serde_json::Value;

/// One declared response of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Declared {
    /// Uppercase method.
    pub(crate) method: String,
    /// Path template with the servers' prefix, e.g. `/api/items/{id}`.
    pub(crate) path: String,
    /// The status key as written: `404`, `4XX` or `default`.
    pub(crate) status: String,
    /// The media types of its content (empty: no body declared).
    pub(crate) media: Vec<String>,
}

impl Declared {
    /// `true` when this entry speaks for `status` (`4XX` for 404, and
    /// `default` for any error).
    pub(crate) fn covers(&self, status: u16) -> bool {
        let key = self.status.to_ascii_uppercase();
        key == status.to_string()
            || (key.len() == 3
                && key.ends_with("XX")
                && key.starts_with(&(status / 100).to_string()))
    }

    /// `true` when the declared content is JSON.
    pub(crate) fn has_json(&self) -> bool {
        self.media.iter().any(|m| {
            let essence = m
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            super::shape::is_json_media(&essence)
        })
    }
}

/// The declared responses of one operation object.
pub(crate) fn of(doc: &Value, method: &str, path: &str, op: &Value) -> Vec<Declared> {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return Vec::new();
    };
    responses
        .iter()
        .map(|(status, response)| {
            let response = resolve(doc, response);
            let media = response
                .get("content")
                .and_then(Value::as_object)
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            Declared {
                method: method.to_ascii_uppercase(),
                path: path.to_owned(),
                status: status.clone(),
                media,
            }
        })
        .collect()
}

/// A local `$ref` (`#/components/responses/NotFound`) followed once.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) if pointer.starts_with('#') => doc.pointer(&pointer[1..]).unwrap_or(value),
        _ => value,
    }
}

/// `true` when a concrete path (`/api/items/7`) fits a template
/// (`/api/items/{id}`): segment by segment, a `{...}` segment fits any.
pub(crate) fn fits(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// The declared response for `status` of the operation at `method` and
/// `path`: the exact status first, then `4XX`, then `default`.
pub(crate) fn find<'a>(
    declared: &'a [Declared],
    method: &str,
    path: &str,
    status: u16,
) -> Option<&'a Declared> {
    let ops: Vec<&Declared> = declared
        .iter()
        .filter(|d| d.method.eq_ignore_ascii_case(method) && fits(&d.path, path))
        .collect();
    let exact = ops.iter().find(|d| d.status == status.to_string());
    let range = ops.iter().find(|d| d.status.len() == 3 && d.covers(status));
    let default = ops
        .iter()
        .find(|d| d.status.eq_ignore_ascii_case("default") && status >= 400);
    exact.or(range).or(default).copied()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_finds_declared_responses() {
        let doc = json!({
            "components": {"responses": {"NotFound": {
                "description": "x", "content": {"application/problem+json": {}}}}},
        });
        let op = json!({"responses": {
            "200": {"description": "ok", "content": {"application/json": {}}},
            "404": {"$ref": "#/components/responses/NotFound"},
            "4XX": {"description": "client error"},
        }});
        let declared = of(&doc, "get", "/items/{id}", &op);
        assert_eq!(declared.len(), 3);
        let found = find(&declared, "GET", "/items/7", 404).unwrap();
        assert!(found.has_json());
        let range = find(&declared, "GET", "/items/7", 422).unwrap();
        assert_eq!(range.status, "4XX");
        assert!(!range.has_json());
        assert!(find(&declared, "POST", "/items/7", 404).is_none());
        assert!(find(&declared, "GET", "/items/7/x", 404).is_none());
    }

    #[test]
    fn templates_fit_concrete_paths() {
        assert!(fits("/api/items/{id}", "/api/items/7"));
        assert!(fits("/", "/"));
        assert!(!fits("/api/items/{id}", "/api/users/7"));
    }
}
