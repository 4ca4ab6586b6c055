//! What the engine hands back and tells as it goes: the samples of each subject, how its
//! measurement ended, why the rounds stopped, and the [`Observer`] that hears every step.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::verify::compiled_packages;
use crate::discover::toolchain::Toolchain;
use crate::measure::linker::LinkTime;
use crate::measure::wrapper::Invocation;
use crate::process::Output;
use crate::vocab::Scenario;

/// One timed build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// The round it belongs to, from 0: samples of one round pair with each other.
    pub(crate) round: usize,
    /// Wall time in seconds.
    pub(crate) wall_s: f64,
    /// CPU seconds (user + system) of the whole cargo process tree, when known.
    pub(crate) cpu_s: Option<f64>,
    /// Peak resident memory of the largest process in the tree, bytes, when known.
    pub(crate) peak_rss: Option<u64>,
    /// How long rustc's linkers ran during the build, when link time is measured.
    pub(crate) link: Option<LinkTime>,
    /// For a rebuild: how many crates cargo compiled (or checked).
    pub(crate) compiled: Option<usize>,
}

impl Sample {
    pub(crate) fn of(round: usize, out: &Output, link: Option<LinkTime>, rebuild: bool) -> Sample {
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

/// A cell is built at most this many more times in a round when its builds keep being held up;
/// then that round has no sample of it.
pub(crate) const MAX_REDOS: usize = 3;

/// A timed build whose sample was set aside, and the build done again in the same round: its
/// wall time was not the build's alone (see [`SetAside`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Redone {
    /// The scenario.
    pub(crate) scenario: Scenario,
    /// The round, from 0.
    pub(crate) round: usize,
    /// The wall time set aside, in seconds.
    pub(crate) wall_s: f64,
    /// The longest stretch during the build in which timewarp did not run, in seconds.
    pub(crate) paused_s: f64,
    /// Why it was set aside.
    pub(crate) why: SetAside,
    /// Whether the build was done again (not after [`MAX_REDOS`] in one round).
    pub(crate) again: bool,
}

/// Why a timed build's sample was set aside.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SetAside {
    /// Timewarp itself was held up while it ran (Ctrl-Z, SIGSTOP): the build went on in its own
    /// process group, so its wall time held the stop.
    HeldUp,
    /// Its wall time was far beyond what its round predicts while timewarp ran (the machine
    /// seized by something else, swapping): `expected_s` is the median of its cell so far.
    Seized {
        /// The median of the cell's samples before it, in seconds.
        expected_s: f64,
    },
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
    pub(crate) toolchain: Toolchain,
    /// Index into [`Plan::variants`].
    pub(crate) variant: usize,
    /// Where its artifacts went.
    pub(crate) target_dir: PathBuf,
    /// The samples taken, per scenario, in order (also those of a failed or interrupted one).
    pub(crate) samples: BTreeMap<Scenario, Vec<Sample>>,
    /// How it ended.
    pub(crate) end: End,
    /// Scenarios that stopped early while the others went on, and why.
    pub(crate) scenario_errors: BTreeMap<Scenario, String>,
    /// `--crates`: the per-crate build, or why it failed.
    pub(crate) crates: Option<Result<CrateBuild, String>>,
    /// Timed builds set aside because timewarp was held up while they ran; each was done again
    /// in its round, up to [`MAX_REDOS`] times a round.
    pub(crate) redone: Vec<Redone>,
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
    pub(crate) wall_s: f64,
    /// Every rustc invocation it logged.
    pub(crate) invocations: Vec<Invocation>,
}

/// Why the rounds stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
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
    pub(crate) measured: Vec<Measured>,
    /// Rounds that ran.
    pub(crate) rounds: usize,
    /// Why they stopped.
    pub(crate) stop: StopReason,
    /// Wall time from the first build to the last.
    pub(crate) elapsed: Duration,
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildPurpose {
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
pub(crate) struct BuildStep<'a> {
    /// Whose.
    pub(crate) toolchain: &'a Toolchain,
    /// Which variant of the tree: `None` for the tree measured, else its tag (`arm-lld`,
    /// `base-1a2b3c4`).
    pub(crate) variant: Option<&'a str>,
    /// What.
    pub(crate) action: BuildPurpose,
}

/// The state of the run after a round, for the progress display.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoundDone {
    /// Rounds done so far.
    pub(crate) rounds: usize,
    /// The widest relative half-width among the speedups (or times) the stopping rule watches,
    /// and whose it is (`1.63.0 touched`); `None` while there is no interval yet.
    pub(crate) widest: Option<(f64, String)>,
    /// Wall time since the first build.
    pub(crate) elapsed: Duration,
}

/// Told about the measurement as it goes: progress display, estimates.
pub(crate) trait Observer {
    /// A round of `builds` timed builds is about to start.
    fn round_starting(&mut self, round: usize, builds: usize);
    /// `step` is about to run.
    fn starting(&mut self, step: &BuildStep<'_>);
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
