//! What a finding counts for: `--only RULE`, `--ignore RULE[:PATH]` and
//! `--baseline FILE` (a previous JSON report; its findings are known debts
//! and do not count for the exit code).

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context as _;
use reqwest::Url;

use crate::cli::Ignore;
use crate::finding::{Baseline, Finding};

/// The findings a run keeps and how each counts.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    /// `--only`: rule ids (empty: every rule).
    pub(crate) only: Vec<&'static str>,
    /// `--ignore`.
    pub(crate) ignore: Vec<Ignore>,
    /// `--baseline`: the (rule, URL path) pairs of the previous report.
    pub(crate) baseline: Option<BTreeSet<(String, String)>>,
}

/// The path of a URL (`http://h:1/ws?x=1` is `/ws`); the text itself when
/// it is not a URL. Ports change between runs; paths do not.
fn url_path(url: &str) -> String {
    Url::parse(url).map_or_else(|_| url.to_owned(), |u| u.path().to_owned())
}

fn path_matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => pattern == path,
    }
}

impl Filter {
    /// `true` when `--only` and `--ignore` keep this (ungrouped) finding.
    pub(crate) fn keeps(&self, finding: &Finding) -> bool {
        let id = finding.rule.id;
        if !self.only.is_empty() && !self.only.contains(&id) {
            return false;
        }
        let path = url_path(&finding.request.url);
        !self
            .ignore
            .iter()
            .any(|i| i.rule == id && i.path.as_deref().is_none_or(|p| path_matches(p, &path)))
    }

    /// Whether a grouped finding is new: known when the baseline has its
    /// rule at any of the places it was seen.
    pub(crate) fn baseline_state(&self, finding: &Finding) -> Baseline {
        let Some(known) = &self.baseline else {
            return Baseline::None;
        };
        let seen = finding
            .places()
            .any(|p| known.contains(&(finding.rule.id.to_owned(), url_path(&p.url))));
        if seen {
            Baseline::Known
        } else {
            Baseline::New
        }
    }
}

/// Reads the (rule, URL path) pairs of a previous `--format json` report.
pub(crate) fn load_baseline(path: &Path) -> anyhow::Result<BTreeSet<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the baseline {}", path.display()))?;
    parse_baseline(&text).with_context(|| {
        format!(
            "{} is not a wirefault JSON report (--format json)",
            path.display()
        )
    })
}

fn parse_baseline(text: &str) -> anyhow::Result<BTreeSet<(String, String)>> {
    let doc: serde_json::Value = serde_json::from_str(text)?;
    let findings = doc["findings"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("no `findings` list"))?;
    let mut known = BTreeSet::new();
    for finding in findings {
        let rule = finding["rule"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("a finding without `rule`"))?;
        let urls = std::iter::once(&finding["request"]["url"]).chain(
            finding["also_seen"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| &p["url"]),
        );
        for url in urls.filter_map(serde_json::Value::as_str) {
            known.insert((rule.to_owned(), url_path(url)));
        }
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::rules;

    fn finding(rule: &'static rules::Rule, url: &str) -> Finding {
        crate::finding::test_finding(rule, url, "seen")
    }

    #[test]
    fn only_and_ignore() {
        let filter = Filter {
            only: vec!["WF-WS-003", "WF-HTTP-007"],
            ignore: vec![Ignore {
                rule: "WF-HTTP-007",
                path: Some("/api/*".into()),
            }],
            baseline: None,
        };
        assert!(filter.keeps(&finding(rules::WS_NO_CLOSE, "http://h:1/ws")));
        assert!(!filter.keeps(&finding(rules::WS_DROPPED, "http://h:1/ws")));
        assert!(filter.keeps(&finding(rules::HTTP_ERROR_NOT_TYPED, "http://h:1/x")));
        assert!(!filter.keeps(&finding(
            rules::HTTP_ERROR_NOT_TYPED,
            "http://h:1/api/x?y=1"
        )));
        let everywhere = Filter {
            ignore: vec![Ignore {
                rule: "WF-WS-003",
                path: None,
            }],
            ..Filter::default()
        };
        assert!(!everywhere.keeps(&finding(rules::WS_NO_CLOSE, "http://h:1/ws")));
        assert!(everywhere.keeps(&finding(rules::WS_DROPPED, "http://h:1/ws")));
    }

    #[test]
    fn baseline_matches_rule_and_path_across_ports() {
        let report = r#"{"findings": [
            {"rule": "WF-WS-003", "request": {"url": "http://127.0.0.1:4000/ws"},
             "also_seen": [{"url": "http://127.0.0.1:4000/chat"}]}
        ]}"#;
        let filter = Filter {
            baseline: Some(parse_baseline(report).unwrap()),
            ..Filter::default()
        };
        let known = finding(rules::WS_NO_CLOSE, "http://127.0.0.1:5000/chat");
        assert_eq!(filter.baseline_state(&known), Baseline::Known);
        let other_rule = finding(rules::WS_DROPPED, "http://127.0.0.1:5000/ws");
        assert_eq!(filter.baseline_state(&other_rule), Baseline::New);
        assert_eq!(Filter::default().baseline_state(&known), Baseline::None);
        assert!(parse_baseline("{}").is_err());
        assert!(parse_baseline("not json").is_err());
    }
}
