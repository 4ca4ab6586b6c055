//! The stopping rule on its own: hand-made samples in, the next round's cells (or why there is
//! none) out, with no build run.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::measure::build::Recipe;
use crate::measure::engine::outcome::Sample;
use crate::measure::engine::plan::Variant;
use crate::measure::engine::verify::Verification;
use crate::testing::toolchain;
use crate::vocab::Profile;

fn plan(scenarios: &[Scenario], stopping: Stopping) -> Plan {
    let recipe = Recipe {
        root: "/w".into(),
        manifest_path: "/w/Cargo.toml".into(),
        packages: Vec::new(),
        profile: Profile::Dev,
        link_dir: None,
        jobs: None,
        cargo_home: "/w/home".into(),
        timeout: None,
        lockfile_version: None,
        overrides: Default::default(),
        env: crate::process::Env::default(),
    };
    let verify = Verification { package: None, file: "src/main.rs".into() };
    Plan {
        variants: vec![Variant { tag: None, recipe, verify, deep: None, skip: BTreeMap::new() }],
        scenarios: scenarios.to_vec(),
        stopping,
        crates: None,
        floors: BTreeMap::new(),
    }
}

/// A subject of toolchain `version` whose builds of each scenario took these wall times, one
/// round each.
fn run(version: &str, walls: &[(Scenario, &[f64])]) -> Run {
    let sample = |round, wall_s| Sample { round, wall_s, cpu_s: None, peak_rss: None, link: None, compiled: None };
    let samples = walls.iter().map(|(s, w)| (*s, w.iter().enumerate().map(|(r, w)| sample(r, *w)).collect())).collect();
    Run::with_samples(toolchain(version), samples)
}

fn precision(min_rounds: usize, max_rounds: usize) -> Stopping {
    Stopping::Precision(Precision {
        min_rounds,
        max_rounds,
        max_rebuild_rounds: max_rounds,
        ..Precision::DEFAULT.with_target(0.05)
    })
}

const QUIET: &[f64] = &[10.0, 10.01, 9.99, 10.0, 10.02, 9.98];
const FASTER_QUIET: &[f64] = &[8.0, 8.01, 7.99, 8.0, 8.02, 7.98];
const NOISY: &[f64] = &[10.0, 6.0, 13.0, 7.0, 12.0, 8.0];

#[test]
fn fixed_rounds_give_each_scenario_its_count_then_stop() {
    let counts = BTreeMap::from([(Scenario::Clean, 1), (Scenario::Touched, 2)]);
    let plan = plan(&[Scenario::Clean, Scenario::Touched], Stopping::Fixed(counts));
    let runs = [run("1.63.0", &[]), run("1.85.0", &[])];
    let (cells, cut) = next_round(&plan, &runs, 0, Duration::ZERO).unwrap();
    assert_eq!(cells.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Scenario::Clean, Scenario::Touched]);
    assert!(!cut);
    let (cells, _) = next_round(&plan, &runs, 1, Duration::ZERO).unwrap();
    assert_eq!(cells.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Scenario::Touched]);
    assert_eq!(next_round(&plan, &runs, 2, Duration::ZERO), Err(StopReason::Fixed));
}

#[test]
fn every_subject_runs_until_the_minimum_then_precise_ones_stop() {
    let plan = plan(&[Scenario::Clean], precision(5, 30));
    let runs = [run("1.63.0", &[(Scenario::Clean, QUIET)]), run("1.85.0", &[(Scenario::Clean, FASTER_QUIET)])];
    let (cells, _) = next_round(&plan, &runs, 4, Duration::ZERO).unwrap();
    assert_eq!(cells, [(Scenario::Clean, vec![0, 1])], "before the minimum, whatever the data");
    assert_eq!(next_round(&plan, &runs, 6, Duration::ZERO), Err(StopReason::Precise));
    assert_eq!(next_round(&plan, &runs, 30, Duration::ZERO), Err(StopReason::Precise), "precise, not cut");
    let (noisy, quiet) = (cycle(NOISY, 30), cycle(FASTER_QUIET, 30));
    let noisy = [run("1.63.0", &[(Scenario::Clean, &noisy)]), run("1.85.0", &[(Scenario::Clean, &quiet)])];
    assert_eq!(next_round(&plan, &noisy, 30, Duration::ZERO), Err(StopReason::MaxRounds));
}

/// `values` repeated to `n` builds.
fn cycle(values: &[f64], n: usize) -> Vec<f64> {
    values.iter().copied().cycle().take(n).collect()
}

/// Rebuilds go on to their own most rounds (80 by default) for their own target (±3 %) after a
/// clean build has stopped at its 30th.
#[test]
fn rebuilds_go_on_past_the_clean_builds_most_rounds() {
    let plan = plan(&[Scenario::Clean, Scenario::Touched], Stopping::Precision(Precision::DEFAULT));
    let after = |clean: usize, touched: usize| {
        [
            run("1.63.0", &[(Scenario::Clean, &cycle(NOISY, clean)), (Scenario::Touched, &cycle(NOISY, touched))]),
            run(
                "1.85.0",
                &[(Scenario::Clean, &cycle(FASTER_QUIET, clean)), (Scenario::Touched, &cycle(FASTER_QUIET, touched))],
            ),
        ]
    };
    let (cells, _) = next_round(&plan, &after(29, 29), 29, Duration::ZERO).unwrap();
    assert_eq!(cells.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Scenario::Clean, Scenario::Touched]);
    let (cells, _) = next_round(&plan, &after(30, 30), 30, Duration::ZERO).unwrap();
    assert_eq!(cells, [(Scenario::Touched, vec![0, 1])], "clean has had its 30 rounds");
    assert!(next_round(&plan, &after(30, 79), 79, Duration::ZERO).is_ok());
    assert_eq!(next_round(&plan, &after(30, 80), 80, Duration::ZERO), Err(StopReason::MaxRounds));
    // A scenario the budget left out of rounds has its most rounds still ahead of it.
    let (cells, _) = next_round(&plan, &after(6, 40), 40, Duration::ZERO).unwrap();
    assert_eq!(cells.len(), 2, "clean has had 6 rounds of its 30: {cells:?}");
    // ±4 % is precise enough for a clean build and not for a rebuild.
    let within = |w: f64| -> Vec<f64> { (0..8).map(|r| 10.0 * if r % 2 == 0 { 1.0 + w } else { 1.0 - w }).collect() };
    let (base, other) = (within(0.0), within(0.045));
    let runs = [
        run("1.63.0", &[(Scenario::Clean, &base), (Scenario::Touched, &base)]),
        run("1.85.0", &[(Scenario::Clean, &other), (Scenario::Touched, &other)]),
    ];
    let widths: Vec<f64> = [Scenario::Clean, Scenario::Touched]
        .iter()
        .map(|s| pair_width(&runs[0], &runs[1], *s, plan.stopping.confidence()).unwrap())
        .collect();
    assert!(widths.iter().all(|w| *w > 0.03 && *w < 0.05), "{widths:?}");
    let (cells, _) = next_round(&plan, &runs, 8, Duration::ZERO).unwrap();
    assert_eq!(cells, [(Scenario::Touched, vec![0, 1])], "clean is precise at ±5 %, touched not at ±3 %");
}

#[test]
fn an_imprecise_subject_goes_on_with_the_baseline_it_pairs_with() {
    let plan = plan(&[Scenario::Clean], precision(5, 30));
    let runs = [
        run("1.63.0", &[(Scenario::Clean, QUIET)]),
        run("1.85.0", &[(Scenario::Clean, FASTER_QUIET)]),
        run("1.95.0", &[(Scenario::Clean, NOISY)]),
    ];
    let (cells, _) = next_round(&plan, &runs, 6, Duration::ZERO).unwrap();
    let mut subjects = cells[0].1.clone();
    subjects.sort_unstable();
    // The speedups are estimated together (rounds as blocks, the residual variance pooled, each
    // pair's own where larger), so the noisy 1.95.0 widens the interval the report gives 1.85.0
    // too: both go on, with the baseline they pair with.
    assert_eq!(subjects, [0, 1, 2], "the noisy 1.95.0 keeps the pooled interval of 1.85.0 open");
    // Alone with the baseline, the quiet 1.85.0 is precise and rests.
    assert_eq!(next_round(&plan, &runs[..2], 6, Duration::ZERO), Err(StopReason::Precise));
}

#[test]
fn a_scenario_that_no_longer_fits_the_budget_is_left_out_and_the_cheap_one_goes_on() {
    let plan = plan(
        &[Scenario::Clean, Scenario::Touched],
        Stopping::Precision(Precision { budget: Duration::from_secs(600), ..Precision::DEFAULT }),
    );
    let runs = [
        run("1.63.0", &[(Scenario::Clean, &[60.0, 60.0]), (Scenario::Touched, &[1.0, 1.0])]),
        run("1.85.0", &[(Scenario::Clean, &[50.0, 50.0]), (Scenario::Touched, &[0.8, 0.8])]),
    ];
    // 110 s of clean builds no longer fit in the 100 s left; the 1.8 s of rebuilds do.
    let (cells, cut) = next_round(&plan, &runs, 2, Duration::from_secs(500)).unwrap();
    assert_eq!(cells.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [Scenario::Touched]);
    assert!(cut);
    assert_eq!(next_round(&plan, &runs, 2, Duration::from_secs(599)), Err(StopReason::Budget));
}

#[test]
fn no_round_when_every_subject_ended() {
    let plan = plan(&[Scenario::Clean], precision(5, 30));
    let mut ended = run("1.63.0", &[]);
    ended.end(End::Failed("error: boom".into()));
    assert_eq!(next_round(&plan, &[ended], 0, Duration::ZERO), Err(StopReason::NothingLeft));
}

/// A clean round starts only where it leaves the rebuilds what they still need to reach their
/// target (at most half of what is left): found on lsd, where a seventh clean round of 2.4
/// minutes took the last minutes the rebuilds, at ±7 % and ±9.6 %, needed.
#[test]
fn a_clean_round_leaves_the_imprecise_rebuilds_their_time() {
    let plan = plan(&[Scenario::Clean, Scenario::Touched], Stopping::Precision(Precision::DEFAULT));
    let scaled = |values: &[f64], by: f64| values.iter().map(|v| v * by).collect::<Vec<_>>();
    // Clean builds of about 90 s a toolchain; touched rebuilds of about 1.6 s, far from ±3 %.
    let runs = [
        run("1.63.0", &[(Scenario::Clean, &scaled(QUIET, 9.0)), (Scenario::Touched, &scaled(NOISY, 0.2))]),
        run(
            "1.85.0",
            &[(Scenario::Clean, &scaled(FASTER_QUIET, 9.0)), (Scenario::Touched, &scaled(FASTER_QUIET, 0.2))],
        ),
    ];
    let both = || vec![(Scenario::Clean, vec![0, 1]), (Scenario::Touched, vec![0, 1])];
    let p = Precision::DEFAULT;
    let needs = reserve(&plan, &runs, &both()[1..], &p);
    // 80 rounds at most, 7 done with this one: 73 more of about 3.2 s.
    assert!(needs > Duration::from_secs(200) && needs < Duration::from_secs(260), "{needs:?}");
    let mut cells = both();
    assert!(fit_budget(&plan, &runs, &mut cells, Duration::from_secs(300), &p), "clean was left out");
    assert_eq!(cells, [(Scenario::Touched, vec![0, 1])]);
    let mut cells = both();
    assert!(!fit_budget(&plan, &runs, &mut cells, Duration::from_secs(400), &p), "half of 400 s is reserve enough");
    assert_eq!(cells, both());
    // A gate decides its clean builds first: nothing is reserved.
    let gate = Precision { gate_pct: Some(10.0), ..p };
    assert_eq!(reserve(&plan, &runs, &both()[1..], &gate), Duration::ZERO);
    // Alone, a clean round that fits runs.
    let mut cells = vec![(Scenario::Clean, vec![0, 1])];
    assert!(!fit_budget(&plan, &runs, &mut cells, Duration::from_secs(200), &p));
    assert_eq!(cells.len(), 1);
}
