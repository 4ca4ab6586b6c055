//! What was measured, shown and kept: the report model ([`model`]) assembled here from the
//! measurements and the facts of the run, its formats ([`export`], [`plot`]), where it goes
//! ([`output`]), the progress shown while measuring ([`progress`]), the saved history
//! ([`history`]), the baseline gate ([`baseline`]) and what the findings mean for the exit code
//! ([`verdict`]).

pub(crate) mod baseline;
pub(crate) mod export;
pub(crate) mod guard;
pub(crate) mod history;
pub(crate) mod model;
pub(crate) mod output;
pub(crate) mod per_crate;
pub(crate) mod plot;
pub(crate) mod progress;
pub(crate) mod saved;
#[cfg(test)]
pub(crate) mod schema;
pub(crate) mod verdict;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use self::baseline::Baseline;
use self::model::{Figures, Floor, Listed, Listing, Report, Row, SCHEMA_VERSION, Skipped, Status};
use crate::discover::environment::{self, Setting};
use crate::discover::msrv::short_version;
use crate::discover::select::Selection;
use crate::discover::toolchain::{BrokenToolchain, HOST};
use crate::discover::workspace::Workspace;
use crate::measure::build::Recipe;
#[cfg(test)]
use crate::measure::engine::RunCount;
use crate::measure::engine::{End, Measured, Runs, Sample};
use crate::measure::stats::{Summary, speedup};
use crate::vocab::Linker;
use crate::vocab::Scenario;

/// The warm-up policy, stated in every report.
pub(crate) const WARMUP_POLICY: &str = "each compiler's files are read into memory, untimed, before its first build; \
every clean build is timed from an empty target directory; one untimed rebuild after touching the file precedes the timed rebuilds";

/// How the run was done and what surrounded it: everything the report states besides the
/// measurements themselves.
#[derive(Debug)]
pub(crate) struct Facts<'a> {
    /// The measured workspace (a `--rev` copy's, with `--rev`).
    pub workspace: &'a Workspace,
    /// What was selected and what was left out.
    pub selection: &'a Selection,
    /// Toolchains whose rustc did not answer.
    pub broken: &'a [BrokenToolchain],
    /// The recipe of every build.
    pub recipe: &'a Recipe,
    /// Timed builds per scenario.
    pub runs: Runs,
    /// The file the rebuilds touched.
    pub touched_file: &'a Path,
    /// Distorting variables removed from the builds.
    pub removed_env: &'a [String],
    /// Settings kept that change how code is built.
    pub settings: &'a [Setting],
    /// Where dependency sources were vendored, if anywhere.
    pub vendor_dir: Option<&'a Path>,
    /// The commit timed with `--rev`.
    pub revision: Option<&'a str>,
    /// Files in the workspace the builds changed (build scripts writing into the tree).
    pub changed_by_builds: &'a [PathBuf],
    /// Changes to the user's tree timewarp left alone because someone changed the file during
    /// the run (the user's edit wins over timewarp's restore).
    pub kept_changes: &'a [String],
    /// The `--baseline` to compare with.
    pub baseline: Option<&'a Baseline>,
    /// `--crates=N`: how many of the crates that changed most to show.
    pub crates_top: Option<usize>,
    /// Logical CPUs of the machine.
    pub cores: usize,
}

/// Assembles the report of a measuring run: one row per toolchain, speedups against the oldest
/// row with figures, warnings, and the baseline comparison.
pub(crate) fn build(facts: &Facts<'_>, measured: &[Measured]) -> Report {
    let mut report = assemble(facts, measured);
    report.baseline = facts.baseline.map(|b| b.compare(&report.setup(), &report.toolchains));
    report
}

fn assemble(facts: &Facts<'_>, measured: &[Measured]) -> Report {
    let linker = environment::configured_linker(facts.settings, HOST).map(Linker::Configured);
    let member_dirs: Vec<PathBuf> = facts.workspace.members.iter().map(|m| m.dir.clone()).collect();
    let mut rows: Vec<Row> = measured.iter().map(|m| row(m, facts.selection, linker.as_ref(), &member_dirs)).collect();
    add_speedups(&mut rows);
    per_crate::add_speedups(&mut rows);
    let mut warnings: Vec<String> =
        environment::incremental_warning(facts.settings, facts.recipe.profile.name()).into_iter().collect();
    warnings.extend(provenance_warnings(&rows));
    warnings.extend(noise_warnings(&rows));
    warnings.extend(facts.kept_changes.iter().cloned());
    if !facts.changed_by_builds.is_empty() {
        let files: Vec<String> = facts.changed_by_builds.iter().map(|p| format!("`{}`", p.display())).collect();
        warnings.push(format!(
            "the builds changed files in the workspace, which timewarp does not undo: {} (a build script writing into the source tree?)",
            files.join(", ")
        ));
    }
    let workspace = facts.workspace;
    Report {
        schema: SCHEMA_VERSION,
        timewarp_version: env!("CARGO_PKG_VERSION").to_string(),
        workspace: workspace.root.display().to_string(),
        revision: facts.revision.map(str::to_string),
        packages: workspace.packages.clone(),
        msrv: workspace.msrv().map(|f| short_version(&f.version)),
        declared_rust_version: declared(workspace),
        msrv_floors: floors(workspace),
        command: facts.recipe.command,
        profile: facts.recipe.profile.clone(),
        warmup: WARMUP_POLICY.to_string(),
        touched_file: facts
            .touched_file
            .strip_prefix(&workspace.root)
            .unwrap_or(facts.touched_file)
            .display()
            .to_string(),
        cores: facts.cores,
        jobs: facts.recipe.jobs,
        runs: facts.runs.counts().into_iter().collect(),
        removed_env: facts.removed_env.to_vec(),
        build_settings: facts.settings.to_vec(),
        vendored_sources: facts.vendor_dir.map(|d| d.display().to_string()),
        warnings,
        baseline: None,
        crate_changes: facts.crates_top.and_then(|top| per_crate::changes(&rows, top)),
        toolchains: rows,
        skipped: skipped(facts.selection, facts.broken),
    }
}

/// Assembles the `--list` view: every installed toolchain and whether it would be measured.
pub(crate) fn listing(workspace: &Workspace, selection: &Selection, broken: &[BrokenToolchain]) -> Listing {
    let chosen = selection.chosen.iter().map(|t| (t, None));
    let skipped = selection.skipped.iter().map(|(t, r)| (t, Some(r.to_string())));
    let mut toolchains: Vec<Listed> = chosen
        .chain(skipped)
        .map(|(t, reason)| Listed {
            name: t.name.clone(),
            aliases: t.aliases.clone(),
            version: t.version.to_string(),
            release_date: Some(t.release_date),
            selected: reason.is_none(),
            reason,
        })
        .collect();
    toolchains.sort_by(|a, b| a.release_date.cmp(&b.release_date).then(a.version.cmp(&b.version)));
    toolchains.extend(broken.iter().map(|b| Listed {
        name: b.name.clone(),
        aliases: Vec::new(),
        version: "unknown".into(),
        release_date: None,
        selected: false,
        reason: Some(format!("broken: {}", b.error)),
    }));
    Listing {
        schema: SCHEMA_VERSION,
        workspace: workspace.root.display().to_string(),
        msrv: workspace.msrv().map(|f| short_version(&f.version)),
        declared_rust_version: declared(workspace),
        msrv_floors: floors(workspace),
        toolchains,
    }
}

fn declared(workspace: &Workspace) -> Option<String> {
    workspace.declared_rust_version.as_ref().map(|f| short_version(&f.version))
}

fn floors(workspace: &Workspace) -> Vec<Floor> {
    workspace
        .msrv_floors
        .iter()
        .map(|f| Floor {
            version: short_version(&f.version),
            kind: f.kind.name().to_string(),
            reason: f.kind.to_string(),
        })
        .collect()
}

fn skipped(selection: &Selection, broken: &[BrokenToolchain]) -> Vec<Skipped> {
    let skipped = selection.skipped.iter().map(|(t, reason)| Skipped {
        name: t.name.clone(),
        version: t.version.to_string(),
        reason: reason.to_string(),
    });
    let broken = broken.iter().map(|b| Skipped {
        name: b.name.clone(),
        version: "unknown".into(),
        reason: format!("broken: {}", b.error),
    });
    skipped.chain(broken).collect()
}

fn row(measured: &Measured, selection: &Selection, configured_linker: Option<&Linker>, member_dirs: &[PathBuf]) -> Row {
    let t = &measured.toolchain;
    let (status, error) = match &measured.end {
        End::Completed => (Status::Ok, None),
        End::Failed(error) => (Status::Failed, Some(error.clone())),
        End::Interrupted if measured.samples.values().all(Vec::is_empty) => {
            (Status::Interrupted, Some("interrupted by Ctrl-C or SIGTERM before any of its builds finished".into()))
        }
        End::Interrupted => (Status::Interrupted, Some("interrupted by Ctrl-C or SIGTERM".to_string())),
    };
    let scenarios = if status == Status::Failed {
        BTreeMap::new()
    } else {
        measured.samples.iter().filter_map(|(scenario, samples)| Some((*scenario, figures(samples)?))).collect()
    };
    let clean_median = scenarios.get(&Scenario::Clean).map(|f: &Figures| f.wall.median_s);
    let (crates, crates_error) = match &measured.crates {
        Some(Ok(build)) => (Some(per_crate::breakdown(build, member_dirs, clean_median)), None),
        Some(Err(why)) => (None, Some(why.clone())),
        None => (None, None),
    };
    Row {
        name: t.name.clone(),
        version: t.version.to_string(),
        release_date: t.release_date,
        rustc: t.description.clone(),
        target_dir: measured.target_dir.display().to_string(),
        provenance: t.provenance(),
        linker: configured_linker.cloned().unwrap_or_else(|| t.default_linker()),
        incremental_forced: t.needs_forced_incremental(),
        status,
        error,
        expected_failure: selection
            .doubtful
            .iter()
            .find(|(name, _)| *name == t.name)
            .map(|(_, reason)| format!("expected to fail: {reason}")),
        scenarios,
        crates,
        crates_error,
    }
}

fn figures(samples: &[Sample]) -> Option<Figures> {
    let wall = Summary::of(&samples.iter().map(|s| s.wall_s).collect::<Vec<_>>())?;
    let cpu = samples.iter().map(|s| s.cpu_s).collect::<Option<Vec<f64>>>().and_then(|c| Summary::of(&c));
    let largest_process_mib =
        samples.iter().filter_map(|s| s.peak_rss).max().map(|bytes| bytes as f64 / (1024.0 * 1024.0));
    Some(Figures { wall, cpu, largest_process_mib, speedup: None, speedup_uncertain: false, speedup_cpu: None })
}

/// Every scenario's speedups against the oldest row that has its figures, marked uncertain
/// where the two rows' ranges overlap.
fn add_speedups(rows: &mut [Row]) {
    for scenario in Scenario::ALL {
        let Some(base_index) = rows.iter().position(|r| r.figures(scenario).is_some()) else { continue };
        let base = rows[base_index].figures(scenario).cloned().expect("found above");
        for (i, row) in rows.iter_mut().enumerate() {
            let Some(figures) = row.scenarios.get_mut(&scenario) else { continue };
            let (b, r) = (&base.wall, &figures.wall);
            figures.speedup_uncertain = i != base_index && b.min_s <= r.max_s && r.min_s <= b.max_s;
            figures.speedup = speedup(base.wall.median_s, figures.wall.median_s);
            figures.speedup_cpu =
                base.cpu.as_ref().zip(figures.cpu.as_ref()).and_then(|(b, n)| speedup(b.median_s, n.median_s));
        }
    }
}

/// Rows that differ in how their compiler was built or linked compare packaging, not only
/// compiler progress; say so, naming the odd ones out.
fn provenance_warnings(rows: &[Row]) -> Vec<String> {
    let mut warnings = Vec::new();
    type Aspect = (&'static str, fn(&Row) -> String, &'static str);
    let aspects: [Aspect; 2] = [
        ("compiler builds", |r| r.provenance.to_string(), "official builds are PGO-optimised"),
        ("default linkers", |r| r.linker.to_string(), "the linker dominates small rebuilds"),
    ];
    for (what, key, explain) in aspects {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for row in rows {
            match groups.iter_mut().find(|(v, _)| *v == key(row)) {
                Some((_, names)) => names.push(&row.name),
                None => groups.push((key(row), vec![&row.name])),
            }
        }
        if groups.len() > 1 {
            let parts: Vec<String> = groups.iter().map(|(v, names)| format!("{v}: {}", names.join(", "))).collect();
            warnings.push(format!(
                "rows mix {what} ({}); the speedups mix compiler progress with packaging ({explain})",
                parts.join("; ")
            ));
        }
    }
    let forced: Vec<&str> = rows.iter().filter(|r| r.incremental_forced).map(|r| r.name.as_str()).collect();
    if !forced.is_empty() {
        warnings.push(format!(
            "incremental compilation was forced on with RUSTC_FORCE_INCREMENTAL=1 for {}, which shipped with it off",
            forced.join(", ")
        ));
    }
    warnings
}

fn noise_warnings(rows: &[Row]) -> Vec<String> {
    let mut warnings = Vec::new();
    for row in rows {
        for (scenario, figures) in &row.scenarios {
            let s = &figures.wall;
            if s.is_noisy() {
                warnings.push(format!(
                    "{} {scenario}: runs vary (coefficient of variation {:.0}%, range {:.0}% of the median: {:.3} s to {:.3} s); rerun on a quieter machine or with more runs",
                    row.name,
                    s.relative_spread() * 100.0,
                    (s.max_s - s.min_s) / s.median_s * 100.0,
                    s.min_s,
                    s.max_s
                ));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::select::Selection;
    use crate::testing::{toolchain, workspace};
    use crate::vocab::{Command, Profile};

    fn sample(wall_s: f64) -> Sample {
        Sample { wall_s, cpu_s: Some(wall_s * 1.5), peak_rss: Some(100 * 1024 * 1024) }
    }

    fn measured(name: &str, end: End, clean: &[f64], touched: &[f64]) -> Measured {
        let mut samples = BTreeMap::new();
        samples.insert(Scenario::Clean, clean.iter().copied().map(sample).collect());
        samples.insert(Scenario::Touched, touched.iter().copied().map(sample).collect());
        samples.retain(|_, v: &mut Vec<Sample>| !v.is_empty());
        let target_dir = format!("/w/target/timewarp/{name}").into();
        Measured { toolchain: toolchain(name), target_dir, samples, end, crates: None }
    }

    fn report(measured: &[Measured]) -> Report {
        let ws = workspace("/w");
        let selection = Selection { chosen: vec![], skipped: vec![], doubtful: vec![] };
        let recipe = Recipe {
            root: "/w".into(),
            manifest_path: "/w/Cargo.toml".into(),
            packages: vec![],
            command: Command::Check,
            profile: Profile::Release,
            jobs: None,
            cargo_home: "/w/target/timewarp/cargo-home".into(),
            timeout: None,
            lockfile_version: None,
            env: crate::process::Env::default(),
        };
        let facts = Facts {
            workspace: &ws,
            selection: &selection,
            broken: &[],
            recipe: &recipe,
            runs: Runs { clean: RunCount::Fixed(1), touched: 3, edited: 0 },
            touched_file: Path::new("/w/src/main.rs"),
            removed_env: &[],
            settings: &[],
            vendor_dir: None,
            revision: Some("abc"),
            changed_by_builds: &[],
            kept_changes: &[],
            baseline: None,
            crates_top: None,
            cores: 2,
        };
        build(&facts, measured)
    }

    #[test]
    fn speedups_are_against_the_oldest_row_with_figures() {
        let r = report(&[
            measured("1.63.0", End::Failed("error: old".into()), &[9.0], &[]),
            measured("1.85.0", End::Completed, &[4.0], &[1.0, 1.1, 0.9]),
            measured("1.96.0", End::Completed, &[2.0], &[0.5, 0.5, 0.5]),
        ]);
        assert_eq!(r.toolchains[0].status, Status::Failed);
        assert!(r.toolchains[0].scenarios.is_empty(), "a failed row shows no figures");
        assert_eq!(r.toolchains[1].figures(Scenario::Clean).and_then(|f| f.speedup), Some(1.0));
        assert_eq!(r.toolchains[2].figures(Scenario::Clean).and_then(|f| f.speedup), Some(2.0));
        assert_eq!(r.toolchains[2].figures(Scenario::Touched).and_then(|f| f.speedup), Some(2.0));
        assert_eq!(r.toolchains[2].figures(Scenario::Clean).unwrap().speedup_cpu, Some(2.0));
        assert_eq!(
            (r.command, &r.profile, r.touched_file.as_str()),
            (Command::Check, &Profile::Release, "src/main.rs")
        );
        assert_eq!(r.revision.as_deref(), Some("abc"));
        assert_eq!(serde_json::to_value(&r.runs).unwrap(), serde_json::json!({"clean": 1, "touched": 3}));
    }

    #[test]
    fn overlapping_ranges_make_a_speedup_uncertain() {
        let r = report(&[
            measured("1.85.0", End::Completed, &[4.0, 4.4, 3.6], &[1.0, 1.1, 0.9]),
            measured("1.96.0", End::Completed, &[3.8, 3.9, 4.0], &[0.5, 0.5, 0.5]),
        ]);
        let (clean, touched) =
            (r.toolchains[1].figures(Scenario::Clean).unwrap(), r.toolchains[1].figures(Scenario::Touched).unwrap());
        assert!(clean.speedup_uncertain, "3.8-4.0 s against 3.6-4.4 s");
        assert!(!touched.speedup_uncertain, "0.5 s against 0.9-1.1 s");
        assert!(!r.toolchains[0].figures(Scenario::Clean).unwrap().speedup_uncertain, "the base row");
    }

    #[test]
    fn an_interrupted_row_keeps_what_it_measured() {
        let r = report(&[
            measured("1.85.0", End::Completed, &[4.0], &[1.0]),
            measured("1.96.0", End::Interrupted, &[2.0], &[]),
            measured("1.97.0", End::Interrupted, &[], &[]),
        ]);
        assert_eq!(r.toolchains[1].error.as_deref(), Some("interrupted by Ctrl-C or SIGTERM"));
        let never = r.toolchains[2].error.as_deref().unwrap();
        assert_eq!(never, "interrupted by Ctrl-C or SIGTERM before any of its builds finished");
        let row = &r.toolchains[1];
        assert_eq!(row.status, Status::Interrupted);
        assert_eq!(row.median(Scenario::Clean), Some(2.0));
        assert_eq!(row.figures(Scenario::Clean).and_then(|f| f.speedup), Some(2.0));
        assert!(row.figures(Scenario::Touched).is_none());
    }

    #[test]
    fn noisy_rows_are_named() {
        let r = report(&[measured("1.85.0", End::Completed, &[4.0], &[1.0, 1.3, 0.8])]);
        let warning = r.warnings.iter().find(|w| w.starts_with("1.85.0 touched: runs vary")).unwrap();
        assert!(
            warning.contains("(coefficient of variation 24%, range 50% of the median: 0.800 s to 1.300 s)"),
            "{warning}"
        );
    }
}
