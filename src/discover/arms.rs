//! Which arms of `cargo timewarp try` apply on this machine, for one toolchain, and why the
//! others do not: a linker that is not installed, a flag only nightly accepts, a rustup
//! component missing, a host where the setting means nothing, or a setting today's build
//! already has. Programs are looked for on `PATH` and components asked of rustup, both through
//! the [`Runner`]; how an arm is applied is `measure::arm`'s.

use std::fmt;

use super::environment::{self, Setting};
use super::release::Release;
use super::toolchain::{Toolchain, rustup_proxy};
use crate::process::{CommandSpec, Runner};
use crate::vocab::Arm;

/// Cranelift's rustup component (a preview on nightly).
const CRANELIFT_COMPONENT: &str = "rustc-codegen-cranelift-preview";

/// Why an arm does not run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotHere {
    /// Its program is not on `PATH`.
    NotInstalled {
        /// The program looked for.
        program: &'static str,
        /// The command that installs it, where there is one.
        install: Option<&'static str>,
    },
    /// Only a nightly toolchain accepts its flags.
    NeedsNightly {
        /// Whether a nightly is installed (then `--nightly` is all it takes).
        installed: bool,
    },
    /// A rustup component of the toolchain is not installed.
    ComponentMissing {
        /// The component.
        component: &'static str,
        /// The toolchain without it.
        toolchain: String,
    },
    /// The toolchain is older than the first release that takes the arm's setting.
    NeedsRust {
        /// That release, `1.71`.
        version: &'static str,
    },
    /// The host has no use for it (or no way to apply it).
    NotThisPlatform {
        /// The host triple.
        host: String,
    },
    /// Today's build already does what the arm would change.
    AlreadyToday {
        /// The setting that does it, as `KEY = VALUE (from SOURCE)`.
        setting: String,
    },
}

impl NotHere {
    /// The command that would make the arm apply, where one exists.
    pub(crate) fn install(&self) -> Option<String> {
        match self {
            NotHere::NotInstalled { install, .. } => install.map(str::to_string),
            NotHere::NeedsNightly { installed: false } => Some("rustup toolchain install nightly".into()),
            NotHere::NeedsNightly { installed: true } => None,
            NotHere::ComponentMissing { component, toolchain } => {
                Some(format!("rustup component add {component} --toolchain {toolchain}"))
            }
            NotHere::NotThisPlatform { .. } | NotHere::AlreadyToday { .. } | NotHere::NeedsRust { .. } => None,
        }
    }
}

impl fmt::Display for NotHere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotHere::NotInstalled { program, .. } => write!(f, "not installed (no `{program}` on PATH)"),
            NotHere::NeedsNightly { .. } => f.write_str("needs nightly (`--nightly`)"),
            NotHere::ComponentMissing { component, toolchain } => {
                write!(f, "not installed (no `{component}` component in `{toolchain}`)")
            }
            NotHere::NotThisPlatform { host } => write!(f, "not this platform ({host})"),
            NotHere::NeedsRust { version } => write!(f, "needs Rust {version} or newer (`--toolchain`)"),
            NotHere::AlreadyToday { setting } => write!(f, "today's build already does it ({setting})"),
        }
    }
}

/// One arm, and whether it runs here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Availability {
    /// The arm.
    pub(crate) arm: Arm,
    /// Why it does not run here; `None` when it does.
    pub(crate) not_here: Option<NotHere>,
}

/// Every arm's availability on `toolchain`, for builds of `profile` with the user's `settings`
/// (already narrowed to the host and profile, see `environment::for_build`); `nightly_installed`
/// says whether another toolchain is a nightly, for the advice on the nightly-only arms.
pub(crate) fn availability(
    runner: &dyn Runner,
    toolchain: &Toolchain,
    settings: &[Setting],
    profile: &str,
    nightly_installed: bool,
) -> Vec<Availability> {
    let nightly = is_nightly(toolchain);
    let mut components: Option<String> = None;
    Arm::ALL
        .iter()
        .map(|&arm| {
            let not_here = if arm.needs_nightly() && !nightly {
                Some(NotHere::NeedsNightly { installed: nightly_installed })
            } else if let Some(version) = first_release(arm).filter(|v| older(toolchain, v)) {
                Some(NotHere::NeedsRust { version })
            } else if let Some(why) = platform(arm, &toolchain.host) {
                Some(why)
            } else if let Some(setting) = already(arm, settings, &toolchain.host, profile) {
                Some(NotHere::AlreadyToday { setting })
            } else if arm == Arm::Cranelift {
                let installed = components.get_or_insert_with(|| installed_components(runner, &toolchain.name));
                (!installed.lines().any(|c| c.starts_with(CRANELIFT_COMPONENT))).then(|| NotHere::ComponentMissing {
                    component: CRANELIFT_COMPONENT,
                    toolchain: toolchain.name.clone(),
                })
            } else {
                missing_program(runner, arm)
            };
            Availability { arm, not_here }
        })
        .collect()
}

/// Whether `toolchain` is a nightly, whose compiler accepts `-Z` flags.
pub(crate) fn is_nightly(toolchain: &Toolchain) -> bool {
    toolchain.version.pre.as_str().starts_with("nightly")
}

/// The first release whose cargo takes `arm`'s setting, for arms newer than every supported one:
/// profile values go through `cargo --config` (1.63), `debug = "line-tables-only"` came in 1.71,
/// `split-debuginfo` on Linux in 1.65.
fn first_release(arm: Arm) -> Option<&'static str> {
    match arm {
        Arm::LineTablesOnly => Some("1.71"),
        Arm::SplitDebuginfo => Some("1.65"),
        Arm::NoDebug | Arm::NoDepsDebug => Some("1.63"),
        _ => None,
    }
}

/// Whether `toolchain` is older than release `version` (`1.71`).
fn older(toolchain: &Toolchain, version: &str) -> bool {
    version.parse::<Release>().is_ok_and(|release| toolchain.release() < release)
}

/// Why `arm` means nothing on `host`, if it does not.
fn platform(arm: Arm, host: &str) -> Option<NotHere> {
    let applies = match arm {
        // Chosen with `-fuse-ld`/`--ld-path`, which the GNU toolchain's C compiler reads.
        Arm::Lld | Arm::Mold | Arm::Wild => host.contains("-linux-gnu"),
        Arm::SplitDebuginfo => host.contains("-linux-"),
        Arm::Cranelift => host.starts_with("x86_64-") || host.starts_with("aarch64-"),
        _ => true,
    };
    (!applies).then(|| NotHere::NotThisPlatform { host: host.to_string() })
}

/// The program a linker's arm needs on `PATH`, when it is not there.
fn missing_program(runner: &dyn Runner, arm: Arm) -> Option<NotHere> {
    let needs: &[(&'static str, Option<&'static str>)] = match arm {
        Arm::Lld => &[("ld.lld", Some("sudo apt-get install lld"))],
        Arm::Mold => &[("mold", Some("sudo apt-get install mold"))],
        Arm::Wild => {
            &[("wild", Some("cargo install --locked wild-linker")), ("clang", Some("sudo apt-get install clang"))]
        }
        _ => &[],
    };
    needs
        .iter()
        .find(|(program, _)| runner.program(program).is_none())
        .map(|&(program, install)| NotHere::NotInstalled { program, install })
}

/// `rustup component list --installed` of `toolchain`; empty when rustup cannot say.
fn installed_components(runner: &dyn Runner, toolchain: &str) -> String {
    let list = CommandSpec::new(rustup_proxy(runner.env(), "rustup")).args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        toolchain,
    ]);
    runner.run(&list).ok().filter(|out| out.success()).map(|out| out.stdout).unwrap_or_default()
}

/// The user's setting that already does what `arm` would, as `KEY = VALUE (from SOURCE)`.
fn already(arm: Arm, settings: &[Setting], host: &str, profile: &str) -> Option<String> {
    let shown = |s: &Setting| format!("{} = {} (from {})", s.key, s.value, s.source);
    let profile_key = |key: &str| {
        let env = format!("CARGO_PROFILE_{}_{}", environment::env_name(profile), environment::env_name(key));
        let file = format!("profile.{profile}.{key}");
        settings.iter().rev().find(|s| s.key == env || s.key == file)
    };
    match arm {
        Arm::Lld | Arm::Mold | Arm::Wild => {
            let linker = environment::configured_linker(settings, host)?;
            let name = linker.rsplit('/').next().unwrap_or(&linker);
            let same = name == arm.name() || (arm == Arm::Lld && name == "ld.lld");
            same.then(|| format!("the linker `{linker}` in the build settings"))
        }
        Arm::LineTablesOnly => profile_key("debug").filter(|s| s.value == "line-tables-only").map(shown),
        Arm::NoDebug => profile_key("debug").filter(|s| matches!(s.value.as_str(), "0" | "false" | "none")).map(shown),
        Arm::SplitDebuginfo => profile_key("split-debuginfo").filter(|s| s.value == "unpacked").map(shown),
        Arm::NoIncremental => environment::incremental_warning(settings, profile).map(|_| {
            let off = settings.iter().find(|s| s.key.to_lowercase().contains("incremental"));
            off.map_or_else(|| "incremental off".into(), shown)
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeRunner, toolchain};

    fn setting(key: &str, value: &str) -> Setting {
        Setting { key: key.into(), value: value.into(), source: "environment".into() }
    }

    /// A directory holding executables named `programs`, for `PATH`.
    fn bin_dir(programs: &[&str]) -> tempfile::TempDir {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        for program in programs {
            let file = dir.path().join(program);
            std::fs::write(&file, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    fn why(found: &[Availability], arm: Arm) -> Option<NotHere> {
        found.iter().find(|a| a.arm == arm).unwrap().not_here.clone()
    }

    #[test]
    fn installed_linkers_apply_and_missing_ones_say_how_to_install_them() {
        let bin = bin_dir(&["mold", "clang"]);
        let runner = FakeRunner::new().with_env(&[("PATH", bin.path().to_str().unwrap())]);
        let found = availability(&runner, &toolchain("1.95.0"), &[], "dev", false);
        assert_eq!(found.len(), Arm::ALL.len(), "every arm is listed");
        assert_eq!(why(&found, Arm::Mold), None);
        let lld = why(&found, Arm::Lld).unwrap();
        assert_eq!(lld.to_string(), "not installed (no `ld.lld` on PATH)");
        assert_eq!(lld.install().as_deref(), Some("sudo apt-get install lld"));
        assert_eq!(why(&found, Arm::Wild).unwrap().install().as_deref(), Some("cargo install --locked wild-linker"));
        for arm in [Arm::LineTablesOnly, Arm::NoDebug, Arm::NoDepsDebug, Arm::SplitDebuginfo, Arm::NoIncremental] {
            assert_eq!(why(&found, arm), None, "{arm}");
        }
        assert!(runner.lines().is_empty(), "no rustup asked on stable: {:?}", runner.lines());
    }

    #[test]
    fn nightly_arms_need_nightly_and_cranelift_its_component() {
        let runner = FakeRunner::new().with_env(&[("PATH", "/nowhere")]);
        let stable = availability(&runner, &toolchain("1.95.0"), &[], "dev", false);
        for arm in [Arm::Threads, Arm::Cranelift, Arm::ShareGenerics] {
            let why = why(&stable, arm).unwrap();
            assert_eq!(why, NotHere::NeedsNightly { installed: false }, "{arm}");
            assert_eq!(why.install().as_deref(), Some("rustup toolchain install nightly"));
        }
        let with_nightly = availability(&runner, &toolchain("1.95.0"), &[], "dev", true);
        assert_eq!(why(&with_nightly, Arm::Threads).unwrap().install(), None, "`--nightly` is all it takes");
        let runner = FakeRunner::new()
            .with_env(&[("PATH", "/nowhere")])
            .ok("rustup component list --installed --toolchain nightly", "cargo-x86_64-unknown-linux-gnu\n");
        let nightly = availability(&runner, &toolchain("1.97.0-nightly"), &[], "dev", false);
        assert_eq!(why(&nightly, Arm::Threads), None);
        assert_eq!(why(&nightly, Arm::ShareGenerics), None);
        let cranelift = why(&nightly, Arm::Cranelift).unwrap();
        assert_eq!(
            cranelift.install().as_deref(),
            Some("rustup component add rustc-codegen-cranelift-preview --toolchain nightly")
        );
        let runner = FakeRunner::new()
            .with_env(&[("PATH", "/nowhere")])
            .ok("rustup component list --installed", "rustc-codegen-cranelift-preview-x86_64-unknown-linux-gnu\n");
        assert_eq!(why(&availability(&runner, &toolchain("1.97.0-nightly"), &[], "dev", false), Arm::Cranelift), None);
    }

    #[test]
    fn other_platforms_and_settings_today_are_reasons_too() {
        let bin = bin_dir(&["mold", "ld.lld"]);
        let runner = FakeRunner::new().with_env(&[("PATH", bin.path().to_str().unwrap())]);
        let mut mac = toolchain("1.95.0");
        mac.host = "aarch64-apple-darwin".into();
        let found = availability(&runner, &mac, &[], "dev", false);
        assert_eq!(why(&found, Arm::Mold).unwrap().to_string(), "not this platform (aarch64-apple-darwin)");
        assert_eq!(why(&found, Arm::Mold).unwrap().install(), None);
        let settings = [
            setting("RUSTFLAGS", "-C link-arg=-fuse-ld=mold"),
            setting("CARGO_PROFILE_DEV_DEBUG", "line-tables-only"),
            setting("CARGO_INCREMENTAL", "0"),
        ];
        let found = availability(&runner, &toolchain("1.95.0"), &settings, "dev", false);
        assert_eq!(
            why(&found, Arm::Mold).unwrap().to_string(),
            "today's build already does it (the linker `mold` in the build settings)"
        );
        assert_eq!(why(&found, Arm::Lld), None);
        assert_eq!(
            why(&found, Arm::LineTablesOnly).unwrap().to_string(),
            "today's build already does it (CARGO_PROFILE_DEV_DEBUG = line-tables-only (from environment))"
        );
        assert!(matches!(why(&found, Arm::NoIncremental), Some(NotHere::AlreadyToday { .. })));
        assert_eq!(why(&found, Arm::NoDebug), None);
        let old = availability(&runner, &toolchain("1.63.0"), &[], "dev", false);
        assert_eq!(why(&old, Arm::LineTablesOnly).unwrap().to_string(), "needs Rust 1.71 or newer (`--toolchain`)");
        assert!(matches!(why(&old, Arm::SplitDebuginfo), Some(NotHere::NeedsRust { version: "1.65" })));
        assert_eq!(why(&old, Arm::NoDebug), None, "`--config` came in 1.63");
    }
}
