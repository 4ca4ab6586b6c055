//! `cargo timewarp show`: a report saved earlier, and the document to make of it.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Global;
use super::shared::{FormatArgs, OutputOptions};

/// `show`'s examples under `-h`.
pub(crate) const SHORT_EXAMPLES: &str = "\
Examples:
  cargo timewarp show target/timewarp/last-report.json
  cargo timewarp show run.json --format markdown -o run.md
  cargo timewarp show target/timewarp/last-try.json --format markdown";

/// `show`'s examples under `--help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp show target/timewarp/last-report.json
  cargo timewarp show run.json --format markdown -o run.md
  cargo timewarp show run.json --plot run.svg
  cargo timewarp show target/timewarp/last-try.json --format markdown";

/// `show`'s flags.
#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// A report, `try`, `bisect` or `merge` document saved as JSON (last-report.json, ...)
    ///
    /// A run's report (`--format json`, or <target-dir>/timewarp/last-report.json), a `try`
    /// document (`try --format json`, or <target-dir>/timewarp/last-try.json), or a `bisect` or
    /// `merge` document (`--format json`)
    #[arg(value_name = "REPORT.json")]
    report: PathBuf,
    #[command(flatten)]
    format: FormatArgs,
    /// Also draw it as an SVG chart to FILE
    #[arg(long, value_name = "FILE.svg", help_heading = "Output")]
    plot: Option<PathBuf>,
}

/// `show`'s options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ShowOptions {
    /// The saved report.
    pub(crate) report: PathBuf,
    /// The document to make of it.
    pub(crate) out: OutputOptions,
}

impl ShowOptions {
    pub(crate) fn from_args(args: ShowArgs, global: &Global) -> Result<ShowOptions> {
        Ok(ShowOptions { report: args.report, out: OutputOptions::new(args.format, args.plot, global.verbose)? })
    }
}
