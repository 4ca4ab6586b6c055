//! The answer first: one sentence per scenario in plain words, the newest toolchain against the
//! base row, with its interval and, where the two link with different default linkers, the
//! compile part beside it; and the next step, the `bisect` command for the largest significant
//! step between two adjacent rows. Every format opens with these.

use std::path::Path;

use super::export::plus_minus;
use super::model::{Change, Comparison, Figures, GateResult, Report, Row, Status, VerdictJson};
use crate::discover::release::Release;
use crate::format::{seconds, speedup as times};
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

/// One sentence per scenario measured, in the order a round runs them: how much faster the
/// newest toolchain builds the project than the base row, with how sure that is; with one row,
/// its time; then one per change the gate judged, with its verdict.
pub(crate) fn sentences(report: &Report) -> Vec<String> {
    let project = project_name(report);
    let mut out: Vec<String> = report
        .measurement
        .scenarios
        .iter()
        .filter_map(|scenario| match ends(report, *scenario) {
            Some((base, newest, figures)) => {
                let words = compared(&project, base, newest, figures)?;
                Some(format!("{scenario}: {words}{}", compile_part(base, newest, figures)))
            }
            None => alone(report, &project, *scenario),
        })
        .collect();
    if let Some(comparison) = &report.baseline {
        out.extend(comparison.changes.iter().map(|c| gated(comparison, c)));
    }
    out
}

/// The newest row against the base row, in words read from the verdict.
fn compared(project: &str, base: &Row, newest: &Row, figures: &Figures) -> Option<String> {
    let speedup = figures.speedup.as_ref()?;
    let (old, new) = (format!("Rust {}", base.version), format!("Rust {}", newest.version));
    Some(match (figures.verdict, plus_minus(speedup)) {
        (VerdictJson::Faster, Some(i)) => {
            format!("{new} builds {project} {} faster than {old} ({i})", times(speedup.point))
        }
        (VerdictJson::Slower, Some(i)) => {
            format!("{new} builds {project} {} slower than {old} ({i})", times(1.0 / speedup.point))
        }
        (VerdictJson::NoChange, Some(i)) => {
            format!("{new} builds {project} as fast as {old}: {} {i}, within 1%", times(speedup.point))
        }
        (_, Some(i)) => format!("{new} against {old}: {} {i}, too wide to tell", times(speedup.point)),
        (_, None) => format!("{new} against {old}: {} from one round, which has no interval", times(speedup.point)),
    })
}

/// A scenario only one row measured: its time, as hyperfine would give it.
fn alone(report: &Report, project: &str, scenario: Scenario) -> Option<String> {
    let mut rows = report.toolchains.iter().filter(|r| r.status == Status::Ok && r.figures(scenario).is_some());
    let (Some(row), None) = (rows.next(), rows.next()) else { return None };
    let time = &row.figures(scenario)?.time;
    let how = plus_minus(time).unwrap_or_else(|| "from one round".into());
    Some(format!("{scenario}: Rust {} builds {project} in {} {how}", row.version, seconds(time.point)))
}

/// A change the gate judged: `touched with Rust 1.95.0: 4.51x slower than the baseline revision
/// v1 (abc) (95% interval 4.02x-5.06x as long): regressed beyond the +10% limit`.
fn gated(comparison: &Comparison, change: &Change) -> String {
    let s = &change.slowdown;
    let how =
        if s.point >= 1.0 { format!("{} slower", times(s.point)) } else { format!("{} faster", times(1.0 / s.point)) };
    let interval = match (s.low, s.high) {
        (Some(low), Some(high)) => format!("interval {}-{} as long", times(low), times(high)),
        _ => "one round: no interval".into(),
    };
    let verdict = match (comparison.max_regression_pct, change.gate) {
        (None, _) => String::new(),
        (Some(limit), GateResult::Regressed) => format!(": regressed beyond the +{limit}% limit"),
        (Some(limit), GateResult::Fine) => format!(": within the +{limit}% limit"),
        (Some(limit), GateResult::Undecided) => format!(": undecided against the +{limit}% limit"),
    };
    format!(
        "{} with Rust {}: {how} than the baseline {} ({interval}){verdict}",
        change.scenario, change.version, comparison.baseline
    )
}

/// The base row, the newest row with a speedup in `scenario`, and that row's figures.
fn ends(report: &Report, scenario: Scenario) -> Option<(&Row, &Row, &Figures)> {
    let base =
        report.toolchains.iter().find(|r| r.figures(scenario).is_some_and(|f| f.verdict == VerdictJson::Base))?;
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
    let interval = plus_minus(compile).map(|p| format!(" {p}")).unwrap_or_default();
    format!(
        "; compile alone {}{interval}, the rest is the linker ({} then, {} now)",
        times(compile.point),
        base.linker,
        newest.linker
    )
}

/// The next step: for the largest step between two adjacent measured rows that its paired
/// interval shows beyond noise, the `bisect` command that finds the release (or, between adjacent
/// releases, the nightly) that made it. `None` when no step is significant.
pub(crate) fn next_step(report: &Report) -> Option<String> {
    // Only stable releases can be bisected, by their release (`1.85`).
    let release =
        |r: &Row| semver::Version::parse(&r.version).ok().filter(|v| v.pre.is_empty()).map(|v| Release::of(&v));
    let ok: Vec<&Row> = report.toolchains.iter().filter(|r| r.status == Status::Ok && release(r).is_some()).collect();
    let mut largest: Option<(f64, Scenario, &Row, &Row, f64)> = None;
    for scenario in report.measurement.scenarios.iter().copied() {
        let with: Vec<&Row> = ok.iter().copied().filter(|r| r.figures(scenario).is_some()).collect();
        for pair in with.windows(2) {
            // Two builds of one release have nothing between them, and a step between an official
            // build and a distribution's, or two default linkers, is packaging, not a release.
            let (older, newer) = (pair[0], pair[1]);
            let packaging = older.provenance != newer.provenance || older.linker != newer.linker;
            if packaging || release(older) >= release(newer) {
                continue;
            }
            let (a, b) = (super::merge::samples(older, scenario), super::merge::samples(newer, scenario));
            let Some(step) = stats::paired_speedup(&crate::measure::engine::pairs(&a, &b)) else { continue };
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
    let (x, y) = (release(from)?, release(to)?);
    let (a, b) = (x.to_string(), y.to_string());
    let change =
        if point >= 1.0 { format!("{} faster", times(point)) } else { format!("{} slower", times(1.0 / point)) };
    // The bisection measures what this run measured: the same revision.
    let rev = match (&report.revision_given, &report.revision) {
        (Some(given), _) => format!(" --rev {}", shell_word(given)),
        (None, Some(commit)) => format!(" --rev {}", &commit[..commit.len().min(12)]),
        (None, None) => String::new(),
    };
    Some(if y == x.next() {
        format!(
            "next: the largest step, {scenario} {a} → {b} ({change}), lies between adjacent releases; \
             `cargo timewarp bisect {a} {b} --scenario {scenario}{rev} --nightlies --install` finds the nightly that made it"
        )
    } else {
        format!(
            "next: the largest step, {scenario} {a} → {b} ({change}); \
             `cargo timewarp bisect {a} {b} --scenario {scenario}{rev} --install` finds the release that made it"
        )
    })
}

/// `word` as one shell word: as it is where it needs no quoting, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._/~^-+@:=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
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
        touched.verdict = VerdictJson::Inconclusive;
        let text = sentences(&report).join("\n");
        assert!(text.contains("touched: Rust 1.96.0 against Rust 1.85.0: 1.30x ±2.2%, too wide to tell"), "{text}");
        report.toolchains[2].scenarios.get_mut(&Scenario::Touched).unwrap().verdict = VerdictJson::NoChange;
        let text = sentences(&report).join("\n");
        assert!(text.contains("builds app as fast as Rust 1.85.0: 1.30x ±2.2%, within 1%"), "{text}");
        let touched = report.toolchains[2].scenarios.get_mut(&Scenario::Touched).unwrap();
        touched.verdict = VerdictJson::Slower;
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
    #[test]
    fn one_row_gets_its_time_and_a_gated_change_its_verdict() {
        let mut report = sample_report();
        report.toolchains.truncate(2); // 1.63.0 failed, 1.85.0 alone
        report.toolchains[1].scenarios.get_mut(&Scenario::Touched).unwrap().verdict = VerdictJson::Inconclusive;
        assert_eq!(
            sentences(&report),
            [
                "clean: Rust 1.85.0 builds app in 26.1 s from one round",
                "touched: Rust 1.85.0 builds app in 0.520 s ±5.1%"
            ]
        );
        let change = |point: f64, gate| Change {
            version: "1.85.0".into(),
            scenario: Scenario::Touched,
            baseline_s: 0.1,
            current_s: 0.52,
            slowdown: crate::report::model::EstimateJson {
                point,
                low: Some(point * 0.9),
                high: Some(point * 1.1),
                plus_minus_pct: Some(10.0),
                n: 5,
            },
            change_pct: (point - 1.0) * 100.0,
            gate,
            regressed: gate == GateResult::Regressed,
        };
        report.baseline = Some(Comparison {
            baseline: "revision v1 (abc)".into(),
            paired: true,
            max_regression_pct: Some(10.0),
            changes: vec![change(4.5, GateResult::Regressed), change(0.5, GateResult::Fine)],
            not_comparable: Vec::new(),
            noise_threshold_pct: Default::default(),
            gate_note: None,
        });
        let text = sentences(&report);
        assert_eq!(
            text[2],
            "touched with Rust 1.85.0: 4.50x slower than the baseline revision v1 (abc) (interval 4.05x-4.95x as long): regressed beyond the +10% limit"
        );
        assert!(
            text[3].starts_with("touched with Rust 1.85.0: 2.00x faster than the baseline")
                && text[3].ends_with(": within the +10% limit"),
            "{text:?}"
        );
    }

    #[test]
    fn the_next_step_bisects_stable_releases_of_the_measured_revision_only() {
        let mut report = sample_report();
        report.revision = Some("0123456789abcdef".into());
        let next = next_step(&report).unwrap();
        assert!(
            next.contains("`cargo timewarp bisect 1.85 1.96 --scenario touched --rev 0123456789ab --install`"),
            "{next}"
        );
        // The revision as the user named it, quoted where a shell would split it.
        report.revision_given = Some("v1.5.0".into());
        assert!(next_step(&report).unwrap().contains("--scenario touched --rev v1.5.0 --install`"));
        report.revision_given = Some("main@{1 day ago}".into());
        assert!(next_step(&report).unwrap().contains("--rev 'main@{1 day ago}' --install`"));
        report.revision_given = None;
        // Two builds of one release have nothing between them; a nightly is no release.
        report.toolchains[2].version = "1.85.1".into();
        assert_eq!(next_step(&report), None);
        report.toolchains[2].version = "1.97.0-nightly".into();
        assert_eq!(next_step(&report), None);
        report.toolchains[2].version = "1.86.0".into();
        assert!(next_step(&report).unwrap().contains("--nightlies --install"), "adjacent releases");
        // A step from a distribution's build to an official one, or to another default linker, is
        // packaging: no release made it.
        report.toolchains[2].linker = crate::vocab::Linker::RustLld;
        assert_eq!(next_step(&report), None);
    }
}
