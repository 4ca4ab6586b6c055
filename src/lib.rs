//! cargo-timewarp: how much faster has the Rust compiler become for *this* project?
//!
//! [`run`] is the whole pipeline, top to bottom: discover toolchains, inspect the workspace,
//! select, prepare, measure, report, check. Each step is a module that takes plain values and
//! returns one; only this file knows their order, prints progress, and picks the real process
//! runner.

pub mod cli;
pub mod exit;
pub mod export;
pub mod history;
pub mod interrupt;
pub mod measure;
pub mod plot;
pub mod prepare;
pub mod process;
pub mod progress;
pub mod release;
pub mod report;
pub mod restore;
pub mod revision;
pub mod select;
pub mod stats;
pub mod toolchain;
pub mod tree;
pub mod workdir;
pub mod workspace;

#[cfg(test)]
mod testing;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};

use crate::cli::{Action, Config};
use crate::exit::ExitError;
use crate::measure::{ChangedFile, Outcome, Plan};
use crate::process::{CommandSpec, Runner, SystemRunner};
use crate::progress::Progress;
use crate::release::Date;
use crate::restore::{EditedFile, TouchedFile};
use crate::select::Criteria;
use crate::toolchain::{Inventory, Toolchain, rustup_proxy};
use crate::workdir::{WorkDir, human_bytes};
use crate::workspace::{Workspace, WorkspaceRequest};

/// Runs cargo-timewarp with a validated configuration; returns the exit code.
pub fn run(config: &Config) -> Result<i32> {
    let runner = SystemRunner;
    let progress = Progress::new(config.quiet);
    interrupt::install_handler()?;
    match config.action {
        Action::Clean => {
            let workspace = inspect_workspace(&runner, config, None)?;
            let work = work_dir(config, &workspace);
            recover_interrupted_edit(&progress, &work)?;
            let freed = work.remove()?;
            progress.status("Removed", &format!("{} ({})", work.path().display(), human_bytes(freed)));
            Ok(exit::SUCCESS)
        }
        Action::History => {
            let workspace = inspect_workspace(&runner, config, None)?;
            emit(config, &history::summarize(&work_dir(config, &workspace).history_file())?, None)?;
            Ok(exit::SUCCESS)
        }
        Action::List | Action::Measure => measure_history(&runner, config, &progress),
    }
}

fn measure_history(runner: &dyn Runner, config: &Config, progress: &Progress) -> Result<i32> {
    let mut inventory = toolchain::discover(runner)?;
    let user_workspace = inspect_workspace(runner, config, Some(&inventory))?;
    // Everything timewarp writes goes below the user's workspace's target dir, also for --rev.
    let work = work_dir(config, &user_workspace);
    recover_interrupted_edit(progress, &work)?;
    let (workspace, checkout) = match &config.rev {
        Some(rev) => time_revision(runner, progress, config, &inventory, &user_workspace, &work, rev)?,
        None => (user_workspace.clone(), None),
    };
    if let Some(file) = &workspace.toolchain_file {
        progress.note(&format!("`{}` is ignored: every build names its toolchain with `+NAME`", file.display()));
    }
    if config.install {
        install_yearly_toolchains(runner, progress, &inventory, &workspace)?;
        inventory = toolchain::discover(runner)?;
    }
    let criteria = Criteria { policy: config.policy.clone(), since: config.since.clone(), until: config.until.clone() };
    let mut selection = select::select(&inventory.toolchains, workspace.msrv(), &criteria)?;
    let msrv_toolchain = if config.verify_msrv { msrv_toolchain(progress, &inventory, &workspace) } else { None };
    if let Some(t) = &msrv_toolchain {
        selection.include(t);
    }

    if config.action == Action::List {
        let listing = report::listing(&workspace, &selection, &inventory.broken);
        suggest_installs(progress, config, &inventory, &workspace, selection.chosen.len());
        emit(config, &export::render_listing(&listing, config.format), create_output_file(config)?)?;
        return Ok(exit::SUCCESS);
    }
    if selection.chosen.is_empty() {
        return Err(no_eligible_toolchain(&inventory, &workspace));
    }
    suggest_installs(progress, config, &inventory, &workspace, selection.chosen.len());

    // Everything that can fail on bad input fails now, not after an hour of builds.
    let baseline = config.baseline.as_deref().map(history::read_baseline).transpose()?;
    let output_file = create_output_file(config)?;
    if let Some(path) = &config.plot {
        std::fs::File::create(path).with_context(|| format!("could not create `{}`", path.display()))?;
    }
    let touch_path = workspace::resolve_touch_file(config.touch.as_deref(), &user_workspace, &workspace)?;
    work.create()?;
    let removed_env = measure::distorting_vars_present(std::env::vars_os());
    if !removed_env.is_empty() {
        progress.note(&format!("removed from the builds' environment: {}", removed_env.join(", ")));
    }

    let excluded = [workspace.target_dir.clone(), work.path().to_path_buf()];
    let tree_before = tree::TreeState::capture(&workspace.root, &excluded);
    let prepared = prepare::prepare(runner, &workspace.root, &workspace.manifest_path, &selection.chosen, work.path())?;
    if let Some(dir) = &prepared.vendor_dir {
        progress.status("Vendored", &format!("dependency sources into {} for every toolchain", dir.display()));
    }
    let plan = Plan {
        root: workspace.root.clone(),
        manifest_path: workspace.manifest_path.clone(),
        work_dir: work.path().to_path_buf(),
        packages: if workspace.explicit_packages { workspace.packages.clone() } else { Vec::new() },
        clean_runs: config.clean_runs,
        incremental_runs: config.incremental_runs,
        cargo_config: prepared.cargo_config.clone(),
        command: config.command,
        profile: config.profile.clone(),
        timeout: config.timeout,
        edit: config.edit,
        lockfile_version: workspace.lockfile_version,
        interleave: config.interleave,
    };
    let timings = measure_all(runner, progress, &plan, &selection.chosen, &touch_path, &work)?;
    drop(prepared.created_lockfile);
    let changed_by_builds = tree::TreeState::capture(&workspace.root, &excluded).changed_since(&tree_before);

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
    let mut report = report::build(&workspace, &selection, &inventory.broken, &timings, &info);
    report.revision = checkout.as_ref().map(|c| c.commit.clone());
    if !changed_by_builds.is_empty() {
        let files: Vec<String> = changed_by_builds.iter().map(|p| format!("`{}`", p.display())).collect();
        report.warnings.push(format!(
            "the builds changed files in the workspace, which timewarp does not undo: {} (a build script writing into the source tree?)",
            files.join(", ")
        ));
    }
    if let (Some(saved), Some(path)) = (&baseline, &config.baseline) {
        report.baseline = Some(history::compare(saved, path, &report, config.max_regression_pct));
    }
    let exporter = config.format.exporter(config.verbose);
    emit(config, &exporter.render(&report), output_file)?;
    if let Some(path) = &config.plot {
        match plot::render_svg(&report) {
            Ok(svg) => std::fs::write(path, svg).with_context(|| format!("could not write `{}`", path.display()))?,
            Err(e) => progress.note(&format!("no plot written to `{}`: {e:#}", path.display())),
        }
    }

    if interrupt::requested() {
        return Err(ExitError::with_code(
            exit::INTERRUPTED,
            "interrupted; the report above holds the toolchains measured before, and the touched file was restored",
        ));
    }
    let host =
        std::fs::read_to_string("/proc/sys/kernel/hostname").map_or_else(|_| "unknown".into(), |h| h.trim().into());
    history::record(runner, &work.history_file(), &user_workspace.root, &report, now_utc(), host)?;
    tidy_work_dir(progress, config, &work, &timings)?;
    verdict(&report, msrv_toolchain.as_ref(), &workspace)
}

/// Runs every selected toolchain's builds, oldest first (or round-robin with `--interleave`),
/// changing `touch_path` for the incremental ones; stops early on Ctrl-C.
fn measure_all(
    runner: &dyn Runner,
    progress: &Progress,
    plan: &Plan,
    chosen: &[Toolchain],
    touch_path: &Path,
    work: &WorkDir,
) -> Result<Vec<measure::BuildTiming>> {
    let touched = TouchedFile::register(touch_path)?;
    let edited = plan.edit.then(|| EditedFile::register(touch_path, &work.edit_backup_dir())).transpose()?;
    let what = if edited.is_some() { "touching, then editing," } else { "touching" };
    progress.status(
        "Changing",
        &format!("{} by {what} it before each incremental rebuild", relative(touch_path, &plan.root)),
    );
    let file = ChangedFile { touched: &touched, edited: edited.as_ref() };
    let mut all = Vec::new();
    let per_toolchain = plan.clean_runs + plan.incremental_runs * if plan.edit { 2 } else { 1 };
    let total = chosen.len() * per_toolchain;
    let mut tracker = progress.builds(total);
    if plan.interleave {
        let timings = measure::measure_interleaved(
            runner,
            plan,
            chosen,
            &file,
            &mut |step| tracker.step(step),
            &interrupt::requested,
        )?;
        for timing in &timings {
            tracker.finish_toolchain(timing, per_toolchain);
        }
        all.extend(timings);
    } else {
        for toolchain in chosen {
            if interrupt::requested() {
                break;
            }
            let timing = measure::measure(
                runner,
                plan,
                toolchain,
                &file,
                &mut |step| tracker.step(step),
                &interrupt::requested,
            )?;
            tracker.finish_toolchain(&timing, per_toolchain);
            all.push(timing);
        }
    }
    tracker.done();
    if let Some(edited) = edited {
        edited.restore()?;
    }
    touched.restore()?;
    Ok(all)
}

/// The exit code for a completed run, from the most serious finding.
fn verdict(report: &report::Report, msrv_toolchain: Option<&Toolchain>, workspace: &Workspace) -> Result<i32> {
    if report.toolchains.iter().all(|r| r.status != report::Status::Ok) {
        return Err(ExitError::with_code(
            exit::ALL_BUILDS_FAILED,
            "every selected toolchain failed to build the workspace; see the `failed` rows for the first error of each",
        ));
    }
    if let (Some(t), Some(declared)) = (msrv_toolchain, &workspace.declared_rust_version)
        && let Some(row) = report.toolchains.iter().find(|r| r.name == t.name && r.status == report::Status::Failed)
    {
        return Err(ExitError::with_code(
            exit::MSRV_BROKEN,
            format!(
                "the declared rust-version {declared} is wrong: {} cannot build the workspace: {}",
                t.name,
                row.error.as_deref().unwrap_or("failed")
            ),
        ));
    }
    if let Some(worst) = report.baseline.as_ref().and_then(|c| c.worst_regression()) {
        let limit = report.baseline.as_ref().and_then(|c| c.max_regression_pct).unwrap_or_default();
        return Err(ExitError::with_code(
            exit::REGRESSION,
            format!("the project got slower to compile than the baseline allows ({limit}%): {}", worst.describe()),
        ));
    }
    Ok(exit::SUCCESS)
}

fn inspect_workspace(runner: &dyn Runner, config: &Config, inventory: Option<&Inventory>) -> Result<Workspace> {
    workspace::inspect(runner, &request(config, inventory))
}

fn request(config: &Config, inventory: Option<&Inventory>) -> WorkspaceRequest {
    // Called by cargo, CARGO is the cargo that called us; run directly, rustup's proxy with the
    // newest installed stable, whatever a rust-toolchain file in the workspace pins.
    let (cargo, toolchain) = match std::env::var_os("CARGO") {
        Some(cargo) => (PathBuf::from(cargo), None),
        None => {
            let newest_stable = inventory.and_then(|i| i.toolchains.iter().rev().find(|t| t.is_stable()));
            (rustup_proxy("cargo"), newest_stable.map(|t| t.name.clone()))
        }
    };
    WorkspaceRequest {
        manifest_path: config.manifest_path.clone(),
        packages: config.packages.clone(),
        cargo,
        toolchain,
    }
}

/// An earlier run killed while `--edit` had patched a file left its original in the work dir.
fn recover_interrupted_edit(progress: &Progress, work: &WorkDir) -> Result<()> {
    if let Some(path) = restore::recover_edit(&work.edit_backup_dir())? {
        progress.note(&format!(
            "restored `{}` from the copy an interrupted earlier run kept while editing it",
            path.display()
        ));
    }
    Ok(())
}

fn work_dir(config: &Config, workspace: &Workspace) -> WorkDir {
    WorkDir::new(config.target_dir.as_deref().unwrap_or(&workspace.target_dir))
}

/// The toolchain of the declared rust-version, added to the run so `--verify-msrv` can judge
/// it; `None`, with a note saying why, when there is nothing to verify.
fn msrv_toolchain(progress: &Progress, inventory: &Inventory, workspace: &Workspace) -> Option<Toolchain> {
    let Some(declared) = &workspace.declared_rust_version else {
        progress.note("--verify-msrv: no package declares a rust-version; nothing to verify");
        return None;
    };
    let found = select::toolchain_for(&inventory.toolchains, &declared.version);
    if found.is_none() {
        progress.note(&format!(
            "--verify-msrv: cannot verify rust-version {declared}: no {} toolchain is installed; install it with `{}`",
            declared.version,
            select::install_command(std::slice::from_ref(&declared.version))
        ));
    }
    found.cloned()
}

/// `--rev`: exports the revision, optionally makes its lockfile readable by old cargos, and
/// inspects the copy, which every later step then measures.
fn time_revision(
    runner: &dyn Runner,
    progress: &Progress,
    config: &Config,
    inventory: &Inventory,
    user_workspace: &Workspace,
    work: &WorkDir,
    rev: &str,
) -> Result<(Workspace, Option<revision::Checkout>)> {
    work.create()?;
    let checkout = revision::export(runner, &user_workspace.manifest_path, rev, work.path(), config.lockfile_compat)?;
    let short = &checkout.commit[..12.min(checkout.commit.len())];
    progress.status("Exported", &format!("{rev} ({short}) into {}", checkout.dir.display()));
    if checkout.lockfile_rewritten {
        progress.note(
            "--lockfile-compat: the copy's Cargo.lock is rewritten as version 3 for cargo before 1.78; the locked versions are unchanged",
        );
    }
    let copy =
        WorkspaceRequest { manifest_path: Some(checkout.manifest_path.clone()), ..request(config, Some(inventory)) };
    Ok((workspace::inspect(runner, &copy)?, Some(checkout)))
}

fn install_yearly_toolchains(
    runner: &dyn Runner,
    progress: &Progress,
    inventory: &Inventory,
    workspace: &Workspace,
) -> Result<()> {
    let wanted = select::yearly_versions_to_install(&inventory.toolchains, workspace.msrv(), today());
    if wanted.is_empty() {
        progress.note("--install: every yearly toolchain back to the MSRV is installed already");
        return Ok(());
    }
    let versions: Vec<String> = wanted.iter().map(ToString::to_string).collect();
    let cmd = CommandSpec::new(rustup_proxy("rustup"))
        .args(["toolchain", "install"])
        .args(&versions)
        .args(["--profile", "minimal"]);
    progress.status("Installing", &format!("`{cmd}`"));
    runner.run(&cmd)?.ok_or_error(&cmd)?;
    Ok(())
}

fn no_eligible_toolchain(inventory: &Inventory, workspace: &Workspace) -> anyhow::Error {
    let wanted = select::yearly_versions_to_install(&inventory.toolchains, workspace.msrv(), today());
    let msrv = workspace.msrv().map(|f| format!(" at or above the MSRV {f}")).unwrap_or_default();
    ExitError::with_code(
        exit::NO_ELIGIBLE_TOOLCHAIN,
        format!(
            "no installed stable toolchain is{msrv} and inside --since/--until (see `cargo timewarp --list`); install some with `{}` or run with `--install`",
            select::install_command(&wanted)
        ),
    )
}

/// With fewer than two toolchains there is no history: say what to install. An explicit
/// `--toolchains` list is the user's choice, however short.
fn suggest_installs(progress: &Progress, config: &Config, inventory: &Inventory, workspace: &Workspace, chosen: usize) {
    if chosen >= 2 || matches!(config.policy, select::Policy::Named(_)) {
        return;
    }
    let wanted = select::yearly_versions_to_install(&inventory.toolchains, workspace.msrv(), today());
    if !wanted.is_empty() {
        progress.note(&format!(
            "a history needs at least two toolchains; for a yearly one back to the MSRV run `{}` (or pass `--install`)",
            select::install_command(&wanted)
        ));
    }
}

/// Removes old toolchains' build directories (unless `--keep-target-dirs`) and says how much
/// space timewarp's directory takes.
fn tidy_work_dir(progress: &Progress, config: &Config, work: &WorkDir, timings: &[measure::BuildTiming]) -> Result<()> {
    let mut freed = 0;
    if !config.keep_target_dirs {
        let newest = timings.iter().rev().find(|t| matches!(t.outcome, Outcome::Completed(_)));
        let keep: Vec<PathBuf> = newest.map(|t| t.target_dir.clone()).into_iter().collect();
        freed = work.prune_target_dirs(&keep)?;
    }
    let freed = if freed > 0 { format!(" after freeing {}", human_bytes(freed)) } else { String::new() };
    progress.status("Disk", &format!("{} used in {}{freed}", human_bytes(work.size()), work.path().display()));
    Ok(())
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

fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn today() -> Date {
    Date::from_days_since_epoch((unix_seconds() / 86_400) as i64)
}

/// `2026-11-28T10:20:00Z`, date and time from one reading of the clock.
fn now_utc() -> String {
    let secs = unix_seconds();
    let (day, of_day) = (Date::from_days_since_epoch((secs / 86_400) as i64), secs % 86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

fn relative(path: &Path, root: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root).unwrap_or(path).display().to_string()
}
