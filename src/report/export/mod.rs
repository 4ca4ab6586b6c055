//! Report formats, one per file, each a pure [`Exporter`] of every document timewarp prints:
//! the [`Report`] of a measuring run, the [`Listing`] of `--list`, the [`History`], the [`Merged`]
//! report of several machines and the [`Bisected`] document of `bisect`.
//!
//! Exporters compute nothing and write nothing: the output manager decides between stdout and
//! a file. The pattern is hyperfine's `src/export/`.

mod cell;
mod csv;
mod json;
mod markdown;
mod table;

pub(crate) use csv::crates_csv;
pub(crate) use table::wrap;

use super::model::{
    Bisected, EstimateJson, Figures, History, Listing, Measurement, Merged, MergedFigure, RedoneBuild, Report,
    SpanRelease, SpanStatus, StepFigure, Stopped, StoppingRule, VerdictJson,
};
use cell::{Cell, Compact};

use crate::format::{self, ONE_ROUND};
use crate::vocab::{Format, Scenario};

/// Turns timewarp's documents into text, each ending with a newline.
pub(crate) trait Exporter {
    /// A measuring run's report.
    fn report(&self, report: &Report) -> String;
    /// The `--list` view.
    fn listing(&self, listing: &Listing) -> String;
    /// `cargo timewarp history`.
    fn history(&self, history: &History) -> String;
    /// `cargo timewarp merge`.
    fn merged(&self, merged: &Merged) -> String;
    /// `cargo timewarp bisect`.
    fn bisected(&self, bisected: &Bisected) -> String;
}

/// The exporter for `format`; `verbose` adds CPU and memory columns to the table, which fits
/// `width` columns when it is known.
pub(crate) fn exporter(format: Format, verbose: bool, width: Option<usize>) -> Box<dyn Exporter> {
    match format {
        Format::Table => Box::new(table::TableExporter { verbose, width }),
        Format::Json => Box::new(json::JsonExporter),
        Format::Csv => Box::new(csv::CsvExporter),
        Format::Markdown => Box::new(markdown::MarkdownExporter),
    }
}
/// `1.78x`, or `-` when there is no ratio.
fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), format::speedup)
}

/// A change of a bisection step as a cell: `1.31x ±3.0% faster`, marked as a history's cells
/// are otherwise (`?1.01x ±4.0%` too wide to tell, `≈1.00x ±0.5%` no change), `1.31x (1 round)`
/// without an interval.
fn change_cell(figure: Option<&StepFigure>) -> String {
    let Some(f) = figure else { return "-".into() };
    let point = format::speedup(f.speedup.point);
    match (plus_minus(&f.speedup), f.verdict) {
        (None, _) => format!("{point} {ONE_ROUND}"),
        (Some(pm), VerdictJson::Faster) => format!("{point} {pm} faster"),
        (Some(pm), VerdictJson::Slower) => format!("{point} {pm} slower"),
        (Some(pm), verdict) => format!("{}{point} {pm}", verdict_mark(verdict)),
    }
}

/// A step's change taken apart, when both releases' builds linked: `= compile 1.01x ±2.0%,
/// link 9.12x ±6.0%`.
fn parts_cell(figure: &StepFigure) -> Option<String> {
    let part = |e: &EstimateJson| match plus_minus(e) {
        Some(pm) => format!("{} {pm}", format::speedup(e.point)),
        None => format::speedup(e.point),
    };
    let (compile, link) = (figure.compile_speedup.as_ref()?, figure.link_speedup.as_ref()?);
    Some(format!("= compile {}, link {}", part(compile), part(link)))
}

/// The span's releases in one line: `1.63 measured, 1.64-1.77 missing, 1.78 not needed`, runs
/// of one status folded.
fn span_line(releases: &[SpanRelease]) -> String {
    let word = |s: SpanStatus| match s {
        SpanStatus::Measured => "measured",
        SpanStatus::NotNeeded => "not needed",
        SpanStatus::Failed => "failed",
        SpanStatus::LeftOut => "left out",
        SpanStatus::Missing => "missing",
    };
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < releases.len() {
        let start = i;
        while i + 1 < releases.len() && releases[i + 1].status == releases[i].status {
            i += 1;
        }
        let names = if start == i {
            releases[i].release.clone()
        } else {
            format!("{}-{}", releases[start].release, releases[i].release)
        };
        parts.push(format!("{names} {}", word(releases[i].status)));
        i += 1;
    }
    parts.join(", ")
}

/// `±3.0%`, the relative half-width of an interval, or `None` without one.
pub(crate) fn plus_minus(estimate: &EstimateJson) -> Option<String> {
    estimate.plus_minus_pct.map(format::plus_minus)
}

/// A typical time as a cell: `0.712 s ±2.1%`, or `0.712 s (1 round)` when one build is all
/// there is, so a single number never looks as certain as a repeated one.
fn time_cell(figures: &Figures) -> String {
    Cell::time(figures).text(Compact::Full)
}

/// A speedup as a cell: `1.29x ±3.0%`; `≈1.00x ±0.4%` when the interval detects no change;
/// `base` for the row the others are against; `-` without figures.
fn speedup_cell(figures: Option<&Figures>) -> String {
    Cell::speedup(figures).text(Compact::Full)
}

/// The mark a speedup carries before its figure: `≈` for no change (the whole interval within
/// 1% of 1.00x), `?` for too wide to tell; none for faster, slower or one round (which says so).
pub(crate) fn verdict_mark(verdict: VerdictJson) -> &'static str {
    match verdict {
        VerdictJson::NoChange => "≈",
        VerdictJson::Inconclusive => "?",
        VerdictJson::Faster | VerdictJson::Slower | VerdictJson::Base => "",
    }
}

/// A speedup estimate as a cell, read through its verdict: `base`, `2.60x ±3.0%`, `≈1.00x
/// ±0.4%`, `?1.02x ±4.0%`, `1.78x (1 round)`; `-` without one.
fn estimate_speedup_cell(speedup: Option<&EstimateJson>, verdict: VerdictJson) -> String {
    Cell::estimate_speedup(speedup, verdict).text(Compact::Full)
}

/// A merged figure's mean over machines as a cell: `1.32x ±20%`, `?1.01x ±2.0%` when too wide
/// to tell.
fn merged_mean(f: &MergedFigure) -> String {
    let mark = verdict_mark(f.verdict);
    let pm = plus_minus(&f.speedup).map(|pm| format!(" {pm}")).unwrap_or_default();
    format!("{mark}{}{pm}", ratio(Some(f.speedup.point)))
}

/// Where one more machine's speedup would fall, as a cell: `0.91x-1.91x`, or `-` with two
/// machines.
fn merged_another(f: &MergedFigure) -> String {
    let range = f.prediction.as_ref().and_then(|p| Some(format!("{}-{}", ratio(Some(p.low?)), ratio(Some(p.high?)))));
    range.unwrap_or_else(|| "-".into())
}

/// The headings of a merge's table: one line per version and scenario.
const MERGED_HEADINGS: [&str; 5] = ["toolchain", "scenario", "mean over machines", "one more machine", "machines"];

/// The cells of a merge's table, in the order of [`MERGED_HEADINGS`].
fn merged_lines(merged: &Merged) -> Vec<Vec<String>> {
    merged
        .rows
        .iter()
        .flat_map(|row| {
            row.scenarios.iter().map(|(scenario, f)| {
                let machines = f.machines.to_string();
                vec![row.version.clone(), scenario.to_string(), merged_mean(f), merged_another(f), machines]
            })
        })
        .collect()
}

/// What the columns of a merge's table mean.
const MERGED_LEGEND: &str = "mean over machines: what machines of this kind gain on average, with its 95% interval; one more machine: where the speedup of a further machine of the same kind would fall, 95% of the time (a prediction interval)";

/// Said under a merge of figures from two machines.
const TWO_MACHINES: &str = "two machines cannot estimate how much machines differ, so nothing is said of where a third would fall; merge three or more for that";

/// Whether some figure of `merged` comes from exactly two machines.
fn two_machines(merged: &Merged) -> bool {
    merged.rows.iter().flat_map(|r| r.scenarios.values()).any(|f| f.machines == 2)
}

/// `+2.5%`, or `-` without a figure.
fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), format::signed_percent)
}

/// What `scenario` timed in `report`, after its name: `cargo check, after touching src/main.rs`.
fn scenario_text(report: &Report, scenario: crate::vocab::Scenario) -> String {
    use crate::vocab::SourceChange;
    let command =
        report.measurement.commands.get(&scenario).cloned().unwrap_or_else(|| format!("cargo {}", scenario.command()));
    let what = match scenario.change() {
        SourceChange::Nothing => "from an empty target directory".to_string(),
        SourceChange::Touch => format!("after touching {}", report.touched_file),
        SourceChange::Edit => format!("after an edit of {} (a private item appended)", report.touched_file),
        SourceChange::DeepEdit => match &report.deep {
            Some(deep) => {
                let n = deep.dependents.len();
                format!(
                    "after a new public item in {} (`{}`), which {n} built package{} depend{} on",
                    deep.file,
                    deep.package,
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" }
                )
            }
            None => "after a new public item in the library most members depend on".to_string(),
        },
    };
    format!("{command}, {what}")
}

/// A mark a table's cells may carry, which the legend explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `±`, an interval.
    Interval,
    /// `≈`, no change.
    NoChange,
    /// `?`, too wide to tell.
    Inconclusive,
    /// `(1 round)`, or `(1)` in a narrow table.
    OneRound,
}

impl Mark {
    /// The legend's line for the mark, which names `(1 round)` as the table wrote it.
    fn line(self, one_round: &str) -> String {
        match self {
            Mark::Interval => {
                "±: the 95% interval; times are geometric means, speedups are against the `base` row, paired by round"
                    .into()
            }
            Mark::NoChange => "≈: no change: the whole interval lies within 1% of 1.00x".into(),
            Mark::Inconclusive => {
                "?: too wide to tell: the interval reaches within 1% of 1.00x and beyond it; more rounds narrow it"
                    .into()
            }
            Mark::OneRound => format!("{one_round}: one build, so no interval; more rounds give one"),
        }
    }
}

/// The marks a table's cells carry, in the legend's order.
fn legend(report: &Report) -> Vec<Mark> {
    let figures = || report.toolchains.iter().flat_map(|r| r.scenarios.values());
    let mut lines = Vec::new();
    if figures().any(|f| f.time.plus_minus_pct.is_some()) {
        lines.push(Mark::Interval);
    }
    // A mark may stand in a compile-and-link table alone, so those verdicts count too.
    let shows = |verdict: VerdictJson| {
        move |f: &Figures| {
            let link = f.link.as_ref().is_some_and(|l| [l.verdict, l.compile_verdict].contains(&verdict));
            f.verdict == verdict || link
        }
    };
    if figures().any(shows(VerdictJson::NoChange)) {
        lines.push(Mark::NoChange);
    }
    if figures().any(|f| f.speedup.is_some_and(|s| s.plus_minus_pct.is_some()) && shows(VerdictJson::Inconclusive)(f)) {
        lines.push(Mark::Inconclusive);
    }
    if figures().any(|f| f.time.plus_minus_pct.is_none()) {
        lines.push(Mark::OneRound);
    }
    lines
}

/// The stopping rule's targets and round limits in words, for the scenarios a run measures:
/// `±5% (rebuilds ±3%)` and `5 to 30 rounds (rebuilds 80)` when both kinds run and their
/// settings differ, else the one that applies (`±3%`, `5 to 80 rounds`).
pub(crate) struct RuleText {
    /// The half-widths.
    pub(crate) targets: String,
    /// The round limits.
    pub(crate) rounds: String,
}

impl RuleText {
    /// From the scenarios, the targets in percent (from empty, rebuilds) and the rounds (least,
    /// most from empty, most for rebuilds).
    pub(crate) fn new(
        scenarios: &[Scenario],
        (pct, rebuild_pct): (f64, f64),
        (min, max, rebuild_max): (usize, usize, usize),
    ) -> RuleText {
        let empty = scenarios.iter().any(|s| s.start() == crate::vocab::Start::Empty);
        let rebuilds = scenarios.iter().any(|s| s.start() == crate::vocab::Start::Rebuild);
        let (pct, max) = if empty { (pct, max) } else { (rebuild_pct, rebuild_max) };
        let both = empty && rebuilds;
        let mut targets = format::target(pct);
        if both && rebuild_pct != pct {
            targets += &format!(" (rebuilds {})", format::target(rebuild_pct));
        }
        let mut rounds = format!("{min} to {max} rounds");
        if both && rebuild_max != max {
            rounds += &format!(" (rebuilds {rebuild_max})");
        }
        RuleText { targets, rounds }
    }
}

/// How many rounds ran and why they stopped, for headers: `8 rounds in rotating order, until
/// every speedup is within ±5% (rebuilds ±3%), in 5 to 30 rounds (rebuilds 80) and 20 min:
/// every interval got there`.
fn measurement_text(m: &Measurement) -> String {
    let order = "in rotating order";
    let rounds = if m.rounds == 1 { "1 round".to_string() } else { format!("{} rounds", m.rounds) };
    let text = match &m.stopping {
        StoppingRule::Fixed { rounds: fixed } => {
            let each: Vec<String> = fixed.iter().map(|(s, n)| format!("{n} {s}")).collect();
            format!("{rounds} {order}, fixed: {}", each.join(" + "))
        }
        StoppingRule::Precision {
            precision_pct,
            rebuild_precision_pct,
            budget_s,
            min_rounds,
            max_rounds,
            max_rebuild_rounds,
        } => {
            let why = match m.stopped {
                Stopped::Precise => "every interval got there",
                Stopped::Budget => "the budget ran out first",
                Stopped::MaxRounds => "the most rounds ran first",
                Stopped::Interrupted => "interrupted",
                Stopped::NothingLeft => "every toolchain failed",
                Stopped::Fixed => "fixed",
            };
            let rule = RuleText::new(
                &m.scenarios,
                (*precision_pct, rebuild_precision_pct.unwrap_or(*precision_pct)),
                (*min_rounds, *max_rounds, max_rebuild_rounds.unwrap_or(*max_rounds)),
            );
            format!(
                "{rounds} {order}, until every speedup is within {}, in {} and {}: {why}",
                rule.targets,
                rule.rounds,
                format::duration(std::time::Duration::from_secs_f64(budget_s.max(0.0)))
            )
        }
    };
    text + &redone_text(&m.redone)
}

/// `; redone: 1.96.0 touched round 2 (timewarp held up for 5.0 s)`, or
/// nothing when no build was.
fn redone_text(redone: &[RedoneBuild]) -> String {
    if redone.is_empty() {
        return String::new();
    }
    let each: Vec<String> = redone
        .iter()
        .map(|r| {
            let revision = if r.baseline_revision { " (the baseline revision)" } else { "" };
            let why = match r.expected_s {
                Some(expected) => format!(
                    "took {} where its round predicted about {}",
                    format::seconds(r.set_aside_s),
                    format::seconds(expected)
                ),
                None => format!("timewarp held up for {:.1} s", r.paused_s),
            };
            let given_up = if r.done_again { "" } else { ", and every redo too: given up" };
            format!("{}{revision} {} round {} ({why}{given_up})", r.toolchain, r.scenario, r.round + 1)
        })
        .collect();
    format!("; redone: {}", each.join(", "))
}

/// A row's name as its first cell: the toolchain's name, with its version beside it when the
/// name does not say it (`stable (1.95.0)`, `nightly (1.97.0-nightly)`).
fn row_label(row: &super::model::Row) -> String {
    if row.name == row.version { row.name.clone() } else { format!("{} ({})", row.name, row.version) }
}

/// A history cell: the run's median time and its change from the run before, `0.52 s (+12%)`;
/// `(~)` for a change within the two runs' intervals (no change), `(+70%?)` for one that a run
/// of one build cannot tell from noise; `None` without a change to show.
fn history_change(point: &super::model::HistoryPoint, scenario: Scenario, now: f64) -> Option<String> {
    use super::model::RunChange;
    let change = point.change_pct.get(&scenario)?;
    Some(match point.change.get(&scenario) {
        Some(RunChange::WithinIntervals) => format!("{} (~)", format::seconds(now)),
        Some(RunChange::NoInterval) => format!("{} ({change:+.0}%?)", format::seconds(now)),
        Some(RunChange::Changed) | None => format!("{} ({change:+.0}%)", format::seconds(now)),
    })
}

/// A history point's commit as a cell: ten characters of it (`-` outside git), `+dirty` when
/// the working tree had changes beyond it. Counted in characters, so a hand-edited history
/// with other text never splits one.
fn commit_cell(point: &super::model::HistoryPoint) -> String {
    let Some(commit) = point.git_commit.as_deref() else { return "-".into() };
    let short: String = commit.chars().take(10).collect();
    if point.git_dirty { format!("{short}+dirty") } else { short }
}

/// The cell of a scenario a recorded run did not measure: `-`, or the run's status when it did
/// not succeed.
fn unmeasured(status: super::model::Status) -> String {
    match status {
        super::model::Status::Ok => "-".into(),
        other => other.as_str().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Scenario;

    /// The rule says the rebuilds' own target and most rounds only where rebuilds run beside a
    /// scenario that starts empty and their settings differ; a run of rebuilds alone states
    /// theirs, and a report from before rebuilds had their own reads as it did.
    #[test]
    fn the_rule_names_the_rebuilds_own_target_only_where_it_differs() {
        let rule = |scenarios: &[Scenario], pct, max| {
            let r = RuleText::new(scenarios, (5.0, pct), (5, 30, max));
            format!("{}; {}", r.targets, r.rounds)
        };
        let both = [Scenario::Clean, Scenario::Touched];
        assert_eq!(rule(&both, 3.0, 80), "±5% (rebuilds ±3%); 5 to 30 rounds (rebuilds 80)");
        assert_eq!(rule(&both, 5.0, 30), "±5%; 5 to 30 rounds");
        assert_eq!(rule(&[Scenario::Touched, Scenario::CheckTouched], 3.0, 80), "±3%; 5 to 80 rounds");
        assert_eq!(rule(&[Scenario::Clean], 3.0, 80), "±5%; 5 to 30 rounds");
        let mut report = crate::testing::sample_report();
        report.measurement.stopping = StoppingRule::Precision {
            precision_pct: 5.0,
            rebuild_precision_pct: None,
            budget_s: 1200.0,
            min_rounds: 5,
            max_rounds: 30,
            max_rebuild_rounds: None,
        };
        let text = measurement_text(&report.measurement);
        assert!(text.contains("until every speedup is within ±5%, in 5 to 30 rounds and 20 min: "), "{text}");
    }

    #[test]
    fn redone_builds_are_named_on_the_rounds_line_in_the_table_and_markdown_and_kept_in_json() {
        let mut report = crate::testing::sample_report();
        let redone = |toolchain: &str, scenario, round, done_again| RedoneBuild {
            toolchain: toolchain.into(),
            baseline_revision: false,
            scenario,
            round,
            set_aside_s: 5.59,
            paused_s: 5.04,
            expected_s: None,
            done_again,
        };
        report.measurement.redone =
            vec![redone("1.85.0", Scenario::Touched, 1, true), redone("1.63.0", Scenario::Clean, 0, false)];
        let expected = "; redone: 1.85.0 touched round 2 (timewarp held up for 5.0 s), 1.63.0 clean round 1 (timewarp held up for 5.0 s, and every redo too: given up)";
        assert!(measurement_text(&report.measurement).ends_with(expected), "{}", measurement_text(&report.measurement));
        for format in [Format::Table, Format::Markdown] {
            let text = exporter(format, false, Some(400)).report(&report);
            assert!(text.contains("1.85.0 touched round 2 (timewarp held up for 5.0 s)"), "{format:?}: {text}");
        }
        let json: serde_json::Value =
            serde_json::from_str(&exporter(Format::Json, false, None).report(&report)).unwrap();
        assert_eq!(json["measurement"]["redone"].as_array().map(Vec::len), Some(2));
        assert_eq!(json["measurement"]["redone"][0]["set_aside_s"], 5.59);
        report.measurement.redone.clear();
        assert!(!measurement_text(&report.measurement).contains("redone"));
    }

    #[test]
    fn the_legend_explains_a_tilde_in_a_compile_and_link_table_too() {
        let mut report = crate::testing::sample_report();
        fn figures(r: &mut Report) -> Vec<&mut Figures> {
            r.toolchains.iter_mut().flat_map(|row| row.scenarios.values_mut()).collect()
        }
        for f in figures(&mut report) {
            f.verdict = VerdictJson::Faster;
            if let Some(link) = &mut f.link {
                (link.verdict, link.compile_verdict) = (VerdictJson::Faster, VerdictJson::Faster);
            }
        }
        let tilde = |r: &Report| legend(r).contains(&Mark::NoChange);
        assert!(!tilde(&report), "no `≈` anywhere, no line for it");
        let link = figures(&mut report).into_iter().find_map(|f| f.link.as_mut()).expect("the sample links");
        link.compile_verdict = VerdictJson::NoChange;
        assert!(tilde(&report), "a `≈` only in the compile column is explained");
    }

    #[test]
    fn human_numbers() {
        assert_eq!(ratio(Some(1.7755)), "1.78x");
        assert_eq!(ratio(None), "-");
        let pm =
            |w: Option<f64>| plus_minus(&EstimateJson { point: 1.0, low: None, high: None, plus_minus_pct: w, n: 3 });
        // The rule itself is `format::plus_minus`'s; this is the estimate's door to it.
        assert_eq!(pm(Some(9.96)).as_deref(), Some("±10%"), "never `±10.0%`");
        assert_eq!(pm(None), None);
    }

    #[test]
    fn every_format_renders_both_documents() {
        let report = crate::testing::sample_report();
        let listing = crate::testing::sample_listing();
        let history = crate::testing::sample_history();
        for format in [Format::Table, Format::Json, Format::Csv, Format::Markdown] {
            let exporter = exporter(format, false, None);
            let name = format!("{format:?}");
            for text in [exporter.report(&report), exporter.listing(&listing), exporter.history(&history)] {
                assert!(text.ends_with('\n') && text.contains("1.85.0"), "{name}: {text}");
            }
        }
    }
}
