//! Where timewarp's documents go: standard output, or `--output FILE` in the `--format` asked
//! for, `--plot FILE.svg`, `--crates-csv FILE` and the GitHub job summary. Every document (the
//! report, the `--list` view, the history) goes through here, so `--format` and `--output` mean
//! the same thing everywhere, and every file goes through the [`Guard`] twice: before the first
//! build and right before it is written.
//!
//! Files are written last and atomically (a temporary file beside the target, renamed into
//! place), so a run that fails or is interrupted never leaves a half-written or emptied file.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::export::exporter;
use super::guard::{Guard, resolved};
use super::model::{Bisected, History, Listing, Merged, Report};
use super::plot;
use super::progress::Progress;
use crate::exit::ExitError;
use crate::fs;
use crate::vocab::Format;

/// The outputs a run asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outputs {
    /// The report format.
    pub(crate) format: Format,
    /// `--verbose`: CPU and memory columns in the table.
    pub(crate) verbose: bool,
    /// `--output`.
    pub(crate) output: Option<PathBuf>,
    /// `--plot`.
    pub(crate) plot: Option<PathBuf>,
    /// `--crates-csv`.
    pub(crate) crates_csv: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: the job summary of GitHub Actions, which gets the Markdown report.
    pub(crate) job_summary: Option<PathBuf>,
    /// `--history FILE` of a run: the history file the run appends to, judged like an output.
    pub(crate) history: Option<PathBuf>,
    /// The width the table fits: the terminal's, for standard output; `None` is unlimited.
    pub(crate) width: Option<usize>,
    /// Where outputs may land.
    pub(crate) guard: Guard,
}

/// The width of a table written to a file or a pipe: what a pasted table can take.
pub(crate) const FILE_WIDTH: usize = 100;

/// The width a table on standard output should fit: `COLUMNS` when it is set to a number (so
/// that a script or test can ask for one), else the terminal's, else [`FILE_WIDTH`] (a pipe).
pub(crate) fn terminal_width(columns: Option<&str>, terminal: Option<usize>) -> Option<usize> {
    columns.and_then(|c| c.trim().parse::<usize>().ok()).filter(|c| *c > 0).or(terminal).or(Some(FILE_WIDTH))
}

impl Outputs {
    /// Every file this run will write, with the flag or variable that names it.
    fn files(&self) -> Vec<(&'static str, &Path)> {
        let named = [
            ("--output", &self.output),
            ("--plot", &self.plot),
            ("--crates-csv", &self.crates_csv),
            ("GITHUB_STEP_SUMMARY", &self.job_summary),
            ("--history", &self.history),
        ];
        named.into_iter().filter_map(|(what, path)| Some((what, path.as_deref()?))).collect()
    }

    /// Fails before any build (with a usage error) when an output could not or must not be
    /// written at the end: anything [`Guard::check`] refuses, two outputs naming one file, a
    /// `--plot` that is not `.svg`.
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(plot) = self.plot.as_ref().filter(|p| !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg")))
        {
            return Err(ExitError::usage(format!(
                "`--plot` draws SVG: name its file `*.svg`, not `{}`",
                plot.display()
            )));
        }
        let files = self.files();
        for (i, (what, path)) in files.iter().enumerate() {
            self.guard.check(what, path)?;
            if let Some((other, _)) = files[..i].iter().find(|(_, p)| resolved(p) == resolved(path)) {
                return Err(ExitError::usage(format!(
                    "`{other}` and `{what}` name the same file `{}`",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// Fails with a usage error when an output names `path`, the file `what` reads (the history
    /// `history` reads must not be replaced by its own summary).
    pub(crate) fn check_not_over(&self, what: &str, path: &Path) -> Result<()> {
        match self.files().into_iter().find(|(_, p)| resolved(p) == resolved(path)) {
            Some((other, _)) => {
                Err(ExitError::usage(format!("`{other}` would write over `{}`, the file {what} reads", path.display())))
            }
            None => Ok(()),
        }
    }

    /// Writes `text` to `path` atomically, judged by the guard again right before the write (the
    /// path may have become a link since the run started).
    fn write(&self, what: &str, path: &Path, text: &str) -> Result<()> {
        self.guard.check(what, path)?;
        fs::write_atomic(path, text)
    }

    /// The history file a run records itself in: `--history FILE`, judged by the guard again
    /// right before the append, else `default` (the state directory's, timewarp's own).
    pub(crate) fn history_file(&self, default: PathBuf) -> Result<PathBuf> {
        match &self.history {
            Some(path) => self.guard.check("--history", path).map(|()| path.clone()),
            None => Ok(default),
        }
    }

    /// Writes the `--list` view.
    pub(crate) fn listing(&self, listing: &Listing) -> Result<()> {
        self.emit(&exporter(self.format, self.verbose, self.width).listing(listing))
    }

    /// Writes the report, the plot and the per-crate table when asked for (a plot that cannot be
    /// drawn is a note, not an error: the report is what matters), and appends the Markdown
    /// report to the job summary when GitHub Actions names one.
    pub(crate) fn report(&self, report: &Report, progress: &Progress) -> Result<()> {
        self.emit(&exporter(self.format, self.verbose, self.width).report(report))?;
        if let Some(summary) = &self.job_summary {
            self.guard.check("GITHUB_STEP_SUMMARY", summary)?;
            let markdown = exporter(Format::Markdown, false, None).report(report);
            fs::append(summary, format!("### cargo timewarp\n\n{markdown}\n"))?;
        }
        if let Some(path) = &self.plot {
            match plot::render_svg(report) {
                Ok(svg) => self.write("--plot", path, &svg)?,
                Err(e) => progress.note(&format!("no plot written to `{}`: {e:#}", path.display())),
            }
        }
        if let Some(path) = &self.crates_csv {
            self.write("--crates-csv", path, &super::export::crates_csv(report))?;
        }
        Ok(())
    }

    /// Writes a merge of several machines' reports.
    pub(crate) fn merged(&self, merged: &Merged) -> Result<()> {
        self.emit(&exporter(self.format, self.verbose, self.width).merged(merged))
    }

    /// Writes a bisection, and its plot when one was asked for (a plot that cannot be drawn is
    /// a note).
    pub(crate) fn bisected(&self, bisected: &Bisected, progress: &Progress) -> Result<()> {
        self.emit(&exporter(self.format, self.verbose, self.width).bisected(bisected))?;
        if let Some(path) = &self.plot {
            match plot::bisect_svg(bisected) {
                Ok(svg) => self.write("--plot", path, &svg)?,
                Err(e) => progress.note(&format!("no plot written to `{}`: {e:#}", path.display())),
            }
        }
        Ok(())
    }

    /// Writes a `try` document, and its plot when one was asked for (a plot that cannot be
    /// drawn is a note).
    pub(crate) fn tried(&self, tried: &super::tried::Tried, progress: &Progress) -> Result<()> {
        self.emit(&super::tried::render(tried, self.format))?;
        if let Some(path) = &self.plot {
            match plot::try_svg(tried) {
                Ok(svg) => self.write("--plot", path, &svg)?,
                Err(e) => progress.note(&format!("no plot written to `{}`: {e:#}", path.display())),
            }
        }
        Ok(())
    }

    /// Writes the history, and its plot when one was asked for.
    pub(crate) fn history(&self, history: &History) -> Result<()> {
        self.emit(&exporter(self.format, self.verbose, self.width).history(history))?;
        if let Some(path) = &self.plot {
            self.write("--plot", path, &plot::history_svg(history)?)?;
        }
        Ok(())
    }

    /// Writes `text` to `--output` or standard output.
    pub(crate) fn emit(&self, text: &str) -> Result<()> {
        if let Some(path) = &self.output {
            return self.write("--output", path, text);
        }
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a message.
        match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("could not write to standard output"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(root: &Path, output: Option<PathBuf>, plot: Option<PathBuf>) -> Outputs {
        let ws = crate::testing::workspace(root.to_str().unwrap());
        let work = crate::testing::work_dir_in(root);
        Outputs {
            format: Format::Json,
            verbose: false,
            output,
            plot,
            crates_csv: None,
            job_summary: None,
            history: None,
            width: None,
            guard: Guard::new(&ws, &work),
        }
    }

    #[test]
    fn bad_outputs_fail_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let err = |o: Outputs| {
            let e = o.check().unwrap_err();
            (e.to_string(), crate::exit::code_for(&e))
        };
        for (output, plot, expected) in [
            (None, Some(root.join("src/../Cargo.toml")), "`--plot` draws SVG: name its file `*.svg`"),
            (Some(root.join("h.svg")), Some(root.join("./h.svg")), "`--output` and `--plot` name the same file"),
            (Some(root.join("Cargo.toml")), None, "would write over the workspace's Cargo.toml"),
        ] {
            let (message, code) = err(outputs(&root, output, plot));
            assert!(message.contains(expected), "{message}");
            assert_eq!(code, crate::exit::USAGE, "{message}");
        }
        let mut summary = outputs(&root, None, None);
        summary.job_summary = Some(root.join("Cargo.toml"));
        assert!(err(summary).0.starts_with("`GITHUB_STEP_SUMMARY="), "the job summary is judged too");
        let mut history = outputs(&root, Some(root.join("h.jsonl")), None);
        history.history = Some(root.join("Cargo.toml"));
        assert!(err(history.clone()).0.starts_with("`--history "), "the history file is judged too");
        assert!(history.history_file(root.join("default")).is_err(), "and again before the append");
        history.history = Some(root.join("./h.jsonl"));
        assert!(err(history).0.contains("`--output` and `--history` name the same file"));
        outputs(&root, Some(root.join("report.json")), Some(root.join("h.SVG"))).check().unwrap();
    }

    #[test]
    fn reports_go_to_the_file_in_the_format_asked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let file = root.join("r.csv");
        let mut outputs = outputs(&root, Some(file.clone()), None);
        outputs.format = Format::Csv;
        let progress = Progress::new(true);
        outputs.report(&crate::testing::sample_report(), &progress).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("toolchain,version,"));
        outputs.listing(&crate::testing::sample_listing()).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("toolchain,aliases,"));
    }
}
