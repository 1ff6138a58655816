//! `runware-gateway --config gateway.toml`: checks the file and the key, then serves.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use runware_gateway::{ApiKey, Config, ConfigError};

/// A key-keeping gateway in front of Runware: the studio (or any Runware client) talks to it
/// exactly as to Runware, over REST (`POST /v1`) or WebSocket (`/v1`), with no key; the gateway
/// sends each allowed job to Runware with the site's own key, within the site's limits and
/// daily budget.
///
/// The key is read from the environment variable named by `api_key_env` in the file (default
/// RUNWARE_API_KEY), never from the file. Every key of the file has a default; a file with an
/// unknown key or a value outside its rule is refused at start, naming the key.
///
/// Endpoints: POST /v1 and GET /v1 (WebSocket); GET /healthz; GET /metrics (Prometheus text).
/// Logs: JSON lines on stderr with a request id; the level comes from RUNWARE_GATEWAY_LOG,
/// else RUST_LOG (default info). The key is never logged, at any level.
#[derive(Debug, Parser)]
#[command(name = "runware-gateway", version, verbatim_doc_comment)]
struct Cli {
    /// The configuration file (TOML). Without it every key takes its default.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Check the file and the key, print the result and exit.
    #[arg(long)]
    check: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match &cli.config {
        Some(path) => Config::load(path),
        None => Ok(Config::default()),
    };
    let checked = config.and_then(|config| {
        let settings = config.check()?;
        let key = ApiKey::from_env(&config.api_key_env).ok_or(ConfigError::MissingKey {
            name: config.api_key_env.clone(),
        })?;
        Ok((settings, key))
    });
    let (settings, key) = match checked {
        Ok(checked) => checked,
        Err(e) => {
            eprintln!("runware-gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    if cli.check {
        println!("runware-gateway: the configuration is valid");
        return ExitCode::SUCCESS;
    }
    runware_gateway::logging::init(&settings.log_format, &key);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runware-gateway: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let running = runware_gateway::run(settings, key).await?;
        // Exactly one line on stdout, flushed, so scripts and tests can read the real port.
        println!("runware-gateway listening on {}", running.url);
        let _ = std::io::stdout().flush();
        running.serve_until(shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runware-gateway: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
