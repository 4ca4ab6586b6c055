//! Which Rust toolchains are installed and what they really are.
//!
//! Names come from `rustup toolchain list`; the truth comes from `rustc +NAME -vV`, probed
//! concurrently. This module parses both, keeps the host's toolchains, tells stable from
//! pre-release and folds aliases (`stable` and `1.95.0`) into one [`Toolchain`]. It knows
//! nothing of MSRVs, selection or builds.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use semver::Version;

use super::release::{self, Date, Release};
use crate::process::{CommandSpec, Env, Runner};
use crate::vocab::{Linker, Provenance};

/// The target triple timewarp was built for, which is the host it runs on.
pub(crate) const HOST: &str = env!("TIMEWARP_HOST");

/// An installed toolchain, resolved to the compiler it really runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Toolchain {
    /// The name to pass as `+NAME`: rustup's name without the host suffix (`1.85.0`, `stable`).
    pub(crate) name: String,
    /// Other installed names for the same compiler (`stable` when `name` is `1.95.0`).
    pub(crate) aliases: Vec<String>,
    /// `release:` of `rustc -vV`, e.g. `1.95.0` or `1.97.0-nightly`.
    pub(crate) version: Version,
    /// `commit-date:` of `rustc -vV`; `None` for distribution builds that say `unknown`.
    pub(crate) commit_date: Option<Date>,
    /// `commit-hash:` of `rustc -vV`; `None` when unknown.
    pub(crate) commit_hash: Option<String>,
    /// When this version reached users: the train date for stable, the commit date otherwise.
    pub(crate) release_date: Date,
    /// `host:` of `rustc -vV`.
    pub(crate) host: String,
    /// The short `rustc -V` line, which also tells distribution builds apart.
    pub(crate) description: String,
}

impl Toolchain {
    /// The Rust project's own build of `version`, as rustup would install it, before it is
    /// installed (so selection can say what installing it would change).
    pub(crate) fn official_release(version: Version) -> Toolchain {
        Toolchain {
            name: version.to_string(),
            aliases: Vec::new(),
            release_date: release_date(&version, None),
            commit_date: None,
            commit_hash: Some("to-be-installed".into()),
            host: HOST.into(),
            description: format!("rustc {version}"),
            version,
        }
    }

    /// Stable means a release with no pre-release part: not `-nightly`, `-beta.3` or `-dev`.
    pub(crate) fn is_stable(&self) -> bool {
        self.version.pre.is_empty()
    }

    /// The release this toolchain is of: `1.63` for 1.63.0, 1.63.1 and 1.63.0-nightly alike.
    pub(crate) fn release(&self) -> Release {
        Release::of(&self.version)
    }

    /// Whether `name` names this toolchain, by its name, an alias or its exact version.
    pub(crate) fn answers_to(&self, name: &str) -> bool {
        let name = strip_host(name);
        self.name == name || self.aliases.iter().any(|a| a == name) || self.version.to_string() == name
    }

    /// Whether this compiler was built by a distribution rather than by the Rust project:
    /// packagers' builds say `built from a source tarball` or know no commit hash. They lack the
    /// official builds' PGO/BOLT optimisation, so their speed says little about the release.
    pub(crate) fn is_distribution_build(&self) -> bool {
        self.commit_hash.is_none() || self.description.contains("built from a source tarball")
    }

    /// Where the compiler comes from: the Rust project or a distribution.
    pub(crate) fn provenance(&self) -> Provenance {
        if self.is_distribution_build() { Provenance::Distribution } else { Provenance::Official }
    }

    /// The linker this toolchain uses by default on its host. Official x86_64 Linux builds link
    /// with the bundled rust-lld since 1.90; everything else calls the system C compiler, which
    /// links with GNU ld unless configured otherwise.
    pub(crate) fn default_linker(&self) -> Linker {
        let lld_default = self.host == "x86_64-unknown-linux-gnu"
            && !self.is_distribution_build()
            && self.release() >= Release::new(1, 90);
        if lld_default { Linker::RustLld } else { Linker::Cc }
    }

    /// rustc 1.52.1, 1.53 and 1.59 shipped with incremental compilation disabled by default
    /// (miscompilation workarounds); timewarp turns it back on for them with
    /// `RUSTC_FORCE_INCREMENTAL=1` so incremental rows mean the same thing across history.
    pub(crate) fn needs_forced_incremental(&self) -> bool {
        let v = &self.version;
        v.major == 1 && (v.minor == 53 || v.minor == 59 || (v.minor == 52 && v.patch >= 1))
    }

    /// The name of this toolchain's build directory under `<target-dir>/timewarp/`: its version
    /// (`1.85.0`), with the toolchain's name as build metadata when that is not the version
    /// (`1.95.0+stable`, `1.97.0-nightly+nightly`), so two builds of one version never share.
    pub(crate) fn dir_name(&self) -> String {
        if self.has_version_name() {
            return self.version.to_string();
        }
        let name: String =
            self.name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
        format!("{}+{name}", self.version)
    }

    /// Names that rustup itself uses for an official release, such as `1.85.0`.
    fn has_version_name(&self) -> bool {
        self.name == self.version.to_string()
    }
}

impl fmt::Display for Toolchain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A name rustup lists whose compiler could not be probed (a broken or partial install).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BrokenToolchain {
    /// The name as listed.
    pub(crate) name: String,
    /// Why `rustc +NAME -vV` did not answer, one line.
    pub(crate) error: String,
}

impl BrokenToolchain {
    /// The stable release its name stands for (`1.70.0`, or `1.70`, rustup's name for the newest
    /// patch of 1.70), when the name is one: rustup has that release installed even though its
    /// compiler did not answer. `None` for a channel (`stable`), a nightly or a custom name.
    pub(crate) fn release(&self) -> Option<Version> {
        let name = strip_host(&self.name);
        match name.split('.').collect::<Vec<_>>().as_slice() {
            [major, minor] => Some(Version::new(major.parse().ok()?, minor.parse().ok()?, 0)),
            _ => Version::parse(name).ok().filter(|v| v.pre.is_empty() && v.build.is_empty()),
        }
    }
}

/// Everything installed for this host: working toolchains, oldest first, and broken ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Inventory {
    /// Distinct compilers, sorted by version then name.
    pub(crate) toolchains: Vec<Toolchain>,
    /// Names whose compiler did not answer.
    pub(crate) broken: Vec<BrokenToolchain>,
}

impl Inventory {
    /// What rustup has installed, for deciding what `--install` installs: the toolchains that
    /// answered, and the release each one whose probe failed stands for by its name (a failed
    /// probe is not a missing toolchain; installing that release again would add a release the
    /// user did not ask for). `Err` with the broken toolchains that may be a stable release
    /// their name does not tell (a `stable` whose probe failed may be any release; a nightly
    /// or a beta is none).
    pub(crate) fn installed_releases(&self) -> std::result::Result<Vec<Toolchain>, Vec<&BrokenToolchain>> {
        let pre_release = |b: &BrokenToolchain| b.name.starts_with("nightly") || b.name.starts_with("beta");
        let unknown: Vec<&BrokenToolchain> =
            self.broken.iter().filter(|b| b.release().is_none() && !pre_release(b)).collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let mut installed = self.toolchains.clone();
        for broken in &self.broken {
            let Some(version) = broken.release() else { continue };
            if !installed.iter().any(|t| t.is_stable() && t.release() == Release::of(&version)) {
                installed.push(Toolchain { name: broken.name.clone(), ..Toolchain::official_release(version) });
            }
        }
        installed.sort_by(|a, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
        Ok(installed)
    }

    /// Which probes failed and why, one sentence: ``the probe of 1.70.0 failed (`rustc
    /// +1.70.0 -vV` timed out)``; `None` when every toolchain answered.
    pub(crate) fn failed_probes(&self) -> Option<String> {
        let each: Vec<String> = self.broken.iter().map(|b| format!("{} ({})", b.name, b.error)).collect();
        match each.len() {
            0 => None,
            1 => Some(format!("the probe of {} failed", each[0])),
            _ => Some(format!("the probes of {} failed", each.join(", "))),
        }
    }
}

/// The names `rustup toolchain list` gives, as listed (with the host suffix).
fn list(runner: &dyn Runner) -> Result<Vec<String>> {
    let list = CommandSpec::new(rustup_proxy(runner.env(), "rustup")).args(["toolchain", "list"]);
    let out = runner.run(&list).map_err(|e| {
        anyhow::anyhow!(
            "rustup is not installed or not on PATH ({e:#}); timewarp compares rustup toolchains, see https://rustup.rs"
        )
    })?;
    Ok(parse_toolchain_list(&out.ok_or_error(&list)?.stdout))
}

/// The installed toolchains' names without the host suffix (`1.70`, `stable`), unprobed.
pub(crate) fn listed(runner: &dyn Runner) -> Result<Vec<String>> {
    Ok(list(runner)?.iter().map(|name| strip_host(name).to_string()).collect())
}

/// Lists and probes the installed toolchains.
pub(crate) fn discover(runner: &dyn Runner) -> Result<Inventory> {
    let names = list(runner)?;
    if names.is_empty() {
        bail!("rustup has no toolchains installed; install one with `rustup toolchain install stable`");
    }
    let probes: Vec<(String, Result<RustcVersion>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = names.iter().map(|name| (name, scope.spawn(|| probe(runner, name)))).collect();
        handles
            .into_iter()
            .map(|(name, handle)| {
                let result = handle.join().unwrap_or_else(|_| Err(anyhow::anyhow!("probe panicked")));
                (name.clone(), result)
            })
            .collect()
    });
    Ok(build_inventory(probes))
}

/// How long `rustc -vV` may take before its toolchain counts as broken: it answers in well
/// under a second, and one that hangs (a clock tool that stalls it) must not hang the run.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

fn probe(runner: &dyn Runner, name: &str) -> Result<RustcVersion> {
    // -vV, not -V: packagers add text to the short form, and only -vV has the date and host.
    let verbose = CommandSpec::new(rustup_proxy(runner.env(), "rustc"))
        .arg(format!("+{name}"))
        .arg("-vV")
        .timeout(Some(PROBE_TIMEOUT));
    let out = runner.run(&verbose)?.ok_or_error(&verbose)?;
    parse_rustc_vv(&out.stdout).with_context(|| format!("could not read the output of `{verbose}`"))
}

/// Folds probe results into an inventory: keeps this host's toolchains, merges aliases.
fn build_inventory(probes: Vec<(String, Result<RustcVersion>)>) -> Inventory {
    let mut inventory = Inventory::default();
    for (listed, result) in probes {
        let name = strip_host(&listed).to_string();
        let rustc = match result {
            Ok(rustc) => rustc,
            Err(e) => {
                inventory.broken.push(BrokenToolchain { name, error: format!("{e:#}") });
                continue;
            }
        };
        if rustc.host != HOST {
            continue;
        }
        let same = inventory
            .toolchains
            .iter_mut()
            .find(|t| t.version == rustc.release && t.commit_hash == rustc.commit_hash && t.description == rustc.short);
        match same {
            Some(existing) => existing.aliases.push(name),
            None => inventory.toolchains.push(rustc.into_toolchain(name)),
        }
    }
    for toolchain in &mut inventory.toolchains {
        // Prefer the version-shaped name (`1.95.0`) over a channel alias (`stable`).
        if !toolchain.has_version_name()
            && let Some(pos) = toolchain.aliases.iter().position(|a| *a == toolchain.version.to_string())
        {
            let alias = toolchain.aliases.remove(pos);
            let old = std::mem::replace(&mut toolchain.name, alias);
            toolchain.aliases.push(old);
        }
        toolchain.aliases.sort();
    }
    inventory.toolchains.sort_by(|a, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
    inventory
}

/// What the user should know about a `rust-toolchain.toml` (or `rust-toolchain`) in the
/// workspace, `file`: every build names its toolchain, so it is ignored; and when it pins a
/// toolchain that is not installed, `cargo timewarp` stops in rustup's proxy before timewarp
/// starts, which `cargo +stable timewarp` avoids.
pub(crate) fn file_notes(file: Option<&Path>, inventory: &Inventory) -> Vec<String> {
    let Some(file) = file else { return Vec::new() };
    let mut notes = vec![format!("`{}` is ignored: every build names its toolchain with `+NAME`", file.display())];
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let channel = match text.parse::<toml::Table>() {
        Ok(table) => {
            table.get("toolchain").and_then(|t| t.get("channel")).and_then(toml::Value::as_str).map(str::to_string)
        }
        Err(_) => text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string),
    };
    if let Some(channel) = channel.filter(|c| !inventory.toolchains.iter().any(|t| t.answers_to(c))) {
        notes.push(format!(
            "it pins `{channel}`, which is not installed, so `cargo timewarp` stops in rustup's proxy before timewarp starts unless run as `cargo +stable timewarp`"
        ));
    }
    notes
}

/// The rustup proxy for `tool` (`cargo`, `rustc`, `rustup`) in `$CARGO_HOME/bin`, which
/// understands `+NAME`; the bare name when it is not there.
///
/// Called as a cargo subcommand, timewarp may find a toolchain's own `bin` directory first on
/// `PATH`, and a real cargo or rustc there rejects `+NAME`.
pub(crate) fn rustup_proxy(env: &Env, tool: &str) -> PathBuf {
    env.cargo_home()
        .map(|home| home.join("bin").join(format!("{tool}{}", std::env::consts::EXE_SUFFIX)))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(tool))
}

/// Removes rustup's `-<host>` suffix: `1.85.0-x86_64-unknown-linux-gnu` -> `1.85.0`.
pub(crate) fn strip_host(name: &str) -> &str {
    name.strip_suffix(HOST).and_then(|n| n.strip_suffix('-')).unwrap_or(name)
}

/// Toolchain names from `rustup toolchain list` (with or without `-v`), without markers such as
/// `(active, default)`, and without the line rustup prints when nothing is installed.
pub(crate) fn parse_toolchain_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| !name.starts_with('(') && *name != "no")
        .map(str::to_string)
        .collect()
}

/// The fields of `rustc -vV` that timewarp uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RustcVersion {
    /// `release:`.
    pub(crate) release: Version,
    /// `commit-hash:`, `None` for `unknown`.
    pub(crate) commit_hash: Option<String>,
    /// `commit-date:`, `None` for `unknown`.
    pub(crate) commit_date: Option<Date>,
    /// `host:`.
    pub(crate) host: String,
    /// The first line (`rustc 1.85.0 (4d91de4e4 2025-02-17) (built from a source tarball)`).
    pub(crate) short: String,
}

impl RustcVersion {
    fn into_toolchain(self, name: String) -> Toolchain {
        let release_date = release_date(&self.release, self.commit_date);
        Toolchain {
            name,
            aliases: Vec::new(),
            version: self.release,
            commit_date: self.commit_date,
            commit_hash: self.commit_hash,
            release_date,
            host: self.host,
            description: self.short,
        }
    }
}

/// The date a version reached users. Stable releases follow the six-week train exactly, so the
/// schedule is used even when a commit date is known (the commit precedes the release by days).
/// Pre-releases use their commit date; without one, the train date of their minor version.
pub(crate) fn release_date(version: &Version, commit_date: Option<Date>) -> Date {
    if version.major == 1 && (version.pre.is_empty() || commit_date.is_none()) {
        return release::stable_release_date(version.minor);
    }
    commit_date.unwrap_or_else(|| release::stable_release_date(version.minor))
}

/// Parses the output of `rustc -vV`.
pub(crate) fn parse_rustc_vv(text: &str) -> Result<RustcVersion> {
    let field = |key: &str| {
        text.lines().find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix(':'))).map(str::trim)
    };
    let known = |v: Option<&str>| v.filter(|v| !v.is_empty() && *v != "unknown").map(str::to_string);
    let Some(release) = field("release") else { bail!("it has no `release:` line") };
    let release = Version::parse(release).map_err(|e| anyhow::anyhow!("`release: {release}` is not a version: {e}"))?;
    let Some(host) = field("host") else { bail!("it has no `host:` line") };
    let commit_date = match known(field("commit-date")) {
        Some(d) => Some(d.parse::<Date>().map_err(|e| anyhow::anyhow!("bad `commit-date`: {e}"))?),
        None => None,
    };
    Ok(RustcVersion {
        release,
        commit_hash: known(field("commit-hash")),
        commit_date,
        host: host.to_string(),
        short: text.lines().next().unwrap_or_default().trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeRunner;

    fn broken(name: &str, error: &str) -> BrokenToolchain {
        BrokenToolchain { name: name.into(), error: error.into() }
    }

    #[test]
    fn a_toolchain_whose_probe_failed_is_still_installed() {
        let timed_out = "`rustc +1.70.0-x86_64-unknown-linux-gnu -vV` failed (timed out)";
        let inventory = Inventory {
            toolchains: vec![crate::testing::toolchain("1.96.0")],
            broken: vec![
                broken("1.70.0", timed_out),
                broken("1.61", "`rustc +1.61-x86_64-unknown-linux-gnu -vV` failed (exit status: 127)"),
                broken("nightly-2025-07-01", "killed"),
            ],
        };
        let installed = inventory.installed_releases().unwrap();
        let names: Vec<(&str, String)> = installed.iter().map(|t| (t.name.as_str(), t.version.to_string())).collect();
        assert_eq!(names, [("1.61", "1.61.0".into()), ("1.70.0", "1.70.0".into()), ("1.96.0", "1.96.0".into())]);
        assert_eq!(
            inventory.failed_probes().unwrap(),
            format!(
                "the probes of 1.70.0 ({timed_out}), 1.61 (`rustc +1.61-x86_64-unknown-linux-gnu -vV` failed (exit status: 127)), nightly-2025-07-01 (killed) failed"
            )
        );
        // A `stable` that did not answer may be any release: nothing can be said to be missing.
        let stable = Inventory { toolchains: Vec::new(), broken: vec![broken("stable", timed_out)] };
        let unknown = stable.installed_releases().unwrap_err();
        assert_eq!(unknown.iter().map(|b| b.name.as_str()).collect::<Vec<_>>(), ["stable"]);
        assert_eq!(stable.failed_probes().unwrap(), format!("the probe of stable ({timed_out}) failed"));
        assert_eq!(Inventory::default().failed_probes(), None);
    }

    const LIST: &str = include_str!("../../testdata/rustup-toolchain-list.txt");
    const STABLE: &str = include_str!("../../testdata/rustc-vV-stable.txt");
    const DEBIAN_163: &str = include_str!("../../testdata/rustc-vV-debian-1.63.txt");
    const DEBIAN_185: &str = include_str!("../../testdata/rustc-vV-debian-1.85.txt");
    const NIGHTLY: &str = include_str!("../../testdata/rustc-vV-nightly.txt");

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parses_rustup_list_in_all_its_shapes() {
        assert_eq!(
            parse_toolchain_list(LIST),
            [
                "stable-x86_64-unknown-linux-gnu",
                "nightly-x86_64-unknown-linux-gnu",
                "1.63.0-x86_64-unknown-linux-gnu",
                "1.85.0-x86_64-unknown-linux-gnu",
                "1.95.0-x86_64-unknown-linux-gnu",
                "1.96.0-x86_64-unknown-linux-gnu",
            ]
        );
        let verbose = "stable-x86_64-unknown-linux-gnu (active, default) /root/.rustup/toolchains/stable\nmy-build /src/rust/build\n";
        assert_eq!(parse_toolchain_list(verbose), ["stable-x86_64-unknown-linux-gnu", "my-build"]);
        assert!(parse_toolchain_list("no installed toolchains\n").is_empty());
        assert!(parse_toolchain_list("").is_empty());
    }

    #[test]
    fn parses_official_debian_and_nightly_rustc() {
        let stable = parse_rustc_vv(STABLE).unwrap();
        assert_eq!(stable.release, v("1.95.0"));
        assert_eq!(stable.commit_date, Some("2026-04-14".parse().unwrap()));
        assert_eq!(stable.host, "x86_64-unknown-linux-gnu");

        let old = parse_rustc_vv(DEBIAN_163).unwrap();
        assert_eq!(old.release, v("1.63.0"));
        assert_eq!(old.commit_date, None);
        assert_eq!(old.commit_hash, None);
        assert_eq!(old.short, "rustc 1.63.0");

        let debian = parse_rustc_vv(DEBIAN_185).unwrap();
        assert!(debian.short.contains("built from a source tarball"));

        let nightly = parse_rustc_vv(NIGHTLY).unwrap();
        assert_eq!(nightly.release.pre.as_str(), "nightly");
    }

    #[test]
    fn rejects_rustc_output_without_release_or_host() {
        for (text, msg) in [
            ("rustc 1.0\nhost: x\n", "no `release:` line"),
            ("release: 1.70.0\n", "no `host:` line"),
            ("release: banana\nhost: x\n", "`release: banana` is not a version"),
            ("release: 1.70.0\nhost: x\ncommit-date: yesterday\n", "bad `commit-date`"),
        ] {
            let err = parse_rustc_vv(text).unwrap_err().to_string();
            assert!(err.contains(msg), "{err}");
        }
    }

    #[test]
    fn release_dates_follow_the_train_for_stable_and_commits_for_nightly() {
        assert_eq!(release_date(&v("1.63.0"), None).to_string(), "2022-08-11");
        let commit = Some("2026-04-14".parse().unwrap());
        assert_eq!(release_date(&v("1.95.0"), commit).to_string(), "2026-04-16");
        assert_eq!(release_date(&v("1.97.0-nightly"), Some("2026-05-19".parse().unwrap())).to_string(), "2026-05-19");
        assert_eq!(release_date(&v("1.97.0-nightly"), None).to_string(), "2026-07-09");
    }

    fn find<'a>(inventory: &'a Inventory, name: &str) -> Option<&'a Toolchain> {
        inventory.toolchains.iter().find(|t| t.answers_to(name))
    }

    fn fake_machine() -> FakeRunner {
        FakeRunner::new()
            .ok("rustup toolchain list", LIST)
            .ok("rustc +stable-", STABLE)
            .ok("rustc +1.95.0-", STABLE)
            .ok("rustc +nightly-", NIGHTLY)
            .ok("rustc +1.63.0-", DEBIAN_163)
            .ok("rustc +1.85.0-", DEBIAN_185)
            .fail("rustc +1.96.0-", 1, "error: toolchain '1.96.0-x86_64-unknown-linux-gnu' is not installed")
    }

    #[test]
    fn discovers_merges_aliases_and_sorts() {
        let runner = fake_machine();
        let inv = discover(&runner).unwrap();
        let names: Vec<_> = inv.toolchains.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["1.63.0", "1.85.0", "1.95.0", "nightly"]);
        let stable = find(&inv, "stable").unwrap();
        assert_eq!(stable.name, "1.95.0");
        assert_eq!(stable.aliases, ["stable"]);
        assert!(find(&inv, "1.95.0-x86_64-unknown-linux-gnu").is_some());
        assert!(!find(&inv, "nightly").unwrap().is_stable());
        assert_eq!(inv.broken.len(), 1);
        assert_eq!(inv.broken[0].name, "1.96.0");
        assert!(inv.broken[0].error.contains("is not installed"), "{}", inv.broken[0].error);
        // One probe per listed name, each with -vV.
        let probes = runner.lines().iter().filter(|l| l.starts_with("rustc +") && l.ends_with(" -vV")).count();
        assert_eq!(probes, 6);
    }

    #[test]
    fn provenance_linker_and_forced_incremental() {
        let inv = discover(&fake_machine()).unwrap();
        let official = find(&inv, "stable").unwrap();
        assert_eq!((official.provenance(), official.default_linker()), (Provenance::Official, Linker::RustLld));
        for name in ["1.63.0", "1.85.0"] {
            let debian = find(&inv, name).unwrap();
            assert_eq!(
                (debian.provenance(), debian.default_linker()),
                (Provenance::Distribution, Linker::Cc),
                "{name}"
            );
        }
        let mut t = official.clone();
        for (version, forced) in
            [("1.52.0", false), ("1.52.1", true), ("1.53.0", true), ("1.54.0", false), ("1.59.0", true)]
        {
            t.version = Version::parse(version).unwrap();
            assert_eq!(t.needs_forced_incremental(), forced, "{version}");
        }
        t.version = Version::parse("1.89.0").unwrap();
        assert_eq!(t.default_linker(), Linker::Cc);
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(text in "\\PC*(\n\\PC*){0,8}") {
            let _ = parse_toolchain_list(&text);
            let _ = parse_rustc_vv(&text);
        }

        #[test]
        fn rustc_vv_with_arbitrary_field_values_never_panics(
            release in "\\PC{0,20}", date in "\\PC{0,12}", host in "\\PC{0,30}", hash in "\\PC{0,12}",
        ) {
            let text = format!("rustc x\nbinary: rustc\ncommit-hash: {hash}\ncommit-date: {date}\nhost: {host}\nrelease: {release}\n");
            if let Ok(parsed) = parse_rustc_vv(&text) {
                proptest::prop_assert_eq!(parsed.release.to_string(), release.trim());
            }
        }

        #[test]
        fn valid_releases_round_trip(minor in 0u64..500, patch in 0u64..10, nightly: bool) {
            let release = if nightly { format!("1.{minor}.{patch}-nightly") } else { format!("1.{minor}.{patch}") };
            let text = format!("rustc {release}\ncommit-hash: unknown\ncommit-date: unknown\nhost: {HOST}\nrelease: {release}\n");
            let parsed = parse_rustc_vv(&text).unwrap();
            proptest::prop_assert_eq!(parsed.release.to_string(), release);
            proptest::prop_assert_eq!(parsed.commit_date, None);
        }
    }

    #[test]
    fn build_directories_are_named_by_version_and_unique() {
        let inv = discover(&fake_machine()).unwrap();
        assert_eq!(find(&inv, "1.85.0").unwrap().dir_name(), "1.85.0");
        assert_eq!(find(&inv, "nightly").unwrap().dir_name(), "1.97.0-nightly+nightly");
        let mut custom = find(&inv, "1.85.0").unwrap().clone();
        custom.name = "debian/1.85 build".into();
        assert_eq!(custom.dir_name(), "1.85.0+debian-1-85-build");
        assert!(Version::parse(&custom.dir_name()).is_ok(), "still a version, so pruning recognises it");
    }

    #[test]
    fn a_toolchain_file_pinning_a_missing_toolchain_gets_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rust-toolchain.toml");
        std::fs::write(&file, "[toolchain]\nchannel = \"1.70.0\"\n").unwrap();
        let ws = Some(file.as_path());
        let inventory = discover(&fake_machine()).unwrap();
        let notes = file_notes(ws, &inventory);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[1].starts_with("it pins `1.70.0`, which is not installed")
                && notes[1].ends_with("`cargo +stable timewarp`")
        );
        std::fs::write(&file, "[toolchain]\nchannel = \"stable\"\n").unwrap();
        assert_eq!(file_notes(ws, &inventory).len(), 1, "installed: nothing to add");
        std::fs::write(&file, "1.63.0\n").unwrap();
        assert_eq!(file_notes(ws, &inventory).len(), 1, "the legacy plain file");
    }

    #[test]
    fn other_hosts_are_left_out() {
        let musl = STABLE.replace("x86_64-unknown-linux-gnu", "x86_64-unknown-linux-musl");
        let runner =
            FakeRunner::new().ok("rustup toolchain list", "stable-x86_64-unknown-linux-musl\n").ok("rustc +", &musl);
        assert!(discover(&runner).unwrap().toolchains.is_empty());
    }

    #[test]
    fn missing_rustup_is_one_sentence() {
        let err = discover(&FakeRunner::new()).unwrap_err();
        assert!(format!("{err:#}").starts_with("rustup is not installed or not on PATH"), "{err:#}");
    }

    #[test]
    fn empty_rustup_is_an_error() {
        let runner = FakeRunner::new().ok("rustup toolchain list", "no installed toolchains\n");
        assert!(discover(&runner).unwrap_err().to_string().contains("no toolchains installed"));
    }
}
