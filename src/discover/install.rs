//! `bisect --install`: the span's releases that no installed stable toolchain stands for,
//! installed with rustup (`--profile minimal`) before the bisection measures anything, and
//! removed when it ends, however it ends, unless `--keep-installed`.
//!
//! Only what this run installed is removed: a name rustup listed before the install, one it
//! reports `unchanged` (someone else installed it meanwhile), or one gone by the end (the user
//! removed it) is never touched.

use anyhow::Result;
use semver::Version;

use crate::discover::toolchain::{self, Toolchain};
use crate::process::{CommandSpec, Runner};
use crate::report::progress::Progress;

/// The rustup names (`1.70`: the newest patch of that release) of the releases from `from` to
/// `to` that no installed stable toolchain stands for, oldest first.
pub(crate) fn missing(installed: &[Toolchain], from: &Version, to: &Version) -> Vec<String> {
    if from.major != to.major {
        return Vec::new();
    }
    let present = |minor: u64| {
        installed.iter().any(|t| t.is_stable() && t.version.major == from.major && t.version.minor == minor)
    };
    (from.minor..=to.minor).filter(|m| !present(*m)).map(|m| format!("{}.{m}", from.major)).collect()
}

/// The toolchains this run installed, to remove when the bisection ends.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Installed {
    names: Vec<String>,
}

impl Installed {
    /// The rustup names installed, oldest first.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Removes what this run installed and is still there, or with `keep` says that it stays.
    /// A removal that fails is a warning naming the command that would do it.
    pub(crate) fn remove(self, runner: &dyn Runner, progress: &Progress, keep: bool) {
        if self.names.is_empty() {
            return;
        }
        if keep {
            progress.note(&format!("--keep-installed: {} stay installed", self.names.join(", ")));
            return;
        }
        // Compare before undoing: only a name still listed is removed.
        let listed = match toolchain::listed(runner) {
            Ok(listed) => listed,
            Err(e) => {
                progress.warning(&format!(
                    "{e:#}, so the toolchains installed for this bisection stay; remove them with `rustup toolchain uninstall {}`",
                    self.names.join(" ")
                ));
                return;
            }
        };
        let rustup = toolchain::rustup_proxy(runner.env(), "rustup");
        for name in self.names.iter().filter(|n| listed.contains(n)) {
            let cmd = CommandSpec::new(&rustup).args(["toolchain", "uninstall", name.as_str()]);
            match runner.run(&cmd).and_then(|out| out.ok_or_error(&cmd)) {
                Ok(_) => progress.status("Removed", &format!("{name}, installed for this bisection")),
                Err(e) => progress.warning(&format!(
                    "could not remove {name}, installed for this bisection ({e:#}); remove it with `rustup toolchain uninstall {name}`"
                )),
            }
        }
    }
}

/// Installs `releases` one at a time with `rustup toolchain install NAME --profile minimal`,
/// until `interrupted` says to stop. A release rustup cannot install (no network, not released
/// yet) is a warning, and the bisection goes on without it. Returns what this run installed:
/// the names listed afterwards that were not listed before and that rustup did not report
/// unchanged.
pub(crate) fn install(
    runner: &dyn Runner,
    progress: &Progress,
    releases: &[String],
    interrupted: &dyn Fn() -> bool,
) -> Result<Installed> {
    let before = toolchain::listed(runner)?;
    let rustup = toolchain::rustup_proxy(runner.env(), "rustup");
    let mut tried = Vec::new();
    for (i, name) in releases.iter().filter(|n| !before.contains(n)).enumerate() {
        if interrupted() {
            break;
        }
        let cmd = CommandSpec::new(&rustup).args(["toolchain", "install", name, "--profile", "minimal"]);
        progress.status("Installing", &format!("{name} ({} of {}) for the bisection: `{cmd}`", i + 1, releases.len()));
        match runner.run(&cmd).and_then(|out| out.ok_or_error(&cmd)) {
            Ok(out) if says_unchanged(&out.stdout) || says_unchanged(&out.stderr) => {
                progress.note(&format!("{name} was installed by someone else meanwhile; it stays after the bisection"))
            }
            Ok(_) => tried.push(name.clone()),
            Err(_) if interrupted() => tried.push(name.clone()),
            Err(e) => progress.warning(&format!("{e:#}; the bisection goes on without {name}")),
        }
    }
    let after = toolchain::listed(runner)?;
    let names = tried.into_iter().filter(|n| after.contains(n)).collect();
    Ok(Installed { names })
}

/// rustup's word for a toolchain that was already installed.
fn says_unchanged(text: &str) -> bool {
    text.lines().any(|l| l.contains(" unchanged - "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeRunner, toolchain as tc};

    fn progress() -> Progress {
        Progress::new(true)
    }

    #[test]
    fn missing_releases_are_those_no_stable_toolchain_stands_for() {
        let installed = [tc("1.63.0"), tc("1.65.1"), tc("1.67.0-nightly"), tc("1.68.0")];
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(missing(&installed, &v("1.63.0"), &v("1.68.0")), ["1.64", "1.66", "1.67"]);
        assert_eq!(missing(&installed, &v("1.65.0"), &v("1.65.1")), Vec::<String>::new());
        assert_eq!(missing(&[], &v("1.80.0"), &v("1.81.0")), ["1.80", "1.81"]);
    }

    fn listing(names: &[&str]) -> String {
        names.iter().map(|n| format!("{n}-x86_64-unknown-linux-gnu\n")).collect()
    }

    #[test]
    fn installs_each_missing_release_and_removes_only_what_it_installed() {
        let runner = FakeRunner::new()
            .ok("rustup toolchain list", &listing(&["stable", "1.66"]))
            .ok("rustup toolchain list", &listing(&["stable", "1.64", "1.65", "1.66"]))
            .ok("rustup toolchain list", &listing(&["stable", "1.64", "1.66"]))
            .ok("toolchain install 1.64 ", "")
            .ok("toolchain install 1.65 ", "")
            .ok("toolchain uninstall", "");
        let releases = ["1.64", "1.65", "1.66"].map(String::from);
        let installed = install(&runner, &progress(), &releases, &|| false).unwrap();
        assert_eq!(installed.names(), ["1.64", "1.65"], "1.66 was there before");
        installed.remove(&runner, &progress(), false);
        let lines = runner.lines();
        assert!(lines.iter().any(|l| l.ends_with("rustup toolchain install 1.64 --profile minimal")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.contains("install 1.66")), "{lines:#?}");
        let removed: Vec<&String> = lines.iter().filter(|l| l.contains("uninstall")).collect();
        assert_eq!(removed.len(), 1, "1.65 went meanwhile, so only 1.64 is removed: {lines:#?}");
        assert!(removed[0].ends_with("rustup toolchain uninstall 1.64"), "{removed:?}");
    }

    #[test]
    fn a_release_rustup_cannot_install_or_someone_else_installed_is_never_removed() {
        let runner = FakeRunner::new()
            .ok("rustup toolchain list", &listing(&["stable"]))
            .ok("rustup toolchain list", &listing(&["stable", "1.65"]))
            .fail("toolchain install 1.64 ", 1, "error: could not download file from 'https://static.rust-lang.org'\n")
            .ok(
                "toolchain install 1.65 ",
                "  1.65-x86_64-unknown-linux-gnu unchanged - rustc 1.65.0 (897e37553 2022-11-02)\n",
            )
            .ok("toolchain uninstall", "");
        let releases = ["1.64", "1.65"].map(String::from);
        let installed = install(&runner, &progress(), &releases, &|| false).unwrap();
        assert_eq!(installed, Installed::default());
        installed.remove(&runner, &progress(), false);
        assert!(!runner.lines().iter().any(|l| l.contains("uninstall")));
    }

    #[test]
    fn keep_installed_keeps_and_an_interruption_stops_before_the_next_install() {
        let runner = FakeRunner::new()
            .ok("rustup toolchain list", &listing(&["stable"]))
            .ok("rustup toolchain list", &listing(&["stable", "1.64"]))
            .ok("toolchain install", "")
            .ok("toolchain uninstall", "");
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let interrupted = || calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 1;
        let releases = ["1.64", "1.65"].map(String::from);
        let installed = install(&runner, &progress(), &releases, &interrupted).unwrap();
        assert_eq!(installed.names(), ["1.64"]);
        assert_eq!(runner.lines().iter().filter(|l| l.contains("toolchain install")).count(), 1);
        installed.remove(&runner, &progress(), true);
        assert!(!runner.lines().iter().any(|l| l.contains("uninstall")));
    }
}
