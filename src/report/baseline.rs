//! The project's own compile-time change and the `--max-regression` gate on it, version by
//! version and scenario by scenario: against a saved report (`--baseline FILE`, unpaired: the
//! two were measured on different occasions), or against a revision built in the same rounds
//! beside the tree (`--baseline-rev REV`, paired by round on one machine, so nothing is carried
//! between machines). Every change is a slowdown estimate (now / then) with its 95 % interval,
//! and the gate reads the interval, never two point values: a change fails only when the whole
//! interval lies beyond the limit; one that straddles it is "possibly slower".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::model::{Change, Comparison, Estimate, GateResult, Row, Setup, Status};
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
    gate: Gate,
}

/// What the gate allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Gate {
    /// `--max-regression`, percent; `None` compares without judging.
    pub max_regression_pct: Option<f64>,
    /// `--fail-if-possibly-slower`: an interval straddling the limit fails too.
    pub fail_if_possibly_slower: bool,
}

impl Gate {
    /// The gate's view of `slowdown`, and whether it fails the run.
    fn judge(&self, slowdown: &stats::Estimate) -> (GateResult, bool) {
        let Some(limit) = self.max_regression_pct else { return (GateResult::Fine, false) };
        match stats::gate(slowdown, limit) {
            stats::Gate::Regressed => (GateResult::Regressed, true),
            stats::Gate::PossiblySlower => (GateResult::PossiblySlower, self.fail_if_possibly_slower),
            stats::Gate::Fine => (GateResult::Fine, false),
        }
    }
}

fn change(
    version: &str,
    scenario: Scenario,
    slowdown: &stats::Estimate,
    then_s: f64,
    now_s: f64,
    gate: &Gate,
) -> Change {
    let (result, regressed) = gate.judge(slowdown);
    Change {
        version: version.to_string(),
        scenario,
        baseline_s: then_s,
        current_s: now_s,
        slowdown: Estimate::of(slowdown),
        change_pct: (slowdown.point - 1.0) * 100.0,
        gate: result,
        regressed,
    }
}

impl Baseline {
    /// Reads a report exported with `--format json` (schema 1, 2 or 3).
    pub(crate) fn read(path: &Path, gate: Gate) -> Result<Baseline> {
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
    pub(crate) fn compare(&self, setup: &Setup, rows: &[Row]) -> Comparison {
        let mut comparison = Comparison {
            baseline: self.path.display().to_string(),
            paired: false,
            max_regression_pct: self.gate.max_regression_pct,
            changes: Vec::new(),
            not_comparable: Vec::new(),
            noise_threshold_pct: BTreeMap::new(),
        };
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
                let Some(speedup) = stats::unpaired_speedup(then, &figures.wall.runs_s) else { continue };
                let then_s = stats::geometric(then).map_or(0.0, |e| e.point);
                let slowdown = speedup.inverse();
                comparison.changes.push(change(
                    &row.version,
                    *scenario,
                    &slowdown,
                    then_s,
                    figures.time.point,
                    &self.gate,
                ));
            }
        }
        comparison
    }
}

/// `--baseline-rev`: the tree against `revision` (`v1.4.0 (4a8384df2875)`), built in the same
/// rounds by the same toolchains, each change paired by round.
pub(crate) fn against_revision(revision: &str, measured: &[Measured], gate: Gate) -> Comparison {
    let mut comparison = Comparison {
        baseline: format!("revision {revision}"),
        paired: true,
        max_regression_pct: gate.max_regression_pct,
        changes: Vec::new(),
        not_comparable: Vec::new(),
        noise_threshold_pct: BTreeMap::new(),
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
            let Some(speedup) = stats::paired_speedup(&pairs) else { continue };
            let then_s = stats::geometric(&then.walls(*scenario)).map_or(0.0, |e| e.point);
            let now_s = stats::geometric(&now.walls(*scenario)).map_or(0.0, |e| e.point);
            let version = now.toolchain.version.to_string();
            comparison.changes.push(change(&version, *scenario, &speedup.inverse(), then_s, now_s, &gate));
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
        let gate = Gate { max_regression_pct: max, fail_if_possibly_slower: false };
        Baseline { path: "base.json".into(), saved: SavedReport::from_value(value).unwrap(), gate }
    }

    #[test]
    fn a_slower_project_fails_the_gate_only_where_the_interval_shows_it() {
        let report = sample_report();
        let setup = report.setup();
        let slower = baseline_of(&report, Some(10.0)).compare(&setup, &scaled(&report, 1.3).toolchains);
        assert_eq!(slower.changes.len(), 4, "two ok rows x clean/touched; the failed row is not comparable");
        for c in &slower.changes {
            assert!((c.change_pct - 30.0).abs() < 1e-6, "{c:?}");
            // One clean build on each side: no interval, so maybe slower, never proven.
            let expected =
                if c.scenario == Scenario::Clean { GateResult::PossiblySlower } else { GateResult::Regressed };
            assert_eq!(c.gate, expected, "{c:?}");
            assert_eq!(c.regressed, expected == GateResult::Regressed);
        }
        let worst = slower.worst_regression().unwrap();
        assert!(worst.describe().contains("(+30.0%, 95% interval 1.2"), "{}", worst.describe());

        let faster = baseline_of(&report, Some(10.0)).compare(&setup, &scaled(&report, 1.0 / 1.3).toolchains);
        assert!(faster.worst_regression().is_none());
        assert!(faster.changes.iter().all(|c| c.gate == GateResult::Fine));
        let no_limit = baseline_of(&report, None).compare(&setup, &scaled(&report, 1.3).toolchains);
        assert!(no_limit.worst_regression().is_none(), "without --max-regression nothing fails");
    }

    #[test]
    fn a_change_straddling_the_limit_is_possibly_slower_and_fails_only_when_asked() {
        let report = sample_report();
        let mut strict = baseline_of(&report, Some(5.0));
        let now = scaled(&report, 1.05).toolchains;
        let loose = strict.compare(&report.setup(), &now);
        let touched = loose.changes.iter().find(|c| c.scenario == Scenario::Touched).unwrap();
        assert_eq!((touched.gate, touched.regressed), (GateResult::PossiblySlower, false), "{touched:?}");
        strict.gate.fail_if_possibly_slower = true;
        assert!(strict.compare(&report.setup(), &now).worst_regression().is_some());
    }

    #[test]
    fn versions_are_matched_not_positions_and_edits_are_compared_too() {
        let mut report = sample_report();
        let mut current = scaled(&report, 1.0).toolchains;
        current.remove(1); // 1.85.0 not measured this time
        let comparison = baseline_of(&report, Some(5.0)).compare(&report.setup(), &current);
        assert!(comparison.changes.iter().all(|c| c.version == "1.96.0"));
        assert_eq!(comparison.changes.len(), 2);

        let edited = report.toolchains[2].scenarios[&Scenario::Touched].clone();
        report.toolchains[2].scenarios.insert(Scenario::Edited, edited);
        let comparison = baseline_of(&report, Some(5.0)).compare(&report.setup(), &report.toolchains);
        assert!(comparison.changes.iter().any(|c| c.scenario == Scenario::Edited), "{comparison:?}");
    }

    #[test]
    fn only_what_was_measured_the_same_way_is_compared() {
        let report = sample_report();
        let mut release = report.setup();
        release.profile = crate::vocab::Profile::Release;
        let comparison = baseline_of(&report, Some(1.0)).compare(&release, &scaled(&report, 2.0).toolchains);
        assert!(comparison.changes.is_empty() && comparison.worst_regression().is_none(), "never fails the gate");
        assert_eq!(comparison.not_comparable, ["the whole report: profile dev then, release now"]);

        let mut other_cpu = report.setup();
        other_cpu.cpu = Some("another CPU".into());
        let comparison = baseline_of(&report, Some(1.0)).compare(&other_cpu, &scaled(&report, 2.0).toolchains);
        assert_eq!(comparison.not_comparable, ["the whole report: CPU Example CPU @ 3.0GHz then, another CPU now"]);

        let mut other_build = scaled(&report, 2.0);
        other_build.toolchains[2].rustc = "rustc 1.96.0 (built from a source tarball)".into();
        let comparison = baseline_of(&report, Some(1.0)).compare(&report.setup(), &other_build.toolchains);
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
        let gate = Gate { max_regression_pct: None, fail_if_possibly_slower: false };
        std::fs::write(&file, "not json").unwrap();
        let err = Baseline::read(&file, gate).unwrap_err().to_string();
        assert!(err.starts_with(&format!("baseline `{}` is not a timewarp JSON report", file.display())), "{err}");
        std::fs::write(&file, r#"{"schema": 7, "toolchains": []}"#).unwrap();
        let err = Baseline::read(&file, gate).unwrap_err().to_string();
        assert!(err.ends_with("it has schema 7; this timewarp reads schemas 1 to 4"), "{err}");
        let missing = Baseline::read(&dir.path().join("nope.json"), gate).unwrap_err();
        assert!(missing.to_string().starts_with("could not read baseline: could not read `"), "{missing}");
    }
}
