//! Every change timewarp makes to the user's tree, written down before it is made and undone on
//! every exit path: when its guard drops, when the run ends with an error, on Ctrl-C or SIGTERM
//! (the interruption handler calls [`Journal::restore_all`]), and, after a SIGKILL or a power
//! cut, on the next start, which replays the journal file ([`Journal::recover`]).
//!
//! The changes are three: the modification time of the file touched before incremental
//! rebuilds, that file's content while `--edit` patches it, and a `Cargo.lock` created for the
//! run. Every undo goes through one compare-and-restore ([`compare_and_restore`]): it undoes only
//! what still holds timewarp's bytes. A timestamp is put back only while the file's content is
//! what it was, a created lockfile is removed only while it is the one timewarp wrote, and an
//! edited file is restored only while it is the original or the original plus timewarp's edit.
//! Anything else is the user's work (an edit saved during a long run, `cargo update`, a build
//! script's write): it wins, the original stays in the backups, and the journal says so in a
//! note the report shows. The model is cargo-hack's `restore.rs`; the module does not know why
//! a file is changed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};

use crate::fs;
use crate::measure::workdir::{WorkDir, fnv1a};

/// The comment line that makes an edit recognisable.
const EDIT_MARKER: &str = "// Added by `cargo timewarp --edit` for one build; it is removed again.";
/// The comment line of the `deep` scenario's edit.
const DEEP_MARKER: &str = "// Added by `cargo timewarp` (the `deep` scenario) for one build; it is removed again.";

/// Which item an edit appends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditStyle {
    /// A private `#[used]` static: new code in the crate, nothing its dependents see.
    Private,
    /// A `#[doc(hidden)]` public static: the crate's metadata changes, so every crate that
    /// depends on it recompiles against the new interface.
    Public,
}

impl EditStyle {
    fn marker(self) -> &'static str {
        match self {
            EditStyle::Private => EDIT_MARKER,
            EditStyle::Public => DEEP_MARKER,
        }
    }
}

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

/// Which file a path names: a new file of the same bytes (the user's `cargo generate-lockfile`
/// after timewarp's was removed) has another inode or change time, so it is never taken for the
/// one timewarp created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Identity {
    dev: u64,
    ino: u64,
    /// The inode's change time, which no one can set back.
    ctime: Stamp,
}

impl Identity {
    fn of_file(path: &Path) -> Option<Identity> {
        use std::os::unix::fs::MetadataExt as _;
        let meta = std::fs::symlink_metadata(path).ok()?;
        Some(Identity { dev: meta.dev(), ino: meta.ino(), ctime: (meta.ctime(), meta.ctime_nsec() as u32) })
    }
}

/// A time as the journal file stores it: seconds and nanoseconds since the epoch (negative
/// seconds before it).
type Stamp = (i64, u32);

fn stamp(time: SystemTime) -> Stamp {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            if d.subsec_nanos() == 0 {
                (-(d.as_secs() as i64), 0)
            } else {
                (-(d.as_secs() as i64) - 1, 1_000_000_000 - d.subsec_nanos())
            }
        }
    }
}

fn time_of((secs, nanos): Stamp) -> SystemTime {
    let base = if secs >= 0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        SystemTime::UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    };
    base + Duration::from_nanos(u64::from(nanos))
}

/// One change, as the journal file records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
enum Record {
    /// The file's times were changed; `content` is what it held then.
    Touched { path: PathBuf, atime: Stamp, mtime: Stamp, content: Fingerprint },
    /// The file did not exist and timewarp creates it; `content` and `identity` once it is
    /// written (a journal of a version before `identity` has none: then the bytes alone tell).
    Created {
        path: PathBuf,
        content: Option<Fingerprint>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<Identity>,
    },
    /// The file's content is patched; the original bytes are in `backup`.
    Edited { path: PathBuf, backup: PathBuf },
}

impl Record {
    fn path(&self) -> &Path {
        match self {
            Record::Touched { path, .. } | Record::Created { path, .. } | Record::Edited { path, .. } => path,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct JournalFile {
    entries: Vec<Record>,
}

#[derive(Debug, Default)]
struct State {
    /// Where the journal is kept on disk, once known.
    file: Option<PathBuf>,
    /// Where copies of edited files go.
    backups: PathBuf,
    /// The user timewarp runs as, whose files in the state directory must be (this process's
    /// when not given).
    owner: Option<u32>,
    entries: Vec<Record>,
    /// What was left alone because the user changed it, for the report.
    notes: Vec<KeptChange>,
    /// The disk the tests pretend the journal is on.
    #[cfg(test)]
    disk: tests::Disk,
}

impl State {
    fn owner(&self) -> u32 {
        self.owner.unwrap_or_else(crate::process::effective_uid)
    }
}

/// The changes not yet undone. Clones share one journal, so the interruption handler can
/// undo what the guards registered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    state: Arc<Mutex<State>>,
}

/// A change to the user's tree timewarp did not undo, because the file changed meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeptChange {
    /// The file.
    pub(crate) path: PathBuf,
    /// What timewarp left alone, and where the original is, in one sentence.
    pub(crate) note: String,
    /// Where the original of an edited file is kept now (`<name>.orig` beside it, a file
    /// timewarp made in the tree, or the backups), for an edit.
    pub(crate) original: Option<PathBuf>,
}

/// What one compare-and-restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Restore {
    /// timewarp's change was undone; says what.
    Restored(String),
    /// Nothing was left to undo.
    Nothing,
    /// Someone else changed the file since: it is left as it is; says so, with where the
    /// original of an edited file is kept.
    Kept(String, Option<PathBuf>),
}

impl Journal {
    /// A journal kept in `file`, with copies of edited files in `backups`, both in a directory
    /// of the user `owner`'s.
    pub(crate) fn on_disk(file: &Path, backups: &Path, owner: u32) -> Journal {
        let state = State {
            file: Some(file.to_path_buf()),
            backups: backups.to_path_buf(),
            owner: Some(owner),
            entries: Vec::new(),
            notes: Vec::new(),
            #[cfg(test)]
            disk: tests::Disk::Fine,
        };
        Journal { state: Arc::new(Mutex::new(state)) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not stop the restore.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the change, on disk first, then in memory.
    fn add(&self, entry: Record) -> Result<()> {
        let mut state = self.lock();
        state.entries.push(entry);
        let persisted = persist(&state);
        if persisted.is_err() {
            // Not written down, so the change is not made: nothing is left to undo.
            state.entries.pop();
        }
        persisted
    }

    /// What was left alone during the run because the user (or a build) changed it; taken
    /// once, for the report.
    pub(crate) fn take_notes(&self) -> Vec<KeptChange> {
        std::mem::take(&mut self.lock().notes)
    }

    /// Registers `path` for a change of its timestamps; returns its guard.
    pub(crate) fn touch(&self, path: &Path) -> Result<TouchedFile> {
        let meta = std::fs::metadata(path).with_context(|| format!("could not read `{}`", path.display()))?;
        let content = Fingerprint::of(&fs::read(path)?);
        let times = meta.accessed().and_then(|a| Ok((a, meta.modified()?)));
        let (atime, mtime) = times.with_context(|| format!("could not read the times of `{}`", path.display()))?;
        self.add(Record::Touched { path: path.to_path_buf(), atime: stamp(atime), mtime: stamp(mtime), content })?;
        Ok(TouchedFile { journal: self.clone(), path: path.to_path_buf() })
    }

    /// Registers `path`, which does not exist yet, as a file timewarp is about to create.
    pub(crate) fn create(&self, path: &Path) -> Result<CreatedFile> {
        self.add(Record::Created { path: path.to_path_buf(), content: None, identity: None })?;
        Ok(CreatedFile { journal: self.clone(), path: path.to_path_buf() })
    }

    /// Registers `path` for edits of `style`: its original bytes are copied to the backups first.
    pub(crate) fn edit(&self, path: &Path, style: EditStyle) -> Result<EditedFile> {
        let original = fs::read(path)?;
        let (backups, owner) = {
            let state = self.lock();
            (state.backups.clone(), state.owner())
        };
        fs::create_dir_all(&backups)?;
        // Named by the whole path too: two edited files of one name (a `lib.rs` of each tree
        // with `--baseline-rev`) must never share a backup.
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let whole = fnv1a(path.as_os_str().as_encoded_bytes());
        let backup = backups.join(format!("{name}.{}.{whole:016x}.orig", std::process::id()));
        fs::write_atomic_own(&backup, &original, owner)?;
        self.add(Record::Edited { path: path.to_path_buf(), backup: backup.clone() })?;
        let ours = Mutex::new(true);
        Ok(EditedFile { journal: self.clone(), path: path.to_path_buf(), backup, original, style, ours })
    }

    /// Undoes every pending change, newest first, printing (not failing on) what cannot be
    /// undone: the last resort of a second Ctrl-C.
    pub(crate) fn restore_all(&self) {
        let mut state = self.lock();
        while let Some(entry) = state.entries.pop() {
            match compare_and_restore(&entry) {
                Ok(Restore::Kept(note, _)) => crate::stderr::say!("warning: {note}"),
                Ok(_) => {}
                Err(e) => crate::stderr::say!("warning: {e:#}"),
            }
        }
        if let Err(e) = persist_after_undo(&state) {
            crate::stderr::say!("warning: {e:#}");
        }
    }

    /// Undoes the newest pending change of `path` that `kind` matches, now, unless someone else
    /// changed the file since (then it says so in a note).
    fn undo_now(&self, path: &Path, kind: fn(&Record) -> bool) -> Result<()> {
        let mut state = self.lock();
        let Some(pos) = state.entries.iter().rposition(|e| e.path() == path && kind(e)) else { return Ok(()) };
        let entry = state.entries.remove(pos);
        let result = compare_and_restore(&entry);
        if let Ok(Restore::Kept(note, original)) = &result {
            let original = original.clone();
            state.notes.push(KeptChange { path: path.to_path_buf(), note: note.clone(), original });
        }
        persist_after_undo(&state)?;
        result.map(|_| ())
    }

    /// Forgets the pending change of `path` that `kind` matches, without undoing it.
    fn forget(&self, path: &Path, kind: fn(&Record) -> bool) -> Result<()> {
        let mut state = self.lock();
        state.entries.retain(|e| !(e.path() == path && kind(e)));
        persist_after_undo(&state)
    }

    fn undo_on_drop(&self, path: &Path, kind: fn(&Record) -> bool) {
        if let Err(e) = self.undo_now(path, kind) {
            crate::stderr::say!("warning: {e:#}");
        }
    }

    /// The journal of this run in `work`, after replaying what an earlier, killed run left
    /// there; returns it with one sentence per change undone or left alone.
    pub(crate) fn start(work: &WorkDir) -> Result<(Journal, Vec<String>)> {
        let notes = Journal::recover(&work.journal_file())?;
        work.create_state()?;
        Ok((Journal::on_disk(&work.journal_file(), &work.journal_backups(), work.owner()), notes))
    }

    /// Replays the journal an earlier run left in `file` (it was killed before it could undo
    /// its changes): returns one sentence per change undone, or left alone because the file
    /// changed since. A file edited by that run and changed since in any other way is kept as it
    /// is, its original left in the backups, and that is an error saying where.
    pub(crate) fn recover(file: &Path) -> Result<Vec<String>> {
        let Ok(bytes) = std::fs::read(file) else { return Ok(Vec::new()) };
        let journal: JournalFile = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "could not read the journal `{}` of an interrupted run; look at the files it names, then delete it",
                file.display()
            )
        })?;
        let mut notes = Vec::new();
        let mut conflicts = Vec::new();
        for entry in journal.entries.iter().rev() {
            match compare_and_restore(entry) {
                Ok(Restore::Restored(note)) => notes.push(note),
                Ok(Restore::Nothing) => {}
                Ok(Restore::Kept(note, _)) if matches!(entry, Record::Edited { .. }) => conflicts.push(note),
                Ok(Restore::Kept(note, _)) => notes.push(format!("left alone: {note}")),
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

fn is_touched(entry: &Record) -> bool {
    matches!(entry, Record::Touched { .. })
}

fn is_created(entry: &Record) -> bool {
    matches!(entry, Record::Created { .. })
}

fn is_edited(entry: &Record) -> bool {
    matches!(entry, Record::Edited { .. })
}

fn persist(state: &State) -> Result<()> {
    let Some(file) = &state.file else { return Ok(()) };
    if state.entries.is_empty() {
        return fs::remove_file_if_exists(file);
    }
    #[cfg(test)]
    state.disk.check_atomic(file)?;
    let text = serde_json::to_string_pretty(&JournalFile { entries: state.entries.clone() })
        .expect("a journal always serialises");
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write_atomic_own(file, text, state.owner())
}

/// Writes the journal after a change was undone or forgotten. The file on disk then lists a
/// change that no longer holds, which a later start would replay against whatever is there by
/// then; so when the usual atomic write fails (a full disk), the shorter journal is written in
/// place (it needs no new space), and when even that fails the file is removed: the changes
/// still pending are undone by their guards, and a killed run's edit is found by its marker.
fn persist_after_undo(state: &State) -> Result<()> {
    let Err(error) = persist(state) else { return Ok(()) };
    let Some(file) = &state.file else { return Err(error) };
    let text = serde_json::to_string_pretty(&JournalFile { entries: state.entries.clone() })
        .expect("a journal always serialises");
    if rewrite_in_place(state, file, text.as_bytes()).is_ok() {
        return Ok(());
    }
    fs::remove_file_if_exists(file)?;
    Err(error.context(format!("removed `{}` so it cannot replay what was undone", file.display())))
}

/// Overwrites `file` with `text` in its own blocks, then cuts it to length.
fn rewrite_in_place(state: &State, file: &Path, text: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    #[cfg(test)]
    state.disk.check_in_place(file, text)?;
    #[cfg(not(test))]
    let _ = state;
    let mut open = std::fs::OpenOptions::new().write(true).open(file)?;
    open.write_all(text)?;
    open.set_len(text.len() as u64)?;
    open.sync_all()
}

/// The one compare-and-restore: undoes `entry` only while the file still holds what timewarp
/// left there, so an edit the user saved meanwhile wins over timewarp's restore.
fn compare_and_restore(entry: &Record) -> Result<Restore> {
    match entry {
        Record::Touched { path, atime, mtime, content } => {
            let Some(now) = Fingerprint::of_file(path) else { return Ok(Restore::Nothing) };
            if now != *content {
                return Ok(Restore::Kept(
                    format!(
                        "`{}` changed during the run, so its modification time was left as it is: cargo sees the change",
                        path.display()
                    ),
                    None,
                ));
            }
            // Not touched after all (a run of clean builds alone, or stopped before its first
            // rebuild): nothing to undo, and nothing is written (a read-only mount refuses even
            // setting the times a file already has).
            if std::fs::metadata(path).and_then(|m| m.modified()).is_ok_and(|m| m == time_of(*mtime)) {
                return Ok(Restore::Nothing);
            }
            fs::set_times(path, Some(time_of(*atime)), time_of(*mtime))
                .with_context(|| format!("could not restore the modification time of `{}`", path.display()))?;
            Ok(Restore::Restored(format!("restored the modification time of `{}`", path.display())))
        }
        Record::Created { path, content, identity } => match (content, Fingerprint::of_file(path)) {
            (_, None) => Ok(Restore::Nothing),
            (Some(written), Some(now)) if *written == now => {
                if identity.is_some() && *identity != Identity::of_file(path) {
                    return Ok(Restore::Kept(
                        format!(
                            "`{}` is not the file timewarp created for the run but one made since, so it was kept",
                            path.display()
                        ),
                        None,
                    ));
                }
                fs::remove_file_if_exists(path)?;
                Ok(Restore::Restored(format!("removed `{}`, which it had created", path.display())))
            }
            _ => Ok(Restore::Kept(
                format!(
                    "`{}`, which timewarp created for the run, changed since (`cargo update`, `cargo add`?), so it was kept",
                    path.display()
                ),
                None,
            )),
        },
        Record::Edited { path, backup } => {
            let Ok(original) = std::fs::read(backup) else { return Ok(Restore::Nothing) };
            let current = std::fs::read(path).ok();
            if current.as_ref() == Some(&original) {
                fs::remove_file_if_exists(backup)?;
                return Ok(Restore::Nothing);
            }
            if current.is_some_and(|now| is_original_plus_edit(&now, &original)) {
                fs::write(path, &original).with_context(|| format!("could not restore `{}`", path.display()))?;
                fs::remove_file_if_exists(backup)?;
                return Ok(Restore::Restored(format!(
                    "restored `{}` from the copy it kept while editing it",
                    path.display()
                )));
            }
            let (note, original) = kept_edit(path, backup);
            Ok(Restore::Kept(note, Some(original)))
        }
    }
}

/// The sentence for a file edited by timewarp that someone else changed since. The original is
/// moved out of timewarp's state directory (which `clean` removes) to `<name>.orig` beside the
/// file when that name is free, so the copy the sentence points at stays where the user works.
fn kept_edit(path: &Path, backup: &Path) -> (String, PathBuf) {
    let original = keep_beside(path, backup);
    let current = std::fs::read(path).unwrap_or_default();
    let still = match appended_item(&current) {
        Some(name) => {
            format!(
                ", and it still holds timewarp's appended item `{name}` with its comment line, which you may delete"
            )
        }
        None => String::new(),
    };
    let note = format!(
        "`{}` changed since `cargo timewarp` edited it for a rebuild, so timewarp kept it as it is{still}; its content before that run is in `{}`",
        path.display(),
        original.display()
    );
    (note, original)
}

/// The name of the item one of timewarp's edits appended (`TIMEWARP_EDIT_3`), when `bytes`
/// hold one: its comment line on a line of its own, followed by the item. timewarp's own
/// source, which spells the comment inside a string, is not taken for an edit.
fn appended_item(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let markers = [EDIT_MARKER, DEEP_MARKER];
    lines.iter().enumerate().filter(|(_, line)| markers.contains(line)).find_map(|(at, _)| {
        lines.iter().skip(at + 1).take(3).find_map(|line| {
            let rest = line.strip_prefix("pub ").unwrap_or(line).strip_prefix("static TIMEWARP_EDIT_")?;
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then(|| format!("TIMEWARP_EDIT_{digits}"))
        })
    })
}

/// A killed run's edit in `file` that no journal of this run's state directory lists (the
/// checkout was renamed since, so its journal is under another key): found by timewarp's own
/// item in the file. Restored, with a note, when a finished run's backup is the original the
/// file holds with one of timewarp's edits appended; otherwise an error naming the file, so
/// edited code is never measured without a word. `None` when the file holds no such item.
pub(crate) fn leftover_edit(file: &Path, work: &WorkDir) -> Result<Option<String>> {
    let Ok(current) = std::fs::read(file) else { return Ok(None) };
    let Some(item) = appended_item(&current) else { return Ok(None) };
    let backups = work.backups_of_finished_runs();
    for backup in &backups {
        let Ok(original) = std::fs::read(backup) else { continue };
        if is_original_plus_edit(&current, &original) {
            fs::write(file, &original).with_context(|| format!("could not restore `{}`", file.display()))?;
            fs::remove_file_if_exists(backup)?;
            return Ok(Some(format!(
                "restored `{}` from `{}`, the copy a killed run kept while editing it (its journal was under the workspace's old path)",
                file.display(),
                backup.display()
            )));
        }
    }
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // The newest copy of a file of that name, when one is left.
    let maybe = backups
        .iter()
        .filter(|b| b.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{name}."))))
        .max_by_key(|b| std::fs::metadata(b).and_then(|m| m.modified()).ok());
    let copy = match maybe {
        Some(backup) => format!("a copy that may be its original is `{}`", backup.display()),
        None => "no copy timewarp kept matches it".to_string(),
    };
    bail!(
        "`{}` still holds `{item}`, which a killed timewarp run appended for one build and whose journal is not where this run looks (the checkout moved, or XDG_CACHE_HOME changed); {copy}; remove the item and its comment line (or restore the file from version control) and run again, so edited code is never measured",
        file.display()
    )
}

/// A file a killed run created (its `Cargo.lock`) whose journal is under another key (the
/// checkout was renamed since): removed, with a note, when a finished run's journal recorded
/// this very file (same device, inode and change time) with these bytes, so it is unchanged
/// since timewarp wrote it. Anything else is left as it is.
pub(crate) fn leftover_created(file: &Path, work: &WorkDir) -> Result<Option<String>> {
    let Some(now) = Identity::of_file(file) else { return Ok(None) };
    for journal in work.journals_of_finished_runs() {
        let Ok(bytes) = std::fs::read(&journal) else { continue };
        let Ok(recorded) = serde_json::from_slice::<JournalFile>(&bytes) else { continue };
        let ours = recorded.entries.iter().any(|entry| {
            matches!(entry, Record::Created { content: Some(content), identity: Some(identity), .. }
                if *identity == now && Fingerprint::of_file(file) == Some(*content))
        });
        if ours {
            fs::remove_file_if_exists(file)?;
            return Ok(Some(format!(
                "removed `{}`, which a killed run had created (its journal `{}` was under the workspace's old path)",
                file.display(),
                journal.display()
            )));
        }
    }
    Ok(None)
}

/// Moves the original in `backup` to `<name>.orig` beside `path` when no file of that name
/// exists (never over one: the name is created exclusively), and returns where the original is
/// now; when the name is taken or the copy cannot be written, the backup stays where it is.
fn keep_beside(path: &Path, backup: &Path) -> PathBuf {
    use std::io::Write as _;
    let Some(name) = path.file_name() else { return backup.to_path_buf() };
    let mut beside_name = name.to_os_string();
    beside_name.push(".orig");
    let beside = path.with_file_name(beside_name);
    let Ok(bytes) = std::fs::read(backup) else { return backup.to_path_buf() };
    let Ok(mut file) = std::fs::OpenOptions::new().write(true).create_new(true).open(&beside) else {
        return backup.to_path_buf();
    };
    // As private as the file it is the original of.
    let mode = std::fs::metadata(path).map(|m| m.permissions());
    let written = mode.and_then(|mode| file.set_permissions(mode)).and_then(|()| file.write_all(&bytes));
    if written.and_then(|()| file.sync_all()).is_err() {
        // timewarp created this file a moment ago: removing it deletes nothing of the user's.
        let _ = std::fs::remove_file(&beside);
        return backup.to_path_buf();
    }
    let _ = std::fs::remove_file(backup);
    beside
}

/// The item edit number `n` appends: a static the object code must contain (`#[used]` keeps it
/// even unreferenced, and counts as a use, so no lint attribute is needed and a crate with
/// `#![forbid(dead_code)]` or `#![deny(warnings)]` builds it), with bytes that differ per edit, so
/// every edited rebuild generates and links new code, as a real edit does; a `const` would be
/// checked and then reused unchanged. Every toolchain since 1.30 compiles it in every edition.
///
/// The public style's item is a `#[doc(hidden)]` public static instead: a new item of the
/// crate's interface (so its dependents recompile), which `missing_docs` passes over.
fn edit_item(n: usize, style: EditStyle) -> String {
    let item = format!("static TIMEWARP_EDIT_{n}: &[u8] = b\"timewarp-edit-{n}\";\n");
    match style {
        EditStyle::Private => format!("#[used]\n{item}"),
        EditStyle::Public => format!("#[doc(hidden)]\npub {item}"),
    }
}

/// The original plus timewarp's edit number `n` of `style`, as [`EditedFile::apply`] writes it.
fn patched(original: &[u8], n: usize, style: EditStyle) -> Vec<u8> {
    let mut patched = original.to_vec();
    if !patched.ends_with(b"\n") && !patched.is_empty() {
        patched.push(b'\n');
    }
    patched.extend_from_slice(format!("{}\n{}", style.marker(), edit_item(n, style)).as_bytes());
    patched
}

/// Whether `current` is exactly `original` with one of timewarp's edits appended (of either
/// style, or the one before this version, which added `#[allow(dead_code)]`).
fn is_original_plus_edit(current: &[u8], original: &[u8]) -> bool {
    [EditStyle::Private, EditStyle::Public].into_iter().any(|style| {
        let marker = format!("{}\n", style.marker());
        let Some(at) = current.windows(marker.len()).rposition(|w| w == marker.as_bytes()) else { return false };
        let tail = String::from_utf8_lossy(&current[at + marker.len()..]);
        let number =
            tail.split("static TIMEWARP_EDIT_").nth(1).and_then(|t| t.split(':').next()).and_then(|n| n.parse().ok());
        number.is_some_and(|n| {
            let old = patched(original, n, style);
            let older = String::from_utf8_lossy(&old).replace("#[used]\n", "#[used]\n#[allow(dead_code)]\n");
            old == current || older.as_bytes() == current
        })
    })
}

/// The file whose timestamps incremental rebuilds change; its original times come back on
/// drop, or earlier with [`TouchedFile::restore`], while its content is what it was.
#[derive(Debug)]
pub(crate) struct TouchedFile {
    journal: Journal,
    path: PathBuf,
}

impl TouchedFile {
    /// Sets the modification time to `time`, so cargo sees the file as changed; the content is
    /// untouched.
    pub(crate) fn touch(&self, time: SystemTime) -> Result<()> {
        fs::set_times(&self.path, None, time)
            .with_context(|| format!("could not set the modification time of `{}`", self.path.display()))
    }

    /// Restores the original times now, unless the content changed; reports failure.
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

/// A file timewarp creates in the user's tree (a `Cargo.lock`); removed again on drop, while
/// it is what timewarp wrote.
#[derive(Debug)]
pub(crate) struct CreatedFile {
    journal: Journal,
    path: PathBuf,
}

impl CreatedFile {
    /// Records what the file holds now that it is written, so it is removed only while it is
    /// unchanged.
    pub(crate) fn written(&self) -> Result<()> {
        let mut state = self.journal.lock();
        let content = Fingerprint::of_file(&self.path);
        let identity = Identity::of_file(&self.path);
        for entry in state.entries.iter_mut().filter(|e| e.path() == self.path && is_created(e)) {
            if let Record::Created { content: recorded, identity: which, .. } = entry {
                (*recorded, *which) = (content, identity);
            }
        }
        persist(&state)
    }

    /// Removes the file now, unless it changed since it was written; reports failure.
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
/// build, on drop, on Ctrl-C, and after a SIGKILL on the next start, each time only while the
/// file holds timewarp's bytes. Once someone else changes it, timewarp stops editing it.
#[derive(Debug)]
pub(crate) struct EditedFile {
    journal: Journal,
    path: PathBuf,
    backup: PathBuf,
    original: Vec<u8>,
    /// Which item the edits append.
    style: EditStyle,
    /// Whether the file still holds only timewarp's changes.
    ours: Mutex<bool>,
}

impl EditedFile {
    /// Whether timewarp may still edit the file: nobody else changed it.
    pub(crate) fn is_ours(&self) -> bool {
        *self.ours.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives the file up: someone else changed it, so it is theirs, its original stays in the
    /// backups, and the report says so.
    fn give_up(&self) -> Result<()> {
        *self.ours.lock().unwrap_or_else(PoisonError::into_inner) = false;
        let (note, original) = kept_edit(&self.path, &self.backup);
        self.journal.lock().notes.push(KeptChange { path: self.path.clone(), note, original: Some(original) });
        self.journal.forget(&self.path, is_edited)
    }

    /// Writes the original content plus a small unused item numbered `n`, so every edited
    /// build sees content it has not compiled before. Returns `false`, writing nothing, when the
    /// file is no longer the original (the user saved an edit): then it is theirs.
    pub(crate) fn apply(&self, n: usize) -> Result<bool> {
        if !self.is_ours() {
            return Ok(false);
        }
        if std::fs::read(&self.path).ok().as_ref() != Some(&self.original) {
            self.give_up()?;
            return Ok(false);
        }
        fs::write(&self.path, patched(&self.original, n, self.style))
            .with_context(|| format!("could not edit `{}`", self.path.display()))?;
        Ok(true)
    }

    /// Puts the original bytes back after edited build `n`, if the file still holds timewarp's
    /// edit; returns `false`, keeping the file, when someone else changed it during the build.
    pub(crate) fn revert(&self, n: usize) -> Result<bool> {
        if !self.is_ours() {
            return Ok(false);
        }
        let current = std::fs::read(&self.path).ok();
        if current.as_ref() == Some(&self.original) {
            return Ok(true);
        }
        if current.as_ref() != Some(&patched(&self.original, n, self.style)) {
            self.give_up()?;
            return Ok(false);
        }
        fs::write(&self.path, &self.original)
            .with_context(|| format!("could not restore `{}`", self.path.display()))?;
        Ok(true)
    }

    /// Restores the original and removes the backup now (while the file is timewarp's),
    /// reporting failure.
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
mod tests;
