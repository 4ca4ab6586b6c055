//! Which installed toolchains to measure, and why each other one is left out.
//!
//! Pure policy over plain values: eligibility (stable, at or above the MSRV, inside
//! `--since/--until`), roughly yearly spacing, `--all`, an explicit `--toolchains` list, and the
//! `rustup toolchain install` line to suggest when the history would be too short. No I/O.

use std::fmt;

use anyhow::Result;
use semver::Version;

use super::ceiling::Ceiling;
use super::msrv::{MsrvFloor, short_version};
use super::release::{self, Date, Release};
use super::toolchain::Toolchain;
use crate::exit::ExitError;

/// How to choose among the eligible toolchains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Policy {
    /// Newest and oldest, and between them ones at least [`MIN_GAP_DAYS`] apart, aiming at a year.
    Yearly,
    /// Every eligible toolchain.
    All,
    /// Exactly these names (nightly allowed), in the user's words.
    Named(Vec<String>),
}

/// The user's filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Criteria {
    /// The policy.
    pub(crate) policy: Policy,
    /// `--since`: the oldest version to keep.
    pub(crate) since: Option<Version>,
    /// `--until`: the newest version to keep.
    pub(crate) until: Option<Version>,
    /// The first release the locked graph cannot be built with, if one is known.
    pub(crate) ceiling: Option<Ceiling>,
}

/// Why a toolchain is not measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SkipReason {
    /// A nightly, beta or dev build.
    NotStable,
    /// Older than what the workspace needs.
    BelowMsrv(MsrvFloor),
    /// At or above the release from which a locked package fails to build.
    AboveCeiling(Ceiling),
    /// Older than `--since`.
    BeforeSince(Version),
    /// Newer than `--until`.
    AfterUntil(Version),
    /// Too close in time to a selected toolchain for a yearly history.
    TooClose {
        /// Whole weeks between the two releases.
        weeks: i64,
        /// The selected toolchain it is close to.
        neighbour: String,
    },
    /// Not named in `--toolchains`.
    NotNamed,
    /// Built another way (official vs distribution) than the other rows, while a toolchain of
    /// their kind fills the same yearly slot.
    OtherKind {
        /// This toolchain's provenance.
        kind: crate::vocab::Provenance,
        /// The toolchain measured instead.
        instead: String,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotStable => f.write_str("not stable"),
            SkipReason::BelowMsrv(floor) if floor.kind.is_dependency() => write!(f, "below {floor}"),
            SkipReason::BelowMsrv(floor) => write!(f, "below MSRV {floor}"),
            SkipReason::AboveCeiling(ceiling) => write!(f, "above {ceiling}"),
            SkipReason::BeforeSince(v) => write!(f, "older than --since {}", short_version(v)),
            SkipReason::AfterUntil(v) => write!(f, "newer than --until {}", short_version(v)),
            SkipReason::TooClose { weeks, neighbour } => write!(f, "within {weeks} weeks of {neighbour}"),
            SkipReason::NotNamed => f.write_str("not in --toolchains"),
            SkipReason::OtherKind { kind, instead } => {
                write!(f, "{kind} build; {instead} fills its year, built like the other rows")
            }
        }
    }
}

/// The outcome: what to measure, oldest first, and what not, with reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection {
    /// Toolchains to measure, oldest release first.
    pub(crate) chosen: Vec<Toolchain>,
    /// Every other installed toolchain and why it is left out.
    pub(crate) skipped: Vec<(Toolchain, SkipReason)>,
    /// Toolchains named in `--toolchains` although they are below the MSRV: measured (the user
    /// asked), with the reason they are expected to fail.
    pub(crate) doubtful: Vec<(String, SkipReason)>,
}

impl Selection {
    /// Adds `toolchain` to the chosen ones (keeping them oldest first), taking it out of the
    /// skipped ones; `--verify-msrv` needs the MSRV's toolchain measured whatever the policy.
    /// Below the effective `msrv`, it is expected to fail, and the selection says why.
    pub(crate) fn include(&mut self, toolchain: &Toolchain, msrv: Option<&MsrvFloor>) {
        if self.chosen.iter().any(|t| t.name == toolchain.name) {
            return;
        }
        if let Some(floor) = msrv.filter(|f| release_of(toolchain) < f.version) {
            self.doubtful.push((toolchain.name.clone(), SkipReason::BelowMsrv(floor.clone())));
        }
        self.skipped.retain(|(t, _)| t.name != toolchain.name);
        self.chosen.push(toolchain.clone());
        self.chosen.sort_by_key(|t| (t.release_date, t.version.clone()));
    }
}

/// The newest installed stable toolchain of `version`'s minor release at or above it: what
/// "the toolchain of rust-version 1.80" means (1.80.0 or 1.80.1).
pub(crate) fn toolchain_for<'a>(toolchains: &'a [Toolchain], version: &Version) -> Option<&'a Toolchain> {
    toolchains.iter().rev().find(|t| t.is_stable() && t.release() == Release::of(version) && t.version >= *version)
}

/// `--verify-msrv`: the toolchain that stands for the declared `rust-version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MsrvCheck {
    /// The toolchain's name, as its row has it.
    pub(crate) toolchain: String,
    /// The declared rust-version.
    pub(crate) declared: MsrvFloor,
    /// The highest floor a locked dependency sets above it, which would explain a failure.
    pub(crate) raised_by: Option<MsrvFloor>,
}

/// What the selection stage hands on: the toolchains, the `--verify-msrv` check, and notes for
/// the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// What to measure.
    pub(crate) selection: Selection,
    /// `--verify-msrv`: the declared rust-version's toolchain, added to the selection.
    pub(crate) msrv_check: Option<MsrvCheck>,
    /// What the user should know: nothing to verify, toolchains worth installing.
    pub(crate) notes: Vec<String>,
}

/// Selects among `installed` for a workspace whose floors are `floors` (highest first), adding
/// the declared rust-version's toolchain when `verify_msrv` asks for it. The advice on what to
/// install judges by `present`, what rustup has installed (the toolchains whose probes failed
/// among them; `None` when that cannot be told, and then it gives none).
pub(crate) fn plan(
    installed: &[Toolchain],
    present: Option<&[Toolchain]>,
    floors: &[MsrvFloor],
    declared: Option<&MsrvFloor>,
    criteria: &Criteria,
    verify_msrv: bool,
    today: Date,
) -> Result<Planned> {
    let msrv = floors.first();
    let mut selection = select(installed, msrv, criteria)?;
    let mut notes = Vec::new();
    let mut msrv_check = None;
    match (verify_msrv, declared) {
        (false, _) => {}
        (true, None) => notes.push("--verify-msrv: no package declares a rust-version; nothing to verify".into()),
        (true, Some(declared)) => match toolchain_for(installed, &declared.version) {
            None => notes.push(format!(
                "--verify-msrv: cannot verify rust-version {declared}: no {} toolchain is installed; install it with `{}`",
                declared.version,
                install_command(std::slice::from_ref(&declared.version))
            )),
            Some(toolchain) => {
                selection.include(toolchain, msrv);
                let raised_by = floors.iter().find(|f| f.kind.is_dependency() && f.version > declared.version).cloned();
                msrv_check = Some(MsrvCheck { toolchain: toolchain.name.clone(), declared: declared.clone(), raised_by });
            }
        },
    }
    notes.extend(present.and_then(|present| install_advice(present, msrv, criteria, selection.chosen.len(), today)));
    Ok(Planned { selection, msrv_check, notes })
}

/// Neighbours in a yearly history are at least this far apart (about ten months).
pub(crate) const MIN_GAP_DAYS: i64 = 300;
/// The gap the yearly policy aims for.
const TARGET_GAP_DAYS: i64 = 365;

/// Applies `criteria` to the installed toolchains (each listed once).
pub(crate) fn select(toolchains: &[Toolchain], msrv: Option<&MsrvFloor>, criteria: &Criteria) -> Result<Selection> {
    let mut chosen = Vec::new();
    let mut skipped = Vec::new();
    if let Policy::Named(names) = &criteria.policy {
        for name in names {
            if !toolchains.iter().any(|t| t.answers_to(name)) {
                let installed: Vec<&str> = toolchains.iter().map(|t| t.name.as_str()).collect();
                return Err(ExitError::usage(format!(
                    "toolchain `{name}` in --toolchains is not installed (installed: {})",
                    installed.join(", ")
                )));
            }
        }
        let mut doubtful = Vec::new();
        for t in toolchains {
            if !names.iter().any(|n| t.answers_to(n)) {
                skipped.push((t.clone(), SkipReason::NotNamed));
                continue;
            }
            if let Some(floor) = msrv.filter(|f| t.is_stable() && release_of(t) < f.version) {
                doubtful.push((t.name.clone(), SkipReason::BelowMsrv(floor.clone())));
            }
            if let Some(ceiling) = criteria.ceiling.as_ref().filter(|c| release_of(t) >= c.version) {
                doubtful.push((t.name.clone(), SkipReason::AboveCeiling(ceiling.clone())));
            }
            chosen.push(t.clone());
        }
        chosen.sort_by_key(|t: &Toolchain| (t.release_date, t.version.clone()));
        return Ok(Selection { chosen, skipped, doubtful });
    }

    let mut eligible = Vec::new();
    for t in toolchains {
        match ineligibility(t, msrv, criteria) {
            Some(reason) => skipped.push((t.clone(), reason)),
            None => eligible.push(t.clone()),
        }
    }
    eligible.sort_by_key(|t| (t.release_date, t.version.clone()));
    match criteria.policy {
        Policy::All => chosen = eligible,
        _ => {
            let mut picked = yearly(&eligible);
            let swaps = prefer_one_kind(&eligible, &mut picked);
            let (kept, passed_over): (Vec<_>, Vec<_>) =
                eligible.into_iter().enumerate().partition(|(i, _)| picked.contains(i));
            chosen = kept.into_iter().map(|(_, t)| t).collect();
            for (i, t) in passed_over {
                if let Some((_, instead)) = swaps.iter().find(|(out, _)| *out == i) {
                    let instead = chosen.iter().find(|c| c.name == *instead).expect("swapped in").name.clone();
                    skipped.push((t.clone(), SkipReason::OtherKind { kind: t.provenance(), instead }));
                    continue;
                }
                let nearest = chosen
                    .iter()
                    .min_by_key(|c| c.release_date.days_since(t.release_date).abs())
                    .expect("the yearly policy always keeps the newest");
                let weeks = nearest.release_date.days_since(t.release_date).abs() / 7;
                let reason = SkipReason::TooClose { weeks, neighbour: nearest.name.clone() };
                skipped.push((t, reason));
            }
        }
    }
    skipped.sort_by_key(|(t, _)| (t.release_date, t.version.clone()));
    Ok(Selection { chosen, skipped, doubtful: Vec::new() })
}

/// The release a toolchain is, without any pre-release part.
fn release_of(t: &Toolchain) -> Version {
    Version::new(t.version.major, t.version.minor, t.version.patch)
}

fn ineligibility(t: &Toolchain, msrv: Option<&MsrvFloor>, criteria: &Criteria) -> Option<SkipReason> {
    let version = release_of(t);
    if !t.is_stable() {
        return Some(SkipReason::NotStable);
    }
    if let Some(floor) = msrv.filter(|f| version < f.version) {
        return Some(SkipReason::BelowMsrv(floor.clone()));
    }
    if let Some(ceiling) = criteria.ceiling.as_ref().filter(|c| version >= c.version) {
        return Some(SkipReason::AboveCeiling(ceiling.clone()));
    }
    if let Some(since) = criteria.since.as_ref().filter(|s| version < **s) {
        return Some(SkipReason::BeforeSince(since.clone()));
    }
    if let Some(until) = criteria.until.as_ref().filter(|u| version > **u) {
        return Some(SkipReason::AfterUntil(until.clone()));
    }
    None
}

/// Indices into `eligible` (sorted oldest first) of a roughly yearly history: the newest, then
/// going back the toolchain whose gap is closest to a year among those at least
/// [`MIN_GAP_DAYS`] from both the last pick and the oldest, and finally the oldest.
fn yearly(eligible: &[Toolchain]) -> Vec<usize> {
    let Some(newest) = eligible.len().checked_sub(1) else { return Vec::new() };
    let oldest_date = eligible[0].release_date;
    let mut picked = vec![newest];
    let mut last = newest;
    loop {
        let last_date = eligible[last].release_date;
        let next = (1..last)
            .filter(|&i| {
                let d = eligible[i].release_date;
                last_date.days_since(d) >= MIN_GAP_DAYS && d.days_since(oldest_date) >= MIN_GAP_DAYS
            })
            .min_by_key(|&i| (last_date.days_since(eligible[i].release_date) - TARGET_GAP_DAYS).abs());
        match next {
            Some(i) => {
                picked.push(i);
                last = i;
            }
            None => break,
        }
    }
    if newest != 0 {
        picked.push(0);
    }
    picked
}

/// Two toolchains this many days apart fill the same yearly slot.
const SAME_SLOT_DAYS: i64 = COVERED_RELEASES as i64 * 42;

/// When the picks mix official and distribution builds, swaps each pick of the rarer kind for
/// an unpicked toolchain of the commoner kind in the same yearly slot (still at least
/// [`MIN_GAP_DAYS`] from every other pick), so that the rows compare compilers built the same
/// way. Returns the swaps as (left out, name taken instead).
fn prefer_one_kind(eligible: &[Toolchain], picked: &mut [usize]) -> Vec<(usize, String)> {
    let distribution = picked.iter().filter(|&&i| eligible[i].is_distribution_build()).count();
    let official = picked.len() - distribution;
    if distribution == official {
        return Vec::new();
    }
    let common_is_distribution = distribution > official;
    let mut swaps = Vec::new();
    for slot in 0..picked.len() {
        let i = picked[slot];
        if eligible[i].is_distribution_build() == common_is_distribution {
            continue;
        }
        let others: Vec<Date> = picked.iter().filter(|&&p| p != i).map(|&p| eligible[p].release_date).collect();
        let distance = |j: usize| eligible[j].release_date.days_since(eligible[i].release_date).abs();
        let candidate = (0..eligible.len())
            .filter(|j| !picked.contains(j) && eligible[*j].is_distribution_build() == common_is_distribution)
            .filter(|&j| distance(j) <= SAME_SLOT_DAYS)
            .filter(|&j| others.iter().all(|d| d.days_since(eligible[j].release_date).abs() >= MIN_GAP_DAYS))
            .min_by_key(|&j| distance(j));
        if let Some(j) = candidate {
            picked[slot] = j;
            swaps.push((i, eligible[j].name.clone()));
        }
    }
    swaps
}

/// Stable versions to install for a yearly history from the MSRV (or four years back) to the
/// newest installed stable, leaving out the years an installed stable toolchain already covers
/// (within [`COVERED_RELEASES`] releases), and keeping exactly those the yearly selection would
/// then measure (a candidate too close to an installed one is not worth a download); newest
/// first. Nothing when the MSRV is beyond every release so far.
pub(crate) fn yearly_versions_to_install(
    installed: &[Toolchain],
    msrv: Option<&MsrvFloor>,
    today: Date,
) -> Vec<Version> {
    let released = release::stable_minor_on(today);
    let newest_installed = installed.iter().filter(|t| t.is_stable()).map(|t| t.version.minor).max();
    let newest = newest_installed.unwrap_or(released).min(released.max(newest_installed.unwrap_or(0)));
    let oldest = match msrv {
        Some(f) if f.version.major == 1 => f.version.minor,
        Some(_) => return Vec::new(),
        None => newest.saturating_sub(4 * 9),
    };
    if oldest > released {
        return Vec::new();
    }
    // Nine releases of six weeks each are 54 weeks: the yearly step of the train.
    let mut minor = newest;
    let mut wanted = Vec::new();
    loop {
        wanted.push(minor);
        if minor < oldest + 9 {
            break;
        }
        minor -= 9;
    }
    if *wanted.last().expect("non-empty") != oldest && oldest <= newest {
        wanted.push(oldest);
    }
    let candidates: Vec<Version> = wanted
        .into_iter()
        .filter(|m| !installed.iter().any(|t| t.is_stable() && t.version.minor.abs_diff(*m) <= COVERED_RELEASES))
        .map(|m| Version::new(1, m, 0))
        .collect();
    // What the yearly selection would measure with them installed: keep only those.
    let mut universe = installed.to_vec();
    universe.extend(candidates.iter().map(|v| Toolchain::official_release(v.clone())));
    universe.sort_by(|a, b| a.version.cmp(&b.version));
    let criteria = Criteria { policy: Policy::Yearly, since: None, until: None, ceiling: None };
    let chosen = select(&universe, msrv, &criteria).map(|s| s.chosen).unwrap_or_default();
    candidates.into_iter().filter(|v| chosen.iter().any(|t| t.version == *v && t.commit_hash.is_some())).collect()
}

/// An installed toolchain this many releases (six weeks each) from a yearly slot fills it.
pub(crate) const COVERED_RELEASES: u64 = 4;

/// The command that installs `versions`, ready to paste.
pub(crate) fn install_command(versions: &[Version]) -> String {
    let list: Vec<String> = versions.iter().map(ToString::to_string).collect();
    format!("rustup toolchain install {} --profile minimal", list.join(" "))
}

/// With fewer than two toolchains chosen there is no history: the note saying what to install,
/// if anything would help. An explicit `--toolchains` list is the user's choice, however short.
pub(crate) fn install_advice(
    installed: &[Toolchain],
    msrv: Option<&MsrvFloor>,
    criteria: &Criteria,
    chosen: usize,
    today: Date,
) -> Option<String> {
    if chosen >= 2 || matches!(criteria.policy, Policy::Named(_)) {
        return None;
    }
    let wanted = yearly_versions_to_install(installed, msrv, today);
    (!wanted.is_empty()).then(|| {
        format!(
            "a history needs at least two toolchains; for a yearly one back to the MSRV run `{}` (or pass `--install`)",
            install_command(&wanted)
        )
    })
}

/// The error when no installed toolchain is eligible, with the advice that would help: an
/// install line when toolchains are missing, never one when `--since` lies beyond every release.
pub(crate) fn nothing_eligible(
    installed: &[Toolchain],
    msrv: Option<&MsrvFloor>,
    criteria: &Criteria,
    today: Date,
) -> anyhow::Error {
    let newest_released = Version::new(1, release::stable_minor_on(today), 0);
    if let Some(since) = criteria.since.as_ref().filter(|since| **since > newest_released) {
        return ExitError::with_code(
            crate::exit::NO_ELIGIBLE_TOOLCHAIN,
            format!(
                "no installed stable toolchain is at or after `--since {}`: the newest stable release is {} (on {today})",
                short_version(since),
                short_version(&newest_released)
            ),
        );
    }
    let at_msrv = msrv.map(|f| format!(" at or above the MSRV {f}")).unwrap_or_default();
    let wanted = yearly_versions_to_install(installed, msrv, today);
    let advice = if msrv.is_some_and(|f| f.version > newest_released) {
        format!("; no Rust release is that new yet (the newest is {})", short_version(&newest_released))
    } else if wanted.is_empty() {
        String::new()
    } else {
        format!("; install some with `{}` or run with `--install`", install_command(&wanted))
    };
    ExitError::with_code(
        crate::exit::NO_ELIGIBLE_TOOLCHAIN,
        format!(
            "no installed stable toolchain is{at_msrv} and inside --since/--until (see `cargo timewarp list`){advice}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::toolchain as tc;

    fn set(versions: &[&str]) -> Vec<Toolchain> {
        versions.iter().map(|v| tc(v)).collect()
    }

    fn msrv(v: &str, package: &str) -> MsrvFloor {
        crate::discover::msrv::rust_version_floor(&Version::parse(v).unwrap(), package)
    }

    fn yearly_criteria() -> Criteria {
        Criteria { policy: Policy::Yearly, since: None, until: None, ceiling: None }
    }

    fn names(ts: &[Toolchain]) -> Vec<&str> {
        ts.iter().map(|t| t.name.as_str()).collect()
    }

    fn reasons(sel: &Selection) -> Vec<String> {
        sel.skipped.iter().map(|(t, r)| format!("{t}: {r}")).collect()
    }

    const MACHINE: &[&str] = &["1.63.0", "1.85.0", "1.95.0", "1.96.0", "1.97.0-nightly"];

    #[test]
    fn the_done_when_case() {
        let floor = msrv("1.80.0", "probe-core");
        let sel = select(&set(MACHINE), Some(&floor), &yearly_criteria()).unwrap();
        assert_eq!(names(&sel.chosen), ["1.85.0", "1.96.0"]);
        assert_eq!(
            reasons(&sel),
            [
                "1.63.0: below MSRV 1.80 (rust-version of `probe-core`)",
                "1.95.0: within 6 weeks of 1.96.0",
                "nightly: not stable",
            ]
        );
        let all = select(&set(MACHINE), Some(&floor), &Criteria { policy: Policy::All, ..yearly_criteria() }).unwrap();
        assert_eq!(names(&all.chosen), ["1.85.0", "1.95.0", "1.96.0"]);
    }

    #[test]
    fn a_yearly_slot_prefers_the_kind_the_other_rows_share() {
        let official = |v: &str| Toolchain { commit_hash: Some("abc".into()), ..tc(v) };
        let mut machine: Vec<Toolchain> = ["1.61.0", "1.70.0", "1.78.0", "1.87.0", "1.95.0"].map(official).to_vec();
        machine.extend(set(&["1.63.0", "1.85.0", "1.96.0"]));
        let sel = select(&machine, None, &yearly_criteria()).unwrap();
        assert_eq!(names(&sel.chosen), ["1.61.0", "1.70.0", "1.78.0", "1.87.0", "1.95.0"]);
        let reason = sel.skipped.iter().find(|(t, _)| t.name == "1.96.0").unwrap().1.to_string();
        assert_eq!(reason, "distribution build; 1.95.0 fills its year, built like the other rows");
        let all = select(&machine, None, &Criteria { policy: Policy::All, ..yearly_criteria() }).unwrap();
        assert_eq!(all.chosen.len(), 8, "--all is unchanged");
        // Nothing of the common kind nearby: the pick stays.
        let lone = [official("1.61.0"), official("1.70.0"), official("1.78.0"), tc("1.90.0")];
        let sel = select(&lone, None, &yearly_criteria()).unwrap();
        assert_eq!(names(&sel.chosen), ["1.61.0", "1.70.0", "1.78.0", "1.90.0"]);
    }

    #[test]
    fn a_dependency_floor_says_which_dependency() {
        let floor = MsrvFloor {
            version: Version::new(1, 60, 0),
            kind: crate::discover::msrv::FloorKind::DependencyRustVersion {
                dependency: "once_cell 1.20.2".into(),
                dependent: "dfl".into(),
            },
        };
        let sel = select(&set(&["1.48.0", "1.63.0", "1.96.0"]), Some(&floor), &yearly_criteria()).unwrap();
        assert_eq!(names(&sel.chosen), ["1.63.0", "1.96.0"], "the history starts where the locked graph builds");
        assert_eq!(reasons(&sel), ["1.48.0: below 1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`)"]);
    }

    #[test]
    fn yearly_spacing_over_every_release() {
        let every: Vec<String> = (60..=96).map(|m| format!("1.{m}.0")).collect();
        let every: Vec<&str> = every.iter().map(String::as_str).collect();
        let sel = select(&set(&every), None, &yearly_criteria()).unwrap();
        let chosen = &sel.chosen;
        assert_eq!(chosen.first().unwrap().name, "1.60.0");
        assert_eq!(chosen.last().unwrap().name, "1.96.0");
        for pair in chosen.windows(2) {
            let gap = pair[1].release_date.days_since(pair[0].release_date);
            assert!(gap >= MIN_GAP_DAYS, "{} -> {}: {gap} days", pair[0], pair[1]);
            if pair[0].name != "1.60.0" {
                assert!(gap <= 400, "{} -> {}: {gap} days", pair[0], pair[1]);
            }
        }
        assert_eq!(chosen.len() + sel.skipped.len(), every.len());
    }

    #[test]
    fn single_or_no_eligible_toolchain() {
        let sel = select(&set(&["1.95.0"]), None, &yearly_criteria()).unwrap();
        assert_eq!(names(&sel.chosen), ["1.95.0"]);
        let sel = select(&set(&["1.63.0"]), Some(&msrv("1.80.0", "x")), &yearly_criteria()).unwrap();
        assert!(sel.chosen.is_empty());
    }

    #[test]
    fn since_and_until_bound_the_range() {
        let criteria = Criteria {
            policy: Policy::All,
            since: Some(Version::new(1, 85, 0)),
            until: Some(Version::new(1, 95, 0)),
            ceiling: None,
        };
        let sel = select(&set(MACHINE), None, &criteria).unwrap();
        assert_eq!(names(&sel.chosen), ["1.85.0", "1.95.0"]);
        assert_eq!(
            reasons(&sel),
            ["1.63.0: older than --since 1.85", "1.96.0: newer than --until 1.95", "nightly: not stable"]
        );
    }

    #[test]
    fn named_takes_exactly_those_even_nightly() {
        let criteria = Criteria { policy: Policy::Named(vec!["nightly".into(), "1.63.0".into()]), ..yearly_criteria() };
        let sel = select(&set(MACHINE), Some(&msrv("1.80.0", "x")), &criteria).unwrap();
        assert_eq!(names(&sel.chosen), ["1.63.0", "nightly"]);
        assert!(sel.skipped.iter().all(|(_, r)| *r == SkipReason::NotNamed));
        let doubtful: Vec<String> = sel.doubtful.iter().map(|(n, r)| format!("{n}: {r}")).collect();
        assert_eq!(doubtful, ["1.63.0: below MSRV 1.80 (rust-version of `x`)"], "measured, but expected to fail");
        let bad = Criteria { policy: Policy::Named(vec!["1.70.0".into()]), ..yearly_criteria() };
        let err = select(&set(&["1.85.0", "1.95.0"]), None, &bad).unwrap_err();
        assert_eq!(err.to_string(), "toolchain `1.70.0` in --toolchains is not installed (installed: 1.85.0, 1.95.0)");
    }

    #[test]
    fn the_msrv_toolchain_joins_the_selection() {
        let installed = set(&["1.63.0", "1.80.0", "1.80.1", "1.96.0", "1.97.0-nightly"]);
        assert_eq!(toolchain_for(&installed, &Version::new(1, 80, 0)).unwrap().name, "1.80.1");
        assert_eq!(toolchain_for(&installed, &Version::new(1, 80, 1)).unwrap().name, "1.80.1");
        assert!(toolchain_for(&installed, &Version::new(1, 81, 0)).is_none());
        assert!(toolchain_for(&installed, &Version::new(1, 97, 0)).is_none(), "a nightly is no MSRV toolchain");

        let mut sel =
            select(&installed, None, &Criteria { policy: Policy::Named(vec!["1.96.0".into()]), ..yearly_criteria() })
                .unwrap();
        let floor = msrv("1.70.0", "app");
        sel.include(&installed[0], Some(&floor));
        sel.include(&installed[0], Some(&floor));
        assert_eq!(sel.doubtful.len(), 1, "{:?}", sel.doubtful);
        assert_eq!(names(&sel.chosen), ["1.63.0", "1.96.0"]);
        assert!(sel.skipped.iter().all(|(t, _)| t.name != "1.63.0"));
    }

    #[test]
    fn the_advice_counts_a_toolchain_whose_probe_failed_as_installed() {
        let today = "2026-11-28".parse().unwrap();
        let answered = set(&["1.95.0"]);
        let floor = [msrv("1.80.0", "x")];
        let plan_with = |present: Option<&[Toolchain]>| {
            plan(&answered, present, &floor, None, &yearly_criteria(), false, today).unwrap().notes
        };
        let advice = plan_with(Some(&answered));
        assert!(advice[0].contains("rustup toolchain install 1.80.0 --profile minimal"), "{advice:?}");
        assert_eq!(plan_with(Some(&set(&["1.80.0", "1.95.0"]))), Vec::<String>::new(), "1.80.0 is installed");
        assert_eq!(plan_with(None), Vec::<String>::new(), "what is installed cannot be told");
    }

    #[test]
    fn advice_only_where_it_helps() {
        let today = "2026-11-28".parse().unwrap();
        let one = set(&["1.95.0"]);
        let advice = install_advice(&one, None, &yearly_criteria(), 1, today).unwrap();
        assert!(advice.starts_with("a history needs at least two toolchains"), "{advice}");
        let named = Criteria { policy: Policy::Named(vec!["1.95.0".into()]), ..yearly_criteria() };
        assert!(install_advice(&one, None, &named, 1, today).is_none(), "the user chose");
        assert!(install_advice(&one, None, &yearly_criteria(), 2, today).is_none());

        let far = Criteria { since: Some(Version::new(9, 0, 0)), ..yearly_criteria() };
        let err = nothing_eligible(&one, None, &far, today).to_string();
        assert_eq!(
            err,
            "no installed stable toolchain is at or after `--since 9.0`: the newest stable release is 1.100 (on 2026-11-28)"
        );
        assert!(!err.contains("rustup"));
        let floor = msrv("1.200.0", "app");
        let err = nothing_eligible(&one, Some(&floor), &yearly_criteria(), today).to_string();
        assert!(
            err.starts_with("no installed stable toolchain is at or above the MSRV 1.200 (rust-version of `app`)"),
            "{err}"
        );
        assert!(err.ends_with("; no Rust release is that new yet (the newest is 1.100)"), "{err}");
        let err = nothing_eligible(&one, Some(&msrv("1.90.0", "app")), &yearly_criteria(), today).to_string();
        assert!(
            err.ends_with(
                "install some with `rustup toolchain install 1.90.0 --profile minimal` or run with `--install`"
            ),
            "{err}"
        );
    }

    #[test]
    fn verify_msrv_adds_the_declared_toolchain_and_names_what_raises_the_floor() {
        let today = "2026-11-28".parse().unwrap();
        let declared = msrv("1.48.0", "dfl");
        let raised = MsrvFloor {
            version: Version::new(1, 60, 0),
            kind: crate::discover::msrv::FloorKind::DependencyRustVersion {
                dependency: "once_cell 1.20.2".into(),
                dependent: "dfl".into(),
            },
        };
        let floors = [raised.clone(), declared.clone()];
        let installed = set(&["1.48.0", "1.63.0", "1.96.0"]);
        let planned =
            plan(&installed, Some(&installed), &floors, Some(&declared), &yearly_criteria(), true, today).unwrap();
        assert_eq!(names(&planned.selection.chosen), ["1.48.0", "1.63.0", "1.96.0"]);
        let check = planned.msrv_check.unwrap();
        assert_eq!((check.toolchain.as_str(), check.raised_by), ("1.48.0", Some(raised)));
        let none = plan(&installed, Some(&installed), &floors, None, &yearly_criteria(), true, today).unwrap();
        assert_eq!(none.notes, ["--verify-msrv: no package declares a rust-version; nothing to verify"]);
        let missing =
            plan(&set(&["1.96.0"]), None, &[], Some(&msrv("1.70.0", "x")), &yearly_criteria(), true, today).unwrap();
        assert!(missing.notes[0].starts_with("--verify-msrv: cannot verify rust-version 1.70"), "{:?}", missing.notes);
    }

    #[test]
    fn suggests_yearly_versions_back_to_the_msrv() {
        let today = "2026-11-28".parse().unwrap();
        let installed = set(&["1.95.0"]);
        let want = yearly_versions_to_install(&installed, Some(&msrv("1.80.0", "x")), today);
        let want: Vec<String> = want.iter().map(ToString::to_string).collect();
        // 1.86 would be within ten months of 1.80, so a yearly selection would not measure it.
        assert_eq!(want, ["1.80.0"]);
        assert_eq!(
            install_command(&[Version::new(1, 86, 0), Version::new(1, 80, 0)]),
            "rustup toolchain install 1.86.0 1.80.0 --profile minimal"
        );
        // Debian's 1.63 and 1.85 fill the slots of 1.60 and 1.87; 1.69 and 1.78 would fall
        // within ten months of them, so the selection would measure neither.
        let near = yearly_versions_to_install(&set(&["1.63.0", "1.85.0", "1.96.0"]), None, today);
        assert!(near.is_empty(), "{near:?}");
        let none = yearly_versions_to_install(&[], None, today);
        assert_eq!(none.first().unwrap().to_string(), "1.100.0", "released 2026-11-12");
        assert_eq!(none.len(), 5);
        let beyond = yearly_versions_to_install(&installed, Some(&msrv("1.999.0", "x")), today);
        assert!(beyond.is_empty(), "no advice for a release that does not exist: {beyond:?}");
    }

    /// Found with only `stable` (1.99.1) and rust-version 1.70: `--install` fetched 1.90.0,
    /// 1.81.0, 1.72.0 and 1.70.0, then skipped 1.72.0 as within 12 weeks of 1.70.0.
    #[test]
    fn the_advice_names_exactly_what_the_selection_will_measure() {
        let today = "2026-11-28".parse().unwrap();
        let installed = set(&["1.99.1"]);
        let floor = msrv("1.70.0", "app");
        let want = yearly_versions_to_install(&installed, Some(&floor), today);
        let mut universe = installed.clone();
        universe.extend(want.iter().map(|v| Toolchain::official_release(v.clone())));
        universe.sort_by(|a, b| a.version.cmp(&b.version));
        let selection = select(&universe, Some(&floor), &yearly_criteria()).unwrap();
        for version in &want {
            assert!(
                selection.chosen.iter().any(|t| t.version == *version),
                "{version} would not be measured: {want:?}"
            );
        }
        assert!(!want.contains(&Version::new(1, 72, 0)), "{want:?}");
        assert!(want.contains(&Version::new(1, 70, 0)), "the MSRV itself: {want:?}");
    }
}
