//! Results over time: the run log `history.jsonl` (one JSON line per completed run) and its
//! per-toolchain summary, `cargo timewarp history`.
//!
//! Entries are read through [`SavedReport`]; a run recorded with another schema is skipped like
//! any other broken line. The log is read as bytes and split on newlines, so a line cut inside a
//! multi-byte character, or any line that does not decode, is skipped like any other broken
//! line. Runs of another workspace sharing the target directory are left out, and a run of
//! another package set counts as a new setup, so no change compares two projects. It never runs
//! builds.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::model::{History, HistoryPoint, Report, RunChange, Setup, ToolchainHistory};
use super::saved::SavedReport;
use crate::discover::release::utc_timestamp;
use crate::discover::workspace::Workspace;
use crate::fs;
use crate::process::{CommandSpec, Runner};
use crate::vocab::Scenario;

/// One line of `history.jsonl`: a completed run and where it ran.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryEntry<'a> {
    /// UTC time the run finished, `2026-11-28T10:20:00Z`.
    pub(crate) recorded_at: String,
    /// The commit measured: the `--rev` revision, else `git rev-parse HEAD` of the workspace.
    pub(crate) git_commit: Option<String>,
    /// Whether the working tree had changes to tracked files beyond that commit.
    pub(crate) git_dirty: bool,
    /// The user's workspace root (for `--rev`, the workspace the revision was taken from).
    pub(crate) workspace: String,
    /// The machine's host name.
    pub(crate) host: String,
    /// The full report.
    pub(crate) report: &'a Report,
}

/// Appends `entry` as one JSON line to `file`, first ending a last line that a killed run left
/// unfinished, so the new entry never sticks to it.
pub(crate) fn append(file: &Path, entry: &HistoryEntry<'_>, owner: u32) -> Result<()> {
    let mut line = serde_json::to_string(entry).expect("a history entry always serialises");
    line.push('\n');
    // Read only a regular file: what a link names is never read (nor written, see `append_own`).
    let regular = std::fs::symlink_metadata(file).is_ok_and(|m| m.is_file());
    if regular && std::fs::read(file).is_ok_and(|text| !text.is_empty() && !text.ends_with(b"\n")) {
        line.insert(0, '\n');
    }
    // The file is in timewarp's build directory: never written through a link.
    fs::append_own(file, line, owner)
}

/// Appends `report` to `file` with the time, this machine's host name, the user's workspace
/// `root` and the commit it measured: the `--rev` revision, else `git rev-parse HEAD` in `root`
/// (none outside git), marked dirty when tracked files differ from it.
pub(crate) fn record(runner: &dyn Runner, file: &Path, root: &Path, report: &Report) -> Result<()> {
    // `git status` refreshes `.git/index` unless told not to: timewarp never writes to `.git`.
    let git = |args: &[&str]| {
        let cmd = CommandSpec::new("git").arg("--no-optional-locks").args(args).cwd(root);
        runner.run(&cmd).ok().filter(|o| o.success()).map(|o| o.stdout)
    };
    let (git_commit, git_dirty) = match &report.revision {
        Some(revision) => (Some(revision.clone()), false),
        None => {
            let head = git(&["rev-parse", "HEAD"]).map(|h| h.trim().to_string());
            let dirty = head.is_some()
                && git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.trim().is_empty());
            (head, dirty)
        }
    };
    let host = runner.hostname().unwrap_or_else(|| "unknown".into());
    let entry = HistoryEntry {
        recorded_at: utc_timestamp(runner.now()),
        git_commit,
        git_dirty,
        workspace: root.display().to_string(),
        host,
        report,
    };
    append(file, &entry, runner.uid())
}

/// A line of the log as read back; the report is read apart, so a bad report is one bad line.
#[derive(Deserialize)]
struct LogLine {
    recorded_at: String,
    git_commit: Option<String>,
    #[serde(default)]
    git_dirty: bool,
    workspace: Option<String>,
    report: serde_json::Value,
}

/// A recorded run, as read back.
struct PastRun {
    recorded_at: String,
    git_commit: Option<String>,
    git_dirty: bool,
    workspace: Option<String>,
    report: SavedReport,
}

/// The entries of a history file, and how many lines could not be read (a run killed while
/// appending, a hand edit, bytes that are not UTF-8): those are skipped, not fatal.
fn read_entries(bytes: &[u8]) -> (Vec<PastRun>, usize) {
    let mut entries = Vec::new();
    let mut broken = 0;
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)) {
        let entry =
            std::str::from_utf8(line).ok().and_then(|text| serde_json::from_str::<LogLine>(text).ok()).and_then(|l| {
                let report = SavedReport::from_value(l.report).ok()?;
                Some(PastRun {
                    recorded_at: l.recorded_at,
                    git_commit: l.git_commit,
                    git_dirty: l.git_dirty,
                    workspace: l.workspace.or_else(|| report.workspace.clone()),
                    report,
                })
            });
        match entry {
            Some(entry) => entries.push(entry),
            None => broken += 1,
        }
    }
    (entries, broken)
}

/// The log changes between repeat runs in `file`: runs of `workspace` measured as `setup` says,
/// of the same commit with a clean tree, consecutive within each commit, per `(version,
/// scenario)`: `ln(median_{i+1} / median_i)`. Runs of different commits are never compared, so
/// a real change in the code cannot pass for the machine's noise (a +207 % slowdown once sat
/// beside a "noise threshold" of 216.7 % made of code changes); nor are runs of one round, whose
/// median is a single build.
pub(crate) fn repeat_changes(
    file: &Path,
    workspace: &Workspace,
    setup: &Setup,
) -> BTreeMap<(String, Scenario), Vec<f64>> {
    let bytes = std::fs::read(file).unwrap_or_default();
    let (entries, _) = read_entries(&bytes);
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let here = canonical(&workspace.root);
    let mut medians: BTreeMap<(String, Scenario, String), Vec<f64>> = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.workspace.as_deref().is_none_or(|w| canonical(Path::new(w)) == here)) {
        let Some(commit) = entry.git_commit.as_ref().filter(|_| !entry.git_dirty) else { continue };
        if !entry.report.setup.differences(setup).is_empty() {
            continue;
        }
        for row in &entry.report.rows {
            for (scenario, wall) in row.wall.iter().filter(|(_, wall)| wall.len() >= 2) {
                if let Some(median) = crate::stats::median(wall) {
                    medians.entry((row.version.clone(), *scenario, commit.clone())).or_default().push(median);
                }
            }
        }
    }
    let mut changes: BTreeMap<(String, Scenario), Vec<f64>> = BTreeMap::new();
    for ((version, scenario, _), runs) in medians {
        let logs = runs.windows(2).filter_map(|w| crate::stats::ratio(w[0], w[1]).map(|r| -r.ln()));
        changes.entry((version, scenario)).or_default().extend(logs);
    }
    changes.retain(|_, c| !c.is_empty());
    changes
}

/// The last run recorded in `file` for `workspace` that measured `toolchains` toolchains over
/// `scenarios`: how long it took and how many rounds it ran, for the plan's estimate of a new
/// run. `None` when there is none.
pub(crate) fn last_like(
    file: &Path,
    workspace: &Path,
    toolchains: usize,
    scenarios: &[Scenario],
) -> Option<(f64, usize)> {
    let bytes = std::fs::read(file).ok()?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let here = canonical(workspace);
    let wanted: Vec<String> = scenarios.iter().map(|s| s.to_string()).collect();
    bytes.split(|b| *b == b'\n').rev().find_map(|line| {
        let entry: serde_json::Value = serde_json::from_slice(line).ok()?;
        let ws = entry["workspace"].as_str()?;
        let m = &entry["report"]["measurement"];
        let measured: Vec<String> =
            m["scenarios"].as_array()?.iter().filter_map(|s| s.as_str().map(str::to_string)).collect();
        let rows = entry["report"]["toolchains"].as_array()?.len();
        (canonical(Path::new(ws)) == here && measured == wanted && rows == toolchains)
            .then(|| Some((m["elapsed_s"].as_f64()?, m["rounds"].as_u64()? as usize)))
            .flatten()
    })
}

/// rustc-perf's noise thresholds from the repeat runs (see [`repeat_changes`]), percent, per
/// `version scenario`: Q3 + 3×IQR of the relative changes, once there are
/// [`crate::stats::MIN_REPEAT_CHANGES`] of them.
pub(crate) fn noise_thresholds(repeats: &BTreeMap<(String, Scenario), Vec<f64>>) -> BTreeMap<String, f64> {
    repeats
        .iter()
        .filter(|(_, logs)| logs.len() >= crate::stats::MIN_REPEAT_CHANGES)
        .filter_map(|((version, scenario), logs)| {
            let changes: Vec<f64> = logs.iter().map(|l| l.exp_m1()).collect();
            Some((format!("{version} {scenario}"), crate::stats::noise_threshold(&changes)? * 100.0))
        })
        .collect()
}

/// What the change from the times `before` to `now` of two runs is: within the 95 % interval of
/// their ratio (Welch, on logs) when it includes 1, so no change; a change when it excludes 1;
/// unknown when a run has one build and so no interval.
fn run_change(before: &[f64], now: &[f64]) -> RunChange {
    if before.len() < 2 || now.len() < 2 {
        return RunChange::NoInterval;
    }
    match crate::stats::unpaired_speedup_between(before, now, None).and_then(|ratio| ratio.interval) {
        Some(i) if i.lower <= 1.0 && 1.0 <= i.upper => RunChange::WithinIntervals,
        Some(_) => RunChange::Changed,
        None => RunChange::NoInterval,
    }
}

/// Reads `history.jsonl` into its per-toolchain view for `workspace`: every run's medians, with
/// the change from the toolchain's previous run where both were measured the same way (no runs
/// when the file does not exist yet). Runs of other workspaces are counted, not shown.
pub(crate) fn read(file: &Path, workspace: &Workspace) -> Result<History> {
    let bytes = if file.exists() { fs::read(file)? } else { Vec::new() };
    let (entries, unreadable_lines) = read_entries(&bytes);
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let here = canonical(&workspace.root);
    let (entries, others): (Vec<PastRun>, Vec<PastRun>) =
        entries.into_iter().partition(|e| e.workspace.as_deref().is_none_or(|w| canonical(Path::new(w)) == here));
    let mut versions: Vec<&str> =
        entries.iter().flat_map(|e| e.report.rows.iter().map(|r| r.version.as_str())).collect();
    versions.sort_by_key(|v| semver::Version::parse(v).ok());
    versions.dedup();
    let scenarios: Vec<Scenario> = Scenario::ALL
        .into_iter()
        .filter(|s| entries.iter().any(|e| e.report.rows.iter().any(|r| r.wall.contains_key(s))))
        .collect();
    let toolchains = versions.into_iter().map(|version| {
        // The run before, for each scenario: its times, how it was measured and with which build.
        let mut previous: BTreeMap<Scenario, (&[f64], &Setup, Option<&str>)> = BTreeMap::new();
        let mut points = Vec::new();
        for entry in &entries {
            let Some(row) = entry.report.rows.iter().find(|r| r.version == version) else { continue };
            let setup = &entry.report.setup;
            let medians: BTreeMap<Scenario, f64> =
                row.wall.iter().filter_map(|(s, w)| Some((*s, crate::stats::median(w)?))).collect();
            let mut change_pct = BTreeMap::new();
            let mut change = BTreeMap::new();
            let mut new_setup = Vec::new();
            for (scenario, now) in &medians {
                let wall = row.wall[scenario].as_slice();
                if let Some((then_wall, then, rustc)) = previous.get(scenario) {
                    let mut differ = then.differences_in(setup, *scenario);
                    if *rustc != row.rustc.as_deref() {
                        let name = |r: Option<&str>| r.unwrap_or("unknown").to_string();
                        differ.push(format!("compiler `{}` then, `{}` now", name(*rustc), name(row.rustc.as_deref())));
                    }
                    let before = crate::stats::median(then_wall).unwrap_or_default();
                    if differ.is_empty() && before > 0.0 {
                        change_pct.insert(*scenario, (now / before - 1.0) * 100.0);
                        change.insert(*scenario, run_change(then_wall, wall));
                    }
                    for d in differ {
                        if !new_setup.contains(&d) {
                            new_setup.push(d);
                        }
                    }
                }
                previous.insert(*scenario, (wall, setup, row.rustc.as_deref()));
            }
            points.push(HistoryPoint {
                recorded_at: entry.recorded_at.clone(),
                git_commit: entry.git_commit.clone(),
                git_dirty: entry.git_dirty,
                profile: setup.profile.clone(),
                status: row.status,
                medians,
                change_pct,
                change,
                new_setup,
            });
        }
        ToolchainHistory { version: version.to_string(), points }
    });
    let project = match workspace.members.as_slice() {
        [one] => one.name.clone(),
        _ => workspace.root.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    };
    Ok(History {
        project,
        file: file.display().to_string(),
        runs: entries.len(),
        unreadable_lines,
        other_workspaces: others.len(),
        scenarios: scenarios.clone(),
        toolchains: toolchains.collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::export::exporter;
    use crate::testing::{sample_report, scaled, workspace};
    use crate::vocab::{Format, Profile};

    /// The table `cargo timewarp history` prints for `file`, read for the workspace `/work/app`.
    fn summarize(file: &Path) -> Result<String> {
        Ok(exporter(Format::Table, false, None).history(&read(file, &workspace("/work/app"))?))
    }

    fn entry<'a>(report: &'a Report, at: &str, commit: Option<&str>) -> HistoryEntry<'a> {
        HistoryEntry {
            recorded_at: at.into(),
            git_commit: commit.map(str::to_string),
            git_dirty: false,
            workspace: "/work/app".into(),
            host: "ci".into(),
            report,
        }
    }

    #[test]
    fn history_appends_a_line_per_run_and_summarises_per_version() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        assert!(summarize(&file).unwrap().starts_with("no runs recorded yet"));
        let first = sample_report();
        let second = scaled(&first, 1.5);
        append(&file, &entry(&first, "2026-11-27T10:00:00Z", Some("aaaaaaaaaaaa")), crate::process::effective_uid())
            .unwrap();
        append(&file, &entry(&second, "2026-11-28T10:00:00Z", Some("bbbb")), crate::process::effective_uid()).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);
        let text = summarize(&file).unwrap();
        assert!(text.starts_with("2 runs recorded in"), "{text}");
        let after_185 = text.split("\n1.85.0\n").nth(1).unwrap();
        let lines: Vec<&str> = after_185.lines().take(3).collect();
        assert!(lines[0].contains("clean") && lines[0].contains("touched"), "{text}");
        assert!(
            lines[1].contains("2026-11-27T10:00:00Z")
                && lines[1].contains("aaaaaaaaaa ")
                && lines[1].contains("26.1 s"),
            "{text}"
        );
        // One build a run: no interval, so the change cannot be told from noise.
        assert!(lines[2].contains("bbbb") && lines[2].contains("39.2 s (+50%?)"), "{text}");
        assert!(text.contains("\n1.63.0\n"), "failed rows are listed too: {text}");
        let mut release = scaled(&first, 2.0);
        release.profile = Profile::Release;
        append(&file, &entry(&release, "2026-11-29T10:00:00Z", None), crate::process::effective_uid()).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.contains("52.2 s (new setup)"), "a release run is not compared with dev ones: {text}");
        assert!(text.contains("  new setup at 2026-11-29T10:00:00Z: profile dev then, release now\n"), "{text}");
        assert!(text.contains("failed"), "{text}");
    }

    /// Usability review, finding 7: two runs of one commit read `0.521 s (+70%)`, then `(-9%)`,
    /// changes presented as numbers though they lay within the runs' own intervals.
    #[test]
    fn a_change_within_the_runs_intervals_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let with_clean = |times: &[f64]| {
            let mut report = sample_report();
            let figures = report.toolchains[1].scenarios.get_mut(&Scenario::Clean).unwrap();
            figures.wall.runs_s = times.to_vec();
            figures.wall.rounds = (1..=times.len()).collect();
            report
        };
        let runs = [with_clean(&[10.0, 12.0, 11.0]), with_clean(&[11.5, 10.2, 12.1]), with_clean(&[20.0, 20.4, 19.8])];
        for (i, report) in runs.iter().enumerate() {
            let at = format!("2026-11-2{i}T10:00:00Z");
            append(&file, &entry(report, &at, Some("aaaa")), crate::process::effective_uid()).unwrap();
        }
        let history = read(&file, &workspace("/work/app")).unwrap();
        let points = &history.toolchains.iter().find(|t| t.version == "1.85.0").unwrap().points;
        assert_eq!(points[1].change[&Scenario::Clean], RunChange::WithinIntervals);
        assert_eq!(points[2].change[&Scenario::Clean], RunChange::Changed);
        for change in [RunChange::Changed, RunChange::WithinIntervals, RunChange::NoInterval] {
            assert_eq!(serde_json::to_value(change).unwrap(), change.as_str(), "one spelling in every format");
        }
        let text = summarize(&file).unwrap();
        let clean = |line: &str| line.split("  ").map(str::trim).filter(|c| !c.is_empty()).nth(3).map(str::to_string);
        let rows: Vec<Option<String>> =
            text.split("\n1.85.0\n").nth(1).unwrap().lines().skip(1).take(3).map(clean).collect();
        assert_eq!(rows[1].as_deref(), Some("11.5 s (~)"), "{text}");
        assert!(rows[2].as_deref().is_some_and(|c| c.ends_with("(+74%)")), "{text}");
        // The noise threshold's repeat runs: one commit, one setup, and more than one build each.
        let repeats = repeat_changes(&file, &workspace("/work/app"), &runs[0].setup());
        assert_eq!(repeats[&("1.85.0".to_string(), Scenario::Clean)].len(), 2);
        let once = dir.path().join("once.jsonl");
        for at in ["2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z"] {
            append(&once, &entry(&sample_report(), at, Some("aaaa")), crate::process::effective_uid()).unwrap();
        }
        let repeats = repeat_changes(&once, &workspace("/work/app"), &runs[0].setup());
        let clean_once = ("1.85.0".to_string(), Scenario::Clean);
        assert!(!repeats.contains_key(&clean_once), "one clean build a run is no repeat run: {repeats:?}");
        assert!(repeats.contains_key(&("1.85.0".to_string(), Scenario::Touched)), "three rebuilds are: {repeats:?}");
    }

    /// Found with a shared `--target-dir`: two projects' runs read as one showed `+2601%`.
    #[test]
    fn another_workspace_or_package_set_is_never_compared() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let first = sample_report();
        append(&file, &entry(&first, "2026-11-27T10:00:00Z", None), crate::process::effective_uid()).unwrap();
        let big = scaled(&first, 27.0);
        let mut elsewhere = entry(&big, "2026-11-28T10:00:00Z", None);
        elsewhere.workspace = "/work/other".into();
        append(&file, &elsewhere, crate::process::effective_uid()).unwrap();
        let mut narrowed = scaled(&first, 2.0);
        narrowed.packages = vec!["app".into(), "tool".into()];
        append(&file, &entry(&narrowed, "2026-11-29T10:00:00Z", None), crate::process::effective_uid()).unwrap();
        let history = read(&file, &workspace("/work/app")).unwrap();
        assert_eq!((history.runs, history.other_workspaces), (2, 1));
        let points = &history.toolchains.iter().find(|t| t.version == "1.85.0").unwrap().points;
        assert_eq!(points.len(), 2, "the other workspace's run is not a point");
        assert!(points[1].change_pct.is_empty(), "another package set is no change: {points:?}");
        assert_eq!(points[1].new_setup, ["packages app then, app, tool now"]);
    }

    #[test]
    fn records_carry_the_measured_commit_and_a_dirty_tree_says_so() {
        use crate::testing::FakeRunner;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        // Never a write to `.git`: `git status` would refresh the index without the flag.
        let git = "git --no-optional-locks";
        let runner = FakeRunner::new()
            .ok(&format!("{git} rev-parse HEAD"), "abc123\n")
            .ok(&format!("{git} status"), " M src/main.rs\n");
        let mut report = sample_report();
        record(&runner, &file, dir.path(), &report).unwrap();
        report.revision = Some("def456".into());
        record(&runner, &file, dir.path(), &report).unwrap();
        let outside_git = FakeRunner::new().anonymous().fail("git", 128, "fatal: not a git repository");
        record(&outside_git, &file, dir.path(), &sample_report()).unwrap();
        let clean = FakeRunner::new().ok(&format!("{git} rev-parse HEAD"), "abc123\n").ok(&format!("{git} status"), "");
        record(&clean, &file, dir.path(), &sample_report()).unwrap();
        let entries: Vec<serde_json::Value> =
            std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let commits: Vec<(Option<&str>, bool)> =
            entries.iter().map(|e| (e["git_commit"].as_str(), e["git_dirty"] == true)).collect();
        assert_eq!(commits, [(Some("abc123"), true), (Some("def456"), false), (None, false), (Some("abc123"), false)]);
        assert_eq!(entries[0]["recorded_at"], "2026-11-30T12:00:00Z", "the runner's clock");
        let hosts: Vec<&str> = entries.iter().map(|e| e["host"].as_str().unwrap()).collect();
        assert_eq!(
            hosts,
            [FakeRunner::HOSTNAME, FakeRunner::HOSTNAME, "unknown", FakeRunner::HOSTNAME],
            "the runner's"
        );
    }

    #[test]
    fn a_broken_last_line_is_skipped_and_never_glued_to_the_next_entry() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let report = sample_report();
        append(&file, &entry(&report, "2026-11-27T10:00:00Z", None), crate::process::effective_uid()).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, &text[..text.len() / 2]).unwrap(); // killed mid-append
        assert!(summarize(&file).unwrap().starts_with("0 runs recorded in"));
        assert!(summarize(&file).unwrap().contains("(1 unreadable lines skipped)"));
        append(&file, &entry(&report, "2026-11-27T10:00:00Z", None), crate::process::effective_uid()).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.starts_with("1 runs recorded in") && text.contains("(1 unreadable lines skipped)"), "{text}");
    }

    #[test]
    fn a_line_cut_inside_a_character_or_not_utf8_is_one_broken_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let mut report = sample_report();
        report.toolchains[1].rustc = "rustc 1.85.0 (débian)".into();
        append(&file, &entry(&report, "2026-11-27T10:00:00Z", None), crate::process::effective_uid()).unwrap();
        let whole = std::fs::read(&file).unwrap();
        let cut = whole.windows(2).position(|w| w == "é".as_bytes()).unwrap() + 1;
        let mut bytes = whole[..cut].to_vec();
        bytes.push(b'\n');
        bytes.extend_from_slice(b"\xff\xfe not utf-8\n");
        bytes.extend_from_slice(&whole);
        std::fs::write(&file, bytes).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.starts_with("1 runs recorded in") && text.contains("(2 unreadable lines skipped)"), "{text}");
    }

    #[test]
    fn entries_of_another_schema_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let old = r#"{"recorded_at":"2026-11-01T00:00:00Z","git_commit":null,"host":"h","report":{"schema":1,"command":"build","profile":"dev","toolchains":[{"version":"1.85.0","status":"ok","clean":{"median_s":3.0,"mean_s":3.0,"stddev_s":0.0,"min_s":3.0,"max_s":3.0,"runs_s":[3.0]},"incremental":null}]}}"#;
        std::fs::write(&file, format!("{old}\n")).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.contains("(1 unreadable line"), "skipped as unreadable: {text}");
        assert!(!text.contains("3.00 s"), "{text}");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_are_read_or_skipped_never_a_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let (entries, broken) = read_entries(&bytes);
            proptest::prop_assert!(entries.len() + broken <= bytes.split(|b| *b == b'\n').count());
        }
    }
}
