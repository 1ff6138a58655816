//! `runware-sim`: a local server that speaks Runware's `videoInference` API for KlingAI 2.1 Pro
//! (`klingai:5@2`) as described in the wire contract, and renders real videos with ffmpeg from
//! the request's own frames.
//!
//! Start one with [`run`]; the binary is a thin wrapper around it, and tests run servers
//! in-process on port 0.
//!
//! Endpoints:
//! - `POST /v1`: REST, a JSON array of tasks; `GET /v1` with an upgrade: the WebSocket.
//! - `GET /videos/<videoUUID>.<ext>`: rendered videos, with HTTP Range; 410 after their `ttl`.
//! - `GET /healthz`: 200 while the server runs.
//! - `GET /sim/stats` (counters, see [`stats::StatsSnapshot`]); `DELETE /sim/stats` resets them
//!   (with the API key).

#![warn(missing_docs)]

pub mod bench;
pub mod config;
pub mod delivery;
pub mod dispatch;
pub mod docs;
pub mod engine;
pub mod faults;
pub mod frames;
pub mod logging;
pub mod render;
pub mod server;
pub mod sessions;
pub mod stats;
pub mod videos;
pub mod ws;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::Config;
pub use logging::init_logging;

use crate::delivery::Courier;
use crate::render::{RenderSettings, Renderer, WebmCodec};
use crate::server::{AppState, Shared};
use crate::stats::{Stats, StatsSnapshot};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The data directory could not be prepared.
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] delivery::DeliveryError),
    /// The server stopped with an I/O error.
    #[error("server error: {0}")]
    Serve(std::io::Error),
    /// A benchmark step failed.
    #[error("benchmark: {0}")]
    Bench(String),
}

/// A running server.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// `http://<addr>`.
    pub url: String,
    /// Base of the `videoURL`s it hands out.
    pub public_url: String,
    /// Where its files are.
    pub data_dir: PathBuf,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    maintenance: JoinHandle<()>,
    // Kept so a temporary data directory lives exactly as long as the server.
    _temp: Option<tempfile::TempDir>,
}

impl Running {
    /// The counters as they are now.
    pub fn stats(&self) -> StatsSnapshot {
        self.state.stats.snapshot()
    }

    /// The WebSocket URL (`ws://…/v1`).
    pub fn ws_url(&self) -> String {
        format!("ws://{}/v1", self.addr)
    }

    /// Stops accepting, gives open requests a moment, then stops everything.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
        self.maintenance.abort();
    }

    /// Runs until the server stops by itself (it only does on an I/O error) or `signal` fires.
    pub async fn serve_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), SimError> {
        tokio::select! {
            result = &mut self.task => {
                self.maintenance.abort();
                match result {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(SimError::Serve(e)),
                    Err(e) => Err(SimError::Serve(std::io::Error::other(e))),
                }
            }
            () = signal => {
                self.shutdown().await;
                Ok(())
            }
        }
    }
}

/// Binds, prepares the data directory and starts serving in the background.
pub async fn run(config: Config) -> Result<Running, SimError> {
    let addr = SocketAddr::new(config.host, config.port);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| SimError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SimError::Bind { addr, source })?;
    let url = format!("http://{addr}");
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| url.clone())
        .trim_end_matches('/')
        .to_owned();

    let (temp, data_dir) = match &config.data_dir {
        Some(dir) => (None, dir.clone()),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("runware-sim-")
                .tempdir()
                .map_err(|source| SimError::DataDir {
                    path: std::env::temp_dir(),
                    source,
                })?;
            let path = temp.path().to_path_buf();
            (Some(temp), path)
        }
    };
    for sub in ["videos", "frames", "images"] {
        let path = data_dir.join(sub);
        std::fs::create_dir_all(&path).map_err(|source| SimError::DataDir { path, source })?;
    }

    let stats = Arc::new(Stats::default());
    let courier = Courier::new(
        config.fetch_timeout,
        config.scaled(Duration::from_secs(1)),
        stats.clone(),
    )?;
    let renderer = Renderer::new(
        RenderSettings {
            ffmpeg: config.ffmpeg.clone(),
            x264_preset: config.x264_preset.clone(),
            webm_codec: if config.webm_codec == "vp8" {
                WebmCodec::Vp8
            } else {
                WebmCodec::Vp9
            },
            timeout: Duration::from_secs(300),
        },
        config.render_concurrency as usize,
    );
    let state = AppState(Arc::new(Shared {
        credits: Mutex::new(config.credits),
        public_url: public_url.clone(),
        data_dir: data_dir.clone(),
        engine: engine::Engine::default(),
        sessions: sessions::Sessions::default(),
        stats,
        videos: videos::Videos::default(),
        images: frames::Images::default(),
        renderer,
        courier,
        config,
    }));

    let maintenance = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                state.sessions.expire(state.config.session_retention);
                state.videos.sweep();
            }
        })
    };

    let (tx, rx) = oneshot::channel::<()>();
    let app = server::router(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(Running {
        addr,
        url,
        public_url,
        data_dir,
        state,
        shutdown: Some(tx),
        task,
        maintenance,
        _temp: temp,
    })
}
