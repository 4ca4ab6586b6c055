//! What the user's workspace is: root, target directory, the packages to build, the file to
//! touch for incremental builds, and its effective MSRV with every floor and its reason.
//!
//! Reads `cargo metadata --no-deps` (through the [`Runner`]) and, for what metadata does not
//! say (workspace inheritance, resolver, lockfile version), the manifests and Cargo.lock
//! themselves. It writes nothing. Of toolchains it knows only which cargo reads the workspace
//! (the one that called timewarp, else rustup's proxy with the newest stable, handed in) and the
//! host triple, both from `toolchain`; nothing of selection or timing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use cargo_metadata::{DependencyKind, Edition, Metadata, Package};

use super::ceiling::{self, Ceiling};
use super::msrv::{self, MsrvFloor};
use super::toolchain::{HOST, Toolchain, rustup_proxy};
use crate::exit::ExitError;
use crate::fs;
use crate::process::{CommandSpec, Env, Runner, first_error_line};

/// The inspected workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Workspace {
    /// The directory holding the root `Cargo.toml`.
    pub(crate) root: PathBuf,
    /// The root manifest, passed to every build as `--manifest-path`.
    pub(crate) manifest_path: PathBuf,
    /// The workspace's target directory; timewarp works only below `<target>/timewarp/`.
    pub(crate) target_dir: PathBuf,
    /// Names of the packages built: the `-p` selection, else the default members.
    pub(crate) packages: Vec<String>,
    /// Whether the user narrowed the build with `-p`, so builds must pass `-p` too.
    pub(crate) explicit_packages: bool,
    /// Every reason the workspace needs a minimum Rust version, highest first.
    pub(crate) msrv_floors: Vec<MsrvFloor>,
    /// The highest `rust-version` the selected packages declare: what `--verify-msrv` checks.
    pub(crate) declared_rust_version: Option<MsrvFloor>,
    /// A `rust-toolchain.toml` or `rust-toolchain` file at the root, which `+NAME` overrides.
    pub(crate) toolchain_file: Option<PathBuf>,
    /// Its format version (`version = 3`), when it says.
    pub(crate) lockfile_version: Option<i64>,
    /// The root source file of the package at the top of the member dependency graph.
    pub(crate) default_touch_file: Option<PathBuf>,
    /// The library the `deep` scenario edits, when a built library has a built dependent.
    pub(crate) deep: Option<DeepTarget>,
    /// The proc-macro libraries a built package depends on, which `deep` passes over (they can
    /// export no item but their macros), by name.
    pub(crate) deep_proc_macros: Vec<String>,
    /// Floors of test builds alone (the locked dev-dependencies' and what they bring in),
    /// highest first; they apply to the `test` scenario only.
    pub(crate) test_floors: Vec<MsrvFloor>,
    /// The first release that cannot build the locked graph, when a locked package is known to
    /// fail from some release on.
    pub(crate) ceiling: Option<Ceiling>,
    /// What the inspection could not find out, for the user to know.
    pub(crate) notes: Vec<String>,
    /// Every member package, to tell which one a touched file belongs to.
    pub(crate) members: Vec<Member>,
    /// The directories of the path packages outside the members that the build reads (path
    /// dependencies, `[patch]` paths): no output may land in them.
    pub(crate) path_packages: Vec<PathBuf>,
}

/// A member package: its name, its directory and the directories of the targets a build
/// compiles (libraries, binaries, proc-macros, build scripts; not tests, benches or examples,
/// nor a target whose `required-features` a default build lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// The package name.
    pub(crate) name: String,
    /// The directory of its manifest.
    pub(crate) dir: PathBuf,
    /// The directories holding the root source file of each target a build compiles.
    pub(crate) built_dirs: Vec<PathBuf>,
}

/// The library the `deep` scenario edits: among the built packages, the library the most others
/// depend on, directly or through each other (through normal and build dependencies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeepTarget {
    /// Its package.
    pub(crate) package: String,
    /// Its library's root source file.
    pub(crate) file: PathBuf,
    /// The built packages that depend on it, by name.
    pub(crate) dependents: Vec<String>,
}

impl Workspace {
    /// The member package `file` belongs to: the one whose directory is the deepest that holds it.
    pub(crate) fn member_of(&self, file: &Path) -> Option<&Member> {
        self.members.iter().filter(|m| file.starts_with(&m.dir)).max_by_key(|m| m.dir.components().count())
    }
}

impl Workspace {
    /// The effective MSRV: the highest floor, if there is any.
    pub(crate) fn msrv(&self) -> Option<&MsrvFloor> {
        self.msrv_floors.first()
    }
}

/// Where to look and what to select.
#[derive(Debug, Clone, Default)]
pub(crate) struct WorkspaceRequest {
    /// `--manifest-path`; the current directory's workspace when `None`.
    pub(crate) manifest_path: Option<PathBuf>,
    /// `-p/--package` names.
    pub(crate) packages: Vec<String>,
    /// The cargo binary to ask for metadata.
    pub(crate) cargo: PathBuf,
    /// `+NAME` for that cargo when it is rustup's proxy, so a `rust-toolchain.toml` pinning a
    /// toolchain that is not installed cannot stop the inspection.
    pub(crate) toolchain: Option<String>,
    /// The rustc that cargo should ask about the host, when it is a toolchain's own cargo.
    pub(crate) rustc: Option<PathBuf>,
    /// Started by a cargo (`$CARGO`): rustup's proxy and the newest stable toolchain, to read the
    /// workspace with when that cargo cannot (an old toolchain pinned by `RUSTUP_TOOLCHAIN` or a
    /// toolchain file, reading a newer manifest).
    pub(crate) fallback: Option<(PathBuf, String)>,
}

impl WorkspaceRequest {
    /// The request for the workspace at `manifest_path` (else the current directory's), asking
    /// the cargo that called timewarp (`$CARGO`) or, run directly, rustup's proxy with
    /// `newest_stable`, whatever a rust-toolchain file in the workspace pins.
    pub(crate) fn new(
        env: &Env,
        manifest_path: Option<PathBuf>,
        packages: &[String],
        newest_stable: Option<&Toolchain>,
    ) -> Self {
        let (cargo, toolchain) = match env.non_empty("CARGO") {
            Some(cargo) => (PathBuf::from(cargo), None),
            None => (rustup_proxy(env, "cargo"), newest_stable.map(|t| t.name.clone())),
        };
        let fallback =
            newest_stable.filter(|_| toolchain.is_none()).map(|t| (rustup_proxy(env, "cargo"), t.name.clone()));
        // The rustc beside a toolchain's own cargo, which `cargo metadata --filter-platform`
        // asks about the host; rustup's proxy on PATH might pick another toolchain, or none.
        let rustc = cargo.with_file_name(format!("rustc{}", std::env::consts::EXE_SUFFIX));
        let rustc = (toolchain.is_none() && cargo.is_absolute() && rustc.is_file()).then_some(rustc);
        WorkspaceRequest { manifest_path, packages: packages.to_vec(), cargo, toolchain, rustc, fallback }
    }

    /// The same request through rustup's proxy with the fallback toolchain, if there is one.
    fn through_fallback(&self) -> Option<WorkspaceRequest> {
        let (proxy, name) = self.fallback.clone()?;
        Some(WorkspaceRequest { cargo: proxy, toolchain: Some(name), rustc: None, fallback: None, ..self.clone() })
    }
}

/// Runs `cargo metadata` and inspects the workspace it describes, with the floors its locked
/// dependencies set.
pub(crate) fn inspect(runner: &dyn Runner, request: &WorkspaceRequest) -> Result<Workspace> {
    if let Some(path) = request.manifest_path.as_ref().filter(|p| !p.is_file()) {
        bail!("manifest path `{}` does not exist", path.display());
    }
    let here = match &request.manifest_path {
        Some(path) => path.clone(),
        None => runner.working_dir(),
    };
    if here.to_str().is_none() {
        bail!(
            "cargo cannot work in `{}`: the path is not valid UTF-8; move or copy the workspace to a path that is",
            here.display()
        );
    }
    let mut request = request.clone();
    let mut cmd = request.metadata(&["--no-deps"]);
    let mut out = runner.run(&cmd)?;
    let mut notes = Vec::new();
    if !out.success()
        && let Some(fallback) = request.through_fallback()
    {
        let retry = fallback.metadata(&["--no-deps"]);
        let again = runner.run(&retry)?;
        if again.success() {
            notes.push(format!(
                "the cargo that started timewarp (`{}`) cannot read this workspace, so timewarp read it with `cargo +{}`; a RUSTUP_TOOLCHAIN or rust-toolchain file pins an older toolchain, which `cargo +stable timewarp` avoids",
                request.cargo.display(),
                fallback.toolchain.as_deref().unwrap_or("stable")
            ));
            (request, cmd, out) = (fallback, retry, again);
        }
    }
    if !out.success() {
        let base = runner.working_dir();
        bail!(
            "{}",
            metadata_error(&out.stderr, &base).unwrap_or_else(|| format!("`{cmd}` failed ({})", out.status_text()))
        );
    }
    let metadata = cargo_metadata::MetadataCommand::parse(&out.stdout)
        .with_context(|| format!("could not parse the output of `{cmd}`"))?;
    let mut workspace = from_metadata(&metadata, &request.packages)?;
    workspace.notes.extend(notes);
    if workspace.lockfile_version.is_some() || workspace.root.join("Cargo.lock").is_file() {
        match locked_graph(runner, &request, true) {
            Ok(graph) => {
                let roots: Vec<&str> = workspace.packages.iter().map(String::as_str).collect();
                // Every platform's packages too: `cargo vendor` copies them all, and cargo reads
                // every vendored manifest. Without them, the host's stand for all.
                let every = locked_graph(runner, &request, false).ok();
                workspace.msrv_floors.extend(msrv::dependency_floors(&graph, every.as_ref(), &roots));
                msrv::sort_highest_first(&mut workspace.msrv_floors);
                workspace.test_floors = msrv::test_floors(&graph, &roots);
                workspace.ceiling = ceiling::lowest(&graph, &msrv::reachable(&graph, &roots, false));
                workspace.notes.extend(workspace.ceiling.as_ref().map(Ceiling::note));
                msrv::sort_highest_first(&mut workspace.test_floors);
            }
            Err(e) => workspace.notes.push(format!("the floors of the locked dependencies are unknown: {e:#}")),
        }
    } else {
        workspace.notes.push(
            "the workspace has no Cargo.lock, so the floors its dependencies set are unknown; timewarp creates one for the run only"
                .to_string(),
        );
    }
    Ok(workspace)
}

impl WorkspaceRequest {
    /// `cargo metadata --format-version 1 ARGS` for this request's workspace.
    fn metadata(&self, args: &[&str]) -> CommandSpec {
        // A rust-toolchain file must not make metadata fail: any installed cargo reads any manifest.
        let mut cmd = CommandSpec::new(self.cargo.clone())
            .args(self.toolchain.iter().map(|name| format!("+{name}")))
            .args(["metadata", "--format-version", "1"])
            .args(args)
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            // `--filter-platform` asks rustc about the host, and a wrapper (sccache) has no business there.
            .env("RUSTC_WRAPPER", "");
        if let Some(rustc) = &self.rustc {
            cmd = cmd.env("RUSTC", rustc);
        }
        match &self.manifest_path {
            Some(path) => cmd.arg("--manifest-path").arg(path),
            None => cmd,
        }
    }
}

/// The locked dependency graph (the host's alone with `host_only`), read without changing
/// `Cargo.lock`: offline first (from what cargo has downloaded before), else from the registry.
fn locked_graph(runner: &dyn Runner, request: &WorkspaceRequest, host_only: bool) -> Result<Metadata> {
    let args: &[&str] = if host_only { &["--locked", "--filter-platform", HOST] } else { &["--locked"] };
    let offline = request.metadata(args).arg("--offline");
    let mut out = runner.run(&offline)?;
    let mut cmd = offline;
    if !out.success() {
        cmd = request.metadata(args);
        out = runner.run(&cmd)?;
    }
    let out = out.ok_or_error(&cmd)?;
    cargo_metadata::MetadataCommand::parse(&out.stdout)
        .with_context(|| format!("could not parse the output of `{cmd}`"))
}

/// The file to touch: `given` (`--touch`, which must be a file inside the user's workspace) or
/// the measured workspace's default, mapped into the measured workspace (a `--rev` copy of the
/// user's) when the two differ.
pub(crate) fn resolve_touch_file(given: Option<&Path>, user: &Workspace, measured: &Workspace) -> Result<PathBuf> {
    let Some(given) = given else {
        return measured.default_touch_file.clone().ok_or_else(|| {
            ExitError::usage("the workspace has no source file to touch; name one with `--touch PATH`")
        });
    };
    let outside = || {
        ExitError::usage(format!(
            "`--touch` file `{}` is not a file inside the workspace `{}`",
            given.display(),
            user.root.display()
        ))
    };
    let path = given
        .canonicalize()
        .map_err(|_| ExitError::usage(format!("`--touch` file `{}` does not exist", given.display())))?;
    let root = user.root.canonicalize().unwrap_or_else(|_| user.root.clone());
    let relative = path.strip_prefix(&root).map_err(|_| outside())?;
    if !path.is_file() {
        return Err(outside());
    }
    let mapped = measured.root.join(relative);
    if !mapped.is_file() {
        return Err(ExitError::usage(format!(
            "`--touch` file `{}` does not exist in that revision",
            relative.display()
        )));
    }
    Ok(mapped)
}

/// The path a write to `file` lands on (links followed), when that lies inside `root`; else why
/// not, as the end of a sentence that names the file: timewarp touches and edits only files of
/// the workspace it measures, never one elsewhere that a link in the tree leads to.
pub(crate) fn real_file_inside(file: &Path, root: &Path) -> std::result::Result<PathBuf, String> {
    let real = file.canonicalize().map_err(|e| {
        format!("`{}` cannot be resolved ({e}) inside the workspace `{}`", file.display(), root.display())
    })?;
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    match real.strip_prefix(&canonical_root) {
        // The same file, named from `root` as given (a root reached through a link stays so), so
        // that paths compared with the workspace's keep matching.
        Ok(inside) => Ok(root.join(inside)),
        Err(_) => Err(format!(
            "`{}` leads to `{}`, outside the workspace `{}`",
            file.display(),
            real.display(),
            canonical_root.display()
        )),
    }
}

/// Fails, before any build, when the modification time of `file` cannot be set (a read-only
/// mount, a checkout owned by another user): the rebuilds could not be started, and the error
/// says the way out that fits the cause.
pub(crate) fn check_touchable(file: &Path) -> Result<()> {
    let mtime = fs::modified(file)?;
    fs::set_times(file, None, mtime).map_err(|e| {
        let way_out = if e.raw_os_error() == Some(libc::EROFS) {
            "the file system is read-only, so time a copy with `--rev HEAD`, which timewarp exports outside the workspace"
        } else {
            "run as the file's owner, or time a copy with `--rev HEAD`"
        };
        anyhow::anyhow!(
            "cannot change the modification time of `{}` ({e}), which timewarp touches before each rebuild; {way_out}",
            file.display()
        )
    })
}

/// Cargo's own sentence for a failed `cargo metadata`, without its `error:` prefix, with its
/// `Caused by:` chain on the same line (see [`first_error_line`]), and with the file and
/// position when cargo points at one (`--> Cargo.toml:1:9`, relative to `base`, the directory
/// cargo ran in).
fn metadata_error(stderr: &str, base: &Path) -> Option<String> {
    let line = first_error_line(stderr)?;
    let message = line.trim_start_matches("error:").trim().to_string();
    let location = stderr.lines().find_map(|l| l.trim().strip_prefix("--> "));
    let Some((file, position)) = location.and_then(|loc| loc.split_once(':')) else {
        return Some(message);
    };
    let position = position.replacen(':', ", column ", 1);
    let file = base.join(file);
    let file = file.canonicalize().unwrap_or(file);
    Some(format!("could not parse `{}` (line {position}): {message}", file.display()))
}

/// Builds a [`Workspace`] from parsed metadata plus the manifests and lockfile on disk.
pub(crate) fn from_metadata(metadata: &Metadata, wanted: &[String]) -> Result<Workspace> {
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let members = metadata.workspace_packages();
    let selected: Vec<&Package> = if wanted.is_empty() {
        if metadata.workspace_default_members.is_available() {
            metadata.workspace_default_packages()
        } else {
            members.clone()
        }
    } else {
        let mut selected: Vec<&Package> = Vec::new();
        for spec in wanted {
            let matching: Vec<&Package> = members.iter().copied().filter(|p| matches_spec(p, spec)).collect();
            match matching.as_slice() {
                [p] => {
                    if !selected.iter().any(|s| s.id == p.id) {
                        selected.push(p);
                    }
                }
                [] => {
                    let names: Vec<String> = members.iter().map(|p| format!("{}@{}", p.name, p.version)).collect();
                    let message =
                        format!("package `{spec}` is not a member of the workspace (members: {})", names.join(", "));
                    return Err(ExitError::usage(message));
                }
                several => {
                    let ids: Vec<String> = several.iter().map(|p| format!("{}@{}", p.name, p.version)).collect();
                    return Err(ExitError::usage(format!(
                        "package `{spec}` matches several members ({}); add the version, as in `{}`",
                        ids.join(", "),
                        ids[0]
                    )));
                }
            }
        }
        selected
    };

    let lockfile = Some(root.join("Cargo.lock")).filter(|p| p.is_file());
    let mut floors = Vec::new();
    for package in &selected {
        floors.extend(package_floors(package)?);
    }
    floors.extend(msrv::resolver_floor(&read_toml(&root.join("Cargo.toml"))?));
    let lockfile_version = match &lockfile {
        Some(lock) => read_toml(lock)?.get("version").and_then(toml::Value::as_integer),
        None => None,
    };
    floors.extend(msrv::lockfile_floor(lockfile_version));
    msrv::sort_highest_first(&mut floors);
    let declared_rust_version = floors.iter().find(|f| f.is_declared()).cloned();

    let toolchain_file = ["rust-toolchain.toml", "rust-toolchain"].iter().map(|f| root.join(f)).find(|p| p.is_file());

    let (deep, deep_proc_macros) = deep_library(&built_members(&members, &selected));
    Ok(Workspace {
        manifest_path: root.join("Cargo.toml"),
        target_dir: metadata.target_directory.clone().into_std_path_buf(),
        packages: selected.iter().map(|p| p.name.to_string()).collect(),
        explicit_packages: !wanted.is_empty(),
        msrv_floors: floors,
        declared_rust_version,
        toolchain_file,
        lockfile_version,
        default_touch_file: top_source_file(&selected),
        deep,
        deep_proc_macros,
        test_floors: Vec::new(),
        ceiling: None,
        notes: Vec::new(),
        members: members.iter().map(|p| member(p)).collect(),
        path_packages: path_packages(
            &members.iter().map(|p| p.manifest_path.clone().into_std_path_buf()).collect::<Vec<_>>(),
        ),
        root,
    })
}

/// Whether `package` answers to the package ID spec `spec`, as `cargo -p` reads one: `name`,
/// `name@version` (a partial version such as `0.1` too), the older `name:version`, or a URL
/// ending in `#name@version`, `#name` or `#version`.
fn matches_spec(package: &Package, spec: &str) -> bool {
    let spec = spec.trim();
    let (url, rest) = match spec.split_once('#') {
        Some((url, fragment)) => (Some(url), fragment),
        None => (None, spec),
    };
    let (name, version) = match rest.split_once('@').or_else(|| rest.split_once(':')) {
        Some((name, version)) => (name, Some(version)),
        None if url.is_some() && rest.starts_with(|c: char| c.is_ascii_digit()) => ("", Some(rest)),
        None => (rest, None),
    };
    let name = if name.is_empty() { url.and_then(|u| u.rsplit('/').next()).unwrap_or_default() } else { name };
    let version_matches = version.is_none_or(|v| {
        let want: Vec<&str> = v.split(['.', '-', '+']).collect();
        let have = package.version.to_string();
        let have: Vec<&str> = have.split(['.', '-', '+']).collect();
        want.len() <= have.len() && want.iter().zip(&have).all(|(w, h)| w == h)
    });
    package.name.as_str() == name && version_matches
}

/// The directories of every path package the build can read besides the members: path
/// dependencies of the members (any kind, any target), of `[workspace.dependencies]` and of
/// `[patch]` and `[replace]`, followed through their own manifests. Read from the manifests, so
/// it needs no lockfile and no network.
fn path_packages(member_manifests: &[PathBuf]) -> Vec<PathBuf> {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let members: Vec<PathBuf> = member_manifests.iter().filter_map(|m| m.parent().map(canonical)).collect();
    let mut found: Vec<PathBuf> = Vec::new();
    let mut queue: Vec<PathBuf> = member_manifests.to_vec();
    if let Some(root) = member_manifests.first().and_then(|m| m.parent()) {
        // The root manifest holds `[patch]` and `[workspace.dependencies]` of a virtual workspace.
        for dir in root.ancestors() {
            let manifest = dir.join("Cargo.toml");
            if manifest.is_file() && std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("[workspace")) {
                queue.push(manifest);
                break;
            }
        }
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    while let Some(manifest) = queue.pop() {
        let manifest = canonical(&manifest);
        if seen.contains(&manifest) {
            continue;
        }
        seen.push(manifest.clone());
        let Some(dir) = manifest.parent() else { continue };
        let Ok(table) = std::fs::read_to_string(&manifest).map(|t| t.parse::<toml::Table>()) else { continue };
        let Ok(table) = table else { continue };
        for path in dependency_paths(&table) {
            let package = canonical(&dir.join(path));
            if package.join("Cargo.toml").is_file() {
                if !members.contains(&package) && !found.contains(&package) {
                    found.push(package.clone());
                }
                queue.push(package.join("Cargo.toml"));
            }
        }
    }
    found.sort();
    found
}

/// Every `path = "..."` of a dependency in a manifest: `[dependencies]` and its dev and build
/// kinds, per target too, `[workspace.dependencies]`, `[patch.<source>]` and `[replace]`.
fn dependency_paths(manifest: &toml::Table) -> Vec<String> {
    let kinds = ["dependencies", "dev-dependencies", "dev_dependencies", "build-dependencies", "build_dependencies"];
    let mut tables: Vec<&toml::Table> = kinds.iter().filter_map(|k| manifest.get(*k)?.as_table()).collect();
    let targets = manifest.get("target").and_then(toml::Value::as_table).into_iter().flat_map(|t| t.values());
    for target in targets.filter_map(toml::Value::as_table) {
        tables.extend(kinds.iter().filter_map(|k| target.get(*k)?.as_table()));
    }
    let workspace = manifest.get("workspace").and_then(|w| w.get("dependencies")).and_then(toml::Value::as_table);
    tables.extend(workspace);
    let patches = manifest.get("patch").and_then(toml::Value::as_table).into_iter().flat_map(|p| p.values());
    tables.extend(patches.filter_map(toml::Value::as_table));
    tables.extend(manifest.get("replace").and_then(toml::Value::as_table));
    tables
        .iter()
        .flat_map(|t| t.values())
        .filter_map(|dep| dep.get("path").and_then(toml::Value::as_str).map(str::to_string))
        .collect()
}

/// The floors one package imposes: rust-version, edition, workspace inheritance.
fn package_floors(package: &Package) -> Result<Vec<MsrvFloor>> {
    let name = package.name.as_str();
    let mut floors: Vec<MsrvFloor> = package.rust_version.iter().map(|v| msrv::rust_version_floor(v, name)).collect();
    floors.extend(edition_year(package.edition).and_then(|year| msrv::edition_floor(year, name)));
    floors.extend(msrv::inheritance_floor(&read_toml(package.manifest_path.as_std_path())?, name));
    Ok(floors)
}

/// The year of an edition cargo_metadata knows (`None` for editions newer than this code).
fn edition_year(edition: Edition) -> Option<u16> {
    edition.as_str().parse().ok()
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    fs::read_to_string(path)?.parse::<toml::Table>().with_context(|| format!("could not parse `{}`", path.display()))
}

/// Whether a default build compiles `target`: a library, binary, proc-macro or build script
/// without `required-features`.
fn is_built(target: &cargo_metadata::Target) -> bool {
    let kind = |k: &str| target.kind.iter().any(|t| t.to_string() == k);
    let built = target.is_lib() || kind("bin") || kind("proc-macro") || kind("custom-build");
    built && target.required_features.is_empty()
}

fn member(package: &Package) -> Member {
    let dir = package.manifest_path.parent().map(|d| d.as_std_path().to_path_buf()).unwrap_or_default();
    let mut built_dirs: Vec<PathBuf> = package
        .targets
        .iter()
        .filter(|t| is_built(t))
        .filter_map(|t| t.src_path.parent().map(|d| d.as_std_path().to_path_buf()))
        .collect();
    built_dirs.sort();
    built_dirs.dedup();
    Member { name: package.name.to_string(), dir, built_dirs }
}

/// The members a build of `selected` compiles: those packages, and the members they depend on
/// through path dependencies (normal and build), directly or through each other. In a workspace
/// with a root package, `cargo build` selects the root alone but compiles the members it uses.
fn built_members<'a>(members: &[&'a Package], selected: &[&'a Package]) -> Vec<&'a Package> {
    let dir = |p: &Package| p.manifest_path.parent().map(|d| d.as_std_path().to_path_buf()).unwrap_or_default();
    let mut built: Vec<&Package> = selected.to_vec();
    let mut i = 0;
    while i < built.len() {
        let uses: Vec<&Package> = built[i]
            .dependencies
            .iter()
            .filter(|d| d.kind != DependencyKind::Development && !d.optional)
            .filter_map(|d| d.path.as_ref())
            .filter_map(|path| members.iter().copied().find(|m| dir(m) == path.as_std_path()))
            .collect();
        for member in uses {
            if !built.iter().any(|b| b.id == member.id) {
                built.push(member);
            }
        }
        i += 1;
    }
    built
}

/// The library the most other `built` packages depend on, directly or through each other, with
/// its dependents; ties go to the one with fewer dependencies of its own (the deeper), then by
/// name. A proc-macro library is passed over: it can export no item but its macros; those with
/// built dependents are returned beside it, for the sentence that says why none was found.
fn deep_library(selected: &[&Package]) -> (Option<DeepTarget>, Vec<String>) {
    let dirs: Vec<PathBuf> = selected
        .iter()
        .map(|p| p.manifest_path.parent().map(|d| d.as_std_path().to_path_buf()).unwrap_or_default())
        .collect();
    // `uses[i]`: the selected packages package `i` depends on directly.
    let uses: Vec<BTreeSet<usize>> = selected
        .iter()
        .map(|p| {
            p.dependencies
                .iter()
                // An optional dependency may not be built: its user would prove nothing.
                .filter(|d| d.kind != DependencyKind::Development && !d.optional)
                .filter_map(|d| d.path.as_ref())
                .filter_map(|path| dirs.iter().position(|dir| dir == path.as_std_path()))
                .collect()
        })
        .collect();
    let dependents_of = |lib: usize| -> BTreeSet<usize> {
        let mut found = BTreeSet::new();
        let mut queue = vec![lib];
        while let Some(next) = queue.pop() {
            for (user, deps) in uses.iter().enumerate() {
                if deps.contains(&next) && user != lib && found.insert(user) {
                    queue.push(user);
                }
            }
        }
        found
    };
    let is_proc_macro = |t: &cargo_metadata::Target| t.kind.iter().any(|k| k.to_string() == "proc-macro");
    let library = |p: &Package| p.targets.iter().find(|t| t.is_lib() && !is_proc_macro(t)).cloned();
    let mut proc_macros: Vec<String> = (0..selected.len())
        .filter(|i| selected[*i].targets.iter().any(is_proc_macro) && !dependents_of(*i).is_empty())
        .map(|i| selected[i].name.to_string())
        .collect();
    proc_macros.sort();
    let best = (0..selected.len())
        .filter_map(|i| Some((i, library(selected[i])?, dependents_of(i))))
        .filter(|(_, _, dependents)| !dependents.is_empty())
        .max_by(|a, b| {
            a.2.len()
                .cmp(&b.2.len())
                .then_with(|| uses[b.0].len().cmp(&uses[a.0].len()))
                .then_with(|| selected[b.0].name.cmp(&selected[a.0].name))
        });
    let Some((index, target, dependents)) = best else { return (None, proc_macros) };
    let mut names: Vec<String> = dependents.iter().map(|d| selected[*d].name.to_string()).collect();
    names.sort();
    let deep = DeepTarget {
        package: selected[index].name.to_string(),
        file: target.src_path.clone().into_std_path_buf(),
        dependents: names,
    };
    (Some(deep), proc_macros)
}

/// The root source file of the package no other selected package depends on: its bin (the one
/// named like the package when there are several), else its lib; targets a default build does
/// not compile (`required-features`) are passed over. Touching it rebuilds the most
/// representative incremental unit: the crate the user actually edits last.
fn top_source_file(selected: &[&Package]) -> Option<PathBuf> {
    let dirs: Vec<PathBuf> = selected
        .iter()
        .map(|p| p.manifest_path.parent().map(|d| d.as_std_path().to_path_buf()).unwrap_or_default())
        .collect();
    let depended_on: BTreeSet<usize> = selected
        .iter()
        .flat_map(|p| p.dependencies.iter())
        .filter(|d| d.kind != DependencyKind::Development)
        .filter_map(|d| d.path.as_ref())
        .filter_map(|path| dirs.iter().position(|dir| dir == path.as_std_path()))
        .collect();
    let tops = selected.iter().enumerate().filter(|(i, _)| !depended_on.contains(i)).map(|(_, p)| *p);
    let mut tops: Vec<&Package> = tops.collect();
    tops.sort_by_key(|p| (!p.targets.iter().any(|t| t.is_bin()), p.name.to_string()));
    let top = tops.first()?;
    let bins: Vec<_> = top.targets.iter().filter(|t| t.is_bin() && is_built(t)).collect();
    let target = bins
        .iter()
        .find(|t| t.name == top.name.as_str())
        .or(bins.first())
        .copied()
        .or_else(|| top.targets.iter().find(|t| t.is_lib()))
        .or(top.targets.iter().find(|t| is_built(t)))?;
    Some(target.src_path.clone().into_std_path_buf())
}

#[cfg(test)]
mod tests;
