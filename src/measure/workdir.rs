//! Every path timewarp writes to, and the only code that deletes anything.
//!
//! timewarp keeps two directories per workspace:
//!
//! - the **build directory**, `<target-dir>/timewarp/`: one cargo target directory per
//!   toolchain, the vendored dependency sources, the private `CARGO_HOME` the builds use, the
//!   last saved report. It sits in the target directory because that is where build output
//!   belongs (and `--target-dir` moves it);
//! - the **state directory**, `$XDG_CACHE_HOME/cargo-timewarp/<name>-<hash>/` (else
//!   `~/.cache/...`), keyed by the workspace root whatever the target directory: the lock that
//!   keeps two runs apart, the journal of changes to the user's tree, revisions exported for
//!   `--rev`, which must live outside the workspace so that no manifest or `.cargo/config.toml`
//!   of today's tree applies to them, and `history.jsonl`, the record of past runs, which
//!   `cargo clean` would delete with the target directory (only `cargo timewarp clean` removes
//!   it).
//!
//! Never adopt what you did not make: [`create_marked`] is the one creator of timewarp's
//! directories. It makes a directory and puts a `CACHEDIR.TAG` naming cargo-timewarp in it, and
//! refuses, before writing anything, a directory that exists without that tag and holds anything
//! (a user's `~/timewarp` repository under `--target-dir ~`, a member named `timewarp`), or that
//! is a symbolic link to one. Deletion refuses any directory without the tag, and `clean` removes
//! only the entries timewarp makes, so a file a user put inside is kept and named. A directory
//! of another user's is refused even with the tag (in a shared target directory, whoever makes
//! `timewarp/` first would choose its entries), and every file timewarp writes in its
//! directories is opened without following a link and only when it is the running user's
//! (`fs::write_own` and its siblings).
//!
//! Both directories are locked while a run uses them (`flock`, released by the kernel however
//! the run ends): the state directory keeps two runs on one workspace apart, the build
//! directory two workspaces that share a `--target-dir`, so no run removes, prunes or sweeps
//! another's builds. A third lock lives with the workspace itself: an advisory `flock` on its
//! root `Cargo.toml`, opened read-only (so nothing is written into the tree), which stops a
//! second run that has another cache directory and so another state directory.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::discover::toolchain::Toolchain;
use crate::exit::ExitError;
use crate::fs;
use crate::process::Env;

/// The marker file of every directory timewarp creates (the format of
/// <https://bford.info/cachedir/>, so backup tools skip it too).
const MARKER: &str = "CACHEDIR.TAG";
const MARKER_TEXT: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by cargo-timewarp.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";
/// The line that tells timewarp's tag from cargo's own (cargo tags its target directories too).
const MARKER_OWNER: &str = "created by cargo-timewarp";
/// The state directory's copies of edited files.
const BACKUPS: &str = "backups";
/// The lock file in each of timewarp's directories.
const LOCK: &str = "lock";

/// The file names timewarp makes directly in the build directory (besides the per-toolchain
/// directories, which are named by version and carry the marker).
const BUILD_ENTRIES: &[&str] = &[
    MARKER,
    LOCK,
    "vendor",
    "vendor-config.toml",
    "vendor.Cargo.lock",
    "cargo-home",
    "crates",
    "linker",
    // Where earlier versions kept the history: `clean` still removes it.
    "history.jsonl",
    "last-report.json",
    "last-try.json",
];
/// The file names timewarp makes directly in the state directory.
const STATE_ENTRIES: &[&str] = &[
    MARKER,
    LOCK,
    "journal.json",
    BACKUPS,
    "revisions",
    "installed-toolchains",
    "installed-nightlies",
    "history.jsonl",
];

/// A lock on one of timewarp's directories, held while the file is open and released by the
/// kernel when the process ends, however it ends, so a killed run never blocks the next. The
/// file stays (removing a lock file races with a run opening it); a run that ends, even by an
/// error or a panic, empties the holder it recorded, so only a killed run leaves one behind.
#[derive(Debug)]
pub(crate) struct RunLock {
    file: std::fs::File,
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Still held here: no other run reads a half-cleared record.
        let _ = self.file.set_len(0);
    }
}

/// The lock on the user's own root manifest (see [`lock_tree`]): a read-only handle held open,
/// never written, and no `Drop` that touches the file (a [`RunLock`] empties its record).
#[derive(Debug)]
pub(crate) struct TreeLock {
    _file: std::fs::File,
}

/// A lock a run holds until it ends: one of timewarp's own lock files, or the user's manifest.
#[derive(Debug)]
pub(crate) enum Held {
    /// A lock file of timewarp's, whose holder record is emptied when it is let go.
    Run {
        /// Held until dropped.
        _lock: RunLock,
    },
    /// The user's root manifest, opened read-only and never written.
    Tree {
        /// Held until dropped.
        _lock: TreeLock,
    },
}

/// The outcome of taking a lock.
#[derive(Debug)]
pub(crate) enum Locked {
    /// This run holds it.
    Acquired(RunLock),
    /// Another run holds it; what that run recorded (pid, start, command line).
    HeldBy(String),
}

/// timewarp's directories for one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkDir {
    builds: PathBuf,
    state: PathBuf,
    /// The user timewarp runs as: every directory and file it uses in both must be theirs.
    owner: u32,
    /// The workspace root, which the state directory must lie outside of.
    workspace: PathBuf,
    /// The variable that placed the state directory.
    state_from: CacheHome,
}

/// Which variable places the state directory: `$XDG_CACHE_HOME`, else `$HOME/.cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CacheHome {
    XdgCacheHome,
    Home,
}

impl std::fmt::Display for CacheHome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CacheHome::XdgCacheHome => "XDG_CACHE_HOME",
            CacheHome::Home => "HOME",
        })
    }
}

impl WorkDir {
    /// The directories of the workspace at `workspace_root` whose target directory is
    /// `target_dir`, with the state directory below `env`'s cache home, for the user `owner`
    /// (the running one); nothing is created yet.
    pub(crate) fn new(workspace_root: &Path, target_dir: &Path, env: &Env, owner: u32) -> Result<WorkDir> {
        let state = state_root(env)?.join(workspace_key(workspace_root));
        let state_from = if env.non_empty("XDG_CACHE_HOME").is_some_and(|p| Path::new(p).is_absolute()) {
            CacheHome::XdgCacheHome
        } else {
            CacheHome::Home
        };
        let workspace = workspace_root.to_path_buf();
        Ok(WorkDir { builds: target_dir.join("timewarp"), state, owner, workspace, state_from })
    }

    /// The user timewarp runs as, whose every directory and file here must be.
    pub(crate) fn owner(&self) -> u32 {
        self.owner
    }

    /// Writes `path`, a file in one of timewarp's directories, never through a link and never
    /// another user's file.
    pub(crate) fn write(&self, path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
        fs::write_own(path, contents, self.owner)
    }

    /// [`WorkDir::write`], atomically: the whole new file or the old one, never half.
    pub(crate) fn write_atomic(&self, path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
        fs::write_atomic_own(path, contents, self.owner)
    }

    /// Both directories: the build directory and the state directory.
    pub(crate) fn dirs(&self) -> [&Path; 2] {
        [&self.builds, &self.state]
    }

    /// `<target-dir>/timewarp`.
    pub(crate) fn builds(&self) -> &Path {
        &self.builds
    }

    /// Creates the build directory, saying what to do when the target directory is read-only.
    pub(crate) fn create_builds(&self) -> Result<()> {
        create_marked(&self.builds, self.owner).map_err(|e| {
            if e.downcast_ref::<NotOurs>().is_some() {
                return e;
            }
            anyhow::anyhow!(
                "{e:#}; the target directory must be writable (set CARGO_TARGET_DIR or use `--target-dir` to put it elsewhere)"
            )
        })
    }

    /// Creates the state directory. One inside the workspace (`XDG_CACHE_HOME` set to a
    /// directory of the tree, as CI jobs do to cache it) is refused: the lock, the backups of
    /// edited files and the `--rev` exports would land in the tree, and an exported revision
    /// would be built under today's `.cargo/config.toml`.
    pub(crate) fn create_state(&self) -> Result<()> {
        let (state, workspace) = (resolved(&self.state), resolved(&self.workspace));
        if state.starts_with(&workspace) {
            return Err(ExitError::usage(format!(
                "timewarp's state directory `{}` (from {}) is inside the workspace `{}`, where its lock, backups and `--rev` exports would land in your tree; set XDG_CACHE_HOME to a directory outside the workspace",
                self.state.display(),
                self.state_from,
                self.workspace.display()
            )));
        }
        create_marked(&self.state, self.owner).map_err(|e| {
            if e.downcast_ref::<NotOurs>().is_some() {
                return e;
            }
            anyhow::anyhow!("{e:#}; timewarp keeps its lock and journal there (set XDG_CACHE_HOME to move it)")
        })
    }

    /// Takes the lock of this workspace (whatever the target directory), recording `holder`.
    pub(crate) fn lock_workspace(&self, holder: &str) -> Result<Locked> {
        self.create_state()?;
        lock(&self.state.join(LOCK), holder, self.owner)
    }

    /// Takes the lock of the build directory, which another workspace may share through
    /// `--target-dir`, recording `holder`.
    pub(crate) fn lock_builds(&self, holder: &str) -> Result<Locked> {
        self.create_builds()?;
        lock(&self.builds.join(LOCK), holder, self.owner)
    }

    /// Where the report of the latest completed run is saved, whatever the user's `--output`.
    pub(crate) fn last_report(&self) -> PathBuf {
        self.builds.join("last-report.json")
    }

    /// Where the document of the latest `try` is saved, beside the last run's report.
    pub(crate) fn last_try(&self) -> PathBuf {
        self.builds.join("last-try.json")
    }

    /// The directory of `toolchain`'s builds of the tree measured (`tag` `None`) or of another
    /// one (`--baseline-rev`): named like a version, so pruning knows it.
    pub(crate) fn subject_dir(&self, toolchain: &Toolchain, tag: Option<&str>) -> PathBuf {
        let name = toolchain.dir_name();
        match tag {
            None => self.builds.join(name),
            Some(tag) if name.contains('+') => self.builds.join(format!("{name}.{tag}")),
            Some(tag) => self.builds.join(format!("{name}+{tag}")),
        }
    }

    /// Creates a directory [`WorkDir::subject_dir`] names, marked as timewarp's.
    pub(crate) fn create_subject_dir(&self, dir: &Path) -> Result<()> {
        self.create_builds()?;
        if !dir.starts_with(&self.builds) || dir == self.builds {
            bail!("refusing to create `{}`: it is not inside `{}`", dir.display(), self.builds.display());
        }
        create_marked(dir, self.owner)
    }

    /// Empties `dir`, one of [`WorkDir::target_dir`], for a clean build: removed and created
    /// again holding only timewarp's marker. Refuses anything outside the build directory.
    pub(crate) fn clear_target_dir(&self, dir: &Path) -> Result<()> {
        self.create_builds()?;
        self.remove_target_dir(dir)?;
        create_marked(dir, self.owner)
    }

    /// Removes `dir`, one of timewarp's target directories, when it exists. Refuses anything
    /// outside the build directory, or not marked as timewarp's, or in a directory that is not.
    pub(crate) fn remove_target_dir(&self, dir: &Path) -> Result<()> {
        if !dir.starts_with(&self.builds) || dir == self.builds {
            bail!("refusing to remove `{}`: it is not inside `{}`", dir.display(), self.builds.display());
        }
        if let Some(parent) = dir.parent().filter(|p| *p != self.builds)
            && !is_marked(parent)
        {
            bail!("refusing to build in `{}`: timewarp did not create `{}`", dir.display(), parent.display());
        }
        if std::fs::symlink_metadata(dir).is_err() {
            return Ok(());
        }
        if is_link(dir) || !is_marked(dir) {
            bail!(
                "refusing to remove `{}`: timewarp did not create it (it has no cargo-timewarp `{MARKER}`)",
                dir.display()
            );
        }
        fs::remove_dir_all_if_exists(dir)
    }

    /// The link timer's directory (see `linker`), created here, holding one link to `exe` per
    /// name in `programs`. Links an earlier run left are made anew (the binary may have moved);
    /// anything else under such a name is refused, never replaced.
    pub(crate) fn create_link_dir(&self, exe: &Path, programs: &[String]) -> Result<PathBuf> {
        self.create_builds()?;
        let dir = self.builds.join("linker");
        create_marked(&dir, self.owner)?;
        for name in programs {
            let link = dir.join(name);
            if name.is_empty() || name.contains('/') || name.starts_with('.') {
                bail!(
                    "cannot take the link time of the linker `{name}` apart: timewarp stands in for a linker through a link of the same name in `{}`, and makes none named `{name}` (empty, hidden or with a `/`); pass `--no-link-time` to measure without taking link time apart",
                    dir.display()
                );
            }
            match std::fs::symlink_metadata(&link) {
                Ok(meta) if meta.file_type().is_symlink() => fs::remove_file_if_exists(&link)?,
                Ok(_) => bail!("refusing to replace `{}`: timewarp makes only links there", link.display()),
                Err(_) => {}
            }
            std::os::unix::fs::symlink(exe, &link)
                .map_err(|e| anyhow::anyhow!("could not create `{}`: {e}", link.display()))?;
        }
        Ok(dir)
    }

    /// The log of `toolchain`'s per-crate build (`--crates`), in a directory created here.
    pub(crate) fn crates_log(&self, toolchain: &Toolchain, tag: Option<&str>) -> Result<PathBuf> {
        self.create_builds()?;
        let dir = self.builds.join("crates");
        create_marked(&dir, self.owner)?;
        let name = self.subject_dir(toolchain, tag).file_name().map(|n| n.to_string_lossy().into_owned());
        let log = dir.join(format!("{}.jsonl", name.unwrap_or_default()));
        // A log left by an earlier run must not pass for this one's.
        fs::remove_file_if_exists(&log)?;
        Ok(log)
    }

    /// Where dependency sources are vendored for every toolchain.
    pub(crate) fn vendor_dir(&self) -> PathBuf {
        self.builds.join("vendor")
    }

    /// The `cargo vendor` source replacement written for the builds.
    pub(crate) fn vendor_config(&self) -> PathBuf {
        self.builds.join("vendor-config.toml")
    }

    /// The lockfile the vendored sources were made from, to tell when they are stale.
    pub(crate) fn vendor_stamp(&self) -> PathBuf {
        self.builds.join("vendor.Cargo.lock")
    }

    /// The private `CARGO_HOME` of the builds.
    pub(crate) fn cargo_home(&self) -> PathBuf {
        self.builds.join("cargo-home")
    }

    /// Creates the private `CARGO_HOME` of the builds and returns it.
    pub(crate) fn create_cargo_home(&self) -> Result<PathBuf> {
        self.create_builds()?;
        let home = self.cargo_home();
        create_marked(&home, self.owner)?;
        Ok(home)
    }

    /// The record of past runs, one JSON report per line: in the state directory, so that
    /// `cargo clean`, which removes the target directory, leaves it.
    pub(crate) fn history_file(&self) -> PathBuf {
        self.state.join("history.jsonl")
    }

    /// The toolchains `bisect --install` installed and has not removed yet, one per line.
    pub(crate) fn install_record(&self) -> PathBuf {
        self.state.join("installed-toolchains")
    }

    /// The nightlies `bisect --nightlies --install` installed and has not removed yet: a record
    /// of its own, since they are installed and removed while the releases' record stands.
    pub(crate) fn nightly_install_record(&self) -> PathBuf {
        self.state.join("installed-nightlies")
    }

    /// The journal of changes to the user's tree, replayed after a crash.
    pub(crate) fn journal_file(&self) -> PathBuf {
        self.state.join("journal.json")
    }

    /// Where the journal keeps copies of files it may have to restore.
    pub(crate) fn journal_backups(&self) -> PathBuf {
        self.state.join(BACKUPS)
    }

    /// The copies of edited files kept in the backups of every state directory under this
    /// one's cache root whose run is over (its lock is free): a killed run's original, when its
    /// journal is not where this run looks (the checkout was renamed since). Marked directories
    /// only; nothing is opened for writing.
    pub(crate) fn backups_of_finished_runs(&self) -> Vec<PathBuf> {
        self.states_of_finished_runs().iter().flat_map(|dir| originals_in(&dir.join(BACKUPS))).collect()
    }

    /// The journals a killed run left in the state directories of
    /// [`WorkDir::backups_of_finished_runs`].
    pub(crate) fn journals_of_finished_runs(&self) -> Vec<PathBuf> {
        let journals = self.states_of_finished_runs().into_iter().map(|dir| dir.join("journal.json"));
        journals.filter(|j| j.is_file()).collect()
    }

    /// The marked state directories under this one's cache root whose lock no run holds.
    fn states_of_finished_runs(&self) -> Vec<PathBuf> {
        let Some(root) = self.state.parent() else { return Vec::new() };
        let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|dir| is_marked(dir) && !is_live(&dir.join(LOCK)))
            .collect();
        found.sort();
        found
    }

    /// Where revision `commit` is exported for `--rev`.
    pub(crate) fn revision_dir(&self, commit: &str) -> PathBuf {
        self.state.join("revisions").join(format!("rev-{}", &commit[..commit.len().min(12)]))
    }

    /// Creates the parent of the exported revisions, marked like every timewarp directory.
    pub(crate) fn create_revisions(&self) -> Result<()> {
        self.create_state()?;
        create_marked(&self.state.join("revisions"), self.owner)
    }

    /// The file that says an exported revision is complete, and how it was exported.
    pub(crate) fn revision_stamp(&self, dir: &Path) -> PathBuf {
        dir.with_extension("complete")
    }

    /// The archive a revision is exported through, removed once unpacked.
    pub(crate) fn revision_archive(&self, dir: &Path) -> PathBuf {
        dir.with_extension("tar")
    }

    /// Removes an exported revision with its stamp and archive (timewarp's own, checked by the
    /// marker of its parent).
    pub(crate) fn remove_revision(&self, dir: &Path) -> Result<()> {
        let parent = self.state.join("revisions");
        if dir.parent() != Some(parent.as_path()) || !is_marked(&parent) {
            bail!("refusing to remove `{}`: it is not one of timewarp's exported revisions", dir.display());
        }
        fs::remove_file_if_exists(&self.revision_stamp(dir))?;
        fs::remove_file_if_exists(&self.revision_archive(dir))?;
        fs::remove_dir_all_if_exists(dir)
    }

    /// Removes the archive of an unpacked revision.
    pub(crate) fn remove_revision_archive(&self, dir: &Path) -> Result<()> {
        fs::remove_file_if_exists(&self.revision_archive(dir))
    }

    /// Bytes used by both directories.
    pub(crate) fn size(&self) -> u64 {
        fs::tree_size(&self.builds) + fs::tree_size(&self.state)
    }

    /// Removes every per-toolchain target directory timewarp made, except those in `keep`;
    /// returns the bytes freed. Vendored sources, reports and history stay.
    pub(crate) fn prune_target_dirs(&self, keep: &[PathBuf]) -> Result<u64> {
        let mut freed = 0;
        let Ok(entries) = std::fs::read_dir(&self.builds) else { return Ok(0) };
        for entry in entries.flatten() {
            let path = entry.path();
            if is_toolchain_dir(&entry) && !keep.iter().any(|k| k.starts_with(&path)) {
                freed += fs::tree_size(&path);
                fs::remove_dir_all_if_exists(&path)?;
            }
        }
        Ok(freed)
    }

    /// After a run: removes the per-toolchain directories but the one holding `keep` (unless
    /// `keep_all`); returns the bytes freed and the bytes still used.
    pub(crate) fn tidy(&self, keep: Option<&Path>, keep_all: bool) -> Result<(u64, u64)> {
        let freed = if keep_all {
            0
        } else {
            self.prune_target_dirs(&keep.map(Path::to_path_buf).into_iter().collect::<Vec<_>>())?
        };
        Ok((freed, self.size()))
    }

    /// `cargo timewarp clean`: removes from both directories what timewarp made there, then the
    /// directories themselves when nothing else is left in them. Returns what it removed with
    /// the bytes each freed, and what it kept because timewarp did not make it.
    pub(crate) fn remove(&self) -> Result<Removed> {
        let mut removed = Removed::default();
        for (dir, known) in [(&self.builds, BUILD_ENTRIES), (&self.state, STATE_ENTRIES)] {
            if std::fs::symlink_metadata(dir).is_err() {
                continue;
            }
            if !is_marked(dir) || is_link(dir) {
                bail!(
                    "refusing to remove `{}`: timewarp did not create it (it has no cargo-timewarp `{MARKER}`)",
                    dir.display()
                );
            }
            check_owner(dir, self.owner)?;
            let size = fs::tree_size(dir);
            let mut kept = Vec::new();
            for entry in
                std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("could not read `{}`: {e}", dir.display()))?
            {
                let Ok(entry) = entry else { continue };
                let name = entry.file_name();
                let ours = is_toolchain_dir(&entry) || name.to_str().is_some_and(|n| known.contains(&n));
                if !ours || name == MARKER {
                    if name != MARKER {
                        kept.push(entry.path());
                    }
                    continue;
                }
                let path = entry.path();
                if dir == &self.state && name == BACKUPS {
                    // A backup left here is an original a conflict note pointed at (restored
                    // ones are removed with their journal entry): it is the user's to delete.
                    let originals = originals_in(&path);
                    if !originals.is_empty() {
                        kept.push(path.clone());
                        removed.originals.extend(originals);
                        continue;
                    }
                }
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    fs::remove_dir_all_if_exists(&path)?;
                } else {
                    fs::remove_file_if_exists(&path)?;
                }
            }
            if kept.is_empty() {
                fs::remove_dir_all_if_exists(dir)?;
                removed.dirs.push((dir.clone(), size));
            } else {
                removed.dirs.push((dir.clone(), size.saturating_sub(fs::tree_size(dir))));
                removed.kept.extend(kept.into_iter().filter(|k| !(dir == &self.state && k.ends_with(BACKUPS))));
            }
        }
        Ok(removed)
    }
}

/// What `clean` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Removed {
    /// timewarp's directories cleaned, with the bytes freed in each.
    pub(crate) dirs: Vec<(PathBuf, u64)>,
    /// What was left because timewarp did not make it.
    pub(crate) kept: Vec<PathBuf>,
    /// Originals of files a run edited and someone changed since, kept in the backups: a
    /// conflict note pointed at them, so they are the only copy.
    pub(crate) originals: Vec<PathBuf>,
}

/// The files in the backups directory `dir`.
fn originals_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> =
        entries.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_file())).map(|e| e.path()).collect();
    files.sort();
    files
}

/// A per-toolchain target directory: named like a version, marked by timewarp.
fn is_toolchain_dir(entry: &std::fs::DirEntry) -> bool {
    let named_like_a_version = entry.file_name().to_str().is_some_and(|n| semver::Version::parse(n).is_ok());
    named_like_a_version && entry.file_type().is_ok_and(|t| t.is_dir()) && is_marked(&entry.path())
}

/// Takes the lock `path`, recording `holder` in it; says who holds it when someone does.
fn lock(path: &Path, holder: &str, owner: u32) -> Result<Locked> {
    use std::io::{Read as _, Seek as _, Write as _};
    let mut file = fs::open_own_rw(path, owner)?;
    match file.try_lock() {
        Ok(()) => {
            let written = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(holder.as_bytes()));
            written.map_err(|e| anyhow::anyhow!("could not write `{}`: {e}", path.display()))?;
            Ok(Locked::Acquired(RunLock { file }))
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut bytes = Vec::new();
            let _ = file.read_to_end(&mut bytes);
            Ok(Locked::HeldBy(String::from_utf8_lossy(&bytes).trim().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(anyhow::anyhow!("could not lock `{}`: {e}", path.display())),
    }
}

/// Takes the lock that lives with the workspace itself, whatever the cache directory and the
/// target directory: an advisory `flock` on the root manifest `manifest`, opened read-only, so
/// nothing is written into the user's tree. `Err` says who holds it (the pid and command line
/// the kernel's lock table names, read by `process::flock_holder`). Where the file system cannot lock a read-only handle
/// (`Ok(None)`), the state directory's lock still keeps apart the runs that share a cache.
pub(crate) fn lock_tree(manifest: &Path) -> std::result::Result<Option<TreeLock>, String> {
    let Ok(file) = std::fs::File::open(manifest) else { return Ok(None) };
    match file.try_lock() {
        Ok(()) => Ok(Some(TreeLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(crate::process::flock_holder(&file).unwrap_or_else(|| "pid unknown".to_string()))
        }
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// Whether a run holds the lock `path` now (asked through a shared lock on a read-only handle,
/// which changes nothing).
fn is_live(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    matches!(file.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock))
}

/// `path` with every link resolved, also when its end does not exist yet: the deepest
/// existing ancestor canonicalised, the rest appended.
fn resolved(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = path;
    loop {
        if let Ok(real) = at.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return path.to_path_buf(),
        }
    }
}

/// `$XDG_CACHE_HOME/cargo-timewarp`, else `~/.cache/cargo-timewarp`.
fn state_root(env: &Env) -> Result<PathBuf> {
    match env.cache_home() {
        Some(cache) => Ok(cache.join("cargo-timewarp")),
        None => bail!("neither XDG_CACHE_HOME nor HOME is set; timewarp needs one for its per-workspace state"),
    }
}

/// `<last component>-<16 hex digits>`: readable, and unique per workspace root.
fn workspace_key(root: &Path) -> String {
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let name: String = canonical
        .file_name()
        .map(|n| {
            n.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
        })
        .unwrap_or_else(|| "root".to_string());
    format!("{name}-{:016x}", fnv1a(canonical.as_os_str().as_encoded_bytes()))
}

/// FNV-1a, 64 bits: stable across Rust releases, unlike `DefaultHasher`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

/// The error for a directory timewarp would have adopted: it exists, holds something, and
/// timewarp did not make it.
#[derive(Debug)]
pub(crate) struct NotOurs(String);

impl std::fmt::Display for NotOurs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotOurs {}

fn is_link(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink())
}

/// The one creator of timewarp's directories: makes `dir` (and its missing parents) and marks
/// it as timewarp's. A directory that is already there is used only when it carries timewarp's
/// marker, or is empty and not a link (nothing in it to lose); anything else is refused before a
/// byte is written into it.
pub(crate) fn create_marked(dir: &Path, owner: u32) -> Result<()> {
    if std::fs::symlink_metadata(dir).is_ok() {
        if is_marked(dir) {
            return check_owner(dir, owner);
        }
        let empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
        if !empty || is_link(dir) {
            let what = if is_link(dir) { "a link to a directory" } else { "a directory" };
            return Err(NotOurs(format!(
                "`{}` is {what} timewarp did not make (it has no cargo-timewarp `{MARKER}`), so timewarp will not use it; move it, or put timewarp's directory elsewhere with `--target-dir`",
                dir.display()
            ))
            .into());
        }
        check_owner(dir, owner)?;
    } else {
        fs::create_dir_all(dir)?;
        check_owner(dir, owner)?;
    }
    fs::write_own(&dir.join(MARKER), MARKER_TEXT, owner)
}

/// Refuses `dir` unless it is a directory (not a link to one) of `owner`'s: another user's
/// directory, even one whose `CACHEDIR.TAG` names cargo-timewarp, is never adopted, since that
/// user chooses what its entries are (links to the running user's files, planted sources).
fn check_owner(dir: &Path, owner: u32) -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let meta =
        std::fs::symlink_metadata(dir).map_err(|e| anyhow::anyhow!("could not read `{}`: {e}", dir.display()))?;
    if meta.file_type().is_symlink() {
        return Err(NotOurs(format!(
            "`{}` is a link to a directory timewarp did not make, so timewarp will not use it; move it, or put timewarp's directory elsewhere with `--target-dir`",
            dir.display()
        ))
        .into());
    }
    if meta.uid() != owner {
        return Err(NotOurs(format!(
            "`{}` belongs to another user (uid {}), so timewarp will not use it; put timewarp's directories elsewhere (`--target-dir`, or XDG_CACHE_HOME for its state)",
            dir.display(),
            meta.uid()
        ))
        .into());
    }
    Ok(())
}

fn is_marked(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MARKER)).is_ok_and(|text| text.contains(MARKER_OWNER))
}

#[cfg(test)]
mod tests;
