//! The command line's unit tests.

use std::time::Duration;

use clap::CommandFactory;
use semver::Version;

use super::*;
use crate::vocab::{Format, Profile, Scenario};

fn parse(args: &[&str]) -> Result<Cli> {
    parse_args(std::iter::once("cargo-timewarp").chain(args.iter().copied()), &Env::default())
}

/// The options of the run or `list` `args` parse into.
fn run(args: &[&str]) -> RunOptions {
    parse(args).unwrap().run().clone()
}

#[test]
fn clap_definition_is_consistent() {
    CargoCli::command().debug_assert();
}

#[test]
fn defaults() {
    let c = run(&[]);
    assert_eq!(c.rounds, shared::Rounds::default());
    assert_eq!(c.select, shared::Select::default());
    assert_eq!(c.out.format, Format::Table);
    assert_eq!(c.action, Action::Measure);
    assert_eq!(run(&["--list"]).action, Action::List);
    assert_eq!(parse(&["list"]).unwrap(), parse(&["--list"]).unwrap(), "`--list` is an alias of `list`");
    let Command::Clean(clean) =
        parse(&["clean", "--manifest-path", "x/Cargo.toml", "--target-dir", "/t"]).unwrap().command
    else {
        panic!("clean")
    };
    assert_eq!(clean.at.manifest_path, Some("x/Cargo.toml".into()));
    assert_eq!(clean.at.target_dir, Some("/t".into()));
    let relative = run(&["--target-dir", "td"]);
    assert_eq!(relative.at.target_dir, Some(std::env::current_dir().unwrap().join("td")), "as cargo makes it");
    let history = parse_args(["cargo-timewarp", "timewarp", "history"], &Env::default()).unwrap();
    assert!(matches!(history.command, Command::History(_)));
    let Command::History(history) =
        parse(&["history", "--target-dir", "/t", "-o", "h.csv", "--plot", "h.svg"]).unwrap().command
    else {
        panic!("history")
    };
    assert_eq!((history.at.target_dir, history.out.format), (Some("/t".into()), Format::Csv));
    assert_eq!(history.out.plot, Some("h.svg".into()));
    assert_eq!((c.build.scenarios, c.build.profile), (None, Profile::Dev), "the default depends on the workspace");
    let c = run(&["--check", "--profile", "ci"]);
    assert_eq!(c.build.scenarios, Some(vec![Scenario::Check, Scenario::CheckTouched]));
    assert_eq!(c.build.profile, Profile::Named("ci".into()));
    assert_eq!(run(&["--profile", "release"]).build.profile, Profile::Release);
    let c = run(&["--scenarios", "test,clean,deep,clean", "--edit"]);
    let want = [Scenario::Clean, Scenario::Edited, Scenario::Deep, Scenario::Test];
    assert_eq!(c.build.scenarios.as_deref(), Some(&want[..]), "round order, once each, with --edit's");
    let c = run(&["--edit"]);
    assert_eq!((c.build.scenarios, c.build.edit), (None, true), "edited beside the default");
    let c = run(&["--scenarios", "check-touched"]);
    assert_eq!(c.build.scenarios, Some(vec![Scenario::CheckTouched]));
    let same = parse(&["--scenarios", "clean,release", "--profile", "release"]).unwrap_err().to_string();
    assert!(same.contains("`clean` and `release` scenarios are the same build"), "{same}");
    let bad = parse(&["--scenarios", "clean,linked"]).unwrap_err().to_string();
    assert!(bad.starts_with("invalid value `linked` for `--scenarios`: expected one of clean,"), "{bad}");
    let both = parse(&["--check", "--scenarios", "test"]).unwrap_err().to_string();
    assert_eq!(both, "`--check` cannot be used with `--scenarios`");
    let follow = parse(&["bisect", "1.80", "1.90", "--scenario", "touched", "--check"]).unwrap_err().to_string();
    assert_eq!(
        follow,
        "`--scenario touched` measures that scenario alone, so `--check` would be ignored; leave one out"
    );
    let c = parse(&["bisect", "1.80", "1.90", "--scenario", "check-touched"]).unwrap();
    assert_eq!(c.bisect().build.scenarios, Some(vec![Scenario::CheckTouched]));
    let gate = run(&["--baseline", "b.json", "--max-regression", "7.5%"]);
    assert_eq!((gate.checks.baseline, gate.checks.max_regression_pct), (Some("b.json".into()), Some(7.5)));
}

/// `--release` means what it means to cargo: the release profile for every scenario; the clean
/// release build stays the `release` scenario.
#[test]
fn release_is_the_release_profile() {
    let c = run(&["--release"]);
    assert_eq!(c.build, run(&["--profile", "release"]).build, "the same as `--profile release`");
    assert_eq!((c.build.profile, c.build.scenarios), (Profile::Release, None));
    assert_eq!(run(&["--release", "--check"]).build.scenarios, Some(vec![Scenario::Check, Scenario::CheckTouched]));
    let both = parse(&["--release", "--profile", "ci"]).unwrap_err().to_string();
    assert_eq!(both, "`--release` cannot be used with `--profile`");
    let same = parse(&["--release", "--scenarios", "clean,release"]).unwrap_err().to_string();
    assert!(same.contains("the `clean` and `release` scenarios are the same build"), "{same}");
    assert_eq!(parse(&["bisect", "1.80", "1.90", "--release"]).unwrap().bisect().build.profile, Profile::Release);
}

/// Each command's own budget: a run's is 20 minutes, the whole bisection's an hour, and each
/// probe's plan gets its share (at least a second) and the scenario it follows.
#[test]
fn bisect_plans_each_probe_in_one_call() {
    let cli = parse(&["bisect", "1.80", "1.90", "--keep-target-dirs", "-j", "2", "--format", "json"]).unwrap();
    let options = cli.bisect();
    assert_eq!(options.budget(), Duration::from_secs(3600));
    let range = (Version::new(1, 80, 0), Version::new(1, 90, 0));
    let wide = options.plan(range.clone(), None, None);
    assert_eq!((wide.action, wide.select.all, wide.rounds.budget), (Action::Bisect, true, None));
    assert_eq!((wide.select.since.as_ref(), wide.select.until.as_ref()), (Some(&range.0), Some(&range.1)));
    assert_eq!((wide.build.jobs, wide.build.keep_target_dirs, wide.out.format), (Some(2), true, Format::Json));
    let step = options.plan(range, Some(Duration::ZERO), Some(Scenario::Touched));
    assert_eq!(step.rounds.budget, Some(Duration::from_secs(1)));
    assert_eq!(step.build.scenarios, Some(vec![Scenario::Touched]));
    let long = parse(&["bisect", "1.80", "1.90", "--budget", "2h"]).unwrap();
    assert_eq!(long.bisect().budget(), Duration::from_secs(7200));
}

#[test]
fn works_as_cargo_subcommand_and_directly() {
    let via_cargo = parse_args(["cargo-timewarp", "timewarp", "--all"], &Env::default()).unwrap();
    let direct = parse(&["--all"]).unwrap();
    assert_eq!(via_cargo, direct);
    assert!(direct.run().select.all);
}

#[test]
fn versions_runs_and_formats() {
    let c = run(&["--since", "1.70", "--until", "1.85.0", "--runs", "3", "--clean-runs", "2"]);
    assert_eq!(c.select.since, Some(Version::new(1, 70, 0)));
    assert_eq!(c.select.until, Some(Version::new(1, 85, 0)));
    assert_eq!((c.rounds.clean_runs, c.rounds.incremental_runs), (Some(2), Some(3)));
    let c = run(&["--precision", "2.5", "--budget", "1h30m"]);
    assert_eq!((c.rounds.precision, c.rounds.budget), (Some(0.025), Some(Duration::from_secs(5400))));
    assert_eq!(run(&["--budget", "90s"]).rounds.budget, Some(Duration::from_secs(90)));
    assert_eq!(run(&["--budget", "2h5s"]).rounds.budget, Some(Duration::from_secs(7205)));
    assert_eq!(run(&["--timeout", "1m30s"]).build.timeout, Some(Duration::from_secs(90)));
    let bare = parse(&["--timeout", "90"]).unwrap_err().to_string();
    assert_eq!(bare, "invalid value `90` for `--timeout`: `90` has no unit; add one, such as `90s`, `90m` or `90h`");
    // Case 41: a bare number meant seconds; `1h1h` meant two hours.
    for (given, why) in [
        ("1", "`1` has no unit; add one, such as `1s`, `1m` or `1h`"),
        ("600", "`600` has no unit; add one, such as `600s`, `600m` or `600h`"),
        ("1h30", "expected a duration such as `20m`, `90s` or `1h30m`: every number needs its unit"),
        (
            "1h1h",
            "expected a duration such as `20m`, `90s` or `1h30m`: each unit once, hours before minutes before seconds",
        ),
        (
            "30m1h",
            "expected a duration such as `20m`, `90s` or `1h30m`: each unit once, hours before minutes before seconds",
        ),
        ("0m", "expected a duration such as `20m`, `90s` or `1h30m`"),
    ] {
        let err = parse(&["--budget", given]).unwrap_err().to_string();
        assert_eq!(err, format!("invalid value `{given}` for `--budget`: {why}"), "{given}");
    }
    assert!(parse(&["--sequential"]).is_err() && parse(&["--interleave"]).is_err(), "rounds are the only order");
    let Command::Merge(merge) = parse(&["merge", "a.json", "b.json", "-o", "m.md"]).unwrap().command else {
        panic!("merge")
    };
    assert_eq!((merge.reports.len(), merge.out.format), (2, Format::Markdown));
    let rev = run(&["--baseline-rev", "v1.0", "--max-regression", "5"]);
    assert_eq!((rev.checks.baseline_rev.as_deref(), rev.checks.max_regression_pct), (Some("v1.0"), Some(5.0)));
    assert!(parse(&["--baseline-rev", "v1.0", "--max-regression", "5", "--fail-if-possibly-slower"]).is_err());
    assert_eq!(run(&["-o", "h.md"]).out.format, Format::Markdown);
    assert_eq!(run(&["-o", "h.md", "--format", "csv"]).out.format, Format::Csv);
    assert_eq!(run(&["--crates"]).build.crates, Some(10));
    assert_eq!(run(&["-j", "2"]).build.jobs, Some(2));
    assert_eq!(parse(&["--color", "always"]).unwrap().global.color, Some(true));
    assert_eq!(parse(&["--color=never"]).unwrap().global.color, Some(false));
    assert_eq!(run(&["--crates=3"]).build.crates, Some(3));
    assert_eq!(run(&[]).build.crates, None);
    assert_eq!(run(&["--toolchains", "1.85.0, stable"]).select.toolchains, ["1.85.0", "stable"]);
}

#[test]
fn colour_follows_the_flag_then_cargo_term_color_then_no_color() {
    let with = |vars: &[(&str, &str)], args: &[&str]| {
        let env = Env::new(vars.iter().map(|(k, v)| (*k, *v)));
        parse_args(std::iter::once("cargo-timewarp").chain(args.iter().copied()), &env).map(|c| c.global.color)
    };
    assert_eq!(with(&[("CARGO_TERM_COLOR", "always")], &[]).unwrap(), Some(true));
    assert_eq!(with(&[("CARGO_TERM_COLOR", "always")], &["--color", "never"]).unwrap(), Some(false));
    assert_eq!(with(&[("NO_COLOR", "1")], &[]).unwrap(), Some(false));
    assert_eq!(with(&[("NO_COLOR", "")], &[]).unwrap(), None, "an empty NO_COLOR is unset");
    let err = with(&[("CARGO_TERM_COLOR", "purple")], &[]).unwrap_err();
    assert_eq!(err.to_string(), "invalid value `purple` for `CARGO_TERM_COLOR`: expected one of auto, always, never");
}

#[test]
fn the_ci_recipe_uses_flags_that_exist() {
    let workflow = include_str!("../../examples/github-actions.yml");
    let against = workflow
        .lines()
        .find_map(|l| l.split("TIMEWARP_AGAINST=").nth(1))
        .and_then(|rest| rest.split('"').next())
        .expect("the workflow sets TIMEWARP_AGAINST");
    // Every `cargo timewarp` line of the workflow, with its variable set and unset.
    let lines: Vec<&str> =
        workflow.lines().filter_map(|l| l.trim().trim_start_matches("run: ").strip_prefix("cargo timewarp ")).collect();
    assert_eq!(lines.len(), 4, "the gate, the history and two merges: {lines:?}");
    for with_baseline in [true, false] {
        let line = lines[0].replace("$TIMEWARP_AGAINST", if with_baseline { against } else { "" });
        let config = run(&line.split_whitespace().collect::<Vec<_>>());
        assert!(config.checks.verify_msrv && !config.install, "{line}");
        assert_eq!(config.select.toolchains, ["stable"], "the gate measures only what it needs: {line}");
        assert_eq!((config.out.format, config.out.output), (Format::Json, Some("gate.json".into())));
        assert_eq!(config.checks.max_regression_pct.is_some(), with_baseline, "{line}");
        assert_eq!(config.checks.baseline_rev.is_some(), with_baseline, "{line}");
    }
    for line in &lines[1..] {
        let line = line.replace("${{ matrix.runner }}", "ubuntu-24.04").replace("history-*.json", "a.json b.json");
        let config = parse(&line.split_whitespace().collect::<Vec<_>>()).unwrap_or_else(|e| panic!("{line}: {e}"));
        let two_reports = matches!(&config.command, Command::Merge(m) if m.reports.len() == 2);
        assert!(matches!(config.command, Command::Run(_)) || two_reports, "{line}");
    }
}

proptest::proptest! {
    #[test]
    fn version_flags_never_panic(text in "\\PC{0,20}") {
        if let Ok(v) = values::version(&text) {
            let prefix = format!("{}.{}", v.major, v.minor);
            proptest::prop_assert!(text.trim().starts_with(&prefix), "{} from {:?}", v, text);
        }
    }
}

/// `list` takes what `--list` takes and means the same.
#[test]
fn list_and_the_list_flag_are_one_command() {
    let flags = [
        &["--manifest-path", "x/Cargo.toml", "-p", "app", "--since", "1.70", "--until", "1.90"][..],
        &["--all", "--install", "--rev", "v1.0", "--format", "json", "-o", "l.json", "-q", "--color", "never"],
    ]
    .concat();
    let cli = parse(&[&["list"][..], &flags].concat()).unwrap();
    assert_eq!(cli, parse(&[&["--list"][..], &flags].concat()).unwrap());
    assert_eq!(cli, parse(&[&flags[..], &["--list"][..]].concat()).unwrap(), "anywhere");
    let command = cli.run();
    assert_eq!((command.action, &command.select.since), (Action::List, &Some(Version::new(1, 70, 0))));
    assert!(command.select.all && cli.global.quiet);
    assert_eq!((command.build.rev.as_deref(), command.out.format), (Some("v1.0"), Format::Json));
    assert_eq!(run(&["list", "--toolchains", "1.85.0,stable"]).select.toolchains, ["1.85.0", "stable"]);
}

#[test]
fn every_usage_error_is_one_sentence() {
    for (args, message) in [
        (
            &["--since", "banana"][..],
            "invalid value `banana` for `--since`: expected a version like `1.70` or `1.70.0`",
        ),
        (&["--until", "1"], "invalid value `1` for `--until`: expected a version like `1.70` or `1.70.0`"),
        (&["--since", "1.90", "--until", "1.80"], "`--since 1.90.0` is newer than `--until 1.80.0`"),
        (&["--runs", "0"], "invalid value `0` for `--runs`: expected a whole number of at least 1"),
        (&["--runs", "-1"], "invalid value `-1` for `--runs`: expected a whole number of at least 1"),
        (
            &["--incremental-runs", "x"],
            "invalid value `x` for `--incremental-runs`: expected a whole number of at least 1",
        ),
        (&["--format", "xml"], "invalid value `xml` for `--format`: expected one of table, json, csv, markdown"),
        (
            &["--output", "out.bin"],
            "cannot tell the format of `out.bin` from its extension; add `--format table|json|csv|markdown`",
        ),
        (&["--toolchains", "1.85.0,,stable"], "`--toolchains` has an empty name; separate names with single commas"),
        (&["--list", "--plot", "x.svg"], "`--plot` does nothing with `--list`, which builds nothing"),
        (&["list", "--plot", "x.svg"], "unexpected argument `--plot`; see `cargo timewarp list --help`"),
        (&["list", "--runs", "3"], "unexpected argument `--runs`; see `cargo timewarp list --help`"),
        (&["--list", "-j", "2"], "`--jobs` does nothing with `--list`, which builds nothing"),
        (&["--runs", "3", "--list"], "`--runs` does nothing with `--list`, which builds nothing"),
        (&["--color", "sometimes"], "invalid value `sometimes` for `--color`: expected one of auto, always, never"),
        (&["-j", "0"], "invalid value `0` for `--jobs`: expected a whole number of at least 1"),
        (
            &["--max-regression", "10"],
            "`--max-regression` needs `--baseline FILE` or `--baseline-rev REV`, what to compare with",
        ),
        (
            &["--budget", "soon"],
            "invalid value `soon` for `--budget`: expected a duration such as `20m`, `90s` or `1h30m`",
        ),
        (
            &["--precision", "0"],
            "invalid value `0` for `--precision`: expected a percentage above 0 and below 100, such as `5` or `2.5`",
        ),
        (&["--runs", "3", "--precision", "2"], "`--runs` cannot be used with `--precision`"),
        (&["--baseline", "a.json", "--baseline-rev", "v1"], "`--baseline` cannot be used with `--baseline-rev`"),
        (&["--bogus"], "unexpected argument `--bogus`; see `cargo timewarp --help`"),
        (&["--baseline-rev"], "`--baseline-rev` needs a value: `--baseline-rev <REV>`"),
        (&["merge"], "`merge` needs the reports to merge: `cargo timewarp merge a.json b.json ...`"),
        (&["--edti"], "unexpected argument `--edti`; did you mean `--edit`?"),
        (&["--all", "--toolchains", "stable"], "`--all` cannot be used with `--toolchains`"),
        (
            &["--runs", "3", "history"],
            "`--runs` before `history` is a flag of a run; put it after `history` if `cargo timewarp history --help` lists it",
        ),
        (&["history", "--runs", "3"], "unexpected argument `--runs`; see `cargo timewarp history --help`"),
        (&["--crates-csv", "c.csv"], "`--crates-csv` needs `--crates`, the per-crate build it writes"),
        (&["--lockfile-compat"], "`--lockfile-compat` needs `--rev REV`, the revision whose copy it rewrites"),
        (&["bisect"], "`bisect` needs two toolchains, the span to search: `cargo timewarp bisect FROM TO`"),
        (
            &["-v", "bisect", "1.80"],
            "`bisect` needs two toolchains, the span to search: `cargo timewarp bisect FROM TO`",
        ),
        (
            &["bisect", "1.80", "1.90", "--keep-installed"],
            "`--keep-installed` needs `--install`: it keeps the releases --install adds",
        ),
        (
            &["--timeout", "90"],
            "invalid value `90` for `--timeout`: `90` has no unit; add one, such as `90s`, `90m` or `90h`",
        ),
    ] {
        let err = parse(args).unwrap_err();
        assert_eq!(err.to_string(), message, "{args:?}");
        assert!(!err.to_string().contains('\n'), "{args:?}");
        assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
    }
}

#[test]
fn help_lists_the_possible_values() {
    let help = top_command().render_long_help().to_string();
    assert!(help.contains("table, json, csv, markdown"), "{help}");
    assert!(help.contains("auto, always, never"), "{help}");
}
