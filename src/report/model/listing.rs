//! The [`Listing`] of `cargo timewarp list` (`--list`): every installed toolchain and whether it
//! would be measured.

use serde::{Deserialize, Serialize};

use super::Floor;
use crate::discover::release::Date;

/// What `--list` shows: every installed toolchain and whether it would be measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Listing {
    /// The shape of this document: 2 (`SCHEMA_VERSION`); it changes when a field changes meaning or
    /// disappears.
    pub schema: u32,
    /// Workspace root.
    pub workspace: String,
    /// Effective MSRV (`1.80`): the highest floor, the locked dependencies' included.
    pub msrv: Option<String>,
    /// The highest `rust-version` the built packages declare.
    pub declared_rust_version: Option<String>,
    /// Every MSRV floor, highest first.
    pub msrv_floors: Vec<Floor>,
    /// Every installed toolchain, oldest release first; broken ones last.
    pub toolchains: Vec<Listed>,
}

/// One installed toolchain in a [`Listing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Listed {
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
