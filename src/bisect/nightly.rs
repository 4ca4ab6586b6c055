//! `bisect --nightlies`: past the two adjacent stable releases the search located, on to the
//! nightlies of the newer release's six-week train (the days its code was on master), named
//! `nightly-YYYY-MM-DD` as rustup installs them. The same halving runs over them, following one
//! scenario; with `--install`, each step installs only the nightlies it measures (rustup
//! `--profile minimal`), and what this run installed is removed when the search ends, unless
//! `--keep-installed`. The located pair of nightlies gives the rust-lang/rust commit range.

use anyhow::Result;

use super::Prober;
use crate::discover::install::Installer;
use crate::discover::release::nightly_train;
use crate::discover::toolchain::{self, Toolchain};
use crate::measure::bisect::{self as search, Probed};
use crate::report::bisection;
use crate::report::model::NightlyBisection;
use crate::vocab::Scenario;

/// The names of the nightlies of release `1.minor`'s train, oldest first.
pub(crate) fn train(minor: u64) -> Vec<String> {
    let Some((first, last)) = nightly_train(minor) else { return Vec::new() };
    (0..=last.days_since(first)).map(|d| format!("nightly-{}", first.plus_days(d))).collect()
}

/// Searches the nightlies of `newer`'s train for the change in `follow`, with `prober` (its
/// budget what is left of the bisection's). With fewer than two nightlies to measure (none
/// installed, and no `--install`), it says what would give them.
pub(crate) fn search(mut prober: Prober<'_>, follow: Scenario, newer: &Toolchain) -> Result<NightlyBisection> {
    let (runner, progress, options) = (prober.runner, prober.progress, prober.options);
    let minor = newer.version.minor;
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
    if prober.budget.is_zero() {
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
        if options.install.is_some() { all.clone() } else { installed_now(&all, &inventory.toolchains) };
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
    announce(progress, &release, &candidates, options.install.is_some());
    let record = prober.found.work.nightly_install_record();
    let mut installs = Installer::new(options.install.unwrap_or_default(), Some(record));
    let mut toolchains = inventory.toolchains;
    let interrupt = prober.interrupt;
    let found = {
        let mut probe = |indices: &[usize]| -> Result<Probed> {
            let wanted: Vec<String> = indices.iter().map(|i| candidates[*i].clone()).collect();
            let missing: Vec<String> =
                wanted.iter().filter(|n| !toolchains.iter().any(|t| t.answers_to(n))).cloned().collect();
            if !missing.is_empty() {
                installs.add(runner, progress, &missing, &|| interrupt.requested())?;
                toolchains = toolchain::discover(runner)?.toolchains;
            }
            let present: Vec<(usize, Toolchain)> = indices
                .iter()
                .filter_map(|i| toolchains.iter().find(|t| t.answers_to(&candidates[*i])).map(|t| (*i, t.clone())))
                .collect();
            let mut probed = prober.probe("Nightly step", indices, &present, Some(follow))?;
            for i in indices.iter().filter(|i| !present.iter().any(|(p, _)| p == *i)) {
                probed.results.push((*i, Err(format!("rustup could not install {}", candidates[*i]))));
            }
            probed.results.sort_by_key(|(i, _)| *i);
            Ok(probed)
        };
        search::bisect(candidates.len(), Some(follow), &mut probe)
    };
    let installed_names = installs.names().to_vec();
    installs.finish(runner, progress);
    let found = found?;
    Ok(bisection::nightlies(&release, &candidates, &toolchains, &found, &prober.probes, installed_names))
}

/// The nightlies' search before its first step: the train, how many, installed or not.
fn announce(progress: &crate::report::progress::Progress, release: &str, candidates: &[String], install: bool) {
    let how = if install { ", installing the ones each step needs" } else { " (those installed)" };
    let (first, last) = (&candidates[0], &candidates[candidates.len() - 1]);
    progress
        .status("Nightlies", &format!("of {release}'s train, {first} to {last}: {} to search{how}", candidates.len()));
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
