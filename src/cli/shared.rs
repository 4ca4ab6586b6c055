//! What several commands take: which workspace and packages (`run`, `list`, `bisect`), which
//! toolchains (`run`, `list`), how to build and when to stop (`run`, `bisect`), where the
//! document goes (every command but `clean`), and the flags every command accepts before or
//! after its name (`-q`, `-v`, `--color`). Each has its clap form and its validated form.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use semver::Version;

use super::values::{count, duration, precision, version};
use crate::exit::ExitError;
use crate::vocab::{Color, Format, Profile, Scenario};

/// `-q`, `-v` and `--color`: accepted before and after every command.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Print no progress on standard error
    #[arg(long, short = 'q', global = true)]
    pub(crate) quiet: bool,

    /// Show CPU time and the peak memory of the largest process in tables
    #[arg(long, short = 'v', global = true)]
    pub(crate) verbose: bool,

    /// Coloring: auto, always, never [default: $CARGO_TERM_COLOR, else auto]
    #[arg(
        long,
        value_name = "WHEN",
        value_enum,
        global = true,
        hide_possible_values = true,
        long_help = "Coloring: auto, always, never [default: $CARGO_TERM_COLOR, else auto; with auto, \
                     NO_COLOR turns it off]"
    )]
    pub(crate) color: Option<Color>,
}

/// Which workspace and packages.
#[derive(Debug, Args)]
pub(crate) struct WhereArgs {
    /// Path to the workspace's Cargo.toml
    #[arg(
        long,
        value_name = "PATH",
        help_heading = "Package Selection",
        long_help = "Path to the workspace's Cargo.toml [default: the one in or above the current directory]"
    )]
    pub(crate) manifest_path: Option<PathBuf>,

    /// Build only this package (repeatable; a name or a package ID spec)
    #[arg(
        short = 'p',
        long = "package",
        value_name = "SPEC",
        help_heading = "Package Selection",
        long_help = "Build only this package (repeatable; a name or a package ID spec such as `app@0.1.0`) \
                     [default: the workspace's default members]"
    )]
    pub(crate) packages: Vec<String>,
}

/// Which toolchains.
#[derive(Debug, Args)]
pub(crate) struct SelectArgs {
    /// Oldest Rust version to measure, such as 1.70 or 1.70.0
    #[arg(long, value_name = "VERSION", value_parser = version, help_heading = "Toolchain Selection")]
    pub(crate) since: Option<Version>,

    /// Newest Rust version to measure
    #[arg(long, value_name = "VERSION", value_parser = version, help_heading = "Toolchain Selection")]
    pub(crate) until: Option<Version>,

    /// Measure every eligible toolchain instead of one about every year
    #[arg(long, conflicts_with = "toolchains", help_heading = "Toolchain Selection")]
    pub(crate) all: bool,

    /// Measure exactly these toolchains (comma-separated rustup names)
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        help_heading = "Toolchain Selection",
        long_help = "Measure exactly these toolchains (comma-separated rustup names; nightly allowed)"
    )]
    pub(crate) toolchains: Vec<String>,

    /// Install the yearly toolchains that are missing, and keep them
    #[arg(
        long,
        help_heading = "Toolchain Selection",
        long_help = "Install the yearly toolchains between the MSRV and the newest installed one with \
                     `rustup toolchain install --profile minimal` before measuring; they are kept"
    )]
    pub(crate) install: bool,
}

/// How to build and time each toolchain.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// The workflows to time, comma-separated (see --help)
    #[arg(
        long,
        value_name = "LIST",
        value_enum,
        value_delimiter = ',',
        hide_possible_values = true,
        help_heading = "Measurement",
        long_help = "The workflows to time, comma-separated: clean, touched, edited, deep, check, \
                     check-touched, test, release [default: clean,touched,deep,check-touched; deep \
                     only when a workspace library has a dependent among the built packages]"
    )]
    pub(crate) scenarios: Vec<Scenario>,

    /// Also time rebuilds after a real edit (the `edited` scenario)
    #[arg(
        long,
        help_heading = "Measurement",
        hide_short_help = true,
        long_help = "Also time rebuilds after a real edit of the touched file (the `edited` scenario: a \
                     `#[used]` static appended, so new code is generated and linked, and removed again \
                     after each build)"
    )]
    pub(crate) edit: bool,

    /// Time `cargo check`: short for `--scenarios check,check-touched`
    #[arg(long, conflicts_with = "scenarios", help_heading = "Compilation Options")]
    pub(crate) check: bool,

    /// Source file touched before each incremental rebuild [default: the top package's root]
    #[arg(long, value_name = "PATH", help_heading = "Measurement", hide_short_help = true)]
    pub(crate) touch: Option<PathBuf>,

    /// Do not take link time apart (no link timer on the builds' PATH)
    #[arg(
        long,
        help_heading = "Measurement",
        hide_short_help = true,
        long_help = "Do not take link time apart: no link timer on the builds' PATH (it adds a process \
                     start to every C compiler run of a build script; see the README's overhead benchmark)"
    )]
    pub(crate) no_link_time: bool,

    /// Time this revision (commit, tag or branch) instead of the working tree
    #[arg(
        long,
        value_name = "REV",
        help_heading = "Measurement",
        long_help = "Time this committed revision (a commit, tag or branch) instead of the working tree, \
                     exported into timewarp's state directory outside the workspace; old compilers often \
                     build only older code"
    )]
    pub(crate) rev: Option<String>,

    /// In the `--rev` copy, rewrite a version 4 Cargo.lock as version 3 for cargo before 1.78
    #[arg(long, requires = "rev", help_heading = "Measurement", hide_short_help = true)]
    pub(crate) lockfile_compat: bool,

    /// Kill a build that runs longer than DURATION, such as 90s or 5m
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = duration,
        help_heading = "Measurement",
        long_help = "Kill a build that runs longer than DURATION, such as 90s, 5m or 1h30m (a number \
                     needs its unit); its toolchain becomes a failed row"
    )]
    pub(crate) timeout: Option<Duration>,

    /// Build with the release profile, as `--profile release`
    #[arg(long, conflicts_with = "profile", help_heading = "Compilation Options")]
    pub(crate) release: bool,

    /// Build with this cargo profile (cargo 1.57+) [default: dev]
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Compilation Options",
        hide_short_help = true,
        long_help = "Build every scenario but `release` (the clean release build) with the named cargo \
                     profile (needs cargo 1.57 or newer) [default: dev]"
    )]
    pub(crate) profile: Option<String>,

    /// Parallel jobs of every timed build [default: the number of CPUs]
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        help_heading = "Compilation Options",
        long_help = "Number of parallel jobs of every timed build (`cargo -j`), to emulate a smaller \
                     machine or to pin parallelism across runs [default: cargo's, the number of CPUs]"
    )]
    pub(crate) jobs: Option<usize>,

    /// Keep every toolchain's build directory [default: only the newest toolchain's]
    #[arg(long, help_heading = "Output", hide_short_help = true)]
    pub(crate) keep_target_dirs: bool,

    /// Put timewarp's directory under DIR/timewarp instead of target/
    #[arg(
        long,
        value_name = "DIR",
        help_heading = "Compilation Options",
        hide_short_help = true,
        long_help = "Put timewarp's directory (builds, vendored sources, last report) under DIR/timewarp \
                     instead of the workspace's target directory; for read-only checkouts"
    )]
    pub(crate) target_dir: Option<PathBuf>,
}

/// When to stop adding rounds (the budget, whose default differs, is each command's own).
#[derive(Debug, Args)]
pub(crate) struct StopArgs {
    /// Stop once every speedup is within ±PCT% [default: 5, rebuilds 3]
    #[arg(
        long,
        value_name = "PCT",
        value_parser = precision,
        help_heading = "Measurement",
        long_help = "Stop once every speedup's 95% interval is within ±PCT% [default: 5 for the scenarios that \
                     start from an empty directory (at most 30 rounds), 3 for the rebuilds (at most 80), whose \
                     rounds cost seconds; PCT sets both]"
    )]
    pub(crate) precision: Option<f64>,

    /// Exactly N rounds of every scenario, with no stopping rule
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        conflicts_with_all = ["precision", "budget"],
        help_heading = "Measurement"
    )]
    pub(crate) runs: Option<usize>,

    /// Exactly N rounds of clean builds [default with other fixed runs: 3]
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        conflicts_with_all = ["precision", "budget"],
        help_heading = "Measurement",
        hide_short_help = true
    )]
    pub(crate) clean_runs: Option<usize>,

    /// Exactly N rounds of rebuilds [default with other fixed runs: 5]
    #[arg(
        long,
        value_name = "N",
        value_parser = count,
        allow_hyphen_values = true,
        conflicts_with_all = ["precision", "budget"],
        help_heading = "Measurement",
        hide_short_help = true
    )]
    pub(crate) incremental_runs: Option<usize>,
}

/// Where a document goes.
#[derive(Debug, Args)]
pub(crate) struct FormatArgs {
    /// Output format: table, json, csv, markdown [default: table]
    #[arg(
        long,
        value_name = "FORMAT",
        value_enum,
        hide_possible_values = true,
        help_heading = "Output",
        long_help = "Output format: table, json, csv, markdown [default: table, or from --output's extension]"
    )]
    pub(crate) format: Option<Format>,

    /// Write the document to FILE instead of standard output
    #[arg(long, short = 'o', value_name = "FILE", help_heading = "Output")]
    pub(crate) output: Option<PathBuf>,
}

/// Which workspace, and where its timewarp directory is (`history`, `clean`).
#[derive(Debug, Args)]
pub(crate) struct LocationArgs {
    /// Path to the workspace's Cargo.toml
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    /// The `--target-dir` the runs used
    #[arg(long, value_name = "DIR")]
    pub(crate) target_dir: Option<PathBuf>,
}

/// Which workspace, packages, and where timewarp's directory is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Where {
    /// `--manifest-path`.
    pub(crate) manifest_path: Option<PathBuf>,
    /// `-p` specs.
    pub(crate) packages: Vec<String>,
    /// `--target-dir`, absolute: where timewarp's directory goes instead of the target dir.
    pub(crate) target_dir: Option<PathBuf>,
}

impl Where {
    /// `target_dir` is `--target-dir` of the commands that build.
    pub(crate) fn from_args(args: WhereArgs, target_dir: Option<PathBuf>) -> Where {
        Where { manifest_path: args.manifest_path, packages: args.packages, target_dir: target_dir.map(absolute) }
    }

    pub(crate) fn from_location(args: LocationArgs) -> Where {
        Where { manifest_path: args.manifest_path, packages: Vec::new(), target_dir: args.target_dir.map(absolute) }
    }
}

/// Which toolchains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Select {
    /// `--toolchains`, as given (empty without).
    pub(crate) toolchains: Vec<String>,
    /// `--all`.
    pub(crate) all: bool,
    /// `--since`.
    pub(crate) since: Option<Version>,
    /// `--until`.
    pub(crate) until: Option<Version>,
}

impl Select {
    pub(crate) fn from_args(args: SelectArgs) -> Result<Select> {
        if let (Some(s), Some(u)) = (&args.since, &args.until)
            && s > u
        {
            return Err(ExitError::usage(format!("`--since {s}` is newer than `--until {u}`")));
        }
        let toolchains: Vec<String> = args.toolchains.iter().map(|t| t.trim().to_string()).collect();
        if toolchains.iter().any(String::is_empty) {
            return Err(ExitError::usage("`--toolchains` has an empty name; separate names with single commas"));
        }
        Ok(Select { toolchains, all: args.all, since: args.since, until: args.until })
    }
}

/// How to build and time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Build {
    /// The scenarios asked for (`--scenarios`, `--check`, with `--edit`'s `edited`), in round
    /// order; `None` for the default, which depends on the workspace.
    pub(crate) scenarios: Option<Vec<Scenario>>,
    /// `--edit`: `edited` besides the default scenarios.
    pub(crate) edit: bool,
    /// `--touch`, as given.
    pub(crate) touch: Option<PathBuf>,
    /// `--no-link-time`: no link timer.
    pub(crate) no_link_time: bool,
    /// `--rev`.
    pub(crate) rev: Option<String>,
    /// `--lockfile-compat`.
    pub(crate) lockfile_compat: bool,
    /// `--timeout` per build.
    pub(crate) timeout: Option<Duration>,
    /// `dev`, `--release` or `--profile NAME`: the profile of every scenario but `release`.
    pub(crate) profile: Profile,
    /// `-j/--jobs`.
    pub(crate) jobs: Option<usize>,
    /// `--crates[=N]`: the per-crate build, showing the N crates that changed most.
    pub(crate) crates: Option<usize>,
    /// `--keep-target-dirs`: keep every toolchain's build directory after the run.
    pub(crate) keep_target_dirs: bool,
}

impl Default for Build {
    fn default() -> Build {
        Build {
            scenarios: None,
            edit: false,
            touch: None,
            no_link_time: false,
            rev: None,
            lockfile_compat: false,
            timeout: None,
            profile: Profile::Dev,
            jobs: None,
            crates: None,
            keep_target_dirs: false,
        }
    }
}

impl Build {
    /// `follow` is `bisect --scenario`, which measures that scenario alone.
    pub(crate) fn from_args(args: BuildArgs, follow: Option<Scenario>) -> Result<Build> {
        let profile = match (args.release, args.profile.as_deref()) {
            (true, _) => Profile::Release,
            (false, name) => name.map_or(Profile::Dev, Profile::from_name),
        };
        let scenarios = scenarios(&args, follow, &profile)?;
        Ok(Build {
            scenarios,
            edit: args.edit,
            touch: args.touch,
            no_link_time: args.no_link_time,
            rev: args.rev,
            lockfile_compat: args.lockfile_compat,
            timeout: args.timeout,
            profile,
            jobs: args.jobs,
            crates: None,
            keep_target_dirs: args.keep_target_dirs,
        })
    }
}

/// When to stop adding rounds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Rounds {
    /// Fixed rounds of clean builds (`--clean-runs`, `--runs`); `None` for the stopping rule.
    pub(crate) clean_runs: Option<usize>,
    /// Fixed rounds of rebuilds (`--incremental-runs`, `--runs`); `None` for the stopping rule.
    pub(crate) incremental_runs: Option<usize>,
    /// `--precision`, as a fraction (0.05 for 5 %).
    pub(crate) precision: Option<f64>,
    /// `--budget`.
    pub(crate) budget: Option<Duration>,
}

impl Rounds {
    pub(crate) fn from_args(args: &StopArgs, budget: Option<Duration>) -> Rounds {
        Rounds {
            clean_runs: args.clean_runs.or(args.runs),
            incremental_runs: args.incremental_runs.or(args.runs),
            precision: args.precision.map(|p| p / 100.0),
            budget,
        }
    }
}

/// Where the documents go.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutputOptions {
    /// The document's format.
    pub(crate) format: Format,
    /// `--output`.
    pub(crate) output: Option<PathBuf>,
    /// `--plot`.
    pub(crate) plot: Option<PathBuf>,
    /// `--crates-csv`.
    pub(crate) crates_csv: Option<PathBuf>,
    /// `--verbose`.
    pub(crate) verbose: bool,
}

impl OutputOptions {
    /// `--format`, else from `--output`'s extension, else a table.
    pub(crate) fn new(args: FormatArgs, plot: Option<PathBuf>, verbose: bool) -> Result<OutputOptions> {
        let format = match (args.format, &args.output) {
            (Some(format), _) => format,
            (None, Some(path)) => Format::from_extension(path).ok_or_else(|| {
                ExitError::usage(format!(
                    "cannot tell the format of `{}` from its extension; add `--format table|json|csv|markdown`",
                    path.display()
                ))
            })?,
            (None, None) => Format::Table,
        };
        Ok(OutputOptions { format, output: args.output, plot, crates_csv: None, verbose })
    }
}

/// The scenarios asked for, in round order: `bisect --scenario S` measures S alone; else
/// `--scenarios`, or the shorthand `--check`, with `--edit`'s `edited`; `None` for the default.
fn scenarios(build: &BuildArgs, follow: Option<Scenario>, profile: &Profile) -> Result<Option<Vec<Scenario>>> {
    let asked = [(!build.scenarios.is_empty(), "--scenarios"), (build.check, "--check"), (build.edit, "--edit")];
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
            "with the release profile, the `clean` and `release` scenarios are the same build; leave one out",
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
