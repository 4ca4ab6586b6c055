//! What a run's findings mean for its exit code, most serious first: every build failed (4),
//! the declared `rust-version` cannot build the workspace (6), the project got slower than the
//! baseline allows (5), the gate could not decide a change (7). An interruption (130) is decided
//! before the report is kept.

use anyhow::Result;

use super::model::{Change, Report, Status, StoppingRule};
use crate::discover::select::MsrvCheck;
use crate::exit::{self, ExitError};
use crate::process::indented_details;

/// `Ok` when the run passes, else the error with the exit code of its most serious finding.
pub(crate) fn verdict(report: &Report, msrv: Option<&MsrvCheck>) -> Result<()> {
    if report.toolchains.iter().all(|r| r.status != Status::Ok) {
        return Err(ExitError::with_code(
            exit::ALL_BUILDS_FAILED,
            "every selected toolchain failed to build the workspace; see the `failed` rows for the first error of each",
        ));
    }
    if let Some(check) = msrv
        && let Some(row) = report.toolchains.iter().find(|r| r.name == check.toolchain && r.status == Status::Failed)
    {
        let why = row.error.as_deref().unwrap_or("failed");
        let dependency =
            check.raised_by.as_ref().map(|f| format!("; the locked dependencies need {f}")).unwrap_or_default();
        return Err(ExitError::with_code(
            exit::MSRV_BROKEN,
            format!(
                "the declared rust-version {} is wrong: {} cannot build the workspace{dependency}: {}{}",
                check.declared,
                check.toolchain,
                why.lines().next().unwrap_or_default(),
                indented_details(why, "")
            ),
        ));
    }
    if let Some(comparison) = &report.baseline
        && let Some(worst) = comparison.worst_regression()
    {
        let limit = comparison.max_regression_pct.unwrap_or_default();
        let others = comparison.changes.iter().filter(|c| c.regressed).count() - 1;
        let more = match others {
            0 => String::new(),
            n => format!("; and {n} more, listed in the report"),
        };
        let what = format!("the project got slower to compile than the baseline allows ({limit}%)");
        return Err(ExitError::with_code(exit::REGRESSION, format!("{what}: {}{more}", worst.describe())));
    }
    if let Some(comparison) = &report.baseline
        && let Some(limit) = comparison.max_regression_pct
        && comparison.changes.is_empty()
    {
        return Err(ExitError::with_code(
            exit::UNDECIDED,
            format!(
                "the gate compared nothing against the baseline, so it could not decide ({limit}%); see `not comparable` in the report"
            ),
        ));
    }
    if let Some(comparison) = &report.baseline {
        let undecided = comparison.undecided();
        if let Some(first) = undecided.first() {
            let limit = comparison.max_regression_pct.unwrap_or_default();
            let more = match undecided.len() - 1 {
                0 => String::new(),
                n => format!("; and {n} more, listed in the report"),
            };
            let how = if comparison.paired {
                more_time(report, &undecided)
            } else {
                // More rounds do not shrink the machine's own change between two runs.
                "a saved report cannot tell the project from the machine; `--baseline-rev REV` is the gate".into()
            };
            return Err(ExitError::with_code(
                exit::UNDECIDED,
                format!(
                    "the gate could not decide whether the project got slower than the baseline allows ({limit}%): {}{more}; {how}",
                    first.describe()
                ),
            ));
        }
    }
    Ok(())
}

/// What would decide `undecided` changes: more rounds, as a `--budget` when the rule stopped on
/// it (the rounds each needs grow as the square of its interval's width over its distance from
/// the limit), or rounds at all when they were fixed.
fn more_time(report: &Report, undecided: &[&Change]) -> String {
    let limit = report.baseline.as_ref().and_then(|c| c.max_regression_pct).unwrap_or_default();
    let factor = undecided
        .iter()
        .map(|c| {
            let Some(pm) = c.slowdown.plus_minus_pct else { return f64::INFINITY };
            let distance = (c.slowdown.point / (1.0 + limit / 100.0)).ln().abs().max(1e-3);
            (((1.0 + pm / 100.0).ln() / distance).powi(2)).max(1.0)
        })
        .fold(1.0, f64::max);
    if report.measurement.stopped == crate::report::model::Stopped::MaxRounds {
        return "the most rounds (30) ran first: a quieter machine, or a limit further from the change, decides it"
            .into();
    }
    match &report.measurement.stopping {
        StoppingRule::Precision { budget_s, .. } if factor.is_finite() => {
            let minutes = (budget_s * factor / 60.0).ceil().min(24.0 * 60.0);
            format!("more rounds would decide it: try `--budget {minutes:.0}m`")
        }
        StoppingRule::Precision { .. } => "one round decides nothing: give it a longer `--budget`".into(),
        StoppingRule::Fixed { .. } => {
            "fixed rounds ended first: drop `--runs` so rounds are added until the gate decides".into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::msrv::rust_version_floor;
    use crate::testing::sample_report;
    use crate::vocab::Scenario;

    #[test]
    fn the_most_serious_finding_picks_the_code() {
        let mut report = sample_report();
        assert!(verdict(&report, None).is_ok());
        let declared = rust_version_floor(&semver::Version::new(1, 63, 0), "app");
        let mut check = MsrvCheck { toolchain: "1.63.0".into(), declared, raised_by: None };
        let err = verdict(&report, Some(&check)).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::MSRV_BROKEN);
        assert!(err.to_string().starts_with("the declared rust-version 1.63 (rust-version of `app`) is wrong: 1.63.0 cannot build the workspace: error[E0658]"), "{err}");
        check.raised_by = Some(crate::discover::msrv::MsrvFloor {
            version: semver::Version::new(1, 70, 0),
            kind: crate::discover::msrv::FloorKind::DependencyRustVersion {
                dependency: "clap 4.0.0".into(),
                dependent: "app".into(),
            },
        });
        let err = verdict(&report, Some(&check)).unwrap_err().to_string();
        assert!(err.contains("cannot build the workspace; the locked dependencies need 1.70 (rust-version of clap 4.0.0, a dependency of `app`): error[E0658]"), "{err}");
        for row in &mut report.toolchains {
            row.status = Status::Failed;
        }
        assert_eq!(exit::code_for(&verdict(&report, Some(&check)).unwrap_err()), exit::ALL_BUILDS_FAILED);
    }

    #[test]
    fn a_regression_names_the_worst_and_counts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fast.json");
        let mut report = sample_report();
        std::fs::write(&file, serde_json::to_string(&crate::testing::scaled(&report, 0.5)).unwrap()).unwrap();
        let gate = crate::report::baseline::GateLimit { max_regression_pct: Some(10.0) };
        let baseline = crate::report::baseline::Baseline::read(&file, gate).unwrap();
        // Repeat runs of one commit that changed by ±1 %: the machine's own change between runs.
        let repeats = ["1.85.0", "1.96.0"]
            .iter()
            .flat_map(|v| {
                [Scenario::Clean, Scenario::Touched].map(|s| ((v.to_string(), s), vec![0.01, -0.01, 0.01, -0.01]))
            })
            .collect();
        report.baseline = Some(baseline.compare(&report.setup(), &report.toolchains, &repeats));
        let err = verdict(&report, None).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::REGRESSION);
        let line = err.to_string();
        assert!(line.starts_with("the project got slower to compile than the baseline allows (10%): "), "{line}");
        // Both rows' touched rebuilds regressed beyond doubt; the clean builds, one sample each,
        // have no interval, so they are undecided and do not count.
        assert!(line.ends_with("; and 1 more, listed in the report"), "{line}");
        let undecided = report.baseline.as_ref().unwrap().undecided().len();
        assert_eq!(undecided, 2, "{:?}", report.baseline);

        // Without repeat runs, a saved report decides nothing beyond the limit: exit 7, not 0.
        report.baseline = Some(baseline.compare(&report.setup(), &report.toolchains, &Default::default()));
        let err = verdict(&report, None).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::UNDECIDED);
        let line = err.to_string();
        assert!(
            line.starts_with(
                "the gate could not decide whether the project got slower than the baseline allows (10%): "
            ),
            "{line}"
        );
        assert!(line.ends_with("`--baseline-rev REV` is the gate"), "{line}");
    }

    #[test]
    fn an_undecided_change_says_what_would_decide_it() {
        let mut report = sample_report();
        let change = |low: Option<f64>, high: Option<f64>, pm: Option<f64>| crate::report::model::Change {
            version: "1.96.0".into(),
            scenario: Scenario::Clean,
            baseline_s: 1.0,
            current_s: 1.12,
            slowdown: crate::report::model::EstimateJson { point: 1.12, low, high, plus_minus_pct: pm, n: 5 },
            change_pct: 12.0,
            gate: crate::report::model::GateResult::Undecided,
            regressed: false,
        };
        report.baseline = Some(crate::report::model::Comparison {
            baseline: "revision v1 (abc)".into(),
            paired: true,
            max_regression_pct: Some(10.0),
            changes: vec![change(Some(1.05), Some(1.19), Some(6.5))],
            not_comparable: Vec::new(),
            noise_threshold_pct: Default::default(),
            gate_note: None,
        });
        report.measurement.stopping = StoppingRule::Precision {
            precision_pct: 5.0,
            rebuild_precision_pct: Some(3.0),
            budget_s: 1200.0,
            min_rounds: 5,
            max_rounds: 30,
            max_rebuild_rounds: Some(80),
        };
        let err = verdict(&report, None).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::UNDECIDED);
        // ±6.5 % around a point 1.8 % past the limit needs about (6.3 / 1.8)² = 12 times the rounds.
        assert!(err.to_string().ends_with("more rounds would decide it: try `--budget 245m`"), "{err}");
        report.measurement.stopping = StoppingRule::Fixed { rounds: Default::default() };
        let err = verdict(&report, None).unwrap_err().to_string();
        assert!(err.ends_with("drop `--runs` so rounds are added until the gate decides"), "{err}");
        // Without a limit nothing is gated.
        report.baseline.as_mut().unwrap().max_regression_pct = None;
        assert!(verdict(&report, None).is_ok());
    }
}
