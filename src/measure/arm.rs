//! How an arm of `cargo timewarp try` (or several, combined) changes a build without touching
//! the user's files: `cargo --config` values for profile settings, and environment variables for
//! rustflags and incremental compilation, merged with the user's own settings as cargo merges
//! them. Cargo takes rustflags from the first of `CARGO_ENCODED_RUSTFLAGS`, `RUSTFLAGS`, the
//! `[target]` tables and `build.rustflags` that is set, so an arm's flags go into the very source
//! the user's come from, after them: `RUSTFLAGS` would replace a `build.rustflags`, and the
//! user's flags must stay in every arm. A config value from the environment
//! (`CARGO_BUILD_RUSTFLAGS`, `CARGO_TARGET_<HOST>_RUSTFLAGS`) is appended to the file's, whether
//! the file writes a string or an array, where a `--config` array is refused beside a string.

use crate::discover::cfg;
use crate::discover::environment::{Setting, env_name};
use crate::vocab::Arm;

/// What a build changes for its arm: `--config` values and environment variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Overrides {
    /// `KEY=VALUE` for `cargo --config` (cargo 1.63 and newer), in order.
    pub(crate) config: Vec<String>,
    /// Variables set for every build of the arm.
    pub(crate) env: Vec<(String, String)>,
}

/// An arm (or a combination of arms) as the engine builds it: its name (`mold+line-tables-only`),
/// its overrides, and the scenarios it changes nothing in, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArmBuild {
    /// The arms' names joined with `+`.
    pub(crate) name: String,
    /// What its builds change.
    pub(crate) overrides: Overrides,
    /// The scenarios it is not built in.
    pub(crate) skip: std::collections::BTreeMap<crate::vocab::Scenario, String>,
}

/// What the arms are applied to: the user's settings for the host and profile built.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applied<'a> {
    /// The user's build settings, narrowed to `host` and `profile` (`environment::for_build`).
    pub(crate) settings: &'a [Setting],
    /// The host triple the builds are for.
    pub(crate) host: &'a str,
    /// The profile of the builds (`dev`, or `--profile NAME`).
    pub(crate) profile: &'a str,
    /// The machine's core count, for `-Zthreads`.
    pub(crate) cores: usize,
}

/// One change an arm makes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArmChange {
    /// Flags passed to every rustc after the user's.
    Rustflags(Vec<String>),
    /// `profile.<profile>.<key> = <value>` (the value in TOML).
    Profile(&'static str, &'static str),
    /// An environment variable.
    Env(&'static str, &'static str),
}

/// The changes of `arm`.
fn changes(arm: Arm, cores: usize) -> Vec<ArmChange> {
    let flags = |list: &[&str]| ArmChange::Rustflags(list.iter().map(|f| f.to_string()).collect());
    match arm {
        Arm::Lld => vec![flags(&["-C", "link-arg=-fuse-ld=lld"])],
        Arm::Mold => vec![flags(&["-C", "link-arg=-fuse-ld=mold"])],
        // GCC has no `--ld-path`; clang runs any linker with it.
        Arm::Wild => vec![flags(&["-C", "linker=clang", "-C", "link-arg=--ld-path=wild"])],
        Arm::LineTablesOnly => vec![ArmChange::Profile("debug", "\"line-tables-only\"")],
        Arm::NoDebug => vec![ArmChange::Profile("debug", "0")],
        Arm::NoDepsDebug => vec![ArmChange::Profile("package.\"*\".debug", "false")],
        Arm::SplitDebuginfo => vec![ArmChange::Profile("split-debuginfo", "\"unpacked\"")],
        Arm::NoIncremental => vec![ArmChange::Env("CARGO_INCREMENTAL", "0")],
        Arm::Threads => vec![ArmChange::Rustflags(vec![format!("-Zthreads={cores}")])],
        Arm::Cranelift => vec![flags(&["-Zcodegen-backend=cranelift"])],
        Arm::ShareGenerics => vec![flags(&["-Zshare-generics=y"])],
    }
}

/// The overrides of `arms` (one, or several combined) on top of the user's settings in `at`.
pub(crate) fn overrides(arms: &[Arm], at: &Applied<'_>) -> Overrides {
    let mut out = Overrides::default();
    let mut flags: Vec<String> = Vec::new();
    for change in arms.iter().flat_map(|arm| changes(*arm, at.cores)) {
        match change {
            ArmChange::Rustflags(more) => flags.extend(more),
            ArmChange::Profile(key, value) => out.config.push(format!("profile.{}.{key}={value}", at.profile)),
            ArmChange::Env(key, value) => out.env.push((key.into(), value.into())),
        }
    }
    if !flags.is_empty() {
        out.env.push(rustflags(&flags, at));
    }
    out
}

/// The variable that carries `flags` after the user's rustflags, in the source cargo reads them
/// from: the user's variable with its value kept in front, or the config key's variable.
fn rustflags(flags: &[String], at: &Applied<'_>) -> (String, String) {
    let user = |key: &str| at.settings.iter().find(|s| s.key == key && s.source == "environment");
    let joined = |before: Option<&Setting>, separator: &str| {
        let mut all: Vec<String> =
            before.filter(|s| !s.value.is_empty()).map(|s| s.value.clone()).into_iter().collect();
        all.push(flags.join(separator));
        all.join(separator)
    };
    let (var, separator) = match flags_home(at.settings, at.host) {
        FlagsHome::Encoded => ("CARGO_ENCODED_RUSTFLAGS".to_string(), "\u{1f}"),
        FlagsHome::Rustflags => ("RUSTFLAGS".to_string(), " "),
        FlagsHome::Target => (format!("CARGO_TARGET_{}_RUSTFLAGS", env_name(at.host)), " "),
        FlagsHome::Build => ("CARGO_BUILD_RUSTFLAGS".to_string(), " "),
    };
    let before = user(&var);
    let value = joined(before, separator);
    (var, value)
}

/// Whether a `[target]` table's rustflags (or its variable) apply to `host`: cargo then reads
/// them instead of `build.rustflags`.
fn target_rustflags(settings: &[Setting], host: &str) -> bool {
    let target_var = format!("CARGO_TARGET_{}_RUSTFLAGS", env_name(host));
    settings.iter().any(|s| {
        s.key == target_var
            || s.key
                .strip_prefix("target.")
                .and_then(|k| k.strip_suffix(".rustflags"))
                .is_some_and(|t| t == host || (t.starts_with("cfg(") && cfg::target_applies(t, host)))
    })
}

/// Where the user's rustflags live: the one source cargo reads them from, where an arm's flags
/// must join them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagsHome {
    /// `CARGO_ENCODED_RUSTFLAGS`, which outranks every other source.
    Encoded,
    /// `RUSTFLAGS`, which outranks every config key.
    Rustflags,
    /// A `[target]` table's `rustflags` (the host's, or a `cfg(...)` one that holds for it).
    Target,
    /// `build.rustflags`, or no rustflags at all.
    Build,
}

/// Where the user's rustflags live, as cargo picks them (see the module's opening).
pub(crate) fn flags_home(settings: &[Setting], host: &str) -> FlagsHome {
    let set = |key: &str| settings.iter().any(|s| s.key == key && s.source == "environment");
    if set("CARGO_ENCODED_RUSTFLAGS") {
        FlagsHome::Encoded
    } else if set("RUSTFLAGS") {
        FlagsHome::Rustflags
    } else if target_rustflags(settings, host) {
        FlagsHome::Target
    } else {
        FlagsHome::Build
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(key: &str, value: &str, source: &str) -> Setting {
        Setting { key: key.into(), value: value.into(), source: source.into() }
    }

    const HOST: &str = "x86_64-unknown-linux-gnu";

    fn at(settings: &[Setting]) -> Applied<'_> {
        Applied { settings, host: HOST, profile: "dev", cores: 2 }
    }

    #[test]
    fn a_linker_joins_the_users_build_rustflags_from_the_environment_cargo_appends() {
        let settings = [setting("build.rustflags", "--cfg user_flag", "/w/.cargo/config.toml")];
        let o = overrides(&[Arm::Mold], &at(&settings));
        assert_eq!(o.env, [("CARGO_BUILD_RUSTFLAGS".to_string(), "-C link-arg=-fuse-ld=mold".to_string())]);
        assert!(o.config.is_empty(), "no --config array, which cargo refuses beside a string");
        let none = overrides(&[Arm::Lld], &at(&[]));
        assert_eq!(none.env, [("CARGO_BUILD_RUSTFLAGS".to_string(), "-C link-arg=-fuse-ld=lld".to_string())]);
    }

    #[test]
    fn the_users_rustflags_variable_stays_in_front_since_it_replaces_every_config_key() {
        let settings = [
            setting("RUSTFLAGS", "--cfg from_env", "environment"),
            setting("build.rustflags", "--cfg ignored_by_cargo", "/w/.cargo/config.toml"),
        ];
        let o = overrides(&[Arm::Mold], &at(&settings));
        assert_eq!(o.env, [("RUSTFLAGS".to_string(), "--cfg from_env -C link-arg=-fuse-ld=mold".to_string())]);
        let encoded = [setting("CARGO_ENCODED_RUSTFLAGS", "--cfg\u{1f}x y", "environment")];
        let o = overrides(&[Arm::ShareGenerics], &at(&encoded));
        assert_eq!(
            o.env,
            [("CARGO_ENCODED_RUSTFLAGS".to_string(), "--cfg\u{1f}x y\u{1f}-Zshare-generics=y".to_string())]
        );
    }

    #[test]
    fn target_tables_take_the_flags_when_one_applies_to_the_host() {
        let cfg = [setting("target.cfg(unix).rustflags", "--cfg unix_flag", "/w/.cargo/config.toml")];
        let o = overrides(&[Arm::Mold], &at(&cfg));
        assert_eq!(o.env[0].0, "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS");
        let other = [setting("target.cfg(windows).rustflags", "--cfg w", "/w/.cargo/config.toml")];
        assert_eq!(overrides(&[Arm::Mold], &at(&other)).env[0].0, "CARGO_BUILD_RUSTFLAGS");
        assert_eq!(flags_home(&cfg, HOST), FlagsHome::Target);
        assert_eq!(flags_home(&other, HOST), FlagsHome::Build, "the user adds the arm's flags beside theirs");
        let env = [setting("RUSTFLAGS", "", "environment"), setting("target.cfg(unix).rustflags", "-x", "f")];
        assert_eq!(flags_home(&env, HOST), FlagsHome::Rustflags, "RUSTFLAGS outranks every table");
        let env = [setting("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS", "-Ctarget-cpu=native", "environment")];
        let o = overrides(&[Arm::Lld], &at(&env));
        assert_eq!(o.env[0].1, "-Ctarget-cpu=native -C link-arg=-fuse-ld=lld", "the user's value kept in front");
    }

    #[test]
    fn profile_settings_go_to_the_built_profile_and_combined_arms_add_up() {
        let mut applied = at(&[]);
        applied.profile = "ci";
        let o = overrides(&[Arm::LineTablesOnly, Arm::NoDepsDebug, Arm::Mold, Arm::NoIncremental], &applied);
        assert_eq!(o.config, ["profile.ci.debug=\"line-tables-only\"", "profile.ci.package.\"*\".debug=false"]);
        assert_eq!(
            o.env,
            [
                ("CARGO_INCREMENTAL".to_string(), "0".to_string()),
                ("CARGO_BUILD_RUSTFLAGS".to_string(), "-C link-arg=-fuse-ld=mold".to_string())
            ]
        );
        let threads = overrides(&[Arm::Threads, Arm::ShareGenerics], &at(&[]));
        assert_eq!(threads.env[0].1, "-Zthreads=2 -Zshare-generics=y");
        assert_eq!(overrides(&[], &at(&[])), Overrides::default());
    }
}
