//! What the report computes on the model's plain types, kept apart so that `model` holds data
//! only: a [`Timing`]'s statistics from its samples, the report's form of a `stats` estimate
//! and verdict, the [`Setup`] two reports compare and what differs between two, and the changes
//! of a baseline [`Comparison`] that fail or escape the gate.

use super::model::{Change, Comparison, EstimateJson, GateResult, Report, Setup, Timing, VerdictJson};
use crate::vocab::Scenario;

impl EstimateJson {
    /// The report's form of a statistical estimate.
    pub(crate) fn of(e: &crate::stats::Estimate) -> EstimateJson {
        EstimateJson {
            point: e.point,
            low: e.interval.map(|i| i.lower),
            high: e.interval.map(|i| i.upper),
            plus_minus_pct: e.relative_half_width().map(|w| w * 100.0),
            n: e.n,
        }
    }
}

impl From<crate::stats::Verdict> for VerdictJson {
    fn from(v: crate::stats::Verdict) -> VerdictJson {
        match v {
            crate::stats::Verdict::Faster => VerdictJson::Faster,
            crate::stats::Verdict::Slower => VerdictJson::Slower,
            crate::stats::Verdict::NoChange => VerdictJson::NoChange,
            crate::stats::Verdict::Inconclusive | crate::stats::Verdict::Unknown => VerdictJson::Inconclusive,
        }
    }
}

impl Timing {
    /// The timing of `samples` (seconds) taken in `rounds`; `None` when there are none.
    pub(crate) fn of(samples: &[f64], rounds: &[usize]) -> Option<Timing> {
        let median = crate::stats::median(samples)?;
        let n = samples.len() as f64;
        let mean = samples.iter().sum::<f64>() / n;
        let variance =
            if samples.len() > 1 { samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
        Some(Timing {
            median_s: median,
            mean_s: mean,
            stddev_s: variance.sqrt(),
            min_s: samples.iter().copied().fold(f64::INFINITY, f64::min),
            max_s: samples.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            runs_s: samples.to_vec(),
            rounds: rounds.to_vec(),
        })
    }
}

impl Setup {
    /// What differs between `self` (a saved report's) and `now`, as `profile dev then, release
    /// now`; empty when the two are comparable.
    pub(crate) fn differences(&self, now: &Setup) -> Vec<String> {
        self.differences_as(now, ["then", "now"])
    }

    /// The same, each side named by `names`: `profile release here, dev in a.json`.
    pub(crate) fn differences_as(&self, now: &Setup, names: [&str; 2]) -> Vec<String> {
        let mut differ = Vec::new();
        let mut check = |what: &str, then: String, now: String| {
            if then != now {
                differ.push(format!("{what} {then} {}, {now} {}", names[0], names[1]));
            }
        };
        let unknown = || "unknown".to_string();
        check("schema", self.schema.to_string(), now.schema.to_string());
        check("profile", self.profile.to_string(), now.profile.to_string());
        check(
            "touched file",
            self.touched_file.clone().unwrap_or_else(unknown),
            now.touched_file.clone().unwrap_or_else(unknown),
        );
        check(
            "cores",
            self.cores.map_or_else(unknown, |c| c.to_string()),
            now.cores.map_or_else(unknown, |c| c.to_string()),
        );
        let jobs = |j: Option<u64>| j.map_or_else(|| "default".to_string(), |j| j.to_string());
        check("jobs", jobs(self.jobs), jobs(now.jobs));
        check("packages", self.packages.join(", "), now.packages.join(", "));
        if let (Some(then), Some(now)) = (&self.cpu, &now.cpu) {
            check("CPU", then.clone(), now.clone());
        }
        differ
    }

    /// What differs for `scenario` alone: the whole setup's differences, and its own
    /// ([`Setup::scenario_difference`]).
    pub(crate) fn differences_in(&self, now: &Setup, scenario: Scenario) -> Vec<String> {
        let mut differ = self.differences(now);
        differ.extend(self.scenario_difference(now, scenario));
        differ
    }

    /// What differs for `scenario` beyond the whole setup: for `deep`, the library it edited.
    pub(crate) fn scenario_difference(&self, now: &Setup, scenario: Scenario) -> Option<String> {
        match (scenario, &self.deep_library, &now.deep_library) {
            (Scenario::Deep, Some(then), Some(now)) if then != now => {
                Some(format!("deep library `{then}` then, `{now}` now"))
            }
            _ => None,
        }
    }
}

impl Report {
    /// How this report was measured, to compare with another's.
    pub(crate) fn setup(&self) -> Setup {
        Setup {
            schema: self.schema,
            profile: self.profile.clone(),
            touched_file: Some(self.touched_file.clone()),
            cores: Some(self.cores as u64),
            jobs: self.jobs.map(|j| j as u64),
            packages: self.packages.clone(),
            cpu: self.cpu.clone(),
            deep_library: self.deep.as_ref().map(|d| d.package.clone()),
        }
    }
}

impl Comparison {
    /// The worst change that fails the gate, if any.
    pub(crate) fn worst_regression(&self) -> Option<&Change> {
        self.changes.iter().filter(|c| c.regressed).max_by(|a, b| a.change_pct.total_cmp(&b.change_pct))
    }

    /// The changes the gate could not decide, when there is a limit.
    pub(crate) fn undecided(&self) -> Vec<&Change> {
        let gated = self.max_regression_pct.is_some();
        self.changes.iter().filter(|c| gated && c.gate == GateResult::Undecided).collect()
    }
}
