//! Every path timewarp writes to, and the only code that deletes anything.
//!
//! timewarp keeps two directories per workspace:
//!
//! - the **build directory**, `<target-dir>/timewarp/`: one cargo target directory per
//!   toolchain, the vendored dependency sources, the private `CARGO_HOME` the builds use, the
//!   saved reports and `history.jsonl`. It sits in the target directory because that is where
//!   build output belongs (and `--target-dir` moves it);
//! - the **state directory**, `$XDG_CACHE_HOME/cargo-timewarp/<name>-<hash>/` (else
//!   `~/.cache/...`), keyed by the workspace root whatever the target directory: the lock that
//!   keeps two runs apart, the journal of changes to the user's tree, and revisions exported for
//!   `--rev`, which must live outside the workspace so that no manifest or `.cargo/config.toml`
//!   of today's tree applies to them.
//!
//! Every directory timewarp creates carries a `CACHEDIR.TAG` naming cargo-timewarp; deletion
//! refuses any directory without it, so a `timewarp/` folder that timewarp did not make is never
//! removed.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::discover::toolchain::Toolchain;
use crate::fs;

/// The marker file of every directory timewarp creates (the format of
/// <https://bford.info/cachedir/>, so backup tools skip it too).
const MARKER: &str = "CACHEDIR.TAG";
const MARKER_TEXT: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by cargo-timewarp.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";
/// The line that tells timewarp's tag from cargo's own (cargo tags its target directories too).
const MARKER_OWNER: &str = "created by cargo-timewarp";

/// The per-workspace lock of a running `cargo timewarp`: held while the file is open, released
/// by the kernel when the process ends, however it ends, so a killed run never blocks the next.
#[derive(Debug)]
pub(crate) struct RunLock {
    _file: std::fs::File,
}

/// timewarp's directories for one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorkDir {
    builds: PathBuf,
    state: PathBuf,
}

impl WorkDir {
    /// The directories of the workspace at `workspace_root` whose target directory is
    /// `target_dir`; nothing is created yet.
    pub(crate) fn new(workspace_root: &Path, target_dir: &Path) -> Result<WorkDir> {
        Ok(WorkDir { builds: target_dir.join("timewarp"), state: state_root()?.join(workspace_key(workspace_root)) })
    }

    /// Which of timewarp's directories holds `path` (canonical), if one does.
    pub(crate) fn owner_of(&self, path: &Path) -> Option<&Path> {
        [&self.builds, &self.state]
            .into_iter()
            .find(|dir| path.starts_with(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())))
            .map(PathBuf::as_path)
    }

    /// `<target-dir>/timewarp`.
    pub(crate) fn builds(&self) -> &Path {
        &self.builds
    }

    /// Creates the build directory, saying what to do when the target directory is read-only.
    pub(crate) fn create_builds(&self) -> Result<()> {
        create_marked(&self.builds).map_err(|e| {
            anyhow::anyhow!(
                "{e:#}; the target directory must be writable (set CARGO_TARGET_DIR or use `--target-dir` to put it elsewhere)"
            )
        })
    }

    /// Creates the state directory.
    pub(crate) fn create_state(&self) -> Result<()> {
        create_marked(&self.state).map_err(|e| {
            anyhow::anyhow!("{e:#}; timewarp keeps its lock and journal there (set XDG_CACHE_HOME to move it)")
        })
    }

    /// Takes the lock of this workspace (whatever the target directory), recording who holds
    /// it; `Ok(None)` when another run holds it, with what that run recorded.
    pub(crate) fn lock(&self) -> Result<Result<RunLock, String>> {
        use std::io::{Read as _, Seek as _, Write as _};
        self.create_state()?;
        let path = self.state.join("lock");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("could not open `{}`: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {
                let holder = format!(
                    "pid {}, started {}: `{}`",
                    std::process::id(),
                    crate::discover::release::utc_timestamp(std::time::SystemTime::now()),
                    std::env::args().collect::<Vec<_>>().join(" ")
                );
                let written =
                    file.set_len(0).and_then(|()| file.rewind()).and_then(|()| file.write_all(holder.as_bytes()));
                written.map_err(|e| anyhow::anyhow!("could not write `{}`: {e}", path.display()))?;
                Ok(Ok(RunLock { _file: file }))
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                Ok(Err(holder.trim().to_string()))
            }
            Err(std::fs::TryLockError::Error(e)) => Err(anyhow::anyhow!("could not lock `{}`: {e}", path.display())),
        }
    }

    /// Where the report of the latest completed run is saved, whatever the user's `--output`.
    pub(crate) fn last_report(&self) -> PathBuf {
        self.builds.join("last-report.json")
    }

    /// The target directory of `toolchain`'s builds.
    pub(crate) fn target_dir(&self, toolchain: &Toolchain) -> PathBuf {
        self.builds.join(toolchain.dir_name())
    }

    /// Empties `dir`, one of [`WorkDir::target_dir`], for a clean build: removed and created
    /// again holding only timewarp's marker. Refuses anything outside the build directory.
    pub(crate) fn clear_target_dir(&self, dir: &Path) -> Result<()> {
        if !dir.starts_with(&self.builds) || dir == self.builds {
            bail!("refusing to remove `{}`: it is not inside `{}`", dir.display(), self.builds.display());
        }
        if dir.exists() && !is_marked(dir) {
            bail!(
                "refusing to remove `{}`: timewarp did not create it (it has no cargo-timewarp `{MARKER}`)",
                dir.display()
            );
        }
        fs::remove_dir_all_if_exists(dir)?;
        create_marked(dir)
    }

    /// The log of `toolchain`'s per-crate build (`--crates`), in a directory created here.
    pub(crate) fn crates_log(&self, toolchain: &Toolchain) -> Result<PathBuf> {
        let dir = self.builds.join("crates");
        fs::create_dir_all(&dir)?;
        let log = dir.join(format!("{}.jsonl", toolchain.dir_name()));
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
        let home = self.cargo_home();
        create_marked(&home)?;
        Ok(home)
    }

    /// The record of past runs, one JSON report per line.
    pub(crate) fn history_file(&self) -> PathBuf {
        self.builds.join("history.jsonl")
    }

    /// The journal of changes to the user's tree, replayed after a crash.
    pub(crate) fn journal_file(&self) -> PathBuf {
        self.state.join("journal.json")
    }

    /// Where the journal keeps copies of files it may have to restore.
    pub(crate) fn journal_backups(&self) -> PathBuf {
        self.state.join("backups")
    }

    /// Where revision `commit` is exported for `--rev`.
    pub(crate) fn revision_dir(&self, commit: &str) -> PathBuf {
        self.state.join("revisions").join(format!("rev-{}", &commit[..commit.len().min(12)]))
    }

    /// Creates the parent of the exported revisions, marked like every timewarp directory.
    pub(crate) fn create_revisions(&self) -> Result<()> {
        create_marked(&self.state.join("revisions"))
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
            let named_like_a_version = entry.file_name().to_str().is_some_and(|n| semver::Version::parse(n).is_ok());
            if named_like_a_version && path.is_dir() && is_marked(&path) && !keep.contains(&path) {
                freed += fs::tree_size(&path);
                fs::remove_dir_all_if_exists(&path)?;
            }
        }
        Ok(freed)
    }

    /// After a run: removes the per-toolchain target directories but `keep` (unless
    /// `keep_all`); returns the bytes freed and the bytes still used.
    pub(crate) fn tidy(&self, keep: Option<&Path>, keep_all: bool) -> Result<(u64, u64)> {
        let freed = if keep_all {
            0
        } else {
            self.prune_target_dirs(&keep.map(Path::to_path_buf).into_iter().collect::<Vec<_>>())?
        };
        Ok((freed, self.size()))
    }

    /// `cargo timewarp clean`: removes both directories where timewarp made them; returns what
    /// it removed with the bytes each freed.
    pub(crate) fn remove(&self) -> Result<Vec<(PathBuf, u64)>> {
        let mut removed = Vec::new();
        for dir in [&self.builds, &self.state] {
            if !dir.exists() {
                continue;
            }
            if !is_marked(dir) {
                bail!(
                    "refusing to remove `{}`: timewarp did not create it (it has no cargo-timewarp `{MARKER}`)",
                    dir.display()
                );
            }
            let size = fs::tree_size(dir);
            fs::remove_dir_all_if_exists(dir)?;
            removed.push((dir.clone(), size));
        }
        Ok(removed)
    }
}

/// `$XDG_CACHE_HOME/cargo-timewarp`, else `~/.cache/cargo-timewarp`.
fn state_root() -> Result<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cache")));
    match cache {
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

fn create_marked(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir)?;
    let marker = dir.join(MARKER);
    if !is_marked(dir) {
        fs::write(&marker, MARKER_TEXT)?;
    }
    Ok(())
}

fn is_marked(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join(MARKER)).is_ok_and(|text| text.contains(MARKER_OWNER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work_dir(root: &Path) -> WorkDir {
        WorkDir { builds: root.join("target/timewarp"), state: root.join("state/ws-0") }
    }

    #[test]
    fn prunes_only_marked_target_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let work = work_dir(dir.path());
        work.create_builds().unwrap();
        for version in ["1.63.0", "1.85.0", "1.96.0"] {
            let target = work.builds().join(version);
            work.clear_target_dir(&target).unwrap();
            std::fs::create_dir_all(target.join("debug")).unwrap();
            std::fs::write(target.join("debug/app"), vec![0u8; 1000]).unwrap();
        }
        // Named like a version but not made by timewarp: never removed.
        let foreign = work.builds().join("2.0.0");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::create_dir_all(work.vendor_dir().join("itoa-1.0.9")).unwrap();
        std::fs::write(work.history_file(), "{}\n").unwrap();
        let freed = work.prune_target_dirs(&[work.builds().join("1.96.0")]).unwrap();
        assert!(freed >= 2000, "{freed}");
        let mut left: Vec<String> =
            std::fs::read_dir(work.builds()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, ["1.96.0", "2.0.0", "CACHEDIR.TAG", "history.jsonl", "vendor"]);
    }

    #[test]
    fn clean_builds_start_empty_but_marked_and_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let work = work_dir(dir.path());
        work.create_builds().unwrap();
        let target = work.builds().join("1.85.0");
        work.clear_target_dir(&target).unwrap();
        std::fs::write(target.join("artifact"), "x").unwrap();
        work.clear_target_dir(&target).unwrap();
        let left: Vec<_> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["CACHEDIR.TAG"]);
        let err = work.clear_target_dir(&dir.path().join("src")).unwrap_err();
        assert!(err.to_string().starts_with("refusing to remove `"), "{err}");
        assert!(work.clear_target_dir(work.builds()).is_err());
        let foreign = work.builds().join("1.70.0");
        std::fs::create_dir_all(&foreign).unwrap();
        let err = work.clear_target_dir(&foreign).unwrap_err();
        assert!(err.to_string().contains("timewarp did not create it"), "{err}");
    }

    #[test]
    fn remove_refuses_a_timewarp_folder_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let work = work_dir(dir.path());
        std::fs::create_dir_all(work.builds().join("precious")).unwrap();
        let err = work.remove().unwrap_err();
        assert!(err.to_string().contains("timewarp did not create it"), "{err}");
        assert!(work.builds().join("precious").exists());
        std::fs::remove_dir_all(work.builds()).unwrap();
        work.create_builds().unwrap();
        work.create_state().unwrap();
        std::fs::write(work.history_file(), "{}\n").unwrap();
        let removed = work.remove().unwrap();
        assert_eq!(removed.len(), 2);
        assert!(!work.builds().exists() && !work.state.exists());
        assert!(work.remove().unwrap().is_empty(), "removing twice is fine");
    }

    #[test]
    fn a_read_only_target_dir_gets_advice() {
        let work = WorkDir { builds: "/proc/timewarp-cannot-exist/timewarp".into(), state: "/proc/x".into() };
        let text = format!("{:#}", work.create_builds().unwrap_err());
        assert!(text.starts_with("could not create `/proc/timewarp-cannot-exist/timewarp`"), "{text}");
        assert!(text.contains("use `--target-dir`"), "{text}");
    }

    #[test]
    fn one_run_at_a_time_per_workspace_and_a_dead_one_blocks_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let work = work_dir(dir.path());
        let first = work.lock().unwrap().unwrap();
        let second = work.lock().unwrap().unwrap_err();
        assert!(second.starts_with(&format!("pid {}, started ", std::process::id())), "{second}");
        drop(first);
        assert!(work.lock().unwrap().is_ok(), "released with its holder");
    }

    #[test]
    fn state_is_keyed_by_the_workspace_root() {
        assert_eq!(workspace_key(Path::new("/no/such/app")), workspace_key(Path::new("/no/such/app")));
        assert_ne!(workspace_key(Path::new("/a/app")), workspace_key(Path::new("/b/app")));
        assert!(workspace_key(Path::new("/a/my app")).starts_with("my_app-"));
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }
}
