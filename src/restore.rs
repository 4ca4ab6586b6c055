//! Reversible changes to the user's tree, undone on every exit path.
//!
//! timewarp changes three things in a user's workspace, and only temporarily: the mtime of the
//! file it touches for incremental builds, that file's content while `--edit` patches it, and
//! a `Cargo.lock` it creates when the workspace has none. Each change is registered *before*
//! it is made, and undone when its guard drops, when the run ends with an error, or when
//! Ctrl-C or SIGTERM arrives (the model is cargo-hack's `restore.rs`; `crate::interrupt` calls
//! [`restore_all`]). It does not know why a file is touched.

use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
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
    /// Put back a file's bytes, then forget the on-disk backup kept for crash recovery.
    Contents { path: PathBuf, bytes: Vec<u8>, backup_dir: PathBuf },
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
            Undo::Contents { path, bytes, backup_dir } => {
                if std::fs::read(path).ok().as_ref() != Some(bytes) {
                    std::fs::write(path, bytes).with_context(|| format!("could not restore `{}`", path.display()))?;
                }
                let _ = std::fs::remove_dir_all(backup_dir);
                Ok(())
            }
        }
    }

    fn path(&self) -> &Path {
        match self {
            Undo::Times { path, .. } | Undo::Remove { path } | Undo::Contents { path, .. } => path,
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

    /// Restores the original times now, reporting failure.
    pub fn restore(self) -> Result<()> {
        let result = undo_now(&self.path, is_times);
        std::mem::forget(self);
        result
    }
}

impl Drop for TouchedFile {
    fn drop(&mut self) {
        undo_on_drop(&self.path, is_times);
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
        undo_on_drop(&self.path, |u| matches!(u, Undo::Remove { .. }));
    }
}

/// A file whose content `--edit` changes; its original bytes come back after every patched
/// build, on drop, on Ctrl-C, and, should timewarp be killed outright, on its next start from
/// the copy kept in `backup_dir` (see [`recover_edit`]).
#[derive(Debug)]
pub struct EditedFile {
    path: PathBuf,
    original: Vec<u8>,
}

/// The marker that makes an edit recognisable, and harmless: an unnamed constant is an item
/// every edition accepts (since 1.37) that nothing uses and no lint flags.
const EDIT_MARKER: &str = "// Added by `cargo timewarp --edit` for one build; it is removed again.";

impl EditedFile {
    /// Saves the original content, first to `backup_dir` (which survives a SIGKILL), then in
    /// memory for the restore.
    pub fn register(path: &Path, backup_dir: &Path) -> Result<EditedFile> {
        let original = std::fs::read(path).with_context(|| format!("could not read `{}`", path.display()))?;
        std::fs::create_dir_all(backup_dir).with_context(|| format!("could not create `{}`", backup_dir.display()))?;
        let backup = backup_dir.join("original");
        std::fs::write(&backup, &original).with_context(|| format!("could not write `{}`", backup.display()))?;
        // The path last: its presence says the backup is complete.
        let record = backup_dir.join("path");
        std::fs::write(&record, path.as_os_str().as_bytes())
            .with_context(|| format!("could not write `{}`", record.display()))?;
        pending().push(Undo::Contents {
            path: path.to_path_buf(),
            bytes: original.clone(),
            backup_dir: backup_dir.to_path_buf(),
        });
        Ok(EditedFile { path: path.to_path_buf(), original })
    }

    /// Writes the original content plus a small unused item numbered `n`, so every patched
    /// build sees content it has not compiled before.
    pub fn apply(&self, n: usize) -> Result<()> {
        let mut patched = self.original.clone();
        if !patched.ends_with(b"\n") && !patched.is_empty() {
            patched.push(b'\n');
        }
        patched.extend_from_slice(format!("{EDIT_MARKER}\nconst _: u32 = {n};\n").as_bytes());
        std::fs::write(&self.path, patched).with_context(|| format!("could not edit `{}`", self.path.display()))
    }

    /// Puts the original bytes back.
    pub fn revert(&self) -> Result<()> {
        std::fs::write(&self.path, &self.original)
            .with_context(|| format!("could not restore `{}`", self.path.display()))
    }

    /// Restores the original and removes the backup now, reporting failure.
    pub fn restore(self) -> Result<()> {
        let result = undo_now(&self.path, is_contents);
        std::mem::forget(self);
        result
    }
}

impl Drop for EditedFile {
    fn drop(&mut self) {
        undo_on_drop(&self.path, is_contents);
    }
}

/// Puts back a file that an earlier run was editing when it was killed, from the backup in
/// `backup_dir`; returns the path when it did. The backup is removed either way.
pub fn recover_edit(backup_dir: &Path) -> Result<Option<PathBuf>> {
    let record = backup_dir.join("path");
    let Ok(path) = std::fs::read(&record) else { return Ok(None) };
    let path = PathBuf::from(std::ffi::OsString::from_vec(path));
    let original = std::fs::read(backup_dir.join("original"))
        .with_context(|| format!("could not read the backup of `{}` in `{}`", path.display(), backup_dir.display()))?;
    let restored = std::fs::read(&path).ok().as_ref() != Some(&original);
    if restored {
        std::fs::write(&path, &original).with_context(|| format!("could not restore `{}`", path.display()))?;
    }
    std::fs::remove_dir_all(backup_dir).with_context(|| format!("could not remove `{}`", backup_dir.display()))?;
    Ok(restored.then_some(path))
}

/// Applies the pending undo of `kind` for `path` now, if it is still pending.
fn undo_now(path: &Path, kind: fn(&Undo) -> bool) -> Result<()> {
    take(path, kind).map_or(Ok(()), |undo| undo.apply())
}

/// [`undo_now`] for `Drop`, which cannot fail: a failure is printed.
fn undo_on_drop(path: &Path, kind: fn(&Undo) -> bool) {
    if let Err(e) = undo_now(path, kind) {
        eprintln!("warning: {e:#}");
    }
}

fn is_times(undo: &Undo) -> bool {
    matches!(undo, Undo::Times { .. })
}

fn is_contents(undo: &Undo) -> bool {
    matches!(undo, Undo::Contents { .. })
}

/// Removes the newest pending undo of a kind for `path` from the registry and returns it.
fn take(path: &Path, kind: fn(&Undo) -> bool) -> Option<Undo> {
    let mut pending = pending();
    let pos = pending.iter().rposition(|u| u.path() == path && kind(u))?;
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
    fn edits_are_reverted_byte_for_byte_and_survive_a_kill() {
        let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("lib.rs");
        let original = b"pub fn f() {}".to_vec(); // no trailing newline
        std::fs::write(&file, &original).unwrap();
        let backup = dir.path().join("target/timewarp/edit-backup");
        let edited = EditedFile::register(&file, &backup).unwrap();
        edited.apply(7).unwrap();
        let patched = std::fs::read_to_string(&file).unwrap();
        assert!(patched.starts_with("pub fn f() {}\n// Added by `cargo timewarp --edit`"), "{patched}");
        assert!(patched.ends_with("const _: u32 = 7;\n"), "{patched}");
        edited.revert().unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), original);
        edited.apply(8).unwrap();

        // A killed run leaves the patch and the backup; the next start puts the file back.
        std::mem::forget(edited);
        take(&file, is_contents);
        assert!(backup.join("path").is_file());
        assert_eq!(recover_edit(&backup).unwrap(), Some(file.clone()));
        assert_eq!(std::fs::read(&file).unwrap(), original);
        assert!(!backup.exists());
        assert_eq!(recover_edit(&backup).unwrap(), None, "nothing to recover twice");

        let edited = EditedFile::register(&file, &backup).unwrap();
        edited.apply(1).unwrap();
        drop(edited);
        assert_eq!(std::fs::read(&file).unwrap(), original, "drop restores");
        assert!(!backup.exists(), "and forgets the backup");
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
