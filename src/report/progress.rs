//! What the user sees on standard error while timewarp works: cargo-style status lines, and,
//! on a terminal, a progress bar of the round under way naming the toolchain and the scenario,
//! the widest interval so far, the elapsed time and an estimate of what remains. No bar when standard output or standard error is not
//! a terminal, nothing at all with `--quiet`, no colour with `NO_COLOR` (via `console`).
//! [`Progress`] is the program's voice (and the `stderr::Say` that `discover/install` speaks
//! through); [`BuildTracker`] is the engine's `Observer`.
//! Results never go here: they go to standard output.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use console::style;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::discover::toolchain::Toolchain;
use crate::format::{self, clock};
use crate::measure::engine::{
    BuildPurpose, BuildStep, End, MAX_REDOS, Measured, Observer, Redone, RoundDone, SEIZED_FACTOR, SetAside,
};
use crate::stats;
use crate::stderr::{Say, say};

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
            say!("{} {message}", style(format!("{verb:>12}")).green().bold().for_stderr());
        }
    }

    /// `warning: message`, shown even with `--quiet`: something went wrong that the user should
    /// act on, though the run goes on.
    pub(crate) fn warning(&self, message: &str) {
        say!("{} {message}", style("warning:").yellow().bold().for_stderr());
    }

    /// `note: message`.
    pub(crate) fn note(&self, message: &str) {
        if !self.quiet {
            say!("{} {message}", style("note:").cyan().bold().for_stderr());
        }
    }

    /// A tracker of the rounds, which will stop after `rounds` rounds when that is fixed, or
    /// within `budget`.
    pub(crate) fn builds(&self, rounds: Option<usize>, budget: Option<Duration>) -> BuildTracker<'_> {
        let mut tracker = BuildTracker {
            progress: self,
            bar: None,
            rounds,
            budget,
            round: 0,
            widest: None,
            started: Instant::now(),
            warned_long: false,
        };
        if self.interactive && !self.quiet {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            let columns = console::Term::stderr().size_checked().map(|(_, c)| usize::from(c));
            let template = bar_template(columns);
            bar.set_style(ProgressStyle::with_template(&template).expect("valid template").progress_chars("=> "));
            bar.set_prefix("Round 1");
            bar.enable_steady_tick(Duration::from_millis(200));
            tracker.bar = Some(bar);
        }
        tracker
    }

    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

impl Say for Progress {
    fn status(&self, verb: &str, message: &str) {
        Progress::status(self, verb, message);
    }

    fn warning(&self, message: &str) {
        Progress::warning(self, message);
    }

    fn note(&self, message: &str) {
        Progress::note(self, message);
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

/// Follows the rounds of a run to show progress and estimate the rest.
pub(crate) struct BuildTracker<'a> {
    progress: &'a Progress,
    bar: Option<ProgressBar>,
    /// The rounds the run will do, when fixed.
    rounds: Option<usize>,
    /// The budget, with the stopping rule.
    budget: Option<Duration>,
    /// The round under way, from 0.
    round: usize,
    /// The widest interval after the last round.
    widest: Option<(f64, String)>,
    started: Instant,
    /// Whether the run was said to take over an hour.
    warned_long: bool,
}

/// How a progress line names whose build it is: the toolchain, and the arm of `try` or the
/// baseline revision where the build is one (`1.96.0 with lld`, `1.96.0 at base 1a2b3c4`).
fn subject_name(step: &BuildStep<'_>) -> String {
    let name = &step.toolchain.name;
    match step.variant {
        None => name.clone(),
        Some(tag) => match (tag.strip_prefix("arm-"), tag.strip_prefix("base-")) {
            (Some(arm), _) => format!("{name} with {arm}"),
            (None, Some(commit)) => format!("{name} at base {commit}"),
            (None, None) => format!("{name} ({tag})"),
        },
    }
}

impl Observer for BuildTracker<'_> {
    fn round_starting(&mut self, round: usize, builds: usize) {
        self.round = round;
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("Round {}", round + 1));
            bar.set_length(builds as u64);
            bar.set_position(0);
        } else if round > 0 {
            let widest = match &self.widest {
                Some(_) => self.widest_text(),
                None => ", no interval yet".to_string(),
            };
            let elapsed = clock(self.progress.elapsed());
            let left = self.estimate_left().map(|d| format!(", ~{} left", clock(d))).unwrap_or_default();
            self.progress
                .status(&format!("Round {}", round + 1), &format!("{builds} builds [{elapsed} elapsed{left}{widest}]"));
        }
    }

    fn starting(&mut self, step: &BuildStep<'_>) {
        let name = subject_name(step);
        let what = match step.action {
            BuildPurpose::WarmUp => {
                if self.bar.is_none() {
                    self.progress
                        .status("Measuring", &format!("{name} (first reading its compiler into memory, untimed)"));
                }
                "warming up its compiler (untimed)".to_string()
            }
            BuildPurpose::FirstRebuild => "first rebuild after touching (untimed)".to_string(),
            BuildPurpose::Settle => "rebuild of the restored file (untimed)".to_string(),
            BuildPurpose::Prime => "build for the rebuilds (untimed)".to_string(),
            BuildPurpose::CrateBuild => "per-crate build (every rustc timed apart)".to_string(),
            BuildPurpose::Timed { scenario, .. } => scenario.to_string(),
        };
        if let Some(bar) = &self.bar {
            if matches!(step.action, BuildPurpose::Timed { .. }) && bar.position() < bar.length().unwrap_or(0) {
                bar.inc(1);
            }
            let left = self.estimate_left().map(|d| format!(", ~{} left", clock(d))).unwrap_or_default();
            let widest = self.widest_text();
            bar.set_message(format!("{name} {what}{widest} [{} elapsed{left}]", clock(self.progress.elapsed())));
        }
    }

    fn round_done(&mut self, done: &RoundDone) {
        self.widest = done.widest.clone();
        self.round = done.rounds;
        if let Some(left) = self.estimate_left().filter(|d| *d > Duration::from_secs(3600))
            && !self.warned_long
        {
            self.warned_long = true;
            let note =
                format!("this run will take about {} more; Ctrl-C stops it and reports what it has", clock(left));
            match &self.bar {
                Some(bar) => bar.suspend(|| self.progress.note(&note)),
                None => self.progress.note(&note),
            }
        }
    }

    /// Prints the toolchain's summary line.
    fn finished(&mut self, measured: &Measured) {
        // `--baseline-rev`: the revision's builds under the same toolchain are not today's.
        // `try`: an arm's builds are told apart by its tag in their directory (`1.95.0+arm-mold`).
        let dir = measured.target_dir.parent().and_then(|d| d.file_name()).map(|d| d.to_string_lossy().into_owned());
        let arm = dir.as_deref().and_then(|d| d.find("+arm-").or(d.find(".arm-")).map(|at| d[at + 5..].to_string()));
        let name = &match (measured.variant, arm) {
            (0, _) => measured.toolchain.name.clone(),
            (_, Some(arm)) => format!("{} with {arm}", measured.toolchain.name),
            (_, None) => format!("{} (the baseline revision)", measured.toolchain.name),
        };
        let times: Vec<String> = measured
            .samples
            .iter()
            .filter_map(|(scenario, samples)| {
                let time = stats::geometric(&samples.iter().map(|s| s.wall_s).collect::<Vec<_>>())?;
                let width = time
                    .relative_half_width()
                    .map(|w| format!(" {}", format::plus_minus_of_fraction(w)))
                    .unwrap_or_default();
                Some(format!("{scenario} {}{width}", format::seconds(time.point)))
            })
            .collect();
        let line = match &measured.end {
            End::Completed => ("Measured", format!("{name}: {}", times.join(", "))),
            End::Failed(why) => ("Failed", format!("{name}: {}", why.lines().next().unwrap_or_default())),
            End::Interrupted => ("Interrupted", name.clone()),
        };
        match &self.bar {
            Some(bar) => bar.suspend(|| self.progress.status(line.0, &line.1)),
            None => self.progress.status(line.0, &line.1),
        }
    }

    fn redone(&mut self, toolchain: &Toolchain, redone: &Redone) {
        self.say_redone(toolchain, redone);
    }
}

impl BuildTracker<'_> {
    /// `warning: 1.96.0 touched (round 2): timewarp was held up 5.0 s during its build, ...`:
    /// a stop the user made (Ctrl-Z) or the machine did, and what became of the sample.
    fn say_redone(&self, toolchain: &Toolchain, redone: &Redone) {
        let what = if redone.again {
            "its time is set aside and the build done again".to_string()
        } else {
            format!("held up {} times in a row, so this round has no sample of it", MAX_REDOS + 1)
        };
        let (scenario, round) = (redone.scenario, redone.round + 1);
        let line = match redone.why {
            SetAside::HeldUp => format!(
                "{toolchain} {scenario} (round {round}): timewarp was held up {:.1} s during the build (stopped, or the machine busy with something else); {what}",
                redone.paused_s
            ),
            SetAside::Seized { expected_s } => format!(
                "{toolchain} {scenario} (round {round}): the build took {:.1} s, over {SEIZED_FACTOR} times its usual {expected_s:.1} s while the round's other builds did not (the machine busy with something else); {what}",
                redone.wall_s
            ),
        };
        match &self.bar {
            Some(bar) => bar.suspend(|| self.progress.note(&line)),
            None => self.progress.note(&line),
        }
    }

    /// All builds are done.
    pub(crate) fn done(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// `, widest ±7.0% (1.63.0 touched)`, once there is an interval.
    fn widest_text(&self) -> String {
        let text = |(w, whose): &(f64, String)| format!(", widest {} ({whose})", format::plus_minus_of_fraction(*w));
        self.widest.as_ref().map(text).unwrap_or_default()
    }

    /// What remains: the rounds still to come at the pace of those done so far, within the
    /// budget; nothing before a round has finished.
    fn estimate_left(&self) -> Option<Duration> {
        if self.round == 0 {
            return None;
        }
        let per_round = self.started.elapsed() / self.round as u32;
        let by_rounds = self.rounds.map(|n| per_round * n.saturating_sub(self.round) as u32);
        let by_budget = self.budget.map(|b| b.saturating_sub(self.started.elapsed()));
        match (by_rounds, by_budget) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Found on a real `try`: every arm's warm-up printed the same line, naming only the toolchain.
    #[test]
    fn a_progress_line_names_the_arm_or_the_baseline_revision() {
        let toolchain = crate::testing::toolchain("1.96.0");
        let named = |variant| subject_name(&BuildStep { toolchain: &toolchain, variant, action: BuildPurpose::WarmUp });
        assert_eq!(named(None), "1.96.0");
        assert_eq!(named(Some("arm-lld+line-tables-only")), "1.96.0 with lld+line-tables-only");
        assert_eq!(named(Some("base-1a2b3c4")), "1.96.0 at base 1a2b3c4");
    }

    fn tracker(progress: &Progress, rounds: Option<usize>, budget: Option<Duration>) -> BuildTracker<'_> {
        progress.builds(rounds, budget)
    }

    #[test]
    fn the_estimate_follows_the_rounds_and_the_budget() {
        let progress = Progress::new(true);
        let mut fixed = tracker(&progress, Some(10), None);
        assert_eq!(fixed.estimate_left(), None, "nothing before a round has finished");
        fixed.started = Instant::now() - Duration::from_secs(60);
        fixed.round_done(&RoundDone {
            rounds: 2,
            widest: Some((0.07, "1.63.0 touched".into())),
            elapsed: Duration::from_secs(60),
        });
        let left = fixed.estimate_left().unwrap().as_secs();
        assert!((239..=241).contains(&left), "8 more rounds of 30 s: {left}");
        assert_eq!(fixed.widest_text(), ", widest ±7.0% (1.63.0 touched)");
        let mut budgeted = tracker(&progress, None, Some(Duration::from_secs(600)));
        budgeted.started = Instant::now() - Duration::from_secs(100);
        budgeted.round_done(&RoundDone { rounds: 1, widest: None, elapsed: Duration::from_secs(100) });
        let left = budgeted.estimate_left().unwrap().as_secs();
        assert!((499..=500).contains(&left), "what the budget leaves: {left}");
    }

    #[test]
    fn a_run_of_over_an_hour_is_said_once() {
        let progress = Progress::new(true);
        let mut long = tracker(&progress, Some(100_000), None);
        long.started = Instant::now() - Duration::from_secs(2);
        long.round_done(&RoundDone { rounds: 1, widest: None, elapsed: Duration::from_secs(2) });
        assert!(long.warned_long);
    }
}
