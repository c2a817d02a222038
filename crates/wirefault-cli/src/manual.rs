//! Shell completions and the man pages, generated from the clap definition
//! (`clap_complete`, `clap_mangen`), so they list exactly the flags that parse.

use std::path::{Path, PathBuf};

use clap::CommandFactory as _;

use crate::cli::Cli;

/// The completion script for `shell`, for `wirefault completions SHELL`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "wirefault", &mut out);
    out
}

/// Writes the man pages into `dir` (`wirefault.1`, and one per subcommand:
/// `wirefault-audit.1`, ...), for `wirefault man DIR`; returns their paths.
pub(crate) fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    clap_mangen::generate_to(Cli::command(), dir)?;
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("wirefault") && name.ends_with(".1") {
            pages.push(path);
        }
    }
    pages.sort();
    Ok(pages)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn completions_name_the_subcommands_and_flags() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let text = String::from_utf8(completions(shell)).unwrap();
            for word in ["audit", "explain", "fail-on", "allow-remote"] {
                assert!(text.contains(word), "{shell:?}: {word}");
            }
        }
    }

    #[test]
    fn a_man_page_per_subcommand() {
        let dir = std::env::temp_dir().join(format!("wirefault-man-{}", std::process::id()));
        let pages = write_man_pages(&dir).unwrap();
        let names: Vec<_> = pages
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for name in [
            "wirefault.1",
            "wirefault-audit.1",
            "wirefault-completions.1",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        let audit = std::fs::read_to_string(dir.join("wirefault-audit.1")).unwrap();
        assert!(audit.contains(".TH wirefault-audit 1"), "title line");
        assert!(audit.contains("fail\\-on"), "audit's options are in it");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
