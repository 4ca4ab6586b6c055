//! The one measurement loop, in rounds. A round builds every selected toolchain once in each
//! scenario: all the clean builds, then all the touched rebuilds, then the edited ones, each
//! phase in an order that rotates from round to round ([`round_order`], a Williams design), so
//! no toolchain always goes first or always follows the same neighbour. A toolchain's samples
//! are paired with the baseline's of the same round, so a machine's drift between rounds
//! cancels out of every speedup.
//!
//! Each toolchain (each *subject*: a toolchain, and with `--baseline-rev` the revision it
//! builds) has a directory of its own with two target directories: `rebuilds`, which the first clean
//! build fills and every rebuild then reuses, and `scratch`, emptied before every later clean
//! build and removed when the run ends. Its compiler's libraries are read into the page cache before its first build
//! (untimed), one untimed rebuild after touching the file precedes its first timed rebuild (the
//! first rebuild after a clean build is slower than the rest, as hyperfine's warm-up knows), and
//! an untimed rebuild of the restored file follows its edited rebuilds, so a touched rebuild
//! never compiles a change. Every rebuild must show cargo compiling the touched file's package,
//! or the toolchain fails with a sentence saying so instead of reporting the time of a build
//! that did nothing.
//!
//! How many rounds: a fixed number per scenario (`--runs` and friends), or, by default, at
//! least [`Precision::min_rounds`], then more while some speedup's 95 % interval is wider than
//! the precision asked for and the next round fits the budget. A round leaves out the rows
//! already precise enough in a scenario, but always keeps the baseline row they pair with.
//!
//! A failed build ends its toolchain; a build that fails only because of timewarp's edit, or an
//! edit the user saved meanwhile, ends only the edited scenario of that toolchain. An
//! interruption ends them all. Either way the samples taken so far are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;

use super::build::{InstalledToolchain, Recipe};
use super::journal::{EditedFile, Journal, TouchedFile};
use super::schedule::round_order;
use super::workdir::WorkDir;
use super::wrapper::{Invocation, WRAPPER_LOG, read_log};
use crate::discover::toolchain::Toolchain;
use crate::discover::workspace::Workspace;
use crate::process::{CommandSpec, Output, Runner, first_error_line};
use crate::stats;
use crate::vocab::Scenario;

/// When to stop adding rounds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stopping {
    /// Exactly this many rounds of each scenario (`--runs`, `--clean-runs`,
    /// `--incremental-runs`): the stopping rule is off.
    Fixed(BTreeMap<Scenario, usize>),
    /// Until every speedup is known precisely enough, within a budget.
    Precision(Precision),
}

/// The stopping rule's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Precision {
    /// The relative half-width every speedup's 95 % interval should reach (0.05: ±5 %).
    pub target: f64,
    /// No round starts that would end after this much time from the first build (the first
    /// round always runs whole).
    pub budget: Duration,
    /// Rounds to run whatever the intervals say (the budget permitting).
    pub min_rounds: usize,
    /// Rounds never to exceed.
    pub max_rounds: usize,
}

impl Precision {
    /// The default: ±5 % within 20 minutes, 5 to 30 rounds. Five, not three: an interval from
    /// three rounds that agreed by luck stopped a real run (ouch 0.4.2's clean builds) on a
    /// ±4.4 % that missed; in the simulation of `stats` five rounds raise the coverage at σ 5 %
    /// from 90 % to 93 % for half a round more on average.
    pub(crate) const DEFAULT: Precision =
        Precision { target: 0.05, budget: Duration::from_secs(20 * 60), min_rounds: 5, max_rounds: 30 };
}

impl Stopping {
    /// The rounds a scenario gets when they are fixed.
    fn fixed(&self, scenario: Scenario) -> Option<usize> {
        match self {
            Stopping::Fixed(counts) => Some(counts.get(&scenario).copied().unwrap_or(0)),
            Stopping::Precision(_) => None,
        }
    }
}

/// In which order the toolchains take turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Rounds: every toolchain once per scenario, in a rotating order.
    Rounds,
    /// `--sequential`: every round of one toolchain, then the next toolchain's, oldest first.
    /// Samples still pair by round number, but the pairs are minutes apart, so drift stays in.
    Sequential,
}

/// What the toolchains build: the working tree (or the `--rev` copy), and with `--baseline-rev`
/// a second tree, each with its recipe and the proof its rebuilds must show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    /// How target directories of this variant are told apart (`None` for the tree measured).
    pub tag: Option<String>,
    /// The recipe of every build.
    pub recipe: Recipe,
    /// What every rebuild must show cargo compiling.
    pub verify: Verification,
}

/// What to measure for every toolchain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The trees built; the first is the one the report is about.
    pub variants: Vec<Variant>,
    /// The scenarios, in the order a round runs them.
    pub scenarios: Vec<Scenario>,
    /// When to stop.
    pub stopping: Stopping,
    /// Who goes next.
    pub order: Order,
    /// `--crates`: the binary to run as `RUSTC_WRAPPER` in one extra clean build per toolchain.
    pub crates: Option<PathBuf>,
}

/// One toolchain building one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subject<'a> {
    /// The toolchain.
    pub toolchain: &'a Toolchain,
    /// Index into [`Plan::variants`].
    pub variant: usize,
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
    /// The round it belongs to, from 0: samples of one round pair with each other.
    pub round: usize,
    /// Wall time in seconds.
    pub wall_s: f64,
    /// CPU seconds (user + system) of the whole cargo process tree, when known.
    pub cpu_s: Option<f64>,
    /// Peak resident memory of the largest process in the tree, bytes, when known.
    pub peak_rss: Option<u64>,
}

impl Sample {
    fn of(round: usize, out: &Output) -> Sample {
        Sample {
            round,
            wall_s: out.elapsed.as_secs_f64(),
            cpu_s: out.cpu.map(|c| c.as_secs_f64()),
            peak_rss: out.peak_rss,
        }
    }
}

/// How one toolchain's measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum End {
    /// It ran until the stopping rule said enough.
    Completed,
    /// A build failed; why, in cargo's words.
    Failed(String),
    /// Ctrl-C or SIGTERM stopped the run before this toolchain was done.
    Interrupted,
}

/// One subject's samples and how its measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measured {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Index into [`Plan::variants`].
    pub variant: usize,
    /// Where its artifacts went.
    pub target_dir: PathBuf,
    /// The samples taken, per scenario, in order (also those of a failed or interrupted one).
    pub samples: BTreeMap<Scenario, Vec<Sample>>,
    /// How it ended.
    pub end: End,
    /// Scenarios that stopped early while the others went on, and why.
    pub scenario_errors: BTreeMap<Scenario, String>,
    /// `--crates`: the per-crate build, or why it failed.
    pub crates: Option<Result<CrateBuild, String>>,
}

impl Measured {
    /// The wall times of `scenario`, in order.
    pub(crate) fn walls(&self, scenario: Scenario) -> Vec<f64> {
        self.samples.get(&scenario).map(|v| v.iter().map(|s| s.wall_s).collect()).unwrap_or_default()
    }
}

/// The per-crate build of one toolchain (`--crates`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CrateBuild {
    /// Wall time of the whole wrapped build, to set beside the unwrapped clean median.
    pub wall_s: f64,
    /// Every rustc invocation it logged.
    pub invocations: Vec<Invocation>,
}

/// Why the rounds stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The fixed number of rounds ran.
    Fixed,
    /// Every speedup reached the precision.
    Precise,
    /// The next round would have ended after the budget.
    Budget,
    /// The most rounds allowed ran.
    MaxRounds,
    /// Nothing left to build: every toolchain failed.
    NothingLeft,
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

/// What the engine hands back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// One per subject, in the order given.
    pub measured: Vec<Measured>,
    /// Rounds that ran.
    pub rounds: usize,
    /// Why they stopped.
    pub stop: Stop,
    /// Wall time from the first build to the last.
    pub elapsed: Duration,
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// Reads the compiler's libraries into the page cache; untimed.
    WarmUp,
    /// A timed build of `scenario` in round `round` (from 0).
    Timed {
        /// Which scenario.
        scenario: Scenario,
        /// Which round.
        round: usize,
    },
    /// The untimed rebuild after touching the file that precedes the first timed one.
    FirstRebuild,
    /// The untimed rebuild of the restored file after edited rebuilds.
    Settle,
    /// A full untimed build when the rebuilds need one and no clean build made it.
    Prime,
    /// `--crates`: one more clean build, every rustc run through the wrapper; not a sample.
    CrateBuild,
}

/// A step about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step<'a> {
    /// Whose.
    pub toolchain: &'a Toolchain,
    /// What.
    pub action: Action,
}

/// The state of the run after a round, for the progress display.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoundDone {
    /// Rounds done so far.
    pub rounds: usize,
    /// The widest relative half-width among the speedups (or times) the stopping rule watches,
    /// and whose it is (`1.63.0 touched`); `None` while there is no interval yet.
    pub widest: Option<(f64, String)>,
    /// Wall time since the first build.
    pub elapsed: Duration,
}

/// Told about the measurement as it goes: progress display, estimates.
pub(crate) trait Observer {
    /// A round of `builds` timed builds is about to start.
    fn round_starting(&mut self, round: usize, builds: usize);
    /// `step` is about to run.
    fn starting(&mut self, step: &Step<'_>);
    /// A round ended.
    fn round_done(&mut self, done: &RoundDone);
    /// A toolchain's measurement ended (completed, failed or interrupted).
    fn finished(&mut self, measured: &Measured);
}

/// The user's file the rebuilds change, per variant: its mtime for `touched`, its content for
/// `edited`.
pub(crate) struct ChangedFile<'a> {
    /// Touched before each rebuild.
    pub touched: &'a TouchedFile,
    /// Edited before each `edited` rebuild and reverted after it.
    pub edited: Option<&'a EditedFile>,
}

/// One subject's measurement in progress.
struct Run {
    measured: Measured,
    /// The toolchain's installation; `None` when it could not even be found (its end says why).
    installed: Option<InstalledToolchain>,
    /// Target directories: `rebuilds` for rebuilds, `scratch` for clean builds after the first.
    rebuilds: PathBuf,
    scratch: PathBuf,
    warmed: bool,
    /// Whether `dev` holds a complete build of the current file.
    dev_built: bool,
    /// Whether the first rebuild after that build ran.
    primed: bool,
    /// Whether `dev` was last built from an edited file.
    unsettled: bool,
    /// Edits applied so far (each edit's content differs).
    edits: usize,
    /// `--crates`: the log its wrapped build appends to.
    crates_log: Option<PathBuf>,
    ended: bool,
}

impl Run {
    fn start(runner: &dyn Runner, plan: &Plan, subject: Subject<'_>, work: &WorkDir) -> Run {
        let tag = plan.variants[subject.variant].tag.as_deref();
        let dir = work.subject_dir(subject.toolchain, tag);
        let crates_log = plan.crates.as_ref().map(|_| work.crates_log(subject.toolchain, tag));
        let located = InstalledToolchain::locate(runner, &subject.toolchain.name);
        let created = work.create_subject_dir(&dir);
        let (installed, end, crates_log) = match (located, crates_log.transpose(), created) {
            (Ok(installed), Ok(log), Ok(())) => (Some(installed), End::Completed, log),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => (None, End::Failed(format!("{e:#}")), None),
        };
        let ended = installed.is_none();
        let measured = Measured {
            toolchain: subject.toolchain.clone(),
            variant: subject.variant,
            target_dir: dir.join("rebuilds"),
            samples: BTreeMap::new(),
            end,
            scenario_errors: BTreeMap::new(),
            crates: None,
        };
        Run {
            measured,
            installed,
            rebuilds: dir.join("rebuilds"),
            scratch: dir.join("scratch"),
            warmed: false,
            dev_built: false,
            primed: false,
            unsettled: false,
            edits: 0,
            crates_log,
            ended,
        }
    }

    /// Whether this subject still measures `scenario`.
    fn measures(&self, scenario: Scenario) -> bool {
        !self.ended && !self.measured.scenario_errors.contains_key(&scenario)
    }

    fn samples(&self, scenario: Scenario) -> &[Sample] {
        self.measured.samples.get(&scenario).map_or(&[], Vec::as_slice)
    }

    /// The wall time this subject's next build of `scenario` will probably take.
    fn typical(&self, scenario: Scenario) -> Option<f64> {
        self.samples(scenario).last().map(|s| s.wall_s)
    }
}

/// [`measure`], changing each variant's file at `paths[variant]` before the rebuilds: its
/// changes are registered in `journal` before they are made, and undone before this returns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure_changing(
    runner: &dyn Runner,
    plan: &Plan,
    subjects: &[Subject<'_>],
    work: &WorkDir,
    journal: &Journal,
    paths: &[PathBuf],
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<Outcome> {
    let edits = plan.scenarios.contains(&Scenario::Edited);
    let touched: Vec<TouchedFile> = paths.iter().map(|p| journal.touch(p)).collect::<Result<_>>()?;
    let edited: Vec<Option<EditedFile>> =
        paths.iter().map(|p| edits.then(|| journal.edit(p)).transpose()).collect::<Result<_>>()?;
    let files: Vec<ChangedFile<'_>> =
        touched.iter().zip(&edited).map(|(touched, edited)| ChangedFile { touched, edited: edited.as_ref() }).collect();
    let outcome = measure(runner, plan, subjects, work, &files, observer, stop)?;
    for edited in edited.into_iter().flatten() {
        edited.restore()?;
    }
    for touched in touched {
        touched.restore()?;
    }
    Ok(outcome)
}

/// Measures `subjects` (oldest toolchain first) as `plan` says, changing `files[variant]` before
/// rebuilds, and asking `stop` before every step. Returns one [`Measured`] per subject, in the
/// same order.
pub(crate) fn measure(
    runner: &dyn Runner,
    plan: &Plan,
    subjects: &[Subject<'_>],
    work: &WorkDir,
    files: &[ChangedFile<'_>],
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<Outcome> {
    let mut runs: Vec<Run> = subjects.iter().map(|s| Run::start(runner, plan, *s, work)).collect();
    for run in runs.iter().filter(|r| r.ended) {
        observer.finished(&run.measured);
    }
    let started = runner.now();
    let elapsed = || runner.now().duration_since(started).unwrap_or_default();
    // Rounds take every subject in turn; `--sequential` runs one subject's rounds, then the
    // next's, each within its share of the budget.
    let groups: Vec<Option<usize>> = match plan.order {
        Order::Rounds => vec![None],
        Order::Sequential => (0..runs.len()).map(Some).collect(),
    };
    let mut rounds_done = 0;
    let mut reason = Stop::NothingLeft;
    for (g, only) in groups.iter().enumerate() {
        let group_start = elapsed();
        let share = |budget: Duration| {
            let left = budget.saturating_sub(group_start);
            left / (groups.len() - g) as u32
        };
        let (rounds, why) = rounds_loop(
            runner,
            plan,
            work,
            files,
            &mut runs,
            *only,
            observer,
            stop,
            &|| elapsed().saturating_sub(group_start),
            &share,
        )?;
        rounds_done = rounds_done.max(rounds);
        reason = why;
        if reason == Stop::Interrupted {
            break;
        }
    }
    let round = rounds_done;
    if reason != Stop::Interrupted {
        for run in runs.iter_mut().filter(|r| !r.ended) {
            if plan.crates.is_some() && !stop() {
                observer.starting(&Step { toolchain: &run.measured.toolchain, action: Action::CrateBuild });
                crate_build(runner, plan, work, run)?;
            }
        }
    }
    for run in runs.iter_mut().filter(|r| !r.ended) {
        if reason == Stop::Interrupted {
            run.measured.end = End::Interrupted;
        }
        run.ended = true;
        observer.finished(&run.measured);
    }
    // Later clean builds are not kept: the rebuilds' directory is the toolchain's build.
    for run in &runs {
        work.remove_target_dir(&run.scratch)?;
    }
    Ok(Outcome {
        measured: runs.into_iter().map(|r| r.measured).collect(),
        rounds: round,
        stop: reason,
        elapsed: elapsed(),
    })
}

/// Runs rounds of every subject (or only of subject `only`) until the plan says enough;
/// returns how many ran and why they stopped. `elapsed` is the time since these rounds began,
/// `share` turns the budget into what these rounds may spend.
#[allow(clippy::too_many_arguments)]
fn rounds_loop(
    runner: &dyn Runner,
    plan: &Plan,
    work: &WorkDir,
    files: &[ChangedFile<'_>],
    runs: &mut [Run],
    only: Option<usize>,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
    elapsed: &dyn Fn() -> Duration,
    share: &dyn Fn(Duration) -> Duration,
) -> Result<(usize, Stop)> {
    let mut round = 0;
    let reason = loop {
        if stop() {
            break Stop::Interrupted;
        }
        let cells = match next_round(plan, runs, round, elapsed(), only, share) {
            Ok(cells) => cells,
            Err(reason) => break reason,
        };
        observer.round_starting(round, cells.iter().map(|(_, subjects)| subjects.len()).sum());
        let mut interrupted = false;
        'round: for (scenario, indices) in &cells {
            for index in indices {
                if stop() {
                    interrupted = true;
                    break 'round;
                }
                let run = &mut runs[*index];
                if !run.measures(*scenario) {
                    continue;
                }
                let file = &files[run.measured.variant];
                timed_step(runner, plan, work, file, run, *scenario, round, observer, stop)?;
                if run.ended {
                    observer.finished(&run.measured);
                }
            }
        }
        if interrupted || stop() {
            break Stop::Interrupted;
        }
        round += 1;
        observer.round_done(&RoundDone { rounds: round, widest: widest(plan, runs, only), elapsed: elapsed() });
    };
    Ok((round, reason))
}

/// The cells of round `round`: per scenario, the subjects to build, in this round's order; or
/// why there is no such round.
fn next_round(
    plan: &Plan,
    runs: &[Run],
    round: usize,
    elapsed: Duration,
    only: Option<usize>,
    share: &dyn Fn(Duration) -> Duration,
) -> Result<Vec<(Scenario, Vec<usize>)>, Stop> {
    let alive: Vec<usize> = (0..runs.len()).filter(|i| !runs[*i].ended && only.is_none_or(|o| o == *i)).collect();
    if alive.is_empty() {
        return Err(Stop::NothingLeft);
    }
    let mut cells = Vec::new();
    match &plan.stopping {
        Stopping::Fixed(_) => {
            for scenario in &plan.scenarios {
                if round < plan.stopping.fixed(*scenario).unwrap_or(0) {
                    cells.push((*scenario, alive.iter().copied().filter(|i| runs[*i].measures(*scenario)).collect()));
                }
            }
        }
        Stopping::Precision(precision) => {
            if round >= precision.max_rounds {
                return Err(Stop::MaxRounds);
            }
            for scenario in &plan.scenarios {
                let wanted: Vec<usize> = match only {
                    // One subject alone: its own time is what the rule watches.
                    Some(i) => {
                        let width =
                            stats::geometric(&runs[i].measured.walls(*scenario)).and_then(|e| e.relative_half_width());
                        let more = round < precision.min_rounds || width.is_none_or(|w| w > precision.target);
                        if more && runs[i].measures(*scenario) { vec![i] } else { Vec::new() }
                    }
                    None => imprecise(plan, runs, *scenario, precision, round),
                };
                if !wanted.is_empty() {
                    cells.push((*scenario, wanted));
                }
            }
            if cells.is_empty() {
                return Err(Stop::Precise);
            }
            if round > 0 && elapsed + estimate(runs, &cells) > share(precision.budget) {
                return Err(Stop::Budget);
            }
        }
    }
    cells.retain(|(_, subjects)| !subjects.is_empty());
    if cells.is_empty() {
        return Err(if matches!(plan.stopping, Stopping::Fixed(_)) { Stop::Fixed } else { Stop::Precise });
    }
    Ok(order(plan, cells, round))
}

/// The subjects that need another round of `scenario`: all of them before the minimum, then
/// those whose interval is still wider than the target, with the baseline each pairs with.
fn imprecise(plan: &Plan, runs: &[Run], scenario: Scenario, precision: &Precision, round: usize) -> Vec<usize> {
    let measuring: Vec<usize> = (0..runs.len()).filter(|i| runs[*i].measures(scenario)).collect();
    if round < precision.min_rounds {
        return measuring;
    }
    let mut wanted: Vec<usize> = Vec::new();
    for (subject, base, width) in watched(plan, runs, scenario) {
        if width.is_none_or(|w| w > precision.target) && measuring.contains(&subject) {
            wanted.push(subject);
            if let Some(base) = base.filter(|b| measuring.contains(b)) {
                wanted.push(base);
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    wanted
}

/// What the stopping rule watches in `scenario`: each subject with the baseline it pairs with
/// (`None` when it is compared with nothing: a run of one toolchain, whose own time is watched)
/// and the relative half-width of that comparison's interval, `None` while there is none.
fn watched(plan: &Plan, runs: &[Run], scenario: Scenario) -> Vec<(usize, Option<usize>, Option<f64>)> {
    let with_samples: Vec<usize> = (0..runs.len())
        .filter(|i| !runs[*i].samples(scenario).is_empty() || runs[*i].measures(scenario))
        .filter(|i| !matches!(runs[*i].measured.end, End::Failed(_)))
        .collect();
    let main: Vec<usize> = with_samples.iter().copied().filter(|i| runs[*i].measured.variant == 0).collect();
    let mut out = Vec::new();
    let base = main.first().copied();
    if main.len() == 1 && plan.variants.len() == 1 {
        let width = stats::geometric(&runs[main[0]].measured.walls(scenario)).and_then(|e| e.relative_half_width());
        out.push((main[0], None, width));
    }
    for subject in main.iter().copied().filter(|s| Some(*s) != base) {
        let base = base.expect("a subject after the baseline");
        out.push((subject, Some(base), pair_width(&runs[base], &runs[subject], scenario)));
    }
    // `--baseline-rev`: today's tree against the revision, toolchain by toolchain.
    for other in with_samples.iter().copied().filter(|i| runs[*i].measured.variant != 0) {
        let same = main.iter().copied().find(|m| runs[*m].measured.toolchain == runs[other].measured.toolchain);
        if let Some(same) = same {
            out.push((same, Some(other), pair_width(&runs[other], &runs[same], scenario)));
        }
    }
    out
}

/// The relative half-width of the paired speedup of `subject` over `base` in `scenario`.
fn pair_width(base: &Run, subject: &Run, scenario: Scenario) -> Option<f64> {
    let pairs = pairs(base.samples(scenario), subject.samples(scenario));
    stats::paired_speedup(&pairs).and_then(|e| e.relative_half_width())
}

/// `(base, other)` wall times of the rounds both have.
pub(crate) fn pairs(base: &[Sample], other: &[Sample]) -> Vec<(f64, f64)> {
    base.iter().filter_map(|b| other.iter().find(|o| o.round == b.round).map(|o| (b.wall_s, o.wall_s))).collect()
}

/// The widest interval the stopping rule watches (of subject `only`, when set), with whose it
/// is.
fn widest(plan: &Plan, runs: &[Run], only: Option<usize>) -> Option<(f64, String)> {
    plan.scenarios
        .iter()
        .flat_map(|scenario| {
            let watched: Vec<(usize, Option<f64>)> = match only {
                Some(i) => vec![(
                    i,
                    stats::geometric(&runs[i].measured.walls(*scenario)).and_then(|e| e.relative_half_width()),
                )],
                None => watched(plan, runs, *scenario).into_iter().map(|(s, _, w)| (s, w)).collect(),
            };
            watched.into_iter().filter_map(move |(subject, width)| {
                Some((width?, format!("{} {scenario}", runs[subject].measured.toolchain)))
            })
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// How long `cells` will probably take: each build as long as its last one (or the scenario's
/// slowest so far), plus a rebuild for each toolchain whose edits need settling.
fn estimate(runs: &[Run], cells: &[(Scenario, Vec<usize>)]) -> Duration {
    let mut seconds = 0.0;
    for (scenario, subjects) in cells {
        let fallback = runs.iter().filter_map(|r| r.typical(*scenario)).fold(0.0, f64::max);
        for subject in subjects {
            seconds += runs[*subject].typical(*scenario).unwrap_or(fallback);
            if *scenario == Scenario::Touched && runs[*subject].unsettled {
                seconds += runs[*subject].typical(Scenario::Touched).unwrap_or(fallback);
            }
        }
    }
    Duration::from_secs_f64(seconds)
}

/// The order of the builds of each scenario in round `round`: rotating ([`round_order`]), or
/// oldest first for `--sequential`, which also runs one subject's rounds before the next's.
fn order(plan: &Plan, cells: Vec<(Scenario, Vec<usize>)>, round: usize) -> Vec<(Scenario, Vec<usize>)> {
    // `--sequential` builds one subject per call: nothing to order.
    cells
        .into_iter()
        .map(|(scenario, subjects)| {
            let ordered = match plan.order {
                Order::Rounds => round_order(subjects.len(), round).into_iter().map(|i| subjects[i]).collect(),
                Order::Sequential => subjects,
            };
            (scenario, ordered)
        })
        .collect()
}

/// Runs one timed build of `scenario` in `round` for `run`, with whatever untimed steps it needs
/// first: the warm-up, a full build for the rebuilds, the first rebuild, a settling rebuild.
#[allow(clippy::too_many_arguments)]
fn timed_step(
    runner: &dyn Runner,
    plan: &Plan,
    work: &WorkDir,
    file: &ChangedFile<'_>,
    run: &mut Run,
    scenario: Scenario,
    round: usize,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<()> {
    let variant = &plan.variants[run.measured.variant];
    let installed = run.installed.clone().expect("a toolchain that was not found has ended");
    if !run.warmed {
        observer.starting(&Step { toolchain: &run.measured.toolchain, action: Action::WarmUp });
        installed.warm_up();
        run.warmed = true;
    }
    if scenario == Scenario::Clean {
        // The first clean build fills `dev`, which the rebuilds then reuse; later ones go to
        // `scratch`, so the rebuilds' directory stays warm.
        let into = if run.dev_built { run.scratch.clone() } else { run.rebuilds.clone() };
        work.clear_target_dir(&into)?;
        observer.starting(&Step { toolchain: &run.measured.toolchain, action: Action::Timed { scenario, round } });
        let cmd = variant.recipe.command(&run.measured.toolchain, &installed, &into);
        let out = runner.run(&cmd)?;
        return record(plan, run, scenario, round, &cmd, &out, stop, false);
    }
    let cmd = variant.recipe.command(&run.measured.toolchain, &installed, &run.rebuilds);
    if !run.dev_built {
        work.clear_target_dir(&run.rebuilds)?;
        observer.starting(&Step { toolchain: &run.measured.toolchain, action: Action::Prime });
        let out = runner.run(&cmd)?;
        if !untimed_ok(plan, run, &cmd, &out, stop, false) {
            return Ok(());
        }
        run.dev_built = true;
        run.primed = false;
    }
    for (needed, action) in [(!run.primed, Action::FirstRebuild), (run.primed && run.unsettled, Action::Settle)] {
        if needed {
            observer.starting(&Step { toolchain: &run.measured.toolchain, action });
            file.touched.touch(touch_time(&run.rebuilds))?;
            let out = runner.run(&cmd)?;
            if !untimed_ok(plan, run, &cmd, &out, stop, true) {
                return Ok(());
            }
            (run.primed, run.unsettled) = (true, false);
        }
    }
    let edited = file.edited.filter(|_| scenario == Scenario::Edited);
    if let Some(edited) = edited {
        run.edits += 1;
        if !edited.apply(run.edits)? {
            let why = format!(
                "{} changed during the run, so it is left as you saved it and the edited rebuilds stopped",
                variant.verify.file
            );
            run.measured.scenario_errors.insert(scenario, why);
            return Ok(());
        }
        run.unsettled = true;
    }
    file.touched.touch(touch_time(&run.rebuilds))?;
    observer.starting(&Step { toolchain: &run.measured.toolchain, action: Action::Timed { scenario, round } });
    let out = runner.run(&cmd);
    let kept = match edited {
        Some(edited) => edited.revert(run.edits)?,
        None => true,
    };
    let out = out?;
    if !kept {
        let why = format!(
            "{} changed during an edited rebuild, so it is left as it is and the edited rebuilds stopped",
            variant.verify.file
        );
        run.measured.scenario_errors.insert(scenario, why);
        return Ok(());
    }
    record(plan, run, scenario, round, &cmd, &out, stop, true)
}

/// Whether an untimed build went through; if not, why is recorded (the toolchain fails, or the
/// run was interrupted).
fn untimed_ok(
    plan: &Plan,
    run: &mut Run,
    cmd: &CommandSpec,
    out: &Output,
    stop: &dyn Fn() -> bool,
    rebuild: bool,
) -> bool {
    let verify = &plan.variants[run.measured.variant].verify;
    if stop() {
        end(run, End::Interrupted);
    } else if !out.success() {
        let why = plan.variants[run.measured.variant].recipe.explain_failure(cmd, out, &run.measured.toolchain);
        end(run, End::Failed(why));
    } else if rebuild && !verify.compiled(&out.stderr) {
        end(run, End::Failed(verify.failure()));
    }
    !run.ended
}

/// Keeps the sample of a timed build, or what its failure means.
#[allow(clippy::too_many_arguments)]
fn record(
    plan: &Plan,
    run: &mut Run,
    scenario: Scenario,
    round: usize,
    cmd: &CommandSpec,
    out: &Output,
    stop: &dyn Fn() -> bool,
    rebuild: bool,
) -> Result<()> {
    let variant = &plan.variants[run.measured.variant];
    if stop() {
        // The build was stopped by the interruption: its time means nothing.
        end(run, End::Interrupted);
    } else if !out.success() && scenario == Scenario::Edited {
        // The same code built, touched and clean: the build failed on timewarp's edit.
        let error = first_error_line(&out.stderr).unwrap_or_else(|| out.status_text());
        let why = format!(
            "timewarp's edit of {} (a `#[used] static` appended) made the build fail: {error}",
            variant.verify.file
        );
        run.measured.scenario_errors.insert(scenario, why);
    } else if !out.success() {
        end(run, End::Failed(variant.recipe.explain_failure(cmd, out, &run.measured.toolchain)));
    } else if rebuild && !variant.verify.compiled(&out.stderr) {
        if scenario == Scenario::Edited {
            run.measured.scenario_errors.insert(scenario, variant.verify.failure());
        } else {
            end(run, End::Failed(variant.verify.failure()));
        }
    } else {
        if scenario == Scenario::Clean && !run.dev_built {
            (run.dev_built, run.primed, run.unsettled) = (true, false, false);
        }
        run.measured.samples.entry(scenario).or_default().push(Sample::of(round, out));
    }
    Ok(())
}

fn end(run: &mut Run, end: End) {
    run.measured.end = end;
    run.ended = true;
}

/// `--crates`: one clean build with every rustc run through the wrapper, which logs it; its
/// failure is kept beside the samples, which stay valid.
fn crate_build(runner: &dyn Runner, plan: &Plan, work: &WorkDir, run: &mut Run) -> Result<()> {
    let (Some(wrapper), Some(log), Some(installed)) = (&plan.crates, &run.crates_log, &run.installed) else {
        return Ok(());
    };
    let recipe = &plan.variants[run.measured.variant].recipe;
    work.clear_target_dir(&run.scratch)?;
    let build = recipe.command(&run.measured.toolchain, installed, &run.scratch);
    let wrapped = build.env("RUSTC_WRAPPER", wrapper).env(WRAPPER_LOG, log);
    let out = runner.run(&wrapped)?;
    run.measured.crates = Some(if out.success() {
        let invocations = read_log(log)?;
        Ok(CrateBuild { wall_s: out.elapsed.as_secs_f64(), invocations })
    } else {
        Err(recipe.explain_failure(&wrapped, &out, &run.measured.toolchain))
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
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

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

    fn fixed(clean: usize, rebuilds: usize, edited: bool) -> (Vec<Scenario>, Stopping) {
        let mut scenarios = vec![Scenario::Clean, Scenario::Touched];
        if edited {
            scenarios.push(Scenario::Edited);
        }
        let counts = scenarios.iter().map(|s| (*s, if *s == Scenario::Clean { clean } else { rebuilds })).collect();
        (scenarios, Stopping::Fixed(counts))
    }

    fn setup(scenarios: Vec<Scenario>, stopping: Stopping) -> Setup {
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
        let verify = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        let plan = Plan {
            variants: vec![Variant { tag: None, recipe, verify }],
            scenarios,
            stopping,
            order: Order::Rounds,
            crates: None,
        };
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
        rounds: Vec<RoundDone>,
    }

    impl Observer for Log {
        fn round_starting(&mut self, round: usize, builds: usize) {
            self.lines.push(format!("round {round}: {builds} builds"));
        }

        fn starting(&mut self, step: &Step<'_>) {
            let what = match step.action {
                Action::WarmUp => "warm-up".to_string(),
                Action::FirstRebuild => "first rebuild".to_string(),
                Action::Settle => "settle".to_string(),
                Action::Prime => "prime".to_string(),
                Action::CrateBuild => "crate build".to_string(),
                Action::Timed { scenario, .. } => scenario.to_string(),
            };
            self.lines.push(format!("{} {what}", step.toolchain));
        }

        fn round_done(&mut self, done: &RoundDone) {
            self.rounds.push(done.clone());
        }

        fn finished(&mut self, measured: &Measured) {
            self.lines.push(format!("{} ended {:?}", measured.toolchain, measured.end));
        }
    }

    fn run_with(s: &Setup, runner: &FakeRunner, toolchains: &[Toolchain], stop: &dyn Fn() -> bool) -> (Outcome, Log) {
        let touched = s.journal.touch(&s.file).unwrap();
        let edits = s.plan.scenarios.contains(&Scenario::Edited);
        let edited = edits.then(|| s.journal.edit(&s.file).unwrap());
        let files = [ChangedFile { touched: &touched, edited: edited.as_ref() }];
        let subjects: Vec<Subject<'_>> = toolchains.iter().map(|toolchain| Subject { toolchain, variant: 0 }).collect();
        let mut log = Log::default();
        let outcome = measure(runner, &s.plan, &subjects, &s.work, &files, &mut log, stop).unwrap();
        (outcome, log)
    }

    fn walls(measured: &Measured, scenario: Scenario) -> Vec<f64> {
        measured.walls(scenario)
    }

    #[test]
    fn a_round_times_each_scenario_once_with_the_untimed_steps_it_needs() {
        let (scenarios, stopping) = fixed(2, 2, true);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new()
            .ok("rustup which --toolchain 1.63.0 rustc", &s.rustc)
            .timed("build", &[10.0, 9.0, 1.0, 2.0, 12.0, 3.0, 1.1, 4.0]);
        let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let m = &outcome.measured[0];
        assert_eq!((m.end.clone(), outcome.rounds, outcome.stop), (End::Completed, 2, Stop::Fixed));
        assert_eq!(walls(m, Scenario::Clean), [10.0, 12.0]);
        assert_eq!(walls(m, Scenario::Touched), [1.0, 1.1], "neither the first rebuild (9 s) nor a settle is timed");
        assert_eq!(walls(m, Scenario::Edited), [2.0, 4.0]);
        assert_eq!(m.samples[&Scenario::Touched].iter().map(|s| s.round).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(
            log.lines,
            [
                "round 0: 3 builds",
                "1.63.0 warm-up",
                "1.63.0 clean",
                "1.63.0 first rebuild",
                "1.63.0 touched",
                "1.63.0 edited",
                "round 1: 3 builds",
                "1.63.0 clean",
                "1.63.0 settle",
                "1.63.0 touched",
                "1.63.0 edited",
                "1.63.0 ended Completed",
            ]
        );
        let cleans: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("build")).collect();
        assert!(
            cleans[0].contains("/1.63.0/rebuilds"),
            "the first clean build fills the rebuilds' directory: {cleans:?}"
        );
        assert!(cleans[4].contains("/1.63.0/scratch"), "later ones go to scratch: {cleans:?}");
        assert!(cleans.iter().skip(1).filter(|c| !c.contains("scratch")).all(|c| c.contains("/rebuilds")));
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}\n", "every edit is reverted");
        let dir = s.work.subject_dir(&toolchain("1.63.0"), None);
        assert_eq!(m.target_dir, dir.join("rebuilds"), "the rebuilds' directory is the toolchain's build");
        assert!(dir.join("rebuilds").is_dir() && !dir.join("scratch").exists(), "the scratch directory goes");
    }

    #[test]
    fn the_order_rotates_from_round_to_round() {
        let (scenarios, stopping) = fixed(2, 1, false);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
        let three = [toolchain("1.63.0"), toolchain("1.85.0"), toolchain("1.96.0")];
        let (_, log) = run_with(&s, &runner, &three, &|| false);
        let cleans: Vec<&str> =
            log.lines.iter().filter(|l| l.ends_with(" clean")).map(|l| l.split(' ').next().unwrap()).collect();
        assert_eq!(cleans.len(), 6);
        assert_ne!(cleans[..3], cleans[3..], "round 2 does not repeat round 1's order: {cleans:?}");
        assert_ne!(cleans[0], cleans[3], "no toolchain always goes first");
    }

    #[test]
    fn an_interruption_keeps_the_samples() {
        let (scenarios, stopping) = fixed(2, 3, false);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
        let builds = Cell::new(0);
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        let touched = s.journal.touch(&s.file).unwrap();
        let files = [ChangedFile { touched: &touched, edited: None }];
        let subjects: Vec<Subject<'_>> = both.iter().map(|toolchain| Subject { toolchain, variant: 0 }).collect();
        struct Counting<'a>(&'a Cell<usize>, Log);
        impl Observer for Counting<'_> {
            fn round_starting(&mut self, round: usize, builds: usize) {
                self.1.round_starting(round, builds);
            }
            fn starting(&mut self, step: &Step<'_>) {
                if matches!(step.action, Action::Timed { .. }) {
                    self.0.set(self.0.get() + 1);
                }
                self.1.starting(step);
            }
            fn round_done(&mut self, done: &RoundDone) {
                self.1.round_done(done);
            }
            fn finished(&mut self, measured: &Measured) {
                self.1.finished(measured);
            }
        }
        let stop = || builds.get() >= 3;
        let mut observer = Counting(&builds, Log::default());
        let outcome = measure(&runner, &s.plan, &subjects, &s.work, &files, &mut observer, &stop).unwrap();
        assert_eq!(builds.get(), 3, "no build starts after the stop request");
        let kept: usize = outcome.measured.iter().flat_map(|m| m.samples.values()).map(Vec::len).sum();
        assert_eq!(kept, 2, "the two builds finished before the stop are kept: {outcome:?}");
        assert!(outcome.measured.iter().all(|m| m.end == End::Interrupted));
        assert_eq!(outcome.stop, Stop::Interrupted);
    }

    #[test]
    fn a_failed_build_ends_its_toolchain_with_the_error_and_the_rest_goes_on() {
        let (scenarios, stopping) = fixed(1, 5, false);
        let s = setup(scenarios, stopping);
        let stderr = "   Compiling app v0.1.0\nerror[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5\nerror: could not compile `app`\n";
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("timewarp/1.63.0", output(Some(101), "", stderr, 1.0))
            .timed("timewarp/1.85.0", &[1.0]);
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let expected = "error[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5";
        assert_eq!(outcome.measured[0].end, End::Failed(expected.into()), "in rustc's own words");
        assert_eq!(outcome.measured[1].end, End::Completed);
        assert_eq!(walls(&outcome.measured[1], Scenario::Touched).len(), 5);
        let builds = runner.lines().iter().filter(|l| l.contains("timewarp/1.63.0")).count();
        assert_eq!(builds, 1, "no rebuild after a failure");
    }

    #[test]
    fn a_rebuild_that_compiles_nothing_fails_the_toolchain_with_a_sentence() {
        let (scenarios, stopping) = fixed(1, 3, false);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0))
            .answer("build", output(Some(0), "", "    Finished `dev` profile\n", 0.1));
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
        assert_eq!(
            outcome.measured[0].end,
            End::Failed("touching src/main.rs rebuilt nothing: no target of the build compiles it".into())
        );
        assert_eq!(walls(&outcome.measured[0], Scenario::Clean), [2.0]);
        assert!(walls(&outcome.measured[0], Scenario::Touched).is_empty(), "no number for a build that did nothing");
    }

    #[test]
    fn a_build_broken_by_the_edit_ends_only_the_edited_scenario() {
        let (scenarios, stopping) = fixed(2, 2, true);
        let s = setup(scenarios, stopping);
        let edited_fails = |_: usize, cmd: &CommandSpec| -> f64 {
            let _ = cmd;
            1.0
        };
        let _ = edited_fails;
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 5.0))
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0))
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0))
            .answer("build", output(Some(101), "", "error: expected expression, found `#`\n", 1.0))
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0));
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
        let m = &outcome.measured[0];
        assert_eq!(m.end, End::Completed, "{m:?}");
        assert_eq!((walls(m, Scenario::Clean).len(), walls(m, Scenario::Touched).len()), (2, 2));
        assert!(walls(m, Scenario::Edited).is_empty());
        assert_eq!(
            m.scenario_errors[&Scenario::Edited],
            "timewarp's edit of src/main.rs (a `#[used] static` appended) made the build fail: error: expected expression, found `#`"
        );
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}\n");
    }

    #[test]
    fn a_toolchain_rustup_cannot_resolve_fails_alone() {
        let (scenarios, stopping) = fixed(1, 1, false);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new().fail("rustup which", 1, "error: toolchain 'x' is not installed");
        let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let End::Failed(line) = &outcome.measured[0].end else { panic!("{:?}", outcome.measured[0].end) };
        assert!(line.contains("is not installed"), "{line}");
        assert_eq!(
            log.lines,
            [
                "1.63.0 ended Failed(\"`rustup which --toolchain 1.63.0 rustc` failed (exit status: 1): error: toolchain 'x' is not installed\")"
            ]
        );
        assert_eq!(outcome.stop, Stop::NothingLeft);
    }

    /// A build time of `base` seconds for `1.63.0` and `base / speedup` for `1.85.0`, times a
    /// factor from `noise` (log-normal, deterministic), times the machine's `drift(build)`.
    fn synthetic(
        base: f64,
        speedup: f64,
        noise: f64,
        drift: impl Fn(usize) -> f64 + Send + Sync + 'static,
    ) -> impl Fn(usize, &CommandSpec) -> f64 + Send + Sync + 'static {
        let counter = Arc::new(AtomicUsize::new(0));
        move |_, cmd| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let line = cmd.to_string();
            let time = if line.contains("timewarp/1.85.0") { base / speedup } else { base };
            // A SplitMix64 step turned into a normal deviate (Box–Muller).
            let mix = |x: u64| {
                let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
            };
            let (u1, u2) = (mix(2 * n as u64 + 1).max(1e-12), mix(2 * n as u64 + 2));
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            time * (noise * z).exp() * drift(n)
        }
    }

    fn precision(target: f64, budget_s: u64) -> Stopping {
        Stopping::Precision(Precision { target, budget: Duration::from_secs(budget_s), ..Precision::DEFAULT })
    }

    #[test]
    fn the_stopping_rule_ends_early_on_quiet_data_and_spends_the_budget_on_noisy_data() {
        let scenarios = vec![Scenario::Clean, Scenario::Touched];
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        // Quiet: 0.5 % noise, so the minimum of five rounds pins every speedup within ±5 %.
        let s = setup(scenarios.clone(), precision(0.05, 3600));
        let runner =
            FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, 1.25, 0.005, |_| 1.0));
        let (quiet, log) = run_with(&s, &runner, &both, &|| false);
        assert_eq!((quiet.rounds, quiet.stop), (Precision::DEFAULT.min_rounds, Stop::Precise), "{:?}", log.rounds);
        // Noisy: 30 % noise never gets within ±2 %; the 10-minute budget ends it.
        let s = setup(scenarios, precision(0.02, 600));
        let runner =
            FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, 1.25, 0.3, |_| 1.0));
        let (noisy, log) = run_with(&s, &runner, &both, &|| false);
        assert_eq!(noisy.stop, Stop::Budget, "{:?}", log.rounds);
        assert!(noisy.rounds > Precision::DEFAULT.min_rounds, "it spent more rounds: {}", noisy.rounds);
        assert!(noisy.elapsed <= Duration::from_secs(600), "and never more than the budget: {:?}", noisy.elapsed);
        assert!(noisy.elapsed > Duration::from_secs(450), "but most of it: {:?}", noisy.elapsed);
        let widest = log.rounds.last().unwrap().widest.clone().unwrap();
        assert!(widest.0 > 0.02, "the progress shows the widest interval: {widest:?}");
    }

    #[test]
    fn a_round_leaves_out_what_is_precise_but_keeps_the_baseline_it_pairs_with() {
        let scenarios = vec![Scenario::Clean, Scenario::Touched];
        let s = setup(scenarios, precision(0.05, 3600));
        // Clean builds are quiet, touched rebuilds noisy: later rounds rebuild, and clean no more.
        let quiet_clean = synthetic(10.0, 1.25, 0.005, |_| 1.0);
        let noisy_touched = synthetic(1.0, 1.25, 0.1, |_| 1.0);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", move |n, cmd| {
            if cmd.to_string().contains("/scratch") || n < 2 { quiet_clean(n, cmd) } else { noisy_touched(n, cmd) }
        });
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let min = Precision::DEFAULT.min_rounds;
        assert!(outcome.rounds > min, "{outcome:?}");
        for m in &outcome.measured {
            assert_eq!(walls(m, Scenario::Clean).len(), min, "clean was precise after the minimum: {m:?}");
            assert_eq!(walls(m, Scenario::Touched).len(), outcome.rounds, "the baseline pairs every round");
        }
    }

    /// A machine whose speed drifts by 20 % over the run: pairing the two toolchains' builds of
    /// each round cancels it; the sequential schedule's unpaired estimate keeps it.
    #[test]
    fn a_linear_drift_leaves_the_paired_estimate_within_one_percent() {
        let truth = 1.25;
        let scenarios = vec![Scenario::Clean];
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        let mut errors = (Vec::new(), Vec::new());
        for order in [Order::Rounds, Order::Sequential] {
            let mut s = setup(scenarios.clone(), Stopping::Fixed(BTreeMap::from([(Scenario::Clean, 10)])));
            s.plan.order = order;
            let drift = |n: usize| 1.0 + 0.2 * n as f64 / 20.0;
            let runner =
                FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, truth, 0.01, drift));
            let (outcome, _) = run_with(&s, &runner, &both, &|| false);
            let (base, new) =
                (&outcome.measured[0].samples[&Scenario::Clean], &outcome.measured[1].samples[&Scenario::Clean]);
            let paired = stats::paired_speedup(&pairs(base, new)).unwrap().point;
            let unpaired = stats::unpaired_speedup(
                &outcome.measured[0].walls(Scenario::Clean),
                &outcome.measured[1].walls(Scenario::Clean),
            )
            .unwrap()
            .point;
            match order {
                Order::Rounds => errors.0.push((paired / truth - 1.0).abs()),
                Order::Sequential => errors.1.push((unpaired / truth - 1.0).abs()),
            }
        }
        assert!(errors.0[0] < 0.01, "paired in rounds: off by {:.2}%", errors.0[0] * 100.0);
        assert!(errors.1[0] > 0.05, "unpaired after all of one toolchain's builds: off by {:.2}%", errors.1[0] * 100.0);
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
    fn verification_reads_cargos_compiling_and_checking_lines() {
        let v = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        assert!(v.compiled("   Compiling app v0.1.0 (/w)\n    Finished"));
        assert!(v.compiled("    Checking app v0.1.0 (/w)\n"));
        assert!(!v.compiled("   Compiling application v0.1.0 (/w)\n"), "another package");
        assert!(!v.compiled("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.02s\n"));
        let any = Verification { package: None, file: "build-helpers/x.rs".into() };
        assert!(any.compiled("   Compiling whatever v2.0.0\n"));
    }
}
