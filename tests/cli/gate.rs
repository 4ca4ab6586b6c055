//! The pre-release routine: saved history, `cargo timewarp history`, the `--baseline` gate,
//! `--install` and `cargo timewarp clean`. Needs only `stable`.

use std::path::Path;

use crate::support::{build_lock, failure, fixture, run, success, success_json, timewarp};

/// Multiplies every timing in a saved JSON report by `factor`.
fn scaled_baseline(report: &serde_json::Value, factor: f64, path: &Path) {
    let mut report = report.clone();
    for row in report["toolchains"].as_array_mut().unwrap() {
        for key in ["clean", "touched"] {
            let summary = &mut row["scenarios"][key]["wall"];
            for field in ["median_s", "mean_s", "min_s", "max_s", "stddev_s"] {
                summary[field] = (summary[field].as_f64().unwrap() * factor).into();
            }
            for run in summary["runs_s"].as_array_mut().unwrap() {
                *run = (run.as_f64().unwrap() * factor).into();
            }
        }
    }
    std::fs::write(path, serde_json::to_string(&report).unwrap()).unwrap();
}

#[test]
fn baseline_gate_history_and_clean() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let args = ["--toolchains", "stable", "--runs", "3"];
    let stdout = success(timewarp(ws.path()).args(args).args(["--format", "json", "-o", "first.json"]));
    assert!(stdout.is_empty(), "the report went to the file: {stdout}");
    let first: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("first.json")).unwrap()).unwrap();

    // Against a baseline twice as fast, the project "got slower": exit 5 naming the row.
    scaled_baseline(&first, 0.5, &ws.path().join("fast.json"));
    let line = failure(timewarp(ws.path()).args(args).args(["--baseline", "fast.json", "--max-regression", "20"]), 5);
    assert!(line.starts_with("error: the project got slower to compile than the baseline allows (20%): "), "{line}");
    assert!(line.contains("% now,") && line.contains("in the baseline)"), "the spread is named: {line}");

    // Against a baseline twice as slow it passes, and the comparison is in the report.
    scaled_baseline(&first, 2.0, &ws.path().join("slow.json"));
    let report = success_json(timewarp(ws.path()).args(args).args([
        "--baseline",
        "slow.json",
        "--max-regression",
        "20",
        "--format",
        "json",
    ]));
    let changes = report["baseline"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "clean and touched of the one toolchain");
    assert!(changes.iter().all(|c| c["regressed"] == false && c["change_pct"].as_f64().unwrap() < 0.0));

    // Every completed run was recorded (the failed gate run too: its numbers are real).
    let history = std::fs::read_to_string(ws.path().join("target/timewarp/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 3);
    let entry: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert!(entry["recorded_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entry["report"]["schema"], 2);
    let summary = success(timewarp(ws.path()).arg("history"));
    assert!(summary.starts_with("3 runs recorded in"), "{summary}");
    assert_eq!(summary.lines().filter(|l| l.contains("build/dev")).count(), 3, "{summary}");

    let out = run(timewarp(ws.path()).arg("clean"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Removed"));
    assert!(!ws.path().join("target/timewarp").exists());
    assert!(success(timewarp(ws.path()).arg("history")).starts_with("no runs recorded yet"));
}

#[test]
fn a_bad_baseline_fails_before_any_build() {
    let ws = fixture("single-crate");
    std::fs::write(ws.path().join("b.json"), "{}").unwrap();
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--baseline", "b.json"]), 1);
    assert!(line.starts_with("error: baseline `b.json` is not a timewarp JSON report"), "{line}");
    assert!(!ws.path().join("target").exists());
}

#[test]
fn install_runs_rustup_for_the_missing_yearly_toolchains() {
    let ws = fixture("single-crate");
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("rustup.log");
    let real = crate::support::real_rustup();
    std::fs::create_dir_all(home.path().join("bin")).unwrap();
    let fake = home.path().join("bin/rustup");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nif [ \"$1 $2\" = 'toolchain install' ]; then exit 0; fi\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // Only `stable` is installed in this test's world, so the yearly slots back to 1.80 are empty.
    let universe = crate::support::rustup_home(&["stable"]);
    let out = run(timewarp(ws.path())
        .args(["--list", "--install"])
        .env("CARGO_HOME", home.path())
        .env("RUSTUP_HOME", universe.path()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let calls = std::fs::read_to_string(&log).unwrap();
    let install = calls.lines().find(|l| l.starts_with("toolchain install ")).unwrap_or_else(|| panic!("{calls}"));
    assert!(install.ends_with(" 1.80.0 --profile minimal"), "back to the MSRV 1.80: {install}");
    assert!(stderr.contains(&format!("Installing `rustup {install}`")), "the command is shown first: {stderr}");
}

#[test]
fn plot_and_every_export_format_from_one_run() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let out =
        success(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1", "--plot", "h.svg", "-o", "h.csv"]));
    assert!(out.is_empty());
    let svg = std::fs::read_to_string(ws.path().join("h.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the plot is well-formed XML");
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("circle")).count(), 2, "one point per toolchain and panel");
    let csv = std::fs::read_to_string(ws.path().join("h.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.starts_with("toolchain,version,release_date,status,clean_median_s,"), "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(",ok,"), "{csv}");
}
