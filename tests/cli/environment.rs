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
        assert!(stderr.contains("it pins `1.70.0`, which is not installed, so `cargo timewarp` stops in rustup's proxy before timewarp starts unless run as `cargo +stable timewarp`"), "{stderr}");
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
    let dir = std::path::PathBuf::from(row["target_dir"].as_str().unwrap());
    assert!(dir.starts_with(ws.path().join("target/timewarp")), "{dir:?}");
    assert!(dir.join("release").is_dir() && !dir.join("debug").exists(), "release profile artifacts only");
}

#[test]
fn a_build_script_writing_into_the_source_tree_is_reported() {
    let _builds = crate::support::build_lock();
    let ws = fixture("build-script");
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--runs", "1", "--format", "json"])
            .env("TIMEWARP_PROBE_WRITE_SOURCE", "1"),
    );
    let warnings: Vec<&str> = report["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap()).collect();
    let warning = warnings
        .iter()
        .find(|w| w.starts_with("the builds changed files in the workspace"))
        .unwrap_or_else(|| panic!("{warnings:?}"));
    assert!(warning.contains("`src/generated.txt`"), "{warning}");
    assert!(ws.path().join("src/generated.txt").exists(), "timewarp reports it, it does not hide it");
}

#[test]
fn a_read_only_target_dir_says_how_to_move_it() {
    let ws = fixture("single-crate");
    // Root ignores permission bits, so use a place nobody can create directories in.
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "stable", "--runs", "1"]).env("CARGO_TARGET_DIR", "/proc/timewarp-cannot-write");
    let line = crate::support::failure(&mut cmd, 1);
    assert!(line.starts_with("error: could not create `/proc/timewarp-cannot-write/timewarp`"), "{line}");
    assert!(line.contains("use `--target-dir`"), "{line}");
    let elsewhere = tempfile::tempdir().unwrap();
    let _builds = crate::support::build_lock();
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--runs", "1", "--format", "json", "--target-dir"])
            .arg(elsewhere.path())
            .env("CARGO_TARGET_DIR", "/proc/timewarp-cannot-write"),
    );
    assert_eq!(report["toolchains"][0]["status"], "ok");
    assert!(elsewhere.path().join("timewarp/history.jsonl").is_file());
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
