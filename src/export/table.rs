//! The default human output: a header saying what was measured and how, aligned columns, the
//! skipped toolchains with reasons, and any warnings.

use std::fmt::Write as _;

use super::{Exporter, ratio, seconds};
use crate::report::{Listing, Report, Status};

/// Plain aligned text; no colour, so it pastes anywhere.
pub struct TableExporter;

const HEADINGS: [&str; 7] =
    ["toolchain", "released", "compiler", "clean build", "incremental", "speedup (clean)", "speedup (incr.)"];

impl Exporter for TableExporter {
    fn render(&self, report: &Report) -> String {
        let mut out = String::new();
        let msrv =
            report.msrv_floors.first().map_or_else(|| "none".to_string(), |f| format!("{} ({})", f.version, f.reason));
        let _ = writeln!(out, "workspace: {} ({})", report.workspace, report.packages.join(", "));
        let _ = writeln!(out, "MSRV:      {msrv}");
        let _ = writeln!(
            out,
            "builds:    cargo {}, {} profile, touching {}, {} cores, {} clean + {} incremental runs per toolchain, medians",
            report.command,
            report.profile,
            report.touched_file,
            report.cores,
            report.clean_runs,
            report.incremental_runs
        );
        let _ = writeln!(out, "warm-up:   {}", report.warmup);
        out.push('\n');

        let mut rows: Vec<[String; 7]> = vec![HEADINGS.map(str::to_string)];
        let mut failures = Vec::new();
        for row in &report.toolchains {
            let released = row.release_date.to_string();
            let compiler = format!("{}, {}", row.provenance, row.linker);
            if row.status != Status::Ok {
                failures.push(format!("{}: {}", row.name, row.error.as_deref().unwrap_or("failed")));
                let failed = || "failed".to_string();
                rows.push([row.name.clone(), released, compiler, failed(), failed(), "-".into(), "-".into()]);
                continue;
            }
            let median =
                |s: &Option<crate::stats::Summary>| s.as_ref().map_or("-".to_string(), |s| seconds(s.median_s));
            rows.push([
                row.name.clone(),
                released,
                compiler,
                median(&row.clean),
                median(&row.incremental),
                ratio(row.speedup_clean),
                ratio(row.speedup_incremental),
            ]);
        }
        let widths: Vec<usize> =
            (0..HEADINGS.len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        for row in &rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c > 0 {
                    line.push_str("  ");
                }
                // Names and dates read left to right; numbers line up on the right.
                if c < 3 {
                    let _ = write!(line, "{cell:<w$}", w = widths[c]);
                } else {
                    let _ = write!(line, "{cell:>w$}", w = widths[c]);
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
        for failure in failures {
            let _ = writeln!(out, "\nfailed {failure}");
        }
        if !report.skipped.is_empty() {
            out.push_str("\nnot measured:\n");
            for s in &report.skipped {
                let _ = writeln!(out, "  {} ({}): {}", s.name, s.version, s.reason);
            }
        }
        if !report.removed_env.is_empty() {
            let _ = writeln!(out, "\nremoved from the builds' environment: {}", report.removed_env.join(", "));
        }
        if !report.warnings.is_empty() {
            out.push('\n');
        }
        for warning in &report.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        out
    }
}

/// The `--list` table: one line per installed toolchain, `selected` or the reason it is not.
pub fn render_listing(listing: &Listing) -> String {
    let msrv =
        listing.msrv_floors.first().map_or_else(|| "none".to_string(), |f| format!("{} ({})", f.version, f.reason));
    let mut out = format!("workspace: {}\nMSRV:      {msrv}\n\n", listing.workspace);
    let name = |t: &crate::report::Listed| {
        if t.aliases.is_empty() { t.name.clone() } else { format!("{} ({})", t.name, t.aliases.join(", ")) }
    };
    let w_name = listing.toolchains.iter().map(|t| name(t).len()).max().unwrap_or(0).max("toolchain".len());
    let w_version = listing.toolchains.iter().map(|t| t.version.len()).max().unwrap_or(0).max("version".len());
    let _ = writeln!(out, "{:<w_name$}  {:<w_version$}  {:<10}  status", "toolchain", "version", "released");
    for t in &listing.toolchains {
        let released = t.release_date.map_or_else(|| "-".to_string(), |d| d.to_string());
        let status = t.reason.as_deref().unwrap_or("selected");
        let _ = writeln!(out, "{:<w_name$}  {:<w_version$}  {released:<10}  {status}", name(t), t.version);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn renders_header_columns_failures_and_skips() {
        let expected = "\
workspace: /work/app (app)
MSRV:      1.56 (edition 2021 of `app`)
builds:    cargo build, dev profile, touching src/main.rs, 2 cores, 1 clean + 3 incremental runs per toolchain, medians
warm-up:   none: every clean build is timed from an empty target directory, the first included; incremental rebuilds follow the last clean build

toolchain  released    compiler      clean build  incremental  speedup (clean)  speedup (incr.)
1.63.0     2022-08-11  official, cc       failed       failed                -                -
1.85.0     2025-02-20  official, cc       26.1 s      0.520 s            1.00x            1.00x
1.96.0     2026-05-28  official, cc       14.7 s      0.400 s            1.78x            1.30x

failed 1.63.0: error[E0658]: use of unstable library feature, \"int_roundings\"

not measured:
  nightly (1.97.0-nightly): not stable

removed from the builds' environment: RUSTC_WRAPPER

warning: 1.96.0 incremental: runs vary by 8% (0.380 s to 0.420 s); rerun with more runs
";
        assert_eq!(TableExporter.render(&sample_report()), expected);
    }
}
