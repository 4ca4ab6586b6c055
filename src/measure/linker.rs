//! Link time apart, measured the same way under every toolchain, without changing which linker
//! rustc runs or how.
//!
//! rustc links by running a program it finds on `PATH`: `cc` on Linux (which runs GNU ld, or
//! with `-fuse-ld=lld` the rust-lld official toolchains bundle since 1.90), or the one a
//! `linker` setting names. Every timed build gets timewarp's own directory first on `PATH`
//! (after the toolchain's `bin`), holding links named like those programs to timewarp's binary.
//! Started under such a name with [`LINK_LOG`] set, the binary is in *linker mode*: it finds the
//! program the same `PATH` without its own directory names (what rustc would have run), and
//! runs it with the same `argv[0]`, the same arguments and the environment rustc gave, minus
//! timewarp's own variables and directory. So rustc's choice of linker and flavour, and the
//! arguments it hands the linker, are unchanged (the integration tests compare them with
//! `--print link-args` under a GNU ld and a rust-lld toolchain).
//!
//! When its parent is a rustc and its arguments are a link's (rustc's objects and `-o`), it
//! times the linker from start to exit and appends one line to the log; any other caller (a
//! build script compiling C with `cc`, a proc-macro running `cc` while rustc expands it) gets
//! the program by `exec`, with nothing logged. A build's link time is the time during which at least one linker ran
//! (overlapping links count once), so `compile = wall - link` splits the wall time.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::fs;
use crate::process::{self, CommandSpec};

/// The environment variable that turns the binary, started as a linker, into the timer, naming
/// the log to append to.
pub(crate) const LINK_LOG: &str = "TIMEWARP_LINK_LOG";
/// The directory of the links, which the real linker's `PATH` must not hold.
pub(crate) const LINK_DIR: &str = "TIMEWARP_LINK_DIR";
/// Set (to anything) by the tests: each log line also holds the arguments and the `PATH` the
/// linker was given, so a test can compare them with what rustc prints.
pub(crate) const LINK_TRACE: &str = "TIMEWARP_LINK_TRACE";

/// The program rustc runs to link on Linux when no setting names another.
pub(crate) const DEFAULT_LINKER: &str = "cc";

/// One linker run that rustc started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LinkRun {
    /// When it started, nanoseconds since the Unix epoch.
    pub(crate) start_ns: u128,
    /// When it exited.
    pub(crate) end_ns: u128,
    /// Its exit code (`None` when a signal ended it).
    pub(crate) code: Option<i32>,
    /// With [`LINK_TRACE`]: the arguments after `argv[0]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) args: Option<Vec<String>>,
    /// With [`LINK_TRACE`]: the `PATH` the linker got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
}

/// What the linker runs of one build add up to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinkTime {
    /// Seconds during which at least one linker ran.
    pub(crate) seconds: f64,
    /// How many times rustc ran a linker.
    pub(crate) runs: usize,
}

/// Where one subject's builds log their links: created empty before a timed build, read after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkLog {
    path: PathBuf,
}

impl LinkLog {
    /// The log at `path`.
    pub(crate) fn new(path: PathBuf) -> LinkLog {
        LinkLog { path }
    }

    /// Its path, for the build's environment.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Forgets what earlier builds logged.
    pub(crate) fn reset(&self) -> Result<()> {
        fs::remove_file_if_exists(&self.path)
    }

    /// The links logged since the last reset (none when nothing linked).
    pub(crate) fn read(&self) -> Result<Vec<LinkRun>> {
        if !self.path.exists() {
            return Ok(Vec::new());
        }
        let text = fs::read_to_string(&self.path)?;
        Ok(text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect())
    }

    /// The link time of the build since the last reset.
    pub(crate) fn time(&self) -> Result<LinkTime> {
        Ok(link_time(&self.read()?))
    }
}

/// The time covered by at least one of `runs`, and how many there were.
pub(crate) fn link_time(runs: &[LinkRun]) -> LinkTime {
    let mut spans: Vec<(u128, u128)> = runs.iter().map(|r| (r.start_ns, r.end_ns.max(r.start_ns))).collect();
    spans.sort_unstable();
    let mut covered: u128 = 0;
    let mut current: Option<(u128, u128)> = None;
    for (start, end) in spans {
        current = match current {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                covered += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        covered += e - s;
    }
    LinkTime { seconds: covered as f64 / 1e9, runs: runs.len() }
}

/// The names of the programs rustc may run to link and the builds' `path` holds: `cc`, and the
/// one a `linker` setting names when it is a bare name found through `PATH`. A program `path`
/// lacks gets no stand-in, since a build script that runs it only when it exists (`cc`, on a
/// machine with clang alone) would find the stand-in and fail. `None` when the setting names a
/// path, which no link on `PATH` can stand in for.
pub(crate) fn programs(configured: Option<&str>, path: &OsStr) -> Option<Vec<String>> {
    let names = match configured {
        Some(name) if name.contains('/') => return None,
        Some(name) if name != DEFAULT_LINKER => vec![DEFAULT_LINKER.to_string(), name.to_string()],
        _ => vec![DEFAULT_LINKER.to_string()],
    };
    let dirs: Vec<PathBuf> = std::env::split_paths(path).collect();
    Some(names.into_iter().filter(|name| find(OsStr::new(name), &dirs).is_some()).collect())
}

/// Whether the process was started as a linker by a timed build: `argv[0]` is not timewarp's
/// own name and [`LINK_LOG`] is set.
pub(crate) fn is_linker_mode(argv0: &OsStr, log: Option<&OsStr>) -> bool {
    let name = Path::new(argv0).file_name().and_then(OsStr::to_str).unwrap_or_default();
    log.is_some() && !name.starts_with("cargo-timewarp")
}

/// Linker mode: runs the program `argv0` names, found on `PATH` without timewarp's directory,
/// with `args`; times and logs it when rustc started it. Returns its exit code (`exec` replaces
/// this process for other callers).
pub(crate) fn wrap(argv0: &OsStr, args: &[OsString], log: &Path) -> i32 {
    let name = Path::new(argv0).file_name().unwrap_or(argv0).to_os_string();
    let own = std::env::var_os(LINK_DIR).map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path).filter(|dir| Some(dir) != own.as_ref()).collect();
    let kept_path = std::env::join_paths(&kept).unwrap_or_default();
    let Some(program) = find(&name, &kept) else {
        crate::stderr::say!(
            "error: timewarp's link timer found no `{}` on PATH besides its own (PATH: {})",
            name.to_string_lossy(),
            kept_path.to_string_lossy()
        );
        return 127;
    };
    let mut command = CommandSpec::new(&program).args(args).env("PATH", &kept_path);
    for key in [LINK_LOG, LINK_DIR, LINK_TRACE] {
        command = command.env_remove(key);
    }
    if !process::parent_is("rustc") || !is_rustc_link(args) {
        let error = process::exec_as(&command, argv0);
        crate::stderr::say!("error: could not run `{}`: {error}", program.display());
        return 127;
    }
    let (status, start, end) = match process::run_timed_as(&command, argv0) {
        Ok(ran) => ran,
        Err(error) => {
            crate::stderr::say!("error: could not run `{}`: {error}", program.display());
            return 127;
        }
    };
    let trace = std::env::var_os(LINK_TRACE).is_some();
    let run = LinkRun {
        start_ns: nanos(start),
        end_ns: nanos(end),
        code: status.code(),
        args: trace.then(|| args.iter().map(|a| a.to_string_lossy().into_owned()).collect()),
        path: trace.then(|| kept_path.to_string_lossy().into_owned()),
    };
    if let Err(e) = append(log, &run) {
        crate::stderr::say!("warning: timewarp could not log a link: {e:#}");
    }
    match (status.code(), std::os::unix::process::ExitStatusExt::signal(&status)) {
        (Some(code), _) => code,
        // A linker a signal ended: end the same way, so rustc sees what it would without the
        // timer.
        (None, Some(signal)) => {
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            128 + signal
        }
        (None, None) => 101,
    }
}

/// The first executable file called `name` in `dirs`, as `execvp` would find it.
fn find(name: &OsStr, dirs: &[PathBuf]) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    dirs.iter().map(|dir| dir.join(name)).find(|candidate| {
        std::fs::metadata(candidate).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Whether `args` are those of a link rustc asks for, rather than a program a proc-macro runs
/// while rustc expands it (it runs inside rustc, so its `cc -c` has a rustc for a parent): an
/// output (`-o`), no compile-only flag (`-c`, `-S`, `-E`), and the objects only rustc's links
/// carry: its codegen units (`*.rcgu.o`) or its `symbols.o`. The arguments are read through an
/// `@file` when rustc put them in one (a long command line).
fn is_rustc_link(args: &[OsString]) -> bool {
    let args: Vec<String> = args
        .iter()
        .flat_map(|arg| {
            let arg = arg.to_string_lossy();
            match arg.strip_prefix('@').and_then(|file| std::fs::read_to_string(file).ok()) {
                // One argument a line (its spaces escaped, which the checks below never read).
                Some(text) => text.lines().map(str::to_string).collect(),
                None => vec![arg.into_owned()],
            }
        })
        .collect();
    let output = args.iter().any(|a| a == "-o" || (a.starts_with("-o") && a.len() > 2));
    let compile_only = args.iter().any(|a| matches!(a.as_str(), "-c" | "-S" | "-E"));
    let rustcs = args.iter().any(|a| a.ends_with(".rcgu.o") || a.ends_with("/symbols.o"));
    output && !compile_only && rustcs
}

fn nanos(time: SystemTime) -> u128 {
    time.duration_since(SystemTime::UNIX_EPOCH).unwrap_or(Duration::ZERO).as_nanos()
}

/// One line, in one write to a file opened for appending, so links running at once never mix.
fn append(log: &Path, run: &LinkRun) -> Result<()> {
    let mut line = serde_json::to_string(run).expect("a link run always serialises");
    line.push('\n');
    // The log is in timewarp's build directory: never written through a link.
    crate::fs::append_own(log, line, crate::process::effective_uid())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(start_ms: u128, end_ms: u128) -> LinkRun {
        LinkRun { start_ns: start_ms * 1_000_000, end_ns: end_ms * 1_000_000, code: Some(0), args: None, path: None }
    }

    #[test]
    fn overlapping_links_count_once() {
        let time = link_time(&[run(0, 100), run(50, 150), run(300, 400), run(120, 130)]);
        assert!((time.seconds - 0.25).abs() < 1e-9, "{time:?}");
        assert_eq!(time.runs, 4);
        assert_eq!(link_time(&[]), LinkTime { seconds: 0.0, runs: 0 });
        let touching = link_time(&[run(0, 100), run(100, 200)]);
        assert!((touching.seconds - 0.2).abs() < 1e-9);
    }

    /// A directory holding an executable file for each of `names`.
    fn bin_with(names: &[&str]) -> tempfile::TempDir {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        for name in names {
            std::fs::write(dir.path().join(name), "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(dir.path().join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn the_programs_to_stand_in_for_are_cc_and_a_configured_bare_name() {
        let (both, other) = (bin_with(&["cc", "clang"]), bin_with(&["ld"]));
        let path = std::env::join_paths([other.path(), both.path()]).unwrap();
        assert_eq!(programs(None, &path), Some(vec!["cc".to_string()]));
        assert_eq!(programs(Some("clang"), &path), Some(vec!["cc".to_string(), "clang".to_string()]));
        assert_eq!(programs(Some("cc"), &path), Some(vec!["cc".to_string()]));
        assert_eq!(programs(Some("/usr/bin/clang"), &path), None, "a path cannot be stood in for on PATH");
    }

    #[test]
    fn a_program_the_path_lacks_gets_no_stand_in() {
        let (mine, other) = (bin_with(&["mylinker"]), bin_with(&["ld"]));
        let path = std::env::join_paths([other.path(), mine.path()]).unwrap();
        assert_eq!(programs(Some("mylinker"), &path), Some(vec!["mylinker".to_string()]), "no cc on this machine");
        assert_eq!(programs(None, other.path().as_os_str()), Some(vec![]));
        assert_eq!(programs(Some("mold"), &path), Some(vec![]));
    }

    #[test]
    fn only_rustcs_own_links_are_timed() {
        let args = |line: &str| line.split(' ').map(OsString::from).collect::<Vec<_>>();
        let gnu = "-m64 /tmp/rustcA/symbols.o /t/deps/app-1.app.abc-cgu.0.rcgu.o -Wl,--as-needed -o /t/deps/app-1 -Wl,--gc-sections -pie -nodefaultlibs";
        assert!(is_rustc_link(&args(gnu)));
        let shared = "-m64 /t/deps/pm-1.pm.abc-cgu.0.rcgu.o -shared -o /t/deps/libpm-1.so";
        assert!(is_rustc_link(&args(shared)), "a proc-macro's own library is linked by rustc");
        let lld = "-flavor gnu /t/deps/app.app.x-cgu.0.rcgu.o -o /t/deps/app";
        assert!(is_rustc_link(&args(lld)));
        // What a proc-macro's expansion runs: a C compile, a C program linked, a probe.
        assert!(!is_rustc_link(&args("-x c -c -o /dev/null -")));
        assert!(!is_rustc_link(&args("-x c -o /dev/null -")));
        assert!(!is_rustc_link(&args("--version")));
        assert!(!is_rustc_link(&args("-Wl,--as-needed -o /tmp/probe /tmp/probe.c")));
        assert!(!is_rustc_link(&args("-c /t/x.rcgu.o -o /t/x.o")));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("linker-arguments");
        std::fs::write(&file, gnu.replace(' ', "\n")).unwrap();
        assert!(is_rustc_link(&[OsString::from(format!("@{}", file.display()))]), "rustc's @file is read");
    }

    #[test]
    fn linker_mode_needs_the_log_and_another_name() {
        let log = OsStr::new("/t/link.jsonl");
        assert!(is_linker_mode(OsStr::new("cc"), Some(log)));
        assert!(is_linker_mode(OsStr::new("/w/target/timewarp/linker/clang"), Some(log)));
        assert!(!is_linker_mode(OsStr::new("/usr/bin/cargo-timewarp"), Some(log)), "timewarp itself");
        assert!(!is_linker_mode(OsStr::new("cc"), None));
    }

    #[test]
    fn a_log_reads_back_what_was_appended_and_skips_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = LinkLog::new(dir.path().join("link.jsonl"));
        assert_eq!(log.time().unwrap(), LinkTime { seconds: 0.0, runs: 0 }, "nothing linked yet");
        append(log.path(), &run(0, 500)).unwrap();
        append(log.path(), &run(1000, 1250)).unwrap();
        std::io::Write::write_all(
            &mut std::fs::OpenOptions::new().append(true).open(log.path()).unwrap(),
            b"{\"start_ns\":",
        )
        .unwrap();
        let time = log.time().unwrap();
        assert_eq!(time.runs, 2);
        assert!((time.seconds - 0.75).abs() < 1e-9);
        log.reset().unwrap();
        assert_eq!(log.read().unwrap(), []);
    }

    #[test]
    fn the_real_program_is_found_past_timewarps_directory() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let (own, bin) = (dir.path().join("own"), dir.path().join("bin"));
        for d in [&own, &bin] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("cc"), "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(d.join("cc"), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(dir.path().join("cc"), "not executable").unwrap();
        let dirs = [dir.path().to_path_buf(), bin.clone()];
        assert_eq!(find(OsStr::new("cc"), &dirs), Some(bin.join("cc")), "a file without x is passed over");
        assert_eq!(find(OsStr::new("ld"), &dirs), None);
    }
}
