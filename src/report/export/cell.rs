//! A cell of a report's table, typed: it knows its kind (a time, a speedup read through its
//! verdict, a name with a short form, plain text) and so writes itself in full or as compactly as
//! a narrow terminal asks, instead of its text being edited afterwards. The table and Markdown
//! write their cells through it, so a figure reads the same in both.

use crate::format::{self, ONE_ROUND, ONE_ROUND_SHORT};
use crate::report::model::{EstimateJson, Figures, VerdictJson};

/// How compactly the cells are written, from the fullest; each step keeps the ones before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Compact {
    /// Every cell in full.
    Full,
    /// Names in their short form (`off., lld` for `official, rust-lld`).
    Names,
    /// And `(1 round)` written `(1)`.
    Marks,
    /// And the times without their `±` (the speedups are the answer and keep theirs).
    TimeIntervals,
}

/// One cell of the results table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Words as they are: `stopped`, `-`, `base`, a date, a bar.
    Text(String),
    /// A name with a shorter form for a narrow terminal: `official, cc` and `off., cc`.
    Named { full: String, short: String },
    /// A typical time: `0.712 s ±2.1%`, or `0.712 s (1 round)` without an interval.
    Time { seconds: f64, plus_minus_pct: Option<f64> },
    /// A speedup read through its verdict's mark: `2.60x ±3.0%`, `≈1.00x ±0.4%`, `?1.02x
    /// ±4.0%`, or `1.78x (1 round)` without an interval.
    Speedup { verdict: VerdictJson, x: f64, plus_minus_pct: Option<f64> },
}

impl Cell {
    /// A scenario's time in a row that has its figures.
    pub(crate) fn time(figures: &Figures) -> Cell {
        Cell::Time { seconds: figures.time.point, plus_minus_pct: figures.time.plus_minus_pct }
    }

    /// A scenario's speedup: `base` for the row the others are against, `-` without one.
    pub(crate) fn speedup(figures: Option<&Figures>) -> Cell {
        let Some(figures) = figures else { return Cell::Text("-".into()) };
        Cell::estimate_speedup(figures.speedup.as_ref(), figures.verdict)
    }

    /// A speedup estimate read through its verdict: `base`, or `-` without one.
    pub(crate) fn estimate_speedup(speedup: Option<&EstimateJson>, verdict: VerdictJson) -> Cell {
        match (verdict, speedup) {
            (VerdictJson::Base, _) => Cell::Text("base".into()),
            (_, None) => Cell::Text("-".into()),
            (verdict, Some(e)) => Cell::Speedup { verdict, x: e.point, plus_minus_pct: e.plus_minus_pct },
        }
    }

    /// The cell written as compactly as `compact` says.
    pub(crate) fn text(&self, compact: Compact) -> String {
        let one_round = if compact >= Compact::Marks { ONE_ROUND_SHORT } else { ONE_ROUND };
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Named { full, short } => if compact >= Compact::Names { short } else { full }.clone(),
            Cell::Time { seconds, plus_minus_pct } => match plus_minus_pct {
                Some(_) if compact >= Compact::TimeIntervals => format::seconds(*seconds),
                Some(pm) => format!("{} {}", format::seconds(*seconds), format::plus_minus(*pm)),
                None => format!("{} {one_round}", format::seconds(*seconds)),
            },
            Cell::Speedup { verdict, x, plus_minus_pct } => match plus_minus_pct {
                Some(pm) => {
                    format!("{}{} {}", super::verdict_mark(*verdict), format::speedup(*x), format::plus_minus(*pm))
                }
                None => format!("{} {one_round}", format::speedup(*x)),
            },
        }
    }
}
