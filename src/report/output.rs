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
use crate::measure::workdir::WorkDir;

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
    /// `--plot` that is not `.svg`, a file of `workspace`'s build (its manifests, lockfile,
    /// sources, build scripts, cargo configuration), anything inside a version-control
    /// directory, a build directory below the target directory, or timewarp's own `work`.
    pub(crate) fn check(&self, workspace: &Workspace, work: &WorkDir) -> Result<()> {
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
            let path_resolved = resolved(path);
            if let Some(role) = build_file(workspace, &path_resolved) {
                return Err(ExitError::usage(format!(
                    "`{flag} {}` would write over {role}; timewarp never changes the files of the build",
                    path.display()
                )));
            }
            if let Some(place) = protected_place(workspace, work, &path_resolved) {
                return Err(ExitError::usage(format!(
                    "`{flag} {}` would write inside {place}; write reports next to the project instead",
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

/// `path` canonical, or as it is when it does not exist.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// What `path` is to the build of `workspace`, when it is one of its files.
fn build_file(workspace: &Workspace, path: &Path) -> Option<String> {
    let root = canonical(&workspace.root);
    if path == root.join("Cargo.lock") {
        return Some("the workspace's Cargo.lock".into());
    }
    if path == root.join("Cargo.toml") {
        return Some("the workspace's Cargo.toml".into());
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let in_dot_cargo = path.parent().and_then(Path::file_name).is_some_and(|d| d == ".cargo");
    if in_dot_cargo && (name == "config.toml" || name == "config") {
        return Some("a cargo configuration file".into());
    }
    if name == "rust-toolchain.toml" || name == "rust-toolchain" {
        return Some("a rust-toolchain file".into());
    }
    for member in &workspace.members {
        let dir = canonical(&member.dir);
        if path == dir.join("Cargo.toml") {
            return Some(format!("the manifest of `{}`", member.name));
        }
        let source_dirs = std::iter::once(dir).chain(member.built_dirs.iter().map(|d| canonical(d)));
        if path.extension().is_some_and(|e| e == "rs") && source_dirs.into_iter().any(|d| path.starts_with(d)) {
            return Some(format!("a source file of `{}`", member.name));
        }
    }
    None
}

/// Where `path` lies when that is no place for a report: a version-control directory, a build
/// directory below the target directory (`target/debug`, ...), or timewarp's own directories.
fn protected_place(workspace: &Workspace, work: &WorkDir, path: &Path) -> Option<String> {
    if let Some(vcs) = path
        .ancestors()
        .skip(1)
        .find(|a| a.file_name().and_then(|n| n.to_str()).is_some_and(|n| [".git", ".hg", ".svn", ".jj"].contains(&n)))
    {
        return Some(format!("the version-control directory `{}`", vcs.display()));
    }
    if let Some(dir) = work.owner_of(path) {
        return Some(format!("timewarp's directory `{}`", dir.display()));
    }
    let target = canonical(&workspace.target_dir);
    if let Ok(inside) = path.strip_prefix(&target)
        && inside.components().count() > 1
        && !canonical(&workspace.root).starts_with(&target)
    {
        let build_dir = target.join(inside.components().next().expect("two components"));
        return Some(format!("the build directory `{}`", build_dir.display()));
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
        let work = WorkDir::new(&root, &root.join("target")).unwrap();
        let err = |o: Outputs| {
            let e = o.check(&ws, &work).unwrap_err();
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
            (Some(root.join(".git/HEAD")), None, "would write inside the version-control directory"),
            (Some(root.join(".cargo/config.toml")), None, "would write over a cargo configuration file"),
            (Some(root.join("target/debug/app")), None, "would write inside the build directory"),
            (Some(root.join("target/timewarp/history.jsonl")), None, "would write inside timewarp's directory"),
        ] {
            for dir in [".git", ".cargo", "target/debug", "target/timewarp"] {
                std::fs::create_dir_all(root.join(dir)).unwrap();
            }
            let (message, code) = err(outputs(output, plot));
            assert!(message.contains(expected), "{message}");
            assert_eq!(code, crate::exit::USAGE, "{message}");
        }
        outputs(Some(root.join("report.json")), Some(root.join("h.SVG"))).check(&ws, &work).unwrap();
        outputs(Some(root.join("target/report.json")), None).check(&ws, &work).unwrap();
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
