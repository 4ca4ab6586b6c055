//! `--plot FILE.svg`: the history as a picture, showing what the table shows. Panels share the
//! release-date axis: one per scenario (clean builds and rebuilds differ by orders of magnitude,
//! so one axis would flatten the second), each with the link time beneath the build time where
//! it was taken apart, so the linker's share shows; and, with `--crates`, the rustc time of the
//! workspace's crates against the dependencies'. Every point is labelled with its version and speedup (with
//! its ±) and carries an error bar, the 95 % interval of its time; a failed toolchain is marked on the axis;
//! a vertical line marks where the linker changes between neighbouring rows, at the release that
//! changed it (1.90, for official x86_64 builds' rust-lld). The y axis is scaled to the points,
//! not to the widest interval: an error bar reaching further than the top is cut there, and the
//! panel's caption says so. Point labels are placed where they cover no other label or point,
//! and inside the plot.
//!
//! Drawn with plotters' SVG backend into a string; the caller writes the file. Pure: it
//! computes nothing that is not already in the [`Report`].

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::discover::release::Date;
use crate::report::model::{Bisected, History, Report, Row, SpanStatus, Status};
use crate::vocab::Scenario;

const WIDTH: u32 = 900;
const PANEL_HEIGHT: u32 = 320;
/// One colour per scenario, in the order of [`Scenario::ALL`].
const SCENARIO_COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
    RGBColor(188, 189, 34),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(31, 60, 120),
];
const LINK_COLOUR: RGBColor = RGBColor(214, 39, 40);
const WORKSPACE_COLOUR: RGBColor = RGBColor(44, 160, 44);
const DEPENDENCIES_COLOUR: RGBColor = RGBColor(148, 103, 189);
const FAILED_COLOUR: RGBColor = RGBColor(214, 39, 40);
const LINKER_COLOUR: RGBColor = RGBColor(127, 127, 127);

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// One series of a panel: a label, a colour, and per row (x, median, min, max, point label).
struct Series {
    name: &'static str,
    colour: RGBColor,
    points: Vec<(f64, f64, f64, f64, String)>,
}

/// The SVG document for `report`.
pub(crate) fn render_svg(report: &Report) -> Result<String> {
    let measured: Vec<&Row> = report.toolchains.iter().filter(|r| !r.scenarios.is_empty()).collect();
    if measured.is_empty() {
        return Err(anyhow!("there is nothing to plot: no toolchain built the workspace"));
    }
    let mut panels: Vec<(String, Vec<Series>)> = Scenario::ALL
        .into_iter()
        .zip(SCENARIO_COLOURS)
        .filter(|(s, _)| measured.iter().any(|r| r.figures(*s).is_some()))
        .map(|(s, colour)| {
            let mut series = vec![scenario_series(&measured, s, colour)];
            series.extend(link_series(&measured, s));
            (format!("{s}: {}, seconds (geometric mean, 95% interval)", s.describe()), series)
        })
        .collect();
    if measured.iter().any(|r| r.crates.is_some()) {
        panels.push(("per-crate build: rustc seconds summed over crates".to_string(), crate_series(&measured)));
    }
    let height = PANEL_HEIGHT * panels.len() as u32 + 40;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!("Build times of {} by Rust release", crate::report::answer::project_name(report));
        let root = root.titled(&title, ("sans-serif", 22)).map_err(plot_error)?;
        let x_range = date_range(&report.toolchains.iter().collect::<Vec<_>>());
        for (area, (caption, series)) in root.split_evenly((panels.len(), 1)).iter().zip(&panels) {
            panel(area, report, x_range.clone(), caption, series)?;
        }
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

fn scenario_series(rows: &[&Row], scenario: Scenario, colour: RGBColor) -> Series {
    let points = rows
        .iter()
        .filter_map(|r| {
            let f = r.figures(scenario)?;
            let label = match &f.speedup {
                Some(s) => {
                    let mark =
                        if s.plus_minus_pct.is_some() { crate::report::export::verdict_mark(f.verdict) } else { "" };
                    let pm = s.plus_minus_pct.map(|w| format!(" {}", crate::format::plus_minus(w))).unwrap_or_default();
                    format!("{} ({mark}{}{pm})", r.name, crate::format::speedup(s.point))
                }
                None if f.verdict == crate::report::model::VerdictJson::Base => format!("{} (base)", r.name),
                None => r.name.clone(),
            };
            // The error bar is the 95 % interval of the typical time.
            let (low, high) = (f.time.low.unwrap_or(f.time.point), f.time.high.unwrap_or(f.time.point));
            Some((year_of(r.release_date), f.time.point, low, high, label))
        })
        .collect();
    Series { name: scenario.name(), colour, points }
}

/// The link time of `scenario`'s builds, where it was taken apart: each point labelled with the
/// link's share of the build, its error bar the 95 % interval of the link time.
fn link_series(rows: &[&Row], scenario: Scenario) -> Option<Series> {
    let points: Vec<(f64, f64, f64, f64, String)> = rows
        .iter()
        .filter_map(|r| {
            let link = r.figures(scenario)?.link.as_ref()?;
            let (low, high) = (link.time.low.unwrap_or(link.time.point), link.time.high.unwrap_or(link.time.point));
            Some((year_of(r.release_date), link.time.point, low, high, format!("link {:.0}%", link.share_pct)))
        })
        .collect();
    (!points.is_empty()).then_some(Series { name: "link", colour: LINK_COLOUR, points })
}

fn crate_series(rows: &[&Row]) -> Vec<Series> {
    let series = |name, colour, part: fn(&crate::report::model::PerCrate) -> &crate::report::model::Part| Series {
        name,
        colour,
        points: rows
            .iter()
            .filter_map(|r| {
                let p = part(r.crates.as_ref()?);
                let label =
                    p.speedup.map_or_else(|| r.name.clone(), |s| format!("{} ({})", r.name, crate::format::speedup(s)));
                Some((year_of(r.release_date), p.wall_s, p.wall_s, p.wall_s, label))
            })
            .collect(),
    };
    vec![
        series("workspace", WORKSPACE_COLOUR, |c| &c.workspace),
        series("dependencies", DEPENDENCIES_COLOUR, |c| &c.dependencies),
    ]
}

fn panel(
    area: &Area<'_>,
    report: &Report,
    x_range: std::ops::Range<f64>,
    caption: &str,
    series: &[Series],
) -> Result<()> {
    let (top, cut) = y_top(series.iter().flat_map(|s| s.points.iter().map(|p| (p.1, p.3))));
    let caption = if cut { format!("{caption}; error bars cut at the top") } else { caption.to_string() };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .caption(caption, ("sans-serif", 16))
        .build_cartesian_2d(x_range, 0.0..top)
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
    draw_linker_changes(&mut chart, report, top)?;
    for s in series {
        let line = LineSeries::new(s.points.iter().map(|p| (p.0, p.1)), s.colour.stroke_width(2));
        chart
            .draw_series(line)
            .map_err(plot_error)?
            .label(s.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], s.colour.stroke_width(2)));
        // From the fastest to the slowest run: how far to trust the point.
        let spreads = s
            .points
            .iter()
            .filter(|p| p.3 > p.2)
            .map(|p| PathElement::new(vec![(p.0, p.2), (p.0, p.3.min(top))], s.colour.stroke_width(1)));
        chart.draw_series(spreads).map_err(plot_error)?;
        chart
            .draw_series(
                s.points
                    .iter()
                    .map(|(x, y, _, _, _)| EmptyElement::at((*x, *y)) + Circle::new((0, 0), 5, s.colour.filled())),
            )
            .map_err(plot_error)?;
    }
    draw_labels(&mut chart, series)?;
    let failed = report.toolchains.iter().filter(|r| r.status == Status::Failed);
    chart
        .draw_series(failed.map(|r| {
            EmptyElement::at((year_of(r.release_date), 0.0))
                + Cross::new((0, 0), 6, FAILED_COLOUR.stroke_width(2))
                + Text::new(
                    format!("{} failed", r.name),
                    (-20, -18),
                    ("sans-serif", 12).into_font().color(&FAILED_COLOUR),
                )
        }))
        .map_err(plot_error)?;
    if series.len() > 1 {
        // Times fall from the older releases to the newer ones: the upper right is what stays free.
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE)
            .draw()
            .map_err(plot_error)?;
    }
    Ok(())
}

/// A panel's chart: release dates across, seconds up.
type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A vertical line, up to just below `top`, at each linker change between neighbouring rows.
fn draw_linker_changes(chart: &mut Chart<'_, '_>, report: &Report, top: f64) -> Result<()> {
    // Where the linker changes between neighbouring rows, the numbers change for that reason too.
    for pair in report.toolchains.windows(2).filter(|p| p[0].linker != p[1].linker) {
        let x = linker_change_at(&pair[0], &pair[1]);
        let label = format!("linker: {} to {}", pair[0].linker, pair[1].linker);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, top * 0.92)],
                LINKER_COLOUR.stroke_width(1),
            )))
            .map_err(plot_error)?;
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x, top * 0.97),
                ("sans-serif", 11).into_font().color(&LINKER_COLOUR),
            )))
            .map_err(plot_error)?;
    }
    Ok(())
}

/// Every point's label, each where it covers no other label or point (see [`place_labels`]).
fn draw_labels(chart: &mut Chart<'_, '_>, series: &[Series]) -> Result<()> {
    let labelled: Vec<((f64, f64), &str)> =
        series.iter().flat_map(|s| s.points.iter().map(|p| ((p.0, p.1), p.4.as_str()))).collect();
    let at: Vec<(i32, i32)> = labelled.iter().map(|(p, _)| chart.backend_coord(p)).collect();
    let (columns, _) = chart.plotting_area().get_pixel_range();
    let texts: Vec<&str> = labelled.iter().map(|(_, t)| *t).collect();
    let offsets = place_labels(&at, &texts, columns);
    chart
        .draw_series(labelled.iter().zip(offsets).map(|((point, label), offset)| {
            EmptyElement::at(*point) + Text::new(label.to_string(), offset, ("sans-serif", LABEL_SIZE))
        }))
        .map_err(plot_error)?;
    Ok(())
}

/// The top of a panel's y axis from its points' `(time, upper end of its interval)`: room above
/// every point, and above every error bar that reaches no further than twice its point; a longer
/// one (two rounds give ±2000 %) would flatten every point onto the axis, so it is cut at the
/// top, and the second value says one was.
fn y_top(points: impl Iterator<Item = (f64, f64)>) -> (f64, bool) {
    let (mut top, mut highest) = (0.0_f64, 0.0_f64);
    for (point, high) in points {
        top = top.max(point * 1.3).max(high.min(point * 2.0) * 1.1);
        highest = highest.max(high);
    }
    let top = top.max(0.001);
    (top, highest > top)
}

/// Where the linker changed between the rows `before` and `after`: at the release that made
/// rust-lld the default (1.90, official x86_64 Linux builds) when that lies between them, else at
/// `after`, the first row that links the new way; never midway, which reads as a date.
fn linker_change_at(before: &Row, after: &Row) -> f64 {
    let (from, to) = (year_of(before.release_date), year_of(after.release_date));
    let lld = year_of(crate::discover::release::stable_release_date(90));
    if after.linker == crate::vocab::Linker::RustLld && (from..=to).contains(&lld) { lld } else { to }
}

/// The size of a point label's font, and the width and height a label of `n` characters takes.
const LABEL_SIZE: u32 = 13;
fn label_box(text: &str) -> (i32, i32) {
    (text.chars().count() as i32 * 7 + 2, LABEL_SIZE as i32 + 2)
}

/// The offset of each label from its point (`at`, pixels), so that no label covers another or a
/// point, and each lies within the plot's `columns`: the first of some places around the point
/// that is free, else the first that fits the width.
fn place_labels(at: &[(i32, i32)], texts: &[&str], columns: std::ops::Range<i32>) -> Vec<(i32, i32)> {
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    let overlaps = |a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)| {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    };
    let mut offsets = Vec::new();
    for (&(x, y), text) in at.iter().zip(texts) {
        let (w, h) = label_box(text);
        let candidates = [(8, -h - 6), (8, 6), (-w - 8, -h - 6), (-w - 8, 6), (-w / 2, -2 * h - 8), (-w / 2, h + 8)];
        let fits = |(dx, _): (i32, i32)| columns.start <= x + dx && x + dx + w <= columns.end;
        let free = |(dx, dy): (i32, i32)| {
            let b = (x + dx, y + dy, w, h);
            placed.iter().all(|p| !overlaps(b, *p)) && at.iter().all(|&(px, py)| !overlaps(b, (px - 6, py - 6, 12, 12)))
        };
        let chosen = candidates.into_iter().find(|c| fits(*c) && free(*c)).unwrap_or_else(|| {
            let (dx, dy) = candidates[0];
            (dx.min(columns.end - x - w).max(columns.start - x), dy)
        });
        placed.push((x + chosen.0, y + chosen.1, w, h));
        offsets.push(chosen);
    }
    offsets
}

/// `cargo timewarp bisect --plot FILE.svg`: per scenario, the build time of every measured
/// release of the span (by release number) with its 95 % interval as an error bar, the located
/// step marked, and failed releases crossed on the axis.
pub(crate) fn bisect_svg(bisected: &Bisected) -> Result<String> {
    let minor = |release: &str| release.trim_start_matches("1.").parse::<f64>().unwrap_or(0.0);
    let scenarios: Vec<Scenario> =
        Scenario::ALL.into_iter().filter(|s| bisected.releases.iter().any(|r| r.time.contains_key(s))).collect();
    if scenarios.is_empty() {
        return Err(anyhow!("there is nothing to plot: no release was measured"));
    }
    let (first, last) = match (bisected.releases.first(), bisected.releases.last()) {
        (Some(a), Some(b)) => (minor(&a.release), minor(&b.release)),
        _ => return Err(anyhow!("there is nothing to plot: the span is empty")),
    };
    let height = PANEL_HEIGHT * scenarios.len() as u32 + 40;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!("cargo timewarp bisect {} {}: build times by release", bisected.from, bisected.to);
        let root = root.titled(&title, ("sans-serif", 22)).map_err(plot_error)?;
        for (area, scenario) in root.split_evenly((scenarios.len(), 1)).iter().zip(&scenarios) {
            bisect_panel(area, bisected, scenario, (first, last))?;
        }
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// One scenario's panel of the bisect chart: each release's time with its interval, the located
/// step, the releases that failed; `span` is the first and last release's minor version.
fn bisect_panel(area: &Area<'_>, bisected: &Bisected, scenario: &Scenario, (first, last): (f64, f64)) -> Result<()> {
    let minor = |release: &str| release.trim_start_matches("1.").parse::<f64>().unwrap_or(0.0);
    let points: Vec<(f64, f64, f64, f64, String)> = bisected
        .releases
        .iter()
        .filter_map(|r| {
            let t = r.time.get(scenario)?;
            let name = r.toolchain.clone().unwrap_or_else(|| r.release.clone());
            Some((minor(&r.release), t.point, t.low.unwrap_or(t.point), t.high.unwrap_or(t.point), name))
        })
        .collect();
    let (y_max, cut) = y_top(points.iter().map(|p| (p.1, p.3)));
    let cut = if cut { "; error bars cut at the top" } else { "" };
    let caption = format!("{scenario}: seconds (geometric mean, 95% interval){cut}");
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .caption(caption, ("sans-serif", 16))
        .build_cartesian_2d((first - 0.5)..(last + 0.5), 0.0..y_max)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc("Rust release")
        .y_desc("seconds")
        .x_label_formatter(&|x| format!("1.{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.2}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(plot_error)?;
    if let Some(located) = &bisected.located {
        let (a, b) = (minor(&located.from), minor(&located.to));
        let x = (a + b) / 2.0;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, y_max * 0.92)],
                LINKER_COLOUR.stroke_width(1),
            )))
            .map_err(plot_error)?;
        let label = format!("located: {} to {}", located.from, located.to);
        let font = ("sans-serif", 11).into_font().color(&LINKER_COLOUR);
        chart.draw_series(std::iter::once(Text::new(label, (x, y_max * 0.97), font))).map_err(plot_error)?;
    }
    let bars = points
        .iter()
        .filter(|p| p.3 > p.2)
        .map(|p| PathElement::new(vec![(p.0, p.2), (p.0, p.3.min(y_max))], SCENARIO_COLOURS[0].stroke_width(1)));
    chart.draw_series(bars).map_err(plot_error)?;
    chart
        .draw_series(points.iter().map(|(x, y, _, _, label)| {
            EmptyElement::at((*x, *y))
                + Circle::new((0, 0), 5, SCENARIO_COLOURS[0].filled())
                + Text::new(label.clone(), (-20, -20), ("sans-serif", 13))
        }))
        .map_err(plot_error)?;
    let failed = bisected.releases.iter().filter(|r| r.status == SpanStatus::Failed);
    chart
        .draw_series(failed.map(|r| {
            EmptyElement::at((minor(&r.release), 0.0))
                + Cross::new((0, 0), 6, FAILED_COLOUR.stroke_width(2))
                + Text::new(
                    format!("{} failed", r.release),
                    (-20, -18),
                    ("sans-serif", 12).into_font().color(&FAILED_COLOUR),
                )
        }))
        .map_err(plot_error)?;
    Ok(())
}

/// One colour per toolchain of `history --plot`, in turn.
const HISTORY_PALETTE: [RGBColor; 6] =
    [SCENARIO_COLOURS[0], SCENARIO_COLOURS[1], WORKSPACE_COLOUR, DEPENDENCIES_COLOUR, FAILED_COLOUR, LINKER_COLOUR];

/// `cargo timewarp history --plot FILE.svg`: per scenario, one line per toolchain version across
/// the recorded runs (date and commit on the axis), so a slower commit under a fixed compiler
/// shows as a step.
pub(crate) fn history_svg(history: &History) -> Result<String> {
    let mut runs: Vec<(&str, &str)> = history
        .toolchains
        .iter()
        .flat_map(|t| &t.points)
        .map(|p| (p.recorded_at.as_str(), p.git_commit.as_deref().unwrap_or("-")))
        .collect();
    runs.sort();
    runs.dedup();
    if runs.is_empty() {
        return Err(anyhow!("there is nothing to plot: no run is recorded yet"));
    }
    let index = |p: &crate::report::model::HistoryPoint| {
        runs.iter().position(|r| r.0 == p.recorded_at && r.1 == p.git_commit.as_deref().unwrap_or("-")).unwrap_or(0)
    };
    let height = PANEL_HEIGHT * history.scenarios.len() as u32 + 40;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!("Build times of {} across recorded runs, per toolchain", history.project);
        let root = root.titled(&title, ("sans-serif", 20)).map_err(plot_error)?;
        let names = run_labels(&runs);
        for (area, scenario) in root.split_evenly((history.scenarios.len(), 1)).iter().zip(&history.scenarios) {
            let y_max = history
                .toolchains
                .iter()
                .flat_map(|t| &t.points)
                .filter_map(|p| p.medians.get(scenario))
                .fold(0.0, |a: f64, b| a.max(*b));
            let mut chart = ChartBuilder::on(area)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(64)
                .caption(format!("{scenario}, median seconds"), ("sans-serif", 16))
                .build_cartesian_2d(-0.5..(runs.len() as f64 - 0.5), 0.0..(y_max * 1.3).max(0.001))
                .map_err(plot_error)?;
            let label = |x: &f64| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                names.get(i as usize).cloned().unwrap_or_default()
            };
            chart
                .configure_mesh()
                .x_labels(runs.len().min(12))
                .x_label_formatter(&label)
                .x_desc("recorded run (date, commit)")
                .y_desc("seconds")
                .light_line_style(WHITE.mix(0.0))
                .draw()
                .map_err(plot_error)?;
            for (toolchain, colour) in history.toolchains.iter().zip(HISTORY_PALETTE.iter().cycle()) {
                let points: Vec<(f64, f64)> = toolchain
                    .points
                    .iter()
                    .filter_map(|p| Some((index(p) as f64, *p.medians.get(scenario)?)))
                    .collect();
                let colour = *colour;
                chart
                    .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                    .map_err(plot_error)?
                    .label(toolchain.version.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
                chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled()))).map_err(plot_error)?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .border_style(BLACK.mix(0.3))
                .background_style(WHITE)
                .draw()
                .map_err(plot_error)?;
        }
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

/// The x label of each recorded run (`(recorded_at, commit)`): its date, with the time of day
/// when two runs share a date, and its short commit; never two alike.
fn run_labels(runs: &[(&str, &str)]) -> Vec<String> {
    let day = |at: &str| at.chars().take(10).collect::<String>();
    let same_day = runs.iter().enumerate().any(|(i, a)| runs[..i].iter().any(|b| day(a.0) == day(b.0)));
    let mut labels: Vec<String> = runs
        .iter()
        .map(|(at, commit)| {
            let when =
                if same_day { at.chars().skip(5).take(11).collect::<String>().replace('T', " ") } else { day(at) };
            let commit: String = commit.chars().take(7).collect();
            if commit == "-" { when } else { format!("{when} {commit}") }
        })
        .collect();
    for i in 0..labels.len() {
        if labels[..i].contains(&labels[i]) {
            labels[i] = format!("{} #{}", labels[i], i + 1);
        }
    }
    labels
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

mod tried;
pub(crate) use tried::try_svg;

#[cfg(test)]
mod tests;
