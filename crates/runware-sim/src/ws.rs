//! The WebSocket side of `/v1`: authentication first, then any task as over REST, with replies
//! as `{"data":[…]}` / `{"data":[],"errors":[…]}`. Clients poll with `getResponse` on the socket;
//! finished results are pushed only with `--push-results`.
//!
//! One task owns each socket and multiplexes three things: messages from the client, replies
//! for the client's session (from the session's outbox), and the idle timer. Messages after
//! authentication are handled on their own tasks, so a slow one (a frame fetched by URL, an
//! injected latency) does not hold up a ping; their replies go through the session, which
//! buffers them while no socket is attached and replays them on resume.

use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use runware::ApiError;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::dispatch::{self, Auth, Origin, Reply};
use crate::faults::FaultSpec;
use crate::server::{AppState, V1Query, requested_faults};
use crate::sessions::Attachment;
use crate::stats::Transport;

/// What a message task asks of the socket that received it.
#[derive(Debug)]
enum Control {
    /// Cut the connection without a closing handshake (the `drop` fault).
    Drop,
    /// Send this raw text as is (the `malformed` fault bypasses the session).
    Raw(String),
}

/// `GET /v1`: upgrades to a WebSocket. A `status=N` fault in the query refuses the upgrade.
pub async fn upgrade(
    State(state): State<AppState>,
    Query(query): Query<V1Query>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            let error = ApiError::new(
                runware::ErrorCode::Other("webSocketUpgradeRequired".to_owned()),
                format!("GET /v1 is the WebSocket endpoint ({rejection}); use POST for REST"),
            );
            return dispatch::http_reply(Reply::refused(error).with_status(426));
        }
    };
    let faults = match requested_faults(&headers, &query) {
        Ok(spec) => spec,
        Err(error) => return dispatch::http_reply(Reply::refused(*error)),
    };
    let dry_run = match query.dry_run() {
        Ok(dry_run) => dry_run,
        Err(error) => return dispatch::http_reply(Reply::refused(*error)),
    };
    if let Some(status) = faults.status {
        state.stats.fault(&FaultSpec {
            status: Some(status),
            ..FaultSpec::default()
        });
        return dispatch::http_reply(dispatch::fault_status(status));
    }
    let limit = state.config.body_limit_mb.saturating_mul(1024 * 1024);
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| {
            connection(
                state,
                socket,
                Settings {
                    faults,
                    client: query.client,
                    dry_run,
                },
            )
        })
}

/// What the upgrade URL asked for, for the whole connection.
struct Settings {
    faults: FaultSpec,
    client: Option<String>,
    dry_run: bool,
}

/// The life of one socket.
async fn connection(state: AppState, mut socket: WebSocket, settings: Settings) {
    let Settings {
        faults: conn_faults,
        client,
        dry_run,
    } = settings;
    state.stats.update(|s| {
        s.ws.connections += 1;
        s.ws.open += 1;
    });
    let idle = state.config.ws_idle_timeout;
    let (control_tx, mut control_rx) = mpsc::unbounded_channel::<Control>();
    // Filled on authentication; the receiving half of the session's outbox.
    let mut outbox: Option<mpsc::UnboundedReceiver<String>> = None;
    let mut attachment: Option<Attachment> = None;
    let mut api_key = String::new();
    let mut deadline = tokio::time::Instant::now() + idle;
    let close = loop {
        tokio::select! {
            message = async {
                match outbox.as_mut() {
                    Some(rx) => rx.recv().await,
                    None => std::future::pending().await,
                }
            } => match message {
                Some(text) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break None;
                    }
                }
                // The session was resumed by another socket: this one is done.
                None => break Some((1000, "session resumed on another connection")),
            },
            control = control_rx.recv() => match control {
                Some(Control::Drop) | None => {
                    state.stats.update(|s| s.ws.open = s.ws.open.saturating_sub(1));
                    if let Some(a) = attachment {
                        state.sessions.detach(a);
                    }
                    // Returning drops the socket without a close frame: a cut connection.
                    return;
                }
                Some(Control::Raw(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break None;
                    }
                }
            },
            incoming = tokio::time::timeout_at(deadline, socket.recv()) => {
                let message = match incoming {
                    Err(_) => {
                        state.stats.update(|s| s.ws.idle_closes += 1);
                        break Some((1000, "idle timeout"));
                    }
                    Ok(None) | Ok(Some(Err(_))) => break None,
                    Ok(Some(Ok(message))) => message,
                };
                deadline = tokio::time::Instant::now() + idle;
                let text = match message {
                    Message::Text(text) => text.to_string(),
                    Message::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Message::Close(_) => break None,
                    // tungstenite answers pings itself; both count as activity.
                    Message::Ping(_) | Message::Pong(_) => continue,
                };
                if attachment.is_none() {
                    match authenticate(&state, &text, &mut outbox) {
                        Authenticated::Yes { attached, key, rest } => {
                            attachment = Some(attached);
                            api_key = key;
                            if !rest.is_empty() {
                                let ctx = MessageContext {
                                    session: attached.session,
                                    api_key: &api_key,
                                    client: &client,
                                    faults: &conn_faults,
                                    control: &control_tx,
                                    dry_run,
                                };
                                spawn_message(&state, &ctx, rest);
                            }
                        }
                        Authenticated::No { reply, fatal } => {
                            if socket.send(Message::Text(reply.into())).await.is_err() {
                                break None;
                            }
                            if fatal {
                                break Some((1008, "invalid API key"));
                            }
                        }
                    }
                    continue;
                }
                if let Some(a) = attachment {
                    // Everything else, a repeated authentication included, is a task message.
                    let ctx = MessageContext {
                        session: a.session,
                        api_key: &api_key,
                        client: &client,
                        faults: &conn_faults,
                        control: &control_tx,
                        dry_run,
                    };
                    spawn_message(&state, &ctx, text);
                }
            }
        }
    };
    if let Some((code, reason)) = close {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }
    state
        .stats
        .update(|s| s.ws.open = s.ws.open.saturating_sub(1));
    if let Some(a) = attachment {
        state.sessions.detach(a);
    }
}

enum Authenticated {
    Yes {
        attached: Attachment,
        key: String,
        /// The tasks that followed the authentication task in the same message, re-encoded.
        rest: String,
    },
    No {
        reply: String,
        fatal: bool,
    },
}

/// Handles the first message of a socket, which must start with an `authentication` task.
fn authenticate(
    state: &AppState,
    text: &str,
    outbox: &mut Option<mpsc::UnboundedReceiver<String>>,
) -> Authenticated {
    let started = Instant::now();
    state.stats.request(Transport::Ws);
    let (key, resume, rest) = match dispatch::leading_authentication(text) {
        Ok(found) => found,
        Err(error) => {
            state.stats.error(error.code.as_str());
            log_message(
                None,
                error.http_status(),
                &["?".to_owned()],
                &[],
                &[error.code.to_string()],
                "",
                started,
            );
            return Authenticated::No {
                reply: Reply::refused(*error).to_json(),
                fatal: false,
            };
        }
    };
    state.stats.task("authentication");
    if let Err(error) = dispatch::check_key(&state.config, key.as_deref()) {
        state.stats.error(error.code.as_str());
        log_message(
            None,
            error.http_status(),
            &["authentication".to_owned()],
            &[],
            &[error.code.to_string()],
            "",
            started,
        );
        let fatal = error.code == runware::ErrorCode::InvalidApiKey;
        return Authenticated::No {
            reply: Reply::refused(*error).to_json(),
            fatal,
        };
    }
    let key = key.unwrap_or_default();
    let (tx, rx) = mpsc::unbounded_channel();
    *outbox = Some(rx);
    let mut attached = None;
    if let Some(session) = resume
        && let Ok((a, replayed)) =
            state
                .sessions
                .resume(session, &key, tx.clone(), dispatch::auth_reply(session))
    {
        state.stats.update(|s| {
            s.ws.resumes += 1;
            s.ws.replayed += replayed as u64;
        });
        attached = Some(a);
    }
    // An unknown or foreign session is not an error: the client gets a fresh one and can tell
    // from the returned UUID that nothing was resumed.
    let attached = attached.unwrap_or_else(|| state.sessions.open(&key, tx, dispatch::auth_reply));
    log_message(
        Some(attached.session),
        200,
        &["authentication".to_owned()],
        &[],
        &[],
        "",
        started,
    );
    Authenticated::Yes {
        attached,
        key,
        rest,
    }
}

/// What a message task needs to know about its socket.
struct MessageContext<'a> {
    session: Uuid,
    api_key: &'a str,
    client: &'a Option<String>,
    faults: &'a FaultSpec,
    control: &'a mpsc::UnboundedSender<Control>,
    dry_run: bool,
}

/// Handles one message on its own task; the reply goes through the session.
fn spawn_message(state: &AppState, ctx: &MessageContext<'_>, text: String) {
    let state = state.clone();
    let control = ctx.control.clone();
    let session = ctx.session;
    let origin_client = ctx
        .client
        .clone()
        .unwrap_or_else(|| format!("ws:{session}"));
    let mut faults = state.config.faults.roll().merge(ctx.faults);
    faults.miss_pong = ctx.faults.miss_pong || state.config.faults.roll_miss_pong();
    let api_key = ctx.api_key.to_owned();
    let dry_run = ctx.dry_run;
    tokio::spawn(async move {
        let started = Instant::now();
        state.stats.request(Transport::Ws);
        state.stats.fault(&faults);
        if let Some(latency) = faults.latency {
            tokio::time::sleep(latency).await;
        }
        let origin = Origin {
            transport: Transport::Ws,
            client: origin_client,
            session: Some(session),
            auth: Auth::Session { api_key },
            faults: faults.clone(),
            dry_run,
        };
        let reply = dispatch::execute(&state, &origin, text.as_bytes()).await;
        if faults.accepted_timeout && reply.accepted > 0 {
            // The job runs; only the news of its acceptance comes too late for the client.
            tokio::time::sleep(state.config.accepted_timeout_delay).await;
        }
        let codes: Vec<String> = reply.errors.iter().map(|e| e.code.to_string()).collect();
        for code in &codes {
            state.stats.error(code);
        }
        log_message(
            Some(session),
            reply.status,
            &reply.task_types,
            &reply.task_ids,
            &codes,
            &faults.to_string(),
            started,
        );
        if faults.drop {
            let _ = control.send(Control::Drop);
        } else if faults.malformed {
            let _ = control.send(Control::Raw(dispatch::malformed(&reply.to_json())));
        } else if !reply.is_silent() {
            state.sessions.deliver(session, reply.to_json());
        }
    });
}

fn log_message(
    session: Option<Uuid>,
    status: u16,
    task_types: &[String],
    task_ids: &[String],
    errors: &[String],
    faults: &str,
    started: Instant,
) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        transport = "ws",
        session = session.map(|s| s.to_string()).unwrap_or_default(),
        status,
        task_types = task_types.join(","),
        task_ids = task_ids.join(","),
        errors = errors.join(","),
        faults,
        duration_ms = format!("{ms:.1}"),
        "request"
    );
}
