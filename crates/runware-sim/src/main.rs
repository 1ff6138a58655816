//! `runware-sim`: starts the simulator (or its benchmark) from the command line.

use std::io::Write;

use clap::{Parser, Subcommand};
use runware_sim::Config;
use runware_sim::bench::BenchArgs;

/// A local Runware-compatible server for KlingAI 2.1 Pro (`klingai:5@2`) videoInference: REST
/// and WebSocket on /v1, real videos rendered with ffmpeg from the request's frames.
///
/// Tasks: videoInference, getResponse, getTaskDetails (the request as received and the current
/// state, for any task seen), imageUpload, ping, authentication. A job is `queued` for a moment
/// (--queue-time), then `processing` with a rising `progress`, then `success` (progress 100).
/// Over WebSocket, as over REST, clients poll with getResponse; nothing is pushed unless
/// --push-results. `/v1?dryRun=1` (REST, or the WebSocket URL for the whole connection)
/// validates and acknowledges with `"dryRun": true`, starting nothing.
///
/// Per-request faults: header `X-Sim-Fault: <spec>` (REST), query `/v1?fault=<spec>` (REST, or on
/// the WebSocket URL for the whole connection), or `[sim-fault:<spec>]` inside positivePrompt
/// (task-level directives only). <spec> is a comma-separated list of: status=<400-599>,
/// latency=<ms>, malformed, drop, timeoutProvider, insufficientCredits, nsfw, missPong,
/// acceptedTimeout (the job runs, its acknowledgement waits --accepted-timeout-delay).
///
/// Other endpoints: GET /healthz; GET /sim/stats (counters as JSON; name a client with the
/// `X-Sim-Client` header or `?client=`), DELETE /sim/stats (reset; needs the API key as on /v1);
/// GET /videos/<videoUUID>.<ext> (one byte range → 206, an unreadable Range is ignored; 410
/// after ttl). The WebSocket is also served on /ws/v1.
///
/// Logs go to stderr; the level comes from RUNWARE_SIM_LOG, else RUST_LOG (default info). No
/// API key is ever logged, at any level.
#[derive(Debug, Parser)]
#[command(name = "runware-sim", version, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    config: Config,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Measures the render time of a 5 s 1080p MP4 and getResponse latency under many
    /// concurrent pollers against an in-process server on loopback, then exits.
    Bench(BenchArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    runware_sim::init_logging(&cli.config.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runware-sim: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Some(Command::Bench(args)) => runware_sim::bench::run(args, cli.config).await,
            None => serve(cli.config).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("runware-sim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), runware_sim::SimError> {
    let running = runware_sim::run(config).await?;
    // Exactly one line on stdout, flushed, so scripts and tests can read the real port.
    println!("runware-sim listening on {}", running.url);
    let _ = std::io::stdout().flush();
    running.serve_until(shutdown_signal()).await
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
