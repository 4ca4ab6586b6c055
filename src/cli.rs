//! Command-line syntax: flags, help with examples, `cargo timewarp` vs `cargo-timewarp`, and the
//! conversion of raw flags into a validated [`Config`]. Nothing past this module sees clap types,
//! and this module never runs anything.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use semver::Version;

use crate::discover::select::{Criteria, Policy};
use crate::discover::workspace::Workspace;
use crate::exit::ExitError;
use crate::measure::build::{BuildSettings, CargoCommand, Profile};
use crate::measure::engine::{Order, RunCount, Runs};
use crate::report::export::Format;
use crate::report::output::{Outputs, terminal_width};

const EXAMPLES: &str = "\
Examples:
  Measure a yearly history of the installed toolchains on this workspace:
    cargo timewarp

  Show which toolchains would be measured, and why the others would not:
    cargo timewarp --list

  Every eligible toolchain since 1.70, as JSON for a script:
    cargo timewarp --all --since 1.70 --format json --output history.json

  Exactly these toolchains, three incremental rebuilds each:
    cargo timewarp --toolchains 1.85.0,stable --incremental-runs 3

  The `cargo check` loop, as a Markdown table for a post:
    cargo timewarp --check --output history.md

  Before a release: fail if the project builds 10% slower than last time, or not on its MSRV:
    cargo timewarp --baseline last.json --max-regression 10 --verify-msrv -o this.json

Also: `cargo timewarp history` (past runs, per toolchain), `cargo timewarp clean` (remove
timewarp's directories).

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
/// Builds the workspace with each selected rustup toolchain, clean and after touching one source
/// file, and prints the build times and speedups release by release. The workspace's files,
/// Cargo.lock and target/debug are never changed: every toolchain builds into
/// <target-dir>/timewarp/<version>/.
#[derive(Debug, Args)]
#[command(version, after_long_help = EXAMPLES, args_conflicts_with_subcommands = true, max_term_width = 100)]
pub(crate) struct RawArgs {
    #[command(subcommand)]
    action: Option<RawAction>,

    /// Path to the workspace's Cargo.toml [default: the one in or above the current directory]
    #[arg(long, value_name = "PATH", help_heading = "Manifest Options")]
    manifest_path: Option<PathBuf>,

    /// Build only this package (repeatable) [default: the workspace's default members]
    #[arg(short = 'p', long = "package", value_name = "SPEC", help_heading = "Package Selection")]
    packages: Vec<String>,

    /// Oldest Rust version to measure, such as 1.70 or 1.70.0
    #[arg(long, value_name = "VERSION", help_heading = "Toolchain Selection")]
    since: Option<String>,

    /// Newest Rust version to measure
    #[arg(long, value_name = "VERSION", help_heading = "Toolchain Selection")]
    until: Option<String>,

    /// Measure every eligible toolchain instead of one about every year
    #[arg(long, conflicts_with = "toolchains", help_heading = "Toolchain Selection")]
    all: bool,

    /// Measure exactly these toolchains (comma-separated rustup names; nightly allowed)
    #[arg(long, value_name = "NAMES", value_delimiter = ',', help_heading = "Toolchain Selection")]
    toolchains: Vec<String>,

    /// List the installed toolchains and which would be measured, then exit without building
    #[arg(long, help_heading = "Toolchain Selection")]
    list: bool,

    /// Repeat every measurement N times (sets both --clean-runs and --incremental-runs)
    #[arg(long, value_name = "N", help_heading = "Measurement")]
    runs: Option<String>,

    /// Clean builds per toolchain [default: one when a clean build takes 30 s or more, else
    /// 3 to 10, while they total under 30 s]
    #[arg(long, value_name = "N", help_heading = "Measurement")]
    clean_runs: Option<String>,

    /// Incremental rebuilds per toolchain [default: 5]
    #[arg(long, value_name = "N", help_heading = "Measurement")]
    incremental_runs: Option<String>,

    /// Also time rebuilds after a real edit of the touched file (a `#[used]` static appended, so
    /// new code is generated and linked, and removed again after each build)
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

    /// Run the toolchains round-robin (clean run 1 of each, then run 2, ...) so that a machine
    /// drifting during the run affects every row alike
    #[arg(long, help_heading = "Measurement")]
    interleave: bool,

    /// Also build each toolchain once more, untimed for the history, with every rustc timed
    /// apart: where the time went (workspace vs dependencies, the N crates whose time changed
    /// most [default N: 10], rustc's peak memory)
    #[arg(
        long,
        value_name = "N",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "10",
        help_heading = "Measurement"
    )]
    crates: Option<String>,

    /// Time `cargo check` instead of `cargo build`
    #[arg(long, help_heading = "Compilation Options")]
    check: bool,

    /// Time the release profile
    #[arg(long, conflicts_with = "profile", help_heading = "Compilation Options")]
    release: bool,

    /// Time the named cargo profile (needs cargo 1.57 or newer)
    #[arg(long, value_name = "NAME", help_heading = "Compilation Options")]
    profile: Option<String>,

    /// Number of parallel jobs of every timed build (`cargo -j`), to emulate a smaller machine or
    /// to pin parallelism across runs [default: cargo's, the number of CPUs]
    #[arg(long, short = 'j', value_name = "N", help_heading = "Compilation Options")]
    jobs: Option<String>,

    /// Kill a build that runs longer than SECONDS; its toolchain becomes a failed row
    #[arg(long, value_name = "SECONDS", help_heading = "Measurement")]
    timeout: Option<String>,

    /// Source file whose modification time is set to now before each incremental rebuild
    /// [default: the root source file of the top package of the workspace]
    #[arg(long, value_name = "PATH", help_heading = "Measurement")]
    touch: Option<PathBuf>,

    /// Output format: table, json, csv or markdown [default: table, or from --output's extension]
    #[arg(long, value_name = "FORMAT", help_heading = "Output")]
    format: Option<String>,

    /// Write the report to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    output: Option<PathBuf>,

    /// Compare with a report saved earlier with `--format json`, toolchain version by version
    #[arg(long, value_name = "FILE", help_heading = "Release Checks")]
    baseline: Option<PathBuf>,

    /// Fail (exit 5) when a median got slower than the baseline's by more than PCT percent
    #[arg(long, value_name = "PCT", requires = "baseline", help_heading = "Release Checks")]
    max_regression: Option<String>,

    /// Fail (exit 6) when the toolchain of the declared rust-version is installed and cannot
    /// build the workspace
    #[arg(long, help_heading = "Release Checks")]
    verify_msrv: bool,

    /// Install the yearly toolchains between the MSRV and the newest installed one with
    /// `rustup toolchain install --profile minimal` before measuring
    #[arg(long, help_heading = "Toolchain Selection")]
    install: bool,

    /// Show CPU time and the peak memory of the largest process in the table
    #[arg(long, short = 'v')]
    verbose: bool,

    /// Put timewarp's directory (builds, vendored sources, history) under DIR/timewarp instead
    /// of the workspace's target directory; for read-only checkouts
    #[arg(long, value_name = "DIR", help_heading = "Compilation Options")]
    target_dir: Option<PathBuf>,

    /// Keep every toolchain's build directory [default: keep only the newest toolchain's]
    #[arg(long, help_heading = "Output")]
    keep_target_dirs: bool,

    /// Also draw the history as an SVG chart to FILE (each scenario's median per release)
    #[arg(long, value_name = "FILE.svg", help_heading = "Output")]
    plot: Option<PathBuf>,

    /// Print no progress on standard error
    #[arg(long, short = 'q')]
    quiet: bool,

    /// Coloring: auto, always, never [default: $CARGO_TERM_COLOR, else auto; with auto,
    /// NO_COLOR turns it off]
    #[arg(long, value_name = "WHEN")]
    color: Option<String>,
}

/// What else timewarp can do besides measuring.
#[derive(Debug, Subcommand)]
enum RawAction {
    /// Remove timewarp's directories: <target-dir>/timewarp (per-toolchain builds, vendored
    /// sources, the history of past runs) and its state directory for this workspace
    Clean(Location),
    /// Show how this project's build times moved across past runs, per toolchain
    #[command(
        after_help = "Examples:\n  cargo timewarp history\n  cargo timewarp history --format json --output history.json\n  cargo timewarp history --plot history.svg"
    )]
    History(HistoryArgs),
}

/// `history`'s flags: where the runs were recorded, and the document to make of them.
#[derive(Debug, Args)]
struct HistoryArgs {
    #[command(flatten)]
    at: Location,
    /// Output format: table, json, csv or markdown [default: table, or from --output's extension]
    #[arg(long, value_name = "FORMAT")]
    format: Option<String>,
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
    /// `--list`: show the selection, build nothing.
    List,
    /// `clean`: remove timewarp's directory.
    Clean,
    /// `history`: summarise past runs.
    History,
}

/// Validated settings for one run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// `--manifest-path`.
    pub manifest_path: Option<PathBuf>,
    /// `-p` names.
    pub packages: Vec<String>,
    /// How to choose toolchains.
    pub policy: Policy,
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
    /// `--install`.
    pub install: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// Clean builds per toolchain (at least 1); `None` lets the project's size decide.
    pub clean_runs: Option<usize>,
    /// Incremental rebuilds per toolchain, at least 1.
    pub incremental_runs: usize,
    /// `--touch`, as given.
    pub touch: Option<PathBuf>,
    /// `--edit`.
    pub edit: bool,
    /// `--interleave`.
    pub interleave: bool,
    /// `--crates[=N]`: the per-crate build, showing the N crates that changed most.
    pub crates: Option<usize>,
    /// `--rev`.
    pub rev: Option<String>,
    /// `--lockfile-compat`.
    pub lockfile_compat: bool,
    /// `--timeout` per build.
    pub timeout: Option<std::time::Duration>,
    /// `build`, or `check` with `--check`.
    pub command: CargoCommand,
    /// `dev`, `--release` or `--profile NAME`.
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
/// as the first argument) and `cargo-timewarp ...`. Help, version and clap's own usage errors
/// exit here; a value that does not parse becomes a one-line usage error.
pub(crate) fn parse_args<I, T>(args: I) -> Result<Config>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_none_or(|a| a != "timewarp") {
        args.insert(1.min(args.len()), "timewarp".into());
    }
    let CargoCli::Timewarp(raw) = CargoCli::parse_from(args);
    Config::from_raw(raw)
}

impl Config {
    /// What selection needs.
    pub(crate) fn criteria(&self) -> Criteria {
        Criteria { policy: self.policy.clone(), since: self.since.clone(), until: self.until.clone() }
    }

    /// Where the documents go.
    pub(crate) fn outputs(&self) -> Outputs {
        let width = match &self.output {
            Some(_) => None,
            None => terminal_width(
                std::env::var("COLUMNS").ok().as_deref(),
                console::Term::stdout().size_checked().map(|(_, columns)| usize::from(columns)),
            ),
        };
        Outputs {
            format: self.format,
            verbose: self.verbose,
            output: self.output.clone(),
            plot: self.plot.clone(),
            width,
        }
    }

    /// Timed builds per scenario: `--edit` adds as many edited rebuilds as touched ones.
    pub(crate) fn runs(&self) -> Runs {
        let edited = if self.edit { self.incremental_runs } else { 0 };
        let clean = self.clean_runs.map_or(RunCount::ADAPTIVE, RunCount::Fixed);
        Runs { clean, touched: self.incremental_runs, edited }
    }

    /// The order of the builds.
    pub(crate) fn order(&self) -> Order {
        if self.interleave { Order::RoundRobin } else { Order::Sequential }
    }

    /// The build command's settings for `workspace`, with the `cargo_home` from preparation.
    pub(crate) fn build_settings(&self, workspace: &Workspace, cargo_home: &Path) -> BuildSettings {
        BuildSettings {
            root: workspace.root.clone(),
            manifest_path: workspace.manifest_path.clone(),
            packages: if workspace.explicit_packages { workspace.packages.clone() } else { Vec::new() },
            command: self.command,
            profile: self.profile.clone(),
            jobs: self.jobs,
            cargo_home: cargo_home.to_path_buf(),
            timeout: self.timeout,
            lockfile_version: workspace.lockfile_version,
        }
    }

    fn from_raw(mut raw: RawArgs) -> Result<Config> {
        let action = match raw.action.take() {
            Some(RawAction::Clean(at)) => {
                (raw.manifest_path, raw.target_dir) = (at.manifest_path, at.target_dir);
                Action::Clean
            }
            Some(RawAction::History(history)) => {
                (raw.manifest_path, raw.target_dir) = (history.at.manifest_path, history.at.target_dir);
                (raw.format, raw.output, raw.plot) = (history.format, history.output, history.plot);
                Action::History
            }
            None if raw.list => Action::List,
            None => Action::Measure,
        };
        if action == Action::List {
            let idle = [
                ("--plot", raw.plot.is_some()),
                ("--baseline", raw.baseline.is_some()),
                ("--edit", raw.edit),
                ("--crates", raw.crates.is_some()),
                ("--runs", raw.runs.is_some()),
                ("--clean-runs", raw.clean_runs.is_some()),
                ("--incremental-runs", raw.incremental_runs.is_some()),
                ("--touch", raw.touch.is_some()),
                ("--timeout", raw.timeout.is_some()),
                ("--interleave", raw.interleave),
                ("--keep-target-dirs", raw.keep_target_dirs),
                ("--check", raw.check),
                ("--release", raw.release),
                ("--profile", raw.profile.is_some()),
            ];
            if let Some((flag, _)) = idle.iter().find(|(_, given)| *given) {
                return Err(ExitError::usage(format!("`{flag}` does nothing with `--list`, which builds nothing")));
            }
        }
        let since = raw.since.as_deref().map(|v| parse_version("--since", v)).transpose()?;
        let until = raw.until.as_deref().map(|v| parse_version("--until", v)).transpose()?;
        if let (Some(s), Some(u)) = (&since, &until)
            && s > u
        {
            return Err(ExitError::usage(format!("`--since {s}` is newer than `--until {u}`")));
        }
        let runs = raw.runs.as_deref().map(|n| parse_count("--runs", n)).transpose()?;
        let clean_runs = raw.clean_runs.as_deref().map(|n| parse_count("--clean-runs", n)).transpose()?;
        let incremental_runs =
            raw.incremental_runs.as_deref().map(|n| parse_count("--incremental-runs", n)).transpose()?;
        let format = match (&raw.format, &raw.output) {
            (Some(name), _) => Format::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
                ExitError::usage(format!("invalid value `{name}` for `--format`: expected one of {}", names.join(", ")))
            })?,
            (None, Some(path)) => Format::from_extension(path).ok_or_else(|| {
                ExitError::usage(format!(
                    "cannot tell the format of `{}` from its extension; add `--format table|json|csv|markdown`",
                    path.display()
                ))
            })?,
            (None, None) => Format::Table,
        };
        let toolchains: Vec<String> = raw.toolchains.iter().map(|t| t.trim().to_string()).collect();
        if toolchains.iter().any(String::is_empty) {
            return Err(ExitError::usage("`--toolchains` has an empty name; separate names with single commas"));
        }
        let policy = if !toolchains.is_empty() {
            Policy::Named(toolchains)
        } else if raw.all {
            Policy::All
        } else {
            Policy::Yearly
        };
        Ok(Config {
            manifest_path: raw.manifest_path,
            packages: raw.packages,
            policy,
            since,
            until,
            action,
            target_dir: raw.target_dir,
            keep_target_dirs: raw.keep_target_dirs,
            baseline: raw.baseline,
            max_regression_pct: raw.max_regression.as_deref().map(parse_percent).transpose()?,
            verify_msrv: raw.verify_msrv,
            install: raw.install,
            verbose: raw.verbose,
            clean_runs: clean_runs.or(runs),
            incremental_runs: incremental_runs.or(runs).unwrap_or(5),
            touch: raw.touch,
            edit: raw.edit,
            interleave: raw.interleave,
            crates: raw.crates.as_deref().map(|n| parse_count("--crates", n)).transpose()?,
            rev: raw.rev,
            lockfile_compat: raw.lockfile_compat,
            timeout: raw
                .timeout
                .as_deref()
                .map(|n| parse_count("--timeout", n))
                .transpose()?
                .map(|s| std::time::Duration::from_secs(s as u64)),
            command: if raw.check { CargoCommand::Check } else { CargoCommand::Build },
            profile: match (raw.release, raw.profile) {
                (true, _) => Profile::Release,
                (false, Some(name)) if name == "dev" => Profile::Dev,
                (false, Some(name)) if name == "release" => Profile::Release,
                (false, Some(name)) => Profile::Named(name),
                (false, None) => Profile::Dev,
            },
            format,
            output: raw.output,
            plot: raw.plot,
            quiet: raw.quiet,
            color: color_choice(raw.color.as_deref())?,
            jobs: raw.jobs.as_deref().map(|n| parse_count("--jobs", n)).transpose()?,
        })
    }
}

/// `--color`, else `CARGO_TERM_COLOR` (as cargo reads it), as forced on, off, or `None` (auto:
/// a terminal, unless `NO_COLOR` is set).
fn color_choice(flag: Option<&str>) -> Result<Option<bool>> {
    let from_env = std::env::var("CARGO_TERM_COLOR").ok();
    let (source, value) = match (flag, from_env.as_deref()) {
        (Some(value), _) => ("--color", value),
        (None, Some(value)) => ("CARGO_TERM_COLOR", value),
        (None, None) => return Ok(auto_color()),
    };
    match value {
        "always" => Ok(Some(true)),
        "never" => Ok(Some(false)),
        "auto" => Ok(auto_color()),
        other => {
            Err(ExitError::usage(format!("invalid value `{other}` for `{source}`: expected auto, always or never")))
        }
    }
}

fn auto_color() -> Option<bool> {
    std::env::var_os("NO_COLOR").filter(|v| !v.is_empty()).map(|_| false)
}

/// `1.70` or `1.70.0` (or `1.70.0-nightly`) as a version; `1.70` means `1.70.0`.
fn parse_version(flag: &str, text: &str) -> Result<Version> {
    let text = text.trim();
    let full = if text.matches('.').count() == 1 { format!("{text}.0") } else { text.to_string() };
    Version::parse(&full).map_err(|_| {
        ExitError::usage(format!("invalid value `{text}` for `{flag}`: expected a version like `1.70` or `1.70.0`"))
    })
}

fn parse_percent(text: &str) -> Result<f64> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        _ => Err(ExitError::usage(format!(
            "invalid value `{text}` for `--max-regression`: expected a percentage such as `5` or `2.5`"
        ))),
    }
}

fn parse_count(flag: &str, text: &str) -> Result<usize> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => {
            Err(ExitError::usage(format!("invalid value `{text}` for `{flag}`: expected a whole number of at least 1")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Config> {
        parse_args(std::iter::once("cargo-timewarp").chain(args.iter().copied()))
    }

    #[test]
    fn clap_definition_is_consistent() {
        CargoCli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let c = parse(&[]).unwrap();
        assert_eq!((c.clean_runs, c.incremental_runs), (None, 5));
        assert_eq!(c.runs().clean, RunCount::ADAPTIVE, "the project's size decides");
        assert_eq!(c.policy, Policy::Yearly);
        assert_eq!(c.format, Format::Table);
        assert_eq!(c.action, Action::Measure);
        assert_eq!(parse(&["--list"]).unwrap().action, Action::List);
        let clean = parse(&["clean", "--manifest-path", "x/Cargo.toml", "--target-dir", "/t"]).unwrap();
        assert_eq!((clean.action, clean.manifest_path), (Action::Clean, Some("x/Cargo.toml".into())));
        assert_eq!(clean.target_dir, Some("/t".into()));
        assert_eq!(parse_args(["cargo-timewarp", "timewarp", "history"]).unwrap().action, Action::History);
        let history = parse(&["history", "--target-dir", "/t", "-o", "h.csv", "--plot", "h.svg"]).unwrap();
        assert_eq!((history.target_dir, history.format), (Some("/t".into()), Format::Csv));
        assert_eq!(history.plot, Some("h.svg".into()));
        assert_eq!((c.command, c.profile), (CargoCommand::Build, Profile::Dev));
        let c = parse(&["--check", "--profile", "ci"]).unwrap();
        assert_eq!((c.command, c.profile), (CargoCommand::Check, Profile::Named("ci".into())));
        assert_eq!(parse(&["--release"]).unwrap().profile, Profile::Release);
        let gate = parse(&["--baseline", "b.json", "--max-regression", "7.5%"]).unwrap();
        assert_eq!((gate.baseline, gate.max_regression_pct), (Some("b.json".into()), Some(7.5)));
    }

    #[test]
    fn works_as_cargo_subcommand_and_directly() {
        let via_cargo = parse_args(["cargo-timewarp", "timewarp", "--all"]).unwrap();
        let direct = parse_args(["cargo-timewarp", "--all"]).unwrap();
        assert_eq!(via_cargo, direct);
        assert_eq!(direct.policy, Policy::All);
    }

    #[test]
    fn versions_runs_and_formats() {
        let c = parse(&["--since", "1.70", "--until", "1.85.0", "--runs", "3", "--clean-runs", "2"]).unwrap();
        assert_eq!(c.since, Some(Version::new(1, 70, 0)));
        assert_eq!(c.until, Some(Version::new(1, 85, 0)));
        assert_eq!((c.clean_runs, c.incremental_runs), (Some(2), 3));
        assert_eq!(parse(&["-o", "h.md"]).unwrap().format, Format::Markdown);
        assert_eq!(parse(&["-o", "h.md", "--format", "csv"]).unwrap().format, Format::Csv);
        assert_eq!(parse(&["--crates"]).unwrap().crates, Some(10));
        assert_eq!(parse(&["-j", "2"]).unwrap().jobs, Some(2));
        assert_eq!(parse(&["--color", "always"]).unwrap().color, Some(true));
        assert_eq!(parse(&["--color=never"]).unwrap().color, Some(false));
        assert_eq!(parse(&["--crates=3"]).unwrap().crates, Some(3));
        assert_eq!(parse(&[]).unwrap().crates, None);
        let named = parse(&["--toolchains", "1.85.0, stable"]).unwrap();
        assert_eq!(named.policy, Policy::Named(vec!["1.85.0".into(), "stable".into()]));
    }

    #[test]
    fn the_ci_recipe_uses_flags_that_exist() {
        let workflow = include_str!("../examples/github-actions.yml");
        let baseline = workflow
            .lines()
            .find_map(|l| l.split("TIMEWARP_BASELINE=").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("the workflow sets TIMEWARP_BASELINE");
        let runs: Vec<&str> = workflow.lines().filter_map(|l| l.trim().strip_prefix("run: cargo timewarp ")).collect();
        assert_eq!(runs.len(), 1, "{workflow}");
        for with_baseline in [true, false] {
            let line = runs[0].replace("$TIMEWARP_BASELINE", if with_baseline { baseline } else { "" });
            let config = parse(&line.split_whitespace().collect::<Vec<_>>()).unwrap();
            assert!(config.install && config.verify_msrv, "{line}");
            assert_eq!((config.format, config.output), (Format::Json, Some("timewarp.json".into())));
            assert_eq!(config.max_regression_pct.is_some(), with_baseline, "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn version_flags_never_panic(text in "\\PC{0,20}") {
            if let Ok(v) = parse_version("--since", &text) {
                let prefix = format!("{}.{}", v.major, v.minor);
                proptest::prop_assert!(text.trim().starts_with(&prefix), "{} from {:?}", v, text);
            }
        }
    }

    #[test]
    fn bad_values_are_one_sentence_usage_errors() {
        for (args, message) in [
            (
                &["--since", "banana"][..],
                "invalid value `banana` for `--since`: expected a version like `1.70` or `1.70.0`",
            ),
            (&["--until", "1"], "invalid value `1` for `--until`: expected a version like `1.70` or `1.70.0`"),
            (&["--since", "1.90", "--until", "1.80"], "`--since 1.90.0` is newer than `--until 1.80.0`"),
            (&["--runs", "0"], "invalid value `0` for `--runs`: expected a whole number of at least 1"),
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
            (&["--color", "sometimes"], "invalid value `sometimes` for `--color`: expected auto, always or never"),
            (&["-j", "0"], "invalid value `0` for `--jobs`: expected a whole number of at least 1"),
            (&["--list", "--runs", "3"], "`--runs` does nothing with `--list`, which builds nothing"),
        ] {
            let err = parse(args).unwrap_err();
            assert_eq!(err.to_string(), message, "{args:?}");
            assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
        }
    }
}
