//! The one way timewarp writes to standard error. `eprintln!` panics when standard error is
//! closed (`cargo timewarp 2>&1 | head -3`): the panic ended the run, lost its report and, in a
//! `Drop`, could abort the undoing of the user's tree. Progress, notes, warnings and errors are
//! for a reader; when nobody reads any more, they are dropped silently, as cargo drops them, and
//! the run goes on to keep its report. (`lib.rs` denies `eprintln!` and `println!` outside tests
//! so that no other way comes back.) [`Say`] is the voice a stage below `report` speaks through.

use std::fmt;
use std::io::Write as _;

/// Writes `line` and a newline to standard error in one locked write, ignoring every error: a
/// closed pipe (EPIPE) or a full disk behind a redirection changes nothing about the run.
pub(crate) fn line(line: fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_fmt(format_args!("{line}\n")).and_then(|()| stderr.flush());
}

/// `eprintln!` that never panics: see [`line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stderr::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// The voice a stage below `report` speaks to the user with while it works: cargo-style status
/// lines, warnings (shown even with `--quiet`) and notes. `discover/install` says each install
/// and removal as it happens (one takes seconds to minutes, and a user must see it before
/// anything is timed); `report::progress::Progress` is the voice that speaks, and the trait sits
/// here, at the bottom, so that no stage imports `report` to say something.
pub(crate) trait Say {
    /// `    Verb message`, like cargo's status lines.
    fn status(&self, verb: &str, message: &str);
    /// `warning: message`.
    fn warning(&self, message: &str);
    /// `note: message`.
    fn note(&self, message: &str);
}

#[cfg(test)]
mod tests {
    /// The test binary's standard error is not closed here; what this proves is that the macro
    /// formats like `eprintln!` and returns. The closed pipe is proved through the real binary
    /// (`tests/cli/output.rs`).
    #[test]
    fn say_formats_like_eprintln() {
        let n = 3;
        say!("{n} lines and {}", "a tail");
    }
}
