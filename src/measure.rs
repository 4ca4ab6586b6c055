//! Timed builds: for each toolchain, clean builds and touch-a-file incremental rebuilds, in a
//! target directory of its own and an environment that cannot distort the timing.
//!
//! Every toolchain is run the same way: `cargo +NAME build --offline --locked` with `RUSTC`
//! pointing at that toolchain's own rustc (cargo before 1.71 would otherwise go through rustup's
//! proxy for every rustc it spawns), wrappers disabled, and artifacts under
//! `<target>/timewarp/<version>/` so no toolchain sees another's and the user's `target/debug`
//! is never touched. Dependency sources are prepared once, untimed, before any timing.
//! This module does not know how results are displayed or how toolchains were chosen.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::process::{CommandSpec, Output, Runner, first_error_line};
use crate::restore::{EditedFile, TouchedFile};
use crate::toolchain::{Toolchain, rustup_proxy};

/// Variables that would make a timing measure something else; removed from every build.
/// `RUSTC_WRAPPER` (sccache would fake a clean build), an inherited toolchain choice, another
/// rustc or target directory, and their `CARGO_BUILD_*` config equivalents.
pub const DISTORTING_ENV: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTUP_TOOLCHAIN",
    "RUSTC",
    "RUSTDOC",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTDOC",
];

/// The names in [`DISTORTING_ENV`] that are set in `env`, so the user can be told what was removed.
pub fn distorting_vars_present<I, K, V>(env: I) -> Vec<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<std::ffi::OsStr>,
{
    let mut present: Vec<String> = env
        .into_iter()
        .filter_map(|(k, _)| k.as_ref().to_str().map(str::to_string))
        .filter(|k| DISTORTING_ENV.contains(&k.as_str()))
        .collect();
    present.sort();
    present
}

/// The cargo command timed: `build`, or `check` (the feedback loop most people live in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CargoCommand {
    /// `cargo build`.
    Build,
    /// `cargo check`.
    Check,
}

impl CargoCommand {
    /// The subcommand's name.
    pub fn name(self) -> &'static str {
        match self {
            CargoCommand::Build => "build",
            CargoCommand::Check => "check",
        }
    }
}

/// The cargo profile timed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// The default `dev` profile.
    Dev,
    /// `--release`.
    Release,
    /// `--profile NAME` (cargo 1.57 or newer).
    Named(String),
}

impl Profile {
    /// The profile's name, as reports show it.
    pub fn name(&self) -> &str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
            Profile::Named(name) => name,
        }
    }

    fn args(&self) -> Vec<String> {
        match self {
            Profile::Dev => Vec::new(),
            Profile::Release => vec!["--release".into()],
            Profile::Named(name) => vec!["--profile".into(), name.clone()],
        }
    }
}

/// What to build and how often.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Workspace root; builds run there.
    pub root: PathBuf,
    /// The root manifest.
    pub manifest_path: PathBuf,
    /// `<workspace target dir>/timewarp`: everything timewarp writes lives below it.
    pub work_dir: PathBuf,
    /// `-p` names to pass, empty for the workspace's default members.
    pub packages: Vec<String>,
    /// Clean builds per toolchain.
    pub clean_runs: usize,
    /// Incremental rebuilds per toolchain, after the clean builds.
    pub incremental_runs: usize,
    /// `--config` arguments every build gets (source replacement for vendored dependencies).
    pub cargo_config: Vec<String>,
    /// `build` or `check`.
    pub command: CargoCommand,
    /// The profile.
    pub profile: Profile,
    /// A build running longer than this is killed and its toolchain becomes a failed row.
    pub timeout: Option<std::time::Duration>,
    /// `--edit`: also time `incremental_runs` rebuilds after a real edit of the touched file.
    pub edit: bool,
    /// The Cargo.lock format version, to explain why an old cargo cannot read it.
    pub lockfile_version: Option<i64>,
    /// `--interleave`: run the toolchains round-robin (see [`measure_interleaved`]).
    pub interleave: bool,
}

/// One timed build.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Wall time in seconds.
    pub wall_s: f64,
    /// CPU seconds (user + system) of the whole cargo process tree, when known.
    pub cpu_s: Option<f64>,
    /// Peak resident memory of the largest process in the tree, bytes, when known.
    pub peak_rss: Option<u64>,
}

impl Sample {
    fn of(out: &Output) -> Sample {
        Sample { wall_s: out.elapsed.as_secs_f64(), cpu_s: out.cpu.map(|c| c.as_secs_f64()), peak_rss: out.peak_rss }
    }
}

/// Every sample of one toolchain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// Clean builds, in order.
    pub clean: Vec<Sample>,
    /// Incremental rebuilds after a touch, in order.
    pub incremental: Vec<Sample>,
    /// Incremental rebuilds after an edit (`--edit`), in order.
    pub patched: Vec<Sample>,
}

/// How one toolchain's measurement ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every build ran.
    Completed(Samples),
    /// A build failed; the first error line (or the timeout) says why.
    Failed(String),
    /// Ctrl-C or SIGTERM stopped it; the samples taken before are kept but not reported.
    Interrupted,
}

/// The measurements of one toolchain, or why it could not be measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildTiming {
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Where its artifacts went.
    pub target_dir: PathBuf,
    /// How it ended.
    pub outcome: Outcome,
}

/// The build about to run, reported for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    /// The toolchain's name.
    pub toolchain: &'a str,
    /// `clean`, `incremental` (after a touch) or `patched` (after an edit).
    pub kind: &'static str,
    /// Which run this is, from 1.
    pub run: usize,
    /// How many runs of this kind there are.
    pub of: usize,
}

/// The user's file that incremental builds change: its mtime always, its content with `--edit`.
pub struct ChangedFile<'a> {
    /// Touched before each `incremental` rebuild.
    pub touched: &'a TouchedFile,
    /// Patched before each `patched` rebuild and reverted after it.
    pub edited: Option<&'a EditedFile>,
}

/// The builds of one toolchain, in order: `plan.clean_runs` clean builds, then
/// `plan.incremental_runs` rebuilds after touching the file, then as many after editing it
/// (`--edit`), as (kind, run, of).
fn schedule(plan: &Plan, file: &ChangedFile<'_>) -> Vec<(&'static str, usize, usize)> {
    let patched_runs = if file.edited.is_some() && plan.edit { plan.incremental_runs } else { 0 };
    (1..=plan.clean_runs)
        .map(|run| ("clean", run, plan.clean_runs))
        .chain((1..=plan.incremental_runs).map(|run| ("incremental", run, plan.incremental_runs)))
        .chain((1..=patched_runs).map(|run| ("patched", run, patched_runs)))
        .collect()
}

/// One toolchain's measurement in progress.
struct ToolchainRun {
    toolchain: Toolchain,
    target_dir: PathBuf,
    build: Option<CommandSpec>,
    samples: Samples,
    ended: Option<Outcome>,
}

impl ToolchainRun {
    fn start(runner: &dyn Runner, plan: &Plan, toolchain: &Toolchain) -> ToolchainRun {
        let target_dir = plan.work_dir.join(toolchain.dir_name());
        let (build, ended) = match own_rustc(runner, &toolchain.name) {
            Ok(rustc) => (Some(build_command(plan, toolchain, &rustc, &target_dir)), None),
            Err(e) => (None, Some(Outcome::Failed(format!("{e:#}")))),
        };
        ToolchainRun { toolchain: toolchain.clone(), target_dir, build, samples: Samples::default(), ended }
    }

    /// Runs build `run` of `of` of `kind`, unless this toolchain has already ended.
    fn step(
        &mut self,
        runner: &dyn Runner,
        plan: &Plan,
        file: &ChangedFile<'_>,
        (kind, run, of): (&'static str, usize, usize),
        progress: &mut dyn FnMut(Step<'_>),
        stop: &dyn Fn() -> bool,
    ) -> Result<()> {
        let Some(build) = self.build.as_ref().filter(|_| self.ended.is_none()) else { return Ok(()) };
        if stop() {
            self.ended = Some(Outcome::Interrupted);
            return Ok(());
        }
        match (kind, file.edited) {
            ("clean", _) => remove_dir_below(&self.target_dir, &plan.work_dir)?,
            ("patched", Some(edited)) => edited.apply(run)?,
            _ => file.touched.touch()?,
        }
        progress(Step { toolchain: &self.toolchain.name, kind, run, of });
        let out = runner.run(build);
        if let ("patched", Some(edited)) = (kind, file.edited) {
            edited.revert()?;
        }
        let out = out?;
        if stop() {
            self.ended = Some(Outcome::Interrupted);
        } else if !out.success() {
            self.ended = Some(Outcome::Failed(failure_line(build, &out, &self.toolchain, plan.lockfile_version)));
        } else {
            let sample = Sample::of(&out);
            match kind {
                "clean" => self.samples.clean.push(sample),
                "incremental" => self.samples.incremental.push(sample),
                _ => self.samples.patched.push(sample),
            }
        }
        Ok(())
    }

    fn finish(self) -> BuildTiming {
        let outcome = self.ended.unwrap_or(Outcome::Completed(self.samples));
        BuildTiming { toolchain: self.toolchain, target_dir: self.target_dir, outcome }
    }
}

/// Measures one toolchain through its whole [`schedule`]. A failed build ends this toolchain
/// with its error line; `stop` is asked around every build and ends it as
/// [`Outcome::Interrupted`].
pub fn measure(
    runner: &dyn Runner,
    plan: &Plan,
    toolchain: &Toolchain,
    file: &ChangedFile<'_>,
    progress: &mut dyn FnMut(Step<'_>),
    stop: &dyn Fn() -> bool,
) -> Result<BuildTiming> {
    let mut state = ToolchainRun::start(runner, plan, toolchain);
    for step in schedule(plan, file) {
        state.step(runner, plan, file, step, progress, stop)?;
    }
    Ok(state.finish())
}

/// `--interleave`: the same builds, round-robin over the toolchains (clean run 1 of every
/// toolchain, then clean run 2, ...), so a machine that drifts during the run spreads its
/// drift over all rows instead of skewing one.
pub fn measure_interleaved(
    runner: &dyn Runner,
    plan: &Plan,
    toolchains: &[Toolchain],
    file: &ChangedFile<'_>,
    progress: &mut dyn FnMut(Step<'_>),
    stop: &dyn Fn() -> bool,
) -> Result<Vec<BuildTiming>> {
    let mut states: Vec<ToolchainRun> = toolchains.iter().map(|t| ToolchainRun::start(runner, plan, t)).collect();
    for step in schedule(plan, file) {
        for state in &mut states {
            state.step(runner, plan, file, step, progress, stop)?;
        }
    }
    Ok(states.into_iter().map(ToolchainRun::finish).collect())
}

/// Why a build failed, in one line, with what would fix it when timewarp knows.
fn failure_line(build: &CommandSpec, out: &Output, toolchain: &Toolchain, lockfile_version: Option<i64>) -> String {
    if out.timed_out {
        let limit = build.timeout.map_or(0, |t| t.as_secs());
        return format!("timed out after {limit} s (--timeout); the build was killed");
    }
    let line = first_error_line(&out.stderr).unwrap_or_else(|| format!("`{build}` failed ({})", out.status_text()));
    let v = &toolchain.version;
    if lockfile_version == Some(4) && (v.major, v.minor) < (1, 78) {
        return format!(
            "cargo {v} cannot read Cargo.lock version 4, which needs cargo 1.78 ({line}); time an older commit with `--rev`, and add `--lockfile-compat` to rewrite the private copy's lockfile as version 3"
        );
    }
    line
}

/// The toolchain's own rustc binary, from `rustup which`.
fn own_rustc(runner: &dyn Runner, name: &str) -> Result<PathBuf> {
    let which = CommandSpec::new(rustup_proxy("rustup")).args(["which", "--toolchain", name, "rustc"]);
    let out = runner.run(&which)?.ok_or_error(&which)?;
    let path = PathBuf::from(out.stdout.trim());
    if path.as_os_str().is_empty() {
        bail!("`{which}` printed no path");
    }
    Ok(path)
}

/// The build every sample runs: same flags, same environment policy, for every toolchain.
pub fn build_command(plan: &Plan, toolchain: &Toolchain, rustc: &Path, target_dir: &Path) -> CommandSpec {
    let mut cmd = CommandSpec::new(rustup_proxy("cargo"))
        .arg(format!("+{}", toolchain.name))
        .arg(plan.command.name())
        .args(["--offline", "--locked", "--color", "never"])
        .args(plan.profile.args())
        .arg("--manifest-path")
        .arg(&plan.manifest_path)
        .arg("--target-dir")
        .arg(target_dir)
        .cwd(&plan.root);
    for package in &plan.packages {
        cmd = cmd.args(["-p", package]);
    }
    for config in &plan.cargo_config {
        cmd = cmd.args(["--config", config]);
    }
    for key in DISTORTING_ENV {
        cmd = cmd.env_remove(*key);
    }
    if toolchain.needs_forced_incremental() {
        cmd = cmd.env("RUSTC_FORCE_INCREMENTAL", "1");
    }
    // Empty wrappers also override a `build.rustc-wrapper` in the user's cargo config.
    cmd.env("RUSTC", rustc).env("RUSTC_WRAPPER", "").env("RUSTC_WORKSPACE_WRAPPER", "").timeout(plan.timeout)
}

/// Removes `dir`, refusing anything that is not strictly inside `work_dir`: the only place
/// timewarp deletes from.
fn remove_dir_below(dir: &Path, work_dir: &Path) -> Result<()> {
    if !dir.starts_with(work_dir) || dir == work_dir {
        bail!("refusing to remove `{}`: it is not inside `{}`", dir.display(), work_dir.display());
    }
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove `{}`", dir.display()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeRunner, output};
    use crate::toolchain::parse_rustc_vv;

    fn toolchain(name: &str, vv: &str) -> Toolchain {
        let rustc = parse_rustc_vv(vv).unwrap();
        Toolchain {
            name: name.into(),
            aliases: vec![],
            release_date: crate::toolchain::release_date(&rustc.release, rustc.commit_date),
            version: rustc.release,
            commit_date: rustc.commit_date,
            commit_hash: rustc.commit_hash,
            host: rustc.host,
            description: rustc.short,
        }
    }

    struct Setup {
        _dir: tempfile::TempDir,
        plan: Plan,
        file: PathBuf,
    }

    fn setup(clean_runs: usize, incremental_runs: usize) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.rs");
        std::fs::write(&file, "fn main() {}").unwrap();
        let plan = Plan {
            root: dir.path().into(),
            manifest_path: dir.path().join("Cargo.toml"),
            work_dir: dir.path().join("target/timewarp"),
            packages: vec!["app".into()],
            clean_runs,
            incremental_runs,
            cargo_config: vec![],
            command: CargoCommand::Build,
            profile: Profile::Dev,
            timeout: None,
            edit: false,
            lockfile_version: None,
            interleave: false,
        };
        Setup { _dir: dir, plan, file }
    }

    const OLD: &str = include_str!("../testdata/rustc-vV-debian-1.63.txt");

    /// Measures Debian's 1.63.0 with `runner`, touching `file` and never stopping.
    fn measure_old(runner: &dyn Runner, plan: &Plan, file: &Path) -> BuildTiming {
        let touched = TouchedFile::register(file).unwrap();
        let changed = ChangedFile { touched: &touched, edited: None };
        measure(runner, plan, &toolchain("1.63.0", OLD), &changed, &mut |_| {}, &|| false).unwrap()
    }

    #[test]
    fn clean_then_incremental_with_a_hermetic_environment() {
        let s = setup(2, 3);
        let runner = FakeRunner::new()
            .ok("rustup which --toolchain 1.63.0 rustc", "/tc/1.63.0/bin/rustc\n")
            .timed("build", &[10.0, 12.0, 1.0, 2.0, 3.0]);
        std::fs::create_dir_all(s.plan.work_dir.join("1.63.0/debug")).unwrap();
        let touched = TouchedFile::register(&s.file).unwrap();
        let mut steps = Vec::new();
        let timing = measure(
            &runner,
            &s.plan,
            &toolchain("1.63.0", OLD),
            &ChangedFile { touched: &touched, edited: None },
            &mut |step| {
                let Step { kind, run, of, .. } = step;
                steps.push(format!("{kind} {run}/{of}"));
            },
            &|| false,
        )
        .unwrap();
        let Outcome::Completed(samples) = timing.outcome else { panic!("{:?}", timing.outcome) };
        let walls = |v: &[Sample]| v.iter().map(|s| s.wall_s).collect::<Vec<_>>();
        assert_eq!(walls(&samples.clean), [10.0, 12.0]);
        assert_eq!(walls(&samples.incremental), [1.0, 2.0, 3.0]);
        assert_eq!(steps, ["clean 1/2", "clean 2/2", "incremental 1/3", "incremental 2/3", "incremental 3/3"]);
        assert!(!s.plan.work_dir.join("1.63.0").exists(), "clean builds start from an empty target dir");

        let builds: Vec<CommandSpec> = runner.log().into_iter().filter(|c| c.has_arg("--offline")).collect();
        assert_eq!(builds.len(), 5);
        for build in &builds {
            let line = build.to_string();
            assert!(line.starts_with("cargo +1.63.0 build --offline --locked"), "{line}");
            assert!(line.contains(&format!("--target-dir {}", s.plan.work_dir.join("1.63.0").display())), "{line}");
            assert!(line.ends_with("-p app"), "{line}");
            assert_eq!(build.env_value("RUSTC").unwrap(), "/tc/1.63.0/bin/rustc");
            assert_eq!(build.env_value("RUSTC_WRAPPER").unwrap(), "");
            for key in ["RUSTUP_TOOLCHAIN", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR", "RUSTDOC"] {
                assert!(build.env_remove.iter().any(|k| k == key), "{key} not removed");
            }
        }
        touched.restore().unwrap();
    }

    /// A runner that records the touched file's content at every build.
    struct Snooping<'a> {
        file: &'a Path,
        seen: std::sync::Mutex<Vec<String>>,
    }

    impl Runner for Snooping<'_> {
        fn run(&self, cmd: &CommandSpec) -> Result<Output> {
            if cmd.has_arg("which") {
                return Ok(output(Some(0), "/bin/rustc\n", "", 0.0));
            }
            self.seen.lock().unwrap().push(std::fs::read_to_string(self.file).unwrap());
            Ok(output(Some(0), "", "", 0.5))
        }
    }

    #[test]
    fn interleaving_runs_the_same_builds_round_robin() {
        let s = setup(2, 2);
        let runner = FakeRunner::new().ok("rustup which", "/bin/rustc\n").timed("build", &[1.0]);
        let touched = TouchedFile::register(&s.file).unwrap();
        let file = ChangedFile { touched: &touched, edited: None };
        let new = toolchain("1.85.0", &OLD.replace("1.63.0", "1.85.0"));
        let mut order = Vec::new();
        let timings = measure_interleaved(
            &runner,
            &s.plan,
            &[toolchain("1.63.0", OLD), new],
            &file,
            &mut |step| order.push(format!("{} {} {}", step.toolchain, step.kind, step.run)),
            &|| false,
        )
        .unwrap();
        assert_eq!(
            order,
            [
                "1.63.0 clean 1",
                "1.85.0 clean 1",
                "1.63.0 clean 2",
                "1.85.0 clean 2",
                "1.63.0 incremental 1",
                "1.85.0 incremental 1",
                "1.63.0 incremental 2",
                "1.85.0 incremental 2",
            ]
        );
        for timing in &timings {
            let Outcome::Completed(samples) = &timing.outcome else { panic!("{:?}", timing.outcome) };
            assert_eq!((samples.clean.len(), samples.incremental.len()), (2, 2));
        }
        let dirs: Vec<_> = timings.iter().map(|t| t.target_dir.file_name().unwrap().to_owned()).collect();
        assert_eq!(dirs, ["1.63.0", "1.85.0"], "each toolchain keeps its own target dir");
        touched.restore().unwrap();
    }

    #[test]
    fn edit_patches_each_rebuild_differently_and_reverts() {
        let mut s = setup(1, 2);
        s.plan.edit = true;
        let touched = TouchedFile::register(&s.file).unwrap();
        let edited = EditedFile::register(&s.file, &s.plan.work_dir.join("edit-backup")).unwrap();
        let runner = Snooping { file: &s.file, seen: Default::default() };
        let file = ChangedFile { touched: &touched, edited: Some(&edited) };
        let timing = measure(&runner, &s.plan, &toolchain("1.63.0", OLD), &file, &mut |_| {}, &|| false).unwrap();
        let Outcome::Completed(samples) = timing.outcome else { panic!() };
        assert_eq!((samples.clean.len(), samples.incremental.len(), samples.patched.len()), (1, 2, 2));
        let seen = runner.seen.into_inner().unwrap();
        assert_eq!(
            &seen[..3],
            ["fn main() {}", "fn main() {}", "fn main() {}"],
            "clean and touch builds see the original"
        );
        assert!(seen[3].ends_with("const _: u32 = 1;\n") && seen[4].ends_with("const _: u32 = 2;\n"), "{seen:?}");
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() {}", "reverted after the last build");
        edited.restore().unwrap();
        touched.restore().unwrap();
    }

    #[test]
    fn check_release_and_forced_incremental_reach_the_command() {
        let mut s = setup(1, 1);
        s.plan.command = CargoCommand::Check;
        s.plan.profile = Profile::Named("bench-fast".into());
        let mut old = toolchain("1.59.0", &OLD.replace("1.63.0", "1.59.0"));
        let cmd = build_command(&s.plan, &old, Path::new("/r"), Path::new("/t"));
        assert!(
            cmd.to_string().starts_with(
                "cargo +1.59.0 check --offline --locked --color never --profile bench-fast --manifest-path"
            )
        );
        assert_eq!(cmd.env_value("RUSTC_FORCE_INCREMENTAL").unwrap(), "1");
        old.version = semver::Version::new(1, 60, 0);
        s.plan.profile = Profile::Release;
        let cmd = build_command(&s.plan, &old, Path::new("/r"), Path::new("/t"));
        assert!(cmd.has_arg("--release"));
        assert!(cmd.env_value("RUSTC_FORCE_INCREMENTAL").is_none());
    }

    #[test]
    fn a_failed_build_becomes_its_first_error_line() {
        let s = setup(1, 5);
        let stderr = "   Compiling app v0.1.0\nerror[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:5\nerror: could not compile `app`\n";
        let runner =
            FakeRunner::new().ok("rustup which", "/bin/rustc\n").answer("build", output(Some(101), "", stderr, 1.0));
        let timing = measure_old(&runner, &s.plan, &s.file);
        let expected = "error[E0658]: use of unstable library feature `int_roundings`";
        assert_eq!(timing.outcome, Outcome::Failed(expected.into()));
        assert_eq!(runner.lines().iter().filter(|l| l.contains(" build ")).count(), 1, "no rebuild after a failure");
    }

    #[test]
    fn a_toolchain_rustup_cannot_resolve_fails_alone() {
        let s = setup(1, 1);
        let runner = FakeRunner::new().fail("rustup which", 1, "error: toolchain 'x' is not installed");
        let timing = measure_old(&runner, &s.plan, &s.file);
        let Outcome::Failed(line) = timing.outcome else { panic!("{:?}", timing.outcome) };
        assert!(line.contains("is not installed"), "{line}");
    }

    #[test]
    fn an_unreadable_lockfile_says_what_would_fix_it() {
        let mut s = setup(1, 1);
        s.plan.lockfile_version = Some(4);
        let stderr =
            "error: failed to parse lock file at: /w/Cargo.lock\n\nCaused by:\n  invalid serialized PackageId\n";
        let runner = FakeRunner::new().ok("rustup which", "/bin/rustc\n").fail("build", 101, stderr);
        let timing = measure_old(&runner, &s.plan, &s.file);
        let Outcome::Failed(line) = timing.outcome else { panic!() };
        assert!(line.starts_with("cargo 1.63.0 cannot read Cargo.lock version 4, which needs cargo 1.78 (error: failed to parse lock file at: /w/Cargo.lock: invalid serialized PackageId)"), "{line}");
        assert!(
            line.ends_with("add `--lockfile-compat` to rewrite the private copy's lockfile as version 3"),
            "{line}"
        );
    }

    #[test]
    fn a_timed_out_build_is_a_failed_row() {
        let mut s = setup(1, 1);
        s.plan.timeout = Some(std::time::Duration::from_secs(60));
        let mut hung = output(None, "", "", 60.0);
        hung.timed_out = true;
        let runner = FakeRunner::new().ok("rustup which", "/bin/rustc\n").answer("build", hung);
        let timing = measure_old(&runner, &s.plan, &s.file);
        assert_eq!(timing.outcome, Outcome::Failed("timed out after 60 s (--timeout); the build was killed".into()));
        assert_eq!(runner.log().last().unwrap().timeout, Some(std::time::Duration::from_secs(60)));
    }

    #[test]
    fn a_stop_request_ends_the_toolchain_as_interrupted() {
        let s = setup(1, 5);
        let runner = FakeRunner::new().ok("rustup which", "/bin/rustc\n").timed("build", &[1.0]);
        let touched = TouchedFile::register(&s.file).unwrap();
        let builds = std::cell::Cell::new(0);
        let mut count = |_: Step<'_>| builds.set(builds.get() + 1);
        let file = ChangedFile { touched: &touched, edited: None };
        let timing =
            measure(&runner, &s.plan, &toolchain("1.63.0", OLD), &file, &mut count, &|| builds.get() >= 2).unwrap();
        assert_eq!(timing.outcome, Outcome::Interrupted);
        assert_eq!(builds.get(), 2, "no build starts after the stop request");
    }

    #[test]
    fn removal_is_confined_to_the_work_dir() {
        let err = remove_dir_below(Path::new("/home/me/project/src"), Path::new("/home/me/project/target/timewarp"))
            .unwrap_err();
        assert!(err.to_string().starts_with("refusing to remove `/home/me/project/src`"));
        assert!(remove_dir_below(Path::new("/t/timewarp"), Path::new("/t/timewarp")).is_err());
    }

    #[test]
    fn reports_which_distorting_variables_are_present() {
        let env = [("PATH", "/bin"), ("RUSTC_WRAPPER", "sccache"), ("CARGO_TARGET_DIR", "/tmp/t")];
        assert_eq!(distorting_vars_present(env), ["CARGO_TARGET_DIR", "RUSTC_WRAPPER"]);
    }
}
