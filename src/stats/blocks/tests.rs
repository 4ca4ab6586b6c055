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
    let (estimates, pooling) = speedups(&[a, b], 0, CONFIDENCE);
    assert_eq!(pooling, Pooling::PerPair);
    assert_eq!(estimates[0], None);
    assert_eq!(estimates[1], paired_speedup(&pairs));
}

#[test]
fn three_subjects_pool_the_two_way_residuals() {
    // Logs: round effects 0 and ln 2, toolchain effects 0, -ln 2, -ln 4, and residuals ±e in a
    // pattern whose rows and columns sum to zero: the residual variance is 4e²/2 = 2e² (2 df).
    let e: f64 = 0.01;
    let effects = [0.0, -2f64.ln(), -4f64.ln()];
    let residual = [[e, -e, 0.0], [-e, e, 0.0]];
    let subject = |c: usize| -> Vec<(usize, f64)> {
        (0..2).map(|r| (r, (r as f64 * 2f64.ln() + effects[c] + residual[r][c]).exp())).collect()
    };
    let (estimates, pooling) = speedups(&[subject(0), subject(1), subject(2)], 0, CONFIDENCE);
    assert_eq!(pooling, Pooling::Pooled);
    let second = estimates[1].expect("a speedup");
    assert!((second.point - 2.0).abs() < 1e-12, "{second:?}");
    let se = (2.0 * 2.0 * e * e / 2.0).sqrt();
    assert!((second.log_se.expect("se") - se).abs() < 1e-12, "{second:?}");
    assert_eq!(second.df, Some(2.0));
    let half = t_quantile(0.975, 2.0) * se;
    assert!((second.relative_half_width().expect("interval") - half.exp_m1()).abs() < 1e-12);
    assert!((estimates[2].expect("a speedup").point - 4.0).abs() < 1e-12);
}

#[test]
fn a_missing_cell_leaves_its_round_out_of_the_pooled_variance_only() {
    let mut rng = crate::testing::Rng::new(5);
    let mut subjects: Vec<Vec<(usize, f64)>> =
        (0..4).map(|c| (0..6).map(|r| (r, 10.0 / (1.0 + 0.1 * c as f64) * rng.noise(0.02))).collect()).collect();
    subjects[2].remove(3);
    let (estimates, pooling) = speedups(&subjects, 0, CONFIDENCE);
    assert_eq!(pooling, Pooling::Pooled);
    // Five complete rounds: (5 - 1)(4 - 1) df; the pairs without the gap keep their six rounds.
    assert_eq!(estimates[1].expect("a speedup").df, Some(12.0));
    assert_eq!(estimates[1].expect("a speedup").n, 6);
    assert_eq!(estimates[2].expect("a speedup").n, 5);
    // With a single complete round there is nothing to pool: each pair on its own.
    for r in 1..6 {
        subjects[3].retain(|(round, _)| *round != r);
    }
    let (_, pooling) = speedups(&subjects, 0, CONFIDENCE);
    assert_eq!(pooling, Pooling::PerPair);
}

#[test]
fn a_much_noisier_toolchain_falls_back_to_its_pair() {
    let mut rng = crate::testing::Rng::new(6);
    let subjects: Vec<Vec<(usize, f64)>> =
        (0..5).map(|c| (0..10).map(|r| (r, 10.0 * rng.noise(if c == 3 { 0.2 } else { 0.01 }))).collect()).collect();
    assert_eq!(speedups(&subjects, 0, CONFIDENCE).1, Pooling::PerPair);
}

#[test]
fn identical_times_pool_to_a_point_and_bad_times_are_left_out() {
    let subjects = vec![series(&[4.0, 4.0, 4.0]), series(&[2.0, 2.0, 2.0]), series(&[1.0, 1.0, f64::NAN])];
    let (estimates, pooling) = speedups(&subjects, 0, CONFIDENCE);
    assert_eq!(pooling, Pooling::Pooled);
    assert_eq!(estimates[2].expect("a speedup").n, 2);
    assert_eq!(estimates[1].expect("a speedup").relative_half_width(), Some(0.0));
    assert_eq!(speedups(&[], 0, CONFIDENCE).0, Vec::<Option<Estimate>>::new());
    assert_eq!(speedups(&subjects, 7, CONFIDENCE).0, vec![None, None, None]);
}
