//! `cargo timewarp bisect FROM TO`: the span, what it follows, how to build, and
//! [`BisectOptions::plan`], the options of the discovery and of each probe.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use semver::Version;

use super::run::{Checks, RunOptions};
use super::shared::{Build, BuildArgs, FormatArgs, OutputOptions, Rounds, Select, StopArgs, Where, WhereArgs};
use super::values::duration;
use super::{Action, Global};
use crate::vocab::{Keep, Scenario};

/// The whole bisection's budget when `--budget` is not given.
pub(crate) const DEFAULT_BUDGET: Duration = Duration::from_secs(60 * 60);

/// The first three examples, in `-h`.
pub(crate) const SHORT_EXAMPLES: &str = "\
Examples:
  cargo timewarp bisect 1.63 1.96
  cargo timewarp bisect 1.70.0 stable --scenario clean --budget 2h
  cargo timewarp bisect 1.80 1.90 --install";

/// Every example, in `--help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp bisect 1.63 1.96
  cargo timewarp bisect 1.70.0 stable --scenario clean --budget 2h
  cargo timewarp bisect 1.63 1.96 --rev v0.12.1 --format markdown -o bisect.md
  cargo timewarp bisect 1.80 1.90 --install
  cargo timewarp bisect 1.89 1.90 --scenario touched --nightlies --install

Only installed stable releases are measured, unless --install adds the missing ones (removed
afterwards unless --keep-installed); the output names the releases of the span that are missing.
Exit codes: 0 success (a release located, a spread change, or no change), 1 error (FROM or TO
fails to build), 2 bad usage, 3 FROM or TO is below the MSRV, 130 interrupted.";

/// `bisect`'s flags.
#[derive(Debug, Args)]
pub(crate) struct BisectArgs {
    /// The older toolchain: a version such as 1.63 or 1.63.0, or a rustup name
    #[arg(value_name = "FROM")]
    from: String,
    /// The newer toolchain
    #[arg(value_name = "TO")]
    to: String,
    /// The scenario whose change to locate [default: the most changed]
    #[arg(
        long,
        value_name = "SCENARIO",
        value_enum,
        hide_possible_values = true,
        help_heading = "Bisection",
        long_help = "The scenario whose change to locate, the only one measured then [default: every \
                     scenario measured, following the one that changed most between FROM and TO]"
    )]
    scenario: Option<Scenario>,
    /// Install the span's missing releases, and remove them at the end
    #[arg(
        long,
        help_heading = "Bisection",
        long_help = "Install the span's missing stable releases with `rustup toolchain install --profile \
                     minimal` before measuring, and remove them when the bisection ends"
    )]
    install: bool,
    /// Keep the releases --install installed
    #[arg(long, requires = "install", help_heading = "Bisection")]
    keep_installed: bool,
    /// Then halve the nightlies of the release found, to a commit range
    #[arg(
        long,
        help_heading = "Bisection",
        long_help = "Once the change lies between two adjacent stable releases, go on over the nightlies \
                     of the newer one's six-week train, and give the rust-lang/rust commits between the \
                     two nightlies that hold it (installed nightlies, or with --install those each step \
                     needs)"
    )]
    nightlies: bool,
    #[command(flatten)]
    at: WhereArgs,
    #[command(flatten)]
    build: BuildArgs,
    #[command(flatten)]
    stop: StopArgs,
    /// Time for the whole bisection, such as 1h or 90m [default: 1h]
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = duration,
        help_heading = "Measurement",
        long_help = "Time for the whole bisection, such as 1h, 90m or 1h30m (a number needs its unit), \
                     shared among the steps still to come [default: 1h]"
    )]
    budget: Option<Duration>,
    #[command(flatten)]
    format: FormatArgs,
    /// Also draw the bisection as an SVG chart to FILE
    #[arg(long, value_name = "FILE.svg", help_heading = "Output")]
    plot: Option<PathBuf>,
}

/// `bisect FROM TO`: the span to search and the scenario to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// The older toolchain, as given.
    pub(crate) from: String,
    /// The newer toolchain, as given.
    pub(crate) to: String,
    /// `--scenario`; `None` for the one that changed most.
    pub(crate) follow: Option<Scenario>,
}

/// `bisect`'s options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BisectOptions {
    /// The span.
    pub(crate) span: Span,
    /// `--install`: the span's missing releases, removed afterwards, or kept with
    /// `--keep-installed`; `None` without `--install`.
    pub(crate) install: Option<Keep>,
    /// `--nightlies`.
    pub(crate) nightlies: bool,
    /// Which workspace and packages.
    pub(crate) at: Where,
    /// How to build.
    pub(crate) build: Build,
    /// When each probe stops; its budget is the whole bisection's (`None` for an hour).
    pub(crate) rounds: Rounds,
    /// The document.
    pub(crate) out: OutputOptions,
}

impl BisectOptions {
    pub(crate) fn from_args(args: BisectArgs, global: &Global) -> Result<BisectOptions> {
        Ok(BisectOptions {
            span: Span { from: args.from, to: args.to, follow: args.scenario },
            install: args.install.then_some(if args.keep_installed { Keep::Kept } else { Keep::Removed }),
            nightlies: args.nightlies,
            at: Where::from_args(args.at, args.build.target_dir.clone()),
            build: Build::from_args(args.build, args.scenario)?,
            rounds: Rounds::from_args(&args.stop, args.budget),
            out: OutputOptions::new(args.format, args.plot, global.verbose)?,
        })
    }

    /// The whole bisection's budget.
    pub(crate) fn budget(&self) -> Duration {
        self.rounds.budget.unwrap_or(DEFAULT_BUDGET)
    }

    /// The options of one engine run of the bisection: every installed stable release from
    /// `since` to `until` (as `--all --since --until` selects), within `budget` (`None` for the
    /// discovery before any probe), measuring `only` that scenario when given.
    pub(crate) fn plan(
        &self,
        (since, until): (Version, Version),
        budget: Option<Duration>,
        only: Option<Scenario>,
    ) -> RunOptions {
        let mut build = self.build.clone();
        if let Some(only) = only {
            build.scenarios = Some(vec![only]);
        }
        RunOptions {
            action: Action::Bisect,
            at: self.at.clone(),
            select: Select { toolchains: Vec::new(), all: true, since: Some(since), until: Some(until) },
            install: false,
            build,
            rounds: Rounds { budget: budget.map(|b| b.max(Duration::from_secs(1))), ..self.rounds },
            checks: Checks::default(),
            out: self.out.clone(),
            history: None,
        }
    }
}
