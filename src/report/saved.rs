//! Reports read back: a `--baseline` file, the entries of `history.jsonl` and the file `cargo
//! timewarp show` renders again, through serde derive into the report model itself. Only the current schema is read (timewarp has not been
//! released, so no older report is worth converting); a report of another schema is refused in
//! one line that names it. The result is a [`SavedReport`]: how it was measured, and each row's
//! wall times.
//!
//! A saved file is untrusted input (hand-edited, cut short by a full disk): every time must be a
//! positive, finite number of seconds below a year, or the file is refused with one sentence
//! naming the row. Nothing here panics on any input.

use std::collections::BTreeMap;

use std::path::Path;

use anyhow::{Result, anyhow};
use serde::Deserialize;

use super::model::{BISECT_SCHEMA_VERSION, Bisected, Merged, Report, SCHEMA_VERSION, Setup, Status};
use super::output::Outputs;
use super::progress::Progress;
use super::tried::{TRY_SCHEMA_VERSION, Tried};
use crate::fs;
use crate::vocab::Scenario;

/// What the gate and the history read from a saved report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SavedReport {
    /// How it was measured.
    pub(crate) setup: Setup,
    /// The workspace it measured, as recorded.
    pub(crate) workspace: Option<String>,
    /// The rows.
    pub(crate) rows: Vec<SavedRow>,
}

/// One row of a saved report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SavedRow {
    /// The rustc version.
    pub(crate) version: String,
    /// ok, failed or interrupted.
    pub(crate) status: Status,
    /// `rustc -V` of its compiler: two builds of one version differ here.
    pub(crate) rustc: Option<String>,
    /// Wall times per scenario, every sample, seconds.
    pub(crate) wall: BTreeMap<Scenario, Vec<f64>>,
}

/// The one field every schema has.
#[derive(Deserialize)]
struct SchemaProbe {
    schema: u32,
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
        from_current(report_from_value(value)?).validated()
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

/// The whole report in `value`, of the current schema; the error says what is wrong, in one
/// sentence (the other documents timewarp writes are named as such).
fn report_from_value(value: serde_json::Value) -> Result<Report, String> {
    let SchemaProbe { schema } =
        SchemaProbe::deserialize(&value).map_err(|_| "it has no `schema` number".to_string())?;
    if value.get("outcome").is_some() && value.get("from").is_some() {
        return Err("it is a `bisect` document, not a run's report".into());
    }
    if value.get("machines").is_some() {
        return Err("it is a `merge` document, not a run's report".into());
    }
    if value.get("report").is_some() && value.get("recorded_at").is_some() {
        return Err("it is a line of a history file, not a run's report".into());
    }
    if schema != SCHEMA_VERSION {
        return Err(format!("it has schema {schema}; this timewarp reads schema {SCHEMA_VERSION} reports only"));
    }
    serde_json::from_value(value).map_err(|e| format!("it is not a schema {SCHEMA_VERSION} report: {e}"))
}

/// Reads the run's report saved in `file` (`--format json`, or timewarp's `last-report.json`),
/// whole and validated as [`SavedReport`] is; the error is one sentence naming the file.
#[cfg(test)]
fn read_report(file: &Path) -> Result<Report> {
    report_in(file, serde_json::from_slice(&fs::read(file)?))
}

/// The run's report in `file`'s parsed JSON (or its parse error), validated as [`read_report`]
/// says.
fn report_in(file: &Path, value: serde_json::Result<serde_json::Value>) -> Result<Report> {
    let why = |e: String| anyhow!("`{}` is not a timewarp report (`--format json`): {e}", file.display());
    let report = report_from_value(value.map_err(|e| why(e.to_string()))?).map_err(why)?;
    from_current(report.clone()).validated().map_err(why)?;
    Ok(report)
}

/// A document `cargo timewarp show` renders: a run's report, or another document timewarp writes.
enum Shown {
    Report(Box<Report>),
    Try(Box<Tried>),
    Bisect(Box<Bisected>),
    Merge(Box<Merged>),
}

/// `cargo timewarp show FILE`: the run's report, `try`, `bisect` or `merge` document saved in
/// `file`, rendered to `outputs` in any format (all but a merge also plotted), without
/// measuring again.
pub(crate) fn show(file: &Path, outputs: &Outputs, progress: &Progress) -> Result<()> {
    outputs.check()?;
    match read_shown(file)? {
        Shown::Report(report) => outputs.report(&report, progress),
        Shown::Bisect(bisected) => outputs.bisected(&bisected, progress),
        Shown::Merge(merged) => match &outputs.plot {
            Some(plot) => Err(anyhow!(
                "`{}` is a `merge` document, which has no plot; `--plot {}` draws a run's report, a `try` or a bisection",
                file.display(),
                plot.display()
            )),
            None => outputs.merged(&merged),
        },
        Shown::Try(tried) => outputs.tried(&tried, progress),
    }
}

/// The document saved in `file`, told apart by its fields: `kind: "try"`, a bisection's `from`
/// and `outcome`, a merge's `machines`, else a run's report. Each is read whole, of the schema
/// this timewarp writes; the error is one sentence naming the file.
fn read_shown(file: &Path) -> Result<Shown> {
    let value = match serde_json::from_slice::<serde_json::Value>(&fs::read(file)?) {
        Ok(value) => value,
        error => return report_in(file, error).map(boxed),
    };
    let (what, schema) = if value.get("kind").and_then(|k| k.as_str()) == Some("try") {
        ("try", TRY_SCHEMA_VERSION)
    } else if value.get("outcome").is_some() && value.get("from").is_some() {
        ("bisect", BISECT_SCHEMA_VERSION)
    } else if value.get("machines").is_some() {
        ("merge", SCHEMA_VERSION)
    } else {
        return report_in(file, Ok(value)).map(boxed);
    };
    let why = |e: String| anyhow!("`{}` is not a `{what}` document timewarp can read: {e}", file.display());
    match value.get("schema").and_then(|s| s.as_u64()) {
        Some(found) if found == u64::from(schema) => {}
        Some(found) => return Err(why(format!("it has schema {found}; this timewarp reads schema {schema}"))),
        None => return Err(why("it has no `schema` number".into())),
    }
    let shown = match what {
        "try" => serde_json::from_value(value).map(|t| Shown::Try(Box::new(t))),
        "bisect" => serde_json::from_value(value).map(|b| Shown::Bisect(Box::new(b))),
        _ => serde_json::from_value(value).map(|m| Shown::Merge(Box::new(m))),
    };
    shown.map_err(|e| why(e.to_string()))
}

fn boxed(report: Report) -> Shown {
    Shown::Report(Box::new(report))
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
    use crate::vocab::Profile;

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
        let with_clean = |run: f64| {
            let mut report = serde_json::to_value(crate::testing::sample_report()).unwrap();
            report["toolchains"][1]["scenarios"]["clean"]["wall"]["runs_s"] = serde_json::json!([run]);
            report
        };
        let version = crate::testing::sample_report().toolchains[1].version.clone();
        let not_a_time = |shown: &str| {
            format!(
                "the clean times of {version} hold {shown}, which is not a build time in seconds (positive, below a year)"
            )
        };
        for (value, error) in [
            (serde_json::json!({}), "it has no `schema` number".to_string()),
            (
                serde_json::json!({"schema": 9, "toolchains": []}),
                "it has schema 9; this timewarp reads schema 4 reports only".into(),
            ),
            (
                serde_json::json!({"schema": 3, "toolchains": []}),
                "it has schema 3; this timewarp reads schema 4 reports only".into(),
            ),
            (serde_json::json!({"schema": 4}), "it is not a schema 4 report: missing field `timewarp_version`".into()),
            (with_clean(-3.0), not_a_time("-3")),
            (with_clean(0.0), not_a_time("0")),
            (with_clean(1e308), not_a_time("1e308")),
        ] {
            assert_eq!(SavedReport::from_value(value).unwrap_err(), error);
        }
        assert!(SavedReport::from_slice(b"{\"schema\": 4").unwrap_err().contains("EOF"));
    }

    #[test]
    fn show_reads_a_whole_report_and_names_what_a_file_is_instead() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("run.json");
        let report = crate::testing::sample_report();
        std::fs::write(&file, serde_json::to_string_pretty(&report).unwrap()).unwrap();
        assert_eq!(read_report(&file).unwrap(), report);
        let error = |text: &str| {
            std::fs::write(&file, text).unwrap();
            read_report(&file).unwrap_err().to_string()
        };
        let named = format!("`{}` is not a timewarp report (`--format json`): ", file.display());
        assert_eq!(error("[package]\nname = 'x'\n"), format!("{named}expected value at line 1 column 2"));
        let bisect = r#"{"schema": 2, "from": "1.63", "to": "1.96", "outcome": "located"}"#;
        assert_eq!(error(bisect), format!("{named}it is a `bisect` document, not a run's report"));
        assert_eq!(
            error(r#"{"schema": 4, "machines": []}"#),
            format!("{named}it is a `merge` document, not a run's report")
        );
        let mut bad = serde_json::to_value(&report).unwrap();
        bad["toolchains"][1]["scenarios"]["clean"]["wall"]["runs_s"] = serde_json::json!([-1.0]);
        assert!(error(&bad.to_string()).contains("the clean times of"), "validated like a baseline");
        let missing = dir.path().join("missing.json");
        assert!(read_report(&missing).unwrap_err().to_string().contains(&missing.display().to_string()));
    }

    #[test]
    fn show_tells_the_documents_apart_and_names_a_broken_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("doc.json");
        std::fs::write(&file, serde_json::to_string(&crate::testing::sample_report()).unwrap()).unwrap();
        assert!(matches!(read_shown(&file).unwrap(), Shown::Report(_)), "a run's report");
        let error = |text: &str| {
            std::fs::write(&file, text).unwrap();
            read_shown(&file).err().map(|e| e.to_string()).unwrap_or_default()
        };
        let named = |what: &str| format!("`{}` is not a `{what}` document timewarp can read: ", file.display());
        assert_eq!(
            error(r#"{"kind": "try", "schema": 7}"#),
            format!("{}it has schema 7; this timewarp reads schema 1", named("try"))
        );
        assert_eq!(error(r#"{"kind": "try"}"#), format!("{}it has no `schema` number", named("try")));
        assert!(error(r#"{"kind": "try", "schema": 1}"#).starts_with(&format!("{}missing field", named("try"))));
        let bisect = r#"{"schema": 2, "from": "1.63", "to": "1.96", "outcome": "located"}"#;
        assert!(error(bisect).starts_with(&format!("{}missing field", named("bisect"))), "{}", error(bisect));
        assert!(error(r#"{"schema": 1, "from": "a", "outcome": "b"}"#).ends_with("this timewarp reads schema 2"));
        assert!(error(r#"{"schema": 4, "machines": []}"#).starts_with(&named("merge")));
        let manifest = error("[package]\nname = 'x'\n");
        assert!(manifest.contains("is not a timewarp report (`--format json`)"), "{manifest}");
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
