//! The surface a newcomer learns: each command's `-h` on one screen with three examples, every
//! example in `--help`, `-q`, `-v` and `--color` before and after every command, and every
//! flag a command's `--help` lists doing its work once (or refused, exit 2, without the flag it
//! needs). Needs only `stable`.

use std::path::Path;

use crate::support::*;

/// Every command, as typed after `cargo timewarp` (a run types none).
const COMMANDS: &[&[&str]] = &[&[], &["list"], &["history"], &["merge"], &["show"], &["clean"], &["bisect"], &["try"]];

/// The example lines (`cargo timewarp ...`) of a help text, without their comments.
fn examples(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("cargo timewarp"))
        .map(|l| l.split(" # ").next().unwrap_or_default().trim().to_string())
        .collect()
}

#[test]
fn short_help_fits_a_screen_and_long_help_has_every_example() {
    let dir = tempfile::tempdir().unwrap();
    for command in COMMANDS {
        let short = success(timewarp(dir.path()).args(*command).arg("-h"));
        let long = success(timewarp(dir.path()).args(*command).arg("--help"));
        let lines = short.lines().count();
        assert!(lines <= 60, "`{command:?} -h` has {lines} lines:\n{short}");
        assert!(short.lines().all(|l| l.chars().count() <= 100), "{command:?}:\n{short}");
        // One line per flag: no flag's help wraps onto a continuation line.
        let wrapped: Vec<&str> = short.lines().filter(|l| l.starts_with("        ")).collect();
        assert!(wrapped.is_empty(), "`{command:?} -h` wraps a flag's help: {wrapped:?}");
        let (few, all) = (examples(&short), examples(&long));
        assert!((1..=3).contains(&few.len()), "`{command:?} -h` shows 1 to 3 examples: {few:?}");
        assert!(few.iter().all(|e| all.contains(e)), "`{command:?} --help` has every example of -h: {all:?}");
        if command.is_empty() || command == &["bisect"] {
            assert!(all.len() > few.len(), "`{command:?} --help` lists more examples than -h: {all:?}");
        }
        assert!(long.lines().count() > lines, "{command:?}: --help explains more than -h");
    }
}

/// A command that reaches its own work and ends quickly, and the exit code it ends with.
fn quick(command: &[&str], ws: &Path) -> (Vec<String>, i32) {
    let missing = ws.join("missing.json").display().to_string();
    let args: Vec<&str> = match command {
        [] => vec!["--since", "1.200"],
        ["list"] => vec!["list", "--toolchains", "stable"],
        ["history"] => vec!["history"],
        ["merge"] => vec!["merge", &missing],
        ["show"] => vec!["show", &missing],
        ["try"] => vec!["try", "--list"],
        ["clean"] => vec!["clean"],
        _ => vec!["bisect", "stable", "stable"],
    };
    let code = match command {
        [] => 3,
        ["merge"] | ["show"] => 1,
        ["bisect"] => 2,
        _ => 0,
    };
    (args.into_iter().map(String::from).collect(), code)
}

/// `flags` before the command's name and after its arguments.
fn placed(flags: &[&str], args: &[String], before: bool) -> Vec<String> {
    let flags = flags.iter().map(|f| f.to_string());
    match before {
        true => flags.chain(args.iter().cloned()).collect(),
        false => args.iter().cloned().chain(flags).collect(),
    }
}

#[test]
fn quiet_verbose_and_color_work_before_and_after_every_command() {
    let ws = fixture("single-crate");
    for command in COMMANDS {
        let (args, code) = quick(command, ws.path());
        for before in [true, false] {
            for flags in [&["-q"][..], &["--quiet"], &["-v"], &["--verbose"], &["--color", "never"]] {
                let out = run(timewarp(ws.path()).args(placed(flags, &args, before)));
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(code), "{command:?} {flags:?} (before: {before}): {stderr}");
                assert!(!stderr.contains("unexpected argument") && !stderr.contains("cannot be used"), "{stderr}");
            }
            // `--color always` wins over NO_COLOR, and `never` over CARGO_TERM_COLOR.
            let colored = run(timewarp(ws.path()).args(placed(&["--color", "always"], &args, before)));
            let plain = run(timewarp(ws.path()).env("CARGO_TERM_COLOR", "always").args(placed(
                &["--color", "never"],
                &args,
                before,
            )));
            if code != 0 {
                assert!(String::from_utf8_lossy(&colored.stderr).contains("\u{1b}["), "{command:?}: coloured error");
                assert!(!String::from_utf8_lossy(&plain.stderr).contains("\u{1b}["), "{command:?}: plain error");
            }
        }
    }
    // -q silences `clean`'s progress, before the name or after it; without it, clean reports.
    let loud = run(timewarp(ws.path()).arg("clean"));
    assert!(!loud.stderr.is_empty(), "clean says what it removed");
    for args in [&["-q", "clean"][..], &["clean", "-q"]] {
        let out = run(timewarp(ws.path()).args(args));
        assert!(out.status.success() && out.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The long flags `--help` lists for `command`, `--help` and `--version` aside.
fn listed_flags(command: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let help = success(timewarp(dir.path()).args(command).arg("--help"));
    let mut flags: Vec<String> = help
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
        .map(|w| w.split(['[', '=', ',']).next().unwrap_or_default().to_string())
        .filter(|f| f != "--help" && f != "--version")
        .collect();
    flags.dedup();
    flags
}

/// A fixture copy that is also a git repository with one commit, for `--rev` and friends.
fn committed_fixture() -> tempfile::TempDir {
    let ws = fixture("single-crate");
    git(ws.path(), &["init", "-q"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"]);
    ws
}

/// What each flag of a run needs to do its work once: the arguments replacing the cheap
/// defaults (`--toolchains stable --runs 1 --scenarios check`) it conflicts with, and the exit
/// code; flags that only work with another are refused alone.
fn run_case(flag: &str, scratch: &Path, report: &str) -> (Vec<String>, Vec<String>, i32) {
    let at = |name: &str| scratch.join(name).display().to_string();
    let (with, drop, code): (Vec<String>, &[&str], i32) = match flag {
        "--all" => (vec![flag.into()], &["--toolchains"], 0),
        "--quiet" | "--verbose" | "--edit" | "--no-link-time" | "--keep-target-dirs" | "--verify-msrv"
        | "--release" | "--crates" | "--install" => (vec![flag.into()], &[], 0),
        "--color" => (vec![flag.into(), "never".into()], &[], 0),
        "--manifest-path" => (vec![flag.into(), "Cargo.toml".into()], &[], 0),
        "--package" => (vec![flag.into(), "single-crate".into()], &[], 0),
        "--target-dir" => (vec![flag.into(), at("td")], &[], 0),
        "--since" => (vec![flag.into(), "1.80".into()], &[], 0),
        "--until" => (vec![flag.into(), "1.200".into()], &[], 0),
        "--toolchains" => (vec![flag.into(), "stable".into()], &["--toolchains"], 0),
        "--scenarios" => (vec![flag.into(), "check".into()], &["--scenarios"], 0),
        "--touch" => {
            (vec![flag.into(), "src/main.rs".into(), "--scenarios".into(), "check-touched".into()], &["--scenarios"], 0)
        }
        "--rev" | "--baseline-rev" => (vec![flag.into(), "HEAD".into()], &[], 0),
        "--lockfile-compat" => (vec![flag.into(), "--rev".into(), "HEAD".into()], &[], 0),
        "--timeout" => (vec![flag.into(), "5m".into()], &[], 0),
        "--precision" => (vec![flag.into(), "50".into(), "--budget".into(), "1s".into()], &["--runs"], 0),
        "--budget" => (vec![flag.into(), "1s".into()], &["--runs"], 0),
        "--runs" => (vec![flag.into(), "1".into()], &["--runs"], 0),
        "--clean-runs" | "--incremental-runs" => (vec![flag.into(), "1".into()], &["--runs"], 0),
        "--check" => (vec![flag.into()], &["--scenarios"], 0),
        "--profile" => (vec![flag.into(), "release".into()], &[], 0),
        "--jobs" => (vec![flag.into(), "1".into()], &[], 0),
        "--format" => (vec![flag.into(), "json".into()], &[], 0),
        "--output" => (vec![flag.into(), at("out.json")], &[], 0),
        "--plot" => (vec![flag.into(), at("out.svg")], &[], 0),
        "--crates-csv" => (vec!["--crates".into(), flag.into(), at("crates.csv")], &[], 0),
        "--baseline" => (vec![flag.into(), report.into()], &[], 0),
        "--history" => (vec![flag.into(), at("history.jsonl")], &[], 0),
        // One sample cannot decide the gate: exit 7 says so.
        "--max-regression" => (vec![flag.into(), "50".into(), "--baseline".into(), report.into()], &[], 7),
        other => panic!("`{other}` is listed in `cargo timewarp --help` and this test does not know it: add it"),
    };
    let drop: Vec<String> = drop.iter().map(|d| d.to_string()).collect();
    (with, drop, code)
}

/// The cheapest run: one round of `cargo check` with `stable`, without the flags in `drop`.
fn cheap_run(drop: &[String]) -> Vec<String> {
    let base = [("--toolchains", "stable"), ("--runs", "1"), ("--scenarios", "check")];
    base.iter()
        .filter(|(f, _)| !drop.iter().any(|d| d == f))
        .flat_map(|(f, v)| [f.to_string(), v.to_string()])
        .collect()
}

#[test]
fn every_flag_a_run_lists_does_its_work_once() {
    let ws = committed_fixture();
    let scratch = tempfile::tempdir().unwrap();
    let report = scratch.path().join("baseline.json").display().to_string();
    let mut first = cheap_run(&[]);
    first.extend(["-q".into(), "-o".into(), report.clone()]);
    success(timewarp(ws.path()).args(&first));
    let (home, _log) = crate::clean_install::logging_rustup();
    for flag in listed_flags(&[]) {
        let (with, drop, code) = run_case(&flag, scratch.path(), &report);
        let mut args = cheap_run(&drop);
        args.extend(with);
        let mut cmd = timewarp(ws.path());
        cmd.args(&args).env("CARGO_HOME", home.path());
        let out = run(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // A flag that only works with another is refused alone, before anything is built.
    for (alone, needs) in [
        (&["--lockfile-compat"][..], "`--lockfile-compat` needs `--rev REV`"),
        (&["--crates-csv", "c.csv"], "`--crates-csv` needs `--crates`"),
        (&["--max-regression", "5"], "`--max-regression` needs `--baseline FILE` or `--baseline-rev REV`"),
    ] {
        let line = failure(timewarp(ws.path()).args(alone), 2);
        assert!(line.contains(needs), "{alone:?}: {line}");
    }
}

#[test]
fn every_flag_the_other_commands_list_does_its_work_once() {
    let ws = fixture("single-crate");
    let scratch = tempfile::tempdir().unwrap();
    let report = scratch.path().join("report.json").display().to_string();
    success(timewarp(ws.path()).args(cheap_run(&[])).args(["-q", "-o", &report]));
    let at = |name: &str| scratch.path().join(name).display().to_string();
    let (home, _log) = crate::clean_install::logging_rustup();
    for command in ["list", "history", "merge", "show", "clean"] {
        for flag in listed_flags(&[command]) {
            let value: Vec<String> = match flag.as_str() {
                "--quiet" | "--verbose" | "--all" | "--install" => vec![],
                "--color" => vec!["never".into()],
                "--manifest-path" => vec!["Cargo.toml".into()],
                "--package" => vec!["single-crate".into()],
                "--target-dir" => vec![at(&format!("{command}-td"))],
                "--since" => vec!["1.80".into()],
                "--until" => vec!["1.200".into()],
                "--toolchains" => vec!["stable".into()],
                "--rev" => continue, // needs a git repository: `list::` tests it
                "--format" => vec!["json".into()],
                "--output" => vec![at(&format!("{command}.json"))],
                "--plot" => vec![at(&format!("{command}.svg"))],
                "--history" => vec![at("history.jsonl")],
                other => {
                    panic!("`{other}` is listed in `cargo timewarp {command} --help` and this test does not know it")
                }
            };
            let mut cmd = timewarp(ws.path());
            cmd.arg(command).arg(&flag).args(&value).env("CARGO_HOME", home.path());
            if command == "merge" || command == "show" {
                cmd.arg(&report);
            }
            let out = run(&mut cmd);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{command} {flag} {value:?}: {stderr}");
        }
    }
}

/// `bisect` needs two releases to build, which this test's world does not have: each flag its
/// `--help` lists is accepted (the span is refused after parsing, exit 2, never a flag).
#[test]
fn every_flag_bisect_lists_is_accepted() {
    let ws = fixture("single-crate");
    for flag in listed_flags(&["bisect"]) {
        let value: &[&str] = match flag.as_str() {
            "--scenario" | "--scenarios" => &["check"],
            "--color" => &["never"],
            "--manifest-path" => &["Cargo.toml"],
            "--package" => &["single-crate"],
            "--target-dir" | "--output" => &["out.json"],
            "--rev" => &["HEAD"],
            "--touch" => &["src/main.rs"],
            "--timeout" | "--budget" => &["5m"],
            "--precision" => &["5"],
            "--runs" | "--clean-runs" | "--incremental-runs" | "--jobs" => &["1"],
            "--profile" => &["release"],
            "--format" => &["json"],
            "--plot" => &["out.svg"],
            "--keep-installed" | "--lockfile-compat" => continue, // need --install, --rev: refused alone
            _ => &[],
        };
        let line = failure(timewarp(ws.path()).args(["bisect", "stable", "stable", &flag]).args(value), 2);
        assert!(line.starts_with("error: `bisect stable stable`: FROM"), "{flag}: {line}");
    }
    let line = failure(timewarp(ws.path()).args(["bisect", "1.80", "1.90", "--keep-installed"]), 2);
    assert_eq!(line, "error: `--keep-installed` needs `--install`: it keeps the releases --install adds");
}

/// `try`'s cheapest run: one round of `cargo check` with `stable`, today's build and one arm,
/// without the flags in `drop`.
fn cheap_try(drop: &[String]) -> Vec<String> {
    let base = [("--arms", "no-debug"), ("--runs", "1"), ("--scenarios", "check")];
    base.iter()
        .filter(|(f, _)| !drop.iter().any(|d| d == f))
        .flat_map(|(f, v)| [f.to_string(), v.to_string()])
        .collect()
}

#[test]
fn every_flag_try_lists_does_its_work_once() {
    let ws = committed_fixture();
    let scratch = tempfile::tempdir().unwrap();
    let (home, _log) = crate::clean_install::logging_rustup();
    for flag in listed_flags(&["try"]) {
        let (with, drop, code): (Vec<String>, Vec<String>, i32) = match flag.as_str() {
            "--toolchain" => (vec![flag.clone(), "stable".into()], vec![], 0),
            "--arms" => (vec![flag.clone(), "no-incremental,line-tables-only".into()], vec!["--arms".into()], 0),
            "--list" => (vec![flag.clone()], vec![], 0),
            // This test's world has `stable` alone: asking for the nightly says what to install.
            "--nightly" => {
                let line = failure(timewarp(ws.path()).args(["try", "--nightly"]).args(cheap_try(&[])), 2);
                assert!(line.contains("no nightly toolchain is installed"), "{line}");
                continue;
            }
            other => {
                let (with, drop, code) = run_case(other, scratch.path(), "unused.json");
                (with, drop.iter().map(|d| d.to_string()).collect(), code)
            }
        };
        let mut cmd = timewarp(ws.path());
        cmd.arg("try").args(cheap_try(&drop)).args(&with).env("CARGO_HOME", home.path());
        let out = run(&mut cmd);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "try {with:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "try {with:?}: {stderr}");
    }
}

/// With two releases to build, every flag `bisect --help` lists does its work once: a
/// bisection of `cargo check` between 1.85.0 and 1.96.0, one round a probe.
#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn every_flag_bisect_lists_does_its_work_once() {
    let Some((_builds, ws)) = setup("single-crate") else { return };
    let scratch = tempfile::tempdir().unwrap();
    let at = |name: &str| scratch.path().join(name).display().to_string();
    let (home, _log) = crate::clean_install::logging_rustup();
    let base = ["bisect", "1.85.0", "1.96.0", "--runs", "1", "--scenario", "check"];
    for flag in listed_flags(&["bisect"]) {
        let value: Vec<String> = match flag.as_str() {
            // The scenario, the runs: given in `base` already, each once more changes nothing.
            "--scenario" | "--runs" => continue,
            "--scenarios" | "--edit" | "--check" => {
                let value = ["check"].iter().filter(|_| flag == "--scenarios");
                let line = failure(ws.timewarp().args(base).arg(&flag).args(value), 2);
                assert!(line.contains("`--scenario check` measures that scenario alone"), "{flag}: {line}");
                continue;
            }
            "--color" => vec!["never".into()],
            "--manifest-path" => vec!["Cargo.toml".into()],
            "--package" => vec!["single-crate".into()],
            "--target-dir" => vec![at("td")],
            "--output" => vec![at("bisect.json")],
            "--plot" => vec![at("bisect.svg")],
            "--format" => vec!["json".into()],
            "--touch" => vec!["src/main.rs".into()],
            "--timeout" => vec!["5m".into()],
            "--rev" | "--lockfile-compat" | "--keep-installed" | "--precision" | "--budget" | "--clean-runs"
            | "--incremental-runs" => {
                // Each needs what `base` does not give: --rev a git repository (list:: and
                // measure:: test it), --keep-installed --install, and the stopping flags
                // conflict with --runs: refused with exit 2 as they stand.
                let out = run(ws.timewarp().args(base).arg(&flag).args(["5m"].iter().filter(|_| flag == "--budget")));
                assert_eq!(out.status.code(), Some(2), "{flag}: {}", String::from_utf8_lossy(&out.stderr));
                continue;
            }
            "--jobs" => vec!["1".into()],
            "--profile" => vec!["release".into()],
            _ => vec![],
        };
        let out = run(ws.timewarp().args(base).arg(&flag).args(&value).env("CARGO_HOME", home.path()));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "bisect {flag} {value:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "bisect {flag}: {stderr}");
    }
    // The saved bisection renders again, as a table and a plot, without building.
    let saved = at("saved.json");
    let out = run(ws.timewarp().args(base).args(["--format", "json", "-o", &saved]).env("CARGO_HOME", home.path()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let shown = success(ws.timewarp().args(["show", &saved, "--plot", &at("shown.svg")]));
    assert!(shown.starts_with("bisect:") && shown.contains("1.85.0 → 1.96.0"), "{shown}");
    assert!(std::fs::read_to_string(at("shown.svg")).unwrap().starts_with("<svg"));
}
