//! The `try` document as text: the table and Markdown (the answer first, then today's times,
//! one row per arm, the arms left out, the lines to paste), CSV, and JSON.

use std::fmt::Write as _;

use super::{ArmCell, Finding, Tried};

/// The columns the table fits.
const WIDTH: usize = 100;
use crate::format;
use crate::vocab::Format;

/// `tried` as `format`.
pub(crate) fn render(tried: &Tried, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(tried).map(|s| s + "\n").unwrap_or_default(),
        Format::Csv => csv(tried),
        Format::Markdown => text(tried, true),
        Format::Table => text(tried, false),
    }
}

/// A cell as a history's table writes a speedup: `1.25x ±3.1%`, `?1.02x ±4.0%` (too wide to
/// tell), `≈1.00x ±0.4%` (no change), `1.30x (1 round)`; in parentheses where the arm is not
/// meant for the scenario; `-` without a speedup.
pub(crate) fn cell_text(cell: &ArmCell) -> String {
    let Some(x) = cell.speedup else { return "-".into() };
    let mark = match cell.finding {
        Finding::NoChange => "≈",
        Finding::Inconclusive => "?",
        Finding::Faster | Finding::Slower | Finding::Unknown => "",
    };
    // The interval is symmetric on the log scale: x/e^h to x·e^h.
    let figure = match (cell.lower, cell.upper) {
        (Some(l), Some(u)) if l > 0.0 => {
            format!("{mark}{} {}", format::speedup(x), format::plus_minus_of_fraction((u / l).sqrt() - 1.0))
        }
        _ => format::speedup_with(x, None),
    };
    if cell.meant { figure } else { format!("({figure})") }
}

/// The legend under the table: what `±` means, and each mark the cells carry.
fn legend(t: &Tried) -> Vec<String> {
    let cells = || t.arms.iter().filter(|r| r.failed.is_none()).flat_map(|r| &r.cells);
    let plural = if t.rounds == 1 { "" } else { "s" };
    let mut lines = vec![format!(
        "{} round{plural} on {}; speedups are today's time over the arm's, ±: the 95% interval, paired by round",
        t.rounds, t.toolchain
    )];
    if cells().any(|c| c.speedup.is_some() && c.finding == Finding::Inconclusive) {
        lines.push(format!(
            "?: too wide to tell: the interval reaches within {} of 1.00x and beyond it",
            percent(t.noise)
        ));
    }
    if cells().any(|c| c.speedup.is_some() && c.finding == Finding::NoChange) {
        lines.push(format!("≈: no change: the whole interval lies within {} of 1.00x", percent(t.noise)));
    }
    let unchanged = t.arms.iter().any(|r| r.cells.iter().any(|c| r.arms.iter().all(|a| !a.changes(c.scenario))));
    if unchanged {
        lines.push("-: not built: the arm changes nothing in a check after touching a file (no link, no code)".into());
    }
    if cells().any(|c| c.speedup.is_some() && !c.meant) {
        lines
            .push("(…): not what the arm is for (`no-incremental` is for clean builds); not counted against it".into());
    }
    lines
}

/// `1%` from `0.01`.
fn percent(fraction: f64) -> String {
    format!("{}%", (fraction * 1000.0).round() / 10.0)
}

/// The table or Markdown: the answer, today's times, one row per arm, the arms left out, the
/// lines to paste.
fn text(t: &Tried, markdown: bool) -> String {
    let mut head = vec!["arm".to_string()];
    head.extend(t.today.iter().map(|d| d.scenario.to_string()));
    let mut rows = vec![head];
    let mut today = vec!["today".to_string()];
    today.extend(t.today.iter().map(|d| d.seconds.map_or("-".into(), format::seconds)));
    rows.push(today);
    for row in &t.arms {
        let mut line = vec![row.name()];
        match &row.failed {
            Some(why) => line.push(format!("failed: {}", why.lines().next().unwrap_or_default())),
            None => line.extend(row.cells.iter().map(cell_text)),
        }
        rows.push(line);
    }
    let mut out = String::new();
    for answer in &t.answer {
        let sentence = crate::report::export::wrap(&answer.sentence, (!markdown).then_some(WIDTH), 4);
        writeln!(out, "{}{sentence}", if markdown { "- " } else { "" }).ok();
    }
    if !t.adopt.is_empty() {
        writeln!(out, "{}The lines to paste are at the end.", if markdown { "- " } else { "" }).ok();
    }
    out.push('\n');
    let width = |i: usize| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0);
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().enumerate().map(|(i, c)| format!("{c:<w$}", w = width(i))).collect();
        match markdown {
            true => writeln!(out, "| {} |", cells.join(" | ")),
            false => writeln!(out, "{}", cells.join("  ").trim_end()),
        }
        .ok();
        if markdown && n == 0 {
            let rule: Vec<String> = (0..row.len()).map(|i| "-".repeat(width(i).max(3))).collect();
            writeln!(out, "| {} |", rule.join(" | ")).ok();
        }
    }
    for line in legend(t) {
        writeln!(out, "{}{line}", if markdown { "\n" } else { "" }).ok();
    }
    let mut links = String::new();
    link_lines(t, &mut links, markdown);
    if !links.is_empty() {
        out.push('\n');
        out.push_str(&links);
    }
    if !t.not_here.is_empty() {
        writeln!(out, "\nNot measured here:").ok();
        for n in &t.not_here {
            let install = n.install.as_ref().map_or(String::new(), |i| format!("; `{i}`"));
            writeln!(out, "{}{}: {}{install}", if markdown { "- " } else { "   " }, n.arm, n.reason).ok();
        }
    }
    for s in &t.adopt {
        // The environment's lines are shell, the files' TOML.
        let language = if s.place == crate::report::snippet::Place::Environment { "sh" } else { "toml" };
        let fence = if markdown { format!("```{language}\n") } else { String::new() };
        let close = if markdown { "```\n" } else { "" };
        let head = format!("To adopt {} ({}), in {}:", s.arm, s.cost, s.place.name());
        let head = crate::report::export::wrap(&head, (!markdown).then_some(WIDTH), 4);
        write!(out, "\n{head}\n{fence}{}\n{close}", s.text).ok();
    }
    out
}

/// Link time apart, per scenario where the builds link: today's mean and each arm's.
/// A scenario whose builds link nothing (`check`) gets no line: every time would read 0.000 s.
fn link_lines(t: &Tried, out: &mut String, markdown: bool) {
    // Below what three decimals show.
    const NOTHING: f64 = 0.0005;
    for (i, today) in t.today.iter().enumerate() {
        let Some(base) = today.link_s else { continue };
        let linked: Vec<(String, f64)> =
            t.arms.iter().filter_map(|r| Some((r.name(), r.cells.get(i)?.link_s?))).collect();
        if base < NOTHING && linked.iter().all(|(_, s)| *s < NOTHING) {
            continue;
        }
        let arms: Vec<String> = linked.iter().map(|(name, s)| format!("{name} {s:.3} s")).collect();
        let line = format!("link time in {}: today {base:.3} s, {}", today.scenario, arms.join(", "));
        // The table fits 100 columns; Markdown wraps itself.
        let width = (!markdown).then_some(WIDTH);
        writeln!(out, "{}", crate::report::export::wrap(&line, width, 4)).ok();
    }
}

fn csv(t: &Tried) -> String {
    let mut out = String::from("arm,scenario,speedup,lower,upper,finding,rounds,failed\n");
    let num = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.4}"));
    for row in &t.arms {
        for c in &row.cells {
            let failed =
                row.failed.as_deref().unwrap_or_default().lines().next().unwrap_or_default().replace('"', "\"\"");
            writeln!(
                out,
                "{},{},{},{},{},{},{},\"{failed}\"",
                row.name(),
                c.scenario,
                num(c.speedup),
                num(c.lower),
                num(c.upper),
                c.finding.name(),
                c.rounds
            )
            .ok();
        }
    }
    out
}
