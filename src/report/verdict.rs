//! What a run's findings mean for its exit code, most serious first: every build failed (4),
//! the declared `rust-version` cannot build the workspace (6), the project got slower than the
//! baseline allows (5). An interruption (130) is decided before the report is kept.

use anyhow::Result;

use super::model::{GateResult, Report, Status};
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
        // With `--fail-if-possibly-slower`, failing changes may be only possibly slower.
        let proven = comparison.changes.iter().any(|c| c.regressed && c.gate == GateResult::Regressed);
        let what = if proven {
            format!("the project got slower to compile than the baseline allows ({limit}%)")
        } else {
            format!(
                "the project may have got slower to compile than the baseline allows ({limit}%, `--fail-if-possibly-slower`)"
            )
        };
        return Err(ExitError::with_code(exit::REGRESSION, format!("{what}: {}{more}", worst.describe())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::msrv::rust_version_floor;
    use crate::testing::sample_report;

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
        let gate = crate::report::baseline::Gate { max_regression_pct: Some(10.0), fail_if_possibly_slower: false };
        let baseline = crate::report::baseline::Baseline::read(&file, gate).unwrap();
        report.baseline = Some(baseline.compare(&report.setup(), &report.toolchains));
        let err = verdict(&report, None).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::REGRESSION);
        let line = err.to_string();
        assert!(line.starts_with("the project got slower to compile than the baseline allows (10%): "), "{line}");
        // Both rows' touched rebuilds regressed beyond doubt; the clean builds, one sample each,
        // have no interval, so they are only possibly slower and do not count.
        assert!(line.ends_with("; and 1 more, listed in the report"), "{line}");
        let possibly = report.baseline.as_ref().unwrap().changes.iter().filter(|c| !c.regressed).count();
        assert_eq!(possibly, 2, "{:?}", report.baseline);
    }
}
