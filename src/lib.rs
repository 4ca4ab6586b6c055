//! cargo-timewarp: how much faster has the Rust compiler become for *this* project?
//!
//! [`measure_history`] is the whole pipeline, top to bottom: discover the toolchains and the
//! workspace, select, prepare, measure, report, keep, judge. Each stage is a module that takes
//! plain values and returns one (see ARCHITECTURE.md); only this file knows their order and
//! picks the real process runner.

mod cli;
mod discover;
mod exit;
mod fs;
mod measure;
mod process;
mod report;
#[cfg(test)]
mod testing;

use std::ffi::OsString;
use std::path::Path;

use anyhow::Result;
use console::style;

use crate::cli::{Action, Config};
use crate::discover::environment;
use crate::discover::release::Date;
use crate::discover::select::{self, Selection};
use crate::discover::toolchain::{self, Inventory, Toolchain};
use crate::discover::workspace::{self, Workspace, WorkspaceRequest};
use crate::exit::ExitError;
use crate::measure::engine::{self, ChangedFile, Measured, Plan, Verification};
use crate::measure::interrupt::Interrupt;
use crate::measure::journal::Journal;
use crate::measure::revision::{self, Checkout};
use crate::measure::tree::TreeState;
use crate::measure::workdir::WorkDir;
use crate::measure::{build, crates, prepare};
use crate::process::{CommandSpec, Runner, SystemRunner};
use crate::report::baseline::Baseline;
use crate::report::history;
use crate::report::progress::Progress;
use crate::report::verdict::{MsrvCheck, verdict};

/// Runs cargo-timewarp with the process arguments `args`; prints any error as one line and
/// returns the exit code.
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
    let runner = SystemRunner::default();
    let progress = Progress::new(config.quiet);
    match config.action {
        Action::Clean => clean(&runner, config, &progress),
        Action::History => {
            let (_, work) = inspect_user_workspace(&runner, config, None)?;
            config.outputs().emit(&history::summarize(&work.history_file())?)
        }
        Action::List | Action::Measure => measure_history(&runner, config, &progress),
    }
}

/// The pipeline.
fn measure_history(runner: &SystemRunner, config: &Config, progress: &Progress) -> Result<()> {
    let outputs = config.outputs();
    outputs.check()?;
    let inventory = toolchain::discover(runner)?;
    let (user_workspace, work) = inspect_user_workspace(runner, config, Some(&inventory))?;
    let journal = start_journal(&work, progress)?;
    let checkout =
        config.rev.as_deref().map(|rev| export_revision(runner, config, &user_workspace, &work, rev, progress));
    let checkout = checkout.transpose()?;
    let workspace = match &checkout {
        Some(copy) => inspect(runner, config, Some(copy.manifest_path.as_path()), Some(&inventory))?,
        None => user_workspace.clone(),
    };
    let inventory =
        if config.install { install_yearly_toolchains(runner, progress, &inventory, &workspace)? } else { inventory };
    let (selection, msrv_check) = select_toolchains(config, progress, &inventory, &workspace);
    let selection = selection?;
    if config.action == Action::List {
        return outputs.listing(&report::listing(&workspace, &selection, &inventory.broken));
    }
    if selection.chosen.is_empty() {
        return Err(select::nothing_eligible(
            &inventory.toolchains,
            workspace.msrv(),
            &config.criteria(),
            Date::today(),
        ));
    }

    // Everything that can fail on bad input fails now, not after an hour of builds.
    let baseline =
        config.baseline.as_deref().map(|path| Baseline::read(path, config.max_regression_pct)).transpose()?;
    let touch_path = workspace::resolve_touch_file(config.touch.as_deref(), &user_workspace, &workspace)?;
    work.create_builds()?;
    let removed_env = build::distorting_vars_present(std::env::vars_os());
    if !removed_env.is_empty() {
        progress.note(&format!("removed from the builds' environment: {}", removed_env.join(", ")));
    }
    let cargo_home = home::cargo_home().ok();
    let build_settings = environment::build_settings(
        std::env::vars_os(),
        &workspace.root,
        cargo_home.as_deref(),
        &workspace.manifest_path,
    );
    let interrupt = Interrupt::install(runner.groups(), journal.clone())?;

    let excluded = [workspace.target_dir.clone(), work.builds().to_path_buf()];
    let tree_before = TreeState::capture(&workspace.root, &excluded);
    let prepared =
        prepare::prepare(runner, &workspace.root, &workspace.manifest_path, &selection.chosen, &work, &journal)?;
    if let Some(dir) = &prepared.vendor_dir {
        progress.status("Vendored", &format!("dependency sources into {} for every toolchain", dir.display()));
    }
    let verify = verification(progress, &workspace, &touch_path);
    let settings = config.build_settings(&workspace, &prepared.cargo_home);
    let crates = config.crates.is_some().then(std::env::current_exe).transpose()?;
    let plan = Plan { settings, runs: config.runs(), order: config.order(), verify, crates };
    let file = ChangedFiles { journal: &journal, path: &touch_path, root: &workspace.root };
    let measured = measure(runner, progress, &plan, &selection.chosen, &work, &file, &interrupt)?;
    let vendor_dir = prepared.vendor_dir.clone();
    prepared.finish()?;
    let changed_by_builds = TreeState::capture(&workspace.root, &excluded).changed_since(&tree_before);

    let facts = report::Facts {
        workspace: &workspace,
        selection: &selection,
        broken: &inventory.broken,
        settings: &plan.settings,
        runs: plan.runs,
        touched_file: &touch_path,
        removed_env: &removed_env,
        build_settings: &build_settings,
        vendor_dir: vendor_dir.as_deref(),
        revision: checkout.as_ref().map(|c| c.commit.as_str()),
        changed_by_builds: &changed_by_builds,
        baseline: baseline.as_ref(),
        crates_top: config.crates,
    };
    let report = report::build(&facts, &measured);
    outputs.report(&report, progress)?;
    if interrupt.requested() {
        return Err(ExitError::with_code(
            exit::INTERRUPTED,
            "interrupted; the report above holds what was measured before, and the changed files were restored",
        ));
    }
    history::record(runner, &work.history_file(), &user_workspace.root, &report)?;
    tidy(progress, config, &work, &measured)?;
    verdict(&report, msrv_check.as_ref())
}

/// The user's workspace (read with the newest stable cargo in `inventory`, when given) and
/// timewarp's directories for it.
fn inspect_user_workspace(
    runner: &dyn Runner,
    config: &Config,
    inventory: Option<&Inventory>,
) -> Result<(Workspace, WorkDir)> {
    let workspace = inspect(runner, config, config.manifest_path.as_deref(), inventory)?;
    let work = WorkDir::new(&workspace.root, config.target_dir.as_deref().unwrap_or(&workspace.target_dir))?;
    Ok((workspace, work))
}

fn inspect(
    runner: &dyn Runner,
    config: &Config,
    manifest_path: Option<&Path>,
    inventory: Option<&Inventory>,
) -> Result<Workspace> {
    let newest_stable = inventory.and_then(|i| i.toolchains.iter().rev().find(|t| t.is_stable()));
    let request = WorkspaceRequest::new(manifest_path.map(Path::to_path_buf), &config.packages, newest_stable);
    let workspace = workspace::inspect(runner, &request)?;
    Ok(workspace)
}

/// Replays what an earlier, killed run left in the journal, then starts this run's.
fn start_journal(work: &WorkDir, progress: &Progress) -> Result<Journal> {
    for note in Journal::recover(&work.journal_file())? {
        progress.note(&format!("an interrupted earlier run was undone: {note}"));
    }
    work.create_state()?;
    Ok(Journal::on_disk(&work.journal_file(), &work.journal_backups()))
}

/// `--rev`: exports the revision, optionally makes its lockfile readable by old cargos.
fn export_revision(
    runner: &dyn Runner,
    config: &Config,
    user: &Workspace,
    work: &WorkDir,
    rev: &str,
    progress: &Progress,
) -> Result<Checkout> {
    let checkout = revision::export(runner, &user.manifest_path, rev, work, config.lockfile_compat)?;
    let short = &checkout.commit[..12.min(checkout.commit.len())];
    progress.status("Exported", &format!("{rev} ({short}) into {}", checkout.dir.display()));
    if checkout.lockfile_rewritten {
        progress.note(
            "--lockfile-compat: the copy's Cargo.lock is rewritten as version 3 for cargo before 1.78; the locked versions are unchanged",
        );
    }
    Ok(checkout)
}

/// The selection, with the toolchain of the declared rust-version added for `--verify-msrv`.
fn select_toolchains(
    config: &Config,
    progress: &Progress,
    inventory: &Inventory,
    workspace: &Workspace,
) -> (Result<Selection>, Option<MsrvCheck>) {
    if let Some(file) = &workspace.toolchain_file {
        progress.note(&format!("`{}` is ignored: every build names its toolchain with `+NAME`", file.display()));
    }
    for note in &workspace.notes {
        progress.note(note);
    }
    let criteria = config.criteria();
    let mut selection = match select::select(&inventory.toolchains, workspace.msrv(), &criteria) {
        Ok(selection) => selection,
        Err(e) => return (Err(e), None),
    };
    let check = if config.verify_msrv { msrv_check(progress, inventory, workspace) } else { None };
    if let Some((toolchain, _)) = &check {
        selection.include(toolchain, workspace.msrv());
    }
    let today = Date::today();
    if let Some(advice) =
        select::install_advice(&inventory.toolchains, workspace.msrv(), &criteria, selection.chosen.len(), today)
    {
        progress.note(&advice);
    }
    (Ok(selection), check.map(|(_, check)| check))
}

/// The toolchain of the declared rust-version, for `--verify-msrv`; `None`, with a note saying
/// why, when there is nothing to verify.
fn msrv_check(progress: &Progress, inventory: &Inventory, workspace: &Workspace) -> Option<(Toolchain, MsrvCheck)> {
    let Some(declared) = &workspace.declared_rust_version else {
        progress.note("--verify-msrv: no package declares a rust-version; nothing to verify");
        return None;
    };
    let Some(toolchain) = select::toolchain_for(&inventory.toolchains, &declared.version) else {
        progress.note(&format!(
            "--verify-msrv: cannot verify rust-version {declared}: no {} toolchain is installed; install it with `{}`",
            declared.version,
            select::install_command(std::slice::from_ref(&declared.version))
        ));
        return None;
    };
    let raised_by =
        workspace.msrv_floors.iter().find(|f| f.kind.is_dependency() && f.version > declared.version).cloned();
    let check = MsrvCheck { toolchain: toolchain.name.clone(), declared: declared.clone(), raised_by };
    Some((toolchain.clone(), check))
}

/// `--install`: installs the yearly toolchains missing back to the MSRV, then looks again.
fn install_yearly_toolchains(
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
    let versions: Vec<String> = wanted.iter().map(ToString::to_string).collect();
    let cmd = CommandSpec::new(toolchain::rustup_proxy("rustup"))
        .args(["toolchain", "install"])
        .args(&versions)
        .args(["--profile", "minimal"]);
    progress.status("Installing", &format!("`{cmd}`"));
    runner.run(&cmd)?.ok_or_error(&cmd)?;
    toolchain::discover(runner)
}

/// What every rebuild must show cargo compiling: the package that owns the touched file. A file
/// in no directory of a target the build compiles (`tests/t.rs`) gets a note now; its rebuilds
/// will fail, saying so.
fn verification(progress: &Progress, workspace: &Workspace, touched: &Path) -> Verification {
    let file = touched.strip_prefix(&workspace.root).unwrap_or(touched).display().to_string();
    let member = workspace.member_of(touched);
    if let Some(member) = member.filter(|m| !m.built_dirs.iter().any(|d| touched.starts_with(d))) {
        progress.note(&format!(
            "`{file}` is in no directory of a target a build of `{}` compiles (its library, binaries or build script); cargo may rebuild nothing when it changes",
            member.name
        ));
    }
    Verification { package: member.map(|m| m.name.clone()), file }
}

/// The file the rebuilds change, and where its changes are journaled.
struct ChangedFiles<'a> {
    journal: &'a Journal,
    path: &'a Path,
    root: &'a Path,
}

/// Runs the engine with progress, changing the file for the rebuilds and restoring it after.
fn measure(
    runner: &dyn Runner,
    progress: &Progress,
    plan: &Plan,
    toolchains: &[Toolchain],
    work: &WorkDir,
    file: &ChangedFiles<'_>,
    interrupt: &Interrupt,
) -> Result<Vec<Measured>> {
    let touched = file.journal.touch(file.path)?;
    let edited = (plan.runs.edited > 0).then(|| file.journal.edit(file.path)).transpose()?;
    let what = if edited.is_some() { "touching, then editing," } else { "touching" };
    let shown = file.path.strip_prefix(file.root).unwrap_or(file.path).display();
    progress.status("Changing", &format!("{shown} by {what} it before each rebuild"));
    let mut tracker = progress.builds(toolchains.len(), plan.runs.expected_builds());
    let changed = ChangedFile { touched: &touched, edited: edited.as_ref() };
    let measured = engine::measure(runner, plan, toolchains, work, &changed, &mut tracker, &|| interrupt.requested())?;
    tracker.done();
    if let Some(edited) = edited {
        edited.restore()?;
    }
    touched.restore()?;
    Ok(measured)
}

/// Removes older toolchains' build directories (unless `--keep-target-dirs`) and says how much
/// space timewarp's directories take.
fn tidy(progress: &Progress, config: &Config, work: &WorkDir, measured: &[Measured]) -> Result<()> {
    let mut freed = 0;
    if !config.keep_target_dirs {
        let newest = measured.iter().rev().find(|m| m.end == engine::End::Completed);
        let keep: Vec<_> = newest.map(|m| m.target_dir.clone()).into_iter().collect();
        freed = work.prune_target_dirs(&keep)?;
    }
    let freed = if freed > 0 { format!(" after freeing {}", fs::human_bytes(freed)) } else { String::new() };
    progress.status("Disk", &format!("{} used in {}{freed}", fs::human_bytes(work.size()), work.builds().display()));
    Ok(())
}

/// `cargo timewarp clean`: undoes what a killed run left, then removes timewarp's directories.
fn clean(runner: &dyn Runner, config: &Config, progress: &Progress) -> Result<()> {
    let (_, work) = inspect_user_workspace(runner, config, None)?;
    for note in Journal::recover(&work.journal_file())? {
        progress.note(&format!("an interrupted earlier run was undone: {note}"));
    }
    let removed = work.remove()?;
    if removed.is_empty() {
        progress.status("Clean", &format!("nothing to remove: `{}` does not exist", work.builds().display()));
    }
    for (path, size) in removed {
        progress.status("Removed", &format!("{} ({})", path.display(), fs::human_bytes(size)));
    }
    Ok(())
}
