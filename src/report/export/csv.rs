//! `--format csv`: one header line and one line per toolchain, for spreadsheets. The columns
//! are the same in every run (a scenario that did not run leaves its cells empty).

use std::fmt::Write as _;

use super::Exporter;
use crate::report::model::{Bisected, History, Listing, Merged, Report};
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

/// A scenario's name as a column prefix: `check_touched`.
fn prefix(scenario: Scenario) -> String {
    scenario.name().replace('-', "_")
}

fn report_header() -> String {
    let mut header = String::from("toolchain,version,release_date,status");
    for s in Scenario::ALL.map(prefix) {
        let _ = write!(
            header,
            ",{s}_time_s,{s}_time_low_s,{s}_time_high_s,{s}_median_s,{s}_rounds,{s}_speedup,{s}_speedup_low,{s}_speedup_high,{s}_verdict,{s}_link_s,{s}_compile_s,{s}_link_share_pct,{s}_link_speedup,{s}_link_speedup_low,{s}_link_speedup_high,{s}_compile_speedup,{s}_compile_speedup_low,{s}_compile_speedup_high"
        );
    }
    header.push_str(",error");
    header
}

/// An optional estimate's number as a CSV cell, to a ten-thousandth (of a second, or of a
/// ratio): finer than any interval the engine reports.
fn number(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.4}")).unwrap_or_default()
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
                        let speedup = f.speedup.as_ref();
                        let verdict = serde_json::to_value(f.verdict).ok().and_then(|v| v.as_str().map(str::to_string));
                        let _ = write!(
                            out,
                            ",{},{},{},{},{},{},{},{},{}",
                            number(Some(f.time.point)),
                            number(f.time.low),
                            number(f.time.high),
                            f.wall.median_s,
                            f.rounds,
                            number(speedup.map(|e| e.point)),
                            number(speedup.and_then(|e| e.low)),
                            number(speedup.and_then(|e| e.high)),
                            verdict.unwrap_or_default()
                        );
                        let link = f.link.as_ref();
                        let (ls, cs) =
                            (link.and_then(|l| l.speedup.as_ref()), link.and_then(|l| l.compile_speedup.as_ref()));
                        let _ = write!(
                            out,
                            ",{},{},{},{},{},{},{},{},{}",
                            number(link.map(|l| l.time.point)),
                            number(link.map(|l| l.compile.point)),
                            link.map(|l| format!("{:.1}", l.share_pct)).unwrap_or_default(),
                            number(ls.map(|e| e.point)),
                            number(ls.and_then(|e| e.low)),
                            number(ls.and_then(|e| e.high)),
                            number(cs.map(|e| e.point)),
                            number(cs.and_then(|e| e.low)),
                            number(cs.and_then(|e| e.high)),
                        );
                    }
                    None => out.push_str(&",".repeat(18)),
                }
            }
            let error = row.error.clone().or_else(|| {
                let stopped: Vec<String> = row.scenario_errors.iter().map(|(s, why)| format!("{s}: {why}")).collect();
                (!stopped.is_empty()).then(|| stopped.join("; "))
            });
            let _ = writeln!(out, ",{}", quote(error.as_deref().unwrap_or_default()));
        }
        out
    }

    fn history(&self, history: &History) -> String {
        let mut out = String::from("toolchain_version,recorded_at,git_commit,what,status");
        for s in Scenario::ALL.map(prefix) {
            let _ = write!(out, ",{s}_median_s,{s}_change_pct,{s}_change");
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
                    quote(&p.profile.to_string()),
                    p.status.as_str()
                );
                for s in Scenario::ALL {
                    let median = p.medians.get(&s).map(ToString::to_string).unwrap_or_default();
                    let change = p.change_pct.get(&s).map(|c| format!("{c:.2}")).unwrap_or_default();
                    let what = p.change.get(&s).map(|c| c.as_str()).unwrap_or_default();
                    let _ = write!(out, ",{median},{change},{what}");
                }
                out.push('\n');
            }
        }
        out
    }

    /// One line per change of every step and scenario.
    /// One line per change of every step and scenario; the nightly search's steps (`--nightlies`)
    /// follow, numbered `n1`, `n2`, ...
    fn bisected(&self, bisected: &Bisected) -> String {
        let mut out = String::from(
            "step,from,to,scenario,speedup,speedup_low,speedup_high,verdict,share_pct,link_speedup,compile_speedup,kept\n",
        );
        let stable = bisected.steps.iter().enumerate().map(|(i, s)| ((i + 1).to_string(), s));
        let nightly =
            bisected.nightlies.iter().flat_map(|n| n.steps.iter().enumerate()).map(|(i, s)| (format!("n{}", i + 1), s));
        for (label, step) in stable.chain(nightly) {
            let kept = step.kept.as_ref().map(|[a, b]| format!("{a} {b}")).unwrap_or_default();
            for change in &step.changes {
                for (scenario, f) in &change.scenarios {
                    let verdict = serde_json::to_value(f.verdict).ok().and_then(|v| v.as_str().map(str::to_string));
                    let _ = writeln!(
                        out,
                        "{label},{},{},{scenario},{},{},{},{},{},{},{},{}",
                        quote(&change.from),
                        quote(&change.to),
                        f.speedup.point,
                        number(f.speedup.low),
                        number(f.speedup.high),
                        verdict.unwrap_or_default(),
                        number(f.share_pct),
                        number(f.link_speedup.map(|e| e.point)),
                        number(f.compile_speedup.map(|e| e.point)),
                        quote(&kept)
                    );
                }
            }
        }
        out
    }

    fn merged(&self, merged: &Merged) -> String {
        let mut out = String::from(
            "version,scenario,speedup,speedup_low,speedup_high,verdict,machines,per_machine,another_low,another_high\n",
        );
        for row in &merged.rows {
            for (scenario, f) in &row.scenarios {
                let verdict = serde_json::to_value(f.verdict).ok().and_then(|v| v.as_str().map(str::to_string));
                let each: Vec<String> = f.per_machine.iter().map(|p| format!("{p:.4}")).collect();
                let _ = writeln!(
                    out,
                    "{},{scenario},{},{},{},{},{},{},{},{}",
                    quote(&row.version),
                    f.speedup.point,
                    number(f.speedup.low),
                    number(f.speedup.high),
                    verdict.unwrap_or_default(),
                    f.machines,
                    quote(&each.join(" ")),
                    number(f.prediction.as_ref().and_then(|p| p.low)),
                    number(f.prediction.as_ref().and_then(|p| p.high))
                );
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
        let mut expected = String::from("toolchain,version,release_date,status");
        let scenarios = ["clean", "touched", "edited", "deep", "check", "check_touched", "test", "release"];
        for s in scenarios {
            for column in [
                "time_s",
                "time_low_s",
                "time_high_s",
                "median_s",
                "rounds",
                "speedup",
                "speedup_low",
                "speedup_high",
                "verdict",
                "link_s",
                "compile_s",
                "link_share_pct",
                "link_speedup",
                "link_speedup_low",
                "link_speedup_high",
                "compile_speedup",
                "compile_speedup_low",
                "compile_speedup_high",
            ] {
                expected.push_str(&format!(",{s}_{column}"));
            }
        }
        assert_eq!(lines[0], expected + ",error");
        let empty = ",".repeat(18 * 8);
        assert_eq!(
            lines[1],
            format!(
                "1.63.0,1.63.0,2022-08-11,failed{empty},\"error[E0658]: use of unstable library feature, \"\"int_roundings\"\"\""
            )
        );
        let (no_link, unmeasured) = (",".repeat(9), ",".repeat(18 * 6));
        assert_eq!(
            lines[2],
            format!(
                "1.85.0,1.85.0,2025-02-20,ok,26.1000,,,26.1,1,,,,base{no_link},0.5199,0.4947,0.5464,0.52,3,,,,base,0.2600,0.2600,50.0,,,,,,{unmeasured},"
            )
        );
        assert!(
            lines[3].starts_with("1.96.0,1.96.0,2026-05-28,ok,14.7000,,,14.7,1,1.7755,,,inconclusive,,,,,,,,,,0.4003,"),
            "{}",
            lines[3]
        );
        assert!(lines[3].contains(",0.4,3,1.2988,1.2707,1.3275,faster,0.1000,0.3003,"), "{}", lines[3]);
        assert!(
            lines[3].contains(",25.0,2.5997,2.5359,2.6651,0.8656,0.8477,0.8839,"),
            "link and compile speedups: {}",
            lines[3]
        );
        for line in &lines[1..] {
            // 149 columns; the quoted error holds one comma of its own.
            let commas = line.matches(',').count() - usize::from(line.contains("feature,"));
            assert_eq!(commas, 4 + 18 * 8, "{line}");
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
