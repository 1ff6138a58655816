//! WebSocket: one socket, authenticated first, kept alive with a ping every 45 s, reconnected
//! with backoff, and resumed by `connectionSessionUUID` so that results the server pushed while
//! the socket was down are replayed rather than lost.
//!
//! The browser's socket is used directly, its events handled as they come: what arrives is
//! routed to the questions waiting for it by [`super::routing`].
//!
//! No stream or sink adapter sits in between (`gloo_net`'s would add a task, two channels and
//! their code to the wasm for what four event handlers do).

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::select;
use gloo_timers::future::TimeoutFuture;
use runware::reply::{Item, Reply};
use runware::{Authentication, Ping, Task};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::routing::{self, Expect, Routed, Waiting};
use super::{PushHandler, Target, TransportError};

/// Keep-alive period; Runware closes a socket idle for 120 s.
const PING_EVERY_MS: u32 = 45_000;
/// A pong later than this means the socket is dead.
const PONG_WITHIN_MS: u32 = 15_000;
/// Time allowed for the authentication answer.
const AUTH_WITHIN_MS: u32 = 10_000;
/// A socket unused for this long is let go instead of kept alive.
const KEEP_FOR_MS: f64 = 5.0 * 60_000.0;

type Answer = Result<Reply, TransportError>;

/// A connection, opening or open.
struct Link {
    generation: u64,
    ws: WebSocket,
    /// What was asked before the socket opened, sent once it does.
    queued: Vec<String>,
    /// Whether the server accepted the key on it (only such a link is worth reconnecting).
    authenticated: bool,
    /// The handler of the socket's events, alive as long as the link.
    _on_event: Closure<dyn FnMut(Event)>,
}

impl Link {
    /// Sends `text`, or queues it while the socket opens; false if the socket refused it.
    fn send(&mut self, text: String) -> bool {
        if self.ws.ready_state() == WebSocket::CONNECTING {
            self.queued.push(text);
            return true;
        }
        self.ws.send_with_str(&text).is_ok()
    }
}

impl Drop for Link {
    /// Closes the socket; its handler goes with the link, so the socket must not call it again.
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// Everything the socket's tasks share.
struct State {
    on_push: PushHandler,
    link: Option<Link>,
    session: Option<Uuid>,
    waiting: Vec<Waiting>,
    /// Who to wake when question `id`'s answer has arrived, by question id (a few at a time: a
    /// `Vec`). A `()` channel, the one kind the app uses anywhere, rather than one of answers.
    answers: Vec<(u64, oneshot::Sender<()>)>,
    /// Answers arrived and not yet taken by their question.
    arrived: Vec<(u64, Answer)>,
    /// Whether a connection is being made (one attempt at a time).
    connecting: bool,
    /// Who waits for the attempt under way to end.
    turns: Vec<oneshot::Sender<()>>,
    next_id: u64,
    generation: u64,
    failures: u32,
    not_before: f64,
    last_used: f64,
    closed: bool,
}

impl State {
    /// Takes the channel of question `id`'s answer.
    fn take_answer(&mut self, id: u64) -> Option<oneshot::Sender<()>> {
        let i = self.answers.iter().position(|(q, _)| *q == id)?;
        Some(self.answers.swap_remove(i).1)
    }

    /// Takes question `id`'s arrived answer.
    fn take_arrived(&mut self, id: u64) -> Option<Answer> {
        let i = self.arrived.iter().position(|(q, _)| *q == id)?;
        Some(self.arrived.swap_remove(i).1)
    }
}

/// What the socket does in the background.
enum Chore {
    /// Connect again after this many ms.
    Reconnect(u32),
    /// Ping connection `generation` while it is in use.
    KeepAlive(u64),
}

/// The turn to connect, held while connecting; the next in line goes when it is dropped.
///
/// Two fields of [`State`] and the `()` channel do what an async mutex would, without its code.
struct Turn(Rc<RefCell<State>>);

impl Drop for Turn {
    fn drop(&mut self) {
        let turns = {
            let mut state = self.0.borrow_mut();
            state.connecting = false;
            std::mem::take(&mut state.turns)
        };
        // All are woken; the first to run takes the turn, the others wait again.
        for turn in turns {
            let _ = turn.send(());
        }
    }
}

/// The WebSocket transport (cheap to clone: clones share the socket).
#[derive(Clone)]
pub struct Socket {
    target: Rc<Target>,
    state: Rc<RefCell<State>>,
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Wait before reconnect attempt `failures`: 1 s, doubling, at most 30 s.
fn reconnect_delay(failures: u32) -> f64 {
    (1000.0 * 2f64.powi(failures.saturating_sub(1).min(8) as i32)).min(30_000.0)
}

impl Socket {
    /// A socket to `target`; nothing connects until the first send.
    pub fn new(target: Target, on_push: PushHandler) -> Self {
        Socket {
            target: Rc::new(target),
            state: Rc::new(RefCell::new(State {
                on_push,
                link: None,
                session: None,
                waiting: Vec::new(),
                answers: Vec::new(),
                arrived: Vec::new(),
                connecting: false,
                turns: Vec::new(),
                next_id: 1,
                generation: 0,
                failures: 0,
                not_before: 0.0,
                last_used: 0.0,
                closed: false,
            })),
        }
    }

    /// Where it sends.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Sends `tasks` and waits for the answers about them.
    pub async fn send(&self, tasks: &[Task], timeout_ms: u32) -> Answer {
        self.state.borrow_mut().last_used = now();
        if let Err(outcome) = self.connect(timeout_ms).await {
            return outcome;
        }
        let ids: Vec<String> = tasks
            .iter()
            .filter_map(|t| t.task_uuid())
            .map(|id| id.to_string())
            .collect();
        let expects = if ids.is_empty() {
            Expect::Pong
        } else {
            Expect::Tasks(ids)
        };
        let text = runware::encode(tasks).map_err(|e| {
            TransportError::Unreachable(format!("the request could not be written: {e}"))
        })?;
        self.ask(expects, text, timeout_ms).await
    }

    /// Lets go of the socket for good.
    pub fn close(&self) {
        let routed = {
            let mut state = self.state.borrow_mut();
            state.closed = true;
            // Dropping the link closes its socket.
            state.link = None;
            routing::fail_all(&mut state.waiting, "the connection was closed")
        };
        self.deliver(routed);
    }

    /// Queues `text` and waits for the answer `expects` describes.
    async fn ask(&self, expects: Expect, text: String, timeout_ms: u32) -> Answer {
        let (id, answer) = {
            let mut state = self.state.borrow_mut();
            let id = state.next_id;
            state.next_id += 1;
            let (tx, rx) = oneshot::channel();
            state.answers.push((id, tx));
            state.waiting.push(Waiting::new(id, expects));
            let sent = state.link.as_mut().is_some_and(|l| l.send(text));
            if !sent {
                state.take_answer(id);
                state.waiting.retain(|w| w.id != id);
                return Err(TransportError::Unreachable("the connection is down".into()));
            }
            (id, rx)
        };
        // The timer first, as in the poller's sleep: one instantiation of the pair. Whichever
        // ends first, an answer that has arrived is the answer.
        select(TimeoutFuture::new(timeout_ms), answer).await;
        let mut state = self.state.borrow_mut();
        if let Some(answer) = state.take_arrived(id) {
            return answer;
        }
        if state.take_answer(id).is_none() {
            // The channel closed without an answer.
            return Err(TransportError::Unreachable(
                "the connection was lost".into(),
            ));
        }
        // Timed out.
        let partial = state
            .waiting
            .iter()
            .position(|w| w.id == id)
            .map(|i| state.waiting.remove(i));
        match partial {
            // Some of a batch answered: that much is news, the rest is asked again later.
            Some(w) if !w.got.data.is_empty() || !w.got.errors.is_empty() => Ok(w.got),
            _ => Err(TransportError::Timeout(timeout_ms / 1000)),
        }
    }

    /// Makes sure a socket is open and authenticated. `Err` holds what `send` should answer.
    async fn connect(&self, timeout_ms: u32) -> Result<(), Answer> {
        let _one_at_a_time = self.turn().await;
        let wait = {
            let state = self.state.borrow();
            if state.link.is_some() {
                return Ok(());
            }
            state.not_before - now()
        };
        if wait > f64::from(timeout_ms) {
            return Err(Err(TransportError::Unreachable(format!(
                "reconnecting in {} s",
                (wait / 1000.0).ceil() as u64
            ))));
        }
        if wait > 0.0 {
            TimeoutFuture::new(wait as u32).await;
        }
        let (url, key) = (&self.target.endpoints.ws, self.target.api_key.clone());
        let session = self.state.borrow().session;
        let ws = WebSocket::new(url).map_err(|e| {
            let reason = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.to_string()))
                .unwrap_or_else(|| "the connection could not be opened".to_owned());
            Err(self.failed(reason))
        })?;
        let generation = self.attach(ws);
        let mut auth = Authentication::new(key).map_err(|e| Err(self.failed(e.to_string())))?;
        if let Some(session) = session {
            auth = auth.resuming(session);
        }
        let text =
            runware::encode(&[Task::from(auth)]).map_err(|e| Err(self.failed(e.to_string())))?;
        match self.ask(Expect::Auth, text, AUTH_WITHIN_MS).await {
            Ok(reply) => {
                let session = reply.data.iter().find_map(|item| match item {
                    Item::Authentication {
                        connection_session_uuid,
                    } => Uuid::parse_str(connection_session_uuid).ok(),
                    _ => None,
                });
                match session {
                    Some(session) => {
                        let mut state = self.state.borrow_mut();
                        state.session = Some(session);
                        state.failures = 0;
                        if let Some(link) = state.link.as_mut() {
                            link.authenticated = true;
                        }
                        drop(state);
                        self.spawn(Chore::KeepAlive(generation));
                        Ok(())
                    }
                    // Refused (a wrong key): the reply's errors are the answer to the caller.
                    None => {
                        self.drop_link(generation);
                        let _ = self.failed(String::new());
                        Err(Ok(reply))
                    }
                }
            }
            Err(error) => {
                self.drop_link(generation);
                Err(Err(self.failed(error.to_string())))
            }
        }
    }

    /// Waits for the turn to connect.
    async fn turn(&self) -> Turn {
        loop {
            let wait = {
                let mut state = self.state.borrow_mut();
                if !state.connecting {
                    state.connecting = true;
                    return Turn(self.state.clone());
                }
                let (tx, rx) = oneshot::channel();
                state.turns.push(tx);
                rx
            };
            let _ = wait.await;
        }
    }

    /// Counts a failed connection and sets when the next may be tried.
    fn failed(&self, reason: String) -> TransportError {
        let mut state = self.state.borrow_mut();
        state.failures = state.failures.saturating_add(1);
        state.not_before = now() + reconnect_delay(state.failures);
        TransportError::Unreachable(reason)
    }

    /// Makes `ws` the current connection and listens to it; returns its generation.
    fn attach(&self, ws: WebSocket) -> u64 {
        ws.set_binary_type(BinaryType::Arraybuffer);
        let mut state = self.state.borrow_mut();
        state.generation += 1;
        let generation = state.generation;
        let this = self.clone();
        // One handler for the four events: one closure type in the wasm instead of four.
        let on_event =
            Closure::<dyn FnMut(Event)>::new(move |event: Event| match event.type_().as_str() {
                "open" => this.opened(generation),
                "message" => {
                    let data = event.unchecked_ref::<MessageEvent>().data();
                    let bytes = match data.dyn_ref::<js_sys::ArrayBuffer>() {
                        Some(buffer) => js_sys::Uint8Array::new(buffer).to_vec(),
                        None => data.as_string().unwrap_or_default().into_bytes(),
                    };
                    this.receive(generation, &bytes);
                }
                "close" => {
                    let close = event.unchecked_ref::<CloseEvent>();
                    let reason = format!(
                        "WebSocket Closed: code: {}, reason: {}",
                        close.code(),
                        close.reason()
                    );
                    this.lost(generation, &reason);
                }
                _ => this.lost(generation, "WebSocket connection failed"),
            });
        let handler = Some(on_event.as_ref().unchecked_ref());
        ws.set_onopen(handler);
        ws.set_onmessage(handler);
        ws.set_onerror(handler);
        ws.set_onclose(handler);
        state.link = Some(Link {
            generation,
            ws,
            queued: Vec::new(),
            authenticated: false,
            _on_event: on_event,
        });
        generation
    }

    /// Connection `generation` is open: sends what was asked meanwhile.
    fn opened(&self, generation: u64) {
        let unsent = {
            let mut state = self.state.borrow_mut();
            let Some(link) = state.link.as_mut().filter(|l| l.generation == generation) else {
                return;
            };
            let queued = std::mem::take(&mut link.queued);
            !queued
                .iter()
                .all(|text| link.ws.send_with_str(text).is_ok())
        };
        if unsent {
            self.lost(generation, "the message could not be sent");
        }
    }

    /// One message from connection `generation`.
    fn receive(&self, generation: u64, bytes: &[u8]) {
        let routed = {
            let mut state = self.state.borrow_mut();
            if state.link.as_ref().map(|l| l.generation) != Some(generation) {
                return;
            }
            match runware::reply::decode(bytes) {
                Ok(reply) => routing::route(&mut state.waiting, reply),
                Err(error) => routing::route_malformed(
                    &mut state.waiting,
                    error.body_text().chars().take(300).collect(),
                ),
            }
        };
        self.deliver(routed);
    }

    /// Hands answers to their questions and unasked replies to the push handler.
    fn deliver(&self, routed: Routed) {
        let (wakes, push) = {
            let mut state = self.state.borrow_mut();
            let mut wakes = Vec::new();
            for (id, answer) in routed.finished {
                // A question given up on (its task dropped) leaves no answer behind.
                if let Some(wake) = state.take_answer(id).filter(|w| !w.is_canceled()) {
                    state.arrived.push((id, answer));
                    wakes.push(wake);
                }
            }
            (
                wakes,
                routed.unclaimed.map(|reply| (state.on_push.clone(), reply)),
            )
        };
        for wake in wakes {
            let _ = wake.send(());
        }
        if let Some((on_push, reply)) = push {
            on_push(reply);
        }
    }

    /// Connection `generation` ended: fail what waited on it, and reconnect if still in use.
    fn lost(&self, generation: u64, reason: &str) {
        let (routed, again) = {
            let mut state = self.state.borrow_mut();
            let Some(link) = state.link.take_if(|l| l.generation == generation) else {
                return;
            };
            // A link that had been working is tried again at once (after 1 s); one that never
            // authenticated was counted by `failed` already.
            let delay = reconnect_delay(state.failures + 1);
            state.not_before = state.not_before.max(now() + 1000.0);
            let again =
                link.authenticated && !state.closed && now() - state.last_used < KEEP_FOR_MS;
            (
                routing::fail_all(&mut state.waiting, reason),
                again.then_some(delay),
            )
        };
        self.deliver(routed);
        if let Some(delay) = again {
            // Reconnect on our own, so that results pushed meanwhile are replayed promptly.
            self.spawn(Chore::Reconnect(delay as u32));
        }
    }

    /// Ends connection `generation`, failing what waited on it.
    fn drop_link(&self, generation: u64) {
        self.lost(generation, "the connection was closed");
    }

    /// Runs `chore` in the background (one task type for every chore: one copy of the task
    /// glue in the wasm).
    fn spawn(&self, chore: Chore) {
        let this = self.clone();
        spawn_local(async move {
            match chore {
                Chore::Reconnect(delay_ms) => {
                    TimeoutFuture::new(delay_ms).await;
                    let _ = this.connect(AUTH_WITHIN_MS).await;
                }
                Chore::KeepAlive(generation) => this.keep_alive(generation).await,
            }
        });
    }

    /// Pings connection `generation` every 45 s while it is in use; a missing pong ends it.
    async fn keep_alive(&self, generation: u64) {
        loop {
            TimeoutFuture::new(PING_EVERY_MS).await;
            let (current, idle) = {
                let state = self.state.borrow();
                let current = state.link.as_ref().map(|l| l.generation) == Some(generation);
                (current, now() - state.last_used > KEEP_FOR_MS)
            };
            if !current {
                return;
            }
            if idle {
                self.drop_link(generation);
                return;
            }
            let Ok(text) = runware::encode(&[Task::from(Ping::default())]) else {
                return;
            };
            if self.ask(Expect::Pong, text, PONG_WITHIN_MS).await.is_err() {
                self.drop_link(generation);
                return;
            }
        }
    }
}
