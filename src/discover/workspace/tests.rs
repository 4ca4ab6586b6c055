use super::*;
use crate::testing::FakeRunner;

/// Writes a workspace to a temp dir and returns metadata for it as real cargo would.
fn metadata_for(files: &[(&str, &str)]) -> (tempfile::TempDir, Metadata) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let metadata = cargo_metadata::MetadataCommand::parse(String::from_utf8(out.stdout).unwrap()).unwrap();
    (dir, metadata)
}

const VIRTUAL: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"core\"]\nresolver = \"2\"\n[workspace.package]\nedition = \"2021\"\n",
    ),
    (
        "app/Cargo.toml",
        "[package]\nname = \"probe-app\"\nversion = \"0.1.0\"\nedition.workspace = true\nrust-version = \"1.70\"\n[dependencies]\nprobe-core = { path = \"../core\" }\n",
    ),
    ("app/src/main.rs", "fn main() {}\n"),
    (
        "core/Cargo.toml",
        "[package]\nname = \"probe-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\nrust-version = \"1.80\"\n",
    ),
    ("core/src/lib.rs", ""),
    ("Cargo.lock", "version = 3\n"),
];

fn reasons(ws: &Workspace) -> Vec<String> {
    ws.msrv_floors.iter().map(ToString::to_string).collect()
}

#[test]
fn floors_of_a_virtual_workspace_with_reasons() {
    let (dir, metadata) = metadata_for(VIRTUAL);
    let ws = from_metadata(&metadata, &[]).unwrap();
    assert_eq!(
        reasons(&ws),
        [
            "1.80 (rust-version of `probe-core`)",
            "1.70 (rust-version of `probe-app`)",
            "1.64 (workspace inheritance in `probe-app`)",
            "1.56 (edition 2021 of `probe-app`)",
            "1.56 (edition 2021 of `probe-core`)",
            "1.51 (resolver = \"2\")",
            "1.47 (Cargo.lock version 3)",
        ]
    );
    assert_eq!(ws.msrv().unwrap().version, semver::Version::new(1, 80, 0));
    assert_eq!(ws.declared_rust_version.as_ref().unwrap().to_string(), "1.80 (rust-version of `probe-core`)");
    let root = dir.path().canonicalize().unwrap();
    assert_eq!(ws.default_touch_file.unwrap(), root.join("app/src/main.rs"));
    assert_eq!(ws.packages, ["probe-app", "probe-core"]);
    assert_eq!(ws.target_dir, root.join("target"));
    assert!(ws.toolchain_file.is_none());
}

#[test]
fn a_file_is_judged_where_its_links_lead_and_named_from_the_root_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(ws.join("src/real.rs"), "").unwrap();
    std::fs::write(dir.path().join("elsewhere.rs"), "").unwrap();
    std::os::unix::fs::symlink("real.rs", ws.join("src/inside.rs")).unwrap();
    std::os::unix::fs::symlink("../../elsewhere.rs", ws.join("src/outside.rs")).unwrap();
    std::os::unix::fs::symlink("missing.rs", ws.join("src/dangling.rs")).unwrap();
    // The workspace reached through a link: what is returned keeps that form.
    let via = dir.path().join("via");
    std::os::unix::fs::symlink(&ws, &via).unwrap();
    for root in [&ws, &via] {
        assert_eq!(real_file_inside(&root.join("src/inside.rs"), root).unwrap(), root.join("src/real.rs"));
        assert_eq!(real_file_inside(&root.join("src/real.rs"), root).unwrap(), root.join("src/real.rs"));
        let why = real_file_inside(&root.join("src/outside.rs"), root).unwrap_err();
        assert!(why.contains("elsewhere.rs`, outside the workspace"), "{why}");
        let why = real_file_inside(&root.join("src/dangling.rs"), root).unwrap_err();
        assert!(why.contains("cannot be resolved"), "{why}");
    }
}

#[test]
fn the_deep_library_is_the_one_most_built_members_depend_on() {
    let package = |name: &str, deps: &[&str], lib: &str| {
        let deps: String = deps.iter().map(|d| format!("{d} = {{ path = \"../{d}\" }}\n")).collect();
        (
            format!("{name}/Cargo.toml"),
            format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n{lib}[dependencies]\n{deps}"),
        )
    };
    let proc = "[lib]\nproc-macro = true\n";
    let files = [
        (
            "Cargo.toml".to_string(),
            "[workspace]\nmembers = [\"app\", \"mid\", \"base\", \"macros\", \"tool\"]\n".to_string(),
        ),
        package("app", &["mid", "base", "macros"], ""),
        ("app/src/main.rs".into(), "fn main() {}\n".into()),
        package("mid", &["base", "macros"], ""),
        ("mid/src/lib.rs".into(), String::new()),
        package("base", &[], ""),
        ("base/src/lib.rs".into(), String::new()),
        package("macros", &[], proc),
        ("macros/src/lib.rs".into(), String::new()),
        package("tool", &["mid"], ""),
        ("tool/src/main.rs".into(), "fn main() {}\n".into()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (dir, metadata) = metadata_for(&files);
    let root = dir.path().canonicalize().unwrap();
    let deep = from_metadata(&metadata, &[]).unwrap().deep.unwrap();
    assert_eq!(deep.package, "base", "three dependents through each other; the proc-macro has two");
    assert_eq!(from_metadata(&metadata, &[]).unwrap().deep_proc_macros, ["macros"], "passed over, and said so");
    assert_eq!(deep.dependents, ["app", "mid", "tool"]);
    assert_eq!(deep.file, root.join("base/src/lib.rs"));
    let narrowed = from_metadata(&metadata, &["mid".into()]).unwrap().deep.unwrap();
    assert_eq!(narrowed.package, "base", "built for mid, which depends on it");
    assert_eq!(narrowed.dependents, ["mid"], "app and tool are not built with -p mid");
    let alone = from_metadata(&metadata, &["base".into()]).unwrap();
    assert_eq!(alone.deep, None, "nothing built depends on base when base alone is built");
    // A root package builds alone by default, but compiles the members it depends on.
    let (dir, metadata) = metadata_for(&[
        (
            "Cargo.toml",
            "[package]\nname = \"top\"\nversion = \"0.1.0\"\n[dependencies]\ncore = { path = \"core\" }\n[workspace]\nmembers = [\"core\"]\n",
        ),
        ("src/main.rs", "fn main() {}\n"),
        ("core/Cargo.toml", "[package]\nname = \"core\"\nversion = \"0.1.0\"\n"),
        ("core/src/lib.rs", ""),
    ]);
    let ws = from_metadata(&metadata, &[]).unwrap();
    assert_eq!(ws.packages, ["top"]);
    let deep = ws.deep.unwrap();
    assert_eq!((deep.package.as_str(), deep.dependents.as_slice()), ("core", &["top".to_string()][..]));
    assert_eq!(deep.file, dir.path().canonicalize().unwrap().join("core/src/lib.rs"));
}

#[test]
fn package_selection_narrows_floors_and_touch_file() {
    let (dir, metadata) = metadata_for(VIRTUAL);
    let ws = from_metadata(&metadata, &["probe-app".to_string()]).unwrap();
    assert_eq!(ws.msrv().unwrap().to_string(), "1.70 (rust-version of `probe-app`)");
    assert!(ws.explicit_packages);
    let core = from_metadata(&metadata, &["probe-core".to_string()]).unwrap();
    assert_eq!(core.default_touch_file.unwrap(), dir.path().canonicalize().unwrap().join("core/src/lib.rs"));
    let err = from_metadata(&metadata, &["nope".to_string()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "package `nope` is not a member of the workspace (members: probe-app@0.1.0, probe-core@0.1.0)"
    );
}

#[test]
fn touched_files_belong_to_a_member_and_required_features_are_passed_over() {
    let (dir, metadata) = metadata_for(&[
        (
            "Cargo.toml",
            "[package]\nname = \"tool\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[[bin]]\nname = \"tool\"\npath = \"src/main.rs\"\nrequired-features = [\"cli\"]\n[features]\ncli = []\n",
        ),
        ("src/main.rs", "fn main() {}"),
        ("src/lib.rs", ""),
        ("tests/t.rs", ""),
    ]);
    let ws = from_metadata(&metadata, &[]).unwrap();
    let root = dir.path().canonicalize().unwrap();
    assert_eq!(ws.default_touch_file.as_deref(), Some(root.join("src/lib.rs").as_path()), "the bin needs `cli`");
    let member = ws.member_of(&root.join("tests/t.rs")).unwrap();
    assert_eq!(member.name, "tool");
    assert_eq!(member.built_dirs, [root.join("src")], "tests are not built by `cargo build`");
    assert!(ws.member_of(Path::new("/elsewhere/x.rs")).is_none());
}

#[test]
fn lockfile_v4_edition_2024_and_toolchain_file() {
    let (_dir, metadata) = metadata_for(&[
        ("Cargo.toml", "[package]\nname = \"solo\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
        ("src/lib.rs", ""),
        ("Cargo.lock", "version = 4\n"),
        ("rust-toolchain.toml", "[toolchain]\nchannel = \"1.85.0\"\n"),
    ]);
    let ws = from_metadata(&metadata, &[]).unwrap();
    assert_eq!(reasons(&ws), ["1.85 (edition 2024 of `solo`)", "1.78 (Cargo.lock version 4)"]);
    assert!(ws.toolchain_file.unwrap().ends_with("rust-toolchain.toml"));
    assert!(ws.default_touch_file.unwrap().ends_with("src/lib.rs"));
}

#[test]
fn edition_2015_without_lockfile_has_no_msrv() {
    let (_dir, metadata) = metadata_for(&[
        ("Cargo.toml", "[package]\nname = \"old\"\nversion = \"0.1.0\"\n"),
        ("src/main.rs", "fn main() {}"),
    ]);
    let ws = from_metadata(&metadata, &[]).unwrap();
    assert!(ws.msrv().is_none());
    assert!(ws.declared_rust_version.is_none());
    assert!(ws.lockfile_version.is_none());
}

#[test]
fn cargo_errors_become_one_line() {
    let runner = FakeRunner::new().fail(
        "--no-deps",
        101,
        "error: could not find `Cargo.toml` in `/tmp/x` or any parent directory\n",
    );
    let request = WorkspaceRequest { cargo: "cargo".into(), toolchain: Some("1.95.0".into()), ..Default::default() };
    let err = inspect(&runner, &request).unwrap_err();
    assert!(runner.lines()[0].starts_with("cargo +1.95.0 metadata --format-version 1 --no-deps"));
    assert_eq!(format!("{err:#}"), "could not find `Cargo.toml` in `/tmp/x` or any parent directory");
    let logged = &runner.log()[0];
    assert!(logged.has_arg("--no-deps"));
    assert!(logged.env_remove.contains(&"RUSTUP_TOOLCHAIN".to_string()));
}

const DEPENDENCIES: &str = include_str!("../../../testdata/metadata-dependency-floors.json");

#[test]
fn the_locked_graph_is_read_offline_first_then_from_the_registry() {
    let manifest = "[package]\nname = \"dfl\"\nversion = \"0.1.0\"\nedition = \"2018\"\nrust-version = \"1.48\"\n";
    let (dir, no_deps) =
        metadata_for(&[("Cargo.toml", manifest), ("src/main.rs", "fn main() {}"), ("Cargo.lock", "version = 3\n")]);
    let runner = FakeRunner::new()
        .ok("--no-deps", &serde_json::to_string(&no_deps).unwrap())
        .fail("--offline", 101, "error: attempting to make an HTTP request, but --offline was specified")
        .ok("--locked --filter-platform", DEPENDENCIES);
    let manifest_path = Some(dir.path().join("Cargo.toml"));
    let request = WorkspaceRequest { cargo: "cargo".into(), manifest_path, ..Default::default() };
    let ws = inspect(&runner, &request).unwrap();
    assert_eq!(ws.msrv().unwrap().to_string(), "1.61 (rust-version of memchr 2.7.4, a dependency of `dfl`)");
    assert_eq!(ws.declared_rust_version.as_ref().unwrap().to_string(), "1.48 (rust-version of `dfl`)");
    let lines = runner.lines();
    let graph = format!("metadata --format-version 1 --locked --filter-platform {HOST}");
    assert!(lines[1].contains(&graph) && lines[1].ends_with(" --offline"), "{lines:?}");
    assert!(lines[2].contains(&graph) && !lines[2].contains("--offline"), "{lines:?}");
    assert!(ws.notes.is_empty());

    let unreachable = FakeRunner::new().ok("--no-deps", &serde_json::to_string(&no_deps).unwrap()).fail(
        "--locked",
        101,
        "error: failed to download from the registry\n",
    );
    let ws = inspect(&unreachable, &request).unwrap();
    assert_eq!(ws.msrv().unwrap().to_string(), "1.48 (rust-version of `dfl`)", "the run goes on without them");
    assert!(
        ws.notes[0].starts_with("the floors of the locked dependencies are unknown: `cargo metadata"),
        "{:?}",
        ws.notes
    );
}

#[test]
fn a_parse_error_names_the_file_below_the_directory_timewarp_was_started_in() {
    let stderr = "error: unclosed table, expected `]`\n --> Cargo.toml:1:9\n  |\n1 | [package\n";
    let runner = FakeRunner::new().in_dir("/fake/started-here").fail("--no-deps", 101, stderr);
    let request = WorkspaceRequest { cargo: "cargo".into(), ..Default::default() };
    let err = inspect(&runner, &request).unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        "could not parse `/fake/started-here/Cargo.toml` (line 1, column 9): unclosed table, expected `]`",
        "the runner's directory, not the test's"
    );
}

#[test]
fn parse_errors_name_the_file_and_position() {
    let stderr = "error: unclosed table, expected `]`\n --> Cargo.toml:1:9\n  |\n1 | [package\n";
    assert_eq!(
        metadata_error(stderr, Path::new("/tmp/bad")).unwrap(),
        "could not parse `/tmp/bad/Cargo.toml` (line 1, column 9): unclosed table, expected `]`"
    );
}

#[test]
fn the_cause_chain_is_kept_on_one_line() {
    let stderr = "error: failed to load manifest for workspace member `/w/app`\nreferenced by workspace at `/w/Cargo.toml`\n\nCaused by:\n  failed to load manifest for dependency `core`\n\nCaused by:\n  failed to read `/w/core/Cargo.toml`\n\nCaused by:\n  No such file or directory (os error 2)\n";
    assert_eq!(
        metadata_error(stderr, Path::new("/")).unwrap(),
        "failed to load manifest for workspace member `/w/app`: failed to load manifest for dependency `core`: failed to read `/w/core/Cargo.toml`: No such file or directory (os error 2)"
    );
}

#[test]
fn touch_files_are_checked_and_mapped_into_a_copy() {
    let (dir, metadata) = metadata_for(VIRTUAL);
    let user = from_metadata(&metadata, &[]).unwrap();
    let root = dir.path().canonicalize().unwrap();
    let default = resolve_touch_file(None, &user, &user).unwrap();
    assert_eq!(default, root.join("app/src/main.rs"));
    let given = root.join("core/src/lib.rs");
    assert_eq!(resolve_touch_file(Some(&given), &user, &user).unwrap(), given);

    let copy_dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(copy_dir.path().join("core/src")).unwrap();
    std::fs::write(copy_dir.path().join("core/src/lib.rs"), "").unwrap();
    let copy = Workspace { root: copy_dir.path().to_path_buf(), ..user.clone() };
    assert_eq!(resolve_touch_file(Some(&given), &user, &copy).unwrap(), copy_dir.path().join("core/src/lib.rs"));
    let err = resolve_touch_file(Some(&root.join("app/src/main.rs")), &user, &copy).unwrap_err();
    assert_eq!(err.to_string(), "`--touch` file `app/src/main.rs` does not exist in that revision");

    let err = resolve_touch_file(Some(&root.join("app")), &user, &user).unwrap_err();
    let expected = format!("is not a file inside the workspace `{}`", user.root.display());
    assert!(err.to_string().ends_with(&expected), "{err}");
    let err = resolve_touch_file(Some(Path::new("/etc/hostname")), &user, &user).unwrap_err();
    assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
}

#[test]
fn missing_manifest_path_is_named() {
    let request = WorkspaceRequest {
        cargo: "cargo".into(),
        manifest_path: Some("/nonexistent/Cargo.toml".into()),
        ..Default::default()
    };
    let err = inspect(&FakeRunner::new(), &request).unwrap_err();
    assert_eq!(err.to_string(), "manifest path `/nonexistent/Cargo.toml` does not exist");
}
