//! Reports read back: a `--baseline` file and the entries of `history.jsonl`, through serde
//! derive. The current schema is read into the report model itself; schema 1, whose figures had
//! fields of their own (`clean`, `incremental`, `patched`), into its own small shape. Either way
//! the result is a [`SavedReport`]: how it was measured, and each row's wall times.
//!
//! A saved file is untrusted input (hand-edited, cut short by a full disk): every time must be a
//! positive, finite number of seconds below a year, or the file is refused with one sentence
//! naming the row. Nothing here panics on any input.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::model::{Report, SCHEMA_VERSION, Setup, Status};
use crate::measure::stats::Summary;
use crate::vocab::Scenario;
#[cfg(test)]
use crate::vocab::{Command, Profile};

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
    /// Wall times per scenario.
    pub wall: BTreeMap<Scenario, Summary>,
}

/// The one field every schema has.
#[derive(Deserialize)]
struct Probe {
    schema: u32,
}

/// Schema 1, as the first releases wrote it.
mod v1 {
    use serde::Deserialize;

    use crate::measure::stats::Summary;
    use crate::report::model::Status;
    use crate::vocab::{Command, Profile};

    fn build() -> Command {
        Command::Build
    }

    fn dev() -> Profile {
        Profile::Dev
    }

    #[derive(Deserialize)]
    pub(super) struct Report {
        #[serde(default = "build")]
        pub command: Command,
        #[serde(default = "dev")]
        pub profile: Profile,
        pub touched_file: Option<String>,
        pub cores: Option<u64>,
        pub jobs: Option<u64>,
        pub workspace: Option<String>,
        #[serde(default)]
        pub packages: Vec<String>,
        pub toolchains: Vec<Row>,
    }

    #[derive(Deserialize)]
    pub(super) struct Row {
        pub version: String,
        pub status: Status,
        pub rustc: Option<String>,
        pub clean: Option<Summary>,
        pub incremental: Option<Summary>,
        pub patched: Option<Summary>,
    }
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
            1 => from_v1(serde_json::from_value(value).map_err(|e| format!("it is not a schema 1 report: {e}"))?),
            SCHEMA_VERSION => {
                let report: Report = serde_json::from_value(value)
                    .map_err(|e| format!("it is not a schema {SCHEMA_VERSION} report: {e}"))?;
                from_current(report)
            }
            other => return Err(format!("it has schema {other}; this timewarp reads schemas 1 and {SCHEMA_VERSION}")),
        };
        saved.validated()
    }

    /// The report, when every time in it is a positive number of seconds below a year.
    fn validated(self) -> Result<SavedReport, String> {
        for row in &self.rows {
            for (scenario, wall) in &row.wall {
                let times = wall.runs_s.iter().chain([&wall.median_s, &wall.min_s, &wall.max_s, &wall.mean_s]);
                if let Some(bad) = times.copied().find(|t| !(t.is_finite() && *t > 0.0 && *t < MAX_SECONDS)) {
                    let bad = if bad.is_finite() && bad.abs() < 1e9 { format!("{bad}") } else { format!("{bad:e}") };
                    return Err(format!(
                        "the {scenario} times of {} hold {bad}, which is not a build time in seconds (positive, below a year)",
                        row.version
                    ));
                }
            }
        }
        Ok(self)
    }
}

fn from_v1(report: v1::Report) -> SavedReport {
    let rows = report
        .toolchains
        .into_iter()
        .map(|row| {
            let figures =
                [(Scenario::Clean, row.clean), (Scenario::Touched, row.incremental), (Scenario::Edited, row.patched)];
            SavedRow {
                version: row.version,
                status: row.status,
                rustc: row.rustc,
                wall: figures.into_iter().filter_map(|(s, f)| Some((s, f?))).collect(),
            }
        })
        .collect();
    let setup = Setup {
        schema: 1,
        command: report.command,
        profile: report.profile,
        touched_file: report.touched_file,
        cores: report.cores,
        jobs: report.jobs,
        packages: report.packages,
    };
    SavedReport { setup, workspace: report.workspace, rows }
}

fn from_current(report: Report) -> SavedReport {
    let rows = report
        .toolchains
        .iter()
        .map(|row| SavedRow {
            version: row.version.clone(),
            status: row.status,
            rustc: Some(row.rustc.clone()),
            wall: row.scenarios.iter().map(|(s, f)| (*s, f.wall.clone())).collect(),
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
        assert_eq!((saved.setup.schema, saved.setup.command), (1, Command::Check));
        let row = &saved.rows[0];
        assert_eq!(row.wall.keys().copied().collect::<Vec<_>>(), [Scenario::Clean, Scenario::Touched]);
        assert_eq!(row.wall[&Scenario::Touched].median_s, 2.0);
    }

    #[test]
    fn reads_the_current_schema_through_the_model() {
        let report = crate::testing::sample_report();
        let saved = SavedReport::from_slice(serde_json::to_string(&report).unwrap().as_bytes()).unwrap();
        assert_eq!(saved.setup, report.setup());
        assert_eq!(saved.rows.len(), 3);
        assert_eq!(saved.rows[1].wall[&Scenario::Clean].median_s, 26.1);
        assert_eq!(saved.workspace.as_deref(), Some("/work/app"));
    }

    #[test]
    fn setups_say_what_differs() {
        let setup = |schema, profile: Profile, cores, packages: &[&str]| Setup {
            schema,
            command: Command::Build,
            profile,
            touched_file: Some("src/main.rs".into()),
            cores: Some(cores),
            jobs: None,
            packages: packages.iter().map(|p| p.to_string()).collect(),
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
        let summary = |median: f64| serde_json::json!({"median_s": median, "mean_s": 2.0, "stddev_s": 0.0, "min_s": 2.0, "max_s": 2.0, "runs_s": [2.0]});
        let row = |median: f64| serde_json::json!({"schema": 1, "toolchains": [{"version": "1.85.0", "status": "ok", "clean": summary(median)}]});
        for (value, error) in [
            (serde_json::json!({}), "it has no `schema` number"),
            (
                serde_json::json!({"schema": 9, "toolchains": []}),
                "it has schema 9; this timewarp reads schemas 1 and 2",
            ),
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
