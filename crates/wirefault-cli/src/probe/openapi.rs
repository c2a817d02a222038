//! Reads the endpoints of an OpenAPI 3.0 or 3.1 document (JSON or YAML):
//! operations, their path and query parameters, and their JSON bodies, with
//! local `$ref`s followed (schemas, parameters, request bodies, examples).
//!
//! The document is only read, never trusted: every walk is bounded in depth
//! and count, and anything malformed is skipped rather than refused.

use serde_json::{Map, Value};

/// Most operations read from one document: every probe is bounded.
pub(crate) const MAX_OPERATIONS: usize = 50;
/// Deepest chain of `$ref`s or nested schemas followed.
const MAX_DEPTH: usize = 8;
/// Where a document is looked for on the target when `--openapi` is not given,
/// in this order.
pub(crate) const DISCOVERY_PATHS: &[&str] = &[
    "/openapi.json",
    "/openapi.yaml",
    "/swagger.json",
    "/v3/api-docs",
    "/api-docs",
];

/// The operations of one document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Document {
    /// The operations read, at most [`MAX_OPERATIONS`].
    pub(crate) ops: Vec<Operation>,
    /// How many operations the document has in all.
    pub(crate) total: usize,
    /// The responses each operation read declares.
    pub(crate) responses: Vec<crate::model::declared::Declared>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// A query string field.
    Query,
}

/// One path or query parameter, `$ref`s resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Param {
    /// Its name.
    pub(crate) name: String,
    /// Path or query.
    pub(crate) location: Location,
    /// Required (path parameters always are).
    pub(crate) required: bool,
    /// Its schema (empty object when none).
    pub(crate) schema: Value,
    /// A value the document gives: `example`, `examples`, `enum`, `default`.
    pub(crate) example: Option<Value>,
}

impl Param {
    /// A parameter known only by its `{name}` in a path (`--path`).
    pub(crate) fn untyped(name: &str) -> Param {
        Param {
            name: name.to_owned(),
            location: Location::Path,
            required: true,
            schema: Value::Object(Map::new()),
            example: None,
        }
    }

    /// The schema's type (the first non-null one of a 3.1 type list).
    pub(crate) fn ty(&self) -> Option<&str> {
        schema_type(&self.schema)
    }

    /// `true` when the schema limits the values to a list.
    pub(crate) fn is_enum(&self) -> bool {
        self.schema.get("enum").is_some()
    }

    /// A value that surely names nothing, of the parameter's type: the
    /// largest int32, a UUID of zeros, or `wirefault-missing`.
    pub(crate) fn missing_value(&self) -> String {
        match (self.ty(), self.schema.get("format").and_then(Value::as_str)) {
            (Some("integer" | "number"), _) => i32::MAX.to_string(),
            (_, Some("uuid")) => "00000000-0000-0000-0000-000000000000".to_owned(),
            _ => "wirefault-missing".to_owned(),
        }
    }

    /// The values the missing-resource probe tries: [`Param::missing_value`],
    /// and for a parameter of unknown type (a `{id}` in `--path`) both a
    /// number and text, since its route may take either.
    pub(crate) fn missing_values(&self) -> Vec<String> {
        if self.ty().is_none() && self.schema.get("format").is_none() && !self.is_enum() {
            vec![i32::MAX.to_string(), self.missing_value()]
        } else {
            vec![self.missing_value()]
        }
    }

    /// A value of the wrong type, when the type makes one: text where a
    /// number, boolean or UUID is expected.
    pub(crate) fn wrong_type_value(&self) -> Option<&'static str> {
        let uuid = self.schema.get("format").and_then(Value::as_str) == Some("uuid");
        (matches!(self.ty(), Some("integer" | "number" | "boolean")) || uuid)
            .then_some("wirefault-not-a-number")
    }

    /// The value sent when this parameter is not the one probed: the
    /// document's own example, else one that names nothing.
    pub(crate) fn fill(&self) -> String {
        match &self.example {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => self.missing_value(),
            Some(other) => other.to_string(),
        }
    }
}

/// One operation of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operation {
    /// Uppercase method.
    pub(crate) method: String,
    /// Path template, e.g. `/notes/{id}`.
    pub(crate) path: String,
    /// The `application/json` request body schema (`$ref`s resolved), if any.
    pub(crate) body_schema: Option<Value>,
    /// A valid request body the document gives as an example, if any.
    pub(crate) body_example: Option<Value>,
    /// Path and query parameters (path item's and operation's).
    pub(crate) params: Vec<Param>,
    /// The path of `servers[0].url` (e.g. `/api`), without a trailing `/`.
    pub(crate) prefix: String,
    /// The credentials the document says it needs (`None`: anyone may call it).
    pub(crate) security: super::security::Requirement,
}

impl Operation {
    /// The path with every parameter filled ([`Param::fill`]), after the
    /// servers' path prefix, with the required query parameters.
    pub(crate) fn concrete_path(&self) -> String {
        self.path_with(&|p: &Param| p.fill())
    }

    /// The path with `value` choosing each path parameter's text and each
    /// required query parameter's, after the servers' prefix.
    pub(crate) fn path_with(&self, value: &dyn Fn(&Param) -> String) -> String {
        let mut out = self.prefix.clone();
        out.push_str(&fill_template(&self.path, &|name| {
            let param = self
                .params
                .iter()
                .find(|p| p.location == Location::Path && p.name == name)
                .cloned()
                .unwrap_or_else(|| Param::untyped(name));
            value(&param)
        }));
        let query: Vec<String> = self
            .params
            .iter()
            .filter(|p| p.location == Location::Query && p.required)
            .map(|p| format!("{}={}", encode(&p.name), encode(&value(p))))
            .collect();
        if !query.is_empty() {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&query.join("&"));
        }
        out
    }

    /// The path parameters of the template, typed where the document says.
    pub(crate) fn path_params(&self) -> Vec<Param> {
        template_names(&self.path)
            .into_iter()
            .map(|name| {
                self.params
                    .iter()
                    .find(|p| p.location == Location::Path && p.name == name)
                    .cloned()
                    .unwrap_or_else(|| Param::untyped(&name))
            })
            .collect()
    }

    /// Well-formed JSON that the schema refuses, when the schema says enough.
    pub(crate) fn invalid_body(&self) -> Option<String> {
        let schema = self.body_schema.as_ref()?;
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty());
        let ty = schema_type(schema);
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

/// Replaces each `{name}` of a template with `value(name)` (percent-encoded).
pub(crate) fn fill_template(template: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        out.push_str(&encode(&value(&rest[open + 1..open + close])));
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The `{name}`s of a template, in order.
pub(crate) fn template_names(template: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    names
}

/// Percent-encodes a path segment or query value (unreserved characters kept).
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Parses document text: JSON, else YAML.
pub(crate) fn parse_text(text: &str) -> anyhow::Result<Document> {
    parse(&read_value(text)?)
}

/// Document text as a value: JSON, else YAML.
pub(crate) fn read_value(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).or_else(|json_error| {
        serde_norway::from_str(text).map_err(|yaml_error| {
            anyhow::anyhow!("neither JSON ({json_error}) nor YAML ({yaml_error})")
        })
    })
}

/// `true` when a parsed value looks like an OpenAPI (or Swagger) document.
pub(crate) fn looks_like_document(doc: &Value) -> bool {
    (doc.get("openapi").is_some() || doc.get("swagger").is_some())
        && doc.get("paths").is_some_and(Value::is_object)
}

/// Reads the operations of a parsed document.
pub(crate) fn parse(doc: &Value) -> anyhow::Result<Document> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow::anyhow!("no `paths` object"))?;
    let prefix = server_prefix(doc);
    let mut out = Document::default();
    for (path, item) in paths {
        let item = resolve(doc, item);
        let Some(item) = item.as_object() else {
            continue;
        };
        let shared = params_of(doc, item.get("parameters"));
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            out.total += 1;
            if out.ops.len() >= MAX_OPERATIONS {
                continue;
            }
            let mut params = shared.clone();
            for own in params_of(doc, op.get("parameters")) {
                params.retain(|p| !(p.name == own.name && p.location == own.location));
                params.push(own);
            }
            let (body_schema, body_example) = request_body(doc, op);
            let full_path = format!("{prefix}{path}");
            out.responses
                .extend(crate::model::declared::of(doc, method, &full_path, op));
            out.ops.push(Operation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                body_schema,
                body_example,
                params,
                prefix: prefix.clone(),
                security: super::security::requirement(doc, op),
            });
        }
    }
    Ok(out)
}

/// The `application/json` body schema and example of an operation.
fn request_body(doc: &Value, op: &Value) -> (Option<Value>, Option<Value>) {
    let Some(body) = op.get("requestBody").map(|b| resolve(doc, b)) else {
        return (None, None);
    };
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return (None, None);
    };
    let media = content
        .iter()
        .find(|(k, _)| {
            let essence = k.split(';').next().unwrap_or("").trim();
            essence == "application/json" || essence.ends_with("+json")
        })
        .map(|(_, v)| v);
    let Some(media) = media else {
        return (None, None);
    };
    let schema = media.get("schema").map(|s| inline(doc, s, 0));
    let example = media
        .get("example")
        .cloned()
        .or_else(|| first_example(doc, media.get("examples")))
        .or_else(|| schema.as_ref().and_then(schema_example));
    (schema, example)
}

/// The parameters of a `parameters` list (path and query only).
fn params_of(doc: &Value, list: Option<&Value>) -> Vec<Param> {
    let Some(list) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|raw| {
            let p = resolve(doc, raw);
            let name = p.get("name")?.as_str()?.to_owned();
            let location = match p.get("in")?.as_str()? {
                "path" => Location::Path,
                "query" => Location::Query,
                _ => return None,
            };
            let schema = p
                .get("schema")
                .map(|s| inline(doc, s, 0))
                .unwrap_or_else(|| Value::Object(Map::new()));
            let example = p
                .get("example")
                .cloned()
                .or_else(|| first_example(doc, p.get("examples")))
                .or_else(|| schema_example(&schema));
            Some(Param {
                required: location == Location::Path
                    || p.get("required").and_then(Value::as_bool) == Some(true),
                name,
                location,
                schema,
                example,
            })
        })
        .collect()
}

/// The first `value` of an `examples` map (`$ref`s to examples followed).
fn first_example(doc: &Value, examples: Option<&Value>) -> Option<Value> {
    examples?
        .as_object()?
        .values()
        .find_map(|e| resolve(doc, e).get("value").cloned())
}

/// A value a schema itself gives: `example`, `examples[0]` (3.1), the first
/// `enum` value, or `default`.
fn schema_example(schema: &Value) -> Option<Value> {
    schema
        .get("example")
        .cloned()
        .or_else(|| {
            schema
                .get("examples")
                .and_then(Value::as_array)
                .and_then(|a| a.first().cloned())
        })
        .or_else(|| {
            schema
                .get("enum")
                .and_then(Value::as_array)
                .and_then(|a| a.first().cloned())
        })
        .or_else(|| schema.get("default").cloned())
}

/// A schema's type: `type` as a string, or the first non-`null` one of a
/// 3.1 list; `object` when it only has `properties`.
pub(crate) fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => schema.get("properties").map(|_| "object"),
    }
}

/// The path part of `servers[0].url`: `/api` for `/api/` or `https://x/api`
/// (Swagger 2.0: `basePath`).
fn server_prefix(doc: &Value) -> String {
    let url = doc
        .pointer("/servers/0/url")
        .or_else(|| doc.get("basePath"))
        .and_then(Value::as_str);
    let Some(url) = url else {
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

/// Follows local `$ref`s (`#/components/...`) until a value that is not one,
/// at most [`MAX_DEPTH`] times.
pub(crate) fn resolve(doc: &Value, value: &Value) -> Value {
    let mut current = value;
    for _ in 0..MAX_DEPTH {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) if reference.starts_with('#') => match doc.pointer(&reference[1..]) {
                Some(target) => current = target,
                None => break,
            },
            _ => break,
        }
    }
    current.clone()
}

/// Most schema nodes one [`inline`] call expands: the depth bound alone
/// lets a few KB of a document that refers to itself widely expand
/// exponentially.
const MAX_INLINED_NODES: usize = 10_000;

/// A schema with its `$ref`s inlined (properties, items, allOf...), to
/// [`MAX_DEPTH`] levels and [`MAX_INLINED_NODES`] nodes: deeper (or
/// recursive) parts, and what is past the budget, are left as they are.
fn inline(doc: &Value, schema: &Value, depth: usize) -> Value {
    let mut budget = MAX_INLINED_NODES;
    inline_within(doc, schema, depth, &mut budget)
}

fn inline_within(doc: &Value, schema: &Value, depth: usize, budget: &mut usize) -> Value {
    if *budget == 0 {
        return schema.clone();
    }
    *budget -= 1;
    let resolved = resolve(doc, schema);
    if depth >= MAX_DEPTH {
        return resolved;
    }
    match resolved {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        "properties" | "patternProperties" => match v {
                            Value::Object(props) => Value::Object(
                                props
                                    .into_iter()
                                    .map(|(name, s)| {
                                        let s = inline_within(doc, &s, depth + 1, budget);
                                        (name, s)
                                    })
                                    .collect(),
                            ),
                            other => other,
                        },
                        "items" | "additionalProperties" | "not" => {
                            inline_within(doc, &v, depth + 1, budget)
                        }
                        "allOf" | "anyOf" | "oneOf" => match v {
                            Value::Array(list) => Value::Array(
                                list.iter()
                                    .map(|s| inline_within(doc, s, depth + 1, budget))
                                    .collect(),
                            ),
                            other => other,
                        },
                        _ => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wide_self_references_expand_within_a_budget() {
        // S0 has 10 properties referring to S1, S1 10 referring to S2, ...:
        // 10^8 nodes without a budget.
        let mut schemas = serde_json::Map::new();
        for level in 0..9 {
            let props: serde_json::Map<String, Value> = (0..10)
                .map(|i| {
                    (
                        format!("p{i}"),
                        serde_json::json!({"$ref": format!("#/components/schemas/S{}", level + 1)}),
                    )
                })
                .collect();
            schemas.insert(
                format!("S{level}"),
                serde_json::json!({"type": "object", "properties": props}),
            );
        }
        schemas.insert("S9".into(), serde_json::json!({"type": "string"}));
        let doc = serde_json::json!({"components": {"schemas": schemas}});
        let inlined = inline(
            &doc,
            &serde_json::json!({"$ref": "#/components/schemas/S0"}),
            0,
        );
        fn count(v: &Value) -> usize {
            match v {
                Value::Object(m) => 1 + m.values().map(count).sum::<usize>(),
                Value::Array(a) => 1 + a.iter().map(count).sum::<usize>(),
                _ => 1,
            }
        }
        // Each inlined node keeps its own members (here ~21 values): bounded
        // by the budget, not by 10^8.
        assert!(
            count(&inlined) < 30 * MAX_INLINED_NODES,
            "{}",
            count(&inlined)
        );
    }

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
        let doc = parse(&doc).unwrap();
        assert_eq!((doc.ops.len(), doc.total), (3, 3));
        let post = doc.ops.iter().find(|o| o.method == "POST").unwrap();
        assert_eq!(post.invalid_body().as_deref(), Some("{}"));
        let delete = doc.ops.iter().find(|o| o.method == "DELETE").unwrap();
        assert_eq!(delete.concrete_path(), "/notes/wirefault-missing");
        assert_eq!(delete.path_params()[0].name, "id");
        // Of unknown type: both a number and text.
        assert_eq!(
            delete.path_params()[0].missing_values(),
            ["2147483647", "wirefault-missing"]
        );
    }

    const YAML: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items/{item_id}:
    parameters:
      - $ref: '#/components/parameters/ItemId'
    get:
      parameters:
        - {name: q, in: query, required: true, schema: {type: string, enum: [a, b]}}
        - {name: verbose, in: query, schema: {type: boolean}}
      responses:
        200: {description: ok}
    put:
      requestBody: {$ref: '#/components/requestBodies/Item'}
      responses:
        '200': {description: ok}
  /users/{user_id}:
    get:
      parameters:
        - {name: user_id, in: path, required: true, schema: {type: string, format: uuid}}
        - {name: tag, in: query, required: true, schema: {type: string}, examples: {one: {value: red}}}
components:
  parameters:
    ItemId: {name: item_id, in: path, required: true, schema: {type: integer}}
  requestBodies:
    Item:
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Item'}
          examples:
            first: {value: {name: Foo, price: 1.5}}
  schemas:
    Item:
      type: object
      required: [name]
      properties:
        name: {type: string}
        price: {$ref: '#/components/schemas/Price'}
    Price: {type: number}
"##;

    #[test]
    fn yaml_with_refs_to_parameters_bodies_and_schemas() {
        let doc = parse_text(YAML).unwrap();
        let get = doc
            .ops
            .iter()
            .find(|o| o.method == "GET" && o.path.starts_with("/items"))
            .unwrap();
        let id = &get.path_params()[0];
        assert_eq!((id.name.as_str(), id.ty()), ("item_id", Some("integer")));
        assert_eq!(id.missing_value(), "2147483647");
        assert_eq!(id.missing_values(), ["2147483647"]);
        assert!(id.wrong_type_value().is_some());
        assert_eq!(get.concrete_path(), "/items/2147483647?q=a");
        let q_wrong = get.path_with(&|p: &Param| {
            if p.name == "q" {
                "x y".to_owned()
            } else {
                p.fill()
            }
        });
        assert_eq!(q_wrong, "/items/2147483647?q=x%20y");
        let put = doc.ops.iter().find(|o| o.method == "PUT").unwrap();
        let schema = put.body_schema.as_ref().unwrap();
        assert_eq!(schema["properties"]["price"]["type"], "number");
        assert_eq!(put.body_example.as_ref().unwrap()["name"], "Foo");
        let user = doc
            .ops
            .iter()
            .find(|o| o.path.starts_with("/users"))
            .unwrap();
        assert_eq!(
            user.concrete_path(),
            "/users/00000000-0000-0000-0000-000000000000?tag=red"
        );
        assert!(looks_like_document(&read_value(YAML).unwrap()));
        assert!(!looks_like_document(
            &read_value("<html>openapi</html>").unwrap()
        ));
        assert!(!looks_like_document(
            &read_value(r#"{"openapi": "3.1.0"}"#).unwrap()
        ));
    }

    #[test]
    fn invalid_bodies_follow_the_schema() {
        let op = |schema: Value| Operation {
            method: "POST".into(),
            path: "/x".into(),
            body_schema: Some(schema),
            body_example: None,
            params: Vec::new(),
            prefix: String::new(),
            security: None,
        };
        assert_eq!(
            op(serde_json::json!({"type": "object"}))
                .invalid_body()
                .as_deref(),
            Some("[]")
        );
        assert_eq!(
            op(serde_json::json!({"type": ["array", "null"]}))
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
                parse(&doc).unwrap().ops[0].concrete_path(),
                expected,
                "{server}"
            );
        }
        let swagger = serde_json::json!({"swagger": "2.0", "basePath": "/v2", "paths": {"/pets": {"get": {}}}});
        assert_eq!(parse(&swagger).unwrap().ops[0].concrete_path(), "/v2/pets");
    }

    #[test]
    fn recursive_refs_and_caps_are_bounded() {
        let mut paths = Map::new();
        for i in 0..60 {
            paths.insert(format!("/p{i}"), serde_json::json!({"get": {}}));
        }
        paths.insert(
            "/loop".into(),
            serde_json::json!({"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}),
        );
        let doc = serde_json::json!({
            "paths": paths,
            "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}}}
        });
        let doc = parse(&doc).unwrap();
        assert_eq!((doc.ops.len(), doc.total), (MAX_OPERATIONS, 61));
    }

    #[test]
    fn not_a_document() {
        assert!(parse(&serde_json::json!([1])).is_err());
        assert!(parse_text("paths: [").is_err());
        assert!(parse_text("just text").is_err());
        assert_eq!(
            fill_template("/a/{x}/b/{y}", &|n| format!("{n} 1")),
            "/a/x%201/b/y%201"
        );
    }
}
