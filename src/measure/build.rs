//! The cargo command every timed build runs, the same for every toolchain, and what a failed
//! one means.
//!
//! `cargo +NAME build --offline --locked` with `RUSTC` pointing at that toolchain's own rustc
//! (cargo before 1.71 would otherwise go through rustup's proxy for every rustc it spawns),
//! wrappers disabled, inherited tool and directory choices removed, and a target directory of
//! the toolchain's own. This module builds the command; it does not run it.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::discover::toolchain::{Toolchain, rustup_proxy};
use crate::process::{CommandSpec, Output, Runner, first_error_line};

/// Variables that would make a timing measure something else; removed from every build.
/// `RUSTC_WRAPPER` (sccache would fake a clean build), an inherited toolchain choice, another
/// rustc or target directory, and their `CARGO_BUILD_*` config equivalents.
const DISTORTING_ENV: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTUP_TOOLCHAIN",
    "RUSTC",
    "RUSTDOC",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTDOC",
];

/// The names in [`DISTORTING_ENV`] that are set in `env`, so the user can be told what was removed.
pub(crate) fn distorting_vars_present<I, K, V>(env: I) -> Vec<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<std::ffi::OsStr>,
{
    let mut present: Vec<String> = env
        .into_iter()
        .filter_map(|(k, _)| k.as_ref().to_str().map(str::to_string))
        .filter(|k| DISTORTING_ENV.contains(&k.as_str()))
        .collect();
    present.sort();
    present
}

/// The cargo command timed: `build`, or `check` (the feedback loop most people live in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CargoCommand {
    /// `cargo build`.
    Build,
    /// `cargo check`.
    Check,
}

impl CargoCommand {
    /// The subcommand's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CargoCommand::Build => "build",
            CargoCommand::Check => "check",
        }
    }
}

/// The cargo profile timed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Profile {
    /// The default `dev` profile.
    Dev,
    /// `--release`.
    Release,
    /// `--profile NAME` (cargo 1.57 or newer).
    Named(String),
}

impl Profile {
    /// The profile's name, as reports show it.
    pub(crate) fn name(&self) -> &str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
            Profile::Named(name) => name,
        }
    }

    fn args(&self) -> Vec<String> {
        match self {
            Profile::Dev => Vec::new(),
            Profile::Release => vec!["--release".into()],
            Profile::Named(name) => vec!["--profile".into(), name.clone()],
        }
    }
}

/// What every timed build of every toolchain shares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BuildSettings {
    /// Workspace root; builds run there.
    pub root: PathBuf,
    /// The root manifest.
    pub manifest_path: PathBuf,
    /// `-p` names to pass, empty for the workspace's default members.
    pub packages: Vec<String>,
    /// `build` or `check`.
    pub command: CargoCommand,
    /// The profile.
    pub profile: Profile,
    /// `--config` arguments every build gets (source replacement for vendored dependencies).
    pub cargo_config: Vec<String>,
    /// A build running longer than this is killed and its toolchain becomes a failed row.
    pub timeout: Option<std::time::Duration>,
    /// The Cargo.lock format version, to explain why an old cargo cannot read it.
    pub lockfile_version: Option<i64>,
}

impl BuildSettings {
    /// The build every sample of `toolchain` runs, into `target_dir`, compiling with `rustc`.
    pub(crate) fn command(&self, toolchain: &Toolchain, rustc: &Path, target_dir: &Path) -> CommandSpec {
        let mut cmd = CommandSpec::new(rustup_proxy("cargo"))
            .arg(format!("+{}", toolchain.name))
            .arg(self.command.name())
            .args(["--offline", "--locked", "--color", "never"])
            .args(self.profile.args())
            .arg("--manifest-path")
            .arg(&self.manifest_path)
            .arg("--target-dir")
            .arg(target_dir)
            .cwd(&self.root);
        for package in &self.packages {
            cmd = cmd.args(["-p", package]);
        }
        for config in &self.cargo_config {
            cmd = cmd.args(["--config", config]);
        }
        for key in DISTORTING_ENV {
            cmd = cmd.env_remove(*key);
        }
        if toolchain.needs_forced_incremental() {
            cmd = cmd.env("RUSTC_FORCE_INCREMENTAL", "1");
        }
        // Empty wrappers also override a `build.rustc-wrapper` in the user's cargo config.
        cmd.env("RUSTC", rustc).env("RUSTC_WRAPPER", "").env("RUSTC_WORKSPACE_WRAPPER", "").timeout(self.timeout)
    }

    /// Why `build` of `toolchain` failed, in one line, with what would fix it when timewarp
    /// knows.
    pub(crate) fn explain_failure(&self, build: &CommandSpec, out: &Output, toolchain: &Toolchain) -> String {
        if out.timed_out {
            let limit = build.timeout.map_or(0, |t| t.as_secs());
            return format!("timed out after {limit} s (--timeout); the build was killed");
        }
        let line = first_error_line(&out.stderr).unwrap_or_else(|| format!("`{build}` failed ({})", out.status_text()));
        let v = &toolchain.version;
        if self.lockfile_version == Some(4) && (v.major, v.minor) < (1, 78) {
            return format!(
                "cargo {v} cannot read Cargo.lock version 4, which needs cargo 1.78 ({line}); time an older commit with `--rev`, and add `--lockfile-compat` to rewrite the private copy's lockfile as version 3"
            );
        }
        line
    }
}

/// The toolchain's own rustc binary, from `rustup which`.
pub(crate) fn own_rustc(runner: &dyn Runner, name: &str) -> Result<PathBuf> {
    let which = CommandSpec::new(rustup_proxy("rustup")).args(["which", "--toolchain", name, "rustc"]);
    let out = runner.run(&which)?.ok_or_error(&which)?;
    let path = PathBuf::from(out.stdout.trim());
    if path.as_os_str().is_empty() {
        bail!("`{which}` printed no path");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{output, toolchain};

    pub(crate) fn settings() -> BuildSettings {
        BuildSettings {
            root: "/w".into(),
            manifest_path: "/w/Cargo.toml".into(),
            packages: vec!["app".into()],
            command: CargoCommand::Build,
            profile: Profile::Dev,
            cargo_config: vec![],
            timeout: None,
            lockfile_version: None,
        }
    }

    #[test]
    fn hermetic_environment_and_own_target_dir() {
        let mut s = settings();
        s.cargo_config = vec!["/w/target/timewarp/vendor-config.toml".into()];
        let cmd = s.command(&toolchain("1.63.0"), Path::new("/tc/bin/rustc"), Path::new("/w/target/timewarp/1.63.0"));
        assert_eq!(
            cmd.to_string(),
            "cargo +1.63.0 build --offline --locked --color never --manifest-path /w/Cargo.toml --target-dir /w/target/timewarp/1.63.0 -p app --config /w/target/timewarp/vendor-config.toml"
        );
        assert_eq!(cmd.env_value("RUSTC").unwrap(), "/tc/bin/rustc");
        assert_eq!(cmd.env_value("RUSTC_WRAPPER").unwrap(), "");
        for key in ["CARGO_TARGET_DIR", "RUSTUP_TOOLCHAIN", "CARGO_BUILD_RUSTC_WRAPPER"] {
            assert!(cmd.env_remove.contains(&key.to_string()), "{key}");
        }
        assert_eq!(cmd.cwd.as_deref(), Some(Path::new("/w")));
    }

    #[test]
    fn check_release_and_forced_incremental_reach_the_command() {
        let mut s = settings();
        s.command = CargoCommand::Check;
        s.profile = Profile::Named("bench-fast".into());
        let mut old = toolchain("1.59.0");
        let cmd = s.command(&old, Path::new("/r"), Path::new("/t"));
        assert!(
            cmd.to_string().starts_with("cargo +1.59.0 check --offline --locked --color never --profile bench-fast")
        );
        assert_eq!(cmd.env_value("RUSTC_FORCE_INCREMENTAL").unwrap(), "1");
        old.version = semver::Version::new(1, 60, 0);
        s.profile = Profile::Release;
        let cmd = s.command(&old, Path::new("/r"), Path::new("/t"));
        assert!(cmd.has_arg("--release"));
        assert!(cmd.env_value("RUSTC_FORCE_INCREMENTAL").is_none());
    }

    #[test]
    fn failures_say_what_would_fix_them() {
        let mut s = settings();
        let cmd = CommandSpec::new("cargo").timeout(Some(std::time::Duration::from_secs(60)));
        let mut hung = output(None, "", "", 60.0);
        hung.timed_out = true;
        assert_eq!(
            s.explain_failure(&cmd, &hung, &toolchain("1.85.0")),
            "timed out after 60 s (--timeout); the build was killed"
        );
        s.lockfile_version = Some(4);
        let stderr =
            "error: failed to parse lock file at: /w/Cargo.lock\n\nCaused by:\n  invalid serialized PackageId\n";
        let line = s.explain_failure(&cmd, &output(Some(101), "", stderr, 1.0), &toolchain("1.63.0"));
        assert!(line.starts_with("cargo 1.63.0 cannot read Cargo.lock version 4, which needs cargo 1.78 (error: failed to parse lock file at: /w/Cargo.lock: invalid serialized PackageId)"), "{line}");
        assert!(
            line.ends_with("add `--lockfile-compat` to rewrite the private copy's lockfile as version 3"),
            "{line}"
        );
        let newer = s.explain_failure(&cmd, &output(Some(101), "", "error: boom\n", 1.0), &toolchain("1.85.0"));
        assert_eq!(newer, "error: boom");
    }

    #[test]
    fn reports_which_distorting_variables_are_present() {
        let env = [("PATH", "/bin"), ("RUSTC_WRAPPER", "sccache"), ("CARGO_TARGET_DIR", "/tmp/t")];
        assert_eq!(distorting_vars_present(env), ["CARGO_TARGET_DIR", "RUSTC_WRAPPER"]);
    }
}
