//! cargo-timewarp: how much faster has the Rust compiler become for *this* project?
//!
//! [`measure_toolchains`] is the whole pipeline, top to bottom: discover the toolchains and the
//! workspace, select, prepare, measure, report, keep, judge. Each stage is a function in
//! `stages` that takes plain values and returns one (see ARCHITECTURE.md); only this file knows
//! their order, and only [`main`] picks the real [`SystemRunner`]: everything below takes
//! `&dyn Runner`, so unit tests run the pipeline against `testing::FakeRunner`.

// Standard error and standard output may be closed pipes (`| head`): every line goes through
// `stderr::say!` or `report::output`, which never panic on one.
#![cfg_attr(not(test), deny(clippy::print_stderr, clippy::print_stdout))]

mod bisect;
mod cli;
mod discover;
mod exit;
mod format;
mod fs;
mod measure;
mod process;
mod report;
mod stages;
mod stats;
mod stderr;
#[cfg(test)]
mod testing;
mod trial;
mod vocab;

use std::ffi::OsString;
use std::path::Path;

use anyhow::{Result, anyhow};
use console::style;

use crate::cli::{Action, CleanOptions, Cli, Command, HistoryOptions, RunOptions};
use crate::exit::ExitError;
use crate::measure::engine::End;
use crate::measure::{linker, wrapper};
use crate::process::{Runner, SystemRunner};
use crate::report::progress::Progress;
use crate::report::{history, verdict::verdict};
use crate::stages::{discover, inspect_without_building, keep, measure, start};

/// Runs cargo-timewarp with the process arguments `args` (or, started as a linker by a timed
/// build, times it; or, started as `RUSTC_WRAPPER` by `--crates`, wraps a rustc); prints any
/// error as one line and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let argv0 = args.first().cloned().unwrap_or_default();
    let link_log = std::env::var_os(linker::LINK_LOG);
    if linker::is_linker_mode(&argv0, link_log.as_deref()) {
        let log = link_log.unwrap_or_default();
        return linker::wrap(&argv0, &args[1.min(args.len())..], Path::new(&log));
    }
    let runner = SystemRunner::default();
    if let Some(log) = runner.env().var(wrapper::WRAPPER_LOG) {
        return wrapper::wrap(&runner, &args[1.min(args.len())..], Path::new(log));
    }
    match cli::parse_args(args, runner.env()).and_then(|cli| run(&runner, &cli)) {
        Ok(()) => exit::SUCCESS,
        Err(error) => {
            stderr::say!("{} {error:#}", style("error:").red().bold().for_stderr());
            exit::code_for(&error)
        }
    }
}

/// Does what the command line `cli` asks, against `runner`'s world.
fn run(runner: &dyn Runner, cli: &Cli) -> Result<()> {
    if let Some(color) = cli.global.color {
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
    }
    let progress = Progress::new(cli.global.quiet);
    match &cli.command {
        Command::Clean(options) => clean(runner, options, &progress),
        Command::History(options) => show_history(runner, options),
        Command::Merge(options) => report::merge::run(&options.reports, &stages::merge_outputs(runner, &options.out)),
        Command::Show(options) => {
            report::saved::show(&options.report, &stages::merge_outputs(runner, &options.out), &progress)
        }
        Command::Bisect(options) => bisect::run(runner, options, &progress),
        Command::List(options) | Command::Run(options) => measure_toolchains(runner, options, &progress),
        Command::Try(options) => trial::run(runner, options, &progress),
    }
}

/// `cargo timewarp history`: the runs recorded in the workspace's history file.
fn show_history(runner: &dyn Runner, options: &HistoryOptions) -> Result<()> {
    let (workspace, work) = inspect_without_building(runner, &options.at)?;
    let outputs = stages::outputs(runner, &options.out, false, &workspace, &work);
    outputs.check()?;
    let file = options.history.clone().unwrap_or_else(|| work.history_file());
    outputs.check_not_over("--history", &file)?;
    outputs.history(&history::read(&file, &workspace)?)
}

/// The pipeline: discover, select, measure, report, keep, judge.
fn measure_toolchains(runner: &dyn Runner, config: &RunOptions, progress: &Progress) -> Result<()> {
    let found = discover(runner, config, progress)?;
    if config.action == Action::List {
        let mut listing = report::listing(&found.workspace, &found.planned.selection, &found.inventory.broken);
        // With `--rev`, the checkout the revision came from, not timewarp's copy of it.
        listing.workspace = found.user_workspace.root.display().to_string();
        return found.outputs.listing(&listing);
    }
    let done = measure(runner, config, progress, &found)?;
    // `v1.4.0 (4a8384df2875)`: the name the user gave and the commit it named.
    let baseline_rev = found.baseline_tree.as_ref().map(|(copy, _)| {
        let short = copy.commit.get(..12).unwrap_or(&copy.commit);
        format!("{} ({short})", config.checks.baseline_rev.as_deref().unwrap_or_default())
    });
    let facts = report::Facts {
        user_root: &found.user_workspace.root,
        workspace: &found.workspace,
        selection: &found.planned.selection,
        broken: &found.inventory.broken,
        plan: &done.plan,
        rounds: done.outcome.rounds,
        stop: done.outcome.stop,
        elapsed: done.outcome.elapsed,
        touched_file: &done.touched,
        link_note: done.link_note.as_deref(),
        removed_env: &done.removed_env,
        settings: &done.settings,
        vendor_dir: done.vendor_dir.as_deref(),
        revision: found.checkout.as_ref().map(|c| c.commit.as_str()),
        revision_given: found.checkout.as_ref().map(|c| c.given.as_str()),
        changed_by_builds: &done.changed_by_builds,
        kept_changes: &done.kept_changes,
        baseline: found.baseline.as_ref(),
        baseline_rev: baseline_rev.as_deref(),
        gate: stages::gate(config),
        crates_top: config.build.crates,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu: runner.cpu_model(),
    };
    let history_file = stages::history_file(config, &found.work);
    let repeats = |setup: &_| history::repeat_changes(&history_file, &found.user_workspace, setup);
    let report = report::build(&facts, &done.outcome.measured, repeats);
    let saved = keep(runner, &found, &report, done.interrupted, progress);
    found.outputs.report(&report, progress).map_err(|e| match &saved {
        Some(saved) => anyhow!("{e:#}; the report is saved in `{}`", saved.display()),
        None => e,
    })?;
    if done.interrupted {
        let message =
            "interrupted; the report above holds what was measured before, and the changed files were restored";
        return Err(ExitError::with_code(exit::INTERRUPTED, message));
    }
    let main = done.outcome.measured.iter().filter(|m| m.variant == 0);
    let newest = main.rev().find(|m| m.end == End::Completed).map(|m| m.target_dir.as_path());
    let (freed, used) = found.work.tidy(newest, config.build.keep_target_dirs)?;
    let freed = if freed > 0 { format!(" after freeing {}", fs::human_bytes(freed)) } else { String::new() };
    progress.status("Disk", &format!("{} used by timewarp{freed}", fs::human_bytes(used)));
    verdict(&report, found.planned.msrv_check.as_ref())
}

/// `cargo timewarp clean`: undoes what a killed run left, then removes what timewarp made.
fn clean(runner: &dyn Runner, options: &CleanOptions, progress: &Progress) -> Result<()> {
    let (workspace, work) = inspect_without_building(runner, &options.at)?;
    let (_locks, _) = start(runner, &work, &workspace.root.join("Cargo.toml"), Action::Clean, progress)?;
    let removed = work.remove()?;
    if removed.dirs.is_empty() {
        progress.status("Clean", "nothing to remove");
    }
    for (path, size) in removed.dirs {
        progress.status("Removed", &format!("{} ({})", path.display(), fs::human_bytes(size)));
    }
    for path in removed.kept {
        progress.note(&format!("kept `{}`, which timewarp did not make", path.display()));
    }
    for path in removed.originals {
        progress.note(&format!(
            "kept `{}`: the original of a file a run edited and you changed since, as the note then said; delete it when you no longer need it",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod pipeline_tests;

#[cfg(test)]
mod names_tests;
