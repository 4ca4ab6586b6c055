//! The integration tests: one binary (it links once), one module per behaviour. Every test
//! copies a workspace from `fixtures/` to a temp dir and drives the real `cargo-timewarp`.

// Shared helpers: fixture copies, the scrubbed command, the toolchain gate, tree snapshots.
mod support;

// Bad input: one sentence on stderr and the documented exit code.
mod errors;
// `--list`: selection and skip reasons, without building (needs only `stable`).
mod list;
// Real multi-toolchain histories on Debian's 1.63.0 / 1.85.0 / 1.96.0, asserted on the JSON.
mod history;
// The user's tree: sources, Cargo.lock, mtimes and target/debug identical afterwards.
mod untouched;
// Hostile surroundings: toolchain files, leaked variables, other commands and profiles.
mod environment;
// Ctrl-C, SIGTERM and hung builds.
mod interrupt;
// The pre-release routine: history, the baseline gate, --install, clean.
mod gate;
// Old revisions on old compilers: --rev outside the workspace, cargo 1.46 to today.
mod revisions;
// MSRV floors set by the locked dependencies.
mod floors;
// Every sample proves what it measured.
mod samples;
// --crates: the per-crate history.
mod crates;
// Never lose a byte: outputs, crashes, concurrent runs, signals, deletion.
mod safety;
// Cargo's conventions and the CI routine: -j, --color, job summary, schema, history, width.
mod conventions;
