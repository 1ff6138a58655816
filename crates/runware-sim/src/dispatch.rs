//! Executing an array of tasks, the same way for REST and WebSocket.
//!
//! A request is handled in three steps. Every task is validated by the `runware` crate (the one
//! definition of the contract; nothing here re-checks a field). Then everything that can refuse
//! the request is done before anything is started: authentication, task UUID conflicts, credit,
//! and fetching or decoding the frames. Only when nothing was refused are the tasks run, so a
//! refused request leaves no trace and may be retried as it was.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use runware::reply::{Item, Reply as WireReply, VideoResult};
use runware::{ApiError, ErrorCode, OutputFormat, SafetyMode, Task, TaskType, VideoInference};
use serde_json::Value;
use uuid::Uuid;

use crate::config::Config;
use crate::engine::{self, Job, TaskState};
use crate::faults::FaultSpec;
use crate::frames::{self, StoredImage};
use crate::render::Container;
use crate::server::AppState;
use crate::stats::Transport;

/// How the sender of a request proved who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    /// REST: the `Authorization: Bearer` key, if any; a leading `authentication` task may give
    /// one instead.
    Rest {
        /// The bearer key.
        bearer: Option<String>,
    },
    /// WebSocket: authenticated when the socket opened.
    Session {
        /// The key the session was opened with.
        api_key: String,
    },
}

/// Where a request came from, and the faults that apply to it.
#[derive(Debug, Clone)]
pub struct Origin {
    /// REST or WebSocket.
    pub transport: Transport,
    /// The client name counted in `/sim/stats`.
    pub client: String,
    /// The WebSocket session, which receives pushed results.
    pub session: Option<Uuid>,
    /// Credentials.
    pub auth: Auth,
    /// Faults for this request.
    pub faults: FaultSpec,
    /// Validate only (`?dryRun=1`): acknowledge as usual, with `dryRun: true`, and start nothing.
    pub dry_run: bool,
}

/// The answer to a request.
#[derive(Debug, Clone)]
pub struct Reply {
    /// `data` items.
    pub data: Vec<Item>,
    /// `errors` items.
    pub errors: Vec<ApiError>,
    /// HTTP status (REST only).
    pub status: u16,
    /// Task types of the request, for the log.
    pub task_types: Vec<String>,
    /// Task UUIDs of the request, for the log.
    pub task_ids: Vec<String>,
    /// How many `videoInference` jobs this reply accepts (and so started).
    pub accepted: usize,
}

impl Reply {
    /// A reply holding one error, with that error's status.
    pub fn refused(error: ApiError) -> Reply {
        Reply::refused_all(vec![error])
    }

    /// A reply holding errors, with the highest of their statuses.
    pub fn refused_all(errors: Vec<ApiError>) -> Reply {
        let status = errors
            .iter()
            .map(ApiError::http_status)
            .max()
            .unwrap_or(400);
        Reply {
            data: Vec::new(),
            errors,
            status,
            task_types: Vec::new(),
            task_ids: Vec::new(),
            accepted: 0,
        }
    }

    /// Replaces the HTTP status.
    pub fn with_status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    /// The JSON body: `{"data":[…]}`, `{"errors":[…]}`, or both.
    pub fn to_json(&self) -> String {
        wire_json(&WireReply {
            data: self.data.clone(),
            errors: self.errors.clone(),
        })
    }

    /// True when there is nothing to send (a WebSocket ping whose pong was held back).
    pub fn is_silent(&self) -> bool {
        self.data.is_empty() && self.errors.is_empty()
    }
}

/// A reply as an HTTP response.
pub fn http_reply(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        reply.to_json(),
    )
        .into_response()
}

/// The reply to a `status=N` fault: that status and an error named after it. These codes are the
/// simulator's own; clients must handle any code (spec §6).
pub fn fault_status(status: u16) -> Reply {
    let (code, message) = match status {
        429 => ("rateLimitExceeded", "too many requests; retry later"),
        500 => (
            "internalServerError",
            "the server failed to handle the request",
        ),
        502 => ("badGateway", "an upstream service answered badly"),
        503 => ("serviceUnavailable", "the service is busy; retry later"),
        504 => (
            "gatewayTimeout",
            "an upstream service did not answer in time",
        ),
        402 => (
            "insufficientCredits",
            "the account has too little credit for this task",
        ),
        401 => ("invalidApiKey", "the API key is not valid"),
        _ => ("simulatedFault", "a fault requested from the simulator"),
    };
    Reply::refused(
        ApiError::new(
            ErrorCode::parse(code),
            format!("{message} (simulated fault, HTTP {status})"),
        )
        .with_type("simulatedFault"),
    )
    .with_status(status)
}

/// The first half of a reply: what the `malformed` fault sends. Any proper prefix of a JSON
/// object is invalid JSON; the cut is moved back to a character boundary.
pub fn malformed(text: &str) -> String {
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text[..cut].to_owned()
}

/// The 413 error for a body over the limit.
pub fn too_large(limit_mb: usize) -> ApiError {
    ApiError::new(
        ErrorCode::Other("payloadTooLarge".to_owned()),
        format!(
            "the request body is larger than {limit_mb} MB; send large images by URL or imageUpload"
        ),
    )
}

/// Checks an API key: the configured one, or any non-empty key when none is configured.
pub fn check_key(config: &Config, key: Option<&str>) -> Result<(), Box<ApiError>> {
    // Every key shown to the server, right or wrong, is kept out of the log from now on.
    if let Some(key) = key {
        crate::logging::remember_secret(key);
    }
    if let Some(expected) = &config.api_key {
        crate::logging::remember_secret(expected);
    }
    match (key, &config.api_key) {
        (None, _) | (Some(""), _) => Err(Box::new(ApiError::missing_api_key())),
        (Some(key), Some(expected)) if key != expected => {
            Err(Box::new(ApiError::invalid_api_key()))
        }
        _ => Ok(()),
    }
}

/// The reply to a WebSocket authentication.
pub fn auth_reply(session: Uuid) -> String {
    wire_json(&WireReply::success(vec![auth_item(session)]))
}

fn auth_item(session: Uuid) -> Item {
    Item::Authentication {
        connection_session_uuid: session.to_string(),
    }
}

/// A reply body in the wire shape of the `runware` crate, as Runware writes it: `"data": []`
/// beside every `errors` (also in a `getTaskDetails` item's `response`), and each error with
/// the `type` and `documentation` of its parameter where the simulator knows them.
pub fn wire_json(reply: &WireReply) -> String {
    // Serializing plain maps of strings and numbers cannot fail; an empty object would only
    // hide a bug in the reply types.
    match serde_json::to_value(reply) {
        Ok(mut value) => {
            finish_reply(&mut value);
            value.to_string()
        }
        Err(_) => "{}".to_owned(),
    }
}

/// Adds `"data": []` where a reply has `errors` only, and fills in errors' `type` and
/// `documentation`; recurses into the `response` of `getTaskDetails` items.
fn finish_reply(value: &mut Value) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(errors)) = map.get_mut("errors") {
        for error in errors.iter_mut() {
            crate::docs::decorate(error);
        }
    }
    if map.contains_key("errors") && !map.contains_key("data") {
        map.insert("data".to_owned(), Value::Array(Vec::new()));
    }
    if let Some(Value::Array(items)) = map.get_mut("data") {
        for item in items.iter_mut() {
            if item.get("taskType").and_then(Value::as_str) == Some("getTaskDetails")
                && let Some(response) = item.get_mut("response")
            {
                finish_reply(response);
            }
        }
    }
}

/// Reads a message that must start with an `authentication` task: its key (absent when the task
/// has none), the session it asks to resume, and the remaining tasks as a JSON array (empty
/// string when there are none).
pub fn leading_authentication(
    text: &str,
) -> Result<(Option<String>, Option<Uuid>, String), Box<ApiError>> {
    let tasks = parse_array(text.as_bytes())?;
    let Some(first) = tasks.first() else {
        return Err(Box::new(ApiError::missing_api_key()));
    };
    if first.get("taskType").and_then(Value::as_str) != Some("authentication") {
        return Err(Box::new(ApiError::missing_api_key()));
    }
    let (key, resume) = match runware::validate_task(first) {
        Ok(Task::Authentication(auth)) => (Some(auth.api_key), auth.connection_session_uuid),
        Ok(_) => return Err(Box::new(ApiError::missing_api_key())),
        Err(mut errors) => {
            // An authentication task without a usable key is reported as the crate words it.
            return Err(Box::new(errors.remove(0)));
        }
    };
    let rest = if tasks.len() > 1 {
        Value::Array(tasks[1..].to_vec()).to_string()
    } else {
        String::new()
    };
    Ok((key, resume, rest))
}

fn parse_array(body: &[u8]) -> Result<Vec<Value>, Box<ApiError>> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    match value {
        Value::Array(tasks) if !tasks.is_empty() => Ok(tasks),
        Value::Array(_) => Err(Box::new(ApiError::new(
            ErrorCode::InvalidParameter,
            "the body is an empty array; send at least one task",
        ))),
        _ => Err(Box::new(ApiError::new(
            ErrorCode::InvalidParameter,
            "the body must be a JSON array of task objects, also for a single task",
        ))),
    }
}

/// The `success` item of a finished result.
pub fn success_item(
    task_uuid: &str,
    video_uuid: Uuid,
    video_url: &str,
    seed: i64,
    cost: Option<f64>,
    nsfw: Option<bool>,
) -> VideoResult {
    let mut result = VideoResult::success(task_uuid, video_uuid.to_string(), video_url, seed);
    if let Some(cost) = cost {
        result = result.with_cost(cost);
    }
    if let Some(nsfw) = nsfw {
        result = result.with_nsfw_content(nsfw);
    }
    result
}

/// The acknowledgement of an accepted task; a dry run's says `"dryRun": true`.
pub fn ack_item(task_type: &str, task_uuid: &str, dry_run: bool) -> Item {
    Item::Ack {
        task_type: task_type.to_owned(),
        task_uuid: task_uuid.to_owned(),
        dry_run,
    }
}

/// The `getTaskDetails` item of a task: the request as it was received and the task's state
/// as a reply of its own.
fn task_details(task_uuid: &str, request: Value, task: TaskState) -> Item {
    let response = match task {
        TaskState::Unknown => WireReply::default(),
        TaskState::Known { data, error } => WireReply {
            data,
            errors: error.map(|e| vec![*e]).unwrap_or_default(),
        },
    };
    Item::TaskDetails {
        task_uuid: task_uuid.to_owned(),
        request,
        response,
    }
}

/// `taskFailedOrNotFound` for a `getTaskDetails` about a task the simulator never saw.
fn task_details_not_found(task_uuid: &str) -> ApiError {
    ApiError::new(
        ErrorCode::TaskFailedOrNotFound,
        "no task with this taskUUID was ever accepted",
    )
    .with_parameter(runware::path::TASK_UUID)
    .with_task(TaskType::GetTaskDetails.as_str(), task_uuid)
    .with_status("error")
}

/// A task that passed every check, ready to run.
enum Prepared {
    Video(Box<Job>),
    Poll(String),
    Details(String),
    Upload {
        task_uuid: String,
        bytes: Vec<u8>,
        facts: runware::image::ImageFacts,
        request: Value,
    },
    Ping,
    Authentication,
}

/// Runs a request body (a JSON array of tasks) and builds the reply. A `status` fault in the
/// origin refuses the request here, after its tasks were counted.
pub async fn execute(state: &AppState, origin: &Origin, body: &[u8]) -> Reply {
    let values = match parse_array(body) {
        Ok(values) => values,
        Err(error) => return Reply::refused(*error),
    };
    let task_types: Vec<String> = values
        .iter()
        .map(|v| {
            v.get("taskType")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        })
        .collect();
    let task_ids: Vec<String> = values
        .iter()
        .filter_map(|v| v.get("taskUUID").and_then(Value::as_str).map(str::to_owned))
        .collect();
    // Counted as received, before any fault or refusal: tests compare these counts with what
    // the client sent.
    for (value, task_type) in values.iter().zip(&task_types) {
        state.stats.task(task_type);
        if task_type == "getResponse"
            && let Some(id) = value.get("taskUUID").and_then(Value::as_str)
        {
            state
                .stats
                .get_response(origin.transport, &origin.client, id);
        }
    }
    let mut reply = match origin.faults.status {
        Some(status) => fault_status(status),
        None => prepare_and_run(state, origin, &values).await,
    };
    reply.task_types = task_types;
    reply.task_ids = task_ids;
    reply
}

async fn prepare_and_run(state: &AppState, origin: &Origin, values: &[Value]) -> Reply {
    // Step 1: the contract, by the runware crate.
    let mut tasks = Vec::with_capacity(values.len());
    let mut errors = Vec::new();
    for value in values {
        match runware::validate_task(value) {
            Ok(task) => tasks.push(task),
            Err(mut e) => errors.append(&mut e),
        }
    }

    // Step 2: who is asking. Over REST a leading authentication task may carry the key; a
    // broken authentication task leaves the request without one. On an authenticated socket a
    // repeated authentication task must still name a valid key.
    match &origin.auth {
        Auth::Rest { bearer } => {
            let leading = values
                .first()
                .and_then(|v| v.get("taskType"))
                .and_then(Value::as_str)
                == Some("authentication");
            let key = match tasks.first() {
                Some(Task::Authentication(auth)) if leading => Some(auth.api_key.clone()),
                _ => bearer.clone(),
            };
            if let Err(error) = check_key(&state.config, key.as_deref()) {
                return Reply::refused(*error);
            }
        }
        Auth::Session { .. } => {
            for task in &tasks {
                if let Task::Authentication(auth) = task
                    && let Err(error) = check_key(&state.config, Some(&auth.api_key))
                {
                    return Reply::refused(*error);
                }
            }
        }
    }
    if !errors.is_empty() {
        return Reply::refused_all(errors);
    }
    for task in &tasks {
        if let Task::VideoInference(video) = task {
            let mut found = video.check_inline_images();
            errors.append(&mut found);
        }
    }
    if !errors.is_empty() {
        return Reply::refused_all(errors);
    }

    // Step 3: task UUIDs must be new.
    let new_ids: Vec<String> = tasks
        .iter()
        .filter_map(|task| match task {
            Task::VideoInference(t) => Some(t.task_uuid.to_string()),
            Task::ImageUpload(t) => Some(t.task_uuid.to_string()),
            _ => None,
        })
        .collect();
    // A dry run checks the UUIDs without taking them: a real submission may use them later.
    let conflicts = if origin.dry_run {
        state.engine.conflicts(&new_ids)
    } else {
        state.engine.reserve(&new_ids)
    };
    if !conflicts.is_empty() {
        let errors = tasks
            .iter()
            .filter_map(|task| {
                let id = task.task_uuid()?.to_string();
                conflicts
                    .contains(&id)
                    .then(|| ApiError::conflict_task_uuid(task.task_type().as_str(), &id))
            })
            .collect();
        return Reply::refused_all(errors);
    }

    // Step 4: everything else that may refuse the request, before anything starts.
    let mut prepared = Vec::with_capacity(tasks.len());
    let mut total_cost = 0.0;
    for (task, value) in tasks.iter().zip(values) {
        let step = match task {
            Task::VideoInference(video) => {
                let task_faults = origin.faults.merge(
                    &FaultSpec::from_prompt(video.positive_prompt.as_str()).unwrap_or_default(),
                );
                if task_faults.insufficient_credits {
                    Err(ApiError::insufficient_credits()
                        .with_task("videoInference", &video.task_uuid.to_string()))
                } else {
                    match prepare_video(state, origin, video, value, &task_faults).await {
                        Ok(job) => {
                            total_cost += job_cost(state, &job);
                            Ok(Prepared::Video(Box::new(job)))
                        }
                        Err(error) => Err(error),
                    }
                }
            }
            Task::GetResponse(poll) => Ok(Prepared::Poll(poll.task_uuid.to_string())),
            Task::ImageUpload(upload) => {
                let at = runware::path::IMAGE;
                frames::image_bytes(state, &upload.image, at)
                    .await
                    .map(|(bytes, facts)| Prepared::Upload {
                        task_uuid: upload.task_uuid.to_string(),
                        bytes,
                        facts,
                        request: value.clone(),
                    })
                    .map_err(|e| e.with_task("imageUpload", &upload.task_uuid.to_string()))
            }
            Task::Ping(_) => Ok(Prepared::Ping),
            Task::Authentication(_) => Ok(Prepared::Authentication),
            Task::GetTaskDetails(details) => Ok(Prepared::Details(details.task_uuid.to_string())),
        };
        match step {
            Ok(p) => prepared.push(p),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() && total_cost > 0.0 && !spend(state, total_cost, origin.dry_run) {
        errors.push(ApiError::insufficient_credits());
    }
    if !errors.is_empty() {
        // Dropping `prepared` deletes the frames already written.
        if !origin.dry_run {
            state.engine.release(&new_ids);
        }
        return Reply::refused_all(errors);
    }

    // Step 5: run.
    let mut reply = Reply::refused_all(Vec::new()).with_status(200);
    for step in prepared {
        match step {
            Prepared::Video(job) => {
                let video = TaskType::VideoInference.as_str();
                reply
                    .data
                    .push(ack_item(video, &job.task_uuid, origin.dry_run));
                if origin.dry_run {
                    // Dropping the job deletes its frames: nothing of it remains.
                    state.stats.update(|s| s.jobs.dry_runs += 1);
                } else {
                    reply.accepted += 1;
                    engine::start(state, *job);
                }
            }
            Prepared::Poll(id) => match state.engine.poll(
                &id,
                tokio::time::Instant::now(),
                state.config.response_retention,
            ) {
                TaskState::Unknown => reply.errors.push(ApiError::task_failed_or_not_found(&id)),
                TaskState::Known { mut data, error } => {
                    reply.data.append(&mut data);
                    reply.errors.extend(error.map(|e| *e));
                }
            },
            Prepared::Details(id) => match state.engine.details(&id, tokio::time::Instant::now()) {
                Some((request, task)) => reply.data.push(task_details(&id, request, task)),
                None => reply.errors.push(task_details_not_found(&id)),
            },
            Prepared::Upload { task_uuid, .. } if origin.dry_run => {
                let upload = TaskType::ImageUpload.as_str();
                reply.data.push(ack_item(upload, &task_uuid, true));
            }
            Prepared::Upload {
                task_uuid,
                bytes,
                facts,
                request,
            } => match store_upload(state, &bytes, facts).await {
                Ok(image_uuid) => {
                    let item = Item::ImageUpload {
                        task_uuid: task_uuid.clone(),
                        image_uuid: image_uuid.to_string(),
                        image_url: None,
                    };
                    state
                        .engine
                        .insert_upload(&task_uuid, request, item.clone());
                    reply.data.push(item);
                }
                Err(error) => reply
                    .errors
                    .push(error.with_task("imageUpload", &task_uuid)),
            },
            Prepared::Ping => {
                if !origin.faults.miss_pong {
                    reply.data.push(Item::Pong);
                }
            }
            Prepared::Authentication => {
                if let Some(session) = origin.session {
                    reply.data.push(auth_item(session));
                }
            }
        }
    }
    reply.status = reply
        .errors
        .iter()
        .map(ApiError::http_status)
        .max()
        .unwrap_or(200)
        .max(200);
    reply
}

/// Decides everything about a `videoInference` before it starts: size, seeds, cost, frames.
async fn prepare_video(
    state: &AppState,
    origin: &Origin,
    video: &VideoInference,
    request: &Value,
    faults: &FaultSpec,
) -> Result<Job, ApiError> {
    let task_uuid = video.task_uuid.to_string();
    let frames_path = runware::path::FRAME_IMAGES;
    let frames = frames::resolve(state, &task_uuid, video.frame_images(), frames_path)
        .await
        .map_err(|e| e.with_task("videoInference", &task_uuid))?;
    let (width, height) = match video.size {
        Some(size) => (size.width(), size.height()),
        None => default_size(&frames),
    };
    let seconds = video.duration_or_default().seconds();
    let count = usize::from(video.number_results_or_default().get());
    // Each result gets its own seed: a random one, then +1, +2 …, wrapping inside the valid
    // range 1..=i64::MAX (the random one is kept below 2^32 so that JavaScript clients read them
    // exactly).
    let base = {
        use rand::Rng;
        rand::rng().random_range(1..=i64::from(u32::MAX))
    };
    let seeds = (0..count as i64)
        .map(|i| match base.checked_add(i) {
            Some(seed) => seed,
            None => i - (i64::MAX - base),
        })
        .collect();
    let format = video.output_format_or_default();
    let container = match format {
        OutputFormat::Mp4 => Container::Mp4,
        OutputFormat::Webm => Container::Webm,
        OutputFormat::Mov => Container::Mov,
    };
    let safety_ran = video.safety_mode() != SafetyMode::None;
    let nsfw = if faults.nsfw {
        Some(true)
    } else if safety_ran {
        Some(false)
    } else {
        None
    };
    let cost = state.config.prices.cost(width, height, f64::from(seconds));
    Ok(Job {
        task_uuid,
        width,
        height,
        seconds,
        container,
        extension: format.extension(),
        mime: format.mime(),
        quality: video.output_quality_or_default().get(),
        seeds,
        cost: video.include_cost_or_default().then_some(cost),
        nsfw,
        ttl: video.ttl.map(|ttl| {
            Duration::try_from_secs_f64(ttl.get() as f64 * state.config.time_scale)
                .unwrap_or(Duration::MAX)
        }),
        webhook_url: video.webhook_url.as_ref().map(|u| u.as_str().to_owned()),
        upload_endpoint: video
            .upload_endpoint
            .as_ref()
            .map(|u| u.as_str().to_owned()),
        frames,
        timeout_provider: faults.timeout_provider,
        session: origin.session,
        request: request.clone(),
    })
}

/// Without `width`/`height`, a 1080p size whose aspect is nearest to the first frame's, as an
/// image-to-video model keeps the picture's shape. This is the simulator's choice.
fn default_size(frames: &frames::ResolvedFrames) -> (u32, u32) {
    let aspect = frames.aspect.unwrap_or(16.0 / 9.0);
    if aspect >= 1.3 {
        (1920, 1080)
    } else if aspect <= 0.77 {
        (1080, 1920)
    } else {
        (1080, 1080)
    }
}

fn job_cost(state: &AppState, job: &Job) -> f64 {
    state
        .config
        .prices
        .cost(job.width, job.height, f64::from(job.seconds))
        * job.seeds.len() as f64
}

/// Takes `amount` from the simulated balance (only checks it for a dry run); false when it is
/// too low. Unlimited without `--credits`.
fn spend(state: &AppState, amount: f64, dry_run: bool) -> bool {
    let mut credits = state.credits.lock().unwrap_or_else(|e| e.into_inner());
    match credits.as_mut() {
        None => true,
        Some(balance) if *balance + 1e-9 >= amount => {
            if !dry_run {
                *balance -= amount;
            }
            true
        }
        Some(_) => false,
    }
}

async fn store_upload(
    state: &AppState,
    bytes: &[u8],
    facts: runware::image::ImageFacts,
) -> Result<Uuid, ApiError> {
    let id = Uuid::new_v4();
    let path = state
        .data_dir
        .join("images")
        .join(format!("{id}.{}", facts.format.extension()));
    tokio::fs::write(&path, bytes).await.map_err(|e| {
        ApiError::new(
            ErrorCode::Other("serverError".to_owned()),
            format!("the image could not be stored: {e}"),
        )
    })?;
    state.images.insert(id, StoredImage { path, facts });
    Ok(id)
}
