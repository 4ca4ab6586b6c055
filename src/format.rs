//! How numbers are written for people, in one place: intervals (`±4.2%`), signed percentages
//! (`+2.5%`), speedups (`2.31x`), build times (`0.412 s`), spans of time (`20 min`, `90 s`,
//! `2 h`) and the progress clock (`1:05`). Every report, note and progress line writes its
//! figures through these, so one figure reads one way wherever it appears.
//!
//! The rule for `±`: two significant digits, so one decimal below 10% (`±3.0%`, `±9.9%`) and none
//! from there (`±10%`, `±15%`); an interval that rounds to 10 is written `±10%`, never `±10.0%`.
//!
//! Uses nothing of the crate's.

use std::time::Duration;

/// The mark of a figure from a single round, which has no interval.
pub(crate) const ONE_ROUND: &str = "(1 round)";
/// The same, in a narrow terminal.
pub(crate) const ONE_ROUND_SHORT: &str = "(1)";

/// `±3.0%` from the relative half-width of an interval in percent: one decimal below 10, none
/// from there (9.96 rounds to 10, so it is written `±10%`).
pub(crate) fn plus_minus(pct: f64) -> String {
    if pct < 9.95 { format!("±{pct:.1}%") } else { format!("±{pct:.0}%") }
}

/// [`plus_minus`] of a fraction: `0.042` is `±4.2%`.
pub(crate) fn plus_minus_of_fraction(fraction: f64) -> String {
    plus_minus(fraction * 100.0)
}

/// A precision the user asked for, as given: `±5%`, `±2.5%` (a setting, not a measured
/// interval, so it keeps the user's digits rather than the interval rule).
pub(crate) fn target(pct: f64) -> String {
    // Through a fraction and back, 2.5 may come as 2.5000000000000004.
    format!("±{}%", (pct * 1000.0).round() / 1000.0)
}

/// `2.31x`.
pub(crate) fn speedup(x: f64) -> String {
    format!("{x:.2}x")
}

/// A speedup with its interval: `1.29x ±3.0%`, or `1.29x (1 round)` without one.
pub(crate) fn speedup_with(x: f64, pct: Option<f64>) -> String {
    match pct {
        Some(pct) => format!("{} {}", speedup(x), plus_minus(pct)),
        None => format!("{} {ONE_ROUND}", speedup(x)),
    }
}

/// `+2.5%`, `-0.3%`: a change in percent, always signed.
pub(crate) fn signed_percent(pct: f64) -> String {
    format!("{pct:+.1}%")
}

/// Seconds the way people read build times, three significant digits: `26.1 s`, `1.23 s`,
/// `0.412 s`.
pub(crate) fn seconds(s: f64) -> String {
    if s >= 10.0 {
        format!("{s:.1} s")
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.3} s")
    }
}

/// A time with its interval when it has one: `0.260 s ±5.1%`, `0.260 s`.
pub(crate) fn seconds_with(s: f64, pct: Option<f64>) -> String {
    match pct {
        Some(pct) => format!("{} {}", seconds(s), plus_minus(pct)),
        None => seconds(s),
    }
}

/// A span of time such as a budget: `45 s` below two minutes, `2 h` for whole hours, otherwise
/// minutes with at most one decimal (`20 min`, `90 min`, `7.2 min`).
pub(crate) fn duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 120.0 {
        return format!("{} s", s.round());
    }
    if d.as_secs().is_multiple_of(3600) && d.subsec_nanos() == 0 {
        return format!("{} h", d.as_secs() / 3600);
    }
    let minutes = (s / 6.0).round() / 10.0;
    if minutes.fract() == 0.0 { format!("{minutes:.0} min") } else { format!("{minutes:.1} min") }
}

/// The progress clock: `1:05` (minutes:seconds), `1:02:03` past an hour.
pub(crate) fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_has_two_significant_digits() {
        assert_eq!(plus_minus(0.04), "±0.0%");
        assert_eq!(plus_minus(3.04), "±3.0%");
        assert_eq!(plus_minus(3.05 + 1e-9), "±3.1%");
        assert_eq!(plus_minus(9.94), "±9.9%");
        assert_eq!(plus_minus(9.95), "±10%", "never `±10.0%`");
        assert_eq!(plus_minus(9.96), "±10%", "never `±10.0%`");
        assert_eq!(plus_minus(14.6), "±15%");
        assert_eq!(plus_minus(151.0), "±151%");
        assert_eq!(plus_minus_of_fraction(0.073), "±7.3%");
        assert_eq!(plus_minus_of_fraction(0.0996), "±10%");
    }

    #[test]
    fn a_target_keeps_the_users_digits() {
        assert_eq!(target(5.0), "±5%");
        assert_eq!(target(0.025 * 100.0), "±2.5%");
        assert_eq!(target(10.0), "±10%");
    }

    #[test]
    fn a_speedup_has_two_decimals_and_says_when_it_has_no_interval() {
        assert_eq!(speedup(2.314), "2.31x");
        assert_eq!(speedup(0.995), "0.99x", "f64 0.995 lies just below the half");
        assert_eq!(speedup_with(1.2949, Some(2.96)), "1.29x ±3.0%");
        assert_eq!(speedup_with(1.78, None), "1.78x (1 round)");
        assert_eq!(speedup_with(0.98, Some(51.2)), "0.98x ±51%");
    }

    #[test]
    fn a_change_is_always_signed() {
        assert_eq!(signed_percent(2.54), "+2.5%");
        assert_eq!(signed_percent(-0.26), "-0.3%");
        assert_eq!(signed_percent(0.0), "+0.0%");
    }

    #[test]
    fn build_times_keep_three_significant_digits() {
        assert_eq!(seconds(26.14), "26.1 s");
        assert_eq!(seconds(10.0), "10.0 s");
        assert_eq!(seconds(9.994), "9.99 s");
        assert_eq!(seconds(1.234), "1.23 s");
        assert_eq!(seconds(0.4123), "0.412 s");
        assert_eq!(seconds_with(0.26, Some(5.1)), "0.260 s ±5.1%");
        assert_eq!(seconds_with(0.26, None), "0.260 s");
        // Widths: every form is at most seven characters below 1000 s.
        for s in [0.001, 0.999, 1.0, 9.99, 10.0, 999.9] {
            assert!(seconds(s).chars().count() <= 7, "{}", seconds(s));
        }
    }

    #[test]
    fn spans_read_in_the_largest_unit_that_says_them() {
        let d = Duration::from_secs;
        assert_eq!(duration(d(45)), "45 s");
        assert_eq!(duration(d(90)), "90 s");
        assert_eq!(duration(d(119)), "119 s");
        assert_eq!(duration(d(120)), "2 min");
        assert_eq!(duration(d(150)), "2.5 min");
        assert_eq!(duration(d(434)), "7.2 min");
        assert_eq!(duration(d(1200)), "20 min");
        assert_eq!(duration(d(3600)), "1 h");
        assert_eq!(duration(d(5400)), "90 min");
        assert_eq!(duration(d(7200)), "2 h");
        assert_eq!(duration(Duration::from_millis(1500)), "2 s");
    }

    #[test]
    fn the_clock_reads_minutes_and_seconds_then_hours() {
        assert_eq!(clock(Duration::from_secs(5)), "0:05");
        assert_eq!(clock(Duration::from_secs(65)), "1:05");
        assert_eq!(clock(Duration::from_secs(3599)), "59:59");
        assert_eq!(clock(Duration::from_secs(3723)), "1:02:03");
    }
}
