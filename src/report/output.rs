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
use super::model::{Listing, Report};
use super::plot;
use super::progress::Progress;
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
}

impl Outputs {
    /// Fails before any build when an output could not be written at the end: a missing
    /// directory.
    pub(crate) fn check(&self) -> Result<()> {
        for path in self.output.iter().chain(&self.plot) {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                bail!("cannot write `{}`: the directory `{}` does not exist", path.display(), parent.display());
            }
        }
        Ok(())
    }

    /// Writes the `--list` view.
    pub(crate) fn listing(&self, listing: &Listing) -> Result<()> {
        self.emit(&self.format.exporter(self.verbose).listing(listing))
    }

    /// Writes the report, and the plot when one was asked for (a plot that cannot be drawn is a
    /// note, not an error: the report is what matters).
    pub(crate) fn report(&self, report: &Report, progress: &Progress) -> Result<()> {
        self.emit(&self.format.exporter(self.verbose).report(report))?;
        if let Some(path) = &self.plot {
            match plot::render_svg(report) {
                Ok(svg) => fs::write_atomic(path, svg)?,
                Err(e) => progress.note(&format!("no plot written to `{}`: {e:#}", path.display())),
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_fails_up_front() {
        let outputs = Outputs {
            format: Format::Json,
            verbose: false,
            output: Some("/nonexistent/dir/r.json".into()),
            plot: None,
        };
        assert_eq!(
            outputs.check().unwrap_err().to_string(),
            "cannot write `/nonexistent/dir/r.json`: the directory `/nonexistent/dir` does not exist"
        );
        let here = Outputs { output: Some("r.json".into()), ..outputs };
        here.check().unwrap();
    }

    #[test]
    fn reports_go_to_the_file_in_the_format_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.csv");
        let outputs = Outputs { format: Format::Csv, verbose: false, output: Some(file.clone()), plot: None };
        let progress = Progress::new(true);
        outputs.report(&crate::testing::sample_report(), &progress).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("toolchain,version,"));
        outputs.listing(&crate::testing::sample_listing()).unwrap();
        assert!(std::fs::read_to_string(&file).unwrap().starts_with("toolchain,aliases,"));
    }
}
