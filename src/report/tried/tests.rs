use super::*;
use crate::discover::arms::NotHere;
use crate::measure::engine::Sample;
use crate::testing::toolchain;
use crate::vocab::Format;

fn sample(round: usize, wall_s: f64) -> Sample {
    Sample { round, wall_s, cpu_s: None, peak_rss: None, link: None, compiled: None }
}

/// What `build` needs, on 1.95.0 for a dev build on two cores, with the plain 95 % intervals.
fn context<'a>(
    scenarios: &'a [Scenario],
    rows: &'a [Vec<Arm>],
    availability: &'a [Availability],
    rounds: usize,
) -> Context<'a> {
    Context {
        toolchain: "1.95.0",
        scenarios,
        rows,
        availability,
        host: "x86_64-unknown-linux-gnu",
        flags_home: FlagsHome::Target,
        profile: "dev",
        cores: 2,
        rounds,
        confidence: stats::CONFIDENCE,
    }
}

fn measured(variant: usize, walls: &[f64]) -> Measured {
    let samples = walls.iter().enumerate().map(|(r, w)| sample(r, *w)).collect();
    Measured {
        toolchain: toolchain("1.95.0"),
        variant,
        target_dir: "/t".into(),
        samples: [(Scenario::Clean, samples)].into_iter().collect(),
        end: End::Completed,
        scenario_errors: Default::default(),
        crates: None,
        redone: Vec::new(),
    }
}

#[test]
fn a_clearly_faster_arm_wins_and_gets_its_lines() {
    let runs = [
        measured(0, &[10.0, 10.2, 9.9, 10.1]),
        measured(1, &[8.0, 8.1, 7.9, 8.05]),
        measured(2, &[10.0, 10.3, 9.8, 10.1]),
    ];
    let rows = [vec![Arm::Mold], vec![Arm::LineTablesOnly]];
    let availability = [Availability {
        arm: Arm::Lld,
        not_here: Some(NotHere::NotInstalled { program: "ld.lld", install: Some("sudo apt-get install lld") }),
    }];
    let at = context(&[Scenario::Clean], &rows, &availability, 4);
    let tried = build(&runs, &at);
    assert_eq!(tried.arms[0].cells[0].finding, Finding::Faster);
    assert!(tried.arms[0].cells[0].lower.unwrap() > 1.2, "{:?}", tried.arms[0].cells[0]);
    assert_ne!(tried.arms[1].cells[0].finding, Finding::Faster);
    assert_eq!(tried.adopt.iter().map(|s| s.arm).collect::<Vec<_>>(), [Arm::Mold]);
    let answer = &tried.answer[0];
    assert_eq!(
        (answer.scenario, answer.verdict, answer.best.as_slice()),
        (Scenario::Clean, AnswerKind::Faster, &[Arm::Mold][..])
    );
    assert!(
        answer
            .sentence
            .starts_with("clean: on 1.95.0, mold builds 1.25x faster than today's settings (95% interval 1.2"),
        "{}",
        answer.sentence
    );
    let table = render(&tried, Format::Table);
    assert!(
        table.starts_with(&format!("{}\nThe lines to paste are at the end.\n\n", answer.sentence)),
        "the answer first: {table}"
    );
    assert!(table.contains("lld: not installed (no `ld.lld` on PATH); `sudo apt-get install lld`"), "{table}");
    assert!(table.contains("rustflags = [\"-C\", \"link-arg=-fuse-ld=mold\"]"), "{table}");
    let json: serde_json::Value = serde_json::from_str(&render(&tried, Format::Json)).unwrap();
    assert_eq!((json["kind"].as_str(), json["schema"].as_u64()), (Some("try"), Some(1)));
    assert_eq!(json["arms"][0]["arms"][0], "mold");
    assert_eq!(json["not_here"][0]["arm"], "lld");
    let [_, _, schema] = crate::report::schema::documents();
    let schema: serde_json::Value = serde_json::from_str(&schema.generated).unwrap();
    let errors: Vec<String> =
        jsonschema::validator_for(&schema).unwrap().iter_errors(&json).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // `show` reads the document back whole, and renders the same table from it.
    let back: Tried = serde_json::from_value(json).unwrap();
    assert_eq!(render(&back, Format::Table), table);
    let csv = render(&tried, Format::Csv);
    assert!(csv.lines().nth(1).unwrap().starts_with("mold,clean,1.25"), "{csv}");
    let markdown = render(&tried, Format::Markdown);
    assert!(markdown.contains("| mold "), "{markdown}");
    assert!(
        markdown.contains("\n- lld: not installed (no `ld.lld` on PATH); `sudo apt-get install lld`\n"),
        "{markdown}"
    );
    assert!(markdown.contains("```toml\n[target.x86_64-unknown-linux-gnu]\n"), "{markdown}");
}

#[test]
fn of_two_winning_linkers_the_clearer_one_is_recommended() {
    let runs = [
        measured(0, &[10.0, 10.2, 9.9, 10.1]),
        measured(1, &[8.0, 8.1, 7.9, 8.05]),
        measured(2, &[6.0, 6.1, 5.9, 6.05]),
        measured(3, &[9.0, 9.1, 8.9, 9.05]),
    ];
    let rows = [vec![Arm::Lld], vec![Arm::Mold], vec![Arm::NoDepsDebug]];
    let at = context(&[Scenario::Clean], &rows, &[], 4);
    let tried = build(&runs, &at);
    assert!(tried.arms.iter().all(ArmRow::wins));
    assert_eq!(winners(&tried.arms), [Arm::Mold, Arm::NoDepsDebug], "one linker, the faster");
    assert_eq!(tried.adopt.iter().map(|s| s.arm).collect::<Vec<_>>(), [Arm::Mold, Arm::NoDepsDebug]);
    // Found on eza: no-debug and no-deps-debug both won and were combined, though `debug = 0`
    // already covers the dependencies. Two debug levels exclude each other as two linkers do.
    let rows = [vec![Arm::Lld], vec![Arm::NoDebug], vec![Arm::NoDepsDebug]];
    let tried = build(&runs, &context(&[Scenario::Clean], &rows, &[], 4));
    assert_eq!(winners(&tried.arms), [Arm::Lld, Arm::NoDebug], "one debug level, the faster");
}

#[test]
fn no_incremental_is_judged_on_clean_builds_alone() {
    let mut today = measured(0, &[10.0, 10.2, 9.9, 10.1]);
    let mut arm = measured(1, &[8.0, 8.1, 7.9, 8.05]);
    let slower: Vec<Sample> = (0..4).map(|r| sample(r, 3.0)).collect();
    today.samples.insert(Scenario::Touched, (0..4).map(|r| sample(r, 1.0 + r as f64 * 0.01)).collect());
    arm.samples.insert(Scenario::Touched, slower);
    let rows = [vec![Arm::NoIncremental]];
    let at = context(&[Scenario::Clean, Scenario::Touched], &rows, &[], 4);
    let tried = build(&[today, arm], &at);
    assert_eq!(tried.arms[0].cells[1].finding, Finding::Slower);
    assert!(!tried.arms[0].cells[1].meant && tried.arms[0].wins(), "its rebuilds do not count");
    assert_eq!(tried.adopt[0].text, "CARGO_INCREMENTAL=0");
    let table = render(&tried, Format::Table);
    assert!(table.contains("(0.34x ±"), "in parentheses: {table}");
    assert!(table.contains("(…): not what the arm is for (`no-incremental` is for clean builds)"), "{table}");
    assert!(render(&tried, Format::Markdown).contains("```sh\nCARGO_INCREMENTAL=0\n```"), "shell, not TOML");
    assert_eq!(
        tried.answer.iter().map(|a| a.verdict).collect::<Vec<_>>(),
        [AnswerKind::Faster, AnswerKind::NoneFaster]
    );
    assert_eq!(
        tried.answer[1].sentence,
        "touched: on 1.95.0, no arm beats today's settings by more than the 1% noise threshold."
    );
}

#[test]
fn a_scenario_says_when_its_intervals_are_too_wide_or_its_fastest_arm_loses_elsewhere() {
    let mut today = measured(0, &[10.0, 10.2, 9.9, 10.1]);
    let mut slower_elsewhere = measured(1, &[8.0, 8.1, 7.9, 8.05]);
    let mut wide = measured(2, &[9.0, 11.0, 8.0, 12.0]);
    today.samples.insert(Scenario::Check, (0..4).map(|r| sample(r, 2.0 + r as f64 * 0.01)).collect());
    slower_elsewhere.samples.insert(Scenario::Check, (0..4).map(|r| sample(r, 3.0 + r as f64 * 0.01)).collect());
    wide.samples.insert(Scenario::Check, [1.5, 2.6, 1.8, 2.5].iter().enumerate().map(|(r, w)| sample(r, *w)).collect());
    let rows = [vec![Arm::NoDebug], vec![Arm::Mold]];
    let at = context(&[Scenario::Clean, Scenario::Check], &rows, &[], 4);
    let tried = build(&[today, slower_elsewhere, wide], &at);
    let verdicts: Vec<AnswerKind> = tried.answer.iter().map(|a| a.verdict).collect();
    assert_eq!(verdicts, [AnswerKind::SlowerElsewhere, AnswerKind::Unclear], "{:#?}", tried.answer);
    assert!(tried.adopt.is_empty() && tried.answer.iter().all(|a| a.best.is_empty()));
    assert!(
        tried.answer[0].sentence.ends_with("but it is slower in another scenario."),
        "{}",
        tried.answer[0].sentence
    );
    assert_eq!(
        tried.answer[1].sentence,
        "check: on 1.95.0, no arm is clearly faster yet (1 of 2 intervals are too wide to tell); more rounds would narrow them (`--runs 10`)."
    );
}

#[test]
fn a_scenario_that_links_nothing_gets_no_link_line() {
    let link = |seconds| Some(crate::measure::linker::LinkTime { seconds, runs: 1 });
    let mut today = measured(0, &[10.0, 10.2]);
    let mut arm = measured(1, &[10.0, 10.1]);
    for run in [&mut today, &mut arm] {
        let clean = run.samples.get_mut(&Scenario::Clean).unwrap();
        let check: Vec<Sample> = clean.iter().map(|s| Sample { link: link(0.0), ..*s }).collect();
        clean.iter_mut().for_each(|s| s.link = link(0.25));
        run.samples.insert(Scenario::Check, check);
    }
    let rows = [vec![Arm::Mold]];
    let at = context(&[Scenario::Clean, Scenario::Check], &rows, &[], 2);
    let table = render(&build(&[today, arm], &at), Format::Table);
    assert!(table.contains("link time in clean: today 0.250 s, mold 0.250 s"), "{table}");
    assert!(!table.contains("link time in check"), "{table}");
}

#[test]
fn a_single_round_says_it_has_no_interval_instead_of_no_winner() {
    let rows = [vec![Arm::NoDebug]];
    let at = context(&[Scenario::Clean], &rows, &[], 1);
    let tried = build(&[measured(0, &[10.0]), measured(1, &[5.0])], &at);
    assert_eq!(tried.answer[0].verdict, AnswerKind::NoInterval);
    assert!(tried.answer[0].best.is_empty() && tried.adopt.is_empty());
    let table = render(&tried, Format::Table);
    assert!(
        table.starts_with(
            "clean: no arm has an interval yet: that takes two rounds, and one round of its 2 builds takes about\n    \
             20 s (more `--runs`, a longer `--budget` or fewer `--arms`).\n\n"
        ),
        "{table}"
    );
    let mut failed = measured(0, &[]);
    failed.end = End::Failed("error[E0425]: cannot find value `x`".into());
    let tried = build(&[failed, measured(1, &[5.0])], &at);
    assert_eq!(
        tried.answer[0].sentence, "clean: today's build has no time here, so no arm could be compared with it.",
        "not a call for more rounds"
    );
}
