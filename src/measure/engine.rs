//! The one measurement loop, in rounds. A round builds every selected toolchain once in each
//! scenario, scenario by scenario in the order of [`Scenario::ALL`], each in an order that
//! rotates from round to round ([`round_order`], a Williams design), so no toolchain always goes
//! first or always follows the same neighbour. A toolchain's samples are paired with the
//! baseline's of the same round, so a machine's drift between rounds cancels out of every
//! speedup.
//!
//! Each toolchain (each *subject*: a toolchain, and with `--baseline-rev` the revision it
//! builds) has a directory of its own with two target directories: `rebuilds`, which the first
//! clean build of a kind some rebuild needs fills, and every rebuild then reuses, and `scratch`,
//! emptied before every other clean build and removed when the run ends. Builds of each kind
//! (`cargo build`, `cargo check`, `cargo test --no-run`, per profile) keep their own artifacts
//! there, and each kind has its own untimed steps: a full build when no clean build made one
//! (*prime*), one untimed rebuild after touching the file before its first timed rebuild (the
//! first rebuild after a full build is slower than the rest, as hyperfine's warm-up knows), and
//! an untimed rebuild after an edit was reverted (*settle*: an edited file, or the deep library,
//! is back as it was, and the next rebuild must not compile that change). Its compiler's
//! libraries are read into the page cache before its first build (untimed). Every rebuild must
//! show cargo compiling what it changed (the touched file's package; for `deep`, the library and
//! its dependents), or the scenario fails with a sentence saying so instead of reporting the
//! time of a build that did nothing.
//!
//! With link time apart, every build runs with the link timer on `PATH` (see `linker`), and a
//! timed build's sample keeps the time during which rustc's linkers ran.
//!
//! How many rounds: a fixed number per scenario (`--runs` and friends), or, by default, at
//! least [`Precision::min_rounds`], then more while some speedup's 95 % interval is wider than
//! the precision asked for and the next round fits the budget. A round leaves out the rows
//! already precise enough in a scenario, but always keeps the baseline row they pair with.
//!
//! A failed build ends the scenarios of its kind for its toolchain (an old cargo that cannot build
//! the tests still has its other scenarios measured), and the toolchain once none is left; a
//! build that fails only because of timewarp's edit, or an edit the user saved meanwhile, ends
//! only that scenario. A toolchain below a scenario's own floor (a dev-dependency's
//! `rust-version`, for `test`) skips that scenario with the reason. An interruption ends them
//! all. Either way the samples taken so far are kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;

use super::build::{InstalledToolchain, Kind, Recipe, SinceLocated};
use super::journal::{EditStyle, EditedFile, Journal, TouchedFile};
use super::linker::{LinkLog, LinkTime};
use super::schedule::round_order;
use super::workdir::WorkDir;
use super::wrapper::{Invocation, WRAPPER_LOG, read_log};
use crate::discover::toolchain::Toolchain;
use crate::discover::workspace::{DeepLibrary, Workspace};
use crate::process::{CommandSpec, Output, Runner, first_error_line};
use crate::stats;
use crate::vocab::{Change, Scenario, Start};

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
    /// `--max-regression` with `--baseline-rev`, percent: a change of the tree against the
    /// revision stays open, precise or not, until the gate decides it (the whole interval beyond
    /// the limit or within it), so a +300 % slowdown decides in two or three rounds and a change
    /// near the limit gets the rounds it needs.
    pub gate_pct: Option<f64>,
}

impl Precision {
    /// The default: ±5 % within 20 minutes, 5 to 30 rounds. Five, not three: an interval from
    /// three rounds that agreed by luck stopped a real run (ouch 0.4.2's clean builds) on a
    /// ±4.4 % that missed; in the simulation of `stats` five rounds raise the coverage at σ 5 %
    /// from 90 % to 93 % for half a round more on average.
    pub(crate) const DEFAULT: Precision =
        Precision { target: 0.05, budget: Duration::from_secs(20 * 60), min_rounds: 5, max_rounds: 30, gate_pct: None };
}

impl Stopping {
    /// Fixed rounds: `clean` of every scenario that starts from an empty directory, `rebuilds`
    /// of the others.
    pub(crate) fn fixed_rounds(scenarios: &[Scenario], clean: usize, rebuilds: usize) -> Stopping {
        let count = |s: &Scenario| if s.start() == Start::Empty { clean } else { rebuilds };
        Stopping::Fixed(scenarios.iter().map(|s| (*s, count(s))).collect())
    }

    /// The two-sided level of the intervals this rule watches: the 95 % one for fixed rounds,
    /// whose number does not depend on the data, and for the precision rule the level that keeps
    /// 95 % after stopping when precise ([`stats::STOPPING_CONFIDENCE`]).
    pub(crate) fn confidence(&self) -> f64 {
        match self {
            Stopping::Fixed(_) => stats::CONFIDENCE,
            Stopping::Precision(_) => stats::STOPPING_CONFIDENCE,
        }
    }

    /// The two-sided level of the interval the gate decides on: [`stats::GATE_CONFIDENCE`] when
    /// rounds are added until the gate decides (it looks again every round), else the level the
    /// rule watches.
    pub(crate) fn gate_confidence(&self) -> f64 {
        match self {
            Stopping::Precision(p) if p.gate_pct.is_some() => stats::GATE_CONFIDENCE,
            _ => self.confidence(),
        }
    }

    /// The rounds a scenario gets when they are fixed.
    fn fixed(&self, scenario: Scenario) -> Option<usize> {
        match self {
            Stopping::Fixed(counts) => Some(counts.get(&scenario).copied().unwrap_or(0)),
            Stopping::Precision(_) => None,
        }
    }
}

/// What the toolchains build: the working tree (or the `--rev` copy), and with `--baseline-rev`
/// a second tree, each with its recipe and the proof its rebuilds must show.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    /// How target directories of this variant are told apart (`None` for the tree measured).
    pub tag: Option<String>,
    /// The recipe of every build.
    pub recipe: Recipe,
    /// What every rebuild after touching or editing the file must show cargo compiling.
    pub verify: Verification,
    /// What the `deep` rebuilds edit, and must show; `None` when no library has a dependent.
    pub deep: Option<DeepEdit>,
}

/// The `deep` scenario's edit: a public item appended to the root file of the library most
/// built members depend on; each rebuild must show the library and a dependent compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeepEdit {
    /// The library's package.
    pub package: String,
    /// Its root file, as sentences name it (relative to the workspace root).
    pub file: String,
    /// The built packages that depend on it.
    pub dependents: Vec<String>,
}

impl DeepEdit {
    /// The edit of `library` in `workspace`.
    pub(crate) fn new(workspace: &Workspace, library: &DeepLibrary) -> DeepEdit {
        let file = library.file.strip_prefix(&workspace.root).unwrap_or(&library.file).display().to_string();
        DeepEdit { package: library.package.clone(), file, dependents: library.dependents.clone() }
    }

    /// Whether cargo's output shows the library and at least one dependent compiling.
    fn compiled(&self, stderr: &str) -> bool {
        let names: Vec<&str> = compiled_packages(stderr).collect();
        names.contains(&self.package.as_str()) && self.dependents.iter().any(|d| names.contains(&d.as_str()))
    }

    fn failure(&self) -> String {
        format!(
            "a new public item in {} did not rebuild both `{}` and a package that depends on it",
            self.file, self.package
        )
    }
}

/// The packages cargo's output shows compiling or checking, one per `Compiling NAME vX` line.
fn compiled_packages(stderr: &str) -> impl Iterator<Item = &str> {
    stderr.lines().map(str::trim_start).filter_map(|line| {
        let rest = line.strip_prefix("Compiling ").or_else(|| line.strip_prefix("Checking "))?;
        rest.split(' ').next()
    })
}

/// A scenario's own floor: toolchains below it skip the scenario (the `test` scenario below a
/// dev-dependency's `rust-version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScenarioFloor {
    /// The lowest version that can run the scenario.
    pub version: semver::Version,
    /// Why, as a phrase: `1.65 (rust-version of hashbrown 0.15.2, which the tests of `app` build)`.
    pub reason: String,
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
    /// `--crates`: the binary to run as `RUSTC_WRAPPER` in one extra clean build per toolchain.
    pub crates: Option<PathBuf>,
    /// Scenarios with a floor of their own.
    pub floors: BTreeMap<Scenario, ScenarioFloor>,
}

impl Plan {
    /// The kind of `scenario`'s builds.
    pub(crate) fn kind(&self, scenario: Scenario) -> Kind {
        Kind::of(scenario, &self.variants[0].recipe.profile)
    }

    /// Whether some rebuild scenario reuses builds of `kind`.
    fn rebuilt(&self, kind: &Kind) -> bool {
        self.scenarios.iter().any(|s| s.start() == Start::Rebuild && self.kind(*s) == *kind)
    }
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
        let mut names = compiled_packages(stderr).peekable();
        match &self.package {
            Some(package) => names.any(|name| name == package),
            None => names.peek().is_some(),
        }
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
    /// How long rustc's linkers ran during the build, when link time is measured.
    pub link: Option<LinkTime>,
    /// For a rebuild: how many crates cargo compiled (or checked).
    pub compiled: Option<usize>,
}

impl Sample {
    fn of(round: usize, out: &Output, link: Option<LinkTime>, rebuild: bool) -> Sample {
        Sample {
            round,
            wall_s: out.elapsed.as_secs_f64(),
            cpu_s: out.cpu.map(|c| c.as_secs_f64()),
            peak_rss: out.peak_rss,
            link,
            compiled: rebuild.then(|| compiled_packages(&out.stderr).count()),
        }
    }
}

/// A timewarp held up this long while a timed build ran (stopped by Ctrl-Z or SIGSTOP, or the
/// machine seized) has its sample set aside, when the stop is also at least [`PAUSE_SHARE`] of
/// the build's wall time: builds run in process groups of their own and go on while timewarp is
/// stopped, so the wall time, read when timewarp runs again, holds up to the whole stop.
const PAUSE_FLOOR: Duration = Duration::from_millis(100);
/// See [`PAUSE_FLOOR`]: a stop of 1 % of a 100 s clean build does not cost that build again.
const PAUSE_SHARE: f64 = 0.01;
/// A cell is built at most this many more times in a round when its builds keep being held up;
/// then that round has no sample of it.
pub(crate) const MAX_REDOS: usize = 3;

/// A timed build whose sample was set aside, and the build done again in the same round:
/// timewarp itself was held up while it ran, so its wall time was not the build's alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Redone {
    /// The scenario.
    pub scenario: Scenario,
    /// The round, from 0.
    pub round: usize,
    /// The wall time set aside, in seconds.
    pub wall_s: f64,
    /// The longest stretch during the build in which timewarp did not run, in seconds.
    pub paused_s: f64,
    /// Whether the build was done again (not after [`MAX_REDOS`] in one round).
    pub again: bool,
}

/// Whether `out`'s wall time holds a stop of timewarp that matters (see [`PAUSE_FLOOR`]).
fn held_up(out: &Output) -> bool {
    out.paused >= PAUSE_FLOOR && out.paused.as_secs_f64() >= PAUSE_SHARE * out.elapsed.as_secs_f64()
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
    /// Timed builds set aside because timewarp was held up while they ran; each was done again
    /// in its round, up to [`MAX_REDOS`] times a round.
    pub redone: Vec<Redone>,
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
    /// `toolchain`'s timed build was set aside (and is done again, unless it was held up too
    /// often in this round).
    fn redone(&mut self, toolchain: &Toolchain, redone: &Redone) {
        let _ = (toolchain, redone);
    }
}

/// The user's files the rebuilds change, per variant: the touched file's mtime, its content for
/// `edited`, and the deep library's root file for `deep`.
#[derive(Clone, Copy)]
pub(crate) struct ChangedFile<'a> {
    /// Touched before each rebuild.
    pub touched: &'a TouchedFile,
    /// Edited before each `edited` rebuild and reverted after it.
    pub edited: Option<&'a EditedFile>,
    /// The deep library's root file: edited before each `deep` rebuild (and its mtime set),
    /// reverted after it.
    pub deep: Option<(&'a TouchedFile, &'a EditedFile)>,
}

/// Where one kind of build stands in a subject's `rebuilds` directory.
#[derive(Debug, Clone, Copy, Default)]
struct KindState {
    /// It holds a complete build of this kind of the current files.
    built: bool,
    /// The first rebuild after that build ran.
    primed: bool,
    /// It was last built from an edit since reverted.
    unsettled: bool,
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
    /// Whether anything was built in `rebuilds` yet.
    rebuilds_used: bool,
    /// Each kind's state in `rebuilds`.
    kinds: BTreeMap<Kind, KindState>,
    /// Edits applied so far (each edit's content differs).
    edits: usize,
    /// Where its builds log their links, when link time is measured.
    link_log: Option<LinkLog>,
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
            redone: Vec::new(),
        };
        let timed_links = plan.variants[subject.variant].recipe.link_dir.is_some();
        let link_log = timed_links.then(|| LinkLog::new(dir.join("link.jsonl")));
        let mut run = Run {
            measured,
            installed,
            rebuilds: dir.join("rebuilds"),
            scratch: dir.join("scratch"),
            warmed: false,
            rebuilds_used: false,
            kinds: BTreeMap::new(),
            edits: 0,
            link_log,
            crates_log,
            ended,
        };
        if !run.ended {
            let v = &subject.toolchain.version;
            let below = |floor: &ScenarioFloor| (v.major, v.minor) < (floor.version.major, floor.version.minor);
            for (scenario, floor) in plan.floors.iter().filter(|(s, f)| plan.scenarios.contains(s) && below(f)) {
                let why = format!("below {}, a floor of the `{scenario}` scenario alone", floor.reason);
                run.measured.scenario_errors.insert(*scenario, why);
            }
            if plan.scenarios.contains(&Scenario::Deep) && plan.variants[subject.variant].deep.is_none() {
                // The `--baseline-rev` tree may have no library another built package uses.
                let why = "this tree has no library that another built package depends on".to_string();
                run.measured.scenario_errors.insert(Scenario::Deep, why);
            }
            run.end_if_nothing_left(plan);
        }
        run
    }

    /// Ends the subject as failed once every scenario of the plan stopped with an error: the
    /// first scenario's error is the row's, and the scenario errors that say the same go.
    fn end_if_nothing_left(&mut self, plan: &Plan) {
        let errors = &self.measured.scenario_errors;
        if self.ended || !plan.scenarios.iter().all(|s| errors.contains_key(s)) {
            return;
        }
        let first = errors[&plan.scenarios[0]].clone();
        self.measured.scenario_errors.retain(|_, why| *why != first);
        end(self, End::Failed(first));
    }

    /// Stops every scenario of `kind` with `why` (a build of that kind failed), and the subject
    /// when none is left.
    fn fail_kind(&mut self, plan: &Plan, kind: &Kind, why: String) {
        for scenario in plan.scenarios.iter().filter(|s| plan.kind(**s) == *kind) {
            self.measured.scenario_errors.entry(*scenario).or_insert_with(|| why.clone());
        }
        self.end_if_nothing_left(plan);
    }

    /// The state of `kind`'s builds in `rebuilds`.
    fn kind(&mut self, kind: &Kind) -> &mut KindState {
        self.kinds.entry(kind.clone()).or_default()
    }

    /// Whether this subject still measures `scenario`.
    fn measures(&self, scenario: Scenario) -> bool {
        !self.ended && !self.measured.scenario_errors.contains_key(&scenario)
    }

    /// Whether this subject still measures some scenario of `kind`.
    fn measures_kind(&self, plan: &Plan, kind: &Kind) -> bool {
        plan.scenarios.iter().any(|s| plan.kind(*s) == *kind && self.measures(*s))
    }

    fn samples(&self, scenario: Scenario) -> &[Sample] {
        self.measured.samples.get(&scenario).map_or(&[], Vec::as_slice)
    }

    /// The wall time this subject's next build of `scenario` will probably take.
    fn typical(&self, scenario: Scenario) -> Option<f64> {
        self.samples(scenario).last().map(|s| s.wall_s)
    }
}

/// The files the rebuilds of one variant change: the touched file, and the deep library's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paths {
    /// Touched before every rebuild, edited for `edited`.
    pub touched: PathBuf,
    /// Edited for `deep`.
    pub deep: Option<PathBuf>,
}

/// [`measure`], changing each variant's files at `paths[variant]` before the rebuilds: their
/// changes are registered in `journal` before they are made, and undone before this returns.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure_changing(
    runner: &dyn Runner,
    plan: &Plan,
    subjects: &[Subject<'_>],
    work: &WorkDir,
    journal: &Journal,
    paths: &[Paths],
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<Outcome> {
    // `try`: the arms build today's tree, so variants with the same files share one registration
    // of them, as the toolchains of one variant do; `files` is mapped back to every variant below.
    let owner: Vec<usize> = (0..paths.len()).map(|i| paths.iter().position(|p| *p == paths[i]).unwrap_or(i)).collect();
    let distinct: Vec<usize> = (0..paths.len()).filter(|i| owner[*i] == *i).collect();
    let paths: Vec<Paths> = distinct.iter().map(|i| paths[*i].clone()).collect();
    let paths = paths.as_slice();
    let edits = plan.scenarios.contains(&Scenario::Edited);
    let deep = plan.scenarios.contains(&Scenario::Deep);
    let touched: Vec<TouchedFile> = paths.iter().map(|p| journal.touch(&p.touched)).collect::<Result<_>>()?;
    let edited: Vec<Option<EditedFile>> = paths
        .iter()
        .map(|p| edits.then(|| journal.edit(&p.touched, EditStyle::Private)).transpose())
        .collect::<Result<_>>()?;
    // The edit before the touch in each pair: on an early return they drop in that order, so
    // the content is back before the modification time is compared with it.
    let deep: Vec<Option<(EditedFile, TouchedFile)>> = paths
        .iter()
        .map(|p| match (&p.deep, deep) {
            (Some(file), true) => {
                let touched = journal.touch(file)?;
                Ok(Some((journal.edit(file, EditStyle::Public)?, touched)))
            }
            _ => Ok(None),
        })
        .collect::<Result<_>>()?;
    let files: Vec<ChangedFile<'_>> = touched
        .iter()
        .zip(&edited)
        .zip(&deep)
        .map(|((touched, edited), deep)| ChangedFile {
            touched,
            edited: edited.as_ref(),
            deep: deep.as_ref().map(|(e, t)| (t, e)),
        })
        .collect();
    let files: Vec<ChangedFile<'_>> =
        owner.iter().map(|o| files[distinct.iter().position(|d| d == o).unwrap_or(0)]).collect();
    let outcome = measure(runner, plan, subjects, work, &files, observer, stop)?;
    for (edited, touched) in deep.into_iter().flatten() {
        edited.restore()?;
        touched.restore()?;
    }
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
    let (round, reason) = rounds_loop(runner, plan, work, files, &mut runs, observer, stop, &elapsed)?;
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

/// Runs rounds of every subject until the plan says enough; returns how many ran and why they
/// stopped. `elapsed` is the time since the rounds began.
#[allow(clippy::too_many_arguments)]
fn rounds_loop(
    runner: &dyn Runner,
    plan: &Plan,
    work: &WorkDir,
    files: &[ChangedFile<'_>],
    runs: &mut [Run],
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
    elapsed: &dyn Fn() -> Duration,
) -> Result<(usize, Stop)> {
    let mut round = 0;
    // A scenario left out because its round no longer fit the budget: the run then ends on the
    // budget even when the cheaper scenarios went on to be precise or to their most rounds.
    let mut left_out = false;
    let reason = loop {
        if stop() {
            break Stop::Interrupted;
        }
        let cells = match next_round(plan, runs, round, elapsed()) {
            Ok((cells, cut)) => {
                left_out = cut;
                cells
            }
            Err(Stop::Precise | Stop::MaxRounds) if left_out => break Stop::Budget,
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
                for attempt in 0..=MAX_REDOS {
                    let set_aside = run.measured.redone.len();
                    timed_step(runner, plan, work, file, run, *scenario, round, observer, stop)?;
                    match run.measured.redone.get_mut(set_aside) {
                        Some(redone) if !run.ended => {
                            redone.again = attempt < MAX_REDOS;
                            observer.redone(&run.measured.toolchain, redone);
                        }
                        _ => break,
                    }
                }
                if run.ended {
                    observer.finished(&run.measured);
                }
            }
        }
        if interrupted || stop() {
            break Stop::Interrupted;
        }
        round += 1;
        observer.round_done(&RoundDone { rounds: round, widest: widest(plan, runs), elapsed: elapsed() });
    };
    Ok((round, reason))
}

/// One scenario of a round and the subjects it builds, in order.
type Cell = (Scenario, Vec<usize>);

/// The cells of round `round`: per scenario, the subjects to build, in this round's order, and
/// whether a scenario was left out because its builds no longer fit the budget; or why there is
/// no such round.
fn next_round(plan: &Plan, runs: &[Run], round: usize, elapsed: Duration) -> Result<(Vec<Cell>, bool), Stop> {
    let alive: Vec<usize> = (0..runs.len()).filter(|i| !runs[*i].ended).collect();
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
                let wanted = imprecise(plan, runs, *scenario, precision, round);
                if !wanted.is_empty() {
                    cells.push((*scenario, wanted));
                }
            }
            if cells.is_empty() {
                return Err(Stop::Precise);
            }
            if round > 0 {
                let cut = fit_budget(plan, runs, &mut cells, precision.budget.saturating_sub(elapsed));
                if cells.is_empty() {
                    return Err(Stop::Budget);
                }
                return Ok((order(cells, round), cut));
            }
        }
    }
    cells.retain(|(_, subjects)| !subjects.is_empty());
    if cells.is_empty() {
        return Err(if matches!(plan.stopping, Stopping::Fixed(_)) { Stop::Fixed } else { Stop::Precise });
    }
    Ok((order(cells, round), false))
}

/// Leaves out of `cells` the scenarios whose builds do not fit in `left`, the costliest first,
/// so the cheaper ones keep their rounds until they are precise or the budget ends: a round of
/// clean builds that no longer fits must not end the rebuilds' rounds, which cost seconds.
/// Whether any was left out.
fn fit_budget(plan: &Plan, runs: &[Run], cells: &mut Vec<Cell>, left: Duration) -> bool {
    let mut dropped = Vec::new();
    while !cells.is_empty() && estimate(plan, runs, cells) > left {
        let cost = |i: usize| estimate(plan, runs, &cells[i..=i]);
        let costliest = (0..cells.len()).max_by_key(|i| cost(*i)).expect("not empty");
        dropped.push(cells.remove(costliest));
    }
    // A cell left out early may fit in what the costlier ones left: give it back, cheapest first.
    dropped.sort_by_key(|cell| estimate(plan, runs, std::slice::from_ref(cell)));
    let mut cut = false;
    for cell in dropped {
        cells.push(cell);
        if estimate(plan, runs, cells) > left {
            cells.pop();
            cut = true;
        }
    }
    cut
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
        let undecided =
            base.is_some_and(|b| runs[b].measured.variant != 0 && gate_open(runs, b, subject, scenario, precision));
        if (undecided || width.is_none_or(|w| w > precision.target)) && measuring.contains(&subject) {
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

/// Whether the gate has yet to decide the change of `subject` (today's tree) against `revision`
/// (the `--baseline-rev` build of the same toolchain) in `scenario`.
fn gate_open(runs: &[Run], revision: usize, subject: usize, scenario: Scenario, precision: &Precision) -> bool {
    let Some(limit) = precision.gate_pct else { return false };
    let pairs = pairs(runs[revision].samples(scenario), runs[subject].samples(scenario));
    stats::paired_speedup_at(&pairs, stats::GATE_CONFIDENCE)
        .is_none_or(|speedup| stats::gate(&speedup.inverse(), limit) == stats::Gate::Undecided)
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
    let confidence = plan.stopping.confidence();
    if main.len() == 1 && plan.variants.len() == 1 {
        let walls = runs[main[0]].measured.walls(scenario);
        let width = stats::geometric_at(&walls, confidence).and_then(|e| e.relative_half_width());
        out.push((main[0], None, width));
    }
    for subject in main.iter().copied().filter(|s| Some(*s) != base) {
        let base = base.expect("a subject after the baseline");
        out.push((subject, Some(base), pair_width(&runs[base], &runs[subject], scenario, confidence)));
    }
    // `--baseline-rev`: today's tree against the revision, toolchain by toolchain.
    for other in with_samples.iter().copied().filter(|i| runs[*i].measured.variant != 0) {
        let same = main.iter().copied().find(|m| runs[*m].measured.toolchain == runs[other].measured.toolchain);
        if let Some(same) = same {
            out.push((same, Some(other), pair_width(&runs[other], &runs[same], scenario, confidence)));
        }
    }
    out
}

/// The relative half-width of the paired speedup of `subject` over `base` in `scenario`, at
/// two-sided level `confidence`.
fn pair_width(base: &Run, subject: &Run, scenario: Scenario, confidence: f64) -> Option<f64> {
    let pairs = pairs(base.samples(scenario), subject.samples(scenario));
    stats::paired_speedup_at(&pairs, confidence).and_then(|e| e.relative_half_width())
}

/// `(base, other)` wall times of the rounds both have.
pub(crate) fn pairs(base: &[Sample], other: &[Sample]) -> Vec<(f64, f64)> {
    pairs_by(base, other, |s| Some(s.wall_s))
}

/// `(base, other)` values of `part` of the rounds both have, where both have one.
pub(crate) fn pairs_by(base: &[Sample], other: &[Sample], part: impl Fn(&Sample) -> Option<f64>) -> Vec<(f64, f64)> {
    base.iter()
        .filter_map(|b| {
            let o = other.iter().find(|o| o.round == b.round)?;
            Some((part(b)?, part(o)?))
        })
        .collect()
}

/// The widest interval the stopping rule watches, with whose it is.
fn widest(plan: &Plan, runs: &[Run]) -> Option<(f64, String)> {
    plan.scenarios
        .iter()
        .flat_map(|scenario| {
            watched(plan, runs, *scenario).into_iter().filter_map(move |(subject, _, width)| {
                Some((width?, format!("{} {scenario}", runs[subject].measured.toolchain)))
            })
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// How long `cells` will probably take: each build as long as its last one (or the scenario's
/// slowest so far), plus a rebuild for each toolchain whose edits need settling.
fn estimate(plan: &Plan, runs: &[Run], cells: &[(Scenario, Vec<usize>)]) -> Duration {
    let mut seconds = 0.0;
    for (scenario, subjects) in cells {
        let fallback = runs.iter().filter_map(|r| r.typical(*scenario)).fold(0.0, f64::max);
        let kind = plan.kind(*scenario);
        for subject in subjects {
            let run = &runs[*subject];
            seconds += run.typical(*scenario).unwrap_or(fallback);
            if scenario.start() == Start::Rebuild && run.kinds.get(&kind).is_some_and(|k| k.unsettled) {
                seconds += run.typical(*scenario).unwrap_or(fallback);
            }
        }
    }
    Duration::from_secs_f64(seconds)
}

/// The order of the builds of each scenario in round `round`: rotating ([`round_order`]).
fn order(cells: Vec<(Scenario, Vec<usize>)>, round: usize) -> Vec<(Scenario, Vec<usize>)> {
    cells
        .into_iter()
        .map(|(scenario, subjects)| {
            let ordered = round_order(subjects.len(), round).into_iter().map(|i| subjects[i]).collect();
            (scenario, ordered)
        })
        .collect()
}

/// Runs one timed build of `scenario` in `round` for `run`, with whatever untimed steps it needs
/// first: the warm-up, a full build of its kind for the rebuilds, the first rebuild, a settling
/// rebuild.
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
    let toolchain = run.measured.toolchain.clone();
    if !run.warmed {
        observer.starting(&Step { toolchain: &toolchain, action: Action::WarmUp });
        installed.warm_up();
        run.warmed = true;
    }
    let kind = plan.kind(scenario);
    let timed = Step { toolchain: &toolchain, action: Action::Timed { scenario, round } };
    if scenario.start() == Start::Empty {
        // The first clean build of a kind the rebuilds reuse fills `rebuilds`; every other goes
        // to `scratch`, so the rebuilds' directory stays warm.
        let fills = !run.rebuilds_used && plan.rebuilt(&kind);
        let into = if fills { run.rebuilds.clone() } else { run.scratch.clone() };
        work.clear_target_dir(&into)?;
        observer.starting(&timed);
        let cmd = variant.recipe.command(&kind, &toolchain, &installed, &into, run.link_log.as_ref());
        reset_links(run)?;
        let Some(out) = build(runner, run, &cmd)? else { return Ok(()) };
        if record(plan, run, scenario, round, &cmd, &out, stop)? && fills {
            run.rebuilds_used = true;
            *run.kind(&kind) = KindState { built: true, primed: false, unsettled: false };
        }
        return Ok(());
    }
    let cmd = variant.recipe.command(&kind, &toolchain, &installed, &run.rebuilds, run.link_log.as_ref());
    if !run.kind(&kind).built {
        if !run.rebuilds_used {
            work.clear_target_dir(&run.rebuilds)?;
        }
        observer.starting(&Step { toolchain: &toolchain, action: Action::Prime });
        let Some(out) = build(runner, run, &cmd)? else { return Ok(()) };
        if !untimed_ok(plan, run, &kind, &cmd, &out, stop) {
            return Ok(());
        }
        run.rebuilds_used = true;
        *run.kind(&kind) = KindState { built: true, primed: false, unsettled: false };
    }
    let state = *run.kind(&kind);
    for (needed, action) in [(!state.primed, Action::FirstRebuild), (state.primed && state.unsettled, Action::Settle)] {
        if needed {
            observer.starting(&Step { toolchain: &toolchain, action });
            file.touched.touch(touch_time(&run.rebuilds))?;
            let Some(out) = build(runner, run, &cmd)? else { return Ok(()) };
            if !untimed_ok(plan, run, &kind, &cmd, &out, stop) {
                return Ok(());
            }
            let state = run.kind(&kind);
            (state.primed, state.unsettled) = (true, false);
        }
    }
    let (edit, changed) = match scenario.change() {
        Change::Edit => (file.edited, variant.verify.file.as_str()),
        Change::DeepEdit => {
            let deep = variant.deep.as_ref().expect("a plan with `deep` has its edit");
            (file.deep.map(|(_, edited)| edited), deep.file.as_str())
        }
        Change::Touch | Change::Nothing => (None, variant.verify.file.as_str()),
    };
    if let Some(edited) = edit {
        run.edits += 1;
        if !edited.apply(run.edits)? {
            let why = format!(
                "{changed} changed during the run (a build script, an editor or another program wrote it), so timewarp left it as it is and the {scenario} rebuilds stopped"
            );
            stop_scenario(plan, run, scenario, why);
            return Ok(());
        }
        // Every kind built from the edit, or (for the deep library, which every kind compiles)
        // whose next build sees the reverted file as a change, needs settling.
        for (k, state) in run.kinds.iter_mut() {
            state.unsettled |= *k == kind || scenario.change() == Change::DeepEdit;
        }
    }
    match file.deep.filter(|_| scenario.change() == Change::DeepEdit) {
        Some((deep, _)) => deep.touch(touch_time(&run.rebuilds))?,
        None => file.touched.touch(touch_time(&run.rebuilds))?,
    }
    observer.starting(&timed);
    reset_links(run)?;
    let out = build(runner, run, &cmd);
    let kept = match edit {
        Some(edited) => edited.revert(run.edits)?,
        None => true,
    };
    let Some(out) = out? else { return Ok(()) };
    if !kept {
        let why = format!(
            "{changed} changed during a {scenario} rebuild (a build script, an editor or another program wrote it), so timewarp left it as it is and the {scenario} rebuilds stopped"
        );
        stop_scenario(plan, run, scenario, why);
        return Ok(());
    }
    record(plan, run, scenario, round, &cmd, &out, stop)?;
    Ok(())
}

/// Runs `cmd`, a build with `run`'s toolchain. When the build could not start, or failed
/// because its toolchain was removed during the run, the subject ends as failed, saying why, its
/// samples so far kept, and `None` is returned: the other subjects go on and the report is kept.
fn build(runner: &dyn Runner, run: &mut Run, cmd: &CommandSpec) -> Result<Option<Output>> {
    let out = runner.run(cmd);
    match unbuildable(run, &out) {
        None => out.map(Some),
        Some(why) => {
            end(run, End::Failed(why));
            Ok(None)
        }
    }
}

/// Why a build of `run`'s toolchain that gave `out` says nothing of the code: it could not start,
/// or the toolchain went during the run (`rustup toolchain uninstall` in another terminal,
/// another run's `bisect --install` tidying up) and the build failed, or another build of it
/// stands in its place (`rustup update`), whose times must not mix with the first one's.
fn unbuildable(run: &Run, out: &Result<Output>) -> Option<String> {
    let installed = run.installed.as_ref()?;
    let dir = installed.dir().display();
    let failed = out.as_ref().map_or(true, |out| !out.success());
    match installed.since_located() {
        SinceLocated::Replaced => Some(format!(
            "its toolchain was replaced during the run (`{dir}` holds another build now, as after `rustup update`), so its times would mix two compilers"
        )),
        SinceLocated::Removed if failed => Some(format!("its toolchain was removed during the run (`{dir}` is gone)")),
        _ => out.as_ref().err().map(|e| format!("{e:#}")),
    }
}

/// Forgets the links of the builds before a timed one.
fn reset_links(run: &Run) -> Result<()> {
    run.link_log.as_ref().map_or(Ok(()), LinkLog::reset)
}

/// Whether an untimed build went through; if not, why is recorded (the scenarios of its kind
/// stop, or the run was interrupted).
fn untimed_ok(
    plan: &Plan,
    run: &mut Run,
    kind: &Kind,
    cmd: &CommandSpec,
    out: &Output,
    stop: &dyn Fn() -> bool,
) -> bool {
    if stop() {
        end(run, End::Interrupted);
    } else if !out.success() {
        let why = plan.variants[run.measured.variant].recipe.explain_failure(cmd, out, &run.measured.toolchain);
        run.fail_kind(plan, kind, why);
    }
    !run.ended && run.measures_kind(plan, kind)
}

/// Stops `scenario` alone for `run`, saying why; the subject ends when nothing is left.
fn stop_scenario(plan: &Plan, run: &mut Run, scenario: Scenario, why: String) {
    run.measured.scenario_errors.insert(scenario, why);
    run.end_if_nothing_left(plan);
}

/// Keeps the sample of a timed build, with its link time, or what its failure means; returns
/// whether it kept one.
fn record(
    plan: &Plan,
    run: &mut Run,
    scenario: Scenario,
    round: usize,
    cmd: &CommandSpec,
    out: &Output,
    stop: &dyn Fn() -> bool,
) -> Result<bool> {
    let variant = &plan.variants[run.measured.variant];
    let edited = match scenario.change() {
        Change::Edit => Some((variant.verify.file.as_str(), "a `#[used] static`")),
        Change::DeepEdit => variant.deep.as_ref().map(|d| (d.file.as_str(), "a public static")),
        Change::Touch | Change::Nothing => None,
    };
    if stop() {
        // The build was stopped by the interruption: its time means nothing.
        end(run, End::Interrupted);
        return Ok(false);
    }
    if !out.success() {
        match edited {
            // The same code built, touched and clean: the build failed on timewarp's edit.
            Some((file, item)) => {
                let error = first_error_line(&out.stderr).unwrap_or_else(|| out.status_text());
                let why = format!("timewarp's edit of {file} ({item} appended) made the build fail: {error}");
                stop_scenario(plan, run, scenario, why);
            }
            None => {
                let why = variant.recipe.explain_failure(cmd, out, &run.measured.toolchain);
                run.fail_kind(plan, &plan.kind(scenario), why);
            }
        }
        return Ok(false);
    }
    let rebuild = scenario.start() == Start::Rebuild;
    let shown = match (scenario.change(), &variant.deep) {
        (Change::Nothing, _) => None,
        (Change::DeepEdit, Some(deep)) => (!deep.compiled(&out.stderr)).then(|| deep.failure()),
        _ => (!variant.verify.compiled(&out.stderr)).then(|| variant.verify.failure()),
    };
    if let Some(why) = shown {
        stop_scenario(plan, run, scenario, why);
        return Ok(false);
    }
    if held_up(out) {
        let (wall_s, paused_s) = (out.elapsed.as_secs_f64(), out.paused.as_secs_f64());
        run.measured.redone.push(Redone { scenario, round, wall_s, paused_s, again: true });
        return Ok(false);
    }
    let link = run.link_log.as_ref().map(LinkLog::time).transpose()?;
    run.measured.samples.entry(scenario).or_default().push(Sample::of(round, out, link, rebuild));
    Ok(true)
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
    let build = recipe.command(&plan.kind(Scenario::Clean), &run.measured.toolchain, installed, &run.scratch, None);
    let wrapped = build.env("RUSTC_WRAPPER", wrapper).env(WRAPPER_LOG, log);
    let out = runner.run(&wrapped);
    if let Some(why) = unbuildable(run, &out) {
        // The samples stand: only the per-crate breakdown is missing.
        run.measured.crates = Some(Err(why));
        return Ok(());
    }
    let out = out?;
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
    use crate::vocab::Profile;

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
            profile: Profile::Dev,
            link_dir: None,
            jobs: None,
            cargo_home: dir.path().join("cargo-home"),
            timeout: None,
            lockfile_version: None,
            env: crate::process::Env::default(),
            overrides: Default::default(),
        };
        let verify = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        let plan = Plan {
            variants: vec![Variant { tag: None, recipe, verify, deep: None }],
            scenarios,
            stopping,
            crates: None,
            floors: BTreeMap::new(),
        };
        let work = crate::testing::work_dir_in(dir.path());
        work.create_builds().unwrap();
        let journal = Journal::on_disk(&dir.path().join("journal.json"), &dir.path().join("backups"), work.owner());
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

        fn redone(&mut self, toolchain: &Toolchain, redone: &Redone) {
            let again = if redone.again { "again" } else { "no more" };
            self.lines.push(format!("{toolchain} {} round {} set aside, {again}", redone.scenario, redone.round));
        }
    }

    fn run_with(s: &Setup, runner: &FakeRunner, toolchains: &[Toolchain], stop: &dyn Fn() -> bool) -> (Outcome, Log) {
        let touched = s.journal.touch(&s.file).unwrap();
        let edits = s.plan.scenarios.contains(&Scenario::Edited);
        let edited = edits.then(|| s.journal.edit(&s.file, EditStyle::Private).unwrap());
        let files = [ChangedFile { touched: &touched, edited: edited.as_ref(), deep: None }];
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
        let files = [ChangedFile { touched: &touched, edited: None, deep: None }];
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

    /// Builds of `seconds` each, except those whose number (from 0, every `build` command
    /// counted) is in `held_up`: timewarp was stopped for `pause` during them, and their wall
    /// time holds it.
    fn held_up_runner(rustc: &str, seconds: f64, held_up: &'static [usize], pause: f64) -> FakeRunner {
        FakeRunner::new().ok("rustup which", rustc).responding("build", move |n, _| {
            let mut out = output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", seconds);
            if held_up.contains(&n) {
                out.elapsed += Duration::from_secs_f64(pause);
                out.paused = Duration::from_secs_f64(pause);
            }
            out
        })
    }

    /// hostile.md defect 8: Ctrl-Z for 5 s during a 0.5 s rebuild gave a 5.09 s sample.
    #[test]
    fn a_build_during_which_timewarp_was_stopped_is_set_aside_and_done_again_in_its_round() {
        let (scenarios, stopping) = fixed(1, 3, false);
        let s = setup(scenarios, stopping);
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        // Builds 0-1 are the clean ones, 2-5 round 0's first rebuilds and touched rebuilds,
        // 6 and 7 round 1's touched rebuilds: the first of those was held up for 5 s.
        let runner = held_up_runner(&s.rustc, 0.5, &[6], 5.0);
        let (outcome, log) = run_with(&s, &runner, &both, &|| false);
        let set_aside: Vec<&Redone> = outcome.measured.iter().flat_map(|m| &m.redone).collect();
        assert_eq!(set_aside.len(), 1, "{:?}", log.lines);
        let redone = set_aside[0];
        assert_eq!((redone.scenario, redone.round, redone.wall_s, redone.paused_s), (Scenario::Touched, 1, 5.5, 5.0));
        for m in &outcome.measured {
            assert_eq!(walls(m, Scenario::Touched), [0.5, 0.5, 0.5], "{} keeps no held-up sample", m.toolchain);
            let rounds: Vec<usize> = m.samples[&Scenario::Touched].iter().map(|s| s.round).collect();
            assert_eq!(rounds, [0, 1, 2], "the build was done again in its own round");
        }
        assert!(log.lines.iter().any(|l| l.ends_with("touched round 1 set aside, again")), "{:?}", log.lines);
        assert_eq!(runner.log().iter().filter(|c| c.to_string().contains("build")).count(), 11, "one build more");
    }

    #[test]
    fn a_short_stop_in_a_long_build_is_kept_and_a_cell_held_up_every_time_gives_up() {
        // 0.5 s of a 100 s clean build is within 1 %: kept, not built again.
        let (scenarios, stopping) = fixed(2, 0, false);
        let s = setup(vec![scenarios[0]], stopping);
        let runner = held_up_runner(&s.rustc, 100.0, &[1], 0.5);
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        assert!(outcome.measured[0].redone.is_empty());
        assert_eq!(walls(&outcome.measured[0], Scenario::Clean), [100.0, 100.5]);
        // A build held up every time is tried 1 + MAX_REDOS times, then its round goes without.
        let (scenarios, stopping) = fixed(2, 0, false);
        let s = setup(vec![scenarios[0]], stopping);
        let runner = held_up_runner(&s.rustc, 1.0, &[1, 2, 3, 4, 5], 5.0);
        let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let m = &outcome.measured[0];
        assert_eq!(m.redone.len(), 1 + MAX_REDOS);
        assert_eq!(m.samples[&Scenario::Clean].iter().map(|s| s.round).collect::<Vec<_>>(), [0]);
        assert!(log.lines.iter().any(|l| l.ends_with("clean round 1 set aside, no more")), "{:?}", log.lines);
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
    fn a_rebuild_that_compiles_nothing_stops_its_scenario_with_a_sentence() {
        let (scenarios, stopping) = fixed(2, 3, false);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0))
            .answer("build", output(Some(0), "", "    Finished `dev` profile\n", 0.1));
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
        let m = &outcome.measured[0];
        assert_eq!(m.end, End::Completed, "the clean builds still count");
        assert_eq!(
            m.scenario_errors[&Scenario::Touched],
            "touching src/main.rs rebuilt nothing: no target of the build compiles it"
        );
        assert_eq!(walls(m, Scenario::Clean), [2.0, 0.1]);
        assert!(walls(m, Scenario::Touched).is_empty(), "no number for a build that did nothing");
        let alone = setup(vec![Scenario::Touched], Stopping::fixed_rounds(&[Scenario::Touched], 1, 3));
        let runner = FakeRunner::new()
            .ok("rustup which", &alone.rustc)
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0))
            .answer("build", output(Some(0), "", "    Finished `dev` profile\n", 0.1));
        let (outcome, _) = run_with(&alone, &runner, &[toolchain("1.85.0")], &|| false);
        assert_eq!(
            outcome.measured[0].end,
            End::Failed("touching src/main.rs rebuilt nothing: no target of the build compiles it".into()),
            "with nothing else left, the toolchain fails"
        );
        assert!(outcome.measured[0].scenario_errors.is_empty(), "said once, as the row's error");
    }

    #[test]
    fn a_build_broken_by_the_edit_ends_only_the_edited_scenario() {
        let (scenarios, stopping) = fixed(2, 2, true);
        let s = setup(scenarios, stopping);
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

    /// Cases 59 and 86: a file written by someone else before timewarp's next edit (a build
    /// script that re-stamps it at every build, another run) was said to be "left as you saved
    /// it". The sentence says what was seen, not who did it.
    #[test]
    fn a_file_changed_before_an_edit_is_named_without_blaming_the_user() {
        let (scenarios, stopping) = fixed(2, 2, true);
        let s = setup(scenarios, stopping);
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0));
        // Whenever the engine looks between steps, the file has been written again.
        let restamp = || {
            std::fs::write(&s.file, "fn main() {} // stamped\n").unwrap();
            false
        };
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &restamp);
        let m = &outcome.measured[0];
        assert_eq!(
            m.scenario_errors[&Scenario::Edited],
            "src/main.rs changed during the run (a build script, an editor or another program wrote it), so timewarp left it as it is and the edited rebuilds stopped"
        );
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {} // stamped\n", "the write is kept");
    }

    /// A workspace with a library `core` that the binary `app` depends on, for `deep`: the
    /// setup, the library's root file, and the plan's deep edit.
    fn with_library(scenarios: Vec<Scenario>, stopping: Stopping) -> (Setup, PathBuf) {
        let mut s = setup(scenarios, stopping);
        let lib = s._dir.path().join("core/src/lib.rs");
        std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
        std::fs::write(&lib, "pub fn core() {}\n").unwrap();
        s.plan.variants[0].deep =
            Some(DeepEdit { package: "core".into(), file: "core/src/lib.rs".into(), dependents: vec!["app".into()] });
        (s, lib)
    }

    /// [`run_with`] with the deep library's file journaled and changed too.
    fn run_deep(s: &Setup, lib: &Path, runner: &FakeRunner, toolchains: &[Toolchain]) -> (Outcome, Log) {
        let touched = s.journal.touch(&s.file).unwrap();
        let deep = (s.journal.touch(lib).unwrap(), s.journal.edit(lib, EditStyle::Public).unwrap());
        let files = [ChangedFile { touched: &touched, edited: None, deep: Some((&deep.0, &deep.1)) }];
        let subjects: Vec<Subject<'_>> = toolchains.iter().map(|toolchain| Subject { toolchain, variant: 0 }).collect();
        let mut log = Log::default();
        let outcome = measure(runner, &s.plan, &subjects, &s.work, &files, &mut log, &|| false).unwrap();
        deep.1.restore().unwrap();
        deep.0.restore().unwrap();
        (outcome, log)
    }

    /// A build that compiles what a real cargo would, given the library's file as it is now:
    /// `core` and `app` after an edit of the library (or after it was reverted, until a build
    /// settled it), `app` alone otherwise; each build says in `seen` whether it saw the edit.
    fn honest_cargo(lib: PathBuf, seen: Arc<std::sync::Mutex<Vec<(String, bool)>>>) -> FakeRunner {
        let built = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<String, String>::new()));
        FakeRunner::new().responding("--offline", move |_, cmd| {
            let text = std::fs::read_to_string(&lib).unwrap();
            let kind = if cmd.has_arg("check") { "check" } else { "build" }.to_string();
            let mut built = built.lock().unwrap();
            let changed = built.get(&kind) != Some(&text);
            built.insert(kind.clone(), text.clone());
            seen.lock().unwrap().push((kind, text.contains("pub static TIMEWARP_EDIT_")));
            let stderr = if changed {
                "   Compiling core v0.1.0 (/w/core)\n   Compiling app v0.1.0 (/w)\n"
            } else {
                "   Compiling app v0.1.0 (/w)\n"
            };
            output(Some(0), "", stderr, 1.0)
        })
    }

    #[test]
    fn deep_rebuilds_edit_the_library_show_its_dependents_and_every_kind_settles_after() {
        let scenarios = vec![Scenario::Clean, Scenario::Touched, Scenario::Deep, Scenario::CheckTouched];
        let stopping = Stopping::fixed_rounds(&scenarios, 1, 2);
        let (s, lib) = with_library(scenarios, stopping);
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let runner = honest_cargo(lib.clone(), Arc::clone(&seen)).ok("rustup which", &s.rustc);
        let (outcome, log) = run_deep(&s, &lib, &runner, &[toolchain("1.85.0")]);
        let m = &outcome.measured[0];
        assert_eq!(m.end, End::Completed, "{m:?}");
        assert!(m.scenario_errors.is_empty(), "{m:?}");
        for scenario in [Scenario::Touched, Scenario::Deep, Scenario::CheckTouched] {
            assert_eq!(walls(m, scenario).len(), 2, "{scenario}");
        }
        let compiled = |s: Scenario| m.samples[&s].iter().map(|x| x.compiled).collect::<Vec<_>>();
        assert_eq!(compiled(Scenario::Deep), [Some(2), Some(2)], "the library and its dependent, every time");
        assert_eq!(compiled(Scenario::Touched), [Some(1), Some(1)], "a settled tree: the touched package alone");
        assert_eq!(compiled(Scenario::CheckTouched), [Some(1), Some(1)], "check settled after each deep edit too");
        assert_eq!(m.samples[&Scenario::Clean][0].compiled, None, "a clean build counts nothing");
        let saw: Vec<bool> = seen.lock().unwrap().iter().map(|(_, edit)| *edit).collect();
        assert_eq!(saw.iter().filter(|e| **e).count(), 2, "only the two deep builds see the edit: {saw:?}");
        let steps: Vec<&str> = log.lines.iter().map(String::as_str).collect();
        assert_eq!(
            steps,
            [
                "round 0: 4 builds",
                "1.85.0 warm-up",
                "1.85.0 clean",
                "1.85.0 first rebuild",
                "1.85.0 touched",
                "1.85.0 deep",
                "1.85.0 prime",
                "1.85.0 first rebuild",
                "1.85.0 check-touched",
                "round 1: 3 builds",
                "1.85.0 settle",
                "1.85.0 touched",
                "1.85.0 deep",
                "1.85.0 settle",
                "1.85.0 check-touched",
                "1.85.0 ended Completed",
            ],
            "check's first full build comes after deep's edit was reverted, so it needs no settling in round 0"
        );
        assert_eq!(std::fs::read_to_string(&lib).unwrap(), "pub fn core() {}\n", "the library as it was");
    }

    /// `--baseline-rev` on a tree whose revision has no library another package uses: that
    /// variant's `deep` stops with the reason, and today's tree is measured as usual.
    #[test]
    fn a_variant_without_a_deep_library_stops_its_deep_scenario_alone() {
        let scenarios = vec![Scenario::Clean, Scenario::Deep];
        let (mut s, lib) = with_library(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 1, 1));
        let mut base = s.plan.variants[0].clone();
        (base.tag, base.deep) = (Some("base-1".into()), None);
        s.plan.variants.push(base);
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let runner = honest_cargo(lib.clone(), seen).ok("rustup which", &s.rustc);
        let touched = s.journal.touch(&s.file).unwrap();
        let deep = (s.journal.touch(&lib).unwrap(), s.journal.edit(&lib, EditStyle::Public).unwrap());
        let files = [
            ChangedFile { touched: &touched, edited: None, deep: Some((&deep.0, &deep.1)) },
            ChangedFile { touched: &touched, edited: None, deep: None },
        ];
        let t = toolchain("1.85.0");
        let subjects = [Subject { toolchain: &t, variant: 0 }, Subject { toolchain: &t, variant: 1 }];
        let outcome = measure(&runner, &s.plan, &subjects, &s.work, &files, &mut Log::default(), &|| false).unwrap();
        let (today, revision) = (&outcome.measured[0], &outcome.measured[1]);
        assert_eq!(walls(today, Scenario::Deep).len(), 1, "{today:?}");
        assert_eq!(
            revision.scenario_errors[&Scenario::Deep],
            "this tree has no library that another built package depends on"
        );
        assert_eq!((revision.end.clone(), walls(revision, Scenario::Clean).len()), (End::Completed, 1));
        deep.1.restore().unwrap();
        deep.0.restore().unwrap();
    }

    #[test]
    fn a_deep_rebuild_that_compiles_no_dependent_stops_with_a_sentence() {
        let scenarios = vec![Scenario::Clean, Scenario::Deep];
        let (s, lib) = with_library(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 1, 2));
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
        let (outcome, _) = run_deep(&s, &lib, &runner, &[toolchain("1.85.0")]);
        let m = &outcome.measured[0];
        assert_eq!(
            m.scenario_errors[&Scenario::Deep],
            "a new public item in core/src/lib.rs did not rebuild both `core` and a package that depends on it"
        );
        assert_eq!((m.end.clone(), walls(m, Scenario::Clean).len()), (End::Completed, 1));
    }

    #[test]
    fn a_kind_an_old_cargo_cannot_build_stops_only_its_own_scenarios() {
        let scenarios = vec![Scenario::Clean, Scenario::Touched, Scenario::Check, Scenario::Test];
        let s = setup(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 2, 2));
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .fail("cargo test --no-run", 101, "error: failed to select a version for `hashbrown`\n")
            .timed("--offline", &[1.0]);
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.48.0")], &|| false);
        let m = &outcome.measured[0];
        assert_eq!(m.end, End::Completed);
        assert_eq!(m.scenario_errors.keys().copied().collect::<Vec<_>>(), [Scenario::Test]);
        assert!(m.scenario_errors[&Scenario::Test].contains("failed to select a version"), "{m:?}");
        for scenario in [Scenario::Clean, Scenario::Touched, Scenario::Check] {
            assert_eq!(walls(m, scenario).len(), 2, "{scenario}");
        }
        let tests = runner.lines().iter().filter(|l| l.starts_with("cargo test")).count();
        assert_eq!(tests, 1, "a kind that failed is not tried again");
    }

    #[test]
    fn a_toolchain_below_a_scenarios_own_floor_skips_that_scenario_with_the_reason() {
        let scenarios = vec![Scenario::Clean, Scenario::Test];
        let mut s = setup(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 1, 1));
        let reason = "1.65 (rust-version of hashbrown 0.15.2, which the tests of `app` build)";
        let floor = ScenarioFloor { version: semver::Version::new(1, 65, 0), reason: reason.into() };
        s.plan.floors.insert(Scenario::Test, floor);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("--offline", &[1.0]);
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let (old, new) = (&outcome.measured[0], &outcome.measured[1]);
        assert_eq!(
            old.scenario_errors[&Scenario::Test],
            format!("below {reason}, a floor of the `test` scenario alone")
        );
        assert_eq!((walls(old, Scenario::Clean).len(), walls(new, Scenario::Test).len()), (1, 1));
        assert!(!runner.lines().iter().any(|l| l.starts_with("cargo test") && l.contains("1.63.0")));
        let only_tests = setup(vec![Scenario::Test], Stopping::fixed_rounds(&[Scenario::Test], 1, 1));
        let mut only_tests = only_tests;
        only_tests.plan.floors = s.plan.floors.clone();
        let (outcome, _) = run_with(&only_tests, &runner, &[toolchain("1.63.0")], &|| false);
        assert!(matches!(&outcome.measured[0].end, End::Failed(why) if why.starts_with("below 1.65")), "{outcome:?}");
    }

    #[test]
    fn a_timed_build_keeps_the_time_its_linkers_ran_and_no_untimed_builds() {
        let (scenarios, stopping) = fixed(1, 2, false);
        let mut s = setup(scenarios, stopping);
        s.plan.variants[0].recipe.link_dir = Some(s._dir.path().join("linker"));
        // A fake linker: every build logs one link of 0.25 s, and the first one a second, overlapping.
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).responding("--offline", |n, cmd| {
            let log = cmd.env_value(crate::measure::linker::LINK_LOG).expect("every build is timed the same way");
            let mut lines = String::from("{\"start_ns\":1000000000,\"end_ns\":1250000000,\"code\":0}\n");
            if n == 0 {
                lines.push_str("{\"start_ns\":1100000000,\"end_ns\":1400000000,\"code\":0}\n");
            }
            use std::io::Write as _;
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
            file.write_all(lines.as_bytes()).unwrap();
            output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0)
        });
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
        let m = &outcome.measured[0];
        let links = |sc: Scenario| m.samples[&sc].iter().map(|x| x.link.unwrap()).collect::<Vec<_>>();
        for link in links(Scenario::Touched) {
            assert_eq!(link.runs, 1, "the first rebuild's link is not the timed one's");
            assert!((link.seconds - 0.25).abs() < 1e-9, "{link:?}");
        }
        let clean = links(Scenario::Clean)[0];
        assert_eq!(clean.runs, 2, "{clean:?}");
        assert!((clean.seconds - 0.4).abs() < 1e-9, "two links from 1.0 s to 1.4 s, counted once: {clean:?}");
        let path = runner.log().iter().find_map(|c| c.env_value("PATH").map(|p| p.to_string_lossy().into_owned()));
        assert!(path.unwrap().ends_with("/linker"), "the link timer is on every build's PATH");
    }

    /// A toolchain of its own for `version`, in `s`'s directory, which `rustup which` names; a
    /// runner whose rule for it comes first.
    fn own_toolchain(s: &Setup, runner: FakeRunner, version: &str) -> (FakeRunner, PathBuf) {
        let dir = s._dir.path().join(format!("tc-{version}"));
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::write(dir.join("bin/cargo"), "").unwrap();
        let rustc = format!("{}\n", dir.join("bin/rustc").display());
        (runner.ok(&format!("rustup which --toolchain {version} "), &rustc), dir)
    }

    /// Hostile pass, defect 1: `rustup toolchain uninstall` in another terminal while a run
    /// measures that toolchain. Its next build cannot start; the row fails saying why, keeps
    /// its samples, and the other toolchain's rounds and the report go on.
    #[test]
    fn a_toolchain_removed_during_the_run_fails_its_row_alone() {
        let (scenarios, stopping) = fixed(1, 3, false);
        let s = setup(scenarios, stopping);
        let (runner, gone) = own_toolchain(&s, FakeRunner::new().programs_must_exist(), "1.85.0");
        let removed = gone.clone();
        let runner = runner
            .ok("rustup which", &s.rustc)
            .responding("timewarp/1.85.0", move |n, _| {
                if n == 2 {
                    // Removed while its first timed rebuild runs, which still finishes.
                    std::fs::remove_dir_all(&removed).unwrap();
                }
                output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0)
            })
            .timed("timewarp/1.63.0", &[1.0]);
        let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let why = format!("its toolchain was removed during the run (`{}` is gone)", gone.display());
        assert_eq!(outcome.measured[1].end, End::Failed(why.clone()));
        assert_eq!(walls(&outcome.measured[1], Scenario::Clean).len(), 1, "its samples are kept");
        assert_eq!(walls(&outcome.measured[1], Scenario::Touched).len(), 1);
        assert_eq!(outcome.measured[0].end, End::Completed);
        assert_eq!(walls(&outcome.measured[0], Scenario::Touched).len(), 3, "the other goes on");
        assert!(log.lines.contains(&format!("1.85.0 ended Failed({why:?})")), "{:#?}", log.lines);
        let tried = runner.lines().iter().filter(|l| l.contains("timewarp/1.85.0")).count();
        assert_eq!(tried, 4, "one build fails to start, then none is tried");
    }

    /// `rustup update` in another terminal: another build of the toolchain stands in its
    /// place. Its next build would time another compiler, so the row fails, saying why.
    #[test]
    fn a_toolchain_replaced_during_the_run_fails_its_row_alone() {
        let (scenarios, stopping) = fixed(1, 3, false);
        let s = setup(scenarios, stopping);
        let (runner, dir) = own_toolchain(&s, FakeRunner::new(), "1.85.0");
        let cargo = dir.join("bin/cargo");
        let runner = runner
            .ok("rustup which", &s.rustc)
            .responding("timewarp/1.85.0", move |n, _| {
                if n == 2 {
                    // A new file put in place of the old one, as an update installs it.
                    std::fs::write(cargo.with_extension("new"), "updated").unwrap();
                    std::fs::rename(cargo.with_extension("new"), &cargo).unwrap();
                }
                output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0)
            })
            .timed("timewarp/1.63.0", &[1.0]);
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let End::Failed(why) = &outcome.measured[1].end else { panic!("{:?}", outcome.measured[1].end) };
        assert!(why.starts_with("its toolchain was replaced during the run (`"), "{why}");
        assert!(why.ends_with("so its times would mix two compilers"), "{why}");
        assert_eq!(
            walls(&outcome.measured[1], Scenario::Touched),
            [] as [f64; 0],
            "the build after the update is no sample"
        );
        assert_eq!(outcome.measured[0].end, End::Completed);
        assert_eq!(walls(&outcome.measured[0], Scenario::Touched).len(), 3);
    }

    /// The toolchain removed while a build runs: the build fails (cargo cannot find rustc), and
    /// the row says the toolchain went, not what cargo made of it.
    #[test]
    fn a_build_failing_because_its_toolchain_went_says_so() {
        let (scenarios, stopping) = fixed(2, 2, false);
        let s = setup(scenarios, stopping);
        let (runner, gone) = own_toolchain(&s, FakeRunner::new(), "1.85.0");
        let removed = gone.clone();
        let runner = runner
            .ok("rustup which", &s.rustc)
            .responding("timewarp/1.85.0", move |n, _| {
                if n == 0 {
                    return output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0);
                }
                std::fs::remove_dir_all(&removed).unwrap();
                output(Some(101), "", "error: could not execute process `rustc -vV` (never executed)\n", 0.1)
            })
            .timed("timewarp/1.63.0", &[1.0]);
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let End::Failed(why) = &outcome.measured[1].end else { panic!("{:?}", outcome.measured[1].end) };
        assert!(why.starts_with("its toolchain was removed during the run"), "{why}");
        assert!(outcome.measured[1].scenario_errors.is_empty(), "{:?}", outcome.measured[1].scenario_errors);
        assert_eq!(outcome.measured[0].end, End::Completed);
        assert_eq!(walls(&outcome.measured[0], Scenario::Clean).len(), 2);
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
    fn a_clean_round_that_no_longer_fits_leaves_the_cheap_rebuilds_their_rounds() {
        // Clean builds of 60 s with 8 % noise never get within ±5 % in a 10-minute budget; the
        // 1 s touched rebuilds, noisier still, need every round they can get. Before, the whole run
        // ended when the next full round did not fit, and the rebuilds ended with it.
        let scenarios = vec![Scenario::Clean, Scenario::Touched];
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        let s = setup(scenarios, precision(0.05, 600));
        let clean = synthetic(60.0, 1.25, 0.08, |_| 1.0);
        let touched = synthetic(1.0, 1.25, 0.15, |_| 1.0);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", move |i, cmd| {
            if cmd.to_string().contains("/scratch") { clean(i, cmd) } else { touched(i, cmd) }
        });
        let (outcome, log) = run_with(&s, &runner, &both, &|| false);
        let rounds = |sc: Scenario| outcome.measured[1].samples[&sc].len();
        assert!(rounds(Scenario::Clean) < rounds(Scenario::Touched), "{:?}", log.rounds);
        assert!(rounds(Scenario::Touched) > Precision::DEFAULT.min_rounds, "{}", rounds(Scenario::Touched));
        assert_eq!(outcome.stop, Stop::Budget, "a scenario was left out for the budget: {:?}", log.rounds);
        assert!(outcome.elapsed <= Duration::from_secs(600), "never past the budget: {:?}", outcome.elapsed);
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
    /// each round, in a rotating order, cancels it.
    #[test]
    fn a_linear_drift_leaves_the_paired_estimate_within_one_percent() {
        let truth = 1.25;
        let s = setup(vec![Scenario::Clean], Stopping::Fixed(BTreeMap::from([(Scenario::Clean, 10)])));
        let drift = |n: usize| 1.0 + 0.2 * n as f64 / 20.0;
        let runner =
            FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, truth, 0.01, drift));
        let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let (base, new) =
            (&outcome.measured[0].samples[&Scenario::Clean], &outcome.measured[1].samples[&Scenario::Clean]);
        let error = (stats::paired_speedup(&pairs(base, new)).unwrap().point / truth - 1.0).abs();
        assert!(error < 0.01, "paired in rounds: off by {:.2}%", error * 100.0);
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
