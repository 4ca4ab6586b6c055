//! The results table's layout: columns of typed cells (`export::cell`) with a typed id that gives
//! their heading and alignment, and the ladder's pieces that fit a table to a width by
//! choosing how compact its cells are written, never by editing the text they became. Also the
//! plain aligned tables of the other sections, and wrapping.

use std::fmt::Write as _;

pub(crate) use super::super::cell::{Cell, Compact};
use crate::vocab::Scenario;

/// Which column of the results table, so the layout finds columns by what they hold, never by
/// their heading's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnId {
    Toolchain,
    Released,
    Compiler,
    /// A scenario's typical time.
    Time(Scenario),
    /// A scenario's speedup against the base row.
    Speedup(Scenario),
    /// `--verbose`: a scenario's CPU time.
    Cpu(Scenario),
    /// `--verbose`: the largest process of any build.
    LargestProcess,
    /// The clean build's bar.
    Bar,
}

impl ColumnId {
    /// The heading: `toolchain`, `touched`, `speedup (touched)`, `touched cpu`.
    pub(crate) fn heading(self) -> String {
        match self {
            ColumnId::Toolchain => "toolchain".into(),
            ColumnId::Released => "released".into(),
            ColumnId::Compiler => "compiler".into(),
            ColumnId::Time(s) => s.name().into(),
            ColumnId::Speedup(s) => format!("speedup ({s})"),
            ColumnId::Cpu(s) => format!("{s} cpu"),
            ColumnId::LargestProcess => "largest process".into(),
            ColumnId::Bar => BAR_HEADING.into(),
        }
    }

    /// Words and the bar line up on the left, numbers on the right.
    fn left_aligned(self) -> bool {
        matches!(self, ColumnId::Toolchain | ColumnId::Released | ColumnId::Compiler | ColumnId::Bar)
    }
}

/// A column of the results table: what it holds and one cell per row.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) id: ColumnId,
    pub(crate) cells: Vec<Cell>,
}

impl Column {
    pub(crate) fn new(id: ColumnId, cells: Vec<Cell>) -> Column {
        Column { id, cells }
    }
}

/// The results table before it is fitted: the text columns on the left, a group of columns per
/// scenario (its time, its speedup, with `--verbose` its CPU time), more groups, and the bar.
pub(crate) struct Results {
    /// Toolchain, release date, compiler.
    pub(crate) left: Vec<Column>,
    /// Groups that stay together in one block.
    pub(crate) groups: Vec<Vec<Column>>,
    /// The clean build's bar, when there is one.
    pub(crate) bar: Option<Column>,
}

pub(crate) const BAR_WIDTH: usize = 12;
const BAR_HEADING: &str = "clean, relative";

/// `value / max` as a bar `width` cells long, in eighths of a cell.
pub(crate) fn bar(value: f64, max: f64, width: usize) -> String {
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

/// The columns `groups[chosen]` after `left`, with the bar last when given.
pub(crate) fn block<'a>(
    left: &'a [Column],
    groups: &'a [Vec<Column>],
    chosen: &[usize],
    bar: Option<&'a Column>,
) -> Vec<&'a Column> {
    left.iter().chain(chosen.iter().flat_map(|g| &groups[*g])).chain(bar).collect()
}

/// The groups in blocks of at most `width` columns each where they can be, written as `compact`
/// says: the first block led by the `left` columns, the others by the toolchain column alone; a
/// group too wide for a block of its own still gets one.
pub(crate) fn pack(left: &[Column], groups: &[Vec<Column>], width: usize, compact: Compact) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let toolchain: Vec<Column> = left.iter().filter(|c| c.id == ColumnId::Toolchain).cloned().collect();
    let lead = |first: bool| if first { left } else { &toolchain[..] };
    let text = |first: bool, chosen: &[usize]| render(&block(lead(first), groups, chosen, None), compact, true);
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

/// The results table as text, its cells written as `compact` says: words on the left, numbers
/// lined up on the right, the bar left-aligned; with `split_headings`, every heading of more
/// than one word takes two lines, broken at a space, so like columns keep like headings.
pub(crate) fn render(columns: &[&Column], compact: Compact, split_headings: bool) -> String {
    let headings: Vec<(String, String)> = columns
        .iter()
        .map(|c| {
            let heading = c.id.heading();
            match split_headings.then(|| two_lines(&heading)).flatten() {
                Some((top, bottom)) => (top, bottom),
                None => (String::new(), heading),
            }
        })
        .collect();
    let rows = columns.first().map_or(0, |c| c.cells.len());
    let cells: Vec<Vec<String>> =
        (0..rows).map(|r| columns.iter().map(|c| c.cells[r].text(compact)).collect()).collect();
    let mut lines: Vec<Vec<&str>> = Vec::new();
    if headings.iter().any(|(top, _)| !top.is_empty()) {
        lines.push(headings.iter().map(|(top, _)| top.as_str()).collect());
    }
    lines.push(headings.iter().map(|(_, bottom)| bottom.as_str()).collect());
    lines.extend(cells.iter().map(|r| r.iter().map(String::as_str).collect()));
    align(&lines, "", |c| columns[c].id.left_aligned())
}

/// `lines` of cells rendered by `render`, whole when that fits `width`; else the columns
/// between the first `left` and the last `right` go into blocks, each with those around it,
/// as many to a block as fit (one at the least), the blocks a blank line apart.
pub(crate) fn fitted(
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

/// `speedup (touched)` as `speedup` over `(touched)`, broken at the space that makes the wider
/// line shortest; `None` for one word.
pub(crate) fn two_lines(heading: &str) -> Option<(String, String)> {
    heading
        .match_indices(' ')
        .map(|(at, _)| (heading[..at].trim_end(), heading[at + 1..].trim_start()))
        .min_by_key(|(top, bottom)| width(top).max(width(bottom)))
        .map(|(top, bottom)| (top.to_string(), bottom.to_string()))
}

/// `line` broken at spaces into lines of at most `width` characters, each continuation indented
/// by `indent` spaces; a word longer than the width stays whole. `None` leaves it as it is.
pub(crate) fn wrap(line: &str, width: Option<usize>, indent: usize) -> String {
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
pub(crate) fn width(text: &str) -> usize {
    console::measure_text_width(text)
}

/// Lines of cells, aligned: left for the first column, right for the rest.
pub(crate) fn aligned(lines: &[Vec<String>]) -> String {
    aligned_right(lines, 1)
}

/// Lines of cells, indented and aligned: left for the first `left` columns, right for the rest.
pub(crate) fn aligned_right(lines: &[Vec<String>], left: usize) -> String {
    let lines: Vec<Vec<&str>> = lines.iter().map(|r| r.iter().map(String::as_str).collect()).collect();
    align(&lines, "  ", |c| c < left)
}

/// Lines of cells after `indent`, each column as wide as its widest cell, two spaces apart;
/// column `c` is aligned left when `left(c)`, else right.
pub(crate) fn align(lines: &[Vec<&str>], indent: &str, left: impl Fn(usize) -> bool) -> String {
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
