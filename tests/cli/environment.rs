//! Hostile surroundings: a pinned toolchain file, cargo's own leaked variables.

use crate::support::{fixture, success_json, timewarp};

#[test]
fn a_toolchain_file_pinning_a_missing_toolchain_does_not_stop_the_run() {
    let ws = fixture("single-crate");
    std::fs::write(ws.path().join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.70.0\"\n").unwrap();
    for with_cargo_env in [true, false] {
        let mut cmd = timewarp(ws.path());
        cmd.args(["--list", "--format", "json"]);
        if !with_cargo_env {
            // Run directly, not by cargo: timewarp must pick a toolchain for `cargo metadata`.
            cmd.env_remove("CARGO");
        }
        let out = crate::support::run(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "CARGO set: {with_cargo_env}\n{stderr}");
        assert!(
            stderr.contains("rust-toolchain.toml` is ignored: every build names its toolchain with `+NAME`"),
            "{stderr}"
        );
        let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(listing["msrv"], "1.80");
    }
}

#[test]
fn check_and_release_are_timed_as_asked() {
    let _builds = crate::support::build_lock();
    let ws = fixture("single-crate");
    let report = success_json(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--check",
        "--release",
        "--runs",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(report["command"], "check");
    assert_eq!(report["profile"], "release");
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok", "{report:#}");
    let dir = ws.path().join("target/timewarp").join(row["version"].as_str().unwrap());
    assert!(dir.join("release").is_dir() && !dir.join("debug").exists(), "release profile artifacts only");
}
