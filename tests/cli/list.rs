//! `cargo timewarp list` (and its alias `--list`): what would be measured and why the rest
//! would not, without building anything: yearly selection, the MSRV and the floors the locked
//! dependencies set, a pinned toolchain file.

use crate::support::*;

/// The names of the toolchains a listing selects.
fn selected_in(listing: &serde_json::Value) -> Vec<&str> {
    let rows = listing["toolchains"].as_array().unwrap();
    rows.iter().filter(|t| t["selected"] == true).map(|t| t["name"].as_str().unwrap()).collect()
}

/// The toolchains these tests select from: Debian's three and the official stable.
const LIST_WORLD: &[&str] = &["1.63.0", "1.85.0", "stable", "1.96.0"];

#[test]
fn lists_with_only_stable() {
    let ws = fixture("single-crate");
    let listing = success_json(timewarp(ws.path()).args(["list", "--format", "json"]));
    assert_eq!(listing["schema"], 4);
    assert_eq!(listing["msrv"], "1.80");
    assert_eq!(listing["msrv_floors"][0]["reason"], "rust-version of `single-crate`");
    let rows = listing["toolchains"].as_array().unwrap();
    assert!(rows.iter().any(|t| t["selected"] == true), "stable (>= 1.80) is selected: {listing:#}");
    assert!(!ws.path().join("target").exists(), "list builds nothing");
    let alias = success_json(timewarp(ws.path()).args(["--list", "--format", "json"]));
    assert_eq!(alias, listing, "`--list` is an alias of `list`");
    assert!(!ws.path().join("target").exists(), "--list builds nothing");
}

/// `list --help` shows what `list` takes and nothing that only measuring uses; each of them
/// works on a fixture (`--install` and `--rev` have tests of their own), and a measuring flag
/// is refused in one line pointing at that help.
#[test]
fn list_takes_only_the_flags_that_work_for_it() {
    let ws = fixture("single-crate");
    let help = success(timewarp(ws.path()).args(["list", "--help"]));
    let listed = |flag: &str| {
        help.lines().map(str::trim_start).filter(|l| l.starts_with('-')).any(|l| l.split([' ', ',']).any(|w| w == flag))
    };
    let takes = ["--manifest-path", "--package", "--since", "--until", "--all", "--toolchains", "--install", "--rev"];
    // -q, -v and --color are every command's.
    for flag in takes.iter().chain(&["--format", "--output", "--quiet", "--verbose", "--color"]) {
        assert!(listed(flag), "list --help lacks {flag}:\n{help}");
    }
    for flag in ["--plot", "--runs", "--budget", "--scenarios", "--baseline", "--jobs", "--target-dir", "--list"] {
        assert!(!listed(flag), "list --help shows {flag}, which does nothing there:\n{help}");
    }
    let manifest = ws.path().join("Cargo.toml");
    let args = ["list", "--manifest-path", manifest.to_str().unwrap(), "-p", "single-crate", "--since", "1.80"];
    let out = success(
        timewarp(ws.path())
            .args(args)
            .args(["--until", "2.0", "--all", "--format", "csv", "-o", "l.csv", "-q", "--color", "never"]),
    );
    assert!(out.is_empty(), "the listing went to the file: {out}");
    let csv = std::fs::read_to_string(ws.path().join("l.csv")).unwrap();
    assert!(csv.lines().count() >= 2, "a header and the stable row: {csv}");
    let named = success_json(timewarp(ws.path()).args(["list", "--toolchains", "stable", "--format", "json"]));
    assert!(named["toolchains"].as_array().unwrap().iter().any(|t| t["selected"] == true), "{named:#}");
    let line = failure(timewarp(ws.path()).args(["list", "--runs", "3"]), 2);
    assert_eq!(line, "error: unexpected argument `--runs`; see `cargo timewarp list --help`");
    assert!(!ws.path().join("target").exists(), "list builds nothing");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn yearly_selection_with_msrv_and_reasons() {
    if !toolchains(&["1.63.0", "1.85.0", "1.96.0"]) {
        return;
    }
    let ws = World::new("single-crate", LIST_WORLD);
    let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    let selected = selected_in(&listing);
    assert!(selected.contains(&"1.85.0") && selected.contains(&"1.96.0"), "{selected:?}");
    assert!(!selected.contains(&"1.63.0"));
    assert_eq!(reason_for(&listing, "1.63.0").unwrap(), "below MSRV 1.80 (rust-version of `single-crate`)");
    assert_eq!(reason_for(&listing, "stable").unwrap(), "within 6 weeks of 1.96.0");
    let old = listing["toolchains"].as_array().unwrap().iter().find(|t| t["name"] == "1.63.0").unwrap();
    assert_eq!(old["release_date"], "2022-08-11", "from the version: Debian's rustc says commit-date: unknown");

    let human = success(ws.timewarp().arg("list"));
    assert!(human.contains("1.85.0") && human.contains("selected"), "{human}");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn all_since_and_explicit_names() {
    if !toolchains(&["1.63.0", "1.85.0", "1.96.0"]) {
        return;
    }
    let ws = World::new("virtual-ws", LIST_WORLD);
    let selected = |args: &[&str]| -> Vec<String> {
        let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]).args(args));
        listing["toolchains"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["selected"] == true)
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = selected(&["--all"]);
    assert!(all.contains(&"1.63.0".to_string()) && all.contains(&"1.96.0".to_string()), "{all:?}");
    assert!(!all.contains(&"nightly".to_string()));
    let since = selected(&["--all", "--since", "1.85"]);
    assert!(!since.contains(&"1.63.0".to_string()) && since.contains(&"1.85.0".to_string()), "{since:?}");
    assert_eq!(selected(&["--toolchains", "1.96.0,1.63.0"]), ["1.63.0", "1.96.0"]);
    let single = World::new("single-crate", LIST_WORLD);
    let listing = success_json(single.timewarp().args(["--list", "--all", "--format", "json"]));
    assert_eq!(reason_for(&listing, "1.63.0").unwrap(), "below MSRV 1.80 (rust-version of `single-crate`)");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_dependency_floor_skips_toolchains_that_cannot_build_the_locked_graph() {
    if !toolchains(FLOOR_WORLD) {
        return;
    }
    let ws = World::new("dep-floor", FLOOR_WORLD);
    let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    assert_eq!(listing["msrv"], "1.60");
    assert_eq!(listing["declared_rust_version"], "1.48");
    assert_eq!(listing["msrv_floors"][0]["kind"], "dependency-rust-version");
    assert_eq!(reason_for(&listing, "1.48.0").unwrap(), RAISED);
    let human = crate::support::success(ws.timewarp().arg("--list"));
    assert!(
        human.contains("MSRV:      1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`), declared 1.48"),
        "{human}"
    );

    let _builds = build_lock();
    let report = success_json(ws.timewarp().args(["--runs", "1", "--format", "json"]));
    assert_eq!(row_names(&report).first().map(String::as_str), Some("1.63.0"), "the oldest toolchain that builds it");
    assert_eq!(reason_for(&report, "1.48.0").unwrap(), RAISED);
    assert!(report["toolchains"].as_array().unwrap().iter().all(|r| r["status"] == "ok"), "{report:#}");
}

/// `--rev`: the floors are the revision's own, read from its lockfile, not today's.
#[test]
fn the_floors_of_a_revision_come_from_its_own_lockfile() {
    let ws = World::new("dep-floor", &["stable"]);
    let git = |args: &[&str]| crate::support::git(ws.path(), args);
    let manifest = std::fs::read_to_string(ws.path().join("Cargo.toml")).unwrap();
    let lock = std::fs::read_to_string(ws.path().join("Cargo.lock")).unwrap();
    std::fs::write(ws.path().join("Cargo.toml"), manifest.replace("once_cell = \"=1.20.2\"\n", "")).unwrap();
    std::fs::write(ws.path().join("Cargo.lock"), "version = 3\n\n[[package]]\nname = \"dfl\"\nversion = \"0.1.0\"\n")
        .unwrap();
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "before once_cell"]);
    std::fs::write(ws.path().join("Cargo.toml"), &manifest).unwrap();
    std::fs::write(ws.path().join("Cargo.lock"), &lock).unwrap();
    git(&["commit", "-qam", "once_cell 1.20.2"]);

    let today = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    assert_eq!(today["msrv"], "1.60", "{today:#}");
    let then = success_json(ws.timewarp().args(["list", "--rev", "HEAD~1", "--format", "json"]));
    assert_eq!(then["msrv"], "1.48", "the revision locks no once_cell: {then:#}");
    let kinds: Vec<&str> =
        then["msrv_floors"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(!kinds.iter().any(|k| k.starts_with("dependency")), "{kinds:?}");
}

#[test]
fn a_toolchain_file_pinning_a_missing_toolchain_does_not_stop_the_run() {
    let ws = fixture("single-crate");
    std::fs::write(ws.path().join("rust-toolchain.toml"), "[toolchain]\nchannel = \"1.70.0\"\n").unwrap();
    for with_cargo_env in [true, false] {
        let mut cmd = timewarp(ws.path());
        cmd.args(["--list", "--format", "json"]);
        if !with_cargo_env {
            // Run directly, not by cargo: timewarp must pick a toolchain for `cargo metadata`.
            cmd.env_remove("CARGO");
        }
        let out = crate::support::run(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "CARGO set: {with_cargo_env}\n{stderr}");
        assert!(
            stderr.contains("rust-toolchain.toml` is ignored: every build names its toolchain with `+NAME`"),
            "{stderr}"
        );
        assert!(stderr.contains("it pins `1.70.0`, which is not installed, so `cargo timewarp` stops in rustup's proxy before timewarp starts unless run as `cargo +stable timewarp`"), "{stderr}");
        let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(listing["msrv"], "1.80");
    }
}

/// Issue 31 item 18: the dependency of `fixtures/dep-floor` as a dev-dependency. No build but
/// `test` compiles once_cell 1.20.2, yet cargo reads its manifest to resolve every build, and
/// cargo 1.46 cannot parse its `dep:` features or its edition 2021: the MSRV is 1.60 for every
/// scenario, and 1.48.0, asked for by name, fails even its clean build, as expected.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_dev_dependency_an_old_cargo_cannot_read_is_a_floor_of_every_scenario() {
    if !toolchains(FLOOR_WORLD) {
        return;
    }
    let ws = World::new("dep-floor", FLOOR_WORLD);
    let manifest = ws.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("[dependencies]", "[dev-dependencies]");
    std::fs::write(&manifest, text).unwrap();
    std::fs::write(ws.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    let listing = success_json(ws.timewarp().args(["--list", "--format", "json"]));
    assert_eq!(listing["msrv"], "1.60", "{listing:#}");
    assert_eq!(listing["msrv_floors"][0]["kind"], "locked-feature-syntax");
    let floor =
        "1.60 (`dep:` or `?/` features of once_cell 1.20.2, locked in Cargo.lock: cargo reads every locked manifest)";
    assert_eq!(reason_for(&listing, "1.48.0").unwrap(), format!("below {floor}"));

    let _builds = build_lock();
    let args = ["--toolchains", "1.48.0,1.63.0", "--scenarios", "clean", "--runs", "1", "--format", "json"];
    let report = success_json(ws.timewarp().args(args));
    let old = row(&report, "1.48.0");
    assert_eq!(old["status"], "failed", "{old:#}");
    assert_eq!(old["expected_failure"], format!("expected to fail: below {floor}"));
    let error = old["error"].as_str().unwrap();
    assert!(error.contains("vendor/once_cell-1.20.2/Cargo.toml"), "cargo 1.46 cannot parse its manifest: {old:#}");
    assert_eq!(row(&report, "1.63.0")["status"], "ok", "{report:#}");
}

/// Found on eza v0.18.0, whose lockfile holds time 0.3.30: Rust 1.96.0 was selected and spent
/// its builds failing with E0282. A locked package that compilers from some release on reject
/// is a ceiling: those toolchains are passed over with the reason, and the selection is made
/// among the others.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_locked_package_newer_compilers_reject_is_a_ceiling_of_the_selection() {
    const WORLD: &[&str] = &["1.78.0", "1.85.0", "1.96.0"];
    if !toolchains(WORLD) {
        return;
    }
    let ws = World::new("time-ceiling", WORLD);
    let listing = success_json(ws.timewarp().args(["list", "--format", "json"]));
    let ceiling = "above 1.79 (time 0.3.30, a dependency of `ceiling`, fails from 1.80 on: rust-lang/rust#127343)";
    assert_eq!(reason_for(&listing, "1.85.0").as_deref(), Some(ceiling), "{listing:#}");
    assert_eq!(reason_for(&listing, "1.96.0").as_deref(), Some(ceiling), "{listing:#}");
    let selected = selected_in(&listing);
    assert_eq!(selected, ["1.78.0"], "only what can build it: {listing:#}");
    let out = ws.timewarp().arg("list").output().unwrap();
    let (human, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(human.contains("1.96.0") && human.contains(ceiling), "{human}");
    assert!(err.contains("a revision that locks time 0.3.35 or later builds on them"), "the way out, once: {err}");
}
