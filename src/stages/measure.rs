//! The measuring stage: the files each tree's rebuilds change, resolved and checked before any
//! build; the build settings; preparation; the plan; the engine's run with the progress display;
//! and what the builds changed in the tree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Discovered, interrupt, leave_out_deep, recipe, scenarios, stopping, touches};
use crate::cli::RunOptions;
use crate::discover::environment;
use crate::discover::toolchain::HOST;
use crate::discover::workspace::{self, DeepTarget, Workspace};
use crate::exit::ExitError;
use crate::measure::arm::ArmBuild;
use crate::measure::build;
use crate::measure::engine::{
    self, DeepEdit, Engine, Paths, Plan, ScenarioFloor, Stopping, Subject, Variant, Verification,
};
use crate::measure::interrupt::Interrupt;
use crate::measure::journal::{self, KeptChange};
use crate::measure::workdir::WorkDir;
use crate::measure::{linker, prepare, tree::TreeState};
use crate::process::Runner;
use crate::report::history;
use crate::report::progress::Progress;
use crate::vocab::{self, Scenario};

/// What the measuring stage did, and what the report needs to say about it.
pub(crate) struct MeasuredRun {
    pub(crate) plan: Plan,
    /// Why link time is not measured, when it is not.
    pub(crate) link_note: Option<String>,
    pub(crate) touched: PathBuf,
    pub(crate) removed_env: Vec<String>,
    pub(crate) settings: Vec<environment::Setting>,
    pub(crate) vendor_dir: Option<PathBuf>,
    pub(crate) changed_by_builds: Vec<PathBuf>,
    pub(crate) outcome: engine::Outcome,
    pub(crate) interrupted: bool,
    /// What the journal left alone because the user changed it during the run.
    pub(crate) kept_changes: Vec<String>,
}

/// Checks what can fail on bad input (now, not after an hour of builds), prepares, and runs
/// the measurement engine with progress over the selected toolchains.
pub(crate) fn measure(
    runner: &dyn Runner,
    config: &RunOptions,
    progress: &Progress,
    found: &Discovered,
) -> Result<MeasuredRun> {
    let handler = interrupt(runner, found)?;
    measure_these(runner, config, progress, found, &found.planned.selection.chosen, &handler)
}

/// [`measure`] of the toolchains `chosen`, with the run's `interrupt` (installed once per
/// process: `bisect` measures several times).
pub(crate) fn measure_these(
    runner: &dyn Runner,
    config: &RunOptions,
    progress: &Progress,
    found: &Discovered,
    chosen: &[crate::discover::toolchain::Toolchain],
    interrupt: &Interrupt,
) -> Result<MeasuredRun> {
    measure_arms(runner, config, progress, found, chosen, interrupt, &[])
}

/// [`measure_these`], with `try`'s `arms` besides today's build: each builds the same tree with
/// its overrides as a variant of its own, in the same rounds, its target directories tagged
/// `arm-NAME` with the name given.
pub(crate) fn measure_arms(
    runner: &dyn Runner,
    config: &RunOptions,
    progress: &Progress,
    found: &Discovered,
    chosen: &[crate::discover::toolchain::Toolchain],
    interrupt: &Interrupt,
    arms: &[ArmBuild],
) -> Result<MeasuredRun> {
    let (workspace, work) = (&found.workspace, &found.work);
    let mut scenarios = scenarios(config, workspace)?;
    let measured = changed_files(TreeRole::Measured, workspace, config, progress, found, &mut scenarios)?;
    leftover_edits(found, &measured.real, progress)?;
    // The baseline revision's files, as given and where their links lead, checked before any
    // preparation.
    let base = found.baseline_tree.as_ref().map(|(checkout, base)| {
        changed_files(TreeRole::BaselineRevision, base, config, progress, found, &mut scenarios)
            .map(|files| (checkout, base, files))
    });
    let base = base.transpose()?;
    work.create_builds()?;
    let (removed_env, settings) = build_settings(runner, config, workspace);
    let excluded = [workspace.target_dir.clone(), work.builds().to_path_buf()];
    let tree_before = TreeState::capture(&workspace.root, &excluded);
    let prepared = prepare_trees(runner, found, chosen, progress)?;
    let (verify, note) = Verification::new(workspace, &measured.touched);
    note.iter().for_each(|n| progress.note(n));
    if !removed_env.is_empty() {
        progress.note(&format!("removed from the builds' environment: {}", removed_env.join(", ")));
    }
    let crates = config.build.crates.is_some().then(|| runner.own_executable()).transpose()?;
    let (link_dir, link_note) = match config.build.no_link_time {
        true => (None, None),
        false => link_timer(runner, work, &settings)?,
    };
    let link_dir = link_dir.as_deref();
    let recipe_of = |w: &Workspace| recipe(runner, config, w, &prepared.cargo_home, link_dir);
    let mut variants = vec![Variant {
        tag: None,
        recipe: recipe_of(workspace),
        verify,
        deep: measured.deep.as_ref().map(|(d, _)| DeepEdit::new(workspace, d)),
        skip: BTreeMap::new(),
    }];
    let touched = measured.touched.clone();
    let mut paths = vec![measured.paths()];
    if let Some((checkout, base, files)) = base {
        let short: String = checkout.commit.chars().take(12).collect();
        let verify = Verification::new(base, &files.touched).0;
        let deep = files.deep.as_ref().map(|(d, _)| DeepEdit::new(base, d));
        let tag = Some(format!("base-{short}"));
        variants.push(Variant { tag, recipe: recipe_of(base), verify, deep, skip: BTreeMap::new() });
        paths.push(files.paths());
    }
    add_arms(&mut variants, &mut paths, arms);
    let stopping = stopping(config, &scenarios);
    let floors = scenario_floors(workspace, &scenarios);
    let plan = Plan { variants, scenarios, stopping, crates, floors };
    announce(config, progress, found, chosen.len(), &plan);
    link_note.iter().for_each(|n| progress.note(n));
    let outcome = run_engine(runner, progress, found, chosen, interrupt, &plan, &paths)?;
    let vendor_dir = prepared.vendor_dir.clone();
    prepared.finish()?;
    let kept = found.journal.take_notes();
    let changed_by_builds = changed_by_builds(workspace, &excluded, &tree_before, &kept);
    let interrupted = interrupt.requested();
    Ok(MeasuredRun {
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

/// The files of `workspace` the builds changed since `before`, `excluded` aside. A file the
/// journal left alone changed during the run (the user's edit, or a build's, which its note
/// names); it is not blamed on a build script a second time. Nor is the original timewarp put
/// beside a kept file (`main.rs.orig`), which the note names.
fn changed_by_builds(
    workspace: &Workspace,
    excluded: &[PathBuf],
    before: &TreeState,
    kept: &[KeptChange],
) -> Vec<PathBuf> {
    let kept_paths: Vec<PathBuf> = kept
        .iter()
        .flat_map(|k| std::iter::once(&k.path).chain(&k.original))
        .map(|p| p.strip_prefix(&workspace.root).unwrap_or(p).to_path_buf())
        .collect();
    let mut changed = TreeState::capture(&workspace.root, excluded).changed_since(before);
    changed.retain(|p| !kept_paths.contains(p));
    changed
}

/// Whose files [`changed_files`] resolves: the tree measured, or the `--baseline-rev`
/// revision's copy, where a problem is the revision's and never the user's to fix in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TreeRole {
    Measured,
    BaselineRevision,
}

/// The files one tree's rebuilds change.
struct TreeFiles<'w> {
    /// The touched file, as resolved from `--touch` (or the default).
    touched: PathBuf,
    /// Where the touch and the edit land: a link in the tree followed.
    real: PathBuf,
    /// The deep library and where its root really is, when `deep` runs in this tree.
    deep: Option<(&'w DeepTarget, PathBuf)>,
}

impl TreeFiles<'_> {
    /// What the engine changes in this tree.
    fn paths(&self) -> Paths {
        Paths { touched: self.real.clone(), deep: self.deep.as_ref().map(|(_, real)| real.clone()) }
    }
}

/// Resolves the files `tree`'s rebuilds change: the touched file, and the deep library's root
/// when `scenarios` has `deep`. In the tree measured, a root that cannot be edited (outside the
/// tree, or the touched file itself) leaves `deep` out of the default scenarios or is a usage
/// error when `--scenarios` asks for it, and both files must be writable; in the revision, it
/// leaves out that tree's deep rebuilds alone.
fn changed_files<'w>(
    tree: TreeRole,
    workspace: &'w Workspace,
    config: &RunOptions,
    progress: &Progress,
    found: &Discovered,
    scenarios: &mut Vec<Scenario>,
) -> Result<TreeFiles<'w>> {
    let touched = workspace::resolve_touch_file(config.build.touch.as_deref(), &found.user_workspace, workspace)?;
    // Resolve before judging: a touch or an edit lands where a link in the tree leads.
    let real = workspace::real_file_inside(&touched, &workspace.root).map_err(|why| {
        ExitError::usage(match tree {
            TreeRole::Measured => format!("the file to touch {why}; name one inside it with `--touch PATH`"),
            TreeRole::BaselineRevision => {
                format!("in the baseline revision, the file to touch {why}; name one with `--touch PATH`")
            }
        })
    })?;
    if tree == TreeRole::Measured && touches(scenarios) {
        workspace::check_touchable(&real)?;
    }
    let Some(library) = workspace.deep.as_ref().filter(|_| scenarios.contains(&Scenario::Deep)) else {
        return Ok(TreeFiles { touched, real, deep: None });
    };
    let deep = match (workspace::real_file_inside(&library.file, &workspace.root), tree) {
        (Ok(deep_real), _) if deep_real != real => Some((library, deep_real)),
        (Ok(_), TreeRole::BaselineRevision) => None,
        (Ok(_), TreeRole::Measured) => {
            let both = format!("`{}` is both the touched file and the deep library's root", touched.display());
            let explicit = "which the `deep` scenario edits; touch another file with `--touch`, or leave out `deep`";
            leave_out_deep(config, progress, scenarios, &both, explicit)?;
            None
        }
        (Err(why), TreeRole::Measured) => {
            let what = format!("the deep library's root {why}");
            let explicit = "and timewarp edits only files of the workspace; leave out `deep`";
            leave_out_deep(config, progress, scenarios, &what, explicit)?;
            None
        }
        (Err(why), TreeRole::BaselineRevision) => {
            progress.note(&format!(
                "in the baseline revision, the deep library's root {why}, so its deep rebuilds are not measured"
            ));
            None
        }
    };
    if let (TreeRole::Measured, Some((_, file))) = (tree, &deep) {
        workspace::check_touchable(file)?;
    }
    Ok(TreeFiles { touched, real, deep })
}

/// A killed run's edit whose journal this run cannot find (the checkout was renamed) is found by
/// timewarp's own item: restored from its backup, or the run stops. The deep root is looked at
/// whether `deep` runs or not: its edit would change every build. So is a lockfile a killed run
/// created.
fn leftover_edits(found: &Discovered, touched_real: &Path, progress: &Progress) -> Result<()> {
    let (workspace, work) = (&found.workspace, &found.work);
    let deep_root = workspace.deep.as_ref().and_then(|d| workspace::real_file_inside(&d.file, &workspace.root).ok());
    for file in std::iter::once(touched_real).chain(deep_root.as_deref().filter(|d| *d != touched_real)) {
        if let Some(note) = journal::leftover_edit(file, work)? {
            progress.note(&note);
        }
    }
    if let Some(note) = journal::leftover_created(&workspace.root.join("Cargo.lock"), work)? {
        progress.note(&note);
    }
    Ok(())
}

/// The plan before the first build: toolchains × scenarios, rounds, budget and how long the last
/// such run here took; then the files the rebuilds change.
fn announce(config: &RunOptions, progress: &Progress, found: &Discovered, toolchains: usize, plan: &Plan) {
    let file = super::history_file(config, &found.work);
    let last = history::last_like(&file, &found.user_workspace.root, toolchains, &plan.scenarios);
    progress.status("Planning", &planning(plan, toolchains, last));
    progress.status("Changing", &changing(plan));
}

/// `try`'s arms as variants of today's build (the first), each with its overrides and the
/// same files to change.
fn add_arms(variants: &mut Vec<Variant>, paths: &mut Vec<Paths>, arms: &[ArmBuild]) {
    for ArmBuild { name, overrides, skip } in arms {
        let mut arm = variants[0].clone();
        (arm.tag, arm.recipe.overrides, arm.skip) = (Some(format!("arm-{name}")), overrides.clone(), skip.clone());
        variants.push(arm);
        paths.push(paths[0].clone());
    }
}

/// The variables removed from the builds' environment, and the settings that change a build.
pub(crate) fn build_settings(
    runner: &dyn Runner,
    config: &RunOptions,
    workspace: &Workspace,
) -> (Vec<String>, Vec<environment::Setting>) {
    let env = runner.env();
    let removed_env = build::distorting_vars_present(env.vars());
    let settings = environment::for_build(
        environment::build_settings(
            env.vars().map(|(k, v)| (k.to_os_string(), v.to_os_string())),
            &workspace.root,
            env.cargo_home().as_deref(),
            &workspace.manifest_path,
        ),
        HOST,
        config.build.profile.name(),
        config.build.jobs.is_some(),
    );
    (removed_env, settings)
}

/// Prepares the tree (and the revision's): lockfiles, vendored sources (saying where), the
/// private `CARGO_HOME`. The newest installed stable cargo vendors (and generates a missing
/// lockfile from the registry) even when only older ones are measured: an old cargo reads the
/// registry through its git index, which today's sparse-only networks do not reach.
fn prepare_trees(
    runner: &dyn Runner,
    found: &Discovered,
    chosen: &[crate::discover::toolchain::Toolchain],
    progress: &Progress,
) -> Result<prepare::Prepared> {
    let workspace = &found.workspace;
    let mut trees = vec![prepare::Tree { root: workspace.root.clone(), manifest: workspace.manifest_path.clone() }];
    if let Some((_, base)) = &found.baseline_tree {
        trees.push(prepare::Tree { root: base.root.clone(), manifest: base.manifest_path.clone() });
    }
    let mut preparers = chosen.to_vec();
    let newest_stable = found.inventory.toolchains.iter().rev().find(|t| t.is_stable());
    if let Some(newest) = newest_stable.filter(|n| chosen.last().is_none_or(|c| n.version > c.version)) {
        preparers.push(newest.clone());
    }
    let prepared = prepare::prepare(runner, &trees, &preparers, &found.work, &found.journal)?;
    if let Some(dir) = &prepared.vendor_dir {
        progress.status("Vendored", &format!("dependency sources into {} for every toolchain", dir.display()));
    }
    Ok(prepared)
}

/// Runs the engine over every subject (each toolchain `chosen`, building each variant of
/// `plan`), changing `paths`, with the progress display, until `interrupt` or the plan says
/// enough.
fn run_engine(
    runner: &dyn Runner,
    progress: &Progress,
    found: &Discovered,
    chosen: &[crate::discover::toolchain::Toolchain],
    interrupt: &Interrupt,
    plan: &Plan,
    paths: &[Paths],
) -> Result<engine::Outcome> {
    let subjects: Vec<Subject<'_>> = (0..plan.variants.len())
        .flat_map(|variant| chosen.iter().map(move |toolchain| Subject { toolchain, variant }))
        .collect();
    let (fixed, budget) = match &plan.stopping {
        Stopping::Fixed(counts) => (counts.values().max().copied(), None),
        Stopping::Precision(p) => (Some(p.most_rounds()), Some(p.budget)),
    };
    let mut tracker = progress.builds(fixed, budget);
    let stop = || interrupt.requested();
    let engine = Engine { runner, plan, work: &found.work, stop: &stop };
    let outcome = engine::measure_changing(engine, &subjects, &found.journal, paths, &mut tracker)?;
    tracker.done();
    Ok(outcome)
}

/// The link timer's directory, with timewarp's binary standing in for the programs rustc links
/// with that the builds' `PATH` holds; `None`, with the reason, when a setting names the linker
/// by path, which no program on `PATH` can stand in for, or when `PATH` holds none of them.
fn link_timer(
    runner: &dyn Runner,
    work: &WorkDir,
    settings: &[environment::Setting],
) -> Result<(Option<PathBuf>, Option<String>)> {
    let path = runner.env().var("PATH").unwrap_or_default();
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
    let exe = runner.own_executable()?;
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
        Stopping::Precision(p) => {
            let rule = crate::report::export::RuleText::new(
                &plan.scenarios,
                (p.target * 100.0, p.rebuild_target * 100.0),
                (p.min_rounds, p.max_rounds, p.max_rebuild_rounds),
            );
            format!(
                "{} until every speedup is within {}, within {}",
                rule.rounds,
                rule.targets,
                crate::format::clock(p.budget)
            )
        }
    };
    let estimate = match last {
        Some((seconds, n)) => format!(
            "; the last such run here took {} ({n} round{})",
            crate::format::clock(std::time::Duration::from_secs_f64(seconds)),
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
