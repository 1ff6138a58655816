//! Reply decoding (spec §1, §5, §6) and the fold of a task's replies into its state.
//!
//! Decoding is tolerant by design: unknown members are ignored, unknown statuses and error codes
//! are kept as data, members of the wrong type are dropped rather than failing the reply, and an
//! item that fits no known shape is kept whole as [`Item::Unknown`]. Whatever the bytes,
//! [`decode`] returns; when they are not a reply, the error keeps them.
//!
//! A failure may arrive in `errors`, in the legacy single `error` object, as a WebSocket
//! `error` array, or as an error item inside `data`: [`Reply::from_value`] gathers all of them in
//! [`Reply::errors`], so that [`TaskProgress`] folds every shape the same way.

use std::borrow::Cow;
use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};
use crate::fields::NumberResults;

/// The `status` of a video result; statuses the spec does not name are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Status {
    /// `processing`: still running.
    Processing,
    /// `pending`: accepted, not started yet.
    Pending,
    /// `queued`: accepted, not started yet.
    Queued,
    /// `waiting`: accepted, not started yet.
    Waiting,
    /// `success`: this result is done.
    Success,
    /// `completed`: this result is done (another word for `success`).
    Completed,
    /// `error`: the task failed.
    Error,
    /// Any other status, which means "still running" (spec §5.4).
    Other(String),
}

impl Status {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Processing => "processing",
            Status::Pending => "pending",
            Status::Queued => "queued",
            Status::Waiting => "waiting",
            Status::Success => "success",
            Status::Completed => "completed",
            Status::Error => "error",
            Status::Other(status) => status,
        }
    }

    /// Reads a wire status.
    pub fn parse(status: &str) -> Status {
        match status {
            "processing" => Status::Processing,
            "pending" => Status::Pending,
            "queued" => Status::Queued,
            "waiting" => Status::Waiting,
            "success" => Status::Success,
            "completed" => Status::Completed,
            "error" => Status::Error,
            other => Status::Other(other.to_owned()),
        }
    }

    /// Whether the result is finished: `success` or `completed`.
    pub fn is_success(&self) -> bool {
        matches!(self, Status::Success | Status::Completed)
    }

    /// Whether the result is still running: every status but the finished ones and `error`,
    /// unknown words included.
    pub fn is_running(&self) -> bool {
        !self.is_success() && !self.is_error()
    }

    /// Whether the result is waiting for its turn: `pending`, `queued` or `waiting`.
    pub fn is_queued(&self) -> bool {
        matches!(self, Status::Pending | Status::Queued | Status::Waiting)
    }

    /// Whether the task failed: `error`.
    pub fn is_error(&self) -> bool {
        *self == Status::Error
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One `videoInference` item of a reply: a result still running, or one finished video.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "taskType", rename = "videoInference")]
pub struct VideoResult {
    /// `taskUUID`, verbatim.
    #[serde(rename = "taskUUID")]
    pub task_uuid: String,
    /// `status`.
    pub status: Status,
    /// `progress` of a running result, 0–100. Read tolerantly: a number outside 0–100 is
    /// clamped into it, a fraction rounded, anything but a number ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    /// `videoUUID`.
    #[serde(rename = "videoUUID", skip_serializing_if = "Option::is_none")]
    pub video_uuid: Option<String>,
    /// `videoURL`.
    #[serde(rename = "videoURL", skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// `videoBase64Data`, the video itself as base64 (other output types; this model's output
    /// type is `URL`).
    #[serde(rename = "videoBase64Data", skip_serializing_if = "Option::is_none")]
    pub video_base64_data: Option<String>,
    /// `videoDataURI`, the video itself as a data URI (other output types).
    #[serde(rename = "videoDataURI", skip_serializing_if = "Option::is_none")]
    pub video_data_uri: Option<String>,
    /// `imageUUID`, which some Runware video replies carry as well.
    #[serde(rename = "imageUUID", skip_serializing_if = "Option::is_none")]
    pub image_uuid: Option<String>,
    /// `seed` used for this result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// `cost` in USD, present with `includeCost`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// `NSFWContent`, present when safety checking ran.
    #[serde(rename = "NSFWContent", skip_serializing_if = "Option::is_none")]
    pub nsfw_content: Option<bool>,
}

impl VideoResult {
    /// A `processing` item for `task_uuid`.
    pub fn processing(task_uuid: impl Into<String>) -> Self {
        VideoResult {
            task_uuid: task_uuid.into(),
            status: Status::Processing,
            progress: None,
            video_uuid: None,
            video_url: None,
            video_base64_data: None,
            video_data_uri: None,
            image_uuid: None,
            seed: None,
            cost: None,
            nsfw_content: None,
        }
    }

    /// A `success` item: one finished video.
    pub fn success(
        task_uuid: impl Into<String>,
        video_uuid: impl Into<String>,
        video_url: impl Into<String>,
        seed: i64,
    ) -> Self {
        VideoResult {
            status: Status::Success,
            video_uuid: Some(video_uuid.into()),
            video_url: Some(video_url.into()),
            seed: Some(seed),
            ..VideoResult::processing(task_uuid)
        }
    }

    /// Sets `progress`; values above 100 are read as 100.
    pub fn with_progress(mut self, progress: u8) -> Self {
        self.progress = Some(progress.min(100));
        self
    }

    /// Sets `cost`.
    pub fn with_cost(mut self, cost: f64) -> Self {
        self.cost = Some(cost);
        self
    }

    /// Sets `NSFWContent`.
    pub fn with_nsfw_content(mut self, nsfw: bool) -> Self {
        self.nsfw_content = Some(nsfw);
        self
    }

    /// Whether this item is a finished video (`success` or `completed`).
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// Whether the item carries a video, in any of `videoURL`, `videoBase64Data` or
    /// `videoDataURI`.
    pub fn has_video(&self) -> bool {
        self.video_url.is_some()
            || self.video_base64_data.is_some()
            || self.video_data_uri.is_some()
    }

    /// Reads a video item from JSON; `None` when it is not one (see [`Item::from_value`]).
    pub fn from_value(value: &Value) -> Option<VideoResult> {
        match Item::from_value(value) {
            Item::Video(video) => Some(video),
            _ => None,
        }
    }

    /// Reads a video item; `None` without a `taskUUID`. An item with a video (`videoUUID`,
    /// `videoURL`, `videoBase64Data` or `videoDataURI`) but no `status` counts as a success: the
    /// video is there, whatever the server forgot to say. One with only a `progress` is running.
    fn from_map(map: &Map<String, Value>) -> Option<VideoResult> {
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let task_uuid = text("taskUUID")?;
        let video_uuid = text("videoUUID");
        let video_url = text("videoURL");
        let video_base64_data = text("videoBase64Data");
        let video_data_uri = text("videoDataURI");
        let progress = map.get("progress").and_then(progress_from_json);
        let has_video = video_uuid.is_some()
            || video_url.is_some()
            || video_base64_data.is_some()
            || video_data_uri.is_some();
        let status = match text("status") {
            Some(status) => Status::parse(&status),
            None if has_video => Status::Success,
            None if progress.is_some() => Status::Processing,
            None => return None,
        };
        Some(VideoResult {
            task_uuid,
            status,
            progress,
            video_uuid,
            video_url,
            video_base64_data,
            video_data_uri,
            image_uuid: text("imageUUID"),
            seed: map.get("seed").and_then(Value::as_i64),
            cost: map.get("cost").and_then(Value::as_f64),
            nsfw_content: map.get("NSFWContent").and_then(Value::as_bool),
        })
    }
}

/// `progress` as a whole percentage: any JSON number, rounded and clamped into 0–100.
fn progress_from_json(value: &Value) -> Option<u8> {
    let number = value.as_f64()?;
    // A JSON number is always finite; the clamp keeps the cast inside `u8`.
    Some(number.round().clamp(0.0, 100.0) as u8)
}

/// One item of a reply's `data`.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A `videoInference` result (processing, success or another status).
    Video(VideoResult),
    /// The answer to `authentication`.
    Authentication {
        /// `connectionSessionUUID`, to resume the WebSocket session later.
        connection_session_uuid: String,
    },
    /// The answer to `ping`.
    Pong,
    /// The answer to `imageUpload`.
    ImageUpload {
        /// `taskUUID` of the upload task.
        task_uuid: String,
        /// `imageUUID`, usable as a frame image afterwards.
        image_uuid: String,
        /// `imageURL`, when the server gives one.
        image_url: Option<String>,
    },
    /// An acknowledgement: a task was accepted (`{"taskType": …, "taskUUID": …}` and nothing
    /// else but, for a dry run, `"dryRun": true`).
    Ack {
        /// `taskType` of the accepted task.
        task_type: String,
        /// `taskUUID` of the accepted task.
        task_uuid: String,
        /// `dryRun`: the task was validated only, and no job was created (spec §1). Written only
        /// when `true`.
        dry_run: bool,
    },
    /// The answer to `getTaskDetails` (spec §5.5): the original request and its response.
    TaskDetails {
        /// `taskUUID` of the task asked about.
        task_uuid: String,
        /// `request`: the task as it was sent, kept as JSON (`null` when absent).
        request: Value,
        /// `response`: the task's reply, decoded like any reply (empty when absent or not a
        /// reply).
        response: Reply,
    },
    /// An item of no known shape, kept whole.
    Unknown(Value),
}

impl Item {
    /// Reads one item; anything unrecognised becomes [`Item::Unknown`].
    pub fn from_value(value: &Value) -> Item {
        let Some(map) = value.as_object() else {
            return Item::Unknown(value.clone());
        };
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let task_type = text("taskType");
        let recognised = match task_type.as_deref() {
            Some("authentication") => {
                text("connectionSessionUUID").map(|connection_session_uuid| Item::Authentication {
                    connection_session_uuid,
                })
            }
            Some("ping") => Some(Item::Pong),
            Some("getTaskDetails") => text("taskUUID").map(|task_uuid| Item::TaskDetails {
                task_uuid,
                request: map.get("request").cloned().unwrap_or(Value::Null),
                response: map
                    .get("response")
                    .and_then(Reply::from_value)
                    .unwrap_or_default(),
            }),
            Some("imageUpload") => match (text("taskUUID"), text("imageUUID")) {
                (Some(task_uuid), Some(image_uuid)) => Some(Item::ImageUpload {
                    task_uuid,
                    image_uuid,
                    image_url: text("imageURL"),
                }),
                _ => ack(map),
            },
            // `getResponse` replies carry the polled task's own type, but a server that echoes
            // the poll's type still means a video item; an item without a type is read the same.
            Some("videoInference" | "getResponse") | None => VideoResult::from_map(map)
                .map(Item::Video)
                .or_else(|| ack(map)),
            Some(_) => ack(map),
        };
        recognised.unwrap_or_else(|| Item::Unknown(value.clone()))
    }

    /// The `taskUUID` the item is about, if it has one.
    pub fn task_uuid(&self) -> Option<&str> {
        match self {
            Item::Video(video) => Some(&video.task_uuid),
            Item::ImageUpload { task_uuid, .. }
            | Item::Ack { task_uuid, .. }
            | Item::TaskDetails { task_uuid, .. } => Some(task_uuid),
            Item::Unknown(value) => value.get("taskUUID").and_then(Value::as_str),
            Item::Authentication { .. } | Item::Pong => None,
        }
    }
}

/// An acknowledgement: exactly `taskType` and `taskUUID`, both strings, and possibly a boolean
/// `dryRun`.
fn ack(map: &Map<String, Value>) -> Option<Item> {
    let dry_run = match map.get("dryRun") {
        None => false,
        Some(value) => value.as_bool()?,
    };
    if map.len() != 2 + usize::from(map.contains_key("dryRun")) {
        return None;
    }
    let task_type = map.get("taskType")?.as_str()?.to_owned();
    let task_uuid = map.get("taskUUID")?.as_str()?.to_owned();
    Some(Item::Ack {
        task_type,
        task_uuid,
        dry_run,
    })
}

/// The errors an item of `data` reports, when it is an error rather than a result (spec §5.3):
/// `{"taskUUID": …, "status": "error", "error": {…}}` (the inner error may also be a list or a
/// bare message), an item with an `error` object or list and neither a status nor a video, or
/// `{"status": "error", "code": …, "message": …}` with the error at the top level. The task's
/// `taskUUID`, `taskType` and `status: "error"` are filled in from the item where the error
/// lacks them. `None` for any other item, including a bare `{"status": "error"}`, which stays a
/// video item.
fn item_errors(value: &Value) -> Option<Vec<ApiError>> {
    let map = value.as_object()?;
    let status = map.get("status");
    let is_error = status.and_then(Value::as_str) == Some("error");
    let without_status = status.is_none()
        && !["videoUUID", "videoURL", "videoBase64Data", "videoDataURI"]
            .iter()
            .any(|key| map.contains_key(*key));
    let nested = map.get("error").filter(|error| match error {
        Value::Null => false,
        Value::Object(_) | Value::Array(_) => is_error || without_status,
        _ => is_error,
    });
    let mut errors: Vec<ApiError> = nested
        .map(as_list)
        .unwrap_or_default()
        .into_iter()
        .map(ApiError::from_value_lenient)
        .collect();
    if errors.is_empty() {
        if !is_error || !(map.contains_key("code") || map.contains_key("message")) {
            return None;
        }
        let mut top = map.clone();
        top.remove("error");
        errors.push(ApiError::from_value_lenient(&Value::Object(top)));
    }
    let text = |key: &str| map.get(key).and_then(Value::as_str);
    for error in &mut errors {
        if error.task_uuid.is_none() {
            error.task_uuid = text("taskUUID").map(str::to_owned);
        }
        if error.task_type.is_none() {
            error.task_type = text("taskType").map(str::to_owned);
        }
        if error.status.is_none() {
            error.status = Some("error".to_owned());
        }
    }
    Some(errors)
}

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Item::Video(video) => video.serialize(serializer),
            Item::Unknown(value) => value.serialize(serializer),
            Item::Authentication {
                connection_session_uuid,
            } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("taskType", "authentication")?;
                map.serialize_entry("connectionSessionUUID", connection_session_uuid)?;
                map.end()
            }
            Item::Pong => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("taskType", "ping")?;
                map.serialize_entry("pong", &true)?;
                map.end()
            }
            Item::ImageUpload {
                task_uuid,
                image_uuid,
                image_url,
            } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("taskType", "imageUpload")?;
                map.serialize_entry("taskUUID", task_uuid)?;
                map.serialize_entry("imageUUID", image_uuid)?;
                if let Some(url) = image_url {
                    map.serialize_entry("imageURL", url)?;
                }
                map.end()
            }
            Item::Ack {
                task_type,
                task_uuid,
                dry_run,
            } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("taskType", task_type)?;
                map.serialize_entry("taskUUID", task_uuid)?;
                if *dry_run {
                    map.serialize_entry("dryRun", &true)?;
                }
                map.end()
            }
            Item::TaskDetails {
                task_uuid,
                request,
                response,
            } => {
                let mut map = serializer.serialize_map(Some(4))?;
                map.serialize_entry("taskType", "getTaskDetails")?;
                map.serialize_entry("taskUUID", task_uuid)?;
                map.serialize_entry("request", request)?;
                map.serialize_entry("response", response)?;
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Item::from_value(&value))
    }
}

impl<'de> serde::Deserialize<'de> for VideoResult {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        VideoResult::from_value(&value)
            .ok_or_else(|| serde::de::Error::custom("not a videoInference result item"))
    }
}

impl From<VideoResult> for Item {
    fn from(video: VideoResult) -> Self {
        Item::Video(video)
    }
}

/// A decoded reply: its `data` items and its `errors`, either or both possibly empty.
///
/// Every shape of error ends up in `errors`: the entries of `errors`, those of the legacy single
/// `error` object and of the WebSocket `error` array, and the error items inside `data`, which
/// are taken out of `data` (see [`Reply::from_value`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    /// The items of `data` (one item when `data` was an object), error items excepted.
    pub data: Vec<Item>,
    /// The entries of `errors` and `error`, then the errors of `data`'s error items.
    pub errors: Vec<ApiError>,
}

impl Reply {
    /// A reply with items only: `{"data":[…]}`.
    pub fn success(data: Vec<Item>) -> Self {
        Reply {
            data,
            errors: Vec::new(),
        }
    }

    /// A reply with errors only: `{"errors":[…]}`.
    pub fn failure(errors: Vec<ApiError>) -> Self {
        Reply {
            data: Vec::new(),
            errors,
        }
    }

    /// Reads a reply from JSON: `None` when it has none of `data`, `errors` or `error`.
    ///
    /// `errors` and `error` may each be one error object or a list of them. An item of `data`
    /// that reports an error (`{"taskUUID": …, "status": "error", "error": {…}}`, or with `code`
    /// and `message` beside `status`) is lifted into `errors`, with the item's `taskUUID`,
    /// `taskType` and `status: "error"` filled in where the error lacks them.
    pub fn from_value(value: &Value) -> Option<Reply> {
        let map = value.as_object()?;
        let (data, errors, error) = (map.get("data"), map.get("errors"), map.get("error"));
        if data.is_none() && errors.is_none() && error.is_none() {
            return None;
        }
        let mut reply = Reply::default();
        for entry in [errors, error].into_iter().flatten().flat_map(as_list) {
            reply.errors.push(ApiError::from_value_lenient(entry));
        }
        for item in data.map(as_list).unwrap_or_default() {
            match item_errors(item) {
                Some(errors) => reply.errors.extend(errors),
                None => reply.data.push(Item::from_value(item)),
            }
        }
        Some(reply)
    }

    /// The video items, of any task.
    pub fn videos(&self) -> impl Iterator<Item = &VideoResult> {
        self.data.iter().filter_map(|item| match item {
            Item::Video(video) => Some(video),
            _ => None,
        })
    }

    /// The errors about `task_uuid` (compared without regard to letter case).
    pub fn errors_for<'a>(&'a self, task_uuid: &'a str) -> impl Iterator<Item = &'a ApiError> {
        self.errors.iter().filter(move |e| {
            e.task_uuid
                .as_deref()
                .is_some_and(|t| same_task(t, task_uuid))
        })
    }

    /// The items about `task_uuid` (compared without regard to letter case).
    pub fn items_for<'a>(&'a self, task_uuid: &'a str) -> impl Iterator<Item = &'a Item> {
        self.data
            .iter()
            .filter(move |item| item.task_uuid().is_some_and(|t| same_task(t, task_uuid)))
    }
}

/// `data`/`errors` as a list: an array's elements, an object alone, nothing for `null`.
fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn same_task(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

impl Serialize for Reply {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `data` is written when there are items, or when there is nothing at all (an empty
        // success); `errors` only when there are errors.
        let with_data = !self.data.is_empty() || self.errors.is_empty();
        let mut map = serializer.serialize_map(None)?;
        if with_data {
            map.serialize_entry("data", &self.data)?;
        }
        if !self.errors.is_empty() {
            map.serialize_entry("errors", &self.errors)?;
        }
        map.end()
    }
}

impl<'de> serde::Deserialize<'de> for Reply {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = <Value as serde::Deserialize>::deserialize(deserializer)?;
        Reply::from_value(&value)
            .ok_or_else(|| serde::de::Error::custom("a reply needs data, errors or error"))
    }
}

/// Bytes that are not a reply; the body is kept for the log and the message shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The body is not JSON (an HTML error page, a cut-off body, …).
    #[error("the reply is not JSON: {reason}")]
    NotJson {
        /// The raw body.
        body: Vec<u8>,
        /// What the JSON reader said.
        reason: String,
    },
    /// The body is JSON but has none of `data`, `errors` or `error`.
    #[error("the reply has no data and no errors")]
    NotAReply {
        /// The raw body.
        body: Vec<u8>,
    },
}

impl DecodeError {
    /// The raw body.
    pub fn body(&self) -> &[u8] {
        match self {
            DecodeError::NotJson { body, .. } | DecodeError::NotAReply { body } => body,
        }
    }

    /// The raw body as text (invalid UTF-8 replaced).
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(self.body())
    }
}

/// Decodes a reply body (REST) or message (WebSocket). Never panics.
///
/// JSON is UTF-8 text, so bytes that are not UTF-8 are not JSON: they are refused before the
/// JSON reader sees them, and the reason then says where the text breaks.
pub fn decode(bytes: &[u8]) -> Result<Reply, DecodeError> {
    let value = std::str::from_utf8(bytes)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Value>(text).map_err(|e| e.to_string()))
        .map_err(|reason| DecodeError::NotJson {
            body: bytes.to_vec(),
            reason,
        })?;
    Reply::from_value(&value).ok_or_else(|| DecodeError::NotAReply {
        body: bytes.to_vec(),
    })
}

/// Where a task stands, folded from its replies (spec §5.4).
#[derive(Debug, Clone, PartialEq)]
pub enum TaskState {
    /// Still running: `done` of `of` results are finished.
    Processing {
        /// Finished results so far.
        done: usize,
        /// `numberResults` of the task.
        of: usize,
        /// The `progress` of the latest reply, 0–100: the highest of its running results.
        progress: Option<u8>,
        /// Whether the latest reply said every running result is still waiting for its turn
        /// (`queued`, `pending` or `waiting`).
        queued: bool,
    },
    /// Every result is finished.
    Done {
        /// The finished results, in the order first seen.
        results: Vec<VideoResult>,
    },
    /// The task failed.
    Failed {
        /// The error the server gave (boxed: an error is far larger than the other states).
        error: Box<ApiError>,
    },
}

impl TaskState {
    /// Whether the task is over (done or failed).
    pub fn is_finished(&self) -> bool {
        !self.is_processing()
    }

    /// Whether the task is still running.
    pub fn is_processing(&self) -> bool {
        matches!(self, TaskState::Processing { .. })
    }

    /// For a running task, how many results are finished and how many were asked for.
    pub fn done_of(&self) -> Option<(usize, usize)> {
        match self {
            TaskState::Processing { done, of, .. } => Some((*done, *of)),
            TaskState::Done { .. } | TaskState::Failed { .. } => None,
        }
    }

    /// The `progress` last reported for a running task, 0–100; `None` when the server gave
    /// none or the task is over.
    pub fn progress(&self) -> Option<u8> {
        match self {
            TaskState::Processing { progress, .. } => *progress,
            TaskState::Done { .. } | TaskState::Failed { .. } => None,
        }
    }

    /// Whether a running task is still waiting for its turn.
    pub fn is_queued(&self) -> bool {
        matches!(self, TaskState::Processing { queued: true, .. })
    }

    /// The finished results of a task that is done; empty otherwise.
    pub fn results(&self) -> &[VideoResult] {
        match self {
            TaskState::Done { results } => results,
            TaskState::Processing { .. } | TaskState::Failed { .. } => &[],
        }
    }

    /// The error of a task that failed.
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            TaskState::Failed { error } => Some(error),
            TaskState::Processing { .. } | TaskState::Done { .. } => None,
        }
    }
}

/// The running fold of one task's replies, for a poller that sees them one at a time.
///
/// Each `getResponse` reply holds the task's full state, so the same video may be seen many
/// times: results are kept once each, by `videoUUID` (or `videoURL`, or the whole item). The first
/// terminal state sticks: an error after the last video, or a video after an error, changes
/// nothing. Every shape of error counts alike, since [`Reply::from_value`] gathers them all in
/// [`Reply::errors`]; an item with `status: "error"` and nothing more fails the task too. Errors
/// without a `taskUUID` cannot be told apart between tasks polled together and are left to the
/// caller. The `response` of a `getTaskDetails` item about the task is folded in like a reply.
///
/// The latest reply that holds video items for the task sets its progress: the highest
/// `progress` of its running items, and whether they are all queued.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskProgress {
    task_uuid: String,
    of: usize,
    results: Vec<VideoResult>,
    error: Option<ApiError>,
    progress: Option<u8>,
    queued: bool,
}

impl TaskProgress {
    /// The progress of task `task_uuid`, asked for `number_results` videos, before any reply.
    pub fn new(task_uuid: impl Into<String>, number_results: NumberResults) -> Self {
        TaskProgress {
            task_uuid: task_uuid.into(),
            of: usize::from(number_results.get()),
            results: Vec::new(),
            error: None,
            progress: None,
            queued: false,
        }
    }

    /// Takes in one reply (items and errors of other tasks are ignored).
    pub fn observe(&mut self, reply: &Reply) {
        let task_uuid = self.task_uuid.clone();
        let mut videos = 0usize;
        let mut running = 0usize;
        let mut all_queued = true;
        let mut progress = None;
        for item in reply.items_for(&task_uuid) {
            if self.is_finished() {
                return;
            }
            let video = match item {
                Item::Video(video) => video,
                Item::TaskDetails { response, .. } => {
                    self.observe(response);
                    continue;
                }
                _ => continue,
            };
            videos += 1;
            if video.status.is_success() {
                if !self.results.iter().any(|seen| same_video(seen, video)) {
                    self.results.push(video.clone());
                }
            } else if video.status.is_error() {
                self.error = Some(
                    ApiError::new(
                        ErrorCode::Other(String::new()),
                        "the task failed without an error message",
                    )
                    .with_task(crate::TaskType::VideoInference.as_str(), &video.task_uuid)
                    .with_status("error"),
                );
            } else {
                running += 1;
                all_queued &= video.status.is_queued();
                progress = progress.max(video.progress);
            }
        }
        if videos > 0 {
            self.progress = progress;
            self.queued = running > 0 && all_queued;
        }
        if self.is_finished() {
            return;
        }
        if let Some(error) = reply.errors_for(&task_uuid).next() {
            self.error = Some(error.clone());
        }
    }

    /// Whether the task is over (every result in, or an error).
    pub fn is_finished(&self) -> bool {
        self.results.len() >= self.of || self.error.is_some()
    }

    /// The state so far.
    pub fn state(&self) -> TaskState {
        if self.results.len() >= self.of {
            TaskState::Done {
                results: self.results.clone(),
            }
        } else if let Some(error) = &self.error {
            TaskState::Failed {
                error: Box::new(error.clone()),
            }
        } else {
            TaskState::Processing {
                done: self.results.len(),
                of: self.of,
                progress: self.progress,
                queued: self.queued,
            }
        }
    }

    /// The finished results so far (also those of a task that failed part-way).
    pub fn results(&self) -> &[VideoResult] {
        &self.results
    }

    /// The `progress` the latest reply gave, 0–100 (see [`TaskState::progress`]).
    pub fn progress(&self) -> Option<u8> {
        self.progress
    }

    /// Whether the latest reply said the task is waiting for its turn.
    pub fn is_queued(&self) -> bool {
        self.queued
    }
}

fn same_video(a: &VideoResult, b: &VideoResult) -> bool {
    match (&a.video_uuid, &b.video_uuid, &a.video_url, &b.video_url) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Folds every reply seen for task `task_uuid`, asked for `number_results` videos, into its state.
pub fn fold<'a, I>(task_uuid: &str, number_results: NumberResults, replies: I) -> TaskState
where
    I: IntoIterator<Item = &'a Reply>,
{
    let mut progress = TaskProgress::new(task_uuid, number_results);
    for reply in replies {
        progress.observe(reply);
    }
    progress.state()
}
