//! The result of a run as plain serialisable values: the [`Report`] of a measuring run, the
//! [`Listing`] of `--list`, and the baseline [`Comparison`], one file per document; and the
//! plain [`Setup`] two reports compare. Data only, with lookups (a row's figures), spellings
//! (`ok`, a crate's label) and a change's one-line description: `report::build` fills them, `report/compute.rs` holds what is
//! computed on them (a timing's statistics, what differs between two setups), the exporters
//! read them; nothing here computes or writes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::discover::environment::Setting;
use crate::discover::msrv::FloorSource;
use crate::discover::release::Date;
use crate::vocab::{CrateKind, Linker, Profile, Provenance, Scenario};

mod bisected;
mod comparison;
mod history;
mod listing;
mod merged;

pub(crate) use self::bisected::*;
pub(crate) use self::comparison::*;
pub(crate) use self::history::*;
pub(crate) use self::listing::*;
pub(crate) use self::merged::*;

/// Bumped whenever a field changes meaning or disappears; adding fields keeps it. Schema 4 gives
/// each scenario its own cargo command (`check`, `check-touched`, `test`, `release`, `deep`
/// joined `clean`, `touched` and `edited`; the report-wide `command` is gone) and takes link time
/// apart; schema 3 measured in rounds and gave every time and speedup a 95 % interval; schema 2
/// keyed every figure by scenario with point medians; schema 1 called them `clean`,
/// `incremental` and `patched`, in fields of their own.
pub(crate) const SCHEMA_VERSION: u32 = 4;

/// Everything a report format needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Report {
    /// The shape of this document: 4 (`SCHEMA_VERSION`); it changes when a field changes meaning or
    /// disappears.
    pub(crate) schema: u32,
    /// The cargo-timewarp version that produced it.
    pub(crate) timewarp_version: String,
    /// Workspace root.
    pub(crate) workspace: String,
    /// The commit timed with `--rev`, if not the working tree.
    pub(crate) revision: Option<String>,
    /// `--rev` as the user gave it (`v1.5.0`), where that is not the commit itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) revision_given: Option<String>,
    /// Packages built.
    pub(crate) packages: Vec<String>,
    /// Effective MSRV (`1.80`): the highest floor, the locked dependencies' included.
    pub(crate) msrv: Option<String>,
    /// The highest `rust-version` the built packages declare; `msrv` is higher when a dependency
    /// (or the edition, the lockfile, ...) needs more, and the first floor says which.
    pub(crate) declared_rust_version: Option<String>,
    /// Every MSRV floor, highest first.
    pub(crate) msrv_floors: Vec<Floor>,
    /// The cargo profile of every scenario but `release` (`--profile`).
    pub(crate) profile: Profile,
    /// How caches were warmed before timing, so readers know what the first run includes.
    pub(crate) warmup: String,
    /// The file touched (and edited) for rebuilds, relative to the workspace root when inside it.
    pub(crate) touched_file: String,
    /// The library the `deep` scenario edited, when it was measured.
    pub(crate) deep: Option<DeepLibrary>,
    /// Whether the time rustc's linkers ran was taken apart from every build's wall time (the
    /// `link` figures); when not, a warning says why.
    pub(crate) link_time: bool,
    /// Logical CPUs of the machine.
    pub(crate) cores: usize,
    /// The target triple every build was for, the host's (`x86_64-unknown-linux-gnu`): `merge`
    /// refuses reports of two targets. `null` in reports of earlier versions.
    #[serde(default)]
    pub(crate) target: Option<String>,
    /// The CPU model (the kernel's `model name`): reports of two CPU models are not
    /// compared.
    pub(crate) cpu: Option<String>,
    /// `-j N` of every build, when pinned; `null` for cargo's default (the number of CPUs).
    pub(crate) jobs: Option<usize>,
    /// How the builds were scheduled and why they stopped.
    pub(crate) measurement: Measurement,
    /// Environment variables present in the caller's environment and removed from the builds.
    pub(crate) removed_env: Vec<String>,
    /// Settings kept for the builds that change how code is built (rustflags, jobs,
    /// incremental, linker, profiles), with where each comes from.
    pub(crate) build_settings: Vec<Setting>,
    /// Where dependency sources were vendored for every toolchain; `null` for path-only
    /// workspaces.
    pub(crate) vendored_sources: Option<String>,
    /// Things the reader should know before trusting the numbers.
    pub(crate) warnings: Vec<String>,
    /// Measured toolchains, oldest release first.
    pub(crate) toolchains: Vec<Row>,
    /// Installed toolchains that were not measured, and why.
    pub(crate) skipped: Vec<Skipped>,
    /// The comparison with `--baseline`, when given.
    pub(crate) baseline: Option<Comparison>,
    /// `--crates`: the crates that changed most between the oldest and newest rows.
    pub(crate) crate_changes: Option<CrateChanges>,
}

impl Report {
    /// The scenarios that ran, in column order.
    pub(crate) fn scenarios(&self) -> Vec<Scenario> {
        self.measurement.scenarios.clone()
    }
}

/// The library the `deep` scenario edits: a public item appended to its root file before each
/// `deep` rebuild, so it and every built package that depends on it recompile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct DeepLibrary {
    /// Its package.
    pub(crate) package: String,
    /// Its root source file, relative to the workspace root.
    pub(crate) file: String,
    /// The built packages that depend on it, directly or through each other.
    pub(crate) dependents: Vec<String>,
}

/// How the builds were scheduled, how many rounds ran, and why they stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Measurement {
    /// The scenarios measured, in the order a round runs them.
    pub(crate) scenarios: Vec<Scenario>,
    /// The cargo command each scenario timed: `cargo build`, `cargo check`, `cargo test
    /// --no-run`, `cargo build --release`, ...
    pub(crate) commands: BTreeMap<Scenario, String>,
    /// When rounds stop being added.
    pub(crate) stopping: StoppingRule,
    /// Rounds that ran.
    pub(crate) rounds: usize,
    /// Why they stopped.
    pub(crate) stopped: Stopped,
    /// Seconds from the first build to the last.
    pub(crate) elapsed_s: f64,
    /// Timed builds whose time was set aside, and the build done again in the same round,
    /// because timewarp itself was held up while they ran (Ctrl-Z, SIGSTOP, a seized
    /// machine): none of their times is among the samples.
    #[serde(default)]
    pub(crate) redone: Vec<RedoneBuild>,
}

/// A timed build set aside because timewarp was held up while it ran (the build went on in its
/// own process group, so its wall time, read when timewarp ran again, held the stop), or because
/// it took far longer than its round predicts (`expected_s`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct RedoneBuild {
    /// The toolchain's name.
    pub(crate) toolchain: String,
    /// Whether it was a build of the `--baseline-rev` revision.
    pub(crate) baseline_revision: bool,
    /// The scenario.
    pub(crate) scenario: Scenario,
    /// The round, from 0 (as in `rounds` of a timing).
    pub(crate) round: usize,
    /// The wall time set aside, seconds.
    pub(crate) set_aside_s: f64,
    /// The longest stretch during the build in which timewarp did not run, seconds.
    pub(crate) paused_s: f64,
    /// Set when the build was set aside not because timewarp was held up but because its wall
    /// time was more than three times its cell's median so far (this median, seconds), while the
    /// round's other builds were not: the machine seized by something else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expected_s: Option<f64>,
    /// Whether it was built again in its round: a cell held up at every one of its four tries
    /// in a round is given up, and that round has no sample of it.
    pub(crate) done_again: bool,
}

/// When rounds stop being added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "lowercase")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum StoppingRule {
    /// A fixed number of rounds per scenario (`--runs`, `--clean-runs`, `--incremental-runs`).
    Fixed {
        /// Rounds per scenario.
        rounds: BTreeMap<Scenario, usize>,
    },
    /// Rounds are added while some speedup's 95 % interval is wider than `precision_pct` and
    /// the next round fits the budget.
    Precision {
        /// The ± (relative half-width of the 95 % interval, percent) every speedup of a
        /// scenario that starts from an empty directory should reach.
        precision_pct: f64,
        /// The same for the rebuilds; absent in reports made before rebuilds had their own,
        /// which used `precision_pct`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rebuild_precision_pct: Option<f64>,
        /// No round starts that would end later than this many seconds after the first build.
        budget_s: f64,
        /// Rounds run whatever the intervals say (the budget permitting).
        min_rounds: usize,
        /// Rounds a scenario that starts from an empty directory never exceeds.
        max_rounds: usize,
        /// Rounds a rebuild never exceeds; absent as `rebuild_precision_pct` is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_rebuild_rounds: Option<usize>,
    },
}

/// Why the rounds stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum Stopped {
    /// The fixed number of rounds ran.
    Fixed,
    /// Every speedup reached the precision.
    Precise,
    /// The next round would have ended after the budget.
    Budget,
    /// The most rounds allowed ran.
    MaxRounds,
    /// Every toolchain failed.
    NothingLeft,
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

/// A point estimate with its 95 % interval, as the report states it. Times and speedups are
/// estimated on logarithms (builds times are roughly log-normal), so the point is a geometric
/// mean and the interval is symmetric on a log scale: `1.29x ±3%` has bounds 1.29/1.03 and
/// 1.29×1.03.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Estimate"))]
pub(crate) struct EstimateJson {
    /// The point estimate (geometric mean of the times, or of the paired ratios).
    pub(crate) point: f64,
    /// The lower bound of the 95 % interval; `null` from a single sample.
    pub(crate) low: Option<f64>,
    /// The upper bound of the 95 % interval; `null` from a single sample.
    pub(crate) high: Option<f64>,
    /// The relative half-width of the interval, percent: the `±` shown in tables.
    pub(crate) plus_minus_pct: Option<f64>,
    /// Samples (or pairs) behind it.
    pub(crate) n: usize,
}

/// What an interval says about a speedup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Verdict"))]
pub(crate) enum VerdictJson {
    /// The whole interval lies above 1 beyond the 1 % noise band.
    Faster,
    /// The whole interval lies below 1 beyond the noise band.
    Slower,
    /// The whole interval lies within the 1 % noise band around 1: no change.
    NoChange,
    /// Too wide to tell: the interval reaches both into the noise band and beyond it, or there
    /// is none (one round). Reports before this word said `unknown` for one round.
    #[serde(alias = "unknown")]
    Inconclusive,
    /// The row every other row's speedup is against.
    Base,
}

/// Repeated timings, as measured: the descriptive statistics and every sample with its round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Timing {
    /// The middle sample (mean of the two middle ones for an even count).
    pub(crate) median_s: f64,
    /// Arithmetic mean.
    pub(crate) mean_s: f64,
    /// Sample standard deviation (0 for a single sample).
    pub(crate) stddev_s: f64,
    /// Fastest sample.
    pub(crate) min_s: f64,
    /// Slowest sample.
    pub(crate) max_s: f64,
    /// Every sample, in the order taken.
    pub(crate) runs_s: Vec<f64>,
    /// The round of each sample (samples of one round pair across rows).
    pub(crate) rounds: Vec<usize>,
}

/// What must be equal for two reports' times to be comparable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Setup {
    /// timewarp's schema: it changes when the way of measuring does.
    pub(crate) schema: u32,
    /// The profile timed.
    pub(crate) profile: Profile,
    /// The file touched before rebuilds.
    pub(crate) touched_file: Option<String>,
    /// Logical CPUs of the machine.
    pub(crate) cores: Option<u64>,
    /// `-j N`, when pinned.
    pub(crate) jobs: Option<u64>,
    /// The packages built: another package set is another project.
    pub(crate) packages: Vec<String>,
    /// The CPU model, when known: seconds from two CPU models are not comparable.
    pub(crate) cpu: Option<String>,
    /// The library the `deep` scenario edited: `deep` figures of two libraries are not
    /// comparable (the other scenarios are).
    pub(crate) deep_library: Option<String>,
}

/// One MSRV floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Floor {
    /// `1.56`.
    pub(crate) version: String,
    /// What kind of floor: `rust-version`, `edition`, `workspace-inheritance`, `resolver`,
    /// `lockfile-version`, `dependency-rust-version`, `dependency-edition`.
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) kind: FloorSource,
    /// `edition 2021 of `app``.
    pub(crate) reason: String,
}

/// Whether a toolchain's builds went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum Status {
    /// Every build succeeded.
    Ok,
    /// A build failed; the row has the error and no figures.
    Failed,
    /// Ctrl-C or SIGTERM stopped the run before this toolchain was done; the figures are those
    /// of the builds that finished.
    Interrupted,
}

impl Status {
    /// The name every format uses, the same as in JSON: `ok`, `failed`, `interrupted`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Interrupted => "interrupted",
        }
    }
}

/// One measured toolchain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Row {
    /// The `+NAME` it was run as.
    pub(crate) name: String,
    /// Its `rustc` release.
    pub(crate) version: String,
    /// When that release reached users.
    pub(crate) release_date: Date,
    /// `rustc -V`, which shows distribution builds.
    pub(crate) rustc: String,
    /// Where this toolchain's artifacts went (`<target-dir>/timewarp/<version>`); after the run
    /// only the newest toolchain's is kept unless `--keep-target-dirs`.
    pub(crate) target_dir: String,
    /// `official` (the Rust project's build) or `distribution` (a packager's build from source).
    pub(crate) provenance: Provenance,
    /// The linker: the one the build settings choose, else the toolchain's default (`rust-lld`
    /// or `cc`).
    pub(crate) linker: Linker,
    /// Whether incremental compilation was forced on (`RUSTC_FORCE_INCREMENTAL=1`): rustc
    /// 1.52.1, 1.53 and 1.59 shipped with it off.
    pub(crate) incremental_forced: bool,
    /// ok, failed or interrupted.
    pub(crate) status: Status,
    /// Why the toolchain failed (in cargo's or rustc's words), or that it was interrupted.
    pub(crate) error: Option<String>,
    /// Why the row was expected to fail: named in `--toolchains` though below the MSRV.
    pub(crate) expected_failure: Option<String>,
    /// The figures of every scenario that has samples (none for a failed row).
    pub(crate) scenarios: BTreeMap<Scenario, Figures>,
    /// Scenarios that stopped while the row's others went on, and why (timewarp's edit broke
    /// the build, the file was edited during the run).
    pub(crate) scenario_errors: BTreeMap<Scenario, String>,
    /// `--crates`: where this toolchain's clean build spent its time; `null` without `--crates`
    /// or when that build failed.
    pub(crate) crates: Option<PerCrate>,
    /// `--crates`: why the per-crate build failed, when it did (the timed figures stand).
    pub(crate) crates_error: Option<String>,
}

/// Where one toolchain's clean build spent its time: one more clean build with every rustc
/// timed apart through timewarp's wrapper (`--crates`), never part of the timed samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct PerCrate {
    /// Wall time of the whole wrapped build.
    pub(crate) wrapped_build_s: f64,
    /// How much longer (positive) the wrapped build took than the unwrapped clean median:
    /// the wrapper's cost, plus noise.
    pub(crate) wrapper_cost_pct: Option<f64>,
    /// The workspace's own crates.
    pub(crate) workspace: Part,
    /// Everything else the build compiled.
    pub(crate) dependencies: Part,
    /// The rustc that needed the most memory.
    pub(crate) largest_rustc: Option<CrateTime>,
    /// Every crate the build compiled, slowest first.
    pub(crate) crates: Vec<CrateTime>,
}

/// The rustc time of a group of crates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Part {
    /// Crates in the group.
    pub(crate) count: usize,
    /// Sum of their rustc wall times, seconds (they overlap when built in parallel).
    pub(crate) wall_s: f64,
    /// Sum of their rustc CPU times, seconds.
    pub(crate) cpu_s: f64,
    /// The oldest row's `wall_s` over this row's.
    pub(crate) speedup: Option<f64>,
}

/// One rustc invocation of the per-crate build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct CrateTime {
    /// The package.
    pub(crate) package: String,
    /// Its version.
    pub(crate) version: String,
    /// The crate's name (`build_script_build` for a build script).
    pub(crate) crate_name: String,
    /// `lib`, `bin`, `proc-macro`, `build script`, ...
    pub(crate) kind: CrateKind,
    /// Whether the package is a workspace member.
    pub(crate) workspace: bool,
    /// rustc's wall time, seconds.
    pub(crate) wall_s: f64,
    /// rustc's CPU time, seconds.
    pub(crate) cpu_s: f64,
    /// Peak resident memory of rustc (or of the linker it ran, when larger), MiB.
    pub(crate) peak_rss_mib: f64,
}

impl CrateTime {
    /// `regex-syntax 0.8.5`, `app 0.1.0 build script`, `serde_derive 1.0.0 proc-macro`, `app
    /// 0.1.0 [tool]` (a binary named other than its package): how tables name it.
    pub(crate) fn label(&self) -> String {
        let name = format!("{} {}", self.package, self.version);
        match self.kind {
            CrateKind::BuildScript | CrateKind::ProcMacro => format!("{name} {}", self.kind),
            _ if self.crate_name != self.package.replace('-', "_") => format!("{name} [{}]", self.crate_name),
            CrateKind::Lib => name,
            kind => format!("{name} {kind}"),
        }
    }
}

/// The crates whose rustc time changed most between the oldest and the newest row with a
/// per-crate build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct CrateChanges {
    /// The older row.
    pub(crate) from: String,
    /// The newer row.
    pub(crate) to: String,
    /// The largest changes in seconds, most first (as many as `--crates=N` asks).
    pub(crate) largest: Vec<CrateChange>,
    /// Crates compiled under `from` only (a build script chose other code for that compiler).
    pub(crate) only_from: Vec<String>,
    /// Crates compiled under `to` only.
    pub(crate) only_to: Vec<String>,
}

/// One crate's change between two rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct CrateChange {
    /// How tables name the crate.
    pub(crate) label: String,
    /// Whether it is a workspace member's.
    pub(crate) workspace: bool,
    /// Its rustc time under the older toolchain, seconds.
    pub(crate) from_s: f64,
    /// Under the newer one.
    pub(crate) to_s: f64,
    /// `to_s - from_s`.
    pub(crate) change_s: f64,
}

impl Row {
    /// The figures of `scenario`, when it has any.
    pub(crate) fn figures(&self, scenario: Scenario) -> Option<&Figures> {
        self.scenarios.get(&scenario)
    }

    /// The median wall time of `scenario`, when it has one.
    pub(crate) fn median(&self, scenario: Scenario) -> Option<f64> {
        self.figures(scenario).map(|f| f.wall.median_s)
    }
}

/// What one scenario's samples of one toolchain add up to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Figures {
    /// Wall times, as measured.
    pub(crate) wall: Timing,
    /// The typical wall time: geometric mean with its 95 % interval.
    pub(crate) time: EstimateJson,
    /// CPU times (user + system of the whole process tree), when known.
    pub(crate) cpu: Option<Timing>,
    /// Peak resident memory of the largest single process of any of these builds, MiB: often
    /// a C compiler or the linker, not rustc (the per-crate pass, `--crates`, measures rustc's).
    pub(crate) largest_process_mib: Option<f64>,
    /// How many times faster than the baseline row (the oldest row with this scenario), from the
    /// rounds both measured: the geometric mean of the paired ratios with its 95 % interval;
    /// `null` for the baseline row itself.
    pub(crate) speedup: Option<EstimateJson>,
    /// What the speedup's interval says: faster, slower, or no change detectable.
    pub(crate) verdict: VerdictJson,
    /// The ratio of the CPU-time medians: compiler work saved, whatever the parallelism.
    pub(crate) speedup_cpu: Option<f64>,
    /// Rounds this scenario of this row got.
    pub(crate) rounds: usize,
    /// Whether the interval the stopping rule watches (the speedup's; the time's for the only
    /// row) reached the precision asked for; `null` with a fixed number of rounds.
    pub(crate) precise: Option<bool>,
    /// For a rebuild: how many crates cargo compiled (or checked), the median over its builds.
    pub(crate) crates_compiled: Option<usize>,
    /// The wall time taken apart into link and compile, when every build of it linked.
    pub(crate) link: Option<LinkFigures>,
}

/// A scenario's wall time taken apart: the time during which at least one linker that rustc
/// started ran (`link`), and the rest (`compile`: compiling, and anything else that is not
/// linking), each with its 95 % interval and its own speedup against the baseline row, paired by
/// round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct LinkFigures {
    /// Seconds of linking per build: geometric mean with its 95 % interval.
    pub(crate) time: EstimateJson,
    /// Seconds of the rest per build.
    pub(crate) compile: EstimateJson,
    /// Linking's share of the wall time, percent (the median over its builds).
    pub(crate) share_pct: f64,
    /// Linker runs per build (the median).
    pub(crate) runs: usize,
    /// How many times faster the linking is than the baseline row's; `null` for the base row.
    pub(crate) speedup: Option<EstimateJson>,
    /// What the link speedup's interval says.
    pub(crate) verdict: VerdictJson,
    /// How many times faster the rest is than the baseline row's; `null` for the base row.
    pub(crate) compile_speedup: Option<EstimateJson>,
    /// What the compile speedup's interval says.
    pub(crate) compile_verdict: VerdictJson,
}

/// One toolchain that was not measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Skipped {
    /// Its name.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
    /// Why it was left out.
    pub(crate) reason: String,
}
