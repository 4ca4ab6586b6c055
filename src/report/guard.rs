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
//!
//! Files the build reads beyond its sources (`include_str!("../assets/q.sql")`, a build
//! script's input) are known from cargo's dep-info: every `*.d` file in a `deps` directory of
//! the target directory or of timewarp's builds lists, for one crate, every file rustc read.
//! They are read at every check, so the check just before the write sees what this run's own
//! builds read; a tree never built has none, and then the rules above are all there is.
//!
//! Outside any workspace (`merge` run where `cargo metadata` finds none), the guard knows no
//! build, so it judges by name: never a `Cargo.toml`, a `Cargo.lock` or a `*.rs` file, nor
//! anything inside a directory named `target` or `timewarp` (a build's or timewarp's own).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::discover::workspace::Workspace;
use crate::exit::ExitError;
use crate::measure::workdir::WorkDir;

/// What the guard knows of the build an output must stay clear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A workspace that `cargo metadata` described: its files are known.
    Workspace,
    /// No workspace: files are judged by their names alone.
    Outside,
}

/// What an output must stay clear of, gathered once for a workspace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Guard {
    scope: Scope,
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
    /// timewarp's build directory, whose builds' dep-info counts too.
    builds: Option<PathBuf>,
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
            scope: Scope::Workspace,
            root: canonical(&workspace.root),
            members: workspace
                .members
                .iter()
                .map(|m| (m.name.clone(), canonical(&m.dir), m.built_dirs.iter().map(|d| canonical(d)).collect()))
                .collect(),
            path_packages: workspace.path_packages.iter().map(|d| canonical(d)).collect(),
            target_dir: canonical(&workspace.target_dir),
            own: work.dirs().iter().map(|d| canonical(d)).collect(),
            builds: Some(canonical(work.builds())),
        }
    }

    /// A guard outside any workspace (`merge` where no workspace is found): besides a directory
    /// and no version-control directory, outputs must not be named like a build's files
    /// (`Cargo.toml`, `Cargo.lock`, `*.rs`) nor lie inside a `target` or `timewarp` directory.
    pub(crate) fn outside_workspace() -> Guard {
        Guard {
            scope: Scope::Outside,
            root: PathBuf::from("/nonexistent/timewarp-no-workspace"),
            members: Vec::new(),
            path_packages: Vec::new(),
            target_dir: PathBuf::from("/nonexistent/timewarp-no-workspace/target"),
            own: Vec::new(),
            builds: None,
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
        let mut dep_info = None;
        for candidate in &candidates {
            let through = if *candidate == candidates[0] {
                String::new()
            } else {
                format!(" (the link leads to `{}`)", candidate.display())
            };
            let role = self.build_file(candidate).or_else(|| {
                dep_info
                    .get_or_insert_with(|| self.read_by_build())
                    .get(candidate)
                    .map(|listed| format!("a file the build reads (cargo's dep-info `{}` lists it)", listed.display()))
            });
            if let Some(role) = role {
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

    /// Every file cargo's dep-info lists under the target directory and timewarp's builds,
    /// canonical, with the dep-info file that lists it. Relative paths in dep-info are relative
    /// to the workspace root, where cargo runs rustc.
    fn read_by_build(&self) -> BTreeMap<PathBuf, PathBuf> {
        let mut read = BTreeMap::new();
        if self.scope == Scope::Outside {
            return read;
        }
        let mut deps_dirs = Vec::new();
        for dir in
            std::iter::once(&self.target_dir).chain(self.builds.iter().filter(|b| !b.starts_with(&self.target_dir)))
        {
            find_deps_dirs(dir, 0, &mut deps_dirs);
        }
        for deps in deps_dirs {
            let Ok(entries) = std::fs::read_dir(&deps) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_none_or(|e| e != "d") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                for listed in dep_info_files(&text) {
                    let listed = canonical(&self.root.join(listed));
                    read.entry(listed).or_insert_with(|| path.clone());
                }
            }
        }
        read
    }

    /// What `path` is to the build, when it is one of the files the build reads.
    fn build_file(&self, path: &Path) -> Option<String> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let parent = path.parent().unwrap_or(Path::new("/"));
        if self.scope == Scope::Outside {
            return match name {
                "Cargo.toml" | "Cargo.lock" => {
                    Some(format!("a cargo {}", if name == "Cargo.toml" { "manifest" } else { "lockfile" }))
                }
                _ if path.extension().is_some_and(|e| e == "rs") => Some("a Rust source file".into()),
                _ => None,
            };
        }
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
        if self.scope == Scope::Outside {
            let build = ["target", "timewarp"];
            let named = |a: &&Path| a.file_name().and_then(|n| n.to_str()).is_some_and(|n| build.contains(&n));
            return path
                .ancestors()
                .skip(1)
                .find(named)
                .map(|dir| format!("`{}`, whose name says it holds a build or timewarp's files", dir.display()));
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

/// The `deps` directories at most six levels below `dir` (`debug/deps`,
/// `<target>/release/deps`, timewarp's `<toolchain>/rebuilds/debug/deps`), never looking inside
/// what holds no dep-info (incremental caches, build script output, vendored sources).
fn find_deps_dirs(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    const SKIP: [&str; 8] =
        ["incremental", "build", ".fingerprint", "vendor", "cargo-home", "crates", "linker", "examples"];
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let name = entry.file_name();
        if name == "deps" {
            found.push(entry.path());
        } else if depth < 5 && !SKIP.iter().any(|s| name == *s) {
            find_deps_dirs(&entry.path(), depth + 1, found);
        }
    }
}

/// The files a dep-info file (Makefile syntax, as rustc writes it) lists: the words after each
/// rule's colon, `\ ` being a space in a name; comments (`# env-dep:...`) left out.
fn dep_info_files(text: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        // The rule's target ends at the first colon followed by a space or the line's end.
        let Some(at) = line.find(": ").or_else(|| line.strip_suffix(':').map(str::len)) else { continue };
        let mut word = String::new();
        let mut chars = line[at + 1..].chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => word.push(chars.next().expect("peeked")),
                ' ' => {
                    if !word.is_empty() {
                        files.push(PathBuf::from(std::mem::take(&mut word)));
                    }
                }
                _ => word.push(c),
            }
        }
        if !word.is_empty() {
            files.push(PathBuf::from(word));
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(root: &Path) -> Guard {
        let mut ws = crate::testing::workspace(root.to_str().unwrap());
        ws.path_packages = vec![root.parent().unwrap().join("extdep")];
        let work = crate::testing::work_dir_in(root);
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

    /// hostile #17: `-o assets/q.sql` replaced a file the build `include_str!`s.
    #[test]
    fn a_file_the_dep_info_lists_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("ws");
        for d in ["src", "assets", "my dir", "target/debug/deps", "target/timewarp/1.96.0/rebuilds/debug/deps"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in ["assets/q.sql", "assets/other.sql", "my dir/x.txt", "assets/new.txt"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let guard = guard(&root);
        guard.check("--output", &root.join("assets/q.sql")).unwrap();
        let d = root.join("target/debug/deps/app-0123.d");
        std::fs::write(
            &d,
            format!("{}: src/main.rs assets/q.sql\n\nsrc/main.rs:\nassets/q.sql:\n\n# env-dep:X=1\n", d.display()),
        )
        .unwrap();
        // timewarp's own builds count too: their dep-info appears during the run.
        let own = root.join("target/timewarp/1.96.0/rebuilds/debug/deps/app-4567.d");
        std::fs::write(&own, format!("{}: {}/my\\ dir/x.txt\n", own.display(), root.display())).unwrap();
        for (path, listed) in [("assets/q.sql", &d), ("my dir/x.txt", &own)] {
            let e = guard.check("--output", &root.join(path)).unwrap_err();
            assert_eq!(crate::exit::code_for(&e), crate::exit::USAGE, "{e}");
            let expected =
                format!("would write over a file the build reads (cargo's dep-info `{}` lists it)", listed.display());
            assert!(e.to_string().contains(&expected), "{path}: {e}");
        }
        guard.check("--output", &root.join("assets/other.sql")).unwrap();
        guard.check("--output", &root.join("assets/new.txt")).unwrap();
        assert_eq!(dep_info_files("a.d: b\\ c d\n"), [PathBuf::from("b c"), PathBuf::from("d")]);
    }

    #[test]
    fn outside_a_workspace_build_files_are_known_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for d in ["src", "target/debug", "cache/timewarp"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("src/main.rs"), "fn main() {}\n").unwrap();
        let guard = Guard::outside_workspace();
        for (path, expected) in [
            ("Cargo.toml", "would write over a cargo manifest"),
            ("Cargo.lock", "would write over a cargo lockfile"),
            ("src/main.rs", "would write over a Rust source file"),
            ("target/debug/r.json", "target`, whose name says it holds a build or timewarp's files"),
            ("cache/timewarp/r.json", "timewarp`, whose name says it holds a build or timewarp's files"),
        ] {
            let e = guard.check("--output", &root.join(path)).unwrap_err();
            assert_eq!(crate::exit::code_for(&e), crate::exit::USAGE, "{e}");
            assert!(e.to_string().contains(expected), "{path}: {e}");
        }
        std::os::unix::fs::symlink(root.join("src/main.rs"), root.join("out.json")).unwrap();
        let through = guard.check("--output", &root.join("out.json")).unwrap_err().to_string();
        assert!(through.contains("a Rust source file (the link leads to `"), "{through}");
        guard.check("--output", &root.join("merged.json")).unwrap();
        guard.check("--output", &root.join("src/merged.md")).unwrap();
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
