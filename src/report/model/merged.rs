//! The [`Merged`] document of `cargo timewarp merge`: one setup measured on several machines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{EstimateJson, VerdictJson};
use crate::vocab::{Profile, Scenario};

/// `cargo timewarp merge`: one setup measured on several machines, each machine's speedups
/// combined into one per row and scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Merged {
    /// The shape of the reports merged.
    pub(crate) schema: u32,
    /// The profile.
    pub(crate) profile: Profile,
    /// The packages built.
    pub(crate) packages: Vec<String>,
    /// The file touched.
    pub(crate) touched_file: String,
    /// The version every speedup is against: the oldest every machine measured.
    pub(crate) base: Option<String>,
    /// The machines merged.
    pub(crate) machines: Vec<Machine>,
    /// One row per version besides the base.
    pub(crate) rows: Vec<MergedRow>,
    /// Reports or rows left out, and why.
    pub(crate) not_comparable: Vec<String>,
}

/// One machine's report in a merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Machine {
    /// The report file.
    pub(crate) report: String,
    /// Its CPU model.
    pub(crate) cpu: Option<String>,
    /// Its logical CPUs.
    pub(crate) cores: usize,
    /// Rounds it ran.
    pub(crate) rounds: usize,
}

/// One version's merged speedups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MergedRow {
    /// The rustc version.
    pub(crate) version: String,
    /// The compiler build every machine ran.
    pub(crate) rustc: String,
    /// Per scenario.
    pub(crate) scenarios: BTreeMap<Scenario, MergedFigure>,
}

/// A speedup merged over machines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MergedFigure {
    /// The mean speedup over machines (over the base version), with its 95 % interval
    /// (random-effects, Hartung–Knapp): what machines of this kind gain on average, not what
    /// any one of them gains.
    pub(crate) speedup: EstimateJson,
    /// Where the speedup of one more machine of the same kind would fall, as its report would
    /// show it: the 95 % prediction interval around the mean. `null` with two machines, which
    /// cannot estimate how much machines differ.
    pub(crate) prediction: Option<EstimateJson>,
    /// What the interval says.
    pub(crate) verdict: VerdictJson,
    /// Machines behind it.
    pub(crate) machines: usize,
    /// Each machine's own speedup, in the order of the machines.
    pub(crate) per_machine: Vec<f64>,
}
