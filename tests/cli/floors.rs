//! The MSRV the build really needs: floors set by the locked dependencies. `fixtures/dep-floor`
//! declares Rust 1.48 but locks once_cell 1.20.2, whose rust-version is 1.60.

use crate::support::{World, build_lock, reason_for, row, row_names, run, success_json, toolchains};

const WORLD: &[&str] = &["1.48.0", "1.63.0", "1.85.0", "1.96.0"];
const RAISED: &str = "below 1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`)";

#[test]
fn a_dependency_floor_skips_toolchains_that_cannot_build_the_locked_graph() {
    if !toolchains(WORLD) {
        return;
    }
    let ws = World::new("dep-floor", WORLD);
    let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    assert_eq!(listing["msrv"], "1.60");
    assert_eq!(listing["declared_rust_version"], "1.48");
    assert_eq!(listing["msrv_floors"][0]["kind"], "dependency-rust-version");
    assert_eq!(reason_for(&listing, "1.48.0").unwrap(), RAISED);
    let human = crate::support::success(ws.timewarp().arg("--list"));
    assert!(
        human.contains("MSRV:      1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`), declared 1.48"),
        "{human}"
    );

    let _builds = build_lock();
    let report = success_json(ws.timewarp().args(["--runs", "1", "--format", "json"]));
    assert_eq!(row_names(&report).first().map(String::as_str), Some("1.63.0"), "the oldest toolchain that builds it");
    assert_eq!(reason_for(&report, "1.48.0").unwrap(), RAISED);
    assert!(report["toolchains"].as_array().unwrap().iter().all(|r| r["status"] == "ok"), "{report:#}");
}

#[test]
fn verify_msrv_names_the_dependency_and_a_named_toolchain_says_why_it_fails() {
    if !toolchains(WORLD) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("dep-floor", WORLD);
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

/// `--rev`: the floors are the revision's own, read from its lockfile, not today's.
#[test]
fn the_floors_of_a_revision_come_from_its_own_lockfile() {
    let ws = World::new("dep-floor", &["stable"]);
    let git = |args: &[&str]| crate::support::git(ws.path(), args);
    let manifest = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    let lock = std::fs::read_to_string(ws.path().join("Cargo.lock")).unwrap();
    std::fs::write(ws.path().join("Cargo.toml"), manifest.replace("once_cell = \"=1.20.2\"\n", "")).unwrap();
    std::fs::write(ws.path().join("Cargo.lock"), "version = 3\n\n[[package]]\nname = \"dfl\"\nversion = \"0.1.0\"\n")
        .unwrap();
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "before once_cell"]);
    std::fs::write(ws.path().join("Cargo.toml"), &manifest).unwrap();
    std::fs::write(ws.path().join("Cargo.lock"), &lock).unwrap();
    git(&["commit", "-qam", "once_cell 1.20.2"]);

    let today = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    assert_eq!(today["msrv"], "1.60", "{today:#}");
    let then = success_json(ws.timewarp().args(["--list", "--rev", "HEAD~1", "--format", "json"]));
    assert_eq!(then["msrv"], "1.48", "the revision locks no once_cell: {then:#}");
    let kinds: Vec<&str> =
        then["msrv_floors"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(!kinds.iter().any(|k| k.starts_with("dependency")), "{kinds:?}");
}
