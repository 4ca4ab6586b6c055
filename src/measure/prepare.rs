//! Untimed preparation, so that no timed build downloads anything and every toolchain compiles
//! the same sources.
//!
//! Two things happen here, both before the first timing: a workspace without `Cargo.lock` gets
//! one for the duration of the run (written by the oldest selected cargo, since newer cargos
//! read older lockfiles but not the reverse), and the dependencies of a workspace with registry
//! or git dependencies are vendored once, by the newest selected cargo, into timewarp's own
//! directory. Every build then points cargo at that copy with `--config FILE` (a config file
//! that `cargo vendor` itself wrote), which cargo reads since 1.63. Old cargos cannot reach
//! today's registry (cargo before 1.68 has no sparse protocol), so this is what lets them build
//! offline at all. The user's Cargo.lock and `.cargo/config.toml` are never modified.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::journal::{CreatedFile, Journal};
use super::workdir::WorkDir;
use crate::discover::toolchain::{Toolchain, rustup_proxy};
use crate::fs;
use crate::process::{CommandSpec, Runner};

/// What the builds need from preparation.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// `--config` arguments for every build.
    pub cargo_config: Vec<String>,
    /// Where dependency sources were vendored, when the workspace has any.
    pub vendor_dir: Option<PathBuf>,
    /// A Cargo.lock created for this run; removed again when dropped.
    pub created_lockfile: Option<CreatedFile>,
}

/// Prepares `root` (with `manifest`) for builds by `toolchains` (oldest first); a lockfile it
/// creates is registered in `journal` first.
pub(crate) fn prepare(
    runner: &dyn Runner,
    root: &Path,
    manifest: &Path,
    toolchains: &[Toolchain],
    work: &WorkDir,
    journal: &Journal,
) -> Result<Prepared> {
    let mut prepared = Prepared::default();
    let lockfile = root.join("Cargo.lock");
    if !lockfile.is_file() {
        prepared.created_lockfile = Some(generate_lockfile(runner, root, manifest, toolchains, &lockfile, journal)?);
    }
    let lock_text = fs::read_to_string(&lockfile)?;
    if !has_external_sources(&lock_text) {
        return Ok(prepared);
    }
    let newest = toolchains.last().expect("preparation needs a selected toolchain");
    let (vendor_dir, config_file, stamp) = (work.vendor_dir(), work.vendor_config(), work.vendor_stamp());
    let up_to_date = config_file.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == lock_text);
    if !up_to_date {
        let cmd = cargo(newest, root)
            .args(["vendor", "--locked", "--versioned-dirs", "--manifest-path"])
            .arg(manifest)
            .arg(&vendor_dir);
        let out = runner
            .run(&cmd)?
            .ok_or_error(&cmd)
            .context("could not vendor the workspace's dependencies before timing (this needs the registry once)")?;
        fs::write(&config_file, vendor_config(&out.stdout, &vendor_dir))?;
        fs::write(&stamp, &lock_text)?;
    }
    prepared.cargo_config.push(config_file.display().to_string());
    prepared.vendor_dir = Some(vendor_dir);
    Ok(prepared)
}

fn cargo(toolchain: &Toolchain, root: &Path) -> CommandSpec {
    CommandSpec::new(rustup_proxy("cargo"))
        .arg(format!("+{}", toolchain.name))
        .cwd(root)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO_TARGET_DIR")
}

fn generate_lockfile(
    runner: &dyn Runner,
    root: &Path,
    manifest: &Path,
    toolchains: &[Toolchain],
    lockfile: &Path,
    journal: &Journal,
) -> Result<CreatedFile> {
    let guard = journal.create(lockfile)?;
    let mut last_error = None;
    // The oldest cargo offline first (a lockfile everyone reads), then the newest, which can
    // also reach today's registry.
    let attempts = [(toolchains.first(), true), (toolchains.last(), false)];
    for (toolchain, offline) in attempts.into_iter().filter_map(|(t, o)| t.map(|t| (t, o))) {
        let mut cmd = cargo(toolchain, root).arg("generate-lockfile");
        if offline {
            cmd = cmd.arg("--offline");
        }
        let cmd = cmd.arg("--manifest-path").arg(manifest);
        match runner.run(&cmd)?.ok_or_error(&cmd) {
            Ok(_) => {
                guard.written()?;
                return Ok(guard);
            }
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error
        .expect("at least one toolchain was tried")
        .context("the workspace has no Cargo.lock and none could be generated"))
}

/// Whether the lockfile names any package from a registry or git (path packages have no
/// `source`).
fn has_external_sources(lock: &str) -> bool {
    lock.lines().any(|l| l.trim_start().starts_with("source = "))
}

/// The config `cargo vendor` printed, or, if it printed none, the crates.io replacement.
fn vendor_config(printed: &str, vendor_dir: &Path) -> String {
    if printed.contains("[source.") {
        return printed.to_string();
    }
    let dir = vendor_dir.display().to_string().replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"{dir}\"\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeRunner, toolchain};

    /// timewarp's directories and journal for a workspace at `root`.
    fn work(root: &Path) -> (WorkDir, Journal) {
        let work = WorkDir::new(root, &root.join("target")).unwrap();
        work.create_builds().unwrap();
        (work, Journal::on_disk(&root.join("journal.json"), &root.join("backups")))
    }

    const REGISTRY_LOCK: &str = "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"itoa\"]\n\n[[package]]\nname = \"itoa\"\nversion = \"1.0.9\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

    const VENDOR_STDOUT: &str = "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"/w/target/timewarp/vendor\"\n";

    #[test]
    fn path_only_workspaces_need_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.lock"),
            "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        let runner = FakeRunner::new();
        let (work, journal) = work(dir.path());
        let p = prepare(&runner, dir.path(), &dir.path().join("Cargo.toml"), &[toolchain("1.63.0")], &work, &journal)
            .unwrap();
        assert!(p.cargo_config.is_empty() && p.vendor_dir.is_none() && p.created_lockfile.is_none());
        assert!(runner.log().is_empty());
    }

    #[test]
    fn registry_dependencies_are_vendored_once_by_the_newest_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let (work, journal) = work(dir.path());
        std::fs::write(dir.path().join("Cargo.lock"), REGISTRY_LOCK).unwrap();
        let runner = FakeRunner::new().ok("vendor", VENDOR_STDOUT);
        let toolchains = [toolchain("1.63.0"), toolchain("1.96.0")];
        let manifest = dir.path().join("Cargo.toml");
        let p = prepare(&runner, dir.path(), &manifest, &toolchains, &work, &journal).unwrap();
        assert_eq!(p.cargo_config, [work.vendor_config().display().to_string()]);
        assert_eq!(std::fs::read_to_string(work.vendor_config()).unwrap(), VENDOR_STDOUT);
        let lines = runner.lines();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("cargo +1.96.0 vendor --locked --versioned-dirs"), "{}", lines[0]);
        // A second run with the same lockfile reuses the vendored sources.
        prepare(&runner, dir.path(), &manifest, &toolchains, &work, &journal).unwrap();
        assert_eq!(runner.lines().len(), 1);
        assert_eq!(std::fs::read_to_string(dir.path().join("Cargo.lock")).unwrap(), REGISTRY_LOCK);
    }

    #[test]
    fn a_failed_vendor_says_why_in_one_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), REGISTRY_LOCK).unwrap();
        let runner = FakeRunner::new().fail("vendor", 101, "error: failed to sync\n\nCaused by:\n  network down\n");
        let (work, journal) = work(dir.path());
        let err = prepare(&runner, dir.path(), &dir.path().join("Cargo.toml"), &[toolchain("1.96.0")], &work, &journal)
            .unwrap_err();
        let text = format!("{err:#}");
        assert!(text.starts_with("could not vendor the workspace's dependencies before timing"), "{text}");
        assert!(text.ends_with("failed (exit status: 101): error: failed to sync: network down"), "{text}");
    }

    #[test]
    fn a_missing_lockfile_is_generated_by_the_oldest_cargo_offline() {
        let dir = tempfile::tempdir().unwrap();
        let runner = FakeRunner::new().ok("generate-lockfile", "");
        let toolchains = [toolchain("1.63.0"), toolchain("1.96.0")];
        // The fake writes nothing, so preparation then fails to read the lockfile; the command
        // it ran and the guard are what this test is about.
        let (work, journal) = work(dir.path());
        let err =
            prepare(&runner, dir.path(), &dir.path().join("Cargo.toml"), &toolchains, &work, &journal).unwrap_err();
        assert!(err.to_string().starts_with("could not read `"), "{err}");
        assert!(runner.lines()[0].starts_with("cargo +1.63.0 generate-lockfile --offline --manifest-path"));
    }

    #[test]
    fn fallback_config_points_crates_io_at_the_vendor_dir() {
        let config = vendor_config("", Path::new("/w/t/vendor"));
        let parsed: toml::Table = config.parse().unwrap();
        assert_eq!(parsed["source"]["crates-io"]["replace-with"].as_str(), Some("vendored-sources"));
        assert_eq!(parsed["source"]["vendored-sources"]["directory"].as_str(), Some("/w/t/vendor"));
    }
}
