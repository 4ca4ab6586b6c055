//! A cheap fingerprint of the user's workspace (size and modification time of every file), so
//! timewarp can tell the user when the *builds* changed their tree, such as a build script
//! writing generated code into `src/`. timewarp undoes its own changes (see `restore`); it does
//! not undo a build script's, but it must not hide them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Size and mtime of every file below a root, except the excluded directories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TreeState {
    files: BTreeMap<PathBuf, (u64, Option<SystemTime>)>,
}

/// Directories never fingerprinted: version control and build output.
const ALWAYS_EXCLUDED: [&str; 3] = [".git", ".hg", "target"];

impl TreeState {
    /// Fingerprints `root`, skipping `exclude` (absolute paths) and [`ALWAYS_EXCLUDED`] names.
    pub(crate) fn capture(root: &Path, exclude: &[PathBuf]) -> TreeState {
        let mut files = BTreeMap::new();
        walk(root, root, exclude, &mut files);
        TreeState { files }
    }

    /// Files added, removed or changed since `earlier`, relative to the root, sorted.
    pub(crate) fn changed_since(&self, earlier: &TreeState) -> Vec<PathBuf> {
        let mut changed: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|(path, state)| earlier.files.get(*path) != Some(state))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(earlier.files.keys().filter(|p| !self.files.contains_key(*p)).cloned());
        changed.sort();
        changed
    }
}

fn walk(root: &Path, dir: &Path, exclude: &[PathBuf], files: &mut BTreeMap<PathBuf, (u64, Option<SystemTime>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            let name = entry.file_name();
            if !ALWAYS_EXCLUDED.iter().any(|x| name == *x) && !exclude.contains(&path) {
                walk(root, &path, exclude, files);
            }
        } else if let Ok(meta) = entry.metadata() {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            files.insert(relative, (meta.len(), meta.modified().ok()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_added_changed_and_removed_files_but_not_excluded_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in ["src/main.rs", "src/old.rs", "target/debug/x", "out/build.log", "README.md"] {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), "x").unwrap();
        }
        let exclude = [root.join("out")];
        let before = TreeState::capture(root, &exclude);
        assert!(before.changed_since(&before).is_empty());
        std::fs::write(root.join("src/generated.rs"), "// generated").unwrap();
        std::fs::remove_file(root.join("src/old.rs")).unwrap();
        std::fs::write(root.join("README.md"), "longer").unwrap();
        std::fs::write(root.join("target/debug/y"), "build output").unwrap();
        std::fs::write(root.join("out/build.log"), "excluded").unwrap();
        let after = TreeState::capture(root, &exclude);
        let changed: Vec<String> = after.changed_since(&before).iter().map(|p| p.display().to_string()).collect();
        assert_eq!(changed, ["README.md", "src/generated.rs", "src/old.rs"]);
    }
}
