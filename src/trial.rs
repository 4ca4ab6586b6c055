//! `cargo timewarp try`: on one toolchain, today's build and each arm that applies here (or
//! those `--arms` names) in the same rotating, paired rounds as a measuring run, each arm a variant of
//! the same tree with its overrides (`measure::arm`); then, when several arms win, their
//! combination measured the same way as one more arm; and the document with the lines to paste
//! (`report::tried`). `--list` shows every arm and why it does not apply, building nothing.

use std::time::Duration;

use anyhow::Result;

use crate::cli::{RunOptions, Trial, TryOptions};
use crate::discover::arms::{self, Availability};
use crate::discover::toolchain::Toolchain;
use crate::exit::ExitError;
use crate::format;
use crate::measure::arm::{self as apply, Applied, ArmBuild};
use crate::measure::engine::{End, Precision};
use crate::process::Runner;
use crate::report::progress::Progress;
use crate::report::tried::{self, Context};
use crate::stages;
use crate::vocab::{Arm, Scenario};

/// Runs `try` as `config` asks.
pub(crate) fn run(runner: &dyn Runner, options: &TryOptions, progress: &Progress) -> Result<()> {
    let (trial, config) = (options.trial.clone(), &options.run);
    let found = stages::discover(runner, config, progress)?;
    let toolchain = pick(&found.inventory.toolchains, &trial)?;
    let settings = stages::build_settings(runner, config, &found.workspace).1;
    let nightly_installed = found.inventory.toolchains.iter().any(arms::is_nightly);
    let availability =
        arms::availability(runner, &toolchain, &settings, config.build.profile.name(), nightly_installed);
    if trial.list {
        return found.outputs.emit(&listing(&availability, &toolchain, config));
    }
    let chosen = chosen(&availability, &trial.arms)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let at = Applied { settings: &settings, host: &toolchain.host, profile: config.build.profile.name(), cores };
    let rows: Vec<Vec<Arm>> = chosen.iter().map(|a| vec![*a]).collect();
    let interrupt = stages::interrupt(runner, &found)?;
    let measure = |rows: &[Vec<Arm>], config: &RunOptions| {
        let builds: Vec<ArmBuild> = rows.iter().map(|r| arm_build(r, &at)).collect();
        stages::measure_arms(runner, config, progress, &found, std::slice::from_ref(&toolchain), &interrupt, &builds)
    };
    let flags_home = apply::flags_home(&settings, &toolchain.host);
    let scope = TrySession {
        toolchain: &toolchain,
        flags_home,
        availability: &availability,
        profile: config.build.profile.name(),
        cores,
    };
    let done = measure(&rows, config)?;
    let mut interrupted = done.interrupted;
    let mut document = tried::build(&done.outcome.measured, &scope.of(&rows, &done));
    let winners = tried::winners(&document.arms);
    if winners.len() > 1 && !interrupted {
        // The combination against today's build again, in rounds of its own, within what the
        // budget has left.
        let them = names(&winners, ", ");
        match room_for_combination(config, &document.today, done.outcome.elapsed) {
            Ok(budget) => {
                progress.note(&format!("{them} win alone; measuring them together before recommending them"));
                let mut rest = config.clone();
                rest.rounds.budget = budget.or(rest.rounds.budget);
                let combined = [winners];
                let again = measure(&combined, &rest)?;
                let at = scope.of(&combined, &again);
                document = tried::with(document, tried::build(&again.outcome.measured, &at), &at);
                interrupted = again.interrupted;
            }
            Err(needed) => progress.note(&format!(
                "{them} win alone; measuring them together takes about {}, more than the budget has left \
                 (`--budget {}m` leaves room), so each is recommended alone",
                format::duration(needed),
                round_up(done.outcome.elapsed + needed).as_secs() / 60
            )),
        }
    }
    keep(&found.work, &document, progress);
    found.outputs.tried(&document, progress)?;
    // Today's build directory stays, for the next run's incremental state; the arms' go.
    let today = done.outcome.measured.iter().find(|m| m.variant == 0).map(|m| m.target_dir.as_path());
    found.work.tidy(today, config.build.keep_target_dirs)?;
    if interrupted {
        return Err(ExitError::with_code(
            crate::exit::INTERRUPTED,
            "interrupted; the table above holds what was measured before",
        ));
    }
    // Without today's build there is nothing to compare an arm with.
    let failed = done.outcome.measured.iter().find(|m| m.variant == 0).and_then(|m| match &m.end {
        End::Failed(why) => Some(why.lines().next().unwrap_or_default().to_string()),
        _ => None,
    });
    if let Some(why) = failed {
        let message = format!(
            "today's build of `{}` failed, so no arm could be compared with it: {why}",
            found.workspace.manifest_path.display()
        );
        return Err(ExitError::with_code(crate::exit::ALL_BUILDS_FAILED, message));
    }
    Ok(())
}

/// Keeps the document as JSON in timewarp's build directory (`last-try.json`, beside a run's
/// `last-report.json`, which it leaves alone) before any user output is written, so a failed
/// write loses nothing. Best effort: a full disk is a warning, never the end of the outputs.
fn keep(work: &crate::measure::workdir::WorkDir, document: &tried::Tried, progress: &Progress) {
    let json = tried::render(document, crate::vocab::Format::Json);
    if let Err(e) = work.write_atomic(&work.last_try(), json) {
        progress.warning(&format!("{e:#}; the table goes to the outputs asked for, but timewarp keeps no copy"));
    }
}

/// What every document of one `try` shares.
struct TrySession<'a> {
    toolchain: &'a Toolchain,
    flags_home: apply::FlagsHome,
    availability: &'a [Availability],
    profile: &'a str,
    cores: usize,
}

impl<'a> TrySession<'a> {
    /// The context of the document of `rows` measured in `done`.
    fn of(&self, rows: &'a [Vec<Arm>], done: &'a stages::MeasuredRun) -> Context<'a> {
        Context {
            toolchain: &self.toolchain.name,
            scenarios: &done.plan.scenarios,
            rows,
            availability: self.availability,
            host: &self.toolchain.host,
            flags_home: self.flags_home,
            profile: self.profile,
            cores: self.cores,
            rounds: done.outcome.rounds,
            confidence: done.plan.stopping.confidence(),
        }
    }
}

/// Whether the budget has room for the winners measured together after `spent`: two rounds of
/// today's build beside the combination (an interval needs two), with as much again for the
/// first round's untimed builds, by today's times. `Ok(Some(left))` to measure within what is
/// left, `Ok(None)` with fixed `--runs` (no budget), `Err(needed)`, the time it would take, when
/// it does not fit.
fn room_for_combination(
    config: &RunOptions,
    today: &[tried::Today],
    spent: Duration,
) -> std::result::Result<Option<Duration>, Duration> {
    let fixed = config.rounds.clean_runs.is_some() || config.rounds.incremental_runs.is_some();
    if fixed {
        return Ok(None);
    }
    let budget = config.rounds.budget.unwrap_or(Precision::DEFAULT.budget);
    let round: f64 = today.iter().filter_map(|t| t.seconds).sum::<f64>() * 2.0;
    let needed = Duration::from_secs_f64(3.0 * round);
    let left = budget.saturating_sub(spent);
    if left >= needed { Ok(Some(left)) } else { Err(needed) }
}

/// `d` rounded up to whole five minutes, for a `--budget` to suggest.
fn round_up(d: Duration) -> Duration {
    let five = 300;
    Duration::from_secs(d.as_secs().div_ceil(five).max(1) * five)
}

/// `arms` as the engine builds them: their overrides, and the scenarios none of them changes
/// anything in (a `cargo check` after touching a file, for a linker), which are not built.
fn arm_build(arms: &[Arm], at: &Applied<'_>) -> ArmBuild {
    let skip = Scenario::ALL
        .into_iter()
        .filter(|s| !arms.iter().any(|a| a.changes(*s)))
        .map(|s| {
            (s, format!("{} changes nothing `{s}` builds: it links nothing and generates no code", names(arms, "+")))
        })
        .collect();
    ArmBuild { name: names(arms, "+"), overrides: apply::overrides(arms, at), skip }
}

fn names(arms: &[Arm], separator: &str) -> String {
    arms.iter().map(|a| a.name()).collect::<Vec<_>>().join(separator)
}

/// The toolchain `try` builds with: `--toolchain`, else the newest nightly with `--nightly`,
/// else the newest stable.
fn pick(toolchains: &[Toolchain], trial: &Trial) -> Result<Toolchain> {
    let found = match (&trial.toolchain, trial.nightly) {
        (Some(name), _) => toolchains.iter().find(|t| t.answers_to(name)).ok_or_else(|| {
            ExitError::usage(format!(
                "toolchain `{name}` is not installed; `rustup toolchain list` shows the installed ones"
            ))
        })?,
        (None, true) => toolchains.iter().rev().find(|t| arms::is_nightly(t)).ok_or_else(|| {
            ExitError::usage("no nightly toolchain is installed; install one with `rustup toolchain install nightly`")
        })?,
        (None, false) => toolchains.iter().rev().find(|t| t.is_stable()).ok_or_else(|| {
            ExitError::usage("no stable toolchain is installed; install one with `rustup toolchain install stable`")
        })?,
    };
    Ok(found.clone())
}

/// The arms to measure: those asked for (each must apply here), else every arm that applies.
fn chosen(availability: &[Availability], asked: &[Arm]) -> Result<Vec<Arm>> {
    for arm in asked {
        if let Some(why) = availability.iter().find(|a| a.arm == *arm).and_then(|a| a.not_here.as_ref()) {
            return Err(ExitError::usage(format!("the arm `{arm}` cannot run here: {why}")));
        }
    }
    let applies = availability.iter().filter(|a| a.not_here.is_none()).map(|a| a.arm);
    let arms: Vec<Arm> = if asked.is_empty() { applies.collect() } else { asked.to_vec() };
    if arms.is_empty() {
        return Err(ExitError::usage("no arm applies here; `cargo timewarp try --list` says why"));
    }
    Ok(arms)
}

/// `try --list`: every arm, whether it applies on `toolchain`, and why not.
fn listing(availability: &[Availability], toolchain: &Toolchain, config: &crate::cli::RunOptions) -> String {
    use crate::vocab::Format;
    #[derive(serde::Serialize)]
    struct ListedArm<'a> {
        arm: Arm,
        applies: bool,
        reason: Option<String>,
        install: Option<String>,
        toolchain: &'a str,
    }
    let lines: Vec<ListedArm<'_>> = availability
        .iter()
        .map(|a| ListedArm {
            arm: a.arm,
            applies: a.not_here.is_none(),
            reason: a.not_here.as_ref().map(ToString::to_string),
            install: a.not_here.as_ref().and_then(|w| w.install()),
            toolchain: &toolchain.name,
        })
        .collect();
    match config.out.format {
        Format::Json => serde_json::to_string_pretty(&lines).map(|s| s + "\n").unwrap_or_default(),
        Format::Csv => {
            let mut out = String::from("arm,applies,reason,install\n");
            for l in &lines {
                let quote =
                    |s: &Option<String>| format!("\"{}\"", s.as_deref().unwrap_or_default().replace('"', "\"\""));
                out += &format!("{},{},{},{}\n", l.arm, l.applies, quote(&l.reason), quote(&l.install));
            }
            out
        }
        Format::Table | Format::Markdown => {
            let width = Arm::ALL.iter().map(|a| a.name().len()).max().unwrap_or(0);
            let mut out = format!("Arms on {} ({}):\n", toolchain.name, toolchain.host);
            for l in &lines {
                let why = match (&l.reason, &l.install) {
                    (None, _) => "applies".to_string(),
                    (Some(r), Some(i)) => format!("{r}; `{i}`"),
                    (Some(r), None) => r.clone(),
                };
                out += &format!("  {:<width$}  {why}\n", l.arm.name());
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::arms::NotHere;
    use crate::testing::toolchain;

    /// `try`'s options of a parsed command line.
    fn tried(cli: crate::cli::Cli) -> TryOptions {
        match cli.command {
            crate::cli::Command::Try(options) => *options,
            other => panic!("not `try`: {other:?}"),
        }
    }

    /// Found on eza: three arms won after the whole 20 minutes, and their combination was then
    /// given 20 minutes of its own, so `try` took 40. It now gets what the budget has left, or
    /// is not measured and the note says which `--budget` would leave room.
    #[test]
    fn the_combination_is_measured_within_what_the_budget_has_left() {
        let parse = |args: &[&str]| {
            let all = ["cargo-timewarp", "timewarp", "try"].iter().chain(args).copied();
            tried(crate::cli::parse_args(all, &crate::process::Env::default()).unwrap()).run
        };
        let today = |clean: f64, touched: f64| {
            [(Scenario::Clean, clean), (Scenario::Touched, touched)].map(|(scenario, s)| tried::Today {
                scenario,
                seconds: Some(s),
                link_s: None,
            })
        };
        let minutes = |m: u64| Duration::from_secs(60 * m);
        let config = parse(&[]);
        // Two builds a round of 85 s and 4 s, three rounds' worth: 534 s.
        assert_eq!(room_for_combination(&config, &today(85.0, 4.0), minutes(20)), Err(Duration::from_secs(534)));
        assert_eq!(room_for_combination(&config, &today(85.0, 4.0), minutes(5)), Ok(Some(minutes(15))));
        assert_eq!(
            room_for_combination(&parse(&["--budget", "1h"]), &today(85.0, 4.0), minutes(20)),
            Ok(Some(minutes(40)))
        );
        assert_eq!(
            room_for_combination(&parse(&["--runs", "2"]), &today(85.0, 4.0), minutes(90)),
            Ok(None),
            "fixed rounds"
        );
        assert_eq!(round_up(minutes(20) + Duration::from_secs(534)), minutes(30));
        assert_eq!(round_up(Duration::from_secs(1)), minutes(5));
    }

    #[test]
    fn the_command_line_names_the_toolchain_and_the_arms() {
        let parse = |args: &[&str]| {
            let all = ["cargo-timewarp", "timewarp", "try"].iter().chain(args).copied();
            crate::cli::parse_args(all, &crate::process::Env::default())
        };
        let c = parse(&["--arms", "mold,line-tables-only,mold", "--toolchain", "1.85.0"]).unwrap();
        let options = tried(c);
        assert_eq!(options.run.action, crate::cli::Action::Try);
        let trial = options.trial;
        assert_eq!(trial.arms, [Arm::Mold, Arm::LineTablesOnly], "once each, in the order given");
        assert_eq!(trial.toolchain.as_deref(), Some("1.85.0"));
        assert!(tried(parse(&["--list"]).unwrap()).trial.list);
        let err = parse(&["--arms", "gold"]).unwrap_err().to_string();
        assert!(err.starts_with("invalid value `gold` for `--arms`"), "{err}");
        assert!(parse(&["--nightly", "--toolchain", "stable"]).is_err());
    }

    #[test]
    fn the_newest_stable_by_default_and_the_newest_nightly_with_nightly() {
        let all = [toolchain("1.85.0"), toolchain("1.95.0"), toolchain("1.97.0-nightly")];
        let trial = |toolchain: Option<&str>, nightly| Trial {
            toolchain: toolchain.map(Into::into),
            nightly,
            arms: vec![],
            list: false,
        };
        assert_eq!(pick(&all, &trial(None, false)).unwrap().name, "1.95.0");
        assert_eq!(pick(&all, &trial(None, true)).unwrap().name, "nightly");
        assert_eq!(pick(&all, &trial(Some("1.85.0"), false)).unwrap().name, "1.85.0");
        let err = pick(&all[..2], &trial(None, true)).unwrap_err().to_string();
        assert_eq!(err, "no nightly toolchain is installed; install one with `rustup toolchain install nightly`");
    }

    #[test]
    fn each_arm_builds_with_its_overrides_and_a_winner_gets_its_lines() {
        let project = crate::testing::Project::new(&["1.85.0", "1.96.0"]);
        // The arm without debug information builds in half the time; the others as today.
        let runner =
            project.runner().timing("cargo build", |_, cmd| if cmd.has_arg("profile.dev.debug=0") { 1.0 } else { 2.0 });
        let out = project.file("try.json");
        let args = ["try", "--arms", "no-debug,no-incremental", "--runs", "2", "--scenarios", "clean", "-o", &out];
        let config = tried(project.subcommand_config(&runner, &args));
        run(&runner, &config, &Progress::new(true)).unwrap();
        let tried = project.json("try.json");
        assert_eq!(tried["toolchain"], "1.96.0", "the newest stable");
        assert_eq!(tried["arms"][0]["arms"][0], "no-debug");
        assert_eq!(tried["arms"][0]["cells"][0]["speedup"], 2.0);
        assert_eq!(tried["arms"][0]["cells"][0]["finding"], "faster");
        assert_eq!(tried["arms"][1]["cells"][0]["finding"], "no-change");
        assert_eq!(tried["arms"].as_array().unwrap().len(), 2, "one winner: no combination");
        assert_eq!(tried["adopt"][0]["text"], "[profile.dev]\ndebug = 0");
        let sentence = tried["answer"][0]["sentence"].as_str().unwrap();
        assert!(sentence.starts_with("clean: on 1.96.0, no-debug builds 2.00x faster"), "{sentence}");
        assert_eq!(tried["answer"][0]["best"][0], "no-debug");
        let builds: Vec<crate::process::CommandSpec> =
            runner.log().into_iter().filter(|c| c.to_string().starts_with("cargo build")).collect();
        let dir =
            |c: &crate::process::CommandSpec| c.to_string().split("/timewarp/").nth(1).unwrap_or_default().to_string();
        for build in &builds {
            let (debug, incremental) = (build.has_arg("profile.dev.debug=0"), build.env_value("CARGO_INCREMENTAL"));
            assert_eq!(debug, dir(build).starts_with("1.96.0+arm-no-debug/"), "{build}");
            assert_eq!(incremental.is_some(), dir(build).starts_with("1.96.0+arm-no-incremental/"), "{build}");
        }
        assert_eq!(builds.len(), 3 * 2, "today and two arms, two rounds each: {builds:#?}");
        let kept = std::fs::read_to_string(project.root.join("target/timewarp/last-try.json")).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&kept).unwrap(), tried, "the copy is the document");
        assert_eq!(std::fs::read_to_string(project.root.join("src/main.rs")).unwrap(), "fn main() {}\n");
    }

    #[test]
    fn several_winners_are_measured_together_before_they_are_recommended() {
        let project = crate::testing::Project::new(&["1.96.0"]);
        let runner = project.runner().timing("cargo build", |_, cmd| {
            match (cmd.has_arg("profile.dev.debug=0"), cmd.has_arg("profile.dev.split-debuginfo=\"unpacked\"")) {
                (true, true) => 0.8,
                (true, false) => 1.0,
                (false, true) => 1.5,
                (false, false) => 2.0,
            }
        });
        let out = project.file("try.json");
        let args =
            ["try", "--arms", "no-debug,split-debuginfo", "--runs", "2", "--scenarios", "clean,touched", "-o", &out];
        run(&runner, &tried(project.subcommand_config(&runner, &args)), &Progress::new(true)).unwrap();
        let tried = project.json("try.json");
        let rows: Vec<String> = tried["arms"].as_array().unwrap().iter().map(|r| r["arms"].to_string()).collect();
        assert_eq!(rows, [r#"["no-debug"]"#, r#"["split-debuginfo"]"#, r#"["no-debug","split-debuginfo"]"#]);
        assert_eq!(tried["arms"][2]["cells"][0]["speedup"], 2.5, "against today's build in rounds of its own");
        let adopted: Vec<&str> =
            tried["adopt"].as_array().unwrap().iter().map(|a| a["arm"].as_str().unwrap()).collect();
        assert_eq!(adopted, ["no-debug", "split-debuginfo"], "the combination stands for its parts");
        // Every arm touched the one file, registered once: it is as it was.
        let main = project.root.join("src/main.rs");
        assert_eq!(std::fs::read_to_string(&main).unwrap(), "fn main() {}\n");
        let builds = runner.log().iter().filter(|c| c.to_string().starts_with("cargo build")).count();
        // Two clean builds, an untimed and two timed rebuilds: three builds, then two.
        assert_eq!(builds, 3 * (2 + 1 + 2) + 2 * (2 + 1 + 2));
    }

    #[test]
    fn a_project_that_does_not_build_today_is_an_error_naming_it() {
        let project = crate::testing::Project::new(&["1.96.0"]);
        let runner = project.runner().fail("cargo build", 101, "error[E0425]: cannot find value `x` in this scope\n");
        let args = ["try", "--arms", "no-debug", "--runs", "1", "--scenarios", "clean", "--format", "json"];
        let err = run(&runner, &tried(project.subcommand_config(&runner, &args)), &Progress::new(true)).unwrap_err();
        assert_eq!(crate::exit::code_for(&err), crate::exit::ALL_BUILDS_FAILED);
        let manifest = project.root.join("Cargo.toml");
        assert_eq!(
            format!("{err:#}"),
            format!(
                "today's build of `{}` failed, so no arm could be compared with it: error[E0425]: cannot find value `x` in this scope",
                manifest.display()
            )
        );
    }

    #[test]
    fn an_arm_asked_for_must_apply_and_the_default_is_every_arm_that_does() {
        let availability = [
            Availability { arm: Arm::Mold, not_here: None },
            Availability { arm: Arm::Lld, not_here: Some(NotHere::NotInstalled { program: "ld.lld", install: None }) },
            Availability { arm: Arm::NoDebug, not_here: None },
        ];
        assert_eq!(chosen(&availability, &[]).unwrap(), [Arm::Mold, Arm::NoDebug]);
        assert_eq!(chosen(&availability, &[Arm::NoDebug]).unwrap(), [Arm::NoDebug]);
        let err = chosen(&availability, &[Arm::Lld]).unwrap_err().to_string();
        assert_eq!(err, "the arm `lld` cannot run here: not installed (no `ld.lld` on PATH)");
    }
}
