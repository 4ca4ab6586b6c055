//! The modification time a touch gives the changed file, so cargo sees it as newer than its
//! fingerprints.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// The modification time to give the touched file: `now` (the runner's clock), but strictly
/// newer than every output of the last build in `target_dir` (cargo compares it with its
/// fingerprints), by a whole second where the file system seems to keep whole seconds only.
pub(super) fn touch_time(now: SystemTime, target_dir: &Path) -> SystemTime {
    let Some(newest) = newest_fingerprint(target_dir) else { return now };
    let coarse = newest.duration_since(SystemTime::UNIX_EPOCH).is_ok_and(|d| d.subsec_nanos() == 0);
    let step = if coarse { Duration::from_secs(1) } else { Duration::from_micros(1) };
    now.max(newest + step)
}

/// The newest modification time among cargo's fingerprints in `target_dir`
/// (`<profile>/.fingerprint/<unit>/*`).
pub(crate) fn newest_fingerprint(target_dir: &Path) -> Option<SystemTime> {
    let files =
        |dir: &Path| std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect::<Vec<_>>();
    files(target_dir)
        .iter()
        .flat_map(|profile| files(&profile.join(".fingerprint")))
        .flat_map(|unit| files(&unit))
        .filter_map(|file| std::fs::metadata(file).and_then(|m| m.modified()).ok())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::Runner as _;
    use crate::testing::FakeRunner;

    #[test]
    fn the_touch_time_is_newer_than_cargos_fingerprints() {
        let dir = tempfile::tempdir().unwrap();
        let unit = dir.path().join("debug/.fingerprint/app-1234");
        std::fs::create_dir_all(&unit).unwrap();
        std::fs::write(unit.join("dep-bin-app"), "").unwrap();
        // The fake clock stands before the fingerprint just written: the touch still lands after it.
        let now = FakeRunner::new().now();
        assert!(touch_time(now, dir.path()) > newest_fingerprint(dir.path()).unwrap());
        // A file system with whole seconds: the touch lands a whole second later.
        let whole = SystemTime::now() + Duration::from_secs(5);
        let whole = SystemTime::UNIX_EPOCH
            + Duration::from_secs(whole.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs());
        crate::fs::set_times(&unit.join("dep-bin-app"), None, whole).unwrap();
        assert_eq!(touch_time(now, dir.path()), whole + Duration::from_secs(1));
        // Nothing built yet: the clock's time, and a clock past the fingerprints wins.
        assert_eq!(touch_time(now, &dir.path().join("nothing-built-yet")), now);
        let later = whole + Duration::from_secs(60);
        assert_eq!(touch_time(later, dir.path()), later);
    }
}
