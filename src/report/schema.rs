//! The JSON Schemas of timewarp's documents, generated from their types, so that they can never
//! drift from what timewarp writes: `schema/report-v<N>.json` for the report of a measuring run,
//! `schema/bisect-v<N>.json` for `cargo timewarp bisect` and `schema/try-v<N>.json` for
//! `cargo timewarp try`. The committed copies are what users validate against; a test fails when
//! one is not what the types generate (rerun it with `TIMEWARP_UPDATE_SCHEMA=1` to rewrite the
//! files), and integration tests validate real output against them.

use std::path::PathBuf;

use super::model::{BISECT_SCHEMA_VERSION, Bisected, Report, SCHEMA_VERSION};
use super::tried::{TRY_SCHEMA_VERSION, Tried};

/// A committed schema: its path and what the types generate for it.
pub(crate) struct Document {
    /// The file, relative to the repository root.
    pub(crate) path: PathBuf,
    /// The schema the types generate, as the committed file holds it.
    pub(crate) generated: String,
}

/// Every document timewarp writes as JSON.
pub(crate) fn documents() -> [Document; 3] {
    [
        document(
            schemars::schema_for!(Report),
            "report",
            SCHEMA_VERSION,
            &format!(
                "The report of `cargo timewarp --format json`, schema {SCHEMA_VERSION}: how much faster the Rust compiler has become for a project, release by release."
            ),
        ),
        document(
            schemars::schema_for!(Bisected),
            "bisect",
            BISECT_SCHEMA_VERSION,
            &format!(
                "The document of `cargo timewarp bisect --format json`, schema {BISECT_SCHEMA_VERSION}: which release moved a project's build time."
            ),
        ),
        document(
            schemars::schema_for!(Tried),
            "try",
            TRY_SCHEMA_VERSION,
            &format!(
                "The document of `cargo timewarp try --format json`, schema {TRY_SCHEMA_VERSION}: which settings would make a project build faster, each arm's speedup over today's build with its 95% interval."
            ),
        ),
    ]
}

fn document(mut schema: schemars::Schema, name: &str, version: u32, description: &str) -> Document {
    let file = format!("schema/{name}-v{version}.json");
    schema.insert("$id".into(), format!("https://github.com/cargo-timewarp/cargo-timewarp/{file}").into());
    schema.insert("description".into(), description.into());
    let mut generated = serde_json::to_string_pretty(&schema).expect("a schema always serialises");
    generated.push('\n');
    Document { path: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file), generated }
}

/// The report's schema, as generated.
pub(crate) fn generate() -> String {
    let [report, ..] = documents();
    report.generated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_schemas_are_what_the_types_generate() {
        for Document { path, generated } in documents() {
            if std::env::var_os("TIMEWARP_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
                std::fs::write(&path, &generated).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == generated,
                "{} is not what the types generate; rerun with TIMEWARP_UPDATE_SCHEMA=1 and commit it",
                path.display()
            );
        }
    }

    #[test]
    fn the_sample_reports_validate() {
        let schema: serde_json::Value = serde_json::from_str(&generate()).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        for report in [crate::testing::sample_report(), crate::testing::sample_report_with_crates()] {
            let value = serde_json::to_value(&report).unwrap();
            let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{errors:?}");
        }
        let mut broken = serde_json::to_value(crate::testing::sample_report()).unwrap();
        broken["toolchains"][0]["status"] = "maybe".into();
        assert!(!validator.is_valid(&broken), "the schema says something");
    }
}
