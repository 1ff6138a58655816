//! Logging to stderr, with API keys kept out of it at every level.
//!
//! Two guards keep a key out of the log. The WebSocket library logs every frame it reads or
//! writes, payload and all, at `trace` level: the first frame of a socket is the authentication
//! task with the key, so those events are dropped whatever the filter asks for (their `debug`
//! and coarser events, which name no payload, still pass). And every key the server has been
//! shown is masked in whatever line is written, so that no other library's trace output can
//! leak it either.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{LazyLock, Mutex};

use tracing::Level;
use tracing_subscriber::filter::{EnvFilter, filter_fn};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// What a masked key is written as.
pub const MASK: &str = "[redacted]";

/// Keys shorter than this are not masked: masking a two-letter key would garble every line.
/// The simulator accepts such keys only because it accepts any key.
const MIN_SECRET_LEN: usize = 6;

/// How many distinct keys are remembered for masking; the oldest is forgotten first.
const MAX_SECRETS: usize = 256;

static SECRETS: LazyLock<Mutex<VecDeque<String>>> = LazyLock::new(Mutex::default);

/// Targets whose `trace` events carry WebSocket payloads.
const FRAME_LOGGERS: [&str; 2] = ["tungstenite", "tokio_tungstenite"];

/// Remembers `key` so that it is masked in every later log line.
pub fn remember_secret(key: &str) {
    let key = key.trim();
    if key.len() < MIN_SECRET_LEN {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if secrets.iter().any(|s| s == key) {
        return;
    }
    if secrets.len() >= MAX_SECRETS {
        secrets.pop_front();
    }
    secrets.push_back(key.to_owned());
}

/// `text` with every remembered key replaced by [`MASK`].
pub fn redact(text: &str) -> String {
    let secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_owned();
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

fn is_frame_logger(target: &str) -> bool {
    FRAME_LOGGERS.iter().any(|logger| {
        target
            .strip_prefix(logger)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

/// Sends the one-line-per-request log to stderr (stdout carries only the "listening" line).
/// The level filter comes from `RUNWARE_SIM_LOG`, else `RUST_LOG`, else `info`; `format` is
/// `text` or `json`.
pub fn init_logging(format: &str) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_env("RUNWARE_SIM_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let no_frames =
        filter_fn(|meta| !(*meta.level() == Level::TRACE && is_frame_logger(meta.target())));
    let layer = fmt::layer()
        .with_writer(MaskingStderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal());
    let layer = if format == "json" {
        layer
            .json()
            .flatten_event(true)
            .with_filter(no_frames)
            .boxed()
    } else {
        layer.with_filter(no_frames).boxed()
    };
    // A second call (tests start many servers) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(layer)
        .try_init();
}

/// Makes a [`MaskingLine`] per event.
struct MaskingStderr;

impl<'a> MakeWriter<'a> for MaskingStderr {
    type Writer = MaskingLine;

    fn make_writer(&'a self) -> MaskingLine {
        MaskingLine(Vec::new())
    }
}

/// Collects one event's output and writes it to stderr, masked, when dropped.
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
        let text = redact(&String::from_utf8_lossy(&self.0));
        // A log line that cannot be written has nowhere else to go.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_keys_are_masked() {
        remember_secret("k");
        remember_secret("sk-unit-test-secret");
        assert_eq!(
            redact(r#"[{"apiKey":"sk-unit-test-secret"}] k"#),
            r#"[{"apiKey":"[redacted]"}] k"#
        );
    }

    #[test]
    fn frame_loggers_by_target() {
        assert!(is_frame_logger("tungstenite::protocol"));
        assert!(is_frame_logger("tokio_tungstenite"));
        assert!(!is_frame_logger("tungstenite_like"));
        assert!(!is_frame_logger("runware_sim::ws"));
    }
}
