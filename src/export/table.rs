//! The default human output: a header saying what was measured and how, aligned columns, the
//! skipped toolchains with reasons, and any warnings.

use std::fmt::Write as _;

use super::{Exporter, ratio, seconds};
use crate::report::{Listing, Report, Status};
use crate::stats::Summary;

/// Plain aligned text; no colour, so it pastes anywhere.
pub struct TableExporter {
    /// Adds CPU time and peak memory columns.
    pub verbose: bool,
}

const BAR_WIDTH: usize = 12;

/// `value / max` as a bar `width` cells long, in eighths of a cell.
fn bar(value: f64, max: f64, width: usize) -> String {
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

const EDITED_HEADINGS: [&str; 2] = ["edited", "speedup (edited)"];

const VERBOSE_HEADINGS: [&str; 3] = ["clean cpu", "incr. cpu", "peak memory"];

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

        let mut headings: Vec<&str> = HEADINGS.to_vec();
        let edited = report.toolchains.iter().any(|r| r.patched.is_some());
        if edited {
            headings.extend(EDITED_HEADINGS);
        }
        if self.verbose {
            headings.extend(VERBOSE_HEADINGS);
        }
        let mut rows: Vec<Vec<String>> = vec![headings.iter().map(|h| h.to_string()).collect()];
        let mut failures = Vec::new();
        for row in &report.toolchains {
            let released = row.release_date.to_string();
            let compiler = format!("{}, {}", row.provenance, row.linker);
            let mut cells = if row.status != Status::Ok {
                failures.push(format!("{}: {}", row.name, row.error.as_deref().unwrap_or("failed")));
                let status = row.status.as_str().to_string();
                let mut cells =
                    vec![row.name.clone(), released, compiler, status.clone(), status, "-".into(), "-".into()];
                if edited {
                    cells.extend(["-".to_string(), "-".to_string()]);
                }
                cells
            } else {
                let median = |s: &Option<Summary>| s.as_ref().map_or("-".to_string(), |s| seconds(s.median_s));
                let mut cells = vec![
                    row.name.clone(),
                    released,
                    compiler,
                    median(&row.clean),
                    median(&row.incremental),
                    ratio(row.speedup_clean),
                    ratio(row.speedup_incremental),
                ];
                if edited {
                    cells.extend([median(&row.patched), ratio(row.speedup_patched)]);
                }
                cells
            };
            if self.verbose {
                let cpu = |s: &Option<Summary>| s.as_ref().map_or("-".to_string(), |s| seconds(s.median_s));
                let mib = |m: Option<f64>| m.map_or("-".to_string(), |m| format!("{m:.0} MiB"));
                cells.extend([cpu(&row.clean_cpu), cpu(&row.incremental_cpu), mib(row.clean_peak_rss_mib)]);
            }
            rows.push(cells);
        }
        // A bar per row: the clean build's median against the slowest row's, at a glance.
        let slowest = report.toolchains.iter().filter_map(|r| r.clean.as_ref()).map(|s| s.median_s).fold(0.0, f64::max);
        headings.push("clean build, relative");
        rows[0].push("clean build, relative".into());
        for (cells, row) in rows[1..].iter_mut().zip(&report.toolchains) {
            cells.push(row.clean.as_ref().map_or_else(String::new, |s| bar(s.median_s, slowest, BAR_WIDTH)));
        }
        let widths: Vec<usize> =
            (0..headings.len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        for row in &rows {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c > 0 {
                    line.push_str("  ");
                }
                // Names, dates and bars read left to right; numbers line up on the right.
                if c < 3 || c == row.len() - 1 {
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
        if let Some(comparison) = &report.baseline {
            let limit = comparison.max_regression_pct.map(|p| format!(", limit +{p}%")).unwrap_or_default();
            let _ = writeln!(out, "\ncompared with the baseline {}{limit}:", comparison.baseline);
            for change in &comparison.changes {
                let mark = if change.regressed { "SLOWER " } else { "" };
                let _ = writeln!(out, "  {mark}{}", change.describe());
            }
            if comparison.changes.is_empty() {
                out.push_str("  no toolchain version is in both reports\n");
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
    fn shows_the_baseline_comparison() {
        let mut report = sample_report();
        let saved = serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
        report.baseline = Some(crate::history::compare(&saved, std::path::Path::new("last.json"), &report, Some(10.0)));
        let text = TableExporter { verbose: false }.render(&report);
        assert!(
            text.contains(
                "\ncompared with the baseline last.json, limit +10%:\n  1.85.0 clean: 26.100 s -> 26.100 s (+0.0%;"
            ),
            "{text}"
        );
        assert!(!text.contains("SLOWER"));
    }

    #[test]
    fn bars_scale_to_the_slowest_row() {
        assert_eq!(bar(2.0, 2.0, 4), "████");
        assert_eq!(bar(1.0, 2.0, 4), "██");
        assert_eq!(bar(1.0, 3.0, 4), "█▍");
        assert_eq!(bar(0.0001, 3.0, 4), "▏", "any time shows");
        assert_eq!(bar(1.0, 0.0, 4), "");
    }

    #[test]
    fn edited_rebuilds_get_their_own_columns() {
        let mut report = sample_report();
        report.toolchains[2].patched = Summary::of(&[0.61]);
        report.toolchains[2].speedup_patched = Some(1.0);
        let text = TableExporter { verbose: false }.render(&report);
        let header = text.lines().find(|l| l.starts_with("toolchain")).unwrap();
        assert!(header.ends_with("speedup (incr.)   edited  speedup (edited)  clean build, relative"), "{header}");
        let row = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(row("1.96.0").ends_with("1.30x  0.610 s             1.00x  ██████▊"), "{text}");
        assert!(row("1.85.0").ends_with("1.00x        -                 -  ████████████"), "{text}");
    }

    #[test]
    fn verbose_adds_cpu_and_memory() {
        let text = TableExporter { verbose: true }.render(&sample_report());
        let header = text.lines().find(|l| l.starts_with("toolchain")).unwrap();
        assert!(
            header.ends_with("speedup (incr.)  clean cpu  incr. cpu  peak memory  clean build, relative"),
            "{header}"
        );
        let row = text.lines().find(|l| l.starts_with("1.85.0")).unwrap();
        assert!(row.ends_with("1.00x     39.2 s    0.520 s      412 MiB  ████████████"), "{row}");
    }

    #[test]
    fn renders_header_columns_failures_and_skips() {
        let expected = "\
workspace: /work/app (app)
MSRV:      1.56 (edition 2021 of `app`)
builds:    cargo build, dev profile, touching src/main.rs, 2 cores, 1 clean + 3 incremental runs per toolchain, medians
warm-up:   none: every clean build is timed from an empty target directory, the first included; incremental rebuilds follow the last clean build

toolchain  released    compiler      clean build  incremental  speedup (clean)  speedup (incr.)  clean build, relative
1.63.0     2022-08-11  official, cc       failed       failed                -                -
1.85.0     2025-02-20  official, cc       26.1 s      0.520 s            1.00x            1.00x  ████████████
1.96.0     2026-05-28  official, cc       14.7 s      0.400 s            1.78x            1.30x  ██████▊

failed 1.63.0: error[E0658]: use of unstable library feature, \"int_roundings\"

not measured:
  nightly (1.97.0-nightly): not stable

removed from the builds' environment: RUSTC_WRAPPER

warning: 1.96.0 incremental: runs vary by 8% (0.380 s to 0.420 s); rerun with more runs
";
        assert_eq!(TableExporter { verbose: false }.render(&sample_report()), expected);
    }
}
