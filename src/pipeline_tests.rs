//! The pipeline through the seam: whole runs against a fake machine, in milliseconds.

use super::*;
use crate::process::Stop;
use crate::testing::{FakeRunner, Project, output};

/// Runs `args` on `project` with `runner`; returns the exit code.
fn exit_code(project: &Project, runner: &FakeRunner, args: &[&str]) -> i32 {
    let config = project.config(runner, args);
    match run(runner, &config) {
        Ok(()) => exit::SUCCESS,
        Err(e) => exit::code_for(&e),
    }
}

/// The build commands the runner received.
fn builds(runner: &FakeRunner) -> Vec<String> {
    runner.lines().into_iter().filter(|l| l.starts_with("cargo build")).collect()
}

#[test]
fn a_run_reports_every_row_and_keeps_the_report_before_writing_it() {
    let project = Project::new(&["1.85.0", "1.96.0"]);
    let runner = project.runner().timed("timewarp/1.85.0", &[4.0]).timed("timewarp/1.96.0", &[2.0]);
    let out = project.file("report.json");
    assert_eq!(exit_code(&project, &runner, &["--runs", "2", "-j", "3", "-o", &out]), exit::SUCCESS);
    let report = project.json("report.json");
    assert_eq!(report["schema"], 4);
    let scenarios = report["measurement"]["scenarios"].as_array().unwrap();
    assert_eq!(scenarios, &["clean", "touched", "check-touched"], "the default, without a library for deep");
    assert_eq!(report["measurement"]["commands"]["check-touched"], "cargo check");
    assert_eq!(report["touched_file"], "src/main.rs");
    assert_eq!(report["jobs"], 3);
    let rows = report["toolchains"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), ["1.85.0", "1.96.0"]);
    assert_eq!(rows[1]["scenarios"]["clean"]["speedup"]["point"], 2.0);
    assert_eq!(rows[1]["scenarios"]["touched"]["wall"]["runs_s"].as_array().unwrap().len(), 2);
    assert_eq!(rows[0]["provenance"], "distribution");
    let builds = builds(&runner);
    assert_eq!(builds.len(), 2 * (2 + 1 + 2), "two clean, one untimed and two timed rebuilds each");
    assert!(builds.iter().all(|b| b.contains(" -j 3 ")), "-j reaches every build: {builds:?}");
    let checks: Vec<String> = runner.lines().into_iter().filter(|l| l.starts_with("cargo check")).collect();
    assert_eq!(checks.len(), 2 * (1 + 1 + 2), "a full check, one untimed and two timed checks each: {checks:?}");
    assert!(checks.iter().all(|c| c.contains("/rebuilds")), "beside the builds they share nothing with");
    let kept = std::fs::read_to_string(project.root.join("target/timewarp/last-report.json")).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&kept).unwrap(), report, "kept as written");
    let history = std::fs::read_to_string(project.work_dir().history_file()).unwrap();
    let entry: serde_json::Value = serde_json::from_str(history.lines().next().unwrap()).unwrap();
    // Recorded as the run ends, on the runner's clock: nine builds of 4 s and nine of 2 s.
    assert_eq!(entry["recorded_at"], "2026-11-30T12:00:54Z", "the runner's clock, not the machine's");
    assert_eq!(entry["workspace"], project.root.display().to_string());
    assert_eq!(entry["host"], FakeRunner::HOSTNAME, "the runner's host name, not the machine's");
    assert_eq!(report["cpu"], FakeRunner::CPU_MODEL, "the runner's CPU model, not the machine's");
    assert!(!project.root.join("target/timewarp/history.jsonl").exists(), "the history is kept outside `target/`");
    assert_eq!(runner.sweeps().len(), 1, "one sweep for a killed run's builds");
    assert_eq!(std::fs::read_to_string(project.root.join("src/main.rs")).unwrap(), "fn main() {}\n");
}

#[test]
fn outputs_are_checked_before_any_build() {
    let project = Project::new(&["1.85.0", "1.96.0"]);
    let runner = project.runner().timed("build", &[1.0]);
    let manifest = project.file("Cargo.toml");
    assert_eq!(exit_code(&project, &runner, &["-o", &manifest, "--format", "json"]), exit::USAGE);
    let src = project.file("src");
    assert_eq!(exit_code(&project, &runner, &["-o", &src, "--format", "json"]), exit::USAGE, "a directory");
    let plot = project.file("h.png");
    assert_eq!(exit_code(&project, &runner, &["--plot", &plot]), exit::USAGE);
    assert!(builds(&runner).is_empty(), "{:?}", runner.lines());
    assert!(runner.sweeps().is_empty(), "and nothing stopped");
}

#[test]
fn a_report_that_cannot_be_written_is_kept_and_one_that_cannot_be_kept_is_still_written() {
    let project = Project::new(&["1.96.0"]);
    let runner = project.runner().timed("build", &[1.0]);
    let config = project.config(&runner, &["--runs", "1", "-o", "/dev/full", "--format", "json"]);
    let err = format!("{:#}", run(&runner, &config).unwrap_err());
    let kept = project.root.join("target/timewarp/last-report.json");
    assert!(err.ends_with(&format!("; the report is saved in `{}`", kept.display())), "{err}");
    assert!(kept.is_file());
    // The other way round: timewarp's own copy cannot be written (a directory in its place),
    // and the user's output still is, with a warning.
    std::fs::remove_file(&kept).unwrap();
    std::fs::create_dir_all(kept.join("in-the-way")).unwrap();
    let out = project.file("report.json");
    assert_eq!(exit_code(&project, &runner, &["--runs", "1", "-o", &out]), exit::SUCCESS);
    assert_eq!(project.json("report.json")["toolchains"][0]["status"], "ok");
}

#[test]
fn every_verdict_picks_its_exit_code() {
    // Every build fails: 4.
    let project = Project::new(&["1.85.0", "1.96.0"]);
    let runner = project.runner().fail("--offline --locked", 101, "error[E0425]: cannot find value `x`\n");
    assert_eq!(exit_code(&project, &runner, &["--runs", "1"]), exit::ALL_BUILDS_FAILED);
    // Nothing eligible: 3, and nothing was built or stopped.
    let project = Project::new(&["1.63.0"]);
    let runner = project.runner();
    assert_eq!(exit_code(&project, &runner, &[]), exit::NO_ELIGIBLE_TOOLCHAIN);
    assert!(builds(&runner).is_empty());
    // The declared rust-version (1.80) cannot build: 6.
    let project = Project::new(&["1.80.0", "1.96.0"]);
    let runner = project
        .runner()
        .answer("timewarp/1.80.0", output(Some(101), "", "error[E0658]: use of unstable library feature\n", 1.0))
        .timed("timewarp/1.96.0", &[1.0]);
    assert_eq!(
        exit_code(&project, &runner, &["--toolchains", "1.96.0", "--verify-msrv", "--runs", "1"]),
        exit::MSRV_BROKEN
    );
    // Slower than a saved baseline, with no repeat runs in the history to tell the project's
    // change from the machine's: undecided, 7 (the exit 5 of a decided regression is proven
    // through the real binary with --baseline-rev, and in report::verdict).
    let project = Project::new(&["1.96.0"]);
    let fast = project.runner().timed("build", &[1.0]);
    let baseline = project.file("base.json");
    assert_eq!(exit_code(&project, &fast, &["--runs", "3", "-o", &baseline]), exit::SUCCESS);
    let slow = project.runner().timed("build", &[2.0]);
    let args = ["--runs", "3", "--baseline", &baseline, "--max-regression", "10"];
    assert_eq!(exit_code(&project, &slow, &args), exit::UNDECIDED);
    // Interrupted: 130, with the report of what was measured, and the builds told to stop.
    let runner = project.runner().timed("build", &[1.0]).interrupt_on("--target-dir");
    let out = project.file("partial.json");
    assert_eq!(exit_code(&project, &runner, &["--runs", "3", "-o", &out]), exit::INTERRUPTED);
    assert_eq!(project.json("partial.json")["toolchains"][0]["status"], "interrupted");
    assert_eq!(runner.stops(), [Stop::Interrupt]);
    assert_eq!(std::fs::read_to_string(project.root.join("src/main.rs")).unwrap(), "fn main() {}\n");
}

/// Found on a shared target directory: a read-only `--list` killed a running measurement's
/// build as "left running by a killed run".
#[test]
fn a_list_never_stops_a_build() {
    let project = Project::new(&["1.85.0", "1.96.0"]);
    let runner = project.runner().with_leftovers(&[4242]);
    assert_eq!(exit_code(&project, &runner, &["--list", "--format", "json"]), exit::SUCCESS);
    assert!(runner.sweeps().is_empty(), "{:?}", runner.sweeps());
    let measuring = project.runner().with_leftovers(&[4242]).timed("build", &[1.0]);
    assert_eq!(exit_code(&project, &measuring, &["--runs", "1"]), exit::SUCCESS);
    let cargo_home = project.root.join("target/timewarp/cargo-home");
    assert_eq!(measuring.sweeps(), [("CARGO_HOME".to_string(), cargo_home)], "holding the build directory's lock");
}

#[test]
fn a_second_run_on_the_build_directory_stops_with_one_line() {
    let project = Project::new(&["1.96.0"]);
    let runner = project.runner().timed("build", &[1.0]);
    let (_, work) = stages::inspect(&runner, &project.config(&runner, &[]).run().at, None, None).unwrap();
    let crate::measure::workdir::Locked::Acquired(_held) = work.lock_builds("pid 1, another workspace").unwrap() else {
        panic!("free")
    };
    let config = project.config(&runner, &["--runs", "1"]);
    let err = run(&runner, &config).unwrap_err().to_string();
    assert!(err.starts_with("another cargo timewarp is using the build directory `"), "{err}");
    assert!(err.contains("(pid 1, another workspace)"), "{err}");
    assert!(builds(&runner).is_empty() && runner.sweeps().is_empty(), "its builds were left alone");
}

/// The advice that no release is that new depends on the date: it comes from the runner's
/// clock, so this test holds on any day (the suite once expected "1.100" from the real one,
/// which 1.101 would have broken on 2026-12-24).
#[test]
fn the_newest_release_is_counted_from_the_runners_clock() {
    let project = Project::new(&["1.96.0"]);
    let manifest = std::fs::read_to_string(project.root.join("Cargo.toml")).unwrap();
    std::fs::write(project.root.join("Cargo.toml"), manifest.replace("1.80", "1.200")).unwrap();
    for (secs, newest) in [(FakeRunner::NOW_SECS, "1.100"), (1_798_070_400, "1.101")] {
        let when = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        let runner = project.runner().at(when);
        let config = project.config(&runner, &[]);
        let err = run(&runner, &config).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::NO_ELIGIBLE_TOOLCHAIN);
        let expected = format!("; no Rust release is that new yet (the newest is {newest})");
        assert!(err.to_string().ends_with(&expected), "{err}");
    }
}

/// The default scenarios follow the survey's top pains: `deep` joins when a built library has a
/// built dependent, `--edit` adds `edited`, and asking for `deep` where there is no library is
/// a usage error naming the packages.
#[test]
fn the_default_scenarios_depend_on_the_workspace() {
    use crate::discover::workspace::DeepTarget;
    let parse = |args: &[&str]| {
        crate::cli::parse_args(std::iter::once("cargo-timewarp").chain(args.iter().copied()), &Default::default())
            .unwrap()
    };
    let mut ws = crate::testing::workspace("/w");
    fn names(c: &crate::cli::Cli, ws: &crate::discover::workspace::Workspace) -> Vec<&'static str> {
        stages::scenarios(c.run(), ws).unwrap().iter().map(|s| s.name()).collect()
    }
    assert_eq!(names(&parse(&[]), &ws), ["clean", "touched", "check-touched"]);
    assert_eq!(names(&parse(&["--edit"]), &ws), ["clean", "touched", "edited", "check-touched"]);
    let err = stages::scenarios(parse(&["--scenarios", "deep"]).run(), &ws).unwrap_err();
    assert_eq!(exit::code_for(&err), exit::USAGE);
    assert_eq!(
        err.to_string(),
        "the `deep` scenario edits a library of the workspace that another built package depends on, and none of `app` does"
    );
    // Case 66: a library that is depended on but is a proc-macro is named, with why.
    ws.packages = vec!["hpm".into(), "happ2".into()];
    ws.deep_proc_macros = vec!["hpm".into()];
    let err = stages::scenarios(parse(&["--scenarios", "deep"]).run(), &ws).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the `deep` scenario edits a library of the workspace that another built package depends on, and none of `hpm`, `happ2` does (`hpm` is depended on, but it is a proc-macro, which exports nothing but its macros, so `deep` passes it over)"
    );
    ws.packages = vec!["app".into()];
    ws.deep_proc_macros = Vec::new();
    ws.deep =
        Some(DeepTarget { package: "core".into(), file: "/w/core/src/lib.rs".into(), dependents: vec!["app".into()] });
    assert_eq!(names(&parse(&[]), &ws), ["clean", "touched", "deep", "check-touched"]);
    assert_eq!(names(&parse(&["--check"]), &ws), ["check", "check-touched"]);
    assert_eq!(names(&parse(&["--scenarios", "release,deep"]), &ws), ["deep", "release"]);
}

/// A failed probe is not a missing toolchain (hostile.md case 90): when `rustc -vV` of
/// installed releases times out, `--install` installs nothing in their place; with the probes
/// answering, the same machine lacks a release of the yearly history and gets it.
#[test]
fn install_never_installs_a_release_whose_probe_failed() {
    let project = Project::new(&["1.80.0", "1.89.0", "1.96.0"]);
    let timed_out = |_: usize, _: &crate::process::CommandSpec| crate::process::Output {
        timed_out: true,
        ..output(None, "", "", 60.0)
    };
    let runner = project
        .runner()
        .replacing("rustc +1.80.0-x86_64-unknown-linux-gnu -vV", timed_out)
        .replacing("rustc +1.89.0-x86_64-unknown-linux-gnu -vV", timed_out)
        .ok("toolchain install", "");
    assert_eq!(exit_code(&project, &runner, &["--list", "--install"]), exit::SUCCESS);
    let installs: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("toolchain install")).collect();
    assert_eq!(installs, Vec::<String>::new(), "1.80.0 and 1.89.0 are installed, their probes failed");

    // The same machine without 1.80.0: the yearly history lacks the MSRV's release, and
    // --install adds it.
    let project = Project::new(&["1.89.0", "1.96.0"]);
    let runner = project.runner().ok("toolchain install", "");
    assert_eq!(exit_code(&project, &runner, &["--list", "--install"]), exit::SUCCESS);
    let installs: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("toolchain install")).collect();
    assert_eq!(installs.len(), 1, "{installs:?}");
    assert!(installs[0].ends_with("rustup toolchain install 1.80.0 --profile minimal"), "{installs:?}");
}

/// Hostile pass, defect 2: timewarp's directories made by one user (a shared target directory,
/// a shared cache) and a run by another. It is refused before any build, writing nothing there.
#[test]
fn another_users_directories_are_refused_before_any_build() {
    let project = Project::new(&["1.85.0", "1.96.0"]);
    let first = project.runner().timed("build", &[1.0]).timed("check", &[1.0]);
    assert_eq!(exit_code(&project, &first, &["--runs", "1"]), exit::SUCCESS);
    let kept = project.root.join("target/timewarp/last-report.json");
    let before = std::fs::read(&kept).unwrap();
    let other = crate::process::effective_uid() + 1;
    let runner = project.runner().running_as(other).timed("build", &[1.0]).timed("check", &[1.0]);
    let config = project.config(&runner, &["--runs", "1"]);
    let err = run(&runner, &config).unwrap_err();
    assert_eq!(exit::code_for(&err), exit::FAILURE);
    let text = err.to_string();
    assert!(text.contains("belongs to another user") && text.contains("so timewarp will not use it"), "{text}");
    assert!(builds(&runner).is_empty(), "{:?}", runner.lines());
    assert_eq!(std::fs::read(&kept).unwrap(), before);
}
