use std::cell::Cell;
use std::sync::Arc;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::discover::toolchain::Toolchain;
use crate::measure::build::Recipe;
use crate::process::CommandSpec;
use crate::stats;
use crate::testing::{FakeRunner, output, toolchain};
use crate::vocab::Profile;

mod stopping;

struct Setup {
    _dir: tempfile::TempDir,
    plan: Plan,
    work: WorkDir,
    journal: Journal,
    file: PathBuf,
    /// What `rustup which` answers: a toolchain directory that has a cargo.
    rustc: String,
}

fn fixed(clean: usize, rebuilds: usize, edited: bool) -> (Vec<Scenario>, Stopping) {
    let mut scenarios = vec![Scenario::Clean, Scenario::Touched];
    if edited {
        scenarios.push(Scenario::Edited);
    }
    let counts = scenarios.iter().map(|s| (*s, if *s == Scenario::Clean { clean } else { rebuilds })).collect();
    (scenarios, Stopping::Fixed(counts))
}

fn setup(scenarios: Vec<Scenario>, stopping: Stopping) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.rs");
    std::fs::write(&file, "fn main() {}\n").unwrap();
    let recipe = Recipe {
        root: dir.path().into(),
        manifest_path: dir.path().join("Cargo.toml"),
        packages: vec!["app".into()],
        profile: Profile::Dev,
        link_dir: None,
        jobs: None,
        cargo_home: dir.path().join("cargo-home"),
        timeout: None,
        lockfile_version: None,
        overrides: Default::default(),
        env: crate::process::Env::default(),
    };
    let verify = Verification { package: Some("app".into()), file: "src/main.rs".into() };
    let plan = Plan {
        variants: vec![Variant { tag: None, recipe, verify, deep: None, skip: BTreeMap::new() }],
        scenarios,
        stopping,
        crates: None,
        floors: BTreeMap::new(),
    };
    let work = crate::testing::work_dir_in(dir.path());
    work.create_builds().unwrap();
    let journal = Journal::on_disk(&dir.path().join("journal.json"), &dir.path().join("backups"), work.owner());
    std::fs::create_dir_all(dir.path().join("tc/bin")).unwrap();
    std::fs::write(dir.path().join("tc/bin/cargo"), "").unwrap();
    let rustc = format!("{}\n", dir.path().join("tc/bin/rustc").display());
    Setup { _dir: dir, plan, work, journal, file, rustc }
}

/// Records what the engine reports.
#[derive(Default)]
struct Log {
    lines: Vec<String>,
    rounds: Vec<RoundDone>,
}

impl Observer for Log {
    fn round_starting(&mut self, round: usize, builds: usize) {
        self.lines.push(format!("round {round}: {builds} builds"));
    }

    fn starting(&mut self, step: &BuildStep<'_>) {
        let what = match step.action {
            BuildPurpose::WarmUp => "warm-up".to_string(),
            BuildPurpose::FirstRebuild => "first rebuild".to_string(),
            BuildPurpose::Settle => "settle".to_string(),
            BuildPurpose::Prime => "prime".to_string(),
            BuildPurpose::CrateBuild => "crate build".to_string(),
            BuildPurpose::Timed { scenario, .. } => scenario.to_string(),
        };
        self.lines.push(format!("{} {what}", step.toolchain));
    }

    fn round_done(&mut self, done: &RoundDone) {
        self.rounds.push(done.clone());
    }

    fn finished(&mut self, measured: &Measured) {
        self.lines.push(format!("{} ended {:?}", measured.toolchain, measured.end));
    }

    fn redone(&mut self, toolchain: &Toolchain, redone: &Redone) {
        let again = if redone.again { "again" } else { "no more" };
        self.lines.push(format!("{toolchain} {} round {} set aside, {again}", redone.scenario, redone.round));
    }
}

fn run_with(s: &Setup, runner: &FakeRunner, toolchains: &[Toolchain], stop: &dyn Fn() -> bool) -> (Outcome, Log) {
    let touched = s.journal.touch(&s.file).unwrap();
    let edits = s.plan.scenarios.contains(&Scenario::Edited);
    let edited = edits.then(|| s.journal.edit(&s.file, EditStyle::Private).unwrap());
    let files = [ChangedFile { touched: &touched, edited: edited.as_ref(), deep: None }];
    let subjects: Vec<Subject<'_>> = toolchains.iter().map(|toolchain| Subject { toolchain, variant: 0 }).collect();
    let mut log = Log::default();
    let outcome = measure(Engine { runner, plan: &s.plan, work: &s.work, stop }, &subjects, &files, &mut log).unwrap();
    (outcome, log)
}

fn walls(measured: &Measured, scenario: Scenario) -> Vec<f64> {
    measured.walls(scenario)
}

#[test]
fn a_round_times_each_scenario_once_with_the_untimed_steps_it_needs() {
    let (scenarios, stopping) = fixed(2, 2, true);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new()
        .ok("rustup which --toolchain 1.63.0 rustc", &s.rustc)
        .timed("build", &[10.0, 9.0, 1.0, 2.0, 12.0, 3.0, 1.1, 4.0]);
    let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
    let m = &outcome.measured[0];
    assert_eq!((m.end.clone(), outcome.rounds, outcome.stop), (End::Completed, 2, StopReason::Fixed));
    assert_eq!(walls(m, Scenario::Clean), [10.0, 12.0]);
    assert_eq!(walls(m, Scenario::Touched), [1.0, 1.1], "neither the first rebuild (9 s) nor a settle is timed");
    assert_eq!(walls(m, Scenario::Edited), [2.0, 4.0]);
    assert_eq!(m.samples[&Scenario::Touched].iter().map(|s| s.round).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(
        log.lines,
        [
            "round 0: 3 builds",
            "1.63.0 warm-up",
            "1.63.0 clean",
            "1.63.0 first rebuild",
            "1.63.0 touched",
            "1.63.0 edited",
            "round 1: 3 builds",
            "1.63.0 clean",
            "1.63.0 settle",
            "1.63.0 touched",
            "1.63.0 edited",
            "1.63.0 ended Completed",
        ]
    );
    let cleans: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("build")).collect();
    assert!(cleans[0].contains("/1.63.0/rebuilds"), "the first clean build fills the rebuilds' directory: {cleans:?}");
    assert!(cleans[4].contains("/1.63.0/scratch"), "later ones go to scratch: {cleans:?}");
    assert!(cleans.iter().skip(1).filter(|c| !c.contains("scratch")).all(|c| c.contains("/rebuilds")));
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}\n", "every edit is reverted");
    let dir = s.work.subject_dir(&toolchain("1.63.0"), None);
    assert_eq!(m.target_dir, dir.join("rebuilds"), "the rebuilds' directory is the toolchain's build");
    assert!(dir.join("rebuilds").is_dir() && !dir.join("scratch").exists(), "the scratch directory goes");
}

#[test]
fn the_order_rotates_from_round_to_round() {
    let (scenarios, stopping) = fixed(2, 1, false);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
    let three = [toolchain("1.63.0"), toolchain("1.85.0"), toolchain("1.96.0")];
    let (_, log) = run_with(&s, &runner, &three, &|| false);
    let cleans: Vec<&str> =
        log.lines.iter().filter(|l| l.ends_with(" clean")).map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(cleans.len(), 6);
    assert_ne!(cleans[..3], cleans[3..], "round 2 does not repeat round 1's order: {cleans:?}");
    assert_ne!(cleans[0], cleans[3], "no toolchain always goes first");
}

#[test]
fn an_interruption_keeps_the_samples() {
    let (scenarios, stopping) = fixed(2, 3, false);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
    let builds = Cell::new(0);
    let both = [toolchain("1.63.0"), toolchain("1.85.0")];
    let touched = s.journal.touch(&s.file).unwrap();
    let files = [ChangedFile { touched: &touched, edited: None, deep: None }];
    let subjects: Vec<Subject<'_>> = both.iter().map(|toolchain| Subject { toolchain, variant: 0 }).collect();
    struct Counting<'a>(&'a Cell<usize>, Log);
    impl Observer for Counting<'_> {
        fn round_starting(&mut self, round: usize, builds: usize) {
            self.1.round_starting(round, builds);
        }
        fn starting(&mut self, step: &BuildStep<'_>) {
            if matches!(step.action, BuildPurpose::Timed { .. }) {
                self.0.set(self.0.get() + 1);
            }
            self.1.starting(step);
        }
        fn round_done(&mut self, done: &RoundDone) {
            self.1.round_done(done);
        }
        fn finished(&mut self, measured: &Measured) {
            self.1.finished(measured);
        }
    }
    let stop = || builds.get() >= 3;
    let mut observer = Counting(&builds, Log::default());
    let outcome = measure(
        Engine { runner: &runner, plan: &s.plan, work: &s.work, stop: &stop },
        &subjects,
        &files,
        &mut observer,
    )
    .unwrap();
    assert_eq!(builds.get(), 3, "no build starts after the stop request");
    let kept: usize = outcome.measured.iter().flat_map(|m| m.samples.values()).map(Vec::len).sum();
    assert_eq!(kept, 2, "the two builds finished before the stop are kept: {outcome:?}");
    assert!(outcome.measured.iter().all(|m| m.end == End::Interrupted));
    assert_eq!(outcome.stop, StopReason::Interrupted);
}

/// Builds of `seconds` each, except those whose number (from 0, every `build` command
/// counted) is in `held_up`: timewarp was stopped for `pause` during them, and their wall
/// time holds it.
fn held_up_runner(rustc: &str, seconds: f64, held_up: &'static [usize], pause: f64) -> FakeRunner {
    FakeRunner::new().ok("rustup which", rustc).responding("build", move |n, _| {
        let mut out = output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", seconds);
        if held_up.contains(&n) {
            out.elapsed += Duration::from_secs_f64(pause);
            out.paused = Duration::from_secs_f64(pause);
        }
        out
    })
}

/// hostile.md defect 8: Ctrl-Z for 5 s during a 0.5 s rebuild gave a 5.09 s sample.
#[test]
fn a_build_during_which_timewarp_was_stopped_is_set_aside_and_done_again_in_its_round() {
    let (scenarios, stopping) = fixed(1, 3, false);
    let s = setup(scenarios, stopping);
    let both = [toolchain("1.63.0"), toolchain("1.85.0")];
    // Builds 0-1 are the clean ones, 2-5 round 0's first rebuilds and touched rebuilds,
    // 6 and 7 round 1's touched rebuilds: the first of those was held up for 5 s.
    let runner = held_up_runner(&s.rustc, 0.5, &[6], 5.0);
    let (outcome, log) = run_with(&s, &runner, &both, &|| false);
    let set_aside: Vec<&Redone> = outcome.measured.iter().flat_map(|m| &m.redone).collect();
    assert_eq!(set_aside.len(), 1, "{:?}", log.lines);
    let redone = set_aside[0];
    assert_eq!((redone.scenario, redone.round, redone.wall_s, redone.paused_s), (Scenario::Touched, 1, 5.5, 5.0));
    for m in &outcome.measured {
        assert_eq!(walls(m, Scenario::Touched), [0.5, 0.5, 0.5], "{} keeps no held-up sample", m.toolchain);
        let rounds: Vec<usize> = m.samples[&Scenario::Touched].iter().map(|s| s.round).collect();
        assert_eq!(rounds, [0, 1, 2], "the build was done again in its own round");
    }
    assert!(log.lines.iter().any(|l| l.ends_with("touched round 1 set aside, again")), "{:?}", log.lines);
    assert_eq!(runner.log().iter().filter(|c| c.to_string().contains("build")).count(), 11, "one build more");
}

#[test]
fn a_short_stop_in_a_long_build_is_kept_and_a_cell_held_up_every_time_gives_up() {
    // 0.5 s of a 100 s clean build is within 1 %: kept, not built again.
    let (scenarios, stopping) = fixed(2, 0, false);
    let s = setup(vec![scenarios[0]], stopping);
    let runner = held_up_runner(&s.rustc, 100.0, &[1], 0.5);
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
    assert!(outcome.measured[0].redone.is_empty());
    assert_eq!(walls(&outcome.measured[0], Scenario::Clean), [100.0, 100.5]);
    // A build held up every time is tried 1 + MAX_REDOS times, then its round goes without.
    let (scenarios, stopping) = fixed(2, 0, false);
    let s = setup(vec![scenarios[0]], stopping);
    let runner = held_up_runner(&s.rustc, 1.0, &[1, 2, 3, 4, 5], 5.0);
    let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
    let m = &outcome.measured[0];
    assert_eq!(m.redone.len(), 1 + MAX_REDOS);
    assert_eq!(m.samples[&Scenario::Clean].iter().map(|s| s.round).collect::<Vec<_>>(), [0]);
    assert!(log.lines.iter().any(|l| l.ends_with("clean round 1 set aside, no more")), "{:?}", log.lines);
}

/// A machine seized by something else while timewarp ran: build 12 (round 4's first touched
/// rebuild) takes 10 times as long, with timewarp never held up.
#[test]
fn a_build_ten_times_its_cells_median_is_set_aside_and_done_again_in_its_round() {
    let (scenarios, stopping) = fixed(1, 6, false);
    let s = setup(scenarios, stopping);
    let both = [toolchain("1.63.0"), toolchain("1.85.0")];
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).responding("build", |n, _| {
        output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", if n == 12 { 5.0 } else { 0.5 })
    });
    let (outcome, log) = run_with(&s, &runner, &both, &|| false);
    let set_aside: Vec<&Redone> = outcome.measured.iter().flat_map(|m| &m.redone).collect();
    assert_eq!(set_aside.len(), 1, "{:?}", log.lines);
    let redone = set_aside[0];
    assert_eq!((redone.scenario, redone.round, redone.wall_s), (Scenario::Touched, 4, 5.0));
    assert_eq!(redone.why, SetAside::Seized { expected_s: 0.5 });
    for m in &outcome.measured {
        assert_eq!(walls(m, Scenario::Touched), [0.5; 6], "{} keeps no seized sample", m.toolchain);
        let rounds: Vec<usize> = m.samples[&Scenario::Touched].iter().map(|s| s.round).collect();
        assert_eq!(rounds, [0, 1, 2, 3, 4, 5], "the build was done again in its own round");
    }
    assert!(log.lines.iter().any(|l| l.ends_with("touched round 4 set aside, again")), "{:?}", log.lines);
    assert_eq!(runner.log().iter().filter(|c| c.to_string().contains("build")).count(), 17, "one build more");
}

#[test]
fn twenty_percent_noise_sets_no_build_aside() {
    let s = setup(vec![Scenario::Clean], Stopping::Fixed(BTreeMap::from([(Scenario::Clean, 30)])));
    let both = [toolchain("1.63.0"), toolchain("1.85.0")];
    let runner =
        FakeRunner::new().ok("rustup which", &s.rustc).timing("build", stopping::synthetic(10.0, 1.25, 0.2, |_| 1.0));
    let (outcome, _) = run_with(&s, &runner, &both, &|| false);
    for m in &outcome.measured {
        assert!(m.redone.is_empty(), "{:?}", m.redone);
        assert_eq!(walls(m, Scenario::Clean).len(), 30);
    }
}

#[test]
fn a_failed_build_ends_its_toolchain_with_the_error_and_the_rest_goes_on() {
    let (scenarios, stopping) = fixed(1, 5, false);
    let s = setup(scenarios, stopping);
    let stderr = "   Compiling app v0.1.0\nerror[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5\nerror: could not compile `app`\n";
    let runner = FakeRunner::new()
        .ok("rustup which", &s.rustc)
        .answer("timewarp/1.63.0", output(Some(101), "", stderr, 1.0))
        .timed("timewarp/1.85.0", &[1.0]);
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let expected = "error[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5";
    assert_eq!(outcome.measured[0].end, End::Failed(expected.into()), "in rustc's own words");
    assert_eq!(outcome.measured[1].end, End::Completed);
    assert_eq!(walls(&outcome.measured[1], Scenario::Touched).len(), 5);
    let builds = runner.lines().iter().filter(|l| l.contains("timewarp/1.63.0")).count();
    assert_eq!(builds, 1, "no rebuild after a failure");
}

#[test]
fn a_rebuild_that_compiles_nothing_stops_its_scenario_with_a_sentence() {
    let (scenarios, stopping) = fixed(2, 3, false);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new()
        .ok("rustup which", &s.rustc)
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0))
        .answer("build", output(Some(0), "", "    Finished `dev` profile\n", 0.1));
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
    let m = &outcome.measured[0];
    assert_eq!(m.end, End::Completed, "the clean builds still count");
    assert_eq!(
        m.scenario_errors[&Scenario::Touched],
        "touching src/main.rs rebuilt nothing: no target of the build compiles it"
    );
    assert_eq!(walls(m, Scenario::Clean), [2.0, 0.1]);
    assert!(walls(m, Scenario::Touched).is_empty(), "no number for a build that did nothing");
    let alone = setup(vec![Scenario::Touched], Stopping::fixed_rounds(&[Scenario::Touched], 1, 3));
    let runner = FakeRunner::new()
        .ok("rustup which", &alone.rustc)
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0))
        .answer("build", output(Some(0), "", "    Finished `dev` profile\n", 0.1));
    let (outcome, _) = run_with(&alone, &runner, &[toolchain("1.85.0")], &|| false);
    assert_eq!(
        outcome.measured[0].end,
        End::Failed("touching src/main.rs rebuilt nothing: no target of the build compiles it".into()),
        "with nothing else left, the toolchain fails"
    );
    assert!(outcome.measured[0].scenario_errors.is_empty(), "said once, as the row's error");
}

#[test]
fn a_build_broken_by_the_edit_ends_only_the_edited_scenario() {
    let (scenarios, stopping) = fixed(2, 2, true);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new()
        .ok("rustup which", &s.rustc)
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 5.0))
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0))
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0))
        .answer("build", output(Some(101), "", "error: expected expression, found `#`\n", 1.0))
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0));
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
    let m = &outcome.measured[0];
    assert_eq!(m.end, End::Completed, "{m:?}");
    assert_eq!((walls(m, Scenario::Clean).len(), walls(m, Scenario::Touched).len()), (2, 2));
    assert!(walls(m, Scenario::Edited).is_empty());
    assert_eq!(
        m.scenario_errors[&Scenario::Edited],
        "timewarp's edit of src/main.rs (a `#[used] static` appended) made the build fail: error: expected expression, found `#`"
    );
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}\n");
}

/// Cases 59 and 86: a file written by someone else before timewarp's next edit (a build
/// script that re-stamps it at every build, another run) was said to be "left as you saved
/// it". The sentence says what was seen, not who did it.
#[test]
fn a_file_changed_before_an_edit_is_named_without_blaming_the_user() {
    let (scenarios, stopping) = fixed(2, 2, true);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new()
        .ok("rustup which", &s.rustc)
        .answer("build", output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0));
    // Whenever the engine looks between steps, the file has been written again.
    let restamp = || {
        std::fs::write(&s.file, "fn main() {} // stamped\n").unwrap();
        false
    };
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &restamp);
    let m = &outcome.measured[0];
    assert_eq!(
        m.scenario_errors[&Scenario::Edited],
        "src/main.rs changed during the run (a build script, an editor or another program wrote it), so timewarp left it as it is and the edited rebuilds stopped"
    );
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {} // stamped\n", "the write is kept");
}

/// A workspace with a library `core` that the binary `app` depends on, for `deep`: the
/// setup, the library's root file, and the plan's deep edit.
fn with_library(scenarios: Vec<Scenario>, stopping: Stopping) -> (Setup, PathBuf) {
    let mut s = setup(scenarios, stopping);
    let lib = s._dir.path().join("core/src/lib.rs");
    std::fs::create_dir_all(lib.parent().unwrap()).unwrap();
    std::fs::write(&lib, "pub fn core() {}\n").unwrap();
    s.plan.variants[0].deep =
        Some(DeepEdit { package: "core".into(), file: "core/src/lib.rs".into(), dependents: vec!["app".into()] });
    (s, lib)
}

/// [`run_with`] with the deep library's file journaled and changed too.
fn run_deep(s: &Setup, lib: &Path, runner: &FakeRunner, toolchains: &[Toolchain]) -> (Outcome, Log) {
    let touched = s.journal.touch(&s.file).unwrap();
    let deep = (s.journal.touch(lib).unwrap(), s.journal.edit(lib, EditStyle::Public).unwrap());
    let files = [ChangedFile { touched: &touched, edited: None, deep: Some((&deep.0, &deep.1)) }];
    let subjects: Vec<Subject<'_>> = toolchains.iter().map(|toolchain| Subject { toolchain, variant: 0 }).collect();
    let mut log = Log::default();
    let outcome =
        measure(Engine { runner, plan: &s.plan, work: &s.work, stop: &|| false }, &subjects, &files, &mut log).unwrap();
    deep.1.restore().unwrap();
    deep.0.restore().unwrap();
    (outcome, log)
}

/// A build that compiles what a real cargo would, given the library's file as it is now:
/// `core` and `app` after an edit of the library (or after it was reverted, until a build
/// settled it), `app` alone otherwise; each build says in `seen` whether it saw the edit.
fn honest_cargo(lib: PathBuf, seen: Arc<std::sync::Mutex<Vec<(String, bool)>>>) -> FakeRunner {
    let built = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<String, String>::new()));
    FakeRunner::new().responding("--offline", move |_, cmd| {
        let text = std::fs::read_to_string(&lib).unwrap();
        let kind = if cmd.has_arg("check") { "check" } else { "build" }.to_string();
        let mut built = built.lock().unwrap();
        let changed = built.get(&kind) != Some(&text);
        built.insert(kind.clone(), text.clone());
        seen.lock().unwrap().push((kind, text.contains("pub static TIMEWARP_EDIT_")));
        let stderr = if changed {
            "   Compiling core v0.1.0 (/w/core)\n   Compiling app v0.1.0 (/w)\n"
        } else {
            "   Compiling app v0.1.0 (/w)\n"
        };
        output(Some(0), "", stderr, 1.0)
    })
}

#[test]
fn deep_rebuilds_edit_the_library_show_its_dependents_and_every_kind_settles_after() {
    let scenarios = vec![Scenario::Clean, Scenario::Touched, Scenario::Deep, Scenario::CheckTouched];
    let stopping = Stopping::fixed_rounds(&scenarios, 1, 2);
    let (s, lib) = with_library(scenarios, stopping);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let runner = honest_cargo(lib.clone(), Arc::clone(&seen)).ok("rustup which", &s.rustc);
    let (outcome, log) = run_deep(&s, &lib, &runner, &[toolchain("1.85.0")]);
    let m = &outcome.measured[0];
    assert_eq!(m.end, End::Completed, "{m:?}");
    assert!(m.scenario_errors.is_empty(), "{m:?}");
    for scenario in [Scenario::Touched, Scenario::Deep, Scenario::CheckTouched] {
        assert_eq!(walls(m, scenario).len(), 2, "{scenario}");
    }
    let compiled = |s: Scenario| m.samples[&s].iter().map(|x| x.compiled).collect::<Vec<_>>();
    assert_eq!(compiled(Scenario::Deep), [Some(2), Some(2)], "the library and its dependent, every time");
    assert_eq!(compiled(Scenario::Touched), [Some(1), Some(1)], "a settled tree: the touched package alone");
    assert_eq!(compiled(Scenario::CheckTouched), [Some(1), Some(1)], "check settled after each deep edit too");
    assert_eq!(m.samples[&Scenario::Clean][0].compiled, None, "a clean build counts nothing");
    let saw: Vec<bool> = seen.lock().unwrap().iter().map(|(_, edit)| *edit).collect();
    assert_eq!(saw.iter().filter(|e| **e).count(), 2, "only the two deep builds see the edit: {saw:?}");
    let steps: Vec<&str> = log.lines.iter().map(String::as_str).collect();
    assert_eq!(
        steps,
        [
            "round 0: 4 builds",
            "1.85.0 warm-up",
            "1.85.0 clean",
            "1.85.0 first rebuild",
            "1.85.0 touched",
            "1.85.0 deep",
            "1.85.0 prime",
            "1.85.0 first rebuild",
            "1.85.0 check-touched",
            "round 1: 3 builds",
            "1.85.0 settle",
            "1.85.0 touched",
            "1.85.0 deep",
            "1.85.0 settle",
            "1.85.0 check-touched",
            "1.85.0 ended Completed",
        ],
        "check's first full build comes after deep's edit was reverted, so it needs no settling in round 0"
    );
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), "pub fn core() {}\n", "the library as it was");
}

/// `--baseline-rev` on a tree whose revision has no library another package uses: that
/// variant's `deep` stops with the reason, and today's tree is measured as usual.
#[test]
fn a_variant_without_a_deep_library_stops_its_deep_scenario_alone() {
    let scenarios = vec![Scenario::Clean, Scenario::Deep];
    let (mut s, lib) = with_library(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 1, 1));
    let mut base = s.plan.variants[0].clone();
    (base.tag, base.deep) = (Some("base-1".into()), None);
    s.plan.variants.push(base);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let runner = honest_cargo(lib.clone(), seen).ok("rustup which", &s.rustc);
    let touched = s.journal.touch(&s.file).unwrap();
    let deep = (s.journal.touch(&lib).unwrap(), s.journal.edit(&lib, EditStyle::Public).unwrap());
    let files = [
        ChangedFile { touched: &touched, edited: None, deep: Some((&deep.0, &deep.1)) },
        ChangedFile { touched: &touched, edited: None, deep: None },
    ];
    let t = toolchain("1.85.0");
    let subjects = [Subject { toolchain: &t, variant: 0 }, Subject { toolchain: &t, variant: 1 }];
    let outcome = measure(
        Engine { runner: &runner, plan: &s.plan, work: &s.work, stop: &|| false },
        &subjects,
        &files,
        &mut Log::default(),
    )
    .unwrap();
    let (today, revision) = (&outcome.measured[0], &outcome.measured[1]);
    assert_eq!(walls(today, Scenario::Deep).len(), 1, "{today:?}");
    assert_eq!(
        revision.scenario_errors[&Scenario::Deep],
        "this tree has no library that another built package depends on"
    );
    assert_eq!((revision.end.clone(), walls(revision, Scenario::Clean).len()), (End::Completed, 1));
    deep.1.restore().unwrap();
    deep.0.restore().unwrap();
}

#[test]
fn a_deep_rebuild_that_compiles_no_dependent_stops_with_a_sentence() {
    let scenarios = vec![Scenario::Clean, Scenario::Deep];
    let (s, lib) = with_library(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 1, 2));
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
    let (outcome, _) = run_deep(&s, &lib, &runner, &[toolchain("1.85.0")]);
    let m = &outcome.measured[0];
    assert_eq!(
        m.scenario_errors[&Scenario::Deep],
        "a new public item in core/src/lib.rs did not rebuild both `core` and a package that depends on it"
    );
    assert_eq!((m.end.clone(), walls(m, Scenario::Clean).len()), (End::Completed, 1));
}

#[test]
fn a_kind_an_old_cargo_cannot_build_stops_only_its_own_scenarios() {
    let scenarios = vec![Scenario::Clean, Scenario::Touched, Scenario::Check, Scenario::Test];
    let s = setup(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 2, 2));
    let runner = FakeRunner::new()
        .ok("rustup which", &s.rustc)
        .fail("cargo test --no-run", 101, "error: failed to select a version for `hashbrown`\n")
        .timed("--offline", &[1.0]);
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.48.0")], &|| false);
    let m = &outcome.measured[0];
    assert_eq!(m.end, End::Completed);
    assert_eq!(m.scenario_errors.keys().copied().collect::<Vec<_>>(), [Scenario::Test]);
    assert!(m.scenario_errors[&Scenario::Test].contains("failed to select a version"), "{m:?}");
    for scenario in [Scenario::Clean, Scenario::Touched, Scenario::Check] {
        assert_eq!(walls(m, scenario).len(), 2, "{scenario}");
    }
    let tests = runner.lines().iter().filter(|l| l.starts_with("cargo test")).count();
    assert_eq!(tests, 1, "a kind that failed is not tried again");
}

#[test]
fn a_toolchain_below_a_scenarios_own_floor_skips_that_scenario_with_the_reason() {
    let scenarios = vec![Scenario::Clean, Scenario::Test];
    let mut s = setup(scenarios.clone(), Stopping::fixed_rounds(&scenarios, 1, 1));
    let reason = "1.65 (rust-version of hashbrown 0.15.2, which the tests of `app` build)";
    let floor = ScenarioFloor { version: semver::Version::new(1, 65, 0), reason: reason.into() };
    s.plan.floors.insert(Scenario::Test, floor);
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("--offline", &[1.0]);
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let (old, new) = (&outcome.measured[0], &outcome.measured[1]);
    assert_eq!(old.scenario_errors[&Scenario::Test], format!("below {reason}, a floor of the `test` scenario alone"));
    assert_eq!((walls(old, Scenario::Clean).len(), walls(new, Scenario::Test).len()), (1, 1));
    assert!(!runner.lines().iter().any(|l| l.starts_with("cargo test") && l.contains("1.63.0")));
    let only_tests = setup(vec![Scenario::Test], Stopping::fixed_rounds(&[Scenario::Test], 1, 1));
    let mut only_tests = only_tests;
    only_tests.plan.floors = s.plan.floors.clone();
    let (outcome, _) = run_with(&only_tests, &runner, &[toolchain("1.63.0")], &|| false);
    assert!(matches!(&outcome.measured[0].end, End::Failed(why) if why.starts_with("below 1.65")), "{outcome:?}");
}

#[test]
fn a_timed_build_keeps_the_time_its_linkers_ran_and_no_untimed_builds() {
    let (scenarios, stopping) = fixed(1, 2, false);
    let mut s = setup(scenarios, stopping);
    s.plan.variants[0].recipe.link_dir = Some(s._dir.path().join("linker"));
    // A fake linker: every build logs one link of 0.25 s, and the first one a second, overlapping.
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).responding("--offline", |n, cmd| {
        let log = cmd.env_value(crate::measure::linker::LINK_LOG).expect("every build is timed the same way");
        let mut lines = String::from("{\"start_ns\":1000000000,\"end_ns\":1250000000,\"code\":0}\n");
        if n == 0 {
            lines.push_str("{\"start_ns\":1100000000,\"end_ns\":1400000000,\"code\":0}\n");
        }
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
        file.write_all(lines.as_bytes()).unwrap();
        output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 2.0)
    });
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.85.0")], &|| false);
    let m = &outcome.measured[0];
    let links = |sc: Scenario| m.samples[&sc].iter().map(|x| x.link.unwrap()).collect::<Vec<_>>();
    for link in links(Scenario::Touched) {
        assert_eq!(link.runs, 1, "the first rebuild's link is not the timed one's");
        assert!((link.seconds - 0.25).abs() < 1e-9, "{link:?}");
    }
    let clean = links(Scenario::Clean)[0];
    assert_eq!(clean.runs, 2, "{clean:?}");
    assert!((clean.seconds - 0.4).abs() < 1e-9, "two links from 1.0 s to 1.4 s, counted once: {clean:?}");
    let path = runner.log().iter().find_map(|c| c.env_value("PATH").map(|p| p.to_string_lossy().into_owned()));
    assert!(path.unwrap().ends_with("/linker"), "the link timer is on every build's PATH");
}

/// A toolchain of its own for `version`, in `s`'s directory, which `rustup which` names; a
/// runner whose rule for it comes first.
fn own_toolchain(s: &Setup, runner: FakeRunner, version: &str) -> (FakeRunner, PathBuf) {
    let dir = s._dir.path().join(format!("tc-{version}"));
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::write(dir.join("bin/cargo"), "").unwrap();
    let rustc = format!("{}\n", dir.join("bin/rustc").display());
    (runner.ok(&format!("rustup which --toolchain {version} "), &rustc), dir)
}

/// Hostile pass, defect 1: `rustup toolchain uninstall` in another terminal while a run
/// measures that toolchain. Its next build cannot start; the row fails saying why, keeps
/// its samples, and the other toolchain's rounds and the report go on.
#[test]
fn a_toolchain_removed_during_the_run_fails_its_row_alone() {
    let (scenarios, stopping) = fixed(1, 3, false);
    let s = setup(scenarios, stopping);
    let (runner, gone) = own_toolchain(&s, FakeRunner::new().programs_must_exist(), "1.85.0");
    let removed = gone.clone();
    let runner = runner
        .ok("rustup which", &s.rustc)
        .responding("timewarp/1.85.0", move |n, _| {
            if n == 2 {
                // Removed while its first timed rebuild runs, which still finishes.
                std::fs::remove_dir_all(&removed).unwrap();
            }
            output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0)
        })
        .timed("timewarp/1.63.0", &[1.0]);
    let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let why = format!("its toolchain was removed during the run (`{}` is gone)", gone.display());
    assert_eq!(outcome.measured[1].end, End::Failed(why.clone()));
    assert_eq!(walls(&outcome.measured[1], Scenario::Clean).len(), 1, "its samples are kept");
    assert_eq!(walls(&outcome.measured[1], Scenario::Touched).len(), 1);
    assert_eq!(outcome.measured[0].end, End::Completed);
    assert_eq!(walls(&outcome.measured[0], Scenario::Touched).len(), 3, "the other goes on");
    assert!(log.lines.contains(&format!("1.85.0 ended Failed({why:?})")), "{:#?}", log.lines);
    let tried = runner.lines().iter().filter(|l| l.contains("timewarp/1.85.0")).count();
    assert_eq!(tried, 4, "one build fails to start, then none is tried");
}

/// `rustup update` in another terminal: another build of the toolchain stands in its
/// place. Its next build would time another compiler, so the row fails, saying why.
#[test]
fn a_toolchain_replaced_during_the_run_fails_its_row_alone() {
    let (scenarios, stopping) = fixed(1, 3, false);
    let s = setup(scenarios, stopping);
    let (runner, dir) = own_toolchain(&s, FakeRunner::new(), "1.85.0");
    let cargo = dir.join("bin/cargo");
    let runner = runner
        .ok("rustup which", &s.rustc)
        .responding("timewarp/1.85.0", move |n, _| {
            if n == 2 {
                // A new file put in place of the old one, as an update installs it.
                std::fs::write(cargo.with_extension("new"), "updated").unwrap();
                std::fs::rename(cargo.with_extension("new"), &cargo).unwrap();
            }
            output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0)
        })
        .timed("timewarp/1.63.0", &[1.0]);
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let End::Failed(why) = &outcome.measured[1].end else { panic!("{:?}", outcome.measured[1].end) };
    assert!(why.starts_with("its toolchain was replaced during the run (`"), "{why}");
    assert!(why.ends_with("so its times would mix two compilers"), "{why}");
    assert_eq!(
        walls(&outcome.measured[1], Scenario::Touched),
        [] as [f64; 0],
        "the build after the update is no sample"
    );
    assert_eq!(outcome.measured[0].end, End::Completed);
    assert_eq!(walls(&outcome.measured[0], Scenario::Touched).len(), 3);
}

/// The toolchain removed while a build runs: the build fails (cargo cannot find rustc), and
/// the row says the toolchain went, not what cargo made of it.
#[test]
fn a_build_failing_because_its_toolchain_went_says_so() {
    let (scenarios, stopping) = fixed(2, 2, false);
    let s = setup(scenarios, stopping);
    let (runner, gone) = own_toolchain(&s, FakeRunner::new(), "1.85.0");
    let removed = gone.clone();
    let runner = runner
        .ok("rustup which", &s.rustc)
        .responding("timewarp/1.85.0", move |n, _| {
            if n == 0 {
                return output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", 1.0);
            }
            std::fs::remove_dir_all(&removed).unwrap();
            output(Some(101), "", "error: could not execute process `rustc -vV` (never executed)\n", 0.1)
        })
        .timed("timewarp/1.63.0", &[1.0]);
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let End::Failed(why) = &outcome.measured[1].end else { panic!("{:?}", outcome.measured[1].end) };
    assert!(why.starts_with("its toolchain was removed during the run"), "{why}");
    assert!(outcome.measured[1].scenario_errors.is_empty(), "{:?}", outcome.measured[1].scenario_errors);
    assert_eq!(outcome.measured[0].end, End::Completed);
    assert_eq!(walls(&outcome.measured[0], Scenario::Clean).len(), 2);
}

#[test]
fn a_toolchain_rustup_cannot_resolve_fails_alone() {
    let (scenarios, stopping) = fixed(1, 1, false);
    let s = setup(scenarios, stopping);
    let runner = FakeRunner::new().fail("rustup which", 1, "error: toolchain 'x' is not installed");
    let (outcome, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
    let End::Failed(line) = &outcome.measured[0].end else { panic!("{:?}", outcome.measured[0].end) };
    assert!(line.contains("is not installed"), "{line}");
    assert_eq!(
        log.lines,
        [
            "1.63.0 ended Failed(\"`rustup which --toolchain 1.63.0 rustc` failed (exit status: 1): error: toolchain 'x' is not installed\")"
        ]
    );
    assert_eq!(outcome.stop, StopReason::NothingLeft);
}
