//! The [`Bisected`] document of `cargo timewarp bisect`, assembled from the search of
//! `measure::bisect` and the engine's samples of every probe: each step's changes in every
//! scenario, the located step with its known causes, and what became of every release of the
//! span.

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{
    BISECT_SCHEMA_VERSION, BisectOutcome, BisectStep, Bisected, EstimateJson, LocatedStep, NightlyBisection,
    NightlyStep, Skipped, SpanRelease, SpanStatus, StepChange, StepFigure, VerdictJson,
};
use crate::discover::release::Release;
use crate::discover::toolchain::Toolchain;
use crate::format;
use crate::measure::bisect::{Bisection, Found, Halt};
use crate::measure::engine::{self, End, Measured, StopReason};
use crate::stats::{self, NOISE};
use crate::vocab::{Linker, Profile, Scenario};

/// One probe as the engine ran it: the candidates (indices into the candidates) and what was
/// measured of each, in the same order.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    /// Indices into [`BisectionFacts::candidates`], oldest first.
    pub(crate) candidates: Vec<usize>,
    /// One per candidate.
    pub(crate) measured: Vec<Measured>,
    /// Rounds that ran.
    pub(crate) rounds: usize,
    /// Why they stopped.
    pub(crate) stop: StopReason,
    /// The two-sided level of the intervals its stopping rule watched, which the document's
    /// intervals use so that they keep their 95 % after stopping when precise.
    pub(crate) confidence: f64,
}

impl Probe {
    fn of(&self, candidate: usize) -> Option<&Measured> {
        self.candidates.iter().position(|c| *c == candidate).map(|i| &self.measured[i])
    }
}

/// What the document states besides the search.
#[derive(Debug)]
pub(crate) struct BisectionFacts<'a> {
    /// Workspace root.
    pub(crate) workspace: String,
    /// `--rev`'s commit.
    pub(crate) revision: Option<&'a str>,
    /// The profile of every scenario but `release`.
    pub(crate) profile: Profile,
    /// The cargo command each scenario measured.
    pub(crate) commands: BTreeMap<Scenario, String>,
    /// The toolchains the search ran over, oldest first: one per release.
    pub(crate) candidates: &'a [Toolchain],
    /// Installed toolchains of the span left out, with why.
    pub(crate) left_out: &'a [(Toolchain, String)],
    /// Wall time of the whole bisection.
    pub(crate) elapsed: Duration,
    /// Logical CPUs.
    pub(crate) cores: usize,
    /// CPU model.
    pub(crate) cpu: Option<String>,
    /// The linker the project's `-C link-arg=-fuse-ld=NAME` chooses, when it chooses one: a
    /// change of the toolchain's default linker does not reach its builds.
    pub(crate) chosen_ld: Option<String>,
}

/// The document for `search`, whose steps are `probes` in order.
pub(crate) fn build(facts: &BisectionFacts<'_>, search: &Bisection, probes: &[Probe]) -> Bisected {
    let names = |i: usize| facts.candidates[i].name.clone();
    let (first, last) = (0, facts.candidates.len() - 1);
    let total_log = search.total.map(|t| t.speedup.log_mean);
    let figures = |probe: &Probe, a: usize, b: usize| changes(probe, a, b, search.scenario, total_log);
    let total = probes.first().map(|p| figures(p, first, last)).unwrap_or_default();
    let version = |i: usize| facts.candidates[i].version.to_string();
    let steps = steps(search, probes, &names, &version);
    let releases = releases(facts, search, probes);
    let located = match &search.found {
        Found::Located(change) => {
            let probe = probes.iter().rev().find(|p| p.of(change.from).is_some() && p.of(change.to).is_some());
            let (older, newer) = (&facts.candidates[change.from], &facts.candidates[change.to]);
            let scenarios = probe.map(|p| figures(p, change.from, change.to)).unwrap_or_default();
            let unmeasured = unmeasured_between(&releases, older, newer);
            let missing: Vec<&String> = unmeasured
                .iter()
                .filter(|r| releases.iter().any(|x| x.release == **r && x.status == SpanStatus::Missing))
                .collect();
            // `--install` adds the missing releases for that bisection and removes them after.
            let narrow =
                (!missing.is_empty()).then(|| format!("cargo timewarp bisect {} {} --install", older.name, newer.name));
            Some(LocatedStep {
                from: older.name.clone(),
                to: newer.name.clone(),
                unmeasured_between: unmeasured,
                narrow,
                causes: causes(older, newer, &scenarios, facts.chosen_ld.as_deref()),
                scenarios,
            })
        }
        _ => None,
    };
    let outcome = outcome(&search.found);
    let mut document = Bisected {
        schema: BISECT_SCHEMA_VERSION,
        timewarp_version: env!("CARGO_PKG_VERSION").into(),
        workspace: facts.workspace.clone(),
        revision: facts.revision.map(str::to_string),
        profile: facts.profile.clone(),
        commands: facts.commands.clone(),
        from: names(first),
        to: names(last),
        scenario: search.scenario,
        outcome,
        summary: String::new(),
        total,
        located,
        steps,
        warnings: warnings(facts, &releases),
        releases,
        nightlies: None,
        elapsed_s: facts.elapsed.as_secs_f64(),
        cores: facts.cores,
        cpu: facts.cpu.clone(),
    };
    document.summary = summary(&document, search, facts.candidates);
    document
}

/// Every step of `search`, whose probes are `probes`, its candidates named by `name` (their
/// versions by `version`): the changes between neighbours, then the whole step's.
fn steps(
    search: &Bisection,
    probes: &[Probe],
    name: &dyn Fn(usize) -> String,
    version: &dyn Fn(usize) -> String,
) -> Vec<BisectStep> {
    let total_log = search.total.map(|t| t.speedup.log_mean);
    search
        .steps
        .iter()
        .zip(probes)
        .map(|(step, probe)| {
            let ok: Vec<usize> =
                step.probed.iter().copied().filter(|c| !step.failed.iter().any(|(f, _)| f == c)).collect();
            let mut pairs: Vec<(usize, usize)> = ok.windows(2).map(|w| (w[0], w[1])).collect();
            if ok.len() > 2 {
                pairs.push((ok[0], ok[ok.len() - 1]));
            }
            BisectStep {
                measured: step.probed.iter().map(|c| name(*c)).collect(),
                rounds: probe.rounds,
                stopped: super::stopped(probe.stop),
                changes: pairs
                    .into_iter()
                    .map(|(a, b)| StepChange {
                        from: name(a),
                        to: name(b),
                        scenarios: changes(probe, a, b, search.scenario, total_log),
                    })
                    .collect(),
                failed: step
                    .failed
                    .iter()
                    .map(|(c, reason)| Skipped { name: name(*c), version: version(*c), reason: reason.clone() })
                    .collect(),
                kept: step.kept.map(|(lo, hi)| [name(lo), name(hi)]),
            }
        })
        .collect()
}

/// The nightly part of the document (`--nightlies`) for `search` over `candidates` (nightly
/// names, oldest first; `toolchains` holds those that were installed), whose probes are
/// `probes`; `release` is the train's (`1.90`).
pub(crate) fn nightlies(
    release: &str,
    candidates: &[String],
    toolchains: &[Toolchain],
    search: &Bisection,
    probes: &[Probe],
    installed: Vec<String>,
) -> NightlyBisection {
    let name = |i: usize| candidates[i].clone();
    let toolchain = |i: usize| toolchains.iter().find(|t| t.answers_to(&candidates[i]));
    let version = |i: usize| toolchain(i).map_or_else(|| "unknown".into(), |t| t.version.to_string());
    let steps = steps(search, probes, &name, &version);
    let total_log = search.total.map(|t| t.speedup.log_mean);
    let scenario = search.scenario;
    let located = match &search.found {
        Found::Located(change) => {
            let probe = probes.iter().rev().find(|p| p.of(change.from).is_some() && p.of(change.to).is_some());
            let scenarios = probe.map(|p| changes(p, change.from, change.to, scenario, total_log)).unwrap_or_default();
            let commit = |i: usize| toolchain(i).and_then(|t| t.commit_hash.clone());
            let (from_commit, to_commit) = (commit(change.from), commit(change.to));
            let commits = from_commit
                .as_ref()
                .zip(to_commit.as_ref())
                .map(|(a, b)| format!("https://github.com/rust-lang/rust/compare/{a}...{b}"));
            Some(NightlyStep {
                from: name(change.from),
                to: name(change.to),
                from_commit,
                to_commit,
                commits,
                scenarios,
            })
        }
        _ => None,
    };
    let (first, last) = (candidates[0].clone(), candidates[candidates.len() - 1].clone());
    let total = search.total.map(|t| EstimateJson::of(&t.speedup));
    let total_text = total.map_or_else(|| "no figure".to_string(), |e| estimate_text(&e));
    let span = format!("{} to {}", name(0), name(candidates.len() - 1));
    let summary = match &search.found {
        Found::NoChange => format!(
            "{span}: no {scenario} change beyond noise ({total_text}); the change of {release} is not in its nightlies: it came through beta, or with how stable releases are built and configured"
        ),
        Found::Located(_) => {
            let step = located.as_ref().expect("a located step");
            let figure = step.scenarios.get(&scenario);
            let text = figure.map(|f| format!("{}{}", speedup_text(f), parts_text(f))).unwrap_or_default();
            let commits = step.commits.as_ref().map(|c| format!("; the commits: {c}")).unwrap_or_default();
            format!(
                "{span} ({scenario} {total_text}): the change is in {} → {}, {scenario} {text}{commits}",
                step.from, step.to
            )
        }
        Found::Spread(_) => format!("{span} ({scenario} {total_text}): no single nightly holds the change"),
        Found::Unfinished { between: (lo, hi), .. } => {
            format!("{span}: the search stopped first; the change lies between {} and {}", name(*lo), name(*hi))
        }
        Found::EndFailed { candidate, reason } => format!("{} could not build the project: {reason}", name(*candidate)),
    };
    NightlyBisection {
        release: release.to_string(),
        first,
        last,
        outcome: Some(outcome(&search.found)),
        summary,
        steps,
        located,
        installed,
    }
}

/// The document's word for how a search ended.
fn outcome(found: &Found) -> BisectOutcome {
    match found {
        Found::Located(_) => BisectOutcome::Located,
        Found::Spread(_) => BisectOutcome::Spread,
        Found::NoChange => BisectOutcome::NoChange,
        Found::Unfinished { .. } => BisectOutcome::Unfinished,
        Found::EndFailed { .. } => BisectOutcome::EndFailed,
    }
}

/// `1.29x ±3.0%`.
fn estimate_text(e: &EstimateJson) -> String {
    format::speedup_with(e.point, e.plus_minus_pct)
}

/// The change from candidate `a` to `b` in every scenario `probe` measured of both; the share
/// of the whole span's change (`total_log`, on the log scale) in the scenario `followed`.
fn changes(
    probe: &Probe,
    a: usize,
    b: usize,
    followed: Scenario,
    total_log: Option<f64>,
) -> BTreeMap<Scenario, StepFigure> {
    let (Some(older), Some(newer)) = (probe.of(a), probe.of(b)) else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (scenario, samples) in &older.samples {
        let Some(other) = newer.samples.get(scenario) else { continue };
        let at = probe.confidence;
        let Some(speedup) = stats::paired_speedup_at(&engine::pairs(samples, other), at) else { continue };
        let share_pct = total_log.filter(|t| *scenario == followed && *t != 0.0).map(|t| speedup.log_mean / t * 100.0);
        let part = |of: fn(&engine::Sample) -> Option<f64>| {
            stats::paired_speedup_at(&engine::pairs_by(samples, other, of), at).map(|e| EstimateJson::of(&e))
        };
        out.insert(
            *scenario,
            StepFigure {
                speedup: EstimateJson::of(&speedup),
                verdict: VerdictJson::from(speedup.verdict(NOISE)),
                share_pct,
                link_speedup: part(super::link_of),
                compile_speedup: part(super::compile_of),
            },
        );
    }
    out
}

/// `1.78`: a release as the span lists it.
fn release_name(minor: u64) -> String {
    Release::new(1, minor).to_string()
}

/// Every stable release from the first candidate's to the last's, and what became of it.
fn releases(facts: &BisectionFacts<'_>, search: &Bisection, probes: &[Probe]) -> Vec<SpanRelease> {
    let (first, last) = (&facts.candidates[0], &facts.candidates[facts.candidates.len() - 1]);
    let measured = search.measured();
    let failed: Vec<(usize, &String)> =
        search.steps.iter().flat_map(|s| s.failed.iter().map(|(c, r)| (*c, r))).collect();
    (first.version.minor..=last.version.minor)
        .map(|minor| {
            let candidate = facts.candidates.iter().position(|t| t.release() == Release::new(1, minor));
            let left_out = facts.left_out.iter().find(|(t, _)| t.release() == Release::new(1, minor));
            let mut release = SpanRelease {
                release: release_name(minor),
                toolchain: None,
                provenance: None,
                status: SpanStatus::Missing,
                reason: None,
                time: BTreeMap::new(),
            };
            if let Some(c) = candidate {
                let toolchain = &facts.candidates[c];
                release.toolchain = Some(toolchain.name.clone());
                release.provenance = Some(toolchain.provenance());
                release.status = SpanStatus::NotNeeded;
                if let Some((_, reason)) = failed.iter().find(|(f, _)| *f == c) {
                    release.status = SpanStatus::Failed;
                    release.reason = Some((*reason).clone());
                } else if measured.contains(&c) {
                    release.status = SpanStatus::Measured;
                    if let Some(m) =
                        probes.iter().rev().find_map(|p| p.of(c)).filter(|m| !matches!(m.end, End::Failed(_)))
                    {
                        release.time = m
                            .samples
                            .iter()
                            .filter_map(|(s, v)| {
                                let walls: Vec<f64> = v.iter().map(|x| x.wall_s).collect();
                                Some((*s, EstimateJson::of(&stats::geometric(&walls)?)))
                            })
                            .collect();
                    }
                }
            } else if let Some((toolchain, reason)) = left_out {
                release.toolchain = Some(toolchain.name.clone());
                release.provenance = Some(toolchain.provenance());
                release.status = SpanStatus::LeftOut;
                release.reason = Some(reason.clone());
            }
            release
        })
        .collect()
}

/// The releases strictly between `older` and `newer` that no toolchain measured.
fn unmeasured_between(releases: &[SpanRelease], older: &Toolchain, newer: &Toolchain) -> Vec<String> {
    let inside = |r: &&SpanRelease| {
        let minor: u64 = r.release.trim_start_matches("1.").parse().unwrap_or(0);
        older.version.minor < minor && minor < newer.version.minor
    };
    releases.iter().filter(inside).filter(|r| r.status != SpanStatus::Measured).map(|r| r.release.clone()).collect()
}

/// What timewarp knows changed between two toolchains, beside the compiler's own work, judged
/// against the step's own `figures`: a change of the default linker is named as a cause only
/// when the project links with the default (no `-fuse-ld=` of its own, `chosen_ld`) and the
/// link time of a scenario that changed moved the same way; otherwise the sentence says why it
/// is not one.
fn causes(
    older: &Toolchain,
    newer: &Toolchain,
    figures: &BTreeMap<Scenario, StepFigure>,
    chosen_ld: Option<&str>,
) -> Vec<String> {
    let mut causes = Vec::new();
    let (was, is) = (older.default_linker(), newer.default_linker());
    if was != is {
        causes.push(linker_cause(&was, &is, figures, chosen_ld));
    }
    if older.provenance() != newer.provenance() {
        causes.push(format!(
            "{} is {} build and {} {} build: official builds are optimised with PGO and BOLT, distribution builds usually are not",
            older.name,
            article(older),
            newer.name,
            article(newer)
        ));
    }
    let rebuilds = figures.keys().any(|s| *s != Scenario::Clean);
    if rebuilds && (older.needs_forced_incremental() || newer.needs_forced_incremental()) {
        causes.push(
            "incremental compilation is off by default in 1.52.1, 1.53 and 1.59; timewarp turns it on for their rebuilds (RUSTC_FORCE_INCREMENTAL=1), so this is not the cause".into(),
        );
    }
    causes
}

/// What a change of the default linker from `was` to `is` did in the step of `figures`.
fn linker_cause(
    was: &Linker,
    is: &Linker,
    figures: &BTreeMap<Scenario, StepFigure>,
    chosen_ld: Option<&str>,
) -> String {
    let when = match is {
        Linker::RustLld => " (rust-lld became the default linker of official x86_64 Linux builds in 1.90)",
        _ => "",
    };
    let changed = format!("the default linker changed from {was} to {is}{when}");
    if let Some(ld) = chosen_ld {
        return format!("{changed}, but this project links with `{ld}` (`-fuse-ld={ld}`), so that is not the cause");
    }
    let moved: Vec<(Scenario, &StepFigure)> = figures
        .iter()
        .filter(|(_, f)| matches!(f.verdict, VerdictJson::Faster | VerdictJson::Slower))
        .map(|(s, f)| (*s, f))
        .collect();
    let linked: Vec<(Scenario, &StepFigure, &EstimateJson)> =
        moved.iter().filter_map(|(s, f)| f.link_speedup.as_ref().map(|l| (*s, *f, l))).collect();
    if linked.is_empty() {
        return format!(
            "{changed}; link time was not taken apart in the scenarios that changed, so whether it is a cause is not known"
        );
    }
    if linked.iter().any(|(_, f, link)| interval_verdict(link) == f.verdict) {
        return changed;
    }
    let link_figures: Vec<String> =
        linked.iter().map(|(s, _, link)| format!("{s} link {}", speedup_of(link))).collect();
    format!(
        "{changed}, but the link time did not change that way in this step ({}), so that is not the cause",
        link_figures.join(", ")
    )
}

/// What an interval of the report says, as the engine's verdict reads it against the noise band.
fn interval_verdict(e: &EstimateJson) -> VerdictJson {
    let band = 1.0 + NOISE;
    match (e.low, e.high) {
        (Some(low), _) if low > band => VerdictJson::Faster,
        (_, Some(high)) if high < 1.0 / band => VerdictJson::Slower,
        (Some(low), Some(high)) if low >= 1.0 / band && high <= band => VerdictJson::NoChange,
        _ => VerdictJson::Inconclusive,
    }
}

/// `0.98x ±40%`, `0.98x ±2.5%`; `0.98x` without an interval.
fn speedup_of(e: &EstimateJson) -> String {
    let pm = e.plus_minus_pct.map(|p| format!(" {}", format::plus_minus(p))).unwrap_or_default();
    format!("{}{pm}", format::speedup(e.point))
}

fn article(t: &Toolchain) -> &'static str {
    match t.provenance() {
        crate::vocab::Provenance::Official => "an official",
        crate::vocab::Provenance::Distribution => "a distribution",
    }
}

/// What the reader should know about the span.
fn warnings(facts: &BisectionFacts<'_>, releases: &[SpanRelease]) -> Vec<String> {
    let mut warnings = Vec::new();
    let kinds: Vec<_> = facts.candidates.iter().map(Toolchain::provenance).collect();
    if kinds.windows(2).any(|w| w[0] != w[1]) {
        let of = |official: bool| {
            let names: Vec<&str> = facts
                .candidates
                .iter()
                .filter(|t| t.is_distribution_build() != official)
                .map(|t| t.name.as_str())
                .collect();
            names.join(", ")
        };
        warnings.push(format!(
            "this span mixes official builds ({}) with distribution builds ({}): a step between the two kinds may be packaging, not the compiler",
            of(true),
            of(false)
        ));
    }
    let missing: Vec<&str> =
        releases.iter().filter(|r| r.status == SpanStatus::Missing).map(|r| r.release.as_str()).collect();
    if !missing.is_empty() {
        let installed = releases.len() - missing.len();
        warnings.push(format!(
            "{installed} of the span's {} releases are installed; missing: {}. A change located between two installed releases may come from any missing one between them",
            releases.len(),
            ranges(&missing),
        ));
    }
    warnings
}

/// `1.64-1.77, 1.79`: consecutive releases folded into ranges.
fn ranges(releases: &[&str]) -> String {
    let minors: Vec<u64> = releases.iter().filter_map(|r| r.trim_start_matches("1.").parse().ok()).collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < minors.len() {
        let start = i;
        while i + 1 < minors.len() && minors[i + 1] == minors[i] + 1 {
            i += 1;
        }
        parts.push(if start == i {
            release_name(minors[i])
        } else {
            format!("{}-{}", release_name(minors[start]), release_name(minors[i]))
        });
        i += 1;
    }
    parts.join(", ")
}

/// `1.31x ±3.0%`.
fn speedup_text(figure: &StepFigure) -> String {
    format::speedup_with(figure.speedup.point, figure.speedup.plus_minus_pct)
}

/// The located step's change taken apart, when its builds linked: ` = compile 1.01x, link
/// 9.12x`.
fn parts_text(figure: &StepFigure) -> String {
    match (&figure.compile_speedup, &figure.link_speedup) {
        (Some(compile), Some(link)) => {
            format!(" = compile {}, link {}", format::speedup(compile.point), format::speedup(link.point))
        }
        _ => String::new(),
    }
}

/// The answer in one sentence.
fn summary(document: &Bisected, search: &Bisection, candidates: &[Toolchain]) -> String {
    let scenario = document.scenario.name();
    let total = document.total.get(&document.scenario).map(speedup_text).unwrap_or_else(|| "no figure".into());
    let span = format!("{} to {}", document.from, document.to);
    match &search.found {
        Found::NoChange => format!("{span}: no {scenario} change beyond noise ({total}); nothing to bisect"),
        Found::Located(change) => {
            let located = document.located.as_ref().expect("a located step");
            let figure = located.scenarios.get(&document.scenario);
            let share =
                figure.and_then(|f| f.share_pct).map(|s| format!(", {s:.0}% of the change")).unwrap_or_default();
            let text = figure.map(|f| format!("{}{}", speedup_text(f), parts_text(f))).unwrap_or_default();
            let mut sentence = format!(
                "{span} ({scenario} {total}): the change is in {} → {}, {scenario} {text}{share}",
                located.from, located.to
            );
            let opposite = search.steps.last().and_then(|step| {
                step.changes.iter().take(2).find(|c| {
                    (c.from, c.to) != (change.from, change.to)
                        && matches!(c.verdict, stats::Verdict::Faster | stats::Verdict::Slower)
                        && c.verdict != change.verdict
                })
            });
            if let Some(other) = opposite {
                let e = EstimateJson::of(&other.speedup);
                let pm = e.plus_minus_pct.map(|p| format!(" {}", format::plus_minus(p))).unwrap_or_default();
                sentence.push_str(&format!(
                    "; {} → {} moved the other way ({}{pm})",
                    candidates[other.from].name,
                    candidates[other.to].name,
                    format::speedup(e.point)
                ));
            }
            if !located.unmeasured_between.is_empty() {
                sentence.push_str(&format!(
                    "; {} between them not measured, so any release from {} to {} may hold it",
                    ranges(&located.unmeasured_between.iter().map(String::as_str).collect::<Vec<_>>()),
                    release_name(candidates[change.from].version.minor + 1),
                    release_name(candidates[change.to].version.minor)
                ));
            }
            sentence
        }
        Found::Spread(parts) => {
            let total_change = search.total.expect("a spread change has a total");
            let shares: Vec<String> = parts
                .iter()
                .map(|p| {
                    format!(
                        "{} → {} holds {:.0}%",
                        candidates[p.from].name,
                        candidates[p.to].name,
                        p.share_of(&total_change) * 100.0
                    )
                })
                .collect();
            let most = parts.iter().map(|p| p.share_of(&total_change) * 100.0).fold(f64::MIN, f64::max);
            format!(
                "{span} ({scenario} {total}): no single release holds the change: {}; no measured step holds more than {most:.0}%",
                shares.join(", ")
            )
        }
        Found::Unfinished { between: (lo, hi), why } => {
            let why = match why {
                Halt::Budget => "the budget ran out",
                Halt::Interrupted => "interrupted",
                Halt::NoInterval => {
                    "a step had one round, which gives no interval, so nothing could be decided (give it more `--budget` or `--runs`)"
                }
            };
            format!(
                "{span} ({scenario} {total}): {why}; the change lies between {} and {}",
                candidates[*lo].name, candidates[*hi].name
            )
        }
        Found::EndFailed { candidate, reason } => {
            format!("{} could not build the project: {reason}", candidates[*candidate].name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_releases_fold_into_ranges() {
        assert_eq!(ranges(&["1.64", "1.65", "1.66", "1.70", "1.72", "1.73"]), "1.64-1.66, 1.70, 1.72-1.73");
        assert_eq!(ranges(&[]), "");
    }

    /// A speedup of `point` with the interval `low..high`.
    fn estimate(point: f64, low: f64, high: f64) -> EstimateJson {
        EstimateJson {
            point,
            low: Some(low),
            high: Some(high),
            plus_minus_pct: Some((high / low).sqrt().ln() * 100.0),
            n: 3,
        }
    }

    /// A step's figure in one scenario: the whole change, and its link part when taken apart.
    fn figure(whole: EstimateJson, link: Option<EstimateJson>) -> StepFigure {
        let verdict = interval_verdict(&whole);
        StepFigure { speedup: whole, verdict, link_speedup: link, compile_speedup: None, share_pct: None }
    }

    fn touched(figure: StepFigure) -> BTreeMap<Scenario, StepFigure> {
        [(Scenario::Touched, figure)].into_iter().collect()
    }

    /// An official 1.89 and 1.90: the step where rust-lld became the default linker.
    fn lld_step() -> (Toolchain, Toolchain) {
        let official = |version: &str| {
            let mut t = crate::testing::toolchain(version);
            t.commit_hash = Some("abc".into());
            t.description = format!("rustc {version} (abc 2025-09-18)");
            t
        };
        (official("1.89.0"), official("1.90.0"))
    }

    #[test]
    fn known_causes_name_the_linker_and_the_kind_of_build() {
        let mut old = crate::testing::toolchain("1.85.0");
        let mut new = crate::testing::toolchain("1.95.0");
        new.commit_hash = Some("abc".into());
        new.description = "rustc 1.95.0 (abc 2026-01-01)".into();
        let faster_link = touched(figure(estimate(2.5, 2.4, 2.6), Some(estimate(9.0, 8.5, 9.5))));
        let causes = causes(&old, &new, &faster_link, None);
        assert_eq!(
            causes[0],
            "the default linker changed from cc to rust-lld (rust-lld became the default linker of official x86_64 Linux builds in 1.90)"
        );
        assert!(causes[1].contains("1.85.0 is a distribution build and 1.95.0 an official build"), "{causes:?}");
        old.version = semver::Version::new(1, 53, 0);
        let causes = super::causes(&old, &crate::testing::toolchain("1.54.0"), &faster_link, None);
        assert_eq!(causes.len(), 1);
        assert!(causes[0].starts_with("incremental compilation is off by default"), "{causes:?}");
    }

    #[test]
    fn the_default_linker_is_a_cause_only_when_the_link_moved_the_steps_way() {
        let (old, new) = lld_step();
        // hostile.md defect 11: 1.90 compiles 4x slower, its link did not move.
        let slower_compile = touched(figure(estimate(0.23, 0.11, 0.47), Some(estimate(0.98, 0.59, 1.62))));
        let causes = causes(&old, &new, &slower_compile, None);
        assert_eq!(causes.len(), 1, "{causes:?}");
        assert!(causes[0].starts_with("the default linker changed from cc to rust-lld"), "{causes:?}");
        assert!(
            causes[0].ends_with(", but the link time did not change that way in this step (touched link 0.98x ±51%), so that is not the cause"),
            "{causes:?}"
        );
        // A faster step whose link got slower: the linker did not make it faster.
        let other_way = touched(figure(estimate(1.5, 1.4, 1.6), Some(estimate(0.8, 0.75, 0.85))));
        assert!(causes_of(&other_way, None).contains("not the cause"));
        // The link moved the step's way: the linker is named.
        let faster = touched(figure(estimate(2.5, 2.4, 2.6), Some(estimate(9.0, 8.5, 9.5))));
        assert!(!causes_of(&faster, None).contains("but"), "{}", causes_of(&faster, None));
        // The project chooses its own linker: the default's change does not reach it.
        let mold = causes_of(&faster, Some("mold"));
        assert!(
            mold.ends_with("but this project links with `mold` (`-fuse-ld=mold`), so that is not the cause"),
            "{mold}"
        );
        // Link time not taken apart: not known.
        let unknown = causes_of(&touched(figure(estimate(2.5, 2.4, 2.6), None)), None);
        assert!(unknown.ends_with("so whether it is a cause is not known"), "{unknown}");
    }

    fn causes_of(figures: &BTreeMap<Scenario, StepFigure>, configured: Option<&str>) -> String {
        let (old, new) = lld_step();
        causes(&old, &new, figures, configured).remove(0)
    }
}
