//! One documented response per [`Kind`]: its status, `application/problem+json`
//! with the `Problem` schema, and the headers the table requires.

use super::problem_schema::PROBLEM_SCHEMA;
use crate::{Kind, PROBLEM_JSON};
use std::collections::BTreeMap;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, Ref, RefOr};

/// The response a service answers with for `kind`: the kind's status and
/// title, a `Problem` body as `application/problem+json`, and each header
/// the table requires for it ([`Kind::required_headers`], which
/// [`crate::spec::required_headers`] reads too), marked required.
///
/// ```
/// use wirefault::{openapi, Kind};
///
/// let response = serde_json::to_value(openapi::response(Kind::RateLimited)).unwrap();
/// assert_eq!(response["description"], "Too Many Requests");
/// assert_eq!(response["headers"]["retry-after"]["required"], true);
/// assert_eq!(
///     response["content"]["application/problem+json"]["schema"]["$ref"],
///     "#/components/schemas/Problem"
/// );
/// ```
pub fn response(kind: Kind) -> Response {
    let mut response = ResponseBuilder::new()
        .description(kind.title())
        .content(PROBLEM_JSON, problem_content())
        .build();
    for name in kind.required_headers() {
        response.headers.insert(
            name.as_str().to_owned(),
            RefOr::T(required_header(&format!(
                "Always sent with {} ({}).",
                kind.status().as_u16(),
                kind.spec()
            ))),
        );
    }
    response
}

/// The responses for `kinds`, keyed by status, as
/// [`utoipa::IntoResponses::responses`] returns them.
pub fn responses(kinds: &[Kind]) -> BTreeMap<String, RefOr<Response>> {
    kinds
        .iter()
        .map(|kind| (status_key(*kind), RefOr::T(response(*kind))))
        .collect()
}

/// The key of `kind`'s response in an operation's `responses`.
pub(crate) fn status_key(kind: Kind) -> String {
    kind.status().as_u16().to_string()
}

/// `application/problem+json` with the `Problem` schema.
pub(crate) fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name(PROBLEM_SCHEMA)))
}

/// A string header the response always carries.
pub(crate) fn required_header(description: &str) -> Header {
    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::String));
    header.description = Some(description.to_owned());
    // utoipa 6's `Header` has no `required` field, though the OpenAPI
    // Header Object does (§4.8.21); its flattened extensions map writes
    // the member as is, so a checker can see the header is promised.
    let mut extra = utoipa::openapi::extensions::Extensions::default();
    extra.insert("required".into(), true.into());
    header.extensions = Some(extra);
    header
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every kind's response carries its status, the problem schema, and
    /// exactly the headers the table requires, read from the same table.
    #[test]
    fn every_kind_documents_its_status_and_required_headers() {
        let all = responses(Kind::ALL);
        assert_eq!(all.len(), Kind::ALL.len(), "statuses are unique");
        for kind in Kind::ALL {
            let RefOr::T(response) = &all[&kind.status().as_u16().to_string()] else {
                panic!("{kind:?} is a reference");
            };
            assert_eq!(response.description, kind.title());
            assert!(response.content.contains_key(PROBLEM_JSON));
            let expected: Vec<&str> = crate::spec::required_headers(kind.status())
                .iter()
                .map(http::HeaderName::as_str)
                .collect();
            let documented: Vec<&str> = response.headers.keys().map(String::as_str).collect();
            assert_eq!(documented, expected, "{kind:?}");
            let json = serde_json::to_value(response).unwrap();
            for name in expected {
                assert_eq!(json["headers"][name]["required"], true);
            }
        }
    }
}
