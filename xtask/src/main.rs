//! `cargo xtask`: the one entry point for setting up, running, testing and measuring Kling Studio.
//!
//! Every command first makes sure the tools it needs are installed at the right versions (and says
//! what it did), so a fresh Debian machine needs nothing but Rust, Node and this repository.

mod bench;
mod cmd;
mod compress;
mod minify;
mod run;
mod setup;
mod size;
mod test;

use std::process::ExitCode;

/// What went wrong, in words for the person at the terminal (never a stack trace).
#[derive(Debug)]
pub enum Error {
    /// The command line was not understood.
    Usage(String),
    /// A tool could not be installed; the text says what to do instead.
    Setup(String),
    /// A program could not be started or ended badly.
    Command(String),
    /// One or more test tiers failed (each was already reported).
    Failed(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Usage(m) => write!(f, "{m}\n\n{USAGE}"),
            Error::Setup(m) => write!(f, "set-up failed: {m}"),
            Error::Command(m) => write!(f, "{m}"),
            Error::Failed(m) => write!(f, "{m}"),
        }
    }
}

/// Result of an xtask step.
pub type Result<T> = std::result::Result<T, Error>;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  run   [--port N] [--dev] [--gateway] [-- SIMULATOR-FLAGS]
        install what is missing, build, start the simulator and the studio, print the URL;
        --gateway: also runware-gateway in front of the simulator, and a page of the studio
        pointed at it (print both URLs)
  test  [TIER ...]
        install what is missing and run the test tiers, in order:
        fmt clippy native sdk component build size e2e   (default: all of them)
  bench install what is missing and print every benchmark's figures (JSON under bench-results/)
  setup install what is missing and stop
  minify-imports DIR
        shorten the wasm-bindgen import names of the build in DIR (run by Trunk's post-build hook)
  compress DIR
        write .br and .gz beside each compressible file in DIR (run by the hook on release builds)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::main(rest),
        Some("test") => test::main(rest),
        Some("bench") => bench::main(rest),
        Some("setup") => setup::ensure(setup::Needs::all()),
        Some("minify-imports") => minify::main(rest),
        Some("compress") => compress::main(rest),
        Some("help" | "-h" | "--help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(Error::Usage(format!("unknown command `{other}`"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
