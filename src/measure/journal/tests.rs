use super::*;

/// The disk the journal is on, as the tests pretend it: `Full` fails every write that needs
/// new space (a new file, a longer one), as `XDG_CACHE_HOME` on a full disk does;
/// `Broken` fails every write. Removing a file always works.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Disk {
    #[default]
    Fine,
    Full,
    Broken,
}

impl Disk {
    pub(crate) fn check_atomic(self, file: &Path) -> Result<()> {
        match self {
            Disk::Fine => Ok(()),
            Disk::Full | Disk::Broken => {
                bail!("could not write `{}`: No space left on device (os error 28)", file.display())
            }
        }
    }

    pub(crate) fn check_in_place(self, file: &Path, text: &[u8]) -> std::io::Result<()> {
        let size = std::fs::metadata(file).map_or(0, |m| m.len());
        match self {
            Disk::Fine => Ok(()),
            Disk::Full if text.len() as u64 <= size => Ok(()),
            Disk::Full | Disk::Broken => Err(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        }
    }
}

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
    fs::set_times(&file, None, time_of((1_600_000_000, 123))).unwrap();
    let journal = Journal::on_disk(
        &dir.path().join("state/journal.json"),
        &dir.path().join("state/backups"),
        crate::process::effective_uid(),
    );
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

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
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

/// The inode's change time, which every write of the times moves and a read does not.
fn ctime(path: &Path) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path).unwrap();
    (meta.ctime(), meta.ctime_nsec())
}

/// Waits until a write now would give `path` another change time than it has (the kernel's
/// clock for it is coarse), with a generous hang guard.
fn until_a_write_shows(path: &Path) {
    let probe = path.with_extension("probe");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        std::fs::write(&probe, b"").unwrap();
        if ctime(&probe) != ctime(path) {
            return std::fs::remove_file(&probe).unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "the change time never moved");
    }
}

/// Case 43: a run of clean builds alone never touches the file, and its restore wrote the
/// times anyway, which a read-only mount refuses. A file whose modification time is as
/// recorded is left alone (nothing writes its times, so its change time stays), and a
/// killed run's journal undoes nothing.
#[test]
fn a_file_that_was_not_touched_is_not_written_by_the_restore() {
    let s = setup(b"fn main() {}\n");
    let before = ctime(&s.file);
    until_a_write_shows(&s.file);
    s.journal.touch(&s.file).unwrap().restore().unwrap();
    assert_eq!(ctime(&s.file), before, "the restore wrote nothing");
    s.kill(s.journal.touch(&s.file).unwrap());
    assert_eq!(Journal::recover(&s.journal_file()).unwrap(), Vec::<String>::new(), "nothing to undo");
    assert_eq!(ctime(&s.file), before);
    assert_eq!(mtime(&s.file), time_of((1_600_000_000, 123)));
}

/// `--baseline-rev` with `deep` edits a `lib.rs` in each tree: two files of one name, whose
/// backups once shared a name, so undoing the newer deleted the older's.
#[test]
fn two_edited_files_of_one_name_keep_backups_of_their_own() {
    let s = setup(b"pub fn f() {}\n");
    let other = s.dir.path().join("base/lib.rs");
    std::fs::create_dir_all(other.parent().unwrap()).unwrap();
    std::fs::write(&other, b"pub fn g() {}\n").unwrap();
    std::fs::rename(&s.file, s.dir.path().join("lib.rs")).unwrap();
    let mine = s.dir.path().join("lib.rs");
    let (a, b) =
        (s.journal.edit(&mine, EditStyle::Public).unwrap(), s.journal.edit(&other, EditStyle::Public).unwrap());
    assert!(a.apply(1).unwrap() && b.apply(2).unwrap());
    s.kill((a, b));
    let undone = Journal::recover(&s.journal_file()).unwrap();
    assert_eq!(undone.len(), 2, "both restored: {undone:?}");
    assert_eq!(std::fs::read(&mine).unwrap(), b"pub fn f() {}\n");
    assert_eq!(std::fs::read(&other).unwrap(), b"pub fn g() {}\n");
}

#[test]
fn edits_are_reverted_byte_for_byte() {
    let s = setup(b"pub fn f() {}"); // no trailing newline
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
    edited.apply(7).unwrap();
    let text = std::fs::read_to_string(&s.file).unwrap();
    assert!(text.starts_with("pub fn f() {}\n// Added by `cargo timewarp --edit`"), "{text}");
    assert!(text.ends_with("#[used]\nstatic TIMEWARP_EDIT_7: &[u8] = b\"timewarp-edit-7\";\n"), "{text}");
    assert!(edited.revert(7).unwrap());
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
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
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
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
    edited.apply(1).unwrap();
    s.kill(edited);
    std::fs::write(&s.file, "fn main() { println!(\"mine\"); }\n").unwrap();
    let err = Journal::recover(&s.journal_file()).unwrap_err().to_string();
    assert!(err.contains("changed since `cargo timewarp` edited it for a rebuild"), "{err}");
    let backup = err.rsplit('`').nth(1).unwrap();
    assert_eq!(std::fs::read(backup).unwrap(), b"fn main() {}\n", "the original is where the message says");
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() { println!(\"mine\"); }\n");
    assert!(Journal::recover(&s.journal_file()).unwrap().is_empty(), "reported once");
}

/// hostile #5: the original a conflict note points at must outlive timewarp's state
/// directory (which `clean` removes): it goes beside the file as `<name>.orig`, never over a
/// file of that name; and the note says the kept file still holds timewarp's item.
#[test]
fn the_original_of_a_kept_edit_goes_beside_the_file() {
    let s = setup(b"fn main() {}\n");
    std::fs::set_permissions(&s.file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
    edited.apply(3).unwrap();
    s.kill(edited);
    let mut hand = std::fs::read(&s.file).unwrap();
    hand.extend_from_slice(b"// my hand edit\n");
    std::fs::write(&s.file, &hand).unwrap();
    let err = Journal::recover(&s.journal_file()).unwrap_err().to_string();
    let beside = s.dir.path().join("src/main.rs.orig");
    assert!(err.ends_with(&format!("its content before that run is in `{}`", beside.display())), "{err}");
    assert!(err.contains("it still holds timewarp's appended item `TIMEWARP_EDIT_3`"), "{err}");
    assert_eq!(std::fs::read(&beside).unwrap(), b"fn main() {}\n");
    assert!(std::fs::read_dir(s.dir.path().join("state/backups")).unwrap().next().is_none(), "moved, not copied");
    let mode = |p: &Path| std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions());
    assert_eq!(mode(&beside), mode(&s.file), "as private as the file");
    assert_eq!(std::fs::read(&s.file).unwrap(), hand, "the user's file as they left it");

    // `main.rs.orig` is taken now (the user's, say): the next original stays in the backups.
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
    edited.apply(4).unwrap();
    s.kill(edited);
    std::fs::write(&s.file, "fn main() { rewritten(); }\n").unwrap();
    let err = Journal::recover(&s.journal_file()).unwrap_err().to_string();
    assert!(!err.contains("still holds"), "the rewrite holds no item of timewarp's: {err}");
    let kept = err.rsplit('`').nth(1).unwrap();
    assert!(kept.contains("/state/backups/main.rs."), "{err}");
    assert_eq!(std::fs::read(kept).unwrap(), hand);
    assert_eq!(std::fs::read(&beside).unwrap(), b"fn main() {}\n", "never written over");
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
    let notes = Journal::recover(&s.journal_file()).unwrap();
    assert_eq!(notes.len(), 2, "both left alone, each said: {notes:?}");
    assert!(notes.iter().all(|n| n.starts_with("left alone: `")), "{notes:?}");
    assert_eq!(mtime(&s.file), edited_at, "cargo must still see the user's edit");
    assert!(lock.exists());
}

/// hostile #6: with the cache directory full, a failed write left the journal listing a
/// created `Cargo.lock` already removed (and a change that was never made), and the next
/// start deleted the lockfile the user had made since, of the same bytes.
#[test]
fn a_journal_that_cannot_be_written_never_lists_what_was_undone() {
    let s = setup(b"fn main() {}\n");
    let lock = s.dir.path().join("Cargo.lock");
    let touched = s.journal.touch(&s.file).unwrap();
    let created = s.journal.create(&lock).unwrap();
    std::fs::write(&lock, "version = 3\n").unwrap();
    created.written().unwrap();
    s.journal.lock().disk = Disk::Full;
    let err = s.journal.edit(&s.file, EditStyle::Private).unwrap_err();
    assert!(format!("{err:#}").contains("No space left on device"), "{err:#}");
    assert_eq!(std::fs::read(&s.file).unwrap(), b"fn main() {}\n", "not written down, so not made");
    created.restore().unwrap();
    assert!(!lock.exists());
    let on_disk = std::fs::read_to_string(s.journal_file()).unwrap();
    assert!(!on_disk.contains("Cargo.lock") && on_disk.contains("touched"), "written in place: {on_disk}");
    drop(touched);
    assert!(!s.journal_file().exists(), "nothing is pending");
    std::fs::write(&lock, "version = 3\n").unwrap(); // the user's `cargo generate-lockfile`
    assert!(Journal::recover(&s.journal_file()).unwrap().is_empty());
    assert!(lock.exists(), "the user's lockfile stays");

    // Nothing can be written at all: the journal is removed rather than left lying.
    s.journal.lock().disk = Disk::Fine;
    let touched = s.journal.touch(&s.file).unwrap();
    let created = s.journal.create(&s.dir.path().join("other.lock")).unwrap();
    s.journal.lock().disk = Disk::Broken;
    let err = touched.restore().unwrap_err();
    assert!(format!("{err:#}").contains("so it cannot replay what was undone"), "{err:#}");
    assert!(!s.journal_file().exists());
    s.journal.lock().disk = Disk::Fine;
    drop(created);
}

/// hostile #6: a created file is known by its inode and change time too, so a later file of
/// the same bytes in its place is never taken for timewarp's.
#[test]
fn a_new_file_of_the_same_bytes_is_not_the_created_one() {
    let s = setup(b"fn main() {}\n");
    let lock = s.dir.path().join("Cargo.lock");
    let created = s.journal.create(&lock).unwrap();
    std::fs::write(&lock, "version = 3\n").unwrap();
    created.written().unwrap();
    s.kill(created);
    std::fs::remove_file(&lock).unwrap();
    std::thread::sleep(Duration::from_millis(10)); // a later change time, whatever the clock's grain
    std::fs::write(&lock, "version = 3\n").unwrap();
    let notes = Journal::recover(&s.journal_file()).unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("is not the file timewarp created for the run but one made since"), "{notes:?}");
    assert!(lock.exists());
}

/// hostile #7: a killed run's edit stayed in the file once the checkout was renamed (the
/// journal is keyed by the old path) and the next run measured edited code without a word.
#[test]
fn a_killed_runs_edit_is_found_by_its_item_when_the_journal_is_elsewhere() {
    let s = setup(b"pub fn f() {}\n");
    let env = crate::testing::env_in(s.dir.path());
    let old_home =
        WorkDir::new(&s.dir.path().join("old"), &s.dir.path().join("target"), &env, crate::process::effective_uid())
            .unwrap();
    old_home.create_state().unwrap();
    let journal = Journal::on_disk(&old_home.journal_file(), &old_home.journal_backups(), old_home.owner());
    let edited = journal.edit(&s.file, EditStyle::Public).unwrap();
    edited.apply(2).unwrap();
    s.kill(edited);
    let work =
        WorkDir::new(&s.dir.path().join("new"), &s.dir.path().join("target"), &env, crate::process::effective_uid())
            .unwrap();
    let note = leftover_edit(&s.file, &work).unwrap().unwrap();
    assert!(note.starts_with(&format!("restored `{}` from `", s.file.display())), "{note}");
    assert_eq!(std::fs::read(&s.file).unwrap(), b"pub fn f() {}\n");
    assert_eq!(leftover_edit(&s.file, &work).unwrap(), None, "nothing left");

    // Edited by hand since: no copy matches, so the run stops, naming the file.
    let edited = journal.edit(&s.file, EditStyle::Private).unwrap();
    edited.apply(5).unwrap();
    s.kill(edited);
    let mut hand = std::fs::read(&s.file).unwrap();
    hand.extend_from_slice(b"pub fn g() {}\n");
    std::fs::write(&s.file, &hand).unwrap();
    let err = leftover_edit(&s.file, &work).unwrap_err().to_string();
    assert!(err.starts_with(&format!("`{}` still holds `TIMEWARP_EDIT_5`", s.file.display())), "{err}");
    assert!(err.contains("a copy that may be its original is `") && !err.contains('\n'), "{err}");
    assert_eq!(std::fs::read(&s.file).unwrap(), hand, "nothing written");

    // timewarp's own source spells the comment inside a string: not an edit.
    let source = format!("const M: &str = \"{EDIT_MARKER}\";\nstatic TIMEWARP_EDIT_1: u8 = 0;\n");
    assert_eq!(appended_item(source.as_bytes()), None);
}

/// A killed run's `Cargo.lock` in a renamed checkout is removed only while it is the very
/// file that run's journal recorded.
#[test]
fn a_killed_runs_lockfile_is_known_by_its_identity_when_the_journal_is_elsewhere() {
    let s = setup(b"");
    let env = crate::testing::env_in(s.dir.path());
    let old_home =
        WorkDir::new(&s.dir.path().join("old"), &s.dir.path().join("target"), &env, crate::process::effective_uid())
            .unwrap();
    old_home.create_state().unwrap();
    let journal = Journal::on_disk(&old_home.journal_file(), &old_home.journal_backups(), old_home.owner());
    let lock = s.dir.path().join("Cargo.lock");
    let created = journal.create(&lock).unwrap();
    std::fs::write(&lock, "version = 3\n").unwrap();
    created.written().unwrap();
    s.kill(created);
    let work =
        WorkDir::new(&s.dir.path().join("new"), &s.dir.path().join("target"), &env, crate::process::effective_uid())
            .unwrap();
    // The same bytes in another file: the user's, kept.
    let copy = s.dir.path().join("copy.lock");
    std::fs::copy(&lock, &copy).unwrap();
    assert_eq!(leftover_created(&copy, &work).unwrap(), None);
    let note = leftover_created(&lock, &work).unwrap().unwrap();
    assert!(note.starts_with(&format!("removed `{}`, which a killed run had created", lock.display())), "{note}");
    assert!(!lock.exists() && copy.exists());
}

#[test]
fn restore_all_undoes_what_is_pending() {
    let s = setup(b"");
    let old = mtime(&s.file);
    let created_path = s.dir.path().join("Cargo.lock");
    let touched = s.journal.touch(&s.file).unwrap();
    let lock = s.journal.create(&created_path).unwrap();
    std::fs::write(&created_path, "version = 3\n").unwrap();
    lock.written().unwrap();
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
fn an_edit_saved_during_an_edited_build_wins_and_editing_stops() {
    let s = setup(b"fn main() {}\n");
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
    assert!(edited.apply(1).unwrap());
    // The user saves a new version while the file holds timewarp's edit.
    std::fs::write(&s.file, "fn main() { mine(); }\n").unwrap();
    assert!(!edited.revert(1).unwrap(), "the file is the user's now");
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() { mine(); }\n");
    assert!(!edited.apply(2).unwrap(), "no further edit overwrites it");
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() { mine(); }\n");
    drop(edited);
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() { mine(); }\n", "not even on drop");
    let notes = s.journal.take_notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let backup = notes[0].note.rsplit('`').nth(1).unwrap();
    assert_eq!(std::fs::read(backup).unwrap(), b"fn main() {}\n", "the original is kept where the note says");
    assert!(Journal::recover(&s.journal_file()).unwrap().is_empty(), "nothing pending: no second complaint");
}

#[test]
fn an_edit_saved_between_builds_is_never_overwritten() {
    let s = setup(b"fn main() {}\n");
    let edited = s.journal.edit(&s.file, EditStyle::Private).unwrap();
    assert!(edited.apply(1).unwrap());
    assert!(edited.revert(1).unwrap());
    std::fs::write(&s.file, "fn main() { between(); }\n").unwrap();
    assert!(!edited.apply(2).unwrap());
    assert_eq!(std::fs::read_to_string(&s.file).unwrap(), "fn main() { between(); }\n");
    assert_eq!(s.journal.take_notes().len(), 1);
}

#[test]
fn a_file_changed_during_the_run_keeps_its_new_time_and_the_report_is_told() {
    let s = setup(b"fn main() {}\n");
    let touched = s.journal.touch(&s.file).unwrap();
    touched.touch(SystemTime::now()).unwrap();
    std::fs::write(&s.file, "fn main() { edited(); }\n").unwrap();
    let edited_at = mtime(&s.file);
    touched.restore().unwrap();
    assert_eq!(mtime(&s.file), edited_at, "cargo must see the user's edit: no stale build");
    let notes = s.journal.take_notes();
    assert!(
        notes[0]
            .note
            .ends_with("changed during the run, so its modification time was left as it is: cargo sees the change"),
        "{notes:?}"
    );
}

#[test]
fn a_created_lockfile_changed_during_the_run_is_kept() {
    let s = setup(b"");
    let lock = s.dir.path().join("Cargo.lock");
    let created = s.journal.create(&lock).unwrap();
    std::fs::write(&lock, "version = 3\n").unwrap();
    created.written().unwrap();
    std::fs::write(&lock, "version = 3\n# cargo add\n").unwrap();
    created.restore().unwrap();
    assert!(lock.exists(), "the user's lockfile stays");
    assert!(s.journal.take_notes()[0].note.contains("changed since (`cargo update`, `cargo add`?), so it was kept"));
}

#[test]
fn times_round_trip_through_the_journal_file() {
    for time in [
        SystemTime::UNIX_EPOCH + Duration::new(1_600_000_000, 123),
        SystemTime::UNIX_EPOCH - Duration::new(5, 250),
        SystemTime::UNIX_EPOCH - Duration::from_secs(7),
    ] {
        assert_eq!(time_of(stamp(time)), time);
    }
}

#[test]
fn only_timewarps_own_edit_is_recognised() {
    let original = b"fn main() {}\n";
    for style in [EditStyle::Private, EditStyle::Public] {
        assert!(is_original_plus_edit(&patched(original, 12, style), original));
        assert!(!is_original_plus_edit(original, original));
        let mut more = patched(original, 12, style);
        more.extend_from_slice(b"fn more() {}\n");
        assert!(!is_original_plus_edit(&more, original));
        assert!(!is_original_plus_edit(&patched(b"fn other() {}\n", 1, style), original));
    }
    let public = String::from_utf8(patched(b"pub fn f() {}", 3, EditStyle::Public)).unwrap();
    assert!(
        public.ends_with("pub fn f() {}\n// Added by `cargo timewarp` (the `deep` scenario) for one build; it is removed again.\n#[doc(hidden)]\npub static TIMEWARP_EDIT_3: &[u8] = b\"timewarp-edit-3\";\n"),
        "{public}"
    );
    let older = "fn main() {}\n// Added by `cargo timewarp --edit` for one build; it is removed again.\n#[used]\n#[allow(dead_code)]\nstatic TIMEWARP_EDIT_4: &[u8] = b\"timewarp-edit-4\";\n";
    assert!(is_original_plus_edit(older.as_bytes(), original), "a killed run of the version before");
}

proptest::proptest! {
    /// A journal file of any bytes (a cut write, a disk error, a hand edit) is replayed or
    /// refused in one line, never a panic.
    #[test]
    fn arbitrary_bytes_are_replayed_or_refused_in_one_line(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("journal.json");
        std::fs::write(&file, &bytes).unwrap();
        if let Err(e) = Journal::recover(&file) {
            proptest::prop_assert!(!format!("{e:#}").contains('\n'), "{:#}", e);
        }
    }
}
