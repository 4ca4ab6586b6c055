//! A run, `cargo timewarp [OPTIONS]`: its flags and [`RunOptions`], the options the stages
//! take, which `list` and each probe of `bisect` also make.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::shared::{
    Build, BuildArgs, FormatArgs, OutputOptions, Rounds, Select, SelectArgs, StopArgs, Where, WhereArgs,
};
use super::values::{count, duration, percent};
use super::{Action, Global};

/// The first three examples, in `-h`.
pub(crate) const SHORT_EXAMPLES: &str = "\
Examples (more, and the exit codes, in `--help`):
  cargo timewarp                                    # a yearly history of the installed toolchains
  cargo timewarp list                               # which toolchains would be measured, and why
  cargo timewarp --precision 2 --budget 1h          # within ±2%, with up to an hour";

/// Every example, in `--help`.
pub(crate) const EXAMPLES: &str = "\
Examples:
  Measure a yearly history of the installed toolchains, every speedup with its 95% interval:
    cargo timewarp

  Show which toolchains would be measured, and why the others would not:
    cargo timewarp list

  Tighter intervals (within ±2%), with up to an hour to get them:
    cargo timewarp --precision 2 --budget 1h

  Exactly these toolchains, three rounds of rebuilds each, as JSON for a script:
    cargo timewarp --toolchains 1.85.0,stable --incremental-runs 3 -o history.json

  The `cargo check` loop and test rebuilds, as a Markdown table for a post:
    cargo timewarp --scenarios check-touched,test --output history.md

  Every workflow: clean, rebuilds, a workspace-deep edit, check, tests and release:
    cargo timewarp --scenarios clean,touched,deep,check,check-touched,test,release --budget 1h

  Before a release: fail if this tree builds 10% slower than the last release, on this machine:
    cargo timewarp --baseline-rev v1.4.0 --max-regression 10 --verify-msrv

  One answer from the jobs of a CI matrix, each of which saved its report:
    cargo timewarp merge linux.json macos.json windows.json

  Which release between 1.63 and 1.96 made the build faster (halving over the installed ones):
    cargo timewarp bisect 1.63 1.96

Also: `cargo timewarp history` (past runs, per toolchain), `cargo timewarp show REPORT.json`
(a saved report again, in any format), `cargo timewarp clean` (remove timewarp's directories),
`cargo timewarp try` (which settings would build this project faster).

Exit codes: 0 success, 1 error, 2 bad usage, 3 no eligible toolchain, 4 every build failed,
5 slower than the baseline, 6 the declared rust-version cannot build, 130 interrupted.";

/// A run's flags.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("against").multiple(false))]
pub(crate) struct RunArgs {
    #[command(flatten)]
    at: WhereArgs,

    #[command(flatten)]
    select: SelectArgs,

    #[command(flatten)]
    build: BuildArgs,

    #[command(flatten)]
    stop: StopArgs,

    /// Time for the whole run, such as 20m, 90s or 1h30m [default: 20m]
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = duration,
        help_heading = "Measurement",
        long_help = "Start no round that would end later than DURATION after the first build (the first \
                     round always runs whole), such as 20m, 90s or 1h30m: a number needs its unit \
                     [default: 20m]"
    )]
    budget: Option<Duration>,

    /// Also time every rustc apart, in one more build per toolchain
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "10",
        value_parser = count,
        help_heading = "Measurement",
        hide_short_help = true,
        long_help = "Also build each toolchain once more, untimed for the report, with every rustc timed \
                     apart: where the time went (workspace vs dependencies, the N crates whose time \
                     changed most [default N: 10], rustc's peak memory)"
    )]
    crates: Option<usize>,

    #[command(flatten)]
    format: FormatArgs,

    /// Also draw the report as an SVG chart to FILE
    #[arg(
        long,
        value_name = "FILE.svg",
        help_heading = "Output",
        long_help = "Also draw the report as an SVG chart to FILE (each scenario's time per release, with \
                     its 95% interval as an error bar)"
    )]
    plot: Option<PathBuf>,

    /// Record this run in FILE (a CI cache, say) instead of the state directory
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Output",
        hide_short_help = true,
        long_help = "Record this run in FILE (JSON lines; a CI cache, say) instead of timewarp's state \
                     directory; `cargo timewarp history --history FILE` reads it back"
    )]
    history: Option<PathBuf>,

    /// With --crates, also write every crate of every row as a CSV table to FILE
    #[arg(long, value_name = "FILE.csv", requires = "crates", help_heading = "Output", hide_short_help = true)]
    crates_csv: Option<PathBuf>,

    /// Compare with a report saved earlier with `--format json`
    #[arg(long, value_name = "FILE", group = "against", help_heading = "Release Checks")]
    baseline: Option<PathBuf>,

    /// Time this revision beside the tree and compare the two, paired
    #[arg(
        long,
        value_name = "REV",
        group = "against",
        help_heading = "Release Checks",
        long_help = "Time this revision (the last release's tag, say) beside the tree, in the same rounds \
                     with the same toolchains, and compare the tree with it, paired by round: nothing is \
                     carried between machines"
    )]
    baseline_rev: Option<String>,

    /// Fail (exit 5) if slower than the baseline by more than PCT percent
    #[arg(
        long,
        value_name = "PCT",
        requires = "against",
        value_parser = percent,
        allow_hyphen_values = true,
        help_heading = "Release Checks",
        long_help = "Fail (exit 5) when the 95% interval shows the project got slower to compile than the \
                     baseline by more than PCT percent; exit 7 when the gate could not decide"
    )]
    max_regression: Option<f64>,

    /// Fail (exit 6) if the declared rust-version cannot build the workspace
    #[arg(long, help_heading = "Release Checks")]
    verify_msrv: bool,
}

/// What a run compares with, and what fails it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Checks {
    /// `--baseline`.
    pub(crate) baseline: Option<PathBuf>,
    /// `--baseline-rev`.
    pub(crate) baseline_rev: Option<String>,
    /// `--max-regression`, percent.
    pub(crate) max_regression_pct: Option<f64>,
    /// `--verify-msrv`.
    pub(crate) verify_msrv: bool,
}

/// The options the stages take: a run's, or what `list` or one probe of `bisect` makes of its
/// own.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RunOptions {
    /// Which command made these options (a run, `list`, a bisect probe).
    pub(crate) action: Action,
    /// Which workspace and packages.
    pub(crate) at: Where,
    /// Which toolchains.
    pub(crate) select: Select,
    /// `--install`: the yearly toolchains missing, installed and kept.
    pub(crate) install: bool,
    /// How to build and time.
    pub(crate) build: Build,
    /// When to stop.
    pub(crate) rounds: Rounds,
    /// What to compare with.
    pub(crate) checks: Checks,
    /// Where the documents go.
    pub(crate) out: OutputOptions,
    /// `--history`: the file to record the run in instead of the state directory's.
    pub(crate) history: Option<PathBuf>,
}

impl RunOptions {
    pub(crate) fn from_args(args: RunArgs, global: &Global) -> Result<RunOptions> {
        let install = args.select.install;
        let target_dir = args.build.target_dir.clone();
        let select = Select::from_args(args.select)?;
        let mut build = Build::from_args(args.build, None)?;
        build.crates = args.crates;
        let mut out = OutputOptions::new(args.format, args.plot, global.verbose)?;
        out.crates_csv = args.crates_csv;
        Ok(RunOptions {
            action: Action::Measure,
            at: Where::from_args(args.at, target_dir),
            install,
            select,
            build,
            rounds: Rounds::from_args(&args.stop, args.budget),
            checks: Checks {
                baseline: args.baseline,
                baseline_rev: args.baseline_rev,
                max_regression_pct: args.max_regression,
                verify_msrv: args.verify_msrv,
            },
            out,
            history: args.history,
        })
    }
}
