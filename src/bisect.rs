//! `cargo timewarp bisect FROM TO`, top to bottom: discovery as for a history, over every
//! installed stable release from FROM to TO (one toolchain per release); the search of
//! `measure::bisect`, each probe one run of the engine (rounds, stopping rule) over the
//! releases it names, within its share of `--budget`; then the document, its outputs and the
//! exit code. Like the history's pipeline it runs against any [`Runner`].

use std::time::Duration;

use anyhow::{Result, anyhow};
use semver::Version;

use crate::cli::{Config, Span};
use crate::discover::environment;
use crate::discover::install::{self, Installed};
use crate::discover::toolchain::{self, Toolchain};
use crate::exit::{self, ExitError};
use crate::format;
use crate::measure::bisect::{self as search, Found, Halt, Probed, Samples};
use crate::measure::build::Kind;
use crate::measure::engine::{End, Measured, Stop};
use crate::measure::interrupt::Interrupt;
use crate::process::Runner;
use crate::report::bisection::{self, Probe};
use crate::report::progress::Progress;
use crate::stages;
use crate::stats::{self, NOISE};
use crate::vocab::Provenance;

mod nightly;

/// The whole bisection's budget when `--budget` is not given.
pub(crate) const DEFAULT_BUDGET: Duration = Duration::from_secs(60 * 60);

/// Runs the bisection `config.span` asks for; with `--install`, between installing the span's
/// missing releases and removing them again.
pub(crate) fn run(runner: &dyn Runner, config: &Config, progress: &Progress) -> Result<()> {
    let span = config.span.clone().expect("bisect has a span");
    let inventory = toolchain::discover(runner)?;
    let from = wanted(&inventory.toolchains, &span.from, "FROM", config.install)?;
    let to = wanted(&inventory.toolchains, &span.to, "TO", config.install)?;
    if (from.version.major, from.version.minor) >= (to.version.major, to.version.minor) {
        return Err(ExitError::usage(format!(
            "`bisect {} {}`: FROM ({}) must be an older release than TO ({})",
            span.from, span.to, from.version, to.version
        )));
    }
    // Every installed stable release of the span, as `--all --since FROM --until TO` selects.
    let mut wide = config.clone();
    wide.install = false;
    wide.all = true;
    wide.toolchains.clear();
    wide.since = Some(Version::new(from.version.major, from.version.minor, 0));
    wide.until = Some(to.version.clone());
    let mut found = stages::discover(runner, &wide, progress)?;
    let interrupt = stages::interrupt(runner, &found)?;
    let installed = match config.install {
        true => install_missing(runner, progress, &wide, &mut found, (&from, &to), &interrupt, config.keep_installed)?,
        false => Installed::default(),
    };
    let result = if interrupt.requested() {
        Err(ExitError::with_code(exit::INTERRUPTED, "interrupted while installing; nothing was measured"))
    } else {
        bisect(runner, config, progress, &span, &found, &interrupt)
    };
    installed.remove(runner, progress, config.keep_installed);
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
    let release = release_of(name);
    match release {
        Some(version) if install => Ok(Wanted { version, toolchain: None }),
        Some(_) if toolchains.iter().all(|t| !t.answers_to(name.trim())) => Err(ExitError::usage(format!(
            "{err:#}; `--install` installs the span's missing releases for the bisection"
        ))),
        _ => Err(err),
    }
}

/// `1.70` or `1.70.0` as a version; `None` for any other name.
fn release_of(name: &str) -> Option<Version> {
    Version::parse(&full_version(name.trim())).ok().filter(|v| v.pre.is_empty() && v.build.is_empty())
}

/// A two-part version with its patch: `1.63` -> `1.63.0`; any other name as it is.
fn full_version(name: &str) -> String {
    if name.matches('.').count() == 1 { format!("{name}.0") } else { name.to_string() }
}

/// `--install`: installs the releases of the span no installed toolchain stands for, then
/// plans again with them. A span whose ends are both distribution builds gets none: rustup's
/// official builds would be left out of it anyway.
fn install_missing(
    runner: &dyn Runner,
    progress: &Progress,
    wide: &Config,
    found: &mut stages::Discovered,
    (from, to): (&Wanted, &Wanted),
    interrupt: &Interrupt,
    keep: bool,
) -> Result<Installed> {
    if [from, to].iter().all(|end| end.toolchain.as_ref().is_some_and(Toolchain::is_distribution_build)) {
        progress.note("--install: FROM and TO are distribution builds, and a bisection between them leaves rustup's official builds out, so nothing is installed");
        return Ok(Installed::default());
    }
    // rustup installs official builds, so an end to install is one; when both ends are, a
    // release installed only as a distribution build would be left out, so it is missing too.
    let kind = |end: &Wanted| end.toolchain.as_ref().map_or(Provenance::Official, Toolchain::provenance);
    let one_kind = (kind(from) == kind(to)).then(|| kind(from));
    let Some(installed) = stages::installed_for_install(&found.inventory, progress) else {
        return Ok(Installed::default());
    };
    let releases = install::missing(&installed, &from.version, &to.version, one_kind);
    if releases.is_empty() {
        progress.note("--install: every release of the span is installed");
        return Ok(Installed::default());
    }
    // With --keep-installed nothing is recorded: a killed run's installs are the user's.
    let record = (!keep).then(|| found.work.install_record());
    let installed = install::install(runner, progress, &releases, &|| interrupt.requested(), record.as_deref())?;
    if !installed.names().is_empty() {
        stages::replan(runner, wide, found)?;
    }
    Ok(installed)
}

/// The bisection proper, over the toolchains `found` holds.
fn bisect(
    runner: &dyn Runner,
    config: &Config,
    progress: &Progress,
    span: &Span,
    found: &stages::Discovered,
    interrupt: &Interrupt,
) -> Result<()> {
    let end = |name: &str, which: &str| {
        resolve(&found.inventory.toolchains, name, which).map_err(|e| match config.install {
            // The warning above says why rustup could not install it.
            true => anyhow!("{which} `{name}` is not installed, and --install could not install it"),
            false => e,
        })
    };
    let (from, to) = (end(&span.from, "FROM")?, end(&span.to, "TO")?);
    let plan_scenarios = stages::scenarios(config, &found.workspace)?;
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

    let budget = config.budget.unwrap_or(DEFAULT_BUDGET);
    let started = runner.now();
    let spent = || runner.now().duration_since(started).unwrap_or_default();
    let mut probes: Vec<Probe> = Vec::new();
    // The linker the project's `-fuse-ld=` chooses, the same for every probe.
    let mut chosen_ld: Option<String> = None;
    let mut probe = |indices: &[usize]| -> Result<Probed> {
        let (lo, hi) = (indices[0], indices[indices.len() - 1]);
        // This probe's share: what is left, over the probes a halving of the span still needs.
        let probes_left = usize::from(indices.len() == 2) + ((hi - lo) as f64).log2().ceil().max(1.0) as usize;
        let share = budget.saturating_sub(spent()) / probes_left as u32;
        let mut step = config.clone();
        step.budget = Some(share.max(Duration::from_secs(1)));
        let chosen: Vec<Toolchain> = indices.iter().map(|i| candidates[*i].clone()).collect();
        progress.status(
            &format!("Step {}", probes.len() + 1),
            &format!("{} (up to {} of the budget)", names(&chosen), format::duration(share)),
        );
        let measurement = stages::measure_these(runner, &step, progress, found, &chosen, interrupt)?;
        chosen_ld = environment::chosen_ld(&measurement.settings);
        let outcome = measurement.outcome;
        let results: Vec<(usize, Result<Samples, String>)> =
            indices.iter().zip(&outcome.measured).map(|(i, m)| (*i, samples(m))).collect();
        report_step(progress, &chosen, &outcome.measured);
        let halt = if measurement.interrupted || outcome.stop == Stop::Interrupted {
            Some(Halt::Interrupted)
        } else if spent() >= budget {
            Some(Halt::Budget)
        } else {
            None
        };
        probes.push(Probe {
            candidates: indices.to_vec(),
            measured: outcome.measured,
            rounds: outcome.rounds,
            stop: outcome.stop,
        });
        Ok(Probed { results, halt })
    };
    let found_change = search::bisect(candidates.len(), span.follow, &mut probe)?;
    let nightlies = match (&found_change.found, config.nightlies) {
        (Found::Located(change), true)
            if candidates[change.from].version.minor + 1 == candidates[change.to].version.minor =>
        {
            let around = nightly::Around {
                config,
                found,
                interrupt,
                follow: found_change.scenario,
                newer: &candidates[change.to],
                budget: budget.saturating_sub(spent()),
            };
            Some(nightly::search(runner, progress, &around)?)
        }
        (_, true) => {
            progress.note("--nightlies: the change was not located between two adjacent stable releases, so there is no train of nightlies to search");
            None
        }
        (_, false) => None,
    };
    let facts = bisection::Facts {
        workspace: found.workspace.root.display().to_string(),
        revision: found.checkout.as_ref().map(|c| c.commit.as_str()),
        profile: config.profile.clone(),
        commands: plan_scenarios.iter().map(|s| (*s, Kind::of(*s, &config.profile).to_string())).collect(),
        candidates: &candidates,
        left_out: &left_out,
        elapsed: spent(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu: stages::cpu_model(),
        chosen_ld,
    };
    let mut document = bisection::build(&facts, &found_change, &probes);
    let searched = nightlies.as_ref().is_some_and(|n| n.outcome.is_some());
    if searched && candidates.iter().any(Toolchain::is_distribution_build) {
        document.warnings.push(
            "the nightlies are the Rust project's own builds, and some stable releases here a distribution's: the nightlies' times are not comparable with theirs, only with each other".into(),
        );
    }
    document.nightlies = nightlies;
    found.outputs.bisected(&document, progress)?;
    let newest = probes.last().and_then(|p| p.measured.last()).map(|m| m.target_dir.as_path());
    found.work.tidy(newest, config.keep_target_dirs)?;
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
    let full = full_version(short);
    let found = toolchains.iter().rev().find(|t| t.answers_to(short) || t.answers_to(&full)).or_else(|| {
        // `1.63` also means an installed 1.63.1.
        let wanted = Version::parse(&full).ok()?;
        toolchains
            .iter()
            .rev()
            .find(|t| t.is_stable() && t.version.major == wanted.major && t.version.minor == wanted.minor)
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
    let release = |t: &Toolchain| (t.version.major, t.version.minor);
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

/// Prints what a probe found, as it finishes: each neighbour's change in every scenario.
fn report_step(progress: &Progress, chosen: &[Toolchain], measured: &[Measured]) {
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
                let e = stats::paired_speedup(&crate::measure::engine::pairs(samples, other))?;
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
mod tests {
    use super::*;
    use crate::process::CommandSpec;
    use crate::testing::{FakeRunner, Project};

    /// The minor version of the toolchain whose build directory `cmd` names.
    fn minor_of(cmd: &CommandSpec) -> u64 {
        let line = cmd.to_string();
        let at = line.find("timewarp/1.").expect("a toolchain's build directory") + "timewarp/1.".len();
        line[at..].split('.').next().unwrap().parse().unwrap()
    }

    /// Build times of `seconds(minor)` with ±2% noise that repeats every 13 builds.
    fn noisy(
        seconds: impl Fn(u64) -> f64 + Send + Sync + 'static,
    ) -> impl Fn(usize, &CommandSpec) -> f64 + Send + Sync {
        move |n, cmd| seconds(minor_of(cmd)) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
    }

    /// Releases 1.80 to 1.88, installed on a fake machine.
    fn nine_releases() -> Project {
        let versions: Vec<String> = (80..=88).map(|m| format!("1.{m}.0")).collect();
        Project::new(&versions.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// [`nine_releases`] whose builds take `seconds(minor)`.
    fn machine(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> (Project, FakeRunner) {
        let project = nine_releases();
        let runner = project.runner().timing("--offline --locked", noisy(seconds));
        (project, runner)
    }

    fn bisect(project: &Project, runner: &FakeRunner, args: &[&str]) -> (i32, serde_json::Value) {
        let out = project.file("bisect.json");
        let mut all = vec!["bisect"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", &out]);
        let config = project.subcommand_config(runner, &all);
        let code = match run(runner, &config, &Progress::new(true)) {
            Ok(()) => exit::SUCCESS,
            Err(e) => exit::code_for(&e),
        };
        let json = std::fs::read_to_string(&out).map_or(serde_json::Value::Null, |t| serde_json::from_str(&t).unwrap());
        (code, json)
    }

    /// The toolchains the runner built, each once.
    fn built(runner: &FakeRunner) -> Vec<u64> {
        let mut minors: Vec<u64> =
            runner.log().iter().filter(|c| c.to_string().starts_with("cargo build")).map(minor_of).collect();
        minors.sort_unstable();
        minors.dedup();
        minors
    }

    /// The story of 1.90 on a fake machine: from 1.85 on, the link takes a tenth of the time it
    /// took (a linker that logs its runs where timewarp's timer would), while compiling stays
    /// as it was; the located step says which part moved.
    #[test]
    fn the_located_step_is_taken_apart_into_compile_and_link() {
        let project = nine_releases();
        let runner = project.runner().responding("--offline --locked", |n, cmd| {
            let minor = minor_of(cmd);
            let link = if minor >= 85 { 0.2 } else { 2.0 };
            let noise = 1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5);
            let (compile, link) = (3.0 * noise, link * noise);
            if let Some(log) = cmd.env_value(crate::measure::linker::LINK_LOG) {
                let end = (link * 1e9) as u64;
                let line = format!("{{\"start_ns\":0,\"end_ns\":{end},\"code\":0}}\n");
                use std::io::Write as _;
                let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
                file.write_all(line.as_bytes()).unwrap();
            }
            crate::testing::output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", compile + link)
        });
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--scenario", "touched"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        assert_eq!(doc["outcome"], "located", "{doc:#}");
        let located = &doc["located"];
        assert_eq!((located["from"].as_str(), located["to"].as_str()), (Some("1.84.0"), Some("1.85.0")), "{doc:#}");
        let touched = &located["scenarios"]["touched"];
        let link = touched["link_speedup"]["point"].as_f64().unwrap();
        let compile = touched["compile_speedup"]["point"].as_f64().unwrap();
        assert!((link - 10.0).abs() < 0.5, "the link got ten times faster: {touched:#}");
        assert!((compile - 1.0).abs() < 0.05, "compiling did not move: {touched:#}");
        let summary = doc["summary"].as_str().unwrap();
        assert!(summary.contains(" = compile 1.0") && summary.contains(", link 1"), "{summary}");
    }

    /// The day of the nightly whose build directory `cmd` names, as `2025-07-15`.
    fn day_of(cmd: &CommandSpec) -> Option<String> {
        let line = cmd.to_string();
        let at = line.find("+nightly-")? + "+nightly-".len();
        Some(line[at..at + 10].to_string())
    }

    /// Builds twice as fast from 1.90.0 and from nightly-2025-07-15 on, with a little noise.
    fn nightly_step_runner(project: &Project) -> FakeRunner {
        project.runner().timing("--offline --locked", |n, cmd| {
            let faster = match day_of(cmd) {
                Some(day) => day.as_str() >= "2025-07-15",
                None => minor_of(cmd) >= 90,
            };
            (if faster { 5.0 } else { 10.0 }) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
        })
    }

    #[test]
    fn nightlies_narrow_a_located_release_to_two_days_and_their_commits() {
        let train = nightly::train(90);
        let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]).with_nightlies(&train, "1.90.0-nightly");
        let runner = nightly_step_runner(&project);
        let (code, doc) = bisect(&project, &runner, &["1.88", "1.90", "--scenario", "touched", "--nightlies"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.89.0"), Some("1.90.0")));
        let nightlies = &doc["nightlies"];
        assert_eq!(nightlies["release"], "1.90");
        assert_eq!(
            (nightlies["first"].as_str(), nightlies["last"].as_str()),
            (Some("nightly-2025-06-21"), Some("nightly-2025-08-01"))
        );
        assert_eq!(nightlies["outcome"], "located", "{nightlies:#}");
        let located = &nightlies["located"];
        assert_eq!(
            (located["from"].as_str(), located["to"].as_str()),
            (Some("nightly-2025-07-14"), Some("nightly-2025-07-15"))
        );
        assert_eq!(
            located["commits"], "https://github.com/rust-lang/rust/compare/c0ffee2025-07-14...c0ffee2025-07-15",
            "{located:#}"
        );
        let steps = nightlies["steps"].as_array().unwrap().len();
        assert!(steps <= 8, "about log2(42) + 1 steps, not 42: {steps}");
        let builds = runner.log().into_iter().filter(|c| c.has_arg("--offline"));
        let measured: std::collections::BTreeSet<String> = builds.filter_map(|c| day_of(&c)).collect();
        assert!(measured.len() <= steps + 2, "only the nightlies the halving needs: {measured:?}");
        assert!(nightlies["summary"].as_str().unwrap().contains("nightly-2025-07-14 → nightly-2025-07-15"));
    }

    /// Case 80: the nightly step table took 121-136 columns in a pipe or a file, where the
    /// README promises 100: a nightly is named by its date under the heading that says so.
    #[test]
    fn the_nightly_step_table_fits_100_columns() {
        let train = nightly::train(90);
        let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]).with_nightlies(&train, "1.90.0-nightly");
        let runner = nightly_step_runner(&project);
        let out = project.file("bisect.txt");
        let args = ["bisect", "1.88", "1.90", "--scenario", "touched", "--nightlies", "--format", "table", "-o", &out];
        let config = project.subcommand_config(&runner, &args);
        run(&runner, &config, &Progress::new(true)).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest <= 100, "{widest} columns:\n{text}");
        assert!(text.contains("nightlies of 1.90 (nightly-2025-06-21 to nightly-2025-08-01):"), "{text}");
        assert!(text.contains("2025-06-21 → 2025-08-01"), "each nightly by its date: {text}");
    }

    /// `--install` with `--nightlies`: only the nightlies a step measures are installed, each
    /// before its step, and all of them are removed at the end.
    #[test]
    fn nightlies_are_installed_step_by_step_and_removed_after() {
        use std::sync::{Arc, Mutex};
        let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]);
        let host = "-x86_64-unknown-linux-gnu";
        let listed: Arc<Mutex<Vec<String>>> =
            Arc::new(Mutex::new(["1.88.0", "1.89.0", "1.90.0"].iter().map(|s| s.to_string()).collect()));
        let toolchains = project.dir.path().join("toolchains");
        let (list, install, uninstall) = (Arc::clone(&listed), Arc::clone(&listed), Arc::clone(&listed));
        let out = |text: String| crate::testing::output(Some(0), &text, "", 0.0);
        let runner = project
            .runner()
            .replacing("rustup toolchain list", move |_, _| {
                out(list.lock().unwrap().iter().map(|n| format!("{n}{host}\n")).collect())
            })
            .responding("rustup toolchain install nightly-", move |_, cmd| {
                let name = cmd.args[2].to_string_lossy().into_owned();
                let bin = toolchains.join(&name).join("bin");
                std::fs::create_dir_all(&bin).unwrap();
                std::fs::write(bin.join("cargo"), "").unwrap();
                install.lock().unwrap().push(name);
                out(String::new())
            })
            .responding("rustup toolchain uninstall nightly-", move |_, cmd| {
                let name = cmd.args[2].to_string_lossy().into_owned();
                uninstall.lock().unwrap().retain(|n| *n != name);
                out(String::new())
            })
            .responding("rustc +nightly-", move |_, cmd| {
                let day = cmd.to_string().split("+nightly-").nth(1).unwrap()[..10].to_string();
                out(format!(
                    "rustc 1.90.0-nightly (c0ffee{day} {day})\nbinary: rustc\ncommit-hash: c0ffee{day}\ncommit-date: {day}\nhost: x86_64-unknown-linux-gnu\nrelease: 1.90.0-nightly\n"
                ))
            });
        let rustc_of = project.dir.path().join("toolchains");
        let runner = runner
            .responding("rustup which --toolchain nightly-", move |_, cmd| {
                let name = cmd.args[2].to_string_lossy().into_owned();
                out(format!("{}\n", rustc_of.join(name).join("bin/rustc").display()))
            })
            .timing("--offline --locked", |n, cmd| {
                let faster = match day_of(cmd) {
                    Some(day) => day.as_str() >= "2025-07-15",
                    None => minor_of(cmd) >= 90,
                };
                (if faster { 5.0 } else { 10.0 }) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
            });
        let args = ["1.89", "1.90", "--scenario", "touched", "--nightlies", "--install"];
        let (code, doc) = bisect(&project, &runner, &args);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        let nightlies = &doc["nightlies"];
        assert_eq!(nightlies["located"]["to"], "nightly-2025-07-15", "{nightlies:#}");
        let installed: Vec<String> =
            nightlies["installed"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
        assert!(installed.len() <= 9 && installed.len() >= 4, "those the halving needed, not 42: {installed:?}");
        let lines = runner.lines();
        let first_install = lines.iter().position(|l| l.contains("toolchain install nightly-")).unwrap();
        let first_build = lines.iter().position(|l| l.contains("--offline") && l.contains("+nightly-")).unwrap();
        let last_install = lines.iter().rposition(|l| l.contains("toolchain install nightly-")).unwrap();
        assert!(first_install < first_build && first_build < last_install, "installed step by step: {lines:#?}");
        for name in &installed {
            assert!(lines.iter().any(|l| l.ends_with(&format!("toolchain uninstall {name}"))), "{name} removed");
        }
        assert_eq!(listed.lock().unwrap().len(), 3, "only the stable releases are left");
    }

    #[test]
    fn nightlies_not_installed_are_named_with_what_would_install_them() {
        let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]);
        let runner = project.runner().timing("--offline --locked", |n, cmd| {
            (if minor_of(cmd) >= 90 { 5.0 } else { 10.0 }) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
        });
        let (code, doc) = bisect(&project, &runner, &["1.88", "1.90", "--scenario", "touched", "--nightlies"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        let nightlies = &doc["nightlies"];
        assert!(nightlies["outcome"].is_null(), "{nightlies:#}");
        assert!(
            nightlies["summary"].as_str().unwrap().starts_with(
                "0 of the 42 nightlies of 1.90's train (nightly-2025-06-21 to nightly-2025-08-01) are installed; `--install` installs those the halving needs"
            ),
            "{nightlies:#}"
        );
    }

    #[test]
    fn a_step_change_is_located_through_the_engine_measuring_few_releases() {
        let (project, runner) = machine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88.0"]);
        assert_eq!(code, exit::SUCCESS);
        assert_eq!(doc["schema"], 2);
        assert_eq!(doc["outcome"], "located", "{doc:#}");
        assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.83.0"), Some("1.84.0")));
        let clean = &doc["located"]["scenarios"]["clean"];
        assert_eq!(clean["verdict"], "faster");
        assert!((clean["speedup"]["point"].as_f64().unwrap() - 2.0).abs() < 0.1, "{clean:#}");
        // Nine releases: the ends, then log2(8) = 3 halvings.
        assert!(doc["steps"].as_array().unwrap().len() <= 4, "{doc:#}");
        let measured = built(&runner);
        assert!(measured.len() <= 5 && measured.contains(&83) && measured.contains(&84), "{measured:?}");
        let releases = doc["releases"].as_array().unwrap();
        assert_eq!(releases.len(), 9);
        let not_needed = releases.iter().filter(|r| r["status"] == "not-needed").count();
        assert_eq!(not_needed, 9 - measured.len(), "{releases:#?}");
        assert!(doc["summary"].as_str().unwrap().contains("the change is in 1.83.0 → 1.84.0"), "{doc:#}");
        assert_eq!(std::fs::read_to_string(project.root.join("src/main.rs")).unwrap(), "fn main() {}\n");
        let [_, schema] = crate::report::schema::documents();
        let schema: serde_json::Value = serde_json::from_str(&schema.generated).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn no_change_between_the_ends_stops_after_measuring_them() {
        let (project, runner) = machine(|_| 10.0);
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88"]);
        assert_eq!(code, exit::SUCCESS);
        assert_eq!(doc["outcome"], "no-change", "{doc:#}");
        assert_eq!(doc["steps"].as_array().unwrap().len(), 1);
        assert_eq!(built(&runner), [80, 88]);
    }

    #[test]
    fn a_release_that_cannot_build_is_skipped_with_its_reason() {
        let project = nine_releases();
        // Rules match in order: the failure comes first.
        let failing = project
            .runner()
            .fail("timewarp/1.84.0", 101, "error[E0658]: use of unstable library feature `x`\n")
            .timing("--offline --locked", noisy(|minor| if minor >= 86 { 5.0 } else { 10.0 }));
        let (code, doc) = bisect(&project, &failing, &["1.80", "1.88"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.85.0"), Some("1.86.0")));
        let release = doc["releases"].as_array().unwrap().iter().find(|r| r["release"] == "1.84").unwrap().clone();
        assert_eq!(release["status"], "failed", "{release:#}");
        assert!(release["reason"].as_str().unwrap().contains("E0658"), "{release:#}");
    }

    /// [`nine_releases`] where only 1.80.0 and 1.88.0 are installed until `--install` adds the
    /// others under rustup's names for them (`1.81`), all official builds, with builds taking
    /// `seconds(minor)`.
    fn two_of_nine(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> (Project, FakeRunner) {
        let (project, mut runner) = two_of_nine_built_by_debian(seconds);
        for (name, version) in &project.toolchains {
            let vv = format!(
                "rustc {version} (0123456789 2025-01-01)\nbinary: rustc\ncommit-hash: 0123456789abcdef{version}\ncommit-date: 2025-01-01\nhost: x86_64-unknown-linux-gnu\nrelease: {version}\n"
            );
            runner = runner.in_turn(&format!("rustc +{name}-x86_64-unknown-linux-gnu -vV"), &[&vv]);
        }
        (project, runner)
    }

    /// [`two_of_nine`] with Debian's builds.
    fn two_of_nine_built_by_debian(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> (Project, FakeRunner) {
        let mut project = nine_releases();
        for (name, version) in project.toolchains.iter_mut().filter(|(n, _)| n != "1.80.0" && n != "1.88.0") {
            let short = version.trim_end_matches(".0").to_string();
            let dirs = project.dir.path().join("toolchains");
            std::fs::rename(dirs.join(&*name), dirs.join(&short)).unwrap();
            *name = short;
        }
        let listing =
            |names: &[&str]| -> String { names.iter().map(|n| format!("{n}-x86_64-unknown-linux-gnu\n")).collect() };
        // rustup cannot install 1.82.
        let all: Vec<&str> = project.toolchains.iter().map(|(n, _)| n.as_str()).filter(|n| *n != "1.82").collect();
        let (before, after) = (listing(&["1.80.0", "1.88.0"]), listing(&all));
        // Listed three times before the installs (the ends, discovery, the install's own look).
        let runner = project
            .runner()
            .in_turn("rustup toolchain list", &[&before, &before, &before, &after])
            .fail("toolchain install 1.79 ", 1, "error: no release found for '1.79'\n")
            .fail("toolchain install 1.82 ", 1, "error: could not download file from 'https://static.rust-lang.org/dist/channel-rust-1.82.toml.sha256'\n")
            .ok("toolchain install", "")
            .ok("toolchain uninstall", "")
            .timing("--offline --locked", noisy(seconds));
        (project, runner)
    }

    #[test]
    fn install_adds_the_missing_releases_then_removes_them_after_the_last_build() {
        let (project, runner) = two_of_nine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--install"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        assert_eq!(doc["outcome"], "located", "{doc:#}");
        assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.83"), Some("1.84")));
        let lines = runner.lines();
        let installs: Vec<&str> = lines.iter().filter_map(|l| l.split("toolchain install ").nth(1)).collect();
        let wanted: Vec<String> = (81..=87).map(|m| format!("1.{m} --profile minimal")).collect();
        assert_eq!(installs, wanted, "every missing release, oldest first, the ends not among them");
        let release = doc["releases"].as_array().unwrap().iter().find(|r| r["release"] == "1.82").unwrap().clone();
        assert_eq!(release["status"], "missing", "rustup could not install it: {release:#}");
        let removals: Vec<&str> = lines.iter().filter_map(|l| l.split("toolchain uninstall ").nth(1)).collect();
        assert_eq!(removals, ["1.81", "1.83", "1.84", "1.85", "1.86", "1.87"], "what it installed, nothing else");
        let last_build = lines.iter().rposition(|l| l.starts_with("cargo build")).unwrap();
        let first_install = lines.iter().position(|l| l.contains("toolchain install")).unwrap();
        let first_build = lines.iter().position(|l| l.starts_with("cargo build")).unwrap();
        let first_removal = lines.iter().position(|l| l.contains("toolchain uninstall")).unwrap();
        assert!(first_install < first_build && last_build < first_removal, "installs, builds, then removals");
    }

    #[test]
    fn keep_installed_keeps_what_install_added_and_install_needs_asking() {
        let (project, runner) = two_of_nine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
        let (code, _) = bisect(&project, &runner, &["1.80", "1.88", "--install", "--keep-installed"]);
        assert_eq!(code, exit::SUCCESS);
        assert!(runner.lines().iter().any(|l| l.contains("toolchain install")));
        assert!(!runner.lines().iter().any(|l| l.contains("uninstall")));

        // Without --install the span's missing releases stay missing, and nothing is installed.
        let (project, runner) = two_of_nine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        assert_eq!(built(&runner), [80, 88]);
        assert!(!runner.lines().iter().any(|l| l.contains("toolchain install")));
        let missing = doc["releases"].as_array().unwrap().iter().filter(|r| r["status"] == "missing").count();
        assert_eq!(missing, 7, "{doc:#}");
        assert_eq!(doc["located"]["narrow"], "cargo timewarp bisect 1.80.0 1.88.0 --install", "{doc:#}");
        // Official builds would be left out of a span of Debian's: nothing to install then.
        let (project, runner) = two_of_nine_built_by_debian(|_| 10.0);
        let (code, _) = bisect(&project, &runner, &["1.80", "1.88", "--install"]);
        assert_eq!(code, exit::SUCCESS);
        assert!(!runner.lines().iter().any(|l| l.contains("toolchain install")));
        // An end that is not installed is named with the flag that would install it.
        let (project, runner) = two_of_nine(|_| 10.0);
        let config = project.subcommand_config(&runner, &["bisect", "1.79", "1.88"]);
        let err = run(&runner, &config, &Progress::new(true)).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::USAGE);
        assert!(
            format!("{err:#}").ends_with("`--install` installs the span's missing releases for the bisection"),
            "{err:#}"
        );
        // With --install, an end rustup could not install fails after the installs, and what
        // was installed goes.
        let (project, runner) = two_of_nine(|_| 10.0);
        let config = project.subcommand_config(&runner, &["bisect", "1.79", "1.88", "--install"]);
        let err = run(&runner, &config, &Progress::new(true)).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::FAILURE);
        assert_eq!(format!("{err:#}"), "FROM `1.79` is not installed, and --install could not install it");
        assert!(!runner.lines().iter().any(|l| l.starts_with("cargo build")));
        assert!(runner.lines().iter().any(|l| l.ends_with("toolchain uninstall 1.81")), "{:#?}", runner.lines());
    }

    /// A failed probe is not a missing toolchain: 1.84.0 is installed but its `rustc -vV` timed
    /// out, so `--install` installs nothing for it (before, it installed `1.84`, a release the
    /// user had not asked for).
    #[test]
    fn install_never_installs_a_release_whose_probe_failed() {
        let project = nine_releases();
        let mut runner = project
            .runner()
            .timing("--offline --locked", noisy(|minor| if minor >= 84 { 5.0 } else { 10.0 }))
            .ok("toolchain install", "")
            .ok("toolchain uninstall", "");
        for (name, version) in &project.toolchains {
            let vv = format!(
                "rustc {version} (0123456789 2025-01-01)\nbinary: rustc\ncommit-hash: 0123456789abcdef{version}\ncommit-date: 2025-01-01\nhost: x86_64-unknown-linux-gnu\nrelease: {version}\n"
            );
            runner = runner.in_turn(&format!("rustc +{name}-x86_64-unknown-linux-gnu -vV"), &[&vv]);
        }
        let runner = runner.replacing("rustc +1.84.0-x86_64-unknown-linux-gnu -vV", |_, _| crate::process::Output {
            timed_out: true,
            ..crate::testing::output(None, "", "", 60.0)
        });
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--install"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        let installs: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("toolchain install")).collect();
        assert_eq!(installs, Vec::<String>::new(), "every release is installed, one did not answer its probe");
    }

    #[test]
    fn bad_spans_are_one_line_errors_before_any_build() {
        let (project, runner) = machine(|_| 1.0);
        for (args, code, start) in [
            (["1.88", "1.80"], exit::USAGE, "`bisect 1.88 1.80`: FROM (1.88.0) must be an older release than TO"),
            (["1.80", "1.99.0"], exit::USAGE, "TO `1.99.0` is not an installed toolchain (installed: 1.80.0,"),
        ] {
            let config = project.subcommand_config(&runner, &["bisect", args[0], args[1]]);
            let err = run(&runner, &config, &Progress::new(true)).unwrap_err();
            assert_eq!(exit::code_for(&err), code, "{err}");
            assert!(err.to_string().starts_with(start), "{err}");
        }
        // The project's rust-version is 1.80: a 1.79 cannot stand at an end.
        let project = Project::new(&["1.79.0", "1.88.0"]);
        let runner = project.runner().timing("--offline --locked", |_, _| 1.0);
        let config = project.subcommand_config(&runner, &["bisect", "1.79", "1.88"]);
        let err = run(&runner, &config, &Progress::new(true)).unwrap_err();
        assert_eq!(exit::code_for(&err), exit::NO_ELIGIBLE_TOOLCHAIN, "{err}");
        assert!(err.to_string().starts_with("FROM `1.79.0` cannot be measured: below MSRV 1.80"), "{err}");
        assert!(built(&runner).is_empty());
    }

    #[test]
    fn missing_releases_are_named_and_a_located_step_says_where_they_lie() {
        let project = Project::new(&["1.80.0", "1.83.0", "1.88.0"]);
        let runner = project.runner().timing("--offline --locked", noisy(|minor| if minor >= 85 { 5.0 } else { 10.0 }));
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--scenario", "clean"]);
        assert_eq!(code, exit::SUCCESS);
        assert_eq!(doc["located"]["from"], "1.83.0");
        assert_eq!(doc["located"]["unmeasured_between"], serde_json::json!(["1.84", "1.85", "1.86", "1.87"]));
        let warning = doc["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|w| w.as_str().filter(|w| w.contains("missing")))
            .unwrap();
        assert!(
            warning.starts_with("3 of the span's 9 releases are installed; missing: 1.81-1.82, 1.84-1.87."),
            "{warning}"
        );
        assert!(doc["summary"].as_str().unwrap().contains("any release from 1.84 to 1.88 may hold it"), "{doc:#}");
        assert!(doc["located"]["scenarios"].get("touched").is_none(), "--scenario clean measures clean alone");
    }

    #[test]
    fn every_format_carries_the_steps_and_the_answer() {
        let (project, runner) = machine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
        let mut outputs = Vec::new();
        let json = project.file("bisect.json");
        for file in ["bisect.md", "bisect.csv", "bisect.txt", "bisect.svg"] {
            let out = project.file(file);
            let args: Vec<&str> = match file {
                "bisect.txt" => vec!["bisect", "1.80", "1.88", "--format", "table", "-o", &out],
                "bisect.svg" => vec!["bisect", "1.80", "1.88", "-o", &json, "--plot", &out],
                _ => vec!["bisect", "1.80", "1.88", "-o", &out],
            };
            let config = project.subcommand_config(&runner, &args);
            run(&runner, &config, &Progress::new(true)).unwrap();
            outputs.push(std::fs::read_to_string(project.root.join(file)).unwrap());
        }
        let [markdown, csv, table, svg] = &outputs[..] else { unreachable!() };
        assert!(markdown.starts_with("**Which release moved the `touched` builds (`cargo build`) of `"), "{markdown}");
        assert!(markdown.contains("| step | change | rounds | clean | touched | check-touched | kept |"), "{markdown}");
        assert!(markdown.contains("**1.83.0 → 1.84.0**"), "{markdown}");
        assert!(
            csv.starts_with(
                "step,from,to,scenario,speedup,speedup_low,speedup_high,verdict,share_pct,link_speedup,compile_speedup,kept\n1,"
            ),
            "{csv}"
        );
        assert!(csv.lines().any(|l| l.contains(",1.83.0,1.84.0,clean,")), "{csv}");
        assert!(table.starts_with("bisect:    /"), "{table}");
        assert!(table.lines().next().unwrap().ends_with(" (`cargo build`)"), "{table}");
        assert!(table.contains("releases:  1.80 measured, "), "{table}");
        assert!(table.contains("the change is in 1.83.0 → 1.84.0"), "{table}");
        let doc = roxmltree::Document::parse(svg).unwrap();
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(texts.iter().any(|t| t.contains("located: 1.83.0 to 1.84.0")), "{texts:?}");
    }

    /// On git-delta's old revision a step took 9 minutes: the whole search must fit `--budget`,
    /// and a step cut to one round by it is no answer (it was once reported as "no change").
    #[test]
    fn a_spent_budget_ends_the_search_with_the_span_so_far() {
        let (project, runner) = machine(|minor| if minor >= 87 { 5.0 } else { 10.0 });
        let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--budget", "3m"]);
        assert_eq!(code, exit::SUCCESS, "{doc:#}");
        assert_eq!(doc["outcome"], "unfinished", "{doc:#}");
        // Its first step's share of 3 minutes (a quarter: three halvings may follow) allows one round.
        let summary = doc["summary"].as_str().unwrap();
        assert!(
            summary.contains(": a step had one round, which gives no interval, so nothing could be decided"),
            "{summary}"
        );
        assert!(summary.ends_with("; the change lies between 1.80.0 and 1.88.0"), "{summary}");
        assert!(doc["elapsed_s"].as_f64().unwrap() < 3.0 * 60.0 + 120.0, "one step past the budget at most: {doc:#}");
    }
}
