//! Untimed preparation, so that no timed build downloads anything and every toolchain compiles
//! the same sources, the same way.
//!
//! Three things happen here, all before the first timing: a workspace without `Cargo.lock`
//! gets one for the duration of the run (written by the oldest selected cargo, since newer
//! cargos read older lockfiles but not the reverse); the dependencies of a workspace with
//! registry or git dependencies are vendored once, by the newest selected cargo, into
//! timewarp's own directory; and every build gets a private `CARGO_HOME` whose `config.toml`
//! holds the user's global cargo configuration plus the replacement of every source by the
//! vendored copy. Every cargo reads `$CARGO_HOME/config.toml` (where `--config` needs 1.63, and
//! cargo before 1.68 cannot reach today's registry at all), so the oldest toolchains build
//! offline from the same sources as the newest. The user's Cargo.lock, `.cargo/config.toml` and
//! `CARGO_HOME` are never modified.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::journal::{CreatedFile, Journal};
use super::workdir::WorkDir;
use crate::discover::toolchain::{Toolchain, rustup_proxy};
use crate::fs;
use crate::process::{CommandSpec, Env, Runner};

/// What the builds need from preparation.
#[derive(Debug)]
pub(crate) struct Prepared {
    /// The private `CARGO_HOME` of every build.
    pub(crate) cargo_home: PathBuf,
    /// Where dependency sources were vendored, when the workspace has any.
    pub(crate) vendor_dir: Option<PathBuf>,
    /// Cargo.lock files created for this run; removed again by [`Prepared::finish`] (or on drop).
    created_lockfiles: Vec<CreatedFile>,
}

impl Prepared {
    /// Undoes what preparation changed in the user's tree: lockfiles created for the run (each
    /// only while it is the one timewarp wrote).
    pub(crate) fn finish(self) -> Result<()> {
        self.created_lockfiles.into_iter().try_for_each(CreatedFile::restore)
    }
}

/// A workspace to prepare: its root and root manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tree {
    /// The workspace root.
    pub(crate) root: PathBuf,
    /// Its `Cargo.toml`.
    pub(crate) manifest: PathBuf,
}

/// Prepares `trees` (the workspace measured, and with `--baseline-rev` the revision beside it)
/// for builds by `toolchains` (oldest first): lockfiles it creates are registered in `journal`
/// first, and the dependencies of all of them are vendored together, so one private
/// `CARGO_HOME` serves every build.
pub(crate) fn prepare(
    runner: &dyn Runner,
    trees: &[Tree],
    toolchains: &[Toolchain],
    work: &WorkDir,
    journal: &Journal,
) -> Result<Prepared> {
    let mut created_lockfiles = Vec::new();
    let mut lock_texts = Vec::new();
    for tree in trees {
        let lockfile = tree.root.join("Cargo.lock");
        // Resolve before judging: a link named `Cargo.lock` that leads nowhere would have cargo
        // create the lockfile wherever it points, and the restore remove the link.
        if !lockfile.is_file() && std::fs::symlink_metadata(&lockfile).is_ok() {
            let target = std::fs::read_link(&lockfile).map(|t| t.display().to_string()).unwrap_or_default();
            anyhow::bail!(
                "`{}` is a link to `{target}`, which is not a file, so cargo would create the lockfile there; \
                 make the link lead to a lockfile, or remove it",
                lockfile.display()
            );
        }
        if !lockfile.is_file() {
            created_lockfiles.push(generate_lockfile(
                runner,
                &tree.root,
                &tree.manifest,
                toolchains,
                &lockfile,
                journal,
            )?);
        }
        lock_texts.push(fs::read_to_string(&lockfile)?);
    }
    let mut replacement = None;
    let mut vendor_dir = None;
    if lock_texts.iter().any(|t| has_external_sources(t)) {
        let newest = toolchains.last().expect("preparation needs a selected toolchain");
        replacement = Some(vendor(runner, newest, trees, &lock_texts.join("\n"), work)?);
        vendor_dir = Some(work.vendor_dir());
    }
    let root = &trees.first().expect("a tree to prepare").root;
    let cargo_home = private_cargo_home(runner.env(), work, root, replacement.as_deref())?;
    Ok(Prepared { cargo_home, vendor_dir, created_lockfiles })
}

/// Vendors the locked dependencies of every tree (unless the sources vendored from these very
/// lockfiles, `lock_text`, are there already) and returns the source replacement that points
/// cargo at them.
fn vendor(runner: &dyn Runner, newest: &Toolchain, trees: &[Tree], lock_text: &str, work: &WorkDir) -> Result<String> {
    let (vendor_dir, config_file, stamp) = (work.vendor_dir(), work.vendor_config(), work.vendor_stamp());
    if std::fs::symlink_metadata(&vendor_dir).is_ok_and(|m| m.file_type().is_symlink()) {
        anyhow::bail!(
            "refusing to vendor into `{}`: it is a symbolic link, and timewarp never writes through links in its own directories",
            vendor_dir.display()
        );
    }
    // Only regular files are read: what a link there names is never taken for timewarp's.
    let regular = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file());
    let up_to_date =
        regular(&config_file) && regular(&stamp) && std::fs::read_to_string(&stamp).is_ok_and(|s| s == lock_text);
    if !up_to_date {
        let first = &trees[0];
        let mut cmd = cargo(runner.env(), newest, &first.root)
            .args(["vendor", "--locked", "--versioned-dirs", "--manifest-path"])
            .arg(&first.manifest);
        for other in &trees[1..] {
            cmd = cmd.arg("--sync").arg(&other.manifest);
        }
        let cmd = cmd.arg(&vendor_dir);
        let out = runner
            .run(&cmd)?
            .ok_or_error(&cmd)
            .context("could not vendor the workspace's dependencies before timing (this needs the registry once)")?;
        work.write(&config_file, vendor_config(&out.stdout, &vendor_dir))?;
        work.write(&stamp, lock_text)?;
    }
    fs::read_to_string(&config_file)
}

/// Writes the builds' `CARGO_HOME`: its `config.toml` is the user's global cargo configuration
/// (unless cargo reaches that file anyway, walking up from `build_dir`) with the vendored-source
/// `replacement` on top.
fn private_cargo_home(env: &Env, work: &WorkDir, build_dir: &Path, replacement: Option<&str>) -> Result<PathBuf> {
    let home = work.create_cargo_home()?;
    let mut config = toml::Table::new();
    if let Some(global) = global_config(env).filter(|file| !reached_by_walk(file, build_dir)) {
        let text = fs::read_to_string(&global)?;
        config = text.parse().with_context(|| format!("could not parse `{}`", global.display()))?;
    }
    if let Some(replacement) = replacement {
        let replacement: toml::Table = replacement.parse().context("could not parse `cargo vendor`'s configuration")?;
        let sources = config.entry("source").or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let (Some(sources), Some(toml::Value::Table(replaced))) = (sources.as_table_mut(), replacement.get("source"))
        {
            sources.extend(replaced.clone());
        }
    }
    let text = toml::to_string(&config).expect("a TOML table always serialises");
    work.write(&home.join("config.toml"), text)?;
    Ok(home)
}

/// The user's global cargo configuration file, `$CARGO_HOME/config.toml` (or the older
/// `config`), if there is one.
fn global_config(env: &Env) -> Option<PathBuf> {
    let home = env.cargo_home()?;
    ["config.toml", "config"].iter().map(|name| home.join(name)).find(|file| file.is_file())
}

/// Whether cargo, run in `dir`, finds `config` on its own: it reads `.cargo/config.toml` in
/// `dir` and every parent, which includes `~/.cargo` for a project under the home directory.
fn reached_by_walk(config: &Path, dir: &Path) -> bool {
    let Some(config_dir) = config.parent().and_then(|d| d.canonicalize().ok()) else { return false };
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors().any(|a| a.join(".cargo").canonicalize().is_ok_and(|d| d == config_dir))
}

fn cargo(env: &Env, toolchain: &Toolchain, root: &Path) -> CommandSpec {
    CommandSpec::new(rustup_proxy(env, "cargo"))
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
        let mut cmd = cargo(runner.env(), toolchain, root).arg("generate-lockfile");
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

/// The config `cargo vendor` printed (or, if it printed none, the crates.io replacement), with
/// the vendored directory set to `vendor_dir` exactly: cargo prints a `\\` in a path as `/`, so
/// under `/tmp/a\\b` its own line points at a directory that does not exist.
fn vendor_config(printed: &str, vendor_dir: &Path) -> String {
    let mut config: toml::Table =
        printed.parse().ok().filter(|c: &toml::Table| c.contains_key("source")).unwrap_or_else(|| {
            "[source.crates-io]\nreplace-with = \"vendored-sources\"\n".parse().expect("a valid table")
        });
    let sources = config.entry("source").or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(sources) = sources.as_table_mut() {
        let mut vendored = toml::Table::new();
        vendored.insert("directory".into(), vendor_dir.display().to_string().into());
        sources.insert("vendored-sources".into(), toml::Value::Table(vendored));
    }
    toml::to_string(&config).expect("a TOML table always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeRunner, toolchain};

    /// The one tree at `root`.
    fn tree(root: &Path) -> Vec<Tree> {
        vec![Tree { root: root.to_path_buf(), manifest: root.join("Cargo.toml") }]
    }

    /// timewarp's directories and journal for a workspace at `root`.
    fn work(root: &Path) -> (WorkDir, Journal) {
        let work = crate::testing::work_dir_in(root);
        work.create_builds().unwrap();
        let owner = work.owner();
        (work, Journal::on_disk(&root.join("journal.json"), &root.join("backups"), owner))
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
        let p = prepare(&runner, &tree(dir.path()), &[toolchain("1.63.0")], &work, &journal).unwrap();
        assert!(p.vendor_dir.is_none() && p.created_lockfiles.is_empty());
        assert!(runner.log().is_empty());
        let config: toml::Table = std::fs::read_to_string(p.cargo_home.join("config.toml")).unwrap().parse().unwrap();
        assert!(config.get("source").is_none(), "nothing to replace: {config:?}");
        p.finish().unwrap();
    }

    #[test]
    fn registry_dependencies_are_vendored_once_by_the_newest_cargo() {
        let dir = tempfile::tempdir().unwrap();
        let (work, journal) = work(dir.path());
        std::fs::write(dir.path().join("Cargo.lock"), REGISTRY_LOCK).unwrap();
        let runner = FakeRunner::new().ok("vendor", VENDOR_STDOUT);
        let toolchains = [toolchain("1.63.0"), toolchain("1.96.0")];
        let p = prepare(&runner, &tree(dir.path()), &toolchains, &work, &journal).unwrap();
        let config: toml::Table = std::fs::read_to_string(p.cargo_home.join("config.toml")).unwrap().parse().unwrap();
        assert_eq!(config["source"]["crates-io"]["replace-with"].as_str(), Some("vendored-sources"));
        let vendored = work.vendor_dir().display().to_string();
        assert_eq!(config["source"]["vendored-sources"]["directory"].as_str(), Some(vendored.as_str()));
        let lines = runner.lines();
        assert_eq!(lines.len(), 1);
        assert!(lines[0].starts_with("cargo +1.96.0 vendor --locked --versioned-dirs"), "{}", lines[0]);
        // A second run with the same lockfile reuses the vendored sources.
        prepare(&runner, &tree(dir.path()), &toolchains, &work, &journal).unwrap();
        assert_eq!(runner.lines().len(), 1);
        assert_eq!(std::fs::read_to_string(dir.path().join("Cargo.lock")).unwrap(), REGISTRY_LOCK);
    }

    /// Hostile pass, defect 2: the vendored-source configuration and its stamp planted as links
    /// (the stamp's target holding the very lockfile) must not pass for timewarp's: the builds
    /// would read whatever configuration the link names, and the vendor step write through it.
    #[test]
    fn vendor_files_that_are_links_are_never_read_or_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let (work, journal) = work(dir.path());
        std::fs::write(dir.path().join("Cargo.lock"), REGISTRY_LOCK).unwrap();
        let planted = dir.path().join("planted");
        std::fs::create_dir_all(&planted).unwrap();
        std::fs::write(planted.join("config"), "[source.crates-io]\nreplace-with = \"theirs\"\n").unwrap();
        std::fs::write(planted.join("stamp"), REGISTRY_LOCK).unwrap();
        std::os::unix::fs::symlink(planted.join("config"), work.vendor_config()).unwrap();
        std::os::unix::fs::symlink(planted.join("stamp"), work.vendor_stamp()).unwrap();
        let runner = FakeRunner::new().ok("vendor", VENDOR_STDOUT);
        let err = prepare(&runner, &tree(dir.path()), &[toolchain("1.96.0")], &work, &journal).unwrap_err();
        let refused = format!("refusing to write `{}`: it is a symbolic link", work.vendor_config().display());
        assert!(format!("{err:#}").starts_with(&refused), "{err:#}");
        assert_eq!(runner.lines().len(), 1, "not taken as vendored already: {:?}", runner.lines());
        assert_eq!(std::fs::read_to_string(planted.join("stamp")).unwrap(), REGISTRY_LOCK);
        assert!(std::fs::read_to_string(planted.join("config")).unwrap().contains("theirs"));
        assert!(!work.cargo_home().join("config.toml").exists(), "no configuration made from theirs");
    }

    #[test]
    fn a_failed_vendor_says_why_in_one_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), REGISTRY_LOCK).unwrap();
        let runner = FakeRunner::new().fail("vendor", 101, "error: failed to sync\n\nCaused by:\n  network down\n");
        let (work, journal) = work(dir.path());
        let err = prepare(&runner, &tree(dir.path()), &[toolchain("1.96.0")], &work, &journal).unwrap_err();
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
        let err = prepare(&runner, &tree(dir.path()), &toolchains, &work, &journal).unwrap_err();
        assert!(err.to_string().starts_with("could not read `"), "{err}");
        assert!(runner.lines()[0].starts_with("cargo +1.63.0 generate-lockfile --offline --manifest-path"));
    }

    #[test]
    fn the_global_config_is_copied_unless_cargo_finds_it_anyway() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home/.cargo");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join("config.toml"), "[net]\nretry = 7\n").unwrap();
        let inside = dir.path().join("home/code/app");
        std::fs::create_dir_all(&inside).unwrap();
        assert!(reached_by_walk(&home.join("config.toml"), &inside));
        assert!(!reached_by_walk(&home.join("config.toml"), dir.path()));
    }

    #[test]
    fn the_vendor_directory_is_ours_not_as_cargo_printed_it() {
        let dir = Path::new("/tmp/odd dir/ünï \"q\" $x \\back's/vendor");
        let printed = "[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n[source.\"git+https://g/x\"]\ngit = \"https://g/x\"\nreplace-with = \"vendored-sources\"\n\n[source.vendored-sources]\ndirectory = \"/tmp/odd dir/ünï \\\"q\\\" $x /back's/vendor\"\n";
        let parsed: toml::Table = vendor_config(printed, dir).parse().unwrap();
        assert_eq!(parsed["source"]["vendored-sources"]["directory"].as_str(), dir.to_str());
        assert_eq!(
            parsed["source"]["git+https://g/x"]["replace-with"].as_str(),
            Some("vendored-sources"),
            "git sources stay"
        );
    }

    #[test]
    fn fallback_config_points_crates_io_at_the_vendor_dir() {
        let config = vendor_config("", Path::new("/w/t/vendor"));
        let parsed: toml::Table = config.parse().unwrap();
        assert_eq!(parsed["source"]["crates-io"]["replace-with"].as_str(), Some("vendored-sources"));
        assert_eq!(parsed["source"]["vendored-sources"]["directory"].as_str(), Some("/w/t/vendor"));
    }
}
