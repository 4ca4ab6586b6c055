//! The project's own compile-time change and the `--max-regression` gate on it, version by
//! version and scenario by scenario: against a revision built in the same rounds beside the tree
//! (`--baseline-rev REV`, paired by round on one machine: the gate), or against a saved report
//! (`--baseline FILE`, unpaired: the two were measured on different occasions, so the machine's
//! own change between them is added from the history's repeat runs, and without enough of them
//! the comparison is shown but decides nothing). Every change is a slowdown estimate (now / then)
//! with its 95 % interval, and the gate reads the interval, never two point values: `regressed`
//! when the whole interval lies beyond the limit, `fine` when it lies within, `undecided`
//! otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::model::{Change, Comparison, EstimateJson, GateResult, Row, Setup, Status};
use super::saved::SavedReport;
use crate::fs;
use crate::measure::engine::{self, Measured};
use crate::stats;
use crate::vocab::Scenario;

/// A saved report to compare with, and the regression it allows.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    path: PathBuf,
    saved: SavedReport,
    gate: GateLimit,
}

/// What the gate allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GateLimit {
    /// `--max-regression`, percent; `None` compares without judging.
    pub(crate) max_regression_pct: Option<f64>,
}

impl GateLimit {
    /// The gate's view of `slowdown`.
    fn judge(&self, slowdown: &stats::Estimate) -> GateResult {
        let Some(limit) = self.max_regression_pct else { return GateResult::Fine };
        match stats::gate(slowdown, limit) {
            stats::Gate::Regressed => GateResult::Regressed,
            stats::Gate::Undecided => GateResult::Undecided,
            stats::Gate::Fine => GateResult::Fine,
        }
    }
}

fn change(
    version: &str,
    scenario: Scenario,
    slowdown: &stats::Estimate,
    then_s: f64,
    now_s: f64,
    result: GateResult,
) -> Change {
    Change {
        version: version.to_string(),
        scenario,
        baseline_s: then_s,
        current_s: now_s,
        slowdown: EstimateJson::of(slowdown),
        change_pct: (slowdown.point - 1.0) * 100.0,
        gate: result,
        regressed: result == GateResult::Regressed,
    }
}

impl Baseline {
    /// Reads a report exported with `--format json` (of this timewarp's schema).
    pub(crate) fn read(path: &Path, gate: GateLimit) -> Result<Baseline> {
        let text = fs::read(path).map_err(|e| anyhow!("could not read baseline: {e:#}"))?;
        let not_a_report =
            |e: String| anyhow!("baseline `{}` is not a timewarp JSON report (--format json): {e}", path.display());
        let saved = SavedReport::from_slice(&text).map_err(not_a_report)?;
        Ok(Baseline { path: path.to_path_buf(), saved, gate })
    }

    /// Compares `rows`, measured as `setup` says, with the baseline's: same version against
    /// same version, for rows that succeeded in both, in every scenario both have, and only
    /// where both were measured the same way (profile, touched file, cores, CPU, packages,
    /// timewarp's schema, the very same compiler build, and for `deep` the library it edited);
    /// everything else is listed
    /// as not comparable. The two were measured apart, so each change's interval is unpaired.
    ///
    /// `repeats` holds the log changes between repeat runs of one commit on this machine (see
    /// `history::repeat_changes`): where a version and scenario has enough of them, their
    /// variance widens the interval; where it has not, a change beyond or across the limit is
    /// `undecided`, never `regressed`, and the comparison says why.
    pub(crate) fn compare(
        &self,
        setup: &Setup,
        rows: &[Row],
        repeats: &BTreeMap<(String, Scenario), Vec<f64>>,
    ) -> Comparison {
        let mut comparison = Comparison {
            baseline: self.path.display().to_string(),
            paired: false,
            max_regression_pct: self.gate.max_regression_pct,
            changes: Vec::new(),
            not_comparable: Vec::new(),
            noise_threshold_pct: BTreeMap::new(),
            gate_note: None,
        };
        let mut blind = 0;
        let differences = self.saved.setup.differences(setup);
        if !differences.is_empty() {
            comparison.not_comparable.push(format!("the whole report: {}", differences.join("; ")));
            return comparison;
        }
        for row in rows.iter().filter(|r| r.status == Status::Ok) {
            let saved = self.saved.rows.iter().find(|b| b.version == row.version && b.status == Status::Ok);
            let Some(saved) = saved else { continue };
            if saved.rustc.as_deref().is_some_and(|then| then != row.rustc) {
                let then = saved.rustc.as_deref().unwrap_or_default();
                comparison
                    .not_comparable
                    .push(format!("{}: another build of it, `{then}` then, `{}` now", row.version, row.rustc));
                continue;
            }
            for (scenario, figures) in &row.scenarios {
                let Some(then) = saved.wall.get(scenario) else { continue };
                // The whole setup was compared above; what is left is the scenario's own.
                if let Some(differ) = self.saved.setup.scenario_difference(setup, *scenario) {
                    comparison.not_comparable.push(format!("{} {scenario}: {differ}", row.version));
                    continue;
                }
                let between =
                    repeats.get(&(row.version.clone(), *scenario)).and_then(|c| stats::between_run_variance(c));
                let Some(speedup) = stats::unpaired_speedup_between(then, &figures.wall.runs_s, between) else {
                    continue;
                };
                let then_s = stats::geometric(then).map_or(0.0, |e| e.point);
                let slowdown = speedup.inverse();
                let mut result = self.gate.judge(&slowdown);
                // Without the machine's own change between runs, Welch's interval is too narrow
                // either way: a change beyond the limit may be the machine, and one within it too.
                if between.is_none() && self.gate.max_regression_pct.is_some() {
                    result = GateResult::Undecided;
                    blind += 1;
                }
                comparison.changes.push(change(&row.version, *scenario, &slowdown, then_s, figures.time.point, result));
            }
        }
        if blind > 0 {
            comparison.gate_note = Some(format!(
                "a saved report cannot tell the project's change from this machine's change between runs (4-20% on a \
                 VM) until the history holds {} changes between repeat runs of one commit measured this way (five \
                 runs give them), so {blind} change{} {} undecided; `--baseline-rev REV` builds the revision in the \
                 same rounds and is the gate",
                stats::MIN_REPEAT_CHANGES,
                if blind == 1 { "" } else { "s" },
                if blind == 1 { "is" } else { "are" },
            ));
        }
        comparison
    }
}

/// `--baseline-rev`: the tree against `revision` (`v1.4.0 (4a8384df2875)`), built in the same
/// rounds by the same toolchains, each change paired by round.
/// `confidence` is the level the stopping rule watched the pairs at.
pub(crate) fn against_revision(revision: &str, measured: &[Measured], gate: GateLimit, confidence: f64) -> Comparison {
    let mut comparison = Comparison {
        baseline: format!("revision {revision}"),
        paired: true,
        max_regression_pct: gate.max_regression_pct,
        changes: Vec::new(),
        not_comparable: Vec::new(),
        noise_threshold_pct: BTreeMap::new(),
        gate_note: None,
    };
    for now in measured.iter().filter(|m| m.variant == 0) {
        let Some(then) = measured.iter().find(|m| m.variant != 0 && m.toolchain == now.toolchain) else { continue };
        if !matches!(now.end, engine::End::Completed) || !matches!(then.end, engine::End::Completed) {
            comparison.not_comparable.push(format!("{}: a build of one side did not finish", now.toolchain.version));
            continue;
        }
        for (scenario, samples) in &now.samples {
            let Some(base) = then.samples.get(scenario) else { continue };
            let pairs = engine::pairs(base, samples);
            let Some(speedup) = stats::paired_speedup_at(&pairs, confidence) else { continue };
            let then_s = stats::geometric(&then.walls(*scenario)).map_or(0.0, |e| e.point);
            let now_s = stats::geometric(&now.walls(*scenario)).map_or(0.0, |e| e.point);
            let version = now.toolchain.version.to_string();
            let slowdown = speedup.inverse();
            comparison.changes.push(change(&version, *scenario, &slowdown, then_s, now_s, gate.judge(&slowdown)));
        }
    }
    comparison
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_report, scaled};

    fn baseline_of(report: &super::super::model::Report, max: Option<f64>) -> Baseline {
        let value = serde_json::to_value(report).unwrap();
        let gate = GateLimit { max_regression_pct: max };
        Baseline { path: "base.json".into(), saved: SavedReport::from_value(value).unwrap(), gate }
    }

    /// No repeat runs in the history.
    fn none() -> BTreeMap<(String, Scenario), Vec<f64>> {
        BTreeMap::new()
    }

    /// Five repeat runs of one commit for every version and scenario of the sample report, whose
    /// log changes are ±`sd`.
    fn repeats(sd: f64) -> BTreeMap<(String, Scenario), Vec<f64>> {
        let mut all = BTreeMap::new();
        for version in ["1.85.0", "1.96.0"] {
            for scenario in [Scenario::Clean, Scenario::Touched] {
                all.insert((version.to_string(), scenario), vec![sd, -sd, sd, -sd]);
            }
        }
        all
    }

    #[test]
    fn a_slower_project_fails_the_gate_only_where_the_interval_shows_it() {
        let report = sample_report();
        let setup = report.setup();
        let saved = baseline_of(&report, Some(10.0));
        // With the machine's own change between runs known from repeat runs (1 % here).
        let slower = saved.compare(&setup, &scaled(&report, 1.3).toolchains, &repeats(0.01));
        assert_eq!(slower.changes.len(), 4, "two ok rows x clean/touched; the failed row is not comparable");
        for c in &slower.changes {
            assert!((c.change_pct - 30.0).abs() < 1e-6, "{c:?}");
            // One clean build on each side: no interval, so undecided, never proven.
            let expected = if c.scenario == Scenario::Clean { GateResult::Undecided } else { GateResult::Regressed };
            assert_eq!(c.gate, expected, "{c:?}");
            assert_eq!(c.regressed, expected == GateResult::Regressed);
        }
        assert_eq!(slower.gate_note, None);
        let worst = slower.worst_regression().unwrap();
        assert!(worst.describe().contains("(+30.0%, interval 1."), "{}", worst.describe());
        // A noisier machine between runs widens the interval until it straddles the limit.
        let noisy = saved.compare(&setup, &scaled(&report, 1.3).toolchains, &repeats(0.2));
        assert!(noisy.worst_regression().is_none(), "{noisy:?}");
        assert!(noisy.changes.iter().all(|c| c.gate == GateResult::Undecided), "{noisy:?}");
        // Without repeat runs, a saved report cannot fail the gate, and says why.
        let blind = saved.compare(&setup, &scaled(&report, 1.3).toolchains, &none());
        assert!(blind.worst_regression().is_none(), "{blind:?}");
        assert!(blind.changes.iter().all(|c| c.gate == GateResult::Undecided), "{blind:?}");
        let note = blind.gate_note.as_deref().unwrap();
        assert!(note.contains("4 changes are undecided") && note.contains("--baseline-rev"), "{note}");

        let faster = baseline_of(&report, Some(10.0)).compare(&setup, &scaled(&report, 1.0 / 1.3).toolchains, &none());
        assert!(faster.worst_regression().is_none());
        assert!(faster.changes.iter().all(|c| c.gate != GateResult::Regressed));
        let no_limit = baseline_of(&report, None).compare(&setup, &scaled(&report, 1.3).toolchains, &none());
        assert!(no_limit.worst_regression().is_none(), "without --max-regression nothing fails");
    }

    #[test]
    fn a_change_straddling_the_limit_is_undecided() {
        let report = sample_report();
        let strict = baseline_of(&report, Some(5.0));
        let now = scaled(&report, 1.05).toolchains;
        let loose = strict.compare(&report.setup(), &now, &repeats(0.001));
        let touched = loose.changes.iter().find(|c| c.scenario == Scenario::Touched).unwrap();
        assert_eq!((touched.gate, touched.regressed), (GateResult::Undecided, false), "{touched:?}");
        assert!(loose.worst_regression().is_none());
        assert_eq!(loose.undecided().len(), 4, "{loose:?}");
    }

    #[test]
    fn versions_are_matched_not_positions_and_edits_are_compared_too() {
        let mut report = sample_report();
        let mut current = scaled(&report, 1.0).toolchains;
        current.remove(1); // 1.85.0 not measured this time
        let comparison = baseline_of(&report, Some(5.0)).compare(&report.setup(), &current, &none());
        assert!(comparison.changes.iter().all(|c| c.version == "1.96.0"));
        assert_eq!(comparison.changes.len(), 2);

        let edited = report.toolchains[2].scenarios[&Scenario::Touched].clone();
        report.toolchains[2].scenarios.insert(Scenario::Edited, edited);
        let comparison = baseline_of(&report, Some(5.0)).compare(&report.setup(), &report.toolchains, &none());
        assert!(comparison.changes.iter().any(|c| c.scenario == Scenario::Edited), "{comparison:?}");
    }

    #[test]
    fn only_what_was_measured_the_same_way_is_compared() {
        let report = sample_report();
        let mut release = report.setup();
        release.profile = crate::vocab::Profile::Release;
        let comparison = baseline_of(&report, Some(1.0)).compare(&release, &scaled(&report, 2.0).toolchains, &none());
        assert!(comparison.changes.is_empty() && comparison.worst_regression().is_none(), "never fails the gate");
        assert_eq!(comparison.not_comparable, ["the whole report: profile dev then, release now"]);

        let mut other_cpu = report.setup();
        other_cpu.cpu = Some("another CPU".into());
        let comparison = baseline_of(&report, Some(1.0)).compare(&other_cpu, &scaled(&report, 2.0).toolchains, &none());
        assert_eq!(comparison.not_comparable, ["the whole report: CPU Example CPU @ 3.0GHz then, another CPU now"]);

        let mut other_build = scaled(&report, 2.0);
        other_build.toolchains[2].rustc = "rustc 1.96.0 (built from a source tarball)".into();
        let comparison = baseline_of(&report, Some(1.0)).compare(&report.setup(), &other_build.toolchains, &none());
        assert!(comparison.changes.iter().all(|c| c.version == "1.85.0"), "{comparison:?}");
        assert_eq!(
            comparison.not_comparable,
            ["1.96.0: another build of it, `rustc 1.96.0` then, `rustc 1.96.0 (built from a source tarball)` now"]
        );
    }

    #[test]
    fn baselines_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.json");
        let gate = GateLimit { max_regression_pct: None };
        std::fs::write(&file, "not json").unwrap();
        let err = Baseline::read(&file, gate).unwrap_err().to_string();
        assert!(err.starts_with(&format!("baseline `{}` is not a timewarp JSON report", file.display())), "{err}");
        std::fs::write(&file, r#"{"schema": 7, "toolchains": []}"#).unwrap();
        let err = Baseline::read(&file, gate).unwrap_err().to_string();
        assert!(err.ends_with("it has schema 7; this timewarp reads schema 4 reports only"), "{err}");
        let missing = Baseline::read(&dir.path().join("nope.json"), gate).unwrap_err();
        assert!(missing.to_string().starts_with("could not read baseline: could not read `"), "{missing}");
    }
}
