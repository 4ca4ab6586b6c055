//! `--format markdown`: a table ready to paste into a post, a README or a pull request.

use std::fmt::Write as _;

use super::{Exporter, ratio, seconds};
use crate::report::{Report, Status};

/// A GitHub-flavoured Markdown table with a one-line caption.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        let msrv = report.msrv.as_deref().unwrap_or("none");
        let _ = writeln!(
            out,
            "`cargo {}` times of `{}` (MSRV {msrv}, {} profile, touching `{}`; {} cores, {} clean / {} incremental runs, medians)\n",
            report.command,
            report.packages.join("`, `"),
            report.profile,
            report.touched_file,
            report.cores,
            report.clean_runs,
            report.incremental_runs,
        );
        let edited = report.toolchains.iter().any(|r| r.patched.is_some());
        let (extra_head, extra_rule) =
            if edited { (" edited | speedup (edited) |", "-------:|-----------------:|") } else { ("", "") };
        let _ = writeln!(
            out,
            "| Rust | released | clean build | incremental | speedup (clean) | speedup (incr.) |{extra_head}"
        );
        let _ = writeln!(
            out,
            "|:-----|:---------|------------:|------------:|----------------:|----------------:|{extra_rule}"
        );
        for row in &report.toolchains {
            let released = row.release_date.month_label();
            if row.status != Status::Ok {
                let error = row.error.as_deref().unwrap_or("failed").replace('|', "\\|");
                let _ = writeln!(
                    out,
                    "| {} | {released} | failed: {error} | | | |{}",
                    row.name,
                    if edited { " | |" } else { "" }
                );
                continue;
            }
            let median =
                |s: &Option<crate::stats::Summary>| s.as_ref().map_or("-".to_string(), |s| seconds(s.median_s));
            let extra = if edited {
                format!(" {} | {} |", median(&row.patched), ratio(row.speedup_patched))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "| {} | {released} | {} | {} | {} | {} |{extra}",
                row.name,
                median(&row.clean),
                median(&row.incremental),
                ratio(row.speedup_clean),
                ratio(row.speedup_incremental),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn renders_the_paste_ready_table() {
        let expected = "\
`cargo build` times of `app` (MSRV 1.56, dev profile, touching `src/main.rs`; 2 cores, 1 clean / 3 incremental runs, medians)

| Rust | released | clean build | incremental | speedup (clean) | speedup (incr.) |
|:-----|:---------|------------:|------------:|----------------:|----------------:|
| 1.63.0 | 2022-08 | failed: error[E0658]: use of unstable library feature, \"int_roundings\" | | | |
| 1.85.0 | 2025-02 | 26.1 s | 0.520 s | 1.00x | 1.00x |
| 1.96.0 | 2026-05 | 14.7 s | 0.400 s | 1.78x | 1.30x |
";
        assert_eq!(MarkdownExporter.render(&sample_report()), expected);
    }
}
