//! The stages the pipeline in `lib.rs` runs, each a function from the configuration and the
//! previous stage's result to its own: [`discover`] (toolchains, workspace, lock and journal,
//! selection), [`measure`] (the up-front checks, preparation, the engine) and [`keep`] (the
//! report saved before any output is written). They print the progress notes between steps;
//! how each step works is in its module.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use crate::cli::{Action, Config};
use crate::discover::release::Date;
use crate::discover::toolchain::{self, HOST, Inventory};
use crate::discover::workspace::{self, Workspace, WorkspaceRequest};
use crate::discover::{environment, select};
use crate::fs;
use crate::measure::engine::{self, Plan, Verification};
use crate::measure::interrupt::Interrupt;
use crate::measure::journal::Journal;
use crate::measure::workdir::{RunLock, WorkDir};
use crate::measure::{build, prepare, revision, tree::TreeState};
use crate::process::{self, CommandSpec, Runner, SystemRunner};
use crate::report::baseline::Baseline;
use crate::report::history;
use crate::report::model::Report;
use crate::report::progress::{BuildPlan, Progress};

/// What discovery found: the toolchains, the user's workspace and the one measured (a `--rev`
/// copy's, with `--rev`), timewarp's directories, lock and journal, and the selection.
pub(crate) struct Discovered {
    pub inventory: Inventory,
    pub user_workspace: Workspace,
    pub workspace: Workspace,
    pub work: WorkDir,
    _lock: Option<RunLock>,
    journal: Journal,
    pub checkout: Option<revision::Checkout>,
    pub planned: select::Planned,
}

pub(crate) fn discover(runner: &SystemRunner, config: &Config, progress: &Progress) -> Result<Discovered> {
    let inventory = toolchain::discover(runner)?;
    let (user_workspace, work) = inspect(runner, config, None, Some(&inventory))?;
    config.outputs().check(&user_workspace, &work)?;
    let (_lock, journal) = start(&work, config.action == Action::List, progress)?;
    let checkout = config.rev.as_deref().map(|rev| export(runner, config, &user_workspace, &work, rev, progress));
    let checkout = checkout.transpose()?;
    let workspace = match &checkout {
        Some(copy) => inspect(runner, config, Some(&copy.manifest_path), Some(&inventory))?.0,
        None => user_workspace.clone(),
    };
    let inventory = if config.install { install(runner, progress, &inventory, &workspace)? } else { inventory };
    let (floors, declared) = (&workspace.msrv_floors, workspace.declared_rust_version.as_ref());
    let planned =
        select::plan(&inventory.toolchains, floors, declared, &config.criteria(), config.verify_msrv, Date::today())?;
    let file_notes = toolchain::file_notes(&workspace, &inventory);
    workspace.notes.iter().chain(&planned.notes).chain(&file_notes).for_each(|n| progress.note(n));
    if config.action == Action::Measure && planned.selection.chosen.is_empty() {
        let today = Date::today();
        return Err(select::nothing_eligible(&inventory.toolchains, workspace.msrv(), &config.criteria(), today));
    }
    Ok(Discovered { inventory, user_workspace, workspace, work, _lock, journal, checkout, planned })
}

/// What the measuring stage did, and what the report needs to say about it.
pub(crate) struct Measurement {
    pub plan: Plan,
    pub touched: PathBuf,
    pub removed_env: Vec<String>,
    pub build_settings: Vec<environment::BuildSetting>,
    pub vendor_dir: Option<PathBuf>,
    pub changed_by_builds: Vec<PathBuf>,
    pub baseline: Option<Baseline>,
    pub measured: Vec<engine::Measured>,
    pub interrupted: bool,
}

/// Checks what can fail on bad input (now, not after an hour of builds), prepares, and runs
/// the measurement engine with progress.
pub(crate) fn measure(
    runner: &SystemRunner,
    config: &Config,
    progress: &Progress,
    found: &Discovered,
) -> Result<Measurement> {
    let (workspace, work) = (&found.workspace, &found.work);
    let baseline =
        config.baseline.as_deref().map(|path| Baseline::read(path, config.max_regression_pct)).transpose()?;
    let touched = workspace::resolve_touch_file(config.touch.as_deref(), &found.user_workspace, workspace)?;
    workspace::check_touchable(&touched)?;
    work.create_builds()?;
    let removed_env = build::distorting_vars_present(std::env::vars_os());
    let cargo_home = home::cargo_home().ok();
    let build_settings = environment::for_build(
        environment::build_settings(
            std::env::vars_os(),
            &workspace.root,
            cargo_home.as_deref(),
            &workspace.manifest_path,
        ),
        HOST,
        config.profile.name(),
    );
    let interrupt = Interrupt::install(runner.groups(), found.journal.clone())?;

    let excluded = [workspace.target_dir.clone(), work.builds().to_path_buf()];
    let tree_before = TreeState::capture(&workspace.root, &excluded);
    let chosen = &found.planned.selection.chosen;
    let prepared = prepare::prepare(runner, &workspace.root, &workspace.manifest_path, chosen, work, &found.journal)?;
    if let Some(dir) = &prepared.vendor_dir {
        progress.status("Vendored", &format!("dependency sources into {} for every toolchain", dir.display()));
    }
    let (verify, note) = Verification::new(workspace, &touched);
    note.iter().for_each(|n| progress.note(n));
    if !removed_env.is_empty() {
        progress.note(&format!("removed from the builds' environment: {}", removed_env.join(", ")));
    }
    let crates = config.crates.is_some().then(std::env::current_exe).transpose()?;
    let settings = config.build_settings(workspace, &prepared.cargo_home);
    let plan = Plan { settings, runs: config.runs(), order: config.order(), verify, crates };
    progress.status("Changing", &format!("{} before each rebuild", plan.verify.file));
    let builds = BuildPlan {
        clean: plan.runs.clean,
        extra_clean: usize::from(plan.crates.is_some()),
        rebuilds: plan.runs.expected_rebuilds(),
    };
    let mut tracker = progress.builds(chosen.len(), builds);
    let stop = || interrupt.requested();
    let measured =
        engine::measure_changing(runner, &plan, chosen, work, &found.journal, &touched, &mut tracker, &stop)?;
    tracker.done();
    let vendor_dir = prepared.vendor_dir.clone();
    prepared.finish()?;
    let changed_by_builds = TreeState::capture(&workspace.root, &excluded).changed_since(&tree_before);
    let interrupted = interrupt.requested();
    Ok(Measurement {
        plan,
        touched,
        removed_env,
        build_settings,
        vendor_dir,
        changed_by_builds,
        baseline,
        measured,
        interrupted,
    })
}

/// The workspace at `manifest_path` (else `--manifest-path`, else the current directory's),
/// read with the newest stable cargo of `inventory` when given, and timewarp's directories for it.
pub(crate) fn inspect(
    runner: &dyn Runner,
    config: &Config,
    manifest_path: Option<&Path>,
    inventory: Option<&Inventory>,
) -> Result<(Workspace, WorkDir)> {
    let manifest_path = manifest_path.or(config.manifest_path.as_deref()).map(Path::to_path_buf);
    let newest_stable = inventory.and_then(|i| i.toolchains.iter().rev().find(|t| t.is_stable()));
    let workspace = workspace::inspect(runner, &WorkspaceRequest::new(manifest_path, &config.packages, newest_stable))?;
    let work = WorkDir::new(&workspace.root, config.target_dir.as_deref().unwrap_or(&workspace.target_dir))?;
    Ok((workspace, work))
}

/// Takes the workspace's lock and the journal, after replaying what a killed run left. `--list`
/// changes nothing, so it goes on read-only beside a running measurement; anything else stops.
pub(crate) fn start(work: &WorkDir, read_only: bool, progress: &Progress) -> Result<(Option<RunLock>, Journal)> {
    let lock = match work.lock()? {
        Ok(lock) => lock,
        Err(_) if read_only => return Ok((None, Journal::default())),
        Err(holder) => {
            return Err(anyhow!(
                "another cargo timewarp is measuring this workspace ({holder}); wait for it to finish, or stop it"
            ));
        }
    };
    let stopped = process::kill_processes_with_env("CARGO_HOME", &work.cargo_home());
    if !stopped.is_empty() {
        let pids: Vec<String> = stopped.iter().map(u32::to_string).collect();
        progress.note(&format!(
            "stopped {} processes of a build that a killed run left running (pid {})",
            stopped.len(),
            pids.join(", ")
        ));
    }
    let (journal, undone) = Journal::start(work)?;
    undone.iter().for_each(|n| progress.note(&format!("an interrupted earlier run was undone: {n}")));
    Ok((Some(lock), journal))
}

/// `--rev`: exports the revision outside the workspace, optionally making its lockfile
/// readable by old cargos.
fn export(
    runner: &dyn Runner,
    config: &Config,
    user: &Workspace,
    work: &WorkDir,
    rev: &str,
    progress: &Progress,
) -> Result<revision::Checkout> {
    let checkout = revision::export(runner, &user.manifest_path, rev, work, config.lockfile_compat)?;
    let short = &checkout.commit[..12.min(checkout.commit.len())];
    progress.status("Exported", &format!("{rev} ({short}) into {}", checkout.dir.display()));
    if checkout.lockfile_rewritten {
        progress.note("--lockfile-compat: the copy's Cargo.lock is now version 3, for cargo before 1.78; the locked versions are unchanged");
    }
    Ok(checkout)
}

/// `--install`: installs the yearly toolchains missing back to the MSRV, then looks again.
fn install(
    runner: &dyn Runner,
    progress: &Progress,
    inventory: &Inventory,
    workspace: &Workspace,
) -> Result<Inventory> {
    let wanted = select::yearly_versions_to_install(&inventory.toolchains, workspace.msrv(), Date::today());
    if wanted.is_empty() {
        progress.note("--install: every yearly toolchain back to the MSRV is installed already");
        return Ok(inventory.clone());
    }
    let versions = wanted.iter().map(ToString::to_string);
    let cmd = CommandSpec::new(toolchain::rustup_proxy("rustup")).args(["toolchain", "install"]).args(versions);
    let cmd = cmd.args(["--profile", "minimal"]);
    progress.status("Installing", &format!("`{cmd}`"));
    runner.run(&cmd)?.ok_or_error(&cmd)?;
    toolchain::discover(runner)
}

/// Keeps the report before any user output is written, so a failed write loses nothing: as
/// JSON in timewarp's directory and, for a complete run, in the history. Returns where the
/// JSON is.
pub(crate) fn keep(
    runner: &dyn Runner,
    work: &WorkDir,
    user: &Workspace,
    report: &Report,
    partial: bool,
) -> Result<PathBuf> {
    let saved = work.last_report();
    let json = serde_json::to_string_pretty(report).expect("a report always serialises");
    fs::write_atomic(&saved, json)?;
    if !partial {
        history::record(runner, &work.history_file(), &user.root, report)?;
    }
    Ok(saved)
}
