//! `runware-gateway`: a small server that keeps a site's Runware key and speaks Runware's own
//! protocol (REST and WebSocket on `/v1`, as `spec/RUNWARE.md` describes it) to the studio, so a
//! static site can offer the studio to every visitor without giving its key away or letting
//! visitors run up its bill.
//!
//! Towards the visitor: the contract, validated by the `runware` crate, plus the site's rules
//! (allowed origins, task types and model, durations, sizes, result counts, each visitor's hourly
//! jobs and running jobs, the day's budget), each answered in Runware's error shape. Towards
//! Runware: REST with the site's key, retried with jittered back-off. State (limits and budget)
//! lives in a [`store::Store`]: SQLite for one instance, Redis for several.
//!
//! Start one with [`run`]; the binary reads a TOML file (see [`config`]) and calls it.

#![warn(missing_docs)]

pub mod config;
pub mod gateway;
pub mod logging;
pub mod metrics;
pub mod secret;
pub mod server;
pub mod store;
pub mod upstream;
pub mod ws;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{Config, ConfigError, Settings};
pub use secret::ApiKey;

/// Why the gateway could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address tried.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The store could not be opened.
    #[error("cannot open the store: {0}")]
    Store(#[from] store::StoreError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    /// The server stopped with an I/O error.
    #[error("server error: {0}")]
    Serve(std::io::Error),
}

/// A running gateway.
#[derive(Debug)]
pub struct Running {
    /// The address it listens on (with the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// `http://<addr>`.
    pub url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `http://<addr>/v1`.
    pub fn v1(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// `ws://<addr>/v1`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/v1", self.addr)
    }

    /// Stops accepting, gives open requests a moment, then stops.
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
    }

    /// Runs until the server stops by itself (an I/O error) or `signal` fires.
    pub async fn serve_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), GatewayError> {
        tokio::select! {
            result = &mut self.task => match result {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(GatewayError::Serve(e)),
                Err(e) => Err(GatewayError::Serve(std::io::Error::other(e))),
            },
            () = signal => {
                self.shutdown().await;
                Ok(())
            }
        }
    }
}

/// Opens the store, binds and starts serving in the background.
pub async fn run(settings: Settings, key: ApiKey) -> Result<Running, GatewayError> {
    let store = store::open(&settings.store).await?;
    let metrics = Arc::new(metrics::Metrics::default());
    let upstream = upstream::Upstream::new(&settings, key, metrics.clone())?;
    let addr = settings.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| GatewayError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| GatewayError::Bind { addr, source })?;
    let gateway = Arc::new(gateway::Gateway {
        limits: settings.limits.clone(),
        store,
        upstream,
        metrics,
    });
    let state = server::AppState {
        gateway,
        settings: Arc::new(settings),
    };
    let app = server::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(Running {
        addr,
        url: format!("http://{addr}"),
        shutdown: Some(tx),
        task,
    })
}
