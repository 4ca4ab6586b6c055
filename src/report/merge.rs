//! `cargo timewarp merge REPORT.json...`: one setup measured on several machines (the jobs of
//! a CI matrix, each of which ran the whole history on its own runner), combined into one
//! speedup per row and scenario with its 95 % interval.
//!
//! Each machine is a block: its speedups are recomputed from its own rounds, against the base
//! row every machine measured, and only those ratios are combined (a random-effects
//! meta-analysis, `stats::merge`), never absolute seconds, which differ from machine to machine.
//! Reports measured another way (another command, profile, touched file, `-j`, package set,
//! schema) and rows built from other compilers are listed as not comparable. Reports of two
//! target triples, or whose rows of one version linked with different linkers (official x86_64
//! builds link with rust-lld from 1.90, aarch64 ones do not), are refused outright: their
//! speedups measure different things, and a mean over them would hide a linker switch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::model::{
    EstimateJson, Machine, Merged, MergedFigure, MergedRow, Report, Row, SCHEMA_VERSION, Status, VerdictJson,
};
use super::output::Outputs;
use crate::exit::ExitError;
use crate::fs;
use crate::measure::engine::Sample;
use crate::stats;
use crate::vocab::Scenario;

/// Reads `files`, merges them and writes the result to `outputs`. A report given twice (the
/// same file, a copy of it, or the same run rewritten) is refused: it would count as a second
/// machine that agrees exactly and narrow every interval.
pub(crate) fn run(files: &[PathBuf], outputs: &Outputs) -> Result<()> {
    outputs.check()?;
    let reports = read_all(files)?;
    refuse_mixes(&reports)?;
    outputs.merged(&merge(&reports))
}

/// Fails, in one sentence naming both files, when two reports were measured for different
/// target triples, or linked one version with different linkers. A report of an earlier
/// version, which records no target, is compared by its linkers alone.
fn refuse_mixes(reports: &[(PathBuf, Report)]) -> Result<()> {
    for (i, (file, report)) in reports.iter().enumerate() {
        for (earlier, before) in &reports[..i] {
            if let (Some(here), Some(there)) = (&report.target, &before.target)
                && here != there
            {
                return Err(ExitError::usage(format!(
                    "`{}` was measured for {here} and `{}` for {there}: merge combines the reports of one target; merge each target's apart",
                    file.display(),
                    earlier.display()
                )));
            }
            let mixed = report.toolchains.iter().find_map(|row| {
                let other = before.toolchains.iter().find(|o| o.version == row.version && o.linker != row.linker)?;
                Some((row, other))
            });
            if let Some((row, other)) = mixed {
                return Err(ExitError::usage(format!(
                    "`{}` linked {} with {} and `{}` with {}: merge combines reports that link alike; merge each linker's apart",
                    file.display(),
                    row.version,
                    row.linker,
                    earlier.display(),
                    other.linker
                )));
            }
        }
    }
    Ok(())
}

/// Reads every report of `files`, refusing one already read ([`Duplicate`]).
fn read_all(files: &[PathBuf]) -> Result<Vec<(PathBuf, Report)>> {
    let mut read_so_far: Vec<(PathBuf, Vec<u8>, Report)> = Vec::new();
    for file in files {
        let bytes = fs::read(file)?;
        let report = parse(file, &bytes)?;
        if let Some((earlier, why)) = read_so_far.iter().find_map(|(earlier, earlier_bytes, earlier_report)| {
            let why = if same_file(earlier, file) {
                Duplicate::File
            } else if *earlier_bytes == bytes {
                Duplicate::Bytes
            } else if same_run(earlier_report, &report) {
                Duplicate::Samples
            } else {
                return None;
            };
            Some((earlier, why))
        }) {
            return Err(ExitError::usage(format!(
                "`{}` {why} `{}`: each machine's report may be given once, or it counts as a second machine that agrees exactly",
                file.display(),
                earlier.display()
            )));
        }
        read_so_far.push((file.clone(), bytes, report));
    }
    Ok(read_so_far.into_iter().map(|(file, _, report)| (file, report)).collect())
}

/// Why a report is already in the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duplicate {
    /// The same file, named twice (or through a link).
    File,
    /// Another file with the same bytes: a copy.
    Bytes,
    /// The same run's samples, rewritten (pretty-printed, passed through `jq`, a field edited).
    Samples,
}

impl std::fmt::Display for Duplicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Duplicate::File => "is the same file as",
            Duplicate::Bytes => "is a copy of",
            Duplicate::Samples => "holds the same run's samples as",
        })
    }
}

/// Whether `a` and `b` name one file (the same path, or two paths to it).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => a == b,
    }
}

/// Whether two reports hold the same run: every row's every scenario has the very same wall
/// times in the same rounds, to the last bit, and there is at least one. Two runs, on one
/// machine or two, never time a build identically, so this is a copy however it was rewritten.
fn same_run(a: &Report, b: &Report) -> bool {
    let samples = |r: &Report| -> Vec<(String, Scenario, Vec<u64>, Vec<usize>)> {
        r.toolchains
            .iter()
            .flat_map(|row| {
                row.scenarios.iter().map(|(scenario, f)| {
                    let bits = f.wall.runs_s.iter().map(|w| w.to_bits()).collect();
                    (row.version.clone(), *scenario, bits, f.wall.rounds.clone())
                })
            })
            .collect()
    };
    let a = samples(a);
    a.iter().any(|(_, _, walls, _)| !walls.is_empty()) && a == samples(b)
}

/// One report, which must be of the current schema: older ones have no rounds to pair (before
/// 3) or measured their scenarios another way (before 4).
fn parse(file: &Path, bytes: &[u8]) -> Result<Report> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
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
pub(crate) fn samples(row: &Row, scenario: Scenario) -> Vec<Sample> {
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
        let scenarios = merged_figures(&included, base, version);
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

/// One version's merged speedup over `base` per scenario, from each machine's paired one.
fn merged_figures(included: &[&(PathBuf, Report)], base: &str, version: &str) -> BTreeMap<Scenario, MergedFigure> {
    let ok = |r: &Report, version: &str| {
        r.toolchains.iter().find(|row| row.version == version && row.status == Status::Ok).cloned()
    };
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
                speedup: EstimateJson::of(&merged),
                prediction: stats::predict(&blocks).map(|p| EstimateJson::of(&p)),
                verdict: VerdictJson::from(merged.verdict(stats::NOISE)),
                machines: blocks.len(),
                per_machine: blocks.iter().map(|b| b.point).collect(),
            },
        );
    }
    scenarios
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Rng, sample_report, scaled};

    /// Simulated merges of CI matrices of `machines` machines whose true speedups scatter
    /// log-normally by `tau` around 1.25, each measured in 5 paired rounds with 5 % noise on
    /// every build (about 7 % on a ratio, as on a shared runner): the share of merges whose
    /// prediction interval holds one more machine's true speedup, and the share that holds its
    /// speedup as measured the same way.
    fn prediction_coverage(seed: u64, machines: usize, tau: f64, runs: usize) -> (f64, f64) {
        let mut rng = Rng::new(seed);
        let measure = |rng: &mut Rng, truth: f64| {
            let pairs: Vec<(f64, f64)> =
                (0..5).map(|_| (40.0 * rng.noise(0.05), 40.0 / truth * rng.noise(0.05))).collect();
            stats::paired_speedup(&pairs).expect("valid pairs")
        };
        let (mut truths, mut measured) = (0, 0);
        for _ in 0..runs {
            let blocks: Vec<stats::Estimate> = (0..machines)
                .map(|_| {
                    let truth = 1.25 * rng.noise(tau);
                    measure(&mut rng, truth)
                })
                .collect();
            let next = 1.25 * rng.noise(tau);
            let next_measured = measure(&mut rng, next).point;
            let prediction = stats::predict(&blocks).expect("three machines or more");
            truths += usize::from(prediction.contains(next));
            measured += usize::from(prediction.contains(next_measured));
        }
        (truths as f64 / runs as f64, measured as f64 / runs as f64)
    }

    /// statistics.md F7: a new machine's speedup fell inside the merged interval in only 59-87 %
    /// of simulated merges. The prediction interval holds it 95 % of the time, whether the
    /// truth or what that machine's own report would show.
    #[test]
    fn the_prediction_interval_holds_one_more_machine_95_percent_of_the_time() {
        const RUNS: usize = 5000;
        for machines in [3, 4, 6, 8] {
            for tau in [0.0, 0.03, 0.1] {
                let (truth, measured) = prediction_coverage(40 + machines as u64, machines, tau, RUNS);
                for (what, coverage) in [("true", truth), ("measured", measured)] {
                    let error = (coverage * (1.0 - coverage) / RUNS as f64).sqrt();
                    eprintln!(
                        "predict  k = {machines}, tau = {tau:.2}: coverage of the {what} speedup {:.1} % ± {:.1}",
                        100.0 * coverage,
                        100.0 * error
                    );
                    assert!(coverage >= 0.945 - error, "k = {machines}, tau = {tau}, {what}: {coverage}");
                }
            }
        }
        let two = stats::predict(&[stats::paired_speedup(&[(1.2, 1.0), (1.3, 1.0)]).unwrap(); 2]);
        assert!(two.is_none(), "two machines cannot estimate how machines differ");
    }

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

    /// statistics.md F7: the merged figure is the mean over machines; with three machines or
    /// more the report also says where one more would fall, and with two that it cannot.
    #[test]
    fn the_mean_over_machines_is_labelled_and_a_third_machine_is_predicted() {
        use crate::report::export::exporter;
        use crate::vocab::Format;
        let three = merge(&[
            ("a.json".into(), machine(1.0, 1.0, "A")),
            ("b.json".into(), machine(2.0, 1.1, "B")),
            ("c.json".into(), machine(1.5, 0.95, "C")),
        ]);
        let touched = &three.rows[0].scenarios[&Scenario::Touched];
        let prediction = touched.prediction.as_ref().expect("three machines predict a fourth");
        let (low, high) = (prediction.low.unwrap(), prediction.high.unwrap());
        assert!(low < touched.speedup.low.unwrap() && high > touched.speedup.high.unwrap(), "{touched:?}");
        let table = exporter(Format::Table, false, Some(100)).merged(&three);
        assert!(table.starts_with("3 machines, speedups over Rust 1.85.0:"), "{table}");
        assert!(table.contains("toolchain  scenario  mean over machines  one more machine  machines"), "{table}");
        let touched_line = table.lines().find(|l| l.contains(" touched ")).expect("a line of touched");
        assert!(touched_line.contains(&format!("{low:.2}x-{high:.2}x")), "{table}");
        assert!(table.contains("mean over machines: what machines of this kind gain on average"), "{table}");
        assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");
        assert!(!table.contains("two machines"), "{table}");
        let markdown = exporter(Format::Markdown, false, None).merged(&three);
        assert!(
            markdown.contains("| toolchain | scenario | mean over machines | one more machine | machines |"),
            "{markdown}"
        );
        assert!(markdown.contains(&format!("{low:.2}x-{high:.2}x")), "{markdown}");
        let csv = exporter(Format::Csv, false, None).merged(&three);
        assert!(csv.starts_with(
            "version,scenario,speedup,speedup_low,speedup_high,verdict,machines,per_machine,another_low,another_high\n"
        ));
        assert!(csv.lines().nth(1).is_some_and(|l| !l.ends_with(",,")), "{csv}");
        let json: serde_json::Value =
            serde_json::from_str(&exporter(Format::Json, false, None).merged(&three)).unwrap();
        assert_eq!(json["rows"][0]["scenarios"]["touched"]["prediction"]["n"], 3);

        let two = merge(&[("a.json".into(), machine(1.0, 1.0, "A")), ("b.json".into(), machine(2.0, 1.1, "B"))]);
        assert!(two.rows[0].scenarios.values().all(|f| f.prediction.is_none()));
        let table = exporter(Format::Table, false, Some(100)).merged(&two);
        assert!(table.contains("two machines cannot estimate how much machines differ"), "{table}");
        let touched_line = table.lines().find(|l| l.contains(" touched ")).expect("a line of touched");
        assert_eq!(touched_line.split_whitespace().rev().nth(1), Some("-"), "no prediction: {table}");
        let markdown = exporter(Format::Markdown, false, None).merged(&two);
        assert!(markdown.contains("Two machines cannot estimate how much machines differ"), "{markdown}");
    }

    /// hostile.md defect 12: `merge a.json a.json`, or a copy, counted as two machines and
    /// narrowed every interval (±59 % to ±39 %).
    #[test]
    fn a_report_already_in_the_set_is_refused_however_it_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str| dir.path().join(name);
        let write = |name: &str, report: &Report| std::fs::write(file(name), serde_json::to_string(report).unwrap());
        let (a, b) = (machine(1.0, 1.0, "A"), machine(2.0, 1.0, "B"));
        write("a.json", &a).unwrap();
        write("b.json", &b).unwrap();
        assert_eq!(read_all(&[file("a.json"), file("b.json")]).unwrap().len(), 2, "two machines");
        std::fs::copy(file("a.json"), file("copy.json")).unwrap();
        std::os::unix::fs::symlink(file("a.json"), file("link.json")).unwrap();
        // The same run rewritten: pretty-printed, with another CPU written in.
        let mut edited = a.clone();
        edited.cpu = Some("C".into());
        std::fs::write(file("edited.json"), serde_json::to_string_pretty(&edited).unwrap()).unwrap();
        for (second, why) in [
            (file("a.json"), "is the same file as"),
            (dir.path().join("./a.json"), "is the same file as"),
            (file("link.json"), "is the same file as"),
            (file("copy.json"), "is a copy of"),
            (file("edited.json"), "holds the same run's samples as"),
        ] {
            let err = read_all(&[file("a.json"), file("b.json"), second.clone()]).unwrap_err();
            let expected =
                format!("`{}` {why} `{}`: each machine's report", second.display(), file("a.json").display());
            assert!(err.to_string().starts_with(&expected), "{err}");
            assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
        }
    }

    /// Usability review, finding 3: an aarch64 runner (no rust-lld) merged with x86_64 ones
    /// (rust-lld from 1.90) averaged a linker switch on two machines with none on the third.
    #[test]
    fn reports_of_another_target_or_linker_are_refused_naming_both_files() {
        let (a, b) = (PathBuf::from("x86.json"), PathBuf::from("arm.json"));
        let x86 = machine(1.0, 1.0, "A");
        let mut arm = machine(2.0, 1.0, "B");
        refuse_mixes(&[(a.clone(), x86.clone()), (b.clone(), arm.clone())]).unwrap();
        arm.target = Some("aarch64-unknown-linux-gnu".into());
        let err = refuse_mixes(&[(a.clone(), x86.clone()), (b.clone(), arm.clone())]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`arm.json` was measured for aarch64-unknown-linux-gnu and `x86.json` for x86_64-unknown-linux-gnu: merge combines the reports of one target; merge each target's apart"
        );
        assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
        arm.target = None;
        refuse_mixes(&[(a.clone(), x86.clone()), (b.clone(), arm.clone())]).expect("an older report: linkers alone");
        let version = arm.toolchains[2].version.clone();
        arm.toolchains[2].linker = crate::vocab::Linker::RustLld;
        let err = refuse_mixes(&[(a, x86), (b, arm)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`arm.json` linked {version} with rust-lld and `x86.json` with cc: merge combines reports that link alike; merge each linker's apart"
            )
        );
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
        // One line per toolchain and scenario: seven scenarios stay narrow however many there are.
        for s in Scenario::ALL.into_iter().filter(|s| *s != Scenario::Release) {
            let lines = text.lines().filter(|l| l.split_whitespace().nth(1) == Some(s.name())).count();
            assert_eq!(lines, 1, "{s} once:\n{text}");
        }
    }

    #[test]
    fn only_reports_measured_in_rounds_are_merged() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("old.json");
        std::fs::write(&file, r#"{"schema": 2, "toolchains": []}"#).unwrap();
        let err = parse(&file, &std::fs::read(&file).unwrap()).unwrap_err().to_string();
        assert!(err.ends_with("has schema 2; merge needs schema 4 reports, measured in rounds the way this timewarp measures; measure it again"), "{err}");
    }
}
