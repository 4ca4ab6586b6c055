//! How the builds are timed: timewarp's directories ([`workdir`]), untimed preparation
//! ([`prepare`], [`revision`]), the one measurement loop ([`engine`]) over the cargo command of
//! [`build`], the journal that undoes every change to the user's tree ([`journal`]),
//! interruptions ([`interrupt`]), the link timer ([`linker`]), the per-crate build of
//! `--crates` ([`wrapper`]), what `try`'s arms change in a build ([`arm`]), the halving search of
//! `bisect` ([`bisect`]), the round order ([`schedule`]) and what the builds changed in the tree
//! ([`tree`]).
//!
//! It uses `discover`'s values and the process seam; it knows nothing of how results are shown.

pub(crate) mod arm;
pub(crate) mod bisect;
pub(crate) mod build;
pub(crate) mod engine;
pub(crate) mod interrupt;
pub(crate) mod journal;
pub(crate) mod linker;
pub(crate) mod prepare;
pub(crate) mod revision;
pub(crate) mod schedule;
pub(crate) mod tree;
pub(crate) mod workdir;
pub(crate) mod wrapper;
