//! `cargo timewarp clean`: which workspace, and where its timewarp directory is.

use clap::Args;

use super::shared::{LocationArgs, Where};

/// `clean`'s examples.
pub(crate) const EXAMPLES: &str = "\
Examples:
  cargo timewarp clean
  cargo timewarp clean --manifest-path crates/app/Cargo.toml
  cargo timewarp clean --target-dir /tmp/timewarp-cache";

/// `clean`'s flags.
#[derive(Debug, Args)]
pub(crate) struct CleanArgs {
    #[command(flatten)]
    at: LocationArgs,
}

/// `clean`'s options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CleanOptions {
    /// The workspace and its timewarp directory.
    pub(crate) at: Where,
}

impl CleanOptions {
    pub(crate) fn from_args(args: CleanArgs) -> CleanOptions {
        CleanOptions { at: Where::from_location(args.at) }
    }
}
