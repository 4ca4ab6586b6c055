//! The value parsers of the flags: versions, percentages, durations and counts, each refusing
//! what it cannot read with the reason clap prints after the flag.

use std::time::Duration;

use semver::Version;

/// `1.70` or `1.70.0` (or `1.70.0-nightly`) as a version; `1.70` means `1.70.0`.
pub(crate) fn version(text: &str) -> Result<Version, String> {
    crate::discover::release::full_version(text).map_err(|_| "expected a version like `1.70` or `1.70.0`".to_string())
}

/// A percentage such as `5`, `2.5` or `7.5%`.
pub(crate) fn percent(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        _ => Err("expected a percentage such as `5` or `2.5`".into()),
    }
}

/// A precision such as `5` or `2.5` (percent), above 0 and below 100.
pub(crate) fn precision(text: &str) -> Result<f64, String> {
    match text.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && p > 0.0 && p < 100.0 => Ok(p),
        _ => Err("expected a percentage above 0 and below 100, such as `5` or `2.5`".into()),
    }
}

/// A duration such as `20m`, `90s` or `1h30m`, of at least a second: every number with its
/// unit, each unit once, hours before minutes before seconds. A bare number is refused, since
/// `--budget 1` meant one second to timewarp and one hour or minute to its user.
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` has no unit; add one, such as `{text}s`, `{text}m` or `{text}h`"));
    }
    let bad = || "expected a duration such as `20m`, `90s` or `1h30m`".to_string();
    let mut total = 0u64;
    let mut number = String::new();
    let mut units_left = "hms";
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let Some(at) = units_left.find(c) else {
                    return Err(format!("{}: each unit once, hours before minutes before seconds", bad()));
                };
                units_left = &units_left[at + 1..];
                let n: u64 = number.parse().map_err(|_| bad())?;
                total = total.saturating_add(n.saturating_mul(match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                }));
                number.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !number.is_empty() {
        return Err(format!("{}: every number needs its unit", bad()));
    }
    if total == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// A whole number of at least 1.
pub(crate) fn count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of at least 1".into()),
    }
}
