//! Link time apart: the link timer changes neither which linker rustc runs nor what rustc hands
//! it, under a GNU ld toolchain (Debian's) and a rust-lld one (an official 1.90 or newer).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// What rustc printed with `--print link-args`: the linker's `PATH` (rustc 1.90 and newer print
/// the environment they set), the program, and its arguments, with rustc's temporary
/// directories (`/tmp/rustcXXXXXX`) named alike.
#[derive(Debug, PartialEq)]
struct Printed {
    path: Option<String>,
    program: String,
    args: Vec<String>,
}

/// rustc's temporary directory in `text` as `TMP`, so two runs compare.
fn untemp(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("/rustc") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let name_end = after[1..].find(['/', '"', ' ']).map_or(after.len(), |e| e + 1);
        out.push_str("/TMP");
        rest = &after[name_end..];
        if !after[..name_end].chars().skip(6).all(|c| c.is_ascii_alphanumeric()) {
            // Not a temporary directory after all (a path with `rustc` in it): keep it.
            out.truncate(out.len() - 4);
            out.push_str(&after[..name_end]);
        }
    }
    out.push_str(rest);
    out
}

/// Parses what `rustc --print link-args` printed: `[VAR="value" ...] "program" "arg" ...`.
fn parse(printed: &str) -> Printed {
    let line = printed.lines().find(|l| l.contains("\"-o\"")).unwrap_or_else(|| panic!("no link line in {printed}"));
    let line = untemp(line);
    let (env, command) = line.split_at(line.find(" \"").map_or(0, |_| line.find("\"cc\"").expect("runs cc")));
    let path = env.split("PATH=\"").nth(1).and_then(|p| p.split('"').next()).map(str::to_string);
    let mut words: Vec<String> = command.trim().trim_matches('"').split("\" \"").map(str::to_string).collect();
    let program = words.remove(0);
    Printed { path, program, args: words }
}

/// Links `fn main` with `rustc +TOOLCHAIN --print link-args` in `dir`, with the link timer on
/// `PATH` when `timer` names its directory; returns what rustc printed.
fn link(toolchain: &str, dir: &Path, timer: Option<(&Path, &Path)>) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("m.rs"), "fn main() { println!(\"linked\"); }\n").unwrap();
    let mut cmd = Command::new("rustc");
    cmd.args([&format!("+{toolchain}"), "--print", "link-args", "-C", "codegen-units=1", "m.rs", "-o", "out"])
        .current_dir(dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("RUSTUP_AUTO_INSTALL", "0");
    if let Some((links, log)) = timer {
        // Second on PATH, as in timewarp's builds (after the toolchain's own `bin`).
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
        dirs.insert(1.min(dirs.len()), links.to_path_buf());
        cmd.env("PATH", std::env::join_paths(dirs).unwrap())
            .env("TIMEWARP_LINK_DIR", links)
            .env("TIMEWARP_LINK_LOG", log)
            .env("TIMEWARP_LINK_TRACE", "1");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{toolchain}: {}", String::from_utf8_lossy(&out.stderr));
    let ran = Command::new(dir.join("out")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "linked\n", "{toolchain}: the binary links and runs");
    String::from_utf8(out.stdout).unwrap()
}

/// The link timer's directory, as timewarp makes it: `cc` linked to timewarp's binary.
fn timer_dir(root: &Path) -> PathBuf {
    let links = root.join("linker");
    std::fs::create_dir_all(&links).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_cargo-timewarp"), links.join("cc")).unwrap();
    links
}

/// Whether `toolchain`'s rustc links with rust-lld (`-fuse-ld=lld`).
fn links_with_lld(toolchain: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    parse(&link(toolchain, dir.path(), None)).args.iter().any(|a| a == "-fuse-ld=lld")
}

/// The arguments and `PATH` rustc hands the linker are the same with the timer as without it,
/// and they are what the timer hands on: for `toolchain`.
fn same_link_with_and_without_the_timer(toolchain: &str) {
    let root = tempfile::tempdir().unwrap();
    let links = timer_dir(root.path());
    let log = root.path().join("link.jsonl");
    // One directory for both: newer rustc keeps its temporary directory there.
    let plain = parse(&link(toolchain, &root.path().join("m"), None));
    let timed = parse(&link(toolchain, &root.path().join("m"), Some((&links, &log))));
    assert_eq!(plain.program, "cc", "{toolchain}");
    assert_eq!((&timed.program, &timed.args), (&plain.program, &plain.args), "{toolchain}: rustc runs the same link");
    let logged: Vec<serde_json::Value> =
        std::fs::read_to_string(&log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(logged.len(), 1, "{toolchain}: one link, timed: {logged:?}");
    assert_eq!(logged[0]["code"], 0);
    assert!(logged[0]["end_ns"].as_u64().unwrap() > logged[0]["start_ns"].as_u64().unwrap());
    let handed: Vec<String> =
        logged[0]["args"].as_array().unwrap().iter().map(|a| untemp(a.as_str().unwrap())).collect();
    assert_eq!(handed, plain.args, "{toolchain}: the linker got exactly what rustc hands it without the timer");
    let handed_path = logged[0]["path"].as_str().unwrap();
    assert!(!handed_path.contains(links.to_str().unwrap()), "{toolchain}: the timer leaves PATH as it found it");
    if let (Some(plain_path), Some(timed_path)) = (&plain.path, &timed.path) {
        // rustc puts its own directories first on the linker's PATH; minus the timer's, the
        // linker sees what it sees without the timer.
        assert_eq!(handed_path, plain_path, "{toolchain}");
        assert!(timed_path.contains(links.to_str().unwrap()), "{toolchain}: rustc saw the timer on PATH");
    }
}

#[test]
#[ignore = "needs Debian's toolchains: run scripts/install-debian-toolchains.sh, then cargo test -- --include-ignored"]
fn gnu_ld_gets_the_same_arguments_with_the_link_timer() {
    if !toolchains(&["1.63.0"]) {
        return;
    }
    let _builds = build_lock();
    assert!(!links_with_lld("1.63.0"), "Debian's 1.63 links with GNU ld through cc");
    same_link_with_and_without_the_timer("1.63.0");
}

#[test]
fn rust_lld_gets_the_same_arguments_with_the_link_timer() {
    let _builds = build_lock();
    if !links_with_lld("stable") {
        let why = "the installed `stable` does not link with rust-lld (an official 1.90 or newer does)";
        if std::env::var_os("TIMEWARP_REQUIRE_TOOLCHAINS").is_some_and(|v| v == "1") {
            panic!("{why}");
        }
        let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("skipping: {why}\n").as_bytes());
        return;
    }
    same_link_with_and_without_the_timer("stable");
}

#[test]
fn a_real_run_takes_link_time_apart_and_a_build_script_compiles_c_through_the_timer_untimed() {
    let _builds = build_lock();
    let ws = fixture("build-script");
    let probe = tempfile::tempdir().unwrap();
    let log = probe.path().join("probe.log");
    let report = success_json(
        timewarp(ws.path())
            .args(QUICK)
            .args(["--format", "json"])
            .env("TIMEWARP_PROBE_CC", "1")
            .env("TIMEWARP_PROBE_LOG", &log),
    );
    assert_eq!(report["link_time"], true);
    let probed = std::fs::read_to_string(&log).unwrap();
    assert!(probed.contains("cc compiled probe.c"), "the build script's C compile ran: {probed}");
    let clean = &report["toolchains"][0]["scenarios"]["clean"];
    let link = &clean["link"];
    assert_eq!(link["runs"], 2, "the build script and the binary link; its C compile is no link: {clean:#}");
    let (share, wall) = (link["share_pct"].as_f64().unwrap(), clean["wall"]["median_s"].as_f64().unwrap());
    assert!(share > 0.0 && share < 100.0, "{clean:#}");
    let parts = link["time"]["point"].as_f64().unwrap() + link["compile"]["point"].as_f64().unwrap();
    assert!((parts - wall).abs() < 1e-6 * wall.max(1.0) + 1e-3, "compile + link is the wall time: {clean:#}");
    assert!(report["toolchains"][0]["scenarios"]["check-touched"]["link"].is_null(), "{report:#}");
    let without = success_json(timewarp(ws.path()).args(QUICK).args(["--no-link-time", "--format", "json"]));
    assert_eq!(without["link_time"], false);
    assert!(without["toolchains"][0]["scenarios"]["clean"]["link"].is_null(), "{without:#}");
}

/// A program on a private `PATH` directory, `#!/bin/sh` running `body`.
fn script(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `PATH` with `dir` first.
fn path_with(dir: &Path) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap();
    let dirs = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&path));
    std::env::join_paths(dirs).unwrap()
}

/// cargo honours a `linker` under `[target.'cfg(...)']` that holds for the host: the row names
/// that linker, and its runs are timed as links (not booked as compile time).
#[test]
fn a_linker_set_under_a_cfg_target_is_the_one_named_and_timed() {
    let _builds = build_lock();
    let ws = fixture("single-crate");
    let tools = tempfile::tempdir().unwrap();
    script(tools.path(), "mylinker", "exec cc \"$@\"");
    std::fs::create_dir(ws.path().join(".cargo")).unwrap();
    std::fs::write(
        ws.path().join(".cargo/config.toml"),
        "[target.'cfg(all(unix, target_os = \"linux\"))']\nlinker = \"mylinker\"\n\n[target.'cfg(windows)']\nlinker = \"lld-link\"\n",
    )
    .unwrap();
    let report = success_json(
        timewarp(ws.path())
            .args(QUICK)
            .args(["--scenarios", "clean", "--format", "json"])
            .env("PATH", path_with(tools.path())),
    );
    let toolchain = &report["toolchains"][0];
    assert_eq!(toolchain["linker"], "mylinker (configured)", "{report:#}");
    let link = &toolchain["scenarios"]["clean"]["link"];
    assert_eq!(link["runs"], 1, "mylinker's run is timed as the link: {report:#}");
    let settings: Vec<&str> =
        report["build_settings"].as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(settings, ["target.cfg(all(unix, target_os = \"linux\")).linker"], "the windows table does not apply");
}

/// A proc-macro runs inside rustc, so the programs it runs at expansion have a rustc for a
/// parent: its `cc -c` and the C program it links are no links of rustc's and are not timed,
/// so `cargo check` shows no link figures and a clean build counts only rustc's two links.
#[test]
fn a_proc_macro_running_cc_at_expansion_is_not_timed_as_linking() {
    let _builds = build_lock();
    let ws = fixture("proc-macro-cc");
    let report =
        success_json(timewarp(ws.path()).args(QUICK).args(["--scenarios", "clean,check-touched", "--format", "json"]));
    let scenarios = &report["toolchains"][0]["scenarios"];
    assert_eq!(scenarios["clean"]["link"]["runs"], 2, "the proc-macro's library and the binary: {report:#}");
    assert!(scenarios["check-touched"]["link"].is_null(), "a check links nothing: {report:#}");
}

/// The program called `name` on the test's own `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH").unwrap()).map(|d| d.join(name)).find(|p| p.is_file())
}

/// On a machine without `cc` (a clang-only image) that links through a configured linker, the
/// link timer stands in for that linker alone: a build script that uses C only where `cc` exists
/// builds as it does without timewarp, instead of finding a stand-in `cc` that exits 127.
#[test]
fn a_machine_without_cc_gets_no_stand_in_cc() {
    let _builds = build_lock();
    let ws = fixture("optional-c");
    let bin = tempfile::tempdir().unwrap();
    let real_cc = on_path("cc").expect("the tests need a cc to link with");
    script(bin.path(), "mylinker", &format!("exec {} \"$@\"", real_cc.display()));
    for tool in ["sh", "env", "git", "ld", "as", "cat", "rm"] {
        if let Some(found) = on_path(tool) {
            std::os::unix::fs::symlink(found, bin.path().join(tool)).unwrap();
        }
    }
    let rustup_dir = real_rustup().parent().map(Path::to_path_buf).filter(|d| !d.join("cc").exists());
    let path = std::env::join_paths(std::iter::once(bin.path().to_path_buf()).chain(rustup_dir)).unwrap();
    std::fs::create_dir(ws.path().join(".cargo")).unwrap();
    std::fs::write(ws.path().join(".cargo/config.toml"), "[target.'cfg(unix)']\nlinker = \"mylinker\"\n").unwrap();
    let report = success_json(
        timewarp(ws.path()).args(QUICK).args(["--scenarios", "clean", "--format", "json"]).env("PATH", &path),
    );
    let toolchain = &report["toolchains"][0];
    assert_eq!(toolchain["status"], "ok", "{report:#}");
    assert_eq!(toolchain["linker"], "mylinker (configured)", "{report:#}");
    assert_eq!(toolchain["scenarios"]["clean"]["link"]["runs"], 2, "the build script and the binary: {report:#}");
    let links = ws.path().join("target/timewarp/linker");
    let stand_ins: Vec<String> = std::fs::read_dir(&links)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_symlink())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(stand_ins, ["mylinker"], "no `cc` where the machine has none");
}
