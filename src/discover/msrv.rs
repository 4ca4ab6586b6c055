//! The lowest Rust version that can build a workspace, as a list of floors, each with the kind of
//! reason behind it: a declared `rust-version`, an edition, workspace inheritance, the resolver,
//! the `Cargo.lock` format. The highest floor is the effective MSRV.
//!
//! Pure: it reads manifests and lockfiles handed to it as parsed values, and knows nothing of
//! toolchains or selection.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;

use cargo_metadata::{DependencyKind, Metadata, PackageId};
use semver::Version;
use serde::{Deserialize, Serialize};

use super::release::Release;

/// Why a floor exists; its `Display` is the phrase reports show ("rust-version of `app`").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum FloorKind {
    /// A selected package's `rust-version`: the MSRV its authors declare.
    RustVersion { package: String },
    /// A selected package's edition (2018: 1.31, 2021: 1.56, 2024: 1.85).
    Edition { edition: u16, package: String },
    /// `key.workspace = true` in a selected package (1.64).
    WorkspaceInheritance { package: String },
    /// `resolver = "2"` (1.51) or `"3"` (1.84) in the root manifest.
    Resolver { resolver: u8 },
    /// The `Cargo.lock` format (version 3: 1.47, version 4: 1.78).
    LockfileVersion { version: i64 },
    /// The highest `rust-version` among the locked dependencies the builds compile.
    DependencyRustVersion {
        /// `once_cell 1.20.2`.
        dependency: String,
        /// The package that depends on it.
        dependent: String,
    },
    /// The newest edition among those dependencies.
    DependencyEdition {
        /// 2021.
        edition: u16,
        /// `regex 1.6.0`.
        dependency: String,
        /// The package that depends on it.
        dependent: String,
    },
    /// The highest `rust-version` among the locked packages only test builds compile (the
    /// dev-dependencies and what they depend on): a floor of the `test` scenario alone.
    DevDependencyRustVersion {
        /// `hashbrown 0.15.2`.
        dependency: String,
        /// The selected package whose dev-dependency brings it in.
        dependent: String,
    },
    /// The newest edition among the locked packages no build compiles (dev-dependencies, the
    /// dependencies of other members): a floor of every scenario all the same, since cargo
    /// reads every locked manifest to resolve and an old cargo cannot parse a newer edition.
    LockedEdition {
        /// 2021.
        edition: u16,
        /// `once_cell 1.20.2`.
        dependency: String,
    },
    /// A locked package whose features use `dep:` or `?/` (namespaced and weak dependency
    /// features, 1.60), which an older cargo cannot parse: a floor of every scenario.
    LockedFeatureSyntax {
        /// `once_cell 1.20.2`.
        dependency: String,
    },
}

/// A [`FloorKind`] without its details: what JSON reports state as a floor's `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FloorSource {
    /// `rust-version`.
    RustVersion,
    /// `edition`.
    Edition,
    /// `workspace-inheritance`.
    WorkspaceInheritance,
    /// `resolver`.
    Resolver,
    /// `lockfile-version`.
    LockfileVersion,
    /// `dependency-rust-version`.
    DependencyRustVersion,
    /// `dependency-edition`.
    DependencyEdition,
    /// `dev-dependency-rust-version`.
    DevDependencyRustVersion,
    /// `locked-edition`.
    LockedEdition,
    /// `locked-feature-syntax`.
    LockedFeatureSyntax,
}

impl FloorKind {
    /// Which kind, without the details.
    pub(crate) fn source(&self) -> FloorSource {
        match self {
            FloorKind::RustVersion { .. } => FloorSource::RustVersion,
            FloorKind::Edition { .. } => FloorSource::Edition,
            FloorKind::WorkspaceInheritance { .. } => FloorSource::WorkspaceInheritance,
            FloorKind::Resolver { .. } => FloorSource::Resolver,
            FloorKind::LockfileVersion { .. } => FloorSource::LockfileVersion,
            FloorKind::DependencyRustVersion { .. } => FloorSource::DependencyRustVersion,
            FloorKind::DependencyEdition { .. } => FloorSource::DependencyEdition,
            FloorKind::DevDependencyRustVersion { .. } => FloorSource::DevDependencyRustVersion,
            FloorKind::LockedEdition { .. } => FloorSource::LockedEdition,
            FloorKind::LockedFeatureSyntax { .. } => FloorSource::LockedFeatureSyntax,
        }
    }

    /// The short name JSON reports use: `rust-version`, `edition`, ...
    #[cfg(test)]
    pub(crate) fn name(&self) -> String {
        serde_json::to_value(self.source()).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    /// Whether the floor comes from a dependency rather than from the workspace itself.
    pub(crate) fn is_dependency(&self) -> bool {
        matches!(
            self,
            FloorKind::DependencyRustVersion { .. }
                | FloorKind::DependencyEdition { .. }
                | FloorKind::DevDependencyRustVersion { .. }
                | FloorKind::LockedEdition { .. }
                | FloorKind::LockedFeatureSyntax { .. }
        )
    }
}

impl fmt::Display for FloorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FloorKind::RustVersion { package } => write!(f, "rust-version of `{package}`"),
            FloorKind::Edition { edition, package } => write!(f, "edition {edition} of `{package}`"),
            FloorKind::WorkspaceInheritance { package } => write!(f, "workspace inheritance in `{package}`"),
            FloorKind::Resolver { resolver } => write!(f, "resolver = \"{resolver}\""),
            FloorKind::LockfileVersion { version } => write!(f, "Cargo.lock version {version}"),
            FloorKind::DependencyRustVersion { dependency, dependent } => {
                write!(f, "rust-version of {dependency}, a dependency of `{dependent}`")
            }
            FloorKind::DependencyEdition { edition, dependency, dependent } => {
                write!(f, "edition {edition} of {dependency}, a dependency of `{dependent}`")
            }
            FloorKind::DevDependencyRustVersion { dependency, dependent } => {
                write!(f, "rust-version of {dependency}, which the tests of `{dependent}` build")
            }
            FloorKind::LockedEdition { edition, dependency } => {
                write!(f, "edition {edition} of {dependency}, locked in Cargo.lock: cargo reads every locked manifest")
            }
            FloorKind::LockedFeatureSyntax { dependency } => {
                write!(
                    f,
                    "`dep:` or `?/` features of {dependency}, locked in Cargo.lock: cargo reads every locked manifest"
                )
            }
        }
    }
}

/// One lower bound on the Rust version that can build the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MsrvFloor {
    /// The lowest version this reason allows.
    pub(crate) version: Version,
    /// Why.
    pub(crate) kind: FloorKind,
}

impl MsrvFloor {
    fn new(release: Release, kind: FloorKind) -> MsrvFloor {
        MsrvFloor { version: release.first_version(), kind }
    }

    /// Whether this floor is a `rust-version` the workspace itself declares: what
    /// `--verify-msrv` checks.
    pub(crate) fn is_declared(&self) -> bool {
        matches!(self.kind, FloorKind::RustVersion { .. })
    }
}

impl fmt::Display for MsrvFloor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", short_version(&self.version), self.kind)
    }
}

/// `1.80` for `1.80.0`, the way people write MSRVs.
pub(crate) fn short_version(v: &Version) -> String {
    if v.patch == 0 && v.pre.is_empty() { Release::of(v).to_string() } else { v.to_string() }
}

/// The floor an edition sets (2015 sets none).
pub(crate) fn edition_floor(edition: u16, package: &str) -> Option<MsrvFloor> {
    let version = match edition {
        2018 => Release::new(1, 31),
        2021 => Release::new(1, 56),
        2024 => Release::new(1, 85),
        _ => return None,
    };
    Some(MsrvFloor::new(version, FloorKind::Edition { edition, package: package.to_string() }))
}

/// The floor a declared `rust-version` sets.
pub(crate) fn rust_version_floor(version: &Version, package: &str) -> MsrvFloor {
    MsrvFloor { version: version.clone(), kind: FloorKind::RustVersion { package: package.to_string() } }
}

/// The floor `key.workspace = true` sets, when `manifest` uses it anywhere cargo allows.
pub(crate) fn inheritance_floor(manifest: &toml::Table, package: &str) -> Option<MsrvFloor> {
    let inherits = |v: &toml::Value| v.get("workspace").and_then(toml::Value::as_bool) == Some(true);
    let tables_with_deps = ["dependencies", "dev-dependencies", "build-dependencies"];
    let in_package = manifest.get("package").and_then(toml::Value::as_table).is_some_and(|t| t.values().any(inherits));
    let in_deps = |t: &toml::Table| {
        tables_with_deps
            .iter()
            .any(|k| t.get(*k).and_then(toml::Value::as_table).is_some_and(|d| d.values().any(inherits)))
    };
    let in_targets = manifest
        .get("target")
        .and_then(toml::Value::as_table)
        .is_some_and(|targets| targets.values().filter_map(toml::Value::as_table).any(in_deps));
    let uses = in_package || in_deps(manifest) || in_targets || manifest.get("lints").is_some_and(inherits);
    uses.then(|| MsrvFloor::new(Release::new(1, 64), FloorKind::WorkspaceInheritance { package: package.to_string() }))
}

/// The floor `resolver = "2"` or `"3"` in the root manifest sets.
pub(crate) fn resolver_floor(root_manifest: &toml::Table) -> Option<MsrvFloor> {
    let resolver = ["workspace", "package"]
        .iter()
        .find_map(|t| root_manifest.get(*t).and_then(|t| t.get("resolver")).and_then(toml::Value::as_str));
    match resolver {
        Some("2") => Some(MsrvFloor::new(Release::new(1, 51), FloorKind::Resolver { resolver: 2 })),
        Some("3") => Some(MsrvFloor::new(Release::new(1, 84), FloorKind::Resolver { resolver: 3 })),
        _ => None,
    }
}

/// The floor the lockfile format sets: version 3 needs cargo 1.47, version 4 needs 1.78.
pub(crate) fn lockfile_floor(version: Option<i64>) -> Option<MsrvFloor> {
    match version {
        Some(3) => Some(MsrvFloor::new(Release::new(1, 47), FloorKind::LockfileVersion { version: 3 })),
        Some(4) => Some(MsrvFloor::new(Release::new(1, 78), FloorKind::LockfileVersion { version: 4 })),
        _ => None,
    }
}

/// The floors the locked dependencies set for every build of `roots`: the highest
/// `rust-version` among the packages reachable from `roots` through normal and build
/// dependencies (those the builds compile; dev-dependencies compile only in test builds, whose
/// floors are [`test_floors`]), and what cargo needs to read every locked manifest, which it
/// does to resolve whatever it builds (a dev-dependency of edition 2021 stops cargo 1.46's
/// plain `cargo build`): the newest edition and the `dep:`/`?/` feature syntax among all
/// locked packages. `metadata` must come from `cargo metadata --filter-platform <host>`, which
/// leaves out dependencies of other platforms; `every`, when known, from `cargo metadata`
/// without it, since `cargo vendor` copies every platform's packages and cargo reads all their
/// manifests. A dependency without `rust-version` adds only its edition: no floor is guessed
/// from publication dates.
pub(crate) fn dependency_floors(metadata: &Metadata, every: Option<&Metadata>, roots: &[&str]) -> Vec<MsrvFloor> {
    let reached = reachable(metadata, roots, false);
    let mut floors: Vec<MsrvFloor> = highest_rust_version(metadata, &reached, false).into_iter().collect();
    floors.extend(manifest_floors(metadata, every.unwrap_or(metadata), &reached));
    floors
}

/// The floors only test builds of `roots` have (`cargo test --no-run`): the highest
/// `rust-version` of the packages their dev-dependencies bring in that no other build compiles
/// (their editions are floors of every build, see [`dependency_floors`]).
pub(crate) fn test_floors(metadata: &Metadata, roots: &[&str]) -> Vec<MsrvFloor> {
    let built: BTreeSet<PackageId> = reachable(metadata, roots, false).into_iter().map(|(id, _)| id).collect();
    let only_tests: Vec<(PackageId, String)> =
        reachable(metadata, roots, true).into_iter().filter(|(id, _)| !built.contains(id)).collect();
    highest_rust_version(metadata, &only_tests, true).into_iter().collect()
}

/// What reading every locked manifest needs: the newest edition and the first use of `dep:` or
/// `?/` features among the locked packages (the workspace's own members aside, whose floors are
/// the workspace's). The packages the builds compile, `built`, come first, so that an edition
/// one of them shares with a package nothing compiles is named as theirs, with its dependent.
fn manifest_floors(metadata: &Metadata, every: &Metadata, built: &[(PackageId, String)]) -> Vec<MsrvFloor> {
    let package = |id: &PackageId| metadata.packages.iter().find(|p| p.id == *id);
    let is_built = |id: &PackageId| built.iter().any(|(b, _)| b == id);
    let members: BTreeSet<&PackageId> = every.workspace_members.iter().collect();
    let others = every.packages.iter().filter(|p| !members.contains(&p.id) && !is_built(&p.id));
    let order = built
        .iter()
        .filter_map(|(id, dependent)| Some((package(id)?, Some(dependent))))
        .chain(others.map(|p| (p, None)));
    let (mut edition, mut syntax): (Option<MsrvFloor>, Option<MsrvFloor>) = (None, None);
    for (p, dependent) in order {
        let dependency = format!("{} {}", p.name, p.version);
        let year = p.edition.as_str().parse().ok();
        if let (Some(year), Some(floor)) = (year, year.and_then(|y| edition_floor(y, &p.name)))
            && edition.as_ref().is_none_or(|f| floor.version > f.version)
        {
            let kind = match dependent {
                Some(dependent) => FloorKind::DependencyEdition {
                    edition: year,
                    dependency: dependency.clone(),
                    dependent: dependent.clone(),
                },
                None => FloorKind::LockedEdition { edition: year, dependency: dependency.clone() },
            };
            edition = Some(MsrvFloor { version: floor.version, kind });
        }
        if syntax.is_none() && uses_dependency_feature_syntax(&p.features) {
            syntax = Some(MsrvFloor::new(Release::new(1, 60), FloorKind::LockedFeatureSyntax { dependency }));
        }
    }
    edition.into_iter().chain(syntax).collect()
}

/// Whether `features` (as `cargo metadata` shows them) use `dep:` or `?/`, which cargo before
/// 1.60 cannot parse. The features cargo makes itself for optional dependencies (`serde =
/// ["dep:serde"]`, shown whatever the manifest says) are no such use.
fn uses_dependency_feature_syntax(features: &std::collections::BTreeMap<String, Vec<String>>) -> bool {
    features.iter().any(|(name, values)| {
        let implicit = values.len() == 1 && values[0].strip_prefix("dep:") == Some(name.as_str());
        !implicit && values.iter().any(|v| v.starts_with("dep:") || v.contains("?/"))
    })
}

/// Every package reachable from the members named in `roots` through normal and build
/// dependencies (and, with `tests`, the roots' own dev-dependencies), each with the name of the
/// selected package it is reached from: the root whose graph brings it in.
pub(super) fn reachable(metadata: &Metadata, roots: &[&str], tests: bool) -> Vec<(PackageId, String)> {
    let Some(resolve) = &metadata.resolve else { return Vec::new() };
    let package = |id: &PackageId| metadata.packages.iter().find(|p| p.id == *id);
    let starts: Vec<&PackageId> = metadata
        .workspace_members
        .iter()
        .filter(|id| package(id).is_some_and(|p| roots.contains(&p.name.as_str())))
        .collect();
    let mut seen: BTreeSet<&PackageId> = starts.iter().copied().collect();
    let mut queue: VecDeque<(&PackageId, String, bool)> =
        starts.iter().map(|id| (*id, package(id).map_or_else(String::new, |p| p.name.to_string()), true)).collect();
    let mut found = Vec::new();
    while let Some((id, root, is_root)) = queue.pop_front() {
        let Some(node) = resolve.nodes.iter().find(|n| n.id == *id) else { continue };
        let followed = node
            .deps
            .iter()
            .filter(|d| d.dep_kinds.iter().any(|k| k.kind != DependencyKind::Development || (tests && is_root)));
        for dep in followed {
            if seen.insert(&dep.pkg) {
                found.push((dep.pkg.clone(), root.clone()));
                queue.push_back((&dep.pkg, root.clone(), false));
            }
        }
    }
    found
}

/// The highest `rust-version` among `packages`, each reached from the root it names, as a
/// dependency floor (of tests alone with `tests`).
fn highest_rust_version(metadata: &Metadata, packages: &[(PackageId, String)], tests: bool) -> Option<MsrvFloor> {
    let mut rust_version: Option<MsrvFloor> = None;
    for (id, dependent) in packages {
        let Some(p) = metadata.packages.iter().find(|p| p.id == *id) else { continue };
        let dependency = format!("{} {}", p.name, p.version);
        let dependent = dependent.clone();
        if let Some(v) = &p.rust_version
            && rust_version.as_ref().is_none_or(|f| *v > f.version)
        {
            let kind = if tests {
                FloorKind::DevDependencyRustVersion { dependency: dependency.clone(), dependent: dependent.clone() }
            } else {
                FloorKind::DependencyRustVersion { dependency, dependent }
            };
            rust_version = Some(MsrvFloor { version: v.clone(), kind });
        }
    }
    rust_version
}

/// Sorts floors highest first, so the first is the effective MSRV; of floors at one version, a
/// locked manifest's syntax comes after a declared `rust-version` (the reason people know),
/// then by reason.
pub(crate) fn sort_highest_first(floors: &mut [MsrvFloor]) {
    let syntax =
        |f: &MsrvFloor| matches!(f.kind, FloorKind::LockedEdition { .. } | FloorKind::LockedFeatureSyntax { .. });
    floors.sort_by(|a, b| {
        b.version
            .cmp(&a.version)
            .then_with(|| syntax(a).cmp(&syntax(b)))
            .then_with(|| a.kind.to_string().cmp(&b.kind.to_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo metadata --filter-platform x86_64-unknown-linux-gnu` of a package declaring
    /// rust-version 1.48 with: once_cell 1.20.2 (rust-version 1.60) as a dependency, memchr
    /// 2.7.4 (1.61) as a build-dependency, hashbrown 0.15.2 (1.65) as a dev-dependency, and
    /// windows-link 0.2.1 (1.71) for Windows only.
    const DEPENDENCIES: &str = include_str!("../../testdata/metadata-dependency-floors.json");

    #[test]
    fn the_locked_graph_sets_floors_from_what_the_builds_compile() {
        let metadata = cargo_metadata::MetadataCommand::parse(DEPENDENCIES).unwrap();
        let floors: Vec<String> =
            dependency_floors(&metadata, None, &["dfl"]).iter().map(ToString::to_string).collect();
        assert_eq!(
            floors,
            [
                "1.61 (rust-version of memchr 2.7.4, a dependency of `dfl`)",
                "1.56 (edition 2021 of memchr 2.7.4, a dependency of `dfl`)",
                "1.60 (`dep:` or `?/` features of memchr 2.7.4, locked in Cargo.lock: cargo reads every locked manifest)",
            ],
            "the build-dependency's rust-version counts; the dev-dependency's (hashbrown, 1.65) and the Windows one's (windows-link, 1.71) do not"
        );
        let unbuilt: Vec<String> =
            dependency_floors(&metadata, None, &["nope"]).iter().map(|f| f.kind.name()).collect();
        assert_eq!(unbuilt, ["locked-edition", "locked-feature-syntax"], "read to resolve, whatever is built");
        let tests: Vec<String> = test_floors(&metadata, &["dfl"]).iter().map(ToString::to_string).collect();
        assert_eq!(
            tests,
            ["1.65 (rust-version of hashbrown 0.15.2, which the tests of `dfl` build)"],
            "only what the tests alone compile; its edition is every build's floor"
        );
        assert_eq!(test_floors(&metadata, &["dfl"])[0].kind.name(), "dev-dependency-rust-version");
    }

    /// Issue 31 item 18: a workspace whose only dependency is the dev-dependency `once_cell =
    /// "=1.20.2"` (edition 2021, rust-version 1.60, `dep:` features). Cargo 1.46 fails even
    /// the clean build, which compiles nothing of it: it reads every locked manifest to resolve.
    #[test]
    fn a_dev_dependency_s_manifest_is_a_floor_of_every_build_and_its_rust_version_of_tests_alone() {
        let mut json: serde_json::Value = serde_json::from_str(DEPENDENCIES).unwrap();
        let keep = |p: &serde_json::Value| ["dfl", "once_cell"].contains(&p["name"].as_str().unwrap());
        json["packages"].as_array_mut().unwrap().retain(keep);
        let dfl = &mut json["resolve"]["nodes"][0];
        dfl["deps"].as_array_mut().unwrap().retain(|d| d["name"] == "once_cell");
        dfl["deps"][0]["dep_kinds"] = serde_json::json!([{ "kind": "dev", "target": null }]);
        dfl["dependencies"] = serde_json::json!([dfl["deps"][0]["pkg"].clone()]);
        let metadata = cargo_metadata::MetadataCommand::parse(json.to_string()).unwrap();
        let mut floors = dependency_floors(&metadata, None, &["dfl"]);
        floors.extend(lockfile_floor(Some(3)));
        sort_highest_first(&mut floors);
        let text: Vec<String> = floors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "1.60 (`dep:` or `?/` features of once_cell 1.20.2, locked in Cargo.lock: cargo reads every locked manifest)",
                "1.56 (edition 2021 of once_cell 1.20.2, locked in Cargo.lock: cargo reads every locked manifest)",
                "1.47 (Cargo.lock version 3)",
            ],
            "the MSRV is 1.60, not 1.47"
        );
        assert_eq!(floors[0].kind.name(), "locked-feature-syntax");
        assert_eq!(floors[1].kind.name(), "locked-edition");
        assert!(floors[0].kind.is_dependency() && floors[1].kind.is_dependency());
        let tests: Vec<String> = test_floors(&metadata, &["dfl"]).iter().map(ToString::to_string).collect();
        assert_eq!(tests, ["1.60 (rust-version of once_cell 1.20.2, which the tests of `dfl` build)"]);

        // Without explicit `dep:` features (cargo shows `name = ["dep:name"]` for every optional
        // dependency whatever the manifest says), the edition is the floor.
        once_cell_features_with(&mut json, serde_json::json!({ "parking_lot_core": ["dep:parking_lot_core"] }));
        let metadata = cargo_metadata::MetadataCommand::parse(json.to_string()).unwrap();
        let floors: Vec<String> =
            dependency_floors(&metadata, None, &["dfl"]).iter().map(ToString::to_string).collect();
        assert_eq!(
            floors,
            ["1.56 (edition 2021 of once_cell 1.20.2, locked in Cargo.lock: cargo reads every locked manifest)"]
        );
        once_cell_features_with(&mut json, serde_json::json!({ "nightly": ["allocator-api2?/nightly"] }));
        let metadata = cargo_metadata::MetadataCommand::parse(json.to_string()).unwrap();
        assert!(dependency_floors(&metadata, None, &["dfl"]).iter().any(|f| f.kind.name() == "locked-feature-syntax"));
    }

    /// `cargo vendor` copies the packages of every platform, and cargo reads their manifests
    /// too: a Windows-only package's edition is a floor on Linux.
    #[test]
    fn every_platforms_locked_manifests_count() {
        let host = cargo_metadata::MetadataCommand::parse(DEPENDENCIES).unwrap();
        let mut json: serde_json::Value = serde_json::from_str(DEPENDENCIES).unwrap();
        let mut windows = json["packages"][3].clone();
        windows["name"] = "windows-link".into();
        windows["version"] = "0.2.1".into();
        windows["id"] = "registry+https://github.com/rust-lang/crates.io-index#windows-link@0.2.1".into();
        windows["edition"] = "2024".into();
        windows["features"] = serde_json::json!({});
        json["packages"].as_array_mut().unwrap().push(windows);
        let every = cargo_metadata::MetadataCommand::parse(json.to_string()).unwrap();
        let floors: Vec<String> =
            dependency_floors(&host, Some(&every), &["dfl"]).iter().map(ToString::to_string).collect();
        assert!(
            floors.contains(
                &"1.85 (edition 2024 of windows-link 0.2.1, locked in Cargo.lock: cargo reads every locked manifest)"
                    .to_string()
            ),
            "{floors:?}"
        );
        assert!(
            floors[0].starts_with("1.61 (rust-version of memchr 2.7.4"),
            "its rust-version is no floor: {floors:?}"
        );
    }

    fn once_cell_features_with(json: &mut serde_json::Value, features: serde_json::Value) {
        let packages = json["packages"].as_array_mut().unwrap();
        packages.iter_mut().find(|p| p["name"] == "once_cell").unwrap()["features"] = features;
    }

    fn table(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn each_kind_says_why_and_has_a_name() {
        let floors = [
            (rust_version_floor(&Version::new(1, 80, 0), "core"), "1.80 (rust-version of `core`)", "rust-version"),
            (edition_floor(2024, "app").unwrap(), "1.85 (edition 2024 of `app`)", "edition"),
            (lockfile_floor(Some(4)).unwrap(), "1.78 (Cargo.lock version 4)", "lockfile-version"),
            (resolver_floor(&table("[workspace]\nresolver = \"3\"")).unwrap(), "1.84 (resolver = \"3\")", "resolver"),
        ];
        for (floor, text, name) in floors {
            assert_eq!(floor.to_string(), text);
            assert_eq!(floor.kind.name(), name);
        }
        assert!(rust_version_floor(&Version::new(1, 70, 1), "x").is_declared());
        let dependency =
            FloorKind::DependencyRustVersion { dependency: "once_cell 1.20.2".into(), dependent: "dfl".into() };
        assert_eq!(dependency.to_string(), "rust-version of once_cell 1.20.2, a dependency of `dfl`");
        assert!(dependency.is_dependency() && !FloorKind::Resolver { resolver: 2 }.is_dependency());
        assert!(!edition_floor(2021, "x").unwrap().is_declared());
        assert!(edition_floor(2015, "x").is_none());
        assert!(lockfile_floor(Some(2)).is_none());
    }

    #[test]
    fn inheritance_is_found_wherever_cargo_allows_it() {
        for manifest in [
            "[package]\nversion.workspace = true",
            "[dependencies]\nserde.workspace = true",
            "[target.'cfg(unix)'.dev-dependencies]\nlibc = { workspace = true }",
            "[lints]\nworkspace = true",
        ] {
            let floor = inheritance_floor(&table(manifest), "app").unwrap_or_else(|| panic!("{manifest}"));
            assert_eq!(floor.to_string(), "1.64 (workspace inheritance in `app`)");
        }
        assert!(inheritance_floor(&table("[package]\nversion = \"1.0.0\""), "app").is_none());
    }

    #[test]
    fn highest_first() {
        let mut floors = vec![lockfile_floor(Some(3)).unwrap(), edition_floor(2021, "b").unwrap()];
        floors.push(edition_floor(2021, "a").unwrap());
        sort_highest_first(&mut floors);
        let text: Vec<String> = floors.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["1.56 (edition 2021 of `a`)", "1.56 (edition 2021 of `b`)", "1.47 (Cargo.lock version 3)"]);
        let syntax =
            MsrvFloor::new(Release::new(1, 60), FloorKind::LockedFeatureSyntax { dependency: "a 1.0.0".into() });
        let declared = MsrvFloor::new(
            Release::new(1, 60),
            FloorKind::DependencyRustVersion { dependency: "once_cell 1.20.2".into(), dependent: "x".into() },
        );
        let mut floors = vec![syntax, declared];
        sort_highest_first(&mut floors);
        assert_eq!(floors[0].kind.name(), "dependency-rust-version", "the reason people know first");
    }

    #[test]
    fn short_versions() {
        assert_eq!(short_version(&Version::new(1, 80, 0)), "1.80");
        assert_eq!(short_version(&Version::new(1, 80, 1)), "1.80.1");
    }
}
