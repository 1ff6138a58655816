//! JSON (or text) log lines on stderr, each masked for the site's key before it is written.
//!
//! Two guards, as in the simulator: the WebSocket library's `trace` events (which print every
//! frame, a visitor's authentication message included) are dropped whatever the filter says,
//! and every line is searched for the site's key and masked, so that no library's trace output
//! (HTTP client, TLS, Redis) can leak it either.

use std::io::Write;
use std::sync::OnceLock;

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

use crate::secret::ApiKey;

static KEY: OnceLock<ApiKey> = OnceLock::new();

/// Targets whose `trace` events carry WebSocket payloads.
const FRAME_LOGGERS: [&str; 2] = ["tungstenite", "tokio_tungstenite"];

fn is_frame_logger(target: &str) -> bool {
    FRAME_LOGGERS.iter().any(|logger| {
        target
            .strip_prefix(logger)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

/// Starts logging to stderr; the filter comes from `RUNWARE_GATEWAY_LOG`, else `RUST_LOG`, else
/// `info`. `key` is masked in every line. A second call keeps the first set-up.
pub fn init(format: &str, key: &ApiKey) {
    let _ = KEY.set(key.clone());
    let filter = EnvFilter::try_from_env("RUNWARE_GATEWAY_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let no_frames =
        filter_fn(|meta| !(*meta.level() == Level::TRACE && is_frame_logger(meta.target())));
    let layer = fmt::layer().with_writer(MaskingStderr).with_ansi(false);
    let layer = if format == "json" {
        layer
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(no_frames)
            .boxed()
    } else {
        layer.with_filter(no_frames).boxed()
    };
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init();
}

struct MaskingStderr;

impl<'a> MakeWriter<'a> for MaskingStderr {
    type Writer = MaskingLine;

    fn make_writer(&'a self) -> MaskingLine {
        MaskingLine(Vec::new())
    }
}

/// One event's output, written masked when dropped.
struct MaskingLine(Vec<u8>);

impl Write for MaskingLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for MaskingLine {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.0);
        let text = match KEY.get() {
            Some(key) => key.mask(&text),
            None => text.into_owned(),
        };
        // A log line that cannot be written has nowhere else to go.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_loggers_by_target() {
        assert!(is_frame_logger("tungstenite::protocol"));
        assert!(!is_frame_logger("runware_gateway::ws"));
    }
}
