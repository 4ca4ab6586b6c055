//! `cargo timewarp try --plot FILE.svg` (and `show --plot` of a `try` document): a forest plot
//! per scenario, what the table shows. One row per arm, its speedup over today's build as a
//! point and its interval as a bar, across a speedup axis with a line at 1.00x and the noise
//! threshold shaded around it, so a winner is a bar wholly right of the band. A cell whose arm is
//! not meant for the scenario is drawn hollow, a cell without an interval is a point alone, and
//! each point is labelled as its cell in the table (`1.35x ±12%`, `?1.02x ±4.0%`). Bars reaching
//! further than twice or half their point are cut at the edge, and the caption says so.

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use super::{LINKER_COLOUR, SCENARIO_COLOURS, WIDTH, plot_error};
use crate::report::tried::{ArmCell, Tried, cell_text};
use crate::vocab::Scenario;

/// Pixels per arm row, and around a panel's rows (caption, axis, margins).
const ROW_HEIGHT: u32 = 30;
const PANEL_FRAME: u32 = 110;

/// One arm's point in a panel: its row (0 at the top), speedup, interval and label.
struct Point {
    row: usize,
    speedup: f64,
    lower: f64,
    upper: f64,
    meant: bool,
    rounds: usize,
    label: String,
}

/// The SVG document for `tried`.
pub(crate) fn try_svg(tried: &Tried) -> Result<String> {
    let names: Vec<String> = tried.arms.iter().map(|r| r.name()).collect();
    let panels: Vec<(Scenario, Vec<Point>)> = tried
        .today
        .iter()
        .map(|today| (today.scenario, points(tried, today.scenario)))
        .filter(|(_, points)| !points.is_empty())
        .collect();
    if panels.is_empty() {
        return Err(anyhow!("there is nothing to plot: no arm has a speedup over today's build"));
    }
    // Every panel has a row per arm, so the panels are of one height.
    let height = (ROW_HEIGHT * names.len() as u32 + PANEL_FRAME) * panels.len() as u32 + 40;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!("cargo timewarp try on {}: speedup of each arm over today's build", tried.toolchain);
        let root = root.titled(&title, ("sans-serif", 22)).map_err(plot_error)?;
        for (area, (scenario, points)) in root.split_evenly((panels.len(), 1)).iter().zip(&panels) {
            panel(area, tried, &names, *scenario, points)?;
        }
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// The points of `scenario`'s panel: every arm with a speedup there, in the table's order.
fn points(tried: &Tried, scenario: Scenario) -> Vec<Point> {
    let cell = |cells: &[ArmCell]| cells.iter().find(|c| c.scenario == scenario).cloned();
    tried
        .arms
        .iter()
        .enumerate()
        .filter(|(_, r)| r.failed.is_none())
        .filter_map(|(row, r)| {
            let c = cell(&r.cells)?;
            let speedup = c.speedup.filter(|x| x.is_finite() && *x > 0.0)?;
            Some(Point {
                row,
                speedup,
                lower: c.lower.filter(|l| l.is_finite() && *l > 0.0).unwrap_or(speedup),
                upper: c.upper.filter(|u| u.is_finite()).unwrap_or(speedup),
                meant: c.meant,
                rounds: c.rounds,
                label: cell_text(&c),
            })
        })
        .collect()
}

/// The speedup axis of a panel: every point, 1.00x and the noise band, with room for the labels;
/// a bar is cut where it reaches beyond twice or half its point. Whether one was cut.
fn x_range(points: &[Point], noise: f64) -> (std::ops::Range<f64>, bool) {
    let (mut low, mut high) = (1.0 - noise, 1.0 + noise);
    let mut cut = false;
    for p in points {
        low = low.min(p.speedup).min(p.lower.max(p.speedup / 2.0));
        high = high.max(p.speedup).max(p.upper.min(p.speedup * 2.0));
        cut |= p.lower < p.speedup / 2.0 || p.upper > p.speedup * 2.0;
    }
    let pad = (high - low) * 0.08;
    // The labels sit right of the points: keep a third of the width for them.
    ((low - pad).max(0.0)..(high + (high - low) * 0.45), cut)
}

fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    tried: &Tried,
    names: &[String],
    scenario: Scenario,
    points: &[Point],
) -> Result<()> {
    let (range, cut) = x_range(points, tried.noise);
    let cut = if cut { "; bars cut at the edge" } else { "" };
    let rounds = points.iter().map(|p| p.rounds).max().unwrap_or(0);
    let plural = if rounds == 1 { "" } else { "s" };
    let caption = format!("{scenario}: today's time over the arm's, 95% interval ({rounds} round{plural}){cut}");
    let rows = names.len();
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(names.iter().map(|n| n.chars().count() as u32 * 8 + 16).max().unwrap_or(60).max(60))
        .caption(caption, ("sans-serif", 16))
        .build_cartesian_2d(range.clone(), -(rows as f64) + 0.5..0.5)
        .map_err(plot_error)?;
    let name_of = |y: &f64| {
        let row = (-y).round();
        if (row - -y).abs() < 0.01 && row >= 0.0 {
            names.get(row as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .x_desc("speedup (x)")
        .x_label_formatter(&|x| format!("{x:.2}x"))
        .y_labels(rows * 2 + 1)
        .y_label_formatter(&name_of)
        .disable_y_mesh()
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(plot_error)?;
    let colour = SCENARIO_COLOURS[Scenario::ALL.iter().position(|s| *s == scenario).unwrap_or(0)];
    let (top, bottom) = (0.5, -(rows as f64) + 0.5);
    // The noise threshold around 1.00x: a winner's bar lies wholly to its right.
    let band =
        Rectangle::new([(1.0 - tried.noise, top), (1.0 + tried.noise, bottom)], LINKER_COLOUR.mix(0.15).filled());
    chart.draw_series(std::iter::once(band)).map_err(plot_error)?;
    let one = PathElement::new(vec![(1.0, top), (1.0, bottom)], LINKER_COLOUR.stroke_width(1));
    chart.draw_series(std::iter::once(one)).map_err(plot_error)?;
    let y = |p: &Point| -(p.row as f64);
    let bars = points.iter().filter(|p| p.upper > p.lower).map(|p| {
        let (from, to) = (p.lower.max(range.start), p.upper.min(range.end));
        PathElement::new(vec![(from, y(p)), (to, y(p))], colour.stroke_width(2))
    });
    chart.draw_series(bars).map_err(plot_error)?;
    // Each label starts just past its bar's right end (or its point), in pixels from the point.
    let offsets: Vec<i32> = points
        .iter()
        .map(|p| {
            let right = p.upper.min(range.end).max(p.speedup);
            chart.backend_coord(&(right, y(p))).0 - chart.backend_coord(&(p.speedup, y(p))).0
        })
        .collect();
    chart
        .draw_series(points.iter().zip(offsets).map(|(p, offset)| {
            let style = if p.meant { colour.filled() } else { colour.stroke_width(2) };
            EmptyElement::at((p.speedup, y(p)))
                + Circle::new((0, 0), 5, style)
                + Text::new(p.label.clone(), (offset + 10, -7), ("sans-serif", super::LABEL_SIZE))
        }))
        .map_err(plot_error)?;
    Ok(())
}
