//! Reversible changes to the user's tree, undone on every exit path.
//!
//! timewarp changes two things in a user's workspace, and only temporarily: the mtime of the
//! file it touches for incremental builds, and a `Cargo.lock` it creates when the workspace has
//! none. Each change is registered *before* it is made, and undone when its guard drops, when
//! the run ends with an error, or when Ctrl-C or SIGTERM arrives (the model is cargo-hack's
//! `restore.rs`; `crate::interrupt` calls [`restore_all`]). It does not know why a file is
//! touched.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use anyhow::{Context as _, Result};
use filetime::FileTime;

/// Exit code after an interruption: 128 + SIGINT, as shells report it. The interruption
/// handler (`crate::interrupt`) calls [`restore_all`] before exiting with it.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// One undo action.
#[derive(Debug, Clone)]
enum Undo {
    /// Put back a file's access and modification times.
    Times { path: PathBuf, atime: FileTime, mtime: FileTime },
    /// Remove a file timewarp created.
    Remove { path: PathBuf },
}

impl Undo {
    fn apply(&self) -> Result<()> {
        match self {
            Undo::Times { path, atime, mtime } => filetime::set_file_times(path, *atime, *mtime)
                .with_context(|| format!("could not restore the modification time of `{}`", path.display())),
            Undo::Remove { path } => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("could not remove `{}`", path.display()))
                }
                _ => Ok(()),
            },
        }
    }

    fn path(&self) -> &Path {
        match self {
            Undo::Times { path, .. } | Undo::Remove { path } => path,
        }
    }
}

/// Undo actions not yet applied, shared with the signal handler.
static PENDING: Mutex<Vec<Undo>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<Undo>> {
    // A panic elsewhere must not stop the restore.
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Applies and forgets every pending undo, printing (not failing on) what cannot be undone.
pub fn restore_all() {
    let actions: Vec<Undo> = pending().drain(..).collect();
    for action in actions.iter().rev() {
        if let Err(e) = action.apply() {
            eprintln!("warning: {e:#}");
        }
    }
}

/// A file whose timestamps may be changed; its original times come back on drop.
#[derive(Debug)]
pub struct TouchedFile {
    path: PathBuf,
}

impl TouchedFile {
    /// Remembers the current times of `path`, before anything changes them.
    pub fn register(path: &Path) -> Result<TouchedFile> {
        let meta = std::fs::metadata(path).with_context(|| format!("could not read `{}`", path.display()))?;
        let undo = Undo::Times {
            path: path.to_path_buf(),
            atime: FileTime::from_last_access_time(&meta),
            mtime: FileTime::from_last_modification_time(&meta),
        };
        pending().push(undo);
        Ok(TouchedFile { path: path.to_path_buf() })
    }

    /// Sets the modification time to now, so cargo sees the file as changed; content is untouched.
    pub fn touch(&self) -> Result<()> {
        filetime::set_file_mtime(&self.path, FileTime::now())
            .with_context(|| format!("could not set the modification time of `{}`", self.path.display()))
    }

    /// The touched file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Restores the original times now, reporting failure.
    pub fn restore(self) -> Result<()> {
        let result = take(&self.path).map_or(Ok(()), |undo| undo.apply());
        std::mem::forget(self);
        result
    }
}

impl Drop for TouchedFile {
    fn drop(&mut self) {
        if let Some(undo) = take(&self.path)
            && let Err(e) = undo.apply()
        {
            eprintln!("warning: {e:#}");
        }
    }
}

/// A file timewarp is about to create in the user's tree; removed again on drop.
#[derive(Debug)]
pub struct CreatedFile {
    path: PathBuf,
}

impl CreatedFile {
    /// Registers `path`, which must not exist yet, for removal.
    pub fn register(path: &Path) -> CreatedFile {
        pending().push(Undo::Remove { path: path.to_path_buf() });
        CreatedFile { path: path.to_path_buf() }
    }
}

impl Drop for CreatedFile {
    fn drop(&mut self) {
        if let Some(undo) = take(&self.path)
            && let Err(e) = undo.apply()
        {
            eprintln!("warning: {e:#}");
        }
    }
}

/// Removes the newest pending undo for `path` from the registry and returns it.
fn take(path: &Path) -> Option<Undo> {
    let mut pending = pending();
    let pos = pending.iter().rposition(|u| u.path() == path)?;
    Some(pending.remove(pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `restore_all` applies every pending undo, so these tests must not interleave.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn mtime(path: &Path) -> FileTime {
        FileTime::from_last_modification_time(&std::fs::metadata(path).unwrap())
    }

    #[test]
    fn touch_changes_mtime_and_drop_restores_it() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.rs");
        std::fs::write(&file, "fn main() {}\n").unwrap();
        let old = FileTime::from_unix_time(1_600_000_000, 123);
        filetime::set_file_mtime(&file, old).unwrap();
        {
            let touched = TouchedFile::register(&file).unwrap();
            touched.touch().unwrap();
            assert_ne!(mtime(&file), old);
        }
        assert_eq!(mtime(&file), old);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "fn main() {}\n");
    }

    #[test]
    fn restore_all_undoes_what_is_pending() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lib.rs");
        std::fs::write(&file, "").unwrap();
        let old = FileTime::from_unix_time(1_500_000_000, 0);
        filetime::set_file_mtime(&file, old).unwrap();
        let created = dir.path().join("Cargo.lock");
        let touched = TouchedFile::register(&file).unwrap();
        let lock = CreatedFile::register(&created);
        std::fs::write(&created, "version = 3\n").unwrap();
        touched.touch().unwrap();
        restore_all();
        assert_eq!(mtime(&file), old);
        assert!(!created.exists());
        // Nothing is left for the guards to undo twice.
        std::fs::write(&created, "kept").unwrap();
        drop(lock);
        assert!(created.exists());
        touched.restore().unwrap();
    }
}
