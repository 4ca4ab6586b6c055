//! Where timewarp's documents go: standard output, or `--output FILE` in the `--format` asked
//! for, and `--plot FILE.svg`. Every document (the report, the `--list` view, the history)
//! goes through here, so `--format` and `--output` mean the same thing everywhere.
//!
//! Files are written last and atomically (a temporary file beside the target, renamed into
//! place), so a run that fails or is interrupted never leaves a half-written or emptied file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::export::Format;
use super::model::{History, Listing, Report};
use super::plot;
use super::progress::Progress;
use crate::discover::workspace::Workspace;
use crate::exit::ExitError;
use crate::fs;

/// The outputs a run asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outputs {
    /// The report format.
    pub format: Format,
    /// `--verbose`: CPU and memory columns in the table.
    pub verbose: bool,
    /// `--output`.
    pub output: Option<PathBuf>,
    /// `--plot`.
    pub plot: Option<PathBuf>,
    /// The width the table fits: the terminal's, for standard output; `None` is unlimited.
    pub width: Option<usize>,
}

/// The width a table on standard output should fit: `COLUMNS` when it is set to a number (so
/// that a script or test can ask for one), else the terminal's, else unlimited (a pipe or file).
pub(crate) fn terminal_width(columns: Option<&str>, terminal: Option<usize>) -> Option<usize> {
    columns.and_then(|c| c.trim().parse::<usize>().ok()).filter(|c| *c > 0).or(terminal)
}

impl Outputs {
    /// Fails before any build (with a usage error) when an output could not or must not be
    /// written at the end: a missing directory, `--output` and `--plot` naming one file, a
    /// `--plot` that is not `.svg`, or a file of `workspace`'s build (its manifests, lockfile,
    /// sources and build scripts are never written over).
    pub(crate) fn check(&self, workspace: &Workspace) -> Result<()> {
        if let Some(plot) = self.plot.as_ref().filter(|p| !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")))
        {
            return Err(ExitError::usage(format!(
                "`--plot` draws SVG: name its file `*.svg`, not `{}`",
                plot.display()
            )));
        }
        if let (Some(output), Some(plot)) = (&self.output, &self.plot)
            && resolved(output) == resolved(plot)
        {
            return Err(ExitError::usage(format!("`--output` and `--plot` name the same file `{}`", output.display())));
        }
        for (flag, path) in self.output.iter().map(|p| ("--output", p)).chain(self.plot.iter().map(|p| ("--plot", p))) {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                bail!("cannot write `{}`: the directory `{}` does not exist", path.display(), parent.display());
            }
            if let Some(role) = build_file(workspace, &resolved(path)) {
                return Err(ExitError::usage(format!(
                    "`{flag} {}` would write over {role}; timewarp never changes the files of the build",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// Writes the `--list` view.
    pub(crate) fn listing(&self, listing: &Listing) -> Result<()> {
        self.emit(&self.format.exporter(self.verbose, self.width).listing(listing))
    }

    /// Writes the report, and the plot when one was asked for (a plot that cannot be drawn is a
    /// note, not an error: the report is what matters). Run by GitHub Actions
    /// (`GITHUB_STEP_SUMMARY` names the job summary), it also appends the Markdown report there.
    pub(crate) fn report(&self, report: &Report, progress: &Progress) -> Result<()> {
        self.emit(&self.format.exporter(self.verbose, self.width).report(report))?;
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()) {
            let markdown = Format::Markdown.exporter(false, None).report(report);
            fs::append(Path::new(&summary), format!("### cargo timewarp\n\n{markdown}\n"))?;
        }
        if let Some(path) = &self.plot {
            match plot::render_svg(report) {
                Ok(svg) => fs::write_atomic(path, svg)?,
                Err(e) => progress.note(&format!("no plot written to `{}`: {e:#}", path.display())),
            }
        }
        Ok(())
    }

    /// Writes the history, and its plot when one was asked for.
    pub(crate) fn history(&self, history: &History) -> Result<()> {
        self.emit(&self.format.exporter(self.verbose, self.width).history(history))?;
        if let Some(path) = &self.plot {
            fs::write_atomic(path, plot::history_svg(history)?)?;
        }
        Ok(())
    }

    /// Writes `text` to `--output` or standard output.
    pub(crate) fn emit(&self, text: &str) -> Result<()> {
        if let Some(path) = &self.output {
            return fs::write_atomic(path, text);
        }
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a message.
        match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("could not write to standard output"),
        }
    }
}

/// `path` with its directory made absolute and canonical (the file itself may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let parent = parent.canonicalize().unwrap_or_else(|_| parent.to_path_buf());
    path.file_name().map_or(parent.clone(), |name| parent.join(name))
}

/// What `path` is to the build of `workspace`, when it is one of its files.
fn build_file(workspace: &Workspace, path: &Path) -> Option<String> {
    let root = workspace.root.canonicalize().unwrap_or_else(|_| workspace.root.clone());
    if path == root.join("Cargo.lock") {
        return Some("the workspace's Cargo.lock".into());
    }
    if path == root.join("Cargo.toml") {
        return Some("the workspace's Cargo.toml".into());
    }
    for member in &workspace.members {
        let dir = member.dir.canonicalize().unwrap_or_else(|_| member.dir.clone());
        if path == dir.join("Cargo.toml") {
            return Some(format!("the manifest of `{}`", member.name));
        }
        if path.starts_with(&dir) && path.extension().is_some_and(|e| e == "rs") {
            return Some(format!("a source file of `{}`", member.name));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_outputs_fail_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let ws = crate::testing::workspace(root.to_str().unwrap());
        std::fs::create_dir_all(root.join("src")).unwrap();
        let outputs = |output: Option<PathBuf>, plot: Option<PathBuf>| Outputs {
            format: Format::Json,
            verbose: false,
            output,
            plot,
            width: None,
        };
        let err = |o: Outputs| {
            let e = o.check(&ws).unwrap_err();
            (e.to_string(), crate::exit::code_for(&e))
        };
        let (message, _) = err(outputs(Some("/nonexistent/dir/r.json".into()), None));
        assert_eq!(message, "cannot write `/nonexistent/dir/r.json`: the directory `/nonexistent/dir` does not exist");
        for (output, plot, expected) in [
            (Some(root.join("Cargo.toml")), None, "would write over the workspace's Cargo.toml"),
            (Some(root.join("Cargo.lock")), None, "would write over the workspace's Cargo.lock"),
            (Some(root.join("src/main.rs")), None, "would write over a source file of `app`"),
            (None, Some(root.join("src/../Cargo.toml")), "`--plot` draws SVG: name its file `*.svg`"),
            (Some(root.join("h.svg")), Some(root.join("./h.svg")), "`--output` and `--plot` name the same file"),
        ] {
            let (message, code) = err(outputs(output, plot));
            assert!(message.contains(expected), "{message}");
            assert_eq!(code, crate::exit::USAGE, "{message}");
        }
        outputs(Some(root.join("report.json")), Some(root.join("h.SVG"))).check(&ws).unwrap();
    }

    #[test]
    fn reports_go_to_the_file_in_the_format_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.csv");
        let outputs =
            Outputs { format: Format::Csv, verbose: false, output: Some(file.clone()), plot: None, width: None };
        let progress = Progress::new(true);
        outputs.report(&crate::testing::sample_report(), &progress).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("toolchain,version,"));
        outputs.listing(&crate::testing::sample_listing()).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("toolchain,aliases,"));
    }
}
