//! The one rule for where an output may land: `--output`, `--plot`, `--crates-csv` and the
//! GitHub job summary (`GITHUB_STEP_SUMMARY`) all go through [`Guard::check`], before any
//! build and again just before the write.
//!
//! Resolve before you judge: a path is judged as written (its directory made canonical) and,
//! when it exists, as the file it finally names (a symbolic link's target), against every rule.
//! An output never lands on a file the build reads (the manifest, lockfile, sources and build
//! scripts of every member and of every path package outside the workspace, `[patch]` paths
//! included; cargo configuration; rust-toolchain files), inside a version-control directory, a
//! build directory below the target directory, or timewarp's own directories; never on an
//! existing directory, nor into one that does not exist.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::discover::workspace::Workspace;
use crate::exit::ExitError;
use crate::measure::workdir::WorkDir;

/// What an output must stay clear of, gathered once for a workspace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Guard {
    /// The workspace root, canonical.
    root: PathBuf,
    /// Members: (name, directory, the directories of the targets the build compiles).
    members: Vec<(String, PathBuf, Vec<PathBuf>)>,
    /// Path packages outside the members.
    path_packages: Vec<PathBuf>,
    /// The workspace's target directory.
    target_dir: PathBuf,
    /// timewarp's build and state directories.
    own: Vec<PathBuf>,
}

/// `path` canonical, or as it is when it does not exist.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// `path` with its directory made absolute and canonical (the file itself may not exist yet).
pub(crate) fn resolved(path: &Path) -> PathBuf {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let parent = canonical(parent);
    path.file_name().map_or(parent.clone(), |name| parent.join(name))
}

impl Guard {
    /// The guard for outputs of a run on `workspace`, whose timewarp directories are `work`.
    pub(crate) fn new(workspace: &Workspace, work: &WorkDir) -> Guard {
        Guard {
            root: canonical(&workspace.root),
            members: workspace
                .members
                .iter()
                .map(|m| (m.name.clone(), canonical(&m.dir), m.built_dirs.iter().map(|d| canonical(d)).collect()))
                .collect(),
            path_packages: workspace.path_packages.iter().map(|d| canonical(d)).collect(),
            target_dir: canonical(&workspace.target_dir),
            own: work.dirs().iter().map(|d| canonical(d)).collect(),
        }
    }

    /// A guard outside any workspace (`merge`): outputs only need a directory, and must not be a
    /// directory themselves or land in a version-control directory.
    pub(crate) fn empty() -> Guard {
        Guard {
            root: PathBuf::from("/nonexistent/timewarp-no-workspace"),
            members: Vec::new(),
            path_packages: Vec::new(),
            target_dir: PathBuf::from("/nonexistent/timewarp-no-workspace/target"),
            own: Vec::new(),
        }
    }

    /// Fails with a one-line usage error when `what` (`--output`, `GITHUB_STEP_SUMMARY`, ...) may
    /// not write `path`; a missing directory is a plain error.
    pub(crate) fn check(&self, what: &str, path: &Path) -> Result<()> {
        let named = |path: &Path| {
            if what.starts_with("--") {
                format!("`{what} {}`", path.display())
            } else {
                format!("`{what}={}`", path.display())
            }
        };
        if path.as_os_str().is_empty() {
            return Err(ExitError::usage(format!("{} names no file", named(path))));
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(anyhow::anyhow!(
                "cannot write `{}`: the directory `{}` does not exist",
                path.display(),
                parent.display()
            ));
        }
        if path.is_dir() {
            return Err(ExitError::usage(format!("{} is a directory; name a file", named(path))));
        }
        let mut candidates = vec![resolved(path)];
        if let Ok(target) = path.canonicalize()
            && !candidates.contains(&target)
        {
            candidates.push(target);
        }
        for candidate in &candidates {
            let through = if *candidate == candidates[0] {
                String::new()
            } else {
                format!(" (the link leads to `{}`)", candidate.display())
            };
            if let Some(role) = self.build_file(candidate) {
                return Err(ExitError::usage(format!(
                    "{} would write over {role}{through}; timewarp never changes the files of the build",
                    named(path)
                )));
            }
            if let Some(place) = self.protected_place(candidate) {
                return Err(ExitError::usage(format!(
                    "{} would write inside {place}{through}; write reports next to the project instead",
                    named(path)
                )));
            }
        }
        Ok(())
    }

    /// What `path` is to the build, when it is one of the files the build reads.
    fn build_file(&self, path: &Path) -> Option<String> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let parent = path.parent().unwrap_or(Path::new("/"));
        if path == self.root.join("Cargo.lock") {
            return Some("the workspace's Cargo.lock".into());
        }
        if path == self.root.join("Cargo.toml") {
            return Some("the workspace's Cargo.toml".into());
        }
        let in_dot_cargo = parent.file_name().is_some_and(|d| d == ".cargo");
        if in_dot_cargo && (name == "config.toml" || name == "config") {
            return Some("a cargo configuration file".into());
        }
        if name == "rust-toolchain.toml" || name == "rust-toolchain" {
            return Some("a rust-toolchain file".into());
        }
        let is_source = |dir: &Path, built: &[PathBuf]| {
            let rust_file = path.extension().is_some_and(|e| e == "rs") && path.starts_with(dir);
            let in_target_dir = built.iter().any(|d| path.starts_with(d) && d != dir);
            rust_file || in_target_dir
        };
        for (member, dir, built) in &self.members {
            if path == dir.join("Cargo.toml") || path == dir.join("Cargo.lock") {
                return Some(format!("the manifest of `{member}`"));
            }
            if is_source(dir, built) {
                return Some(format!("a source file of `{member}`"));
            }
        }
        for dir in &self.path_packages {
            if path.starts_with(dir)
                && (name == "Cargo.toml" || name == "Cargo.lock" || is_source(dir, &[dir.join("src")]))
            {
                return Some(format!("a file of the path dependency in `{}`", dir.display()));
            }
        }
        None
    }

    /// Where `path` lies when that is no place for a report: a version-control directory, a
    /// build directory below the target directory (`target/debug`, ...), or timewarp's own
    /// directories.
    fn protected_place(&self, path: &Path) -> Option<String> {
        let vcs = [".git", ".hg", ".svn", ".jj"];
        if let Some(dir) =
            path.ancestors().skip(1).find(|a| a.file_name().and_then(|n| n.to_str()).is_some_and(|n| vcs.contains(&n)))
        {
            return Some(format!("the version-control directory `{}`", dir.display()));
        }
        if let Some(dir) = self.own.iter().find(|d| path.starts_with(d)) {
            return Some(format!("timewarp's directory `{}`", dir.display()));
        }
        if let Ok(inside) = path.strip_prefix(&self.target_dir)
            && inside.components().count() > 1
            && !self.root.starts_with(&self.target_dir)
        {
            let build_dir = self.target_dir.join(inside.components().next().expect("two components"));
            return Some(format!("the build directory `{}`", build_dir.display()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(root: &Path) -> Guard {
        let mut ws = crate::testing::workspace(root.to_str().unwrap());
        ws.path_packages = vec![root.parent().unwrap().join("extdep")];
        let work =
            WorkDir::new(root, &root.join("target"), &crate::testing::env_in(root), crate::process::effective_uid())
                .unwrap();
        Guard::new(&ws, &work)
    }

    #[test]
    fn outputs_never_land_on_what_the_build_reads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("ws");
        for d in ["src", ".git", ".cargo", "target/debug", "target/timewarp", "../extdep/src"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
        let guard = guard(&root);
        let refused = |path: PathBuf| {
            let e = guard.check("--output", &path).unwrap_err();
            assert_eq!(crate::exit::code_for(&e), crate::exit::USAGE, "{e}");
            e.to_string()
        };
        for (path, expected) in [
            (root.join("Cargo.toml"), "would write over the workspace's Cargo.toml"),
            (root.join("Cargo.lock"), "would write over the workspace's Cargo.lock"),
            (root.join("src/main.rs"), "would write over a source file of `app`"),
            (root.join("src/data.json"), "would write over a source file of `app`"),
            (root.join(".git/config"), "would write inside the version-control directory"),
            (root.join(".cargo/config.toml"), "would write over a cargo configuration file"),
            (root.join("target/debug/app"), "would write inside the build directory"),
            (root.join("target/timewarp/history.jsonl"), "would write inside timewarp's directory"),
            (root.join("../extdep/src/lib.rs"), "would write over a file of the path dependency in `"),
            (root.join("../extdep/Cargo.toml"), "would write over a file of the path dependency in `"),
            (root.join("src"), "is a directory; name a file"),
        ] {
            let message = refused(path.clone());
            assert!(message.contains(expected), "{}: {message}", path.display());
        }
        guard.check("--output", &root.join("report.json")).unwrap();
        guard.check("--output", &root.join("target/report.json")).unwrap();
        guard.check("--output", &root.join("../extdep/report.json")).unwrap();
        let missing = guard.check("--output", Path::new("/nonexistent/dir/r.json")).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "cannot write `/nonexistent/dir/r.json`: the directory `/nonexistent/dir` does not exist"
        );
    }

    #[test]
    fn a_link_is_judged_by_the_file_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("ws");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("target/timewarp")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\n").unwrap();
        std::fs::write(root.join("target/timewarp/history.jsonl"), "").unwrap();
        let guard = guard(&root);
        for (target, expected) in [
            ("Cargo.toml", "would write over the workspace's Cargo.toml (the link leads to `"),
            ("target/timewarp/history.jsonl", "would write inside timewarp's directory"),
        ] {
            let link = root.join("out.json");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(root.join(target), &link).unwrap();
            let message = guard.check("--output", Path::new(&link)).unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
        let summary = guard.check("GITHUB_STEP_SUMMARY", &root.join("Cargo.toml")).unwrap_err().to_string();
        assert!(summary.starts_with("`GITHUB_STEP_SUMMARY=") && summary.contains("Cargo.toml"), "{summary}");
    }
}
