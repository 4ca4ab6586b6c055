//! `--crates`: what the per-crate builds add to the report. Each row's rustc invocations become
//! its [`PerCrate`] view (the workspace's own crates against the dependencies, the largest rustc), and
//! the oldest and newest rows are compared crate by crate ([`CrateChanges`]). PerCrate that exist
//! under one toolchain only are listed as such, never turned into a speedup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::model::{CrateChange, CrateChanges, CrateTime, Part, PerCrate, Row};
use crate::measure::engine::CrateBuild;
use crate::measure::wrapper::Invocation;
use crate::stats::ratio as speedup;
use crate::vocab::CrateKind;

const MIB: f64 = 1024.0 * 1024.0;

/// The per-crate view of one toolchain's wrapped build; `member_dirs` tells the workspace's
/// crates from the dependencies, `clean_median_s` (the unwrapped clean builds) shows what the
/// wrapper costs.
pub(crate) fn breakdown(build: &CrateBuild, member_dirs: &[PathBuf], clean_median_s: Option<f64>) -> PerCrate {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let members: Vec<PathBuf> = member_dirs.iter().map(|d| canonical(d)).collect();
    let mut crates: Vec<CrateTime> = build
        .invocations
        .iter()
        .map(|i| CrateTime {
            package: i.package.clone(),
            version: i.version.clone(),
            crate_name: i.crate_name.clone(),
            kind: kind(i),
            workspace: members.contains(&canonical(&i.manifest_dir)),
            wall_s: i.wall_s,
            cpu_s: i.cpu_s,
            peak_rss_mib: i.peak_rss as f64 / MIB,
        })
        .collect();
    crates.sort_by(|a, b| b.wall_s.total_cmp(&a.wall_s).then_with(|| a.label().cmp(&b.label())));
    let part = |workspace: bool| {
        let group: Vec<&CrateTime> = crates.iter().filter(|c| c.workspace == workspace).collect();
        Part {
            count: group.len(),
            wall_s: group.iter().map(|c| c.wall_s).sum(),
            cpu_s: group.iter().map(|c| c.cpu_s).sum(),
            speedup: None,
        }
    };
    PerCrate {
        wrapped_build_s: build.wall_s,
        wrapper_cost_pct: clean_median_s.filter(|m| *m > 0.0).map(|m| (build.wall_s / m - 1.0) * 100.0),
        workspace: part(true),
        dependencies: part(false),
        largest_rustc: crates.iter().max_by(|a, b| a.peak_rss_mib.total_cmp(&b.peak_rss_mib)).cloned(),
        crates,
    }
}

fn kind(invocation: &Invocation) -> CrateKind {
    CrateKind::of(invocation.crate_types.first().map(String::as_str), invocation.is_build_script())
}

/// Each part's speedup against the oldest row with a per-crate build.
pub(crate) fn add_speedups(rows: &mut [Row]) {
    let Some(base) = rows.iter().find_map(|r| r.crates.clone()) else { return };
    for crates in rows.iter_mut().filter_map(|r| r.crates.as_mut()) {
        crates.workspace.speedup = speedup(base.workspace.wall_s, crates.workspace.wall_s);
        crates.dependencies.speedup = speedup(base.dependencies.wall_s, crates.dependencies.wall_s);
    }
}

/// The `top` crates whose time changed most (in seconds) from the oldest to the newest row with
/// a per-crate build, and the crates only one of them compiled.
pub(crate) fn changes(rows: &[Row], top: usize) -> Option<CrateChanges> {
    let with: Vec<&Row> = rows.iter().filter(|r| r.crates.is_some()).collect();
    let (first, last) = (with.first()?, with.last()?);
    if first.name == last.name {
        return None;
    }
    let by_label = |row: &Row| -> BTreeMap<String, CrateTime> {
        let crates = row.crates.as_ref().map(|c| c.crates.clone()).unwrap_or_default();
        crates.into_iter().map(|c| (c.label(), c)).collect()
    };
    let (from, to) = (by_label(first), by_label(last));
    let mut largest: Vec<CrateChange> = from
        .iter()
        .filter_map(|(label, then)| {
            let now = to.get(label)?;
            Some(CrateChange {
                label: label.clone(),
                workspace: then.workspace,
                from_s: then.wall_s,
                to_s: now.wall_s,
                change_s: now.wall_s - then.wall_s,
            })
        })
        .collect();
    largest.sort_by(|a, b| b.change_s.abs().total_cmp(&a.change_s.abs()).then_with(|| a.label.cmp(&b.label)));
    largest.truncate(top);
    Some(CrateChanges {
        from: first.name.clone(),
        to: last.name.clone(),
        largest,
        only_from: from.keys().filter(|l| !to.contains_key(*l)).cloned().collect(),
        only_to: to.keys().filter(|l| !from.contains_key(*l)).cloned().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::sample_report;

    fn invocation(package: &str, crate_name: &str, kind: &str, dir: &str, wall_s: f64, mib: u64) -> Invocation {
        Invocation {
            crate_name: crate_name.into(),
            crate_types: vec![kind.into()],
            package: package.into(),
            version: "1.0.0".into(),
            manifest_dir: dir.into(),
            wall_s,
            cpu_s: wall_s * 1.5,
            peak_rss: mib * 1024 * 1024,
        }
    }

    fn build(factor: f64, extra: Option<Invocation>) -> CrateBuild {
        let mut invocations = vec![
            invocation("app", "app", "bin", "/w/app", 2.0 * factor, 300),
            invocation("app", "build_script_build", "bin", "/w/app", 0.5, 100),
            invocation("regex", "regex", "lib", "/r/regex", 6.0 * factor, 420),
            invocation("serde_derive", "serde_derive", "proc-macro", "/r/serde_derive", 1.0, 200),
        ];
        invocations.extend(extra);
        CrateBuild { wall_s: 8.0 * factor, invocations }
    }

    #[test]
    fn the_workspace_is_told_from_the_dependencies() {
        let crates = breakdown(&build(1.0, None), &["/w/app".into()], Some(7.8));
        assert_eq!((crates.workspace.count, crates.workspace.wall_s), (2, 2.5));
        assert_eq!((crates.dependencies.count, crates.dependencies.wall_s), (2, 7.0));
        let largest = crates.largest_rustc.unwrap();
        assert_eq!((largest.package.as_str(), largest.peak_rss_mib), ("regex", 420.0));
        assert!((crates.wrapper_cost_pct.unwrap() - 2.564).abs() < 0.01);
        let labels: Vec<String> = crates.crates.iter().map(CrateTime::label).collect();
        assert_eq!(labels, ["regex 1.0.0", "app 1.0.0 bin", "serde_derive 1.0.0 proc-macro", "app 1.0.0 build script"]);
    }

    #[test]
    fn the_largest_changes_and_crates_of_one_toolchain_only() {
        let mut report = sample_report();
        let members = [PathBuf::from("/w/app")];
        let only_old = invocation("memchr", "memchr", "lib", "/r/memchr", 1.0, 50);
        report.toolchains[1].crates = Some(breakdown(&build(1.0, Some(only_old)), &members, None));
        report.toolchains[2].crates = Some(breakdown(&build(0.5, None), &members, None));
        add_speedups(&mut report.toolchains);
        let newest = report.toolchains[2].crates.as_ref().unwrap();
        assert_eq!(newest.dependencies.speedup, Some(8.0 / 4.0));
        let changes = changes(&report.toolchains, 2).unwrap();
        assert_eq!((changes.from.as_str(), changes.to.as_str()), ("1.85.0", "1.96.0"));
        let largest: Vec<(String, f64)> = changes.largest.iter().map(|c| (c.label.clone(), c.change_s)).collect();
        assert_eq!(largest, [("regex 1.0.0".to_string(), -3.0), ("app 1.0.0 bin".to_string(), -1.0)]);
        assert_eq!(changes.only_from, ["memchr 1.0.0"], "not a speedup: it was not compiled at all under 1.96.0");
        assert!(changes.only_to.is_empty());
    }
}
