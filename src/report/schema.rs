//! The JSON Schema of the report, generated from the report types themselves, so that it can
//! never drift from what timewarp writes. The copy in `schema/report-v<N>.json` is what users
//! validate against; a test fails when it is not what the types generate (rerun it with
//! `TIMEWARP_UPDATE_SCHEMA=1` to rewrite the file), and an integration test validates a real
//! run's output against it.

use super::model::{Report, SCHEMA_VERSION};

/// The committed schema's path, relative to the repository root.
pub(crate) fn path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("schema/report-v{SCHEMA_VERSION}.json"))
}

/// The schema the report types generate, as the committed file holds it.
pub(crate) fn generate() -> String {
    let mut schema = schemars::schema_for!(Report);
    schema.insert(
        "$id".into(),
        format!("https://github.com/cargo-timewarp/cargo-timewarp/schema/report-v{SCHEMA_VERSION}.json").into(),
    );
    schema.insert(
        "description".into(),
        format!(
            "The report of `cargo timewarp --format json`, schema {SCHEMA_VERSION}: how much faster the Rust compiler has become for a project, release by release."
        )
        .into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_schema_is_what_the_types_generate() {
        let generated = generate();
        if std::env::var_os("TIMEWARP_UPDATE_SCHEMA").is_some_and(|v| v == "1") {
            std::fs::write(path(), &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path()).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is not what the report types generate; rerun with TIMEWARP_UPDATE_SCHEMA=1 and commit it",
            path().display()
        );
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
