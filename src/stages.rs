//! The stages the pipeline in `lib.rs` runs, each a function from the configuration and the
//! previous stage's result to its own: [`discover`] (toolchains, workspace, locks and journal,
//! selection), [`measure`] (the up-front checks, preparation, the engine) and [`keep`] (the
//! report saved before any output is written). They print the progress notes between steps, and
//! turn each command's options ([`RunOptions`] and the others) into each step's input; how each step works is in its
//! module. Everything outside the process goes through the [`Runner`], so unit tests drive the
//! stages with `testing::FakeRunner`.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use crate::cli::{Action, OutputOptions, RunOptions, Where};
use crate::discover::install::Installer;
use crate::discover::release::{Date, utc_timestamp};
use crate::discover::select;
use crate::discover::select::{Criteria, Policy};
use crate::discover::toolchain::{self, Inventory, Toolchain};
use crate::discover::workspace::{self, Workspace, WorkspaceRequest};
use crate::exit::ExitError;
use crate::measure::build::Recipe;
use crate::measure::engine::{Precision, Stopping};
use crate::measure::interrupt::Interrupt;
use crate::measure::journal::Journal;
use crate::measure::revision;
use crate::measure::workdir::{self, Held, Locked, WorkDir};
use crate::process::Runner;
use crate::report::baseline::{Baseline, GateLimit};
use crate::report::guard::Guard;
use crate::report::history;
use crate::report::model::Report;
use crate::report::output::{FILE_WIDTH, Outputs, terminal_width};
use crate::report::progress::Progress;
use crate::vocab::{self, Keep, Scenario};

mod measure;

pub(crate) use self::measure::{MeasuredRun, build_settings, measure, measure_arms, measure_these};

/// What discovery found: the toolchains, the user's workspace and the one measured (a `--rev`
/// copy's, with `--rev`), timewarp's directories, locks and journal, and the selection.
pub(crate) struct Discovered {
    pub(crate) inventory: Inventory,
    pub(crate) user_workspace: Workspace,
    pub(crate) workspace: Workspace,
    pub(crate) work: WorkDir,
    pub(crate) outputs: Outputs,
    _locks: Vec<Held>,
    journal: Journal,
    pub(crate) checkout: Option<revision::Checkout>,
    pub(crate) planned: select::Planned,
    /// The `--baseline` report, read before anything else happened.
    pub(crate) baseline: Option<Baseline>,
    /// `--baseline-rev`: the revision's copy and its workspace.
    pub(crate) baseline_tree: Option<(revision::Checkout, Workspace)>,
}

/// Today, by the runner's clock.
fn today(runner: &dyn Runner) -> Date {
    Date::of(runner.now())
}

pub(crate) fn discover(runner: &dyn Runner, config: &RunOptions, progress: &Progress) -> Result<Discovered> {
    if let Some(dir) =
        config.at.target_dir.as_ref().filter(|d| d.to_str().is_none() && config.action == Action::Measure)
    {
        return Err(ExitError::usage(format!(
            "`--target-dir {}` is not valid UTF-8, and cargo takes only UTF-8 paths; name another directory",
            dir.display()
        )));
    }
    let inventory = toolchain::discover(runner)?;
    let (user_workspace, work) = inspect(runner, &config.at, None, Some(&inventory))?;
    let mut outputs = outputs(runner, &config.out, config.action == Action::Measure, &user_workspace, &work);
    outputs.history = config.history.clone().filter(|_| config.action == Action::Measure);
    outputs.check()?;
    // Bad input fails here, before a lock, a directory or a build.
    if let Some(given) = config.build.touch.as_deref() {
        workspace::resolve_touch_file(Some(given), &user_workspace, &user_workspace)?;
        check_editable(config, given)?;
    }
    let gate = gate(config);
    let baseline = config.checks.baseline.as_deref().map(|path| Baseline::read(path, gate)).transpose()?;
    let (locks, journal) = start(runner, &work, &user_workspace.root.join("Cargo.toml"), config.action, progress)?;
    let checkout =
        config.build.rev.as_deref().map(|rev| export(runner, config, &user_workspace, &work, "--rev", rev, progress));
    let checkout = checkout.transpose()?;
    let workspace = match &checkout {
        Some(copy) => inspect(runner, &config.at, Some(&copy.manifest_path), Some(&inventory))?.0,
        None => user_workspace.clone(),
    };
    let baseline_tree = match config.checks.baseline_rev.as_deref().filter(|_| config.action == Action::Measure) {
        Some(rev) => {
            let copy = export(runner, config, &user_workspace, &work, "--baseline-rev", rev, progress)?;
            let base = inspect(runner, &config.at, Some(&copy.manifest_path), Some(&inventory))?.0;
            Some((copy, base))
        }
        None => None,
    };
    let inventory = if config.install { install(runner, progress, &inventory, &workspace)? } else { inventory };
    let planned = plan(runner, config, &workspace, &inventory)?;
    let file_notes = toolchain::file_notes(workspace.toolchain_file.as_deref(), &inventory);
    // The plan's notes are a measuring run's (toolchains worth installing for one); a bisection names
    // the releases its span lacks itself.
    let plan_notes = if config.action == Action::Bisect { &[][..] } else { &planned.notes[..] };
    workspace.notes.iter().chain(plan_notes).chain(&file_notes).for_each(|n| progress.note(n));
    if config.action == Action::Measure && planned.selection.chosen.is_empty() {
        return Err(select::nothing_eligible(
            &inventory.toolchains,
            workspace.msrv(),
            &criteria(config, &workspace),
            today(runner),
        ));
    }
    Ok(Discovered {
        inventory,
        user_workspace,
        workspace,
        work,
        outputs,
        _locks: locks,
        journal,
        checkout,
        planned,
        baseline,
        baseline_tree,
    })
}

/// Which of `inventory`'s toolchains to measure for `workspace`.
fn plan(
    runner: &dyn Runner,
    config: &RunOptions,
    workspace: &Workspace,
    inventory: &Inventory,
) -> Result<select::Planned> {
    let (floors, declared) = (&workspace.msrv_floors, workspace.declared_rust_version.as_ref());
    let present = inventory.installed_releases().ok();
    let criteria = criteria(config, workspace);
    select::plan(
        &inventory.toolchains,
        present.as_deref(),
        floors,
        declared,
        &criteria,
        config.checks.verify_msrv,
        today(runner),
    )
}

/// Looks at the installed toolchains again (`bisect --install` added some) and plans anew.
pub(crate) fn replan(runner: &dyn Runner, config: &RunOptions, found: &mut Discovered) -> Result<()> {
    found.inventory = toolchain::discover(runner)?;
    found.planned = plan(runner, config, &found.workspace, &found.inventory)?;
    Ok(())
}

/// Where `merge` and `show` write: judged by the guard of the workspace the current directory
/// is in, as a run's outputs are; outside any workspace (`cargo metadata` finds none), by names
/// alone.
pub(crate) fn merge_outputs(runner: &dyn Runner, out: &OutputOptions) -> Outputs {
    let written = out.output.as_ref().or(out.plot.as_ref());
    let guard = match written.map(|_| inspect_without_building(runner, &Where::default())) {
        Some(Ok((workspace, work))) => Guard::new(&workspace, &work),
        _ => Guard::outside_workspace(),
    };
    let width = match &out.output {
        Some(_) => Some(FILE_WIDTH),
        None => terminal_width(
            runner.env().var("COLUMNS").and_then(|c| c.to_str()),
            console::Term::stdout().size_checked().map(|(_, columns)| usize::from(columns)),
        ),
    };
    Outputs {
        format: out.format,
        verbose: out.verbose,
        output: out.output.clone(),
        plot: out.plot.clone(),
        crates_csv: None,
        job_summary: None,
        history: None,
        width,
        guard,
    }
}

/// What the gate allows, from the command line.
pub(crate) fn gate(config: &RunOptions) -> GateLimit {
    GateLimit { max_regression_pct: config.checks.max_regression_pct }
}

/// What selection needs from the command line, and the ceiling of `workspace`'s locked graph.
pub(crate) fn criteria(config: &RunOptions, workspace: &Workspace) -> Criteria {
    let policy = if !config.select.toolchains.is_empty() {
        Policy::Named(config.select.toolchains.clone())
    } else if config.select.all {
        Policy::All
    } else {
        Policy::Yearly
    };
    Criteria {
        policy,
        since: config.select.since.clone(),
        until: config.select.until.clone(),
        ceiling: workspace.ceiling.clone(),
    }
}

/// Where the documents go, with the guard of the user's workspace; `job_summary` for a run's
/// report, which also goes to the GitHub job summary.
pub(crate) fn outputs(
    runner: &dyn Runner,
    out: &OutputOptions,
    job_summary: bool,
    workspace: &Workspace,
    work: &WorkDir,
) -> Outputs {
    let width = match &out.output {
        Some(_) => Some(FILE_WIDTH),
        None => terminal_width(
            runner.env().var("COLUMNS").and_then(|c| c.to_str()),
            console::Term::stdout().size_checked().map(|(_, columns)| usize::from(columns)),
        ),
    };
    Outputs {
        format: out.format,
        verbose: out.verbose,
        output: out.output.clone(),
        plot: out.plot.clone(),
        crates_csv: out.crates_csv.clone(),
        job_summary: runner.env().non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from).filter(|_| job_summary),
        history: None,
        width,
        guard: Guard::new(workspace, work),
    }
}

/// Whether any of `scenarios` changes the touched file: every rebuild touches it (before its
/// first rebuild, its settling ones and its timed ones); the clean builds (`clean`, `check`,
/// `release`) change nothing, so they need no file whose time can be set (a read-only mount).
fn touches(scenarios: &[Scenario]) -> bool {
    scenarios.iter().any(|s| s.start() == vocab::Start::Rebuild)
}

/// Fails when the `edited` scenario (asked for by `--scenarios` or `--edit`) would append its
/// Rust item to a `--touch` file that is not Rust source (a data file the build reads through
/// `include_str!`): the build would not compile it as code, and the rebuild measured would not
/// be an edited rebuild.
fn check_editable(config: &RunOptions, touch: &Path) -> Result<()> {
    let edited = config.build.edit || config.build.scenarios.as_ref().is_some_and(|s| s.contains(&Scenario::Edited));
    if !edited || touch.extension().is_some_and(|e| e == "rs") {
        return Ok(());
    }
    Err(ExitError::usage(format!(
        "`--touch` file `{}` is not a Rust source file (`.rs`), and the `edited` scenario appends a Rust item to the file it touches; touch a `.rs` file, or leave out `edited` and `--edit`",
        touch.display()
    )))
}

/// The scenarios measured in `workspace`, in the order a round runs them: those asked for, else
/// the survey's top pains (see the README): a clean build, a rebuild after a small change, a
/// rebuild after an edit deep in the workspace (when a built library has a built dependent), and
/// the editor's `cargo check` loop; `--edit` adds `edited`.
pub(crate) fn scenarios(config: &RunOptions, workspace: &Workspace) -> Result<Vec<Scenario>> {
    if let Some(given) = &config.build.scenarios {
        if given.contains(&Scenario::Deep) && workspace.deep.is_none() {
            let quoted = |names: &[String]| names.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
            let passed_over = match workspace.deep_proc_macros.as_slice() {
                [] => String::new(),
                [one] => format!(
                    " (`{one}` is depended on, but it is a proc-macro, which exports nothing but its macros, so `deep` passes it over)"
                ),
                many => format!(
                    " ({} are depended on, but they are proc-macros, which export nothing but their macros, so `deep` passes them over)",
                    quoted(many)
                ),
            };
            return Err(ExitError::usage(format!(
                "the `deep` scenario edits a library of the workspace that another built package depends on, and none of {} does{passed_over}",
                quoted(&workspace.packages)
            )));
        }
        return Ok(given.clone());
    }
    let mut scenarios = vec![Scenario::Clean, Scenario::Touched, Scenario::CheckTouched];
    if config.build.edit {
        scenarios.push(Scenario::Edited);
    }
    if workspace.deep.is_some() {
        scenarios.push(Scenario::Deep);
    }
    scenarios.sort();
    Ok(scenarios)
}

/// `deep` cannot be measured for the reason `what`: asked for by name (`--scenarios`), that is a
/// usage error (`what`, then `explicit`); among the default scenarios it is left out with a note.
fn leave_out_deep(
    config: &RunOptions,
    progress: &Progress,
    scenarios: &mut Vec<Scenario>,
    what: &str,
    explicit: &str,
) -> Result<()> {
    if config.build.scenarios.is_some() {
        return Err(ExitError::usage(format!("{what}, {explicit}")));
    }
    progress.note(&format!("{what}, so the default scenarios leave out `deep`"));
    scenarios.retain(|s| *s != Scenario::Deep);
    Ok(())
}

/// When to stop adding rounds: fixed counts when any is given, else the stopping rule with the
/// precision and budget asked for.
pub(crate) fn stopping(config: &RunOptions, scenarios: &[Scenario]) -> Stopping {
    if config.rounds.clean_runs.is_some() || config.rounds.incremental_runs.is_some() {
        let clean = config.rounds.clean_runs.unwrap_or(3);
        let rebuilds = config.rounds.incremental_runs.unwrap_or(5);
        return Stopping::fixed_rounds(scenarios, clean, rebuilds);
    }
    let mut precision = Precision::DEFAULT;
    if let Some(target) = config.rounds.precision {
        precision = precision.with_target(target);
    }
    if let Some(budget) = config.rounds.budget {
        precision.budget = budget;
    }
    if config.checks.baseline_rev.is_some() {
        precision.gate_pct = config.checks.max_regression_pct;
    }
    if precision.gate_pct.is_some() {
        // A gate looks again every round; its rate of false alarms at the limit is measured for
        // 30 rounds (docs/gate.md), and 80 looks at the rebuilds' ±3 % raised it past 2.5 %.
        precision = precision.for_a_gate();
    }
    Stopping::Precision(precision)
}

/// The recipe of every build of `workspace`, with the `cargo_home` from preparation and the link
/// timer's directory.
pub(crate) fn recipe(
    runner: &dyn Runner,
    config: &RunOptions,
    workspace: &Workspace,
    cargo_home: &Path,
    link_dir: Option<&Path>,
) -> Recipe {
    Recipe {
        root: workspace.root.clone(),
        manifest_path: workspace.manifest_path.clone(),
        packages: if workspace.explicit_packages { workspace.packages.clone() } else { Vec::new() },
        profile: config.build.profile.clone(),
        link_dir: link_dir.map(Path::to_path_buf),
        jobs: config.build.jobs,
        cargo_home: cargo_home.to_path_buf(),
        timeout: config.build.timeout,
        lockfile_version: workspace.lockfile_version,
        env: runner.env().clone(),
        overrides: Default::default(),
    }
}

/// The workspace at `manifest_path` (else `--manifest-path`, else the current directory's),
/// read with the newest stable cargo of `inventory` when given, and timewarp's directories for it.
pub(crate) fn inspect(
    runner: &dyn Runner,
    at: &Where,
    manifest_path: Option<&Path>,
    inventory: Option<&Inventory>,
) -> Result<(Workspace, WorkDir)> {
    let manifest_path = manifest_path.or(at.manifest_path.as_deref()).map(Path::to_path_buf);
    let newest_stable = inventory.and_then(|i| i.toolchains.iter().rev().find(|t| t.is_stable()));
    let request = WorkspaceRequest::new(runner.env(), manifest_path, &at.packages, newest_stable);
    let workspace = workspace::inspect(runner, &request)?;
    let target_dir = at.target_dir.as_deref().unwrap_or(&workspace.target_dir);
    let work = WorkDir::new(&workspace.root, target_dir, runner.env(), runner.uid())?;
    Ok((workspace, work))
}

/// [`inspect`] for the commands that build nothing (`history`, `clean`, `merge`'s guard): they
/// need no compiler, so, as runs do, they read the workspace with the newest installed stable
/// cargo rather than rustup's default toolchain, which a machine may not have. The cargo that
/// started timewarp (`$CARGO`) needs no probe of the toolchains; nor does a machine without
/// rustup, where `cargo` on `PATH` reads it.
pub(crate) fn inspect_without_building(runner: &dyn Runner, at: &Where) -> Result<(Workspace, WorkDir)> {
    let inventory = match runner.env().non_empty("CARGO") {
        Some(_) => None,
        None => toolchain::discover(runner).ok(),
    };
    inspect(runner, at, None, inventory.as_ref())
}

/// `pid 123, started 2026-11-30T12:00:00Z: `cargo-timewarp timewarp --list``, the holder a
/// lock records (arguments that are not UTF-8 are shown lossily, never a panic).
fn holder(runner: &dyn Runner) -> String {
    let args: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    format!("pid {}, started {}: `{}`", std::process::id(), utc_timestamp(runner.now()), args.join(" "))
}

/// The run's handler of Ctrl-C and SIGTERM, which on a second interruption undoes what the
/// journal of `found` holds.
pub(crate) fn interrupt(runner: &dyn Runner, found: &Discovered) -> Result<Interrupt> {
    Interrupt::install(runner, found.journal.clone())
}

/// Takes the locks and the journal, after replaying what a killed run left. `--list` changes
/// nothing, so it goes on read-only beside a running measurement and never stops a build;
/// measuring and `clean` also lock the build directory (another workspace may share it through
/// `--target-dir`) and, holding it, stop the builds a killed run left running there.
pub(crate) fn start(
    runner: &dyn Runner,
    work: &WorkDir,
    manifest: &Path,
    action: Action,
    progress: &Progress,
) -> Result<(Vec<Held>, Journal)> {
    let read_only = action == Action::List;
    let holder = holder(runner);
    let workspace_lock = match work.lock_workspace(&holder)? {
        Locked::Acquired(lock) => lock,
        Locked::HeldBy(_) if read_only => return Ok((Vec::new(), Journal::default())),
        Locked::HeldBy(holder) => {
            return Err(anyhow!(
                "another cargo timewarp is measuring this workspace ({holder}); wait for it to finish, or stop it"
            ));
        }
    };
    let mut locks = vec![Held::Run { _lock: workspace_lock }];
    if !read_only {
        // A run with another cache directory has another state directory, so its lock is not
        // this one: the lock on the workspace's own manifest stops it too.
        match workdir::lock_tree(manifest) {
            Ok(lock) => locks.extend(lock.map(|lock| Held::Tree { _lock: lock })),
            Err(holder) => {
                return Err(anyhow!(
                    "another cargo timewarp is measuring the workspace of `{}` ({holder}), with another cache directory; wait for it to finish, or stop it",
                    manifest.display()
                ));
            }
        }
        match work.lock_builds(&holder)? {
            Locked::Acquired(lock) => locks.push(Held::Run { _lock: lock }),
            Locked::HeldBy(other) => {
                return Err(anyhow!(
                    "another cargo timewarp is using the build directory `{}` ({other}), which this workspace shares through its target directory; wait for it, or pass another `--target-dir`",
                    work.builds().display()
                ));
            }
        }
        let stopped = runner.stop_leftovers("CARGO_HOME", &work.cargo_home());
        if !stopped.is_empty() {
            let pids: Vec<String> = stopped.iter().map(u32::to_string).collect();
            progress.note(&format!(
                "stopped {} processes of a build that a killed run left running (pid {})",
                stopped.len(),
                pids.join(", ")
            ));
        }
    }
    let (journal, undone) = Journal::start(work)?;
    undone.iter().for_each(|n| progress.note(&format!("an interrupted earlier run was undone: {n}")));
    if !read_only {
        for record in [work.install_record(), work.nightly_install_record()] {
            crate::discover::install::replay(runner, progress, &record);
        }
    }
    Ok((locks, journal))
}

/// `--rev`: exports the revision outside the workspace, optionally making its lockfile
/// readable by old cargos.
fn export(
    runner: &dyn Runner,
    config: &RunOptions,
    user: &Workspace,
    work: &WorkDir,
    flag: &str,
    rev: &str,
    progress: &Progress,
) -> Result<revision::Checkout> {
    let checkout = revision::export(runner, &user.manifest_path, flag, rev, work, config.build.lockfile_compat)?;
    let short: String = checkout.commit.chars().take(12).collect();
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
    let Some(installed) = installed_for_install(inventory, progress) else {
        return Ok(inventory.clone());
    };
    let wanted = select::yearly_versions_to_install(&installed, workspace.msrv(), today(runner));
    if wanted.is_empty() {
        progress.note("--install: nothing to install; the yearly history back to the MSRV needs no other toolchain");
        return Ok(inventory.clone());
    }
    let versions: Vec<String> = wanted.iter().map(ToString::to_string).collect();
    let mut installer = Installer::new(Keep::Kept, None);
    installer.add(runner, progress, &versions, &|| false)?;
    installer.finish(runner, progress);
    toolchain::discover(runner)
}

/// What `--install` counts as installed ([`Inventory::installed_releases`]), after a warning
/// naming each probe that failed and why; `None`, with a warning, when a toolchain that did not
/// answer may be any stable release, so nothing can be said to be missing.
pub(crate) fn installed_for_install(inventory: &Inventory, progress: &Progress) -> Option<Vec<Toolchain>> {
    if let Some(failed) = inventory.failed_probes() {
        progress.warning(&format!("--install: {failed}; a toolchain whose probe failed is still installed"));
    }
    match inventory.installed_releases() {
        Ok(installed) => Some(installed),
        Err(unknown) => {
            let names: Vec<&str> = unknown.iter().map(|b| b.name.as_str()).collect();
            progress.warning(&format!(
                "--install installs nothing: which releases {} are cannot be told while their probes fail, so what is missing is not known; repair or remove them (`rustup toolchain uninstall {}`) and run again",
                names.join(", "),
                names.join(" ")
            ));
            None
        }
    }
}

/// The history file a run records itself in and `history` reads: `--history FILE`, else the
/// one in timewarp's state directory.
pub(crate) fn history_file(config: &RunOptions, work: &WorkDir) -> PathBuf {
    config.history.clone().unwrap_or_else(|| work.history_file())
}

/// Keeps the report before any user output is written, so a failed write loses nothing: as
/// JSON in timewarp's directory and, for a complete run, in the history (`--history FILE` when
/// `outputs` names one, judged by its guard). Best effort: a full disk or a directory in the
/// way is a warning, never the end of a long run's outputs. Returns where the JSON is, when it
/// could be saved.
pub(crate) fn keep(
    runner: &dyn Runner,
    found: &Discovered,
    report: &Report,
    partial: bool,
    progress: &Progress,
) -> Option<PathBuf> {
    let work = &found.work;
    let saved = work.last_report();
    let json = serde_json::to_string_pretty(report).expect("a report always serialises");
    let saved = match work.write_atomic(&saved, json) {
        Ok(()) => Some(saved),
        Err(e) => {
            progress.warning(&format!("{e:#}; the report goes to the outputs asked for, but timewarp keeps no copy"));
            None
        }
    };
    let record = || {
        let file = found.outputs.history_file(work.history_file())?;
        history::record(runner, &file, &found.user_workspace.root, report)
    };
    if !partial && let Err(e) = record() {
        progress.warning(&format!("{e:#}; this run is not in the history"));
    }
    saved
}
