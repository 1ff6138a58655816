//! The jobs at work in this tab: submission, the one batched poller, results pushed by the
//! server, the journal on disk, and the messages to and from the other tabs.
//!
//! The in-memory [`Book`] is what the page shows; every change that matters is written to the
//! journal and told to the other tabs, which merge it into theirs. Only the tab holding the
//! poller lock polls; any tab sends what its user submits.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use leptos::prelude::*;
use runware::TaskId;
use runware::reply::Reply;
use uuid::Uuid;
use wasm_bindgen_futures::spawn_local;

use super::book::Book;
use super::frames::Blob;
use super::model::Job;
use super::progress;
use super::schedule::{Backoff, Policy};
use super::store::Store;
use super::tabs::{self, Channel, Note};
use crate::config::{Backend, Settings};
use crate::transport::{Target, Transport};

/// The key sent to the simulator when the user has none (it accepts any non-empty key).
pub const SIMULATOR_KEY: &str = "kling-studio-simulator";
/// The key sent to another server when the user has none: a page whose server keeps the key
/// itself (`data-key="none"`, a gateway) still has to authenticate its WebSocket, and Runware
/// answers it with `invalidApiKey`, which says what to do. Where the page asks for a key, the
/// form does not send without one.
pub const NO_KEY: &str = "none";
/// Time allowed for a submission (frames may be megabytes).
pub(super) const SEND_TIMEOUT_MS: u32 = 60_000;
/// Time allowed for a poll.
pub(super) const POLL_TIMEOUT_MS: u32 = 20_000;

/// The current time, in ms since the epoch.
pub fn now() -> f64 {
    js_sys::Date::now()
}

/// A fresh `taskUUID`.
pub fn fresh_id() -> TaskId {
    TaskId::from_random_bytes(*Uuid::new_v4().as_bytes())
}

/// The signals the page reads.
#[derive(Clone, Copy)]
pub struct Signals {
    /// Every job.
    pub book: RwSignal<Book>,
    /// The latest sentence for the aria-live region.
    pub announcement: RwSignal<String>,
    /// Why polling is not getting answers right now.
    pub poll_problem: RwSignal<Option<String>>,
    /// Why the journal cannot be used.
    pub storage_problem: RwSignal<Option<String>>,
    /// Whether the journal has been read.
    pub loaded: RwSignal<bool>,
}

/// The journal: being opened (with the tasks waiting for it), or open (or unavailable).
pub(super) enum StoreSlot {
    Opening(Vec<oneshot::Sender<()>>),
    Open(Option<Store>),
}

/// What the engine does in the background, besides polling.
pub(super) enum Errand {
    /// Start: read the journal, join the other tabs, poll.
    Start,
    /// Read the journal again (this tab just became the polling tab).
    Reread,
    /// Apply a reply the server pushed (boxed: replies are large).
    Absorb(Box<Reply>),
    /// Send the job waiting to be sent.
    Send(String),
}

/// The jobs machinery of this tab.
pub struct Engine {
    pub(super) signals: Signals,
    pub(super) settings: Settings,
    pub(super) policy: Policy,
    pub(super) store: RefCell<StoreSlot>,
    pub(super) channel: RefCell<Option<Channel>>,
    pub(super) transports: RefCell<Vec<Transport>>,
    pub(super) leader: Cell<bool>,
    /// The jobs this tab is sending now (a handful: a `Vec` costs less code than a set).
    pub(super) sending: RefCell<Vec<String>>,
    /// Wakes the poller from its sleep (armed by the poller at each turn; a oneshot, whose code
    /// the wasm has anyway, rather than a channel of its own).
    pub(super) wake: RefCell<Option<oneshot::Sender<()>>>,
    /// Pictures read or written so far, by key.
    pub(super) blobs: RefCell<Vec<Blob>>,
    pub(super) backoff: Cell<Backoff>,
    pub(super) retry_after: Cell<Option<f64>>,
    pub(super) last_tick: Cell<Option<f64>>,
}

impl Engine {
    /// Starts the machinery: opens the journal, joins the other tabs, and runs the poller.
    pub fn start(signals: Signals, settings: Settings, policy: Policy) -> Rc<Engine> {
        let engine = Rc::new(Engine {
            signals,
            settings,
            policy,
            store: RefCell::new(StoreSlot::Opening(Vec::new())),
            channel: RefCell::new(None),
            transports: RefCell::new(Vec::new()),
            leader: Cell::new(false),
            sending: RefCell::new(Vec::new()),
            wake: RefCell::new(None),
            blobs: RefCell::new(Vec::new()),
            backoff: Cell::new(Backoff::default()),
            retry_after: Cell::new(None),
            last_tick: Cell::new(None),
        });
        engine.errand(Errand::Start);
        engine
    }

    /// Reads the journal, joins the other tabs, and polls from then on.
    async fn begin(self: Rc<Self>) {
        self.load().await;
        let weak = Rc::downgrade(&self);
        *self.channel.borrow_mut() = Some(Channel::open(move |note| {
            if let Some(engine) = weak.upgrade() {
                engine.hear(note);
            }
        }));
        let weak = Rc::downgrade(&self);
        tabs::elect(move |leading| {
            if let Some(engine) = weak.upgrade() {
                engine.lead(leading);
            }
        });
        self.run().await;
    }

    /// The journal, once open (`None` when the browser refuses one).
    pub(super) async fn store(&self) -> Option<Store> {
        let wait = match &mut *self.store.borrow_mut() {
            StoreSlot::Open(store) => return store.clone(),
            StoreSlot::Opening(waiting) => {
                let (tx, rx) = oneshot::channel();
                waiting.push(tx);
                rx
            }
        };
        let _ = wait.await;
        match &*self.store.borrow() {
            StoreSlot::Open(store) => store.clone(),
            StoreSlot::Opening(_) => None,
        }
    }

    /// Opens the journal and reads it into the book.
    pub(super) async fn load(&self) {
        let opened = Store::open().await;
        let waiting = std::mem::replace(
            &mut *self.store.borrow_mut(),
            StoreSlot::Open(opened.as_ref().ok().cloned()),
        );
        if let StoreSlot::Opening(waiting) = waiting {
            for tx in waiting {
                let _ = tx.send(());
            }
        }
        match opened {
            Ok(store) => match store.jobs().await {
                Ok((jobs, damaged)) => {
                    self.merge(jobs);
                    if damaged > 0 {
                        self.signals.storage_problem.set(Some(format!(
                            "{damaged} saved job(s) could not be read and are not shown."
                        )));
                    }
                }
                Err(e) => self.signals.storage_problem.set(Some(e.to_string())),
            },
            Err(e) => self.signals.storage_problem.set(Some(format!(
                "{e}. Jobs are kept while this tab is open; keep it open until they finish."
            ))),
        }
        self.signals.loaded.set(true);
    }

    /// Merges jobs read from the journal into the book (one place for the load and a new
    /// leader's reread: one copy of the code).
    fn merge(&self, jobs: Vec<Job>) {
        self.signals.book.update(|book| {
            for job in jobs {
                book.upsert(job);
            }
        });
    }

    /// Job `id` as the book holds it now.
    pub(super) fn job(&self, id: &str) -> Option<Job> {
        self.signals.book.with_untracked(|b| b.get(id).cloned())
    }

    /// Keeps the picture `blob` at hand (once).
    pub(super) fn remember(&self, blob: Blob) {
        let mut blobs = self.blobs.borrow_mut();
        if !blobs.iter().any(|b| b.key == blob.key) {
            blobs.push(blob);
        }
    }

    pub(super) fn poke(&self) {
        if let Some(wake) = self.wake.borrow_mut().take() {
            let _ = wake.send(());
        }
    }

    pub(super) fn tell(&self, note: &Note) {
        if let Some(channel) = self.channel.borrow().as_ref() {
            channel.post(note);
        }
    }

    pub(super) fn announce(&self, text: String) {
        self.signals.announcement.set(text);
    }

    /// A note from another tab.
    pub(super) fn hear(&self, note: Note) {
        match note {
            Note::Upsert { job } => {
                let before = self.job(&job.id);
                let after = self.signals.book.try_update(|b| b.upsert(*job)).flatten();
                if let (Some(before), Some(after)) = (before, after)
                    && let Some(text) = progress::announcement(&before, &after)
                {
                    self.announce(text);
                }
                self.poke();
            }
            Note::Remove { id } => {
                self.signals.book.update(|b| {
                    b.remove(&id);
                });
            }
            Note::Wake => self.poke(),
        }
    }

    /// This tab became (or stopped being) the polling tab.
    pub(super) fn lead(self: &Rc<Self>, leading: bool) {
        self.leader.set(leading);
        if leading {
            // Another tab may have polled until now: start from what the journal says.
            self.errand(Errand::Reread);
        }
    }

    /// Runs `errand` in the background (one task type for every errand: one copy of the task
    /// glue in the wasm).
    pub(super) fn errand(self: &Rc<Self>, errand: Errand) {
        let this = self.clone();
        spawn_local(async move {
            match errand {
                Errand::Start => this.begin().await,
                Errand::Reread => {
                    if let Some(store) = this.store().await
                        && let Ok((jobs, _)) = store.jobs().await
                    {
                        this.merge(jobs);
                    }
                    this.backoff.set(Backoff::default());
                    this.poke();
                }
                Errand::Absorb(reply) => {
                    if this.absorb(&reply, &[]).await {
                        this.backoff.set(Backoff::default());
                        this.poke();
                    }
                }
                Errand::Send(id) => this.send(id, None).await,
            }
        });
    }

    /// Writes `jobs` (and `blobs`) to the journal and tells the other tabs.
    pub(super) async fn persist(&self, jobs: &[Job], blobs: &[Blob]) {
        if let Some(store) = self.store().await {
            let refs: Vec<&Job> = jobs.iter().collect();
            if let Err(e) = store.save(&refs, blobs).await {
                self.signals.storage_problem.set(Some(e.to_string()));
            }
        }
        for job in jobs {
            self.tell(&Note::Upsert {
                job: Box::new(job.clone()),
            });
        }
    }

    /// Changes job `id` in the book; when it changed, journals it, tells the other tabs and
    /// announces it.
    pub(super) async fn change(
        &self,
        id: &str,
        change: &mut dyn FnMut(&mut Job) -> bool,
    ) -> Option<Job> {
        let (before, after) = self
            .signals
            .book
            .try_update(|b| b.update(id, change))
            .flatten()?;
        if let Some(text) = progress::announcement(&before, &after) {
            self.announce(text);
        }
        self.persist(std::slice::from_ref(&after), &[]).await;
        Some(after)
    }

    /// The server and key a job of `backend` is sent with, under the current settings.
    pub(super) fn target(&self, backend: &Backend) -> Target {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let key = self
            .settings
            .api_key
            .get_untracked()
            .filter(|k| !k.trim().is_empty())
            .unwrap_or_else(|| {
                if backend.needs_key() {
                    NO_KEY.to_owned()
                } else {
                    SIMULATOR_KEY.to_owned()
                }
            });
        Target {
            kind: self.settings.transport.get_untracked().resolve(backend),
            endpoints: backend.endpoints(&origin),
            api_key: key,
        }
    }

    /// The transport for `backend`, reused while the settings stay the same.
    pub(super) fn transport(self: &Rc<Self>, backend: &Backend) -> Transport {
        let target = self.target(backend);
        let mut transports = self.transports.borrow_mut();
        if let Some(t) = transports.iter().find(|t| t.target() == &target) {
            return t.clone();
        }
        // The settings changed: let go of the old connection to the same server.
        transports.retain(|t| {
            let same_server = t.target().endpoints == target.endpoints;
            if same_server {
                t.close();
            }
            !same_server
        });
        let weak: Weak<Engine> = Rc::downgrade(self);
        let transport = Transport::open(
            target,
            Rc::new(move |reply: Reply| {
                if let Some(engine) = weak.upgrade() {
                    engine.errand(Errand::Absorb(Box::new(reply)));
                }
            }),
        );
        transports.push(transport.clone());
        transport
    }

    /// Applies a reply to every job it concerns (and to `polled`, which it may not name);
    /// returns whether it brought news (a result, an end, a new phase: see
    /// [`progress::is_news`]). Every change is kept, `progress` included.
    pub(super) async fn absorb(&self, reply: &Reply, polled: &[String]) -> bool {
        let now = now();
        let mut ids: Vec<String> = polled.to_vec();
        let named = reply
            .data
            .iter()
            .filter_map(|item| item.task_uuid())
            .chain(reply.errors.iter().filter_map(|e| e.task_uuid.as_deref()));
        for id in named.map(str::to_ascii_lowercase) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut changed = Vec::new();
        let mut news = false;
        for id in &ids {
            let update = self
                .signals
                .book
                .try_update(|b| b.update(id, &mut |job| progress::apply(job, reply, now)))
                .flatten();
            if let Some((before, after)) = update {
                if let Some(text) = progress::announcement(&before, &after) {
                    self.announce(text);
                }
                news |= progress::is_news(&before, &after);
                changed.push(after);
            }
        }
        if !changed.is_empty() {
            self.persist(&changed, &[]).await;
        }
        news
    }
}
