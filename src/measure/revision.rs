//! `--rev REV`: time a committed revision instead of the working tree. A project's newest code
//! rarely builds on compilers from years ago, while its own old commits did.
//!
//! The revision is exported with `git archive` (unlike a worktree, that writes nothing into the
//! user's `.git`) into timewarp's per-workspace state directory, outside the workspace: cargo
//! looks for a workspace root and for `.cargo/config.toml` in every parent directory, and today's
//! root manifest or config must not apply to an old revision. `--lockfile-compat` may then
//! rewrite that private copy's `Cargo.lock` for old cargos. This module runs git and tar through
//! the [`Runner`]; it does not know what happens to the copy afterwards.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::workdir::WorkDir;
use crate::exit::ExitError;
use crate::fs;
use crate::process::{CommandSpec, Runner};

/// A private copy of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checkout {
    /// The full commit hash.
    pub(crate) commit: String,
    /// The revision as the user gave it (`v1.5.0`, `HEAD~3`), for commands a report suggests.
    pub(crate) given: String,
    /// Where the copy lives.
    pub(crate) dir: PathBuf,
    /// The copy's counterpart of the user's manifest.
    pub(crate) manifest_path: PathBuf,
    /// Whether `--lockfile-compat` rewrote the copy's Cargo.lock.
    pub(crate) lockfile_rewritten: bool,
}

/// Exports `rev` (given with `flag`, `--rev` or `--baseline-rev`, which errors name) of the git
/// repository containing `manifest_path` into `work`'s revisions,
/// reusing an earlier complete export of the same commit made the same way; with
/// `lockfile_compat`, the copy's Cargo.lock is made readable by old cargos (see
/// [`make_lockfile_compatible`]).
pub(crate) fn export(
    runner: &dyn Runner,
    manifest_path: &Path,
    flag: &str,
    rev: &str,
    work: &WorkDir,
    lockfile_compat: bool,
) -> Result<Checkout> {
    let workspace_dir = manifest_path.parent().unwrap_or(Path::new("."));
    let git = |args: &[&str]| CommandSpec::new("git").args(args).cwd(workspace_dir);
    let top = runner
        .run(&git(&["rev-parse", "--show-toplevel"]))?
        .ok_or_error(&git(&["rev-parse", "--show-toplevel"]))
        .map_err(|_| {
            ExitError::usage(format!(
                "`{flag}` needs a git repository, and `{}` is not in one",
                workspace_dir.display()
            ))
        })?;
    let top = PathBuf::from(top.stdout.trim());
    let verify = git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")]);
    let out = runner.run(&verify)?;
    if !out.success() {
        let shallow = runner
            .run(&git(&["rev-parse", "--is-shallow-repository"]))
            .is_ok_and(|o| o.success() && o.stdout.trim() == "true");
        let hint = if shallow {
            "; the clone is shallow, so older commits are missing: fetch them with `git fetch --unshallow` (or `--deepen N`)"
        } else {
            ""
        };
        return Err(ExitError::usage(format!(
            "`{rev}` is not a commit in the git repository at `{}`{hint}",
            top.display()
        )));
    }
    let commit = out.stdout.trim().to_string();
    let manifest = std::fs::canonicalize(manifest_path).unwrap_or_else(|_| manifest_path.to_path_buf());
    let top_canonical = std::fs::canonicalize(&top).unwrap_or(top.clone());
    let relative = manifest.strip_prefix(&top_canonical).unwrap_or(Path::new("Cargo.toml")).to_path_buf();

    let dir = work.revision_dir(&commit);
    let complete = work.revision_stamp(&dir);
    let mode = format!("{commit}\nlockfile-compat: {lockfile_compat}\n");
    let mut lockfile_rewritten = false;
    if std::fs::read_to_string(&complete).ok().as_deref() != Some(mode.as_str()) {
        work.create_revisions()?;
        work.remove_revision(&dir)?;
        fs::create_dir_all(&dir)?;
        let archive = work.revision_archive(&dir);
        let archive_arg = format!("--output={}", archive.display());
        let pack = CommandSpec::new("git").args(["archive", "--format=tar", &archive_arg, &commit]).cwd(&top);
        runner.run(&pack)?.ok_or_error(&pack)?;
        let unpack = CommandSpec::new("tar").arg("-xf").arg(&archive).arg("-C").arg(&dir);
        runner.run(&unpack)?.ok_or_error(&unpack)?;
        work.remove_revision_archive(&dir)?;
        if lockfile_compat {
            lockfile_rewritten = make_lockfile_compatible(&dir.join(&relative).with_file_name("Cargo.lock"))?;
        }
        work.write(&complete, &mode)?;
    } else if lockfile_compat {
        lockfile_rewritten = std::fs::read_to_string(dir.join(&relative).with_file_name("Cargo.lock"))
            .is_ok_and(|lock| lock.lines().any(|l| l.trim() == "version = 3"));
    }
    let manifest_path = dir.join(relative);
    if !manifest_path.is_file() {
        return Err(ExitError::usage(format!(
            "revision `{rev}` has no `{}`; the workspace did not exist there yet",
            manifest_path.strip_prefix(&dir).unwrap_or(&manifest_path).display()
        )));
    }
    Ok(Checkout { commit, given: rev.to_string(), dir, manifest_path, lockfile_rewritten })
}

/// `--lockfile-compat`: rewrites a version 4 `Cargo.lock` in a private copy as version 3, which
/// cargo reads from 1.47 on (version 4 needs 1.78). The two formats differ only in how git
/// sources with special characters are encoded, so the locked versions stay the same. Returns
/// whether it rewrote anything.
pub(crate) fn make_lockfile_compatible(lockfile: &Path) -> Result<bool> {
    let Ok(text) = std::fs::read_to_string(lockfile) else { return Ok(false) };
    let mut rewritten = false;
    let lines: Vec<&str> = text
        .lines()
        .map(|line| {
            if !rewritten && line.trim() == "version = 4" {
                rewritten = true;
                "version = 3"
            } else {
                line
            }
        })
        .collect();
    if rewritten {
        let mut out = lines.join("\n");
        out.push('\n');
        fs::write(lockfile, out)?;
    }
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeRunner;

    #[test]
    fn rewrites_only_the_format_version() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("Cargo.lock");
        let body = "[[package]]\nname = \"itoa\"\nversion = \"1.0.9\"\n";
        std::fs::write(&lock, format!("# generated\nversion = 4\n\n{body}")).unwrap();
        assert!(make_lockfile_compatible(&lock).unwrap());
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), format!("# generated\nversion = 3\n\n{body}"));
        assert!(!make_lockfile_compatible(&lock).unwrap(), "version 3 is left alone");
        assert!(!make_lockfile_compatible(&dir.path().join("missing.lock")).unwrap());
    }

    #[test]
    fn an_unknown_revision_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("Cargo.toml");
        let runner = FakeRunner::new()
            .ok("git rev-parse --show-toplevel", &format!("{}\n", dir.path().display()))
            .fail("git rev-parse --verify", 1, "");
        let work = crate::testing::work_dir_in(dir.path());
        let err = export(&runner, &manifest, "--rev", "nope", &work, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("`nope` is not a commit in the git repository at `{}`", dir.path().display())
        );
        assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
    }

    #[test]
    fn outside_git_is_a_usage_error() {
        let runner = FakeRunner::new().fail("git rev-parse --show-toplevel", 128, "fatal: not a git repository");
        let work = crate::testing::work_dir_in(Path::new("/w"));
        // Case 56: the flag the user gave, not always `--rev`.
        for flag in ["--rev", "--baseline-rev"] {
            let err = export(&runner, Path::new("/w/Cargo.toml"), flag, "HEAD", &work, false).unwrap_err();
            assert_eq!(err.to_string(), format!("`{flag}` needs a git repository, and `/w` is not in one"));
        }
    }
}
