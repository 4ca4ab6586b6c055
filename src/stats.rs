//! Confidence intervals for build times and speedups.
//!
//! This module owns the statistics of cargo-timewarp: typical build times ([`geometric`]),
//! speedups between two toolchains measured in the same rounds ([`paired_speedup`]) or on
//! different occasions ([`unpaired_speedup`]), the combination of per-machine speedups
//! ([`merge`]), the judgements drawn from them ([`Estimate::verdict`], [`gate`]), the
//! significance threshold learnt from a history of runs ([`noise_threshold`]) and the Student t
//! distribution they all rest on ([`t_quantile`], [`t_cdf`]).
//!
//! Build times are positive and roughly log-normal, and speedups are ratios, so every interval is
//! computed on logarithms and exponentiated back: intervals are symmetric on a log scale
//! ("1.29x ±3%" means the bounds are 1.29 / 1.03 and 1.29 × 1.03), and points are geometric
//! means. Every interval has the confidence [`CONFIDENCE`].
//!
//! These are pure functions over `f64` slices. The module does not know what a build, a
//! toolchain, a machine or a round is, how times are measured (no clock, no I/O), in which order
//! builds were run (that is `measure::schedule`), or how results are worded or printed. Inputs
//! it cannot make sense of (empty, too few, non-finite or non-positive times) give `None`, never
//! a panic.

use std::f64::consts::PI;

/// The confidence level of every interval in this module.
pub(crate) const CONFIDENCE: f64 = 0.95;

/// The two-sided level of the t quantile behind every interval a precision-stopped run watches
/// and reports (`t⁻¹(0.987)` instead of `t⁻¹(0.975)`). Stopping at the first round whose interval
/// is narrow enough favours rounds whose spread was small by luck, so a plain 95 % interval then
/// covers only 92-95 % overall and 48-88 % of the runs that stop at the minimum. With this level
/// the rule keeps at least 95 % at every ratio of noise to target from 0.2 to 8 and every round
/// limit (`stopping_at_the_precision_keeps_its_95_percent` simulates it); the interval shown is
/// still a 95 % one: the level is what that takes after stopping when precise.
pub(crate) const STOPPING_CONFIDENCE: f64 = 0.974;

/// The two-sided level of the interval the gate decides on when it adds rounds until it can
/// decide (`--baseline-rev` with `--max-regression` and the stopping rule): it looks again every
/// round, up to 26 times, so one look's 1.3 % error on each side grew to 7 % for a change exactly
/// at the limit. At this level a change at the limit is called regressed in at most 2.5 % of runs
/// (`the_gate_passes_an_unchanged_project_and_fails_a_30_percent_regression`).
pub(crate) const GATE_CONFIDENCE: f64 = 0.995;

/// The default noise band for [`Estimate::verdict`]: a change smaller than 1 % either way is not
/// reported as faster or slower, following criterion's default noise threshold.
pub(crate) const NOISE: f64 = 0.01;

/// A [`CONFIDENCE`] interval for a positive quantity (a time or a ratio of times).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    /// The lower bound.
    pub lower: f64,
    /// The upper bound.
    pub upper: f64,
}

/// A geometric-mean estimate of a positive quantity with its [`CONFIDENCE`] interval.
///
/// Everything is computed on natural logarithms: `point = exp(log_mean)` and the interval is
/// `exp(log_mean ± t · log_se)` with `t` the Student quantile for `df` degrees of freedom. When
/// the logs have zero variance (all samples or ratios identical) the interval collapses to
/// `lower == upper == point`. With absurdly spread inputs (times many orders of magnitude apart)
/// a bound may round to 0 or ∞; `point` is always finite and > 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// The estimate: the geometric mean, `exp(log_mean)`.
    pub point: f64,
    /// The [`CONFIDENCE`] interval; `None` when there are too few samples to have one (n = 1).
    pub interval: Option<Interval>,
    /// The number of samples (times, pairs, or merged blocks) behind the estimate.
    pub n: usize,
    /// The mean of the logarithms (of times or of ratios).
    pub log_mean: f64,
    /// The standard error of `log_mean`; `None` together with `interval`.
    pub log_se: Option<f64>,
    /// The degrees of freedom of the t distribution used for the interval (fractional for
    /// Welch); `None` together with `interval`.
    pub df: Option<f64>,
}

/// What a speedup estimate says about a change, taking a noise band into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The whole interval is above the noise band: faster.
    Faster,
    /// The whole interval is below the noise band: slower.
    Slower,
    /// The whole interval lies within the noise band around 1: shown to be no change.
    NoChange,
    /// The interval reaches both into the noise band and beyond it: too wide to tell.
    Inconclusive,
    /// There is no interval (a single sample), so nothing can be said.
    Unknown,
}

/// The outcome of checking a slowdown against a regression limit (see [`gate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// The whole interval is beyond the limit: a regression, with [`CONFIDENCE`].
    Regressed,
    /// The whole interval is within the limit.
    Fine,
    /// The interval straddles the limit, or there is none (one sample): more rounds decide it.
    Undecided,
}

impl Estimate {
    /// Builds an estimate from the mean of logs and, when there is one, the standard error and
    /// degrees of freedom of the interval. `None` when any of them is not usable (non-finite,
    /// negative standard error, non-positive df) or the point does not fit in an `f64`.
    fn from_logs(log_mean: f64, spread: Option<(f64, f64)>, n: usize) -> Option<Estimate> {
        Estimate::from_logs_at(log_mean, spread, n, CONFIDENCE)
    }

    /// [`Estimate::from_logs`] with the t quantile of two-sided level `confidence`.
    fn from_logs_at(log_mean: f64, spread: Option<(f64, f64)>, n: usize, confidence: f64) -> Option<Estimate> {
        let point = log_mean.exp();
        if !log_mean.is_finite() || !point.is_finite() || point <= 0.0 {
            return None;
        }
        let Some((se, df)) = spread else {
            return Some(Estimate { point, interval: None, n, log_mean, log_se: None, df: None });
        };
        if !(se.is_finite() && se >= 0.0 && df > 0.0) {
            return None;
        }
        let half = if se == 0.0 { 0.0 } else { t_quantile(0.5 + confidence / 2.0, df) * se };
        if !half.is_finite() {
            return None;
        }
        let interval = if half == 0.0 {
            Interval { lower: point, upper: point }
        } else {
            Interval { lower: (log_mean - half).exp(), upper: (log_mean + half).exp() }
        };
        Some(Estimate { point, interval: Some(interval), n, log_mean, log_se: Some(se), df: Some(df) })
    }

    /// The relative half-width of the interval, `sqrt(upper / lower) - 1`: the "±" of
    /// "1.29x ±3%" (0.03 there). `None` without an interval.
    pub(crate) fn relative_half_width(&self) -> Option<f64> {
        self.interval.map(|i| (i.upper / i.lower).sqrt() - 1.0)
    }

    /// Whether `x` lies within the interval (bounds included); `false` without an interval.
    #[cfg(test)]
    pub(crate) fn contains(&self, x: f64) -> bool {
        self.interval.is_some_and(|i| i.lower <= x && x <= i.upper)
    }

    /// The verdict on an estimate that is a speedup (a ratio where > 1 means faster), with a
    /// relative noise band `noise` (use [`NOISE`] by default), as criterion separates them:
    /// [`Verdict::Faster`] when `lower > 1 + noise`, [`Verdict::Slower`] when
    /// `upper < 1 / (1 + noise)`, [`Verdict::NoChange`] when the whole interval lies within the
    /// band, [`Verdict::Inconclusive`] when it reaches both into the band and beyond it,
    /// [`Verdict::Unknown`] without an interval.
    ///
    /// With no true change, `Faster` or `Slower` comes out in at most 5 % of comparisons (2.5 %
    /// each way), less with a positive noise band. A NaN `noise` gives `Inconclusive`.
    pub(crate) fn verdict(&self, noise: f64) -> Verdict {
        let Some(interval) = self.interval else {
            return Verdict::Unknown;
        };
        let band = 1.0 + noise;
        if interval.lower > band {
            Verdict::Faster
        } else if interval.upper < 1.0 / band {
            Verdict::Slower
        } else if interval.lower >= 1.0 / band && interval.upper <= band {
            Verdict::NoChange
        } else {
            Verdict::Inconclusive
        }
    }

    /// The estimate of the reciprocal quantity, `1 / x`: the point inverted, the bounds inverted
    /// and swapped, `log_mean` negated; standard error, df and n unchanged. Turns a speedup
    /// (then/now) into a slowdown (now/then) and back (up to rounding).
    pub(crate) fn inverse(&self) -> Estimate {
        Estimate {
            point: (-self.log_mean).exp(),
            interval: self.interval.map(|i| Interval { lower: 1.0 / i.upper, upper: 1.0 / i.lower }),
            n: self.n,
            log_mean: -self.log_mean,
            log_se: self.log_se,
            df: self.df,
        }
    }
}

/// The typical build time of a series of builds: the geometric mean of `samples` with a t
/// interval on their logarithms (df = n - 1).
///
/// `None` on empty input or when any sample is not finite and > 0. A single sample gives its
/// value with no interval.
pub(crate) fn geometric(samples: &[f64]) -> Option<Estimate> {
    geometric_at(samples, CONFIDENCE)
}

/// [`geometric`] with a t quantile of two-sided level `confidence` ([`STOPPING_CONFIDENCE`] for
/// a time the stopping rule watched).
pub(crate) fn geometric_at(samples: &[f64], confidence: f64) -> Option<Estimate> {
    let logs = samples.iter().map(|&x| ln_positive(x)).collect::<Option<Vec<_>>>()?;
    one_sample(&logs, confidence)
}

/// The speedup of a new toolchain over a baseline from builds paired by round: each pair is
/// `(baseline time, new time)` measured in the same round, its ratio is `baseline / new` (2.0 =
/// twice as fast), and the estimate is the geometric mean of the ratios with a t interval on the
/// log ratios (df = n - 1).
///
/// This is the main estimate: pairing cancels a machine's drift between rounds, so only the noise
/// within a round remains. `None` on empty input or when any time is not finite and > 0; a single
/// pair gives its ratio with no interval.
pub(crate) fn paired_speedup(pairs: &[(f64, f64)]) -> Option<Estimate> {
    paired_speedup_at(pairs, CONFIDENCE)
}

/// [`paired_speedup`] with a t quantile of two-sided level `confidence` ([`STOPPING_CONFIDENCE`]
/// for a speedup the stopping rule watched).
pub(crate) fn paired_speedup_at(pairs: &[(f64, f64)], confidence: f64) -> Option<Estimate> {
    let logs = pairs.iter().map(|&(baseline, new)| log_ratio(baseline, new)).collect::<Option<Vec<_>>>()?;
    one_sample(&logs, confidence)
}

/// The speedup `baseline / new` from two independent samples (say a report saved on another day
/// against today's builds): the difference of the mean logs, with Welch's standard error and the
/// Welch–Satterthwaite degrees of freedom, which do not assume both sides are equally noisy.
///
/// The interval needs at least two samples on each side; `n` is the smaller of the two sample
/// sizes. `None` when either side is empty or any time is not finite and > 0.
///
/// Prefer [`paired_speedup`] when the builds were interleaved: unpaired, a machine's drift shows
/// up as noise (a wider interval) or, if the two sides were built at different times, as bias.
#[cfg(test)]
pub(crate) fn unpaired_speedup(baseline: &[f64], new: &[f64]) -> Option<Estimate> {
    unpaired_speedup_between(baseline, new, None)
}

/// [`unpaired_speedup`] of two runs made on different occasions, with the variance a machine adds
/// between runs: `between` is `(v, df)`, the variance of the log change between two runs of the
/// very same code on this machine and its degrees of freedom (from the history's repeat runs).
/// Welch's variance alone shrinks with more builds while the machine's mood of the day does not
/// average out: a project that did not change failed the gate in up to 11 % of runs. The
/// interval's variance is Welch's plus `v`, its df the Satterthwaite combination of both.
pub(crate) fn unpaired_speedup_between(baseline: &[f64], new: &[f64], between: Option<(f64, f64)>) -> Option<Estimate> {
    let base_logs = baseline.iter().map(|&x| ln_positive(x)).collect::<Option<Vec<_>>>()?;
    let new_logs = new.iter().map(|&x| ln_positive(x)).collect::<Option<Vec<_>>>()?;
    let (base_mean, base_var) = mean_and_variance(&base_logs)?;
    let (new_mean, new_var) = mean_and_variance(&new_logs)?;
    let (nb, nn) = (base_logs.len(), new_logs.len());
    let spread = match (base_var, new_var) {
        (Some(vb), Some(vn)) => {
            let (wb, wn) = (vb / nb as f64, vn / nn as f64);
            let var = wb + wn;
            let df = if var > 0.0 {
                // Welch–Satterthwaite, written with the shares of the variance so that tiny
                // variances cannot underflow to 0 / 0.
                let (fb, fn_) = (wb / var, wn / var);
                1.0 / (fb * fb / (nb - 1) as f64 + fn_ * fn_ / (nn - 1) as f64)
            } else {
                (nb + nn - 2) as f64
            };
            match between {
                Some((v, dv)) if v.is_finite() && v >= 0.0 && dv > 0.0 => {
                    let total = var + v;
                    let (fw, fv) = if total > 0.0 { (var / total, v / total) } else { (1.0, 0.0) };
                    Some((total.sqrt(), 1.0 / (fw * fw / df + fv * fv / dv)))
                }
                _ => Some((var.sqrt(), df)),
            }
        }
        _ => None,
    };
    Estimate::from_logs(base_mean - new_mean, spread, nb.min(nn))
}

/// The variance of the log change between two runs of the same code on one machine, from the
/// log changes between repeat runs (`ln(median_{i+1} / median_i)` of consecutive runs of one
/// commit and setup), with its degrees of freedom: the mean of their squares (a change between
/// two runs of the same code has mean zero, and each one's expected square is twice a run's
/// variance: exactly the variance of a comparison of two runs), `(v, df)`. Consecutive changes
/// share a run (a lag-1 correlation of -1/2), so `m` of them carry the degrees of freedom of
/// `2m² / (3m - 1)` independent ones, not `m`: 2.9 at the minimum of four. `None` with fewer than
/// [`MIN_REPEAT_CHANGES`] changes or any that is not finite.
pub(crate) fn between_run_variance(log_changes: &[f64]) -> Option<(f64, f64)> {
    if log_changes.len() < MIN_REPEAT_CHANGES || !log_changes.iter().all(|c| c.is_finite()) {
        return None;
    }
    let m = log_changes.len() as f64;
    let v = log_changes.iter().map(|c| c * c).sum::<f64>() / m;
    Some((v, 2.0 * m * m / (3.0 * m - 1.0)))
}

/// The fewest run-to-run changes of one commit that estimate a machine's between-run variance
/// (five repeat runs).
pub(crate) const MIN_REPEAT_CHANGES: usize = 4;

/// Combines estimates of one speedup made independently on several machines (each machine ran
/// the whole comparison on its own) into one estimate of the speedup across machines.
///
/// Only log ratios are combined, never absolute times. Machines differ in more than noise (a
/// different CPU can gain more from a compiler change), so this is a random-effects
/// meta-analysis: the DerSimonian–Laird estimate of the between-machine variance τ², inverse
/// variance weights `1 / (se² + τ²)`, and the Hartung–Knapp–Sidik–Jonkman interval, which uses a
/// t distribution with k - 1 degrees of freedom and a variance rescaled by the observed scatter.
/// The rescaling factor is floored at 1 (the "modified" HKSJ of Röver, Knapp & Friede 2015, as
/// recommended by Jackson et al. 2017), so that machines that agree more closely than their own
/// standard errors suggest never get an interval narrower than the plain DerSimonian–Laird one:
/// per-machine standard errors from a handful of rounds are themselves noisy, and without the
/// floor the interval undercovers (about 91–92 % for 4 machines of 5 rounds each in simulation,
/// against about 97 % with it). With k - 1 df the interval is honest about how little a few
/// machines tell: two machines give a wide interval (t with 1 df), and one that disagrees with
/// the other widens it further.
///
/// Degenerate cases:
/// - no blocks, or a block with a non-finite `log_mean` or a non-finite or negative `log_se`:
///   `None`;
/// - one block: that block (with `n` = 1);
/// - some block without a standard error (n = 1), or with a zero one: the blocks' log ratios are
///   taken as plain samples, the t interval of their mean with k - 1 df (unweighted, which is the
///   random-effects answer when the between-machine spread dominates).
///
/// The result's `n` is the number of blocks (machines); its `log_se` and `df` are those of the
/// merged interval.
pub(crate) fn merge(blocks: &[Estimate]) -> Option<Estimate> {
    let valid = |b: &Estimate| b.log_mean.is_finite() && b.log_se.is_none_or(|se| se.is_finite() && se >= 0.0);
    if blocks.is_empty() || !blocks.iter().all(valid) {
        return None;
    }
    if let [only] = blocks {
        return Some(Estimate { n: 1, ..*only });
    }
    let logs: Vec<f64> = blocks.iter().map(|b| b.log_mean).collect();
    let ses = blocks.iter().map(|b| b.log_se.filter(|&se| se > 0.0)).collect::<Option<Vec<f64>>>();
    match ses {
        Some(ses) => random_effects(&logs, &ses),
        None => one_sample(&logs, CONFIDENCE),
    }
}

/// The DerSimonian–Laird random-effects mean of `logs` (with standard errors `ses`, all > 0) and
/// its modified Hartung–Knapp–Sidik–Jonkman interval with k - 1 df. Requires k ≥ 2.
fn random_effects(logs: &[f64], ses: &[f64]) -> Option<Estimate> {
    let k = logs.len();
    let fixed: Vec<f64> = ses.iter().map(|se| 1.0 / (se * se)).collect();
    let sum_w: f64 = fixed.iter().sum();
    let sum_w2: f64 = fixed.iter().map(|w| w * w).sum();
    let fixed_mean = weighted_mean(logs, &fixed)?;
    let q: f64 = logs.iter().zip(&fixed).map(|(y, w)| w * (y - fixed_mean).powi(2)).sum();
    let c = sum_w - sum_w2 / sum_w;
    let tau2 = if c > 0.0 { ((q - (k - 1) as f64) / c).max(0.0) } else { 0.0 };
    let random: Vec<f64> = ses.iter().map(|se| 1.0 / (se * se + tau2)).collect();
    let mean = weighted_mean(logs, &random)?;
    let sum_random: f64 = random.iter().sum();
    let scatter = logs.iter().zip(&random).map(|(y, w)| w * (y - mean).powi(2)).sum::<f64>() / (k - 1) as f64;
    let se = (scatter.max(1.0) / sum_random).sqrt();
    Estimate::from_logs(mean, Some((se, (k - 1) as f64)), k)
}

/// Where the speedup of one more machine of the kind merged would fall, as its own report
/// would show it: the 95 % prediction interval μ̂ ± t_{k−1}(0.975) · s · √(1 + 1/k), centred on
/// [`merge`]'s mean μ̂, with s the standard deviation of the machines' own log speedups (each
/// machine's spread and its measurement error together, as a new machine's figure has both).
/// [`merge`]'s interval answers "what is the mean over machines"; this one answers "what will
/// one more runner measure", and it does not shrink to nothing as machines are added while they
/// really differ.
///
/// Higgins, Thompson & Spiegelhalter's (2009) μ̂ ± t_{k−2} · √(τ̂² + se²(μ̂)) was tried first and
/// left: with a DerSimonian–Laird τ̂², which is often 0 when machines differ by about their own
/// measurement error, it held a new machine's true speedup in as few as 89.5 % of simulated
/// merges (6 machines of 5 rounds, τ 3 %) and its measured speedup in as few as 72 % (12
/// machines, τ 0). This one held the measured speedup in 94.3-95.7 % and the true one in
/// 94.9-100 % of them, for 3 to 12 machines and τ from 0 to 20 % (the tests in
/// `report/merge.rs` check a grid of them).
///
/// `None` with fewer than three blocks: two machines give one degree of freedom for their
/// spread, too little to say where a third would fall.
pub(crate) fn predict(blocks: &[Estimate]) -> Option<Estimate> {
    let k = blocks.len();
    if k < 3 {
        return None;
    }
    let mean = merge(blocks)?;
    let logs: Vec<f64> = blocks.iter().map(|b| b.log_mean).collect();
    let variance = mean_and_variance(&logs)?.1?;
    Estimate::from_logs(mean.log_mean, Some(((variance * (1.0 + 1.0 / k as f64)).sqrt(), (k - 1) as f64)), k)
}

/// The weighted mean of `values`; `None` if it is not finite.
fn weighted_mean(values: &[f64], weights: &[f64]) -> Option<f64> {
    let total: f64 = weights.iter().sum();
    let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
    mean.is_finite().then_some(mean)
}

/// rustc-perf's significance threshold from a history of run-to-run relative changes of one
/// quantity (each a fraction, e.g. +0.03 for 3 % slower, -0.02 for 2 % faster): Q3 + 3 × IQR of
/// the absolute changes, with quartiles interpolated linearly between order statistics (numpy's
/// default). A new change larger than the threshold is unusual for this quantity on this machine.
///
/// `None` with fewer than 4 changes or when any is not finite. The changes must come from
/// comparable runs (same machine, project, profile and toolchain), and the caller needs at least
/// 5 such runs (4 changes) before it has a threshold at all; with so few, the threshold itself is
/// rough.
pub(crate) fn noise_threshold(changes: &[f64]) -> Option<f64> {
    if changes.len() < 4 || !changes.iter().all(|c| c.is_finite()) {
        return None;
    }
    let mut magnitudes: Vec<f64> = changes.iter().map(|c| c.abs()).collect();
    magnitudes.sort_by(f64::total_cmp);
    let q1 = quantile_of_sorted(&magnitudes, 0.25)?;
    let q3 = quantile_of_sorted(&magnitudes, 0.75)?;
    Some(q3 + 3.0 * (q3 - q1))
}

/// Checks a slowdown (an estimate of the now / then time ratio, > 1 = slower; see
/// [`Estimate::inverse`] to turn a speedup into one) against a limit of `max_regression_pct`
/// percent: with `limit = 1 + max_regression_pct / 100`,
/// - [`Gate::Regressed`] when `lower > limit`: the whole interval is beyond the limit, so a true
///   slowdown at the limit trips it in at most 2.5 % of runs;
/// - [`Gate::Fine`] when `upper <= limit`: the whole interval is within it, so a true slowdown at
///   the limit passes in at most 2.5 % of runs;
/// - [`Gate::Undecided`] otherwise, and always without an interval: one sample decides nothing,
///   however far it lies.
///
/// A NaN limit compares false everywhere and gives `Undecided`.
pub(crate) fn gate(slowdown: &Estimate, max_regression_pct: f64) -> Gate {
    let limit = 1.0 + max_regression_pct / 100.0;
    match slowdown.interval {
        Some(interval) if interval.lower > limit => Gate::Regressed,
        Some(interval) if interval.upper <= limit => Gate::Fine,
        _ => Gate::Undecided,
    }
}

/// How many times faster `new` is than `baseline` (2.0 means half the time), from two single
/// values; `None` when either is not a positive time. For a ratio with an interval use
/// [`paired_speedup`] or [`unpaired_speedup`].
pub(crate) fn ratio(baseline: f64, new: f64) -> Option<f64> {
    (baseline > 0.0 && new > 0.0 && baseline.is_finite() && new.is_finite()).then(|| baseline / new)
}

/// The median of `samples` (the mean of the two middle values for an even count). `None` on empty
/// input or when any sample is not finite.
pub(crate) fn median(samples: &[f64]) -> Option<f64> {
    if !samples.iter().all(|x| x.is_finite()) {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_of_sorted(&sorted, 0.5)
}

/// The `p` quantile of sorted values by linear interpolation between order statistics (numpy's
/// default, "type 7"). `None` on empty input.
fn quantile_of_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = last as f64 * p.clamp(0.0, 1.0);
    let below = (position.floor() as usize).min(last);
    let above = (below + 1).min(last);
    let (lo, hi) = (*sorted.get(below)?, *sorted.get(above)?);
    Some(lo + (position - below as f64) * (hi - lo))
}

/// The estimate of a log-scale quantity from a plain sample of logs: their mean with a t interval
/// (df = n - 1). `None` on empty input.
fn one_sample(logs: &[f64], confidence: f64) -> Option<Estimate> {
    let (mean, variance) = mean_and_variance(logs)?;
    let n = logs.len();
    let spread = variance.map(|v| ((v / n as f64).sqrt(), (n - 1) as f64));
    Estimate::from_logs_at(mean, spread, n, confidence)
}

/// The mean and, with at least two values, the sample variance (divisor n - 1) of `values`.
/// `None` on empty input or when the results are not finite.
///
/// The mean is taken as an offset from the first value, so identical values give exactly that
/// value and exactly zero variance.
fn mean_and_variance(values: &[f64]) -> Option<(f64, Option<f64>)> {
    let (&first, _) = values.split_first()?;
    let n = values.len() as f64;
    let mean = first + values.iter().map(|v| v - first).sum::<f64>() / n;
    if !mean.is_finite() {
        return None;
    }
    if values.len() < 2 {
        return Some((mean, None));
    }
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    variance.is_finite().then_some((mean, Some(variance)))
}

/// The natural logarithm of a time, if it is finite and > 0.
fn ln_positive(x: f64) -> Option<f64> {
    (x.is_finite() && x > 0.0).then(|| x.ln())
}

/// `ln(baseline / new)` for two times that are finite and > 0, computed from the quotient when it
/// is a normal number (exact ratios stay exact) and as a difference of logs otherwise.
fn log_ratio(baseline: f64, new: f64) -> Option<f64> {
    let (lb, ln) = (ln_positive(baseline)?, ln_positive(new)?);
    let ratio = baseline / new;
    Some(if ratio.is_normal() { ratio.ln() } else { lb - ln })
}

// ---------------------------------------------------------------------------------------------
// The Student t distribution.
// ---------------------------------------------------------------------------------------------

/// Above this many degrees of freedom the t distribution is computed from the normal one with
/// asymptotic corrections (negligible error; the incomplete beta's continued fraction would need
/// thousands of terms there and lose accuracy).
const HUGE_DF: f64 = 1e7;

/// The Student t quantile: the `t` with `P(T ≤ t) = p` for `df` degrees of freedom.
///
/// `df` may be fractional (Welch) and infinite (the normal distribution). Closed forms for df = 1
/// and 2; above 1e7 df the Cornish–Fisher expansion from the normal quantile (Abramowitz & Stegun
/// 26.7.5), whose error is then below `f64` resolution; otherwise that expansion (or the normal
/// quantile, for df < 3) refined by safeguarded Newton iterations on [`t_cdf`]'s tail, which comes
/// from the regularized incomplete beta function. Checked against 50-digit references: about
/// 1e-12 relative for df up to 1e5, 1e-10 up to 1e7, and as good for fractional df below 1.
///
/// `p = 0` and `p = 1` give -∞ and +∞; `p` outside [0, 1], NaN, or `df` not > 0 give NaN.
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    // By symmetry, solve for the upper tail q = P(T > t) < 0.5 (1 - p is exact for p ≥ 0.5).
    if p > 0.5 { upper_t_quantile(1.0 - p, df) } else { -upper_t_quantile(p, df) }
}

/// The Student t distribution function `P(T ≤ t)` for `df` degrees of freedom (fractional and
/// infinite allowed): `I_x(df/2, 1/2) / 2` with `x = df / (df + t²)` on the lower side (Numerical
/// Recipes' `betai`), a normal approximation with error O(1/df²) above 1e7 df. Checked against
/// 50-digit references: about 1e-14 absolute (1e-12 for df near 1e6), and for t < 0 about 1e-13
/// relative down to underflow (1e-10 in the far tails for df above 1e5).
///
/// NaN `t`, or `df` NaN or not > 0, give NaN.
#[cfg(test)]
pub(crate) fn t_cdf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let tail = t_upper_tail(t.abs(), df);
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// `P(T > t)` for `t ≥ 0`.
fn t_upper_tail(t: f64, df: f64) -> f64 {
    if t.is_infinite() {
        return 0.0;
    }
    if t == 0.0 {
        return 0.5;
    }
    if df.is_infinite() {
        return normal_upper_tail(t);
    }
    if df > HUGE_DF {
        // A normal approximation with error O(1/df²).
        let z = t * (1.0 - 0.25 / df) / (1.0 + 0.5 * t * t / df).sqrt();
        return normal_upper_tail(z);
    }
    // P(T > t) = I_x(df/2, 1/2) / 2 with x = df / (df + t²); compute x, 1 - x and their logs
    // without forming t² (which could overflow) or 1 - x (which would cancel).
    let root = df.sqrt();
    let (x, y, ln_x, ln_y) = if t <= root {
        let u = (t / root).powi(2);
        let ln_1pu = u.ln_1p();
        (1.0 / (1.0 + u), u / (1.0 + u), -ln_1pu, u.ln() - ln_1pu)
    } else {
        // s = df / t² may underflow while its log, and so the tail, is still representable.
        let ln_s = 2.0 * (root.ln() - t.ln());
        let s = ln_s.exp();
        let ln_1ps = s.ln_1p();
        (s / (1.0 + s), 1.0 / (1.0 + s), ln_s - ln_1ps, -ln_1ps)
    };
    let a = 0.5 * df;
    let ln_beta = 0.5 * PI.ln() - ln_gamma_ratio_half(a);
    0.5 * beta_regularized(a, 0.5, x, y, ln_x, ln_y, ln_beta)
}

/// The Student t density at `t`.
fn t_density(t: f64, df: f64) -> f64 {
    let root = df.sqrt();
    let t = t.abs();
    // ln(1 + t² / df) without overflow.
    let ln_1p = if t <= root { (t / root).powi(2).ln_1p() } else { 2.0 * (t / root).ln() + (root / t).powi(2).ln_1p() };
    (ln_gamma_ratio_half(0.5 * df) - 0.5 * (df * PI).ln() - 0.5 * (df + 1.0) * ln_1p).exp()
}

/// The upper-tail quantile: the `t > 0` with `P(T > t) = q`, for `0 < q < 0.5`.
fn upper_t_quantile(q: f64, df: f64) -> f64 {
    if df == 1.0 {
        return 1.0 / (PI * q).tan();
    }
    if df == 2.0 {
        return (1.0 - 2.0 * q) / (2.0 * q * (1.0 - q)).sqrt();
    }
    let z = normal_upper_quantile(q);
    if df.is_infinite() {
        return z;
    }
    let guess = cornish_fisher(z, df);
    if df > HUGE_DF {
        return guess;
    }
    // Safeguarded Newton: the tail is decreasing and convex in t > 0, so Newton steps from below
    // the root approach it monotonically; a step that leaves the bracket is replaced by
    // bisection (geometric while the bracket spans orders of magnitude) or, with no upper
    // bound yet, by doubling.
    let mut t = if df >= 3.0 && guess.is_finite() && guess > 0.0 { guess } else { z };
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    for _ in 0..4000 {
        let excess = t_upper_tail(t, df) - q;
        if excess == 0.0 {
            return t;
        }
        if excess > 0.0 {
            lo = t;
        } else {
            hi = t;
        }
        let mut next = t + excess / t_density(t, df);
        if !(next > lo && next < hi) {
            next = if hi.is_infinite() {
                2.0 * t
            } else if lo > 0.0 && hi > 4.0 * lo {
                lo.sqrt() * hi.sqrt()
            } else {
                0.5 * (lo + hi)
            };
        }
        if !next.is_finite() {
            return next;
        }
        if (next - t).abs() <= 4.0 * f64::EPSILON * next || (hi.is_finite() && hi - lo <= 4.0 * f64::EPSILON * hi) {
            return next;
        }
        t = next;
    }
    t
}

/// The Cornish–Fisher expansion of the t quantile in terms of the normal quantile `z`
/// (Abramowitz & Stegun 26.7.5), good for moderate and large `df`.
fn cornish_fisher(z: f64, df: f64) -> f64 {
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// `ln Γ(a + 1/2) - ln Γ(a)` for `a > 0`, without the cancellation of two large logs when `a` is
/// large (Stirling's series for both terms, subtracted analytically).
fn ln_gamma_ratio_half(a: f64) -> f64 {
    if a < 10.0 {
        return ln_gamma(a + 0.5) - ln_gamma(a);
    }
    // The tail of Stirling's series, ln Γ(z) - [(z - 1/2) ln z - z + ln(2π)/2].
    let series = |z: f64| {
        let w = 1.0 / (z * z);
        (1.0 / 12.0 - w * (1.0 / 360.0 - w * (1.0 / 1260.0 - w / 1680.0))) / z
    };
    // (a) ln(a + 1/2) - (a - 1/2) ln a - 1/2 = ln(a)/2 + a ln(1 + 1/(2a)) - 1/2.
    0.5 * a.ln() + (a * (0.5 / a).ln_1p() - 0.5) + (series(a + 0.5) - series(a))
}

/// `ln Γ(x)` for `x > 0` (Lanczos approximation, g = 7, about 1e-15 relative).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Γ(x) = Γ(x + 1) / x keeps the approximation where it is accurate.
        return ln_gamma(x + 1.0) - x.ln();
    }
    let x = x - 1.0;
    let sum =
        COEFFICIENTS.iter().skip(1).enumerate().fold(COEFFICIENTS[0], |acc, (i, c)| acc + c / (x + (i + 1) as f64));
    let t = x + G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularized incomplete beta function `I_x(a, b)`, given `y = 1 - x`, both logs and
/// `ln B(a, b)` (so the caller can compute them without cancellation). Numerical Recipes' `betai`:
/// the continued fraction on whichever side converges fast.
fn beta_regularized(a: f64, b: f64, x: f64, y: f64, ln_x: f64, ln_y: f64, ln_beta: f64) -> f64 {
    if ln_x == f64::NEG_INFINITY {
        return 0.0;
    }
    if ln_y == f64::NEG_INFINITY {
        return 1.0;
    }
    let front = (a * ln_x + b * ln_y - ln_beta).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, y) / b
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz), Numerical Recipes'
/// `betacf`.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=100_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let even = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + even * d);
        c = guard(1.0 + even / c);
        h *= d * c;
        let odd = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + odd * d);
        c = guard(1.0 + odd / c);
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() <= 2.0 * f64::EPSILON {
            break;
        }
    }
    h
}

/// The standard normal upper tail `P(Z > z)`, from the regularized incomplete gamma function:
/// `erfc(x) = Q(1/2, x²)`.
fn normal_upper_tail(z: f64) -> f64 {
    let upper = 0.5 * gamma_q_half(0.5 * z * z);
    if z >= 0.0 { upper } else { 1.0 - upper }
}

/// The standard normal upper quantile: the `z` with `P(Z > z) = q`, for `0 < q ≤ 0.5`. Acklam's
/// rational approximation (about 1e-9 relative) polished by two Newton steps.
fn normal_upper_quantile(q: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let poly = |coefficients: &[f64], x: f64| coefficients.iter().fold(0.0, |acc, c| acc * x + c);
    // The lower-tail quantile of q, which is -z.
    let lower = if q < 0.02425 {
        let r = (-2.0 * q.ln()).sqrt();
        poly(&C, r) / (poly(&D, r) * r + 1.0)
    } else {
        let u = q - 0.5;
        let r = u * u;
        poly(&A, r) * u / (poly(&B, r) * r + 1.0)
    };
    let mut z = -lower;
    for _ in 0..2 {
        let density = (-0.5 * z * z).exp() / (2.0 * PI).sqrt();
        if density > 0.0 {
            z += (normal_upper_tail(z) - q) / density;
        }
    }
    z
}

/// The regularized upper incomplete gamma function `Q(1/2, x)` for `x ≥ 0` (Numerical Recipes'
/// series below `a + 1`, continued fraction above).
fn gamma_q_half(x: f64) -> f64 {
    const A: f64 = 0.5;
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + A * x.ln() - 0.5 * PI.ln()).exp(); // ln Γ(1/2) = ln √π
    if x < A + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / A, 1.0 / A, A);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        const TINY: f64 = 1e-300;
        let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
        let mut b = x + 1.0 - A;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let i = f64::from(i);
            let an = -i * (i - A);
            b += 2.0;
            d = 1.0 / guard(an * d + b);
            c = guard(b + an / c);
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() <= 2.0 * f64::EPSILON {
                break;
            }
        }
        front * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::schedule::round_order;

    use crate::testing::Rng;

    /// Simulated repetitions per statistical test.
    const RUNS: usize = 2000;
    /// Log-normal noise on each build time.
    const SIGMA: f64 = 0.05;
    /// The true speedup in the coverage simulations.
    const SPEEDUP: f64 = 1.25;
    /// The baseline's build time (seconds); irrelevant to ratios, but keeps numbers realistic.
    const BASE: f64 = 40.0;

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
    fn paired_rounds(rng: &mut Rng, rounds: usize, speedup: f64, sigma: f64) -> Vec<(f64, f64)> {
        (0..rounds).map(|_| (BASE * rng.noise(sigma), BASE / speedup * rng.noise(sigma))).collect()
    }

    /// `n` build times with median `BASE / speedup` and σ noise.
    fn times(rng: &mut Rng, n: usize, speedup: f64, sigma: f64) -> Vec<f64> {
        (0..n).map(|_| BASE / speedup * rng.noise(sigma)).collect()
    }

    /// `hits / runs` as a fraction.
    fn rate(hits: usize, runs: usize) -> f64 {
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
            assert!(t >= z && t - z < 4.0 / df + 1e-15, "df {df}: {t}");
        }
        assert_close(t_quantile(0.975, 1e6), z + (z * z * z + z) / 4e6, 1e-10);
    }

    #[test]
    fn t_quantile_is_antisymmetric_and_monotone() {
        for df in [0.4, 1.0, 1.7, 2.0, 3.0, 4.5, 12.0, 250.0, 1e8, f64::INFINITY] {
            let mut previous = f64::NEG_INFINITY;
            for p in [1e-10, 0.001, 0.025, 0.2, 0.4999, 0.5, 0.5001, 0.8, 0.975, 0.999, 1.0 - 1e-10] {
                let t = t_quantile(p, df);
                assert!(t > previous, "df {df}, p {p}: {t} after {previous}");
                previous = t;
            }
            for p in [1e-10, 0.001, 0.025, 0.2, 0.4999, 0.5] {
                // `upper` is 1 - p rounded; `lower` is exactly 1 - upper.
                let upper = 1.0 - p;
                let lower = 1.0 - upper;
                let (t, mirrored) = (t_quantile(lower, df), t_quantile(upper, df));
                assert!(close(-mirrored, t, 1e-12) || t == 0.0 && mirrored == 0.0, "df {df}, p {p}: {t} vs {mirrored}");
            }
        }
        // More degrees of freedom, thinner tails, smaller quantiles; fractional df in between.
        let ladder: Vec<f64> =
            [1.0, 1.5, 2.0, 2.5, 3.0, 7.3, 30.0, 1e3].iter().map(|&df| t_quantile(0.975, df)).collect();
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
        // Far tails stay relatively accurate where df / t² underflows.
        assert_close(t_cdf(-1e200, 1.0), 1.0 / (PI * 1e200), 1e-12);
        assert_close(t_cdf(-1e100, 2.0), 0.5e-200, 1e-12); // 1 / (2 t²)
        assert_eq!(t_cdf(0.0, 5.0), 0.5);
        assert_eq!(t_cdf(f64::INFINITY, 5.0), 1.0);
        assert_eq!(t_cdf(f64::NEG_INFINITY, 5.0), 0.0);
        assert_close(t_cdf(1.959_963_984_540_054, f64::INFINITY), 0.975, 1e-14);
        assert_close(t_cdf(-1.0, f64::INFINITY), 0.158_655_253_931_457_05, 1e-13);
        assert_close(t_cdf(-8.0, f64::INFINITY), 6.220_960_574_271_785e-16, 1e-10);
    }

    #[test]
    fn t_cdf_is_symmetric_and_inverts_t_quantile() {
        for df in [0.3, 0.8, 1.0, 1.5, 2.0, 2.7, 4.0, 9.5, 33.3, 1e4, 3e6, 5e7, f64::INFINITY] {
            for t in [0.01, 0.5, 1.96, 3.0, 7.0] {
                assert!((t_cdf(-t, df) - (1.0 - t_cdf(t, df))).abs() < 1e-14, "df {df}, t {t}");
            }
            for p in [1e-8, 0.01, 0.025, 0.3, 0.6, 0.9, 0.975] {
                let back = t_cdf(t_quantile(p, df), df);
                assert!(close(back, p, 1e-9), "df {df}, p {p}: {back}");
            }
        }
    }

    #[test]
    fn extreme_quantiles_invert() {
        for df in [1.0, 1.000_001, 1.5, 2.5, 3.0, 30.0, 1e4] {
            let t = t_quantile(1e-300, df);
            assert!(t.is_finite() && close(t_cdf(t, df), 1e-300, 1e-9), "df {df}: {t}");
        }
        // Beyond the largest f64: the quantile is infinite.
        assert_eq!(t_quantile(1e-100, 0.3), f64::NEG_INFINITY);
        assert_eq!(t_quantile(0.6, 1e-5), f64::INFINITY);
    }

    #[test]
    fn t_functions_reject_nonsense_without_panicking() {
        for (p, df) in [(f64::NAN, 3.0), (-0.1, 3.0), (1.1, 3.0), (0.9, 0.0), (0.9, -1.0), (0.9, f64::NAN)] {
            assert!(t_quantile(p, df).is_nan(), "t_quantile({p}, {df})");
        }
        assert_eq!(t_quantile(0.0, 3.0), f64::NEG_INFINITY);
        assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
        assert_eq!(t_quantile(0.5, 3.0), 0.0);
        for (t, df) in [(f64::NAN, 3.0), (1.0, 0.0), (1.0, -2.0), (1.0, f64::NAN)] {
            assert!(t_cdf(t, df).is_nan(), "t_cdf({t}, {df})");
        }
        // Extreme but valid: huge quantiles for tiny df stay finite or infinite, never NaN.
        for (p, df) in [(1.0 - 1e-16, 0.05), (1e-300, 0.5), (1e-300, 3.0), (0.75, 1e-3)] {
            assert!(!t_quantile(p, df).is_nan(), "t_quantile({p}, {df})");
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
        let block =
            paired_speedup(&[(1.25, 1.0), (1.3, 1.0), (1.2, 1.0), (1.27, 1.0), (1.23, 1.0)]).expect("valid pairs");
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
        let hits =
            (0..RUNS).filter(|_| geometric(&times(&mut rng, n, 1.0, SIGMA)).expect("valid").contains(BASE)).count();
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
        // standard errors) at every ratio from 0.2 to 8, with the engine's 5 to 30 rounds and
        // with a budget that cuts the rounds short (any maximum from 5 to 30).
        let target: f64 = 0.05;
        let se = (0.95 * 0.05 / STOP_RUNS as f64).sqrt();
        let mut worst = (1.0, 0.0);
        let ratios = [0.2, 0.3, 0.5, 0.7, 1.0, 1.4, 1.7, 2.0, 2.5, 2.8, 4.0, 5.7, 8.0];
        for (i, ratio) in ratios.iter().enumerate() {
            // The paired sd is √2 × a build's log sd.
            let sigma = ratio * (1.0 + target).ln() / 2f64.sqrt();
            for max in [30, 12, 5] {
                let mut rng = Rng::new(960 + 3 * i as u64 + max as u64);
                let (mut covered, mut rounds) = (0, 0);
                for _ in 0..STOP_RUNS {
                    let (e, n) = stopped_at_precision(&mut rng, target, 5, max, sigma);
                    covered += usize::from(e.contains(SPEEDUP));
                    rounds += n;
                }
                let coverage = rate(covered, STOP_RUNS);
                if max == 30 {
                    eprintln!(
                        "stopping at ±5 %, paired sd / ln 1.05 = {ratio}: coverage {:.1} % (±{:.1}), {:.1} rounds",
                        100.0 * coverage,
                        100.0 * se,
                        rounds as f64 / STOP_RUNS as f64
                    );
                }
                if coverage < worst.0 {
                    worst = (coverage, *ratio);
                }
                assert!(coverage >= 0.95 - 3.0 * se, "ratio {ratio}, at most {max} rounds: {coverage}");
            }
        }
        eprintln!("worst coverage {:.2} % at ratio {}", 100.0 * worst.0, worst.1);
    }

    /// The gate's real rule (`engine::imprecise` with `gate_pct`): after the minimum of 5 rounds,
    /// rounds of a tree-against-revision pair are added while its interval (at
    /// [`STOPPING_CONFIDENCE`]) is wider than ±5 % or the gate has not decided it, at most 30.
    /// Returns how the gate ended for a true slowdown `slowdown` (now / then) at paired noise
    /// `sigma` (of the log ratio), against a `limit_pct` limit.
    fn gate_run(rng: &mut Rng, slowdown: f64, sigma: f64, limit_pct: f64) -> Gate {
        let build = sigma / 2f64.sqrt();
        let mut pairs = paired_rounds(rng, 5, 1.0 / slowdown, build);
        loop {
            let speedup = paired_speedup_at(&pairs, STOPPING_CONFIDENCE).expect("valid");
            let decided = gate(&paired_speedup_at(&pairs, GATE_CONFIDENCE).expect("valid").inverse(), limit_pct);
            let precise = speedup.relative_half_width().is_some_and(|w| w <= 0.05);
            if pairs.len() >= 30 || (precise && decided != Gate::Undecided) {
                return decided;
            }
            pairs.extend(paired_rounds(rng, 1, 1.0 / slowdown, build));
        }
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

    #[test]
    fn the_gate_passes_an_unchanged_project_and_fails_a_30_percent_regression() {
        // Issue 29: within what rounds the rule gives it, the gate passes a project that did not
        // change and fails one 30 % slower, each in at least 95 % of runs, at the paired noise of
        // clean builds (2-5 %) and of rebuilds (up to 10 %). At the limit itself the rule looks
        // again every round, so a change of exactly +10 % is called regressed more often than a
        // single look's 1.3 %; the rate is measured here and stated in docs/gate.md.
        let runs = 4000;
        let se = (0.95 * 0.05 / runs as f64).sqrt();
        for (i, sigma) in [0.02, 0.05, 0.10].into_iter().enumerate() {
            let mut rng = Rng::new(990 + i as u64);
            let rate_of = |rng: &mut Rng, slowdown: f64, outcome: Gate| {
                (0..runs).filter(|_| gate_run(rng, slowdown, sigma, 10.0) == outcome).count() as f64 / runs as f64
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
}
