//! The auditor's HTTP sample-app corpus (`tests/apps/corpus.toml`): apps of
//! many frameworks and languages, written the way each framework's docs
//! write them, correct ones and ones with planted mistakes. Each is started
//! as a real process on a free loopback port and audited by the real
//! binary with the arguments its own user would give.
//!
//! For every app the rules found at warning or above must be exactly
//! `expected + known_false_positives - known_misses`: the test fails when
//! the auditor's behaviour changes either way, so the known gaps stay
//! written down. It prints the precision and recall at warning or above
//! per framework (`cargo test --test test_corpus -- --nocapture`).
//!
//! Needs what `scripts/install-test-deps.sh` installs: the Python and Node
//! packages, and the Go and Rust apps built under `target/sample-apps`. The
//! test fails, not skips, when they are missing.
#![allow(clippy::unwrap_used)]

mod fixtures;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Mutex;

use fixtures::apps::{apps_dir, start};
use fixtures::audit_at_warning;

/// Apps audited at once: each audit is short, most of the time goes into
/// starting interpreters, and the machine may have two cores.
const PARALLEL: usize = 4;

/// One app of the corpus, as `corpus.toml` states it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusApp {
    name: String,
    framework: String,
    language: String,
    /// The folder under `tests/apps` it runs in.
    dir: String,
    /// The command; `{port}` is the free port, `{sample_apps}` the folder
    /// the Go and Rust apps are built into.
    run: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// The audit arguments its own user would give.
    #[serde(default)]
    args: Vec<String>,
    /// The rules, at warning or above, that are real mistakes of this app.
    #[serde(default)]
    expected: Vec<String>,
    /// Rules the auditor reports at warning or above that are not mistakes.
    #[serde(default)]
    known_false_positives: Vec<String>,
    /// Expected rules the auditor does not find.
    #[serde(default)]
    known_misses: Vec<String>,
    /// Why: the judgement behind `expected` and each known gap.
    #[serde(default)]
    #[allow(dead_code)]
    notes: String,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    app: Vec<CorpusApp>,
}

/// What one audit found (the rules at warning or above, and what the
/// report lists as not run, for the failure message), or why it could not run.
type Outcome = Result<(BTreeSet<String>, String), String>;

fn set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().cloned().collect()
}

/// `<repo>/target/sample-apps`, where install-test-deps.sh builds the Go
/// and Rust apps.
fn sample_apps_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/sample-apps")
}

fn load() -> Vec<CorpusApp> {
    let path = apps_dir("corpus.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let corpus: Corpus = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    corpus.app
}

/// Starts the app, audits it, and returns the rules found at warning or
/// above. The exit code must agree with them (`--fail-on warning`).
fn audit(app: &CorpusApp) -> Outcome {
    let sample_apps = sample_apps_dir();
    let sample_apps = sample_apps.to_string_lossy();
    let run: Vec<String> = app
        .run
        .iter()
        .map(|a| a.replace("{sample_apps}", &sample_apps))
        .collect();
    let args: Vec<&str> = run[1..].iter().map(String::as_str).collect();
    let env: Vec<(&str, &str)> = app
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    catch_unwind(AssertUnwindSafe(|| {
        let running = start(&apps_dir(&app.dir), &run[0], &args, &env);
        let url = format!("http://127.0.0.1:{}/", running.port);
        let audit_args: Vec<&str> = app.args.iter().map(String::as_str).collect();
        let (ids, code, report) = audit_at_warning(&url, &audit_args);
        assert_eq!(code, i32::from(!ids.is_empty()), "exit code: {report:#}");
        (ids, report["skipped"].to_string())
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "the audit panicked".to_owned())
    })
}

/// Audits every app, at most [`PARALLEL`] at once; the outcomes in corpus order.
fn audit_all(apps: &[CorpusApp]) -> Vec<Outcome> {
    let next = Mutex::new(0usize);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new(apps.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| loop {
                let index = {
                    let mut next = next.lock().unwrap();
                    let index = *next;
                    *next += 1;
                    index
                };
                let Some(app) = apps.get(index) else { return };
                let outcome = audit(app);
                outcomes.lock().unwrap()[index] = Some(outcome);
            });
        }
    });
    outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|o| o.unwrap())
        .collect()
}

/// True and false positives and misses at warning or above, counted by
/// rule per app (several findings of one rule on one app count once, as
/// `expected` lists rules). Precision: true / all found; recall: true /
/// expected.
#[derive(Debug, Default, Clone, Copy)]
struct Score {
    apps: usize,
    true_positives: usize,
    false_positives: usize,
    misses: usize,
}

impl Score {
    fn add(&mut self, expected: &BTreeSet<String>, actual: &BTreeSet<String>) {
        self.apps += 1;
        self.true_positives += actual.intersection(expected).count();
        self.false_positives += actual.difference(expected).count();
        self.misses += expected.difference(actual).count();
    }

    fn ratio(part: usize, whole: usize) -> String {
        if whole == 0 {
            "-".to_owned()
        } else {
            format!("{:.2}", part as f64 / whole as f64)
        }
    }

    fn precision(&self) -> String {
        Self::ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    fn recall(&self) -> String {
        Self::ratio(self.true_positives, self.true_positives + self.misses)
    }
}

/// The per-framework table, in Markdown.
fn table(apps: &[CorpusApp], outcomes: &[Outcome]) -> String {
    let mut by_framework: BTreeMap<(String, String), Score> = BTreeMap::new();
    let mut total = Score::default();
    for (app, outcome) in apps.iter().zip(outcomes) {
        let Ok((actual, _)) = outcome else { continue };
        let expected = set(&app.expected);
        by_framework
            .entry((app.language.clone(), app.framework.clone()))
            .or_default()
            .add(&expected, actual);
        total.add(&expected, actual);
    }
    let mut out = String::from(
        "| language | framework | apps | true warning+ | false warning+ | missed | precision | recall |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut row = |language: &str, framework: &str, s: &Score| {
        out.push_str(&format!(
            "| {language} | {framework} | {} | {} | {} | {} | {} | {} |\n",
            s.apps,
            s.true_positives,
            s.false_positives,
            s.misses,
            s.precision(),
            s.recall()
        ));
    };
    for ((language, framework), score) in &by_framework {
        row(language, framework, score);
    }
    row("all", "all", &total);
    out
}

/// The corpus states itself consistently: a known false positive is not
/// expected, a known miss is.
fn check_corpus(apps: &[CorpusApp]) {
    let mut names = BTreeSet::new();
    for app in apps {
        assert!(names.insert(&app.name), "{}: listed twice", app.name);
        let expected = set(&app.expected);
        for fp in &app.known_false_positives {
            assert!(
                !expected.contains(fp),
                "{}: {fp} is both expected and a known false positive",
                app.name
            );
        }
        for miss in &app.known_misses {
            assert!(
                expected.contains(miss),
                "{}: the known miss {miss} is not expected",
                app.name
            );
        }
    }
}

#[test]
fn corpus_audits_as_recorded() {
    let apps = load();
    check_corpus(&apps);
    let frameworks: BTreeSet<&str> = apps.iter().map(|a| a.framework.as_str()).collect();
    let languages: BTreeSet<&str> = apps.iter().map(|a| a.language.as_str()).collect();
    assert!(
        apps.len() >= 40 && frameworks.len() >= 12 && languages.len() >= 4,
        "{} apps, {} frameworks, {} languages",
        apps.len(),
        frameworks.len(),
        languages.len()
    );
    let outcomes = audit_all(&apps);
    println!("{}", table(&apps, &outcomes));
    let mut failures = Vec::new();
    for (app, outcome) in apps.iter().zip(&outcomes) {
        match outcome {
            Err(why) => failures.push(format!("{}: {why}", app.name)),
            Ok((actual, skipped)) => {
                let mut recorded = set(&app.expected);
                recorded.extend(app.known_false_positives.iter().cloned());
                for miss in &app.known_misses {
                    recorded.remove(miss);
                }
                if *actual != recorded {
                    failures.push(format!(
                        "{}: found {actual:?}, recorded {recorded:?} (expected {:?}, known false positives {:?}, known misses {:?}); not run: {skipped}",
                        app.name, app.expected, app.known_false_positives, app.known_misses
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
