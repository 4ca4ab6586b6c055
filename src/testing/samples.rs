//! Sample documents for the exporters' and the readers' tests.

use super::*;

/// A fixed report for exporter tests: a failed row and two ok ones; the newest one's touched
/// rebuilds are about 1.3 times as fast in each of three rounds.
pub(crate) fn sample_report() -> Report {
    let row = |name: &str, date: &str, scenarios: BTreeMap<Scenario, Figures>| Row {
        name: name.into(),
        version: name.into(),
        release_date: date.parse().unwrap(),
        rustc: format!("rustc {name}"),
        target_dir: format!("/work/app/target/timewarp/{name}"),
        provenance: Provenance::Official,
        linker: Linker::Cc,
        incremental_forced: false,
        status: Status::Ok,
        error: None,
        expected_failure: None,
        scenarios,
        scenario_errors: BTreeMap::new(),
        crates: None,
        crates_error: None,
    };
    let base = |mut figures: Figures| {
        figures.verdict = VerdictJson::Base;
        figures
    };
    let base_clean = base(figures(&[26.1], 1.5, 412.5));
    let base_touched = base(with_link(figures(&[0.52, 0.5304, 0.5096], 1.0, 180.0), &[0.26, 0.2652, 0.2548], None));
    let new_clean = against(figures(&[14.7], 1.5, 412.5), &base_clean);
    let new_touched = against(figures(&[0.40, 0.405, 0.396], 1.0, 180.0), &base_touched);
    let new_touched = with_link(new_touched, &[0.1, 0.101, 0.099], Some(&base_touched));
    let mut failed = row("1.63.0", "2022-08-11", BTreeMap::new());
    failed.status = Status::Failed;
    failed.error = Some("error[E0658]: use of unstable library feature, \"int_roundings\"".into());
    Report {
        schema: SCHEMA_VERSION,
        timewarp_version: "0.1.0".into(),
        workspace: "/work/app".into(),
        revision: None,
        revision_given: None,
        packages: vec!["app".into()],
        msrv: Some("1.56".into()),
        declared_rust_version: None,
        msrv_floors: vec![Floor {
            version: "1.56".into(),
            kind: crate::discover::msrv::FloorSource::Edition,
            reason: "edition 2021 of `app`".into(),
        }],
        profile: Profile::Dev,
        warmup: WARMUP_POLICY.into(),
        touched_file: "src/main.rs".into(),
        deep: None,
        link_time: true,
        cores: 2,
        target: Some("x86_64-unknown-linux-gnu".into()),
        cpu: Some("Example CPU @ 3.0GHz".into()),
        jobs: None,
        measurement: Measurement {
            scenarios: vec![Scenario::Clean, Scenario::Touched],
            commands: BTreeMap::from([(Scenario::Clean, "cargo build".into()), (Scenario::Touched, "cargo build".into())]),
            stopping: StoppingRule::Fixed {
                rounds: BTreeMap::from([(Scenario::Clean, 1), (Scenario::Touched, 3)]),
            },
            rounds: 3,
            stopped: Stopped::Fixed,
            elapsed_s: 44.0,
            redone: Vec::new(),
        },
        removed_env: vec!["RUSTC_WRAPPER".into()],
        build_settings: Vec::new(),
        vendored_sources: None,
        warnings: vec!["some intervals did not reach ±5%: the budget ran out (`--budget` gives more time); 1.96.0 clean (no interval after 1 round)".into()],
        toolchains: vec![
            failed,
            row("1.85.0", "2025-02-20", BTreeMap::from([(Scenario::Clean, base_clean), (Scenario::Touched, base_touched)])),
            row("1.96.0", "2026-05-28", BTreeMap::from([(Scenario::Clean, new_clean), (Scenario::Touched, new_touched)])),
        ],
        skipped: vec![Skipped {
            name: "nightly".into(),
            version: "1.97.0-nightly".into(),
            reason: "not stable".into(),
        }],
        baseline: None,
        crate_changes: None,
    }
}

/// `report` with every wall time multiplied by `factor` (the speedups stay).
pub(crate) fn scaled(report: &Report, factor: f64) -> Report {
    let mut report = report.clone();
    for figures in report.toolchains.iter_mut().flat_map(|r| r.scenarios.values_mut()) {
        let runs: Vec<f64> = figures.wall.runs_s.iter().map(|r| r * factor).collect();
        figures.wall = Timing::of(&runs, &figures.wall.rounds).unwrap();
        figures.time = EstimateJson::of(&crate::stats::geometric(&runs).unwrap());
    }
    report
}

/// A fixed `--list` view: one toolchain below the MSRV, one selected with an alias.
pub(crate) fn sample_listing() -> Listing {
    Listing {
        schema: SCHEMA_VERSION,
        workspace: "/work/app".into(),
        msrv: Some("1.80".into()),
        declared_rust_version: Some("1.80".into()),
        msrv_floors: vec![Floor {
            version: "1.80".into(),
            kind: crate::discover::msrv::FloorSource::RustVersion,
            reason: "rust-version of `app`".into(),
        }],
        toolchains: vec![
            Listed {
                name: "1.63.0".into(),
                aliases: vec![],
                version: "1.63.0".into(),
                release_date: Some("2022-08-11".parse().unwrap()),
                selected: false,
                reason: Some("below MSRV 1.80 (rust-version of `app`)".into()),
            },
            Listed {
                name: "1.85.0".into(),
                aliases: vec!["stable".into()],
                version: "1.85.0".into(),
                release_date: Some("2025-02-20".parse().unwrap()),
                selected: true,
                reason: None,
            },
        ],
    }
}

/// [`sample_report`] with per-crate builds (`--crates`) for its two ok rows: regex got twice as
/// fast, and memchr was compiled under 1.85.0 only.
pub(crate) fn sample_report_with_crates() -> Report {
    use crate::measure::engine::CrateBuild;
    use crate::measure::wrapper::Invocation;
    use crate::report::per_crate;
    let invocation = |package: &str, dir: &str, wall_s: f64| Invocation {
        crate_name: package.replace('-', "_"),
        crate_types: vec!["lib".into()],
        package: package.into(),
        version: "1.0.0".into(),
        manifest_dir: dir.into(),
        wall_s,
        cpu_s: wall_s,
        peak_rss: if package == "regex" { 300 } else { 200 } * 1024 * 1024,
    };
    let build = |factor: f64, extra: bool| {
        let mut invocations =
            vec![invocation("app", "/work/app", 1.0 * factor), invocation("regex", "/r/regex", 6.0 * factor)];
        if extra {
            invocations.push(invocation("memchr", "/r/memchr", 1.0));
        }
        CrateBuild { wall_s: 7.5 * factor, invocations }
    };
    let mut report = sample_report();
    let members = [std::path::PathBuf::from("/work/app")];
    report.toolchains[1].crates = Some(per_crate::breakdown(&build(1.0, true), &members, Some(26.1)));
    report.toolchains[2].crates = Some(per_crate::breakdown(&build(0.5, false), &members, Some(14.7)));
    per_crate::add_speedups(&mut report.toolchains);
    report.crate_changes = per_crate::changes(&report.toolchains, 10);
    report
}

/// A fixed history: two runs of 1.85.0 (the second 10% slower), one of 1.96.0.
pub(crate) fn sample_history() -> crate::report::model::History {
    use crate::report::model::{History, HistoryPoint, ToolchainHistory};
    let point = |at: &str, commit: &str, clean: f64, change: Option<f64>| HistoryPoint {
        recorded_at: at.into(),
        git_commit: Some(commit.into()),
        git_dirty: false,
        profile: crate::vocab::Profile::Dev,
        status: Status::Ok,
        medians: BTreeMap::from([(Scenario::Clean, clean), (Scenario::Touched, clean / 10.0)]),
        change_pct: change.map(|c| BTreeMap::from([(Scenario::Clean, c), (Scenario::Touched, c)])).unwrap_or_default(),
        change: change
            .map(|_| {
                use crate::report::model::RunChange;
                BTreeMap::from([(Scenario::Clean, RunChange::Changed), (Scenario::Touched, RunChange::WithinIntervals)])
            })
            .unwrap_or_default(),
        new_setup: Vec::new(),
    };
    History {
        project: "app".into(),
        file: "/home/me/.cache/cargo-timewarp/app-0123456789abcdef/history.jsonl".into(),
        runs: 2,
        unreadable_lines: 0,
        other_workspaces: 0,
        scenarios: vec![Scenario::Clean, Scenario::Touched],
        toolchains: vec![
            ToolchainHistory {
                version: "1.85.0".into(),
                points: vec![
                    point("2026-11-27T10:00:00Z", "aaaaaaaaaaaa", 2.0, None),
                    point("2026-11-28T10:00:00Z", "bbbbbbbbbbbb", 2.2, Some(10.0)),
                ],
            },
            ToolchainHistory {
                version: "1.96.0".into(),
                points: vec![point("2026-11-28T10:00:00Z", "bbbbbbbbbbbb", 1.0, None)],
            },
        ],
    }
}
