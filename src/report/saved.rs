//! Reports read back: a `--baseline` file and the entries of `history.jsonl`, through serde
//! derive. The current schema is read into the report model itself; schemas 1 to 3 into small
//! shapes of their own (schema 1's figures had fields of their own, `clean`, `incremental`,
//! `patched`; schemas 2 and 3 keyed them by scenario, under one report-wide `command`, so a
//! `check` report's `clean` and `touched` are today's `check` and `check-touched`). Either way
//! the result is a [`SavedReport`]: how it was measured, and each row's wall times.
//!
//! A saved file is untrusted input (hand-edited, cut short by a full disk): every time must be a
//! positive, finite number of seconds below a year, or the file is refused with one sentence
//! naming the row. Nothing here panics on any input.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::model::{Report, SCHEMA_VERSION, Setup, Status};
use crate::vocab::{Command, Profile, Scenario};

/// What the gate and the history read from a saved report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SavedReport {
    /// How it was measured.
    pub setup: Setup,
    /// The workspace it measured, as recorded.
    pub workspace: Option<String>,
    /// The rows.
    pub rows: Vec<SavedRow>,
}

/// One row of a saved report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SavedRow {
    /// The rustc version.
    pub version: String,
    /// ok, failed or interrupted.
    pub status: Status,
    /// `rustc -V` of its compiler: two builds of one version differ here.
    pub rustc: Option<String>,
    /// Wall times per scenario, every sample, seconds.
    pub wall: BTreeMap<Scenario, Vec<f64>>,
}

/// The one field every schema has.
#[derive(Deserialize)]
struct Probe {
    schema: u32,
}

/// The figures of schemas 1 and 2: a summary of the wall times, of which the samples matter.
#[derive(Deserialize)]
struct Summary {
    runs_s: Vec<f64>,
}

/// What the older schemas share at the top.
#[derive(Deserialize)]
struct Head {
    #[serde(default = "build")]
    command: Command,
    #[serde(default = "dev")]
    profile: Profile,
    touched_file: Option<String>,
    cores: Option<u64>,
    jobs: Option<u64>,
    workspace: Option<String>,
    #[serde(default)]
    packages: Vec<String>,
}

fn build() -> Command {
    Command::Build
}

fn dev() -> Profile {
    Profile::Dev
}

/// Schema 1, as the first releases wrote it.
#[derive(Deserialize)]
struct V1 {
    #[serde(flatten)]
    head: Head,
    toolchains: Vec<V1Row>,
}

#[derive(Deserialize)]
struct V1Row {
    version: String,
    status: Status,
    rustc: Option<String>,
    clean: Option<Summary>,
    incremental: Option<Summary>,
    patched: Option<Summary>,
}

/// Schemas 2 and 3: figures keyed by scenario (3 added intervals and rounds, which are not read).
#[derive(Deserialize)]
struct V2 {
    #[serde(flatten)]
    head: Head,
    toolchains: Vec<V2Row>,
}

#[derive(Deserialize)]
struct V2Row {
    version: String,
    status: Status,
    rustc: Option<String>,
    #[serde(default)]
    scenarios: BTreeMap<Scenario, V2Figures>,
}

#[derive(Deserialize)]
struct V2Figures {
    wall: Summary,
}

/// What an older report's scenario is called today: under `command: check`, `clean` and
/// `touched` were `cargo check` builds; its `edited` has no counterpart and is dropped.
fn renamed(command: Command, scenario: Scenario) -> Option<Scenario> {
    match (command, scenario) {
        (Command::Check, Scenario::Clean) => Some(Scenario::Check),
        (Command::Check, Scenario::Touched) => Some(Scenario::CheckTouched),
        (Command::Check, _) => None,
        (_, scenario) => Some(scenario),
    }
}

fn setup(schema: u32, head: Head) -> (Setup, Option<String>) {
    let setup = Setup {
        schema,
        profile: head.profile,
        touched_file: head.touched_file,
        cores: head.cores,
        jobs: head.jobs,
        packages: head.packages,
        cpu: None,
        deep_library: None,
    };
    (setup, head.workspace)
}

/// The longest build time a saved report may hold: a year of seconds.
const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

impl SavedReport {
    /// Reads a report from JSON text; the error says what is wrong, in one sentence.
    pub(crate) fn from_slice(bytes: &[u8]) -> Result<SavedReport, String> {
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        SavedReport::from_value(value)
    }

    /// Reads a report from its JSON value; the error says what is wrong, in one sentence.
    pub(crate) fn from_value(value: serde_json::Value) -> Result<SavedReport, String> {
        let Probe { schema } = Probe::deserialize(&value).map_err(|_| "it has no `schema` number".to_string())?;
        let saved = match schema {
            1 => {
                let v1: V1 = serde_json::from_value(value).map_err(|e| format!("it is not a schema 1 report: {e}"))?;
                let command = v1.head.command;
                let rows = v1
                    .toolchains
                    .into_iter()
                    .map(|row| {
                        let figures = [
                            (Scenario::Clean, row.clean),
                            (Scenario::Touched, row.incremental),
                            (Scenario::Edited, row.patched),
                        ];
                        let wall =
                            figures.into_iter().filter_map(|(s, f)| Some((renamed(command, s)?, f?.runs_s))).collect();
                        SavedRow { version: row.version, status: row.status, rustc: row.rustc, wall }
                    })
                    .collect();
                let (setup, workspace) = setup(1, v1.head);
                SavedReport { setup, workspace, rows }
            }
            2 | 3 => {
                let v2: V2 =
                    serde_json::from_value(value).map_err(|e| format!("it is not a schema {schema} report: {e}"))?;
                let command = v2.head.command;
                let rows = v2
                    .toolchains
                    .into_iter()
                    .map(|row| SavedRow {
                        version: row.version,
                        status: row.status,
                        rustc: row.rustc,
                        wall: row
                            .scenarios
                            .into_iter()
                            .filter_map(|(s, f)| Some((renamed(command, s)?, f.wall.runs_s)))
                            .collect(),
                    })
                    .collect();
                let (setup, workspace) = setup(schema, v2.head);
                SavedReport { setup, workspace, rows }
            }
            SCHEMA_VERSION => {
                let report: Report = serde_json::from_value(value)
                    .map_err(|e| format!("it is not a schema {SCHEMA_VERSION} report: {e}"))?;
                from_current(report)
            }
            other => {
                return Err(format!("it has schema {other}; this timewarp reads schemas 1 to {SCHEMA_VERSION}"));
            }
        };
        saved.validated()
    }

    /// The report, when every time in it is a positive number of seconds below a year.
    fn validated(self) -> Result<SavedReport, String> {
        for row in &self.rows {
            for (scenario, wall) in &row.wall {
                if let Some(bad) = wall.iter().copied().find(|t| !(t.is_finite() && *t > 0.0 && *t < MAX_SECONDS)) {
                    let bad = if bad.is_finite() && bad.abs() < 1e9 { format!("{bad}") } else { format!("{bad:e}") };
                    return Err(format!(
                        "the {scenario} times of {} hold {bad}, which is not a build time in seconds (positive, below a year)",
                        row.version
                    ));
                }
                if wall.is_empty() {
                    return Err(format!("the {scenario} figures of {} hold no time", row.version));
                }
            }
        }
        Ok(self)
    }
}

fn from_current(report: Report) -> SavedReport {
    let rows = report
        .toolchains
        .iter()
        .map(|row| SavedRow {
            version: row.version.clone(),
            status: row.status,
            rustc: Some(row.rustc.clone()),
            wall: row.scenarios.iter().map(|(s, f)| (*s, f.wall.runs_s.clone())).collect(),
        })
        .collect();
    SavedReport { setup: report.setup(), workspace: Some(report.workspace), rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_schema_1_under_the_new_names() {
        let summary = serde_json::json!({"median_s": 2.0, "mean_s": 2.0, "stddev_s": 0.0, "min_s": 2.0, "max_s": 2.0, "runs_s": [2.0]});
        let v1 = serde_json::json!({
            "schema": 1, "command": "check", "profile": "dev",
            "toolchains": [{"version": "1.85.0", "status": "ok", "clean": summary, "incremental": summary, "patched": null}]
        });
        let saved = SavedReport::from_value(v1).unwrap();
        assert_eq!(saved.setup.schema, 1);
        let row = &saved.rows[0];
        assert_eq!(
            row.wall.keys().copied().collect::<Vec<_>>(),
            [Scenario::Check, Scenario::CheckTouched],
            "a `check` report's builds are today's check scenarios"
        );
        assert_eq!(row.wall[&Scenario::CheckTouched], [2.0]);
    }

    #[test]
    fn reads_the_current_schema_through_the_model() {
        let report = crate::testing::sample_report();
        let saved = SavedReport::from_slice(serde_json::to_string(&report).unwrap().as_bytes()).unwrap();
        assert_eq!(saved.setup, report.setup());
        assert_eq!(saved.rows.len(), 3);
        assert_eq!(saved.rows[1].wall[&Scenario::Clean], [26.1]);
        assert_eq!(saved.workspace.as_deref(), Some("/work/app"));
    }

    #[test]
    fn setups_say_what_differs() {
        let setup = |schema, profile: Profile, cores, packages: &[&str]| Setup {
            schema,
            profile,
            touched_file: Some("src/main.rs".into()),
            cores: Some(cores),
            jobs: None,
            packages: packages.iter().map(|p| p.to_string()).collect(),
            cpu: None,
            deep_library: None,
        };
        assert!(setup(2, Profile::Dev, 2, &["a"]).differences(&setup(2, Profile::Dev, 2, &["a"])).is_empty());
        assert_eq!(
            setup(1, Profile::Dev, 8, &["a"]).differences(&setup(2, Profile::Release, 2, &["b", "c"])),
            [
                "schema 1 then, 2 now",
                "profile dev then, release now",
                "cores 8 then, 2 now",
                "packages a then, b, c now"
            ]
        );
    }

    #[test]
    fn names_what_is_wrong() {
        let summary = |run: f64| serde_json::json!({"median_s": 2.0, "mean_s": 2.0, "stddev_s": 0.0, "min_s": 2.0, "max_s": 2.0, "runs_s": [run]});
        let row = |median: f64| serde_json::json!({"schema": 1, "toolchains": [{"version": "1.85.0", "status": "ok", "clean": summary(median)}]});
        for (value, error) in [
            (serde_json::json!({}), "it has no `schema` number"),
            (serde_json::json!({"schema": 9, "toolchains": []}), "it has schema 9; this timewarp reads schemas 1 to 4"),
            (serde_json::json!({"schema": 1}), "it is not a schema 1 report: missing field `toolchains`"),
            (
                row(-3.0),
                "the clean times of 1.85.0 hold -3, which is not a build time in seconds (positive, below a year)",
            ),
            (
                row(0.0),
                "the clean times of 1.85.0 hold 0, which is not a build time in seconds (positive, below a year)",
            ),
            (
                row(1e308),
                "the clean times of 1.85.0 hold 1e308, which is not a build time in seconds (positive, below a year)",
            ),
        ] {
            assert_eq!(SavedReport::from_value(value).unwrap_err(), error);
        }
        assert!(SavedReport::from_slice(b"{\"schema\": 2").unwrap_err().contains("EOF"));
        let v2 = serde_json::json!({"schema": 2, "command": "build", "profile": "dev", "packages": ["app"],
            "toolchains": [{"version": "1.85.0", "status": "ok", "rustc": "rustc 1.85.0",
                "scenarios": {"clean": {"wall": {"median_s": 3.0, "runs_s": [3.0, 3.1]}}}}]});
        let saved = SavedReport::from_value(v2).unwrap();
        assert_eq!((saved.setup.schema, saved.rows[0].wall[&Scenario::Clean].clone()), (2, vec![3.0, 3.1]));
        let v3 = serde_json::json!({"schema": 3, "command": "build", "profile": "dev", "packages": ["app"],
            "toolchains": [{"version": "1.85.0", "status": "ok", "rustc": "rustc 1.85.0",
                "scenarios": {"touched": {"wall": {"median_s": 0.5, "runs_s": [0.5, 0.6], "rounds": [0, 1]}}}}]});
        let saved = SavedReport::from_value(v3).unwrap();
        assert_eq!((saved.setup.schema, saved.rows[0].wall[&Scenario::Touched].clone()), (3, vec![0.5, 0.6]));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_are_a_report_or_one_line_of_error(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            if let Err(e) = SavedReport::from_slice(&bytes) {
                proptest::prop_assert!(!e.contains('\n'), "{}", e);
            }
        }

        #[test]
        fn mangled_reports_never_panic(cut in 0usize..4000, byte in proptest::num::u8::ANY) {
            let mut text = serde_json::to_vec(&crate::testing::sample_report()).unwrap();
            let at = cut % text.len();
            text[at] = byte;
            let _ = SavedReport::from_slice(&text);
            let _ = SavedReport::from_slice(&text[..at]);
        }
    }
}
