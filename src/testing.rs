//! What unit tests share: a scripted [`Runner`] (canned answers keyed by what the command line
//! contains, and a log of every command received, so tests can assert what would have run),
//! toolchains, a workspace, and a fixed report and listing for the exporters.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::Result;

use crate::discover::toolchain::Toolchain;
use crate::discover::workspace::Workspace;
use crate::process::{CommandSpec, Env, InterruptHandler, Output, Runner, Stop, Stopper};
use crate::report::WARMUP_POLICY;
use crate::report::model::{
    EstimateJson, Figures, Floor, LinkFigures, Listed, Listing, Measurement, Report, Row, SCHEMA_VERSION, Skipped,
    Status, Stopped, StoppingRule, Timing, VerdictJson,
};
use crate::vocab::Scenario;

mod machine;
mod rng;
mod samples;

pub(crate) use self::rng::Rng;
pub(crate) use self::samples::{sample_history, sample_listing, sample_report, sample_report_with_crates, scaled};
use crate::vocab::{Linker, Profile, Provenance};

/// Makes the answer to the `n`th command (from 0) a rule matched.
type Generator = Box<dyn Fn(usize, &CommandSpec) -> Output + Send + Sync>;

/// One scripted answer: used for the first command whose rendered line contains `pattern`.
struct Rule {
    pattern: String,
    answers: VecDeque<Output>,
    /// Answers made on the spot, in place of `answers`, with how many it made.
    generate: Option<(Generator, usize)>,
}

/// A fake outside world. Rules are tried in the order they were added; a rule with several
/// answers gives them out in turn and repeats its last one. Its clock stands still at
/// [`FakeRunner::NOW_SECS`] unless a test sets another time, its environment is empty unless a test
/// sets one, and it records every stop, leftover sweep and interruption handler.
pub(crate) struct FakeRunner {
    rules: Mutex<Vec<Rule>>,
    log: Mutex<Vec<CommandSpec>>,
    env: Env,
    now: SystemTime,
    /// How far the clock moved: by the time of every command answered.
    ran: Mutex<Duration>,
    stops: Arc<Mutex<Vec<Stop>>>,
    sweeps: Mutex<Vec<(String, PathBuf)>>,
    leftovers: Vec<u32>,
    handler: Mutex<Option<InterruptHandler>>,
    /// Commands whose start delivers SIGINT, as a user pressing Ctrl-C during them would.
    interrupt_on: Vec<String>,
    /// Whether a program named by an absolute path that is not there fails to start, as the
    /// system's does (a toolchain removed during the run).
    programs_must_exist: bool,
    /// The user it runs as: the real one, whose the test's files are, unless a test says.
    uid: u32,
    machine: machine::Machine,
}

impl Default for FakeRunner {
    fn default() -> Self {
        FakeRunner {
            rules: Mutex::default(),
            log: Mutex::default(),
            env: Env::default(),
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(FakeRunner::NOW_SECS),
            ran: Mutex::default(),
            stops: Arc::default(),
            sweeps: Mutex::default(),
            leftovers: Vec::new(),
            handler: Mutex::default(),
            interrupt_on: Vec::new(),
            programs_must_exist: false,
            uid: crate::process::effective_uid(),
            machine: machine::Machine::default(),
        }
    }
}

impl FakeRunner {
    /// The fake clock's time: 2026-11-30T12:00:00Z, in seconds since the epoch.
    pub(crate) const NOW_SECS: u64 = 1_796_040_000;

    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The same runner with this environment.
    pub(crate) fn with_env(mut self, vars: &[(&str, &str)]) -> Self {
        self.env = Env::new(vars.iter().map(|(k, v)| (*k, *v)));
        self
    }

    /// The same runner whose clock says `now`.
    pub(crate) fn at(mut self, now: SystemTime) -> Self {
        self.now = now;
        self
    }

    /// The same runner, finding these processes of a killed run at every sweep.
    pub(crate) fn with_leftovers(mut self, pids: &[u32]) -> Self {
        self.leftovers = pids.to_vec();
        self
    }

    /// The same runner, delivering SIGINT while a command containing `pattern` runs.
    pub(crate) fn interrupt_on(mut self, pattern: &str) -> Self {
        self.interrupt_on.push(pattern.to_string());
        self
    }

    /// The same runner, failing to start a program named by an absolute path that does not
    /// exist, with the system's error (by default every command gets its scripted answer).
    pub(crate) fn programs_must_exist(mut self) -> Self {
        self.programs_must_exist = true;
        self
    }

    /// The same runner, running as user `uid`: the files the test made are then another
    /// user's.
    pub(crate) fn running_as(mut self, uid: u32) -> Self {
        self.uid = uid;
        self
    }

    /// Every stop asked of the running commands, in order.
    pub(crate) fn stops(&self) -> Vec<Stop> {
        self.stops.lock().unwrap().clone()
    }

    /// Every sweep for leftover processes: the variable and the value looked for.
    pub(crate) fn sweeps(&self) -> Vec<(String, PathBuf)> {
        self.sweeps.lock().unwrap().clone()
    }

    /// Delivers `signal` to the installed interruption handler, as the system would.
    pub(crate) fn interrupt(&self, signal: &'static str) {
        let mut handler = self.handler.lock().unwrap();
        (handler.as_mut().expect("an interruption handler is installed"))(signal);
    }

    /// Answers commands containing `pattern` with exit 0 and `stdout`.
    pub(crate) fn ok(self, pattern: &str, stdout: &str) -> Self {
        self.answer(pattern, output(Some(0), stdout, "", 0.0))
    }

    /// Answers commands containing `pattern` with `code` and `stderr`.
    pub(crate) fn fail(self, pattern: &str, code: i32, stderr: &str) -> Self {
        self.answer(pattern, output(Some(code), "", stderr, 0.0))
    }

    /// Answers commands containing `pattern` with successful builds taking these many seconds,
    /// each compiling the package `app`, as cargo says on standard error.
    pub(crate) fn timed(self, pattern: &str, seconds: &[f64]) -> Self {
        let mut this = self;
        for &s in seconds {
            this = this.answer(pattern, output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", s));
        }
        this
    }

    /// Adds one answer to the rule for `pattern`, creating the rule if needed.
    pub(crate) fn answer(self, pattern: &str, out: Output) -> Self {
        {
            let mut rules = self.rules.lock().unwrap();
            match rules.iter_mut().find(|r| r.pattern == pattern) {
                Some(rule) => rule.answers.push_back(out),
                None => {
                    rules.push(Rule { pattern: pattern.to_string(), answers: VecDeque::from([out]), generate: None })
                }
            }
        }
        self
    }

    /// Answers commands containing `pattern` with each of `stdouts` in turn, the last for good,
    /// instead of what the rule for `pattern` answered before.
    pub(crate) fn in_turn(self, pattern: &str, stdouts: &[&str]) -> Self {
        self.rules.lock().unwrap().retain(|r| r.pattern != pattern);
        stdouts.iter().fold(self, |runner, stdout| runner.ok(pattern, stdout))
    }

    /// Answers commands containing `pattern` with successful builds (compiling `app`) taking
    /// `seconds(n, command)` seconds, `n` counting the commands this rule answered: synthetic
    /// timings with whatever noise and drift a test injects.
    pub(crate) fn timing(
        self,
        pattern: &str,
        seconds: impl Fn(usize, &CommandSpec) -> f64 + Send + Sync + 'static,
    ) -> Self {
        let generate: Generator =
            Box::new(move |n, cmd| output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", seconds(n, cmd)));
        self.rules.lock().unwrap().push(Rule {
            pattern: pattern.to_string(),
            answers: VecDeque::new(),
            generate: Some((generate, 0)),
        });
        self
    }

    /// Answers commands containing `pattern` with `answer(n, command)`, `n` counting the
    /// commands this rule answered: a fake world that looks at what it is asked (the files a
    /// build would read, the environment it gets) and answers, or acts, accordingly.
    pub(crate) fn responding(
        self,
        pattern: &str,
        answer: impl Fn(usize, &CommandSpec) -> Output + Send + Sync + 'static,
    ) -> Self {
        self.rules.lock().unwrap().push(Rule {
            pattern: pattern.to_string(),
            answers: VecDeque::new(),
            generate: Some((Box::new(answer), 0)),
        });
        self
    }

    /// [`FakeRunner::responding`] in place of every rule for `pattern` added before: a world
    /// that changes as it is asked (a toolchain list after an install).
    pub(crate) fn replacing(
        self,
        pattern: &str,
        answer: impl Fn(usize, &CommandSpec) -> Output + Send + Sync + 'static,
    ) -> Self {
        self.rules.lock().unwrap().retain(|r| r.pattern != pattern);
        self.responding(pattern, answer)
    }

    /// Every command received, in order.
    pub(crate) fn log(&self) -> Vec<CommandSpec> {
        self.log.lock().unwrap().clone()
    }

    /// The rendered command lines received, in order.
    pub(crate) fn lines(&self) -> Vec<String> {
        self.log().iter().map(ToString::to_string).collect()
    }
}

impl Runner for FakeRunner {
    fn env(&self) -> &Env {
        &self.env
    }

    fn now(&self) -> SystemTime {
        self.now + *self.ran.lock().unwrap()
    }

    fn uid(&self) -> u32 {
        self.uid
    }

    fn stopper(&self) -> Stopper {
        let stops = Arc::clone(&self.stops);
        Arc::new(move |stop| stops.lock().unwrap().push(stop))
    }

    fn stop_leftovers(&self, key: &str, value: &Path) -> Vec<u32> {
        self.sweeps.lock().unwrap().push((key.to_string(), value.to_path_buf()));
        self.leftovers.clone()
    }

    fn on_interrupt(&self, handler: InterruptHandler) -> Result<()> {
        *self.handler.lock().unwrap() = Some(handler);
        Ok(())
    }

    fn working_dir(&self) -> PathBuf {
        self.machine.current_dir.clone()
    }

    fn own_executable(&self) -> Result<PathBuf> {
        Ok(self.machine.current_exe.clone())
    }

    fn cpu_model(&self) -> Option<String> {
        self.machine.cpu_model.clone()
    }

    fn hostname(&self) -> Option<String> {
        self.machine.hostname.clone()
    }

    fn run(&self, cmd: &CommandSpec) -> Result<Output> {
        self.log.lock().unwrap().push(cmd.clone());
        let line = cmd.to_string();
        if self.interrupt_on.iter().any(|p| line.contains(p)) && self.handler.lock().unwrap().is_some() {
            self.interrupt("SIGINT");
        }
        let program = Path::new(&cmd.program);
        if self.programs_must_exist && program.is_absolute() && !program.exists() {
            anyhow::bail!("could not execute process `{line}`: No such file or directory (os error 2)");
        }
        let mut rules = self.rules.lock().unwrap();
        let Some(rule) = rules.iter_mut().find(|r| line.contains(&r.pattern)) else {
            anyhow::bail!("could not execute process `{line}` (no fake answer)");
        };
        let out = match &mut rule.generate {
            Some((generate, n)) => {
                *n += 1;
                generate(*n - 1, cmd)
            }
            None if rule.answers.len() > 1 => rule.answers.pop_front().unwrap(),
            None => rule.answers[0].clone(),
        };
        *self.ran.lock().unwrap() += out.elapsed;
        Ok(out)
    }
}

/// timewarp's directories for a workspace at `root` with the default target directory, its
/// state below `root` too (see [`env_in`]), owned by the running user.
pub(crate) fn work_dir_in(root: &Path) -> crate::measure::workdir::WorkDir {
    crate::measure::workdir::WorkDir::new(root, &root.join("target"), &env_in(root), crate::process::effective_uid())
        .expect("timewarp's directories for a test workspace")
}

/// An environment whose home and cache directories are below `dir`, so state lands there.
pub(crate) fn env_in(dir: &Path) -> Env {
    let (home, cache) = (dir.join("home"), dir.join("cache"));
    Env::new([("HOME", home.as_os_str()), ("XDG_CACHE_HOME", cache.as_os_str()), ("PATH", "/usr/bin:/bin".as_ref())])
}

/// Builds an [`Output`] with the given fields.
pub(crate) fn output(code: Option<i32>, stdout: &str, stderr: &str, seconds: f64) -> Output {
    Output {
        code,
        stdout: stdout.to_string(),
        stderr: stderr.to_string(),
        elapsed: Duration::from_secs_f64(seconds),
        cpu: Some(Duration::from_secs_f64(seconds * 1.5)),
        peak_rss: Some(300 * 1024 * 1024),
        timed_out: false,
        paused: Duration::ZERO,
    }
}

/// A stable toolchain called by its version, built the way Debian builds it (no commit hash).
pub(crate) fn toolchain(version: &str) -> Toolchain {
    let version = semver::Version::parse(version).unwrap();
    let name = if version.pre.is_empty() { version.to_string() } else { version.pre.to_string() };
    Toolchain {
        name,
        aliases: Vec::new(),
        release_date: crate::discover::toolchain::release_date(&version, None),
        version,
        commit_date: None,
        commit_hash: None,
        host: "x86_64-unknown-linux-gnu".into(),
        description: String::new(),
    }
}

/// A one-package workspace at `root` with no MSRV floors.
pub(crate) fn workspace(root: &str) -> Workspace {
    Workspace {
        root: root.into(),
        manifest_path: format!("{root}/Cargo.toml").into(),
        target_dir: format!("{root}/target").into(),
        packages: vec!["app".into()],
        explicit_packages: false,
        msrv_floors: Vec::new(),
        declared_rust_version: None,
        toolchain_file: None,
        lockfile_version: None,
        default_touch_file: Some(format!("{root}/src/main.rs").into()),
        deep: None,
        deep_proc_macros: Vec::new(),
        test_floors: Vec::new(),
        ceiling: None,
        notes: Vec::new(),
        members: vec![crate::discover::workspace::Member {
            name: "app".into(),
            dir: root.into(),
            built_dirs: vec![format!("{root}/src").into()],
        }],
        path_packages: Vec::new(),
    }
}

/// Figures of `walls` (rounds 0, 1, ...), CPU `cpu_factor` times the wall, the largest process
/// `peak` MiB, as the report computes them.
pub(crate) fn figures(walls: &[f64], cpu_factor: f64, peak: f64) -> Figures {
    let rounds: Vec<usize> = (0..walls.len()).collect();
    let cpu: Vec<f64> = walls.iter().map(|w| w * cpu_factor).collect();
    Figures {
        wall: Timing::of(walls, &rounds).unwrap(),
        time: EstimateJson::of(&crate::stats::geometric(walls).unwrap()),
        cpu: Timing::of(&cpu, &rounds),
        largest_process_mib: Some(peak),
        speedup: None,
        verdict: VerdictJson::Inconclusive,
        speedup_cpu: None,
        rounds: walls.len(),
        precise: None,
        crates_compiled: None,
        link: None,
    }
}

/// `figures` with its wall time taken apart: `links` seconds of linking in each build, and
/// against `base` (paired by round) the speedups of both parts.
pub(crate) fn with_link(mut figures: Figures, links: &[f64], base: Option<&Figures>) -> Figures {
    let compiles: Vec<f64> = figures.wall.runs_s.iter().zip(links).map(|(w, l)| w - l).collect();
    let shares: Vec<f64> = figures.wall.runs_s.iter().zip(links).map(|(w, l)| 100.0 * l / w).collect();
    let estimate = |xs: &[f64]| EstimateJson::of(&crate::stats::geometric(xs).unwrap());
    let mut link = LinkFigures {
        time: estimate(links),
        compile: estimate(&compiles),
        share_pct: crate::stats::median(&shares).unwrap(),
        runs: 1,
        speedup: None,
        verdict: VerdictJson::Base,
        compile_speedup: None,
        compile_verdict: VerdictJson::Base,
    };
    if let Some(base) = base.and_then(|b| b.link.as_ref().map(|l| (b, l))) {
        let (base, base_link) = base;
        let base_links: Vec<f64> = base.wall.runs_s.iter().map(|w| w * base_link.share_pct / 100.0).collect();
        let base_compiles: Vec<f64> = base.wall.runs_s.iter().zip(&base_links).map(|(w, l)| w - l).collect();
        let paired = |b: &[f64], n: &[f64]| {
            crate::stats::paired_speedup(&b.iter().copied().zip(n.iter().copied()).collect::<Vec<_>>()).unwrap()
        };
        let (l, c) = (paired(&base_links, links), paired(&base_compiles, &compiles));
        (link.speedup, link.verdict) = (Some(EstimateJson::of(&l)), l.verdict(crate::stats::NOISE).into());
        (link.compile_speedup, link.compile_verdict) =
            (Some(EstimateJson::of(&c)), c.verdict(crate::stats::NOISE).into());
    }
    figures.link = Some(link);
    figures
}

/// `figures` with its speedup over `base`, paired by round.
fn against(mut figures: Figures, base: &Figures) -> Figures {
    let pairs: Vec<(f64, f64)> = base.wall.runs_s.iter().copied().zip(figures.wall.runs_s.iter().copied()).collect();
    let speedup = crate::stats::paired_speedup(&pairs).unwrap();
    figures.verdict = speedup.verdict(crate::stats::NOISE).into();
    figures.speedup = Some(EstimateJson::of(&speedup));
    figures.speedup_cpu =
        crate::stats::ratio(base.cpu.as_ref().unwrap().median_s, figures.cpu.as_ref().unwrap().median_s);
    figures
}

/// A workspace on disk with a fake machine around it: a one-package project `app` (a binary,
/// `rust-version = "1.80"`, no dependencies), toolchain directories with a `cargo` for each
/// toolchain named, an environment whose home and cache are inside, and a [`FakeRunner`] that
/// answers rustup, rustc, `cargo metadata`, `rustup which` and git as that machine would.
/// Builds are left to the test, which adds their timings.
pub(crate) struct Project {
    /// Holds everything.
    pub(crate) dir: tempfile::TempDir,
    /// The workspace root.
    pub(crate) root: PathBuf,
    /// The toolchains installed: (name, version).
    pub(crate) toolchains: Vec<(String, String)>,
}

impl Project {
    /// A project on a machine with Debian-style builds of these versions.
    pub(crate) fn new(versions: &[&str]) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("app");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.80\"\n\n[workspace]\n",
        )
        .unwrap();
        std::fs::write(root.join("Cargo.lock"), "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n")
            .unwrap();
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
        let toolchains: Vec<(String, String)> = versions.iter().map(|v| (v.to_string(), v.to_string())).collect();
        for (name, _) in &toolchains {
            let bin = dir.path().join("toolchains").join(name).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("cargo"), "").unwrap();
        }
        Project { dir, root, toolchains }
    }

    /// The same machine with rustup's nightlies `names` (`nightly-2025-07-01`) installed too,
    /// each saying `version` (`1.90.0-nightly`), built from a commit named after its day.
    pub(crate) fn with_nightlies(mut self, names: &[String], version: &str) -> Project {
        for name in names {
            let bin = self.dir.path().join("toolchains").join(name).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("cargo"), "").unwrap();
            self.toolchains.push((name.clone(), version.to_string()));
        }
        self
    }

    /// The environment of the fake machine.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        let home = self.dir.path().join("home").display().to_string();
        let cache = self.dir.path().join("cache").display().to_string();
        vec![("HOME".into(), home), ("XDG_CACHE_HOME".into(), cache), ("PATH".into(), "/usr/bin:/bin".into())]
    }

    /// timewarp's directories for the project on the fake machine (its state below the
    /// machine's cache home).
    pub(crate) fn work_dir(&self) -> crate::measure::workdir::WorkDir {
        let env = Env::new(self.env());
        crate::measure::workdir::WorkDir::new(
            &self.root,
            &self.root.join("target"),
            &env,
            crate::process::effective_uid(),
        )
        .expect("timewarp's directories for the fake project")
    }

    /// `cargo metadata --format-version 1` of the project, as cargo prints it (with the
    /// `rust-version` its manifest has now).
    pub(crate) fn metadata(&self) -> String {
        let root = self.root.display().to_string();
        let manifest: toml::Table = std::fs::read_to_string(self.root.join("Cargo.toml")).unwrap().parse().unwrap();
        let rust_version = manifest["package"].get("rust-version").and_then(|v| v.as_str()).map(str::to_string);
        let id = format!("path+file://{root}#0.1.0");
        serde_json::json!({
            "packages": [{
                "name": "app", "version": "0.1.0", "id": id, "source": null, "dependencies": [],
                "targets": [{
                    "kind": ["bin"], "crate_types": ["bin"], "name": "app",
                    "src_path": format!("{root}/src/main.rs"), "edition": "2021",
                    "doc": true, "doctest": false, "test": true
                }],
                "features": {}, "manifest_path": format!("{root}/Cargo.toml"), "metadata": null,
                "publish": null, "authors": [], "categories": [], "keywords": [], "readme": null,
                "repository": null, "homepage": null, "documentation": null, "edition": "2021",
                "links": null, "default_run": null, "rust_version": rust_version,
                "license": null, "license_file": null, "description": null
            }],
            "workspace_members": [id],
            "workspace_default_members": [id],
            "resolve": null,
            "target_directory": format!("{root}/target"),
            "version": 1,
            "workspace_root": root,
            "metadata": null
        })
        .to_string()
    }

    /// The fake machine: everything but the builds answered.
    pub(crate) fn runner(&self) -> FakeRunner {
        let env = self.env();
        let vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let list: String =
            self.toolchains.iter().map(|(name, _)| format!("{name}-x86_64-unknown-linux-gnu\n")).collect();
        let mut runner = FakeRunner::new().with_env(&vars).ok("rustup toolchain list", &list);
        for (name, version) in &self.toolchains {
            let vv = match name.strip_prefix("nightly-") {
                // rustup's nightly of a day: an official build of that day's commit.
                Some(day) => format!(
                    "rustc {version} (c0ffee{day} {day})\nbinary: rustc\ncommit-hash: c0ffee{day}\ncommit-date: {day}\nhost: x86_64-unknown-linux-gnu\nrelease: {version}\n"
                ),
                None => format!(
                    "rustc {version} (built from a source tarball)\nbinary: rustc\ncommit-hash: unknown\ncommit-date: unknown\nhost: x86_64-unknown-linux-gnu\nrelease: {version}\n"
                ),
            };
            let rustc = self.dir.path().join("toolchains").join(name).join("bin/rustc");
            runner = runner
                .ok(&format!("rustc +{name}-x86_64-unknown-linux-gnu -vV"), &vv)
                .ok(&format!("rustup which --toolchain {name} rustc"), &format!("{}\n", rustc.display()));
        }
        let metadata = self.metadata();
        runner
            .ok("metadata --format-version 1 --no-deps", &metadata)
            .ok("metadata --format-version 1 --locked", &metadata)
            .fail("git ", 128, "fatal: not a git repository")
    }

    /// `cargo-timewarp ARGS` for this project, as the command line parses it.
    pub(crate) fn config(&self, runner: &FakeRunner, args: &[&str]) -> crate::cli::Cli {
        let manifest = self.root.join("Cargo.toml").display().to_string();
        let all = ["cargo-timewarp", "--manifest-path", &manifest, "-q"].into_iter().chain(args.iter().copied());
        crate::cli::parse_args(all, runner.env()).unwrap()
    }

    /// `cargo-timewarp SUBCOMMAND ARGS` for this project: a subcommand's flags follow it.
    pub(crate) fn subcommand_config(&self, runner: &FakeRunner, args: &[&str]) -> crate::cli::Cli {
        let manifest = self.root.join("Cargo.toml").display().to_string();
        let all =
            std::iter::once("cargo-timewarp").chain(args.iter().copied()).chain(["--manifest-path", &manifest, "-q"]);
        crate::cli::parse_args(all, runner.env()).unwrap()
    }

    /// `name` in the workspace, as an absolute path argument.
    pub(crate) fn file(&self, name: &str) -> String {
        self.root.join(name).display().to_string()
    }

    /// The JSON report written to `file` in the workspace.
    pub(crate) fn json(&self, file: &str) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.root.join(file)).unwrap()).unwrap()
    }
}
