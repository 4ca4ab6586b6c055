//! What the user sees on standard error while timewarp works: cargo-style status lines, and,
//! on a terminal, a progress bar naming the toolchain, the scenario, run i of n, the elapsed
//! time and an estimate of what remains. No bar when standard output or standard error is not
//! a terminal, nothing at all with `--quiet`, no colour with `NO_COLOR` (via `console`).
//! Results never go here: they go to standard output.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use console::style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::measure::engine::{Action, End, Measured, Observer, RunCount, Step};
use crate::measure::stats::Summary;
use crate::vocab::Scenario;

/// Status output for one run.
pub(crate) struct Progress {
    quiet: bool,
    interactive: bool,
    start: Instant,
}

impl Progress {
    /// Progress that prints unless `quiet`, with a bar only when both streams are terminals.
    pub(crate) fn new(quiet: bool) -> Progress {
        let interactive = std::io::stderr().is_terminal() && std::io::stdout().is_terminal();
        Progress { quiet, interactive, start: Instant::now() }
    }

    /// `    Verb message`, the verb right-aligned and green like cargo's.
    pub(crate) fn status(&self, verb: &str, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", style(format!("{verb:>12}")).green().bold().for_stderr());
        }
    }

    /// `warning: message`, shown even with `--quiet`: something went wrong that the user should
    /// act on, though the run goes on.
    pub(crate) fn warning(&self, message: &str) {
        eprintln!("{} {message}", style("warning:").yellow().bold().for_stderr());
    }

    /// `note: message`.
    pub(crate) fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", style("note:").cyan().bold().for_stderr());
        }
    }

    /// A tracker for `toolchains` toolchains, each built as `plan` says.
    pub(crate) fn builds(&self, toolchains: usize, plan: BuildPlan) -> BuildTracker<'_> {
        let mut tracker = BuildTracker {
            progress: self,
            bar: None,
            plan,
            toolchains,
            started: HashMap::new(),
            done: Vec::new(),
            durations: [Vec::new(), Vec::new()],
            current: None,
            warned_long: false,
        };
        if self.interactive && !self.quiet {
            let bar = ProgressBar::with_draw_target(Some(tracker.total() as u64), ProgressDrawTarget::stderr());
            let columns = console::Term::stderr().size_checked().map(|(_, c)| usize::from(c));
            let template = bar_template(columns);
            bar.set_style(ProgressStyle::with_template(&template).expect("valid template").progress_chars("=> "));
            bar.set_prefix("Building");
            bar.enable_steady_tick(Duration::from_millis(200));
            tracker.bar = Some(bar);
        }
        tracker
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

/// The progress bar's template for a terminal `columns` wide: the bar shrinks to fit, and goes
/// when the terminal is too narrow for one (the count and the message stay, and `wide_msg`
/// takes only what is left).
fn bar_template(columns: Option<usize>) -> String {
    // `    Building` (12) + ` ` + `[` bar `]` + ` 10/40 ` leaves the rest to the message.
    let room = columns.unwrap_or(80).saturating_sub(12 + 3 + 8 + 20);
    match room.min(25) {
        0..=4 => "{prefix:>12.cyan.bold} {pos}/{len} {wide_msg}".to_string(),
        bar => format!("{{prefix:>12.cyan.bold}} [{{bar:{bar}}}] {{pos}}/{{len}} {{wide_msg}}"),
    }
}

/// The builds each toolchain gets, for the progress bar and the estimate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BuildPlan {
    /// Timed clean builds, whose number may depend on their length.
    pub clean: RunCount,
    /// Other builds from an empty target directory (the `--crates` build).
    pub extra_clean: usize,
    /// Rebuilds, the untimed first one included.
    pub rebuilds: usize,
}

/// 0 for a build from an empty target directory, 1 for a rebuild: the two take times that
/// differ a hundredfold, so each kind is estimated from its own.
const FROM_SCRATCH: usize = 0;
const REBUILD: usize = 1;

fn kind_of(action: Action) -> usize {
    match action {
        Action::Timed { scenario: Scenario::Clean, .. } | Action::CrateBuild => FROM_SCRATCH,
        _ => REBUILD,
    }
}

/// Follows the builds of a run to show progress and estimate the rest.
pub(crate) struct BuildTracker<'a> {
    progress: &'a Progress,
    bar: Option<ProgressBar>,
    plan: BuildPlan,
    toolchains: usize,
    /// Builds started per toolchain and kind.
    started: HashMap<String, [usize; 2]>,
    /// Toolchains whose builds are over (completed, failed or interrupted).
    done: Vec<String>,
    /// Seconds of every finished build, per kind.
    durations: [Vec<f64>; 2],
    /// When the running build started, and its kind.
    current: Option<(Instant, usize)>,
    /// Whether the run was said to take over an hour.
    warned_long: bool,
}

impl Observer for BuildTracker<'_> {
    fn starting(&mut self, step: &Step<'_>) {
        self.close_current();
        let name = &step.toolchain.name;
        let what = match step.action {
            Action::WarmUp => {
                if self.bar.is_none() {
                    self.progress
                        .status("Measuring", &format!("{name} (first reading its compiler into memory, untimed)"));
                }
                "warming up its compiler (untimed)".to_string()
            }
            Action::FirstRebuild => "first rebuild after touching (untimed)".to_string(),
            Action::CrateBuild => "per-crate build (every rustc timed apart)".to_string(),
            Action::Timed { scenario, run, of: Some(of) } => format!("{scenario} {run}/{of}"),
            Action::Timed { scenario, run, of: None } => format!("{scenario} {run}"),
        };
        if step.action.is_build() {
            let kind = kind_of(step.action);
            self.current = Some((Instant::now(), kind));
            self.started.entry(name.clone()).or_default()[kind] += 1;
            self.warn_if_long();
        }
        if let Some(bar) = &self.bar {
            bar.set_length(self.total() as u64);
            bar.set_position(self.builds_done() as u64);
            let left = self.estimate_left().map(|d| format!(", ~{} left", clock(d))).unwrap_or_default();
            bar.set_message(format!("{name} {what} [{} elapsed{left}]", clock(self.progress.elapsed())));
        }
    }

    /// Prints the toolchain's summary line; the builds it will not run leave the total.
    fn finished(&mut self, measured: &Measured) {
        self.close_current();
        let name = &measured.toolchain.name;
        let medians: Vec<String> = measured
            .samples
            .iter()
            .filter_map(|(scenario, samples)| {
                let median = Summary::of(&samples.iter().map(|s| s.wall_s).collect::<Vec<_>>())?.median_s;
                Some(format!("{scenario} {median:.3} s"))
            })
            .collect();
        let line = match &measured.end {
            End::Completed => ("Measured", format!("{name}: {}", medians.join(", "))),
            End::Failed(why) => ("Failed", format!("{name}: {}", why.lines().next().unwrap_or_default())),
            End::Interrupted => ("Interrupted", name.clone()),
        };
        self.done.push(name.clone());
        match &self.bar {
            Some(bar) => {
                bar.set_length(self.total() as u64);
                bar.suspend(|| self.progress.status(line.0, &line.1));
            }
            None => self.progress.status(line.0, &line.1),
        }
    }
}

impl BuildTracker<'_> {
    /// All builds are done.
    pub(crate) fn done(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn close_current(&mut self) {
        if let Some((started, kind)) = self.current.take() {
            self.durations[kind].push(started.elapsed().as_secs_f64());
        }
    }

    fn mean(&self, kind: usize) -> Option<f64> {
        Summary::of(&self.durations[kind]).map(|s| s.mean_s)
    }

    /// Builds of `kind` a toolchain gets: clean builds as many as the clean builds so far
    /// suggest (one when they take 30 s or more).
    fn per_toolchain(&self, kind: usize) -> usize {
        match kind {
            FROM_SCRATCH => self.plan.clean.expected(self.mean(FROM_SCRATCH)) + self.plan.extra_clean,
            _ => self.plan.rebuilds,
        }
    }

    /// Builds of `kind` still to come: none for a toolchain that is done.
    fn remaining(&self, kind: usize) -> usize {
        let each = self.per_toolchain(kind);
        let running: usize = self
            .started
            .iter()
            .filter(|(name, _)| !self.done.contains(name))
            .map(|(_, started)| each.saturating_sub(started[kind]))
            .sum();
        let waiting = self.toolchains.saturating_sub(self.started.len().max(self.done.len()));
        running + waiting * each
    }

    fn builds_done(&self) -> usize {
        self.durations.iter().map(Vec::len).sum()
    }

    fn total(&self) -> usize {
        self.builds_done()
            + usize::from(self.current.is_some())
            + self.remaining(FROM_SCRATCH)
            + self.remaining(REBUILD)
    }

    /// Says, once, when the builds still to come will take more than an hour (`--runs 100000`
    /// starts without a word otherwise).
    fn warn_if_long(&mut self) {
        if self.warned_long || self.builds_done() == 0 {
            return;
        }
        if let Some(left) = self.estimate_left().filter(|d| *d > Duration::from_secs(3600)) {
            self.warned_long = true;
            let remaining = self.remaining(FROM_SCRATCH) + self.remaining(REBUILD);
            let note = format!(
                "this run will take about {} more ({remaining} builds to go); Ctrl-C stops it and reports what it has",
                clock(left)
            );
            match &self.bar {
                Some(bar) => bar.suspend(|| self.progress.note(&note)),
                None => self.progress.note(&note),
            }
        }
    }

    /// Per kind, the builds to come times that kind's mean so far. A kind not yet timed counts
    /// nothing: 150 s clean builds must not make 4 s rebuilds look like an hour.
    fn estimate_left(&self) -> Option<Duration> {
        let left: Vec<f64> = [FROM_SCRATCH, REBUILD]
            .into_iter()
            .filter_map(|kind| Some(self.mean(kind)? * self.remaining(kind) as f64))
            .collect();
        (!left.is_empty()).then(|| Duration::from_secs_f64(left.iter().sum()))
    }
}

/// `1:05` (minutes:seconds), `1:02:03` past an hour.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_format() {
        assert_eq!(clock(Duration::from_secs(5)), "0:05");
        assert_eq!(clock(Duration::from_secs(65)), "1:05");
        assert_eq!(clock(Duration::from_secs(3723)), "1:02:03");
    }

    /// Found with `COLUMNS=20`: the bar was wider than the terminal.
    #[test]
    fn the_bar_fits_the_terminal() {
        assert_eq!(bar_template(Some(100)), "{prefix:>12.cyan.bold} [{bar:25}] {pos}/{len} {wide_msg}");
        assert!(bar_template(Some(60)).contains("{bar:17}"));
        assert_eq!(bar_template(Some(20)), "{prefix:>12.cyan.bold} {pos}/{len} {wide_msg}", "no bar at all");
        for columns in [20, 30, 40, 48, 60, 80] {
            let template = bar_template(Some(columns));
            let bar =
                template.split("{bar:").nth(1).and_then(|b| b.split('}').next()).map_or(0, |b| b.parse().unwrap());
            let needed = if bar == 0 { 12 + 8 } else { 12 + 3 + bar + 8 };
            assert!(needed <= columns, "{columns}: {template}");
        }
    }

    fn timed(scenario: Scenario) -> Action {
        Action::Timed { scenario, run: 1, of: None }
    }

    /// `tracker` as if builds of `kind` of the toolchain `name` had taken `seconds` each.
    fn took(tracker: &mut BuildTracker<'_>, name: &str, kind: usize, seconds: &[f64]) {
        tracker.durations[kind].extend(seconds);
        tracker.started.entry(name.into()).or_default()[kind] += seconds.len();
    }

    fn plan(clean: RunCount, rebuilds: usize) -> BuildPlan {
        BuildPlan { clean, extra_clean: 0, rebuilds }
    }

    #[test]
    fn estimate_counts_clean_builds_and_rebuilds_apart() {
        let progress = Progress { quiet: true, interactive: false, start: Instant::now() };
        // Three toolchains, adaptive clean runs and six rebuilds each, as on fd v8.5.0.
        let mut tracker = progress.builds(3, plan(RunCount::ADAPTIVE, 6));
        assert_eq!(tracker.estimate_left(), None);
        assert_eq!(tracker.total(), 3 * (3 + 6), "three clean builds each until one is timed");
        took(&mut tracker, "1.63.0", FROM_SCRATCH, &[150.0]);
        assert_eq!(tracker.estimate_left(), Some(Duration::from_secs(300)), "one clean build each for the others");
        took(&mut tracker, "1.63.0", REBUILD, &[4.0, 4.0]);
        assert_eq!(tracker.estimate_left(), Some(Duration::from_secs(300 + 16 * 4)));
        assert_eq!(tracker.total(), 3 * 7);
        let mut short = progress.builds(2, plan(RunCount::ADAPTIVE, 6));
        took(&mut short, "a", FROM_SCRATCH, &[2.0]);
        assert_eq!(short.remaining(FROM_SCRATCH), 9 + 10, "2 s builds: ten each, the most there are");
        assert_eq!((kind_of(timed(Scenario::Clean)), kind_of(Action::CrateBuild)), (FROM_SCRATCH, FROM_SCRATCH));
        assert_eq!((kind_of(timed(Scenario::Touched)), kind_of(Action::FirstRebuild)), (REBUILD, REBUILD));
    }

    #[test]
    fn a_run_of_over_an_hour_is_said_once() {
        let progress = Progress { quiet: true, interactive: false, start: Instant::now() };
        let mut tracker = progress.builds(1, plan(RunCount::Fixed(1), 100_000));
        took(&mut tracker, "a", REBUILD, &[1.0]);
        tracker.warn_if_long();
        assert!(tracker.warned_long, "99999 builds of a second each");
        let mut fd = progress.builds(3, plan(RunCount::ADAPTIVE, 6));
        took(&mut fd, "1.63.0", FROM_SCRATCH, &[150.0]);
        fd.warn_if_long();
        assert!(!fd.warned_long, "two more clean builds and some rebuilds are not an hour");
    }

    #[test]
    fn a_failed_toolchain_leaves_the_estimate() {
        let progress = Progress { quiet: true, interactive: false, start: Instant::now() };
        let mut tracker = progress.builds(2, plan(RunCount::Fixed(2), 4));
        let toolchain = crate::testing::toolchain("1.63.0");
        tracker.starting(&Step { toolchain: &toolchain, action: Action::WarmUp });
        for run in 1..=2 {
            let action = Action::Timed { scenario: crate::vocab::Scenario::Clean, run, of: Some(2) };
            tracker.starting(&Step { toolchain: &toolchain, action });
        }
        let failed = Measured {
            toolchain: toolchain.clone(),
            target_dir: "t".into(),
            samples: Default::default(),
            end: End::Failed("error".into()),
            crates: None,
        };
        tracker.finished(&failed);
        assert_eq!((tracker.total(), tracker.builds_done()), (8, 2), "the 4 builds it will not run are gone");
        assert_eq!(tracker.remaining(FROM_SCRATCH) + tracker.remaining(REBUILD), 6, "the other toolchain's");
    }
}
