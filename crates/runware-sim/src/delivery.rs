//! Outgoing HTTP: webhook POSTs, upload PUTs, and fetching frame images given by URL.
//!
//! Deliveries are retried with a doubling back-off (scaled by `--time-scale`), because a
//! receiver that is briefly down should still get every result, as with Runware's webhooks.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::stats::{DeliveryStats, Stats, StatsSnapshot};

/// How many times a webhook or an upload is tried in all.
pub const ATTEMPTS: u32 = 5;

/// A delivery or a fetch that failed.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The request could not be sent, or no reply came in time.
    #[error("{0}")]
    Transport(#[from] reqwest::Error),
    /// The receiver answered with a status that is not a success.
    #[error("HTTP {0}")]
    Status(u16),
    /// The body is larger than allowed.
    #[error("larger than {0} bytes")]
    TooLarge(usize),
    /// The video file could not be read.
    #[error("cannot read the video: {0}")]
    Io(#[from] std::io::Error),
}

/// The shared HTTP client for everything the simulator sends.
#[derive(Debug, Clone)]
pub struct Courier {
    client: reqwest::Client,
    stats: Arc<Stats>,
    backoff: Duration,
}

/// Which counter a delivery goes to.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Webhook,
    Upload,
}

impl Kind {
    fn counter(self, s: &mut StatsSnapshot) -> &mut DeliveryStats {
        match self {
            Kind::Webhook => &mut s.webhooks,
            Kind::Upload => &mut s.uploads,
        }
    }
}

impl Courier {
    /// A client with `timeout` per request and `backoff` before the first retry.
    pub fn new(
        timeout: Duration,
        backoff: Duration,
        stats: Arc<Stats>,
    ) -> Result<Self, DeliveryError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("runware-sim/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            stats,
            backoff,
        })
    }

    /// POSTs a JSON body (a webhook's `{"data":[item]}`) to `url`, retrying on failure.
    pub async fn post_json(&self, url: &str, body: &str) -> Result<(), DeliveryError> {
        let body = body.to_owned();
        self.with_retries(Kind::Webhook, || {
            self.client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone())
        })
        .await
    }

    /// PUTs the raw bytes of the video at `path` to `url`, retrying on failure.
    pub async fn upload(&self, url: &str, path: &Path, mime: &str) -> Result<(), DeliveryError> {
        let bytes = Bytes::from(tokio::fs::read(path).await?);
        self.with_retries(Kind::Upload, || {
            self.client
                .put(url)
                .header(reqwest::header::CONTENT_TYPE, mime)
                .body(bytes.clone())
        })
        .await
    }

    async fn with_retries(
        &self,
        kind: Kind,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<(), DeliveryError> {
        let mut wait = self.backoff;
        let mut last = DeliveryError::Status(0);
        for attempt in 1..=ATTEMPTS {
            self.stats.update(|s| kind.counter(s).attempts += 1);
            let result = match request().send().await {
                Ok(reply) if reply.status().is_success() => Ok(()),
                Ok(reply) => Err(DeliveryError::Status(reply.status().as_u16())),
                Err(e) => Err(DeliveryError::Transport(e)),
            };
            match result {
                Ok(()) => {
                    self.stats.update(|s| kind.counter(s).delivered += 1);
                    return Ok(());
                }
                Err(e) => last = e,
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
        self.stats.update(|s| kind.counter(s).failed += 1);
        Err(last)
    }

    /// GETs an image, giving up past `limit` bytes.
    pub async fn fetch(&self, url: &str, limit: usize) -> Result<Bytes, DeliveryError> {
        let reply = self.client.get(url).send().await?;
        if !reply.status().is_success() {
            return Err(DeliveryError::Status(reply.status().as_u16()));
        }
        if reply.content_length().is_some_and(|n| n > limit as u64) {
            return Err(DeliveryError::TooLarge(limit));
        }
        let mut reply = reply;
        let mut body = Vec::new();
        while let Some(chunk) = reply.chunk().await? {
            if body.len() + chunk.len() > limit {
                return Err(DeliveryError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(body))
    }
}
