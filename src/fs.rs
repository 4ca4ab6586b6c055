//! File operations whose errors carry the path, in one voice (cargo-hack's `fs.rs`): "could not
//! read `PATH`: No such file or directory". Every module reads and writes files through these,
//! so no error about a file ever leaves out which file.

use std::io::Write as _;
use std::path::Path;

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

/// Removes a directory tree; one that is already gone is fine.
pub(crate) fn remove_dir_all_if_exists(path: &Path) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("could not remove `{}`", path.display()))
        }
        _ => Ok(()),
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

/// Writes `contents` to a temporary file beside `path`, flushes it to disk and renames it into
/// place, so a reader (or a crash) sees the old file or the new one, never half of either. A
/// symbolic link is written through (the file it points to is replaced, not the link), and
/// what is not a regular file (`/dev/stdout`, a FIFO, a device) is written directly: renaming
/// over it would replace the device itself.
pub(crate) fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if std::fs::metadata(&target).is_ok_and(|m| !m.is_file()) {
        return write(path, contents);
    }
    let path = target.as_path();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.timewarp-{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents.as_ref())?;
        file.sync_all()
    })();
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(e).with_context(|| format!("could not write `{}`", path.display()));
    }
    Ok(())
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
