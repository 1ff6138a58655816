//! Runtime configuration: which backend the studio talks to, over which transport.
//!
//! The types here are pure (no browser calls) so that the URL rules are tested natively; the
//! settings UI, persistence and `data-` attributes build on them.

use serde::{Deserialize, Serialize};

/// Runware's REST endpoint.
pub const RUNWARE_REST: &str = "https://api.runware.ai/v1";
/// Runware's WebSocket endpoint.
pub const RUNWARE_WS: &str = "wss://ws-api.runware.ai/v1";
/// Where the local simulator answers REST, on the studio's own origin (Trunk and the test server
/// forward it to the simulator).
pub const SIMULATOR_REST_PATH: &str = "/v1";
/// Where the local simulator answers WebSocket on the studio's own origin: a path of its own,
/// because Trunk's proxy cannot serve HTTP and WebSocket on one path.
pub const SIMULATOR_WS_PATH: &str = "/ws/v1";

/// A Runware-compatible server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "url", rename_all = "camelCase")]
pub enum Backend {
    /// The local simulator, reached on the studio's own origin: no key needed.
    #[default]
    Simulator,
    /// Runware itself: needs the user's API key.
    Runware,
    /// Any other server speaking the same protocol, by its REST URL (`http(s)://…/v1`); its
    /// WebSocket is the same URL with `ws(s)://`.
    Custom(String),
}

/// How requests travel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TransportChoice {
    /// WebSocket for Runware (its browser SDK's choice, and REST may lack CORS), REST otherwise.
    #[default]
    Auto,
    /// Always REST.
    Rest,
    /// Always WebSocket.
    WebSocket,
}

/// The transport actually used once `Auto` is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// `POST` of a JSON array.
    Rest,
    /// One socket, authenticated once.
    WebSocket,
}

/// Resolved URLs of a backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// REST endpoint.
    pub rest: String,
    /// WebSocket endpoint.
    pub ws: String,
}

/// Why a custom backend URL was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendUrlError {
    /// Not `http://` or `https://`.
    #[error("the backend URL must start with http:// or https://")]
    Scheme,
    /// Nothing after the scheme.
    #[error("the backend URL names no host")]
    NoHost,
}

impl Backend {
    /// A custom backend from what a user typed, trimmed and checked.
    pub fn custom(url: &str) -> Result<Self, BackendUrlError> {
        let url = url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or(BackendUrlError::Scheme)?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(BackendUrlError::NoHost);
        }
        Ok(Backend::Custom(url.trim_end_matches('/').to_string()))
    }

    /// The URLs of this backend; `origin` is the page's (`http://host:port`), used by the simulator.
    pub fn endpoints(&self, origin: &str) -> Endpoints {
        match self {
            Backend::Simulator => {
                let origin = origin.trim_end_matches('/');
                Endpoints {
                    rest: format!("{origin}{SIMULATOR_REST_PATH}"),
                    ws: format!("{}{SIMULATOR_WS_PATH}", ws_scheme(origin)),
                }
            }
            Backend::Runware => Endpoints {
                rest: RUNWARE_REST.to_string(),
                ws: RUNWARE_WS.to_string(),
            },
            Backend::Custom(url) => Endpoints {
                rest: url.clone(),
                ws: ws_scheme(url),
            },
        }
    }

    /// Whether requests need the user's API key (the simulator takes any).
    pub fn needs_key(&self) -> bool {
        !matches!(self, Backend::Simulator)
    }
}

impl TransportChoice {
    /// The transport to use with `backend`.
    pub fn resolve(self, backend: &Backend) -> TransportKind {
        match (self, backend) {
            (TransportChoice::Rest, _) => TransportKind::Rest,
            (TransportChoice::WebSocket, _) => TransportKind::WebSocket,
            (TransportChoice::Auto, Backend::Runware) => TransportKind::WebSocket,
            (TransportChoice::Auto, _) => TransportKind::Rest,
        }
    }
}

/// `http(s)://x` → `ws(s)://x`; anything else unchanged.
fn ws_scheme(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simulator_lives_on_the_page_origin() {
        let e = Backend::Simulator.endpoints("http://127.0.0.1:8080");
        assert_eq!(e.rest, "http://127.0.0.1:8080/v1");
        assert_eq!(e.ws, "ws://127.0.0.1:8080/ws/v1");
        let e = Backend::Simulator.endpoints("https://studio.example/");
        assert_eq!(e.ws, "wss://studio.example/ws/v1");
    }

    #[test]
    fn runware_uses_its_public_endpoints() {
        let e = Backend::Runware.endpoints("http://localhost");
        assert_eq!((e.rest.as_str(), e.ws.as_str()), (RUNWARE_REST, RUNWARE_WS));
    }

    #[test]
    fn custom_urls_are_checked_and_their_socket_derived() {
        let b = Backend::custom(" http://127.0.0.1:8787/v1/ ").expect("valid");
        assert_eq!(b, Backend::Custom("http://127.0.0.1:8787/v1".into()));
        assert_eq!(b.endpoints("").ws, "ws://127.0.0.1:8787/v1");
        assert_eq!(Backend::custom("ftp://x"), Err(BackendUrlError::Scheme));
        assert_eq!(Backend::custom("https://"), Err(BackendUrlError::NoHost));
        assert_eq!(Backend::custom("https:///v1"), Err(BackendUrlError::NoHost));
    }

    #[test]
    fn auto_picks_websocket_for_runware_only() {
        let auto = TransportChoice::Auto;
        assert_eq!(auto.resolve(&Backend::Runware), TransportKind::WebSocket);
        assert_eq!(auto.resolve(&Backend::Simulator), TransportKind::Rest);
        assert_eq!(
            TransportChoice::WebSocket.resolve(&Backend::Simulator),
            TransportKind::WebSocket
        );
        assert_eq!(
            TransportChoice::Rest.resolve(&Backend::Runware),
            TransportKind::Rest
        );
    }

    #[test]
    fn settings_round_trip_as_json() {
        for b in [
            Backend::Simulator,
            Backend::Runware,
            Backend::Custom("http://h/v1".into()),
        ] {
            let text = serde_json::to_string(&b).expect("encodes");
            assert_eq!(serde_json::from_str::<Backend>(&text).expect("decodes"), b);
        }
    }
}
