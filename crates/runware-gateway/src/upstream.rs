//! Runware's REST API (or the simulator's), with the site's key, retried on 429, 5xx and
//! connection errors with jittered exponential back-off.
//!
//! A retried submit is safe: it carries the visitor's own `taskUUID`, so a second attempt whose
//! first did reach Runware is answered `conflictTaskUUID` rather than charged twice.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use serde_json::Value;

use crate::config::Settings;
use crate::metrics::Metrics;
use crate::secret::ApiKey;

/// The longest single wait between attempts, whatever the back-off or a `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// A reply from upstream: its status and its JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body (always JSON: a body that is not is an [`UpstreamError::NotJson`]).
    pub body: Value,
}

/// No usable reply after every attempt.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// No answer at all.
    #[error("upstream unreachable: {reason}")]
    Unreachable {
        /// Whether some attempt may have reached upstream (so a job may have started).
        maybe_sent: bool,
        /// The last error, masked for the key.
        reason: String,
    },
    /// An answer that is not JSON.
    #[error("upstream answered {status} with a body that is not JSON: {reason}")]
    NotJson {
        /// The HTTP status.
        status: u16,
        /// What the JSON reader said.
        reason: String,
    },
}

impl UpstreamError {
    /// Whether a job in the request may have started upstream.
    pub fn maybe_sent(&self) -> bool {
        match self {
            UpstreamError::Unreachable { maybe_sent, .. } => *maybe_sent,
            UpstreamError::NotJson { .. } => true,
        }
    }
}

/// The upstream client.
#[derive(Debug, Clone)]
pub struct Upstream {
    client: reqwest::Client,
    url: reqwest::Url,
    key: ApiKey,
    attempts: u32,
    backoff: Duration,
    metrics: Arc<Metrics>,
}

impl Upstream {
    /// A client for `settings.upstream` with `key`.
    pub fn new(
        settings: &Settings,
        key: ApiKey,
        metrics: Arc<Metrics>,
    ) -> Result<Upstream, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(settings.upstream_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()?;
        Ok(Upstream {
            client,
            url: settings.upstream.clone(),
            key,
            attempts: settings.upstream_attempts,
            backoff: settings.upstream_backoff,
            metrics,
        })
    }

    fn authorization(&self) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", self.key.expose())).ok()?;
        // Marked sensitive: the HTTP stack then never prints it, not even at trace level.
        value.set_sensitive(true);
        Some(value)
    }

    /// POSTs a JSON array of tasks.
    pub async fn post(&self, tasks: &[Value]) -> Result<Answer, UpstreamError> {
        let body = serde_json::to_vec(tasks).map_err(|e| UpstreamError::Unreachable {
            maybe_sent: false,
            reason: format!("the request could not be written: {e}"),
        })?;
        let mut maybe_sent = false;
        let mut last_reason = String::new();
        for attempt in 0..self.attempts {
            if attempt > 0 {
                self.metrics.upstream_retry();
            }
            let mut request = self
                .client
                .post(self.url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
            if let Some(auth) = self.authorization() {
                request = request.header(AUTHORIZATION, auth);
            }
            let started = Instant::now();
            let outcome = request.send().await;
            let retry_after = match outcome {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let bytes = response.bytes().await;
                    self.metrics.upstream_latency(started.elapsed());
                    let transient = status == 429 || (500..=599).contains(&status);
                    match bytes {
                        Ok(bytes) => {
                            maybe_sent = true;
                            // Whatever upstream says goes to a visitor: were it ever to
                            // quote the key, the visitor sees the mask.
                            let text = self.key.mask(&String::from_utf8_lossy(&bytes));
                            let parsed = serde_json::from_str::<Value>(&text);
                            let last = attempt + 1 == self.attempts;
                            match parsed {
                                Ok(body) if !transient || last => {
                                    return Ok(Answer { status, body });
                                }
                                Err(e) if !transient || last => {
                                    return Err(UpstreamError::NotJson {
                                        status,
                                        reason: self.key.mask(&e.to_string()),
                                    });
                                }
                                _ => {
                                    last_reason = format!("upstream answered {status}");
                                    retry_after
                                }
                            }
                        }
                        Err(e) => {
                            maybe_sent = true;
                            last_reason = self.key.mask(&e.to_string());
                            None
                        }
                    }
                }
                Err(e) => {
                    self.metrics.upstream_latency(started.elapsed());
                    if !e.is_connect() {
                        maybe_sent = true;
                    }
                    last_reason = self.key.mask(&e.to_string());
                    None
                }
            };
            tracing::debug!(attempt, reason = %last_reason, "upstream attempt failed");
            if attempt + 1 < self.attempts {
                tokio::time::sleep(self.wait(attempt, retry_after)).await;
            }
        }
        self.metrics.upstream_failure();
        Err(UpstreamError::Unreachable {
            maybe_sent,
            reason: last_reason,
        })
    }

    /// Full jitter: a random wait up to `backoff × 2^attempt`, at least what a `Retry-After`
    /// asked, never above [`MAX_WAIT`].
    fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self
            .backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(MAX_WAIT);
        let jittered = if ceiling.is_zero() {
            Duration::ZERO
        } else {
            rand::rng().random_range(Duration::ZERO..=ceiling)
        };
        jittered.max(retry_after.unwrap_or_default()).min(MAX_WAIT)
    }
}
