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
    /// The newest edition among those packages.
    DevDependencyEdition {
        /// 2021.
        edition: u16,
        /// `hashbrown 0.15.2`.
        dependency: String,
        /// The selected package whose dev-dependency brings it in.
        dependent: String,
    },
}

impl FloorKind {
    /// The short name JSON reports use: `rust-version`, `edition`, ...
    pub(crate) fn name(&self) -> &'static str {
        match self {
            FloorKind::RustVersion { .. } => "rust-version",
            FloorKind::Edition { .. } => "edition",
            FloorKind::WorkspaceInheritance { .. } => "workspace-inheritance",
            FloorKind::Resolver { .. } => "resolver",
            FloorKind::LockfileVersion { .. } => "lockfile-version",
            FloorKind::DependencyRustVersion { .. } => "dependency-rust-version",
            FloorKind::DependencyEdition { .. } => "dependency-edition",
            FloorKind::DevDependencyRustVersion { .. } => "dev-dependency-rust-version",
            FloorKind::DevDependencyEdition { .. } => "dev-dependency-edition",
        }
    }

    /// Whether the floor comes from a dependency rather than from the workspace itself.
    pub(crate) fn is_dependency(&self) -> bool {
        matches!(
            self,
            FloorKind::DependencyRustVersion { .. }
                | FloorKind::DependencyEdition { .. }
                | FloorKind::DevDependencyRustVersion { .. }
                | FloorKind::DevDependencyEdition { .. }
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
            FloorKind::DevDependencyEdition { edition, dependency, dependent } => {
                write!(f, "edition {edition} of {dependency}, which the tests of `{dependent}` build")
            }
        }
    }
}

/// One lower bound on the Rust version that can build the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MsrvFloor {
    /// The lowest version this reason allows.
    pub version: Version,
    /// Why.
    pub kind: FloorKind,
}

impl MsrvFloor {
    fn new(version: (u64, u64), kind: FloorKind) -> MsrvFloor {
        MsrvFloor { version: Version::new(1, version.0, version.1), kind }
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
    if v.patch == 0 && v.pre.is_empty() { format!("{}.{}", v.major, v.minor) } else { v.to_string() }
}

/// The floor an edition sets (2015 sets none).
pub(crate) fn edition_floor(edition: u16, package: &str) -> Option<MsrvFloor> {
    let version = match edition {
        2018 => (31, 0),
        2021 => (56, 0),
        2024 => (85, 0),
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
    uses.then(|| MsrvFloor::new((64, 0), FloorKind::WorkspaceInheritance { package: package.to_string() }))
}

/// The floor `resolver = "2"` or `"3"` in the root manifest sets.
pub(crate) fn resolver_floor(root_manifest: &toml::Table) -> Option<MsrvFloor> {
    let resolver = ["workspace", "package"]
        .iter()
        .find_map(|t| root_manifest.get(*t).and_then(|t| t.get("resolver")).and_then(toml::Value::as_str));
    match resolver {
        Some("2") => Some(MsrvFloor::new((51, 0), FloorKind::Resolver { resolver: 2 })),
        Some("3") => Some(MsrvFloor::new((84, 0), FloorKind::Resolver { resolver: 3 })),
        _ => None,
    }
}

/// The floor the lockfile format sets: version 3 needs cargo 1.47, version 4 needs 1.78.
pub(crate) fn lockfile_floor(version: Option<i64>) -> Option<MsrvFloor> {
    match version {
        Some(3) => Some(MsrvFloor::new((47, 0), FloorKind::LockfileVersion { version: 3 })),
        Some(4) => Some(MsrvFloor::new((78, 0), FloorKind::LockfileVersion { version: 4 })),
        _ => None,
    }
}

/// The floors of the locked dependencies the builds of `roots` compile: the highest
/// `rust-version` and the newest edition among the packages reachable from `roots` through
/// normal and build dependencies (dev-dependencies only build tests, whose floors are
/// [`test_floors`]). `metadata` must come from `cargo metadata --filter-platform <host>`, which
/// leaves out dependencies of other platforms. A dependency without `rust-version` adds only its
/// edition: no floor is guessed from publication dates.
pub(crate) fn dependency_floors(metadata: &Metadata, roots: &[&str]) -> Vec<MsrvFloor> {
    let reached = reachable(metadata, roots, false);
    highest(metadata, &reached, false)
}

/// The floors only test builds of `roots` have (`cargo test --no-run`): those of the packages
/// their dev-dependencies bring in that no other build compiles.
pub(crate) fn test_floors(metadata: &Metadata, roots: &[&str]) -> Vec<MsrvFloor> {
    let built: BTreeSet<PackageId> = reachable(metadata, roots, false).into_iter().map(|(id, _)| id).collect();
    let only_tests: Vec<(PackageId, String)> =
        reachable(metadata, roots, true).into_iter().filter(|(id, _)| !built.contains(id)).collect();
    highest(metadata, &only_tests, true)
}

/// Every package reachable from the members named in `roots` through normal and build
/// dependencies (and, with `tests`, the roots' own dev-dependencies), each with the name of the
/// selected package it is reached from: the root whose graph brings it in.
fn reachable(metadata: &Metadata, roots: &[&str], tests: bool) -> Vec<(PackageId, String)> {
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

/// The highest `rust-version` and the newest edition among `packages`, each reached from the
/// root it names, as dependency floors (of tests alone with `tests`).
fn highest(metadata: &Metadata, packages: &[(PackageId, String)], tests: bool) -> Vec<MsrvFloor> {
    let (mut rust_version, mut edition): (Option<MsrvFloor>, Option<MsrvFloor>) = (None, None);
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
                FloorKind::DependencyRustVersion { dependency: dependency.clone(), dependent: dependent.clone() }
            };
            rust_version = Some(MsrvFloor { version: v.clone(), kind });
        }
        let year = p.edition.as_str().parse().ok();
        if let (Some(year), Some(floor)) = (year, year.and_then(|y| edition_floor(y, &p.name)))
            && edition.as_ref().is_none_or(|f| floor.version > f.version)
        {
            let kind = if tests {
                FloorKind::DevDependencyEdition { edition: year, dependency, dependent }
            } else {
                FloorKind::DependencyEdition { edition: year, dependency, dependent }
            };
            edition = Some(MsrvFloor { version: floor.version, kind });
        }
    }
    rust_version.into_iter().chain(edition).collect()
}

/// Sorts floors highest first (ties by reason), so the first is the effective MSRV.
pub(crate) fn sort_highest_first(floors: &mut [MsrvFloor]) {
    floors.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.kind.to_string().cmp(&b.kind.to_string())));
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
        let floors: Vec<String> = dependency_floors(&metadata, &["dfl"]).iter().map(ToString::to_string).collect();
        assert_eq!(
            floors,
            [
                "1.61 (rust-version of memchr 2.7.4, a dependency of `dfl`)",
                "1.56 (edition 2021 of memchr 2.7.4, a dependency of `dfl`)",
            ],
            "the build-dependency counts; the dev-dependency (hashbrown, 1.65) and the Windows one (windows-link, 1.71) do not"
        );
        assert!(dependency_floors(&metadata, &["nope"]).is_empty());
        let tests: Vec<String> = test_floors(&metadata, &["dfl"]).iter().map(ToString::to_string).collect();
        assert_eq!(
            tests,
            [
                "1.65 (rust-version of hashbrown 0.15.2, which the tests of `dfl` build)",
                "1.56 (edition 2021 of hashbrown 0.15.2, which the tests of `dfl` build)",
            ],
            "only what the tests alone compile"
        );
        assert_eq!(test_floors(&metadata, &["dfl"])[0].kind.name(), "dev-dependency-rust-version");
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
    }

    #[test]
    fn short_versions() {
        assert_eq!(short_version(&Version::new(1, 80, 0)), "1.80");
        assert_eq!(short_version(&Version::new(1, 80, 1)), "1.80.1");
    }
}
