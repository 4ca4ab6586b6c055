//! `cargo timewarp try`: every arm that applies gets a row with an interval against today's
//! build, the others their reason; every arm's builds keep the user's own settings (recorded by
//! `fixtures/try-flags`' build script); and the tree is left as it was.

use std::path::Path;

use crate::support::*;

/// Whether the linkers the arms need are on PATH. When one is missing, prints why the calling
/// test is skipped, or panics when `TIMEWARP_REQUIRE_TOOLCHAINS=1` (CI installs lld and mold).
#[track_caller]
fn linkers() -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for program in ["ld.lld", "mold"] {
        if !std::env::split_paths(&path).any(|dir| dir.join(program).is_file()) {
            let test = std::thread::current().name().unwrap_or("test").to_string();
            let fix = "apt-get install -y lld mold";
            if std::env::var_os("TIMEWARP_REQUIRE_TOOLCHAINS").is_some_and(|v| v == "1") {
                panic!("{test}: `{program}` is not on PATH and TIMEWARP_REQUIRE_TOOLCHAINS=1; {fix}");
            }
            let line = format!("skipping {test}: `{program}` is not on PATH ({fix})\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            return false;
        }
    }
    true
}

/// Panics, listing every error, when `doc` does not match the committed `schema/try-v1.json`.
#[track_caller]
fn matches_schema(doc: &serde_json::Value) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/try-v1.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let errors: Vec<String> =
        jsonschema::validator_for(&schema).unwrap().iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "the document does not match schema/try-v1.json: {errors:#?}\n{doc:#}");
}

/// The probe log's lines: `flags=...|debug-assertions=...|out=...`, one per build script run.
fn probes(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log).unwrap_or_default().lines().map(str::to_string).collect()
}

/// The arm whose directory (`<toolchain>+arm-NAME`, `.arm-NAME` after an alias) a probe line's
/// OUT_DIR is in, `None` for today's build.
fn arm_of(line: &str) -> Option<&str> {
    let dir = line.split("/timewarp/").nth(1)?.split('/').next()?;
    dir.find("arm-").map(|at| &dir[at + 4..])
}

#[test]
fn every_arm_has_a_row_with_an_interval_and_keeps_the_users_config() {
    if !linkers() {
        return;
    }
    let _lock = build_lock();
    let world = World::new("try-flags", &["stable"]);
    let before = snapshot(world.path());
    let probe = tempfile::tempdir().unwrap();
    let log = probe.path().join("probe.log");
    let report = success_json(
        world
            .timewarp()
            .args(["try", "--runs", "2", "--scenarios", "clean,touched", "--format", "json"])
            .env("TIMEWARP_PROBE_LOG", &log),
    );
    assert_eq!(snapshot(world.path()), before, "the tree is byte- and mtime-identical");
    matches_schema(&report);
    let arms = report["arms"].as_array().unwrap();
    let measured: Vec<&str> = arms.iter().map(|r| r["arms"][0].as_str().unwrap()).collect();
    for arm in ["lld", "mold", "line-tables-only", "no-debug", "no-deps-debug", "split-debuginfo", "no-incremental"] {
        assert!(measured.contains(&arm), "{arm} has a row: {report:#}");
    }
    for row in arms {
        assert!(row["failed"].is_null(), "{row:#}");
        for cell in row["cells"].as_array().unwrap() {
            assert!(cell["lower"].is_f64() && cell["upper"].is_f64(), "an interval: {row:#}");
        }
    }
    let not_here = report["not_here"].as_array().unwrap();
    let reason = |arm: &str| not_here.iter().find(|n| n["arm"] == arm).map(|n| n["reason"].as_str().unwrap());
    assert_eq!(reason("threads"), Some("needs nightly (`--nightly`)"));
    if !measured.contains(&"wild") {
        assert!(reason("wild").unwrap().starts_with("not installed"), "{not_here:?}");
    }
    let lines = probes(&log);
    assert!(!lines.is_empty(), "the build script ran");
    for line in &lines {
        assert!(line.contains("flags=--cfg from_config"), "the user's build.rustflags first: {line}");
        assert!(line.contains("debug-assertions=false"), "the user's profile setting kept: {line}");
        assert!(line.contains("/target/timewarp/"), "inside timewarp's directory: {line}");
    }
    for arm in &measured {
        let ours: Vec<&String> = lines.iter().filter(|l| arm_of(l) == Some(arm)).collect();
        assert!(!ours.is_empty(), "{arm} built: {lines:#?}");
        for linker in ["lld", "mold"] {
            let flag = format!("-fuse-ld={linker}");
            assert_eq!(ours.iter().all(|l| l.contains(&flag)), *arm == linker, "{linker}: {ours:#?}");
        }
    }
    assert!(lines.iter().any(|l| arm_of(l).is_none()), "today's build ran too");
    assert!(lines.iter().filter(|l| arm_of(l).is_none()).all(|l| !l.contains("-fuse-ld")));
}

#[test]
fn the_users_rustflags_stay_in_front_of_the_arms() {
    if !linkers() {
        return;
    }
    let _lock = build_lock();
    let world = World::new("try-flags", &["stable"]);
    let before = snapshot(world.path());
    let probe = tempfile::tempdir().unwrap();
    let log = probe.path().join("probe.log");
    let table = success(
        world
            .timewarp()
            .args(["try", "--arms", "mold", "--runs", "1", "--scenarios", "clean"])
            .env("TIMEWARP_PROBE_LOG", &log)
            .env("RUSTFLAGS", "--cfg from_env"),
    );
    assert!(table.contains("mold"), "{table}");
    // The answer first: a single round has no interval, and the first line says so.
    assert!(table.starts_with("clean: no arm has an interval yet: that takes two rounds"), "{table}");
    assert_eq!(snapshot(world.path()), before);
    let lines = probes(&log);
    assert!(lines.iter().any(|l| arm_of(l) == Some("mold")), "{lines:#?}");
    for line in &lines {
        // RUSTFLAGS replaces build.rustflags, today as in every arm.
        assert!(line.contains("flags=--cfg from_env") && !line.contains("from_config"), "{line}");
        assert_eq!(line.contains("-fuse-ld=mold"), arm_of(line) == Some("mold"), "{line}");
    }
}

#[test]
fn list_names_every_arm_with_why_it_does_not_apply() {
    let world = World::new("try-flags", &["stable"]);
    let listing = success(world.timewarp().args(["try", "--list"]));
    for arm in ["lld", "mold", "wild", "line-tables-only", "no-deps-debug", "threads", "cranelift"] {
        assert!(listing.lines().any(|l| l.trim_start().starts_with(arm)), "{arm}: {listing}");
    }
    assert!(listing.contains("needs nightly (`--nightly`)"), "{listing}");
    let err = failure(world.timewarp().args(["try", "--arms", "threads"]), 2);
    assert_eq!(err, "error: the arm `threads` cannot run here: needs nightly (`--nightly`)");
}

/// The JSON document matches `schema/try-v1.json`, `-o` is judged by the guard like every
/// output (a source file is refused before anything is built), and `--plot` draws the arms' chart,
/// again from the saved document through `show`.
#[test]
fn the_json_document_matches_its_schema_and_its_output_is_guarded() {
    let _lock = build_lock();
    let world = World::new("single-crate", &["stable"]);
    let before = snapshot(world.path());
    let err = failure(world.timewarp().args(["try", "--arms", "no-debug", "--format", "csv", "-o", "src/main.rs"]), 2);
    assert!(err.starts_with("error: `--output src/main.rs` would write over a source file"), "{err}");
    assert!(!world.path().join("target").exists(), "refused before any build");
    assert_eq!(snapshot(world.path()), before);
    let err = failure(world.timewarp().args(["try", "--arms", "no-debug", "--plot", "try.png"]), 2);
    assert_eq!(err, "error: `--plot` draws SVG: name its file `*.svg`, not `try.png`");
    let out = tempfile::tempdir().unwrap();
    let (file, plot) = (out.path().join("try.json"), out.path().join("try.svg"));
    let quick = ["try", "--arms", "no-debug", "--runs", "2", "--scenarios", "check", "--format", "json", "-o"];
    success(world.timewarp().args(quick).arg(&file).arg("--plot").arg(&plot));
    let drawn = std::fs::read_to_string(&plot).unwrap();
    assert!(drawn.starts_with("<svg") && drawn.contains("no-debug") && drawn.contains("speedup (x)"), "{drawn}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    matches_schema(&doc);
    assert_eq!((doc["kind"].as_str(), doc["arms"][0]["arms"][0].as_str()), (Some("try"), Some("no-debug")));
    assert_eq!(snapshot(world.path()), before);
    // The saved document becomes Markdown, and the same chart, without measuring again.
    let again = out.path().join("again.svg");
    let shown = success(world.timewarp().arg("show").arg(&file).args(["--format", "markdown", "--plot"]).arg(&again));
    assert!(shown.starts_with(&format!("- {}", doc["answer"][0]["sentence"].as_str().unwrap())), "{shown}");
    assert!(shown.contains("| no-debug "), "{shown}");
    assert_eq!(std::fs::read_to_string(&again).unwrap(), drawn, "the chart is drawn from the document alone");
}

/// An arm is not built where it can change nothing: a check after touching a file links nothing
/// and generates no code, so `no-debug` skips `check-touched` (its cell has no rounds and does not
/// count), while `no-incremental` is built there. Found on a real `try`: the debug and linker arms
/// spent rounds on check rebuilds that could only measure noise.
#[test]
fn an_arm_is_not_built_where_it_changes_nothing() {
    let _lock = build_lock();
    let world = World::new("single-crate", &["stable"]);
    let before = snapshot(world.path());
    let args = ["try", "--arms", "no-debug,no-incremental", "--runs", "2", "--scenarios", "touched,check-touched"];
    let report = success_json(world.timewarp().args(args).args(["--format", "json"]));
    matches_schema(&report);
    let cell = |arm: &str, scenario: &str| {
        let row = report["arms"].as_array().unwrap().iter().find(|r| r["arms"][0] == arm).unwrap();
        assert!(row["failed"].is_null(), "{row:#}");
        row["cells"].as_array().unwrap().iter().find(|c| c["scenario"] == scenario).unwrap().clone()
    };
    let skipped = cell("no-debug", "check-touched");
    assert_eq!(
        (skipped["rounds"].as_u64(), skipped["speedup"].is_null(), skipped["meant"].as_bool()),
        (Some(0), true, Some(false))
    );
    assert!(cell("no-debug", "touched")["lower"].is_f64(), "built where it changes the build");
    assert!(cell("no-incremental", "check-touched")["lower"].is_f64(), "incremental matters to a check");
    let table = success(world.timewarp().arg("show").arg(world.path().join("target/timewarp/last-try.json")));
    assert!(table.contains("-: not built: the arm changes nothing in a check after touching a file"), "{table}");
    assert_eq!(snapshot(world.path()), before);
}

/// The nightly arms on the installed nightly: `threads` and `share-generics` get rows with
/// intervals, their flags reach the builds after the user's own, and `share-generics` (code
/// generation) is not built in a check after touching a file, where `threads` (the front end) is.
#[test]
#[ignore = "needs the nightly toolchain: rustup's nightly, which CI's machine has"]
fn the_nightly_arms_reach_the_builds_after_the_users_flags() {
    if !toolchains(&["nightly"]) {
        return;
    }
    let _lock = build_lock();
    let world = World::new("try-flags", &["nightly"]);
    let before = snapshot(world.path());
    let probe = tempfile::tempdir().unwrap();
    let log = probe.path().join("probe.log");
    let args = ["try", "--nightly", "--arms", "threads,share-generics", "--runs", "2"];
    let report = success_json(
        world
            .timewarp()
            .args(args)
            .args(["--scenarios", "clean,check-touched", "--format", "json"])
            .env("TIMEWARP_PROBE_LOG", &log),
    );
    matches_schema(&report);
    assert!(report["toolchain"].as_str().unwrap().starts_with("nightly"), "{report:#}");
    let row = |arm: &str| report["arms"].as_array().unwrap().iter().find(|r| r["arms"][0] == arm).unwrap().clone();
    for arm in ["threads", "share-generics"] {
        let row = row(arm);
        assert!(row["failed"].is_null(), "{row:#}");
        assert!(row["cells"][0]["lower"].is_f64(), "{arm} clean has an interval: {row:#}");
    }
    assert!(row("threads")["cells"][1]["lower"].is_f64(), "the front end runs in a check");
    assert_eq!(row("share-generics")["cells"][1]["rounds"], 0, "no code generated in a check");
    let lines = probes(&log);
    for (arm, flag) in [("threads", "-Zthreads="), ("share-generics", "-Zshare-generics=y")] {
        let ours: Vec<&String> = lines.iter().filter(|l| arm_of(l) == Some(arm)).collect();
        assert!(!ours.is_empty(), "{arm} built: {lines:#?}");
        for line in ours {
            let (user, theirs) = (line.find("--cfg from_config").unwrap(), line.find(flag).unwrap());
            assert!(user < theirs, "the user's flags first: {line}");
        }
    }
    assert!(lines.iter().filter(|l| arm_of(l).is_none()).all(|l| !l.contains("-Z")), "today's build has no -Z");
    assert_eq!(snapshot(world.path()), before);
}
