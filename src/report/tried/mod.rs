//! `cargo timewarp try`'s document: each arm's speedup over today's build in every scenario,
//! paired by round, with its 95% interval and finding; the arms that do not apply here with the
//! reason; and the settings worth adopting (those whose interval clears 1.0x by more than the
//! noise threshold in some scenario and is below it in none), with their lines to paste. Built
//! from the engine's measurements; rendered as a table (the answer first), JSON, Markdown or
//! CSV.

use std::fmt::Write as _;

use serde::Serialize;

use super::snippet::{Snippet, snippet};
use crate::discover::arms::Availability;
use crate::measure::arm::FlagsHome;
use crate::measure::engine::{End, Measured, pairs, pairs_by};
use crate::stats::{self, Verdict};
use crate::vocab::{Arm, Format, Scenario, Start};

/// What an arm's interval says against today's build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Tried {
    /// `try`, so a reader tells the document from a history's report.
    #[cfg_attr(test, schemars(extend("const" = "try")))]
    pub(crate) kind: &'static str,
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
                    let estimate = stats::paired_speedup(&paired);
                    let link_s = mean(pairs_by(&base, &own, |s| s.link.map(|l| l.seconds)).into_iter().map(|p| p.1));
                    ArmCell {
                        scenario,
                        speedup: estimate.map(|e| e.point),
                        lower: estimate.and_then(|e| e.interval).map(|i| i.lower),
                        upper: estimate.and_then(|e| e.interval).map(|i| i.upper),
                        finding: estimate.map_or(Finding::Unknown, |e| Finding::of(e.verdict(stats::NOISE))),
                        link_s,
                        rounds: paired.len(),
                        meant: !arms.contains(&Arm::NoIncremental) || scenario.start() == Start::Empty,
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
        kind: "try",
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
    let timed = |s: Scenario| tried.today.iter().any(|t| t.scenario == s && t.seconds.is_some());
    tried.answer = at.scenarios.iter().map(|&s| answer(&tried.arms, s, timed(s), at.toolchain)).collect();
}

/// The single arms that win, keeping of those that exclude each other (two linkers, two debug
/// levels) the one whose smallest winning lower bound is highest.
pub(crate) fn winners(rows: &[ArmRow]) -> Vec<Arm> {
    let group = |arm: Arm| match arm {
        _ if arm.linker().is_some() => Some(0),
        Arm::LineTablesOnly | Arm::NoDebug => Some(1),
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
fn answer(rows: &[ArmRow], scenario: Scenario, today_timed: bool, toolchain: &str) -> Answer {
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
                () if !today_timed => {
                    format!("{scenario}: today's build has no time here, so no arm could be compared with it.")
                }
                () if rows.iter().all(|r| r.failed.is_some()) => {
                    format!("{scenario}: every arm's builds failed; the rows below say why.")
                }
                () => format!("{scenario}: no arm has an interval yet; it takes at least two rounds (`--runs 2`)."),
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

/// `tried` as `format`.
pub(crate) fn render(tried: &Tried, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(tried).map(|s| s + "\n").unwrap_or_default(),
        Format::Csv => csv(tried),
        Format::Markdown => text(tried, true),
        Format::Table => text(tried, false),
    }
}

fn cell_text(cell: &ArmCell) -> String {
    match (cell.speedup, cell.meant) {
        (Some(_), true) => format!("{} [{}] {}", times(cell.speedup), interval(cell), cell.finding.name()),
        (Some(_), false) => format!("({} [{}], not meant for it)", times(cell.speedup), interval(cell)),
        (None, _) => "-".into(),
    }
}

/// The table or Markdown: the answer, today's times, one row per arm, the arms left out, the
/// lines to paste.
fn text(t: &Tried, markdown: bool) -> String {
    let mut head = vec!["arm".to_string()];
    head.extend(t.today.iter().map(|d| d.scenario.to_string()));
    let mut rows = vec![head];
    let mut today = vec!["today".to_string()];
    today.extend(t.today.iter().map(|d| d.seconds.map_or("-".into(), |s| format!("{s:.2} s"))));
    rows.push(today);
    for row in &t.arms {
        let mut line = vec![row.name()];
        match &row.failed {
            Some(why) => line.push(format!("failed: {}", why.lines().next().unwrap_or_default())),
            None => line.extend(row.cells.iter().map(cell_text)),
        }
        rows.push(line);
    }
    let mut out = String::new();
    for answer in &t.answer {
        writeln!(out, "{}{}", if markdown { "- " } else { "" }, answer.sentence).ok();
    }
    if !t.adopt.is_empty() {
        writeln!(out, "{}The lines to paste are at the end.", if markdown { "- " } else { "" }).ok();
    }
    out.push('\n');
    let width = |i: usize| rows.iter().filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0);
    for (n, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row.iter().enumerate().map(|(i, c)| format!("{c:<w$}", w = width(i))).collect();
        match markdown {
            true => writeln!(out, "| {} |", cells.join(" | ")),
            false => writeln!(out, "{}", cells.join("  ").trim_end()),
        }
        .ok();
        if markdown && n == 0 {
            let rule: Vec<String> = (0..row.len()).map(|i| "-".repeat(width(i).max(3))).collect();
            writeln!(out, "| {} |", rule.join(" | ")).ok();
        }
    }
    link_lines(t, &mut out);
    let plural = if t.rounds == 1 { "" } else { "s" };
    writeln!(
        out,
        "\n{} round{plural} on {}; speedups are today's time over the arm's, in brackets their 95% interval.",
        t.rounds, t.toolchain
    )
    .ok();
    if !t.not_here.is_empty() {
        writeln!(out, "\nNot measured here:").ok();
        for n in &t.not_here {
            let install = n.install.as_ref().map_or(String::new(), |i| format!("; `{i}`"));
            writeln!(out, "{}{}: {}{install}", if markdown { "- " } else { "   " }, n.arm, n.reason).ok();
        }
    }
    for s in &t.adopt {
        // The environment's lines are shell, the files' TOML.
        let language = if s.place == super::snippet::Place::Environment { "sh" } else { "toml" };
        let fence = if markdown { format!("```{language}\n") } else { String::new() };
        let close = if markdown { "```\n" } else { "" };
        writeln!(out, "\nTo adopt {} ({}), in {}:\n{fence}{}\n{close}", s.arm, s.cost, s.place.name(), s.text).ok();
    }
    out
}

/// Link time apart, per scenario where the builds link: today's mean and each arm's.
/// A scenario whose builds link nothing (`check`) gets no line: every time would read 0.000 s.
fn link_lines(t: &Tried, out: &mut String) {
    // Below what three decimals show.
    const NOTHING: f64 = 0.0005;
    for (i, today) in t.today.iter().enumerate() {
        let Some(base) = today.link_s else { continue };
        let linked: Vec<(String, f64)> =
            t.arms.iter().filter_map(|r| Some((r.name(), r.cells.get(i)?.link_s?))).collect();
        if base < NOTHING && linked.iter().all(|(_, s)| *s < NOTHING) {
            continue;
        }
        let arms: Vec<String> = linked.iter().map(|(name, s)| format!("{name} {s:.3} s")).collect();
        writeln!(out, "link time in {}: today {base:.3} s, {}", today.scenario, arms.join(", ")).ok();
    }
}

fn csv(t: &Tried) -> String {
    let mut out = String::from("arm,scenario,speedup,lower,upper,finding,rounds,failed\n");
    let num = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x:.4}"));
    for row in &t.arms {
        for c in &row.cells {
            let failed =
                row.failed.as_deref().unwrap_or_default().lines().next().unwrap_or_default().replace('"', "\"\"");
            writeln!(
                out,
                "{},{},{},{},{},{},{},\"{failed}\"",
                row.name(),
                c.scenario,
                num(c.speedup),
                num(c.lower),
                num(c.upper),
                c.finding.name(),
                c.rounds
            )
            .ok();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::arms::NotHere;
    use crate::measure::engine::Sample;
    use crate::testing::toolchain;

    fn sample(round: usize, wall_s: f64) -> Sample {
        Sample { round, wall_s, cpu_s: None, peak_rss: None, link: None, compiled: None }
    }

    fn measured(variant: usize, walls: &[f64]) -> Measured {
        let samples = walls.iter().enumerate().map(|(r, w)| sample(r, *w)).collect();
        Measured {
            toolchain: toolchain("1.95.0"),
            variant,
            target_dir: "/t".into(),
            samples: [(Scenario::Clean, samples)].into_iter().collect(),
            end: End::Completed,
            scenario_errors: Default::default(),
            crates: None,
            redone: Vec::new(),
        }
    }

    #[test]
    fn a_clearly_faster_arm_wins_and_gets_its_lines() {
        let runs = [
            measured(0, &[10.0, 10.2, 9.9, 10.1]),
            measured(1, &[8.0, 8.1, 7.9, 8.05]),
            measured(2, &[10.0, 10.3, 9.8, 10.1]),
        ];
        let rows = [vec![Arm::Mold], vec![Arm::LineTablesOnly]];
        let availability = [Availability {
            arm: Arm::Lld,
            not_here: Some(NotHere::NotInstalled { program: "ld.lld", install: Some("sudo apt-get install lld") }),
        }];
        let at = Context {
            toolchain: "1.95.0",
            scenarios: &[Scenario::Clean],
            rows: &rows,
            availability: &availability,
            host: "x86_64-unknown-linux-gnu",
            flags_home: FlagsHome::Target,
            profile: "dev",
            cores: 2,
            rounds: 4,
        };
        let tried = build(&runs, &at);
        assert_eq!(tried.arms[0].cells[0].finding, Finding::Faster);
        assert!(tried.arms[0].cells[0].lower.unwrap() > 1.2, "{:?}", tried.arms[0].cells[0]);
        assert_ne!(tried.arms[1].cells[0].finding, Finding::Faster);
        assert_eq!(tried.adopt.iter().map(|s| s.arm).collect::<Vec<_>>(), [Arm::Mold]);
        let answer = &tried.answer[0];
        assert_eq!(
            (answer.scenario, answer.verdict, answer.best.as_slice()),
            (Scenario::Clean, AnswerKind::Faster, &[Arm::Mold][..])
        );
        assert!(
            answer
                .sentence
                .starts_with("clean: on 1.95.0, mold builds 1.25x faster than today's settings (95% interval 1.2"),
            "{}",
            answer.sentence
        );
        let table = render(&tried, Format::Table);
        assert!(
            table.starts_with(&format!("{}\nThe lines to paste are at the end.\n\n", answer.sentence)),
            "the answer first: {table}"
        );
        assert!(table.contains("lld: not installed (no `ld.lld` on PATH); `sudo apt-get install lld`"), "{table}");
        assert!(table.contains("rustflags = [\"-C\", \"link-arg=-fuse-ld=mold\"]"), "{table}");
        let json: serde_json::Value = serde_json::from_str(&render(&tried, Format::Json)).unwrap();
        assert_eq!((json["kind"].as_str(), json["schema"].as_u64()), (Some("try"), Some(1)));
        assert_eq!(json["arms"][0]["arms"][0], "mold");
        assert_eq!(json["not_here"][0]["arm"], "lld");
        let [_, _, schema] = crate::report::schema::documents();
        let schema: serde_json::Value = serde_json::from_str(&schema.generated).unwrap();
        let errors: Vec<String> =
            jsonschema::validator_for(&schema).unwrap().iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let csv = render(&tried, Format::Csv);
        assert!(csv.lines().nth(1).unwrap().starts_with("mold,clean,1.25"), "{csv}");
        let markdown = render(&tried, Format::Markdown);
        assert!(markdown.contains("| mold "), "{markdown}");
        assert!(
            markdown.contains("\n- lld: not installed (no `ld.lld` on PATH); `sudo apt-get install lld`\n"),
            "{markdown}"
        );
        assert!(markdown.contains("```toml\n[target.x86_64-unknown-linux-gnu]\n"), "{markdown}");
    }

    #[test]
    fn of_two_winning_linkers_the_clearer_one_is_recommended() {
        let runs = [
            measured(0, &[10.0, 10.2, 9.9, 10.1]),
            measured(1, &[8.0, 8.1, 7.9, 8.05]),
            measured(2, &[6.0, 6.1, 5.9, 6.05]),
            measured(3, &[9.0, 9.1, 8.9, 9.05]),
        ];
        let rows = [vec![Arm::Lld], vec![Arm::Mold], vec![Arm::NoDepsDebug]];
        let at = Context {
            toolchain: "1.95.0",
            scenarios: &[Scenario::Clean],
            rows: &rows,
            availability: &[],
            host: "x86_64-unknown-linux-gnu",
            flags_home: FlagsHome::Target,
            profile: "dev",
            cores: 2,
            rounds: 4,
        };
        let tried = build(&runs, &at);
        assert!(tried.arms.iter().all(ArmRow::wins));
        assert_eq!(winners(&tried.arms), [Arm::Mold, Arm::NoDepsDebug], "one linker, the faster");
        assert_eq!(tried.adopt.iter().map(|s| s.arm).collect::<Vec<_>>(), [Arm::Mold, Arm::NoDepsDebug]);
    }

    #[test]
    fn no_incremental_is_judged_on_clean_builds_alone() {
        let mut today = measured(0, &[10.0, 10.2, 9.9, 10.1]);
        let mut arm = measured(1, &[8.0, 8.1, 7.9, 8.05]);
        let slower: Vec<Sample> = (0..4).map(|r| sample(r, 3.0)).collect();
        today.samples.insert(Scenario::Touched, (0..4).map(|r| sample(r, 1.0 + r as f64 * 0.01)).collect());
        arm.samples.insert(Scenario::Touched, slower);
        let rows = [vec![Arm::NoIncremental]];
        let at = Context {
            toolchain: "1.95.0",
            scenarios: &[Scenario::Clean, Scenario::Touched],
            rows: &rows,
            availability: &[],
            host: "x86_64-unknown-linux-gnu",
            flags_home: FlagsHome::Target,
            profile: "dev",
            cores: 2,
            rounds: 4,
        };
        let tried = build(&[today, arm], &at);
        assert_eq!(tried.arms[0].cells[1].finding, Finding::Slower);
        assert!(!tried.arms[0].cells[1].meant && tried.arms[0].wins(), "its rebuilds do not count");
        assert_eq!(tried.adopt[0].text, "CARGO_INCREMENTAL=0");
        assert!(render(&tried, Format::Table).contains("not meant for it"));
        assert!(render(&tried, Format::Markdown).contains("```sh\nCARGO_INCREMENTAL=0\n```"), "shell, not TOML");
        assert_eq!(
            tried.answer.iter().map(|a| a.verdict).collect::<Vec<_>>(),
            [AnswerKind::Faster, AnswerKind::NoneFaster]
        );
        assert_eq!(
            tried.answer[1].sentence,
            "touched: on 1.95.0, no arm beats today's settings by more than the 1% noise threshold."
        );
    }

    #[test]
    fn a_scenario_says_when_its_intervals_are_too_wide_or_its_fastest_arm_loses_elsewhere() {
        let mut today = measured(0, &[10.0, 10.2, 9.9, 10.1]);
        let mut slower_elsewhere = measured(1, &[8.0, 8.1, 7.9, 8.05]);
        let mut wide = measured(2, &[9.0, 11.0, 8.0, 12.0]);
        today.samples.insert(Scenario::Check, (0..4).map(|r| sample(r, 2.0 + r as f64 * 0.01)).collect());
        slower_elsewhere.samples.insert(Scenario::Check, (0..4).map(|r| sample(r, 3.0 + r as f64 * 0.01)).collect());
        wide.samples
            .insert(Scenario::Check, [1.5, 2.6, 1.8, 2.5].iter().enumerate().map(|(r, w)| sample(r, *w)).collect());
        let rows = [vec![Arm::NoDebug], vec![Arm::Mold]];
        let at = Context {
            toolchain: "1.95.0",
            scenarios: &[Scenario::Clean, Scenario::Check],
            rows: &rows,
            availability: &[],
            host: "x86_64-unknown-linux-gnu",
            flags_home: FlagsHome::Target,
            profile: "dev",
            cores: 2,
            rounds: 4,
        };
        let tried = build(&[today, slower_elsewhere, wide], &at);
        let verdicts: Vec<AnswerKind> = tried.answer.iter().map(|a| a.verdict).collect();
        assert_eq!(verdicts, [AnswerKind::SlowerElsewhere, AnswerKind::Unclear], "{:#?}", tried.answer);
        assert!(tried.adopt.is_empty() && tried.answer.iter().all(|a| a.best.is_empty()));
        assert!(
            tried.answer[0].sentence.ends_with("but it is slower in another scenario."),
            "{}",
            tried.answer[0].sentence
        );
        assert_eq!(
            tried.answer[1].sentence,
            "check: on 1.95.0, no arm is clearly faster yet (1 of 2 intervals are too wide to tell); more rounds would narrow them (`--runs 10`)."
        );
    }

    #[test]
    fn a_scenario_that_links_nothing_gets_no_link_line() {
        let link = |seconds| Some(crate::measure::linker::LinkTime { seconds, runs: 1 });
        let mut today = measured(0, &[10.0, 10.2]);
        let mut arm = measured(1, &[10.0, 10.1]);
        for run in [&mut today, &mut arm] {
            let clean = run.samples.get_mut(&Scenario::Clean).unwrap();
            let check: Vec<Sample> = clean.iter().map(|s| Sample { link: link(0.0), ..*s }).collect();
            clean.iter_mut().for_each(|s| s.link = link(0.25));
            run.samples.insert(Scenario::Check, check);
        }
        let rows = [vec![Arm::Mold]];
        let at = Context {
            toolchain: "1.95.0",
            scenarios: &[Scenario::Clean, Scenario::Check],
            rows: &rows,
            availability: &[],
            host: "x86_64-unknown-linux-gnu",
            flags_home: FlagsHome::Target,
            profile: "dev",
            cores: 2,
            rounds: 2,
        };
        let table = render(&build(&[today, arm], &at), Format::Table);
        assert!(table.contains("link time in clean: today 0.250 s, mold 0.250 s"), "{table}");
        assert!(!table.contains("link time in check"), "{table}");
    }

    #[test]
    fn a_single_round_says_it_has_no_interval_instead_of_no_winner() {
        let rows = [vec![Arm::NoDebug]];
        let at = Context {
            toolchain: "1.95.0",
            scenarios: &[Scenario::Clean],
            rows: &rows,
            availability: &[],
            host: "x86_64-unknown-linux-gnu",
            flags_home: FlagsHome::Target,
            profile: "dev",
            cores: 2,
            rounds: 1,
        };
        let tried = build(&[measured(0, &[10.0]), measured(1, &[5.0])], &at);
        assert_eq!(tried.answer[0].verdict, AnswerKind::NoInterval);
        assert!(tried.answer[0].best.is_empty() && tried.adopt.is_empty());
        let table = render(&tried, Format::Table);
        assert!(
            table.starts_with("clean: no arm has an interval yet; it takes at least two rounds (`--runs 2`).\n\n"),
            "{table}"
        );
        let mut failed = measured(0, &[]);
        failed.end = End::Failed("error[E0425]: cannot find value `x`".into());
        let tried = build(&[failed, measured(1, &[5.0])], &at);
        assert_eq!(
            tried.answer[0].sentence, "clean: today's build has no time here, so no arm could be compared with it.",
            "not a call for more rounds"
        );
    }
}
