//! Results over time: the run log `history.jsonl`, its per-toolchain summary, and the
//! pre-release gate that compares a run with a saved baseline report.
//!
//! Saved files are read leniently (only the fields compared), so reports written by other
//! versions of timewarp with the same `schema` still load. It never runs builds.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use crate::report::{Report, SCHEMA_VERSION, Status};
use crate::stats::Summary;

/// One line of `history.jsonl`: a completed run and where it ran.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry<'a> {
    /// UTC time the run finished, `2026-11-28T10:20:00Z`.
    pub recorded_at: String,
    /// `git rev-parse HEAD` of the workspace, if it is a git checkout.
    pub git_commit: Option<String>,
    /// The machine's host name.
    pub host: String,
    /// The full report.
    pub report: &'a Report,
}

/// Appends `entry` as one JSON line to `file`.
pub fn append(file: &Path, entry: &HistoryEntry<'_>) -> Result<()> {
    use std::io::Write as _;
    let mut line = serde_json::to_string(entry).expect("a history entry always serialises");
    line.push('\n');
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| format!("could not open `{}`", file.display()))?;
    out.write_all(line.as_bytes()).with_context(|| format!("could not write `{}`", file.display()))
}

/// Appends `report` to `file` as a [`HistoryEntry`], with the commit it measured: the `--rev`
/// revision, else `git rev-parse HEAD` in `repo_dir` (none outside git).
pub fn record(
    runner: &dyn crate::process::Runner,
    file: &Path,
    repo_dir: &Path,
    report: &Report,
    recorded_at: String,
    host: String,
) -> Result<()> {
    let git_commit = report.revision.clone().or_else(|| {
        let head = crate::process::CommandSpec::new("git").args(["rev-parse", "HEAD"]).cwd(repo_dir);
        runner.run(&head).ok().filter(|o| o.success()).map(|o| o.stdout.trim().to_string())
    });
    append(file, &HistoryEntry { recorded_at, git_commit, host, report })
}

/// What the gate and the history summary read from a saved report.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedReport {
    /// Must be [`SCHEMA_VERSION`].
    pub schema: u32,
    /// Cargo command timed, when recorded.
    #[serde(default)]
    pub command: Option<String>,
    /// Profile timed.
    #[serde(default)]
    pub profile: Option<String>,
    /// The rows.
    pub toolchains: Vec<SavedRow>,
}

/// One row of a saved report.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedRow {
    /// The rustc version.
    pub version: String,
    /// ok, failed or interrupted.
    pub status: Status,
    /// Clean build times.
    pub clean: Option<Summary>,
    /// Incremental rebuild times.
    pub incremental: Option<Summary>,
}

#[derive(Debug, Clone, Deserialize)]
struct SavedEntry {
    recorded_at: String,
    git_commit: Option<String>,
    report: SavedReport,
}

/// Reads a report exported with `--format json`.
pub fn read_baseline(path: &Path) -> Result<SavedReport> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("could not read baseline `{}`", path.display()))?;
    let report: SavedReport = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!("baseline `{}` is not a timewarp JSON report (--format json): {e}", path.display())
    })?;
    if report.schema != SCHEMA_VERSION {
        bail!(
            "baseline `{}` has schema {}; this timewarp reads schema {SCHEMA_VERSION}",
            path.display(),
            report.schema
        );
    }
    Ok(report)
}

/// One figure compared with the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The rustc version both rows share.
    pub version: String,
    /// `clean` or `incremental`.
    pub scenario: String,
    /// Baseline median, seconds.
    pub baseline_s: f64,
    /// Current median, seconds.
    pub current_s: f64,
    /// Percent change of the median; positive is slower.
    pub change_pct: f64,
    /// Coefficient of variation of the current runs, percent: the noise to weigh it against.
    pub spread_pct: f64,
    /// The same for the baseline's runs.
    pub baseline_spread_pct: f64,
    /// Whether it got slower by more than the allowed regression.
    pub regressed: bool,
}

/// The comparison with a baseline report: the project's own compile-time change, version by
/// version (not toolchain against toolchain).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline file.
    pub baseline: String,
    /// `--max-regression`, percent.
    pub max_regression_pct: Option<f64>,
    /// Every comparable figure.
    pub changes: Vec<Change>,
}

impl Comparison {
    /// The worst regression beyond the limit, if any.
    pub fn worst_regression(&self) -> Option<&Change> {
        self.changes.iter().filter(|c| c.regressed).max_by(|a, b| a.change_pct.total_cmp(&b.change_pct))
    }
}

impl Change {
    /// `1.96.0 incremental: 0.532 s -> 0.641 s (+20.5%; spread 3% now, 2% in the baseline)`.
    pub fn describe(&self) -> String {
        format!(
            "{} {}: {:.3} s -> {:.3} s ({:+.1}%; spread {:.0}% now, {:.0}% in the baseline)",
            self.version,
            self.scenario,
            self.baseline_s,
            self.current_s,
            self.change_pct,
            self.spread_pct,
            self.baseline_spread_pct
        )
    }
}

/// Compares `current` with `baseline`, same version against same version, for rows that
/// succeeded in both.
pub fn compare(baseline: &SavedReport, baseline_path: &Path, current: &Report, max_pct: Option<f64>) -> Comparison {
    let mut changes = Vec::new();
    for row in current.toolchains.iter().filter(|r| r.status == Status::Ok) {
        let Some(old) = baseline.toolchains.iter().find(|b| b.version == row.version && b.status == Status::Ok) else {
            continue;
        };
        for (scenario, now, then) in
            [("clean", &row.clean, &old.clean), ("incremental", &row.incremental, &old.incremental)]
        {
            let (Some(now), Some(then)) = (now, then) else { continue };
            if then.median_s <= 0.0 {
                continue;
            }
            let change_pct = (now.median_s / then.median_s - 1.0) * 100.0;
            changes.push(Change {
                version: row.version.clone(),
                scenario: scenario.to_string(),
                baseline_s: then.median_s,
                current_s: now.median_s,
                change_pct,
                spread_pct: now.relative_spread() * 100.0,
                baseline_spread_pct: then.relative_spread() * 100.0,
                regressed: max_pct.is_some_and(|max| change_pct > max),
            });
        }
    }
    Comparison { baseline: baseline_path.display().to_string(), max_regression_pct: max_pct, changes }
}

/// The `cargo timewarp history` view of `history.jsonl`: per toolchain version, every run's
/// medians with the change from the run before.
pub fn summarize(file: &Path) -> Result<String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(format!("no runs recorded yet in `{}`; run `cargo timewarp` first\n", file.display()));
        }
        Err(e) => return Err(e).with_context(|| format!("could not read `{}`", file.display())),
    };
    let mut entries = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let entry: SavedEntry = serde_json::from_str(line)
            .with_context(|| format!("could not read line {} of `{}`", n + 1, file.display()))?;
        entries.push(entry);
    }
    let mut versions: Vec<&str> =
        entries.iter().flat_map(|e| e.report.toolchains.iter().map(|r| r.version.as_str())).collect();
    versions.sort_by_key(|v| semver::Version::parse(v).ok());
    versions.dedup();

    let mut out = format!("{} runs recorded in `{}`\n", entries.len(), file.display());
    for version in versions {
        let _ = writeln!(out, "\n{version}");
        let _ = writeln!(
            out,
            "  {:<20}  {:<10}  {:<7}  {:>18}  {:>18}",
            "recorded", "commit", "what", "clean", "incremental"
        );
        let mut previous: Option<(f64, f64)> = None;
        for entry in &entries {
            let Some(row) = entry.report.toolchains.iter().find(|r| r.version == version) else { continue };
            let commit = entry.git_commit.as_deref().map_or("-", |c| &c[..c.len().min(10)]);
            let what = format!(
                "{}/{}",
                entry.report.command.as_deref().unwrap_or("build"),
                entry.report.profile.as_deref().unwrap_or("dev")
            );
            let median = |s: &Option<Summary>| s.as_ref().map(|s| s.median_s);
            let (clean, incremental) = (median(&row.clean), median(&row.incremental));
            let cell = |now: Option<f64>, before: Option<f64>| match (now, before) {
                (Some(now), Some(before)) if before > 0.0 => {
                    format!("{now:.3} s ({:+.0}%)", (now / before - 1.0) * 100.0)
                }
                (Some(now), _) => format!("{now:.3} s"),
                (None, _) => row.status.as_str().to_string(),
            };
            let _ = writeln!(
                out,
                "  {:<20}  {commit:<10}  {what:<7}  {:>18}  {:>18}",
                entry.recorded_at,
                cell(clean, previous.map(|p| p.0)),
                cell(incremental, previous.map(|p| p.1)),
            );
            if let (Some(c), Some(i)) = (clean, incremental) {
                previous = Some((c, i));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    fn saved(report: &Report) -> SavedReport {
        serde_json::from_str(&serde_json::to_string(report).unwrap()).unwrap()
    }

    fn scaled(report: &Report, factor: f64) -> Report {
        let mut report = report.clone();
        for row in &mut report.toolchains {
            for summary in [&mut row.clean, &mut row.incremental].into_iter().flatten() {
                let runs: Vec<f64> = summary.runs_s.iter().map(|r| r * factor).collect();
                *summary = Summary::of(&runs).unwrap();
            }
        }
        report
    }

    #[test]
    fn a_slower_project_fails_the_gate_and_a_faster_one_passes() {
        let baseline = sample_report();
        let path = Path::new("base.json");
        let slower = compare(&saved(&baseline), path, &scaled(&baseline, 1.2), Some(10.0));
        assert_eq!(slower.changes.len(), 4, "two ok rows x clean/incremental; the failed row is not comparable");
        assert!(slower.changes.iter().all(|c| c.regressed && (c.change_pct - 20.0).abs() < 1e-9));
        let worst = slower.worst_regression().unwrap();
        assert!(worst.describe().contains("(+20.0%; spread"), "{}", worst.describe());

        let faster = compare(&saved(&baseline), path, &scaled(&baseline, 1.0 / 1.2), Some(10.0));
        assert!(faster.worst_regression().is_none());
        assert!(faster.changes.iter().all(|c| c.change_pct < -16.0));

        let no_limit = compare(&saved(&baseline), path, &scaled(&baseline, 1.2), None);
        assert!(no_limit.worst_regression().is_none(), "without --max-regression nothing fails");
    }

    #[test]
    fn versions_are_matched_not_positions() {
        let baseline = sample_report();
        let mut current = scaled(&baseline, 1.0);
        current.toolchains.remove(1); // 1.85.0 not measured this time
        let comparison = compare(&saved(&baseline), Path::new("b"), &current, Some(5.0));
        assert!(comparison.changes.iter().all(|c| c.version == "1.96.0"));
        assert_eq!(comparison.changes.len(), 2);
    }

    #[test]
    fn baselines_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.json");
        std::fs::write(&file, "not json").unwrap();
        let err = read_baseline(&file).unwrap_err().to_string();
        assert!(err.starts_with(&format!("baseline `{}` is not a timewarp JSON report", file.display())), "{err}");
        std::fs::write(&file, r#"{"schema": 2, "toolchains": []}"#).unwrap();
        assert!(read_baseline(&file).unwrap_err().to_string().ends_with("has schema 2; this timewarp reads schema 1"));
        let missing = read_baseline(&dir.path().join("nope.json")).unwrap_err();
        assert!(missing.to_string().starts_with("could not read baseline `"));
    }

    #[test]
    fn records_carry_the_measured_commit() {
        use crate::testing::FakeRunner;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history.jsonl");
        let runner = FakeRunner::new().ok("git rev-parse HEAD", "abc123\n");
        let mut report = sample_report();
        record(&runner, &file, dir.path(), &report, "2026-11-28T10:00:00Z".into(), "ci".into()).unwrap();
        report.revision = Some("def456".into());
        record(&runner, &file, dir.path(), &report, "2026-11-28T11:00:00Z".into(), "ci".into()).unwrap();
        let commits: Vec<String> = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["git_commit"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(commits, ["abc123", "def456"], "HEAD, then the --rev revision");
        let outside_git = FakeRunner::new().fail("git", 128, "fatal: not a git repository");
        record(&outside_git, &file, dir.path(), &sample_report(), "t".into(), "ci".into()).unwrap();
        let last: serde_json::Value =
            serde_json::from_str(std::fs::read_to_string(&file).unwrap().lines().last().unwrap()).unwrap();
        assert!(last["git_commit"].is_null());
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
        assert!(
            lines[1].contains("2026-11-27T10:00:00Z")
                && lines[1].contains("aaaaaaaaaa ")
                && lines[1].contains("26.100 s"),
            "{text}"
        );
        assert!(lines[2].contains("bbbb") && lines[2].contains("39.150 s (+50%)"), "{text}");
        assert!(text.contains("\n1.63.0\n"), "failed rows are listed too: {text}");
        assert!(text.contains("failed"), "{text}");
    }
}
