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
//! Pooling assumes the toolchains are about equally noisy. When Bartlett's test on the
//! per-toolchain residual variances says they are not (at [`FALLBACK_LEVEL`]), every speedup of
//! the scenario falls back to its own pair's variance ([`super::paired_speedup_at`]); so does a
//! scenario with fewer than two rounds in which every toolchain built, or only two toolchains
//! (where both are the same thing).

use super::{Estimate, log_ratio, one_sample};

/// The level of the homogeneity test below which the pooled variance is not used. A liberal
/// level: a false fallback only costs width (the pair's own, correct, interval), a missed
/// difference in noise costs the noisier pairs' coverage. Chosen by simulation
/// (`stats::tests::simulation`): with it, an unchanged machine falls back in about a fifth of
/// the runs that get past five rounds.
pub(crate) const FALLBACK_LEVEL: f64 = 0.2;

/// How a scenario's speedups were estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pooling {
    /// From the two-way model's residual variance, pooled over the toolchains.
    Pooled,
    /// Each from its own pair's variance.
    PerPair,
}

/// The speedups of every subject over `base` from each subject's `(round, time)` builds, at
/// two-sided level `confidence`: `result[j]` is `base time / j's time` (2.0 = `j` twice as
/// fast), `None` at `base` and for a subject that shares no round with it; and how they were
/// estimated.
///
/// Each point is the geometric mean of the pair's own ratios over the rounds both built (so a
/// round another subject missed still counts for the pair); pooled, its standard error is
/// √(2σ̂²/n) with σ̂² from the rounds every subject built and (n_c − 1)(k − 1) df. Times that are
/// not finite and > 0 are left out as if not built.
pub(crate) fn speedups(series: &[Vec<(usize, f64)>], base: usize, confidence: f64) -> (Vec<Option<Estimate>>, Pooling) {
    let times: Vec<Vec<(usize, f64)>> =
        series.iter().map(|s| s.iter().copied().filter(|(_, t)| t.is_finite() && *t > 0.0).collect()).collect();
    let logs: Vec<Vec<(usize, f64)>> = times.iter().map(|s| s.iter().map(|&(r, t)| (r, t.ln())).collect()).collect();
    let pooled = pooled_variance(&logs);
    let pooling = if pooled.is_some() { Pooling::Pooled } else { Pooling::PerPair };
    let estimates = (0..times.len())
        .map(|j| {
            if j == base || base >= times.len() {
                return None;
            }
            let ratios: Vec<f64> = times[base]
                .iter()
                .filter_map(|(r, b)| times[j].iter().find(|(o, _)| o == r).and_then(|(_, y)| log_ratio(*b, *y)))
                .collect();
            let own = one_sample(&ratios, confidence)?;
            match pooled {
                Some((variance, df)) => {
                    let se = (2.0 * variance / ratios.len() as f64).sqrt();
                    Estimate::from_logs_at(own.log_mean, Some((se, df)), own.n, confidence)
                }
                None => Some(own),
            }
        })
        .collect();
    (estimates, pooling)
}

/// The two-way model's residual variance of the rounds in which every subject built, and its
/// degrees of freedom, `(σ̂², (n − 1)(k − 1))`; `None` with fewer than three subjects or two such
/// rounds, or when the subjects' residual variances are not alike ([`homogeneous`]).
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
    let mut per_column = vec![0.0; k];
    for (row, mean) in rows.iter().zip(&row_means) {
        for (c, y) in row.iter().enumerate() {
            per_column[c] += (y - mean - col_means[c] + grand).powi(2);
        }
    }
    let df = ((n - 1) * (k - 1)) as f64;
    let variance = per_column.iter().sum::<f64>() / df;
    (variance.is_finite() && homogeneous(&per_column, n)).then_some((variance, df))
}

/// Bartlett's test that the subjects' residual sums of squares `per_column` (over `n` complete
/// rounds) come from equal variances, each with (n − 1)(k − 1)/k df: `false` when it rejects at
/// [`FALLBACK_LEVEL`]. With two rounds each has under one df and nothing can be told: pooled.
/// All zero (identical times) is alike; some zero and some not is not.
fn homogeneous(per_column: &[f64], n: usize) -> bool {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    let k = per_column.len() as f64;
    if n < 3 || per_column.iter().all(|s| *s == 0.0) {
        return true;
    }
    if per_column.contains(&0.0) {
        return false;
    }
    let df_c = (n - 1) as f64 * (k - 1.0) / k;
    let df = df_c * k;
    let pooled = per_column.iter().sum::<f64>() / df;
    let spread: f64 = per_column.iter().map(|s| df_c * (s / df_c / pooled).ln()).sum();
    let correction = 1.0 + (k / df_c - 1.0 / df) / (3.0 * (k - 1.0));
    let statistic = -spread / correction;
    ChiSquared::new(k - 1.0).is_ok_and(|chi| chi.sf(statistic) >= FALLBACK_LEVEL)
}

#[cfg(test)]
mod tests;
