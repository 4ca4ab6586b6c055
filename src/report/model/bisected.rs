//! The [`Bisected`] document of `cargo timewarp bisect`, with its own schema version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{EstimateJson, Skipped, Stopped, VerdictJson};
use crate::vocab::{Profile, Provenance, Scenario};

/// Bumped whenever a field of the [`Bisected`] document changes meaning or disappears: 2 has no
/// `command` (each scenario names its own, in `commands`) and takes link time apart.
pub(crate) const BISECT_SCHEMA_VERSION: u32 = 2;

/// `cargo timewarp bisect`: which release of a span moved the project's build time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Bisected {
    /// The shape of this document (`BISECT_SCHEMA_VERSION`).
    pub(crate) schema: u32,
    /// The cargo-timewarp version that produced it.
    pub(crate) timewarp_version: String,
    /// Workspace root.
    pub(crate) workspace: String,
    /// The commit timed with `--rev`, if not the working tree.
    pub(crate) revision: Option<String>,
    /// The profile of every scenario but `release`.
    pub(crate) profile: Profile,
    /// The cargo command each scenario timed.
    pub(crate) commands: BTreeMap<Scenario, String>,
    /// The older end of the span, as the toolchain is named.
    pub(crate) from: String,
    /// The newer end.
    pub(crate) to: String,
    /// The scenario whose change was located.
    pub(crate) scenario: Scenario,
    /// How the search ended.
    pub(crate) outcome: BisectOutcome,
    /// The answer in one sentence.
    pub(crate) summary: String,
    /// The change between the ends, in every scenario measured, from the first step.
    pub(crate) total: BTreeMap<Scenario, StepFigure>,
    /// With a located release: the step that holds the change, in every scenario measured.
    pub(crate) located: Option<LocatedStep>,
    /// Every step in order.
    pub(crate) steps: Vec<BisectStep>,
    /// Every stable release of the span: measured, not needed, missing or left out.
    pub(crate) releases: Vec<SpanRelease>,
    /// What the reader should know (mixed builds, missing releases).
    pub(crate) warnings: Vec<String>,
    /// `--nightlies`: the search over the nightlies of the located release's six-week train.
    pub(crate) nightlies: Option<NightlyBisection>,
    /// Seconds from the first build to the last.
    pub(crate) elapsed_s: f64,
    /// Logical CPUs of the machine.
    pub(crate) cores: usize,
    /// The CPU model, when known.
    pub(crate) cpu: Option<String>,
}

/// `bisect --nightlies`: past two adjacent stable releases, the search over the nightlies of the
/// newer one's six-week train (the days its code was on master).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct NightlyBisection {
    /// The release whose train was searched: `1.90`.
    pub(crate) release: String,
    /// The train's first nightly: `nightly-2025-06-27`.
    pub(crate) first: String,
    /// Its last.
    pub(crate) last: String,
    /// How the search ended; `null` when it could not start (fewer than two nightlies).
    pub(crate) outcome: Option<BisectOutcome>,
    /// The answer in one sentence.
    pub(crate) summary: String,
    /// Every step in order.
    pub(crate) steps: Vec<BisectStep>,
    /// With a located change: the two adjacent nightlies that hold it.
    pub(crate) located: Option<NightlyStep>,
    /// The nightlies `--install` installed for the search (removed when it ended, unless
    /// `--keep-installed`).
    pub(crate) installed: Vec<String>,
}

/// The two adjacent nightlies that hold the change, and the rust-lang/rust commits between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct NightlyStep {
    /// The older nightly.
    pub(crate) from: String,
    /// The newer nightly.
    pub(crate) to: String,
    /// The commit the older one was built from (`rustc -vV`'s `commit-hash`).
    pub(crate) from_commit: Option<String>,
    /// The commit of the newer one.
    pub(crate) to_commit: Option<String>,
    /// The commits between them on GitHub: `https://github.com/rust-lang/rust/compare/A...B`.
    pub(crate) commits: Option<String>,
    /// The change in every scenario measured.
    pub(crate) scenarios: BTreeMap<Scenario, StepFigure>,
}

/// How a bisection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum BisectOutcome {
    /// The significant part of the change lies between two adjacent measured releases.
    Located,
    /// No single release holds it: both halves of a step carry part of it, or neither does.
    Spread,
    /// The ends do not differ beyond noise.
    NoChange,
    /// The budget ran out or the run was interrupted first.
    Unfinished,
    /// An end of the span could not build the project.
    EndFailed,
}

/// A change in one scenario between two releases, paired by round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct StepFigure {
    /// The speedup of the newer release over the older (2.0: twice as fast), with its interval.
    pub(crate) speedup: EstimateJson,
    /// What the interval says.
    pub(crate) verdict: VerdictJson,
    /// The speedup of the linking alone, when both releases' builds linked.
    pub(crate) link_speedup: Option<EstimateJson>,
    /// The speedup of the rest (compiling), when the link time was taken apart.
    pub(crate) compile_speedup: Option<EstimateJson>,
    /// This change's part of the whole span's change in the scenario followed, percent (on the
    /// log scale, where the parts add up); `null` for the other scenarios.
    pub(crate) share_pct: Option<f64>,
}

/// The step that holds the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct LocatedStep {
    /// The older release.
    pub(crate) from: String,
    /// The newer release, the one that made the change.
    pub(crate) to: String,
    /// Releases of the span between the two that no toolchain measured (missing or left out).
    pub(crate) unmeasured_between: Vec<String>,
    /// With releases between them unmeasured: the commands that would narrow the step.
    pub(crate) narrow: Option<String>,
    /// The change in every scenario measured.
    pub(crate) scenarios: BTreeMap<Scenario, StepFigure>,
    /// Known causes, from what timewarp knows of the two toolchains.
    pub(crate) causes: Vec<String>,
}

/// One step of the search: releases measured together in paired rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct BisectStep {
    /// The releases measured, oldest first.
    pub(crate) measured: Vec<String>,
    /// Rounds that ran.
    pub(crate) rounds: usize,
    /// Why the rounds stopped.
    pub(crate) stopped: Stopped,
    /// The changes between neighbours of the step, in every scenario.
    pub(crate) changes: Vec<StepChange>,
    /// Releases that could not build, with why; the search went on without them.
    pub(crate) failed: Vec<Skipped>,
    /// The span kept after this step, `[older, newer]`; `null` when the search ended here.
    pub(crate) kept: Option<[String; 2]>,
}

/// The change between two releases of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct StepChange {
    /// The older release.
    pub(crate) from: String,
    /// The newer release.
    pub(crate) to: String,
    /// Per scenario.
    pub(crate) scenarios: BTreeMap<Scenario, StepFigure>,
}

/// One stable release of the span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct SpanRelease {
    /// `1.78`.
    pub(crate) release: String,
    /// The toolchain that stands for it, when one is installed.
    pub(crate) toolchain: Option<String>,
    /// Official or distribution build.
    pub(crate) provenance: Option<Provenance>,
    /// What became of it.
    pub(crate) status: SpanStatus,
    /// Why, when it was left out or failed.
    pub(crate) reason: Option<String>,
    /// Its build times per scenario, from the last step that measured it.
    pub(crate) time: BTreeMap<Scenario, EstimateJson>,
}

/// What became of a release of the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum SpanStatus {
    /// Measured in at least one step.
    Measured,
    /// Installed, but the halving never needed it.
    NotNeeded,
    /// Installed, but it failed to build the project.
    Failed,
    /// Installed, but left out (below a floor, or another build of the same release stands for it).
    LeftOut,
    /// No toolchain of it is installed.
    Missing,
}
