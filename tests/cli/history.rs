//! `cargo timewarp history`: the runs recorded in `history.jsonl`, in every format, with a
//! plot; a broken line is skipped.

use std::path::Path;

use crate::support::*;

/// Commits everything in `ws` (a git repository from the first call on), so recorded runs
/// carry a commit.
fn commit(ws: &Path, message: &str) {
    git(ws, &["init", "-q"]);
    git(ws, &["add", "-A"]);
    git(ws, &["commit", "-qm", message]);
}

#[test]
fn history_in_every_format_with_a_plot_and_the_runs_target_dir() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().to_str().unwrap();
    commit(ws.path(), "first");
    let args = ["--toolchains", "stable", "--runs", "1", "--target-dir", target, "-o", "run.json"];
    success(timewarp(ws.path()).args(args));
    std::fs::write(ws.path().join("src/extra.rs"), "pub fn extra() {}\n").unwrap();
    commit(ws.path(), "second");
    success(timewarp(ws.path()).args(args));
    assert!(!ws.path().join("target").exists(), "the runs went to --target-dir");

    let history =
        |extra: &[&str]| success(timewarp(ws.path()).arg("history").args(["--target-dir", target]).args(extra));
    let table = history(&[]);
    assert!(table.starts_with("2 runs recorded in"), "{table}");
    let json: serde_json::Value = serde_json::from_str(&history(&["--format", "json"])).unwrap();
    assert_eq!(json["runs"], 2);
    let points = json["toolchains"][0]["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_ne!(points[0]["git_commit"], points[1]["git_commit"], "each run names its commit");
    assert!(points[1]["change_pct"]["clean"].is_number(), "{json:#}");
    let csv = history(&["--format", "csv"]);
    assert!(csv.starts_with("toolchain_version,recorded_at,git_commit,what,status,clean_median_s,"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    history(&["-o", "history.md", "--plot", "history.svg"]);
    let markdown = std::fs::read_to_string(ws.path().join("history.md")).unwrap();
    assert!(markdown.contains("| recorded | commit | what | clean | touched |"), "{markdown}");
    let svg = std::fs::read_to_string(ws.path().join("history.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("circle")).count(),
        6,
        "two runs in three panels: clean, touched, check-touched"
    );

    let without = success(timewarp(ws.path()).arg("history"));
    assert!(without.starts_with("2 runs recorded in"), "the history is the workspace's, whatever the target dir");
    let out = run(timewarp(ws.path()).args(["history", "--target-dir", target, "--plot", "h.png"]));
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_broken_history_line_is_skipped_and_the_next_run_appends_cleanly() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    success(timewarp(ws.path()).args(QUICK));
    let history = history_file(ws.path());
    let text = std::fs::read_to_string(&history).unwrap();
    std::fs::write(&history, &text[..text.len() / 2]).unwrap();
    assert!(success(timewarp(ws.path()).arg("history")).contains("(1 unreadable lines skipped)"));
    success(timewarp(ws.path()).args(QUICK));
    let summary = success(timewarp(ws.path()).arg("history"));
    assert!(summary.starts_with("1 runs recorded") && summary.contains("(1 unreadable lines skipped)"), "{summary}");
    let last = std::fs::read_to_string(&history).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(last.lines().last().unwrap()).is_ok(), "the new entry is whole");
    assert_eq!(before, snapshot(ws.path()));
}

/// #9: `history` panicked on a hand-edited `recorded_at` or `git_commit` that is not ASCII,
/// in the table, the Markdown and the plot. #15: one line cut inside a character, or any byte
/// that is not UTF-8, made the whole history unreadable.
#[test]
fn a_hand_edited_history_is_read_as_far_as_it_goes() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    success(timewarp(ws.path()).args(QUICK));
    let file = history_file(ws.path());
    let line = std::fs::read_to_string(&file).unwrap();
    let mut entry: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    entry["recorded_at"] = "2026-11-30T12:00:00Z ünïcødé".into();
    entry["git_commit"] = "ééééééééééééé".into();
    let mut bytes = serde_json::to_vec(&entry).unwrap();
    bytes.push(b'\n');
    let cut = bytes.windows(2).position(|w| w == "é".as_bytes()).unwrap() + 1;
    let head = bytes[..cut].to_vec();
    bytes.extend_from_slice(&head);
    bytes.extend_from_slice(b"\n\xff\xfe not UTF-8 at all\n");
    std::fs::write(&file, bytes).unwrap();
    let table = success(timewarp(ws.path()).arg("history"));
    assert!(table.starts_with("1 runs recorded in") && table.contains("(2 unreadable lines skipped)"), "{table}");
    assert!(table.contains("éééééééééé "), "ten characters of the commit, never half of one: {table}");
    let markdown = success(timewarp(ws.path()).args(["history", "--format", "markdown", "--plot", "h.svg"]));
    assert!(markdown.contains("éééééééééé"), "{markdown}");
    roxmltree::Document::parse(&std::fs::read_to_string(ws.path().join("h.svg")).unwrap()).unwrap();
}

/// #14: `history` over a shared `--target-dir` mixed two projects' runs (one showed `+2601%`);
/// a shared `--history FILE` (one CI cache for two projects) must not either.
/// #17: a scenario a run did not measure read `ok`.
#[test]
fn history_keeps_to_its_workspace_and_says_what_a_run_did_not_measure() {
    let _builds = build_lock();
    let shared = tempfile::tempdir().unwrap();
    let file = shared.path().join("shared.jsonl").display().to_string();
    let (mine, other) = (fixture("single-crate"), fixture("virtual-ws"));
    success(timewarp(mine.path()).args(QUICK).args(["--edit", "--history", &file]));
    success(timewarp(other.path()).args(QUICK).args(["--history", &file]));
    success(timewarp(mine.path()).args(QUICK).args(["--history", &file]));
    let json: serde_json::Value =
        serde_json::from_str(&success(timewarp(mine.path()).args(["history", "--format", "json", "--history", &file])))
            .unwrap();
    assert_eq!((json["runs"].as_u64(), json["other_workspaces"].as_u64()), (Some(2), Some(1)), "{json:#}");
    let table = success(timewarp(mine.path()).args(["history", "--history", &file]));
    let second = table.lines().filter(|l| l.contains(" dev ")).nth(1).unwrap();
    let cells: Vec<&str> = second.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    let edited = json["scenarios"].as_array().unwrap().iter().position(|s| s == "edited").unwrap();
    assert_eq!(cells[3 + edited], "-", "the second run measured no edited rebuild: {table}");
    assert!(!second.contains(" ok"), "{table}");
}

/// #20: a dirty working tree was recorded under HEAD's commit with no mark.
#[test]
fn a_run_on_a_dirty_tree_says_so() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    commit(ws.path(), "first");
    std::fs::write(ws.path().join("src/main.rs"), "fn main() { println!(\"uncommitted\"); }\n").unwrap();
    success(timewarp(ws.path()).args(QUICK));
    let table = success(timewarp(ws.path()).arg("history"));
    assert!(table.contains("+dirty"), "{table}");
}

/// Usability review, finding 6: `cargo clean` deleted the history with `target/`, so `history`
/// and the noise threshold started from zero after every clean (and in every CI job).
#[test]
fn the_history_outlives_cargo_clean_and_timewarp_clean_removes_it() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    success(timewarp(ws.path()).args(QUICK));
    let cargo_clean =
        std::process::Command::new("cargo").args(["+stable", "clean", "-q"]).current_dir(ws.path()).status();
    assert!(cargo_clean.unwrap().success());
    assert!(!ws.path().join("target").exists(), "cargo clean removed the target directory");
    let table = success(timewarp(ws.path()).arg("history"));
    assert!(table.starts_with("1 runs recorded in"), "{table}");
    assert!(table.contains(&history_file(ws.path()).display().to_string()), "it names the file: {table}");
    success(timewarp(ws.path()).arg("clean"));
    assert!(!history_file(ws.path()).exists(), "timewarp's own clean removes it");
    assert!(success(timewarp(ws.path()).arg("history")).starts_with("no runs recorded yet"));
}

/// `--history FILE`: a CI cache keeps the runs; a run appends there (and not in the state
/// directory), `history --history FILE` reads them back, and the file is judged like any output.
#[test]
fn a_history_file_of_ones_own_is_appended_and_read_back() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let cache = tempfile::tempdir().unwrap();
    let file = cache.path().join("runs.jsonl");
    success(timewarp(ws.path()).args(QUICK).arg("--history").arg(&file));
    success(timewarp(ws.path()).args(QUICK).arg("--history").arg(&file));
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);
    assert!(!history_file(ws.path()).exists(), "nothing in the state directory's history");
    let table = success(timewarp(ws.path()).arg("history").arg("--history").arg(&file));
    assert!(table.starts_with(&format!("2 runs recorded in `{}`", file.display())), "{table}");
    assert!(success(timewarp(ws.path()).arg("history")).starts_with("no runs recorded yet"));
    let before = snapshot(ws.path());
    let line = failure(timewarp(ws.path()).args(QUICK).args(["--history", "Cargo.toml"]), 2);
    assert!(line.starts_with("error: `--history Cargo.toml` would write over the workspace's Cargo.toml"), "{line}");
    let mut over = timewarp(ws.path());
    over.arg("history").arg("--history").arg(&file).arg("-o").arg(&file).args(["--format", "json"]);
    let line = failure(&mut over, 2);
    assert!(line.contains("would write over"), "{line}");
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2, "never replaced by its summary");
    assert_eq!(before, snapshot(ws.path()));
}
