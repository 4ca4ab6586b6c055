//! The pre-release gate: `--baseline` with `--max-regression` (exit 5), and `--verify-msrv`
//! (exit 6).

use std::path::Path;

use crate::support::*;

/// Multiplies every timing in a saved JSON report by `factor`: its samples and its summaries.
fn scaled_baseline(report: &serde_json::Value, factor: f64, path: &Path) {
    let mut report = report.clone();
    for row in report["toolchains"].as_array_mut().unwrap() {
        let scenarios: Vec<String> = row["scenarios"].as_object().unwrap().keys().cloned().collect();
        for key in &scenarios {
            let summary = &mut row["scenarios"][key]["wall"];
            for field in ["median_s", "mean_s", "min_s", "max_s", "stddev_s"] {
                summary[field] = (summary[field].as_f64().unwrap() * factor).into();
            }
            for run in summary["runs_s"].as_array_mut().unwrap() {
                *run = (run.as_f64().unwrap() * factor).into();
            }
            let time = &mut row["scenarios"][key]["time"];
            for field in ["point", "low", "high"] {
                if let Some(value) = time[field].as_f64() {
                    time[field] = (value * factor).into();
                }
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

    // Against a saved baseline five times as fast, with no repeat runs of one commit in the
    // history, the gate cannot tell the project's change from the machine's: undecided, exit 7,
    // pointing at --baseline-rev. (Five, not two: this machine's load can make a later run twice
    // as fast as the first.)
    scaled_baseline(&first, 0.2, &ws.path().join("fast.json"));
    let line = failure(timewarp(ws.path()).args(args).args(["--baseline", "fast.json", "--max-regression", "20"]), 7);
    assert!(
        line.starts_with(
            "error: the gate could not decide whether the project got slower than the baseline allows (20%): "
        ),
        "{line}"
    );
    assert!(line.ends_with("`--baseline-rev REV` is the gate"), "{line}");

    // Against a baseline five times as slow it does not pass either: without repeat runs a
    // saved report decides nothing either way. The comparison is in the report all the same.
    scaled_baseline(&first, 5.0, &ws.path().join("slow.json"));
    let out = run(timewarp(ws.path()).args(args).args([
        "--baseline",
        "slow.json",
        "--max-regression",
        "20",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changes = report["baseline"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3, "clean, touched and check-touched of the one toolchain");
    assert!(changes.iter().all(|c| c["regressed"] == false && c["change_pct"].as_f64().unwrap() < 0.0));
    assert!(changes.iter().all(|c| c["gate"] == "undecided"), "{changes:#?}");
    // Without a limit nothing is gated, and the comparison is shown.
    success_json(timewarp(ws.path()).args(args).args(["--baseline", "slow.json", "--format", "json"]));

    // Every completed run was recorded (the gate runs too: their numbers are real).
    let history = std::fs::read_to_string(history_file(ws.path())).unwrap();
    assert_eq!(history.lines().count(), 4);
    let entry: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    assert!(entry["recorded_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entry["report"]["schema"], 4);
    let rounds = entry["report"]["toolchains"][0]["scenarios"]["touched"]["wall"]["runs_s"].as_array().unwrap().len();
    assert_eq!(rounds, 3, "the history keeps every round's samples");
    let summary = success(timewarp(ws.path()).arg("history"));
    assert!(summary.starts_with("4 runs recorded in"), "{summary}");
    assert_eq!(summary.lines().filter(|l| l.contains(" dev ")).count(), 4, "{summary}");

    let out = run(timewarp(ws.path()).arg("clean"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Removed"));
    assert!(!ws.path().join("target/timewarp").exists());
    assert!(success(timewarp(ws.path()).arg("history")).starts_with("no runs recorded yet"));
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn verify_msrv_fails_when_the_declared_rust_version_cannot_build() {
    let Some((_builds, ws)) = setup("needs-new-rustc") else { return };
    let manifest = ws.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("edition = \"2021\"", "edition = \"2021\"\nrust-version = \"1.63\"");
    std::fs::write(&manifest, text).unwrap();
    let mut cmd = ws.timewarp();
    cmd.args(["--toolchains", "1.96.0", "--verify-msrv", "--runs", "1", "--format", "json"]);
    let line = crate::support::failure(&mut cmd, 6);
    assert!(
        line.starts_with("error: the declared rust-version 1.63 (rust-version of `needs-new-rustc`) is wrong: 1.63.0 cannot build the workspace: error"),
        "{line}"
    );
    assert!(line.contains("repeat_n"), "{line}");
    let out = run(&mut cmd);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(row_names(&report), ["1.63.0", "1.96.0"], "the MSRV toolchain joins the run");

    // A rust-version the code really supports passes.
    let text =
        std::fs::read_to_string(&manifest).unwrap().replace("rust-version = \"1.63\"", "rust-version = \"1.85\"");
    std::fs::write(&manifest, text).unwrap();
    let report = success_json(ws.timewarp().args([
        "--toolchains",
        "1.96.0",
        "--verify-msrv",
        "--runs",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(row(&report, "1.85.0")["status"], "ok");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn verify_msrv_names_the_dependency_and_a_named_toolchain_says_why_it_fails() {
    if !toolchains(FLOOR_WORLD) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("dep-floor", FLOOR_WORLD);
    let mut cmd = ws.timewarp();
    cmd.args(["--toolchains", "1.96.0", "--verify-msrv", "--runs", "1", "--format", "json"]);
    let out = run(&mut cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap();
    assert!(
        line.starts_with("error: the declared rust-version 1.48 (rust-version of `dfl`) is wrong: 1.48.0 cannot build the workspace; the locked dependencies need 1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`)"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let old = row(&report, "1.48.0");
    assert_eq!(old["status"], "failed");
    assert_eq!(old["expected_failure"], format!("expected to fail: {RAISED}"));
    assert!(row(&report, "1.96.0")["expected_failure"].is_null());
}

#[test]
fn a_baseline_is_compared_scenario_by_scenario_and_one_measured_another_way_is_listed() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let args = ["--toolchains", "stable", "--runs", "1"];
    success(timewarp(ws.path()).args(args).args(["--check", "-o", "check.json"]));
    let report = success_json(timewarp(ws.path()).args(args).args(["--baseline", "check.json", "--format", "json"]));
    let changes = report["baseline"]["changes"].as_array().unwrap();
    let compared: Vec<&str> = changes.iter().map(|c| c["scenario"].as_str().unwrap()).collect();
    assert_eq!(compared, ["check-touched"], "the one scenario both runs measured: {changes:#?}");
    success(timewarp(ws.path()).args(args).args(["--profile", "release", "-o", "release.json"]));
    // A gate that could compare nothing did not pass: it could not decide (exit 7).
    let gate = ["--baseline", "release.json", "--max-regression", "0", "--format", "json"];
    let out = run(timewarp(ws.path()).args(args).args(gate));
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the gate compared nothing against the baseline"));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let baseline = &report["baseline"];
    assert_eq!(baseline["changes"], serde_json::json!([]), "a release run is no baseline for a dev run");
    assert_eq!(baseline["not_comparable"][0], "the whole report: profile release then, dev now");
}

/// #13: a `--baseline` from another project (another package set) was compared row by row, and
/// the gate passed or failed on it.
#[test]
fn a_baseline_of_another_project_is_not_comparable() {
    let _builds = build_lock();
    let (mine, other) = (fixture("single-crate"), fixture("build-script"));
    let saved = other.path().join("theirs.json");
    success(timewarp(other.path()).args(QUICK).arg("-o").arg(&saved));
    let theirs: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    scaled_baseline(&theirs, 0.01, &saved);
    let gate = ["--max-regression", "5", "--format", "json"];
    let out = run(timewarp(mine.path()).args(QUICK).arg("--baseline").arg(&saved).args(gate));
    assert_eq!(
        out.status.code(),
        Some(7),
        "nothing compared, nothing decided: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["baseline"]["changes"], serde_json::json!([]), "{report:#}");
    let why = report["baseline"]["not_comparable"][0].as_str().unwrap();
    assert!(why.contains("packages build-script then, single-crate now"), "{why}");
}

/// #20: hand-edited numbers printed as 309-digit seconds or `+inf%`, negative medians were
/// accepted, and a baseline row with median 0 silently disappeared.
#[test]
fn a_baseline_with_impossible_times_is_refused_naming_the_row() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    success(timewarp(ws.path()).args(QUICK).args(["-o", "base.json"]));
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("base.json")).unwrap()).unwrap();
    for factor in [0.0, -1.0, 1e300] {
        scaled_baseline(&base, factor, &ws.path().join("bad.json"));
        let line = failure(timewarp(ws.path()).args(QUICK).args(["--baseline", "bad.json"]), 1);
        assert!(line.contains("which is not a build time in seconds (positive, below a year)"), "{factor}: {line}");
        assert!(line.len() < 300, "one readable line: {line}");
    }
}

/// Source that takes rustc a while: `n` functions, each reached through one table, so every one
/// is generated and linked.
fn heavy_code(n: usize) -> String {
    let mut code = String::from("\n// Slow to compile on purpose.\n");
    for i in 0..n {
        code.push_str(&format!(
            "#[inline(never)]\nfn heavy_{i}(x: u64) -> u64 {{ let mut v: Vec<u64> = (0..x).map(|y| y.wrapping_mul({i}) ^ (y >> 3)).collect(); v.sort(); v.iter().sum() }}\n"
        ));
    }
    code.push_str(&format!("pub static HEAVY: [fn(u64) -> u64; {n}] = ["));
    code.push_str(&(0..n).map(|i| format!("heavy_{i}")).collect::<Vec<_>>().join(", "));
    code.push_str("];\n");
    code
}

#[test]
fn baseline_rev_times_the_release_beside_the_tree_and_gates_on_the_paired_interval() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    git(ws.path(), &["init", "-q"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["commit", "-q", "-m", "v1"]);
    git(ws.path(), &["tag", "v1"]);
    // Today's tree (uncommitted) compiles several times slower than the release.
    let main_rs = ws.path().join("src/main.rs");
    let mut text = std::fs::read_to_string(&main_rs).unwrap();
    text.push_str(&heavy_code(400));
    std::fs::write(&main_rs, &text).unwrap();
    let before = snapshot(ws.path());
    let reports = tempfile::tempdir().unwrap();
    let gate_json = reports.path().join("gate.json");
    // The defaults: rounds are added until every interval is precise and the gate decided.
    let args =
        ["--toolchains", "stable", "--scenarios", "clean,touched", "--baseline-rev", "v1", "--max-regression", "10"];
    let out = run(timewarp(ws.path()).args(args).args(["--format", "json", "-o"]).arg(&gate_json));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    let line = stderr.lines().last().unwrap();
    assert!(line.starts_with("error: the project got slower to compile than the baseline allows (10%): "), "{line}");
    assert!(
        stderr.lines().any(|l| l.contains("Measured") && l.contains(" (the baseline revision): clean ")),
        "the revision's builds are named as such in the progress: {stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&gate_json).unwrap()).unwrap();
    let baseline = &report["baseline"];
    assert_eq!(baseline["paired"], true, "{baseline:#}");
    assert!(baseline["baseline"].as_str().unwrap().starts_with("revision v1 ("), "{baseline:#}");
    let changes = baseline["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "clean and touched of the one toolchain: {baseline:#}");
    for change in changes {
        assert_eq!(change["gate"], "regressed", "{change:#}");
        assert!(change["slowdown"]["low"].as_f64().unwrap() > 1.1, "the whole interval: {change:#}");
    }
    assert_eq!(row_names(&report).len(), 1, "the revision's builds pair with the tree's; they are not rows");
    assert!(report["toolchains"][0]["scenarios"]["clean"]["wall"]["runs_s"].as_array().unwrap().len() >= 5);
    let after = snapshot(ws.path());
    let changed: Vec<_> = before.keys().chain(after.keys()).filter(|k| before.get(*k) != after.get(*k)).collect();
    assert!(changed.is_empty(), "the tree, .git included, is untouched: {changed:?}");

    // Against itself the tree never fails, whatever the noise says: it passes, or on a machine
    // too noisy for the budget the gate says it could not decide (7), never regressed (5).
    git(ws.path(), &["stash", "-q"]);
    let out = run(timewarp(ws.path()).args(args).args(["--budget", "3m", "--format", "json"]));
    assert!(matches!(out.status.code(), Some(0 | 7)), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for change in report["baseline"]["changes"].as_array().unwrap() {
        assert_ne!(change["gate"], "regressed", "{change:#}");
    }
}

#[test]
fn one_round_never_passes_the_gate_and_a_saved_baseline_decides_once_the_history_has_repeat_runs() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    git(ws.path(), &["init", "-q"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["commit", "-q", "-m", "v1"]);
    git(ws.path(), &["tag", "v1"]);
    // One round a side has no interval: however the point lies, the gate cannot pass it (exit
    // 7, never 0), and the table says which change is undecided.
    let one = ["--toolchains", "stable", "--scenarios", "touched", "--runs", "1"];
    let gate = ["--baseline-rev", "v1", "--max-regression", "10"];
    let out = run(timewarp(ws.path()).args(one).args(gate));
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.lines().any(|l| l.starts_with("  undecided ") && l.contains(" touched: ")), "{table}");
    let line = String::from_utf8_lossy(&out.stderr).lines().last().unwrap().to_string();
    assert!(line.ends_with("drop `--runs` so rounds are added until the gate decides"), "{line}");

    // Five runs of this very commit give the history the machine's change between runs; then a
    // saved baseline five times as fast is a regression the gate decides (exit 5).
    let args = ["--toolchains", "stable", "--scenarios", "touched", "--runs", "3"];
    for _ in 0..5 {
        success(timewarp(ws.path()).args(args).args(["--format", "json", "-o", "last.json"]));
    }
    let last: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("last.json")).unwrap()).unwrap();
    scaled_baseline(&last, 0.2, &ws.path().join("fast.json"));
    let gate = ["--baseline", "fast.json", "--max-regression", "20"];
    let line = failure(timewarp(ws.path()).args(args).args(gate), 5);
    assert!(line.starts_with("error: the project got slower to compile than the baseline allows (20%): "), "{line}");
    assert!(line.contains("(+") && line.contains("%, interval "), "the interval is named: {line}");
}
