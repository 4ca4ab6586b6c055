//! Report formats, one per file, each a pure [`Exporter`] of both documents timewarp prints:
//! the [`Report`] of a measuring run and the [`Listing`] of `--list`.
//!
//! Exporters compute nothing and write nothing: the output manager decides between stdout and
//! a file. The pattern is hyperfine's `src/export/`.

mod csv;
mod json;
mod markdown;
mod table;

pub(crate) use csv::crates_csv;

use super::model::{Figures, History, Listing, Report};
use crate::vocab::Format;

/// Turns timewarp's documents into text, each ending with a newline.
pub(crate) trait Exporter {
    /// A measuring run's report.
    fn report(&self, report: &Report) -> String;
    /// The `--list` view.
    fn listing(&self, listing: &Listing) -> String;
    /// `cargo timewarp history`.
    fn history(&self, history: &History) -> String;
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
/// Seconds the way people read build times: `26.1 s`, `1.23 s`, `0.412 s`.
fn seconds(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.3} s")
    }
}

/// `1.78x`, or `-` when there is no ratio.
fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "-".to_string(), |r| format!("{r:.2}x"))
}

/// A median as a cell: `26.1 s`, or `26.1 s (1 run)` when one build is all there is, so a single
/// number never looks as certain as a repeated one.
fn median_cell(figures: &Figures) -> String {
    let median = seconds(figures.wall.median_s);
    if figures.wall.runs_s.len() == 1 { format!("{median} (1 run)") } else { median }
}

/// A speedup as a cell: `1.78x`, `~1.08x` when the two rows' ranges overlap, `-` without one.
fn speedup_cell(figures: Option<&Figures>) -> String {
    match figures {
        Some(f) if f.speedup_uncertain => format!("~{}", ratio(f.speedup)),
        Some(f) => ratio(f.speedup),
        None => ratio(None),
    }
}

/// A row's name as its first cell: the toolchain's name, with its version beside it when the
/// name does not say it (`stable (1.95.0)`, `nightly (1.97.0-nightly)`).
fn row_label(row: &super::model::Row) -> String {
    if row.name == row.version { row.name.clone() } else { format!("{} ({})", row.name, row.version) }
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

/// `+2.5%`, or `-` without a figure.
fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{p:+.1}%"))
}

/// The lines that explain the marks a table's cells carry.
fn legend(report: &Report) -> Vec<&'static str> {
    let figures = || report.toolchains.iter().flat_map(|r| r.scenarios.values());
    let mut lines = Vec::new();
    if figures().any(|f| f.speedup_uncertain) {
        lines.push("~: the two rows' ranges (fastest to slowest run) overlap, so the speedup may be noise");
    }
    if figures().any(|f| f.wall.runs_s.len() == 1) {
        lines.push("(1 run): one build, whose spread is unknown; more runs (`--clean-runs 3`) show it");
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_numbers() {
        assert_eq!(seconds(26.14), "26.1 s");
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(0.4123), "0.412 s");
        assert_eq!(ratio(Some(1.7755)), "1.78x");
        assert_eq!(ratio(None), "-");
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
