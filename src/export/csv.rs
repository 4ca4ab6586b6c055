//! `--format csv`: one header line and one line per measured toolchain, for spreadsheets.

use std::fmt::Write as _;

use super::Exporter;
use crate::report::Report;
use crate::stats::Summary;

/// Comma-separated values, RFC 4180 quoting.
pub struct CsvExporter;

const HEADER: &str = "toolchain,version,release_date,status,clean_median_s,clean_min_s,clean_max_s,\
incremental_median_s,incremental_min_s,incremental_max_s,speedup_clean,speedup_incremental,\
edited_median_s,speedup_edited,error";

impl Exporter for CsvExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = format!("{HEADER}\n");
        for row in &report.toolchains {
            let summary = |s: &Option<Summary>| match s {
                Some(s) => format!("{},{},{}", s.median_s, s.min_s, s.max_s),
                None => ",,".to_string(),
            };
            let number = |n: Option<f64>| n.map(|n| format!("{n:.4}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{}",
                quote(&row.name),
                quote(&row.version),
                row.release_date,
                row.status.as_str(),
                summary(&row.clean),
                summary(&row.incremental),
                number(row.speedup_clean),
                number(row.speedup_incremental),
                row.patched.as_ref().map(|s| s.median_s.to_string()).unwrap_or_default(),
                number(row.speedup_patched),
                quote(row.error.as_deref().unwrap_or_default()),
            );
        }
        out
    }
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn one_line_per_toolchain_with_quoted_errors() {
        let text = CsvExporter.render(&sample_report());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], HEADER);
        assert_eq!(
            lines[1],
            "1.63.0,1.63.0,2022-08-11,failed,,,,,,,,,,,\"error[E0658]: use of unstable library feature, \"\"int_roundings\"\"\""
        );
        assert_eq!(lines[2], "1.85.0,1.85.0,2025-02-20,ok,26.1,26.1,26.1,0.52,0.5096,0.5304,1.0000,1.0000,,,");
        assert!(lines[3].starts_with("1.96.0,1.96.0,2026-05-28,ok,14.7,"), "{}", lines[3]);
        assert!(lines[3].ends_with(",1.7755,1.3000,,,"), "{}", lines[3]);
        for line in &lines[1..] {
            // 15 columns; the quoted error holds one comma of its own.
            let commas = line.matches(',').count() - usize::from(line.contains("feature,"));
            assert_eq!(commas, 14, "{line}");
        }
    }
}
