//! The stages the pipeline in `lib.rs` runs, each a function from the configuration and the
//! previous stage's result to its own: [`discover`] (toolchains, workspace, locks and journal,
//! selection), [`measure`] (the up-front checks, preparation, the engine) and [`keep`] (the
//! report saved before any output is written). They print the progress notes between steps, and
//! turn the command line's [`Config`] into each step's input; how each step works is in its
//! module. Everything outside the process goes through the [`Runner`], so unit tests drive the
//! stages with `testing::FakeRunner`.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use crate::cli::{Action, Config};
use crate::discover::release::{Date, utc_timestamp};
use crate::discover::select::{Criteria, Policy};
use crate::discover::toolchain::{self, HOST, Inventory, Toolchain};
use crate::discover::workspace::{self, Workspace, WorkspaceRequest};
use crate::discover::{environment, select};
use crate::exit::ExitError;
use crate::measure::arm::Overrides;
use crate::measure::build::{self, Recipe};
use crate::measure::engine::{
    self, DeepEdit, Paths, Plan, Precision, ScenarioFloor, Stopping, Subject, Variant, Verification,
};
use crate::measure::interrupt::Interrupt;
use crate::measure::journal::{self, Journal};
use crate::measure::workdir::{self, Held, Locked, WorkDir};
use crate::measure::{linker, prepare, revision, tree::TreeState};
use crate::process::{CommandSpec, Runner};
use crate::report::baseline::{Baseline, Gate};
use crate::report::guard::Guard;
use crate::report::history;
use crate::report::model::Report;
use crate::report::output::{FILE_WIDTH, Outputs, terminal_width};
use crate::report::progress::Progress;
use crate::vocab::{self, Scenario};

/// What discovery found: the toolchains, the user's workspace and the one measured (a `--rev`
/// copy's, with `--rev`), timewarp's directories, locks and journal, and the selection.
pub(crate) struct Discovered {
    pub inventory: Inventory,
    pub user_workspace: Workspace,
    pub workspace: Workspace,
    pub work: WorkDir,
    pub outputs: Outputs,
    _locks: Vec<Held>,
    journal: Journal,
    pub checkout: Option<revision::Checkout>,
    pub planned: select::Planned,
    /// The `--baseline` report, read before anything else happened.
    pub baseline: Option<Baseline>,
    /// `--baseline-rev`: the revision's copy and its workspace.
    pub baseline_tree: Option<(revision::Checkout, Workspace)>,
}

/// Today, by the runner's clock.
fn today(runner: &dyn Runner) -> Date {
    Date::of(runner.now())
}

pub(crate) fn discover(runner: &dyn Runner, config: &Config, progress: &Progress) -> Result<Discovered> {
    if let Some(dir) = config.target_dir.as_ref().filter(|d| d.to_str().is_none() && config.action == Action::Measure) {
        return Err(ExitError::usage(format!(
            "`--target-dir {}` is not valid UTF-8, and cargo takes only UTF-8 paths; name another directory",
            dir.display()
        )));
    }
    let inventory = toolchain::discover(runner)?;
    let (user_workspace, work) = inspect(runner, config, None, Some(&inventory))?;
    let outputs = outputs(runner, config, &user_workspace, &work);
    outputs.check()?;
    // Bad input fails here, before a lock, a directory or a build.
    if let Some(given) = config.touch.as_deref() {
        workspace::resolve_touch_file(Some(given), &user_workspace, &user_workspace)?;
        check_editable(config, given)?;
    }
    let gate = gate(config);
    let baseline = config.baseline.as_deref().map(|path| Baseline::read(path, gate)).transpose()?;
    let (locks, journal) = start(runner, &work, &user_workspace.root.join("Cargo.toml"), config.action, progress)?;
    let checkout =
        config.rev.as_deref().map(|rev| export(runner, config, &user_workspace, &work, "--rev", rev, progress));
    let checkout = checkout.transpose()?;
    let workspace = match &checkout {
        Some(copy) => inspect(runner, config, Some(&copy.manifest_path), Some(&inventory))?.0,
        None => user_workspace.clone(),
    };
    let baseline_tree = match config.baseline_rev.as_deref().filter(|_| config.action == Action::Measure) {
        Some(rev) => {
            let copy = export(runner, config, &user_workspace, &work, "--baseline-rev", rev, progress)?;
            let base = inspect(runner, config, Some(&copy.manifest_path), Some(&inventory))?.0;
            Some((copy, base))
        }
        None => None,
    };
    let inventory = if config.install { install(runner, progress, &inventory, &workspace)? } else { inventory };
    let planned = plan(runner, config, &workspace, &inventory)?;
    let file_notes = toolchain::file_notes(workspace.toolchain_file.as_deref(), &inventory);
    // The plan's notes are a history's (toolchains worth installing for one); a bisection names
    // the releases its span lacks itself.
    let plan_notes = if config.action == Action::Bisect { &[][..] } else { &planned.notes[..] };
    workspace.notes.iter().chain(plan_notes).chain(&file_notes).for_each(|n| progress.note(n));
    if config.action == Action::Measure && planned.selection.chosen.is_empty() {
        return Err(select::nothing_eligible(
            &inventory.toolchains,
            workspace.msrv(),
            &criteria(config),
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
fn plan(runner: &dyn Runner, config: &Config, workspace: &Workspace, inventory: &Inventory) -> Result<select::Planned> {
    let (floors, declared) = (&workspace.msrv_floors, workspace.declared_rust_version.as_ref());
    let present = inventory.installed_releases().ok();
    let criteria = criteria(config);
    select::plan(
        &inventory.toolchains,
        present.as_deref(),
        floors,
        declared,
        &criteria,
        config.verify_msrv,
        today(runner),
    )
}

/// Looks at the installed toolchains again (`bisect --install` added some) and plans anew.
pub(crate) fn replan(runner: &dyn Runner, config: &Config, found: &mut Discovered) -> Result<()> {
    found.inventory = toolchain::discover(runner)?;
    found.planned = plan(runner, config, &found.workspace, &found.inventory)?;
    Ok(())
}

/// The CPU model, from `model name` in `/proc/cpuinfo`: reports of two models are not compared.
pub(crate) fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string()).filter(|m| !m.is_empty())
}

/// Where `merge` writes: judged by the guard of the workspace the current directory is in, as a
/// run's outputs are; outside any workspace (`cargo metadata` finds none), by names alone.
pub(crate) fn merge_outputs(runner: &dyn Runner, config: &Config) -> Outputs {
    let guard = match config.output.as_ref().map(|_| inspect_without_building(runner, config)) {
        Some(Ok((workspace, work))) => Guard::new(&workspace, &work),
        _ => Guard::outside_workspace(),
    };
    let width = match &config.output {
        Some(_) => Some(FILE_WIDTH),
        None => terminal_width(
            runner.env().var("COLUMNS").and_then(|c| c.to_str()),
            console::Term::stdout().size_checked().map(|(_, columns)| usize::from(columns)),
        ),
    };
    Outputs {
        format: config.format,
        verbose: config.verbose,
        output: config.output.clone(),
        plot: None,
        crates_csv: None,
        job_summary: None,
        width,
        guard,
    }
}

/// What the gate allows, from the command line.
pub(crate) fn gate(config: &Config) -> Gate {
    Gate { max_regression_pct: config.max_regression_pct }
}

/// What selection needs from the command line.
pub(crate) fn criteria(config: &Config) -> Criteria {
    let policy = if !config.toolchains.is_empty() {
        Policy::Named(config.toolchains.clone())
    } else if config.all {
        Policy::All
    } else {
        Policy::Yearly
    };
    Criteria { policy, since: config.since.clone(), until: config.until.clone() }
}

/// Where the documents go, with the guard of the user's workspace.
pub(crate) fn outputs(runner: &dyn Runner, config: &Config, workspace: &Workspace, work: &WorkDir) -> Outputs {
    let width = match &config.output {
        Some(_) => Some(FILE_WIDTH),
        None => terminal_width(
            runner.env().var("COLUMNS").and_then(|c| c.to_str()),
            console::Term::stdout().size_checked().map(|(_, columns)| usize::from(columns)),
        ),
    };
    let job_summary = runner.env().non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from);
    Outputs {
        format: config.format,
        verbose: config.verbose,
        output: config.output.clone(),
        plot: config.plot.clone(),
        crates_csv: config.crates_csv.clone(),
        job_summary: job_summary.filter(|_| config.action == Action::Measure),
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
fn check_editable(config: &Config, touch: &Path) -> Result<()> {
    let edited = config.edit || config.scenarios.as_ref().is_some_and(|s| s.contains(&Scenario::Edited));
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
pub(crate) fn scenarios(config: &Config, workspace: &Workspace) -> Result<Vec<Scenario>> {
    if let Some(given) = &config.scenarios {
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
    if config.edit {
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
    config: &Config,
    progress: &Progress,
    scenarios: &mut Vec<Scenario>,
    what: &str,
    explicit: &str,
) -> Result<()> {
    if config.scenarios.is_some() {
        return Err(ExitError::usage(format!("{what}, {explicit}")));
    }
    progress.note(&format!("{what}, so the default scenarios leave out `deep`"));
    scenarios.retain(|s| *s != Scenario::Deep);
    Ok(())
}

/// When to stop adding rounds: fixed counts when any is given, else the stopping rule with the
/// precision and budget asked for.
pub(crate) fn stopping(config: &Config, scenarios: &[Scenario]) -> Stopping {
    if config.clean_runs.is_some() || config.incremental_runs.is_some() {
        let clean = config.clean_runs.unwrap_or(3);
        let rebuilds = config.incremental_runs.unwrap_or(5);
        return Stopping::fixed_rounds(scenarios, clean, rebuilds);
    }
    let mut precision = Precision::DEFAULT;
    if let Some(target) = config.precision {
        precision.target = target;
    }
    if let Some(budget) = config.budget {
        precision.budget = budget;
    }
    if config.baseline_rev.is_some() {
        precision.gate_pct = config.max_regression_pct;
    }
    Stopping::Precision(precision)
}

/// The recipe of every build of `workspace`, with the `cargo_home` from preparation and the link
/// timer's directory.
pub(crate) fn recipe(
    runner: &dyn Runner,
    config: &Config,
    workspace: &Workspace,
    cargo_home: &Path,
    link_dir: Option<&Path>,
) -> Recipe {
    Recipe {
        root: workspace.root.clone(),
        manifest_path: workspace.manifest_path.clone(),
        packages: if workspace.explicit_packages { workspace.packages.clone() } else { Vec::new() },
        profile: config.profile.clone(),
        link_dir: link_dir.map(Path::to_path_buf),
        jobs: config.jobs,
        cargo_home: cargo_home.to_path_buf(),
        timeout: config.timeout,
        lockfile_version: workspace.lockfile_version,
        env: runner.env().clone(),
        overrides: Default::default(),
    }
}

/// What the measuring stage did, and what the report needs to say about it.
pub(crate) struct Measurement {
    pub plan: Plan,
    /// Why link time is not measured, when it is not.
    pub link_note: Option<String>,
    pub touched: PathBuf,
    pub removed_env: Vec<String>,
    pub settings: Vec<environment::Setting>,
    pub vendor_dir: Option<PathBuf>,
    pub changed_by_builds: Vec<PathBuf>,
    pub outcome: engine::Outcome,
    pub interrupted: bool,
    /// What the journal left alone because the user changed it during the run.
    pub kept_changes: Vec<String>,
}

/// Checks what can fail on bad input (now, not after an hour of builds), prepares, and runs
/// the measurement engine with progress over the selected toolchains.
pub(crate) fn measure(
    runner: &dyn Runner,
    config: &Config,
    progress: &Progress,
    found: &Discovered,
) -> Result<Measurement> {
    let handler = interrupt(runner, found)?;
    measure_these(runner, config, progress, found, &found.planned.selection.chosen, &handler)
}

/// [`measure`] of the toolchains `chosen`, with the run's `interrupt` (installed once per
/// process: `bisect` measures several times).
pub(crate) fn measure_these(
    runner: &dyn Runner,
    config: &Config,
    progress: &Progress,
    found: &Discovered,
    chosen: &[crate::discover::toolchain::Toolchain],
    interrupt: &Interrupt,
) -> Result<Measurement> {
    measure_arms(runner, config, progress, found, chosen, interrupt, &[])
}

/// The user's build settings for `workspace` that reach a build of the run's profile on this
/// host (see `environment::for_build`).
pub(crate) fn build_settings(runner: &dyn Runner, config: &Config, workspace: &Workspace) -> Vec<environment::Setting> {
    let env = runner.env();
    environment::for_build(
        environment::build_settings(
            env.vars().map(|(k, v)| (k.to_os_string(), v.to_os_string())),
            &workspace.root,
            env.cargo_home().as_deref(),
            &workspace.manifest_path,
        ),
        HOST,
        config.profile.name(),
        config.jobs.is_some(),
    )
}

/// [`measure_these`], with `try`'s `arms` besides today's build: each builds the same tree with
/// its overrides as a variant of its own, in the same rounds, its target directories tagged
/// `arm-NAME` with the name given.
pub(crate) fn measure_arms(
    runner: &dyn Runner,
    config: &Config,
    progress: &Progress,
    found: &Discovered,
    chosen: &[crate::discover::toolchain::Toolchain],
    interrupt: &Interrupt,
    arms: &[(String, Overrides)],
) -> Result<Measurement> {
    let (workspace, work) = (&found.workspace, &found.work);
    let touched = workspace::resolve_touch_file(config.touch.as_deref(), &found.user_workspace, workspace)?;
    // Resolve before judging: a touch or an edit lands where a link in the tree leads.
    let touched_real = workspace::real_file_inside(&touched, &workspace.root)
        .map_err(|why| ExitError::usage(format!("the file to touch {why}; name one inside it with `--touch PATH`")))?;
    let mut scenarios = scenarios(config, workspace)?;
    if touches(&scenarios) {
        workspace::check_touchable(&touched_real)?;
    }
    let deep_real = match workspace.deep.as_ref().filter(|_| scenarios.contains(&Scenario::Deep)) {
        Some(d) => match workspace::real_file_inside(&d.file, &workspace.root) {
            Ok(real) if real != touched_real => Some(real),
            Ok(_) => {
                let both = format!("`{}` is both the touched file and the deep library's root", touched.display());
                let explicit =
                    "which the `deep` scenario edits; touch another file with `--touch`, or leave out `deep`";
                leave_out_deep(config, progress, &mut scenarios, &both, explicit)?;
                None
            }
            Err(why) => {
                let what = format!("the deep library's root {why}");
                let explicit = "and timewarp edits only files of the workspace; leave out `deep`";
                leave_out_deep(config, progress, &mut scenarios, &what, explicit)?;
                None
            }
        },
        None => None,
    };
    let deep = workspace.deep.as_ref().filter(|_| deep_real.is_some());
    if let Some(file) = &deep_real {
        workspace::check_touchable(file)?;
    }
    // A killed run's edit whose journal this run cannot find (the checkout was renamed) is
    // found by timewarp's own item: restored from its backup, or the run stops. The deep root
    // is looked at whether `deep` runs or not: its edit would change every build.
    let deep_root = workspace.deep.as_ref().and_then(|d| workspace::real_file_inside(&d.file, &workspace.root).ok());
    for file in std::iter::once(&touched_real).chain(deep_root.as_ref().filter(|d| **d != touched_real)) {
        if let Some(note) = journal::leftover_edit(file, work)? {
            progress.note(&note);
        }
    }
    if let Some(note) = journal::leftover_created(&workspace.root.join("Cargo.lock"), work)? {
        progress.note(&note);
    }
    // The baseline revision's files, as given and where their links lead, checked before any
    // preparation.
    let base_files = match &found.baseline_tree {
        Some((_, base)) => {
            let touched = workspace::resolve_touch_file(config.touch.as_deref(), &found.user_workspace, base)?;
            let real = workspace::real_file_inside(&touched, &base.root).map_err(|why| {
                ExitError::usage(format!(
                    "in the baseline revision, the file to touch {why}; name one with `--touch PATH`"
                ))
            })?;
            let deep = match base.deep.as_ref().filter(|_| scenarios.contains(&Scenario::Deep)) {
                Some(d) => match workspace::real_file_inside(&d.file, &base.root) {
                    Ok(deep_real) if deep_real != real => Some((d, deep_real)),
                    Ok(_) => None,
                    Err(why) => {
                        progress.note(&format!("in the baseline revision, the deep library's root {why}, so its deep rebuilds are not measured"));
                        None
                    }
                },
                None => None,
            };
            Some((touched, real, deep))
        }
        None => None,
    };
    work.create_builds()?;
    let removed_env = build::distorting_vars_present(runner.env().vars());
    let settings = build_settings(runner, config, workspace);

    let excluded = [workspace.target_dir.clone(), work.builds().to_path_buf()];
    let tree_before = TreeState::capture(&workspace.root, &excluded);
    let mut trees = vec![prepare::Tree { root: workspace.root.clone(), manifest: workspace.manifest_path.clone() }];
    if let Some((_, base)) = &found.baseline_tree {
        trees.push(prepare::Tree { root: base.root.clone(), manifest: base.manifest_path.clone() });
    }
    // The newest installed stable cargo vendors (and generates a missing lockfile from the
    // registry) even when only older ones are measured: an old cargo reads the registry through
    // its git index, which today's sparse-only networks do not reach.
    let mut preparers = chosen.to_vec();
    let newest_stable = found.inventory.toolchains.iter().rev().find(|t| t.is_stable());
    if let Some(newest) = newest_stable.filter(|n| chosen.last().is_none_or(|c| n.version > c.version)) {
        preparers.push(newest.clone());
    }
    let prepared = prepare::prepare(runner, &trees, &preparers, work, &found.journal)?;
    if let Some(dir) = &prepared.vendor_dir {
        progress.status("Vendored", &format!("dependency sources into {} for every toolchain", dir.display()));
    }
    let (verify, note) = Verification::new(workspace, &touched);
    note.iter().for_each(|n| progress.note(n));
    if !removed_env.is_empty() {
        progress.note(&format!("removed from the builds' environment: {}", removed_env.join(", ")));
    }
    let crates = config.crates.is_some().then(std::env::current_exe).transpose()?;
    let (link_dir, link_note) = match config.no_link_time {
        true => (None, None),
        false => link_timer(work, &settings, runner.env().var("PATH").unwrap_or_default())?,
    };
    let link_dir = link_dir.as_deref();
    let recipe_of = |w: &Workspace| recipe(runner, config, w, &prepared.cargo_home, link_dir);
    let mut variants = vec![Variant {
        tag: None,
        recipe: recipe_of(workspace),
        verify,
        deep: deep.map(|d| DeepEdit::new(workspace, d)),
    }];
    let mut paths = vec![Paths { touched: touched_real, deep: deep_real }];
    if let (Some((checkout, base)), Some((base_touched, base_real, base_deep))) = (&found.baseline_tree, base_files) {
        let short: String = checkout.commit.chars().take(12).collect();
        let verify = Verification::new(base, &base_touched).0;
        let deep = base_deep.as_ref().map(|(d, _)| DeepEdit::new(base, d));
        variants.push(Variant { tag: Some(format!("base-{short}")), recipe: recipe_of(base), verify, deep });
        paths.push(Paths { touched: base_real, deep: base_deep.map(|(_, real)| real) });
    }
    for (name, overrides) in arms {
        let mut arm = variants[0].clone();
        (arm.tag, arm.recipe.overrides) = (Some(format!("arm-{name}")), overrides.clone());
        variants.push(arm);
        paths.push(paths[0].clone());
    }
    let stopping = stopping(config, &scenarios);
    let floors = scenario_floors(workspace, &scenarios);
    let plan = Plan { variants, scenarios, stopping, crates, floors };
    let last = history::last_like(&work.history_file(), &found.user_workspace.root, chosen.len(), &plan.scenarios);
    progress.status("Planning", &planning(&plan, chosen.len(), last));
    progress.status("Changing", &changing(&plan));
    link_note.iter().for_each(|n| progress.note(n));
    let subjects: Vec<Subject<'_>> = (0..plan.variants.len())
        .flat_map(|variant| chosen.iter().map(move |toolchain| Subject { toolchain, variant }))
        .collect();
    let (fixed, budget) = match &plan.stopping {
        Stopping::Fixed(counts) => (counts.values().max().copied(), None),
        Stopping::Precision(p) => (Some(p.max_rounds), Some(p.budget)),
    };
    let mut tracker = progress.builds(fixed, budget);
    let stop = || interrupt.requested();
    let outcome =
        engine::measure_changing(runner, &plan, &subjects, work, &found.journal, &paths, &mut tracker, &stop)?;
    tracker.done();
    let vendor_dir = prepared.vendor_dir.clone();
    prepared.finish()?;
    let kept = found.journal.take_notes();
    // A file the journal left alone changed during the run (the user's edit, or a build's, which
    // its note names); it is not blamed on a build script a second time.
    // Nor is the original timewarp put beside a kept file (`main.rs.orig`), which the note names.
    let kept_paths: Vec<PathBuf> = kept
        .iter()
        .flat_map(|k| std::iter::once(&k.path).chain(&k.original))
        .map(|p| p.strip_prefix(&workspace.root).unwrap_or(p).to_path_buf())
        .collect();
    let mut changed_by_builds = TreeState::capture(&workspace.root, &excluded).changed_since(&tree_before);
    changed_by_builds.retain(|p| !kept_paths.contains(p));
    let interrupted = interrupt.requested();
    Ok(Measurement {
        plan,
        link_note,
        touched,
        removed_env,
        settings,
        vendor_dir,
        changed_by_builds,
        outcome,
        interrupted,
        kept_changes: kept.into_iter().map(|k| k.note).collect(),
    })
}

/// The link timer's directory, with timewarp's binary standing in for the programs rustc links
/// with that the builds' `path` holds; `None`, with the reason, when a setting names the linker
/// by path, which no program on `PATH` can stand in for, or when `path` holds none of them.
fn link_timer(
    work: &WorkDir,
    settings: &[environment::Setting],
    path: &std::ffi::OsStr,
) -> Result<(Option<PathBuf>, Option<String>)> {
    let configured = environment::linker_program(settings, HOST);
    let Some(programs) = linker::programs(configured.as_deref(), path) else {
        let note = format!(
            "link time is not taken apart: the build settings name the linker by its path (`{}`), which timewarp cannot time without changing it",
            configured.unwrap_or_default()
        );
        return Ok((None, Some(note)));
    };
    if programs.is_empty() {
        let linker = configured.as_deref().unwrap_or(linker::DEFAULT_LINKER);
        let note = format!("link time is not taken apart: the linker `{linker}` is not on PATH");
        return Ok((None, Some(note)));
    }
    let exe = std::env::current_exe()?;
    Ok((Some(work.create_link_dir(&exe, &programs)?), None))
}

/// The floors of single scenarios: `test` builds the dev-dependencies, whose floors above the
/// workspace's MSRV apply to it alone.
fn scenario_floors(
    workspace: &Workspace,
    scenarios: &[Scenario],
) -> std::collections::BTreeMap<Scenario, ScenarioFloor> {
    let msrv = workspace.msrv().map(|f| f.version.clone());
    let test = workspace.test_floors.first().filter(|f| msrv.as_ref().is_none_or(|m| f.version > *m));
    test.filter(|_| scenarios.contains(&Scenario::Test))
        .map(|f| (Scenario::Test, ScenarioFloor { version: f.version.clone(), reason: f.to_string() }))
        .into_iter()
        .collect()
}

/// The plan before the first build: toolchains × scenarios, the rounds and budget, and how long
/// it will take where this workspace's history knows (`last`: the seconds and rounds of its last
/// run of the same toolchains and scenarios), else that the first round will tell.
fn planning(plan: &Plan, toolchains: usize, last: Option<(f64, usize)>) -> String {
    let names: Vec<String> = plan.scenarios.iter().map(|s| s.to_string()).collect();
    // `try`'s arms are tagged `arm-`; `--baseline-rev`'s second tree is not.
    let arms = plan.variants.iter().filter(|v| v.tag.as_deref().is_some_and(|t| t.starts_with("arm-"))).count();
    let variants = match (plan.variants.len(), arms) {
        (1, _) => String::new(),
        (_, 0) => " × 2 trees".into(),
        (n, _) => format!(" × {n} builds (today's and {arms} arm{})", if arms == 1 { "" } else { "s" }),
    };
    let rounds = match &plan.stopping {
        Stopping::Fixed(counts) => {
            let most = counts.values().max().copied().unwrap_or(0);
            format!("{most} round{}", if most == 1 { "" } else { "s" })
        }
        Stopping::Precision(p) => format!(
            "{} to {} rounds until every speedup is within ±{:.0}%, within {}",
            p.min_rounds,
            p.max_rounds,
            p.target * 100.0,
            crate::report::progress::clock(p.budget)
        ),
    };
    let estimate = match last {
        Some((seconds, n)) => format!(
            "; the last such run here took {} ({n} round{})",
            crate::report::progress::clock(std::time::Duration::from_secs_f64(seconds)),
            if n == 1 { "" } else { "s" }
        ),
        None => "; the first round tells how long a round takes".into(),
    };
    format!(
        "{toolchains} toolchain{} × {} scenario{} ({}){variants}, {rounds}{estimate}",
        if toolchains == 1 { "" } else { "s" },
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

/// What the rebuilds change, for the progress line: `src/main.rs before each rebuild; a public
/// item in core/src/lib.rs (`core`, 2 dependents) before each deep rebuild`.
fn changing(plan: &Plan) -> String {
    let rebuilds = plan.scenarios.iter().any(|s| s.start() == vocab::Start::Rebuild && *s != Scenario::Deep);
    let variant = &plan.variants[0];
    let mut parts = Vec::new();
    if rebuilds {
        parts.push(format!("{} before each rebuild", variant.verify.file));
    }
    if let Some(deep) = &variant.deep {
        let n = deep.dependents.len();
        parts.push(format!(
            "a public item in {} (`{}`, {n} dependent{}) before each deep rebuild",
            deep.file,
            deep.package,
            if n == 1 { "" } else { "s" }
        ));
    }
    if parts.is_empty() { "nothing: every scenario is a clean build".into() } else { parts.join("; ") }
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
    let request = WorkspaceRequest::new(runner.env(), manifest_path, &config.packages, newest_stable);
    let workspace = workspace::inspect(runner, &request)?;
    let target_dir = config.target_dir.as_deref().unwrap_or(&workspace.target_dir);
    let work = WorkDir::new(&workspace.root, target_dir, runner.env(), runner.uid())?;
    Ok((workspace, work))
}

/// [`inspect`] for the commands that build nothing (`history`, `clean`, `merge`'s guard): they
/// need no compiler, so, as runs do, they read the workspace with the newest installed stable
/// cargo rather than rustup's default toolchain, which a machine may not have. The cargo that
/// started timewarp (`$CARGO`) needs no probe of the toolchains; nor does a machine without
/// rustup, where `cargo` on `PATH` reads it.
pub(crate) fn inspect_without_building(runner: &dyn Runner, config: &Config) -> Result<(Workspace, WorkDir)> {
    let inventory = match runner.env().non_empty("CARGO") {
        Some(_) => None,
        None => toolchain::discover(runner).ok(),
    };
    inspect(runner, config, None, inventory.as_ref())
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
    config: &Config,
    user: &Workspace,
    work: &WorkDir,
    flag: &str,
    rev: &str,
    progress: &Progress,
) -> Result<revision::Checkout> {
    let checkout = revision::export(runner, &user.manifest_path, flag, rev, work, config.lockfile_compat)?;
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
    let versions = wanted.iter().map(ToString::to_string);
    let rustup = toolchain::rustup_proxy(runner.env(), "rustup");
    let cmd = CommandSpec::new(rustup).args(["toolchain", "install"]).args(versions).args(["--profile", "minimal"]);
    progress.status("Installing", &format!("`{cmd}`"));
    runner.run(&cmd)?.ok_or_error(&cmd)?;
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

/// Keeps the report before any user output is written, so a failed write loses nothing: as
/// JSON in timewarp's directory and, for a complete run, in the history. Best effort: a full
/// disk or a directory in the way is a warning, never the end of a long run's outputs. Returns
/// where the JSON is, when it could be saved.
pub(crate) fn keep(
    runner: &dyn Runner,
    work: &WorkDir,
    user: &Workspace,
    report: &Report,
    partial: bool,
    progress: &Progress,
) -> Option<PathBuf> {
    let saved = work.last_report();
    let json = serde_json::to_string_pretty(report).expect("a report always serialises");
    let saved = match work.write_atomic(&saved, json) {
        Ok(()) => Some(saved),
        Err(e) => {
            progress.warning(&format!("{e:#}; the report goes to the outputs asked for, but timewarp keeps no copy"));
            None
        }
    };
    if !partial && let Err(e) = history::record(runner, &work.history_file(), &user.root, report) {
        progress.warning(&format!("{e:#}; this run is not in the history"));
    }
    saved
}
