//! The proof a timed build measured what it claims: a rebuild shows cargo compiling what its
//! change should rebuild (the touched file's package; for `deep`, the library and a dependent),
//! and its wall time holds no stop of timewarp itself.

use std::path::Path;
use std::time::Duration;

use crate::discover::workspace::{DeepLibrary, Workspace};
use crate::process::Output;

/// built members depend on; each rebuild must show the library and a dependent compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeepEdit {
    /// The library's package.
    pub package: String,
    /// Its root file, as sentences name it (relative to the workspace root).
    pub file: String,
    /// The built packages that depend on it.
    pub dependents: Vec<String>,
}

impl DeepEdit {
    /// The edit of `library` in `workspace`.
    pub(crate) fn new(workspace: &Workspace, library: &DeepLibrary) -> DeepEdit {
        let file = library.file.strip_prefix(&workspace.root).unwrap_or(&library.file).display().to_string();
        DeepEdit { package: library.package.clone(), file, dependents: library.dependents.clone() }
    }

    /// Whether cargo's output shows the library and at least one dependent compiling.
    pub(super) fn compiled(&self, stderr: &str) -> bool {
        let names: Vec<&str> = compiled_packages(stderr).collect();
        names.contains(&self.package.as_str()) && self.dependents.iter().any(|d| names.contains(&d.as_str()))
    }

    pub(super) fn failure(&self) -> String {
        format!(
            "a new public item in {} did not rebuild both `{}` and a package that depends on it",
            self.file, self.package
        )
    }
}

/// The packages cargo's output shows compiling or checking, one per `Compiling NAME vX` line.
pub(super) fn compiled_packages(stderr: &str) -> impl Iterator<Item = &str> {
    stderr.lines().map(str::trim_start).filter_map(|line| {
        let rest = line.strip_prefix("Compiling ").or_else(|| line.strip_prefix("Checking "))?;
        rest.split(' ').next()
    })
}

/// The proof a rebuild did what it claims: cargo compiled the package that owns the file
/// changed before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verification {
    /// The package that owns the touched file; `None` when no member does (then any crate
    /// compiled will do).
    pub package: Option<String>,
    /// The touched file, as the failure sentence names it.
    pub file: String,
}

impl Verification {
    /// What rebuilds after changing `touched` must show in `workspace`; with a note when the
    /// file is in no directory of a target the build compiles (`tests/t.rs`): its rebuilds will
    /// fail, saying so.
    pub(crate) fn new(workspace: &Workspace, touched: &Path) -> (Verification, Option<String>) {
        let file = touched.strip_prefix(&workspace.root).unwrap_or(touched).display().to_string();
        let member = workspace.member_of(touched);
        let note = member.filter(|m| !m.built_dirs.iter().any(|d| touched.starts_with(d))).map(|m| {
            format!(
                "`{file}` is in no directory of a target a build of `{}` compiles (its library, binaries or build script); cargo may rebuild nothing when it changes",
                m.name
            )
        });
        (Verification { package: member.map(|m| m.name.clone()), file }, note)
    }

    /// Whether cargo's output shows it compiling (or checking) the package.
    pub(super) fn compiled(&self, stderr: &str) -> bool {
        let mut names = compiled_packages(stderr).peekable();
        match &self.package {
            Some(package) => names.any(|name| name == package),
            None => names.peek().is_some(),
        }
    }

    pub(super) fn failure(&self) -> String {
        format!("touching {} rebuilt nothing: no target of the build compiles it", self.file)
    }
}

/// A timewarp held up this long while a timed build ran (stopped by Ctrl-Z or SIGSTOP, or the
/// machine seized) has its sample set aside, when the stop is also at least [`PAUSE_SHARE`] of
/// the build's wall time: builds run in process groups of their own and go on while timewarp is
/// stopped, so the wall time, read when timewarp runs again, holds up to the whole stop.
pub(super) const PAUSE_FLOOR: Duration = Duration::from_millis(100);
/// See [`PAUSE_FLOOR`]: a stop of 1 % of a 100 s clean build does not cost that build again.
pub(super) const PAUSE_SHARE: f64 = 0.01;
/// Whether `out`'s wall time holds a stop of timewarp that matters (see [`PAUSE_FLOOR`]).
pub(super) fn held_up(out: &Output) -> bool {
    out.paused >= PAUSE_FLOOR && out.paused.as_secs_f64() >= PAUSE_SHARE * out.elapsed.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_reads_cargos_compiling_and_checking_lines() {
        let v = Verification { package: Some("app".into()), file: "src/main.rs".into() };
        assert!(v.compiled("   Compiling app v0.1.0 (/w)\n    Finished"));
        assert!(v.compiled("    Checking app v0.1.0 (/w)\n"));
        assert!(!v.compiled("   Compiling application v0.1.0 (/w)\n"), "another package");
        assert!(!v.compiled("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 0.02s\n"));
        let any = Verification { package: None, file: "build-helpers/x.rs".into() };
        assert!(any.compiled("   Compiling whatever v2.0.0\n"));
    }
}
