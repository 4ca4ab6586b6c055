use super::*;

#[test]
fn display_renders_like_a_shell_line() {
    let cmd = CommandSpec::new("/usr/bin/cargo").args(["+1.85.0", "build", "a b"]);
    assert_eq!(cmd.to_string(), "cargo +1.85.0 build 'a b'");
}

#[test]
fn first_error_line_prefers_error_lines() {
    let text = "   Compiling x v0.1.0\nerror[E0658]: use of unstable library feature\n  --> src/main.rs\n";
    assert_eq!(first_error_line(text).unwrap(), "error[E0658]: use of unstable library feature");
    assert_eq!(first_error_line("warning: a\nlast words\n").unwrap(), "last words");
    assert_eq!(first_error_line("  \n"), None);
    let cargo = "error: failed to run `rustc` to learn about target-specific information\n\nCaused by:\n  process didn't exit successfully: `rustc -` (signal: 11, SIGSEGV: invalid memory reference)\n";
    assert_eq!(
        first_error_line(cargo).unwrap(),
        "error: failed to run `rustc` to learn about target-specific information: process didn't exit successfully: `rustc -` (signal: 11, SIGSEGV: invalid memory reference)"
    );
}

#[test]
fn a_linkers_command_line_in_an_excerpt_is_cut_in_its_middle() {
    let command: String = (0..2000).map(|i| format!(" \"/t/deps/crate{i}.rlib\"")).collect();
    let stderr = format!(
        "error: linking with `cc` failed: exit status: 1\n  |\n  = note: \"cc\" \"-m64\"{command}\n  = note: /usr/bin/ld: cannot find -lxcb-render\n"
    );
    let excerpt = error_excerpt(&stderr).unwrap();
    let lines: Vec<&str> = excerpt.lines().collect();
    assert!(lines[2].starts_with("  = note: \"cc\" \"-m64\" \"/t/deps/crate0.rlib\""), "{excerpt}");
    assert!(lines[2].contains(" characters left out] ") && lines[2].chars().count() < 260, "{excerpt}");
    assert!(lines[2].ends_with("\"/t/deps/crate1999.rlib\""), "the line's end stays: {excerpt}");
    assert_eq!(lines[3], "  = note: /usr/bin/ld: cannot find -lxcb-render", "the cause is kept whole");
    let long: String = (0..300).map(|_| 'x').collect();
    let cargo = format!(
        "error: failed to run `rustc`\n  process didn't exit successfully: `rustc {long}` (signal: 11, SIGSEGV: invalid memory reference)\n"
    );
    let excerpt = error_excerpt(&cargo).unwrap();
    assert!(excerpt.ends_with("(signal: 11, SIGSEGV: invalid memory reference)"), "{excerpt}");
    let multibyte: String = (0..300).map(|_| 'é').collect();
    assert!(error_excerpt(&format!("error: {multibyte}")).unwrap().contains("left out"));
}

#[test]
fn a_failed_build_scripts_excerpt_keeps_its_stderr_and_drops_cargo_directives() {
    let directives: String = ["CC_x86_64-unknown-linux-gnu", "HOST_CC", "CC", "CFLAGS", "HOST_CFLAGS", "AR", "ARFLAGS"]
        .iter()
        .map(|v| format!("  cargo:rerun-if-env-changed={v}\n"))
        .collect();
    let cargo = format!(
        "   Compiling bs v0.1.0 (/t/bs)\nwarning: bs@0.1.0: hello\nerror: failed to run custom build command for `bs v0.1.0 (/t/bs)`\nnote: To improve backtraces for build dependencies, set the CARGO_PROFILE_DEV_BUILD_OVERRIDE_DEBUG=true environment variable to enable debug information generation.\n\nCaused by:\n  process didn't exit successfully: `/t/build-script-build` (exit status: 1)\n  --- stdout\n{directives}  cargo:warning=hello\n\n  --- stderr\n  running: \"cc\" \"-c\" \"foo.c\"\n  error: foo.c:3:10: fatal error: openssl/ssl.h: No such file or directory\n"
    );
    assert_eq!(
        error_excerpt(&cargo).unwrap(),
        "error: failed to run custom build command for `bs v0.1.0 (/t/bs)`\n  process didn't exit successfully: `/t/build-script-build` (exit status: 1)\n  --- stderr\n  running: \"cc\" \"-c\" \"foo.c\"\n  error: foo.c:3:10: fatal error: openssl/ssl.h: No such file or directory"
    );
    // A long stderr keeps its end, where a panic or a compiler says why.
    let long: String = (0..30).map(|i| format!("  line {i}\n")).collect();
    let excerpt = error_excerpt(&cargo.replace("  running:", &format!("{long}  running:"))).unwrap();
    assert_eq!(excerpt.lines().count(), EXCERPT_LINES, "{excerpt}");
    assert!(excerpt.ends_with("openssl/ssl.h: No such file or directory"), "{excerpt}");
    assert!(!excerpt.contains("cargo:"), "{excerpt}");
    // Nothing on stderr: the stdout's own words, without the directives.
    let quiet = format!(
        "error: failed to run custom build command for `bs v0.1.0`\n\nCaused by:\n  process didn't exit successfully: `/t/b` (exit status: 1)\n  --- stdout\n{directives}  pkg-config found no openssl\n"
    );
    assert_eq!(
        error_excerpt(&quiet).unwrap(),
        "error: failed to run custom build command for `bs v0.1.0`\n  process didn't exit successfully: `/t/b` (exit status: 1)\n  --- stdout\n  pkg-config found no openssl"
    );
}

#[test]
fn excerpts_keep_the_explanation_and_stop_at_the_next_error() {
    let rustc = "   Compiling app v0.1.0\nerror[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:7\n  |\n2 |     x.div_ceil(2)\n  |       ^^^^^^^^\n\nerror: could not compile `app`\n";
    assert_eq!(
        error_excerpt(rustc).unwrap(),
        "error[E0658]: use of unstable library feature `int_roundings`\n --> src/main.rs:2:7\n  |\n2 |     x.div_ceil(2)\n  |       ^^^^^^^^"
    );
    let cargo = "error: current package believes it's in a workspace when it's not:\ncurrent:   /t/rev/Cargo.toml\nworkspace: /t/Cargo.toml\n\nthis may be fixable by adding `rev` to the `workspace.members` array\n";
    let excerpt = error_excerpt(cargo).unwrap();
    assert_eq!(excerpt.lines().count(), 4, "{excerpt}");
    assert!(excerpt.ends_with("this may be fixable by adding `rev` to the `workspace.members` array"));
    assert_eq!(error_excerpt("all fine\n"), None);
    let long: String =
        std::iter::once("error: x\n".to_string()).chain((0..20).map(|i| format!("line {i}\n"))).collect();
    assert_eq!(error_excerpt(&long).unwrap().lines().count(), EXCERPT_LINES);
    assert_eq!(indented_details("error: x\n  --> a.rs\nhint\ncause", "error: x: cause"), "\n    --> a.rs\n    hint");
}

#[test]
fn system_runner_captures_exit_code_and_output() {
    let out =
        SystemRunner::default().run(&CommandSpec::new("sh").args(["-c", "echo hi; echo err >&2; exit 3"])).unwrap();
    assert_eq!(out.code, Some(3));
    assert_eq!(out.stdout, "hi\n");
    assert_eq!(out.stderr, "err\n");
    let err = out.ok_or_error(&CommandSpec::new("sh")).unwrap_err();
    assert_eq!(err.to_string(), "`sh` failed (exit status: 3): err");
}

#[test]
fn system_runner_reports_a_missing_program_with_its_name() {
    let err = SystemRunner::default().run(&CommandSpec::new("timewarp-no-such-program").arg("x")).unwrap_err();
    assert!(format!("{err:#}").starts_with("could not execute process `timewarp-no-such-program x`"));
}

#[test]
fn a_timeout_kills_the_whole_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("grandchild.pid");
    // The shell starts a grandchild that would sleep long past the timeout and writes its pid;
    // the test then waits for the grandchild to end, which only the group's kill makes it do
    // within the hang guard.
    let script = format!("sleep 300 & echo $! > '{0}.tmp' && mv '{0}.tmp' '{0}'; wait", pid_file.display());
    let cmd = CommandSpec::new("sh").args(["-c", &script]).timeout(Some(Duration::from_secs(1)));
    let out = SystemRunner::default().run(&cmd).unwrap();
    assert!(out.timed_out);
    assert_eq!(out.code, None);
    assert_eq!(out.status_text(), "timed out");
    let Ok(pid) = std::fs::read_to_string(&pid_file) else { return };
    let stat = format!("/proc/{}/stat", pid.trim());
    let ended = || {
        std::fs::read_to_string(&stat).map_or(true, |s| s.rsplit_once(") ").is_some_and(|(_, r)| r.starts_with('Z')))
    };
    // A hang guard, not a timing: a killed process ends at once, a surviving one sleeps 300 s.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !ended() {
        assert!(std::time::Instant::now() < deadline, "the grandchild was killed with its group");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn cpu_and_peak_memory_of_the_whole_tree() {
    // A grandchild that allocates and touches 64 MiB and burns some CPU.
    let script = "python3 -c 'b = bytearray(64 * 1024 * 1024); sum(range(3_000_000))'";
    let out = SystemRunner::default().run(&CommandSpec::new("sh").args(["-c", script])).unwrap();
    assert!(out.success(), "{}", out.stderr);
    assert!(out.peak_rss.unwrap() > 64 * 1024 * 1024, "{:?}", out.peak_rss);
    assert!(out.cpu.unwrap() > Duration::from_millis(20), "{:?}", out.cpu);
}

#[test]
fn a_fast_command_is_not_timed_out() {
    let cmd = CommandSpec::new("true").timeout(Some(Duration::from_secs(30)));
    let out = SystemRunner::default().run(&cmd).unwrap();
    assert!(out.success() && !out.timed_out);
}

#[test]
fn ignored_signals_are_read_from_the_status_mask() {
    let status = "Name:\tcargo-timewarp\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000001\nSigCgt:\t0\n";
    assert_eq!(ignored_in_status(status), 1 << (libc::SIGHUP - 1), "nohup ignores SIGHUP (1)");
    assert_eq!(ignored_in_status("SigIgn:\t0000000000000006\n") & (1 << (libc::SIGINT - 1)), 1 << 1);
    assert_eq!(ignored_in_status("no such line"), 0);
}

#[test]
fn the_environment_names_the_users_directories() {
    let env = Env::new([("HOME", "/h"), ("XDG_CACHE_HOME", "relative"), ("PATH", "/a:/b")]);
    assert_eq!(env.cargo_home(), Some("/h/.cargo".into()));
    assert_eq!(env.rustup_home(), Some("/h/.rustup".into()));
    assert_eq!(env.cache_home(), Some("/h/.cache".into()), "a relative XDG_CACHE_HOME is ignored");
    assert_eq!(env.prepended("/tc/bin".into(), "PATH"), "/tc/bin:/a:/b");
    let env = Env::new([("CARGO_HOME", "/c"), ("RUSTUP_HOME", "/r"), ("XDG_CACHE_HOME", "/x"), ("HOME", "")]);
    assert_eq!(
        (env.cargo_home(), env.rustup_home(), env.cache_home()),
        (Some("/c".into()), Some("/r".into()), Some("/x".into()))
    );
    assert_eq!(Env::default().cargo_home(), None);
}

#[test]
fn env_set_and_remove_reach_the_child() {
    let cmd = CommandSpec::new("sh")
        .args(["-c", "echo \"${TW_SET}-${HOME:-unset}\""])
        .env("TW_SET", "yes")
        .env_remove("HOME");
    assert_eq!(SystemRunner::default().run(&cmd).unwrap().stdout, "yes-unset\n");
}
