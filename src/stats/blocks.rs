//! Speedups of several toolchains measured in the same rounds, estimated together.
//!
//! In each round every toolchain builds once, so a round is a block: the machine's mood of the
//! round (drift, a background job that lasts the round) is shared by its builds. On log times
//! the two-way additive model `ln t[r][c] = round[r] + toolchain[c] + ε` removes it, and the
//! residual variance, pooled over all toolchains, has (n − 1)(k − 1) degrees of freedom instead
//! of a pair's n − 1: two rounds of six toolchains give 5 df, where one pair gives 1 (a t quantile
//! of 2.57 instead of 12.7). Each speedup is the difference of two toolchain effects, with the
//! standard error √(2σ̂²/n).
//!
//! Pooling assumes the toolchains are about equally noisy; when one is noisier, its pairs'
//! variance is larger than the pooled one says. So each speedup takes the larger of the two: its
//! own pair's interval (variance and n − 1 df) when its standard error is larger than the pooled
//! one, else the pooled one. The simulations (`stats::tests::simulation`) chose this over Bartlett's
//! test on the per-toolchain residual variances (at level 0.2 it missed a toolchain twice as
//! noisy often enough to leave its speedup at 93.3 % coverage) and over a threshold of 1.3 on the
//! ratio of the two standard errors (93.8 %). A scenario with fewer than two rounds in which
//! every toolchain built, or with two toolchains (where pooled and paired are the same thing),
//! uses each pair's own interval.

use super::{Estimate, log_ratio, one_sample};

/// The speedups of every subject over `base` from each subject's `(round, time)` builds, at
/// two-sided level `confidence`: `result[j]` is `base time / j's time` (2.0 = `j` twice as
/// fast), `None` at `base` and for a subject that shares no round with it.
///
/// Each point is the geometric mean of the pair's own ratios over the rounds both built (so a
/// round another subject missed still counts for the pair); pooled, its standard error is
/// √(2σ̂²/n) with σ̂² from the rounds every subject built and (n_c − 1)(k − 1) df, unless the
/// pair's own standard error is larger: then the pair's own interval. Times that are not finite
/// and > 0 are left out as if not built.
pub(crate) fn speedups(series: &[Vec<(usize, f64)>], base: usize, confidence: f64) -> Vec<Option<Estimate>> {
    let times: Vec<Vec<(usize, f64)>> =
        series.iter().map(|s| s.iter().copied().filter(|(_, t)| t.is_finite() && *t > 0.0).collect()).collect();
    let logs: Vec<Vec<(usize, f64)>> = times.iter().map(|s| s.iter().map(|&(r, t)| (r, t.ln())).collect()).collect();
    let pooled = pooled_variance(&logs);
    (0..times.len())
        .map(|j| {
            if j == base || base >= times.len() {
                return None;
            }
            let ratios: Vec<f64> = times[base]
                .iter()
                .filter_map(|(r, b)| times[j].iter().find(|(o, _)| o == r).and_then(|(_, y)| log_ratio(*b, *y)))
                .collect();
            let own = one_sample(&ratios, confidence)?;
            let Some((variance, df)) = pooled else { return Some(own) };
            let se = (2.0 * variance / ratios.len() as f64).sqrt();
            if own.log_se.is_some_and(|own_se| own_se > se) {
                return Some(own);
            }
            Estimate::from_logs_at(own.log_mean, Some((se, df)), own.n, confidence)
        })
        .collect()
}

/// The two-way model's residual variance of the rounds in which every subject built, and its
/// degrees of freedom, `(σ̂², (n − 1)(k − 1))`; `None` with fewer than three subjects or two such
/// rounds.
fn pooled_variance(logs: &[Vec<(usize, f64)>]) -> Option<(f64, f64)> {
    let k = logs.len();
    if k < 3 {
        return None;
    }
    let rows: Vec<Vec<f64>> = logs[0]
        .iter()
        .filter_map(|(r, _)| logs.iter().map(|s| s.iter().find(|(o, _)| o == r).map(|(_, y)| *y)).collect())
        .collect();
    let n = rows.len();
    if n < 2 {
        return None;
    }
    let row_means: Vec<f64> = rows.iter().map(|row| row.iter().sum::<f64>() / k as f64).collect();
    let col_means: Vec<f64> = (0..k).map(|c| rows.iter().map(|row| row[c]).sum::<f64>() / n as f64).collect();
    let grand = row_means.iter().sum::<f64>() / n as f64;
    let mut squares = 0.0;
    for (row, mean) in rows.iter().zip(&row_means) {
        for (c, y) in row.iter().enumerate() {
            squares += (y - mean - col_means[c] + grand).powi(2);
        }
    }
    let df = ((n - 1) * (k - 1)) as f64;
    let variance = squares / df;
    variance.is_finite().then_some((variance, df))
}

/// The variance of a pair's log ratio that moves slower than a round, from its per-round log
/// `ratios` in run order: the first half's mean against the second's, beyond what the scatter
/// within each half predicts, `max(0, ((m₁ − m₂)² − s₁²/n₁ − s₂²/n₂) / 2)` (method of moments,
/// one difference, floored at 0). What pairing within a run cannot see and a rerun would: not
/// used by the report yet (docs/statistics.md, "What the interval covers"). `None` with fewer
/// than four rounds.
#[cfg(test)]
pub(crate) fn slow_variance(ratios: &[f64]) -> Option<f64> {
    if ratios.len() < 4 {
        return None;
    }
    let (first, second) = ratios.split_at(ratios.len() / 2);
    let (m1, v1) = super::mean_and_variance(first)?;
    let (m2, v2) = super::mean_and_variance(second)?;
    let excess = (m1 - m2).powi(2) - v1? / first.len() as f64 - v2? / second.len() as f64;
    Some((excess / 2.0).max(0.0))
}

#[cfg(test)]
mod tests;
