//! cargo-timewarp: how much faster has the Rust compiler become for *this* project?
//!
//! [`run`] is the whole pipeline, top to bottom: inspect the workspace, discover toolchains,
//! select, measure, report. Each step is a module that takes plain values and returns one;
//! only this file knows their order, prints progress, and picks the real process runner.

pub mod cli;
pub mod exit;
pub mod export;
pub mod interrupt;
pub mod measure;
pub mod prepare;
pub mod process;
pub mod release;
pub mod report;
pub mod restore;
pub mod select;
pub mod stats;
pub mod toolchain;
pub mod workspace;

#[cfg(test)]
mod testing;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use console::style;

use crate::cli::Config;
use crate::exit::ExitError;
use crate::measure::{Outcome, Plan, Step};
use crate::process::SystemRunner;
use crate::release::Date;
use crate::restore::TouchedFile;
use crate::select::{Criteria, Selection};
use crate::toolchain::{Inventory, rustup_proxy};
use crate::workspace::{Workspace, WorkspaceRequest};

/// Runs cargo-timewarp with a validated configuration; returns the exit code.
pub fn run(config: &Config) -> Result<i32> {
    let runner = SystemRunner;
    let progress = Progress::new(config.quiet);
    interrupt::install_handler()?;

    let inventory = toolchain::discover(&runner)?;
    // Called by cargo, CARGO is the cargo that called us; run directly, rustup's proxy with
    // the newest installed stable, whatever a rust-toolchain file in the workspace pins.
    let (cargo, cargo_toolchain) = match std::env::var_os("CARGO") {
        Some(cargo) => (PathBuf::from(cargo), None),
        None => {
            let newest_stable = inventory.toolchains.iter().rev().find(|t| t.is_stable());
            (rustup_proxy("cargo"), newest_stable.map(|t| t.name.clone()))
        }
    };
    let request = WorkspaceRequest {
        manifest_path: config.manifest_path.clone(),
        packages: config.packages.clone(),
        cargo,
        toolchain: cargo_toolchain,
    };
    let workspace = workspace::inspect(&runner, &request)?;
    if let Some(file) = &workspace.toolchain_file {
        progress.note(&format!("`{}` is ignored: every build names its toolchain with `+NAME`", file.display()));
    }
    let criteria = Criteria { policy: config.policy.clone(), since: config.since.clone(), until: config.until.clone() };
    let selection = select::select(&inventory.toolchains, workspace.msrv(), &criteria)?;

    if config.list_only {
        let listing = report::listing(&workspace, &selection, &inventory.broken);
        suggest_installs(&progress, &inventory, &workspace, &selection);
        emit(config, &export::render_listing(&listing, config.format), create_output_file(config)?)?;
        return Ok(exit::SUCCESS);
    }
    if selection.chosen.is_empty() {
        return Err(no_eligible_toolchain(&inventory, &workspace));
    }
    suggest_installs(&progress, &inventory, &workspace, &selection);

    let output_file = create_output_file(config)?;
    let touch_path = touch_file(config, &workspace)?;
    let work_dir = workspace.target_dir.join("timewarp");
    std::fs::create_dir_all(&work_dir).with_context(|| {
        format!("could not create `{}`; the workspace's target directory must be writable", work_dir.display())
    })?;
    let removed_env = measure::distorting_vars_present(std::env::vars_os());
    if !removed_env.is_empty() {
        progress.note(&format!("removed from the builds' environment: {}", removed_env.join(", ")));
    }

    let prepared = prepare::prepare(&runner, &workspace.root, &workspace.manifest_path, &selection.chosen, &work_dir)?;
    if let Some(dir) = &prepared.vendor_dir {
        progress.status("Vendored", &format!("dependency sources into {} for every toolchain", dir.display()));
    }
    let plan = Plan {
        root: workspace.root.clone(),
        manifest_path: workspace.manifest_path.clone(),
        work_dir,
        packages: if workspace.explicit_packages { workspace.packages.clone() } else { Vec::new() },
        clean_runs: config.clean_runs,
        incremental_runs: config.incremental_runs,
        cargo_config: prepared.cargo_config.clone(),
        command: config.command,
        profile: config.profile.clone(),
        timeout: config.timeout,
    };
    let touched = TouchedFile::register(&touch_path)?;
    progress.status("Touching", &format!("{} before each incremental rebuild", relative(&touch_path, &workspace.root)));
    let mut timings = Vec::new();
    for toolchain in &selection.chosen {
        if interrupt::requested() {
            break;
        }
        let timing = measure::measure(
            &runner,
            &plan,
            toolchain,
            &touched,
            &mut |step| progress.step(step),
            &interrupt::requested,
        )?;
        match &timing.outcome {
            Outcome::Completed(samples) => {
                let median = |v: &[measure::Sample]| {
                    stats::Summary::of(&v.iter().map(|s| s.wall_s).collect::<Vec<_>>()).map_or(0.0, |s| s.median_s)
                };
                let (clean, incremental) = (median(&samples.clean), median(&samples.incremental));
                progress.status(
                    "Measured",
                    &format!("{}: clean {clean:.2} s, incremental {incremental:.3} s", toolchain.name),
                );
            }
            Outcome::Failed(line) => progress.status("Failed", &format!("{}: {line}", toolchain.name)),
            Outcome::Interrupted => progress.status("Interrupted", &toolchain.name),
        }
        timings.push(timing);
    }
    touched.restore()?;

    let info = report::RunInfo {
        touched_file: touch_path,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        clean_runs: config.clean_runs,
        incremental_runs: config.incremental_runs,
        removed_env,
        command: config.command.name().to_string(),
        profile: config.profile.name().to_string(),
        vendor_dir: prepared.vendor_dir.clone(),
    };
    let report = report::build(&workspace, &selection, &inventory.broken, &timings, &info);
    emit(config, &config.format.exporter().render(&report), output_file)?;
    if interrupt::requested() {
        return Err(ExitError::with_code(
            exit::INTERRUPTED,
            "interrupted; the report above holds the toolchains measured before, and the touched file was restored",
        ));
    }
    if report.toolchains.iter().all(|r| r.status == report::Status::Failed) {
        return Err(ExitError::with_code(
            exit::ALL_BUILDS_FAILED,
            "every selected toolchain failed to build the workspace; see the `failed` rows for the first error of each",
        ));
    }
    Ok(exit::SUCCESS)
}

/// The file to touch: `--touch` (which must exist inside the workspace) or the default.
fn touch_file(config: &Config, workspace: &Workspace) -> Result<PathBuf> {
    let Some(given) = &config.touch else {
        return workspace.default_touch_file.clone().ok_or_else(|| {
            ExitError::usage("the workspace has no source file to touch; name one with `--touch PATH`")
        });
    };
    let path = given
        .canonicalize()
        .map_err(|_| ExitError::usage(format!("`--touch` file `{}` does not exist", given.display())))?;
    let root = workspace.root.canonicalize().unwrap_or_else(|_| workspace.root.clone());
    if !path.starts_with(&root) || !path.is_file() {
        return Err(ExitError::usage(format!(
            "`--touch` file `{}` is not a file inside the workspace `{}`",
            given.display(),
            workspace.root.display()
        )));
    }
    Ok(path)
}

fn no_eligible_toolchain(inventory: &Inventory, workspace: &Workspace) -> anyhow::Error {
    let wanted = select::yearly_versions_to_install(&inventory.toolchains, workspace.msrv(), today());
    let msrv = workspace.msrv().map(|f| format!(" at or above the MSRV {f}")).unwrap_or_default();
    ExitError::with_code(
        exit::NO_ELIGIBLE_TOOLCHAIN,
        format!(
            "no installed stable toolchain is{msrv} and inside --since/--until (see `cargo timewarp --list`); install some with `{}`",
            select::install_command(&wanted)
        ),
    )
}

fn suggest_installs(progress: &Progress, inventory: &Inventory, workspace: &Workspace, selection: &Selection) {
    if selection.chosen.len() >= 2 {
        return;
    }
    let wanted = select::yearly_versions_to_install(&inventory.toolchains, workspace.msrv(), today());
    if !wanted.is_empty() {
        progress.note(&format!(
            "a history needs at least two toolchains; for a yearly one back to the MSRV run `{}`",
            select::install_command(&wanted)
        ));
    }
}

/// Opens `--output` before the long run, so a bad path fails in a second, not after an hour.
fn create_output_file(config: &Config) -> Result<Option<std::fs::File>> {
    config
        .output
        .as_ref()
        .map(|path| std::fs::File::create(path).with_context(|| format!("could not create `{}`", path.display())))
        .transpose()
}

/// Writes the report to the `--output` file opened earlier, or to standard output.
fn emit(config: &Config, text: &str, file: Option<std::fs::File>) -> Result<()> {
    match (file, &config.output) {
        (Some(mut file), Some(path)) => {
            file.write_all(text.as_bytes()).with_context(|| format!("could not write `{}`", path.display()))
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a message.
            match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("could not write to standard output"),
            }
        }
    }
}

fn today() -> Date {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch((secs / 86_400) as i64)
}

fn relative(path: &Path, root: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root).unwrap_or(path).display().to_string()
}

/// Progress on standard error, in cargo's style: a right-aligned verb, coloured only on a
/// terminal, and silent with `--quiet`.
struct Progress {
    quiet: bool,
    start: Instant,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress { quiet, start: Instant::now() }
    }

    fn status(&self, verb: &str, message: &str) {
        if !self.quiet {
            let verb = style(format!("{verb:>12}")).green().bold().for_stderr();
            eprintln!("{verb} {message}");
        }
    }

    fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", style("note:").cyan().bold().for_stderr());
        }
    }

    fn step(&self, step: Step<'_>) {
        let Step { toolchain, kind, run, of } = step;
        let elapsed = self.start.elapsed().as_secs();
        self.status(
            "Building",
            &format!("{toolchain} {kind} {run}/{of} [{}:{:02} elapsed]", elapsed / 60, elapsed % 60),
        );
    }
}
