//! The integration tests: one binary (it links once), one module per thing a user does. Every
//! test copies a workspace from `fixtures/` to a temp dir and drives the real `cargo-timewarp`,
//! seeing only the toolchains it names (a private `RUSTUP_HOME`, see `support::World`).
//!
//! Where a new test goes: in the module of the command or promise it checks, below. A test of
//! the pipeline's glue that needs no real build belongs in `src/lib.rs`'s unit tests instead,
//! through `testing::FakeRunner`.

// Shared helpers: fixture copies, the scrubbed command, the toolchain gate, tree snapshots.
mod support;

// The surface: -h on one screen, global flags everywhere, every listed flag doing its work.
mod surface;
// Bad input: one sentence on stderr, the documented exit code, nothing built or written.
mod errors;
// `--list`: selection, skip reasons and MSRV floors, without building.
mod list;
// Measuring runs: histories, what every sample proves, isolation, old revisions, `--crates`.
mod measure;
// The pre-release gate: `--baseline`/`--max-regression` and `--verify-msrv`.
mod gate;
// `cargo timewarp history`: past runs in every format.
mod history;
// `cargo timewarp clean` and `--install`.
mod clean_install;
// The user's tree is sacred: outputs, crashes, concurrent runs, edits during a run.
mod safety;
// Ctrl-C, SIGTERM, `timeout` and hung builds.
mod interrupts;
// Output formats and cargo's conventions: schema, job summary, colour, width, plot.
mod output;
// `cargo timewarp bisect`: which release moved the build time.
mod bisect;
// Link time apart: the link timer leaves rustc's linking as it is.
mod link;
// `cargo timewarp try`: arms of build settings against today's build.
mod try_;
