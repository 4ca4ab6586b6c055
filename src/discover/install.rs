//! Both `--install`s through one [`Installer`]: each toolchain installed with rustup
//! (`--profile minimal`) one at a time, and, as its [`Keep`] says, kept (a run's `--install`,
//! `bisect --keep-installed`) or removed when the command ends, however it ends (`bisect
//! --install`, for the span's releases that no installed stable toolchain stands for).
//!
//! Only what this run installed is removed: a name rustup listed before the install, one it
//! reports `unchanged` (someone else installed it meanwhile), or one gone by the end (the user
//! removed it) is never touched.

use std::path::{Path, PathBuf};

use anyhow::Result;
use semver::Version;

use crate::discover::toolchain::{self, Toolchain};
use crate::process::{CommandSpec, Runner};
use crate::stderr::Say;
use crate::vocab::{Keep, Provenance};

/// The rustup names (`1.70`: the newest patch of that release) of the releases from `from` to
/// `to` that no installed stable toolchain stands for, oldest first. With `kind`, the span
/// keeps only builds of that kind (both ends are official), so a release installed only as
/// another kind of build (Debian's) is missing too.
pub(crate) fn missing(installed: &[Toolchain], from: &Version, to: &Version, kind: Option<Provenance>) -> Vec<String> {
    if from.major != to.major {
        return Vec::new();
    }
    let present = |minor: u64| {
        installed.iter().any(|t| {
            t.is_stable()
                && t.version.major == from.major
                && t.version.minor == minor
                && kind.is_none_or(|k| t.provenance() == k)
        })
    };
    (from.minor..=to.minor).filter(|m| !present(*m)).map(|m| format!("{}.{m}", from.major)).collect()
}

/// The toolchains this run installed, what becomes of them when the command ends, and, for
/// those to remove, the file that records them until then: a run killed before its removals
/// leaves the record, and the next start in the workspace removes them ([`replay`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Installer {
    keep: Keep,
    names: Vec<String>,
    record: Option<PathBuf>,
}

/// Removes what a killed bisection installed, as its `record` names it.
pub(crate) fn replay(runner: &dyn Runner, progress: &dyn Say, record: &Path) {
    let Ok(text) = std::fs::read_to_string(record) else { return };
    let names: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
    if !names.is_empty() {
        progress.note(&format!(
            "a bisection that was killed had installed {}; removing what is still installed",
            names.join(", ")
        ));
    }
    Installer { keep: Keep::Removed, names, record: Some(record.to_path_buf()) }.finish(runner, progress);
}

/// Writes `names` to `record`, one per line; a record that cannot be written is a warning (the
/// removals at the end still happen, only a kill would leave the toolchains).
fn write_record(runner: &dyn Runner, record: Option<&Path>, names: &[String], progress: &dyn Say) {
    let Some(record) = record else { return };
    let text: String = names.iter().map(|n| format!("{n}\n")).collect();
    if let Err(e) = crate::fs::write_atomic_own(record, text, runner.uid()) {
        progress.warning(&format!("{e:#}; if this run is killed, the toolchains it installed stay"));
    }
}

impl Installer {
    /// Nothing installed yet; what [`Installer::add`] installs is `keep`, and, when it is to be
    /// removed, recorded in `record` until then.
    pub(crate) fn new(keep: Keep, record: Option<PathBuf>) -> Installer {
        Installer { keep, names: Vec::new(), record: record.filter(|_| keep == Keep::Removed) }
    }

    /// The rustup names installed, oldest first.
    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }

    /// Removes what this run installed and is still there, or, kept, says that it stays. A
    /// removal that fails is a warning naming the command that would do it.
    pub(crate) fn finish(self, runner: &dyn Runner, progress: &dyn Say) {
        self.remove_installed(runner, progress);
        if let Some(record) = &self.record {
            let _ = std::fs::remove_file(record);
        }
    }

    fn remove_installed(&self, runner: &dyn Runner, progress: &dyn Say) {
        if self.names.is_empty() {
            return;
        }
        if self.keep == Keep::Kept {
            progress.note(&format!("installed by this run, {} stay installed", self.names.join(", ")));
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

impl Installer {
    /// Installs those of `releases` that are not installed yet, one at a time with `rustup
    /// toolchain install NAME --profile minimal`, until `interrupted` says to stop, adding what
    /// this run installed (the names listed afterwards that were not listed before and that
    /// rustup did not report unchanged) to what it had installed before (`bisect --nightlies`
    /// installs the nightlies each step needs, step by step). A release rustup cannot install
    /// (no network, not released yet) is a warning, and the command goes on without it.
    pub(crate) fn add(
        &mut self,
        runner: &dyn Runner,
        progress: &dyn Say,
        releases: &[String],
        interrupted: &dyn Fn() -> bool,
    ) -> Result<()> {
        let before = toolchain::listed(runner)?;
        let rustup = toolchain::rustup_proxy(runner.env(), "rustup");
        let record = self.record.clone();
        let record = record.as_deref();
        let mut tried = self.names.clone();
        let wanted: Vec<&String> = releases.iter().filter(|n| !before.contains(n)).collect();
        for (i, name) in wanted.iter().enumerate() {
            if interrupted() {
                break;
            }
            let cmd = CommandSpec::new(&rustup).args(["toolchain", "install", name.as_str(), "--profile", "minimal"]);
            progress.status("Installing", &format!("`{cmd}` ({} of {})", i + 1, wanted.len()));
            // Recorded before rustup starts: a kill during the install leaves it to the next start,
            // which removes it only if it is listed by then.
            tried.push(name.to_string());
            write_record(runner, record, &tried, progress);
            match runner.run(&cmd).and_then(|out| out.ok_or_error(&cmd)) {
                Ok(out) if says_unchanged(&out.stdout) || says_unchanged(&out.stderr) => {
                    tried.pop();
                    progress.note(&format!("{name} was installed by someone else meanwhile; it stays installed"));
                }
                Ok(_) => {}
                Err(_) if interrupted() => {}
                Err(e) => {
                    tried.pop();
                    progress.warning(&format!("{e:#}; timewarp goes on without {name}"));
                }
            }
        }
        let after = toolchain::listed(runner)?;
        self.names = tried.into_iter().filter(|n| after.contains(n)).collect();
        write_record(runner, record, &self.names, progress);
        Ok(())
    }
}

/// rustup's word for a toolchain that was already installed.
fn says_unchanged(text: &str) -> bool {
    text.lines().any(|l| l.contains(" unchanged - "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::progress::Progress;
    use crate::testing::{FakeRunner, toolchain as tc};

    fn progress() -> Progress {
        Progress::new(true)
    }

    /// An installer of `keep` that installed what it could of `releases`.
    fn install(
        runner: &FakeRunner,
        releases: &[String],
        interrupted: &dyn Fn() -> bool,
        record: Option<&Path>,
        keep: Keep,
    ) -> Installer {
        let mut installer = Installer::new(keep, record.map(Path::to_path_buf));
        installer.add(runner, &progress(), releases, interrupted).unwrap();
        installer
    }

    #[test]
    fn missing_releases_are_those_no_stable_toolchain_stands_for() {
        let installed = [tc("1.63.0"), tc("1.65.1"), tc("1.67.0-nightly"), tc("1.68.0")];
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(missing(&installed, &v("1.63.0"), &v("1.68.0"), None), ["1.64", "1.66", "1.67"]);
        assert_eq!(missing(&installed, &v("1.65.0"), &v("1.65.1"), None), Vec::<String>::new());
        assert_eq!(missing(&[], &v("1.80.0"), &v("1.81.0"), None), ["1.80", "1.81"]);
        // testing::toolchain makes Debian-style builds: for a span of official ends, all missing.
        let official = Some(Provenance::Official);
        assert_eq!(missing(&installed, &v("1.65.0"), &v("1.66.0"), official), ["1.65", "1.66"]);
        let distribution = Some(Provenance::Distribution);
        assert_eq!(missing(&installed, &v("1.65.0"), &v("1.66.0"), distribution), ["1.66"]);
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
        let installed = install(&runner, &releases, &|| false, None, Keep::Removed);
        assert_eq!(installed.names(), ["1.64", "1.65"], "1.66 was there before");
        installed.finish(&runner, &progress());
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
        let installed = install(&runner, &releases, &|| false, None, Keep::Removed);
        assert_eq!(installed, Installer::new(Keep::Removed, None));
        installed.finish(&runner, &progress());
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
        let installed = install(&runner, &releases, &interrupted, None, Keep::Kept);
        assert_eq!(installed.names(), ["1.64"]);
        assert_eq!(runner.lines().iter().filter(|l| l.contains("toolchain install")).count(), 1);
        installed.finish(&runner, &progress());
        assert!(!runner.lines().iter().any(|l| l.contains("uninstall")));
    }

    #[test]
    fn a_killed_bisections_installs_are_removed_at_the_next_start_if_still_there() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("installed-toolchains");
        let runner = FakeRunner::new()
            .in_turn(
                "rustup toolchain list",
                &[&listing(&["stable"]), &listing(&["stable", "1.64", "1.65"]), &listing(&["stable", "1.65"])],
            )
            .ok("toolchain install", "")
            .ok("toolchain uninstall", "");
        let releases = ["1.64", "1.65"].map(String::from);
        let installed = install(&runner, &releases, &|| false, Some(&record), Keep::Removed);
        assert_eq!(installed.names(), ["1.64", "1.65"]);
        assert_eq!(std::fs::read_to_string(&record).unwrap(), "1.64\n1.65\n");
        // Killed here: no removal ran. The next start removes what is still listed (the user
        // removed 1.64 meanwhile), then the record.
        replay(&runner, &progress(), &record);
        let removed: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("uninstall")).collect();
        assert_eq!(removed.len(), 1, "{removed:?}");
        assert!(removed[0].ends_with("uninstall 1.65"), "{removed:?}");
        assert!(!record.exists());
        // No record, nothing to do; a finished run leaves none.
        replay(&runner, &progress(), &record);
        assert_eq!(runner.lines().iter().filter(|l| l.contains("uninstall")).count(), 1);
    }

    #[test]
    fn a_finished_bisection_leaves_no_record_and_keep_installed_writes_none() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("installed-toolchains");
        let runner = FakeRunner::new()
            .in_turn("rustup toolchain list", &[&listing(&["stable"]), &listing(&["stable", "1.64"])])
            .ok("toolchain install", "")
            .ok("toolchain uninstall", "");
        let releases = ["1.64".to_string()];
        install(&runner, &releases, &|| false, Some(&record), Keep::Removed).finish(&runner, &progress());
        assert!(!record.exists());
        assert!(runner.lines().iter().any(|l| l.ends_with("uninstall 1.64")));
        install(&runner, &releases, &|| false, Some(&record), Keep::Kept).finish(&runner, &progress());
        assert!(!record.exists());
    }
}
