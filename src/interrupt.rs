//! Ctrl-C and SIGTERM: the first stops the running build and lets the run wind down (results so
//! far are printed, the touched file restored, exit code 130); a second one restores the user's
//! files at once and exits.
//!
//! Builds run in their own process groups (see `process`), so the terminal's Ctrl-C reaches
//! only timewarp, which passes it on.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result};

use crate::{process, restore};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler. Call once, before anything is touched.
pub fn install_handler() -> Result<()> {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            process::kill_running();
            restore::restore_all();
            eprintln!("interrupted twice: stopped at once; the touched file's timestamp was restored");
            std::process::exit(restore::INTERRUPTED_EXIT_CODE);
        }
        eprintln!("interrupted: stopping the current build (press Ctrl-C again to stop at once)");
        process::interrupt_running();
    })
    .context("could not install the Ctrl-C handler")
}

/// Whether Ctrl-C or SIGTERM arrived.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
