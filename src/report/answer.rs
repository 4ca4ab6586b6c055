//! The answer first: one sentence per scenario in plain words, the newest toolchain against the
//! base row, with its interval and, where the two link with different default linkers, the
//! compile part beside it; and the next step, the `bisect` command for the largest significant
//! step between two adjacent rows. Every format opens with these.

use std::path::Path;

use super::model::{Figures, Report, Row, Status, Verdict};
use crate::stats;
use crate::vocab::Scenario;

/// The project as a user names it: its package when there is one, else its directory.
pub(crate) fn project_name(report: &Report) -> String {
    match report.packages.as_slice() {
        [one] => one.clone(),
        _ => Path::new(&report.workspace)
            .file_name()
            .map_or_else(|| report.workspace.clone(), |n| n.to_string_lossy().into_owned()),
    }
}

/// `±4.1%`, or `±10%` from 10% up.
fn pm(percent: f64) -> String {
    if percent < 9.95 { format!("±{percent:.1}%") } else { format!("±{percent:.0}%") }
}

/// One sentence per scenario measured, in the order a round runs them: how much faster the
/// newest toolchain builds the project than the base row, with how sure that is. Empty without
/// two rows to compare.
pub(crate) fn sentences(report: &Report) -> Vec<String> {
    let project = project_name(report);
    report
        .measurement
        .scenarios
        .iter()
        .filter_map(|scenario| {
            let (base, newest, figures) = ends(report, *scenario)?;
            let speedup = figures.speedup.as_ref()?;
            let (old, new) = (format!("Rust {}", base.version), format!("Rust {}", newest.version));
            let interval = speedup.plus_minus_pct.map(pm);
            let body = match (figures.verdict, &interval) {
                (Verdict::Faster, Some(i)) => {
                    format!("{new} builds {project} {:.2}x faster than {old} ({i})", speedup.point)
                }
                (Verdict::Slower, Some(i)) => {
                    format!("{new} builds {project} {:.2}x slower than {old} ({i})", 1.0 / speedup.point)
                }
                (Verdict::NoChange, Some(i)) => {
                    format!("{new} builds {project} as fast as {old}: {:.2}x {i}, within 1%", speedup.point)
                }
                (_, Some(i)) => format!("{new} against {old}: {:.2}x {i}, too wide to tell", speedup.point),
                (_, None) => {
                    format!("{new} against {old}: {:.2}x from one round, which has no interval", speedup.point)
                }
            };
            Some(format!("{scenario}: {body}{}", compile_part(base, newest, figures)))
        })
        .collect()
}

/// The base row, the newest row with a speedup in `scenario`, and that row's figures.
fn ends(report: &Report, scenario: Scenario) -> Option<(&Row, &Row, &Figures)> {
    let base = report.toolchains.iter().find(|r| r.figures(scenario).is_some_and(|f| f.verdict == Verdict::Base))?;
    let newest = report
        .toolchains
        .iter()
        .rev()
        .find(|r| r.status == Status::Ok && r.figures(scenario).is_some_and(|f| f.speedup.is_some()))?;
    Some((base, newest, newest.figures(scenario)?))
}

/// `; compile alone 1.07x ±1.9%, the rest is the linker (cc then, rust-lld now)` when the two
/// rows link with different default linkers and the compile part was taken apart.
fn compile_part(base: &Row, newest: &Row, figures: &Figures) -> String {
    if base.linker == newest.linker {
        return String::new();
    }
    let Some(compile) = figures.link.as_ref().and_then(|l| l.compile_speedup.as_ref()) else { return String::new() };
    let interval = compile.plus_minus_pct.map(|p| format!(" {}", pm(p))).unwrap_or_default();
    format!(
        "; compile alone {:.2}x{interval}, the rest is the linker ({} then, {} now)",
        compile.point, base.linker, newest.linker
    )
}

/// The next step: for the largest step between two adjacent measured rows that its paired
/// interval shows beyond noise, the `bisect` command that finds the release (or, between adjacent
/// releases, the nightly) that made it. `None` when no step is significant.
pub(crate) fn next_step(report: &Report) -> Option<String> {
    let ok: Vec<&Row> = report.toolchains.iter().filter(|r| r.status == Status::Ok).collect();
    let mut largest: Option<(f64, Scenario, &Row, &Row, f64)> = None;
    for scenario in report.measurement.scenarios.iter().copied() {
        let with: Vec<&Row> = ok.iter().copied().filter(|r| r.figures(scenario).is_some()).collect();
        for pair in with.windows(2) {
            let (a, b) = (pair[0].figures(scenario)?, pair[1].figures(scenario)?);
            let Some(step) = stats::paired_speedup(&by_round(a, b)) else { continue };
            if !matches!(step.verdict(stats::NOISE), stats::Verdict::Faster | stats::Verdict::Slower) {
                continue;
            }
            let size = step.log_mean.abs();
            if largest.is_none_or(|(l, ..)| size > l) {
                largest = Some((size, scenario, pair[0], pair[1], step.point));
            }
        }
    }
    let (_, scenario, from, to, point) = largest?;
    let minor = |v: &str| v.split('.').nth(1).and_then(|m| m.parse::<u64>().ok());
    let (a, b) = (short(&from.version), short(&to.version));
    let change = if point >= 1.0 { format!("{point:.2}x faster") } else { format!("{:.2}x slower", 1.0 / point) };
    let adjacent = minor(&from.version).zip(minor(&to.version)).is_some_and(|(x, y)| y <= x + 1);
    Some(if adjacent {
        format!(
            "next: the largest step, {scenario} {a} → {b} ({change}), lies between adjacent releases; \
             `cargo timewarp bisect {a} {b} --scenario {scenario} --nightlies --install` finds the nightly that made it"
        )
    } else {
        format!(
            "next: the largest step, {scenario} {a} → {b} ({change}); \
             `cargo timewarp bisect {a} {b} --scenario {scenario} --install` finds the release that made it"
        )
    })
}

/// `(a, b)` wall times of the rounds both figures have.
fn by_round(a: &Figures, b: &Figures) -> Vec<(f64, f64)> {
    let round_of = |f: &Figures, round: usize| f.wall.rounds.iter().position(|r| *r == round).map(|i| f.wall.runs_s[i]);
    a.wall.rounds.iter().zip(&a.wall.runs_s).filter_map(|(round, s)| Some((*s, round_of(b, *round)?))).collect()
}

/// `1.63` from `1.63.0`.
fn short(version: &str) -> String {
    version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_report;

    #[test]
    fn one_sentence_per_scenario_says_the_answer_with_its_interval() {
        let mut report = sample_report();
        assert_eq!(
            sentences(&report),
            [
                "clean: Rust 1.96.0 against Rust 1.85.0: 1.78x from one round, which has no interval",
                "touched: Rust 1.96.0 builds app 1.30x faster than Rust 1.85.0 (±2.2%)",
            ]
        );
        // Where the default linker changed, the compiler's own part is said beside it.
        report.toolchains[2].linker = crate::vocab::Linker::RustLld;
        assert_eq!(
            sentences(&report)[1],
            "touched: Rust 1.96.0 builds app 1.30x faster than Rust 1.85.0 (±2.2%); compile alone 0.87x ±2.1%, the \
             rest is the linker (cc then, rust-lld now)"
        );
    }

    #[test]
    fn the_words_follow_the_verdict() {
        let mut report = sample_report();
        let touched = report.toolchains[2].scenarios.get_mut(&Scenario::Touched).unwrap();
        touched.verdict = Verdict::Inconclusive;
        let text = sentences(&report).join("\n");
        assert!(text.contains("touched: Rust 1.96.0 against Rust 1.85.0: 1.30x ±2.2%, too wide to tell"), "{text}");
        report.toolchains[2].scenarios.get_mut(&Scenario::Touched).unwrap().verdict = Verdict::NoChange;
        let text = sentences(&report).join("\n");
        assert!(text.contains("builds app as fast as Rust 1.85.0: 1.30x ±2.2%, within 1%"), "{text}");
        let touched = report.toolchains[2].scenarios.get_mut(&Scenario::Touched).unwrap();
        touched.verdict = Verdict::Slower;
        touched.speedup.as_mut().unwrap().point = 0.8;
        let text = sentences(&report).join("\n");
        assert!(text.contains("builds app 1.25x slower than Rust 1.85.0 (±2.2%)"), "{text}");
    }

    #[test]
    fn the_next_step_bisects_the_largest_significant_step() {
        let report = sample_report();
        let next = next_step(&report).expect("touched moved between 1.85.0 and 1.96.0");
        assert_eq!(
            next,
            "next: the largest step, touched 1.85 → 1.96 (1.30x faster); `cargo timewarp bisect 1.85 1.96 --scenario \
             touched --install` finds the release that made it"
        );
    }
}
