//! The fake machine's own facts: the directory it was started in, its executable, its CPU
//! model and host name, fixed unless a test sets them.

use std::path::PathBuf;

use super::FakeRunner;

/// What [`FakeRunner`] answers about the machine itself.
pub(crate) struct Machine {
    pub(crate) current_dir: PathBuf,
    pub(crate) current_exe: PathBuf,
    pub(crate) cpu_model: Option<String>,
    pub(crate) hostname: Option<String>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            current_dir: PathBuf::from("/fake/work"),
            current_exe: PathBuf::from("/fake/bin/cargo-timewarp"),
            cpu_model: Some(FakeRunner::CPU_MODEL.to_string()),
            hostname: Some(FakeRunner::HOSTNAME.to_string()),
        }
    }
}

impl FakeRunner {
    /// The fake machine's CPU model.
    pub(crate) const CPU_MODEL: &str = "Fake CPU @ 3.00GHz";
    /// The fake machine's host name.
    pub(crate) const HOSTNAME: &str = "fakehost";

    /// The same runner, started in `dir`.
    pub(crate) fn in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.machine.current_dir = dir.into();
        self
    }

    /// The same runner on a machine that names no CPU model and has no host name.
    pub(crate) fn anonymous(mut self) -> Self {
        (self.machine.cpu_model, self.machine.hostname) = (None, None);
        self
    }
}
