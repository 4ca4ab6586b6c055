//! The user's tree is sacred: whatever timewarp builds, the sources, Cargo.lock, their mtimes
//! and the user's own target/debug are the same afterwards. Needs only `stable`.

use crate::support::{build_lock, fixture, snapshot, success, success_json, timewarp};

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
