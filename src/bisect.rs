//! `cargo timewarp bisect FROM TO`, top to bottom: discovery as for a measuring run, over every
//! installed stable release from FROM to TO (one toolchain per release); the search of
//! `measure::bisect`, each probe one run of the engine (rounds, stopping rule) over the
//! releases it names, within its share of `--budget`; then the document, its outputs and the
//! exit code. Like the measuring run it runs against any [`Runner`].

use std::time::{Duration, SystemTime};

use anyhow::{Result, anyhow};
use semver::Version;

use crate::cli::{BisectOptions, RunOptions};
use crate::discover::environment;
use crate::discover::install::{self, Installer};
use crate::discover::release::{self, Release};
use crate::discover::toolchain::{self, Toolchain};
use crate::exit::{self, ExitError};
use crate::format;
use crate::measure::bisect::{self as search, Found, Halt, Probed, Samples};
use crate::measure::build::Kind;
use crate::measure::engine::{End, Measured, StopReason};
use crate::measure::interrupt::Interrupt;
use crate::process::Runner;
use crate::report::bisection::{self, Probe};
use crate::report::progress::Progress;
use crate::stages;
use crate::stats::{self, NOISE};
use crate::vocab::{Keep, Provenance, Scenario};

mod nightly;

/// Runs the bisection `options.span` asks for; with `--install`, between installing the span's
/// missing releases and removing them again.
pub(crate) fn run(runner: &dyn Runner, options: &BisectOptions, progress: &Progress) -> Result<()> {
    let span = &options.span;
    let inventory = toolchain::discover(runner)?;
    let from = wanted(&inventory.toolchains, &span.from, "FROM", options.install.is_some())?;
    let to = wanted(&inventory.toolchains, &span.to, "TO", options.install.is_some())?;
    if Release::of(&from.version) >= Release::of(&to.version) {
        return Err(ExitError::usage(format!(
            "`bisect {} {}`: FROM ({}) must be an older release than TO ({})",
            span.from, span.to, from.version, to.version
        )));
    }
    // Every installed stable release of the span, as `--all --since FROM --until TO` selects.
    let range = (Release::of(&from.version).first_version(), to.version.clone());
    let wide = options.plan(range.clone(), None, None);
    let mut found = stages::discover(runner, &wide, progress)?;
    let interrupt = stages::interrupt(runner, &found)?;
    let installed = match options.install {
        Some(keep) => install_missing(runner, progress, &wide, &mut found, (&from, &to), &interrupt, keep)?,
        None => Installer::default(),
    };
    let result = if interrupt.requested() {
        Err(ExitError::with_code(exit::INTERRUPTED, "interrupted while installing; nothing was measured"))
    } else {
        let prober = Prober::new(runner, progress, options, range, &found, &interrupt);
        bisect(prober, &wide)
    };
    installed.finish(runner, progress);
    result
}

/// An end of the span: a toolchain, or with `--install` a release to install.
struct Wanted {
    version: Version,
    toolchain: Option<Toolchain>,
}

/// What FROM or TO names: an installed stable toolchain, or with `install` a release such as
/// `1.70` that `--install` can add.
fn wanted(toolchains: &[Toolchain], name: &str, which: &str, install: bool) -> Result<Wanted> {
    let err = match resolve(toolchains, name, which) {
        Ok(t) => return Ok(Wanted { version: t.version.clone(), toolchain: Some(t) }),
        Err(e) => e,
    };
    let release = stable_version(name);
    match release {
        Some(version) if install => Ok(Wanted { version, toolchain: None }),
        Some(_) if toolchains.iter().all(|t| !t.answers_to(name.trim())) => Err(ExitError::usage(format!(
            "{err:#}; `--install` installs the span's missing releases for the bisection"
        ))),
        _ => Err(err),
    }
}

/// `1.70` or `1.70.0` as a version; `None` for any other name.
fn stable_version(name: &str) -> Option<Version> {
    release::full_version(name).ok().filter(|v| v.pre.is_empty() && v.build.is_empty())
}

/// `--install`: installs the releases of the span no installed toolchain stands for, then
/// plans again with them. A span whose ends are both distribution builds gets none: rustup's
/// official builds would be left out of it anyway.
fn install_missing(
    runner: &dyn Runner,
    progress: &Progress,
    wide: &RunOptions,
    found: &mut stages::Discovered,
    (from, to): (&Wanted, &Wanted),
    interrupt: &Interrupt,
    keep: Keep,
) -> Result<Installer> {
    if [from, to].iter().all(|end| end.toolchain.as_ref().is_some_and(Toolchain::is_distribution_build)) {
        progress.note("--install: FROM and TO are distribution builds, and a bisection between them leaves rustup's official builds out, so nothing is installed");
        return Ok(Installer::default());
    }
    // rustup installs official builds, so an end to install is one; when both ends are, a
    // release installed only as a distribution build would be left out, so it is missing too.
    let kind = |end: &Wanted| end.toolchain.as_ref().map_or(Provenance::Official, Toolchain::provenance);
    let one_kind = (kind(from) == kind(to)).then(|| kind(from));
    let Some(installed) = stages::installed_for_install(&found.inventory, progress) else {
        return Ok(Installer::default());
    };
    let releases = install::missing(&installed, &from.version, &to.version, one_kind);
    if releases.is_empty() {
        progress.note("--install: every release of the span is installed");
        return Ok(Installer::default());
    }
    // With --keep-installed nothing is recorded: a killed run's installs are the user's.
    let mut installed = Installer::new(keep, Some(found.work.install_record()));
    installed.add(runner, progress, &releases, &|| interrupt.requested())?;
    if !installed.names().is_empty() {
        stages::replan(runner, wide, found)?;
    }
    Ok(installed)
}

/// One engine run per step of a search, each within its share of what is left of the budget:
/// what the stable search and the nightly one share.
pub(crate) struct Prober<'a> {
    runner: &'a dyn Runner,
    progress: &'a Progress,
    options: &'a BisectOptions,
    /// The span's releases, as the discovery selected them.
    range: (Version, Version),
    /// Discovery: the workspace, its directories and journal.
    found: &'a stages::Discovered,
    interrupt: &'a Interrupt,
    /// The budget of this search.
    budget: Duration,
    started: SystemTime,
    /// Every probe measured so far.
    probes: Vec<Probe>,
    /// The linker the project's `-fuse-ld=` chooses, the same for every probe.
    chosen_ld: Option<String>,
}

impl<'a> Prober<'a> {
    fn new(
        runner: &'a dyn Runner,
        progress: &'a Progress,
        options: &'a BisectOptions,
        range: (Version, Version),
        found: &'a stages::Discovered,
        interrupt: &'a Interrupt,
    ) -> Prober<'a> {
        let (budget, started) = (options.budget(), runner.now());
        Prober {
            runner,
            progress,
            options,
            range,
            found,
            interrupt,
            budget,
            started,
            probes: Vec::new(),
            chosen_ld: None,
        }
    }

    /// A prober for the rest of the budget (the nightlies' search, after the stable one).
    fn rest(&self) -> Prober<'a> {
        Prober {
            range: self.range.clone(),
            budget: self.left(),
            started: self.runner.now(),
            probes: Vec::new(),
            chosen_ld: None,
            ..*self
        }
    }

    fn spent(&self) -> Duration {
        self.runner.now().duration_since(self.started).unwrap_or_default()
    }

    /// What is left of the budget.
    fn left(&self) -> Duration {
        self.budget.saturating_sub(self.spent())
    }

    /// Measures `present` (the candidates of `indices` that are installed, with their
    /// toolchains) in one engine run, within this probe's share of the budget: what is left,
    /// over the probes a halving of the span still needs; `only` follows that scenario alone.
    fn probe(
        &mut self,
        label: &str,
        indices: &[usize],
        present: &[(usize, Toolchain)],
        only: Option<Scenario>,
    ) -> Result<Probed> {
        let (lo, hi) = (indices[0], indices[indices.len() - 1]);
        let probes_left = usize::from(indices.len() == 2) + ((hi - lo) as f64).log2().ceil().max(1.0) as usize;
        let share = self.left() / probes_left as u32;
        let step = self.options.plan(self.range.clone(), Some(share), only);
        let chosen: Vec<Toolchain> = present.iter().map(|(_, t)| t.clone()).collect();
        self.progress.status(
            &format!("{label} {}", self.probes.len() + 1),
            &format!("{} (up to {} of the budget)", names(&chosen), format::duration(share)),
        );
        let measurement =
            stages::measure_these(self.runner, &step, self.progress, self.found, &chosen, self.interrupt)?;
        self.chosen_ld = environment::chosen_ld(&measurement.settings);
        let outcome = measurement.outcome;
        let confidence = measurement.plan.stopping.confidence();
        report_step(self.progress, &chosen, &outcome.measured, confidence);
        let results: Vec<(usize, Result<Samples, String>)> =
            present.iter().zip(&outcome.measured).map(|((i, _), m)| (*i, samples(m))).collect();
        let halt = if measurement.interrupted || outcome.stop == StopReason::Interrupted {
            Some(Halt::Interrupted)
        } else if self.spent() >= self.budget {
            Some(Halt::Budget)
        } else {
            None
        };
        self.probes.push(Probe {
            candidates: present.iter().map(|(i, _)| *i).collect(),
            measured: outcome.measured,
            rounds: outcome.rounds,
            stop: outcome.stop,
            confidence,
        });
        Ok(Probed { results, halt })
    }
}

/// A release of the span the search does not measure, with why.
type LeftOut = (Toolchain, String);

/// The releases the search measures, one per release from FROM to TO, and those of the span
/// left out with why; FROM or TO that cannot be measured is an error.
fn candidates(
    options: &BisectOptions,
    found: &stages::Discovered,
    progress: &Progress,
) -> Result<(Vec<Toolchain>, Vec<LeftOut>)> {
    let span = &options.span;
    let end = |name: &str, which: &str| {
        resolve(&found.inventory.toolchains, name, which).map_err(|e| match options.install.is_some() {
            // The warning above says why rustup could not install it.
            true => anyhow!("{which} `{name}` is not installed, and --install could not install it"),
            false => e,
        })
    };
    let (from, to) = (end(&span.from, "FROM")?, end(&span.to, "TO")?);
    let selection = &found.planned.selection;
    for (end, which) in [(&from, "FROM"), (&to, "TO")] {
        if let Some((_, reason)) = selection.skipped.iter().find(|(t, _)| t.name == end.name) {
            return Err(ExitError::with_code(
                exit::NO_ELIGIBLE_TOOLCHAIN,
                format!(
                    "{which} `{}` cannot be measured: {reason}; bisect from a release that can build the project",
                    end.name
                ),
            ));
        }
    }
    let (candidates, mut left_out) = one_per_release(&selection.chosen, &from, &to);
    if candidates.len() < 2 {
        return Err(ExitError::with_code(
            exit::NO_ELIGIBLE_TOOLCHAIN,
            format!("no two installed releases from {} to {} can be measured", from.name, to.name),
        ));
    }
    left_out.extend(
        selection
            .skipped
            .iter()
            .filter(|(t, _)| t.is_stable() && t.version >= from.version && t.version <= to.version)
            .map(|(t, reason)| (t.clone(), reason.to_string())),
    );
    progress.status(
        "Bisecting",
        &format!(
            "{} → {}: {} installed releases of {} ({})",
            from.name,
            to.name,
            candidates.len(),
            to.version.minor - from.version.minor + 1,
            names(&candidates)
        ),
    );
    Ok((candidates, left_out))
}

/// The bisection proper, over the toolchains the prober's discovery holds; `wide` is the
/// options the discovery was made with.
fn bisect(mut prober: Prober<'_>, wide: &RunOptions) -> Result<()> {
    let (options, found, progress) = (prober.options, prober.found, prober.progress);
    let span = &options.span;
    let plan_scenarios = stages::scenarios(wide, &found.workspace)?;
    let (candidates, left_out) = candidates(options, found, progress)?;
    let mut probe = |indices: &[usize]| -> Result<Probed> {
        let present: Vec<(usize, Toolchain)> = indices.iter().map(|i| (*i, candidates[*i].clone())).collect();
        prober.probe("Step", indices, &present, None)
    };
    let found_change = search::bisect(candidates.len(), span.follow, &mut probe)?;
    let nightlies = match (&found_change.found, options.nightlies) {
        (Found::Located(change), true)
            if candidates[change.from].release().next() == candidates[change.to].release() =>
        {
            Some(nightly::search(prober.rest(), found_change.scenario, &candidates[change.to])?)
        }
        (_, true) => {
            progress.note("--nightlies: the change was not located between two adjacent stable releases, so there is no train of nightlies to search");
            None
        }
        (_, false) => None,
    };
    let facts = bisection::BisectionFacts {
        workspace: found.workspace.root.display().to_string(),
        revision: found.checkout.as_ref().map(|c| c.commit.as_str()),
        profile: options.build.profile.clone(),
        commands: plan_scenarios.iter().map(|s| (*s, Kind::of(*s, &options.build.profile).to_string())).collect(),
        candidates: &candidates,
        left_out: &left_out,
        elapsed: prober.spent(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu: prober.runner.cpu_model(),
        chosen_ld: prober.chosen_ld.clone(),
    };
    let mut document = bisection::build(&facts, &found_change, &prober.probes);
    let searched = nightlies.as_ref().is_some_and(|n| n.outcome.is_some());
    if searched && candidates.iter().any(Toolchain::is_distribution_build) {
        document.warnings.push(
            "the nightlies are the Rust project's own builds, and some stable releases here a distribution's: the nightlies' times are not comparable with theirs, only with each other".into(),
        );
    }
    document.nightlies = nightlies;
    found.outputs.bisected(&document, progress)?;
    let newest = prober.probes.last().and_then(|p| p.measured.last()).map(|m| m.target_dir.as_path());
    found.work.tidy(newest, options.build.keep_target_dirs)?;
    match found_change.found {
        Found::Unfinished { why: Halt::Interrupted, .. } => Err(ExitError::with_code(
            exit::INTERRUPTED,
            "interrupted; the bisection above holds the steps measured before, and the changed files were restored",
        )),
        Found::EndFailed { candidate, reason } => Err(anyhow!(
            "`{}` could not build the project ({reason}); bisect between releases that build it",
            candidates[candidate].name
        )),
        _ => Ok(()),
    }
}

/// The installed stable toolchain `name` (a version such as `1.63` or `1.63.0`, or a rustup
/// name) stands for.
fn resolve(toolchains: &[Toolchain], name: &str, which: &str) -> Result<Toolchain> {
    let short = name.trim();
    let full = release::full_version(short).ok();
    let full_name = full.as_ref().map(Version::to_string);
    let found = toolchains
        .iter()
        .rev()
        .find(|t| t.answers_to(short) || full_name.as_deref().is_some_and(|f| t.answers_to(f)))
        .or_else(|| {
            // `1.63` also means an installed 1.63.1.
            let wanted = full?;
            toolchains.iter().rev().find(|t| t.is_stable() && t.release() == Release::of(&wanted))
        });
    let installed: Vec<&str> = toolchains.iter().map(|t| t.name.as_str()).collect();
    let Some(toolchain) = found else {
        return Err(ExitError::usage(format!(
            "{which} `{name}` is not an installed toolchain (installed: {})",
            installed.join(", ")
        )));
    };
    if !toolchain.is_stable() {
        return Err(ExitError::usage(format!(
            "{which} `{name}` is {}, not a stable release; bisect runs over stable releases",
            toolchain.version
        )));
    }
    Ok(toolchain.clone())
}

/// One toolchain per release: FROM and TO for theirs, else the newest patch built like TO (or
/// any); the others with why they are left out. When FROM and TO are built the same way
/// (official, or by a distribution), a release built the other way is left out: a step to it
/// would measure the packaging, not the compiler.
fn one_per_release(
    chosen: &[Toolchain],
    from: &Toolchain,
    to: &Toolchain,
) -> (Vec<Toolchain>, Vec<(Toolchain, String)>) {
    let mut kept: Vec<Toolchain> = Vec::new();
    let mut left_out = Vec::new();
    let release = Toolchain::release;
    let one_kind = (from.provenance() == to.provenance()).then(|| to.provenance());
    for t in chosen.iter().filter(|t| release(t) >= release(from) && release(t) <= release(to)) {
        if let Some(kind) = one_kind.filter(|k| *k != t.provenance()) {
            left_out.push((t.clone(), format!("{} build, while FROM and TO are {kind} builds", t.provenance())));
            continue;
        }
        let end = [from, to].into_iter().find(|e| release(e) == release(t));
        let rank = |c: &Toolchain| {
            let is_end = end.is_some_and(|e| e.name == c.name);
            (is_end, c.provenance() == to.provenance(), c.version.clone())
        };
        match kept.iter().position(|k| release(k) == release(t)) {
            None => kept.push(t.clone()),
            Some(i) if rank(t) > rank(&kept[i]) => {
                let out = std::mem::replace(&mut kept[i], t.clone());
                left_out.push((out, format!("{} stands for its release", t.name)));
            }
            Some(i) => left_out.push((t.clone(), format!("{} stands for its release", kept[i].name))),
        }
    }
    kept.sort_by_key(|t| t.version.clone());
    (kept, left_out)
}

/// A measured toolchain's wall times per scenario, or why it has none.
fn samples(measured: &Measured) -> Result<Samples, String> {
    if let End::Failed(reason) = &measured.end {
        return Err(reason.lines().next().unwrap_or_default().to_string());
    }
    if let Some((scenario, reason)) = measured.scenario_errors.iter().next() {
        return Err(format!("{}: {}", scenario.name(), reason.lines().next().unwrap_or_default()));
    }
    Ok(measured
        .samples
        .iter()
        .map(|(scenario, samples)| (*scenario, samples.iter().map(|s| (s.round, s.wall_s)).collect()))
        .collect())
}

/// Prints what a probe found, as it finishes: each neighbour's change in every scenario, at
/// `confidence`, the level the step's stopping rule watched (and the document shows).
fn report_step(progress: &Progress, chosen: &[Toolchain], measured: &[Measured], confidence: f64) {
    let ok: Vec<(&Toolchain, &Measured)> =
        chosen.iter().zip(measured).filter(|(_, m)| !matches!(m.end, End::Failed(_))).collect();
    for (t, m) in chosen.iter().zip(measured) {
        if let End::Failed(reason) = &m.end {
            progress.warning(&format!(
                "{t} could not build the project, so the search goes on without it: {}",
                reason.lines().next().unwrap_or_default()
            ));
        }
    }
    for pair in ok.windows(2) {
        let ((a, ma), (b, mb)) = (pair[0], pair[1]);
        let parts: Vec<String> = ma
            .samples
            .iter()
            .filter_map(|(scenario, samples)| {
                let other = mb.samples.get(scenario)?;
                let e = stats::paired_speedup_at(&crate::measure::engine::pairs(samples, other), confidence)?;
                let pm = e.relative_half_width().map_or_else(
                    || format!(" {}", format::ONE_ROUND),
                    |w| format!(" {}", format::plus_minus_of_fraction(w)),
                );
                let verdict = match e.verdict(NOISE) {
                    stats::Verdict::Faster => "faster",
                    stats::Verdict::Slower => "slower",
                    stats::Verdict::NoChange => "no change",
                    stats::Verdict::Inconclusive | stats::Verdict::Unknown => "inconclusive",
                };
                Some(format!("{} {}{pm} {verdict}", scenario.name(), format::speedup(e.point)))
            })
            .collect();
        progress.status("Measured", &format!("{a} → {b}: {}", parts.join(", ")));
    }
}

/// `1.63.0, 1.78.0, 1.96.0`.
fn names(toolchains: &[Toolchain]) -> String {
    toolchains.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;
