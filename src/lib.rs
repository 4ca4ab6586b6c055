//! cargo-timewarp: how much faster has the Rust compiler become for *this* project?
//!
//! [`measure_history`] is the whole pipeline, top to bottom: discover the toolchains and the
//! workspace, select, prepare, measure, report, keep, judge. Each stage is a module that takes
//! plain values and returns one (see ARCHITECTURE.md); only this file knows their order, prints
//! the notes between them and picks the real process runner.

mod cli;
mod discover;
mod exit;
mod fs;
mod measure;
mod process;
mod report;
mod stages;
#[cfg(test)]
mod testing;

use std::ffi::OsString;
use std::path::Path;

use anyhow::{Result, anyhow};
use console::style;

use crate::cli::{Action, Config};
use crate::exit::ExitError;
use crate::measure::crates;
use crate::measure::engine::End;
use crate::process::{Runner, SystemRunner};
use crate::report::progress::Progress;
use crate::report::{history, verdict::verdict};
use crate::stages::{discover, inspect, keep, measure, start};

/// Runs cargo-timewarp with the process arguments `args` (or, started as `RUSTC_WRAPPER` by
/// `--crates`, wraps a rustc); prints any error as one line and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    if let Some(log) = std::env::var_os(crates::WRAPPER_LOG) {
        let args: Vec<OsString> = args.into_iter().skip(1).collect();
        return crates::wrap(&SystemRunner::default(), &args, Path::new(&log));
    }
    match cli::parse_args(args).and_then(|config| run(&config)) {
        Ok(()) => exit::SUCCESS,
        Err(error) => {
            eprintln!("{} {error:#}", style("error:").red().bold().for_stderr());
            exit::code_for(&error)
        }
    }
}

fn run(config: &Config) -> Result<()> {
    if let Some(color) = config.color {
        console::set_colors_enabled(color);
        console::set_colors_enabled_stderr(color);
    }
    let runner = SystemRunner::default();
    let progress = Progress::new(config.quiet);
    match config.action {
        Action::Clean => clean(&runner, config, &progress),
        Action::History => {
            let (workspace, work) = inspect(&runner, config, None, None)?;
            let outputs = config.outputs();
            outputs.check(&workspace, &work)?;
            outputs.history(&history::read(&work.history_file())?)
        }
        Action::List | Action::Measure => measure_history(&runner, config, &progress),
    }
}

/// The pipeline: discover, select, measure, report, keep, judge.
fn measure_history(runner: &SystemRunner, config: &Config, progress: &Progress) -> Result<()> {
    let found = discover(runner, config, progress)?;
    let outputs = config.outputs();
    if config.action == Action::List {
        let listing = report::listing(&found.workspace, &found.planned.selection, &found.inventory.broken);
        return outputs.listing(&listing);
    }
    let done = measure(runner, config, progress, &found)?;
    let facts = report::Facts {
        workspace: &found.workspace,
        selection: &found.planned.selection,
        broken: &found.inventory.broken,
        settings: &done.plan.settings,
        runs: done.plan.runs,
        touched_file: &done.touched,
        removed_env: &done.removed_env,
        build_settings: &done.build_settings,
        vendor_dir: done.vendor_dir.as_deref(),
        revision: found.checkout.as_ref().map(|c| c.commit.as_str()),
        changed_by_builds: &done.changed_by_builds,
        baseline: done.baseline.as_ref(),
        crates_top: config.crates,
    };
    let report = report::build(&facts, &done.measured);
    let saved = keep(runner, &found.work, &found.user_workspace, &report, done.interrupted)?;
    outputs.report(&report, progress).map_err(|e| anyhow!("{e:#}; the report is saved in `{}`", saved.display()))?;
    if done.interrupted {
        let message =
            "interrupted; the report above holds what was measured before, and the changed files were restored";
        return Err(ExitError::with_code(exit::INTERRUPTED, message));
    }
    let newest = done.measured.iter().rev().find(|m| m.end == End::Completed).map(|m| m.target_dir.as_path());
    let (freed, used) = found.work.tidy(newest, config.keep_target_dirs)?;
    let freed = if freed > 0 { format!(" after freeing {}", fs::human_bytes(freed)) } else { String::new() };
    progress.status("Disk", &format!("{} used by timewarp{freed}", fs::human_bytes(used)));
    verdict(&report, found.planned.msrv_check.as_ref())
}

/// `cargo timewarp clean`: undoes what a killed run left, then removes timewarp's directories.
fn clean(runner: &dyn Runner, config: &Config, progress: &Progress) -> Result<()> {
    let (_, work) = inspect(runner, config, None, None)?;
    let (_lock, _) = start(&work, false, progress)?;
    let removed = work.remove()?;
    if removed.is_empty() {
        progress.status("Clean", "nothing to remove");
    }
    for (path, size) in removed {
        progress.status("Removed", &format!("{} ({})", path.display(), fs::human_bytes(size)));
    }
    Ok(())
}
