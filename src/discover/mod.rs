//! What to measure: the workspace and its MSRV floors ([`workspace`], [`msrv`]), the settings
//! that change how it is built ([`environment`], with the `cfg(...)` tables that apply, [`cfg`]), the installed
//! toolchains ([`toolchain`]) and their release dates ([`release`]), which of them to time
//! ([`select`]), the toolchains `--install` adds ([`install`]), and which arms of `try` apply
//! ([`arms`]).
//!
//! Pure but for the process seam: it runs `cargo metadata`, `rustup` and `rustc -vV` through
//! a `Runner`, writes nothing (rustup's installs aside), and knows nothing of builds or reports.

pub(crate) mod arms;
pub(crate) mod ceiling;
pub(crate) mod cfg;
pub(crate) mod environment;
pub(crate) mod install;
pub(crate) mod msrv;
pub(crate) mod release;
pub(crate) mod select;
pub(crate) mod toolchain;
pub(crate) mod workspace;
