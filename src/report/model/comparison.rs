//! The baseline [`Comparison`] (`--baseline`, `--baseline-rev`): each figure against the
//! baseline's, and the gate's verdict on each change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::EstimateJson;
use crate::vocab::Scenario;

/// One figure compared with the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Change {
    /// The rustc version both rows share.
    pub(crate) version: String,
    /// Which scenario.
    pub(crate) scenario: Scenario,
    /// The baseline's typical time, seconds.
    pub(crate) baseline_s: f64,
    /// The current typical time, seconds.
    pub(crate) current_s: f64,
    /// How many times longer the builds take now (`1.20`: 20 % slower), with its 95 % interval:
    /// paired by round against `--baseline-rev`, unpaired (Welch, on logs) against a saved report.
    pub(crate) slowdown: EstimateJson,
    /// The point change, percent; positive is slower.
    pub(crate) change_pct: f64,
    /// What the gate makes of it.
    pub(crate) gate: GateResult,
    /// Whether it fails the gate (`gate` is `regressed`).
    pub(crate) regressed: bool,
}

/// The gate's view of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum GateResult {
    /// The whole interval lies beyond the limit.
    Regressed,
    /// Not decided: the interval straddles the limit, there is none (one round), or a saved
    /// baseline cannot tell the project's change from the machine's (`--baseline FILE` without
    /// repeat runs in the history). Reports before this word said `possibly-slower`.
    #[serde(alias = "possibly-slower")]
    Undecided,
    /// The whole interval lies within the limit (or no limit was given).
    Fine,
}

impl Change {
    /// `1.96.0 touched: 0.532 s -> 0.641 s (+20.5%, interval 1.12x-1.29x)`: the 95 % interval,
    /// or the gate's stricter one when rounds were added until it decided.
    pub(crate) fn describe(&self) -> String {
        let interval = match (self.slowdown.low, self.slowdown.high) {
            (Some(low), Some(high)) => format!(", interval {low:.2}x-{high:.2}x"),
            _ => ", one sample: no interval".to_string(),
        };
        format!(
            "{} {}: {:.3} s -> {:.3} s ({:+.1}%{interval})",
            self.version, self.scenario, self.baseline_s, self.current_s, self.change_pct
        )
    }
}

/// The comparison with a baseline: the project's own compile-time change, version by version
/// (not toolchain against toolchain), only where both measured the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Comparison {
    /// The baseline: a report file, or `revision <commit>` for `--baseline-rev`.
    pub(crate) baseline: String,
    /// Whether the baseline was built in the same rounds (`--baseline-rev`), so the change is
    /// paired; a saved report is compared unpaired.
    pub(crate) paired: bool,
    /// `--max-regression`, percent.
    pub(crate) max_regression_pct: Option<f64>,
    /// Every comparable figure.
    pub(crate) changes: Vec<Change>,
    /// Rows (or the whole report) that were not compared, each saying what differs; they
    /// never fail the gate.
    pub(crate) not_comparable: Vec<String>,
    /// rustc-perf's noise threshold (Q3 + 3×IQR of the run-to-run changes), percent, per
    /// `version scenario`, from repeat runs of one commit measured the same way, once
    /// `history.jsonl` holds 5 of them.
    pub(crate) noise_threshold_pct: BTreeMap<String, f64>,
    /// Why the gate could not decide changes it would otherwise have called `regressed` (a saved
    /// report without the history's repeat runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) gate_note: Option<String>,
}
