//! `--crates`: where the time went, from one more clean build per toolchain with every rustc
//! run through timewarp's own binary as the wrapper. `fixtures/crates-mix` has a binary with a
//! build script, a proc-macro member and a crates.io dependency.

use crate::support::{World, build_lock, row, success_json, toolchains};

const WORLD: &[&str] = &["1.63.0", "1.96.0"];

#[test]
fn every_rustc_is_logged_once_and_workspace_crates_are_told_from_dependencies() {
    if !toolchains(WORLD) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("crates-mix", WORLD);
    let report = success_json(ws.timewarp().args([
        "--toolchains",
        "1.63.0,1.96.0",
        "--crates=3",
        "--runs",
        "1",
        "--keep-target-dirs",
        "--plot",
        "history.svg",
        "--format",
        "json",
    ]));
    for name in WORLD {
        let crates = &row(&report, name)["crates"];
        let list = crates["crates"].as_array().unwrap_or_else(|| panic!("{name}: {report:#}"));
        let mut seen: Vec<(String, String, bool)> = list
            .iter()
            .map(|c| {
                (
                    c["crate_name"].as_str().unwrap().to_string(),
                    c["kind"].as_str().unwrap().to_string(),
                    c["workspace"] == true,
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                ("build_script_build".into(), "build script".into(), true),
                ("itoa".into(), "lib".into(), false),
                ("mix_app".into(), "bin".into(), true),
                ("mix_derive".into(), "proc-macro".into(), true),
            ],
            "{name}: every rustc invocation exactly once, so none of the timed builds ran the wrapper"
        );
        for c in list {
            for key in ["wall_s", "cpu_s", "peak_rss_mib"] {
                assert!(c[key].as_f64().unwrap() > 0.0, "{name} {key}: {c}");
            }
        }
        assert_eq!(
            (crates["workspace"]["count"].as_u64(), crates["dependencies"]["count"].as_u64()),
            (Some(3), Some(1))
        );
        assert!(crates["wrapped_build_s"].as_f64().unwrap() > 0.0);
        assert!(crates["wrapper_cost_pct"].is_f64(), "the wrapper's cost is visible: {crates}");
        assert!(crates["largest_rustc"]["peak_rss_mib"].as_f64().unwrap() > 10.0);
        let log = ws.path().join(format!("target/timewarp/crates/{name}.jsonl"));
        assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 4, "{}", log.display());
    }
    let changes = &report["crate_changes"];
    assert_eq!((changes["from"].as_str(), changes["to"].as_str()), (Some("1.63.0"), Some("1.96.0")));
    assert_eq!(changes["largest"].as_array().unwrap().len(), 3, "--crates=3");
    let svg = std::fs::read_to_string(ws.path().join("history.svg")).unwrap();
    assert!(svg.contains("per-crate build"), "the plot has the per-crate panel");
}
