//! The machine's own facts and the primitives of the binary's linker mode, read here so that
//! no other module names `/proc`, the current directory or executable, or
//! `std::process::Command`. [`SystemRunner`](super::SystemRunner) answers the `Runner`
//! questions with the first group; the link timer, which runs without a `Runner` (rustc started
//! the binary as its linker), calls the second directly.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::time::SystemTime;

use super::CommandSpec;

/// The directory the process was started in (empty when it is gone).
pub(crate) fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_default()
}

/// The CPU model, from `model name` in `/proc/cpuinfo`.
pub(crate) fn cpu_model() -> Option<String> {
    model_name(&std::fs::read_to_string("/proc/cpuinfo").ok()?)
}

/// The `model name` line of a `/proc/cpuinfo` text, when it names one.
pub(crate) fn model_name(cpuinfo: &str) -> Option<String> {
    let line = cpuinfo.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string()).filter(|m| !m.is_empty())
}

/// The machine's host name, from `/proc/sys/kernel/hostname`.
pub(crate) fn hostname() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|h| h.trim().to_string())
}

/// `pid N: `command line`` of the process that holds a `flock` on `file`, from `/proc/locks`
/// and the holder's `/proc/<pid>/cmdline`.
pub(crate) fn flock_holder(file: &std::fs::File) -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = file.metadata().ok()?;
    let dev = meta.dev();
    let id = format!("{:02x}:{:02x}:{}", libc::major(dev), libc::minor(dev), meta.ino());
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let at = fields.iter().position(|f| *f == id)?;
        (fields.get(1) == Some(&"FLOCK")).then(|| fields.get(at.checked_sub(1)?)?.parse::<u32>().ok())?
    })?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let args: Vec<String> =
        cmdline.split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    Some(if args.is_empty() { format!("pid {pid}") } else { format!("pid {pid}: `{}`", args.join(" ")) })
}

/// Whether the process that started this one is called `name` (its command name in
/// `/proc/<parent>/comm`).
pub(crate) fn parent_is(name: &str) -> bool {
    let parent = std::os::unix::process::parent_id();
    std::fs::read_to_string(format!("/proc/{parent}/comm")).is_ok_and(|comm| comm.trim() == name)
}

/// `spec` as a process that shares this one's standard streams, started as `argv0`.
fn inheriting(spec: &CommandSpec, argv0: &OsStr) -> Command {
    let mut command = Command::new(&spec.program);
    command.arg0(argv0).args(&spec.args);
    for key in &spec.env_remove {
        command.env_remove(key);
    }
    for (key, value) in &spec.env_set {
        command.env(key, value);
    }
    command
}

/// Replaces this process with `spec`, started as `argv0`: returns only when it could not.
pub(crate) fn exec_as(spec: &CommandSpec, argv0: &OsStr) -> std::io::Error {
    inheriting(spec, argv0).exec()
}

/// Runs `spec`, started as `argv0` with this process's standard streams, to its end: its
/// status, and the wall clock when it started and when it ended.
pub(crate) fn run_timed_as(spec: &CommandSpec, argv0: &OsStr) -> std::io::Result<(ExitStatus, SystemTime, SystemTime)> {
    let mut command = inheriting(spec, argv0);
    let start = SystemTime::now();
    let status = command.status()?;
    Ok((status, start, SystemTime::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_model_is_the_model_name_line() {
        let info = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n";
        assert_eq!(model_name(info).as_deref(), Some("Intel(R) Xeon(R) CPU @ 2.20GHz"));
        assert_eq!(model_name("model name\t: \n"), None, "an empty name is none");
        assert_eq!(model_name("processor\t: 0\n"), None, "an ARM cpuinfo names no model");
    }
}
