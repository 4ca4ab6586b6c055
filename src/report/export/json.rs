//! `--format json`: the documents as they are, pretty-printed: the stable interface for scripts
//! (`"schema"` says which shape).

use serde::Serialize;

use super::Exporter;
use crate::report::model::{Bisected, History, Listing, Merged, Report};

/// Serialises the documents as they are.
pub(crate) struct JsonExporter;

fn pretty(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("timewarp's documents always serialise");
    text.push('\n');
    text
}

impl Exporter for JsonExporter {
    fn report(&self, report: &Report) -> String {
        pretty(report)
    }

    fn listing(&self, listing: &Listing) -> String {
        pretty(listing)
    }

    fn history(&self, history: &History) -> String {
        pretty(history)
    }

    fn merged(&self, merged: &Merged) -> String {
        pretty(merged)
    }

    fn bisected(&self, bisected: &Bisected) -> String {
        pretty(bisected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_report;

    #[test]
    fn carries_schema_rows_scenarios_and_skips() {
        let json: serde_json::Value = serde_json::from_str(&JsonExporter.report(&sample_report())).unwrap();
        assert_eq!(json["schema"], 4);
        assert_eq!(json["link_time"], true);
        assert_eq!(json["measurement"]["commands"]["touched"], "cargo build");
        let link = &json["toolchains"][2]["scenarios"]["touched"]["link"];
        assert_eq!((link["share_pct"].as_f64().map(f64::round), link["runs"].clone()), (Some(25.0), 1.into()));
        assert_eq!(link["verdict"], "faster", "{link}");
        assert!((link["speedup"]["point"].as_f64().unwrap() - 2.6).abs() < 0.01, "{link}");
        assert_eq!(json["msrv"], "1.56");
        assert_eq!(json["msrv_floors"][0]["kind"], "edition");
        assert_eq!(json["touched_file"], "src/main.rs");
        assert_eq!(json["cpu"], "Example CPU @ 3.0GHz");
        let measurement = &json["measurement"];
        assert_eq!(measurement["scenarios"], serde_json::json!(["clean", "touched"]));
        assert_eq!(measurement["stopping"], serde_json::json!({"rule": "fixed", "rounds": {"clean": 1, "touched": 3}}));
        assert_eq!(measurement["rounds"], 3);
        let rows = json["toolchains"].as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["status"], "failed");
        assert_eq!(rows[0]["scenarios"], serde_json::json!({}));
        assert_eq!(rows[1]["status"], "ok");
        assert_eq!(rows[1]["release_date"], "2025-02-20");
        assert_eq!(rows[1]["scenarios"]["clean"]["wall"]["median_s"], 26.1);
        assert_eq!(rows[1]["scenarios"]["clean"]["verdict"], "base");
        assert_eq!(rows[1]["scenarios"]["touched"]["wall"]["runs_s"].as_array().unwrap().len(), 3);
        assert_eq!(rows[1]["scenarios"]["touched"]["wall"]["rounds"], serde_json::json!([0, 1, 2]));
        let clean = &rows[2]["scenarios"]["clean"];
        assert_eq!(clean["speedup"]["point"], 26.1 / 14.7);
        assert_eq!((clean["speedup"]["low"].is_null(), clean["speedup"]["n"].as_u64()), (true, Some(1)), "one pair");
        let touched = &rows[2]["scenarios"]["touched"];
        let (low, high) = (touched["speedup"]["low"].as_f64().unwrap(), touched["speedup"]["high"].as_f64().unwrap());
        assert!(low < 1.3 && 1.3 < high && high < 1.34, "{touched}");
        assert_eq!(touched["verdict"], "faster");
        assert!(touched["time"]["plus_minus_pct"].is_f64());
        for key in ["min_s", "max_s", "mean_s", "stddev_s"] {
            assert!(touched["wall"][key].is_f64(), "{key}");
        }
        assert_eq!(json["skipped"][0]["reason"], "not stable");
    }

    #[test]
    fn a_history_point_states_its_profile_as_what() {
        let json: serde_json::Value =
            serde_json::from_str(&JsonExporter.history(&crate::testing::sample_history())).unwrap();
        let point = &json["toolchains"][0]["points"][0];
        assert_eq!((point["what"].as_str(), point.get("profile")), (Some("dev"), None), "{point}");
    }
}
