//! `cargo timewarp merge REPORT.json...`: one setup measured on several machines (the jobs of
//! a CI matrix, each of which ran the whole history on its own runner), combined into one
//! speedup per row and scenario with its 95 % interval.
//!
//! Each machine is a block: its speedups are recomputed from its own rounds, against the base
//! row every machine measured, and only those ratios are combined (a random-effects
//! meta-analysis, `stats::merge`), never absolute seconds, which differ from machine to machine.
//! Reports measured another way (another command, profile, touched file, `-j`, package set,
//! schema) and rows built from other compilers are listed as not comparable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::model::{Estimate, Machine, Merged, MergedFigure, MergedRow, Report, Row, SCHEMA_VERSION, Status, Verdict};
use super::output::Outputs;
use crate::fs;
use crate::measure::engine::Sample;
use crate::stats;
use crate::vocab::Scenario;

/// Reads `files`, merges them and writes the result to `outputs`.
pub(crate) fn run(files: &[PathBuf], outputs: &Outputs) -> Result<()> {
    outputs.check()?;
    let reports: Vec<(PathBuf, Report)> =
        files.iter().map(|file| Ok((file.clone(), read(file)?))).collect::<Result<_>>()?;
    outputs.merged(&merge(&reports))
}

/// One report, which must be of the current schema: older ones have no rounds to pair (before
/// 3) or measured their scenarios another way (before 4).
fn read(file: &Path) -> Result<Report> {
    let bytes = fs::read(file)?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| anyhow!("`{}` is not a timewarp JSON report (--format json): {e}", file.display()))?;
    let schema = value.get("schema").and_then(serde_json::Value::as_u64);
    if schema != Some(u64::from(SCHEMA_VERSION)) {
        let found = schema.map_or("no schema".to_string(), |s| format!("schema {s}"));
        return Err(anyhow!(
            "`{}` has {found}; merge needs schema {SCHEMA_VERSION} reports, measured in rounds the way this timewarp measures; measure it again",
            file.display()
        ));
    }
    let report: Report = serde_json::from_value(value)
        .map_err(|e| anyhow!("`{}` is not a timewarp JSON report (--format json): {e}", file.display()))?;
    Ok(report)
}

/// The samples of `row` in `scenario`, with their rounds.
fn samples(row: &Row, scenario: Scenario) -> Vec<Sample> {
    let Some(figures) = row.figures(scenario) else { return Vec::new() };
    let wall = &figures.wall;
    wall.runs_s
        .iter()
        .zip(&wall.rounds)
        .map(|(wall_s, round)| Sample {
            round: *round,
            wall_s: *wall_s,
            cpu_s: None,
            peak_rss: None,
            link: None,
            compiled: None,
        })
        .collect()
}

/// Merges reports of one setup from several machines.
pub(crate) fn merge(reports: &[(PathBuf, Report)]) -> Merged {
    let mut not_comparable = Vec::new();
    let Some((_, first)) = reports.first() else {
        return Merged {
            schema: SCHEMA_VERSION,
            profile: crate::vocab::Profile::Dev,
            packages: Vec::new(),
            touched_file: String::new(),
            base: None,
            machines: Vec::new(),
            rows: Vec::new(),
            not_comparable,
        };
    };
    // Machines differ in CPU and cores: that is the point of merging.
    let setup = |r: &Report| {
        let mut setup = r.setup();
        (setup.cpu, setup.cores) = (None, None);
        setup
    };
    let reference = setup(first);
    let in_first = format!("in {}", reports[0].0.display());
    let included: Vec<&(PathBuf, Report)> = reports
        .iter()
        .filter(|(file, report)| {
            let differ = setup(report).differences_as(&reference, ["here", &in_first]);
            if !differ.is_empty() {
                not_comparable.push(format!("{}: {}", file.display(), differ.join("; ")));
            }
            differ.is_empty()
        })
        .collect();
    let ok = |r: &Report, version: &str| {
        r.toolchains.iter().find(|row| row.version == version && row.status == Status::Ok).cloned()
    };
    let mut versions: Vec<String> =
        included.iter().flat_map(|(_, r)| r.toolchains.iter().map(|t| t.version.clone())).collect();
    versions.sort_by_key(|v| semver::Version::parse(v).ok());
    versions.dedup();
    let base = versions.iter().find(|v| included.iter().all(|(_, r)| ok(r, v).is_some())).cloned();
    let mut rows = Vec::new();
    for version in versions.iter().filter(|v| Some(*v) != base.as_ref()) {
        let Some(base) = &base else { break };
        let builds: Vec<String> = included.iter().filter_map(|(_, r)| ok(r, version)).map(|row| row.rustc).collect();
        if builds.iter().any(|b| *b != builds[0]) {
            not_comparable.push(format!("{version}: the machines ran different builds of it ({})", builds.join("; ")));
            continue;
        }
        let mut scenarios = BTreeMap::new();
        for scenario in Scenario::ALL {
            let blocks: Vec<stats::Estimate> = included
                .iter()
                .filter_map(|(_, r)| {
                    let (base_row, row) = (ok(r, base)?, ok(r, version)?);
                    let pairs = crate::measure::engine::pairs(&samples(&base_row, scenario), &samples(&row, scenario));
                    stats::paired_speedup(&pairs)
                })
                .collect();
            let Some(merged) = stats::merge(&blocks) else { continue };
            scenarios.insert(
                scenario,
                MergedFigure {
                    speedup: Estimate::of(&merged),
                    verdict: Verdict::from(merged.verdict(stats::NOISE)),
                    machines: blocks.len(),
                    per_machine: blocks.iter().map(|b| b.point).collect(),
                },
            );
        }
        if !scenarios.is_empty() {
            rows.push(MergedRow { version: version.clone(), rustc: builds[0].clone(), scenarios });
        }
    }
    Merged {
        schema: SCHEMA_VERSION,
        profile: first.profile.clone(),
        packages: first.packages.clone(),
        touched_file: first.touched_file.clone(),
        base,
        machines: included
            .iter()
            .map(|(file, r)| Machine {
                report: file.display().to_string(),
                cpu: r.cpu.clone(),
                cores: r.cores,
                rounds: r.measurement.rounds,
            })
            .collect(),
        rows,
        not_comparable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_report, scaled};

    /// The sample report on another machine: every time multiplied by `factor`, the newest row's
    /// touched rebuilds faster still by `gain`.
    fn machine(factor: f64, gain: f64, cpu: &str) -> Report {
        let mut report = scaled(&sample_report(), factor);
        report.cpu = Some(cpu.into());
        let touched = report.toolchains[2].scenarios.get_mut(&Scenario::Touched).unwrap();
        touched.wall.runs_s.iter_mut().for_each(|r| *r /= gain);
        report
    }

    #[test]
    fn machines_are_blocks_and_seconds_are_never_mixed() {
        // One machine twice as slow in seconds, same speedups: the merge is the common speedup.
        let reports = vec![("a.json".into(), machine(1.0, 1.0, "A")), ("b.json".into(), machine(2.0, 1.0, "B"))];
        let merged = merge(&reports);
        assert_eq!(merged.base.as_deref(), Some("1.85.0"), "the failed 1.63.0 is no base");
        assert_eq!(merged.machines.len(), 2);
        let row = &merged.rows[0];
        assert_eq!(row.version, "1.96.0");
        let touched = &row.scenarios[&Scenario::Touched];
        assert_eq!(touched.machines, 2);
        let single = stats::paired_speedup(&[(0.52, 0.40), (0.5304, 0.405), (0.5096, 0.396)]).unwrap().point;
        assert!((touched.speedup.point - single).abs() < 1e-9, "{touched:?} vs {single}");
        // A machine that gains more widens the interval: heterogeneity is honest.
        let differing = vec![("a.json".into(), machine(1.0, 1.0, "A")), ("b.json".into(), machine(1.0, 1.5, "B"))];
        let wider = &merge(&differing).rows[0].scenarios[&Scenario::Touched];
        assert!(wider.speedup.plus_minus_pct > touched.speedup.plus_minus_pct, "{wider:?}");
        assert!(wider.per_machine[1] > wider.per_machine[0]);
    }

    #[test]
    fn another_setup_or_build_is_not_comparable() {
        let mut release = machine(1.0, 1.0, "B");
        release.profile = crate::vocab::Profile::Release;
        let merged = merge(&[("a.json".into(), machine(1.0, 1.0, "A")), ("b.json".into(), release)]);
        assert_eq!(merged.machines.len(), 1);
        assert_eq!(merged.not_comparable, ["b.json: profile release here, dev in a.json"]);
        let mut other = machine(1.0, 1.0, "B");
        other.toolchains[2].rustc = "rustc 1.96.0 (another build)".into();
        let merged = merge(&[("a.json".into(), machine(1.0, 1.0, "A")), ("b.json".into(), other)]);
        assert!(merged.rows.is_empty());
        assert!(merged.not_comparable[0].starts_with("1.96.0: the machines ran different builds of it"));
    }

    /// Case 80: the merge table of the default scenarios took 118 columns in a pipe, where the
    /// README promises 100; now its scenarios go into blocks within the width.
    #[test]
    fn the_merge_table_fits_100_columns() {
        use crate::report::export::exporter;
        use crate::vocab::Format;
        let many = |cpu: &str| {
            let mut report = machine(1.0, 1.0, cpu);
            let more = [Scenario::Edited, Scenario::Deep, Scenario::Check, Scenario::CheckTouched, Scenario::Test];
            for row in &mut report.toolchains {
                if let Some(touched) = row.scenarios.get(&Scenario::Touched).cloned() {
                    more.iter().for_each(|s| drop(row.scenarios.insert(*s, touched.clone())));
                }
            }
            for s in more {
                report.measurement.scenarios.push(s);
                report.measurement.commands.insert(s, "cargo build".into());
            }
            report.measurement.scenarios.sort();
            report
        };
        let merged = merge(&[("a.json".into(), many("A")), ("b.json".into(), many("B"))]);
        assert_eq!(merged.rows[0].scenarios.len(), 7, "{merged:?}");
        let text = exporter(Format::Table, false, Some(100)).merged(&merged);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest <= 100, "{widest} columns:\n{text}");
        for s in Scenario::ALL.into_iter().filter(|s| *s != Scenario::Release) {
            assert_eq!(text.matches(&format!("speedup ({s})")).count(), 1, "{s} once:\n{text}");
        }
        let unlimited = exporter(Format::Table, false, None).merged(&merged);
        assert!(unlimited.lines().any(|l| l.chars().count() > 100), "the sample needs the blocks:\n{unlimited}");
    }

    #[test]
    fn only_reports_measured_in_rounds_are_merged() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("old.json");
        std::fs::write(&file, r#"{"schema": 2, "toolchains": []}"#).unwrap();
        let err = read(&file).unwrap_err().to_string();
        assert!(err.ends_with("has schema 2; merge needs schema 4 reports, measured in rounds the way this timewarp measures; measure it again"), "{err}");
    }
}
