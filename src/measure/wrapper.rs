//! `--crates`: where the time went. For each toolchain, one extra clean build, separate from the
//! timed samples, runs every rustc through timewarp's own binary as `RUSTC_WRAPPER` (a
//! mechanism every cargo since long before 1.48 has). In that wrapper mode (the environment
//! variable [`WRAPPER_LOG`] names the log) the binary runs the real rustc with its input,
//! output and error passed through, waits for it with its resource usage, and appends one JSON
//! line to the log: the crate, its package, its crate types, wall time, CPU time and peak
//! memory. The headline builds never run the wrapper (they set `RUSTC_WRAPPER` empty).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::fs;
use crate::process::{CommandSpec, Runner};

/// The environment variable that turns the binary into the wrapper, naming the log to append to.
pub(crate) const WRAPPER_LOG: &str = "TIMEWARP_WRAPPER_LOG";

/// One rustc invocation of the per-crate build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Invocation {
    /// `--crate-name`: `regex`, or `build_script_build` for a build script.
    pub(crate) crate_name: String,
    /// `--crate-type`s: `lib`, `bin`, `proc-macro`, ...
    pub(crate) crate_types: Vec<String>,
    /// The package (`CARGO_PKG_NAME`).
    pub(crate) package: String,
    /// Its version (`CARGO_PKG_VERSION`).
    pub(crate) version: String,
    /// Its manifest's directory (`CARGO_MANIFEST_DIR`), which tells workspace crates from
    /// dependencies.
    pub(crate) manifest_dir: PathBuf,
    /// Wall time of the rustc process, seconds.
    pub(crate) wall_s: f64,
    /// CPU time (user + system) of rustc and what it ran (the linker, for binaries), seconds.
    pub(crate) cpu_s: f64,
    /// Peak resident memory of rustc or of the linker it ran, whichever was larger, bytes.
    pub(crate) peak_rss: u64,
}

impl Invocation {
    /// Whether this is a build script's compilation.
    pub(crate) fn is_build_script(&self) -> bool {
        self.crate_name.starts_with("build_script_")
    }
}

/// The wrapper mode: runs `args` (`rustc ARGS...`, as cargo hands them to a wrapper), logs the
/// invocation to `log` when it compiles a crate, and returns rustc's exit code.
pub(crate) fn wrap(runner: &dyn Runner, args: &[OsString], log: &Path) -> i32 {
    let Some((rustc, rest)) = args.split_first() else {
        crate::stderr::say!("error: the timewarp wrapper was run without a compiler to run");
        return 101;
    };
    let cmd = CommandSpec::new(rustc.clone()).args(rest.iter().cloned()).env_remove(WRAPPER_LOG).pass_through();
    let out = match runner.run(&cmd) {
        Ok(out) => out,
        Err(e) => {
            crate::stderr::say!("error: {e:#}");
            return 101;
        }
    };
    let flags = expand_argfiles(rest);
    if let Some(crate_name) = value_of(&flags, "--crate-name").filter(|name| name != "___") {
        let env = |key: &str| std::env::var(key).unwrap_or_default();
        let invocation = Invocation {
            crate_name,
            crate_types: values_of(&flags, "--crate-type"),
            package: env("CARGO_PKG_NAME"),
            version: env("CARGO_PKG_VERSION"),
            manifest_dir: PathBuf::from(env("CARGO_MANIFEST_DIR")),
            wall_s: out.elapsed.as_secs_f64(),
            cpu_s: out.cpu.map_or(0.0, |c| c.as_secs_f64()),
            peak_rss: out.peak_rss.unwrap_or(0),
        };
        if let Err(e) = append(log, &invocation) {
            crate::stderr::say!("warning: timewarp could not log `{}`: {e:#}", invocation.crate_name);
        }
    }
    out.code.unwrap_or(101)
}

/// One line, in one write to a file opened for appending, so the lines of rustc processes
/// running at once never mix.
fn append(log: &Path, invocation: &Invocation) -> Result<()> {
    let mut line = serde_json::to_string(invocation).expect("an invocation always serialises");
    line.push('\n');
    // The log is in timewarp's build directory: never written through a link.
    crate::fs::append_own(log, line, crate::process::effective_uid())
}

/// The arguments with every `@file` replaced by the arguments it holds, one per line, as rustc
/// reads them (cargo uses such files when a command line grows too long).
fn expand_argfiles(args: &[OsString]) -> Vec<String> {
    args.iter()
        .map(|a| a.to_string_lossy().into_owned())
        .flat_map(|arg| match arg.strip_prefix('@').and_then(|file| std::fs::read_to_string(file).ok()) {
            Some(text) => text.lines().map(str::to_string).collect(),
            None => vec![arg],
        })
        .collect()
}

fn values_of(args: &[String], flag: &str) -> Vec<String> {
    let joined = format!("{flag}=");
    args.iter()
        .enumerate()
        .filter_map(|(i, arg)| match arg.strip_prefix(&joined) {
            Some(value) => Some(value.to_string()),
            None => (arg == flag).then(|| args.get(i + 1).cloned()).flatten(),
        })
        .collect()
}

fn value_of(args: &[String], flag: &str) -> Option<String> {
    values_of(args, flag).into_iter().next()
}

/// The invocations a per-crate build logged; lines that do not parse (a wrapper killed while
/// writing) are skipped.
pub(crate) fn read_log(log: &Path) -> Result<Vec<Invocation>> {
    let text = fs::read_to_string(log)?;
    Ok(text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::SystemRunner;

    #[test]
    fn flags_are_read_in_both_spellings_and_from_argfiles() {
        let dir = tempfile::tempdir().unwrap();
        let argfile = dir.path().join("args");
        std::fs::write(&argfile, "--crate-type\nproc-macro\n--edition=2021\n").unwrap();
        let args: Vec<OsString> =
            ["--crate-name", "serde_derive", "--crate-type=lib", &format!("@{}", argfile.display())]
                .map(OsString::from)
                .to_vec();
        let flags = expand_argfiles(&args);
        assert_eq!(value_of(&flags, "--crate-name").as_deref(), Some("serde_derive"));
        assert_eq!(values_of(&flags, "--crate-type"), ["lib", "proc-macro"]);
        assert_eq!(value_of(&flags, "--edition").as_deref(), Some("2021"));
    }

    #[test]
    fn the_wrapper_runs_the_compiler_logs_crates_and_passes_its_exit_code_on() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("crates.jsonl");
        let fake_rustc = dir.path().join("rustc");
        std::fs::write(&fake_rustc, "#!/bin/sh\n[ \"$1\" = fail ] && exit 3\nexit 0\n").unwrap();
        std::fs::set_permissions(&fake_rustc, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let call = |args: &[&str]| {
            let mut all = vec![fake_rustc.clone().into_os_string()];
            all.extend(args.iter().map(OsString::from));
            wrap(&SystemRunner::default(), &all, &log)
        };
        assert_eq!(call(&["--crate-name", "app", "--crate-type", "bin", "src/main.rs"]), 0);
        assert_eq!(call(&["-", "--crate-name", "___", "--print=file-names"]), 0, "cargo's probe of the target");
        assert_eq!(call(&["-vV"]), 0);
        assert_eq!(call(&["fail", "--crate-name", "broken"]), 3, "rustc's exit code reaches cargo");
        let logged = read_log(&log).unwrap();
        let names: Vec<&str> = logged.iter().map(|i| i.crate_name.as_str()).collect();
        assert_eq!(names, ["app", "broken"], "only compilations are logged");
        assert_eq!(logged[0].crate_types, ["bin"]);
        assert!(logged[0].wall_s > 0.0);
        std::fs::write(
            &log,
            format!("{}\n{{\"truncated\n", std::fs::read_to_string(&log).unwrap().lines().next().unwrap()),
        )
        .unwrap();
        assert_eq!(read_log(&log).unwrap().len(), 1, "a broken line is skipped");
    }
}
