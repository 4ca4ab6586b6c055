//! The one measurement loop: every selected toolchain's timed builds, in the order of the
//! schedule, with an observer told of every build and every toolchain that ends.
//!
//! Each toolchain goes through its scenarios in turn (clean builds, then rebuilds after touching
//! the file, then rebuilds after editing it) in a target directory of its own. Sequential and
//! round-robin (`--interleave`) differ only in which toolchain's next build runs next: the
//! lowest (toolchain, scenario, run) or the lowest (scenario, run, toolchain). A failed build
//! ends its toolchain; an interruption ends them all; either way the samples taken so far are
//! kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::Result;

use super::build::{BuildSettings, InstalledToolchain};
use super::journal::{EditedFile, TouchedFile};
use super::scenario::Scenario;
use super::workdir::WorkDir;
use crate::discover::toolchain::Toolchain;
use crate::process::{CommandSpec, Output, Runner};

/// How many timed builds of each scenario a toolchain gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Runs {
    /// Clean builds.
    pub clean: usize,
    /// Rebuilds after touching the file.
    pub touched: usize,
    /// Rebuilds after editing the file (0 without `--edit`).
    pub edited: usize,
}

impl Runs {
    /// The planned count for `scenario`.
    pub(crate) fn of(&self, scenario: Scenario) -> usize {
        match scenario {
            Scenario::Clean => self.clean,
            Scenario::Touched => self.touched,
            Scenario::Edited => self.edited,
        }
    }

    /// Builds per toolchain.
    pub(crate) fn total(&self) -> usize {
        Scenario::ALL.iter().map(|s| self.of(*s)).sum()
    }

    /// The scenarios that run at all.
    pub(crate) fn scenarios(&self) -> Vec<Scenario> {
        Scenario::ALL.into_iter().filter(|s| self.of(*s) > 0).collect()
    }
}

/// In which order the toolchains take turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// All of one toolchain's builds, then the next toolchain's, oldest first.
    Sequential,
    /// `--interleave`: run 1 of a scenario for every toolchain, then run 2, so that a machine
    /// drifting during the run affects every row alike.
    RoundRobin,
}

/// What to measure for every toolchain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    /// The build command's settings.
    pub settings: BuildSettings,
    /// Builds per scenario.
    pub runs: Runs,
    /// Who goes next.
    pub order: Order,
}

/// One timed build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    /// Wall time in seconds.
    pub wall_s: f64,
    /// CPU seconds (user + system) of the whole cargo process tree, when known.
    pub cpu_s: Option<f64>,
    /// Peak resident memory of the largest process in the tree, bytes, when known.
    pub peak_rss: Option<u64>,
}

impl Sample {
    fn of(out: &Output) -> Sample {
        Sample { wall_s: out.elapsed.as_secs_f64(), cpu_s: out.cpu.map(|c| c.as_secs_f64()), peak_rss: out.peak_rss }
    }
}

/// How one toolchain's measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum End {
    /// Every planned build ran.
    Completed,
    /// A build failed; why, in one line.
    Failed(String),
    /// Ctrl-C or SIGTERM stopped the run before this toolchain was done.
    Interrupted,
}

/// One toolchain's samples and how its measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measured {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Where its artifacts went.
    pub target_dir: PathBuf,
    /// The samples taken, per scenario, in order (also those of a failed or interrupted one).
    pub samples: BTreeMap<Scenario, Vec<Sample>>,
    /// How it ended.
    pub end: End,
}

/// A build about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step<'a> {
    /// Whose.
    pub toolchain: &'a Toolchain,
    /// Which scenario.
    pub scenario: Scenario,
    /// Which run of it, from 1.
    pub run: usize,
    /// Of how many.
    pub of: usize,
}

/// Told about the measurement as it goes: progress display, estimates.
pub(crate) trait Observer {
    /// `step` is about to run.
    fn starting(&mut self, step: &Step<'_>);
    /// A toolchain's measurement ended (completed, failed or interrupted).
    fn finished(&mut self, measured: &Measured);
}

/// The user's file the rebuilds change: its mtime for `touched`, its content for `edited`.
pub(crate) struct ChangedFile<'a> {
    /// Touched before each `touched` rebuild.
    pub touched: &'a TouchedFile,
    /// Edited before each `edited` rebuild and reverted after it.
    pub edited: Option<&'a EditedFile>,
}

/// One toolchain's measurement in progress.
struct Run {
    measured: Measured,
    /// `None` when the toolchain could not even be set up (its end says why).
    build: Option<CommandSpec>,
    ended: bool,
}

impl Run {
    fn start(runner: &dyn Runner, plan: &Plan, toolchain: &Toolchain, work: &WorkDir) -> Run {
        let target_dir = work.target_dir(toolchain);
        let (build, end) = match InstalledToolchain::locate(runner, &toolchain.name) {
            Ok(installed) => (Some(plan.settings.command(toolchain, &installed, &target_dir)), End::Completed),
            Err(e) => (None, End::Failed(format!("{e:#}"))),
        };
        let ended = build.is_none();
        Run {
            measured: Measured { toolchain: toolchain.clone(), target_dir, samples: BTreeMap::new(), end },
            build,
            ended,
        }
    }

    /// The next build this toolchain needs: (scenario, run), or `None` when it is done.
    fn next(&self, runs: &Runs) -> Option<(Scenario, usize)> {
        if self.ended {
            return None;
        }
        Scenario::ALL.into_iter().find_map(|scenario| {
            let done = self.measured.samples.get(&scenario).map_or(0, Vec::len);
            (done < runs.of(scenario)).then_some((scenario, done + 1))
        })
    }
}

/// Measures `toolchains` (oldest first) as `plan` says, changing `file` before rebuilds, and
/// asking `stop` before every build. Returns one [`Measured`] per toolchain, in the same order.
pub(crate) fn measure(
    runner: &dyn Runner,
    plan: &Plan,
    toolchains: &[Toolchain],
    work: &WorkDir,
    file: &ChangedFile<'_>,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<Vec<Measured>> {
    let mut runs: Vec<Run> = toolchains.iter().map(|t| Run::start(runner, plan, t, work)).collect();
    for run in runs.iter().filter(|r| r.ended) {
        observer.finished(&run.measured);
    }
    loop {
        let next = runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.next(&plan.runs).map(|(scenario, n)| (i, scenario, n)))
            .min_by_key(|&(i, scenario, n)| match plan.order {
                Order::Sequential => (i, scenario as usize, n),
                Order::RoundRobin => (scenario as usize, n, i),
            });
        let Some((index, scenario, n)) = next else { break };
        if stop() {
            break;
        }
        let run = &mut runs[index];
        time_one(runner, plan, work, file, run, scenario, n, observer, stop)?;
        if run.ended || run.next(&plan.runs).is_none() {
            run.ended = true;
            observer.finished(&run.measured);
        }
    }
    for run in runs.iter_mut().filter(|r| !r.ended) {
        run.measured.end = End::Interrupted;
        observer.finished(&run.measured);
    }
    Ok(runs.into_iter().map(|r| r.measured).collect())
}

/// Prepares and times run `n` of `scenario` for one toolchain.
#[allow(clippy::too_many_arguments)]
fn time_one(
    runner: &dyn Runner,
    plan: &Plan,
    work: &WorkDir,
    file: &ChangedFile<'_>,
    run: &mut Run,
    scenario: Scenario,
    n: usize,
    observer: &mut dyn Observer,
    stop: &dyn Fn() -> bool,
) -> Result<()> {
    let build = run.build.as_ref().expect("a toolchain without a build command has ended");
    let edited = file.edited.filter(|_| scenario == Scenario::Edited);
    match scenario {
        Scenario::Clean => work.clear_target_dir(&run.measured.target_dir)?,
        Scenario::Touched => file.touched.touch(SystemTime::now())?,
        Scenario::Edited => {
            if let Some(edited) = edited {
                edited.apply(n)?;
            }
        }
    }
    observer.starting(&Step { toolchain: &run.measured.toolchain, scenario, run: n, of: plan.runs.of(scenario) });
    let out = runner.run(build);
    if let Some(edited) = edited {
        edited.revert()?;
    }
    let out = out?;
    if stop() {
        // The build was stopped by the interruption: its time means nothing.
        run.measured.end = End::Interrupted;
        run.ended = true;
    } else if !out.success() {
        run.measured.end = End::Failed(plan.settings.explain_failure(build, &out, &run.measured.toolchain));
        run.ended = true;
    } else {
        run.measured.samples.entry(scenario).or_default().push(Sample::of(&out));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;

    use super::*;
    use crate::measure::build::{CargoCommand, Profile};
    use crate::measure::journal::Journal;
    use crate::testing::{FakeRunner, output, toolchain};

    struct Setup {
        _dir: tempfile::TempDir,
        plan: Plan,
        work: WorkDir,
        journal: Journal,
        file: PathBuf,
        /// What `rustup which` answers: a toolchain directory that has a cargo.
        rustc: String,
    }

    fn setup(clean: usize, touched: usize, edited: usize) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.rs");
        std::fs::write(&file, "fn main() {}\n").unwrap();
        let settings = BuildSettings {
            root: dir.path().into(),
            manifest_path: dir.path().join("Cargo.toml"),
            packages: vec!["app".into()],
            command: CargoCommand::Build,
            profile: Profile::Dev,
            cargo_home: dir.path().join("cargo-home"),
            timeout: None,
            lockfile_version: None,
        };
        let plan = Plan { settings, runs: Runs { clean, touched, edited }, order: Order::Sequential };
        let work = WorkDir::new(dir.path(), &dir.path().join("target")).unwrap();
        work.create_builds().unwrap();
        let journal = Journal::on_disk(&dir.path().join("journal.json"), &dir.path().join("backups"));
        std::fs::create_dir_all(dir.path().join("tc/bin")).unwrap();
        std::fs::write(dir.path().join("tc/bin/cargo"), "").unwrap();
        let rustc = format!("{}\n", dir.path().join("tc/bin/rustc").display());
        Setup { _dir: dir, plan, work, journal, file, rustc }
    }

    /// Records what the engine reports.
    #[derive(Default)]
    struct Log {
        lines: Vec<String>,
    }

    impl Observer for Log {
        fn starting(&mut self, step: &Step<'_>) {
            self.lines.push(format!("{} {} {}/{}", step.toolchain, step.scenario, step.run, step.of));
        }

        fn finished(&mut self, measured: &Measured) {
            self.lines.push(format!("{} ended {:?}", measured.toolchain, measured.end));
        }
    }

    fn run_with(
        s: &Setup,
        runner: &FakeRunner,
        toolchains: &[Toolchain],
        stop: &dyn Fn() -> bool,
    ) -> (Vec<Measured>, Vec<String>) {
        let touched = s.journal.touch(&s.file).unwrap();
        let edited = (s.plan.runs.edited > 0).then(|| s.journal.edit(&s.file).unwrap());
        let file = ChangedFile { touched: &touched, edited: edited.as_ref() };
        let mut log = Log::default();
        let measured = measure(runner, &s.plan, toolchains, &s.work, &file, &mut log, stop).unwrap();
        (measured, log.lines)
    }

    fn walls(measured: &Measured, scenario: Scenario) -> Vec<f64> {
        measured.samples.get(&scenario).map(|v| v.iter().map(|s| s.wall_s).collect()).unwrap_or_default()
    }

    #[test]
    fn each_scenario_in_turn_with_the_samples_it_timed() {
        let s = setup(2, 3, 2);
        let runner = FakeRunner::new()
            .ok("rustup which --toolchain 1.63.0 rustc", &s.rustc)
            .timed("build", &[10.0, 12.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let target = s.work.target_dir(&toolchain("1.63.0"));
        std::fs::create_dir_all(target.join("debug")).unwrap();
        std::fs::write(target.join("CACHEDIR.TAG"), "created by cargo-timewarp").unwrap();
        let (measured, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let m = &measured[0];
        assert_eq!(m.end, End::Completed);
        assert_eq!(walls(m, Scenario::Clean), [10.0, 12.0]);
        assert_eq!(walls(m, Scenario::Touched), [1.0, 2.0, 3.0]);
        assert_eq!(walls(m, Scenario::Edited), [4.0, 5.0]);
        assert_eq!(
            log,
            [
                "1.63.0 clean 1/2",
                "1.63.0 clean 2/2",
                "1.63.0 touched 1/3",
                "1.63.0 touched 2/3",
                "1.63.0 touched 3/3",
                "1.63.0 edited 1/2",
                "1.63.0 edited 2/2",
                "1.63.0 ended Completed",
            ]
        );
        assert!(!target.join("debug").exists(), "clean builds start from an empty target dir");
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}\n", "every edit is reverted");
    }

    #[test]
    fn the_orders_differ_only_in_who_goes_next() {
        let mut s = setup(2, 1, 0);
        let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
        let both = [toolchain("1.63.0"), toolchain("1.85.0")];
        let (_, sequential) = run_with(&s, &runner, &both, &|| false);
        assert_eq!(
            sequential,
            [
                "1.63.0 clean 1/2",
                "1.63.0 clean 2/2",
                "1.63.0 touched 1/1",
                "1.63.0 ended Completed",
                "1.85.0 clean 1/2",
                "1.85.0 clean 2/2",
                "1.85.0 touched 1/1",
                "1.85.0 ended Completed",
            ]
        );
        s.plan.order = Order::RoundRobin;
        let (_, round_robin) = run_with(&s, &runner, &both, &|| false);
        assert_eq!(
            round_robin,
            [
                "1.63.0 clean 1/2",
                "1.85.0 clean 1/2",
                "1.63.0 clean 2/2",
                "1.85.0 clean 2/2",
                "1.63.0 touched 1/1",
                "1.63.0 ended Completed",
                "1.85.0 touched 1/1",
                "1.85.0 ended Completed",
            ]
        );
    }

    #[test]
    fn an_interruption_keeps_the_samples_in_either_order() {
        for order in [Order::Sequential, Order::RoundRobin] {
            let mut s = setup(2, 3, 0);
            s.plan.order = order;
            let runner = FakeRunner::new().ok("rustup which", &s.rustc).timed("build", &[1.0]);
            let builds = Cell::new(0);
            let both = [toolchain("1.63.0"), toolchain("1.85.0")];
            let touched = s.journal.touch(&s.file).unwrap();
            let file = ChangedFile { touched: &touched, edited: None };
            let mut log = Log::default();
            struct Counting<'a>(&'a Cell<usize>, &'a mut Log);
            impl Observer for Counting<'_> {
                fn starting(&mut self, step: &Step<'_>) {
                    self.0.set(self.0.get() + 1);
                    self.1.starting(step);
                }
                fn finished(&mut self, measured: &Measured) {
                    self.1.finished(measured);
                }
            }
            let stop = || builds.get() >= 3;
            let measured =
                measure(&runner, &s.plan, &both, &s.work, &file, &mut Counting(&builds, &mut log), &stop).unwrap();
            assert_eq!(builds.get(), 3, "{order:?}: no build starts after the stop request");
            let kept: usize = measured.iter().flat_map(|m| m.samples.values()).map(Vec::len).sum();
            assert_eq!(kept, 2, "{order:?}: the two builds finished before the stop are kept: {measured:?}");
            assert!(measured.iter().all(|m| m.end == End::Interrupted), "{order:?}: {measured:?}");
            assert_eq!(log.lines.iter().filter(|l| l.ends_with("ended Interrupted")).count(), 2, "{order:?}");
        }
    }

    #[test]
    fn a_failed_build_ends_its_toolchain_with_the_error_and_the_rest_goes_on() {
        let s = setup(1, 5, 0);
        let stderr = "   Compiling app v0.1.0\nerror[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5\nerror: could not compile `app`\n";
        let runner = FakeRunner::new()
            .ok("rustup which", &s.rustc)
            .answer("timewarp/1.63.0", output(Some(101), "", stderr, 1.0))
            .timed("timewarp/1.85.0", &[1.0]);
        let (measured, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
        let expected = "error[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5";
        assert_eq!(measured[0].end, End::Failed(expected.into()), "in rustc's own words, up to its next error");
        assert_eq!(measured[1].end, End::Completed);
        assert_eq!(
            runner.lines().iter().filter(|l| l.contains("timewarp/1.63.0")).count(),
            1,
            "no rebuild after a failure"
        );
    }

    #[test]
    fn a_toolchain_rustup_cannot_resolve_fails_alone() {
        let s = setup(1, 1, 0);
        let runner = FakeRunner::new().fail("rustup which", 1, "error: toolchain 'x' is not installed");
        let (measured, log) = run_with(&s, &runner, &[toolchain("1.63.0")], &|| false);
        let End::Failed(line) = &measured[0].end else { panic!("{:?}", measured[0].end) };
        assert!(line.contains("is not installed"), "{line}");
        assert_eq!(log.len(), 1, "reported as ended, nothing built: {log:?}");
        assert!(Path::new(&s.file).exists());
    }
}
