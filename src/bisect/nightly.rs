//! `bisect --nightlies`: past the two adjacent stable releases the search located, on to the
//! nightlies of the newer release's six-week train (the days its code was on master), named
//! `nightly-YYYY-MM-DD` as rustup installs them. The same halving runs over them, following one
//! scenario; with `--install`, each step installs only the nightlies it measures (rustup
//! `--profile minimal`), and what this run installed is removed when the search ends, unless
//! `--keep-installed`. The located pair of nightlies gives the rust-lang/rust commit range.

use std::time::Duration;

use anyhow::Result;

use super::{names, report_step, samples};
use crate::cli::Config;
use crate::discover::install::Installed;
use crate::discover::release::nightly_train;
use crate::discover::toolchain::{self, Toolchain};
use crate::measure::bisect::{self as search, Halt, Probed, Samples};
use crate::measure::engine::Stop;
use crate::measure::interrupt::Interrupt;
use crate::process::Runner;
use crate::report::bisection::{self, Probe};
use crate::report::model::NightlyBisection;
use crate::report::progress::Progress;
use crate::stages::{self, Discovered};
use crate::vocab::Scenario;

/// The names of the nightlies of release `1.minor`'s train, oldest first.
pub(crate) fn train(minor: u64) -> Vec<String> {
    let Some((first, last)) = nightly_train(minor) else { return Vec::new() };
    (0..=last.days_since(first)).map(|d| format!("nightly-{}", first.plus_days(d))).collect()
}

/// What the search needs from the bisection around it.
pub(crate) struct Around<'a> {
    /// The run's configuration (its budget is what is left of the bisection's).
    pub config: &'a Config,
    /// Discovery: the workspace, its directories and journal.
    pub found: &'a Discovered,
    /// The run's interruption handler.
    pub interrupt: &'a Interrupt,
    /// The scenario the stable search followed.
    pub follow: Scenario,
    /// The newer of the two adjacent releases that hold the change.
    pub newer: &'a Toolchain,
    /// What is left of the bisection's budget.
    pub budget: Duration,
}

/// Searches the nightlies of `around.newer`'s train for the change. With fewer than two
/// nightlies to measure (none installed, and no `--install`), it says what would give them.
pub(crate) fn search(runner: &dyn Runner, progress: &Progress, around: &Around<'_>) -> Result<NightlyBisection> {
    let minor = around.newer.version.minor;
    let release = format!("1.{minor}");
    let all = train(minor);
    let not_searched = |summary: String| NightlyBisection {
        release: release.clone(),
        first: all.first().cloned().unwrap_or_default(),
        last: all.last().cloned().unwrap_or_default(),
        outcome: None,
        summary,
        steps: Vec::new(),
        located: None,
        installed: Vec::new(),
    };
    if around.budget.is_zero() {
        let summary = format!(
            "the bisection's budget was spent before the nightlies of {release}'s train; `--budget` gives them time"
        );
        progress.note(&format!("--nightlies: {summary}"));
        return Ok(not_searched(summary));
    }
    let inventory = toolchain::discover(runner)?;
    let installed_now = |names: &[String], toolchains: &[Toolchain]| -> Vec<String> {
        names.iter().filter(|n| toolchains.iter().any(|t| t.answers_to(n))).cloned().collect()
    };
    let candidates: Vec<String> =
        if around.config.install { all.clone() } else { installed_now(&all, &inventory.toolchains) };
    let (first, last) = (all.first().cloned().unwrap_or_default(), all.last().cloned().unwrap_or_default());
    if candidates.len() < 2 {
        let summary = format!(
            "{} of the {} nightlies of {release}'s train ({first} to {last}) {} installed; `--install` installs those the halving needs (about {}), and removes them afterwards",
            candidates.len(),
            all.len(),
            if candidates.len() == 1 { "is" } else { "are" },
            (all.len() as f64).log2().ceil() as usize + 2
        );
        progress.note(&format!("--nightlies: {summary}"));
        return Ok(not_searched(summary));
    }
    progress.status(
        "Nightlies",
        &format!(
            "of {release}'s train, {} to {}: {} to search{}",
            candidates[0],
            candidates[candidates.len() - 1],
            candidates.len(),
            if around.config.install { ", installing the ones each step needs" } else { " (those installed)" }
        ),
    );
    let record = (!around.config.keep_installed).then(|| around.found.work.nightly_install_record());
    let mut installs = Installed::recording(record);
    let mut toolchains = inventory.toolchains;
    let started = runner.now();
    let spent = || runner.now().duration_since(started).unwrap_or_default();
    let mut probes: Vec<Probe> = Vec::new();
    let found = {
        let mut probe = |indices: &[usize]| -> Result<Probed> {
            let wanted: Vec<String> = indices.iter().map(|i| candidates[*i].clone()).collect();
            let missing: Vec<String> =
                wanted.iter().filter(|n| !toolchains.iter().any(|t| t.answers_to(n))).cloned().collect();
            if !missing.is_empty() {
                installs.add(runner, progress, &missing, &|| around.interrupt.requested())?;
                toolchains = toolchain::discover(runner)?.toolchains;
            }
            let (lo, hi) = (indices[0], indices[indices.len() - 1]);
            let probes_left = usize::from(indices.len() == 2) + ((hi - lo) as f64).log2().ceil().max(1.0) as usize;
            let share = around.budget.saturating_sub(spent()) / probes_left as u32;
            let mut step = around.config.clone();
            step.budget = Some(share.max(Duration::from_secs(1)));
            step.scenarios = Some(vec![around.follow]);
            let present: Vec<(usize, Toolchain)> = indices
                .iter()
                .filter_map(|i| toolchains.iter().find(|t| t.answers_to(&candidates[*i])).map(|t| (*i, t.clone())))
                .collect();
            let chosen: Vec<Toolchain> = present.iter().map(|(_, t)| t.clone()).collect();
            progress.status(&format!("Nightly step {}", probes.len() + 1), &names(&chosen));
            let measurement = stages::measure_these(runner, &step, progress, around.found, &chosen, around.interrupt)?;
            let outcome = measurement.outcome;
            report_step(progress, &chosen, &outcome.measured);
            let mut results: Vec<(usize, Result<Samples, String>)> =
                present.iter().zip(&outcome.measured).map(|((i, _), m)| (*i, samples(m))).collect();
            for i in indices.iter().filter(|i| !present.iter().any(|(p, _)| p == *i)) {
                results.push((*i, Err(format!("rustup could not install {}", candidates[*i]))));
            }
            results.sort_by_key(|(i, _)| *i);
            let halt = if measurement.interrupted || outcome.stop == Stop::Interrupted {
                Some(Halt::Interrupted)
            } else if spent() >= around.budget {
                Some(Halt::Budget)
            } else {
                None
            };
            let measured_indices: Vec<usize> = present.iter().map(|(i, _)| *i).collect();
            probes.push(Probe {
                candidates: measured_indices,
                measured: outcome.measured,
                rounds: outcome.rounds,
                stop: outcome.stop,
            });
            Ok(Probed { results, halt })
        };
        search::bisect(candidates.len(), Some(around.follow), &mut probe)
    };
    let installed_names = installs.names().to_vec();
    installs.remove(runner, progress, around.config.keep_installed);
    let found = found?;
    Ok(bisection::nightlies(&release, &candidates, &toolchains, &found, &probes, installed_names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trains_nightlies_are_named_as_rustup_installs_them() {
        let names = train(90);
        assert_eq!(names.len(), 42);
        assert_eq!((names[0].as_str(), names[41].as_str()), ("nightly-2025-06-21", "nightly-2025-08-01"));
        assert!(train(2).is_empty());
    }
}
