//! The only part of the studio that talks to the network: one [`Transport`] that sends an array
//! of tasks and returns the decoded reply, over REST or WebSocket, the two being alike to the
//! rest of the app.
//!
//! Replies are decoded by the `runware` crate. What this module adds is the reading of the
//! carrier: HTTP statuses and `Retry-After`, timeouts, lost connections, and over WebSocket the
//! matching of answers to questions by `taskUUID` (plus results the server pushes unasked, which
//! go to a callback).

pub mod file;
pub mod routing;

mod rest;
mod socket;

use std::rc::Rc;

use runware::Task;
use runware::reply::{DecodeError, Reply};

use crate::config::{Endpoints, TransportKind};

pub use rest::Rest;
pub use socket::Socket;

/// Why no reply could be read. Every variant is worth retrying later, except [`Refused`].
///
/// [`Refused`]: TransportError::Refused
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TransportError {
    /// No connection, or it was lost before an answer: the tasks may or may not have run.
    #[error("the server could not be reached ({0})")]
    Unreachable(String),
    /// No answer in time.
    #[error("the server did not answer within {0} s")]
    Timeout(u32),
    /// The server is overloaded or failing (408, 429, 5xx, or a WebSocket error saying so).
    #[error("the server is busy (HTTP {status}){}", detail_suffix(.detail))]
    Busy {
        /// HTTP status, or 503 for a WebSocket error of that kind.
        status: u16,
        /// `Retry-After`, in ms, when the server gave one.
        retry_after_ms: Option<f64>,
        /// The server's own message, if it sent one.
        detail: Option<String>,
    },
    /// The answer could not be read (cut short, not JSON, not a reply).
    #[error("the server's answer could not be read{}", status_suffix(*.status))]
    Malformed {
        /// HTTP status, when known.
        status: Option<u16>,
        /// The start of the raw body, for the record.
        body: String,
    },
    /// A client error status with a body that is not a reply (a proxy's error page).
    #[error("the server refused the request (HTTP {status})")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The start of the raw body.
        body: String,
    },
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail
        .as_ref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default()
}

fn status_suffix(status: Option<u16>) -> String {
    status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
}

impl TransportError {
    /// The server's `Retry-After`, in ms.
    pub fn retry_after_ms(&self) -> Option<f64> {
        match self {
            TransportError::Busy { retry_after_ms, .. } => *retry_after_ms,
            _ => None,
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        !matches!(self, TransportError::Refused { .. })
    }
}

/// The first 300 characters of a body, for messages and the record.
fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(300).collect()
}

/// `Retry-After` in ms: a number of seconds (the HTTP-date form is not worth a date parser).
pub fn parse_retry_after(value: &str) -> Option<f64> {
    let seconds = crate::num::parse_decimal(value)?;
    (seconds.is_finite() && seconds >= 0.0).then(|| (seconds * 1000.0).min(600_000.0))
}

/// Reads an HTTP answer: a decodable reply with a 2xx or a definitive 4xx status is a reply
/// (its `errors` say what went wrong); 408, 425, 429 and 5xx are [`TransportError::Busy`]
/// whatever the body says.
pub fn read_http(
    status: u16,
    body: &[u8],
    retry_after: Option<&str>,
) -> Result<Reply, TransportError> {
    let decoded = runware::reply::decode(body);
    if matches!(status, 408 | 425 | 429 | 500..=599) {
        let detail = decoded.ok().and_then(|r| {
            r.errors
                .first()
                .map(|e| format!("{}: {}", e.code, e.message))
        });
        return Err(TransportError::Busy {
            status,
            retry_after_ms: retry_after.and_then(parse_retry_after),
            detail,
        });
    }
    match (decoded, status) {
        (Ok(reply), _) => Ok(reply),
        (Err(error), 400..=499) => Err(TransportError::Refused {
            status,
            body: excerpt(error.body()),
        }),
        (Err(error), _) => Err(malformed(Some(status), &error)),
    }
}

fn malformed(status: Option<u16>, error: &DecodeError) -> TransportError {
    TransportError::Malformed {
        status,
        body: excerpt(error.body()),
    }
}

/// Where requests go and with which key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// REST or WebSocket.
    pub kind: TransportKind,
    /// The backend's URLs.
    pub endpoints: Endpoints,
    /// The API key (a placeholder for the simulator, which takes any).
    pub api_key: String,
}

/// Replies the server sends without being asked (WebSocket results pushed as they finish, and
/// replies replayed when a session is resumed).
pub type PushHandler = Rc<dyn Fn(Reply)>;

/// One way to send tasks; REST and WebSocket behave the same to callers.
#[derive(Clone)]
pub enum Transport {
    /// `POST` of a JSON array.
    Rest(Rest),
    /// One authenticated socket, reconnected and resumed as needed.
    WebSocket(Socket),
}

impl Transport {
    /// A transport to `target`; `on_push` receives replies nobody asked for.
    pub fn open(target: Target, on_push: PushHandler) -> Self {
        match target.kind {
            TransportKind::Rest => Transport::Rest(Rest::new(target)),
            TransportKind::WebSocket => Transport::WebSocket(Socket::new(target, on_push)),
        }
    }

    /// Where this transport sends.
    pub fn target(&self) -> &Target {
        match self {
            Transport::Rest(rest) => rest.target(),
            Transport::WebSocket(socket) => socket.target(),
        }
    }

    /// Sends `tasks` as one array and waits up to `timeout_ms` for the answer.
    pub async fn send(&self, tasks: &[Task], timeout_ms: u32) -> Result<Reply, TransportError> {
        match self {
            Transport::Rest(rest) => rest.send(tasks, timeout_ms).await,
            Transport::WebSocket(socket) => socket.send(tasks, timeout_ms).await,
        }
    }

    /// Lets go of any connection (the settings changed).
    pub fn close(&self) {
        if let Transport::WebSocket(socket) = self {
            socket.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_read_as_the_contract_says() {
        let ok = br#"{"data":[{"taskType":"videoInference","taskUUID":"6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f"}]}"#;
        assert_eq!(read_http(200, ok, None).map(|r| r.data.len()), Ok(1));

        let refused = br#"{"errors":[{"code":"insufficientCredits","message":"top up"}]}"#;
        let reply = read_http(402, refused, None).expect("a reply with errors");
        assert_eq!(reply.errors[0].code.as_str(), "insufficientCredits");

        let busy = br#"{"errors":[{"code":"serviceUnavailable","message":"busy"}]}"#;
        assert_eq!(
            read_http(503, busy, Some("7")),
            Err(TransportError::Busy {
                status: 503,
                retry_after_ms: Some(7000.0),
                detail: Some("serviceUnavailable: busy".into())
            })
        );
        assert!(matches!(
            read_http(429, b"slow down", None),
            Err(TransportError::Busy {
                status: 429,
                retry_after_ms: None,
                detail: None
            })
        ));
    }

    #[test]
    fn unreadable_bodies_keep_their_text() {
        let cut = br#"{"data":[{"taskType":"vid"#;
        assert!(matches!(
            read_http(200, cut, None),
            Err(TransportError::Malformed { status: Some(200), body }) if body.starts_with("{\"data\"")
        ));
        assert!(matches!(
            read_http(413, b"<html>too large</html>", None),
            Err(TransportError::Refused { status: 413, .. })
        ));
        assert!(
            !TransportError::Refused {
                status: 413,
                body: String::new()
            }
            .is_transient()
        );
    }

    #[test]
    fn retry_after_takes_seconds_only() {
        assert_eq!(parse_retry_after(" 2 "), Some(2000.0));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("99999"), Some(600_000.0));
    }

    #[test]
    fn errors_read_as_sentences() {
        let e = TransportError::Busy {
            status: 503,
            retry_after_ms: None,
            detail: Some("serviceUnavailable: busy".into()),
        };
        assert_eq!(
            e.to_string(),
            "the server is busy (HTTP 503): serviceUnavailable: busy"
        );
        assert_eq!(
            TransportError::Malformed {
                status: None,
                body: String::new()
            }
            .to_string(),
            "the server's answer could not be read"
        );
    }
}
