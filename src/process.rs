//! The one seam to the outside world. Every program timewarp runs (cargo, rustc, rustup, git)
//! is described as a [`CommandSpec`] and handed to a [`Runner`], and the same trait answers
//! everything else the pipeline asks of the machine: the environment ([`Env`]), the clock, the
//! signals that interrupt a run, the process groups of the builds running now, and the `/proc`
//! scan for a build a killed run left behind. The stages take `&dyn Runner`, so unit tests run
//! the whole pipeline against `crate::testing::FakeRunner`.
//!
//! This module knows how to spawn, capture and time a process, how to describe one in an error
//! message, and how to read a tool's own explanation of a failure out of its output (the first
//! `error` line and cargo's `Caused by:` chain). It knows nothing of toolchains, workspaces or
//! timing policy. It (with `machine.rs`, which reads the machine's own facts and runs the link
//! timer's linker) is the only module that names `std::process::Command`, `/proc`, the current
//! directory or the current executable.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::Read;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, Result};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

mod machine;

pub(crate) use self::machine::{exec_as, flock_holder, parent_is, run_timed_as};

/// A command described as data, so callers and tests can inspect it before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommandSpec {
    /// The program, looked up on `PATH` when it has no directory part.
    pub(crate) program: OsString,
    /// Arguments, without the program.
    pub(crate) args: Vec<OsString>,
    /// Working directory; the caller's when `None`.
    pub(crate) cwd: Option<PathBuf>,
    /// Variables set (or overridden) in the child's environment.
    pub(crate) env_set: Vec<(String, OsString)>,
    /// Variables removed from the child's environment.
    pub(crate) env_remove: Vec<String>,
    /// Kill the process (and everything it started) when it runs longer than this.
    pub(crate) timeout: Option<Duration>,
    /// Pass standard input, output and error through, and stay in the caller's process group:
    /// how a compiler wrapper runs the compiler it wraps. The default captures the output and
    /// starts a process group of its own.
    pub(crate) pass_through: bool,
}

impl CommandSpec {
    /// A command with no arguments, run in the caller's directory and environment.
    pub(crate) fn new(program: impl Into<OsString>) -> Self {
        CommandSpec {
            program: program.into(),
            args: Vec::new(),
            cwd: None,
            env_set: Vec::new(),
            env_remove: Vec::new(),
            timeout: None,
            pass_through: false,
        }
    }

    /// Passes standard input, output and error through and stays in the caller's process
    /// group (see [`CommandSpec::pass_through`]).
    pub(crate) fn pass_through(mut self) -> Self {
        self.pass_through = true;
        self
    }

    /// Kills the process group when the command runs longer than `limit`.
    pub(crate) fn timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeout = limit;
        self
    }

    /// Appends one argument.
    pub(crate) fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Appends several arguments.
    pub(crate) fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Runs the command in `dir`.
    pub(crate) fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// Sets `key` to `value` in the child's environment.
    pub(crate) fn env(mut self, key: impl Into<String>, value: impl Into<OsString>) -> Self {
        self.env_set.push((key.into(), value.into()));
        self
    }

    /// Removes `key` from the child's environment.
    pub(crate) fn env_remove(mut self, key: impl Into<String>) -> Self {
        self.env_remove.push(key.into());
        self
    }

    /// The value this command sets for `key`, if it sets one.
    #[cfg(test)]
    pub(crate) fn env_value(&self, key: &str) -> Option<&std::ffi::OsStr> {
        self.env_set.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_os_str())
    }

    /// Whether the argument list contains `arg` exactly.
    pub(crate) fn has_arg(&self, arg: &str) -> bool {
        self.args.iter().any(|a| a == arg)
    }
}

/// Renders the command line as a user would type it (`cargo +1.85.0 build --offline`).
impl fmt::Display for CommandSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let program = Path::new(&self.program);
        let name = program.file_name().unwrap_or(program.as_os_str());
        write!(f, "{}", name.to_string_lossy())?;
        for arg in &self.args {
            let arg = arg.to_string_lossy();
            if arg.is_empty() || arg.contains(char::is_whitespace) {
                write!(f, " '{arg}'")?;
            } else {
                write!(f, " {arg}")?;
            }
        }
        Ok(())
    }
}

/// What a finished process left behind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Output {
    /// The exit code; `None` when a signal ended the process.
    pub(crate) code: Option<i32>,
    /// Standard output, lossily decoded.
    pub(crate) stdout: String,
    /// Standard error, lossily decoded.
    pub(crate) stderr: String,
    /// Wall time from spawn to exit, measured around the child alone.
    pub(crate) elapsed: Duration,
    /// CPU time (user + system) of the child and all its waited-for descendants, when known.
    pub(crate) cpu: Option<Duration>,
    /// Peak resident memory of the largest process among the child and its descendants, in
    /// bytes, when known.
    pub(crate) peak_rss: Option<u64>,
    /// Whether the command was killed for exceeding its [`CommandSpec::timeout`].
    pub(crate) timed_out: bool,
    /// The longest stretch while the command ran during which timewarp itself did not run
    /// (beyond [`WATCH_TICK`]): stopped by Ctrl-Z or SIGSTOP, or the whole machine seized. The
    /// command runs in a process group of its own and goes on meanwhile, so its exit is read
    /// late and [`Output::elapsed`] holds up to this much that is not the command's.
    pub(crate) paused: Duration,
}

impl Output {
    /// Whether the process exited with code 0.
    pub(crate) fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Describes the exit: `exit status: 101`, `terminated by a signal` or `timed out`.
    pub(crate) fn status_text(&self) -> String {
        match self.code {
            _ if self.timed_out => "timed out".to_string(),
            Some(code) => format!("exit status: {code}"),
            None => "terminated by a signal".to_string(),
        }
    }

    /// Turns a non-zero exit into an error naming the command, with its first error line and,
    /// indented on the lines below, the rest of the explanation ([`error_excerpt`]).
    pub(crate) fn ok_or_error(self, cmd: &CommandSpec) -> Result<Output> {
        if self.success() {
            return Ok(self);
        }
        let text = if first_error_line(&self.stderr).is_some() { &self.stderr } else { &self.stdout };
        let summary = first_error_line(text);
        let detail = summary.as_deref().map(|line| format!(": {line}")).unwrap_or_default();
        let more = error_excerpt(text).map(|excerpt| indented_details(&excerpt, &detail)).unwrap_or_default();
        anyhow::bail!("`{cmd}` failed ({}){detail}{more}", self.status_text())
    }
}

/// The first line that reads like a compiler or cargo error (else the last non-empty line),
/// followed by cargo's `Caused by:` chain joined with `: `, all on one line.
///
/// Used to turn a failed build or cargo command into a one-line reason: cargo's first line
/// alone ("failed to run `rustc` to learn about target-specific information") often hides the
/// cause at the end of the chain ("process didn't exit successfully ... SIGSEGV").
pub(crate) fn first_error_line(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut summary = lines.iter().find(|l| l.starts_with("error")).or_else(|| lines.last())?.to_string();
    let mut rest = text.lines();
    while let Some(line) = rest.next() {
        if line.trim() == "Caused by:"
            && let Some(cause) = rest.find(|c| !c.trim().is_empty())
        {
            summary.push_str(": ");
            summary.push_str(cause.trim());
        }
    }
    Some(summary)
}

/// At most this many lines of a tool's explanation are kept.
const EXCERPT_LINES: usize = 8;
/// A line of an explanation longer than this (a linker's whole command line, as rustc quotes it
/// when a link fails) is cut in its middle: its start and its last [`EXCERPT_LINE_TAIL`]
/// characters stay, since the end often says why (cargo's `(signal: 11, SIGSEGV: ...)`).
const EXCERPT_LINE_CHARS: usize = 200;
/// How much of a cut line's end is kept.
const EXCERPT_LINE_TAIL: usize = 60;

/// The tool's own explanation of a failure, in its words: the first line that reads like an
/// error and the lines that follow it (a compiler error's location and source line, cargo's
/// `Caused by:` chain, its hints), up to the next error or warning, at most [`EXCERPT_LINES`]
/// lines, blank lines dropped. A failed row carries it whole; one-line contexts use
/// [`first_error_line`].
///
/// A failed build script is explained by its own stderr, which cargo prints after its stdout:
/// there the excerpt keeps cargo's lines before the script's output and the last lines of its
/// `--- stderr` section ([`build_script_excerpt`]).
pub(crate) fn error_excerpt(text: &str) -> Option<String> {
    let mut lines = text.lines().map(str::trim_end).skip_while(|l| !l.trim_start().starts_with("error"));
    let first = lines.next()?;
    let explanation: Vec<&str> = lines
        .take_while(|l| !l.starts_with("error") && !l.starts_with("warning"))
        .filter(|l| !l.trim().is_empty() && l.trim() != "Caused by:")
        .collect();
    let rest = if first.contains("failed to run custom build command") {
        build_script_excerpt(&explanation)
    } else {
        explanation.into_iter().take(EXCERPT_LINES - 1).collect()
    };
    let cut = |line: &str| {
        let chars: Vec<char> = line.chars().collect();
        if chars.len() <= EXCERPT_LINE_CHARS {
            return line.to_string();
        }
        let head = EXCERPT_LINE_CHARS - EXCERPT_LINE_TAIL;
        let tail = chars.len() - EXCERPT_LINE_TAIL;
        let kept = |range: std::ops::Range<usize>| chars[range].iter().collect::<String>();
        format!("{} [... {} characters left out] {}", kept(0..head), tail - head, kept(tail..chars.len()))
    };
    Some(std::iter::once(first.trim_start()).chain(rest).map(cut).collect::<Vec<_>>().join("\n"))
}

/// The explanation of a failed build script, at most [`EXCERPT_LINES`]` - 1` lines: cargo's own
/// lines before the script's output (`process didn't exit successfully: ...`; its notes left out),
/// then the last lines of the script's `--- stderr` section, where a compiler's or a panic's
/// message stands (or, when the script wrote nothing there, of its `--- stdout`). The `cargo:`
/// directives (`cargo:rerun-if-env-changed=...`, which the `cc` crate prints by the dozen) are
/// instructions to cargo, not an explanation, and are left out.
fn build_script_excerpt<'a>(explanation: &[&'a str]) -> Vec<&'a str> {
    let section = |l: &str| matches!(l.trim(), "--- stdout" | "--- stderr");
    // Room for the section's header and at least one line of it.
    let head: Vec<&str> = explanation
        .iter()
        .copied()
        .take_while(|l| !section(l))
        .filter(|l| !l.trim_start().starts_with("note:"))
        .take(EXCERPT_LINES - 3)
        .collect();
    let output_of = |name: &str| -> Vec<&'a str> {
        let mut lines = explanation.iter().copied().skip_while(|l| l.trim() != name);
        lines.next();
        lines.take_while(|l| !section(l)).filter(|l| !l.trim_start().starts_with("cargo:")).collect()
    };
    let (name, output) = match output_of("--- stderr") {
        stderr if !stderr.is_empty() => ("--- stderr", stderr),
        _ => ("--- stdout", output_of("--- stdout")),
    };
    let room = EXCERPT_LINES - 2 - head.len();
    let mut kept = head;
    if !output.is_empty() {
        let header = explanation.iter().copied().find(|l| l.trim() == name).unwrap_or(name);
        kept.push(header);
        kept.extend(&output[output.len().saturating_sub(room)..]);
    }
    kept
}

/// The lines of `excerpt` after its first, each on a line of its own, indented: what follows the
/// one-line error message `summary` (lines it already says are left out).
pub(crate) fn indented_details(excerpt: &str, summary: &str) -> String {
    excerpt.lines().skip(1).map(str::trim).filter(|l| !summary.contains(l)).map(|l| format!("\n    {l}")).collect()
}

/// How to stop the commands running now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGINT to every running command's process group, as a terminal's Ctrl-C would: the
    /// builds live in groups of their own, so the terminal's signal reaches only timewarp.
    Interrupt,
    /// SIGKILL to every running command's process group.
    Kill,
}

/// Stops the commands a runner is running now, from any thread (the interruption handler's).
pub(crate) type Stopper = Arc<dyn Fn(Stop) + Send + Sync>;

/// What an interruption handler is told: which signal arrived.
pub(crate) type InterruptHandler = Box<dyn FnMut(&'static str) + Send + 'static>;

/// The environment variables of the run, read once: what the builds inherit, what they must
/// not (`RUSTC_WRAPPER`), and where the user's cargo, rustup and cache directories are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Env {
    vars: BTreeMap<OsString, OsString>,
}

impl Env {
    /// The variables of `vars`.
    pub(crate) fn new<I, K, V>(vars: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        Env { vars: vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }

    /// The value of `key`, when it is set.
    pub(crate) fn var(&self, key: &str) -> Option<&OsStr> {
        self.vars.get(OsStr::new(key)).map(OsString::as_os_str)
    }

    /// The value of `key`, when it is set and not empty.
    pub(crate) fn non_empty(&self, key: &str) -> Option<&OsStr> {
        self.var(key).filter(|v| !v.is_empty())
    }

    /// Every variable, sorted by name.
    pub(crate) fn vars(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.vars.iter().map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }

    /// `$HOME`, when it is set.
    fn home(&self) -> Option<PathBuf> {
        self.non_empty("HOME").map(PathBuf::from)
    }

    /// The user's `CARGO_HOME`: the variable, else `~/.cargo`.
    pub(crate) fn cargo_home(&self) -> Option<PathBuf> {
        self.non_empty("CARGO_HOME").map(PathBuf::from).or_else(|| self.home().map(|h| h.join(".cargo")))
    }

    /// The user's `RUSTUP_HOME`: the variable, else `~/.rustup`.
    pub(crate) fn rustup_home(&self) -> Option<PathBuf> {
        self.non_empty("RUSTUP_HOME").map(PathBuf::from).or_else(|| self.home().map(|h| h.join(".rustup")))
    }

    /// `$XDG_CACHE_HOME` when it is absolute, else `~/.cache`.
    pub(crate) fn cache_home(&self) -> Option<PathBuf> {
        let xdg = self.non_empty("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
        xdg.or_else(|| self.home().map(|h| h.join(".cache")))
    }

    /// `dir` followed by the entries of the path list `variable` (`PATH`, `LD_LIBRARY_PATH`).
    pub(crate) fn prepended(&self, dir: PathBuf, variable: &str) -> OsString {
        let rest: Vec<PathBuf> = self.var(variable).map(|v| std::env::split_paths(v).collect()).unwrap_or_default();
        std::env::join_paths(std::iter::once(dir).chain(rest)).unwrap_or_default()
    }
}

/// The outside world as the pipeline sees it. The only implementation that touches the
/// system is [`SystemRunner`]; unit tests use `crate::testing::FakeRunner`.
pub(crate) trait Runner: Sync {
    /// Runs `cmd` to completion, capturing its output. An `Err` means it could not be started;
    /// a non-zero exit is an `Ok` whose [`Output::code`] says so.
    fn run(&self, cmd: &CommandSpec) -> Result<Output>;

    /// The environment timewarp was started with.
    fn env(&self) -> &Env;

    /// The wall clock, for dates and timestamps (never for timings, which [`Output::elapsed`]
    /// measures around the child alone).
    fn now(&self) -> SystemTime;

    /// The user timewarp runs as (its effective user id): the only owner whose directories and
    /// files timewarp writes in.
    fn uid(&self) -> u32;

    /// A handle that stops the commands running now, for the interruption handler.
    fn stopper(&self) -> Stopper;

    /// Kills every process of this user whose environment holds `key=value` (a build a killed
    /// run left behind) and returns their ids.
    fn stop_leftovers(&self, key: &str, value: &Path) -> Vec<u32>;

    /// Calls `handler` from another thread whenever Ctrl-C, SIGTERM or SIGHUP arrives, except
    /// for those the process was started ignoring (`nohup` ignores SIGHUP, a shell's background
    /// job SIGINT): those stay ignored.
    fn on_interrupt(&self, handler: InterruptHandler) -> Result<()>;

    /// The directory timewarp was started in: where the workspace is looked for.
    fn working_dir(&self) -> PathBuf;

    /// timewarp's own executable, which the link timer's links and `--crates`' wrapper name.
    fn own_executable(&self) -> Result<PathBuf>;

    /// The CPU model (`model name` of `/proc/cpuinfo`), when the machine names one.
    fn cpu_model(&self) -> Option<String>;

    /// The machine's host name, when it has one.
    fn hostname(&self) -> Option<String>;

    /// Where the environment's `PATH` finds the program `name` (an executable file), as a shell
    /// would; `None` when it finds none. Tests put a directory of their own on `PATH`.
    fn program(&self, name: &str) -> Option<PathBuf> {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.env().var("PATH")?;
        std::env::split_paths(path)
            .map(|dir| dir.join(name))
            .find(|file| std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
    }
}

/// Spawns real processes, each in its own process group, and keeps track of the groups running
/// now so an interruption can reach every build at once.
#[derive(Debug, Clone)]
pub(crate) struct SystemRunner {
    groups: ProcessGroups,
    env: Env,
}

impl Default for SystemRunner {
    /// A runner with the process's environment as it is now.
    fn default() -> Self {
        SystemRunner { groups: ProcessGroups::default(), env: Env::new(std::env::vars_os()) }
    }
}

/// The effective user id of this process: the owner of every file it creates.
pub(crate) fn effective_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// The signals that interrupt a run, with their names.
const INTERRUPTING: [(i32, &str); 3] = [(libc::SIGINT, "SIGINT"), (libc::SIGTERM, "SIGTERM"), (libc::SIGHUP, "SIGHUP")];

/// The signals this process was started ignoring, from `SigIgn:` in `/proc/self/status` (a
/// bit mask, bit n-1 for signal n).
fn ignored_signals() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    ignored_in_status(&status)
}

fn ignored_in_status(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .unwrap_or(0)
}

impl Runner for SystemRunner {
    fn env(&self) -> &Env {
        &self.env
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn uid(&self) -> u32 {
        effective_uid()
    }

    fn stopper(&self) -> Stopper {
        let groups = self.groups.clone();
        Arc::new(move |stop| match stop {
            Stop::Interrupt => groups.signal(Signal::SIGINT),
            Stop::Kill => groups.signal(Signal::SIGKILL),
        })
    }

    fn stop_leftovers(&self, key: &str, value: &Path) -> Vec<u32> {
        kill_processes_with_env(key, value)
    }

    fn working_dir(&self) -> PathBuf {
        machine::current_dir()
    }

    fn own_executable(&self) -> Result<PathBuf> {
        Ok(std::env::current_exe()?)
    }

    fn cpu_model(&self) -> Option<String> {
        machine::cpu_model()
    }

    fn hostname(&self) -> Option<String> {
        machine::hostname()
    }

    fn on_interrupt(&self, mut handler: InterruptHandler) -> Result<()> {
        let ignored = ignored_signals();
        let wanted: Vec<(i32, &'static str)> =
            INTERRUPTING.into_iter().filter(|(signal, _)| ignored & (1 << (signal - 1)) == 0).collect();
        let mut signals = signal_hook::iterator::Signals::new(wanted.iter().map(|(signal, _)| *signal))
            .context("could not install the Ctrl-C handler")?;
        std::thread::spawn(move || {
            for signal in signals.forever() {
                let name = wanted.iter().find(|(s, _)| *s == signal).map_or("a signal", |(_, name)| name);
                handler(name);
            }
        });
        Ok(())
    }

    fn run(&self, spec: &CommandSpec) -> Result<Output> {
        let mut command = Command::new(&spec.program);
        command.args(&spec.args);
        if !spec.pass_through {
            command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
            // Its own process group, so a timeout or Ctrl-C stops cargo and every rustc it started.
            command.process_group(0);
        }
        if let Some(dir) = &spec.cwd {
            command.current_dir(dir);
        }
        for key in &spec.env_remove {
            command.env_remove(key);
        }
        for (key, value) in &spec.env_set {
            command.env(key, value);
        }
        let start = Instant::now();
        let mut child = command.spawn().with_context(|| format!("could not execute process `{spec}`"))?;
        let group = Pid::from_raw(child.id() as i32);
        if !spec.pass_through {
            self.groups.add(group);
        }
        let stdout = read_in_background(child.stdout.take());
        let stderr = read_in_background(child.stderr.take());
        let timed_out = Arc::new(AtomicBool::new(false));
        let (finished, finished_rx) = channel::<()>();
        let watch = {
            let (timed_out, limit) = (Arc::clone(&timed_out), spec.timeout);
            std::thread::spawn(move || watch(&finished_rx, start, limit, group, &timed_out))
        };
        let waited = wait_with_usage(child.id());
        let elapsed = start.elapsed();
        let _ = finished.send(());
        if !spec.pass_through {
            // What the command left running in its group (a rustc of a stopped cargo) must not
            // go on writing into a directory timewarp removes next, nor load the next build.
            let _ = killpg(group, Signal::SIGKILL);
        }
        self.groups.remove(group);
        let paused = watch.join().unwrap_or_default();
        let (status, usage) = waited.with_context(|| format!("could not wait for process `{spec}`"))?;
        Ok(Output {
            code: status.code(),
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
            elapsed,
            cpu: Some(usage.cpu),
            peak_rss: Some(usage.peak_rss),
            timed_out: timed_out.load(Ordering::SeqCst),
            paused,
        })
    }
}

/// How often the thread that watches a running command wakes.
pub(crate) const WATCH_TICK: Duration = Duration::from_millis(50);

/// Watches a command started at `start` until `finished` says it ended: kills its `group`
/// once it has run longer than `limit` (setting `timed_out`), and returns the longest time
/// this process did not run, beyond one tick. A stopped process runs none of its threads, so
/// a stop shows as one long gap between two wakings of this thread, or, when the command ended
/// during the stop, between the last waking and the end, which is measured too: no stop that
/// overlaps the command goes unseen.
fn watch(
    finished: &std::sync::mpsc::Receiver<()>,
    start: Instant,
    limit: Option<Duration>,
    group: Pid,
    timed_out: &AtomicBool,
) -> Duration {
    let mut last = start;
    let mut paused = Duration::ZERO;
    loop {
        let result = finished.recv_timeout(WATCH_TICK);
        let now = Instant::now();
        paused = paused.max(now.saturating_duration_since(last).saturating_sub(WATCH_TICK));
        last = now;
        if result != Err(RecvTimeoutError::Timeout) {
            return paused;
        }
        if limit.is_some_and(|limit| now.saturating_duration_since(start) >= limit) && !timed_out.load(Ordering::SeqCst)
        {
            timed_out.store(true, Ordering::SeqCst);
            let _ = killpg(group, Signal::SIGKILL);
        }
    }
}

/// The process groups of the commands a [`SystemRunner`] is running now. Clones share one list,
/// so the interruption handler can signal what the runner started.
#[derive(Debug, Default, Clone)]
pub(crate) struct ProcessGroups {
    running: Arc<Mutex<Vec<Pid>>>,
}

impl ProcessGroups {
    fn list(&self) -> MutexGuard<'_, Vec<Pid>> {
        // A panic elsewhere must not keep a build from being stopped.
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, group: Pid) {
        self.list().push(group);
    }

    fn remove(&self, group: Pid) {
        self.list().retain(|g| *g != group);
    }

    fn signal(&self, signal: Signal) {
        for group in self.list().iter() {
            let _ = killpg(*group, signal);
        }
    }
}

fn read_in_background<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// The kernel's accounting of a finished process and every descendant it waited for.
struct Usage {
    cpu: Duration,
    peak_rss: u64,
}

/// Waits for `pid` like [`std::process::Child::wait`], and also returns its resource usage,
/// the figures `/usr/bin/time -v` prints: user + system CPU of the whole process tree and the
/// peak resident memory of its largest process. std offers no safe way to get them per child,
/// and the per-process `RUSAGE_CHILDREN` totals mix concurrent children.
#[allow(unsafe_code)]
fn wait_with_usage(pid: u32) -> std::io::Result<(std::process::ExitStatus, Usage)> {
    use std::os::unix::process::ExitStatusExt as _;
    let pid = libc::pid_t::try_from(pid).map_err(|_| std::io::Error::other("process id out of range"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is a plain C struct of integers, for which all-zero bytes are valid.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers come from live, exclusively borrowed locals of the types
        // wait4(2) writes; `pid` is our own unwaited child, so no other waiter races us.
        let result = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if result != -1 {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let seconds = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    let usage = Usage {
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // Linux reports ru_maxrss in kibibytes.
        peak_rss: (usage.ru_maxrss as u64).saturating_mul(1024),
    };
    Ok((std::process::ExitStatus::from_raw(status), usage))
}

/// Kills every process of this user whose environment holds `key=value`, and returns their
/// ids. A build outlives a timewarp killed with SIGKILL (cargo, its rustc processes, a build
/// script's `make`), and would run beside the next run's timed builds; every process of a
/// build inherits the private `CARGO_HOME` timewarp gives it, which names them exactly.
fn kill_processes_with_env(key: &str, value: &Path) -> Vec<u32> {
    let needle = [key.as_bytes(), b"=", value.as_os_str().as_encoded_bytes()].concat();
    let mut killed = Vec::new();
    // A process not killed yet may start another while the list is read: read it again.
    for _ in 0..10 {
        let before = killed.len();
        kill_matching(&needle, &mut killed);
        if killed.len() == before {
            break;
        }
    }
    killed
}

fn kill_matching(needle: &[u8], killed: &mut Vec<u32>) {
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    let own = std::process::id();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        if pid != own
            && !killed.contains(&pid)
            && environ.split(|b| *b == 0).any(|var| var == needle)
            && nix::sys::signal::kill(Pid::from_raw(pid as i32), Signal::SIGKILL).is_ok()
        {
            killed.push(pid);
        }
    }
}

#[cfg(test)]
mod tests;
