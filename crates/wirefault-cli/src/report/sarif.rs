//! SARIF 2.1.0: one run, the rule table as `tool.driver.rules`, one result
//! per finding with the HTTP exchange as `webRequest` / `webResponse`.

use serde_json::{json, Map, Value};

use crate::finding::{Audit, Finding, Received};
use crate::rules::{self, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn headers(list: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (name, value) in list {
        match map.get_mut(name) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            _ => {
                map.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    Value::Object(map)
}

fn result(f: &Finding) -> Value {
    let index = rules::ALL
        .iter()
        .position(|r| r.id == f.rule.id)
        .unwrap_or(0);
    let mut request = json!({
        "method": f.request.method,
        "target": f.request.url,
        "headers": headers(&f.request.headers),
    });
    if let Some(body) = &f.request.body {
        request["body"] = json!({ "text": body });
    }
    let response = match &f.received {
        Received::Http(answer) => json!({
            "statusCode": answer.status,
            "headers": headers(&answer.headers),
            "body": { "text": answer.body },
        }),
        Received::WebSocket { transcript } => json!({
            "protocol": "WebSocket",
            "statusCode": 101,
            "body": { "text": transcript.join("\n") },
        }),
        Received::Nothing { .. } => json!({ "noResponseReceived": true }),
    };
    json!({
        "ruleId": f.rule.id,
        "ruleIndex": index,
        "level": level(f.rule.severity),
        "message": { "text": format!("{}: {}. Expected: {}.", f.rule.title, f.observed, f.expected) },
        "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.request.url } } }],
        "webRequest": request,
        "webResponse": response,
    })
}

fn rule(r: &rules::Rule) -> Value {
    let docs = rules::docs(r).unwrap_or(r.title);
    json!({
        "id": r.id,
        "name": r.title,
        "shortDescription": { "text": r.title },
        "fullDescription": { "text": r.fix },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": level(r.severity) },
    })
}

/// Renders the SARIF log.
pub(crate) fn render(audit: &Audit) -> String {
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "wirefault",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules::ALL.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }},
            "properties": { "target": audit.target, "probes": audit.probes },
            "results": audit.findings.iter().map(result).collect::<Vec<_>>(),
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
