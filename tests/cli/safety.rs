//! The user's tree is sacred: sources, `Cargo.lock`, their modification times and
//! `target/debug` are the same afterwards; outputs never land on what the build reads; a crash
//! between runs, two runs at once, a file edited during a run: nothing is lost. Each test checks
//! what its promise is about: the tree (content and modification times), the files aimed at,
//! the processes left.

use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::*;

#[test]
fn tree_and_target_debug_are_identical_afterwards() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let user_artifact = ws.path().join("target/debug/single-crate");
    std::fs::create_dir_all(user_artifact.parent().unwrap()).unwrap();
    std::fs::write(&user_artifact, b"the user's own build").unwrap();
    let before = snapshot(ws.path());
    let debug_mtime = std::fs::metadata(&user_artifact).unwrap().modified().unwrap();

    let report = success_json(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--clean-runs",
        "1",
        "--incremental-runs",
        "2",
        "--format",
        "json",
    ]));
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");

    assert_eq!(before, snapshot(ws.path()));
    assert_eq!(std::fs::read(&user_artifact).unwrap(), b"the user's own build");
    assert_eq!(std::fs::metadata(&user_artifact).unwrap().modified().unwrap(), debug_mtime);
    let debug_entries = std::fs::read_dir(ws.path().join("target/debug")).unwrap().count();
    assert_eq!(debug_entries, 1, "nothing was added to target/debug");
}

#[test]
fn a_missing_lockfile_is_created_for_the_run_and_removed() {
    let _builds = build_lock();
    let ws = fixture("virtual-ws");
    std::fs::remove_file(ws.path().join("Cargo.lock")).unwrap();
    let before = snapshot(ws.path());
    let out = success(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1", "--output", "report.md"]));
    assert!(out.is_empty(), "the report went to the file: {out}");
    let markdown = std::fs::read_to_string(ws.path().join("report.md")).unwrap();
    assert!(markdown.contains("| Rust | released | clean | touched |"), "{markdown}");
    std::fs::remove_file(ws.path().join("report.md")).unwrap();
    assert!(!ws.path().join("Cargo.lock").exists(), "the generated Cargo.lock is removed again");
    assert_eq!(before, snapshot(ws.path()));
}

#[test]
fn edit_leaves_the_file_byte_identical_with_its_mtime() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let report = success_json(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--edit",
        "--clean-runs",
        "1",
        "--incremental-runs",
        "2",
        "--format",
        "json",
    ]));
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok", "{report:#}");
    assert_eq!(row["scenarios"]["edited"]["wall"]["runs_s"].as_array().unwrap().len(), 2, "{row:#}");
    assert_eq!(row["scenarios"]["edited"]["speedup"], 1.0);
    assert_eq!(before, snapshot(ws.path()));
    let journal = crate::support::state_dir(ws.path()).join("journal.json");
    assert!(!journal.exists(), "nothing is pending after a clean finish: {}", journal.display());
}

#[test]
fn an_edit_survives_sigkill_and_is_restored_on_the_next_start() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let main_rs = ws.path().join("src/main.rs");
    let original = std::fs::read(&main_rs).unwrap();
    let mut child = timewarp(ws.path())
        .args(["--toolchains", "stable", "--edit", "--incremental-runs", "40", "-q"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !std::fs::read_to_string(&main_rs).unwrap().contains("cargo timewarp --edit") {
        assert!(std::time::Instant::now() < deadline, "the edit never happened");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    assert_ne!(std::fs::read(&main_rs).unwrap(), original, "killed mid-edit, the patch is still there");

    let out = crate::support::run(timewarp(ws.path()).arg("--list"));
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("restored `") && stderr.contains("interrupted earlier run"), "{stderr}");
    assert_eq!(std::fs::read(&main_rs).unwrap(), original);
}

#[test]
fn outputs_never_write_over_the_builds_files_and_fail_before_any_build() {
    let ws = fixture("single-crate");
    std::fs::write(ws.path().join("b.json"), "{\"schema\": 2, \"toolchains\": []}").unwrap();
    let before = snapshot(ws.path());
    for (args, expected) in [
        (
            &["-o", "Cargo.toml", "--format", "json"][..],
            "error: `--output Cargo.toml` would write over the workspace's Cargo.toml",
        ),
        (
            &["-o", "Cargo.lock", "--format", "json"],
            "error: `--output Cargo.lock` would write over the workspace's Cargo.lock",
        ),
        (
            &["-o", "src/main.rs", "--format", "json"],
            "error: `--output src/main.rs` would write over a source file of `single-crate`",
        ),
        (&["--plot", "Cargo.toml"], "error: `--plot` draws SVG: name its file `*.svg`, not `Cargo.toml`"),
        (
            &["--plot", "h.svg", "-o", "./h.svg", "--format", "json"],
            "error: `--output` and `--plot` name the same file `h.svg`",
        ),
        (
            &["--baseline", "b.json", "-o", "b.json", "--touch", "src/typo.rs"],
            "error: `--touch` file `src/typo.rs` does not exist",
        ),
    ] {
        let line = failure(timewarp(ws.path()).args(QUICK).args(args), 2);
        assert!(line.starts_with(expected), "{args:?}: {line}");
    }
    assert_eq!(before, snapshot(ws.path()), "nothing was written, not even emptied");
    assert!(!ws.path().join("target").exists(), "nothing was built");
}

/// Found on fd: `-o .git/HEAD` replaced the repository's HEAD with a report, and
/// `-o target/timewarp/history.jsonl` the recorded history.
#[test]
fn outputs_never_land_in_version_control_build_or_timewarp_directories() {
    let ws = fixture("single-crate");
    let precious = [".git/HEAD", "target/debug/single-crate", "target/timewarp/history.jsonl", ".cargo/config.toml"];
    for file in precious {
        let path = ws.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("# {file}\n")).unwrap();
    }
    let before = snapshot(ws.path());
    for (file, expected) in [
        (".git/HEAD", "would write inside the version-control directory"),
        ("target/debug/single-crate", "would write inside the build directory"),
        ("target/timewarp/history.jsonl", "would write inside timewarp's directory"),
        (".cargo/config.toml", "would write over a cargo configuration file"),
    ] {
        let plot_beside = format!("{}/new.svg", std::path::Path::new(file).parent().unwrap().display());
        let tries = [("-o", file.to_string()), ("--plot", plot_beside)];
        for (flag, target) in tries.into_iter().filter(|(flag, _)| *flag == "-o" || !file.starts_with(".cargo")) {
            let line = failure(timewarp(ws.path()).args(QUICK).args([flag, target.as_str(), "--format", "json"]), 2);
            assert!(line.contains(expected), "{flag} {target}: {line}");
        }
    }
    for file in precious {
        assert_eq!(std::fs::read_to_string(ws.path().join(file)).unwrap(), format!("# {file}\n"), "{file}");
    }
    let builds: Vec<_> = std::fs::read_dir(ws.path().join("target/timewarp")).unwrap().flatten().collect();
    assert!(builds.iter().all(|e| e.file_name() == "history.jsonl"), "nothing was built: {builds:?}");
    assert_eq!(before, snapshot(ws.path()));
    success(timewarp(ws.path()).args(["history", "-o", "target/history.json"]));
    assert!(ws.path().join("target/history.json").is_file(), "the target directory itself is fine for reports");
}

#[test]
fn a_report_that_cannot_be_written_is_not_lost() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let out = run(timewarp(ws.path()).args(QUICK).args(["--format", "json", "-o", "/dev/full"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr.lines().find(|l| l.starts_with("error:")).unwrap();
    let saved = ws.path().join("target/timewarp/last-report.json");
    assert!(line.ends_with(&format!("the report is saved in `{}`", saved.display())), "{line}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(report["toolchains"][0]["status"], "ok");
    let history = std::fs::read_to_string(ws.path().join("target/timewarp/history.jsonl")).unwrap();
    assert_eq!(history.lines().count(), 1, "the run is in the history too");
    assert_eq!(before, snapshot(ws.path()));
}

#[test]
fn a_hand_edit_after_a_killed_edit_run_is_kept() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let main_rs = ws.path().join("src/main.rs");
    let original = std::fs::read(&main_rs).unwrap();
    let others = |tree: std::collections::BTreeMap<std::path::PathBuf, _>| {
        tree.into_iter().filter(|(path, _)| !path.ends_with("src/main.rs")).collect::<Vec<_>>()
    };
    let before = others(snapshot(ws.path()));
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "stable", "--edit", "--clean-runs", "1", "--incremental-runs", "200"]);
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    while !std::fs::read_to_string(&main_rs).unwrap().contains("cargo timewarp --edit") {
        assert!(Instant::now() < deadline, "the edit never happened");
        std::thread::sleep(Duration::from_millis(2));
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    // The user edits the file before timewarp runs again: that edit is theirs to keep.
    let mine = "fn main() { println!(\"my own edit\"); }\n";
    std::fs::write(&main_rs, mine).unwrap();
    let line = failure(timewarp(ws.path()).arg("--list"), 1);
    assert!(line.contains("changed since `cargo timewarp --edit` patched it, so timewarp kept it as it is"), "{line}");
    let backup = line.rsplit('`').nth(1).unwrap();
    assert_eq!(std::fs::read(backup).unwrap(), original, "the original is where the message says");
    assert_eq!(std::fs::read_to_string(&main_rs).unwrap(), mine);
    assert!(timewarp(ws.path()).arg("--list").output().unwrap().status.success(), "said once, then out of the way");
    assert_eq!(before, others(snapshot(ws.path())), "every other file as before");
}

#[test]
fn a_killed_run_leaves_nothing_behind_after_the_next_start() {
    let _builds = build_lock();
    let ws = fixture("virtual-ws");
    std::fs::remove_file(ws.path().join("Cargo.lock")).unwrap();
    let before = snapshot(ws.path());
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "stable", "--clean-runs", "1", "--incremental-runs", "200"]);
    let (mut child, _) = start_and_wait_for(&mut cmd, "Changing");
    std::thread::sleep(Duration::from_millis(1500));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    assert!(ws.path().join("Cargo.lock").exists(), "killed: the lockfile created for the run is still there");
    assert_ne!(before, snapshot(ws.path()));
    let out = run(timewarp(ws.path()).arg("--list"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("an interrupted earlier run was undone: removed `"), "{stderr}");
    assert!(stderr.contains("restored the modification time of `"), "{stderr}");
    assert_eq!(before, snapshot(ws.path()), "content and modification times as before the killed run");
}

/// Found on fd v8.5.0: a timewarp killed with SIGKILL left its build running (cargo, the
/// jemalloc build script's `make`, `cc1`, rustc) beside whatever came next.
#[test]
fn a_build_left_running_by_a_killed_run_is_stopped_at_the_next_start() {
    let _builds = build_lock();
    let ws = fixture("build-script");
    let before = snapshot(ws.path());
    let hung = ["TIMEWARP_PROBE_SLEEP=300".to_string(), format!("CARGO_MANIFEST_DIR={}", ws.path().display())];
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "stable", "--runs", "1"]).env("TIMEWARP_PROBE_SLEEP", "300");
    let (mut child, _) = start_and_wait_for(&mut cmd, "Measuring");
    let deadline = Instant::now() + Duration::from_secs(120);
    while processes_with(&hung).is_empty() {
        assert!(Instant::now() < deadline, "the build script never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let orphans = processes_with(&hung);
    assert!(!orphans.is_empty(), "the killed run's build script still sleeps");
    // `--list` only reads, so it never stops a build; the next measuring run does.
    let listed = run(timewarp(ws.path()).arg("--list"));
    assert!(listed.status.success());
    assert!(!processes_with(&hung).is_empty(), "--list left the orphans alone");
    let out = run(timewarp(ws.path()).args(QUICK));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("processes of a build that a killed run left running (pid "), "{stderr}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(processes_with(&hung).is_empty(), "{stderr}");
    assert_eq!(before, snapshot(ws.path()), "the touched file's time was undone too");
}

#[test]
fn two_runs_at_once_cannot_corrupt_each_other() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let elsewhere = tempfile::tempdir().unwrap();
    let mut first = timewarp(ws.path());
    first.args([
        "--toolchains",
        "stable",
        "--edit",
        "--clean-runs",
        "1",
        "--incremental-runs",
        "30",
        "--format",
        "json",
    ]);
    let (first, _) = start_and_wait_for(&mut first, "Changing");
    // Another target directory does not make it another workspace.
    let mut second = timewarp(ws.path());
    second.args(["--toolchains", "stable", "--edit", "--runs", "1", "--target-dir"]).arg(elsewhere.path());
    let line = failure(&mut second, 1);
    assert!(line.starts_with("error: another cargo timewarp is measuring this workspace (pid "), "{line}");
    assert!(line.contains(&first.id().to_string()), "it names the running one: {line}");
    let listing = success(timewarp(ws.path()).arg("--list"));
    assert!(listing.contains("selected"), "--list only reads, so it goes on beside a run");
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert_eq!(before, snapshot(ws.path()), "the first run's edit was undone, and the second changed nothing");
}

#[test]
fn a_file_whose_time_cannot_be_set_fails_before_any_build() {
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let main_rs = ws.path().join("src/main.rs");
    let immutable = std::process::Command::new("chattr").arg("+i").arg(&main_rs).status().is_ok_and(|s| s.success());
    if !immutable {
        eprintln!("skipping: chattr +i does not work here (it needs root and ext4)");
        return;
    }
    let line = failure(timewarp(ws.path()).args(QUICK), 1);
    let _ = std::process::Command::new("chattr").arg("-i").arg(&main_rs).status();
    assert!(
        line.starts_with(&format!("error: cannot change the modification time of `{}`", main_rs.display())),
        "{line}"
    );
    assert!(line.ends_with("run as the file's owner, or time a copy with `--rev HEAD`"), "{line}");
    let built = std::fs::read_dir(ws.path().join("target/timewarp")).into_iter().flatten().flatten();
    let dirs: Vec<_> = built.filter(|e| e.path().is_dir()).map(|e| e.file_name()).collect();
    assert!(dirs.is_empty(), "nothing was built: {dirs:?}");
    assert_eq!(before, snapshot(ws.path()));
}

#[test]
fn a_run_of_over_an_hour_says_so_early() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let mut cmd = timewarp(ws.path());
    cmd.args(["--toolchains", "stable", "--runs", "100000"]);
    let (child, _) = start_and_wait_for(&mut cmd, "this run will take about");
    kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(before, snapshot(ws.path()), "the touched file's time is restored");
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
