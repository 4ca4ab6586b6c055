//! Calendar dates and the Rust release train: stable 1.x.0 ships every six weeks on a Thursday,
//! counting from 1.1.0 on 2015-06-25 (1.61.0 on 2022-05-19).
//!
//! Pure arithmetic, so distribution builds whose `rustc -vV` says `commit-date: unknown`
//! (Debian's 1.63) still get a release date. No clock, no I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A day in the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Date {
    days: i64,
}

impl Date {
    /// The date `year-month-day`; `None` when no such day exists.
    pub(crate) fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { days: days_from_civil(year, month, day) })
    }

    /// The date `days` days after 1970-01-01 (for turning a clock reading into a date).
    pub(crate) fn from_days_since_epoch(days: i64) -> Date {
        Date { days }
    }

    /// The UTC date of the clock reading `at` (the runner's clock, so tests choose the day).
    pub(crate) fn of(at: std::time::SystemTime) -> Date {
        let secs = at.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// (year, month, day).
    pub(crate) fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days)
    }

    /// The date `n` days later (earlier for negative `n`).
    pub(crate) fn plus_days(self, n: i64) -> Date {
        Date { days: self.days + n }
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is later).
    pub(crate) fn days_since(self, earlier: Date) -> i64 {
        self.days - earlier.days
    }

    /// `2022-05` style, for tables that show release months.
    pub(crate) fn month_label(self) -> String {
        let (y, m, _) = self.ymd();
        format!("{y:04}-{m:02}")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = String;

    /// Parses `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date like `2022-05-19`");
        let mut parts = s.trim().splitn(3, '-');
        let mut next = || parts.next().ok_or_else(bad);
        let (y, m, d) = (next()?, next()?, next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let y: i64 = y.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        let d: u32 = d.parse().map_err(|_| bad())?;
        Date::from_ymd(y, m, d).ok_or_else(bad)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

/// `2026-11-28T10:20:00Z`: date and time of one clock reading, in UTC.
pub(crate) fn utc_timestamp(at: std::time::SystemTime) -> String {
    let secs = at.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (day, of_day) = (Date::from_days_since_epoch((secs / 86_400) as i64), secs % 86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

#[cfg(test)]
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
    }
}

/// A stable Rust release, `1.63`, whatever its patch: what MSRVs, spans and release dates speak
/// of. Ordered by (major, minor); parsed from `1.63` or `1.63.0`; shown as `1.63`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Release {
    /// `1`.
    pub(crate) major: u64,
    /// `63`.
    pub(crate) minor: u64,
}

impl Release {
    /// `major.minor`.
    pub(crate) const fn new(major: u64, minor: u64) -> Release {
        Release { major, minor }
    }

    /// The release `version` belongs to: `1.63.2` and `1.63.0-nightly` are both `1.63`.
    pub(crate) fn of(version: &semver::Version) -> Release {
        Release::new(version.major, version.minor)
    }

    /// Its first version, `1.63.0`.
    pub(crate) fn first_version(self) -> semver::Version {
        semver::Version::new(self.major, self.minor, 0)
    }

    /// The release after it.
    pub(crate) fn next(self) -> Release {
        Release::new(self.major, self.minor + 1)
    }
}

/// `1.70` or `1.70.0` (or `1.70.0-nightly`) as a version: a two-part version means its release's
/// first, `1.70.0`.
pub(crate) fn full_version(text: &str) -> Result<semver::Version, semver::Error> {
    let text = text.trim();
    match text.parse::<Release>() {
        Ok(release) if text.matches('.').count() == 1 => Ok(release.first_version()),
        _ => semver::Version::parse(text),
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for Release {
    type Err = String;

    /// Parses `1.63` or `1.63.0` (any patch); refuses pre-releases and other names.
    fn from_str(s: &str) -> Result<Release, String> {
        let bad = || format!("`{s}` is not a release like `1.63` or `1.63.0`");
        let number = |part: &str| -> Result<u64, String> {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || (part.len() > 1 && part.starts_with('0'))
            {
                return Err(bad());
            }
            part.parse().map_err(|_| bad())
        };
        let parts: Vec<&str> = s.trim().split('.').collect();
        match parts[..] {
            [major, minor] => Ok(Release::new(number(major)?, number(minor)?)),
            [major, minor, patch] => {
                number(patch)?;
                Ok(Release::new(number(major)?, number(minor)?))
            }
            _ => Err(bad()),
        }
    }
}

/// The day 1.1.0 shipped; every later 1.x.0 follows at six-week steps.
const FIRST_TRAIN_RELEASE: (i64, u32, u32) = (2015, 6, 25);
const DAYS_PER_RELEASE: i64 = 42;

/// The scheduled release date of stable Rust `1.minor.*`. 1.0.0 predates the train (2015-05-15).
pub(crate) fn stable_release_date(minor: u64) -> Date {
    if minor == 0 {
        return Date::from_ymd(2015, 5, 15).expect("valid date");
    }
    let (y, m, d) = FIRST_TRAIN_RELEASE;
    let first = Date::from_ymd(y, m, d).expect("valid date");
    first.plus_days((minor as i64 - 1) * DAYS_PER_RELEASE)
}

/// The days of the nightlies whose code became stable `1.minor`. Master's version is bumped on
/// the Friday before a release (six days before it), and the release's beta forks from master
/// just before that bump (the Rust forge's release process): so `1.minor` was master from the
/// bump before 1.(minor-2) shipped to the bump before 1.(minor-1) shipped, and the nightly of a
/// day is built from the day before's master. Both ends included; `None` before the train's
/// third release. A bump that lands a day late moves an end by a day.
pub(crate) fn nightly_train(minor: u64) -> Option<(Date, Date)> {
    (minor >= 3).then(|| (stable_release_date(minor - 2).plus_days(-5), stable_release_date(minor - 1).plus_days(-6)))
}

/// The newest stable minor version released on or before `date`.
pub(crate) fn stable_minor_on(date: Date) -> u64 {
    let (y, m, d) = FIRST_TRAIN_RELEASE;
    let first = Date::from_ymd(y, m, d).expect("valid date");
    let days = date.days_since(first);
    if days < 0 { 0 } else { (days / DAYS_PER_RELEASE) as u64 + 1 }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain), day 0 = 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn known_release_dates() {
        for (minor, expected) in [
            (0, "2015-05-15"),
            (1, "2015-06-25"),
            (61, "2022-05-19"),
            (63, "2022-08-11"),
            (85, "2025-02-20"),
            (95, "2026-04-16"),
            (96, "2026-05-28"),
        ] {
            assert_eq!(stable_release_date(minor).to_string(), expected, "1.{minor}.0");
        }
    }

    #[test]
    fn a_releases_nightlies_are_those_of_its_weeks_on_master() {
        // 1.90 was master from the bump on Friday 2025-06-20 (1.88 shipped on Thursday 06-26) to
        // the bump on Friday 2025-08-01 (before 1.89's 08-07); nightlies come a day later.
        let (first, last) = nightly_train(90).unwrap();
        assert_eq!((first.to_string(), last.to_string()), ("2025-06-21".into(), "2025-08-01".into()));
        assert_eq!(last.days_since(first), 41, "six weeks of nightlies");
        assert_eq!(nightly_train(91).unwrap().0, last.plus_days(1), "trains follow each other");
        assert_eq!(nightly_train(2), None);
    }

    #[test]
    fn release_dates_are_thursdays() {
        // 1970-01-01 was a Thursday, so Thursdays are the days divisible by 7.
        for minor in 1..200 {
            assert_eq!(stable_release_date(minor).days.rem_euclid(7), 0, "1.{minor}.0");
        }
    }

    #[test]
    fn minor_on_inverts_release_date() {
        for minor in 1..200 {
            let day = stable_release_date(minor);
            assert_eq!(stable_minor_on(day), minor);
            assert_eq!(stable_minor_on(day.plus_days(41)), minor);
            assert_eq!(stable_minor_on(day.plus_days(-1)), minor - 1);
        }
        assert_eq!(stable_minor_on(date("2000-01-01")), 0);
    }

    #[test]
    fn date_round_trips_through_text() {
        for s in ["1970-01-01", "2000-02-29", "2024-12-31", "2026-11-28", "1999-03-01"] {
            assert_eq!(date(s).to_string(), s);
        }
        assert_eq!(date("2025-03-01").days_since(date("2025-02-28")), 1);
        assert_eq!(date("2024-03-01").days_since(date("2024-02-28")), 2);
    }

    #[test]
    fn timestamps_are_utc() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_764_324_000 + 3723);
        assert_eq!(utc_timestamp(at), "2025-11-28T11:02:03Z");
    }

    proptest::proptest! {
        #[test]
        fn parsing_any_text_never_panics(text in "\\PC{0,16}") {
            let _ = text.parse::<Date>();
        }

        #[test]
        fn every_day_round_trips(days in -1_000_000i64..1_000_000) {
            let day = Date::from_days_since_epoch(days);
            proptest::prop_assert_eq!(day.to_string().parse::<Date>().ok(), (0..=9999).contains(&day.ymd().0).then_some(day));
            let (y, m, d) = day.ymd();
            proptest::prop_assert_eq!(Date::from_ymd(y, m, d), Some(day));
        }
    }

    #[test]
    fn rejects_non_dates() {
        for s in ["", "unknown", "2023-02-29", "2023-13-01", "2023-1-01", "20x3-01-01", "2023-01-00"] {
            assert!(s.parse::<Date>().is_err(), "{s}");
        }
    }

    #[test]
    fn releases_parse_order_and_display() {
        let r = |s: &str| s.parse::<Release>().unwrap();
        assert_eq!(r("1.63"), Release::new(1, 63));
        assert_eq!(r("1.63.0"), r("1.63"));
        assert_eq!(r(" 1.63.2 "), Release::new(1, 63), "a patch release belongs to its release");
        assert_eq!(r("1.63").to_string(), "1.63");
        assert_eq!(r("1.63.0").to_string(), "1.63");
        assert!(r("1.9") < r("1.10"), "numbers, not text");
        assert!(r("1.99") < r("2.0"));
        for bad in ["", "1", "1.", "1.x", "1.63.0-nightly", "1.63.0.0", "v1.63", "1.063", "stable"] {
            assert!(bad.parse::<Release>().is_err(), "{bad}");
        }
        let v = semver::Version::parse("1.70.1-nightly").unwrap();
        assert_eq!(Release::of(&v), r("1.70"));
        assert_eq!(r("1.70").first_version().to_string(), "1.70.0");
        assert_eq!(r("1.70").next(), r("1.71"));
        assert_eq!(full_version("1.70").unwrap(), semver::Version::new(1, 70, 0));
        assert_eq!(full_version(" 1.70.1").unwrap(), semver::Version::new(1, 70, 1));
        assert_eq!(full_version("1.70.0-nightly").unwrap().pre.as_str(), "nightly");
        assert!(full_version("1.x").is_err() && full_version("1").is_err());
    }
}
