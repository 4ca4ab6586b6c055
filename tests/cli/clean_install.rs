//! `cargo timewarp clean` and `--install`: removing only what timewarp made, installing only
//! what a yearly history lacks.

use crate::support::*;

/// A `CARGO_HOME` whose rustup logs every call to the returned file and pretends to install,
/// passing everything else to the real rustup.
pub(crate) fn logging_rustup() -> (tempfile::TempDir, std::path::PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("rustup.log");
    let real = crate::support::real_rustup();
    std::fs::create_dir_all(home.path().join("bin")).unwrap();
    let fake = home.path().join("bin/rustup");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nif [ \"$1 $2\" = 'toolchain install' ]; then exit 0; fi\nexec '{}' \"$@\"\n",
            log.display(),
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    (home, log)
}

#[test]
fn install_runs_rustup_for_the_missing_yearly_toolchains() {
    let ws = fixture("single-crate");
    let (home, log) = logging_rustup();
    // Only `stable` is installed in this test's world, so the yearly slots back to 1.80 are empty.
    let universe = crate::support::rustup_home(&["stable"]);
    let out = run(timewarp(ws.path())
        .args(["--list", "--install"])
        .env("CARGO_HOME", home.path())
        .env("RUSTUP_HOME", universe.path()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let calls = std::fs::read_to_string(&log).unwrap();
    let install = calls.lines().find(|l| l.starts_with("toolchain install ")).unwrap_or_else(|| panic!("{calls}"));
    assert!(install.ends_with(" 1.80.0 --profile minimal"), "back to the MSRV 1.80: {install}");
    assert!(stderr.contains(&format!("Installing `rustup {install}`")), "the command is shown first: {stderr}");
}

#[test]
fn clean_removes_only_what_timewarp_made() {
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let unrelated = tempfile::tempdir().unwrap();
    let precious = unrelated.path().join("timewarp/notes.txt");
    std::fs::create_dir_all(precious.parent().unwrap()).unwrap();
    std::fs::write(&precious, "not timewarp's").unwrap();
    let line = failure(timewarp(ws.path()).arg("clean").env("CARGO_TARGET_DIR", unrelated.path()), 1);
    assert!(line.contains("is a directory timewarp did not make"), "{line}");
    assert!(precious.exists(), "an unrelated timewarp/ folder is never removed");
    let _builds = build_lock();
    success(timewarp(ws.path()).args(QUICK).arg("--target-dir").arg(unrelated.path().join("mine")));
    let out = run(timewarp(ws.path()).args(["clean", "--target-dir"]).arg(unrelated.path().join("mine")));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("Removed {}", unrelated.path().join("mine/timewarp").display())), "{stderr}");
    assert!(stderr.contains("MiB)") || stderr.contains("KiB)"), "says how much it freed: {stderr}");
    assert!(!unrelated.path().join("mine/timewarp").exists());
    assert!(!state_dir(ws.path()).exists(), "the state directory went too");
    assert_eq!(before, snapshot(ws.path()));
}

/// A failed probe is not a missing toolchain: 1.80.0 is installed, but its rustc does not
/// answer `-vV`, so `--install` installs nothing in its place and names the probe that failed.
#[test]
fn install_never_installs_a_release_whose_probe_failed() {
    let ws = fixture("single-crate");
    let (home, log) = logging_rustup();
    let universe = crate::support::rustup_home(&["stable"]);
    let bin = universe.path().join("toolchains/1.80.0-x86_64-unknown-linux-gnu/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("rustc"),
        "#!/bin/sh\necho 'error: libLLVM.so: cannot open shared object file' >&2\nexit 127\n",
    )
    .unwrap();
    std::fs::set_permissions(bin.join("rustc"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run(timewarp(ws.path())
        .args(["--list", "--install"])
        .env("CARGO_HOME", home.path())
        .env("RUSTUP_HOME", universe.path()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!calls.contains("toolchain install"), "1.80.0 is installed: {calls}");
    assert!(stderr.contains("the probe of 1.80.0 ("), "{stderr}");
    assert!(stderr.contains("libLLVM.so"), "and why: {stderr}");
}

/// Case 27: `history` and `clean` need no compiler, yet in a `RUSTUP_HOME` without a default
/// toolchain they failed with rustup's "could not choose a version of cargo to run", while runs
/// worked there: they read the workspace with the newest installed stable, as runs do.
#[test]
fn history_and_clean_need_no_default_toolchain() {
    let ws = fixture("single-crate");
    let before = snapshot(ws.path());
    let rustup = rustup_home(&["stable"]);
    let settings = rustup.path().join("settings.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let without: String =
        text.lines().filter(|l| !l.starts_with("default_toolchain")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&settings, without).unwrap();
    let target = tempfile::tempdir().unwrap();
    for args in [&["history"][..], &["clean"]] {
        let mut cmd = timewarp(ws.path());
        // Run directly, not by a cargo that would read the workspace itself.
        cmd.env("RUSTUP_HOME", rustup.path()).env_remove("CARGO").args(args).arg("--target-dir").arg(target.path());
        let out = run(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("could not choose a version of cargo"), "{args:?}: {stderr}");
    }
    assert_eq!(before, snapshot(ws.path()));
}
