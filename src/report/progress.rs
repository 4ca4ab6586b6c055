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

use crate::measure::engine::{Action, End, Measured, Observer, Step};
use crate::measure::stats::Summary;

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

    /// `note: message`.
    pub(crate) fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{} {message}", style("note:").cyan().bold().for_stderr());
        }
    }

    /// A tracker for `toolchains` toolchains of `per_toolchain` builds each.
    pub(crate) fn builds(&self, toolchains: usize, per_toolchain: usize) -> BuildTracker<'_> {
        let total = toolchains * per_toolchain;
        let bar = (self.interactive && !self.quiet).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let template = "{prefix:>12.cyan.bold} [{bar:25}] {pos}/{len} {wide_msg}";
            bar.set_style(ProgressStyle::with_template(template).expect("valid template").progress_chars("=> "));
            bar.set_prefix("Building");
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        BuildTracker {
            progress: self,
            bar,
            total,
            per_toolchain,
            finished: 0,
            current: None,
            durations: Vec::new(),
            started: HashMap::new(),
            warned_long: false,
        }
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

/// Follows the builds of a run to show progress and estimate the rest.
pub(crate) struct BuildTracker<'a> {
    progress: &'a Progress,
    bar: Option<ProgressBar>,
    total: usize,
    /// Builds planned per toolchain.
    per_toolchain: usize,
    finished: usize,
    /// When the running build started.
    current: Option<Instant>,
    /// Seconds of every finished build.
    durations: Vec<f64>,
    /// Builds started per toolchain, to take a failed toolchain's remaining ones off the total.
    started: HashMap<String, usize>,
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
            self.current = Some(Instant::now());
            *self.started.entry(name.clone()).or_default() += 1;
            self.warn_if_long();
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.finished as u64);
            let left = self.estimate_left().map(|d| format!(", ~{} left", clock(d))).unwrap_or_default();
            bar.set_message(format!("{name} {what} [{} elapsed{left}]", clock(self.progress.elapsed())));
        }
    }

    /// Prints the toolchain's summary line and takes the builds it will not run off the total.
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
        let ran = self.started.get(name).copied().unwrap_or(0);
        self.total = self.total.saturating_sub(self.per_toolchain.saturating_sub(ran));
        match &self.bar {
            Some(bar) => {
                bar.set_length(self.total as u64);
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
        if let Some(started) = self.current.take() {
            self.durations.push(started.elapsed().as_secs_f64());
            self.finished += 1;
        }
    }

    /// Says, once, when the builds still to come will take more than an hour (`--runs 100000`
    /// starts without a word otherwise).
    fn warn_if_long(&mut self) {
        if self.warned_long || self.finished == 0 {
            return;
        }
        if let Some(left) = self.estimate_left().filter(|d| *d > Duration::from_secs(3600)) {
            self.warned_long = true;
            let remaining = self.total.saturating_sub(self.finished);
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

    /// Remaining builds times the mean build so far, once there is one to go by.
    fn estimate_left(&self) -> Option<Duration> {
        let mean = Summary::of(&self.durations)?.mean_s;
        let remaining = self.total.saturating_sub(self.finished) as f64;
        Some(Duration::from_secs_f64(mean * remaining))
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

    #[test]
    fn estimate_uses_the_builds_so_far() {
        let progress = Progress { quiet: true, interactive: false, start: Instant::now() };
        let mut tracker = progress.builds(2, 5);
        assert_eq!(tracker.estimate_left(), None);
        tracker.durations.extend([4.0, 2.0]);
        tracker.finished = 2;
        assert_eq!(tracker.estimate_left(), Some(Duration::from_secs(24)));
    }

    #[test]
    fn a_run_of_over_an_hour_is_said_once() {
        let progress = Progress { quiet: true, interactive: false, start: Instant::now() };
        let mut tracker = progress.builds(1, 100_000);
        tracker.durations.push(1.0);
        tracker.finished = 1;
        tracker.warn_if_long();
        assert!(tracker.warned_long, "99999 builds of a second each");
        let mut short = progress.builds(1, 10);
        short.durations.push(1.0);
        short.finished = 1;
        short.warn_if_long();
        assert!(!short.warned_long);
    }

    #[test]
    fn a_failed_toolchain_leaves_the_estimate() {
        let progress = Progress { quiet: true, interactive: false, start: Instant::now() };
        let mut tracker = progress.builds(2, 6);
        let toolchain = crate::testing::toolchain("1.63.0");
        tracker.starting(&Step { toolchain: &toolchain, action: Action::WarmUp });
        for run in 1..=2 {
            let action = Action::Timed { scenario: crate::measure::scenario::Scenario::Clean, run, of: Some(2) };
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
        assert_eq!((tracker.total, tracker.finished), (8, 2), "the 4 builds it will not run are gone");
    }
}
