//! The plan of a measurement: what the toolchains build (the variants and their recipes), the
//! scenarios, when to stop adding rounds, the subjects and the files their rebuilds change.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::verify::{DeepEdit, Verification};
use crate::discover::toolchain::Toolchain;
use crate::measure::build::{Kind, Recipe};
use crate::measure::journal::{EditedFile, TouchedFile};
use crate::stats;
use crate::vocab::{Scenario, Start};

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
    /// The relative half-width every speedup's 95 % interval should reach in a scenario that
    /// starts from an empty directory (0.05: ±5 %).
    pub(crate) target: f64,
    /// The same for the rebuilds, which cost seconds a round, so a narrower interval is cheap
    /// (0.03: ±3 %).
    pub(crate) rebuild_target: f64,
    /// No round starts that would end after this much time from the first build (the first
    /// round always runs whole).
    pub(crate) budget: Duration,
    /// Rounds to run whatever the intervals say (the budget permitting).
    pub(crate) min_rounds: usize,
    /// Rounds a scenario that starts from an empty directory never exceeds.
    pub(crate) max_rounds: usize,
    /// Rounds a rebuild never exceeds: enough for ±3 % at a paired spread of 10 %.
    pub(crate) max_rebuild_rounds: usize,
    /// `--max-regression` with `--baseline-rev`, percent: a change of the tree against the
    /// revision stays open, precise or not, until the gate decides it (the whole interval beyond
    /// the limit or within it), so a +300 % slowdown decides in two or three rounds and a change
    /// near the limit gets the rounds it needs.
    pub(crate) gate_pct: Option<f64>,
}

impl Precision {
    /// The default: clean builds within ±5 % in 5 to 30 rounds, rebuilds within ±3 % in 5 to 80,
    /// all within 20 minutes. Five, not three: an interval from three rounds that agreed by luck
    /// stopped a real run (ouch 0.4.2's clean builds) on a ±4.4 % that missed; in the
    /// simulation of `stats` five rounds raise the coverage at σ 5 % from 90 % to 93 % for half
    /// a round more on average. ±3 % for rebuilds: on eza, a 5 s touched round and a 2 s
    /// check-touched one reach it in 2-3 minutes of builds at paired spreads of 7-12 %, where
    /// ±5 % and 30 rounds had stopped them (docs/statistics.md, "What 20 minutes can reach").
    pub(crate) const DEFAULT: Precision = Precision {
        target: 0.05,
        rebuild_target: 0.03,
        budget: Duration::from_secs(20 * 60),
        min_rounds: 5,
        max_rounds: 30,
        max_rebuild_rounds: 80,
        gate_pct: None,
    };

    /// The half-width `scenario`'s speedups should reach.
    pub(crate) fn target_of(&self, scenario: Scenario) -> f64 {
        if scenario.start() == Start::Empty { self.target } else { self.rebuild_target }
    }

    /// The most rounds of `scenario`.
    pub(crate) fn max_rounds_of(&self, scenario: Scenario) -> usize {
        if scenario.start() == Start::Empty { self.max_rounds } else { self.max_rebuild_rounds }
    }

    /// The most rounds of any scenario.
    pub(crate) fn most_rounds(&self) -> usize {
        self.max_rounds.max(self.max_rebuild_rounds)
    }

    /// The rule a gate (`--max-regression` with `--baseline-rev`) keeps: the rebuilds get the
    /// clean builds' target and most rounds, the rule whose false alarms at the limit the gate's
    /// simulation measures (`the_gate_passes_an_unchanged_project_and_fails_a_30_percent_regression`).
    pub(crate) fn for_a_gate(self) -> Precision {
        Precision { rebuild_target: self.target, max_rebuild_rounds: self.max_rounds, ..self }
    }

    /// Both targets set to `target` (`--precision`).
    pub(crate) fn with_target(self, target: f64) -> Precision {
        Precision { target, rebuild_target: target, ..self }
    }
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
    pub(crate) fn fixed(&self, scenario: Scenario) -> Option<usize> {
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
    pub(crate) tag: Option<String>,
    /// The recipe of every build.
    pub(crate) recipe: Recipe,
    /// What every rebuild after touching or editing the file must show cargo compiling.
    pub(crate) verify: Verification,
    /// What the `deep` rebuilds edit, and must show; `None` when no library has a dependent.
    pub(crate) deep: Option<DeepEdit>,
    /// Scenarios this variant does not build, with why: an arm of `try` that changes nothing
    /// in them.
    pub(crate) skip: BTreeMap<Scenario, String>,
}

/// The `deep` scenario's edit: a public item appended to the root file of the library most
/// A scenario's own floor: toolchains below it skip the scenario (the `test` scenario below a
/// dev-dependency's `rust-version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ScenarioFloor {
    /// The lowest version that can run the scenario.
    pub(crate) version: semver::Version,
    /// Why, as a phrase: `1.65 (rust-version of hashbrown 0.15.2, which the tests of `app` build)`.
    pub(crate) reason: String,
}

/// What to measure for every toolchain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The trees built; the first is the one the report is about.
    pub(crate) variants: Vec<Variant>,
    /// The scenarios, in the order a round runs them.
    pub(crate) scenarios: Vec<Scenario>,
    /// When to stop.
    pub(crate) stopping: Stopping,
    /// `--crates`: the binary to run as `RUSTC_WRAPPER` in one extra clean build per toolchain.
    pub(crate) crates: Option<PathBuf>,
    /// Scenarios with a floor of their own.
    pub(crate) floors: BTreeMap<Scenario, ScenarioFloor>,
}

impl Plan {
    /// The kind of `scenario`'s builds.
    pub(crate) fn kind(&self, scenario: Scenario) -> Kind {
        Kind::of(scenario, &self.variants[0].recipe.profile)
    }

    /// Whether some rebuild scenario reuses builds of `kind`.
    pub(crate) fn rebuilt(&self, kind: &Kind) -> bool {
        self.scenarios.iter().any(|s| s.start() == Start::Rebuild && self.kind(*s) == *kind)
    }
}

/// One toolchain building one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subject<'a> {
    /// The toolchain.
    pub(crate) toolchain: &'a Toolchain,
    /// Index into [`Plan::variants`].
    pub(crate) variant: usize,
}

/// The user's files the rebuilds change, per variant: the touched file's mtime, its content for
/// `edited`, and the deep library's root file for `deep`.
#[derive(Clone, Copy)]
pub(crate) struct ChangedFile<'a> {
    /// Touched before each rebuild.
    pub(crate) touched: &'a TouchedFile,
    /// Edited before each `edited` rebuild and reverted after it.
    pub(crate) edited: Option<&'a EditedFile>,
    /// The deep library's root file: edited before each `deep` rebuild (and its mtime set),
    /// reverted after it.
    pub(crate) deep: Option<(&'a TouchedFile, &'a EditedFile)>,
}

/// The files the rebuilds of one variant change: the touched file, and the deep library's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paths {
    /// Touched before every rebuild, edited for `edited`.
    pub(crate) touched: PathBuf,
    /// Edited for `deep`.
    pub(crate) deep: Option<PathBuf>,
}
