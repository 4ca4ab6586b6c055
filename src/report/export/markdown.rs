//! `--format markdown`: tables ready to paste into a post, a README or a pull request.

use std::fmt::Write as _;

use super::{Exporter, legend, median_cell, speedup_cell};
use crate::report::model::{Listing, Report, Status};

/// GitHub-flavoured Markdown tables with a one-line caption.
pub(crate) struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn report(&self, report: &Report) -> String {
        let scenarios = report.scenarios();
        let runs: Vec<String> = report.runs.iter().map(|(s, n)| format!("{} {s}", n.describe())).collect();
        let mut out = format!(
            "`cargo {}` times of `{}` (MSRV {}, {} profile, touching `{}`; {} cores, {} runs, medians)\n\n",
            report.command,
            report.packages.join("`, `"),
            report.msrv.as_deref().unwrap_or("none"),
            report.profile,
            report.touched_file,
            report.cores,
            runs.join(" / "),
        );
        out.push_str("| Rust | released |");
        for s in &scenarios {
            let _ = write!(out, " {s} |");
        }
        for s in &scenarios {
            let _ = write!(out, " speedup ({s}) |");
        }
        out.push_str("\n|:-----|:---------|");
        out.push_str(&"------:|".repeat(scenarios.len() * 2));
        out.push('\n');
        for row in &report.toolchains {
            let _ = write!(out, "| {} | {} |", row.name, row.release_date.month_label());
            if row.status == Status::Failed {
                let error = row.error.as_deref().and_then(|e| e.lines().next()).unwrap_or("failed").replace('|', "\\|");
                let _ = writeln!(out, " failed: {error} |{}", " |".repeat(scenarios.len() * 2 - 1));
                continue;
            }
            for s in &scenarios {
                let _ = write!(out, " {} |", row.figures(*s).map_or("-".to_string(), median_cell));
            }
            for s in &scenarios {
                let _ = write!(out, " {} |", speedup_cell(row.figures(*s)));
            }
            out.push('\n');
        }
        let legend = legend(report);
        if !legend.is_empty() {
            out.push('\n');
            for line in legend {
                let _ = writeln!(out, "{line}  ");
            }
        }
        out
    }

    fn listing(&self, listing: &Listing) -> String {
        let mut out = format!(
            "Toolchains for `{}` (MSRV {})\n\n| toolchain | version | released | measured |\n|:--|:--|:--|:--|\n",
            listing.workspace,
            listing.msrv.as_deref().unwrap_or("none")
        );
        for t in &listing.toolchains {
            let released = t.release_date.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
            let status = t.reason.as_deref().map_or("yes".to_string(), |r| format!("no: {}", r.replace('|', "\\|")));
            let _ = writeln!(out, "| {} | {} | {released} | {status} |", t.name, t.version);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sample_listing, sample_report};

    #[test]
    fn renders_the_paste_ready_table() {
        let expected = "\
`cargo build` times of `app` (MSRV 1.56, dev profile, touching `src/main.rs`; 2 cores, 1 clean / 3 touched runs, medians)

| Rust | released | clean | touched | speedup (clean) | speedup (touched) |
|:-----|:---------|------:|------:|------:|------:|
| 1.63.0 | 2022-08 | failed: error[E0658]: use of unstable library feature, \"int_roundings\" | | | |
| 1.85.0 | 2025-02 | 26.1 s (1 run) | 0.520 s | 1.00x | 1.00x |
| 1.96.0 | 2026-05 | 14.7 s (1 run) | 0.400 s | 1.78x | ~1.30x |

~: the two rows' ranges (fastest to slowest run) overlap, so the speedup may be noise  
(1 run): one build, whose spread is unknown; more runs (`--clean-runs 3`) show it  
";
        let mut report = sample_report();
        report.toolchains[2]
            .scenarios
            .get_mut(&crate::measure::scenario::Scenario::Touched)
            .unwrap()
            .speedup_uncertain = true;
        assert_eq!(MarkdownExporter.report(&report), expected);
    }

    #[test]
    fn lists_toolchains_as_a_table() {
        let text = MarkdownExporter.listing(&sample_listing());
        assert!(
            text.contains("| 1.63.0 | 1.63.0 | 2022-08-11 | no: below MSRV 1.80 (rust-version of `app`) |"),
            "{text}"
        );
        assert!(text.contains("| 1.85.0 | 1.85.0 | 2025-02-20 | yes |"), "{text}");
    }
}
