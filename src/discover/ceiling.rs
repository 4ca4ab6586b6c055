//! The newest Rust a locked graph can be built with: a locked package that compilers from some
//! release on reject. The opposite of [`super::msrv`]'s floors, and what an old revision meets
//! most: `time` 0.3 before 0.3.35 fails on Rust 1.80 and newer (an inference change,
//! rust-lang/rust#127343), so every project that locked it between 2022 and mid-2024 builds on
//! 1.79 at most. A toolchain at or above the ceiling is passed over with the reason, instead of
//! spending a build on a failure the lockfile already shows.
//!
//! Pure: it reads the resolved graph handed to it. Only breakages seen in public reports are
//! listed, with the versions and features they were seen with; anything else fails in its row
//! as before, with the compiler's message.

use std::fmt;

use cargo_metadata::{Metadata, PackageId};
use semver::Version;

use super::msrv::short_version;

/// The first release that cannot build the locked graph, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ceiling {
    /// The first release that rejects the package.
    pub(crate) version: Version,
    /// The package as locked: `time 0.3.30`.
    pub(crate) dependency: String,
    /// The package that depends on it (a member, or the chain's first dependency).
    pub(crate) dependent: String,
    /// Where the breakage is known from: `rust-lang/rust#127343`.
    pub(crate) reference: &'static str,
    /// What fixes it: `time 0.3.35 and later build on them`.
    pub(crate) fix: &'static str,
}

impl Ceiling {
    /// The note said once, when the workspace is read: what is passed over, and what fixes it.
    pub(crate) fn note(&self) -> String {
        format!(
            "the locked {} fails to build from Rust {} on ({}), so newer toolchains are passed over; {} (`cargo update -p {}` in a checkout)",
            self.dependency,
            short_version(&self.version),
            self.reference,
            self.fix,
            self.dependency.split(' ').next().unwrap_or_default()
        )
    }
}

impl fmt::Display for Ceiling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = Version::new(self.version.major, self.version.minor.saturating_sub(1), 0);
        write!(
            f,
            "{} ({}, a dependency of `{}`, fails from {} on: {})",
            short_version(&last),
            self.dependency,
            self.dependent,
            short_version(&self.version),
            self.reference
        )
    }
}

/// A known breakage: versions `from..below` of `name`, built with every feature of one of
/// `features`, fail on Rust `rejected_from` and newer.
struct Breakage {
    name: &'static str,
    from: (u64, u64, u64),
    below: (u64, u64, u64),
    features: &'static [&'static [&'static str]],
    rejected_from: (u64, u64, u64),
    reference: &'static str,
    fix: &'static str,
}

/// Seen in public reports: time 0.3.22 through 0.3.34 (`format_description::parse_owned`, built
/// with `alloc` and `formatting` or `parsing`) fail with E0282 "type annotations needed for
/// `Box<_>`" from Rust 1.80.0.
const BREAKAGES: &[Breakage] = &[Breakage {
    name: "time",
    from: (0, 3, 22),
    below: (0, 3, 35),
    features: &[&["alloc", "formatting"], &["alloc", "parsing"]],
    rejected_from: (1, 80, 0),
    reference: "rust-lang/rust#127343",
    fix: "a revision that locks time 0.3.35 or later builds on them",
}];

/// The lowest ceiling among the packages the builds of `roots` compile (`reached`, each with its
/// dependent, from [`super::msrv::reachable`]), or `None`.
pub(crate) fn lowest(metadata: &Metadata, reached: &[(PackageId, String)]) -> Option<Ceiling> {
    let resolve = metadata.resolve.as_ref()?;
    let mut lowest: Option<Ceiling> = None;
    for (id, dependent) in reached {
        let Some(package) = metadata.packages.iter().find(|p| p.id == *id) else { continue };
        let features: Vec<&str> = resolve
            .nodes
            .iter()
            .find(|n| n.id == *id)
            .map(|n| n.features.iter().map(|f| f.as_str()).collect())
            .unwrap_or_default();
        let v = &package.version;
        for b in BREAKAGES.iter().filter(|b| package.name.as_str() == b.name) {
            let version = (v.major, v.minor, v.patch);
            let enabled = b.features.iter().any(|set| set.iter().all(|f| features.contains(f)));
            let rejected_from = Version::new(b.rejected_from.0, b.rejected_from.1, b.rejected_from.2);
            if b.from <= version
                && version < b.below
                && v.pre.is_empty()
                && enabled
                && lowest.as_ref().is_none_or(|c| rejected_from < c.version)
            {
                lowest = Some(Ceiling {
                    version: rejected_from,
                    dependency: format!("{} {}", package.name, v),
                    dependent: dependent.clone(),
                    reference: b.reference,
                    fix: b.fix,
                });
            }
        }
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph of `app` depending on `time` at `version` with `features`.
    fn graph(version: &str, features: &[&str]) -> Metadata {
        let id = |name: &str, v: &str| format!("registry+https://github.com/rust-lang/crates.io-index#{name}@{v}");
        let package = |name: &str, v: &str| {
            serde_json::json!({
                "name": name, "version": v, "id": id(name, v), "source": null, "dependencies": [],
                "targets": [], "features": {}, "manifest_path": format!("/p/{name}/Cargo.toml"),
                "edition": "2021", "authors": [], "categories": [], "keywords": [], "license": null,
                "description": null, "metadata": null, "publish": null, "readme": null,
                "repository": null, "homepage": null, "documentation": null, "links": null,
                "rust_version": null, "default_run": null, "license_file": null
            })
        };
        serde_json::from_value(serde_json::json!({
            "packages": [package("app", "0.1.0"), package("time", version)],
            "workspace_members": [id("app", "0.1.0")],
            "workspace_default_members": [id("app", "0.1.0")],
            "resolve": {"root": id("app", "0.1.0"), "nodes": [
                {"id": id("app", "0.1.0"), "dependencies": [id("time", version)],
                 "deps": [{"name": "time", "pkg": id("time", version), "dep_kinds": [{"kind": null, "target": null}]}],
                 "features": []},
                {"id": id("time", version), "dependencies": [], "deps": [], "features": features}
            ]},
            "target_directory": "/p/target", "version": 1, "workspace_root": "/p", "metadata": null
        }))
        .unwrap()
    }

    fn ceiling_of(version: &str, features: &[&str]) -> Option<Ceiling> {
        let metadata = graph(version, features);
        let time = metadata.packages.iter().find(|p| p.name.as_str() == "time").unwrap().id.clone();
        lowest(&metadata, &[(time, "app".into())])
    }

    /// Found on eza v0.18.0 (time 0.3.30): Rust 1.96.0 spent a build failing with E0282.
    #[test]
    fn a_locked_time_before_0_3_35_with_formatting_builds_on_1_79_at_most() {
        let ceiling = ceiling_of("0.3.30", &["alloc", "formatting", "std"]).unwrap();
        assert_eq!(ceiling.version, Version::new(1, 80, 0));
        assert_eq!(
            ceiling.to_string(),
            "1.79 (time 0.3.30, a dependency of `app`, fails from 1.80 on: rust-lang/rust#127343)"
        );
        assert_eq!(
            ceiling.note(),
            "the locked time 0.3.30 fails to build from Rust 1.80 on (rust-lang/rust#127343), so newer toolchains are \
             passed over; a revision that locks time 0.3.35 or later builds on them (`cargo update -p time` in a checkout)"
        );
        assert!(ceiling_of("0.3.34", &["alloc", "parsing"]).is_some());
    }

    #[test]
    fn a_fixed_time_or_one_without_the_failing_code_has_no_ceiling() {
        assert_eq!(ceiling_of("0.3.35", &["alloc", "formatting"]), None);
        assert_eq!(ceiling_of("0.3.36", &["alloc", "formatting"]), None);
        assert_eq!(ceiling_of("0.3.30", &["std"]), None, "no format_description without formatting or parsing");
        assert_eq!(ceiling_of("0.3.30", &["formatting"]), None, "parse_owned needs alloc");
        assert_eq!(ceiling_of("0.3.21", &["alloc", "formatting"]), None, "not seen to fail");
    }
}
