//! `cargo xtask run`: builds the studio, starts the local simulator and Trunk's server beside it
//! (Trunk proxies `/v1` and `/ws/v1` to the simulator), and prints the URL to open.
//!
//! With `--gateway`, the simulator wants a key of this run's own, a `runware-gateway` in front of
//! it holds that key, and a generated page (`dist/gateway.html`) embeds the studio pointed at the
//! gateway with `data-backend-url` and `data-key="none"`: the set-up of a site that offers the
//! studio to its visitors, page and gateway on two origins.

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
/// The gateway's port with `--gateway`.
pub const GATEWAY_PORT: u16 = 8788;
/// The generated page of `--gateway`, inside Trunk's `dist/`.
const GATEWAY_PAGE: &str = "gateway.html";
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
    gateway: bool,
    sim_args: Vec<String>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        port: DEFAULT_APP_PORT,
        dev: false,
        gateway: false,
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
            "--gateway" => o.gateway = true,
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
    build_native("runware-sim", optimised)
}

/// Builds one native package's binary of the same name and returns its path.
fn build_native(package: &str, optimised: bool) -> Result<PathBuf> {
    let mut c = cmd::command("cargo");
    c.args(["build", "--package", package]);
    let profile_dir = if optimised {
        c.args(["--profile", "native"]);
        "native"
    } else {
        "debug"
    };
    cmd::run(&mut c)?;
    Ok(cmd::root().join("target").join(profile_dir).join(package))
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
    let mut c = Command::new(bin);
    c.args(args);
    spawn_listening(c, log, "simulator", "sim", "runware-sim listening on ")
}

/// Starts a server whose first stdout line is `<marker><url>`, its stderr going to `log`, and
/// waits for that line; every stdout line is echoed with `[tag]`.
fn spawn_listening(
    mut command: Command,
    log: impl Into<Stdio>,
    name: &'static str,
    tag: &'static str,
    marker: &'static str,
) -> Result<(Guard, String)> {
    let line = cmd::describe(&command);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .map_err(|e| cmd::spawn_error(&line, &e))?;
    let stdout = child.stdout.take();
    let mut guard = Guard(child, name);
    let (tx, rx) = mpsc::channel();
    if let Some(out) = stdout {
        std::thread::spawn(move || {
            for line in BufReader::new(out)
                .lines()
                .map_while(std::result::Result::ok)
            {
                if let Some(url) = line.strip_prefix(marker) {
                    let _ = tx.send(url.trim().to_owned());
                }
                println!("[{tag}] {line}");
            }
        });
    }
    let url = rx.recv_timeout(Duration::from_secs(30)).map_err(|_| {
        let status = match guard.0.try_wait() {
            Ok(Some(status)) => format!(" (it stopped: {status})"),
            _ => String::new(),
        };
        Error::Command(format!(
            "the {name} did not say it was listening within 30 s{status}"
        ))
    })?;
    Ok((guard, url))
}

/// The gateway of `--gateway`: a config of this run in `target/xtask-gateway/` (SQLite there
/// too), the simulator upstream with `key`, the studio's origins allowed.
fn start_gateway(bin: &PathBuf, app_port: u16, key: &str) -> Result<(Guard, String)> {
    let dir = cmd::root().join("target").join("xtask-gateway");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::Command(format!("cannot create {}: {e}", dir.display())))?;
    let config = dir.join("gateway.toml");
    let text = format!(
        "# Written by `cargo xtask run --gateway` for this run.\n\
         listen = \"127.0.0.1:{GATEWAY_PORT}\"\n\
         upstream = \"http://127.0.0.1:{SIM_PORT}/v1\"\n\
         api_key_env = \"RUNWARE_API_KEY\"\n\
         allowed_origins = [\"http://127.0.0.1:{app_port}\", \"http://localhost:{app_port}\"]\n\
         log_format = \"text\"\n\
         [store]\n\
         sqlite = {:?}\n",
        dir.join("gateway.db").display().to_string()
    );
    std::fs::write(&config, text)
        .map_err(|e| Error::Command(format!("cannot write {}: {e}", config.display())))?;
    let mut c = Command::new(bin);
    c.arg("--config").arg(&config).env("RUNWARE_API_KEY", key);
    spawn_listening(
        c,
        Stdio::inherit(),
        "gateway",
        "gateway",
        "runware-gateway listening on ",
    )
}

/// The page of `--gateway`: the studio embedded as a site would, pointed at the gateway.
fn gateway_page(gateway_url: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Kling Studio through runware-gateway</title>
  </head>
  <body>
    <!-- Generated by `cargo xtask run --gateway`: the studio talks to the gateway, which holds
         the key; the visitor needs none. -->
    <div data-kling-studio data-backend-url="{gateway_url}/v1" data-key="none"></div>
    <script type="module" src="embed.js"></script>
  </body>
</html>
"#
    )
}

/// Writes the page into `dist/` when it is missing (a rebuild of Trunk empties the folder).
fn keep_gateway_page(page: &str) {
    let path = cmd::root().join("dist").join(GATEWAY_PAGE);
    if !path.exists() && cmd::root().join("dist").join("embed.js").exists() {
        let _ = std::fs::write(&path, page);
    }
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
        redis: false,
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
    if o.gateway && !port_free(GATEWAY_PORT) {
        return Err(Error::Command(format!(
            "port {GATEWAY_PORT} (for the gateway) is already in use; stop what uses it"
        )));
    }
    println!("\n==> building the simulator");
    let sim_bin = build_simulator(true)?;
    // With the gateway, the simulator wants this run's key, which only the gateway holds.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let key = format!("xtask-run-{}-{nanos:09}", std::process::id());
    let mut sim_args = o.sim_args.clone();
    if o.gateway {
        sim_args.extend(["--api-key".to_owned(), key.clone()]);
    }
    println!("\n==> starting the simulator on 127.0.0.1:{SIM_PORT}");
    let mut sim = start_simulator(&sim_bin, &sim_args)?;
    let mut gateway = None;
    if o.gateway {
        println!("\n==> building and starting the gateway on 127.0.0.1:{GATEWAY_PORT}");
        let bin = build_native("runware-gateway", true)?;
        gateway = Some(start_gateway(&bin, o.port, &key)?);
    }
    let gateway_url = gateway.as_ref().map(|(_, url)| url.clone());
    let page = gateway_url.as_deref().map(gateway_page);

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
    let mut guards: Vec<&mut Guard> = vec![&mut sim, &mut app];
    if let Some((g, _)) = gateway.as_mut() {
        guards.push(g);
    }
    while !http_ok(o.port) {
        check_running(&mut guards)?;
        std::thread::sleep(Duration::from_millis(300));
    }
    let url = format!("http://127.0.0.1:{}/", o.port);
    match (&page, &gateway_url) {
        (Some(page), Some(gateway_url)) => {
            keep_gateway_page(page);
            println!(
                "\n  Kling Studio is ready after {:.0} s.\n  \
                 Through the gateway (no key, the site's limits): open {url}{GATEWAY_PAGE}\n  \
                 The gateway: {gateway_url}/v1 (health {gateway_url}/healthz, metrics {gateway_url}/metrics)\n  \
                 The studio on the simulator directly: {url}",
                secs(start)
            );
            println!("  Press Ctrl-C to stop.\n");
        }
        _ => {
            println!(
                "\n  Kling Studio is ready after {:.0} s: open {url}",
                secs(start)
            );
            println!("  Backend: the local simulator (no key needed). Press Ctrl-C to stop.\n");
        }
    }

    loop {
        check_running(&mut guards)?;
        if let Some(page) = &page {
            keep_gateway_page(page);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// An error naming the first server that stopped.
fn check_running(guards: &mut [&mut Guard]) -> Result<()> {
    for g in guards.iter_mut() {
        if let Ok(Some(status)) = g.0.try_wait() {
            return Err(Error::Command(format!("the {} stopped ({status})", g.1)));
        }
    }
    Ok(())
}
