//! Running programs: paths, the tool PATH, and commands that report clearly when they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{Error, Result};

/// The repository root (the folder above `xtask/`).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where project-local tools live (npm's binaryen); git-ignored.
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// `$HOME/.cargo/bin`, where `cargo install` puts trunk and wasm-bindgen.
pub fn cargo_bin() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Some(PathBuf::from(home).join("bin"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo").join("bin"))
}

/// PATH with the project's pinned tools first, so Trunk finds exactly the versions set up here.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![tools_dir().join("node_modules").join(".bin")];
    dirs.extend(cargo_bin());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A command with the tool PATH set, run from the repository root.
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", tool_path()).current_dir(root());
    cmd
}

/// A printable form of a command line.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// Runs `cmd` with inherited output; an error names the command and its exit status.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = describe(cmd);
    println!("    $ {line}");
    let status = cmd.status().map_err(|e| spawn_error(&line, &e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Command(format!("`{line}` failed ({status})")))
    }
}

/// Runs `cmd` quietly and returns its standard output when it succeeds; `None` when the program
/// is missing or fails. Used for version checks.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A message for a program that could not be started.
pub fn spawn_error(line: &str, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        let program = line.split_whitespace().next().unwrap_or(line);
        Error::Command(format!(
            "`{program}` is not installed or not on PATH (running `{line}`)"
        ))
    } else {
        Error::Command(format!("could not start `{line}`: {e}"))
    }
}

/// Seconds since `start`, for step reports.
pub fn secs(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}
