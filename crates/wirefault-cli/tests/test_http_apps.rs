//! The HTTP and CORS sample-app corpus: small FastAPI, Starlette, Flask +
//! flask-cors and Express + cors apps written the way their docs write
//! them, each run as a real server and audited by the real binary.
//!
//! Correct apps with stock defaults have no finding at warning or above.
//! Each planted mistake is found by its rule and no other at warning or
//! above, and only when the capability that reaches it is on: TLS, a YAML
//! document found on the target, a filled path parameter, the base page's
//! links, `--path`, `--body`, a body built from the document's schema,
//! the document's security schemes or the audit's own `-H` key.
//!
//! Needs `python3` with `tests/fastapi/requirements.txt` and
//! `tests/apps/python/http_requirements.txt`, and `node` with the packages
//! of `tests/apps/node/http_apps` (`scripts/install-test-deps.sh`); the
//! tests fail, not skip, when they are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::collections::BTreeSet;

use fixtures::apps::{apps_dir, start, uvicorn, App};
use fixtures::pki::{pki, temp_file};
use fixtures::{audit_at_warning, wirefault};

/// The rules found at warning or above, the exit code and the report.
fn audit(url: &str, args: &[&str]) -> (BTreeSet<String>, i32, serde_json::Value) {
    audit_at_warning(url, args)
}

fn url(app: &App) -> String {
    format!("http://127.0.0.1:{}/", app.port)
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

/// Asserts the findings at warning or above, and the exit code they give.
fn assert_found(url: &str, args: &[&str], expected: &[&str]) -> serde_json::Value {
    let (ids, code, report) = audit(url, args);
    assert_eq!(ids, set(expected), "{args:?}: {report:#}");
    assert_eq!(code, i32::from(!expected.is_empty()), "{report:#}");
    report
}

/// Every place a finding of `rule` was seen.
fn places(report: &serde_json::Value, rule: &str) -> Vec<String> {
    let mut out = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        if f["rule"] == rule {
            out.push(f["request"]["url"].as_str().unwrap().to_owned());
            for also in f["also_seen"].as_array().into_iter().flatten() {
                out.push(also["url"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    out
}

/// The first finding of `rule`.
fn finding<'a>(report: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule}: {report:#}"))
}

fn node(script: &str, production: bool) -> App {
    let env: &[(&str, &str)] = if production {
        &[("NODE_ENV", "production")]
    } else {
        &[("NODE_ENV", "development")]
    };
    start(
        &apps_dir("node/http_apps"),
        "node",
        &[script, "{port}"],
        env,
    )
}

fn flask(script: &str) -> App {
    start(&apps_dir("python"), "python3", &[script, "{port}"], &[])
}

/// FastAPI's tutorial style: `{"detail"}` errors, the tutorial's four CORS
/// origins (http:// and https:// twins among them), a path parameter, a
/// body model with an example, a search by path parameter (no match is an
/// empty list). Nothing at warning or above.
#[test]
fn fastapi_tutorial_app_is_clean() {
    let app = uvicorn("http_fastapi_items", &[]);
    let report = assert_found(
        &url(&app),
        &[
            "--origin",
            "http://localhost.tiangolo.com",
            "--origin",
            "https://localhost.tiangolo.com",
            "--origin",
            "http://localhost",
            "--origin",
            "http://localhost:8080",
        ],
        &[],
    );
    let notes = report["notes"].to_string();
    assert!(notes.contains("/openapi.json"), "{report:#}");
    // The search was probed, and its empty list is only noted.
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["rule"] == "WF-HTTP-001"
            && f["severity"] == "info"
            && f["request"]["url"]
                .as_str()
                .unwrap_or("")
                .contains("/search/")),
        "{report:#}"
    );
}

/// flask-cors trusting every subdomain with an anchored regex: a correct
/// policy, even though a sibling subdomain is allowed.
#[test]
fn flask_subdomain_regex_cors_is_clean() {
    let app = flask("http_flask_subdomain_cors.py");
    assert_found(
        &url(&app),
        &[
            "--origin",
            "https://app.example2.com",
            "--path",
            "/api/notes",
        ],
        &[],
    );
}

/// Express + cors with an allowlist: Express's HTML 404 page and its lack
/// of 405 are the framework's defaults, not the service's mistakes.
#[test]
fn express_cors_api_is_clean() {
    let app = node("http_express_notes.js", true);
    assert_found(
        &url(&app),
        &[
            "--origin",
            "https://app.example.com",
            "--origin",
            "http://localhost:5173",
            "--path",
            "/api/notes",
            "--path",
            "/api/notes/{id}",
            "--body",
            r#"POST /api/notes={"text": "hello"}"#,
        ],
        &[],
    );
}

/// A single-page app with its API under /api: the SPA's page for unknown
/// paths outside the API, and the API router's own JSON 404 for TRACE, are
/// info; so is the same page when no API path is known (a catch-all page
/// that says nothing failed).
#[test]
fn express_spa_with_an_api_prefix_is_clean() {
    let app = node("http_express_spa_api.js", true);
    let report = assert_found(
        &url(&app),
        &[
            "--path",
            "/api/health",
            "--path",
            "/api/users/{id}",
            "--body",
            r#"POST /api/users={"name": "Grace"}"#,
        ],
        &[],
    );
    let fallback = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "WF-HTTP-001")
        .unwrap();
    assert_eq!(fallback["severity"], "info", "{report:#}");
    // Without the API's paths, nothing says the page is outside an API,
    // and nothing says a request failed either: a catch-all page, noted.
    let report = assert_found(&url(&app), &[], &[]);
    assert!(
        has(&report, "WF-HTTP-001", "info", "/", "catch-all"),
        "{report:#}"
    );
}

/// An HTML site for people: its pages and Express's 404 page are pages.
#[test]
fn express_html_site_is_clean() {
    let app = node("http_express_site.js", true);
    assert_found(&url(&app), &[], &[]);
}

/// The tutorial's plain-text handler drops `Allow` from 405: found behind
/// TLS (with the test's CA) through the document's path parameter.
#[test]
fn tls_service_with_405_without_allow() {
    let pki = pki();
    let cert = temp_file("apps-cert.pem", &pki.cert_pem);
    let key = temp_file("apps-key.pem", &pki.key_pem);
    let ca = temp_file("apps-ca.pem", &pki.ca_pem);
    let app = uvicorn(
        "http_fastapi_handling_errors",
        &["--ssl-certfile", &cert, "--ssl-keyfile", &key],
    );
    let https = format!("https://localhost:{}/", app.port);
    let report = assert_found(&https, &["--ca-cert", &ca], &["WF-HTTP-003"]);
    assert!(
        places(&report, "WF-HTTP-003")
            .iter()
            .any(|u| u.contains("/items/")),
        "{report:#}"
    );
    // Without the CA the target cannot be reached at all.
    let out = wirefault(&["audit", &https, "--timeout", "2"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A YAML-only document found on the target leads to `/users/{user_id}`,
/// whose missing id is answered 500.
#[test]
fn yaml_document_leads_to_a_500_on_a_missing_id() {
    let app = uvicorn("http_starlette_yaml", &[]);
    let report = assert_found(&url(&app), &[], &["WF-HTTP-001"]);
    assert!(
        report["notes"].to_string().contains("/openapi.yaml"),
        "{report:#}"
    );
    assert!(
        places(&report, "WF-HTTP-001")
            .iter()
            .any(|u| u.ends_with("/users/2147483647")),
        "{report:#}"
    );
    // Given another document, the auditor never learns of /users/{id}.
    let other = fixtures::data("openapi.json");
    assert_found(&url(&app), &["--openapi", &other], &[]);
}

/// No document: the index page links to a page whose 500 shows a stack
/// trace; the link is how the auditor gets there.
#[test]
fn stack_trace_page_is_found_through_the_index_links() {
    let app = node("http_express_error_pages.js", false);
    let report = assert_found(&url(&app), &[], &["WF-HTTP-008"]);
    assert_eq!(
        places(&report, "WF-HTTP-008"),
        [format!("{}500", url(&app))],
        "{report:#}"
    );
}

/// CORS wrong only under /api/: found when the API path is given.
#[test]
fn cors_wrong_only_on_the_api_path() {
    let app = flask("http_flask_cors_api.py");
    let origin = ["--origin", "https://app.example.com"];
    assert_found(&url(&app), &origin, &[]);
    let report = assert_found(
        &url(&app),
        &[origin[0], origin[1], "--path", "/api/notes"],
        &["WF-CORS-002"],
    );
    assert!(
        places(&report, "WF-CORS-002")
            .iter()
            .all(|u| u.contains("/api/notes")),
        "{report:#}"
    );
}

/// A handler that crashes on a field of the wrong type: found from a valid
/// body's variants, and not without one.
#[test]
fn wrong_typed_field_is_found_from_a_valid_body() {
    let app = node("http_express_orders.js", true);
    let path = ["--path", "/api/orders"];
    assert_found(&url(&app), &path, &[]);
    let report = assert_found(
        &url(&app),
        &[
            path[0],
            path[1],
            "--body",
            r#"POST /api/orders={"item": "bread", "quantity": 2}"#,
        ],
        &["WF-HTTP-004"],
    );
    let text = report.to_string();
    assert!(text.contains("12345"), "{report:#}");
}

/// `true` when a finding of `rule` was rated `severity` at a URL holding
/// `at`, with a context holding `why`.
fn has(report: &serde_json::Value, rule: &str, severity: &str, at: &str, why: &str) -> bool {
    report["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"] == rule
            && f["severity"] == severity
            && f["request"]["url"]
                .as_str()
                .unwrap_or_default()
                .contains(at)
            && f["context"].as_str().unwrap_or_default().contains(why)
    })
}

/// Node's own `http` module, its errors all empty, a handler that ignores
/// the method, a route that computes from any two numbers and one that
/// fails every third call: stock error bodies, a method-blind handler, a
/// computation and an intermittent 5xx are all only noted.
#[test]
fn a_plain_node_service_is_judged_by_evidence_not_by_its_stack() {
    let app = node("http_node_quotes.js", true);
    let report = assert_found(
        &url(&app),
        &["--path", "/quotes/{id}", "--path", "/add/{a}/{b}"],
        &[],
    );
    for (rule, at, why) in [
        ("WF-HTTP-001", "/quotes/", "intermittent 5xx"),
        ("WF-HTTP-001", "/add/", "no evidence"),
        ("WF-HTTP-002", "/", "whatever the method"),
        ("WF-HTTP-006", "/", "no evidence"),
    ] {
        assert!(
            has(&report, rule, "info", at, why),
            "{rule} {at}: {report:#}"
        );
    }
}

/// Flask pages: a `/<name>/` route behind Werkzeug's trailing-slash
/// redirect, and a 406 to `Accept: application/json` that comes before
/// the 405: the redirect is followed and the 406 asked again, so nothing
/// is reported at warning or above.
#[test]
fn redirects_are_followed_and_a_406_is_asked_again() {
    let app = flask("http_flask_pages.py");
    let report = assert_found(&url(&app), &[], &[]);
    let text = report.to_string();
    assert!(
        text.contains("*/*"),
        "the 406 was not asked again: {report:#}"
    );
    assert!(!report.to_string().contains("WF-HTTP-001"), "{report:#}");
}

/// A body that makes the service exit: an error on that request, every
/// probe after it listed as not run in every format, exit 1.
#[test]
fn a_body_that_kills_the_service_is_an_error_and_the_rest_is_not_run() {
    let args = [
        "--path",
        "/api/notes",
        "--body",
        r#"POST /api/notes={"text": "hello"}"#,
    ];
    let app = node("http_express_crash_on_body.js", true);
    let report = assert_found(&url(&app), &args, &["WF-HTTP-012"]);
    let crash = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "WF-HTTP-012")
        .unwrap();
    assert_eq!(crash["severity"], "error");
    assert_eq!(crash["request"]["method"], "POST", "{report:#}");
    assert_eq!(crash["request"]["body"], "null", "{report:#}");
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped.len() >= 3
            && skipped
                .iter()
                .all(|s| s["reason"].as_str().unwrap_or_default().contains("not run")),
        "{report:#}"
    );
    for (format, marker) in [
        ("human", "not run: the service had stopped"),
        ("junit", "not run: the service had stopped"),
        ("sarif", "not run: the service had stopped"),
    ] {
        let app = node("http_express_crash_on_body.js", true);
        let mut all = vec!["audit", "--format", format];
        let target = url(&app);
        all.push(&target);
        all.extend(args);
        let out = wirefault(&all);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {text}");
        assert!(text.contains(marker), "{format}: {text}");
        assert!(text.contains("WF-HTTP-012"), "{format}: {text}");
    }
}

/// A documented request schema without an example: the auditor builds a
/// valid body from it, says so, and its wrong-typed `name` finds the 500.
#[test]
fn schema_built_body_finds_a_500() {
    let app = node("http_express_documented_tags.js", true);
    let report = assert_found(&url(&app), &[], &["WF-HTTP-004"]);
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("built from the schema") && notes.contains("POST /tags"),
        "{report:#}"
    );
    let crash = finding(&report, "WF-HTTP-004");
    assert_eq!(crash["request"]["body"], r#"{"name":12345}"#, "{report:#}");
    // The human report says so too.
    let human = wirefault(&["audit", &url(&app), "--timeout", "3"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("note: request bodies built from the schema") && text.contains("POST /tags"),
        "{text}"
    );
}

/// `{}` is one of a valid body's variants: an empty 400 for it, on a
/// service whose other errors are JSON, is found; without `--body` it is
/// not reached.
#[test]
fn empty_object_variant_finds_an_empty_400() {
    let app = node("http_express_contacts_empty_body.js", true);
    let path = ["--path", "/api/contacts"];
    assert_found(&url(&app), &path, &[]);
    let report = assert_found(
        &url(&app),
        &[
            path[0],
            path[1],
            "--body",
            r#"POST /api/contacts={"name": "Ada", "email": "ada@example.com"}"#,
        ],
        &["WF-HTTP-006"],
    );
    let empty = finding(&report, "WF-HTTP-006");
    assert_eq!(empty["request"]["body"], "{}", "{report:#}");
}

/// An untyped `{id}` in `--path` is missed as a number too: an integer
/// route (text is Flask's own 404) answering 200 with an error object.
#[test]
fn untyped_path_parameter_gets_a_numeric_miss() {
    let app = flask("http_flask_int_route.py");
    let report = assert_found(&url(&app), &["--path", "/items/{id}"], &["WF-HTTP-001"]);
    assert_eq!(
        places(&report, "WF-HTTP-001"),
        [format!("{}items/2147483647", url(&app))],
        "{report:#}"
    );
}

/// The document's API keys (header, query, cookie) and bearer token,
/// checked by dependencies that answer 401 with a challenge: nothing at
/// warning or above, with or without the audit's own key.
#[test]
fn fastapi_security_docs_style_is_clean() {
    let app = uvicorn("http_fastapi_security", &[]);
    assert_found(&url(&app), &[], &[]);
    assert_found(&url(&app), &["-H", "X-API-Key: key-for-the-audit"], &[]);
}

/// `APIKeyHeader` and `HTTPBearer` used alone let any key in: found on both
/// operations the document protects, from the bogus credentials, which
/// the report shows; the user's are never shown.
#[test]
fn fastapi_presence_only_check_lets_a_bogus_key_in() {
    let app = uvicorn("http_fastapi_security_presence", &[]);
    let report = assert_found(&url(&app), &[], &["WF-HTTP-011"]);
    let seen = places(&report, "WF-HTTP-011");
    assert!(seen.iter().any(|u| u.ends_with("/items/")), "{report:#}");
    assert!(seen.iter().any(|u| u.ends_with("/users/me")), "{report:#}");
    assert!(
        seen.iter()
            .any(|u| u.ends_with("/export?api_key=wirefault-bogus-credential")),
        "{report:#}"
    );
    let text = report.to_string();
    assert!(text.contains("wirefault-bogus-credential"), "{report:#}");
    // The public route is not judged.
    assert!(!seen.iter().any(|u| u.ends_with("/status")), "{report:#}");
    let with_key = assert_found(
        &url(&app),
        &["-H", "X-API-Key: real-secret-key"],
        &["WF-HTTP-011"],
    );
    assert!(
        !with_key.to_string().contains("real-secret-key"),
        "{with_key:#}"
    );
}

/// A 401 without `WWW-Authenticate`, for no key and a bogus one.
#[test]
fn fastapi_401_without_a_challenge() {
    let app = uvicorn("http_fastapi_security_no_challenge", &[]);
    let report = assert_found(&url(&app), &[], &["WF-HTTP-009"]);
    let places = places(&report, "WF-HTTP-009");
    assert!(places.iter().all(|u| u.contains("/items/")), "{report:#}");
}

/// Express with an API-key middleware and a document: 401 with a challenge
/// for no key, 403 for a wrong one, `security: []` on /health.
#[test]
fn express_api_key_middleware_is_clean() {
    let app = node("http_express_apikey.js", true);
    assert_found(&url(&app), &[], &[]);
    assert_found(&url(&app), &["-H", "X-API-Key: key-for-the-audit"], &[]);
}

/// A middleware that only checks the header is there: with no document,
/// found when the audit is given a key (refused without it, a bogus copy
/// let in), and not without one.
#[test]
fn express_presence_only_middleware_is_found_from_the_audits_key() {
    let app = node("http_express_apikey_presence.js", true);
    let path = ["--path", "/api/reports"];
    assert_found(&url(&app), &path, &[]);
    let report = assert_found(
        &url(&app),
        &[path[0], path[1], "-H", "X-API-Key: some-real-key"],
        &["WF-HTTP-011"],
    );
    assert_eq!(
        places(&report, "WF-HTTP-011"),
        [format!("{}api/reports", url(&app))],
        "{report:#}"
    );
    let bogus = finding(&report, "WF-HTTP-011");
    assert!(
        bogus["request"]["headers"]
            .to_string()
            .contains("wirefault-bogus-credential"),
        "{report:#}"
    );
}

/// Optional authentication (`auto_error=False`, a bogus token refused):
/// the anonymous 200 on an operation FastAPI lists as protected is noted
/// only.
#[test]
fn fastapi_optional_authentication_is_noted_only() {
    let app = uvicorn("http_fastapi_security_optional", &[]);
    let report = assert_found(&url(&app), &[], &[]);
    let optional = finding(&report, "WF-HTTP-011");
    assert_eq!(optional["severity"], "info", "{report:#}");
    assert!(
        optional["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/feed"),
        "{report:#}"
    );
}
