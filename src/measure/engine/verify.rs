//! The proof a timed build measured what it claims: a rebuild shows cargo compiling what its
//! change should rebuild (the touched file's package; for `deep`, the library and a dependent),
//! and its wall time holds no stop of timewarp itself.

use std::path::Path;
use std::time::Duration;

use super::outcome::{Redone, SetAside};
use super::run::Run;
use crate::discover::workspace::{DeepTarget, Workspace};
use crate::process::Output;
use crate::stats;
use crate::vocab::Scenario;

/// built members depend on; each rebuild must show the library and a dependent compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeepEdit {
    /// The library's package.
    pub(crate) package: String,
    /// Its root file, as sentences name it (relative to the workspace root).
    pub(crate) file: String,
    /// The built packages that depend on it.
    pub(crate) dependents: Vec<String>,
}

impl DeepEdit {
    /// The edit of `library` in `workspace`.
    pub(crate) fn new(workspace: &Workspace, library: &DeepTarget) -> DeepEdit {
        let file = library.file.strip_prefix(&workspace.root).unwrap_or(&library.file).display().to_string();
        DeepEdit { package: library.package.clone(), file, dependents: library.dependents.clone() }
    }

    /// Whether cargo's output shows the library and at least one dependent compiling.
    pub(crate) fn compiled(&self, stderr: &str) -> bool {
        let names: Vec<&str> = compiled_packages(stderr).collect();
        names.contains(&self.package.as_str()) && self.dependents.iter().any(|d| names.contains(&d.as_str()))
    }

    pub(crate) fn failure(&self) -> String {
        format!(
            "a new public item in {} did not rebuild both `{}` and a package that depends on it",
            self.file, self.package
        )
    }
}

/// The packages cargo's output shows compiling or checking, one per `Compiling NAME vX` line.
pub(crate) fn compiled_packages(stderr: &str) -> impl Iterator<Item = &str> {
    stderr.lines().map(str::trim_start).filter_map(|line| {
        let rest = line.strip_prefix("Compiling ").or_else(|| line.strip_prefix("Checking "))?;
        rest.split(' ').next()
    })
}

/// The proof a rebuild did what it claims: cargo compiled the package that owns the file
/// changed before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verification {
    /// The package that owns the touched file; `None` when no member does (then any crate
    /// compiled will do).
    pub(crate) package: Option<String>,
    /// The touched file, as the failure sentence names it.
    pub(crate) file: String,
}

impl Verification {
    /// What rebuilds after changing `touched` must show in `workspace`; with a note when the
    /// file is in no directory of a target the build compiles (`tests/t.rs`): its rebuilds will
    /// fail, saying so.
    pub(crate) fn new(workspace: &Workspace, touched: &Path) -> (Verification, Option<String>) {
        let file = touched.strip_prefix(&workspace.root).unwrap_or(touched).display().to_string();
        let member = workspace.member_of(touched);
        let note = member.filter(|m| !m.built_dirs.iter().any(|d| touched.starts_with(d))).map(|m| {
            format!(
                "`{file}` is in no directory of a target a build of `{}` compiles (its library, binaries or build script); cargo may rebuild nothing when it changes",
                m.name
            )
        });
        (Verification { package: member.map(|m| m.name.clone()), file }, note)
    }

    /// Whether cargo's output shows it compiling (or checking) the package.
    pub(crate) fn compiled(&self, stderr: &str) -> bool {
        let mut names = compiled_packages(stderr).peekable();
        match &self.package {
            Some(package) => names.any(|name| name == package),
            None => names.peek().is_some(),
        }
    }

    pub(crate) fn failure(&self) -> String {
        format!("touching {} rebuilt nothing: no target of the build compiles it", self.file)
    }
}

/// A timewarp held up this long while a timed build ran (stopped by Ctrl-Z or SIGSTOP, or the
/// machine seized) has its sample set aside, when the stop is also at least [`PAUSE_SHARE`] of
/// the build's wall time: builds run in process groups of their own and go on while timewarp is
/// stopped, so the wall time, read when timewarp runs again, holds up to the whole stop.
pub(crate) const PAUSE_FLOOR: Duration = Duration::from_millis(100);
/// See [`PAUSE_FLOOR`]: a stop of 1 % of a 100 s clean build does not cost that build again.
pub(crate) const PAUSE_SHARE: f64 = 0.01;
/// Whether `out`'s wall time holds a stop of timewarp that matters (see [`PAUSE_FLOOR`]).
pub(crate) fn held_up(out: &Output) -> bool {
    out.paused >= PAUSE_FLOOR && out.paused.as_secs_f64() >= PAUSE_SHARE * out.elapsed.as_secs_f64()
}

/// A build is seized when its wall time is more than this many times its cell's median so far.
pub(crate) const SEIZED_FACTOR: f64 = 3.0;
/// The samples a cell needs before the rule judges its builds: fewer say too little of its usual
/// time.
pub(crate) const SEIZED_MIN_SAMPLES: usize = 3;

/// Whether a timed build of `wall_s` seconds is far beyond what its round predicts: the machine
/// was seized by something else (another heavy job, swapping) while timewarp itself ran, which
/// [`held_up`] cannot see. Conservative on purpose: `cell` (the subject's earlier samples of the
/// scenario) must hold [`SEIZED_MIN_SAMPLES`], the build must take more than [`SEIZED_FACTOR`]
/// times their median, and more than that factor beyond what the other subjects of the same
/// round show: `round` holds each one's ratio of its build this round to its own median, and a
/// round slow for every subject (paired, so its drift cancels) sets nothing aside. Returns the
/// median the build was judged against when it is seized.
pub(crate) fn seized(wall_s: f64, cell: &[f64], round: &[f64]) -> Option<f64> {
    if cell.len() < SEIZED_MIN_SAMPLES {
        return None;
    }
    let expected = stats::median(cell)?;
    let ratio = wall_s / expected;
    let round_ratio = stats::median(round).unwrap_or(1.0).max(1.0);
    (ratio > SEIZED_FACTOR && ratio / round_ratio > SEIZED_FACTOR).then_some(expected)
}

/// Each other subject's build of `scenario` in `round` so far, as a ratio to the median of its
/// samples before it (those with at least [`SEIZED_MIN_SAMPLES`] of them): what the round shows.
pub(crate) fn round_ratios(runs: &[Run], subject: usize, scenario: Scenario, round: usize) -> Vec<f64> {
    let ratio = |run: &Run| {
        let samples = run.samples(scenario);
        let (last, before) = samples.split_last()?;
        let earlier: Vec<f64> = before.iter().map(|s| s.wall_s).collect();
        (last.round == round && earlier.len() >= SEIZED_MIN_SAMPLES).then_some(())?;
        Some(last.wall_s / stats::median(&earlier)?)
    };
    runs.iter().enumerate().filter(|(i, _)| *i != subject).filter_map(|(_, run)| ratio(run)).collect()
}

/// Sets aside `run`'s sample of `scenario` just taken in `round` when it is [`seized`] (given
/// `others`, the round's ratios), to be built again as a build during which timewarp was held
/// up is.
pub(crate) fn set_aside_if_seized(run: &mut Run, scenario: Scenario, round: usize, others: &[f64]) {
    let Some(samples) = run.measured.samples.get_mut(&scenario) else { return };
    let Some((last, before)) = samples.split_last() else { return };
    if last.round != round {
        return;
    }
    let earlier: Vec<f64> = before.iter().map(|s| s.wall_s).collect();
    let Some(expected_s) = seized(last.wall_s, &earlier, others) else { return };
    let wall_s = last.wall_s;
    samples.pop();
    let why = SetAside::Seized { expected_s };
    run.measured.redone.push(Redone { scenario, round, wall_s, paused_s: 0.0, why, again: true });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_reads_cargos_compiling_and_checking_lines() {
        let v = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        assert!(v.compiled("   Compiling app v0.1.0 (/w)\n    Finished"));
        assert!(v.compiled("    Checking app v0.1.0 (/w)\n"));
        assert!(!v.compiled("   Compiling application v0.1.0 (/w)\n"), "another package");
        assert!(!v.compiled("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.02s\n"));
        let any = Verification { package: None, file: "build-helpers/x.rs".into() };
        assert!(any.compiled("   Compiling whatever v2.0.0\n"));
    }

    #[test]
    fn a_build_ten_times_its_cell_is_seized_and_twenty_percent_noise_never_is() {
        let cell = [1.0, 1.1, 0.9];
        assert_eq!(seized(10.0, &cell, &[]), Some(1.0), "10x its median, alone in its round");
        assert_eq!(seized(10.0, &cell, &[1.05, 0.95]), Some(1.0), "10x while the round's others were as usual");
        assert_eq!(seized(10.0, &cell[..2], &[]), None, "two samples say too little");
        assert_eq!(seized(10.0, &cell, &[8.0]), None, "the whole round was slow: paired, it cancels");
        assert_eq!(seized(2.9, &cell, &[]), None, "under 3x its median");
        // Log-normal noise of 20 % (σ = 0.2) over many cells: 3x its median is more than 4σ away.
        let mut rng = crate::testing::Rng::new(7);
        for _ in 0..2_000 {
            let mut noisy = || rng.noise(0.2) * 10.0;
            let cell: Vec<f64> = (0..3).map(|_| noisy()).collect();
            let round: Vec<f64> = (0..2).map(|_| noisy() / 10.0).collect();
            assert_eq!(seized(noisy(), &cell, &round), None);
        }
    }
}
