//! The settings that change how the user's code is built, and where each comes from: the
//! environment (`RUSTFLAGS`, `CARGO_INCREMENTAL`, `CARGO_PROFILE_*`, ...), the cargo
//! configuration files cargo reads for the build (`.cargo/config.toml` in the workspace and
//! every parent, then `$CARGO_HOME/config.toml`) and the workspace manifest's `[profile]`.
//!
//! timewarp keeps them (it is the user's build) but reports them, so that a reader knows what
//! the numbers include, and warns where they change what a column means. Reads files; runs
//! nothing.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cfg;

/// One setting that changes how code is built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Setting {
    /// `RUSTFLAGS`, `build.incremental`, `profile.dev.opt-level`, ...
    pub(crate) key: String,
    /// Its value, as written.
    pub(crate) value: String,
    /// `environment`, or the file it is set in.
    pub(crate) source: String,
}

/// Settings every timed build overrides (see `measure::build`), so they never reach it.
const OVERRIDDEN: &[&str] = &[
    "build.rustc-wrapper",
    "build.rustc-workspace-wrapper",
    "build.rustc",
    "build.rustdoc",
    "build.target-dir",
    "build.build-dir",
];

/// Environment variables that change the build (prefixes end in `_`).
const ENV: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_JOBS",
    "CARGO_INCREMENTAL",
    "CARGO_BUILD_INCREMENTAL",
    "CARGO_BUILD_TARGET",
    "CARGO_PROFILE_",
    "CARGO_TARGET_",
];

/// The build settings in `env`, the cargo config files for a build in `build_dir` (with the
/// user's `cargo_home`), and the `[profile]` tables of `manifest`.
pub(crate) fn build_settings(
    env: impl IntoIterator<Item = (OsString, OsString)>,
    build_dir: &Path,
    cargo_home: Option<&Path>,
    manifest: &Path,
) -> Vec<Setting> {
    let mut settings: Vec<Setting> = env
        .into_iter()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .filter(|(k, _)| ENV.iter().any(|e| if e.ends_with('_') { k.starts_with(e) } else { k == e }))
        .filter(|(k, _)| !k.starts_with("CARGO_TARGET_") || k.ends_with("_LINKER") || k.ends_with("_RUSTFLAGS"))
        .map(|(key, value)| Setting { key, value, source: "environment".into() })
        .collect();
    settings.sort_by(|a, b| a.key.cmp(&b.key));
    for file in config_files(build_dir, cargo_home) {
        let Some(table) = std::fs::read_to_string(&file).ok().and_then(|t| t.parse::<toml::Table>().ok()) else {
            continue;
        };
        settings.extend(from_config(&table, &file));
    }
    if let Some(profiles) = std::fs::read_to_string(manifest)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| t.get("profile").cloned())
    {
        let mut found = Vec::new();
        flatten("profile", &profiles, &mut found);
        let source = manifest.display().to_string();
        settings.extend(found.into_iter().map(|(key, value)| Setting { key, value, source: source.clone() }));
    }
    settings
}

/// The config files cargo reads for a build in `dir`, most specific first, each once.
fn config_files(dir: &Path, cargo_home: Option<&Path>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    let dirs = dir.ancestors().map(|a| a.join(".cargo")).chain(cargo_home.map(Path::to_path_buf));
    for config_dir in dirs {
        for name in ["config.toml", "config"] {
            let file = config_dir.join(name);
            let canonical = file.canonicalize();
            if file.is_file() && !files.iter().any(|f| f.canonicalize().ok() == canonical.as_ref().ok().cloned()) {
                files.push(file);
                break;
            }
        }
    }
    files
}

/// The settings of one config file that change the build.
fn from_config(table: &toml::Table, file: &Path) -> Vec<Setting> {
    let mut found = Vec::new();
    if let Some(build) = table.get("build").and_then(toml::Value::as_table) {
        for key in ["rustflags", "jobs", "incremental", "target", "rustc-wrapper", "rustc-workspace-wrapper"] {
            if let Some(value) = build.get(key) {
                found.push((format!("build.{key}"), render(value)));
            }
        }
    }
    if let Some(targets) = table.get("target").and_then(toml::Value::as_table) {
        for (target, settings) in targets {
            for key in ["linker", "rustflags"] {
                if let Some(value) = settings.get(key) {
                    found.push((format!("target.{target}.{key}"), render(value)));
                }
            }
        }
    }
    if let Some(profiles) = table.get("profile") {
        flatten("profile", profiles, &mut found);
    }
    let source = file.display().to_string();
    found.into_iter().map(|(key, value)| Setting { key, value, source: source.clone() }).collect()
}

/// Every leaf of `value` as (`prefix.key.key`, value).
fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    match value.as_table() {
        Some(table) => table.iter().for_each(|(k, v)| flatten(&format!("{prefix}.{k}"), v, out)),
        None => out.push((prefix.to_string(), render(value))),
    }
}

fn render(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items.iter().map(render).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// The settings of `settings` that apply to a build of `profile` for `host`: a `[target]`
/// table of another triple (fd's Windows-only `+crt-static`) or a profile the build does not use
/// (`profile.release.lto` in a dev build) changes nothing the report measures. Kept: the
/// `cfg(...)` targets that hold for `host`, and every profile `profile` inherits from.
///
/// Settings timewarp overrides for every build are left out too, since they do not reach it:
/// the wrappers and tools (`build.rustc-wrapper`, ...) and the target directory, and the number
/// of jobs when `-j` pins it (`jobs_pinned`).
pub(crate) fn for_build(settings: Vec<Setting>, host: &str, profile: &str, jobs_pinned: bool) -> Vec<Setting> {
    let mut chain = vec![profile.to_string()];
    while let Some(parent) = settings
        .iter()
        .find(|s| s.key == format!("profile.{}.inherits", chain[chain.len() - 1]))
        .map(|s| s.value.clone())
        .filter(|p| !chain.contains(p))
    {
        chain.push(parent);
    }
    match chain[chain.len() - 1].as_str() {
        "test" => chain.push("dev".into()),
        "bench" => chain.push("release".into()),
        _ => {}
    }
    let host_env = format!("CARGO_TARGET_{}_", env_name(host));
    settings
        .into_iter()
        .filter(|s| !OVERRIDDEN.contains(&s.key.as_str()))
        .filter(|s| !(jobs_pinned && (s.key == "build.jobs" || s.key == "CARGO_BUILD_JOBS")))
        .filter(|s| {
            if let Some(rest) = s.key.strip_prefix("target.") {
                return rest.rsplit_once('.').is_some_and(|(target, _)| cfg::target_applies(target, host));
            }
            if let Some(rest) = s.key.strip_prefix("profile.") {
                return chain.iter().any(|p| rest.strip_prefix(p.as_str()).is_some_and(|r| r.starts_with('.')));
            }
            if s.key.starts_with("CARGO_TARGET_") {
                return s.key.starts_with(&host_env);
            }
            if let Some(rest) = s.key.strip_prefix("CARGO_PROFILE_") {
                return chain.iter().any(|p| rest.strip_prefix(&env_name(p)).is_some_and(|r| r.starts_with('_')));
            }
            true
        })
        .collect()
}

/// `name` (a target triple or a profile) as cargo spells it in an environment variable:
/// `x86_64-unknown-linux-gnu` → `X86_64_UNKNOWN_LINUX_GNU`.
pub(crate) fn env_name(name: &str) -> String {
    name.to_uppercase().replace(['-', '.'], "_")
}

/// The warning when `settings` turn incremental compilation off for the timed `profile`: the
/// rebuild columns then time rebuilds without it.
pub(crate) fn incremental_warning(settings: &[Setting], profile: &str) -> Option<String> {
    let env_profile = format!("CARGO_PROFILE_{}_INCREMENTAL", env_name(profile));
    let off = settings.iter().find(|s| {
        let off = s.value == "0" || s.value == "false";
        let key = s.key.as_str();
        off && (key == "CARGO_INCREMENTAL"
            || key == "CARGO_BUILD_INCREMENTAL"
            || key == "build.incremental"
            || key == env_profile
            || key == format!("profile.{profile}.incremental"))
    })?;
    Some(format!(
        "incremental compilation is off ({}={}, from {}): the touched and edited columns time rebuilds without it",
        off.key, off.value, off.source
    ))
}

/// The linker the settings choose for `host`, when they choose one: `target.<host>.linker` (or
/// the `linker` of a `[target.'cfg(...)']` table that holds for `host`), or `-C linker=...` /
/// `-C link-arg=-fuse-ld=...` in the rustflags.
pub(crate) fn configured_linker(settings: &[Setting], host: &str) -> Option<String> {
    linker_setting(settings, host, true)
}

/// The program the settings make rustc run to link: `target.<host>.linker`, its environment
/// variable, a matching `target.<cfg>.linker`, or `-C linker=` in rustflags; `None` for rustc's own choice (`cc` on Linux). A
/// `-fuse-ld=` changes what `cc` runs, not which program rustc runs.
pub(crate) fn linker_program(settings: &[Setting], host: &str) -> Option<String> {
    linker_setting(settings, host, false)
}

/// The linker the settings name; `fuse_ld` also reads `-C link-arg=-fuse-ld=NAME`.
fn linker_setting(settings: &[Setting], host: &str, fuse_ld: bool) -> Option<String> {
    let host_env = env_name(host);
    for setting in settings {
        let key = setting.key.as_str();
        if key == format!("target.{host}.linker") || key == format!("CARGO_TARGET_{host_env}_LINKER") {
            return Some(setting.value.clone());
        }
    }
    // As cargo: the triple's own table first, then a `cfg(...)` table that holds for the host.
    let cfg_linker = settings.iter().find(|s| {
        s.key
            .strip_prefix("target.")
            .and_then(|k| k.strip_suffix(".linker"))
            .is_some_and(|target| target.starts_with("cfg(") && cfg::target_applies(target, host))
    });
    if let Some(setting) = cfg_linker {
        return Some(setting.value.clone());
    }
    codegen_option(settings, |flag| {
        flag.strip_prefix("linker=")
            .or_else(|| flag.strip_prefix("link-arg=-fuse-ld=").filter(|_| fuse_ld))
            .or_else(|| flag.strip_prefix("link-args=-fuse-ld=").filter(|_| fuse_ld))
    })
}

/// The linker a `-C link-arg=-fuse-ld=NAME` in the rustflags makes the C compiler run, when one
/// does. It comes after rustc's own `-fuse-ld=` and wins, so a change of the toolchain's
/// default linker (rust-lld in official 1.90) does not reach these builds, whereas a `linker`
/// setting alone still gets rustc's `-fuse-ld=lld`.
pub(crate) fn chosen_ld(settings: &[Setting]) -> Option<String> {
    codegen_option(settings, |flag| {
        flag.strip_prefix("link-arg=-fuse-ld=").or_else(|| flag.strip_prefix("link-args=-fuse-ld="))
    })
}

/// The first `-C` option of the rustflags settings that `read` reads a value from.
fn codegen_option(settings: &[Setting], read: impl Fn(&str) -> Option<&str>) -> Option<String> {
    let flags = settings.iter().filter(|s| s.key.to_lowercase().contains("rustflags")).flat_map(|s| {
        let separator = if s.key == "CARGO_ENCODED_RUSTFLAGS" { '\u{1f}' } else { ' ' };
        s.value.split(separator).map(str::to_string).collect::<Vec<_>>()
    });
    let flags: Vec<String> = flags.collect();
    flags.iter().enumerate().find_map(|(i, flag)| {
        let flag = if flag == "-C" { flags.get(i + 1)?.as_str() } else { flag.strip_prefix("-C").unwrap_or(flag) };
        read(flag).map(str::to_string)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(key: &str, value: &str) -> Setting {
        Setting { key: key.into(), value: value.into(), source: "environment".into() }
    }

    #[test]
    fn the_environment_and_every_config_file_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("code/app");
        let home = dir.path().join("home/.cargo");
        for d in [ws.join(".cargo"), dir.path().join("code/.cargo"), home.clone()] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(
            ws.join(".cargo/config.toml"),
            "[build]\nincremental = false\n[target.x86_64-unknown-linux-gnu]\nlinker = \"clang\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("code/.cargo/config"), "[profile.dev]\nopt-level = 1\n").unwrap();
        std::fs::write(home.join("config.toml"), "[build]\njobs = 1\n[net]\nretry = 3\n").unwrap();
        std::fs::write(
            ws.join("Cargo.toml"),
            "[package]\nname = \"app\"\n[profile.dev.package.\"*\"]\ndebug = false\n",
        )
        .unwrap();
        let env =
            [("RUSTFLAGS", "-Cdebuginfo=0"), ("CARGO_INCREMENTAL", "0"), ("PATH", "/bin"), ("CARGO_TARGET_DIR", "/t")]
                .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let settings = build_settings(env, &ws, Some(&home), &ws.join("Cargo.toml"));
        let shown: Vec<String> = settings
            .iter()
            .map(|s| format!("{}={} ({})", s.key, s.value, s.source.rsplit('/').next().unwrap()))
            .collect();
        assert_eq!(
            shown,
            [
                "CARGO_INCREMENTAL=0 (environment)",
                "RUSTFLAGS=-Cdebuginfo=0 (environment)",
                "build.incremental=false (config.toml)",
                "target.x86_64-unknown-linux-gnu.linker=clang (config.toml)",
                "profile.dev.opt-level=1 (config)",
                "build.jobs=1 (config.toml)",
                "profile.dev.package.*.debug=false (Cargo.toml)",
            ]
        );
        assert_eq!(configured_linker(&settings, "x86_64-unknown-linux-gnu").as_deref(), Some("clang"));
        let warning = incremental_warning(&settings, "dev").unwrap();
        assert!(
            warning.starts_with("incremental compilation is off (CARGO_INCREMENTAL=0, from environment)"),
            "{warning}"
        );
    }

    #[test]
    fn only_settings_of_this_build_are_kept() {
        let keys = [
            "RUSTFLAGS",
            "target.x86_64-pc-windows-msvc.rustflags",
            "target.x86_64-unknown-linux-gnu.linker",
            "target.x86_64-unknown-linux-gnu-other.linker",
            "target.cfg(unix).rustflags",
            "target.cfg(windows).rustflags",
            "target.cfg(target_os = \"macos\").linker",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
            "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER",
            "profile.dev.debug",
            "profile.dev.package.*.debug",
            "profile.release.lto",
            "profile.debugging.inherits",
            "profile.ci.inherits",
            "profile.ci.debug",
            "profile.ci-fast.opt-level",
            "CARGO_PROFILE_RELEASE_LTO",
            "CARGO_PROFILE_DEV_DEBUG",
            "CARGO_PROFILE_CI_DEBUG",
            "build.incremental",
            "build.rustc-wrapper",
            "build.jobs",
            "CARGO_BUILD_JOBS",
        ];
        let settings: Vec<Setting> =
            keys.iter().map(|k| setting(k, if k.ends_with("inherits") { "dev" } else { "1" })).collect();
        let kept = |profile: &str| -> Vec<String> {
            for_build(settings.clone(), "x86_64-unknown-linux-gnu", profile, true).into_iter().map(|s| s.key).collect()
        };
        let unpinned: Vec<String> =
            for_build(settings.clone(), "x86_64-unknown-linux-gnu", "dev", false).into_iter().map(|s| s.key).collect();
        assert!(unpinned.ends_with(&["build.jobs".into(), "CARGO_BUILD_JOBS".into()]), "without -j they apply");
        assert!(!unpinned.contains(&"build.rustc-wrapper".into()), "the wrapper never reaches a timed build");
        assert_eq!(
            kept("dev"),
            [
                "RUSTFLAGS",
                "target.x86_64-unknown-linux-gnu.linker",
                "target.cfg(unix).rustflags",
                "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
                "profile.dev.debug",
                "profile.dev.package.*.debug",
                "CARGO_PROFILE_DEV_DEBUG",
                "build.incremental",
            ]
        );
        let ci = kept("ci");
        assert!(ci.contains(&"profile.ci.debug".to_string()) && ci.contains(&"profile.dev.debug".to_string()));
        assert!(ci.contains(&"CARGO_PROFILE_CI_DEBUG".to_string()), "{ci:?}");
        assert!(!ci.iter().any(|k| k.contains("release") || k.contains("ci-fast")), "{ci:?}");
        let release = kept("release");
        assert!(
            release.contains(&"profile.release.lto".to_string()) && !release.contains(&"profile.dev.debug".to_string())
        );
    }

    #[test]
    fn incremental_off_only_for_the_timed_profile() {
        assert!(incremental_warning(&[setting("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")], "dev").is_none());
        assert!(incremental_warning(&[setting("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")], "release").is_some());
        assert!(incremental_warning(&[setting("CARGO_INCREMENTAL", "1")], "dev").is_none());
        assert!(incremental_warning(&[], "dev").is_none());
    }

    #[test]
    fn linkers_chosen_through_rustflags() {
        let host = "x86_64-unknown-linux-gnu";
        assert_eq!(
            configured_linker(&[setting("RUSTFLAGS", "-C link-arg=-fuse-ld=mold")], host).as_deref(),
            Some("mold")
        );
        assert_eq!(
            configured_linker(&[setting("build.rustflags", "-Clinker=clang -O")], host).as_deref(),
            Some("clang")
        );
        let encoded = setting("CARGO_ENCODED_RUSTFLAGS", "-C\u{1f}link-arg=-fuse-ld=lld");
        assert_eq!(configured_linker(&[encoded], host).as_deref(), Some("lld"));
        assert_eq!(
            configured_linker(&[setting("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER", "cc")], host).as_deref(),
            Some("cc")
        );
        assert_eq!(configured_linker(&[setting("RUSTFLAGS", "-Cdebuginfo=0")], host), None);
        let mold = setting("RUSTFLAGS", "-C link-arg=-fuse-ld=mold");
        assert_eq!(linker_program(&[mold], host), None, "cc still runs, and runs mold");
        let clang = setting("build.rustflags", "-Clinker=clang -O");
        assert_eq!(linker_program(std::slice::from_ref(&clang), host).as_deref(), Some("clang"));
        assert_eq!(chosen_ld(&[clang]), None, "clang still gets rustc's -fuse-ld");
        assert_eq!(chosen_ld(&[setting("RUSTFLAGS", "-C link-arg=-fuse-ld=mold")]).as_deref(), Some("mold"));
    }

    #[test]
    fn a_linker_of_a_cfg_table_that_holds_for_the_host_is_the_configured_linker() {
        let host = "x86_64-unknown-linux-gnu";
        let slowcc = setting("target.cfg(target_os = \"linux\").linker", "slowcc");
        assert_eq!(configured_linker(std::slice::from_ref(&slowcc), host).as_deref(), Some("slowcc"));
        assert_eq!(linker_program(std::slice::from_ref(&slowcc), host).as_deref(), Some("slowcc"));
        let all = setting("target.cfg(all(unix, target_arch = \"x86_64\")).linker", "clang");
        assert_eq!(linker_program(&[all], host).as_deref(), Some("clang"));
        let other = setting("target.cfg(windows).linker", "lld-link");
        assert_eq!(linker_program(std::slice::from_ref(&other), host), None, "a table for other hosts");
        assert_eq!(linker_program(&[other, slowcc.clone()], host).as_deref(), Some("slowcc"));
        let triple = setting("target.x86_64-unknown-linux-gnu.linker", "gcc");
        assert_eq!(linker_program(&[slowcc, triple], host).as_deref(), Some("gcc"), "the triple's table wins");
    }
}
