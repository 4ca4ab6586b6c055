//! The [`History`] of `cargo timewarp history`: the runs of `history.jsonl` per toolchain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Status;
use crate::vocab::{Profile, Scenario};

/// `cargo timewarp history`: the runs recorded in `history.jsonl`, per toolchain version, so a
/// user sees when the project got slower to compile under one fixed compiler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct History {
    /// The project, as a user names it: its package when there is one, else its directory.
    #[serde(default)]
    pub(crate) project: String,
    /// The history file read.
    pub(crate) file: String,
    /// Runs read from it.
    pub(crate) runs: usize,
    /// Lines that could not be read (a run killed while writing) and were skipped.
    pub(crate) unreadable_lines: usize,
    /// Runs recorded by other workspaces that share the target directory, left out.
    pub(crate) other_workspaces: usize,
    /// The scenarios any run measured.
    pub(crate) scenarios: Vec<Scenario>,
    /// Per toolchain version, oldest first.
    pub(crate) toolchains: Vec<ToolchainHistory>,
}

/// Every recorded run of one toolchain version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ToolchainHistory {
    /// The rustc version.
    pub(crate) version: String,
    /// Its runs, in the order they were recorded.
    pub(crate) points: Vec<HistoryPoint>,
}

/// One recorded run of one toolchain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct HistoryPoint {
    /// When it was recorded (UTC).
    pub(crate) recorded_at: String,
    /// The commit it measured.
    pub(crate) git_commit: Option<String>,
    /// Whether the working tree had changes beyond that commit.
    pub(crate) git_dirty: bool,
    /// The profile it timed (`dev`, `release`, ...); `what` in JSON.
    #[serde(rename = "what")]
    pub(crate) profile: Profile,
    /// ok, failed or interrupted.
    pub(crate) status: Status,
    /// Median wall time per scenario.
    pub(crate) medians: BTreeMap<Scenario, f64>,
    /// Per scenario, the change from this toolchain's previous run measured the same way, in
    /// percent; absent for the first run and after a change of setup (profile, cores, ...).
    pub(crate) change_pct: BTreeMap<Scenario, f64>,
    /// Per scenario with a `change_pct`, whether that change is one: the 95 % interval of the
    /// ratio of the two runs' times (Welch, on logs) excludes 1, includes it (no change), or
    /// cannot be had (a run of one build).
    #[serde(default)]
    pub(crate) change: BTreeMap<Scenario, RunChange>,
    /// How the run before it was measured another way (so no change is given): `profile dev
    /// then, release now`, ...; empty when it was measured the same way.
    pub(crate) new_setup: Vec<String>,
}

/// What a run-to-run change in the history is, read from the interval of the two runs' ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum RunChange {
    /// The interval excludes 1: the time changed.
    Changed,
    /// The interval includes 1: the change lies within the runs' intervals, so no change.
    WithinIntervals,
    /// A run of one build has no interval: the change cannot be told from noise.
    NoInterval,
}

impl RunChange {
    /// The name every format uses, the same as in JSON.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RunChange::Changed => "changed",
            RunChange::WithinIntervals => "within-intervals",
            RunChange::NoInterval => "no-interval",
        }
    }
}
