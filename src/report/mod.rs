//! What was measured, shown and kept: the report model ([`model`], data only) assembled here from
//! the measurements and the facts of the run, with what is computed on it in `compute`, the
//! answer that opens it ([`answer`]), its formats ([`export`], [`plot`]), where it goes
//! ([`output`], checked by [`guard`]), the progress shown while measuring ([`progress`]), the
//! saved history ([`history`]) and reports read back ([`saved`]), the baseline gate
//! ([`baseline`]), the other documents (`bisect`'s [`bisection`], `merge`'s [`merge`], `try`'s
//! [`tried`] and [`snippet`]), `--crates`' breakdown ([`per_crate`]) and what the findings mean
//! for the exit code ([`verdict`]).

pub(crate) mod answer;
pub(crate) mod baseline;
pub(crate) mod bisection;
mod compute;
pub(crate) mod export;
pub(crate) mod guard;
pub(crate) mod history;
pub(crate) mod merge;
pub(crate) mod model;
pub(crate) mod output;
pub(crate) mod per_crate;
pub(crate) mod plot;
pub(crate) mod progress;
pub(crate) mod saved;
#[cfg(test)]
pub(crate) mod schema;
pub(crate) mod snippet;
pub(crate) mod tried;
pub(crate) mod verdict;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use self::baseline::Baseline;
use self::model::{
    DeepLibrary, EstimateJson, Figures, Floor, LinkFigures, Listed, Listing, Measurement, RedoneBuild, Report, Row,
    SCHEMA_VERSION, Setup, Skipped, Status, Stopped, StoppingRule, Timing, VerdictJson,
};
use crate::discover::environment::{self, Setting};
use crate::discover::msrv::short_version;
use crate::discover::select::Selection;
use crate::discover::toolchain::{BrokenToolchain, HOST};
use crate::discover::workspace::Workspace;
use crate::measure::engine::{End, Measured, Plan, Precision, Sample, SetAside, StopReason, Stopping};
use crate::stats;
use crate::vocab::{Linker, Scenario};

/// The warm-up policy, stated in every report.
pub(crate) const WARMUP_POLICY: &str = "each compiler's files are read into memory, untimed, before its first build; \
the first clean build of each toolchain fills the directory its rebuilds reuse, later clean builds start from an empty one; \
each kind of rebuild (build, check, test) gets an untimed full build when no clean build made one, and one untimed rebuild \
after touching the file before its timed ones; an untimed rebuild follows every reverted edit";

/// How the run was done and what surrounded it: everything the report states besides the
/// measurements themselves.
#[derive(Debug)]
pub(crate) struct Facts<'a> {
    /// The measured workspace (a `--rev` copy's, with `--rev`).
    pub(crate) workspace: &'a Workspace,
    /// The user's workspace root, which the report names: with `--rev`, the checkout the
    /// revision came from, not timewarp's copy of it.
    pub(crate) user_root: &'a Path,
    /// What was selected and what was left out.
    pub(crate) selection: &'a Selection,
    /// Toolchains whose rustc did not answer.
    pub(crate) broken: &'a [BrokenToolchain],
    /// What was measured and how: variants, scenarios, the stopping rule.
    pub(crate) plan: &'a Plan,
    /// Rounds that ran.
    pub(crate) rounds: usize,
    /// Why they stopped.
    pub(crate) stop: StopReason,
    /// From the first build to the last.
    pub(crate) elapsed: Duration,
    /// The file the rebuilds touched.
    pub(crate) touched_file: &'a Path,
    /// Why link time was not taken apart, when it was not.
    pub(crate) link_note: Option<&'a str>,
    /// Distorting variables removed from the builds.
    pub(crate) removed_env: &'a [String],
    /// Settings kept that change how code is built.
    pub(crate) settings: &'a [Setting],
    /// Where dependency sources were vendored, if anywhere.
    pub(crate) vendor_dir: Option<&'a Path>,
    /// The commit timed with `--rev`.
    pub(crate) revision: Option<&'a str>,
    /// `--rev` as the user gave it.
    pub(crate) revision_given: Option<&'a str>,
    /// Files in the workspace the builds changed (build scripts writing into the tree).
    pub(crate) changed_by_builds: &'a [PathBuf],
    /// Changes to the user's tree timewarp left alone because someone changed the file during
    /// the run (the user's edit wins over timewarp's restore).
    pub(crate) kept_changes: &'a [String],
    /// The `--baseline` to compare with.
    pub(crate) baseline: Option<&'a Baseline>,
    /// `--baseline-rev`: the revision built beside the tree, its commit.
    pub(crate) baseline_rev: Option<&'a str>,
    /// What the gate allows.
    pub(crate) gate: baseline::GateLimit,
    /// `--crates=N`: how many of the crates that changed most to show.
    pub(crate) crates_top: Option<usize>,
    /// Logical CPUs of the machine.
    pub(crate) cores: usize,
    /// The CPU model.
    pub(crate) cpu: Option<String>,
}

/// Assembles the report of a measuring run: one row per toolchain (of the tree measured),
/// speedups against the oldest row with figures, warnings, and the comparison with the
/// baseline (a saved report, or the revision built in the same rounds).
///
/// `repeats` holds the log changes between repeat runs of one commit on this machine
/// (`history::repeat_changes`, read for the report's own setup): a saved baseline needs them to
/// tell the project's change from the machine's, and the noise thresholds come from them.
pub(crate) fn build(
    facts: &Facts<'_>,
    measured: &[Measured],
    repeats: impl FnOnce(&Setup) -> BTreeMap<(String, Scenario), Vec<f64>>,
) -> Report {
    let mut report = assemble(facts, measured);
    if facts.baseline.is_none() && facts.baseline_rev.is_none() {
        return report;
    }
    let setup = report.setup();
    let repeats = repeats(&setup);
    let mut comparison = match (facts.baseline, facts.baseline_rev) {
        (Some(baseline), _) => baseline.compare(&setup, &report.toolchains, &repeats),
        (None, Some(commit)) => {
            baseline::against_revision(commit, measured, facts.gate, facts.plan.stopping.gate_confidence())
        }
        (None, None) => unreachable!("one of them is set"),
    };
    comparison.noise_threshold_pct = history::noise_thresholds(&repeats);
    report.baseline = Some(comparison);
    report
}

/// The report's statement of the stopping rule.
fn stopping_rule(stopping: &Stopping) -> StoppingRule {
    match stopping {
        Stopping::Fixed(rounds) => StoppingRule::Fixed { rounds: rounds.clone() },
        Stopping::Precision(p) => StoppingRule::Precision {
            precision_pct: p.target * 100.0,
            rebuild_precision_pct: Some(p.rebuild_target * 100.0),
            budget_s: p.budget.as_secs_f64(),
            min_rounds: p.min_rounds,
            max_rounds: p.max_rounds,
            max_rebuild_rounds: Some(p.max_rebuild_rounds),
        },
    }
}

pub(crate) fn stopped(stop: StopReason) -> Stopped {
    match stop {
        StopReason::Fixed => Stopped::Fixed,
        StopReason::Precise => Stopped::Precise,
        StopReason::Budget => Stopped::Budget,
        StopReason::MaxRounds => Stopped::MaxRounds,
        StopReason::NothingLeft => Stopped::NothingLeft,
        StopReason::Interrupted => Stopped::Interrupted,
    }
}

fn assemble(facts: &Facts<'_>, measured: &[Measured]) -> Report {
    let linker = environment::configured_linker(facts.settings, HOST).map(Linker::Configured);
    let member_dirs: Vec<PathBuf> = facts.workspace.members.iter().map(|m| m.dir.clone()).collect();
    let main: Vec<&Measured> = measured.iter().filter(|m| m.variant == 0).collect();
    let mut rows: Vec<Row> = main.iter().map(|m| row(m, facts.selection, linker.as_ref(), &member_dirs)).collect();
    let precision = match &facts.plan.stopping {
        Stopping::Precision(p) => Some(p),
        Stopping::Fixed(_) => None,
    };
    add_speedups(&mut rows, &main, precision, facts.plan.variants.len() == 1);
    per_crate::add_speedups(&mut rows);
    let recipe = &facts.plan.variants[0].recipe;
    let link_time = recipe.link_dir.is_some();
    let warnings = warnings(facts, &rows, link_time, precision);
    let workspace = facts.workspace;
    Report {
        schema: SCHEMA_VERSION,
        timewarp_version: env!("CARGO_PKG_VERSION").to_string(),
        workspace: facts.user_root.display().to_string(),
        revision: facts.revision.map(str::to_string),
        revision_given: facts.revision_given.filter(|g| Some(*g) != facts.revision).map(str::to_string),
        packages: workspace.packages.clone(),
        msrv: workspace.msrv().map(|f| short_version(&f.version)),
        declared_rust_version: declared(workspace),
        msrv_floors: floors(workspace),
        profile: recipe.profile.clone(),
        warmup: WARMUP_POLICY.to_string(),
        touched_file: facts
            .touched_file
            .strip_prefix(&workspace.root)
            .unwrap_or(facts.touched_file)
            .display()
            .to_string(),
        deep: facts.plan.variants[0].deep.as_ref().map(|d| DeepLibrary {
            package: d.package.clone(),
            file: d.file.clone(),
            dependents: d.dependents.clone(),
        }),
        link_time,
        cores: facts.cores,
        target: Some(crate::discover::toolchain::HOST.to_string()),
        cpu: facts.cpu.clone(),
        jobs: recipe.jobs,
        measurement: Measurement {
            scenarios: facts.plan.scenarios.clone(),
            commands: facts.plan.scenarios.iter().map(|s| (*s, facts.plan.kind(*s).to_string())).collect(),
            stopping: stopping_rule(&facts.plan.stopping),
            rounds: facts.rounds,
            stopped: stopped(facts.stop),
            elapsed_s: facts.elapsed.as_secs_f64(),
            redone: redone_builds(measured),
        },
        removed_env: facts.removed_env.to_vec(),
        build_settings: facts.settings.to_vec(),
        vendored_sources: facts.vendor_dir.map(|d| d.display().to_string()),
        warnings,
        baseline: None,
        crate_changes: facts.crates_top.and_then(|top| per_crate::changes(&rows, top)),
        toolchains: rows,
        skipped: skipped(facts.selection, facts.broken),
    }
}

/// What the reader must know besides the figures: incremental settings, the link timer's
/// notes, mixed builds and linkers, precision not reached, the user's edits kept, files the
/// builds changed.
fn warnings(facts: &Facts<'_>, rows: &[Row], link_time: bool, precision: Option<&Precision>) -> Vec<String> {
    let recipe = &facts.plan.variants[0].recipe;
    let mut warnings: Vec<String> =
        environment::incremental_warning(facts.settings, recipe.profile.name()).into_iter().collect();
    warnings.extend(facts.link_note.map(str::to_string));
    let linking = |s: &Scenario| s.command() != crate::vocab::CargoCommand::Check;
    let figures = || rows.iter().flat_map(|r| r.scenarios.iter());
    if link_time && figures().any(|(s, _)| linking(s)) && figures().all(|(_, f)| f.link.is_none()) {
        warnings.push(
            "no build logged a link, so no link time is taken apart: either nothing links (a library without build scripts or proc-macros), or rustc ran a linker timewarp does not stand in for (one a `-C linker-flavor` picks, or a linker named by its path for another target)".into(),
        );
    }
    warnings.extend(provenance_warnings(rows, link_time));
    warnings.extend(precision_warnings(rows, facts.stop, precision));
    warnings.extend(facts.kept_changes.iter().cloned());
    if !facts.changed_by_builds.is_empty() {
        let files: Vec<String> = facts.changed_by_builds.iter().map(|p| format!("`{}`", p.display())).collect();
        warnings.push(format!(
            "files in the workspace changed during the run (a build script, an editor or another program wrote them), and timewarp does not undo that: {}",
            files.join(", ")
        ));
    }
    warnings
}

/// The timed builds set aside and redone: held up (timewarp stopped) or seized (far beyond what
/// the round predicts).
fn redone_builds(measured: &[Measured]) -> Vec<RedoneBuild> {
    measured
        .iter()
        .flat_map(|m| m.redone.iter().map(move |r| (m, r)))
        .map(|(m, r)| RedoneBuild {
            toolchain: m.toolchain.name.clone(),
            baseline_revision: m.variant != 0,
            scenario: r.scenario,
            round: r.round,
            set_aside_s: r.wall_s,
            paused_s: r.paused_s,
            expected_s: match r.why {
                SetAside::HeldUp => None,
                SetAside::Seized { expected_s } => Some(expected_s),
            },
            done_again: r.again,
        })
        .collect()
}

/// Assembles the `--list` view: every installed toolchain and whether it would be measured.
pub(crate) fn listing(workspace: &Workspace, selection: &Selection, broken: &[BrokenToolchain]) -> Listing {
    let chosen = selection.chosen.iter().map(|t| (t, None));
    let skipped = selection.skipped.iter().map(|(t, r)| (t, Some(r.to_string())));
    let mut toolchains: Vec<Listed> = chosen
        .chain(skipped)
        .map(|(t, reason)| Listed {
            name: t.name.clone(),
            aliases: t.aliases.clone(),
            version: t.version.to_string(),
            release_date: Some(t.release_date),
            selected: reason.is_none(),
            reason,
        })
        .collect();
    toolchains.sort_by(|a, b| a.release_date.cmp(&b.release_date).then(a.version.cmp(&b.version)));
    toolchains.extend(broken.iter().map(|b| Listed {
        name: b.name.clone(),
        aliases: Vec::new(),
        version: "unknown".into(),
        release_date: None,
        selected: false,
        reason: Some(format!("broken: {}", b.error)),
    }));
    Listing {
        schema: SCHEMA_VERSION,
        workspace: workspace.root.display().to_string(),
        msrv: workspace.msrv().map(|f| short_version(&f.version)),
        declared_rust_version: declared(workspace),
        msrv_floors: floors(workspace),
        toolchains,
    }
}

fn declared(workspace: &Workspace) -> Option<String> {
    workspace.declared_rust_version.as_ref().map(|f| short_version(&f.version))
}

fn floors(workspace: &Workspace) -> Vec<Floor> {
    workspace
        .msrv_floors
        .iter()
        .map(|f| Floor { version: short_version(&f.version), kind: f.kind.source(), reason: f.kind.to_string() })
        .collect()
}

fn skipped(selection: &Selection, broken: &[BrokenToolchain]) -> Vec<Skipped> {
    let skipped = selection.skipped.iter().map(|(t, reason)| Skipped {
        name: t.name.clone(),
        version: t.version.to_string(),
        reason: reason.to_string(),
    });
    let broken = broken.iter().map(|b| Skipped {
        name: b.name.clone(),
        version: "unknown".into(),
        reason: format!("broken: {}", b.error),
    });
    skipped.chain(broken).collect()
}

fn row(measured: &Measured, selection: &Selection, configured_linker: Option<&Linker>, member_dirs: &[PathBuf]) -> Row {
    let t = &measured.toolchain;
    let (status, error) = match &measured.end {
        End::Completed => (Status::Ok, None),
        End::Failed(error) => (Status::Failed, Some(error.clone())),
        End::Interrupted if measured.samples.values().all(Vec::is_empty) => {
            (Status::Interrupted, Some("interrupted by Ctrl-C or SIGTERM before any of its builds finished".into()))
        }
        End::Interrupted => (Status::Interrupted, Some("interrupted by Ctrl-C or SIGTERM".to_string())),
    };
    let scenarios = if status == Status::Failed {
        BTreeMap::new()
    } else {
        measured.samples.iter().filter_map(|(scenario, samples)| Some((*scenario, figures(samples)?))).collect()
    };
    let clean_median = scenarios.get(&Scenario::Clean).map(|f: &Figures| f.wall.median_s);
    let (crates, crates_error) = match &measured.crates {
        Some(Ok(build)) => (Some(per_crate::breakdown(build, member_dirs, clean_median)), None),
        Some(Err(why)) => (None, Some(why.clone())),
        None => (None, None),
    };
    Row {
        name: t.name.clone(),
        version: t.version.to_string(),
        release_date: t.release_date,
        rustc: t.description.clone(),
        target_dir: measured.target_dir.display().to_string(),
        provenance: t.provenance(),
        linker: configured_linker.cloned().unwrap_or_else(|| t.default_linker()),
        incremental_forced: t.needs_forced_incremental(),
        status,
        error,
        expected_failure: selection
            .doubtful
            .iter()
            .find(|(name, _)| *name == t.name)
            .map(|(_, reason)| format!("expected to fail: {reason}")),
        scenarios,
        scenario_errors: measured.scenario_errors.clone(),
        crates,
        crates_error,
    }
}

/// The figures of one scenario's samples: the timing, the typical time with its interval, CPU
/// and memory; the speedup is added against the baseline row afterwards.
fn figures(samples: &[Sample]) -> Option<Figures> {
    let walls: Vec<f64> = samples.iter().map(|s| s.wall_s).collect();
    let rounds: Vec<usize> = samples.iter().map(|s| s.round).collect();
    let wall = Timing::of(&walls, &rounds)?;
    let time = EstimateJson::of(&stats::geometric(&walls)?);
    let cpu = samples.iter().map(|s| s.cpu_s).collect::<Option<Vec<f64>>>().and_then(|c| Timing::of(&c, &rounds));
    let largest_process_mib =
        samples.iter().filter_map(|s| s.peak_rss).max().map(|bytes| bytes as f64 / (1024.0 * 1024.0));
    let compiled: Option<Vec<f64>> = samples.iter().map(|s| s.compiled.map(|c| c as f64)).collect();
    Some(Figures {
        wall,
        time,
        cpu,
        largest_process_mib,
        speedup: None,
        verdict: VerdictJson::Inconclusive,
        speedup_cpu: None,
        rounds: samples.len(),
        precise: None,
        crates_compiled: compiled.and_then(|c| stats::median(&c)).map(|m| m.round() as usize),
        link: link_figures(samples),
    })
}

/// The link seconds of a sample, when its build linked.
pub(crate) fn link_of(sample: &Sample) -> Option<f64> {
    sample.link.filter(|l| l.runs > 0 && l.seconds > 0.0).map(|l| l.seconds)
}

/// The rest of a sample's wall time, when its build linked.
pub(crate) fn compile_of(sample: &Sample) -> Option<f64> {
    link_of(sample).map(|link| (sample.wall_s - link).max(1e-6))
}

/// The wall time of `samples` taken apart into link and compile, when every build linked.
fn link_figures(samples: &[Sample]) -> Option<LinkFigures> {
    let links: Vec<f64> = samples.iter().map(link_of).collect::<Option<_>>()?;
    let compiles: Vec<f64> = samples.iter().map(compile_of).collect::<Option<_>>()?;
    let shares: Vec<f64> = samples.iter().zip(&links).map(|(s, l)| 100.0 * l / s.wall_s.max(1e-9)).collect();
    let runs: Vec<f64> = samples.iter().filter_map(|s| s.link.map(|l| l.runs as f64)).collect();
    Some(LinkFigures {
        time: EstimateJson::of(&stats::geometric(&links)?),
        compile: EstimateJson::of(&stats::geometric(&compiles)?),
        share_pct: stats::median(&shares)?,
        runs: stats::median(&runs)?.round() as usize,
        speedup: None,
        verdict: VerdictJson::Inconclusive,
        compile_speedup: None,
        compile_verdict: VerdictJson::Inconclusive,
    })
}

/// Every scenario's speedups against the oldest row that has its figures, with the rounds as
/// blocks ([`stats::speedups`]: all rows of a scenario estimated together, the engine's stopping
/// rule watches the same), the verdict each interval gives, and (with a precision target) whether
/// each reached it.
fn add_speedups(rows: &mut [Row], measured: &[&Measured], precision: Option<&Precision>, alone: bool) {
    // The intervals the stopping rule watched keep their 95 % at the level it watched them at.
    let confidence = if precision.is_some() { stats::STOPPING_CONFIDENCE } else { stats::CONFIDENCE };
    for scenario in Scenario::ALL {
        let target = precision.map(|p| p.target_of(scenario));
        let Some(base) = rows.iter().position(|r| r.figures(scenario).is_some()) else { continue };
        let with_figures = rows.iter().filter(|r| r.figures(scenario).is_some()).count();
        let base_samples = measured[base].samples.get(&scenario).cloned().unwrap_or_default();
        let base_cpu = rows[base].figures(scenario).and_then(|f| f.cpu.as_ref()).map(|c| c.median_s);
        // Every row's speedup from the rounds as blocks, as the stopping rule watched them.
        let shown: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].figures(scenario).is_some()).collect();
        let together = |part: fn(&Sample) -> Option<f64>| {
            let series = |i: &usize| -> Vec<(usize, f64)> {
                let samples = measured[*i].samples.get(&scenario).map_or(&[][..], Vec::as_slice);
                samples.iter().filter_map(|s| Some((s.round, part(s)?))).collect()
            };
            let estimates = stats::speedups(&shown.iter().map(series).collect::<Vec<_>>(), 0, confidence);
            let mut by_row = vec![None; rows.len()];
            shown.iter().zip(estimates).for_each(|(i, e)| by_row[*i] = e);
            by_row
        };
        let (walls, links, compiles) = (together(|s| Some(s.wall_s)), together(link_of), together(compile_of));
        for (i, row) in rows.iter_mut().enumerate() {
            let Some(figures) = row.scenarios.get_mut(&scenario) else { continue };
            if i == base {
                figures.verdict = VerdictJson::Base;
                if let Some(link) = &mut figures.link {
                    (link.verdict, link.compile_verdict) = (VerdictJson::Base, VerdictJson::Base);
                }
                if with_figures == 1 && alone && target.is_some() {
                    let walls: Vec<f64> = base_samples.iter().map(|s| s.wall_s).collect();
                    if let Some(time) = stats::geometric_at(&walls, confidence) {
                        figures.time = EstimateJson::of(&time);
                    }
                }
                let watched = (with_figures == 1 && alone).then_some(figures.time);
                figures.precise = target.zip(watched).map(|(t, e)| e.plus_minus_pct.is_some_and(|w| w <= t * 100.0));
                continue;
            }
            if let Some(estimate) = walls[i] {
                figures.verdict = estimate.verdict(stats::NOISE).into();
                figures.speedup = Some(EstimateJson::of(&estimate));
                figures.precise = target.map(|t| estimate.relative_half_width().is_some_and(|w| w <= t));
            }
            if let Some(link) = &mut figures.link {
                if let Some(estimate) = links[i] {
                    (link.speedup, link.verdict) =
                        (Some(EstimateJson::of(&estimate)), estimate.verdict(stats::NOISE).into());
                }
                if let Some(estimate) = compiles[i] {
                    link.compile_speedup = Some(EstimateJson::of(&estimate));
                    link.compile_verdict = estimate.verdict(stats::NOISE).into();
                }
            }
            figures.speedup_cpu = base_cpu.zip(figures.cpu.as_ref()).and_then(|(b, n)| stats::ratio(b, n.median_s));
        }
    }
}

/// The cells whose interval stayed wider than the precision asked for, when the budget or the
/// most rounds stopped the run: what more time would have narrowed. A cell that ran the most
/// rounds (`max_rounds`) is named as such even when the budget ended the run: a scenario the
/// budget left out stops the run on the budget, while the cheaper ones go on to their limit.
fn precision_warnings(rows: &[Row], stop: StopReason, precision: Option<&Precision>) -> Vec<String> {
    let Some(precision) = precision else { return Vec::new() };
    let budget = match stop {
        StopReason::Budget => "the budget ran out (`--budget` gives more time)",
        StopReason::MaxRounds => "the most rounds ran (a quieter machine narrows them)",
        StopReason::Interrupted => "the run was interrupted",
        _ => return Vec::new(),
    };
    // Per cause, then per target (clean builds and rebuilds have their own), the cells.
    let mut groups: Vec<(bool, String, Vec<String>)> = Vec::new();
    for (r, s, f) in rows.iter().flat_map(|r| r.scenarios.iter().map(move |(s, f)| (r, s, f))) {
        if f.precise != Some(false) {
            continue;
        }
        let width = f.speedup.or(Some(f.time)).and_then(|e| e.plus_minus_pct);
        let width = width.map_or("no interval".to_string(), crate::format::plus_minus);
        let rounds = if f.rounds == 1 { "1 round".to_string() } else { format!("{} rounds", f.rounds) };
        let cell = format!("{} {s} ({width} after {rounds})", r.name);
        let at_most = stop != StopReason::Interrupted && f.rounds >= precision.max_rounds_of(*s).max(1);
        let to = crate::format::target(precision.target_of(*s) * 100.0);
        match groups.iter_mut().find(|(m, t, _)| *m == at_most && *t == to) {
            Some((_, _, cells)) => cells.push(cell),
            None => groups.push((at_most, to, vec![cell])),
        }
    }
    // The budget's first, as before.
    groups.sort_by_key(|(at_most, _, _)| *at_most);
    groups
        .into_iter()
        .map(|(at_most, to, cells)| {
            let why =
                if at_most { "the most rounds ran (a quieter machine narrows them, or more `--runs`)" } else { budget };
            let some = if cells.len() == 1 { "one interval" } else { "some intervals" };
            format!("{some} did not reach {to}: {why}; {}", cells.join(", "))
        })
        .collect()
}

/// Rows that differ in how their compiler was built or linked compare packaging, not only
/// compiler progress; say so, naming the odd ones out, and where the link time is apart, point
/// at it.
fn provenance_warnings(rows: &[Row], link_time: bool) -> Vec<String> {
    let mut warnings = Vec::new();
    type Aspect = (&'static str, fn(&Row) -> String, &'static str);
    let linkers = if link_time {
        "the linker dominates small rebuilds; the link figures take its part apart from the compiler's"
    } else {
        "the linker dominates small rebuilds"
    };
    let aspects: [Aspect; 2] = [
        ("compiler builds", |r| r.provenance.to_string(), "official builds are PGO-optimised"),
        ("default linkers", |r| r.linker.to_string(), linkers),
    ];
    for (what, key, explain) in aspects {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for row in rows {
            match groups.iter_mut().find(|(v, _)| *v == key(row)) {
                Some((_, names)) => names.push(&row.name),
                None => groups.push((key(row), vec![&row.name])),
            }
        }
        if groups.len() > 1 {
            let parts: Vec<String> = groups.iter().map(|(v, names)| format!("{v}: {}", names.join(", "))).collect();
            // The way out: the largest group alone.
            let keep = groups.iter().max_by_key(|(_, names)| names.len()).map(|(_, names)| names.join(","));
            let avoid = keep.map(|k| format!("; `--toolchains {k}` keeps to one")).unwrap_or_default();
            warnings.push(format!(
                "rows mix {what} ({}); the speedups mix compiler progress with packaging ({explain}){avoid}",
                parts.join("; ")
            ));
        }
    }
    let forced: Vec<&str> = rows.iter().filter(|r| r.incremental_forced).map(|r| r.name.as_str()).collect();
    if !forced.is_empty() {
        warnings.push(format!(
            "incremental compilation was forced on with RUSTC_FORCE_INCREMENTAL=1 for {}, which shipped with it off",
            forced.join(", ")
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::select::Selection;
    use crate::measure::build::Recipe;
    use crate::measure::engine::{Precision, Variant, Verification};
    use crate::testing::{toolchain, workspace};
    use crate::vocab::Profile;

    fn sample(round: usize, wall_s: f64) -> Sample {
        Sample {
            round,
            wall_s,
            cpu_s: Some(wall_s * 1.5),
            peak_rss: Some(100 * 1024 * 1024),
            link: None,
            compiled: None,
        }
    }

    fn measured(name: &str, end: End, clean: &[f64], touched: &[f64]) -> Measured {
        let mut samples = BTreeMap::new();
        let series = |walls: &[f64]| walls.iter().enumerate().map(|(r, w)| sample(r, *w)).collect::<Vec<_>>();
        samples.insert(Scenario::Clean, series(clean));
        samples.insert(Scenario::Touched, series(touched));
        samples.retain(|_, v: &mut Vec<Sample>| !v.is_empty());
        let target_dir = format!("/w/target/timewarp/{name}").into();
        Measured {
            toolchain: toolchain(name),
            variant: 0,
            target_dir,
            samples,
            end,
            scenario_errors: BTreeMap::new(),
            crates: None,
            redone: Vec::new(),
        }
    }

    fn plan(stopping: Stopping) -> Plan {
        let recipe = Recipe {
            root: "/w".into(),
            manifest_path: "/w/Cargo.toml".into(),
            packages: vec![],
            profile: Profile::Release,
            link_dir: None,
            jobs: None,
            cargo_home: "/w/target/timewarp/cargo-home".into(),
            timeout: None,
            lockfile_version: None,
            env: crate::process::Env::default(),
            overrides: Default::default(),
        };
        let verify = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        Plan {
            variants: vec![Variant { tag: None, recipe, verify, deep: None, skip: BTreeMap::new() }],
            scenarios: vec![Scenario::Clean, Scenario::Touched],
            stopping,
            crates: None,
            floors: BTreeMap::new(),
        }
    }

    fn report_with(measured: &[Measured], stopping: Stopping, stop: StopReason) -> Report {
        let ws = workspace("/w");
        let selection = Selection { chosen: vec![], skipped: vec![], doubtful: vec![] };
        let plan = plan(stopping);
        let facts = Facts {
            user_root: &ws.root,
            workspace: &ws,
            selection: &selection,
            broken: &[],
            plan: &plan,
            rounds: 3,
            stop,
            elapsed: Duration::from_secs(30),
            touched_file: Path::new("/w/src/main.rs"),
            link_note: None,
            removed_env: &[],
            settings: &[],
            vendor_dir: None,
            revision: Some("abc"),
            revision_given: Some("v1.0"),
            changed_by_builds: &[],
            kept_changes: &[],
            baseline: None,
            baseline_rev: None,
            gate: baseline::GateLimit { max_regression_pct: None },
            crates_top: None,
            cores: 2,
            cpu: None,
        };
        build(&facts, measured, |_| BTreeMap::new())
    }

    fn report(measured: &[Measured]) -> Report {
        report_with(
            measured,
            Stopping::Fixed(BTreeMap::from([(Scenario::Clean, 1), (Scenario::Touched, 3)])),
            StopReason::Fixed,
        )
    }

    #[test]
    fn speedups_are_against_the_oldest_row_with_figures_paired_by_round() {
        let r = report(&[
            measured("1.63.0", End::Failed("error: old".into()), &[9.0], &[]),
            measured("1.85.0", End::Completed, &[4.0], &[1.0, 1.1, 0.9]),
            measured("1.96.0", End::Completed, &[2.0], &[0.5, 0.55, 0.45]),
        ]);
        assert_eq!(r.toolchains[0].status, Status::Failed);
        assert!(r.toolchains[0].scenarios.is_empty(), "a failed row shows no figures");
        let base = r.toolchains[1].figures(Scenario::Clean).unwrap();
        assert_eq!((base.speedup, base.verdict), (None, VerdictJson::Base), "the base row has no speedup");
        let clean = r.toolchains[2].figures(Scenario::Clean).unwrap();
        assert_eq!(clean.speedup.unwrap().point, 2.0);
        assert_eq!(clean.speedup.unwrap().low, None, "one round: no interval");
        let touched = r.toolchains[2].figures(Scenario::Touched).unwrap();
        let speedup = touched.speedup.unwrap();
        assert!((speedup.point - 2.0).abs() < 1e-12, "every round's pair is 2.0: {speedup:?}");
        assert_eq!((speedup.low, speedup.high), (Some(speedup.point), Some(speedup.point)), "no spread in the ratios");
        assert_eq!(touched.verdict, VerdictJson::Faster);
        assert_eq!(r.toolchains[2].figures(Scenario::Clean).unwrap().speedup_cpu, Some(2.0));
        assert_eq!((&r.profile, r.touched_file.as_str()), (&Profile::Release, "src/main.rs"));
        assert_eq!(r.measurement.commands[&Scenario::Touched], "cargo build --release");
        assert_eq!(r.revision.as_deref(), Some("abc"));
        assert_eq!(r.measurement.rounds, 3);
        let time = r.toolchains[1].figures(Scenario::Touched).unwrap().time;
        assert!(time.low.unwrap() < time.point && time.point < time.high.unwrap(), "the time's interval: {time:?}");
    }

    #[test]
    fn a_scenarios_speedups_pool_the_rounds_as_blocks() {
        // 1.85.0 keeps the base's pace exactly: alone its pair has no spread, but the rounds'
        // residuals of 1.96.0 are pooled into its interval too, as the stopping rule saw it.
        let r = report(&[
            measured("1.63.0", End::Completed, &[], &[1.0, 1.1, 0.9]),
            measured("1.85.0", End::Completed, &[], &[0.5, 0.55, 0.45]),
            measured("1.96.0", End::Completed, &[], &[0.26, 0.5, 0.5]),
        ]);
        let steady = r.toolchains[1].figures(Scenario::Touched).unwrap().speedup.unwrap();
        assert!((steady.point - 2.0).abs() < 1e-12, "{steady:?}");
        assert!(steady.low.unwrap() < 1.99 && steady.high.unwrap() > 2.01, "pooled, not a point: {steady:?}");
    }

    #[test]
    fn link_time_is_taken_apart_with_its_own_paired_speedups() {
        use crate::measure::linker::LinkTime;
        // GNU ld then rust-lld: the compile part barely moves, the link part gets 5x faster.
        let with_links = |name: &str, compile: f64, link: f64| {
            let mut m =
                measured(name, End::Completed, &[], &[compile + link, compile + link * 1.1, compile + link * 0.9]);
            for (i, s) in m.samples.get_mut(&Scenario::Touched).unwrap().iter_mut().enumerate() {
                let seconds = link * [1.0, 1.1, 0.9][i];
                s.link = Some(LinkTime { seconds, runs: 1 });
                s.compiled = Some(1);
            }
            m
        };
        let r = report(&[with_links("1.85.0", 0.3, 0.5), with_links("1.96.0", 0.29, 0.1)]);
        let base = r.toolchains[0].figures(Scenario::Touched).unwrap();
        let link = base.link.as_ref().unwrap();
        assert_eq!((link.verdict, link.compile_verdict, link.runs), (VerdictJson::Base, VerdictJson::Base, 1));
        assert!((link.share_pct - 62.5).abs() < 0.01, "{link:?}");
        assert_eq!(base.crates_compiled, Some(1));
        let new = r.toolchains[1].figures(Scenario::Touched).unwrap().link.as_ref().unwrap();
        let speedup = new.speedup.unwrap();
        assert!((speedup.point - 5.0).abs() < 1e-9, "paired by round, each pair exactly 5x: {new:?}");
        assert_eq!(new.verdict, VerdictJson::Faster);
        let compile = new.compile_speedup.unwrap();
        assert!(compile.point > 1.0 && compile.point < 1.1, "{compile:?}");
        let without = report(&[measured("1.85.0", End::Completed, &[4.0], &[1.0])]);
        assert!(without.toolchains[0].figures(Scenario::Touched).unwrap().link.is_none(), "no link, no figures");
    }

    #[test]
    fn a_wide_interval_holding_one_is_inconclusive_and_a_narrow_one_no_change() {
        let r = report(&[
            measured("1.85.0", End::Completed, &[4.0], &[1.0, 1.1, 0.9]),
            measured("1.96.0", End::Completed, &[3.9], &[1.05, 1.0, 0.95]),
        ]);
        let touched = r.toolchains[1].figures(Scenario::Touched).unwrap();
        assert_eq!(touched.verdict, VerdictJson::Inconclusive, "±23% cannot tell: {touched:?}");
        let r = report(&[
            measured("1.85.0", End::Completed, &[4.0], &[1.0, 1.1, 0.9]),
            measured("1.96.0", End::Completed, &[3.9], &[1.001, 1.1, 0.9]),
        ]);
        let touched = r.toolchains[1].figures(Scenario::Touched).unwrap();
        assert_eq!(touched.verdict, VerdictJson::NoChange, "the whole interval within 1%: {touched:?}");
        let one = report(&[
            measured("1.85.0", End::Completed, &[4.0], &[1.0]),
            measured("1.96.0", End::Completed, &[3.9], &[1.0]),
        ]);
        let touched = one.toolchains[1].figures(Scenario::Touched).unwrap();
        assert_eq!(touched.verdict, VerdictJson::Inconclusive, "one round is never no change: {touched:?}");
    }

    #[test]
    fn an_interrupted_row_keeps_what_it_measured() {
        let r = report(&[
            measured("1.85.0", End::Completed, &[4.0], &[1.0]),
            measured("1.96.0", End::Interrupted, &[2.0], &[]),
            measured("1.97.0", End::Interrupted, &[], &[]),
        ]);
        assert_eq!(r.toolchains[1].error.as_deref(), Some("interrupted by Ctrl-C or SIGTERM"));
        let never = r.toolchains[2].error.as_deref().unwrap();
        assert_eq!(never, "interrupted by Ctrl-C or SIGTERM before any of its builds finished");
        let row = &r.toolchains[1];
        assert_eq!(row.status, Status::Interrupted);
        assert_eq!(row.median(Scenario::Clean), Some(2.0));
        assert_eq!(row.figures(Scenario::Clean).and_then(|f| f.speedup).map(|s| s.point), Some(2.0));
        assert!(row.figures(Scenario::Touched).is_none());
    }

    #[test]
    fn cells_short_of_the_precision_are_named_when_the_budget_stopped_them() {
        let precision = Stopping::Precision(Precision::DEFAULT.with_target(0.05));
        let rows = [
            measured("1.85.0", End::Completed, &[4.0, 4.1, 3.9], &[1.0, 1.3, 0.8]),
            measured("1.96.0", End::Completed, &[2.0, 2.05, 1.95], &[0.5, 0.5, 0.7]),
        ];
        let r = report_with(&rows, precision.clone(), StopReason::Budget);
        let touched = r.toolchains[1].figures(Scenario::Touched).unwrap();
        assert_eq!(touched.precise, Some(false));
        assert_eq!(r.toolchains[1].figures(Scenario::Clean).unwrap().precise, Some(true));
        let warning = r.warnings.iter().find(|w| w.starts_with("one interval did not reach ±5%")).unwrap();
        assert!(warning.contains("the budget ran out") && warning.contains("1.96.0 touched (±"), "{warning}");
        let quiet = report_with(&rows, precision, StopReason::Precise);
        assert!(!quiet.warnings.iter().any(|w| w.contains("did not reach")), "{:?}", quiet.warnings);
    }

    /// Found on eza: the budget left clean out after 9 rounds and check-touched ran on to its
    /// 30th round, and the one warning blamed the budget for both.
    #[test]
    fn a_cell_that_ran_the_most_rounds_is_not_blamed_on_the_budget() {
        let precision = Stopping::Precision(Precision {
            max_rounds: 3,
            max_rebuild_rounds: 3,
            ..Precision::DEFAULT.with_target(0.05)
        });
        let rows = [
            measured("1.85.0", End::Completed, &[4.0, 4.4], &[1.0, 1.3, 0.8]),
            measured("1.96.0", End::Completed, &[2.0, 2.6], &[0.5, 0.5, 0.7]),
        ];
        let r = report_with(&rows, precision, StopReason::Budget);
        let lines: Vec<&String> = r.warnings.iter().filter(|w| w.contains("did not reach ±5%")).collect();
        let [budget, most] = lines[..] else { panic!("two warnings: {:?}", r.warnings) };
        assert!(budget.contains("the budget ran out") && budget.contains("1.96.0 clean (±"), "{budget}");
        assert!(!budget.contains("touched"), "{budget}");
        assert!(most.contains("the most rounds ran") && most.contains("1.96.0 touched (±"), "{most}");
    }

    /// Rebuilds have their own target (±3 % by default, clean builds ±5 %): each warning names
    /// the one its cells missed.
    #[test]
    fn each_cell_short_of_its_target_is_named_under_that_target() {
        let rows = [
            measured("1.85.0", End::Completed, &[4.0, 4.4], &[1.0, 1.3, 0.8]),
            measured("1.96.0", End::Completed, &[2.0, 2.6], &[0.5, 0.5, 0.7]),
        ];
        let r = report_with(&rows, Stopping::Precision(Precision::DEFAULT), StopReason::Budget);
        let lines: Vec<&String> = r.warnings.iter().filter(|w| w.contains("did not reach")).collect();
        let [clean, touched] = lines[..] else { panic!("two warnings: {:?}", r.warnings) };
        assert!(clean.starts_with("one interval did not reach ±5%: the budget ran out"), "{clean}");
        assert!(clean.ends_with("1.96.0 clean (±672% after 2 rounds)"), "{clean}");
        assert!(touched.starts_with("one interval did not reach ±3%: the budget ran out"), "{touched}");
        assert!(touched.contains("1.96.0 touched (±"), "{touched}");
    }
}
