//! Measuring runs: what every row measures and how. Real histories across Debian's toolchains
//! (one run per fixture, many assertions on its JSON), every sample proving what it measured,
//! builds isolated from wrappers, proxies and the user's target directory, old revisions on old
//! compilers back to cargo 1.46, and the per-crate build of `--crates`. Timings are checked for
//! shape and sign only, never for speed.

use std::path::Path;

use crate::support::*;

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
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn single_crate_yearly_history_since_msrv() {
    let Some((_builds, ws)) = setup("single-crate") else { return };
    let before = snapshot(ws.path());
    let report = success_json(ws.timewarp().args(["--format", "json", "--clean-runs", "1", "--incremental-runs", "2"]));

    assert_eq!(report["schema"], 4);
    assert_eq!(report["msrv"], "1.80");
    assert_eq!(report["touched_file"], "src/main.rs");
    let measurement = &report["measurement"];
    assert_eq!(
        measurement["stopping"],
        serde_json::json!({"rule": "fixed", "rounds": {"clean": 1, "touched": 2, "check-touched": 2}})
    );
    assert_eq!(measurement["rounds"].as_u64(), Some(2));
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
        assert_eq!((clean["rounds"].as_u64(), touched["rounds"].as_u64()), (Some(1), Some(2)), "{r:#}");
        assert_eq!(touched["wall"]["rounds"], serde_json::json!([0, 1]), "one sample per round: {r:#}");
        assert!(clean["time"]["low"].is_null(), "one clean build has no interval: {r:#}");
        let time = &touched["time"];
        assert!(time["low"].as_f64().unwrap() <= time["point"].as_f64().unwrap(), "{r:#}");
        assert!(time["point"].as_f64().unwrap() <= time["high"].as_f64().unwrap(), "{r:#}");
    }
    let (base, new) = (&row(&report, "1.85.0")["scenarios"], &row(&report, "1.96.0")["scenarios"]);
    for scenario in ["clean", "touched"] {
        assert_eq!(base[scenario]["verdict"], "base", "the oldest row is the baseline");
        assert!(base[scenario]["speedup"].is_null());
        assert!(new[scenario]["speedup"]["point"].as_f64().unwrap() > 0.0, "{new:#}");
    }
    assert_eq!(new["clean"]["verdict"], "inconclusive", "one pair has no interval");
    assert!(new["touched"]["speedup"]["low"].as_f64().unwrap() > 0.0, "two pairs have one: {new:#}");
    assert_eq!(row(&report, "1.85.0")["release_date"], "2025-02-20");
    assert_eq!(row(&report, "1.96.0")["version"], "1.96.0");

    assert_eq!(before, snapshot(ws.path()), "sources, Cargo.lock and mtimes are unchanged");
    let target = ws.path().join("target");
    assert!(!target.join("debug").exists(), "target/debug is never used");
    assert!(target.join("timewarp/1.96.0/rebuilds/debug").is_dir(), "the newest toolchain's build is kept");
    assert!(!target.join("timewarp/1.96.0/scratch").exists(), "its scratch directory for clean builds is not");
    assert!(!target.join("timewarp/1.85.0").exists(), "older toolchains' builds are removed after the run");
    let history = std::fs::read_to_string(history_file(ws.path())).unwrap();
    assert_eq!(history.lines().count(), 1, "one line per run");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
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
        assert!(
            elsewhere.join("timewarp").join(version).join("rebuilds/debug").is_dir(),
            "--keep-target-dirs keeps {version}"
        );
    }
    assert!(!ws.path().join("target").exists());
    let removed: Vec<&str> = report["removed_env"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(removed, ["CARGO_TARGET_DIR", "RUSTC_WRAPPER"]);
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
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
    assert_eq!(new["scenarios"]["clean"]["verdict"], "base", "the baseline is the oldest *successful* row");

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
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
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
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
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
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
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
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn rounds_rotate_the_toolchains() {
    let Some((_builds, ws)) = setup("build-script") else { return };
    let scratch = tempfile::tempdir().unwrap();
    // The build script runs once per clean build, so its log shows the build order.
    let probe_log = scratch.path().join("probe.log");
    let report = success_json(
        ws.timewarp()
            .args(["--toolchains", "1.85.0,1.96.0", "--clean-runs", "2", "--incremental-runs", "1"])
            .args(["--format", "json"])
            .env("TIMEWARP_PROBE_LOG", &probe_log),
    );
    assert_eq!(row_names(&report), ["1.85.0", "1.96.0"]);
    for name in ["1.85.0", "1.96.0"] {
        let wall = &row(&report, name)["scenarios"]["clean"]["wall"];
        assert_eq!(wall["rounds"], serde_json::json!([0, 1]), "{report:#}");
    }
    let log = std::fs::read_to_string(&probe_log).unwrap();
    let order: Vec<&str> = log.lines().map(|l| l.split_whitespace().nth(1).unwrap()).collect();
    // Each round builds each toolchain once; the second round starts with the other one.
    assert_eq!(order, ["1.85.0", "1.96.0", "1.96.0", "1.85.0"]);
    assert!(report["measurement"].get("order").is_none(), "rounds are the only order: {report:#}");
}

#[test]
fn touching_a_file_no_target_compiles_stops_those_rebuilds_instead_of_timing_nothing() {
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
    assert_eq!(out.status.code(), Some(0), "the clean builds count: {stderr}");
    assert!(
        stderr.contains("`tests/t.rs` is in no directory of a target a build of `single-crate` compiles"),
        "warned before timing: {stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok");
    for scenario in ["touched", "check-touched"] {
        assert_eq!(
            row["scenario_errors"][scenario],
            "touching tests/t.rs rebuilt nothing: no target of the build compiles it"
        );
        assert!(row["scenarios"][scenario].is_null(), "no number for a rebuild that did nothing: {row:#}");
    }
    assert!(row["scenarios"]["clean"]["wall"]["runs_s"][0].as_f64().unwrap() > 0.0, "{row:#}");
    // A test build does compile it.
    let args = ["--toolchains", "stable", "--touch", "tests/t.rs", "--runs", "1", "--scenarios", "test"];
    let report = success_json(timewarp(ws.path()).args(args).args(["--format", "json"]));
    let row = &report["toolchains"][0];
    assert!(row["scenarios"]["test"]["wall"]["runs_s"][0].as_f64().unwrap() > 0.0, "{row:#}");
    assert_eq!(row["scenarios"]["test"]["crates_compiled"], 1, "{row:#}");
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
fn a_default_run_adds_rounds_until_precise_and_says_how_many_it_took() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let out = run(timewarp(ws.path()).args(["--toolchains", "stable", "--format", "json"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("first reading its compiler into memory, untimed"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let measurement = &report["measurement"];
    assert_eq!(
        measurement["stopping"],
        serde_json::json!({
            "rule": "precision",
            "precision_pct": 5.0,
            "rebuild_precision_pct": 3.0,
            "budget_s": 1200.0,
            "min_rounds": 5,
            "max_rounds": 30,
            "max_rebuild_rounds": 80,
        })
    );
    let rounds = measurement["rounds"].as_u64().unwrap();
    assert!((5..=80).contains(&rounds), "{measurement}");
    let stopped = measurement["stopped"].as_str().unwrap();
    let row = &report["toolchains"][0];
    // Clean builds stop at ±5 % in at most 30 rounds, rebuilds at ±3 % in at most 80.
    for (scenario, target, most) in [("clean", 5.0, 30), ("touched", 3.0, 80)] {
        let figures = &row["scenarios"][scenario];
        let n = figures["rounds"].as_u64().unwrap();
        assert!(n >= 5 && n <= rounds.min(most), "at least the minimum, at most its most rounds: {figures}");
        assert_eq!(figures["wall"]["runs_s"].as_array().unwrap().len() as u64, n);
        // One toolchain alone: its own time's interval is what the rule watches.
        let within = figures["time"]["plus_minus_pct"].as_f64().unwrap() <= target;
        assert_eq!(figures["precise"], within, "{figures}");
        assert!(within || stopped == "max-rounds", "imprecise only when the rounds ran out: {measurement}");
    }
    assert!(report["warmup"].as_str().unwrap().contains("read into memory, untimed"));
    let table =
        success(timewarp(ws.path()).args(["--toolchains", "stable", "--clean-runs", "1", "--incremental-runs", "1"]));
    assert!(table.contains("(1 round)"), "a single clean build says so: {table}");
    assert!(table.contains("rounds:    1 round in rotating order, fixed: 1 clean + 1 touched"), "{table}");
}

#[test]
fn check_and_release_are_timed_as_asked() {
    let _builds = crate::support::build_lock();
    let ws = fixture("single-crate");
    let report = success_json(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--scenarios",
        "check,check-touched,release",
        "--runs",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(report["profile"], "dev");
    assert_eq!(
        report["measurement"]["commands"],
        serde_json::json!({"check": "cargo check", "check-touched": "cargo check", "release": "cargo build --release"})
    );
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok", "{report:#}");
    for scenario in ["check", "check-touched", "release"] {
        assert!(row["scenarios"][scenario]["wall"]["runs_s"][0].as_f64().unwrap() > 0.0, "{scenario}: {row:#}");
    }
    assert!(row["scenarios"]["release"]["link"]["time"]["point"].as_f64().unwrap() > 0.0, "the release build links");
    assert!(row["scenarios"]["check-touched"]["link"].is_null(), "checking the touched binary links nothing");
    let dir = std::path::PathBuf::from(row["target_dir"].as_str().unwrap());
    assert!(dir.starts_with(ws.path().join("target/timewarp")), "{dir:?}");
    assert!(dir.join("debug").is_dir() && !dir.join("release").exists(), "the checks' artifacts; release was clean");
    // `--release` is cargo's: the release profile for every scenario (`--profile release`).
    let profiled = success_json(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--release",
        "--scenarios",
        "touched",
        "--runs",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(profiled["measurement"]["commands"]["touched"], "cargo build --release");
    let dir = std::path::PathBuf::from(profiled["toolchains"][0]["target_dir"].as_str().unwrap());
    assert!(dir.join("release").is_dir() && !dir.join("debug").exists(), "release profile artifacts only");
}

#[test]
fn a_path_dependency_outside_the_workspace_builds_and_is_left_alone() {
    let _builds = crate::support::build_lock();
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(outside.join("src")).unwrap();
    std::fs::write(
        outside.join("Cargo.toml"),
        "[package]\nname = \"outside\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(outside.join("src/lib.rs"), "pub fn answer() -> u32 { 42 }\n").unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\noutside = { path = \"../outside\" }\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/main.rs"), "fn main() { println!(\"{}\", outside::answer()); }\n").unwrap();
    let before = crate::support::snapshot(&outside);
    let report = success_json(timewarp(&ws).args(["--toolchains", "stable", "--runs", "1", "--format", "json"]));
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert_eq!(report["touched_file"], "src/main.rs");
    assert_eq!(before, crate::support::snapshot(&outside), "the outside crate is untouched");
    assert!(!ws.join("Cargo.lock").exists(), "the lockfile generated for the run is removed again");
    let line = crate::support::failure(timewarp(&ws).args(["--touch", "../outside/src/lib.rs"]), 2);
    assert!(line.contains("is not a file inside the workspace"), "{line}");
}

#[test]
fn a_crashing_or_broken_toolchain_is_a_row_or_a_reason_not_a_crash() {
    let _builds = crate::support::build_lock();
    let home = crate::support::rustup_home_with_bad_toolchains();
    let ws = fixture("single-crate");
    let before = crate::support::snapshot(ws.path());

    let listing =
        success_json(timewarp(ws.path()).args(["--list", "--format", "json"]).env("RUSTUP_HOME", home.path()));
    let reason = crate::support::reason_for(&listing, "broken").unwrap();
    assert!(reason.starts_with("broken: `rustc +broken -vV` failed (exit status: 127): error: libLLVM.so"), "{reason}");

    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "crashy,stable", "--runs", "1", "--format", "json"]).env("RUSTUP_HOME", home.path());
    let report = success_json(&mut cmd);
    let crashy = crate::support::row(&report, "crashy");
    assert_eq!(crashy["status"], "failed");
    assert!(crashy["error"].as_str().unwrap().contains("SIGSEGV"), "{crashy:#}");
    assert_eq!(report["toolchains"].as_array().unwrap().iter().filter(|r| r["status"] == "ok").count(), 1);
    assert_eq!(before, crate::support::snapshot(ws.path()));
}

#[test]
fn no_timed_build_goes_through_rustups_proxy() {
    let _builds = crate::support::build_lock();
    let ws = fixture("single-crate");
    // A CARGO_HOME whose rustup proxies log every call, then pass it on to the real ones.
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("proxy.log");
    let real_bin = crate::support::real_rustup().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(home.path().join("bin")).unwrap();
    for tool in ["cargo", "rustc", "rustup"] {
        let proxy = home.path().join("bin").join(tool);
        let script = format!(
            "#!/bin/sh\necho \"{tool} $*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real_bin.join(tool).display()
        );
        std::fs::write(&proxy, script).unwrap();
        std::fs::set_permissions(&proxy, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--runs", "2", "--format", "json"])
            .env("CARGO_HOME", home.path()),
    );
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(calls.lines().any(|l| l.starts_with("rustc +") && l.ends_with("-vV")), "the proxies were used: {calls}");
    assert!(calls.lines().any(|l| l.starts_with("rustup which")), "{calls}");
    assert!(!calls.lines().any(|l| l.contains("--target-dir")), "a timed build ran through the proxy: {calls}");
}

/// Found on fd copied under such a path: `cargo vendor` prints a `\` in the vendor directory
/// as `/`, so every build failed with "failed to get `aho-corasick`".
#[test]
fn a_workspace_under_a_path_with_spaces_quotes_and_backslashes_builds() {
    let _builds = crate::support::build_lock();
    let scratch = tempfile::tempdir().unwrap();
    let odd = scratch.path().join("odd dir/ünï \"q\" $x \\back's/ws");
    std::fs::create_dir_all(odd.parent().unwrap()).unwrap();
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg(crate::support::fixture_source("registry-dep"))
        .arg(&odd)
        .status()
        .unwrap();
    assert!(status.success());
    let _ = std::fs::remove_dir_all(odd.join("target"));
    let out = crate::support::success(timewarp(&odd).args([
        "--toolchains",
        "stable",
        "--runs",
        "1",
        "-o",
        "report \"x\".json",
        "--plot",
        "p $1.svg",
    ]));
    assert!(out.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(odd.join("report \"x\".json")).unwrap()).unwrap();
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert!(odd.join("p $1.svg").is_file());
}

/// Whether any file below `dir` contains `needle`.
fn contains_bytes(dir: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).into_iter().flatten().flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            contains_bytes(&path, needle)
        } else {
            std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        }
    })
}

#[test]
fn an_edit_changes_the_generated_code_where_a_touch_does_not() {
    let _builds = build_lock();
    for (edit, expected) in [(false, false), (true, true)] {
        let ws = fixture("single-crate");
        let mut cmd = timewarp(ws.path());
        cmd.args(["--toolchains", "stable", "--runs", "1", "--keep-target-dirs", "--format", "json"]);
        if edit {
            cmd.arg("--edit");
        }
        let report = success_json(&mut cmd);
        let target = std::path::PathBuf::from(report["toolchains"][0]["target_dir"].as_str().unwrap());
        // The compiler's object files of the last (edited) build hold the edit's bytes: the
        // edit made new code, as rustc-perf's incr-patched means, not a check of unchanged code.
        assert_eq!(contains_bytes(&target, b"timewarp-edit-1"), expected, "--edit {edit}: {}", target.display());
    }
}

/// Every toolchain CI has: Debian's five and the official stable.
const SIX: &[&str] = &["1.48.0", "1.63.0", "1.78.0", "1.85.0", "stable", "1.96.0"];

const DEBIAN: &[&str] = &["1.48.0", "1.63.0", "1.78.0", "1.85.0", "1.96.0"];

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[track_caller]
fn assert_every_row_ok(report: &serde_json::Value, count: usize) {
    let rows = report["toolchains"].as_array().unwrap();
    assert_eq!(rows.len(), count, "{:?}", row_names(report));
    for r in rows {
        assert_eq!(r["status"], "ok", "{} failed: {}", r["name"], r["error"]);
    }
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn the_first_commit_of_a_workspace_builds_as_it_did_then_on_every_toolchain() {
    if !toolchains(DEBIAN) {
        return;
    }
    let _builds = build_lock();
    // The first commit: a single package (the `old-msrv` fixture) with a crates.io dependency
    // and a version 2 lockfile (no `version` line), as cargo wrote them in 2020.
    let ws = World::new("old-msrv", SIX);
    let root = ws.path();
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    write(root, "Cargo.lock", &lock.replace("version = 3\n", ""));
    let main = std::fs::read_to_string(root.join("src/main.rs")).unwrap();
    let guard = "#[cfg(head_config)]\ncompile_error!(\"today's .cargo/config.toml reached the old revision\");\n";
    write(root, "src/main.rs", &format!("{main}{guard}"));
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    let first = git(root, &["rev-parse", "HEAD"]);

    // HEAD: a virtual workspace whose config would break the old code if it reached it.
    git(root, &["rm", "-q", "-r", "Cargo.toml", "Cargo.lock", "src"]);
    write(root, "Cargo.toml", "[workspace]\nmembers = [\"crates/app\"]\nresolver = \"2\"\n");
    write(root, "crates/app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.2.0\"\nedition = \"2021\"\n");
    write(root, "crates/app/src/main.rs", "fn main() {}\n");
    write(root, ".cargo/config.toml", "[build]\nrustflags = [\"--cfg\", \"head_config\"]\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "today"]);
    let before = snapshot(root);

    let report = success_json(ws.timewarp().args(["--rev", &first, "--all", "--runs", "1", "--format", "json"]));
    assert_eq!(report["revision"], first.as_str());
    assert_every_row_ok(&report, SIX.len());
    assert_eq!(row_names(&report).first().map(String::as_str), Some("1.48.0"));
    assert_eq!(before, snapshot(root), "the working tree and .git are unchanged");
    let exported = std::path::PathBuf::from(row(&report, "1.48.0")["target_dir"].as_str().unwrap());
    assert!(exported.starts_with(root), "builds still go below the user's target dir: {exported:?}");
    // The report names the user's checkout, not timewarp's copy of the revision (which the
    // unchanged snapshot shows is outside it).
    assert_eq!(report["workspace"].as_str().map(Path::new), Some(root), "{}", report["workspace"]);
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_project_declaring_rust_1_48_with_a_crates_io_dependency_builds_on_1_48() {
    if !toolchains(DEBIAN) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("old-msrv", SIX);
    let before = snapshot(ws.path());
    let report = success_json(ws.timewarp().args(["--runs", "1", "--format", "json"]));
    assert_eq!(
        row_names(&report).first().map(String::as_str),
        Some("1.48.0"),
        "the default selection keeps the oldest"
    );
    let oldest = row(&report, "1.48.0");
    assert_eq!(oldest["status"], "ok", "{oldest:#}");
    assert_every_row_ok(&report, row_names(&report).len());
    assert_eq!(before, snapshot(ws.path()));
    let config = std::fs::read_to_string(ws.path().join("target/timewarp/cargo-home/config.toml")).unwrap();
    assert!(config.contains("replace-with = \"vendored-sources\""), "{config}");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_version_4_lockfile_fails_on_the_cargos_that_cannot_read_it_and_says_why() {
    if !toolchains(DEBIAN) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("old-msrv", SIX);
    let lock = ws.path().join("Cargo.lock");
    std::fs::write(&lock, std::fs::read_to_string(&lock).unwrap().replace("version = 3", "version = 4")).unwrap();
    let names = "1.48.0,1.63.0,1.78.0,1.96.0";
    let report = success_json(ws.timewarp().args(["--toolchains", names, "--runs", "1", "--format", "json"]));
    let old = row(&report, "1.63.0");
    assert_eq!(old["status"], "failed");
    let error = old["error"].as_str().unwrap();
    let first = error.lines().next().unwrap();
    assert!(first.starts_with("cargo 1.63.0 cannot read Cargo.lock version 4, which needs cargo 1.78;"), "{error}");
    assert!(error.lines().nth(1).is_some_and(|l| l.starts_with("error")), "cargo's own words follow: {error}");
    for name in ["1.78.0", "1.96.0"] {
        assert_eq!(row(&report, name)["status"], "ok", "{report:#}");
    }
    // Debian's cargo 0.47 predates the lockfile's `version` marker and reads a registry-only
    // version 4 lockfile as the format it knows.
    assert_eq!(row(&report, "1.48.0")["status"], "ok", "{report:#}");
}

const CRATES_WORLD: &[&str] = &["1.63.0", "1.96.0"];

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn every_rustc_is_logged_once_and_workspace_crates_are_told_from_dependencies() {
    if !toolchains(CRATES_WORLD) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("crates-mix", CRATES_WORLD);
    let report = success_json(ws.timewarp().args([
        "--toolchains",
        "1.63.0,1.96.0",
        "--crates=3",
        "--runs",
        "1",
        "--keep-target-dirs",
        "--plot",
        "history.svg",
        "--format",
        "json",
    ]));
    for name in CRATES_WORLD {
        let crates = &row(&report, name)["crates"];
        let list = crates["crates"].as_array().unwrap_or_else(|| panic!("{name}: {report:#}"));
        let mut seen: Vec<(String, String, bool)> = list
            .iter()
            .map(|c| {
                (
                    c["crate_name"].as_str().unwrap().to_string(),
                    c["kind"].as_str().unwrap().to_string(),
                    c["workspace"] == true,
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("build_script_build".into(), "build script".into(), true),
                ("itoa".into(), "lib".into(), false),
                ("mix_app".into(), "bin".into(), true),
                ("mix_derive".into(), "proc-macro".into(), true),
            ],
            "{name}: every rustc invocation exactly once, so none of the timed builds ran the wrapper"
        );
        for c in list {
            for key in ["wall_s", "cpu_s", "peak_rss_mib"] {
                assert!(c[key].as_f64().unwrap() > 0.0, "{name} {key}: {c}");
            }
        }
        assert_eq!(
            (crates["workspace"]["count"].as_u64(), crates["dependencies"]["count"].as_u64()),
            (Some(3), Some(1))
        );
        assert!(crates["wrapped_build_s"].as_f64().unwrap() > 0.0);
        assert!(crates["wrapper_cost_pct"].is_f64(), "the wrapper's cost is visible: {crates}");
        assert!(crates["largest_rustc"]["peak_rss_mib"].as_f64().unwrap() > 10.0);
        let log = ws.path().join(format!("target/timewarp/crates/{name}.jsonl"));
        assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 4, "{}", log.display());
    }
    let changes = &report["crate_changes"];
    assert_eq!((changes["from"].as_str(), changes["to"].as_str()), (Some("1.63.0"), Some("1.96.0")));
    assert_eq!(changes["largest"].as_array().unwrap().len(), 3, "--crates=3");
    let svg = std::fs::read_to_string(ws.path().join("history.svg")).unwrap();
    assert!(svg.contains("per-crate build"), "the plot has the per-crate panel");
}

/// Every scenario through the real binary, back to cargo 1.46 (Debian's Rust 1.48), on a virtual
/// workspace where `deep-base` has two dependents and the binary links.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn every_scenario_on_a_workspace_back_to_cargo_1_46() {
    if !toolchains(&["1.48.0", "1.96.0"]) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("deep-ws", &["1.48.0", "1.96.0"]);
    let before = snapshot(ws.path());
    let all = "clean,touched,edited,deep,check,check-touched,test,release";
    let report = success_json(ws.timewarp().args([
        "--toolchains",
        "1.48.0,1.96.0",
        "--scenarios",
        all,
        "--runs",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(
        report["deep"],
        serde_json::json!({"package": "deep-base", "file": "base/src/lib.rs", "dependents": ["deep-app", "deep-mid"]})
    );
    assert_eq!(report["measurement"]["commands"]["test"], "cargo test --no-run");
    for name in ["1.48.0", "1.96.0"] {
        let r = row(&report, name);
        assert_eq!(r["status"], "ok", "{r:#}");
        assert_eq!(r["scenario_errors"], serde_json::json!({}), "{r:#}");
        for scenario in all.split(',') {
            let wall = r["scenarios"][scenario]["wall"]["runs_s"][0].as_f64();
            assert!(wall.is_some_and(|w| w > 0.0), "{name} {scenario}: {r:#}");
        }
        let compiled = |s: &str| r["scenarios"][s]["crates_compiled"].as_u64();
        assert_eq!(compiled("deep"), Some(3), "{name}: the library and both dependents: {r:#}");
        assert_eq!((compiled("touched"), compiled("check-touched")), (Some(1), Some(1)), "{name}: {r:#}");
        for linked in ["clean", "touched", "edited", "deep", "test", "release"] {
            assert!(r["scenarios"][linked]["link"]["time"]["point"].as_f64().unwrap() > 0.0, "{name} {linked}");
        }
        for unlinked in ["check", "check-touched"] {
            assert!(r["scenarios"][unlinked]["link"].is_null(), "{name} {unlinked}: nothing links: {r:#}");
        }
    }
    let new = &row(&report, "1.96.0")["scenarios"]["deep"]["link"];
    assert!(new["speedup"]["point"].as_f64().unwrap() > 0.0, "the link time has its own speedup: {new:#}");
    assert_eq!(before, snapshot(ws.path()), "sources, Cargo.lock and mtimes are unchanged");
}

/// The default scenarios on a workspace with a library another member depends on: `deep` joins,
/// and the progress names what it edits.
#[test]
fn the_default_scenarios_include_deep_where_a_library_has_dependents() {
    let _builds = build_lock();
    let ws = fixture("deep-ws");
    let before = snapshot(ws.path());
    let out = run(timewarp(ws.path()).args(QUICK).args(["--format", "json"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("a public item in base/src/lib.rs (`deep-base`, 2 dependents) before each deep rebuild"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["measurement"]["scenarios"],
        serde_json::json!(["clean", "touched", "deep", "check-touched"]),
        "the survey's top pains"
    );
    assert_eq!(report["toolchains"][0]["scenarios"]["deep"]["crates_compiled"], 3);
    assert_eq!(before, snapshot(ws.path()), "the library is as it was, mtime too");
    let line = failure(timewarp(ws.path()).args(QUICK).args(["--scenarios", "deep", "-p", "deep-base"]), 2);
    assert!(line.starts_with("error: the `deep` scenario edits a library of the workspace that another built package depends on, and none of `deep-base` does"), "{line}");
}

/// A dev-dependency whose rust-version is above a toolchain keeps that toolchain's test builds
/// out, with the reason, and its other scenarios in.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_dev_dependency_above_a_toolchain_skips_its_test_builds_alone() {
    if !toolchains(&["1.48.0", "1.63.0"]) {
        return;
    }
    let _builds = build_lock();
    // The newest installed stable vendors dyn-clone: cargo 1.63 reads the registry through its
    // git index, which this machine's network does not reach.
    let ws = World::new("dev-floor", &["1.48.0", "1.63.0", "stable"]);
    let args = ["--toolchains", "1.48.0,1.63.0", "--scenarios", "clean,check-touched,test", "--runs", "1"];
    let report = success_json(ws.timewarp().args(args).args(["--format", "json"]));
    assert_eq!(report["msrv"], "1.31", "the dev-dependency is no floor of the build: {report:#}");
    let old = row(&report, "1.48.0");
    assert_eq!(old["status"], "ok", "{old:#}");
    assert_eq!(
        old["scenario_errors"]["test"],
        "below 1.60 (rust-version of dyn-clone 1.0.20, which the tests of `dev-floor` build), a floor of the `test` scenario alone"
    );
    for scenario in ["clean", "check-touched"] {
        assert!(old["scenarios"][scenario]["wall"]["runs_s"][0].as_f64().unwrap() > 0.0, "{old:#}");
    }
    assert!(old["scenarios"]["test"].is_null());
    let new = row(&report, "1.63.0");
    assert!(new["scenarios"]["test"]["wall"]["runs_s"][0].as_f64().unwrap() > 0.0, "{new:#}");
    let table = success(ws.timewarp().args(args));
    assert!(table.contains("1.48.0 test stopped: below 1.60 (rust-version of dyn-clone 1.0.20"), "{table}");
}

/// Cargo 1.91 made `build.build-dir` stable: intermediate artifacts go there instead of the
/// target directory. Set to a directory shared across runs, it made every clean build after the
/// first reuse the previous round's units (0.42 s, then 0.09 s) and left timewarp's builds in the
/// user's directory. Every build keeps its files in timewarp's own directory, whatever the user's
/// configuration says.
#[test]
fn a_build_dir_in_the_users_config_never_receives_a_timed_build() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let outside = tempfile::tempdir().unwrap();
    let build_dir = outside.path().join("shared-build-dir");
    std::fs::create_dir_all(ws.path().join(".cargo")).unwrap();
    std::fs::write(ws.path().join(".cargo/config.toml"), format!("[build]\nbuild-dir = \"{}\"\n", build_dir.display()))
        .unwrap();
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--scenarios", "clean,touched", "--runs", "3", "--format", "json"])
            .env("CARGO_BUILD_BUILD_DIR", outside.path().join("from-the-environment")),
    );
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert_summary(&report["toolchains"][0]["scenarios"]["clean"]["wall"], 3);
    assert!(!build_dir.exists(), "a timed build wrote into the user's build-dir `{}`", build_dir.display());
    assert!(!outside.path().join("from-the-environment").exists(), "CARGO_BUILD_BUILD_DIR reached a build");
    let keys: Vec<&str> =
        report["build_settings"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert!(!keys.contains(&"build.build-dir"), "an overridden setting is not listed as applied: {keys:?}");

    // The user's global configuration reaches the builds through timewarp's private cargo home:
    // a build-dir there is overridden too.
    std::fs::remove_file(ws.path().join(".cargo/config.toml")).unwrap();
    let home = outside.path().join("cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    let global = outside.path().join("global-build-dir");
    std::fs::write(home.join("config.toml"), format!("[build]\nbuild-dir = \"{}\"\n", global.display())).unwrap();
    let bin = std::env::var_os("CARGO_HOME")
        .map_or_else(|| std::path::PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"), Into::into)
        .join("bin");
    std::os::unix::fs::symlink(&bin, home.join("bin")).unwrap();
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--scenarios", "clean", "--runs", "2", "--format", "json"])
            .env("CARGO_HOME", &home),
    );
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert!(!global.exists(), "a timed build wrote into the global build-dir `{}`", global.display());
}

/// A `-sys` crate's build script that fails on a missing C header prints a dozen
/// `cargo:rerun-if-env-changed` lines on stdout before its error on stderr: the failed row (table
/// and JSON) names the missing header and none of the directives.
#[test]
fn a_failed_build_script_is_explained_by_its_stderr() {
    let _builds = build_lock();
    let ws = fixture("failing-build-script");
    let out = run(timewarp(ws.path()).args(QUICK).args(["--scenarios", "clean", "--format", "json"]));
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed = &report["toolchains"][0];
    assert_eq!(failed["status"], "failed", "{report:#}");
    let error = failed["error"].as_str().unwrap();
    assert!(error.starts_with("error: failed to run custom build command"), "{error}");
    assert!(error.contains("openssl/ssl.h: No such file or directory"), "{error}");
    assert!(error.ends_with("compilation terminated."), "the stderr's last lines: {error}");
    assert!(!error.contains("cargo:"), "{error}");

    let out = run(timewarp(ws.path()).args(QUICK).args(["--scenarios", "clean"]));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("openssl/ssl.h: No such file or directory"), "{table}");
    assert!(!table.contains("rerun-if-env-changed"), "{table}");
}

/// Hostile pass, defect 1: `rustup toolchain uninstall` (or `rustup update`, or another run's
/// `bisect --install` tidying up) in another terminal during a run. The toolchain's row fails
/// saying why; the other toolchain's rounds, the report, `last-report.json` and the history
/// are kept.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_toolchain_removed_during_the_run_is_a_failed_row_and_the_report_is_kept() {
    if !toolchains(&["1.96.0", "stable"]) {
        return;
    }
    let _builds = build_lock();
    // A private home whose toolchains are links: removing one removes nothing real.
    let home = rustup_home(&["1.96.0", "stable"]);
    let ws = fixture("single-crate");
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "1.96.0,stable", "--scenarios", "clean,touched", "--runs", "4", "-j", "1"])
        .args(["--format", "json"])
        .env("RUSTUP_HOME", home.path());
    let (child, stderr) = start_and_wait_for(&mut cmd, "Round 2");
    std::fs::remove_file(home.path().join("toolchains/1.96.0-x86_64-unknown-linux-gnu")).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr: Vec<String> = stderr.try_iter().collect();
    assert_eq!(out.status.code(), Some(0), "{stderr:#?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gone = row(&report, "1.96.0");
    assert_eq!(gone["status"], "failed", "{gone:#}");
    let error = gone["error"].as_str().unwrap();
    assert!(error.starts_with("its toolchain was removed during the run (`"), "{error}");
    let kept = report["toolchains"].as_array().unwrap().iter().find(|r| r["name"] != "1.96.0").unwrap();
    assert_eq!(kept["status"], "ok", "{kept:#}");
    assert_summary(&kept["scenarios"]["touched"]["wall"], 4);
    let saved = ws.path().join("target/timewarp/last-report.json");
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(row(&saved, "1.96.0")["status"], "failed");
    let history = std::fs::read_to_string(history_file(ws.path())).unwrap();
    assert_eq!(history.lines().count(), 1, "the run is in the history");
}

/// `rustup update` in another terminal during a run: another build stands where the toolchain
/// was. Its row fails, saying so, rather than mixing two compilers' times; the rest is kept.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_toolchain_replaced_during_the_run_is_a_failed_row_not_a_mix_of_two_compilers() {
    if !toolchains(&["1.96.0", "stable"]) {
        return;
    }
    let _builds = build_lock();
    let home = rustup_home(&["1.96.0", "stable"]);
    let ws = fixture("single-crate");
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "1.96.0,stable", "--scenarios", "clean,touched", "--runs", "4", "-j", "1"])
        .args(["--format", "json"])
        .env("RUSTUP_HOME", home.path());
    let (child, stderr) = start_and_wait_for(&mut cmd, "Round 2");
    // What `rustup update stable` does to the link's name: another release behind it.
    let stable = home.path().join("toolchains/stable-x86_64-unknown-linux-gnu");
    let newer = std::fs::read_link(home.path().join("toolchains/1.96.0-x86_64-unknown-linux-gnu")).unwrap();
    std::os::unix::fs::symlink(&newer, stable.with_extension("new")).unwrap();
    std::fs::rename(stable.with_extension("new"), &stable).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr: Vec<String> = stderr.try_iter().collect();
    assert_eq!(out.status.code(), Some(0), "{stderr:#?}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let updated = report["toolchains"].as_array().unwrap().iter().find(|r| r["name"] != "1.96.0").unwrap();
    assert_eq!(updated["status"], "failed", "{updated:#}");
    let error = updated["error"].as_str().unwrap();
    assert!(error.starts_with("its toolchain was replaced during the run (`"), "{error}");
    let kept = row(&report, "1.96.0");
    assert_eq!(kept["status"], "ok", "{kept:#}");
    assert_summary(&kept["scenarios"]["touched"]["wall"], 4);
}
