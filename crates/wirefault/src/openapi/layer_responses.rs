//! [`LayerResponses`]: what wirefault's layers and extractors answer on
//! every operation, added to a document in one call.

use super::kind_response::{required_header, response, status_key};
use super::problem_schema::PROBLEM_SCHEMA;
use crate::spec::{REQUEST_ID, REQUEST_ID_PATTERN};
use crate::{Kind, Problem};
use http::HeaderName;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn, PathItem};
use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::{Modify, PartialSchema};

/// The header component every response refers to for it.
const REQUEST_ID_COMPONENT: &str = "X-Request-Id";

/// Adds to every operation of a document the answers the layers make
/// without the handler's knowledge, each from the mapping table
/// ([`super::response`]), without replacing a response the handler
/// documented itself:
///
/// - a JSON request body: 400 (not well-formed JSON, or the wrong shape
///   for the extractor), 413 (over the body limit) and 415 (not
///   `application/json`), from `wirefault::axum::Json` and the body limit;
/// - a path parameter: 404 (nothing there), and 400 when a parameter is
///   typed (an integer that does not parse is rejected before the handler);
/// - every operation: 500 (a panic or any server failure, its details
///   kept out of the body), and any kind given to [`LayerResponses::also`];
/// - every response, errors and successes alike: the `X-Request-Id`
///   header (turn it off with [`LayerResponses::without_request_id`]).
///
/// Read from a `WirefaultLayer` (features `axum` and `utoipa`:
/// `LayerResponses::from(&layer)`), it documents that layer as
/// configured: its request id header, 400 and 431 on every operation
/// (its framing checks), 413 on every request body when it has a body
/// limit, and 408 on every operation when it has a timeout.
///
/// It also adds the `Problem` schema component the responses refer to.
///
/// ```
/// use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
/// use utoipa::openapi::{OpenApiBuilder, PathsBuilder};
/// use utoipa::Modify;
/// use wirefault::openapi::LayerResponses;
///
/// let item = PathItem::new(HttpMethod::Get, OperationBuilder::new());
/// let mut doc = OpenApiBuilder::new()
///     .paths(PathsBuilder::new().path("/health", item))
///     .build();
/// LayerResponses::new().modify(&mut doc);
/// let doc = serde_json::to_value(&doc).unwrap();
/// let responses = &doc["paths"]["/health"]["get"]["responses"];
/// assert_eq!(responses["500"]["description"], "Internal Server Error");
/// assert!(doc["components"]["schemas"]["Problem"].is_object());
/// ```
#[derive(Debug, Clone)]
pub struct LayerResponses {
    request_id: Option<HeaderName>,
    /// 413 on every request body, not only JSON ones (a layer's limit).
    any_body_limited: bool,
    /// 400 and 431 on every operation (the layer's framing checks).
    framing: bool,
    also: Vec<Kind>,
}

impl Default for LayerResponses {
    fn default() -> Self {
        LayerResponses::new()
    }
}

impl LayerResponses {
    /// The answers of the stack the README builds (request id, problem
    /// layer, JSON extractor, body limit).
    pub fn new() -> LayerResponses {
        LayerResponses {
            request_id: Some(REQUEST_ID),
            any_body_limited: false,
            framing: false,
            also: Vec::new(),
        }
    }

    /// Also documents `kind` on every operation: for a layer of the
    /// service's own, such as a timeout (`Kind::RequestTimeout`).
    pub fn also(mut self, kind: Kind) -> LayerResponses {
        self.also.push(kind);
        self
    }

    /// Leaves out the `X-Request-Id` header, for a service without the
    /// request-id layer.
    pub fn without_request_id(mut self) -> LayerResponses {
        self.request_id = None;
        self
    }

    /// The header component's name: `X-Request-Id` for the default header.
    fn request_id_component(name: &HeaderName) -> &str {
        if *name == REQUEST_ID {
            REQUEST_ID_COMPONENT
        } else {
            name.as_str()
        }
    }

    /// The kinds the layers may answer `operation` with.
    fn kinds_for(&self, operation: &Operation, path_parameters: &[&Parameter]) -> Vec<Kind> {
        let mut kinds = Vec::new();
        match request_body(operation) {
            Some(Body::Json) => kinds.extend([
                Kind::BadRequest,
                Kind::PayloadTooLarge,
                Kind::UnsupportedMediaType,
            ]),
            Some(Body::Other) if self.any_body_limited => kinds.push(Kind::PayloadTooLarge),
            Some(Body::Other) | None => {}
        }
        if self.framing {
            kinds.extend([Kind::BadRequest, Kind::HeadersTooLarge]);
        }
        if !path_parameters.is_empty() {
            kinds.push(Kind::NotFound);
            if path_parameters.iter().any(|p| is_typed(p)) {
                kinds.push(Kind::BadRequest);
            }
        }
        kinds.push(Kind::Internal);
        kinds.extend(self.also.iter().copied());
        kinds
    }

    fn complete(&self, operation: &mut Operation, item_parameters: &[RefOr<Parameter>]) {
        let parameters = item_parameters
            .iter()
            .chain(operation.parameters.iter().flatten());
        let path_parameters: Vec<&Parameter> = parameters
            .filter_map(|p| match p {
                RefOr::T(p) if p.parameter_in == ParameterIn::Path => Some(p),
                _ => None,
            })
            .collect();
        for kind in self.kinds_for(operation, &path_parameters) {
            operation
                .responses
                .responses
                .entry(status_key(kind))
                .or_insert_with(|| RefOr::T(response(kind)));
        }
        if let Some(name) = &self.request_id {
            let component = LayerResponses::request_id_component(name);
            for answer in operation.responses.responses.values_mut() {
                if let RefOr::T(answer) = answer {
                    answer
                        .headers
                        .entry(name.as_str().to_owned())
                        .or_insert_with(|| {
                            RefOr::Ref(Ref::new(format!("#/components/headers/{component}")))
                        });
                }
            }
        }
    }
}

impl Modify for LayerResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components
            .schemas
            .entry(PROBLEM_SCHEMA.to_owned())
            .or_insert_with(Problem::schema);
        if let Some(name) = &self.request_id {
            components
                .headers
                .entry(LayerResponses::request_id_component(name).to_owned())
                .or_insert_with(|| RefOr::T(request_id_header()));
        }
        for item in openapi.paths.paths.values_mut() {
            let item_parameters = item.parameters.clone().unwrap_or_default();
            for operation in operations(item) {
                self.complete(operation, &item_parameters);
            }
        }
    }
}

/// The layer as configured: see [`LayerResponses`].
#[cfg(feature = "axum")]
impl From<&crate::axum::WirefaultLayer> for LayerResponses {
    fn from(layer: &crate::axum::WirefaultLayer) -> LayerResponses {
        LayerResponses {
            request_id: Some(layer.request_id_header().clone()),
            any_body_limited: layer.get_body_limit().is_some(),
            framing: true,
            also: layer
                .get_timeout()
                .map(|_| Kind::RequestTimeout)
                .into_iter()
                .collect(),
        }
    }
}

/// Every operation of a path item.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
        item.query.as_mut(),
    ]
    .into_iter()
    .flatten()
    .chain(item.additional_operations.values_mut())
}

/// What request body an operation reads.
enum Body {
    /// JSON (`application/json` or a `+json` media type).
    Json,
    /// Any other.
    Other,
}

fn request_body(operation: &Operation) -> Option<Body> {
    let json = match operation.request_body.as_ref()? {
        RefOr::T(body) => body
            .content
            .keys()
            .any(|media| media == "application/json" || media.ends_with("+json")),
        // A body kept in components: assume JSON, the common case.
        RefOr::Ref(_) => true,
    };
    Some(if json { Body::Json } else { Body::Other })
}

/// Whether a path parameter's schema is narrower than any string, so a
/// value can fail to parse (400) before the handler runs.
fn is_typed(parameter: &Parameter) -> bool {
    match &parameter.schema {
        Some(RefOr::T(Schema::Object(object))) => {
            object.schema_type != utoipa::openapi::schema::SchemaType::new(Type::String)
        }
        Some(_) => true,
        None => false,
    }
}

fn request_id_header() -> utoipa::openapi::header::Header {
    let mut header = required_header(
        "The client's request id when it sent a valid one, else a new one; \
         quote it when reporting a problem.",
    );
    header.schema = Some(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(REQUEST_ID_PATTERN))
            .into(),
    );
    header
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::{Content, OpenApiBuilder, PathsBuilder, Required};

    fn statuses(doc: &OpenApi, path: &str) -> Vec<String> {
        let item = &doc.paths.paths[path];
        let op = item.get.as_ref().or(item.post.as_ref()).unwrap();
        op.responses.responses.keys().cloned().collect()
    }

    #[test]
    fn adds_what_the_layers_answer_and_keeps_the_handlers_own() {
        let id = ParameterBuilder::new()
            .name("id")
            .parameter_in(ParameterIn::Path)
            .required(Required::True)
            .schema(Some(
                utoipa::openapi::schema::ObjectBuilder::new().schema_type(Type::Integer),
            ));
        let json_body = RequestBodyBuilder::new()
            .content("application/json", Content::new(None::<RefOr<Schema>>))
            .build();
        let handler_404 = utoipa::openapi::Response::new("no such note");
        let doc = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path(
                        "/notes/{id}",
                        PathItem::new(
                            HttpMethod::Get,
                            OperationBuilder::new()
                                .parameter(id)
                                .response("404", handler_404.clone()),
                        ),
                    )
                    .path(
                        "/notes",
                        PathItem::new(
                            HttpMethod::Post,
                            OperationBuilder::new().request_body(Some(json_body)),
                        ),
                    )
                    .path(
                        "/health",
                        PathItem::new(HttpMethod::Get, OperationBuilder::new()),
                    ),
            )
            .build();
        let mut doc = doc;
        LayerResponses::new()
            .also(Kind::RequestTimeout)
            .modify(&mut doc);
        assert_eq!(statuses(&doc, "/notes/{id}"), ["400", "404", "408", "500"]);
        assert_eq!(
            statuses(&doc, "/notes"),
            ["400", "408", "413", "415", "500"]
        );
        assert_eq!(statuses(&doc, "/health"), ["408", "500"]);
        let get = doc.paths.paths["/notes/{id}"].get.as_ref().unwrap();
        let RefOr::T(not_found) = &get.responses.responses["404"] else {
            panic!("a reference")
        };
        assert_eq!(
            not_found.description, "no such note",
            "the handler's own stays"
        );
        assert!(not_found.headers.contains_key(REQUEST_ID.as_str()));
        let components = doc.components.unwrap();
        assert!(components.schemas.contains_key(PROBLEM_SCHEMA));
        assert!(components.headers.contains_key(REQUEST_ID_COMPONENT));
    }

    #[cfg(feature = "axum")]
    #[test]
    fn a_layer_is_documented_as_configured() {
        use std::time::Duration;
        let upload = RequestBodyBuilder::new()
            .content(
                "application/octet-stream",
                Content::new(None::<RefOr<Schema>>),
            )
            .build();
        let paths = || {
            PathsBuilder::new()
                .path(
                    "/files",
                    PathItem::new(
                        HttpMethod::Post,
                        OperationBuilder::new().request_body(Some(upload.clone())),
                    ),
                )
                .path(
                    "/health",
                    PathItem::new(HttpMethod::Get, OperationBuilder::new()),
                )
        };
        let layer = crate::axum::WirefaultLayer::new()
            .request_id(HeaderName::from_static("x-trace"), true)
            .body_limit(1024)
            .timeout(Duration::from_secs(5));
        let mut doc = OpenApiBuilder::new().paths(paths()).build();
        LayerResponses::from(&layer).modify(&mut doc);
        assert_eq!(
            statuses(&doc, "/files"),
            ["400", "408", "413", "431", "500"]
        );
        assert_eq!(statuses(&doc, "/health"), ["400", "408", "431", "500"]);
        let get = doc.paths.paths["/health"].get.as_ref().unwrap();
        let RefOr::T(ok) = &get.responses.responses["500"] else {
            panic!("a reference")
        };
        assert!(ok.headers.contains_key("x-trace"));
        assert!(!ok.headers.contains_key(REQUEST_ID.as_str()));
        assert!(doc.components.unwrap().headers.contains_key("x-trace"));
        // No limit, no timeout: neither 413 on a non-JSON body nor 408.
        let mut doc = OpenApiBuilder::new().paths(paths()).build();
        LayerResponses::from(&crate::axum::WirefaultLayer::new()).modify(&mut doc);
        assert_eq!(statuses(&doc, "/files"), ["400", "431", "500"]);
    }
}
