//! `cargo timewarp history`: where the runs were recorded, and the document to make of them.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Global;
use super::shared::{FormatArgs, LocationArgs, OutputOptions, Where};

/// `history`'s examples.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp history
  cargo timewarp history --format json --output history.json
  cargo timewarp history --plot history.svg";

/// `history`'s flags.
#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    #[command(flatten)]
    at: LocationArgs,
    #[command(flatten)]
    format: FormatArgs,
    /// Also draw each toolchain's times across the runs as an SVG chart to FILE
    #[arg(long, value_name = "FILE.svg", help_heading = "Output")]
    plot: Option<PathBuf>,
    /// Read the runs a run's `--history FILE` recorded
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Output",
        long_help = "Read the runs recorded in FILE (a run's `--history FILE`, a CI cache, say) instead of \
                     timewarp's state directory"
    )]
    history: Option<PathBuf>,
}

/// `history`'s options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HistoryOptions {
    /// The workspace and its timewarp directory.
    pub(crate) at: Where,
    /// The document.
    pub(crate) out: OutputOptions,
    /// `--history`: the file to read instead of the state directory's.
    pub(crate) history: Option<PathBuf>,
}

impl HistoryOptions {
    pub(crate) fn from_args(args: HistoryArgs, global: &Global) -> Result<HistoryOptions> {
        Ok(HistoryOptions {
            at: Where::from_location(args.at),
            out: OutputOptions::new(args.format, args.plot, global.verbose)?,
            history: args.history,
        })
    }
}
