//! `cargo timewarp merge`: the reports of several machines, and the document to make of them.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::Global;
use super::shared::{FormatArgs, OutputOptions};

/// `merge`'s examples.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp merge linux-a.json linux-b.json
  cargo timewarp merge reports/*.json --format markdown -o merged.md
  cargo timewarp merge linux.json macos.json --format json -o merged.json";

/// `merge`'s flags.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The reports (`--format json`), one per machine
    #[arg(value_name = "REPORT.json", required = true, num_args = 1..)]
    reports: Vec<PathBuf>,
    #[command(flatten)]
    format: FormatArgs,
}

/// `merge`'s options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MergeOptions {
    /// The reports to merge.
    pub(crate) reports: Vec<PathBuf>,
    /// The merged document.
    pub(crate) out: OutputOptions,
}

impl MergeOptions {
    pub(crate) fn from_args(args: MergeArgs, global: &Global) -> Result<MergeOptions> {
        Ok(MergeOptions { reports: args.reports, out: OutputOptions::new(args.format, None, global.verbose)? })
    }
}
