//! Confidence intervals for build times and speedups.
//!
//! This module owns the statistics of cargo-timewarp: typical build times ([`geometric`]),
//! speedups between two toolchains measured in the same rounds ([`paired_speedup`]) or on
//! different occasions ([`unpaired_speedup`]), the combination of per-machine speedups
//! ([`merge`]), the judgements drawn from them ([`Estimate::verdict`], [`gate`]), the
//! significance threshold learnt from a history of runs ([`noise_threshold`]) and the Student t
//! quantile they all rest on ([`t_quantile`], from `statrs`).
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

mod blocks;

pub(crate) use blocks::speedups;

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
    pub(crate) lower: f64,
    /// The upper bound.
    pub(crate) upper: f64,
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
    pub(crate) point: f64,
    /// The [`CONFIDENCE`] interval; `None` when there are too few samples to have one (n = 1).
    pub(crate) interval: Option<Interval>,
    /// The number of samples (times, pairs, or merged blocks) behind the estimate.
    pub(crate) n: usize,
    /// The mean of the logarithms (of times or of ratios).
    pub(crate) log_mean: f64,
    /// The standard error of `log_mean`; `None` together with `interval`.
    pub(crate) log_se: Option<f64>,
    /// The degrees of freedom of the t distribution used for the interval (fractional for
    /// Welch); `None` together with `interval`.
    pub(crate) df: Option<f64>,
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

/// Above this many degrees of freedom the t quantile is the normal one with the Cornish–Fisher
/// expansion (Abramowitz & Stegun 26.7.5), whose error there is below 1e-13 relative: `statrs`'
/// inverse incomplete beta, exact to about 1e-13 up to 1e3 df, drifts beyond (6e-5 at 1e6 df).
const HUGE_DF: f64 = 1e3;

/// The smallest tail probability [`t_quantile`] answers: `statrs`' inverse is exact to about
/// 1e-12 in the tails every interval here uses (0.95 to 0.995 two-sided) and to 1e-9 down to
/// tails of 1e-4, but is 9 % off at 1e-8 with 1 df and panics at 1e-300.
const TINY_TAIL: f64 = 1e-4;

/// The Student t quantile: the `t` with `P(T ≤ t) = p` for `df` degrees of freedom, from
/// `statrs` (the inverse regularized incomplete beta function). `df` may be fractional (Welch)
/// and infinite (the normal distribution). Exact to about 1e-9 relative for df ≥ 1 (every df
/// this module makes is at least 1) and tails of at least 1e-4; a fractional df below 1 is
/// answered, less accurately.
///
/// `p = 0` and `p = 1` give -∞ and +∞; `p` outside [0, 1], NaN, within 1e-4 of 0 or 1 (but not
/// on them), or `df` not > 0 give NaN.
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    if !(0.0..=1.0).contains(&p) || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    match p {
        0.5 => return 0.0,
        0.0 => return f64::NEG_INFINITY,
        1.0 => return f64::INFINITY,
        _ if p.min(1.0 - p) < 0.999 * TINY_TAIL => return f64::NAN,
        _ => {}
    }
    if df > HUGE_DF {
        let z = Normal::standard().inverse_cdf(p);
        let z2 = z * z;
        let g1 = z * (z2 + 1.0) / 4.0;
        let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
        let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
        let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
        return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

#[cfg(test)]
mod tests;
