//! `cargo timewarp bisect`: the real binary over real toolchains, official and Debian's.

use std::path::Path;

use crate::support::*;

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn bisect_measures_the_ends_then_halves_and_names_what_is_missing() {
    let Some((_builds, ws)) = setup("old-msrv") else { return };
    let before = snapshot(ws.path());
    let out = ws.path().join("bisect.json");
    let args = ["bisect", "1.63", "1.96.0", "--runs", "2", "--scenario", "touched", "-o"];
    success(ws.timewarp().args(args).arg(&out));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        (doc["schema"].as_u64(), doc["from"].as_str(), doc["to"].as_str()),
        (Some(2), Some("1.63.0"), Some("1.96.0"))
    );
    assert_eq!(doc["scenario"], "touched");
    let steps = doc["steps"].as_array().unwrap();
    assert_eq!(steps[0]["measured"], serde_json::json!(["1.63.0", "1.96.0"]), "{doc:#}");
    for step in steps {
        assert_eq!(step["rounds"], 2, "{step:#}");
        for change in step["changes"].as_array().unwrap() {
            assert!(change["scenarios"]["touched"]["speedup"]["point"].as_f64().unwrap() > 0.0, "{change:#}");
            assert!(change["scenarios"].get("clean").is_none(), "--scenario touched measures touched alone");
        }
    }
    let releases = doc["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 34, "1.63 to 1.96");
    let status = |r: &str| releases.iter().find(|x| x["release"] == r).unwrap()["status"].as_str().unwrap().to_string();
    assert_eq!(status("1.64"), "missing");
    for installed in ["1.63", "1.85", "1.96"] {
        assert!(["measured", "not-needed"].contains(&status(installed).as_str()), "{installed}: {doc:#}");
    }
    // Debian's builds at both ends: the official `stable` between them would measure packaging.
    let official = releases.iter().find(|x| x["release"] == "1.95").unwrap();
    assert_eq!((official["status"].as_str(), official["toolchain"].as_str()), (Some("left-out"), Some("stable")));
    assert_eq!(official["reason"], "official build, while FROM and TO are distribution builds");
    let measured: Vec<&str> =
        steps.iter().flat_map(|s| s["measured"].as_array().unwrap()).filter_map(|m| m.as_str()).collect();
    assert!(!measured.contains(&"stable"), "the official build is never measured: {measured:?}");
    let warnings: Vec<&str> = doc["warnings"].as_array().unwrap().iter().filter_map(|w| w.as_str()).collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("4 of the span's 34 releases are installed; missing: 1.64-1.84,")),
        "{warnings:?}"
    );
    assert!(["located", "spread", "no-change"].contains(&doc["outcome"].as_str().unwrap()), "{doc:#}");
    assert!(!doc["summary"].as_str().unwrap().is_empty());

    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/bisect-v2.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let errors: Vec<String> =
        jsonschema::validator_for(&schema).unwrap().iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "the document does not match schema/bisect-v2.json: {errors:#?}");
    std::fs::remove_file(&out).unwrap();
    assert_eq!(before, snapshot(ws.path()), "sources, Cargo.lock and mtimes are unchanged");
    assert!(!ws.path().join("target/debug").exists());
}

#[test]
fn bisect_rejects_a_span_it_cannot_search_in_one_line() {
    let ws = fixture("single-crate");
    let line = failure(timewarp(ws.path()).args(["bisect", "1.0.0-nightly-that-cannot-exist", "stable"]), 2);
    assert!(
        line.starts_with("error: FROM `1.0.0-nightly-that-cannot-exist` is not an installed toolchain (installed: "),
        "{line}"
    );
    let line = failure(timewarp(ws.path()).args(["bisect", "stable"]), 2);
    assert_eq!(line, "error: `bisect` needs two toolchains, the span to search: `cargo timewarp bisect FROM TO`");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn the_report_names_the_bisect_command_for_its_largest_step() {
    let Some((_builds, ws)) = setup("build-script") else { return };
    // The build script sleeps 2 s under compilers before 1.80: a known step in clean builds.
    let args = ["--toolchains", "1.63.0,1.96.0", "--runs", "3"];
    let out = run(ws.timewarp().args(args).env("TIMEWARP_PROBE_SLOW_BEFORE", "1.80"));
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    // The line wraps at the table's width: its words, joined again.
    let start = stdout.find("next: ").expect("a next step");
    let paragraph = stdout[start..].split("\n\n").next().unwrap();
    let next = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(next.starts_with("next: the largest step, clean 1.63 → 1.96 ("), "{next}");
    assert!(
        next.ends_with("`cargo timewarp bisect 1.63 1.96 --scenario clean --install` finds the release that made it"),
        "{next}"
    );
    assert!(!stdout.contains("\nbisect:"), "the report alone, no bisection after it: {stdout}");
}

#[test]
fn explain_is_gone_and_refused() {
    let ws = fixture("single-crate");
    let line = failure(timewarp(ws.path()).arg("--explain"), 2);
    assert!(line.contains("--explain"), "{line}");
    assert!(!ws.path().join("target").exists());
}
