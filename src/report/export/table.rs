//! The default human output: a header saying what was measured and how, aligned columns (one
//! median and one speedup per scenario), the skipped toolchains with reasons, and any warnings.

use std::fmt::Write as _;

use super::{
    Exporter, ONE_ROUND, ONE_ROUND_SHORT, legend, measurement_text, percent, ratio, seconds, speedup_cell, time_cell,
};
use crate::report::answer;
use crate::report::model::{Bisected, Floor, History, Listed, Listing, Merged, Report, Row, Status};
use crate::vocab::Scenario;

/// Plain aligned text; no colour, so it pastes anywhere.
pub(crate) struct TableExporter {
    /// Adds CPU time and peak memory columns.
    pub verbose: bool,
    /// The terminal's width in columns, which the report fits when it can; `None` is unlimited.
    pub width: Option<usize>,
}

/// Where the prose after a `label:` in the header lines up.
const HEADER_INDENT: usize = 11;

const BAR_WIDTH: usize = 12;
const BAR_HEADING: &str = "clean, relative";

/// `value / max` as a bar `width` cells long, in eighths of a cell.
fn bar(value: f64, max: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max).min(1.0) * (width * 8) as f64).round().max(1.0) as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(PARTS[eighths % 8]);
    }
    out
}

/// A column of the results table: its heading and one cell per row.
#[derive(Debug, Clone)]
struct Column {
    heading: String,
    cells: Vec<String>,
}

impl Column {
    fn new(heading: impl Into<String>, cells: Vec<String>) -> Column {
        Column { heading: heading.into(), cells }
    }
}

/// The results table before it is fitted: the text columns on the left, a group of columns per
/// scenario (its time, its speedup, with `--verbose` its CPU time), more groups, and the bar.
struct Results {
    /// Toolchain, release date, compiler.
    left: Vec<Column>,
    /// Groups that stay together in one block.
    groups: Vec<Vec<Column>>,
    /// The clean build's bar, when there is one.
    bar: Option<Column>,
}

/// How far the table was squeezed to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Squeeze {
    /// As it is.
    None,
    /// `(1 round)` written `(1)`.
    ShortMarks,
    /// And the times without their `±` (the speedups keep theirs).
    NoTimeIntervals,
}

impl TableExporter {
    /// The table's columns, grouped.
    fn results(&self, report: &Report) -> Results {
        let rows = &report.toolchains;
        let left = vec![
            Column::new("toolchain", rows.iter().map(super::row_label).collect()),
            Column::new("released", rows.iter().map(|r| r.release_date.to_string()).collect()),
            Column::new("compiler", rows.iter().map(|r| format!("{}, {}", r.provenance, r.linker)).collect()),
        ];
        let mut groups = Vec::new();
        for s in report.scenarios() {
            let time = |row: &Row| match row.figures(s) {
                Some(figures) => time_cell(figures),
                None if row.scenario_errors.contains_key(&s) => "stopped".into(),
                None if row.status == Status::Ok => "-".into(),
                None => row.status.as_str().into(),
            };
            let mut group = vec![Column::new(s.name(), rows.iter().map(time).collect())];
            // A scenario no row has a speedup in (one toolchain alone) gets no speedup column.
            if rows.iter().any(|r| r.figures(s).is_some_and(|f| f.speedup.is_some())) {
                group.push(Column::new(
                    format!("speedup ({s})"),
                    rows.iter().map(|r| speedup_cell(r.figures(s))).collect(),
                ));
            }
            if self.verbose {
                let cpu =
                    |r: &Row| r.figures(s).and_then(|f| f.cpu.as_ref()).map_or("-".into(), |c| seconds(c.median_s));
                group.push(Column::new(format!("{s} cpu"), rows.iter().map(cpu).collect()));
            }
            groups.push(group);
        }
        if self.verbose {
            let peak = |r: &Row| {
                let peak = r
                    .scenarios
                    .values()
                    .filter_map(|f| f.largest_process_mib)
                    .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
                peak.map_or("-".into(), |m| format!("{m:.0} MiB"))
            };
            groups.push(vec![Column::new("largest process", rows.iter().map(peak).collect())]);
        }
        // A bar per row: the clean build's median against the slowest row's, at a glance.
        let clean = |r: &Row| r.median(Scenario::Clean);
        let slowest = rows.iter().filter_map(clean).fold(0.0, f64::max);
        let bar = (slowest > 0.0).then(|| {
            Column::new(
                BAR_HEADING,
                rows.iter().map(|r| clean(r).map_or_else(String::new, |c| bar(c, slowest, BAR_WIDTH))).collect(),
            )
        });
        Results { left, groups, bar }
    }
    /// What was measured and how, one `label:` line each, wrapped at word boundaries to fit.
    fn header(&self, report: &Report) -> String {
        let mut out = String::new();
        let msrv = msrv_line(&report.msrv_floors, report.declared_rust_version.as_deref());
        let _ = writeln!(out, "workspace: {} ({})", report.workspace, report.packages.join(", "));
        if let Some(revision) = &report.revision {
            let _ = writeln!(out, "revision:  {revision}");
        }
        let _ = writeln!(out, "MSRV:      {msrv}");
        let jobs = report.jobs.map(|j| format!(", -j {j}")).unwrap_or_default();
        let _ = writeln!(out, "builds:    {} profile{jobs}, {} cores", report.profile, report.cores);
        let names = report.measurement.scenarios.iter().map(|s| s.name().len()).max().unwrap_or(0);
        for s in &report.measurement.scenarios {
            let line = format!("{:HEADER_INDENT$}{:names$}  {}", "", s.name(), super::scenario_text(report, *s));
            let _ = writeln!(out, "{}", wrap(&line, self.width, HEADER_INDENT + names + 2));
        }
        let _ = writeln!(out, "rounds:    {}", measurement_text(&report.measurement));
        if self.verbose {
            let _ = writeln!(out, "warm-up:   {}", report.warmup);
        }
        if !report.build_settings.is_empty() {
            let settings: Vec<String> =
                report.build_settings.iter().map(|s| format!("{}={} ({})", s.key, s.value, s.source)).collect();
            let _ = writeln!(out, "settings:  {}", settings.join("; "));
        }
        out.lines().map(|line| wrap(line, self.width, HEADER_INDENT) + "\n").collect()
    }

    /// The results table, fitted to the width when it is known: first the relative bar goes,
    /// then the compiler column is abbreviated, then long headings take two lines, then
    /// `(1 round)` becomes `(1)`; what still does not fit goes into further blocks of scenarios
    /// (each led by the toolchain column), never a wider line. Blocks that are still too wide get
    /// `(1)`, then their times lose their `±` (the speedups keep theirs). Also says whether `(1)`
    /// is used.
    fn results_table(&self, report: &Report) -> (String, bool) {
        let mut results = self.results(report);
        let all: Vec<usize> = (0..results.groups.len()).collect();
        let Some(width) = self.width else {
            return (render(&block(&results.left, &results.groups, &all, results.bar.as_ref()), false), false);
        };
        let fits = |text: &str| text.lines().all(|line| self::width(line) <= width);
        let text = render(&block(&results.left, &results.groups, &all, results.bar.as_ref()), false);
        if fits(&text) {
            return (text, false);
        }
        let text = render(&block(&results.left, &results.groups, &all, None), false);
        if fits(&text) {
            return (text, false);
        }
        results.left[2].cells =
            report.toolchains.iter().map(|r| format!("{}, {}", r.provenance.short(), r.linker.short())).collect();
        for split in [false, true] {
            let text = render(&block(&results.left, &results.groups, &all, None), split);
            if fits(&text) {
                return (text, false);
            }
        }
        let short: Vec<Vec<Column>> = results.groups.iter().map(|g| squeeze(g, Squeeze::ShortMarks)).collect();
        let text = render(&block(&results.left, &short, &all, None), true);
        if fits(&text) {
            return (text, true);
        }
        let mut squeezed = Squeeze::None;
        let blocks = loop {
            let groups: Vec<Vec<Column>> = results.groups.iter().map(|g| squeeze(g, squeezed)).collect();
            let blocks = pack(&results.left, &groups, width);
            if blocks.iter().all(|b| fits(b)) || squeezed == Squeeze::NoTimeIntervals {
                break blocks;
            }
            squeezed = if squeezed == Squeeze::None { Squeeze::ShortMarks } else { Squeeze::NoTimeIntervals };
        };
        (blocks.join("\n"), squeezed >= Squeeze::ShortMarks)
    }

    /// The comparison with the baseline and the gate's verdict on each change.
    fn comparison(&self, report: &Report) -> String {
        let mut out = String::new();
        let Some(comparison) = &report.baseline else { return out };
        let limit = comparison.max_regression_pct.map(|p| format!(", limit +{p}%")).unwrap_or_default();
        let _ = writeln!(out, "\ncompared with the baseline {}{limit}:", comparison.baseline);
        for change in &comparison.changes {
            let mark = match (comparison.max_regression_pct, change.gate) {
                (Some(_), crate::report::model::GateResult::Regressed) => "SLOWER ",
                (Some(_), crate::report::model::GateResult::Undecided) => "undecided ",
                _ => "",
            };
            let _ = writeln!(out, "  {mark}{}", change.describe());
        }
        if let Some(note) = &comparison.gate_note {
            let _ = writeln!(out, "{}", wrap(&format!("  {note}"), self.width, 4));
        }
        for (what, threshold) in &comparison.noise_threshold_pct {
            let _ = writeln!(
                out,
                "  noise threshold of {what} from repeat runs: {threshold:.1}% (rustc-perf's Q3 + 3 IQR)"
            );
        }
        for what in &comparison.not_comparable {
            let _ = writeln!(out, "  not comparable: {what}");
        }
        if comparison.changes.is_empty() && comparison.not_comparable.is_empty() {
            out.push_str("  no toolchain version is in both reports\n");
        }
        out
    }

    /// Each scenario whose builds linked, taken apart: the rest of the build (compile) and the
    /// link time with its share of the build, each with its speedup; one small table of five
    /// columns per scenario (about 70 columns wide, more only for long toolchain names).
    fn link_section(&self, report: &Report) -> String {
        let mut out = String::new();
        for s in report.scenarios() {
            let linked: Vec<&Row> =
                report.toolchains.iter().filter(|r| r.figures(s).is_some_and(|f| f.link.is_some())).collect();
            if linked.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{s}, compile and link apart:");
            // One toolchain alone has no speedups to show.
            let compared =
                linked.iter().any(|r| r.figures(s).and_then(|f| f.link.as_ref()).is_some_and(|l| l.speedup.is_some()));
            let mut lines =
                vec![["toolchain", "compile", "speedup", "link (share)", "speedup"].map(String::from).to_vec()];
            for row in linked {
                let link = row.figures(s).and_then(|f| f.link.as_ref()).expect("filtered on its link figures");
                let part =
                    |e: &crate::report::model::Estimate, verdict, speedup: Option<&crate::report::model::Estimate>| {
                        let time = match super::plus_minus(e) {
                            Some(pm) => format!("{} {pm}", seconds(e.point)),
                            None => seconds(e.point),
                        };
                        (time, super::estimate_speedup_cell(speedup, verdict))
                    };
                let (compile, compile_speedup) =
                    part(&link.compile, link.compile_verdict, link.compile_speedup.as_ref());
                let (time, link_speedup) = part(&link.time, link.verdict, link.speedup.as_ref());
                lines.push(vec![
                    super::row_label(row),
                    compile,
                    compile_speedup,
                    format!("{time} ({:.0}%)", link.share_pct),
                    link_speedup,
                ]);
            }
            if !compared {
                for line in &mut lines {
                    line.remove(4);
                    line.remove(2);
                }
            }
            out.push_str(&aligned(&lines));
        }
        if !out.is_empty() {
            let note = "  (link: while a linker that rustc started ran, overlapping links counted once; compile: the rest of the build)";
            let _ = writeln!(out, "{}", wrap(note, self.width, 3));
        }
        out
    }
}

/// The rows that failed, with the first error of each, and the scenarios a row stopped.
fn failures(report: &Report) -> String {
    let mut out = String::new();
    for row in report.toolchains.iter().filter(|r| r.status != Status::Ok) {
        let mut lines = row.error.as_deref().unwrap_or("-").lines();
        let expected = row.expected_failure.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
        let first = lines.next().unwrap_or_default();
        let _ = writeln!(out, "\n{} {}{expected}: {first}", row.status.as_str(), row.name);
        for line in lines {
            let _ = writeln!(out, "    {line}");
        }
    }
    for row in &report.toolchains {
        // Scenarios of one kind of build stop together, for one reason: said once.
        let mut reasons: Vec<(Vec<&str>, &String)> = Vec::new();
        for (scenario, why) in &row.scenario_errors {
            match reasons.iter_mut().find(|(_, w)| *w == why) {
                Some((names, _)) => names.push(scenario.name()),
                None => reasons.push((vec![scenario.name()], why)),
            }
        }
        for (names, why) in reasons {
            let _ = writeln!(out, "\n{} {} stopped: {why}", row.name, names.join(", "));
        }
    }
    out
}

/// The steps of a bisection as a table: each change between neighbours in every scenario, the
/// rounds, the span kept; then the releases that could not build. Each release is shown as
/// `short` names it (a nightly by its date, under a heading that says they are nightlies), and
/// the scenarios go into blocks that fit `width`.
fn steps_table(
    steps: &[crate::report::model::BisectStep],
    scenarios: &[Scenario],
    short: &dyn Fn(&str) -> String,
    width: Option<usize>,
) -> String {
    let mut lines = vec![
        ["step", "change", "rounds"]
            .into_iter()
            .map(String::from)
            .chain(scenarios.iter().map(|s| s.to_string()))
            .chain(std::iter::once("kept".to_string()))
            .collect::<Vec<_>>(),
    ];
    for (i, step) in steps.iter().enumerate() {
        for (j, change) in step.changes.iter().enumerate() {
            let first = j == 0;
            let mut cells = vec![
                if first { (i + 1).to_string() } else { String::new() },
                format!("{} → {}", short(&change.from), short(&change.to)),
                if first { step.rounds.to_string() } else { String::new() },
            ];
            cells.extend(scenarios.iter().map(|s| super::change_cell(change.scenarios.get(s))));
            cells.push(match (&step.kept, first) {
                (Some([a, b]), true) => format!("{} → {}", short(a), short(b)),
                _ => String::new(),
            });
            lines.push(cells);
        }
    }
    let mut out = if lines.len() > 1 { fitted(&lines, 3, 1, width, |l| aligned_right(l, 2)) } else { String::new() };
    for step in steps {
        for failed in &step.failed {
            let _ =
                writeln!(out, "{}", wrap(&format!("  {} could not build: {}", failed.name, failed.reason), width, 4));
        }
    }
    out
}

/// `lines` of cells rendered by `render`, whole when that fits `width`; else the columns
/// between the first `left` and the last `right` go into blocks, each with those around it,
/// as many to a block as fit (one at the least), the blocks a blank line apart.
fn fitted(
    lines: &[Vec<String>],
    left: usize,
    right: usize,
    width: Option<usize>,
    render: impl Fn(&[Vec<String>]) -> String,
) -> String {
    let whole = render(lines);
    let Some(width) = width else { return whole };
    let fits = |text: &str| text.lines().all(|line| self::width(line) <= width);
    let columns = lines[0].len();
    if fits(&whole) || columns <= left + right + 1 {
        return whole;
    }
    let outer: Vec<usize> = (0..left).chain(columns - right..columns).collect();
    let of = |middle: &[usize]| -> String {
        let mut chosen: Vec<usize> = outer.iter().copied().chain(middle.iter().copied()).collect();
        chosen.sort_unstable();
        let projected: Vec<Vec<String>> =
            lines.iter().map(|l| chosen.iter().map(|c| l[*c].clone()).collect()).collect();
        render(&projected)
    };
    let mut blocks: Vec<Vec<usize>> = vec![Vec::new()];
    for c in left..columns - right {
        let current = blocks.last_mut().expect("one block at the least");
        current.push(c);
        if current.len() > 1 && !fits(&of(current)) {
            current.pop();
            blocks.push(vec![c]);
        }
    }
    blocks.iter().map(|b| of(b)).collect::<Vec<_>>().join("\n")
}

/// The columns `groups[chosen]` after `left`, with the bar last when given, as lines of cells
/// (headings first).
fn block(left: &[Column], groups: &[Vec<Column>], chosen: &[usize], bar: Option<&Column>) -> Vec<Vec<String>> {
    let columns: Vec<&Column> = left.iter().chain(chosen.iter().flat_map(|g| &groups[*g])).chain(bar).collect();
    let rows = columns.first().map_or(0, |c| c.cells.len());
    let mut lines = vec![columns.iter().map(|c| c.heading.clone()).collect::<Vec<_>>()];
    lines.extend((0..rows).map(|r| columns.iter().map(|c| c.cells[r].clone()).collect()));
    lines
}

/// The groups in blocks of at most `width` columns each where they can be: the first block led
/// by the `left` columns, the others by the toolchain column alone; a group too wide for a block
/// of its own still gets one.
fn pack(left: &[Column], groups: &[Vec<Column>], width: usize) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let lead = |first: bool| if first { left.to_vec() } else { left[..1].to_vec() };
    let text = |first: bool, chosen: &[usize]| render(&block(&lead(first), groups, chosen, None), true);
    let too_wide = |text: &str| text.lines().any(|line| self::width(line) > width);
    for g in 0..groups.len() {
        let mut tried = current.clone();
        tried.push(g);
        if current.is_empty() || !too_wide(&text(blocks.is_empty(), &tried)) {
            current = tried;
        } else {
            blocks.push(text(blocks.is_empty(), &current));
            current = vec![g];
        }
    }
    if !current.is_empty() || blocks.is_empty() {
        blocks.push(text(blocks.is_empty(), &current));
    }
    blocks
}

/// A group of columns as `squeeze` asks: `(1 round)` as `(1)`, then times without their `±`.
fn squeeze(group: &[Column], squeeze: Squeeze) -> Vec<Column> {
    group
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let cells = column
                .cells
                .iter()
                .map(|cell| {
                    let mut cell = cell.clone();
                    if squeeze >= Squeeze::ShortMarks {
                        cell = cell.replace(ONE_ROUND, ONE_ROUND_SHORT);
                    }
                    // The speedups are the answer; the times' own intervals are the first to go.
                    if squeeze == Squeeze::NoTimeIntervals && i == 0 {
                        cell = cell.split_once(" ±").map_or(cell.clone(), |(time, _)| time.to_string());
                    }
                    cell
                })
                .collect();
            Column { heading: column.heading.clone(), cells }
        })
        .collect()
}

/// The results table as text: the text columns on the left, numbers lined up on the right, the
/// bar left-aligned; with `split_headings`, every heading of more than one word takes two lines,
/// broken at a space, so like columns keep like headings.
fn render(table: &[Vec<String>], split_headings: bool) -> String {
    let columns = table[0].len();
    let has_bar = table[0].last().is_some_and(|h| h == BAR_HEADING);
    let text_columns =
        table[0].iter().take_while(|h| ["toolchain", "released", "compiler"].contains(&h.as_str())).count();
    let headings: Vec<(String, String)> = table[0]
        .iter()
        .map(|h| match split_headings.then(|| two_lines(h)).flatten() {
            Some((top, bottom)) => (top, bottom),
            None => (String::new(), h.clone()),
        })
        .collect();
    let mut lines: Vec<Vec<&str>> = Vec::new();
    if headings.iter().any(|(top, _)| !top.is_empty()) {
        lines.push(headings.iter().map(|(top, _)| top.as_str()).collect());
    }
    lines.push(headings.iter().map(|(_, bottom)| bottom.as_str()).collect());
    lines.extend(table[1..].iter().map(|r| r.iter().map(String::as_str).collect()));
    align(&lines, "", |c| c < text_columns || (has_bar && c == columns - 1))
}

/// `speedup (touched)` as `speedup` over `(touched)`, broken at the space that makes the wider
/// line shortest; `None` for one word.
fn two_lines(heading: &str) -> Option<(String, String)> {
    heading
        .match_indices(' ')
        .map(|(at, _)| (heading[..at].trim_end(), heading[at + 1..].trim_start()))
        .min_by_key(|(top, bottom)| width(top).max(width(bottom)))
        .map(|(top, bottom)| (top.to_string(), bottom.to_string()))
}

/// `line` broken at spaces into lines of at most `width` characters, each continuation indented
/// by `indent` spaces; a word longer than the width stays whole. `None` leaves it as it is.
fn wrap(line: &str, width: Option<usize>, indent: usize) -> String {
    let Some(width) = width.filter(|w| *w > indent) else { return line.to_string() };
    let mut out = String::new();
    let mut rest = line.to_string();
    while self::width(&rest) > width {
        // Break after a run of spaces, where the next word starts, past any indentation.
        let breaks: Vec<usize> = rest
            .char_indices()
            .zip(rest.chars().skip(1))
            .filter(|((_, c), next)| *c == ' ' && *next != ' ')
            .map(|((at, _), _)| at + 1)
            .filter(|at| !rest[..*at].trim().is_empty())
            .collect();
        let fitting = breaks.iter().rev().find(|at| self::width(rest[..**at].trim_end()) <= width);
        let Some(&at) = fitting.or(breaks.first()) else { break };
        out.push_str(rest[..at].trim_end());
        out.push('\n');
        rest = format!("{}{}", " ".repeat(indent), &rest[at..]);
    }
    out.push_str(&rest);
    out
}

/// The columns `text` takes in a terminal (wide characters count twice; `console` measures).
fn width(text: &str) -> usize {
    console::measure_text_width(text)
}

/// Lines of cells, aligned: left for the first column, right for the rest.
fn aligned(lines: &[Vec<String>]) -> String {
    aligned_right(lines, 1)
}

/// Lines of cells, indented and aligned: left for the first `left` columns, right for the rest.
fn aligned_right(lines: &[Vec<String>], left: usize) -> String {
    let lines: Vec<Vec<&str>> = lines.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    align(&lines, "  ", |c| c < left)
}

/// Lines of cells after `indent`, each column as wide as its widest cell, two spaces apart;
/// column `c` is aligned left when `left(c)`, else right.
fn align(lines: &[Vec<&str>], indent: &str, left: impl Fn(usize) -> bool) -> String {
    let widths: Vec<usize> =
        (0..lines[0].len()).map(|c| lines.iter().map(|r| width(r[c])).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for cells in lines {
        let line: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c].saturating_sub(width(cell)));
                if left(c) { format!("{cell}{pad}") } else { format!("{pad}{cell}") }
            })
            .collect();
        let _ = writeln!(out, "{indent}{}", line.join("  ").trim_end());
    }
    out
}

/// `--crates`: where each toolchain's clean build spent its time, and the crates that changed
/// most between the oldest and the newest row.
fn crates_section(report: &Report, width: Option<usize>) -> String {
    let rows: Vec<&Row> = report.toolchains.iter().filter(|r| r.crates.is_some() || r.crates_error.is_some()).collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("\nwhere the time went (one more clean build per toolchain, every rustc timed apart):\n");
    let mut lines = vec![
        ["toolchain", "wrapped build", "vs clean", "workspace", "speedup", "dependencies", "speedup"]
            .map(String::from)
            .to_vec(),
    ];
    // The largest rustc gets a table of its own: beside the others it would not fit 100 columns.
    let mut largest_lines = vec![["toolchain", "largest rustc (peak memory)"].map(String::from).to_vec()];
    for row in rows {
        let Some(c) = &row.crates else {
            let why = row.crates_error.as_deref().and_then(|e| e.lines().next()).unwrap_or_default();
            let _ = writeln!(out, "  {}: the per-crate build failed: {why}", row.name);
            continue;
        };
        let largest =
            c.largest_rustc.as_ref().map_or("-".into(), |l| format!("{:.0} MiB ({})", l.peak_rss_mib, l.label()));
        lines.push(vec![
            row.name.clone(),
            seconds(c.wrapped_build_s),
            percent(c.wrapper_cost_pct),
            format!("{} in {}", seconds(c.workspace.wall_s), c.workspace.count),
            ratio(c.workspace.speedup),
            format!("{} in {}", seconds(c.dependencies.wall_s), c.dependencies.count),
            ratio(c.dependencies.speedup),
        ]);
        largest_lines.push(vec![row.name.clone(), largest]);
    }
    if lines.len() > 1 {
        out.push_str(&aligned(&lines));
        let note = "  (rustc seconds summed over crates, which overlap when built in parallel; \"vs clean\": the wrapped build against the timed clean median)";
        let _ = writeln!(out, "{}", wrap(note, width, 3));
        out.push('\n');
        out.push_str(&aligned(&largest_lines));
    }
    if let Some(changes) = &report.crate_changes {
        let _ = writeln!(out, "\ncrates that changed most, {} to {}:", changes.from, changes.to);
        let mut lines = Vec::new();
        for c in &changes.largest {
            let whose = if c.workspace { "workspace" } else { "dependency" };
            lines.push(vec![
                c.label.clone(),
                whose.into(),
                seconds(c.from_s),
                seconds(c.to_s),
                format!("{:+.2} s", c.change_s),
            ]);
        }
        if !lines.is_empty() {
            out.push_str(&aligned(&lines));
        }
        for (only, list) in [(&changes.from, &changes.only_from), (&changes.to, &changes.only_to)] {
            if !list.is_empty() {
                let _ = writeln!(out, "  compiled under {only} only: {}", list.join(", "));
            }
        }
    }
    out
}

/// `1.61 (rust-version of memchr 2.7.4, a dependency of `dfl`), declared 1.48`: the effective
/// MSRV with its reason, and the declared one when it is lower.
fn msrv_line(floors: &[Floor], declared: Option<&str>) -> String {
    let Some(top) = floors.first() else { return "none".to_string() };
    match declared.filter(|d| *d != top.version) {
        Some(declared) => format!("{} ({}), declared {declared}", top.version, top.reason),
        None => format!("{} ({})", top.version, top.reason),
    }
}

impl Exporter for TableExporter {
    /// The answer first (a sentence per scenario, the table, the gate, the caveats, the next
    /// step), then how it was measured; `--verbose` adds the warm-up, the compile-and-link
    /// tables and why each toolchain was not measured.
    fn report(&self, report: &Report) -> String {
        let mut out = String::new();
        for sentence in answer::sentences(report) {
            let _ = writeln!(out, "{}", wrap(&sentence, self.width, 4));
        }
        if !out.is_empty() {
            out.push('\n');
        }
        let (table, short_marks) = self.results_table(report);
        out.push_str(&table);
        for line in legend(report) {
            let line = if short_marks { line.replacen(ONE_ROUND, ONE_ROUND_SHORT, 1) } else { line.to_string() };
            let _ = writeln!(out, "{}", wrap(&line, self.width, 4));
        }
        out.push_str(&self.comparison(report));
        out.push_str(&failures(report));
        if !report.warnings.is_empty() {
            out.push('\n');
        }
        for warning in &report.warnings {
            let _ = writeln!(out, "{}", wrap(&format!("warning: {warning}"), self.width, 4));
        }
        if let Some(next) = answer::next_step(report) {
            let _ = writeln!(out, "\n{}", wrap(&next, self.width, 4));
        }
        out.push('\n');
        out.push_str(&self.header(report));
        if self.verbose {
            out.push_str(&self.link_section(report));
        }
        out.push_str(&crates_section(report, self.width));
        if !report.skipped.is_empty() {
            if self.verbose {
                out.push_str("\nnot measured:\n");
                for s in &report.skipped {
                    let _ = writeln!(out, "  {} ({}): {}", s.name, s.version, s.reason);
                }
            } else {
                let names: Vec<&str> = report.skipped.iter().map(|s| s.name.as_str()).collect();
                let line = format!("not measured: {} (`--verbose` says why)", names.join(", "));
                let _ = writeln!(out, "{}", wrap(&line, self.width, 4));
            }
        }
        if !report.removed_env.is_empty() {
            let _ = writeln!(out, "removed from the builds' environment: {}", report.removed_env.join(", "));
        }
        out
    }

    /// Per toolchain version, every recorded run's medians with the change from the run before.
    fn history(&self, history: &History) -> String {
        if history.runs == 0 && history.unreadable_lines == 0 {
            return format!("no runs recorded yet in `{}`; run `cargo timewarp` first\n", history.file);
        }
        let mut out = format!("{} runs recorded in `{}`\n", history.runs, history.file);
        if history.unreadable_lines > 0 {
            let _ = writeln!(out, "({} unreadable lines skipped)", history.unreadable_lines);
        }
        for toolchain in &history.toolchains {
            let mut lines = vec![["recorded", "commit", "what"].map(String::from).to_vec()];
            lines[0].extend(history.scenarios.iter().map(|s| s.name().to_string()));
            for point in &toolchain.points {
                let mut cells = vec![point.recorded_at.clone(), super::commit_cell(point), point.what.clone()];
                cells.extend(history.scenarios.iter().map(|s| match (point.medians.get(s), point.change_pct.get(s)) {
                    (Some(now), Some(_)) => super::history_change(point, *s, *now).unwrap_or_default(),
                    (Some(now), None) if !point.new_setup.is_empty() => format!("{} (new setup)", seconds(*now)),
                    (Some(now), None) => seconds(*now),
                    (None, _) => super::unmeasured(point.status),
                }));
                lines.push(cells);
            }
            let _ = write!(out, "\n{}\n{}", toolchain.version, aligned_right(&lines, 3));
            for point in toolchain.points.iter().filter(|p| !p.new_setup.is_empty()) {
                let _ = writeln!(out, "  new setup at {}: {}", point.recorded_at, point.new_setup.join("; "));
            }
        }
        out
    }

    /// One line per version: each scenario's speedup merged over the machines.
    /// The answer first, then every step with its changes, the located step and the span.
    fn bisected(&self, bisected: &Bisected) -> String {
        let scenarios: Vec<Scenario> = Scenario::ALL
            .into_iter()
            .filter(|s| bisected.steps.iter().flat_map(|st| &st.changes).any(|c| c.scenarios.contains_key(s)))
            .collect();
        let mut out = format!(
            "bisect:    {} ({} profile), {} → {}, following {} (`{}`)\n",
            bisected.workspace,
            bisected.profile,
            bisected.from,
            bisected.to,
            bisected.scenario,
            bisected.commands.get(&bisected.scenario).map_or("cargo build", String::as_str)
        );
        if let Some(rev) = &bisected.revision {
            let _ = writeln!(out, "revision:  {rev}");
        }
        let releases = format!("releases:  {}", super::span_line(&bisected.releases));
        let _ = writeln!(out, "{}\n", wrap(&releases, self.width, 11));
        out.push_str(&steps_table(&bisected.steps, &scenarios, &|name| name.to_string(), self.width));
        if let Some(located) = &bisected.located {
            let _ = writeln!(out, "\n{} → {}:", located.from, located.to);
            for (s, f) in &located.scenarios {
                let share = f.share_pct.map(|p| format!(" ({p:.0}% of the change)")).unwrap_or_default();
                let parts = super::parts_cell(f).map(|p| format!(" {p}")).unwrap_or_default();
                let line = format!("  {:13} {}{parts}{share}", s.name(), super::change_cell(Some(f)));
                let _ = writeln!(out, "{}", wrap(&line, self.width, 16));
            }
            for cause in &located.causes {
                let _ = writeln!(out, "{}", wrap(&format!("  known cause: {cause}"), self.width, 4));
            }
            if let Some(narrow) = &located.narrow {
                let _ = writeln!(out, "{}", wrap(&format!("  to narrow it: {narrow}"), self.width, 4));
            }
        }
        let _ = writeln!(out, "\n{}", wrap(&bisected.summary, self.width, 2));
        if let Some(nightlies) = &bisected.nightlies {
            let _ = writeln!(out, "\nnightlies of {} ({} to {}):", nightlies.release, nightlies.first, nightlies.last);
            // The heading says these are nightlies: the table names each by its date, which
            // keeps a step with its kept span within 100 columns.
            let date = |name: &str| name.strip_prefix("nightly-").unwrap_or(name).to_string();
            out.push_str(&steps_table(&nightlies.steps, &[bisected.scenario], &date, self.width));
            if let Some(located) = &nightlies.located {
                for (s, f) in &located.scenarios {
                    let parts = super::parts_cell(f).map(|p| format!(" {p}")).unwrap_or_default();
                    let line =
                        format!("  {} → {}: {s} {}{parts}", located.from, located.to, super::change_cell(Some(f)));
                    let _ = writeln!(out, "{}", wrap(&line, self.width, 4));
                }
                if let Some(commits) = &located.commits {
                    let _ = writeln!(out, "  commits: {commits}");
                }
            }
            let _ = writeln!(out, "{}", wrap(&nightlies.summary, self.width, 2));
        }
        for w in &bisected.warnings {
            let _ = writeln!(out, "{}", wrap(&format!("warning: {w}"), self.width, 9));
        }
        out
    }

    fn merged(&self, merged: &Merged) -> String {
        let base = merged.base.as_deref().unwrap_or("-");
        let mut out = format!("{} machines, speedups over Rust {base}:\n", merged.machines.len());
        for m in &merged.machines {
            let cpu = m.cpu.as_deref().unwrap_or("unknown CPU");
            let line = format!("  {} ({cpu}, {} cores, {} rounds)", m.report, m.cores, m.rounds);
            let _ = writeln!(out, "{}", wrap(&line, self.width, 4));
        }
        let mut lines = vec![super::MERGED_HEADINGS.map(String::from).to_vec()];
        lines.extend(super::merged_lines(merged));
        out.push('\n');
        out.push_str(&aligned_right(&lines, 2));
        out.push('\n');
        let _ = writeln!(out, "{}", wrap(super::MERGED_LEGEND, self.width, 0));
        if super::two_machines(merged) {
            let _ = writeln!(out, "{}", wrap(super::TWO_MACHINES, self.width, 0));
        }
        for what in &merged.not_comparable {
            let _ = writeln!(out, "{}", wrap(&format!("not comparable: {what}"), self.width, 4));
        }
        out
    }

    /// One line per installed toolchain, `selected` or the reason it is not.
    fn listing(&self, listing: &Listing) -> String {
        let msrv = msrv_line(&listing.msrv_floors, listing.declared_rust_version.as_deref());
        let mut out = format!("workspace: {}\nMSRV:      {msrv}\n\n", listing.workspace);
        let name = |t: &Listed| {
            if t.aliases.is_empty() { t.name.clone() } else { format!("{} ({})", t.name, t.aliases.join(", ")) }
        };
        let mut lines = vec![["toolchain", "version", "released", "status"].map(String::from).to_vec()];
        for t in &listing.toolchains {
            let released = t.release_date.map_or_else(|| "-".to_string(), |d| d.to_string());
            let status = t.reason.clone().unwrap_or_else(|| "selected".into());
            lines.push(vec![name(t), t.version.clone(), released, status]);
        }
        let lines: Vec<Vec<&str>> = lines.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
        out.push_str(&align(&lines, "", |_| true));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::baseline::Baseline;
    use crate::testing::{sample_listing, sample_report};

    #[test]
    fn shows_the_baseline_comparison() {
        let dir = tempfile::tempdir().unwrap();
        let mut report = sample_report();
        let file = dir.path().join("last.json");
        std::fs::write(&file, serde_json::to_string(&report).unwrap()).unwrap();
        let gate = crate::report::baseline::Gate { max_regression_pct: Some(10.0) };
        let saved = Baseline::read(&file, gate).unwrap();
        report.baseline = Some(saved.compare(&report.setup(), &report.toolchains, &Default::default()));
        let text = TableExporter { verbose: false, width: None }.report(&report);
        let expected = format!(
            "\ncompared with the baseline {}, limit +10%:\n  undecided 1.85.0 clean: 26.100 s -> 26.100 s (+0.0%, one sample: no interval)\n  undecided 1.85.0 touched: 0.520 s -> 0.520 s (+0.0%, interval",
            file.display()
        );
        assert!(text.contains(&expected), "{text}");
        assert!(!text.contains("SLOWER"));
    }

    /// The sample report with a newer compiler's longer column: official, linked by rust-lld.
    fn wide_sample() -> Report {
        let mut report = sample_report();
        report.toolchains[2].provenance = crate::vocab::Provenance::Official;
        report.toolchains[2].linker = crate::vocab::Linker::RustLld;
        report
    }

    #[test]
    fn fits_an_80_column_terminal_in_blocks_of_scenarios() {
        let text = TableExporter { verbose: false, width: Some(80) }.report(&wide_sample());
        let expected = "\
clean: Rust 1.96.0 against Rust 1.85.0: 1.78x from one round, which has no
    interval
touched: Rust 1.96.0 builds app 1.30x faster than Rust 1.85.0 (±2.2%); compile
    alone 0.87x ±2.1%, the rest is the linker (cc then, rust-lld now)

                                                            speedup
toolchain  released    compiler              clean          (clean)
1.63.0     2022-08-11  off., cc             failed                -
1.85.0     2025-02-20  off., cc   26.1 s (1 round)             base
1.96.0     2026-05-28  off., lld  14.7 s (1 round)  1.78x (1 round)

                              speedup
toolchain        touched    (touched)
1.63.0            failed            -
1.85.0     0.520 s ±5.1%         base
1.96.0     0.400 s ±2.8%  1.30x ±2.2%
±: the 95% interval; times are geometric means, speedups are against the `base`
    row, paired by round
(1 round): one build, so no interval; more rounds give one

failed 1.63.0: error[E0658]: use of unstable library feature, \"int_roundings\"

warning: some intervals did not reach ±5%: the budget ran out (`--budget` gives
    more time); 1.96.0 clean (no interval after 1 round)

workspace: /work/app (app)
MSRV:      1.56 (edition 2021 of `app`)
builds:    dev profile, 2 cores
           clean    cargo build, from an empty target directory
           touched  cargo build, after touching src/main.rs
rounds:    3 rounds in rotating order, fixed: 1 clean + 3 touched
not measured: nightly (`--verbose` says why)
removed from the builds' environment: RUSTC_WRAPPER
";
        assert_eq!(text, expected);
        assert!(text.lines().all(|l| l.chars().count() <= 80));
    }

    #[test]
    fn fits_a_100_column_terminal_in_one_block() {
        let text = TableExporter { verbose: false, width: Some(100) }.report(&wide_sample());
        let table: Vec<&str> = text.lines().skip_while(|l| !l.contains("speedup")).take(5).collect();
        assert_eq!(
            table,
            [
                "                                                            speedup                     speedup",
                "toolchain  released    compiler              clean          (clean)        touched    (touched)",
                "1.63.0     2022-08-11  off., cc             failed                -         failed            -",
                "1.85.0     2025-02-20  off., cc   26.1 s (1 round)             base  0.520 s ±5.1%         base",
                "1.96.0     2026-05-28  off., lld  14.7 s (1 round)  1.78x (1 round)  0.400 s ±2.8%  1.30x ±2.2%",
            ]
        );
        assert!(
            text.contains("builds:    dev profile, 2 cores\n           clean    cargo build, from an empty"),
            "{text}"
        );
        assert!(text.lines().all(|l| l.chars().count() <= 100));
        let unlimited = TableExporter { verbose: false, width: None }.report(&wide_sample());
        assert!(unlimited.contains("official, rust-lld") && unlimited.contains("clean, relative"), "{unlimited}");
        let wide = TableExporter { verbose: false, width: Some(500) }.report(&wide_sample());
        assert_eq!(wide, unlimited, "a wide terminal changes nothing");
    }

    #[test]
    fn many_scenarios_go_into_blocks_each_within_the_width() {
        let mut report = wide_sample();
        for (i, s) in [Scenario::Deep, Scenario::CheckTouched, Scenario::Test].into_iter().enumerate() {
            for row in &mut report.toolchains[1..] {
                let figures = row.scenarios[&Scenario::Touched].clone();
                row.scenarios.insert(s, figures);
            }
            report.measurement.scenarios.push(s);
            report.measurement.commands.insert(s, format!("cargo {}", ["build", "check", "test --no-run"][i]));
        }
        report.measurement.scenarios.sort();
        for width in [80, 100, 120] {
            let text = TableExporter { verbose: false, width: Some(width) }.report(&report);
            assert!(text.lines().all(|l| l.chars().count() <= width), "{width}: {text}");
            for s in report.scenarios() {
                let heading = format!("({s})");
                assert_eq!(text.matches(&heading).count(), 1, "{width}: one speedup column of {s}: {text}");
            }
            let blocks = text.matches("\ntoolchain ").count();
            assert!(blocks >= 2, "{width}: five scenarios need more than one block: {text}");
            assert_eq!(text.matches("\n1.96.0 ").count(), blocks, "{width}: every block has every row: {text}");
        }
    }

    #[test]
    fn single_runs_are_marked_briefly_when_nothing_else_fits() {
        let mut report = wide_sample();
        for row in &mut report.toolchains {
            for figures in row.scenarios.values_mut() {
                let (speedup, verdict) = (figures.speedup, figures.verdict);
                *figures = crate::testing::figures(&[figures.wall.median_s], 1.0, 100.0);
                (figures.speedup, figures.verdict) = (
                    speedup.map(|s| crate::report::model::Estimate {
                        low: None,
                        high: None,
                        plus_minus_pct: None,
                        n: 1,
                        ..s
                    }),
                    verdict,
                );
            }
        }
        let text = TableExporter { verbose: false, width: Some(80) }.report(&report);
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        let row = text.lines().find(|l| l.starts_with("1.96.0")).unwrap();
        assert!(
            row.ends_with("14.7 s (1)  1.78x (1)  0.400 s (1)  1.30x (1)"),
            "one block, with the short mark: {text}"
        );
        assert!(text.contains("\n(1): one build, so no interval;"), "the legend uses the same mark: {text}");
        let wide = TableExporter { verbose: false, width: Some(160) }.report(&report);
        assert!(wide.contains("0.400 s (1 round)") && wide.contains("\n(1 round): one build"), "{wide}");
    }

    #[test]
    fn long_lines_wrap_at_word_boundaries() {
        let line = "builds:    cargo build, dev profile, touching src/main.rs, 2 cores";
        assert_eq!(
            wrap(line, Some(40), 11),
            "builds:    cargo build, dev profile,\n           touching src/main.rs, 2 cores"
        );
        assert_eq!(wrap(line, None, 11), line);
        assert_eq!(wrap("a-very-long-word-indeed and more", Some(12), 0), "a-very-long-word-indeed\nand more");
        assert_eq!(two_lines("speedup (touched)"), Some(("speedup".into(), "(touched)".into())));
        assert_eq!(two_lines("largest process"), Some(("largest".into(), "process".into())));
        assert_eq!(two_lines("clean"), None);
    }

    #[test]
    fn bars_scale_to_the_slowest_row() {
        assert_eq!(bar(2.0, 2.0, 4), "████");
        assert_eq!(bar(1.0, 2.0, 4), "██");
        assert_eq!(bar(1.0, 3.0, 4), "█▍");
        assert_eq!(bar(0.0001, 3.0, 4), "▏", "any time shows");
        assert_eq!(bar(1.0, 0.0, 4), "");
    }

    #[test]
    fn edited_rebuilds_get_their_own_columns() {
        let mut report = sample_report();
        let mut edited = crate::testing::figures(&[0.61], 1.0, 100.0);
        edited.speedup =
            Some(crate::report::model::Estimate { point: 1.0, low: None, high: None, plus_minus_pct: None, n: 1 });
        report.toolchains[2].scenarios.insert(Scenario::Edited, edited);
        report.measurement.scenarios.push(Scenario::Edited);
        let text = TableExporter { verbose: false, width: None }.report(&report);
        let header = text.lines().find(|l| l.starts_with("toolchain")).unwrap();
        assert!(
            header.ends_with("speedup (touched)             edited  speedup (edited)  clean, relative"),
            "{header}"
        );
        let row = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(row("1.96.0").ends_with("1.30x ±2.2%  0.610 s (1 round)   1.00x (1 round)  ██████▊"), "{text}");
        assert!(row("1.85.0").ends_with("base                  -                 -  ████████████"), "{text}");
    }

    #[test]
    fn verbose_adds_cpu_and_memory() {
        let text = TableExporter { verbose: true, width: None }.report(&sample_report());
        let header = text.lines().find(|l| l.starts_with("toolchain")).unwrap();
        assert!(header.ends_with("speedup (touched)  touched cpu  largest process  clean, relative"), "{header}");
        assert!(header.contains("speedup (clean)  clean cpu  "), "{header}");
        let row = text.lines().find(|l| l.starts_with("1.85.0")).unwrap();
        assert!(row.ends_with("base      0.520 s          412 MiB  ████████████"), "{row}");
        assert!(row.contains("base     39.2 s  0.520 s ±5.1%"), "{row}");
    }

    #[test]
    fn renders_header_columns_link_times_failures_and_skips() {
        let expected = "\
clean: Rust 1.96.0 against Rust 1.85.0: 1.78x from one round, which has no interval
touched: Rust 1.96.0 builds app 1.30x faster than Rust 1.85.0 (±2.2%)

toolchain  released    compiler                 clean  speedup (clean)        touched  speedup (touched)  clean, relative
1.63.0     2022-08-11  official, cc            failed                -         failed                  -
1.85.0     2025-02-20  official, cc  26.1 s (1 round)             base  0.520 s ±5.1%               base  ████████████
1.96.0     2026-05-28  official, cc  14.7 s (1 round)  1.78x (1 round)  0.400 s ±2.8%        1.30x ±2.2%  ██████▊
±: the 95% interval; times are geometric means, speedups are against the `base` row, paired by round
(1 round): one build, so no interval; more rounds give one

failed 1.63.0: error[E0658]: use of unstable library feature, \"int_roundings\"

warning: some intervals did not reach ±5%: the budget ran out (`--budget` gives more time); 1.96.0 clean (no interval after 1 round)

next: the largest step, touched 1.85 → 1.96 (1.30x faster); `cargo timewarp bisect 1.85 1.96 --scenario touched --install` finds the release that made it

workspace: /work/app (app)
MSRV:      1.56 (edition 2021 of `app`)
builds:    dev profile, 2 cores
           clean    cargo build, from an empty target directory
           touched  cargo build, after touching src/main.rs
rounds:    3 rounds in rotating order, fixed: 1 clean + 3 touched
not measured: nightly (`--verbose` says why)
removed from the builds' environment: RUSTC_WRAPPER
";
        assert_eq!(TableExporter { verbose: false, width: None }.report(&sample_report()), expected);
    }

    #[test]
    fn verbose_adds_the_warm_up_the_compile_and_link_tables_and_why_not_measured() {
        let text = TableExporter { verbose: true, width: None }.report(&sample_report());
        assert!(text.contains("\nwarm-up:   each compiler's files are read into memory"), "{text}");
        assert!(text.contains("\ntouched, compile and link apart:\n"), "{text}");
        assert!(text.contains("\nnot measured:\n  nightly (1.97.0-nightly): not stable\n"), "{text}");
        let plain = TableExporter { verbose: false, width: None }.report(&sample_report());
        assert!(!plain.contains("warm-up:") && !plain.contains("compile and link apart"), "{plain}");
        let answer = plain.lines().take(2).collect::<Vec<_>>().join("\n");
        assert!(
            answer.starts_with("clean: Rust 1.96.0 against Rust 1.85.0") && answer.contains("touched: "),
            "{plain}"
        );
    }

    #[test]
    fn the_msrv_line_says_when_a_dependency_raises_it() {
        let floor = |v: &str, r: &str| Floor { version: v.into(), kind: "x".into(), reason: r.into() };
        let floors = [
            floor("1.60", "rust-version of once_cell 1.20.2, a dependency of `dfl`"),
            floor("1.48", "rust-version of `dfl`"),
        ];
        assert_eq!(
            msrv_line(&floors, Some("1.48")),
            "1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`), declared 1.48"
        );
        assert_eq!(msrv_line(&floors[1..], Some("1.48")), "1.48 (rust-version of `dfl`)");
        assert_eq!(msrv_line(&[], None), "none");
    }

    #[test]
    fn the_per_crate_section_shows_parts_and_changes() {
        let text =
            TableExporter { verbose: false, width: Some(100) }.report(&crate::testing::sample_report_with_crates());
        let section = text.split("where the time went").nth(1).unwrap();
        let header = section.lines().nth(1).unwrap();
        let headings: Vec<&str> = header.split("  ").map(str::trim).filter(|h| !h.is_empty()).collect();
        let expected = ["toolchain", "wrapped build", "vs clean", "workspace", "speedup", "dependencies", "speedup"];
        assert_eq!(headings, expected, "{section}");
        let mut rows = section.lines().filter(|l| l.trim_start().starts_with("1.96.0"));
        let row = rows.next().unwrap();
        assert!(row.contains("0.500 s in 1") && row.contains("2.00x"), "{row}");
        assert!(
            rows.next().unwrap().contains("MiB (regex 1.0.0)"),
            "the largest rustc, in a table of its own: {section}"
        );
        assert!(section.lines().all(|l| l.chars().count() <= 100), "within the width: {section}");
        assert!(section.contains("crates that changed most, 1.85.0 to 1.96.0:"), "{section}");
        assert!(section.contains("regex 1.0.0") && section.contains("-3.00 s"), "{section}");
        assert!(section.contains("compiled under 1.85.0 only: memchr 1.0.0"), "{section}");
    }

    #[test]
    fn lists_every_toolchain_with_its_status() {
        let text = TableExporter { verbose: false, width: None }.listing(&sample_listing());
        assert!(text.contains("1.85.0 (stable)  1.85.0   2025-02-20  selected"), "{text}");
        assert!(text.contains("below MSRV 1.80 (rust-version of `app`)"), "{text}");
    }
}
