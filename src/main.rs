//! The `cargo-timewarp` binary: parse arguments, run, print any error as one line, exit with
//! the documented code. Everything else lives in the library.

use cargo_timewarp::{cli, exit, run};
use console::style;

fn main() {
    let code = match cli::parse_args(std::env::args_os()).and_then(|config| run(&config)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{} {error:#}", style("error:").red().bold().for_stderr());
            exit::code_for(&error)
        }
    };
    std::process::exit(code);
}
