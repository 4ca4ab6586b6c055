//! The result of a run as one serialisable value: what was measured, how, and what was left out.
//!
//! Built from the workspace, the selection and the timings; speedups are against the oldest
//! successful row. Exporters only read it, and it never writes anything itself.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::measure::{BuildTiming, Outcome, Sample};
use crate::release::Date;
use crate::select::Selection;
use crate::stats::{Summary, speedup};
use crate::toolchain::BrokenToolchain;
use crate::workspace::{Workspace, short_version};

/// Bumped whenever a field changes meaning or disappears; adding fields keeps it.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a report format needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The cargo-timewarp version that produced it.
    pub timewarp_version: String,
    /// Workspace root.
    pub workspace: String,
    /// The commit timed with `--rev`, if not the working tree.
    pub revision: Option<String>,
    /// Packages built.
    pub packages: Vec<String>,
    /// Effective MSRV (`1.80`), if any.
    pub msrv: Option<String>,
    /// Every MSRV floor, highest first.
    pub msrv_floors: Vec<Floor>,
    /// The cargo command timed: `build` or `check`.
    pub command: String,
    /// Cargo profile of the builds.
    pub profile: String,
    /// How caches were warmed before timing, so readers know what the first run includes.
    pub warmup: String,
    /// The file touched for incremental builds, relative to the workspace root when inside it.
    pub touched_file: String,
    /// Logical CPUs of the machine.
    pub cores: usize,
    /// Clean builds per toolchain.
    pub clean_runs: usize,
    /// Incremental rebuilds per toolchain.
    pub incremental_runs: usize,
    /// Environment variables present in the caller's environment and removed from the builds.
    pub removed_env: Vec<String>,
    /// Where dependency sources were vendored for every toolchain; `null` for path-only
    /// workspaces.
    pub vendored_sources: Option<String>,
    /// Things the reader should know before trusting the numbers.
    pub warnings: Vec<String>,
    /// Measured toolchains, oldest release first.
    pub toolchains: Vec<Row>,
    /// Installed toolchains that were not measured, and why.
    pub skipped: Vec<Skipped>,
    /// The comparison with `--baseline`, when given.
    pub baseline: Option<crate::history::Comparison>,
}

/// One MSRV floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Floor {
    /// `1.56`.
    pub version: String,
    /// `edition 2021 of `app``.
    pub reason: String,
}

/// Whether a toolchain's builds went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every build succeeded.
    Ok,
    /// A build failed; the row has the error and no figures.
    Failed,
    /// Ctrl-C or SIGTERM stopped this toolchain; the row has no figures.
    Interrupted,
}

impl Status {
    /// The name every format uses, the same as in JSON: `ok`, `failed`, `interrupted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Interrupted => "interrupted",
        }
    }
}

/// One measured toolchain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The `+NAME` it was run as.
    pub name: String,
    /// Its `rustc` release.
    pub version: String,
    /// When that release reached users.
    pub release_date: Date,
    /// `rustc -V`, which shows distribution builds.
    pub rustc: String,
    /// Where this toolchain's artifacts went (`<target-dir>/timewarp/<version>`); after the run
    /// only the newest toolchain's is kept unless `--keep-target-dirs`.
    pub target_dir: String,
    /// `official` (the Rust project's build) or `distribution` (a packager's build from source).
    pub provenance: String,
    /// The toolchain's default linker: `rust-lld` or `cc`.
    pub linker: String,
    /// Whether incremental compilation was forced on (`RUSTC_FORCE_INCREMENTAL=1`): rustc
    /// 1.52.1, 1.53 and 1.59 shipped with it off.
    pub incremental_forced: bool,
    /// ok or failed.
    pub status: Status,
    /// The first error line of the failed build.
    pub error: Option<String>,
    /// Clean build wall times.
    pub clean: Option<Summary>,
    /// Incremental rebuild wall times.
    pub incremental: Option<Summary>,
    /// Rebuild wall times after an edit (`--edit`; rustc-perf's `incr-patched`).
    pub patched: Option<Summary>,
    /// Clean build CPU times (user + system of the whole process tree).
    pub clean_cpu: Option<Summary>,
    /// Incremental rebuild CPU times.
    pub incremental_cpu: Option<Summary>,
    /// Peak resident memory of the largest process of any clean build, MiB.
    pub clean_peak_rss_mib: Option<f64>,
    /// Peak resident memory of the largest process of any incremental rebuild, MiB.
    pub incremental_peak_rss_mib: Option<f64>,
    /// Oldest successful row's clean median / this row's.
    pub speedup_clean: Option<f64>,
    /// Oldest successful row's incremental median / this row's.
    pub speedup_incremental: Option<f64>,
    /// Oldest successful row's edited-rebuild median / this row's.
    pub speedup_patched: Option<f64>,
    /// The clean speedup on CPU time instead of wall time: compiler work saved, whatever the
    /// parallelism.
    pub speedup_clean_cpu: Option<f64>,
    /// The incremental speedup on CPU time.
    pub speedup_incremental_cpu: Option<f64>,
}

/// One toolchain that was not measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// Why it was left out.
    pub reason: String,
}

/// The run's settings that the report header shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// The file touched for incremental builds.
    pub touched_file: std::path::PathBuf,
    /// Logical CPUs.
    pub cores: usize,
    /// Clean builds per toolchain.
    pub clean_runs: usize,
    /// Incremental rebuilds per toolchain.
    pub incremental_runs: usize,
    /// Distorting variables removed from the builds.
    pub removed_env: Vec<String>,
    /// `build` or `check`.
    pub command: String,
    /// The profile's name.
    pub profile: String,
    /// Where dependency sources were vendored, if anywhere.
    pub vendor_dir: Option<std::path::PathBuf>,
}

/// The warm-up policy, stated in every report.
pub const WARMUP_POLICY: &str = "none: every clean build is timed from an empty target directory, the first included; \
incremental rebuilds follow the last clean build";

/// Assembles the report.
pub fn build(
    workspace: &Workspace,
    selection: &Selection,
    broken: &[BrokenToolchain],
    timings: &[BuildTiming],
    info: &RunInfo,
) -> Report {
    let mut rows: Vec<Row> = timings.iter().map(row).collect();
    if let Some(base) = rows.iter().position(|r| r.status == Status::Ok) {
        let base = rows[base].clone();
        // The oldest successful row's median over this row's, for one figure.
        let ratio = |figure: fn(&Row) -> &Option<Summary>, row: &Row| {
            let median = |r: &Row| figure(r).as_ref().map(|s| s.median_s);
            median(&base).zip(median(row)).and_then(|(b, n)| speedup(b, n))
        };
        for row in rows.iter_mut().filter(|r| r.status == Status::Ok) {
            row.speedup_clean = ratio(|r| &r.clean, row);
            row.speedup_incremental = ratio(|r| &r.incremental, row);
            row.speedup_patched = ratio(|r| &r.patched, row);
            row.speedup_clean_cpu = ratio(|r| &r.clean_cpu, row);
            row.speedup_incremental_cpu = ratio(|r| &r.incremental_cpu, row);
        }
    }
    Report {
        schema: SCHEMA_VERSION,
        timewarp_version: env!("CARGO_PKG_VERSION").to_string(),
        workspace: workspace.root.display().to_string(),
        revision: None,
        packages: workspace.packages.clone(),
        msrv: workspace.msrv().map(|f| short_version(&f.version)),
        msrv_floors: floors(workspace),
        command: info.command.clone(),
        profile: info.profile.clone(),
        warmup: WARMUP_POLICY.to_string(),
        touched_file: relative(&info.touched_file, &workspace.root),
        cores: info.cores,
        clean_runs: info.clean_runs,
        incremental_runs: info.incremental_runs,
        removed_env: info.removed_env.clone(),
        vendored_sources: info.vendor_dir.as_ref().map(|d| d.display().to_string()),
        warnings: provenance_warnings(&rows).into_iter().chain(noise_warnings(&rows)).collect(),
        toolchains: rows,
        skipped: selection
            .skipped
            .iter()
            .map(|(t, reason)| Skipped {
                name: t.name.clone(),
                version: t.version.to_string(),
                reason: reason.to_string(),
            })
            .chain(broken.iter().map(|b| Skipped {
                name: b.name.clone(),
                version: "unknown".into(),
                reason: format!("broken: {}", b.error),
            }))
            .collect(),
        baseline: None,
    }
}

/// What `--list` shows: every installed toolchain and whether it would be measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listing {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// Workspace root.
    pub workspace: String,
    /// Effective MSRV (`1.80`), if any.
    pub msrv: Option<String>,
    /// Every MSRV floor, highest first.
    pub msrv_floors: Vec<Floor>,
    /// Every installed toolchain, oldest release first; broken ones last.
    pub toolchains: Vec<Listed>,
}

/// One installed toolchain in a [`Listing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// Its `+NAME`.
    pub name: String,
    /// Other names for the same compiler.
    pub aliases: Vec<String>,
    /// Its version, `unknown` when broken.
    pub version: String,
    /// Its release date, when known.
    pub release_date: Option<Date>,
    /// Whether it would be measured.
    pub selected: bool,
    /// Why not, when it would not.
    pub reason: Option<String>,
}

/// Assembles the `--list` view.
pub fn listing(workspace: &Workspace, selection: &Selection, broken: &[BrokenToolchain]) -> Listing {
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
        msrv_floors: floors(workspace),
        toolchains,
    }
}

fn floors(workspace: &Workspace) -> Vec<Floor> {
    workspace
        .msrv_floors
        .iter()
        .map(|f| Floor { version: short_version(&f.version), reason: f.reason.clone() })
        .collect()
}

fn row(timing: &BuildTiming) -> Row {
    let t = &timing.toolchain;
    let mut row = Row {
        name: t.name.clone(),
        version: t.version.to_string(),
        release_date: t.release_date,
        rustc: t.description.clone(),
        target_dir: timing.target_dir.display().to_string(),
        provenance: t.provenance().to_string(),
        linker: t.default_linker().to_string(),
        incremental_forced: t.needs_forced_incremental(),
        status: Status::Ok,
        error: None,
        clean: None,
        incremental: None,
        patched: None,
        clean_cpu: None,
        incremental_cpu: None,
        clean_peak_rss_mib: None,
        incremental_peak_rss_mib: None,
        speedup_clean: None,
        speedup_incremental: None,
        speedup_patched: None,
        speedup_clean_cpu: None,
        speedup_incremental_cpu: None,
    };
    match &timing.outcome {
        Outcome::Completed(samples) => {
            row.clean = Summary::of(&walls(&samples.clean));
            row.incremental = Summary::of(&walls(&samples.incremental));
            row.patched = Summary::of(&walls(&samples.patched));
            row.clean_cpu = cpus(&samples.clean).and_then(|c| Summary::of(&c));
            row.incremental_cpu = cpus(&samples.incremental).and_then(|c| Summary::of(&c));
            row.clean_peak_rss_mib = peak_mib(&samples.clean);
            row.incremental_peak_rss_mib = peak_mib(&samples.incremental);
        }
        Outcome::Failed(error) => {
            row.status = Status::Failed;
            row.error = Some(error.clone());
        }
        Outcome::Interrupted => {
            row.status = Status::Interrupted;
            row.error = Some("interrupted by Ctrl-C or SIGTERM".into());
        }
    }
    row
}

fn walls(samples: &[Sample]) -> Vec<f64> {
    samples.iter().map(|s| s.wall_s).collect()
}

fn cpus(samples: &[Sample]) -> Option<Vec<f64>> {
    samples.iter().map(|s| s.cpu_s).collect()
}

/// Rows that differ in how their compiler was built or linked compare packaging, not only
/// compiler progress; say so, naming the odd ones out.
fn provenance_warnings(rows: &[Row]) -> Vec<String> {
    let mut warnings = Vec::new();
    for (what, key, explain) in [
        (
            "compiler builds",
            (|r: &Row| r.provenance.clone()) as fn(&Row) -> String,
            "official builds are PGO-optimised",
        ),
        ("default linkers", |r: &Row| r.linker.clone(), "the linker dominates small incremental rebuilds"),
    ] {
        let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
        for row in rows {
            let value = key(row);
            match groups.iter_mut().find(|(v, _)| *v == value) {
                Some((_, names)) => names.push(&row.name),
                None => groups.push((value, vec![&row.name])),
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

fn peak_mib(samples: &[Sample]) -> Option<f64> {
    samples.iter().filter_map(|s| s.peak_rss).max().map(|bytes| bytes as f64 / (1024.0 * 1024.0))
}

fn noise_warnings(rows: &[Row]) -> Vec<String> {
    let mut warnings = Vec::new();
    for row in rows {
        for (kind, summary) in [("clean", &row.clean), ("incremental", &row.incremental), ("edited", &row.patched)] {
            if let Some(s) = summary.as_ref().filter(|s| s.is_noisy()) {
                warnings.push(format!(
                    "{} {kind}: runs vary by {:.0}% ({:.3} s to {:.3} s); rerun on a quieter machine or with more runs",
                    row.name,
                    s.relative_spread() * 100.0,
                    s.min_s,
                    s.max_s
                ));
            }
        }
    }
    warnings
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fixed report for exporter tests: two ok rows and a failed one.
    pub fn sample_report() -> Report {
        let ok = |name: &str, date: &str, clean: f64, incr: f64, su_c: f64, su_i: f64| Row {
            name: name.into(),
            version: name.into(),
            release_date: date.parse().unwrap(),
            rustc: format!("rustc {name}"),
            target_dir: format!("/work/app/target/timewarp/{name}"),
            provenance: "official".into(),
            linker: "cc".into(),
            incremental_forced: false,
            status: Status::Ok,
            error: None,
            clean: Summary::of(&[clean]),
            incremental: Summary::of(&[incr, incr * 1.02, incr * 0.98]),
            patched: None,
            clean_cpu: Summary::of(&[clean * 1.5]),
            incremental_cpu: Summary::of(&[incr; 3]),
            clean_peak_rss_mib: Some(412.5),
            incremental_peak_rss_mib: Some(180.0),
            speedup_clean: Some(su_c),
            speedup_incremental: Some(su_i),
            speedup_patched: None,
            speedup_clean_cpu: Some(su_c),
            speedup_incremental_cpu: Some(1.0),
        };
        let mut failed = ok("1.63.0", "2022-08-11", 0.0, 0.0, 0.0, 0.0);
        failed.status = Status::Failed;
        failed.error = Some("error[E0658]: use of unstable library feature, \"int_roundings\"".into());
        (failed.clean, failed.incremental, failed.clean_cpu, failed.incremental_cpu) = (None, None, None, None);
        (failed.clean_peak_rss_mib, failed.incremental_peak_rss_mib) = (None, None);
        (failed.speedup_clean, failed.speedup_incremental) = (None, None);
        (failed.speedup_clean_cpu, failed.speedup_incremental_cpu) = (None, None);
        Report {
            schema: SCHEMA_VERSION,
            timewarp_version: "0.1.0".into(),
            workspace: "/work/app".into(),
            revision: None,
            packages: vec!["app".into()],
            msrv: Some("1.56".into()),
            msrv_floors: vec![Floor { version: "1.56".into(), reason: "edition 2021 of `app`".into() }],
            command: "build".into(),
            profile: "dev".into(),
            warmup: WARMUP_POLICY.into(),
            touched_file: "src/main.rs".into(),
            cores: 2,
            clean_runs: 1,
            incremental_runs: 3,
            removed_env: vec!["RUSTC_WRAPPER".into()],
            vendored_sources: None,
            warnings: vec!["1.96.0 incremental: runs vary by 8% (0.380 s to 0.420 s); rerun with more runs".into()],
            toolchains: vec![
                failed,
                ok("1.85.0", "2025-02-20", 26.1, 0.52, 1.0, 1.0),
                ok("1.96.0", "2026-05-28", 14.7, 0.40, 26.1 / 14.7, 1.3),
            ],
            skipped: vec![Skipped {
                name: "nightly".into(),
                version: "1.97.0-nightly".into(),
                reason: "not stable".into(),
            }],
            baseline: None,
        }
    }

    use crate::measure::Samples;
    use crate::toolchain::Toolchain;
    use std::path::PathBuf;

    fn timing(version: &str, clean: &[f64], incr: &[f64]) -> BuildTiming {
        let v = semver::Version::parse(version).unwrap();
        let sample = |w: &f64| Sample { wall_s: *w, cpu_s: Some(w * 2.0), peak_rss: Some((w * 1048576.0) as u64) };
        BuildTiming {
            toolchain: Toolchain {
                name: version.into(),
                aliases: vec![],
                release_date: crate::toolchain::release_date(&v, None),
                version: v,
                commit_date: None,
                host: "h".into(),
                description: format!("rustc {version} (0123abc 2020-01-01)"),
                commit_hash: Some("0123abc".into()),
            },
            target_dir: PathBuf::new(),
            outcome: Outcome::Completed(Samples {
                clean: clean.iter().map(sample).collect(),
                incremental: incr.iter().map(sample).collect(),
                patched: incr.iter().map(|w| sample(&(w * 2.0))).collect(),
            }),
        }
    }

    #[test]
    fn status_names_match_the_json() {
        for status in [Status::Ok, Status::Failed, Status::Interrupted] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }

    #[test]
    fn mixed_provenance_and_linkers_are_warned_about() {
        let mut rows = sample_report().toolchains;
        assert!(provenance_warnings(&rows).is_empty());
        rows[0].provenance = "distribution".into();
        rows[2].linker = "rust-lld".into();
        rows[1].incremental_forced = true;
        let warnings = provenance_warnings(&rows);
        assert_eq!(
            warnings[0],
            "rows mix compiler builds (distribution: 1.63.0; official: 1.85.0, 1.96.0); the speedups mix compiler progress with packaging (official builds are PGO-optimised)"
        );
        assert!(
            warnings[1].starts_with("rows mix default linkers (cc: 1.63.0, 1.85.0; rust-lld: 1.96.0)"),
            "{}",
            warnings[1]
        );
        assert!(warnings[2].contains("forced on with RUSTC_FORCE_INCREMENTAL=1 for 1.85.0"), "{}", warnings[2]);
    }

    #[test]
    fn speedups_are_against_the_oldest_successful_row() {
        let mut failed = timing("1.63.0", &[], &[]);
        failed.outcome = Outcome::Failed("error: boom".into());
        let timings =
            [failed, timing("1.85.0", &[20.0], &[1.0, 2.0, 3.0]), timing("1.96.0", &[10.0], &[0.5, 0.5, 0.5])];
        let ws = Workspace {
            root: "/w".into(),
            manifest_path: "/w/Cargo.toml".into(),
            target_dir: "/w/target".into(),
            packages: vec!["app".into()],
            explicit_packages: false,
            msrv_floors: vec![],
            declared_rust_version: None,
            toolchain_file: None,
            lockfile: None,
            lockfile_version: None,
            default_touch_file: None,
        };
        let info = RunInfo {
            touched_file: "/w/src/main.rs".into(),
            cores: 2,
            clean_runs: 1,
            incremental_runs: 3,
            removed_env: vec![],
            command: "build".into(),
            profile: "dev".into(),
            vendor_dir: None,
        };
        let report = build(&ws, &Selection { chosen: vec![], skipped: vec![] }, &[], &timings, &info);
        assert_eq!(report.touched_file, "src/main.rs");
        let rows = &report.toolchains;
        assert_eq!(rows[0].status, Status::Failed);
        assert_eq!(rows[0].error.as_deref(), Some("error: boom"));
        assert_eq!(rows[0].speedup_clean, None);
        assert_eq!((rows[1].speedup_clean, rows[1].speedup_incremental), (Some(1.0), Some(1.0)));
        assert_eq!((rows[2].speedup_clean, rows[2].speedup_incremental), (Some(2.0), Some(4.0)));
        assert_eq!(rows[2].speedup_patched, Some(4.0));
        assert_eq!((rows[2].speedup_clean_cpu, rows[2].speedup_incremental_cpu), (Some(2.0), Some(4.0)));
        assert_eq!(rows[1].incremental.as_ref().unwrap().median_s, 2.0);
        assert_eq!(rows[2].clean_cpu.as_ref().unwrap().median_s, 20.0);
        assert_eq!(rows[1].incremental_peak_rss_mib, Some(3.0), "the largest of the runs");
        // 1, 2, 3 is a wide spread; 0.5 x 3 is none.
        assert_eq!(report.warnings.len(), 2);
        assert!(report.warnings[0].starts_with("1.85.0 incremental: runs vary by 50%"), "{}", report.warnings[0]);
        assert!(report.warnings[1].starts_with("1.85.0 edited: runs vary by 50%"), "{}", report.warnings[1]);
    }
}
