use super::*;
use crate::measure::schedule::round_order;

use crate::testing::Rng;
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::f64::consts::PI;

/// Simulated repetitions per statistical test.
pub(crate) const RUNS: usize = 2000;
/// Log-normal noise on each build time.
const SIGMA: f64 = 0.05;
/// The true speedup in the coverage simulations.
pub(crate) const SPEEDUP: f64 = 1.25;
/// The baseline's build time (seconds); irrelevant to ratios, but keeps numbers realistic.
const BASE: f64 = 40.0;

/// The Student t distribution function `P(T ≤ t)` from `statrs`, the check that [`t_quantile`]
/// inverts it.
fn t_cdf(t: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).expect("df > 0").cdf(t)
}

/// Whether `a` is within `rel` (relative) of `b`.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

/// Asserts [`close`], with both values in the message.
#[track_caller]
fn assert_close(actual: f64, expected: f64, rel: f64) {
    assert!(close(actual, expected, rel), "{actual} is not within {rel:e} (relative) of {expected}");
}

/// `rounds` paired rounds of a baseline and a build `speedup` times faster, σ noise on each.
pub(crate) fn paired_rounds(rng: &mut Rng, rounds: usize, speedup: f64, sigma: f64) -> Vec<(f64, f64)> {
    (0..rounds).map(|_| (BASE * rng.noise(sigma), BASE / speedup * rng.noise(sigma))).collect()
}

/// `n` build times with median `BASE / speedup` and σ noise.
fn times(rng: &mut Rng, n: usize, speedup: f64, sigma: f64) -> Vec<f64> {
    (0..n).map(|_| BASE / speedup * rng.noise(sigma)).collect()
}

/// `hits / runs` as a fraction.
pub(crate) fn rate(hits: usize, runs: usize) -> f64 {
    hits as f64 / runs as f64
}

/// A hand-made estimate with the given point and interval (log fields derived).
fn estimate(point: f64, interval: Option<(f64, f64)>) -> Estimate {
    Estimate {
        point,
        interval: interval.map(|(lower, upper)| Interval { lower, upper }),
        n: if interval.is_some() { 5 } else { 1 },
        log_mean: point.ln(),
        log_se: interval.map(|(lower, upper)| (upper / lower).ln() / 2.0 / t_quantile(0.975, 4.0)),
        df: interval.map(|_| 4.0),
    }
}

// -----------------------------------------------------------------------------------------
// The t distribution.
// -----------------------------------------------------------------------------------------

#[test]
fn t_quantile_matches_tables() {
    let table = [
        (0.975, 1.0, 12.706_204_736),
        (0.975, 2.0, 4.302_652_730),
        (0.975, 3.0, 3.182_446_305),
        (0.975, 4.0, 2.776_445_105),
        (0.975, 9.0, 2.262_157_163),
        (0.975, 29.0, 2.045_229_642),
        (0.975, 1000.0, 1.962_339_081),
        (0.995, 5.0, 4.032_142_984),
        (0.9, 10.0, 1.372_183_641),
        (0.975, f64::INFINITY, 1.959_963_985),
        (0.995, f64::INFINITY, 2.575_829_304),
    ];
    for (p, df, expected) in table {
        let t = t_quantile(p, df);
        assert!(close(t, expected, 1e-9), "t({p}, {df}) = {t}, expected {expected}");
    }
}

#[test]
fn t_quantile_tends_to_the_normal_quantile() {
    let z = 1.959_963_984_540_054;
    for df in [1e5, 1e6, 1e7, 1e9, 1e12, 1e300] {
        let t = t_quantile(0.975, df);
        assert!(t >= z * (1.0 - 1e-15) && t - z < 4.0 / df + 1e-15, "df {df}: {t}");
    }
    assert_close(t_quantile(0.975, 1e6), z + (z * z * z + z) / 4e6, 1e-10);
}

#[test]
fn t_quantile_is_antisymmetric_and_monotone() {
    for df in [0.4, 1.0, 1.7, 2.0, 3.0, 4.5, 12.0, 250.0, 1e8, f64::INFINITY] {
        let mut previous = f64::NEG_INFINITY;
        for p in [1e-4, 0.001, 0.025, 0.2, 0.4999, 0.5, 0.5001, 0.8, 0.975, 0.999, 1.0 - 1e-4] {
            let t = t_quantile(p, df);
            assert!(t > previous, "df {df}, p {p}: {t} after {previous}");
            previous = t;
        }
        for p in [1e-4, 0.001, 0.025, 0.2, 0.4999, 0.5] {
            // `upper` is 1 - p rounded; `lower` is exactly 1 - upper.
            let upper = 1.0 - p;
            let lower = 1.0 - upper;
            let (t, mirrored) = (t_quantile(lower, df), t_quantile(upper, df));
            assert!(close(-mirrored, t, 1e-12) || t == 0.0 && mirrored == 0.0, "df {df}, p {p}: {t} vs {mirrored}");
        }
    }
    // More degrees of freedom, thinner tails, smaller quantiles; fractional df in between.
    let ladder: Vec<f64> = [1.0, 1.5, 2.0, 2.5, 3.0, 7.3, 30.0, 1e3].iter().map(|&df| t_quantile(0.975, df)).collect();
    assert!(ladder.windows(2).all(|w| w[0] > w[1]), "{ladder:?}");
}

#[test]
fn t_cdf_matches_closed_forms() {
    for t in [-30.0, -4.0, -1.0, -0.3, 0.0, 0.2, 1.0, 2.5, 12.0, 1e6] {
        let cauchy = 0.5 + f64::atan(t) / PI;
        assert!((t_cdf(t, 1.0) - cauchy).abs() < 1e-14, "df 1, t {t}");
        let two = 0.5 + t / (2.0 * (2.0 + t * t).sqrt());
        assert!((t_cdf(t, 2.0) - two).abs() < 1e-14, "df 2, t {t}");
        let s = t / 3.0_f64.sqrt();
        let three = 0.5 + (s.atan() + s / (1.0 + s * s)) / PI;
        assert!((t_cdf(t, 3.0) - three).abs() < 1e-14, "df 3, t {t}");
    }
    assert_eq!(t_cdf(0.0, 5.0), 0.5);
    assert_eq!(t_cdf(f64::INFINITY, 5.0), 1.0);
    assert_eq!(t_cdf(f64::NEG_INFINITY, 5.0), 0.0);
    assert_close(t_cdf(1.959_963_984_540_054, f64::INFINITY), 0.975, 1e-11);
    // `statrs`' normal distribution function is good to about 1e-10.
    assert_close(t_cdf(-1.0, f64::INFINITY), 0.158_655_253_931_457_05, 1e-9);
}

#[test]
fn t_cdf_is_symmetric_and_inverts_t_quantile() {
    // Every df this module makes is at least 1 (a pair's n - 1, Welch's, their combinations).
    // Beyond 1e3 df `t_quantile` leaves `statrs` for the normal expansion, checked above.
    for df in [1.0, 1.5, 2.0, 2.7, 4.0, 9.5, 33.3, 999.0, f64::INFINITY] {
        for t in [0.01, 0.5, 1.96, 3.0, 7.0] {
            assert!((t_cdf(-t, df) - (1.0 - t_cdf(t, df))).abs() < 1e-14, "df {df}, t {t}");
        }
        for p in [1e-4, 0.01, 0.025, 0.3, 0.6, 0.9, 0.975] {
            let back = t_cdf(t_quantile(p, df), df);
            assert!(close(back, p, 1e-9), "df {df}, p {p}: {back}");
        }
    }
}

#[test]
fn extreme_quantiles_invert() {
    for df in [1.0, 1.000_001, 1.5, 2.5, 3.0, 30.0, 999.0] {
        let t = t_quantile(1e-4, df);
        assert!(t.is_finite() && close(t_cdf(t, df), 1e-4, 1e-9), "df {df}: {t}");
    }
    // Farther out `statrs` is rough and may panic: the quantile says it has no answer instead.
    assert!(t_quantile(1e-300, 3.0).is_nan());
    assert!(t_quantile(1.0 - 1e-5, 3.0).is_nan());
}

#[test]
fn t_functions_reject_nonsense_without_panicking() {
    for (p, df) in [(f64::NAN, 3.0), (-0.1, 3.0), (1.1, 3.0), (0.9, 0.0), (0.9, -1.0), (0.9, f64::NAN)] {
        assert!(t_quantile(p, df).is_nan(), "t_quantile({p}, {df})");
    }
    assert_eq!(t_quantile(0.0, 3.0), f64::NEG_INFINITY);
    assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
    assert_eq!(t_quantile(0.5, 3.0), 0.0);
    // Extreme but valid: huge quantiles for tiny df stay finite or infinite, never NaN, and no
    // p or df panics.
    for (p, df) in [(1.0 - 1e-4, 0.05), (1e-4, 0.5), (1e-4, 3.0), (0.75, 1e-3)] {
        assert!(!t_quantile(p, df).is_nan(), "t_quantile({p}, {df})");
    }
    for df in [1e-3, 0.05, 0.3, 0.9, 1.0, 2.0, 7.5, 60.0, 1e4, 1.0001e4, 1e9, f64::INFINITY] {
        for p in [1e-13, 1e-12, 1e-9, 1e-4, 0.01, 0.3, 0.7, 0.99, 0.9999, 1.0 - 1e-9, 1.0 - 1e-12] {
            let _ = t_quantile(p, df);
        }
    }
}

// -----------------------------------------------------------------------------------------
// Estimates from known inputs.
// -----------------------------------------------------------------------------------------

#[test]
fn zero_variance_collapses_the_interval_to_the_point() {
    let e = paired_speedup(&[(2.0, 1.0), (4.0, 2.0)]).expect("valid pairs");
    assert_close(e.point, 2.0, 1e-15);
    assert_eq!(e.interval, Some(Interval { lower: e.point, upper: e.point }));
    assert_eq!((e.n, e.log_se, e.df), (2, Some(0.0), Some(1.0)));
    assert_eq!(e.relative_half_width(), Some(0.0));
    assert!(e.contains(e.point));
    let g = geometric(&[3.0, 3.0, 3.0]).expect("valid samples");
    assert_eq!(g.interval, Some(Interval { lower: g.point, upper: g.point }));
    assert_close(g.point, 3.0, 1e-15);
    let u = unpaired_speedup(&[6.0, 6.0], &[2.0, 2.0, 2.0]).expect("valid samples");
    assert_close(u.point, 3.0, 1e-15);
    assert_eq!(u.interval, Some(Interval { lower: u.point, upper: u.point }));
    assert_eq!(u.df, Some(3.0));
}

#[test]
fn geometric_of_known_samples() {
    // logs 0, ln 2, 2 ln 2: mean ln 2, sample variance (ln 2)², se = ln 2 / √3, df 2.
    let e = geometric(&[1.0, 2.0, 4.0]).expect("valid samples");
    let ln2 = 2.0_f64.ln();
    assert_close(e.point, 2.0, 1e-14);
    assert_eq!(e.n, 3);
    assert_close(e.log_se.expect("se"), ln2 / 3.0_f64.sqrt(), 1e-14);
    assert_eq!(e.df, Some(2.0));
    let half = 4.302_652_729_749_464 * ln2 / 3.0_f64.sqrt();
    let interval = e.interval.expect("interval");
    assert_close(interval.lower, 2.0 * (-half).exp(), 1e-12);
    assert_close(interval.upper, 2.0 * half.exp(), 1e-12);
    assert_close(e.relative_half_width().expect("interval"), half.exp_m1(), 1e-12);
}

#[test]
fn paired_speedup_of_known_pairs() {
    // Ratios 2 and 8: log mean 2 ln 2 (point 4), sample sd √2 ln 2, se ln 2, df 1.
    let e = paired_speedup(&[(2.0, 1.0), (4.0, 0.5)]).expect("valid pairs");
    let ln2 = 2.0_f64.ln();
    assert_close(e.point, 4.0, 1e-14);
    assert_close(e.log_mean, 2.0 * ln2, 1e-14);
    assert_close(e.log_se.expect("se"), ln2, 1e-14);
    let interval = e.interval.expect("interval");
    assert_close(interval.lower, 4.0 * 2.0_f64.powf(-12.706_204_736_174_7), 1e-10);
    assert_close(interval.upper, 4.0 * 2.0_f64.powf(12.706_204_736_174_7), 1e-10);
    assert!(e.contains(4.0) && e.contains(1.0) && !e.contains(1e-4));
}

#[test]
fn unpaired_speedup_uses_welch() {
    // baseline logs 0, 2 ln 2 (mean ln 2, variance 2 (ln 2)²); new logs 0, ln 2, 2 ln 2 (mean
    // ln 2, variance (ln 2)²). Variances of the means (ln 2)² and (ln 2)²/3: se = (2/√3) ln 2
    // and Welch–Satterthwaite df = 1 / ((3/4)²/1 + (1/4)²/2) = 32/19.
    let e = unpaired_speedup(&[1.0, 4.0], &[1.0, 2.0, 4.0]).expect("valid samples");
    let ln2 = 2.0_f64.ln();
    assert_close(e.point, 1.0, 1e-14);
    assert_eq!(e.n, 2);
    assert_close(e.log_se.expect("se"), 2.0 / 3.0_f64.sqrt() * ln2, 1e-14);
    assert_close(e.df.expect("df"), 32.0 / 19.0, 1e-14);
    let half = t_quantile(0.975, 32.0 / 19.0) * 2.0 / 3.0_f64.sqrt() * ln2;
    assert_close(e.relative_half_width().expect("interval"), half.exp_m1(), 1e-12);
    // One side without variance: the df are those of the other side.
    let one_sided = unpaired_speedup(&[2.0, 8.0], &[1.0, 1.0, 1.0]).expect("valid samples");
    assert_close(one_sided.point, 4.0, 1e-14);
    assert_close(one_sided.log_se.expect("se"), ln2, 1e-14);
    assert_close(one_sided.df.expect("df"), 1.0, 1e-14);
}

#[test]
fn a_single_sample_has_a_point_but_no_interval() {
    let g = geometric(&[3.5]).expect("one sample");
    assert_eq!(g.point, 3.5_f64.ln().exp());
    assert_eq!((g.interval, g.log_se, g.df, g.n), (None, None, None, 1));
    let p = paired_speedup(&[(3.0, 1.5)]).expect("one pair");
    assert_close(p.point, 2.0, 1e-15);
    assert_eq!((p.interval, p.relative_half_width(), p.verdict(NOISE)), (None, None, Verdict::Unknown));
    assert!(!p.contains(p.point));
    // Unpaired needs two on each side for an interval.
    let u = unpaired_speedup(&[3.0], &[1.0, 1.5, 2.0]).expect("valid samples");
    assert_eq!((u.interval, u.n), (None, 1));
    assert!(unpaired_speedup(&[3.0, 3.1], &[1.5]).is_some_and(|u| u.interval.is_none()));
}

#[test]
fn degenerate_inputs_give_none() {
    let bad = [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0];
    assert_eq!(geometric(&[]), None);
    assert_eq!(paired_speedup(&[]), None);
    assert_eq!(unpaired_speedup(&[], &[1.0, 2.0]), None);
    assert_eq!(unpaired_speedup(&[1.0, 2.0], &[]), None);
    for x in bad {
        assert_eq!(geometric(&[1.0, x, 2.0]), None, "{x}");
        assert_eq!(paired_speedup(&[(1.0, 1.0), (x, 1.0)]), None, "{x}");
        assert_eq!(paired_speedup(&[(1.0, 1.0), (1.0, x)]), None, "{x}");
        assert_eq!(unpaired_speedup(&[1.0, x], &[1.0, 2.0]), None, "{x}");
        assert_eq!(unpaired_speedup(&[1.0, 2.0], &[x, 2.0]), None, "{x}");
    }
}

#[test]
fn extreme_but_valid_times_do_not_break() {
    let tiny = f64::MIN_POSITIVE / 1e10; // subnormal
    let e = paired_speedup(&[(f64::MAX, tiny), (tiny, f64::MAX)]).expect("valid pairs");
    assert!(e.point.is_finite() && e.log_mean.abs() < 1e-9);
    assert!(e.interval.is_some_and(|i| i.lower >= 0.0 && i.upper.is_infinite()));
    assert!(geometric(&[f64::MAX, f64::MAX]).is_some_and(|g| g.point.is_finite()));
    assert!(geometric(&[tiny, 1.0, f64::MAX]).is_some());
}

#[test]
fn inverse_turns_a_speedup_into_a_slowdown() {
    let speedup = geometric(&[1.0, 2.0, 4.0]).expect("valid samples");
    let slowdown = speedup.inverse();
    let (i, j) = (speedup.interval.expect("interval"), slowdown.interval.expect("interval"));
    assert_close(slowdown.point, 0.5, 1e-14);
    assert_eq!(slowdown.log_mean, -speedup.log_mean);
    assert_eq!((slowdown.log_se, slowdown.df, slowdown.n), (speedup.log_se, speedup.df, speedup.n));
    assert_close(j.lower, 1.0 / i.upper, 1e-15);
    assert_close(j.upper, 1.0 / i.lower, 1e-15);
    assert_close(
        slowdown.relative_half_width().expect("interval"),
        speedup.relative_half_width().expect("interval"),
        1e-12,
    );
    let back = slowdown.inverse();
    assert_eq!(back.point, speedup.point);
    assert_close(back.interval.expect("interval").lower, i.lower, 1e-15);
    assert_eq!(geometric(&[2.0]).expect("one sample").inverse().interval, None);
}

#[test]
fn relative_half_width_and_contains() {
    let e = estimate(1.29, Some((1.29 / 1.03, 1.29 * 1.03)));
    assert_close(e.relative_half_width().expect("interval"), 0.03, 1e-12);
    assert!(e.contains(1.29 / 1.03) && e.contains(1.29 * 1.03) && e.contains(1.3));
    assert!(!e.contains(1.2) && !e.contains(1.4) && !e.contains(f64::NAN));
}

#[test]
fn verdict_reads_the_interval_against_the_noise_band() {
    assert_eq!(estimate(1.2, Some((1.011, 1.4))).verdict(NOISE), Verdict::Faster);
    assert_eq!(estimate(1.2, Some((1.005, 1.4))).verdict(NOISE), Verdict::Inconclusive);
    assert_eq!(estimate(1.2, Some((1.005, 1.4))).verdict(0.0), Verdict::Faster);
    assert_eq!(estimate(0.8, Some((0.7, 0.98))).verdict(NOISE), Verdict::Slower);
    assert_eq!(estimate(0.8, Some((0.7, 0.995))).verdict(NOISE), Verdict::Inconclusive);
    assert_eq!(estimate(1.0, Some((0.9, 1.1))).verdict(NOISE), Verdict::Inconclusive, "too wide to tell");
    assert_eq!(estimate(1.0, Some((0.995, 1.006))).verdict(NOISE), Verdict::NoChange, "all within 1 %");
    assert_eq!(estimate(1.004, Some((1.002, 1.006))).verdict(NOISE), Verdict::NoChange, "real, but under 1 %");
    assert_eq!(estimate(1.01, Some((1.0, 1.02))).verdict(NOISE), Verdict::Inconclusive);
    assert_eq!(estimate(1.5, None).verdict(NOISE), Verdict::Unknown);
}

#[test]
fn gate_needs_the_whole_interval_beyond_the_limit() {
    assert_eq!(gate(&estimate(1.2, Some((1.11, 1.3))), 10.0), Gate::Regressed);
    assert_eq!(gate(&estimate(1.12, Some((1.05, 1.2))), 10.0), Gate::Undecided);
    assert_eq!(gate(&estimate(1.05, Some((1.0, 1.12))), 10.0), Gate::Undecided);
    assert_eq!(gate(&estimate(1.05, Some((1.0, 1.09))), 10.0), Gate::Fine);
    assert_eq!(gate(&estimate(0.8, Some((0.7, 0.9))), 10.0), Gate::Fine);
    assert_eq!(gate(&estimate(4.1, None), 10.0), Gate::Undecided, "one sample decides nothing");
    assert_eq!(gate(&estimate(1.05, None), 10.0), Gate::Undecided, "nor passes anything");
    assert_eq!(gate(&estimate(1.2, Some((1.11, 1.3))), f64::NAN), Gate::Undecided);
    // A speedup turned around: 20 % faster is never a regression.
    let speedup = geometric(&[1.2, 1.19, 1.21]).expect("valid samples");
    assert_eq!(gate(&speedup.inverse(), 5.0), Gate::Fine);
    assert_eq!(gate(&speedup, 5.0), Gate::Regressed);
}

#[test]
fn noise_threshold_is_q3_plus_three_iqr_of_magnitudes() {
    // |changes| 0.01..0.05: Q1 0.02, Q3 0.04, threshold 0.04 + 3 × 0.02.
    assert_close(noise_threshold(&[0.01, -0.02, 0.03, -0.04, 0.05]).expect("5 changes"), 0.10, 1e-12);
    // numpy.percentile([1, 2, 3, 4], [25, 75]) = [1.75, 3.25]: 3.25 + 3 × 1.5 = 7.75.
    assert_close(noise_threshold(&[0.04, -0.01, 0.03, 0.02]).expect("4 changes"), 0.0775, 1e-12);
    assert_eq!(noise_threshold(&[0.01, 0.02, 0.03]), None);
    assert_eq!(noise_threshold(&[]), None);
    assert_eq!(noise_threshold(&[0.01, 0.02, f64::NAN, 0.03, 0.04]), None);
    assert_eq!(noise_threshold(&[0.0; 6]), Some(0.0));
}

#[test]
fn median_of_odd_and_even_counts() {
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&[7.0]), Some(7.0));
    assert_eq!(median(&[-1.0, -3.0]), Some(-2.0));
    assert_eq!(median(&[]), None);
    assert_eq!(median(&[1.0, f64::NAN]), None);
    assert_eq!(median(&[1.0, f64::INFINITY]), None);
}

// -----------------------------------------------------------------------------------------
// Merging machines.
// -----------------------------------------------------------------------------------------

#[test]
fn merge_of_degenerate_inputs() {
    assert_eq!(merge(&[]), None);
    let one = geometric(&[1.0, 1.1, 1.2]).expect("valid samples");
    assert_eq!(merge(&[one]), Some(Estimate { n: 1, ..one }));
    let broken = Estimate { log_mean: f64::NAN, ..one };
    assert_eq!(merge(&[one, broken]), None);
    let negative = Estimate { log_se: Some(-1.0), ..one };
    assert_eq!(merge(&[one, negative]), None);
    // Blocks without standard errors: plain samples of log ratios, t with k - 1 df.
    let singles: Vec<Estimate> =
        [2.0, 4.0, 8.0].iter().map(|&r| paired_speedup(&[(r, 1.0)]).expect("one pair")).collect();
    let merged = merge(&singles).expect("three blocks");
    let expected = geometric(&[2.0, 4.0, 8.0]).expect("valid samples");
    assert_eq!(merged.n, 3);
    assert_close(merged.point, expected.point, 1e-14);
    assert_close(merged.log_se.expect("se"), expected.log_se.expect("se"), 1e-14);
    assert_eq!(merged.df, Some(2.0));
    assert_eq!(merge(&singles[..1]).map(|e| e.interval), Some(None));
    // A mixture is treated the same way.
    let mixed = merge(&[singles[0], one]).expect("two blocks");
    assert_eq!((mixed.n, mixed.df), (2, Some(1.0)));
}

#[test]
fn merge_of_two_blocks_by_hand() {
    // se 0.01 each, log means 0.1 apart: Q = 50, C = 10⁴, τ² = (50 - 1) / 10⁴ = 0.0049, so
    // se² + τ² = 0.005, the HKSJ scatter is exactly 1 and se = √(0.005 / 2) = 0.05.
    let block = |log_mean: f64| Estimate::from_logs(log_mean, Some((0.01, 9.0)), 10).expect("valid");
    let merged = merge(&[block(0.2), block(0.3)]).expect("two blocks");
    assert_close(merged.log_mean, 0.25, 1e-14);
    assert_close(merged.log_se.expect("se"), 0.05, 1e-12);
    assert_eq!((merged.df, merged.n), (Some(1.0), 2));
    let half: f64 = 12.706_204_736_174_7 * 0.05;
    assert_close(merged.interval.expect("interval").upper, (0.25 + half).exp(), 1e-12);
}

#[test]
fn prediction_for_one_more_machine_by_hand() {
    // Log speedups 0.1, 0.2, 0.3 (se 0.01 each): the mean is 0.2, the machines' variance
    // 0.01, so the prediction's se is √(0.01 · (1 + 1/3)) with t(2) = 4.302653.
    let block = |log_mean: f64| Estimate::from_logs(log_mean, Some((0.01, 9.0)), 10).expect("valid");
    let blocks = [block(0.1), block(0.2), block(0.3)];
    let predicted = predict(&blocks).expect("three blocks");
    assert_close(predicted.log_mean, 0.2, 1e-12);
    assert_close(predicted.log_se.expect("se"), (0.01_f64 * 4.0 / 3.0).sqrt(), 1e-12);
    assert_eq!((predicted.df, predicted.n), (Some(2.0), 3));
    let half = 4.302_652_729_911_275 * (0.01_f64 * 4.0 / 3.0).sqrt();
    assert_close(predicted.interval.expect("interval").upper, (0.2 + half).exp(), 1e-9);
    assert!(predicted.relative_half_width() > merge(&blocks).expect("merged").relative_half_width());
    assert_eq!(predict(&blocks[..2]), None, "two machines cannot estimate a spread");
}

#[test]
fn identical_machines_narrow_the_interval() {
    // Exact copies: the HKSJ scatter is 0, floored at 1, so se / √k with t(k - 1).
    let block = paired_speedup(&[(1.25, 1.0), (1.3, 1.0), (1.2, 1.0), (1.27, 1.0), (1.23, 1.0)]).expect("valid pairs");
    let merged = merge(&[block; 4]).expect("four blocks");
    assert_close(merged.point, block.point, 1e-14);
    assert_close(merged.log_se.expect("se"), block.log_se.expect("se") / 2.0, 1e-12);
    assert!(merged.relative_half_width() < block.relative_half_width());
    // Four machines with the same true speedup, each measured with its own noise.
    let mut rng = Rng::new(11);
    let mut narrower = 0;
    for _ in 0..RUNS {
        let blocks: Vec<Estimate> =
            (0..4).map(|_| paired_speedup(&paired_rounds(&mut rng, 5, SPEEDUP, SIGMA)).expect("valid")).collect();
        let merged = merge(&blocks).expect("four blocks");
        assert!(close(merged.point, SPEEDUP, 0.06), "{merged:?}");
        let widest = blocks.iter().filter_map(Estimate::relative_half_width).fold(0.0, f64::max);
        narrower += usize::from(merged.relative_half_width().is_some_and(|w| w < widest));
    }
    eprintln!("merge: narrower than the widest of 4 identical machines in {:.1} %", 100.0 * rate(narrower, RUNS));
    assert!(rate(narrower, RUNS) > 0.9);
}

#[test]
fn disagreeing_machines_widen_the_interval() {
    let mut rng = Rng::new(12);
    let fast = paired_speedup(&paired_rounds(&mut rng, 10, 1.5, 0.02)).expect("valid");
    let slow = paired_speedup(&paired_rounds(&mut rng, 10, 1.1, 0.02)).expect("valid");
    let merged = merge(&[fast, slow]).expect("two blocks");
    let width = merged.relative_half_width().expect("interval");
    assert!(width > fast.relative_half_width().expect("interval"));
    assert!(width > slow.relative_half_width().expect("interval"));
    assert!(merged.contains(1.5) && merged.contains(1.1), "{merged:?}");
}

/// The coverage of [`merge`] over simulated CI matrices of `machines` machines whose true
/// speedups scatter by `tau` (log sd) around [`SPEEDUP`], each measured in 5 paired rounds.
fn merge_coverage(seed: u64, machines: usize, tau: f64) -> f64 {
    let mut rng = Rng::new(seed);
    let mut covered = 0;
    for _ in 0..RUNS {
        let blocks: Vec<Estimate> = (0..machines)
            .map(|_| {
                let truth = SPEEDUP * rng.noise(tau);
                paired_speedup(&paired_rounds(&mut rng, 5, truth, SIGMA)).expect("valid")
            })
            .collect();
        covered += usize::from(merge(&blocks).expect("valid blocks").contains(SPEEDUP));
    }
    rate(covered, RUNS)
}

#[test]
fn merged_interval_covers_the_common_speedup() {
    let coverage = merge_coverage(13, 4, 0.03);
    eprintln!("merge coverage, 4 machines, tau 3 %: {:.1} %", 100.0 * coverage);
    assert!((0.90..=0.985).contains(&coverage), "{coverage}");
}

// -----------------------------------------------------------------------------------------
// Coverage and bias.
// -----------------------------------------------------------------------------------------

/// The coverage of [`paired_speedup`] at `rounds` rounds, and the log errors of its points.
fn paired_coverage(seed: u64, rounds: usize) -> (f64, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut covered = 0;
    let mut errors = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let e = paired_speedup(&paired_rounds(&mut rng, rounds, SPEEDUP, SIGMA)).expect("valid");
        covered += usize::from(e.contains(SPEEDUP));
        errors.push(e.log_mean - SPEEDUP.ln());
    }
    (rate(covered, RUNS), errors)
}

/// The coverage of [`geometric`] at `n` samples of the baseline.
fn geometric_coverage(seed: u64, n: usize) -> f64 {
    let mut rng = Rng::new(seed);
    let hits = (0..RUNS).filter(|_| geometric(&times(&mut rng, n, 1.0, SIGMA)).expect("valid").contains(BASE)).count();
    rate(hits, RUNS)
}

/// The coverage of [`unpaired_speedup`] at `n` samples per side.
fn unpaired_coverage(seed: u64, n: usize) -> f64 {
    let mut rng = Rng::new(seed);
    let hits = (0..RUNS)
        .filter(|_| {
            let (baseline, new) = (times(&mut rng, n, 1.0, SIGMA), times(&mut rng, n, SPEEDUP, SIGMA));
            unpaired_speedup(&baseline, &new).expect("valid").contains(SPEEDUP)
        })
        .count();
    rate(hits, RUNS)
}

#[test]
fn paired_speedup_covers_the_true_ratio() {
    for rounds in [3, 5, 10] {
        let (coverage, _) = paired_coverage(100 + rounds as u64, rounds);
        eprintln!("paired coverage at {rounds} rounds: {:.1} %", 100.0 * coverage);
        assert!((0.92..=0.98).contains(&coverage), "{rounds} rounds: {coverage}");
    }
}

#[test]
fn geometric_covers_the_true_time() {
    for n in [3, 5, 10] {
        let coverage = geometric_coverage(200 + n as u64, n);
        eprintln!("geometric coverage at n = {n}: {:.1} %", 100.0 * coverage);
        assert!((0.92..=0.98).contains(&coverage), "n = {n}: {coverage}");
    }
}

#[test]
fn unpaired_speedup_covers_the_true_ratio() {
    for n in [5, 10] {
        let coverage = unpaired_coverage(300 + n as u64, n);
        eprintln!("unpaired coverage at {n} per side: {:.1} %", 100.0 * coverage);
        assert!((0.92..=0.98).contains(&coverage), "n = {n}: {coverage}");
    }
}

#[test]
fn paired_speedup_is_unbiased() {
    let (_, errors) = paired_coverage(105, 5);
    let mean_error = errors.iter().sum::<f64>() / errors.len() as f64;
    let points: Vec<f64> = errors.iter().map(|e| SPEEDUP * e.exp()).collect();
    let median_point = median(&points).expect("points");
    eprintln!("paired bias at 5 rounds: mean log error {mean_error:+.5}, median point {median_point:.5}");
    assert!(mean_error.abs() < 0.005, "{mean_error}");
    assert!(close(median_point, SPEEDUP, 0.005), "{median_point}");
}

#[test]
fn geometric_and_unpaired_are_unbiased() {
    let mut rng = Rng::new(400);
    let mut geometric_errors = Vec::with_capacity(RUNS);
    let mut unpaired_errors = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let (baseline, new) = (times(&mut rng, 5, 1.0, SIGMA), times(&mut rng, 5, SPEEDUP, SIGMA));
        geometric_errors.push(geometric(&baseline).expect("valid").log_mean - BASE.ln());
        unpaired_errors.push(unpaired_speedup(&baseline, &new).expect("valid").log_mean - SPEEDUP.ln());
    }
    for errors in [geometric_errors, unpaired_errors] {
        let mean_error = errors.iter().sum::<f64>() / errors.len() as f64;
        let median_error = median(&errors).expect("errors").exp_m1();
        assert!(mean_error.abs() < 0.005 && median_error.abs() < 0.005, "{mean_error} {median_error}");
    }
}

// -----------------------------------------------------------------------------------------
// Drift: pairing and a rotating order cancel it, a sequential schedule does not.
// -----------------------------------------------------------------------------------------

/// The builds of one simulated run on a drifting machine (see [`drifting_run`]).
struct DriftingRun {
    /// (baseline, new) times of each round, built in the order under test.
    pairs: Vec<(f64, f64)>,
    /// The baseline's times under the old sequential schedule (all of them first).
    sequential_baseline: Vec<f64>,
    /// The new toolchain's times under the old sequential schedule (all of them last).
    sequential_new: Vec<f64>,
}

/// One simulated run on a machine whose build times drift linearly by +20 % from the first
/// build to the last (each build takes one time slot), with σ 1 % noise; toolchain 0 is the
/// baseline, toolchain 1 is 1.25× faster. Rounds are built in `order(round)`; the sequential
/// schedule is simulated as a second run on the same drift.
fn drifting_run(rng: &mut Rng, rounds: usize, order: impl Fn(usize) -> Vec<usize>) -> DriftingRun {
    const DRIFT: f64 = 0.2;
    const NOISE_SIGMA: f64 = 0.01;
    let last = (2 * rounds - 1) as f64;
    let drift = |slot: usize| 1.0 + DRIFT * slot as f64 / last;
    let truth = [BASE, BASE / SPEEDUP];
    let mut build = |toolchain: usize, slot: usize| truth[toolchain] * drift(slot) * rng.noise(NOISE_SIGMA);
    let pairs = (0..rounds)
        .map(|round| {
            let mut times = [0.0; 2];
            for (offset, &toolchain) in order(round).iter().enumerate() {
                times[toolchain] = build(toolchain, 2 * round + offset);
            }
            (times[0], times[1])
        })
        .collect();
    let sequential_baseline = (0..rounds).map(|slot| build(0, slot)).collect();
    let sequential_new = (rounds..2 * rounds).map(|slot| build(1, slot)).collect();
    DriftingRun { pairs, sequential_baseline, sequential_new }
}

#[test]
fn pairing_in_rotating_rounds_cancels_drift() {
    let mut rng = Rng::new(500);
    let (mut within, mut fixed_errors, mut rotating_errors, mut sequential_errors) = (0, vec![], vec![], vec![]);
    let mut sequential_off = 0;
    for _ in 0..RUNS {
        let run = drifting_run(&mut rng, 10, |round| round_order(2, round));
        let paired = paired_speedup(&run.pairs).expect("valid");
        let error = (paired.point / SPEEDUP - 1.0).abs();
        within += usize::from(error < 0.01);
        rotating_errors.push(error);
        // (c) The same rounds analysed without the pairing: drift becomes noise.
        let (a, b): (Vec<f64>, Vec<f64>) = run.pairs.iter().copied().unzip();
        let unpaired = unpaired_speedup(&a, &b).expect("valid");
        assert!(unpaired.relative_half_width() > paired.relative_half_width(), "{unpaired:?} vs {paired:?}");
        // (b) The old sequential schedule: drift becomes bias.
        let sequential = unpaired_speedup(&run.sequential_baseline, &run.sequential_new).expect("valid");
        let error = (sequential.point / SPEEDUP - 1.0).abs();
        sequential_off += usize::from(error > 0.01);
        sequential_errors.push(error);
        // For contrast: pairs always built in the same order carry the drift of one slot.
        let fixed = drifting_run(&mut rng, 10, |_| vec![0, 1]);
        fixed_errors.push((paired_speedup(&fixed.pairs).expect("valid").point / SPEEDUP - 1.0).abs());
    }
    let [rotating, fixed, sequential] =
        [rotating_errors, fixed_errors, sequential_errors].map(|e| median(&e).expect("errors"));
    eprintln!(
        "drift 20 %: paired+rotating within 1 % in {:.1} % of runs (median |error| {:.2} %); fixed order median \
         |error| {:.2} %; sequential unpaired off by > 1 % in {:.1} % (median |error| {:.2} %)",
        100.0 * rate(within, RUNS),
        100.0 * rotating,
        100.0 * fixed,
        100.0 * rate(sequential_off, RUNS),
        100.0 * sequential,
    );
    // (a)
    assert!(rate(within, RUNS) >= 0.95, "{}", rate(within, RUNS));
    // (b)
    assert!(rate(sequential_off, RUNS) > 0.5 && sequential > 0.02, "{sequential}");
    assert!(rotating < fixed, "{rotating} vs {fixed}");
}

// -----------------------------------------------------------------------------------------
// Decisions: the regression gate and the verdict.
// -----------------------------------------------------------------------------------------

/// How often [`gate`] answers each way for a true slowdown `slowdown` (now / then), measured
/// in `rounds` paired rounds with σ 5 % noise, against a 10 % limit: (regressed, undecided).
fn gate_rates(seed: u64, slowdown: f64, rounds: usize) -> (f64, f64) {
    let mut rng = Rng::new(seed);
    let (mut regressed, mut possibly) = (0, 0);
    for _ in 0..RUNS {
        // (then, now) pairs: their speedup then / now, inverted into a slowdown now / then.
        let speedup = paired_speedup(&paired_rounds(&mut rng, rounds, 1.0 / slowdown, SIGMA)).expect("valid");
        match gate(&speedup.inverse(), 10.0) {
            Gate::Regressed => regressed += 1,
            Gate::Undecided => possibly += 1,
            Gate::Fine => {}
        }
    }
    (rate(regressed, RUNS), rate(possibly, RUNS))
}

#[test]
fn gate_catches_regressions_and_rarely_cries_wolf() {
    let (caught, possibly) = gate_rates(600, 1.2, 5);
    let (caught_10, _) = gate_rates(601, 1.2, 10);
    let (false_alarms, _) = gate_rates(602, 1.0, 5);
    let (at_limit, _) = gate_rates(603, 1.1, 5);
    eprintln!(
        "gate (limit 10 %, σ 5 %): true +20 % Regressed in {:.1} % at 5 rounds (Undecided {:.1} %), {:.1} % at 10 \
         rounds; no change Regressed in {:.1} %; +10 % (at the limit) Regressed in {:.1} %",
        100.0 * caught,
        100.0 * possibly,
        100.0 * caught_10,
        100.0 * false_alarms,
        100.0 * at_limit,
    );
    assert!(caught > 0.5, "{caught}");
    assert!(caught + possibly > 0.99, "{}", caught + possibly);
    assert!(caught_10 > 0.9, "{caught_10}");
    assert!(false_alarms <= 0.025 + 0.01, "{false_alarms}");
    assert!(at_limit <= 0.025 + 0.01, "{at_limit}");
}

#[test]
fn verdict_is_rarely_fooled_by_noise() {
    let mut rng = Rng::new(700);
    let (mut fooled, mut faster) = (0, 0);
    for _ in 0..RUNS {
        let noise = paired_speedup(&paired_rounds(&mut rng, 10, 1.0, SIGMA)).expect("valid");
        fooled += usize::from(matches!(noise.verdict(NOISE), Verdict::Faster | Verdict::Slower));
        let real = paired_speedup(&paired_rounds(&mut rng, 10, 1.1, SIGMA)).expect("valid");
        faster += usize::from(real.verdict(NOISE) == Verdict::Faster);
    }
    eprintln!(
        "verdict (10 rounds, σ 5 %, noise band 1 %): no change called Faster/Slower in {:.1} %; 10 % speedup called \
         Faster in {:.1} %",
        100.0 * rate(fooled, RUNS),
        100.0 * rate(faster, RUNS),
    );
    assert!(rate(fooled, RUNS) <= 0.025 + 0.01, "{}", rate(fooled, RUNS));
    assert!(rate(faster, RUNS) > 0.8, "{}", rate(faster, RUNS));
}

#[test]
fn the_machines_change_between_runs_counts_its_overlapping_changes_honestly() {
    assert_eq!(between_run_variance(&[0.1, -0.1, 0.1]), None, "three changes are too few");
    let (v, df) = between_run_variance(&[0.1, -0.1, 0.1, -0.1]).expect("four changes");
    assert_close(v, 0.01, 1e-12);
    assert_close(df, 32.0 / 11.0, 1e-12);
    // Simulated: runs of one commit with a machine state of sd 5 % per run; the mean square of
    // consecutive log changes estimates twice the run's variance, without bias.
    let mut rng = Rng::new(31);
    let (mut total, reps) = (0.0, 4000);
    for _ in 0..reps {
        let runs: Vec<f64> = (0..6).map(|_| rng.noise(0.05).ln()).collect();
        let changes: Vec<f64> = runs.windows(2).map(|w| w[1] - w[0]).collect();
        total += between_run_variance(&changes).expect("five changes").0;
    }
    assert_close(total / reps as f64, 2.0 * 0.05 * 0.05, 0.05);
}

/// Every coverage rate of the simulations in one table, with more settings than the tests
/// above (`cargo test --lib coverage_report -- --nocapture` prints it), each checked: no
/// interval covers less than its 95 % beyond the simulation's own error (three standard
/// errors of a rate over [`RUNS`] runs), and the exact t intervals (paired, geometric) no
/// more either. Welch's and the merge's may cover more: both are conservative with few
/// samples or machines.
#[test]
fn coverage_report() {
    let slack = 3.0 * (0.95 * 0.05 / RUNS as f64).sqrt();
    let at_least = |what: &str, coverage: f64| assert!(coverage >= 0.95 - slack, "{what}: coverage {coverage}");
    let exact = |what: &str, coverage: f64| {
        at_least(what, coverage);
        assert!(coverage <= 0.95 + slack, "{what}: coverage {coverage}, an exact interval too wide");
    };
    for rounds in [2, 3, 5, 10, 20] {
        let (coverage, errors) = paired_coverage(900 + rounds as u64, rounds);
        let mean_error = errors.iter().sum::<f64>() / errors.len() as f64;
        eprintln!("paired    n = {rounds:2}: coverage {:.1} %, mean log error {mean_error:+.5}", 100.0 * coverage);
        exact(&format!("paired at {rounds} rounds"), coverage);
        assert!(mean_error.abs() < 0.005, "paired at {rounds} rounds: mean log error {mean_error}");
    }
    for n in [2, 3, 5, 10, 20] {
        let coverage = geometric_coverage(910 + n as u64, n);
        eprintln!("geometric n = {n:2}: coverage {:.1} %", 100.0 * coverage);
        exact(&format!("geometric at n = {n}"), coverage);
    }
    for n in [2, 3, 5, 10, 20] {
        let coverage = unpaired_coverage(920 + n as u64, n);
        eprintln!("unpaired  n = {n:2}: coverage {:.1} %", 100.0 * coverage);
        at_least(&format!("unpaired at n = {n}"), coverage);
    }
    for machines in [2, 3, 4, 8] {
        for tau in [0.0, 0.01, 0.03, 0.1] {
            let coverage = merge_coverage(930 + machines as u64, machines, tau);
            eprintln!("merge     k = {machines}, tau = {tau:.2}: coverage {:.1} %", 100.0 * coverage);
            at_least(&format!("merge of {machines} machines, tau {tau}"), coverage);
        }
    }
}

mod simulation;
