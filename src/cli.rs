//! Command-line syntax: flags (clap derive, with value parsers for every number, version and
//! choice), help with examples, `cargo timewarp` vs `cargo-timewarp`, clap's errors as one line,
//! and the conversion of raw flags into a validated [`Config`]. The config holds only this
//! module's types and the shared vocabulary; `stages` turns it into each stage's input. This
//! module never runs anything and reads no file; the environment it reads (`CARGO_TERM_COLOR`,
//! `NO_COLOR`) is handed to it.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum as _};
use semver::Version;

use crate::exit::ExitError;
use crate::process::Env;
use crate::vocab::{Arm, Color, Format, Profile, Scenario};

const EXAMPLES: &str = "\
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

Also: `cargo timewarp history` (past runs, per toolchain), `cargo timewarp clean` (remove
timewarp's directories), `cargo timewarp try` (which settings would build this project faster).

Exit codes: 0 success, 1 error, 2 bad usage, 3 no eligible toolchain, 4 every build failed,
5 slower than the baseline, 6 the declared rust-version cannot build, 130 interrupted.";

/// Cargo's view: `cargo timewarp ARGS`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::Styles::styled())]
enum CargoCli {
    Timewarp(RawArgs),
}

/// How much faster has the Rust compiler become for this project?
///
/// Builds the workspace with each selected rustup toolchain in the workflows users wait on (clean,
/// after touching a file, after an edit deep in the workspace, `cargo check`, ...), in rounds that
/// rotate the toolchains, and prints the build times and speedups release by release, each with
/// its 95% interval and the link time apart. The workspace's files, Cargo.lock and target/debug
/// are never changed: every toolchain builds into <target-dir>/timewarp/<version>/.
#[derive(Debug, Args)]
#[command(
    version,
    after_long_help = EXAMPLES,
    args_conflicts_with_subcommands = true,
    max_term_width = 100,
    group = clap::ArgGroup::new("against").multiple(false)
)]
pub(crate) struct RawArgs {
    #[command(subcommand)]
    action: Option<RawAction>,

    #[command(flatten)]
    at: WhereArgs,

    #[command(flatten)]
    select: SelectArgs,

    /// The same as `cargo timewarp list`, kept as an alias
    #[arg(
        long,
        hide = true,
        conflicts_with_all = [
            "plot", "baseline", "baseline_rev", "edit", "crates", "crates_csv", "runs", "clean_runs",
            "incremental_runs", "precision", "budget", "touch", "timeout",
            "keep_target_dirs", "check", "release", "profile", "jobs", "scenarios", "no_link_time", "max_regression", "verify_msrv",
        ]
    )]
    list: bool,

    #[command(flatten)]
    build: BuildArgs,

    /// Also build each toolchain once more, untimed for the history, with every rustc timed
    /// apart: where the time went (workspace vs dependencies, the N crates whose time changed
    /// most [default N: 10], rustc's peak memory)
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "10",
        value_parser = count,
        help_heading = "Measurement"
    )]
    crates: Option<usize>,

    /// With --crates, also write every crate of every row as a CSV table to FILE
    #[arg(long, value_name = "FILE.csv", requires = "crates", help_heading = "Output")]
    crates_csv: Option<PathBuf>,

    /// Compare with a report saved earlier with `--format json`, toolchain version by version
    #[arg(long, value_name = "FILE", group = "against", help_heading = "Release Checks")]
    baseline: Option<PathBuf>,

    /// Time this revision (the last release's tag, say) beside the tree, in the same rounds with
    /// the same toolchains, and compare the tree with it, paired by round: nothing is carried
    /// between machines
    #[arg(long, value_name = "REV", group = "against", help_heading = "Release Checks")]
    baseline_rev: Option<String>,

    /// Fail (exit 5) when the 95% interval shows the project got slower to compile than the
    /// baseline by more than PCT percent; exit 7 when the gate could not decide
    #[arg(
        long,
        value_name = "PCT",
        requires = "against",
        value_parser = percent,
        allow_hyphen_values = true,
        help_heading = "Release Checks"
    )]
    max_regression: Option<f64>,

    /// Fail (exit 6) when the toolchain of the declared rust-version is installed and cannot
    /// build the workspace
    #[arg(long, help_heading = "Release Checks")]
    verify_msrv: bool,
}

/// Which workspace and packages: the first flags measuring and `bisect` share.
#[derive(Debug, Args)]
struct WhereArgs {
    /// Path to the workspace's Cargo.toml [default: the one in or above the current directory]
    #[arg(long, value_name = "PATH", help_heading = "Manifest Options")]
    manifest_path: Option<PathBuf>,

    /// Build only this package (repeatable; a name or a package ID spec such as `app@0.1.0`)
    /// [default: the workspace's default members]
    #[arg(short = 'p', long = "package", value_name = "SPEC", help_heading = "Package Selection")]
    packages: Vec<String>,
}

/// Which toolchains: the flags measuring and `list` share.
#[derive(Debug, Args)]
struct SelectArgs {
    /// Oldest Rust version to measure, such as 1.70 or 1.70.0
    #[arg(long, value_name = "VERSION", value_parser = version, help_heading = "Toolchain Selection")]
    since: Option<Version>,

    /// Newest Rust version to measure
    #[arg(long, value_name = "VERSION", value_parser = version, help_heading = "Toolchain Selection")]
    until: Option<Version>,

    /// Measure every eligible toolchain instead of one about every year
    #[arg(long, conflicts_with = "toolchains", help_heading = "Toolchain Selection")]
    all: bool,

    /// Measure exactly these toolchains (comma-separated rustup names; nightly allowed)
    #[arg(long, value_name = "NAMES", value_delimiter = ',', help_heading = "Toolchain Selection")]
    toolchains: Vec<String>,

    /// Install the yearly toolchains between the MSRV and the newest installed one with
    /// `rustup toolchain install --profile minimal` before measuring
    #[arg(long, help_heading = "Toolchain Selection")]
    install: bool,
}

/// How to build and time, and where the results go: the other flags measuring and `bisect` share.
#[derive(Debug, Args)]
struct BuildArgs {
    /// Stop adding rounds once every speedup's 95% interval is within ±PCT percent
    /// [default: 5]
    #[arg(long, value_name = "PCT", value_parser = precision, help_heading = "Measurement")]
    precision: Option<f64>,

    /// Start no round that would end later than DURATION after the first build (the first round
    /// always runs whole), such as 20m, 90s or 1h30m: a number needs its unit [default: 20m]
    #[arg(long, value_name = "DURATION", value_parser = duration, help_heading = "Measurement")]
    budget: Option<Duration>,

    /// Exactly N rounds of every scenario, with no stopping rule (sets both --clean-runs and
    /// --incremental-runs)
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        conflicts_with_all = ["precision", "budget"],
        help_heading = "Measurement"
    )]
    runs: Option<usize>,

    /// Exactly N rounds of clean builds, with no stopping rule [default with other fixed runs: 3]
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        conflicts_with_all = ["precision", "budget"],
        help_heading = "Measurement"
    )]
    clean_runs: Option<usize>,

    /// Exactly N rounds of rebuilds, with no stopping rule [default with other fixed runs: 5]
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        conflicts_with_all = ["precision", "budget"],
        help_heading = "Measurement"
    )]
    incremental_runs: Option<usize>,

    /// The workflows to time, comma-separated: clean, touched, edited, deep, check,
    /// check-touched, test, release [default: clean,touched,deep,check-touched; deep only when a
    /// workspace library has a dependent among the built packages]
    #[arg(
        long,
        value_name = "LIST",
        value_enum,
        value_delimiter = ',',
        hide_possible_values = true,
        help_heading = "Measurement"
    )]
    scenarios: Vec<Scenario>,

    /// Do not take link time apart: no link timer on the builds' PATH (it adds a process start to
    /// every C compiler run of a build script; see the README's overhead benchmark)
    #[arg(long, help_heading = "Measurement")]
    no_link_time: bool,

    /// Also time rebuilds after a real edit of the touched file (the `edited` scenario: a
    /// `#[used]` static appended, so new code is generated and linked, and removed again after
    /// each build)
    #[arg(long, help_heading = "Measurement")]
    edit: bool,

    /// Time this committed revision (a commit, tag or branch) instead of the working tree,
    /// exported into timewarp's state directory outside the workspace; old compilers often build
    /// only older code
    #[arg(long, value_name = "REV", help_heading = "Measurement")]
    rev: Option<String>,

    /// In the `--rev` copy only, rewrite a version 4 Cargo.lock as version 3 so cargo before
    /// 1.78 can read it (the locked versions stay the same)
    #[arg(long, requires = "rev", help_heading = "Measurement")]
    lockfile_compat: bool,

    /// Kill a build that runs longer than SECONDS; its toolchain becomes a failed row
    #[arg(long, value_name = "SECONDS", value_parser = count, allow_hyphen_values = true, help_heading = "Measurement")]
    timeout: Option<usize>,

    /// Source file whose modification time is set to now before each incremental rebuild
    /// [default: the root source file of the top package of the workspace]
    #[arg(long, value_name = "PATH", help_heading = "Measurement")]
    touch: Option<PathBuf>,

    /// Time `cargo check` instead of `cargo build`: short for `--scenarios check,check-touched`
    #[arg(long, conflicts_with = "scenarios", help_heading = "Compilation Options")]
    check: bool,

    /// Time clean `--release` builds: short for `--scenarios release` (with --check, both)
    #[arg(long, conflicts_with = "scenarios", help_heading = "Compilation Options")]
    release: bool,

    /// Build every scenario but `release` with the named cargo profile (needs cargo 1.57 or
    /// newer) [default: dev]
    #[arg(long, value_name = "NAME", help_heading = "Compilation Options")]
    profile: Option<String>,

    /// Number of parallel jobs of every timed build (`cargo -j`), to emulate a smaller machine or
    /// to pin parallelism across runs [default: cargo's, the number of CPUs]
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        help_heading = "Compilation Options"
    )]
    jobs: Option<usize>,

    /// Put timewarp's directory (builds, vendored sources, history) under DIR/timewarp instead
    /// of the workspace's target directory; for read-only checkouts
    #[arg(long, value_name = "DIR", help_heading = "Compilation Options")]
    target_dir: Option<PathBuf>,

    /// Output format [default: table, or from --output's extension]
    #[arg(long, value_name = "FORMAT", value_enum, help_heading = "Output")]
    format: Option<Format>,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,

    /// Also draw the history as an SVG chart to FILE (each scenario's time per release, with
    /// its 95% interval as an error bar)
    #[arg(long, value_name = "FILE.svg", help_heading = "Output")]
    plot: Option<PathBuf>,

    /// Keep every toolchain's build directory [default: keep only the newest toolchain's]
    #[arg(long, help_heading = "Output")]
    keep_target_dirs: bool,

    /// Show CPU time and the peak memory of the largest process in the table
    #[arg(long, short = 'v')]
    verbose: bool,

    /// Print no progress on standard error
    #[arg(long, short = 'q')]
    quiet: bool,

    /// Coloring [default: $CARGO_TERM_COLOR, else auto; with auto, NO_COLOR turns it off]
    #[arg(long, value_name = "WHEN", value_enum)]
    color: Option<Color>,
}

/// What else timewarp can do besides measuring.
#[derive(Debug, Subcommand)]
enum RawAction {
    /// List the installed toolchains and which would be measured (or why not), then exit without
    /// building; `--list` is the same
    #[command(
        after_help = "Examples:\n  cargo timewarp list\n  cargo timewarp list --since 1.70 --all\n  cargo timewarp list --rev v1.0.0 --format json"
    )]
    List(ListArgs),
    /// Remove timewarp's directories: <target-dir>/timewarp (per-toolchain builds, vendored
    /// sources, the history of past runs) and its state directory for this workspace
    Clean(Location),
    /// Show how this project's build times moved across past runs, per toolchain
    #[command(
        after_help = "Examples:\n  cargo timewarp history\n  cargo timewarp history --format json --output history.json\n  cargo timewarp history --plot history.svg"
    )]
    History(HistoryArgs),
    /// Combine reports of one setup measured on several machines (the jobs of a CI matrix) into
    /// one speedup per row with its interval; seconds are never mixed across machines
    #[command(
        after_help = "Examples:\n  cargo timewarp merge linux-a.json linux-b.json\n  cargo timewarp merge reports/*.json --format markdown -o merged.md"
    )]
    Merge(MergeArgs),
    /// Find the release that moved this project's build time between toolchains FROM and TO:
    /// measure both, then the installed stable releases between them by halving, each step
    /// paired by round, until the change lies between two adjacent releases
    #[command(after_help = BISECT_EXAMPLES)]
    Bisect(Box<BisectArgs>),
    /// Measure named changes of the build settings (linkers, debug information, ...) against the
    /// build as configured today, on one toolchain, paired by round, and print the settings
    /// worth adopting
    #[command(after_help = TRY_EXAMPLES)]
    Try(Box<TryArgs>),
}

const TRY_EXAMPLES: &str = "\
Examples:
  cargo timewarp try --list
  cargo timewarp try
  cargo timewarp try --arms mold,line-tables-only --budget 10m
  cargo timewarp try --nightly --arms threads,cranelift

Each arm is applied through `cargo --config` and the environment, after the user's own settings;
no file of the workspace changes. Arms that do not apply here are listed with the reason.";

/// `try`'s toolchain, arms, and how to build.
#[derive(Debug, Args)]
struct TryArgs {
    /// The toolchain to build with [default: the newest installed stable]
    #[arg(long, value_name = "NAME", conflicts_with = "nightly", help_heading = "Arms")]
    toolchain: Option<String>,
    /// Build with the newest installed nightly, where the nightly-only arms apply
    #[arg(long, help_heading = "Arms")]
    nightly: bool,
    /// The arms to measure, comma-separated (see `--list`) [default: every arm that applies here]
    #[arg(
        long,
        value_name = "LIST",
        value_enum,
        value_delimiter = ',',
        hide_possible_values = true,
        help_heading = "Arms"
    )]
    arms: Vec<Arm>,
    /// Show every arm, whether it applies here and why not, then exit without building
    #[arg(long, help_heading = "Arms")]
    list: bool,
    #[command(flatten)]
    at: WhereArgs,
    #[command(flatten)]
    build: BuildArgs,
}

/// `try`: the toolchain and the arms asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trial {
    /// `--toolchain`; `None` for the newest stable (or nightly, with `nightly`).
    pub toolchain: Option<String>,
    /// `--nightly`.
    pub nightly: bool,
    /// `--arms`; empty for every arm that applies.
    pub arms: Vec<Arm>,
    /// `--list`: show the arms, build nothing.
    pub list: bool,
}

const BISECT_EXAMPLES: &str = "\
Examples:
  cargo timewarp bisect 1.63 1.96
  cargo timewarp bisect 1.70.0 stable --scenario clean --budget 1h
  cargo timewarp bisect 1.63 1.96 --rev v0.12.1 --format markdown -o bisect.md
  cargo timewarp bisect 1.80 1.90 --install
  cargo timewarp bisect 1.89 1.90 --scenario touched --nightlies --install

Only installed stable releases are measured, unless --install adds the missing ones (removed
afterwards unless --keep-installed); the output names the releases of the span that are missing.
--budget covers the whole bisection here [default: 1h], shared among the steps still to come.
Exit codes: 0 success (a release located, a spread change, or no change), 1 error (FROM or TO
fails to build), 2 bad usage, 3 FROM or TO is below the MSRV, 130 interrupted.";

/// `bisect`'s span, what it follows, and how to build.
#[derive(Debug, Args)]
struct BisectArgs {
    /// The older toolchain: a version such as 1.63 or 1.63.0, or a rustup name
    #[arg(value_name = "FROM")]
    from: String,
    /// The newer toolchain
    #[arg(value_name = "TO")]
    to: String,
    /// The scenario whose change to locate, the only one measured then [default: every scenario
    /// measured, following the one that changed most between FROM and TO]
    #[arg(long, value_name = "SCENARIO", value_enum, help_heading = "Bisection")]
    scenario: Option<Scenario>,
    /// Install the span's missing stable releases with `rustup toolchain install --profile
    /// minimal` before measuring, and remove them when the bisection ends
    #[arg(long, help_heading = "Bisection")]
    install: bool,
    /// Keep the releases --install installed
    #[arg(long, help_heading = "Bisection")]
    keep_installed: bool,
    /// Once the change lies between two adjacent stable releases, go on over the nightlies of
    /// the newer one's six-week train, and give the rust-lang/rust commits between the two
    /// nightlies that hold it (installed nightlies, or with --install those each step needs)
    #[arg(long, help_heading = "Bisection")]
    nightlies: bool,
    #[command(flatten)]
    at: WhereArgs,
    #[command(flatten)]
    build: BuildArgs,
}

/// `list`'s flags: which workspace and toolchains, and the document to make of the listing.
#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    at: WhereArgs,
    #[command(flatten)]
    select: SelectArgs,
    /// List for this committed revision (a commit, tag or branch) instead of the working tree:
    /// its MSRV and the floors of its lockfile
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
    /// Output format [default: table, or from --output's extension]
    #[arg(long, value_name = "FORMAT", value_enum, help_heading = "Output")]
    format: Option<Format>,
    /// Write the listing to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,
    /// Print no progress on standard error
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Coloring [default: $CARGO_TERM_COLOR, else auto; with auto, NO_COLOR turns it off]
    #[arg(long, value_name = "WHEN", value_enum)]
    color: Option<Color>,
}

/// `merge`'s reports and the document to make of them.
#[derive(Debug, Args)]
struct MergeArgs {
    /// The reports (`--format json`), one per machine
    #[arg(value_name = "REPORT.json", required = true, num_args = 1..)]
    reports: Vec<PathBuf>,
    /// Output format [default: table, or from --output's extension]
    #[arg(long, value_name = "FORMAT", value_enum)]
    format: Option<Format>,
    /// Write the merged report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
}

/// `history`'s flags: where the runs were recorded, and the document to make of them.
#[derive(Debug, Args)]
struct HistoryArgs {
    #[command(flatten)]
    at: Location,
    /// Output format [default: table, or from --output's extension]
    #[arg(long, value_name = "FORMAT", value_enum)]
    format: Option<Format>,
    /// Write the history to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also draw each toolchain's build times across the recorded runs as an SVG chart to FILE
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// Which workspace, and where its timewarp directory is.
#[derive(Debug, Args)]
struct Location {
    /// Path to the workspace's Cargo.toml
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// The `--target-dir` the runs used
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,
}

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Build and time (the default).
    Measure,
    /// `list` (or `--list`): show the selection, build nothing.
    List,
    /// `clean`: remove timewarp's directory.
    Clean,
    /// `history`: summarise past runs.
    History,
    /// `merge`: combine several machines' reports.
    Merge,
    /// `bisect`: find the release that moved the build time.
    Bisect,
    /// `try`: measure changes of the build settings.
    Try,
}

/// `bisect FROM TO`: the span to search and the scenario to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// The older toolchain, as given.
    pub from: String,
    /// The newer toolchain, as given.
    pub to: String,
    /// `--scenario`; `None` for the one that changed most.
    pub follow: Option<Scenario>,
}

/// Validated settings for one run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p` specs.
    pub packages: Vec<String>,
    /// `--toolchains`, as given (empty without).
    pub toolchains: Vec<String>,
    /// `--all`.
    pub all: bool,
    /// `--since`.
    pub since: Option<Version>,
    /// `--until`.
    pub until: Option<Version>,
    /// What to do.
    pub action: Action,
    /// `--target-dir`: where timewarp's directory goes instead of the workspace's target dir.
    pub target_dir: Option<PathBuf>,
    /// `--keep-target-dirs`: keep every toolchain's build directory after the run.
    pub keep_target_dirs: bool,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
    /// `--max-regression`, percent.
    pub max_regression_pct: Option<f64>,
    /// `--verify-msrv`.
    pub verify_msrv: bool,
    /// `--install`: for a history, the yearly toolchains missing; for `bisect`, the span's
    /// missing releases, removed afterwards.
    pub install: bool,
    /// `bisect --keep-installed`.
    pub keep_installed: bool,
    /// `bisect --nightlies`.
    pub nightlies: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// Fixed rounds of clean builds (`--clean-runs`, `--runs`); `None` for the stopping rule.
    pub clean_runs: Option<usize>,
    /// Fixed rounds of rebuilds (`--incremental-runs`, `--runs`); `None` for the stopping rule.
    pub incremental_runs: Option<usize>,
    /// `--precision`, as a fraction (0.05 for 5 %).
    pub precision: Option<f64>,
    /// `--budget`.
    pub budget: Option<Duration>,
    /// `--baseline-rev`.
    pub baseline_rev: Option<String>,
    /// `merge`'s reports.
    pub reports: Vec<PathBuf>,
    /// `bisect`'s span.
    pub span: Option<Span>,
    /// `try`'s toolchain and arms.
    pub trial: Option<Trial>,
    /// `--touch`, as given.
    pub touch: Option<PathBuf>,
    /// The scenarios asked for (`--scenarios`, `--check`, `--release`, with `--edit`'s
    /// `edited`), in round order; `None` for the default, which depends on the workspace.
    pub scenarios: Option<Vec<Scenario>>,
    /// `--edit`: `edited` besides the default scenarios.
    pub edit: bool,
    /// `--no-link-time`: no link timer.
    pub no_link_time: bool,
    /// `--crates[=N]`: the per-crate build, showing the N crates that changed most.
    pub crates: Option<usize>,
    /// `--crates-csv`.
    pub crates_csv: Option<PathBuf>,
    /// `--rev`.
    pub rev: Option<String>,
    /// `--lockfile-compat`.
    pub lockfile_compat: bool,
    /// `--timeout` per build.
    pub timeout: Option<Duration>,
    /// `dev` or `--profile NAME`: the profile of every scenario but `release`.
    pub profile: Profile,
    /// The report format.
    pub format: Format,
    /// `--output`.
    pub output: Option<PathBuf>,
    /// `--plot`.
    pub plot: Option<PathBuf>,
    /// `--quiet`.
    pub quiet: bool,
    /// `--color`, else `CARGO_TERM_COLOR`: `Some(true)` always, `Some(false)` never, `None` for
    /// the terminal to decide.
    pub color: Option<bool>,
    /// `-j/--jobs`.
    pub jobs: Option<usize>,
}

/// Parses the process arguments, accepting both `cargo timewarp ...` (cargo passes `timewarp`
/// as the first argument) and `cargo-timewarp ...`, with `env` for `CARGO_TERM_COLOR` and
/// `NO_COLOR`. Help and version print and exit here; every other problem is a one-line usage
/// error (exit 2).
pub(crate) fn parse_args<I, T>(args: I, env: &Env) -> Result<Config>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_none_or(|a| a != "timewarp") {
        args.insert(1.min(args.len()), "timewarp".into());
    }
    let CargoCli::Timewarp(raw) = match CargoCli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => e.exit(),
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            // After a command, an unknown flag is pointed at that command's help.
            let timewarp = <CargoCli as clap::CommandFactory>::command().find_subcommand("timewarp").cloned();
            let command = args
                .get(2)
                .and_then(|a| a.to_str())
                .filter(|name| timewarp.as_ref().is_some_and(|t| t.get_subcommands().any(|c| c.get_name() == *name)));
            return Err(ExitError::usage(one_line(&e, command)));
        }
    };
    Config::from_raw(raw, env)
}

/// A clap error as one sentence in timewarp's voice: the flag and value in backticks, the
/// parser's reason, a suggestion when clap has one, and `--help` only where it helps (an unknown
/// flag).
fn one_line(error: &clap::Error, command: Option<&str>) -> String {
    let context = |kind: ContextKind| match error.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(list)) => Some(list.join(", ")),
        _ => None,
    };
    let flag = |text: String| text.split_whitespace().next().unwrap_or_default().to_string();
    let quoted = |text: &str| text.replace('\'', "`");
    match error.kind() {
        ErrorKind::ValueValidation | ErrorKind::InvalidValue => {
            let arg = context(ContextKind::InvalidArg).map(flag).unwrap_or_default();
            let value = context(ContextKind::InvalidValue).unwrap_or_default();
            if value.is_empty() && error.kind() == ErrorKind::InvalidValue {
                let named = context(ContextKind::InvalidArg).unwrap_or_default();
                return match named.contains(' ') {
                    true => format!("`{arg}` needs a value: `{named}`"),
                    false => format!("`{arg}` needs a value"),
                };
            }
            let why = match (context(ContextKind::ValidValue), std::error::Error::source(error)) {
                (Some(valid), _) => format!("expected one of {valid}"),
                (None, Some(source)) => source.to_string(),
                (None, None) => "not a valid value".into(),
            };
            format!("invalid value `{value}` for `{arg}`: {why}")
        }
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            match context(ContextKind::SuggestedArg) {
                Some(suggested) => format!("unexpected argument `{arg}`; did you mean `{suggested}`?"),
                None => {
                    let command = command.map_or(String::new(), |c| format!("{c} "));
                    format!("unexpected argument `{arg}`; see `cargo timewarp {command}--help`")
                }
            }
        }
        ErrorKind::ArgumentConflict => {
            let arg = context(ContextKind::InvalidArg).map(flag).unwrap_or_default();
            let prior = context(ContextKind::PriorArg).map(flag).unwrap_or_default();
            match (arg.as_str(), prior.as_str()) {
                ("--list", other) | (other, "--list") => {
                    format!("`{other}` does nothing with `--list`, which builds nothing")
                }
                _ => format!("`{arg}` cannot be used with `{prior}`"),
            }
        }
        ErrorKind::MissingRequiredArgument => {
            // A required group comes as `<--baseline FILE|--baseline-rev REV>`.
            let missing = context(ContextKind::InvalidArg).map(flag).unwrap_or_default();
            let by = match missing.trim_start_matches('<') {
                "--baseline" | "--baseline-rev" => {
                    "`--max-regression` needs `--baseline FILE` or `--baseline-rev REV`, what to compare with"
                }
                "--rev" => "`--lockfile-compat` needs `--rev REV`, the revision whose copy it rewrites",
                "--crates" => "`--crates-csv` needs `--crates`, the per-crate build it writes",
                "REPORT.json>..." => "`merge` needs the reports to merge: `cargo timewarp merge a.json b.json ...`",
                "FROM>" | "TO>" => "`bisect` needs two toolchains, the span to search: `cargo timewarp bisect FROM TO`",
                _ => "",
            };
            if by.is_empty() { format!("`{missing}` is required here") } else { by.to_string() }
        }
        _ => {
            let rendered = error.to_string();
            let first = rendered.lines().next().unwrap_or_default();
            quoted(first.trim_start_matches("error: ").trim())
        }
    }
}

impl Config {
    fn from_raw(mut raw: RawArgs, env: &Env) -> Result<Config> {
        let mut reports = Vec::new();
        let mut span = None;
        let mut keep_installed = false;
        let mut nightlies = false;
        let mut follow = None;
        let mut trial = None;
        let action = match raw.action.take() {
            Some(RawAction::List(list)) => {
                (raw.at, raw.select, raw.build.rev) = (list.at, list.select, list.rev);
                (raw.build.format, raw.build.output) = (list.format, list.output);
                (raw.build.quiet, raw.build.color) = (list.quiet, list.color);
                Action::List
            }
            Some(RawAction::Clean(at)) => {
                (raw.at.manifest_path, raw.build.target_dir) = (at.manifest_path, at.target_dir);
                Action::Clean
            }
            Some(RawAction::History(history)) => {
                (raw.at.manifest_path, raw.build.target_dir) = (history.at.manifest_path, history.at.target_dir);
                (raw.build.format, raw.build.output, raw.build.plot) = (history.format, history.output, history.plot);
                Action::History
            }
            Some(RawAction::Merge(merge)) => {
                (raw.build.format, raw.build.output) = (merge.format, merge.output);
                reports = merge.reports;
                Action::Merge
            }
            Some(RawAction::Bisect(bisect)) => {
                let bisect = *bisect;
                (raw.at, raw.build) = (bisect.at, bisect.build);
                raw.select.install |= bisect.install;
                keep_installed = bisect.keep_installed;
                nightlies = bisect.nightlies;
                if keep_installed && !raw.select.install {
                    return Err(ExitError::usage(
                        "`--keep-installed` needs `--install`: it keeps the releases --install adds",
                    ));
                }
                follow = bisect.scenario;
                span = Some(Span { from: bisect.from, to: bisect.to, follow });
                Action::Bisect
            }
            Some(RawAction::Try(tried)) => {
                let tried = *tried;
                (raw.at, raw.build) = (tried.at, tried.build);
                let arms = tried.arms.into_iter().fold(Vec::new(), |mut arms, arm| {
                    if !arms.contains(&arm) {
                        arms.push(arm);
                    }
                    arms
                });
                trial = Some(Trial { toolchain: tried.toolchain, nightly: tried.nightly, arms, list: tried.list });
                Action::Try
            }
            None if raw.list => Action::List,
            None => Action::Measure,
        };
        if let (Some(s), Some(u)) = (&raw.select.since, &raw.select.until)
            && s > u
        {
            return Err(ExitError::usage(format!("`--since {s}` is newer than `--until {u}`")));
        }
        let format = match (raw.build.format, &raw.build.output) {
            (Some(format), _) => format,
            (None, Some(path)) => Format::from_extension(path).ok_or_else(|| {
                ExitError::usage(format!(
                    "cannot tell the format of `{}` from its extension; add `--format table|json|csv|markdown`",
                    path.display()
                ))
            })?,
            (None, None) => Format::Table,
        };
        let toolchains: Vec<String> = raw.select.toolchains.iter().map(|t| t.trim().to_string()).collect();
        if toolchains.iter().any(String::is_empty) {
            return Err(ExitError::usage("`--toolchains` has an empty name; separate names with single commas"));
        }
        let profile = raw.build.profile.as_deref().map_or(Profile::Dev, Profile::from_name);
        let scenarios = scenarios(&raw.build, follow, &profile)?;
        Ok(Config {
            manifest_path: raw.at.manifest_path,
            packages: raw.at.packages,
            toolchains,
            all: raw.select.all,
            since: raw.select.since,
            until: raw.select.until,
            action,
            target_dir: raw.build.target_dir.map(absolute),
            keep_target_dirs: raw.build.keep_target_dirs,
            baseline: raw.baseline,
            max_regression_pct: raw.max_regression,
            verify_msrv: raw.verify_msrv,
            install: raw.select.install,
            keep_installed,
            nightlies,
            verbose: raw.build.verbose,
            clean_runs: raw.build.clean_runs.or(raw.build.runs),
            incremental_runs: raw.build.incremental_runs.or(raw.build.runs),
            precision: raw.build.precision.map(|p| p / 100.0),
            budget: raw.build.budget,
            baseline_rev: raw.baseline_rev,
            reports,
            span,
            trial,
            touch: raw.build.touch,
            edit: raw.build.edit,
            no_link_time: raw.build.no_link_time,
            scenarios,
            crates: raw.crates,
            crates_csv: raw.crates_csv,
            rev: raw.build.rev,
            lockfile_compat: raw.build.lockfile_compat,
            timeout: raw.build.timeout.map(|s| Duration::from_secs(s as u64)),
            profile,
            format,
            output: raw.build.output,
            plot: raw.build.plot,
            quiet: raw.build.quiet,
            color: color_choice(raw.build.color, env)?,
            jobs: raw.build.jobs,
        })
    }
}

/// The scenarios asked for, in round order: `bisect --scenario S` measures S alone; else
/// `--scenarios`, or the shorthands `--check` and `--release`, with `--edit`'s `edited`; `None`
/// for the default.
fn scenarios(build: &BuildArgs, follow: Option<Scenario>, profile: &Profile) -> Result<Option<Vec<Scenario>>> {
    let asked = [
        (!build.scenarios.is_empty(), "--scenarios"),
        (build.check, "--check"),
        (build.release, "--release"),
        (build.edit, "--edit"),
    ];
    if let (Some(follow), Some((_, flag))) = (follow, asked.iter().find(|(given, _)| *given)) {
        return Err(ExitError::usage(format!(
            "`--scenario {follow}` measures that scenario alone, so `{flag}` would be ignored; leave one out"
        )));
    }
    let mut given: Vec<Scenario> = match follow {
        Some(follow) => vec![follow],
        None => build.scenarios.clone(),
    };
    if follow.is_none() {
        if build.check {
            given.extend([Scenario::Check, Scenario::CheckTouched]);
        }
        if build.release {
            given.push(Scenario::Release);
        }
        if build.edit && !given.is_empty() {
            given.push(Scenario::Edited);
        }
    }
    if given.is_empty() {
        return Ok(None);
    }
    given.sort();
    given.dedup();
    if *profile == Profile::Release && given.contains(&Scenario::Release) && given.contains(&Scenario::Clean) {
        return Err(ExitError::usage(
            "with `--profile release`, the `clean` and `release` scenarios are the same build; leave one out",
        ));
    }
    Ok(Some(given))
}

/// `path` made absolute against the current directory, as cargo makes `--target-dir`: the
/// builds run in the workspace root, so a relative target directory given in a member's
/// directory would otherwise name two places. (The other path flags are read and written by
/// timewarp itself, whose current directory never changes, and keep their spelling for
/// messages.)
fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

/// `--color`, else `CARGO_TERM_COLOR` (as cargo reads it), as forced on, off, or `None` (auto:
/// a terminal, unless `NO_COLOR` is set).
fn color_choice(flag: Option<Color>, env: &Env) -> Result<Option<bool>> {
    let choice = match (flag, env.var("CARGO_TERM_COLOR")) {
        (Some(choice), _) => choice,
        (None, Some(value)) => {
            let value = value.to_string_lossy();
            Color::from_str(&value, false).map_err(|_| {
                ExitError::usage(format!(
                    "invalid value `{value}` for `CARGO_TERM_COLOR`: expected one of auto, always, never"
                ))
            })?
        }
        (None, None) => Color::Auto,
    };
    Ok(match choice {
        Color::Always => Some(true),
        Color::Never => Some(false),
        Color::Auto => env.non_empty("NO_COLOR").map(|_| false),
    })
}

/// `1.70` or `1.70.0` (or `1.70.0-nightly`) as a version; `1.70` means `1.70.0`.
fn version(text: &str) -> Result<Version, String> {
    let text = text.trim();
    let full = if text.matches('.').count() == 1 { format!("{text}.0") } else { text.to_string() };
    Version::parse(&full).map_err(|_| "expected a version like `1.70` or `1.70.0`".to_string())
}

/// A percentage such as `5`, `2.5` or `7.5%`.
fn percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        _ => Err("expected a percentage such as `5` or `2.5`".into()),
    }
}

/// A precision such as `5` or `2.5` (percent), above 0 and below 100.
fn precision(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && p > 0.0 && p < 100.0 => Ok(p),
        _ => Err("expected a percentage above 0 and below 100, such as `5` or `2.5`".into()),
    }
}

/// A duration such as `20m`, `90s` or `1h30m`, of at least a second: every number with its
/// unit, each unit once, hours before minutes before seconds. A bare number is refused, since
/// `--budget 1` meant one second to timewarp and one hour or minute to its user.
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` has no unit; add one, such as `{text}s`, `{text}m` or `{text}h`"));
    }
    let bad = || "expected a duration such as `20m`, `90s` or `1h30m`".to_string();
    let mut total = 0u64;
    let mut number = String::new();
    let mut units_left = "hms";
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let Some(at) = units_left.find(c) else {
                    return Err(format!("{}: each unit once, hours before minutes before seconds", bad()));
                };
                units_left = &units_left[at + 1..];
                let n: u64 = number.parse().map_err(|_| bad())?;
                total = total.saturating_add(n.saturating_mul(match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                }));
                number.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !number.is_empty() {
        return Err(format!("{}: every number needs its unit", bad()));
    }
    if total == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// A whole number of at least 1.
fn count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of at least 1".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Config> {
        parse_args(std::iter::once("cargo-timewarp").chain(args.iter().copied()), &Env::default())
    }

    #[test]
    fn clap_definition_is_consistent() {
        CargoCli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let c = parse(&[]).unwrap();
        assert_eq!((c.clean_runs, c.incremental_runs, c.precision, c.budget), (None, None, None, None));
        assert_eq!((c.all, c.toolchains.len()), (false, 0));
        assert_eq!(c.format, Format::Table);
        assert_eq!(c.action, Action::Measure);
        assert_eq!(parse(&["--list"]).unwrap().action, Action::List);
        assert_eq!(parse(&["list"]).unwrap(), parse(&["--list"]).unwrap(), "`--list` is an alias of `list`");
        let clean = parse(&["clean", "--manifest-path", "x/Cargo.toml", "--target-dir", "/t"]).unwrap();
        assert_eq!((clean.action, clean.manifest_path), (Action::Clean, Some("x/Cargo.toml".into())));
        assert_eq!(clean.target_dir, Some("/t".into()));
        let relative = parse(&["--target-dir", "td"]).unwrap();
        assert_eq!(relative.target_dir, Some(std::env::current_dir().unwrap().join("td")), "as cargo makes it");
        let history = parse_args(["cargo-timewarp", "timewarp", "history"], &Env::default()).unwrap();
        assert_eq!(history.action, Action::History);
        let history = parse(&["history", "--target-dir", "/t", "-o", "h.csv", "--plot", "h.svg"]).unwrap();
        assert_eq!((history.target_dir, history.format), (Some("/t".into()), Format::Csv));
        assert_eq!(history.plot, Some("h.svg".into()));
        assert_eq!((c.scenarios, c.profile), (None, Profile::Dev), "the default depends on the workspace");
        let c = parse(&["--check", "--profile", "ci"]).unwrap();
        assert_eq!(c.scenarios, Some(vec![Scenario::Check, Scenario::CheckTouched]));
        assert_eq!(c.profile, Profile::Named("ci".into()));
        let c = parse(&["--release", "--check"]).unwrap();
        assert_eq!(c.scenarios, Some(vec![Scenario::Check, Scenario::CheckTouched, Scenario::Release]));
        assert_eq!(parse(&["--profile", "release"]).unwrap().profile, Profile::Release);
        let c = parse(&["--scenarios", "test,clean,deep,clean", "--edit"]).unwrap();
        let want = [Scenario::Clean, Scenario::Edited, Scenario::Deep, Scenario::Test];
        assert_eq!(c.scenarios.as_deref(), Some(&want[..]), "round order, once each, with --edit's");
        let c = parse(&["--edit"]).unwrap();
        assert_eq!((c.scenarios, c.edit), (None, true), "edited beside the default");
        let c = parse(&["--scenarios", "check-touched"]).unwrap();
        assert_eq!(c.scenarios, Some(vec![Scenario::CheckTouched]));
        let same = parse(&["--scenarios", "clean,release", "--profile", "release"]).unwrap_err().to_string();
        assert!(same.contains("`clean` and `release` scenarios are the same build"), "{same}");
        let bad = parse(&["--scenarios", "clean,linked"]).unwrap_err().to_string();
        assert!(bad.starts_with("invalid value `linked` for `--scenarios`: expected one of clean,"), "{bad}");
        let both = parse(&["--check", "--scenarios", "test"]).unwrap_err().to_string();
        assert_eq!(both, "`--check` cannot be used with `--scenarios`");
        let follow = parse(&["bisect", "1.80", "1.90", "--scenario", "touched", "--check"]).unwrap_err().to_string();
        assert_eq!(
            follow,
            "`--scenario touched` measures that scenario alone, so `--check` would be ignored; leave one out"
        );
        let c = parse(&["bisect", "1.80", "1.90", "--scenario", "check-touched"]).unwrap();
        assert_eq!(c.scenarios, Some(vec![Scenario::CheckTouched]));
        let gate = parse(&["--baseline", "b.json", "--max-regression", "7.5%"]).unwrap();
        assert_eq!((gate.baseline, gate.max_regression_pct), (Some("b.json".into()), Some(7.5)));
    }

    #[test]
    fn works_as_cargo_subcommand_and_directly() {
        let via_cargo = parse_args(["cargo-timewarp", "timewarp", "--all"], &Env::default()).unwrap();
        let direct = parse(&["--all"]).unwrap();
        assert_eq!(via_cargo, direct);
        assert!(direct.all);
    }

    #[test]
    fn versions_runs_and_formats() {
        let c = parse(&["--since", "1.70", "--until", "1.85.0", "--runs", "3", "--clean-runs", "2"]).unwrap();
        assert_eq!(c.since, Some(Version::new(1, 70, 0)));
        assert_eq!(c.until, Some(Version::new(1, 85, 0)));
        assert_eq!((c.clean_runs, c.incremental_runs), (Some(2), Some(3)));
        let c = parse(&["--precision", "2.5", "--budget", "1h30m"]).unwrap();
        assert_eq!((c.precision, c.budget), (Some(0.025), Some(Duration::from_secs(5400))));
        assert_eq!(parse(&["--budget", "90s"]).unwrap().budget, Some(Duration::from_secs(90)));
        assert_eq!(parse(&["--budget", "2h5s"]).unwrap().budget, Some(Duration::from_secs(7205)));
        // Case 41: a bare number meant seconds; `1h1h` meant two hours.
        for (given, why) in [
            ("1", "`1` has no unit; add one, such as `1s`, `1m` or `1h`"),
            ("600", "`600` has no unit; add one, such as `600s`, `600m` or `600h`"),
            ("1h30", "expected a duration such as `20m`, `90s` or `1h30m`: every number needs its unit"),
            (
                "1h1h",
                "expected a duration such as `20m`, `90s` or `1h30m`: each unit once, hours before minutes before seconds",
            ),
            (
                "30m1h",
                "expected a duration such as `20m`, `90s` or `1h30m`: each unit once, hours before minutes before seconds",
            ),
            ("0m", "expected a duration such as `20m`, `90s` or `1h30m`"),
        ] {
            let err = parse(&["--budget", given]).unwrap_err().to_string();
            assert_eq!(err, format!("invalid value `{given}` for `--budget`: {why}"), "{given}");
        }
        assert!(parse(&["--sequential"]).is_err() && parse(&["--interleave"]).is_err(), "rounds are the only order");
        let merge = parse(&["merge", "a.json", "b.json", "-o", "m.md"]).unwrap();
        assert_eq!((merge.action, merge.reports.len(), merge.format), (Action::Merge, 2, Format::Markdown));
        let rev = parse(&["--baseline-rev", "v1.0", "--max-regression", "5"]).unwrap();
        assert_eq!((rev.baseline_rev.as_deref(), rev.max_regression_pct), (Some("v1.0"), Some(5.0)));
        assert!(parse(&["--baseline-rev", "v1.0", "--max-regression", "5", "--fail-if-possibly-slower"]).is_err());
        assert_eq!(parse(&["-o", "h.md"]).unwrap().format, Format::Markdown);
        assert_eq!(parse(&["-o", "h.md", "--format", "csv"]).unwrap().format, Format::Csv);
        assert_eq!(parse(&["--crates"]).unwrap().crates, Some(10));
        assert_eq!(parse(&["-j", "2"]).unwrap().jobs, Some(2));
        assert_eq!(parse(&["--color", "always"]).unwrap().color, Some(true));
        assert_eq!(parse(&["--color=never"]).unwrap().color, Some(false));
        assert_eq!(parse(&["--crates=3"]).unwrap().crates, Some(3));
        assert_eq!(parse(&[]).unwrap().crates, None);
        assert_eq!(parse(&["--toolchains", "1.85.0, stable"]).unwrap().toolchains, ["1.85.0", "stable"]);
    }

    #[test]
    fn colour_follows_the_flag_then_cargo_term_color_then_no_color() {
        let with = |vars: &[(&str, &str)], args: &[&str]| {
            let env = Env::new(vars.iter().map(|(k, v)| (*k, *v)));
            parse_args(std::iter::once("cargo-timewarp").chain(args.iter().copied()), &env).map(|c| c.color)
        };
        assert_eq!(with(&[("CARGO_TERM_COLOR", "always")], &[]).unwrap(), Some(true));
        assert_eq!(with(&[("CARGO_TERM_COLOR", "always")], &["--color", "never"]).unwrap(), Some(false));
        assert_eq!(with(&[("NO_COLOR", "1")], &[]).unwrap(), Some(false));
        assert_eq!(with(&[("NO_COLOR", "")], &[]).unwrap(), None, "an empty NO_COLOR is unset");
        let err = with(&[("CARGO_TERM_COLOR", "purple")], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value `purple` for `CARGO_TERM_COLOR`: expected one of auto, always, never"
        );
    }

    #[test]
    fn the_ci_recipe_uses_flags_that_exist() {
        let workflow = include_str!("../examples/github-actions.yml");
        let against = workflow
            .lines()
            .find_map(|l| l.split("TIMEWARP_AGAINST=").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("the workflow sets TIMEWARP_AGAINST");
        // Every `cargo timewarp` line of the workflow, with its variable set and unset.
        let lines: Vec<&str> = workflow
            .lines()
            .filter_map(|l| l.trim().trim_start_matches("run: ").strip_prefix("cargo timewarp "))
            .collect();
        assert_eq!(lines.len(), 4, "the gate, the history and two merges: {lines:?}");
        for with_baseline in [true, false] {
            let line = lines[0].replace("$TIMEWARP_AGAINST", if with_baseline { against } else { "" });
            let config = parse(&line.split_whitespace().collect::<Vec<_>>()).unwrap();
            assert!(config.verify_msrv && !config.install, "{line}");
            assert_eq!(config.toolchains, ["stable"], "the gate measures only what it needs: {line}");
            assert_eq!((config.format, config.output), (Format::Json, Some("gate.json".into())));
            assert_eq!(config.max_regression_pct.is_some(), with_baseline, "{line}");
            assert_eq!(config.baseline_rev.is_some(), with_baseline, "{line}");
        }
        for line in &lines[1..] {
            let line = line.replace("${{ matrix.runner }}", "ubuntu-24.04").replace("history-*.json", "a.json b.json");
            let config = parse(&line.split_whitespace().collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert!(config.action == Action::Measure || config.reports.len() == 2, "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn version_flags_never_panic(text in "\\PC{0,20}") {
            if let Ok(v) = version(&text) {
                let prefix = format!("{}.{}", v.major, v.minor);
                proptest::prop_assert!(text.trim().starts_with(&prefix), "{} from {:?}", v, text);
            }
        }
    }

    /// `list` takes what `--list` takes and means the same.
    #[test]
    fn list_and_the_list_flag_are_one_command() {
        let flags = [
            &["--manifest-path", "x/Cargo.toml", "-p", "app", "--since", "1.70", "--until", "1.90"][..],
            &["--all", "--install", "--rev", "v1.0", "--format", "json", "-o", "l.json", "-q", "--color", "never"],
        ]
        .concat();
        let command = parse(&[&["list"][..], &flags].concat()).unwrap();
        assert_eq!(command, parse(&[&["--list"][..], &flags].concat()).unwrap());
        assert_eq!((command.action, command.since, command.all), (Action::List, Some(Version::new(1, 70, 0)), true));
        assert_eq!((command.rev.as_deref(), command.format, command.quiet), (Some("v1.0"), Format::Json, true));
        let named = parse(&["list", "--toolchains", "1.85.0,stable"]).unwrap();
        assert_eq!(named.toolchains, ["1.85.0", "stable"]);
    }

    #[test]
    fn every_usage_error_is_one_sentence() {
        for (args, message) in [
            (
                &["--since", "banana"][..],
                "invalid value `banana` for `--since`: expected a version like `1.70` or `1.70.0`",
            ),
            (&["--until", "1"], "invalid value `1` for `--until`: expected a version like `1.70` or `1.70.0`"),
            (&["--since", "1.90", "--until", "1.80"], "`--since 1.90.0` is newer than `--until 1.80.0`"),
            (&["--runs", "0"], "invalid value `0` for `--runs`: expected a whole number of at least 1"),
            (&["--runs", "-1"], "invalid value `-1` for `--runs`: expected a whole number of at least 1"),
            (
                &["--incremental-runs", "x"],
                "invalid value `x` for `--incremental-runs`: expected a whole number of at least 1",
            ),
            (&["--format", "xml"], "invalid value `xml` for `--format`: expected one of table, json, csv, markdown"),
            (
                &["--output", "out.bin"],
                "cannot tell the format of `out.bin` from its extension; add `--format table|json|csv|markdown`",
            ),
            (
                &["--toolchains", "1.85.0,,stable"],
                "`--toolchains` has an empty name; separate names with single commas",
            ),
            (&["--list", "--plot", "x.svg"], "`--plot` does nothing with `--list`, which builds nothing"),
            (&["list", "--plot", "x.svg"], "unexpected argument `--plot`; see `cargo timewarp list --help`"),
            (&["list", "--runs", "3"], "unexpected argument `--runs`; see `cargo timewarp list --help`"),
            (&["--list", "-j", "2"], "`--jobs` does nothing with `--list`, which builds nothing"),
            (&["--runs", "3", "--list"], "`--runs` does nothing with `--list`, which builds nothing"),
            (&["--color", "sometimes"], "invalid value `sometimes` for `--color`: expected one of auto, always, never"),
            (&["-j", "0"], "invalid value `0` for `--jobs`: expected a whole number of at least 1"),
            (
                &["--max-regression", "10"],
                "`--max-regression` needs `--baseline FILE` or `--baseline-rev REV`, what to compare with",
            ),
            (
                &["--budget", "soon"],
                "invalid value `soon` for `--budget`: expected a duration such as `20m`, `90s` or `1h30m`",
            ),
            (
                &["--precision", "0"],
                "invalid value `0` for `--precision`: expected a percentage above 0 and below 100, such as `5` or `2.5`",
            ),
            (&["--runs", "3", "--precision", "2"], "`--runs` cannot be used with `--precision`"),
            (&["--baseline", "a.json", "--baseline-rev", "v1"], "`--baseline` cannot be used with `--baseline-rev`"),
            (&["--bogus"], "unexpected argument `--bogus`; see `cargo timewarp --help`"),
            (&["--baseline-rev"], "`--baseline-rev` needs a value: `--baseline-rev <REV>`"),
            (&["merge"], "`merge` needs the reports to merge: `cargo timewarp merge a.json b.json ...`"),
            (&["--edti"], "unexpected argument `--edti`; did you mean `--edit`?"),
            (&["--all", "--toolchains", "stable"], "`--all` cannot be used with `--toolchains`"),
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.to_string(), message, "{args:?}");
            assert!(!err.to_string().contains('\n'), "{args:?}");
            assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
        }
    }

    #[test]
    fn help_lists_the_possible_values() {
        let mut cli = CargoCli::command();
        let help = cli.find_subcommand_mut("timewarp").unwrap().render_long_help().to_string();
        assert!(
            help.contains("[possible values: table, json, csv, markdown]") || help.contains("- markdown"),
            "{help}"
        );
        assert!(help.contains("always"), "{help}");
    }
}
