//! Runtime configuration: which backend the studio talks to, over which transport.
//!
//! The types here are pure (no browser calls) so that the URL rules are tested natively; the
//! settings UI, persistence and `data-` attributes build on them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pick::{Options, Pick};

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
///
/// Saved as `{"kind":"simulator"}`, `{"kind":"runware"}` or `{"kind":"custom","url":"…"}`, and
/// read back by [`Backend::from_json`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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

/// How requests travel: saved as `"auto"`, `"rest"` or `"webSocket"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
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

    /// Reads a backend as it is saved; `None` for anything else.
    ///
    /// Read by hand from a [`Value`] (whose parser the app has anyway): the derived deserializer
    /// of an adjacently tagged enum put about 3 KB of code into the wasm.
    pub fn from_json(value: &Value) -> Option<Backend> {
        match value.get("kind")?.as_str()? {
            "simulator" => Some(Backend::Simulator),
            "runware" => Some(Backend::Runware),
            "custom" => Some(Backend::Custom(value.get("url")?.as_str()?.to_owned())),
            _ => None,
        }
    }

    /// Whether requests need the user's API key (the simulator takes any).
    pub fn needs_key(&self) -> bool {
        !matches!(self, Backend::Simulator)
    }
}

/// Reads a backend through [`Backend::from_json`] (a saved job names its backend): one small
/// reader instead of serde's buffering of adjacently tagged enums.
impl<'de> Deserialize<'de> for Backend {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Backend::from_json(&value).ok_or_else(|| serde::de::Error::custom("not a backend"))
    }
}

impl Options for TransportChoice {
    const OPTIONS: &'static [TransportChoice] = &[
        TransportChoice::Auto,
        TransportChoice::Rest,
        TransportChoice::WebSocket,
    ];
}

impl TransportChoice {
    /// Reads a transport choice as it is saved; `None` for anything else.
    pub fn from_json(value: &Value) -> Option<TransportChoice> {
        match value.as_str()? {
            "auto" => Some(TransportChoice::Auto),
            "rest" => Some(TransportChoice::Rest),
            "webSocket" => Some(TransportChoice::WebSocket),
            _ => None,
        }
    }

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

/// The connection settings every part of the app reads: one small `Copy` struct of signals,
/// provided once by the root component.
#[derive(Clone, Copy)]
pub struct Settings {
    /// Where requests go.
    pub backend: RwSignal<Backend>,
    /// How they travel.
    pub transport: Pick<TransportChoice>,
    /// The user's API key, held in memory only unless [`Settings::remember_key`] is set.
    pub api_key: RwSignal<Option<String>>,
    /// Whether the user chose to keep the key on this device.
    pub remember_key: RwSignal<bool>,
}

impl Settings {
    /// Creates the settings with their defaults and provides them to the component tree.
    pub fn provide() -> Self {
        let settings = Settings {
            backend: RwSignal::new(Backend::default()),
            transport: Pick::new(TransportChoice::default()),
            api_key: RwSignal::new(None),
            remember_key: RwSignal::new(false),
        };
        provide_context(settings);
        settings
    }

    /// The settings provided by the root component.
    pub fn expect() -> Self {
        expect_context::<Settings>()
    }

    /// The transport in use now.
    pub fn transport_kind(&self) -> TransportKind {
        self.transport.get().resolve(&self.backend.get())
    }
}

/// Where the connection settings (backend and transport, never the key) are kept.
const CONNECTION_STORE: &str = "kling-studio.connection";
/// Where the API key is kept, only when the user asked for it.
const KEY_STORE: &str = "kling-studio.api-key";

/// What is saved of the connection: no secret in it.
#[derive(Serialize)]
struct SavedConnection {
    backend: Backend,
    transport: TransportChoice,
}

impl SavedConnection {
    /// Reads what [`Serialize`] wrote; `None` when a field is missing or unreadable.
    fn from_json(value: &Value) -> Option<SavedConnection> {
        Some(SavedConnection {
            backend: Backend::from_json(value.get("backend")?)?,
            transport: TransportChoice::from_json(value.get("transport")?)?,
        })
    }
}

impl Settings {
    /// Restores what was saved on this device (the key only if the user chose to keep it), then
    /// keeps saving: the connection always, the key only while "remember" is on, and removed
    /// from the device the moment it is turned off.
    pub fn restore_and_persist(&self) {
        if let Some(saved) = storage::get(CONNECTION_STORE)
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| SavedConnection::from_json(&v))
        {
            self.backend.set(saved.backend);
            self.transport.set(saved.transport);
        }
        if let Some(key) = storage::get(KEY_STORE).filter(|k| !k.is_empty()) {
            self.api_key.set(Some(key));
            self.remember_key.set(true);
        }
        let (backend, transport) = (self.backend, self.transport);
        Effect::new(move |_| {
            let saved = SavedConnection {
                backend: backend.get(),
                transport: transport.get(),
            };
            if let Ok(text) = serde_json::to_string(&saved) {
                storage::set(CONNECTION_STORE, &text);
            }
        });
        let (key, remember) = (self.api_key, self.remember_key);
        Effect::new(move |_| match (remember.get(), key.get()) {
            (true, Some(key)) if !key.is_empty() => storage::set(KEY_STORE, &key),
            _ => storage::remove(KEY_STORE),
        });
    }

    /// Forgets the key: out of memory and off the device, and "remember" turned off.
    pub fn forget_key(&self) {
        self.api_key.set(None);
        self.remember_key.set(false);
        storage::remove(KEY_STORE);
    }

    /// Whether requests to Runware cannot go out for want of a key (tracked). Other servers
    /// may not need one (a simulator, a proxy that adds the key), so they are not held back.
    pub fn missing_key(&self) -> bool {
        self.backend.get() == Backend::Runware
            && self
                .api_key
                .with(|k| k.as_deref().is_none_or(|k| k.trim().is_empty()))
    }

    /// The endpoints in use, for the page's own origin (tracked).
    pub fn endpoints_here(&self) -> Endpoints {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        self.backend.get().endpoints(&origin)
    }
}

/// The browser's `localStorage`, quietly absent when the browser refuses it (private windows,
/// embedding pages that sandbox storage): the studio then simply remembers nothing.
pub mod storage {
    /// The page's local storage, if allowed.
    fn local() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    /// The text stored under `key`.
    pub fn get(key: &str) -> Option<String> {
        local()?.get_item(key).ok().flatten()
    }

    /// Stores `value` under `key` (a full storage is ignored: nothing here is essential).
    pub fn set(key: &str, value: &str) {
        if let Some(store) = local() {
            let _ = store.set_item(key, value);
        }
    }

    /// Removes `key`.
    pub fn remove(key: &str) {
        if let Some(store) = local() {
            let _ = store.remove_item(key);
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
    fn every_transport_choice_is_listed_once() {
        crate::pick::assert_options::<TransportChoice>();
        assert_eq!(TransportChoice::OPTIONS.len(), 3);
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
            let value = serde_json::from_str::<Value>(&text).expect("json");
            assert_eq!(Backend::from_json(&value), Some(b.clone()));
            assert_eq!(serde_json::from_str::<Backend>(&text).ok(), Some(b));
        }
        for t in [
            TransportChoice::Auto,
            TransportChoice::Rest,
            TransportChoice::WebSocket,
        ] {
            let saved = SavedConnection {
                backend: Backend::Runware,
                transport: t,
            };
            let text = serde_json::to_string(&saved).expect("encodes");
            let value = serde_json::from_str::<Value>(&text).expect("json");
            let back = SavedConnection::from_json(&value).expect("decodes");
            assert_eq!((back.backend, back.transport), (Backend::Runware, t));
        }
        let custom = serde_json::json!({"kind": "custom"});
        assert_eq!(Backend::from_json(&custom), None);
    }
}
