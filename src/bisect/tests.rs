//! The bisection's tests, against the fake machine.

use super::*;
use crate::process::CommandSpec;
use crate::testing::{FakeRunner, Project};

/// The minor version of the toolchain whose build directory `cmd` names.
fn minor_of(cmd: &CommandSpec) -> u64 {
    let line = cmd.to_string();
    let at = line.find("timewarp/1.").expect("a toolchain's build directory") + "timewarp/1.".len();
    line[at..].split('.').next().unwrap().parse().unwrap()
}

/// Build times of `seconds(minor)` with ±2% noise that repeats every 13 builds.
fn noisy(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> impl Fn(usize, &CommandSpec) -> f64 + Send + Sync {
    move |n, cmd| seconds(minor_of(cmd)) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
}

/// Releases 1.80 to 1.88, installed on a fake machine.
fn nine_releases() -> Project {
    let versions: Vec<String> = (80..=88).map(|m| format!("1.{m}.0")).collect();
    Project::new(&versions.iter().map(String::as_str).collect::<Vec<_>>())
}

/// [`nine_releases`] whose builds take `seconds(minor)`.
fn machine(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> (Project, FakeRunner) {
    let project = nine_releases();
    let runner = project.runner().timing("--offline --locked", noisy(seconds));
    (project, runner)
}

fn bisect(project: &Project, runner: &FakeRunner, args: &[&str]) -> (i32, serde_json::Value) {
    let out = project.file("bisect.json");
    let mut all = vec!["bisect"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", &out]);
    let config = project.subcommand_config(runner, &all);
    let code = match run(runner, config.bisect(), &Progress::new(true)) {
        Ok(()) => exit::SUCCESS,
        Err(e) => exit::code_for(&e),
    };
    let json = std::fs::read_to_string(&out).map_or(serde_json::Value::Null, |t| serde_json::from_str(&t).unwrap());
    (code, json)
}

/// The toolchains the runner built, each once.
fn built(runner: &FakeRunner) -> Vec<u64> {
    let mut minors: Vec<u64> =
        runner.log().iter().filter(|c| c.to_string().starts_with("cargo build")).map(minor_of).collect();
    minors.sort_unstable();
    minors.dedup();
    minors
}

/// The story of 1.90 on a fake machine: from 1.85 on, the link takes a tenth of the time it
/// took (a linker that logs its runs where timewarp's timer would), while compiling stays
/// as it was; the located step says which part moved.
#[test]
fn the_located_step_is_taken_apart_into_compile_and_link() {
    let project = nine_releases();
    let runner = project.runner().responding("--offline --locked", |n, cmd| {
        let minor = minor_of(cmd);
        let link = if minor >= 85 { 0.2 } else { 2.0 };
        let noise = 1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5);
        let (compile, link) = (3.0 * noise, link * noise);
        if let Some(log) = cmd.env_value(crate::measure::linker::LINK_LOG) {
            let end = (link * 1e9) as u64;
            let line = format!("{{\"start_ns\":0,\"end_ns\":{end},\"code\":0}}\n");
            use std::io::Write as _;
            let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
            file.write_all(line.as_bytes()).unwrap();
        }
        crate::testing::output(Some(0), "", "   Compiling app v0.1.0 (/w)\n", compile + link)
    });
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--scenario", "touched"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    assert_eq!(doc["outcome"], "located", "{doc:#}");
    let located = &doc["located"];
    assert_eq!((located["from"].as_str(), located["to"].as_str()), (Some("1.84.0"), Some("1.85.0")), "{doc:#}");
    let touched = &located["scenarios"]["touched"];
    let link = touched["link_speedup"]["point"].as_f64().unwrap();
    let compile = touched["compile_speedup"]["point"].as_f64().unwrap();
    assert!((link - 10.0).abs() < 0.5, "the link got ten times faster: {touched:#}");
    assert!((compile - 1.0).abs() < 0.05, "compiling did not move: {touched:#}");
    let summary = doc["summary"].as_str().unwrap();
    assert!(summary.contains(" = compile 1.0") && summary.contains(", link 1"), "{summary}");
}

/// The day of the nightly whose build directory `cmd` names, as `2025-07-15`.
fn day_of(cmd: &CommandSpec) -> Option<String> {
    let line = cmd.to_string();
    let at = line.find("+nightly-")? + "+nightly-".len();
    Some(line[at..at + 10].to_string())
}

/// Builds twice as fast from 1.90.0 and from nightly-2025-07-15 on, with a little noise.
fn nightly_step_runner(project: &Project) -> FakeRunner {
    project.runner().timing("--offline --locked", |n, cmd| {
        let faster = match day_of(cmd) {
            Some(day) => day.as_str() >= "2025-07-15",
            None => minor_of(cmd) >= 90,
        };
        (if faster { 5.0 } else { 10.0 }) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
    })
}

#[test]
fn nightlies_narrow_a_located_release_to_two_days_and_their_commits() {
    let train = nightly::train(90);
    let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]).with_nightlies(&train, "1.90.0-nightly");
    let runner = nightly_step_runner(&project);
    let (code, doc) = bisect(&project, &runner, &["1.88", "1.90", "--scenario", "touched", "--nightlies"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.89.0"), Some("1.90.0")));
    let nightlies = &doc["nightlies"];
    assert_eq!(nightlies["release"], "1.90");
    assert_eq!(
        (nightlies["first"].as_str(), nightlies["last"].as_str()),
        (Some("nightly-2025-06-21"), Some("nightly-2025-08-01"))
    );
    assert_eq!(nightlies["outcome"], "located", "{nightlies:#}");
    let located = &nightlies["located"];
    assert_eq!(
        (located["from"].as_str(), located["to"].as_str()),
        (Some("nightly-2025-07-14"), Some("nightly-2025-07-15"))
    );
    assert_eq!(
        located["commits"], "https://github.com/rust-lang/rust/compare/c0ffee2025-07-14...c0ffee2025-07-15",
        "{located:#}"
    );
    let steps = nightlies["steps"].as_array().unwrap().len();
    assert!(steps <= 8, "about log2(42) + 1 steps, not 42: {steps}");
    let builds = runner.log().into_iter().filter(|c| c.has_arg("--offline"));
    let measured: std::collections::BTreeSet<String> = builds.filter_map(|c| day_of(&c)).collect();
    assert!(measured.len() <= steps + 2, "only the nightlies the halving needs: {measured:?}");
    assert!(nightlies["summary"].as_str().unwrap().contains("nightly-2025-07-14 → nightly-2025-07-15"));
}

/// Case 80: the nightly step table took 121-136 columns in a pipe or a file, where the
/// README promises 100: a nightly is named by its date under the heading that says so.
#[test]
fn the_nightly_step_table_fits_100_columns() {
    let train = nightly::train(90);
    let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]).with_nightlies(&train, "1.90.0-nightly");
    let runner = nightly_step_runner(&project);
    let out = project.file("bisect.txt");
    let args = ["bisect", "1.88", "1.90", "--scenario", "touched", "--nightlies", "--format", "table", "-o", &out];
    let config = project.subcommand_config(&runner, &args);
    run(&runner, config.bisect(), &Progress::new(true)).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(widest <= 100, "{widest} columns:\n{text}");
    assert!(text.contains("nightlies of 1.90 (nightly-2025-06-21 to nightly-2025-08-01):"), "{text}");
    assert!(text.contains("2025-06-21 → 2025-08-01"), "each nightly by its date: {text}");
}

/// `--install` with `--nightlies`: only the nightlies a step measures are installed, each
/// before its step, and all of them are removed at the end.
#[test]
fn nightlies_are_installed_step_by_step_and_removed_after() {
    use std::sync::{Arc, Mutex};
    let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]);
    let host = "-x86_64-unknown-linux-gnu";
    let listed: Arc<Mutex<Vec<String>>> =
        Arc::new(Mutex::new(["1.88.0", "1.89.0", "1.90.0"].iter().map(|s| s.to_string()).collect()));
    let toolchains = project.dir.path().join("toolchains");
    let (list, install, uninstall) = (Arc::clone(&listed), Arc::clone(&listed), Arc::clone(&listed));
    let out = |text: String| crate::testing::output(Some(0), &text, "", 0.0);
    let runner = project
        .runner()
        .replacing("rustup toolchain list", move |_, _| {
            out(list.lock().unwrap().iter().map(|n| format!("{n}{host}\n")).collect())
        })
        .responding("rustup toolchain install nightly-", move |_, cmd| {
            let name = cmd.args[2].to_string_lossy().into_owned();
            let bin = toolchains.join(&name).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("cargo"), "").unwrap();
            install.lock().unwrap().push(name);
            out(String::new())
        })
        .responding("rustup toolchain uninstall nightly-", move |_, cmd| {
            let name = cmd.args[2].to_string_lossy().into_owned();
            uninstall.lock().unwrap().retain(|n| *n != name);
            out(String::new())
        })
        .responding("rustc +nightly-", move |_, cmd| {
            let day = cmd.to_string().split("+nightly-").nth(1).unwrap()[..10].to_string();
            out(format!(
                "rustc 1.90.0-nightly (c0ffee{day} {day})\nbinary: rustc\ncommit-hash: c0ffee{day}\ncommit-date: {day}\nhost: x86_64-unknown-linux-gnu\nrelease: 1.90.0-nightly\n"
            ))
        });
    let rustc_of = project.dir.path().join("toolchains");
    let runner = runner
        .responding("rustup which --toolchain nightly-", move |_, cmd| {
            let name = cmd.args[2].to_string_lossy().into_owned();
            out(format!("{}\n", rustc_of.join(name).join("bin/rustc").display()))
        })
        .timing("--offline --locked", |n, cmd| {
            let faster = match day_of(cmd) {
                Some(day) => day.as_str() >= "2025-07-15",
                None => minor_of(cmd) >= 90,
            };
            (if faster { 5.0 } else { 10.0 }) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
        });
    let args = ["1.89", "1.90", "--scenario", "touched", "--nightlies", "--install"];
    let (code, doc) = bisect(&project, &runner, &args);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    let nightlies = &doc["nightlies"];
    assert_eq!(nightlies["located"]["to"], "nightly-2025-07-15", "{nightlies:#}");
    let installed: Vec<String> =
        nightlies["installed"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
    assert!(installed.len() <= 9 && installed.len() >= 4, "those the halving needed, not 42: {installed:?}");
    let lines = runner.lines();
    let first_install = lines.iter().position(|l| l.contains("toolchain install nightly-")).unwrap();
    let first_build = lines.iter().position(|l| l.contains("--offline") && l.contains("+nightly-")).unwrap();
    let last_install = lines.iter().rposition(|l| l.contains("toolchain install nightly-")).unwrap();
    assert!(first_install < first_build && first_build < last_install, "installed step by step: {lines:#?}");
    for name in &installed {
        assert!(lines.iter().any(|l| l.ends_with(&format!("toolchain uninstall {name}"))), "{name} removed");
    }
    assert_eq!(listed.lock().unwrap().len(), 3, "only the stable releases are left");
}

#[test]
fn nightlies_not_installed_are_named_with_what_would_install_them() {
    let project = Project::new(&["1.88.0", "1.89.0", "1.90.0"]);
    let runner = project.runner().timing("--offline --locked", |n, cmd| {
        (if minor_of(cmd) >= 90 { 5.0 } else { 10.0 }) * (1.0 + 0.04 * ((n * 7919 % 13) as f64 / 12.0 - 0.5))
    });
    let (code, doc) = bisect(&project, &runner, &["1.88", "1.90", "--scenario", "touched", "--nightlies"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    let nightlies = &doc["nightlies"];
    assert!(nightlies["outcome"].is_null(), "{nightlies:#}");
    assert!(
        nightlies["summary"].as_str().unwrap().starts_with(
            "0 of the 42 nightlies of 1.90's train (nightly-2025-06-21 to nightly-2025-08-01) are installed; `--install` installs those the halving needs"
        ),
        "{nightlies:#}"
    );
}

#[test]
fn a_step_change_is_located_through_the_engine_measuring_few_releases() {
    let (project, runner) = machine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88.0"]);
    assert_eq!(code, exit::SUCCESS);
    assert_eq!(doc["schema"], 2);
    assert_eq!(doc["outcome"], "located", "{doc:#}");
    assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.83.0"), Some("1.84.0")));
    let clean = &doc["located"]["scenarios"]["clean"];
    assert_eq!(clean["verdict"], "faster");
    assert!((clean["speedup"]["point"].as_f64().unwrap() - 2.0).abs() < 0.1, "{clean:#}");
    // Nine releases: the ends, then log2(8) = 3 halvings.
    assert!(doc["steps"].as_array().unwrap().len() <= 4, "{doc:#}");
    let measured = built(&runner);
    assert!(measured.len() <= 5 && measured.contains(&83) && measured.contains(&84), "{measured:?}");
    let releases = doc["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 9);
    let not_needed = releases.iter().filter(|r| r["status"] == "not-needed").count();
    assert_eq!(not_needed, 9 - measured.len(), "{releases:#?}");
    assert!(doc["summary"].as_str().unwrap().contains("the change is in 1.83.0 → 1.84.0"), "{doc:#}");
    assert_eq!(std::fs::read_to_string(project.root.join("src/main.rs")).unwrap(), "fn main() {}\n");
    let [_, schema, _] = crate::report::schema::documents();
    let schema: serde_json::Value = serde_json::from_str(&schema.generated).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn no_change_between_the_ends_stops_after_measuring_them() {
    let (project, runner) = machine(|_| 10.0);
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88"]);
    assert_eq!(code, exit::SUCCESS);
    assert_eq!(doc["outcome"], "no-change", "{doc:#}");
    assert_eq!(doc["steps"].as_array().unwrap().len(), 1);
    assert_eq!(built(&runner), [80, 88]);
}

#[test]
fn a_release_that_cannot_build_is_skipped_with_its_reason() {
    let project = nine_releases();
    // Rules match in order: the failure comes first.
    let failing = project
        .runner()
        .fail("timewarp/1.84.0", 101, "error[E0658]: use of unstable library feature `x`\n")
        .timing("--offline --locked", noisy(|minor| if minor >= 86 { 5.0 } else { 10.0 }));
    let (code, doc) = bisect(&project, &failing, &["1.80", "1.88"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.85.0"), Some("1.86.0")));
    let release = doc["releases"].as_array().unwrap().iter().find(|r| r["release"] == "1.84").unwrap().clone();
    assert_eq!(release["status"], "failed", "{release:#}");
    assert!(release["reason"].as_str().unwrap().contains("E0658"), "{release:#}");
}

/// [`nine_releases`] where only 1.80.0 and 1.88.0 are installed until `--install` adds the
/// others under rustup's names for them (`1.81`), all official builds, with builds taking
/// `seconds(minor)`.
fn two_of_nine(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> (Project, FakeRunner) {
    let (project, mut runner) = two_of_nine_built_by_debian(seconds);
    for (name, version) in &project.toolchains {
        let vv = format!(
            "rustc {version} (0123456789 2025-01-01)\nbinary: rustc\ncommit-hash: 0123456789abcdef{version}\ncommit-date: 2025-01-01\nhost: x86_64-unknown-linux-gnu\nrelease: {version}\n"
        );
        runner = runner.in_turn(&format!("rustc +{name}-x86_64-unknown-linux-gnu -vV"), &[&vv]);
    }
    (project, runner)
}

/// [`two_of_nine`] with Debian's builds.
fn two_of_nine_built_by_debian(seconds: impl Fn(u64) -> f64 + Send + Sync + 'static) -> (Project, FakeRunner) {
    let mut project = nine_releases();
    for (name, version) in project.toolchains.iter_mut().filter(|(n, _)| n != "1.80.0" && n != "1.88.0") {
        let short = version.trim_end_matches(".0").to_string();
        let dirs = project.dir.path().join("toolchains");
        std::fs::rename(dirs.join(&*name), dirs.join(&short)).unwrap();
        *name = short;
    }
    let listing =
        |names: &[&str]| -> String { names.iter().map(|n| format!("{n}-x86_64-unknown-linux-gnu\n")).collect() };
    // rustup cannot install 1.82.
    let all: Vec<&str> = project.toolchains.iter().map(|(n, _)| n.as_str()).filter(|n| *n != "1.82").collect();
    let (before, after) = (listing(&["1.80.0", "1.88.0"]), listing(&all));
    // Listed three times before the installs (the ends, discovery, the install's own look).
    let runner = project
        .runner()
        .in_turn("rustup toolchain list", &[&before, &before, &before, &after])
        .fail("toolchain install 1.79 ", 1, "error: no release found for '1.79'\n")
        .fail(
            "toolchain install 1.82 ",
            1,
            "error: could not download file from 'https://static.rust-lang.org/dist/channel-rust-1.82.toml.sha256'\n",
        )
        .ok("toolchain install", "")
        .ok("toolchain uninstall", "")
        .timing("--offline --locked", noisy(seconds));
    (project, runner)
}

#[test]
fn install_adds_the_missing_releases_then_removes_them_after_the_last_build() {
    let (project, runner) = two_of_nine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--install"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    assert_eq!(doc["outcome"], "located", "{doc:#}");
    assert_eq!((doc["located"]["from"].as_str(), doc["located"]["to"].as_str()), (Some("1.83"), Some("1.84")));
    let lines = runner.lines();
    let installs: Vec<&str> = lines.iter().filter_map(|l| l.split("toolchain install ").nth(1)).collect();
    let wanted: Vec<String> = (81..=87).map(|m| format!("1.{m} --profile minimal")).collect();
    assert_eq!(installs, wanted, "every missing release, oldest first, the ends not among them");
    let release = doc["releases"].as_array().unwrap().iter().find(|r| r["release"] == "1.82").unwrap().clone();
    assert_eq!(release["status"], "missing", "rustup could not install it: {release:#}");
    let removals: Vec<&str> = lines.iter().filter_map(|l| l.split("toolchain uninstall ").nth(1)).collect();
    assert_eq!(removals, ["1.81", "1.83", "1.84", "1.85", "1.86", "1.87"], "what it installed, nothing else");
    let last_build = lines.iter().rposition(|l| l.starts_with("cargo build")).unwrap();
    let first_install = lines.iter().position(|l| l.contains("toolchain install")).unwrap();
    let first_build = lines.iter().position(|l| l.starts_with("cargo build")).unwrap();
    let first_removal = lines.iter().position(|l| l.contains("toolchain uninstall")).unwrap();
    assert!(first_install < first_build && last_build < first_removal, "installs, builds, then removals");
}

#[test]
fn keep_installed_keeps_what_install_added_and_install_needs_asking() {
    let (project, runner) = two_of_nine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
    let (code, _) = bisect(&project, &runner, &["1.80", "1.88", "--install", "--keep-installed"]);
    assert_eq!(code, exit::SUCCESS);
    assert!(runner.lines().iter().any(|l| l.contains("toolchain install")));
    assert!(!runner.lines().iter().any(|l| l.contains("uninstall")));

    // Without --install the span's missing releases stay missing, and nothing is installed.
    let (project, runner) = two_of_nine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    assert_eq!(built(&runner), [80, 88]);
    assert!(!runner.lines().iter().any(|l| l.contains("toolchain install")));
    let missing = doc["releases"].as_array().unwrap().iter().filter(|r| r["status"] == "missing").count();
    assert_eq!(missing, 7, "{doc:#}");
    assert_eq!(doc["located"]["narrow"], "cargo timewarp bisect 1.80.0 1.88.0 --install", "{doc:#}");
    // Official builds would be left out of a span of Debian's: nothing to install then.
    let (project, runner) = two_of_nine_built_by_debian(|_| 10.0);
    let (code, _) = bisect(&project, &runner, &["1.80", "1.88", "--install"]);
    assert_eq!(code, exit::SUCCESS);
    assert!(!runner.lines().iter().any(|l| l.contains("toolchain install")));
    // An end that is not installed is named with the flag that would install it.
    let (project, runner) = two_of_nine(|_| 10.0);
    let config = project.subcommand_config(&runner, &["bisect", "1.79", "1.88"]);
    let err = run(&runner, config.bisect(), &Progress::new(true)).unwrap_err();
    assert_eq!(exit::code_for(&err), exit::USAGE);
    assert!(
        format!("{err:#}").ends_with("`--install` installs the span's missing releases for the bisection"),
        "{err:#}"
    );
    // With --install, an end rustup could not install fails after the installs, and what
    // was installed goes.
    let (project, runner) = two_of_nine(|_| 10.0);
    let config = project.subcommand_config(&runner, &["bisect", "1.79", "1.88", "--install"]);
    let err = run(&runner, config.bisect(), &Progress::new(true)).unwrap_err();
    assert_eq!(exit::code_for(&err), exit::FAILURE);
    assert_eq!(format!("{err:#}"), "FROM `1.79` is not installed, and --install could not install it");
    assert!(!runner.lines().iter().any(|l| l.starts_with("cargo build")));
    assert!(runner.lines().iter().any(|l| l.ends_with("toolchain uninstall 1.81")), "{:#?}", runner.lines());
}

/// A failed probe is not a missing toolchain: 1.84.0 is installed but its `rustc -vV` timed
/// out, so `--install` installs nothing for it (before, it installed `1.84`, a release the
/// user had not asked for).
#[test]
fn install_never_installs_a_release_whose_probe_failed() {
    let project = nine_releases();
    let mut runner = project
        .runner()
        .timing("--offline --locked", noisy(|minor| if minor >= 84 { 5.0 } else { 10.0 }))
        .ok("toolchain install", "")
        .ok("toolchain uninstall", "");
    for (name, version) in &project.toolchains {
        let vv = format!(
            "rustc {version} (0123456789 2025-01-01)\nbinary: rustc\ncommit-hash: 0123456789abcdef{version}\ncommit-date: 2025-01-01\nhost: x86_64-unknown-linux-gnu\nrelease: {version}\n"
        );
        runner = runner.in_turn(&format!("rustc +{name}-x86_64-unknown-linux-gnu -vV"), &[&vv]);
    }
    let runner = runner.replacing("rustc +1.84.0-x86_64-unknown-linux-gnu -vV", |_, _| crate::process::Output {
        timed_out: true,
        ..crate::testing::output(None, "", "", 60.0)
    });
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--install"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    let installs: Vec<String> = runner.lines().into_iter().filter(|l| l.contains("toolchain install")).collect();
    assert_eq!(installs, Vec::<String>::new(), "every release is installed, one did not answer its probe");
}

#[test]
fn bad_spans_are_one_line_errors_before_any_build() {
    let (project, runner) = machine(|_| 1.0);
    for (args, code, start) in [
        (["1.88", "1.80"], exit::USAGE, "`bisect 1.88 1.80`: FROM (1.88.0) must be an older release than TO"),
        (["1.80", "1.99.0"], exit::USAGE, "TO `1.99.0` is not an installed toolchain (installed: 1.80.0,"),
    ] {
        let config = project.subcommand_config(&runner, &["bisect", args[0], args[1]]);
        let err = run(&runner, config.bisect(), &Progress::new(true)).unwrap_err();
        assert_eq!(exit::code_for(&err), code, "{err}");
        assert!(err.to_string().starts_with(start), "{err}");
    }
    // The project's rust-version is 1.80: a 1.79 cannot stand at an end.
    let project = Project::new(&["1.79.0", "1.88.0"]);
    let runner = project.runner().timing("--offline --locked", |_, _| 1.0);
    let config = project.subcommand_config(&runner, &["bisect", "1.79", "1.88"]);
    let err = run(&runner, config.bisect(), &Progress::new(true)).unwrap_err();
    assert_eq!(exit::code_for(&err), exit::NO_ELIGIBLE_TOOLCHAIN, "{err}");
    assert!(err.to_string().starts_with("FROM `1.79.0` cannot be measured: below MSRV 1.80"), "{err}");
    assert!(built(&runner).is_empty());
}

#[test]
fn missing_releases_are_named_and_a_located_step_says_where_they_lie() {
    let project = Project::new(&["1.80.0", "1.83.0", "1.88.0"]);
    let runner = project.runner().timing("--offline --locked", noisy(|minor| if minor >= 85 { 5.0 } else { 10.0 }));
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--scenario", "clean"]);
    assert_eq!(code, exit::SUCCESS);
    assert_eq!(doc["located"]["from"], "1.83.0");
    assert_eq!(doc["located"]["unmeasured_between"], serde_json::json!(["1.84", "1.85", "1.86", "1.87"]));
    let warning =
        doc["warnings"].as_array().unwrap().iter().find_map(|w| w.as_str().filter(|w| w.contains("missing"))).unwrap();
    assert!(
        warning.starts_with("3 of the span's 9 releases are installed; missing: 1.81-1.82, 1.84-1.87."),
        "{warning}"
    );
    assert!(doc["summary"].as_str().unwrap().contains("any release from 1.84 to 1.88 may hold it"), "{doc:#}");
    assert!(doc["located"]["scenarios"].get("touched").is_none(), "--scenario clean measures clean alone");
}

#[test]
fn every_format_carries_the_steps_and_the_answer() {
    let (project, runner) = machine(|minor| if minor >= 84 { 5.0 } else { 10.0 });
    let mut outputs = Vec::new();
    let json = project.file("bisect.json");
    for file in ["bisect.md", "bisect.csv", "bisect.txt", "bisect.svg"] {
        let out = project.file(file);
        let args: Vec<&str> = match file {
            "bisect.txt" => vec!["bisect", "1.80", "1.88", "--format", "table", "-o", &out],
            "bisect.svg" => vec!["bisect", "1.80", "1.88", "-o", &json, "--plot", &out],
            _ => vec!["bisect", "1.80", "1.88", "-o", &out],
        };
        let config = project.subcommand_config(&runner, &args);
        run(&runner, config.bisect(), &Progress::new(true)).unwrap();
        outputs.push(std::fs::read_to_string(project.root.join(file)).unwrap());
    }
    let [markdown, csv, table, svg] = &outputs[..] else { unreachable!() };
    assert!(markdown.starts_with("**Which release moved the `touched` builds (`cargo build`) of `"), "{markdown}");
    assert!(markdown.contains("| step | change | rounds | clean | touched | check-touched | kept |"), "{markdown}");
    assert!(markdown.contains("**1.83.0 → 1.84.0**"), "{markdown}");
    assert!(
        csv.starts_with(
            "step,from,to,scenario,speedup,speedup_low,speedup_high,verdict,share_pct,link_speedup,compile_speedup,kept\n1,"
        ),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.contains(",1.83.0,1.84.0,clean,")), "{csv}");
    assert!(table.starts_with("bisect:    /"), "{table}");
    assert!(table.lines().next().unwrap().ends_with(" (`cargo build`)"), "{table}");
    assert!(table.contains("releases:  1.80 measured, "), "{table}");
    assert!(table.contains("the change is in 1.83.0 → 1.84.0"), "{table}");
    let doc = roxmltree::Document::parse(svg).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.iter().any(|t| t.contains("located: 1.83.0 to 1.84.0")), "{texts:?}");
}

/// On git-delta's old revision a step took 9 minutes: the whole search must fit `--budget`,
/// and a step cut to one round by it is no answer (it was once reported as "no change").
#[test]
fn a_spent_budget_ends_the_search_with_the_span_so_far() {
    let (project, runner) = machine(|minor| if minor >= 87 { 5.0 } else { 10.0 });
    let (code, doc) = bisect(&project, &runner, &["1.80", "1.88", "--budget", "3m"]);
    assert_eq!(code, exit::SUCCESS, "{doc:#}");
    assert_eq!(doc["outcome"], "unfinished", "{doc:#}");
    // Its first step's share of 3 minutes (a quarter: three halvings may follow) allows one round.
    let summary = doc["summary"].as_str().unwrap();
    assert!(
        summary.contains(": a step had one round, which gives no interval, so nothing could be decided"),
        "{summary}"
    );
    assert!(summary.ends_with("; the change lies between 1.80.0 and 1.88.0"), "{summary}");
    assert!(doc["elapsed_s"].as_f64().unwrap() < 3.0 * 60.0 + 120.0, "one step past the budget at most: {doc:#}");
}
