//! Bad input: one sentence on standard error, the documented exit code, and nothing built or
//! written. Needs only `stable`.

use crate::support::*;

const USAGE: i32 = 2;

#[test]
fn not_in_a_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let line = failure(&mut timewarp(dir.path()), 1);
    assert_eq!(
        line,
        format!("error: could not find `Cargo.toml` in `{}` or any parent directory", dir.path().display())
    );
}

#[test]
fn manifest_that_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package\nname = ").unwrap();
    let before = snapshot(dir.path());
    let line = failure(&mut timewarp(dir.path()), 1);
    assert_eq!(before, snapshot(dir.path()));
    let manifest = dir.path().canonicalize().unwrap().join("Cargo.toml");
    assert!(line.starts_with(&format!("error: could not parse `{}` (line 1", manifest.display())), "{line}");
}

#[test]
fn manifest_path_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let line = failure(timewarp(dir.path()).args(["--manifest-path", "nowhere/Cargo.toml"]), 1);
    assert_eq!(line, "error: manifest path `nowhere/Cargo.toml` does not exist");
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    for (args, expected) in [
        (
            &["--since", "banana"][..],
            "error: invalid value `banana` for `--since`: expected a version like `1.70` or `1.70.0`",
        ),
        (&["--runs", "0"], "error: invalid value `0` for `--runs`: expected a whole number of at least 1"),
        (&["--format", "xml"], "error: invalid value `xml` for `--format`: expected one of table, json, csv, markdown"),
        (&["-p", "nope"], "error: package `nope` is not a member of the workspace (members: single-crate@0.1.0)"),
        (
            &["--toolchains", "0.9.0", "--list"],
            "error: toolchain `0.9.0` in --toolchains is not installed (installed: ",
        ),
        (&["--list", "--plot", "x.svg"], "error: `--plot` does nothing with `--list`, which builds nothing"),
    ] {
        let line = failure(timewarp(ws.path()).args(args), USAGE);
        assert!(line.starts_with(expected), "{args:?}: {line}");
    }
    assert_eq!(before, snapshot(ws.path()));
    assert!(!ws.path().join("target").exists(), "nothing was built");
}

#[test]
fn touch_outside_the_workspace_or_missing() {
    let ws = fixture("single-crate");
    let outside = tempfile::NamedTempFile::new().unwrap();
    let before = snapshot(ws.path());
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--touch"]).arg(outside.path()), USAGE);
    assert!(
        line.starts_with("error: `--touch` file `") && line.contains("is not a file inside the workspace"),
        "{line}"
    );
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--touch", "src/nope.rs"]), USAGE);
    assert_eq!(line, "error: `--touch` file `src/nope.rs` does not exist");
    assert_eq!(before, snapshot(ws.path()));
    assert!(!ws.path().join("target").exists(), "nothing was built");
}

#[test]
fn no_eligible_toolchain_suggests_an_install() {
    let ws = fixture("single-crate");
    let manifest = ws.path().join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).unwrap().replace("rust-version = \"1.80\"", "rust-version = \"1.200\"");
    std::fs::write(&manifest, text).unwrap();
    let before = snapshot(ws.path());
    let line = failure(&mut timewarp(ws.path()), 3);
    assert_eq!(before, snapshot(ws.path()));
    assert!(
        line.starts_with(
            "error: no installed stable toolchain is at or above the MSRV 1.200 (rust-version of `single-crate`)"
        ),
        "{line}"
    );
    // Which release is the newest depends on the date: assert only what holds on any day (the
    // unit test `the_newest_release_is_counted_from_the_runners_clock` fixes the clock).
    let newest =
        line.rsplit("(the newest is 1.").next().and_then(|n| n.strip_suffix(')')).and_then(|n| n.parse::<u32>().ok());
    assert!(newest.is_some_and(|n| (100..200).contains(&n)), "no install advice that cannot help: {line}");
    assert!(line.contains("; no Rust release is that new yet"), "{line}");
}

#[test]
fn rustup_not_installed() {
    let ws = fixture("single-crate");
    let empty = tempfile::tempdir().unwrap();
    let mut cmd = timewarp(ws.path());
    // cargo metadata still works through $CARGO; rustup is neither on PATH nor in CARGO_HOME.
    cmd.env("PATH", "/usr/bin:/bin").env("CARGO_HOME", empty.path()).env("CARGO", cargo_binary());
    let line = failure(&mut cmd, 1);
    assert!(line.starts_with("error: rustup is not installed or not on PATH"), "{line}");
}

/// The real cargo binary of the toolchain running the tests (not rustup's proxy).
fn cargo_binary() -> std::path::PathBuf {
    let out = std::process::Command::new("rustup").args(["which", "cargo"]).output().unwrap();
    std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

#[test]
fn help_has_examples_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let help = success(timewarp(dir.path()).arg("--help"));
    for needle in ["Examples:", "cargo timewarp list", "--manifest-path", "Package Selection", "Exit codes:"] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
    // Direct invocation without the `timewarp` argument works too.
    let direct = success(std::process::Command::new(env!("CARGO_BIN_EXE_cargo-timewarp")).arg("--version"));
    assert!(direct.starts_with("cargo-timewarp "), "{direct}");
}

#[test]
fn unknown_flag_is_clap_usage() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::support::run(timewarp(dir.path()).arg("--frobnicate"));
    assert_eq!(out.status.code(), Some(USAGE));
}

#[test]
fn a_missing_member_and_an_empty_range() {
    let ws = fixture("virtual-ws");
    std::fs::remove_dir_all(ws.path().join("core")).unwrap();
    let before = snapshot(ws.path());
    let line = failure(&mut timewarp(ws.path()), 1);
    assert_eq!(before, snapshot(ws.path()));
    assert!(line.starts_with("error: failed to load manifest for workspace member"), "{line}");
    assert!(line.contains("core/Cargo.toml`: No such file or directory"), "{line}");

    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let line = failure(timewarp(ws.path()).args(["--since", "1.200"]), 3);
    assert_eq!(before, snapshot(ws.path()));
    assert!(
        line.starts_with(
            "error: no installed stable toolchain is at or after `--since 1.200`: the newest stable release is 1."
        ),
        "{line}"
    );
    assert!(!line.contains("rustup toolchain install"), "no advice that cannot help: {line}");
}

#[test]
fn the_reference_shows_the_current_help() {
    let dir = tempfile::tempdir().unwrap();
    let help = success(timewarp(dir.path()).arg("--help"));
    let reference = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference.md")).unwrap();
    let block = reference
        .split("<!-- help-start -->\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```\n<!-- help-end -->").next())
        .expect("docs/reference.md has a help block between <!-- help-start --> and <!-- help-end -->");
    assert_eq!(block, help, "docs/reference.md's help block is out of date; paste `cargo timewarp --help` into it");
}

#[test]
fn a_bad_baseline_fails_before_any_build() {
    let ws = fixture("single-crate");
    std::fs::write(ws.path().join("b.json"), "{}").unwrap();
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--baseline", "b.json"]), 1);
    assert!(line.starts_with("error: baseline `b.json` is not a timewarp JSON report"), "{line}");
    // A report of a pre-release schema is not converted: one line names the schema read.
    std::fs::write(ws.path().join("b.json"), r#"{"schema": 3, "toolchains": []}"#).unwrap();
    let line = failure(timewarp(ws.path()).args(["--toolchains", "stable", "--baseline", "b.json"]), 1);
    assert_eq!(
        line,
        "error: baseline `b.json` is not a timewarp JSON report (--format json): it has schema 3; this timewarp reads schema 4 reports only"
    );
    assert!(!ws.path().join("target").exists());
}

/// #20: clap's usage errors were four lines, `--runs -1` said only "unexpected argument", and
/// `-o` naming a directory failed only after every build.
#[test]
fn usage_errors_are_one_line_before_anything_happens() {
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    for (args, expected) in [
        (&["--bogus"][..], "error: unexpected argument `--bogus`; see `cargo timewarp --help`"),
        (
            &["--max-regression", "10"],
            "error: `--max-regression` needs `--baseline FILE` or `--baseline-rev REV`, what to compare with",
        ),
        (&["--runs", "-1"], "error: invalid value `-1` for `--runs`: expected a whole number of at least 1"),
        (
            &["--budget", "soon"],
            "error: invalid value `soon` for `--budget`: expected a duration such as `20m`, `90s` or `1h30m`",
        ),
        (&["--runs", "3", "--precision", "2"], "error: `--runs` cannot be used with `--precision`"),
        (&["merge"], "error: `merge` needs the reports to merge: `cargo timewarp merge a.json b.json ...`"),
        (
            &["bisect", "1.63", "1.96", "--keep-installed"],
            "error: `--keep-installed` needs `--install`: it keeps the releases --install adds",
        ),
        (
            &["--toolchains", "stable", "-o", "src", "--format", "json"],
            "error: `--output src` is a directory; name a file",
        ),
    ] {
        let out = run(timewarp(ws.path()).args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(USAGE), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end(), expected, "{args:?}: exactly one line");
    }
    assert_eq!(before, snapshot(ws.path()));
    assert!(!ws.path().join("target").exists());
}

/// #20: `-p app@0.1.0` and other package ID specs were rejected as "not a member".
#[test]
fn packages_are_named_by_cargos_package_id_specs() {
    let ws = fixture("virtual-ws");
    for spec in ["probe-app", "probe-app@0.1.0", "probe-app@0.1", "probe-app:0.1.0"] {
        let listing = success_json(timewarp(ws.path()).args(["--list", "--format", "json", "-p", spec]));
        assert_eq!(
            listing["workspace"].as_str().map(|w| w.ends_with(ws.path().file_name().unwrap().to_str().unwrap())),
            Some(true)
        );
    }
    let line = failure(timewarp(ws.path()).args(["--list", "-p", "probe-app@9"]), USAGE);
    assert!(line.contains("members: probe-app@0.1.0, probe-core@0.1.0"), "{line}");
}

/// #20: a workspace under a path that is not UTF-8 got an error that did not name the path.
#[test]
fn a_path_that_is_not_utf8_is_named() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"ws\xff"));
    std::fs::create_dir_all(odd.join("src")).unwrap();
    std::fs::copy(fixture_source("single-crate").join("Cargo.toml"), odd.join("Cargo.toml")).unwrap();
    std::fs::copy(fixture_source("single-crate").join("src/main.rs"), odd.join("src/main.rs")).unwrap();
    let line = failure(timewarp(&odd).arg("--list"), 1);
    assert!(line.contains("ws\u{fffd}") && line.contains("is not valid UTF-8"), "{line}");
}

/// #20: `--rev HEAD~1` in a shallow clone failed without saying the clone is shallow.
#[test]
fn a_revision_missing_from_a_shallow_clone_says_so() {
    let origin = fixture("single-crate");
    git(origin.path(), &["init", "-q"]);
    git(origin.path(), &["add", "-A"]);
    git(origin.path(), &["commit", "-qm", "one"]);
    std::fs::write(origin.path().join("src/extra.rs"), "\n").unwrap();
    git(origin.path(), &["add", "-A"]);
    git(origin.path(), &["commit", "-qm", "two"]);
    let clones = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    git(clones.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let line = failure(timewarp(&clones.path().join("shallow")).args(["--list", "--rev", "HEAD~1"]), USAGE);
    assert!(line.contains("the clone is shallow") && line.contains("git fetch --unshallow"), "{line}");
}

/// #20: install advice for a release that does not exist (`rust-version = "1.999"`).
#[test]
fn no_install_advice_for_a_release_that_does_not_exist() {
    let ws = fixture("single-crate");
    let manifest = ws.path().join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).unwrap().replace("rust-version = \"1.80\"", "rust-version = \"1.999\"");
    std::fs::write(&manifest, text).unwrap();
    let out = run(timewarp(ws.path()).arg("--list"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("rustup toolchain install"), "{stderr}");
    let line = failure(timewarp(ws.path()).arg("--install"), 3);
    assert!(!line.contains("rustup toolchain install") && line.contains("no Rust release is that new yet"), "{line}");
}

/// #20: `cargo timewarp` started by an old cargo (`RUSTUP_TOOLCHAIN` or a toolchain file
/// pinning 1.48) could not read a newer manifest, with no hint of `cargo +stable timewarp`.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn an_old_cargo_that_started_timewarp_is_not_in_the_way() {
    if !toolchains(&["1.48.0"]) {
        return;
    }
    let ws = World::new("single-crate", &["1.48.0", "stable"]);
    let out = std::process::Command::new("rustup").args(["which", "--toolchain", "1.48.0", "cargo"]).output().unwrap();
    let old_cargo = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let out = run(ws.timewarp().args(["--list", "--format", "json"]).env("CARGO", &old_cargo));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("cannot read this workspace, so timewarp read it with `cargo +"), "{stderr}");
    assert!(stderr.contains("`cargo +stable timewarp` avoids"), "{stderr}");
}

/// Case 65: `edited` appended Rust source to a `--touch` file that is not Rust (an
/// `include_str!` data file) and reported the time as an edited rebuild.
#[test]
fn edited_refuses_a_touch_file_that_is_not_rust() {
    let ws = fixture("single-crate");
    std::fs::create_dir(ws.path().join("assets")).unwrap();
    std::fs::write(ws.path().join("assets/q.sql"), "select 1;\n").unwrap();
    let before = snapshot(ws.path());
    let expected = "error: `--touch` file `assets/q.sql` is not a Rust source file (`.rs`), and the `edited` scenario \
                    appends a Rust item to the file it touches; touch a `.rs` file, or leave out `edited` and `--edit`";
    for args in [&["--scenarios", "touched,edited"][..], &["--edit"]] {
        let out = run(timewarp(ws.path()).args(["--toolchains", "stable", "--touch", "assets/q.sql"]).args(args));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(USAGE), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end(), expected, "{args:?}");
    }
    assert_eq!(before, snapshot(ws.path()));
    assert!(!ws.path().join("target").exists(), "nothing was built");
}
