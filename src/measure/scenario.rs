//! What a timed build measures. One name per scenario, used by the schedule, the samples, the
//! report's figures, every export format, the baseline gate and the progress display.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A kind of timed build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) enum Scenario {
    /// From an empty target directory (rustc-perf's `full`).
    Clean,
    /// After setting one source file's modification time to now: cargo recompiles its crate,
    /// whose code did not change (rustc-perf's `incr-unchanged`).
    Touched,
    /// After a real edit of that file (`--edit`; rustc-perf's `incr-patched`).
    Edited,
}

impl Scenario {
    /// Every scenario, in the order builds run and columns appear.
    pub(crate) const ALL: [Scenario; 3] = [Scenario::Clean, Scenario::Touched, Scenario::Edited];

    /// The name every format uses: `clean`, `touched`, `edited`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::Clean => "clean",
            Scenario::Touched => "touched",
            Scenario::Edited => "edited",
        }
    }

    /// What the build is, for headers and legends.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Scenario::Clean => "build from an empty target directory",
            Scenario::Touched => "rebuild after touching the file (its mtime set to now)",
            Scenario::Edited => "rebuild after editing the file (a new item appended)",
        }
    }

    /// The name schema 1 reports used for this scenario's figures.
    pub(crate) fn schema1_name(self) -> &'static str {
        match self {
            Scenario::Clean => "clean",
            Scenario::Touched => "incremental",
            Scenario::Edited => "patched",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_json_says() {
        for scenario in Scenario::ALL {
            assert_eq!(serde_json::to_value(scenario).unwrap(), scenario.name());
            assert_eq!(serde_json::from_value::<Scenario>(scenario.name().into()).unwrap(), scenario);
        }
    }
}
