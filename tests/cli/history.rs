//! Real histories across Debian's 1.63.0, 1.85.0 and 1.96.0 (installed by
//! scripts/install-debian-toolchains.sh), one run per fixture with many assertions on its JSON.
//! Timings are checked for shape and sign only, never for speed.

use crate::support::{World, build_lock, git, reason_for, row, row_names, run, snapshot, success_json, toolchains};

const EXTRA: &[&str] = &["1.63.0", "1.85.0", "1.96.0"];

/// What every test here starts with: a copy of `fixture_name` and the build lock, or `None`
/// (the test is skipped, or fails under `TIMEWARP_REQUIRE_TOOLCHAINS=1`) without the extra
/// toolchains.
fn setup(fixture_name: &str) -> Option<(std::sync::MutexGuard<'static, ()>, World)> {
    if !toolchains(EXTRA) {
        return None;
    }
    let lock = build_lock();
    Some((lock, World::new(fixture_name, &[EXTRA, &["stable"]].concat())))
}

#[track_caller]
fn assert_summary(summary: &serde_json::Value, runs: usize) {
    let runs_s = summary["runs_s"].as_array().unwrap();
    assert_eq!(runs_s.len(), runs, "{summary}");
    assert!(runs_s.iter().all(|r| r.as_f64().unwrap() > 0.0), "{summary}");
    let (min, median, max) =
        (summary["min_s"].as_f64().unwrap(), summary["median_s"].as_f64().unwrap(), summary["max_s"].as_f64().unwrap());
    assert!(0.0 < min && min <= median && median <= max, "{summary}");
}

#[test]
fn single_crate_yearly_history_since_msrv() {
    let Some((_builds, ws)) = setup("single-crate") else { return };
    let before = snapshot(ws.path());
    let report = success_json(ws.timewarp().args(["--format", "json", "--clean-runs", "1", "--incremental-runs", "2"]));

    assert_eq!(report["schema"], 2);
    assert_eq!(report["msrv"], "1.80");
    assert_eq!(report["touched_file"], "src/main.rs");
    assert_eq!(report["runs"], serde_json::json!({"clean": 1, "touched": 2}));
    assert_eq!(row_names(&report), ["1.85.0", "1.96.0"]);
    assert_eq!(reason_for(&report, "1.63.0").unwrap(), "below MSRV 1.80 (rust-version of `single-crate`)");
    for name in ["1.85.0", "1.96.0"] {
        let r = row(&report, name);
        assert_eq!(r["provenance"], "distribution", "Debian's builds: {r:#}");
        assert_eq!(r["linker"], "cc");
        let (clean, touched) = (&r["scenarios"]["clean"], &r["scenarios"]["touched"]);
        assert!(
            clean["largest_process_mib"].as_f64().unwrap() > 10.0,
            "the largest process of a real build uses more than 10 MiB: {r:#}"
        );
        assert_eq!(r["status"], "ok", "{r:#}");
        assert!(r["error"].is_null());
        assert_summary(&clean["wall"], 1);
        assert_summary(&touched["wall"], 2);
        assert!(clean["cpu"]["median_s"].as_f64().unwrap() > 0.0, "{r:#}");
        assert!(clean["speedup"].as_f64().unwrap() > 0.0);
        assert!(touched["speedup"].as_f64().unwrap() > 0.0);
    }
    assert_eq!(row(&report, "1.85.0")["scenarios"]["clean"]["speedup"], 1.0, "the oldest row is the baseline");
    assert_eq!(row(&report, "1.85.0")["release_date"], "2025-02-20");
    assert_eq!(row(&report, "1.96.0")["version"], "1.96.0");

    assert_eq!(before, snapshot(ws.path()), "sources, Cargo.lock and mtimes are unchanged");
    let target = ws.path().join("target");
    assert!(!target.join("debug").exists(), "target/debug is never used");
    assert!(target.join("timewarp/1.96.0/debug").is_dir(), "the newest toolchain's build is kept");
    assert!(!target.join("timewarp/1.85.0").exists(), "older toolchains' builds are removed after the run");
    let history = std::fs::read_to_string(target.join("timewarp/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 1, "one line per run");
}

#[test]
fn every_toolchain_really_compiles_and_wrappers_never_run() {
    let Some((_builds, ws)) = setup("build-script") else { return };
    let scratch = tempfile::tempdir().unwrap();
    let probe_log = scratch.path().join("probe.log");
    let marker = scratch.path().join("wrapper-ran");
    let wrapper = scratch.path().join("wrapper.sh");
    std::fs::write(&wrapper, format!("#!/bin/sh\ntouch '{}'\nexec \"$@\"\n", marker.display())).unwrap();
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    let report = success_json(
        ws.timewarp()
            .args([
                "--toolchains",
                "1.63.0,1.85.0,1.96.0",
                "--clean-runs",
                "1",
                "--incremental-runs",
                "1",
                "--format",
                "json",
            ])
            .args(["--keep-target-dirs"])
            .env("TIMEWARP_PROBE_LOG", &probe_log)
            .env("RUSTC_WRAPPER", &wrapper)
            .env("CARGO_TARGET_DIR", scratch.path().join("elsewhere")),
    );
    assert_eq!(row_names(&report), ["1.63.0", "1.85.0", "1.96.0"]);
    let log = std::fs::read_to_string(&probe_log).unwrap();
    for version in ["1.63.0", "1.85.0", "1.96.0"] {
        assert_eq!(row(&report, version)["status"], "ok", "{report:#}");
        let line = log.lines().find(|l| l.starts_with(&format!("rustc {version}"))).unwrap_or_else(|| panic!("{log}"));
        assert!(line.contains(&format!("toolchains/{version}-")), "RUSTC is the toolchain's own rustc: {line}");
    }
    assert!(!marker.exists(), "RUSTC_WRAPPER must not reach the builds");
    // CARGO_TARGET_DIR names the user's target dir, so timewarp's own directory goes below it,
    // but the builds themselves only ever write to their per-toolchain directory.
    let elsewhere = scratch.path().join("elsewhere");
    let entries: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries, ["timewarp"]);
    for version in ["1.63.0", "1.85.0", "1.96.0"] {
        assert!(elsewhere.join("timewarp").join(version).join("debug").is_dir(), "--keep-target-dirs keeps {version}");
    }
    assert!(!ws.path().join("target").exists());
    let removed: Vec<&str> = report["removed_env"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(removed, ["CARGO_TARGET_DIR", "RUSTC_WRAPPER"]);
}

#[test]
fn old_toolchain_failure_is_a_row_and_the_run_goes_on() {
    let Some((_builds, ws)) = setup("needs-new-rustc") else { return };
    let report = success_json(ws.timewarp().args([
        "--toolchains",
        "1.63.0,1.85.0",
        "--clean-runs",
        "1",
        "--incremental-runs",
        "1",
        "--format",
        "json",
    ]));
    let old = row(&report, "1.63.0");
    assert_eq!(old["status"], "failed");
    let error = old["error"].as_str().unwrap();
    assert!(error.starts_with("error") && error.contains("repeat_n"), "{error}");
    assert_eq!(old["scenarios"], serde_json::json!({}), "a failed row has no figures");
    let new = row(&report, "1.85.0");
    assert_eq!(new["status"], "ok");
    assert_eq!(new["scenarios"]["clean"]["speedup"], 1.0, "the baseline is the oldest *successful* row");

    // When every toolchain fails there is no history: exit 4, with the rows still printed.
    let out = run(ws.timewarp().args([
        "--toolchains",
        "1.63.0",
        "--clean-runs",
        "1",
        "--incremental-runs",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(row(&report, "1.63.0")["status"], "failed");
}

#[test]
fn virtual_workspace_touches_the_top_binary() {
    let Some((_builds, ws)) = setup("virtual-ws") else { return };
    let before = snapshot(ws.path());
    let report = success_json(ws.timewarp().args(["--format", "json", "--runs", "1"]));
    assert_eq!(report["touched_file"], "app/src/main.rs");
    assert_eq!(report["packages"], serde_json::json!(["probe-app", "probe-core"]));
    let names = row_names(&report);
    assert_eq!(names.first().map(String::as_str), Some("1.63.0"), "oldest eligible is always kept: {names:?}");
    assert!(names.contains(&"1.85.0".to_string()), "{names:?}");
    assert!(report["toolchains"].as_array().unwrap().iter().all(|r| r["status"] == "ok"), "{report:#}");
    assert_eq!(before, snapshot(ws.path()));
}

#[test]
fn registry_dependency_builds_offline_under_every_toolchain() {
    let Some((_builds, ws)) = setup("registry-dep") else { return };
    let before = snapshot(ws.path());
    let report = success_json(ws.timewarp().args([
        "--toolchains",
        "1.63.0,1.85.0,1.96.0",
        "--clean-runs",
        "1",
        "--incremental-runs",
        "1",
        "--format",
        "json",
    ]));
    for version in ["1.63.0", "1.85.0", "1.96.0"] {
        assert_eq!(row(&report, version)["status"], "ok", "{report:#}");
    }
    let vendored = report["vendored_sources"].as_str().unwrap();
    assert!(std::path::Path::new(vendored).join("itoa-1.0.9").is_dir(), "{vendored}");
    assert!(vendored.starts_with(&ws.path().join("target/timewarp").display().to_string()));
    assert_eq!(before, snapshot(ws.path()), "Cargo.lock and .cargo are untouched");
    assert!(!ws.path().join(".cargo").exists());
}

#[test]
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
fn an_old_revision_builds_where_the_working_tree_does_not() {
    let Some((_builds, ws)) = setup("needs-new-rustc") else { return };
    let main_rs = ws.path().join("src/main.rs");
    let lock = ws.path().join("Cargo.lock");
    let (new_main, v3_lock) = (std::fs::read_to_string(&main_rs).unwrap(), std::fs::read_to_string(&lock).unwrap());
    // The first commit builds on 1.63 but was locked by a new cargo (version 4).
    std::fs::write(&main_rs, "fn main() {\n    println!(\"---\");\n}\n").unwrap();
    std::fs::write(&lock, v3_lock.replace("version = 3", "version = 4")).unwrap();
    git(ws.path(), &["init", "-q"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["commit", "-q", "-m", "v1"]);
    let first = git(ws.path(), &["rev-parse", "HEAD"]);
    std::fs::write(&main_rs, new_main).unwrap();
    std::fs::write(&lock, v3_lock).unwrap();
    git(ws.path(), &["commit", "-q", "-am", "v2"]);
    let before = snapshot(ws.path());
    let args = ["--rev", "HEAD~1", "--toolchains", "1.63.0,1.85.0", "--runs", "1", "--format", "json"];

    let report = success_json(ws.timewarp().args(args));
    assert_eq!(report["revision"], first.as_str());
    let old = row(&report, "1.63.0");
    assert_eq!(old["status"], "failed");
    let error = old["error"].as_str().unwrap();
    assert!(error.starts_with("cargo 1.63.0 cannot read Cargo.lock version 4, which needs cargo 1.78"), "{error}");
    assert_eq!(row(&report, "1.85.0")["status"], "ok");

    let report = success_json(ws.timewarp().args(args).arg("--lockfile-compat"));
    assert_eq!(row(&report, "1.63.0")["status"], "ok", "{report:#}");
    assert_eq!(row(&report, "1.85.0")["status"], "ok");
    assert_eq!(before, snapshot(ws.path()), "the working tree and .git are untouched");

    // Without --lockfile-compat again, the pristine lockfile is back: the copy is re-exported.
    let report = success_json(ws.timewarp().args(args));
    assert_eq!(row(&report, "1.63.0")["status"], "failed");

    let line = crate::support::failure(ws.timewarp().args(["--rev", "no-such-branch", "--list"]), 2);
    assert!(line.starts_with("error: `no-such-branch` is not a commit in the git repository at `"), "{line}");
}

#[test]
fn interleave_alternates_the_toolchains() {
    let Some((_builds, ws)) = setup("build-script") else { return };
    let scratch = tempfile::tempdir().unwrap();
    let probe_log = scratch.path().join("probe.log");
    let report = success_json(
        ws.timewarp()
            .args(["--toolchains", "1.85.0,1.96.0", "--interleave", "--clean-runs", "2", "--incremental-runs", "1"])
            .args(["--format", "json"])
            .env("TIMEWARP_PROBE_LOG", &probe_log),
    );
    assert_eq!(row_names(&report), ["1.85.0", "1.96.0"]);
    // The build script runs once per clean build, so the log shows the build order.
    let log = std::fs::read_to_string(&probe_log).unwrap();
    let order: Vec<&str> = log.lines().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    assert_eq!(order, ["1.85.0", "1.96.0", "1.85.0", "1.96.0"], "{log}");
    for name in ["1.85.0", "1.96.0"] {
        assert_eq!(row(&report, name)["scenarios"]["clean"]["wall"]["runs_s"].as_array().unwrap().len(), 2);
    }
}
