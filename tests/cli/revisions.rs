//! Old code on old compilers: `--rev` of a repository whose HEAD looks nothing like its first
//! commit, and every stable cargo from Debian's 1.48 (cargo 1.46) to today building a crates.io
//! dependency offline. Needs the six toolchains scripts/install-debian-toolchains.sh installs.

use std::path::Path;

use crate::support::{World, build_lock, git, row, row_names, snapshot, success_json, toolchains};

/// Every toolchain CI has: Debian's five and the official stable.
const SIX: &[&str] = &["1.48.0", "1.63.0", "1.78.0", "1.85.0", "stable", "1.96.0"];
const DEBIAN: &[&str] = &["1.48.0", "1.63.0", "1.78.0", "1.85.0", "1.96.0"];

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[track_caller]
fn assert_every_row_ok(report: &serde_json::Value, count: usize) {
    let rows = report["toolchains"].as_array().unwrap();
    assert_eq!(rows.len(), count, "{:?}", row_names(report));
    for r in rows {
        assert_eq!(r["status"], "ok", "{} failed: {}", r["name"], r["error"]);
    }
}

#[test]
fn the_first_commit_of_a_workspace_builds_as_it_did_then_on_every_toolchain() {
    if !toolchains(DEBIAN) {
        return;
    }
    let _builds = build_lock();
    // The first commit: a single package (the `old-msrv` fixture) with a crates.io dependency
    // and a version 2 lockfile (no `version` line), as cargo wrote them in 2020.
    let ws = World::new("old-msrv", SIX);
    let root = ws.path();
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap();
    write(root, "Cargo.lock", &lock.replace("version = 3\n", ""));
    let main = std::fs::read_to_string(root.join("src/main.rs")).unwrap();
    let guard = "#[cfg(head_config)]\ncompile_error!(\"today's .cargo/config.toml reached the old revision\");\n";
    write(root, "src/main.rs", &format!("{main}{guard}"));
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "first"]);
    let first = git(root, &["rev-parse", "HEAD"]);

    // HEAD: a virtual workspace whose config would break the old code if it reached it.
    git(root, &["rm", "-q", "-r", "Cargo.toml", "Cargo.lock", "src"]);
    write(root, "Cargo.toml", "[workspace]\nmembers = [\"crates/app\"]\nresolver = \"2\"\n");
    write(root, "crates/app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.2.0\"\nedition = \"2021\"\n");
    write(root, "crates/app/src/main.rs", "fn main() {}\n");
    write(root, ".cargo/config.toml", "[build]\nrustflags = [\"--cfg\", \"head_config\"]\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "today"]);
    let before = snapshot(root);

    let report = success_json(ws.timewarp().args(["--rev", &first, "--all", "--runs", "1", "--format", "json"]));
    assert_eq!(report["revision"], first.as_str());
    assert_every_row_ok(&report, SIX.len());
    assert_eq!(row_names(&report).first().map(String::as_str), Some("1.48.0"));
    assert_eq!(before, snapshot(root), "the working tree and .git are unchanged");
    let exported = std::path::PathBuf::from(row(&report, "1.48.0")["target_dir"].as_str().unwrap());
    assert!(exported.starts_with(root), "builds still go below the user's target dir: {exported:?}");
    assert!(
        report["workspace"].as_str().is_some_and(|w| !Path::new(w).starts_with(root)),
        "the copy is outside: {}",
        report["workspace"]
    );
}

#[test]
fn a_project_declaring_rust_1_48_with_a_crates_io_dependency_builds_on_1_48() {
    if !toolchains(DEBIAN) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("old-msrv", SIX);
    let before = snapshot(ws.path());
    let report = success_json(ws.timewarp().args(["--runs", "1", "--format", "json"]));
    assert_eq!(
        row_names(&report).first().map(String::as_str),
        Some("1.48.0"),
        "the default selection keeps the oldest"
    );
    let oldest = row(&report, "1.48.0");
    assert_eq!(oldest["status"], "ok", "{oldest:#}");
    assert_every_row_ok(&report, row_names(&report).len());
    assert_eq!(before, snapshot(ws.path()));
    let config = std::fs::read_to_string(ws.path().join("target/timewarp/cargo-home/config.toml")).unwrap();
    assert!(config.contains("replace-with = \"vendored-sources\""), "{config}");
}

#[test]
fn a_version_4_lockfile_fails_on_the_cargos_that_cannot_read_it_and_says_why() {
    if !toolchains(DEBIAN) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("old-msrv", SIX);
    let lock = ws.path().join("Cargo.lock");
    std::fs::write(&lock, std::fs::read_to_string(&lock).unwrap().replace("version = 3", "version = 4")).unwrap();
    let names = "1.48.0,1.63.0,1.78.0,1.96.0";
    let report = success_json(ws.timewarp().args(["--toolchains", names, "--runs", "1", "--format", "json"]));
    let old = row(&report, "1.63.0");
    assert_eq!(old["status"], "failed");
    let error = old["error"].as_str().unwrap();
    let first = error.lines().next().unwrap();
    assert!(first.starts_with("cargo 1.63.0 cannot read Cargo.lock version 4, which needs cargo 1.78;"), "{error}");
    assert!(error.lines().nth(1).is_some_and(|l| l.starts_with("error")), "cargo's own words follow: {error}");
    for name in ["1.78.0", "1.96.0"] {
        assert_eq!(row(&report, name)["status"], "ok", "{report:#}");
    }
    // Debian's cargo 0.47 predates the lockfile's `version` marker and reads a registry-only
    // version 4 lockfile as the format it knows.
    assert_eq!(row(&report, "1.48.0")["status"], "ok", "{report:#}");
}
