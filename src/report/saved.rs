//! Reports read back: a `--baseline` file and the entries of `history.jsonl`, in the current
//! schema or in schema 1, whose figures had their own fields (`clean`, `incremental`,
//! `patched`) where schema 2 keys them by scenario.

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::{SCHEMA_VERSION, Setup, Status};
use crate::measure::scenario::Scenario;
use crate::measure::stats::Summary;

/// What the gate and the history read from a saved report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SavedReport {
    /// How it was measured.
    pub setup: Setup,
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

impl SavedReport {
    /// Reads a report from its JSON value; the error says what is missing.
    pub(crate) fn from_json(value: &Value) -> Result<SavedReport, String> {
        let schema = value.get("schema").and_then(Value::as_u64).ok_or("it has no `schema` number")? as u32;
        if schema != 1 && schema != SCHEMA_VERSION {
            return Err(format!("it has schema {schema}; this timewarp reads schemas 1 and {SCHEMA_VERSION}"));
        }
        let text = |key: &str, default: &str| value.get(key).and_then(Value::as_str).unwrap_or(default).to_string();
        let rows = value.get("toolchains").and_then(Value::as_array).ok_or("it has no `toolchains` list")?;
        let rows = rows.iter().map(|row| SavedRow::from_json(row, schema)).collect::<Result<_, _>>()?;
        let setup = Setup {
            schema,
            command: text("command", "build"),
            profile: text("profile", "dev"),
            touched_file: value.get("touched_file").and_then(Value::as_str).map(str::to_string),
            cores: value.get("cores").and_then(Value::as_u64),
            jobs: value.get("jobs").and_then(Value::as_u64),
        };
        Ok(SavedReport { setup, rows })
    }
}

impl SavedRow {
    fn from_json(row: &Value, schema: u32) -> Result<SavedRow, String> {
        let version = row.get("version").and_then(Value::as_str).ok_or("a row has no `version`")?.to_string();
        let status = row
            .get("status")
            .cloned()
            .and_then(|s| serde_json::from_value::<Status>(s).ok())
            .ok_or_else(|| format!("the row of {version} has no valid `status`"))?;
        let mut wall = BTreeMap::new();
        for scenario in Scenario::ALL {
            let summary = match schema {
                1 => row.get(scenario.schema1_name()),
                _ => row.get("scenarios").and_then(|s| s.get(scenario.name())).and_then(|f| f.get("wall")),
            };
            let Some(summary) = summary.filter(|s| !s.is_null()) else { continue };
            let summary: Summary = serde_json::from_value(summary.clone())
                .map_err(|e| format!("the {scenario} figures of {version} are not a summary: {e}"))?;
            wall.insert(scenario, summary);
        }
        let rustc = row.get("rustc").and_then(Value::as_str).map(str::to_string);
        Ok(SavedRow { version, status, rustc, wall })
    }
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
        let saved = SavedReport::from_json(&v1).unwrap();
        assert_eq!((saved.setup.schema, saved.setup.command.as_str()), (1, "check"));
        let row = &saved.rows[0];
        assert_eq!(row.wall.keys().copied().collect::<Vec<_>>(), [Scenario::Clean, Scenario::Touched]);
        assert_eq!(row.wall[&Scenario::Touched].median_s, 2.0);
    }

    #[test]
    fn setups_say_what_differs() {
        use super::super::model::Setup;
        let setup = |schema, profile: &str, cores| Setup {
            schema,
            command: "build".into(),
            profile: profile.into(),
            touched_file: Some("src/main.rs".into()),
            cores: Some(cores),
            jobs: None,
        };
        assert!(setup(2, "dev", 2).differences(&setup(2, "dev", 2)).is_empty());
        assert_eq!(
            setup(1, "dev", 8).differences(&setup(2, "release", 2)),
            ["schema 1 then, 2 now", "profile dev then, release now", "cores 8 then, 2 now"]
        );
    }

    #[test]
    fn names_what_is_wrong() {
        for (value, error) in [
            (serde_json::json!({}), "it has no `schema` number"),
            (
                serde_json::json!({"schema": 9, "toolchains": []}),
                "it has schema 9; this timewarp reads schemas 1 and 2",
            ),
            (serde_json::json!({"schema": 2}), "it has no `toolchains` list"),
            (
                serde_json::json!({"schema": 2, "toolchains": [{"version": "1.85.0"}]}),
                "the row of 1.85.0 has no valid `status`",
            ),
        ] {
            assert_eq!(SavedReport::from_json(&value).unwrap_err(), error);
        }
    }
}
