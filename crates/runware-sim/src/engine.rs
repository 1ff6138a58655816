//! The task lifecycle: which task UUIDs are taken, the state of every submitted `videoInference`,
//! and the timers that finish each result on its own.
//!
//! A submitted task is acknowledged at once. Each of its results is scheduled at its own time,
//! drawn from the configured delay range; it renders from [`RENDER_LEAD`] before that time (a
//! bounded number at a time, see [`crate::render`]) and becomes visible at its scheduled time, or
//! as soon as its render is done if that is later. Finished
//! results are pushed to the submitting WebSocket session, POSTed to the webhook and PUT to the
//! upload endpoint.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use runware::reply::{Item, Reply as WireReply, VideoResult};
use runware::{ApiError, ErrorCode};

use crate::dispatch::wire_json;
use tokio::time::Instant;
use uuid::Uuid;

use crate::frames::ResolvedFrames;
use crate::render::{Container, RenderJob};
use crate::server::AppState;
use crate::videos::VideoEntry;

/// How long before its scheduled time a result starts rendering.
pub const RENDER_LEAD: Duration = Duration::from_secs(15);

/// What `getResponse` finds for a task UUID.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskState {
    /// No such `videoInference` task.
    Unknown,
    /// The task's full state: one item per result (processing or success), and the error that
    /// ended it, if one did.
    Known {
        /// Result items.
        data: Vec<Item>,
        /// The failure, if the task failed.
        error: Option<Box<ApiError>>,
    },
}

#[derive(Debug)]
struct TaskRecord {
    results: Vec<Option<VideoResult>>,
    failure: Option<ApiError>,
}

#[derive(Debug, Default)]
struct Inner {
    used: HashSet<String>,
    tasks: HashMap<String, TaskRecord>,
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
            if !inner.tasks.contains_key(id) {
                inner.used.remove(id);
            }
        }
    }

    /// Records a new task with `results` results, all processing.
    pub fn insert(&self, task_uuid: &str, results: usize) {
        self.lock().tasks.insert(
            task_uuid.to_owned(),
            TaskRecord {
                results: vec![None; results],
                failure: None,
            },
        );
    }

    /// The full state of a task, as `getResponse` reports it.
    pub fn state(&self, task_uuid: &str) -> TaskState {
        let inner = self.lock();
        let Some(task) = inner.tasks.get(task_uuid) else {
            return TaskState::Unknown;
        };
        let data = match &task.failure {
            // A failed task is finished: only the results that did succeed are still reported.
            Some(_) => task
                .results
                .iter()
                .flatten()
                .cloned()
                .map(Item::Video)
                .collect(),
            None => task
                .results
                .iter()
                .map(|r| {
                    Item::Video(
                        r.clone()
                            .unwrap_or_else(|| VideoResult::processing(task_uuid)),
                    )
                })
                .collect(),
        };
        TaskState::Known {
            data,
            error: task.failure.clone().map(Box::new),
        }
    }

    /// Stores result `index` as done; false if the task failed meanwhile.
    pub fn complete(&self, task_uuid: &str, index: usize, item: VideoResult) -> bool {
        let mut inner = self.lock();
        match inner.tasks.get_mut(task_uuid) {
            Some(task) if task.failure.is_none() => {
                if let Some(slot) = task.results.get_mut(index) {
                    *slot = Some(item);
                }
                true
            }
            _ => false,
        }
    }

    /// Ends a task with an error; false if it had already failed (the first error stands).
    pub fn fail(&self, task_uuid: &str, error: ApiError) -> bool {
        let mut inner = self.lock();
        match inner.tasks.get_mut(task_uuid) {
            Some(task) if task.failure.is_none() => {
                task.failure = Some(error);
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
    /// The WebSocket session to push results to.
    pub session: Option<Uuid>,
}

/// Registers the task and starts a timer (and a render) for each result.
pub fn start(state: &AppState, job: Job) {
    state.engine.insert(&job.task_uuid, job.seeds.len());
    let delay = state.config.effective_delay();
    let now = Instant::now();
    let ready: Vec<Instant> = job
        .seeds
        .iter()
        .map(|_| {
            // A delay too large to add (an absurd --time-scale) is a result that never comes.
            let delay = state.config.scaled(delay.sample());
            now.checked_add(delay)
                .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
                .unwrap_or(now)
        })
        .collect();
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
    );
    if !state.engine.complete(&job.task_uuid, index, item.clone()) {
        return;
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
    tracing::info!(event = "result", task_uuid = job.task_uuid, code = %error.code, "task failed");
    let body = wire_json(&WireReply::failure(vec![error]));
    push(state, job, &body);
    if let Some(url) = &job.webhook_url
        && let Err(e) = state.courier.post_json(url, &body).await
    {
        tracing::warn!(event = "webhook", url, error = %e, "webhook gave up");
    }
}

/// Pushes a finished result (or the failure) to the WebSocket session that submitted the task.
fn push(state: &AppState, job: &Job, body: &str) {
    if let Some(session) = job.session
        && state.sessions.deliver(session, body.to_owned())
    {
        state.stats.update(|s| s.ws.pushed += 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserve_is_all_or_nothing() {
        let engine = Engine::default();
        assert!(engine.reserve(&["a".into(), "b".into()]).is_empty());
        assert_eq!(engine.reserve(&["c".into(), "a".into()]), vec!["a"]);
        assert!(engine.reserve(&["c".into()]).is_empty());
        assert_eq!(engine.reserve(&["d".into(), "d".into()]), vec!["d"]);
        engine.release(&["c".into()]);
        assert!(engine.reserve(&["c".into()]).is_empty());
    }

    #[test]
    fn state_reports_every_result() {
        let engine = Engine::default();
        assert_eq!(engine.state("t"), TaskState::Unknown);
        engine.insert("t", 2);
        let done = VideoResult::success("t", "v", "http://x/v.mp4", 7);
        assert!(engine.complete("t", 1, done.clone()));
        let TaskState::Known { data, error } = engine.state("t") else {
            panic!("known task");
        };
        assert_eq!(data.len(), 2);
        assert_eq!(data[0], Item::Video(VideoResult::processing("t")));
        assert_eq!(data[1], Item::Video(done.clone()));
        assert!(error.is_none());
        assert!(engine.fail("t", ApiError::timeout_provider("t", "late")));
        assert!(!engine.fail("t", ApiError::timeout_provider("t", "again")));
        assert!(!engine.complete("t", 0, done));
        let TaskState::Known { data, error } = engine.state("t") else {
            panic!("known task");
        };
        assert_eq!(data.len(), 1);
        assert_eq!(error.unwrap().code, ErrorCode::TimeoutProvider);
    }
}
