//! One subject's measurement in progress: its directories, the state of each kind of build in
//! its `rebuilds` directory, its samples so far, and the scenarios it still measures.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::outcome::{End, Measured, Sample};
use super::plan::{Plan, ScenarioFloor, Subject};
use crate::discover::release::Release;
use crate::measure::build::{InstalledToolchain, Kind};
use crate::measure::linker::LinkLog;
use crate::measure::workdir::WorkDir;
use crate::process::Runner;
use crate::vocab::Scenario;

/// Where one kind of build stands in a subject's `rebuilds` directory.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KindState {
    /// It holds a complete build of this kind of the current files.
    pub(crate) built: bool,
    /// The first rebuild after that build ran.
    pub(crate) primed: bool,
    /// It was last built from an edit since reverted.
    pub(crate) unsettled: bool,
}

/// One subject's measurement in progress.
pub(crate) struct Run {
    pub(crate) measured: Measured,
    /// The toolchain's installation; `None` when it could not even be found (its end says why).
    pub(crate) installed: Option<InstalledToolchain>,
    /// Target directories: `rebuilds` for rebuilds, `scratch` for clean builds after the first.
    pub(crate) rebuilds: PathBuf,
    pub(crate) scratch: PathBuf,
    pub(crate) warmed: bool,
    /// Whether anything was built in `rebuilds` yet.
    pub(crate) rebuilds_used: bool,
    /// Each kind's state in `rebuilds`.
    pub(crate) kinds: BTreeMap<Kind, KindState>,
    /// Edits applied so far (each edit's content differs).
    pub(crate) edits: usize,
    /// Where its builds log their links, when link time is measured.
    pub(crate) link_log: Option<LinkLog>,
    /// `--crates`: the log its wrapped build appends to.
    pub(crate) crates_log: Option<PathBuf>,
    pub(crate) ended: bool,
}

impl Run {
    pub(crate) fn start(runner: &dyn Runner, plan: &Plan, subject: Subject<'_>, work: &WorkDir) -> Run {
        let tag = plan.variants[subject.variant].tag.as_deref();
        let dir = work.subject_dir(subject.toolchain, tag);
        let crates_log = plan.crates.as_ref().map(|_| work.crates_log(subject.toolchain, tag));
        let located = InstalledToolchain::locate(runner, &subject.toolchain.name);
        let created = work.create_subject_dir(&dir);
        let (installed, end, crates_log) = match (located, crates_log.transpose(), created) {
            (Ok(installed), Ok(log), Ok(())) => (Some(installed), End::Completed, log),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => (None, End::Failed(format!("{e:#}")), None),
        };
        let ended = installed.is_none();
        let measured = Measured {
            toolchain: subject.toolchain.clone(),
            variant: subject.variant,
            target_dir: dir.join("rebuilds"),
            samples: BTreeMap::new(),
            end,
            scenario_errors: BTreeMap::new(),
            crates: None,
            redone: Vec::new(),
        };
        let timed_links = plan.variants[subject.variant].recipe.link_dir.is_some();
        let link_log = timed_links.then(|| LinkLog::new(dir.join("link.jsonl")));
        let mut run = Run {
            measured,
            installed,
            rebuilds: dir.join("rebuilds"),
            scratch: dir.join("scratch"),
            warmed: false,
            rebuilds_used: false,
            kinds: BTreeMap::new(),
            edits: 0,
            link_log,
            crates_log,
            ended,
        };
        if !run.ended {
            let below = |floor: &ScenarioFloor| subject.toolchain.release() < Release::of(&floor.version);
            for (scenario, floor) in plan.floors.iter().filter(|(s, f)| plan.scenarios.contains(s) && below(f)) {
                let why = format!("below {}, a floor of the `{scenario}` scenario alone", floor.reason);
                run.measured.scenario_errors.insert(*scenario, why);
            }
            for (scenario, why) in
                plan.variants[subject.variant].skip.iter().filter(|(s, _)| plan.scenarios.contains(s))
            {
                run.measured.scenario_errors.insert(*scenario, why.clone());
            }
            if plan.scenarios.contains(&Scenario::Deep) && plan.variants[subject.variant].deep.is_none() {
                // The `--baseline-rev` tree may have no library another built package uses.
                let why = "this tree has no library that another built package depends on".to_string();
                run.measured.scenario_errors.insert(Scenario::Deep, why);
            }
            run.end_if_nothing_left(plan);
        }
        run
    }

    /// Ends the subject as failed once every scenario of the plan stopped with an error: the
    /// first scenario's error is the row's, and the scenario errors that say the same go.
    pub(crate) fn end_if_nothing_left(&mut self, plan: &Plan) {
        let errors = &self.measured.scenario_errors;
        if self.ended || !plan.scenarios.iter().all(|s| errors.contains_key(s)) {
            return;
        }
        let first = errors[&plan.scenarios[0]].clone();
        self.measured.scenario_errors.retain(|_, why| *why != first);
        self.end(End::Failed(first));
    }

    /// Stops every scenario of `kind` with `why` (a build of that kind failed), and the subject
    /// when none is left.
    pub(crate) fn fail_kind(&mut self, plan: &Plan, kind: &Kind, why: String) {
        for scenario in plan.scenarios.iter().filter(|s| plan.kind(**s) == *kind) {
            self.measured.scenario_errors.entry(*scenario).or_insert_with(|| why.clone());
        }
        self.end_if_nothing_left(plan);
    }

    /// The state of `kind`'s builds in `rebuilds`.
    pub(crate) fn kind(&mut self, kind: &Kind) -> &mut KindState {
        self.kinds.entry(kind.clone()).or_default()
    }

    /// Whether this subject still measures `scenario`.
    pub(crate) fn measures(&self, scenario: Scenario) -> bool {
        !self.ended && !self.measured.scenario_errors.contains_key(&scenario)
    }

    /// Whether this subject still measures some scenario of `kind`.
    pub(crate) fn measures_kind(&self, plan: &Plan, kind: &Kind) -> bool {
        plan.scenarios.iter().any(|s| plan.kind(*s) == *kind && self.measures(*s))
    }

    pub(crate) fn samples(&self, scenario: Scenario) -> &[Sample] {
        self.measured.samples.get(&scenario).map_or(&[], Vec::as_slice)
    }

    /// The wall time this subject's next build of `scenario` will probably take.
    pub(crate) fn typical(&self, scenario: Scenario) -> Option<f64> {
        self.samples(scenario).last().map(|s| s.wall_s)
    }

    /// Ends the subject: `end` says how.
    pub(crate) fn end(&mut self, end: End) {
        self.measured.end = end;
        self.ended = true;
    }

    /// The toolchain's installation, found when the subject started.
    pub(crate) fn installed(&self) -> &InstalledToolchain {
        self.installed.as_ref().expect("a toolchain that was not found has ended")
    }
}

#[cfg(test)]
impl Run {
    /// A subject of variant 0 with `samples` taken, as the stopping rule's tests see one: its
    /// toolchain never looked for, nothing built.
    pub(crate) fn with_samples(
        toolchain: crate::discover::toolchain::Toolchain,
        samples: BTreeMap<Scenario, Vec<Sample>>,
    ) -> Run {
        let measured = Measured {
            toolchain,
            variant: 0,
            target_dir: PathBuf::new(),
            samples,
            end: End::Completed,
            scenario_errors: BTreeMap::new(),
            crates: None,
            redone: Vec::new(),
        };
        Run {
            measured,
            installed: None,
            rebuilds: PathBuf::new(),
            scratch: PathBuf::new(),
            warmed: true,
            rebuilds_used: true,
            kinds: BTreeMap::new(),
            edits: 0,
            link_log: None,
            crates_log: None,
            ended: false,
        }
    }
}
