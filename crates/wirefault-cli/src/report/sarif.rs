//! SARIF 2.1.0: one run, the rule table as `tool.driver.rules`, one result
//! per finding with the HTTP exchange as `webRequest` / `webResponse`.

use serde_json::{json, Map, Value};

use crate::finding::{Audit, Baseline, Finding, Received};
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

fn result(f: &Finding, state: Baseline) -> Value {
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
    let mut text = format!(
        "{}: {}. Expected: {}.",
        f.rule.title, f.observed, f.expected
    );
    if let Some(context) = &f.context {
        text.push_str(&format!(" Context: {context}."));
    }
    if !f.also.is_empty() {
        text.push_str(&format!(" Also seen at {} other place(s).", f.also.len()));
    }
    let related: Vec<Value> = f
        .also
        .iter()
        .enumerate()
        .map(|(i, place)| {
            json!({
                "id": i + 1,
                "physicalLocation": { "artifactLocation": { "uri": place.url } },
                "message": { "text": place.render() },
            })
        })
        .collect();
    let mut value = json!({
        "ruleId": f.rule.id,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": { "artifactLocation": { "uri": f.request.url } } }],
        "webRequest": request,
        "webResponse": response,
    });
    if !related.is_empty() {
        value["relatedLocations"] = json!(related);
    }
    if let Some(context) = &f.context {
        value["properties"] = json!({ "context": context });
    }
    match state {
        Baseline::None => {}
        Baseline::New => value["baselineState"] = json!("new"),
        Baseline::Known => value["baselineState"] = json!("unchanged"),
    }
    value
}

/// Probes that could not run, notes on the run, and limits that cut
/// something, as tool execution notifications.
fn notifications(audit: &Audit) -> Vec<Value> {
    let mut out = Vec::new();
    for skipped in &audit.skipped {
        for rule in &skipped.rules {
            out.push(json!({
                "level": "warning",
                "message": { "text": format!("not checked at {}: {}", skipped.target, skipped.reason) },
                "associatedRule": { "id": rule },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": skipped.target } } }],
            }));
        }
    }
    for note in &audit.notes {
        out.push(json!({
            "level": "note",
            "message": { "text": note },
        }));
    }
    for cap in &audit.caps {
        out.push(json!({
            "level": "note",
            "message": { "text": format!("limit reached: {cap}") },
        }));
    }
    out
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
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications(audit),
            }],
            "properties": { "target": audit.target, "requests": audit.requests },
            "results": audit.findings.iter().map(|(f, s)| result(f, *s)).collect::<Vec<_>>(),
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
