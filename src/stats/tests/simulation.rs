//! The engine's stopping rule on [`speedups`] (the rounds as blocks), simulated over many runs
//! with known noise, drift and outliers: coverage and bias of every speedup, and how often the
//! pooled variance is given up for the pairs' own.
//!
//! The rule is the engine's (`engine::next_round`, `imprecise`, `watched`): every toolchain
//! builds in each of the first [`MIN`] rounds, in the rotating order of `round_order`; after that
//! a round builds the toolchains whose speedup's interval (at [`STOPPING_CONFIDENCE`]) is still
//! wider than the target (±5 % for clean builds, ±3 % for rebuilds), with the base, until none
//! is or the most rounds (30, 80) have run. The report shows
//! the same [`speedups`] at the same level.

use super::{SPEEDUP, paired_rounds, rate};
use crate::measure::engine::Precision;
use crate::measure::schedule::round_order;
use crate::stats::*;
use crate::testing::Rng;
use crate::vocab::Scenario;

/// The engine's least rounds ([`Precision::DEFAULT`]); its targets and most rounds are
/// [`Machine::limits`].
const MIN: usize = Precision::DEFAULT.min_rounds;

/// One machine to simulate: how each toolchain's builds vary and how the machine misbehaves.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    /// Each toolchain's log sd of one build (its count is the number of toolchains).
    pub(crate) sigmas: Vec<f64>,
    /// The relative slowdown from the first build to the build after 10 rounds (linear; 0.2 is
    /// 20 % slower after 10 rounds, 60 % after 30).
    pub(crate) drift: f64,
    /// The share of builds slowed by [`OUTLIER`] (a background job).
    pub(crate) outliers: f64,
    /// Whether the scenario is a rebuild, stopped by the rebuilds' target and most rounds
    /// (±3 %, 80) rather than a clean build's (±5 %, 30).
    pub(crate) rebuild: bool,
}

impl Machine {
    /// The target and most rounds the engine stops this machine's scenario at.
    fn limits(&self) -> (f64, usize) {
        let scenario = if self.rebuild { Scenario::Touched } else { Scenario::Clean };
        (Precision::DEFAULT.target_of(scenario), Precision::DEFAULT.max_rounds_of(scenario))
    }
}

/// How much slower an outlier build is.
const OUTLIER: f64 = 3.0;

/// What one simulated run ended with.
pub(crate) struct Ended {
    /// Each toolchain's speedup over toolchain 0 (`None` at 0).
    pub(crate) speedups: Vec<Option<Estimate>>,
    /// The true speedups.
    pub(crate) truth: Vec<f64>,
    /// Rounds run.
    pub(crate) rounds: usize,
}

/// One run of the rule on `machine`: toolchain `c` is `1 + 0.1 c` times faster than toolchain 0.
pub(crate) fn run(rng: &mut Rng, machine: &Machine) -> Ended {
    run_with(rng, machine, speedups)
}

/// The old rule: each speedup from its own pair alone.
fn per_pair(series: &[Vec<(usize, f64)>], base: usize, confidence: f64) -> Vec<Option<Estimate>> {
    (0..series.len())
        .map(|j| {
            let pairs: Vec<(f64, f64)> = series[base]
                .iter()
                .filter_map(|(r, b)| series[j].iter().find(|(o, _)| o == r).map(|(_, y)| (*b, *y)))
                .collect();
            (j != base).then(|| paired_speedup_at(&pairs, confidence)).flatten()
        })
        .collect()
}

/// A way to estimate a scenario's speedups: [`speedups`] or [`per_pair`].
type Rule = fn(&[Vec<(usize, f64)>], usize, f64) -> Vec<Option<Estimate>>;

/// [`run`] with `rule` in place of [`speedups`].
fn run_with(rng: &mut Rng, machine: &Machine, rule: Rule) -> Ended {
    let k = machine.sigmas.len();
    let truth: Vec<f64> = (0..k).map(|c| 1.0 + 0.1 * c as f64).collect();
    let mut series: Vec<Vec<(usize, f64)>> = vec![Vec::new(); k];
    let mut slot = 0usize;
    let mut wanted: Vec<usize> = (0..k).collect();
    let mut round = 0;
    let (target, max) = machine.limits();
    loop {
        let order = round_order(wanted.len(), round);
        for i in order {
            let c = wanted[i];
            let drift = 1.0 + machine.drift * slot as f64 / (10 * k) as f64;
            let outlier = if rng.uniform() < machine.outliers { OUTLIER } else { 1.0 };
            series[c].push((round, 60.0 / truth[c] * drift * outlier * rng.noise(machine.sigmas[c])));
            slot += 1;
        }
        round += 1;
        let speedups = rule(&series, 0, STOPPING_CONFIDENCE);
        let imprecise: Vec<usize> =
            (1..k).filter(|c| speedups[*c].and_then(|e| e.relative_half_width()).is_none_or(|w| w > target)).collect();
        if round >= max || (round >= MIN && imprecise.is_empty()) {
            return Ended { speedups, truth, rounds: round };
        }
        wanted = if round < MIN { (0..k).collect() } else { std::iter::once(0).chain(imprecise).collect() };
    }
}

/// Coverage and bias over `runs` runs of one machine.
pub(crate) struct Figures {
    /// Per speedup (toolchain 1..k), the share of runs whose interval held the truth.
    pub(crate) coverage: Vec<f64>,
    /// Per speedup, the mean log error of the point.
    pub(crate) bias: Vec<f64>,
    /// Mean rounds.
    pub(crate) rounds: f64,
    /// Share of the speedups that ended on their pair's own interval rather than the pooled one.
    pub(crate) own: f64,
}

/// Simulates `runs` runs of `machine` from `seed`.
pub(crate) fn figures(seed: u64, machine: &Machine, runs: usize) -> Figures {
    let mut rng = Rng::new(seed);
    let k = machine.sigmas.len();
    let (mut covered, mut error) = (vec![0usize; k - 1], vec![0.0; k - 1]);
    let (mut rounds, mut own) = (0, 0);
    for _ in 0..runs {
        let ended = run(&mut rng, machine);
        for c in 1..k {
            let e = ended.speedups[c].expect("every toolchain built");
            covered[c - 1] += usize::from(e.contains(ended.truth[c]));
            error[c - 1] += e.log_mean - ended.truth[c].ln();
            own += usize::from(e.df == Some((e.n - 1) as f64));
        }
        rounds += ended.rounds;
    }
    let share = |x: usize| x as f64 / runs as f64;
    Figures {
        coverage: covered.into_iter().map(share).collect(),
        bias: error.into_iter().map(|e| e / runs as f64).collect(),
        rounds: share(rounds),
        own: share(own) / (k - 1) as f64,
    }
}

/// The machines of the issue: equal noise (clean builds' 2 % and rebuilds' 5 % per build),
/// one toolchain twice as noisy, then each with a 20 % drift over ten rounds and with 3 % of
/// builds 3× slower; each under the clean builds' rule and under the rebuilds'.
pub(crate) fn machines(k: usize) -> Vec<(String, Machine)> {
    let equal = |s: f64| vec![s; k];
    let noisy_one = |s: f64| (0..k).map(|c| if c == k - 1 { 2.0 * s } else { s }).collect::<Vec<_>>();
    let mut out = Vec::new();
    for rebuild in [false, true] {
        let rule = if rebuild { "rebuilds ±3 %" } else { "clean ±5 %" };
        for (name, sigmas) in
            [("equal 2 %", equal(0.02)), ("equal 5 %", equal(0.05)), ("one 2x noisier", noisy_one(0.03))]
        {
            let machine = |drift, outliers| Machine { sigmas: sigmas.clone(), drift, outliers, rebuild };
            out.push((format!("{rule}, {name}"), machine(0.0, 0.0)));
            out.push((format!("{rule}, {name}, drift 20 %"), machine(0.2, 0.0)));
            out.push((format!("{rule}, {name}, 3 % outliers"), machine(0.0, 0.03)));
        }
    }
    out
}

/// The Monte Carlo standard error of a 95 % coverage from `runs` runs.
fn monte_carlo_error(runs: usize) -> f64 {
    (0.95 * 0.05 / runs as f64).sqrt()
}

/// Runs every machine of [`machines`] for each count of `toolchains`, prints the figures, and
/// asserts every speedup's coverage is at least 94.5 % (less `slack` Monte Carlo errors) and its
/// mean log error under 1 %.
fn check(runs: usize, toolchains: &[usize], seed: u64, slack: f64) {
    let se = monte_carlo_error(runs);
    for &k in toolchains {
        for (i, (name, machine)) in machines(k).into_iter().enumerate() {
            let f = figures(seed + 100 * k as u64 + i as u64, &machine, runs);
            let worst = f.coverage.iter().copied().fold(1.0, f64::min);
            let bias = f.bias.iter().copied().fold(0.0, |a: f64, b| a.max(b.abs()));
            eprintln!(
                "k {k}, {name}: coverage {} (worst {:.1} % ± {:.1}), |bias| ≤ {:.2} %, {:.1} rounds, own interval in {:.0} %",
                f.coverage.iter().map(|c| format!("{:.1}", 100.0 * c)).collect::<Vec<_>>().join(" "),
                100.0 * worst,
                100.0 * se,
                100.0 * bias,
                f.rounds,
                100.0 * f.own
            );
            assert!(
                worst >= 0.945 - slack * se,
                "k {k}, {name}: a speedup covered {:.1} %, under 94.5 % by more than {slack} Monte Carlo errors \
                 (±{:.1} over {runs} runs)",
                100.0 * worst,
                100.0 * se
            );
            assert!(bias < 0.01, "k {k}, {name}: a speedup's mean log error is {bias}");
        }
    }
}

#[test]
fn speedups_with_rounds_as_blocks_keep_their_95_percent_when_stopping() {
    // 400 runs per setting: a coverage's Monte Carlo error is ±1.1 points. The worst speedup of
    // 18 settings is the minimum of many estimates, so it may sit up to two errors under a true
    // 94.5 %; the full grid below holds the bar itself.
    check(400, &[3, 6], 4000, 2.0);
}

// The full grid, one test per count of toolchains so each finishes within about a minute in
// debug; 2000 runs per setting: ±0.5 points, and the bar itself, 94.5 %.

#[test]
#[ignore = "2000 runs per setting, at most about 35 s in debug: CI runs it with --include-ignored"]
fn speedups_of_2_toolchains_keep_their_95_percent() {
    check(2000, &[2], 5000, 0.0);
}

#[test]
#[ignore = "2000 runs per setting, at most about 35 s in debug: CI runs it with --include-ignored"]
fn speedups_of_3_toolchains_keep_their_95_percent() {
    check(2000, &[3], 5000, 0.0);
}

#[test]
#[ignore = "2000 runs per setting, at most about 35 s in debug: CI runs it with --include-ignored"]
fn speedups_of_4_toolchains_keep_their_95_percent() {
    check(2000, &[4], 5000, 0.0);
}

#[test]
#[ignore = "2000 runs per setting, at most about 35 s in debug: CI runs it with --include-ignored"]
fn speedups_of_5_toolchains_keep_their_95_percent() {
    check(2000, &[5], 5000, 0.0);
}

#[test]
#[ignore = "2000 runs per setting, at most about 35 s in debug: CI runs it with --include-ignored"]
fn speedups_of_6_toolchains_keep_their_95_percent() {
    check(2000, &[6], 5000, 0.0);
}

/// Rounds added until the paired interval the stopping rule watches is within `target`
/// (after `min` rounds, at most `max`), as the engine adds them (`engine::imprecise`, on
/// [`paired_speedup_at`] at [`STOPPING_CONFIDENCE`]); the estimate reported and its rounds.
fn stopped_at_precision(rng: &mut Rng, target: f64, min: usize, max: usize, sigma: f64) -> (Estimate, usize) {
    let mut pairs = paired_rounds(rng, min, SPEEDUP, sigma);
    loop {
        let e = paired_speedup_at(&pairs, STOPPING_CONFIDENCE).expect("valid");
        if pairs.len() >= max || e.relative_half_width().is_some_and(|w| w <= target) {
            return (e, pairs.len());
        }
        pairs.extend(paired_rounds(rng, 1, SPEEDUP, sigma));
    }
}

/// Monte Carlo runs per setting of the stopping-rule simulation: the standard error of a
/// 95 % coverage is then 0.28 points.
const STOP_RUNS: usize = 6000;

#[test]
fn stopping_at_the_precision_keeps_its_95_percent() {
    // Stopping at the first round whose interval is narrow enough favours rounds whose spread
    // was small by luck: with the plain 95 % quantile the interval covered 92-95 % overall and
    // 48-88 % of the runs that stopped at the minimum. The engine watches and reports the
    // interval at STOPPING_CONFIDENCE instead. Coverage depends only on the ratio of the
    // paired noise to ln(1 + target); it must hold at least 95 % (less three Monte Carlo
    // standard errors) at every ratio from 0.2 to 8, with the engine's rounds (5 to 30 for clean
    // builds at ±5 %, 5 to 80 for rebuilds at ±3 %) and with a budget that cuts the rounds
    // short (any maximum from 5 on).
    let p = Precision::DEFAULT;
    let se = (0.95 * 0.05 / STOP_RUNS as f64).sqrt();
    let mut worst = (1.0, 0.0, 0);
    let ratios = [0.2, 0.3, 0.5, 0.7, 1.0, 1.4, 1.7, 2.0, 2.5, 2.8, 4.0, 5.7, 8.0];
    for (target, most) in [(p.target, p.max_rounds), (p.rebuild_target, p.max_rebuild_rounds)] {
        for (i, ratio) in ratios.iter().enumerate() {
            // The paired sd is √2 × a build's log sd.
            let sigma = ratio * (1.0 + target).ln() / 2f64.sqrt();
            let mut maxes = vec![most, 30, 12, 5];
            maxes.dedup();
            for max in maxes {
                let mut rng = Rng::new(960 + 3 * i as u64 + max as u64 + most as u64);
                let (mut covered, mut rounds) = (0, 0);
                for _ in 0..STOP_RUNS {
                    let (e, n) = stopped_at_precision(&mut rng, target, p.min_rounds, max, sigma);
                    covered += usize::from(e.contains(SPEEDUP));
                    rounds += n;
                }
                let coverage = rate(covered, STOP_RUNS);
                if max == most {
                    eprintln!(
                        "stopping at ±{:.0} % (at most {most} rounds), paired sd / ln(1 + target) = {ratio}: \
                         coverage {:.1} % (±{:.1}), {:.1} rounds",
                        100.0 * target,
                        100.0 * coverage,
                        100.0 * se,
                        rounds as f64 / STOP_RUNS as f64
                    );
                }
                if coverage < worst.0 {
                    worst = (coverage, *ratio, max);
                }
                assert!(coverage >= 0.95 - 3.0 * se, "ratio {ratio}, at most {max} rounds: {coverage}");
            }
        }
    }
    eprintln!("worst coverage {:.2} % at ratio {}, at most {} rounds", 100.0 * worst.0, worst.1, worst.2);
}

/// The gate's real rule (`engine::imprecise` with `gate_pct`): after the minimum of 5 rounds,
/// rounds of a tree-against-revision pair are added while its interval (at
/// [`STOPPING_CONFIDENCE`]) is wider than the scenario's target (±5 % for clean builds, ±3 %
/// for rebuilds) or the gate has not decided it, at most `max`. Returns how the gate ended for a
/// true slowdown `slowdown` (now / then) at paired noise `sigma` (of the log ratio), against a
/// `limit_pct` limit.
fn gate_run(rng: &mut Rng, slowdown: f64, sigma: f64, limit_pct: f64, (target, max): (f64, usize)) -> Gate {
    let build = sigma / 2f64.sqrt();
    let mut pairs = paired_rounds(rng, 5, 1.0 / slowdown, build);
    loop {
        let speedup = paired_speedup_at(&pairs, STOPPING_CONFIDENCE).expect("valid");
        let decided = gate(&paired_speedup_at(&pairs, GATE_CONFIDENCE).expect("valid").inverse(), limit_pct);
        let precise = speedup.relative_half_width().is_some_and(|w| w <= target);
        if pairs.len() >= max || (precise && decided != Gate::Undecided) {
            return decided;
        }
        pairs.extend(paired_rounds(rng, 1, 1.0 / slowdown, build));
    }
}

#[test]
fn the_gate_passes_an_unchanged_project_and_fails_a_30_percent_regression() {
    // Issue 29: within what rounds the rule gives it, the gate passes a project that did not
    // change and fails one 30 % slower, each in at least 95 % of runs, at the paired noise of
    // clean builds (2-5 %) and of rebuilds (up to 10 %). At the limit itself the rule looks
    // again every round, so a change of exactly +10 % is called regressed more often than a
    // single look's 1.3 %; the rate is measured here and stated in docs/gate.md.
    // A gate keeps the clean builds' rule for its rebuilds too (`Precision::for_a_gate`): with
    // the rebuilds' own, ±3 % or 80 rounds, a change exactly at the limit was called regressed in
    // 3.1 % of runs at paired noise 2 %, 80 looks being more than the gate's level allows for.
    let runs = 4000;
    let se = (0.95 * 0.05 / runs as f64).sqrt();
    let p = Precision::DEFAULT.for_a_gate();
    assert_eq!((p.rebuild_target, p.max_rebuild_rounds), (p.target, p.max_rounds));
    for (i, sigma) in [0.02, 0.05, 0.10].into_iter().enumerate() {
        let rule = (p.rebuild_target, p.max_rebuild_rounds);
        let mut rng = Rng::new(990 + i as u64);
        let rate_of = |rng: &mut Rng, slowdown: f64, outcome: Gate| {
            (0..runs).filter(|_| gate_run(rng, slowdown, sigma, 10.0, rule) == outcome).count() as f64 / runs as f64
        };
        let passed = rate_of(&mut rng, 1.0, Gate::Fine);
        let failed = rate_of(&mut rng, 1.3, Gate::Regressed);
        let at_limit = rate_of(&mut rng, 1.1, Gate::Regressed);
        eprintln!(
            "gate at paired sd {:.0} %: unchanged passes {:.1} %, +30 % fails {:.1} %, +10 % (at the limit) called regressed {:.1} %",
            sigma * 100.0,
            100.0 * passed,
            100.0 * failed,
            100.0 * at_limit
        );
        assert!(passed >= 0.95 - 3.0 * se, "sd {sigma}: {passed}");
        assert!(failed >= 0.95 - 3.0 * se, "sd {sigma}: {failed}");
        assert!(at_limit <= 0.025 + 3.0 * (0.025f64 * 0.975 / runs as f64).sqrt(), "sd {sigma}: {at_limit}");
    }
}

#[test]
fn the_plain_95_percent_quantile_loses_coverage_when_stopping() {
    // The reason for STOPPING_CONFIDENCE: the same rule on the 95 % quantile falls short at
    // the ratio where runs stop after 12-22 rounds. If this ever holds 95 %, the level can go.
    let sigma = 2.0 * 1.05f64.ln() / 2f64.sqrt();
    let mut rng = Rng::new(977);
    let mut covered = 0;
    for _ in 0..STOP_RUNS {
        let mut pairs = paired_rounds(&mut rng, 5, SPEEDUP, sigma);
        let e = loop {
            let e = paired_speedup(&pairs).expect("valid");
            if pairs.len() >= 30 || e.relative_half_width().is_some_and(|w| w <= 0.05) {
                break e;
            }
            pairs.extend(paired_rounds(&mut rng, 1, SPEEDUP, sigma));
        };
        covered += usize::from(e.contains(SPEEDUP));
    }
    let coverage = rate(covered, STOP_RUNS);
    eprintln!("stopping on the plain 95 % quantile at ratio 2: coverage {:.1} %", 100.0 * coverage);
    assert!(coverage < 0.94, "{coverage}");
}

#[test]
fn the_gate_decides_within_a_default_budget() {
    // A project whose clean build takes a minute, built by one toolchain against the
    // `--baseline-rev` revision: the default 20 minutes hold about 8 rounds of both after the
    // first round's priming. At the paired noise of such clean builds (2.4-3.5 %) the gate passes
    // an unchanged project and fails a 30 % slower one in at least 95 % of runs each. At 5 % it
    // cannot: 8 rounds leave an unchanged project undecided (an exit code of its own, with the
    // budget that would decide it) in about 15 % of runs; docs/gate.md says so.
    let runs = 2000;
    let se = monte_carlo_error(runs);
    for (i, sigma) in [0.024, 0.035, 0.05].into_iter().enumerate() {
        let mut rng = Rng::new(880 + i as u64);
        let mut rate_of = |slowdown: f64, outcome: Gate| {
            (0..runs).filter(|_| gate_run(&mut rng, slowdown, sigma, 10.0, (0.05, 8)) == outcome).count() as f64
                / runs as f64
        };
        let (passed, failed) = (rate_of(1.0, Gate::Fine), rate_of(1.3, Gate::Regressed));
        eprintln!(
            "gate in 8 rounds at paired sd {:.1} %: unchanged passes {:.1} %, +30 % fails {:.1} % (± {:.1})",
            100.0 * sigma,
            100.0 * passed,
            100.0 * failed,
            100.0 * se
        );
        let message = format!("Monte Carlo error ±{:.1} points over {runs} runs", 100.0 * se);
        assert!(failed >= 0.95, "sd {sigma}: +30 % failed {failed}; {message}");
        if sigma < 0.04 {
            assert!(passed >= 0.95, "sd {sigma}: unchanged passed {passed}; {message}");
        } else {
            assert!((0.75..0.95).contains(&passed), "sd {sigma}: unchanged passed {passed}; {message}");
        }
    }
}

#[test]
fn rounds_as_blocks_narrow_a_run_the_budget_cut_short() {
    // A 60 s project's clean builds under 6 toolchains: the default budget holds 2 or 3 rounds.
    // At a paired noise of 2.4 % the pair alone gave about ±16 % at 2 rounds; the blocks give a
    // third of it in the median run, and both keep their 95 % (no stopping: fixed rounds).
    let (k, runs) = (6, 2000);
    let se = monte_carlo_error(runs);
    for n in [2usize, 3] {
        let mut rng = Rng::new(78 + n as u64);
        let (mut blocks, mut pairs, mut covered) = (vec![], vec![], 0);
        for _ in 0..runs {
            let series: Vec<Vec<(usize, f64)>> = (0..k)
                .map(|c| (0..n).map(|r| (r, 60.0 / (1.0 + 0.1 * c as f64) * rng.noise(0.017))).collect())
                .collect();
            let together = speedups(&series, 0, CONFIDENCE)[k - 1].expect("a speedup");
            let alone = per_pair(&series, 0, CONFIDENCE)[k - 1].expect("a speedup");
            covered += usize::from(together.contains(1.5));
            blocks.push(together.relative_half_width().expect("an interval"));
            pairs.push(alone.relative_half_width().expect("an interval"));
        }
        let (blocks, pairs) = (median(&blocks).expect("widths"), median(&pairs).expect("widths"));
        let coverage = rate(covered, runs);
        eprintln!(
            "{n} rounds of 6: median ±{:.1} % with blocks, ±{:.1} % per pair; coverage {:.1} % (±{:.1})",
            100.0 * blocks,
            100.0 * pairs,
            100.0 * coverage,
            100.0 * se
        );
        assert!(blocks < 0.75 * pairs, "{n} rounds: ±{blocks} against ±{pairs}");
        assert!(coverage >= 0.945, "{n} rounds: {coverage} (Monte Carlo error ±{se} over {runs} runs)");
    }
}

#[test]
fn under_the_precision_rule_the_blocks_cost_the_rounds_the_pairs_did() {
    // The precision rule needs 5 rounds, where a pair alone already has 4 df: the blocks then
    // take about the rounds the pairs alone took (within one round on average), and cover as well.
    let runs = 300;
    for (name, machine) in machines(6).into_iter().filter(|(name, _)| !name.contains("outliers")) {
        let mut mean_rounds = [0.0; 2];
        for (i, rule) in [speedups as Rule, per_pair].into_iter().enumerate() {
            let mut rng = Rng::new(77);
            mean_rounds[i] =
                (0..runs).map(|_| run_with(&mut rng, &machine, rule).rounds).sum::<usize>() as f64 / runs as f64;
        }
        eprintln!("6 toolchains, {name}: {:.1} rounds with blocks, {:.1} per pair", mean_rounds[0], mean_rounds[1]);
        assert!((mean_rounds[0] - mean_rounds[1]).abs() <= 1.0, "{name}: {mean_rounds:?}");
    }
}

/// One run's per-round log ratios of a pair: within-round noise `sigma` (of the ratio) around a
/// slow component that wanders as an Ornstein-Uhlenbeck process of sd `tau` and correlation
/// time `rounds` rounds, started afresh (from its stationary law) for each run.
fn wandering_run(rng: &mut Rng, n: usize, sigma: f64, tau: f64, rounds: f64) -> Vec<f64> {
    let a = (-1.0 / rounds).exp();
    let mut slow = tau * rng.normal();
    (0..n)
        .map(|_| {
            slow = a * slow + tau * (1.0 - a * a).sqrt() * rng.normal();
            slow + sigma * rng.normal()
        })
        .collect()
}

#[test]
fn the_halves_of_one_run_cannot_predict_a_rerun() {
    // The design of docs/statistics.md ("What the interval covers"), simulated: two runs of 10
    // rounds; the prediction interval for the second run's point from the first,
    // point ± t(n - 1) · √(2 se² + 2 τ̂²) with τ̂² from the first run's halves, against the plain
    // point ± t · √2 se. With no slow component it holds 95 % at a third more width; with one it
    // falls far short (54-85 %): one difference of halves is one degree of freedom, and it sees
    // only what moves within the run. Not used by the report; if a better estimate replaces the
    // halves, this test says what it must beat.
    let (n, runs, sigma) = (10, 4000, 0.03);
    let t = t_quantile(0.975, (n - 1) as f64);
    let se = monte_carlo_error(runs);
    for (tau, rounds) in [(0.0, 1.0), (0.02, 5.0), (0.02, 20.0), (0.04, 10.0), (0.04, 50.0)] {
        let mut rng = Rng::new(4242);
        let (mut with, mut plain, mut width_with, mut width_plain) = (0, 0, 0.0, 0.0);
        for _ in 0..runs {
            let first = wandering_run(&mut rng, n, sigma, tau, rounds);
            let second = wandering_run(&mut rng, n, sigma, tau, rounds);
            let (m1, v1) = mean_and_variance(&first).expect("rounds");
            let m2 = mean_and_variance(&second).expect("rounds").0;
            let se2 = v1.expect("rounds") / n as f64;
            let slow = crate::stats::blocks::slow_variance(&first).expect("rounds");
            let (h_with, h_plain) = (t * (2.0 * se2 + 2.0 * slow).sqrt(), t * (2.0 * se2).sqrt());
            with += usize::from((m2 - m1).abs() <= h_with);
            plain += usize::from((m2 - m1).abs() <= h_plain);
            width_with += h_with / runs as f64;
            width_plain += h_plain / runs as f64;
        }
        eprintln!(
            "slow sd {:.0} %, correlation {rounds} rounds: rerun covered {:.1} % (±{:.1}) with the halves' τ̂², \
             {:.1} % without; mean half-width ±{:.2} % against ±{:.2} %",
            100.0 * tau,
            100.0 * rate(with, runs),
            100.0 * monte_carlo_error(runs),
            100.0 * rate(plain, runs),
            100.0 * width_with,
            100.0 * width_plain
        );
        if tau == 0.0 {
            assert!(rate(with, runs) >= 0.95 - 2.0 * se && width_with > 1.2 * width_plain, "{with} {width_with}");
        } else {
            assert!(rate(with, runs) < 0.9 && rate(with, runs) > rate(plain, runs), "tau {tau}: {with} vs {plain}");
        }
    }
}
