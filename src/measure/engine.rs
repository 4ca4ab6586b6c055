//! The one measurement loop: every selected toolchain's builds, in the order of the schedule,
//! with an observer told of every step and every toolchain that ends.
//!
//! Each toolchain goes through its tasks in turn, in a target directory of its own: its
//! compiler's libraries are read into the page cache (untimed, so a toolchain the user ran
//! recently is not favoured), then the clean builds, one untimed rebuild after touching the file
//! (the first rebuild after a clean build is slower than the rest, as hyperfine's warm-up
//! knows), the timed rebuilds after touching it, and those after editing it. Every rebuild must
//! show cargo compiling the touched file's package, or the toolchain fails with a sentence
//! saying so instead of reporting the time of a build that did nothing.
//!
//! Sequential and round-robin (`--interleave`) differ only in which toolchain's next task runs
//! next: the lowest (toolchain, task) or the lowest (task, toolchain). A failed build ends its
//! toolchain; an interruption ends them all; either way the samples taken so far are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::build::{InstalledToolchain, Recipe};
use super::journal::{EditedFile, Journal, TouchedFile};
use super::workdir::WorkDir;
use super::wrapper::{Invocation, WRAPPER_LOG, read_log};
use crate::discover::toolchain::Toolchain;
use crate::discover::workspace::Workspace;
use crate::process::{CommandSpec, Output, Runner};
use crate::vocab::Scenario;

/// How many builds of a scenario a toolchain gets.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum RunCount {
    /// Exactly this many (`--clean-runs`, `--runs`).
    Fixed(usize),
    /// As many as the project's size allows: one when the first takes `budget_s` or more, else
    /// at least `min` and then more while they total under `budget_s`, at most `max`.
    Adaptive {
        /// Builds at least (unless the first alone is over budget).
        min: usize,
        /// Builds at most.
        max: usize,
        /// Seconds of clean builds per toolchain to aim for.
        budget_s: f64,
    },
}

impl RunCount {
    /// The default: small projects get several clean builds, big ones one.
    pub(crate) const ADAPTIVE: RunCount = RunCount::Adaptive { min: 3, max: 10, budget_s: 30.0 };

    /// Whether a toolchain whose clean builds so far took `walls` seconds needs another.
    fn wants_more(&self, walls: &[f64]) -> bool {
        match *self {
            RunCount::Fixed(n) => walls.len() < n,
            RunCount::Adaptive { min, max, budget_s } => match walls.first() {
                None => true,
                Some(first) if *first >= budget_s => false,
                Some(_) => walls.len() < max && (walls.len() < min || walls.iter().sum::<f64>() < budget_s),
            },
        }
    }

    /// `5`, or `3-10 (1 when one takes 30 s or more)`: how reports state the plan.
    pub(crate) fn describe(&self) -> String {
        match *self {
            RunCount::Fixed(n) => n.to_string(),
            RunCount::Adaptive { min, max, budget_s } => {
                format!("{min}-{max} (1 when one takes {budget_s} s or more)")
            }
        }
    }

    /// The count to expect when builds take `typical_s` seconds (`None`: not known yet).
    pub(crate) fn expected(&self, typical_s: Option<f64>) -> usize {
        match (*self, typical_s) {
            (RunCount::Fixed(n), _) => n,
            (RunCount::Adaptive { min, .. }, None) => min,
            (count, Some(seconds)) => {
                let mut walls = Vec::new();
                while count.wants_more(&walls) {
                    walls.push(seconds);
                }
                walls.len()
            }
        }
    }

    /// The count to expect before any build ran (for `run i of n`).
    fn planned(&self) -> Option<usize> {
        match *self {
            RunCount::Fixed(n) => Some(n),
            RunCount::Adaptive { .. } => None,
        }
    }
}

/// How many timed builds of each scenario a toolchain gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Runs {
    /// Clean builds.
    pub clean: RunCount,
    /// Rebuilds after touching the file.
    pub touched: usize,
    /// Rebuilds after editing the file (0 without `--edit`).
    pub edited: usize,
}

impl Runs {
    /// The planned count for `scenario`, when it is known before the builds.
    pub(crate) fn of(&self, scenario: Scenario) -> Option<usize> {
        match scenario {
            Scenario::Clean => self.clean.planned(),
            Scenario::Touched => Some(self.touched),
            Scenario::Edited => Some(self.edited),
        }
    }

    /// Rebuilds to expect per toolchain, the untimed first one included.
    pub(crate) fn expected_rebuilds(&self) -> usize {
        let rebuilds = self.touched + self.edited;
        rebuilds + usize::from(rebuilds > 0)
    }

    /// The scenarios that run at all, with how many builds each gets.
    pub(crate) fn counts(&self) -> Vec<(Scenario, RunCount)> {
        let rebuilds = [(Scenario::Touched, self.touched), (Scenario::Edited, self.edited)];
        let rebuilds = rebuilds.into_iter().filter(|(_, n)| *n > 0).map(|(s, n)| (s, RunCount::Fixed(n)));
        std::iter::once((Scenario::Clean, self.clean)).chain(rebuilds).collect()
    }
}

/// In which order the toolchains take turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// All of one toolchain's builds, then the next toolchain's, oldest first.
    Sequential,
    /// `--interleave`: run 1 of a scenario for every toolchain, then run 2, so that a machine
    /// drifting during the run affects every row alike.
    RoundRobin,
}

/// What to measure for every toolchain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The recipe of every build.
    pub recipe: Recipe,
    /// Builds per scenario.
    pub runs: Runs,
    /// Who goes next.
    pub order: Order,
    /// What every rebuild must show cargo compiling.
    pub verify: Verification,
    /// `--crates`: the binary to run as `RUSTC_WRAPPER` in one extra clean build per toolchain.
    pub crates: Option<PathBuf>,
}

/// The proof a rebuild did what it claims: cargo compiled the package that owns the file
/// changed before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verification {
    /// The package that owns the touched file; `None` when no member does (then any crate
    /// compiled will do).
    pub package: Option<String>,
    /// The touched file, as the failure sentence names it.
    pub file: String,
}

impl Verification {
    /// What rebuilds after changing `touched` must show in `workspace`; with a note when the
    /// file is in no directory of a target the build compiles (`tests/t.rs`): its rebuilds will
    /// fail, saying so.
    pub(crate) fn new(workspace: &Workspace, touched: &Path) -> (Verification, Option<String>) {
        let file = touched.strip_prefix(&workspace.root).unwrap_or(touched).display().to_string();
        let member = workspace.member_of(touched);
        let note = member.filter(|m| !m.built_dirs.iter().any(|d| touched.starts_with(d))).map(|m| {
            format!(
                "`{file}` is in no directory of a target a build of `{}` compiles (its library, binaries or build script); cargo may rebuild nothing when it changes",
                m.name
            )
        });
        (Verification { package: member.map(|m| m.name.clone()), file }, note)
    }

    /// Whether cargo's output shows it compiling (or checking) the package.
    fn compiled(&self, stderr: &str) -> bool {
        stderr.lines().map(str::trim_start).any(|line| {
            let rest = line.strip_prefix("Compiling ").or_else(|| line.strip_prefix("Checking "));
            rest.is_some_and(|rest| self.package.as_ref().is_none_or(|p| rest.starts_with(&format!("{p} v"))))
        })
    }

    fn failure(&self) -> String {
        format!("touching {} rebuilt nothing: no target of the build compiles it", self.file)
    }
}

/// One timed build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// Wall time in seconds.
    pub wall_s: f64,
    /// CPU seconds (user + system) of the whole cargo process tree, when known.
    pub cpu_s: Option<f64>,
    /// Peak resident memory of the largest process in the tree, bytes, when known.
    pub peak_rss: Option<u64>,
}

impl Sample {
    fn of(out: &Output) -> Sample {
        Sample { wall_s: out.elapsed.as_secs_f64(), cpu_s: out.cpu.map(|c| c.as_secs_f64()), peak_rss: out.peak_rss }
    }
}

/// How one toolchain's measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum End {
    /// Every planned build ran.
    Completed,
    /// A build failed; why, in cargo's words.
    Failed(String),
    /// Ctrl-C or SIGTERM stopped the run before this toolchain was done.
    Interrupted,
}

/// One toolchain's samples and how its measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measured {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Where its artifacts went.
    pub target_dir: PathBuf,
    /// The samples taken, per scenario, in order (also those of a failed or interrupted one).
    pub samples: BTreeMap<Scenario, Vec<Sample>>,
    /// How it ended.
    pub end: End,
    /// `--crates`: the per-crate build, or why it failed.
    pub crates: Option<Result<CrateBuild, String>>,
}

/// The per-crate build of one toolchain (`--crates`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CrateBuild {
    /// Wall time of the whole wrapped build, to set beside the unwrapped clean median.
    pub wall_s: f64,
    /// Every rustc invocation it logged.
    pub invocations: Vec<Invocation>,
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Reads the compiler's libraries into the page cache; untimed.
    WarmUp,
    /// Build `run` of `scenario`, of `of` when known; timed.
    Timed {
        /// Which scenario.
        scenario: Scenario,
        /// Which run of it, from 1.
        run: usize,
        /// Of how many, when known in advance.
        of: Option<usize>,
    },
    /// The untimed rebuild after touching the file that precedes the timed ones.
    FirstRebuild,
    /// `--crates`: one more clean build, every rustc run through the wrapper; not a sample.
    CrateBuild,
}

impl Action {
    /// Whether the step runs a build.
    pub(crate) fn is_build(self) -> bool {
        !matches!(self, Action::WarmUp)
    }

    /// The order of tasks within one toolchain: (phase, run).
    fn position(self) -> (u8, usize) {
        match self {
            Action::WarmUp => (0, 0),
            Action::Timed { scenario: Scenario::Clean, run, .. } => (1, run),
            Action::FirstRebuild => (2, 0),
            Action::Timed { scenario: Scenario::Touched, run, .. } => (3, run),
            Action::Timed { scenario: Scenario::Edited, run, .. } => (4, run),
            Action::CrateBuild => (5, 0),
        }
    }
}

/// A step about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step<'a> {
    /// Whose.
    pub toolchain: &'a Toolchain,
    /// What.
    pub action: Action,
}

/// Told about the measurement as it goes: progress display, estimates.
pub(crate) trait Observer {
    /// `step` is about to run.
    fn starting(&mut self, step: &Step<'_>);
    /// A toolchain's measurement ended (completed, failed or interrupted).
    fn finished(&mut self, measured: &Measured);
}

/// The user's file the rebuilds change: its mtime for `touched`, its content for `edited`.
pub(crate) struct ChangedFile<'a> {
    /// Touched before each rebuild.
    pub touched: &'a TouchedFile,
    /// Edited before each `edited` rebuild and reverted after it.
    pub edited: Option<&'a EditedFile>,
}

/// One toolchain's measurement in progress.
struct Run {
    measured: Measured,
    /// The toolchain and its build command; `None` when it could not even be set up (its end
    /// says why).
    build: Option<(InstalledToolchain, CommandSpec)>,
    warmed: bool,
    primed: bool,
    /// `--crates`: the log its wrapped build appends to.
    crates_log: Option<PathBuf>,
    ended: bool,
}

impl Run {
    fn start(runner: &dyn Runner, plan: &Plan, toolchain: &Toolchain, work: &WorkDir) -> Run {
        let target_dir = work.target_dir(toolchain);
        let crates_log = plan.crates.as_ref().map(|_| work.crates_log(toolchain));
        let located = InstalledToolchain::locate(runner, &toolchain.name);
        let (build, end, crates_log) = match (located, crates_log.transpose()) {
            (Ok(installed), Ok(log)) => {
                let command = plan.recipe.command(toolchain, &installed, &target_dir);
                (Some((installed, command)), End::Completed, log)
            }
            (Err(e), _) | (_, Err(e)) => (None, End::Failed(format!("{e:#}")), None),
        };
        let ended = build.is_none();
        let measured =
            Measured { toolchain: toolchain.clone(), target_dir, samples: BTreeMap::new(), end, crates: None };
        Run { measured, build, warmed: false, primed: false, crates_log, ended }
    }

    fn walls(&self, scenario: Scenario) -> Vec<f64> {
        self.measured.samples.get(&scenario).map(|v| v.iter().map(|s| s.wall_s).collect()).unwrap_or_default()
    }

    /// The next task this toolchain needs, or `None` when it is done.
    fn next(&self, runs: &Runs) -> Option<Action> {
        if self.ended {
            return None;
        }
        if !self.warmed {
            return Some(Action::WarmUp);
        }
        let clean = self.walls(Scenario::Clean);
        if runs.clean.wants_more(&clean) {
            return Some(Action::Timed { scenario: Scenario::Clean, run: clean.len() + 1, of: runs.clean.planned() });
        }
        if !self.primed && runs.touched + runs.edited > 0 {
            return Some(Action::FirstRebuild);
        }
        let rebuild = [Scenario::Touched, Scenario::Edited].into_iter().find_map(|scenario| {
            let (done, of) = (self.walls(scenario).len(), runs.of(scenario).unwrap_or(0));
            (done < of).then_some(Action::Timed { scenario, run: done + 1, of: Some(of) })
        });
        rebuild.or_else(|| (self.crates_log.is_some() && self.measured.crates.is_none()).then_some(Action::CrateBuild))
    }
}

/// [`measure`], changing the file at `path` before the rebuilds: its changes are registered in
/// `journal` before they are made, and undone before this returns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure_changing(
    runner: &dyn Runner,
    plan: &Plan,
    toolchains: &[Toolchain],
    work: &WorkDir,
    journal: &Journal,
    path: &Path,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<Vec<Measured>> {
    let touched = journal.touch(path)?;
    let edited = (plan.runs.edited > 0).then(|| journal.edit(path)).transpose()?;
    let file = ChangedFile { touched: &touched, edited: edited.as_ref() };
    let measured = measure(runner, plan, toolchains, work, &file, observer, stop)?;
    if let Some(edited) = edited {
        edited.restore()?;
    }
    touched.restore()?;
    Ok(measured)
}

/// Measures `toolchains` (oldest first) as `plan` says, changing `file` before rebuilds, and
/// asking `stop` before every step. Returns one [`Measured`] per toolchain, in the same order.
pub(crate) fn measure(
    runner: &dyn Runner,
    plan: &Plan,
    toolchains: &[Toolchain],
    work: &WorkDir,
    file: &ChangedFile<'_>,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<Vec<Measured>> {
    let mut runs: Vec<Run> = toolchains.iter().map(|t| Run::start(runner, plan, t, work)).collect();
    for run in runs.iter().filter(|r| r.ended) {
        observer.finished(&run.measured);
    }
    loop {
        let next =
            runs.iter().enumerate().filter_map(|(i, r)| r.next(&plan.runs).map(|action| (i, action))).min_by_key(
                |&(i, action)| {
                    let (phase, n) = action.position();
                    match plan.order {
                        Order::Sequential => (i, phase as usize, n),
                        Order::RoundRobin => (phase as usize, n, i),
                    }
                },
            );
        let Some((index, action)) = next else { break };
        if stop() {
            break;
        }
        let run = &mut runs[index];
        step(runner, plan, work, file, run, action, observer, stop)?;
        if run.ended || run.next(&plan.runs).is_none() {
            run.ended = true;
            observer.finished(&run.measured);
        }
    }
    for run in runs.iter_mut().filter(|r| !r.ended) {
        run.measured.end = End::Interrupted;
        observer.finished(&run.measured);
    }
    Ok(runs.into_iter().map(|r| r.measured).collect())
}

/// Prepares and runs one task of one toolchain.
#[allow(clippy::too_many_arguments)]
fn step(
    runner: &dyn Runner,
    plan: &Plan,
    work: &WorkDir,
    file: &ChangedFile<'_>,
    run: &mut Run,
    action: Action,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<()> {
    let (installed, build) = run.build.as_ref().expect("a toolchain without a build command has ended");
    observer.starting(&Step { toolchain: &run.measured.toolchain, action });
    let scenario = match action {
        Action::WarmUp => {
            installed.warm_up();
            run.warmed = true;
            return Ok(());
        }
        Action::CrateBuild => return crate_build(runner, plan, work, run),
        Action::Timed { scenario, .. } => scenario,
        Action::FirstRebuild => Scenario::Touched,
    };
    let edited = file.edited.filter(|_| scenario == Scenario::Edited);
    let n = match action {
        Action::Timed { run, .. } => run,
        _ => 0,
    };
    match (scenario, edited) {
        (Scenario::Clean, _) => work.clear_target_dir(&run.measured.target_dir)?,
        (_, Some(edited)) => {
            if !edited.apply(n)? {
                run.measured.end = End::Failed(format!(
                    "{} changed during the run, so it is left as you saved it and the edited rebuilds stopped",
                    plan.verify.file
                ));
                run.ended = true;
                return Ok(());
            }
            file.touched.touch(touch_time(&run.measured.target_dir))?;
        }
        _ => file.touched.touch(touch_time(&run.measured.target_dir))?,
    }
    let out = runner.run(build);
    let kept = match edited {
        Some(edited) => edited.revert(n)?,
        None => true,
    };
    let out = out?;
    if !kept {
        run.measured.end = End::Failed(format!(
            "{} changed during an edited rebuild, so it is left as it is and the edited rebuilds stopped",
            plan.verify.file
        ));
        run.ended = true;
        return Ok(());
    }
    if stop() {
        // The build was stopped by the interruption: its time means nothing.
        run.measured.end = End::Interrupted;
        run.ended = true;
    } else if !out.success() {
        run.measured.end = End::Failed(plan.recipe.explain_failure(build, &out, &run.measured.toolchain));
        run.ended = true;
    } else if scenario != Scenario::Clean && !plan.verify.compiled(&out.stderr) {
        run.measured.end = End::Failed(plan.verify.failure());
        run.ended = true;
    } else if action == Action::FirstRebuild {
        run.primed = true;
    } else {
        run.measured.samples.entry(scenario).or_default().push(Sample::of(&out));
    }
    Ok(())
}

/// `--crates`: one clean build with every rustc run through the wrapper, which logs it; its
/// failure is kept beside the samples, which stay valid.
fn crate_build(runner: &dyn Runner, plan: &Plan, work: &WorkDir, run: &mut Run) -> Result<()> {
    let (_, build) = run.build.as_ref().expect("a toolchain without a build command has ended");
    let (Some(wrapper), Some(log)) = (&plan.crates, &run.crates_log) else { return Ok(()) };
    work.clear_target_dir(&run.measured.target_dir)?;
    let wrapped = build.clone().env("RUSTC_WRAPPER", wrapper).env(WRAPPER_LOG, log);
    let out = runner.run(&wrapped)?;
    run.measured.crates = Some(if out.success() {
        let invocations = read_log(log)?;
        Ok(CrateBuild { wall_s: out.elapsed.as_secs_f64(), invocations })
    } else {
        Err(plan.recipe.explain_failure(&wrapped, &out, &run.measured.toolchain))
    });
    Ok(())
}

/// The modification time to give the touched file: now, but strictly newer than every output
/// of the last build in `target_dir` (cargo compares it with its fingerprints), by a whole second
/// where the file system seems to keep whole seconds only.
fn touch_time(target_dir: &Path) -> SystemTime {
    let now = SystemTime::now();
    let Some(newest) = newest_fingerprint(target_dir) else { return now };
    let coarse = newest.duration_since(SystemTime::UNIX_EPOCH).is_ok_and(|d| d.subsec_nanos() == 0);
    let step = if coarse { Duration::from_secs(1) } else { Duration::from_micros(1) };
    now.max(newest + step)
}

/// The newest modification time among cargo's fingerprints in `target_dir`
/// (`<profile>/.fingerprint/<unit>/*`).
fn newest_fingerprint(target_dir: &Path) -> Option<SystemTime> {
    let files =
        |dir: &Path| std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect::<Vec<_>>();
    files(target_dir)
        .iter()
        .flat_map(|profile| files(&profile.join(".fingerprint")))
        .flat_map(|unit| files(&unit))
        .filter_map(|file| std::fs::metadata(file).and_then(|m| m.modified()).ok())
        .max()
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::testing::{FakeRunner, output, toolchain};
    use crate::vocab::{Command, Profile};

    struct Setup {
        _dir: tempfile::TempDir,
        plan: Plan,
        work: WorkDir,
        journal: Journal,
        file: PathBuf,
        /// What `rustup which` answers: a toolchain directory that has a cargo.
        rustc: String,
    }

    fn setup(clean: usize, touched: usize, edited: usize) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.rs");
        std::fs::write(&file, "fn main() {}\n").unwrap();
        let recipe = Recipe {
            root: dir.path().into(),
            manifest_path: dir.path().join("Cargo.toml"),
            packages: vec!["app".into()],
            command: Command::Build,
            profile: Profile::Dev,
            jobs: None,
            cargo_home: dir.path().join("cargo-home"),
            timeout: None,
            lockfile_version: None,
            env: crate::process::Env::default(),
        };
        let runs = Runs { clean: RunCount::Fixed(clean), touched, edited };
        let verify = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        let plan = Plan { recipe, runs, order: Order::Sequential, verify, crates: None };
        let work = WorkDir::new(dir.path(), &dir.path().join("target"), &crate::testing::env_in(dir.path())).unwrap();
        work.create_builds().unwrap();
        let journal = Journal::on_disk(&dir.path().join("journal.json"), &dir.path().join("backups"));
        std::fs::create_dir_all(dir.path().join("tc/bin")).unwrap();
        std::fs::write(dir.path().join("tc/bin/cargo"), "").unwrap();
        let rustc = format!("{}\n", dir.path().join("tc/bin/rustc").display());
        Setup { _dir: dir, plan, work, journal, file, rustc }
    }

    /// Records what the engine reports.
    #[derive(Default)]
    struct Log {
        lines: Vec<String>,
    }

    impl Observer for Log {
        fn starting(&mut self, step: &Step<'_>) {
            let what = match step.action {
                Action::WarmUp => "warm-up".to_string(),
                Action::FirstRebuild => "first rebuild".to_string(),
                Action::CrateBuild => "crate build".to_string(),
                Action::Timed { scenario, run, of: Some(of) } => format!("{scenario} {run}/{of}"),
                Action::Timed { scenario, run, of: None } => format!("{scenario} {run}"),
            };
            self.lines.push(format!("{} {what}", step.toolchain));
        }

        fn finished(&mut self, measured: &Measured) {
            self.lines.push(format!("{} ended {:?}", measured.toolchain, measured.end));
        }
    }

    fn run_with(
        s: &Setup,
        runner: &FakeRunner,
        toolchains: &[Toolchain],
        stop: &dyn Fn() -> bool,
    ) -> (Vec<Measured>, Vec<String>) {
        let touched = s.journal.touch(&s.file).unwrap();
        let edited = (s.plan.runs.edited > 0).then(|| s.journal.edit(&s.file).unwrap());
        let file = ChangedFile { touched: &touched, edited: edited.as_ref() };
        let mut log = Log::default();
        let measured = measure(runner, &s.plan, toolchains, &s.work, &file, &mut log, stop).unwrap();
        (measured, log.lines)
    }

    fn walls(measured: &Measured, scenario: Scenario) -> Vec<f64> {
        measured.samples.get(&scenario).map(|v| v.iter().map(|s| s.wall_s).collect()).unwrap_or_default()
    }

    #[test]
    fn each_task_in_turn_with_the_samples_it_timed() {
        let s = setup(2, 3, 2);
        let runner = FakeRunner::new()
            .ok("rustup which --toolchain 1.63.0 rustc", &s.rustc)
            .timed("build", &[10.0, 12.0, 9.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let target = s.work.target_dir(&toolchain("1.63.0"));
        std::fs::create_dir_all(target.join("debug")).unwrap();
        std::fs::write(target.join("CACHEDIR.TAG"), "created by cargo-timewarp").unwrap();
        let (measured, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let m = &measured[0];
        assert_eq!(m.end, End::Completed);
        assert_eq!(walls(m, Scenario::Clean), [10.0, 12.0]);
        assert_eq!(walls(m, Scenario::Touched), [1.0, 2.0, 3.0], "the first rebuild (9 s) is not timed");
        assert_eq!(walls(m, Scenario::Edited), [4.0, 5.0]);
        assert_eq!(
            log,
            [
                "1.63.0 warm-up",
                "1.63.0 clean 1/2",
                "1.63.0 clean 2/2",
                "1.63.0 first rebuild",
                "1.63.0 touched 1/3",
                "1.63.0 touched 2/3",
                "1.63.0 touched 3/3",
                "1.63.0 edited 1/2",
                "1.63.0 edited 2/2",
                "1.63.0 ended Completed",
            ]
        );
        assert!(!target.join("debug").exists(), "clean builds start from an empty target dir");
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}\n", "every edit is reverted");
    }

    #[test]
    fn the_orders_differ_only_in_who_goes_next() {
        let mut s = setup(2, 1, 0);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        let (_, sequential) = run_with(&s, &runner, &both, &|| false);
        let one = |t: &str| {
            [format!("{t} warm-up"), format!("{t} clean 1/2"), format!("{t} clean 2/2"), format!("{t} first rebuild")]
        };
        let mut expected: Vec<String> = one("1.63.0").to_vec();
        expected.extend(["1.63.0 touched 1/1".into(), "1.63.0 ended Completed".into()]);
        expected.extend(one("1.85.0"));
        expected.extend(["1.85.0 touched 1/1".into(), "1.85.0 ended Completed".into()]);
        assert_eq!(sequential, expected);
        s.plan.order = Order::RoundRobin;
        let (_, round_robin) = run_with(&s, &runner, &both, &|| false);
        assert_eq!(
            round_robin,
            [
                "1.63.0 warm-up",
                "1.85.0 warm-up",
                "1.63.0 clean 1/2",
                "1.85.0 clean 1/2",
                "1.63.0 clean 2/2",
                "1.85.0 clean 2/2",
                "1.63.0 first rebuild",
                "1.85.0 first rebuild",
                "1.63.0 touched 1/1",
                "1.63.0 ended Completed",
                "1.85.0 touched 1/1",
                "1.85.0 ended Completed",
            ]
        );
    }

    #[test]
    fn an_interruption_keeps_the_samples_in_either_order() {
        for order in [Order::Sequential, Order::RoundRobin] {
            let mut s = setup(2, 3, 0);
            s.plan.order = order;
            let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
            let builds = Cell::new(0);
            let both = [toolchain("1.63.0"), toolchain("1.85.0")];
            let touched = s.journal.touch(&s.file).unwrap();
            let file = ChangedFile { touched: &touched, edited: None };
            let mut log = Log::default();
            struct Counting<'a>(&'a Cell<usize>, &'a mut Log);
            impl Observer for Counting<'_> {
                fn starting(&mut self, step: &Step<'_>) {
                    if step.action.is_build() {
                        self.0.set(self.0.get() + 1);
                    }
                    self.1.starting(step);
                }
                fn finished(&mut self, measured: &Measured) {
                    self.1.finished(measured);
                }
            }
            let stop = || builds.get() >= 3;
            let measured =
                measure(&runner, &s.plan, &both, &s.work, &file, &mut Counting(&builds, &mut log), &stop).unwrap();
            assert_eq!(builds.get(), 3, "{order:?}: no build starts after the stop request");
            let kept: usize = measured.iter().flat_map(|m| m.samples.values()).map(Vec::len).sum();
            assert_eq!(kept, 2, "{order:?}: the two builds finished before the stop are kept: {measured:?}");
            assert!(measured.iter().all(|m| m.end == End::Interrupted), "{order:?}: {measured:?}");
            assert_eq!(log.lines.iter().filter(|l| l.ends_with("ended Interrupted")).count(), 2, "{order:?}");
        }
    }

    #[test]
    fn a_failed_build_ends_its_toolchain_with_the_error_and_the_rest_goes_on() {
        let s = setup(1, 5, 0);
        let stderr = "   Compiling app v0.1.0\nerror[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5\nerror: could not compile `app`\n";
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("timewarp/1.63.0", output(Some(101), "", stderr, 1.0))
            .timed("timewarp/1.85.0", &[1.0]);
        let (measured, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let expected = "error[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5";
        assert_eq!(measured[0].end, End::Failed(expected.into()), "in rustc's own words, up to its next error");
        assert_eq!(measured[1].end, End::Completed);
        let builds = runner.lines().iter().filter(|l| l.contains("timewarp/1.63.0")).count();
        assert_eq!(builds, 1, "no rebuild after a failure");
    }

    #[test]
    fn a_rebuild_that_compiles_nothing_fails_the_toolchain_with_a_sentence() {
        let s = setup(1, 3, 0);
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0))
            .answer("build", output(Some(0), "", "    Finished `dev` profile\n", 0.1));
        let (measured, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
        assert_eq!(
            measured[0].end,
            End::Failed("touching src/main.rs rebuilt nothing: no target of the build compiles it".into())
        );
        assert_eq!(walls(&measured[0], Scenario::Clean), [2.0]);
        assert!(walls(&measured[0], Scenario::Touched).is_empty(), "no number for a build that did nothing");
    }

    #[test]
    fn verification_reads_cargos_compiling_and_checking_lines() {
        let v = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        assert!(v.compiled("   Compiling app v0.1.0 (/w)\n    Finished"));
        assert!(v.compiled("    Checking app v0.1.0 (/w)\n"));
        assert!(!v.compiled("   Compiling application v0.1.0 (/w)\n"), "another package");
        assert!(!v.compiled("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.02s\n"));
        let any = Verification { package: None, file: "build-helpers/x.rs".into() };
        assert!(any.compiled("   Compiling whatever v2.0.0\n"));
    }

    #[test]
    fn adaptive_clean_runs_follow_the_projects_size() {
        let adaptive = RunCount::ADAPTIVE;
        let runs = |each: f64| {
            let mut walls = Vec::new();
            while adaptive.wants_more(&walls) {
                walls.push(each);
            }
            walls.len()
        };
        assert_eq!(runs(0.5), 10, "small: as many as fit in 30 s, at most 10");
        assert_eq!(runs(5.0), 6);
        assert_eq!(runs(20.0), 3, "at least 3 while one is under 30 s");
        assert_eq!(runs(45.0), 1, "big: one");
        assert!(!RunCount::Fixed(2).wants_more(&[1.0, 1.0]));
        assert_eq!(RunCount::ADAPTIVE.describe(), "3-10 (1 when one takes 30 s or more)");
    }

    #[test]
    fn the_touch_time_is_newer_than_cargos_fingerprints() {
        let dir = tempfile::tempdir().unwrap();
        let unit = dir.path().join("debug/.fingerprint/app-1234");
        std::fs::create_dir_all(&unit).unwrap();
        std::fs::write(unit.join("dep-bin-app"), "").unwrap();
        assert!(touch_time(dir.path()) > newest_fingerprint(dir.path()).unwrap());
        // A file system with whole seconds: the touch lands a whole second later.
        let whole = SystemTime::now() + Duration::from_secs(5);
        let whole = SystemTime::UNIX_EPOCH
            + Duration::from_secs(whole.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs());
        crate::fs::set_times(&unit.join("dep-bin-app"), None, whole).unwrap();
        assert_eq!(touch_time(dir.path()), whole + Duration::from_secs(1));
        assert!(touch_time(&dir.path().join("nothing-built-yet")) <= SystemTime::now());
    }

    #[test]
    fn a_toolchain_rustup_cannot_resolve_fails_alone() {
        let s = setup(1, 1, 0);
        let runner = FakeRunner::new().fail("rustup which", 1, "error: toolchain 'x' is not installed");
        let (measured, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let End::Failed(line) = &measured[0].end else { panic!("{:?}", measured[0].end) };
        assert!(line.contains("is not installed"), "{line}");
        assert_eq!(log.len(), 1, "reported as ended, nothing built: {log:?}");
    }
}
