//! Ctrl-C, SIGTERM and SIGHUP. The first interruption stops the running build and lets the run
//! wind down: the results so far are printed, the user's files restored, and the exit code is
//! 130. Signals that arrive together count as one: `timeout` signals timewarp and then its whole
//! process group, a terminal's hang-up may come with a SIGTERM. Only a second Ctrl-C after that
//! stops at once, killing the builds and restoring the files from the journal.
//!
//! Builds run in their own process groups (see `process`), so a terminal's Ctrl-C reaches only
//! timewarp, which passes it on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::exit;
use crate::measure::journal::Journal;
use crate::process::ProcessGroups;

/// Signals closer together than this are one interruption.
const SAME_INTERRUPTION: Duration = Duration::from_millis(500);

/// Whether the run was asked to stop. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interrupt {
    requested: Arc<AtomicBool>,
}

impl Interrupt {
    /// Installs the handler for this process (once, before the user's tree is changed): it
    /// signals the builds `groups` runs and, on a second interruption, undoes `journal`.
    pub(crate) fn install(groups: ProcessGroups, journal: Journal) -> Result<Interrupt> {
        let interrupt = Interrupt::default();
        let flag = Arc::clone(&interrupt.requested);
        let first: Mutex<Option<Instant>> = Mutex::new(None);
        ctrlc::set_handler(move || {
            let mut first = first.lock().unwrap_or_else(PoisonError::into_inner);
            match *first {
                Some(at) if at.elapsed() < SAME_INTERRUPTION => {}
                Some(_) => {
                    groups.kill();
                    journal.restore_all();
                    eprintln!("interrupted twice: stopped at once; the changed files were restored");
                    std::process::exit(exit::INTERRUPTED);
                }
                None => {
                    *first = Some(Instant::now());
                    flag.store(true, Ordering::SeqCst);
                    eprintln!("interrupted: stopping the current build (press Ctrl-C again to stop at once)");
                    groups.interrupt();
                }
            }
        })
        .context("could not install the Ctrl-C handler")?;
        Ok(interrupt)
    }

    /// Whether an interruption arrived.
    pub(crate) fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}
