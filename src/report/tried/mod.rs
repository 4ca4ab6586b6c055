//! `cargo timewarp try`'s document: each arm's speedup over today's build in every scenario,
//! paired by round, with its 95% interval and finding; the arms that do not apply here with the
//! reason; and the settings worth adopting (those whose interval clears 1.0x by more than the
//! noise threshold in some scenario and is below it in none), with their lines to paste. Built
//! from the engine's measurements; rendered as a table (the answer first), JSON, Markdown or
//! CSV.

use serde::{Deserialize, Serialize};

use super::snippet::{Snippet, snippet};
use crate::discover::arms::Availability;
use crate::measure::arm::FlagsHome;
use crate::measure::engine::{End, Measured, pairs, pairs_by};
use crate::stats::{self, Verdict};
use crate::vocab::{Arm, Scenario, Start};

/// What an arm's interval says against today's build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Finding {
    /// The whole interval is above 1.0x by more than the noise threshold.
    Faster,
    /// The whole interval is below 1.0x by more than the noise threshold.
    Slower,
    /// The whole interval is within the noise threshold.
    NoChange,
    /// The interval reaches into the threshold and beyond it.
    Inconclusive,
    /// No interval (fewer than two rounds, or a failed build).
    Unknown,
}

impl Finding {
    fn of(verdict: Verdict) -> Finding {
        match verdict {
            Verdict::Faster => Finding::Faster,
            Verdict::Slower => Finding::Slower,
            Verdict::NoChange => Finding::NoChange,
            Verdict::Inconclusive => Finding::Inconclusive,
            Verdict::Unknown => Finding::Unknown,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Finding::Faster => "faster",
            Finding::Slower => "slower",
            Finding::NoChange => "no change",
            Finding::Inconclusive => "inconclusive",
            Finding::Unknown => "unknown",
        }
    }
}

/// One arm in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct ArmCell {
    /// The scenario.
    pub(crate) scenario: Scenario,
    /// Today's time over the arm's, as a geometric mean of the rounds' ratios.
    pub(crate) speedup: Option<f64>,
    /// The interval's lower bound.
    pub(crate) lower: Option<f64>,
    /// The interval's upper bound.
    pub(crate) upper: Option<f64>,
    /// What the interval says.
    pub(crate) finding: Finding,
    /// The arm's mean link time in seconds, when link time is measured.
    pub(crate) link_s: Option<f64>,
    /// The rounds both builds have.
    pub(crate) rounds: usize,
    /// Whether the arm is meant for this scenario: `no-incremental` is for clean builds, and its
    /// slower rebuilds do not count against it.
    pub(crate) meant: bool,
}

/// One arm (or a combination of arms) against today's build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct ArmRow {
    /// The arms applied together (one, or the combination of the winners).
    pub(crate) arms: Vec<Arm>,
    /// Why its builds stopped, when one failed.
    pub(crate) failed: Option<String>,
    /// One cell per scenario.
    pub(crate) cells: Vec<ArmCell>,
}

impl ArmRow {
    /// `mold`, or `mold+line-tables-only` for a combination.
    pub(crate) fn name(&self) -> String {
        self.arms.iter().map(|a| a.name()).collect::<Vec<_>>().join("+")
    }

    /// Whether the row clears 1.0x by more than the noise in some scenario and falls below it
    /// in none.
    pub(crate) fn wins(&self) -> bool {
        self.failed.is_none()
            && self.cells.iter().any(|c| c.meant && c.finding == Finding::Faster)
            && self.cells.iter().all(|c| !c.meant || c.finding != Finding::Slower)
    }
}

/// Today's build in one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Today {
    /// The scenario.
    pub(crate) scenario: Scenario,
    /// The geometric mean of its wall times, seconds.
    pub(crate) seconds: Option<f64>,
    /// Its mean link time, seconds, when measured.
    pub(crate) link_s: Option<f64>,
}

/// An arm that does not run here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct NotRun {
    /// The arm.
    pub(crate) arm: Arm,
    /// Why, as a phrase.
    pub(crate) reason: String,
    /// The command that would make it apply, where one exists.
    pub(crate) install: Option<String>,
}

/// The answer for one scenario: the arm (or combination) that beats today's build by the widest
/// margin there, or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Answer {
    /// The scenario.
    pub(crate) scenario: Scenario,
    /// The arms of the best winner in this scenario (the highest lower bound among the rows that
    /// win); empty when none beats today's build here.
    pub(crate) best: Vec<Arm>,
    /// What the finding is, in plain words.
    pub(crate) verdict: AnswerKind,
    /// The answer as one sentence.
    pub(crate) sentence: String,
}

/// What one scenario's answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum AnswerKind {
    /// An arm that wins beats today's build beyond the noise threshold here.
    Faster,
    /// An arm is faster here beyond the noise, but slower in another scenario, so it does not win.
    SlowerElsewhere,
    /// No arm is faster here beyond the noise, and some intervals reach both into the noise and
    /// beyond it: more rounds would tell.
    Unclear,
    /// Every arm has an interval, and none is faster here beyond the noise.
    NoneFaster,
    /// No arm has an interval here (a single round, or failed builds).
    NoInterval,
}

/// The version of the `try` document's JSON; a change that breaks a reader raises it.
pub(crate) const TRY_SCHEMA_VERSION: u32 = 1;

/// The whole `try` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Tried {
    /// `try`, so a reader tells the document from a history's report.
    #[cfg_attr(test, schemars(extend("const" = "try")))]
    pub(crate) kind: String,
    /// [`TRY_SCHEMA_VERSION`].
    pub(crate) schema: u32,
    /// The answer, one sentence per scenario, in round order.
    pub(crate) answer: Vec<Answer>,
    /// The toolchain every build used.
    pub(crate) toolchain: String,
    /// The rounds that ran.
    pub(crate) rounds: usize,
    /// The relative noise threshold a winner's interval must clear.
    pub(crate) noise: f64,
    /// Today's build.
    pub(crate) today: Vec<Today>,
    /// Every arm measured.
    pub(crate) arms: Vec<ArmRow>,
    /// The arms that do not run here.
    pub(crate) not_here: Vec<NotRun>,
    /// The settings worth adopting, with their lines.
    pub(crate) adopt: Vec<Snippet>,
}

/// What [`build`] needs besides the measurements.
pub(crate) struct Context<'a> {
    /// The toolchain's name.
    pub(crate) toolchain: &'a str,
    /// The scenarios, in round order.
    pub(crate) scenarios: &'a [Scenario],
    /// The arms of variant `i + 1`.
    pub(crate) rows: &'a [Vec<Arm>],
    /// Every arm's availability.
    pub(crate) availability: &'a [Availability],
    /// The host, profile and core count, for the snippets.
    pub(crate) host: &'a str,
    /// Where the user's rustflags live, for the snippets' flags to join them.
    pub(crate) flags_home: FlagsHome,
    /// The profile built.
    pub(crate) profile: &'a str,
    /// The core count.
    pub(crate) cores: usize,
    /// The rounds that ran.
    pub(crate) rounds: usize,
    /// The two-sided level of the intervals the stopping rule watched, which the document's
    /// intervals use so that they keep their 95 % after stopping when precise.
    pub(crate) confidence: f64,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let all: Vec<f64> = values.collect();
    (!all.is_empty()).then(|| all.iter().sum::<f64>() / all.len() as f64)
}

/// The document from the engine's `measured` (variant 0 today's build, variant `i + 1` the
/// arms `at.rows[i]`).
pub(crate) fn build(measured: &[Measured], at: &Context<'_>) -> Tried {
    let empty = Vec::new();
    let samples = |m: Option<&Measured>, s: Scenario| m.and_then(|m| m.samples.get(&s)).unwrap_or(&empty).clone();
    let today_run = measured.iter().find(|m| m.variant == 0);
    let today = at
        .scenarios
        .iter()
        .map(|&scenario| {
            let own = samples(today_run, scenario);
            let walls: Vec<f64> = own.iter().map(|s| s.wall_s).collect();
            let link_s = mean(own.iter().filter_map(|s| s.link.map(|l| l.seconds)));
            Today { scenario, seconds: stats::geometric(&walls).map(|e| e.point), link_s }
        })
        .collect();
    let arms: Vec<ArmRow> = at
        .rows
        .iter()
        .enumerate()
        .map(|(i, arms)| {
            let run = measured.iter().find(|m| m.variant == i + 1);
            let failed = match run.map(|r| &r.end) {
                Some(End::Failed(why)) => Some(why.clone()),
                _ => None,
            };
            let cells = at
                .scenarios
                .iter()
                .map(|&scenario| {
                    let (base, own) = (samples(today_run, scenario), samples(run, scenario));
                    let paired = pairs(&base, &own);
                    let estimate = stats::paired_speedup_at(&paired, at.confidence);
                    let link_s = mean(pairs_by(&base, &own, |s| s.link.map(|l| l.seconds)).into_iter().map(|p| p.1));
                    ArmCell {
                        scenario,
                        speedup: estimate.map(|e| e.point),
                        lower: estimate.and_then(|e| e.interval).map(|i| i.lower),
                        upper: estimate.and_then(|e| e.interval).map(|i| i.upper),
                        finding: estimate.map_or(Finding::Unknown, |e| Finding::of(e.verdict(stats::NOISE))),
                        link_s,
                        rounds: paired.len(),
                        // A combination counts where one of its arms does, except where
                        // `no-incremental` in it makes the rebuilds slower by design.
                        meant: arms.iter().any(|a| a.meant_for(scenario))
                            && !(arms.contains(&Arm::NoIncremental) && scenario.start() == Start::Rebuild),
                    }
                })
                .collect();
            ArmRow { arms: arms.clone(), failed, cells }
        })
        .collect();
    let not_here = at
        .availability
        .iter()
        .filter_map(|a| {
            let why = a.not_here.as_ref()?;
            Some(NotRun { arm: a.arm, reason: why.to_string(), install: why.install() })
        })
        .collect();
    let mut tried = Tried {
        kind: "try".into(),
        schema: TRY_SCHEMA_VERSION,
        answer: Vec::new(),
        toolchain: at.toolchain.into(),
        rounds: at.rounds,
        noise: stats::NOISE,
        today,
        arms,
        not_here,
        adopt: Vec::new(),
    };
    conclude(&mut tried, at);
    tried
}

/// `tried` with `more`'s arms (the combination, measured in rounds of its own) added, and the
/// answer and the lines to paste drawn again.
pub(crate) fn with(mut tried: Tried, more: Tried, at: &Context<'_>) -> Tried {
    tried.arms.extend(more.arms);
    conclude(&mut tried, at);
    tried
}

/// The answer and the lines to paste from the arms' findings: a winning combination stands for
/// its parts; otherwise each winner alone.
fn conclude(tried: &mut Tried, at: &Context<'_>) {
    let combined = tried.arms.iter().find(|r| r.arms.len() > 1 && r.wins());
    let chosen: Vec<Arm> = match combined {
        Some(combined) => combined.arms.clone(),
        None => winners(&tried.arms),
    };
    tried.adopt = chosen.iter().map(|a| snippet(*a, at.host, at.flags_home, at.profile, at.cores)).collect();
    let today = |s: Scenario| tried.today.iter().find(|t| t.scenario == s).and_then(|t| t.seconds);
    tried.answer = at.scenarios.iter().map(|&s| answer(&tried.arms, s, today(s), at.toolchain)).collect();
}

/// The single arms that win, keeping of those that exclude each other (two linkers, two debug
/// levels) the one whose smallest winning lower bound is highest.
pub(crate) fn winners(rows: &[ArmRow]) -> Vec<Arm> {
    let group = |arm: Arm| match arm {
        _ if arm.linker().is_some() => Some(0),
        Arm::LineTablesOnly | Arm::NoDebug | Arm::NoDepsDebug => Some(1),
        _ => None,
    };
    let floor = |row: &ArmRow| {
        row.cells
            .iter()
            .filter(|c| c.meant && c.finding == Finding::Faster)
            .filter_map(|c| c.lower)
            .fold(f64::MAX, f64::min)
    };
    let single: Vec<&ArmRow> = rows.iter().filter(|r| r.arms.len() == 1 && r.wins()).collect();
    single
        .iter()
        .filter(|row| {
            let arm = row.arms[0];
            group(arm).is_none_or(|g| {
                !single.iter().any(|other| group(other.arms[0]) == Some(g) && floor(other) > floor(row))
            })
        })
        .map(|row| row.arms[0])
        .collect()
}

/// One sentence for `scenario`: the winning row that beats today's build there with the highest
/// lower bound; else an arm faster here but slower elsewhere; else whether the intervals are too
/// wide to tell, within the noise, or missing.
fn answer(rows: &[ArmRow], scenario: Scenario, today: Option<f64>, toolchain: &str) -> Answer {
    let cells: Vec<(&ArmRow, &ArmCell)> = rows
        .iter()
        .filter(|r| r.failed.is_none())
        .filter_map(|r| Some((r, r.cells.iter().find(|c| c.scenario == scenario)?)))
        .collect();
    let by_lower = |a: &&(&ArmRow, &ArmCell), b: &&(&ArmRow, &ArmCell)| {
        a.1.lower.partial_cmp(&b.1.lower).unwrap_or(std::cmp::Ordering::Equal)
    };
    let faster: Vec<&(&ArmRow, &ArmCell)> =
        cells.iter().filter(|(_, c)| c.meant && c.finding == Finding::Faster).collect();
    let best = faster.iter().copied().filter(|(r, _)| r.wins()).max_by(by_lower);
    let unclear = cells.iter().filter(|(_, c)| c.meant && c.finding == Finding::Inconclusive).count();
    let measured = cells.iter().any(|(_, c)| c.lower.is_some());
    let faster_by = |(row, cell): &(&ArmRow, &ArmCell)| {
        format!(
            "{} builds {} faster than today's settings (95% interval {})",
            row.name(),
            times(cell.speedup),
            interval(cell)
        )
    };
    let (verdict, sentence) = match (best, faster.iter().copied().max_by(by_lower)) {
        (Some(best), _) => (AnswerKind::Faster, format!("{scenario}: on {toolchain}, {}.", faster_by(best))),
        (None, Some(other)) => (
            AnswerKind::SlowerElsewhere,
            format!("{scenario}: on {toolchain}, {}, but it is slower in another scenario.", faster_by(other)),
        ),
        (None, None) if unclear > 0 => (
            AnswerKind::Unclear,
            format!(
                "{scenario}: on {toolchain}, no arm is clearly faster yet ({unclear} of {} intervals are too wide to tell); more rounds would narrow them (`--runs 10`).",
                cells.len()
            ),
        ),
        (None, None) if measured => (
            AnswerKind::NoneFaster,
            format!(
                "{scenario}: on {toolchain}, no arm beats today's settings by more than the {:.0}% noise threshold.",
                stats::NOISE * 100.0
            ),
        ),
        (None, None) => (
            AnswerKind::NoInterval,
            match () {
                () if today.is_none() => {
                    format!("{scenario}: today's build has no time here, so no arm could be compared with it.")
                }
                () if rows.iter().all(|r| r.failed.is_some()) => {
                    format!("{scenario}: every arm's builds failed; the rows below say why.")
                }
                () => {
                    // One round of today's build and every arm: what a second round costs.
                    let round = today.unwrap_or_default() * (rows.len() + 1) as f64;
                    format!(
                        "{scenario}: no arm has an interval yet: that takes two rounds, and one round of its {} builds \
                         takes about {} (more `--runs`, a longer `--budget` or fewer `--arms`).",
                        rows.len() + 1,
                        crate::format::duration(std::time::Duration::from_secs_f64(round))
                    )
                }
            },
        ),
    };
    Answer { scenario, best: best.map(|(row, _)| row.arms.clone()).unwrap_or_default(), verdict, sentence }
}

fn times(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.2}x"))
}

fn interval(cell: &ArmCell) -> String {
    match (cell.lower, cell.upper) {
        (Some(l), Some(u)) => format!("{l:.2}x-{u:.2}x"),
        _ => "none".into(),
    }
}

mod render;

pub(crate) use render::{cell_text, render};

#[cfg(test)]
mod tests;
