//! `--format csv`: one header line and one line per toolchain, for spreadsheets. The columns
//! are the same in every run (a scenario that did not run leaves its cells empty).

use std::fmt::Write as _;

use super::Exporter;
use crate::report::model::{History, Listing, Report};
use crate::vocab::Scenario;

/// Comma-separated values, RFC 4180 quoting; one table per document.
pub(crate) struct CsvExporter;

/// `--crates-csv`: every crate of every row's per-crate build, one table of its own (a CSV file
/// holds one table, so the report's `--format csv` leaves it out).
pub(crate) fn crates_csv(report: &Report) -> String {
    let mut out = String::from("toolchain,package,version,crate,kind,workspace,wall_s,cpu_s,peak_rss_mib\n");
    for row in &report.toolchains {
        for c in row.crates.iter().flat_map(|c| &c.crates) {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{:.1}",
                quote(&row.name),
                quote(&c.package),
                quote(&c.version),
                quote(&c.crate_name),
                quote(c.kind.name()),
                c.workspace,
                c.wall_s,
                c.cpu_s,
                c.peak_rss_mib
            );
        }
    }
    out
}

fn report_header() -> String {
    let mut header = String::from("toolchain,version,release_date,status");
    for s in Scenario::ALL {
        let _ = write!(header, ",{s}_median_s,{s}_min_s,{s}_max_s,{s}_runs,{s}_speedup,{s}_speedup_uncertain");
    }
    header.push_str(",error");
    header
}

impl Exporter for CsvExporter {
    fn report(&self, report: &Report) -> String {
        let mut out = report_header();
        out.push('\n');
        for row in &report.toolchains {
            let _ = write!(
                out,
                "{},{},{},{}",
                quote(&row.name),
                quote(&row.version),
                row.release_date,
                row.status.as_str()
            );
            for scenario in Scenario::ALL {
                match row.figures(scenario) {
                    Some(f) => {
                        let speedup = f.speedup.map(|n| format!("{n:.4}")).unwrap_or_default();
                        let w = &f.wall;
                        let uncertain = f.speedup_uncertain;
                        let _ = write!(
                            out,
                            ",{},{},{},{},{speedup},{uncertain}",
                            w.median_s,
                            w.min_s,
                            w.max_s,
                            w.runs_s.len()
                        );
                    }
                    None => out.push_str(",,,,,,"),
                }
            }
            let _ = writeln!(out, ",{}", quote(row.error.as_deref().unwrap_or_default()));
        }
        out
    }

    fn history(&self, history: &History) -> String {
        let mut out = String::from("toolchain_version,recorded_at,git_commit,what,status");
        for s in Scenario::ALL {
            let _ = write!(out, ",{s}_median_s,{s}_change_pct");
        }
        out.push('\n');
        for toolchain in &history.toolchains {
            for p in &toolchain.points {
                let commit = p.git_commit.as_deref().unwrap_or_default();
                let _ = write!(
                    out,
                    "{},{},{commit},{},{}",
                    quote(&toolchain.version),
                    p.recorded_at,
                    quote(&p.what),
                    p.status.as_str()
                );
                for s in Scenario::ALL {
                    let median = p.medians.get(&s).map(ToString::to_string).unwrap_or_default();
                    let change = p.change_pct.get(&s).map(|c| format!("{c:.2}")).unwrap_or_default();
                    let _ = write!(out, ",{median},{change}");
                }
                out.push('\n');
            }
        }
        out
    }

    fn listing(&self, listing: &Listing) -> String {
        let mut out = String::from("toolchain,aliases,version,release_date,selected,reason\n");
        for t in &listing.toolchains {
            let released = t.release_date.map(|d| d.to_string()).unwrap_or_default();
            let _ = writeln!(
                out,
                "{},{},{},{released},{},{}",
                quote(&t.name),
                quote(&t.aliases.join(" ")),
                quote(&t.version),
                t.selected,
                quote(t.reason.as_deref().unwrap_or_default())
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
    use crate::testing::{sample_listing, sample_report};

    #[test]
    fn one_line_per_toolchain_with_quoted_errors() {
        let text = CsvExporter.report(&sample_report());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[0],
            "toolchain,version,release_date,status,clean_median_s,clean_min_s,clean_max_s,clean_runs,clean_speedup,clean_speedup_uncertain,touched_median_s,touched_min_s,touched_max_s,touched_runs,touched_speedup,touched_speedup_uncertain,edited_median_s,edited_min_s,edited_max_s,edited_runs,edited_speedup,edited_speedup_uncertain,error"
        );
        assert_eq!(
            lines[1],
            "1.63.0,1.63.0,2022-08-11,failed,,,,,,,,,,,,,,,,,,,\"error[E0658]: use of unstable library feature, \"\"int_roundings\"\"\""
        );
        assert_eq!(
            lines[2],
            "1.85.0,1.85.0,2025-02-20,ok,26.1,26.1,26.1,1,1.0000,false,0.52,0.5096,0.5304,3,1.0000,false,,,,,,,"
        );
        assert!(lines[3].starts_with("1.96.0,1.96.0,2026-05-28,ok,14.7,14.7,14.7,1,1.7755,"), "{}", lines[3]);
        for line in &lines[1..] {
            // 23 columns; the quoted error holds one comma of its own.
            let commas = line.matches(',').count() - usize::from(line.contains("feature,"));
            assert_eq!(commas, 22, "{line}");
        }
    }

    #[test]
    fn per_crate_times_are_a_table_of_their_own() {
        let report = crate::testing::sample_report_with_crates();
        assert!(!CsvExporter.report(&report).contains("\n\n"), "the report is one table");
        let text = crates_csv(&report);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "toolchain,package,version,crate,kind,workspace,wall_s,cpu_s,peak_rss_mib");
        assert_eq!(lines[1], "1.85.0,regex,1.0.0,regex,lib,false,6,6,300.0");
        assert_eq!(lines.len(), 1 + 3 + 2, "every crate of every row");
    }

    #[test]
    fn the_listing_has_a_line_per_toolchain() {
        let text = CsvExporter.listing(&sample_listing());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "toolchain,aliases,version,release_date,selected,reason");
        assert_eq!(lines[1], "1.63.0,,1.63.0,2022-08-11,false,below MSRV 1.80 (rust-version of `app`)");
        assert_eq!(lines[2], "1.85.0,stable,1.85.0,2025-02-20,true,");
    }
}
