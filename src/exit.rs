//! Exit codes, chosen once and never reused for another meaning; the README mirrors this table.

use std::fmt;

/// Everything worked: every selected toolchain was measured (some rows may still be `failed`).
pub(crate) const SUCCESS: i32 = 0;
/// An error with no code of its own: cargo metadata failed, a file could not be read, ...
pub(crate) const FAILURE: i32 = 1;
/// Bad command-line usage: an unknown flag (clap's own code) or a value that does not parse.
pub(crate) const USAGE: i32 = 2;
/// No installed toolchain is eligible: none is stable, at or above the MSRV and in range.
pub(crate) const NO_ELIGIBLE_TOOLCHAIN: i32 = 3;
/// Every selected toolchain failed to build the workspace, so there is no history at all.
pub(crate) const ALL_BUILDS_FAILED: i32 = 4;
/// `--max-regression`: a median got slower than the `--baseline` report's by more than allowed.
pub(crate) const REGRESSION: i32 = 5;
/// `--verify-msrv`: the toolchain of the declared `rust-version` cannot build the workspace.
pub(crate) const MSRV_BROKEN: i32 = 6;
/// `--max-regression`: the gate could not decide a change either way (its interval straddles the
/// limit, a single round has no interval, or a saved baseline lacks the history's repeat runs),
/// so CI can tell "could not decide" from "passed".
pub(crate) const UNDECIDED: i32 = 7;
/// Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); the touched file was
/// restored.
pub(crate) const INTERRUPTED: i32 = 130;

/// An error that carries its exit code, so `main` can pick the code without string matching.
#[derive(Debug)]
pub(crate) struct ExitError {
    /// One of the constants above.
    pub(crate) code: i32,
    /// One sentence, cargo's voice: lowercase, no trailing period.
    pub(crate) message: String,
}

impl ExitError {
    /// A usage error ([`USAGE`]).
    pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
        ExitError { code: USAGE, message: message.into() }.into()
    }

    /// An error with `code`.
    pub(crate) fn with_code(code: i32, message: impl Into<String>) -> anyhow::Error {
        ExitError { code, message: message.into() }.into()
    }
}

impl fmt::Display for ExitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExitError {}

/// The exit code for an error: its own when it has one, else [`FAILURE`].
pub(crate) fn code_for(error: &anyhow::Error) -> i32 {
    error.downcast_ref::<ExitError>().map_or(FAILURE, |e| e.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_found_through_context() {
        let codes = [
            SUCCESS,
            FAILURE,
            USAGE,
            NO_ELIGIBLE_TOOLCHAIN,
            ALL_BUILDS_FAILED,
            REGRESSION,
            MSRV_BROKEN,
            UNDECIDED,
            INTERRUPTED,
        ];
        let unique: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), codes.len());
        let err = ExitError::with_code(NO_ELIGIBLE_TOOLCHAIN, "none").context("while selecting");
        assert_eq!(code_for(&err), NO_ELIGIBLE_TOOLCHAIN);
        assert_eq!(code_for(&anyhow::anyhow!("plain")), FAILURE);
    }
}
