//! The default human output: a header saying what was measured and how, aligned columns (one
//! median and one speedup per scenario), the skipped toolchains with reasons, and any warnings.

use std::fmt::Write as _;

mod layout;

pub(crate) use layout::wrap;
use layout::{
    BAR_WIDTH, Cell, Column, ColumnId, Compact, Results, align, aligned, aligned_right, bar, block, fitted, pack,
    render,
};

use super::{Exporter, legend, measurement_text, percent, ratio};
use crate::format::{self, ONE_ROUND, ONE_ROUND_SHORT, seconds};
use crate::report::answer;
use crate::report::model::{Bisected, Floor, History, Listed, Listing, Merged, Report, Row, Status};
use crate::vocab::Scenario;

/// Plain aligned text; no colour, so it pastes anywhere.
pub(crate) struct TableExporter {
    /// Adds CPU time and peak memory columns.
    pub(crate) verbose: bool,
    /// The terminal's width in columns, which the report fits when it can; `None` is unlimited.
    pub(crate) width: Option<usize>,
}

/// Where the prose after a `label:` in the header lines up.
const HEADER_INDENT: usize = 11;

impl TableExporter {
    /// The table's columns, grouped.
    fn results(&self, report: &Report) -> Results {
        let rows = &report.toolchains;
        let text = |f: &dyn Fn(&Row) -> String| rows.iter().map(|r| Cell::Text(f(r))).collect::<Vec<_>>();
        let compiler = |r: &Row| Cell::Named {
            full: format!("{}, {}", r.provenance, r.linker),
            short: format!("{}, {}", r.provenance.short(), r.linker.short()),
        };
        let left = vec![
            Column::new(ColumnId::Toolchain, text(&super::row_label)),
            Column::new(ColumnId::Released, text(&|r| r.release_date.to_string())),
            Column::new(ColumnId::Compiler, rows.iter().map(compiler).collect()),
        ];
        let mut groups = Vec::new();
        for s in report.scenarios() {
            let time = |row: &Row| match row.figures(s) {
                Some(figures) => Cell::time(figures),
                None if row.scenario_errors.contains_key(&s) => Cell::Text("stopped".into()),
                None if row.status == Status::Ok => Cell::Text("-".into()),
                None => Cell::Text(row.status.as_str().into()),
            };
            let mut group = vec![Column::new(ColumnId::Time(s), rows.iter().map(time).collect())];
            // A scenario no row has a speedup in (one toolchain alone) gets no speedup column.
            if rows.iter().any(|r| r.figures(s).is_some_and(|f| f.speedup.is_some())) {
                group.push(Column::new(
                    ColumnId::Speedup(s),
                    rows.iter().map(|r| Cell::speedup(r.figures(s))).collect(),
                ));
            }
            if self.verbose {
                let cpu =
                    |r: &Row| r.figures(s).and_then(|f| f.cpu.as_ref()).map_or("-".into(), |c| seconds(c.median_s));
                group.push(Column::new(ColumnId::Cpu(s), text(&cpu)));
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
            groups.push(vec![Column::new(ColumnId::LargestProcess, text(&peak))]);
        }
        // A bar per row: the clean build's median against the slowest row's, at a glance.
        let clean = |r: &Row| r.median(Scenario::Clean);
        let slowest = rows.iter().filter_map(clean).fold(0.0, f64::max);
        let bar = (slowest > 0.0).then(|| {
            Column::new(ColumnId::Bar, text(&|r| clean(r).map_or_else(String::new, |c| bar(c, slowest, BAR_WIDTH))))
        });
        Results { left, groups, bar }
    }

    /// What was measured and how, one `label:` line each, wrapped at word boundaries to fit.
    fn header(&self, report: &Report) -> String {
        let mut out = String::new();
        let msrv = msrv_line(&report.msrv_floors, report.declared_rust_version.as_deref());
        let _ = writeln!(out, "workspace: {} ({})", report.workspace, report.packages.join(", "));
        if let Some(revision) = &report.revision {
            match &report.revision_given {
                Some(given) => writeln!(out, "revision:  {given} ({revision})"),
                None => writeln!(out, "revision:  {revision}"),
            }
            .ok();
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
        let results = self.results(report);
        let all: Vec<usize> = (0..results.groups.len()).collect();
        let whole = |compact, bar, split| render(&block(&results.left, &results.groups, &all, bar), compact, split);
        let Some(width) = self.width else { return (whole(Compact::Full, results.bar.as_ref(), false), false) };
        let fits = |text: &str| text.lines().all(|line| layout::width(line) <= width);
        // Each step of the ladder as (how compact, with the bar, headings on two lines).
        let ladder = [
            (Compact::Full, true, false),
            (Compact::Full, false, false),
            (Compact::Names, false, false),
            (Compact::Names, false, true),
            (Compact::Marks, false, true),
        ];
        for (compact, with_bar, split) in ladder {
            let text = whole(compact, results.bar.as_ref().filter(|_| with_bar), split);
            if fits(&text) {
                return (text, compact >= Compact::Marks);
            }
        }
        let mut compact = Compact::Names;
        let blocks = loop {
            let blocks = pack(&results.left, &results.groups, width, compact);
            if blocks.iter().all(|b| fits(b)) || compact == Compact::TimeIntervals {
                break blocks;
            }
            compact = if compact == Compact::Names { Compact::Marks } else { Compact::TimeIntervals };
        };
        (blocks.join("\n"), compact >= Compact::Marks)
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
            // Each line as (toolchain, compile, its speedup, link (share), its speedup).
            let mut lines = vec![["toolchain", "compile", "speedup", "link (share)", "speedup"].map(String::from)];
            for row in linked {
                let link = row.figures(s).and_then(|f| f.link.as_ref()).expect("filtered on its link figures");
                let time = |e: &crate::report::model::EstimateJson| format::seconds_with(e.point, e.plus_minus_pct);
                lines.push([
                    super::row_label(row),
                    time(&link.compile),
                    super::estimate_speedup_cell(link.compile_speedup.as_ref(), link.compile_verdict),
                    format!("{} ({:.0}%)", time(&link.time), link.share_pct),
                    super::estimate_speedup_cell(link.speedup.as_ref(), link.verdict),
                ]);
            }
            let lines: Vec<Vec<String>> = lines
                .into_iter()
                .map(|[name, compile, compile_speedup, link, link_speedup]| {
                    if compared {
                        vec![name, compile, compile_speedup, link, link_speedup]
                    } else {
                        vec![name, compile, link]
                    }
                })
                .collect();
            out.push_str(&aligned(&lines));
        }
        if !out.is_empty() {
            let note = "  (link: while a linker that rustc started ran, overlapping links counted once; compile: the rest of the build)";
            let _ = writeln!(out, "{}", wrap(note, self.width, 3));
        }
        out
    }
}

/// The rows that failed, with the first error of each, and the scenarios a row stopped; the
/// first lines wrap to `width` (the error's further lines are the compiler's, kept as they are).
fn failures(report: &Report, width: Option<usize>) -> String {
    let mut out = String::new();
    for row in report.toolchains.iter().filter(|r| r.status != Status::Ok) {
        let mut lines = row.error.as_deref().unwrap_or("-").lines();
        let expected = row.expected_failure.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
        let first = lines.next().unwrap_or_default();
        let line = format!("{} {}{expected}: {first}", row.status.as_str(), row.name);
        let _ = writeln!(out, "\n{}", wrap(&line, width, 4));
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
            let line = format!("{} {} stopped: {why}", row.name, names.join(", "));
            let _ = writeln!(out, "\n{}", wrap(&line, width, 4));
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
        for mark in legend(report) {
            let line = mark.line(if short_marks { ONE_ROUND_SHORT } else { ONE_ROUND });
            let _ = writeln!(out, "{}", wrap(&line, self.width, 4));
        }
        out.push_str(&self.comparison(report));
        out.push_str(&failures(report, self.width));
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
                let mut cells = vec![point.recorded_at.clone(), super::commit_cell(point), point.profile.to_string()];
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

    /// One line per version: each scenario's speedup merged over the machines.
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
mod tests;
