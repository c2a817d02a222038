//! The credentials an OpenAPI document says an operation needs: its
//! `components.securitySchemes`, and the `security` requirements (the
//! document's, or the operation's own, which replace them).
//!
//! A requirement list is a choice: any one of its objects is enough, and
//! each object names schemes that are all needed together. An empty object
//! (`security: [{}]`) lets anonymous callers in, and `security: []` removes
//! the document's requirement: neither operation is protected.

use serde_json::Value;

/// Where a credential goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Carrier {
    /// A request header of this name (an `apiKey` in a header).
    Header(String),
    /// A query parameter of this name.
    Query(String),
    /// A cookie of this name.
    Cookie(String),
    /// `Authorization: <scheme> <credentials>` (`http` schemes; `oauth2`
    /// and `openIdConnect` send bearer tokens, RFC 6750).
    Authorization(String),
}

/// One security scheme of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scheme {
    /// Its name in `components.securitySchemes`.
    pub(crate) name: String,
    /// Where its credential goes.
    pub(crate) carrier: Carrier,
}

/// What an operation needs: `None` when anyone may call it, else the
/// alternatives (any one is enough), each the schemes it needs together.
pub(crate) type Requirement = Option<Vec<Vec<Scheme>>>;

/// The requirement of operation `op` in document `doc`. Schemes the
/// document names but does not declare (or of an unknown type) are left
/// out; an alternative left with none of its schemes is dropped, and an
/// operation left with no alternative is not probed.
pub(crate) fn requirement(doc: &Value, op: &Value) -> Requirement {
    let list = op
        .get("security")
        .or_else(|| doc.get("security"))?
        .as_array()?;
    let mut alternatives = Vec::new();
    for object in list {
        let Some(names) = object.as_object() else {
            continue;
        };
        if names.is_empty() {
            // Anonymous callers are allowed.
            return None;
        }
        let schemes: Vec<Scheme> = names.keys().filter_map(|n| scheme(doc, n)).collect();
        if schemes.len() == names.len() {
            alternatives.push(schemes);
        }
    }
    (!alternatives.is_empty()).then_some(alternatives)
}

/// The scheme called `name` in `components.securitySchemes` (Swagger 2.0:
/// `securityDefinitions`), when the auditor knows how to send it.
fn scheme(doc: &Value, name: &str) -> Option<Scheme> {
    let declared = doc
        .pointer("/components/securitySchemes")
        .or_else(|| doc.get("securityDefinitions"))?
        .get(name)?;
    let declared = super::openapi::resolve(doc, declared);
    let text = |key: &str| declared.get(key).and_then(Value::as_str);
    let carrier = match text("type")? {
        "apiKey" => {
            let param = text("name")?.to_owned();
            match text("in")? {
                "header" => Carrier::Header(param),
                "query" => Carrier::Query(param),
                "cookie" => Carrier::Cookie(param),
                _ => return None,
            }
        }
        "http" => Carrier::Authorization(text("scheme")?.to_owned()),
        "basic" => Carrier::Authorization("Basic".to_owned()),
        "oauth2" | "openIdConnect" => Carrier::Authorization("Bearer".to_owned()),
        _ => return None,
    };
    Some(Scheme {
        name: name.to_owned(),
        carrier,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "security": [{"key": []}],
            "components": {"securitySchemes": {
                "key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
                "q": {"type": "apiKey", "in": "query", "name": "api_key"},
                "session": {"$ref": "#/components/x/session"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "oauth": {"type": "oauth2", "flows": {}},
                "mtls": {"type": "mutualTLS"}
            }, "x": {"session": {"type": "apiKey", "in": "cookie", "name": "sid"}}}
        })
    }

    fn names(req: &Requirement) -> Option<Vec<Vec<&str>>> {
        req.as_ref().map(|alts| {
            alts.iter()
                .map(|a| a.iter().map(|s| s.name.as_str()).collect())
                .collect()
        })
    }

    #[test]
    fn the_operation_replaces_the_documents_requirement() {
        let doc = doc();
        assert_eq!(
            names(&requirement(&doc, &json!({}))),
            Some(vec![vec!["key"]])
        );
        let own = json!({"security": [{"bearer": []}, {"q": [], "session": []}]});
        assert_eq!(
            names(&requirement(&doc, &own)),
            Some(vec![vec!["bearer"], vec!["q", "session"]])
        );
        let session = &requirement(&doc, &own).unwrap()[1][1];
        assert_eq!(session.carrier, Carrier::Cookie("sid".into()));
        assert_eq!(
            requirement(&doc, &own).unwrap()[0][0].carrier,
            Carrier::Authorization("bearer".into())
        );
    }

    #[test]
    fn anonymous_and_unknown_requirements_are_not_probed() {
        let doc = doc();
        // `security: []` turns the document's requirement off.
        assert_eq!(requirement(&doc, &json!({"security": []})), None);
        // `{}` among the alternatives lets anyone in.
        assert_eq!(
            requirement(&doc, &json!({"security": [{"key": []}, {}]})),
            None
        );
        // Mutual TLS is not a request credential; an undeclared name is not
        // sendable: the other alternative stays.
        let own = json!({"security": [{"mtls": []}, {"nope": []}, {"oauth": ["read"]}]});
        assert_eq!(
            requirement(&doc, &own).unwrap()[0][0].carrier,
            Carrier::Authorization("Bearer".into())
        );
        assert_eq!(
            requirement(&doc, &json!({"security": [{"mtls": []}]})),
            None
        );
        assert_eq!(requirement(&json!({}), &json!({})), None);
    }
}
