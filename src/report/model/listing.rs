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
    pub(crate) schema: u32,
    /// Workspace root.
    pub(crate) workspace: String,
    /// Effective MSRV (`1.80`): the highest floor, the locked dependencies' included.
    pub(crate) msrv: Option<String>,
    /// The highest `rust-version` the built packages declare.
    pub(crate) declared_rust_version: Option<String>,
    /// Every MSRV floor, highest first.
    pub(crate) msrv_floors: Vec<Floor>,
    /// Every installed toolchain, oldest release first; broken ones last.
    pub(crate) toolchains: Vec<Listed>,
}

/// One installed toolchain in a [`Listing`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Listed {
    /// Its `+NAME`.
    pub(crate) name: String,
    /// Other names for the same compiler.
    pub(crate) aliases: Vec<String>,
    /// Its version, `unknown` when broken.
    pub(crate) version: String,
    /// Its release date, when known.
    pub(crate) release_date: Option<Date>,
    /// Whether it would be measured.
    pub(crate) selected: bool,
    /// Why not, when it would not.
    pub(crate) reason: Option<String>,
}
