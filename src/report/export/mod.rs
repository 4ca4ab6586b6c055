//! Report formats, one per file, each a pure [`Exporter`] of both documents timewarp prints:
//! the [`Report`] of a measuring run and the [`Listing`] of `--list`.
//!
//! Exporters compute nothing and write nothing: the output manager decides between stdout and
//! a file. The pattern is hyperfine's `src/export/`.

mod csv;
mod json;
mod markdown;
mod table;

use std::path::Path;

use super::model::{Figures, History, Listing, Report};

/// Turns timewarp's documents into text, each ending with a newline.
pub(crate) trait Exporter {
    /// A measuring run's report.
    fn report(&self, report: &Report) -> String;
    /// The `--list` view.
    fn listing(&self, listing: &Listing) -> String;
    /// `cargo timewarp history`.
    fn history(&self, history: &History) -> String;
}

/// The formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON document (`"schema": 2`).
    Json,
    /// One header line and one line per toolchain.
    Csv,
    /// A GitHub-flavoured table to paste into a post or README.
    Markdown,
}

impl Format {
    /// Every format with its `--format` name.
    pub(crate) const ALL: [(&'static str, Format); 4] =
        [("table", Format::Table), ("json", Format::Json), ("csv", Format::Csv), ("markdown", Format::Markdown)];

    /// The format called `name`.
    pub(crate) fn from_name(name: &str) -> Option<Format> {
        Format::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The format a file name implies: `.json`, `.csv`, `.md`/`.markdown`, `.txt` (table).
    pub(crate) fn from_extension(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "md" | "markdown" => Some(Format::Markdown),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }

    /// The exporter for this format; `verbose` adds CPU and memory columns to the table, which
    /// fits `width` columns when it is known.
    pub(crate) fn exporter(self, verbose: bool, width: Option<usize>) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(table::TableExporter { verbose, width }),
            Format::Json => Box::new(json::JsonExporter),
            Format::Csv => Box::new(csv::CsvExporter),
            Format::Markdown => Box::new(markdown::MarkdownExporter),
        }
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
    fn names_and_extensions() {
        assert_eq!(Format::from_name("markdown"), Some(Format::Markdown));
        assert_eq!(Format::from_name("xml"), None);
        assert_eq!(Format::from_extension(Path::new("out/h.md")), Some(Format::Markdown));
        assert_eq!(Format::from_extension(Path::new("h.json")), Some(Format::Json));
        assert_eq!(Format::from_extension(Path::new("h")), None);
    }

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
        for (name, format) in Format::ALL {
            let exporter = format.exporter(false, None);
            for text in [exporter.report(&report), exporter.listing(&listing), exporter.history(&history)] {
                assert!(text.ends_with('\n') && text.contains("1.85.0"), "{name}: {text}");
            }
        }
    }
}
