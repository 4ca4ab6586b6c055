//! Summaries of repeated timings and the ratios between them. Pure: it never asks where the
//! numbers came from.

use serde::{Deserialize, Serialize};

/// A measurement repeated `runs_s.len()` times, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Summary {
    /// The middle run (mean of the two middle runs for an even count): robust to one outlier.
    pub median_s: f64,
    /// Arithmetic mean.
    pub mean_s: f64,
    /// Sample standard deviation (0 for a single run).
    pub stddev_s: f64,
    /// Fastest run.
    pub min_s: f64,
    /// Slowest run.
    pub max_s: f64,
    /// Every run in the order it was taken.
    pub runs_s: Vec<f64>,
}

impl Summary {
    /// Summarises `runs`; `None` when there are none.
    pub fn of(runs: &[f64]) -> Option<Summary> {
        if runs.is_empty() {
            return None;
        }
        let mut sorted = runs.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        let mean = runs.iter().sum::<f64>() / n as f64;
        let variance = if n > 1 { runs.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1) as f64 } else { 0.0 };
        Some(Summary {
            median_s: median,
            mean_s: mean,
            stddev_s: variance.sqrt(),
            min_s: sorted[0],
            max_s: sorted[n - 1],
            runs_s: runs.to_vec(),
        })
    }

    /// Coefficient of variation (stddev / mean); 0 when the mean is 0.
    pub fn relative_spread(&self) -> f64 {
        if self.mean_s > 0.0 { self.stddev_s / self.mean_s } else { 0.0 }
    }

    /// Whether the runs disagree enough that the median should not be trusted alone: a
    /// coefficient of variation over 5 % or a run more than 1.5 times the median.
    pub fn is_noisy(&self) -> bool {
        self.relative_spread() > 0.05 || self.max_s > 1.5 * self.median_s
    }
}

/// How many times faster `new` is than `baseline` (2.0 means half the time); `None` when either
/// is not a positive time.
pub(crate) fn speedup(baseline: f64, new: f64) -> Option<f64> {
    (baseline > 0.0 && new > 0.0).then(|| baseline / new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_and_even_medians() {
        let s = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median_s, s.min_s, s.max_s, s.mean_s), (2.0, 1.0, 3.0, 2.0));
        assert_eq!(s.runs_s, [3.0, 1.0, 2.0]);
        assert!((s.stddev_s - 1.0).abs() < 1e-12);
        assert_eq!(Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median_s, 2.5);
        assert!(Summary::of(&[]).is_none());
    }

    #[test]
    fn single_run_has_no_spread() {
        let s = Summary::of(&[1.5]).unwrap();
        assert_eq!(s.stddev_s, 0.0);
        assert!(!s.is_noisy());
    }

    #[test]
    fn noise_by_spread_or_outlier() {
        assert!(!Summary::of(&[1.00, 1.01, 0.99, 1.02]).unwrap().is_noisy());
        assert!(Summary::of(&[1.0, 1.2, 0.8]).unwrap().is_noisy());
        // Low spread overall but one run far over the median.
        assert!(Summary::of(&[1.0; 40].iter().copied().chain([1.6]).collect::<Vec<_>>()).unwrap().is_noisy());
    }

    #[test]
    fn speedups() {
        assert_eq!(speedup(26.1, 14.7).map(|s| (s * 100.0).round() / 100.0), Some(1.78));
        assert_eq!(speedup(2.0, 2.0), Some(1.0));
        assert_eq!(speedup(0.0, 1.0), None);
        assert_eq!(speedup(1.0, 0.0), None);
    }
}
