use super::*;

fn work_dir(root: &Path) -> WorkDir {
    WorkDir {
        builds: root.join("target/timewarp"),
        state: root.join("state/ws-0"),
        owner: crate::process::effective_uid(),
        workspace: root.join("ws"),
        state_from: CacheHome::XdgCacheHome,
    }
}

#[test]
fn prunes_only_marked_target_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    work.create_builds().unwrap();
    for version in ["1.63.0", "1.85.0", "1.96.0"] {
        let target = work.builds().join(version);
        work.clear_target_dir(&target).unwrap();
        std::fs::create_dir_all(target.join("debug")).unwrap();
        std::fs::write(target.join("debug/app"), vec![0u8; 1000]).unwrap();
    }
    // Named like a version but not made by timewarp: never removed.
    let foreign = work.builds().join("2.0.0");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::create_dir_all(work.vendor_dir().join("itoa-1.0.9")).unwrap();
    std::fs::write(work.history_file(), "{}\n").unwrap();
    // The kept build is the rebuilds' directory inside the toolchain's.
    let freed = work.prune_target_dirs(&[work.builds().join("1.96.0/rebuilds")]).unwrap();
    assert!(freed >= 2000, "{freed}");
    let mut left: Vec<String> =
        std::fs::read_dir(work.builds()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(left, ["1.96.0", "2.0.0", "CACHEDIR.TAG", "history.jsonl", "vendor"]);
}

#[test]
fn clean_builds_start_empty_but_marked_and_stay_inside() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    work.create_builds().unwrap();
    let target = work.builds().join("1.85.0");
    work.clear_target_dir(&target).unwrap();
    std::fs::write(target.join("artifact"), "x").unwrap();
    work.clear_target_dir(&target).unwrap();
    let left: Vec<_> = std::fs::read_dir(&target).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["CACHEDIR.TAG"]);
    let err = work.clear_target_dir(&dir.path().join("src")).unwrap_err();
    assert!(err.to_string().starts_with("refusing to remove `"), "{err}");
    assert!(work.clear_target_dir(work.builds()).is_err());
    let foreign = work.builds().join("1.70.0");
    std::fs::create_dir_all(&foreign).unwrap();
    let err = work.clear_target_dir(&foreign).unwrap_err();
    assert!(err.to_string().contains("timewarp did not create it"), "{err}");
}

#[test]
fn remove_refuses_a_timewarp_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    std::fs::create_dir_all(work.builds().join("precious")).unwrap();
    let err = work.remove().unwrap_err();
    assert!(err.to_string().contains("timewarp did not create it"), "{err}");
    assert!(work.builds().join("precious").exists());
    std::fs::remove_dir_all(work.builds()).unwrap();
    work.create_builds().unwrap();
    work.create_state().unwrap();
    std::fs::write(work.history_file(), "{}\n").unwrap();
    let removed = work.remove().unwrap();
    assert_eq!(removed.dirs.len(), 2);
    assert!(removed.kept.is_empty());
    assert!(!work.builds().exists() && !work.state.exists());
    assert!(work.remove().unwrap().dirs.is_empty(), "removing twice is fine");
}

/// hostile #5: a second `clean` deleted the backup a conflict note had pointed at, the only
/// copy of the original.
#[test]
fn remove_keeps_the_originals_left_in_the_backups() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    work.create_state().unwrap();
    std::fs::create_dir_all(work.journal_backups()).unwrap();
    let original = work.journal_backups().join("main.rs.42.00ff.orig");
    std::fs::write(&original, "fn main() {}\n").unwrap();
    std::fs::create_dir_all(work.state.join("revisions/abc")).unwrap();
    let removed = work.remove().unwrap();
    assert_eq!(removed.originals, std::slice::from_ref(&original));
    assert!(removed.kept.is_empty(), "the backups are not called foreign: {removed:?}");
    assert_eq!(std::fs::read_to_string(&original).unwrap(), "fn main() {}\n");
    assert!(!work.state.join("revisions").exists(), "the rest is removed");
    std::fs::remove_file(&original).unwrap();
    assert!(work.remove().unwrap().originals.is_empty());
    assert!(!work.state.exists(), "an empty backups directory is removed with the rest");
}

#[test]
fn an_existing_directory_is_never_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    // A user's own `timewarp/` (a repository, a workspace member) where timewarp would go.
    std::fs::create_dir_all(work.builds().join(".git")).unwrap();
    std::fs::write(work.builds().join("notes.txt"), "mine").unwrap();
    let err = work.create_builds().unwrap_err();
    assert!(err.downcast_ref::<NotOurs>().is_some(), "{err:#}");
    assert!(err.to_string().contains("is a directory timewarp did not make"), "{err}");
    assert!(!work.builds().join(MARKER).exists(), "nothing was written into it");
    assert!(work.lock_builds("pid 1").is_err(), "nor a lock");
    assert!(work.remove().is_err(), "and clean never deletes it");
    assert_eq!(std::fs::read_to_string(work.builds().join("notes.txt")).unwrap(), "mine");
    // An empty directory holds nothing to lose: it is used.
    let empty = dir.path().join("empty/timewarp");
    std::fs::create_dir_all(&empty).unwrap();
    create_marked(&empty, work.owner).unwrap();
    assert!(is_marked(&empty));
}

/// Hostile pass, defect 2: a `timewarp/` another user made first in a shared target
/// directory, marked as timewarp's, its entries links to the running user's files. Here the
/// test's directories stand for the other user's: the running user is someone else.
#[test]
fn another_users_directory_is_never_adopted_even_when_marked() {
    let dir = tempfile::tempdir().unwrap();
    let theirs = work_dir(dir.path());
    theirs.create_builds().unwrap();
    theirs.create_state().unwrap();
    theirs.create_cargo_home().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, theirs.cargo_home().join("config.toml")).unwrap();
    let before = fs::tree_size(dir.path());
    let me = WorkDir { owner: theirs.owner + 1, ..theirs.clone() };
    let uid = theirs.owner;
    let builds = format!("`{}` belongs to another user (uid {uid}), so timewarp will not use it", me.builds.display());
    for err in [
        me.create_builds().unwrap_err(),
        me.lock_builds("pid 1").unwrap_err(),
        me.create_cargo_home().unwrap_err(),
        me.create_subject_dir(&me.builds.join("1.96.0")).unwrap_err(),
        me.remove().unwrap_err(),
    ] {
        assert!(err.downcast_ref::<NotOurs>().is_some(), "{err:#}");
        assert!(err.to_string().starts_with(&builds), "{err}");
    }
    let state = format!("`{}` belongs to another user (uid {uid})", me.state.display());
    assert!(me.lock_workspace("pid 1").unwrap_err().to_string().starts_with(&state));
    // One of their directories inside a build directory of the user's own.
    let toolchain = theirs.builds.join("1.85.0");
    create_marked(&toolchain, theirs.owner).unwrap();
    let err = create_marked(&toolchain, me.owner).unwrap_err();
    assert!(err.to_string().contains("belongs to another user"), "{err}");
    assert_eq!(fs::tree_size(dir.path()), before + fs::tree_size(&toolchain), "nothing else was written");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(theirs.builds.join("CACHEDIR.TAG").is_file(), "nor removed");
}

/// The same directory, the user's own, with links planted in it: never written through.
#[test]
fn links_in_timewarps_own_directories_are_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    work.create_state().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    for entry in [work.builds.clone(), work.cargo_home(), work.builds.join("1.96.0")] {
        std::fs::create_dir_all(&entry).unwrap();
        std::os::unix::fs::symlink(&victim, entry.join(MARKER)).unwrap();
    }
    std::fs::remove_file(work.builds.join(MARKER)).unwrap();
    std::fs::write(work.builds.join(MARKER), MARKER_TEXT).unwrap();
    std::os::unix::fs::symlink(&victim, work.builds.join(LOCK)).unwrap();
    let err = work.lock_builds("pid 1").unwrap_err();
    assert!(format!("{err:#}").contains("is a symbolic link"), "{err:#}");
    std::os::unix::fs::symlink(&victim, work.state.join("journal.json")).unwrap();
    let err = work.write_atomic(&work.journal_file(), "{}").unwrap_err();
    assert!(format!("{err:#}").contains("is a symbolic link"), "{err:#}");
    // A marker that is a link to a file holding timewarp's tag marks nothing written.
    std::fs::write(&victim, MARKER_TEXT).unwrap();
    assert!(work.create_cargo_home().is_ok(), "marked (read through the link), so nothing is written");
    std::fs::write(&victim, "precious").unwrap();
    let err = work.create_subject_dir(&work.builds.join("1.96.0")).unwrap_err();
    assert!(err.to_string().contains("timewarp did not make"), "{err:#}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}

/// Case 67: `linker = ".mycc"`, found through PATH, was called "not a program name found
/// through PATH", and `--no-link-time`, with which it builds, was not offered.
#[test]
fn a_linker_name_timewarp_makes_no_link_for_offers_no_link_time() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    let err = work.create_link_dir(Path::new("/bin/true"), &[".mycc".to_string()]).unwrap_err();
    let link_dir = work.builds().join("linker");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot take the link time of the linker `.mycc` apart: timewarp stands in for a linker through a link of the same name in `{}`, and makes none named `.mycc` (empty, hidden or with a `/`); pass `--no-link-time` to measure without taking link time apart",
            link_dir.display()
        )
    );
    assert!(!link_dir.join(".mycc").exists());
}

#[test]
fn a_link_to_a_users_directory_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users-dir");
    std::fs::create_dir_all(&users).unwrap();
    let work = work_dir(dir.path());
    std::fs::create_dir_all(work.builds().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&users, work.builds()).unwrap();
    let err = work.create_builds().unwrap_err();
    assert!(err.to_string().contains("is a link to a directory timewarp did not make"), "{err}");
    assert_eq!(std::fs::read_dir(&users).unwrap().count(), 0, "no CACHEDIR.TAG, no cargo-home in it");
    assert!(work.create_cargo_home().is_err());
    assert_eq!(std::fs::read_dir(&users).unwrap().count(), 0);
}

/// Hostile pass: a toolchain's `scratch` (emptied before every clean build after the first)
/// replaced by a link to a user's directory, even one that carries timewarp's marker.
#[test]
fn a_scratch_directory_that_is_a_link_is_never_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    let toolchain_dir = work.builds().join("1.96.0");
    work.create_builds().unwrap();
    create_marked(&toolchain_dir, work.owner).unwrap();
    work.clear_target_dir(&toolchain_dir.join("rebuilds")).unwrap();
    let users = dir.path().join("users-dir");
    std::fs::create_dir_all(&users).unwrap();
    std::fs::write(users.join("notes.txt"), "mine").unwrap();
    std::fs::write(users.join(MARKER), MARKER_TEXT).unwrap();
    std::os::unix::fs::symlink(&users, toolchain_dir.join("scratch")).unwrap();
    let err = work.clear_target_dir(&toolchain_dir.join("scratch")).unwrap_err();
    assert!(err.to_string().contains("timewarp did not create it"), "{err}");
    assert!(work.remove_target_dir(&toolchain_dir.join("scratch")).is_err());
    assert_eq!(std::fs::read_to_string(users.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn clean_keeps_what_a_user_put_inside() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    work.create_builds().unwrap();
    work.create_cargo_home().unwrap();
    work.clear_target_dir(&work.builds().join("1.85.0")).unwrap();
    std::fs::write(work.builds().join("notes.txt"), "mine").unwrap();
    let removed = work.remove().unwrap();
    assert_eq!(removed.kept, [work.builds().join("notes.txt")]);
    assert_eq!(std::fs::read_to_string(work.builds().join("notes.txt")).unwrap(), "mine");
    assert!(!work.builds().join("1.85.0").exists() && !work.cargo_home().exists());
}

#[test]
fn a_read_only_target_dir_gets_advice() {
    let work = WorkDir {
        builds: "/proc/timewarp-cannot-exist/timewarp".into(),
        state: "/proc/x".into(),
        owner: 0,
        workspace: "/proc/ws".into(),
        state_from: CacheHome::Home,
    };
    assert_eq!(work.dirs().len(), 2);
    let text = format!("{:#}", work.create_builds().unwrap_err());
    assert!(text.starts_with("could not create `/proc/timewarp-cannot-exist/timewarp`"), "{text}");
    assert!(text.contains("use `--target-dir`"), "{text}");
}

#[test]
fn one_run_at_a_time_per_workspace_and_per_build_directory() {
    let dir = tempfile::tempdir().unwrap();
    let work = work_dir(dir.path());
    let Locked::Acquired(first) = work.lock_workspace("pid 7, started then: `cargo timewarp`").unwrap() else {
        panic!("the first lock is free")
    };
    let Locked::HeldBy(holder) = work.lock_workspace("pid 8").unwrap() else { panic!("held") };
    assert_eq!(holder, "pid 7, started then: `cargo timewarp`");
    drop(first);
    let record = std::fs::read_to_string(work.state.join(LOCK)).unwrap();
    assert_eq!(record, "", "a run that ends leaves no holder behind");
    assert!(matches!(work.lock_workspace("pid 9").unwrap(), Locked::Acquired(_)), "released with its holder");
    // Another workspace sharing the target directory shares the build directory's lock.
    let other = WorkDir { state: dir.path().join("state/other-1"), ..work.clone() };
    let Locked::Acquired(_builds) = work.lock_builds("pid 10").unwrap() else { panic!("free") };
    assert!(matches!(other.lock_builds("pid 11").unwrap(), Locked::HeldBy(h) if h == "pid 10"));
}

/// Hostile pass, defect 16: a cache home inside the workspace, from either variable.
#[test]
fn a_state_directory_inside_the_workspace_is_refused_naming_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ws");
    std::fs::create_dir_all(&root).unwrap();
    let home = root.display().to_string();
    let me = crate::process::effective_uid();
    for (vars, from) in [
        (vec![("HOME", home.as_str())], "HOME"),
        (vec![("HOME", "/nonexistent"), ("XDG_CACHE_HOME", home.as_str())], "XDG_CACHE_HOME"),
    ] {
        let work = WorkDir::new(&root, &root.join("target"), &Env::new(vars), me).unwrap();
        let err = work.lock_workspace("pid 1").unwrap_err();
        assert_eq!(crate::exit::code_for(&err), crate::exit::USAGE);
        assert!(err.to_string().contains(&format!("(from {from}) is inside the workspace `{home}`")), "{err}");
    }
    assert_eq!(std::fs::read_dir(&root).unwrap().count(), 0, "nothing made in the tree");
    let outside = dir.path().join("cache").display().to_string();
    let work = WorkDir::new(&root, &root.join("target"), &Env::new([("XDG_CACHE_HOME", outside.as_str())]), me);
    assert!(matches!(work.unwrap().lock_workspace("pid 1").unwrap(), Locked::Acquired(_)));
}

#[test]
fn state_is_keyed_by_the_workspace_root() {
    assert_eq!(workspace_key(Path::new("/no/such/app")), workspace_key(Path::new("/no/such/app")));
    assert_ne!(workspace_key(Path::new("/a/app")), workspace_key(Path::new("/b/app")));
    assert!(workspace_key(Path::new("/a/my app")).starts_with("my_app-"));
    assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
}
