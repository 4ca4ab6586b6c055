//! File operations whose errors carry the path, in one voice (cargo-hack's `fs.rs`): "could not
//! read `PATH`: No such file or directory". Modules go through these where a file's error reaches
//! the user, so it never leaves out which file; reads whose failure is itself an answer (a file
//! that is not there, a directory listing that may be empty) call `std::fs` directly.

use std::io::Write as _;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context as _, Result};

/// `std::fs::read_to_string` with the path in the error.
pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("could not read `{}`", path.display()))
}

/// `std::fs::read` with the path in the error.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("could not read `{}`", path.display()))
}

/// `std::fs::write` with the path in the error.
pub(crate) fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    std::fs::write(path, contents).with_context(|| format!("could not write `{}`", path.display()))
}

/// `std::fs::create_dir_all` with the path in the error.
pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("could not create `{}`", path.display()))
}

/// Appends `contents` to `path` in one write, creating the file when needed.
pub(crate) fn append(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("could not open `{}`", path.display()))?;
    file.write_all(contents.as_ref()).with_context(|| format!("could not write `{}`", path.display()))
}

/// Removes a directory tree; one that is already gone is fine. A tree that is still being
/// written (the last processes of a stopped build, killed but not yet gone) is tried again for
/// up to two seconds.
pub(crate) fn remove_dir_all_if_exists(path: &Path) -> Result<()> {
    let mut tries = 0;
    loop {
        match std::fs::remove_dir_all(path) {
            Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty && tries < 20 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("could not remove `{}`", path.display()));
            }
            _ => return Ok(()),
        }
    }
}

/// Removes a file; one that is already gone is fine.
pub(crate) fn remove_file_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove `{}`", path.display()))
        }
        _ => Ok(()),
    }
}

/// Writes `contents` to a temporary file beside `path` (created by `tempfile`, so two writers
/// never share one), flushes it to disk, gives it the mode of the file it replaces, renames it
/// into place and flushes the directory, so a reader (or a crash) sees the old file or the new
/// one, never half of either, and a report kept private (0600) stays private. A symbolic link is
/// written through (the file it points to is replaced, not the link; callers judge that file
/// first, see `report::guard`), and what is not a regular file (`/dev/stdout`, a FIFO, a device)
/// is written directly: renaming over it would replace the device itself.
pub(crate) fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let existing = std::fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return write(path, contents);
    }
    // A new output is the user's file, readable as `>` would make it (0666 less the umask), not
    // the private 0600 of a temporary file.
    replace(&target, contents.as_ref(), existing.as_ref(), Some(0o666))
}

/// Writes `contents` to a temporary file beside `target` (with the permissions of `existing`,
/// the file it replaces, else `fresh` less the umask, else private), syncs it and renames it
/// onto `target`: the one atomic write behind [`write_atomic`] and [`write_atomic_own`].
fn replace(target: &Path, contents: &[u8], existing: Option<&std::fs::Metadata>, fresh: Option<u32>) -> Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let written = (|| -> std::io::Result<()> {
        let prefix = format!(".{name}.timewarp-");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        if let Some(mode) = fresh.filter(|_| existing.is_none()) {
            // The mode goes to open(2), which applies the umask.
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        let mut temp = builder.tempfile_in(dir)?;
        temp.write_all(contents)?;
        if let Some(meta) = existing {
            temp.as_file().set_permissions(meta.permissions())?;
        }
        temp.as_file().sync_all()?;
        temp.persist(target).map_err(|e| e.error)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    written.with_context(|| format!("could not write `{}`", target.display()))
}

/// Opens `path`, a file in one of timewarp's own directories, as `options` say, never through
/// a symbolic link (`O_NOFOLLOW`), and only when it is a regular file of `owner`'s with no other
/// name: a link or a file planted there (by another user sharing the target directory) is
/// refused before a byte of it is changed (`options` must not truncate; callers truncate after).
fn open_own(path: &Path, options: &mut std::fs::OpenOptions, owner: u32) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            anyhow::anyhow!(
                "refusing to write `{}`: it is a symbolic link, and timewarp never writes through links in its own directories",
                path.display()
            )
        } else {
            anyhow::anyhow!("could not open `{}`: {e}", path.display())
        }
    })?;
    let meta = file.metadata().with_context(|| format!("could not read `{}`", path.display()))?;
    check_own(path, &meta, owner)?;
    Ok(file)
}

/// Refuses `path` (whose metadata, not followed, is `meta`) unless it is a regular file of
/// `owner`'s with one name.
fn check_own(path: &Path, meta: &std::fs::Metadata, owner: u32) -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    if meta.file_type().is_symlink() {
        anyhow::bail!(
            "refusing to write `{}`: it is a symbolic link, and timewarp never writes through links in its own directories",
            path.display()
        );
    }
    if !meta.is_file() {
        anyhow::bail!("refusing to write `{}`: it is not a regular file, so timewarp did not make it", path.display());
    }
    if meta.uid() != owner {
        anyhow::bail!(
            "refusing to write `{}`: it belongs to another user (uid {}), so timewarp did not make it",
            path.display(),
            meta.uid()
        );
    }
    if meta.nlink() > 1 {
        anyhow::bail!(
            "refusing to write `{}`: it has another name (a hard link), so writing it would change another file",
            path.display()
        );
    }
    Ok(())
}

/// Writes `contents` to `path`, a file in one of timewarp's own directories (see
/// [`open_own`]: never through a link, never another user's file).
pub(crate) fn write_own(path: &Path, contents: impl AsRef<[u8]>, owner: u32) -> Result<()> {
    let mut file = open_own(path, std::fs::OpenOptions::new().write(true).create(true).truncate(false), owner)?;
    file.set_len(0)
        .and_then(|()| file.write_all(contents.as_ref()))
        .with_context(|| format!("could not write `{}`", path.display()))
}

/// Appends `contents` to `path` in one write, a file in one of timewarp's own directories (see
/// [`open_own`]), creating it when needed.
pub(crate) fn append_own(path: &Path, contents: impl AsRef<[u8]>, owner: u32) -> Result<()> {
    let mut file = open_own(path, std::fs::OpenOptions::new().append(true).create(true), owner)?;
    file.write_all(contents.as_ref()).with_context(|| format!("could not write `{}`", path.display()))
}

/// Opens (creating it when needed) `path`, a file in one of timewarp's own directories, for
/// reading and writing, without changing it (see [`open_own`]): a lock file.
pub(crate) fn open_own_rw(path: &Path, owner: u32) -> Result<std::fs::File> {
    open_own(path, std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false), owner)
}

/// [`write_atomic`] for a file in one of timewarp's own directories: what stands at `path` is
/// refused unless it is `owner`'s regular file (a link is never followed), and the new file is
/// renamed onto `path` itself, so a link put there meanwhile is replaced, never written through.
pub(crate) fn write_atomic_own(path: &Path, contents: impl AsRef<[u8]>, owner: u32) -> Result<()> {
    let existing = std::fs::symlink_metadata(path).ok();
    if let Some(meta) = &existing {
        check_own(path, meta, owner)?;
    }
    replace(path, contents.as_ref(), existing.as_ref(), None)
}

/// Sets the modification time of `path` (and its access time, when given), through std's
/// `File::set_times`.
pub(crate) fn set_times(path: &Path, accessed: Option<SystemTime>, modified: SystemTime) -> std::io::Result<()> {
    let file = std::fs::File::open(path).or_else(|_| std::fs::OpenOptions::new().write(true).open(path))?;
    let mut times = std::fs::FileTimes::new().set_modified(modified);
    if let Some(accessed) = accessed {
        times = times.set_accessed(accessed);
    }
    file.set_times(times)
}

/// The modification time of `path`.
pub(crate) fn modified(path: &Path) -> Result<SystemTime> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .with_context(|| format!("could not read the modification time of `{}`", path.display()))
}

/// Bytes used below `path` (0 when it does not exist); symbolic links count as themselves.
pub(crate) fn tree_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path).map_or(0, |entries| entries.flatten().map(|e| tree_size(&e.path())).sum())
}

/// `1.2 GiB`, `340 MiB`, `12 KiB`, `512 B`.
pub(crate) fn human_bytes(bytes: u64) -> String {
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
    fn a_tree_still_being_written_for_a_moment_is_removed() {
        // A stopped build's last rustc goes on writing for a moment after cargo exits.
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("scratch");
        std::fs::create_dir_all(tree.join("deps")).unwrap();
        let writer = {
            let deps = tree.join("deps");
            std::thread::spawn(move || {
                for i in 0..2000 {
                    if std::fs::write(deps.join(format!("f{i}")), "x").is_err() {
                        break;
                    }
                }
            })
        };
        remove_dir_all_if_exists(&tree).unwrap();
        writer.join().unwrap();
        assert!(!tree.exists(), "the writer cannot bring it back: its directory is gone");
    }

    #[test]
    fn errors_name_the_path() {
        let err = read_to_string(Path::new("/nonexistent/timewarp.txt")).unwrap_err();
        assert!(format!("{err:#}").starts_with("could not read `/nonexistent/timewarp.txt`: "), "{err:#}");
        let err = write_atomic(Path::new("/nonexistent/dir/out.json"), "x").unwrap_err();
        assert!(format!("{err:#}").starts_with("could not write `/nonexistent/dir/out.json`: "), "{err:#}");
    }

    #[test]
    fn atomic_writes_replace_whole_files_and_leave_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("report.json");
        write_atomic(&file, "first").unwrap();
        write_atomic(&file, "second").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
    }

    /// A report written to a new file was private (0600, a temporary file's mode): a user who
    /// shares it found it unreadable. A new output gets what `>` gives it, and a replaced one
    /// keeps its own mode.
    #[test]
    fn a_new_output_is_as_readable_as_a_redirection_makes_it() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let shell = dir.path().join("shell.txt");
        std::fs::write(&shell, "what `>` makes").unwrap();
        let ours = dir.path().join("report.svg");
        write_atomic(&ours, "<svg/>").unwrap();
        assert_eq!(mode(&ours), mode(&shell));
        std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&ours, "<svg></svg>").unwrap();
        assert_eq!(mode(&ours), 0o640, "a replaced file keeps its mode");
        let own = dir.path().join("state.json");
        write_atomic_own(&own, "{}", nix::unistd::geteuid().as_raw()).unwrap();
        assert_eq!(mode(&own), 0o600, "timewarp's own files stay private");
    }

    #[test]
    fn devices_and_links_are_written_through_never_replaced() {
        let err = write_atomic(Path::new("/dev/full"), "x").unwrap_err();
        assert!(format!("{err:#}").starts_with("could not write `/dev/full`: "), "{err:#}");
        assert!(!std::fs::metadata("/dev/full").unwrap().is_file(), "the device is still a device");
        write_atomic(Path::new("/dev/null"), "discarded").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    /// Hostile pass, defect 2: links and other users' files planted in timewarp's directories.
    #[test]
    fn writes_in_timewarps_directories_never_follow_links_or_touch_anothers_files() {
        let dir = tempfile::tempdir().unwrap();
        let me = crate::process::effective_uid();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("planted");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        for (what, err) in [
            ("write", write_own(&link, "x", me).unwrap_err()),
            ("append", append_own(&link, "x", me).unwrap_err()),
            ("lock", open_own_rw(&link, me).map(drop).unwrap_err()),
            ("atomic", write_atomic_own(&link, "x", me).unwrap_err()),
        ] {
            let text = format!("{err:#}");
            assert!(
                text.starts_with(&format!("refusing to write `{}`: it is a symbolic link", link.display())),
                "{what}: {text}"
            );
        }
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is left as it is");
        // A hard link to the victim.
        let hard = dir.path().join("hard");
        std::fs::hard_link(&victim, &hard).unwrap();
        assert!(format!("{:#}", write_own(&hard, "x", me).unwrap_err()).contains("another name"));
        assert!(format!("{:#}", write_atomic_own(&hard, "x", me).unwrap_err()).contains("another name"));
        // Another user's file, seen from a user who is not its owner.
        let theirs = dir.path().join("theirs");
        std::fs::write(&theirs, "theirs").unwrap();
        for err in [
            write_own(&theirs, "x", me + 1).unwrap_err(),
            append_own(&theirs, "x", me + 1).unwrap_err(),
            write_atomic_own(&theirs, "x", me + 1).unwrap_err(),
        ] {
            let text = format!("{err:#}");
            assert_eq!(
                text,
                format!(
                    "refusing to write `{}`: it belongs to another user (uid {me}), so timewarp did not make it",
                    theirs.display()
                )
            );
        }
        assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "theirs", "nothing truncated before the check");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        // Its own files are written as asked.
        let mine = dir.path().join("mine");
        write_own(&mine, "long first text", me).unwrap();
        write_own(&mine, "short", me).unwrap();
        append_own(&mine, "+1", me).unwrap();
        assert_eq!(std::fs::read_to_string(&mine).unwrap(), "short+1");
        write_atomic_own(&mine, "whole", me).unwrap();
        assert_eq!(std::fs::read_to_string(&mine).unwrap(), "whole");
    }

    #[test]
    fn a_replaced_file_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("private.json");
        std::fs::write(&file, "old").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&file, "new").unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
    }

    #[test]
    fn times_are_set_to_the_nanosecond() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let when = SystemTime::UNIX_EPOCH + std::time::Duration::new(1_600_000_000, 123_456_789);
        set_times(&file, Some(when), when).unwrap();
        assert_eq!(modified(&file).unwrap(), when);
        assert_eq!(std::fs::metadata(&file).unwrap().accessed().unwrap(), when);
    }

    #[test]
    fn removing_what_is_gone_is_fine() {
        let dir = tempfile::tempdir().unwrap();
        remove_dir_all_if_exists(&dir.path().join("nope")).unwrap();
        remove_file_if_exists(&dir.path().join("nope")).unwrap();
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(12 * 1024), "12 KiB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024), "3.0 GiB");
    }
}
