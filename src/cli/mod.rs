//! Command-line syntax: each command's flags (clap derive, with value parsers for every number,
//! version and choice) in its own file, the flags every command shares in `shared`, help with
//! examples, `cargo timewarp` vs `cargo-timewarp`, `--list` as the alias of `list`, clap's errors
//! as one line, and the conversion of raw flags into each command's validated options. The
//! options hold only this module's types and the shared vocabulary; `stages` turns them into each
//! stage's input. This module never runs anything and reads no file; the environment it reads
//! (`CARGO_TERM_COLOR`, `NO_COLOR`) is handed to it.

mod bisect;
mod clean;
mod history;
mod list;
mod merge;
mod run;
mod shared;
mod show;
mod trial;
mod values;

use std::ffi::OsString;

use anyhow::Result;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum as _};

pub(crate) use self::bisect::BisectOptions;
pub(crate) use self::clean::CleanOptions;
pub(crate) use self::history::HistoryOptions;
pub(crate) use self::merge::MergeOptions;
pub(crate) use self::run::RunOptions;
use self::shared::GlobalArgs;
pub(crate) use self::shared::{OutputOptions, Where};
pub(crate) use self::show::ShowOptions;
pub(crate) use self::trial::{Trial, TryOptions};
use crate::exit::ExitError;
use crate::process::Env;
use crate::vocab::Color;

/// Cargo's view: `cargo timewarp ARGS`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::Styles::styled())]
enum CargoCli {
    Timewarp(TopArgs),
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
    after_help = run::SHORT_EXAMPLES,
    after_long_help = run::EXAMPLES,
    max_term_width = 100,
    disable_help_subcommand = true
)]
struct TopArgs {
    #[command(subcommand)]
    command: Option<RawCommand>,

    #[command(flatten)]
    global: GlobalArgs,

    #[command(flatten)]
    run: run::RunArgs,
}

/// The commands besides a run.
#[derive(Debug, Subcommand)]
enum RawCommand {
    /// List the toolchains and which would be measured (or why not), building nothing
    ///
    /// List the installed toolchains and which would be measured (or why not), then exit without
    /// building; `--list` is the same.
    #[command(after_help = list::EXAMPLES)]
    List(list::ListArgs),
    /// Remove timewarp's directories (builds, vendored sources, history)
    ///
    /// Remove timewarp's directories: <target-dir>/timewarp (per-toolchain builds, vendored
    /// sources, the last report) and its state directory for this workspace (locks, journal, and
    /// the history of past runs, which `cargo clean` leaves).
    #[command(after_help = clean::EXAMPLES)]
    Clean(clean::CleanArgs),
    /// Show how this project's build times moved across past runs, per toolchain
    #[command(after_help = history::EXAMPLES)]
    History(history::HistoryArgs),
    /// Combine the reports of several machines (a CI matrix) into one speedup per row
    ///
    /// Combine reports of one setup measured on several machines (the jobs of a CI matrix) into
    /// one speedup per row with its interval; seconds are never mixed across machines.
    #[command(after_help = merge::EXAMPLES)]
    Merge(merge::MergeArgs),
    /// Render a saved report again, in any format, without measuring
    ///
    /// Render a report saved earlier (`--format json`, or <target-dir>/timewarp/last-report.json),
    /// or a `try`, `bisect` or `merge` document, in any format, or plot a report or a
    /// bisection, without measuring again; any other file is a one-line error (exit 1).
    #[command(after_help = show::SHORT_EXAMPLES, after_long_help = show::EXAMPLES)]
    Show(show::ShowArgs),
    /// Find the release that moved this project's build time between toolchains FROM and TO
    ///
    /// Measures both, then the installed stable releases between them by halving, each step
    /// paired by round, until the change lies between two adjacent releases.
    #[command(after_help = bisect::SHORT_EXAMPLES, after_long_help = bisect::EXAMPLES)]
    Bisect(Box<bisect::BisectArgs>),
    /// Measure settings you could switch on today against today's build
    ///
    /// Measures named changes of the build settings (linkers, debug information, ...) against
    /// the build as configured today, on one toolchain, paired by round, and prints the settings
    /// worth adopting as lines to paste.
    #[command(after_help = trial::SHORT_EXAMPLES, after_long_help = trial::EXAMPLES)]
    Try(Box<trial::TryArgs>),
}

/// The flags every command takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Global {
    /// `--quiet`: no progress.
    pub(crate) quiet: bool,
    /// `--verbose`.
    pub(crate) verbose: bool,
    /// `--color`, else `CARGO_TERM_COLOR`: `Some(true)` always, `Some(false)` never, `None` for
    /// the terminal to decide.
    pub(crate) color: Option<bool>,
}

/// One command with its own options.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// Build and time (no command named).
    Run(RunOptions),
    /// `list` (or `--list`): what a run would measure, building nothing.
    List(RunOptions),
    /// `history`: past runs.
    History(HistoryOptions),
    /// `merge`: several machines' reports.
    Merge(MergeOptions),
    /// `show`: a saved report again.
    Show(ShowOptions),
    /// `clean`: remove timewarp's directories.
    Clean(CleanOptions),
    /// `bisect FROM TO`.
    Bisect(BisectOptions),
    /// `try`: settings measured against today's build.
    Try(Box<TryOptions>),
}

/// The parsed command line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cli {
    /// `-q`, `-v`, `--color`.
    pub(crate) global: Global,
    /// The command and its options.
    pub(crate) command: Command,
}

#[cfg(test)]
impl Cli {
    /// The options of a run or `list` (tests only).
    pub(crate) fn run(&self) -> &RunOptions {
        match &self.command {
            Command::Run(options) | Command::List(options) => options,
            other => panic!("not a run: {other:?}"),
        }
    }

    /// The options of `bisect` (tests only).
    pub(crate) fn bisect(&self) -> &BisectOptions {
        match &self.command {
            Command::Bisect(options) => options,
            other => panic!("not a bisection: {other:?}"),
        }
    }
}

/// What a run does (and, for the locks, what the other commands do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Build and time (the default).
    Measure,
    /// `list` (or `--list`): show the selection, build nothing.
    List,
    /// `clean`: remove timewarp's directory.
    Clean,
    /// `bisect`: find the release that moved the build time.
    Bisect,
    /// `try`: measure changes of the build settings against today's build.
    Try,
}

/// Parses the process arguments, accepting both `cargo timewarp ...` (cargo passes `timewarp`
/// as the first argument) and `cargo-timewarp ...`, with `env` for `CARGO_TERM_COLOR` and
/// `NO_COLOR`. Help and version print and exit here; every other problem is a one-line usage
/// error (exit 2).
pub(crate) fn parse_args<I, T>(args: I, env: &Env) -> Result<Cli>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    if args.get(1).is_none_or(|a| a != "timewarp") {
        args.insert(1.min(args.len()), "timewarp".into());
    }
    // `--list` of a run is `list`: clap then refuses, as for `list`, every flag it does not
    // take. After a command's name (`try --list`) it is that command's own flag.
    let names: Vec<String> = top_command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    let mut given = args.iter().skip(2).take_while(|a| *a != "--" && !names.iter().any(|n| *a == n.as_str()));
    let alias = match given.position(|a| a == "--list") {
        Some(at) => {
            args.remove(at + 2);
            args.insert(2, "list".into());
            true
        }
        None => false,
    };
    let command = |args: &[OsString]| -> Option<String> {
        args.iter().skip(2).filter_map(|a| a.to_str()).find(|a| names.iter().any(|n| n == a)).map(str::to_string)
    };
    let matches = match CargoCli::command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => e.exit(),
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => return Err(ExitError::usage(one_line(&e, command(&args).as_deref(), alias))),
    };
    let top = matches.subcommand_matches("timewarp").expect("timewarp is the only command");
    if let Some((name, _)) = top.subcommand() {
        // A run's flags before a command name would be dropped: refuse them.
        let root = top_command();
        let stray = root
            .get_arguments()
            .filter(|a| !a.is_global_set())
            .find(|a| top.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine));
        if let Some(arg) = stray {
            let flag = arg.get_long().map_or_else(|| arg.get_id().to_string(), |l| format!("--{l}"));
            return Err(ExitError::usage(format!(
                "`{flag}` before `{name}` is a flag of a run; put it after `{name}` if `cargo timewarp {name} --help` lists it"
            )));
        }
    }
    let CargoCli::Timewarp(raw) =
        CargoCli::from_arg_matches(&matches).map_err(|e| ExitError::usage(one_line(&e, None, alias)))?;
    from_raw(raw, env)
}

/// The `timewarp` command, as clap sees it.
fn top_command() -> clap::Command {
    CargoCli::command().find_subcommand("timewarp").cloned().expect("timewarp is the only command")
}

/// Each command's validated options.
fn from_raw(raw: TopArgs, env: &Env) -> Result<Cli> {
    let global =
        Global { quiet: raw.global.quiet, verbose: raw.global.verbose, color: color_choice(raw.global.color, env)? };
    let command = match raw.command {
        None => Command::Run(RunOptions::from_args(raw.run, &global)?),
        Some(RawCommand::List(args)) => Command::List(list::options(args, &global)?),
        Some(RawCommand::Clean(args)) => Command::Clean(CleanOptions::from_args(args)),
        Some(RawCommand::History(args)) => Command::History(HistoryOptions::from_args(args, &global)?),
        Some(RawCommand::Merge(args)) => Command::Merge(MergeOptions::from_args(args, &global)?),
        Some(RawCommand::Show(args)) => Command::Show(ShowOptions::from_args(args, &global)?),
        Some(RawCommand::Bisect(args)) => Command::Bisect(BisectOptions::from_args(*args, &global)?),
        Some(RawCommand::Try(args)) => Command::Try(Box::new(TryOptions::from_args(*args, &global)?)),
    };
    Ok(Cli { global, command })
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

/// A clap error as one sentence in timewarp's voice: the flag and value in backticks, the
/// parser's reason, a suggestion when clap has one, and `--help` only where it helps (an unknown
/// flag). `alias` is whether `list` was given as `--list`: a run's flag there does nothing.
fn one_line(error: &clap::Error, command: Option<&str>, alias: bool) -> String {
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
            if let Some(long) = run_flag(&arg).filter(|_| alias) {
                return format!("`--{long}` does nothing with `--list`, which builds nothing");
            }
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
            format!("`{arg}` cannot be used with `{prior}`")
        }
        ErrorKind::MissingRequiredArgument => {
            // A required group comes as `<--baseline FILE|--baseline-rev REV>`.
            let missing = context(ContextKind::InvalidArg).map(flag).unwrap_or_default();
            let by = match missing.trim_start_matches('<').trim_end_matches(',').split('[').next().unwrap_or_default() {
                "--baseline" | "--baseline-rev" => {
                    "`--max-regression` needs `--baseline FILE` or `--baseline-rev REV`, what to compare with"
                }
                "--rev" => "`--lockfile-compat` needs `--rev REV`, the revision whose copy it rewrites",
                "--install" => "`--keep-installed` needs `--install`: it keeps the releases --install adds",
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

/// The long name of the run's flag `arg` (`--runs`, `-j`, `--jobs=2`); `None` for another.
fn run_flag(arg: &str) -> Option<String> {
    let name = arg.split('=').next().unwrap_or_default();
    top_command().get_arguments().find_map(|a| {
        let long = a.get_long().filter(|l| name.strip_prefix("--") == Some(l));
        let short = a.get_short().filter(|c| name.strip_prefix('-') == Some(c.encode_utf8(&mut [0; 4])));
        (long.is_some() || short.is_some()).then(|| a.get_long().unwrap_or_default().to_string())
    })
}

#[cfg(test)]
mod tests;
