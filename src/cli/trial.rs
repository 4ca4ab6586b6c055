//! `cargo timewarp try`: the toolchain, the arms, how to build, and the document to make of it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::run::{Checks, RunOptions};
use super::shared::{Build, BuildArgs, FormatArgs, OutputOptions, Rounds, Select, StopArgs, Where, WhereArgs};
use super::values::duration;
use super::{Action, Global};
use crate::vocab::Arm;

/// `try`'s examples in `-h`.
pub(crate) const SHORT_EXAMPLES: &str = "\
Examples:
  cargo timewarp try --list
  cargo timewarp try
  cargo timewarp try --arms mold,line-tables-only --budget 10m";

/// `try`'s examples in `--help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp try --list
  cargo timewarp try
  cargo timewarp try --arms mold,line-tables-only --budget 10m
  cargo timewarp try --nightly --arms threads,cranelift
  cargo timewarp try --plot try.svg

Each arm is applied through `cargo --config` and the environment, after the user's own settings;
no file of the workspace changes. Arms that do not apply here are listed with the reason.
Exit codes: 0 success, 1 error, 2 bad usage (an arm that cannot run here, a toolchain that is
not installed), 4 today's build fails, 130 interrupted.";

/// `try`'s flags.
#[derive(Debug, Args)]
pub(crate) struct TryArgs {
    /// The toolchain to build with [default: the newest installed stable]
    #[arg(long, value_name = "NAME", conflicts_with = "nightly", help_heading = "Arms")]
    toolchain: Option<String>,
    /// Build with the newest installed nightly, for the nightly-only arms
    #[arg(long, help_heading = "Arms")]
    nightly: bool,
    /// The arms to measure, comma-separated [default: every arm that applies]
    #[arg(
        long,
        long_help = "The arms to measure, comma-separated (`--list` shows them) [default: every arm \
                     that applies here]",
        value_name = "LIST",
        value_enum,
        value_delimiter = ',',
        hide_possible_values = true,
        help_heading = "Arms"
    )]
    arms: Vec<Arm>,
    /// Show every arm, whether it applies here and why not; build nothing
    #[arg(long, help_heading = "Arms")]
    list: bool,
    #[command(flatten)]
    at: WhereArgs,
    #[command(flatten)]
    build: BuildArgs,
    #[command(flatten)]
    stop: StopArgs,
    /// Time for the whole run, such as 20m, 90s or 1h30m [default: 20m]
    #[arg(long, value_name = "DURATION", value_parser = duration, help_heading = "Measurement")]
    budget: Option<Duration>,
    #[command(flatten)]
    format: FormatArgs,
    /// Also draw each arm's speedup as an SVG chart to FILE
    #[arg(
        long,
        value_name = "FILE.svg",
        help_heading = "Output",
        long_help = "Also draw each arm's speedup as an SVG chart to FILE (a panel per scenario, each arm's \
                     speedup over today's build with its 95% interval, the noise threshold shaded around 1.00x)"
    )]
    plot: Option<PathBuf>,
}

/// `try`: the toolchain and the arms asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Trial {
    /// `--toolchain`; `None` for the newest stable (or nightly, with `nightly`).
    pub(crate) toolchain: Option<String>,
    /// `--nightly`.
    pub(crate) nightly: bool,
    /// `--arms`, each once; empty for every arm that applies.
    pub(crate) arms: Vec<Arm>,
    /// `--list`: show the arms, build nothing.
    pub(crate) list: bool,
}

/// `try`'s options: the trial, and the run the stages take (which workspace, how to build and
/// stop, the document).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TryOptions {
    /// The toolchain and arms.
    pub(crate) trial: Trial,
    /// What the stages take.
    pub(crate) run: RunOptions,
}

impl TryOptions {
    pub(crate) fn from_args(args: TryArgs, global: &Global) -> Result<TryOptions> {
        let mut arms = Vec::new();
        for arm in args.arms {
            if !arms.contains(&arm) {
                arms.push(arm);
            }
        }
        let trial = Trial { toolchain: args.toolchain, nightly: args.nightly, arms, list: args.list };
        let run = RunOptions {
            action: Action::Try,
            at: Where::from_args(args.at, args.build.target_dir.clone()),
            select: Select::default(),
            install: false,
            build: Build::from_args(args.build, None)?,
            rounds: Rounds::from_args(&args.stop, args.budget),
            checks: Checks::default(),
            out: OutputOptions::new(args.format, args.plot, global.verbose)?,
            history: None,
        };
        Ok(TryOptions { trial, run })
    }
}
