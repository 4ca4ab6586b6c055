//! Helpers for driving the real binary on copies of the fixtures.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;
use std::time::{Duration, Instant};

/// Build-running tests take this lock so they do not compete for the two cores (and so their
/// timings, though never asserted, stay meaningful when a test is debugged).
static BUILDS: Mutex<()> = Mutex::new(());

/// Serialises tests that run builds.
pub(crate) fn build_lock() -> MutexGuard<'static, ()> {
    BUILDS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The repository's `fixtures/NAME`.
pub(crate) fn fixture_source(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// A private copy of `fixtures/NAME` (without any `target/`), so the repository is never written.
pub(crate) fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new().prefix("timewarp-test-").tempdir().expect("temp dir");
    copy_tree(&fixture_source(name), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A test's world: a private copy of a fixture, and a rustup that has the toolchains the test
/// names and no other, whatever else the machine has installed.
pub(crate) struct World {
    ws: tempfile::TempDir,
    rustup: tempfile::TempDir,
}

impl World {
    /// `fixtures/NAME` with the installed toolchains `toolchains` (`stable`, `1.63.0`, ...).
    pub(crate) fn new(name: &str, toolchains: &[&str]) -> World {
        World { ws: fixture(name), rustup: rustup_home(toolchains) }
    }

    /// The workspace copy.
    pub(crate) fn path(&self) -> &Path {
        self.ws.path()
    }

    /// `timewarp` in the workspace, seeing only this world's toolchains.
    pub(crate) fn timewarp(&self) -> Command {
        let mut cmd = timewarp(self.ws.path());
        cmd.env("RUSTUP_HOME", self.rustup.path());
        cmd
    }
}

/// A private RUSTUP_HOME with the real `stable` alone, made once per test binary.
fn stable_only() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| rustup_home(&["stable"])).path()
}

/// Where the tests keep timewarp's per-workspace state directories, instead of `~/.cache`.
pub(crate) fn cache_home() -> PathBuf {
    std::env::temp_dir().join("timewarp-test-cache")
}

/// The history file timewarp records the runs on the workspace at `root` in: in its state
/// directory, outside `target/`.
pub(crate) fn history_file(root: &Path) -> PathBuf {
    state_dir(root).join("history.jsonl")
}

/// The state directory timewarp uses for the workspace at `root`, found by its name and the
/// workspace it records.
pub(crate) fn state_dir(root: &Path) -> PathBuf {
    let name = root.canonicalize().unwrap().file_name().unwrap().to_string_lossy().into_owned();
    let base = cache_home().join("cargo-timewarp");
    let found = std::fs::read_dir(&base)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&format!("{name}-")))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert!(found.len() <= 1, "{found:?}");
    found.into_iter().next().unwrap_or_else(|| base.join(format!("{name}-none")))
}

/// `cargo-timewarp timewarp ARGS` in `dir`, as cargo would run it, with an environment free of
/// whatever the test runner's own cargo leaks (toolchain choice, target dir, wrappers, colour),
/// and its state kept out of the real `~/.cache`.
pub(crate) fn timewarp(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-timewarp"));
    cmd.arg("timewarp").current_dir(dir).env("NO_COLOR", "1").env("XDG_CACHE_HOME", cache_home());
    // Whatever else the machine has installed, a test sees `stable` alone unless it names more.
    cmd.env("RUSTUP_HOME", stable_only()).env("RUSTUP_AUTO_INSTALL", "0");
    for key in [
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTUP_TOOLCHAIN",
        "RUSTC",
        "RUSTDOC",
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_TERM_COLOR",
        "CARGO_INCREMENTAL",
        "CARGO_BUILD_JOBS",
        "TIMEWARP_PROBE_LOG",
    ] {
        cmd.env_remove(key);
    }
    cmd
}

/// Lets Ctrl-C reach the run `cmd` starts even when these tests were started with SIGINT
/// ignored (a background job of a shell without job control, `setsid` from a script): a
/// process keeps an ignored SIGINT across `exec`, and timewarp rightly keeps it too, so a test
/// that sends SIGINT first gives its run the default disposition a terminal's shell would.
#[allow(unsafe_code)]
pub(crate) fn ctrl_c_reaches(cmd: &mut Command) -> &mut Command {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    use std::os::unix::process::CommandExt;
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    // SAFETY: between fork and exec the closure only calls sigaction, which is
    // async-signal-safe, and allocates nothing.
    unsafe { cmd.pre_exec(move || sigaction(Signal::SIGINT, &default).map(drop).map_err(std::io::Error::from)) }
}

/// Runs `cmd` and returns its output.
pub(crate) fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("could not run {cmd:?}: {e}"))
}

fn describe(cmd: &Command, out: &Output) -> String {
    format!(
        "command: {cmd:?}\ncwd: {:?}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
        cmd.get_current_dir(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `cmd`, asserts exit code 0, returns stdout.
#[track_caller]
pub(crate) fn success(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(out.status.success(), "expected success\n{}", describe(cmd, &out));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `cmd` expecting JSON on stdout and exit code 0.
#[track_caller]
pub(crate) fn success_json(cmd: &mut Command) -> serde_json::Value {
    let stdout = success(cmd);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}"))
}

/// Runs `cmd`, asserts exit `code` and a single `error: ` line on stderr; returns that line.
#[track_caller]
pub(crate) fn failure(cmd: &mut Command, code: i32) -> String {
    let out = run(cmd);
    let info = describe(cmd, &out);
    assert_eq!(out.status.code(), Some(code), "wrong exit code\n{info}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "expected exactly one error line\n{info}");
    assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{info}");
    errors[0].to_string()
}

/// Whether every toolchain in `names` is installed. When one is missing, prints why the calling
/// test is skipped, or panics when `TIMEWARP_REQUIRE_TOOLCHAINS=1` (as CI sets it).
#[track_caller]
pub(crate) fn toolchains(names: &[&str]) -> bool {
    for name in names {
        let installed = Command::new("rustc")
            .arg(format!("+{name}"))
            .arg("-vV")
            .env_remove("RUSTUP_TOOLCHAIN")
            // A missing toolchain must be reported, not downloaded.
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output()
            .is_ok_and(|o| o.status.success());
        if !installed {
            let test = std::thread::current().name().unwrap_or("test").to_string();
            let fix = "run scripts/install-debian-toolchains.sh";
            if std::env::var_os("TIMEWARP_REQUIRE_TOOLCHAINS").is_some_and(|v| v == "1") {
                panic!("{test}: toolchain {name} is not installed and TIMEWARP_REQUIRE_TOOLCHAINS=1; {fix}");
            }
            // Straight to the terminal: the test harness hides what `eprintln!` prints.
            let line = format!("skipping {test}: toolchain {name} is not installed ({fix})\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            return false;
        }
    }
    true
}

/// Every file under `root` except `target/`, with its bytes and modification time.
pub(crate) fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    walk(root, root, &mut files);
    files
}

fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, (Vec<u8>, SystemTime)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path != root.join("target") {
                walk(root, &path, files);
            }
        } else {
            let meta = std::fs::metadata(&path).unwrap();
            let key = path.strip_prefix(root).unwrap().to_path_buf();
            files.insert(key, (std::fs::read(&path).unwrap(), meta.modified().unwrap()));
        }
    }
}

/// Names of the rows in a report's `toolchains` array, in order.
pub(crate) fn row_names(report: &serde_json::Value) -> Vec<String> {
    report["toolchains"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

/// The row named `name`.
#[track_caller]
pub(crate) fn row<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let rows = report["toolchains"].as_array().unwrap();
    rows.iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no row {name} in {report:#}"))
}

/// The skip reason given for `name`, from a report's `skipped` or a listing's `toolchains`.
pub(crate) fn reason_for(report: &serde_json::Value, name: &str) -> Option<String> {
    ["skipped", "toolchains"]
        .iter()
        .filter_map(|key| report[key].as_array())
        .flatten()
        .find(|t| t["name"] == name)
        .and_then(|t| t["reason"].as_str().map(str::to_string))
}

/// rustup itself (its proxy in CARGO_HOME/bin, else the one on PATH).
pub(crate) fn real_rustup() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let proxy = home.join("bin/rustup");
    if proxy.is_file() { proxy } else { PathBuf::from("rustup") }
}

/// The real RUSTUP_HOME.
fn real_rustup_home() -> PathBuf {
    std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".rustup"))
}

/// A private RUSTUP_HOME whose `toolchains/` links only the installed toolchains `names`
/// (`stable`, `1.63.0`, ...): the toolchain universe a test names, so what it selects does not
/// depend on what else a machine has installed. Pass it as `RUSTUP_HOME`.
pub(crate) fn rustup_home(names: &[&str]) -> tempfile::TempDir {
    let home = tempfile::Builder::new().prefix("timewarp-rustup-").tempdir().unwrap();
    let real = real_rustup_home();
    std::fs::copy(real.join("settings.toml"), home.path().join("settings.toml")).unwrap();
    let toolchains = home.path().join("toolchains");
    std::fs::create_dir_all(&toolchains).unwrap();
    for name in names {
        let dir = format!("{name}-{HOST}");
        let target = real.join("toolchains").join(&dir).canonicalize().unwrap_or_else(|e| panic!("{dir}: {e}"));
        std::os::unix::fs::symlink(target, toolchains.join(dir)).unwrap();
    }
    home
}

const HOST: &str = "x86_64-unknown-linux-gnu";

/// A private RUSTUP_HOME with the real `stable` plus custom toolchains that misbehave:
/// `crashy`, whose rustc answers `-vV` but dies of SIGSEGV when it compiles; `broken`, whose
/// rustc does not run at all; and `stubborn`, whose cargo ignores SIGINT and SIGTERM and sleeps.
pub(crate) fn rustup_home_with_bad_toolchains() -> tempfile::TempDir {
    let home = rustup_home(&["stable"]);
    let toolchains = home.path().join("toolchains");
    let host = HOST;
    let stable = toolchains.join(format!("stable-{host}")).canonicalize().unwrap();
    for (name, rustc) in [
        (
            "crashy",
            format!(
                "#!/bin/sh\nif [ \"$1\" = -vV ]; then printf 'rustc 1.90.0 (crashy)\\nbinary: rustc\\ncommit-hash: unknown\\ncommit-date: unknown\\nhost: {host}\\nrelease: 1.90.0\\n'; exit 0; fi\nkill -SEGV $$\n"
            ),
        ),
        ("broken", "#!/bin/sh\necho 'error: libLLVM.so: cannot open shared object file' >&2\nexit 127\n".to_string()),
        ("stubborn", format!("#!/bin/sh\nprintf 'rustc 1.91.0 (stubborn)\\nhost: {host}\\nrelease: 1.91.0\\n'\n")),
    ] {
        let bin = toolchains.join(name).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("rustc"), rustc).unwrap();
        std::fs::set_permissions(bin.join("rustc"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        if name == "stubborn" {
            std::fs::write(bin.join("cargo"), "#!/bin/sh\ntrap '' INT TERM\nsleep 60\n").unwrap();
            std::fs::set_permissions(bin.join("cargo"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        } else {
            std::os::unix::fs::symlink(stable.join("bin/cargo"), bin.join("cargo")).unwrap();
        }
    }
    home
}

/// Runs git in `dir` with a fixed identity; asserts it succeeded and returns its trimmed output.
#[track_caller]
pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Starts `timewarp ARGS` in `dir` and waits until stderr shows `needle`; returns the child and
/// the rest of stderr as it comes.
// The child is handed to the caller, which waits for it; clippy cannot see past the return.
#[allow(clippy::zombie_processes)]
pub(crate) fn start_and_wait_for(
    cmd: &mut std::process::Command,
    needle: &str,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let line =
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("timewarp printed progress");
        if line.contains(needle) {
            return (child, rx);
        }
    }
}

/// The running children of `parent` whose command line holds `word`.
pub(crate) fn children_running(parent: u32, word: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`: the command name may hold spaces and parentheses.
            let mut rest = stat.rsplit_once(')')?.1.split_whitespace();
            let (state, ppid) = (rest.next()?, rest.next()?.parse::<u32>().ok()?);
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let runs = state != "Z" && String::from_utf8_lossy(&cmdline).contains(word);
            (ppid == parent && runs).then_some(pid)
        })
        .collect()
}

/// Polls `holds` until it is true; a hang guard of 60 s (generous on a loaded 2-core machine,
/// never a timing) fails the test naming `what` it waited for.
pub(crate) fn wait_until(what: &str, mut holds: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !holds() {
        assert!(Instant::now() < deadline, "waited 60 s for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether process `pid` has ended (gone, or a zombie not yet reaped).
pub(crate) fn zombie_or_gone(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return true };
    stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next()) == Some("Z")
}

/// The processes whose environment holds every one of `vars`.
pub(crate) fn processes_with(vars: &[String]) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
            let environ = std::fs::read(e.path().join("environ")).ok()?;
            let environ: Vec<&[u8]> = environ.split(|b| *b == 0).collect();
            vars.iter().all(|v| environ.contains(&v.as_bytes())).then_some(pid)
        })
        .collect()
}

/// The quickest measuring run: the official stable, one build of each scenario.
pub(crate) const QUICK: [&str; 4] = ["--toolchains", "stable", "--runs", "1"];

/// The skip reason of a toolchain below the floor `fixtures/dep-floor` locks.
pub(crate) const RAISED: &str = "below 1.60 (rust-version of once_cell 1.20.2, a dependency of `dfl`)";

/// The toolchains `fixtures/dep-floor`'s tests choose from.
pub(crate) const FLOOR_WORLD: &[&str] = &["1.48.0", "1.63.0", "1.85.0", "1.96.0"];

pub(crate) const EXTRA: &[&str] = &["1.63.0", "1.85.0", "1.96.0"];

/// What every test here starts with: a copy of `fixture_name` and the build lock, or `None`
/// (the test is skipped, or fails under `TIMEWARP_REQUIRE_TOOLCHAINS=1`) without the extra
/// toolchains.
pub(crate) fn setup(fixture_name: &str) -> Option<(std::sync::MutexGuard<'static, ()>, World)> {
    if !toolchains(EXTRA) {
        return None;
    }
    let lock = build_lock();
    Some((lock, World::new(fixture_name, &[EXTRA, &["stable"]].concat())))
}

/// A world whose only toolchain, `editor`, is the real `stable` with a cargo that stands for a
/// user at work: each `cargo build` runs the real cargo, and then, before it returns (while the
/// build is still running, as far as timewarp can tell), runs the shell snippet `during` with
/// `$N` set to the number of the build (from 1) and the workspace as its directory. The
/// snippet saves files as an editor or `cargo update` would.
pub(crate) struct EditorWorld {
    ws: tempfile::TempDir,
    rustup: tempfile::TempDir,
}

impl EditorWorld {
    /// `fixtures/NAME` with the `editor` toolchain running `during` in every build.
    pub(crate) fn new(name: &str, during: &str) -> EditorWorld {
        let ws = fixture(name);
        let rustup = rustup_home(&[]);
        let stable = real_rustup_home().join("toolchains").join(format!("stable-{HOST}")).canonicalize().unwrap();
        let bin = rustup.path().join("toolchains/editor/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(stable.join("bin/rustc"), bin.join("rustc")).unwrap();
        let count = rustup.path().join("builds");
        let script = format!(
            "#!/bin/sh\nreal='{cargo}'\ncase \"$1\" in build|check) ;; *) exec \"$real\" \"$@\" ;; esac\n\
             N=$(( $(cat '{count}' 2>/dev/null || echo 0) + 1 )); echo $N > '{count}'; export N\n\
             \"$real\" \"$@\"; status=$?\n(cd '{ws}' && {during})\nexit $status\n",
            cargo = stable.join("bin/cargo").display(),
            count = count.display(),
            ws = ws.path().display(),
        );
        std::fs::write(bin.join("cargo"), script).unwrap();
        std::fs::set_permissions(bin.join("cargo"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        EditorWorld { ws, rustup }
    }

    /// The workspace copy.
    pub(crate) fn path(&self) -> &Path {
        self.ws.path()
    }

    /// `timewarp --toolchains editor` in the workspace, seeing only the `editor` toolchain.
    pub(crate) fn timewarp(&self) -> Command {
        let mut cmd = timewarp(self.ws.path());
        cmd.env("RUSTUP_HOME", self.rustup.path()).args(["--toolchains", "editor"]);
        cmd
    }
}
