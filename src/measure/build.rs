//! The cargo command every timed build runs, the same for every toolchain, and what a failed
//! one means.
//!
//! The toolchain's own `cargo` binary runs `build --offline --locked`, with the environment
//! rustup's proxy would give it (the toolchain's `bin` first on `PATH`, its `lib` on the library
//! path, `RUSTUP_TOOLCHAIN`, `RUSTUP_HOME`), so no proxy runs inside the timed interval, and
//! `RUSTC` pointing at the toolchain's own rustc (cargo before 1.71 would otherwise go through
//! rustup's proxy for every rustc it spawns). `CARGO_HOME` is timewarp's private one, whose
//! `config.toml` holds the vendored-sources replacement: a mechanism every cargo reads, where
//! `--config` needs 1.63. Wrappers are disabled, inherited tool and directory choices removed,
//! and every toolchain gets a target directory of its own. This module builds the command; it
//! does not run it.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::arm::Overrides;
use super::linker::{LINK_DIR, LINK_LOG, LinkLog};
use crate::discover::release::Release;
use crate::discover::toolchain::{Toolchain, rustup_proxy};
use crate::process::{CommandSpec, Env, Output, Runner, error_excerpt};
use crate::vocab::{CargoCommand, Profile, Scenario};

/// Variables that would make a timing measure something else; removed from every build.
/// `RUSTC_WRAPPER` (sccache would fake a clean build), an inherited toolchain choice, another
/// rustc, target or build directory, and their `CARGO_BUILD_*` config equivalents.
const DISTORTING_ENV: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC",
    "RUSTDOC",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_BUILD_DIR",
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

/// What a build compiles: the cargo command and the profile. Builds of one kind share their
/// artifacts in a target directory; builds of two kinds do not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Kind {
    /// `build`, `check` or `test --no-run`.
    pub(crate) command: CargoCommand,
    /// The profile.
    pub(crate) profile: Profile,
}

impl Kind {
    /// The kind of `scenario`'s builds in a run of `profile` (`--profile`).
    pub(crate) fn of(scenario: Scenario, profile: &Profile) -> Kind {
        Kind { command: scenario.command(), profile: scenario.profile(profile) }
    }
}

impl std::fmt::Display for Kind {
    /// `cargo build`, `cargo check --profile ci`, `cargo test --no-run --release`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cargo {}", self.command)?;
        self.profile.args().iter().try_for_each(|a| write!(f, " {a}"))
    }
}

/// The recipe of every timed build, the same for every toolchain: what cargo is asked to do,
/// and where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Recipe {
    /// Workspace root; builds run there.
    pub(crate) root: PathBuf,
    /// The root manifest.
    pub(crate) manifest_path: PathBuf,
    /// `-p` names to pass, empty for the workspace's default members.
    pub(crate) packages: Vec<String>,
    /// The profile of every scenario but `release` (`--profile`).
    pub(crate) profile: Profile,
    /// The directory of the link timer's stand-ins (see `linker`), first on the builds' `PATH`
    /// after the toolchain's own; `None` when link time is not measured.
    pub(crate) link_dir: Option<PathBuf>,
    /// `-j N`: parallel jobs, when pinned.
    pub(crate) jobs: Option<usize>,
    /// The private `CARGO_HOME` every build uses (see `prepare`).
    pub(crate) cargo_home: PathBuf,
    /// A build running longer than this is killed and its toolchain becomes a failed row.
    pub(crate) timeout: Option<std::time::Duration>,
    /// The Cargo.lock format version, to explain why an old cargo cannot read it.
    pub(crate) lockfile_version: Option<i64>,
    /// The environment the builds inherit (before the changes below).
    pub(crate) env: Env,
    /// `try`: what the arm changes (`--config` values and variables); empty for today's build.
    pub(crate) overrides: Overrides,
}

impl Recipe {
    /// The build of `kind` every sample of `toolchain` (installed in `installed`) runs, into
    /// `target_dir`, its links logged to `link_log` when link time is measured.
    pub(crate) fn command(
        &self,
        kind: &Kind,
        toolchain: &Toolchain,
        installed: &InstalledToolchain,
        target_dir: &Path,
        link_log: Option<&LinkLog>,
    ) -> CommandSpec {
        let mut cmd = CommandSpec::new(installed.bin("cargo"))
            .args(kind.command.args().iter().copied())
            .args(["--offline", "--locked", "--color", "never"])
            .args(kind.profile.args())
            .args(self.jobs.iter().flat_map(|j| ["-j".to_string(), j.to_string()]))
            .arg("--manifest-path")
            .arg(&self.manifest_path)
            .arg("--target-dir")
            .arg(target_dir)
            .cwd(&self.root);
        for package in &self.packages {
            cmd = cmd.args(["-p", package]);
        }
        for value in &self.overrides.config {
            cmd = cmd.args(["--config", value]);
        }
        for key in DISTORTING_ENV {
            cmd = cmd.env_remove(*key);
        }
        if toolchain.needs_forced_incremental() {
            cmd = cmd.env("RUSTC_FORCE_INCREMENTAL", "1");
        }
        if let Some(rustup_home) = self.env.rustup_home() {
            cmd = cmd.env("RUSTUP_HOME", rustup_home);
        }
        // An empty wrapper also overrides a `build.rustc-wrapper` in the user's cargo config.
        // Cargo before 1.55 rejects RUSTC_WORKSPACE_WRAPPER, even empty, as unstable (and
        // ignores the config key), so it only gets the empty one from then on.
        if toolchain.release() >= Release::new(1, 55) {
            cmd = cmd.env("RUSTC_WORKSPACE_WRAPPER", "");
        }
        let mut path = self.env.prepended(installed.dir.join("bin"), "PATH");
        if let (Some(dir), Some(log)) = (&self.link_dir, link_log) {
            let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
            dirs.insert(1, dir.clone());
            path = std::env::join_paths(dirs).unwrap_or(path);
            cmd = cmd.env(LINK_DIR, dir).env(LINK_LOG, log.path());
        }
        // `build.build-dir` (cargo 1.91) moves intermediate artifacts out of the target
        // directory, to a place shared across runs: a clean build would then reuse the previous
        // round's units. The variable outranks every config file; older cargo ignores it.
        for (key, value) in &self.overrides.env {
            cmd = cmd.env(key, value);
        }
        cmd.env("CARGO_BUILD_BUILD_DIR", target_dir)
            .env("RUSTC", installed.bin("rustc"))
            .env("RUSTC_WRAPPER", "")
            .env("CARGO_HOME", &self.cargo_home)
            .env("RUSTUP_TOOLCHAIN", &toolchain.name)
            .env("PATH", path)
            .env("LD_LIBRARY_PATH", self.env.prepended(installed.dir.join("lib"), "LD_LIBRARY_PATH"))
            .timeout(self.timeout)
    }

    /// Why `build` of `toolchain` failed, in cargo's or rustc's own words (a few lines), after a
    /// first line saying what would fix it when timewarp knows.
    pub(crate) fn explain_failure(&self, build: &CommandSpec, out: &Output, toolchain: &Toolchain) -> String {
        if out.timed_out {
            let limit = build.timeout.map_or(0, |t| t.as_secs());
            return format!("timed out after {limit} s (--timeout); the build was killed");
        }
        let words = error_excerpt(&out.stderr).unwrap_or_else(|| format!("`{build}` failed ({})", out.status_text()));
        let v = &toolchain.version;
        let known = if self.lockfile_version == Some(4) && toolchain.release() < Release::new(1, 78) {
            format!(
                "cargo {v} cannot read Cargo.lock version 4, which needs cargo 1.78; time an older commit with `--rev`, and add `--lockfile-compat` to rewrite the private copy's lockfile as version 3"
            )
        } else if build.has_arg("--profile") && toolchain.release() < Release::new(1, 57) {
            format!("cargo {v} has no `--profile`, which needs cargo 1.57")
        } else {
            return words;
        };
        format!("{known}\n{words}")
    }
}

/// Where an installed toolchain lives: `<RUSTUP_HOME>/toolchains/<name>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InstalledToolchain {
    dir: PathBuf,
    /// Which file its cargo was when it was located, to tell a toolchain replaced since.
    cargo: Option<FileIdentity>,
}

/// Which file a path names: its device, inode and modification time.
type FileIdentity = (u64, u64, Option<std::time::SystemTime>);

fn identity(path: &Path) -> Option<FileIdentity> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path).ok().filter(std::fs::Metadata::is_file)?;
    Some((meta.dev(), meta.ino(), meta.modified().ok()))
}

/// What became of an installed toolchain since it was located.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SinceLocated {
    /// It is as it was.
    Unchanged,
    /// Another build stands in its place (`rustup update` installed a newer release).
    Replaced,
    /// It is gone (`rustup toolchain uninstall`, another run's `bisect --install` tidying up).
    Removed,
}

impl InstalledToolchain {
    /// Finds `name` with `rustup which` (untimed) and checks that it has a cargo.
    pub(crate) fn locate(runner: &dyn Runner, name: &str) -> Result<InstalledToolchain> {
        let which =
            CommandSpec::new(rustup_proxy(runner.env(), "rustup")).args(["which", "--toolchain", name, "rustc"]);
        let out = runner.run(&which)?.ok_or_error(&which)?;
        let rustc = PathBuf::from(out.stdout.trim());
        let Some(dir) = rustc.parent().and_then(Path::parent).filter(|_| rustc.is_absolute()) else {
            bail!("`{which}` printed no path to a rustc");
        };
        let mut installed = InstalledToolchain { dir: dir.to_path_buf(), cargo: None };
        installed.cargo = identity(&installed.bin("cargo"));
        if installed.cargo.is_none() {
            bail!("toolchain `{name}` has no cargo: `{}` does not exist", installed.bin("cargo").display());
        }
        Ok(installed)
    }

    /// What became of the toolchain since it was located, judged by its cargo: still the same
    /// file, another one (the toolchain was replaced), or none.
    pub(crate) fn since_located(&self) -> SinceLocated {
        match identity(&self.bin("cargo")) {
            None => SinceLocated::Removed,
            Some(now) if self.cargo.is_some_and(|then| then != now) => SinceLocated::Replaced,
            Some(_) => SinceLocated::Unchanged,
        }
    }

    /// The toolchain's directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The toolchain's own `tool` binary.
    pub(crate) fn bin(&self, tool: &str) -> PathBuf {
        self.dir.join("bin").join(format!("{tool}{}", std::env::consts::EXE_SUFFIX))
    }

    /// Reads the toolchain's binaries and libraries (rustc's driver, LLVM, the standard
    /// library: 170-340 MB) into the page cache, untimed, so that its first timed build does
    /// not pay for a cold disk and a toolchain the user ran recently has no edge. Returns the
    /// bytes read; unreadable files are skipped.
    pub(crate) fn warm_up(&self) -> u64 {
        fn read_all(path: &Path, buffer: &mut [u8]) -> u64 {
            use std::io::Read as _;
            let Ok(meta) = std::fs::metadata(path) else { return 0 };
            if meta.is_dir() {
                let entries = std::fs::read_dir(path).into_iter().flatten().flatten();
                return entries.map(|e| read_all(&e.path(), buffer)).sum();
            }
            let Ok(mut file) = std::fs::File::open(path) else { return 0 };
            let mut total = 0;
            while let Ok(n) = file.read(buffer) {
                if n == 0 {
                    break;
                }
                total += n as u64;
            }
            total
        }
        let mut buffer = vec![0u8; 1 << 20];
        ["bin", "lib"].iter().map(|d| read_all(&self.dir.join(d), &mut buffer)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeRunner, output, toolchain};

    fn settings() -> Recipe {
        Recipe {
            root: "/w".into(),
            manifest_path: "/w/Cargo.toml".into(),
            packages: vec!["app".into()],
            profile: Profile::Dev,
            link_dir: None,
            jobs: None,
            cargo_home: "/w/target/timewarp/cargo-home".into(),
            timeout: None,
            lockfile_version: None,
            env: Env::new([("HOME", "/home/u"), ("PATH", "/usr/bin")]),
            overrides: Overrides::default(),
        }
    }

    fn installed(dir: &str) -> InstalledToolchain {
        InstalledToolchain { dir: dir.into(), cargo: None }
    }

    fn build() -> Kind {
        Kind { command: CargoCommand::Build, profile: Profile::Dev }
    }

    #[test]
    fn the_toolchains_own_cargo_with_the_environment_rustup_would_give_it() {
        let s = settings();
        let cmd =
            s.command(&build(), &toolchain("1.63.0"), &installed("/tc"), Path::new("/w/target/timewarp/1.63.0"), None);
        assert_eq!(
            cmd.to_string(),
            "cargo build --offline --locked --color never --manifest-path /w/Cargo.toml --target-dir /w/target/timewarp/1.63.0 -p app"
        );
        assert_eq!(cmd.program, "/tc/bin/cargo", "no rustup proxy inside the timed interval");
        assert_eq!(cmd.env_value("RUSTC").unwrap(), "/tc/bin/rustc");
        assert_eq!(cmd.env_value("RUSTC_WRAPPER").unwrap(), "");
        assert_eq!(cmd.env_value("CARGO_HOME").unwrap(), "/w/target/timewarp/cargo-home");
        assert_eq!(cmd.env_value("RUSTUP_TOOLCHAIN").unwrap(), "1.63.0");
        assert!(cmd.env_value("PATH").unwrap().to_string_lossy().starts_with("/tc/bin"));
        assert_eq!(cmd.env_value("PATH").unwrap(), "/tc/bin:/usr/bin");
        assert_eq!(cmd.env_value("LD_LIBRARY_PATH").unwrap(), "/tc/lib");
        assert_eq!(cmd.env_value("RUSTUP_HOME").unwrap(), "/home/u/.rustup");
        assert_eq!(
            cmd.env_value("CARGO_BUILD_BUILD_DIR").unwrap(),
            "/w/target/timewarp/1.63.0",
            "intermediate artifacts stay in the toolchain's own directory, whatever build.build-dir says"
        );
        for key in ["CARGO_TARGET_DIR", "CARGO_BUILD_RUSTC_WRAPPER", "CARGO_BUILD_BUILD_DIR"] {
            assert!(cmd.env_remove.contains(&key.to_string()), "{key}");
        }
        assert!(!cmd.has_arg("--config"), "nothing a cargo older than 1.63 rejects");
        assert_eq!(cmd.cwd.as_deref(), Some(Path::new("/w")));
        assert!(cmd.env_value(LINK_LOG).is_none(), "no link timer asked for");
    }

    #[test]
    fn an_arms_config_values_and_variables_reach_its_builds() {
        let mut s = settings();
        s.overrides = Overrides {
            config: vec!["profile.dev.debug=0".into()],
            env: vec![("CARGO_BUILD_RUSTFLAGS".into(), "-C link-arg=-fuse-ld=mold".into())],
        };
        let cmd = s.command(&build(), &toolchain("1.95.0"), &installed("/tc"), Path::new("/t"), None);
        assert!(cmd.to_string().ends_with("-p app --config profile.dev.debug=0"), "{cmd}");
        assert_eq!(cmd.env_value("CARGO_BUILD_RUSTFLAGS").unwrap(), "-C link-arg=-fuse-ld=mold");
        assert_eq!(cmd.env_value("RUSTC_WRAPPER").unwrap(), "", "the policy still holds");
    }

    #[test]
    fn the_link_timer_comes_right_after_the_toolchain_on_path() {
        let mut s = settings();
        s.link_dir = Some("/w/target/timewarp/linker".into());
        let log = LinkLog::new("/w/target/timewarp/1.63.0/link.jsonl".into());
        let cmd = s.command(&build(), &toolchain("1.63.0"), &installed("/tc"), Path::new("/t"), Some(&log));
        assert_eq!(cmd.env_value("PATH").unwrap(), "/tc/bin:/w/target/timewarp/linker:/usr/bin");
        assert_eq!(cmd.env_value(LINK_DIR).unwrap(), "/w/target/timewarp/linker");
        assert_eq!(cmd.env_value(LINK_LOG).unwrap(), "/w/target/timewarp/1.63.0/link.jsonl");
        let untimed = s.command(&build(), &toolchain("1.63.0"), &installed("/tc"), Path::new("/t"), None);
        assert_eq!(untimed.env_value("PATH").unwrap(), "/tc/bin:/usr/bin", "no log, no timer");
    }

    #[test]
    fn each_scenario_builds_its_own_kind() {
        let dev = Profile::Dev;
        let kinds: Vec<String> = Scenario::ALL.iter().map(|s| Kind::of(*s, &dev).to_string()).collect();
        assert_eq!(
            kinds,
            [
                "cargo build",
                "cargo build",
                "cargo build",
                "cargo build",
                "cargo check",
                "cargo check",
                "cargo test --no-run",
                "cargo build --release"
            ]
        );
        let ci = Profile::Named("ci".into());
        assert_eq!(Kind::of(Scenario::CheckTouched, &ci).to_string(), "cargo check --profile ci");
        assert_eq!(Kind::of(Scenario::Release, &ci).to_string(), "cargo build --release");
        let s = settings();
        let test = Kind::of(Scenario::Test, &dev);
        let cmd = s.command(&test, &toolchain("1.48.0"), &installed("/tc"), Path::new("/t"), None);
        assert!(cmd.to_string().starts_with("cargo test --no-run --offline --locked"), "{cmd}");
    }

    #[test]
    fn check_release_and_forced_incremental_reach_the_command() {
        let mut s = settings();
        let check = Kind { command: CargoCommand::Check, profile: Profile::Named("bench-fast".into()) };
        let mut old = toolchain("1.59.0");
        let cmd = s.command(&check, &old, &installed("/tc"), Path::new("/t"), None);
        assert!(cmd.to_string().starts_with("cargo check --offline --locked --color never --profile bench-fast"));
        assert_eq!(cmd.env_value("RUSTC_FORCE_INCREMENTAL").unwrap(), "1");
        old.version = semver::Version::new(1, 60, 0);
        let release = Kind { command: CargoCommand::Build, profile: Profile::Release };
        let cmd = s.command(&release, &old, &installed("/tc"), Path::new("/t"), None);
        assert!(cmd.has_arg("--release"));
        s.jobs = Some(2);
        let cmd = s.command(&release, &old, &installed("/tc"), Path::new("/t"), None);
        assert!(cmd.to_string().contains(" --release -j 2 --manifest-path"), "{cmd}");
        assert!(cmd.env_value("RUSTC_FORCE_INCREMENTAL").is_none());
        assert_eq!(cmd.env_value("RUSTC_WORKSPACE_WRAPPER").unwrap(), "");
        let oldest = s.command(&release, &toolchain("1.48.0"), &installed("/tc"), Path::new("/t"), None);
        assert!(oldest.env_value("RUSTC_WORKSPACE_WRAPPER").is_none(), "cargo 1.46 rejects it even empty");
        assert!(oldest.env_remove.contains(&"RUSTC_WORKSPACE_WRAPPER".to_string()));
    }

    #[test]
    fn failures_keep_cargos_words_and_say_what_would_fix_them() {
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
        let text = s.explain_failure(&cmd, &output(Some(101), "", stderr, 1.0), &toolchain("1.63.0"));
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("cargo 1.63.0 cannot read Cargo.lock version 4, which needs cargo 1.78;"),
            "{text}"
        );
        assert!(
            lines[0].ends_with("add `--lockfile-compat` to rewrite the private copy's lockfile as version 3"),
            "{text}"
        );
        assert_eq!(
            lines[1..],
            ["error: failed to parse lock file at: /w/Cargo.lock", "  invalid serialized PackageId"]
        );
        let stderr = "error: boom\n --> here\n";
        assert_eq!(
            s.explain_failure(&cmd, &output(Some(101), "", stderr, 1.0), &toolchain("1.85.0")),
            "error: boom\n --> here"
        );
        s.lockfile_version = None;
        let cmd = CommandSpec::new("cargo").args(["build", "--profile", "ci"]);
        let stderr = "error: Found argument '--profile'\n";
        let old = s.explain_failure(&cmd, &output(Some(101), "", stderr, 1.0), &toolchain("1.48.0"));
        assert!(
            old.starts_with("cargo 1.48.0 has no `--profile`, which needs cargo 1.57\nerror: Found argument"),
            "{old}"
        );
    }

    #[test]
    fn a_toolchain_is_found_with_rustup_which_and_needs_a_cargo() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        let rustc = format!("{}/bin/rustc\n", dir.path().display());
        let runner = FakeRunner::new().ok("rustup which --toolchain 1.63.0 rustc", &rustc);
        let err = InstalledToolchain::locate(&runner, "1.63.0").unwrap_err().to_string();
        assert_eq!(
            err,
            format!("toolchain `1.63.0` has no cargo: `{}/bin/cargo` does not exist", dir.path().display())
        );
        std::fs::write(dir.path().join("bin/cargo"), "").unwrap();
        let found = InstalledToolchain::locate(&runner, "1.63.0").unwrap();
        assert_eq!(found.bin("rustc"), dir.path().join("bin/rustc"));
        let nothing = FakeRunner::new().ok("rustup which", "\n");
        assert!(
            InstalledToolchain::locate(&nothing, "x").unwrap_err().to_string().ends_with("printed no path to a rustc")
        );
    }

    #[test]
    fn warming_up_reads_the_toolchains_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("lib/rustlib")).unwrap();
        std::fs::create_dir_all(dir.path().join("bin")).unwrap();
        std::fs::write(dir.path().join("lib/librustc_driver.so"), vec![1u8; 3000]).unwrap();
        std::fs::write(dir.path().join("lib/rustlib/libstd.rlib"), vec![1u8; 2000]).unwrap();
        std::fs::write(dir.path().join("bin/rustc"), vec![1u8; 500]).unwrap();
        std::fs::write(dir.path().join("share.txt"), vec![1u8; 9000]).unwrap();
        assert_eq!(
            InstalledToolchain { dir: dir.path().into(), cargo: None }.warm_up(),
            5500,
            "bin and lib, nothing else"
        );
    }

    #[test]
    fn reports_which_distorting_variables_are_present() {
        let env =
            [("PATH", "/bin"), ("RUSTC_WRAPPER", "sccache"), ("CARGO_TARGET_DIR", "/tmp/t"), ("RUSTUP_TOOLCHAIN", "x")];
        assert_eq!(distorting_vars_present(env), ["CARGO_TARGET_DIR", "RUSTC_WRAPPER"]);
    }
}
