//! timewarp's own directory, `<target-dir>/timewarp/`: the only place it writes in a user's
//! workspace. It holds one target directory per toolchain version, the vendored dependency
//! sources, and `history.jsonl`. This module knows the layout, how much space it takes, and how
//! to prune or remove it; it does not know what the builds do.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// The layout of `<target-dir>/timewarp/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkDir {
    root: PathBuf,
}

impl WorkDir {
    /// The work directory of a workspace whose target directory is `target_dir`.
    pub fn new(target_dir: &Path) -> WorkDir {
        WorkDir { root: target_dir.join("timewarp") }
    }

    /// `<target-dir>/timewarp`.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Creates the directory, saying what to do when the target directory is read-only.
    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.root).with_context(|| {
            format!(
                "could not create `{}`; the target directory must be writable (set CARGO_TARGET_DIR or use `--target-dir` to put it elsewhere)",
                self.root.display()
            )
        })
    }

    /// The record of past runs, one JSON report per line.
    pub fn history_file(&self) -> PathBuf {
        self.root.join("history.jsonl")
    }

    /// Where `--edit` keeps the original of the file it edits until the run ends.
    pub fn edit_backup_dir(&self) -> PathBuf {
        self.root.join("edit-backup")
    }

    /// Bytes used below the directory (0 when it does not exist).
    pub fn size(&self) -> u64 {
        tree_size(&self.root)
    }

    /// Removes every per-toolchain target directory except those in `keep`; returns the bytes
    /// freed. Vendored sources and history stay.
    pub fn prune_target_dirs(&self, keep: &[PathBuf]) -> Result<u64> {
        let mut freed = 0;
        let Ok(entries) = std::fs::read_dir(&self.root) else { return Ok(0) };
        for entry in entries.flatten() {
            let path = entry.path();
            // Per-toolchain target directories are named after the toolchain's version.
            let named_like_a_version = entry.file_name().to_str().is_some_and(|n| semver::Version::parse(n).is_ok());
            let is_target_dir = path.is_dir() && named_like_a_version;
            if is_target_dir && !keep.contains(&path) {
                freed += tree_size(&path);
                std::fs::remove_dir_all(&path).with_context(|| format!("could not remove `{}`", path.display()))?;
            }
        }
        Ok(freed)
    }

    /// Removes the whole directory (`cargo timewarp clean`); returns the bytes freed.
    pub fn remove(&self) -> Result<u64> {
        let size = self.size();
        match std::fs::remove_dir_all(&self.root) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("could not remove `{}`", self.root.display()))
            }
            _ => Ok(size),
        }
    }
}

fn tree_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path).map_or(0, |entries| entries.flatten().map(|e| tree_size(&e.path())).sum())
}

/// `1.2 GiB`, `340 MiB`, `12 KiB`, `512 B`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value < 10.0 { format!("{value:.1} {}", UNITS[unit]) } else { format!("{value:.0} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prunes_target_dirs_but_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let work = WorkDir::new(dir.path());
        for version in ["1.63.0", "1.85.0", "1.96.0"] {
            let target = work.path().join(version);
            std::fs::create_dir_all(target.join("debug")).unwrap();
            std::fs::write(target.join("debug/app"), vec![0u8; 1000]).unwrap();
        }
        std::fs::create_dir_all(work.path().join("vendor/itoa-1.0.9")).unwrap();
        std::fs::write(work.history_file(), "{}\n").unwrap();
        let before = work.size();
        assert!(before >= 3000);
        let keep = [work.path().join("1.96.0")];
        let freed = work.prune_target_dirs(&keep).unwrap();
        assert!(freed >= 2000 && freed < before, "{freed}");
        let mut left: Vec<String> =
            std::fs::read_dir(work.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, ["1.96.0", "history.jsonl", "vendor"]);
        assert_eq!(work.remove().unwrap(), before - freed);
        assert!(!work.path().exists());
        assert_eq!(work.remove().unwrap(), 0, "removing twice is fine");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(12 * 1024), "12 KiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }

    #[test]
    fn a_read_only_target_dir_gets_advice() {
        let err = WorkDir::new(Path::new("/proc/timewarp-cannot-exist")).create().unwrap_err();
        let text = format!("{err:#}");
        assert!(text.starts_with("could not create `/proc/timewarp-cannot-exist/timewarp`"), "{text}");
        assert!(text.contains("--target-dir"), "{text}");
    }
}
