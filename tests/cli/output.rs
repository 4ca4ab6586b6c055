//! Output formats and cargo's conventions: the JSON Schema of real reports, the job summary,
//! colour, a table that fits the terminal, the plot and every format from one run.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::*;

/// The committed schema of the current report version.
fn schema() -> serde_json::Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/report-v4.json");
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

#[track_caller]
fn assert_valid(report: &serde_json::Value) {
    let validator = jsonschema::validator_for(&schema()).expect("the committed schema is a JSON Schema");
    let errors: Vec<String> = validator.iter_errors(report).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "the report does not match schema/report-v4.json: {errors:#?}");
}

#[test]
fn jobs_reach_every_build_and_a_real_report_matches_the_schema_and_the_job_summary() {
    let _builds = build_lock();
    let ws = fixture("build-script");
    let scratch = tempfile::tempdir().unwrap();
    let (probe, summary) = (scratch.path().join("probe.log"), scratch.path().join("summary.md"));
    std::fs::write(&summary, "earlier step\n").unwrap();
    let report = success_json(
        timewarp(ws.path())
            .args(["--toolchains", "stable", "--runs", "2", "-j", "1", "--edit", "--crates", "--format", "json"])
            .env("TIMEWARP_PROBE_LOG", &probe)
            .env("GITHUB_STEP_SUMMARY", &summary),
    );
    assert_eq!(report["jobs"], 1);
    let log = std::fs::read_to_string(&probe).unwrap();
    assert!(log.lines().count() >= 3, "the warm-up, two clean builds and the per-crate build ran: {log}");
    assert!(log.lines().all(|l| l.ends_with(" jobs 1")), "every build ran with -j 1: {log}");
    assert_valid(&report);
    assert!(report["toolchains"][0]["crates"].is_object(), "the schema was checked with --crates: {report:#}");

    let summary = std::fs::read_to_string(&summary).unwrap();
    // The answer first, then the table's heading.
    assert!(summary.starts_with("earlier step\n### cargo timewarp\n\n- clean: Rust "), "{summary}");
    assert!(summary.contains("\nBuild times of `build-script`"), "{summary}");
    assert!(summary.contains(", -j 1; "), "{summary}");
    assert!(summary.contains("| Rust | released |"), "the Markdown report was appended: {summary}");
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn a_real_report_with_a_failed_row_matches_the_schema() {
    if !crate::support::toolchains(&["1.63.0"]) {
        return;
    }
    let _builds = build_lock();
    let ws = World::new("needs-new-rustc", &["1.63.0", "stable"]);
    let out = run(ws.timewarp().args(["--toolchains", "1.63.0,stable", "--runs", "1", "--format", "json"]));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert!(
        report["toolchains"].as_array().unwrap().iter().any(|r| r["status"] == "failed"),
        "a failed row: {report:#}"
    );
    assert_valid(&report);
}

#[test]
fn color_follows_the_flag_then_cargo_term_color_then_no_color() {
    let ws = fixture("single-crate");
    let colored = |cmd: &mut std::process::Command| {
        let out = run(cmd.args(["--manifest-path", "missing/Cargo.toml"]));
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains("missing/Cargo.toml"), "{stderr}");
        stderr.contains("\u{1b}[")
    };
    // The test command sets NO_COLOR=1, and stderr is a pipe: auto means no colour.
    assert!(!colored(&mut timewarp(ws.path())));
    assert!(colored(timewarp(ws.path()).args(["--color", "always"])));
    assert!(colored(timewarp(ws.path()).env("CARGO_TERM_COLOR", "always")));
    assert!(!colored(timewarp(ws.path()).env("CARGO_TERM_COLOR", "always").args(["--color", "never"])));
    assert!(!colored(timewarp(ws.path()).env("CARGO_TERM_COLOR", "auto")));
    let out = run(timewarp(ws.path()).env("CARGO_TERM_COLOR", "purple"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "error: invalid value `purple` for `CARGO_TERM_COLOR`: expected one of auto, always, never"
    );
}

#[test]
fn the_table_fits_columns_and_keeps_everything_in_a_file() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let args = ["--toolchains", "stable", "--runs", "1"];
    let narrow = success(timewarp(ws.path()).args(args).env("COLUMNS", "80"));
    let widest = narrow.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 80, "every line fits 80 columns:\n{narrow}");
    assert!(!narrow.contains('█'), "the bar went first:\n{narrow}");
    let wide = success(timewarp(ws.path()).args(args).env("COLUMNS", "200"));
    assert!(wide.contains('█') && wide.contains("clean, relative"), "a wide terminal has room for the bar:\n{wide}");
    for scenario in ["clean", "touched", "check-touched"] {
        let heading = |l: &&str| l.starts_with("toolchain") && l.split_whitespace().any(|w| w == scenario);
        assert!(narrow.lines().any(|l| heading(&l)), "every scenario is in the narrow table:\n{narrow}");
    }
    let piped = success(timewarp(ws.path()).args(args).env_remove("COLUMNS"));
    assert!(piped.lines().all(|l| l.chars().count() <= 100), "a pipe gets 100 columns:\n{piped}");
    success(timewarp(ws.path()).args(args).args(["-o", "report.txt"]).env("COLUMNS", "80"));
    let file = std::fs::read_to_string(ws.path().join("report.txt")).unwrap();
    assert!(file.lines().all(|l| l.chars().count() <= 100), "a file gets 100 columns, whatever the terminal:\n{file}");
    assert!(file.lines().any(|l| l.chars().count() > 80), "and not the terminal's 80:\n{file}");
}

#[test]
fn plot_and_every_export_format_from_one_run() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let out =
        success(timewarp(ws.path()).args(["--toolchains", "stable", "--runs", "1", "--plot", "h.svg", "-o", "h.csv"]));
    assert!(out.is_empty());
    let svg = std::fs::read_to_string(ws.path().join("h.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("the plot is well-formed XML");
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("circle")).count(),
        3 + 2,
        "one point per toolchain in each scenario's panel, and the link times of the two that link"
    );
    let csv = std::fs::read_to_string(ws.path().join("h.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.starts_with("toolchain,version,release_date,status,clean_time_s,clean_time_low_s,"), "{csv}");
    assert!(csv.lines().nth(1).unwrap().contains(",ok,"), "{csv}");
}

/// #20: a toolchain known only as `stable` had no version anywhere on its row; with
/// `COLUMNS=20` the header lines were not wrapped.
#[test]
fn every_row_says_its_version_and_the_header_wraps_in_a_narrow_terminal() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let table = success(timewarp(ws.path()).args(QUICK).env("COLUMNS", "20"));
    assert!(table.contains("stable (1."), "{table}");
    let header: Vec<&str> =
        table.lines().skip_while(|l| !l.starts_with("workspace:")).take_while(|l| !l.is_empty()).collect();
    assert!(header.len() > 3, "{table}");
    for line in header {
        let one_word = line.split_whitespace().count() == 1 || line.starts_with("workspace:");
        assert!(console_width(line) <= 20 || one_word, "a header line wider than 20: {line:?}");
    }
}

fn console_width(line: &str) -> usize {
    line.chars().count()
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn merge_combines_machines_by_their_speedups_never_their_seconds() {
    let Some((_builds, ws)) = setup("single-crate") else { return };
    let reports = tempfile::tempdir().unwrap();
    let file = |name: &str| reports.path().join(name);
    success(
        ws.timewarp()
            .args(["--toolchains", "1.85.0,1.96.0", "--runs", "2", "--format", "json", "-o"])
            .arg(file("a.json")),
    );
    let a: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file("a.json")).unwrap()).unwrap();
    // Another machine, twice as slow in seconds: the same speedups.
    let mut b = a.clone();
    b["cpu"] = "Another CPU".into();
    for row in b["toolchains"].as_array_mut().unwrap() {
        for figures in row["scenarios"].as_object_mut().unwrap().values_mut() {
            for run in figures["wall"]["runs_s"].as_array_mut().unwrap() {
                *run = (run.as_f64().unwrap() * 2.0).into();
            }
        }
    }
    std::fs::write(file("b.json"), b.to_string()).unwrap();
    // A third machine's run, measured in the release profile.
    let mut release = b.clone();
    release["cpu"] = "A third CPU".into();
    for row in release["toolchains"].as_array_mut().unwrap() {
        for figures in row["scenarios"].as_object_mut().unwrap().values_mut() {
            for run in figures["wall"]["runs_s"].as_array_mut().unwrap() {
                *run = (run.as_f64().unwrap() * 1.5).into();
            }
        }
    }
    release["profile"] = "release".into();
    std::fs::write(file("c.json"), release.to_string()).unwrap();

    let merged = success_json(
        timewarp(ws.path())
            .arg("merge")
            .args([file("a.json"), file("b.json"), file("c.json")])
            .args(["--format", "json"]),
    );
    assert_eq!(merged["base"], "1.85.0", "{merged:#}");
    assert_eq!(merged["machines"].as_array().unwrap().len(), 2, "{merged:#}");
    let not_comparable = merged["not_comparable"].as_array().unwrap();
    assert_eq!(not_comparable.len(), 1, "{merged:#}");
    assert!(not_comparable[0].as_str().unwrap().contains("c.json: profile release here, dev in"), "{merged:#}");
    let row = &merged["rows"][0];
    assert_eq!(row["version"], "1.96.0");
    for scenario in ["clean", "touched"] {
        let figure = &row["scenarios"][scenario];
        assert_eq!(figure["machines"], 2, "{figure:#}");
        let per_machine: Vec<f64> =
            figure["per_machine"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert!((per_machine[0] - per_machine[1]).abs() < 1e-9, "seconds never mix: {figure:#}");
        assert!((figure["speedup"]["point"].as_f64().unwrap() - per_machine[0]).abs() < 1e-9, "{figure:#}");
    }
    let table = success(timewarp(ws.path()).arg("merge").args([file("a.json"), file("b.json")]));
    assert!(table.starts_with("2 machines, speedups over Rust 1.85.0:"), "{table}");
    // The merged document, saved as JSON, renders again as the same table.
    let saved = success(timewarp(ws.path()).arg("merge").args([
        file("a.json"),
        file("b.json"),
        "--format".into(),
        "json".into(),
    ]));
    std::fs::write(file("merged.json"), saved).unwrap();
    assert_eq!(success(timewarp(ws.path()).arg("show").arg(file("merged.json"))), table);
    let err = failure(timewarp(ws.path()).arg("show").arg(file("merged.json")).args(["--plot", "m.svg"]), 1);
    assert!(
        err.ends_with(
            "is a `merge` document, which has no plot; `--plot m.svg` draws a run's report, a `try` or a bisection"
        ),
        "{err}"
    );
    assert!(table.contains("mean over machines  one more machine  machines"), "{table}");
    assert!(table.contains("two machines cannot estimate how much machines differ"), "{table}");

    // hostile.md defect 12: a report already in the set counted as a second machine that
    // agrees exactly. The same path, a copy, or the same run rewritten are refused.
    std::fs::copy(file("a.json"), file("copy.json")).unwrap();
    std::fs::write(file("pretty.json"), serde_json::to_string_pretty(&a).unwrap()).unwrap();
    for (second, why) in [
        ("a.json", "is the same file as"),
        ("copy.json", "is a copy of"),
        ("pretty.json", "holds the same run's samples as"),
    ] {
        let line = failure(timewarp(ws.path()).arg("merge").args([file("a.json"), file("b.json"), file(second)]), 2);
        let expected = format!(
            "error: `{}` {why} `{}`: each machine's report may be given once",
            file(second).display(),
            file("a.json").display()
        );
        assert!(line.starts_with(&expected), "{line}");
    }
    let line = failure(timewarp(ws.path()).arg("merge").arg(file("missing.json")), 1);
    assert!(line.starts_with("error: could not read `") && line.contains("missing.json"), "{line}");
}

/// Before the first build the plan is said: toolchains × scenarios, the rounds, and how long a
/// run like it took here before (or that the first round will tell).
#[test]
fn the_plan_and_its_estimate_come_before_the_first_build() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let args = ["--toolchains", "stable", "--scenarios", "touched", "--runs", "2"];
    let first = run(timewarp(ws.path()).args(args));
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let stderr = String::from_utf8_lossy(&first.stderr);
    let plan = stderr.lines().position(|l| l.trim_start().starts_with("Planning")).expect("a plan line");
    let line = stderr.lines().nth(plan).unwrap();
    assert!(
        line.ends_with("1 toolchain × 1 scenario (touched), 2 rounds; the first round tells how long a round takes"),
        "{line}"
    );
    let measured = stderr.lines().position(|l| l.trim_start().starts_with("Measured")).expect("a measured line");
    assert!(plan < measured, "{stderr}");
    let second = run(timewarp(ws.path()).args(args));
    let stderr = String::from_utf8_lossy(&second.stderr);
    let line = stderr.lines().find(|l| l.trim_start().starts_with("Planning")).expect("a plan line");
    assert!(line.contains("; the last such run here took 0:") && line.ends_with(" (2 rounds)"), "{line}");
}

/// The answer comes first: in the table, the first lines of standard output are one sentence
/// per scenario; the Markdown report, and the job summary with it, hold the sentences, the
/// comparison with the gate's verdict on each change, and the warnings.
#[test]
fn the_answer_opens_the_report_and_the_markdown_holds_the_gate_and_warnings() {
    let Some((_builds, world)) = setup("single-crate") else { return };
    let ws = world.path();
    git(ws, &["init", "-q"]);
    git(ws, &["add", "."]);
    git(ws, &["commit", "-q", "-m", "v1"]);
    git(ws, &["tag", "v1"]);
    let args = ["--toolchains", "1.85.0,stable,1.96.0", "--scenarios", "clean,touched", "--runs", "2"];
    let table = success(world.timewarp().args(args));
    let first: Vec<&str> = table.lines().take(5).collect();
    assert!(first[0].starts_with("clean: Rust 1.96.0 ") && first[0].contains(" Rust 1.85.0"), "{table}");
    assert!(first.iter().any(|l| l.starts_with("touched: Rust 1.96.0 ")), "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 100), "{table}");

    let summary = ws.join("summary.md");
    // A limit of 50 %, not 10 %: two fixed rounds of sub-second builds once showed an unchanged
    // tree 19.7 % slower with a narrow interval (1.19x-1.20x, two ratios that agreed by chance)
    // while another build loaded the machine; what this test checks is what the Markdown holds.
    let gate = ["--baseline-rev", "v1", "--max-regression", "50", "--format", "markdown"];
    let out = run(world.timewarp().args(args).args(gate).env("GITHUB_STEP_SUMMARY", &summary));
    // Two rounds of an unchanged tree: the gate decides or says it could not; never regressed.
    assert!(matches!(out.status.code(), Some(0 | 7)), "{}", String::from_utf8_lossy(&out.stderr));
    let markdown = String::from_utf8_lossy(&out.stdout).into_owned();
    for text in [markdown.as_str(), &std::fs::read_to_string(&summary).unwrap()] {
        let answer = text.trim_start_matches("### cargo timewarp\n\n");
        assert!(answer.starts_with("- clean: Rust 1.96.0 "), "{text}");
        assert!(text.contains("**Compared with the baseline** revision v1 ("), "{text}");
        assert!(text.contains("| 1.96.0 | clean | ") && text.contains("| 1.85.0 | touched | "), "{text}");
        assert!(["| fine |", "| undecided |"].iter().any(|v| text.contains(v)), "the gate's verdict: {text}");
        assert!(text.contains("> **warning:** "), "the mixed linkers or packaging warning: {text}");
    }
}

/// `cargo timewarp 2>&1 | head -3`: standard output and standard error share one pipe whose
/// reader goes away after three lines. The run panicked at its next progress line (exit 101,
/// "failed printing to stderr") and lost its report; now every later line is dropped, the run
/// ends cleanly, its report is kept and recorded, and its locks are released and empty.
#[test]
fn a_reader_that_stops_after_three_lines_loses_no_run() {
    use std::io::BufRead as _;
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let (reader, writer) = std::io::pipe().unwrap();
    let mut child = {
        let mut cmd = timewarp(ws.path());
        cmd.args(["--toolchains", "stable", "--scenarios", "touched", "--runs", "3", "-j", "1"])
            .stdin(std::process::Stdio::null())
            .stdout(writer.try_clone().unwrap())
            .stderr(writer);
        cmd.spawn().unwrap()
        // The command, and with it this process's copies of the pipe's write end, is dropped
        // here: the child alone writes to the pipe.
    };
    let mut lines = std::io::BufReader::new(reader).lines();
    let head: Vec<String> = lines.by_ref().take(3).map(|l| l.unwrap()).collect();
    assert_eq!(head.len(), 3, "three lines before the first build: {head:?}");
    drop(lines);
    // A hang guard, not a timing: the run takes seconds.
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("timewarp did not end after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(0), "a closed pipe ends no run: {status}");
    let builds = ws.path().join("target/timewarp");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(builds.join("last-report.json")).unwrap()).unwrap();
    let runs = &report["toolchains"][0]["scenarios"]["touched"]["wall"]["runs_s"];
    assert_eq!(runs.as_array().map(Vec::len), Some(3), "the whole run is kept: {report:#}");
    let history = std::fs::read_to_string(history_file(ws.path())).unwrap();
    assert_eq!(history.lines().count(), 1, "and recorded: {history}");
    for lock in [builds.join("lock"), state_dir(ws.path()).join("lock")] {
        let file = std::fs::File::open(&lock).unwrap();
        assert!(file.try_lock().is_ok(), "`{}` is released", lock.display());
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), "", "`{}` names no holder", lock.display());
    }
}

/// Usability review, 14: a saved report could not be rendered again without measuring again.
/// `show` renders the report a run kept exactly as the run printed it, in the table and (as the
/// job summary got it) in Markdown; a file that is not a run's report is one line and exit 1.
#[test]
fn show_renders_a_saved_report_as_the_run_printed_it() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let scratch = tempfile::tempdir().unwrap();
    let summary = scratch.path().join("summary.md");
    let table = success(timewarp(ws.path()).args(QUICK).env("COLUMNS", "100").env("GITHUB_STEP_SUMMARY", &summary));
    let saved = ws.path().join("target/timewarp/last-report.json");
    let shown = success(timewarp(scratch.path()).arg("show").arg(&saved).env("COLUMNS", "100"));
    assert_eq!(shown, table);
    let markdown = success(timewarp(scratch.path()).arg("show").arg(&saved).args(["--format", "markdown"]));
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(summary, format!("### cargo timewarp\n\n{markdown}\n"), "what the job summary got");
    let before = snapshot(ws.path());
    success(timewarp(scratch.path()).arg("show").arg(&saved).args(["-o", "run.csv", "--plot", "run.svg"]));
    assert!(std::fs::read_to_string(scratch.path().join("run.csv")).unwrap().starts_with("toolchain,version,"));
    roxmltree::Document::parse(&std::fs::read_to_string(scratch.path().join("run.svg")).unwrap()).unwrap();
    assert_eq!(before, snapshot(ws.path()), "nothing was measured or written in the workspace");

    let line = failure(timewarp(scratch.path()).arg("show").arg(ws.path().join("Cargo.toml")), 1);
    let expected =
        format!("error: `{}` is not a timewarp report (`--format json`): ", ws.path().join("Cargo.toml").display());
    assert!(line.starts_with(&expected) && !line.contains('\n'), "{line}");
    let line = failure(timewarp(ws.path()).arg("show").arg(&saved).args(["-o", "src/main.rs", "--format", "json"]), 2);
    assert!(line.contains("would write over a source file"), "outputs are judged by the guard: {line}");
    failure(timewarp(scratch.path()).arg("show"), 2);
}

/// Usability review, finding 3: the example matrix merged an aarch64 runner with x86_64 ones,
/// whose official builds link with rust-lld from 1.90, as one setup. A real report records its
/// target and each row's linker, and `merge` refuses a report of another target or linker.
#[test]
fn merge_refuses_reports_of_another_target_or_linker() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let dir = tempfile::tempdir().unwrap();
    let report = success_json(timewarp(ws.path()).args(QUICK).args(["--format", "json"]));
    assert!(report["target"].as_str().is_some_and(|t| t.contains('-')), "the host's triple: {report:#}");
    // Another machine's run: the same shape, other times.
    let mut other = report.clone();
    for figures in other["toolchains"][0]["scenarios"].as_object_mut().unwrap().values_mut() {
        for t in figures["wall"]["runs_s"].as_array_mut().unwrap() {
            *t = (t.as_f64().unwrap() * 1.1).into();
        }
    }
    let write = |name: &str, value: &serde_json::Value| {
        std::fs::write(dir.path().join(name), serde_json::to_string(value).unwrap()).unwrap();
    };
    write("a.json", &report);
    write("b.json", &other);
    success(timewarp(dir.path()).args(["merge", "a.json", "b.json"]));
    let mut arm = other.clone();
    arm["target"] = "aarch64-unknown-linux-gnu".into();
    write("arm.json", &arm);
    let line = failure(timewarp(dir.path()).args(["merge", "a.json", "arm.json"]), 2);
    let target = report["target"].as_str().unwrap();
    assert_eq!(
        line,
        format!(
            "error: `arm.json` was measured for aarch64-unknown-linux-gnu and `a.json` for {target}: merge combines the reports of one target; merge each target's apart"
        )
    );
    let mut lld = other;
    let linker = if report["toolchains"][0]["linker"] == "cc" { "rust-lld" } else { "cc" };
    lld["toolchains"][0]["linker"] = linker.into();
    write("lld.json", &lld);
    let line = failure(timewarp(dir.path()).args(["merge", "a.json", "lld.json"]), 2);
    assert!(
        line.starts_with(&format!(
            "error: `lld.json` linked {} with {linker} and `a.json` with ",
            report["toolchains"][0]["version"].as_str().unwrap()
        )),
        "{line}"
    );
}
