//! `--format json`: the [`Report`] as one pretty-printed document, the stable interface for
//! scripts (`"schema"` says which shape).

use super::Exporter;
use crate::report::Report;

/// Serialises the report as it is.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn render(&self, report: &Report) -> String {
        let mut text = serde_json::to_string_pretty(report).expect("a report always serialises");
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn carries_schema_rows_and_skips() {
        let json: serde_json::Value = serde_json::from_str(&JsonExporter.render(&sample_report())).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["msrv"], "1.56");
        assert_eq!(json["touched_file"], "src/main.rs");
        let rows = json["toolchains"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["status"], "failed");
        assert!(rows[0]["clean"].is_null());
        assert_eq!(rows[1]["status"], "ok");
        assert_eq!(rows[1]["release_date"], "2025-02-20");
        assert_eq!(rows[1]["clean"]["median_s"], 26.1);
        assert_eq!(rows[1]["incremental"]["runs_s"].as_array().unwrap().len(), 3);
        for key in ["min_s", "max_s", "mean_s", "stddev_s"] {
            assert!(rows[2]["incremental"][key].is_f64(), "{key}");
        }
        assert_eq!(json["skipped"][0]["reason"], "not stable");
    }
}
