//! `--baseline FILE`: the project's own compile-time change since a saved report, version by
//! version and scenario by scenario, and the `--max-regression` verdict on it.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::model::{Change, Comparison, Row, Setup, Status};
use super::saved::SavedReport;
use crate::fs;

/// A saved report to compare with, and the regression it allows.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    path: PathBuf,
    saved: SavedReport,
    max_regression_pct: Option<f64>,
}

impl Baseline {
    /// Reads a report exported with `--format json` (schema 1 or 2).
    pub(crate) fn read(path: &Path, max_regression_pct: Option<f64>) -> Result<Baseline> {
        let text = fs::read(path).map_err(|e| anyhow!("could not read baseline: {e:#}"))?;
        let not_a_report =
            |e: String| anyhow!("baseline `{}` is not a timewarp JSON report (--format json): {e}", path.display());
        let saved = SavedReport::from_slice(&text).map_err(not_a_report)?;
        Ok(Baseline { path: path.to_path_buf(), saved, max_regression_pct })
    }

    /// Compares `rows`, measured as `setup` says, with the baseline's: same version against
    /// same version, for rows that succeeded in both, in every scenario both have, and only
    /// where both were measured the same way (command, profile, touched file, cores, timewarp's
    /// schema, and the very same compiler build); everything else is listed as not comparable.
    pub(crate) fn compare(&self, setup: &Setup, rows: &[Row]) -> Comparison {
        let mut comparison = Comparison {
            baseline: self.path.display().to_string(),
            max_regression_pct: self.max_regression_pct,
            changes: Vec::new(),
            not_comparable: Vec::new(),
        };
        let differences = self.saved.setup.differences(setup);
        if !differences.is_empty() {
            comparison.not_comparable.push(format!("the whole report: {}", differences.join("; ")));
            return comparison;
        }
        let changes = &mut comparison.changes;
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
                let Some(then) = saved.wall.get(scenario).filter(|s| s.median_s > 0.0) else { continue };
                let now = &figures.wall;
                let change_pct = (now.median_s / then.median_s - 1.0) * 100.0;
                changes.push(Change {
                    version: row.version.clone(),
                    scenario: *scenario,
                    baseline_s: then.median_s,
                    current_s: now.median_s,
                    change_pct,
                    spread_pct: now.relative_spread() * 100.0,
                    baseline_spread_pct: then.relative_spread() * 100.0,
                    regressed: self.max_regression_pct.is_some_and(|max| change_pct > max),
                });
            }
        }
        comparison
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_report, scaled};
    use crate::vocab::Scenario;

    fn baseline_of(report: &super::super::model::Report, max: Option<f64>) -> Baseline {
        let value = serde_json::to_value(report).unwrap();
        Baseline { path: "base.json".into(), saved: SavedReport::from_value(value).unwrap(), max_regression_pct: max }
    }

    #[test]
    fn a_slower_project_fails_the_gate_and_a_faster_one_passes() {
        let report = sample_report();
        let setup = report.setup();
        let slower = baseline_of(&report, Some(10.0)).compare(&setup, &scaled(&report, 1.2).toolchains);
        assert_eq!(slower.changes.len(), 4, "two ok rows x clean/touched; the failed row is not comparable");
        assert!(slower.changes.iter().all(|c| c.regressed && (c.change_pct - 20.0).abs() < 1e-9));
        let worst = slower.worst_regression().unwrap();
        assert!(worst.describe().contains("(+20.0%; spread"), "{}", worst.describe());

        let faster = baseline_of(&report, Some(10.0)).compare(&setup, &scaled(&report, 1.0 / 1.2).toolchains);
        assert!(faster.worst_regression().is_none());
        assert!(faster.changes.iter().all(|c| c.change_pct < -16.0));

        let no_limit = baseline_of(&report, None).compare(&setup, &scaled(&report, 1.2).toolchains);
        assert!(no_limit.worst_regression().is_none(), "without --max-regression nothing fails");
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
        std::fs::write(&file, "not json").unwrap();
        let err = Baseline::read(&file, None).unwrap_err().to_string();
        assert!(err.starts_with(&format!("baseline `{}` is not a timewarp JSON report", file.display())), "{err}");
        std::fs::write(&file, r#"{"schema": 7, "toolchains": []}"#).unwrap();
        let err = Baseline::read(&file, None).unwrap_err().to_string();
        assert!(err.ends_with("it has schema 7; this timewarp reads schemas 1 and 2"), "{err}");
        let missing = Baseline::read(&dir.path().join("nope.json"), None).unwrap_err();
        assert!(missing.to_string().starts_with("could not read baseline: could not read `"), "{missing}");
    }
}
