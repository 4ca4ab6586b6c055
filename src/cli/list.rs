//! `cargo timewarp list` (and `--list`, its alias): which workspace and toolchains, and the
//! document to make of the listing.

use anyhow::Result;
use clap::Args;

use super::run::{Checks, RunOptions};
use super::shared::{Build, FormatArgs, OutputOptions, Rounds, Select, SelectArgs, Where, WhereArgs};
use super::{Action, Global};

/// `list`'s examples.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp list
  cargo timewarp list --since 1.70 --all
  cargo timewarp list --rev v1.0.0 --format json";

/// `list`'s flags.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    at: WhereArgs,
    #[command(flatten)]
    select: SelectArgs,
    /// List for this revision (commit, tag or branch) instead of the working tree
    #[arg(
        long,
        value_name = "REV",
        long_help = "List for this committed revision (a commit, tag or branch) instead of the working \
                     tree: its MSRV and the floors of its lockfile"
    )]
    rev: Option<String>,
    #[command(flatten)]
    format: FormatArgs,
}

/// `list`: the options of a run that builds nothing.
pub(crate) fn options(args: ListArgs, global: &Global) -> Result<RunOptions> {
    let install = args.select.install;
    Ok(RunOptions {
        action: Action::List,
        at: Where::from_args(args.at, None),
        select: Select::from_args(args.select)?,
        install,
        build: Build { rev: args.rev, ..Build::default() },
        rounds: Rounds::default(),
        checks: Checks::default(),
        out: OutputOptions::new(args.format, None, global.verbose)?,
        history: None,
    })
}
