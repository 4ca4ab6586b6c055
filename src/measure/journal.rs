//! Every change timewarp makes to the user's tree, written down before it is made and undone on
//! every exit path: when its guard drops, when the run ends with an error, on Ctrl-C or SIGTERM
//! (the interruption handler calls [`Journal::restore_all`]), and, after a SIGKILL or a power
//! cut, on the next start, which replays the journal file ([`Journal::recover`]).
//!
//! The changes are three: the modification time of the file touched before incremental
//! rebuilds, that file's content while `--edit` patches it, and a `Cargo.lock` created for the
//! run. Replaying never overwrites later work: a timestamp is put back only while the file's
//! content is what it was, a created lockfile is removed only while it is the one timewarp
//! wrote, and an edited file is restored only when its content is exactly the original plus
//! timewarp's edit. The model is cargo-hack's `restore.rs`; the module does not know why a
//! file is changed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};
use filetime::FileTime;
use serde::{Deserialize, Serialize};

use crate::fs;
use crate::measure::workdir::{WorkDir, fnv1a};

/// The comment line that makes an edit recognisable.
const EDIT_MARKER: &str = "// Added by `cargo timewarp --edit` for one build; it is removed again.";

/// What a file's bytes were: enough to tell whether anyone changed them since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    len: u64,
    fnv1a: u64,
}

impl Fingerprint {
    fn of(bytes: &[u8]) -> Fingerprint {
        Fingerprint { len: bytes.len() as u64, fnv1a: fnv1a(bytes) }
    }

    fn of_file(path: &Path) -> Option<Fingerprint> {
        std::fs::read(path).ok().map(|bytes| Fingerprint::of(&bytes))
    }
}

/// One change, as the journal file records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
enum Entry {
    /// The file's times were changed; `content` is what it held then.
    Touched { path: PathBuf, atime: (i64, u32), mtime: (i64, u32), content: Fingerprint },
    /// The file did not exist and timewarp creates it; `content` once it is written.
    Created { path: PathBuf, content: Option<Fingerprint> },
    /// The file's content is patched; the original bytes are in `backup`.
    Edited { path: PathBuf, backup: PathBuf },
}

impl Entry {
    fn path(&self) -> &Path {
        match self {
            Entry::Touched { path, .. } | Entry::Created { path, .. } | Entry::Edited { path, .. } => path,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct JournalFile {
    entries: Vec<Entry>,
}

#[derive(Debug, Default)]
struct State {
    /// Where the journal is kept on disk, once known.
    file: Option<PathBuf>,
    /// Where copies of edited files go.
    backups: PathBuf,
    entries: Vec<Entry>,
}

/// The changes not yet undone. Clones share one journal, so the interruption handler can
/// undo what the guards registered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    state: Arc<Mutex<State>>,
}

impl Journal {
    /// A journal kept in `file`, with copies of edited files in `backups`.
    pub(crate) fn on_disk(file: &Path, backups: &Path) -> Journal {
        let state = State { file: Some(file.to_path_buf()), backups: backups.to_path_buf(), entries: Vec::new() };
        Journal { state: Arc::new(Mutex::new(state)) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not stop the restore.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the change, on disk first, then in memory.
    fn add(&self, entry: Entry) -> Result<()> {
        let mut state = self.lock();
        state.entries.push(entry);
        persist(&state)
    }

    /// Registers `path` for a change of its timestamps; returns its guard.
    pub(crate) fn touch(&self, path: &Path) -> Result<TouchedFile> {
        let meta = std::fs::metadata(path).with_context(|| format!("could not read `{}`", path.display()))?;
        let content = Fingerprint::of(&fs::read(path)?);
        let (atime, mtime) = (FileTime::from_last_access_time(&meta), FileTime::from_last_modification_time(&meta));
        self.add(Entry::Touched {
            path: path.to_path_buf(),
            atime: (atime.unix_seconds(), atime.nanoseconds()),
            mtime: (mtime.unix_seconds(), mtime.nanoseconds()),
            content,
        })?;
        Ok(TouchedFile { journal: self.clone(), path: path.to_path_buf() })
    }

    /// Registers `path`, which does not exist yet, as a file timewarp is about to create.
    pub(crate) fn create(&self, path: &Path) -> Result<CreatedFile> {
        self.add(Entry::Created { path: path.to_path_buf(), content: None })?;
        Ok(CreatedFile { journal: self.clone(), path: path.to_path_buf() })
    }

    /// Registers `path` for `--edit`: its original bytes are copied to the backups first.
    pub(crate) fn edit(&self, path: &Path) -> Result<EditedFile> {
        let original = fs::read(path)?;
        let backups = self.lock().backups.clone();
        fs::create_dir_all(&backups)?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let backup = backups.join(format!("{name}.{}.orig", std::process::id()));
        fs::write_atomic(&backup, &original)?;
        self.add(Entry::Edited { path: path.to_path_buf(), backup: backup.clone() })?;
        Ok(EditedFile { journal: self.clone(), path: path.to_path_buf(), original })
    }

    /// Undoes every pending change, newest first, printing (not failing on) what cannot be
    /// undone: the last resort of a second Ctrl-C.
    pub(crate) fn restore_all(&self) {
        let mut state = self.lock();
        while let Some(entry) = state.entries.pop() {
            if let Err(e) = undo(&entry) {
                eprintln!("warning: {e:#}");
            }
        }
        if let Err(e) = persist(&state) {
            eprintln!("warning: {e:#}");
        }
    }

    /// Undoes the newest pending change of `path` that `kind` matches, now.
    fn undo_now(&self, path: &Path, kind: fn(&Entry) -> bool) -> Result<()> {
        let mut state = self.lock();
        let Some(pos) = state.entries.iter().rposition(|e| e.path() == path && kind(e)) else { return Ok(()) };
        let entry = state.entries.remove(pos);
        let result = undo(&entry);
        persist(&state)?;
        result
    }

    fn undo_on_drop(&self, path: &Path, kind: fn(&Entry) -> bool) {
        if let Err(e) = self.undo_now(path, kind) {
            eprintln!("warning: {e:#}");
        }
    }

    /// The journal of this run in `work`, after replaying what an earlier, killed run left
    /// there; returns it with one sentence per change undone.
    pub(crate) fn start(work: &WorkDir) -> Result<(Journal, Vec<String>)> {
        let notes = Journal::recover(&work.journal_file())?;
        work.create_state()?;
        Ok((Journal::on_disk(&work.journal_file(), &work.journal_backups()), notes))
    }

    /// Replays the journal an earlier run left in `file` (it was killed before it could undo
    /// its changes): returns one sentence per change undone. A file edited by that run and
    /// changed since in any other way is kept as it is, its original left in the backups, and
    /// that is an error saying where.
    pub(crate) fn recover(file: &Path) -> Result<Vec<String>> {
        let Ok(text) = std::fs::read_to_string(file) else { return Ok(Vec::new()) };
        let journal: JournalFile = serde_json::from_str(&text)
            .with_context(|| format!("could not read the journal `{}` of an interrupted run", file.display()))?;
        let mut notes = Vec::new();
        let mut conflicts = Vec::new();
        for entry in journal.entries.iter().rev() {
            match recover_entry(entry) {
                Ok(Some(note)) => notes.push(note),
                Ok(None) => {}
                Err(e) => conflicts.push(format!("{e:#}")),
            }
        }
        fs::remove_file_if_exists(file)?;
        if !conflicts.is_empty() {
            bail!("{}", conflicts.join("; "));
        }
        Ok(notes)
    }
}

fn is_touched(entry: &Entry) -> bool {
    matches!(entry, Entry::Touched { .. })
}

fn is_created(entry: &Entry) -> bool {
    matches!(entry, Entry::Created { .. })
}

fn is_edited(entry: &Entry) -> bool {
    matches!(entry, Entry::Edited { .. })
}

fn persist(state: &State) -> Result<()> {
    let Some(file) = &state.file else { return Ok(()) };
    if state.entries.is_empty() {
        return fs::remove_file_if_exists(file);
    }
    let text = serde_json::to_string_pretty(&JournalFile { entries: state.entries.clone() })
        .expect("a journal always serialises");
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write_atomic(file, text)
}

fn set_times(path: &Path, atime: (i64, u32), mtime: (i64, u32)) -> Result<()> {
    let (atime, mtime) = (FileTime::from_unix_time(atime.0, atime.1), FileTime::from_unix_time(mtime.0, mtime.1));
    filetime::set_file_times(path, atime, mtime)
        .with_context(|| format!("could not restore the modification time of `{}`", path.display()))
}

/// Undoes one change of this run.
fn undo(entry: &Entry) -> Result<()> {
    match entry {
        Entry::Touched { path, atime, mtime, .. } => set_times(path, *atime, *mtime),
        Entry::Created { path, .. } => fs::remove_file_if_exists(path),
        Entry::Edited { path, backup } => {
            let original = fs::read(backup)?;
            if std::fs::read(path).ok().as_ref() != Some(&original) {
                fs::write(path, &original).with_context(|| format!("could not restore `{}`", path.display()))?;
            }
            fs::remove_file_if_exists(backup)
        }
    }
}

/// Undoes one change of an earlier, killed run, if the file still shows only that change.
fn recover_entry(entry: &Entry) -> Result<Option<String>> {
    match entry {
        Entry::Touched { path, atime, mtime, content } => {
            if Fingerprint::of_file(path) != Some(*content) {
                return Ok(None);
            }
            set_times(path, *atime, *mtime)?;
            Ok(Some(format!("restored the modification time of `{}`", path.display())))
        }
        Entry::Created { path, content } => match content {
            Some(written) if Fingerprint::of_file(path) == Some(*written) => {
                fs::remove_file_if_exists(path)?;
                Ok(Some(format!("removed `{}`, which it had created", path.display())))
            }
            _ => Ok(None),
        },
        Entry::Edited { path, backup } => {
            let Ok(original) = std::fs::read(backup) else { return Ok(None) };
            let current = std::fs::read(path).ok();
            if current.as_ref() == Some(&original) {
                fs::remove_file_if_exists(backup)?;
                return Ok(None);
            }
            if current.is_some_and(|now| is_original_plus_edit(&now, &original)) {
                fs::write(path, &original).with_context(|| format!("could not restore `{}`", path.display()))?;
                fs::remove_file_if_exists(backup)?;
                return Ok(Some(format!("restored `{}` from the copy it kept while editing it", path.display())));
            }
            bail!(
                "`{}` changed since an interrupted `cargo timewarp --edit` patched it, so timewarp kept it as it is; its content before that run is in `{}`",
                path.display(),
                backup.display()
            )
        }
    }
}

/// The item edit number `n` appends: a static the object code must contain (`#[used]` keeps it
/// even unreferenced), with bytes that differ per edit, so every edited rebuild generates and
/// links new code, as a real edit does; a `const` would be checked and then reused unchanged.
/// Every toolchain since 1.30 compiles it in every edition, lint-free.
fn edit_item(n: usize) -> String {
    format!("#[used]\n#[allow(dead_code)]\nstatic TIMEWARP_EDIT_{n}: &[u8] = b\"timewarp-edit-{n}\";\n")
}

/// The original plus timewarp's edit number `n`, as [`EditedFile::apply`] writes it.
fn patched(original: &[u8], n: usize) -> Vec<u8> {
    let mut patched = original.to_vec();
    if !patched.ends_with(b"\n") && !patched.is_empty() {
        patched.push(b'\n');
    }
    patched.extend_from_slice(format!("{EDIT_MARKER}\n{}", edit_item(n)).as_bytes());
    patched
}

/// Whether `current` is exactly `original` with one of timewarp's edits appended.
fn is_original_plus_edit(current: &[u8], original: &[u8]) -> bool {
    let marker = format!("{EDIT_MARKER}\n");
    let Some(at) = current.windows(marker.len()).rposition(|w| w == marker.as_bytes()) else { return false };
    let tail = String::from_utf8_lossy(&current[at + marker.len()..]);
    let number =
        tail.split("static TIMEWARP_EDIT_").nth(1).and_then(|t| t.split(':').next()).and_then(|n| n.parse().ok());
    number.is_some_and(|n| patched(original, n) == current)
}

/// The file whose timestamps incremental rebuilds change; its original times come back on
/// drop, or earlier with [`TouchedFile::restore`].
#[derive(Debug)]
pub(crate) struct TouchedFile {
    journal: Journal,
    path: PathBuf,
}

impl TouchedFile {
    /// Sets the modification time to `time`, so cargo sees the file as changed; the content is
    /// untouched.
    pub(crate) fn touch(&self, time: SystemTime) -> Result<()> {
        filetime::set_file_mtime(&self.path, FileTime::from_system_time(time))
            .with_context(|| format!("could not set the modification time of `{}`", self.path.display()))
    }

    /// Restores the original times now, reporting failure.
    pub(crate) fn restore(self) -> Result<()> {
        let result = self.journal.undo_now(&self.path, is_touched);
        std::mem::forget(self);
        result
    }
}

impl Drop for TouchedFile {
    fn drop(&mut self) {
        self.journal.undo_on_drop(&self.path, is_touched);
    }
}

/// A file timewarp creates in the user's tree (a `Cargo.lock`); removed again on drop.
#[derive(Debug)]
pub(crate) struct CreatedFile {
    journal: Journal,
    path: PathBuf,
}

impl CreatedFile {
    /// Records what the file holds now that it is written, so a later recovery removes it only
    /// while it is unchanged.
    pub(crate) fn written(&self) -> Result<()> {
        let mut state = self.journal.lock();
        let content = Fingerprint::of_file(&self.path);
        for entry in state.entries.iter_mut().filter(|e| e.path() == self.path && is_created(e)) {
            if let Entry::Created { content: recorded, .. } = entry {
                *recorded = content;
            }
        }
        persist(&state)
    }
}

impl CreatedFile {
    /// Removes the file now, reporting failure.
    pub(crate) fn restore(self) -> Result<()> {
        let result = self.journal.undo_now(&self.path, is_created);
        std::mem::forget(self);
        result
    }
}

impl Drop for CreatedFile {
    fn drop(&mut self) {
        self.journal.undo_on_drop(&self.path, is_created);
    }
}

/// A file whose content `--edit` changes; its original bytes come back after every edited
/// build, on drop, on Ctrl-C, and after a SIGKILL on the next start.
#[derive(Debug)]
pub(crate) struct EditedFile {
    journal: Journal,
    path: PathBuf,
    original: Vec<u8>,
}

impl EditedFile {
    /// Writes the original content plus a small unused item numbered `n`, so every edited
    /// build sees content it has not compiled before.
    pub(crate) fn apply(&self, n: usize) -> Result<()> {
        fs::write(&self.path, patched(&self.original, n))
            .with_context(|| format!("could not edit `{}`", self.path.display()))
    }

    /// Puts the original bytes back.
    pub(crate) fn revert(&self) -> Result<()> {
        fs::write(&self.path, &self.original).with_context(|| format!("could not restore `{}`", self.path.display()))
    }

    /// Restores the original and removes the backup now, reporting failure.
    pub(crate) fn restore(self) -> Result<()> {
        let result = self.journal.undo_now(&self.path, is_edited);
        std::mem::forget(self);
        result
    }
}

impl Drop for EditedFile {
    fn drop(&mut self) {
        self.journal.undo_on_drop(&self.path, is_edited);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Setup {
        dir: tempfile::TempDir,
        journal: Journal,
        file: PathBuf,
    }

    fn setup(content: &[u8]) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("src/main.rs");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, content).unwrap();
        filetime::set_file_mtime(&file, FileTime::from_unix_time(1_600_000_000, 123)).unwrap();
        let journal = Journal::on_disk(&dir.path().join("state/journal.json"), &dir.path().join("state/backups"));
        Setup { dir, journal, file }
    }

    impl Setup {
        fn journal_file(&self) -> PathBuf {
            self.dir.path().join("state/journal.json")
        }

        /// What a SIGKILL leaves: the journal file, with no guard left to undo anything.
        fn kill(&self, guard: impl Sized) {
            std::mem::forget(guard);
        }
    }

    fn mtime(path: &Path) -> FileTime {
        FileTime::from_last_modification_time(&std::fs::metadata(path).unwrap())
    }

    #[test]
    fn touch_changes_the_mtime_and_drop_restores_it() {
        let s = setup(b"fn main() {}\n");
        let old = mtime(&s.file);
        {
            let touched = s.journal.touch(&s.file).unwrap();
            assert!(s.journal_file().is_file(), "written down before the change");
            touched.touch(SystemTime::now()).unwrap();
            assert_ne!(mtime(&s.file), old);
        }
        assert_eq!(mtime(&s.file), old);
        assert!(!s.journal_file().exists(), "nothing is pending");
    }

    #[test]
    fn edits_are_reverted_byte_for_byte() {
        let s = setup(b"pub fn f() {}"); // no trailing newline
        let edited = s.journal.edit(&s.file).unwrap();
        edited.apply(7).unwrap();
        let text = std::fs::read_to_string(&s.file).unwrap();
        assert!(text.starts_with("pub fn f() {}\n// Added by `cargo timewarp --edit`"), "{text}");
        assert!(
            text.ends_with("#[used]\n#[allow(dead_code)]\nstatic TIMEWARP_EDIT_7: &[u8] = b\"timewarp-edit-7\";\n"),
            "{text}"
        );
        edited.revert().unwrap();
        assert_eq!(std::fs::read(&s.file).unwrap(), b"pub fn f() {}");
        edited.apply(8).unwrap();
        drop(edited);
        assert_eq!(std::fs::read(&s.file).unwrap(), b"pub fn f() {}", "drop restores");
        assert!(std::fs::read_dir(s.dir.path().join("state/backups")).unwrap().next().is_none(), "backup gone");
    }

    #[test]
    fn a_killed_run_is_replayed_on_the_next_start() {
        let s = setup(b"fn main() {}\n");
        let old = mtime(&s.file);
        let touched = s.journal.touch(&s.file).unwrap();
        let edited = s.journal.edit(&s.file).unwrap();
        let lock = s.dir.path().join("Cargo.lock");
        let created = s.journal.create(&lock).unwrap();
        std::fs::write(&lock, "version = 3\n").unwrap();
        created.written().unwrap();
        touched.touch(SystemTime::now()).unwrap();
        edited.apply(3).unwrap();
        s.kill((touched, edited, created));

        let notes = Journal::recover(&s.journal_file()).unwrap();
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(std::fs::read(&s.file).unwrap(), b"fn main() {}\n");
        assert_eq!(mtime(&s.file), old, "the content is back, then its timestamp");
        assert!(!lock.exists());
        assert!(!s.journal_file().exists());
        assert!(Journal::recover(&s.journal_file()).unwrap().is_empty(), "nothing to replay twice");
    }

    #[test]
    fn a_hand_edit_after_the_kill_is_kept() {
        let s = setup(b"fn main() {}\n");
        let edited = s.journal.edit(&s.file).unwrap();
        edited.apply(1).unwrap();
        s.kill(edited);
        std::fs::write(&s.file, "fn main() { println!(\"mine\"); }\n").unwrap();
        let err = Journal::recover(&s.journal_file()).unwrap_err().to_string();
        assert!(err.contains("changed since an interrupted `cargo timewarp --edit` patched it"), "{err}");
        let backup = err.rsplit('`').nth(1).unwrap();
        assert_eq!(std::fs::read(backup).unwrap(), b"fn main() {}\n", "the original is where the message says");
        assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() { println!(\"mine\"); }\n");
        assert!(Journal::recover(&s.journal_file()).unwrap().is_empty(), "reported once");
    }

    #[test]
    fn a_changed_file_keeps_its_new_timestamp_and_a_changed_lockfile_stays() {
        let s = setup(b"fn main() {}\n");
        let touched = s.journal.touch(&s.file).unwrap();
        let lock = s.dir.path().join("Cargo.lock");
        let created = s.journal.create(&lock).unwrap();
        std::fs::write(&lock, "version = 3\n").unwrap();
        created.written().unwrap();
        s.kill((touched, created));
        std::fs::write(&s.file, "fn main() { edited(); }\n").unwrap();
        std::fs::write(&lock, "version = 3\n# the user's own\n").unwrap();
        let edited_at = mtime(&s.file);
        assert!(Journal::recover(&s.journal_file()).unwrap().is_empty());
        assert_eq!(mtime(&s.file), edited_at, "cargo must still see the user's edit");
        assert!(lock.exists());
    }

    #[test]
    fn restore_all_undoes_what_is_pending() {
        let s = setup(b"");
        let old = mtime(&s.file);
        let created_path = s.dir.path().join("Cargo.lock");
        let touched = s.journal.touch(&s.file).unwrap();
        let lock = s.journal.create(&created_path).unwrap();
        std::fs::write(&created_path, "version = 3\n").unwrap();
        touched.touch(SystemTime::now()).unwrap();
        s.journal.restore_all();
        assert_eq!(mtime(&s.file), old);
        assert!(!created_path.exists());
        // Nothing is left for the guards to undo twice.
        std::fs::write(&created_path, "kept").unwrap();
        drop(lock);
        assert!(created_path.exists());
        touched.restore().unwrap();
    }

    #[test]
    fn only_timewarps_own_edit_is_recognised() {
        let original = b"fn main() {}\n";
        assert!(is_original_plus_edit(&patched(original, 12), original));
        assert!(!is_original_plus_edit(original, original));
        let mut more = patched(original, 12);
        more.extend_from_slice(b"fn more() {}\n");
        assert!(!is_original_plus_edit(&more, original));
        assert!(!is_original_plus_edit(&patched(b"fn other() {}\n", 1), original));
    }
}
