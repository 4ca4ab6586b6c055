//! The stopping rule and the budget: which subjects each scenario of the next round builds, in
//! which order, and why there is no next round. Pure: it reads the subjects' samples and
//! states, and runs nothing.

use std::time::Duration;

use super::outcome::{End, StopReason, pairs};
use super::plan::{Plan, Precision, Stopping};
use super::run::Run;
use crate::measure::schedule::round_order;
use crate::stats;
use crate::vocab::{Scenario, Start};

/// One scenario of a round and the subjects it builds, in order.
pub(crate) type ScenarioBuilds = (Scenario, Vec<usize>);

/// The cells of round `round`: per scenario, the subjects to build, in this round's order, and
/// whether a scenario was left out because its builds no longer fit the budget; or why there is
/// no such round.
pub(crate) fn next_round(
    plan: &Plan,
    runs: &[Run],
    round: usize,
    elapsed: Duration,
) -> Result<(Vec<ScenarioBuilds>, bool), StopReason> {
    let alive: Vec<usize> = (0..runs.len()).filter(|i| !runs[*i].ended).collect();
    if alive.is_empty() {
        return Err(StopReason::NothingLeft);
    }
    let mut cells = Vec::new();
    match &plan.stopping {
        Stopping::Fixed(_) => {
            for scenario in &plan.scenarios {
                if round < plan.stopping.fixed(*scenario).unwrap_or(0) {
                    cells.push((*scenario, alive.iter().copied().filter(|i| runs[*i].measures(*scenario)).collect()));
                }
            }
        }
        Stopping::Precision(precision) => {
            let mut at_most = false;
            for scenario in &plan.scenarios {
                let wanted = imprecise(plan, runs, *scenario, precision, round);
                if wanted.is_empty() {
                    continue;
                }
                // A scenario at its most rounds stops there; the others go on to theirs. Its own
                // rounds, not the run's: the budget may have left it out of some.
                let done = runs.iter().map(|r| r.samples(*scenario).len()).max().unwrap_or(0);
                if done >= precision.max_rounds_of(*scenario) {
                    at_most = true;
                } else {
                    cells.push((*scenario, wanted));
                }
            }
            if cells.is_empty() {
                return Err(if at_most { StopReason::MaxRounds } else { StopReason::Precise });
            }
            if round > 0 {
                let cut = fit_budget(plan, runs, &mut cells, precision.budget.saturating_sub(elapsed), precision);
                if cells.is_empty() {
                    return Err(StopReason::Budget);
                }
                return Ok((order(cells, round), cut));
            }
        }
    }
    cells.retain(|(_, subjects)| !subjects.is_empty());
    if cells.is_empty() {
        return Err(if matches!(plan.stopping, Stopping::Fixed(_)) { StopReason::Fixed } else { StopReason::Precise });
    }
    Ok((order(cells, round), false))
}

/// Leaves out of `cells` the scenarios whose builds do not fit in `left`, the costliest first,
/// so the cheaper ones keep their rounds until they are precise or the budget ends: a round of
/// clean builds that no longer fits must not end the rebuilds' rounds, which cost seconds. A
/// costlier scenario's round must also leave the cheaper ones what they still need to reach
/// their targets ([`reserve`], at most half of what is left): on lsd, a seventh clean round of
/// 2.4 minutes, started with 2.5 left, took the minutes the rebuilds, at ±7 % and ±9.6 % after
/// 8 and 9 rounds, needed. Whether any was left out.
pub(crate) fn fit_budget(
    plan: &Plan,
    runs: &[Run],
    cells: &mut Vec<ScenarioBuilds>,
    left: Duration,
    precision: &Precision,
) -> bool {
    let cost = |cell: &ScenarioBuilds| estimate(plan, runs, std::slice::from_ref(cell));
    let costliest = |cells: &[ScenarioBuilds]| (0..cells.len()).max_by_key(|i| cost(&cells[*i]));
    // The costliest of `cells` when they overrun `left`, with the cheaper scenarios' reserve
    // beside it.
    let overrun = |cells: &[ScenarioBuilds]| {
        let most = costliest(cells)?;
        let cheaper = cells.iter().enumerate().filter(|(i, _)| *i != most);
        let reserved: Duration = cheaper.map(|(_, c)| reserve(plan, runs, std::slice::from_ref(c), precision)).sum();
        (estimate(plan, runs, cells) + reserved.min(left / 2) > left).then_some(most)
    };
    let mut dropped = Vec::new();
    while let Some(most) = overrun(cells) {
        dropped.push(cells.remove(most));
    }
    // A cell left out early may fit in what the costlier ones left: give it back, cheapest first.
    dropped.sort_by_key(|cell| cost(cell));
    let mut cut = false;
    for cell in dropped {
        cells.push(cell);
        if overrun(cells).is_some() {
            cells.pop();
            cut = true;
        }
    }
    cut
}

/// The time the scenarios of `cells` still need after this round to reach their targets, by
/// their widths so far: a speedup whose interval is `w` wide after `n` rounds needs about
/// `n·(w/target)²` rounds (the width falls as 1/√n), at most the scenario's most rounds, each
/// costing what this round of the scenario does. Nothing for a scenario without an interval yet,
/// nor in a gate's run.
pub(crate) fn reserve(plan: &Plan, runs: &[Run], cells: &[ScenarioBuilds], precision: &Precision) -> Duration {
    let mut total = Duration::ZERO;
    if precision.gate_pct.is_some() {
        // A gate's costly cells are the ones it must decide: they are not given up for precision.
        return total;
    }
    for cell in cells {
        let scenario = cell.0;
        let target = precision.target_of(scenario);
        let widest = watched(plan, runs, scenario).into_iter().filter_map(|(_, _, w)| w).fold(0.0, f64::max);
        let done = cell.1.iter().map(|i| runs[*i].samples(scenario).len()).max().unwrap_or(0);
        if widest <= target || done < 2 {
            continue;
        }
        let needed = ((done as f64) * (widest / target).powi(2)).ceil().min(precision.max_rounds_of(scenario) as f64);
        let more = (needed as usize).saturating_sub(done + 1);
        total += estimate(plan, runs, std::slice::from_ref(cell)) * more as u32;
    }
    total
}

/// The subjects that need another round of `scenario`: all of them before the minimum, then
/// those whose interval is still wider than the scenario's target, with the baseline each pairs
/// with.
pub(crate) fn imprecise(
    plan: &Plan,
    runs: &[Run],
    scenario: Scenario,
    precision: &Precision,
    round: usize,
) -> Vec<usize> {
    let measuring: Vec<usize> = (0..runs.len()).filter(|i| runs[*i].measures(scenario)).collect();
    if round < precision.min_rounds {
        return measuring;
    }
    let mut wanted: Vec<usize> = Vec::new();
    for (subject, base, width) in watched(plan, runs, scenario) {
        let undecided =
            base.is_some_and(|b| runs[b].measured.variant != 0 && gate_open(runs, b, subject, scenario, precision));
        if (undecided || width.is_none_or(|w| w > precision.target_of(scenario))) && measuring.contains(&subject) {
            wanted.push(subject);
            if let Some(base) = base.filter(|b| measuring.contains(b)) {
                wanted.push(base);
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    wanted
}

/// Whether the gate has yet to decide the change of `subject` (today's tree) against `revision`
/// (the `--baseline-rev` build of the same toolchain) in `scenario`.
pub(crate) fn gate_open(
    runs: &[Run],
    revision: usize,
    subject: usize,
    scenario: Scenario,
    precision: &Precision,
) -> bool {
    let Some(limit) = precision.gate_pct else { return false };
    let pairs = pairs(runs[revision].samples(scenario), runs[subject].samples(scenario));
    stats::paired_speedup_at(&pairs, stats::GATE_CONFIDENCE)
        .is_none_or(|speedup| stats::gate(&speedup.inverse(), limit) == stats::Gate::Undecided)
}

/// What the stopping rule watches in `scenario`: each subject with the baseline it pairs with
/// (`None` when it is compared with nothing: a run of one toolchain, whose own time is watched)
/// and the relative half-width of that comparison's interval, `None` while there is none.
pub(crate) fn watched(plan: &Plan, runs: &[Run], scenario: Scenario) -> Vec<(usize, Option<usize>, Option<f64>)> {
    let with_samples: Vec<usize> = (0..runs.len())
        .filter(|i| !runs[*i].samples(scenario).is_empty() || runs[*i].measures(scenario))
        .filter(|i| !matches!(runs[*i].measured.end, End::Failed(_)))
        .collect();
    let main: Vec<usize> = with_samples.iter().copied().filter(|i| runs[*i].measured.variant == 0).collect();
    let mut out = Vec::new();
    let base = main.first().copied();
    let confidence = plan.stopping.confidence();
    if main.len() == 1 && plan.variants.len() == 1 {
        let walls = runs[main[0]].measured.walls(scenario);
        let width = stats::geometric_at(&walls, confidence).and_then(|e| e.relative_half_width());
        out.push((main[0], None, width));
    }
    // The speedups over the baseline, with the rounds as blocks: what the report will show.
    let series = |i: &usize| runs[*i].samples(scenario).iter().map(|s| (s.round, s.wall_s)).collect::<Vec<_>>();
    let speedups = stats::speedups(&main.iter().map(series).collect::<Vec<_>>(), 0, confidence);
    for (subject, speedup) in main.iter().copied().zip(speedups).skip(1) {
        out.push((subject, base, speedup.and_then(|e| e.relative_half_width())));
    }
    // `--baseline-rev`: today's tree against the revision, toolchain by toolchain.
    for other in with_samples.iter().copied().filter(|i| runs[*i].measured.variant != 0) {
        let same = main.iter().copied().find(|m| runs[*m].measured.toolchain == runs[other].measured.toolchain);
        if let Some(same) = same {
            out.push((same, Some(other), pair_width(&runs[other], &runs[same], scenario, confidence)));
        }
    }
    out
}

/// The relative half-width of the paired speedup of `subject` over `base` in `scenario`, at
/// two-sided level `confidence`.
pub(crate) fn pair_width(base: &Run, subject: &Run, scenario: Scenario, confidence: f64) -> Option<f64> {
    let pairs = pairs(base.samples(scenario), subject.samples(scenario));
    stats::paired_speedup_at(&pairs, confidence).and_then(|e| e.relative_half_width())
}
/// The widest interval the stopping rule watches, with whose it is.
pub(crate) fn widest(plan: &Plan, runs: &[Run]) -> Option<(f64, String)> {
    plan.scenarios
        .iter()
        .flat_map(|scenario| {
            watched(plan, runs, *scenario).into_iter().filter_map(move |(subject, _, width)| {
                Some((width?, format!("{} {scenario}", runs[subject].measured.toolchain)))
            })
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

/// How long `cells` will probably take: each build as long as its last one (or the scenario's
/// slowest so far), plus a rebuild for each toolchain whose edits need settling.
pub(crate) fn estimate(plan: &Plan, runs: &[Run], cells: &[(Scenario, Vec<usize>)]) -> Duration {
    let mut seconds = 0.0;
    for (scenario, subjects) in cells {
        let fallback = runs.iter().filter_map(|r| r.typical(*scenario)).fold(0.0, f64::max);
        let kind = plan.kind(*scenario);
        for subject in subjects {
            let run = &runs[*subject];
            seconds += run.typical(*scenario).unwrap_or(fallback);
            if scenario.start() == Start::Rebuild && run.kinds.get(&kind).is_some_and(|k| k.unsettled) {
                seconds += run.typical(*scenario).unwrap_or(fallback);
            }
        }
    }
    Duration::from_secs_f64(seconds)
}

/// The order of the builds of each scenario in round `round`: rotating ([`round_order`]).
pub(crate) fn order(cells: Vec<(Scenario, Vec<usize>)>, round: usize) -> Vec<(Scenario, Vec<usize>)> {
    cells
        .into_iter()
        .map(|(scenario, subjects)| {
            let ordered = round_order(subjects.len(), round).into_iter().map(|i| subjects[i]).collect();
            (scenario, ordered)
        })
        .collect()
}

#[cfg(test)]
mod tests;
