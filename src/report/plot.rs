//! `--plot FILE.svg`: the history as a picture. Two panels sharing the release-date axis, clean
//! builds above and touched rebuilds below (they differ by orders of magnitude, so one axis
//! would flatten the second), each point labelled with its version and speedup.
//!
//! Drawn with plotters' SVG backend into a string; the caller writes the file. Pure: it
//! computes nothing that is not already in the [`Report`].

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::discover::release::Date;
use crate::measure::scenario::Scenario;
use crate::report::model::{Report, Row};

const WIDTH: u32 = 900;
const HEIGHT: u32 = 640;
const CLEAN_COLOUR: RGBColor = RGBColor(31, 119, 180);
const TOUCHED_COLOUR: RGBColor = RGBColor(255, 127, 14);

/// The SVG document for `report`.
pub(crate) fn render_svg(report: &Report) -> Result<String> {
    let ok: Vec<&Row> = report.toolchains.iter().filter(|r| !r.scenarios.is_empty()).collect();
    if ok.is_empty() {
        return Err(anyhow!("there is nothing to plot: no toolchain built the workspace"));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!("cargo {} times of {} by Rust release", report.command, report.packages.join(", "));
        let root = root.titled(&title, ("sans-serif", 22)).map_err(plot_error)?;
        let (top, bottom) = root.split_vertically(HEIGHT / 2 - 20);
        let x_range = date_range(&ok);
        panel(&top, &ok, x_range.clone(), Scenario::Clean, CLEAN_COLOUR)?;
        panel(&bottom, &ok, x_range, Scenario::Touched, TOUCHED_COLOUR)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    rows: &[&Row],
    x_range: std::ops::Range<f64>,
    scenario: Scenario,
    colour: RGBColor,
) -> Result<()> {
    let points: Vec<(f64, f64, String)> = rows
        .iter()
        .filter_map(|r| {
            let median = r.median(scenario)?;
            let label = match r.speedup(scenario) {
                Some(s) => format!("{} ({s:.2}x)", r.name),
                None => r.name.clone(),
            };
            Some((year_of(r.release_date), median, label))
        })
        .collect();
    let y_max = points.iter().map(|p| p.1).fold(0.0, f64::max) * 1.25;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .caption(format!("{scenario}: {}, median seconds", scenario.describe()), ("sans-serif", 16))
        .build_cartesian_2d(x_range, 0.0..y_max.max(0.001))
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc("release date")
        .y_desc("seconds")
        .x_label_formatter(&|x| month_label(*x))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(plot_error)?;
    chart
        .draw_series(LineSeries::new(points.iter().map(|p| (p.0, p.1)), colour.stroke_width(2)))
        .map_err(plot_error)?;
    chart
        .draw_series(points.iter().map(|(x, y, label)| {
            EmptyElement::at((*x, *y))
                + Circle::new((0, 0), 5, colour.filled())
                + Text::new(label.clone(), (-20, -20), ("sans-serif", 13))
        }))
        .map_err(plot_error)?;
    Ok(())
}

/// Release dates as fractional years, padded so the first and last labels fit.
fn date_range(rows: &[&Row]) -> std::ops::Range<f64> {
    let years: Vec<f64> = rows.iter().map(|r| year_of(r.release_date)).collect();
    let (min, max) = years.iter().fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(*y), hi.max(*y)));
    let pad = ((max - min) * 0.08).max(0.25);
    (min - pad)..(max + pad)
}

fn year_of(date: Date) -> f64 {
    let (y, _, _) = date.ymd();
    let start = Date::from_ymd(y, 1, 1).expect("January 1st exists");
    y as f64 + date.days_since(start) as f64 / 365.25
}

fn month_label(year: f64) -> String {
    let whole = year.floor();
    let month = ((year - whole) * 12.0).floor() as u32 + 1;
    format!("{:.0}-{:02}", whole, month.min(12))
}

fn plot_error<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("could not draw the plot: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_report;

    #[test]
    fn one_point_per_toolchain_and_panel_in_valid_svg() {
        let svg = render_svg(&sample_report()).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let circles = doc.descendants().filter(|n| n.has_tag_name("circle")).count();
        assert_eq!(circles, 4, "two ok toolchains x two panels; the failed one has no point");
        let texts: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).map(str::trim).collect();
        for label in ["1.85.0 (1.00x)", "1.96.0 (1.78x)", "1.96.0 (1.30x)", "seconds", "release date"] {
            assert!(texts.contains(&label), "missing {label:?} in {texts:?}");
        }
        assert!(texts.iter().any(|t| t.starts_with("cargo build times of app")));
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
}
