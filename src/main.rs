//! The `cargo-timewarp` binary: everything lives in the library, which parses the arguments,
//! runs, prints any error as one line and picks the documented exit code.

fn main() {
    std::process::exit(cargo_timewarp::main(std::env::args_os()));
}
