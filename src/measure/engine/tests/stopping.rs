//! The stopping rule and the budget, through whole runs on synthetic build times.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// A build time of `base` seconds for `1.63.0` and `base / speedup` for `1.85.0`, times a
/// factor from `noise` (log-normal, deterministic), times the machine's `drift(build)`.
pub(crate) fn synthetic(
    base: f64,
    speedup: f64,
    noise: f64,
    drift: impl Fn(usize) -> f64 + Send + Sync + 'static,
) -> impl Fn(usize, &CommandSpec) -> f64 + Send + Sync + 'static {
    let counter = Arc::new(AtomicUsize::new(0));
    move |_, cmd| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let line = cmd.to_string();
        let time = if line.contains("timewarp/1.85.0") { base / speedup } else { base };
        // A SplitMix64 step turned into a normal deviate (Box–Muller).
        let mix = |x: u64| {
            let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let (u1, u2) = (mix(2 * n as u64 + 1).max(1e-12), mix(2 * n as u64 + 2));
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        time * (noise * z).exp() * drift(n)
    }
}

fn precision(target: f64, budget_s: u64) -> Stopping {
    Stopping::Precision(Precision { target, budget: Duration::from_secs(budget_s), ..Precision::DEFAULT })
}

#[test]
fn a_clean_round_that_no_longer_fits_leaves_the_cheap_rebuilds_their_rounds() {
    // Clean builds of 60 s with 8 % noise never get within ±5 % in a 10-minute budget; the
    // 1 s touched rebuilds, noisier still, need every round they can get. Before, the whole run
    // ended when the next full round did not fit, and the rebuilds ended with it.
    let scenarios = vec![Scenario::Clean, Scenario::Touched];
    let both = [toolchain("1.63.0"), toolchain("1.85.0")];
    let s = setup(scenarios, precision(0.05, 600));
    let clean = synthetic(60.0, 1.25, 0.08, |_| 1.0);
    let touched = synthetic(1.0, 1.25, 0.15, |_| 1.0);
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", move |i, cmd| {
        if cmd.to_string().contains("/scratch") { clean(i, cmd) } else { touched(i, cmd) }
    });
    let (outcome, log) = run_with(&s, &runner, &both, &|| false);
    let rounds = |sc: Scenario| outcome.measured[1].samples[&sc].len();
    assert!(rounds(Scenario::Clean) < rounds(Scenario::Touched), "{:?}", log.rounds);
    assert!(rounds(Scenario::Touched) > Precision::DEFAULT.min_rounds, "{}", rounds(Scenario::Touched));
    assert_eq!(outcome.stop, StopReason::Budget, "a scenario was left out for the budget: {:?}", log.rounds);
    assert!(outcome.elapsed <= Duration::from_secs(600), "never past the budget: {:?}", outcome.elapsed);
}

#[test]
fn the_stopping_rule_ends_early_on_quiet_data_and_spends_the_budget_on_noisy_data() {
    let scenarios = vec![Scenario::Clean, Scenario::Touched];
    let both = [toolchain("1.63.0"), toolchain("1.85.0")];
    // Quiet: 0.5 % noise, so the minimum of five rounds pins every speedup within ±5 %.
    let s = setup(scenarios.clone(), precision(0.05, 3600));
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, 1.25, 0.005, |_| 1.0));
    let (quiet, log) = run_with(&s, &runner, &both, &|| false);
    assert_eq!((quiet.rounds, quiet.stop), (Precision::DEFAULT.min_rounds, StopReason::Precise), "{:?}", log.rounds);
    // Noisy: 30 % noise never gets within ±2 %; the 10-minute budget ends it.
    let s = setup(scenarios, precision(0.02, 600));
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, 1.25, 0.3, |_| 1.0));
    let (noisy, log) = run_with(&s, &runner, &both, &|| false);
    assert_eq!(noisy.stop, StopReason::Budget, "{:?}", log.rounds);
    assert!(noisy.rounds > Precision::DEFAULT.min_rounds, "it spent more rounds: {}", noisy.rounds);
    assert!(noisy.elapsed <= Duration::from_secs(600), "and never more than the budget: {:?}", noisy.elapsed);
    assert!(noisy.elapsed > Duration::from_secs(450), "but most of it: {:?}", noisy.elapsed);
    let widest = log.rounds.last().unwrap().widest.clone().unwrap();
    assert!(widest.0 > 0.02, "the progress shows the widest interval: {widest:?}");
}

#[test]
fn a_round_leaves_out_what_is_precise_but_keeps_the_baseline_it_pairs_with() {
    let scenarios = vec![Scenario::Clean, Scenario::Touched];
    let s = setup(scenarios, precision(0.05, 3600));
    // Clean builds are quiet, touched rebuilds noisy: later rounds rebuild, and clean no more.
    let quiet_clean = synthetic(10.0, 1.25, 0.005, |_| 1.0);
    let noisy_touched = synthetic(1.0, 1.25, 0.1, |_| 1.0);
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", move |n, cmd| {
        if cmd.to_string().contains("/scratch") || n < 2 { quiet_clean(n, cmd) } else { noisy_touched(n, cmd) }
    });
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let min = Precision::DEFAULT.min_rounds;
    assert!(outcome.rounds > min, "{outcome:?}");
    for m in &outcome.measured {
        assert_eq!(walls(m, Scenario::Clean).len(), min, "clean was precise after the minimum: {m:?}");
        assert_eq!(walls(m, Scenario::Touched).len(), outcome.rounds, "the baseline pairs every round");
    }
}

/// A machine whose speed drifts by 20 % over the run: pairing the two toolchains' builds of
/// each round, in a rotating order, cancels it.
#[test]
fn a_linear_drift_leaves_the_paired_estimate_within_one_percent() {
    let truth = 1.25;
    let s = setup(vec![Scenario::Clean], Stopping::Fixed(BTreeMap::from([(Scenario::Clean, 10)])));
    let drift = |n: usize| 1.0 + 0.2 * n as f64 / 20.0;
    let runner = FakeRunner::new().ok("rustup which", &s.rustc).timing("build", synthetic(10.0, truth, 0.01, drift));
    let (outcome, _) = run_with(&s, &runner, &[toolchain("1.63.0"), toolchain("1.85.0")], &|| false);
    let (base, new) = (&outcome.measured[0].samples[&Scenario::Clean], &outcome.measured[1].samples[&Scenario::Clean]);
    let error = (stats::paired_speedup(&pairs(base, new)).unwrap().point / truth - 1.0).abs();
    assert!(error < 0.01, "paired in rounds: off by {:.2}%", error * 100.0);
}
