//! Jobs: the journal of every video request, the poller that advances them, and the context
//! the form and the results panel share.
//!
//! The pure parts (the model, the schedule, reply folding, merging, file names, the export
//! format) are plain functions tested natively; the browser parts (IndexedDB, Web Locks,
//! BroadcastChannel, timers) live in [`engine`], [`store`] and [`tabs`].

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

pub mod archive;
pub mod book;
mod dry_run;
pub mod engine;
pub mod files;
pub mod frames;
pub mod json;
pub mod model;
pub mod naming;
mod poller;
pub mod progress;
mod requests;
pub mod schedule;
mod sender;
pub mod store;
pub mod tabs;

use book::{Book, Filter};
use engine::{Engine, Signals};
use model::Job;

use crate::config::Settings;
use crate::pick::Pick;

/// A job the form asks to start.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// The validated request, with a fresh `taskUUID`.
    pub request: runware::VideoInference,
    /// A small data URI (or URL) of the first frame, for the job card.
    pub first_frame_thumb: Option<String>,
    /// A small data URI (or URL) of the last frame, for the job card.
    pub last_frame_thumb: Option<String>,
}

/// What one finished job with `includeCost` cost, for the form's estimate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostSample {
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Duration in seconds.
    pub duration_s: u32,
    /// Number of results the job produced.
    pub results: u32,
    /// Total cost of the job in USD.
    pub cost_usd: f64,
}

/// What the page asks of the engine about one job.
enum Ask {
    Retry,
    CheckNow,
    KeepWaiting,
    SendNow,
    Delete,
    /// Load the job into this form, if there is one (boxed: the form's handle is large).
    UseSettings(Box<Option<crate::draft::Draft>>),
    /// Read the stored picture whose key is the id into this signal.
    Picture(RwSignal<Option<String>>),
}

/// The jobs context: a small `Copy` handle provided once by the root component.
#[derive(Clone, Copy)]
pub struct Jobs {
    signals: Signals,
    /// The history's status filter.
    pub filter: Pick<Filter>,
    clock: RwSignal<f64>,
    costs: Memo<Vec<CostSample>>,
    engine: StoredValue<Option<Rc<Engine>>, LocalStorage>,
}

impl Jobs {
    /// Creates the jobs context, starts reading the journal and polling, and provides it.
    pub fn provide() -> Self {
        let settings = use_context::<Settings>().unwrap_or_else(Settings::provide);
        let signals = Signals {
            book: RwSignal::new(Book::default()),
            announcement: RwSignal::new(String::new()),
            poll_problem: RwSignal::new(None),
            storage_problem: RwSignal::new(None),
            loaded: RwSignal::new(false),
        };
        let engine = Engine::start(signals, settings, schedule::Policy::default());
        let clock = RwSignal::new(engine::now());
        // One clock for every elapsed time and countdown on the page.
        let _ = set_interval_with_handle(
            move || clock.set(engine::now()),
            std::time::Duration::from_secs(1),
        );
        let book = signals.book;
        let jobs = Jobs {
            signals,
            filter: Pick::new(Filter::All),
            clock,
            costs: Memo::new(move |_| book.with(Book::cost_samples)),
            engine: StoredValue::new_local(Some(engine)),
        };
        provide_context(jobs);
        jobs
    }

    /// The jobs context provided by the root component.
    pub fn expect() -> Self {
        expect_context::<Jobs>()
    }

    fn engine(&self) -> Option<Rc<Engine>> {
        self.engine.try_get_value().flatten()
    }

    /// Journals the job, then sends it; returns at once (the form stays usable).
    pub fn submit(&self, job: NewJob) {
        if let Some(engine) = self.engine() {
            engine.submit(job, None);
        }
    }

    /// Asks the backend to validate `request` without running it (see
    /// [`crate::draft::server_check`]).
    pub async fn dry_run(
        &self,
        request: runware::VideoInference,
    ) -> crate::draft::server_check::Verdict {
        match self.engine() {
            Some(engine) => engine.dry_run(request).await,
            None => {
                crate::draft::server_check::Verdict::Unanswered("the studio is not running".into())
            }
        }
    }

    /// Costs of finished jobs that asked for them, newest first.
    pub fn cost_samples(&self) -> Signal<Vec<CostSample>> {
        self.costs.into()
    }

    /// The ids of the jobs passing the current filter, newest first (tracked).
    pub fn ids(&self) -> Vec<String> {
        let filter = self.filter.get();
        self.signals.book.with(|b| b.ordered(filter))
    }

    /// How many jobs pass `filter` (tracked).
    pub fn count(&self, filter: Filter) -> usize {
        self.signals.book.with(|b| b.count(filter))
    }

    /// The job `id` as it is now (tracked).
    pub fn job(&self, id: &str) -> Option<Job> {
        self.signals.book.with(|b| b.get(id).cloned())
    }

    /// How long a job on `backend` usually takes (ms, shortest and longest): from this browser's
    /// own finished jobs there, Runware's 2–5 minutes until there are any (tracked).
    pub fn typical(&self, backend: &crate::config::Backend) -> (f64, f64) {
        self.signals
            .book
            .with(|b| schedule::typical_range(&b.durations_on(backend)))
            .unwrap_or(schedule::TYPICAL_MS)
    }

    /// The current time, updated every second (tracked): for elapsed times and countdowns.
    pub fn now(&self) -> f64 {
        self.clock.get()
    }

    /// The latest status sentence, for the aria-live region (tracked).
    pub fn announcement(&self) -> String {
        self.signals.announcement.get()
    }

    /// Why checking on jobs is failing right now, if it is (tracked).
    pub fn poll_problem(&self) -> Option<String> {
        self.signals.poll_problem.get()
    }

    /// Why the history cannot be kept, if so (tracked).
    pub fn storage_problem(&self) -> Option<String> {
        self.signals.storage_problem.get()
    }

    /// Whether the saved history has been read (tracked).
    pub fn loaded(&self) -> bool {
        self.signals.loaded.get()
    }

    /// Says something in the aria-live region.
    pub fn announce(&self, text: impl Into<String>) {
        self.signals.announcement.set(text.into());
    }

    /// Runs `ask` about job `id` in the background and announces what came of it.
    ///
    /// One future type for every request of the page: the wasm holds one background task's
    /// worth of glue (boxing, polling, dropping) instead of one per request.
    fn run(&self, ask: Ask, id: String) {
        let Some(engine) = self.engine() else {
            return;
        };
        let jobs = *self;
        spawn_local(async move {
            let said = match ask {
                Ask::Retry => engine
                    .retry(&id)
                    .await
                    .err()
                    .map(|reason| format!("Retry failed: {reason}")),
                Ask::CheckNow => match engine.check_now(&id).await {
                    Ok(true) => None,
                    Ok(false) => Some("Checked: the server is still working on it.".to_owned()),
                    Err(reason) => Some(format!("Could not check: {reason}")),
                },
                Ask::KeepWaiting => {
                    engine.keep_waiting(&id).await;
                    None
                }
                Ask::SendNow => {
                    engine.send_now(&id).await;
                    None
                }
                Ask::Delete => {
                    engine.delete(&id).await;
                    None
                }
                Ask::UseSettings(draft) => Some(match (engine.request_of(&id).await, *draft) {
                    (Ok(request), Some(draft)) => {
                        draft.load_request(&request);
                        let said = "The job's settings and frames are loaded into the form.";
                        // Said at the top of the form too, which the button brings into view.
                        draft.notice.set(Some(said.to_owned()));
                        said.to_owned()
                    }
                    (Ok(_), None) => "There is no form to load the settings into.".to_owned(),
                    (Err(reason), _) => format!("Could not load the settings: {reason}"),
                }),
                Ask::Picture(picture) => {
                    picture.try_set(engine.thumb(Some(&id)).await);
                    None
                }
            };
            if let Some(text) = said {
                jobs.announce(text);
            }
        });
    }

    /// Sends job `id` again under a fresh `taskUUID`, with the same settings and frames.
    pub fn retry(&self, id: String) {
        self.run(Ask::Retry, id);
    }

    /// Asks the server about job `id` now.
    pub fn check_now(&self, id: String) {
        self.run(Ask::CheckNow, id);
    }

    /// Follows a "still waiting" job automatically again.
    pub fn keep_waiting(&self, id: String) {
        self.run(Ask::KeepWaiting, id);
    }

    /// Sends a job that is waiting to be sent again right away.
    pub fn send_now(&self, id: String) {
        self.run(Ask::SendNow, id);
    }

    /// Deletes job `id` from the history.
    pub fn delete(&self, id: String) {
        self.run(Ask::Delete, id);
    }

    /// Loads job `id`'s settings and frames into the form.
    pub fn use_settings(&self, id: String) {
        // Looked up now: the context is not reachable from the background task.
        let draft = use_context::<crate::draft::Draft>();
        self.run(Ask::UseSettings(Box::new(draft)), id);
    }

    /// A stored frame picture by key.
    pub async fn thumb(self, key: Option<String>) -> Option<String> {
        self.engine()?.thumb(key.as_deref()).await
    }

    /// A stored frame picture as a signal, filled once it is read from the journal (the caller
    /// only reads it; an `RwSignal` rather than a `Signal` keeps one signal type in the wasm).
    pub fn picture(self, key: Option<String>) -> RwSignal<Option<String>> {
        let picture = RwSignal::new(None);
        if let Some(key) = key {
            // Through the shared request task: no background task type of its own.
            self.run(Ask::Picture(picture), key);
        }
        picture
    }

    /// Every job with its images, as the text of an export file.
    pub async fn export(&self) -> Option<String> {
        Some(self.engine()?.archive().await.to_text())
    }

    /// Imports a history or a request file; the sentence says what happened.
    pub async fn import(&self, text: String) -> Result<String, String> {
        let engine = self.engine().ok_or("The studio is not running.")?;
        engine.import(&text).await
    }
}
