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
    assert_eq!(row["scenarios"]["edited"]["verdict"], "base", "one toolchain is its own base");
    assert_eq!(before, snapshot(ws.path()));
    let journal = crate::support::state_dir(ws.path()).join("journal.json");
    assert!(!journal.exists(), "nothing is pending after a clean finish: {}", journal.display());
}

#[test]
fn an_edit_survives_sigkill_and_is_restored_on_the_next_start() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let main_rs = ws.path().join("src/main.rs");
    let original = std::fs::read(&main_rs).unwrap();
    sigkill_once_the_file_holds(
        timewarp(ws.path()).args(["--toolchains", "stable", "--edit", "--incremental-runs", "40", "-q"]),
        &main_rs,
        "cargo timewarp --edit",
    );
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
    let history = std::fs::read_to_string(history_file(ws.path())).unwrap();
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
        let ours = |path: &std::path::Path| path.ends_with("src/main.rs") || path.ends_with("src/main.rs.orig");
        tree.into_iter().filter(|(path, _)| !ours(path)).collect::<Vec<_>>()
    };
    let before = others(snapshot(ws.path()));
    sigkill_once_the_file_holds(
        timewarp(ws.path()).args([
            "--toolchains",
            "stable",
            "--edit",
            "--clean-runs",
            "1",
            "--incremental-runs",
            "200",
        ]),
        &main_rs,
        "cargo timewarp --edit",
    );
    // The user edits the file before timewarp runs again: that edit is theirs to keep.
    let mine = "fn main() { println!(\"my own edit\"); }\n";
    std::fs::write(&main_rs, mine).unwrap();
    let line = failure(timewarp(ws.path()).arg("--list"), 1);
    assert!(
        line.contains("changed since `cargo timewarp` edited it for a rebuild, so timewarp kept it as it is"),
        "{line}"
    );
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
    // Killed once a rebuild has changed the tree (a touched source, not only the lockfile).
    let changed = |now: &std::collections::BTreeMap<std::path::PathBuf, _>| {
        now.iter().any(|(path, file)| !path.ends_with("Cargo.lock") && before.get(path) != Some(file))
    };
    wait_until("the run to touch a source file", || changed(&snapshot(ws.path())));
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
    // Killed, they go once reaped: wait for that rather than for a while.
    let reaped = || processes_with(&hung).iter().all(|pid| zombie_or_gone(*pid));
    wait_until(&format!("the orphans to be stopped: {stderr}"), reaped);
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
    // Nor does another cache directory (case 86): the lock lives with the workspace itself.
    let other_cache = tempfile::tempdir().unwrap();
    let mut third = timewarp(ws.path());
    third.env("XDG_CACHE_HOME", other_cache.path());
    third.args(["--toolchains", "stable", "--edit", "--runs", "1", "--target-dir"]).arg(elsewhere.path());
    let line = failure(&mut third, 1);
    let manifest = ws.path().canonicalize().unwrap().join("Cargo.toml");
    assert!(
        line.starts_with(&format!(
            "error: another cargo timewarp is measuring the workspace of `{}` (pid {}: `",
            manifest.display(),
            first.id()
        )),
        "it names the running one: {line}"
    );
    assert!(line.ends_with("with another cache directory; wait for it to finish, or stop it"), "{line}");
    let listing = success(timewarp(ws.path()).arg("--list"));
    assert!(listing.contains("selected"), "--list only reads, so it goes on beside a run");
    let out = first.wait_with_output().unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert_eq!(before, snapshot(ws.path()), "the first run's edit was undone, and the second changed nothing");
}

/// A read-only bind mount of a directory, unmounted on drop.
struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    /// `source` mounted read-only at `at`; `None` where mounting is not allowed (it needs root).
    fn new(source: &std::path::Path, at: &std::path::Path) -> Option<ReadOnlyMount> {
        let mount = |args: &[&str]| {
            std::process::Command::new("mount").args(args).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
        };
        let (source, target) = (source.to_str()?, at.to_str()?);
        if !mount(&["--bind", source, target]) {
            return None;
        }
        let mounted = ReadOnlyMount(at.to_path_buf());
        mount(&["-o", "remount,bind,ro", target]).then_some(mounted)
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Case 43: a read-only mount refused even `--scenarios clean,check`, which touch nothing; a
/// scenario that touches the file is still refused before any build, naming the way out.
#[test]
fn clean_builds_alone_measure_a_read_only_tree() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let at = tempfile::tempdir().unwrap();
    let Some(_mount) = ReadOnlyMount::new(ws.path(), at.path()) else {
        eprintln!("skipping: a read-only bind mount is not allowed here (it needs root)");
        return;
    };
    let elsewhere = tempfile::tempdir().unwrap();
    let report = success_json(
        timewarp(at.path())
            .args(["--toolchains", "stable", "--scenarios", "clean,check", "--runs", "1", "--format", "json"])
            .arg("--target-dir")
            .arg(elsewhere.path()),
    );
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    let mut touching = timewarp(at.path());
    touching.args(["--toolchains", "stable", "--scenarios", "clean,touched", "--runs", "1", "--target-dir"]);
    let line = failure(touching.arg(elsewhere.path()), 1);
    let main_rs = at.path().canonicalize().unwrap().join("src/main.rs");
    assert!(
        line.starts_with(&format!("error: cannot change the modification time of `{}`", main_rs.display())),
        "{line}"
    );
    assert!(line.contains("the file system is read-only"), "{line}");
    assert_eq!(before, snapshot(ws.path()));
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
    ctrl_c_reaches(&mut cmd).args(["--toolchains", "stable", "--runs", "100000"]);
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
        .find(|w| {
            // Case 20 and 64: what was seen, not a guess at who wrote it.
            w.starts_with("files in the workspace changed during the run (a build script, an editor or another program wrote them)")
        })
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
    assert!(elsewhere.path().join("timewarp/last-report.json").is_file());
    assert!(history_file(ws.path()).is_file(), "the history is in the state directory");
}

// Never lose a byte, part 3: each test below failed before its fix (issue 18's defect number in
// its comment).

/// #1: `-o` or `--plot` naming a link wrote over the link's target, even `Cargo.toml`.
#[test]
fn an_output_through_a_link_is_judged_by_the_file_the_link_names() {
    let ws = fixture("single-crate");
    let root = ws.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/config"), "[core]\n").unwrap();
    let before = snapshot(root);
    for (link, target, flag) in [
        ("out.json", "Cargo.toml", "-o"),
        ("out.md", "src/main.rs", "-o"),
        ("plot.svg", "src/main.rs", "--plot"),
        ("git.json", ".git/config", "-o"),
    ] {
        std::os::unix::fs::symlink(root.join(target), root.join(link)).unwrap();
        let line = failure(timewarp(root).args(QUICK).args([flag, link]), 2);
        assert!(line.contains("(the link leads to `"), "{flag} {link} -> {target}: {line}");
        std::fs::remove_file(root.join(link)).unwrap();
    }
    assert_eq!(before, snapshot(root), "no target was written, not even emptied");
    assert!(!root.join("target").exists(), "refused before any build");
}

/// #2: an existing `timewarp/` directory was adopted (marked) and then deleted by `clean`: a
/// user's `~/timewarp` repository under `--target-dir ~`, a member named `timewarp` under
/// `--target-dir .`, a user's `target/timewarp/notes.txt`, a link to a user's directory.
#[test]
fn a_timewarp_directory_timewarp_did_not_make_is_never_used_or_deleted() {
    let ws = fixture("single-crate");
    let home = tempfile::tempdir().unwrap();
    let repo = home.path().join("timewarp");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("notes.md"), "my notes\n").unwrap();
    let member = ws.path().join("timewarp");
    std::fs::create_dir_all(member.join("src")).unwrap();
    std::fs::write(member.join("src/lib.rs"), "pub fn mine() {}\n").unwrap();
    let users = tempfile::tempdir().unwrap();
    let before = (snapshot(home.path()), snapshot(ws.path()), snapshot(users.path()));
    let dot = ws.path().display().to_string();
    let home_dir = home.path().display().to_string();
    for target_dir in [home_dir.as_str(), dot.as_str()] {
        let line = failure(timewarp(ws.path()).args(QUICK).args(["--target-dir", target_dir]), 1);
        assert!(line.contains("is a directory timewarp did not make"), "{line}");
        let line = failure(timewarp(ws.path()).args(["clean", "--target-dir", target_dir]), 1);
        assert!(line.contains("is a directory timewarp did not make"), "{line}");
    }
    std::fs::create_dir_all(ws.path().join("target/timewarp")).unwrap();
    std::fs::write(ws.path().join("target/timewarp/notes.txt"), "mine\n").unwrap();
    failure(timewarp(ws.path()).args(QUICK), 1);
    failure(timewarp(ws.path()).arg("clean"), 1);
    assert_eq!(std::fs::read_to_string(ws.path().join("target/timewarp/notes.txt")).unwrap(), "mine\n");
    std::fs::remove_dir_all(ws.path().join("target/timewarp")).unwrap();
    std::os::unix::fs::symlink(users.path(), ws.path().join("target/timewarp")).unwrap();
    let line = failure(timewarp(ws.path()).args(QUICK), 1);
    assert!(line.contains("is a link to a directory timewarp did not make"), "{line}");
    std::fs::remove_file(ws.path().join("target/timewarp")).unwrap();
    std::fs::remove_dir_all(ws.path().join("target")).unwrap();
    assert_eq!(before, (snapshot(home.path()), snapshot(ws.path()), snapshot(users.path())), "nothing written");
}

/// A `timewarp/` directory in `target_dir` that carries timewarp's `CACHEDIR.TAG`, as another
/// user (or a script) can make before the run, with a marked `cargo-home/` in it.
fn forge_timewarp_directory(target_dir: &std::path::Path) -> std::path::PathBuf {
    let tag = "Signature: 8a477f597d28d172789f06886806bc55\n# created by cargo-timewarp.\n";
    let forged = target_dir.join("timewarp");
    std::fs::create_dir_all(forged.join("cargo-home")).unwrap();
    std::fs::write(forged.join("CACHEDIR.TAG"), tag).unwrap();
    std::fs::write(forged.join("cargo-home/CACHEDIR.TAG"), tag).unwrap();
    forged
}

/// Hostile pass, defect 2, as one user: links planted in a marked `timewarp/` directory (a
/// shared target directory, a cache restored by CI) are never written through: the report and
/// history are kept nowhere rather than over the files the links name, and the builds'
/// `cargo-home/config.toml` stops the run.
#[test]
fn links_planted_in_a_marked_timewarp_directory_are_never_written_through() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let shared = tempfile::tempdir().unwrap();
    let victims = tempfile::tempdir().unwrap();
    for name in ["config", "report", "history"] {
        std::fs::write(victims.path().join(name), "precious\n").unwrap();
    }
    let before = snapshot(victims.path());
    let forged = forge_timewarp_directory(shared.path());
    std::os::unix::fs::symlink(victims.path().join("report"), forged.join("last-report.json")).unwrap();
    std::os::unix::fs::symlink(victims.path().join("history"), forged.join("history.jsonl")).unwrap();
    let target_dir = shared.path().to_str().unwrap();
    let mut cmd = timewarp(ws.path());
    cmd.args(QUICK).args(["--scenarios", "clean", "--target-dir", target_dir]);
    let out = run(&mut cmd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let link = forged.join("last-report.json");
    let refused = format!("refusing to write `{}`: it is a symbolic link", link.display());
    assert!(stderr.contains(&refused), "{stderr}");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    // The history is kept in the state directory now: the planted link is never even read.
    assert!(std::fs::symlink_metadata(forged.join("history.jsonl")).unwrap().file_type().is_symlink());
    let config = forged.join("cargo-home/config.toml");
    std::fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink(victims.path().join("config"), &config).unwrap();
    let line = failure(&mut cmd, 1);
    assert_eq!(
        line,
        format!(
            "error: refusing to write `{}`: it is a symbolic link, and timewarp never writes through links in its own directories",
            config.display()
        )
    );
    assert_eq!(before, snapshot(victims.path()), "no file a link names was written");
}

/// Hostile pass, defect 2: a marked `timewarp/` directory made first by another user in a
/// shared target directory, with a link to the running user's file where the builds'
/// configuration goes. Needs root, to make a directory of another user's.
#[test]
fn another_users_timewarp_directory_is_never_adopted() {
    if !nix::unistd::geteuid().is_root() {
        let line = "skipping another_users_timewarp_directory_is_never_adopted: it needs root to chown\n";
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        return;
    }
    let ws = fixture("single-crate");
    let shared = tempfile::tempdir().unwrap();
    let victims = tempfile::tempdir().unwrap();
    std::fs::write(victims.path().join("config"), "precious\n").unwrap();
    let forged = forge_timewarp_directory(shared.path());
    std::os::unix::fs::symlink(victims.path().join("config"), forged.join("cargo-home/config.toml")).unwrap();
    let nobody = 65534;
    for entry in ["", "CACHEDIR.TAG", "cargo-home", "cargo-home/CACHEDIR.TAG", "cargo-home/config.toml"] {
        std::os::unix::fs::lchown(forged.join(entry), Some(nobody), Some(nobody)).unwrap();
    }
    let before = (snapshot(shared.path()), snapshot(victims.path()));
    let target_dir = shared.path().to_str().unwrap();
    let refused =
        format!("error: `{}` belongs to another user (uid {nobody}), so timewarp will not use it", forged.display());
    let line = failure(timewarp(ws.path()).args(QUICK).args(["--target-dir", target_dir]), 1);
    assert!(line.starts_with(&refused), "{line}");
    let line = failure(timewarp(ws.path()).args(["clean", "--target-dir", target_dir]), 1);
    assert!(line.starts_with(&refused), "{line}");
    assert_eq!(before, (snapshot(shared.path()), snapshot(victims.path())), "nothing written or removed");
}

/// Hostile pass, defect 16: `XDG_CACHE_HOME` inside the workspace (CI jobs set
/// `XDG_CACHE_HOME=$GITHUB_WORKSPACE/.cache` to cache it) put the lock, the backups and the
/// `--rev` exports in the tree. Refused before anything is written, also when the variable
/// reaches the workspace through a link.
#[test]
fn a_state_directory_inside_the_workspace_is_refused_before_anything_is_written() {
    let ws = fixture("single-crate");
    let root = ws.path().canonicalize().unwrap();
    let links = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&root, links.path().join("ws")).unwrap();
    let before = snapshot(ws.path());
    for cache in [root.join(".cache"), links.path().join("ws/.cache")] {
        for args in [&QUICK[..], &["--list"], &["clean"]] {
            let line = failure(timewarp(ws.path()).args(args).env("XDG_CACHE_HOME", &cache), 2);
            let state = format!("error: timewarp's state directory `{}/cargo-timewarp/", cache.display());
            assert!(line.starts_with(&state), "{line}");
            let inside = format!("(from XDG_CACHE_HOME) is inside the workspace `{}`", root.display());
            assert!(line.contains(&inside), "{line}");
            assert!(line.ends_with("; set XDG_CACHE_HOME to a directory outside the workspace"), "{line}");
        }
    }
    assert!(!root.join(".cache").exists() && !root.join("target").exists(), "nothing made in the tree");
    assert_eq!(before, snapshot(ws.path()));
}

/// #3: an edit the user saved while `--edit` held its marker was overwritten by the restore.
#[test]
fn an_edit_saved_during_an_edited_build_wins_over_the_restore() {
    let _builds = build_lock();
    let mine = "fn main() { println!(\"saved during the run\"); }";
    let world = EditorWorld::new(
        "single-crate",
        &format!("if grep -q 'cargo timewarp --edit' src/main.rs; then printf '%s\\n' '{mine}' > src/main.rs; fi"),
    );
    let main_rs = world.path().join("src/main.rs");
    let original = std::fs::read(&main_rs).unwrap();
    let report = success_json(world.timewarp().args(["--edit", "--runs", "3", "--format", "json"]));
    assert_eq!(std::fs::read_to_string(&main_rs).unwrap(), format!("{mine}\n"), "the user's edit is kept");
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("changed since `cargo timewarp` edited it for a rebuild, so timewarp kept it"),
        "{warnings}"
    );
    let backup = warnings.split("its content before that run is in `").nth(1).unwrap().split('`').next().unwrap();
    assert_eq!(std::fs::read(backup).unwrap(), original, "the original is saved where the warning says");
    assert!(
        !warnings.contains("files in the workspace changed"),
        "timewarp's own copy is no build's change: {warnings}"
    );
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok", "clean and touched are kept: {row:#}");
    assert!(row["scenarios"]["clean"].is_object() && row["scenarios"]["touched"].is_object(), "{row:#}");
    let why = row["scenario_errors"]["edited"].as_str().unwrap_or_default();
    assert!(why.contains("changed during"), "the edited rebuilds stopped, saying why: {row:#}");
}

/// #4: without `--edit`, a file edited during the run got its pre-run modification time back,
/// so the user's next `cargo build` compiled nothing and ran the old binary.
#[test]
fn a_file_edited_during_a_run_keeps_a_time_cargo_sees_as_new() {
    let _builds = build_lock();
    let world = EditorWorld::new(
        "single-crate",
        "if [ \"$N\" = 3 ]; then printf 'fn main() { println!(\"edited\"); }\\n' > src/main.rs; fi",
    );
    let main_rs = world.path().join("src/main.rs");
    let before = std::fs::metadata(&main_rs).unwrap().modified().unwrap();
    let started = std::time::SystemTime::now();
    let report = success_json(world.timewarp().args(["--runs", "3", "--format", "json"]));
    assert_eq!(std::fs::read_to_string(&main_rs).unwrap(), "fn main() { println!(\"edited\"); }\n");
    let after = std::fs::metadata(&main_rs).unwrap().modified().unwrap();
    assert!(after > before && after >= started, "cargo must see the edit as newer than any build");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("changed during the run, so its modification time was left as it is"), "{warnings}");
    assert!(!warnings.contains("build script"), "the warning does not blame a build script: {warnings}");
}

/// #5: `-o` wrote over the source or manifest of a path dependency outside the workspace.
#[test]
fn outputs_never_land_on_a_path_dependency_outside_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ext = dir.path().join("extdep");
    let patched = dir.path().join("patched");
    for (package, at) in [("extdep", &ext), ("patched", &patched)] {
        std::fs::create_dir_all(at.join("src")).unwrap();
        let manifest =
            format!("[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n");
        std::fs::write(at.join("Cargo.toml"), manifest).unwrap();
        std::fs::write(at.join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    }
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nextdep = { path = \"../extdep\" }\n\n[workspace]\n\n[patch.crates-io]\npatched = { path = \"../patched\" }\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/main.rs"), "fn main() { extdep::f() }\n").unwrap();
    let before = (snapshot(&ext), snapshot(&patched));
    for target in ["../extdep/src/lib.rs", "../extdep/Cargo.toml", "../patched/src/lib.rs"] {
        let line = failure(timewarp(&ws).args(QUICK).args(["-o", target, "--format", "json"]), 2);
        assert!(line.contains("would write over a file of the path dependency in `"), "{target}: {line}");
    }
    assert_eq!(before, (snapshot(&ext), snapshot(&patched)));
}

/// #6: a second workspace sharing `--target-dir`, or even a read-only `--list`, took the running
/// build for one a killed run had left, and killed it.
#[test]
fn a_shared_target_directory_never_stops_or_prunes_another_runs_builds() {
    let _builds = build_lock();
    let shared = tempfile::tempdir().unwrap();
    let (first, second) = (fixture("single-crate"), fixture("virtual-ws"));
    let target = shared.path().display().to_string();
    let mut running = timewarp(first.path());
    running.args(["--toolchains", "stable", "--clean-runs", "1", "--incremental-runs", "12", "--format", "json"]);
    running.args(["--target-dir", &target]);
    let (running, _) = start_and_wait_for(&mut running, "Changing");
    // `list` in the running measurement's own workspace shares its state directory.
    let listed = run(timewarp(first.path()).args(["--list", "--toolchains", "stable"]));
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let line = failure(timewarp(second.path()).args(QUICK).args(["--target-dir", &target]), 1);
    assert!(line.starts_with("error: another cargo timewarp is using the build directory `"), "{line}");
    assert!(line.contains(&format!("pid {}", running.id())), "it names the running one: {line}");
    let out = running.wait_with_output().unwrap();
    assert!(out.status.success(), "the running measurement was left alone: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
}

/// #7: when `last-report.json` could not be written, the run exited 1 and the report reached
/// neither stdout nor `-o` nor the history.
#[test]
fn a_report_timewarp_cannot_keep_still_reaches_its_outputs() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    success(timewarp(ws.path()).args(QUICK));
    // A directory where the saved report goes, in timewarp's own build directory.
    let builds = ws.path().join("target/timewarp");
    std::fs::remove_file(history_file(ws.path())).unwrap();
    std::fs::remove_file(builds.join("last-report.json")).unwrap();
    std::fs::create_dir_all(builds.join("last-report.json/in-the-way")).unwrap();
    let out = run(timewarp(ws.path()).args(QUICK).args(["--format", "json", "-o", "report.json"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // A directory in the way is not a regular file timewarp made: it is left alone.
    assert!(stderr.contains("warning: refusing to write `") && stderr.contains("timewarp keeps no copy"), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(report["toolchains"][0]["status"], "ok");
    assert_eq!(std::fs::read_to_string(history_file(ws.path())).unwrap().lines().count(), 1, "in the history too");
}

/// #8: any argument that is not UTF-8 panicked, because the lock recorded `std::env::args()`.
#[test]
fn arguments_that_are_not_utf8_never_panic() {
    use std::os::unix::ffi::OsStrExt as _;
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let odd = |name: &[u8]| std::ffi::OsStr::from_bytes(name).to_os_string();
    let out = run(timewarp(ws.path())
        .args(QUICK)
        .args(["--format", "json", "-o"])
        .arg(odd(b"r\xff.json"))
        .arg("--plot")
        .arg(odd(b"p\xff.svg")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !stderr.contains("panicked"), "{stderr}");
    assert!(ws.path().join(odd(b"r\xff.json")).is_file() && ws.path().join(odd(b"p\xff.svg")).is_file());
    // Cargo takes only UTF-8 paths, so a target directory that is not is refused up front.
    let target = tempfile::tempdir().unwrap();
    let target_dir = target.path().join(odd(b"t\xff"));
    let line = failure(timewarp(ws.path()).args(QUICK).arg("--target-dir").arg(&target_dir), 2);
    assert!(line.contains("is not valid UTF-8, and cargo takes only UTF-8 paths"), "{line}");
    let out = run(timewarp(ws.path()).arg("clean").arg("--target-dir").arg(&target_dir));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && !stderr.contains("panicked"), "{stderr}");
}

/// #10: `nohup cargo timewarp` was still stopped by SIGHUP; a dropped SSH session ended a
/// long benchmark.
#[test]
fn a_hangup_ignored_at_start_stays_ignored() {
    let _builds = build_lock();
    // Under `nohup` the tests inherit an ignored SIGHUP, which no child can undo: the half of
    // this test where a hangup interrupts cannot run then.
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let sig_ign = status.lines().find_map(|l| l.strip_prefix("SigIgn:")).map(str::trim).unwrap_or("0");
    let hup_ignored = u64::from_str_radix(sig_ign, 16).unwrap_or(0) & 1 != 0;
    if hup_ignored {
        eprintln!("note: SIGHUP is ignored in this test process (nohup?): only the ignored half runs");
    }
    for ignored in [true, false] {
        if !ignored && hup_ignored {
            continue;
        }
        let ws = fixture("single-crate");
        let trap = if ignored { "trap '' HUP; " } else { "" };
        let script =
            format!("{trap}exec \"$0\" timewarp --toolchains stable --clean-runs 1 --incremental-runs 8 --format json");
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", &script, env!("CARGO_BIN_EXE_cargo-timewarp")]);
        for (key, value) in timewarp(ws.path()).get_envs() {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        cmd.current_dir(ws.path());
        let (child, _) = start_and_wait_for(&mut cmd, "Changing");
        // Hung up while a build runs, as a dropped SSH session would.
        let pid = child.id();
        wait_until("a build of timewarp's to run", || !children_running(pid, "build").is_empty());
        kill(Pid::from_raw(pid as i32), Signal::SIGHUP).unwrap();
        let out = child.wait_with_output().unwrap();
        if ignored {
            assert!(out.status.success(), "nohup: the run goes on: {}", String::from_utf8_lossy(&out.stderr));
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(report["toolchains"][0]["status"], "ok");
        } else {
            assert_eq!(out.status.code(), Some(130), "a hangup otherwise interrupts");
        }
    }
}

/// #11: the `Cargo.lock` created for a run was deleted at its end, although the user had changed
/// it meanwhile (`cargo update`).
#[test]
fn a_lockfile_created_for_the_run_and_changed_during_it_is_kept() {
    let _builds = build_lock();
    let world = EditorWorld::new("virtual-ws", "if [ \"$N\" = 2 ]; then printf '# cargo update\\n' >> Cargo.lock; fi");
    std::fs::remove_file(world.path().join("Cargo.lock")).unwrap();
    let report = success_json(world.timewarp().args(["--runs", "1", "--format", "json"]));
    let lock = std::fs::read_to_string(world.path().join("Cargo.lock")).expect("the changed lockfile is kept");
    assert!(lock.ends_with("# cargo update\n"), "{lock}");
    assert!(report["warnings"].to_string().contains("changed since (`cargo update`, `cargo add`?), so it was kept"));
}

/// #12: `GITHUB_STEP_SUMMARY=Cargo.toml` appended the Markdown report to the manifest.
#[test]
fn the_job_summary_gets_the_checks_outputs_get() {
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let manifest = ws.path().join("Cargo.toml");
    let line = failure(timewarp(ws.path()).args(QUICK).env("GITHUB_STEP_SUMMARY", &manifest), 2);
    assert!(line.starts_with("error: `GITHUB_STEP_SUMMARY="), "{line}");
    assert!(line.contains("would write over the workspace's Cargo.toml"), "{line}");
    assert_eq!(before, snapshot(ws.path()));
}

/// #16: `-o` onto an existing file reset its mode, so a private report became world-readable.
#[test]
fn an_output_keeps_the_mode_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt as _;
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let report = ws.path().join("private.json");
    std::fs::write(&report, "{}").unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).unwrap();
    success(timewarp(ws.path()).args(QUICK).args(["-o", "private.json"]));
    assert_eq!(std::fs::metadata(&report).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&report).unwrap().contains("\"toolchains\""));
}

/// #18: `--edit` on a crate with `#![forbid(dead_code)]` failed every scenario: timewarp's own
/// appended `#[allow(dead_code)]` is E0453 there.
#[test]
fn an_edit_needs_no_lint_attribute() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let main_rs = ws.path().join("src/main.rs");
    let text = std::fs::read_to_string(&main_rs).unwrap();
    std::fs::write(&main_rs, format!("#![forbid(dead_code)]\n#![deny(warnings)]\n{text}")).unwrap();
    let report = success_json(timewarp(ws.path()).args(QUICK).args(["--edit", "--format", "json"]));
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok", "{row:#}");
    assert!(row["scenarios"]["edited"].is_object(), "{row:#}");
}

/// #18, the rest: when timewarp's edit breaks a build (the touched file is `include!`d where an
/// item cannot go), the other scenarios keep their results and the edit is named as the cause.
#[test]
fn an_edit_that_breaks_the_build_costs_only_the_edited_scenario() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    std::fs::write(
        ws.path().join("src/main.rs"),
        "fn main() {\n    let n = include!(\"value.rs\");\n    println!(\"{n}\");\n}\n",
    )
    .unwrap();
    std::fs::write(ws.path().join("src/value.rs"), "40 + 2\n").unwrap();
    let before = snapshot(ws.path());
    let report =
        success_json(timewarp(ws.path()).args(QUICK).args(["--edit", "--touch", "src/value.rs", "--format", "json"]));
    let row = &report["toolchains"][0];
    assert_eq!(row["status"], "ok", "{row:#}");
    assert!(row["scenarios"]["clean"].is_object() && row["scenarios"]["touched"].is_object(), "{row:#}");
    let why = row["scenario_errors"]["edited"].as_str().unwrap();
    assert!(
        why.starts_with("timewarp's edit of src/value.rs (a `#[used] static` appended) made the build fail"),
        "{why}"
    );
    assert_eq!(before, snapshot(ws.path()), "the edit was undone");
}

/// #19: with `--edit`, a build script's change to the touched file was silently reverted.
#[test]
fn a_build_scripts_change_to_an_edited_file_is_kept_and_reported() {
    let _builds = build_lock();
    let ws = fixture("build-script");
    let report = success_json(
        timewarp(ws.path()).args(QUICK).args(["--edit", "--format", "json"]).env("TIMEWARP_PROBE_MARK_EDIT", "1"),
    );
    let main_rs = std::fs::read_to_string(ws.path().join("src/main.rs")).unwrap();
    assert!(
        main_rs.contains("// the build script saw timewarp's edit"),
        "the build script's change is kept: {main_rs}"
    );
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("changed since `cargo timewarp` edited it for a rebuild"), "{warnings}");
}

/// A library root that is a link: the deep edit lands where the link leads, so timewarp resolves
/// it first. A link to a file elsewhere (another checkout, a shared snippet) is never edited: the
/// default scenarios leave `deep` out with a note, and asking for it is a usage error. A link
/// inside the workspace is edited through, and stays a link.
#[test]
fn a_deep_library_linked_from_outside_the_workspace_is_never_edited() {
    let _builds = build_lock();
    let ws = fixture("deep-ws");
    let elsewhere = tempfile::tempdir().unwrap();
    let lib = ws.path().join("base/src/lib.rs");
    let outside = move_behind_a_link(&lib, elsewhere.path());
    let before = (snapshot(ws.path()), snapshot(elsewhere.path()));

    let out = run(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1", "--format", "json"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "the deep library's root `{}` leads to `{}`, outside the workspace",
            lib.display(),
            outside.canonicalize().unwrap().display()
        )) && stderr.contains("so the default scenarios leave out `deep`"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["measurement"]["scenarios"], serde_json::json!(["clean", "touched", "check-touched"]));
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1", "--scenarios", "deep"]), 2);
    assert!(line.contains("outside the workspace") && line.ends_with("leave out `deep`"), "{line}");
    assert_eq!(before, (snapshot(ws.path()), snapshot(elsewhere.path())), "neither the link nor its file changed");

    // A link that stays inside the workspace is followed, and both stay as they were.
    std::fs::remove_file(&lib).unwrap();
    std::fs::create_dir_all(ws.path().join("shared")).unwrap();
    std::fs::copy(&outside, ws.path().join("shared/base.rs")).unwrap();
    std::os::unix::fs::symlink("../../shared/base.rs", &lib).unwrap();
    let before = snapshot(ws.path());
    let report = success_json(timewarp(ws.path()).args([
        "--toolchains",
        "stable",
        "--runs",
        "2",
        "--scenarios",
        "deep",
        "--format",
        "json",
    ]));
    assert_eq!(report["toolchains"][0]["status"], "ok", "{report:#}");
    assert_eq!(report["toolchains"][0]["scenarios"]["deep"]["crates_compiled"], 3, "{report:#}");
    assert!(std::fs::symlink_metadata(&lib).unwrap().file_type().is_symlink(), "the link is still a link");
    assert_eq!(before, snapshot(ws.path()), "the file the link names is as it was, mtime too");
}

/// The default touched file, when it is a link to a file outside the workspace, is not touched:
/// the error names the link, where it leads, and the way out.
#[test]
fn a_touched_file_linked_from_outside_the_workspace_is_a_usage_error() {
    let ws = fixture("single-crate");
    let elsewhere = tempfile::tempdir().unwrap();
    let main_rs = ws.path().join("src/main.rs");
    move_behind_a_link(&main_rs, elsewhere.path());
    let before = snapshot(elsewhere.path());
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1"]), 2);
    assert!(
        line.starts_with(&format!("error: the file to touch `{}` leads to `", main_rs.display()))
            && line.ends_with(&format!(
                "outside the workspace `{}`; name one inside it with `--touch PATH`",
                ws.path().canonicalize().unwrap().display()
            )),
        "{line}"
    );
    assert_eq!(before, snapshot(elsewhere.path()), "the file elsewhere keeps its time");
}

/// A run killed with SIGKILL while the deep edit is in the library leaves it there; the next
/// start, even a `--list`, restores it byte for byte.
#[test]
fn a_deep_edit_survives_sigkill_and_is_restored_on_the_next_start() {
    let _builds = build_lock();
    let ws = fixture("deep-ws");
    let lib = ws.path().join("base/src/lib.rs");
    let before = snapshot(ws.path());
    sigkill_once_the_file_holds(
        timewarp(ws.path()).args(["--toolchains", "stable", "--scenarios", "deep", "--incremental-runs", "40", "-q"]),
        &lib,
        "(the `deep` scenario)",
    );
    let out = run(timewarp(ws.path()).arg("--list"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.contains("interrupted earlier run"), "{stderr}");
    let after = snapshot(ws.path());
    assert_eq!(before.get(&lib), after.get(&lib), "the library's bytes and mtime are back");
}

/// An edit the user saves in the deep library while timewarp's edit is in it wins: it is kept,
/// the original stays in the backups, and only the deep scenario stops.
#[test]
fn an_edit_saved_in_the_deep_library_during_a_run_wins_over_the_restore() {
    let _builds = build_lock();
    let mine = "pub fn base(x: u64) -> u64 { x } // saved during the run";
    let world = EditorWorld::new(
        "deep-ws",
        &format!(
            "if grep -q '(the `deep` scenario)' base/src/lib.rs; then printf '%s\\n' '{mine}' > base/src/lib.rs; fi"
        ),
    );
    let lib = world.path().join("base/src/lib.rs");
    let report = success_json(world.timewarp().args(["--runs", "2", "--format", "json"]));
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), format!("{mine}\n"), "the user's edit is kept");
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("changed since `cargo timewarp` edited it"), "{warnings}");
    let row = &report["toolchains"][0];
    assert!(row["scenarios"]["clean"].is_object(), "{row:#}");
    assert!(row["scenario_errors"]["deep"].as_str().unwrap_or_default().contains("changed during"), "{row:#}");
}

/// A `Cargo.lock` that is a link leading nowhere: cargo would create the lockfile at the other
/// end, and the restore remove the link. The run stops before any build, naming both.
#[test]
fn a_lockfile_link_that_leads_nowhere_is_never_written_through() {
    let ws = fixture("single-crate");
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("Cargo.lock");
    let _ = std::fs::remove_file(ws.path().join("Cargo.lock"));
    std::os::unix::fs::symlink(&target, ws.path().join("Cargo.lock")).unwrap();
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1"]), 1);
    assert!(line.contains(&format!("Cargo.lock` is a link to `{}`, which is not a file", target.display())), "{line}");
    assert!(!target.exists(), "nothing was created where the link leads");
    assert!(std::fs::symlink_metadata(ws.path().join("Cargo.lock")).unwrap().file_type().is_symlink());
}

/// Starts `cmd` and kills it with SIGKILL as soon as `file` holds `marker` (timewarp's change is
/// in it), within five minutes; the child is killed on the way out either way.
fn sigkill_once_the_file_holds(cmd: &mut std::process::Command, file: &std::path::Path, marker: &str) {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut seen = false;
    while !seen && Instant::now() < deadline {
        seen = std::fs::read_to_string(file).unwrap().contains(marker);
        if !seen {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    assert!(seen, "`{marker}` never appeared in {}", file.display());
}

/// Moves `file` into `dir` and leaves a link to it in its place; returns where it went.
fn move_behind_a_link(file: &std::path::Path, dir: &std::path::Path) -> std::path::PathBuf {
    let moved = dir.join(file.file_name().unwrap());
    std::fs::rename(file, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, file).unwrap();
    moved
}

// Never lose a byte, part 4: each test below failed before its fix (the hostile review's defect
// number, issue 31, in its comment).

/// #3: `merge -o` wrote over `src/main.rs`, `Cargo.toml` and, through a link, timewarp's history
/// with exit 0. Inside a workspace merge's outputs are judged by that workspace's guard; outside
/// one, by name.
#[test]
fn merge_outputs_go_through_the_guard() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let root = ws.path();
    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("a.json");
    success(timewarp(root).args(QUICK).args(["--format", "json", "-o"]).arg(&report));
    std::os::unix::fs::symlink(root.join("target/timewarp/last-report.json"), root.join("h.json")).unwrap();
    let history = std::fs::read(root.join("target/timewarp/last-report.json")).unwrap();
    let before = snapshot(root);
    for (output, expected) in [
        ("src/main.rs", "error: `--output src/main.rs` would write over a source file of `single-crate`"),
        ("Cargo.toml", "error: `--output Cargo.toml` would write over the workspace's Cargo.toml"),
        ("h.json", "error: `--output h.json` would write inside timewarp's directory"),
    ] {
        let line = failure(timewarp(root).arg("merge").arg(&report).args(["--format", "json", "-o", output]), 2);
        assert!(line.starts_with(expected), "{output}: {line}");
    }
    // `history` takes the same guard (and `bisect`, through the same discovery).
    let line = failure(timewarp(root).args(["history", "--format", "json", "-o", "h.json"]), 2);
    assert!(line.starts_with("error: `--output h.json` would write inside timewarp's directory"), "{line}");
    assert_eq!(before, snapshot(root), "nothing in the workspace was written");
    assert_eq!(std::fs::read(root.join("target/timewarp/last-report.json")).unwrap(), history);
    // From a member's subdirectory, the same workspace's guard.
    let line =
        failure(timewarp(&root.join("src")).arg("merge").arg(&report).args(["-o", "main.rs", "--format", "json"]), 2);
    assert!(line.contains("would write over a source file of `single-crate`"), "{line}");
    success(timewarp(root).arg("merge").arg(&report).args(["-o", "merged.json"]));
    assert!(std::fs::read_to_string(root.join("merged.json")).unwrap().contains("\"machines\""));

    // Outside any workspace: build files by name, and `target`/`timewarp` directories.
    let outside = tempfile::tempdir().unwrap();
    let dir = outside.path();
    for d in ["target/debug", "timewarp"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    for f in ["Cargo.toml", "Cargo.lock", "lib.rs", "target/debug/x.json", "timewarp/x.json"] {
        std::fs::write(dir.join(f), "mine\n").unwrap();
    }
    let before = snapshot(dir);
    for (output, expected) in [
        ("Cargo.toml", "would write over a cargo manifest"),
        ("Cargo.lock", "would write over a cargo lockfile"),
        ("lib.rs", "would write over a Rust source file"),
        ("target/debug/x.json", "/target`, whose name says it holds a build or timewarp's files"),
        ("timewarp/x.json", "/timewarp`, whose name says it holds a build or timewarp's files"),
    ] {
        let line = failure(timewarp(dir).arg("merge").arg(&report).args(["--format", "json", "-o", output]), 2);
        assert!(line.contains(expected), "{output}: {line}");
    }
    assert_eq!(before, snapshot(dir), "nothing outside a workspace was written either");
    assert_eq!(std::fs::read_to_string(dir.join("target/debug/x.json")).unwrap(), "mine\n");
    success(timewarp(dir).arg("merge").arg(&report).args(["-o", "merged.md"]));
}

/// #4: a relative `--target-dir` given in a member's directory split the run: timewarp's files
/// went under the current directory, the builds (run in the workspace root) under the root's
/// `td-rel`, with a `CARGO_HOME` lacking timewarp's config and a link timer that never ran.
#[test]
fn a_relative_target_dir_from_a_member_directory_is_one_place() {
    let _builds = build_lock();
    let ws = fixture("deep-ws");
    let member = ws.path().join("app");
    let report = success_json(timewarp(&member).args(QUICK).args([
        "--scenarios",
        "clean,touched",
        "--target-dir",
        "td-rel",
        "--format",
        "json",
    ]));
    assert!(!ws.path().join("td-rel").exists(), "nothing lands under the workspace root's td-rel");
    assert!(
        member.join("td-rel/timewarp/CACHEDIR.TAG").is_file(),
        "timewarp's directory is the current directory's td-rel"
    );
    let builds: Vec<_> =
        std::fs::read_dir(member.join("td-rel/timewarp")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(builds.iter().any(|n| n.to_string_lossy().starts_with("1.95")), "the builds are there too: {builds:?}");
    assert_eq!(report["link_time"], true, "{report:#}");
    let clean = &report["toolchains"][0]["scenarios"]["clean"];
    assert!(clean["link"]["time"]["point"].as_f64().unwrap() > 0.0, "the link timer ran: {clean:#}");
    success(timewarp(&member).args(["clean", "--target-dir", "td-rel"]));
    assert!(!member.join("td-rel/timewarp").exists(), "clean removes it all");
    assert!(!ws.path().join("td-rel").exists());
}

/// #5: after a killed `--edit` run and a hand edit, the first `clean` pointed at the backup in
/// timewarp's state directory, and the natural retry deleted it with that directory: the only
/// copy of the original. The original now goes beside the file as `main.rs.orig`; when that name
/// is taken it stays in the backups, and `clean` keeps it and says so.
#[test]
fn a_second_clean_never_deletes_the_original_a_conflict_pointed_at() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let main_rs = ws.path().join("src/main.rs");
    let beside = ws.path().join("src/main.rs.orig");
    let original = std::fs::read(&main_rs).unwrap();
    let kill_and_edit_by_hand = || {
        sigkill_once_the_file_holds(
            timewarp(ws.path()).args(["--toolchains", "stable", "--scenarios", "edited", "--incremental-runs", "200"]),
            &main_rs,
            "cargo timewarp --edit",
        );
        let mut hand = std::fs::read(&main_rs).unwrap();
        hand.extend_from_slice(b"// my hand edit\n");
        std::fs::write(&main_rs, &hand).unwrap();
        hand
    };
    let hand = kill_and_edit_by_hand();
    let line = failure(timewarp(ws.path()).arg("clean"), 1);
    assert!(
        line.contains("so timewarp kept it as it is, and it still holds timewarp's appended item `TIMEWARP_EDIT_"),
        "{line}"
    );
    assert!(line.ends_with(&format!("its content before that run is in `{}`", beside.display())), "{line}");
    let out = run(timewarp(ws.path()).arg("clean"));
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read(&beside).unwrap(), original, "the original outlives timewarp's directories");
    assert_eq!(std::fs::read(&main_rs).unwrap(), hand, "the hand edit is kept");

    // `main.rs.orig` is taken (the first original, kept by the user): the next stays in the backups.
    std::fs::write(&main_rs, &original).unwrap();
    kill_and_edit_by_hand();
    let line = failure(timewarp(ws.path()).arg("clean"), 1);
    let backup = std::path::PathBuf::from(line.rsplit('`').nth(1).unwrap());
    assert!(backup.starts_with(cache_home()), "{line}");
    let out = run(timewarp(ws.path()).arg("clean"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "kept `{}`: the original of a file a run edited and you changed since",
            backup.display()
        )),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&backup).unwrap(), original, "the second clean kept it");
    assert_eq!(std::fs::read(&beside).unwrap(), original, "and never wrote over the user's .orig");
}

/// #7: after a SIGKILL during a `deep` run and a rename of the checkout, the journal (kept under
/// the old path's key) was never found: the edit stayed and the next run measured it without a
/// word. The edit is found by timewarp's own item: with no copy of the original where this run
/// looks the run stops naming the file; with one, the file is restored and the run goes on.
#[test]
fn a_killed_runs_edit_is_found_after_the_checkout_is_renamed() {
    let _builds = build_lock();
    let ws = fixture("deep-ws");
    let lib = ws.path().join("base/src/lib.rs");
    let original = std::fs::read(&lib).unwrap();
    // The killed run creates the lockfile too, recorded in the same journal.
    std::fs::remove_file(ws.path().join("Cargo.lock")).unwrap();
    sigkill_once_the_file_holds(
        timewarp(ws.path()).args(["--toolchains", "stable", "--scenarios", "deep", "--incremental-runs", "200"]),
        &lib,
        "(the `deep` scenario)",
    );
    let moved = ws.path().with_file_name(format!("{}-moved", ws.path().file_name().unwrap().to_string_lossy()));
    std::fs::rename(ws.path(), &moved).unwrap();
    /// Puts the checkout back where the fixture's cleanup looks, however the test ends.
    struct Back<'a>(&'a std::path::Path, &'a std::path::Path);
    impl Drop for Back<'_> {
        fn drop(&mut self) {
            let _ = std::fs::rename(self.0, self.1);
        }
    }
    let _back = Back(&moved, ws.path());
    let lib = moved.join("base/src/lib.rs");
    let edited = std::fs::read(&lib).unwrap();
    assert_ne!(edited, original, "killed mid-edit");

    // Another cache directory: no copy of the original there, so the run refuses.
    let elsewhere = tempfile::tempdir().unwrap();
    let line =
        failure(timewarp(&moved).args(QUICK).args(["--scenarios", "clean"]).env("XDG_CACHE_HOME", elsewhere.path()), 1);
    assert!(line.starts_with(&format!("error: `{}` still holds `TIMEWARP_EDIT_", lib.display())), "{line}");
    assert!(line.contains("no copy timewarp kept matches it"), "{line}");
    assert_eq!(std::fs::read(&lib).unwrap(), edited, "nothing written");

    // The cache directory of the killed run: its backup is the original, so it is restored.
    let out = run(timewarp(&moved).args(QUICK).args(["--scenarios", "clean"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("restored `{}` from `", lib.display())), "{stderr}");
    assert_eq!(std::fs::read(&lib).unwrap(), original);
    let lock = moved.join("Cargo.lock");
    assert!(stderr.contains(&format!("removed `{}`, which a killed run had created", lock.display())), "{stderr}");
    assert!(!lock.exists(), "the killed run's lockfile went, and this run's own too");
}

/// #17: `-o assets/q.sql` replaced a file the build reads through `include_str!`: the guard knew
/// only sources, manifests and directories. Cargo's dep-info lists every file rustc read, so a
/// tree built before is refused up front, and a fresh one just before the write.
#[test]
fn an_output_never_lands_on_a_file_the_build_includes() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let root = ws.path();
    std::fs::create_dir_all(root.join("assets")).unwrap();
    std::fs::write(root.join("assets/q.sql"), "select 1;\n").unwrap();
    std::fs::write(
        root.join("src/main.rs"),
        "const Q: &str = include_str!(\"../assets/q.sql\");\nfn main() { println!(\"{}\", Q.len()); }\n",
    )
    .unwrap();
    let before = snapshot(root);
    // A fresh tree: no dep-info yet, so the check just before the write refuses.
    let out = run(timewarp(root).args(QUICK).args(["-o", "assets/q.sql", "--format", "csv"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("`--output assets/q.sql` would write over a file the build reads (cargo's dep-info `"),
        "{stderr}"
    );
    assert_eq!(before, snapshot(root), "q.sql as it was");
    // Built before: refused up front, before any build.
    let line = failure(timewarp(root).args(QUICK).args(["-o", "assets/q.sql", "--format", "csv"]), 2);
    assert!(line.contains("would write over a file the build reads"), "{line}");
    assert_eq!(before, snapshot(root));
    success(timewarp(root).args(QUICK).args(["-o", "assets/report.csv"]));
}
