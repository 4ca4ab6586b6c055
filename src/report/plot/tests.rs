//! Unit tests of `report::plot`.

use super::*;
use crate::discover::release::Date;
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
        "1.96.0 (1.30x ±2.2%)",
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

/// The `(x, y, text)` of every `<text>` element.
fn placed_texts(svg: &str) -> Vec<(f64, f64, String)> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| {
            let number = |a: &str| n.attribute(a)?.parse::<f64>().ok();
            Some((number("x")?, number("y")?, n.text()?.trim().to_string()))
        })
        .collect()
}

/// Usability review, finding 12: a two-round ±2000 % interval scaled the clean panel to 3000 s
/// for builds of 14 to 36 s, the linker line stood midway between the rows (read as 2024-05),
/// and labels ran into each other and off the right edge.
#[test]
fn the_axis_fits_the_points_the_linker_line_stands_at_its_release_and_labels_do_not_collide() {
    let mut report = crate::testing::sample_report();
    report.toolchains[2].linker = crate::vocab::Linker::RustLld;
    let newest = report.toolchains[2].scenarios.get_mut(&Scenario::Clean).unwrap();
    let point = newest.time.point;
    newest.time.high = Some(point * 60.0);
    let svg = render_svg(&report).unwrap();
    let texts = placed_texts(&svg);
    let ticks: Vec<f64> = texts.iter().filter_map(|(_, _, t)| t.parse::<f64>().ok()).collect();
    let highest_point = report.toolchains.iter().flat_map(|r| r.scenarios.values()).map(|f| f.time.point);
    let highest_point = highest_point.fold(0.0, f64::max);
    let top_tick = ticks.iter().copied().fold(0.0, f64::max);
    assert!(
        top_tick >= highest_point && top_tick <= 2.5 * highest_point,
        "ticks {ticks:?}, points up to {highest_point}"
    );
    assert!(texts.iter().any(|(_, _, t)| t.starts_with("clean: ") && t.ends_with("; error bars cut at the top")));
    assert!(!texts.iter().any(|(_, _, t)| t.starts_with("touched: ") && t.contains("cut")), "only where one is");

    // The linker line of the first panel, against the two rows' points drawn in it.
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let line_x = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#7F7F7F"))
        .find_map(|n| n.attribute("points")?.split_whitespace().next()?.split(',').next()?.parse::<f64>().ok())
        .expect("a linker line");
    let circles: Vec<f64> = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .filter_map(|n| n.attribute("cx")?.parse().ok())
        .take(2)
        .collect();
    let year = |d: Date| year_of(d);
    let (from, to) = (year(report.toolchains[1].release_date), year(report.toolchains[2].release_date));
    let lld = year(crate::discover::release::stable_release_date(90));
    let expected = circles[0] + (circles[1] - circles[0]) * (lld - from) / (to - from);
    assert!((line_x - expected).abs() <= 1.5, "the line at {line_x}, 1.90 at {expected} (points at {circles:?})");

    // Point labels: none covers another, every one inside the picture.
    let labels: Vec<(f64, f64, String)> = texts
        .into_iter()
        .filter(|(_, _, t)| t.starts_with("1.") && t.contains(" (") || t.starts_with("link "))
        .collect();
    assert!(labels.len() >= 6, "{labels:?}");
    let boxes: Vec<(f64, f64, f64, f64)> = labels
        .iter()
        .map(|(x, y, t)| {
            let (w, h) = label_box(t);
            (*x, *y, f64::from(w), f64::from(h))
        })
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        assert!(a.0 >= 0.0 && a.0 + a.2 <= f64::from(WIDTH), "{:?} leaves the picture", labels[i]);
        for (j, b) in boxes[..i].iter().enumerate() {
            let overlap = a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3;
            assert!(!overlap, "{:?} covers {:?}", labels[i], labels[j]);
        }
    }
}

#[test]
fn every_recorded_run_has_its_own_label_and_the_title_names_the_project() {
    let mut history = crate::testing::sample_history();
    for (i, point) in history.toolchains.iter_mut().flat_map(|t| &mut t.points).enumerate() {
        point.recorded_at = format!("2026-12-07T12:2{}:35Z", i % 2);
        point.git_commit = None;
    }
    let svg = history_svg(&history).unwrap();
    let texts = texts(&svg);
    assert!(texts.iter().any(|t| t == "12-07 12:20") && texts.iter().any(|t| t == "12-07 12:21"), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with("Build times of app across recorded runs")), "{texts:?}");
    assert_eq!(
        run_labels(&[("2026-12-07T12:20:35Z", "-"), ("2026-12-07T12:20:35Z", "-")]),
        ["12-07 12:20", "12-07 12:20 #2"]
    );
}

/// A `try` document: lld faster on touched, no-incremental for clean builds (one round there,
/// not meant for touched), mold failed, and check-touched without a single speedup.
fn sample_tried() -> crate::report::tried::Tried {
    let cell = |scenario: &str, speedup: Option<f64>, interval: Option<(f64, f64)>, finding: &str, rounds, meant| {
        serde_json::json!({
            "scenario": scenario, "speedup": speedup, "lower": interval.map(|i| i.0), "upper": interval.map(|i| i.1),
            "finding": finding, "link_s": null, "rounds": rounds, "meant": meant,
        })
    };
    serde_json::from_value(serde_json::json!({
        "kind": "try", "schema": 1, "answer": [], "toolchain": "1.96.0", "rounds": 9, "noise": 0.01,
        "today": [
            {"scenario": "clean", "seconds": 90.0, "link_s": null},
            {"scenario": "touched", "seconds": 3.5, "link_s": null},
            {"scenario": "check-touched", "seconds": 1.7, "link_s": null},
        ],
        "arms": [
            {"arms": ["lld"], "failed": null, "cells": [
                cell("clean", Some(1.07), None, "unknown", 1, true),
                cell("touched", Some(1.36), Some((1.30, 1.42)), "faster", 9, true),
                cell("check-touched", None, None, "unknown", 0, false),
            ]},
            {"arms": ["mold"], "failed": "linking failed", "cells": [
                cell("clean", Some(1.5), None, "unknown", 1, true),
            ]},
            {"arms": ["no-incremental"], "failed": null, "cells": [
                cell("clean", Some(1.05), None, "unknown", 1, true),
                cell("touched", Some(0.30), Some((0.28, 0.31)), "slower", 9, false),
                cell("check-touched", None, None, "unknown", 0, false),
            ]},
        ],
        "not_here": [], "adopt": [],
    }))
    .expect("a try document")
}

#[test]
fn the_try_plot_has_a_row_per_arm_and_a_panel_per_scenario_with_speedups() {
    let tried = sample_tried();
    let svg = try_svg(&tried).unwrap();
    let texts = texts(&svg);
    for label in ["lld", "mold", "no-incremental", "1.36x ±4.5%", "(0.30x ±5.2%)", "1.07x (1 round)", "speedup (x)"] {
        assert!(texts.iter().any(|t| t == label), "missing {label:?} in {texts:?}");
    }
    assert!(texts.iter().any(|t| t.starts_with("cargo timewarp try on 1.96.0")), "{texts:?}");
    let captions: Vec<&String> = texts.iter().filter(|t| t.contains("today's time over the arm's")).collect();
    assert_eq!(captions.len(), 2, "clean and touched; check-touched has no speedup: {captions:?}");
    assert!(captions[0].starts_with("clean:") && captions[0].ends_with("(1 round)"), "{captions:?}");
    assert!(captions[1].starts_with("touched:") && captions[1].ends_with("(9 rounds)"), "{captions:?}");
    // The failed arm keeps its row and has no point: two points in each panel.
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("circle")).count(), 4);
    assert!(!texts.iter().any(|t| t.starts_with("1.50x")), "a failed arm's speedup is not drawn");
}

#[test]
fn a_try_document_without_a_speedup_has_nothing_to_plot() {
    let mut tried = sample_tried();
    for row in &mut tried.arms {
        row.cells.iter_mut().for_each(|c| c.speedup = None);
    }
    let error = try_svg(&tried).unwrap_err().to_string();
    assert_eq!(error, "there is nothing to plot: no arm has a speedup over today's build");
}
