//! The WebSocket on `/v1`, as Runware's: an `authentication` message (with any key, or none:
//! the gateway uses its own upstream) is answered with a `connectionSessionUUID`; every other
//! message is a JSON array of tasks, handled exactly as a REST body and answered with one
//! message. Results are not pushed: the studio polls with `getResponse`, as over REST.
//!
//! The origin rule runs on the upgrade request (see [`crate::server`]), so a page on another
//! site never gets a socket.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::gateway::Caller;
use crate::server::{AppState, V1Query, visitor_address};

/// A socket that receives nothing for this long is closed, as Runware does.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// `GET /v1` with an upgrade.
pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<V1Query>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let visitor = visitor_address(peer.ip(), &headers, &state.settings.trusted_proxies);
    let caller = Caller {
        visitor: visitor.to_string(),
        session: Some(uuid::Uuid::new_v4().to_string()),
        dry_run: query.dry_run(),
    };
    upgrade
        .max_message_size(crate::server::BODY_LIMIT)
        .on_upgrade(move |socket| serve(state, caller, socket))
}

/// The session a resuming `authentication` names, if any.
fn resumed_session(text: &str) -> Option<String> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.as_array()?.iter().find_map(|task| {
        (task.get("taskType")?.as_str()? == "authentication")
            .then(|| task.get("connectionSessionUUID")?.as_str())
            .flatten()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .map(|u| u.to_string())
    })
}

async fn serve(state: AppState, mut caller: Caller, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    // Replies are written by one task, so that slow upstream calls of one message never hold
    // up the answers to the next ones (a poll behind a submit).
    let (tx, mut rx) = mpsc::channel::<String>(64);
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::text(text)).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    tracing::debug!(visitor = %caller.visitor, "websocket opened");
    loop {
        let message = match tokio::time::timeout(IDLE_TIMEOUT, stream.next()).await {
            Err(_) => {
                tracing::debug!("websocket idle: closing");
                break;
            }
            Ok(None | Some(Err(_))) => break,
            Ok(Some(Ok(message))) => message,
        };
        let bytes = match message {
            Message::Text(text) => text.as_str().as_bytes().to_vec(),
            Message::Binary(bytes) => bytes.to_vec(),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        if let Some(session) = std::str::from_utf8(&bytes).ok().and_then(resumed_session) {
            caller.session = Some(session);
        }
        state.gateway.metrics.request(true);
        let gateway = state.gateway.clone();
        let caller = caller.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let answer = gateway.handle(&caller, &bytes).await;
            let _ = tx.send(answer.body.to_string()).await;
        });
    }
    drop(tx);
    let _ = writer.await;
    tracing::debug!("websocket closed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resume_names_its_session() {
        let id = "6f1c1f5e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";
        let text = format!(
            r#"[{{"taskType":"authentication","apiKey":"x","connectionSessionUUID":"{id}"}}]"#
        );
        assert_eq!(resumed_session(&text).as_deref(), Some(id));
        assert_eq!(resumed_session(r#"[{"taskType":"authentication"}]"#), None);
    }
}
