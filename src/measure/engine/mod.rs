//! The one measurement loop, in rounds. A round builds every selected toolchain once in each
//! scenario, scenario by scenario in the order of [`Scenario::ALL`], each in an order that
//! rotates from round to round ([`round_order`], a Williams design), so no toolchain always goes
//! first or always follows the same neighbour. A toolchain's samples are paired with the
//! baseline's of the same round, so a machine's drift between rounds cancels out of every
//! speedup.
//!
//! Each toolchain (each *subject*: a toolchain, and with `--baseline-rev` the revision it
//! builds) has a directory of its own with two target directories: `rebuilds`, which the first
//! clean build of a kind some rebuild needs fills, and every rebuild then reuses, and `scratch`,
//! emptied before every other clean build and removed when the run ends. Builds of each kind
//! (`cargo build`, `cargo check`, `cargo test --no-run`, per profile) keep their own artifacts
//! there, and each kind has its own untimed steps: a full build when no clean build made one
//! (*prime*), one untimed rebuild after touching the file before its first timed rebuild (the
//! first rebuild after a full build is slower than the rest, as hyperfine's warm-up knows), and
//! an untimed rebuild after an edit was reverted (*settle*: an edited file, or the deep library,
//! is back as it was, and the next rebuild must not compile that change). Its compiler's
//! libraries are read into the page cache before its first build (untimed). Every rebuild must
//! show cargo compiling what it changed (the touched file's package; for `deep`, the library and
//! its dependents), or the scenario fails with a sentence saying so instead of reporting the
//! time of a build that did nothing.
//!
//! With link time apart, every build runs with the link timer on `PATH` (see `linker`), and a
//! timed build's sample keeps the time during which rustc's linkers ran.
//!
//! How many rounds: a fixed number per scenario (`--runs` and friends), or, by default, at
//! least [`Precision::min_rounds`], then more while some speedup's 95 % interval is wider than
//! the precision asked for and the next round fits the budget. A round leaves out the rows
//! already precise enough in a scenario, but always keeps the baseline row they pair with.
//!
//! A failed build ends the scenarios of its kind for its toolchain (an old cargo that cannot build
//! the tests still has its other scenarios measured), and the toolchain once none is left; a
//! build that fails only because of timewarp's edit, or an edit the user saved meanwhile, ends
//! only that scenario. A toolchain below a scenario's own floor (a dev-dependency's
//! `rust-version`, for `test`) skips that scenario with the reason. An interruption ends them
//! all. Either way the samples taken so far are kept.
//!
//! The rooms: this file runs the rounds; `plan` holds what to measure, `outcome` what comes
//! back and the [`Observer`]; `run` one subject's state; `stopping` the stopping rule and the
//! budget (pure); `step` each kind of build's steps; `verify` the proof a timed build measured
//! what it claims; `touch` the touch times.

mod outcome;
mod plan;
mod run;
mod step;
mod stopping;
mod touch;
mod verify;

#[cfg(test)]
mod tests;

use std::time::Duration;

use anyhow::Result;

pub(crate) use self::outcome::{
    BuildPurpose, BuildStep, CrateBuild, End, MAX_REDOS, Measured, Observer, Outcome, Redone, RoundDone, Sample,
    SetAside, StopReason, pairs, pairs_by,
};
pub(crate) use self::plan::{ChangedFile, Paths, Plan, Precision, ScenarioFloor, Stopping, Subject, Variant};
use self::run::Run;
pub(crate) use self::verify::{DeepEdit, SEIZED_FACTOR, Verification};
use super::journal::{EditStyle, EditedFile, Journal, TouchedFile};
use super::workdir::WorkDir;
use crate::process::Runner;
use crate::vocab::Scenario;

/// What every measurement is run with: the machine, the plan, the directories, and the question
/// asked before every step (has the user asked to stop?).
#[derive(Clone, Copy)]
pub(crate) struct Engine<'a> {
    /// The machine.
    pub(crate) runner: &'a dyn Runner,
    /// What to measure.
    pub(crate) plan: &'a Plan,
    /// Where the builds go.
    pub(crate) work: &'a WorkDir,
    /// Asked before every step: whether to stop (Ctrl-C, SIGTERM).
    pub(crate) stop: &'a dyn Fn() -> bool,
}

/// The rounds under way: the engine's settings, the files each variant's rebuilds change, and
/// who hears every step.
struct RoundsUnderWay<'a> {
    engine: Engine<'a>,
    files: &'a [ChangedFile<'a>],
    observer: &'a mut dyn Observer,
}

/// [`measure`], changing each variant's files at `paths[variant]` before the rebuilds: their
/// changes are registered in `journal` before they are made, and undone before this returns.
pub(crate) fn measure_changing(
    engine: Engine<'_>,
    subjects: &[Subject<'_>],
    journal: &Journal,
    paths: &[Paths],
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    // `try`: the arms build today's tree, so variants with the same files share one registration
    // of them, as the toolchains of one variant do; `files` is mapped back to every variant below.
    let owner: Vec<usize> = (0..paths.len()).map(|i| paths.iter().position(|p| *p == paths[i]).unwrap_or(i)).collect();
    let distinct: Vec<usize> = (0..paths.len()).filter(|i| owner[*i] == *i).collect();
    let paths: Vec<Paths> = distinct.iter().map(|i| paths[*i].clone()).collect();
    let paths = paths.as_slice();
    let edits = engine.plan.scenarios.contains(&Scenario::Edited);
    let deep = engine.plan.scenarios.contains(&Scenario::Deep);
    let touched: Vec<TouchedFile> = paths.iter().map(|p| journal.touch(&p.touched)).collect::<Result<_>>()?;
    let edited: Vec<Option<EditedFile>> = paths
        .iter()
        .map(|p| edits.then(|| journal.edit(&p.touched, EditStyle::Private)).transpose())
        .collect::<Result<_>>()?;
    // The edit before the touch in each pair: on an early return they drop in that order, so
    // the content is back before the modification time is compared with it.
    let deep: Vec<Option<(EditedFile, TouchedFile)>> = paths
        .iter()
        .map(|p| match (&p.deep, deep) {
            (Some(file), true) => {
                let touched = journal.touch(file)?;
                Ok(Some((journal.edit(file, EditStyle::Public)?, touched)))
            }
            _ => Ok(None),
        })
        .collect::<Result<_>>()?;
    let files: Vec<ChangedFile<'_>> = touched
        .iter()
        .zip(&edited)
        .zip(&deep)
        .map(|((touched, edited), deep)| ChangedFile {
            touched,
            edited: edited.as_ref(),
            deep: deep.as_ref().map(|(e, t)| (t, e)),
        })
        .collect();
    let files: Vec<ChangedFile<'_>> =
        owner.iter().map(|o| files[distinct.iter().position(|d| d == o).unwrap_or(0)]).collect();
    let outcome = measure(engine, subjects, &files, observer)?;
    for (edited, touched) in deep.into_iter().flatten() {
        edited.restore()?;
        touched.restore()?;
    }
    for edited in edited.into_iter().flatten() {
        edited.restore()?;
    }
    for touched in touched {
        touched.restore()?;
    }
    Ok(outcome)
}

/// Measures `subjects` (oldest toolchain first) as the plan says, changing `files[variant]`
/// before rebuilds, and asking `stop` before every step. Returns one [`Measured`] per subject, in
/// the same order.
pub(crate) fn measure(
    engine: Engine<'_>,
    subjects: &[Subject<'_>],
    files: &[ChangedFile<'_>],
    observer: &mut dyn Observer,
) -> Result<Outcome> {
    let Engine { runner, plan, work, stop } = engine;
    let mut runs: Vec<Run> = subjects.iter().map(|s| Run::start(runner, plan, *s, work)).collect();
    for run in runs.iter().filter(|r| r.ended) {
        observer.finished(&run.measured);
    }
    let started = runner.now();
    let elapsed = || runner.now().duration_since(started).unwrap_or_default();
    let mut rounds = RoundsUnderWay { engine, files, observer };
    let (round, reason) = rounds.rounds_loop(&mut runs, &elapsed)?;
    if reason != StopReason::Interrupted {
        for run in runs.iter_mut().filter(|r| !r.ended) {
            if plan.crates.is_some() && !stop() {
                rounds.tell(run, BuildPurpose::CrateBuild);
                step::crate_build(&engine, run)?;
            }
        }
    }
    for run in runs.iter_mut().filter(|r| !r.ended) {
        if reason == StopReason::Interrupted {
            run.measured.end = End::Interrupted;
        }
        run.ended = true;
        rounds.observer.finished(&run.measured);
    }
    // Later clean builds are not kept: the rebuilds' directory is the toolchain's build.
    for run in &runs {
        work.remove_target_dir(&run.scratch)?;
    }
    Ok(Outcome {
        measured: runs.into_iter().map(|r| r.measured).collect(),
        rounds: round,
        stop: reason,
        elapsed: elapsed(),
    })
}

impl RoundsUnderWay<'_> {
    /// Runs rounds of every subject until the plan says enough; returns how many ran and why
    /// they stopped. `elapsed` is the time since the rounds began.
    fn rounds_loop(&mut self, runs: &mut [Run], elapsed: &dyn Fn() -> Duration) -> Result<(usize, StopReason)> {
        let (plan, stop) = (self.engine.plan, self.engine.stop);
        let mut round = 0;
        // A scenario left out because its round no longer fit the budget: the run then ends on
        // the budget even when the cheaper scenarios went on to be precise or to their most
        // rounds.
        let mut left_out = false;
        let reason = loop {
            if stop() {
                break StopReason::Interrupted;
            }
            let cells = match stopping::next_round(plan, runs, round, elapsed()) {
                Ok((cells, cut)) => {
                    left_out = cut;
                    cells
                }
                Err(StopReason::Precise | StopReason::MaxRounds) if left_out => break StopReason::Budget,
                Err(reason) => break reason,
            };
            self.observer.round_starting(round, cells.iter().map(|(_, subjects)| subjects.len()).sum());
            let mut interrupted = false;
            'round: for (scenario, indices) in &cells {
                for index in indices {
                    if stop() {
                        interrupted = true;
                        break 'round;
                    }
                    let others = verify::round_ratios(runs, *index, *scenario, round);
                    let run = &mut runs[*index];
                    if run.measures(*scenario) {
                        self.cell(run, *scenario, round, &others)?;
                    }
                }
            }
            if interrupted || stop() {
                break StopReason::Interrupted;
            }
            round += 1;
            let widest = stopping::widest(plan, runs);
            self.observer.round_done(&RoundDone { rounds: round, widest, elapsed: elapsed() });
        };
        Ok((round, reason))
    }

    /// `run`'s timed build of `scenario` in `round`, done again (up to [`MAX_REDOS`] times) while
    /// its sample is set aside: timewarp was held up during it, or it was far beyond what the
    /// round predicts (`others`: the ratios of the round's other builds of `scenario` so far to
    /// their own medians).
    fn cell(&mut self, run: &mut Run, scenario: Scenario, round: usize, others: &[f64]) -> Result<()> {
        for attempt in 0..=MAX_REDOS {
            let set_aside = run.measured.redone.len();
            self.timed_step(run, scenario, round)?;
            verify::set_aside_if_seized(run, scenario, round, others);
            match run.measured.redone.get_mut(set_aside) {
                Some(redone) if !run.ended => {
                    redone.again = attempt < MAX_REDOS;
                    self.observer.redone(&run.measured.toolchain, redone);
                }
                _ => break,
            }
        }
        if run.ended {
            self.observer.finished(&run.measured);
        }
        Ok(())
    }
}
