//! The task lifecycle: which task UUIDs are taken, the state of every submitted `videoInference`,
//! and the timers that finish each result on its own.
//!
//! A submitted task is acknowledged at once. It first reports `queued` for a moment
//! (`--queue-time`), then `processing` with a `progress` that rises with the time elapsed
//! towards each result's due time. Each of its results is scheduled at its own time, drawn from
//! the configured delay range; it renders from [`RENDER_LEAD`] before that time (a bounded number
//! at a time, see [`crate::render`]) and becomes visible at its scheduled time, or as soon as its
//! render is done if that is later. Finished results are POSTed to the webhook, PUT to the
//! upload endpoint and, with `--push-results`, pushed to the submitting WebSocket session.
//!
//! Every task is remembered with the request as it was received, for `getTaskDetails`; a
//! finished task stops being reported by `getResponse` after `--response-retention`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runware::reply::{Item, Reply as WireReply, Status, VideoResult};
use runware::{ApiError, ErrorCode};
use serde_json::Value;

use crate::dispatch::wire_json;
use tokio::time::Instant;
use uuid::Uuid;

use crate::frames::ResolvedFrames;
use crate::render::{Container, RenderJob};
use crate::server::AppState;
use crate::videos::VideoEntry;

/// How long before its scheduled time a result starts rendering.
pub const RENDER_LEAD: Duration = Duration::from_secs(15);

/// The `progress` of a result still running never reaches this; only a success does.
const DONE: u8 = 100;

/// What `getResponse` (or `getTaskDetails`) finds for a task UUID.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskState {
    /// No such task (or, for `getResponse`, one finished longer ago than the retention).
    Unknown,
    /// The task's full state: one item per result (queued, processing or success), and the
    /// error that ended it, if one did.
    Known {
        /// Result items.
        data: Vec<Item>,
        /// The failure, if the task failed.
        error: Option<Box<ApiError>>,
    },
}

/// When a task's phases end, decided at submission.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Until then the task reports `queued`.
    pub queued_until: Instant,
    /// When each result is due.
    pub due: Vec<Instant>,
}

#[derive(Debug)]
struct TaskRecord {
    request: Value,
    schedule: Schedule,
    results: Vec<Option<VideoResult>>,
    failure: Option<ApiError>,
    finished_at: Option<Instant>,
}

impl TaskRecord {
    /// The items `getResponse` reports at `now`.
    fn state(&self, task_uuid: &str, now: Instant) -> TaskState {
        let data = match &self.failure {
            // A failed task is finished: only the results that did succeed are still reported.
            Some(_) => self
                .results
                .iter()
                .flatten()
                .cloned()
                .map(Item::Video)
                .collect(),
            None => self
                .results
                .iter()
                .zip(&self.schedule.due)
                .map(|(result, due)| {
                    Item::Video(
                        result
                            .clone()
                            .unwrap_or_else(|| running_item(task_uuid, &self.schedule, *due, now)),
                    )
                })
                .collect(),
        };
        TaskState::Known {
            data,
            error: self.failure.clone().map(Box::new),
        }
    }
}

/// The item of a result still running: `queued` with progress 0 until the queue time is over,
/// then `processing` with the share of the time until `due` that has passed, at most 99.
fn running_item(task_uuid: &str, schedule: &Schedule, due: Instant, now: Instant) -> VideoResult {
    if now < schedule.queued_until {
        return VideoResult {
            status: Status::Queued,
            ..VideoResult::processing(task_uuid)
        }
        .with_progress(0);
    }
    VideoResult::processing(task_uuid).with_progress(progress(schedule.queued_until, due, now))
}

/// The share of `start..due` elapsed at `now`, as 0–99: it rises with time and waits at 99 for a
/// render that is late.
pub fn progress(start: Instant, due: Instant, now: Instant) -> u8 {
    let span = due.saturating_duration_since(start).as_secs_f64();
    let done = now.saturating_duration_since(start).as_secs_f64();
    if span <= 0.0 {
        return DONE - 1;
    }
    let share = (done / span * f64::from(DONE)).floor();
    share.clamp(0.0, f64::from(DONE - 1)) as u8
}

#[derive(Debug)]
struct UploadRecord {
    request: Value,
    item: Item,
}

#[derive(Debug, Default)]
struct Inner {
    used: HashSet<String>,
    tasks: HashMap<String, TaskRecord>,
    uploads: HashMap<String, UploadRecord>,
}

/// Task UUIDs in use and the state of every task.
#[derive(Debug, Default)]
pub struct Engine {
    inner: Mutex<Inner>,
}

impl Engine {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // The state is plain data updated in single statements; a panic cannot leave it torn.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The UUIDs of `ids` that are taken (or repeated within `ids`), taking nothing.
    pub fn conflicts(&self, ids: &[String]) -> Vec<String> {
        let inner = self.lock();
        let mut seen = HashSet::new();
        ids.iter()
            .filter(|id| inner.used.contains(id.as_str()) || !seen.insert(id.as_str()))
            .cloned()
            .collect()
    }

    /// Takes every UUID in `ids`, or none of them: returns the ones already taken (or repeated
    /// within `ids`), and takes nothing if there are any.
    pub fn reserve(&self, ids: &[String]) -> Vec<String> {
        let mut inner = self.lock();
        let mut seen = HashSet::new();
        let conflicts: Vec<String> = ids
            .iter()
            .filter(|id| inner.used.contains(id.as_str()) || !seen.insert(id.as_str()))
            .cloned()
            .collect();
        if conflicts.is_empty() {
            inner.used.extend(ids.iter().cloned());
        }
        conflicts
    }

    /// Gives back UUIDs reserved for tasks that were then refused, so the client may retry them.
    pub fn release(&self, ids: &[String]) {
        let mut inner = self.lock();
        for id in ids {
            if !inner.tasks.contains_key(id) && !inner.uploads.contains_key(id) {
                inner.used.remove(id);
            }
        }
    }

    /// Records a new task, `request` as it was received, with one result per due time.
    pub fn insert(&self, task_uuid: &str, request: Value, schedule: Schedule) {
        let results = vec![None; schedule.due.len()];
        self.lock().tasks.insert(
            task_uuid.to_owned(),
            TaskRecord {
                request,
                schedule,
                results,
                failure: None,
                finished_at: None,
            },
        );
    }

    /// Records a stored upload, for `getTaskDetails`.
    pub fn insert_upload(&self, task_uuid: &str, request: Value, item: Item) {
        self.lock()
            .uploads
            .insert(task_uuid.to_owned(), UploadRecord { request, item });
    }

    /// The full state of a task at `now`, whenever it finished.
    pub fn state(&self, task_uuid: &str, now: Instant) -> TaskState {
        match self.lock().tasks.get(task_uuid) {
            Some(task) => task.state(task_uuid, now),
            None => TaskState::Unknown,
        }
    }

    /// The state of a task as `getResponse` reports it: unknown once it finished more than
    /// `retention` before `now`.
    pub fn poll(&self, task_uuid: &str, now: Instant, retention: Duration) -> TaskState {
        let inner = self.lock();
        match inner.tasks.get(task_uuid) {
            Some(task)
                if task
                    .finished_at
                    .is_some_and(|at| now.saturating_duration_since(at) >= retention) =>
            {
                TaskState::Unknown
            }
            Some(task) => task.state(task_uuid, now),
            None => TaskState::Unknown,
        }
    }

    /// The request as received and the current state of any task seen, for `getTaskDetails`.
    pub fn details(&self, task_uuid: &str, now: Instant) -> Option<(Value, TaskState)> {
        let inner = self.lock();
        if let Some(task) = inner.tasks.get(task_uuid) {
            return Some((task.request.clone(), task.state(task_uuid, now)));
        }
        inner.uploads.get(task_uuid).map(|upload| {
            (
                upload.request.clone(),
                TaskState::Known {
                    data: vec![upload.item.clone()],
                    error: None,
                },
            )
        })
    }

    /// Stores result `index` as done; false if the task failed meanwhile. Returns whether this
    /// was the last result (the task finished) as the second value.
    pub fn complete(&self, task_uuid: &str, index: usize, item: VideoResult) -> (bool, bool) {
        let mut inner = self.lock();
        match inner.tasks.get_mut(task_uuid) {
            Some(task) if task.failure.is_none() => {
                if let Some(slot) = task.results.get_mut(index) {
                    *slot = Some(item);
                }
                let finished =
                    task.finished_at.is_none() && task.results.iter().all(Option::is_some);
                if finished {
                    task.finished_at = Some(Instant::now());
                }
                (true, finished)
            }
            _ => (false, false),
        }
    }

    /// Ends a task with an error; false if it had already failed (the first error stands).
    pub fn fail(&self, task_uuid: &str, error: ApiError) -> bool {
        let mut inner = self.lock();
        match inner.tasks.get_mut(task_uuid) {
            Some(task) if task.failure.is_none() => {
                task.failure = Some(error);
                task.finished_at.get_or_insert_with(Instant::now);
                true
            }
            _ => false,
        }
    }
}

/// Everything needed to produce a task's results, decided at submission.
#[derive(Debug)]
pub struct Job {
    /// The task.
    pub task_uuid: String,
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// Length in seconds.
    pub seconds: u32,
    /// Container.
    pub container: Container,
    /// File extension of the container.
    pub extension: &'static str,
    /// Content-Type of the container.
    pub mime: &'static str,
    /// `outputQuality`.
    pub quality: u8,
    /// One seed per result.
    pub seeds: Vec<i64>,
    /// `cost` of each result, when `includeCost`.
    pub cost: Option<f64>,
    /// `NSFWContent` of each result, when a safety check runs.
    pub nsfw: Option<bool>,
    /// How long videos stay available, already scaled.
    pub ttl: Option<Duration>,
    /// Where finished results are POSTed.
    pub webhook_url: Option<String>,
    /// Where finished videos are PUT.
    pub upload_endpoint: Option<String>,
    /// The frames as files.
    pub frames: ResolvedFrames,
    /// Fail with `timeoutProvider` instead of finishing.
    pub timeout_provider: bool,
    /// The WebSocket session to push results to (with `--push-results`).
    pub session: Option<Uuid>,
    /// The task as it was received, for `getTaskDetails`.
    pub request: Value,
}

/// Registers the task and starts a timer (and a render) for each result.
pub fn start(state: &AppState, mut job: Job) {
    let delay = state.config.effective_delay();
    let now = Instant::now();
    // A delay too large to add (an absurd --time-scale) is a result that never comes.
    let later = |d: Duration| {
        now.checked_add(d)
            .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
            .unwrap_or(now)
    };
    let delays: Vec<Duration> = job
        .seeds
        .iter()
        .map(|_| state.config.scaled(delay.sample()))
        .collect();
    let first = delays.iter().min().copied().unwrap_or_default();
    // The queue is a moment at the start, never most of the wait: at most a quarter of it.
    let queued = state
        .config
        .scaled(state.config.queue_time.sample())
        .min(first / 4);
    let ready: Vec<Instant> = delays.into_iter().map(later).collect();
    let schedule = Schedule {
        queued_until: later(queued),
        due: ready.clone(),
    };
    let request = std::mem::take(&mut job.request);
    state.engine.insert(&job.task_uuid, request, schedule);
    state.stats.update(|s| s.jobs.accepted += 1);
    let job = Arc::new(job);
    if job.timeout_provider {
        // The provider "gives up" when the first result would have been ready.
        let at = ready.iter().min().copied().unwrap_or(now);
        let state = state.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(at).await;
            let error = ApiError::timeout_provider(
                &job.task_uuid,
                "the provider did not finish the video in time (simulated timeoutProvider)",
            );
            fail(&state, &job, error).await;
        });
        return;
    }
    for (index, at) in ready.into_iter().enumerate() {
        let state = state.clone();
        let job = job.clone();
        tokio::spawn(async move { run_result(state, job, index, at).await });
    }
}

async fn run_result(state: AppState, job: Arc<Job>, index: usize, ready_at: Instant) {
    let video_uuid = Uuid::new_v4();
    let name = format!("{video_uuid}.{}", job.extension);
    let path = state.data_dir.join("videos").join(&name);
    let seed = job.seeds.get(index).copied().unwrap_or(1);
    let render = RenderJob {
        first: job.frames.first.clone(),
        last: job.frames.last.clone(),
        width: job.width,
        height: job.height,
        seconds: job.seconds,
        container: job.container,
        quality: job.quality,
        seed: seed.unsigned_abs(),
        output: path.clone(),
    };
    // Render only shortly before the result is due: with realistic (minutes-long) delays a
    // client that goes away never costs a render, and a test that submits many tasks with
    // long delays costs none at all. The lead covers a 10 s 1080p render on a busy machine.
    if let Some(start_at) = ready_at.checked_sub(RENDER_LEAD) {
        tokio::time::sleep_until(start_at).await;
    }
    state.stats.update(|s| s.renders.started += 1);
    let outcome = state.renderer.render(&render).await;
    match &outcome {
        Ok(took) => {
            let ms = took.as_millis() as u64;
            state.stats.update(|s| {
                s.renders.finished += 1;
                s.renders.total_ms += ms;
                s.renders.max_ms = s.renders.max_ms.max(ms);
            });
            tracing::info!(
                event = "render",
                task_uuid = job.task_uuid,
                result = index,
                size = format!("{}x{}", job.width, job.height),
                seconds = job.seconds,
                format = job.extension,
                render_ms = ms,
                "render"
            );
        }
        Err(e) => {
            state.stats.update(|s| s.renders.failed += 1);
            tracing::warn!(event = "render", task_uuid = job.task_uuid, result = index, error = %e, "render failed");
        }
    }
    tokio::time::sleep_until(ready_at).await;
    if let Err(e) = outcome {
        let error = ApiError::new(
            ErrorCode::Other("renderFailed".to_owned()),
            format!("the simulator could not render this video: {e}"),
        )
        .with_task("videoInference", &job.task_uuid)
        .with_status("error");
        fail(&state, &job, error).await;
        return;
    }
    state.videos.insert(
        name.clone(),
        VideoEntry {
            path: path.clone(),
            mime: job.mime,
            expires_at: job
                .ttl
                .and_then(|ttl| std::time::Instant::now().checked_add(ttl)),
        },
    );
    let item = crate::dispatch::success_item(
        &job.task_uuid,
        video_uuid,
        &format!("{}/videos/{name}", state.public_url),
        seed,
        job.cost,
        job.nsfw,
    )
    .with_progress(DONE);
    let (stored, finished) = state.engine.complete(&job.task_uuid, index, item.clone());
    if !stored {
        return;
    }
    if finished {
        state.stats.update(|s| s.jobs.succeeded += 1);
    }
    tracing::info!(event = "result", task_uuid = job.task_uuid, result = index, video_uuid = %video_uuid, "result ready");
    let body = wire_json(&WireReply::success(vec![Item::Video(item)]));
    push(&state, &job, &body);
    if let Some(url) = job.webhook_url.clone() {
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = state.courier.post_json(&url, &body).await {
                tracing::warn!(event = "webhook", url, error = %e, "webhook gave up");
            }
        });
    }
    if let Some(url) = job.upload_endpoint.clone() {
        let state = state.clone();
        let mime = job.mime;
        tokio::spawn(async move {
            if let Err(e) = state.courier.upload(&url, &path, mime).await {
                tracing::warn!(event = "upload", url, error = %e, "upload gave up");
            }
        });
    }
}

/// Ends the task with `error` and tells the session and the webhook.
async fn fail(state: &AppState, job: &Job, error: ApiError) {
    if !state.engine.fail(&job.task_uuid, error.clone()) {
        return;
    }
    state.stats.update(|s| s.jobs.failed += 1);
    tracing::info!(event = "result", task_uuid = job.task_uuid, code = %error.code, "task failed");
    let body = wire_json(&WireReply::failure(vec![error]));
    push(state, job, &body);
    if let Some(url) = &job.webhook_url
        && let Err(e) = state.courier.post_json(url, &body).await
    {
        tracing::warn!(event = "webhook", url, error = %e, "webhook gave up");
    }
}

/// With `--push-results`, pushes a finished result (or the failure) to the WebSocket session
/// that submitted the task. Without it nothing is pushed: clients poll, as with Runware.
fn push(state: &AppState, job: &Job, body: &str) {
    if state.config.push_results
        && let Some(session) = job.session
        && state.sessions.deliver(session, body.to_owned())
    {
        state.stats.update(|s| s.ws.pushed += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(results: usize) -> Schedule {
        let now = Instant::now();
        Schedule {
            queued_until: now,
            due: vec![now + Duration::from_secs(3600); results],
        }
    }

    #[test]
    fn reserve_is_all_or_nothing() {
        let engine = Engine::default();
        assert!(engine.reserve(&["a".into(), "b".into()]).is_empty());
        assert_eq!(engine.reserve(&["c".into(), "a".into()]), vec!["a"]);
        assert_eq!(engine.conflicts(&["c".into(), "a".into()]), vec!["a"]);
        assert!(engine.conflicts(&["c".into()]).is_empty());
        assert!(engine.reserve(&["c".into()]).is_empty());
        assert_eq!(engine.reserve(&["d".into(), "d".into()]), vec!["d"]);
        engine.release(&["c".into()]);
        assert!(engine.reserve(&["c".into()]).is_empty());
    }

    #[test]
    fn state_reports_every_result() {
        let engine = Engine::default();
        let now = Instant::now();
        assert_eq!(engine.state("t", now), TaskState::Unknown);
        engine.insert("t", serde_json::json!({"taskUUID": "t"}), schedule(2));
        let now = Instant::now();
        let done = VideoResult::success("t", "v", "http://x/v.mp4", 7);
        assert_eq!(engine.complete("t", 1, done.clone()), (true, false));
        let TaskState::Known { data, error } = engine.state("t", now) else {
            panic!("known task");
        };
        assert_eq!(data.len(), 2);
        let Item::Video(first) = &data[0] else {
            panic!("a video item");
        };
        assert_eq!(first.status, Status::Processing);
        assert_eq!(data[1], Item::Video(done.clone()));
        assert!(error.is_none());
        assert!(engine.fail("t", ApiError::timeout_provider("t", "late")));
        assert!(!engine.fail("t", ApiError::timeout_provider("t", "again")));
        assert_eq!(engine.complete("t", 0, done), (false, false));
        let TaskState::Known { data, error } = engine.state("t", now) else {
            panic!("known task");
        };
        assert_eq!(data.len(), 1);
        assert_eq!(error.unwrap().code, ErrorCode::TimeoutProvider);
        let (request, _) = engine.details("t", now).unwrap();
        assert_eq!(request["taskUUID"], "t");
    }

    #[test]
    fn queued_first_then_processing() {
        let engine = Engine::default();
        let now = Instant::now();
        engine.insert(
            "q",
            Value::Null,
            Schedule {
                queued_until: now + Duration::from_secs(10),
                due: vec![now + Duration::from_secs(60)],
            },
        );
        let status = |at: Instant| match engine.state("q", at) {
            TaskState::Known { data, .. } => match &data[0] {
                Item::Video(v) => v.status.clone(),
                other => panic!("{other:?}"),
            },
            TaskState::Unknown => panic!("known"),
        };
        assert_eq!(status(now), Status::Queued);
        assert_eq!(status(now + Duration::from_secs(11)), Status::Processing);
    }

    #[test]
    fn progress_rises_and_stops_short_of_done() {
        let start = Instant::now();
        let due = start + Duration::from_secs(100);
        assert_eq!(progress(start, due, start), 0);
        assert_eq!(progress(start, due, start + Duration::from_secs(50)), 50);
        assert_eq!(progress(start, due, due), 99);
        assert_eq!(progress(start, due, due + Duration::from_secs(9)), 99);
        assert_eq!(progress(start, start, start), 99);
        let mut last = 0;
        for s in 0..120 {
            let p = progress(start, due, start + Duration::from_secs(s));
            assert!(p >= last && p < 100);
            last = p;
        }
    }

    #[test]
    fn retention_hides_finished_tasks_from_polls_only() {
        let engine = Engine::default();
        engine.insert("r", Value::Null, schedule(1));
        let done = VideoResult::success("r", "v", "http://x/v.mp4", 7);
        assert_eq!(engine.complete("r", 0, done), (true, true));
        let now = Instant::now();
        let hour = Duration::from_secs(3600);
        assert!(matches!(
            engine.poll("r", now, hour),
            TaskState::Known { .. }
        ));
        let later = now + hour;
        assert_eq!(engine.poll("r", later, hour), TaskState::Unknown);
        assert!(matches!(engine.state("r", later), TaskState::Known { .. }));
        assert!(engine.details("r", later).is_some());
    }
}
