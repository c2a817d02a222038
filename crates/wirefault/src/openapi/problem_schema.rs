//! The `Problem` schema component: RFC 9457's members, `errors[]` and the
//! request id, as [`Problem`] writes them.

use crate::Problem;
use std::borrow::Cow;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// The component name the responses refer to (`#/components/schemas/Problem`).
pub const PROBLEM_SCHEMA: &str = "Problem";

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// One entry of `errors`: a JSON pointer in URI fragment form and what is
/// wrong there (see [`crate::FieldError`]).
fn field_error() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("One invalid field of the request."))
        .property(
            "pointer",
            string("Where: `#` and an RFC 6901 JSON pointer into the request body (`#/title`).")
                .pattern(Some("^#(/.*)?$")),
        )
        .required("pointer")
        .property("detail", string("What is wrong with that field."))
        .required("detail")
}

impl PartialSchema for Problem {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Problem details (RFC 9457), the body of every error response. A server \
                 error (5xx) shows only a generic title and detail, the instance and the \
                 request id; other members are extensions.",
            ))
            .property(
                "type",
                string("The problem type URI; `about:blank` when the status says it all.")
                    .format(Some(SchemaFormat::Custom("uri-reference".into())))
                    .default(Some("about:blank".into())),
            )
            .required("type")
            .property("title", string("A short summary of the problem type."))
            .required("title")
            .property(
                "status",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                    .minimum(Some(400))
                    .maximum(Some(599))
                    .description(Some("The HTTP status code of this response.")),
            )
            .required("status")
            .property("detail", string("What happened in this occurrence."))
            .property(
                "instance",
                string("This occurrence: the request id unless the service set another."),
            )
            .property(
                "errors",
                ArrayBuilder::new()
                    .items(field_error())
                    .description(Some("The invalid fields, one entry each.")),
            )
            .property(
                "request_id",
                string("The request's `X-Request-Id`, to quote when reporting the problem.")
                    .pattern(Some(crate::spec::REQUEST_ID_PATTERN)),
            )
            .additional_properties(Some(AdditionalProperties::<Schema>::FreeForm(true)))
            .into()
    }
}

impl ToSchema for Problem {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(PROBLEM_SCHEMA)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Fault, Kind};

    fn schema_json() -> serde_json::Value {
        serde_json::to_value(Problem::schema()).unwrap()
    }

    /// Every member a rendered problem writes is a property of the schema
    /// with the right JSON type, and every required member is written.
    #[test]
    fn rendered_problems_fit_the_schema() {
        let schema = schema_json();
        let properties = schema["properties"].as_object().unwrap();
        let faults = [
            Fault::unprocessable().field("/title", "must not be empty"),
            Fault::not_found("no note 7"),
            Fault::internal().detail("disk I/O error"),
        ];
        for fault in faults {
            let body: serde_json::Value =
                serde_json::from_str(&Problem::render(&fault, Some("req-1"))).unwrap();
            for (member, value) in body.as_object().unwrap() {
                let ty = properties[member]["type"].as_str().unwrap();
                let fits = match ty {
                    "string" => value.is_string(),
                    "integer" => value.is_u64(),
                    "array" => value.is_array(),
                    other => panic!("unexpected type {other}"),
                };
                assert!(fits, "{member} is not {ty}: {value}");
            }
            for required in schema["required"].as_array().unwrap() {
                assert!(body.get(required.as_str().unwrap()).is_some());
            }
        }
        assert_eq!(Problem::name(), "Problem");
        assert_eq!(
            properties["errors"]["items"]["required"],
            serde_json::json!(["pointer", "detail"])
        );
        let statuses = Kind::ALL.iter().map(|k| u64::from(k.status().as_u16()));
        for status in statuses {
            assert!(status >= properties["status"]["minimum"].as_u64().unwrap());
            assert!(status <= properties["status"]["maximum"].as_u64().unwrap());
        }
    }
}
