//! `cargo xtask run`: builds the studio, starts the local simulator and Trunk's server beside it
//! (Trunk proxies `/v1` and `/ws/v1` to the simulator), and prints the URL to open.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::cmd::{self, secs};
use crate::setup::{self, Needs};
use crate::{Error, Result};

/// The simulator's port; Trunk.toml's proxies point at it.
pub const SIM_PORT: u16 = 8787;
const DEFAULT_APP_PORT: u16 = 8080;

/// Kills a child process when dropped, so no server outlives the command.
pub struct Guard(Child, &'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Options {
    port: u16,
    dev: bool,
    sim_args: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        port: DEFAULT_APP_PORT,
        dev: false,
        sim_args: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                o.port = it
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| Error::Usage("--port needs a port number".into()))?;
            }
            "--dev" => o.dev = true,
            "--" => {
                o.sim_args = it.cloned().collect();
                break;
            }
            other => return Err(Error::Usage(format!("unknown option `{other}` for run"))),
        }
    }
    Ok(o)
}

/// Builds the simulator and returns its binary: the `native` profile (optimised) for `run` and
/// benchmarks, the dev profile (shared with `cargo test`) for the test tiers.
pub fn build_simulator(optimised: bool) -> Result<PathBuf> {
    let mut c = cmd::command("cargo");
    c.args(["build", "--package", "runware-sim"]);
    let profile_dir = if optimised {
        c.args(["--profile", "native"]);
        "native"
    } else {
        "debug"
    };
    cmd::run(&mut c)?;
    Ok(cmd::root()
        .join("target")
        .join(profile_dir)
        .join("runware-sim"))
}

fn port_free(port: u16) -> bool {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_ok()
}

/// Starts the simulator and waits for the line that says it listens.
fn start_simulator(bin: &PathBuf, extra: &[String]) -> Result<Guard> {
    let mut args = vec![
        "--host".to_owned(),
        "127.0.0.1".to_owned(),
        "--port".to_owned(),
        SIM_PORT.to_string(),
    ];
    args.extend(extra.iter().cloned());
    spawn_simulator(bin, &args, Stdio::inherit()).map(|(guard, _)| guard)
}

/// Starts the simulator binary with `args`, its stderr (the log) going to `log`, and waits
/// for the line that says it listens; returns it with its URL (`http://127.0.0.1:PORT`).
pub fn spawn_simulator(
    bin: &PathBuf,
    args: &[String],
    log: impl Into<Stdio>,
) -> Result<(Guard, String)> {
    let mut child = Command::new(bin)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| cmd::spawn_error(&bin.display().to_string(), &e))?;
    let stdout = child.stdout.take();
    let mut guard = Guard(child, "simulator");
    let (tx, rx) = mpsc::channel();
    if let Some(out) = stdout {
        std::thread::spawn(move || {
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if let Some(url) = line.strip_prefix("runware-sim listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
                println!("[sim] {line}");
            }
        });
    }
    let url = rx.recv_timeout(Duration::from_secs(30)).map_err(|_| {
        let status = match guard.0.try_wait() {
            Ok(Some(status)) => format!(" (it stopped: {status})"),
            _ => String::new(),
        };
        Error::Command(format!(
            "the simulator did not say it was listening within 30 s{status}"
        ))
    })?;
    Ok((guard, url))
}

/// True once `GET /` on the port answers 200.
fn http_ok(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}

/// Runs the studio until Ctrl-C or until one of its servers stops.
pub fn main(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    setup::ensure(Needs {
        wasm: true,
        browser: false,
        ffmpeg: true,
        e2e: false,
        python: false,
    })?;
    for (port, what) in [(SIM_PORT, "the simulator"), (o.port, "the studio")] {
        if !port_free(port) {
            return Err(Error::Command(format!(
                "port {port} (for {what}) is already in use; stop what uses it{}",
                if port == o.port {
                    ", or pass --port N"
                } else {
                    ""
                }
            )));
        }
    }
    println!("\n==> building the simulator");
    let sim_bin = build_simulator(true)?;
    println!("\n==> starting the simulator on 127.0.0.1:{SIM_PORT}");
    let mut sim = start_simulator(&sim_bin, &o.sim_args)?;

    println!("\n==> building and serving the studio (first build takes a minute or two)");
    let mut trunk = cmd::command("trunk");
    trunk.args([
        "serve",
        "--skip-version-check",
        "--offline",
        "--port",
        &o.port.to_string(),
    ]);
    if !o.dev {
        trunk.arg("--release");
    }
    println!("    $ {}", cmd::describe(&trunk));
    let mut app = Guard(
        trunk.spawn().map_err(|e| cmd::spawn_error("trunk", &e))?,
        "studio",
    );

    let start = Instant::now();
    while !http_ok(o.port) {
        for g in [&mut sim, &mut app] {
            if let Ok(Some(status)) = g.0.try_wait() {
                return Err(Error::Command(format!("the {} stopped ({status})", g.1)));
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let url = format!("http://127.0.0.1:{}/", o.port);
    println!(
        "\n  Kling Studio is ready after {:.0} s: open {url}",
        secs(start)
    );
    println!("  Backend: the local simulator (no key needed). Press Ctrl-C to stop.\n");

    loop {
        for g in [&mut sim, &mut app] {
            if let Ok(Some(status)) = g.0.try_wait() {
                return Err(Error::Command(format!("the {} stopped ({status})", g.1)));
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
