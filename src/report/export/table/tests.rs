//! The terminal table's tests: whole reports at several widths, the layout's pieces.

use super::layout::{self, bar, two_lines, wrap};
use super::*;
use crate::report::baseline::Baseline;
use crate::report::model::VerdictJson;
use crate::testing::{sample_listing, sample_report};

#[test]
fn shows_the_baseline_comparison() {
    let dir = tempfile::tempdir().unwrap();
    let mut report = sample_report();
    let file = dir.path().join("last.json");
    std::fs::write(&file, serde_json::to_string(&report).unwrap()).unwrap();
    let gate = crate::report::baseline::GateLimit { max_regression_pct: Some(10.0) };
    let saved = Baseline::read(&file, gate).unwrap();
    report.baseline = Some(saved.compare(&report.setup(), &report.toolchains, &Default::default()));
    let text = TableExporter { verbose: false, width: None }.report(&report);
    let expected = format!(
        "\ncompared with the baseline {}, limit +10%:\n  undecided 1.85.0 clean: 26.100 s -> 26.100 s (+0.0%, one sample: no interval)\n  undecided 1.85.0 touched: 0.520 s -> 0.520 s (+0.0%, interval",
        file.display()
    );
    assert!(text.contains(&expected), "{text}");
    assert!(!text.contains("SLOWER"));
}

/// The sample report with a newer compiler's longer column: official, linked by rust-lld.
fn wide_sample() -> Report {
    let mut report = sample_report();
    report.toolchains[2].provenance = crate::vocab::Provenance::Official;
    report.toolchains[2].linker = crate::vocab::Linker::RustLld;
    report
}

#[test]
fn fits_an_80_column_terminal_in_blocks_of_scenarios() {
    let text = TableExporter { verbose: false, width: Some(80) }.report(&wide_sample());
    let expected = "\
clean: Rust 1.96.0 against Rust 1.85.0: 1.78x from one round, which has no
    interval
touched: Rust 1.96.0 builds app 1.30x faster than Rust 1.85.0 (±2.2%); compile
    alone 0.87x ±2.1%, the rest is the linker (cc then, rust-lld now)

                                                            speedup
toolchain  released    compiler              clean          (clean)
1.63.0     2022-08-11  off., cc             failed                -
1.85.0     2025-02-20  off., cc   26.1 s (1 round)             base
1.96.0     2026-05-28  off., lld  14.7 s (1 round)  1.78x (1 round)

                              speedup
toolchain        touched    (touched)
1.63.0            failed            -
1.85.0     0.520 s ±5.1%         base
1.96.0     0.400 s ±2.8%  1.30x ±2.2%
±: the 95% interval; times are geometric means, speedups are against the `base`
    row, paired by round
(1 round): one build, so no interval; more rounds give one

failed 1.63.0: error[E0658]: use of unstable library feature, \"int_roundings\"

warning: some intervals did not reach ±5%: the budget ran out (`--budget` gives
    more time); 1.96.0 clean (no interval after 1 round)

workspace: /work/app (app)
MSRV:      1.56 (edition 2021 of `app`)
builds:    dev profile, 2 cores
           clean    cargo build, from an empty target directory
           touched  cargo build, after touching src/main.rs
rounds:    3 rounds in rotating order, fixed: 1 clean + 3 touched
not measured: nightly (`--verbose` says why)
removed from the builds' environment: RUSTC_WRAPPER
";
    assert_eq!(text, expected);
    assert!(text.lines().all(|l| l.chars().count() <= 80));
}

#[test]
fn fits_a_100_column_terminal_in_one_block() {
    let text = TableExporter { verbose: false, width: Some(100) }.report(&wide_sample());
    let table: Vec<&str> = text.lines().skip_while(|l| !l.contains("speedup")).take(5).collect();
    assert_eq!(
        table,
        [
            "                                                            speedup                     speedup",
            "toolchain  released    compiler              clean          (clean)        touched    (touched)",
            "1.63.0     2022-08-11  off., cc             failed                -         failed            -",
            "1.85.0     2025-02-20  off., cc   26.1 s (1 round)             base  0.520 s ±5.1%         base",
            "1.96.0     2026-05-28  off., lld  14.7 s (1 round)  1.78x (1 round)  0.400 s ±2.8%  1.30x ±2.2%",
        ]
    );
    assert!(text.contains("builds:    dev profile, 2 cores\n           clean    cargo build, from an empty"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100));
    let unlimited = TableExporter { verbose: false, width: None }.report(&wide_sample());
    assert!(unlimited.contains("official, rust-lld") && unlimited.contains("clean, relative"), "{unlimited}");
    let wide = TableExporter { verbose: false, width: Some(500) }.report(&wide_sample());
    assert_eq!(wide, unlimited, "a wide terminal changes nothing");
}

#[test]
fn many_scenarios_go_into_blocks_each_within_the_width() {
    let mut report = wide_sample();
    for (i, s) in [Scenario::Deep, Scenario::CheckTouched, Scenario::Test].into_iter().enumerate() {
        for row in &mut report.toolchains[1..] {
            let figures = row.scenarios[&Scenario::Touched].clone();
            row.scenarios.insert(s, figures);
        }
        report.measurement.scenarios.push(s);
        report.measurement.commands.insert(s, format!("cargo {}", ["build", "check", "test --no-run"][i]));
    }
    report.measurement.scenarios.sort();
    for width in [80, 100, 120] {
        let text = TableExporter { verbose: false, width: Some(width) }.report(&report);
        assert!(text.lines().all(|l| l.chars().count() <= width), "{width}: {text}");
        for s in report.scenarios() {
            let heading = format!("({s})");
            assert_eq!(text.matches(&heading).count(), 1, "{width}: one speedup column of {s}: {text}");
        }
        let blocks = text.matches("\ntoolchain ").count();
        assert!(blocks >= 2, "{width}: five scenarios need more than one block: {text}");
        assert_eq!(text.matches("\n1.96.0 ").count(), blocks, "{width}: every block has every row: {text}");
    }
}

#[test]
fn single_runs_are_marked_briefly_when_nothing_else_fits() {
    let mut report = wide_sample();
    for row in &mut report.toolchains {
        for figures in row.scenarios.values_mut() {
            let (speedup, verdict) = (figures.speedup, figures.verdict);
            *figures = crate::testing::figures(&[figures.wall.median_s], 1.0, 100.0);
            (figures.speedup, figures.verdict) = (
                speedup.map(|s| crate::report::model::EstimateJson {
                    low: None,
                    high: None,
                    plus_minus_pct: None,
                    n: 1,
                    ..s
                }),
                verdict,
            );
        }
    }
    let text = TableExporter { verbose: false, width: Some(80) }.report(&report);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    let row = text.lines().find(|l| l.starts_with("1.96.0")).unwrap();
    assert!(row.ends_with("14.7 s (1)  1.78x (1)  0.400 s (1)  1.30x (1)"), "one block, with the short mark: {text}");
    assert!(text.contains("\n(1): one build, so no interval;"), "the legend uses the same mark: {text}");
    let wide = TableExporter { verbose: false, width: Some(160) }.report(&report);
    assert!(wide.contains("0.400 s (1 round)") && wide.contains("\n(1 round): one build"), "{wide}");
}

#[test]
fn long_lines_wrap_at_word_boundaries() {
    let line = "builds:    cargo build, dev profile, touching src/main.rs, 2 cores";
    assert_eq!(
        wrap(line, Some(40), 11),
        "builds:    cargo build, dev profile,\n           touching src/main.rs, 2 cores"
    );
    assert_eq!(wrap(line, None, 11), line);
    assert_eq!(wrap("a-very-long-word-indeed and more", Some(12), 0), "a-very-long-word-indeed\nand more");
    assert_eq!(two_lines("speedup (touched)"), Some(("speedup".into(), "(touched)".into())));
    assert_eq!(two_lines("largest process"), Some(("largest".into(), "process".into())));
    assert_eq!(two_lines("clean"), None);
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
    let mut edited = crate::testing::figures(&[0.61], 1.0, 100.0);
    edited.speedup =
        Some(crate::report::model::EstimateJson { point: 1.0, low: None, high: None, plus_minus_pct: None, n: 1 });
    report.toolchains[2].scenarios.insert(Scenario::Edited, edited);
    report.measurement.scenarios.push(Scenario::Edited);
    let text = TableExporter { verbose: false, width: None }.report(&report);
    let header = text.lines().find(|l| l.starts_with("toolchain")).unwrap();
    assert!(header.ends_with("speedup (touched)             edited  speedup (edited)  clean, relative"), "{header}");
    let row = |name: &str| text.lines().find(|l| l.starts_with(name)).unwrap();
    assert!(row("1.96.0").ends_with("1.30x ±2.2%  0.610 s (1 round)   1.00x (1 round)  ██████▊"), "{text}");
    assert!(row("1.85.0").ends_with("base                  -                 -  ████████████"), "{text}");
}

#[test]
fn verbose_adds_cpu_and_memory() {
    let text = TableExporter { verbose: true, width: None }.report(&sample_report());
    let header = text.lines().find(|l| l.starts_with("toolchain")).unwrap();
    assert!(header.ends_with("speedup (touched)  touched cpu  largest process  clean, relative"), "{header}");
    assert!(header.contains("speedup (clean)  clean cpu  "), "{header}");
    let row = text.lines().find(|l| l.starts_with("1.85.0")).unwrap();
    assert!(row.ends_with("base      0.520 s          412 MiB  ████████████"), "{row}");
    assert!(row.contains("base     39.2 s  0.520 s ±5.1%"), "{row}");
}

#[test]
fn renders_header_columns_link_times_failures_and_skips() {
    let expected = "\
clean: Rust 1.96.0 against Rust 1.85.0: 1.78x from one round, which has no interval
touched: Rust 1.96.0 builds app 1.30x faster than Rust 1.85.0 (±2.2%)

toolchain  released    compiler                 clean  speedup (clean)        touched  speedup (touched)  clean, relative
1.63.0     2022-08-11  official, cc            failed                -         failed                  -
1.85.0     2025-02-20  official, cc  26.1 s (1 round)             base  0.520 s ±5.1%               base  ████████████
1.96.0     2026-05-28  official, cc  14.7 s (1 round)  1.78x (1 round)  0.400 s ±2.8%        1.30x ±2.2%  ██████▊
±: the 95% interval; times are geometric means, speedups are against the `base` row, paired by round
(1 round): one build, so no interval; more rounds give one

failed 1.63.0: error[E0658]: use of unstable library feature, \"int_roundings\"

warning: some intervals did not reach ±5%: the budget ran out (`--budget` gives more time); 1.96.0 clean (no interval after 1 round)

next: the largest step, touched 1.85 → 1.96 (1.30x faster); `cargo timewarp bisect 1.85 1.96 --scenario touched --install` finds the release that made it

workspace: /work/app (app)
MSRV:      1.56 (edition 2021 of `app`)
builds:    dev profile, 2 cores
           clean    cargo build, from an empty target directory
           touched  cargo build, after touching src/main.rs
rounds:    3 rounds in rotating order, fixed: 1 clean + 3 touched
not measured: nightly (`--verbose` says why)
removed from the builds' environment: RUSTC_WRAPPER
";
    assert_eq!(TableExporter { verbose: false, width: None }.report(&sample_report()), expected);
}

#[test]
fn verbose_adds_the_warm_up_the_compile_and_link_tables_and_why_not_measured() {
    let text = TableExporter { verbose: true, width: None }.report(&sample_report());
    assert!(text.contains("\nwarm-up:   each compiler's files are read into memory"), "{text}");
    assert!(text.contains("\ntouched, compile and link apart:\n"), "{text}");
    assert!(text.contains("\nnot measured:\n  nightly (1.97.0-nightly): not stable\n"), "{text}");
    let plain = TableExporter { verbose: false, width: None }.report(&sample_report());
    assert!(!plain.contains("warm-up:") && !plain.contains("compile and link apart"), "{plain}");
    let answer = plain.lines().take(2).collect::<Vec<_>>().join("\n");
    assert!(answer.starts_with("clean: Rust 1.96.0 against Rust 1.85.0") && answer.contains("touched: "), "{plain}");
}

#[test]
fn the_msrv_line_says_when_a_dependency_raises_it() {
    let floor = |v: &str, r: &str| Floor {
        version: v.into(),
        kind: crate::discover::msrv::FloorSource::Edition,
        reason: r.into(),
    };
    let floors = [
        floor("1.60", "rust-version of once_cell 1.20.2, a dependency of `dfl`"),
        floor("1.48", "rust-version of `dfl`"),
    ];
    assert_eq!(
        msrv_line(&floors, Some("1.48")),
        "1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`), declared 1.48"
    );
    assert_eq!(msrv_line(&floors[1..], Some("1.48")), "1.48 (rust-version of `dfl`)");
    assert_eq!(msrv_line(&[], None), "none");
}

#[test]
fn the_per_crate_section_shows_parts_and_changes() {
    let text = TableExporter { verbose: false, width: Some(100) }.report(&crate::testing::sample_report_with_crates());
    let section = text.split("where the time went").nth(1).unwrap();
    let header = section.lines().nth(1).unwrap();
    let headings: Vec<&str> = header.split("  ").map(str::trim).filter(|h| !h.is_empty()).collect();
    let expected = ["toolchain", "wrapped build", "vs clean", "workspace", "speedup", "dependencies", "speedup"];
    assert_eq!(headings, expected, "{section}");
    let mut rows = section.lines().filter(|l| l.trim_start().starts_with("1.96.0"));
    let row = rows.next().unwrap();
    assert!(row.contains("0.500 s in 1") && row.contains("2.00x"), "{row}");
    assert!(rows.next().unwrap().contains("MiB (regex 1.0.0)"), "the largest rustc, in a table of its own: {section}");
    assert!(section.lines().all(|l| l.chars().count() <= 100), "within the width: {section}");
    assert!(section.contains("crates that changed most, 1.85.0 to 1.96.0:"), "{section}");
    assert!(section.contains("regex 1.0.0") && section.contains("-3.00 s"), "{section}");
    assert!(section.contains("compiled under 1.85.0 only: memchr 1.0.0"), "{section}");
}

#[test]
fn lists_every_toolchain_with_its_status() {
    let text = TableExporter { verbose: false, width: None }.listing(&sample_listing());
    assert!(text.contains("1.85.0 (stable)  1.85.0   2025-02-20  selected"), "{text}");
    assert!(text.contains("below MSRV 1.80 (rust-version of `app`)"), "{text}");
}

/// Whole reports, reviewed with `cargo insta review` when a layout changes on purpose: the
/// sample report (with an abbreviated compiler and a rust-lld row) in the table at 100 columns
/// and at 60, where the scenarios go into blocks with `(1)` and every line still fits, and in
/// Markdown, which has no width.
#[test]
fn snapshots_of_the_sample_report() {
    let report = wide_sample();
    for width in [100, 60] {
        let text = TableExporter { verbose: false, width: Some(width) }.report(&report);
        assert!(text.lines().all(|l| layout::width(l) <= width), "every line fits {width} columns:\n{text}");
        insta::assert_snapshot!(format!("sample_report_table_{width}"), text);
    }
    let markdown = super::super::exporter(crate::vocab::Format::Markdown, false, None).report(&report);
    insta::assert_snapshot!("sample_report_markdown", markdown);
}

/// The compact forms, cell by cell: what each step of the ladder writes.
#[test]
fn cells_write_themselves_as_compactly_as_asked() {
    use layout::{Cell, Compact};
    let time = Cell::Time { seconds: 0.52, plus_minus_pct: Some(5.1) };
    let lone = Cell::Time { seconds: 26.1, plus_minus_pct: None };
    let speedup = Cell::Speedup { verdict: VerdictJson::Inconclusive, x: 1.02, plus_minus_pct: Some(4.0) };
    let lone_speedup = Cell::Speedup { verdict: VerdictJson::Faster, x: 1.78, plus_minus_pct: None };
    let name = Cell::Named { full: "official, rust-lld".into(), short: "off., lld".into() };
    let all = [Compact::Full, Compact::Names, Compact::Marks, Compact::TimeIntervals];
    let forms = |cell: &Cell| all.map(|c| cell.text(c));
    assert_eq!(forms(&time), ["0.520 s ±5.1%", "0.520 s ±5.1%", "0.520 s ±5.1%", "0.520 s"]);
    assert_eq!(forms(&lone), ["26.1 s (1 round)", "26.1 s (1 round)", "26.1 s (1)", "26.1 s (1)"]);
    assert_eq!(forms(&speedup), ["?1.02x ±4.0%"; 4], "the speedups are the answer and keep their interval");
    assert_eq!(forms(&lone_speedup), ["1.78x (1 round)", "1.78x (1 round)", "1.78x (1)", "1.78x (1)"]);
    assert_eq!(forms(&name), ["official, rust-lld", "off., lld", "off., lld", "off., lld"]);
}

/// The compile-and-link table has speedup columns only when some row has a speedup: a lone
/// toolchain's has three columns.
#[test]
fn a_lone_toolchains_compile_and_link_table_has_no_speedup_columns() {
    let section = |report: &Report| {
        let text = TableExporter { verbose: true, width: None }.report(report);
        text.split("touched, compile and link apart:\n").nth(1).unwrap().lines().next().unwrap().to_string()
    };
    let both = sample_report();
    assert_eq!(
        section(&both).split_whitespace().collect::<Vec<_>>(),
        ["toolchain", "compile", "speedup", "link", "(share)", "speedup"]
    );
    let mut alone = sample_report();
    alone.toolchains.retain(|r| r.version == "1.85.0");
    assert_eq!(section(&alone).split_whitespace().collect::<Vec<_>>(), ["toolchain", "compile", "link", "(share)"]);
}
