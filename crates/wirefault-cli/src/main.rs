//! `wirefault`: the command-line auditor.
//!
//! `wirefault audit URL` probes a running service over HTTP, CORS and
//! WebSocket and reports every rule it breaks; `wirefault rules` lists the
//! rules and `wirefault explain ID` prints how to fix one; `wirefault
//! completions SHELL` and `wirefault man` print a completion script and the
//! man page. Exit codes: see [`exit`].

mod audit;
mod checks;
mod cli;
mod exit;
mod filter;
mod finding;
mod manual;
mod model;
mod net;
mod probe;
mod report;
mod rules;
mod target;
mod tls;

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => exit::report_error(&error),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Rules => {
            let mut out = String::new();
            for rule in rules::ALL {
                out.push_str(&format!(
                    "{:<12} {:<8} {}\n",
                    rule.id, rule.severity, rule.title
                ));
            }
            print(&out)?;
            Ok(ExitCode::from(exit::CLEAN))
        }
        Command::Explain { id } => {
            let rule = rules::find(&id)
                .ok_or_else(|| anyhow::anyhow!("no rule `{id}` (see `wirefault rules`)"))?;
            let docs = rules::docs(rule).unwrap_or(rule.title);
            print(&format!("{docs}\n"))?;
            Ok(ExitCode::from(exit::CLEAN))
        }
        Command::Completions { shell } => {
            print_bytes(&manual::completions(shell))?;
            Ok(ExitCode::from(exit::CLEAN))
        }
        Command::Man { dir } => {
            let pages = manual::write_man_pages(&dir)
                .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
            let mut out = String::new();
            for page in pages {
                out.push_str(&format!("{}\n", page.display()));
            }
            print(&out)?;
            Ok(ExitCode::from(exit::CLEAN))
        }
        Command::Audit(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            let audit = runtime.block_on(audit::run(&args))?;
            print(&report::render(&audit, args.format))?;
            Ok(ExitCode::from(if audit.failing() {
                exit::FINDINGS
            } else {
                exit::CLEAN
            }))
        }
    }
}

/// Writes to stdout; a closed pipe is not an error worth a panic.
fn print(text: &str) -> anyhow::Result<()> {
    print_bytes(text.as_bytes())
}

/// [`print`] for bytes.
fn print_bytes(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
