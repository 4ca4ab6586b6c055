//! `cargo timewarp bisect`: which release moved this project's build time. Pure policy over a
//! probe: the search picks which releases of the span to measure together, the probe measures
//! them in paired rounds (the engine's) and says what it found; halving keeps the half that
//! carries the significant part of the change until it lies between two adjacent releases.
//!
//! Every probe measures the span's two current ends with the release between them, so each
//! decision rests on ratios paired by round within one probe: a machine that drifts between
//! probes moves nothing the search compares.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::stats::{self, Estimate, NOISE, Verdict};
use crate::vocab::Scenario;

/// When both halves of a span change significantly, the search still follows one that holds at
/// least this share of the span's change (on the log scale); below it the change is spread.
pub(crate) const DOMINANT_SHARE: f64 = 0.75;

/// One release's wall times in a probe, with the round each belongs to.
pub(crate) type Walls = Vec<(usize, f64)>;

/// One release's wall times per scenario.
pub(crate) type Samples = BTreeMap<Scenario, Walls>;

/// Why a search stopped before it located the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Halt {
    /// `--budget` is spent.
    Budget,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// A step had one round only (its share of the budget, or `--runs 1`), so its changes have
    /// no interval and nothing can be decided.
    NoInterval,
}

/// What one probe measured, in the scenario the search follows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Probed {
    /// Per candidate probed: its samples, or why it could not be measured.
    pub(crate) results: Vec<(usize, Result<Samples, String>)>,
    /// Set when the search must stop after this probe.
    pub(crate) halt: Option<Halt>,
}

/// The change from candidate `from` to candidate `to` (later), paired within one probe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CandidateChange {
    /// The older candidate.
    pub(crate) from: usize,
    /// The newer candidate.
    pub(crate) to: usize,
    /// The speedup of `to` over `from` (2.0: twice as fast), with its interval.
    pub(crate) speedup: Estimate,
    /// What the interval says.
    pub(crate) verdict: Verdict,
}

impl CandidateChange {
    /// The change from `from` to `to` in `scenario`, from the rounds both have in `probed`.
    pub(crate) fn between(
        from: usize,
        to: usize,
        scenario: Scenario,
        probed: &[(usize, &Samples)],
    ) -> Option<CandidateChange> {
        let of = |i: usize| probed.iter().find(|(c, _)| *c == i).and_then(|(_, s)| s.get(&scenario));
        let (a, b) = (of(from)?, of(to)?);
        let pairs: Vec<(f64, f64)> =
            a.iter().filter_map(|(round, x)| b.iter().find(|(r, _)| r == round).map(|(_, y)| (*x, *y))).collect();
        let speedup = stats::paired_speedup(&pairs)?;
        Some(CandidateChange { from, to, speedup, verdict: speedup.verdict(NOISE) })
    }

    /// This change's part of `whole`, on the log scale where the parts of a span add up: 0.5
    /// when it holds half of it.
    pub(crate) fn share_of(&self, whole: &CandidateChange) -> f64 {
        if whole.speedup.log_mean == 0.0 { 0.0 } else { self.speedup.log_mean / whole.speedup.log_mean }
    }
}

/// One probe of the search and what it decided.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Step {
    /// The candidates measured together, oldest first.
    pub(crate) probed: Vec<usize>,
    /// The changes between neighbours of the probe, then the whole span's.
    pub(crate) changes: Vec<CandidateChange>,
    /// Candidates of this probe that could not be measured, with why; the search went on
    /// without them.
    pub(crate) failed: Vec<(usize, String)>,
    /// The span the search kept after this probe.
    pub(crate) kept: Option<(usize, usize)>,
}

/// Where the search ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    /// The two ends do not differ beyond noise.
    NoChange,
    /// The significant part of the change lies between two adjacent candidates.
    Located(CandidateChange),
    /// Both halves of a span carry a significant part in the same direction and neither holds
    /// [`DOMINANT_SHARE`] of it, or neither half is significant: no single release holds the
    /// change. The parts of the last probe.
    Spread(Vec<CandidateChange>),
    /// Stopped first; the change lies somewhere in this span.
    Unfinished { between: (usize, usize), why: Halt },
    /// An end of the span could not be measured.
    EndFailed { candidate: usize, reason: String },
}

/// The whole search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bisection {
    /// The scenario followed.
    pub(crate) scenario: Scenario,
    /// The change between the span's ends, from the first probe; `None` when it has none.
    pub(crate) total: Option<CandidateChange>,
    /// Every probe in order.
    pub(crate) steps: Vec<Step>,
    /// The outcome.
    pub(crate) found: Found,
}

impl Bisection {
    /// Every candidate measured at least once, in order.
    pub(crate) fn measured(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.steps.iter().flat_map(|s| s.probed.iter().copied()).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Searches candidates `0..count` (oldest first; `count` at least 2) for the release that moved
/// the build time in `follow` (by default the scenario whose significant change between the ends
/// is largest): the first probe measures the two ends, each later one the current ends and the
/// candidate halfway between them. `probe` measures the candidates given together.
pub(crate) fn bisect(
    count: usize,
    follow: Option<Scenario>,
    probe: &mut dyn FnMut(&[usize]) -> Result<Probed>,
) -> Result<Bisection> {
    assert!(count >= 2, "a span has two ends");
    let (mut lo, mut hi) = (0, count - 1);
    let mut alive: Vec<usize> = (0..count).collect();
    let (scenario, first_change, mut halt, mut steps) = match ends(count, follow, probe)? {
        Ok(started) => started,
        Err(ended) => return Ok(ended),
    };
    let total = Some(first_change);
    let direction = Some(first_change.verdict);
    let mut last = first_change;
    loop {
        if let Some(why) = halt {
            return Ok(Bisection { scenario, total, steps, found: Found::Unfinished { between: (lo, hi), why } });
        }
        let inner: Vec<usize> = alive.iter().copied().filter(|c| lo < *c && *c < hi).collect();
        let Some(&mid) = inner.get(inner.len().saturating_sub(1) / 2) else {
            return Ok(Bisection { scenario, total, steps, found: Found::Located(last) });
        };
        let probed = probe(&[lo, mid, hi])?;
        halt = probed.halt;
        let (walls, failed) = split(&probed);
        let mut step = Step { probed: vec![lo, mid, hi], changes: Vec::new(), failed: failed.clone(), kept: None };
        if let Some((candidate, reason)) = failed.iter().find(|(c, _)| *c != mid).cloned() {
            steps.push(step);
            return Ok(Bisection { scenario, total, steps, found: Found::EndFailed { candidate, reason } });
        }
        if !failed.is_empty() {
            // The release between could not build: leave it out and try another.
            alive.retain(|c| *c != mid);
            steps.push(step);
            continue;
        }
        let between = |a, b| CandidateChange::between(a, b, scenario, &walls);
        let (Some(left), Some(right)) = (between(lo, mid), between(mid, hi)) else {
            steps.push(step);
            let why = halt.unwrap_or(Halt::Budget);
            return Ok(Bisection { scenario, total, steps, found: Found::Unfinished { between: (lo, hi), why } });
        };
        step.changes = vec![left, right];
        if left.verdict == Verdict::Unknown || right.verdict == Verdict::Unknown {
            steps.push(step);
            let why = halt.unwrap_or(Halt::NoInterval);
            return Ok(Bisection { scenario, total, steps, found: Found::Unfinished { between: (lo, hi), why } });
        }
        let whole = between(lo, hi);
        step.changes.extend(whole);
        let (left_carries, right_carries) = (Some(left.verdict) == direction, Some(right.verdict) == direction);
        // Both halves significant: one of them may still hold nearly all of the change (the
        // other's being a small real change, or one of the 5% of intervals that miss).
        let dominant = |part: &CandidateChange| whole.is_some_and(|w| part.share_of(&w) >= DOMINANT_SHARE);
        match (left_carries, right_carries) {
            (true, false) => (hi, last) = (mid, left),
            (false, true) => (lo, last) = (mid, right),
            (true, true) if dominant(&left) => (hi, last) = (mid, left),
            (true, true) if dominant(&right) => (lo, last) = (mid, right),
            _ => {
                steps.push(step);
                return Ok(Bisection { scenario, total, steps, found: Found::Spread(vec![left, right]) });
            }
        }
        step.kept = Some((lo, hi));
        steps.push(step);
    }
}

/// A search under way after its ends: the scenario followed, the change between the ends, the
/// last probe's halt, the steps so far.
type Started = (Scenario, CandidateChange, Option<Halt>, Vec<Step>);

/// The ends, measured first: the scenario to follow, the change between them, the probe's halt
/// and the step, or (as `Err`) how the bisection ends there (an end failed, no interval, no
/// change).
fn ends(
    count: usize,
    follow: Option<Scenario>,
    probe: &mut dyn FnMut(&[usize]) -> Result<Probed>,
) -> Result<Result<Started, Bisection>> {
    let (lo, hi) = (0, count - 1);
    let mut steps = Vec::new();
    let first = probe(&[lo, hi])?;
    let (walls, failed) = split(&first);
    let mut step = Step { probed: vec![lo, hi], changes: Vec::new(), failed: failed.clone(), kept: None };
    let scenario = follow.unwrap_or_else(|| largest_change(lo, hi, &walls));
    if let Some((candidate, reason)) = failed.into_iter().next() {
        steps.push(step);
        return Ok(Err(Bisection { scenario, total: None, steps, found: Found::EndFailed { candidate, reason } }));
    }
    let total = CandidateChange::between(lo, hi, scenario, &walls);
    step.changes.extend(total);
    let direction = total.map(|t| t.verdict);
    if direction == Some(Verdict::Unknown) {
        steps.push(step);
        let found = Found::Unfinished { between: (lo, hi), why: first.halt.unwrap_or(Halt::NoInterval) };
        return Ok(Err(Bisection { scenario, total, steps, found }));
    }
    let Some(change) = total.filter(|_| matches!(direction, Some(Verdict::Faster | Verdict::Slower))) else {
        steps.push(step);
        let found = match first.halt {
            Some(why) if total.is_none() => Found::Unfinished { between: (lo, hi), why },
            _ => Found::NoChange,
        };
        return Ok(Err(Bisection { scenario, total, steps, found }));
    };
    step.kept = Some((lo, hi));
    steps.push(step);
    Ok(Ok((scenario, change, first.halt, steps)))
}

/// The scenario whose change from `lo` to `hi` is significant and largest (on the log scale);
/// the first one measured when none is significant.
fn largest_change(lo: usize, hi: usize, probed: &[(usize, &Samples)]) -> Scenario {
    let measured: Vec<Scenario> = probed.iter().flat_map(|(_, s)| s.keys().copied()).collect();
    let significant = measured.iter().filter_map(|s| CandidateChange::between(lo, hi, *s, probed).map(|c| (*s, c)));
    significant
        .filter(|(_, c)| matches!(c.verdict, Verdict::Faster | Verdict::Slower))
        .max_by(|(_, a), (_, b)| a.speedup.log_mean.abs().total_cmp(&b.speedup.log_mean.abs()))
        .map_or_else(|| measured.first().copied().unwrap_or(Scenario::Clean), |(s, _)| s)
}

/// The candidates of a probe that were measured, with their samples.
type MeasuredCandidates<'a> = Vec<(usize, &'a Samples)>;
/// The candidates of a probe that could not be, with why.
type Failed = Vec<(usize, String)>;

/// A probe's samples and its failures.
fn split(probed: &Probed) -> (MeasuredCandidates<'_>, Failed) {
    let mut walls = Vec::new();
    let mut failed = Vec::new();
    for (candidate, result) in &probed.results {
        match result {
            Ok(w) if w.values().any(|v| !v.is_empty()) => walls.push((*candidate, w)),
            Ok(_) => failed.push((*candidate, "no sample".to_string())),
            Err(reason) => failed.push((*candidate, reason.clone())),
        }
    }
    (walls, failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;

    /// The candidates of every probe, in order.
    type Seen = std::rc::Rc<std::cell::RefCell<Vec<Vec<usize>>>>;

    /// A probe of releases whose true build times are `truth`, each round with log-normal noise
    /// of `sigma` and a round effect (the machine's drift) shared by every release of the round.
    fn probe_of(
        truth: Vec<f64>,
        sigma: f64,
        rounds: usize,
        seed: u64,
    ) -> (impl FnMut(&[usize]) -> Result<Probed>, Seen) {
        let mut rng = Rng::new(seed);
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let log = seen.clone();
        let probe = move |candidates: &[usize]| {
            log.borrow_mut().push(candidates.to_vec());
            let drift: Vec<f64> = (0..rounds).map(|_| 0.7 + 0.6 * rng.uniform()).collect();
            let results = candidates
                .iter()
                .map(|c| {
                    let walls = (0..rounds).map(|r| (r, truth[*c] * drift[r] * rng.noise(sigma))).collect();
                    (*c, Ok(BTreeMap::from([(Scenario::Clean, walls)])))
                })
                .collect();
            Ok(Probed { results, halt: None })
        };
        (probe, seen)
    }

    /// Nine releases; from release `at` on, builds take half as long.
    fn step_at(at: usize, n: usize) -> Vec<f64> {
        (0..n).map(|i| if i >= at { 5.0 } else { 10.0 }).collect()
    }

    #[test]
    fn a_step_change_is_located_in_about_log2_n_plus_one_measured_releases() {
        for n in [2, 3, 5, 9, 17, 33] {
            for at in 1..n {
                let (mut probe, _) = probe_of(step_at(at, n), 0.03, 5, (n * 100 + at) as u64);
                let search = bisect(n, None, &mut probe).unwrap();
                let Found::Located(change) = search.found else { panic!("n {n}, at {at}: {:?}", search.found) };
                assert_eq!((change.from, change.to), (at - 1, at), "n {n}");
                assert_eq!(change.verdict, Verdict::Faster);
                let bound = (n as f64).log2().ceil() as usize + 2;
                assert!(search.measured().len() <= bound, "n {n}, at {at}: {:?}", search.measured());
            }
        }
    }

    #[test]
    fn a_slowdown_is_located_as_well() {
        let truth: Vec<f64> = step_at(6, 9).into_iter().map(|t| 50.0 / t).collect();
        let (mut probe, _) = probe_of(truth, 0.03, 5, 7);
        let search = bisect(9, None, &mut probe).unwrap();
        let Found::Located(change) = search.found else { panic!("{:?}", search.found) };
        assert_eq!((change.from, change.to, change.verdict), (5, 6, Verdict::Slower));
    }

    #[test]
    fn a_change_spread_evenly_is_reported_as_spread() {
        let mut spread = 0;
        for seed in 0..50 {
            // Each of eight steps is 10% faster: 2.1x over the span.
            let truth: Vec<f64> = (0..9).map(|i| 10.0 / 1.1f64.powi(i)).collect();
            let (mut probe, _) = probe_of(truth, 0.03, 5, seed);
            let search = bisect(9, None, &mut probe).unwrap();
            if let Found::Spread(parts) = &search.found {
                let total = search.total.unwrap();
                let most = parts.iter().map(|p| p.share_of(&total)).fold(0.0, f64::max);
                assert!((0.35..0.65).contains(&most), "{most}");
                spread += 1;
            }
        }
        assert!(spread >= 48, "spread in {spread} of 50");
    }

    #[test]
    fn pure_noise_is_no_change() {
        let mut changes = 0;
        for seed in 0..200 {
            let (mut probe, seen) = probe_of(vec![10.0; 9], 0.05, 5, seed);
            let search = bisect(9, None, &mut probe).unwrap();
            match search.found {
                Found::NoChange => assert_eq!(seen.borrow().len(), 1, "only the ends measured"),
                _ => changes += 1,
            }
        }
        // The verdict's false alarms are at most 5%, fewer with the 1% noise band.
        assert!(changes <= 10, "a change found in {changes} of 200 noise-only searches");
    }

    #[test]
    fn a_release_that_cannot_build_is_skipped_with_its_reason_and_the_search_goes_on() {
        let (mut inner, _) = probe_of(step_at(3, 9), 0.03, 5, 11);
        let mut probe = |candidates: &[usize]| {
            let mut probed = inner(candidates)?;
            for (c, result) in &mut probed.results {
                if *c == 4 {
                    *result = Err("error[E0658]: use of unstable library feature".into());
                }
            }
            Ok(probed)
        };
        let search = bisect(9, None, &mut probe).unwrap();
        let Found::Located(change) = search.found else { panic!("{:?}", search.found) };
        assert_eq!((change.from, change.to), (2, 3));
        let failed: Vec<&(usize, String)> = search.steps.iter().flat_map(|s| &s.failed).collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].0, 4);
        assert!(!search.steps.iter().any(|s| s.kept.is_some_and(|(lo, hi)| lo == 4 || hi == 4)));
    }

    #[test]
    fn an_end_that_cannot_build_ends_the_search_with_its_reason() {
        let mut probe = |candidates: &[usize]| {
            let samples = || BTreeMap::from([(Scenario::Clean, vec![(0, 1.0)])]);
            let results = candidates.iter().map(|c| (*c, if *c == 0 { Err("too old".into()) } else { Ok(samples()) }));
            Ok(Probed { results: results.collect(), halt: None })
        };
        let search = bisect(5, None, &mut probe).unwrap();
        assert_eq!(search.found, Found::EndFailed { candidate: 0, reason: "too old".into() });
    }

    #[test]
    fn a_spent_budget_ends_with_the_span_so_far() {
        let (mut inner, seen) = probe_of(step_at(7, 9), 0.03, 5, 3);
        let mut probe = |candidates: &[usize]| {
            let mut probed = inner(candidates)?;
            if candidates.len() == 3 {
                probed.halt = Some(Halt::Budget);
            }
            Ok(probed)
        };
        let search = bisect(9, None, &mut probe).unwrap();
        assert_eq!(search.found, Found::Unfinished { between: (4, 8), why: Halt::Budget });
        assert_eq!(seen.borrow().len(), 2, "no probe after the budget");
    }

    #[test]
    fn the_scenario_that_changed_most_is_followed_unless_one_is_asked_for() {
        // Clean builds 10% faster at release 2, touched rebuilds twice as fast at release 6.
        let mut rng = Rng::new(5);
        let mut probe = |candidates: &[usize]| {
            let results = candidates.iter().map(|c| {
                let clean = if *c >= 2 { 9.0 } else { 10.0 };
                let touched = if *c >= 6 { 0.5 } else { 1.0 };
                let walls = |t: f64, rng: &mut Rng| (0..5).map(|r| (r, t * rng.noise(0.01))).collect();
                let samples = BTreeMap::from([
                    (Scenario::Clean, walls(clean, &mut rng)),
                    (Scenario::Touched, walls(touched, &mut rng)),
                ]);
                (*c, Ok(samples))
            });
            Ok(Probed { results: results.collect(), halt: None })
        };
        let search = bisect(9, None, &mut probe).unwrap();
        assert_eq!(search.scenario, Scenario::Touched);
        assert!(matches!(search.found, Found::Located(c) if (c.from, c.to) == (5, 6)), "{:?}", search.found);
        let search = bisect(9, Some(Scenario::Clean), &mut probe).unwrap();
        assert!(matches!(search.found, Found::Located(c) if (c.from, c.to) == (1, 2)), "{:?}", search.found);
    }

    #[test]
    fn one_round_decides_nothing() {
        let (mut probe, seen) = probe_of(step_at(4, 9), 0.03, 1, 9);
        let search = bisect(9, None, &mut probe).unwrap();
        assert_eq!(search.found, Found::Unfinished { between: (0, 8), why: Halt::NoInterval });
        assert_eq!(seen.borrow().len(), 1);
    }
}
