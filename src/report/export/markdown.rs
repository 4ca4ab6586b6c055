//! `--format markdown`: tables ready to paste into a post, a README or a pull request.

use std::fmt::Write as _;

use super::{Exporter, change_cell, legend, measurement_text, percent, ratio, span_line, speedup_cell, time_cell};
use crate::format::{ONE_ROUND, seconds};
use crate::report::model::{Bisected, History, Listing, Merged, Report, Status};
use crate::vocab::Scenario;

/// GitHub-flavoured Markdown tables with a one-line caption.
pub(crate) struct MarkdownExporter;

/// `--crates`: where the time went, and the crates that changed most, as two more tables.
fn crates_tables(report: &Report) -> String {
    let rows: Vec<_> = report.toolchains.iter().filter_map(|r| r.crates.as_ref().map(|c| (r, c))).collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nWhere the time went (one more clean build per toolchain, every rustc timed apart; rustc seconds summed over crates)\n\n\
         | Rust | wrapped build | vs clean | workspace | speedup | dependencies | speedup | largest rustc |\n\
         |:-----|------:|------:|------:|------:|------:|------:|:------|\n",
    );
    for (row, c) in rows {
        let largest =
            c.largest_rustc.as_ref().map_or("-".into(), |l| format!("{:.0} MiB ({})", l.peak_rss_mib, l.label()));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} ({}) | {} | {} ({}) | {} | {largest} |",
            row.name,
            seconds(c.wrapped_build_s),
            percent(c.wrapper_cost_pct),
            seconds(c.workspace.wall_s),
            c.workspace.count,
            ratio(c.workspace.speedup),
            seconds(c.dependencies.wall_s),
            c.dependencies.count,
            ratio(c.dependencies.speedup),
        );
    }
    if let Some(changes) = &report.crate_changes {
        let _ = write!(out, "\n| crate | of | {} | {} | change |\n|:--|:--|--:|--:|--:|\n", changes.from, changes.to);
        for c in &changes.largest {
            let whose = if c.workspace { "workspace" } else { "dependency" };
            let (from, to) = (seconds(c.from_s), seconds(c.to_s));
            let _ = writeln!(out, "| {} | {whose} | {from} | {to} | {:+.2} s |", c.label, c.change_s);
        }
        for (only, list) in [(&changes.from, &changes.only_from), (&changes.to, &changes.only_to)] {
            if !list.is_empty() {
                let _ = writeln!(out, "\nCompiled under {only} only: {}", list.join(", "));
            }
        }
    }
    out
}

/// Each scenario whose builds linked, taken apart into compile and link, each with its speedup.
fn link_tables(report: &Report) -> String {
    let mut out = String::new();
    for s in report.scenarios() {
        let linked: Vec<_> = report.toolchains.iter().filter_map(|r| Some((r, r.figures(s)?.link.as_ref()?))).collect();
        if linked.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n**{s}**, compile and link apart\n\n| Rust | compile | speedup | link (share) | speedup |\n|:-----|------:|------:|------:|------:|"
        );
        for (row, link) in linked {
            let time = |e: &crate::report::model::EstimateJson| crate::format::seconds_with(e.point, e.plus_minus_pct);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} ({:.0}%) | {} |",
                super::row_label(row),
                time(&link.compile),
                super::estimate_speedup_cell(link.compile_speedup.as_ref(), link.compile_verdict),
                time(&link.time),
                link.share_pct,
                super::estimate_speedup_cell(link.speedup.as_ref(), link.verdict),
            );
        }
    }
    if !out.is_empty() {
        out.push_str("\nlink: while a linker that rustc started ran (overlapping links counted once); compile: the rest of the build.\n");
    }
    out
}

/// The comparison with the baseline as a table, with the gate's verdict on each change.
fn comparison(report: &Report) -> String {
    use crate::report::model::GateResult;
    let Some(comparison) = &report.baseline else { return String::new() };
    let limit = comparison.max_regression_pct.map(|p| format!(", limit +{p}%")).unwrap_or_default();
    let mut out = format!("\n**Compared with the baseline** {}{limit}\n\n", comparison.baseline.replace('|', "\\|"));
    out.push_str("| Rust | scenario | then | now | change | interval | gate |\n|:--|:--|--:|--:|--:|:--|:--|\n");
    for c in &comparison.changes {
        let interval = match (c.slowdown.low, c.slowdown.high) {
            (Some(low), Some(high)) => format!("{}-{}", ratio(Some(low)), ratio(Some(high))),
            _ => "one sample: none".into(),
        };
        let gate = match (comparison.max_regression_pct, c.gate) {
            (None, _) => "-",
            (Some(_), GateResult::Regressed) => "**regressed**",
            (Some(_), GateResult::Undecided) => "undecided",
            (Some(_), GateResult::Fine) => "fine",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {interval} | {gate} |",
            c.version,
            c.scenario,
            seconds(c.baseline_s),
            seconds(c.current_s),
            crate::format::signed_percent(c.change_pct)
        );
    }
    if let Some(note) = &comparison.gate_note {
        let _ = writeln!(out, "\n{note}");
    }
    for what in &comparison.not_comparable {
        let _ = writeln!(out, "\nnot comparable: {what}");
    }
    out
}

/// The located step (each scenario's change, known causes, how to narrow it) and the nightlies'
/// search, below the steps of a bisection.
fn located_lines(out: &mut String, bisected: &Bisected) {
    if let Some(located) = &bisected.located {
        let _ = writeln!(out, "\n**{} → {}**\n", located.from, located.to);
        for (s, f) in &located.scenarios {
            let share = f.share_pct.map(|p| format!(" ({p:.0}% of the change)")).unwrap_or_default();
            let parts = super::parts_cell(f).map(|p| format!(" {p}")).unwrap_or_default();
            let _ = writeln!(out, "- {s}: {}{parts}{share}", change_cell(Some(f)));
        }
        for cause in &located.causes {
            let _ = writeln!(out, "- known cause: {cause}");
        }
        if let Some(narrow) = &located.narrow {
            let _ = writeln!(out, "- to narrow it: `{narrow}`");
        }
    }
    if let Some(nightlies) = &bisected.nightlies {
        let _ = writeln!(
            out,
            "\n**Nightlies of {}** ({} to {})\n\n{}",
            nightlies.release, nightlies.first, nightlies.last, nightlies.summary
        );
        if let Some(located) = &nightlies.located {
            for (s, f) in &located.scenarios {
                let parts = super::parts_cell(f).map(|p| format!(" {p}")).unwrap_or_default();
                let _ = writeln!(out, "\n- {} → {}, {s}: {}{parts}", located.from, located.to, change_cell(Some(f)));
            }
            if let Some(commits) = &located.commits {
                let _ = writeln!(out, "- the commits between them: {commits}");
            }
        }
    }
}

impl Exporter for MarkdownExporter {
    /// The answer first (a sentence per scenario), then the table, the gate's comparison, the
    /// warnings and the next step, as in the table; the compile-and-link tables after them.
    fn report(&self, report: &Report) -> String {
        let scenarios = report.scenarios();
        let mut out = String::new();
        for sentence in crate::report::answer::sentences(report) {
            let _ = writeln!(out, "- {sentence}");
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = write!(
            out,
            "Build times of `{}` (MSRV {}, {} profile{}; {} cores; {})\n\n",
            report.packages.join("`, `"),
            report.msrv.as_deref().unwrap_or("none"),
            report.profile,
            report.jobs.map(|j| format!(", -j {j}")).unwrap_or_default(),
            report.cores,
            measurement_text(&report.measurement),
        );
        for s in &scenarios {
            let _ = writeln!(out, "- **{s}**: {}", super::scenario_text(report, *s));
        }
        out.push('\n');
        out.push_str("| Rust | released |");
        for s in &scenarios {
            let _ = write!(out, " {s} |");
        }
        for s in &scenarios {
            let _ = write!(out, " speedup ({s}) |");
        }
        out.push_str("\n|:-----|:---------|");
        out.push_str(&"------:|".repeat(scenarios.len() * 2));
        out.push('\n');
        for row in &report.toolchains {
            let _ = write!(out, "| {} | {} |", super::row_label(row), row.release_date.month_label());
            if row.status == Status::Failed {
                let error = row.error.as_deref().and_then(|e| e.lines().next()).unwrap_or("failed").replace('|', "\\|");
                let _ = writeln!(out, " failed: {error} |{}", " |".repeat(scenarios.len() * 2 - 1));
                continue;
            }
            for s in &scenarios {
                let _ = write!(out, " {} |", row.figures(*s).map_or("-".to_string(), time_cell));
            }
            for s in &scenarios {
                let _ = write!(out, " {} |", speedup_cell(row.figures(*s)));
            }
            out.push('\n');
        }
        let legend = legend(report);
        if !legend.is_empty() {
            out.push('\n');
            for mark in legend {
                let _ = writeln!(out, "{}  ", mark.line(ONE_ROUND));
            }
        }
        out.push_str(&comparison(report));
        if !report.warnings.is_empty() {
            out.push('\n');
            for warning in &report.warnings {
                let _ = writeln!(out, "> **warning:** {warning}  ");
            }
        }
        if let Some(next) = crate::report::answer::next_step(report) {
            let _ = writeln!(out, "\n{next}");
        }
        out.push_str(&link_tables(report));
        out.push_str(&crates_tables(report));
        out
    }

    fn history(&self, history: &History) -> String {
        let mut out = format!("{} runs recorded in `{}`\n", history.runs, history.file);
        for toolchain in &history.toolchains {
            let _ = write!(out, "\n**{}**\n\n| recorded | commit | what |", toolchain.version);
            for s in &history.scenarios {
                let _ = write!(out, " {s} |");
            }
            let _ = write!(out, "\n|:--|:--|:--|{}\n", "--:|".repeat(history.scenarios.len()));
            for p in &toolchain.points {
                let _ = write!(out, "| {} | {} | {} |", p.recorded_at, super::commit_cell(p), p.profile);
                for s in &history.scenarios {
                    let cell = match (p.medians.get(s), p.change_pct.get(s)) {
                        (Some(now), Some(_)) => super::history_change(p, *s, *now).unwrap_or_default(),
                        (Some(now), None) => seconds(*now),
                        (None, _) => super::unmeasured(p.status),
                    };
                    let _ = write!(out, " {cell} |");
                }
                out.push('\n');
            }
        }
        out
    }

    /// The answer, the steps as a table, the located step's scenarios and causes: for an issue
    /// report.
    fn bisected(&self, bisected: &Bisected) -> String {
        let scenarios: Vec<Scenario> = Scenario::ALL
            .into_iter()
            .filter(|s| bisected.steps.iter().flat_map(|st| &st.changes).any(|c| c.scenarios.contains_key(s)))
            .collect();
        let mut out = format!(
            "**Which release moved the `{}` builds (`{}`) of `{}`** (`cargo timewarp bisect {} {}`)\n\n{}\n\n| step | change | rounds |",
            bisected.scenario,
            bisected.commands.get(&bisected.scenario).map_or("cargo build", String::as_str),
            bisected.workspace,
            bisected.from,
            bisected.to,
            bisected.summary
        );
        for s in &scenarios {
            let _ = write!(out, " {s} |");
        }
        let _ = write!(out, " kept |\n|--:|:--|--:|{}:--|\n", "--:|".repeat(scenarios.len()));
        for (i, step) in bisected.steps.iter().enumerate() {
            for (j, change) in step.changes.iter().enumerate() {
                let (number, rounds) = if j == 0 {
                    ((i + 1).to_string(), step.rounds.to_string())
                } else {
                    (String::new(), String::new())
                };
                let _ = write!(out, "| {number} | {} → {} | {rounds} |", change.from, change.to);
                for s in &scenarios {
                    let _ = write!(out, " {} |", change_cell(change.scenarios.get(s)));
                }
                let kept = match (&step.kept, j) {
                    (Some([a, b]), 0) => format!("{a} → {b}"),
                    _ => String::new(),
                };
                let _ = writeln!(out, " {kept} |");
            }
            for failed in &step.failed {
                let _ = writeln!(
                    out,
                    "| | {} failed: {} | |{} |",
                    failed.name,
                    failed.reason,
                    " |".repeat(scenarios.len())
                );
            }
        }
        located_lines(&mut out, bisected);
        let _ = writeln!(out, "\nReleases: {}", span_line(&bisected.releases));
        for w in &bisected.warnings {
            let _ = writeln!(out, "\n> warning: {w}");
        }
        out
    }

    fn merged(&self, merged: &Merged) -> String {
        let base = merged.base.as_deref().unwrap_or("-");
        let mut out = format!(
            "Speedups of `{}` over Rust {base} ({} profile), merged over {} machines (random effects)\n\n|",
            merged.packages.join("`, `"),
            merged.profile,
            merged.machines.len()
        );
        for heading in super::MERGED_HEADINGS {
            let _ = write!(out, " {heading} |");
        }
        out.push_str("\n|:--|:--|--:|--:|--:|\n");
        for cells in super::merged_lines(merged) {
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        let legend = super::MERGED_LEGEND;
        let _ = writeln!(out, "\n{}{}.", legend[..1].to_uppercase(), &legend[1..]);
        if super::two_machines(merged) {
            let two = super::TWO_MACHINES;
            let _ = writeln!(out, "\n{}{}.", two[..1].to_uppercase(), &two[1..]);
        }
        for what in &merged.not_comparable {
            let _ = writeln!(out, "\nNot comparable: {what}");
        }
        out
    }

    fn listing(&self, listing: &Listing) -> String {
        let mut out = format!(
            "Toolchains for `{}` (MSRV {})\n\n| toolchain | version | released | measured |\n|:--|:--|:--|:--|\n",
            listing.workspace,
            listing.msrv.as_deref().unwrap_or("none")
        );
        for t in &listing.toolchains {
            let released = t.release_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
            let status = t.reason.as_deref().map_or("yes".to_string(), |r| format!("no: {}", r.replace('|', "\\|")));
            let _ = writeln!(out, "| {} | {} | {released} | {status} |", t.name, t.version);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_listing, sample_report};

    #[test]
    fn renders_the_paste_ready_table() {
        let expected = "\
- clean: Rust 1.96.0 against Rust 1.85.0: 1.78x from one round, which has no interval
- touched: Rust 1.96.0 builds app as fast as Rust 1.85.0: 1.30x ±2.2%, within 1%

Build times of `app` (MSRV 1.56, dev profile; 2 cores; 3 rounds in rotating order, fixed: 1 clean + 3 touched)

- **clean**: cargo build, from an empty target directory
- **touched**: cargo build, after touching src/main.rs

| Rust | released | clean | touched | speedup (clean) | speedup (touched) |
|:-----|:---------|------:|------:|------:|------:|
| 1.63.0 | 2022-08 | failed: error[E0658]: use of unstable library feature, \"int_roundings\" | | | |
| 1.85.0 | 2025-02 | 26.1 s (1 round) | 0.520 s ±5.1% | base | base |
| 1.96.0 | 2026-05 | 14.7 s (1 round) | 0.400 s ±2.8% | 1.78x (1 round) | ≈1.30x ±2.2% |

±: the 95% interval; times are geometric means, speedups are against the `base` row, paired by round  
≈: no change: the whole interval lies within 1% of 1.00x  
(1 round): one build, so no interval; more rounds give one  

> **warning:** some intervals did not reach ±5%: the budget ran out (`--budget` gives more time); 1.96.0 clean (no interval after 1 round)  

next: the largest step, touched 1.85 → 1.96 (1.30x faster); `cargo timewarp bisect 1.85 1.96 --scenario touched --install` finds the release that made it

**touched**, compile and link apart

| Rust | compile | speedup | link (share) | speedup |
|:-----|------:|------:|------:|------:|
| 1.85.0 | 0.260 s ±5.1% | base | 0.260 s ±5.1% (50%) | base |
| 1.96.0 | 0.300 s ±2.9% | 0.87x ±2.1% | 0.100 s ±2.5% (25%) | 2.60x ±2.5% |

link: while a linker that rustc started ran (overlapping links counted once); compile: the rest of the build.
";
        let mut report = sample_report();
        report.toolchains[2].scenarios.get_mut(&crate::vocab::Scenario::Touched).unwrap().verdict =
            crate::report::model::VerdictJson::NoChange;
        assert_eq!(MarkdownExporter.report(&report), expected);
    }

    #[test]
    fn the_comparison_and_the_gates_verdict_are_in_the_markdown() {
        let mut report = sample_report();
        let change = crate::report::model::Change {
            version: "1.96.0".into(),
            scenario: crate::vocab::Scenario::Touched,
            baseline_s: 0.2,
            current_s: 0.4,
            slowdown: crate::report::model::EstimateJson {
                point: 2.0,
                low: Some(1.8),
                high: Some(2.2),
                plus_minus_pct: Some(10.0),
                n: 5,
            },
            change_pct: 100.0,
            gate: crate::report::model::GateResult::Regressed,
            regressed: true,
        };
        report.baseline = Some(crate::report::model::Comparison {
            baseline: "revision v1 (abc)".into(),
            paired: true,
            max_regression_pct: Some(10.0),
            changes: vec![change],
            not_comparable: vec!["1.63.0: failed".into()],
            noise_threshold_pct: Default::default(),
            gate_note: None,
        });
        let text = MarkdownExporter.report(&report);
        assert!(text.contains("**Compared with the baseline** revision v1 (abc), limit +10%"), "{text}");
        assert!(
            text.contains("| 1.96.0 | touched | 0.200 s | 0.400 s | +100.0% | 1.80x-2.20x | **regressed** |"),
            "{text}"
        );
        assert!(text.contains("not comparable: 1.63.0: failed"), "{text}");
        assert!(text.contains("> **warning:** some intervals did not reach"), "{text}");
    }

    #[test]
    fn per_crate_tables_follow() {
        let text = MarkdownExporter.report(&crate::testing::sample_report_with_crates());
        assert!(
            text.contains(
                "| 1.96.0 | 3.75 s | -74.5% | 0.500 s (1) | 2.00x | 3.00 s (1) | 2.33x | 300 MiB (regex 1.0.0) |"
            ),
            "{text}"
        );
        assert!(text.contains("| crate | of | 1.85.0 | 1.96.0 | change |"), "{text}");
        assert!(text.contains("| regex 1.0.0 | dependency | 6.00 s | 3.00 s | -3.00 s |"), "{text}");
        assert!(text.contains("Compiled under 1.85.0 only: memchr 1.0.0"), "{text}");
    }

    #[test]
    fn lists_toolchains_as_a_table() {
        let text = MarkdownExporter.listing(&sample_listing());
        assert!(
            text.contains("| 1.63.0 | 1.63.0 | 2022-08-11 | no: below MSRV 1.80 (rust-version of `app`) |"),
            "{text}"
        );
        assert!(text.contains("| 1.85.0 | 1.85.0 | 2025-02-20 | yes |"), "{text}");
    }
}
