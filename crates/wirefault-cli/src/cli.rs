//! Command-line interface (clap derive).

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::rules::{Rule, Severity};

/// Audit a running service for protocol-specific error handling mistakes:
/// HTTP status codes and error bodies, CORS, and WebSocket close frames.
#[derive(Debug, Parser)]
#[command(name = "wirefault", version, propagate_version = true)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Probe a running service and report every rule it breaks.
    #[command(
        after_help = "Exit codes: 0 no finding at or above --fail-on; 1 findings at or above \
--fail-on; 2 usage error, refused or unreachable target, unreadable OpenAPI document.\n\
Targets other than loopback and private test hosts need --allow-remote."
    )]
    Audit(Box<AuditArgs>),
    /// List the rules: id, severity, title.
    Rules,
    /// Print the documentation of one rule (why, and how to fix it).
    Explain {
        /// A rule id, e.g. WF-HTTP-001.
        id: String,
    },
    /// Print a shell completion script, e.g.
    /// `wirefault completions bash > ~/.local/share/bash-completion/completions/wirefault`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write the man pages (wirefault.1, wirefault-audit.1, ...) into a directory.
    Man {
        /// The directory, e.g. ~/.local/share/man/man1 (created if missing).
        dir: PathBuf,
    },
}

/// Arguments of `wirefault audit`.
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Base URL of the service, e.g. http://127.0.0.1:3000/
    pub(crate) url: String,

    /// An origin the service should trust for CORS and WebSocket, e.g.
    /// https://app.example.com (repeatable; each is checked, with look-alikes of each).
    #[arg(long, value_name = "ORIGIN")]
    pub(crate) origin: Vec<String>,

    /// A WebSocket endpoint path on the target's host, e.g. /ws (repeatable).
    #[arg(long = "ws", value_name = "PATH", value_parser = parse_ws_path)]
    pub(crate) ws: Vec<String>,

    /// An OpenAPI 3.0/3.1 document, JSON or YAML, as a file or an http(s) URL.
    /// Without it the target is asked at the usual places (/openapi.json, ...).
    #[arg(long, value_name = "FILE|URL")]
    pub(crate) openapi: Option<String>,

    /// An endpoint path on the target, probed like the document's paths
    /// (repeatable; may hold {param} placeholders and a query string).
    #[arg(long = "path", value_name = "PATH", value_parser = parse_path)]
    pub(crate) paths: Vec<String>,

    /// A valid JSON body for an endpoint, "METHOD PATH=JSON" (repeatable);
    /// invalid variants of it are sent, never the body itself.
    #[arg(long = "body", value_name = "METHOD PATH=JSON", value_parser = parse_body)]
    pub(crate) bodies: Vec<BodyArg>,

    /// A valid message for a WebSocket path, "PATH=TEXT", JSON or not
    /// (repeatable, also for one path: several messages of its protocol;
    /// the path is probed as with --ws). Each is sent on its own session;
    /// bad input goes alone and after the first; JSON ones get variants.
    #[arg(long = "ws-message", value_name = "PATH=TEXT", value_parser = parse_ws_message)]
    pub(crate) ws_messages: Vec<WsMessage>,

    /// The WebSocket subprotocol to ask for (Sec-WebSocket-Protocol).
    #[arg(long = "ws-protocol", value_name = "NAME", value_parser = parse_token)]
    pub(crate) ws_protocol: Option<String>,

    /// A PEM file of CA certificates to trust besides the bundled web roots.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Option<PathBuf>,

    /// Accept any TLS certificate (said in the report).
    #[arg(long)]
    pub(crate) insecure: bool,

    /// A PEM file with a client certificate (and its chain) and its private
    /// key, presented on every TLS handshake (mutual TLS).
    #[arg(long, value_name = "FILE")]
    pub(crate) client_cert: Option<PathBuf>,

    /// A header for every probe, "Name: value" (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub(crate) headers: Vec<HeaderArg>,

    /// A cookie for every probe, "name=value" (repeatable).
    #[arg(long = "cookie", value_name = "NAME=VALUE", value_parser = parse_cookie)]
    pub(crate) cookies: Vec<Secret>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,

    /// Exit 1 when a finding of this severity or above is found.
    #[arg(long, value_enum, default_value_t = Severity::Warning, value_name = "SEVERITY")]
    pub(crate) fail_on: Severity,

    /// Probes in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) concurrency: u16,

    /// Seconds each probe may take (request, or WebSocket wait for a close).
    #[arg(long, default_value_t = 5.0, value_parser = parse_timeout)]
    pub(crate) timeout: f64,

    /// Allow targets other than loopback and private test hosts.
    #[arg(long)]
    pub(crate) allow_remote: bool,

    /// Leave out a rule's findings, everywhere or on one path: "RULE" or
    /// "RULE:PATH" (a trailing `*` matches any rest) (repeatable).
    #[arg(long, value_name = "RULE[:PATH]", value_parser = parse_ignore)]
    pub(crate) ignore: Vec<Ignore>,

    /// Report only this rule's findings (repeatable).
    #[arg(long, value_name = "RULE", value_parser = parse_rule)]
    pub(crate) only: Vec<&'static Rule>,

    /// A previous JSON report: its findings are reported as known and do not
    /// count for the exit code; only new ones do.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,

    /// Allow PUT and PATCH probes: bad bodies, body variants and unsupported
    /// methods (DELETE is never sent).
    #[arg(long)]
    pub(crate) allow_destructive: bool,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A readable report.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML, one test case per rule.
    Junit,
}

/// A string whose value never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A `--header` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeaderArg {
    /// Header name as given.
    pub(crate) name: String,
    /// Header value (may be a credential).
    pub(crate) value: Secret,
}

fn parse_header(raw: &str) -> Result<HeaderArg, String> {
    let (name, value) = raw
        .split_once(':')
        .ok_or_else(|| format!("`{raw}` is not \"Name: value\""))?;
    let name = name.trim();
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("`{name}` is not a valid header name"));
    }
    let value = value.trim();
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err("a header value cannot contain CR, LF or NUL".into());
    }
    Ok(HeaderArg {
        name: name.to_owned(),
        value: Secret(value.to_owned()),
    })
}

fn parse_cookie(raw: &str) -> Result<Secret, String> {
    let (name, _) = raw
        .split_once('=')
        .ok_or_else(|| "a cookie is \"name=value\"".to_owned())?;
    if name.trim().is_empty() || raw.bytes().any(|b| b == b';' || b.is_ascii_control()) {
        return Err("a cookie is one \"name=value\" without `;` or control characters".into());
    }
    Ok(Secret(raw.trim().to_owned()))
}

/// A `--body` value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BodyArg {
    /// Uppercase method: POST, PUT or PATCH.
    pub(crate) method: String,
    /// Path on the target (may hold `{param}` placeholders).
    pub(crate) path: String,
    /// The valid body.
    pub(crate) json: serde_json::Value,
}

fn parse_body(raw: &str) -> Result<BodyArg, String> {
    let usage =
        || format!("`{raw}` is not \"METHOD PATH=JSON\", e.g. 'POST /items={{\"name\":\"a\"}}'");
    let (method, rest) = raw.trim_start().split_once(' ').ok_or_else(usage)?;
    let method = method.to_ascii_uppercase();
    if !matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
        return Err(format!("--body: {method} is not POST, PUT or PATCH"));
    }
    let (path, json) = rest.trim_start().split_once('=').ok_or_else(usage)?;
    let path = parse_path(path.trim())?;
    let json: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("--body {method} {path}: not JSON: {e}"))?;
    Ok(BodyArg { method, path, json })
}

fn parse_path(raw: &str) -> Result<String, String> {
    parse_ws_path(raw)
}

fn parse_ws_path(raw: &str) -> Result<String, String> {
    if raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.bytes().any(|b| b.is_ascii_control() || b == b' ')
    {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "`{raw}` is not a path on the target's host, like /ws"
        ))
    }
}

/// A `--ws-message` value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WsMessage {
    /// The WebSocket path.
    pub(crate) path: String,
    /// The sample message: any text, JSON or not.
    pub(crate) sample: String,
}

fn parse_ws_message(raw: &str) -> Result<WsMessage, String> {
    let invalid =
        || format!("`{raw}` is not PATH=TEXT, like /ws={{\"op\":\"ping\"}} or /chat=hello");
    // The path may hold `=` in its query: the first `=` after which the
    // rest is JSON wins; else the first `=` outside the query's own
    // `key=value` pairs.
    let json = raw
        .match_indices('=')
        .find(|(at, _)| serde_json::from_str::<serde_json::Value>(&raw[at + 1..]).is_ok());
    let at = match json {
        Some((at, _)) => at,
        None => message_split(raw).ok_or_else(invalid)?,
    };
    let (path, text) = (&raw[..at], &raw[at + 1..]);
    if text.is_empty() {
        return Err(invalid());
    }
    Ok(WsMessage {
        path: parse_ws_path(path)?,
        sample: text.to_owned(),
    })
}

/// Where a text message starts in `PATH=TEXT`: the first `=` before any
/// `?`, or, in a query, the first `=` inside a value (`?token=t=hello`).
fn message_split(raw: &str) -> Option<usize> {
    let query = raw.find('?');
    let mut in_value = false;
    for (at, c) in raw.char_indices() {
        match (query, c) {
            (None, '=') => return Some(at),
            (Some(q), '=') if at < q => return Some(at),
            (Some(q), '=') if at > q && in_value => return Some(at),
            (Some(q), '=') if at > q => in_value = true,
            (Some(q), '&') if at > q => in_value = false,
            _ => {}
        }
    }
    None
}

fn parse_token(raw: &str) -> Result<String, String> {
    let valid = !raw.is_empty()
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if valid {
        Ok(raw.to_owned())
    } else {
        Err(format!("`{raw}` is not a subprotocol name (an HTTP token)"))
    }
}

fn parse_rule(raw: &str) -> Result<&'static Rule, String> {
    crate::rules::find(raw).ok_or_else(|| format!("no rule `{raw}` (see `wirefault rules`)"))
}

/// An `--ignore` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ignore {
    /// The rule id.
    pub(crate) rule: &'static str,
    /// A URL path (with an optional trailing `*`), or every path.
    pub(crate) path: Option<String>,
}

fn parse_ignore(raw: &str) -> Result<Ignore, String> {
    let (rule, path) = match raw.split_once(':') {
        Some((rule, path)) => (rule, Some(path)),
        None => (raw, None),
    };
    let rule = parse_rule(rule)?.id;
    let path = match path {
        Some(path) if path.starts_with('/') => Some(path.to_owned()),
        Some(path) => return Err(format!("`{path}` is not a path like /ws or /api/*")),
        None => None,
    };
    Ok(Ignore { rule, path })
}

fn parse_timeout(raw: &str) -> Result<f64, String> {
    let secs: f64 = raw
        .parse()
        .map_err(|_| format!("`{raw}` is not a number of seconds"))?;
    if secs.is_finite() && (0.1..=300.0).contains(&secs) {
        Ok(secs)
    } else {
        Err("the timeout must be between 0.1 and 300 seconds".into())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn audit(args: &[&str]) -> AuditArgs {
        let mut all = vec!["wirefault", "audit"];
        all.extend_from_slice(args);
        match Cli::try_parse_from(all).unwrap().command {
            Command::Audit(a) => *a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let a = audit(&["http://127.0.0.1:3000"]);
        assert_eq!(a.format, Format::Human);
        assert_eq!(a.fail_on, Severity::Warning);
        assert_eq!(a.concurrency, 4);
        assert!((a.timeout - 5.0).abs() < f64::EPSILON);
        assert!(!a.allow_remote && !a.allow_destructive);
        assert!(a.ws.is_empty() && a.origin.is_empty());
        assert!(a.paths.is_empty() && a.bodies.is_empty() && !a.insecure);
        assert!(a.ignore.is_empty() && a.only.is_empty() && a.baseline.is_none());
        assert!(a.ws_messages.is_empty() && a.ws_protocol.is_none());
    }

    #[test]
    fn ws_messages_take_any_text() {
        let parse = |raw: &str| parse_ws_message(raw).map(|m| (m.path, m.sample));
        let pair = |p: &str, t: &str| Ok((p.to_owned(), t.to_owned()));
        assert_eq!(parse("/chat=hello"), pair("/chat", "hello"));
        assert_eq!(parse("/chat=a=b"), pair("/chat", "a=b"));
        assert_eq!(parse("/ws={not json"), pair("/ws", "{not json"));
        assert_eq!(parse("/ws?token=t0k=hi"), pair("/ws?token=t0k", "hi"));
        assert_eq!(parse("/ws?a=1&b=2=x=y"), pair("/ws?a=1&b=2", "x=y"));
        assert_eq!(parse(r#"/ws?t=k={"a":1}"#), pair("/ws?t=k", r#"{"a":1}"#));
        assert!(parse("/ws?token=x").is_err());
        let a = audit(&["u", "--ws-message", "/c=alice", "--ws-message", "/c=/join"]);
        assert_eq!(a.ws_messages.len(), 2);
        assert_eq!(a.ws_messages[1].sample, "/join");
    }

    #[test]
    fn ws_messages_filters_and_baseline() {
        let a = audit(&[
            "u",
            "--ws-message",
            r#"/ws?room=a={"op":"ping","n":1}"#,
            "--ws-protocol",
            "chat.v1",
            "--ignore",
            "wf-http-007",
            "--ignore",
            "WF-WS-003:/ws/*",
            "--only",
            "WF-WS-006",
            "--baseline",
            "old.json",
        ]);
        assert_eq!(a.ws_messages[0].path, "/ws?room=a");
        assert_eq!(a.ws_messages[0].sample, r#"{"op":"ping","n":1}"#);
        assert_eq!(a.ws_protocol.as_deref(), Some("chat.v1"));
        assert_eq!(
            a.ignore,
            [
                Ignore {
                    rule: "WF-HTTP-007",
                    path: None
                },
                Ignore {
                    rule: "WF-WS-003",
                    path: Some("/ws/*".into())
                }
            ]
        );
        assert_eq!(a.only[0].id, "WF-WS-006");
        assert_eq!(a.baseline, Some(PathBuf::from("old.json")));
    }

    #[test]
    fn every_flag() {
        let a = audit(&[
            "http://127.0.0.1:3000",
            "--origin",
            "https://app.example.com",
            "--ws",
            "/ws",
            "--ws",
            "/chat",
            "--openapi",
            "api.json",
            "-H",
            "Authorization: Bearer t",
            "--cookie",
            "sid=1",
            "--format",
            "sarif",
            "--fail-on",
            "error",
            "--concurrency",
            "8",
            "--timeout",
            "0.5",
            "--allow-remote",
            "--allow-destructive",
            "--origin",
            "http://localhost:5173",
            "--path",
            "/items/{id}?q=1",
            "--body",
            "post /items={\"name\": \"a=b\"}",
            "--ca-cert",
            "ca.pem",
            "--insecure",
        ]);
        assert_eq!(a.origin.len(), 2);
        assert_eq!(a.paths, ["/items/{id}?q=1"]);
        assert_eq!(a.bodies[0].method, "POST");
        assert_eq!(a.bodies[0].path, "/items");
        assert_eq!(a.bodies[0].json["name"], "a=b");
        assert!(a.insecure && a.ca_cert.is_some());
        assert_eq!(a.ws, ["/ws", "/chat"]);
        assert_eq!(a.headers[0].name, "Authorization");
        assert_eq!(a.headers[0].value.0, "Bearer t");
        assert_eq!(a.cookies, [Secret("sid=1".into())]);
        assert_eq!(a.format, Format::Sarif);
        assert_eq!(a.fail_on, Severity::Error);
        assert_eq!(a.concurrency, 8);
        assert!(a.allow_remote && a.allow_destructive);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        for args in [
            vec!["wirefault", "audit"],
            vec!["wirefault", "audit", "u", "--format", "xml"],
            vec!["wirefault", "audit", "u", "--fail-on", "fatal"],
            vec!["wirefault", "audit", "u", "--concurrency", "0"],
            vec!["wirefault", "audit", "u", "--timeout", "-1"],
            vec!["wirefault", "audit", "u", "--timeout", "NaN"],
            vec!["wirefault", "audit", "u", "-H", "no colon"],
            vec!["wirefault", "audit", "u", "-H", "bad name: x"],
            vec!["wirefault", "audit", "u", "--cookie", "novalue"],
            vec!["wirefault", "audit", "u", "--cookie", "a=1; b=2"],
            vec!["wirefault", "audit", "u", "--ws", "ws://127.0.0.1/ws"],
            vec!["wirefault", "audit", "u", "--ws", "//evil.example/ws"],
            vec!["wirefault", "audit", "u", "--path", "items"],
            vec!["wirefault", "audit", "u", "--body", "GET /x={}"],
            vec!["wirefault", "audit", "u", "--body", "POST /x={"],
            vec!["wirefault", "audit", "u", "--body", "POST /x"],
            vec!["wirefault", "audit", "u", "--ws-message", "/ws"],
            vec!["wirefault", "audit", "u", "--ws-message", "/ws="],
            vec!["wirefault", "audit", "u", "--ws-message", "/ws?token=x"],
            vec!["wirefault", "audit", "u", "--ws-message", "ws={}"],
            vec!["wirefault", "audit", "u", "--ws-protocol", "a b"],
            vec!["wirefault", "audit", "u", "--ignore", "WF-NOPE-1"],
            vec!["wirefault", "audit", "u", "--ignore", "WF-WS-001:ws"],
            vec!["wirefault", "audit", "u", "--only", "nope"],
        ] {
            assert!(Cli::try_parse_from(&args).is_err(), "{args:?}");
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let a = audit(&[
            "u",
            "-H",
            "Authorization: Bearer hunter2",
            "--cookie",
            "sid=hunter2",
        ]);
        assert!(!format!("{a:?}").contains("hunter2"));
    }

    #[test]
    fn rules_and_explain() {
        assert!(matches!(
            Cli::try_parse_from(["wirefault", "rules"]).unwrap().command,
            Command::Rules
        ));
        match Cli::try_parse_from(["wirefault", "explain", "WF-WS-001"])
            .unwrap()
            .command
        {
            Command::Explain { id } => assert_eq!(id, "WF-WS-001"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn completions_and_man() {
        match Cli::try_parse_from(["wirefault", "completions", "zsh"])
            .unwrap()
            .command
        {
            Command::Completions { shell } => assert_eq!(shell, clap_complete::Shell::Zsh),
            other => panic!("{other:?}"),
        }
        assert!(Cli::try_parse_from(["wirefault", "completions", "tcsh"]).is_err());
        assert!(matches!(
            Cli::try_parse_from(["wirefault", "man", "out"]).unwrap().command,
            Command::Man { dir } if dir == std::path::Path::new("out")
        ));
    }
}
