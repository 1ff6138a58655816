//! What happens to one request of a visitor, whatever its transport: the site's rules, the
//! budget, the call upstream, and the reply in Runware's shape.
//!
//! In order: the body must be JSON; task types and the model the site does not offer are
//! refused (403) before anything else is looked at, so they never reach Runware; then every task
//! is validated by the `runware` crate exactly as Runware would (400); then the site's own
//! durations, sizes and result counts (400); then each new job is admitted by the store, which
//! checks the visitor's hourly count and running jobs (429) and reserves its cost from the day's
//! budget (402) in one atomic step. A request is refused as a whole when any task in it is:
//! nothing of it is sent.
//!
//! `getResponse` and `getTaskDetails` are passed on only for `taskUUID`s this site started
//! (whichever visitor did: a taskUUID is a random v4 that only its job's visitor has seen, and
//! visitors' addresses change between a submit and a poll). Any other is answered
//! `taskFailedOrNotFound` here, so no visitor can read the account's other tasks.
//!
//! Jobs are settled from their polls: when a `getResponse` (or `getTaskDetails`) reply shows
//! every result done, or the job failed, its reservation is replaced by the cost Runware
//! reported, and the price per second at its size becomes the site's own.

use std::sync::Arc;

use runware::reply::{Item, Reply};
use runware::{ApiError, ErrorCode, MODEL_ID, OutputSize, Task, TaskType, Tier, VideoInference};
use serde_json::{Map, Value, json};

use crate::config::{CheckedLimits, size_name};
use crate::metrics::{Metrics, Rule};
use crate::store::{Admission, Bounds, NewJob, Refusal, Store, now_ms};
use crate::upstream::Upstream;

/// How long a visitor at the concurrency limit is told to wait before trying again.
pub const CONCURRENCY_RETRY_S: u64 = 30;

/// How long a visitor is told to wait when Runware cannot be reached.
const UNAVAILABLE_RETRY_S: u64 = 5;

/// The task types the site offers.
const OFFERED: [TaskType; 6] = [
    TaskType::VideoInference,
    TaskType::GetResponse,
    TaskType::GetTaskDetails,
    TaskType::ImageUpload,
    TaskType::Ping,
    TaskType::Authentication,
];

/// The reply to one request: an HTTP status, a Runware-shaped body, and a `Retry-After`.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// HTTP status (REST); over WebSocket only the body is sent.
    pub status: u16,
    /// `{"data": […]}`, with `"errors": […]` beside it when there are errors.
    pub body: Value,
    /// Seconds, for the `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl Answer {
    /// A reply of items and errors; `data` is always present.
    pub fn new(status: u16, data: Vec<Value>, errors: Vec<Value>) -> Answer {
        let mut body = Map::new();
        body.insert("data".into(), Value::Array(data));
        if !errors.is_empty() {
            body.insert("errors".into(), Value::Array(errors));
        }
        Answer {
            status,
            body: Value::Object(body),
            retry_after: None,
        }
    }

    /// A refusal with these errors.
    pub fn refused(status: u16, errors: &[ApiError]) -> Answer {
        Answer::new(status, Vec::new(), errors.iter().map(error_json).collect())
    }

    fn with_retry_after(mut self, seconds: u64) -> Answer {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

/// An error object as JSON.
pub fn error_json(error: &ApiError) -> Value {
    serde_json::to_value(error)
        .unwrap_or_else(|_| json!({"code": error.code.as_str(), "message": error.message}))
}

/// Where a request came from.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The visitor: the client address (see [`crate::server`] for proxies).
    pub visitor: String,
    /// The WebSocket session, when the request came over one.
    pub session: Option<String>,
    /// `?dryRun=1`: validate and answer, start nothing.
    pub dry_run: bool,
}

/// The gateway's shared parts.
pub struct Gateway {
    /// The site's limits.
    pub limits: CheckedLimits,
    /// The store.
    pub store: Arc<dyn Store>,
    /// Runware.
    pub upstream: Upstream,
    /// Counters.
    pub metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A `videoInference` that passed every rule, ready to be admitted.
struct Submit {
    task_uuid: String,
    raw: Value,
    job: NewJob,
}

/// What to do with each task of a request, in order.
enum Step {
    /// Answered here with this item.
    Local(Value),
    /// Answered here with this error (a `200` reply, as Runware answers unknown tasks).
    LocalError(ApiError),
    /// Sent upstream as it is.
    Forward(Value),
    /// A poll of a job of this site.
    Poll(Value, crate::store::JobRecord),
    /// A new job (index into the submits).
    Submit(usize),
}

fn code(code: &str) -> ErrorCode {
    ErrorCode::Other(code.to_owned())
}

/// `taskType` and `taskUUID` of a raw task, for the context of an error.
fn context(task: &Value, error: ApiError) -> ApiError {
    let mut error = error;
    if let Some(t) = task.get("taskType").and_then(Value::as_str) {
        error = error.with_task_type(t);
    }
    if let Some(u) = task.get("taskUUID").and_then(Value::as_str) {
        error = error.with_task_uuid(u);
    }
    error
}

/// The 403 for a task type or a model the site does not offer, if this task is one.
fn forbidden(task: &Value) -> Option<ApiError> {
    let task_type = task.get("taskType").and_then(Value::as_str)?;
    match TaskType::parse(task_type) {
        Some(t) if OFFERED.contains(&t) => {}
        _ => {
            return Some(context(
                task,
                ApiError::new(
                    code("taskTypeNotAllowed"),
                    format!(
                        "This site offers only KlingAI 2.1 Pro videos: the task type \"{task_type}\" is not available here."
                    ),
                )
                .with_parameter("taskType")
                .with_allowed_values(json!(OFFERED.map(TaskType::as_str))),
            ));
        }
    }
    if task_type == TaskType::VideoInference.as_str() {
        let model = task.get("model").and_then(Value::as_str);
        if let Some(model) = model.filter(|m| *m != MODEL_ID) {
            return Some(context(
                task,
                ApiError::new(
                    code("modelNotAllowed"),
                    format!(
                        "This site offers only the model {MODEL_ID} (KlingAI 2.1 Pro), not \"{model}\"."
                    ),
                )
                .with_parameter("model")
                .with_allowed_values(json!([MODEL_ID])),
            ));
        }
    }
    None
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn size_pairs(sizes: &[OutputSize]) -> Value {
    Value::Array(
        sizes
            .iter()
            .map(|s| json!({"width": s.width(), "height": s.height()}))
            .collect(),
    )
}

/// A wait for people, rounded up: `40 s`, `59 min`, `5 h 3 min`.
pub fn spell_wait(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    let minutes_up = |s: i64| (s + 59) / 60;
    match s {
        0..60 => format!("{s} s"),
        60..=5400 => format!("{} min", minutes_up(s)),
        _ => format!("{} h {} min", s / 3600, minutes_up(s % 3600)),
    }
}

fn ceil_secs(ms: i64) -> u64 {
    u64::try_from((ms.max(0) + 999) / 1000).unwrap_or(0)
}

impl Gateway {
    /// The site's limits on a valid `videoInference`; the size key it is priced at.
    fn site_rules(&self, video: &VideoInference) -> Result<String, Vec<ApiError>> {
        let limits = &self.limits;
        let mut errors = Vec::new();
        let uuid = video.task_uuid.to_string();
        let with_task = |e: ApiError| e.with_task(TaskType::VideoInference.as_str(), &uuid);
        let duration = video.duration.unwrap_or(runware::Duration::Five);
        if !limits.durations.contains(&duration) {
            let allowed: Vec<u32> = limits.durations.iter().map(|d| d.seconds()).collect();
            errors.push(with_task(
                ApiError::new(
                    ErrorCode::UnsupportedDuration,
                    format!(
                        "This site makes videos of {} seconds{}.",
                        list(allowed.iter().map(u32::to_string)),
                        if video.duration.is_none() {
                            " (without a duration the model makes 5)"
                        } else {
                            ""
                        }
                    ),
                )
                .with_parameter("duration")
                .with_allowed_values(json!(allowed)),
            ));
        }
        let size_key = match video.size {
            Some(size) if limits.sizes.contains(&size) => size_name(size),
            Some(_) => {
                errors.push(with_task(
                    ApiError::new(
                        ErrorCode::UnsupportedDimensions,
                        format!(
                            "This site makes videos of {} pixels.",
                            list(limits.sizes.iter().map(|s| s.to_string()))
                        ),
                    )
                    .with_parameters(["width", "height"])
                    .with_allowed_values(size_pairs(&limits.sizes)),
                ));
                String::new()
            }
            None => {
                // Without a size the server picks a 1080p one by the first frame's aspect.
                let every_1080p = OutputSize::ALL
                    .iter()
                    .filter(|s| s.tier() == Tier::P1080)
                    .all(|s| limits.sizes.contains(s));
                if !every_1080p {
                    errors.push(with_task(
                        ApiError::new(
                            ErrorCode::MissingParameter,
                            format!(
                                "This site needs width and height: one of {} pixels.",
                                list(limits.sizes.iter().map(|s| s.to_string()))
                            ),
                        )
                        .with_parameters(["width", "height"])
                        .with_allowed_values(size_pairs(&limits.sizes)),
                    ));
                }
                "1080p".to_owned()
            }
        };
        let results = video.number_results.unwrap_or_default().get();
        if results > limits.max_number_results {
            errors.push(with_task(
                ApiError::new(
                    ErrorCode::InvalidParameter,
                    format!(
                        "This site makes at most {} video{} per job.",
                        limits.max_number_results,
                        if limits.max_number_results == 1 {
                            ""
                        } else {
                            "s"
                        }
                    ),
                )
                .with_parameter("numberResults")
                .with_min(1)
                .with_max(limits.max_number_results),
            ));
        }
        if errors.is_empty() {
            Ok(size_key)
        } else {
            Err(errors)
        }
    }

    /// The micro-dollars reserved for a job: the site's own price at its size, else the ceiling.
    async fn reservation(&self, size: &str, seconds: u32, results: u8) -> i64 {
        let price = match self.store.price_per_second(size).await {
            Ok(Some(price)) => price,
            Ok(None) => self.limits.price_ceiling_micros_per_second,
            Err(e) => {
                tracing::warn!(error = %e, "price lookup failed; reserving at the ceiling");
                self.limits.price_ceiling_micros_per_second
            }
        };
        price * i64::from(seconds) * i64::from(results)
    }

    fn store_failure(&self, e: &crate::store::StoreError) -> Answer {
        tracing::error!(error = %e, "the store failed");
        Answer::refused(
            503,
            &[ApiError::new(
                code("serviceUnavailable"),
                "This site's video service is briefly unavailable; try again in a moment.",
            )],
        )
        .with_retry_after(UNAVAILABLE_RETRY_S)
    }

    /// Handles one request body.
    pub async fn handle(&self, caller: &Caller, body: &[u8]) -> Answer {
        let raw: Value = match serde_json::from_slice(body) {
            Ok(raw) => raw,
            Err(e) => {
                self.metrics.refused(Rule::Invalid);
                return Answer::refused(
                    400,
                    &[ApiError::new(
                        ErrorCode::InvalidParameter,
                        format!("the request body is not JSON: {e}"),
                    )],
                );
            }
        };
        let Some(tasks) = raw.as_array() else {
            self.metrics.refused(Rule::Invalid);
            let errors = runware::validate_body(&raw).err().unwrap_or_default();
            return Answer::refused(400, &errors);
        };

        // 1. What the site does not offer, before anything else.
        let forbidden: Vec<ApiError> = tasks.iter().filter_map(forbidden).collect();
        if !forbidden.is_empty() {
            self.metrics.refused(Rule::TaskType);
            return Answer::refused(403, &forbidden);
        }

        // 2. The contract, as Runware checks it. The visitor's authentication (any key, or
        // none) is answered here and never validated or passed on.
        let mut valid = Vec::with_capacity(tasks.len());
        let mut invalid = Vec::new();
        for task in tasks {
            if task.get("taskType").and_then(Value::as_str)
                == Some(TaskType::Authentication.as_str())
            {
                valid.push((task, None));
                continue;
            }
            match runware::validate_task(task) {
                Ok(typed) => valid.push((task, Some(typed))),
                Err(errors) => invalid.extend(errors),
            }
        }
        if !invalid.is_empty() {
            self.metrics.refused(Rule::Invalid);
            return Answer::refused(400, &invalid);
        }

        // 3. The site's own limits, and the plan for each task.
        let mut steps = Vec::with_capacity(valid.len());
        let mut submits: Vec<Submit> = Vec::new();
        let mut limit_errors = Vec::new();
        for (raw_task, typed) in valid {
            match typed {
                None => {
                    if let Some(session) = &caller.session {
                        steps.push(Step::Local(json!({
                            "taskType": "authentication",
                            "connectionSessionUUID": session,
                        })));
                    }
                }
                Some(Task::Ping(_)) => {
                    steps.push(Step::Local(json!({"taskType": "ping", "pong": true})));
                }
                Some(Task::VideoInference(video)) => match self.site_rules(&video) {
                    Err(errors) => limit_errors.extend(errors),
                    Ok(size) => {
                        let task_uuid = video.task_uuid.to_string();
                        let seconds = video.duration.unwrap_or(runware::Duration::Five).seconds();
                        let results = video.number_results.unwrap_or_default().get();
                        let mut forwarded = raw_task.clone();
                        if let Some(map) = forwarded.as_object_mut() {
                            map.insert("includeCost".into(), Value::Bool(true));
                        }
                        steps.push(Step::Submit(submits.len()));
                        submits.push(Submit {
                            task_uuid: task_uuid.clone(),
                            raw: forwarded,
                            job: NewJob {
                                task_uuid,
                                visitor: caller.visitor.clone(),
                                reserved_micros: 0,
                                seconds,
                                results,
                                size,
                                include_cost: video.include_cost == Some(true),
                            },
                        });
                    }
                },
                Some(Task::GetResponse(poll)) => {
                    let uuid = poll.task_uuid.to_string();
                    match self.poll_step(raw_task, &uuid, TaskType::GetResponse).await {
                        Ok(step) => steps.push(step),
                        Err(answer) => return answer,
                    }
                }
                Some(Task::GetTaskDetails(poll)) => {
                    let uuid = poll.task_uuid.to_string();
                    match self
                        .poll_step(raw_task, &uuid, TaskType::GetTaskDetails)
                        .await
                    {
                        Ok(step) => steps.push(step),
                        Err(answer) => return answer,
                    }
                }
                Some(Task::ImageUpload(_)) => {
                    if caller.dry_run {
                        let mut ack = ack_of(raw_task);
                        ack.insert("dryRun".into(), Value::Bool(true));
                        steps.push(Step::Local(Value::Object(ack)));
                    } else {
                        steps.push(Step::Forward(raw_task.clone()));
                    }
                }
                Some(Task::Authentication(_)) => {}
            }
        }
        if !limit_errors.is_empty() {
            self.metrics.refused(Rule::Limits);
            return Answer::refused(400, &limit_errors);
        }

        // 4. Dry run: every rule but the budget has been checked; nothing starts.
        if caller.dry_run {
            for step in &mut steps {
                if let Step::Submit(i) = step {
                    let mut ack = ack_of(&submits[*i].raw);
                    ack.insert("dryRun".into(), Value::Bool(true));
                    *step = Step::Local(Value::Object(ack));
                }
            }
            submits.clear();
        }

        // 5. Admission: limits and budget, atomically in the store.
        let mut admitted: Vec<String> = Vec::new();
        let now = now_ms();
        let bounds = Bounds::from(&self.limits);
        for submit in &mut submits {
            submit.job.reserved_micros = self
                .reservation(&submit.job.size, submit.job.seconds, submit.job.results)
                .await;
            match self.store.admit(&submit.job, &bounds, now).await {
                Ok(Admission::Admitted) => admitted.push(submit.task_uuid.clone()),
                Ok(Admission::Known(_)) => {
                    // A retried submit: it keeps the reservation of its first attempt.
                }
                Ok(Admission::Refused(refusal)) => {
                    self.release_all(&admitted).await;
                    return self.refusal(refusal, &submit.task_uuid);
                }
                Err(e) => {
                    self.release_all(&admitted).await;
                    return self.store_failure(&e);
                }
            }
        }

        // 6. Upstream, once, for everything that goes there.
        let forward: Vec<Value> = steps
            .iter()
            .filter_map(|step| match step {
                Step::Forward(task) | Step::Poll(task, _) => Some(task.clone()),
                Step::Submit(i) => Some(submits[*i].raw.clone()),
                _ => None,
            })
            .collect();
        let mut data = Vec::new();
        let mut errors = Vec::new();
        for step in &steps {
            match step {
                Step::Local(item) => data.push(item.clone()),
                Step::LocalError(error) => errors.push(error_json(error)),
                _ => {}
            }
        }
        if forward.is_empty() {
            return Answer::new(200, data, errors);
        }
        let answer = match self.upstream.post(&forward).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!(error = %e, "upstream failed after every attempt");
                if !e.maybe_sent() {
                    self.release_all(&admitted).await;
                }
                return Answer::refused(
                    503,
                    &[ApiError::new(
                        code("upstreamUnavailable"),
                        "Runware could not be reached just now; try again in a moment (a job keeps its taskUUID, so it is never charged twice).",
                    )],
                )
                .with_retry_after(UNAVAILABLE_RETRY_S);
            }
        };
        let polls: Vec<&crate::store::JobRecord> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Poll(_, job) => Some(job),
                _ => None,
            })
            .collect();
        self.finish(answer, &admitted, &submits, &polls, data, errors)
            .await
    }

    /// A `getResponse`/`getTaskDetails` step: passed on for this site's jobs only.
    async fn poll_step(
        &self,
        raw_task: &Value,
        task_uuid: &str,
        task_type: TaskType,
    ) -> Result<Step, Answer> {
        match self.store.job(task_uuid).await {
            Ok(Some(job)) => Ok(Step::Poll(raw_task.clone(), job)),
            Ok(None) => {
                self.metrics.refused(Rule::NotOurs);
                Ok(Step::LocalError(
                    ApiError::task_failed_or_not_found(task_uuid)
                        .with_task_type(task_type.as_str()),
                ))
            }
            Err(e) => Err(self.store_failure(&e)),
        }
    }

    async fn release_all(&self, task_uuids: &[String]) {
        for task_uuid in task_uuids {
            match self.store.release(task_uuid).await {
                Ok(()) => self.metrics.job_released(),
                Err(e) => tracing::error!(error = %e, task_uuid, "release failed"),
            }
        }
    }

    fn refusal(&self, refusal: Refusal, task_uuid: &str) -> Answer {
        let with_task = |e: ApiError| e.with_task(TaskType::VideoInference.as_str(), task_uuid);
        match refusal {
            Refusal::Rate {
                limit,
                retry_after_ms,
            } => {
                self.metrics.refused(Rule::Rate);
                Answer::refused(
                    429,
                    &[with_task(ApiError::new(
                        code("rateLimitExceeded"),
                        format!(
                            "This site lets each visitor start {limit} video{} per hour. You can start the next one in {}.",
                            if limit == 1 { "" } else { "s" },
                            spell_wait(retry_after_ms)
                        ),
                    ))],
                )
                .with_retry_after(ceil_secs(retry_after_ms))
            }
            Refusal::Concurrency { limit } => {
                self.metrics.refused(Rule::Concurrency);
                Answer::refused(
                    429,
                    &[with_task(ApiError::new(
                        code("concurrencyLimitExceeded"),
                        format!(
                            "You already have {limit} video{} being made on this site. Start the next one when one is done (try again in {CONCURRENCY_RETRY_S} s).",
                            if limit == 1 { "" } else { "s" }
                        ),
                    ))],
                )
                .with_retry_after(CONCURRENCY_RETRY_S)
            }
            Refusal::Budget { retry_after_ms, .. } => {
                self.metrics.refused(Rule::Budget);
                Answer::refused(
                    402,
                    &[with_task(ApiError::new(
                        code("dailyBudgetSpent"),
                        format!(
                            "This site's video budget for today is used up. It renews at 00:00 UTC, in {}.",
                            spell_wait(retry_after_ms)
                        ),
                    ))],
                )
                .with_retry_after(ceil_secs(retry_after_ms))
            }
        }
    }

    /// Turns upstream's answer into the visitor's: refused jobs are released, finished jobs
    /// settled, `cost` removed where the visitor did not ask for it.
    async fn finish(
        &self,
        answer: crate::upstream::Answer,
        admitted: &[String],
        submits: &[Submit],
        polls: &[&crate::store::JobRecord],
        mut data: Vec<Value>,
        mut errors: Vec<Value>,
    ) -> Answer {
        let reply = Reply::from_value(&answer.body).unwrap_or_default();
        let upstream_data: Vec<Value> = match answer.body.get("data") {
            Some(Value::Array(items)) => items.clone(),
            Some(Value::Object(_)) => vec![answer.body["data"].clone()],
            _ => Vec::new(),
        };
        let mut upstream_errors: Vec<Value> = Vec::new();
        for key in ["errors", "error"] {
            match answer.body.get(key) {
                Some(Value::Array(items)) => upstream_errors.extend(items.iter().cloned()),
                Some(item @ Value::Object(_)) => upstream_errors.push(item.clone()),
                _ => {}
            }
        }

        // Jobs upstream did not accept give their reservation back.
        let accepted = |uuid: &str| {
            answer.status == 200
                && reply.items_for(uuid).next().is_some()
                && reply.errors_for(uuid).next().is_none()
        };
        let refused: Vec<String> = admitted
            .iter()
            .filter(|uuid| !accepted(uuid))
            .cloned()
            .collect();
        self.release_all(&refused).await;
        for uuid in admitted.iter().filter(|uuid| accepted(uuid)) {
            self.metrics.job_accepted();
            tracing::info!(task_uuid = %uuid, "job accepted");
        }

        // Settle what the polls show finished.
        for job in polls {
            self.settle_from(job, &reply).await;
        }

        // `cost` only for the visitors who asked.
        let strip: Vec<&str> = polls
            .iter()
            .filter(|job| !job.include_cost)
            .map(|job| job.task_uuid.as_str())
            .chain(
                submits
                    .iter()
                    .filter(|s| !s.job.include_cost)
                    .map(|s| s.task_uuid.as_str()),
            )
            .collect();
        for mut item in upstream_data {
            strip_cost(&mut item, &strip);
            data.push(item);
        }
        errors.extend(upstream_errors);

        let status = match answer.status {
            // The site's key or account is wrong: the visitor can do nothing about it, and
            // must not be asked for a key of their own.
            401 | 403 => {
                tracing::error!(
                    status = answer.status,
                    "upstream refused the site's key; check the key in the environment"
                );
                return Answer::refused(
                    502,
                    &[ApiError::new(
                        code("upstreamRefused"),
                        "This site's video service is not set up correctly; its owner can see why in the gateway's log.",
                    )],
                );
            }
            status => status,
        };
        let mut out = Answer::new(status, data, errors);
        if matches!(status, 429 | 500..=599) {
            out = out.with_retry_after(UNAVAILABLE_RETRY_S);
        }
        out
    }

    /// Settles `job` when `reply` shows it finished.
    async fn settle_from(&self, job: &crate::store::JobRecord, reply: &Reply) {
        if job.settled {
            return;
        }
        let mut videos: Vec<&runware::reply::VideoResult> = reply
            .items_for(&job.task_uuid)
            .filter_map(|item| match item {
                Item::Video(v) => Some(v),
                _ => None,
            })
            .collect();
        // A getTaskDetails answer holds the task's response inside.
        for item in reply.items_for(&job.task_uuid) {
            if let Item::TaskDetails { response, .. } = item {
                videos.extend(response.videos());
            }
        }
        let failed = reply
            .errors_for(&job.task_uuid)
            .any(|e| e.status.as_deref() == Some("error") || e.code == ErrorCode::TimeoutProvider);
        let done: Vec<&&runware::reply::VideoResult> =
            videos.iter().filter(|v| v.is_success()).collect();
        let finished = failed || done.len() >= usize::from(job.results);
        if !finished {
            return;
        }
        let reported: i64 = done
            .iter()
            .filter_map(|v| v.cost)
            .map(crate::config::micros)
            .sum();
        let missing = done.iter().filter(|v| v.cost.is_none()).count();
        let per_result = job.reserved_micros / i64::from(job.results.max(1));
        let cost = reported + per_result * i64::try_from(missing).unwrap_or(0);
        let price = (!failed && missing == 0 && job.seconds > 0)
            .then(|| reported / (i64::from(job.seconds) * i64::from(job.results.max(1))));
        match self
            .store
            .settle(&job.task_uuid, cost, price, now_ms())
            .await
        {
            Ok(true) => {
                self.metrics.job_settled(cost);
                tracing::info!(task_uuid = %job.task_uuid, cost_usd = cost as f64 / 1e6, failed, "job settled");
            }
            Ok(false) => {}
            Err(e) => tracing::error!(error = %e, task_uuid = %job.task_uuid, "settle failed"),
        }
    }
}

/// The acknowledgement of a task: its type and UUID.
fn ack_of(task: &Value) -> Map<String, Value> {
    let mut ack = Map::new();
    for key in ["taskType", "taskUUID"] {
        if let Some(v) = task.get(key) {
            ack.insert(key.into(), v.clone());
        }
    }
    ack
}

/// Removes `cost` from an item about one of `task_uuids`, also inside a `getTaskDetails`
/// answer (whose `request` then shows `includeCost` as the visitor sent it).
fn strip_cost(item: &mut Value, task_uuids: &[&str]) {
    let ours = item
        .get("taskUUID")
        .and_then(Value::as_str)
        .is_some_and(|u| task_uuids.iter().any(|t| t.eq_ignore_ascii_case(u)));
    if !ours {
        return;
    }
    let Some(map) = item.as_object_mut() else {
        return;
    };
    map.remove("cost");
    if let Some(Value::Object(request)) = map.get_mut("request") {
        request.remove("includeCost");
    }
    if let Some(Value::Array(items)) = map.get_mut("response").and_then(|r| r.get_mut("data")) {
        for inner in items {
            if let Some(inner) = inner.as_object_mut() {
                inner.remove("cost");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_spelled_for_people() {
        assert_eq!(spell_wait(800), "1 s");
        assert_eq!(spell_wait(61_000), "2 min");
        assert_eq!(spell_wait(3_599_000), "60 min");
        assert_eq!(spell_wait(3_600_000 * 5 + 60_000 * 3), "5 h 3 min");
    }

    #[test]
    fn cost_is_stripped_only_from_the_named_tasks() {
        let mut mine = json!({"taskUUID": "A", "cost": 0.3, "status": "success"});
        let mut other = json!({"taskUUID": "b", "cost": 0.3});
        strip_cost(&mut mine, &["a"]);
        strip_cost(&mut other, &["a"]);
        assert_eq!(mine, json!({"taskUUID": "A", "status": "success"}));
        assert_eq!(other["cost"], 0.3);
    }

    #[test]
    fn forbidden_task_types_and_models() {
        assert!(forbidden(&json!({"taskType": "accountManagement"})).is_some());
        assert!(forbidden(&json!({"taskType": "imageInference"})).is_some());
        assert!(
            forbidden(&json!({"taskType": "videoInference", "model": "klingai:6@1"})).is_some()
        );
        assert!(forbidden(&json!({"taskType": "videoInference", "model": MODEL_ID})).is_none());
        assert!(forbidden(&json!({"taskType": "getResponse"})).is_none());
        // No taskType at all is the contract's error (400), not a forbidden type.
        assert!(forbidden(&json!({})).is_none());
    }
}
