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
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("circle")).count(), 4, "two runs in two panels");

    let without = run(timewarp(ws.path()).arg("history"));
    assert!(String::from_utf8_lossy(&without.stdout).starts_with("no runs recorded yet"), "another target dir");
    let out = run(timewarp(ws.path()).args(["history", "--target-dir", target, "--plot", "h.png"]));
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_broken_history_line_is_skipped_and_the_next_run_appends_cleanly() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    success(timewarp(ws.path()).args(QUICK));
    let history = ws.path().join("target/timewarp/history.jsonl");
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
