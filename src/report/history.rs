//! Results over time: the run log `history.jsonl` (one JSON line per completed run) and its
//! per-toolchain summary, `cargo timewarp history`.
//!
//! Entries are read through [`SavedReport`], so runs recorded by earlier versions of timewarp
//! (schema 1) still show. It never runs builds.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

use anyhow::Result;
use serde::Serialize;

use super::model::{History, HistoryPoint, Report, Setup, ToolchainHistory};
use super::saved::SavedReport;
use crate::discover::release::utc_timestamp;
use crate::fs;
use crate::measure::scenario::Scenario;
use crate::process::{CommandSpec, Runner};

/// One line of `history.jsonl`: a completed run and where it ran.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HistoryEntry<'a> {
    /// UTC time the run finished, `2026-11-28T10:20:00Z`.
    pub recorded_at: String,
    /// The commit measured: the `--rev` revision, else `git rev-parse HEAD` of the workspace.
    pub git_commit: Option<String>,
    /// The machine's host name.
    pub host: String,
    /// The full report.
    pub report: &'a Report,
}

/// Appends `entry` as one JSON line to `file`, first ending a last line that a killed run left
/// unfinished, so the new entry never sticks to it.
pub(crate) fn append(file: &Path, entry: &HistoryEntry<'_>) -> Result<()> {
    let mut line = serde_json::to_string(entry).expect("a history entry always serialises");
    line.push('\n');
    if std::fs::read(file).is_ok_and(|text| !text.is_empty() && !text.ends_with(b"\n")) {
        line.insert(0, '\n');
    }
    fs::append(file, line)
}

/// Appends `report` to `file` with the time, this machine's host name and the commit it
/// measured: the `--rev` revision, else `git rev-parse HEAD` in `repo_dir` (none outside git).
pub(crate) fn record(runner: &dyn Runner, file: &Path, repo_dir: &Path, report: &Report) -> Result<()> {
    let git_commit = report.revision.clone().or_else(|| {
        let head = CommandSpec::new("git").args(["rev-parse", "HEAD"]).cwd(repo_dir);
        runner.run(&head).ok().filter(|o| o.success()).map(|o| o.stdout.trim().to_string())
    });
    let host =
        std::fs::read_to_string("/proc/sys/kernel/hostname").map_or_else(|_| "unknown".into(), |h| h.trim().into());
    append(file, &HistoryEntry { recorded_at: utc_timestamp(SystemTime::now()), git_commit, host, report })
}

/// A recorded run, as read back.
struct Entry {
    recorded_at: String,
    git_commit: Option<String>,
    report: SavedReport,
}

/// The entries of a history file, and how many lines could not be read (a run killed while
/// appending, a hand edit): those are skipped, not fatal.
fn read_entries(text: &str) -> (Vec<Entry>, usize) {
    let mut entries = Vec::new();
    let mut broken = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry = serde_json::from_str::<serde_json::Value>(line).ok().and_then(|value| {
            let report = SavedReport::from_json(value.get("report")?).ok()?;
            Some(Entry {
                recorded_at: value.get("recorded_at").and_then(|v| v.as_str()).unwrap_or("?").to_string(),
                git_commit: value.get("git_commit").and_then(|v| v.as_str()).map(str::to_string),
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

/// Reads `history.jsonl` into its per-toolchain view: every run's medians, with the change from
/// the toolchain's previous run where both were measured the same way (no runs when the file
/// does not exist yet).
pub(crate) fn read(file: &Path) -> Result<History> {
    let text = if file.exists() { fs::read_to_string(file)? } else { String::new() };
    let (entries, unreadable_lines) = read_entries(&text);
    let mut versions: Vec<&str> =
        entries.iter().flat_map(|e| e.report.rows.iter().map(|r| r.version.as_str())).collect();
    versions.sort_by_key(|v| semver::Version::parse(v).ok());
    versions.dedup();
    let scenarios: Vec<Scenario> = Scenario::ALL
        .into_iter()
        .filter(|s| entries.iter().any(|e| e.report.rows.iter().any(|r| r.wall.contains_key(s))))
        .collect();
    let toolchains = versions.into_iter().map(|version| {
        // The run before, for each scenario: its median, how it was measured and with which build.
        let mut previous: BTreeMap<Scenario, (f64, &Setup, Option<&str>)> = BTreeMap::new();
        let mut points = Vec::new();
        for entry in &entries {
            let Some(row) = entry.report.rows.iter().find(|r| r.version == version) else { continue };
            let setup = &entry.report.setup;
            let medians: BTreeMap<Scenario, f64> = row.wall.iter().map(|(s, w)| (*s, w.median_s)).collect();
            let mut change_pct = BTreeMap::new();
            let mut new_setup = Vec::new();
            for (scenario, now) in &medians {
                if let Some((before, then, rustc)) = previous.get(scenario) {
                    let mut differ = then.differences(setup);
                    if *rustc != row.rustc.as_deref() {
                        let name = |r: Option<&str>| r.unwrap_or("unknown").to_string();
                        differ.push(format!("compiler `{}` then, `{}` now", name(*rustc), name(row.rustc.as_deref())));
                    }
                    if differ.is_empty() && *before > 0.0 {
                        change_pct.insert(*scenario, (now / before - 1.0) * 100.0);
                    }
                    for d in differ {
                        if !new_setup.contains(&d) {
                            new_setup.push(d);
                        }
                    }
                }
                previous.insert(*scenario, (*now, setup, row.rustc.as_deref()));
            }
            points.push(HistoryPoint {
                recorded_at: entry.recorded_at.clone(),
                git_commit: entry.git_commit.clone(),
                what: format!("{}/{}", setup.command, setup.profile),
                status: row.status,
                medians,
                change_pct,
                new_setup,
            });
        }
        ToolchainHistory { version: version.to_string(), points }
    });
    Ok(History {
        file: file.display().to_string(),
        runs: entries.len(),
        unreadable_lines,
        scenarios: scenarios.clone(),
        toolchains: toolchains.collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::export::Format;
    use crate::testing::{sample_report, scaled};

    /// The table `cargo timewarp history` prints for `file`.
    fn summarize(file: &Path) -> Result<String> {
        Ok(Format::Table.exporter(false, None).history(&read(file)?))
    }

    #[test]
    fn history_appends_a_line_per_run_and_summarises_per_version() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        assert!(summarize(&file).unwrap().starts_with("no runs recorded yet"));
        let first = sample_report();
        let second = scaled(&first, 1.5);
        for (report, at, commit) in
            [(&first, "2026-11-27T10:00:00Z", "aaaaaaaaaaaa"), (&second, "2026-11-28T10:00:00Z", "bbbb")]
        {
            let entry =
                HistoryEntry { recorded_at: at.into(), git_commit: Some(commit.into()), host: "ci".into(), report };
            append(&file, &entry).unwrap();
        }
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
        assert!(lines[2].contains("bbbb") && lines[2].contains("39.2 s (+50%)"), "{text}");
        assert!(text.contains("\n1.63.0\n"), "failed rows are listed too: {text}");
        let mut release = scaled(&first, 2.0);
        release.profile = "release".into();
        let entry = HistoryEntry {
            recorded_at: "2026-11-29T10:00:00Z".into(),
            git_commit: None,
            host: "ci".into(),
            report: &release,
        };
        append(&file, &entry).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.contains("52.2 s (new setup)"), "a release run is not compared with dev ones: {text}");
        assert!(text.contains("  new setup at 2026-11-29T10:00:00Z: profile dev then, release now\n"), "{text}");
        assert!(text.contains("failed"), "{text}");
    }

    #[test]
    fn records_carry_the_measured_commit() {
        use crate::testing::FakeRunner;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let runner = FakeRunner::new().ok("git rev-parse HEAD", "abc123\n");
        let mut report = sample_report();
        record(&runner, &file, dir.path(), &report).unwrap();
        report.revision = Some("def456".into());
        record(&runner, &file, dir.path(), &report).unwrap();
        let outside_git = FakeRunner::new().fail("git", 128, "fatal: not a git repository");
        record(&outside_git, &file, dir.path(), &sample_report()).unwrap();
        let entries: Vec<serde_json::Value> =
            std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let commits: Vec<Option<&str>> = entries.iter().map(|e| e["git_commit"].as_str()).collect();
        assert_eq!(commits, [Some("abc123"), Some("def456"), None], "HEAD, the --rev revision, nothing outside git");
        assert!(entries[0]["recorded_at"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn a_broken_last_line_is_skipped_and_never_glued_to_the_next_entry() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let report = sample_report();
        let entry = HistoryEntry {
            recorded_at: "2026-11-27T10:00:00Z".into(),
            git_commit: None,
            host: "ci".into(),
            report: &report,
        };
        append(&file, &entry).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, &text[..text.len() / 2]).unwrap(); // killed mid-append
        assert!(summarize(&file).unwrap().starts_with("0 runs recorded in"));
        assert!(summarize(&file).unwrap().contains("(1 unreadable lines skipped)"));
        append(&file, &entry).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.starts_with("1 runs recorded in") && text.contains("(1 unreadable lines skipped)"), "{text}");
    }

    #[test]
    fn schema_1_entries_still_show() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let old = r#"{"recorded_at":"2026-11-01T00:00:00Z","git_commit":null,"host":"h","report":{"schema":1,"command":"build","profile":"dev","toolchains":[{"version":"1.85.0","status":"ok","clean":{"median_s":3.0,"mean_s":3.0,"stddev_s":0.0,"min_s":3.0,"max_s":3.0,"runs_s":[3.0]},"incremental":null}]}}"#;
        std::fs::write(&file, format!("{old}\n")).unwrap();
        let text = summarize(&file).unwrap();
        assert!(text.contains("3.00 s"), "{text}");
    }
}
