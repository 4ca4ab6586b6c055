//! Ctrl-C, SIGTERM and SIGHUP. The first interruption stops the running build and lets the run
//! wind down: the results so far are printed, the user's files restored, and the exit code is
//! 130. Signals that arrive together count as one: `timeout` signals timewarp and then its whole
//! process group, a terminal's hang-up may come with a SIGTERM. Only a second Ctrl-C after that
//! stops at once, killing the builds and restoring the files from the journal. A signal the
//! process was started ignoring (SIGHUP under `nohup`) stays ignored: the [`Runner`] installs the
//! handler only for the others.
//!
//! Builds run in their own process groups (see `process`), so a terminal's Ctrl-C reaches only
//! timewarp, which passes it on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::exit;
use crate::measure::journal::Journal;
use crate::process::{Runner, Stop};

/// Signals closer together than this are one interruption.
const SAME_INTERRUPTION: Duration = Duration::from_millis(500);

/// Whether the run was asked to stop. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interrupt {
    requested: Arc<AtomicBool>,
}

impl Interrupt {
    /// Installs the handler for this process (once, before the user's tree is changed): it
    /// stops the builds `runner` runs and, on a second interruption, undoes `journal`.
    pub(crate) fn install(runner: &dyn Runner, journal: Journal) -> Result<Interrupt> {
        let interrupt = Interrupt::default();
        let flag = Arc::clone(&interrupt.requested);
        let stop = runner.stopper();
        let first: Mutex<Option<Instant>> = Mutex::new(None);
        runner.on_interrupt(Box::new(move |_signal| {
            let mut first = first.lock().unwrap_or_else(PoisonError::into_inner);
            match *first {
                Some(at) if at.elapsed() < SAME_INTERRUPTION => {}
                Some(_) => {
                    stop(Stop::Kill);
                    journal.restore_all();
                    crate::stderr::say!("interrupted twice: stopped at once; the changed files were restored");
                    std::process::exit(exit::INTERRUPTED);
                }
                None => {
                    *first = Some(Instant::now());
                    flag.store(true, Ordering::SeqCst);
                    crate::stderr::say!("interrupted: stopping the current build (press Ctrl-C again to stop at once)");
                    stop(Stop::Interrupt);
                }
            }
        }))?;
        Ok(interrupt)
    }

    /// Whether an interruption arrived.
    pub(crate) fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::FakeRunner;

    #[test]
    fn the_first_interruption_stops_the_builds_and_raises_the_flag() {
        let runner = FakeRunner::new();
        let interrupt = Interrupt::install(&runner, Journal::default()).unwrap();
        assert!(!interrupt.requested());
        runner.interrupt("SIGTERM");
        assert!(interrupt.requested());
        assert_eq!(runner.stops(), [Stop::Interrupt]);
        runner.interrupt("SIGTERM");
        assert_eq!(runner.stops(), [Stop::Interrupt], "a signal close behind the first is the same interruption");
    }
}
