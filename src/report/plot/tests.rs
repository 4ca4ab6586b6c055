//! Unit tests of `report::plot`.

use super::*;
use crate::testing::sample_report;

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

#[test]
fn one_point_per_toolchain_and_panel_in_valid_svg() {
    let svg = render_svg(&sample_report()).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let circles = doc.descendants().filter(|n| n.has_tag_name("circle")).count();
    assert_eq!(circles, 4 + 2, "two ok toolchains x two panels, and the touched link times; the failed one has none");
    let texts = texts(&svg);
    for label in [
        "1.85.0 (base)",
        "1.96.0 (1.78x)",
        "1.96.0 (1.30x ±2%)",
        "seconds",
        "release date",
        "1.63.0 failed",
        "link 50%",
        "link 25%",
        "link",
    ] {
        assert!(texts.iter().any(|t| t == label), "missing {label:?} in {texts:?}");
    }
    assert!(texts.iter().any(|t| t.starts_with("Build times of app")));
    assert!(texts.iter().any(|t| t.starts_with("touched: rebuild after touching")), "a panel per scenario");
}

#[test]
fn spreads_linker_changes_and_the_per_crate_panel() {
    let mut report = crate::testing::sample_report_with_crates();
    report.toolchains[2].linker = crate::vocab::Linker::RustLld;
    let svg = render_svg(&report).unwrap();
    let texts = texts(&svg);
    assert!(texts.iter().any(|t| t == "linker: cc to rust-lld"), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with("per-crate build")), "{texts:?}");
    assert!(texts.iter().any(|t| t == "dependencies") && texts.iter().any(|t| t == "workspace"), "{texts:?}");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("circle")).count(), 6 + 4, "two more series of two points");
}

#[test]
fn the_history_plot_has_a_line_per_toolchain_and_runs_on_the_axis() {
    let svg = history_svg(&crate::testing::sample_history()).unwrap();
    let texts = texts(&svg);
    for label in ["1.85.0", "1.96.0", "clean, median seconds", "touched, median seconds", "2026-11-27 aaaaaaa"] {
        assert!(texts.iter().any(|t| t == label), "missing {label:?} in {texts:?}");
    }
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("circle")).count(), 6, "3 points x 2 panels");
}

#[test]
fn nothing_to_plot_is_an_error() {
    let mut report = sample_report();
    report.toolchains.retain(|r| r.scenarios.is_empty());
    assert_eq!(
        render_svg(&report).unwrap_err().to_string(),
        "there is nothing to plot: no toolchain built the workspace"
    );
}

#[test]
fn axis_labels_are_months() {
    assert_eq!(month_label(2025.0), "2025-01");
    assert_eq!(month_label(2025.99), "2025-12");
    assert!((year_of("2025-07-02".parse().unwrap()) - 2025.4983).abs() < 0.001);
}
