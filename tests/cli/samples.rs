//! Every sample proves what it measured: rebuilds that compiled nothing fail, settings that
//! change the build are reported, clean runs repeat on small projects, and a baseline measured
//! another way is never compared. Needs only `stable`.

use crate::support::{build_lock, fixture, run, success, success_json, timewarp};

#[test]
fn touching_a_file_no_target_compiles_fails_the_row_instead_of_timing_nothing() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    std::fs::create_dir_all(ws.path().join("tests")).unwrap();
    std::fs::write(ws.path().join("tests/t.rs"), "#[test]\nfn t() {}\n").unwrap();
    let out = run(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--touch",
        "tests/t.rs",
        "--runs",
        "1",
        "--format",
        "json",
    ]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "every build failed: {stderr}");
    assert!(
        stderr.contains("`tests/t.rs` is in no directory of a target a build of `single-crate` compiles"),
        "warned before timing: {stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "failed");
    assert_eq!(row["error"], "touching tests/t.rs rebuilt nothing: no target of the build compiles it");
    assert!(row["scenarios"]["touched"].is_null(), "no number for a rebuild that did nothing: {row:#}");
}

#[test]
fn settings_that_change_the_build_are_reported_and_incremental_off_is_a_warning() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    std::fs::create_dir_all(ws.path().join(".cargo")).unwrap();
    // As in fd: a Windows-only flag and a release-only setting do not apply to a dev build here.
    std::fs::write(
        ws.path().join(".cargo/config.toml"),
        "[profile.dev]\ndebug = 0\n[profile.release]\nlto = true\n\
         [target.x86_64-pc-windows-msvc]\nrustflags = [\"-C\", \"target-feature=+crt-static\"]\n",
    )
    .unwrap();
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--runs", "1", "--format", "json"])
            .env("CARGO_INCREMENTAL", "0")
            .env("RUSTFLAGS", "-C link-arg=-fuse-ld=bfd"),
    );
    let settings: Vec<String> = report["build_settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}={} ({})",
                s["key"].as_str().unwrap(),
                s["value"].as_str().unwrap(),
                s["source"].as_str().unwrap()
            )
        })
        .collect();
    let config = ws.path().join(".cargo/config.toml").display().to_string();
    assert_eq!(
        settings,
        [
            "CARGO_INCREMENTAL=0 (environment)".to_string(),
            "RUSTFLAGS=-C link-arg=-fuse-ld=bfd (environment)".to_string(),
            format!("profile.dev.debug=0 ({config})"),
        ]
    );
    let warnings: Vec<&str> = report["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("incremental compilation is off (CARGO_INCREMENTAL=0, from environment)")),
        "{warnings:?}"
    );
    assert_eq!(report["toolchains"][0]["linker"], "bfd (configured)", "the configured linker, not a guess");
    assert_eq!(report["toolchains"][0]["status"], "ok", "the user's flags are kept: {report:#}");
}

#[test]
fn small_projects_get_several_clean_runs_and_the_warm_up_is_said() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let out = run(timewarp(ws.path()).args(["--toolchains", "stable", "--incremental-runs", "1", "--format", "json"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("first reading its compiler into memory, untimed"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["runs"]["clean"], serde_json::json!({"min": 3, "max": 10, "budget_s": 30.0}));
    let clean = report["toolchains"][0]["scenarios"]["clean"]["wall"]["runs_s"].as_array().unwrap().len();
    assert!((3..=10).contains(&clean), "a sub-second clean build is repeated: {clean} runs");
    assert!(report["warmup"].as_str().unwrap().contains("read into memory, untimed"));
    let table =
        success(timewarp(ws.path()).args(["--toolchains", "stable", "--clean-runs", "1", "--incremental-runs", "1"]));
    assert!(table.contains("(1 run)"), "a single clean build says so: {table}");
}

#[test]
fn a_baseline_measured_another_way_is_listed_not_compared() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let args = ["--toolchains", "stable", "--runs", "1"];
    success(timewarp(ws.path()).args(args).args(["--check", "-o", "check.json"]));
    let report = success_json(timewarp(ws.path()).args(args).args([
        "--baseline",
        "check.json",
        "--max-regression",
        "0",
        "--format",
        "json",
    ]));
    let baseline = &report["baseline"];
    assert_eq!(baseline["changes"], serde_json::json!([]), "a check run is no baseline for a build run");
    assert_eq!(baseline["not_comparable"][0], "the whole report: command check then, build now");
}
