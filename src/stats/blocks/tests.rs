use super::*;
use crate::stats::{CONFIDENCE, paired_speedup, t_quantile};

/// `(round, time)` builds of rounds 0, 1, 2, ….
fn series(times: &[f64]) -> Vec<(usize, f64)> {
    times.iter().copied().enumerate().collect()
}

#[test]
fn two_subjects_are_their_pair() {
    let (a, b) = (series(&[10.0, 11.0, 10.5]), series(&[5.0, 5.8, 5.1]));
    let pairs: Vec<(f64, f64)> = a.iter().zip(&b).map(|(x, y)| (x.1, y.1)).collect();
    let estimates = speedups(&[a, b], 0, CONFIDENCE);
    assert_eq!(estimates[0], None);
    assert_eq!(estimates[1], paired_speedup(&pairs));
}

#[test]
fn three_subjects_pool_the_two_way_residuals_unless_a_pair_is_noisier() {
    // Logs: round effects 0 and ln 2, toolchain effects 0, -ln 2, -ln 4, and residuals whose rows
    // and columns sum to zero: the residual variance is 12e²/2 = 6e² with 2 df.
    let e: f64 = 0.01;
    let effects = [0.0, -2f64.ln(), -4f64.ln()];
    let residual = [[e, e, -2.0 * e], [-e, -e, 2.0 * e]];
    let subject = |c: usize| -> Vec<(usize, f64)> {
        (0..2).map(|r| (r, (r as f64 * 2f64.ln() + effects[c] + residual[r][c]).exp())).collect()
    };
    let estimates = speedups(&[subject(0), subject(1), subject(2)], 0, CONFIDENCE);
    // Toolchain 1 moves with the base (its own variance is 0): the pooled √(2 · 6e² / 2).
    let second = estimates[1].expect("a speedup");
    assert!((second.point - 2.0).abs() < 1e-12, "{second:?}");
    let se = 6f64.sqrt() * e;
    assert!((second.log_se.expect("se") - se).abs() < 1e-12, "{second:?}");
    assert_eq!(second.df, Some(2.0));
    let half = t_quantile(0.975, 2.0) * se;
    assert!((second.relative_half_width().expect("interval") - half.exp_m1()).abs() < 1e-12);
    // Toolchain 2's ratios are 4e^(±3e): its own standard error 3e is larger, so its own interval.
    let third = estimates[2].expect("a speedup");
    assert!((third.point - 4.0).abs() < 1e-12, "{third:?}");
    assert!((third.log_se.expect("se") - 3.0 * e).abs() < 1e-12, "{third:?}");
    assert_eq!(third.df, Some(1.0));
}

#[test]
fn a_missing_cell_leaves_its_round_out_of_the_pooled_variance_only() {
    // Toolchain 1 keeps the base's pace exactly, so its pair always takes the pooled variance.
    let mut rng = crate::testing::Rng::new(5);
    let base: Vec<f64> = (0..6).map(|_| 10.0 * rng.noise(0.02)).collect();
    let mut subjects: Vec<Vec<(usize, f64)>> = (0..4)
        .map(|c| {
            let noise = if c < 2 { 1.0 } else { rng.noise(0.02) };
            base.iter().map(|t| t / (1.0 + 0.1 * c as f64) * noise).enumerate().collect()
        })
        .collect();
    subjects[2].remove(3);
    let estimates = speedups(&subjects, 0, CONFIDENCE);
    // Five complete rounds: (5 - 1)(4 - 1) df; the pairs without the gap keep their six rounds.
    assert_eq!((estimates[1].expect("a speedup").df, estimates[1].expect("a speedup").n), (Some(12.0), 6));
    assert_eq!(estimates[2].expect("a speedup").n, 5);
    // With a single complete round there is nothing to pool: each pair on its own (n - 1 df).
    subjects[3].retain(|(round, _)| *round == 0);
    let estimates = speedups(&subjects, 0, CONFIDENCE);
    assert_eq!(estimates[1].expect("a speedup").df, Some(5.0));
}

#[test]
fn a_much_noisier_toolchain_keeps_its_own_interval_and_the_others_pool() {
    let mut rng = crate::testing::Rng::new(6);
    let subjects: Vec<Vec<(usize, f64)>> =
        (0..5).map(|c| (0..10).map(|r| (r, 10.0 * rng.noise(if c == 3 { 0.2 } else { 0.01 }))).collect()).collect();
    let estimates = speedups(&subjects, 0, CONFIDENCE);
    assert_eq!(estimates[3].expect("a speedup").df, Some(9.0));
    assert_eq!(estimates[1].expect("a speedup").df, Some(36.0));
}

#[test]
fn identical_times_pool_to_a_point_and_bad_times_are_left_out() {
    let subjects = vec![series(&[4.0, 4.0, 4.0]), series(&[2.0, 2.0, 2.0]), series(&[1.0, 1.0, f64::NAN])];
    let estimates = speedups(&subjects, 0, CONFIDENCE);
    assert_eq!(estimates[2].expect("a speedup").n, 2);
    assert_eq!(estimates[1].expect("a speedup").relative_half_width(), Some(0.0));
    assert_eq!(speedups(&[], 0, CONFIDENCE), Vec::<Option<Estimate>>::new());
    assert_eq!(speedups(&subjects, 7, CONFIDENCE), vec![None, None, None]);
}
