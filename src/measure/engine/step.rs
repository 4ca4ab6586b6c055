//! Each kind of build's steps for one subject: the untimed ones a timed build needs first
//! (warm-up, prime, first rebuild, settle), the edit and its revert, the timed build itself and
//! what its result means (a sample, a failure of its kind or scenario, a build set aside), and
//! `--crates`' wrapped build.

use anyhow::Result;

use super::outcome::{BuildPurpose, BuildStep, CrateBuild, End, Redone, Sample, SetAside};
use super::plan::Plan;
use super::run::{KindState, Run};
use super::touch::touch_time;
use super::verify::held_up;
use super::{Engine, RoundsUnderWay};
use crate::measure::build::{Kind, SinceLocated};
use crate::measure::journal::EditedFile;
use crate::measure::linker::LinkLog;
use crate::measure::wrapper::{WRAPPER_LOG, read_log};
use crate::process::{CommandSpec, Output, Runner, first_error_line};
use crate::vocab::{Scenario, SourceChange, Start};

impl RoundsUnderWay<'_> {
    /// Tells the observer that `action` of `run` is about to start.
    pub(crate) fn tell(&mut self, run: &Run, action: BuildPurpose) {
        let variant = self.engine.plan.variants[run.measured.variant].tag.as_deref();
        self.observer.starting(&BuildStep { toolchain: &run.measured.toolchain, variant, action });
    }

    /// Runs one timed build of `scenario` in `round` for `run`, with whatever untimed steps it
    /// needs first: the warm-up, a full build of its kind for the rebuilds, the first rebuild, a
    /// settling rebuild.
    pub(crate) fn timed_step(&mut self, run: &mut Run, scenario: Scenario, round: usize) -> Result<()> {
        if !run.warmed {
            self.tell(run, BuildPurpose::WarmUp);
            run.installed().warm_up();
            run.warmed = true;
        }
        if scenario.start() == Start::Empty {
            return self.clean_build(run, scenario, round);
        }
        let kind = self.engine.plan.kind(scenario);
        let variant = &self.engine.plan.variants[run.measured.variant];
        let cmd = variant.recipe.command(
            &kind,
            &run.measured.toolchain,
            run.installed(),
            &run.rebuilds,
            run.link_log.as_ref(),
        );
        if self.ready_to_rebuild(run, &kind, &cmd)? {
            self.rebuild(run, scenario, round, &cmd)?;
        }
        Ok(())
    }

    /// A timed clean build. The first clean build of a kind the rebuilds reuse fills `rebuilds`;
    /// every other goes to `scratch`, so the rebuilds' directory stays warm.
    fn clean_build(&mut self, run: &mut Run, scenario: Scenario, round: usize) -> Result<()> {
        let Engine { runner, plan, work, stop } = self.engine;
        let kind = plan.kind(scenario);
        let fills = !run.rebuilds_used && plan.rebuilt(&kind);
        let into = if fills { run.rebuilds.clone() } else { run.scratch.clone() };
        work.clear_target_dir(&into)?;
        self.tell(run, BuildPurpose::Timed { scenario, round });
        let variant = &plan.variants[run.measured.variant];
        let cmd = variant.recipe.command(&kind, &run.measured.toolchain, run.installed(), &into, run.link_log.as_ref());
        reset_links(run)?;
        let Some(out) = build(runner, run, &cmd)? else { return Ok(()) };
        if record(plan, run, scenario, round, &cmd, &out, stop)? && fills {
            run.rebuilds_used = true;
            *run.kind(&kind) = KindState { built: true, primed: false, unsettled: false };
        }
        Ok(())
    }

    /// The untimed steps before a timed rebuild of `kind` with `cmd`: a full build when none is
    /// there (*prime*), the first rebuild after it, a settling rebuild after a reverted edit.
    /// Whether the timed rebuild can go on.
    fn ready_to_rebuild(&mut self, run: &mut Run, kind: &Kind, cmd: &CommandSpec) -> Result<bool> {
        let Engine { runner, plan, work, stop } = self.engine;
        let file = &self.files[run.measured.variant];
        if !run.kind(kind).built {
            if !run.rebuilds_used {
                work.clear_target_dir(&run.rebuilds)?;
            }
            self.tell(run, BuildPurpose::Prime);
            let Some(out) = build(runner, run, cmd)? else { return Ok(false) };
            if !untimed_ok(plan, run, kind, cmd, &out, stop) {
                return Ok(false);
            }
            run.rebuilds_used = true;
            *run.kind(kind) = KindState { built: true, primed: false, unsettled: false };
        }
        let state = *run.kind(kind);
        for (needed, action) in
            [(!state.primed, BuildPurpose::FirstRebuild), (state.primed && state.unsettled, BuildPurpose::Settle)]
        {
            if needed {
                self.tell(run, action);
                file.touched.touch(touch_time(runner.now(), &run.rebuilds))?;
                let Some(out) = build(runner, run, cmd)? else { return Ok(false) };
                if !untimed_ok(plan, run, kind, cmd, &out, stop) {
                    return Ok(false);
                }
                let state = run.kind(kind);
                (state.primed, state.unsettled) = (true, false);
            }
        }
        Ok(true)
    }

    /// The timed rebuild of `scenario` with `cmd`: the edit its change makes (reverted after the
    /// build), the touch, the build, and its sample.
    fn rebuild(&mut self, run: &mut Run, scenario: Scenario, round: usize, cmd: &CommandSpec) -> Result<()> {
        let Engine { runner, plan, stop, .. } = self.engine;
        let file = &self.files[run.measured.variant];
        let variant = &plan.variants[run.measured.variant];
        let (edit, changed): (Option<&EditedFile>, &str) = match scenario.change() {
            SourceChange::Edit => (file.edited, variant.verify.file.as_str()),
            SourceChange::DeepEdit => {
                let deep = variant.deep.as_ref().expect("a plan with `deep` has its edit");
                (file.deep.map(|(_, edited)| edited), deep.file.as_str())
            }
            SourceChange::Touch | SourceChange::Nothing => (None, variant.verify.file.as_str()),
        };
        if let Some(edited) = edit {
            run.edits += 1;
            if !edited.apply(run.edits)? {
                let why = format!(
                    "{changed} changed during the run (a build script, an editor or another program wrote it), so timewarp left it as it is and the {scenario} rebuilds stopped"
                );
                stop_scenario(plan, run, scenario, why);
                return Ok(());
            }
            // Every kind built from the edit, or (for the deep library, which every kind
            // compiles) whose next build sees the reverted file as a change, needs settling.
            let kind = plan.kind(scenario);
            for (k, state) in run.kinds.iter_mut() {
                state.unsettled |= *k == kind || scenario.change() == SourceChange::DeepEdit;
            }
        }
        match file.deep.filter(|_| scenario.change() == SourceChange::DeepEdit) {
            Some((deep, _)) => deep.touch(touch_time(runner.now(), &run.rebuilds))?,
            None => file.touched.touch(touch_time(runner.now(), &run.rebuilds))?,
        }
        self.tell(run, BuildPurpose::Timed { scenario, round });
        reset_links(run)?;
        let out = build(runner, run, cmd);
        let kept = match edit {
            Some(edited) => edited.revert(run.edits)?,
            None => true,
        };
        let Some(out) = out? else { return Ok(()) };
        if !kept {
            let why = format!(
                "{changed} changed during a {scenario} rebuild (a build script, an editor or another program wrote it), so timewarp left it as it is and the {scenario} rebuilds stopped"
            );
            stop_scenario(plan, run, scenario, why);
            return Ok(());
        }
        record(plan, run, scenario, round, cmd, &out, stop)?;
        Ok(())
    }
}

/// Runs `cmd`, a build with `run`'s toolchain. When the build could not start, or failed
/// because its toolchain was removed during the run, the subject ends as failed, saying why, its
/// samples so far kept, and `None` is returned: the other subjects go on and the report is kept.
fn build(runner: &dyn Runner, run: &mut Run, cmd: &CommandSpec) -> Result<Option<Output>> {
    let out = runner.run(cmd);
    match unbuildable(run, &out) {
        None => out.map(Some),
        Some(why) => {
            run.end(End::Failed(why));
            Ok(None)
        }
    }
}

/// Why a build of `run`'s toolchain that gave `out` says nothing of the code: it could not start,
/// or the toolchain went during the run (`rustup toolchain uninstall` in another terminal,
/// another run's `bisect --install` tidying up) and the build failed, or another build of it
/// stands in its place (`rustup update`), whose times must not mix with the first one's.
fn unbuildable(run: &Run, out: &Result<Output>) -> Option<String> {
    let installed = run.installed.as_ref()?;
    let dir = installed.dir().display();
    let failed = out.as_ref().map_or(true, |out| !out.success());
    match installed.since_located() {
        SinceLocated::Replaced => Some(format!(
            "its toolchain was replaced during the run (`{dir}` holds another build now, as after `rustup update`), so its times would mix two compilers"
        )),
        SinceLocated::Removed if failed => Some(format!("its toolchain was removed during the run (`{dir}` is gone)")),
        _ => out.as_ref().err().map(|e| format!("{e:#}")),
    }
}

/// Forgets the links of the builds before a timed one.
fn reset_links(run: &Run) -> Result<()> {
    run.link_log.as_ref().map_or(Ok(()), LinkLog::reset)
}

/// Whether an untimed build went through; if not, why is recorded (the scenarios of its kind
/// stop, or the run was interrupted).
fn untimed_ok(
    plan: &Plan,
    run: &mut Run,
    kind: &Kind,
    cmd: &CommandSpec,
    out: &Output,
    stop: &dyn Fn() -> bool,
) -> bool {
    if stop() {
        run.end(End::Interrupted);
    } else if !out.success() {
        let why = plan.variants[run.measured.variant].recipe.explain_failure(cmd, out, &run.measured.toolchain);
        run.fail_kind(plan, kind, why);
    }
    !run.ended && run.measures_kind(plan, kind)
}

/// Stops `scenario` alone for `run`, saying why; the subject ends when nothing is left.
fn stop_scenario(plan: &Plan, run: &mut Run, scenario: Scenario, why: String) {
    run.measured.scenario_errors.insert(scenario, why);
    run.end_if_nothing_left(plan);
}

/// Keeps the sample of a timed build, with its link time, or what its failure means; returns
/// whether it kept one.
fn record(
    plan: &Plan,
    run: &mut Run,
    scenario: Scenario,
    round: usize,
    cmd: &CommandSpec,
    out: &Output,
    stop: &dyn Fn() -> bool,
) -> Result<bool> {
    let variant = &plan.variants[run.measured.variant];
    let edited = match scenario.change() {
        SourceChange::Edit => Some((variant.verify.file.as_str(), "a `#[used] static`")),
        SourceChange::DeepEdit => variant.deep.as_ref().map(|d| (d.file.as_str(), "a public static")),
        SourceChange::Touch | SourceChange::Nothing => None,
    };
    if stop() {
        // The build was stopped by the interruption: its time means nothing.
        run.end(End::Interrupted);
        return Ok(false);
    }
    if !out.success() {
        match edited {
            // The same code built, touched and clean: the build failed on timewarp's edit.
            Some((file, item)) => {
                let error = first_error_line(&out.stderr).unwrap_or_else(|| out.status_text());
                let why = format!("timewarp's edit of {file} ({item} appended) made the build fail: {error}");
                stop_scenario(plan, run, scenario, why);
            }
            None => {
                let why = variant.recipe.explain_failure(cmd, out, &run.measured.toolchain);
                run.fail_kind(plan, &plan.kind(scenario), why);
            }
        }
        return Ok(false);
    }
    let rebuild = scenario.start() == Start::Rebuild;
    let shown = match (scenario.change(), &variant.deep) {
        (SourceChange::Nothing, _) => None,
        (SourceChange::DeepEdit, Some(deep)) => (!deep.compiled(&out.stderr)).then(|| deep.failure()),
        _ => (!variant.verify.compiled(&out.stderr)).then(|| variant.verify.failure()),
    };
    if let Some(why) = shown {
        stop_scenario(plan, run, scenario, why);
        return Ok(false);
    }
    if held_up(out) {
        let (wall_s, paused_s) = (out.elapsed.as_secs_f64(), out.paused.as_secs_f64());
        run.measured.redone.push(Redone { scenario, round, wall_s, paused_s, why: SetAside::HeldUp, again: true });
        return Ok(false);
    }
    let link = run.link_log.as_ref().map(LinkLog::time).transpose()?;
    run.measured.samples.entry(scenario).or_default().push(Sample::of(round, out, link, rebuild));
    Ok(true)
}

/// `--crates`: one clean build with every rustc run through the wrapper, which logs it; its
/// failure is kept beside the samples, which stay valid.
pub(crate) fn crate_build(engine: &Engine<'_>, run: &mut Run) -> Result<()> {
    let Engine { runner, plan, work, .. } = *engine;
    let (Some(wrapper), Some(log), Some(installed)) = (&plan.crates, &run.crates_log, &run.installed) else {
        return Ok(());
    };
    let recipe = &plan.variants[run.measured.variant].recipe;
    work.clear_target_dir(&run.scratch)?;
    let build = recipe.command(&plan.kind(Scenario::Clean), &run.measured.toolchain, installed, &run.scratch, None);
    let wrapped = build.env("RUSTC_WRAPPER", wrapper).env(WRAPPER_LOG, log);
    let out = runner.run(&wrapped);
    if let Some(why) = unbuildable(run, &out) {
        // The samples stand: only the per-crate breakdown is missing.
        run.measured.crates = Some(Err(why));
        return Ok(());
    }
    let out = out?;
    run.measured.crates = Some(if out.success() {
        let invocations = read_log(log)?;
        Ok(CrateBuild { wall_s: out.elapsed.as_secs_f64(), invocations })
    } else {
        Err(recipe.explain_failure(&wrapped, &out, &run.measured.toolchain))
    });
    Ok(())
}
